"""The write guard: no command writes into or over an input, a key or a folder it does not own.

Every writer asks :func:`check_output` before it writes anything (commands call it
before validation, before notebooks run). The guard knows every path a project's
cohort files name (:func:`protected_paths`): each configured input (tables, survey
exports, the raw interviews folder, codings, codebook, ethnicity map, instruments),
the keys folder, the review file, the anonymised folder, the reports folder, the
cohort files and their folder, and the notebooks folder. Each has owners, the
commands that may write there (``"keys"`` writes the key, ``"anonymise"`` the
anonymised folder, ``"report"`` the reports folder); inputs have none. A folder
that is replaced as a whole (a report) must not contain a protected path, and must
be empty or a previous output of the same kind (a report of the same cohort: its
``run.json`` says so).

All the cohort files of a project count, not only the one a command was given:
``--cohort all`` and a researcher's other cohorts share the project. Paths are
resolved first (symbolic links, ``..``, ``~``, trailing slashes), and compared by
file identity as well, so a case-insensitive file system cannot be used to slip past.

:func:`check_layout` (called by :func:`rmresearch.config.load_cohort`) refuses a
cohort file whose outputs lie inside its inputs or each other (a key inside the
reports, a review file inside the anonymised folder...).

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> check_output(d / "out.csv", owner="code") == (d / "out.csv").resolve()
True
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .errors import AnalysisError, ConfigError, OutputRefused, RMResearchError

__all__ = ["OutputRefused", "Protected", "protected_paths", "project_configs", "check_output", "check_layout",
           "check_report_folders", "check_anonymise_outputs",
           "check_demo_output", "check_api_output", "OWNERS"]

#: Who may write: a command (or a part of one) that produces a kind of output.
OWNERS = ("report", "anonymise", "keys", "review", "code", "survey", "demo", "detect", "text")

_LABELS = {
    "report": "the report", "anonymise": "the anonymised transcripts", "keys": "the pseudonym key",
    "review": "the review file", "code": "the coding output", "survey": "the imported survey",
    "demo": "the demo cohort", "detect": "the detections", "text": "the transcript text",
}

_HINTS = {
    "report": "Choose a folder of its own for the report, or leave --out out to use outputs.reports of the cohort "
              "file (e.g. reports/<cohort>).",
    "anonymise": "Set outputs.anonymised in the cohort file to a folder of its own, e.g. interviews/<cohort>/anonymised.",
    "keys": "Set outputs.keys in the cohort file to a private folder of its own, e.g. keys/<cohort>.",
    "review": "Set options.anonymise.review_file to a file of its own beside the raw folder "
              "(the default is interviews/<cohort>/review.csv).",
    "demo": "Write the demo into a new or empty folder, e.g. rmresearch demo --out demo-project.",
}
_FILE_HINT = ("Write to a new file outside the inputs, keys, raw, anonymised and reports folders "
              "(e.g. a name ending .new.csv), check it, then point the cohort file at it.")

#: Set while the guard itself loads cohort files (their layout is checked when they are used).
_DISCOVERING: contextvars.ContextVar[bool] = contextvars.ContextVar("rmresearch_guard_discovering", default=False)


@dataclass(frozen=True)
class Protected:
    """A path no command may write into or over, except its owners."""

    path: Path               # resolved
    what: str                # "the raw interviews folder"
    setting: str             # "inputs.interviews in /p/cohorts/demo.yml"
    folder: bool
    owners: frozenset = frozenset()
    container: bool = False  # only never replaced as a whole (the project folder): files may be written inside
    create_by: frozenset = frozenset()  # may create it while it does not exist yet (survey import: a configured wave)

    def describe(self) -> str:
        return f"{self.what} {_show(self.path)} ({self.setting})"


# --------------------------------------------------------------------------- paths


def _resolve(path: str | Path) -> Path:
    """Absolute, with ``~``, ``..`` and symbolic links resolved (also for paths that do not exist yet)."""
    try:
        return Path(os.path.abspath(Path(str(path)).expanduser())).resolve()
    except RuntimeError:  # Python < 3.13 reports a loop of symbolic links so
        raise OSError(errno.ELOOP, "a loop of symbolic links", str(path)) from None


def _show(path: Path) -> str:
    """A path as the user gives it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path)


