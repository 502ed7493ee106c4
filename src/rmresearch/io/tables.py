"""Reading input tables: CSV, TSV and Excel files to typed, validated frames.

:func:`read_raw_table` reads a file's cells as text, with the row number a
person sees for each record; :func:`read_table` finds the header row (exports
often carry title rows above it), checks the cells against a
:class:`~rmresearch.schemas.TableSchema` (see :func:`~rmresearch.schemas.validate_frame`)
and reports *every* problem at once. :func:`read_actions` reads the actions
table with the same steps. Schemas and converters live in :mod:`rmresearch.schemas`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, ValidationError
from ..schemas import SCHEMAS, TableSchema, _many, _normalise_header, validate_frame
from .excel import EXCEL_SUFFIXES, excel_date_origin, read_sheet, sheet_names
from .text import decode, read_bytes

__all__ = ["MAX_TABLE_BYTES", "check_size", "read_raw_table", "read_table", "read_actions"]

#: Largest input table read (bytes): a bigger file is almost always the wrong file (a whole database dump)
#: and would exhaust memory; the message says so rather than the machine stalling.
MAX_TABLE_BYTES = 500_000_000
_SPLIT_ADVICE = ("Check that it is the right file (one exported table, not a database dump); "
                 "split it if it really is one table.")
_UTF8_ADVICE = "In Excel use 'Save as > CSV UTF-8 (Comma delimited)' or save it as an .xlsx workbook; or re-save the file as UTF-8."
#: Rows searched for the header row.
HEADER_SCAN_ROWS = 20


class RawTable(NamedTuple):
    """A file's cells as text (no header applied), the row number a person sees for each, and the day Excel
    serial 0 stands for (the 1904 date system of a workbook, else 1899-12-30)."""

    cells: pd.DataFrame
    rows: list[int]
    date_origin: pd.Timestamp


# --------------------------------------------------------------------------- raw cells


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


def _excel_cell_to_text(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        return value.isoformat()[:10] if not isinstance(value, str) else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_workbook(path: Path, sheet) -> RawTable:
    cells, origin = read_sheet(path, sheet=sheet, limit=MAX_TABLE_BYTES)
    return RawTable(cells.map(_excel_cell_to_text), list(range(1, len(cells) + 1)), origin)


def _decode_table(path: Path, encoding: str | None = None, encoding_advice: str | None = None) -> str:
    """The text of a CSV/TSV table, by the one decoding policy of :mod:`rmresearch.io.text` (``encoding``: the one
    the user named; ``encoding_advice``: how they name one, said when the file is not UTF-8)."""
    data = read_bytes(path, limit=MAX_TABLE_BYTES, what="an input table", advice=_SPLIT_ADVICE)
    return decode(path, data, encoding=encoding, what="a CSV table", unit="row", advice=_UTF8_ADVICE,
                  encoding_advice=encoding_advice)


def _parse_fast(text: str, delimiter: str) -> tuple[pd.DataFrame, list[int]] | None:
    """pandas' C parser when every record is one line (so record k is line k); ``None`` when it cannot."""
    if "\n" not in text or '"' in text:
        return None
    try:
        raw = pd.read_csv(io.StringIO(text), header=None, dtype=str, sep=delimiter, na_filter=False,
                          skip_blank_lines=False, engine="c")
    except pd.errors.ParserError:  # ragged rows (title lines above the table): the csv module copes
        return None
    raw = raw.fillna("")  # short rows and blank lines: empty cells, as the csv module gives
    numbers = np.arange(1, len(raw) + 1)
    filled = raw.apply(lambda c: c.str.strip().ne("")).any(axis=1).to_numpy()
    raw = raw.loc[filled].reset_index(drop=True).astype(object)
    raw.columns = range(raw.shape[1])
    return raw, numbers[filled].tolist()


def _parse_records(text: str, delimiter: str) -> tuple[pd.DataFrame, list[int]]:
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
    frame = pd.DataFrame([r + [""] * (width - len(r)) for r in kept], dtype=object)
    # how many cells each record had (by its line number), before padding: a row longer than its header shows
    # a shifted row even when the cell pushed past the last column is empty
    frame.attrs["lengths"] = dict(zip(rows, (len(r) for r in kept)))
    return frame, rows


def _read_raw(path: str | Path, sheet: str | int | None = 0, encoding: str | None = None,
              encoding_advice: str | None = None) -> RawTable:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found.")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a table file.")
    suffix = path.suffix.lower()
    check_size(path, MAX_TABLE_BYTES, "an input table")
    if suffix in EXCEL_SUFFIXES:
        return _read_workbook(path, sheet)
    if suffix == ".xls":
        raise InputError(f"{path}: old-style .xls workbooks are not supported. Save it as .xlsx or 'CSV UTF-8'.")
    text = _decode_table(path, encoding, encoding_advice)
    delimiter = "\t" if suffix in (".tsv", ".tab") else ","
    raw, rows = _parse_fast(text, delimiter) or _parse_records(text, delimiter)
    return RawTable(raw, rows, excel_date_origin(1900))


