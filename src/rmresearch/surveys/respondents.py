"""Who answered: survey respondents linked to participants, unfinished and repeated responses.

Real exports say who answered in the platform's own columns, not in a ``participant_id``:

- Qualtrics: ``ResponseId`` (``R_...``, the platform's number for one *response*: it cannot say who answered),
  ``ExternalReference`` (the "External Data Reference" of a contact list, e.g. the participant ID, filled when the
  survey was e-mailed, authenticated or sent as personal links) and ``RecipientEmail`` (the contact's e-mail);
- Microsoft Forms: ``ID`` (the response's number, 1, 2, 3...: not a person) and ``Email`` (the respondent's
  e-mail when the form records names; ``anonymous`` when anyone could respond).

:func:`identify` links each response to a ``participant_id`` through a column of the participants table
(``participant_id``, ``survey_id``, ``email`` or any other), given as a :class:`Link` (``--link
RecipientEmail=email`` on the command line; ``options: surveys: {link: {export: RecipientEmail, participants:
email}}`` in the cohort file). Without one it takes, in order, a ``participant_id`` column of the export, an
``ExternalReference`` holding participant IDs, an ID column matching the participants' ``survey_id``, an e-mail
column matching their ``email``; otherwise it names the ID-like columns it saw and the flag and option to use.
Values are compared ignoring case and spaces (``Jo.Bloggs@Uni.ac.uk `` is ``jo.bloggs@uni.ac.uk``). Responses carry
``participant_id`` only: e-mails never leave this module.

:func:`unfinished_rows` finds Qualtrics responses closed before the end (``Finished`` false, or ``Progress`` under
100: Qualtrics records an abandoned response as-is when its session expires); Forms records only submitted
responses. They are always flagged, and left out when ``exclude_unfinished`` is set.

:func:`repeated_responses`: a person answering one wave twice is an error naming both rows (two responses under one
e-mail or reference may be two people sharing it by mistake, which only the evaluator can tell), unless
``duplicates="keep_latest"``, which keeps each person's latest finished response and names the rows left out (a
re-take after an abandoned or superseded attempt).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import ConfigError, InputError, Problem
from ..io.surveys import RawExport, cell_text, normalise_label as _norm

__all__ = ["Link", "Respondents", "RespondentWarning", "DUPLICATE_RULES", "parse_link", "identify", "unfinished_rows", "drop_rows",
           "repeated_responses", "survey_settings", "LINK_ADVICE"]

#: What to do with a person who answered one wave more than once (``options.surveys.duplicates``).
DUPLICATE_RULES = ("error", "keep_latest")
#: How to say which column links respondents, in both places a user can say it.
LINK_ADVICE = ("--link EXPORT_COLUMN=PARTICIPANTS_COLUMN on 'rmresearch survey import' (cohort file: options: "
               "surveys: {link: {export: EXPORT_COLUMN, participants: PARTICIPANTS_COLUMN}})")

# kinds of ID-like export columns, by their header or question text with case, spaces and underscores removed
_KINDS = {
    "participantid": "participant", "participant": "participant",
    "externalreference": "reference", "externaldatareference": "reference",
    "responseid": "response", "id": "response",
    "recipientemail": "email", "email": "email", "emailaddress": "email",
}
_RESPONSE_ID = re.compile(r"R_[A-Za-z0-9]{8,}")


@dataclass(frozen=True)
class RespondentWarning(Problem):
    """A warning about who answered (unfinished or repeated responses): ``rmresearch validate`` lists these, while
    the warnings about answers (kept as given) are the report's."""


def _key(text: Any) -> str:
    return re.sub(r"[\s_]+", "", _norm(text))


def _match_key(value: Any) -> str | None:
    """How link values are compared: case and every space ignored (an e-mail typed ``Jo.Bloggs@Uni.ac.uk ``)."""
    text = cell_text(value)
    return None if text is None else "".join(text.split()).casefold()


@dataclass(frozen=True)
class Link:
    """Respondents linked by the export column ``export`` to the participants' column ``participants``."""

    export: str
    participants: str = "participant_id"

    def __str__(self) -> str:
        return f"{self.export}={self.participants}"


