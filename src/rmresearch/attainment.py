"""Student awarding gaps: rates, intervals, adjusted gaps, value added, decompositions.

The awarding gap is the difference, in percentage points, between the share of
the reference group (White, by default) and the share of another group who are
awarded good honours (a First or a 2:1 among classified first degrees). This
module answers the questions an evaluator of a mentoring scheme is asked:

- :func:`awarding_gap` and :func:`gap_trend`: how large is the gap, by group and
  year, with Wilson intervals for each rate and Newcombe's hybrid score interval
  (Newcombe 1998, method 10) for each gap; :func:`plot_gap_trend` draws the trend;
- :func:`adjusted_gap`: how much remains once entry tariff, age, sex, disability,
  deprivation and faculty are taken into account (logistic regression, average
  marginal effects with delta-method intervals: the "unexplained" gap);
- :func:`value_added`: Kingston-style observed / expected good-honours rates,
  the expectation coming from entry tariff band x subject;
- :func:`oaxaca_blinder` (linear probability model, statsmodels'
  ``OaxacaBlinder``) and :func:`fairlie` (Fairlie's non-linear decomposition of
  the logit): how much of the gap do differences in characteristics explain;
- :func:`mentored_comparison` and :func:`gap_difference_in_differences`: do
  mentored students differ from matched students who were not mentored, and did
  the gap of the groups the scheme serves change after it started;
- :func:`continuation_rates` and :func:`completion_rates` by group.

Every function returns a tidy, UNROUNDED table; show it through
:func:`disclose_attainment` (which calls :func:`rmresearch.disclosure.disclose`
and also hides gaps, intervals and ratios that rest on a suppressed rate).
Rows whose ethnicity is unknown are excluded from comparisons and counted in
``result.attrs["excluded"]`` (see :func:`exclusions`), never dropped silently.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from .stats import wilson_interval
from .codes import (
    CLASSIFIED_DEGREE_CLASSES,
    DEFAULT_GOOD_HONOURS,
    DEGREE_CLASSES,
    UNKNOWN_GROUP,
    EthnicityMap,
    load_ethnicity_map,
)

__all__ = [
    "DEFAULT_COVARIATES",
    "DEFAULT_TARIFF_BANDS",
    "good_honours",
    "add_ethnicity_group",
    "tariff_band",
    "awarding_gap",
    "gap_from_counts",
    "gap_trend",
    "plot_gap_trend",
    "adjusted_gap",
    "value_added",
    "oaxaca_blinder",
    "fairlie",
    "mentored_comparison",
    "gap_difference_in_differences",
    "continuation_rates",
    "completion_rates",
    "exclusions",
    "disclose_attainment",
]

#: Covariates of the adjusted gap (columns of the students schema).
DEFAULT_COVARIATES = ("tariff", "age_on_entry", "sex", "disability", "imd_quintile", "faculty")
#: Lower edges of the entry tariff bands (UCAS points); students without a tariff get "No tariff".
DEFAULT_TARIFF_BANDS = (0, 80, 96, 112, 128, 144)

_ATTRS = "attainment"


# --------------------------------------------------------------------------- validation helpers


def _check_frame(students: Any, what: str) -> pd.DataFrame:
    if not isinstance(students, pd.DataFrame):
        raise ValueError(
            f"{what}: expected the students table as a pandas DataFrame (from load_table(config, 'students')), "
            f"not {type(students).__name__}."
        )
    return students


def _require(students: pd.DataFrame, columns: Iterable[str], what: str, hint: str = "") -> None:
    missing = [c for c in columns if c not in students.columns]
    if missing:
        have = ", ".join(map(str, students.columns[:25])) + (" ..." if len(students.columns) > 25 else "")
        raise ValueError(
            f"{what}: the students table has no column(s) {', '.join(map(repr, missing))}. "
            f"Columns present: {have}. {hint or 'Load the table with rmresearch.inputs.load_table, or rename the columns.'}"
        )


def _as_list(value: Any, what: str) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        return list(value)
    except TypeError:
        raise ValueError(f"{what} must be a column name or a list of column names, not {value!r}.") from None


def _excluded(**counts: int) -> dict[str, int]:
    return {k: int(v) for k, v in counts.items() if v}


def _attach(result: pd.DataFrame, *, excluded: dict[str, int], spec: dict[str, Any]) -> pd.DataFrame:
    result.attrs["excluded"] = dict(excluded)
    result.attrs[_ATTRS] = spec
    return result


def _known_group(values: pd.Series) -> np.ndarray:
    """Rows whose group is known (not missing, not 'Unknown')."""
    return (values.notna() & (values != UNKNOWN_GROUP)).to_numpy(dtype=bool, na_value=False)


def _alpha(alpha: float) -> float:
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise ValueError(f"alpha must be between 0 and 1 (0.05 gives 95% intervals), not {alpha!r}.")
    return float(alpha)


# --------------------------------------------------------------------------- outcomes and groups


def good_honours(
    students: pd.DataFrame,
    *,
    good: Sequence[str] = DEFAULT_GOOD_HONOURS,
    classified: Sequence[str] = CLASSIFIED_DEGREE_CLASSES,
    column: str = "degree_class",
) -> pd.Series:
    """Whether each student was awarded good honours, among classified degrees.

    Parameters
    ----------
    students : pandas.DataFrame
        Student records with a ``degree_class`` column of canonical classes
        (``First``, ``2:1``, ``2:2``, ``Third``, ``Pass``, ``Unclassified``; empty
        when not qualified), as :func:`rmresearch.inputs.load_table` gives them.
    good : sequence of str, default ("First", "2:1")
        Classes that count as good honours (``config.good_honours``).
    classified : sequence of str, default ("First", "2:1", "2:2", "Third")
        Classes in the denominator. Pass and Unclassified degrees are not
        classified honours and are excluded, as OfS and HESA do.
    column : str, default "degree_class"

    Returns
    -------
    pandas.Series of dtype "boolean"
        True (good honours), False (another classified degree) or ``<NA>``
        (not qualified, Pass or Unclassified: outside the denominator).

    Raises
    ------
    ValueError
        If the column is missing, ``good`` is not a subset of ``classified``, or a
        value is not a known degree class (the values and their rows are listed).

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({"degree_class": ["First", "2:2", "Pass", None, "2:1"]})
    >>> good_honours(students).tolist()
    [True, False, <NA>, <NA>, True]
    >>> good_honours(students, good=["First"]).tolist()
    [True, False, <NA>, <NA>, False]
    """
    _check_frame(students, "good_honours")
    _require(students, [column], "good_honours")
    good, classified = list(good), list(classified)
    unknown_config = [g for g in set(good) | set(classified) if g not in DEGREE_CLASSES]
    if unknown_config:
        raise ValueError(
            f"good_honours: {', '.join(map(repr, sorted(unknown_config)))} is not a degree class; "
            f"use the canonical names {', '.join(DEGREE_CLASSES)}."
        )
    if not good or not set(good) <= set(classified):
        raise ValueError(
            f"good_honours: good={good!r} must be a non-empty subset of the classified classes {classified!r} "
            "(good honours are a share of classified degrees)."
        )
    values = students[column]
    present = values.notna().to_numpy()
    bad = present & ~values.isin(DEGREE_CLASSES).to_numpy()
    if bad.any():
        rows = np.flatnonzero(bad)
        shown = ", ".join(f"row {students.index[i]!r} ({values.iloc[i]!r})" for i in rows[:8])
        raise ValueError(
            f"good_honours: {len(rows)} value(s) in {column!r} are not degree classes ({', '.join(DEGREE_CLASSES)}): "
            f"{shown}{' ...' if len(rows) > 8 else ''}. Read the table with load_table, which normalises spellings "
            "such as 'Upper Second' and reports unknown ones with their file rows."
        )
    out = pd.Series(pd.NA, index=students.index, dtype="boolean", name="good_honours")
    in_denominator = values.isin(classified).to_numpy()
    out[in_denominator] = values[in_denominator].isin(good).to_numpy()
    return out


def add_ethnicity_group(
    students: pd.DataFrame,
    *,
    grouping: str = "aggregate",
    column: str | None = None,
    ethnicity_map: EthnicityMap | None = None,
) -> pd.DataFrame:
    """A copy of the table with a group column derived from ``ethnicity_code``.

    ``load_table`` already derives ``ethnicity_group`` with the cohort's
    grouping (the OfS groups by default). Use this for a second grouping from
    the same configurable mapping table, e.g. the aggregate BAME / global
    majority group (``config.aggregate_group`` names it).

    Parameters
    ----------
    students : pandas.DataFrame
        With an ``ethnicity_code`` column of canonical codes.
    grouping : str, default "aggregate"
        A column of the mapping table (``ofs_group``, ``aggregate`` ...).
    column : str, optional
        Name of the new column; default ``ethnicity_<grouping>``.
    ethnicity_map : EthnicityMap, optional
        Default: the built-in HESA table (pass ``config.ethnicity_map()``).

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({"ethnicity_code": ["10", "22", "34", "90"]})
    >>> add_ethnicity_group(students)["ethnicity_aggregate"].tolist()
    ['White', 'BAME', 'BAME', 'Unknown']
    """
    _check_frame(students, "add_ethnicity_group")
    _require(students, ["ethnicity_code"], "add_ethnicity_group")
    emap = ethnicity_map or load_ethnicity_map()
    codes = emap.normalise(students["ethnicity_code"])
    unknown = codes.isna() & students["ethnicity_code"].notna()
    if unknown.any():
        values = sorted({str(v) for v in students.loc[unknown, "ethnicity_code"]})
        rows = students.index[unknown.to_numpy()].tolist()
        raise ValueError(
            f"add_ethnicity_group: {int(unknown.sum())} ethnicity code(s) are not in the {emap.source}: "
            f"{', '.join(map(repr, values[:15]))} (rows {', '.join(map(repr, rows[:8]))}{' ...' if len(rows) > 8 else ''}). "
            "Add them to the mapping table if they are valid."
        )
    out = students.copy()
    out[column or f"ethnicity_{grouping}"] = emap.group(codes, grouping).to_numpy()
    return out


def tariff_band(tariff: pd.Series | Sequence[float], *, bands: Sequence[float] = DEFAULT_TARIFF_BANDS) -> pd.Series:
    """Entry tariff bands (UCAS points) as an ordered categorical.

    Parameters
    ----------
    tariff : Series or sequence of numbers
        UCAS tariff points; missing values become ``"No tariff"`` (students
        entering with qualifications outside the tariff are a group of their own).
    bands : sequence of numbers
        Increasing lower edges; the last band is open-ended.

    Examples
    --------
    >>> tariff_band([40, 96, 150, None]).tolist()
    ['0-79', '96-111', '144+', 'No tariff']
    """
    edges = [float(b) for b in bands]
    if len(edges) < 1 or any(b2 <= b1 for b1, b2 in zip(edges, edges[1:])):
        raise ValueError(f"tariff_band: bands must be increasing lower edges, e.g. {DEFAULT_TARIFF_BANDS}; got {bands!r}.")
    values = pd.to_numeric(pd.Series(tariff), errors="coerce")
    index = values.index
    labels = [f"{int(lo)}-{int(hi) - 1}" for lo, hi in zip(edges, edges[1:])] + [f"{int(edges[-1])}+"]
    position = np.searchsorted(np.asarray(edges), values.to_numpy(dtype=float, na_value=np.nan), side="right") - 1
    out = np.array(labels + ["No tariff"], dtype=object)[np.where(values.isna().to_numpy() | (position < 0), len(labels), position)]
    return pd.Series(pd.Categorical(out, categories=labels + ["No tariff"], ordered=True), index=index, name="tariff_band")


# --------------------------------------------------------------------------- rates and gaps


def _outcome(
    students: pd.DataFrame, outcome: str | None, good: Sequence[str], what: str, *, numeric: bool = False
) -> tuple[pd.Series, str]:
    """The binary outcome (good honours unless ``outcome`` names a yes/no column)."""
    if outcome is None:
        return good_honours(students, good=good), "not a classified degree"
    _require(students, [outcome], what)
    values = students[outcome]
    if numeric and pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("Float64"), f"no value for {outcome}"
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean"), f"no value for {outcome}"
    numeric = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & ~numeric.isin([0, 1])
    if bad.any():
        shown = sorted({str(v) for v in values[bad]})[:10]
        raise ValueError(
            f"{what}: outcome column {outcome!r} must be yes/no (True/False or 1/0); found {', '.join(map(repr, shown))}."
        )
    return numeric.astype("Float64").astype("boolean"), f"no value for {outcome}"


def _rate_table(
    y: np.ndarray, grp: np.ndarray, keys: list[np.ndarray], key_names: list[str], group: str
) -> pd.DataFrame:
    frame = pd.DataFrame({**{k: v for k, v in zip(key_names, keys)}, group: grp, "_y": y})
    table = frame.groupby(key_names + [group], observed=True, sort=True)["_y"].agg(["size", "sum"])
    table = table.rename(columns={"size": "n", "sum": "good"}).reset_index()
    table["n"] = table["n"].astype(np.int64)
    table["good"] = table["good"].astype(np.int64)
    return table


def _newcombe(good_ref, n_ref, good, n, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe (1998) method 10 interval for p_ref - p (statsmodels ``newcomb``)."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    good_ref, n_ref, good, n = (np.asarray(v, dtype=float) for v in (good_ref, n_ref, good, n))
    low = np.full(good.shape, np.nan)
    high = np.full(good.shape, np.nan)
    ok = (n_ref > 0) & (n > 0)
    if ok.any():
        # statsmodels: interval for diff = p1 - p2 with p1 = count1 / nobs1, so the reference goes first.
        low[ok], high[ok] = confint_proportions_2indep(
            good_ref[ok], n_ref[ok], good[ok], n[ok], method="newcomb", compare="diff", alpha=alpha
        )
    return low, high


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
) -> pd.DataFrame:
    known = _known_group(students[group])
    has_y = y.notna().to_numpy()
    by_ok = np.ones(len(students), dtype=bool)
    for b in by:
        by_ok &= students[b].notna().to_numpy()
    keep = known & has_y & by_ok
    excluded = _excluded(
        unknown_ethnicity=int((~known & has_y & by_ok).sum()),
        **{not_in_denominator.replace(" ", "_"): int((~has_y).sum())},
        **{f"missing_{b}": int((students[b].isna() & y.notna()).sum()) for b in by},
    )
    if not keep.any():
        raise ValueError(
            f"{what}: no students with a known {group} and an outcome ({outcome_label}) are left "
            f"(excluded: {excluded or 'none'}). Check the {group} and outcome columns."
        )
    groups_present = set(students.loc[keep, group].astype(str))
    if reference not in groups_present:
        raise ValueError(
            f"{what}: reference group {reference!r} has no students with an outcome in column {group!r}; "
            f"groups present: {', '.join(sorted(groups_present))}. Pass reference= one of these "
            "(config.reference_group), or check the ethnicity grouping."
        )
    keys = [students.loc[keep, b].to_numpy() for b in by]
    table = _rate_table(
        y[keep].to_numpy(dtype=bool), students.loc[keep, group].astype(str).to_numpy(), keys, by, group
    )
    return _gaps_from_rate_table(table, group=group, reference=reference, by=by, alpha=alpha,
                                 excluded=excluded, outcome_label=outcome_label)


def _gaps_from_rate_table(
    table: pd.DataFrame, *, group: str, reference: str, by: list[str], alpha: float, excluded: dict[str, int],
    outcome_label: str,
) -> pd.DataFrame:
    """Rates, intervals and gaps from a table of ``by + [group, n, good]`` counts."""
    ref = table.loc[table[group] == reference, by + ["n", "good"]].rename(columns={"n": "n_reference", "good": "good_reference"})
    table = table.merge(ref, on=by, how="left") if by else table.assign(
        n_reference=int(ref["n_reference"].iloc[0]), good_reference=int(ref["good_reference"].iloc[0])
    )
    table["n_reference"] = table["n_reference"].fillna(0).astype(np.int64)
    table["good_reference"] = table["good_reference"].fillna(0).astype(np.int64)
    table["rate"] = table["good"] / table["n"]
    table["rate_ci_low"], table["rate_ci_high"] = wilson_interval(table["good"], table["n"], alpha)
    table["rate_reference"] = table["good_reference"] / table["n_reference"].where(table["n_reference"] > 0)
    is_ref = (table[group] == reference).to_numpy()
    low, high = _newcombe(table["good_reference"], table["n_reference"], table["good"], table["n"], alpha)
    table["gap_pp"] = 100 * (table["rate_reference"] - table["rate"])
    table["ci_low"] = 100 * low
    table["ci_high"] = 100 * high
    table.loc[is_ref, ["gap_pp", "ci_low", "ci_high"]] = np.nan
    table["significant"] = ((table["ci_low"] > 0) | (table["ci_high"] < 0)).astype(bool)
    # order: reference first, then the other groups alphabetically, within each `by` level
    table["_order"] = np.where(is_ref, 0, 1)
    table = table.sort_values(by + ["_order", group], kind="stable").drop(columns="_order").reset_index(drop=True)
    columns = by + [group, "n", "good", "rate", "rate_ci_low", "rate_ci_high", "n_reference", "good_reference",
                    "rate_reference", "gap_pp", "ci_low", "ci_high", "significant"]
    table = table[columns]
    spec = {
        "kind": "gap",
        "counts": ["n", "good", "n_reference", "good_reference"],
        "rates": {"rate": ("n", "good"), "rate_ci_low": ("n", "good"), "rate_ci_high": ("n", "good"),
                  "rate_reference": ("n_reference", "good_reference")},
        "derived": {c: [("n", "good"), ("n_reference", "good_reference")] for c in ("gap_pp", "ci_low", "ci_high", "significant")},
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
        ``rate_ci_low``, ``rate_ci_high`` (Wilson), ``n_reference``,
        ``good_reference``, ``rate_reference``, ``gap_pp`` (reference rate minus
        group rate, percentage points: positive when the group is less likely
        to get good honours), ``ci_low``, ``ci_high`` (Newcombe hybrid score,
        pp) and ``significant`` (the interval excludes zero, as OfS flags gaps).
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
            raise ValueError(
                f"gap_from_counts: column {column!r} must hold whole, non-negative counts; see rows "
                f"{', '.join(map(str, rows))} (counting the header as row 1). Suppressed cells ('..', '*') cannot be "
                "used: drop those rows or ask for unsuppressed figures."
            )
        counts[column] = values.astype(np.int64)
    over = counts[good] > counts[n]
    if over.any():
        rows = [int(i) + 2 for i in np.flatnonzero(over.to_numpy())[:8]]
        raise ValueError(f"gap_from_counts: {good!r} exceeds {n!r} on rows {', '.join(map(str, rows))}; "
                         "check that the columns are not swapped.")
    frame = table[by + [group]].copy()
    frame[group] = frame[group].astype(str)
    frame["n"], frame["good"] = counts[n].to_numpy(), counts[good].to_numpy()
    present = set(frame[group])
    if reference not in present:
        raise ValueError(f"gap_from_counts: reference group {reference!r} is not in column {group!r}; "
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


def _academic_year(year: Any) -> str:
    try:
        y = int(year)
    except (TypeError, ValueError):
        return str(year)
    return f"{y}-{(y + 1) % 100:02d}"


def plot_gap_trend(
    trend: pd.DataFrame,
    *,
    groups: Sequence[str] | None = None,
    rules: Any = None,
    title: str | None = None,
    ax: Any = None,
):
    """Draw the awarding gap over years with its intervals, from disclosable numbers only.

    Points whose group or reference rate would be suppressed by the disclosure
    rules (fewer than 22.5 students by default) are not drawn: a figure must not
    show what a table would hide.

    Parameters
    ----------
    trend : pandas.DataFrame
        The output of :func:`gap_trend` (unrounded).
    groups : sequence of str, optional
        Groups to draw; default all but the reference.
    rules : DisclosureRules, optional
        ``config.disclosure``.
    title : str, optional
        Default: a title stating the change in the gap.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from . import plots
    from .disclosure import suppress_rate

    spec = trend.attrs.get(_ATTRS, {})
    if spec.get("kind") != "gap" or len(spec.get("by", [])) != 1:
        raise ValueError("plot_gap_trend needs the table returned by gap_trend (awarding_gap with one `by` column, the year).")
    group, year, reference = spec["group"], spec["by"][0], spec["reference"]
    shown = trend.loc[trend[group] != reference].copy()
    hidden = pd.Series(False, index=shown.index)
    for den, num in (("n", "good"), ("n_reference", "good_reference")):
        marked = suppress_rate(shown["gap_pp"], shown[den], numerator=shown[num], rules=rules)
        hidden |= marked.map(lambda v: isinstance(v, str))
    shown = shown.loc[~hidden]
    if groups is not None:
        shown = shown.loc[shown[group].isin(list(groups))]
    if ax is None:
        fig, ax = plots.new_figure()
    else:
        fig = ax.figure
    names = list(dict.fromkeys(shown[group]))
    colours = plots.group_colours(names)
    years = sorted(trend[year].dropna().unique())
    position = {y: i for i, y in enumerate(years)}
    offsets = np.linspace(-0.12, 0.12, max(len(names), 1)) if len(names) > 1 else [0.0]
    for offset, name in zip(offsets, names):
        rows = shown.loc[shown[group] == name]
        x = np.array([position[y] for y in rows[year]]) + offset
        est = rows["gap_pp"].to_numpy(float)
        err = np.vstack([est - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - est])
        ax.errorbar(x, est, yerr=err, marker="o", capsize=3, color=colours[name], label=name, linewidth=1.5)
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set_xticks(range(len(years)), [_academic_year(y) for y in years])
    ax.set_xlabel("Year of qualification")
    ax.set_ylabel(f"Gap to {reference} students (percentage points)")
    if names:
        ax.legend(title="Group", loc="best")
    if title is None:
        title = _trend_title(shown, group, year, reference, names)
    ax.set_title(title)
    return fig


