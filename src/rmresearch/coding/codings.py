"""Human codings: read, validate and write tidy coding tables from one or several coders.

A coding CSV has one row per coded passage and coder::

    segment_id,code,coder,memo
    interview_03#t004,sponsorship,coder_a,
    interview_03#t004,career_development,coder_b,"borderline: advice, not sponsorship"

or, for passages that are not whole segments, ``document,start,end`` (0-based,
end-exclusive character offsets into the anonymised text as stored, see
:mod:`rmresearch.coding.segments`) instead of ``segment_id``. Codes may be
given by name or title. Every problem (an unknown segment, document or code,
offsets outside the text, a missing coder) is reported at once with its CSV
row number, as the row a spreadsheet shows (header = row 1).
"""

from __future__ import annotations

import csv

from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, ValidationError
from ..fileio import write_csv
from .codebook import Codebook

__all__ = ["CODING_COLUMNS", "read_codings_csv", "codings_from_frame", "write_codings_csv", "segment_codes"]

CODING_COLUMNS = ["document", "segment_id", "start", "end", "code", "coder", "memo"]


def _rows_text(rows: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


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
        The segments the codings refer to (:func:`segment_documents`).
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
    """
    problems: list[Problem] = []
    cols = {str(c).strip().lower(): c for c in frame.columns}
    frame = frame.rename(columns={orig: low for low, orig in cols.items()})
    has_seg = "segment_id" in frame.columns
    has_off = {"document", "start", "end"} <= set(frame.columns)
    for col in ("code", "coder"):
        if col not in frame.columns:
            problems.append(Problem(source, f"missing column '{col}'; a coding file needs code, coder and segment_id (or document, start, end)", column=col))
    if not has_seg and not has_off:
        problems.append(
            Problem(source, "missing column 'segment_id' (or the three columns document, start, end) saying what was coded", column="segment_id")
        )
    if problems:
        raise ValidationError(problems)

    def cell(col: str, i: int) -> str:
        if col not in frame.columns:
            return ""
        v = frame[col].iloc[i]
        return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()

    seg_index = {sid: (doc, int(s), int(e)) for sid, doc, s, e in zip(segments["segment_id"], segments["document"], segments["start"], segments["end"])}
    exact = {(doc, int(s), int(e)): sid for sid, (doc, s, e) in seg_index.items()}
    if texts is not None:
        lengths = {d: len(t) for d, t in texts.items()}
    else:
        lengths = segments.groupby("document")["end"].max().astype(int).to_dict()
    codable = set(codebook.codable_names)

    unknown_codes: dict[str, list[int]] = {}
    not_codable: dict[str, list[int]] = {}
    unknown_segments: dict[str, list[int]] = {}
    unknown_docs: dict[str, list[int]] = {}
    empty: dict[str, list[int]] = {}
    rows_out = []
    for i in range(len(frame)):
        row = rows[i] if rows is not None else first_row + i
        code_raw, coder = cell("code", i), cell("coder", i)
        seg_id, doc = cell("segment_id", i), cell("document", i)
        start_raw, end_raw = cell("start", i), cell("end", i)
        if not any((code_raw, coder, seg_id, doc, start_raw, end_raw)):
            continue  # a blank line
        ok = True
        if not code_raw:
            empty.setdefault("code", []).append(row)
            ok = False
        else:
            code = codebook.resolve(code_raw)
            if code is None:
                unknown_codes.setdefault(code_raw, []).append(row)
                ok = False
            elif code not in codable:
                not_codable.setdefault(code_raw, []).append(row)
                ok = False
        if not coder:
            empty.setdefault("coder", []).append(row)
            ok = False
        start = end = None
        if seg_id:
            if seg_id not in seg_index:
                unknown_segments.setdefault(seg_id, []).append(row)
                ok = False
            else:
                doc, start, end = seg_index[seg_id]
        elif doc or start_raw or end_raw:
            if doc not in lengths:
                unknown_docs.setdefault(doc or "(empty)", []).append(row)
                ok = False
            try:
                start, end = int(float(start_raw)), int(float(end_raw))
                if float(start_raw) != start or float(end_raw) != end:
                    raise ValueError
            except ValueError:
                problems.append(Problem(source, f"start and end must be whole numbers (character offsets), found {start_raw!r} and {end_raw!r}", row=row, column="start"))
                ok = False
            else:
                if doc in lengths and not (0 <= start < end <= lengths[doc]):
                    problems.append(
                        Problem(
                            source,
                            f"offsets {start}-{end} are outside document '{doc}' (0 to {lengths[doc]}); "
                            "offsets are 0-based, end-exclusive characters of the anonymised text",
                            row=row,
                            column="start",
                        )
                    )
                    ok = False
        else:
            empty.setdefault("segment_id", []).append(row)
            ok = False
        if ok:
            rows_out.append(
                {
                    "document": doc,
                    "segment_id": seg_id or exact.get((doc, start, end)),
                    "start": start,
                    "end": end,
                    "code": code,
                    "coder": coder,
                    "memo": cell("memo", i) or None,
                }
            )

    for col, rows in empty.items():
        what = "segment_id (or document, start, end)" if col == "segment_id" else col
        problems.append(Problem(source, f"empty {what} on {_rows_text(rows)}", column=col))
    for code, rows in unknown_codes.items():
        problems.append(
            Problem(source, f"unknown code '{code}' on {_rows_text(rows)}; codes: {', '.join(codebook.codable_names)}", column="code")
        )
    for code, rows in not_codable.items():
        problems.append(
            Problem(source, f"code '{code}' only groups other codes and cannot be applied ({_rows_text(rows)}); use one of its children", column="code")
        )
    for seg, rows in unknown_segments.items():
        problems.append(
            Problem(source, f"unknown segment '{seg}' on {_rows_text(rows)}; IDs look like <document>#t003 (see `rmresearch code suggest`)", column="segment_id")
        )
    for doc, rows in unknown_docs.items():
        known = ", ".join(sorted(lengths)[:8])
        problems.append(Problem(source, f"unknown document '{doc}' on {_rows_text(rows)}; documents: {known}", column="document"))
    if problems:
        raise ValidationError(problems)
    out = pd.DataFrame(rows_out, columns=CODING_COLUMNS)
    out["start"] = out["start"].astype(np.int64)
    out["end"] = out["end"].astype(np.int64)
    return out


def read_codings_csv(
    path: str | Path,
    *,
    segments: pd.DataFrame,
    codebook: Codebook,
    texts: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read and validate a tidy coding CSV (see the module notes); see :func:`codings_from_frame`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Coding file not found: {path}")
    from ..schemas import read_raw_table

    # The table reader shared with the input tables: size limit, binary/NUL, UTF-8/UTF-16, CR-only lines, and
    # the row number a person sees for each record (blank lines counted, so messages point at the right row).
    try:
        raw, numbers = read_raw_table(path)
    except InputError as exc:
        if "is empty" in str(exc):
            raise InputError(f"{path}: the coding file is empty; it needs a header row (segment_id,code,coder).") from None
        raise
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV ({exc}).") from None
    header = [str(h).strip() for h in raw.iloc[0]]
    twice = sorted({h for h in header if h and [x.lower() for x in header].count(h.lower()) > 1})
    if twice:
        raise ValidationError([Problem(str(path), f"column(s) {', '.join(map(repr, twice))} appear more than once in the "
                                       "header; keep one of each", row=numbers[0], column=twice[0])])
    frame = raw.iloc[1:].reset_index(drop=True)
    frame.columns = header
    frame = frame.loc[:, [h != "" for h in header]]
    return codings_from_frame(frame, segments=segments, codebook=codebook, texts=texts, source=str(path), rows=numbers[1:])


def write_codings_csv(codings: pd.DataFrame, path: str | Path) -> Path:
    """Write codings as a tidy CSV (``document, segment_id, start, end, code, coder, memo``), atomically.

    Never over a configured input (the cohort's own codings file included: write a new file and point the
    cohort file at it), a key, or into a raw, anonymised or reports folder (:func:`rmresearch.guard.check_api_output`).
    """
    from ..guard import check_api_output

    check_api_output(path, owner="code")
    frame = codings.reindex(columns=CODING_COLUMNS)
    return write_csv(frame, path)


def segment_codes(codings: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Which segments each coder coded with each code.

    A segment counts as coded when a coding overlaps it by at least one
    character (a coding of a whole turn thus codes each of its sentences).

    Returns
    -------
    pandas.DataFrame
        Distinct ``segment_id, document, code, coder`` rows, in segment order.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["d#t001", "d#t002"], "document": ["d", "d"],
    ...                     "start": [0, 10], "end": [8, 20]})
    >>> cod = pd.DataFrame({"document": ["d"], "start": [5], "end": [12], "code": ["x"], "coder": ["A"]})
    >>> segment_codes(cod, seg)["segment_id"].tolist()
    ['d#t001', 'd#t002']
    """
    cols = ["segment_id", "document", "code", "coder"]
    if codings.empty or segments.empty:
        return pd.DataFrame(columns=cols)
    parts = []
    for doc, cod in codings.groupby("document", sort=False):
        seg = segments.loc[segments["document"] == doc]
        if seg.empty:
            continue
        s_start, s_end = seg["start"].to_numpy()[None, :], seg["end"].to_numpy()[None, :]
        c_start, c_end = cod["start"].to_numpy()[:, None], cod["end"].to_numpy()[:, None]
        overlap = (np.minimum(s_end, c_end) - np.maximum(s_start, c_start)) > 0
        ci, si = np.nonzero(overlap)
        parts.append(
            pd.DataFrame(
                {
                    "segment_id": seg["segment_id"].to_numpy()[si],
                    "document": doc,
                    "code": cod["code"].to_numpy()[ci],
                    "coder": cod["coder"].to_numpy()[ci],
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True).drop_duplicates()
    order = {s: i for i, s in enumerate(segments["segment_id"])}
    out = out.assign(_o=out["segment_id"].map(order)).sort_values(["_o", "code", "coder"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)[cols]
