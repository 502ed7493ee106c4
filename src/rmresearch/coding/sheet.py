"""A coding sheet for coders who work in Excel: the interviewee segments beside their text, read back as codings.

:func:`build_sheet` lays out a workbook (``openpyxl``) from a cohort's :class:`~rmresearch.coding.CodingData`:

- **Segments**: one row per interviewee segment (the consented, anonymised segments ``code suggest`` works on):
  ``segment_id``, ``transcript``, ``role`` (the speaker's role in the scheme, never a name), ``text``, the
  rule-based suggestions in a grey column headed "suggested (not a finding)", then ``code_1`` .. ``code_3``,
  ``memo`` and a hidden ``check`` column (a fingerprint of the ID and the text, to notice edits).
- **Codes**: the codebook's codable codes (ID, name, theme, definition, when to use, when not to use).
- **About**: the cohort, unit, coder and how to fill the sheet in.

Codes go in **several code columns, one code a cell**, each with a drop-down list of the code IDs (Excel's data
validation): a drop-down offers one value a cell, so a single ``;``-separated column could not have one, and a
typed list is where typing errors come from. A cell holding ``a; b`` (pasted from elsewhere) is read all the same. Without suggestions (``--no-suggestions``) the
grey column is left out.
The drop-down warns but does not stop other values, so a code typed by its name is kept and read back.

:func:`rmresearch.coding.sheet_read.read_coding_sheet` reads a filled sheet (``.xlsx``, or the ``.csv`` Excel saves) as codings of one coder in
the layout ``code agreement`` reads (:data:`rmresearch.io.codings.CODING_COLUMNS`), naming every problem with the
sheet, row and column and what to do. Codes are matched by ID or name whatever the case and spacing.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError, OutputRefused
from .codebook import Codebook

__all__ = ["SHEET_COLUMNS", "SheetWritten", "build_sheet", "sheet_rows", "write_coding_sheet", "fingerprint"]

SEGMENTS_SHEET, CODES_SHEET, ABOUT_SHEET = "Segments", "Codes", "About"
SUGGESTED = "suggested (not a finding)"
#: Columns of the Segments sheet before the code columns, and after them.
SHEET_COLUMNS = ("segment_id", "transcript", "role", "text", SUGGESTED)
_AFTER = ("memo", "check")
#: Longest text a cell holds in Excel; a longer segment is cut in the sheet (its codes still cover all of it).
EXCEL_CELL_LIMIT = 32_767
_CUT = " [... the rest of this turn is in the transcript]"
_WIDTHS = {"segment_id": 20, "transcript": 14, "role": 16, "text": 80, SUGGESTED: 24, "memo": 40}


def fingerprint(segment_id: str, text: str) -> str:
    """The ``check`` cell: 8 hex digits of the segment ID's hash, then 8 of its text's (white space folded).

    >>> fingerprint("interview_01#t002", "Yes, that's fine.")[:8] == fingerprint("interview_01#t002", "other")[:8]
    True
    """
    def h(value: str) -> str:
        return hashlib.blake2b(value.encode("utf-8"), digest_size=4).hexdigest()

    return h(segment_id) + h(_fold(text))


def _fold(text: str) -> str:
    return " ".join(str(text).replace(_CUT, "").split())


def _key(value: str) -> str:
    """A code as typed, for matching: case and spacing folded (``'Safe  space'`` -> ``'safe_space'``).

    >>> _key(" Safe-Space "), _key("Lived experience")
    ('safe_space', 'lived_experience')
    """
    return re.sub(r"[\s_\-]+", "_", str(value).strip().casefold()).strip("_")


# --------------------------------------------------------------------------- writing


def sheet_rows(data, config=None, *, suggestions: bool = True) -> pd.DataFrame:
    """The Segments sheet's rows: every consented interviewee segment of ``data`` (a CodingData), with the
    speaker's role in words and the suggested codes (``"; "``-joined IDs)."""
    from .groups import with_role_words
    from .segments import interviewee_units
    from .suggest import suggest_codes

    units = interviewee_units(data.segments).reset_index(drop=True)
    people = data.participants[["participant_id", "role"]]
    if config is not None:
        people = with_role_words(people, config)
    roles = dict(zip(people["participant_id"], people["role"].astype(str).str.replace("_", " ")))
    fallback = units["speaker_role"] if "speaker_role" in units.columns else pd.Series("interviewee", index=units.index)
    role = [roles.get(p, f) for p, f in zip(units["participant_id"], fallback)]
    suggested = pd.Series("", index=units["segment_id"])
    if suggestions and len(units):
        found = suggest_codes(units, data.codebook)
        joined = found.groupby("segment_id", sort=False)["code"].agg(lambda c: "; ".join(dict.fromkeys(c)))
        suggested = joined.reindex(units["segment_id"]).fillna("")
    frame = pd.DataFrame({"segment_id": units["segment_id"], "transcript": units["document"], "role": role,
                          "text": units["text"], SUGGESTED: suggested.to_numpy(),
                          "check": ["#" + fingerprint(s, _cell_text(t))
                                    for s, t in zip(units["segment_id"], units["text"])]})
    return frame if suggestions else frame.drop(columns=SUGGESTED)


