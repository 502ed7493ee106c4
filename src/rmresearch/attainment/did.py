"""Did the gap change after the scheme started? A difference-in-differences across years."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..codes import DEFAULT_GOOD_HONOURS
from ..errors import AnalysisError
from ._common import ATTRS, _alpha, _as_list, _attach, _check_frame, _excluded, _require
from .groups import _outcome

__all__ = ["gap_difference_in_differences", "first_mentored_year"]


def first_mentored_year(students: pd.DataFrame, *, treatment: str = "mentored", year: str = "qualification_year") -> int:
    """The first year in which mentored students qualified: the start year of :func:`gap_difference_in_differences`.

    An :class:`~rmresearch.errors.AnalysisError` when no mentored student has qualified yet (a first cohort still
    studying), so a notebook section shows a note instead of failing.

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({"mentored": [True, True, False], "qualification_year": [2024, 2023, 2019]})
    >>> first_mentored_year(students)
    2023
    >>> first_mentored_year(students.assign(mentored=False))
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: no student in the students table took part in the scheme (every 'mentored' is no): this scheme has no student participants, so there is no year from which it could have changed the gap
    >>> first_mentored_year(students.assign(qualification_year=[None, None, 2019]))
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: no mentored student has qualified yet (no 'qualification_year' among the students whose 'mentored' is yes), so there is no year from which the scheme could have changed the gap.
    """
    _check_frame(students, "first_mentored_year")
    _require(students, [treatment, year], "first_mentored_year")
    mentored = students[treatment].astype("boolean").fillna(False).to_numpy(dtype=bool)
    if not mentored.any():
        raise AnalysisError(f"no student in the students table took part in the scheme (every {treatment!r} is no): "
                            "this scheme has no student participants, so there is no year from which it could have "
                            "changed the gap")
    years = pd.to_numeric(students[year], errors="coerce")[mentored].dropna()
    if years.empty:
        raise AnalysisError(
            f"no mentored student has qualified yet (no {year!r} among the students whose {treatment!r} is yes), so "
            "there is no year from which the scheme could have changed the gap."
        )
    return int(years.min())


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
                raise AnalysisError(
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
    did_table.attrs[ATTRS] = {"kind": "did_estimate", "counts": ["n_smallest_cell", "_n_nearest_cell", "_outcome_nearest_cell"],
                               "rates": {}, "helpers": ["_n_nearest_cell", "_outcome_nearest_cell"],
                               "derived": {c: [("n_smallest_cell", None), ("_n_nearest_cell", "_outcome_nearest_cell")]
                                           for c in ("estimate_pp", "se_pp", "ci_low", "ci_high")}}
    table.attrs["did"] = did
    table.attrs["did_table"] = did_table
    return table
