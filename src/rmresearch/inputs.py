"""Load a cohort's input tables, validated against their schemas.

.. code-block:: python

    from rmresearch.config import load_cohort
    cfg = load_cohort("demo")
    participants = load_table(cfg, "participants")      # what every notebook does
    tables, problems = validate_cohort(cfg)             # what `rmresearch validate` prints

Raw inputs are only ever read: nothing here writes next to them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .config import TABLE_INPUTS, CohortConfig
from .consent import RECORD_ID_COLUMNS, consent_problems, unlink_records
from .errors import AnalysisError, InputError, Problem, RMResearchError, ValidationError
from .io.tables import read_table
from .groups import add_groups, cohort_schema, group_problems
from .schemas import SCHEMAS

__all__ = ["load_table", "read_cohort_table", "validate_cohort", "check_references", "check_analyses"]


def read_cohort_table(config: CohortConfig, name: str, *, ethnicity_map=None) -> tuple[pd.DataFrame, list[Problem]]:
    """The cohort's ``name`` table as :func:`load_table` reads it (same reader, schema and options) and every problem
    found, without raising for them: ``rmresearch validate`` reads each table through this, so what it accepts is
    what the notebooks load. The frame keeps its ``_row`` column and every cohort's participants."""
    if name not in TABLE_INPUTS:
        raise AnalysisError(f"Unknown table {name!r}: the tables a cohort file names under 'inputs:' are "
                            f"{', '.join(TABLE_INPUTS)}.")
    ethnicity = config.characteristics.get("ethnicity")
    frame, problems = read_table(
        config.input_path(name),
        cohort_schema(SCHEMAS[name], config.characteristics),
        ethnicity_map=ethnicity_map or config.ethnicity_map(),
        grouping=ethnicity.grouping if ethnicity is not None and ethnicity.grouping else config.ethnicity_grouping,
        raise_on_error=False,
        encoding=getattr(config, "encodings", {}).get(name),
        encoding_advice=encoding_advice(config, name),
    )
    if "_row" in frame.columns and len(frame):
        # each characteristic's <name>_group and <name>_aggregate, each intersection's column (rmresearch.groups);
        # on the rows that loaded even when some cells did not, so a missing characteristic column is said at once
        schema = cohort_schema(SCHEMAS[name], config.characteristics)
        frame, found = add_groups(frame, config.characteristics, config.intersections, table=name,
                                  source=str(config.input_path(name)))
        said = set(schema.required) - set(frame.columns)  # "missing column(s)" is reported already
        problems += [p for p in found if p.column not in said]
    if name == "participants":
        mismatch = cohort_mismatch(frame, config)
        problems += [mismatch] if mismatch is not None else []
    return frame, problems


def encoding_advice(config: CohortConfig, name: str) -> str:
    """How a user names the encoding of input ``name``'s files, in command-line and cohort-file terms, with
    ``<codec>`` where the codec's name goes (for :func:`rmresearch.io.text.decode`'s ``encoding_advice``)."""
    try:
        where = Path(config.inputs[name]).relative_to(config.root)
    except (KeyError, TypeError, ValueError, AttributeError):
        where = config.inputs.get(name, f"<{name}>") if isinstance(getattr(config, "inputs", None), dict) else name
    cohort_file = getattr(getattr(config, "path", None), "name", "the cohort file")
    advice = f"name it in {cohort_file}: 'inputs: {name}: {{path: {where}, encoding: <codec>}}'"
    if name == "interviews":
        advice += (f" (validate and report read it there; `rmresearch anonymise run --cohort {config.cohort} "
                   "--encoding <codec>` names it for that run only)")
    return advice


def load_table(config: CohortConfig, name: str, *, keep_row_numbers: bool = False) -> pd.DataFrame:
    """Read and validate the cohort's ``name`` table (``participants``, ``students``...).

    Raises :class:`~rmresearch.errors.ValidationError` listing every problem.
    Warnings (e.g. a disagreeing ``ethnicity_group``) do not stop loading.
    """
    frame, problems = read_cohort_table(config, name)
    raise_if_errors(problems)
    if name == "participants":
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