def parse_link(value: Any, where: str = "--link") -> Link | None:
    """A :class:`Link` from ``"RecipientEmail=email"``, ``{"export": ..., "participants": ...}`` or a Link.

    >>> parse_link("RecipientEmail = email")
    Link(export='RecipientEmail', participants='email')
    >>> parse_link({"export": "ExternalReference"})
    Link(export='ExternalReference', participants='participant_id')
    """
    if value is None or isinstance(value, Link):
        return value
    if isinstance(value, str):
        export, sep, column = value.partition("=")
        if export.strip() and (not sep or column.strip()):
            return Link(export.strip(), column.strip() or "participant_id")
    elif isinstance(value, Mapping) and set(value) <= {"export", "participants"} and isinstance(value.get("export"), str):
        column = value.get("participants", "participant_id")
        if isinstance(column, str) and value["export"].strip() and column.strip():
            return Link(value["export"].strip(), column.strip())
    raise ConfigError(f"{where}: {value!r} does not say how to link respondents; write the export column and the "
                      "participants' column, e.g. --link RecipientEmail=email (cohort file: options: surveys: {link: "
                      "{export: RecipientEmail, participants: email}}).")


def survey_settings(config) -> dict[str, Any]:
    """The cohort file's ``options.surveys`` as keyword arguments of :func:`~rmresearch.surveys.read_responses`.

    ``columns`` is written item -> export column in the cohort file (as ``--columns ITEM=COLUMN``) and turned into
    the export column -> item mapping ``read_responses`` takes.

    >>> from types import SimpleNamespace
    >>> survey_settings(SimpleNamespace(options={"surveys": {"link": {"export": "Email", "participants": "email"},
    ...     "exclude_unfinished": True, "columns": {"burden_1": "Q7"}}}))
    {'link': Link(export='Email', participants='email'), 'exclude_unfinished': True, 'columns': {'Q7': 'burden_1'}}
    """
    raw = (getattr(config, "options", None) or {}).get("surveys") or {}
    settings: dict[str, Any] = {}
    if raw.get("link") is not None:
        settings["link"] = parse_link(raw["link"], "options.surveys.link")
    for name in ("exclude_unfinished", "duplicates", "encoding"):
        if raw.get(name) is not None:
            settings[name] = raw[name]
    if raw.get("ignore"):
        settings["ignore"] = [str(c) for c in raw["ignore"]]
    if raw.get("columns"):
        settings["columns"] = {str(column): str(item) for item, column in raw["columns"].items()}
    return settings


# --------------------------------------------------------------------------- columns of the export


def _column_values(raw: RawExport, canonical: str, names: tuple[str, ...]) -> tuple[pd.Series, str] | None:
    """A platform column's cells (aligned to ``raw.body``) and its header: from ``raw.metadata`` when the reader set
    it aside there, else from the export's columns by header or question text."""
    metadata = getattr(raw, "metadata", None)
    wanted = {_key(n) for n in names}
    if isinstance(metadata, pd.DataFrame) and canonical in metadata.columns and len(metadata) == len(raw.body):
        header = next((c for c in raw.ids if _key(c) in wanted), canonical)
        return metadata[canonical].reset_index(drop=True).set_axis(raw.body.index), header
    if getattr(raw, "platform", ""):  # read_export set the platform's columns aside: one it did not is an item's
        return None
    for pool in (raw.ids, raw.texts):
        for index, name in enumerate(pool):
            if name and _key(name) in wanted and index in raw.body.columns:
                return raw.body[index], raw.ids[index]
    return None


def _find(raw: RawExport, wanted: str) -> int | None:
    key = _key(wanted)
    for pool in (raw.ids, raw.texts):
        for index, name in enumerate(pool):
            if name and _key(name) == key:
                return index
    return None


def _id_like(raw: RawExport) -> list[tuple[int, str]]:
    """(column index, kind) of every ID-like column of the export, in file order."""
    found = []
    for index, (col_id, text) in enumerate(zip(raw.ids, raw.texts)):
        kind = _KINDS.get(_key(col_id)) or (_KINDS.get(_key(text)) if text else None)
        if kind:
            found.append((index, kind))
    return found


def _described(raw: RawExport, index: int, kind: str) -> str:
    values = [v for v in raw.body[index].map(cell_text) if v is not None]
    if kind == "response" and values and all(_RESPONSE_ID.fullmatch(v) or v.isdigit() for v in values):
        what = "the platform's number for each response, not a person"
    elif kind == "email":
        what = "e-mails" if any("@" in v for v in values) else "no e-mails"
    else:
        what = f"{len(values)} value(s)" if values else "empty"
    return f"'{raw.ids[index]}' ({what})"


# --------------------------------------------------------------------------- linking


