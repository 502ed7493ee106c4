"""Partially pooled estimates across cohorts: each cohort's value shrunk toward the average of all cohorts.

A cohort of 12 pairs gives a noisy rate or gap. With several cohorts of the same scheme, each cohort's value can be
estimated by borrowing strength from the others: the estimate moves toward the average of all cohorts, the more so
the smaller (noisier) the cohort and the more alike the cohorts look. Such estimates are *partially pooled*: between
each cohort's own value (no pooling) and one common value (complete pooling). They are shown beside the raw values,
never instead of them, and always labelled as such.

- :func:`pooled_rates`: a rate (events out of n) per cohort. A logistic model with a random intercept per cohort,
  fitted by statsmodels' :class:`~statsmodels.genmod.bayes_mixed_glm.BinomialBayesMixedGLM` (mean-field
  variational Bayes, ``fit_vb``). Priors: normal with sd ``prior_sd`` (default 2) for the common log-odds; normal
  with sd ``between_prior_sd`` (default 1) for the log of the between-cohort sd. Each cohort's log-odds has an
  approximately normal posterior (common intercept plus its random effect, independent under the mean-field
  approximation); the pooled rate is its posterior mean on the rate scale (Gauss-Hermite quadrature) and the
  interval the equal-tailed ``1 - alpha`` posterior interval, transformed to the rate scale. Mean-field
  variational Bayes tends to give intervals a little narrower than the full posterior. The model is fitted to one
  row per person (statsmodels takes no binomial counts), so its time grows with the total n: well under a second
  for pairs, some seconds for tens of thousands of students.
- :func:`pooled_estimates`: an estimate with a standard error per cohort (a mean, a gap, a log ratio). Empirical
  Bayes in the normal-normal model: the between-cohort variance tau^2 by DerSimonian and Laird's method of moments
  (``method="dl"``, the default) or Paule and Mandel's iterated estimator (``method="pm"``), both from
  :func:`statsmodels.stats.meta_analysis.combine_effects`; the overall mean mu is the random-effects weighted mean.
  Cohort i with estimate y_i and variance v_i is shrunk by B_i = v_i / (v_i + tau^2):
  ``pooled_i = mu + (1 - B_i) (y_i - mu)``, with variance ``(1 - B_i) v_i + B_i^2 Var(mu)`` (Morris 1983, taking
  tau^2 as known, so with few cohorts the intervals are somewhat narrow). With tau^2 = 0 every cohort's pooled
  estimate is the overall mean.

Both need at least two cohorts, and turn anything that cannot be estimated into an
:class:`~rmresearch.errors.AnalysisError` with a plain reason.
"""

from __future__ import annotations

import math
import warnings
from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..errors import AnalysisError
from .intervals import check_alpha

__all__ = ["Pooled", "pooled_rates", "pooled_estimates", "POOLED_LABEL", "se_from_interval"]

#: How the report labels a partially pooled value.
POOLED_LABEL = "partially pooled (shrunk toward the average of all cohorts)"
METHODS = {"dl": "DerSimonian and Laird (method of moments)", "pm": "Paule and Mandel (iterated)"}


class Pooled(NamedTuple):
    """Partially pooled estimates.

    ``table``: one row per cohort in the order given, with ``cohort``, ``n`` (rates) or ``se`` (estimates), the raw
    ``estimate``, the ``pooled`` estimate, its ``ci_low`` and ``ci_high`` and ``shrinkage`` (the share of the way
    from the raw estimate to the overall mean the pooled one moved; NaN where the raw estimate is the mean).
    ``mean``, ``mean_ci_low``, ``mean_ci_high``: the average of all cohorts (for rates: the rate of a typical cohort,
    the inverse logit of the common intercept). ``between_sd``: the between-cohort standard deviation (for rates on
    the log-odds scale, its posterior median). ``method``: how it was estimated, for the methods appendix.
    """

    table: pd.DataFrame
    mean: float
    mean_ci_low: float
    mean_ci_high: float
    between_sd: float
    method: str


