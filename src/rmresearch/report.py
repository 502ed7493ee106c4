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
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import json
import os
import platform
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from .config import CohortConfig
from .errors import RMResearchError
from .fileio import atomic_directory, atomic_write_text
from .results import _project_relative

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

VERSIONED_PACKAGES = ("rmresearch", "pandas", "numpy", "statsmodels", "scipy", "matplotlib", "nltk", "papermill", "nbconvert")
TREND_PREFIX = "9"  # notebooks 90_..99_ compare cohorts
TRENDS_DIR = "trends"
TITLE_KEYS = ("participants", "pairs", "meetings_held")
RESULTS_SOURCES_ENV = "RMRESEARCH_TRENDS_SOURCES"


class ReportError(RMResearchError):
    """A notebook failed, or the report could not be built."""


class ReleaseRefused(RMResearchError):
    """The release gate refused the report; the message says why."""


@dataclass(frozen=True)
class NotebookResult:
    name: str
    title: str
    ipynb: Path
    html: Path
    seconds: float
    cached: bool = False
    fingerprint: str = ""


@dataclass(frozen=True)
class ReleaseCheck:
    releasable: bool
    reasons: tuple[str, ...]
    checked: str

    def as_dict(self) -> dict[str, Any]:
        return {"releasable": self.releasable, "reasons": list(self.reasons), "checked": self.checked}


@dataclass
class CohortOutcome:
    cohort: str
    ok: bool
    message: str
    seconds: float
    out_dir: str | None = None
    notebooks: list[dict] = field(default_factory=list)


# --------------------------------------------------------------------------- notebooks


def notebooks_dir_for(config: CohortConfig, notebooks_dir: str | Path | None = None) -> Path:
    """The notebooks folder: as given, else ``./notebooks``, else ``<root>/notebooks``."""
    candidates = [Path(notebooks_dir)] if notebooks_dir else [Path.cwd() / "notebooks", config.root / "notebooks"]
    for c in candidates:
        if c.is_dir() and find_notebooks(c):
            return c.resolve()
    raise ReportError(
        f"No report notebooks (NN_name.ipynb) found in {', '.join(str(c) for c in candidates)}. "
        "Run the command from the project folder or pass --notebooks DIR."
    )