def _same(a: Path, b: Path) -> bool:
    if a == b:
        return True
    if os.path.normcase(str(a)) == os.path.normcase(str(b)):
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _inside(child: Path, parent: Path) -> bool:
    """``child`` is ``parent`` or lies below it."""
    if child == parent or parent in child.parents:
        return True
    if not parent.exists():
        return False
    return any(_same(p, parent) for p in (child, *child.parents) if p.exists())


# --------------------------------------------------------------------------- what is protected


@contextlib.contextmanager
def _discovering() -> Iterator[None]:
    token = _DISCOVERING.set(True)
    try:
        yield
    finally:
        _DISCOVERING.reset(token)


def _cohort_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())


def project_configs(configs: Iterable = (), *, cohorts_dirs: Iterable = (), near: Iterable = ()) -> tuple[list, list[Path]]:
    """Every cohort of the projects involved, and the cohort files that could not be read.

    The cohorts come from ``configs`` and every cohort file beside them, the
    ``cohorts_dirs`` given (default: ``./cohorts``), and the ``cohorts/`` folder of
    every ancestor of the paths in ``near`` (the outputs about to be written).
    """
    from .config import load_cohort

    loaded = {Path(c.path).resolve(): c for c in configs}
    folders = [Path(c.path).resolve().parent for c in loaded.values()]
    folders += [_resolve(d) for d in cohorts_dirs]
    for p in near:
        p = _resolve(p)
        folders += [a / "cohorts" for a in (p, *p.parents)]
    unreadable: list[Path] = []
    seen: set[Path] = set()
    for folder in folders:
        if folder in seen:
            continue
        seen.add(folder)
        for file in _cohort_files(folder):
            file = file.resolve()
            if file in loaded:
                continue
            try:
                with _discovering():
                    loaded[file] = load_cohort(file, check_files=False)
            except Exception:  # noqa: BLE001 - another cohort's broken file must not stop this command;
                unreadable.append(file)  # it is reported when that cohort is used (the cohorts folder stays protected)
    return list(loaded.values()), unreadable


def _config_paths(config, notebooks_dirs: Iterable = ()) -> list[Protected]:
    source = _show(Path(config.path).resolve())
    out: list[Protected] = []

    def add(path, what, setting, *, folder=None, owners=(), cohort_setting=True, container=False, create_by=()):
        if path is None:
            return
        p = _resolve(path)
        out.append(Protected(p, what, f"{setting} in {source}" if cohort_setting else setting,
                             p.is_dir() if folder is None else folder, frozenset(owners), container,
                             frozenset(create_by)))

    add(config.root, "the project folder", f"root of cohort '{config.cohort}'", folder=True, cohort_setting=False,
        container=True)

    for name, value in config.inputs.items():
        if isinstance(value, dict):
            for wave, p in value.items():
                add(p, "a configured input", f"inputs.{name}.{wave}", folder=False, create_by=("survey",))
        elif name == "interviews":
            add(value, "the raw interviews folder", "inputs.interviews", folder=True)
        else:
            add(value, "a configured input", f"inputs.{name}")
    add(config.ethnicity_map_path, "a configured input", "options.ethnicity_map")
    options = config.options or {}
    if isinstance(options.get("codebook"), str):
        add(Path(config.root) / Path(options["codebook"]).expanduser(), "a configured input", "options.codebook")
    try:  # from config: importing rmresearch.surveys would load scipy into every command's start-up
        from .config import instrument_folder

        add(instrument_folder(config), "the survey instruments folder", "options.survey_instruments", folder=True)
    except (RMResearchError, TypeError, AttributeError):
        pass
    outputs = config.outputs
    # the review file may be kept in the private keys folder, but never over the key itself
    add(outputs.get("keys"), "the pseudonym keys folder", "outputs.keys", folder=True,
        owners=("keys", "anonymise", "review"))
    if outputs.get("keys"):
        from .anonymise.pseudonyms import KEY_FILENAME

        add(Path(outputs["keys"]) / KEY_FILENAME, "the pseudonym key", "outputs.keys", folder=False,
            owners=("keys", "anonymise"))
    add(outputs.get("anonymised"), "the anonymised transcripts folder", "outputs.anonymised", folder=True,
        owners=("anonymise",))
    add(outputs.get("reports"), "the reports folder", "outputs.reports", folder=True, owners=("report",))
    review = _review_path(config)
    add(review, "the review file", "options.anonymise.review_file", folder=False, owners=("review", "anonymise"))
    add(config.path, "the cohort file", f"cohort '{config.cohort}'", folder=False, cohort_setting=False)
    add(Path(config.path).parent, "the cohorts folder", "every .yml there is read as a cohort", folder=True,
        owners=("demo",), cohort_setting=False)
    for nb in notebooks_dirs:
        add(nb, "the notebooks folder", "the report notebooks", folder=True, cohort_setting=False)
    root_nb = Path(config.root) / "notebooks"
    if root_nb.is_dir():
        add(root_nb, "the notebooks folder", "the report notebooks", folder=True, cohort_setting=False)
    return out