def _trend_title(shown: pd.DataFrame, group: str, year: str, reference: str, names: list[str]) -> str:
    if not names:
        return "No group is large enough to show its awarding gap"
    if len(names) == 1:
        rows = shown.loc[shown[group] == names[0]].sort_values(year)
        first, last = rows.iloc[0], rows.iloc[-1]
        if len(rows) == 1 or first[year] == last[year]:
            return f"The {names[0]} awarding gap was {first['gap_pp']:.1f} pp in {_academic_year(first[year])}"
        span = f"{first['gap_pp']:.1f} pp in {_academic_year(first[year])}, {last['gap_pp']:.1f} pp in {_academic_year(last[year])}"
        # Only call it a change when the two years' intervals do not overlap: a title states a finding.
        apart = last["ci_high"] < first["ci_low"] or last["ci_low"] > first["ci_high"]
        if not apart:
            return f"No clear change in the {names[0]} awarding gap: {span}"
        verb = "narrowed" if last["gap_pp"] < first["gap_pp"] else "widened"
        return f"The {names[0]} awarding gap {verb}: {span}"
    latest = shown.loc[shown[year] == shown[year].max()].sort_values("gap_pp", ascending=False)
    top = latest.iloc[0]
    return (f"Gaps to {reference} students persist; largest in {_academic_year(top[year])}: "
            f"{top[group]} ({top['gap_pp']:.1f} pp)")


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


