"""Reading a filled coding sheet back as one coder's codings (the sheet itself: :mod:`rmresearch.coding.sheet`).

:func:`read_coding_sheet` reads the ``.xlsx`` `rmresearch code sheet` wrote (or the ``.csv`` Excel saves, comma or
semicolon separated) in the layout ``code agreement`` reads (:data:`rmresearch.io.codings.CODING_COLUMNS`). Codes are
matched by ID or name whatever the case and spacing, several in one cell separated by ``;``; every problem is named
with the sheet, row and column (and its Excel letter) and what to do; edited text, a segment whose speaker has since
withdrawn and a memo without a code are warnings.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem, ValidationError
from .codebook import Codebook, codebook_from_mapping, default_codebook, load_codebook
from .sheet import ABOUT_SHEET, CODES_SHEET, SEGMENTS_SHEET, _cell_text, _fold, _key, fingerprint

__all__ = ["SheetRead", "read_coding_sheet"]

_CODE_HEADER = re.compile(r"^codes?(?:[ _-]*\d+)?$")
_MEMO_HEADERS = ("memo", "memos", "note", "notes", "comment", "comments")
_SPLIT = re.compile(r"[;,\n|]+")
_SEGMENT_ID = re.compile(r"^.+#(?:t\d+(?:\.s\d+)?|p\d+)$")


@dataclass(frozen=True)
class SheetRead:
    """A filled sheet read back: ``codings`` (CODING_COLUMNS), the warnings, and what was read."""

    codings: pd.DataFrame
    warnings: tuple[Problem, ...]
    coder: str
    rows: int
    coded_rows: int
    blank_rows: int
    sheet: str


@dataclass
class _Table:
    cells: pd.DataFrame  # text cells, header applied
    rows: list[int]  # the row number a person sees for each record
    source: str  # "sheet.xlsx, sheet 'Segments'"
    letters: dict  # column -> Excel letter
    about: dict
    codes: pd.DataFrame | None
    notes: list = field(default_factory=list)  # warnings found while reading


def _text_cells(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), "").map(lambda v: str(v).strip() if not isinstance(v, float)
                                                             or not v.is_integer() else str(int(v)))


def _header_at(cells: pd.DataFrame) -> int | None:
    for i in range(min(len(cells), 20)):
        if "segment_id" in {_key(v) for v in cells.iloc[i]}:
            return i
    return None


def _lettered(header: list[str]) -> dict:
    from openpyxl.utils import get_column_letter

    return {h: get_column_letter(i) for i, h in enumerate(header, start=1)}


def _read_workbook(path: Path) -> _Table:
    from ..io.excel import read_sheet
    from ..io.tables import MAX_TABLE_BYTES

    book = read_sheet(path, sheet=None, limit=MAX_TABLE_BYTES).cells  # every sheet, the workbook opened once
    sheets = {str(name): _text_cells(cells) for name, cells in book.items()}
    headed = {name: at for name, cells in sheets.items() if (at := _header_at(cells)) is not None}
    if not headed:
        raise InputError(f"{path}: no sheet has a 'segment_id' column (sheets: {', '.join(sheets)}). Read the sheet "
                         "`rmresearch code sheet` wrote, with its header row (segment_id, transcript, role, text, "
                         "code_1 ...) kept.")
    name = next((n for n in headed if n.strip().casefold() == SEGMENTS_SHEET.casefold()), next(iter(headed)))
    about, codes = {}, None
    a = sheets.get(ABOUT_SHEET)
    if a is not None and a.shape[1] > 1:
        about = {str(k).strip().casefold(): str(v) for k, v in zip(a.iloc[:, 0], a.iloc[:, 1])}
    c = sheets.get(CODES_SHEET)
    if c is not None and len(c) > 1 and c.shape[1] >= 2:
        codes = pd.DataFrame(c.iloc[1:, :2].to_numpy(), columns=["code", "name"])
    table = _table(sheets[name], headed[name], f"{path.name}, sheet '{name}'", about, codes)
    others = [n for n in headed if n != name]
    if others:  # a copy of the sheet (a backup, or coded in the copy by mistake): only one is read
        table.notes.append(Problem(table.source, f"only this sheet is read; {', '.join(repr(o) for o in others)} "
                                   "also has a segment_id column: move any codes there into this sheet, or delete it",
                                   severity="warning"))
    return table


def _table(cells: pd.DataFrame, at: int, source: str, about: dict, codes) -> _Table:
    header, used = [], set()
    for k, v in enumerate(cells.iloc[at], start=1):  # headers folded ('Segment ID' -> segment_id); repeats numbered
        name = _key(v) or f"column_{k}"
        name = name if name not in used else f"{name}_{k}"
        used.add(name)
        header.append(name)
    body = cells.iloc[at + 1:].copy()
    body.columns = header
    rows = [int(i) + 1 for i in body.index]  # read_sheet keeps every row: index i is spreadsheet row i + 1
    return _Table(body.reset_index(drop=True), rows, source, _lettered(header), about, codes)


def _read_csv(path: Path) -> _Table:
    """A sheet Excel saved as CSV (UTF-8, with or without its BOM; comma or semicolon separated) or as 'Unicode Text'
    (UTF-16 with its BOM, tab separated, the .txt Excel writes)."""
    from ..io.tables import MAX_TABLE_BYTES
    from ..io.text import decode, read_bytes

    data = read_bytes(path, limit=MAX_TABLE_BYTES, what="a coding sheet saved as CSV")
    text = decode(path, data, what="a coding sheet saved as CSV", unit="row",
                  advice="In Excel use 'Save as > CSV UTF-8 (Comma delimited)', or read the .xlsx itself.")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)  # ';' from a European Excel, tabs from 'Unicode Text'
    records, numbers, line = [], [], 0
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for record in reader:
        records.append(record)
        numbers.append(line + 1)
        line = reader.line_num
    width = max((len(r) for r in records), default=0)
    cells = pd.DataFrame([r + [""] * (width - len(r)) for r in records], dtype=object)
    at = _header_at(cells)
    if at is None:
        raise InputError(f"{path}: no 'segment_id' column in the first rows. Read the sheet `rmresearch code sheet` "
                         "wrote (saved as CSV, its header row kept), or the .xlsx itself.")
    table = _table(_text_cells(cells), at, path.name, {}, None)
    table.rows = numbers[at + 1:]
    return table


def _code_lookup(codebook: Codebook) -> tuple[dict, dict]:
    """``{folded id or name: code id}`` for codable codes, and the same for codes that only group others."""
    codable, grouping = {}, {}
    for c in codebook:
        target = codable if c.codable else grouping
        target.setdefault(_key(c.name), c.name)
        target.setdefault(_key(c.title), c.name)
    return codable, grouping


def _close(value: str, codebook: Codebook) -> str:
    names = {_key(c.name): c.name for c in codebook if c.codable}
    names.update({_key(c.title): c.name for c in codebook if c.codable})
    near = list(dict.fromkeys(names[k] for k in difflib.get_close_matches(_key(value), list(names), n=3, cutoff=0.6)))
    if near:
        return f"did you mean {' or '.join(near)}?"
    return f"the codes are (see the Codes sheet): {', '.join(codebook.codable_names)}."


def _sheet_codebook(table: _Table, codebook) -> Codebook:
    """The codebook codes are matched against: the one given, else the sheet's own Codes sheet, else the built-in."""
    if codebook is not None:
        return codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    if table.codes is not None:
        rows = table.codes.loc[table.codes["code"].ne("")]
        built_in = default_codebook()
        if set(rows["code"]) <= set(built_in.codable_names):  # made with the built-in codebook: keep its themes
            return built_in
        try:
            return codebook_from_mapping({"name": "Codes sheet", "codes": [
                {"name": c, "title": n or c} for c, n in zip(rows["code"], rows["name"])]}, source=table.source)
        except Exception:  # an edited Codes sheet: fall back to the built-in codebook
            pass
    return default_codebook()