def check_transcripts(folder: Path, *, encoding: str | None = None, advice: str | None = None) -> list[Problem]:
    """Every transcript in the raw folder read as ``anonymise run`` reads it (with the ``encoding`` the cohort file
    names; ``advice``: how to name one): unreadable ones are errors, files of other types (a PDF, a .doc) a
    warning, since the anonymiser skips them and their interview is missed."""
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
            read_transcript(path, encoding=encoding, **({} if advice is None else {"encoding_advice": advice}))
        except InputError as exc:
            problems.append(Problem(str(path), str(exc).removeprefix(f"{path}: ")))
    if skipped:
        names = ", ".join(str(p.relative_to(folder)) for p in skipped[:8]) + (" ..." if len(skipped) > 8 else "")
        problems.append(Problem(str(folder), f"{len(skipped)} file(s) of a type that is not read as a transcript ({names}): "
                                f"they are not anonymised or analysed. Save them as {', '.join(SUPPORTED_SUFFIXES)} "
                                "or move them out of the folder", severity="warning"))
    return problems


def check_values(tables: dict[str, pd.DataFrame], config: CohortConfig) -> list[Problem]:
    """Checks across the columns of one table: values each valid alone that cannot be true together (grades on the
    scale are checked by :func:`check_analyses`, with the staff analysis' own check)."""
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
    return problems


def check_references(tables: dict[str, pd.DataFrame], config: CohortConfig) -> list[Problem]:
    """Cross-table checks: pairs name real participants, meetings name real pairs, ..."""
    problems: list[Problem] = []
    participants = tables.get("participants")
    pairs = tables.get("pairs")
    meetings = tables.get("meetings")
    if participants is not None and not {"participant_id", "role", "cohort"} <= set(participants.columns):
        participants = None  # its missing columns are reported by the table's own check
    if participants is not None:
        src = str(config.input_path("participants"))
        cohorts = participants["cohort"]
        # a row whose cohort cell could not be read is reported already; it is not another cohort's
        other = participants.loc[cohorts.notna() & (cohorts.astype(str) != config.cohort)]
        mismatch = cohort_mismatch(participants, config)
        if mismatch is not None:
            problems.append(mismatch)
            other = other.head(0)
        else:  # pairs and sessions may only name this cohort's participants
            participants = participants.loc[cohorts.isna() | (cohorts.astype(str) == config.cohort)]
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
            if column not in pairs.columns:
                continue
            for row, pid in zip(pairs["_row"], pairs[column]):
                if _unread(pid):  # an empty or unreadable cell: reported by the pairs table's own check
                    continue
                if pid not in roles:
                    problems.append(Problem(src, f"'{pid}' is not a participant_id in the participants table", row=int(row), column=column))
                elif _unread(roles[pid]):  # the participant's role could not be read: reported there
                    continue
                elif (roles[pid] == "senior_leader") != expect_senior:
                    want = "a senior_leader" if expect_senior else "a partner (staff, student or community)"
                    problems.append(Problem(src, f"'{pid}' has role {roles[pid]}; this column needs {want}", row=int(row), column=column))
    sessions = tables.get("sessions")
    if participants is not None and sessions is not None and "participant_id" in sessions.columns:
        src = str(config.input_path("sessions"))
        ids = sessions["participant_id"]
        unknown = sessions.loc[ids.notna() & ~ids.isin(set(participants["participant_id"]))]
        for value, group in unknown.groupby("participant_id"):
            rows = group["_row"].astype(int).tolist()
            problems.append(Problem(src, f"'{value}' is not a participant_id in the participants table (rows {', '.join(map(str, rows[:8]))})",
                                    row=rows[0], column="participant_id"))
    if pairs is not None and meetings is not None and "pair_id" in pairs.columns and "pair_id" in meetings.columns:
        src = str(config.input_path("meetings"))
        known = set(pairs["pair_id"])
        unknown = meetings.loc[meetings["pair_id"].notna() & ~meetings["pair_id"].isin(known)]
        for value, group in unknown.groupby("pair_id"):
            rows = group["_row"].astype(int).tolist()
            problems.append(
                Problem(src, f"pair_id '{value}' is not in the pairs table (rows {', '.join(map(str, rows[:8]))}{' ...' if len(rows) > 8 else ''})", row=rows[0], column="pair_id")
            )
    return problems


