"""``rmresearch setup-nltk``: download the NLTK data the anonymiser's optional name-entity layer uses."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import add_command

__all__ = ["add_commands", "cmd_setup_nltk", "NLTK_PACKAGES"]

#: NLTK data the optional NE layer needs.
NLTK_PACKAGES = ("averaged_perceptron_tagger_eng", "maxent_ne_chunker_tab", "words")

SETUP_NLTK = f"""\
    Download NLTK's POS tagger and named-entity chunker data ({', '.join(NLTK_PACKAGES)})
    so the anonymiser can add NLTK's NE chunker as one more layer. Needs a network;
    everything else works without it.
    """


def add_commands(subparsers) -> None:
    """Add ``setup-nltk``."""
    s = add_command(subparsers, "setup-nltk", func=cmd_setup_nltk, description=SETUP_NLTK,
                    help="download the NLTK data the optional name-entity layer uses")
    s.add_argument("--dir", type=Path, default=None, help="download folder (default: NLTK's own choice)")


def cmd_setup_nltk(args: argparse.Namespace) -> int:
    try:
        import nltk
    except ImportError:  # pragma: no cover
        print("NLTK is not installed: pip install nltk", file=sys.stderr)
        return 1
    failed = []
    for package in NLTK_PACKAGES:
        try:
            ok = nltk.download(package, download_dir=str(args.dir) if args.dir else None, quiet=True, raise_on_error=True)
        except Exception as exc:  # noqa: BLE001 - urllib and socket errors of every kind
            ok = False
            reason = str(exc)
        else:
            reason = ""
        if not ok:
            failed.append((package, reason))
    if failed:
        print("Could not download NLTK data: the network (or the NLTK data server) is unreachable from this machine.",
              file=sys.stderr)
        for package, reason in failed:
            print(f"  {package}: {reason or 'download failed'}", file=sys.stderr)
        print("Anonymisation works without it (roster, patterns, context and name lists); the NLTK layer stays off. "
              "On a machine with a network, run `rmresearch setup-nltk` again, or copy an nltk_data folder here.",
              file=sys.stderr)
        return 1
    print(f"NLTK data installed: {', '.join(NLTK_PACKAGES)}. The anonymiser will now use NLTK's NE chunker too.")
    return 0
