"""Relative likelihoods (WRES style; Katz, or Koopman with an exact mid-p test on small counts) and event rates with Wilson intervals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..stats import wilson_interval
from ..stats.exact import fisher_midp_test, koopman_ratio_interval, pearson_test, small_table
from ..stats.intervals import katz_ratio_interval
from ._common import _list_rows, _require_columns, _rows

__all__ = ["NON_ADVERSE_RANGE", "relative_likelihood", "relative_likelihoods", "event_rates", "event_rate_table"]


#: NHS WRES guidance treats relative likelihoods from 0.80 to 1.25 as non-adverse.
NON_ADVERSE_RANGE = (0.80, 1.25)


def _count_table(
    table: pd.DataFrame, *, group: str, numerator: str, denominator: str | None, by: list[str], what: str
) -> pd.DataFrame:
    """Numerator and denominator counts per (by, group) from counts or person-level rows."""
    _require_columns(table, [group, numerator, denominator, *by], what)
    num = table[numerator]
    person_level = pd.api.types.is_bool_dtype(num.dtype) or denominator is None
    if person_level:
        if num.isna().any():
            raise AnalysisError(f"{what}: {numerator!r} has {int(num.isna().sum())} missing value(s); fill or drop them first.")
        num = num.astype(bool)
        if denominator is None:
            den = pd.Series(True, index=table.index)
        else:
            den = table[denominator]
            if not pd.api.types.is_bool_dtype(den.dtype):
                raise AnalysisError(
                    f"{what}: with person-level data ({numerator!r} is True/False), the denominator "
                    f"{denominator!r} must also be True/False (who was eligible), or None for everyone."
                )
            den = den.fillna(False).astype(bool)
            outside = num & ~den
            if outside.any():
                rows = _rows(table)[outside.to_numpy()]
                raise AnalysisError(
                    f"{what}: {int(outside.sum())} row(s) have {numerator} True but {denominator} False "
                    f"(rows {_list_rows(rows)}); the numerator must be a subset of the denominator."
                )
        frame = pd.DataFrame({**{b: table[b] for b in by}, group: table[group], "numerator": num & den, "denominator": den})
    else:
        values = {}
        for column in (numerator, denominator):
            v = pd.to_numeric(table[column], errors="coerce")
            bad = (v.isna() | (v < 0)).to_numpy()
            if bad.any():
                raise AnalysisError(f"{what}: {column!r} must hold counts of 0 or more, with no gaps; it does not on rows "
                                    f"{_list_rows(_rows(table)[bad])}.")
            values[column] = v
        if (values[numerator] > values[denominator]).any():
            rows = _rows(table)[(values[numerator] > values[denominator]).to_numpy()]
            raise AnalysisError(f"{what}: {numerator} exceeds {denominator} on rows {_list_rows(rows)}.")
        frame = pd.DataFrame({**{b: table[b] for b in by}, group: table[group], "numerator": values[numerator], "denominator": values[denominator]})
    return frame.groupby([*by, group], observed=True, dropna=False)[["numerator", "denominator"]].sum().reset_index()


def _ratio_inference(
    a: np.ndarray, n1: np.ndarray, c: np.ndarray, n2: np.ndarray, defined: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Interval, p-value and method name of each ratio: Katz and Pearson, or Koopman and Fisher's mid-p when small.

    "Small" is :func:`~rmresearch.stats.exact.small_table` (a count, observed or
    expected, under 5) on whole counts; the interval is kept only where the ratio is defined.
    """
    whole = np.isclose(a, np.round(a)) & np.isclose(c, np.round(c)) & np.isclose(n1, np.round(n1)) & np.isclose(n2, np.round(n2))
    small = small_table(a, n1, c, n2) & whole
    low, high = katz_ratio_interval(c, n2, a, n1, alpha=alpha)
    p_value = pearson_test(a, n1, c, n2)
    if small.any():
        low[small], high[small] = koopman_ratio_interval(c[small], n2[small], a[small], n1[small], alpha=alpha)
        p_value[small] = fisher_midp_test(*(np.round(v[small]) for v in (a, n1, c, n2)))
    low[~defined], high[~defined] = np.nan, np.nan
    method = np.where(small, "Koopman, mid-p test", "Katz").astype(object)
    method[(n1 == 0) | (n2 == 0)] = None
    return low, high, p_value, method


