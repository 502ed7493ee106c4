"""Reading a REFI-QDA project as its producer wrote it: the units of selection positions, sets, case variables.

Positions. The REFI-QDA standard counts a ``PlainTextSelection``'s ``startPosition``/``endPosition`` in characters
of the plain text, but producers count characters differently. NVivo (a .NET program) counts UTF-16 code units, so
a character outside the Basic Multilingual Plane (an emoji, a flag, some CJK) counts 2; QualCoder (Python), MAXQDA,
ATLAS.ti, Taguette and rmresearch count code points (Python's ``len``). :func:`producer_units` guesses the units from
the Project's ``origin`` attribute ("NVivo 12", "MAXQDA 2024"...); :func:`choose_units` then checks the guess against
the texts: where a source holds such characters, the reading that keeps more selections inside their text, then
matches more of the selections' names (NVivo and QualCoder name a selection by its text), then splits fewer characters
wins, with a warning when the evidence overrules the producer; when the evidence is even the producer's units stay.

>>> text = "Hi \\U0001F600 there"
>>> Units.of(text).to_code_points(6, end=False), len(text[:5])  # 'there' starts at UTF-16 unit 6, code point 5
(5, 5)
>>> producer_units("NVivo 12 (12.6.1)")
('NVivo', 'UTF-16 code units')
>>> producer_units("MAXQDA 2024")
('MAXQDA', 'code points')
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

__all__ = ["UTF16", "CODE_POINTS", "Units", "Selection", "UnitsChoice", "producer_units", "choose_units",
           "project_sets", "project_cases", "source_variables", "not_imported"]

UTF16 = "UTF-16 code units"
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
CODE_POINTS = "code points"
_Q = "{urn:QDA-XML:project:1.0}"

#: Producers by a word of their ``origin`` attribute, with the units their positions count (see the module notes).
_PRODUCERS = (
    ("nvivo", "NVivo", UTF16),
    ("maxqda", "MAXQDA", CODE_POINTS),
    ("atlas.ti", "ATLAS.ti", CODE_POINTS),
    ("atlasti", "ATLAS.ti", CODE_POINTS),
    ("qualcoder", "QualCoder", CODE_POINTS),
    ("taguette", "Taguette", CODE_POINTS),
    ("rmresearch", "rmresearch", CODE_POINTS),
)


def producer_units(origin: str | None) -> tuple[str, str]:
    """``(producer, units)`` from a Project's ``origin``; an unknown producer is taken at the standard's word
    (characters, i.e. code points)."""
    low = (origin or "").casefold()
    for word, producer, units in _PRODUCERS:
        if word in low:
            return producer, units
    return (f"unknown producer (origin '{origin}')" if origin else "unknown producer (no origin attribute)"), CODE_POINTS


@dataclass(frozen=True)
class Units:
    """A text's UTF-16 positions: ``bounds[i]`` is the UTF-16 offset of code point ``i`` (``bounds[-1]`` the text's
    UTF-16 length); ``None`` when every character is in the BMP (both countings agree)."""

    length: int
    bounds: np.ndarray | None

    @classmethod
    def of(cls, text: str) -> "Units":
        if not _ASTRAL.search(text):
            return cls(len(text), None)
        widths = 1 + (np.frombuffer(text.encode("utf-32-le"), dtype="<u4") > 0xFFFF).astype(np.int64)
        return cls(len(text), np.concatenate([[0], np.cumsum(widths)]))

    @property
    def wide(self) -> bool:
        """The text holds characters outside the BMP, so the two countings differ."""
        return self.bounds is not None

    @property
    def utf16_length(self) -> int:
        return self.length if self.bounds is None else int(self.bounds[-1])

    def splits(self, position: int) -> bool:
        """A UTF-16 position falls between the two halves of a surrogate pair (inside one character)."""
        if self.bounds is None or not 0 <= position <= self.utf16_length:
            return False
        i = int(np.searchsorted(self.bounds, position))
        return int(self.bounds[i]) != position

    def to_code_points(self, position: int, *, end: bool) -> int:
        """The code-point offset of a UTF-16 position (within ``0..utf16_length``). A position inside a character
        (between its surrogates) rounds outward: a start to the character's start, an end past it, so the
        selection keeps the whole character."""
        if self.bounds is None:
            return position
        i = int(np.searchsorted(self.bounds, position))
        if int(self.bounds[i]) == position:
            return i
        return i if end else i - 1


@dataclass(frozen=True)
class Selection:
    """One ``PlainTextSelection`` as written: its source, guid, positions, name and XML line."""

    doc: str
    guid: str
    start: int
    end: int
    name: str
    line: int


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _name_matches(name: str, passage: str) -> bool:
    """A selection's name is its passage (or the passage's first words, as tools shorten long ones)."""
    name = _norm(name).rstrip(".…").strip()
    passage = _norm(passage)
    return len(name) >= 3 and bool(passage) and (passage == name or passage.startswith(name))


@dataclass
class _Tally:
    units: str
    selections: int = 0
    outside: int = 0
    split: int = 0
    named: int = 0

    def say(self) -> str:
        split = " without splitting a character" if self.units == UTF16 else ""
        return (f"read as {self.units}: {self.selections - self.outside - self.split} of {self.selections} selection(s) "
                f"inside their text{split}, {self.named} whose name matches its text")


def _tally(units: str, selections: Iterable[Selection], texts: dict[str, str], measures: dict[str, Units]) -> _Tally:
    tally = _Tally(units)
    for s in selections:
        m = measures[s.doc]
        tally.selections += 1
        limit = m.utf16_length if units == UTF16 else m.length
        if not 0 <= s.start < s.end <= limit:
            tally.outside += 1
            continue
        if units == UTF16 and (m.splits(s.start) or m.splits(s.end)):
            tally.split += 1
            continue
        a, b = ((m.to_code_points(s.start, end=False), m.to_code_points(s.end, end=True)) if units == UTF16
                else (s.start, s.end))
        tally.named += _name_matches(s.name, texts[s.doc][a:b]) if s.name else 0
    return tally


@dataclass(frozen=True)
class UnitsChoice:
    """The units used for a project's positions, why, and the warning when the evidence overruled the producer."""

    producer: str
    expected: str
    units: str
    evidence: str
    warning: str | None = None


