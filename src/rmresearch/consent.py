"""Consent per use: who may be quoted, who may be linked to records.

The participants table records two consents (``consent_interview`` and
``consent_records``); a cohort may also withdraw a participant later with the
``withdrawn`` option::

    options:
      withdrawn: [P012, {id: P020, date: 2025-02-01}]

A withdrawn participant is excluded from interview use *and* from records
linkage. Whatever a person did not consent to must not reach any output,
including exports for coders (DOMAIN.md section 8): their words stay only in
the raw transcripts, and their records are treated as unlinked.

>>> import pandas as pd
>>> p = pd.DataFrame({"participant_id": ["P001", "P002", "P003"],
...                   "consent_interview": [True, False, True],
...                   "consent_records": [True, True, False]})
>>> consent_exclusions(None, p)  # doctest: +NORMALIZE_WHITESPACE
  participant_id  interview  records                         reason
0           P002       True    False    no consent to interview use
1           P003      False     True  no consent to records linkage
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Iterable

import pandas as pd

from .errors import AnalysisError, ConfigError

__all__ = [
    "consent_exclusions",
    "excluded_from_interviews",
    "excluded_from_records",
    "withdrawals",
    "consent_summary",
    "withhold_turns",
    "remap_codings",
    "Withheld",
    "remap_offsets",
    "WITHHELD_MARKER",
    "EXCLUSION_COLUMNS",
    "RECORD_ID_COLUMNS",
    "unlink_records",
    "unlinkable",
    "consent_problems",
    "stale_anonymised",
    "stale_turns",
    "stale_in_texts",
]

EXCLUSION_COLUMNS = ["participant_id", "interview", "records", "reason"]
#: What replaces the spoken text of a turn whose speaker did not consent to interview use (or withdrew).
WITHHELD_MARKER = "[turn withheld: no consent for interview use]"


def _participants(config, participants: pd.DataFrame | None) -> pd.DataFrame:
    if participants is not None:
        return participants
    if config is None:
        raise AnalysisError("consent_exclusions needs a cohort configuration or a participants table")
    from .inputs import load_table

    return load_table(config, "participants")


def _date(value: Any, source: str, pid: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(
            f"{source}: options.withdrawn: the date for {pid} must look like 2025-02-01, not {value!r}."
        ) from None


def withdrawals(config, participants: pd.DataFrame | None = None) -> dict[str, dt.date | None]:
    """Participants withdrawn by the cohort option ``withdrawn``: ID -> date (or None).

    Accepts a list of IDs or of ``{id: P020, date: 2025-02-01}`` mappings (a
    ``reason`` key is allowed and ignored here). An ID that is not in the
    participants table is a :class:`~rmresearch.errors.ConfigError` naming it.
    """
    options = getattr(config, "options", None) or {}
    raw = options.get("withdrawn")
    if raw is None:
        return {}
    source = f"{getattr(config, 'path', 'cohort configuration')}"
    if isinstance(raw, (str, dict)):
        raw = [raw]
    if not isinstance(raw, list):
        raise ConfigError(
            f"{source}: options.withdrawn must be a list of participant IDs or of {{id: P020, date: 2025-02-01}}, "
            f"not {type(raw).__name__}."
        )
    out: dict[str, dt.date | None] = {}
    for i, item in enumerate(raw, start=1):
        if isinstance(item, dict):
            unknown = set(item) - {"id", "date", "reason"}
            if unknown or "id" not in item:
                raise ConfigError(
                    f"{source}: options.withdrawn entry {i} must have 'id' (and optionally 'date'), "
                    f"found keys {', '.join(sorted(map(str, item))) or 'none'}."
                )
            pid, when = item["id"], item.get("date")
            if not isinstance(pid, (str, int)) or isinstance(pid, bool):
                raise ConfigError(f"{source}: options.withdrawn entry {i}: 'id' must be one participant ID, not {pid!r}.")
        elif isinstance(item, (str, int)) and not isinstance(item, bool):
            pid, when = item, None
        else:
            raise ConfigError(
                f"{source}: options.withdrawn entry {i} must be a participant ID or {{id: P020, date: 2025-02-01}}, "
                f"not {item!r}."
            )
        pid = str(pid).strip()
        if not pid:
            raise ConfigError(f"{source}: options.withdrawn entry {i} has an empty participant ID.")
        out[pid] = _date(when, source, pid)
    if out:
        table = _participants(config, participants)
        known = set(table["participant_id"].astype(str))
        missing = [pid for pid in out if pid not in known]
        if missing:
            raise ConfigError(
                f"{source}: options.withdrawn names participant(s) not in the participants table: "
                f"{', '.join(missing)}. Use the participant_id column's values (e.g. {next(iter(sorted(known)), 'P001')})."
            )
    return out


def consent_exclusions(config, participants: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per excluded participant: ``participant_id, interview, records, reason``.

    ``interview`` is True when the person's interview words may not be used
    (no ``consent_interview``, or withdrawn); ``records`` is True when their
    institutional records may not be linked (no ``consent_records``, or
    withdrawn). ``reason`` says why, in words a reader of ``validate`` follows.
    """
    table = _participants(config, participants)
    withdrawn = withdrawals(config, table) if config is not None else {}
    rows = []
    for _, rec in table.iterrows():
        pid = str(rec["participant_id"])
        no_interview = "consent_interview" in rec and not _consented(rec["consent_interview"])
        no_records = "consent_records" in rec and not _consented(rec["consent_records"])
        reasons = []
        if pid in withdrawn:
            when = withdrawn[pid]
            reasons.append(f"withdrawn on {when.isoformat()}" if when else "withdrawn")
        if no_interview:
            reasons.append("no consent to interview use")
        if no_records:
            reasons.append("no consent to records linkage")
        if reasons:
            rows.append({
                "participant_id": pid,
                "interview": bool(no_interview or pid in withdrawn),
                "records": bool(no_records or pid in withdrawn),
                "reason": "; ".join(reasons),
            })
    return pd.DataFrame(rows, columns=EXCLUSION_COLUMNS).astype({"interview": bool, "records": bool})