def _names(cohorts: Sequence, k: int) -> list[str]:
    names = [str(c) for c in cohorts]
    if len(names) != k:
        raise AnalysisError(f"partial pooling: {len(names)} cohort name(s) for {k} value(s); give one name per value.")
    if len(set(names)) != len(names):
        twice = sorted({c for c in names if names.count(c) > 1})
        raise AnalysisError(f"partial pooling: cohort(s) {', '.join(twice)} given more than once; give each once.")
    if len(names) < 2:
        raise AnalysisError("partial pooling needs at least two cohorts with a value; "
                            f"there {'is' if names else 'are'} {len(names)} ({', '.join(names) or 'none'}). "
                            "It becomes possible once a second cohort's report has recorded this measure.")
    return names


def _shrinkage(raw: np.ndarray, pooled: np.ndarray, mean: float) -> np.ndarray:
    gap = raw - mean
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(gap) > 1e-12, (raw - pooled) / gap, np.nan)


def _expit_mean(m: np.ndarray, s: np.ndarray) -> np.ndarray:
    """E[expit(X)] for X ~ N(m, s^2), by 40-point Gauss-Hermite quadrature."""
    x, w = np.polynomial.hermite_e.hermegauss(40)
    return (sps.logistic.cdf(m[:, None] + s[:, None] * x[None, :]) * w).sum(axis=1) / w.sum()


def _rate_inputs(events, n, k: int) -> tuple[np.ndarray, np.ndarray]:
    ev = np.asarray(events, dtype=float)
    nn = np.asarray(n, dtype=float)
    if ev.shape != (k,) or nn.shape != (k,):
        raise AnalysisError(f"pooled_rates: give one count of events and one n per cohort ({k} cohorts).")
    finite = np.all(np.isfinite(ev)) and np.all(np.isfinite(nn))
    if not finite or np.any(ev != np.round(ev)) or np.any(nn != np.round(nn)):
        raise AnalysisError("pooled_rates: events and n must be whole numbers of people (or pairs), not "
                            f"{ev.tolist()} out of {nn.tolist()}.")
    if np.any(nn < 1) or np.any(ev < 0) or np.any(ev > nn):
        raise AnalysisError(f"pooled_rates: each cohort needs n of at least 1 and events between 0 and n, not "
                            f"{ev.astype(int).tolist()} out of {nn.astype(int).tolist()}.")
    if ev.sum() == 0 or ev.sum() == nn.sum():
        everyone = "none" if ev.sum() == 0 else "all"
        raise AnalysisError(f"partial pooling of a rate: {everyone} of the {int(nn.sum())} people in every cohort had "
                            "the outcome, so the cohorts do not differ and there is nothing to pool.")
    return ev.astype(int), nn.astype(int)


