"""The audit itself: every identifier in shareable files, for one cohort or several.

:func:`audit_paths` searches files with given rosters, key originals and identifier formats;
:func:`audit_shareable` (what the report and the trends page call) and :func:`audit_cohort` take them from
cohort configurations and add the consent findings; :func:`audit_texts` checks loose texts (a figure's labels).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..patterns import compile_identifiers, find_patterns
from ..roster import Roster
from .findings import _PRIVATE_MARK, Finding, mask
from .needles import _Needles, _rosters
from .reading import MAX_AUDIT_BYTES, _clean, _name_text, _walk, text_units

__all__ = ["audit_paths", "audit_shareable", "audit_texts", "audit_cohort"]

_AUDIT_LABELS = ("EMAIL", "PHONE", "POSTCODE", "HANDLE")


def audit_paths(
    paths: Iterable[str | Path],
    *,
    roster: Roster | Iterable[Roster] | None = None,
    key_originals: Iterable[tuple[str, str]] = (),
    identifiers: dict | None = None,
    exclude: Iterable[str | Path] = (),
    private: Iterable[str | Path] = (),
) -> list[Finding]:
    """Every identifier found in the files under ``paths`` (folders are searched recursively).

    ``roster`` may be one roster or several (a trends page covers many cohorts).
    ``private`` files (the key, the review file) found under ``paths`` are findings
    themselves: they must never lie in a shareable folder. ``exclude`` files are
    skipped altogether.
    """
    from ...errors import InputError

    needles = _Needles(_rosters(roster), list(key_originals))
    ids = compile_identifiers(identifiers)
    excluded = {Path(p).resolve() for p in exclude}
    private_files = {Path(p).resolve() for p in private}
    files: list[tuple[Path, Path]] = []  # (file, audited root)
    for p in map(Path, paths):
        if p.is_dir():
            files += [(f, p) for f in _walk(p)]
        elif p.is_file():
            files.append((p, p.parent))
        else:
            raise InputError(f"{p}: no such file or folder to audit.")
    findings: list[Finding] = []
    manifests: dict[Path, dict[str, str]] = {}
    other_values = [(re.compile(r"(?<![\w@.])" + re.escape(o) + r"(?![\w@])", re.IGNORECASE), lbl) for o, lbl in needles.other]

    def scan(file: str, where: str, n: int, line: str, *, file_name: bool = False, own: frozenset = frozenset()) -> None:
        source = "file name" if file_name else None
        for text, src in needles.find(line, file_name=file_name, own=own):
            findings.append(Finding(file, n, "PERSON", mask(text), source or src, where or ("file name" if file_name else "")))
        for s in find_patterns(line, identifiers=ids, labels=_AUDIT_LABELS):
            findings.append(Finding(file, n, s.label, mask(s.text), source or "pattern", where or ("file name" if file_name else "")))
        for rx, lbl in other_values:
            for m in rx.finditer(line):
                findings.append(Finding(file, n, lbl, mask(m.group()), source or "key", where or ("file name" if file_name else "")))

    for f, root in files:
        resolved = f.resolve()
        if resolved in excluded:
            continue
        file = str(f)
        if resolved in private_files:
            findings.append(Finding(file, 0, _PRIVATE_MARK, "pseudonym key or review file in a shareable folder",
                                    "private"))
            continue
        try:
            rel = f.relative_to(root)
        except ValueError:
            rel = Path(f.name)
        for part in rel.parts:
            scan(file, "", 0, _name_text(part), file_name=True)
        if f.name == "pseudonym_key.json":
            findings.append(Finding(file, 0, _PRIVATE_MARK, "pseudonym key", "private"))
        own = _interviewee_names(f, needles.rosters, manifests)  # "thank you so much favour that's..." in her file
        try:
            for where, n, line in text_units(f, findings):
                if line.strip():
                    scan(file, where, n, line, file_name=bool(where) and n == 0, own=own)
        except OSError as exc:
            findings.append(Finding(file, 0, "UNREADABLE", f"(cannot be read: {exc.strerror or exc})", "format"))
    # One finding per place and value.
    unique = {(x.file, x.where, x.line, x.label, x.masked): x for x in findings}
    return list(unique.values())


def _interviewee_names(f: Path, rosters: list[Roster], manifests: dict) -> frozenset[str]:
    """Casefolded first names and aliases of the interviewee whom the anonymised manifest beside ``f``
    (``interview_manifest.csv``: document, participant_id) names for it; empty without one."""
    from ...coding.manifest import ANONYMISED_MANIFEST

    path = f.parent / ANONYMISED_MANIFEST
    if path not in manifests:
        manifests[path] = {}
        if path.is_file():
            try:
                frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
                frame = pd.DataFrame()
            if {"document", "participant_id"} <= set(frame.columns):
                manifests[path] = dict(zip(frame["document"], frame["participant_id"]))
    pid = manifests[path].get(f.name.removesuffix(".txt"))
    if not pid:
        return frozenset()
    frame = pd.DataFrame({"file": [f.name], "participant_id": [pid], "interviewer": [None]})
    return frozenset(w for r in rosters for w in r.own_names(frame, f.name))


def _cohort_needles(configs) -> tuple[list[Roster], list[tuple[str, str]], dict, list[Path]]:
    from ...errors import ConfigError
    from ..pseudonyms import PseudonymKey, key_path
    from ..review import review_path
    from ..roster import load_roster
    from .residual import residual_path

    rosters, originals, identifiers, private = [], [], {}, []
    for config in configs:
        kpath = key_path(config)
        if kpath.exists():
            originals += PseudonymKey.load(kpath, cohort=config.cohort, require_private=True).originals()
        rosters.append(load_roster(config))
        identifiers.update(config.options.get("identifiers") or {})
        private += [kpath, residual_path(config)]
        try:
            private.append(review_path(config))
        except ConfigError:  # a cohort without interviews has no review file
            pass
    return rosters, originals, identifiers, private


def _as_configs(config) -> list:
    return list(config) if isinstance(config, (list, tuple)) else [config]


def audit_shareable(configs, paths: Iterable[str | Path]) -> list[Finding]:
    """Audit shareable ``paths`` (files or folders) for one cohort or several (a list of configs).

    Every cohort's roster, key originals and identifier formats are looked for, and
    each cohort's key, review file and residual-candidates file are findings if they
    lie under ``paths``. This is the function the report and the trends page call.
    """
    configs = _as_configs(configs)
    rosters, originals, identifiers, private = _cohort_needles(configs)
    findings = audit_paths(list(paths), roster=rosters, key_originals=originals, identifiers=identifiers, private=private)
    return findings + _consent_findings(configs, [Path(p) for p in paths])


def _consent_findings(configs, paths: list[Path]) -> list[Finding]:
    """Turns of a participant who withdrew (or gave no interview consent) after the last ``anonymise run``, still in
    an audited transcript (``.txt``) or the sources of a ``.qdpx`` exported before: named by participant ID and file
    only.

    A transcript inside a cohort's anonymised folder is read with that cohort's consent; one elsewhere (a copy of
    the folder made for coders, an export) with the consent of the one cohort audited (with several, IDs are ambiguous).
    """
    from ...consent import stale_in_texts

    found = []
    for p in paths:
        candidates = _walk(p) if p.is_dir() else [p] if p.is_file() else []
        found += [f for f in candidates if f.suffix.lower() in (".txt", ".qdpx")]
    if not found:
        return []
    folders = {}
    for config in configs:
        folder = config.outputs.get("anonymised")
        if folder and Path(folder).is_dir():
            folders[id(config)] = Path(folder).resolve()
    own: dict[int, list[Path]] = {id(c): [] for c in configs}
    for f in found:
        real = f.resolve()
        home = next((c for c in configs if id(c) in folders and folders[id(c)] in real.parents), None)
        if home is None and len(configs) == 1:
            home = configs[0]
        if home is not None:
            own[id(home)].append(f)
    findings = []
    for config in configs:
        if not own[id(config)]:
            continue
        if config.inputs.get("participants") is None and not (config.options or {}).get("withdrawn"):
            continue
        texts = {}
        for f in own[id(config)]:
            texts.update(_transcript_texts(f))
        for pid, why, (path, member), n, line in stale_in_texts(config, texts):
            inside = id(config) in folders and folders[id(config)] in path.resolve().parents
            fix = (f"run `rmresearch anonymise run --cohort {config.cohort}`" if inside else
                   f"this copy predates it: delete it and share what `rmresearch anonymise run --cohort "
                   f"{config.cohort}` (or a new export) writes")
            findings.append(Finding(str(path), line, "CONSENT", f"{n} turn(s) of {pid}, who {why}, are still in "
                                    f"{path.name}: {fix}", "consent", member))
    return findings


def _transcript_texts(path: Path) -> dict[tuple[Path, str], str]:
    """``{(file, member): text}``: a ``.txt`` itself (member ``""``), or the ``sources/`` texts of a ``.qdpx``."""
    try:
        if path.suffix.lower() == ".txt":
            if path.stat().st_size > MAX_AUDIT_BYTES:
                return {}  # reported as too large by the audit itself
            return {(path, ""): path.read_text(encoding="utf-8-sig")}
        out, total = {}, 0
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if (not info.is_dir() and info.filename.lower().endswith(".txt")
                        and info.file_size <= MAX_AUDIT_BYTES and total + info.file_size <= 4 * MAX_AUDIT_BYTES):
                    total += info.file_size
                    out[(path, info.filename)] = archive.read(info).decode("utf-8-sig")
        return out
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError):
        return {}  # unreadable files and members are findings of the audit itself


_TEXT_NEEDLES: dict[tuple, tuple] = {}


def audit_texts(config, texts: Iterable[str], *, where: str = "figure") -> list[Finding]:
    """Identifiers in loose texts (a figure's labels before it is drawn), each text read as standing alone.

    The cohort's roster, key and identifier formats are read once per key version.
    """
    configs = _as_configs(config)
    from ..pseudonyms import key_path

    stamp = tuple((str(c.path), key_path(c).stat().st_mtime if key_path(c).exists() else 0) for c in configs)
    if stamp not in _TEXT_NEEDLES:
        rosters, originals, identifiers, _ = _cohort_needles(configs)
        _TEXT_NEEDLES.clear()
        _TEXT_NEEDLES[stamp] = (_Needles(rosters, originals), compile_identifiers(identifiers))
    needles, ids = _TEXT_NEEDLES[stamp]
    findings = []
    for text in texts:
        for line in str(text).split("\n"):
            # a tick label stands alone like a table cell: "May" on a time axis or a theme "Hope" is not taken
            # for a person of that name; a full name, a name that is no common word, or one inside a title is
            line = _clean(line)
            for found, src in needles.find(line):
                findings.append(Finding(where, 0, "PERSON", mask(found), src))
            for span in find_patterns(line, identifiers=ids, labels=_AUDIT_LABELS):
                findings.append(Finding(where, 0, span.label, mask(span.text), "pattern"))
    return list({(f.label, f.masked): f for f in findings}.values())


def audit_cohort(config, paths: Iterable[str | Path] | None = None) -> list[Finding]:
    """Audit ``paths`` (default: the cohort's anonymised folder) with its roster, key and identifier formats."""
    configs = _as_configs(config)
    targets = list(paths) if paths is not None else [c.outputs["anonymised"] for c in configs]
    return audit_shareable(configs, targets)