def read_raw_table(path: str | Path, *, sheet: str | int | None = 0) -> tuple[pd.DataFrame, list[int]]:
    """Read a CSV/TSV/Excel file as text cells, without interpreting anything.

    Returns the cells (all strings, no header applied) and, for each row, the
    row number a person sees in the file. Raises :class:`InputError` for files
    that are missing, empty, binary or not UTF-8.
    """
    raw = _read_raw(path, sheet)
    return raw.cells, raw.rows


# --------------------------------------------------------------------------- header and body


def _find_header(raw: pd.DataFrame, schema: TableSchema, max_scan: int = HEADER_SCAN_ROWS) -> int | None:
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
        names = sheet_names(path, limit=MAX_TABLE_BYTES)
    except InputError:  # only a hint; the read before already succeeded
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


def _no_header(path: Path, raw: pd.DataFrame, schema: TableSchema, sheet) -> Problem:
    first = " ".join(str(v) for v in raw.iloc[0]) if len(raw) else ""
    hint = ""
    for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|' characters")):
        if first.count(sep) >= 2 and sum(_normalise_header(v) in {c.name for c in schema.columns}
                                         for v in first.split(sep)) >= 2:
            hint = (f". The columns are separated by {name}, not commas: save it as 'CSV UTF-8 (Comma delimited)'"
                    + (" or name it .tsv" if sep == "\t" else ""))
    if path.suffix.lower() in EXCEL_SUFFIXES and sheet == 0:
        hint += _other_sheet_hint(path, schema)
    return Problem(
        str(path),
        f"no header row with the {schema.name} columns found in the first {HEADER_SCAN_ROWS} rows; "
        f"expected columns: {', '.join(schema.required)}{hint}",
    )


def _apply_header(path: Path, raw: RawTable, header_at: int) -> tuple[pd.DataFrame, list[Problem]]:
    """The records below the header row, named by it, with a ``_row`` column; problems of the header's shape."""
    header = [_normalise_header(v) for v in raw.cells.iloc[header_at]]
    body = raw.cells.iloc[header_at + 1 :].reset_index(drop=True)
    problems = []
    # Cells right of the last named column: a row shifted by an unquoted comma ("Thornton, Hugh") or a stray
    # cell. Dropping them silently would read every cell of that row from the wrong column.
    last = max((i for i, h in enumerate(header) if h), default=-1)
    if last + 1 < body.shape[1]:
        beyond = body.iloc[:, last + 1 :].apply(lambda c: c.astype(str).str.strip().ne("")).any(axis=1).to_numpy()
        lengths = raw.cells.attrs.get("lengths") or {}
        if lengths:  # a row with more cells than its header row, though the extra one is empty
            own = max(lengths.get(raw.rows[header_at], 0), last + 1)
            beyond |= np.array([lengths.get(r, 0) > own for r in raw.rows[header_at + 1 :]], dtype=bool)
        if beyond.any():
            numbers = np.asarray(raw.rows[header_at + 1 :])[beyond]
            problems.append(_many(
                str(path), None, numbers,
                "has more cells than the header has columns (an unquoted comma inside a cell, e.g. \"Thornton, Hugh\" "
                "without quotes, shifts the row); quote that cell or remove the stray cells",
            ))
    body.columns = header
    body = body.loc[:, [h != "" for h in header]]
    frame = body.copy()
    frame.insert(0, "_row", raw.rows[header_at + 1 :])
    dupe_headers = sorted({h for h in header if h and header.count(h) > 1})
    if dupe_headers:
        problems.append(Problem(str(path), f"column(s) appear more than once in the header: {', '.join(dupe_headers)}",
                                row=raw.rows[header_at]))
        frame = frame.loc[:, ~frame.columns.duplicated()]
    return frame, problems


def _read_cells(path: Path, schema: TableSchema, sheet, encoding: str | None = None,
                encoding_advice: str | None = None) -> tuple[pd.DataFrame | None, list[Problem], pd.Timestamp]:
    """Text cells under the header (``None`` when no header row is found), the problems so far, the date origin."""
    raw = _read_raw(path, sheet, encoding, encoding_advice)
    header_at = _find_header(raw.cells, schema)
    if header_at is None:
        return None, [_no_header(path, raw.cells, schema, sheet)], raw.date_origin
    frame, problems = _apply_header(path, raw, header_at)
    return frame, problems, raw.date_origin


