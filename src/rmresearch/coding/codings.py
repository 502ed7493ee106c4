"""Human codings: the tidy coding table (``document, segment_id, start, end, code, coder, memo``), written and
related to segments.

Coding CSVs name each coded passage by ``segment_id`` or by ``document, start, end`` character offsets into
the anonymised text (see :mod:`rmresearch.coding.segments`). Reading and validating them lives in
:mod:`rmresearch.io.codings` (the ``codings`` table schema plus the checks only codings need, every problem
reported at once with its row); :func:`read_codings_csv` and :func:`codings_from_frame` are importable from
here as before. :func:`write_codings_csv` writes the table, :func:`segment_codes` says which segments each
coder coded with each code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..fileio import write_csv
from ..io.codings import CODING_COLUMNS, codings_from_frame, read_codings_csv

__all__ = ["CODING_COLUMNS", "read_codings_csv", "codings_from_frame", "write_codings_csv", "segment_codes"]


def write_codings_csv(codings: pd.DataFrame, path: str | Path) -> Path:
    """Write codings as a tidy CSV (``document, segment_id, start, end, code, coder, memo``), atomically.

    Never over a configured input (the cohort's own codings file included: write a new file and point the
    cohort file at it), a key, or into a raw, anonymised or reports folder (:func:`rmresearch.guard.check_api_output`).
    """
    from ..guard import check_api_output

    check_api_output(path, owner="code")
    # coding_user (who a REFI-QDA Coding names, beside the selection's coder) is kept when a project import has it
    frame = codings.reindex(columns=CODING_COLUMNS + [c for c in ("coding_user",) if c in codings.columns])
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