def choose_units(producer: str, expected: str, selections: list[Selection], texts: dict[str, str],
                 where: str) -> UnitsChoice:
    """Check the producer's units against the texts (see the module notes) and choose the units to read."""
    measures = {doc: Units.of(text) for doc, text in texts.items()}
    wide = [s for s in selections if measures[s.doc].wide]
    if not wide:
        n_wide = sum(m.wide for m in measures.values())
        where_wide = (f"{n_wide} source(s) hold characters outside the Basic Multilingual Plane (emoji and the like) "
                      "but no selection lies in one" if n_wide else
                      "no source holds characters outside the Basic Multilingual Plane (emoji and the like)")
        return UnitsChoice(producer, expected, expected,
                           f"{where_wide}, so UTF-16 code units and code points give the same positions")
    other = CODE_POINTS if expected == UTF16 else UTF16
    guess, alt = _tally(expected, wide, texts, measures), _tally(other, wide, texts, measures)
    n_src = len({s.doc for s in wide})
    evidence = (f"{len(wide)} selection(s) in {n_src} source(s) with characters outside the Basic Multilingual Plane; "
                f"{guess.say()}; {alt.say()}")
    # a reading that puts selections past their text is impossible, names are the text itself, a split character
    # is a slip a tool can make: compare in that order, and keep the producer's units when the evidence is even
    better = ((alt.outside, -alt.named, alt.split) < (guess.outside, -guess.named, guess.split))
    if not better:
        return UnitsChoice(producer, expected, expected, evidence)
    warning = (f"{where}: the project says it was written by {producer}, which counts positions in {expected}, but "
               f"its selections fit {other} ({evidence}); positions were read as {other}. Check a few codings "
               "against the text in your QDA software.")
    return UnitsChoice(producer, expected, other, evidence, warning)


# --------------------------------------------------------------------------- sets


