"""Notebook copies for nbval, one folder per cohort (``make test``: ``python -m rmresearch.cli.nbval``).

The notebooks name the full demo in their parameters cell. For nbval to run them on every demo cohort, papermill
writes copies with each cohort's file injected as the parameter (``prepare_only``: nothing is executed) into
``<out>/nbval-<cohort>/``: the cohort notebooks (00 to 89) that apply to the cohort
(:func:`~rmresearch.report.notebooks.applicable_notebooks`: a cohort without students gets no attainment
notebook), and the cross-cohort ones (90 to 99) in the first cohort's folder only. nbval runs a notebook's kernel
in the folder it is in, so the cohort file is given as an absolute path.
"""

from __future__ import annotations

import shutil
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
