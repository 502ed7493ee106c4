"""Small-number disclosure control for every table a report shows.

Cohorts in mentoring evaluations are small, so every published count, rate
and average goes through this module before it reaches a report. The default
follows the HESA standard rounding methodology; the cohort configuration
(:class:`rmresearch.config.DisclosureRules`) holds the thresholds and can
switch to Office for Students (OfS) style suppression codes.

HESA standard rounding methodology (defaults in ``DisclosureRules``):

- counts of people are rounded to the nearest multiple of 5 (``round_to``);
  anything below 2.5 becomes 0 and halves round up (2.5 -> 5, 7.5 -> 10);
- percentages based on fewer than 22.5 people are suppressed
  (``min_percentage_denominator``);
- averages (means, medians) based on 7 or fewer people are suppressed
  (``max_mean_suppressed_n``);
- totals are calculated from unrounded values and then rounded, so rounded
  rows need not add up to the rounded total;
- suppressed cells print as ``..`` (``suppressed_marker``).

OfS style (``style="ofs"``) marks a suppressed rate with a code instead:
``[none]`` (population of two or fewer), ``[low]`` (denominator under 23),
``[DPL]`` (numerator of two or fewer) or ``[DPH]`` (numerator within two of
the denominator). Counts are rounded in both styles.

A typical report table::

    table = add_total(by_group, label_column="group", sum_columns=["good", "n"],
                      rate_columns={"rate": ("good", "n")})
    shown = disclose(table, counts=["good", "n"], rates={"rate": ("n", "good")},
                     rules=config.disclosure, name="good honours by group")

Every call to :func:`disclose` is recorded in a module-level log
(:func:`disclosure_log`) so a release check can confirm that each published
table went through disclosure control.

Derived numbers go through the same call, so that no shown cell gives back a
hidden one: gaps, differences, ratios, relative likelihoods, their intervals,
p-values and flags are listed with the rates or counts they rest on
(``derived={"gap_pp": ["rate", "rate_reference"]}``) and are suppressed, with
the same marker, wherever one of those is. A rate whose numerator (or
denominator minus numerator) is 0 to 2, or rounds to 0, is suppressed in both
styles, because its precision would give back the count shown rounded; an
interval bound beside a suppressed rate on the same people is suppressed too.
``basis=`` states which rule a table's counts follow (people, qualitative
code counts, a person-level listing), and :func:`rules_below_minimums` lists
why cohort settings are weaker than the HESA minimums (every log record
carries it as ``below_hesa_minimums``, for the release gate).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import numbers
import re
import threading
import warnings
from collections.abc import Mapping
from dataclasses import asdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from .config import DisclosureRules

__all__ = [
    "OFS_CODES",
    "DisclosureWarning",
    "hesa_round",
    "suppress_rate",
    "suppress_mean",
    "disclose",
    "add_total",
    "is_disclosed",
    "disclosure_log",
    "clear_disclosure_log",
    "HESA_MINIMUMS",
    "rules_below_minimums",
    "derived_marker",
]

#: OfS suppression codes, by reason.
OFS_CODES = MappingProxyType({
    "none": "[none]",  # population of two or fewer
    "low": "[low]",  # denominator under ofs_min_denominator (23)
    "DPL": "[DPL]",  # numerator two or fewer
    "DPH": "[DPH]",  # numerator within two of the denominator
})

STYLES = ("hesa", "ofs")
#: What a table's counts describe, which decides the rule (see :func:`disclose`).
BASES = ("people", "qualitative", "listing")
_CHARACTERISTIC_COLUMN = re.compile(
    r"(ethnicity|ethnic|disability|disabled|sex|gender|religion|belief|sexual_orientation|age|age_band|age_group"
    r"|nationality|domicile|polar\d*|imd|imd_quintile|first_generation|care_leaver|pregnancy|marital_status"
    r"|gender_identity|trans_status)(_[a-z0-9_]+)?"
)
_ATTRS_KEY = "disclosure"

_log: list[dict[str, Any]] = []
_log_lock = threading.Lock()
_calls = 0


class DisclosureWarning(UserWarning):
    """A table is about to be shown with a column that may disclose small numbers."""


# ---------------------------------------------------------------------------
# Rounding
# ---------------------------------------------------------------------------

def _check_base(base: Any) -> int:
    if isinstance(base, (bool, np.bool_)) or not isinstance(base, (int, np.integer)) or base < 1:
        raise ValueError(
            f"hesa_round: base must be a whole number of at least 1 (HESA uses 5), not {base!r}."
        )
    return int(base)


def _round_scalar(x: Any, base: int, what: str) -> Any:
    """Round one value half up to a multiple of ``base`` with exact arithmetic."""
    if x is None or x is pd.NA:
        return x
    if isinstance(x, (bool, np.bool_)):
        raise ValueError(f"{what}: {x!r} is a boolean, not a count; count the True values first (e.g. .sum()).")
    if isinstance(x, np.integer):
        x = int(x)
    elif isinstance(x, np.floating):
        x = float(x)
    if isinstance(x, Decimal):
        if x.is_nan():
            return x
        if x.is_infinite():
            raise ValueError(f"{what}: a count cannot be infinite ({x}); check the calculation that produced it.")
    elif not isinstance(x, numbers.Real):
        raise ValueError(
            f"{what}: expected a number, a numpy array or a pandas Series of counts, "
            f"not {type(x).__name__} ({x!r}). Convert text with pd.to_numeric first."
        )
    elif isinstance(x, float):
        if math.isnan(x):
            return x
        if math.isinf(x):
            raise ValueError(f"{what}: a count cannot be infinite ({x}); check the calculation that produced it.")
    if x < 0:
        raise ValueError(
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
            raise ValueError(f"{what}: a count cannot be infinite (at row {where!r}); check the calculation that produced it.")
    negative = values < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise ValueError(
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
        raise ValueError(f"{what}: booleans are not counts; count the True values first (e.g. .sum()).")
    missing = s.isna().to_numpy()
    labels = s.index[~missing].tolist()
    if s.dtype == object:
        present = s[~missing]
        if any(isinstance(v, (bool, np.bool_)) for v in present):
            raise ValueError(f"{what}: booleans are not counts; count the True values first (e.g. .sum()).")
        numeric = pd.to_numeric(present, errors="coerce")
        bad = numeric.isna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{what}: {present.iloc[i]!r} at row {labels[i]!r} is not a number. "
                "Convert the column with pd.to_numeric (and fix or remove text values) first."
            )
        rounded = _round_present(numeric.to_numpy(dtype=np.float64), base, what, labels)
        out = s.copy()
        out[~missing] = [int(v) for v in rounded]
        return out
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_complex_dtype(s.dtype):
        raise ValueError(
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
    ValueError
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
        raise ValueError(
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


# ---------------------------------------------------------------------------
# Suppression
# ---------------------------------------------------------------------------

def _resolve_rules(rules: Any) -> DisclosureRules:
    if rules is None:
        return DisclosureRules()
    if isinstance(rules, DisclosureRules):
        return rules
    if isinstance(rules, Mapping):
        return DisclosureRules.from_mapping(dict(rules), "rules")
    raise ValueError(
        f"rules must be a DisclosureRules (e.g. config.disclosure from load_cohort) or a mapping of its "
        f"fields, not {type(rules).__name__}."
    )


#: The least protective setting of each threshold that still meets the HESA standard
#: rounding methodology (and the OfS codes), with the direction that is weaker.
HESA_MINIMUMS = MappingProxyType({
    "round_to": 5,  # counts rounded to multiples of at least 5
    "min_percentage_denominator": 22.5,  # percentages of fewer than 22.5 people suppressed
    "max_mean_suppressed_n": 7,  # averages of 7 or fewer people suppressed
    "ofs_min_denominator": 23,  # OfS [low]
    "ofs_max_numerator_suppressed": 2,  # OfS [DPL], [DPH], [none]
})


def rules_below_minimums(rules: Any) -> list[str]:
    """Reasons why disclosure rules are weaker than the HESA minimums (an empty list when they are not).

    A release meant for the public must refuse rules with any reason listed:
    ``round_to: 1`` shows exact counts and ``min_percentage_denominator: 0``
    shows the rate of a single person. Stricter values (``round_to: 10``) are
    fine. Every :func:`disclose` record carries the list as
    ``below_hesa_minimums``, so a release gate can check each table.

    Examples
    --------
    >>> rules_below_minimums(DisclosureRules())
    []
    >>> rules_below_minimums({"round_to": 1, "min_percentage_denominator": 0})
    ['round_to is 1: counts must be rounded to multiples of at least 5', 'min_percentage_denominator is 0: percentages must be suppressed below at least 22.5 people']
    """
    if isinstance(rules, Mapping):
        values = {**asdict(DisclosureRules()), **dict(rules)}
    elif isinstance(rules, DisclosureRules):
        values = asdict(rules)
    elif rules is None:
        values = asdict(DisclosureRules())
    else:
        raise ValueError(f"rules_below_minimums: pass a DisclosureRules or a mapping of its fields, not {type(rules).__name__}.")
    wanted = {
        "round_to": "counts must be rounded to multiples of at least {}",
        "min_percentage_denominator": "percentages must be suppressed below at least {} people",
        "max_mean_suppressed_n": "averages must be suppressed for {} or fewer people (or a higher limit)",
        "ofs_min_denominator": "OfS [low] must apply below {} people (or a higher limit)",
        "ofs_max_numerator_suppressed": "OfS [DPL]/[DPH] must apply to numerators of {} or fewer (or a higher limit)",
    }
    reasons = []
    for field, text in wanted.items():
        value = values.get(field)
        minimum = HESA_MINIMUMS[field]
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or math.isnan(float(value)):
            reasons.append(f"{field} is {value!r}, not a number: {text.format(minimum)}")
        elif value < minimum:
            reasons.append(f"{field} is {value:g}: {text.format(minimum)}")
    marker = values.get("suppressed_marker")
    if not isinstance(marker, str) or not marker.strip():
        reasons.append(f"suppressed_marker is {marker!r}: a suppressed cell must be marked (HESA uses '..'), "
                       "not look like a missing value")
    return reasons


def _resolve_style(style: Any, rules: DisclosureRules) -> str:
    chosen = rules.style if style is None else style
    if not isinstance(chosen, str) or chosen.lower() not in STYLES:
        raise ValueError(f"style must be 'hesa' or 'ofs' (or None to use rules.style), not {chosen!r}.")
    return chosen.lower()


def _as_float(values: Any, what: str) -> np.ndarray:
    """A 1-d float array (NaN for missing) from a scalar, array or Series."""
    if isinstance(values, pd.Series):
        s = values
    else:
        s = pd.Series(np.atleast_1d(np.asarray(values, dtype=object)))
    if pd.api.types.is_bool_dtype(s.dtype):
        raise ValueError(f"{what}: expected numbers, found booleans.")
    try:
        return pd.to_numeric(s, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
    except (ValueError, TypeError):
        raise ValueError(f"{what}: expected numbers; convert with pd.to_numeric first.") from None


def _small(values: np.ndarray, limit: float) -> np.ndarray:
    """``values <= limit``, counting missing values as small (fail safe)."""
    return ~(values > limit)


def _hidden_by_rounding(counts: np.ndarray, rules: DisclosureRules) -> np.ndarray:
    """Counts that rounding shows as 0 or that are at most the OfS small-number limit (missing: hidden)."""
    return _small(counts, rules.ofs_max_numerator_suppressed) | ~(2 * counts >= rules.round_to)


def _rate_codes(denominator: np.ndarray, numerator: np.ndarray | None, rules: DisclosureRules, style: str) -> np.ndarray:
    """The marker for each suppressed rate, or None where the rate may be shown."""
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
        raise ValueError(
            f"{first_name} and {other_name} have different indexes; pass columns of the same table "
            "(or align them first with .reindex)."
        )
    if np.size(first) != np.size(other) and np.ndim(other) != 0:
        raise ValueError(
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
        raise ValueError("derived_marker: list the (denominator, numerator) counts the number rests on.")
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"derived_marker: each base is a (denominator, numerator) pair, not {pair!r}.")
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


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------

def is_disclosed(df: Any) -> bool:
    """Whether ``df`` is the output of :func:`disclose` (or a slice of it).

    It checks ``df.attrs["disclosure"]``, which pandas carries through
    selections such as ``df[cols]`` or ``df.head()``. Columns added after
    :func:`disclose` are not checked.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"n": [12, 40]})
    >>> is_disclosed(table), is_disclosed(disclose(table, counts=["n"]))
    (False, True)
    """
    attrs = getattr(df, "attrs", None)
    return isinstance(attrs, dict) and isinstance(attrs.get(_ATTRS_KEY), dict)


def disclosure_log() -> list[dict[str, Any]]:
    """Records of every :func:`disclose` call since the log was last cleared.

    Each record is a dict with ``call`` (a sequence number), ``time`` (UTC,
    ISO 8601), ``name``, ``style``, ``rules``, ``counts``, ``rates``, ``means``,
    ``rows``, ``suppressed_cells``, ``suppressed_by_column`` and
    ``unrounded_columns`` (numeric columns shown as they were). Records hold
    column names and numbers of cells, never data. The list is a copy.

    Examples
    --------
    >>> import pandas as pd
    >>> clear_disclosure_log()
    >>> _ = disclose(pd.DataFrame({"n": [3]}), counts=["n"], name="example")
    >>> [(r["name"], r["counts"]) for r in disclosure_log()]
    [('example', ['n'])]
    """
    with _log_lock:
        return copy.deepcopy(_log)


def clear_disclosure_log() -> None:
    """Empty the log of :func:`disclose` calls (e.g. at the start of a report run)."""
    with _log_lock:
        _log.clear()


def _column_list(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        columns = list(value)
    except TypeError:
        raise ValueError(f"{what} must be a column name or a list of column names, not {value!r}.") from None
    if len(set(columns)) != len(columns):
        raise ValueError(f"{what} lists a column more than once: {columns}.")
    return columns


def _rate_spec(rates: Any) -> dict[Any, tuple[Any, Any]]:
    if rates is None:
        return {}
    if not isinstance(rates, Mapping):
        raise ValueError(
            'rates must map each rate column to its denominator column, e.g. {"rate": "n"} '
            f'or {{"rate": ("n", "numerator")}}, not {rates!r}.'
        )
    spec = {}
    for rate, value in rates.items():
        if isinstance(value, str):
            spec[rate] = (value, None)
        elif isinstance(value, (tuple, list)) and len(value) in (1, 2):
            spec[rate] = (value[0], value[1] if len(value) == 2 else None)
        else:
            raise ValueError(
                f'rates[{rate!r}] must be a denominator column name or a (denominator, numerator) pair, '
                f'e.g. {{{rate!r}: ("n", "good")}}; got {value!r}.'
            )
    return spec


def _mean_spec(means: Any) -> dict[Any, Any]:
    if means is None:
        return {}
    if not isinstance(means, Mapping) or not all(isinstance(v, str) for v in means.values()):
        raise ValueError(
            'means must map each mean (or median) column to its n column, e.g. {"mean_score": "n"}, '
            f"not {means!r}."
        )
    return dict(means)


def _require(table: pd.DataFrame, column: Any, role: str) -> None:
    if column not in table.columns:
        shown = ", ".join(map(repr, table.columns[:20])) + (", ..." if len(table.columns) > 20 else "")
        raise ValueError(f"{role} column {column!r} is not in the table; its columns are: {shown}.")


def _numeric(table: pd.DataFrame, column: Any, role: str) -> pd.Series:
    s = table[column]
    if isinstance(s, pd.DataFrame):
        raise ValueError(f"{role} column {column!r} appears more than once in the table; give columns unique names.")
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        raise ValueError(
            f"{role} column {column!r} must be numeric, found dtype {s.dtype}. "
            f"Convert it with pd.to_numeric(table[{column!r}]) (text such as '..' or '<5' means "
            "the table was already disclosed: pass the unrounded table)."
        )
    return s


def _derived_spec(derived: Any) -> dict[Any, list[Any]]:
    if derived is None:
        return {}
    if not isinstance(derived, Mapping):
        raise ValueError(
            'derived must map each derived column to the rates or counts it rests on, e.g. '
            f'{{"gap_pp": ["rate", "rate_reference"]}}, not {derived!r}.'
        )
    spec: dict[Any, list[Any]] = {}
    for column, bases in derived.items():
        if isinstance(bases, (str, tuple)):
            bases = [bases]
        try:
            items = list(bases)
        except TypeError:
            items = []
        if not items:
            raise ValueError(
                f"derived[{column!r}] must list the rate, mean or count columns it rests on (at least one), "
                f"e.g. ['rate', 'rate_reference'] or [('n', 'good')]; got {bases!r}."
            )
        parsed = []
        for base in items:
            if isinstance(base, list):
                base = tuple(base)
            if isinstance(base, tuple):
                if len(base) not in (1, 2):
                    raise ValueError(f"derived[{column!r}]: a base pair is (denominator, numerator), not {base!r}.")
                base = (base[0], base[1] if len(base) == 2 else None)
            parsed.append(base)
        spec[column] = parsed
    return spec


def _derived_places(places: Any, spec: Mapping[Any, Any], default: int) -> dict[Any, int]:
    def check(value: Any, what: str) -> int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{what} must be a whole number of at least 0, not {value!r}.")
        return int(value)

    if places is None or isinstance(places, (int, np.integer)) and not isinstance(places, (bool, np.bool_)):
        value = default if places is None else check(places, "derived_decimals")
        return {c: value for c in spec}
    if not isinstance(places, Mapping):
        raise ValueError(f"derived_decimals must be a whole number or a {{column: places}} mapping, not {places!r}.")
    unknown = [c for c in places if c not in spec]
    if unknown:
        raise ValueError(f"derived_decimals names column(s) {unknown} that are not listed in derived.")
    return {c: check(places.get(c, default), f"derived_decimals[{c!r}]") for c in spec}


def _format_derived(value: Any, decimals: int) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        text = f"{v:.{decimals}f}"
        return text[1:] if text.startswith("-") and float(text) == 0 else text
    return value


def _is_characteristic(column: Any) -> bool:
    """Whether a column identifier names a personal characteristic (``ethnicity_group``, ``sex``, ``disability``...).

    Only snake_case identifiers count, so a theme titled "Age and career" in a
    framework matrix is not taken for one.
    """
    return isinstance(column, str) and _CHARACTERISTIC_COLUMN.fullmatch(column) is not None


def _format_percent(value: float, decimals: int) -> Any:
    if pd.isna(value):
        return value
    # str() gives the shortest repr, the value a person reads; halves then round up.
    exact = Decimal(str(float(value))) * 100
    return f"{format(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP), 'f')}%"


def _integer_counts(rounded: pd.Series) -> pd.Series:
    if rounded.isna().any():
        return rounded.astype("Int64")
    return rounded.astype(np.int64)


def disclose(
    table: pd.DataFrame,
    *,
    counts: Any = (),
    rates: Mapping[Any, Any] | None = None,
    means: Mapping[Any, Any] | None = None,
    rules: DisclosureRules | None = None,
    style: str | None = None,
    percent: bool = True,
    decimals: int = 1,
    name: str | None = None,
    derived: Mapping[Any, Any] | None = None,
    derived_decimals: Any = None,
    basis: str = "people",
    characteristics: Any = None,
    derived_table_wide: Any = (),
) -> pd.DataFrame:
    """Round counts and suppress small-number rates, averages and the numbers derived from them.

    Every table a report shows goes through this function. Rates and means
    must already be computed from UNROUNDED counts (see :func:`add_total` for
    a total row); ``disclose`` only rounds, suppresses and formats.

    Parameters
    ----------
    table : pandas.DataFrame
        Unrounded table (it is not modified).
    counts : list of str
        Count columns, rounded with :func:`hesa_round` to ``rules.round_to``.
    rates : dict, optional
        ``{rate_column: denominator_column}`` or
        ``{rate_column: (denominator_column, numerator_column)}``. The numerator
        is needed for the OfS ``[DPL]``/``[DPH]`` codes. Rates are proportions
        (0.625) when ``percent=True``.
    means : dict, optional
        ``{mean_column: n_column}`` for averages (means, medians).
    rules : DisclosureRules, optional
        Thresholds from the cohort configuration (``config.disclosure``);
        default ``DisclosureRules()`` (HESA).
    style : {"hesa", "ofs"}, optional
        Default ``rules.style``.
    percent : bool, default True
        Show rates as percentages with ``decimals`` places (``0.625`` ->
        ``"62.5%"``, halves rounded up); if False, rates are shown as given.
    decimals : int, default 1
        Decimal places for percentages.
    name : str, optional
        A name for the table, recorded in the log.
    derived : dict, optional
        ``{column: [bases]}`` for every number derived from the table's rates or
        counts (gaps, differences, ratios, relative likelihoods, their
        intervals and p-values, significance flags, shares, notes that describe
        a count): the one path by which such a number is shown. Each base is a
        rate column listed in ``rates``, a mean column listed in ``means``, a
        ``(denominator, numerator)`` pair of count columns (``numerator`` may be
        None), or a count column (a denominator). A derived cell is suppressed
        wherever any base is (a ratio beside a suppressed rate gives the rate
        back), with the marker of that base; otherwise numbers are shown to
        ``derived_decimals`` places, booleans as ``yes``/``no``, text as given and
        missing values as blanks.
    derived_decimals : int or dict, optional
        Decimal places for derived columns (one number, or ``{column: places}``);
        default ``decimals``.
    derived_table_wide : list of str, optional
        Derived columns that hold one statistic for the whole table (a test's
        chi-squared and p-value repeated on every row): suppressed in every row
        if any row's bases are suppressed, since the other rows would show it.
    basis : {"people", "qualitative", "listing"}, default "people"
        Which rule applies to the table's counts (DOMAIN.md section 3), recorded
        in the log so a reader (and the release gate) knows:

        - ``"people"``: counts of people by characteristic or outcome; HESA
          rounding and suppression as above.
        - ``"qualitative"``: qualitative code counts by role or group (a theme x
          role table, a co-occurrence matrix): counts are shown exactly ("4 of
          12 leaders"), so they agree with a framework matrix listing the same
          people, but a cell of 1 to ``ofs_max_numerator_suppressed`` (2) people
          is suppressed.
        - ``"listing"``: a person-level listing (framework matrix). Counting its
          rows gives back any count a rounded table hides, so the listing may
          not carry a characteristic: the ``characteristics`` columns are
          replaced by the marker in every row.
    characteristics : list of str, optional
        For ``basis="listing"``: the characteristic columns to hide; default every
        column named like a characteristic (ethnicity, disability, sex, gender,
        religion, sexual orientation, age, nationality, ...).

    Returns
    -------
    pandas.DataFrame
        A new table for display: counts rounded (``int64``, or ``Int64`` when a
        value is missing), rates formatted, suppressed rates and means replaced
        by ``rules.suppressed_marker`` (``..``) or an OfS code, means otherwise as
        given, other columns untouched. ``result.attrs["disclosure"]`` describes
        what was applied (the same record as in :func:`disclosure_log`).

    Raises
    ------
    ValueError
        A listed column is missing or not numeric, a count is negative, a
        numerator exceeds its denominator, a rate is outside -1..1 when
        ``percent=True``, or the table was already disclosed.

    Warns
    -----
    DisclosureWarning
        A denominator, numerator or n column is shown but not listed in
        ``counts`` (so it would be printed unrounded), or OfS style is asked for
        a rate without a numerator column (so ``[DPL]``/``[DPH]`` cannot be checked).

    Notes
    -----
    A rate is suppressed (HESA: ``..``) when its denominator is under
    ``min_percentage_denominator`` and, when its numerator column is given,
    also when the numerator or ``denominator - numerator`` rounds to 0 or is at
    most ``ofs_max_numerator_suppressed`` (2): otherwise ``2 / 120 = 1.7%``
    beside a count shown as ``0`` gives the 2 back. (OfS style: ``[DPL]`` and
    ``[DPH]``.) Rates of larger counts are shown from unrounded values, as the
    HESA methodology does. Give the numerator whenever the table has one: a
    rate listed without one (an interval bound) is also suppressed wherever a
    rate with a numerator on the same denominator is.

    Suppression decisions use the UNROUNDED denominators and n, never the
    rounded ones, whatever order the columns are listed in. A missing
    denominator or n counts as small (the cell is suppressed); a missing rate
    or mean with a large enough base stays missing.

    Complementary (secondary) suppression is not applied: the HESA standard
    methodology protects small cells by rounding every count, totals included,
    rather than by hiding extra cells, so a suppressed value cannot be
    recovered exactly by subtraction. For the same reason totals are computed
    from unrounded values and rounded on their own (:func:`add_total`), and
    rounded rows need not add up to the rounded total; never recompute a total
    from rounded rows.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({
    ...     "group": ["White", "Black", "Asian"],
    ...     "good": [1234, 17, 88],
    ...     "n": [1500, 21, 130],
    ...     "mean_meetings": [5.21, 4.5, 5.83],
    ...     "pairs": [40, 7, 8],
    ... })
    >>> table["rate"] = table["good"] / table["n"]
    >>> shown = disclose(table, counts=["good", "n", "pairs"], rates={"rate": ("n", "good")},
    ...                  means={"mean_meetings": "pairs"})
    >>> shown
       group  good     n mean_meetings  pairs   rate
    0  White  1235  1500          5.21     40  82.3%
    1  Black    15    20            ..      5     ..
    2  Asian    90   130          5.83     10  67.7%
    >>> shown.attrs["disclosure"]["suppressed_cells"]
    2
    >>> disclose(table, counts=["good", "n", "pairs"], rates={"rate": ("n", "good")},
    ...          style="ofs")["rate"].tolist()
    ['82.3%', '[low]', '67.7%']
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"disclose expects a pandas DataFrame, not {type(table).__name__}.")
    if is_disclosed(table):
        raise ValueError(
            "this table has already been through disclose(); pass the unrounded table, because suppression "
            "must be decided on unrounded denominators."
        )
    rules = _resolve_rules(rules)
    style = _resolve_style(style, rules)
    if isinstance(decimals, (bool, np.bool_)) or not isinstance(decimals, (int, np.integer)) or decimals < 0:
        raise ValueError(f"decimals must be a whole number of at least 0, not {decimals!r}.")
    decimals = int(decimals)
    count_columns = _column_list(counts, "counts")
    rate_spec = _rate_spec(rates)
    mean_spec = _mean_spec(means)
    derived_spec = _derived_spec(derived)
    derived_places = _derived_places(derived_decimals, derived_spec, decimals)
    table_wide = _column_list(derived_table_wide, "derived_table_wide")
    unknown = [c for c in table_wide if c not in derived_spec]
    if unknown:
        raise ValueError(f"derived_table_wide names column(s) {unknown} that are not listed in derived.")

    for column in count_columns:
        _require(table, column, "count")
    for rate, (denominator, numerator) in rate_spec.items():
        _require(table, rate, "rate")
        _require(table, denominator, f"denominator (of rate {rate!r})")
        if numerator is not None:
            _require(table, numerator, f"numerator (of rate {rate!r})")
    for mean, n in mean_spec.items():
        _require(table, mean, "mean")
        _require(table, n, f"n (of mean {mean!r})")
    for column, bases in derived_spec.items():
        _require(table, column, "derived")
        for base in bases:
            if isinstance(base, tuple):
                _require(table, base[0], f"denominator (of derived {column!r})")
                if base[1] is not None:
                    _require(table, base[1], f"numerator (of derived {column!r})")
            elif base in derived_spec:
                raise ValueError(
                    f"derived[{column!r}] rests on {base!r}, another derived column; list the rates or counts "
                    f"{base!r} rests on instead ({derived_spec[base]!r})."
                )
            elif base not in rate_spec and base not in mean_spec:
                _require(table, base, f"base (of derived {column!r})")
    roles: dict[Any, str] = {c: "counts" for c in count_columns}
    for column, role in [*((r, "rates") for r in rate_spec), *((m, "means") for m in mean_spec),
                         *((d, "derived") for d in derived_spec)]:
        if column in roles:
            raise ValueError(f"column {column!r} is listed in both {roles[column]} and {role}; list it once.")
        roles[column] = role

    # Every suppression decision is made here, on the unrounded input.
    codes: dict[Any, np.ndarray] = {}
    for rate, (denominator, numerator) in rate_spec.items():
        rate_values = _numeric(table, rate, "rate").to_numpy(dtype=np.float64, na_value=np.nan)
        den = _numeric(table, denominator, f"denominator (of rate {rate!r})").to_numpy(dtype=np.float64, na_value=np.nan)
        if (den < 0).any():
            raise ValueError(f"denominator column {denominator!r} (of rate {rate!r}) has negative values; denominators count people.")
        num = None
        if numerator is not None:
            num = _numeric(table, numerator, f"numerator (of rate {rate!r})").to_numpy(dtype=np.float64, na_value=np.nan)
            if (num > den).any():
                i = int(np.flatnonzero(num > den)[0])
                raise ValueError(
                    f"numerator {numerator!r} exceeds denominator {denominator!r} at row {table.index.tolist()[i]!r} "
                    f"({num[i]} > {den[i]}); check that rates={{{rate!r}: (denominator, numerator)}} is in that order."
                )
        elif style == "ofs":
            warnings.warn(
                f"OfS style: rate {rate!r} has no numerator column, so [DPL] and [DPH] cannot be checked; "
                f"give rates={{{rate!r}: ({denominator!r}, 'numerator column')}}.",
                DisclosureWarning,
                stacklevel=2,
            )
        if percent and (np.abs(rate_values) > 1).any():
            raise ValueError(
                f"rate column {rate!r} has values outside -1..1, so it looks like percentages already; "
                "pass proportions (e.g. 0.625) or percent=False."
            )
        codes[rate] = _rate_codes(den, num, rules, style)
        if style == "hesa":  # a missing rate hides nothing: it stays missing unless its base is too small
            codes[rate][np.isnan(rate_values) & (den >= rules.min_percentage_denominator)] = None
    # A rate given without a numerator (an interval bound, a second estimate on the same
    # people) beside a suppressed rate on the same denominator gives it back (a Wilson
    # interval pins its count): it is suppressed wherever such a rate is, with its marker.
    for rate, (denominator, numerator) in rate_spec.items():
        if numerator is not None:
            continue
        for other, (other_den, other_num) in rate_spec.items():
            if other_num is None or other_den != denominator:
                continue
            unset = np.array([c is None for c in codes[rate]], dtype=bool)
            codes[rate][unset] = codes[other][unset]
    for mean, n in mean_spec.items():
        _numeric(table, mean, "mean")
        n_values = _numeric(table, n, f"n (of mean {mean!r})").to_numpy(dtype=np.float64, na_value=np.nan)
        codes[mean] = _mean_codes(n_values, rules, style)
    derived_codes: dict[Any, np.ndarray] = {}
    for column, bases in derived_spec.items():
        column_codes = np.full(len(table), None, dtype=object)
        for base in bases:
            if isinstance(base, tuple):
                den_column, num_column = base
            elif base in codes:
                base_codes = codes[base]
                den_column = None
            else:
                den_column, num_column = base, None
            if den_column is not None:
                den = _numeric(table, den_column, f"denominator (of derived {column!r})").to_numpy(dtype=np.float64, na_value=np.nan)
                num = None
                if num_column is not None:
                    num = _numeric(table, num_column, f"numerator (of derived {column!r})").to_numpy(dtype=np.float64, na_value=np.nan)
                base_codes = _rate_codes(den, num, rules, style)
            unset = np.array([c is None for c in column_codes], dtype=bool)
            column_codes[unset] = base_codes[unset]
        if column in table_wide:
            first = next((c for c in column_codes if c is not None), None)
            if first is not None:
                column_codes[:] = first
        derived_codes[column] = column_codes

    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(map(repr, BASES))}, not {basis!r}.")
    if characteristics is not None and basis != "listing":
        raise ValueError("characteristics= applies to basis='listing' (a person-level listing) only.")
    hidden_characteristics: list[Any] = []
    if basis == "listing":
        if characteristics is None:
            hidden_characteristics = [c for c in table.columns if _is_characteristic(c)]
        else:
            hidden_characteristics = _column_list(characteristics, "characteristics")
            for column in hidden_characteristics:
                _require(table, column, "characteristic")
        clash = [c for c in hidden_characteristics if c in roles]
        if clash:
            raise ValueError(f"characteristic column(s) {clash} are also listed as counts, rates, means or derived.")

    rounded: dict[Any, pd.Series] = {}
    qualitative_marked: dict[Any, int] = {}
    for column in count_columns:
        series = _numeric(table, column, "count")
        if basis == "qualitative":
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)
            if (values < 0).any():
                raise ValueError(f"count column {column!r} has negative values; counts of people cannot be negative.")
            small = (values > 0) & (values <= rules.ofs_max_numerator_suppressed)
            marker = rules.suppressed_marker if style == "hesa" else OFS_CODES["DPL"]
            shown_counts = series.astype(object)
            shown_counts[small] = marker
            rounded[column] = shown_counts if small.any() else series.copy()
            qualitative_marked[column] = int(small.sum())
            continue
        rounded[column] = _integer_counts(_round_series(series, rules.round_to, f"count column {column!r}"))

    bases = {d for d, _ in rate_spec.values()} | {n for _, n in rate_spec.values() if n is not None}
    bases |= set(mean_spec.values())
    for derived_bases in derived_spec.values():
        for base in derived_bases:
            bases |= {c for c in base if c is not None} if isinstance(base, tuple) else {base}
    unrounded_bases = [c for c in table.columns if c in bases and c not in roles]
    for column in unrounded_bases:
        warnings.warn(
            f"column {column!r} is a denominator, numerator or n but is not listed in counts, so it would "
            "be shown unrounded; add it to counts=[...] or drop it from the table before disclose().",
            DisclosureWarning,
            stacklevel=2,
        )

    result = table.copy(deep=True)
    for column, values in rounded.items():
        result[column] = values
    suppressed_by_column: dict[str, int] = {str(c): k for c, k in qualitative_marked.items() if k}
    for column in hidden_characteristics:
        result[column] = pd.Series(rules.suppressed_marker, index=table.index, dtype=object)
        suppressed_by_column[str(column)] = int(len(table))
    for column, column_codes in codes.items():
        mask = np.array([c is not None for c in column_codes], dtype=bool)
        if column in rate_spec and percent:
            shown = pd.Series([_format_percent(v, decimals) for v in table[column]], index=table.index, dtype=object)
        else:
            shown = table[column].astype(object)
        shown[mask] = column_codes[mask]
        result[column] = shown
        suppressed_by_column[str(column)] = int(mask.sum())
    for column, column_codes in derived_codes.items():
        mask = np.array([c is not None for c in column_codes], dtype=bool)
        shown = pd.Series([_format_derived(v, derived_places[column]) for v in table[column]], index=table.index, dtype=object)
        shown[mask] = column_codes[mask]
        result[column] = shown
        suppressed_by_column[str(column)] = int(mask.sum())

    unrounded_columns = [
        str(c) for c in table.columns
        if c not in roles and pd.api.types.is_numeric_dtype(table[c].dtype) and not pd.api.types.is_bool_dtype(table[c].dtype)
    ]
    global _calls
    with _log_lock:
        _calls += 1
        record = {
            "call": _calls,
            "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "name": name,
            "style": style,
            "rules": asdict(rules),
            "marker": rules.suppressed_marker if style == "hesa" else dict(OFS_CODES),
            "counts": [str(c) for c in count_columns],
            "rates": {str(r): {"denominator": str(d), "numerator": None if n is None else str(n)} for r, (d, n) in rate_spec.items()},
            "means": {str(m): {"n": str(n)} for m, n in mean_spec.items()},
            "derived": {str(c): [[str(b[0]), None if b[1] is None else str(b[1])] if isinstance(b, tuple) else str(b)
                                 for b in bases] for c, bases in derived_spec.items()},
            "rates_without_numerator": [str(r) for r, (_, n) in rate_spec.items() if n is None],
            "below_hesa_minimums": rules_below_minimums(rules),
            "basis": basis,
            "characteristics_hidden": [str(c) for c in hidden_characteristics],
            "percent": bool(percent),
            "decimals": decimals,
            "rows": int(len(table)),
            "suppressed_cells": int(sum(suppressed_by_column.values())),
            "suppressed_by_column": suppressed_by_column,
            "unrounded_columns": unrounded_columns,
        }
        _log.append(copy.deepcopy(record))
    result.attrs[_ATTRS_KEY] = record
    return result


