"""Execute the cohort's notebooks with papermill and export them to HTML.

``build_report(config)`` validates the inputs, runs every numbered notebook
(``notebooks/NN_name.ipynb``) with the cohort's parameters, writes into
``reports/<cohort>/``:

- ``NN_name.ipynb``: the executed notebook (outputs only; it is not committed),
- ``NN_name.html``: the notebook as a page without code cells,
- ``index.html``: links to the pages with the cohort, date and versions,
- ``run.json``: the reproducibility record (parameters, versions, input hashes, git commit).

The whole folder is built aside and swapped into place at the end, so a
failed run never leaves a half-written report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import platform
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .config import CohortConfig
from .errors import RMResearchError
from .fileio import atomic_directory, atomic_write_text

__all__ = ["ReportError", "find_notebooks", "build_report", "export_html", "notebooks_dir_for"]

VERSIONED_PACKAGES = ("rmresearch", "pandas", "numpy", "statsmodels", "scipy", "matplotlib", "nltk", "papermill", "nbconvert")


class ReportError(RMResearchError):
    """A notebook failed, or the report could not be built."""


@dataclass(frozen=True)
class NotebookResult:
    name: str
    title: str
    ipynb: Path
    html: Path
    seconds: float


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


def notebook_title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def export_html(nb, *, title: str | None = None) -> str:
    """Notebook to a self-contained HTML page without code cells or prompts."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or notebook_title(nb) or "Report"}})
    return body


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _git_commit(folder: Path) -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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


def build_report(
    config: CohortConfig,
    *,
    notebooks_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    progress: bool = True,
    only: list[str] | None = None,
    timeout: int = 1200,
) -> list[NotebookResult]:
    """Validate inputs, execute every notebook for the cohort, export HTML and an index.

    Raises :class:`ReportError` naming the notebook and cell when a notebook fails.
    """
    import time

    import nbformat
    import papermill as pm
    from tqdm.auto import tqdm

    from .inputs import raise_if_errors, validate_cohort

    _, problems = validate_cohort(config)
    raise_if_errors(problems)

    nb_dir = notebooks_dir_for(config, notebooks_dir)
    notebooks = find_notebooks(nb_dir)
    if only:
        notebooks = [p for p in notebooks if any(p.stem == o or p.stem.startswith(o) for o in only)]
        if not notebooks:
            raise ReportError(f"No notebook matches {', '.join(only)} in {nb_dir}.")
    out_dir = Path(out_dir) if out_dir else config.outputs["reports"]
    parameters = {"cohort_config": str(config.path)}
    results: list[NotebookResult] = []
    started = dt.datetime.now(dt.timezone.utc)

    with atomic_directory(out_dir) as staging:
        bar = tqdm(notebooks, desc=f"report {config.cohort}", unit="notebook", disable=not progress)
        for nb_path in bar:
            bar.set_postfix_str(nb_path.stem)
            executed_path = staging / nb_path.name
            t0 = time.perf_counter()
            try:
                pm.execute_notebook(
                    str(nb_path),
                    str(executed_path),
                    parameters=parameters,
                    cwd=str(nb_dir),
                    kernel_name="python3",
                    progress_bar=False,
                    log_output=False,
                    execution_timeout=timeout,
                    # the kernel logs a warning about unencrypted local TCP at every start; errors still reach us
                    extra_arguments=["--IPKernelApp.log_level=ERROR"],
                )
            except pm.PapermillExecutionError as exc:
                failed_dir = out_dir.parent / f".{out_dir.name}-failed"
                failed_dir.mkdir(parents=True, exist_ok=True)
                if executed_path.exists():
                    executed_path.replace(failed_dir / nb_path.name)
                first_line = (exc.source or "").strip().splitlines()[:1]
                raise ReportError(
                    f"Notebook {nb_path.name} failed in cell {_source_cell_number(failed_dir / nb_path.name, exc.cell_index)}"
                    f"{': ' + first_line[0] if first_line else ''}\n  {exc.ename}: {exc.evalue}\n"
                    f"The partly executed notebook is in {failed_dir / nb_path.name}; the previous report, if any, is unchanged."
                ) from None
            seconds = time.perf_counter() - t0
            nb = nbformat.read(executed_path, as_version=4)
            title = notebook_title(nb) or nb_path.stem
            html_path = staging / f"{nb_path.stem}.html"
            atomic_write_text(html_path, export_html(nb, title=title))
            results.append(NotebookResult(nb_path.stem, title, out_dir / nb_path.name, out_dir / html_path.name, seconds))

        record = {
            "cohort": config.cohort,
            "parameters": parameters | {"config": config.as_parameters()},
            "started": started.isoformat(timespec="seconds"),
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "versions": _versions(),
            "git_commit": _git_commit(nb_dir),
            "inputs_sha256": input_hashes(config),
            "notebooks": [{"name": r.name, "title": r.title, "seconds": round(r.seconds, 2)} for r in results],
        }
        atomic_write_text(staging / "run.json", json.dumps(record, indent=2) + "\n")
        atomic_write_text(staging / "index.html", render_index(config, results, record))
    return results


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


def render_index(config: CohortConfig, results: list[NotebookResult], record: dict) -> str:
    esc = html.escape
    rows = "\n".join(
        f'<li><a href="{esc(r.html.name)}">{esc(r.title)}</a> <span class="muted">({esc(r.name)})</span></li>'
        for r in results
    )
    versions = ", ".join(f"{esc(k)} {esc(v)}" for k, v in record["versions"].items())
    commit = record.get("git_commit") or "not a git checkout"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(config.title)}: evaluation report</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1b1b1b; }}
h1 {{ font-size: 1.7rem; margin-bottom: .2rem; }}
.muted {{ color: #555; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }}
dt {{ font-weight: 600; }}
footer {{ margin-top: 2rem; font-size: .85rem; color: #555; border-top: 1px solid #ddd; padding-top: .5rem; }}
</style>
</head>
<body>
<h1>{esc(config.title)}</h1>
<p class="muted">{esc(config.institution)}</p>
<dl>
<dt>Cohort</dt><dd>{esc(config.cohort)}</dd>
<dt>Programme</dt><dd>{esc(config.programme_type)} mentoring, {config.start_date:%d %B %Y} to {config.end_date:%d %B %Y}, {config.planned_meetings} planned meetings per pair</dd>
<dt>Report built</dt><dd>{esc(record["finished"])}</dd>
</dl>
<h2>Sections</h2>
<ul>
{rows}
</ul>
<footer>
<p>Small numbers are controlled: counts are rounded to the nearest {config.disclosure.round_to}, percentages on fewer than {config.disclosure.min_percentage_denominator:g} people and averages on {config.disclosure.max_mean_suppressed_n} or fewer are suppressed (shown as <code>{esc(config.disclosure.suppressed_marker)}</code>).</p>
<p>Versions: {versions}. Commit: {esc(commit)}. Reproducibility record: <a href="run.json">run.json</a>.</p>
</footer>
</body>
</html>
"""
