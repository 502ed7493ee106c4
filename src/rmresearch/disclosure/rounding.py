"""HESA standard rounding: counts to the nearest multiple of 5, halves up, with exact arithmetic."""

from __future__ import annotations

import math
import numbers
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError

__all__ = ["hesa_round"]


def _check_base(base: Any) -> int:
    if isinstance(base, (bool, np.bool_)) or not isinstance(base, (int, np.integer)) or base < 1:
        raise AnalysisError(
            f"hesa_round: base must be a whole number of at least 1 (HESA uses 5), not {base!r}."
        )
    return int(base)


def _round_scalar(x: Any, base: int, what: str) -> Any:
    """Round one value half up to a multiple of ``base`` with exact arithmetic."""
    if x is None or x is pd.NA:
        return x
    if isinstance(x, (bool, np.bool_)):
        raise AnalysisError(f"{what}: {x!r} is a boolean, not a count; count the True values first (e.g. .sum()).")
    if isinstance(x, np.integer):
        x = int(x)
    elif isinstance(x, np.floating):
        x = float(x)
    if isinstance(x, Decimal):
        if x.is_nan():
            return x
        if x.is_infinite():
            raise AnalysisError(f"{what}: a count cannot be infinite ({x}); check the calculation that produced it.")
    elif not isinstance(x, numbers.Real):
        raise AnalysisError(
            f"{what}: expected a number, a numpy array or a pandas Series of counts, "
            f"not {type(x).__name__} ({x!r}). Convert text with pd.to_numeric first."
        )
    elif isinstance(x, float):
        if math.isnan(x):
            return x
        if math.isinf(x):
            raise AnalysisError(f"{what}: a count cannot be infinite ({x}); check the calculation that produced it.")
    if x < 0:
        raise AnalysisError(
            f"{what}: counts cannot be negative, found {x}. Rounding applies to counts of people; "
            "to show a difference, round each count first and subtract."
        )
    exact = Fraction(x)  # exact value of the float/Decimal: no binary rounding error
    remainder = exact % base
    down = exact - remainder
    return int(down + base if 2 * remainder >= base else down)


def _round_present(values: np.ndarray, base: int, what: str, labels: Any) -> np.ndarray:
    """Round non-missing int or float64 values; ``labels`` name the positions for errors."""
    if values.dtype.kind == "f":
        infinite = np.isinf(values)
        if infinite.any():
            where = labels[int(np.flatnonzero(infinite)[0])]
            raise AnalysisError(f"{what}: a count cannot be infinite (at row {where!r}); check the calculation that produced it.")
    negative = values < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise AnalysisError(
            f"{what}: counts cannot be negative, found {values[i]} at row {labels[i]!r}. Rounding applies to counts "
            "of people; to show a difference, round each count first and subtract."
        )
    if values.dtype.kind == "f":
        # fmod is exact in IEEE arithmetic, and x - fmod(x, base) is an exactly
        # representable multiple of base, so exact halves are found exactly.
        remainder = np.fmod(values, base)
    else:
        remainder = np.remainder(values, base)
    down = values - remainder
    return np.where(2 * remainder >= base, down + base, down)


