"""The group columns a cohort's person tables carry: one pair per characteristic it studies, one per intersection.

A cohort file names its characteristics under ``options.characteristics`` (see :mod:`rmresearch.characteristics`);
without them a cohort studies ethnicity alone, as every cohort did before. :func:`cohort_schema` adapts a table's
schema to the cohort (``ethnicity_code`` is required only when ethnicity is studied; each characteristic's column is
read) and :func:`add_groups` adds, to the participants, staff and students tables, for each characteristic the
table carries:

- ``<name>_group``: the group of each row's value (through the built-in code list or the cohort's groups table),
  ``Unknown`` for not known, prefer not to say, refused or blank: counted and reported, never dropped;
- ``<name>_aggregate``: the reference group, the aggregate label (every other known group) or ``Unknown``;

and for each intersection its column ``<a>_by_<b>`` (``'Disabled, Female or other'``).

>>> from rmresearch.characteristics import read_options, read_intersections
>>> chars = read_options({"disability": {"column": "disability_code", "code_list": "disability"},
...                       "sex": {"column": "sex", "code_list": "sex"}}, "c.yml")
>>> both = read_intersections([["disability", "sex"]], chars, "c.yml")
>>> staff = pd.DataFrame({"disability_code": ["51", "95", None, "98"], "sex": ["F", "M", "F", "Other"]})
>>> out, problems = add_groups(staff, chars, both, table="staff", source="staff.csv")
>>> out["disability_group"].tolist(), out["sex_aggregate"].tolist()
(['Disabled', 'No known disability', 'Unknown', 'Unknown'], ['Female or other', 'Male', 'Female or other', 'Female or other'])
>>> out["disability_by_sex"].tolist()
['Disabled, Female or other', 'No known disability, Male', 'Unknown', 'Unknown']
>>> problems
[]
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from .characteristics import PERSON_TABLES, Characteristic
from .codes import UNKNOWN_GROUP
from .errors import InputError, Problem
from .schemas import Column, TableSchema

__all__ = ["cohort_schema", "add_groups", "group_problems", "carried"]


def carried(characteristics, table: str) -> list[Characteristic]:
    """The characteristics (or intersections) whose ``tables`` include ``table``, in order."""
    items = characteristics.values() if isinstance(characteristics, dict) else characteristics
    return [c for c in items if table in c.tables]


def _reads_schema_ethnicity(ch: Characteristic) -> bool:
    """Ethnicity read from ``ethnicity_code`` is grouped by the schema's own ethnicity map (a cohort's
    ``options.ethnicity_map`` included), so its group column is the schema's ``ethnicity_group``."""
    return ch.name == "ethnicity" and ch.column == "ethnicity_code"


def cohort_schema(schema: TableSchema, characteristics: dict[str, Characteristic]) -> TableSchema:
    """``schema`` as this cohort reads it: ``ethnicity_code`` optional unless the cohort studies ethnicity from it,
    and each characteristic's column (not in the schema already) read as text. Tables other than the person
    tables are returned unchanged."""
    if schema.name not in PERSON_TABLES:
        return schema
    studies_ethnicity = any(_reads_schema_ethnicity(c) for c in carried(characteristics, schema.name))
    columns = []
    for col in schema.columns:
        if col.name == "ethnicity_code" and not studies_ethnicity:
            col = dataclasses.replace(col, required=False, nullable=True)
        columns.append(col)
    have = {c.name for c in columns}
    for ch in carried(characteristics, schema.name):
        if ch.column not in have:
            columns.append(Column(ch.column, "text", description=f"{ch.title} (options.characteristics.{ch.name})",
                                  required=False, nullable=True))
            have.add(ch.column)
    return dataclasses.replace(schema, columns=tuple(columns))


def _group_column(frame: pd.DataFrame, ch: Characteristic, source: str) -> pd.Series:
    if _reads_schema_ethnicity(ch) and "ethnicity_group" in frame.columns:
        groups = frame["ethnicity_group"]
    else:
        groups = ch.group(frame[ch.column], where=f"{source}, column {ch.column}")
    return groups.where(groups.notna(), UNKNOWN_GROUP).astype(str)


def add_groups(frame: pd.DataFrame, characteristics: dict[str, Characteristic],
               intersections=(), *, table: str, source: str) -> tuple[pd.DataFrame, list[Problem]]:
    """``frame`` (a validated person table) with the group columns of every characteristic and intersection it
    carries, and the problems found: a missing column (an error naming the setting to change) or values the code
    list or groups table does not hold (an error naming them and their rows)."""
    out = frame.copy()
    problems: list[Problem] = []
    done: set[str] = set()
    for ch in carried(characteristics, table):
        if ch.column not in out.columns:
            problems.append(Problem(
                source, f"the cohort studies {ch.title.lower()} (options.characteristics.{ch.name}), so the {table} "
                f"table needs its column {ch.column!r}; add the column (leave a cell blank when it is not known: "
                f"blanks are counted as Unknown), or set options.characteristics.{ch.name}.tables to the tables that "
                "carry it", column=ch.column))
            continue
        try:
            groups = _group_column(out, ch, source)
        except InputError as exc:
            problems.append(Problem(source, str(exc).removeprefix(f"{source}, column {ch.column}: "), column=ch.column))
            continue
        out[ch.group_column] = groups
        out[ch.aggregate_column] = groups.where(groups.isin([ch.reference, UNKNOWN_GROUP]), ch.aggregate)
        done.add(ch.name)
    for both in carried(intersections, table):
        a, b = both.parts
        if a.name in done and b.name in done:
            x, y = out[a.aggregate_column], out[b.aggregate_column]
            known = (x != UNKNOWN_GROUP) & (y != UNKNOWN_GROUP)
            out[both.group_column] = (x + ", " + y).where(known, UNKNOWN_GROUP)
    return out, problems


def group_problems(tables: dict[str, pd.DataFrame], config) -> list[Problem]:
    """Gaps and likelihoods are measured against each characteristic's reference group: a students or staff table
    in which no row has it cannot be compared (an error naming the setting)."""
    problems = []
    for ch in config.characteristics.values():
        for name in ("students", "staff"):
            if name not in tables or name not in ch.tables or ch.group_column not in tables[name].columns:
                continue
            groups = set(tables[name][ch.group_column].astype(str)) - {UNKNOWN_GROUP}
            if groups and ch.reference not in groups:
                where = (f"options.characteristics.{ch.name}.reference" if config.characteristics_declared
                         else "options.reference_group")
                problems.append(Problem(
                    str(config.path), f"{where} is '{ch.reference}', but no row of the {name} table has that "
                    f"{ch.title.lower()} group ({', '.join(sorted(groups))}); set {where} to one of them"
                    + (", or check options.ethnicity_grouping" if ch.name == "ethnicity" else ""), column=where))
    return problems