def _consented(value: Any) -> bool:
    """A consent cell as read by the schema (bool); anything missing or unclear is *not* consent."""
    if isinstance(value, bool):
        return value
    if value is None or (isinstance(value, float) and value != value):
        return False
    try:
        if pd.isna(value):
            return False
    except (TypeError, ValueError):
        pass
    if isinstance(value, str):
        return value.strip().lower() in ("yes", "y", "true", "1")
    return bool(value)


def excluded_from_interviews(config, participants: pd.DataFrame | None = None) -> set[str]:
    """Participant IDs whose interview words may not reach any output."""
    ex = consent_exclusions(config, participants)
    return set(ex.loc[ex["interview"], "participant_id"])


def excluded_from_records(config, participants: pd.DataFrame | None = None) -> set[str]:
    """Participant IDs whose institutional records may not be linked (treated as unlinked)."""
    ex = consent_exclusions(config, participants)
    return set(ex.loc[ex["records"], "participant_id"])


def consent_summary(exclusions: pd.DataFrame) -> str:
    """One line for ``validate``: how many are excluded and why."""
    if exclusions.empty:
        return "consent: every participant consented to interview use and records linkage"
    withdrawn = exclusions["reason"].str.contains("withdrawn")
    interview_nc = exclusions["interview"] & ~withdrawn
    records_nc = exclusions["records"] & ~withdrawn
    parts = [
        f"{int(interview_nc.sum())} participant(s) excluded from interview use (no consent)",
        f"{int(records_nc.sum())} from records linkage (no consent)",
        f"{int(withdrawn.sum())} withdrawn (excluded from both)",
    ]
    return "consent: " + ", ".join(parts)


@dataclass(frozen=True)
class Withheld:
    """A transcript with the turns of excluded speakers withheld (see :func:`withhold_turns`).

    ``spans`` holds ``(old_start, old_end, new_start, new_end)`` of every
    replaced passage: offsets into the text before and after withholding.
    """

    text: str
    spans: tuple[tuple[int, int, int, int], ...]

    def overlaps_old(self, start: int, end: int) -> bool:
        """Whether the passage ``start:end`` of the original text touches a withheld turn."""
        return any(max(start, a) < min(end, b) for a, b, _, _ in self.spans)

    def overlaps_new(self, start: int, end: int) -> bool:
        """Whether the passage ``start:end`` of the withheld text touches a marker."""
        return any(max(start, a) < min(end, b) for _, _, a, b in self.spans)