def _round_series(s: pd.Series, base: int, what: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(s.dtype):
        raise AnalysisError(f"{what}: booleans are not counts; count the True values first (e.g. .sum()).")
    missing = s.isna().to_numpy()
    labels = s.index[~missing].tolist()
    if s.dtype == object:
        present = s[~missing]
        if any(isinstance(v, (bool, np.bool_)) for v in present):
            raise AnalysisError(f"{what}: booleans are not counts; count the True values first (e.g. .sum()).")
        numeric = pd.to_numeric(present, errors="coerce")
        bad = numeric.isna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise AnalysisError(
                f"{what}: {present.iloc[i]!r} at row {labels[i]!r} is not a number. "
                "Convert the column with pd.to_numeric (and fix or remove text values) first."
            )
        rounded = _round_present(numeric.to_numpy(dtype=np.float64), base, what, labels)
        out = s.copy()
        out[~missing] = [int(v) for v in rounded]
        return out
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_complex_dtype(s.dtype):
        raise AnalysisError(
            f"{what}: expected numbers, found dtype {s.dtype}. Convert with pd.to_numeric first."
        )
    dtype = np.int64 if s.dtype.kind in "iu" else np.float64
    present = s[~missing].to_numpy(dtype=dtype)
    rounded = _round_present(present, base, what, labels)
    out = s.copy()
    out[~missing] = rounded
    return out


def hesa_round(x: Any, base: int = 5) -> Any:
    """Round counts to the nearest multiple of ``base``, halves up (HESA standard rounding).

    Parameters
    ----------
    x : number, numpy array, list or pandas Series
        Non-negative counts. Non-integers (weighted counts, FTE) are allowed and
        rounded as given. Missing values (``NaN``, ``None``, ``pd.NA``) are kept.
    base : int, default 5
        Round to multiples of this (``DisclosureRules.round_to``).

    Returns
    -------
    int, numpy.ndarray or pandas.Series
        A scalar gives a Python ``int`` (a missing scalar is returned as is).
        An array (or list) gives an array and a Series gives a Series with the
        same index, name and dtype (integer stays integer, float stays float
        so that NaN can be kept; ``object`` keeps ``None`` as ``None``).

    Raises
    ------
    rmresearch.errors.AnalysisError (a ValueError)
        For negative, infinite, boolean or non-numeric values, or a bad ``base``.

    Notes
    -----
    With ``r = x mod base``, the result is ``x - r + base`` when ``2 r >= base``
    and ``x - r`` otherwise, so for ``base=5`` anything below 2.5 becomes 0 and
    2.5 becomes 5. Python's :func:`round` and :func:`numpy.round` round halves to
    even (``round(12.5 / 5) * 5 == 10``) and ``floor(x / 5 + 0.5)`` can be tipped
    over a half by floating-point error, so neither is used: scalars use exact
    :class:`fractions.Fraction` arithmetic, arrays use :func:`numpy.fmod`, which
    is exact.

    References
    ----------
    HESA, "Rounding and suppression to anonymise statistics" (standard rounding
    methodology), https://www.hesa.ac.uk/about/regulation/data-protection/rounding-and-suppression-anonymise-statistics

    Examples
    --------
    >>> [hesa_round(v) for v in (0, 1, 2, 2.5, 3, 7.5, 12.5, 13, 1234)]
    [0, 0, 0, 5, 5, 10, 15, 15, 1235]
    >>> hesa_round(2.4999)
    0
    >>> hesa_round(17, base=10)
    20
    >>> import pandas as pd
    >>> hesa_round(pd.Series([1234.0, None, 17.0], index=["White", "Mixed", "Black"], name="n"))
    White    1235.0
    Mixed       NaN
    Black      15.0
    Name: n, dtype: float64
    """
    base = _check_base(base)
    what = "hesa_round"
    if isinstance(x, pd.DataFrame):
        raise AnalysisError(
            "hesa_round: got a DataFrame; round one column at a time, or use "
            "disclose(table, counts=[...]) to round the count columns of a table."
        )
    if isinstance(x, pd.Series):
        return _round_series(x, base, what)
    if isinstance(x, (np.ndarray, list, tuple, pd.api.extensions.ExtensionArray)):
        array = x if isinstance(x, pd.api.extensions.ExtensionArray) else np.asarray(x)
        if getattr(array, "ndim", 1) == 0:
            return _round_scalar(array.item(), base, what)
        shape = np.shape(array)
        flat = pd.Series(np.ravel(array) if isinstance(array, np.ndarray) else array)
        rounded = _round_series(flat, base, what)
        if isinstance(array, pd.api.extensions.ExtensionArray):
            return rounded.array
        return rounded.to_numpy().reshape(shape)
    return _round_scalar(x, base, what)