def read_table(
    path: str | Path,
    schema: TableSchema | str,
    *,
    ethnicity_map=None,
    grouping: str = "ofs_group",
    sheet: str | int | None = 0,
    raise_on_error: bool = True,
    encoding: str | None = None,
    encoding_advice: str | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and validate one table.

    Returns the typed table and the list of problems (warnings only, unless
    ``raise_on_error=False``). With ``raise_on_error=True`` (the default), any
    error raises :class:`~rmresearch.errors.ValidationError` listing all of them.

    The returned frame has a ``_row`` column holding each record's row number
    in the source file, for messages further down the line. ``encoding`` is
    the one the user named for a CSV/TSV file (see :mod:`rmresearch.io.text`);
    ``encoding_advice`` how they name one (``<codec>`` where its name goes),
    said when a file is not UTF-8.
    """
    if isinstance(schema, str):
        schema = SCHEMAS[schema]
    path = Path(path)
    frame, problems, origin = _read_cells(path, schema, sheet, encoding, encoding_advice)
    if frame is None:
        if raise_on_error:
            raise ValidationError(problems)
        return pd.DataFrame(), problems
    frame, more = validate_frame(frame, schema, source=str(path), ethnicity_map=ethnicity_map, grouping=grouping,
                                 date_origin=origin)
    problems += more
    if raise_on_error and any(p.severity == "error" for p in problems):
        raise ValidationError(problems)
    return frame, problems


# --------------------------------------------------------------------------- actions


def _owner_names(frame: pd.DataFrame, participants: pd.DataFrame, source: str) -> list[Problem]:
    """Warnings for owners that name someone on the roster (first name and surname, or a title and surname):
    an owner is a role or unit, and the actions are listed by name in the report."""
    from ..anonymise.lexicon import NAME_TITLES
    from ..anonymise.roster import name_tokens

    titles = {t.casefold().rstrip(".") for t in NAME_TITLES}
    people = [[t.casefold() for t in name_tokens(n)] for n in participants["name"].dropna().astype(str)]
    people = [p for p in people if len(p) >= 2]
    problems = []
    for row, owner in zip(frame["_row"], frame["owner"]):
        if owner is None or pd.isna(owner):
            continue
        words = [t.casefold() for t in name_tokens(str(owner))]
        raw = [w.casefold().rstrip(".") for w in str(owner).split()]
        titled = {b for a, b in zip(raw, raw[1:]) if a in titles}
        if any((p[0] in words and p[-1] in words) or p[-1] in titled for p in people):
            problems.append(Problem(source, f"owner '{owner}' looks like the name of someone on the roster; name the role "
                                    "or unit that owns the change (e.g. Director of HR), not a person", row=int(row),
                                    column="owner", severity="warning"))
    return problems


def read_action_table(path: str | Path, *, pairs: pd.DataFrame | None = None,
                      participants: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """The actions table (schema ``actions``) and every problem found, without raising for errors.

    ``status`` accepts spaces or hyphens for ``_`` and any case (``In progress``). With ``pairs``, every pair_id
    must be a known pair; with ``participants`` (their ``name`` column), an ``owner`` that names someone on the
    roster is a warning. The frame keeps its ``_row`` column.
    """
    schema = SCHEMAS["actions"]
    path = Path(path)
    frame, problems, origin = _read_cells(path, schema, 0)
    if frame is None:
        return pd.DataFrame(), problems
    if "status" in frame.columns:
        frame["status"] = frame["status"].astype(str).str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)
    frame, more = validate_frame(frame, schema, source=str(path), date_origin=origin)
    problems += more
    if pairs is not None and "pair_id" in frame.columns:
        known = set(pairs["pair_id"].astype(str))
        for row, pid in zip(frame["_row"], frame["pair_id"]):
            if pid is not None and str(pid) not in known:
                problems.append(Problem(str(path), f"pair_id '{pid}' is not in the pairs table", row=int(row), column="pair_id"))
    if participants is not None and "name" in participants.columns and "owner" in frame.columns:
        problems += _owner_names(frame, participants, str(path))
    return frame, problems


def read_actions(path: str | Path, *, pairs: pd.DataFrame | None = None,
                 participants: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read the actions and policy changes attributed to pairs (CSV or .xlsx); see ``rmresearch schema actions``.

    Raises :class:`~rmresearch.errors.ValidationError` naming file, row and column of every problem (warnings,
    such as an owner that looks like a roster name, are reported by ``rmresearch validate``).
    """
    frame, problems = read_action_table(path, pairs=pairs, participants=participants)
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems)
    return frame.drop(columns="_row")