def withhold_turns(text: str, excluded: Iterable[str], *, marker: str = WITHHELD_MARKER) -> Withheld:
    """Replace the spoken text of every turn by an excluded speaker with ``marker``.

    A turn belongs to an excluded speaker when its speaker label is their
    participant ID (``P07`` or the anonymiser's tag ``[P07]``, in any case, or a
    label with that ID as one of its words, ``P07 (senior leader)``). Lines without
    a label that follow such a turn (a turn continued on the next line or
    paragraph) are withheld too, until the next labelled line. The speaker
    label and the line structure are kept, so turn numbers and segment IDs do
    not change; applying it twice changes nothing more.

    >>> w = withhold_turns("Interviewer: Hi.\\n[P07]: My words.\\nmore of mine\\nP08: Fine.", {"P07"})
    >>> print(w.text)
    Interviewer: Hi.
    [P07]: [turn withheld: no consent for interview use]
    [turn withheld: no consent for interview use]
    P08: Fine.
    """
    from .coding.segments import _lines, _trim, split_speaker

    excluded = {str(e).strip().casefold() for e in excluded}
    if not excluded:
        return Withheld(text, ())
    ranges: list[tuple[int, int]] = []
    current_excluded = False
    for a, b in _lines(text):
        line = text[a:b]
        if not line.strip():
            continue  # a blank line keeps the current speaker (a turn may run over paragraphs)
        speaker, offset = split_speaker(line)
        if speaker is not None:
            # "[P07]", "p07" typed by hand, "P07 (senior leader)": any word of the label that is an excluded ID
            current_excluded = any(word in excluded for word in re.findall(r"\w+", speaker.casefold()))
        if not current_excluded:
            continue
        s, e = _trim(text, a + offset, b)
        if e > s:  # else a label with nothing said
            ranges.append((s, e))
    return splice_withheld(text, ranges, marker)


def splice_withheld(text: str, ranges: list[tuple[int, int]], marker: str = WITHHELD_MARKER) -> Withheld:
    """``text`` with each (start, end) range, in order and not overlapping, replaced by ``marker``; the spans say
    where each went (old start, old end, new start, new end), for :func:`remap_codings`.

    >>> w = splice_withheld("ab cd ef", [(3, 5)], "X")
    >>> w.text, w.spans
    ('ab X ef', ((3, 5, 3, 4),))
    """
    pieces, spans, pos, new_len = [], [], 0, 0
    for s, e in ranges:
        pieces.append(text[pos:s])
        new_len += s - pos
        pieces.append(marker)
        spans.append((s, e, new_len, new_len + len(marker)))
        new_len += len(marker)
        pos = e
    pieces.append(text[pos:])
    return Withheld("".join(pieces), tuple(spans))


def remap_codings(codings: pd.DataFrame, withheld: dict) -> tuple[pd.DataFrame, int]:
    """Codings (``document``, ``start``, ``end``...) without those touching a withheld turn, offsets re-mapped to the
    withheld texts (``withheld`` maps a document to :func:`withhold_turns`' result); and how many were dropped."""
    keep, starts, ends = [], [], []
    for d, s, e in zip(codings["document"], codings["start"], codings["end"]):
        mapped = remap_offsets(withheld[d], int(s), int(e)) if d in withheld else (int(s), int(e))
        keep.append(mapped is not None)
        if mapped is not None:
            starts.append(mapped[0])
            ends.append(mapped[1])
    out = codings.loc[keep].copy()
    out["start"] = pd.Series(starts, index=out.index, dtype="int64")
    out["end"] = pd.Series(ends, index=out.index, dtype="int64")
    return out.reset_index(drop=True), int(len(codings) - len(out))


def remap_offsets(withheld: Withheld, start: int, end: int) -> tuple[int, int] | None:
    """Offsets of the passage ``start:end`` of the original text in the withheld text.

    ``None`` when the passage touches a withheld turn (it must be dropped).
    """
    if withheld.overlaps_old(start, end):
        return None
    shift_start = shift_end = 0
    for a, b, na, nb in withheld.spans:
        delta = (nb - na) - (b - a)
        if b <= start:
            shift_start += delta
        if b <= end:
            shift_end += delta
    return start + shift_start, end + shift_end


