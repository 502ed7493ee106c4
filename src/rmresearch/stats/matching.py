"""Exact matching: treated people and comparison people who share every matching value.

Rows are grouped into cells by their values of the matching columns (compared
as text, so ``2021`` and ``"2021"`` match). A cell with at least one treated and
one comparison row is a **matched set**. Weights estimate the effect on the
treated: 1 for a treated row in a matched set, ``treated / comparison`` (the
set's counts) for a comparison row, so each set's comparison group weighs as
much as its treated group; 0 outside matched sets.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import AnalysisError

__all__ = ["exact_matched_sets", "exact_match_weights"]


def _treated(frame: pd.DataFrame, treated: str | Sequence[bool] | pd.Series, what: str) -> np.ndarray:
    values = frame[treated] if isinstance(treated, str) else pd.Series(np.asarray(treated), index=frame.index)
    name = treated if isinstance(treated, str) else "treated"
    if len(values) != len(frame):
        raise AnalysisError(f"{what}: {len(values)} treated flags for {len(frame)} rows; pass one per row.")
    if values.isna().any():
        raise AnalysisError(f"{what}: {name!r} has {int(values.isna().sum())} missing value(s); drop or fill those rows.")
    return values.to_numpy(dtype=bool)


def exact_matched_sets(
    frame: pd.DataFrame, *, treated: str | Sequence[bool] | pd.Series, on: Sequence[str], what: str = "exact matching"
) -> pd.DataFrame:
    """Matched set, set sizes and weight of every row of ``frame`` (see the module docstring).

    Parameters
    ----------
    frame : pandas.DataFrame
    treated : str or sequence of bool
        A True/False column of ``frame`` or one flag per row (no missing values).
    on : sequence of str
        Exact-matching columns.
    what : str
        The caller's name, for error messages.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``frame``: ``matched_set`` (0, 1, ... in order of first
        appearance; -1 outside matched sets), ``set_treated``,
        ``set_comparison`` (the cell's counts) and ``weight``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"grade": ["7", "7", "7", "8", "9", "8"],
    ...                       "mentored": [True, False, False, True, False, False]})
    >>> exact_matched_sets(frame, treated="mentored", on=["grade"])
       matched_set  set_treated  set_comparison  weight
    0            0            1               2     1.0
    1            0            1               2     0.5
    2            0            1               2     0.5
    3            1            1               1     1.0
    4           -1            0               1     0.0
    5            1            1               1     1.0
    """
    on = list(on)
    if not on:
        raise AnalysisError(f"{what}: name at least one matching column (on=[...]).")
    flags = _treated(frame, treated, what)
    cell = frame[on].astype(str).groupby(on, sort=False).ngroup().to_numpy()
    n_treated = np.bincount(cell, weights=flags.astype(float), minlength=cell.max(initial=-1) + 1)
    n_control = np.bincount(cell, weights=(~flags).astype(float), minlength=len(n_treated))
    matched = (n_treated > 0) & (n_control > 0)
    set_id = np.full(len(matched), -1, dtype=np.int64)
    first = pd.unique(cell[matched[cell]]) if len(cell) else np.array([], dtype=np.int64)
    set_id[first] = np.arange(len(first))
    in_set = matched[cell] if len(cell) else np.zeros(0, dtype=bool)
    t, c = n_treated[cell], n_control[cell]
    weight = np.where(in_set, np.where(flags, 1.0, t / np.maximum(c, 1)), 0.0)
    return pd.DataFrame({"matched_set": set_id[cell], "set_treated": t.astype(np.int64),
                         "set_comparison": c.astype(np.int64), "weight": weight}, index=frame.index)


def exact_match_weights(
    frame: pd.DataFrame, *, treated: str | Sequence[bool] | pd.Series, on: Sequence[str], what: str = "exact matching"
) -> pd.Series:
    """Exact-matching weights of the rows of ``frame``: the ``weight`` column of :func:`exact_matched_sets`.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"faculty": ["Arts", "Arts", "Arts", "Law", "Law"],
    ...                       "mentored": [True, False, False, True, True]})
    >>> exact_match_weights(frame, treated="mentored", on=["faculty"]).tolist()
    [1.0, 0.5, 0.5, 0.0, 0.0]
    """
    return exact_matched_sets(frame, treated=treated, on=on, what=what)["weight"]
