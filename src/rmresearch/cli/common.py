"""Argument helpers shared by every command group of the ``rmresearch`` command line.

One formatter, one way to declare a command, one ``--cohort`` / ``--cohorts-dir`` pair and one way to load
the cohort they name, so every command spells them, and explains them, the same way. Exit codes:
:data:`EXIT_USER_ERROR` (2) for an expected mistake, which :func:`rmresearch.cli.main` prints as one line.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable
from pathlib import Path

__all__ = ["EXIT_USER_ERROR", "formatter", "add_command", "add_group", "add_cohort_args", "load_config"]

#: Exit status of an expected mistake (a missing file, a bad column, an unknown cohort).
EXIT_USER_ERROR = 2


def formatter(prog: str) -> argparse.HelpFormatter:
    """Help text keeps the line breaks of the descriptions (examples stay readable)."""
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def add_command(subparsers, name: str, *, help: str, description: str,
                func: Callable[[argparse.Namespace], int] | None = None) -> argparse.ArgumentParser:
    """Declare one (sub)command: its one-line ``help``, its ``description`` (dedented, line breaks kept) and
    the function that runs it (``args -> exit status``)."""
    parser = subparsers.add_parser(name, help=help, formatter_class=formatter,
                                   description=textwrap.dedent(description))
    if func is not None:
        parser.set_defaults(func=func)
    return parser


def add_group(subparsers, name: str, *, help: str, description: str, dest: str, metavar: str = "SUBCOMMAND"):
    """Declare a command group (``anonymise``, ``code``...): without a subcommand it prints its help."""
    group = add_command(subparsers, name, help=help, description=description)
    group.set_defaults(func=lambda args: (group.print_help(), 0)[1])
    return group, group.add_subparsers(dest=dest, metavar=metavar)


def add_cohort_args(p: argparse.ArgumentParser, *, required: bool = True, allow_all: bool = False,
                    help: str | None = None) -> None:
    """Add ``--cohort`` (an ID or a cohort YAML path; ``all`` where ``allow_all``) and ``--cohorts-dir``."""
    text = help or ("cohort ID (cohorts/<ID>.yml) or path to a cohort YAML file" + (", or 'all'" if allow_all else ""))
    p.add_argument("--cohort", required=required, help=text)
    p.add_argument("--cohorts-dir", type=Path, default=Path("cohorts"), help="folder of cohort files (default: ./cohorts)")


def load_config(args: argparse.Namespace, *, check_files: bool = True):
    """The cohort named by ``--cohort`` / ``--cohorts-dir``."""
    from ..config import load_cohort

    return load_cohort(args.cohort, cohorts_dir=args.cohorts_dir, check_files=check_files)
