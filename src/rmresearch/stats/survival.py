"""Survival-model diagnostics: Schoenfeld residuals and the proportional-hazards test, Efron or Breslow ties.

statsmodels' ``PHReg`` fits Cox models with either method for tied event
times, but its ``schoenfeld_residuals`` always subtract the Breslow risk-set
means, so a test built on them mixes an Efron fit with Breslow residuals.
:func:`schoenfeld_residuals` computes them under the fit's own method, as R
survival's ``residuals.coxph(type = "schoenfeld")`` does, and
:func:`cox_zph` is R survival (>= 3.0)'s ``cox.zph`` score test built on the
same risk-set sums.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import AnalysisError

__all__ = ["TIME_TRANSFORMS", "schoenfeld_residuals", "cox_zph"]

#: The ``transform`` values :func:`cox_zph` accepts, as in R's ``cox.zph``.
TIME_TRANSFORMS = ("rank", "identity", "log", "km")


def _check_ties(ties: str) -> None:
    if ties not in ("efron", "breslow"):
        raise AnalysisError(f"ties must be 'efron' (as R coxph and lifelines) or 'breslow', not {ties!r}.")


def _risk_set_sums(x: np.ndarray, weight: np.ndarray, time: np.ndarray, event: np.ndarray):
    """Unique event times of one stratum with the weighted sums (of 1, x, x x') over their risk sets and their events."""
    times, inverse = np.unique(time, return_inverse=True)
    outer = x[:, :, None] * x[:, None, :]

    def by_time(mask):
        sums = [np.zeros(len(times)), np.zeros((len(times), x.shape[1])), np.zeros((len(times),) + outer.shape[1:])]
        w = np.where(mask, weight, 0.0)
        for total, values in zip(sums, (w, w[:, None] * x, w[:, None, None] * outer)):
            np.add.at(total, inverse, values)
        return sums

    at_time, dead = by_time(np.ones(len(time), dtype=bool)), by_time(event)
    risk = [np.cumsum(v[::-1], axis=0)[::-1] for v in at_time]  # everyone with time >= t
    deaths = np.bincount(inverse, weights=event.astype(float), minlength=len(times)).astype(int)
    for k in np.flatnonzero(deaths):
        yield np.flatnonzero(event & (inverse == k)), [v[k] for v in risk], [v[k] for v in dead]


def _event_times(time, event, design, params, strata, ties):
    """Per event time (within stratum): the row numbers of its events, their mean covariate and summed variance.

    Yields ``(rows, mean, variance)``: ``mean`` is the covariate mean the
    events' residuals subtract (Efron: the average over the ``d`` tied
    events' partly-removed risk sets; Breslow: the full risk set's) and
    ``variance`` the time's contribution to the information matrix.
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event).astype(bool)
    raw = np.asarray(design, dtype=float)
    centre = raw.mean(axis=0)
    x = raw - centre  # centred, as R does, so exp(eta) stays in range
    eta = x @ np.asarray(params, dtype=float)
    weight = np.exp(eta - eta.max())
    strata = np.zeros(len(time), dtype=int) if strata is None else pd.factorize(np.asarray(strata))[0]
    for stratum in np.unique(strata):
        members = np.flatnonzero(strata == stratum)
        for rows, (s0, s1, s2), (d0, d1, d2) in _risk_set_sums(x[members], weight[members], time[members], event[members]):
            d = len(rows)
            fractions = np.arange(d) / d if ties == "efron" else np.zeros(d)
            means, variance = [], np.zeros((x.shape[1], x.shape[1]))
            for f in fractions:
                a0, a1, a2 = s0 - f * d0, s1 - f * d1, s2 - f * d2
                m = a1 / a0
                means.append(m)
                variance += a2 / a0 - np.outer(m, m)
            yield members[rows], np.mean(means, axis=0) + centre, variance


def schoenfeld_residuals(
    time: Sequence[float],
    event: Sequence[int],
    design: pd.DataFrame | np.ndarray,
    params: Sequence[float],
    *,
    ties: str = "efron",
    strata: Sequence | None = None,
) -> np.ndarray:
    """Schoenfeld residuals of a fitted Cox model, under the fit's method for tied event times.

    Parameters
    ----------
    time, event : array-like
        Durations and event indicators (1 = event, 0 = censored).
    design : DataFrame or array
        The covariate matrix the model was fitted on (one column per coefficient).
    params : array-like
        The fitted coefficients.
    ties : {"efron", "breslow"}
        The method the model was fitted with.
    strata : array-like, optional
        Stratum of each row (separate risk sets).

    Returns
    -------
    numpy.ndarray
        One row per input row, one column per coefficient: ``x_i - m(t_i)``
        for events, missing (NaN) for censored rows.

    Notes
    -----
    For ``d`` events tied at ``t`` Efron's method removes a fraction ``r/d``
    (``r = 0 .. d-1``) of the tied events' weight from the risk set in turn;
    ``m(t)`` is the average of the ``d`` weighted means, so each time's
    residuals sum to its contribution to the Efron score, as in R's
    ``residuals.coxph``. Breslow's ``m(t)`` is the full risk set's weighted mean.

    Examples
    --------
    Two events tied at time 1, both with ``x = 1``, the coefficient at 0. R:
    ``residuals(coxph(Surv(time, status) ~ x, data = d, ties = "efron", init = 0,
    control = coxph.control(iter.max = 0)), "schoenfeld")`` with
    ``d <- data.frame(time = c(1, 1, 2, 3), status = c(1, 1, 1, 0), x = c(1, 1, 0, 0))``
    gives 0.5833 0.5833 0 (Breslow: 0.5 0.5 0):

    >>> time, event, x = [1, 1, 2, 3], [1, 1, 1, 0], [[1], [1], [0], [0]]
    >>> schoenfeld_residuals(time, event, x, [0.0]).round(4).ravel().tolist()
    [0.5833, 0.5833, 0.0, nan]
    >>> schoenfeld_residuals(time, event, x, [0.0], ties="breslow").round(4).ravel().tolist()
    [0.5, 0.5, 0.0, nan]
    """
    _check_ties(ties)
    x = np.asarray(design, dtype=float)
    out = np.full(x.shape, np.nan)
    for rows, mean, _ in _event_times(time, event, x, params, strata, ties):
        out[rows] = x[rows] - mean
    return out


def _transformed_time(time: np.ndarray, event: np.ndarray, transform: str) -> np.ndarray:
    """``g(t)`` for every row, as R's ``cox.zph`` (ranks and Kaplan-Meier over all rows, ignoring strata)."""
    if transform == "rank":
        return stats.rankdata(time)
    if transform == "identity":
        return time.astype(float)
    if transform == "log":
        if (time[event] <= 0).any():
            raise AnalysisError("the 'log' time transform needs event times above 0; use 'rank' or 'km'.")
        with np.errstate(divide="ignore"):
            return np.log(time)
    if transform == "km":
        times, deaths = np.unique(time[event], return_counts=True)
        at_risk = len(time) - np.searchsorted(np.sort(time), times, side="left")
        survival = np.concatenate([[1.0], np.cumprod(1 - deaths / at_risk)])
        # left-continuous: the estimate just before each row's time
        return 1 - survival[np.searchsorted(times, time, side="left")]
    raise AnalysisError(f"the time transform must be one of {', '.join(map(repr, TIME_TRANSFORMS))}, not {transform!r}.")


def cox_zph(
    time: Sequence[float],
    event: Sequence[int],
    design: pd.DataFrame | np.ndarray,
    params: Sequence[float],
    *,
    ties: str = "efron",
    strata: Sequence | None = None,
    transform: str = "km",
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Test of proportional hazards for each coefficient of a fitted Cox model: R survival's ``cox.zph``.

    Parameters
    ----------
    time, event, design, params, ties, strata
        As :func:`schoenfeld_residuals`.
    transform : {"km", "rank", "identity", "log"}
        ``g(t)``: 1 minus the left-continuous Kaplan-Meier estimate (R's
        default), the rank of the times, the times, or their log.
    names : sequence of str, optional
        Coefficient names (default the columns of ``design``).

    Returns
    -------
    pandas.DataFrame
        ``covariate, rho, chisq, p_value``: ``rho`` is the correlation of
        the scaled Schoenfeld residuals with ``g(t)`` at the event times (R's
        ``residuals(fit, "scaledsch")``), ``chisq`` the score test on 1 df.

    Notes
    -----
    As ``cox.zph(fit, transform, terms = FALSE)`` in R survival 3: the score
    test, at the fitted coefficients, of adding ``x_j g(t)`` to the model,
    with the full information matrix of ``(x, x_j g(t))``. Both the score and
    the information are sums over the risk sets under the fit's ``ties``
    method, so an Efron fit is tested with Efron residuals. ``g`` is centred
    at its mean over the events.

    References
    ----------
    Grambsch PM, Therneau TM (1994), Proportional hazards tests and diagnostics
    based on weighted residuals, Biometrika 81, 515-526. Therneau TM, survival
    package for R, ``cox.zph`` (version 3.0 and later).

    Examples
    --------
    R survival's ``aml`` data. R 4.2.2, survival 3.5.3: ``f <- coxph(Surv(time, status) ~ x, data = aml)``;
    ``cox.zph(f, terms = FALSE)`` gives chisq 0.00787508, p 0.929287 and
    ``cox.zph(f, transform = "identity", terms = FALSE)`` chisq 0.202175, p 0.652971:

    >>> from statsmodels.duration.hazard_regression import PHReg
    >>> time = np.array([9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161, 5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45])
    >>> status = np.array([1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1])
    >>> x = pd.DataFrame({"x[Nonmaintained]": [0.0] * 11 + [1.0] * 12})
    >>> fit = PHReg(time, x, status=status, ties="efron").fit(disp=False)
    >>> cox_zph(time, status, x, fit.params).round(4)
              covariate     rho   chisq  p_value
    0  x[Nonmaintained]  0.0198  0.0079   0.9293
    >>> cox_zph(time, status, x, fit.params, transform="identity")[["chisq", "p_value"]].round(4)
        chisq  p_value
    0  0.2022    0.653
    """
    _check_ties(ties)
    t = np.asarray(time, dtype=float)
    e = np.asarray(event).astype(bool)
    x = np.asarray(design, dtype=float)
    beta = np.asarray(params, dtype=float)
    names = list(design.columns) if names is None and isinstance(design, pd.DataFrame) else list(names or range(x.shape[1]))
    g = _transformed_time(t, e, transform)
    g = g - g[e].mean()
    p = x.shape[1]
    u = np.zeros(p)
    info = np.zeros((3, p, p))  # sum V, sum g V, sum g^2 V
    residuals = np.full(x.shape, np.nan)
    for rows, mean, variance in _event_times(t, e, x, beta, strata, ties):
        gt = g[rows[0]]
        residuals[rows] = x[rows] - mean
        u += gt * residuals[rows].sum(axis=0)
        info += np.stack([variance, gt * variance, gt**2 * variance])
    chisq = np.empty(p)
    try:
        for j in range(p):
            imat = np.block([[info[0], info[1][:, [j]]], [info[1][[j], :], info[2][[j]][:, [j]]]])
            score = np.r_[np.zeros(p), u[j]]
            chisq[j] = score @ np.linalg.solve(imat, score)
        scaled = residuals[e] @ np.linalg.inv(info[0]) * e.sum() + beta
    except np.linalg.LinAlgError:
        raise AnalysisError(
            "proportional-hazards test: the information matrix is singular (a covariate does not vary within the "
            "risk sets, e.g. it is constant within every stratum); remove that covariate or the strata."
        ) from None
    rho = [np.corrcoef(g[e], scaled[:, j])[0, 1] if np.std(scaled[:, j]) > 0 else np.nan for j in range(p)]
    return pd.DataFrame({"covariate": names, "rho": rho, "chisq": chisq, "p_value": stats.chi2.sf(chisq, 1)})
