"""Reading human codings: a coding CSV (or a table of codings) to the standard codings frame.

A coding CSV has one row per coded passage and coder::

    segment_id,code,coder,memo
    interview_03#t004,sponsorship,coder_a,
    interview_03#t004,career_development,coder_b,"borderline: advice, not sponsorship"

or, for passages that are not whole segments, ``document,start,end`` (0-based,
end-exclusive character offsets into the anonymised text as stored, see
:mod:`rmresearch.coding.segments`) instead of ``segment_id``. Codes may be
given by name or title.

The file is read like every input table: :func:`rmresearch.io.tables.read_table`
with the ``codings`` schema (:data:`rmresearch.schemas.SCHEMAS`) checks the
header, the columns and each cell (required, whole-number offsets...). Then
the checks only codings need run on the whole table at once: every segment,
document and code named must exist, offsets must lie inside their text. Every
problem is reported at once with the row a spreadsheet shows (header = row 1).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, ValidationError
from ..schemas import SCHEMAS, validate_frame

if TYPE_CHECKING:  # the coding package builds on this module
    from ..coding.codebook import Codebook

__all__ = ["CODING_COLUMNS", "read_codings_csv", "codings_from_frame"]

CODING_COLUMNS = ["document", "segment_id", "start", "end", "code", "coder", "memo"]
_OFFSET_COLUMNS = ("document", "start", "end")


def read_codings_csv(
    path: str | Path,
    *,
    segments: pd.DataFrame,
    codebook: Codebook,
    texts: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read and validate a tidy coding CSV (see the module notes); see :func:`codings_from_frame`.

    Raises
    ------
    InputError
        The file is missing, empty, binary, not UTF-8/UTF-16 text or too large.
    ValidationError
        Listing every problem with its row and column.
    """
    from .tables import read_table

    path = Path(path)
    if not path.is_file():
        raise InputError(f"Coding file not found: {path}")
    try:
        frame, problems = read_table(path, SCHEMAS["codings"], raise_on_error=False)
    except InputError as exc:
        if "is empty" in str(exc):
            raise InputError(f"{path}: the coding file is empty; it needs a header row (segment_id,code,coder).") from None
        raise
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV ({exc}).") from None
    return _checked_codings(frame, problems, segments=segments, codebook=codebook, texts=texts, source=str(path))


def codings_from_frame(
    frame: pd.DataFrame,
    *,
    segments: pd.DataFrame,
    codebook: Codebook,
    texts: Mapping[str, str] | None = None,
    source: str = "<codings>",
    first_row: int = 2,
    rows: list[int] | None = None,
) -> pd.DataFrame:
    """Validate a table of codings and return it in the standard form.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``code``, ``coder`` and either ``segment_id`` or ``document``,
        ``start``, ``end`` (each row may use either); optional ``memo``.
    segments : pandas.DataFrame
        The segments the codings refer to (:func:`rmresearch.coding.segment_documents`).
    codebook : Codebook
        Codes are matched by name or title; only codable codes are accepted.
    texts : dict, optional
        ``{document: text}``, to check offsets against the full text length
        (otherwise the end of the last segment is used).
    source : str
        File name used in error messages; ``rows`` the row number of each record as a person sees it
        in the file (blank lines counted), else ``first_row`` is the row number of
        the first data row (2 for a CSV with a header).

    Returns
    -------
    pandas.DataFrame
        Columns ``document, segment_id, start, end, code, coder, memo``, one
        row per coding; ``segment_id`` is filled when the passage is exactly a
        segment, ``start``/``end`` always.

    Raises
    ------
    ValidationError
        Listing every problem with its row number.

    Examples
    --------
    >>> from rmresearch.coding import load_codebook
    >>> seg = pd.DataFrame({"segment_id": ["d#t001"], "document": ["d"], "start": [0], "end": [8]})
    >>> codings_from_frame(pd.DataFrame({"segment_id": ["d#t001"], "code": ["Sponsorship"], "coder": ["ana"]}),
    ...                    segments=seg, codebook=load_codebook())[["code", "start", "end"]].values.tolist()
    [['sponsorship', 0, 8]]
    """
    frame = frame.rename(columns={c: str(c).strip().lower() for c in frame.columns}).astype(object)
    frame = frame.where(frame.notna(), "").map(lambda v: str(v).strip())
    numbers = list(rows) if rows is not None else list(range(first_row, first_row + len(frame)))
    frame.insert(0, "_row", numbers)
    present = [c for c in ("code", "coder", "segment_id", *_OFFSET_COLUMNS) if c in frame.columns]
    frame = frame.loc[frame[present].ne("").any(axis=1)] if present else frame  # blank lines
    frame, problems = validate_frame(frame, SCHEMAS["codings"], source=source)
    return _checked_codings(frame, problems, segments=segments, codebook=codebook, texts=texts, source=source)


