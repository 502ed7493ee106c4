"""Reading survey exports: Qualtrics CSV/TSV/Excel, Microsoft Forms ``.xlsx``, SPSS ``.sav`` and plain CSV.

:func:`read_export` turns one export file into a :class:`RawExport`: the
column ids, the question text of each column when the format has it, the cells
as text-ish values and the row a person sees for each response. It knows
nothing of instruments; :func:`rmresearch.surveys.read_responses` matches the
columns to an instrument's items and checks the answers.

- Qualtrics: three header rows (ids, question text, ``{"ImportId": ...}``, in
  any quoting); CSV is UTF-8 with a byte-order mark, TSV UTF-16, the Excel
  export the same rows in a workbook. The legacy format (V1..V10 or
  ResponseID/ResponseSet, names again in row 2, no ImportId row) and a copy
  whose ImportId row was deleted are recognised by row 2 naming metadata
  columns again. Survey previews and test runs are left out with a warning.
- Forms: the first sheet's first row is the header (question text); quiz
  columns (Total points, Points - Q, Feedback - Q) are metadata.
- SPSS: variable names, variable labels as question text, value labels kept.
- Plain CSV/TSV: one header row of item ids (Qualtrics' and Forms' metadata
  names still recognised).

Title rows a person typed above the header are skipped with a warning. Each
platform's own columns are set aside into :attr:`RawExport.metadata` under
canonical names (:data:`QUALTRICS_COLUMNS`, :data:`FORMS_COLUMNS`, Qualtrics
embedded data as ``embedded: NAME``); those in :data:`IDENTIFYING` may link
respondents but are never written anywhere.

A cell holding ``-99`` (Qualtrics' "seen but unanswered"), ``n/a`` and the
like is missing (:func:`cell_text`).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .text import decode, read_bytes

__all__ = ["MAX_EXPORT_BYTES", "FORMATS", "PLATFORMS", "QUALTRICS_COLUMNS", "FORMS_COLUMNS", "IDENTIFYING", "RawExport",
           "read_export", "detect_format", "keep_items", "cell_text", "normalise_label"]

#: Largest survey export read (bytes): a cohort's survey is kilobytes; a bigger file is the wrong file.
MAX_EXPORT_BYTES = 200_000_000
#: The export formats :func:`read_export` reads (``"auto"`` picks one from the file).
FORMATS = ("qualtrics", "forms", "spss", "csv")
#: What :attr:`RawExport.platform` says a file is.
PLATFORMS = ("qualtrics", "qualtrics-legacy", "forms", "spss", "csv")

# Platform metadata columns, by their header or question text with case, spaces and underscores removed (see
# _meta_key), and the canonical snake_case name each is given in RawExport.metadata. Qualtrics writes the header
# (row 1: StartDate) and the question text (row 2: Start Date); its legacy format and SPSS export use the same names.
QUALTRICS_COLUMNS = {
    "startdate": "start", "enddate": "end", "status": "status", "responsetype": "status", "ipaddress": "ip_address",
    "progress": "progress", "duration(inseconds)": "duration_s", "finished": "finished", "recordeddate": "recorded",
    "responseid": "response_id", "responseset": "response_set", "recipientlastname": "recipient_last_name",
    "recipientfirstname": "recipient_first_name", "recipientemail": "recipient_email",
    "externalreference": "external_reference", "externaldatareference": "external_reference",
    "locationlatitude": "latitude", "locationlongitude": "longitude", "locationaccuracy": "location_accuracy",
    "distributionchannel": "distribution_channel",
    "userlanguage": "user_language", "emailaddress": "email", "durationinseconds": "duration_s",  # SPSS: Duration__in_seconds_
}
#: Legacy Qualtrics columns whose names are too common to set aside in other exports.
QUALTRICS_LEGACY_COLUMNS = {"name": "name"}
#: Microsoft Forms' columns ("Open in Excel"), quizzes included; per-question "Points - Q" / "Feedback - Q" by prefix.
FORMS_COLUMNS = {
    "id": "response_id", "starttime": "start", "completiontime": "end", "email": "email", "name": "name",
    "lastmodifiedtime": "modified", "totalpoints": "total_points", "quizfeedback": "quiz_feedback",
    "gradepostedtime": "graded",
}
FORMS_PREFIXES = {"points - ": "points", "feedback - ": "feedback"}
#: Metadata that identifies a person: set aside, used to link respondents at most, never written to any output.
IDENTIFYING = {"ip_address", "recipient_last_name", "recipient_first_name", "recipient_email", "email", "name",
               "latitude", "longitude", "location_accuracy"}
_NUMERIC = {"progress", "duration_s", "total_points", "latitude", "longitude"}
_MISSING_TEXT = {"", "nan", "none", "null", "n/a", "na", "-99"}
_IMPORT_ID = re.compile(r"""\{\s*['"]*\s*importid\s*['"]*\s*:""", re.IGNORECASE)  # "", '' or none
_V_COLUMN = re.compile(r"V\d+")
_QUESTION_ID = re.compile(r"(q|qid|v)\d", re.IGNORECASE)


@dataclass
class RawExport:
    """An export read into text-ish cells, before matching to an instrument.

    ``metadata`` holds the platform's own columns (dates, progress, response numbers, e-mails...) under canonical
    snake_case names (:data:`QUALTRICS_COLUMNS`, :data:`FORMS_COLUMNS`), one row per body row; ``metadata_columns``
    are their positions in ``ids`` (the columns stay in ``ids``/``body`` too, so a respondent column can be found
    there). ``platform`` is what the file is: ``qualtrics``, ``qualtrics-legacy``, ``forms``, ``spss`` or ``csv``.
    """

    ids: list[str]  # column ids (row 1 / variable names)
    texts: list[str | None]  # question text per column, when the format has it
    body: pd.DataFrame  # cells, columns 0..n-1
    rows: list[int]  # the row a person sees for each body row
    meta: set[str]  # normalised ids of metadata columns
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    format: str = ""
    metadata: pd.DataFrame = field(default_factory=pd.DataFrame)
    metadata_columns: list[int] = field(default_factory=list)
    platform: str = ""
    import_ids: list[str] = field(default_factory=list)  # Qualtrics' row 3, per column ("QID1_1", "startDate", "role")

    @property
    def set_aside(self) -> list[str]:
        """The headers of the metadata columns set aside, in file order."""
        return [self.ids[i] for i in self.metadata_columns]


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



_ADVICE = ("Export again from the survey tool as CSV (UTF-8) or TSV, or re-save the file as UTF-8; a file saved as "
           "Windows-1252 (older Excel 'CSV (Comma delimited)') reads with --encoding cp1252 on 'rmresearch survey import' (for the report and validate: the cohort file's "
           "options: surveys: {encoding: cp1252}).")


def _meta_key(text: Any) -> str:
    """How metadata headers are compared: ``Start Date``, ``StartDate`` and ``start_date`` are one key."""
    return re.sub(r"[\s_]+", "", normalise_label(text))


# --------------------------------------------------------------------------- CSV / TSV records


class _Records(list):
    """CSV records with ``lines``: the line of the file each record starts on (the row a person sees)."""

    lines: list[int]


def _records(path: Path, encoding: str | None = None) -> _Records:
    """The CSV/TSV records of an export (UTF-8, or UTF-16 with a byte-order mark, as Qualtrics writes TSV)."""
    data = read_bytes(path, limit=MAX_EXPORT_BYTES, what="a survey export", advice="Check that it is the right file.")
    text = decode(path, data, encoding=encoding, what="a CSV/TSV survey export", advice=_ADVICE, unit="row", newlines=False)
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


def _has_import_ids(records: list[list[str]]) -> bool:
    """Row 3 holds Qualtrics' ``{"ImportId": "QID1"}`` cells (also written ``{'ImportId': 'QID1'}`` or spaced)."""
    return len(records) >= 3 and any(_IMPORT_ID.match(cell.strip()) for cell in records[2])


def _repeats_names(records: list[list[str]]) -> bool:
    """Row 2 names a Qualtrics metadata column again (``ResponseID``, ``Start Date``): a second header row of
    question text, as in legacy exports (no ImportId row) and exports whose third row was deleted."""
    if len(records) < 2:
        return False
    for col_id, text in zip(records[0], records[1]):
        text_key = _meta_key(text)
        if text_key in QUALTRICS_COLUMNS and text_key not in ("status", "progress", "finished") and (
                _meta_key(col_id) == text_key or _V_COLUMN.fullmatch(col_id.strip())):
            return True
    return False


def _qualtrics_kind(records: list[list[str]]) -> str | None:
    """``qualtrics`` (three header rows), ``qualtrics-legacy`` (two: V1..Vn or ResponseSet) or None."""
    if _has_import_ids(records):
        return "qualtrics"
    if not _repeats_names(records):
        return None
    legacy = any(_V_COLUMN.fullmatch(c.strip()) for c in records[0][:2]) or any(_meta_key(c) == "responseset" for c in records[0])
    return "qualtrics-legacy" if legacy else "qualtrics"


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


# --------------------------------------------------------------------------- readers


def _read_qualtrics(path: Path, records: list[list[str]], platform: str) -> RawExport:
    texts = [c.strip() for c in records[1]] + [""] * max(0, len(records[0]) - len(records[1]))
    # legacy V1..V10 columns are named in row 2 (ResponseID, ResponseSet, Name, ExternalDataReference, ...)
    ids = [texts[i] if _V_COLUMN.fullmatch(c.strip()) and _meta_key(texts[i]) in {**QUALTRICS_COLUMNS, **QUALTRICS_LEGACY_COLUMNS}
           else c.strip() for i, c in enumerate(records[0])]
    header_rows = 3 if platform == "qualtrics" and _has_import_ids(records) else 2
    body, rows = _frame(records, header_rows)
    raw = RawExport(ids, texts[: len(ids)], body.iloc[:, : len(ids)], rows, set())
    if header_rows == 3:
        raw.import_ids = [_import_id(c) for c in records[2][: len(ids)]]
    _drop_previews(path, raw)
    return raw


def _import_id(cell: str) -> str:
    """``QID1_1`` from ``{"ImportId":"QID1_1"}`` (or ``{'ImportId': 'QID1_1'}``); "" when the cell holds none."""
    match = re.match(r"""\{\s*['"]*\s*importid\s*['"]*\s*:\s*['"]*([^'"},]*)""", cell.strip(), re.IGNORECASE)
    return match.group(1).strip() if match else ""


def _drop_previews(path: Path, raw: RawExport) -> None:
    """Leave out survey previews and test runs (Status "Survey Preview" / code 1, or DistributionChannel "preview" /
    "test", as generated test responses are marked): they are not participants."""
    status_col = next((i for i, c in enumerate(raw.ids) if _meta_key(c) == "status"), None)
    channel_col = next((i for i, c in enumerate(raw.ids) if _meta_key(c) == "distributionchannel"), None)
    if status_col is None and channel_col is None:
        return
    preview = np.zeros(len(raw.body), dtype=bool)
    if status_col is not None:
        status = raw.body[status_col].astype(str).str.strip().str.lower()
        preview |= status.isin(["survey preview", "1", "survey test", "spam"]).to_numpy()
    if channel_col is not None:
        preview |= raw.body[channel_col].astype(str).str.strip().str.lower().isin(["preview", "test"]).to_numpy()
    status_col = status_col if status_col is not None else channel_col
    if preview.any():
        dropped = [r for r, p in zip(raw.rows, preview) if p]
        raw.warnings.append(Problem(str(path), f"{len(dropped)} survey preview/test response(s) left out (rows {', '.join(map(str, dropped[:8]))})", row=dropped[0], column=raw.ids[status_col], severity="warning"))
        raw.body = raw.body.loc[~preview].reset_index(drop=True)
        raw.rows = [r for r, p in zip(raw.rows, preview) if not p]


def _read_plain(path: Path, records: list[list[str]]) -> RawExport:
    ids = [c.strip() for c in records[0]]
    body, rows = _frame(records, 1)
    return RawExport(ids, [None] * len(ids), body.iloc[:, : len(ids)], rows, set())


def _sheet(path: Path, sheet) -> pd.DataFrame:
    from .excel import read_sheet

    table = read_sheet(path, sheet=sheet, limit=MAX_EXPORT_BYTES).cells  # answers are text or codes: no dates to convert
    if table.empty:
        raise InputError(f"{path}: the sheet is empty. Export the responses again (Forms: Open in Excel; Qualtrics: "
                         "Export data > Excel).")
    return table


def _sheet_records(table: pd.DataFrame, first: int = 1) -> _Records:
    """A workbook sheet as CSV-like records of text (Qualtrics' Excel export has the CSV's three header rows);
    ``first`` is the sheet row of the table's first row."""
    def text(value) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    records = _Records([text(v) for v in row] for row in table.itertuples(index=False))
    records.lines = list(range(first, first + len(records)))
    return records


def _title_rows(records: list[list[str]]) -> int:
    """How many rows a person added above the header (a title, a date line: at most one cell each, and a row of
    several cells follows within the first six rows); 0 for an export as the platform wrote it."""
    for n, record in enumerate(records[:6]):
        if sum(1 for c in record if str(c).strip()) >= 2:
            return n
    return 0


def _after_titles(path: Path, records: _Records) -> tuple[_Records, Problem | None]:
    """``records`` without the title rows above the header, and the warning naming them."""
    start = _title_rows(records)
    if not start:
        return records, None
    title = next((c.strip() for r in records[:start] for c in r if c.strip()), "")
    kept = _Records(records[start:])
    kept.lines = records.lines[start:]
    warning = Problem(str(path), f"row(s) 1-{start} ({title[:60]!r}) read as a title above the header, not as responses",
                      row=1, severity="warning")
    return kept, warning


def _looks_like_forms(ids: list[str]) -> bool:
    """A Forms workbook saved as CSV: its header holds Forms' Start time and Completion time."""
    keys = {_meta_key(c) for c in ids}
    return {"starttime", "completiontime"} <= keys


def _read_forms(path: Path, table: pd.DataFrame, start: int = 0) -> RawExport:
    table = table.iloc[start:]
    ids = ["" if pd.isna(v) else str(v).strip() for v in table.iloc[0]]
    body = table.iloc[1:].reset_index(drop=True)
    body.columns = range(body.shape[1])
    keep = ~body.isna().all(axis=1).to_numpy()
    rows = [r for r, k in zip(range(start + 2, start + len(body) + 2), keep) if k]
    body = body.loc[keep].reset_index(drop=True)
    return RawExport(ids, list(ids), body, rows, set())


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
    return RawExport(ids, texts, body, rows, set(), value_labels=labels)


# --------------------------------------------------------------------------- metadata set aside


def _canonical(col_id: str, text: str | None, platform: str) -> str | None:
    """The canonical metadata name of one column on ``platform``, or None for a question's column."""
    tables = {"qualtrics": [QUALTRICS_COLUMNS], "qualtrics-legacy": [QUALTRICS_COLUMNS, QUALTRICS_LEGACY_COLUMNS],
              "forms": [FORMS_COLUMNS], "spss": [QUALTRICS_COLUMNS], "csv": [QUALTRICS_COLUMNS, FORMS_COLUMNS]}[platform]
    # a question's column (Q5, QID5, V12) is one whatever its text says; otherwise the header, then the question text
    names = [col_id] if _QUESTION_ID.match(col_id or "") else [col_id, text]
    for name in names:
        if not name:
            continue
        key = _meta_key(name)
        for table in tables:
            if key in table:
                return table[key]
        if platform in ("forms", "csv"):
            low = " ".join(str(name).split()).lower()
            for prefix, kind in FORMS_PREFIXES.items():
                if low.startswith(prefix) and len(low) > len(prefix):
                    return f"{kind}: {' '.join(str(name).split())[len(prefix):]}"
        if platform != "forms" and re.match(r"Q_[A-Z]", str(name).strip()):  # Qualtrics' own: Q_TotalDuration, Q_URL
            return "q_" + re.sub(r"(?<=[a-z])(?=[A-Z])", "_", str(name).strip()[2:]).lower()  # Q_RecaptchaScore
    return None


def _embedded(col_id: str, import_id: str) -> bool:
    """A Qualtrics embedded-data field (its ImportId is its own name, a question's is QID...); the respondent and
    wave columns stay where the matching looks for them."""
    return bool(import_id) and not import_id.upper().startswith("QID") and not _QUESTION_ID.match(col_id) and \
        _meta_key(col_id) not in ("participantid", "participant", "wave")


def _as_bool(value: Any) -> bool | None:
    text = cell_text(value)
    if text is None:
        return None
    low = text.casefold()
    return True if low in ("true", "1", "yes") else False if low in ("false", "0", "no") else None


def _set_aside(raw: RawExport) -> None:
    """Find the platform's metadata columns and copy them, under canonical names, into ``raw.metadata``."""
    columns: dict[str, pd.Series] = {}
    for index, (col_id, text) in enumerate(zip(raw.ids, raw.texts)):
        name = _canonical(col_id, text, raw.platform) if col_id else None
        if name is None and col_id and index < len(raw.import_ids) and _embedded(col_id, raw.import_ids[index]):
            name = f"embedded: {col_id}"
        if name is None or index not in raw.body.columns:
            continue
        cells = raw.body[index]
        if name == "finished":
            values = pd.Series([_as_bool(v) for v in cells], index=cells.index, dtype=object)
        elif name in _NUMERIC or name.startswith("points: "):
            values = pd.to_numeric(cells.map(cell_text), errors="coerce")
        else:
            values = cells.map(cell_text).astype(object)
        unique, n = name, 2
        while unique in columns:
            unique, n = f"{name}_{n}", n + 1
        columns[unique] = values
        raw.metadata_columns.append(index)
        raw.meta.add(normalise_label(col_id))
    raw.metadata = pd.DataFrame(columns, index=raw.body.index)


def keep_items(raw: RawExport, item_ids) -> RawExport:
    """``raw`` with the columns headed by one of ``item_ids`` taken back out of the metadata (an instrument's own item
    called ``progress`` is an answer, not Qualtrics' Progress)."""
    wanted = {normalise_label(i) for i in item_ids}
    back = [i for i in raw.metadata_columns if normalise_label(raw.ids[i]) in wanted]
    if not back:
        return raw
    positions = [n for n, i in enumerate(raw.metadata_columns) if i not in back]
    return dataclasses.replace(raw, metadata=raw.metadata.iloc[:, positions],
                               metadata_columns=[raw.metadata_columns[n] for n in positions],
                               meta=raw.meta - {normalise_label(raw.ids[i]) for i in back})


# --------------------------------------------------------------------------- the entry points


def detect_format(path: Path, *, encoding: str | None = None) -> str:
    """The export format of a file, from its extension and (CSV/TSV) its header rows: one of :data:`FORMATS`."""
    suffix = path.suffix.lower()
    if suffix == ".sav":
        return "spss"
    if suffix in (".xlsx", ".xlsm"):
        return "forms"
    if suffix in (".csv", ".tsv", ".tab", ".txt"):
        return "qualtrics" if _qualtrics_kind(_after_titles(path, _records(path, encoding))[0]) else "csv"
    if suffix == ".xls":
        raise InputError(f"{path}: an old Excel .xls workbook, which cannot be read; open it in Excel and save it as "
                         "'Excel Workbook (.xlsx)' or 'CSV UTF-8', then import that file.")
    raise InputError(f"{path}: unknown survey file type '{suffix}'. Use a Qualtrics CSV/TSV, a Forms .xlsx, an SPSS "
                     ".sav or a plain CSV (one header row), and say which with --format if the name does not end so.")


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


def _not_qualtrics(path: Path, records: list[list[str]]) -> InputError:
    """The error for ``--format qualtrics`` on a file without Qualtrics' header rows, saying what row 3 holds."""
    def shown(n: int) -> str:
        if len(records) < n:
            return f"the file has no row {n}"
        cells = [c.strip() for c in records[n - 1] if c.strip()][:3]
        return f"row {n} starts {', '.join(repr(c[:30]) for c in cells)}" if cells else f"row {n} is empty"
    return InputError(f"{path}: not a Qualtrics export: a Qualtrics CSV/TSV has column ids in row 1, question text in "
                      "row 2 and {\"ImportId\": ...} cells in row 3 (a legacy export: ResponseID in row 2), but "
                      f"{shown(2)} and {shown(3)}. If the file has one header row of column names, read it with "
                      "--format csv (or leave --format out) and map columns to items with --columns ITEM=COLUMN; "
                      "otherwise export the responses again from Qualtrics (Data & Analysis > Export & Import > "
                      "Export data > CSV).")


def read_export(path: str | Path, *, format: str = "auto", sheet: str | int = 0, encoding: str | None = None) -> RawExport:
    """Read one survey export file (any of :data:`FORMATS`) into a :class:`RawExport`.

    ``format="auto"`` decides from the extension and, for CSV/TSV, from the
    content (Qualtrics' header rows). ``sheet`` is the Forms workbook sheet;
    ``encoding`` (e.g. ``"cp1252"``) decodes a CSV/TSV with that codec instead
    of the byte-order mark / UTF-8 rule. The platform's metadata columns are set
    aside in ``metadata`` (see :class:`RawExport`).

    Raises
    ------
    InputError
        The file is missing, too large, empty, binary, not UTF-8/UTF-16 text,
        not the format named, or has a header but no responses.
    """
    path = Path(path)
    _check_file(path)
    if format not in ("auto", *FORMATS):
        raise InputError(f"{path}: --format must be auto, qualtrics, forms, spss or csv, not {format!r}.")
    fmt = detect_format(path, encoding=encoding) if format == "auto" else format
    titled = None
    if fmt in ("qualtrics", "csv"):
        records, titled = _after_titles(path, _records(path, encoding))
        kind = _qualtrics_kind(records)
        if fmt == "qualtrics" and kind is None:
            raise _not_qualtrics(path, records)
        raw = _read_qualtrics(path, records, kind) if fmt == "qualtrics" else _read_plain(path, records)
        raw.platform = kind if fmt == "qualtrics" else "forms" if _looks_like_forms(raw.ids) else "csv"
    elif fmt == "forms" and path.suffix.lower() in (".csv", ".tsv", ".tab", ".txt"):  # a Forms workbook saved as CSV
        records, titled = _after_titles(path, _records(path, encoding))
        raw = _read_plain(path, records)
        raw.texts = list(raw.ids)
        raw.platform = "forms"
    elif fmt == "forms":
        table = _sheet(path, sheet)
        records, titled = _after_titles(path, _sheet_records(table))
        kind = _qualtrics_kind(records[:3])
        if kind is not None:  # Qualtrics' Excel export: the CSV's header rows in a workbook
            raw = _read_qualtrics(path, records, kind)
            fmt = "qualtrics"
        else:
            raw = _read_forms(path, table, records.lines[0] - 1)
        raw.platform = kind or "forms"
    else:
        raw = _read_spss(path)
        raw.platform = "spss"
    if len(raw.body) == 0:
        if raw.warnings and "preview" in raw.warnings[-1].message:
            raise InputError(f"{path}: every response is a survey preview or test ({raw.warnings[-1].message}), not a "
                             "participant's. Export again once people have answered the distributed survey.")
        raise InputError(f"{path}: the export has a header but no responses. Export the survey again once people "
                         "have answered (Qualtrics: Data & Analysis > Export; Forms: Open in Excel).")
    raw.format = fmt
    if titled is not None:
        raw.warnings.insert(0, titled)
    _set_aside(raw)
    return raw