def restore_offsets(withheld: Withheld, start: int, end: int) -> tuple[int, int] | None:
    """The inverse of :func:`remap_offsets`: offsets of the passage ``start:end`` of the withheld text in the
    original text, ``None`` when it touches a marker.

    >>> w = Withheld("A: [withheld]\\nB: yes", ((3, 8, 3, 13),))
    >>> restore_offsets(w, 17, 20), remap_offsets(w, 12, 15)
    ((12, 15), (17, 20))
    """
    if withheld.overlaps_new(start, end):
        return None
    shift_start = shift_end = 0
    for a, b, na, nb in withheld.spans:
        delta = (b - a) - (nb - na)
        if nb <= start:
            shift_start += delta
        if nb <= end:
            shift_end += delta
    return start + shift_start, end + shift_end


#: The participants column that links a participant to their row(s) in each records table.
RECORD_ID_COLUMNS = {"students": "student_id", "staff": "staff_id"}


def unlink_records(config, table: str, frame: pd.DataFrame, participants: pd.DataFrame | None = None) -> pd.DataFrame:
    """Records of participants without consent to records linkage (or withdrawn) treated as unlinked.

    ``table`` is ``"students"`` or ``"staff"``; a participant's record is the
    row(s) whose ``student_id``/``staff_id`` is in the participant's
    ``student_id``/``staff_id`` column of the participants table. Those rows get
    ``mentored = False``: the person counts as not linked to the scheme (they
    are neither a mentored student/staff member nor excluded by name). The copy
    returned carries ``attrs["consent_unlinked"]``, the number of people
    unlinked (records found for excluded participants).

    >>> p = pd.DataFrame({"participant_id": ["P1", "P2"], "consent_records": [True, False],
    ...                   "student_id": ["s1", "s2"]})
    >>> s = pd.DataFrame({"student_id": ["s1", "s2", "s3"], "mentored": [True, True, False]})
    >>> out = unlink_records(None, "students", s, p)
    >>> out["mentored"].tolist(), out.attrs["consent_unlinked"]
    ([True, False, False], 1)
    """
    column = RECORD_ID_COLUMNS[table]
    out = frame.copy()
    out.attrs["consent_unlinked"] = 0
    people = _participants(config, participants)
    if column not in people.columns or column not in out.columns or "mentored" not in out.columns:
        return out
    excluded = excluded_from_records(config, people)
    ids = people.loc[people["participant_id"].astype(str).isin(excluded), column].dropna().astype(str).str.strip()
    ids = set(ids[ids != ""])
    if not ids:
        return out
    hit = out[column].astype(str).str.strip().isin(ids)
    out.loc[hit, "mentored"] = False
    out.attrs["consent_unlinked"] = int(out.loc[hit, column].nunique())
    return out


def unlinkable(config, participants: pd.DataFrame | None = None) -> list[str]:
    """Participants without consent to records linkage whose records cannot be found (no student_id/staff_id).

    Their records, if the institution flagged them as mentored, cannot be
    unlinked by rmresearch: ``validate`` warns about them.
    """
    people = _participants(config, participants)
    excluded = excluded_from_records(config, people)
    if not excluded:
        return []
    linked = pd.Series(False, index=people.index)
    for column in RECORD_ID_COLUMNS.values():
        if column in people.columns:
            linked |= people[column].notna() & (people[column].astype(str).str.strip() != "")
    found = set(people.loc[linked, "participant_id"].astype(str))
    return sorted(excluded - found)