# --------------------------------------------------------------------------- design matrices and logit


@dataclass
class _Design:
    X: np.ndarray  # float64, constant first
    names: list[str]
    blocks: dict[str, list[int]]  # covariate -> its columns
    keep: np.ndarray  # rows of the input used
    levels: dict[str, list]  # categorical covariate -> levels (base first)


def _categorical_codes(values: pd.Series, base: Any = None) -> tuple[np.ndarray, list]:
    codes, uniques = pd.factorize(values, sort=True)
    levels = list(uniques)
    if base is not None:
        if base not in levels:
            raise ValueError(f"level {base!r} not found; levels: {levels}")
        b = levels.index(base)
    else:
        counts = np.bincount(codes[codes >= 0], minlength=len(levels))
        b = int(np.argmax(counts))  # the most common level is the base: stable estimates
    order = [b] + [i for i in range(len(levels)) if i != b]
    remap = np.empty(len(levels), dtype=np.int64)
    remap[order] = np.arange(len(levels))
    return np.where(codes >= 0, remap[np.maximum(codes, 0)], -1), [levels[i] for i in order]


def _build_design(
    frame: pd.DataFrame,
    covariates: Sequence[str],
    categorical: Iterable[str],
    *,
    keep: np.ndarray,
    what: str,
    bases: Mapping[str, Any] | None = None,
) -> _Design:
    """Constant + numeric covariates + dummies (base level dropped), built with numpy."""
    categorical = set(categorical)
    bases = dict(bases or {})
    columns: list[tuple[str, Any]] = []  # (block, array or (codes, j))
    names = ["const"]
    blocks: dict[str, list[int]] = {}
    levels_out: dict[str, list] = {}
    keep = keep.copy()
    parsed = {}
    for cov in covariates:
        s = frame[cov]
        keep &= s.notna().to_numpy()
        is_cat = cov in categorical or not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)
        parsed[cov] = is_cat
    n = int(keep.sum())
    if n == 0:
        raise ValueError(f"{what}: no students have values for all of {', '.join(covariates)}.")
    width = 1
    codes_by_cov = {}
    for cov in covariates:
        s = frame[cov][keep]
        if parsed[cov]:
            codes, levels = _categorical_codes(s, bases.get(cov))
            codes_by_cov[cov] = codes
            levels_out[cov] = levels
            blocks[cov] = list(range(width, width + len(levels) - 1))
            names += [f"{cov}[{lv}]" for lv in levels[1:]]
            width += len(levels) - 1
        else:
            blocks[cov] = [width]
            names.append(cov)
            width += 1
    X = np.empty((n, width), dtype=np.float64)
    X[:, 0] = 1.0
    for cov in covariates:
        cols = blocks[cov]
        if parsed[cov]:
            codes = codes_by_cov[cov]
            X[:, cols] = 0.0
            for j, col in enumerate(cols, start=1):
                X[:, col] = codes == j
        else:
            X[:, cols[0]] = frame[cov][keep].to_numpy(dtype=np.float64, na_value=np.nan)
    return _Design(X=X, names=names, blocks=blocks, keep=keep, levels=levels_out)


_LOGIT_CLASS = None


def _logit_class():
    """statsmodels ``Logit`` with memory-light, chunked likelihood derivatives.

    The maths is statsmodels' (same model, Newton's method, same results
    object); only the arithmetic is arranged for millions of rows: the linear
    predictor is computed once per parameter vector, the Hessian is accumulated
    in chunks (``X' W X`` without an n x k temporary) and the rank check is done
    on ``X' X`` instead of a QR decomposition of the data.
    """
    global _LOGIT_CLASS
    if _LOGIT_CLASS is not None:
        return _LOGIT_CLASS
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    class ChunkedLogit(sm.Logit):
        chunk = 1 << 18

        def _linear(self, params):
            params = np.asarray(params, dtype=np.float64)
            key = params.tobytes()
            if getattr(self, "_eta_key", None) != key:
                self._eta = self.exog @ params
                self._p = special.expit(self._eta)
                self._eta_key = key
            return self._eta, self._p

        def loglike(self, params):
            eta, _ = self._linear(params)
            return float(-np.logaddexp(0.0, np.where(self.endog > 0, -eta, eta)).sum())

        def score(self, params):
            _, p = self._linear(params)
            return (self.endog - p) @ self.exog

        def hessian(self, params):
            _, p = self._linear(params)
            w = p * (1.0 - p)
            X = self.exog
            k = X.shape[1]
            H = np.zeros((k, k))
            for start in range(0, X.shape[0], self.chunk):
                Xc = X[start:start + self.chunk]
                H -= Xc.T @ (Xc * w[start:start + self.chunk, None])
            return H

        def _check_perfect_pred(self, params, *args):
            _, p = self._linear(params)
            if np.all(np.abs(p - self.endog) < 1e-8):
                warnings.warn("Perfect separation or prediction detected", PerfectSeparationWarning, stacklevel=2)

    _LOGIT_CLASS = ChunkedLogit
    return ChunkedLogit


def _fit_logit(y: np.ndarray, X: np.ndarray, what: str, names: list[str]):
    """statsmodels ``Logit`` by Newton's method on a numpy design (no formula parsing, no copies of the frame)."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    zero_cols = [names[j] for j in range(1, X.shape[1]) if not X[:, j].any()]
    if zero_cols:
        raise ValueError(f"{what}: column(s) {', '.join(zero_cols)} have no students; drop the level or covariate.")
    if y.all() or not y.any():
        raise ValueError(f"{what}: every student has the same outcome ({bool(y[0])}), so no model can be fitted.")
    xtx = np.zeros((X.shape[1], X.shape[1]))
    for start in range(0, X.shape[0], 1 << 18):
        Xc = X[start:start + (1 << 18)]
        xtx += Xc.T @ Xc
    if np.linalg.matrix_rank(xtx) < X.shape[1]:
        raise ValueError(
            f"{what}: the covariates are collinear (e.g. a faculty that only one group attends, or a covariate "
            f"that is a combination of others: terms {', '.join(names)}); drop or merge covariates."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            model = _logit_class()(y.astype(np.float64), X, check_rank=False)
            result = model.fit(method="newton", disp=False, maxiter=100)
        except (PerfectSeparationWarning, np.linalg.LinAlgError) as exc:
            raise ValueError(
                f"{what}: the logistic regression cannot be estimated ({exc}). A covariate level or a group may "
                "predict the outcome perfectly (e.g. every student in it has good honours), or covariates are "
                "collinear: merge small levels (faculties, bands) or drop a covariate."
            ) from None
    if not result.mle_retvals.get("converged", True) or not np.all(np.isfinite(result.params)):
        raise ValueError(f"{what}: the logistic regression did not converge; merge small levels or drop a covariate.")
    return result


def _group_ames(X: np.ndarray, beta: np.ndarray, cov: np.ndarray, group_cols: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Average marginal effects of each group dummy (vs the base group) and delta-method SEs.

    For group g the AME is mean_i [F(x_i^(g) b) - F(x_i^(0) b)], where x_i^(g) is
    student i's row with the group dummies set to group g (all zero for the base
    group). Returns (ame, se, mean p under base, mean p under each group).
    """
    eta = X @ beta
    eta_base = eta - X[:, group_cols] @ beta[group_cols]
    other = np.setdiff1d(np.arange(X.shape[1]), group_cols)
    p0 = special.expit(eta_base)
    d0 = p0 * (1 - p0)
    n = X.shape[0]
    g0 = (d0 @ X)[other] / n
    ames, ses, pg_means = [], [], []
    for col in group_cols:
        pg = special.expit(eta_base + beta[col])
        dg = pg * (1 - pg)
        grad = np.zeros(X.shape[1])
        grad[other] = (dg @ X)[other] / n - g0
        grad[col] = dg.mean()
        ames.append(pg.mean() - p0.mean())
        ses.append(math.sqrt(max(grad @ cov @ grad, 0.0)))
        pg_means.append(pg.mean())
    return np.array(ames), np.array(ses), p0.mean(), np.array(pg_means)


