"""Reading survey exports: Qualtrics CSV/TSV, Microsoft Forms ``.xlsx``, SPSS ``.sav`` and plain CSV.

:func:`read_export` turns one export file into a :class:`RawExport`: the
column ids, the question text of each column when the format has it, the cells
as text-ish values and the row a person sees for each response. It knows
nothing of instruments; :func:`rmresearch.surveys.read_responses` matches the
columns to an instrument's items and checks the answers.

- Qualtrics: three header rows (ids, question text, ``{"ImportId": ...}``);
  TSV exports are UTF-16. Survey previews and test runs are left out with a
  warning.
- Forms: the first sheet's first row is the header (question text).
- SPSS: variable names, variable labels as question text, value labels kept.
- Plain CSV/TSV: one header row of item ids.

A cell holding ``-99`` (Qualtrics' "seen but unanswered"), ``n/a`` and the
like is missing (:func:`cell_text`).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Problem
from .text import decode, read_bytes

__all__ = ["MAX_EXPORT_BYTES", "FORMATS", "RawExport", "read_export", "detect_format", "cell_text", "normalise_label"]

#: Largest survey export read (bytes): a cohort's survey is kilobytes; a bigger file is the wrong file.
MAX_EXPORT_BYTES = 200_000_000
#: The export formats :func:`read_export` reads (``"auto"`` picks one from the file).
FORMATS = ("qualtrics", "forms", "spss", "csv")

QUALTRICS_META = {
    "startdate", "enddate", "status", "ipaddress", "progress", "duration (in seconds)", "finished",
    "recordeddate", "responseid", "recipientlastname", "recipientfirstname", "recipientemail",
    "externalreference", "externaldatareference", "locationlatitude", "locationlongitude",
    "distributionchannel", "userlanguage",
}
FORMS_META = {"id", "start time", "completion time", "email", "name", "last modified time"}
_MISSING_TEXT = {"", "nan", "none", "null", "n/a", "na", "-99"}


@dataclass
class RawExport:
    """An export read into text-ish cells, before matching to an instrument."""

    ids: list[str]  # column ids (row 1 / variable names)
    texts: list[str | None]  # question text per column, when the format has it
    body: pd.DataFrame  # cells, columns 0..n-1
    rows: list[int]  # the row a person sees for each body row
    meta: set[str]  # normalised ids of metadata columns
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    format: str = ""


def normalise_label(text: Any) -> str:
    """Lower-case, straight quotes, single spaces, no trailing punctuation: how labels and question texts are compared.

    Examples
    --------
    >>> normalise_label("  I \u2019feel\u2019  I belong here? ")
    "i 'feel' i belong here"
    """
    s = str(text).replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    s = " ".join(s.replace("\xa0", " ").split()).lower()
    return s.rstrip(" .?:!")


def cell_text(value) -> str | None:
    """A cell as stripped text; None when it is empty or a missing-answer code (``-99``, ``n/a``...).

    Examples
    --------
    >>> [cell_text(v) for v in (4.0, " Agree ", "-99", float("nan"))]
    ['4', 'Agree', None, None]
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return None if text.lower() in _MISSING_TEXT else text


_ADVICE = "Export again from the survey tool as CSV (UTF-8) or TSV, or re-save the file as UTF-8."


def _records(path: Path) -> list[list[str]]:
    """The CSV/TSV records of an export (UTF-8, or UTF-16 with a byte-order mark, as Qualtrics writes TSV)."""
    data = read_bytes(path, limit=MAX_EXPORT_BYTES, what="a survey export", advice="Check that it is the right file.")
    text = decode(path, data, what="a CSV/TSV survey export", advice=_ADVICE, unit="row", newlines=False)
    first = text.replace("\r", "\n").split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") or first.count("\t") > first.count(",") else ","
    try:  # newline="": CR-only (old Mac), LF and CRLF records all split, quoted line breaks kept
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        records, lines, after = _Records(), [], 0
        for record in reader:
            records.append(record)
            lines.append(after + 1)  # the line the record starts on (an open-text answer may span several)
            after = reader.line_num
        records.lines = lines
        return records
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV/TSV export ({exc}). Export the responses again.") from None


def _is_qualtrics(records: list[list[str]]) -> bool:
    return len(records) >= 3 and any(cell.strip().startswith('{"ImportId"') for cell in records[2])


class _Records(list):
    """CSV records with ``lines``: the line of the file each record starts on (the row a person sees)."""

    lines: list[int]


def _frame(records: list[list[str]], start: int) -> tuple[pd.DataFrame, list[int]]:
    width = max((len(r) for r in records), default=0)
    lines = getattr(records, "lines", None)
    kept, rows = [], []
    for number, record in enumerate(records[start:], start=start + 1):
        if not any(cell.strip() for cell in record):
            continue
        kept.append(record + [""] * (width - len(record)))
        rows.append(lines[number - 1] if lines is not None else number)
    return pd.DataFrame(kept, columns=range(width), dtype=object), rows
