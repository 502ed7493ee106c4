"""Load a cohort's input tables, validated against their schemas.

>>> from rmresearch.config import load_cohort           # doctest: +SKIP
>>> cfg = load_cohort("demo")                           # doctest: +SKIP
>>> participants = load_table(cfg, "participants")      # doctest: +SKIP

Raw inputs are only ever read: nothing here writes next to them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .config import TABLE_INPUTS, CohortConfig
from .consent import RECORD_ID_COLUMNS, consent_problems, unlink_records
from .errors import InputError, Problem, RMResearchError, ValidationError
from .schemas import SCHEMAS, read_table

__all__ = ["load_table", "validate_cohort", "check_references"]


def load_table(config: CohortConfig, name: str, *, keep_row_numbers: bool = False) -> pd.DataFrame:
    """Read and validate the cohort's ``name`` table (``participants``, ``students``...).

    Raises :class:`~rmresearch.errors.ValidationError` listing every problem.
    Warnings (e.g. a disagreeing ``ethnicity_group``) do not stop loading.
    """
    if name not in SCHEMAS or name == "survey":
        raise ValueError(f"Unknown table {name!r}; tables: {', '.join(TABLE_INPUTS)}")
    frame, _ = read_table(
        config.input_path(name),
        SCHEMAS[name],
        ethnicity_map=config.ethnicity_map(),
        grouping=config.ethnicity_grouping,
    )
    if name == "participants":
        mismatch = cohort_mismatch(frame, config)
        if mismatch is not None:
            raise ValidationError([mismatch])
        frame = frame.loc[frame["cohort"].astype(str) == config.cohort]
    if name in RECORD_ID_COLUMNS and config.inputs.get("participants") is not None:
        # consent: records of participants who did not consent to linkage (or withdrew) are not linked to the scheme
        frame = unlink_records(config, name, frame, load_table(config, "participants"))
    return frame if keep_row_numbers else frame.drop(columns="_row")


def cohort_mismatch(participants: pd.DataFrame, config: CohortConfig) -> Problem | None:
    """The error when no row of the participants table belongs to the configured cohort, else ``None``.

    Rows of *other* cohorts beside this cohort's rows are allowed (one participants table may serve several
    cohorts): they are left out, and ``validate`` says how many (a warning). A table none of whose rows match is
    the wrong table or a mistyped cohort ID, and using it anyway would analyse other people.
    """
    if "cohort" not in participants.columns or not len(participants):
        return None
    values = participants["cohort"].astype(str)
    if (values == config.cohort).any():
        return None
    found = values.value_counts()
    shown = ", ".join(f"'{v}' ({n} row(s))" for v, n in found.head(8).items())
    return Problem(
        str(config.input_path("participants")),
        f"no row belongs to cohort '{config.cohort}': the cohort column holds {shown}. Set the cohort column to "
        f"'{config.cohort}' or correct 'cohort:' in {config.path.name}",
        row=int(participants["_row"].iloc[0]) if "_row" in participants.columns else None,
        column="cohort",
    )


#: Files an interviews folder may hold besides transcripts without a word said (operating-system clutter).
_CLUTTER = {"thumbs.db", "desktop.ini", ".ds_store"}


def check_transcripts(folder: Path) -> list[Problem]:
    """Every transcript in the raw folder read as ``anonymise run`` reads it: unreadable ones are errors, files
    of other types (a PDF, a .doc) a warning, since the anonymiser skips them and their interview is missed."""
    from .transcripts import SUPPORTED_SUFFIXES, read_transcript

    problems: list[Problem] = []
    skipped = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if any(part.startswith(".") for part in path.relative_to(folder).parts) or path.name.lower() in _CLUTTER:
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            skipped.append(path)
            continue
        try:
            read_transcript(path)
        except InputError as exc:
            problems.append(Problem(str(path), str(exc).removeprefix(f"{path}: ")))
    if skipped:
        names = ", ".join(str(p.relative_to(folder)) for p in skipped[:8]) + (" ..." if len(skipped) > 8 else "")
        problems.append(Problem(str(folder), f"{len(skipped)} file(s) of a type that is not read as a transcript ({names}): "
                                f"they are not anonymised or analysed. Save them as {', '.join(SUPPORTED_SUFFIXES)} "
                                "or move them out of the folder", severity="warning"))
    return problems


def check_values(tables: dict[str, pd.DataFrame], config: CohortConfig) -> list[Problem]:
    """Checks across the columns of one table: values each valid alone that cannot be true together."""
    problems: list[Problem] = []

    def rows_where(name: str, mask, column: str, message: str) -> None:
        frame = tables[name]
        mask = mask.fillna(False).to_numpy(dtype=bool)
        if mask.any():
            rows = frame.loc[mask, "_row"].astype(int).tolist()
            listed = ", ".join(map(str, rows[:8])) + (f" and {len(rows) - 8} more" if len(rows) > 8 else "")
            problems.append(Problem(str(config.input_path(name)), f"{message} (rows {listed})", row=rows[0], column=column))

    if "pairs" in tables and {"start_date", "end_date"} <= set(tables["pairs"].columns):
        t = tables["pairs"]
        rows_where("pairs", t["end_date"] < t["start_date"], "end_date", "end_date is before start_date")
    if "students" in tables and {"entry_year", "qualification_year"} <= set(tables["students"].columns):
        t = tables["students"]
        rows_where("students", t["qualification_year"] < t["entry_year"], "qualification_year",
                   "qualification_year is before entry_year")
    if "recruitment" in tables and {"applied", "shortlisted", "appointed"} <= set(tables["recruitment"].columns):
        t = tables["recruitment"]
        rows_where("recruitment", t["shortlisted"] > t["applied"], "shortlisted", "more shortlisted than applied")
        rows_where("recruitment", t["appointed"] > t["shortlisted"], "appointed", "more appointed than shortlisted")
    if "meetings" in tables and "date" in tables["meetings"].columns:
        t = tables["meetings"]
        first = pd.Timestamp(config.start_date) - pd.Timedelta(days=92)
        last = pd.Timestamp(config.end_date) + pd.Timedelta(days=366)
        outside = (t["date"] < first) | (t["date"] > last)
        if outside.fillna(False).any():
            example = t.loc[outside.fillna(False), "date"].iloc[0].date()
            rows_where("meetings", outside, "date",
                       f"meeting date (e.g. {example}) is far outside the programme ({config.start_date} to {config.end_date}); "
                       "correct the date or the cohort's start_date/end_date")
    if "staff" in tables and "grade" in tables["staff"].columns:
        from .progression import grade_ranks

        t = tables["staff"]
        try:
            grade_ranks(t["grade"], list(config.grade_scale), rows=t["_row"].to_numpy(),
                        source=str(config.input_path("staff")), column="grade")
        except ValidationError as exc:
            problems += exc.problems
        except ValueError as exc:  # the scale itself (load_cohort checks it; kept as a row here just in case)
            problems.append(Problem(str(config.path), str(exc), column="options.grade_scale"))
    return problems


def check_references(tables: dict[str, pd.DataFrame], config: CohortConfig) -> list[Problem]:
    """Cross-table checks: pairs name real participants, meetings name real pairs, ..."""
    problems: list[Problem] = []
    participants = tables.get("participants")
    pairs = tables.get("pairs")
    meetings = tables.get("meetings")
    if participants is not None:
        src = str(config.input_path("participants"))
        other = participants.loc[participants["cohort"].astype(str) != config.cohort]
        mismatch = cohort_mismatch(participants, config)
        if mismatch is not None:
            problems.append(mismatch)
            other = other.head(0)
        else:  # pairs and sessions may only name this cohort's participants
            participants = participants.loc[participants["cohort"].astype(str) == config.cohort]
        if len(other):
            problems.append(
                Problem(
                    src,
                    f"{len(other)} row(s) belong to other cohorts ({', '.join(sorted(other['cohort'].astype(str).unique()))}); "
                    f"only cohort '{config.cohort}' is used",
                    row=int(other["_row"].iloc[0]),
                    column="cohort",
                    severity="warning",
                )
            )
    if participants is not None and pairs is not None:
        src = str(config.input_path("pairs"))
        roles = dict(zip(participants["participant_id"], participants["role"]))
        for column, expect_senior in (("senior_id", True), ("partner_id", False)):
            for row, pid in zip(pairs["_row"], pairs[column]):
                if pid not in roles:
                    problems.append(Problem(src, f"'{pid}' is not a participant_id in the participants table", row=int(row), column=column))
                elif (roles[pid] == "senior_leader") != expect_senior:
                    want = "a senior_leader" if expect_senior else "a partner (staff, student or community)"
                    problems.append(Problem(src, f"'{pid}' has role {roles[pid]}; this column needs {want}", row=int(row), column=column))
    sessions = tables.get("sessions")
    if participants is not None and sessions is not None:
        src = str(config.input_path("sessions"))
        unknown = sessions.loc[~sessions["participant_id"].isin(set(participants["participant_id"]))]
        for value, group in unknown.groupby("participant_id"):
            rows = group["_row"].astype(int).tolist()
            problems.append(Problem(src, f"'{value}' is not a participant_id in the participants table (rows {', '.join(map(str, rows[:8]))})",
                                    row=rows[0], column="participant_id"))
    if pairs is not None and meetings is not None:
        src = str(config.input_path("meetings"))
        known = set(pairs["pair_id"])
        unknown = meetings.loc[~meetings["pair_id"].isin(known)]
        for value, group in unknown.groupby("pair_id"):
            rows = group["_row"].astype(int).tolist()
            problems.append(
                Problem(src, f"pair_id '{value}' is not in the pairs table (rows {', '.join(map(str, rows[:8]))}{' ...' if len(rows) > 8 else ''})", row=rows[0], column="pair_id")
            )
    return problems


def validate_cohort(config: CohortConfig) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Read every configured table and return them with *all* problems found.

    Unlike :func:`load_table`, this never stops at the first bad file: it is
    what ``rmresearch validate`` prints.
    """
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    emap = config.ethnicity_map()
    for name in TABLE_INPUTS:
        path = config.inputs.get(name)
        if path is None:
            continue
        try:
            frame, found = read_table(path, SCHEMAS[name], ethnicity_map=emap, grouping=config.ethnicity_grouping, raise_on_error=False)
        except InputError as exc:
            problems.append(Problem(str(path), str(exc).removeprefix(f"{path}: ")))
            continue
        problems += found
        if not any(p.severity == "error" for p in found):
            tables[name] = frame
    for wave, path in (config.inputs.get("surveys") or {}).items():
        try:
            _, found = read_table(path, SCHEMAS["survey"], raise_on_error=False)
        except InputError as exc:
            problems.append(Problem(str(path), str(exc).removeprefix(f"{path}: ")))
            continue
        problems += found
    interviews = config.inputs.get("interviews")
    if interviews is not None and Path(interviews).exists() and not Path(interviews).is_dir():
        problems.append(Problem(str(config.path), f"inputs.interviews must be the folder of raw transcripts, but {interviews} "
                                "is a file; name the folder that holds it", column="inputs.interviews"))
    if interviews is not None and Path(interviews).is_dir():
        files = [p for p in Path(interviews).iterdir() if p.is_file() and not p.name.startswith(".")]
        if not files:
            problems.append(Problem(str(interviews), "the interviews folder is empty", severity="warning"))
        problems += check_transcripts(Path(interviews))
    problems += check_references(tables, config)
    problems += check_values(tables, config)
    if "participants" in tables:
        problems += consent_problems(config, tables["participants"], tables)
    problems += _key_problems(config)
    return tables, problems


def _key_problems(config: CohortConfig) -> list[Problem]:
    """The pseudonym key, if there is one, must be private (``report``, ``audit`` and ``anonymise run`` refuse a key
    others can read; ``validate`` warns, so the fix is known before those run)."""
    from .anonymise.pseudonyms import key_path, require_private_key

    try:
        path = key_path(config)
        require_private_key(path)
    except RMResearchError as exc:
        where = str(getattr(config, "path", ""))
        message = str(exc)
        return [Problem(message.split(": ", 1)[0] if ": " in message else where, message.split(": ", 1)[-1],
                        severity="warning")]
    return []


def raise_if_errors(problems: list[Problem]) -> None:
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems)
