"""Mentoring: cohorts from each scheme year, exact matching on the start, the stratified Cox effect."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..stats.matching import exact_matched_sets
from ._common import _require_columns
from .cox import cox_model
from .snapshots import _as_prepared, staff_careers

__all__ = ["mentoring_cohorts", "matched_comparison", "mentoring_effect", "matching_summary"]


def mentoring_cohorts(snapshots: pd.DataFrame) -> pd.DataFrame:
    """Careers from each mentoring cohort's start: the newly mentored and everyone not yet mentored.

    For each census year in which someone is first flagged ``mentored``, the
    clock starts in that year (:func:`staff_careers` with ``start_year``) for
    everyone present and not mentored before it. Those first mentored that year
    are ``mentored``; the rest are candidates for comparison, and a candidate
    who is mentored in a later year is censored when mentoring begins (events
    in the years after that snapshot are not counted), so no mentored time is
    credited to the comparison group.

    Returns
    -------
    pandas.DataFrame
        :func:`staff_careers` columns plus ``cohort`` (the start year); a person
        can appear once per cohort as a candidate and once as mentored.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.progression import prepare_snapshots
    >>> staff = pd.DataFrame({"staff_id": ["a", "a", "a", "b", "b", "b"], "year": [2020, 2021, 2022] * 2,
    ...                       "grade": ["7", "7", "8", "7", "7", "8"], "ethnicity_group": ["Black"] * 6,
    ...                       "mentored": [False, True, True, False, False, True]})
    >>> m = mentoring_cohorts(prepare_snapshots(staff, grade_scale=["7", "8"]))
    >>> m[["cohort", "staff_id", "mentored", "years_to_promotion", "promoted"]]
       cohort staff_id  mentored  years_to_promotion  promoted
    0    2021        a      True                   1      True
    1    2021        b     False                   1      True
    2    2022        b      True                   0     False
    """
    s = _as_prepared(snapshots)
    flagged = s.loc[s["mentored"]]
    first_mentored = flagged.groupby("staff_id")["year"].min()
    if first_mentored.empty:
        raise AnalysisError("No one is flagged as mentored in the staff snapshots, so there are no mentoring cohorts.")
    pieces = []
    for cohort in sorted(pd.unique(first_mentored)):
        careers = staff_careers(s, start_year=int(cohort))
        began = careers["staff_id"].map(first_mentored)
        careers = careers.loc[began.isna() | (began >= cohort)].copy()
        began = careers["staff_id"].map(first_mentored)
        careers["mentored"] = (began == cohort).to_numpy()
        later = (began > cohort).to_numpy()
        limit = (began - cohort).to_numpy(dtype=float, na_value=np.inf)
        for time, flag in (("years_to_promotion", "promoted"), ("years_to_leaving", "left")):
            cut = later & (careers[time].to_numpy() > limit)
            careers.loc[cut, time] = limit[cut].astype(int)
            careers.loc[cut, flag] = False
        careers.insert(0, "cohort", int(cohort))
        pieces.append(careers)
    return pd.concat(pieces, ignore_index=True)


def matched_comparison(
    careers: pd.DataFrame,
    *,
    treatment: str = "mentored",
    on: Sequence[str] = ("cohort", "start_grade", "faculty", "first_year"),
) -> pd.DataFrame:
    """Mentored staff with comparison staff matched exactly on cohort, grade, faculty and start year.

    Every mentored person is kept with all non-mentored people who share their
    values of ``on`` (one matched set per combination); sets without both kinds
    are dropped.

    Parameters
    ----------
    careers : pandas.DataFrame
        :func:`mentoring_cohorts` (or :func:`staff_careers` with ``start_year``
        and ``on`` without ``cohort``), so both groups' clocks start together.
    treatment : str
        True/False column marking mentored staff.
    on : sequence of str
        Exact-matching columns (default: mentoring cohort, grade at the start,
        faculty, first year in the records).

    Returns
    -------
    pandas.DataFrame
        The matched rows with ``matched_set`` (an integer id), ``set_treated``,
        ``set_comparison`` and ``weight`` (1 for the mentored; for comparison
        staff, mentored ÷ comparison in the set, so each set's comparison group
        weighs as much as its mentored group). ``attrs["unmatched_treated"]``
        counts mentored people without a match.

    Examples
    --------
    >>> import pandas as pd
    >>> careers = pd.DataFrame({"staff_id": list("abcdef"), "mentored": [True, False, False, True, False, False],
    ...                         "start_grade": ["7", "7", "7", "8", "9", "8"], "faculty": ["Arts"] * 6,
    ...                         "first_year": [2020] * 6})
    >>> m = matched_comparison(careers, on=["start_grade", "faculty", "first_year"])
    >>> m[["staff_id", "mentored", "matched_set", "weight"]]
      staff_id  mentored  matched_set  weight
    0        a      True            0     1.0
    1        b     False            0     0.5
    2        c     False            0     0.5
    3        d      True            1     1.0
    4        f     False            1     1.0
    """
    on = list(on)
    _require_columns(careers, [treatment, *on], "matched_comparison")
    sets = exact_matched_sets(careers, treated=treatment, on=on, what="matched_comparison")
    treated = careers[treatment].astype(bool)
    if not treated.any():
        raise AnalysisError(f"matched_comparison: no one has {treatment} True, so there is nothing to compare; "
                            "check the treatment column.")
    keep = (sets["matched_set"] >= 0).to_numpy()
    out = careers.loc[keep].copy()
    for column in ("matched_set", "set_treated", "set_comparison", "weight"):
        out[column] = sets[column].to_numpy()[keep]
    out = out.sort_values("matched_set", kind="stable").reset_index(drop=True)
    out.attrs["unmatched_treated"] = int((treated & ~keep).sum())
    out.attrs["matched_on"] = on
    return out


def mentoring_effect(
    matched: pd.DataFrame,
    *,
    duration: str = "years_to_promotion",
    event: str = "promoted",
    treatment: str = "mentored",
    covariates: Sequence[str] = (),
    ties: str = "efron",
    alpha: float = 0.05,
    reference_levels: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Hazard ratio of the event for mentored vs matched comparison staff.

    A Cox model stratified by matched set (each set has its own baseline
    hazard, so grade, faculty and start year are compared like with like),
    with the mentored flag and any further ``covariates``.

    Returns
    -------
    pandas.DataFrame
        As :func:`cox_model`, with ``mentored_n`` (the number of mentored rows in the model); the ``treatment``
        row is the mentoring effect (hazard ratio above 1: promoted sooner).

    Raises
    ------
    rmresearch.errors.AnalysisError
        When the mentored (or the comparison) staff have no events yet: their hazard ratio would be 0 or
        infinite, so the reason is given (e.g. the follow-up is one year) instead of a fit that does not converge.
    """
    _require_columns(matched, ["matched_set", treatment, duration, event], "mentoring_effect")
    data = matched.copy()
    data[treatment] = data[treatment].astype(bool)
    if not data[treatment].any() or data[treatment].all():
        on = ", ".join(str(c).replace("_", " ") for c in matched.attrs.get("matched_on", ())) or "the matching columns"
        raise AnalysisError(f"No {treatment} staff has a match among staff not {treatment} (the same {on}), so there "
                            "is no comparison to make.")
    _check_follow_up(data, duration=duration, event=event, treatment=treatment)
    fit = cox_model(
        data,
        duration=duration,
        event=event,
        covariates=[treatment, *covariates],
        ties=ties,
        strata="matched_set",
        alpha=alpha,
        reference_levels=reference_levels,
    )
    fit["mentored_n"] = int(data[treatment].sum())
    return fit