def _read_qualtrics(path: Path, records: list[list[str]]) -> RawExport:
    ids = [c.strip() for c in records[0]]
    texts = [c.strip() for c in records[1]] + [""] * (len(ids) - len(records[1]))
    body, rows = _frame(records, 3)
    body = body.iloc[:, : len(ids)]
    raw = RawExport(ids, texts, body, rows, set(QUALTRICS_META))
    # Drop survey previews and test runs (Status "Survey Preview" / code 1): they are not participants.
    status_col = next((i for i, c in enumerate(ids) if c.lower() == "status"), None)
    if status_col is not None:
        status = body[status_col].astype(str).str.strip().str.lower()
        preview = status.isin(["survey preview", "1", "survey test", "spam"]).to_numpy()
        if preview.any():
            dropped = [r for r, p in zip(rows, preview) if p]
            raw.warnings.append(Problem(str(path), f"{len(dropped)} survey preview/test response(s) left out (rows {', '.join(map(str, dropped[:8]))})", row=dropped[0], column="Status", severity="warning"))
            raw.body = body.loc[~preview].reset_index(drop=True)
            raw.rows = [r for r, p in zip(rows, preview) if not p]
    return raw


def _read_plain(path: Path, records: list[list[str]]) -> RawExport:
    ids = [c.strip() for c in records[0]]
    body, rows = _frame(records, 1)
    return RawExport(ids, [None] * len(ids), body.iloc[:, : len(ids)], rows, set())


def _read_forms(path: Path, sheet) -> RawExport:
    from .excel import read_sheet

    table = read_sheet(path, sheet=sheet, limit=MAX_EXPORT_BYTES).cells  # answers are text or codes: no dates to convert
    if table.empty:
        raise InputError(f"{path}: the sheet is empty. Export the responses again from Forms (Open in Excel).")
    ids = ["" if pd.isna(v) else str(v).strip() for v in table.iloc[0]]
    body = table.iloc[1:].reset_index(drop=True)
    body.columns = range(body.shape[1])
    keep = ~body.isna().all(axis=1).to_numpy()
    rows = [r for r, k in zip(range(2, len(body) + 2), keep) if k]
    body = body.loc[keep].reset_index(drop=True)
    return RawExport(ids, list(ids), body, rows, set(FORMS_META))


def _read_spss(path: Path) -> RawExport:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise InputError(f"{path}: cannot be read as an SPSS .sav file ({exc}).") from None
    ids = list(frame.columns)
    texts = [meta.column_names_to_labels.get(c) for c in ids]
    body = frame.copy()
    body.columns = range(len(ids))
    # A .sav has no visible header row: case 1 is shown as row 1 in SPSS's Data View.
    rows = list(range(1, len(body) + 1))
    labels = {c: dict(v) for c, v in (meta.variable_value_labels or {}).items()}
    return RawExport(ids, texts, body, rows, set(QUALTRICS_META), value_labels=labels)


def detect_format(path: Path) -> str:
    """The export format of a file, from its extension and (CSV/TSV) its third row: one of :data:`FORMATS`."""
    suffix = path.suffix.lower()
    if suffix == ".sav":
        return "spss"
    if suffix in (".xlsx", ".xlsm"):
        return "forms"
    if suffix in (".csv", ".tsv", ".tab", ".txt"):
        return "qualtrics" if _is_qualtrics(_records(path)) else "csv"
    raise InputError(f"{path}: unknown survey file type '{suffix}'. Use a Qualtrics CSV/TSV, a Forms .xlsx, an SPSS .sav or a plain CSV.")



def _check_file(path: Path) -> None:
    """Refuse a missing file, a folder, a device or an export over :data:`MAX_EXPORT_BYTES` before reading it."""
    if not path.exists():
        raise InputError(f"{path}: file not found.")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a survey export.")
    if not path.is_file():
        raise InputError(f"{path}: is not a regular file; name the exported file itself.")
    size = path.stat().st_size
    if size > MAX_EXPORT_BYTES:
        raise InputError(f"{path}: the file is {size / 1e6:,.1f} MB, more than the {MAX_EXPORT_BYTES / 1e6:,.0f} MB limit "
                         "for a survey export. Check that it is the right file.")


def read_export(path: str | Path, *, format: str = "auto", sheet: str | int = 0) -> RawExport:
    """Read one survey export file (any of :data:`FORMATS`) into a :class:`RawExport`.

    ``format="auto"`` decides from the extension and, for CSV/TSV, from the
    content (Qualtrics' third header row). ``sheet`` is the Forms workbook sheet.

    Raises
    ------
    InputError
        The file is missing, too large, empty, binary, not UTF-8/UTF-16 text,
        not the format named, or has a header but no responses.
    """
    path = Path(path)
    _check_file(path)
    if format not in ("auto", *FORMATS):
        raise InputError(f"{path}: format must be 'auto', 'qualtrics', 'forms', 'spss' or 'csv', not {format!r}.")
    fmt = detect_format(path) if format == "auto" else format
    if fmt in ("qualtrics", "csv"):
        records = _records(path)
        if fmt == "qualtrics" and not _is_qualtrics(records):
            raise InputError(f"{path}: not a Qualtrics export: the third row should hold {{\"ImportId\": ...}} cells. "
                             "Export with 'Use legacy format' off, or use format='csv'.")
        raw = _read_qualtrics(path, records) if fmt == "qualtrics" else _read_plain(path, records)
    elif fmt == "forms":
        raw = _read_forms(path, sheet)
    else:
        raw = _read_spss(path)
    if len(raw.body) == 0:
        raise InputError(f"{path}: the export has a header but no responses. Export the survey again once people "
                         "have answered (Qualtrics: Data & Analysis > Export; Forms: Open in Excel).")
    raw.format = fmt
    return raw
