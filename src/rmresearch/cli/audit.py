"""``rmresearch audit``: check files for any leaked name or identifier (a wrapper over
:mod:`rmresearch.anonymise.audit`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import InputError
from .common import add_cohort_args, add_command, load_config

__all__ = ["add_commands", "cmd_audit"]

AUDIT = """\
    Scan files and folders for any roster name or alias (whole word, any casing),
    any original in the cohort's pseudonym key and any e-mail, phone number,
    postcode, handle or configured identifier. Every file is read as its reader
    sees it: HTML and XML text and attribute values, every JSON string, every CSV
    cell, notebook sources and outputs (figures through the texts drawn in them,
    never image data), .qdpx/.docx archives member by member, and file names.
    A pseudonym key or review file inside PATH, a figure whose texts were not
    recorded and a file that cannot be read as text are findings too.
    Lists file and line with the identifier partly masked and exits with status 1
    if anything is found, 0 if the files are clean.
    With --residual, the detector's second pass lists what still looks like a name
    (not a pseudonym, ID or category word) for a person to confirm, in a private
    CSV beside the cohort's review file; it does not change the exit status.
    """


def add_commands(subparsers) -> None:
    """Add ``audit``."""
    a = add_command(subparsers, "audit", func=cmd_audit, description=AUDIT,
                    help="check files for any leaked name or identifier")
    a.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    add_cohort_args(a, required=False)
    a.add_argument("--roster", type=Path, help="roster CSV (when not auditing for a cohort)")
    a.add_argument("--residual", action="store_true",
                   help="also list remaining name-like candidates to confirm (needs --cohort)")


def _findings(args: argparse.Namespace, config):
    from ..anonymise.audit import audit_paths, audit_shareable
    from ..anonymise.roster import load_roster

    if config is not None:
        for p in args.paths:
            if not Path(p).exists():
                raise InputError(f"{p}: no such file or folder to audit.")
        findings = audit_shareable(config, args.paths)
        if args.roster:
            findings += audit_paths(args.paths, roster=load_roster(config, path=args.roster))
        return findings
    if args.roster:
        return audit_paths(args.paths, roster=load_roster(path=args.roster))
    raise InputError("audit needs --cohort (roster, key and identifier formats) or --roster.")


def cmd_audit(args: argparse.Namespace) -> int:
    from ..anonymise.audit import format_findings, residual_candidates, write_residual

    if args.residual and not args.cohort:
        raise InputError("audit --residual needs --cohort: the candidates are written beside the cohort's review file.")
    config = load_config(args) if args.cohort else None
    findings = _findings(args, config)
    if config is not None and args.residual:
        candidates = residual_candidates(config, args.paths)
        target = write_residual(config, candidates)
        print(f"{len(candidates)} name-like candidate(s) await confirmation: {target} (private: it quotes the text; "
              "mark each row's 'confirmed' as name or not, and anonymise again if any is a name).")
    if findings:
        print(format_findings(findings))
        files = len({f.file for f in findings})
        print(f"LEAK: {len(findings)} identifier(s) found in {files} file(s). Do not share these files.")
        return 1
    print(f"Audit passed: no roster name, key original or pattern identifier in {', '.join(map(str, args.paths))}.")
    return 0