@dataclass
class Respondents:
    """Who answered each response row: ``ids`` (participant IDs, aligned to ``raw.body``), the export column read
    and a sentence saying how the link was made."""

    ids: pd.Series
    column: str
    link: Link
    description: str
    index: int = -1  # the export column's position in raw.ids


def _lookup(participants: pd.DataFrame, column: str, source: str) -> tuple[dict[str, str], list[Problem]]:
    """The participants' ``column`` values (compared ignoring case and spaces) -> participant_id."""
    lookup: dict[str, str] = {}
    problems: list[Problem] = []
    for value, pid in zip(participants[column], participants["participant_id"].astype(str)):
        key = _match_key(value)
        if key is None:
            continue
        if key in lookup and lookup[key] != pid:
            problems.append(Problem("the participants table", f"participants {lookup[key]} and {pid} share the {column} "
                                    f"'{cell_text(value)}', so survey responses linked by it cannot tell them apart; "
                                    f"correct the {column} column", column=column))
        lookup.setdefault(key, pid)
    return lookup, problems


def _matches(raw: RawExport, index: int, lookup: Mapping[str, str]) -> int:
    return sum(1 for v in raw.body[index] if _match_key(v) in lookup)


def _default_link(raw: RawExport, participants: pd.DataFrame | None, source: str) -> tuple[int, Link]:
    """The export column and participants' column linking respondents when none is configured."""
    seen = _id_like(raw)
    for index, kind in seen:
        if kind == "participant":
            return index, Link(raw.ids[index])
    columns = [] if participants is None else [c for c in ("participant_id", "survey_id", "email") if c in participants.columns]
    for index, kind in seen:
        if kind == "reference" and participants is None and raw.body[index].map(cell_text).notna().any():
            return index, Link(raw.ids[index])
    for column, kinds in (("participant_id", ("reference",)), ("survey_id", ("reference", "response")), ("email", ("email",))):
        if column not in columns:
            continue
        lookup, _ = _lookup(participants, column, source)
        for index, kind in seen:
            if kind in kinds and lookup and _matches(raw, index, lookup):
                return index, Link(raw.ids[index], column)
    raise InputError(_no_link_message(raw, seen, participants, source))


def _no_link_message(raw: RawExport, seen: list[tuple[int, str]], participants: pd.DataFrame | None, source: str) -> str:
    shown = ", ".join(_described(raw, i, k) for i, k in seen) or "none"
    kinds = {k for i, k in seen if raw.body[i].map(cell_text).notna().any()}  # columns the export left empty say nothing
    message = f"{source}: cannot tell who answered: no column links the responses to participants (ID-like columns: {shown}). "
    if kinds == {"response"}:
        message += ("A response number (Qualtrics ResponseId, Forms ID) cannot say who answered. Link people by their "
                    "participant ID as External Data Reference (Qualtrics: distribute through a contact list whose "
                    "ExternalDataReference is the participant_id; it is exported as ExternalReference), or by e-mail: "
                    "add an email column to the participants table and use --link RecipientEmail=email (Forms: "
                    "--link Email=email, with the form set to record names). ")
    elif "email" in kinds:
        email = next(raw.ids[i] for i, k in seen if k == "email" and raw.body[i].map(cell_text).notna().any())
        needs = ("give --cohort so the participants table is read, and " if participants is None
                 else "add an email column to the participants table (or correct its e-mails) and ")
        message += f"To link by e-mail, {needs}use --link {email}=email. "
    message += f"Say which column links them with {LINK_ADVICE}."
    return message


def _closest(raw: RawExport, wanted: str) -> str:
    """' (did you mean ...?)' naming the export's column of the same kind as ``wanted`` (an e-mail for an e-mail)."""
    kind = _KINDS.get(_key(wanted))
    same = [raw.ids[i] for i, k in _id_like(raw) if kind and k == kind and raw.body[i].map(cell_text).notna().any()]
    if not same:
        import difflib

        same = difflib.get_close_matches(wanted, [c for c in raw.ids if c], n=1)
    return f" (did you mean '{same[0]}'?)" if same else ""


