"""Notebook copies for nbval, one folder per cohort (``make test``): ``python -m rmresearch.report.nbval``.

The notebooks name the full demo in their parameters cell. For nbval to run them on every demo cohort, papermill
writes copies with each cohort's file injected as the parameter (``prepare_only``: nothing is executed) into
``<out>/nbval-<cohort>/``: the cohort notebooks (00 to 89) that apply to the cohort
(:func:`~rmresearch.report.notebooks.applicable_notebooks`: a cohort without students gets no attainment
notebook), and the cross-cohort ones (90 to 99) in the first cohort's folder only. nbval runs a notebook's kernel
in the folder it is in, so the cohort file is given as an absolute path.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from ..config import load_cohort
from .notebooks import applicable_notebooks, cohort_notebooks, trend_notebooks

__all__ = ["prepare_nbval"]


def prepare_nbval(cohort_files: list[str | Path], *, notebooks_dir: str | Path, out: str | Path,
                  trends: bool = True) -> dict[str, list[Path]]:
    """Write ``<out>/nbval-<cohort>/NN_name.ipynb`` for each cohort file; returns ``{cohort: [copies]}``.

    Each folder is emptied first, so a notebook that no longer applies leaves no stale copy. With ``trends`` the
    cross-cohort notebooks go into the first cohort's folder.
    """
    import papermill as pm

    written: dict[str, list[Path]] = {}
    for i, path in enumerate(cohort_files):
        config = load_cohort(path, check_files=False)
        folder = Path(out) / f"nbval-{config.cohort}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        notebooks, _ = applicable_notebooks(cohort_notebooks(notebooks_dir), config)
        if trends and i == 0:
            notebooks += trend_notebooks(notebooks_dir)
        parameters = {"cohort_config": str(Path(config.path).resolve())}
        written[config.cohort] = []
        for nb in notebooks:
            copy = folder / nb.name
            pm.execute_notebook(str(nb), str(copy), parameters=parameters, prepare_only=True, log_output=False,
                                progress_bar=False)
            written[config.cohort].append(copy)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rmresearch.report.nbval", description=__doc__.splitlines()[0])
    parser.add_argument("cohort_files", nargs="+", help="cohort YAML files, the first also gets the trends notebooks")
    parser.add_argument("--notebooks", default="notebooks", help="the notebooks folder (default: notebooks)")
    parser.add_argument("--out", default="build", help="where the nbval-<cohort> folders go (default: build)")
    args = parser.parse_args(argv)
    written = prepare_nbval(args.cohort_files, notebooks_dir=args.notebooks, out=args.out)
    for cohort, copies in written.items():
        print(f"{args.out}/nbval-{cohort}: {', '.join(p.stem for p in copies)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