def pooled_rates(cohorts: Sequence, events: Sequence, n: Sequence, *, alpha: float = 0.05,
                 prior_sd: float = 2.0, between_prior_sd: float = 1.0) -> Pooled:
    """Each cohort's rate partially pooled toward the typical cohort's (logistic random intercept, Bayesian).

    Parameters
    ----------
    cohorts : sequence of str
        Cohort names, one per rate.
    events, n : sequences of whole numbers
        How many had the outcome, out of how many, per cohort.
    alpha : float
        ``1 - alpha`` posterior intervals (0.05: 95%).
    prior_sd, between_prior_sd : float
        Prior sd of the common log-odds, and of the log of the between-cohort sd (statsmodels' ``fe_p`` and
        ``vcp_p``).

    Returns
    -------
    Pooled
        ``table`` columns: ``cohort``, ``n``, ``events``, ``estimate`` (events / n), ``pooled`` (posterior mean
        rate), ``ci_low``, ``ci_high``, ``shrinkage``.

    Examples
    --------
    >>> p = pooled_rates(["a", "b", "c"], [2, 30, 25], [10, 100, 100])
    >>> p.table[["cohort", "estimate"]].to_dict("records")[0]
    {'cohort': 'a', 'estimate': 0.2}
    >>> bool(p.table.loc[0, "pooled"] > 0.2)  # the smallest cohort moves most toward the others
    True
    """
    from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    alpha = check_alpha(alpha)
    names = _names(cohorts, len(cohorts))
    ev, nn = _rate_inputs(events, n, len(names))
    k = len(names)
    group = np.repeat(np.arange(k), nn)
    y = np.concatenate([np.r_[np.ones(e), np.zeros(m - e)] for e, m in zip(ev, nn)])
    exog_vc = np.zeros((len(y), k))
    exog_vc[np.arange(len(y)), group] = 1.0
    model = BinomialBayesMixedGLM(y, np.ones((len(y), 1)), exog_vc, np.zeros(k, dtype=int), vcp_p=between_prior_sd,
                                  fe_p=prior_sd, fep_names=["intercept"], vcp_names=["cohort"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("error", RuntimeWarning)
        try:
            fit = model.fit_vb(rng=0)
        except (ConvergenceWarning, RuntimeWarning, np.linalg.LinAlgError, FloatingPointError) as exc:
            raise AnalysisError(f"partial pooling of a rate: the random-intercept model could not be fitted "
                                f"({exc}); the raw rates are shown without pooled ones.") from None
    if not fit.optim_retvals.success or not np.all(np.isfinite(fit.params)):
        raise AnalysisError("partial pooling of a rate: the random-intercept model did not converge; the raw rates "
                            "are shown without pooled ones.")
    z = sps.norm.ppf(1 - alpha / 2)
    logit = fit.fe_mean[0] + fit.vc_mean
    sd = np.sqrt(fit.fe_sd[0] ** 2 + fit.vc_sd ** 2)
    pooled = _expit_mean(logit, sd)
    mean = float(_expit_mean(fit.fe_mean[:1], fit.fe_sd[:1])[0])
    raw = ev / nn
    table = pd.DataFrame({"cohort": names, "n": nn, "events": ev, "estimate": raw, "pooled": pooled,
                          "ci_low": sps.logistic.cdf(logit - z * sd), "ci_high": sps.logistic.cdf(logit + z * sd),
                          "shrinkage": _shrinkage(raw, pooled, mean)})
    return Pooled(table, mean, float(sps.logistic.cdf(fit.fe_mean[0] - z * fit.fe_sd[0])),
                  float(sps.logistic.cdf(fit.fe_mean[0] + z * fit.fe_sd[0])), float(math.exp(fit.vcp_mean[0])),
                  "logistic model with a random intercept per cohort, statsmodels BinomialBayesMixedGLM "
                  f"(variational Bayes; priors: common log-odds N(0, {prior_sd:g}^2), log between-cohort sd "
                  f"N(0, {between_prior_sd:g}^2))")


def se_from_interval(ci_low, ci_high, *, alpha: float = 0.05, log: bool = False) -> np.ndarray:
    """Standard errors read back from symmetric ``1 - alpha`` intervals (on the log scale with ``log``, for ratios).

    Examples
    --------
    >>> se_from_interval([0.04], [0.08]).round(5).tolist()
    [0.01021]
    """
    low, high = np.asarray(ci_low, dtype=float), np.asarray(ci_high, dtype=float)
    if log:
        if np.any(low <= 0) or np.any(high <= 0):
            raise AnalysisError("se_from_interval: a ratio's interval must be above 0 to be read on the log scale, "
                                f"not {low.tolist()} to {high.tolist()}.")
        low, high = np.log(low), np.log(high)
    return (high - low) / (2 * sps.norm.ppf(1 - check_alpha(alpha) / 2))


def pooled_estimates(cohorts: Sequence, estimates: Sequence, se: Sequence, *, alpha: float = 0.05,
                     method: str = "dl") -> Pooled:
    """Each cohort's estimate shrunk toward the overall mean by empirical Bayes (normal-normal model).

    Parameters
    ----------
    cohorts : sequence of str
        Cohort names, one per estimate.
    estimates, se : sequences of float
        Each cohort's estimate and its standard error (all above 0).
    alpha : float
        ``1 - alpha`` intervals (0.05: 95%).
    method : {"dl", "pm"}
        Between-cohort variance: DerSimonian-Laird (method of moments) or Paule-Mandel (iterated).

    Returns
    -------
    Pooled
        ``table`` columns: ``cohort``, ``estimate``, ``se``, ``pooled``, ``pooled_se``, ``ci_low``, ``ci_high``,
        ``shrinkage`` (B_i = v_i / (v_i + tau^2): 1 means pooled all the way to the mean); ``between_sd`` is tau.

    Examples
    --------
    >>> p = pooled_estimates(["a", "b"], [1.0, 1.0], [0.5, 0.5])  # no heterogeneity: tau = 0, all at the mean
    >>> p.between_sd, p.table["pooled"].tolist()
    (0.0, [1.0, 1.0])
    """
    from statsmodels.stats.meta_analysis import combine_effects

    alpha = check_alpha(alpha)
    if method not in METHODS:
        raise AnalysisError(f"pooled_estimates: method must be one of {', '.join(METHODS)} "
                            f"({'; '.join(f'{k}: {v}' for k, v in METHODS.items())}), not {method!r}.")
    names = _names(cohorts, len(cohorts))
    y = np.asarray(estimates, dtype=float)
    s = np.asarray(se, dtype=float)
    if y.shape != (len(names),) or s.shape != (len(names),):
        raise AnalysisError(f"pooled_estimates: give one estimate and one standard error per cohort ({len(names)}).")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(s)) and np.all(s > 0)):
        raise AnalysisError("pooled_estimates: every cohort needs a finite estimate and a standard error above 0 "
                            f"(an interval of some width), not estimates {y.tolist()} with standard errors "
                            f"{s.tolist()}.")
    v = s ** 2
    # with identical cohorts (Q = 0) statsmodels divides by zero in statistics not used here (I^2, the HKSJ scale)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", RuntimeWarning)  # (the later filter takes precedence)
        try:
            res = combine_effects(y, v, method_re=method, alpha=alpha)
        except (Warning, np.linalg.LinAlgError, FloatingPointError) as exc:
            raise AnalysisError(f"partial pooling: the between-cohort variance could not be estimated "
                                f"({exc}).") from None
    # statsmodels leaves the DerSimonian-Laird moment estimate untruncated; below 0 it is 0, and the random-effects
    # mean is then the fixed-effect (inverse-variance) mean
    tau2 = max(float(res.tau2), 0.0)
    mu, sd_mu = (res.mean_effect_re, res.sd_eff_w_re) if tau2 > 0 else (res.mean_effect_fe, res.sd_eff_w_fe)
    mu, var_mu = float(mu), float(sd_mu) ** 2
    if not all(map(math.isfinite, (tau2, mu, var_mu))):
        raise AnalysisError("partial pooling: the between-cohort variance could not be estimated from these cohorts' "
                            "estimates and standard errors.")
    b = v / (v + tau2)
    pooled = mu + (1 - b) * (y - mu)
    pooled_se = np.sqrt((1 - b) * v + b ** 2 * var_mu)
    z = sps.norm.ppf(1 - alpha / 2)
    table = pd.DataFrame({"cohort": names, "estimate": y, "se": s, "pooled": pooled, "pooled_se": pooled_se,
                          "ci_low": pooled - z * pooled_se, "ci_high": pooled + z * pooled_se, "shrinkage": b})
    return Pooled(table, mu, mu - z * math.sqrt(var_mu), mu + z * math.sqrt(var_mu), math.sqrt(tau2),
                  f"empirical Bayes (normal-normal model), between-cohort variance by {METHODS[method]}, "
                  "statsmodels combine_effects")
