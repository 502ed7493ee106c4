"""Table schemas and validation with clear, complete error reports.

Each input table has a :class:`TableSchema`: its columns, their kinds, the
allowed codes and the key that must be unique. :func:`read_table` reads a CSV
or Excel file, finds the header row (exports often carry title rows above it),
converts every column to its type and reports *every* problem at once, naming
the file, the row a person would see in Excel or a text editor, and the column.

Kinds of column:

``id``        text identifier (kept as text: ``007`` stays ``007``)
``text``      free text
``int``       whole number
``float``     number
``date``      ISO ``2024-10-01``, UK ``01/10/2024`` or an Excel date
``bool``      yes/no, true/false, y/n, 1/0
``category``  one of the schema's ``allowed`` values
``ethnicity`` a detailed ethnicity code or label from the mapping table
``degree``    a degree class (spellings normalised, see :mod:`rmresearch.codes`)
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
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
from .errors import InputError, Problem, ValidationError

__all__ = [
    "Column",
    "TableSchema",
    "SCHEMAS",
    "read_table",
    "read_raw_table",
    "validate_frame",
]

_EMPTY_TOKENS = ["", "nan", "NaN", "NA", "N/A", "n/a", "None", "null"]
#: Largest input table read (bytes): a bigger file is almost always the wrong file (a whole database dump)
#: and would exhaust memory; the message says so rather than the machine stalling.
MAX_TABLE_BYTES = 500_000_000
#: Whole numbers beyond this are not exact in floating point (and no count or year is that large).
_MAX_WHOLE = 2**53
#: Dates outside these years are typing mistakes (0024 for 2024, 2204 for 2024...), not data.
DATE_YEARS = (1900, 2100)
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


@dataclass(frozen=True)
class TableSchema:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    extra_columns: bool = True  # other columns are kept (and not checked)

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


C = Column
SCHEMAS: dict[str, TableSchema] = {
    "participants": TableSchema(
        "participants",
        "Everyone in the cohort: senior leaders and their partners. Holds names, so it stays with the raw data.",
        (
            C("participant_id", "id", "Stable ID, used as the pseudonym in anonymised outputs"),
            C("name", "text", "Full name as people use it (used to find names in transcripts)"),
            C("aliases", "text", "Other names, nicknames or spellings, separated by ';'", required=False, nullable=True),
            C("cohort", "id", "Cohort ID, as in the cohort configuration"),
            C("role", "category", "Role in the scheme", allowed=ROLES),
            C("ethnicity_code", "ethnicity", "HESA detailed ethnicity code (or its label)"),
            C("sex", "text", "Sex as recorded", nullable=True),
            C("grade", "text", "Grade or level (staff); empty for students and community partners", nullable=True),
            C("faculty", "text", "Faculty or directorate", nullable=True),
            C("consent_interview", "bool", "Consented to interview data being used"),
            C("consent_records", "bool", "Consented to linking institutional records"),
            C("student_id", "id", "Student number in the students table (student partners), to link their record; "
              "unlinked without consent_records", required=False, nullable=True),
            C("staff_id", "id", "Staff number in the staff table, to link their record; unlinked without consent_records",
              required=False, nullable=True),
        ),
        key=("participant_id",),
    ),
    "pairs": TableSchema(
        "pairs",
        "Mentoring pairs: one senior leader with one partner.",
        (
            C("pair_id", "id", "Stable pair ID"),
            C("senior_id", "id", "participant_id of the senior leader"),
            C("partner_id", "id", "participant_id of the partner"),
            C("start_date", "date", "Date the pair was matched"),
            C("end_date", "date", "Date the pair ended (empty while active)", nullable=True),
            C("status", "category", "Pair status", allowed=PAIR_STATUSES),
        ),
        key=("pair_id",),
    ),
    "meetings": TableSchema(
        "meetings",
        "One row per scheduled meeting of a pair.",
        (
            C("pair_id", "id", "Pair ID"),
            C("date", "date", "Meeting date"),
            C("minutes", "float", "Length in minutes (empty if it did not take place)", nullable=True, minimum=0, maximum=600),
            C("attended", "bool", "Whether the meeting took place"),
            C("initiated_by", "category", "Who arranged it", nullable=True, allowed=("senior", "partner", "facilitator")),
        ),
        key=("pair_id", "date"),
    ),
    "sessions": TableSchema(
        "sessions",
        "Attendance at the programme's group sessions (training, reflective sessions): one row per person invited.",
        (
            C("participant_id", "id", "participant_id of the person invited"),
            C("session", "text", "Session name, e.g. 'Introductory training', 'Midpoint reflection'"),
            C("date", "date", "Date of the session", nullable=True),
            C("attended", "bool", "Whether the person attended"),
        ),
        key=("participant_id", "session"),
    ),
    "students": TableSchema(
        "students",
        "Student records: one row per student (qualifiers and non-qualifiers).",
        (
            C("student_id", "id", "Student number or pseudonymous ID"),
            C("ethnicity_code", "ethnicity", "HESA detailed ethnicity code (or its label)"),
            C("ethnicity_group", "text", "Group; derived from the code when absent", required=False, nullable=True),
            C("sex", "text", "Sex as recorded", nullable=True),
            C("age_on_entry", "float", "Age on entry, years", nullable=True, minimum=14, maximum=100),
            C("disability", "bool", "Declared a disability", nullable=True),
            C("imd_quintile", "int", "Index of Multiple Deprivation quintile (1 = most deprived)", nullable=True, minimum=1, maximum=5),
            C("tariff", "float", "UCAS entry tariff points", nullable=True, minimum=0, maximum=400),
            C("faculty", "text", "Faculty", nullable=True),
            C("subject", "text", "Subject (e.g. CAH level 1 or 2)", nullable=True),
            C("entry_year", "int", "Academic year of entry (first calendar year, 2019 for 2019-20)", minimum=1990, maximum=2100),
            C("qualification_year", "int", "Academic year of qualification; empty if not qualified", nullable=True, minimum=1990, maximum=2100),
            C("degree_class", "degree", "First, 2:1, 2:2, Third, Pass or Unclassified; empty if not qualified", nullable=True),
            C("continued", "bool", "Continued into the second year", nullable=True),
            C("completed", "bool", "Completed the course", nullable=True),
            C("mentored", "bool", "Took part in the mentoring scheme"),
        ),
        key=("student_id",),
    ),
    "staff": TableSchema(
        "staff",
        "Staff yearly snapshots: one row per person per census year.",
        (
            C("staff_id", "id", "Staff number or pseudonymous ID"),
            C("year", "int", "Census year", minimum=1990, maximum=2100),
            C("grade", "text", "Grade on the configured scale"),
            C("ethnicity_code", "ethnicity", "HESA detailed ethnicity code (or its label)"),
            C("sex", "text", "Sex as recorded", nullable=True),
            C("faculty", "text", "Faculty or directorate", nullable=True),
            C("contract", "text", "Contract type (e.g. academic, professional services)", nullable=True),
            C("left", "bool", "Left during the following year"),
            C("mentored", "bool", "Took part in the mentoring scheme"),
        ),
        key=("staff_id", "year"),
    ),
    "recruitment": TableSchema(
        "recruitment",
        "Recruitment funnel counts by year, post grade and ethnicity group.",
        (
            C("year", "int", "Year", minimum=1990, maximum=2100),
            C("post_grade", "text", "Grade of the post"),
            C("ethnicity_group", "text", "Applicant ethnicity group"),
            C("applied", "int", "Applicants", minimum=0),
            C("shortlisted", "int", "Shortlisted", minimum=0),
            C("appointed", "int", "Appointed", minimum=0),
        ),
        key=("year", "post_grade", "ethnicity_group"),
    ),
    "survey": TableSchema(
        "survey",
        "Survey responses in tidy wide form: one row per participant per wave, one column per item.",
        (
            C("participant_id", "id", "participant_id of the respondent"),
            C("wave", "category", "Survey wave", allowed=("pre", "mid", "post")),
        ),
        key=("participant_id", "wave"),
    ),
}
del C


# --------------------------------------------------------------------------- reading


def _sniff_binary(path: Path, head: bytes) -> None:
    if not head:
        raise InputError(f"{path}: the file is empty. Export the table again, with its header row.")
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        at = head.index(b"\x00")
        line = head[:at].count(b"\n") + 1
        raise InputError(
            f"{path}: this looks like a binary file, not a CSV (a NUL byte on row {line}, "
            f"position {at}). Save the table as 'CSV UTF-8' or as an .xlsx workbook."
        )


def check_size(path: Path, limit: int, what: str) -> None:
    """Refuse a file larger than ``limit`` bytes with a clear message (before reading it)."""
    if not path.is_file():  # a device or pipe (/dev/zero) reports size 0 and never ends
        raise InputError(f"{path}: is not a regular file; name the exported file itself.")
    size = path.stat().st_size
    if size > limit:
        raise InputError(
            f"{path}: the file is {size / 1e6:,.1f} MB, more than the {limit / 1e6:,.0f} MB limit for {what}. "
            "Check that it is the right file (one exported table, not a database dump); split it if it really is one table."
        )


def check_workbook_size(path: Path, limit: int) -> None:
    """Refuse an .xlsx whose parts unpack beyond ``limit`` bytes (a zip bomb) before openpyxl inflates them."""
    import zipfile

    try:
        inflated = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot be read as an Excel workbook ({exc}). Open it in Excel and save it again.") from None
    if inflated > limit:
        raise InputError(f"{path}: the workbook unpacks to {inflated / 1e6:,.0f} MB, more than the {limit / 1e6:,.0f} MB limit "
                         "for an input table. Check that it is the right file; save the one sheet as CSV UTF-8.")


def read_raw_table(path: str | Path, *, sheet: str | int | None = 0) -> tuple[pd.DataFrame, list[int]]:
    """Read a CSV/TSV/Excel file as text cells, without interpreting anything.

    Returns the cells (all strings, no header applied) and, for each row, the
    row number a person sees in the file. Raises :class:`InputError` for files
    that are missing, empty, binary or not UTF-8.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found.")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a table file.")
    suffix = path.suffix.lower()
    check_size(path, MAX_TABLE_BYTES, "an input table")
    if suffix in (".xlsx", ".xlsm"):
        check_workbook_size(path, MAX_TABLE_BYTES)
        try:
            raw = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many kinds for damaged files
            raise InputError(f"{path}: cannot be read as an Excel workbook ({exc}).") from None
        rows = list(range(1, len(raw) + 1))
        raw = raw.map(_excel_cell_to_text)
        return raw, rows
    if suffix == ".xls":
        raise InputError(f"{path}: old-style .xls workbooks are not supported. Save it as .xlsx or 'CSV UTF-8'.")
    try:
        head = path.read_bytes()
    except OSError as exc:  # no permission, a vanished network drive...
        raise InputError(f"{path}: cannot be read ({exc.strerror}). Check that the file is not open elsewhere or locked.") from None
    _sniff_binary(path, head)
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))  # Excel's "Unicode text" and some exports
    try:
        text = head.decode("utf-16") if utf16 else head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = head[: exc.start].count(b"\n") + 1 if not utf16 else None
        raise InputError(
            f"{path}: not {'UTF-16' if utf16 else 'UTF-8'} text"
            + (f" (row {line}: byte 0x{head[exc.start]:02x} at position {exc.start})" if line else "")
            + ". In Excel use 'Save as > CSV UTF-8 (Comma delimited)'; or re-save the file as UTF-8."
        ) from None
    # Old Mac (CR-only) and Windows line endings: one record per line for both parsers below.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{path}: the file is empty. Export the table again, with its header row.")
    delimiter = "\t" if suffix in (".tsv", ".tab") else ","
    if "\n" in text and '"' not in text:
        # Fast path (pandas' C parser) when every record is one line, so record k is line k.
        try:
            raw = pd.read_csv(io.StringIO(text), header=None, dtype=str, sep=delimiter, na_filter=False,
                              skip_blank_lines=False, engine="c")
        except pd.errors.ParserError:  # ragged rows (title lines above the table): the csv module copes
            raw = None
        if raw is not None:
            raw = raw.fillna("")  # short rows and blank lines: empty cells, as the csv module gives
            numbers = np.arange(1, len(raw) + 1)
            filled = raw.apply(lambda c: c.str.strip().ne("")).any(axis=1).to_numpy()
            raw = raw.loc[filled].reset_index(drop=True).astype(object)
            raw.columns = range(raw.shape[1])
            return raw, numbers[filled].tolist()
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    kept = []
    after = 0
    for record in reader:
        number, after = after + 1, reader.line_num  # the line a record starts on (a quoted cell may span lines)
        if not any(cell.strip() for cell in record):
            continue  # blank lines are ignored (their numbers still count)
        kept.append(record)
        rows.append(number)
    width = max(len(r) for r in kept)
    raw = pd.DataFrame([r + [""] * (width - len(r)) for r in kept], dtype=object)
    return raw, rows