def relative_likelihood(
    table: pd.DataFrame,
    *,
    group: str,
    numerator: str,
    denominator: str | None,
    reference: str = "White",
    by: Sequence[str] = (),
    exclude: Iterable[str] = ("Unknown",),
    alpha: float = 0.05,
    non_adverse: tuple[float, float] = NON_ADVERSE_RANGE,
) -> pd.DataFrame:
    """WRES-style relative likelihood: the reference group's rate divided by each group's rate.

    Parameters
    ----------
    table : pandas.DataFrame
        Either counts (``numerator`` and ``denominator`` columns of whole
        numbers, e.g. ``appointed`` and ``shortlisted``; rows of the same group
        are added up) or person-level rows (``numerator`` True/False, e.g.
        ``promoted``; ``denominator`` True/False for who was eligible, e.g.
        ``at_risk``, or ``None`` for every row).
    group : str
        Group column.
    reference : str
        The group whose rate is the numerator of the ratio (WRES: White).
    by : sequence of str
        Compute separately within these columns (e.g. ``["year"]``).
    exclude : iterable of str
        Groups left out (unknown ethnicity, as in WRES).
    alpha : float
        1 - confidence level.
    non_adverse : (float, float)
        Range treated as non-adverse (NHS WRES: 0.80 to 1.25).

    Returns
    -------
    pandas.DataFrame
        One row per non-reference group (and ``by`` cell): ``group, numerator,
        denominator, rate, reference_numerator, reference_denominator,
        reference_rate, relative_likelihood, ci_low, ci_high, p_value,
        non_adverse, method, note``: ``p_value`` tests equal rates (Pearson's
        chi-squared, or Fisher's exact mid-p on small counts) and ``method``
        names the interval and test (``"Katz"`` or ``"Koopman, mid-p test"``). ``relative_likelihood > 1`` means the reference group is more
        likely to experience the outcome (for appointment: an adverse finding
        for the other group).

    Notes
    -----
    ``RL = (a / n1) / (c / n2)`` with ``a / n1`` the reference group's rate.
    The interval is Katz's log method:
    ``exp(log RL ± z sqrt(1/a - 1/n1 + 1/c - 1/n2))``. Where a count, observed
    or expected, is under 5 (:func:`~rmresearch.stats.exact.small_table`) Katz's
    interval is too narrow or undefined: the interval is then Koopman's score
    interval and the p-value Fisher's exact test with the mid-p (the test is
    given even where a zero count leaves the ratio undefined). With a zero count the
    ratio or its interval is undefined; the row is kept with missing values and
    a ``note``. ``non_adverse`` is missing when the ratio is.

    References
    ----------
    NHS England, Workforce Race Equality Standard technical guidance (indicator 2:
    relative likelihood of White applicants being appointed from shortlisting
    compared to BME applicants). Katz D, Baptista J, Azen SP, Pike MC (1978),
    Obtaining confidence intervals for the risk ratio in cohort studies,
    Biometrics 34, 469-474.

    Examples
    --------
    >>> import pandas as pd
    >>> rec = pd.DataFrame({"ethnicity_group": ["White", "BAME"], "shortlisted": [400, 200], "appointed": [120, 40]})
    >>> rl = relative_likelihood(rec, group="ethnicity_group", numerator="appointed", denominator="shortlisted")
    >>> rl[["ethnicity_group", "rate", "reference_rate", "relative_likelihood"]]
      ethnicity_group  rate  reference_rate  relative_likelihood
    0            BAME   0.2             0.3                  1.5
    >>> rl[["ci_low", "ci_high", "non_adverse"]].round(4)
       ci_low  ci_high  non_adverse
    0  1.0947   2.0554        False
    """
    by = list(by)
    if not 0 < alpha < 1:
        raise AnalysisError(f"alpha must be between 0 and 1, not {alpha!r}.")
    low_ok, high_ok = non_adverse
    counts = _count_table(table, group=group, numerator=numerator, denominator=denominator, by=by, what="relative_likelihood")
    counts = counts.loc[~counts[group].isin(set(exclude))]
    if not (counts[group] == reference).any():
        found = ", ".join(map(str, pd.unique(counts[group])))
        raise AnalysisError(f"relative_likelihood: the reference group {reference!r} is not in column {group!r} (found: {found}).")
    ref = counts.loc[counts[group] == reference].drop(columns=group)
    ref = ref.rename(columns={"numerator": "reference_numerator", "denominator": "reference_denominator"})
    out = counts.loc[counts[group] != reference]
    out = out.merge(ref, on=by, how="left") if by else out.assign(**ref.iloc[0].to_dict())
    for column in ("reference_numerator", "reference_denominator"):
        out[column] = out[column].fillna(0)
    a = out["reference_numerator"].to_numpy(dtype=float)
    n1 = out["reference_denominator"].to_numpy(dtype=float)
    c = out["numerator"].to_numpy(dtype=float)
    n2 = out["denominator"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n2 > 0, c / n2, np.nan)
        ref_rate = np.where(n1 > 0, a / n1, np.nan)
        defined = (a > 0) & (c > 0) & (n1 > 0) & (n2 > 0)
        rl = np.where(defined, ref_rate / rate, np.nan)
    low, high, p_value, method = _ratio_inference(a, n1, c, n2, defined, alpha)
    notes = np.full(len(out), "", dtype=object)
    notes[(n1 == 0) | (n2 == 0)] = "no one in the denominator: ratio undefined"
    notes[((n1 > 0) & (n2 > 0)) & ((a == 0) | (c == 0))] = "a zero count: ratio or its interval undefined"
    result = pd.DataFrame({
        **{b: out[b].to_numpy() for b in by},
        group: out[group].to_numpy(),
        "numerator": out["numerator"].to_numpy(),
        "denominator": out["denominator"].to_numpy(),
        "rate": rate,
        "reference_numerator": out["reference_numerator"].to_numpy(),
        "reference_denominator": out["reference_denominator"].to_numpy(),
        "reference_rate": ref_rate,
        "relative_likelihood": rl,
        "ci_low": low,
        "ci_high": high,
        "p_value": p_value,
    })
    flag = pd.Series((rl >= low_ok - 1e-12) & (rl <= high_ok + 1e-12), dtype="boolean")
    flag[np.isnan(rl)] = pd.NA
    result["non_adverse"] = flag.to_numpy()
    result["method"] = method
    result["note"] = notes
    for column in ("numerator", "denominator", "reference_numerator", "reference_denominator"):
        if np.allclose(result[column], np.round(result[column])):
            result[column] = result[column].astype(np.int64)
    return result.reset_index(drop=True)


