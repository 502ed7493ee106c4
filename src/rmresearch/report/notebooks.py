"""Which notebooks a report runs, and running them with papermill (in parallel, reusing unchanged ones)."""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import shutil
import time
from pathlib import Path

from ..config import CohortConfig
from ..errors import RMResearchError
from .common import TREND_PREFIX, ReportError
from .private import _keep_private
from .provenance import _previous_run

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
            skipped.append({"name": path.stem, "reason": _not_applicable(path, missing)})
        else:
            keep.append(path)
    return keep, skipped


def _not_applicable(path: Path, missing: list[str]) -> str:
    """Why a notebook is not in a cohort's report, as design rather than fault: ``'Student awarding gap does not
    apply to this cohort: it has no student records (its cohort file configures no inputs.students)'``."""
    import nbformat

    from ..trends import INPUT_WORDS

    try:
        title = notebook_title(nbformat.read(path, as_version=4)) or path.stem
    except Exception:  # noqa: BLE001 - the reason is still given by the notebook's name
        title = path.stem
    words = " or ".join(INPUT_WORDS.get(m, m) for m in missing)
    return (f"{title} ({path.stem}) does not apply to this cohort: it has no {words} (its cohort file configures no "
            f"{', '.join('inputs.' + m for m in missing)})")


def notebook_title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""

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

    from ..results import RESULTS_ENV

    env = {RESULTS_ENV: results_path, **(extra_env or {})}
    t0 = time.perf_counter()
    with _environment_set(env):
        for attempt in range(KERNEL_START_ATTEMPTS):
            try:
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
                break
            except RuntimeError as exc:  # PapermillExecutionError (a cell failed) is not a RuntimeError
                if not kernel_start_failed(exc) or attempt + 1 == KERNEL_START_ATTEMPTS:
                    raise
    return time.perf_counter() - t0


#: How often a notebook's kernel is started before its failure to start is reported.
KERNEL_START_ATTEMPTS = 3


def kernel_start_failed(exc: BaseException) -> bool:
    """Whether the kernel died before it ran anything: with notebooks side by side (``--jobs``), two kernels can be
    handed the same free TCP port, and the second dies at start ("Address already in use"). Nothing has run then,
    so the notebook is simply started again.

    >>> kernel_start_failed(RuntimeError("Kernel died before replying to kernel_info"))
    True
    >>> kernel_start_failed(RuntimeError("something else"))
    False
    """
    text = str(exc)
    return "Kernel died before replying to kernel_info" in text or "Address already in use" in text


def _execute_safely(*args) -> tuple[float | None, dict | None]:
    """:func:`_execute` for a worker process: papermill errors come back as data (they do not pickle well)."""
    import papermill as pm

    try:
        return _execute(*args), None
    except pm.PapermillExecutionError as exc:
        return None, {"cell_index": exc.cell_index, "source": exc.source, "ename": exc.ename, "evalue": exc.evalue,
                      "exec_count": exc.exec_count, "traceback": list(exc.traceback or [])}