def _excel_cell_to_text(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        return value.isoformat()[:10] if not isinstance(value, str) else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _find_header(raw: pd.DataFrame, schema: TableSchema, max_scan: int = 20) -> int | None:
    """Index of the row that holds the most of the schema's column names."""
    wanted = {c.name for c in schema.columns}
    best, best_hits = None, 0
    for i in range(min(max_scan, len(raw))):
        cells = {_normalise_header(v) for v in raw.iloc[i]}
        hits = len(wanted & cells)
        if hits > best_hits:
            best, best_hits = i, hits
    return best


def _other_sheet_hint(path: Path, schema: TableSchema) -> str:
    """For a workbook whose first sheet lacks the table: the sheet that has it, if any."""
    try:
        names = pd.ExcelFile(path, engine="openpyxl").sheet_names
    except Exception:  # noqa: BLE001 - only a hint; the read above already succeeded
        return ""
    for name in names[1:]:
        try:
            raw, _ = read_raw_table(path, sheet=name)
        except InputError:
            continue
        if _find_header(raw, schema) is not None:
            return (f". The table is on sheet '{name}', but only the first sheet ('{names[0]}') is read: "
                    f"move sheet '{name}' to the front of the workbook (or save it as CSV UTF-8)")
    return ""


def _normalise_header(value) -> str:
    return "_".join(str(value).strip().lower().replace("-", " ").split())


def read_table(
    path: str | Path,
    schema: TableSchema | str,
    *,
    ethnicity_map: EthnicityMap | None = None,
    grouping: str = "ofs_group",
    sheet: str | int | None = 0,
    raise_on_error: bool = True,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and validate one table.

    Returns the typed table and the list of problems (warnings only, unless
    ``raise_on_error=False``). With ``raise_on_error=True`` (the default), any
    error raises :class:`~rmresearch.errors.ValidationError` listing all of them.

    The returned frame has a ``_row`` column holding each record's row number
    in the source file, for messages further down the line.
    """
    if isinstance(schema, str):
        schema = SCHEMAS[schema]
    path = Path(path)
    raw, rownums = read_raw_table(path, sheet=sheet)
    header_at = _find_header(raw, schema)
    if header_at is None:
        first = " ".join(str(v) for v in raw.iloc[0]) if len(raw) else ""
        hint = ""
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|' characters")):
            if first.count(sep) >= 2 and sum(_normalise_header(v) in {c.name for c in schema.columns}
                                             for v in first.split(sep)) >= 2:
                hint = (f". The columns are separated by {name}, not commas: save it as 'CSV UTF-8 (Comma delimited)'"
                        + (" or name it .tsv" if sep == "\t" else ""))
        if path.suffix.lower() in (".xlsx", ".xlsm") and sheet == 0:
            hint += _other_sheet_hint(path, schema)
        problem = Problem(
            str(path),
            f"no header row with the {schema.name} columns found in the first 20 rows; "
            f"expected columns: {', '.join(schema.required)}{hint}",
        )
        if raise_on_error:
            raise ValidationError([problem])
        return pd.DataFrame(), [problem]
    header = [_normalise_header(v) for v in raw.iloc[header_at]]
    body = raw.iloc[header_at + 1 :].reset_index(drop=True)
    problems = []
    # Cells right of the last named column: a row shifted by an unquoted comma ("Thornton, Hugh") or a stray
    # cell. Dropping them silently would read every cell of that row from the wrong column.
    last = max((i for i, h in enumerate(header) if h), default=-1)
    if last + 1 < body.shape[1]:
        beyond = body.iloc[:, last + 1 :].apply(lambda c: c.astype(str).str.strip().ne("")).any(axis=1).to_numpy()
        if beyond.any():
            numbers = np.asarray(rownums[header_at + 1 :])[beyond]
            problems.append(_many(
                str(path), None, numbers,
                "has more cells than the header has columns (an unquoted comma inside a cell, e.g. \"Thornton, Hugh\" "
                "without quotes, shifts the row); quote that cell or remove the stray cells",
            ))
    body.columns = header
    body = body.loc[:, [h != "" for h in header]]
    frame = body.copy()
    frame.insert(0, "_row", rownums[header_at + 1 :])
    dupe_headers = sorted({h for h in header if h and header.count(h) > 1})
    if dupe_headers:
        problems.append(Problem(str(path), f"column(s) appear more than once in the header: {', '.join(dupe_headers)}", row=rownums[header_at]))
        frame = frame.loc[:, ~frame.columns.duplicated()]
    frame, more = validate_frame(frame, schema, source=str(path), ethnicity_map=ethnicity_map, grouping=grouping)
    problems += more
    if raise_on_error and any(p.severity == "error" for p in problems):
        raise ValidationError(problems)
    return frame, problems


def validate_frame(
    frame: pd.DataFrame,
    schema: TableSchema,
    *,
    source: str = "<table>",
    ethnicity_map: EthnicityMap | None = None,
    grouping: str = "ofs_group",
) -> tuple[pd.DataFrame, list[Problem]]:
    """Convert text cells to typed columns and list every problem.

    ``frame`` holds text cells (as read from a file) and optionally a ``_row``
    column with source row numbers; without it, rows are numbered as in a CSV
    with one header line (first record = row 2).
    """
    problems: list[Problem] = []
    frame = frame.copy()
    if "_row" not in frame.columns:
        frame.insert(0, "_row", np.arange(2, len(frame) + 2))
    rows = frame["_row"].to_numpy()
    missing = [c for c in schema.required if c not in frame.columns]
    if missing:
        problems.append(
            Problem(
                source,
                f"missing column(s): {', '.join(missing)}. The {schema.name} table needs: "
                f"{', '.join(schema.required)} (see `rmresearch schema {schema.name}`).",
            )
        )
    if len(frame) == 0:
        problems.append(Problem(source, "the table has a header but no rows."))
        return frame, problems

    # Trailing totals rows are common in exports: name them rather than guess.
    first_col = schema.columns[0].name
    if first_col in frame.columns:
        looks_total = frame[first_col].astype(str).str.strip().str.lower().isin(["total", "totals", "grand total", "all"])
        for r in rows[looks_total.to_numpy()]:
            problems.append(Problem(source, "looks like a totals row; remove it from the table", row=int(r), column=first_col))
        frame = frame.loc[~looks_total.to_numpy()]
        rows = frame["_row"].to_numpy()
        # Two exports pasted one below the other: the second header is read as data
        repeated = frame[first_col].astype(str).map(_normalise_header).eq(first_col).to_numpy()
        for r in rows[repeated]:
            problems.append(Problem(source, "repeats the header row (two exports joined?); remove it", row=int(r), column=first_col))
        frame = frame.loc[~repeated]
        rows = frame["_row"].to_numpy()

    emap = None
    for col in schema.columns:
        if col.name not in frame.columns:
            continue
        # Each distinct value is cleaned and converted once, then spread back over the rows:
        # record tables repeat the same few codes many thousands of times.
        codes, uniques = pd.factorize(frame[col.name].to_numpy(dtype=object), use_na_sentinel=True)
        distinct = pd.Series(list(uniques) + [None], dtype="string").str.strip()
        distinct = distinct.mask(distinct.isin(_EMPTY_TOKENS))
        codes = np.where(codes < 0, len(uniques), codes)  # missing cells point at the trailing None
        converted_distinct, bad_distinct, message = _convert(distinct, col, ethnicity_map, emap_holder := {})
        if "emap" in emap_holder:
            emap = emap_holder["emap"]
        empty = distinct.isna().to_numpy()[codes]
        if not col.nullable and empty.any():
            problems.append(_many(source, col.name, rows[empty], "is empty; a value is required"))
        bad_mask = np.asarray(bad_distinct, dtype=bool)[codes] & ~empty
        if bad_mask.any():
            values = distinct.to_numpy(dtype=object)[codes][bad_mask]
            problems.append(_many(source, col.name, rows[bad_mask], message, values=list(values)))
        frame[col.name] = converted_distinct.take(codes).set_axis(frame.index)

    if schema.key and all(k in frame.columns for k in schema.key):
        dup = frame.duplicated(list(schema.key), keep=False).to_numpy()
        if dup.any():
            keys = frame.loc[dup, list(schema.key)].astype(str).agg(" / ".join, axis=1)
            for key_value, idx in keys.groupby(keys).groups.items():
                r = frame.loc[idx, "_row"].tolist()
                problems.append(
                    Problem(
                        source,
                        f"duplicate {' + '.join(schema.key)} '{key_value}' on rows {', '.join(map(str, r))}; each must be unique",
                        row=int(r[1]),
                        column=schema.key[0],
                    )
                )

    # Derive the ethnicity group from the code (never trust a free-text group silently).
    schema_columns = [c.name for c in schema.columns]
    if "ethnicity_code" in frame.columns and "ethnicity_code" in schema_columns:
        emap = emap or ethnicity_map or load_ethnicity_map()
        derived = emap.group(frame["ethnicity_code"], grouping)
        if "ethnicity_group" in frame.columns and "ethnicity_group" in schema_columns:
            given = frame["ethnicity_group"]
            disagree = (given.notna() & derived.notna() & (given.astype(str) != derived.astype(str))).to_numpy()
            if disagree.any():
                problems.append(
                    Problem(
                        source,
                        f"ethnicity_group disagrees with the group of ethnicity_code on {int(disagree.sum())} row(s) "
                        f"(first: row {int(rows[disagree][0])}); the group derived from the code is used",
                        column="ethnicity_group",
                        severity="warning",
                    )
                )
        frame["ethnicity_group"] = derived
    return frame.reset_index(drop=True), problems


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
            serial[is_serial] = pd.Timestamp("1899-12-30") + pd.to_timedelta(serial_num[is_serial].to_numpy(dtype=float), unit="D")
        typed = iso.fillna(iso_time).fillna(uk).fillna(serial)
        low, high = DATE_YEARS
        implausible = typed.notna() & ((typed.dt.year < low) | (typed.dt.year > high))
        typed = typed.mask(implausible)
        bad = (typed.isna() & cells.notna()).to_numpy()
        return typed, bad, f"is not a date from {low} to {high} (use 2024-10-01 or 01/10/2024)"
    if kind == "category":
        allowed = {str(a).lower(): a for a in col.allowed}
        typed = cells.str.lower().map(allowed)
        bad = (typed.isna() & cells.notna()).to_numpy()
        return typed.astype(object), bad, f"is not one of {', '.join(map(str, col.allowed))}"
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
    raise ValueError(f"unknown column kind {kind!r}")