def find_notebooks(folder: str | Path) -> list[Path]:
    """Numbered notebooks (``00_overview.ipynb``...) in report order."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb") if p.is_file())


def cohort_notebooks(folder: str | Path) -> list[Path]:
    """Notebooks run for each cohort (00 to 89)."""
    return [p for p in find_notebooks(folder) if not p.name.startswith(TREND_PREFIX)]


def trend_notebooks(folder: str | Path) -> list[Path]:
    """Cross-cohort notebooks (90 to 99), run after all cohorts."""
    return [p for p in find_notebooks(folder) if p.name.startswith(TREND_PREFIX)]


def applicable_notebooks(notebooks: list[Path], config: CohortConfig) -> tuple[list[Path], list[dict]]:
    """Notebooks whose required inputs the cohort has, and the ones skipped with the reason.

    A notebook names what it needs in its metadata: ``{"rmresearch": {"requires": ["interviews"]}}``.
    A cohort without interviews (or staff records...) still gets a report of what it has.
    """
    keep, skipped = [], []
    for path in notebooks:
        try:
            meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        except (OSError, ValueError) as exc:
            raise ReportError(f"{path}: not a readable notebook ({exc}).") from None
        missing = [r for r in meta.get("rmresearch", {}).get("requires", []) if config.inputs.get(r) is None]
        if missing:
            skipped.append({"name": path.stem, "reason": f"{path.stem} skipped: the cohort file configures no "
                                                         f"{', '.join('inputs.' + m for m in missing)}"})
        else:
            keep.append(path)
    return keep, skipped


def notebook_title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


# --------------------------------------------------------------------------- rendering


_TABLE = re.compile(r"<table\b", re.IGNORECASE)
_MD_TABLE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$", re.MULTILINE)
_HEADING = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)


@dataclass
class RenderedNotebook:
    id: str
    name: str
    title: str
    body: str
    tables: int = 0
    figures: int = 0
    figures_without_alt: int = 0
    warnings: list[str] = field(default_factory=list)


def _markdown(text: str) -> str:
    from nbconvert.filters import markdown2html

    return markdown2html(text)


def _shift_headings(body: str, by: int) -> str:
    if not by:
        return body
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + by)}", body)


def _output_meta(output) -> dict:
    meta = output.get("metadata") or {}
    value = meta.get("rmresearch") if isinstance(meta, dict) else None
    return value if isinstance(value, dict) else {}


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def render_notebook(nb, *, name: str, heading_shift: int = 1) -> RenderedNotebook:
    """An executed notebook as an HTML fragment: prose, tables, figures; no code, no scripts.

    The first ``# Title`` heading is dropped (the caller prints it) and the other
    headings are moved down ``heading_shift`` levels. Figures become
    ``<figure><img alt><figcaption>``: alt text and caption come from
    :func:`rmresearch.plots.finish`; a figure shown without it gets a generic alt
    text and is counted in ``figures_without_alt``. Standard-error output
    (warnings) is collected in ``warnings`` instead of being shown.
    """
    title = notebook_title(nb) or name
    section = RenderedNotebook(id=f"s-{name}", name=name, title=title, body="")
    parts: list[str] = []
    dropped_title = False
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "markdown":
            source = cell.source
            if not dropped_title:
                lines = source.splitlines()
                for i, line in enumerate(lines):
                    if line.startswith("# "):
                        source = "\n".join(lines[:i] + lines[i + 1:])
                        dropped_title = True
                        break
            if source.strip():
                parts.append(_shift_headings(_markdown(source), heading_shift))
            continue
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []) \
                or "injected-parameters" in cell.metadata.get("tags", []):
            continue
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "stream":
                text = _text(output.get("text", "")).strip()
                if not text:
                    continue
                if output.get("name") == "stderr":
                    section.warnings.append(f"cell {index}: {text[:400]}")
                else:
                    parts.append(f"<pre>{html.escape(text)}</pre>")
                continue
            if kind == "error":
                section.warnings.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
                continue
            data = output.get("data") or {}
            meta = _output_meta(output)
            if "image/png" in data:
                section.figures += 1
                alt = meta.get("alt")
                if not alt:
                    section.figures_without_alt += 1
                    alt = f"Figure in the section \u201c{title}\u201d (no description was given)."
                png = _text(data["image/png"]).replace("\n", "")
                caption = meta.get("caption")
                parts.append(
                    f'<figure><img src="data:image/png;base64,{png}" alt="{html.escape(alt, quote=True)}">'
                    + (f"<figcaption>{html.escape(caption)}</figcaption>" if caption else "")
                    + "</figure>"
                )
            elif "text/html" in data:
                body = _text(data["text/html"])
                if _TABLE.search(body):
                    section.tables += 1
                    body = f'<div class="table-wrap">{body}</div>'
                body = re.sub(r"<script\b.*?</script\s*>", "", body, flags=re.IGNORECASE | re.DOTALL)
                parts.append(body)
            elif "text/markdown" in data:
                parts.append(_shift_headings(_markdown(_text(data["text/markdown"])), heading_shift))
            elif "text/plain" in data:
                parts.append(f"<pre>{html.escape(_text(data['text/plain']))}</pre>")
    section.body = "\n".join(parts)
    return section


def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).with_name("templates"))),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _css() -> str:
    return Path(__file__).with_name("templates").joinpath("report.css").read_text(encoding="utf-8")


def export_html(nb, *, title: str | None = None, name: str = "notebook", heading: str = "Report",
                record: dict | None = None) -> str:
    """A notebook as a self-contained page without code (no external assets, no scripts)."""
    section = render_notebook(nb, name=name, heading_shift=0)
    if title:
        section.title = title
    record = record or {"finished": _now()}
    return _environment().get_template("notebook.html.j2").render(
        css=_css(), section=section, title=section.title, heading=heading, record=record, versions=_versions()
    )


# --------------------------------------------------------------------------- records


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _git_commit(folder: Path) -> str | None:
    return _git(folder, "rev-parse", "HEAD") or None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def derived_hashes(config: CohortConfig) -> dict[str, str]:
    """SHA-256 of what notebooks read besides the inputs: the anonymised transcripts and the default codings file.

    Part of every notebook's rerun fingerprint, so a transcript that ``anonymise run`` rewrote (a review decision,
    a withdrawal) is never reported from an older copy.
    """
    from .coding.cohort import cohort_codings_path

    hashes: dict[str, str] = {}
    folder = Path(config.outputs["anonymised"])
    if folder.is_dir():
        for f in sorted(q for q in folder.rglob("*") if q.is_file()):
            hashes[f"anonymised/{f.relative_to(folder)}"] = _sha256(f)
    codings = cohort_codings_path(config)
    if codings is not None and codings.is_file():
        hashes["codings"] = _sha256(codings)
    return hashes


def input_hashes(config: CohortConfig) -> dict[str, str]:
    """SHA-256 of every input file (folders: of each file in them)."""
    hashes: dict[str, str] = {}
    for name, value in config.inputs.items():
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for sub, p in items:
            p = Path(p)
            key = f"{name}.{sub}" if sub else name
            if p.is_dir():
                for f in sorted(q for q in p.rglob("*") if q.is_file()):
                    hashes[f"{key}/{f.relative_to(p)}"] = _sha256(f)
            elif p.is_file():
                hashes[key] = _sha256(p)
    return hashes


def _package_source_hash() -> str:
    """Hash of the installed rmresearch code and templates: a code change reruns the notebooks."""
    root = Path(__file__).parent
    h = hashlib.sha256()
    for f in sorted(root.rglob("*")):
        if f.is_file() and f.suffix in (".py", ".j2", ".css", ".yml", ".csv") and "__pycache__" not in f.parts:
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _fingerprint(nb_path: Path, *parts: Any) -> str:
    h = hashlib.sha256()
    h.update(nb_path.read_bytes())
    for part in parts:
        h.update(json.dumps(part, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _previous_run(out_dir: Path) -> dict[str, dict]:
    try:
        record = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
        return {n["name"]: n for n in record.get("notebooks", []) if n.get("fingerprint")}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


# --------------------------------------------------------------------------- execution


#: Kernels running side by side on a small machine each get one maths thread:
#: two kernels whose BLAS each wants every core only slow each other down.
SINGLE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@contextlib.contextmanager
def _environment_set(values: dict[str, str]):
    """Set environment variables for the duration of a block (children started inside inherit them)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _execute(nb_path: str, executed_path: str, results_path: str, parameters: dict, cwd: str, timeout: int,
             extra_env: dict | None = None) -> float:
    """Run one notebook with papermill (in this process); the results file path goes in by environment."""
    import papermill as pm

    from .results import RESULTS_ENV

    env = {RESULTS_ENV: results_path, **(extra_env or {})}
    t0 = time.perf_counter()
    with _environment_set(env):
        pm.execute_notebook(
            nb_path,
            executed_path,
            parameters=parameters,
            cwd=cwd,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            # the kernel logs an unencrypted-TCP warning at start and a KeyboardInterrupt at shutdown;
            # notebook errors still reach us through the messaging protocol
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    return time.perf_counter() - t0


def _execute_safely(*args) -> tuple[float | None, dict | None]:
    """:func:`_execute` for a worker process: papermill errors come back as data (they do not pickle well)."""
    import papermill as pm

    try:
        return _execute(*args), None
    except pm.PapermillExecutionError as exc:
        return None, {"cell_index": exc.cell_index, "source": exc.source, "ename": exc.ename, "evalue": exc.evalue}


PRIVATE_DIR = ".rmresearch"  # beside cohorts/: the project's private working folder (git-ignored, owner only)


def private_dir(root: str | Path, *parts: str) -> Path:
    """``<root>/.rmresearch/<parts>``, created owner-only (0700), with a ``.gitignore`` that ignores it all.

    Failed notebooks and refused builds hold personal data and the machine's paths: they are kept
    here, never in ``reports/`` (which is shared).
    """
    base = Path(root) / PRIVATE_DIR
    levels = [base] + [base.joinpath(*parts[: i + 1]) for i in range(len(parts))]
    try:
        for level in levels:
            if level.is_symlink():  # a link could point into a shared folder (reports/, a synced drive)
                raise ReportError(f"{level} is a symbolic link; rmresearch keeps private files there (failed "
                                  "notebooks, refused builds, report staging), so it must be a real folder: remove the link.")
            level.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(level, 0o700)
        if not (base / ".gitignore").exists():
            atomic_write_text(base / ".gitignore", "# rmresearch's private working files: never commit or share\n*\n")
    except OSError as exc:
        raise ReportError(f"Cannot create the private folder {base} ({exc.strerror or exc}); make the project "
                          "folder writable.") from None
    return levels[-1]


def _private_or_temporary(root: Path, *parts: str) -> Path:
    """:func:`private_dir`, or a fresh owner-only temporary folder when the project folder cannot hold it."""
    import tempfile

    try:
        return private_dir(root, *parts)
    except ReportError:
        return Path(tempfile.mkdtemp(prefix=f"rmresearch-{'-'.join(parts)}-"))


def _retire_legacy_failed(out_dir: Path, failed) -> None:
    """Earlier versions kept failed notebooks in ``reports/.<c>-failed/`` (shared, 0755): move them to ``failed``."""
    legacy = out_dir.parent / f".{out_dir.name}-failed"
    if legacy.is_dir() and not legacy.is_symlink():
        target = failed()
        for f in legacy.iterdir():
            if f.is_file():
                _keep_private(f, target / f.name)
        shutil.rmtree(legacy, ignore_errors=True)


def _keep_private(source: Path, target: Path) -> Path:
    """Move (or copy, for a folder still in use) ``source`` to ``target`` with owner-only modes."""
    if target.exists():
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    if source.is_dir():
        shutil.copytree(source, target)
        os.chmod(target, 0o700)
        for f in target.rglob("*"):
            os.chmod(f, 0o700 if f.is_dir() else 0o600)
    else:
        shutil.move(str(source), str(target))
        os.chmod(target, 0o600)
    return target


def _failure(nb_path: Path, executed_path: Path, failed_dir: Path, error: dict) -> ReportError:
    if executed_path.exists():
        _keep_private(executed_path, failed_dir / nb_path.name)
    first_line = (error.get("source") or "").strip().splitlines()[:1]
    return ReportError(
        f"Notebook {nb_path.name} failed in cell {_source_cell_number(failed_dir / nb_path.name, error['cell_index'])}"
        f"{': ' + first_line[0] if first_line else ''}\n  {error['ename']}: {error['evalue']}\n"
        f"The partly executed notebook (it may hold personal data: it is kept private, never share it) is in "
        f"{failed_dir / nb_path.name}; the previous report, if any, is unchanged."
    )


def _source_cell_number(executed: Path, cell_index: int) -> int:
    """1-based position of a failed cell in the source notebook (papermill adds a parameters cell)."""
    import nbformat

    try:
        nb = nbformat.read(executed, as_version=4)
    except Exception:  # the partly executed notebook may be unreadable; report papermill's index
        return cell_index + 1
    injected_before = any(
        "injected-parameters" in c.metadata.get("tags", []) for c in nb.cells[:cell_index]
    )
    return cell_index + 1 - int(injected_before)


def _run_notebooks(notebooks: list[Path], *, staging: Path, out_dir: Path, nb_dir: Path, parameters: dict,
                   fingerprints: dict[str, str], force: bool, timeout: int, jobs: int, progress: bool,
                   label: str, failed_dir, extra_env: dict | None = None,
                   cwd: Path | None = None) -> dict[str, tuple[float, bool]]:
    """Execute (or reuse) each notebook into ``staging``; returns {stem: (seconds, cached)}.

    Kernels run in ``cwd`` (the project folder: parameters are project-relative paths). A failed
    notebook is kept in ``failed_dir()`` (private, outside ``reports/``).
    """
    previous = {} if force else _previous_run(out_dir)
    done: dict[str, tuple[float, bool]] = {}
    to_run: list[Path] = []
    for nb_path in notebooks:
        stem = nb_path.stem
        old = previous.get(stem)
        if old and old.get("fingerprint") == fingerprints[stem] and (out_dir / nb_path.name).is_file():
            shutil.copy2(out_dir / nb_path.name, staging / nb_path.name)
            results = out_dir / f"{stem}.results.json"
            if results.is_file():
                shutil.copy2(results, staging / results.name)
            done[stem] = (float(old.get("seconds", 0.0)), True)
        else:
            to_run.append(nb_path)

    if jobs > 1 and len(to_run) > 1:
        extra_env = {**SINGLE_THREAD_ENV, **(extra_env or {})}

    def args(nb_path: Path):
        return (str(nb_path), str(staging / nb_path.name), str(staging / f"{nb_path.stem}.results.json"),
                parameters, str(cwd or nb_dir), timeout, extra_env)

    def failure(nb_path: Path, error: dict) -> ReportError:
        return _failure(nb_path, staging / nb_path.name, failed_dir(), error)

    if jobs > 1 and len(to_run) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # longest first keeps both workers busy; the order of the report is restored below
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {p: pool.submit(_execute_safely, *args(p)) for p in to_run}
            for nb_path, future in futures.items():
                seconds, error = future.result()
                if error:
                    for other in futures.values():
                        other.cancel()
                    raise failure(nb_path, error)
                done[nb_path.stem] = (seconds, False)
    else:
        from tqdm.auto import tqdm

        bar = tqdm(to_run, desc=f"report {label}", unit="notebook", disable=not progress)
        for nb_path in bar:
            bar.set_postfix_str(nb_path.stem)
            seconds, error = _execute_safely(*args(nb_path))
            if error:
                raise failure(nb_path, error)
            done[nb_path.stem] = (seconds, False)
    return done


# --------------------------------------------------------------------------- the cohort report


def _read_results_files(folder: Path) -> dict[str, dict]:
    from .results import RESULTS_SUFFIX, read_results

    out = {}
    for f in sorted(folder.glob(f"*{RESULTS_SUFFIX}")):
        out[f.name.removesuffix(RESULTS_SUFFIX)] = read_results(f)
    return out


def _summary(sections: list[RenderedNotebook], results: dict[str, dict]) -> list[dict]:
    from .results import sentence

    groups = []
    for s in sections:
        recorded = results.get(s.name, {}).get("results", [])
        chosen = [r for r in recorded if r.get("headline")] or recorded[:3]
        if chosen:
            groups.append({"title": s.title, "sentences": [sentence(r) for r in chosen]})
    return groups


def _rules_text(rules) -> str:
    if rules.style == "ofs":
        return (f"Small numbers are controlled in the Office for Students style: counts are rounded to the nearest "
                f"{rules.round_to}; rates are suppressed and shown with a code ([none], [low], [DPL], [DPH]) when "
                f"they rest on fewer than {rules.ofs_min_denominator} people or on numerators within "
                f"{rules.ofs_max_numerator_suppressed} of zero or of the denominator.")
    return (f"Small numbers are controlled in the HESA style: counts of people are rounded to the nearest "
            f"{rules.round_to}, percentages based on fewer than {rules.min_percentage_denominator:g} people and "
            f"averages based on {rules.max_mean_suppressed_n} or fewer are suppressed (shown as "
            f"\u201c{rules.suppressed_marker}\u201d), and totals are rounded on their own, so rows need not add up.")


def _validation_rows(problems) -> list[dict]:
    groups: dict[tuple, list] = {}
    for p in problems:
        if getattr(p, "severity", "error") == "error":
            continue
        key = (Path(str(getattr(p, "file", "") or "")).name, str(getattr(p, "column", "") or ""))
        groups.setdefault(key, []).append(p)
    rows = []
    for (file, column), items in sorted(groups.items()):
        rows.append({"file": file or "(configuration)", "column": column or "(whole table)", "count": len(items),
                     "message": str(getattr(items[0], "message", items[0]))[:300]})
    return rows


def _input_rows(config: CohortConfig, tables: dict, hashes: dict[str, str]) -> list[dict]:
    from .disclosure import hesa_round

    rows = []
    for key, sha in hashes.items():
        name = key.split("/")[0]
        path = key.split("/", 1)[1] if "/" in key else None
        try:
            value = config.inputs[name.split(".")[0]]
            if isinstance(value, dict):
                value = value[name.split(".", 1)[1]]
            file = Path(value) / path if path else Path(value)
            shown = _project_relative(file, config.root)  # outside the project: its name only (a relative
            # path up and out would spell the machine's folders, e.g. ../../home/<user>/...)
        except (KeyError, IndexError, ValueError):
            shown = key
        frame = tables.get(name)
        rows.append({"name": key, "file": shown, "sha": sha[:12],
                     "rows": f"{hesa_round(len(frame), base=config.disclosure.round_to):,}" if frame is not None else ""})
    return rows


def _render_report(config: CohortConfig, folder: Path, sections: list[RenderedNotebook], record: dict,
                   problems, tables: dict, release: ReleaseCheck | None) -> tuple[str, str]:
    """report.html and index.html for a cohort folder."""
    results = _read_results_files(folder)
    summary = _summary(sections, results)
    env = _environment()
    numbers = []
    for r in results.get(sections[0].name, {}).get("results", []) if sections else []:
        if r["key"] in TITLE_KEYS and not r.get("suppressed"):
            numbers.append(r)
    disclosure = []
    notes = []
    for s in sections:
        log = results.get(s.name, {}).get("disclosure_log", [])
        disclosure.append({"title": s.title, "disclosed": len(log), "shown": s.tables,
                           "suppressed": sum(int(e.get("suppressed_cells", 0)) for e in log),
                           "figures": s.figures if not s.figures_without_alt
                           else f"{s.figures} ({s.figures_without_alt} without a description)"})
        if s.name not in results:
            notes.append({"title": s.title, "text": "recorded no key results and no disclosure log "
                                                    "(see the instructions in rmresearch.results)."})
        for w in s.warnings[:10]:
            notes.append({"title": s.title, "text": w})
        if len(s.warnings) > 10:
            notes.append({"title": s.title, "text": f"... and {len(s.warnings) - 10} more warnings"})
    period = f"{config.start_date:%d %B %Y} to {config.end_date:%d %B %Y}"
    common = dict(css=_css(), versions=record["versions"], release=release, rules_text=_rules_text(config.disclosure))
    report = env.get_template("report.html.j2").render(
        config=config, record=record, sections=sections, summary=summary, numbers=numbers, period=period,
        inputs=_input_rows(config, tables, record["inputs_sha256"]), validation=_validation_rows(problems),
        disclosure=disclosure, notes=notes, rules=config.disclosure, **common,
    )
    index = env.get_template("index.html.j2").render(
        title=config.title, subtitle=f"Evaluation report, {config.institution}",
        facts=[("Cohort", config.cohort), ("Programme", f"{config.programme_type.capitalize()} mentoring, {period}, "
                                                        f"{config.planned_meetings} planned meetings per pair"),
               ("Report built", record["finished"])],
        summary=summary, sections=[{"page": f"{s.name}.html", "title": s.title, "name": s.name} for s in sections],
        commit=record.get("git_commit"), **common,
    )
    return report, index


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

    Raises :class:`ReportError` naming the notebook and cell when a notebook fails.
    """
    import nbformat

    from .guard import check_output

    # before anything runs: the folder is replaced as a whole, so never an input, a key or a folder holding one
    out_dir = check_output(out_dir or config.outputs["reports"], owner="report", configs=[config], replace_folder=True,
                           cohort=config.cohort, notebooks_dir=notebooks_dir)
    from .inputs import raise_if_errors, validate_cohort

    if release:  # a public release under weak disclosure settings is refused before anything runs
        weak = disclosure_rule_problems(config.disclosure, config.path.name)
        if weak:
            raise ReleaseRefused(f"Report for cohort '{config.cohort}' cannot be released: " + "; ".join(weak) + ".")
    tables, problems = validate_cohort(config)
    raise_if_errors(problems)
    from .anonymise import check_anonymised

    check_anonymised(config)  # reports read anonymised text only; never anonymise behind the researcher's back

    nb_dir = notebooks_dir_for(config, notebooks_dir)
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
    out_dir = Path(out_dir) if out_dir else config.outputs["reports"]
    # kernels run in the project folder, so the parameter is project-relative (no machine path in the notebooks)
    parameters = {"cohort_config": Path(os.path.relpath(config.path, config.root)).as_posix()}
    started = _now()
    hashes = input_hashes(config)
    versions = _versions()
    common = {"config": _sha256(config.path), "inputs": hashes, "versions": versions, "code": _package_source_hash(),
              "derived": derived_hashes(config)}
    fingerprints = {p.stem: _fingerprint(p, common, parameters) for p in notebooks}

    markers = _path_markers(config.root, nb_dir)
    _retire_legacy_failed(out_dir, lambda: _private_or_temporary(config.root, "failed", config.cohort))
    with atomic_directory(out_dir, staging=_staging_dir(config.root, out_dir)) as staging:
        ran = _run_notebooks(notebooks, staging=staging, out_dir=out_dir, nb_dir=nb_dir, parameters=parameters,
                             fingerprints=fingerprints, force=force, timeout=timeout, jobs=jobs, progress=progress,
                             label=config.cohort, cwd=config.root,
                             failed_dir=lambda: _private_or_temporary(config.root, "failed", config.cohort))
        _tidy_paths(staging, markers, out_dir=out_dir, root=config.root)
        sections: list[RenderedNotebook] = []
        results: list[NotebookResult] = []
        for nb_path in notebooks:
            nb = nbformat.read(staging / nb_path.name, as_version=4)
            sections.append(render_notebook(nb, name=nb_path.stem))
            seconds, cached = ran[nb_path.stem]
            results.append(NotebookResult(nb_path.stem, sections[-1].title, out_dir / nb_path.name,
                                          out_dir / f"{nb_path.stem}.html", seconds, cached, fingerprints[nb_path.stem]))
        commit = _git_commit(nb_dir)
        record = {
            "cohort": config.cohort,
            "parameters": parameters | {"cohort_config_name": config.path.name,
                                        "config": config.as_parameters() | {"config": _project_relative(config.path, config.root)}},
            "started": started,
            "finished": _now(),
            "versions": versions,
            "git_commit": commit,
            "git_dirty": bool(_git(nb_dir, "status", "--porcelain")) if commit else None,
            "inputs_sha256": hashes,
            "code_sha256": common["code"],
            "notebooks": [{"name": r.name, "title": r.title, "seconds": round(r.seconds, 2), "cached": r.cached,
                           "fingerprint": r.fingerprint} for r in results],
            "skipped": skipped,
        }
        atomic_write_text(staging / "run.json", json.dumps(record, indent=2) + "\n")
        heading = f"{config.title}: evaluation report"
        for s in sections:
            page = _environment().get_template("notebook.html.j2").render(
                css=_css(), section=_page_section(s), title=s.title, heading=heading, record=record, versions=versions)
            atomic_write_text(staging / f"{s.name}.html", page)

        def write_pages(check: ReleaseCheck | None) -> None:
            report, index = _render_report(config, staging, sections, record, problems, tables, check)
            atomic_write_text(staging / "report.html", report)
            atomic_write_text(staging / "index.html", index)

        write_pages(None)
        check = None
        if not release:
            # Every report is audited; a leaking one is never swapped into place (the previous report stays).
            leaks = leak_audit(config, [staging])
            if leaks:
                raise ReportError(
                    f"The report for cohort '{config.cohort}' was not written: " + "; ".join(leaks)
                    + ". Check the anonymised transcripts and the review file, then report again."
                )
        if release:
            check = release_check(config, staging)
            write_pages(check)
            if check.releasable:  # the pages now carry the release mark: audit them once more
                again = leak_audit(config, [staging / "report.html", staging / "index.html"])
                if again:
                    check = ReleaseCheck(False, tuple(again), check.checked)
                    write_pages(check)
            atomic_write_text(staging / "release.json", json.dumps(check.as_dict(), indent=2) + "\n")
            if not check.releasable:  # refused: the previous report stays; the refused build is kept privately
                kept = _keep_private(staging, _private_or_temporary(config.root, "refused") / config.cohort)
                raise ReleaseRefused(
                    f"Report for cohort '{config.cohort}' is NOT releasable, so it was not installed (the previous "
                    f"report in {out_dir}, if any, is unchanged; the refused build is kept privately in {kept}):\n  - "
                    + "\n  - ".join(check.reasons)
                )
    return results


def _staging_dir(root: Path, out_dir: Path) -> Path | None:
    """Where a report is built before it is swapped in: the private ``.rmresearch/staging/`` of the project
    when it is on the same file system as ``out_dir`` (the swap is a rename), else beside ``out_dir``."""
    try:
        staging = private_dir(root, "staging")
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        if os.stat(staging).st_dev == os.stat(out_dir.parent).st_dev:
            return staging
    except (OSError, ReportError):
        pass
    return None


def _page_section(s: RenderedNotebook) -> RenderedNotebook:
    """The section for a page of its own: headings one level up again (the title is the page's h1)."""
    return RenderedNotebook(id=s.id, name=s.name, title=s.title, body=_HEADING.sub(
        lambda m: f"<{m.group(1)}h{max(2, int(m.group(2)) - 1)}", s.body))


# --------------------------------------------------------------------------- release gate


def disclosure_problems(folder: str | Path) -> list[str]:
    """Tables in the executed notebooks of ``folder`` that did not go through disclosure control.

    A table is an output with ``text/html`` holding ``<table`` (or Markdown
    holding a pipe table) without the metadata that
    :func:`rmresearch.display.show_table` attaches, or one disclosed under rules
    below the HESA minimums (a notebook passing rules of its own to ``disclose``).
    """
    import nbformat

    problems = []
    for path in sorted(Path(folder).glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        source_index = 0
        for cell in nb.cells:
            if "injected-parameters" in cell.metadata.get("tags", []):
                continue
            source_index += 1
            if cell.cell_type != "code":
                continue
            for output in cell.get("outputs", []):
                data = output.get("data") or {}
                is_table = _TABLE.search(_text(data.get("text/html", ""))) or _MD_TABLE.search(_text(data.get("text/markdown", "")))
                if is_table and not _output_meta(output).get("disclosed"):
                    problems.append(
                        f"{path.name}, cell {source_index}: a table is shown without disclosure control; show it with "
                        "rmresearch.display.show_table(disclose(...))"
                    )
                weak = _output_meta(output).get("below_hesa_minimums") if is_table else None
                if weak:  # disclosed, but under rules of the notebook's own that a public release may not use
                    problems.append(
                        f"{path.name}, cell {source_index}: a table is disclosed under rules below the HESA minimums "
                        f"({'; '.join(map(str, weak))}); disclose it with the cohort's rules (rules=cfg.disclosure)")
    return problems


def leak_audit(config: CohortConfig | list[CohortConfig], paths: list[Path]) -> list[str]:
    """Run the anonymisation leak audit over ``paths`` for one cohort or several; problems as sentences
    (empty: passed). See :func:`rmresearch.anonymise.audit.audit_shareable` for what is read.

    Fails closed: if the audit cannot run, that is a problem too.
    """
    try:
        from .anonymise.audit import audit_shareable
    except ImportError as exc:
        return [f"leak audit unavailable ({exc}); the report cannot be checked for identifiers."]
    roots = [Path(p) for p in paths]
    try:
        findings = audit_shareable(config, roots)
    except Exception as exc:  # noqa: BLE001 - any failure of the audit means it did not pass
        return [f"leak audit unavailable: it failed with {type(exc).__name__}: {exc}"]
    if not findings:
        return []

    def shown(f) -> str:
        path = Path(f.file)
        for root in roots:
            if root.is_dir() and root in path.parents:
                path = path.relative_to(root)
                break
        else:
            path = Path(path.name)
        where = f" [{f.where}]" if f.where else ""
        return f"{path}{where}:{f.line}" if f.line else f"{path}{where}"

    lines = [f"{shown(f)}: {f.label} {f.masked} ({f.source})" for f in findings[:20]]
    if len(findings) > 20:
        lines.append(f"... and {len(findings) - 20} more")
    return [f"leak audit found {len(findings)} possible identifier(s) in {len({f.file for f in findings})} file(s): "
            + "; ".join(lines)]


def disclosure_rule_problems(rules, source: str = "the cohort file") -> list[str]:
    """Why ``rules`` are too weak for a public release (empty: they meet the HESA and OfS minimums).

    The one check, :func:`rmresearch.disclosure.rules_below_minimums`, with what to do. A plain build
    (an internal audience, e.g. a steering group) may use other rules; a release may not.

    Examples
    --------
    >>> from rmresearch.config import DisclosureRules
    >>> disclosure_rule_problems(DisclosureRules())
    []
    >>> disclosure_rule_problems(DisclosureRules(round_to=1), "demo.yml")[0][:70]
    'demo.yml: options.disclosure round_to is 1: counts must be rounded to '
    """
    from .disclosure import rules_below_minimums

    return [f"{source}: options.disclosure {reason}; a public release needs at least the HESA minimums (a plain "
            "build without --release, for an internal audience, may use other settings)"
            for reason in rules_below_minimums(rules)]


_PATH_TAIL = r"(?![\w\-]|\.[\w\-])(/)?"  # the whole folder name: not /tmp/proj2 or /tmp/proj.bak for /tmp/proj


def _path_markers(root: Path, *folders: Path) -> list[tuple[str, str, str]]:
    """(absolute prefix, replacement, what it is) for this machine's folders, longest first.

    The project folder becomes relative (``cohorts/demo.yml``), a notebooks folder its name, the
    Python installation ``<python>``, the home folder (it holds the user name) ``~``.
    """
    import sys

    markers: dict[str, tuple[str, str]] = {}

    def add(path, replacement: str, what: str) -> None:
        for p in {str(path), str(Path(path).resolve())}:
            if len(p.rstrip("/")) > 1:
                markers.setdefault(p.rstrip("/"), (replacement, what))
                markers.setdefault(html.escape(p.rstrip("/"), quote=True), (replacement, what))  # as a page shows it

    add(root, "", "the project folder")
    for folder in folders:
        add(folder, folder.name, f"the {folder.name} folder")
    add(Path(__file__).resolve().parents[1], "", "the rmresearch installation")
    add(sys.prefix, "<python>", "the Python installation")
    add(sys.base_prefix, "<python>", "the Python installation")
    add(Path.home(), "~", "the home folder (it holds the user name)")
    return [(p, r, w) for p, (r, w) in sorted(markers.items(), key=lambda kv: -len(kv[0]))]


def _marker_pattern(prefix: str):
    return re.compile(r"(?<![\w\-])" + re.escape(prefix) + _PATH_TAIL)


def _relativise(text: str, markers) -> str:
    """``text`` with every absolute path below a marker made relative (see :func:`_path_markers`)."""
    for prefix, replacement, _what in markers:
        if prefix in text:
            text = _marker_pattern(prefix).sub(
                lambda m, r=replacement: (r + "/" if r else "") if m.group(1) else (r or "."), text)
    return text


SHAREABLE_TEXT = (".html", ".json", ".ipynb", ".csv", ".txt", ".md")


def _tidy_paths(folder: Path, markers, *, out_dir: Path, root: Path) -> None:
    """Make a built report's files hold only project-relative paths (papermill records absolute ones)."""
    from .results import _project_relative

    for f in sorted(folder.iterdir()):
        if not f.is_file() or f.suffix not in SHAREABLE_TEXT:
            continue
        text = f.read_text(encoding="utf-8")
        if f.suffix == ".ipynb":
            data = json.loads(text)
            pm = data.get("metadata", {}).get("papermill")
            if isinstance(pm, dict):
                pm["output_path"] = _project_relative(out_dir / f.name, root)
                pm.pop("environment_variables", None)
            text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        tidy = _relativise(text, markers)
        if tidy != text or f.suffix == ".ipynb":
            atomic_write_text(f, tidy)


def path_problems(folder: str | Path, markers) -> list[str]:
    """Files of ``folder`` (and below) that still hold an absolute path of this machine."""
    problems = []
    folder = Path(folder)
    for f in sorted(q for q in folder.rglob("*") if q.is_file() and q.suffix in SHAREABLE_TEXT):
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        found = sorted({what for prefix, _r, what in markers if prefix in text and _marker_pattern(prefix).search(text)})
        if found:
            problems.append(f"{f.relative_to(folder)}: holds absolute paths of this machine ({', '.join(found)}); "
                            "shareable files may hold only project-relative paths")
    return problems


def release_check(config: CohortConfig, folder: str | Path) -> ReleaseCheck:
    """The release gate: disclosure settings at least the public minimums, the leak audit passes over the
    whole folder, every table shown was disclosed and no file holds an absolute path of this machine."""
    folder = Path(folder)
    reasons = [*disclosure_rule_problems(config.disclosure, config.path.name), *leak_audit(config, [folder]),
               *disclosure_problems(folder), *path_problems(folder, _path_markers(config.root))]
    if not list(folder.glob("[0-9][0-9]_*.ipynb")):
        reasons.append("the report folder holds no executed notebooks, so nothing could be checked.")
    return ReleaseCheck(not reasons, tuple(reasons), _now())


# --------------------------------------------------------------------------- many cohorts


def _build_one(cohort_path: str, options: dict) -> CohortOutcome:
    """Worker: build one cohort's report; every failure comes back as an outcome, never raised."""
    from .config import load_cohort

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
    on_done=None,
) -> list[CohortOutcome]:
    """Build several cohorts' reports, ``jobs`` cohorts at a time in separate processes.

    A failure in one cohort is returned as an unsuccessful :class:`CohortOutcome`
    and does not stop the others. With ``trends``, the cross-cohort notebooks
    then run over every cohort's results files (see :func:`build_trends`).
    ``on_done(outcome)`` is called as each cohort finishes.
    """
    options = {"notebooks_dir": str(Path(notebooks_dir).resolve()) if notebooks_dir else None, "force": force,
               "release": release, "timeout": timeout, "progress": False,
               "out_root": str(Path(out_root).resolve()) if out_root else None}
    outcomes: list[CohortOutcome] = []
    paths = [str(Path(p).resolve()) for p in cohort_files]
    from .guard import check_report_folders

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
            from .config import load_cohort

            configs = []
            for p in paths:
                try:
                    configs.append(load_cohort(p, check_files=False))
                except RMResearchError:
                    continue
            if configs:
                t0 = time.perf_counter()
                out = build_trends(configs, notebooks_dir=notebooks_dir, out_root=out_root, force=force, timeout=timeout,
                                   release=release)
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
) -> Path | None:
    """Run the cross-cohort notebooks (90 to 99) over the cohorts' results files.

    Writes ``<reports>/trends/``: the executed notebooks, a page per notebook,
    ``report.html``, ``index.html`` and ``run.json``. Returns the folder, or None
    when there are no cross-cohort notebooks.

    The page is audited like a cohort report, against every cohort's roster and key: a leaking
    page is not installed (the previous one stays). With ``release`` it also passes the release
    gate for every cohort (:func:`release_check`) and gets ``release.json``.
    """
    import nbformat

    first = configs[0]
    nb_dir = notebooks_dir_for(first, notebooks_dir)
    notebooks = trend_notebooks(nb_dir)
    if not notebooks:
        return None
    report_dirs = [_report_dir(c, out_root) for c in configs]
    out_dir = (Path(out_root) if out_root else report_dirs[0].parent) / TRENDS_DIR
    from .guard import check_output

    out_dir = check_output(out_dir, owner="report", configs=configs, replace_folder=True, cohort=None,
                           notebooks_dir=notebooks_dir)
    if release:
        weak = sorted({w for c in configs for w in disclosure_rule_problems(c.disclosure, c.path.name)})
        if weak:
            raise ReleaseRefused("The cross-cohort trends cannot be released: " + "; ".join(weak) + ".")
    root = first.root  # kernels run here; sources are given relative to it
    sources = [Path(os.path.relpath(d.resolve(), root)).as_posix() for d in report_dirs]
    parameters = {"cohort_config": Path(os.path.relpath(first.path, root)).as_posix()}
    from .results import RESULTS_SUFFIX

    results_hashes = {_project_relative(f, root): _sha256(f)
                      for d in report_dirs if d.is_dir() for f in sorted(d.glob(f"*{RESULTS_SUFFIX}"))}
    versions = _versions()
    common = {"results": results_hashes, "versions": versions, "code": _package_source_hash(), "sources": sources}
    fingerprints = {p.stem: _fingerprint(p, common, parameters) for p in notebooks}
    started = _now()
    markers = _path_markers(root, nb_dir)
    _retire_legacy_failed(out_dir, lambda: _private_or_temporary(root, "failed", TRENDS_DIR))
    with atomic_directory(out_dir, staging=_staging_dir(root, out_dir)) as staging:
        ran = _run_notebooks(notebooks, staging=staging, out_dir=out_dir, nb_dir=nb_dir, parameters=parameters,
                             fingerprints=fingerprints, force=force, timeout=timeout, jobs=1, progress=False,
                             label="trends", extra_env={RESULTS_SOURCES_ENV: json.dumps(sources)}, cwd=root,
                             failed_dir=lambda: _private_or_temporary(root, "failed", TRENDS_DIR))
        _tidy_paths(staging, markers, out_dir=out_dir, root=root)
        sections = [render_notebook(nbformat.read(staging / p.name, as_version=4), name=p.stem) for p in notebooks]
        record = {
            "cohorts": [c.cohort for c in configs],
            "parameters": parameters | {"sources": sources},
            "started": started,
            "finished": _now(),
            "versions": versions,
            "git_commit": _git_commit(nb_dir),
            "results_sha256": results_hashes,
            "notebooks": [{"name": p.stem, "seconds": round(ran[p.stem][0], 2), "cached": ran[p.stem][1],
                           "fingerprint": fingerprints[p.stem]} for p in notebooks],
        }
        atomic_write_text(staging / "run.json", json.dumps(record, indent=2) + "\n")
        env = _environment()
        heading = "Cross-cohort trends"
        for s in sections:
            atomic_write_text(staging / f"{s.name}.html", env.get_template("notebook.html.j2").render(
                css=_css(), section=_page_section(s), title=s.title, heading=heading, record=record, versions=versions))
        rules_text = _rules_text(first.disclosure)
        page = env.get_template("trends.html.j2").render(
            css=_css(), versions=versions, heading=heading, configs=configs, sections=sections, record=record,
            rules_text=rules_text)
        atomic_write_text(staging / "report.html", page)
        atomic_write_text(staging / "index.html", env.get_template("index.html.j2").render(
            title=heading, subtitle=f"{len(configs)} cohort(s)", facts=[("Cohorts", ", ".join(c.cohort for c in configs)),
                                                                        ("Built", record["finished"])],
            summary=[], sections=[{"page": f"{s.name}.html", "title": s.title, "name": s.name} for s in sections],
            commit=record["git_commit"], css=_css(), versions=versions, release=None, rules_text=rules_text))
        # the trends page is shareable like a cohort report: audited for the people of every cohort it draws on
        # (those with results files; all when none has), and release-checked
        drawn = [c for c, d in zip(configs, report_dirs) if d.is_dir() and any(d.glob(f"*{RESULTS_SUFFIX}"))]
        audited = drawn or list(configs)
        if release:
            checks = [release_check(c, staging) for c in audited]
            reasons = tuple(dict.fromkeys(r for c in checks for r in c.reasons))
            check = ReleaseCheck(not reasons, reasons, _now())
            atomic_write_text(staging / "release.json", json.dumps(check.as_dict(), indent=2) + "\n")
            if not check.releasable:
                kept = _keep_private(staging, _private_or_temporary(root, "refused") / TRENDS_DIR)
                raise ReleaseRefused(
                    f"The cross-cohort trends are NOT releasable, so they were not installed (the previous page in "
                    f"{out_dir}, if any, is unchanged; the refused build is kept privately in {kept}):\n  - "
                    + "\n  - ".join(reasons))
        else:
            leaks = leak_audit(audited, [staging])  # every cohort's roster and key at once
            if leaks:
                raise ReportError("The cross-cohort trends were not written: " + "; ".join(leaks)
                                  + ". Check each cohort's results and notebooks 90 to 99, then report again.")
    return out_dir