def build_sheet(rows: pd.DataFrame, codebook: Codebook, *, about: dict | None = None, code_columns: int = 3):
    """The workbook (openpyxl) of a coding sheet from :func:`sheet_rows`; see the module notes for its layout."""
    from openpyxl import Workbook

    book = Workbook()
    seg = book.active
    seg.title = SEGMENTS_SHEET
    first = [c for c in SHEET_COLUMNS if c in rows.columns]  # no suggestions column when they were left out
    headers = [*first, *(f"code_{k}" for k in range(1, code_columns + 1)), *_AFTER]
    seg.append(headers)
    for record in rows[[*first, "check"]].itertuples(index=False):
        values = list(record[:-1]) + [None] * code_columns + [None, record[-1]]
        seg.append([None if v is None else _cell_text(v) for v in values])
        for cell in seg[seg.max_row]:
            if cell.data_type == "f":  # a text starting '=' is text, never a formula Excel would run
                cell.data_type = "s"
    codable = [c for c in codebook if c.codable]
    _codes_sheet(book, codebook, codable)
    _style_segments(seg, headers, len(rows), len(codable))
    _about_sheet(book, about or {}, code_columns)
    book.active = 0
    return book


def _cell_text(value) -> str:
    """A cell's text: no characters XML cannot hold, no longer than Excel's cell limit (the caller keeps a text
    starting '=' a string, never a formula).

    >>> _cell_text("bell\x07 here"), len(_cell_text("x" * 40_000)) == EXCEL_CELL_LIMIT
    ('bell  here', True)
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub(" ", "" if value is None else str(value))
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - len(_CUT)] + _CUT
    return text


def _codes_sheet(book, codebook: Codebook, codable) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet(CODES_SHEET)
    sheet.append(["code", "name", "theme", "definition", "when to use", "when not to use"])
    for c in codable:
        theme = codebook.title(c.parent) if c.parent in codebook else ""
        sheet.append([_cell_text(v) for v in (c.name, c.title, theme, c.definition, c.when_to_use, c.when_not_to_use)])
    for letter, width in zip("ABCDEF", (26, 36, 26, 60, 40, 40)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _style_segments(sheet, headers: list[str], n_rows: int, n_codes: int) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letters = {h: get_column_letter(i) for i, h in enumerate(headers, start=1)}
    for h, letter in letters.items():
        sheet.column_dimensions[letter].width = _WIDTHS.get(h, 22)
    sheet.column_dimensions[letters["check"]].hidden = True
    grey = PatternFill("solid", fgColor="EEEEEE")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    last = max(n_rows + 1, 2)
    for row in sheet.iter_rows(min_row=2, max_row=last):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if headers[cell.column - 1] == SUGGESTED:
                cell.fill, cell.font = grey, Font(italic=True, color="555555")
    if SUGGESTED in letters:
        sheet[f"{letters[SUGGESTED]}1"].fill = grey
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{letters['memo']}{last}"
    code_letters = [letters[h] for h in headers if h.startswith("code_")]
    if code_letters and n_codes:
        # stored as OOXML keeps formulas: without the '=' a person types (ECMA-376 dataValidation/formula1)
        dv = DataValidation(type="list", formula1=f"{CODES_SHEET}!$A$2:$A${n_codes + 1}", allow_blank=True,
                            showErrorMessage=True, errorStyle="warning", errorTitle="Not a code ID",
                            error="Not one of the code IDs on the Codes sheet. A code typed by its name is read too.",
                            promptTitle="Code", prompt="One code ID per cell (see the Codes sheet).")
        dv.add(f"{code_letters[0]}2:{code_letters[-1]}{last}")
        sheet.add_data_validation(dv)


def _about_sheet(book, about: dict, code_columns: int) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet(ABOUT_SHEET)
    lines = [("cohort", about.get("cohort", "")), ("unit", about.get("unit", "turn")), ("coder", about.get("coder", "")),
             ("codebook", about.get("codebook", "")), ("segments", about.get("segments", "")),
             ("how to code", f"Put one code ID in each of code_1 .. code_{code_columns} (the drop-down lists them; the "
                             "Codes sheet defines them) and anything you want to note in memo. Leave a row's codes "
                             "empty when nothing applies. Do not edit segment_id or text: codes are read back by "
                             "segment_id. Sorting and filtering are fine."),
             (SUGGESTED, "Codes whose rules (phrases, patterns) matched the text: prompts to accept or reject, "
                         "never findings. They are not read back: copy one into a code column to use it."),
             ("read back", "rmresearch code read-sheet THIS_FILE --coder NAME --out codings.csv [--cohort COHORT]"),
             ("privacy", "Anonymised text only. Share it only with the coding team; do not add names in memos.")]
    lines += [("note", note) for note in about.get("notes", ())]
    for k, v in lines:
        sheet.append([k, _cell_text(v)])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100
    for row in sheet.iter_rows():
        row[0].font = Font(bold=True)
        row[1].alignment = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class SheetWritten:
    """What :func:`write_coding_sheet` wrote."""

    path: Path
    segments: int
    transcripts: int
    codes: int
    suggested: int
    data: object = field(repr=False, default=None)
    #: Anonymiser candidates still awaiting a decision in the cohort's review file when the sheet was made.
    pending: int = 0
    #: Of ``transcripts``, the documents of open-text survey answers (``survey_<wave>_<question>``).
    survey_documents: int = 0


def write_coding_sheet(config, out: str | Path, *, codebook=None, coder: str | None = None, unit: str = "turn",
                       suggestions: bool = True, code_columns: int = 3) -> SheetWritten:
    """Write the coding sheet of ``config``'s cohort to ``out`` (``.xlsx``) after the leak audit of shareable outputs.

    The workbook is built in memory, saved into a private temporary folder under its own name and audited with
    the cohort's roster, key and identifier formats (:func:`rmresearch.anonymise.audit.audit_shareable`); any
    finding refuses the write (:class:`~rmresearch.errors.OutputRefused`, nothing written). Then it is moved into
    place atomically. The caller checks ``out`` with :func:`rmresearch.guard.check_output` first.
    """
    import tempfile

    from ..anonymise.audit import audit_shareable, format_findings
    from ..fileio import atomic_write_bytes
    from ..guard import check_api_output
    from .cohort import load_coding_data

    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise InputError(f"--out {out}: a coding sheet is an Excel workbook; give a name ending .xlsx.")
    if not 1 <= code_columns <= 20:
        raise InputError(f"--code-columns {code_columns}: give a number from 1 to 20.")
    check_api_output(out, owner="code")
    data = load_coding_data(config, unit=unit, codebook=codebook)
    rows = sheet_rows(data, config, suggestions=suggestions)
    if rows.empty:
        raise InputError(f"Cohort '{config.cohort}': no interviewee segments to code in {config.outputs['anonymised']} "
                         "(every transcript withheld for consent, or none anonymised yet). Run "
                         f"`rmresearch anonymise run --cohort {config.cohort}` first.")
    about = {"cohort": config.cohort, "unit": unit, "coder": coder or "", "codebook": data.codebook.name,
             "segments": f"{len(rows)} interviewee segments in {rows['transcript'].nunique()} transcripts",
             "notes": data.notes}
    buffer = io.BytesIO()
    build_sheet(rows, data.codebook, about=about, code_columns=code_columns).save(buffer)
    with tempfile.TemporaryDirectory(prefix="rmresearch-sheet-") as tmp:
        staged = Path(tmp) / out.name
        staged.write_bytes(buffer.getvalue())
        findings = audit_shareable(config, [staged])
    if findings:
        raise OutputRefused(f"refused to write the coding sheet {out}: the leak audit found {len(findings)} possible "
                            f"identifier(s) in it, so nothing was written:\n{format_findings(findings, limit=20)}\n"
                            f"Review them (`rmresearch anonymise review --cohort {config.cohort}`), run "
                            f"`rmresearch anonymise run --cohort {config.cohort}` again, then make the sheet.")
    atomic_write_bytes(out, buffer.getvalue())
    return SheetWritten(out, len(rows), int(rows["transcript"].nunique()), len(data.codebook.codable_names),
                        int(rows[SUGGESTED].ne("").sum()) if SUGGESTED in rows else 0, data, _pending(config),
                        int(pd.Series(rows["transcript"].unique()).str.startswith("survey_").sum()))


def _pending(config) -> int:
    """Candidates awaiting a decision in the cohort's review file (0 when it has none)."""
    from ..anonymise.review import ReviewQueue, review_path
    from ..errors import ConfigError

    try:
        return ReviewQueue(review_path(config)).pending()
    except (ConfigError, InputError):
        return 0