def _review_path(config) -> Path | None:
    from .anonymise.review import review_path

    if not isinstance((config.options or {}).get("anonymise") or {}, dict):
        return None  # a malformed options.anonymise is reported where it is read
    try:
        return review_path(config)
    except RMResearchError:
        return None  # no interviews: no review file


def protected_paths(configs: Iterable, *, notebooks_dirs: Iterable = (), inputs: Iterable = ()) -> list[Protected]:
    """Every protected path of ``configs``, plus ``inputs`` (files a command reads, named on its command line)."""
    nbs = [Path(n) for n in notebooks_dirs if n is not None]
    cwd_nb = Path.cwd() / "notebooks"
    if cwd_nb.is_dir():
        nbs.append(cwd_nb)
    out: list[Protected] = []
    for config in configs:
        out += _config_paths(config, nbs)
    for p in inputs:
        if p is None:
            continue
        rp = _resolve(p)
        out.append(Protected(rp, "an input of this command", "given on the command line", rp.is_dir()))
    if not configs:
        out += [Protected(_resolve(n), "the notebooks folder", "the report notebooks", True) for n in nbs]
    return out


# --------------------------------------------------------------------------- the check


def _refuse(action: str, reason: str, hint: str) -> OutputRefused:
    return OutputRefused(f"refused to {action}: {reason}. Nothing was written. {hint}")


def _previous_output(folder: Path, owner: str, cohort: str | None) -> bool:
    """A folder this kind of output may replace: a previous report of the same cohort (or trends page)."""
    if owner != "report":
        return False
    try:
        record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    if not isinstance(record, dict) or "notebooks" not in record:
        return False
    if cohort is None:  # the cross-cohort trends page
        return "cohorts" in record and "cohort" not in record
    return record.get("cohort") == cohort


def check_output(
    path: str | Path,
    *,
    owner: str,
    configs: Iterable = (),
    replace_folder: bool = False,
    inputs: Iterable = (),
    cohorts_dir: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    cohort: str | None = None,
    protected: list[Protected] | None = None,
) -> Path:
    """Refuse (:class:`OutputRefused`) a write of ``owner`` into or over a path it does not own; return the resolved path.

    Parameters
    ----------
    owner
        What is written: one of :data:`OWNERS`.
    configs
        Cohorts the command works on; every other cohort file of their project
        (and of ``cohorts_dir``, default ``./cohorts``, and of the target's
        ancestors) counts too.
    replace_folder
        ``path`` is a folder replaced as a whole (a report): it may not contain a
        protected path and must be empty, absent, or a previous output of the same
        kind (for ``owner="report"``: a ``run.json`` of ``cohort``; ``cohort=None``
        for the trends page).
    inputs
        Files the command reads, named on its command line: never written over.
    """
    if owner not in OWNERS:
        raise AnalysisError(f"unknown owner {owner!r}; one of {', '.join(OWNERS)}")
    try:
        return _check(path, owner=owner, configs=configs, replace_folder=replace_folder, inputs=inputs,
                      cohorts_dir=cohorts_dir, notebooks_dir=notebooks_dir, cohort=cohort, protected=protected)
    except OSError as exc:  # a name too long, a loop of links, a folder that cannot be read...
        shown = str(path) if len(str(path)) <= 120 else str(path)[:120] + "..."
        raise OutputRefused(f"refused to write {_LABELS[owner]} to {shown}: the path cannot be used "
                            f"({exc.strerror or exc}). Nothing was written. Choose another path.") from None