def identify(raw: RawExport, participants: pd.DataFrame | None, link: Link | None, source: str) -> tuple[Respondents, list[Problem]]:
    """Link each response of ``raw`` to a participant; problems name the rows whose value links no one.

    Raises :class:`~rmresearch.errors.InputError` when no column can link respondents (naming the ID-like columns
    seen and the flag and option to use), when the configured export column is missing, or when the participants
    table lacks the configured column.
    """
    if link is None:
        index, link = _default_link(raw, participants, source)
        how = "by default"
    else:
        index = _find(raw, link.export)
        own = next((i for i, kind in _id_like(raw) if kind == "participant"), None)
        if index is None and own is not None:  # one link for every wave: a wave exported with participant IDs keeps them
            index, link = own, Link(raw.ids[own])
        if index is None:
            raise InputError(f"{source}: no column '{link.export}' to link respondents by (the link {link})"
                             f"{_closest(raw, link.export)}. Columns: {', '.join(c for c in raw.ids[:30] if c)}. "
                             f"Correct {LINK_ADVICE}.")
        how = "as configured"
    values = raw.body[index].map(cell_text)
    if participants is None:
        if link.participants != "participant_id":
            raise InputError(f"{source}: linking respondents by {link} needs the participants table: give --cohort "
                             "(the cohort whose participants answered).")
        ids = values.map(lambda v: v[:-2] if isinstance(v, str) and re.fullmatch(r"\d+\.0", v) else v)
        problems = _unlinked(raw, index, values, ids, link, source)
        return Respondents(ids, raw.ids[index], link, f"respondents are the participant IDs in '{raw.ids[index]}'", index), problems
    if link.participants not in participants.columns:
        raise InputError(f"{source}: the participants table has no '{link.participants}' column to link respondents "
                         f"by ({link}); add it (rmresearch schema participants lists the optional email and "
                         f"survey_id columns) or correct {LINK_ADVICE}.")
    lookup, problems = _lookup(participants, link.participants, source)
    ids = values.map(lambda v: lookup.get(_match_key(v)) if v is not None else None)
    problems += _unlinked(raw, index, values, ids, link, source)
    text = f"respondents linked {how} by the export's '{raw.ids[index]}' to the participants' {link.participants}"
    return Respondents(ids, raw.ids[index], link, text, index), problems


def _unlinked(raw: RawExport, index: int, values: pd.Series, ids: pd.Series, link: Link, source: str) -> list[Problem]:
    """Problems for responses with no value and for values that link no participant."""
    rows = np.asarray(raw.rows)
    column = raw.ids[index]
    problems = []
    anonymous = (values.str.casefold() == "anonymous").fillna(False).to_numpy()
    empty = values.isna().to_numpy()
    if empty.any():
        problems.append(Problem(source, f"no participant ID on row(s) {_rows_list(rows[empty])} ({column} is empty), so "
                                "who answered is unknown; every response needs one", row=int(rows[empty][0]), column=column))
    if anonymous.any():
        problems.append(Problem(source, f"{column} is 'anonymous' on row(s) {_rows_list(rows[anonymous])}: the form did "
                                "not record who answered (Microsoft Forms: set 'Only people in my organisation can "
                                "respond' with 'Record name'), so these responses cannot be linked to participants",
                                row=int(rows[anonymous][0]), column=column))
    unknown = (values.notna() & ids.isna()).to_numpy() & ~anonymous
    if unknown.any():
        listed = ", ".join(f"row {r} ('{v}')" for r, v in list(zip(rows[unknown], values[unknown]))[:8])
        more = " ..." if unknown.sum() > 8 else ""
        hint = ("; these are Qualtrics response numbers, not people: link by ExternalReference or e-mail instead"
                if all(_RESPONSE_ID.fullmatch(v) for v in values[unknown]) else "")
        problems.append(Problem(source, f"{column} value(s) matching no participant's {link.participants}: {listed}{more}"
                                f"{hint}. Correct the value or add the person (or their {link.participants}) to the "
                                "participants table", row=int(rows[unknown][0]), column=column))
    return problems


def _rows_list(rows, limit: int = 8) -> str:
    rows = [int(r) for r in rows]
    shown = ", ".join(map(str, rows[:limit]))
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


# --------------------------------------------------------------------------- unfinished and repeated responses


_FALSE = {"false", "0", "no", "f", "n"}


def _finished(raw: RawExport) -> pd.Series | None:
    """True/False per response: Qualtrics' ``Finished`` and ``Progress``; None when the export has neither."""
    finished = _column_values(raw, "finished", ("Finished",))
    progress = _column_values(raw, "progress", ("Progress",))
    if finished is None and progress is None:
        return None
    done = pd.Series(True, index=raw.body.index)
    if finished is not None:
        text = finished[0].map(lambda v: v if isinstance(v, bool) else cell_text(v))
        done &= ~text.map(lambda v: v is False or (isinstance(v, str) and v.casefold() in _FALSE))
    if progress is not None:
        numbers = pd.to_numeric(progress[0].map(cell_text), errors="coerce")
        done &= ~(numbers < 100).fillna(False)
    return done