def _prepare_model_sample(
    students: pd.DataFrame,
    *,
    group: str,
    covariates: Sequence[str],
    outcome: str | None,
    good: Sequence[str],
    what: str,
    groups: Sequence[str] | None = None,
    numeric: bool = False,
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    _require(students, [group] + list(covariates), what)
    y, why = _outcome(students, outcome, good, what, numeric=numeric)
    has_y = y.notna().to_numpy()
    known = _known_group(students[group])
    in_groups = np.ones(len(students), dtype=bool) if groups is None else students[group].isin(list(groups)).to_numpy()
    complete = np.ones(len(students), dtype=bool)
    for cov in covariates:
        complete &= students[cov].notna().to_numpy()
    keep = has_y & known & in_groups & complete
    excluded = _excluded(
        **{why.replace(" ", "_"): int((~has_y).sum())},
        unknown_ethnicity=int((has_y & ~known).sum()),
        missing_covariates=int((has_y & known & in_groups & ~complete).sum()),
    )
    return (y.to_numpy(dtype=float, na_value=np.nan) if numeric else y.to_numpy(dtype=bool, na_value=False)), keep, excluded


def adjusted_gap(
    students: pd.DataFrame,
    *,
    group: str = "ethnicity_group",
    reference: str = "White",
    covariates: Sequence[str] = DEFAULT_COVARIATES,
    categorical: Iterable[str] = ("imd_quintile",),
    alpha: float = 0.05,
    good: Sequence[str] = DEFAULT_GOOD_HONOURS,
    outcome: str | None = None,
) -> pd.DataFrame:
    """The gap left once entry qualifications and other characteristics are accounted for.

    Fits a logistic regression of good honours on group dummies (reference
    group as base) and the covariates, and reports each group's average
    marginal effect (AME) with a delta-method interval, as a gap in percentage
    points (the "unexplained" gap), next to the raw gap in the same students.

    Parameters
    ----------
    students : pandas.DataFrame
    group, reference : str
        Group column and reference group.
    covariates : sequence of str, default tariff, age_on_entry, sex, disability, imd_quintile, faculty
        Numeric columns enter linearly; text, yes/no columns and those named in
        ``categorical`` as dummies (the most common level is the base).
    categorical : iterable of str, default ("imd_quintile",)
        Numeric columns to treat as categories.
    alpha : float, default 0.05
    good : sequence of str
        Classes counted as good honours.
    outcome : str, optional
        A yes/no column to model instead of good honours.

    Returns
    -------
    pandas.DataFrame
        One row per group other than the reference: ``group``, ``n``, ``good``,
        ``n_reference``, ``good_reference``, ``raw_gap_pp`` (observed rates in
        the modelled students), ``adjusted_gap_pp`` (minus the AME x 100: mean
        predicted rate of all modelled students as reference-group members minus
        as members of the group), ``se_pp``, ``ci_low``, ``ci_high``, ``p_value``,
        ``significant``, ``explained_pp`` (raw minus adjusted). Students with a
        missing covariate are excluded and counted in ``attrs["excluded"]``;
        ``attrs["model"]`` holds the coefficients.

    Notes
    -----
    The model is statsmodels ``Logit`` fitted by Newton's method on a design
    matrix built with numpy (the formula API copies the data several times and
    is slow at sector scale). For group g with dummy coefficient b_g the AME is
    ``mean_i[F(x_i b with group g) - F(x_i b with the reference group)]`` over all
    modelled students; its gradient is
    ``mean_i[f(eta_ig) x_ig - f(eta_i0) x_i0]`` and ``se = sqrt(grad' V grad)``.
    With one group besides the reference this equals statsmodels'
    ``get_margeff(at="overall", dummy=True)``. The adjusted gap depends on the
    covariates chosen; it is not a causal effect of ethnicity.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> n = 4000
    >>> students = pd.DataFrame({"ethnicity_group": rng.choice(["White", "Black"], n),
    ...                          "tariff": rng.normal(120, 20, n)})
    >>> logit = -4 + 0.04 * students["tariff"] - 0.5 * (students["ethnicity_group"] == "Black")
    >>> good = rng.random(n) < 1 / (1 + np.exp(-logit))
    >>> students["degree_class"] = np.where(good, "2:1", "2:2")
    >>> table = adjusted_gap(students, covariates=["tariff"], categorical=())
    >>> bool(table.loc[0, "ci_low"] < table.loc[0, "adjusted_gap_pp"] < table.loc[0, "ci_high"])
    True
    """
    _check_frame(students, "adjusted_gap")
    alpha = _alpha(alpha)
    covariates = _as_list(covariates, "covariates")
    if group in covariates:
        raise ValueError(f"adjusted_gap: {group!r} is the group column; do not list it among the covariates.")
    y_all, keep, excluded = _prepare_model_sample(
        students, group=group, covariates=covariates, outcome=outcome, good=good, what="adjusted_gap"
    )
    if not keep.any():
        raise ValueError(f"adjusted_gap: no students left to model (excluded: {excluded}).")
    grp = students[group]
    if not (grp[keep] == reference).any():
        raise ValueError(
            f"adjusted_gap: no students of the reference group {reference!r} in column {group!r} with an outcome "
            f"and all covariates; groups present: {', '.join(sorted(set(grp[keep].dropna())))}."
        )
    design = _build_design(
        students, [group] + covariates, set(_as_list(categorical, "categorical")) | {group},
        keep=keep, what="adjusted_gap", bases={group: reference},
    )
    y = y_all[design.keep]
    result = _fit_logit(y, design.X, "adjusted_gap", design.names)
    beta = np.asarray(result.params)
    cov = np.asarray(result.cov_params())
    group_cols = design.blocks[group]
    ames, ses, _, _ = _group_ames(design.X, beta, cov, group_cols)
    z = stats.norm.isf(alpha / 2)
    levels = design.levels[group]
    g_values = grp[design.keep].to_numpy()
    ref_mask = g_values == reference
    n_ref, good_ref = int(ref_mask.sum()), int(y[ref_mask].sum())
    rows = []
    for level, ame, se in zip(levels[1:], ames, ses):
        mask = g_values == level
        n_g, good_g = int(mask.sum()), int(y[mask].sum())
        raw = 100 * (good_ref / n_ref - good_g / n_g)
        adj = -100 * ame
        p_value = 2 * stats.norm.sf(abs(ame / se)) if se > 0 else np.nan
        rows.append({
            group: level, "n": n_g, "good": good_g, "n_reference": n_ref, "good_reference": good_ref,
            "raw_gap_pp": raw, "adjusted_gap_pp": adj, "se_pp": 100 * se,
            "ci_low": adj - z * 100 * se, "ci_high": adj + z * 100 * se, "p_value": p_value,
            "significant": bool(p_value < alpha), "explained_pp": raw - adj,
        })
    table = pd.DataFrame(rows)
    derived = [("n", "good"), ("n_reference", "good_reference")]
    spec = {
        "kind": "adjusted", "counts": ["n", "good", "n_reference", "good_reference"], "rates": {},
        "derived": {c: derived for c in ("raw_gap_pp", "adjusted_gap_pp", "se_pp", "ci_low", "ci_high", "p_value",
                                          "significant", "explained_pp")},
        "group": group, "reference": reference, "covariates": covariates, "alpha": alpha,
    }
    table = _attach(table, excluded=excluded, spec=spec)
    table.attrs["model"] = {
        "coefficients": dict(zip(design.names, map(float, beta))),
        "std_errors": dict(zip(design.names, map(float, np.sqrt(np.diag(cov))))),
        "n": int(design.X.shape[0]),
        "log_likelihood": float(result.llf),
        "base_levels": {k: v[0] for k, v in design.levels.items()},
    }
    return table


# --------------------------------------------------------------------------- value added


def value_added(
    students: pd.DataFrame,
    *,
    group: str = "ethnicity_group",
    reference: str | None = "White",
    tariff: str = "tariff",
    subject: str = "subject",
    bands: Sequence[float] = DEFAULT_TARIFF_BANDS,
    baseline: pd.Series | np.ndarray | None = None,
    alpha: float = 0.05,
    good: Sequence[str] = DEFAULT_GOOD_HONOURS,
) -> pd.DataFrame:
    """Kingston-style value added: observed good-honours rate / rate expected from entry tariff x subject.

    Each student's expected probability of good honours is the good-honours
    rate of baseline students in the same tariff band and subject; summed over a
    group it gives the expected number; value added (VA) = observed / expected.
    A VA of 1 means the group does as well as students with the same entry
    qualifications in the same subjects; Kingston published BME expected 69%,
    achieved 63%, VA 0.91.

    Parameters
    ----------
    students : pandas.DataFrame
    group : str, default "ethnicity_group"
    reference : str or None, default "White"
        Listed first; ``None`` keeps alphabetical order.
    tariff, subject : str
        Entry tariff (UCAS points) and subject columns. Missing tariff is a band
        of its own ("No tariff"); a missing subject excludes the student.
    bands : sequence of float
        Lower edges of the tariff bands (:func:`tariff_band`).
    baseline : boolean Series or array, optional
        Students whose rates define the expectation (e.g. earlier years, or all
        sector students); default all students with an outcome (including
        unknown ethnicity). Where a band x subject cell has no baseline students
        the band rate is used, then the overall rate (``n_fallback`` counts these).
    alpha : float, default 0.05
    good : sequence of str

    Returns
    -------
    pandas.DataFrame
        ``group``, ``n``, ``good``, ``observed_rate``, ``expected_good``,
        ``expected_rate``, ``value_added``, ``ci_low``, ``ci_high``,
        ``significant`` (the interval excludes 1), ``n_fallback``.

    Notes
    -----
    The interval is the Wilson interval of the observed rate divided by the
    expected rate, treating the expectation as known (as for standardised
    ratios). It is too narrow when the baseline is small; use a large baseline.

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({
    ...     "ethnicity_group": ["White", "White", "Black", "Black"] * 10,
    ...     "tariff": [150, 100, 150, 100] * 10, "subject": ["Law"] * 40,
    ...     "degree_class": ["First", "2:1", "2:1", "2:2"] * 10})
    >>> value_added(students)[["ethnicity_group", "observed_rate", "expected_rate", "value_added"]]
      ethnicity_group  observed_rate  expected_rate  value_added
    0           White            1.0           0.75     1.333333
    1           Black            0.5           0.75     0.666667
    """
    _check_frame(students, "value_added")
    alpha = _alpha(alpha)
    _require(students, [group, tariff, subject], "value_added")
    y, why = _outcome(students, None, good, "value_added")
    has_y = y.notna().to_numpy()
    has_subject = students[subject].notna().to_numpy()
    band = tariff_band(students[tariff], bands=bands).astype(str).to_numpy()
    subj = students[subject].astype(str).to_numpy()
    yv = y.to_numpy(dtype=float, na_value=np.nan)
    if baseline is None:
        base = has_y & has_subject
    else:
        base = np.asarray(baseline, dtype=bool)
        if base.shape != (len(students),):
            raise ValueError(f"value_added: baseline must be one True/False per student ({len(students)}), got shape {base.shape}.")
        base = base & has_y & has_subject
    if not base.any():
        raise ValueError("value_added: no baseline students with a classified degree and a subject.")
    cells = pd.DataFrame({"band": band[base], "subject": subj[base], "y": yv[base]})
    cell_rate = cells.groupby(["band", "subject"])["y"].mean()
    band_rate = cells.groupby("band")["y"].mean()
    overall = cells["y"].mean()
    idx = pd.MultiIndex.from_arrays([band, subj])
    expected = cell_rate.reindex(idx).to_numpy()
    fallback = np.isnan(expected)
    expected = np.where(fallback, pd.Series(band).map(band_rate).to_numpy(dtype=float), expected)
    expected = np.where(np.isnan(expected), overall, expected)
    known = _known_group(students[group])
    keep = has_y & has_subject & known
    excluded = _excluded(**{why.replace(" ", "_"): int((~has_y).sum())},
                         missing_subject=int((has_y & ~has_subject).sum()),
                         unknown_ethnicity=int((has_y & has_subject & ~known).sum()))
    frame = pd.DataFrame({"g": students[group].astype(str).to_numpy()[keep], "y": yv[keep],
                          "e": expected[keep], "f": fallback[keep]})
    table = frame.groupby("g").agg(n=("y", "size"), good=("y", "sum"), expected_good=("e", "sum"), n_fallback=("f", "sum"))
    table = table.reset_index().rename(columns={"g": group})
    table["good"] = table["good"].astype(np.int64)
    table["n_fallback"] = table["n_fallback"].astype(np.int64)
    table["observed_rate"] = table["good"] / table["n"]
    table["expected_rate"] = table["expected_good"] / table["n"]
    table["value_added"] = table["observed_rate"] / table["expected_rate"]
    low, high = wilson_interval(table["good"], table["n"], alpha)
    table["ci_low"] = low / table["expected_rate"]
    table["ci_high"] = high / table["expected_rate"]
    table["significant"] = (table["ci_low"] > 1) | (table["ci_high"] < 1)
    if reference is not None:
        table["_o"] = np.where(table[group] == reference, 0, 1)
        table = table.sort_values(["_o", group]).drop(columns="_o").reset_index(drop=True)
    table = table[[group, "n", "good", "observed_rate", "expected_good", "expected_rate", "value_added",
                   "ci_low", "ci_high", "significant", "n_fallback"]]
    spec = {
        "kind": "value_added", "counts": ["n", "good", "n_fallback"],
        "rates": {"observed_rate": ("n", "good"), "expected_rate": ("n", None)},
        "derived": {c: [("n", "good")] for c in ("expected_good", "value_added", "ci_low", "ci_high", "significant")},
        "decimals": {"value_added": 2, "ci_low": 2, "ci_high": 2, "expected_good": 0},
        "group": group, "alpha": alpha,
    }
    return _attach(table, excluded=excluded, spec=spec)


# --------------------------------------------------------------------------- decompositions


def _two_group_sample(students, *, group, reference, comparison, covariates, categorical, outcome, good, what,
                      numeric=False):
    covariates = _as_list(covariates, "covariates")
    _check_frame(students, what)
    _require(students, [group] + covariates, what)
    if comparison == reference:
        raise ValueError(f"{what}: comparison and reference are both {reference!r}; choose two different groups.")
    y_all, keep, excluded = _prepare_model_sample(
        students, group=group, covariates=covariates, outcome=outcome, good=good, what=what,
        groups=[reference, comparison], numeric=numeric,
    )
    present = students.loc[keep, group]
    for name, label in ((reference, "reference"), (comparison, "comparison")):
        if not (present == name).any():
            raise ValueError(
                f"{what}: no students of the {label} group {name!r} (column {group!r}) with an outcome and all "
                f"covariates; groups in the data: {', '.join(sorted(set(students[group].dropna().astype(str))))}."
            )
    design = _build_design(students, covariates, set(_as_list(categorical, "categorical")), keep=keep, what=what)
    y = y_all[design.keep].astype(np.float64)
    in_comparison = (students.loc[design.keep, group] == comparison).to_numpy(dtype=bool)
    return design, y, in_comparison, excluded, covariates


def oaxaca_blinder(
    students: pd.DataFrame,
    *,
    group: str = "ethnicity_group",
    reference: str = "White",
    comparison: str = "Black",
    covariates: Sequence[str] = DEFAULT_COVARIATES,
    categorical: Iterable[str] = ("imd_quintile",),
    outcome: str | None = None,
    good: Sequence[str] = DEFAULT_GOOD_HONOURS,
    n_boot: int = 0,
    seed: int = 2024,
) -> pd.DataFrame:
    """Oaxaca-Blinder decomposition of the gap on the linear probability model.

    Uses :class:`statsmodels.stats.oaxaca.OaxacaBlinder` (two-fold pooled, with the
    group indicator in the pooled model, and three-fold) on a numpy design: the
    gap ``mean(y | reference) - mean(y | comparison)`` is split into the part
    explained by differences in covariates and the unexplained part.

    Parameters
    ----------
    students : pandas.DataFrame
    group, reference, comparison : str
        The two groups compared (e.g. ``"White"`` and ``config.aggregate_group``
        on an aggregate grouping from :func:`add_ethnicity_group`).
    covariates, categorical : see :func:`adjusted_gap`.
    outcome : str, optional
        A numeric or yes/no column instead of good honours (the estimates are the
        outcome's units times 100: percentage points for a yes/no outcome).
    good : sequence of str
    n_boot : int, default 0
        Bootstrap replications for standard errors (statsmodels' bootstrap); 0 skips them.
    seed : int, default 2024

    Returns
    -------
    pandas.DataFrame
        ``component`` (``gap``, ``explained``, ``unexplained``, then
        ``endowments``, ``coefficients``, ``interaction`` of the three-fold
        decomposition, then one ``explained`` row per covariate), ``variable``
        (``all`` or the covariate), ``estimate_pp`` (percentage points) and
        ``se_pp`` (bootstrap, when ``n_boot > 0``), ``n_reference``, ``n_comparison``.

    Notes
    -----
    Two-fold pooled: explained = (xbar_R - xbar_C)' b_pooled. The per-covariate
    explained parts add up to the explained part and, for a set of dummies, do not
    depend on the base level; the unexplained part per covariate would, so it is
    not split. Three-fold (comparison-group coefficients): endowments =
    (xbar_R - xbar_C)' b_C, coefficients = xbar_C'(b_R - b_C), interaction =
    (xbar_R - xbar_C)'(b_R - b_C).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> n = 2000
    >>> students = pd.DataFrame({"ethnicity_group": rng.choice(["White", "Black"], n)})
    >>> students["tariff"] = rng.normal(np.where(students["ethnicity_group"] == "White", 130, 110), 15)
    >>> students["degree_class"] = np.where(rng.random(n) < (students["tariff"] - 40) / 150, "2:1", "2:2")
    >>> table = oaxaca_blinder(students, covariates=["tariff"], categorical=())
    >>> list(table["component"][:3])
    ['gap', 'explained', 'unexplained']
    >>> bool(abs(table["estimate_pp"][0] - table["estimate_pp"][1] - table["estimate_pp"][2]) < 1e-9)
    True
    """
    from statsmodels.stats.oaxaca import OaxacaBlinder

    design, y, in_comparison, excluded, covariates = _two_group_sample(
        students, group=group, reference=reference, comparison=comparison, covariates=covariates,
        categorical=categorical, outcome=outcome, good=good, what="oaxaca_blinder", numeric=True,
    )
    X = design.X
    # Indicator column 1 for the comparison group: statsmodels splits on np.unique, so
    # group "0" (the reference) is the first group and the gap is reference minus comparison.
    exog = np.column_stack([X, in_comparison.astype(np.float64)])
    bifurcate = exog.shape[1] - 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        model = OaxacaBlinder(y, exog, bifurcate, hasconst=True, swap=False, rng=np.random.default_rng(seed))
        two = model.two_fold(std=n_boot > 0, n=n_boot or None)
        diff = model.exog_f_mean - model.exog_s_mean
        per_var_explained = diff * model.t_params
        three = model.three_fold(std=n_boot > 0, n=n_boot or None)
    unexplained, explained, gap = two.params
    endow, coef, inter, _ = three.params
    se2 = list(two.std) if two.std is not None else [np.nan] * 3
    se3 = list(three.std) if three.std is not None else [np.nan] * 3
    rows = [
        ("gap", "all", gap, np.nan), ("explained", "all", explained, se2[1]), ("unexplained", "all", unexplained, se2[0]),
        ("endowments", "all", endow, se3[0]), ("coefficients", "all", coef, se3[1]), ("interaction", "all", inter, se3[2]),
    ]
    for cov in covariates:
        rows.append(("explained", cov, float(per_var_explained[design.blocks[cov]].sum()), np.nan))
    scale = 100.0
    table = pd.DataFrame(rows, columns=["component", "variable", "estimate_pp", "se_pp"])
    table["estimate_pp"] *= scale
    table["se_pp"] *= scale
    table["n_reference"] = int((~in_comparison).sum())
    table["n_comparison"] = int(in_comparison.sum())
    derived, helpers = _decomposition_bases(table, np.asarray(y, dtype=float), np.asarray(in_comparison, dtype=bool))
    spec = {"kind": "decomposition", "counts": ["n_reference", "n_comparison", *helpers], "rates": {},
            "helpers": helpers, "derived": {"estimate_pp": derived, "se_pp": derived}, "group": group,
            "reference": reference, "comparison": comparison}
    table = _attach(table, excluded=excluded, spec=spec)
    table.attrs["model"] = {"pooled_coefficients": dict(zip(design.names, map(float, model.t_params)))}
    return table


def _decomposition_bases(table: pd.DataFrame, y: np.ndarray, in_comparison: np.ndarray) -> tuple[list, list]:
    """What a decomposition's estimates rest on: the two groups, and for a yes/no outcome their outcome counts.

    The "gap" row is the difference of the two groups' rates, so with a yes/no
    outcome it is suppressed where either rate would be ([DPL]/[DPH] included);
    the outcome counts are kept as helper columns (not shown).
    """
    present = y[~np.isnan(y)]
    if present.size and np.isin(present, (0.0, 1.0)).all():
        table["_good_reference"] = int(np.nansum(y[~in_comparison]))
        table["_good_comparison"] = int(np.nansum(y[in_comparison]))
        return ([("n_reference", "_good_reference"), ("n_comparison", "_good_comparison")],
                ["_good_reference", "_good_comparison"])
    return [("n_reference", None), ("n_comparison", None)], []


def _fairlie_parts(Xa, ya, Xb, yb, blocks, order_blocks, rng, n_draws, coefficients, what, names):
    """Total explained part and per-block contributions (averaged over draws)."""
    if coefficients == "reference":
        beta = np.asarray(_fit_logit(ya > 0.5, Xa, what, names).params)
    else:  # pooled, with an indicator for the comparison group (left out of the predictions)
        Xp = np.column_stack([np.vstack([Xa, Xb]), np.r_[np.zeros(len(Xa)), np.ones(len(Xb))]])
        beta = np.asarray(_fit_logit(np.r_[ya, yb] > 0.5, Xp, what, names + ["comparison"]).params)[:-1]
    eta_a, eta_b = Xa @ beta, Xb @ beta
    pa, pb = special.expit(eta_a), special.expit(eta_b)
    explained = pa.mean() - pb.mean()
    na, nb = len(Xa), len(Xb)
    m = min(na, nb)
    contrib = np.zeros(len(order_blocks))
    sum_draws = 0.0
    for _ in range(n_draws):
        ia = rng.choice(na, size=m, replace=False) if na > m else np.arange(na)
        ib = rng.choice(nb, size=m, replace=False) if nb > m else np.arange(nb)
        # one-to-one matching of the two samples by rank of predicted probability
        ia = ia[np.argsort(pa[ia], kind="stable")]
        ib = ib[np.argsort(pb[ib], kind="stable")]
        eta = eta_a[ia].copy()
        p_prev = special.expit(eta)
        start = p_prev.mean()
        for k in rng.permutation(len(order_blocks)):
            cols = blocks[order_blocks[k]]
            eta += (Xb[ib][:, cols] - Xa[ia][:, cols]) @ beta[cols]
            p_new = special.expit(eta)
            contrib[k] += (p_prev - p_new).mean()
            p_prev = p_new
        sum_draws += start - p_prev.mean()
    return explained, contrib / n_draws, sum_draws / n_draws


def fairlie(
    students: pd.DataFrame,
    *,
    group: str = "ethnicity_group",
    reference: str = "White",
    comparison: str = "Black",
    covariates: Sequence[str] = DEFAULT_COVARIATES,
    categorical: Iterable[str] = ("imd_quintile",),
    coefficients: str = "reference",
    n_draws: int = 100,
    n_boot: int = 200,
    boot_draws: int = 10,
    alpha: float = 0.05,
    seed: int = 2024,
    outcome: str | None = None,
    good: Sequence[str] = DEFAULT_GOOD_HONOURS,
) -> pd.DataFrame:
    """Fairlie's non-linear decomposition of the gap for the logit model.

    Parameters
    ----------
    students : pandas.DataFrame
    group, reference, comparison : str
    covariates, categorical : see :func:`adjusted_gap`; each covariate (a set
        of dummies for a category) is one block.
    coefficients : {"reference", "pooled"}, default "reference"
        Coefficients from a logit fitted on the reference group only, or on both
        groups with an indicator for the comparison group (left out of the
        predictions).
    n_draws : int, default 100
        Random subsamples (and variable orders) averaged for the contributions.
    n_boot : int, default 200
        Bootstrap resamples (within each group) for percentile intervals; 0 skips them.
    boot_draws : int, default 10
        Draws per bootstrap resample.
    alpha : float, default 0.05
    seed : int, default 2024
        Everything random (subsamples, orders, bootstrap) follows this seed.

    Returns
    -------
    pandas.DataFrame
        ``component`` (``gap``, ``explained``, ``unexplained``, then one
        ``contribution`` row per covariate), ``variable``, ``estimate_pp``,
        ``ci_low``, ``ci_high`` (bootstrap percentile), ``n_reference``,
        ``n_comparison``. ``attrs["sum_of_contributions_pp"]`` is the sum of the
        contributions (close to, not exactly, the total explained part).

    Notes
    -----
    With reference group A, comparison group B and coefficients b, the total
    explained part is ``mean_A F(x b) - mean_B F(x b)``, exactly the difference of
    the groups' mean predicted probabilities (F the logistic function); the
    unexplained part is the rest of the gap ``ybar_A - ybar_B``. For the
    contribution of each covariate, a random subsample of the larger group,
    as large as the smaller group, is matched one-to-one to it by rank of
    predicted probability; covariate blocks are then switched from A's to B's
    values one at a time, in a random order, and each block is credited with
    the change in the mean predicted probability. Contributions are averaged
    over ``n_draws`` draws (Fairlie 2005).

    References
    ----------
    Fairlie RW (2005). An extension of the Blinder-Oaxaca decomposition technique
    to logit and probit models. Journal of Economic and Social Measurement 30, 305-316.
    """
    alpha = _alpha(alpha)
    if coefficients not in ("reference", "pooled"):
        raise ValueError(f"fairlie: coefficients must be 'reference' or 'pooled', not {coefficients!r}.")
    for name, value, low in (("n_draws", n_draws, 1), ("n_boot", n_boot, 0), ("boot_draws", boot_draws, 1)):
        if not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"fairlie: {name} must be a whole number of at least {low}, not {value!r}.")
    design, y, in_comparison, excluded, covariates = _two_group_sample(
        students, group=group, reference=reference, comparison=comparison, covariates=covariates,
        categorical=categorical, outcome=outcome, good=good, what="fairlie",
    )
    X = design.X
    Xa, ya = X[~in_comparison], y[~in_comparison]
    Xb, yb = X[in_comparison], y[in_comparison]
    rng = np.random.default_rng(seed)
    what = "fairlie"
    explained, contrib, sum_draws = _fairlie_parts(
        Xa, ya, Xb, yb, design.blocks, covariates, rng, n_draws, coefficients, what, design.names
    )
    gap = ya.mean() - yb.mean()
    estimates = np.r_[gap, explained, gap - explained, contrib]
    low = np.full(estimates.shape, np.nan)
    high = np.full(estimates.shape, np.nan)
    if n_boot > 0:
        draws = np.empty((n_boot, len(estimates)))
        failures = 0
        for b in range(n_boot):
            ia = rng.integers(0, len(Xa), len(Xa))
            ib = rng.integers(0, len(Xb), len(Xb))
            try:
                e, c, _ = _fairlie_parts(Xa[ia], ya[ia], Xb[ib], yb[ib], design.blocks, covariates, rng,
                                         boot_draws, coefficients, what, design.names)
            except ValueError:  # a resample in which the model cannot be fitted (e.g. a level vanishes)
                draws[b] = np.nan
                failures += 1
                continue
            g = ya[ia].mean() - yb[ib].mean()
            draws[b] = np.r_[g, e, g - e, c]
        if failures > n_boot // 10:
            warnings.warn(f"fairlie: {failures} of {n_boot} bootstrap resamples could not be fitted; "
                          "intervals rest on the others. Merge small levels.", RuntimeWarning, stacklevel=2)
        low, high = np.nanpercentile(draws, [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=0)
    components = ["gap", "explained", "unexplained"] + ["contribution"] * len(covariates)
    variables = ["all", "all", "all"] + covariates
    table = pd.DataFrame({"component": components, "variable": variables, "estimate_pp": 100 * estimates,
                          "ci_low": 100 * low, "ci_high": 100 * high})
    table["n_reference"] = len(Xa)
    table["n_comparison"] = len(Xb)
    ys = np.r_[np.asarray(ya, dtype=float), np.asarray(yb, dtype=float)]
    derived, helpers = _decomposition_bases(table, ys, np.r_[np.zeros(len(ya), bool), np.ones(len(yb), bool)])
    spec = {"kind": "decomposition", "counts": ["n_reference", "n_comparison", *helpers], "rates": {},
            "helpers": helpers, "derived": {c: derived for c in ("estimate_pp", "ci_low", "ci_high")}, "group": group,
            "reference": reference, "comparison": comparison}
    table = _attach(table, excluded=excluded, spec=spec)
    table.attrs["sum_of_contributions_pp"] = 100 * float(contrib.sum())
    table.attrs["seed"] = seed
    return table


# --------------------------------------------------------------------------- mentored vs comparison


def mentored_comparison(
    students: pd.DataFrame,
    *,
    treatment: str = "mentored",
    method: str = "exact",
    match_on: Sequence[str] = ("ethnicity_group", "faculty", "entry_year", "tariff_band"),
    covariates: Sequence[str] = ("ethnicity_group", "faculty", "entry_year", "tariff", "sex", "disability", "imd_quintile"),
    categorical: Iterable[str] = ("entry_year", "imd_quintile"),
    caliper: float = 0.2,
    outcome: str | None = None,
    good: Sequence[str] = DEFAULT_GOOD_HONOURS,
    alpha: float = 0.05,
    bands: Sequence[float] = DEFAULT_TARIFF_BANDS,
) -> pd.DataFrame:
    """Good-honours rate of mentored students against matched students who were not mentored.

    Parameters
    ----------
    students : pandas.DataFrame
    treatment : str, default "mentored"
        Yes/no column: took part in the scheme.
    method : {"exact", "propensity"}
        ``exact``: mentored and comparison students are matched exactly on
        ``match_on`` (``tariff_band`` is derived from ``tariff``); comparison
        students in each cell are weighted by the number of mentored students in
        it over their own number (the effect on the mentored). ``propensity``:
        each mentored student is matched, with replacement, to the comparison
        student with the nearest logit of the propensity score (a logistic
        regression of ``treatment`` on ``covariates``) within ``caliper``
        standard deviations of that logit.
    match_on : sequence of str
        Exact-matching columns. Ethnicity group is included by default: the
        schemes recruit from groups with lower rates, so comparing with all
        students would mix the awarding gap into the estimate.
    covariates, categorical : sequence of str
        Propensity model terms (see :func:`adjusted_gap`).
    caliper : float, default 0.2
    outcome : str, optional
        A yes/no column instead of good honours (e.g. ``"continued"``).
    good : sequence of str
    alpha : float, default 0.05
    bands : sequence of float
        Tariff band edges for ``tariff_band``.

    Returns
    -------
    pandas.DataFrame
        One row: ``method``, ``n_treated`` (mentored, with an outcome),
        ``n_treated_matched``, ``good_treated``, ``rate_treated``,
        ``n_control`` (distinct comparison students used), ``n_control_effective``
        (Kish effective size of the weighted comparison group), ``rate_control``
        (weighted), ``difference_pp`` (mentored minus comparison), ``ci_low``,
        ``ci_high`` and ``significant``.

    Notes
    -----
    The interval is Newcombe's hybrid score interval with the comparison
    group's Kish effective sample size ``(sum w)^2 / sum w^2`` and its weighted
    number of successes, so matching weights widen it honestly. Matching removes
    differences in the matched characteristics only: students who choose to
    join a scheme may differ in ways the records do not show.

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({
    ...     "mentored": [True] * 4 + [False] * 8, "faculty": ["Arts", "Arts", "Law", "Law"] * 3,
    ...     "degree_class": ["First", "2:1", "2:1", "2:2", "2:1", "2:2", "2:1", "2:1",
    ...                      "2:2", "2:2", "First", "Third"]})
    >>> result = mentored_comparison(students, match_on=["faculty"])
    >>> result[["n_treated", "rate_treated", "rate_control", "difference_pp"]]
       n_treated  rate_treated  rate_control  difference_pp
    0          4          0.75           0.5           25.0
    """
    _check_frame(students, "mentored_comparison")
    alpha = _alpha(alpha)
    if method not in ("exact", "propensity"):
        raise ValueError(f"mentored_comparison: method must be 'exact' or 'propensity', not {method!r}.")
    _require(students, [treatment], "mentored_comparison", "The students table needs a yes/no 'mentored' column.")
    frame = students
    needs_band = (method == "exact" and "tariff_band" in match_on and "tariff_band" not in students.columns)
    if needs_band:
        _require(students, ["tariff"], "mentored_comparison", "tariff_band is derived from the tariff column.")
        frame = students.assign(tariff_band=tariff_band(students["tariff"], bands=bands).astype(str))
    match_cols = _as_list(match_on, "match_on") if method == "exact" else _as_list(covariates, "covariates")
    _require(frame, match_cols, "mentored_comparison")
    y, why = _outcome(frame, outcome, good, "mentored_comparison")
    t = frame[treatment]
    if not (pd.api.types.is_bool_dtype(t.dtype)):
        raise ValueError(f"mentored_comparison: column {treatment!r} must be yes/no (True/False).")
    has = y.notna().to_numpy() & t.notna().to_numpy()
    complete = np.ones(len(frame), dtype=bool)
    for c in match_cols:
        complete &= frame[c].notna().to_numpy()
        if "ethnicity" in c:
            complete &= _known_group(frame[c])
    keep = has & complete
    tv = t.to_numpy(dtype=bool, na_value=False)
    yv = y.to_numpy(dtype=float, na_value=np.nan)
    n_treated_all = int((has & tv).sum())
    excluded = _excluded(**{why.replace(" ", "_"): int((~y.notna()).sum())},
                         treated_missing_matching_values=int((has & tv & ~complete).sum()))
    if not (keep & tv).any():
        raise ValueError(
            f"mentored_comparison: no {treatment} students have an outcome ({outcome or 'a classified degree'}) "
            f"and values for {', '.join(match_cols)}; the comparison needs mentored students who have qualified."
        )
    if not (keep & ~tv).any():
        raise ValueError("mentored_comparison: no students outside the scheme to compare with.")
    weights = np.zeros(len(frame))
    if method == "exact":
        cells = frame.loc[keep, match_cols].astype(str).agg("\x1f".join, axis=1)
        cell_codes = pd.factorize(cells)[0]
        tk = tv[keep]
        n_t = np.bincount(cell_codes, weights=tk.astype(float))
        n_c = np.bincount(cell_codes, weights=(~tk).astype(float))
        matched_cell = (n_t > 0) & (n_c > 0)
        w = np.where(tk, matched_cell[cell_codes].astype(float),
                     np.where(matched_cell[cell_codes], n_t[cell_codes] / np.maximum(n_c[cell_codes], 1), 0.0))
        weights[keep] = w
    else:
        cat_cols = set(_as_list(categorical, "categorical"))
        # Levels with only mentored or only comparison students have no common support (and would
        # make the propensity model separate perfectly): leave them out, and count them.
        for c in match_cols:
            s_c = frame[c]
            if c in cat_cols or not pd.api.types.is_numeric_dtype(s_c.dtype) or pd.api.types.is_bool_dtype(s_c.dtype):
                level = s_c.astype(str).to_numpy()
                treated_levels = set(level[keep & tv])
                control_levels = set(level[keep & ~tv])
                keep = keep & np.isin(level, list(treated_levels & control_levels))
        excluded["outside_common_support"] = int((has & complete & ~keep).sum())
        design = _build_design(frame, match_cols, cat_cols, keep=keep, what="mentored_comparison (propensity model)")
        tk = tv[design.keep]
        ps_fit = _fit_logit(tk, design.X, "mentored_comparison (propensity model)", design.names)
        score = design.X @ np.asarray(ps_fit.params)
        width = caliper * score.std()
        control_idx = np.flatnonzero(~tk)
        order = control_idx[np.argsort(score[control_idx], kind="stable")]
        sorted_scores = score[order]
        treated_idx = np.flatnonzero(tk)
        pos = np.searchsorted(sorted_scores, score[treated_idx])
        left = np.clip(pos - 1, 0, len(order) - 1)
        right = np.clip(pos, 0, len(order) - 1)
        pick = np.where(np.abs(sorted_scores[left] - score[treated_idx]) <= np.abs(sorted_scores[right] - score[treated_idx]), left, right)
        distance = np.abs(sorted_scores[pick] - score[treated_idx])
        ok = distance <= width
        w = np.zeros(len(tk))
        w[treated_idx[ok]] = 1.0
        np.add.at(w, order[pick[ok]], 1.0)
        weights[np.flatnonzero(design.keep)] = w
    treated_w = weights * tv
    control_w = weights * (~tv)
    n_tm = int(treated_w.sum())
    if n_tm == 0:
        raise ValueError(
            "mentored_comparison: no mentored student has a comparison student with the same "
            f"{', '.join(match_cols) if method == 'exact' else 'propensity score (within the caliper)'}; "
            "match on fewer columns, use wider tariff bands, or method='propensity'."
        )
    good_t = float(np.nansum(treated_w * yv))
    rate_t = good_t / n_tm
    sw = control_w.sum()
    rate_c = float(np.nansum(control_w * yv) / sw)
    n_eff = float(sw ** 2 / (control_w ** 2).sum())
    low, high = _newcombe([good_t], [n_tm], [rate_c * n_eff], [n_eff], alpha)
    diff = 100 * (rate_t - rate_c)
    table = pd.DataFrame([{
        "method": method, "n_treated": n_treated_all, "n_treated_matched": n_tm, "good_treated": int(round(good_t)),
        "rate_treated": rate_t, "n_control": int((control_w > 0).sum()), "n_control_effective": n_eff,
        "rate_control": rate_c, "difference_pp": diff, "ci_low": 100 * low[0], "ci_high": 100 * high[0],
        "significant": bool(100 * low[0] > 0 or 100 * high[0] < 0),
        # comparison students used who had the outcome: a helper for the [DPL]/[DPH] check, not shown
        "_good_control": int(np.nansum((control_w > 0) & (np.nan_to_num(yv) > 0.5))),
    }])
    # n_control_effective is a number of people (Kish's effective sample size): rounded as a count.
    spec = {"kind": "mentored",
            "counts": ["n_treated", "n_treated_matched", "good_treated", "n_control", "n_control_effective", "_good_control"],
            "rates": {"rate_treated": ("n_treated_matched", "good_treated"), "rate_control": ("n_control", "_good_control")},
            "derived": {c: [("n_treated_matched", "good_treated"), ("n_control", "_good_control")]
                        for c in ("difference_pp", "ci_low", "ci_high", "significant")},
            "helpers": ["_good_control"]}
    table = _attach(table, excluded=excluded, spec=spec)
    table.attrs["unmatched_treated"] = n_treated_all - n_tm
    return table


def gap_difference_in_differences(
    students: pd.DataFrame,
    *,
    start_year: int,
    group: str = "ethnicity_group",
    reference: str = "White",
    comparison: str | Sequence[str] = "Black",
    year: str = "qualification_year",
    outcome: str | None = None,
    good: Sequence[str] = DEFAULT_GOOD_HONOURS,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Change in the gap after the scheme started: a difference-in-differences across years.

    ``(rate_C,after - rate_C,before) - (rate_R,after - rate_R,before)`` in
    percentage points, where C is the group(s) the scheme serves and R the
    reference group; "after" is ``year >= start_year``. Positive values mean the
    gap narrowed. It credits the scheme only under the assumption that the gap
    would otherwise have stayed as it was (parallel trends): read it next to
    :func:`gap_trend`.

    Returns
    -------
    pandas.DataFrame
        Rows ``reference`` and ``comparison`` with ``n_before``, ``good_before``,
        ``rate_before``, ``n_after``, ``good_after``, ``rate_after``,
        ``change_pp``; ``attrs["did"]`` holds the estimate with a normal interval
        from the four binomial variances (also as the one-row table
        ``attrs["did_table"]``).

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({
    ...     "ethnicity_group": ["White"] * 8 + ["Black"] * 8,
    ...     "qualification_year": [2020] * 4 + [2023] * 4 + [2020] * 4 + [2023] * 4,
    ...     "degree_class": ["2:1", "2:1", "2:1", "2:2"] * 2 + ["2:1", "2:2", "2:2", "2:2"] + ["2:1", "2:1", "2:2", "2:2"]})
    >>> result = gap_difference_in_differences(students, start_year=2022)
    >>> result.attrs["did"]["estimate_pp"]
    25.0
    """
    _check_frame(students, "gap_difference_in_differences")
    alpha = _alpha(alpha)
    comparison = _as_list(comparison, "comparison")
    _require(students, [group, year], "gap_difference_in_differences")
    y, why = _outcome(students, outcome, good, "gap_difference_in_differences")
    yr = pd.to_numeric(students[year], errors="coerce")
    keep = y.notna().to_numpy() & yr.notna().to_numpy()
    g = students[group]
    role = np.where((g == reference).to_numpy(dtype=bool), "reference",
                    np.where(g.isin(comparison).to_numpy(dtype=bool), "comparison", ""))
    after = (yr >= start_year).to_numpy(na_value=False)
    keep &= role != ""
    frame = pd.DataFrame({"role": role[keep], "after": after[keep], "y": y.to_numpy(dtype=float, na_value=np.nan)[keep]})
    rows = []
    for r in ("reference", "comparison"):
        row = {"group": reference if r == "reference" else ", ".join(comparison), "role": r}
        for label, flag in (("before", False), ("after", True)):
            sub = frame.loc[(frame["role"] == r) & (frame["after"] == flag), "y"]
            if len(sub) == 0:
                raise ValueError(
                    f"gap_difference_in_differences: no {r} students ({row['group']}) with an outcome "
                    f"{'before' if not flag else 'from'} {start_year} in {year!r}; a difference-in-differences needs "
                    "years both before and after the scheme started."
                )
            row[f"n_{label}"] = int(len(sub))
            row[f"good_{label}"] = int(sub.sum())
            row[f"rate_{label}"] = float(sub.mean())
        row["change_pp"] = 100 * (row["rate_after"] - row["rate_before"])
        rows.append(row)
    table = pd.DataFrame(rows)
    var = sum(p * (1 - p) / n for p, n in zip(
        np.r_[table["rate_before"], table["rate_after"]], np.r_[table["n_before"], table["n_after"]]))
    estimate = float(table.loc[1, "change_pp"] - table.loc[0, "change_pp"])
    z = stats.norm.isf(alpha / 2)
    se = 100 * math.sqrt(var)
    did = {"estimate_pp": round(estimate, 10), "se_pp": se, "ci_low": estimate - z * se, "ci_high": estimate + z * se,
           "start_year": start_year}
    spec = {"kind": "did", "counts": ["n_before", "good_before", "n_after", "good_after"],
            "rates": {"rate_before": ("n_before", "good_before"), "rate_after": ("n_after", "good_after")},
            "derived": {"change_pp": [("n_before", "good_before"), ("n_after", "good_after")]}}
    table = _attach(table, excluded=_excluded(**{why.replace(" ", "_"): int((~y.notna()).sum())}), spec=spec)
    # The estimate and its SE rest on all four rates: with three of them shown, they give back the
    # fourth, so they are suppressed wherever any cell's rate would be (its n, or the number with or
    # without the outcome, too small). The cell nearest that limit is kept as two helper columns.
    cells = [(int(r[f"n_{w}"]), int(r[f"good_{w}"])) for _, r in table.iterrows() for w in ("before", "after")]
    nearest = min(cells, key=lambda c: min(c[1], c[0] - c[1]))
    did_table = pd.DataFrame([{**did, "n_smallest_cell": int(min(table["n_before"].min(), table["n_after"].min())),
                               "_n_nearest_cell": nearest[0], "_outcome_nearest_cell": min(nearest[1], nearest[0] - nearest[1])}])
    did_table.attrs[_ATTRS] = {"kind": "did_estimate", "counts": ["n_smallest_cell", "_n_nearest_cell", "_outcome_nearest_cell"],
                               "rates": {}, "helpers": ["_n_nearest_cell", "_outcome_nearest_cell"],
                               "derived": {c: [("n_smallest_cell", None), ("_n_nearest_cell", "_outcome_nearest_cell")]
                                           for c in ("estimate_pp", "se_pp", "ci_low", "ci_high")}}
    table.attrs["did"] = did
    table.attrs["did_table"] = did_table
    return table


# --------------------------------------------------------------------------- reporting


def exclusions(result: pd.DataFrame) -> pd.DataFrame:
    """The rows a result left out and why, as a table (``reason``, ``n``) to show through disclose.

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({"ethnicity_group": ["White", "Unknown", "Black", "White"],
    ...                          "degree_class": ["First", "2:1", "Pass", "2:2"]})
    >>> exclusions(awarding_gap(students))
                        reason  n
    0        unknown_ethnicity  1
    1  not_a_classified_degree  1
    """
    excluded = result.attrs.get("excluded")
    if excluded is None:
        raise ValueError("exclusions: pass a table returned by an rmresearch.attainment function.")
    return pd.DataFrame({"reason": list(excluded), "n": [int(v) for v in excluded.values()]}, columns=["reason", "n"])


def disclose_attainment(
    table: pd.DataFrame,
    *,
    rules: Any = None,
    style: str | None = None,
    decimals: int = 1,
    name: str | None = None,
) -> pd.DataFrame:
    """Disclosure control for the tables of this module.

    Calls :func:`rmresearch.disclosure.disclose` with the table's count and rate
    columns, then hides every derived number (gaps, intervals, marginal effects,
    value added, ...) that rests on a group whose rate the rules suppress, with
    the same marker. Shown numbers are rounded to ``decimals`` places.

    Parameters
    ----------
    table : pandas.DataFrame
        An unrounded result of :func:`awarding_gap`, :func:`adjusted_gap`,
        :func:`value_added`, :func:`oaxaca_blinder`, :func:`fairlie`,
        :func:`mentored_comparison`, :func:`continuation_rates` or
        :func:`gap_difference_in_differences` (or its ``attrs["did_table"]``).
    rules : DisclosureRules, optional
        ``config.disclosure``.
    style : {"hesa", "ofs"}, optional
    decimals : int, default 1
    name : str, optional
        Name recorded in the disclosure log.

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({"ethnicity_group": ["White"] * 40 + ["Mixed"] * 6,
    ...                          "degree_class": ["2:1"] * 30 + ["2:2"] * 10 + ["2:1"] * 6})
    >>> shown = disclose_attainment(awarding_gap(students))
    >>> shown[["ethnicity_group", "n", "rate", "gap_pp"]]
      ethnicity_group   n   rate gap_pp
    0           White  40  75.0%
    1           Mixed   5     ..     ..
    """
    from .disclosure import OFS_CODES, _resolve_rules, disclose

    spec = table.attrs.get(_ATTRS)
    if not isinstance(spec, dict):
        raise ValueError("disclose_attainment: pass a table returned by an rmresearch.attainment function "
                         "(other tables go through rmresearch.disclosure.disclose directly).")
    rules = _resolve_rules(rules)
    rates = {r: (d if n is None else (d, n)) for r, (d, n) in spec["rates"].items()}
    # One path: every derived number (gap, interval, p-value, flag) is suppressed by
    # disclose() wherever a rate it rests on is, with that rate's marker.
    derived = {c: [tuple(b) for b in bases] for c, bases in spec.get("derived", {}).items() if c in table.columns}
    places = spec.get("decimals", {})
    derived_places = {c: places.get(c, 3 if c == "p_value" else decimals) for c in derived}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numerators already listed as counts
        shown = disclose(table, counts=[c for c in spec["counts"] if c in table.columns], rates=rates, rules=rules,
                         style=style, decimals=decimals, derived=derived, derived_decimals=derived_places,
                         name=name or f"attainment: {spec['kind']}")
    helpers = [c for c in spec.get("helpers", []) if c in shown.columns]
    if helpers:  # columns a suppression decision needs but a reader does not
        record = shown.attrs.get("disclosure")
        shown = shown.drop(columns=helpers)
        shown.attrs["disclosure"] = record
    if spec["kind"] == "gap":
        markers = {rules.suppressed_marker, *OFS_CODES.values()}
        is_reference = (table[spec["group"]] == spec["reference"]).to_numpy()
        for column in ("gap_pp", "ci_low", "ci_high", "significant"):
            if column in shown.columns:
                keep = shown[column].map(lambda v: v in markers).to_numpy(dtype=bool)
                shown.loc[is_reference & ~keep, column] = ""
    return shown
