"""Mentored students against matched students who were not mentored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..codes import DEFAULT_GOOD_HONOURS
from ..errors import AnalysisError
from ..stats.design import encode_design
from ..stats.intervals import newcombe_difference
from ..stats.matching import exact_match_weights
from ._common import DEFAULT_TARIFF_BANDS, _alpha, _as_list, _attach, _check_frame, _excluded, _known_group, _require
from .groups import _outcome, tariff_band
from .logit import _fit_logit

__all__ = ["mentored_comparison"]


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
        raise AnalysisError(f"mentored_comparison: method must be 'exact' or 'propensity', not {method!r}.")
    _require(students, [treatment], "mentored_comparison", "The students table needs a yes/no 'mentored' column.")
    frame = students
    if method == "exact" and "tariff_band" in match_on and "tariff_band" not in students.columns:
        _require(students, ["tariff"], "mentored_comparison", "tariff_band is derived from the tariff column.")
        frame = students.assign(tariff_band=tariff_band(students["tariff"], bands=bands).astype(str))
    match_cols = _as_list(match_on, "match_on") if method == "exact" else _as_list(covariates, "covariates")
    _require(frame, match_cols, "mentored_comparison")
    sample = _mentored_sample(frame, treatment=treatment, match_cols=match_cols, outcome=outcome, good=good)
    if method == "exact":
        weights = _exact_weights(frame, sample, match_cols)
    else:
        weights = _propensity_weights(frame, sample, match_cols, set(_as_list(categorical, "categorical")), caliper)
    return _mentored_table(sample, weights, method=method, match_cols=match_cols, alpha=alpha)


#: The note when no student took part: the scheme pairs staff (or community partners) only.
_NO_STUDENT_PARTICIPANTS = ("no student in the students table took part in the scheme (every {treatment!r} is no): "
                            "this scheme has no student participants, so there are no mentored students to compare")


@dataclass
class _Sample:
    """The students a mentored comparison may use."""

    treated: np.ndarray  # bool per row: in the scheme
    y: np.ndarray  # float per row: the outcome (NaN where missing)
    has: np.ndarray  # bool per row: outcome and treatment known
    complete: np.ndarray  # bool per row: all matching values known (and a known group)
    keep: np.ndarray  # has & complete (the propensity method narrows it to common support)
    excluded: dict[str, int]


def _mentored_sample(frame: pd.DataFrame, *, treatment: str, match_cols: list[str], outcome: str | None,
                     good: Sequence[str]) -> _Sample:
    y, why = _outcome(frame, outcome, good, "mentored_comparison")
    t = frame[treatment]
    if not (pd.api.types.is_bool_dtype(t.dtype)):
        raise AnalysisError(f"mentored_comparison: column {treatment!r} must be yes/no (True/False).")
    has = y.notna().to_numpy() & t.notna().to_numpy()
    complete = np.ones(len(frame), dtype=bool)
    for c in match_cols:
        complete &= frame[c].notna().to_numpy()
        if _is_group_column(c):  # a characteristic's group: Unknown is no value to match on
            complete &= _known_group(frame[c])
    keep = has & complete
    tv = t.to_numpy(dtype=bool, na_value=False)
    if not tv.any():
        raise AnalysisError(_NO_STUDENT_PARTICIPANTS.format(treatment=treatment))
    excluded = _excluded(**{why.replace(" ", "_"): int((~y.notna()).sum())},
                         treated_missing_matching_values=int((has & tv & ~complete).sum()))
    if not (keep & tv).any():
        raise AnalysisError(
            f"mentored_comparison: no {treatment} students have an outcome ({outcome or 'a classified degree'}) "
            f"and values for {_in_words(match_cols)}; the comparison needs mentored students who have qualified."
        )
    if not (keep & ~tv).any():
        raise AnalysisError(f"mentored_comparison: no students outside the scheme ({treatment} False) to compare with.")
    return _Sample(treated=tv, y=y.to_numpy(dtype=float, na_value=np.nan), has=has, complete=complete, keep=keep,
                   excluded=excluded)


def _exact_weights(frame: pd.DataFrame, sample: _Sample, match_cols: list[str]) -> np.ndarray:
    """Exact matching on ``match_cols`` (:func:`rmresearch.stats.matching.exact_match_weights`)."""
    weights = np.zeros(len(frame))
    weights[sample.keep] = exact_match_weights(frame.loc[sample.keep], treated=sample.treated[sample.keep],
                                               on=match_cols, what="mentored_comparison").to_numpy()
    return weights


def _propensity_weights(frame: pd.DataFrame, sample: _Sample, match_cols: list[str], cat_cols: set,
                        caliper: float) -> np.ndarray:
    """Nearest-neighbour matching, with replacement, on the logit of the propensity score within a caliper."""
    tv, keep = sample.treated, sample.keep
    # Levels with only mentored or only comparison students have no common support (and would
    # make the propensity model separate perfectly): leave them out, and count them.
    for c in match_cols:
        s_c = frame[c]
        if c in cat_cols or not pd.api.types.is_numeric_dtype(s_c.dtype) or pd.api.types.is_bool_dtype(s_c.dtype):
            level = s_c.astype(str).to_numpy()
            common = set(level[keep & tv]) & set(level[keep & ~tv])
            keep = keep & np.isin(level, list(common))
    sample.keep = keep
    sample.excluded["outside_common_support"] = int((sample.has & sample.complete & ~keep).sum())
    what = "mentored_comparison (propensity model)"
    design = encode_design(frame, match_cols, categorical=cat_cols, keep=keep, what=what)
    tk = tv[design.keep]
    score = design.X @ np.asarray(_fit_logit(tk, design.X, what, design.names).params)
    control_idx = np.flatnonzero(~tk)
    order = control_idx[np.argsort(score[control_idx], kind="stable")]
    sorted_scores = score[order]
    treated_idx = np.flatnonzero(tk)
    pos = np.searchsorted(sorted_scores, score[treated_idx])
    left = np.clip(pos - 1, 0, len(order) - 1)
    right = np.clip(pos, 0, len(order) - 1)
    nearer_left = np.abs(sorted_scores[left] - score[treated_idx]) <= np.abs(sorted_scores[right] - score[treated_idx])
    pick = np.where(nearer_left, left, right)
    ok = np.abs(sorted_scores[pick] - score[treated_idx]) <= caliper * score.std()
    w = np.zeros(len(tk))
    w[treated_idx[ok]] = 1.0
    np.add.at(w, order[pick[ok]], 1.0)
    weights = np.zeros(len(frame))
    weights[np.flatnonzero(design.keep)] = w
    return weights


def _mentored_table(sample: _Sample, weights: np.ndarray, *, method: str, match_cols: list[str],
                    alpha: float) -> pd.DataFrame:
    """The one-row result: weighted rates of the two groups and Newcombe's interval with Kish's effective n."""
    tv, yv = sample.treated, sample.y
    treated_w = weights * tv
    control_w = weights * (~tv)
    n_tm = int(treated_w.sum())
    if n_tm == 0:
        raise AnalysisError(
            "mentored_comparison: no mentored student has a comparison student with the same "
            f"{_in_words(match_cols) if method == 'exact' else 'propensity score (within the caliper)'}; "
            "match on fewer characteristics (match_on=), use wider tariff bands, or the propensity-score comparison."
        )
    good_t = float(np.nansum(treated_w * yv))
    rate_t = good_t / n_tm
    sw = control_w.sum()
    rate_c = float(np.nansum(control_w * yv) / sw)
    n_eff = float(sw ** 2 / (control_w ** 2).sum())
    low, high = newcombe_difference([good_t], [n_tm], [rate_c * n_eff], [n_eff], alpha)
    table = pd.DataFrame([{
        "method": method, "n_treated": int((sample.has & tv).sum()), "n_treated_matched": n_tm,
        "good_treated": int(round(good_t)), "rate_treated": rate_t, "n_control": int((control_w > 0).sum()),
        "n_control_effective": n_eff, "rate_control": rate_c, "difference_pp": 100 * (rate_t - rate_c),
        "ci_low": 100 * low[0], "ci_high": 100 * high[0], "significant": bool(100 * low[0] > 0 or 100 * high[0] < 0),
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
    table = _attach(table, excluded=sample.excluded, spec=spec)
    table.attrs["unmatched_treated"] = int((sample.has & tv).sum()) - n_tm
    return table


def _is_group_column(column: str) -> bool:
    """A characteristic's group column (``ethnicity_group``, ``sex_aggregate``, ``disability_by_sex``)."""
    return str(column).endswith(("_group", "_aggregate")) or "_by_" in str(column) or "ethnicity" in str(column)


def _in_words(columns) -> str:
    """Matching columns as a reader reads them ("ethnic group, faculty, entry year and tariff band").

    >>> _in_words(["ethnicity_group", "faculty", "entry_year", "tariff_band"])
    'ethnic group, faculty, entry year and tariff band'
    >>> _in_words(["disability_group", "disability_by_sex", "faculty"])
    'disability group, disability by sex group and faculty'
    """
    from ._common import COVARIATE_LABELS

    words = {"ethnicity_group": "ethnic group", "ethnicity_aggregate": "ethnic group", **COVARIATE_LABELS}
    names = [words.get(c, str(c).removesuffix("_aggregate").removesuffix("_group").replace("_", " ") + " group"
                       if _is_group_column(c) else str(c).replace("_", " ")) for c in columns]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
