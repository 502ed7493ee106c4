"""The release gate and audits: disclosure control of every table, the leak audit, machine paths."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from ..config import CohortConfig
from ..fileio import atomic_write_text
from .common import ReleaseCheck
from .provenance import _now
from .render import _MD_TABLE, _TABLE, _output_meta, _text

def disclosure_problems(folder: str | Path) -> list[str]:
    """Tables in the executed notebooks of ``folder`` that did not go through disclosure control.

    A table is an output with ``text/html`` holding ``<table`` (or Markdown
    holding a pipe table) without the metadata that
    :func:`rmresearch.display.show_table` attaches, or one disclosed under rules
    below the HESA minimums (a notebook passing rules of its own to ``disclose``). A table disclosed with
    ``basis="activity"`` (counts of programme activity, shown exactly) passes, unless its header names a
    characteristic column.
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
                if is_table and _output_meta(output).get("basis") == "activity":
                    problems += _activity_problems(path.name, source_index, _text(data.get("text/html", "")))
                weak = _output_meta(output).get("below_hesa_minimums") if is_table else None
                if weak:  # disclosed, but under rules of the notebook's own that a public release may not use
                    problems.append(
                        f"{path.name}, cell {source_index}: a table is disclosed under rules below the HESA minimums "
                        f"({'; '.join(map(str, weak))}); disclose it with the cohort's rules (rules=cfg.disclosure)")
    return problems


_HEADER = re.compile(r"<th[^>]*>(.*?)</th>", re.S)


def _activity_problems(notebook: str, cell: int, page: str) -> list[str]:
    """A table disclosed as programme activity (shown exactly) may not carry a characteristic column."""
    from ..disclosure.rules import ACTIVITY_REFUSED
    from ..disclosure.specs import _is_characteristic

    # show_table prints readable headers ("ethnicity group"): back to the identifier form
    headers = {html.unescape(re.sub(r"<[^>]+>", "", h)).strip().lower().replace(" ", "_") for h in _HEADER.findall(page)}
    found = sorted(h for h in headers if _is_characteristic(h) or h.lower() in ACTIVITY_REFUSED)
    return [f"{notebook}, cell {cell}: a table shown exactly as programme activity has the characteristic column(s) "
            f"{', '.join(found)}; disclose it with basis='people'"] if found else []


def leak_audit(config: CohortConfig | list[CohortConfig], paths: list[Path]) -> list[str]:
    """Run the anonymisation leak audit over ``paths`` for one cohort or several; problems as sentences
    (empty: passed). See :func:`rmresearch.anonymise.audit.audit_shareable` for what is read.

    Fails closed: if the audit cannot run, that is a problem too.
    """
    try:
        from ..anonymise.audit import audit_shareable
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
    from ..disclosure import rules_below_minimums

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
    add(Path(__file__).resolve().parents[2], "", "the rmresearch installation")
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
    from ..results import _project_relative

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


def audience_refusal(config: CohortConfig, audience: str | None, release: bool) -> None:
    """Refuse a build whose audience is not the cohort file's, or an internal release not asked for explicitly.

    The notebooks apply ``options.disclosure.audience`` from the cohort file, so ``--audience`` can only
    confirm it. A release is for the public unless ``--release --audience internal`` says otherwise: a cohort
    file set to ``internal`` is refused a plain ``--release`` (:class:`ReleaseRefused`).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from rmresearch.config import DisclosureRules
    >>> internal = SimpleNamespace(cohort="pilot", path=Path("pilot.yml"), disclosure=DisclosureRules(audience="internal"))
    >>> audience_refusal(internal, "internal", True)  # asked for explicitly: allowed
    >>> audience_refusal(internal, None, True)
    Traceback (most recent call last):
    ...
    rmresearch.report.common.ReleaseRefused: Report for cohort 'pilot' cannot be released to the public: pilot.yml sets options.disclosure.audience: internal (exact small counts). Set it to public for a public release, or release to an internal audience explicitly with --release --audience internal.
    """
    from ..config import AUDIENCES
    from ..errors import ConfigError
    from .common import ReleaseRefused

    actual = config.disclosure.audience
    if audience is not None and audience not in AUDIENCES:
        raise ConfigError(f"--audience must be one of {', '.join(AUDIENCES)}, not {audience!r}.")
    if audience is not None and audience != actual:
        raise ConfigError(f"--audience {audience} but {config.path.name} sets options.disclosure.audience: {actual}, "
                          f"and the notebooks apply the cohort file's rules: set options.disclosure.audience: {audience} "
                          "there (or leave out --audience).")
    if release and actual == "internal" and audience != "internal":
        raise ReleaseRefused(f"Report for cohort '{config.cohort}' cannot be released to the public: {config.path.name} "
                             "sets options.disclosure.audience: internal (exact small counts). Set it to public for a "
                             "public release, or release to an internal audience explicitly with --release --audience "
                             "internal.")


def audience_problems(config: CohortConfig, folder: str | Path) -> list[str]:
    """Tables and results of ``folder`` (its results files: every disclose call and every recorded result) made
    under another audience than the cohort file's: a public report may hold nothing disclosed for an internal one."""
    from ..results import RESULTS_SUFFIX, read_results

    wanted = config.disclosure.audience
    problems = []
    for path in sorted(Path(folder).glob(f"*{RESULTS_SUFFIX}")):
        data = read_results(path)
        notebook = path.name.removesuffix(RESULTS_SUFFIX)
        tables = sorted({str(r.get("name") or f"call {r.get('call')}") for r in data.get("disclosure_log", [])
                         if r.get("audience", "public") != wanted})
        recorded = sorted(str(r.get("key")) for r in data.get("results", []) if r.get("audience", "public") != wanted)
        for what, names in (("table(s)", tables), ("result(s)", recorded)):
            if names:
                problems.append(f"{notebook}: {what} {', '.join(names)} disclosed for another audience than this "
                                f"{wanted} report; disclose with the cohort's rules (rules=cfg.disclosure)")
        unbased = sorted({str(r.get("name") or f"call {r.get('call')}") for r in data.get("disclosure_log", [])
                          if r.get("basis") == "qualitative" and not r.get("bases_given") and wanted == "public"})
        if unbased:  # in public a group is shown only where it is large enough: its size must be known
            problems.append(f"{notebook}: qualitative table(s) {', '.join(unbased)} disclosed without the size of each "
                            "group, so a public report cannot show that every group shown is large enough; give "
                            "bases= (e.g. bases='Participants interviewed')")
    return problems


def release_check(config: CohortConfig, folder: str | Path) -> ReleaseCheck:
    """The release gate: disclosure settings at least the public minimums, every table and result disclosed for
    the cohort's audience, the leak audit passes over the whole folder, every table shown was disclosed and no
    file holds an absolute path of this machine."""
    folder = Path(folder)
    reasons = [*disclosure_rule_problems(config.disclosure, config.path.name), *audience_problems(config, folder),
               *leak_audit(config, [folder]), *disclosure_problems(folder), *path_problems(folder, _path_markers(config.root))]
    if not list(folder.glob("[0-9][0-9]_*.ipynb")):
        reasons.append("the report folder holds no executed notebooks, so nothing could be checked.")
    return ReleaseCheck(not reasons, tuple(reasons), _now())
