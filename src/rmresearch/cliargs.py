"""Argument helpers shared by every command group of the ``rmresearch`` command line.

One formatter and one ``--cohort`` / ``--cohorts-dir`` pair, so every command spells them, and explains
them, the same way.
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["formatter", "add_cohort_args"]


def formatter(prog: str) -> argparse.HelpFormatter:
    """Help text keeps the line breaks of the descriptions (examples stay readable)."""
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def add_cohort_args(p: argparse.ArgumentParser, *, required: bool = True, allow_all: bool = False,
                    help: str | None = None) -> None:
    """Add ``--cohort`` (an ID or a cohort YAML path; ``all`` where ``allow_all``) and ``--cohorts-dir``."""
    text = help or ("cohort ID (cohorts/<ID>.yml) or path to a cohort YAML file" + (", or 'all'" if allow_all else ""))
    p.add_argument("--cohort", required=required, help=text)
    p.add_argument("--cohorts-dir", type=Path, default=Path("cohorts"), help="folder of cohort files (default: ./cohorts)")