# --------------------------------------------------------------------------- codings-specific checks


def _rows_text(rows: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


def _rows_by_value(frame: pd.DataFrame, mask: pd.Series, column: str) -> dict[str, list[int]]:
    """``{value: [rows]}`` of the rows in ``mask``, values in order of first appearance."""
    picked = frame.loc[mask]
    return {str(v): g.tolist() for v, g in picked["_row"].groupby(picked[column], sort=False)}


def _checked_codings(frame, problems, *, segments, codebook, texts, source) -> pd.DataFrame:
    """The schema-checked ``frame`` cross-checked against segments, texts and codebook, in the standard form."""
    problems = [p for p in problems if not (len(frame) == 0 and p.message.startswith("the table has a header but no rows"))]
    passage = "segment_id" in frame.columns or set(_OFFSET_COLUMNS) <= set(frame.columns)
    if not passage:
        problems.append(Problem(source, "missing column 'segment_id' (or the three columns document, start, end) "
                                        "saying what was coded", column="segment_id"))
    if not passage or any(c not in frame.columns for c in ("code", "coder")):
        raise ValidationError(problems)
    frame = frame.reindex(columns=["_row", *CODING_COLUMNS]).astype({"segment_id": object, "document": object})
    frame["start"] = pd.to_numeric(frame["start"], errors="coerce").astype(float)
    frame["end"] = pd.to_numeric(frame["end"], errors="coerce").astype(float)
    lengths = ({d: len(t) for d, t in texts.items()} if texts is not None
               else segments.groupby("document")["end"].max().astype(int).to_dict())
    frame, found = _locate_passages(frame, segments, lengths, source, problems)
    problems += found
    frame, found = _resolve_codes(frame, codebook, source)
    problems += found
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems)
    out = frame[CODING_COLUMNS].reset_index(drop=True)
    out["start"] = out["start"].astype(np.int64)
    out["end"] = out["end"].astype(np.int64)
    out["memo"] = out["memo"].astype(object).where(out["memo"].notna(), None)
    return out


