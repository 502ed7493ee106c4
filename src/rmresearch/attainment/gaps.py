"""Rates and gaps by group: Wilson intervals for each rate, Newcombe's interval for each gap.

Where counts are small (:mod:`rmresearch.stats.exact`: a count, observed or expected, under 5) a rate's
interval is the exact mid-p interval, and a gap's p-value and significance come from Fisher's exact test
with the mid-p; the ``rate_method`` and ``method`` columns say which was used.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..codes import DEFAULT_GOOD_HONOURS
from ..errors import AnalysisError
from ..stats.exact import fisher_midp_test, midp_interval, pearson_test, small_rate, small_table
from ..stats.intervals import newcombe_difference, wilson_interval
from ._common import _alpha, _as_list, _attach, _check_frame, _excluded, _known_group, _require, unknown_reason
from .groups import _outcome

__all__ = ["awarding_gap", "gap_from_counts", "gap_trend", "continuation_rates", "completion_rates"]



def _rate_table(
    y: np.ndarray, grp: np.ndarray, keys: list[np.ndarray], key_names: list[str], group: str
) -> pd.DataFrame:
    frame = pd.DataFrame({**{k: v for k, v in zip(key_names, keys)}, group: grp, "_y": y})
    table = frame.groupby(key_names + [group], observed=True, sort=True)["_y"].agg(["size", "sum"])
    table = table.rename(columns={"size": "n", "sum": "good"}).reset_index()
    table["n"] = table["n"].astype(np.int64)
    table["good"] = table["good"].astype(np.int64)
    return table


def _gap_table(
    students: pd.DataFrame,
    *,
    y: pd.Series,
    not_in_denominator: str,
    group: str,
    reference: str,
    by: list[str],
    alpha: float,
    what: str,
    outcome_label: str,
    known_only: bool = True,
) -> pd.DataFrame:
    """Rates and gaps by ``group``; rows whose group is Unknown are left out and counted (``unknown_<name>``),
    unless ``known_only`` is False (then Unknown is a group like any other)."""
    known = _known_group(students[group]) if known_only else students[group].notna().to_numpy()
    has_y = y.notna().to_numpy()
    by_ok = np.ones(len(students), dtype=bool)
    for b in by:
        by_ok &= students[b].notna().to_numpy()
    keep = known & has_y & by_ok
    excluded = _excluded(
        **{unknown_reason(group): int((~known & has_y & by_ok).sum())},
        **{not_in_denominator.replace(" ", "_"): int((~has_y).sum())},
        **{f"missing_{b}": int((students[b].isna() & y.notna()).sum()) for b in by},
    )
    if not keep.any():
        raise AnalysisError(
            f"{what}: no students with a known {group} and an outcome ({outcome_label}) are left "
            f"(excluded: {excluded or 'none'}). Check the {group} and outcome columns."
        )
    groups_present = set(students.loc[keep, group].astype(str))
    if reference not in groups_present:
        raise AnalysisError(
            f"{what}: reference group {reference!r} has no students with an outcome in column {group!r}; "
            f"groups present: {', '.join(sorted(groups_present))}. Pass reference= one of these "
            "(the cohort's reference group), or check the grouping."
        )
    keys = [students.loc[keep, b].to_numpy() for b in by]
    table = _rate_table(
        y[keep].to_numpy(dtype=bool), students.loc[keep, group].astype(str).to_numpy(), keys, by, group
    )
    return _gaps_from_rate_table(table, group=group, reference=reference, by=by, alpha=alpha,
                                 excluded=excluded, outcome_label=outcome_label)


def _rate_intervals(table: pd.DataFrame, alpha: float) -> None:
    """``rate_ci_low``, ``rate_ci_high`` and ``rate_method``: Wilson, or exact mid-p for a rate on small counts."""
    low, high = wilson_interval(table["good"], table["n"], alpha)
    small = small_rate(table["good"], table["n"])
    if small.any():
        low[small], high[small] = midp_interval(table["good"].to_numpy()[small], table["n"].to_numpy()[small], alpha)
    table["rate_ci_low"], table["rate_ci_high"] = low, high
    table["rate_method"] = np.where(small, "mid-p", "Wilson").astype(object)


def _gap_columns(table: pd.DataFrame, is_ref: np.ndarray, alpha: float) -> None:
    """``gap_pp``, its Newcombe interval, ``p_value``, ``significant`` and ``method`` (blank for the reference).

    Where the 2x2 table is small (:func:`~rmresearch.stats.exact.small_table`) the p-value is Fisher's
    exact mid-p and decides ``significant``; otherwise the p-value is Pearson's chi-squared and
    ``significant`` says whether the interval excludes zero, as OfS flags gaps.
    """
    counts = [table[c].to_numpy() for c in ("reference_good", "reference_n", "good", "n")]
    low, high = newcombe_difference(*counts, alpha)
    small = small_table(*counts) & ~is_ref
    p_value = pearson_test(*counts)
    if small.any():
        p_value[small] = fisher_midp_test(*(c[small] for c in counts))
    compared = ~is_ref & (table["reference_n"].to_numpy() > 0)
    table["gap_pp"] = 100 * (table["reference_rate"] - table["rate"])
    table["ci_low"] = 100 * low
    table["ci_high"] = 100 * high
    table["p_value"] = p_value
    table.loc[~compared, ["gap_pp", "ci_low", "ci_high", "p_value"]] = np.nan
    by_interval = ((table["ci_low"] > 0) | (table["ci_high"] < 0)).to_numpy()
    table["significant"] = np.where(small, p_value < alpha, by_interval).astype(bool)
    method = np.where(small, "Newcombe, mid-p test", "Newcombe").astype(object)
    method[~compared] = None
    table["method"] = method


def _gaps_from_rate_table(
    table: pd.DataFrame, *, group: str, reference: str, by: list[str], alpha: float, excluded: dict[str, int],
    outcome_label: str,
) -> pd.DataFrame:
    """Rates, intervals and gaps from a table of ``by + [group, n, good]`` counts."""
    ref = table.loc[table[group] == reference, by + ["n", "good"]].rename(columns={"n": "reference_n", "good": "reference_good"})
    table = table.merge(ref, on=by, how="left") if by else table.assign(
        reference_n=int(ref["reference_n"].iloc[0]), reference_good=int(ref["reference_good"].iloc[0])
    )
    table["reference_n"] = table["reference_n"].fillna(0).astype(np.int64)
    table["reference_good"] = table["reference_good"].fillna(0).astype(np.int64)
    table["rate"] = table["good"] / table["n"]
    _rate_intervals(table, alpha)
    table["reference_rate"] = table["reference_good"] / table["reference_n"].where(table["reference_n"] > 0)
    is_ref = (table[group] == reference).to_numpy()
    _gap_columns(table, is_ref, alpha)
    # order: reference first, then the other groups alphabetically, within each `by` level
    table["_order"] = np.where(is_ref, 0, 1)
    table = table.sort_values(by + ["_order", group], kind="stable").drop(columns="_order").reset_index(drop=True)
    columns = by + [group, "n", "good", "rate", "rate_ci_low", "rate_ci_high", "rate_method", "reference_n",
                    "reference_good", "reference_rate", "gap_pp", "ci_low", "ci_high", "p_value", "significant", "method"]
    table = table[columns]
    spec = {
        "kind": "gap",
        "counts": ["n", "good", "reference_n", "reference_good"],
        "rates": {"rate": ("n", "good"), "rate_ci_low": ("n", "good"), "rate_ci_high": ("n", "good"),
                  "reference_rate": ("reference_n", "reference_good")},
        "derived": {"rate_method": [("n", "good")],
                    **{c: [("n", "good"), ("reference_n", "reference_good")]
                       for c in ("gap_pp", "ci_low", "ci_high", "p_value", "significant", "method")}},
        "group": group, "reference": reference, "by": by, "alpha": alpha, "outcome": outcome_label,
    }
    return _attach(table, excluded=excluded, spec=spec)


def awarding_gap(
    students: pd.DataFrame,
    *,
    group: str = "ethnicity_group",
    reference: str = "White",
    by: str | Sequence[str] | None = None,
    alpha: float = 0.05,
    good: Sequence[str] = DEFAULT_GOOD_HONOURS,
    outcome: str | None = None,
) -> pd.DataFrame:
    """Good-honours rates by group and their gap to the reference group, with intervals.

    Parameters
    ----------
    students : pandas.DataFrame
        Student records (``load_table(config, "students")``).
    group : str, default "ethnicity_group"
        Column of groups (see :func:`add_ethnicity_group` for the aggregate grouping).
    reference : str, default "White"
        Reference group (``config.reference_group``).
    by : str or list of str, optional
        Further breakdown, e.g. ``"qualification_year"`` or ``"faculty"``.
    alpha : float, default 0.05
        1 - confidence level.
    good : sequence of str, default ("First", "2:1")
        Classes counted as good honours (``config.good_honours``).
    outcome : str, optional
        A yes/no column to use instead of good honours (e.g. ``"continued"``).

    Returns
    -------
    pandas.DataFrame
        One row per group (per ``by`` level), reference first: ``by...``,
        ``group``, ``n`` (classified qualifiers), ``good``, ``rate``,
        ``rate_ci_low``, ``rate_ci_high`` (Wilson, or mid-p on small counts),
        ``rate_method`` (``"Wilson"`` or ``"mid-p"``), ``reference_n``,
        ``reference_good``, ``reference_rate``, ``gap_pp`` (reference rate minus
        group rate, percentage points: positive when the group is less likely
        to get good honours), ``ci_low``, ``ci_high`` (Newcombe hybrid score,
        pp), ``p_value`` (Pearson's chi-squared, or Fisher's exact mid-p on
        small counts), ``significant`` (the interval excludes zero, as OfS
        flags gaps; on small counts, the mid-p is under ``alpha``) and
        ``method`` (``"Newcombe"`` or ``"Newcombe, mid-p test"``).
        ``attrs["excluded"]`` counts the rows left out (unknown ethnicity,
        outside the denominator). Unrounded: show it with :func:`disclose_attainment`.

    Notes
    -----
    The rate interval is Wilson's score interval. The gap interval is
    Newcombe's (1998) method 10, which combines the two Wilson intervals:
    with ``p1`` the reference rate, ``(l1, u1)`` its interval and ``p2, l2, u2``
    the group's, the interval for ``p1 - p2`` is
    ``p1 - p2 - sqrt((p1-l1)^2 + (u2-p2)^2)`` to ``p1 - p2 + sqrt((u1-p1)^2 + (p2-l2)^2)``
    (``statsmodels.stats.proportion.confint_proportions_2indep(method="newcomb")``).

    Small counts: where a group has fewer than 5 with or without good honours,
    its rate interval is the exact binomial mid-p interval
    (:func:`~rmresearch.stats.exact.midp_interval`). Where the 2x2 table of a
    group and the reference has a count, observed or expected, under 5
    (:func:`~rmresearch.stats.exact.small_table`), the gap keeps Newcombe's
    interval (which holds its coverage in small groups) but ``p_value`` is
    Fisher's exact test with Lancaster's mid-p and decides ``significant``; a
    gap near the edge may then be significant by the test but not by the
    interval, or the other way round.

    References
    ----------
    Newcombe RG (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Statistics in Medicine 17, 873-890.

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({
    ...     "ethnicity_group": ["White"] * 80 + ["Black"] * 70,
    ...     "degree_class": ["2:1"] * 48 + ["2:2"] * 32 + ["First"] * 56 + ["Third"] * 14})
    >>> table = awarding_gap(students)
    >>> table[["ethnicity_group", "n", "good", "gap_pp", "ci_low", "ci_high"]].round(2)
      ethnicity_group   n  good  gap_pp  ci_low  ci_high
    0           White  80    48     NaN     NaN      NaN
    1           Black  70    56   -20.0  -33.39    -5.24
    """
    _check_frame(students, "awarding_gap")
    by = _as_list(by, "by")
    _require(students, [group] + by, "awarding_gap")
    y, why = _outcome(students, outcome, good, "awarding_gap")
    return _gap_table(
        students, y=y, not_in_denominator=why, group=group, reference=reference, by=by,
        alpha=_alpha(alpha), what="awarding_gap", outcome_label=outcome or "good honours",
    )


def gap_from_counts(
    table: pd.DataFrame,
    *,
    group: str = "ethnicity_group",
    n: str = "n",
    good: str = "good",
    reference: str = "White",
    by: str | Sequence[str] | None = None,
    alpha: float = 0.05,
    outcome: str = "good honours",
) -> pd.DataFrame:
    """:func:`awarding_gap` from aggregate counts, as published tables give them.

    ``table`` has one row per group (and ``by`` level) with the number of
    qualifiers with a classified degree (``n``) and the number with good honours
    (``good``); rows for the same group and level are added up. Returns the same
    columns as :func:`awarding_gap`.

    Examples
    --------
    Good honours by ethnicity from published counts (hypothetical figures; the interval
    checks by hand: Wilson limits 0.7744, 0.8233 and 0.6226, 0.7141 give 7.87 to 18.31 pp):

    >>> published = pd.DataFrame({"ethnicity_group": ["White", "BAME"], "n": [1000, 400], "good": [800, 268]})
    >>> gap_from_counts(published)[["ethnicity_group", "rate", "gap_pp", "ci_low", "ci_high"]].round(2)
      ethnicity_group  rate  gap_pp  ci_low  ci_high
    0           White  0.80     NaN     NaN      NaN
    1            BAME  0.67    13.0    7.87    18.31
    """
    _check_frame(table, "gap_from_counts")
    by = _as_list(by, "by")
    _require(table, [group, n, good] + by, "gap_from_counts")
    counts = {}
    for column in (n, good):
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna() | (values < 0) | (values % 1 != 0)
        if bad.any():
            rows = [int(i) + 2 for i in np.flatnonzero(bad.to_numpy())[:8]]
            raise AnalysisError(
                f"gap_from_counts: column {column!r} must hold whole, non-negative counts; see rows "
                f"{', '.join(map(str, rows))} (counting the header as row 1). Suppressed cells ('..', '*') cannot be "
                "used: drop those rows or ask for unsuppressed figures."
            )
        counts[column] = values.astype(np.int64)
    over = counts[good] > counts[n]
    if over.any():
        rows = [int(i) + 2 for i in np.flatnonzero(over.to_numpy())[:8]]
        raise AnalysisError(f"gap_from_counts: {good!r} exceeds {n!r} on rows {', '.join(map(str, rows))}; "
                         "check that the columns are not swapped.")
    frame = table[by + [group]].copy()
    frame[group] = frame[group].astype(str)
    frame["n"], frame["good"] = counts[n].to_numpy(), counts[good].to_numpy()
    present = set(frame[group])
    if reference not in present:
        raise AnalysisError(f"gap_from_counts: reference group {reference!r} is not in column {group!r}; "
                         f"groups present: {', '.join(sorted(present))}.")
    summed = frame.groupby(by + [group], sort=True, observed=True)[["n", "good"]].sum().reset_index()
    summed = summed.loc[summed["n"] > 0].reset_index(drop=True)
    return _gaps_from_rate_table(summed, group=group, reference=reference, by=by, alpha=_alpha(alpha),
                                 excluded={}, outcome_label=outcome)


def gap_trend(
    students: pd.DataFrame,
    *,
    group: str = "ethnicity_group",
    reference: str = "White",
    year: str = "qualification_year",
    alpha: float = 0.05,
    good: Sequence[str] = DEFAULT_GOOD_HONOURS,
) -> pd.DataFrame:
    """The awarding gap by year: :func:`awarding_gap` with ``by=year``.

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({"ethnicity_group": ["White", "Black"] * 4,
    ...     "qualification_year": [2021] * 4 + [2022] * 4,
    ...     "degree_class": ["First", "2:2", "2:1", "2:1", "First", "2:1", "2:1", "2:1"]})
    >>> gap_trend(students)[["qualification_year", "ethnicity_group", "gap_pp"]]
       qualification_year ethnicity_group  gap_pp
    0                2021           White     NaN
    1                2021           Black    50.0
    2                2022           White     NaN
    3                2022           Black     0.0
    """
    return awarding_gap(students, group=group, reference=reference, by=year, alpha=alpha, good=good)


def continuation_rates(
    students: pd.DataFrame,
    *,
    group: str = "ethnicity_group",
    reference: str = "White",
    by: str | Sequence[str] | None = None,
    outcome: str = "continued",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Continuation rates (into the second year) by group, with Wilson and Newcombe intervals.

    Same columns as :func:`awarding_gap` (``good`` counts students who
    continued, ``gap_pp`` is the reference rate minus the group's). Students
    without a value in ``outcome`` are excluded and counted in ``attrs["excluded"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({"ethnicity_group": ["White"] * 4 + ["Black"] * 4,
    ...                          "continued": [True, True, True, False, True, False, False, None]})
    >>> continuation_rates(students)[["ethnicity_group", "n", "good", "rate", "gap_pp"]].round(3)
      ethnicity_group  n  good   rate  gap_pp
    0           White  4     3  0.750     NaN
    1           Black  3     1  0.333  41.667
    """
    _check_frame(students, "continuation_rates")
    by = _as_list(by, "by")
    _require(students, [group, outcome] + by, "continuation_rates")
    y, why = _outcome(students, outcome, DEFAULT_GOOD_HONOURS, "continuation_rates")
    return _gap_table(students, y=y, not_in_denominator=why, group=group, reference=reference, by=by,
                      alpha=_alpha(alpha), what="continuation_rates", outcome_label=outcome)


def completion_rates(
    students: pd.DataFrame,
    *,
    group: str = "ethnicity_group",
    reference: str = "White",
    by: str | Sequence[str] | None = None,
    outcome: str = "completed",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Completion rates by group, with intervals (:func:`continuation_rates` on ``completed``).

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({"ethnicity_group": ["White", "White", "Asian", "Asian"],
    ...                          "completed": [True, True, True, False]})
    >>> completion_rates(students)["gap_pp"].tolist()
    [nan, 50.0]
    """
    return continuation_rates(students, group=group, reference=reference, by=by, outcome=outcome, alpha=alpha)
