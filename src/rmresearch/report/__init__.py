"""Execute the cohort's notebooks with papermill and build a report people read.

``build_report(config)`` validates the inputs, runs every numbered notebook
(``notebooks/NN_name.ipynb``; 90 to 99 are cross-cohort and run only with
``--cohort all``) with the cohort's parameters, and writes ``reports/<cohort>/``:

- ``report.html``: the report: title page, executive summary built from the
  results files, a section per notebook without code, figures with alt text and
  captions, a methods and data-quality appendix and a reproducibility record;
- ``NN_name.html``: each section as a page of its own, and ``index.html``;
- ``NN_name.ipynb``: the executed notebook, ``NN_name.results.json``: its key
  results (:mod:`rmresearch.results`), disclosure-controlled;
- ``run.json``: the reproducibility record, with a fingerprint per notebook
  (notebook, cohort file, inputs, package source and versions): a rerun reuses
  a notebook's outputs when its fingerprint has not changed;
- ``release.json`` with ``--release``: whether the report may be shared.

Every page is self-contained (CSS inline, figures as data URIs, no scripts),
so it works offline and can be e-mailed. The whole folder is built aside (in the
project's private ``.rmresearch/staging/``) and swapped into place at the end, so a
failed or killed run never leaves a half-written report; what a killed run left is
removed by the next. Kernels run in the project folder with project-relative
parameters, and every shareable file holds only project-relative paths.

The package's modules: ``notebooks`` (which notebooks run, and running them),
``render`` (HTML sections, pages and the report), ``provenance`` (versions,
hashes, fingerprints), ``gate`` (the release gate and audits), ``private`` (the
private working folder), ``build`` (:func:`build_report`, :func:`build_reports`)
and ``trend_report`` (:func:`build_trends`).
"""

# Beyond __all__, names that code and tests import from rmresearch.report are re-exported too.
from .build import build_report, build_reports
from .common import (RESULTS_SOURCES_ENV, TITLE_KEYS, TREND_PREFIX, TRENDS_DIR, VERSIONED_PACKAGES, CohortOutcome,
                     NotebookResult, ReleaseCheck, ReleaseRefused, ReportError)
from .gate import disclosure_problems, disclosure_rule_problems, leak_audit, path_problems, release_check
from .notebooks import (SINGLE_THREAD_ENV, applicable_notebooks, cohort_notebooks, find_notebooks, notebook_title,
                        notebooks_dir_for, trend_notebooks)
from .private import PRIVATE_DIR, private_dir
from .provenance import _sha256, derived_hashes, input_hashes
from .render import RenderedNotebook, _summary, export_html, render_notebook
from .trend_report import build_trends

__all__ = [
    "applicable_notebooks",
    "ReportError",
    "ReleaseRefused",
    "NotebookResult",
    "ReleaseCheck",
    "CohortOutcome",
    "find_notebooks",
    "cohort_notebooks",
    "trend_notebooks",
    "build_report",
    "build_reports",
    "build_trends",
    "export_html",
    "render_notebook",
    "notebooks_dir_for",
    "input_hashes",
    "disclosure_problems",
    "leak_audit",
    "release_check",
]
