"""Rate and mean suppression: which cells are hidden, and with which marker (HESA ``..`` or an OfS code)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..config import DisclosureRules
from ..errors import AnalysisError
from .rules import OFS_CODES, _resolve_rules, _resolve_style

__all__ = ["suppress_rate", "suppress_mean", "derived_marker"]


def _as_float(values: Any, what: str) -> np.ndarray:
    """A 1-d float array (NaN for missing) from a scalar, array or Series."""
    if isinstance(values, pd.Series):
        s = values
    else:
        s = pd.Series(np.atleast_1d(np.asarray(values, dtype=object)))
    if pd.api.types.is_bool_dtype(s.dtype):
        raise AnalysisError(f"{what}: expected numbers, found booleans.")
    try:
        return pd.to_numeric(s, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
    except (ValueError, TypeError):
        raise AnalysisError(f"{what}: expected numbers; convert with pd.to_numeric first.") from None


def _small(values: np.ndarray, limit: float) -> np.ndarray:
    """``values <= limit``, counting missing values as small (fail safe)."""
    return ~(values > limit)


def _hidden_by_rounding(counts: np.ndarray, rules: DisclosureRules) -> np.ndarray:
    """Counts that rounding shows as 0 or that are at most the OfS small-number limit (missing: hidden)."""
    return _small(counts, rules.ofs_max_numerator_suppressed) | ~(2 * counts >= rules.round_to)


def _small_cell(counts: np.ndarray, rules: DisclosureRules) -> np.ndarray:
    """Counts of 1 to ``min_cell_size - 1`` people (missing: small, fail safe): the cells an internal report hides."""
    return ~((counts <= 0) | (counts >= rules.min_cell_size))


def _internal_rate_codes(denominator: np.ndarray, numerator: np.ndarray | None, rules: DisclosureRules,
                         style: str) -> np.ndarray:
    """Internal audience: a rate is hidden where it rests on fewer than ``min_cell_size`` people, or where its
    numerator (or denominator minus numerator) is a hidden small cell; 0% and 100% of a large enough group show."""
    codes = np.full(denominator.shape, None, dtype=object)
    low = ~(denominator >= rules.min_cell_size)
    few = np.zeros(denominator.shape, dtype=bool) if numerator is None else _small_cell(numerator, rules)
    many = np.zeros(denominator.shape, dtype=bool) if numerator is None else _small_cell(denominator - numerator, rules)
    if style == "hesa":
        codes[low | few | many] = rules.suppressed_marker
        return codes
    for condition, code in ((many, OFS_CODES["DPH"]), (few, OFS_CODES["DPL"]), (low, OFS_CODES["low"])):
        codes[condition] = code  # the last assignment (the base too small) takes precedence
    return codes


def _rate_codes(denominator: np.ndarray, numerator: np.ndarray | None, rules: DisclosureRules, style: str) -> np.ndarray:
    """The marker for each suppressed rate, or None where the rate may be shown (``rules.audience`` decides the rule)."""
    if rules.audience == "internal":
        return _internal_rate_codes(denominator, numerator, rules, style)
    codes = np.full(denominator.shape, None, dtype=object)
    if style == "hesa":
        hidden = ~(denominator >= rules.min_percentage_denominator)
        if numerator is not None:
            # A rate's precision must not give back a count that rounding hides:
            # 2 of 120 is 1.7% beside a count shown as 0 (and 118 of 120 is 98.3%
            # beside 120), so rate x denominator pins the count. Suppress a rate
            # whose numerator, or denominator minus numerator, rounds to 0 or is
            # at most ofs_max_numerator_suppressed (the OfS DPL/DPH limits).
            hidden |= _hidden_by_rounding(numerator, rules) | _hidden_by_rounding(denominator - numerator, rules)
        codes[hidden] = rules.suppressed_marker
        return codes
    small = rules.ofs_max_numerator_suppressed
    conditions = [
        (_small(denominator, small), OFS_CODES["none"]),
        (~(denominator >= rules.ofs_min_denominator), OFS_CODES["low"]),
    ]
    if numerator is not None:
        conditions += [
            (_small(numerator, small), OFS_CODES["DPL"]),
            (_small(denominator - numerator, small), OFS_CODES["DPH"]),
        ]
    for condition, code in reversed(conditions):  # earlier conditions take precedence
        codes[condition] = code
    return codes


def _mean_codes(n: np.ndarray, rules: DisclosureRules, style: str) -> np.ndarray:
    codes = np.full(n.shape, None, dtype=object)
    if rules.audience == "internal":  # an average of fewer than min_cell_size people is hidden
        codes[~(n >= rules.min_cell_size)] = rules.suppressed_marker if style == "hesa" else OFS_CODES["low"]
        return codes
    if style == "hesa":
        codes[_small(n, rules.max_mean_suppressed_n)] = rules.suppressed_marker
        return codes
    codes[_small(n, rules.max_mean_suppressed_n)] = OFS_CODES["low"]
    codes[_small(n, rules.ofs_max_numerator_suppressed)] = OFS_CODES["none"]
    return codes


def _apply_codes(values: Any, codes: np.ndarray) -> Any:
    if isinstance(values, pd.Series):
        out = values.astype(object)
        mask = np.array([c is not None for c in codes], dtype=bool)
        out[mask] = codes[mask]
        return out
    if np.ndim(values) == 0:
        return values if codes[0] is None else codes[0]
    array = np.array(values, dtype=object)
    flat = array.ravel()
    for i, code in enumerate(codes):
        if code is not None:
            flat[i] = code
    return flat.reshape(array.shape)


def _check_same_shape(first: Any, other: Any, first_name: str, other_name: str) -> None:
    if isinstance(first, pd.Series) and isinstance(other, pd.Series) and not first.index.equals(other.index):
        raise AnalysisError(
            f"{first_name} and {other_name} have different indexes; pass columns of the same table "
            "(or align them first with .reindex)."
        )
    if np.size(first) != np.size(other) and np.ndim(other) != 0:
        raise AnalysisError(
            f"{first_name} has {np.size(first)} value(s) but {other_name} has {np.size(other)}; "
            "pass one denominator per value."
        )


def suppress_rate(
    rate: Any,
    denominator: Any,
    *,
    rules: DisclosureRules | None = None,
    numerator: Any = None,
    style: str | None = None,
) -> Any:
    """Replace percentages based on too few people by a suppression marker.

    Parameters
    ----------
    rate : number, array or pandas Series
        Rates (proportions or percentages: they are not changed, only hidden).
    denominator : number, array or pandas Series
        The UNROUNDED number of people each rate is based on.
    rules : DisclosureRules, optional
        Thresholds; default ``DisclosureRules()`` (HESA).
    numerator : number, array or pandas Series, optional
        The unrounded numerators, needed for the OfS ``[DPL]`` and ``[DPH]`` codes.
    style : {"hesa", "ofs"}, optional
        Default ``rules.style``.

    Returns
    -------
    Same kind as ``rate``
        ``rate`` with suppressed values replaced by the marker (a Series keeps
        its index and name and becomes ``object`` dtype).

    Notes
    -----
    HESA: a rate is suppressed when ``denominator < rules.min_percentage_denominator``
    (22.5). OfS, in order of precedence: ``[none]`` when the denominator is at
    most ``rules.ofs_max_numerator_suppressed`` (2), ``[low]`` when it is under
    ``rules.ofs_min_denominator`` (23), ``[DPL]`` when the numerator is at most 2
    and ``[DPH]`` when ``denominator - numerator`` is at most 2. A missing
    denominator (or numerator) counts as small, so the rate is suppressed.

    Examples
    --------
    >>> import pandas as pd
    >>> rate = pd.Series([0.823, 0.810, 0.677], index=["White", "Black", "Asian"])
    >>> suppress_rate(rate, pd.Series([1500, 21, 130], index=rate.index))
    White    0.823
    Black       ..
    Asian    0.677
    dtype: object
    >>> suppress_rate(0.96, 25, numerator=24, style="ofs")
    '[DPH]'
    """
    rules = _resolve_rules(rules)
    style = _resolve_style(style, rules)
    _check_same_shape(rate, denominator, "rate", "denominator")
    den = _as_float(denominator, "suppress_rate: denominator")
    num = None
    if numerator is not None:
        _check_same_shape(rate, numerator, "rate", "numerator")
        num = _as_float(numerator, "suppress_rate: numerator")
    size = max(np.size(rate), 1)
    den = np.broadcast_to(den, (size,)) if den.size == 1 else den
    if num is not None and num.size == 1:
        num = np.broadcast_to(num, (size,))
    return _apply_codes(rate, _rate_codes(den, num, rules, style))


def derived_marker(bases: Any, *, rules: DisclosureRules | None = None, style: str | None = None) -> str | None:
    """The marker a single derived number takes, or None if it may be shown: the rule of ``disclose(derived=...)``.

    For a number recorded outside a table (a results record, a sentence, a
    figure title): ``bases`` lists the ``(denominator, numerator)`` counts of
    each rate it rests on (``numerator`` may be None). A difference in
    differences rests on four rates; a gap on two.

    Examples
    --------
    >>> derived_marker([(400, 300), (60, 2)])  # a gap beside a rate of 2 of 60
    '..'
    >>> derived_marker([(400, 300), (60, 20)]) is None
    True
    >>> derived_marker([(400, 300), (60, 2)], style="ofs")
    '[DPL]'
    """
    rules = _resolve_rules(rules)
    style = _resolve_style(style, rules)
    pairs = [bases] if isinstance(bases, tuple) else list(bases)
    if not pairs:
        raise AnalysisError("derived_marker: list the (denominator, numerator) counts the number rests on.")
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise AnalysisError(f"derived_marker: each base is a (denominator, numerator) pair, not {pair!r}.")
        den = _as_float(pair[0], "derived_marker: denominator")
        num = None if pair[1] is None else _as_float(pair[1], "derived_marker: numerator")
        code = _rate_codes(den, num, rules, style)[0]
        if code is not None:
            return code
    return None


def suppress_mean(
    mean: Any,
    n: Any,
    *,
    rules: DisclosureRules | None = None,
    style: str | None = None,
) -> Any:
    """Replace averages (means, medians) based on too few people by a suppression marker.

    Parameters
    ----------
    mean : number, array or pandas Series
        The averages.
    n : number, array or pandas Series
        The UNROUNDED number of people each average is based on.
    rules : DisclosureRules, optional
        Thresholds; default ``DisclosureRules()`` (HESA).
    style : {"hesa", "ofs"}, optional
        Default ``rules.style``.

    Returns
    -------
    Same kind as ``mean``
        ``mean`` with suppressed values replaced by the marker.

    Notes
    -----
    An average is suppressed when ``n <= rules.max_mean_suppressed_n`` (7), or
    when ``n`` is missing. In OfS style the code is ``[low]``, or ``[none]``
    when ``n`` is at most ``rules.ofs_max_numerator_suppressed`` (2).

    Examples
    --------
    >>> suppress_mean(3.4, 7)
    '..'
    >>> suppress_mean(3.4, 8)
    3.4
    >>> suppress_mean([3.4, 2.9], [2, 7], style="ofs").tolist()
    ['[none]', '[low]']
    """
    rules = _resolve_rules(rules)
    style = _resolve_style(style, rules)
    _check_same_shape(mean, n, "mean", "n")
    counts = _as_float(n, "suppress_mean: n")
    if counts.size == 1:
        counts = np.broadcast_to(counts, (max(np.size(mean), 1),))
    return _apply_codes(mean, _mean_codes(counts, rules, style))