def add_total(
    table: pd.DataFrame,
    *,
    label_column: Any,
    label: Any = "Total",
    sum_columns: Any,
    rate_columns: Mapping[Any, Any] | None = None,
) -> pd.DataFrame:
    """Append a total row computed from UNROUNDED values, before :func:`disclose` rounds them.

    Parameters
    ----------
    table : pandas.DataFrame
        Unrounded table, one row per group (it is not modified).
    label_column : str
        Column that names the rows; the total row gets ``label`` there.
    label : str, default "Total"
        Name of the total row.
    sum_columns : list of str
        Count columns to add up.
    rate_columns : dict, optional
        ``{rate_column: (numerator_column, denominator_column)}``: the total
        rate is ``sum(numerator) / sum(denominator)``, not an average of rates.
        Note the order: numerator first (``disclose`` takes the denominator first).

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with one more row. Other columns (means, for
        example, which cannot be recomputed from the table) are missing in the
        total row. A total is missing if any value it adds up is missing: fill
        missing counts with 0 first if they mean zero.

    Notes
    -----
    Totals are calculated before rounding and rounded on their own by
    :func:`disclose`, as the HESA methodology requires, so the rounded rows need
    not add up to the rounded total.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"group": ["White", "Black", "Mixed"], "good": [1234, 17, 2], "n": [1500, 21, 6]})
    >>> table["rate"] = table["good"] / table["n"]
    >>> with_total = add_total(table, label_column="group", sum_columns=["good", "n"],
    ...                        rate_columns={"rate": ("good", "n")})
    >>> with_total.round(4)
       group  good     n    rate
    0  White  1234  1500  0.8227
    1  Black    17    21  0.8095
    2  Mixed     2     6  0.3333
    3  Total  1253  1527  0.8206
    >>> disclose(with_total, counts=["good", "n"], rates={"rate": ("n", "good")})
       group  good     n   rate
    0  White  1235  1500  82.3%
    1  Black    15    20     ..
    2  Mixed     0     5     ..
    3  Total  1255  1525  82.1%
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"add_total expects a pandas DataFrame, not {type(table).__name__}.")
    if is_disclosed(table):
        raise ValueError(
            "add_total needs the unrounded table: this one has already been through disclose(). "
            "Call add_total first, then disclose."
        )
    _require(table, label_column, "label")
    if (table[label_column] == label).any():
        raise ValueError(
            f"the table already has a row labelled {label!r} in {label_column!r}; remove it (or choose another "
            "label) so the total does not count it twice."
        )
    columns = _column_list(sum_columns, "sum_columns")
    rate_spec: dict[Any, tuple[Any, Any]] = {}
    for rate, value in (rate_columns or {}).items():
        if isinstance(value, str) or not isinstance(value, (tuple, list)) or len(value) != 2:
            raise ValueError(
                f'rate_columns[{rate!r}] must be a (numerator, denominator) pair of columns, '
                f'e.g. {{{rate!r}: ("good", "n")}}; got {value!r}.'
            )
        rate_spec[rate] = (value[0], value[1])
    total: dict[Any, Any] = {label_column: label}
    for column in columns:
        if column == label_column:
            raise ValueError(f"label_column {column!r} cannot also be a sum column.")
        _require(table, column, "sum")
        total[column] = _numeric(table, column, "sum").sum(skipna=False)
    for rate, (numerator, denominator) in rate_spec.items():
        _require(table, rate, "rate")
        _require(table, numerator, f"numerator (of rate {rate!r})")
        _require(table, denominator, f"denominator (of rate {rate!r})")
        num = _numeric(table, numerator, f"numerator (of rate {rate!r})").sum(skipna=False)
        den = _numeric(table, denominator, f"denominator (of rate {rate!r})").sum(skipna=False)
        total[rate] = num / den if den > 0 else np.nan

    if isinstance(table.index, pd.MultiIndex):
        raise ValueError("add_total needs a single-level index; call table.reset_index() first.")
    if isinstance(table.index, pd.RangeIndex) and table.index.start == 0 and table.index.step == 1:
        row_label: Any = len(table)
    else:
        row_label = label
        if row_label in table.index:
            raise ValueError(f"the index already contains {label!r}; call table.reset_index() first.")
    base = table.copy()
    if isinstance(base[label_column].dtype, pd.CategoricalDtype):
        base[label_column] = base[label_column].astype(object)
    row = pd.DataFrame([total], index=[row_label])
    result = pd.concat([base, row], axis=0)
    result = result[list(table.columns)]
    if isinstance(table.index, pd.RangeIndex) and isinstance(row_label, int):
        result.index = pd.RangeIndex(len(result))
    result.attrs = copy.deepcopy(table.attrs)
    result.attrs["total_row"] = {
        "label_column": str(label_column),
        "label": label,
        "sum_columns": [str(c) for c in columns],
        "rate_columns": {str(r): [str(n), str(d)] for r, (n, d) in rate_spec.items()},
    }
    return result