def validate_cohort(config: CohortConfig) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Read every configured input and return the tables with *all* problems found.

    Unlike :func:`load_table`, this never stops at the first bad file: it is
    what ``rmresearch validate`` prints. Each input is read through the reader
    the report uses (:func:`read_cohort_table` for tables, the survey, actions,
    transcript and codings readers for the rest), and the checks the analyses
    make before they compute (grades on the scale, the recruitment funnel,
    result keys...) run here too, so that nothing the report would reject passes.

    A table with errors does not stop the checks that need it: the checks across
    tables (pairs name participants, meetings name pairs, survey respondents,
    the interview manifest, the actions) run on the rows that loaded, and the
    analyses' checks on its rows whose required cells all read, so one run lists
    every problem. The tables returned are the ones without errors.
    """
    tables, loaded, problems = _read_tables(config)
    cohort_tables = _this_cohort(tables, config)
    linked = _this_cohort(loaded, config)  # for the checks across tables: every row read
    from .surveys import survey_problems
    from .surveys.respondents import RespondentWarning

    # the survey errors, which would stop the programme notebook, and the warnings about who answered (unfinished or
    # repeated responses); its warnings about answers (kept as given) are the notebook's to show
    problems += [p for p in survey_problems(config, linked) if p.severity == "error" or isinstance(p, RespondentWarning)]
    problems += _interview_problems(config)
    from .coding.manifest import manifest_problems

    # whose interview each transcript is (inputs.interview_manifest), and transcripts in which no speaker is found
    people = linked.get("participants")
    ids = None if people is None or "participant_id" not in people.columns else people["participant_id"]
    problems += manifest_problems(config, None if ids is None else ids.dropna().astype(str))
    problems += check_references(loaded, config)
    problems += check_values(loaded, config)
    usable = {**{name: _complete_rows(config, name, frame) for name, frame in linked.items() if name not in tables},
              **cohort_tables}
    problems += _new_problems(problems, check_analyses({k: v for k, v in usable.items() if v is not None}, config))
    problems += _actions_problems(config, linked)
    people = loaded.get("participants")  # consent is judged on every row read (a missing consent cell is no consent)
    consent = consent_problems(config, people, loaded) if people is not None and "participant_id" in people else []
    if "participants" not in tables:
        problems += _codings_wait(config)
    elif not any(p.severity == "error" for p in consent):  # the themes notebook stops at a consent mistake too
        problems += _themes_problems(config, tables)
    problems += consent
    problems += _key_problems(config)
    return tables, problems


def _read_tables(config: CohortConfig) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame], list[Problem]]:
    """The tables read without errors, every table read with rows (errors or not), and every problem."""
    tables: dict[str, pd.DataFrame] = {}
    loaded: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    emap = config.ethnicity_map()
    for name in TABLE_INPUTS:
        path = config.inputs.get(name)
        if path is None:
            continue
        try:
            frame, found = read_cohort_table(config, name, ethnicity_map=emap)
        except InputError as exc:
            problems.append(_as_problem(exc, path))
            continue
        problems += found
        if "_row" in frame.columns and len(frame):
            loaded[name] = frame
        if not any(p.severity == "error" for p in found):
            tables[name] = frame
    return tables, loaded, problems


def _this_cohort(tables: dict[str, pd.DataFrame], config: CohortConfig) -> dict[str, pd.DataFrame]:
    """``tables`` with the participants of this cohort only (what load_table gives the notebooks); a row whose
    cohort cell could not be read is kept (its error is reported; it is not another cohort's participant)."""
    out = dict(tables)
    people = out.get("participants")
    if people is not None and "cohort" in people.columns:
        cohorts = people["cohort"]
        out["participants"] = people.loc[cohorts.isna() | (cohorts.astype(str) == config.cohort)]
    return out


def _complete_rows(config: CohortConfig, name: str, frame: pd.DataFrame) -> pd.DataFrame | None:
    """The rows of a table with errors whose every required cell read (what the analyses' own checks can judge),
    or ``None`` when a required column is missing."""
    schema = cohort_schema(SCHEMAS[name], config.characteristics)
    if not set(schema.required) <= set(frame.columns):
        return None
    needed = [c.name for c in schema.columns if c.name in frame.columns and c.required and not c.nullable]
    return frame.loc[frame[needed].notna().all(axis=1)] if needed else frame


def _unread(value) -> bool:
    """A cell the table's reader left empty: blank, or a value it refused (its problem is reported)."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _codings_wait(config: CohortConfig) -> list[Problem]:
    """The codings cannot be read against the themes notebook's participants while that table has errors."""
    path = config.inputs.get("codings")
    if path is None or not _anonymised(config):
        return [] if path is None else _themes_problems(config, {})
    return _codings_file_problems(Path(path)) + [Problem(
        str(path), "the codings were not checked against the transcripts: they are read with the participants table, "
        f"which has errors (above); fix them and run `rmresearch validate --cohort {config.cohort}` again",
        severity="warning")]


def _as_problem(exc: Exception, path) -> Problem:
    return Problem(str(path), str(exc).removeprefix(f"{path}: "))


def _interview_problems(config: CohortConfig) -> list[Problem]:
    """The raw transcripts as ``anonymise run`` reads them, and the anonymised ones as the report reads them."""
    problems: list[Problem] = []
    interviews = config.inputs.get("interviews")
    if interviews is not None and Path(interviews).exists() and not Path(interviews).is_dir():
        problems.append(Problem(str(config.path), f"inputs.interviews must be the folder of raw transcripts, but {interviews} "
                                "is a file; name the folder that holds it", column="inputs.interviews"))
    if interviews is not None and Path(interviews).is_dir():
        files = [p for p in Path(interviews).iterdir() if p.is_file() and not p.name.startswith(".")]
        if not files:
            problems.append(Problem(str(interviews), "the interviews folder is empty", severity="warning"))
        problems += check_transcripts(Path(interviews), encoding=getattr(config, "encodings", {}).get("interviews"),
                                      advice=encoding_advice(config, "interviews"))
    return problems


def _actions_problems(config: CohortConfig, tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """The actions log read as the programme notebook reads it (``programme.read_actions`` with the pairs and the
    participants, whose names an owner must not be)."""
    path = config.inputs.get("actions")
    if path is None:
        return []
    from .io.tables import read_action_table

    try:
        return read_action_table(path, pairs=tables.get("pairs"), participants=tables.get("participants"))[1]
    except InputError as exc:
        return [_as_problem(exc, path)]


def _anonymised(config: CohortConfig) -> bool:
    folder = config.outputs.get("anonymised")
    return folder is not None and Path(folder).is_dir() and any(Path(folder).glob("*.txt"))


def _themes_problems(config: CohortConfig, tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """The anonymised transcripts, their segments and the codings read as the themes notebook reads them
    (:func:`rmresearch.coding.load_coding_data`); codings cite the anonymised text, so before ``anonymise run``
    has written it a warning says they wait."""
    path = config.inputs.get("codings")
    if not _anonymised(config):
        if path is None:
            return []
        return _codings_file_problems(Path(path)) + [Problem(
            str(path), f"the codings are checked against the anonymised transcripts, and there are none yet in "
            f"{config.outputs.get('anonymised')}; run `rmresearch anonymise run --cohort {config.cohort}`, "
            "then validate again", severity="warning")]
    if "participants" not in tables:  # its problems are reported already; the notebook would stop at them
        return []
    from .coding import load_coding_data

    try:
        load_coding_data(config, unit="turn", grouping="aggregate")
    except ValidationError as exc:
        return list(exc.problems)
    except (InputError, AnalysisError) as exc:
        return [_as_problem(exc, path if path is not None and str(exc).startswith(str(path)) else config.outputs["anonymised"])]
    return []


def _codings_file_problems(path: Path) -> list[Problem]:
    """What a coding table (CSV, TSV or .xlsx) shows before there are segments to check it against: a file that
    cannot be read, no header, a missing column, a duplicated header. A .qdpx is read with its transcripts."""
    from .io.excel import EXCEL_SUFFIXES

    if path.suffix.lower() not in (".csv", ".tsv", ".tab", *EXCEL_SUFFIXES) or not path.is_file():
        return []
    try:
        _, problems = read_table(path, SCHEMAS["codings"], raise_on_error=False)
    except InputError as exc:
        return [_as_problem(exc, path)]
    return [p for p in problems if p.severity == "error" and p.row is None]


def check_analyses(tables: dict[str, pd.DataFrame], config: CohortConfig) -> list[Problem]:
    """The checks the analyses make before computing, run on the tables read (this cohort's participants only):
    staff snapshots and the recruitment funnel on the grade scale, session names the results recorder accepts."""
    from . import progression as pg

    problems: list[Problem] = []
    calls = []
    if "staff" in tables:
        calls.append(lambda: pg.prepare_snapshots(tables["staff"], grade_scale=config.grade_scale,
                                                  group=config.focus.group_column if config.focus.group_column
                                                  in tables["staff"].columns else None, reference=config.focus.reference,
                                                  aggregate_label=config.focus.aggregate,
                                                  source=str(config.input_path("staff"))))
    if "recruitment" in tables:
        calls.append(lambda: pg.recruitment_funnel(tables["recruitment"], group=None, grade_scale=config.grade_scale,
                                                   source=str(config.input_path("recruitment"))))
    for call in calls:
        try:
            call()
        except ValidationError as exc:
            problems += exc.problems
    if "recruitment" in tables:  # its groups: of one of the cohort's characteristics, each value one of its groups
        problems += pg.recruitment_problems(config, tables["recruitment"], source=str(config.input_path("recruitment")))
    if "sessions" in tables:
        problems += _session_key_problems(tables["sessions"], str(config.input_path("sessions")))
    problems += group_problems(tables, config)
    return problems


def _session_key_problems(sessions: pd.DataFrame, source: str) -> list[Problem]:
    """Each session's attendance is recorded as ``session_attendance_<session, lower case, spaces as _>``: a name
    that gives a key the results recorder refuses would stop the programme notebook."""
    from .results import _KEY

    problems = []
    for session, group in sessions.groupby("session", sort=False):
        key = f"session_attendance_{str(session).lower().replace(' ', '_')}"
        if not _KEY.match(key):
            rows = group["_row"].astype(int).tolist()
            problems.append(Problem(
                source, f"session name '{session}' cannot name a result (it becomes '{key}'; results are named with "
                "letters a-z, digits, spaces and underscores only): rename the session, e.g. "
                f"'{_plain_name(str(session))}' (rows {', '.join(map(str, rows[:8]))}{' ...' if len(rows) > 8 else ''})",
                row=rows[0], column="session"))
    return problems


def _plain_name(name: str) -> str:
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^A-Za-z0-9 _]+", " ", ascii_name).split()) or "Session 1"


def _new_problems(found: list[Problem], more: list[Problem]) -> list[Problem]:
    """``more`` without the errors already reported for the same file and column (one mistake, one message)."""
    seen = {(p.file, p.column) for p in found if p.severity == "error"}
    return [p for p in more if (p.file, p.column) not in seen]


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