def project_sets(root, *, codes: dict[str, str], sources: dict[str, str], cases: dict[str, str],
                 skipped_sources: dict[str, str], where: str, warnings: list[str]) -> pd.DataFrame:
    """The project's ``Sets`` as rows ``set, kind, member`` (kind ``code``, ``source`` or ``case``; member the code
    name, document or case name). A member that is not imported (a note, a picture or PDF source, an unknown GUID)
    is named in ``warnings``."""
    rows = []
    sets_el = root.find(_Q + "Sets")
    for st in sets_el.findall(_Q + "Set") if sets_el is not None else []:
        name = st.get("name") or st.get("guid")
        missed: list[str] = []
        for member in st:
            if not isinstance(member.tag, str):  # an XML comment or processing instruction
                continue
            guid = (member.get("targetGUID") or "").strip("{}").lower()
            tag = member.tag[len(_Q):] if member.tag.startswith(_Q) else member.tag
            if tag == "MemberCode" and guid in codes:
                rows.append({"set": name, "kind": "code", "member": codes[guid]})
            elif tag == "MemberSource" and guid in sources:
                rows.append({"set": name, "kind": "source", "member": sources[guid]})
            elif tag == "MemberSource" and guid in cases:
                rows.append({"set": name, "kind": "case", "member": cases[guid]})
            elif tag == "MemberSource" and guid in skipped_sources:
                missed.append(f"source {skipped_sources[guid]} (not a text source)")
            elif tag == "MemberNote":
                missed.append(f"note {guid}")
            elif tag != "Description":
                missed.append(f"{tag} {guid} (no such {'code' if tag == 'MemberCode' else 'source'} in the project)")
        if missed:
            warnings.append(f"{where}: set '{name}': {len(missed)} member(s) not imported: " + "; ".join(missed[:5])
                            + ("; ..." if len(missed) > 5 else ""))
    return pd.DataFrame(rows, columns=["set", "kind", "member"])


# --------------------------------------------------------------------------- cases and variables


def _bool(text: str) -> bool:
    low = text.strip().lower()
    if low not in ("true", "false", "1", "0"):
        raise ValueError(text)
    return low in ("true", "1")


#: How a value's text is read for each ``typeOfVariable``.
_READ = {"Text": str, "Boolean": _bool, "Integer": int, "Float": float,
         "Date": lambda t: dt.date.fromisoformat(t.strip()[:10]), "DateTime": lambda t: pd.Timestamp(t.strip())}


def _typed_column(values: pd.Series, kind: str) -> pd.Series:
    """A variable's column in the dtype its ``typeOfVariable`` says (whole numbers stay whole, dates are dates)."""
    if kind == "Integer":
        return values.astype("Int64")
    if kind == "Boolean":
        return values.astype("boolean")
    if kind == "Float":
        return values.astype("float64")
    if kind in ("Date", "DateTime"):
        stamps = [v for v in values if isinstance(v, pd.Timestamp)]
        return pd.to_datetime(values, utc=any(s.tzinfo is not None for s in stamps))
    return values


def _case_value(vv, variables: dict[str, tuple[str, str]], case_name: str, where: str, warnings: list[str],
                what: str = "case"):
    """``(column, value)`` of one ``VariableValue`` read as its variable's declared type, or ``None`` (with a
    warning) when it names no declared variable; a value that is not of that type is left empty, with a warning."""
    ref = vv.find(_Q + "VariableRef")
    guid = (ref.get("targetGUID") if ref is not None else "") or ""
    var = variables.get(guid.strip("{}").lower())
    value_el = next((c for c in vv if isinstance(c.tag, str) and c.tag != _Q + "VariableRef"), None)
    if var is None:
        warnings.append(f"{where}: {what} '{case_name}' (line {vv.sourceline}): a value of variable {guid or '(none)'}, "
                        "which the project's Variables do not declare; not imported")
        return None
    column, kind = var
    if value_el is None or value_el.text is None:
        return column, None
    try:
        return column, _READ.get(kind, str)(value_el.text)
    except (ValueError, TypeError, OverflowError):
        warnings.append(f"{where}: {what} '{case_name}' (line {value_el.sourceline}): {column} = {value_el.text!r} is "
                        f"not of the type {kind} its variable is declared with; left empty")
        return column, None


def _variables(root) -> dict[str, tuple[str, str]]:
    """``{guid: (column name, typeOfVariable)}``; a name that is also ``case`` or ``sources`` gets ``(variable)``, a
    repeated name its number (``Role (2)``)."""
    out, used = {}, {"case", "sources"}
    for v in root.iter(_Q + "Variable"):
        name = v.get("name") or v.get("guid")
        column, k = (f"{name} (variable)" if name in used and name in ("case", "sources") else name), 2
        while column in used:
            column, k = f"{name} ({k})", k + 1
        used.add(column)
        kind = v.get("typeOfVariable") if v.get("typeOfVariable") in _READ else "Text"
        out[(v.get("guid") or "").strip("{}").lower()] = (column, kind)
    return out


