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
        frame = frame.loc[frame["cohort"].astype(str) == config.cohort] if (frame["cohort"] == config.cohort).any() else frame
    if name in RECORD_ID_COLUMNS and config.inputs.get("participants") is not None:
        # consent: records of participants who did not consent to linkage (or withdrew) are not linked to the scheme
        frame = unlink_records(config, name, frame, load_table(config, "participants"))
    return frame if keep_row_numbers else frame.drop(columns="_row")


def check_references(tables: dict[str, pd.DataFrame], config: CohortConfig) -> list[Problem]:
    """Cross-table checks: pairs name real participants, meetings name real pairs, ..."""
    problems: list[Problem] = []
    participants = tables.get("participants")
    pairs = tables.get("pairs")
    meetings = tables.get("meetings")
    if participants is not None:
        src = str(config.input_path("participants"))
        other = participants.loc[participants["cohort"].astype(str) != config.cohort]
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
    if interviews is not None and Path(interviews).is_dir():
        files = [p for p in Path(interviews).iterdir() if p.is_file() and not p.name.startswith(".")]
        if not files:
            problems.append(Problem(str(interviews), "the interviews folder is empty", severity="warning"))
    problems += check_references(tables, config)
    if "participants" in tables:
        problems += consent_problems(config, tables["participants"])
    return tables, problems


def raise_if_errors(problems: list[Problem]) -> None:
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems)