def _columns(table: _Table) -> tuple[list[str], str | None]:
    columns = set(table.cells.columns)
    if {"rule_type", "matched_text"} & columns:
        raise InputError(f"{table.source}: this is the suggestions file of `rmresearch code suggest`: suggestions are "
                         "prompts, never codings, and are not read as a coder's codes. Read the coding sheet a coder "
                         "filled in (`rmresearch code sheet` writes it).")
    if "text" not in columns:
        raise InputError(f"{table.source}: not a coding sheet (it has no text column beside segment_id). A coding CSV "
                         "(segment_id, code, coder) is read as it is by `rmresearch code agreement CODINGS.csv`; "
                         "read-sheet reads the sheet `rmresearch code sheet` wrote.")
    code_cols = [h for h in table.cells.columns if _CODE_HEADER.match(h)]
    memo = next((h for h in table.cells.columns if h in _MEMO_HEADERS), None)
    if not code_cols:
        raise ValidationError([Problem(table.source, "no code columns (code_1, code_2 ... or codes) in the header row; "
                                       "read the sheet `rmresearch code sheet` wrote, its header row kept", row=None)])
    return code_cols, memo


def _where(table: _Table, column: str) -> str:
    return f"{column} ({table.letters.get(column, '?')})"


def _row_codes(table, i, code_cols, lookup, grouping, codebook, problems) -> list[str]:
    """The code IDs of record ``i`` (every code cell, ';'-separated lists too), problems named by cell."""
    found = []
    for col in code_cols:
        for part in (p.strip() for p in _SPLIT.split(table.cells.at[i, col])):
            if not part:
                continue
            key = _key(part)
            if key in lookup:
                found.append(lookup[key])
            elif key in grouping:
                children = ", ".join(c.name for c in codebook.children(grouping[key]) if c.codable)
                problems.append(Problem(table.source, f"'{part}' is a theme that groups other codes and cannot be "
                                        f"applied; use one of its codes: {children}", row=table.rows[i],
                                        column=_where(table, col)))
            else:
                problems.append(Problem(table.source, f"unknown code '{part}': {_close(part, codebook)} Fix the cell "
                                        "(or give the codebook the sheet was made with: --codebook FILE)",
                                        row=table.rows[i], column=_where(table, col)))
    return list(dict.fromkeys(found))


