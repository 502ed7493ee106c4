"""``python -m rmresearch.cli.nbval COHORT.yml... [--out build]``: the notebook copies nbval runs in ``make test``.

Not an ``rmresearch`` command (a developer's step of ``make test``), so it is not listed in ``rmresearch --help``;
the work is :func:`rmresearch.report.nbval.prepare_nbval`.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    from ..report.nbval import __doc__ as about, prepare_nbval

    parser = argparse.ArgumentParser(prog="python -m rmresearch.cli.nbval", description=about.splitlines()[0])
    parser.add_argument("cohort_files", nargs="+", help="cohort YAML files; the first also gets the trends notebooks")
    parser.add_argument("--notebooks", default="notebooks", help="the notebooks folder (default: notebooks)")
    parser.add_argument("--out", default="build", help="where the nbval-<cohort> folders go (default: build)")
    args = parser.parse_args(argv)
    written = prepare_nbval(args.cohort_files, notebooks_dir=args.notebooks, out=args.out)
    for cohort, copies in written.items():
        print(f"{args.out}/nbval-{cohort}: {', '.join(p.stem for p in copies)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
