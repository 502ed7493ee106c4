"""Table schemas and validation with clear, complete error reports.

Each input table has a :class:`TableSchema`: its columns, their kinds, the
allowed codes and the key that must be unique. :func:`validate_frame` converts
every column to its type and reports *every* problem at once, naming the file,
the row a person would see in Excel or a text editor, and the column. Files are
read by :mod:`rmresearch.io.tables` (``read_table``, which finds the header row:
exports often carry title rows above it); ``from rmresearch.schemas import
read_table`` keeps working.

Kinds of column:

``id``        text identifier (kept as text: ``007`` stays ``007``)
``text``      free text
``int``       whole number
``year``      a year: ``2019``, or an academic year ``2019/20``, ``2019-20``, ``2019/2020``, ``AY 2019/20``
              read as its first calendar year (2019); ``2019/21`` is refused
``float``     number
``date``      ISO ``2024-10-01``, UK ``01/10/2024`` or an Excel date
``bool``      yes/no, true/false, y/n, 1/0
``category``  one of the schema's ``allowed`` values, in any case, with spaces, hyphens or underscores
              between words ("Senior Leader" is ``senior_leader``)
``ethnicity`` a detailed ethnicity code or label from the mapping table
``degree``    a degree class (spellings normalised, see :mod:`rmresearch.codes`)
"""

from __future__ import annotations

import dataclasses

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .codes import (
    DEGREE_CLASSES,
    PAIR_STATUSES,
    ROLES,
    EthnicityMap,
    load_ethnicity_map,
    normalise_degree_class,
)
from .errors import AnalysisError, Problem

__all__ = [
    "Column",
    "TableSchema",
    "SCHEMAS",
    "ACTION_STATUSES",
    "read_table",
    "read_raw_table",
    "validate_frame",
    "category_key",
]

_EMPTY_TOKENS = ["", "nan", "NaN", "NA", "N/A", "n/a", "None", "null"]
#: Statuses of an action in the actions table (spaces or hyphens are read as ``_``: "in progress").
ACTION_STATUSES = ("proposed", "in_progress", "implemented", "not_pursued")
#: Whole numbers beyond this are not exact in floating point (and no count or year is that large).
_MAX_WHOLE = 2**53
#: Dates outside these years are typing mistakes (0024 for 2024, 2204 for 2024...), not data.
DATE_YEARS = (1900, 2100)
COLUMN_KINDS = ("id", "text", "int", "year", "float", "date", "bool", "category", "ethnicity", "degree")
_TRUE = {"1", "true", "t", "yes", "y"}
_FALSE = {"0", "false", "f", "no", "n"}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    description: str = ""
    required: bool = True  # the column must be present
    nullable: bool = False  # cells may be empty
    allowed: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()  # other headings exports give the column ("Ethnicity" for ethnicity_code)


@dataclass(frozen=True)
class TableSchema:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    extra_columns: bool = True  # other columns are kept (and not checked)
    # name patterns of group columns (recruitment: '*_group', '*_by_*'): at least one must be present, and every
    # one present is a required text column and joins the key (counts by ethnicity_group, or by disability_group)
    group_columns: tuple[str, ...] = ()

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def describe(self) -> pd.DataFrame:
        """The schema as a table (for documentation and notebooks)."""
        return pd.DataFrame(
            [
                {
                    "column": c.name,
                    "type": c.kind,
                    "required": c.required,
                    "may be empty": c.nullable,
                    "allowed": ", ".join(map(str, c.allowed)) if c.allowed else "",
                    "description": c.description,
                }
                for c in self.columns
            ]
        )


def _normalise_header(value) -> str:
    return "_".join(str(value).strip().lower().replace("-", " ").split())


#: Code lists a schema's ``allowed:`` may name (in ``data/schemas.yml``).
_CODE_LISTS = {"ROLES": ROLES, "PAIR_STATUSES": PAIR_STATUSES, "ACTION_STATUSES": ACTION_STATUSES}
_SCHEMAS_FILE = Path(__file__).parent / "data" / "schemas.yml"