def consent_problems(config, participants: pd.DataFrame | None = None, tables: dict | None = None) -> list:
    """Problems ``validate`` lists about consent: a bad ``withdrawn`` option; records that cannot be unlinked.

    ``tables`` (the validated ``students``/``staff`` tables, optional) lets it check that the record ID of
    everyone who declined linkage is found there (a number that lost its leading zeros would not be).
    """
    from .errors import Problem

    people = _participants(config, participants)
    if "cohort" in people.columns and (people["cohort"].astype(str) == config.cohort).any():
        people = people.loc[people["cohort"].astype(str) == config.cohort]
    source = str(config.path)
    try:
        withdrawals(config, people)
    except ConfigError as exc:
        return [Problem(source, str(exc).removeprefix(f"{source}: "), column="options.withdrawn")]
    problems = []
    records = [t for t in RECORD_ID_COLUMNS if config.inputs.get(t) is not None]
    missing = unlinkable(config, people) if records else []
    if missing:
        problems.append(Problem(
            str(config.input_path("participants")),
            f"{len(missing)} participant(s) without consent to records linkage ({', '.join(missing[:8])}"
            f"{' ...' if len(missing) > 8 else ''}) have no {' or '.join(RECORD_ID_COLUMNS[t] for t in records)}, so "
            f"their {' and '.join(records)} records cannot be unlinked: add their IDs so their records are not "
            "counted as mentored, or check the mentored flags were set without them",
            column=" / ".join(RECORD_ID_COLUMNS[t] for t in records), severity="warning"))
    excluded = excluded_from_records(config, people)
    for table, frame in (tables or {}).items():
        column = RECORD_ID_COLUMNS.get(table)
        if column is None or column not in people.columns or column not in frame.columns:
            continue
        known = set(frame[column].dropna().astype(str).str.strip())
        declined = people.loc[people["participant_id"].astype(str).isin(excluded)]
        for pid, value, row in zip(declined["participant_id"], declined[column], declined.get("_row", [None] * len(declined))):
            value = "" if value is None or pd.isna(value) else str(value).strip()
            if value and value not in known:
                problems.append(Problem(
                    str(config.input_path("participants")),
                    f"{pid} did not consent to records linkage, but their {column} '{value}' is not in the {table} "
                    f"table ({config.input_path(table)}), so their record cannot be unlinked: correct the number "
                    "(leading zeros, spaces, another format) so it matches the records",
                    row=None if row is None else int(row), column=column, severity="warning"))
    stale = stale_anonymised(config, people)
    if stale:
        folder = config.outputs["anonymised"]
        problems.append(Problem(
            str(folder),
            f"{sum(stale.values())} turn(s) in {len(stale)} anonymised transcript(s) are spoken by participants "
            "without consent to interview use (or withdrawn) and are still there: this folder is shareable, so run "
            "`rmresearch anonymise run` to withhold them (reports and exports already leave them out)",
            severity="warning"))
    return problems


def stale_anonymised(config, participants: pd.DataFrame | None = None) -> dict[str, int]:
    """Anonymised transcripts that still hold turns of excluded speakers: ``{file name: turns}``.

    After a withdrawal (or a consent corrected to no) the anonymised copies keep the person's words until
    ``anonymise run`` is run again.
    """
    from pathlib import Path

    folder = Path(config.outputs["anonymised"])
    if not folder.is_dir():
        return {}
    excluded = excluded_from_interviews(config, participants)
    if not excluded:
        return {}
    out = {}
    for path in sorted(folder.glob("*.txt")):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue  # unreadable files are reported where they are read
        withheld = withhold_turns(text, excluded)
        n = sum(1 for a, b, _, _ in withheld.spans if text[a:b] != WITHHELD_MARKER)
        if n:
            out[path.name] = n
    return out


def stale_turns(config, files=None, participants: pd.DataFrame | None = None) -> list[tuple[str, str, Any, int, int]]:
    """Who still speaks in the anonymised copies though they may no longer be quoted.

    One row ``(participant ID, why, file, turns, first line)`` per excluded speaker and
    anonymised transcript (``files``: default every ``.txt`` of ``outputs.anonymised``);
    ``why`` is ``"withdrew"`` or ``"gave no interview consent"``. Only IDs and file names,
    never the words, so the rows may be printed.
    """
    from pathlib import Path

    folder = Path(config.outputs["anonymised"])
    if files is None:
        files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    texts = {}
    for path in map(Path, files):
        try:
            texts[path] = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue  # unreadable files are reported where they are read
    return stale_in_texts(config, texts, participants)


def stale_in_texts(config, texts: dict, participants: pd.DataFrame | None = None) -> list[tuple[str, str, Any, int, int]]:
    """:func:`stale_turns` for texts already read: ``texts`` maps a place (a path, an archive member) to its text."""
    if not texts:
        return []
    table = _participants(config, participants)
    excluded = excluded_from_interviews(config, table)
    if not excluded:
        return []
    withdrawn = withdrawals(config, table)
    out = []
    for place, text in texts.items():
        for pid in sorted(excluded):
            withheld = withhold_turns(text, {pid})
            spans = [a for a, b, _, _ in withheld.spans if text[a:b] != WITHHELD_MARKER]
            if spans:
                why = "withdrew" if pid in withdrawn else "gave no interview consent"
                out.append((pid, why, place, len(spans), text.count("\n", 0, min(spans)) + 1))
    return out