def project_cases(root, source_docs: dict[str, str], *, where: str, warnings: list[str]) -> tuple[pd.DataFrame, dict]:
    """One row per ``Case``: ``case`` (its name), one column per declared variable in its type, and ``sources`` (the
    documents it refers to); and ``{variable: typeOfVariable}``."""
    variables = _variables(root)
    rows, refs_missed = [], 0
    cases_el = root.find(_Q + "Cases")
    for case in (cases_el.findall(_Q + "Case") if cases_el is not None else []):
        row = {"case": case.get("name") or case.get("guid")}
        for vv in case.findall(_Q + "VariableValue"):
            got = _case_value(vv, variables, row["case"], where, warnings)
            if got is not None:
                row[got[0]] = got[1]
        row["sources"] = "; ".join(sorted(source_docs.get((r.get("targetGUID") or "").strip("{}").lower(), "")
                                          for r in case.findall(_Q + "SourceRef")))
        refs_missed += len(case.findall(_Q + "CodeRef")) + len(case.findall(_Q + "SelectionRef"))
        rows.append(row)
    if refs_missed:
        warnings.append(f"{where}: {refs_missed} CodeRef/SelectionRef link(s) of cases to codes or selections not "
                        "imported (cases keep their variables and sources)")
    # a variable only sources carry (MAXQDA's document variables) is a column of source_variables, not of cases
    on_sources = {(ref.get("targetGUID") or "").strip("{}").lower() for src in root.iter(_Q + "TextSource")
                  for ref in src.iterfind(f"{_Q}VariableValue/{_Q}VariableRef")}
    kept = [(name, kind) for guid, (name, kind) in variables.items()
            if guid not in on_sources or any(name in r for r in rows)]
    cases = pd.DataFrame(rows, columns=["case", *(name for name, _ in kept), "sources"])
    for name, kind in kept:
        cases[name] = _typed_column(cases[name], kind)
    return cases, {name: kind for name, kind in variables.values()}


def not_imported(root, where: str) -> tuple[dict[str, str], list[str]]:
    """Sources that are not text (``{guid: name}``) and warnings for every part of the project not imported:
    picture, PDF, audio and video sources, links, graphs."""
    skipped, warnings = {}, []
    sources_el = root.find(_Q + "Sources")
    kinds: dict[str, int] = {}
    for src in sources_el if sources_el is not None else []:
        tag = src.tag[len(_Q):] if isinstance(src.tag, str) and src.tag.startswith(_Q) else None
        if tag and tag != "TextSource":
            skipped[(src.get("guid") or "").strip("{}").lower()] = src.get("name") or src.get("guid")
            kinds[tag] = kinds.get(tag, 0) + 1
    if kinds:
        warnings.append(f"{where}: " + ", ".join(f"{n} {k}(s)" for k, n in kinds.items())
                        + " not imported (rmresearch codes text sources only)")
    for tag, what in (("Links", "Link"), ("Graphs", "Graph")):
        el = root.find(_Q + tag)
        if el is not None and len(el.findall(_Q + what)):
            warnings.append(f"{where}: {len(el.findall(_Q + what))} {what}(s) not imported")
    return skipped, warnings


def source_variables(root, source_docs: dict[str, str], *, where: str, warnings: list[str]) -> pd.DataFrame:
    """Variables attached to text sources (MAXQDA's document variables): one row per source with any, ``document``
    then one column per variable used on sources, in its declared type."""
    variables = _variables(root)
    rows = []
    for src in root.iter(_Q + "TextSource"):
        values = src.findall(_Q + "VariableValue")
        doc = source_docs.get((src.get("guid") or "").strip("{}").lower())
        if not values or doc is None:
            continue
        row = {"document": doc}
        for vv in values:
            got = _case_value(vv, variables, doc, where, warnings, what="source")
            if got is not None:
                row[got[0]] = got[1]
        rows.append(row)
    used = [(name, kind) for name, kind in variables.values() if any(name in r for r in rows)]
    frame = pd.DataFrame(rows, columns=["document", *(name for name, _ in used)])
    for name, kind in used:
        frame[name] = _typed_column(frame[name], kind)
    return frame
