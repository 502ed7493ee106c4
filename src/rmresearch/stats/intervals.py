"""Confidence intervals for a rate, a difference of two rates and a ratio of two rates.

All three are vectorised over numpy-like inputs, wrap statsmodels, and return
``(low, high)`` arrays with NaN where the interval is undefined (an empty
denominator; for the ratio, also a zero count).
"""

from __future__ import annotations

import numpy as np

from ..errors import AnalysisError

__all__ = ["wilson_interval", "newcombe_difference", "katz_ratio_interval", "check_alpha"]


def check_alpha(alpha: float) -> float:
    """``alpha`` as a float, or an :class:`~rmresearch.errors.AnalysisError` saying what it must be.

    Examples
    --------
    >>> check_alpha(0.1)
    0.1
    >>> check_alpha(95)
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: alpha must be between 0 and 1 (0.05 gives 95% intervals), not 95.
    """
    if not (isinstance(alpha, (int, float)) and not isinstance(alpha, bool) and 0 < alpha < 1):
        raise AnalysisError(f"alpha must be between 0 and 1 (0.05 gives 95% intervals), not {alpha!r}.")
    return float(alpha)


def wilson_interval(successes, n, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions, vectorised; NaN where ``n`` is 0.

    Examples
    --------
    >>> low, high = wilson_interval([81], [263])   # Newcombe (1998), Table I: 0.2553 to 0.3662
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.2553, 0.3662)
    """
    from statsmodels.stats.proportion import proportion_confint

    successes = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    low = np.full(successes.shape, np.nan)
    high = np.full(successes.shape, np.nan)
    ok = n > 0
    if ok.any():
        low[ok], high[ok] = proportion_confint(successes[ok], n[ok], alpha=alpha, method="wilson")
    return low, high


def newcombe_difference(good_ref, n_ref, good, n, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval (1998, method 10) for ``good_ref / n_ref - good / n``.

    Parameters
    ----------
    good_ref, n_ref : array-like
        Successes and size of the reference group (the first rate).
    good, n : array-like
        Successes and size of the other group.
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper limits of the difference (as proportions, not
        percentage points); NaN where either group is empty.

    Notes
    -----
    statsmodels ``confint_proportions_2indep(method="newcomb", compare="diff")``,
    which combines the two groups' Wilson intervals.

    References
    ----------
    Newcombe RG (1998), Interval estimation for the difference between
    independent proportions: comparison of eleven methods. Statistics in
    Medicine 17, 873-890.

    Examples
    --------
    >>> low, high = newcombe_difference([56], [70], [48], [80])   # Newcombe (1998), Table II (a)
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.0524, 0.3339)
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    alpha = check_alpha(alpha)
    good_ref, n_ref, good, n = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (good_ref, n_ref, good, n))
    low = np.full(good.shape, np.nan)
    high = np.full(good.shape, np.nan)
    ok = (n_ref > 0) & (n > 0)
    if ok.any():
        # statsmodels: interval for diff = p1 - p2 with p1 = count1 / nobs1, so the reference goes first.
        low[ok], high[ok] = confint_proportions_2indep(
            good_ref[ok], n_ref[ok], good[ok], n[ok], method="newcomb", compare="diff", alpha=alpha
        )
    return low, high


def katz_ratio_interval(
    numerator, denominator, reference_numerator, reference_denominator, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Katz's log interval for the ratio of the reference rate to the other rate.

    The ratio is ``(reference_numerator / reference_denominator) /
    (numerator / denominator)``, e.g. the WRES relative likelihood of White
    applicants being appointed compared with another group.

    Parameters
    ----------
    numerator, denominator : array-like
        Events and people of the group compared with the reference.
    reference_numerator, reference_denominator : array-like
        Events and people of the reference group (the ratio's numerator).
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper limits; NaN where a denominator or a count is 0 (the
        ratio or its log variance is then undefined).

    Notes
    -----
    ``exp(log RL ± z sqrt(1/a - 1/n1 + 1/c - 1/n2))`` with ``a / n1`` the
    reference rate and ``c / n2`` the other: statsmodels
    ``confint_proportions_2indep(compare="ratio", method="log")``.

    References
    ----------
    Katz D, Baptista J, Azen SP, Pike MC (1978), Obtaining confidence intervals
    for the risk ratio in cohort studies. Biometrics 34, 469-474.

    Examples
    --------
    >>> # 120/400 White and 40/200 others appointed: ratio 1.5, se of log sqrt(1/120 - 1/400 + 1/40 - 1/200)
    >>> low, high = katz_ratio_interval([40], [200], [120], [400])
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (1.0947, 2.0554)
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    alpha = check_alpha(alpha)
    c, n2, a, n1 = (np.atleast_1d(np.asarray(v, dtype=float))
                    for v in (numerator, denominator, reference_numerator, reference_denominator))
    low = np.full(np.broadcast(c, n2, a, n1).shape, np.nan)
    high = low.copy()
    defined = np.broadcast_to((a > 0) & (c > 0) & (n1 > 0) & (n2 > 0), low.shape)
    if defined.any():
        a, n1, c, n2 = (np.broadcast_to(v, low.shape)[defined] for v in (a, n1, c, n2))
        low[defined], high[defined] = confint_proportions_2indep(
            a, n1, c, n2, method="log", compare="ratio", alpha=alpha
        )
    return low, high
