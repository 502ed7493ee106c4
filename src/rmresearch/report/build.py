"""Building reports: :func:`build_report` for one cohort, :func:`build_reports` for several."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from ..config import CohortConfig
from ..errors import RMResearchError
from ..fileio import atomic_directory, atomic_write_text
from ..results import _project_relative
from .common import TRENDS_DIR, CohortOutcome, NotebookResult, ReleaseCheck, ReleaseRefused, ReportError
from .gate import _path_markers, _tidy_paths, audience_refusal, disclosure_rule_problems, leak_audit, release_check
from .notebooks import SINGLE_THREAD_ENV, _environment_set, _run_notebooks, applicable_notebooks, cohort_notebooks, notebooks_dir_for
from .private import _keep_private, _private_or_temporary, _retire_legacy_failed, _staging_dir
from .provenance import (_fingerprint, _git, _git_commit, _now, _package_source_hash, _sha256, _versions, derived_hashes,
                         input_hashes)
from .pdf import add_report_pdf, check_pdf_available
from .trend_report import build_trends
from .render import _render_report, _rendered_sections, _write_section_pages

def build_report(
    config: CohortConfig,
    *,
    notebooks_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    progress: bool = True,
    only: list[str] | None = None,
    timeout: int = 1200,
    force: bool = False,
    jobs: int = 1,
    release: bool = False,
    audience: str | None = None,
    pdf: bool | None = False,
) -> list[NotebookResult]:
    """Validate inputs, execute the cohort's notebooks, and write the report folder.

    Parameters
    ----------
    force : bool
        Run every notebook even when its fingerprint matches the previous run.
    jobs : int
        Notebooks run side by side in this many processes.
    release : bool
        A public release: disclosure settings below the HESA minimums are refused before
        anything runs, then the release gate (:func:`release_check`) checks the finished
        report; the result is written to ``release.json`` and shown on the pages. A refused
        release raises :class:`ReleaseRefused` with the reasons and is NOT installed: the
        previous report stays, the refused build is kept in ``.rmresearch/refused/<cohort>/``.
    audience : {"public", "internal"}, optional
        The audience the caller means (``--audience``); it must agree with the cohort file's
        ``options.disclosure.audience`` (the rules the notebooks apply). A release of an internal
        report is built only when asked for explicitly, ``release=True, audience="internal"``
        (:func:`~rmresearch.report.gate.audience_refusal`), and is labelled internal everywhere.
    pdf : bool or None
        Also write ``report.pdf``, printed by headless Chromium (:mod:`rmresearch.report.pdf`): True needs one
        (:class:`~rmresearch.report.pdf.PdfError` otherwise), None prints when one is found (``rmresearch report``'s
        default; run.json's ``pdf_note`` says why there is none), False never. The PDF is written after the pages
        are final and is audited with them; a refused release has none.

    Raises :class:`ReportError` naming the notebook and cell when a notebook fails.
    """
    from ..guard import check_output

    # before anything runs: the folder is replaced as a whole, so never an input, a key or a folder holding one
    out_dir = check_output(out_dir or config.outputs["reports"], owner="report", configs=[config], replace_folder=True,
                           cohort=config.cohort, notebooks_dir=notebooks_dir)
    audience_refusal(config, audience, release)  # before anything runs: the audience asked for is the cohort file's
    check_pdf_available(pdf)  # --pdf without a Chromium: said before anything runs
    if release:  # a public release under weak disclosure settings is refused before anything runs
        weak = disclosure_rule_problems(config.disclosure, config.path.name)
        if weak:
            raise ReleaseRefused(f"Report for cohort '{config.cohort}' cannot be released: " + "; ".join(weak) + ".")
    tables, problems = _validated_inputs(config)
    nb_dir = notebooks_dir_for(config, notebooks_dir)
    notebooks, skipped = _selected_notebooks(config, nb_dir, only)
    out_dir = Path(out_dir) if out_dir else config.outputs["reports"]
    # kernels run in the project folder, so the parameter is project-relative (no machine path in the notebooks)
    parameters = {"cohort_config": Path(os.path.relpath(config.path, config.root)).as_posix()}
    started = _now()
    common = {"config": _sha256(config.path), "inputs": input_hashes(config), "versions": _versions(),
              "code": _package_source_hash(), "derived": derived_hashes(config)}
    fingerprints = {p.stem: _fingerprint(p, common, parameters) for p in notebooks}

    markers = _path_markers(config.root, nb_dir)
    failed_dir = lambda: _private_or_temporary(config.root, "failed", config.cohort)  # noqa: E731
    _retire_legacy_failed(out_dir, failed_dir)
    with atomic_directory(out_dir, staging=_staging_dir(config.root, out_dir)) as staging:
        ran = _run_notebooks(notebooks, staging=staging, out_dir=out_dir, nb_dir=nb_dir, parameters=parameters,
                             fingerprints=fingerprints, force=force, timeout=timeout, jobs=jobs, progress=progress,
                             label=config.cohort, cwd=config.root, failed_dir=failed_dir)
        _tidy_paths(staging, markers, out_dir=out_dir, root=config.root)
        sections = _rendered_sections(staging, notebooks)
        results = [NotebookResult(p.stem, s.title, out_dir / p.name, out_dir / f"{p.stem}.html", *ran[p.stem],
                                  fingerprints[p.stem]) for p, s in zip(notebooks, sections)]
        record = _run_record(config, nb_dir, parameters, started, common, results, skipped)
        atomic_write_text(staging / "run.json", json.dumps(record, indent=2) + "\n")
        _write_section_pages(staging, sections, f"{config.title}: evaluation report", record)

        def write_pages(check: ReleaseCheck | None) -> None:
            report, index = _render_report(config, staging, sections, record, problems, tables, check)
            atomic_write_text(staging / "report.html", report)
            atomic_write_text(staging / "index.html", index)

        write_pages(None)
        if release:
            _release_or_refuse(config, staging, out_dir, write_pages, pdf)
        else:
            add_report_pdf(staging, pdf)  # printed from the final page, audited with the folder below
            # Every report is audited; a leaking one is never swapped into place (the previous report stays).
            leaks = leak_audit(config, [staging])
            if leaks:
                raise ReportError(
                    f"The report for cohort '{config.cohort}' was not written: " + "; ".join(leaks)
                    + ". Check the anonymised transcripts and the review file, then report again."
                )
    return results


def _validated_inputs(config: CohortConfig) -> tuple[dict, list]:
    """The cohort's tables and their (non-fatal) problems; errors in the inputs, or transcripts not yet
    anonymised, stop the report before anything runs."""
    from ..anonymise import check_anonymised
    from ..inputs import raise_if_errors, validate_cohort

    tables, problems = validate_cohort(config)
    raise_if_errors(problems)
    check_anonymised(config)  # reports read anonymised text only; never anonymise behind the researcher's back
    return tables, problems


def _selected_notebooks(config: CohortConfig, nb_dir: Path, only: list[str] | None) -> tuple[list[Path], list[dict]]:
    """The cohort notebooks to run (those ``only`` names, when given, that apply to the cohort) and those skipped."""
    notebooks = cohort_notebooks(nb_dir)
    if only:
        notebooks = [p for p in notebooks if any(p.stem == o or p.stem.startswith(o) for o in only)]
        if not notebooks:
            raise ReportError(f"No notebook matches {', '.join(only)} in {nb_dir}.")
    if not notebooks:
        raise ReportError(f"No cohort notebooks (00_ to 89_name.ipynb) in {nb_dir}.")
    notebooks, skipped = applicable_notebooks(notebooks, config)
    if not notebooks:
        raise ReportError(f"No notebook applies to cohort '{config.cohort}': " + "; ".join(s["reason"] for s in skipped))
    return notebooks, skipped


def _run_record(config: CohortConfig, nb_dir: Path, parameters: dict, started: str, common: dict,
                results: list[NotebookResult], skipped: list[dict]) -> dict:
    """``run.json``: parameters, times, versions, git state, input hashes and each notebook's fingerprint."""
    commit = _git_commit(nb_dir)
    return {
        "cohort": config.cohort,
        "audience": config.disclosure.audience,  # internal: exact small counts, not for publication
        "parameters": parameters | {"cohort_config_name": config.path.name,
                                    "config": config.as_parameters() | {"config": _project_relative(config.path, config.root)}},
        "started": started,
        "finished": _now(),
        "versions": common["versions"],
        "git_commit": commit,
        "git_dirty": bool(_git(nb_dir, "status", "--porcelain")) if commit else None,
        "inputs_sha256": common["inputs"],
        "code_sha256": common["code"],
        "notebooks": [{"name": r.name, "title": r.title, "seconds": round(r.seconds, 2), "cached": r.cached,
                       "fingerprint": r.fingerprint} for r in results],
        "skipped": skipped,
    }


def _release_or_refuse(config: CohortConfig, staging: Path, out_dir: Path, write_pages, pdf: bool | None = False) -> None:
    """The release gate over the built folder: ``release.json`` and the pages carry its result; a refused
    release is kept privately (never installed) and raises :class:`ReleaseRefused`. Only a releasable report
    gets its PDF, printed from the page carrying the release mark and audited with it."""
    check = release_check(config, staging)
    write_pages(check)
    if check.releasable:  # the pages now carry the release mark: audit them once more
        add_report_pdf(staging, pdf)
        printed = [staging / "report.pdf"] if (staging / "report.pdf").is_file() else []
        again = leak_audit(config, [staging / "report.html", staging / "index.html", *printed])
        if again:
            check = ReleaseCheck(False, tuple(again), check.checked)
            write_pages(check)
            for f in printed:
                f.unlink()  # a refused release has no PDF
    atomic_write_text(staging / "release.json",
                      json.dumps(check.as_dict() | {"audience": config.disclosure.audience}, indent=2) + "\n")
    if not check.releasable:  # refused: the previous report stays; the refused build is kept privately
        kept = _keep_private(staging, _private_or_temporary(config.root, "refused") / config.cohort)
        raise ReleaseRefused(
            f"Report for cohort '{config.cohort}' is NOT releasable, so it was not installed (the previous "
            f"report in {out_dir}, if any, is unchanged; the refused build is kept privately in {kept}):\n  - "
            + "\n  - ".join(check.reasons)
        )


def _build_one(cohort_path: str, options: dict) -> CohortOutcome:
    """Worker: build one cohort's report; every failure comes back as an outcome, never raised."""
    from ..config import load_cohort

    t0 = time.perf_counter()
    cohort = Path(cohort_path).stem
    try:
        config = load_cohort(cohort_path)
        cohort = config.cohort
        out_root = options.pop("out_root", None)
        out_dir = Path(out_root) / config.cohort if out_root else config.outputs["reports"]
        results = build_report(config, out_dir=out_dir, **options)
        return CohortOutcome(cohort, True, f"{len(results)} notebook(s), {sum(r.cached for r in results)} reused",
                             time.perf_counter() - t0, str(out_dir),
                             [{"name": r.name, "seconds": round(r.seconds, 2), "cached": r.cached} for r in results])
    except RMResearchError as exc:
        return CohortOutcome(cohort, False, str(exc), time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - one cohort's bug must not stop the others
        return CohortOutcome(cohort, False, f"{type(exc).__name__}: {exc}", time.perf_counter() - t0)


def build_reports(
    cohort_files: list[str | Path],
    *,
    jobs: int = 1,
    notebooks_dir: str | Path | None = None,
    out_root: str | Path | None = None,
    force: bool = False,
    release: bool = False,
    timeout: int = 1200,
    trends: bool = True,
    audience: str | None = None,
    on_done=None,
    pdf: bool | None = False,
) -> list[CohortOutcome]:
    """Build several cohorts' reports, ``jobs`` cohorts at a time in separate processes.

    A failure in one cohort is returned as an unsuccessful :class:`CohortOutcome`
    and does not stop the others. With ``trends``, the cross-cohort notebooks
    then run over every cohort's results files (see :func:`build_trends`).
    ``on_done(outcome)`` is called as each cohort finishes. ``pdf`` as for :func:`build_report`, for every
    report and the trends page.
    """
    check_pdf_available(pdf)
    options = {"notebooks_dir": str(Path(notebooks_dir).resolve()) if notebooks_dir else None, "force": force,
               "release": release, "audience": audience, "timeout": timeout, "progress": False, "pdf": pdf,
               "out_root": str(Path(out_root).resolve()) if out_root else None}
    outcomes: list[CohortOutcome] = []
    paths = [str(Path(p).resolve()) for p in cohort_files]
    from ..guard import check_report_folders

    check_report_folders(paths, out_root=out_root, notebooks_dir=notebooks_dir)  # before any cohort runs
    if jobs <= 1 or len(paths) == 1:
        for p in paths:
            outcome = _build_one(p, dict(options, jobs=max(1, jobs)))
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with _environment_set(SINGLE_THREAD_ENV), ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn")
        ) as pool:  # workers start on first submit and inherit the single-thread settings
            futures = {pool.submit(_build_one, p, dict(options)): p for p in paths}
            for future, p in futures.items():
                try:
                    outcome = future.result()
                except Exception as exc:  # noqa: BLE001 - a crashed worker process
                    outcome = CohortOutcome(Path(p).stem, False, f"the worker process failed: {exc}", 0.0)
                outcomes.append(outcome)
                if on_done:
                    on_done(outcome)
    if trends:
        try:
            from ..config import load_cohort

            configs = []
            for p in paths:
                try:
                    configs.append(load_cohort(p, check_files=False))
                except RMResearchError:
                    continue
            if configs:
                t0 = time.perf_counter()
                out = build_trends(configs, notebooks_dir=notebooks_dir, out_root=out_root, force=force, timeout=timeout,
                                   release=release, pdf=pdf)
                if out is not None:
                    outcome = CohortOutcome(TRENDS_DIR, True, "cross-cohort trends", time.perf_counter() - t0, str(out))
                    outcomes.append(outcome)
                    if on_done:
                        on_done(outcome)
        except RMResearchError as exc:
            outcome = CohortOutcome(TRENDS_DIR, False, str(exc), 0.0)
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    return outcomes