def matching_summary(matched: pd.DataFrame, *, treatment: str = "mentored") -> pd.DataFrame:
    """How many mentored staff found matches, and how many comparison staff they were matched with.

    Returns
    -------
    pandas.DataFrame
        ``group`` ("Mentored, matched", "Mentored, no match", "Comparison staff"), ``people`` and ``matched_sets``
        (missing for the unmatched): counts of people, for :func:`~rmresearch.disclosure.disclose`.

    Examples
    --------
    >>> import pandas as pd
    >>> careers = pd.DataFrame({"staff_id": list("abcdef"), "mentored": [True, False, False, True, False, True],
    ...                         "start_grade": ["7", "7", "7", "8", "8", "9"], "faculty": ["Arts"] * 6,
    ...                         "first_year": [2020] * 6})
    >>> matching_summary(matched_comparison(careers, on=["start_grade", "faculty", "first_year"]))
                    group  people  matched_sets
    0   Mentored, matched       2           2.0
    1  Mentored, no match       1           NaN
    2    Comparison staff       3           2.0
    """
    _require_columns(matched, [treatment, "matched_set"], "matching_summary")
    treated = matched[treatment].astype(bool)
    sets = float(matched["matched_set"].nunique())
    return pd.DataFrame({
        "group": ["Mentored, matched", "Mentored, no match", "Comparison staff"],
        "people": [int(treated.sum()), int(matched.attrs.get("unmatched_treated", 0)), int((~treated).sum())],
        "matched_sets": [sets, np.nan, sets],
    })


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_HAPPENED = {"promoted": "been promoted", "left": "left", "leaver": "left"}


def _years(n: float) -> str:
    """A number of whole years in words ("one year"): a note shows words, not counts that might be small."""
    whole = int(round(float(n)))
    word = _NUMBER_WORDS[whole] if 0 <= whole < len(_NUMBER_WORDS) else str(whole)
    return f"{word} year" if whole == 1 else f"{word} years"


def _check_follow_up(data: pd.DataFrame, *, duration: str, event: str, treatment: str) -> None:
    """Refuse a comparison where one side has no events yet: its hazard ratio would be 0 or infinite.

    >>> import pandas as pd
    >>> matched = pd.DataFrame({"mentored": [True, True, False, False], "years_to_promotion": [1, 1, 1, 3],
    ...                         "promoted": [False, False, True, False]})
    >>> _check_follow_up(matched, duration="years_to_promotion", event="promoted", treatment="mentored")
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: No mentored staff has been promoted yet: the follow-up is one year since they joined the scheme, so a hazard ratio cannot be estimated.
    """
    happened = _HAPPENED.get(event, f"had the event {event!r}")
    events = data[event].astype(bool)
    who = data[treatment]
    if who.any() and not events[who].any():
        longest = float(pd.to_numeric(data.loc[who, duration]).max())
        typical = float(pd.to_numeric(data.loc[who, duration]).median())
        if longest == 0:
            raise AnalysisError(f"No {treatment} staff has {happened} yet: they joined the scheme in the last census "
                                "year of the records, so there is no follow-up yet.")
        longest_words = "" if _years(longest) == _years(typical) else f" (the longest is {_years(longest)})"
        raise AnalysisError(
            f"No {treatment} staff has {happened} yet: the follow-up is {_years(typical)} since they joined the scheme"
            f"{longest_words}, so a hazard ratio cannot be estimated.")
    if (~who).any() and not events[~who].any():
        raise AnalysisError(f"None of the matched comparison staff has {happened} in the follow-up, so a hazard ratio "
                            "cannot be estimated.")
