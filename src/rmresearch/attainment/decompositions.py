"""How much of the gap differences in characteristics explain: Oaxaca-Blinder and Fairlie."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import special

from ..codes import DEFAULT_GOOD_HONOURS
from ..errors import AnalysisError
from ..stats.design import encode_design
from ._common import DEFAULT_COVARIATES, MIN_LEVEL_N, _alpha, _as_list, _attach, _check_frame, _no_one_left, _require
from .logit import _fit_logit, _prepare_model_sample

__all__ = ["oaxaca_blinder", "fairlie"]


def _two_group_sample(students, *, group, reference, comparison, covariates, categorical, outcome, good, what,
                      numeric=False, min_level_n=MIN_LEVEL_N):
    covariates = _as_list(covariates, "covariates")
    _check_frame(students, what)
    _require(students, [group] + covariates, what)
    if comparison == reference:
        raise AnalysisError(f"{what}: comparison and reference are both {reference!r}; choose two different groups.")
    y_all, keep, excluded = _prepare_model_sample(
        students, group=group, covariates=covariates, outcome=outcome, good=good, what=what,
        groups=[reference, comparison], numeric=numeric,
    )
    if not keep.any():
        raise _no_one_left(what, covariates, excluded, students)
    present = students.loc[keep, group]
    for name, label in ((reference, "reference"), (comparison, "comparison")):
        if not (present == name).any():
            raise AnalysisError(
                f"{what}: no students of the {label} group {name!r} (column {group!r}) with an outcome and all "
                f"covariates; groups in the data: {', '.join(sorted(set(students[group].dropna().astype(str))))}."
            )
    # a level is sparse when either group has too few students in it (each group's model needs it)
    design = encode_design(students, covariates, categorical=_as_list(categorical, "categorical"), keep=keep, what=what,
                           min_level_n=min_level_n, outcome=y_all, within=(students[group] == comparison).to_numpy())
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
    min_level_n: int | None = MIN_LEVEL_N,
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
    min_level_n : int or None, default 10
        A level of a categorical covariate with fewer students in either group (or all with the same outcome)
        is merged (:mod:`rmresearch.stats.design`); ``attrs["merged"]`` lists the merges.

    Returns
    -------
    pandas.DataFrame
        ``component`` (``gap``, ``explained``, ``unexplained``, then
        ``endowments``, ``coefficients``, ``interaction`` of the three-fold
        decomposition, then one ``explained`` row per covariate), ``variable``
        (``all`` or the covariate), ``estimate_pp`` (percentage points) and
        ``se_pp`` (bootstrap, when ``n_boot > 0``), ``reference_n``, ``comparison_n``.

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
        min_level_n=min_level_n,
    )
    X = design.X
    # Indicator column 1 for the comparison group: statsmodels splits on np.unique, so
    # group "0" (the reference) is the first group and the gap is reference minus comparison.
    exog = np.column_stack([X, in_comparison.astype(np.float64)])
    bifurcate = exog.shape[1] - 1
    from statsmodels.tools.sm_exceptions import SingularMatrixWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("error", SingularMatrixWarning)
        try:
            model = OaxacaBlinder(y, exog, bifurcate, hasconst=True, swap=False, rng=np.random.default_rng(seed))
            two = model.two_fold(std=n_boot > 0, n=n_boot or None)
            diff = model.exog_f_mean - model.exog_s_mean
            per_var_explained = diff * model.t_params
            three = model.three_fold(std=n_boot > 0, n=n_boot or None)
        except (SingularMatrixWarning, np.linalg.LinAlgError):
            after = " after merging sparse levels" if design.merged else ""
            raise AnalysisError(
                f"oaxaca_blinder: the regressions cannot be estimated{after}: in one group a covariate takes a single "
                "value or is a combination of others; set fewer covariates."
            ) from None
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
    table["reference_n"] = int((~in_comparison).sum())
    table["comparison_n"] = int(in_comparison.sum())
    derived, helpers = _decomposition_bases(table, np.asarray(y, dtype=float), np.asarray(in_comparison, dtype=bool))
    spec = {"kind": "decomposition", "counts": ["reference_n", "comparison_n", *helpers], "rates": {},
            "helpers": helpers, "derived": {"estimate_pp": derived, "se_pp": derived}, "group": group,
            "reference": reference, "comparison": comparison}
    table = _attach(table, excluded=excluded, spec=spec)
    table.attrs["merged"] = list(design.merged)
    table.attrs["min_level_n"] = min_level_n
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
        table["_reference_good"] = int(np.nansum(y[~in_comparison]))
        table["_comparison_good"] = int(np.nansum(y[in_comparison]))
        return ([("reference_n", "_reference_good"), ("comparison_n", "_comparison_good")],
                ["_reference_good", "_comparison_good"])
    return [("reference_n", None), ("comparison_n", None)], []


def _fairlie_parts(Xa, ya, Xb, yb, blocks, order_blocks, rng, n_draws, coefficients, what, names, merged=False):
    """Total explained part and per-block contributions (averaged over draws)."""
    if coefficients == "reference":
        beta = np.asarray(_fit_logit(ya > 0.5, Xa, what, names, merged=merged).params)
    else:  # pooled, with an indicator for the comparison group (left out of the predictions)
        Xp = np.column_stack([np.vstack([Xa, Xb]), np.r_[np.zeros(len(Xa)), np.ones(len(Xb))]])
        beta = np.asarray(_fit_logit(np.r_[ya, yb] > 0.5, Xp, what, names + ["comparison"], merged=merged).params)[:-1]
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
    min_level_n: int | None = MIN_LEVEL_N,
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
    min_level_n : int or None, default 10
        As :func:`oaxaca_blinder`.

    Returns
    -------
    pandas.DataFrame
        ``component`` (``gap``, ``explained``, ``unexplained``, then one
        ``contribution`` row per covariate), ``variable``, ``estimate_pp``,
        ``ci_low``, ``ci_high`` (bootstrap percentile), ``reference_n``,
        ``comparison_n``. ``attrs["sum_of_contributions_pp"]`` is the sum of the
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
        raise AnalysisError(f"fairlie: coefficients must be 'reference' or 'pooled', not {coefficients!r}.")
    for name, value, low in (("n_draws", n_draws, 1), ("n_boot", n_boot, 0), ("boot_draws", boot_draws, 1)):
        if not isinstance(value, (int, np.integer)) or value < low:
            raise AnalysisError(f"fairlie: {name} must be a whole number of at least {low}, not {value!r}.")
    design, y, in_comparison, excluded, covariates = _two_group_sample(
        students, group=group, reference=reference, comparison=comparison, covariates=covariates,
        categorical=categorical, outcome=outcome, good=good, what="fairlie", min_level_n=min_level_n,
    )
    X = design.X
    Xa, ya = X[~in_comparison], y[~in_comparison]
    Xb, yb = X[in_comparison], y[in_comparison]
    rng = np.random.default_rng(seed)
    what = "fairlie"
    explained, contrib, sum_draws = _fairlie_parts(
        Xa, ya, Xb, yb, design.blocks, covariates, rng, n_draws, coefficients, what, design.names, bool(design.merged)
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
        if failures > n_boot // 10:  # intervals resting on the resamples that happened to fit would be too narrow
            raise AnalysisError(
                "fairlie: the model could not be fitted in more than one in ten bootstrap resamples, so its "
                "intervals cannot be trusted; the groups are too small for this decomposition"
            )
        low, high = np.nanpercentile(draws, [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=0)
    components = ["gap", "explained", "unexplained"] + ["contribution"] * len(covariates)
    variables = ["all", "all", "all"] + covariates
    table = pd.DataFrame({"component": components, "variable": variables, "estimate_pp": 100 * estimates,
                          "ci_low": 100 * low, "ci_high": 100 * high})
    table["reference_n"] = len(Xa)
    table["comparison_n"] = len(Xb)
    ys = np.r_[np.asarray(ya, dtype=float), np.asarray(yb, dtype=float)]
    derived, helpers = _decomposition_bases(table, ys, np.r_[np.zeros(len(ya), bool), np.ones(len(yb), bool)])
    spec = {"kind": "decomposition", "counts": ["reference_n", "comparison_n", *helpers], "rates": {},
            "helpers": helpers, "derived": {c: derived for c in ("estimate_pp", "ci_low", "ci_high")}, "group": group,
            "reference": reference, "comparison": comparison}
    table = _attach(table, excluded=excluded, spec=spec)
    table.attrs["merged"] = list(design.merged)
    table.attrs["min_level_n"] = min_level_n
    table.attrs["sum_of_contributions_pp"] = 100 * float(contrib.sum())
    table.attrs["seed"] = seed
    return table
