"""The adjusted ("unexplained") gap: logistic regression and average marginal effects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..codes import DEFAULT_GOOD_HONOURS
from ..errors import AnalysisError
from ..stats.design import encode_design
from ._common import DEFAULT_COVARIATES, MIN_LEVEL_N, _alpha, _as_list, _attach, _check_frame, _no_one_left, _sparse_groups
from .logit import _fit_logit, _group_ames, _prepare_model_sample

__all__ = ["adjusted_gap"]


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
    min_level_n: int | None = MIN_LEVEL_N,
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
        ``categorical`` as dummies (base level: the first in sorted order, see
        :mod:`rmresearch.stats.design`).
    categorical : iterable of str, default ("imd_quintile",)
        Numeric columns to treat as categories.
    alpha : float, default 0.05
    good : sequence of str
        Classes counted as good honours.
    outcome : str, optional
        A yes/no column to model instead of good honours.
    min_level_n : int or None, default 10
        Sparse levels of a categorical covariate (fewer students, or all with the same outcome) are merged
        (:mod:`rmresearch.stats.design`; listed in ``attrs["merged"]``); a group other than the reference that
        sparse is left out of the model (``attrs["groups_left_out"]``, counted in ``attrs["excluded"]``). None
        merges nothing.

    Returns
    -------
    pandas.DataFrame
        One row per group other than the reference: ``group``, ``n``, ``good``,
        ``reference_n``, ``reference_good``, ``raw_gap_pp`` (observed rates in
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
        raise AnalysisError(f"adjusted_gap: {group!r} is the group column; do not list it among the covariates.")
    y_all, keep, excluded = _prepare_model_sample(
        students, group=group, covariates=covariates, outcome=outcome, good=good, what="adjusted_gap"
    )
    if not keep.any():
        raise _no_one_left("adjusted_gap", covariates, excluded, students)
    grp = students[group]
    groups_left_out = None
    if min_level_n is not None:
        keep, groups_left_out = _sparse_groups(grp, y_all, keep, reference=reference, min_n=min_level_n, column=group)
        if groups_left_out is not None:
            excluded = {**excluded, "group_too_small_to_model": groups_left_out.n}
        if not (keep & (grp != reference).to_numpy()).any():
            raise AnalysisError(
                f"adjusted_gap: no group besides {reference} has enough students with an outcome and every covariate "
                "to be modelled (too few students, or all with the same outcome; options.attainment.min_level_n in the "
                "cohort file sets how few is too few)"
            )
    if not (grp[keep] == reference).any():
        raise AnalysisError(
            f"adjusted_gap: no students of the reference group {reference!r} in column {group!r} with an outcome "
            f"and all covariates; groups present: {', '.join(sorted(set(grp[keep].dropna())))}."
        )
    design = encode_design(
        students, [group] + covariates, categorical=set(_as_list(categorical, "categorical")) | {group},
        reference={group: reference}, keep=keep, what="adjusted_gap", min_level_n=min_level_n, outcome=y_all,
    )
    y = y_all[design.keep]
    result = _fit_logit(y, design.X, "adjusted_gap", design.names, merged=bool(design.merged or groups_left_out))
    beta = np.asarray(result.params)
    cov = np.asarray(result.cov_params())
    group_cols = design.blocks[group]
    ames, ses, _, _ = _group_ames(design.X, beta, cov, group_cols)
    table = _gap_rows(grp[design.keep].to_numpy(), y, design.levels[group], ames, ses, group=group,
                      reference=reference, alpha=alpha)
    derived = [("n", "good"), ("reference_n", "reference_good")]
    spec = {
        "kind": "adjusted", "counts": ["n", "good", "reference_n", "reference_good"], "rates": {},
        "derived": {c: derived for c in ("raw_gap_pp", "adjusted_gap_pp", "se_pp", "ci_low", "ci_high", "p_value",
                                          "significant", "explained_pp")},
        "group": group, "reference": reference, "covariates": covariates, "alpha": alpha,
    }
    table = _attach(table, excluded=excluded, spec=spec)
    table.attrs["merged"] = list(design.merged)
    table.attrs["groups_left_out"] = groups_left_out
    table.attrs["min_level_n"] = min_level_n
    table.attrs["model"] = {
        "coefficients": dict(zip(design.names, map(float, beta))),
        "std_errors": dict(zip(design.names, map(float, np.sqrt(np.diag(cov))))),
        "n": int(design.X.shape[0]),
        "log_likelihood": float(result.llf),
        "base_levels": {k: v[0] for k, v in design.levels.items()},
    }
    return table


def _gap_rows(g_values: np.ndarray, y: np.ndarray, levels: list, ames, ses, *, group: str, reference: str,
              alpha: float) -> pd.DataFrame:
    """One row per group other than the reference (the first level): raw and adjusted gap with its interval."""
    z = stats.norm.isf(alpha / 2)
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
            group: level, "n": n_g, "good": good_g, "reference_n": n_ref, "reference_good": good_ref,
            "raw_gap_pp": raw, "adjusted_gap_pp": adj, "se_pp": 100 * se,
            "ci_low": adj - z * 100 * se, "ci_high": adj + z * 100 * se, "p_value": p_value,
            "significant": bool(p_value < alpha), "explained_pp": raw - adj,
        })
    return pd.DataFrame(rows)