def relative_likelihoods(
    table: pd.DataFrame,
    *,
    outcomes: Mapping[str, tuple[str, str | None]],
    group: str,
    label: str = "outcome",
    **options: Any,
) -> pd.DataFrame:
    """:func:`relative_likelihood` of several outcomes of one table, stacked, with a ``label`` column naming each.

    Parameters
    ----------
    outcomes : mapping
        Label -> ``(numerator, denominator)`` as :func:`relative_likelihood`
        takes them, e.g. ``{"promotion": ("promoted", None)}``.
    label : str
        Column holding the labels.
    **options
        ``reference``, ``by``, ``exclude``, ``alpha``, ``non_adverse``.

    Examples
    --------
    >>> import pandas as pd
    >>> rec = pd.DataFrame({"g": ["White", "BAME"], "applied": [800, 400], "shortlisted": [400, 200], "appointed": [120, 40]})
    >>> rl = relative_likelihoods(rec, group="g", label="step", outcomes={
    ...     "appointed from shortlisting": ("appointed", "shortlisted"), "shortlisted from applying": ("shortlisted", "applied")})
    >>> rl[["step", "rate", "reference_rate", "relative_likelihood"]]
                              step  rate  reference_rate  relative_likelihood
    0  appointed from shortlisting   0.2             0.3                  1.5
    1    shortlisted from applying   0.5             0.5                  1.0
    """
    if not outcomes:
        raise AnalysisError("relative_likelihoods: name at least one outcome, e.g. outcomes={'promotion': ('promoted', None)}.")
    pieces = [relative_likelihood(table, group=group, numerator=numerator, denominator=denominator, **options).assign(**{label: name})
              for name, (numerator, denominator) in outcomes.items()]
    return pd.concat(pieces, ignore_index=True)