def _load_schemas(path: Path = _SCHEMAS_FILE) -> dict[str, TableSchema]:
    """The table schemas declared in ``data/schemas.yml`` (one entry per input table)."""
    import yaml

    declared = yaml.safe_load(path.read_text(encoding="utf-8"))
    schemas = {}
    for name, entry in declared.items():
        columns = []
        for c in entry["columns"]:
            allowed = c.get("allowed")
            allowed = _CODE_LISTS[allowed] if isinstance(allowed, str) else allowed
            columns.append(Column(c["name"], c["kind"], c.get("description", ""), required=c.get("required", True),
                                  nullable=c.get("nullable", False), allowed=None if allowed is None else tuple(allowed),
                                  minimum=c.get("minimum"), maximum=c.get("maximum"),
                                  aliases=tuple(_normalise_header(a) for a in c.get("aliases", ()))))
        schemas[name] = TableSchema(name, entry["description"], tuple(columns), key=tuple(entry.get("key", ())),
                                    group_columns=tuple(entry.get("group_columns", ())))
    return schemas


#: Every input table's schema, by table name (``rmresearch schema <name>`` shows one).
SCHEMAS: dict[str, TableSchema] = _load_schemas()


def __getattr__(name: str):
    """The readers moved to :mod:`rmresearch.io.tables`; ``from rmresearch.schemas import read_table`` keeps working
    (imported lazily: io.tables builds on this module)."""
    if name in ("read_table", "read_raw_table", "check_size", "MAX_TABLE_BYTES"):
        from .io import tables

        return getattr(tables, name)
    if name == "check_workbook_size":
        from .io.excel import check_workbook_size

        return check_workbook_size
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def validate_frame(
    frame: pd.DataFrame,
    schema: TableSchema,
    *,
    source: str = "<table>",
    ethnicity_map: EthnicityMap | None = None,
    grouping: str = "ofs_group",
    date_origin: pd.Timestamp | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Convert text cells to typed columns and list every problem.

    ``frame`` holds text cells (as read from a file) and optionally a ``_row``
    column with source row numbers; without it, rows are numbered as in a CSV
    with one header line (first record = row 2). ``date_origin`` is the day an
    Excel serial number counts from (1899-12-30 unless the workbook uses the
    1904 date system, see :mod:`rmresearch.io.excel`).

    >>> frame, problems = validate_frame(pd.DataFrame({"year": ["2024", "1850"], "post_grade": ["7", "8"],
    ...     "ethnicity_group": ["White", "Asian"], "applied": ["3", "2"], "shortlisted": ["1", "1"],
    ...     "appointed": ["1", "0"]}), SCHEMAS["recruitment"], source="recruitment.csv")
    >>> [(p.row, p.column) for p in problems]
    [(3, 'year')]
    """
    frame = frame.copy()
    if "_row" not in frame.columns:
        frame.insert(0, "_row", np.arange(2, len(frame) + 2))
    frame = _rename_aliases(frame, schema)
    schema, problems = _with_group_columns(frame, schema, source)
    problems += _missing_columns(frame, schema, source)
    if len(frame) == 0:
        problems.append(Problem(source, "the table has a header but no rows."))
        return frame, problems
    frame, found = _drop_stray_rows(frame, schema, source)
    problems += found
    rows = frame["_row"].to_numpy()
    emap = None
    for col in schema.columns:
        if col.name in frame.columns:
            frame[col.name], found, used = _convert_column(frame[col.name], col, rows, source,
                                                           ethnicity_map=ethnicity_map, date_origin=date_origin)
            problems += found
            emap = used or emap
    problems += _duplicate_keys(frame, schema, source)
    frame, found = _derive_ethnicity_group(frame, schema, source, emap or ethnicity_map, grouping)
    problems += found
    return frame.reset_index(drop=True), problems


def _with_group_columns(frame: pd.DataFrame, schema: TableSchema, source: str) -> tuple[TableSchema, list[Problem]]:
    """The schema with the group columns the frame holds (``group_columns`` patterns) as required text columns in
    its key, or the problem that it holds none: recruitment counts are by the group of any characteristic.

    >>> schema, _ = _with_group_columns(pd.DataFrame(columns=["year", "post_grade", "disability_group"]),
    ...                                 SCHEMAS["recruitment"], "r.csv")
    >>> schema.key
    ('year', 'post_grade', 'disability_group')
    >>> print(_with_group_columns(pd.DataFrame(columns=["year", "post_grade"]), SCHEMAS["recruitment"], "r.csv")[1][0])
    r.csv: no group column: the recruitment counts are by the group of one of the cohort's characteristics, a column named like *_group or *_by_* (ethnicity_group, disability_group, or an intersection such as disability_by_sex); add one (see `rmresearch schema recruitment`)
    """
    import fnmatch

    if not schema.group_columns:
        return schema, []
    present = [str(c) for c in frame.columns if c != "_row" and str(c) not in schema.key
               and any(fnmatch.fnmatchcase(str(c), p) for p in schema.group_columns)]
    if not present:
        return schema, [Problem(source, f"no group column: the {schema.name} counts are by the group of one of the "
                                f"cohort's characteristics, a column named like {' or '.join(schema.group_columns)} "
                                "(ethnicity_group, disability_group, or an intersection such as disability_by_sex); "
                                f"add one (see `rmresearch schema {schema.name}`)")]
    extra = tuple(Column(c, "text", f"Group ({c.replace('_', ' ')})") for c in present)
    return dataclasses.replace(schema, columns=schema.columns + extra, key=schema.key + tuple(present)), []


def _rename_aliases(frame: pd.DataFrame, schema: TableSchema) -> pd.DataFrame:
    """A column headed by one of its aliases ("Ethnicity" for ethnicity_code) takes its schema name.

    Only when the schema name itself is absent and exactly one alias is present: two candidates are not guessed
    between (the missing column is then reported as usual).

    >>> _rename_aliases(pd.DataFrame(columns=["staff_id", "ethnicity"]), SCHEMAS["staff"]).columns.tolist()
    ['staff_id', 'ethnicity_code']
    """
    renames = {}
    for col in schema.columns:
        present = [a for a in col.aliases if a in frame.columns and a not in renames]
        if col.name not in frame.columns and len(present) == 1:
            renames[present[0]] = col.name
    return frame.rename(columns=renames) if renames else frame


def _missing_columns(frame: pd.DataFrame, schema: TableSchema, source: str) -> list[Problem]:
    missing = [c for c in schema.required if c not in frame.columns]
    if not missing:
        return []
    return [Problem(source, f"missing column(s): {', '.join(missing)}. The {schema.name} table needs: "
                            f"{', '.join(schema.required)} (see `rmresearch schema {schema.name}`).")]


def _drop_stray_rows(frame: pd.DataFrame, schema: TableSchema, source: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Totals rows and repeated header rows (two exports pasted one below the other) are named and left out.

    A totals row ("Total", "Grand total" in the first column) is what reporting systems write under an export;
    no record has that identifier, so it is left out with a warning naming its row. A repeated header row is an
    error: it means two exports were pasted together, and which rows belong to which is for the user to say.
    """
    first_col = schema.columns[0].name
    if first_col not in frame.columns:
        return frame, []
    problems = []
    looks_total = frame[first_col].astype(str).str.strip().str.lower().isin(["total", "totals", "grand total", "all"])
    for r in frame["_row"].to_numpy()[looks_total.to_numpy()]:
        problems.append(Problem(source, "a totals row; left out (the analyses count the records themselves)",
                                row=int(r), column=first_col, severity="warning"))
    frame = frame.loc[~looks_total.to_numpy()]
    repeated = frame[first_col].astype(str).map(_normalise_header).eq(first_col).to_numpy()
    for r in frame["_row"].to_numpy()[repeated]:
        problems.append(Problem(source, "repeats the header row (two exports joined?); remove it", row=int(r), column=first_col))
    return frame.loc[~repeated], problems


def category_key(value) -> str:
    """A category label as its code would be written: any case, spaces, hyphens or underscores between words.

    >>> [category_key(v) for v in ("Senior Leader", " student-partner ", "COMMUNITY__PARTNER", "In progress")]
    ['senior_leader', 'student_partner', 'community_partner', 'in_progress']
    """
    return "_".join(str(value).strip().lower().replace("-", " ").replace("_", " ").split())


def _label_example(allowed) -> str:
    """How a person might type the first code with words ('Senior Leader' for senior_leader)."""
    first = str(allowed[0])
    return first.replace("_", " ").title() if "_" in first else first.title()


#: An academic year as exports write it: "2019/20", "2019-20", "2019/2020", "AY 2019/20" (or a plain year).
_ACADEMIC_YEAR = r"^(?:ay\s*)?(\d{4})\s*[/\-\u2013]\s*(\d{2}|\d{4})$"


def _years(cells: pd.Series, col: Column) -> tuple[pd.Series, np.ndarray]:
    """Year columns: a plain year, or an academic year read as its FIRST calendar year (2019/20 is 2019).

    The first calendar year is the house convention for every year column (entry_year, qualification_year, the
    staff census year, the recruitment year), so "2019/20" and "2019" in one column are the same year. The second
    part must be the year after the first ("2019/21" is refused, not guessed).

    >>> typed, bad = _years(pd.Series(["2019/20", "AY 2019-2020", "1999/00", "2019", "2019.0", "2019/21", None]),
    ...                     Column("entry_year", "year", minimum=1990, maximum=2100))
    >>> typed.tolist()[:5], bad.tolist()
    ([2019.0, 2019.0, 1999.0, 2019.0, 2019.0], [False, False, False, False, False, True, False])
    """
    parts = cells.astype(object).where(cells.notna(), None).str.lower().str.extract(_ACADEMIC_YEAR)
    first = pd.to_numeric(parts[0], errors="coerce").astype("float64")
    second = pd.to_numeric(parts[1], errors="coerce").astype("float64")
    long_form = parts[1].str.len().eq(4).fillna(False).to_numpy(dtype=bool)
    follows = np.where(long_form, second == first + 1, second == (first + 1) % 100)
    is_academic = first.notna().to_numpy()
    academic, mismatched = is_academic & follows, is_academic & ~follows
    plain = pd.to_numeric(cells.astype(object).where(cells.notna() & ~is_academic, None), errors="coerce")
    numbers = plain.astype("float64").where(~academic, first)
    bad = (numbers.isna() & cells.notna()).to_numpy(dtype=bool) | mismatched
    bad |= (numbers.notna() & (numbers % 1 != 0)).to_numpy(dtype=bool)
    if col.minimum is not None:
        bad |= (numbers < col.minimum).fillna(False).to_numpy(dtype=bool)
    if col.maximum is not None:
        bad |= (numbers > col.maximum).fillna(False).to_numpy(dtype=bool)
    typed = numbers.mask(bad).astype(float)
    return (typed.astype("Int64") if not bad.any() else typed), bad


def _year_message(col: Column) -> str:
    span = f" from {col.minimum:g} to {col.maximum:g}" if col.minimum is not None and col.maximum is not None else ""
    return (f"is not a year{span} (write 2019, or an academic year 2019/20, 2019-20 or 2019/2020, read as 2019; "
            f"the second year must be the one after the first)")


def _convert_column(values: pd.Series, col: Column, rows: np.ndarray, source: str, *, ethnicity_map,
                    date_origin) -> tuple[pd.Series, list[Problem], EthnicityMap | None]:
    """One column converted to its kind, its problems, and the ethnicity map used (if any).

    Each distinct value is cleaned and converted once, then spread back over the rows: record tables repeat
    the same few codes many thousands of times.
    """
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    distinct = pd.Series(list(uniques) + [None], dtype="string").str.strip()
    distinct = distinct.mask(distinct.isin(_EMPTY_TOKENS))
    codes = np.where(codes < 0, len(uniques), codes)  # missing cells point at the trailing None
    holder: dict = {"date_origin": date_origin}
    converted, bad_distinct, message = _convert(distinct, col, ethnicity_map, holder)
    problems = []
    empty = distinct.isna().to_numpy()[codes]
    if not col.nullable and empty.any():
        problems.append(_many(source, col.name, rows[empty], "is empty; a value is required"))
    bad_mask = np.asarray(bad_distinct, dtype=bool)[codes] & ~empty
    if bad_mask.any():
        shown = distinct.to_numpy(dtype=object)[codes][bad_mask]
        problems.append(_many(source, col.name, rows[bad_mask], message, values=list(shown)))
    return converted.take(codes).set_axis(values.index), problems, holder.get("emap")


def _duplicate_keys(frame: pd.DataFrame, schema: TableSchema, source: str) -> list[Problem]:
    if not schema.key or not all(k in frame.columns for k in schema.key):
        return []
    dup = frame.duplicated(list(schema.key), keep=False).to_numpy()
    if not dup.any():
        return []
    problems = []
    keys = frame.loc[dup, list(schema.key)].astype(str).agg(" / ".join, axis=1)
    for key_value, idx in keys.groupby(keys).groups.items():
        r = frame.loc[idx, "_row"].tolist()
        problems.append(Problem(
            source, f"duplicate {' + '.join(schema.key)} '{key_value}' on rows {', '.join(map(str, r))}; each must be unique",
            row=int(r[1]), column=schema.key[0],
        ))
    return problems


def _derive_ethnicity_group(frame: pd.DataFrame, schema: TableSchema, source: str, emap: EthnicityMap | None,
                            grouping: str) -> tuple[pd.DataFrame, list[Problem]]:
    """The ethnicity group derived from the code (a free-text group is never trusted silently)."""
    schema_columns = [c.name for c in schema.columns]
    if "ethnicity_code" not in frame.columns or "ethnicity_code" not in schema_columns:
        return frame, []
    problems = []
    derived = (emap or load_ethnicity_map()).group(frame["ethnicity_code"], grouping)
    if "ethnicity_group" in frame.columns and "ethnicity_group" in schema_columns:
        given = frame["ethnicity_group"]
        disagree = (given.notna() & derived.notna() & (given.astype(str) != derived.astype(str))).to_numpy()
        if disagree.any():
            rows = frame["_row"].to_numpy()
            problems.append(Problem(
                source,
                f"ethnicity_group disagrees with the group of ethnicity_code on {int(disagree.sum())} row(s) "
                f"(first: row {int(rows[disagree][0])}); the group derived from the code is used",
                column="ethnicity_group", severity="warning",
            ))
    frame["ethnicity_group"] = derived
    return frame, problems


def _many(source, column, rows, message, values=None, limit=8) -> Problem:
    """One problem for many rows: lists the first few rows (and their values)."""
    rows = [int(r) for r in rows]
    if values is not None:
        shown = ", ".join(f"row {r} ('{v}')" for r, v in list(zip(rows, values))[:limit])
        unique = sorted({str(v) for v in values})
        tail = f"; distinct values: {', '.join(repr(u) for u in unique[:15])}" + (" ..." if len(unique) > 15 else "")
    else:
        shown = ", ".join(f"row {r}" for r in rows[:limit])
        tail = ""
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return Problem(source, f"{message}: {shown}{more}{tail}", row=rows[0], column=column)


def _convert(cells: pd.Series, col: Column, ethnicity_map, holder):
    """Typed column, mask of cells that failed, message for failures."""
    kind = col.kind
    false_mask = pd.Series(False, index=cells.index).to_numpy()
    if kind in ("id", "text"):
        return cells.astype(object).where(cells.notna(), None), false_mask, ""
    if kind in ("int", "float"):
        # Plain float64 (NaN for blanks): the nullable dtypes pandas infers from text give masked comparisons
        # that cannot be or-ed into a bool mask (every out-of-range value used to crash validation).
        numbers = pd.to_numeric(cells.astype(object).where(cells.notna(), None), errors="coerce").astype("float64")
        bad = ((numbers.isna() & cells.notna()) | np.isinf(numbers)).to_numpy(dtype=bool)
        message = "is not a number"
        if kind == "int":
            frac = numbers.notna() & ~np.isinf(numbers) & (numbers % 1 != 0)
            bad |= frac.to_numpy(dtype=bool)
            message = "is not a whole number"
        out_of_range = (numbers.abs() > _MAX_WHOLE).fillna(False) if kind == "int" else pd.Series(False, index=cells.index)
        if col.minimum is not None:
            out_of_range |= (numbers < col.minimum).fillna(False)
        if col.maximum is not None:
            out_of_range |= (numbers > col.maximum).fillna(False)
        if out_of_range.any():
            message += f" between {col.minimum} and {col.maximum}" if col.maximum is not None else f" of at least {col.minimum}"
            bad |= out_of_range.to_numpy()
        typed = numbers.astype("Int64") if kind == "int" and not bad.any() else numbers.astype(float)
        return typed, bad, message
    if kind == "bool":
        low = cells.str.lower()
        typed = pd.Series(pd.NA, index=cells.index, dtype="boolean")
        typed[low.isin(_TRUE).fillna(False)] = True
        typed[low.isin(_FALSE).fillna(False)] = False
        bad = (typed.isna() & cells.notna()).to_numpy()
        return typed, bad, "is not yes/no (use yes, no, true, false, 1 or 0)"
    if kind == "date":
        iso = pd.to_datetime(cells, format="%Y-%m-%d", errors="coerce")
        iso_time = pd.to_datetime(cells.str.slice(0, 19), format="%Y-%m-%dT%H:%M:%S", errors="coerce")
        # database and pandas exports write "2024-10-01 00:00:00"; UK spreadsheets "01/10/2024 09:30"
        iso_space = pd.to_datetime(cells.str.slice(0, 19), format="%Y-%m-%d %H:%M:%S", errors="coerce")
        slashes = pd.to_datetime(cells, format="%Y/%m/%d", errors="coerce")
        uk = pd.to_datetime(cells, format="%d/%m/%Y", errors="coerce")
        uk_time = pd.to_datetime(cells.str.slice(0, 16), format="%d/%m/%Y %H:%M", errors="coerce")
        uk = uk.fillna(uk_time).fillna(iso_space).fillna(slashes)
        serial_num = pd.to_numeric(cells, errors="coerce")
        # Excel serial dates (days since 1899-12-30). Only valid serials are converted: pandas' unit
        # conversion of an array holding NaN can read uninitialised memory and overflow.
        is_serial = ((serial_num > 20000) & (serial_num < 80000)).fillna(False).to_numpy(dtype=bool)
        serial = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns]")
        if is_serial.any():
            origin = holder.get("date_origin") or pd.Timestamp("1899-12-30")  # the 1904 date system: 1904-01-01
            serial[is_serial] = origin + pd.to_timedelta(serial_num[is_serial].to_numpy(dtype=float), unit="D")
        typed = iso.fillna(iso_time).fillna(uk).fillna(serial)
        low, high = DATE_YEARS
        implausible = typed.notna() & ((typed.dt.year < low) | (typed.dt.year > high))
        typed = typed.mask(implausible)
        bad = (typed.isna() & cells.notna()).to_numpy()
        return typed, bad, f"is not a date from {low} to {high} (use 2024-10-01 or 01/10/2024)"
    if kind == "category":
        allowed = {category_key(a): a for a in col.allowed}
        typed = cells.map(category_key, na_action="ignore").map(allowed)
        bad = (typed.isna() & cells.notna()).to_numpy()
        return typed.astype(object), bad, (f"is not one of {', '.join(map(str, col.allowed))} (any case; spaces or "
                                           f"hyphens for '_', e.g. '{_label_example(col.allowed)}')")
    if kind == "year":
        typed, bad = _years(cells, col)
        return typed, bad, _year_message(col)
    if kind == "ethnicity":
        emap = ethnicity_map or load_ethnicity_map()
        holder["emap"] = emap
        typed = emap.normalise(cells)
        bad = (typed.isna() & cells.notna()).to_numpy()
        return typed, bad, f"is not an ethnicity code or label in the {emap.source} (add it to the mapping table if it is valid)"
    if kind == "degree":
        typed = cells.map(normalise_degree_class, na_action="ignore")
        bad = (typed.isna() & cells.notna()).to_numpy()
        return typed.astype(object), bad, f"is not a degree class ({', '.join(DEGREE_CLASSES)})"
    raise AnalysisError(f"column {col.name!r} has kind {kind!r}, which is not a column kind; use one of "
                        f"{', '.join(COLUMN_KINDS)} in its schema.")