def unfinished_rows(raw: RawExport, exclude: bool, source: str) -> tuple[np.ndarray, list[Problem]]:
    """A mask of unfinished responses (Finished false or Progress under 100) and the warning that names them."""
    done = _finished(raw)
    if done is None or bool(done.all()):
        return np.zeros(len(raw.body), dtype=bool), []
    mask = (~done).to_numpy()
    rows = np.asarray(raw.rows)[mask]
    what = f"{int(mask.sum())} unfinished response(s) (Finished false or Progress under 100) on row(s) {_rows_list(rows)}"
    if exclude:
        message = f"{what} left out, as --exclude-unfinished (options.surveys.exclude_unfinished) asks"
    else:
        message = (f"{what}: kept, with the answers they gave; leave them out with --exclude-unfinished (cohort file: "
                   "options: surveys: {exclude_unfinished: true})")
    return mask, [RespondentWarning(source, message, row=int(rows[0]), column="Finished", severity="warning")]


def drop_rows(raw: RawExport, mask: np.ndarray) -> RawExport:
    """A copy of ``raw`` without the responses where ``mask`` is true (cells, rows and set-aside metadata)."""
    keep = ~np.asarray(mask, dtype=bool)
    changes: dict[str, Any] = {"body": raw.body.loc[keep].reset_index(drop=True), "rows": [r for r, k in zip(raw.rows, keep) if k]}
    metadata = getattr(raw, "metadata", None)
    if isinstance(metadata, pd.DataFrame) and len(metadata) == len(keep):
        changes["metadata"] = metadata.loc[keep].reset_index(drop=True)
    return dataclasses.replace(raw, **changes)


def _recorded(raw: RawExport) -> pd.Series:
    """When each response was recorded (Qualtrics RecordedDate/EndDate, Forms Completion time); NaT when unknown."""
    for canonical, names in (("recorded", ("RecordedDate", "Recorded Date")), ("end", ("EndDate", "End Date", "Completion time"))):
        found = _column_values(raw, canonical, names)
        if found is not None:
            return pd.to_datetime(found[0].map(cell_text), errors="coerce", dayfirst=True, format="mixed")
    return pd.Series(pd.NaT, index=raw.body.index)


def repeated_responses(raw: RawExport, ids: pd.Series, waves: pd.Series, rule: str, column: str, source: str) -> tuple[np.ndarray, list[Problem]]:
    """Rows to leave out and the problems for people who answered one wave more than once.

    ``rule="error"``: an error naming every row of each repeated person; ``"keep_latest"``: the latest finished
    response is kept (finished before unfinished, then the latest recorded, then the last in the file) and a warning
    names the rows left out.
    """
    if rule not in DUPLICATE_RULES:
        raise ConfigError(f"options.surveys.duplicates must be one of {', '.join(DUPLICATE_RULES)}, not {rule!r}.")
    rows = np.asarray(raw.rows)
    frame = pd.DataFrame({"pid": ids.to_numpy(), "wave": waves.to_numpy()})
    repeated = (frame.duplicated(keep=False) & frame["pid"].notna()).to_numpy()
    drop = np.zeros(len(frame), dtype=bool)
    problems: list[Problem] = []
    if not repeated.any():
        return drop, problems
    done = _finished(raw)
    order = pd.DataFrame({"finished": True if done is None else done.to_numpy(), "recorded": _recorded(raw).to_numpy(),
                          "position": np.arange(len(frame))})
    for (pid, wave), group in frame.loc[repeated].groupby(["pid", "wave"]):
        listed = _rows_list(rows[group.index])
        if rule == "error":
            problems.append(Problem(source, f"participant '{pid}' answered wave '{wave}' more than once (rows {listed}); "
                                    "keep one response, or keep each person's latest finished one with --keep-latest "
                                    "(cohort file: options: surveys: {duplicates: keep_latest})",
                                    row=int(rows[group.index[0]]), column=column))
            continue
        ranked = order.loc[group.index].sort_values(["finished", "recorded", "position"], na_position="first")
        kept = ranked.index[-1]
        dropped = [i for i in group.index if i != kept]
        drop[dropped] = True
        problems.append(RespondentWarning(source, f"participant '{pid}' answered wave '{wave}' more than once: row {rows[kept]} "
                                f"(the latest finished) kept, row(s) {_rows_list(rows[dropped])} left out",
                                row=int(rows[kept]), column=column, severity="warning"))
    return drop, problems