def event_rates(
    table: pd.DataFrame,
    *,
    event: str,
    by: Sequence[str],
    eligible: str | None = "at_risk",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Rate of an event (promotion, leaving) per eligible row, by group, with Wilson intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        Person-level rows, e.g. :func:`transitions` (one row per person-year).
    event : str
        True/False column (``promoted``, ``leaver``).
    by : sequence of str
        Breakdown (e.g. ``["aggregate_group"]`` or ``["grade", "ethnicity_group"]``).
    eligible : str or None
        True/False column of rows that count (default ``at_risk``); None for all.

    Returns
    -------
    pandas.DataFrame
        ``*by, events, n, rate, ci_low, ci_high``.

    Notes
    -----
    Wilson score intervals treat rows as independent; a person contributes
    one row per year, so for person-years the interval is somewhat too narrow.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"group": ["A"] * 10 + ["B"] * 10, "left": [True] * 2 + [False] * 8 + [True] * 5 + [False] * 5})
    >>> event_rates(rows, event="left", by=["group"], eligible=None).round(4)
      group  events   n  rate  ci_low  ci_high
    0     A       2  10   0.2  0.0567   0.5098
    1     B       5  10   0.5  0.2366   0.7634
    """
    by = list(by)
    _require_columns(table, [event, eligible, *by], "event_rates")
    rows = table if eligible is None else table.loc[table[eligible].fillna(False).astype(bool)]
    if rows[event].isna().any():
        raise AnalysisError(f"event_rates: {event!r} has missing values; fill or drop them first.")
    out = rows.groupby(by, observed=True).agg(events=(event, lambda s: int(s.astype(bool).sum())), n=(event, "size")).reset_index()
    out["rate"] = out["events"] / out["n"]
    out["ci_low"], out["ci_high"] = wilson_interval(out["events"], out["n"], alpha)
    return out


def event_rate_table(
    table: pd.DataFrame,
    *,
    events: Mapping[str, str],
    by: Sequence[str],
    eligible: str | None = "at_risk",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """:func:`event_rates` of several events side by side: one row per ``by`` cell, columns suffixed by event.

    Parameters
    ----------
    events : mapping
        Suffix -> True/False column, e.g. ``{"promotion": "promoted", "leaving": "leaver"}``.
    by, eligible, alpha
        As :func:`event_rates`.

    Returns
    -------
    pandas.DataFrame
        ``*by``, ``n`` (eligible rows) and for each event ``events_<suffix>``,
        ``rate_<suffix>``, ``ci_low_<suffix>``, ``ci_high_<suffix>``.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"g": ["A"] * 10, "promoted": [True] * 3 + [False] * 7, "leaver": [True] + [False] * 9})
    >>> event_rate_table(rows, events={"promotion": "promoted", "leaving": "leaver"}, by=["g"], eligible=None)[
    ...     ["g", "n", "events_promotion", "rate_promotion", "events_leaving", "rate_leaving"]]
       g   n  events_promotion  rate_promotion  events_leaving  rate_leaving
    0  A  10                 3             0.3               1           0.1
    """
    by = list(by)
    if not events:
        raise AnalysisError("event_rate_table: name at least one event, e.g. events={'promotion': 'promoted'}.")
    out = None
    for suffix, event in events.items():
        rates = event_rates(table, event=event, by=by, eligible=eligible, alpha=alpha)
        rates = rates.rename(columns={c: f"{c}_{suffix}" for c in ("events", "rate", "ci_low", "ci_high")})
        out = rates if out is None else out.merge(rates, on=[*by, "n"], how="outer")
    return out