def _locate_passages(frame, segments, lengths, source, problems) -> tuple[pd.DataFrame, list[Problem]]:
    """Fill document/start/end from ``segment_id`` (and ``segment_id`` from exact offsets); list the passages that
    name an unknown segment or document, lack a passage, or lie outside their text."""
    found: list[Problem] = []
    seg_index = {sid: (doc, int(s), int(e)) for sid, doc, s, e in zip(segments["segment_id"], segments["document"],
                                                                      segments["start"], segments["end"])}
    by_segment = frame["segment_id"].notna()
    by_offsets = ~by_segment & frame[list(_OFFSET_COLUMNS)].notna().any(axis=1)
    unknown = by_segment & ~frame["segment_id"].isin(list(seg_index))
    for sid, rows in _rows_by_value(frame, unknown, "segment_id").items():
        found.append(Problem(source, f"unknown segment '{sid}' on {_rows_text(rows)}; IDs look like <document>#t003 "
                                     "(see `rmresearch code suggest`)", column="segment_id"))
    empty = frame.loc[~by_segment & ~by_offsets, "_row"].tolist()
    if empty:
        found.append(Problem(source, f"empty segment_id (or document, start, end) on {_rows_text(empty)}",
                             column="segment_id"))
    known = by_segment & ~unknown
    located = [seg_index[s] for s in frame.loc[known, "segment_id"]]
    for i, (column, dtype) in enumerate(zip(_OFFSET_COLUMNS, (object, float, float))):
        frame.loc[known, column] = pd.Series([span[i] for span in located], index=frame.index[known], dtype=dtype)
    found += _check_offsets(frame.loc[by_offsets], lengths, source, problems)
    exact = {span: sid for sid, span in seg_index.items()}
    spans = zip(frame["document"], frame["start"], frame["end"])
    frame["segment_id"] = [sid if isinstance(sid, str) else exact.get((d, int(s), int(e)) if s == s and e == e else None)
                           for sid, (d, s, e) in zip(frame["segment_id"], spans)]
    return frame, found


def _check_offsets(frame: pd.DataFrame, lengths: Mapping[str, int], source: str, problems) -> list[Problem]:
    """Passages given as ``document, start, end``: the document exists, the offsets are whole and inside its text."""
    found: list[Problem] = []
    unknown = ~frame["document"].isin(list(lengths))
    named = frame.assign(document=frame["document"].fillna("(empty)"))
    for doc, rows in _rows_by_value(named, unknown, "document").items():
        known = ", ".join(sorted(lengths)[:8])
        found.append(Problem(source, f"unknown document '{doc}' on {_rows_text(rows)}; documents: {known}",
                             column="document"))
    offsets_typed = not any(p.column in ("start", "end") and p.severity == "error" for p in problems)
    missing = frame["start"].isna() | frame["end"].isna()
    if offsets_typed:  # a cell that is not a whole number is already reported by the schema
        for r, s, e in zip(frame["_row"][missing], frame["start"][missing], frame["end"][missing]):
            found.append(Problem(source, "start and end must be whole numbers (character offsets), found "
                                         f"{_cell(s)!r} and {_cell(e)!r}", row=int(r), column="start"))
    length = frame["document"].map(lengths)
    outside = ~unknown & ~missing & ~((frame["start"] >= 0) & (frame["start"] < frame["end"]) & (frame["end"] <= length))
    for r, doc, s, e, n in zip(frame["_row"][outside], frame["document"][outside], frame["start"][outside],
                               frame["end"][outside], length[outside]):
        found.append(Problem(source, f"offsets {int(s)}-{int(e)} are outside document '{doc}' (0 to {int(n)}); "
                                     "offsets are 0-based, end-exclusive characters of the anonymised text",
                             row=int(r), column="start"))
    return found


def _cell(value) -> str:
    return "" if value is None or value != value else str(int(value))


def _resolve_codes(frame: pd.DataFrame, codebook: Codebook, source: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Code names for the names or titles given; unknown codes and codes that only group others are listed."""
    found: list[Problem] = []
    given = frame["code"]
    resolved = given.map({v: codebook.resolve(v) for v in given.dropna().unique()})
    unknown = given.notna() & resolved.isna()
    for code, rows in _rows_by_value(frame, unknown, "code").items():
        found.append(Problem(source, f"unknown code '{code}' on {_rows_text(rows)}; codes: "
                                     f"{', '.join(codebook.codable_names)}", column="code"))
    grouping = resolved.notna() & ~resolved.isin(codebook.codable_names)
    for code, rows in _rows_by_value(frame, grouping, "code").items():
        found.append(Problem(source, f"code '{code}' only groups other codes and cannot be applied "
                                     f"({_rows_text(rows)}); use one of its children", column="code"))
    return frame.assign(code=resolved.where(resolved.notna(), given)), found