def read_coding_sheet(path: str | Path, *, coder: str | None = None, codebook=None, config=None) -> SheetRead:
    """Read a filled coding sheet as the codings of one coder (see the module notes).

    With ``config`` (the cohort), every segment_id and the text beside it are checked against the cohort's
    consented interviewee segments of the sheet's unit (:func:`rmresearch.coding.load_coding_data`) and
    ``start``/``end`` are filled; without it, IDs are checked against the sheet's hidden ``check`` column.
    ``codebook`` defaults to the cohort's, else the sheet's Codes sheet. ``coder`` defaults to the coder named on
    the About sheet.

    Raises :class:`~rmresearch.errors.ValidationError` listing every problem (sheet, row, column and what to do);
    warnings (edited text, a segment no longer consented, a memo without a code) are returned in ``warnings``.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such coding sheet. Give the .xlsx `rmresearch code sheet` wrote (or its .csv).")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        table = _read_workbook(path)
    elif suffix in (".csv", ".txt"):
        table = _read_csv(path)
    else:
        raise InputError(f"{path}: a coding sheet is read from .xlsx (or the .csv Excel saves), not {suffix or 'a file without a suffix'}.")
    coder = (coder or table.about.get("coder", "")).strip()
    if not coder:
        raise InputError(f"{path}: say whose codes these are with --coder NAME (the sheet names no coder).")
    if table.about.get("coder") and table.about["coder"].strip() != coder:
        named = table.about["coder"].strip()
        warn_coder = [Problem(table.source, f"the sheet was made for coder '{named}'; its codes are read as "
                              f"'{coder}' (--coder)", severity="warning")]
    else:
        warn_coder = []
    segments = all_ids = None
    if config is not None:
        segments, all_ids, codebook = _cohort_segments(config, table, codebook)
    codebook = _sheet_codebook(table, codebook)
    codings, problems, counts = _records(table, codebook, coder, segments, all_ids)
    problems = warn_coder + table.notes + problems
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems)
    return SheetRead(codings, tuple(p for p in problems if p.severity == "warning"), coder, *counts,
                     sheet=table.source)


def _cohort_segments(config, table: _Table, codebook) -> tuple[pd.DataFrame, set, Codebook]:
    """The cohort's consented interviewee segments of the sheet's unit, every segment ID its anonymised transcripts
    have (consented or not), and its codebook (``codebook`` when given)."""
    from .cohort import load_coding_data
    from .segments import UNITS, interviewee_units, load_documents, segment_documents

    made_for = table.about.get("cohort", "").strip()
    if made_for and made_for != config.cohort:
        raise InputError(f"{table.source}: the sheet was made for cohort '{made_for}' (its About sheet), not "
                         f"'{config.cohort}': run read-sheet with --cohort {made_for}.")
    unit = table.about.get("unit", "").strip() or _unit_of(table)
    if unit not in UNITS:
        raise InputError(f"{table.source}: the About sheet names the unit '{unit}'; it must be one of "
                         f"{', '.join(UNITS)} (as `rmresearch code sheet --unit` wrote it).")
    data = load_coding_data(config, unit=unit, codebook=codebook)
    every = segment_documents(load_documents(config.outputs["anonymised"]), unit=unit)
    return interviewee_units(data.segments), set(every["segment_id"]), data.codebook


def _unit_of(table: _Table) -> str:
    """The unit the segment IDs are of, for a sheet without its About sheet (a CSV): sentence IDs end '.s01',
    paragraph IDs '#p004'.

    >>> _unit_of(_Table(pd.DataFrame({"segment_id": ["", "d#t002.s01"]}), [2, 3], "x", {}, {}, None))
    'sentence'
    """
    ids = [v for v in table.cells.get("segment_id", pd.Series(dtype=object)) if v]
    first = ids[0] if ids else ""
    return "sentence" if re.search(r"#t\d+\.s\d+$", first) else "paragraph" if re.search(r"#p\d+$", first) else "turn"


def _records(table: _Table, codebook: Codebook, coder: str, segments, all_ids) -> tuple[pd.DataFrame, list[Problem], tuple]:
    from ..io.codings import CODING_COLUMNS

    code_cols, memo_col = _columns(table)
    lookup, grouping = _code_lookup(codebook)
    known = segments.set_index("segment_id") if segments is not None else None
    cells = table.cells
    problems: list[Problem] = []
    out, seen = [], {}
    blank = coded = 0
    for i in range(len(cells)):
        sid = cells.at[i, "segment_id"] if "segment_id" in cells.columns else ""
        codes = _row_codes(table, i, code_cols, lookup, grouping, codebook, problems)
        memo = cells.at[i, memo_col] if memo_col else ""
        if not sid and not cells.iloc[i].ne("").any():
            blank += 1
            continue
        where = dict(row=table.rows[i], column=_where(table, "segment_id"))
        if not sid:
            if codes or memo:
                problems.append(Problem(table.source, "codes but no segment_id: put back the segment_id of this row "
                                        "(a copied row keeps it) or delete the row", **where))
            continue
        if not _known_segment(table, i, sid, known, all_ids, problems, where):
            continue
        if memo and not codes:
            problems.append(Problem(table.source, f"a memo on {sid} without a code is not kept (a coding needs a "
                                    "code): add the code it is about", severity="warning", **where))
        if codes:
            coded += 1
        for code in codes:
            if (sid, code) in seen:  # the same segment twice (a copied row): one coding, memos joined
                prev = out[seen[sid, code]]
                prev["memo"] = "; ".join(m for m in dict.fromkeys([prev["memo"] or "", memo]) if m) or None
                continue
            seen[sid, code] = len(out)
            doc = known.at[sid, "document"] if known is not None else sid.rsplit("#", 1)[0]
            start = int(known.at[sid, "start"]) if known is not None else None
            end = int(known.at[sid, "end"]) if known is not None else None
            out.append({"document": doc, "segment_id": sid, "start": start, "end": end, "code": code,
                        "coder": coder, "memo": memo or None})
    unchecked = [p for p in problems if p.message.startswith("no check value")]
    if len(unchecked) > 3:  # the check column deleted: say it once
        problems = [p for p in problems if p not in unchecked] + [Problem(
            table.source, f"{len(unchecked)} rows have no check value (the hidden check column deleted?), so edited "
            "segment IDs cannot be caught: run with --cohort to check the IDs against the transcripts",
            severity="warning", column="check")]
    if not out and not any(p.severity == "error" for p in problems):
        problems.append(Problem(table.source, "no codes found in the code columns: the coding CSV has no rows",
                                severity="warning"))
    frame = pd.DataFrame(out, columns=CODING_COLUMNS)
    if known is not None:
        frame[["start", "end"]] = frame[["start", "end"]].astype("int64")
    return frame, problems, (len(cells) - blank, coded, blank)


def _known_segment(table: _Table, i: int, sid: str, known, all_ids, problems: list[Problem], where: dict) -> bool:
    """Whether ``sid`` names a segment: checked against the cohort's segments, else the hidden check column; an
    edited text is a warning (codes are kept for the segment as the transcript has it)."""
    cells = table.cells
    text = cells.at[i, "text"] if "text" in cells.columns else None
    check = (cells.at[i, "check"] if "check" in cells.columns else "").lstrip("#")  # '#': never read as a number
    if known is not None:
        if sid not in known.index:
            if sid in all_ids:
                problems.append(Problem(table.source, f"segment '{sid}' is no longer among the consented interviewee "
                                        "segments (its speaker withdrew consent, or it is an interviewer's turn): "
                                        "its codes are left out", severity="warning", **where))
                return False
            doc = sid.rsplit("#", 1)[0]
            same = [k for k in known.index if k.rsplit("#", 1)[0] == doc]  # the transcript column says which
            near = difflib.get_close_matches(sid, same or known.index.tolist(), n=3, cutoff=0.8)
            problems.append(Problem(table.source, f"unknown segment '{sid}'" + (f": did you mean {' or '.join(near)}?"
                                    if near else "") + " Put back the segment_id the sheet was written with (segment "
                                    "IDs must not be edited), or make a new sheet with `rmresearch code sheet`", **where))
            return False
        if text is not None and _fold(text) and not _fold(_cell_text(known.at[sid, "text"])).startswith(_fold(text)):
            problems.append(Problem(table.source, f"the text beside {sid} is not its text in the transcript (the text "
                                    "or the segment_id was edited in the sheet): its codes are kept for the segment "
                                    f"{sid} as the transcript has it; check they fit", severity="warning",
                                    row=table.rows[i], column=_where(table, "text")))
        return True
    if check and len(check) == 16:
        if fingerprint(sid, "")[:8] != check[:8]:
            problems.append(Problem(table.source, f"segment_id '{sid}' was edited (it no longer matches the hidden "
                                    "check column): put back the ID the sheet was written with, or run with --cohort "
                                    "to see the nearest IDs", **where))
            return False
        if text is not None and fingerprint(sid, text)[8:] != check[8:]:
            problems.append(Problem(table.source, f"the text of {sid} was edited in the sheet; its codes are kept for "
                                    "the segment as the transcript has it", severity="warning", row=table.rows[i],
                                    column=_where(table, "text")))
        return True
    if not _SEGMENT_ID.match(sid):
        problems.append(Problem(table.source, f"'{sid}' is not a segment ID (they look like interview_01#t004): put "
                                "back the ID the sheet was written with, or delete the row", **where))
        return False
    problems.append(Problem(table.source, f"no check value beside '{sid}' (a row added by hand, or the hidden check "
                            "column deleted): run with --cohort to check the IDs against the transcripts",
                            severity="warning", **where))
    return True