def _user_error_names() -> set[str]:
    """Class names of rmresearch's user-fixable errors (:class:`~rmresearch.errors.RMResearchError` and below)."""
    names, todo = set(), [RMResearchError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def _failure(nb_path: Path, executed_path: Path, failed_dir: Path, error: dict) -> ReportError:
    """The error for a failed notebook; the partly executed notebook is kept privately.

    A user-fixable error raised in a cell (an :class:`~rmresearch.errors.AnalysisError`, any
    :class:`~rmresearch.errors.RMResearchError`) becomes one line: the notebook, the source cell number
    and the error's message, which says what to do; when a call in the cell raised it (not the cell's
    own ``raise``), a second line quotes that call. Anything else is a bug: its type, the line of the
    cell it came from (:func:`failing_line`), what input it points at when it can tell
    (:func:`cause_hint`) and where the partly executed notebook is kept.
    """
    if executed_path.exists():
        _keep_private(executed_path, failed_dir / nb_path.name)
    cell = _source_cell_number(failed_dir / nb_path.name, error["cell_index"])
    evalue = strip_ansi(str(error.get("evalue") or ""))
    number, line = failing_line(error)
    if error.get("ename") in _user_error_names():
        message = f"Notebook {nb_path.name}, cell {cell}: {' '.join(evalue.split())}"
        if number and not _RAISE.match(line):  # raised by a call: which line of the cell made it
            message += f"\n  (line {number} of the cell: {line})"
        return ReportError(message)
    hint = cause_hint(error)
    return ReportError(
        f"Notebook {nb_path.name} failed in cell {cell}{f', line {number}' if number else ''}"
        f"{': ' + line if line else ''}\n  {error['ename']}: {evalue}\n"
        f"{f'  {hint}{chr(10)}' if hint else ''}"
        f"The partly executed notebook (it may hold personal data: it is kept private, never share it) is in "
        f"{failed_dir / nb_path.name}; the previous report, if any, is unchanged."
    )


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
#: IPython >= 8.5 heads a cell's frame "Cell In[3], line 9"; 8.0-8.4 wrote "Input In [3], in <cell line: 9>()"
_CELL_FRAME = re.compile(r"\s*(?:Cell In ?\[(\d+)\], line (\d+)|Input In ?\[(\d+)\], in <cell line: (\d+)>)")
_MARKER = re.compile(r"^\s*-+>\s*\d+\s?(.*)$", re.M)
_PANDAS_FRAME = re.compile(r"^\s*File \S*pandas[/\\]", re.M)
#: pandas' KeyError for several columns: "['a', 'b'] not in index", "None of [Index(['a'], dtype='object')] are in the [columns]"
_LISTED_KEYS = re.compile(r"(?:None of )?\[(?:Index\()?\[?(.*?)\]?(?:, dtype='\w+'\))?\] (?:not in index|are in the \[\w+\])")
_QUOTED_LINE_MAX = 160
_RAISE = re.compile(r"raise\b")
_NO_SUCH_FILE = re.compile(r"No such file or directory: ('.*'|\".*\")")


def strip_ansi(text: str) -> str:
    """``text`` without terminal colour codes (IPython colours its tracebacks).

    >>> strip_ansi("\\x1b[31mKeyError\\x1b[39m: 'tariff'")
    "KeyError: 'tariff'"
    """
    return _ANSI.sub("", text)


def failing_line(error: dict) -> tuple[int | None, str]:
    """The line of a failed cell the error came from: (its 1-based number in the cell, the line stripped).

    ``error`` holds papermill's ``source`` (the cell), ``traceback`` (IPython's coloured frames),
    ``exec_count``. The deepest frame of the failed cell is the line (frames of the libraries it
    called are below it; a function defined in another cell is the other cell's; a chained
    exception's last part, the one raised, comes last). Without such a frame:
    ``(None, the cell's first non-blank line)``.

    >>> failing_line({"source": "%matplotlib inline\\nx = 1\\nx['a']", "exec_count": 3,
    ...               "traceback": ["\\x1b[36mCell\\x1b[39m In[3], line 3\\n----> 3 x['a']\\n", "TypeError: ..."]})
    (3, "x['a']")
    >>> failing_line({"source": "\\n%matplotlib inline\\nraise ValueError", "traceback": []})
    (None, '%matplotlib inline')
    """
    lines = (error.get("source") or "").splitlines()
    count = error.get("exec_count")
    for entry in reversed([strip_ansi(str(e)) for e in error.get("traceback") or []]):
        frame = _CELL_FRAME.match(entry)
        if not frame:
            continue
        frame_count, number = (frame[1], frame[2]) if frame[1] else (frame[3], frame[4])
        if count is not None and int(frame_count) != int(count):
            continue
        number = int(number)
        if 1 <= number <= len(lines) and lines[number - 1].strip():
            return number, _shorten(lines[number - 1].strip())
        marker = _MARKER.search(entry)
        if marker and marker[1].strip():
            return number, _shorten(marker[1].strip())
    first = next((line.strip() for line in lines if line.strip()), "")
    return None, _shorten(first)


def _shorten(line: str) -> str:
    return line if len(line) <= _QUOTED_LINE_MAX else line[: _QUOTED_LINE_MAX - 3] + "..."


def cause_hint(error: dict) -> str:
    """What a failed cell's error says about an input, or ``""``.

    A ``KeyError`` raised through pandas is a missing column: the hint names it and the input tables
    whose schema declares it (``rmresearch schema <table>`` lists their columns).

    >>> cause_hint({"ename": "KeyError", "evalue": "'tariff'", "traceback": ["File /x/pandas/core/frame.py:4113"]})
    "column 'tariff' is missing (check the students input, which should have it; `rmresearch schema students` lists its columns)"
    >>> cause_hint({"ename": "KeyError", "evalue": "'tariff'", "traceback": ["Cell In[3], line 1"]})  # a dict
    ''

    A ``FileNotFoundError`` names the file and where relative paths start (the project folder,
    where the report's kernels run).
    """
    if error.get("ename") == "FileNotFoundError":
        return _file_hint(strip_ansi(str(error.get("evalue") or "")))
    if error.get("ename") != "KeyError":
        return ""
    if not any(_PANDAS_FRAME.search(strip_ansi(str(e))) for e in error.get("traceback") or []):
        return ""
    columns = _missing_columns(strip_ansi(str(error.get("evalue") or "")))
    if not columns:
        return ""
    from ..schemas import SCHEMAS

    tables = [name for name, schema in SCHEMAS.items() if any(c.name in columns for c in schema.columns)]
    named = ", ".join(repr(c) for c in columns)
    what, it = (f"column {named} is", "it") if len(columns) == 1 else (f"columns {named} are", "them")
    if len(tables) == 1:
        return (f"{what} missing (check the {tables[0]} input, which should have {it}; "
                f"`rmresearch schema {tables[0]}` lists its columns)")
    which = f": {', '.join(tables[:-1])} or {tables[-1]}" if tables else ""
    return (f"{what} missing (check the input that should have {it}{which}; "
            "`rmresearch schema <table>` lists the columns)")


def _file_hint(evalue: str) -> str:
    """The missing file of a ``FileNotFoundError`` message, or ``""``.

    >>> _file_hint("[Errno 2] No such file or directory: 'data/demo/grades.csv'")
    "the file 'data/demo/grades.csv' does not exist (a relative path starts at the project folder, where the report runs; check the path in the notebook or the cohort file's inputs)"
    """
    found = _NO_SUCH_FILE.search(evalue)
    if not found:
        return ""
    return (f"the file {found[1]} does not exist (a relative path starts at the project folder, where the "
            "report runs; check the path in the notebook or the cohort file's inputs)")


def _missing_columns(evalue: str) -> list[str]:
    r"""Column names in a pandas ``KeyError`` message: ``'tariff'``, ``"['a', 'b'] not in index"``.

    >>> _missing_columns("'tariff'"), _missing_columns('"[\'a\', \'b\'] not in index"'), _missing_columns("3")
    (['tariff'], ['a', 'b'], [])
    """
    try:
        key = ast.literal_eval(evalue.strip())
    except (ValueError, SyntaxError):
        return []
    if not isinstance(key, str):
        return []
    listed = _LISTED_KEYS.fullmatch(key)
    if not listed:
        return [key]
    try:
        names = ast.literal_eval(f"[{listed[1]}]")
    except (ValueError, SyntaxError):
        return []
    return [str(n) for n in names]


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
