"""The ``rmresearch`` command: thin wrappers that parse, call the package and print.

One module per command group, each with ``add_commands(subparsers)``:

- :mod:`.project`: ``demo``, ``validate``, ``report``, ``schema``
- :mod:`.anonymise`: ``anonymise run | detect | evaluate``
- :mod:`.audit`: ``audit``
- :mod:`.code`: ``code suggest | agreement | export-qdpx | import-qdpx | export-qdc``
- :mod:`.survey`: ``survey instruments | import``
- :mod:`.setup_nltk`: ``setup-nltk``

and :mod:`.common` for what they share (formatter, ``--cohort`` / ``--cohorts-dir``, exit codes).

Expected mistakes (a missing file, a bad column, an unknown cohort) print a
short message and exit with status 2, without a traceback. Set
``RMRESEARCH_DEBUG=1`` to see the traceback as well.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import textwrap

from .. import __version__
from ..errors import RMResearchError
from .common import EXIT_USER_ERROR, formatter

__all__ = ["main", "build_parser", "add_commands", "EXIT_USER_ERROR", "COMMAND_MODULES"]

#: Modules exposing ``add_commands(subparsers)``, in the order their commands are listed.
COMMAND_MODULES = (".project", ".anonymise", ".audit", ".setup_nltk", ".code", ".survey")

DESCRIPTION = """\
    Evaluate reciprocal and reverse mentoring schemes for race equality,
    reproducibly and safely: validate a cohort's inputs, anonymise transcripts,
    analyse and build the evaluation report.

    Typical use, from the project folder:
      rmresearch demo                      write the synthetic demo cohort
      rmresearch validate --cohort demo    check every input table
      rmresearch report --cohort demo      build reports/demo/index.html
    """


def add_commands(subparsers) -> None:
    """Add every ``rmresearch`` command to ``subparsers`` (of any parser, e.g. a test's)."""
    for module in COMMAND_MODULES:
        importlib.import_module(module, __name__).add_commands(subparsers)


def build_parser() -> argparse.ArgumentParser:
    """The ``rmresearch`` argument parser with every command."""
    parser = argparse.ArgumentParser(
        prog="rmresearch",
        formatter_class=formatter,
        description=textwrap.dedent(DESCRIPTION),
        epilog="Each command has its own help: rmresearch COMMAND --help",
    )
    parser.add_argument("--version", action="version", version=f"rmresearch {__version__}")
    add_commands(parser.add_subparsers(dest="command", metavar="COMMAND"))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``rmresearch`` with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except RMResearchError as exc:
        if os.environ.get("RMRESEARCH_DEBUG"):
            raise
        print(f"rmresearch {args.command}: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted; outputs already finished are complete, nothing is half-written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (rmresearch ... | head): stop quietly, as other command-line tools do; the dangling
        # stdout is pointed at devnull so the interpreter's final flush does not raise again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