def _check(path, *, owner, configs, replace_folder, inputs, cohorts_dir, notebooks_dir, cohort, protected) -> Path:
    target = _resolve(path)
    label = _LABELS[owner]
    hint = _HINTS.get(owner, _FILE_HINT)
    kind = "folder" if replace_folder else "file"
    action = f"write {label} to {_show(target)}" if not replace_folder else f"replace the folder {_show(target)} with {label}"
    if protected is None:
        configs = list(configs)
        found, _ = project_configs(configs, cohorts_dirs=[cohorts_dir or "cohorts"], near=[target])
        protected = protected_paths(found, notebooks_dirs=[notebooks_dir], inputs=inputs)
    else:
        protected = protected + protected_paths([], inputs=inputs)
    for entry in protected:
        if owner in entry.owners or entry.container:
            continue
        if _same(target, entry.path):
            if owner in entry.create_by and not replace_folder and not (target.exists() or target.is_symlink()):
                continue  # the first import of a configured survey wave (or codings file) creates it
            raise _refuse(action, f"it is {entry.describe()}" + (", which exists" if entry.create_by else ""), hint)
        if entry.folder and _inside(target, entry.path):
            raise _refuse(action, f"it lies inside {entry.describe()}", hint)
    if replace_folder:
        for entry in sorted(protected, key=lambda e: not _same(target, e.path)):  # "it is the project folder" first
            if _same(target, entry.path) and owner in entry.owners and not entry.container:
                continue
            if _same(target, entry.path):
                raise _refuse(action, f"it is {entry.describe()}, and replacing it would delete the project", hint)
            if _inside(entry.path, target):
                raise _refuse(action, f"the folder holds {entry.describe()}, and replacing it would delete that", hint)
    for parent in target.parents:
        if parent.exists() and not parent.is_dir():
            raise _refuse(action, f"{_show(parent)} is a file, not a folder", hint)
    existing = next(p for p in target.parents if p.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise _refuse(action, f"the folder {_show(existing)} is not writable for you", "Choose a folder you can write to.")
    if target.exists() or target.is_symlink():
        if replace_folder and not target.is_dir():
            raise _refuse(action, f"{_show(target)} is a file, not a folder; --out names the {kind} to write", hint)
        if not replace_folder and target.is_dir():
            raise _refuse(action, f"{_show(target)} is a folder; give the name of the file to write", _FILE_HINT)
        own = owner != "report" and any(owner in e.owners and _same(target, e.path) for e in protected)
        if replace_folder and not own and any(target.iterdir()) and not _previous_output(target, owner, cohort):
            what = ("a previous report of this cohort (its run.json)" if cohort else "a previous trends page (its run.json)")
            raise _refuse(action, f"the folder is not empty and is not {what}, so replacing it could delete your files",
                          "Choose a new or empty folder, or the cohort's previous report folder.")
    return target


def check_api_output(path: str | Path, *, owner: str) -> Path:
    """The guard for a Python-API writer (a notebook calling ``export_qdpx``, ``write_codings_csv``...).

    When ``path`` lies inside a project with cohort files (found in a ``cohorts/`` folder of one of its
    ancestors, or ``./cohorts``), the write is checked against every protected path of those cohorts
    (:func:`check_output`); elsewhere (a scratch folder) nothing is checked and ``path`` is returned resolved.
    """
    target = _resolve(path)
    found, _ = project_configs(cohorts_dirs=["cohorts"], near=[target])
    if not found:
        return target
    return check_output(target, owner=owner, protected=protected_paths(found))


def check_report_folders(cohort_files: Iterable[str | Path], *, out_root: str | Path | None = None,
                         notebooks_dir: str | Path | None = None) -> dict[str, Path]:
    """Check every report folder ``rmresearch report --cohort all`` would replace, before any cohort runs.

    Each cohort's folder (``out_root/<cohort>`` or its ``outputs.reports``) and the
    trends folder pass :func:`check_output`; two cohorts writing to the same folder
    (the same cohort ID twice, a cohort called ``trends``) are refused too. Cohort
    files that cannot be read are left to fail on their own. Returns {cohort file: folder}.
    """
    from .config import load_cohort

    configs = []
    for p in cohort_files:
        try:
            configs.append(load_cohort(p, check_files=False))
        except RMResearchError:
            continue  # reported as that cohort's failure
    folders: dict[str, Path] = {}
    owner_of: dict[Path, str] = {}
    found, _ = project_configs(configs, cohorts_dirs=["cohorts"], near=[out_root] if out_root else [])
    protected = protected_paths(found, notebooks_dirs=[notebooks_dir])
    for config in configs:
        folder = _resolve(Path(out_root) / config.cohort if out_root else config.outputs["reports"])
        if folder in owner_of:
            raise _refuse(f"write the reports of {_show(Path(owner_of[folder]))} and {_show(Path(config.path))}",
                          f"both would replace the same folder {_show(folder)}, and the second would delete the first",
                          "Give each cohort its own cohort ID and outputs.reports.")
        owner_of[folder] = str(config.path)
        folders[str(config.path)] = check_output(folder, owner="report", replace_folder=True, cohort=config.cohort,
                                                 protected=protected)
    if configs:
        trends = _resolve((Path(out_root) if out_root else Path(configs[0].outputs["reports"]).parent) / "trends")
        if trends in owner_of:
            raise _refuse(f"write the cross-cohort trends to {_show(trends)}",
                          f"the report of {_show(Path(owner_of[trends]))} is written there",
                          "Rename the cohort or set its outputs.reports to another folder.")
    return folders


def check_anonymise_outputs(config) -> tuple[Path, Path, Path | None]:
    """What ``anonymise run`` replaces, checked against every cohort of the project before it reads anything.

    The anonymised folder (replaced as a whole), the key and the review file: none may be another
    cohort's input (its raw folder, a table...), a key of another kind or inside a report. Returns
    the resolved (anonymised folder, key file, review file).
    """
    from .anonymise.pseudonyms import KEY_FILENAME

    anonymised = Path(config.outputs["anonymised"])
    found, _ = project_configs([config], near=[anonymised])
    protected = protected_paths(found)
    out = check_output(anonymised, owner="anonymise", replace_folder=True, protected=protected)
    key = check_output(Path(config.outputs["keys"]) / KEY_FILENAME, owner="keys", protected=protected)
    review = _review_path(config)
    if review is not None:
        review = check_output(review, owner="review", protected=protected)
    return out, key, review


def check_demo_output(out: str | Path, targets: Iterable[str | Path], *, previous_marker: str | Path,
                      folders: Iterable[str | Path] = (), unchanged: dict[str, bytes] | None = None) -> Path:
    """``rmresearch demo`` writes only new files or files of a previous demo (``previous_marker`` exists there).

    ``targets`` are the files it writes, ``folders`` the folders it writes files into. Also
    refuses an ``out`` where any of them would land on another cohort's inputs or outputs.
    ``unchanged`` maps targets to the bytes the demo writes there: an existing regular file that already holds
    exactly those bytes (the committed ``cohorts/demo.yml`` of a fresh clone) is not another's file.
    """
    targets, folders = list(targets), list(folders)
    unchanged = {str(k): v for k, v in (unchanged or {}).items()}
    root = _resolve(out)
    previous = _is_previous_demo(root / previous_marker)
    existing = []
    for rel in [*targets, *folders]:
        p = root / rel
        if p.is_dir():
            if any(p.iterdir()):
                existing.append(p)
        elif p.exists() or p.is_symlink():
            if str(rel) in unchanged and p.is_file() and not p.is_symlink() and _holds(p, unchanged[str(rel)]):
                continue
            existing.append(p)
    if existing and not previous:
        shown = ", ".join(_show(p) for p in existing[:3]) + (f" and {len(existing) - 3} more" if len(existing) > 3 else "")
        raise _refuse(f"write the demo cohort into {_show(root)}",
                      f"{shown} already exist{'s' if len(existing) == 1 else ''} and were not written by rmresearch demo",
                      _HINTS["demo"])
    found, _ = project_configs(near=[root / "cohorts"])
    demo_files = {(root / "cohorts" / "demo.yml").resolve(), (root / "cohorts" / "demo.yaml").resolve(), *((root / t).resolve() for t in targets if Path(t).parent == Path("cohorts"))}
    others = [c for c in found if Path(c.path).resolve() not in demo_files]
    protected = protected_paths(others)
    for rel in targets:
        check_output(root / rel, owner="demo", protected=protected)
    for rel in folders:  # a file inside: the folder must not be (or lie inside) another cohort's protected folder
        check_output(root / rel / "demo-file", owner="demo", protected=protected)
    return root


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _is_previous_demo(marker: Path) -> bool:
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    return isinstance(data, dict) and (data.get("generator") or {}).get("module") == "rmresearch.synthetic"


# --------------------------------------------------------------------------- the layout of one cohort file


def check_layout(config) -> None:
    """Refuse (:class:`ConfigError`) a cohort file whose outputs lie inside its inputs or inside each other."""
    if _DISCOVERING.get():
        return
    try:
        _check_layout(config)
    except OSError as exc:
        raise ConfigError(f"{config.path}: a configured path cannot be used ({exc.strerror or exc}: {exc.filename}); "
                          "correct it in the cohort file.") from None


def _check_layout(config) -> None:
    source = str(config.path)
    outputs = config.outputs
    keys, anonymised, reports = (_resolve(outputs[k]) if outputs.get(k) else None
                                 for k in ("keys", "anonymised", "reports"))
    review = _review_path(config)
    review = _resolve(review) if review is not None else None
    raw = _resolve(config.inputs["interviews"]) if config.inputs.get("interviews") is not None else None
    inputs: list[tuple[str, Path]] = []
    for name, value in config.inputs.items():
        if isinstance(value, dict):
            inputs += [(f"inputs.{name}.{w}", _resolve(p)) for w, p in value.items()]
        else:
            inputs.append((f"inputs.{name}", _resolve(value)))
    if config.ethnicity_map_path:
        inputs.append(("options.ethnicity_map", _resolve(config.ethnicity_map_path)))
    cohort_file = ("the cohort file", _resolve(config.path))

    def fail(a: str, pa: Path, relation: str, b: str, pb: Path, why: str, fix: str):
        raise ConfigError(f"{source}: {a} ({_show(pa)}) {relation} {b} ({_show(pb)}): {why}. {fix}")

    shared = {"outputs.reports": reports, "outputs.anonymised": anonymised}
    for name, folder in shared.items():
        if keys is not None and folder is not None and (_inside(keys, folder) or _inside(folder, keys)):
            fail("outputs.keys", keys, "overlaps", name, folder,
                 "the key must never lie in a folder shared with others", _HINTS["keys"])
    for name, folder in (("outputs.anonymised", anonymised), ("outputs.reports", reports), ("inputs.interviews", raw)):
        if review is not None and folder is not None and _inside(review, folder):
            why = ("the review file quotes the original words, so it may not be shared" if name != "inputs.interviews"
                   else "the raw folder is only read, and a review file there would be read as a transcript")
            fail("options.anonymise.review_file", review, "lies inside", name, folder, why, _HINTS["review"])
    if anonymised is not None and reports is not None and (_inside(anonymised, reports) or _inside(reports, anonymised)):
        fail("outputs.anonymised", anonymised, "overlaps", "outputs.reports", reports,
             "each is replaced as a whole by its own command", "Give each a folder of its own.")
    for oname, out, fix in (("outputs.keys", keys, _HINTS["keys"]), ("outputs.anonymised", anonymised, _HINTS["anonymise"]),
                            ("outputs.reports", reports, _HINTS["report"]), ("options.anonymise.review_file", review,
                                                                             _HINTS["review"])):
        if out is None:
            continue
        for iname, ipath in [*inputs, cohort_file]:
            if _inside(out, ipath):
                fail(oname, out, "lies inside" if out != ipath else "is", iname, ipath,
                     "inputs are only read, never written", fix)
            if oname in ("outputs.anonymised", "outputs.reports") and _inside(ipath, out):
                fail(oname, out, "holds", iname, ipath, "that folder is replaced by each run, which would delete it", fix)
        if oname in ("outputs.anonymised", "outputs.reports"):
            for other, p in (("outputs.keys", keys), ("options.anonymise.review_file", review)):
                if p is not None and _inside(p, out):
                    fail(oname, out, "holds", other, p, "that folder is replaced by each run, which would delete it", fix)
