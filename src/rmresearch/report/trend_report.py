"""The cross-cohort trends report (notebooks 90 to 99), built from every cohort's results files."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..config import CohortConfig
from ..fileio import atomic_directory, atomic_write_text
from ..results import RESULTS_SUFFIX, _project_relative
from .common import RESULTS_SOURCES_ENV, TRENDS_DIR, ReleaseCheck, ReleaseRefused, ReportError
from .gate import _path_markers, _tidy_paths, disclosure_rule_problems, leak_audit, release_check
from .notebooks import _run_notebooks, notebooks_dir_for, trend_notebooks
from .private import _keep_private, _private_or_temporary, _retire_legacy_failed, _staging_dir
from .provenance import _fingerprint, _git_commit, _now, _package_source_hash, _sha256, _versions
from .pdf import add_report_pdf, print_css
from .render import _css, _environment, _rendered_sections, _rules_text, _write_section_pages

def _report_dir(config: CohortConfig, out_root: str | Path | None) -> Path:
    return Path(out_root) / config.cohort if out_root else Path(config.outputs["reports"])


def build_trends(
    configs: list[CohortConfig],
    *,
    notebooks_dir: str | Path | None = None,
    out_root: str | Path | None = None,
    force: bool = False,
    timeout: int = 1200,
    release: bool = False,
    pdf: bool | None = False,
) -> Path | None:
    """Run the cross-cohort notebooks (90 to 99) over the cohorts' results files.

    Writes ``<reports>/trends/``: the executed notebooks, a page per notebook,
    ``report.html``, ``index.html`` and ``run.json``. Returns the folder, or None
    when there are no cross-cohort notebooks.

    The page is audited like a cohort report, against every cohort's roster and key: a leaking
    page is not installed (the previous one stays). With ``release`` it also passes the release
    gate for every cohort (:func:`release_check`) and gets ``release.json``. ``pdf`` as for
    :func:`~rmresearch.report.build.build_report`: ``report.pdf``, printed after the page is final (with
    ``release``, only once it passed, the release mark on every page) and audited with it.
    """
    first = configs[0]
    nb_dir = notebooks_dir_for(first, notebooks_dir)
    notebooks = trend_notebooks(nb_dir)
    if not notebooks:
        return None
    report_dirs = [_report_dir(c, out_root) for c in configs]
    out_dir = (Path(out_root) if out_root else report_dirs[0].parent) / TRENDS_DIR
    from ..guard import check_output

    out_dir = check_output(out_dir, owner="report", configs=configs, replace_folder=True, cohort=None,
                           notebooks_dir=notebooks_dir)
    if release:
        weak = sorted({w for c in configs for w in disclosure_rule_problems(c.disclosure, c.path.name)})
        if weak:
            raise ReleaseRefused("The cross-cohort trends cannot be released: " + "; ".join(weak) + ".")
    root = first.root  # kernels run here; sources are given relative to it
    sources = [Path(os.path.relpath(d.resolve(), root)).as_posix() for d in report_dirs]
    parameters = {"cohort_config": Path(os.path.relpath(first.path, root)).as_posix()}
    results_hashes = {_project_relative(f, root): _sha256(f)
                      for d in report_dirs if d.is_dir() for f in sorted(d.glob(f"*{RESULTS_SUFFIX}"))}
    common = {"results": results_hashes, "versions": _versions(), "code": _package_source_hash(), "sources": sources}
    fingerprints = {p.stem: _fingerprint(p, common, parameters) for p in notebooks}
    started = _now()
    markers = _path_markers(root, nb_dir)
    failed_dir = lambda: _private_or_temporary(root, "failed", TRENDS_DIR)  # noqa: E731
    _retire_legacy_failed(out_dir, failed_dir)
    with atomic_directory(out_dir, staging=_staging_dir(root, out_dir)) as staging:
        ran = _run_notebooks(notebooks, staging=staging, out_dir=out_dir, nb_dir=nb_dir, parameters=parameters,
                             fingerprints=fingerprints, force=force, timeout=timeout, jobs=1, progress=False,
                             label="trends", extra_env={RESULTS_SOURCES_ENV: json.dumps(sources)}, cwd=root,
                             failed_dir=failed_dir)
        _tidy_paths(staging, markers, out_dir=out_dir, root=root)
        sections = _rendered_sections(staging, notebooks)
        record = {
            "cohorts": [c.cohort for c in configs],
            # drawn from an internal cohort's (exact) results, the trends are internal too, and say so on every page
            "audience": "internal" if any(c.disclosure.audience == "internal" for c in configs) else "public",
            "parameters": parameters | {"sources": sources},
            "started": started,
            "finished": _now(),
            "versions": common["versions"],
            "git_commit": _git_commit(nb_dir),
            "results_sha256": results_hashes,
            "notebooks": [{"name": p.stem, "seconds": round(ran[p.stem][0], 2), "cached": ran[p.stem][1],
                           "fingerprint": fingerprints[p.stem]} for p in notebooks],
        }
        atomic_write_text(staging / "run.json", json.dumps(record, indent=2) + "\n")
        _write_trend_pages(staging, configs, sections, record)
        # the trends page is shareable like a cohort report: audited for the people of every cohort it draws on
        # (those with results files; all when none has), and release-checked
        drawn = [c for c, d in zip(configs, report_dirs) if d.is_dir() and any(d.glob(f"*{RESULTS_SUFFIX}"))]
        _audit_trends(drawn or list(configs), staging, out_dir, root, release,
                      reprint=lambda check: _write_trend_pages(staging, configs, sections, record, check), pdf=pdf)
    return out_dir


def _write_trend_pages(staging: Path, configs: list[CohortConfig], sections: list, record: dict,
                       release: ReleaseCheck | None = None) -> None:
    """A page per trend notebook, ``report.html`` (every section; printed pages carry ``release``'s status) and
    ``index.html``."""
    env = _environment()
    heading = "Cross-cohort trends"
    versions = record["versions"]
    _write_section_pages(staging, sections, heading, record)
    rules_text = _rules_text(configs[0].disclosure)
    page = env.get_template("trends.html.j2").render(
        css=_css() + print_css(release, record["audience"]), versions=versions, heading=heading, configs=configs,
        sections=sections, record=record, rules_text=rules_text, audience=record["audience"])
    atomic_write_text(staging / "report.html", page)
    atomic_write_text(staging / "index.html", env.get_template("index.html.j2").render(
        title=heading, subtitle=f"{len(configs)} cohort(s)", facts=[("Cohorts", ", ".join(c.cohort for c in configs)),
                                                                    ("Built", record["finished"])],
        summary=[], sections=[{"page": f"{s.name}.html", "title": s.title, "name": s.name} for s in sections],
        commit=record["git_commit"], css=_css(), versions=versions, release=None, rules_text=rules_text,
        audience=record["audience"]))


def _audit_trends(audited: list[CohortConfig], staging: Path, out_dir: Path, root: Path, release: bool,
                  reprint=None, pdf: bool | None = False) -> None:
    """The leak audit (or, with ``release``, the release gate) for every cohort the trends draw on; the PDF
    (``pdf``) is printed before the leak audit, or once the release gate passed (after ``reprint(check)``
    rewrote the page with the release mark), and audited."""
    if release:
        checks = [release_check(c, staging) for c in audited]
        reasons = tuple(dict.fromkeys(r for c in checks for r in c.reasons))
        check = ReleaseCheck(not reasons, reasons, _now())
        if check.releasable:  # the page now carries the release mark on every printed page: audit it once more
            if reprint:
                reprint(check)
            add_report_pdf(staging, pdf)
            printed = [p for p in (staging / "report.html", staging / "report.pdf") if p.is_file()]
            again = tuple(leak_audit(audited, printed))
            if again:
                (staging / "report.pdf").unlink(missing_ok=True)  # a refused release has no PDF
                check = ReleaseCheck(False, again, check.checked)
        atomic_write_text(staging / "release.json", json.dumps(check.as_dict(), indent=2) + "\n")
        if not check.releasable:
            kept = _keep_private(staging, _private_or_temporary(root, "refused") / TRENDS_DIR)
            raise ReleaseRefused(
                f"The cross-cohort trends are NOT releasable, so they were not installed (the previous page in "
                f"{out_dir}, if any, is unchanged; the refused build is kept privately in {kept}):\n  - "
                + "\n  - ".join(check.reasons))
    else:
        add_report_pdf(staging, pdf)
        leaks = leak_audit(audited, [staging])  # every cohort's roster and key at once
        if leaks:
            raise ReportError("The cross-cohort trends were not written: " + "; ".join(leaks)
                              + ". Check each cohort's results and notebooks 90 to 99, then report again.")
