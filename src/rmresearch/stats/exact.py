"""Small-sample intervals and tests for rates, differences of rates and ratios of rates.

Where counts are small (:data:`SMALL_COUNT`), the large-sample methods of
:mod:`rmresearch.stats.intervals` (Wilson, Newcombe, Katz) are replaced or
backed by methods that stay honest at the size of a 12-pair pilot:

- a single rate: the exact binomial mid-p interval (:func:`midp_interval`;
  :func:`clopper_pearson_interval` is the classical, conservative exact one);
- a difference or a ratio of two rates: Fisher's exact test with Lancaster's
  mid-p (:func:`fisher_midp_test`), whose p-value decides significance;
- a ratio of two rates: Koopman's score interval (:func:`koopman_ratio_interval`),
  which, unlike Katz's log interval, keeps close to its nominal coverage in small
  groups and is defined when the reference group has no events.

The interval for a difference stays Newcombe's hybrid score interval, which
Fagerland, Lydersen and Laake (2015) recommend for small as well as large groups.
The rule for "small" is :func:`small_rate` (one rate) and :func:`small_table`
(two rates); :func:`pearson_test` is the large-sample test used otherwise.

References
----------
Lancaster HO (1961), Significance tests in discrete distributions. JASA 56, 223-234.
Lydersen S, Fagerland MW, Laake P (2009), Recommended tests for association in 2x2
tables. Statistics in Medicine 28, 1159-1175.
Koopman PAR (1984), Confidence intervals for the ratio of two binomial proportions.
Biometrics 40, 513-517.
Fagerland MW, Lydersen S, Laake P (2015), Recommended confidence intervals for two
independent binomial proportions. Statistical Methods in Medical Research 24, 224-254.
"""

from __future__ import annotations

import warnings

import numpy as np

from .intervals import check_alpha

__all__ = ["SMALL_COUNT", "METHODS_TEXT", "small_rate", "small_table", "clopper_pearson_interval", "midp_interval",
           "fisher_midp_test", "pearson_test", "koopman_ratio_interval"]

#: A count under this (Cochran's rule: an observed or expected cell count under 5) makes a comparison "small".
SMALL_COUNT = 5

#: The methods appendix's paragraph on intervals and tests (the report's "Intervals and tests").
METHODS_TEXT = (
    "Intervals are 95% intervals. A rate has Wilson's score interval; a gap between two rates (in percentage points) "
    "has Newcombe's hybrid score interval and Pearson's chi-squared p-value, and is marked significant where the "
    "interval excludes zero; a relative likelihood has Katz's log interval. These large-sample methods can mislead "
    f"on small counts. Where a group has fewer than {SMALL_COUNT} people with the outcome, or fewer than "
    f"{SMALL_COUNT} without it, its rate's interval is the exact mid-p interval (method \u201cmid-p\u201d). Where a "
    f"comparison of two groups has a count under {SMALL_COUNT} (with or without the outcome in either group, or "
    "the count expected if the groups did not differ), its p-value is Fisher's exact test with Lancaster's mid-p "
    "and decides significance (method \u201cNewcombe, mid-p test\u201d or \u201cKoopman, mid-p test\u201d): "
    "the gap keeps Newcombe's interval, which holds close to 95% coverage in small groups, and the relative "
    "likelihood takes Koopman's score interval, which stays valid when a group has few events. Near the 5% line "
    "the exact test and the interval can then disagree; the significance shown follows the test. Mid-p methods "
    "are used rather than the classical exact ones (Clopper\u2013Pearson, Fisher's exact p-value) because those "
    "are conservative: wider intervals and larger p-values than the stated level needs (Lydersen, Fagerland and "
    "Laake 2009; Fagerland, Lydersen and Laake 2015)."
)


def _arrays(*values) -> list[np.ndarray]:
    arrays = [np.atleast_1d(np.asarray(v, dtype=float)) for v in values]
    shape = np.broadcast(*arrays).shape
    return [np.broadcast_to(a, shape) for a in arrays]


def small_rate(successes, n) -> np.ndarray:
    """True where a rate rests on fewer than :data:`SMALL_COUNT` successes or failures (and ``n`` > 0).

    Examples
    --------
    >>> small_rate([4, 5, 95, 96, 0], [100, 100, 100, 100, 0]).tolist()
    [True, False, False, True, False]
    """
    successes, n = _arrays(successes, n)
    return (n > 0) & ((successes < SMALL_COUNT) | (n - successes < SMALL_COUNT))


def small_table(good_ref, n_ref, good, n) -> np.ndarray:
    """True where the 2x2 table of two rates has a cell, observed or expected, under :data:`SMALL_COUNT`.

    The cells are the numbers with and without the outcome in each group; the
    expected count of a cell is its row total times its column total over the
    grand total (no difference between the groups). Comparisons with an empty
    group are not small: they cannot be made at all.

    Examples
    --------
    >>> small_table([120, 120, 5], [400, 400, 10], [40, 4, 5], [200, 200, 100]).tolist()   # 5/10 vs 5/100: expected 0.9
    [False, True, True]
    """
    good_ref, n_ref, good, n = _arrays(good_ref, n_ref, good, n)
    total = n_ref + n
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = [good_ref, n_ref - good_ref, good, n - good]
        outcome = good_ref + good
        expected = [n_ref * outcome / total, n_ref * (total - outcome) / total,
                    n * outcome / total, n * (total - outcome) / total]
    small = np.zeros(good.shape, dtype=bool)
    for count in cells + expected:
        small |= count < SMALL_COUNT
    return small & (n_ref > 0) & (n > 0)


def clopper_pearson_interval(successes, n, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """The Clopper-Pearson exact interval for a rate (R's ``binom.test``); NaN where ``n`` is 0.

    Guaranteed coverage, so wider than it needs to be: :func:`midp_interval` is the one the tables use.

    Examples
    --------
    >>> low, high = clopper_pearson_interval([3], [10])   # R: binom.test(3, 10)$conf.int
    >>> round(float(low[0]), 6), round(float(high[0]), 6)
    (0.06674, 0.652453)
    """
    from statsmodels.stats.proportion import proportion_confint

    alpha = check_alpha(alpha)
    successes, n = _arrays(successes, n)
    low = np.full(successes.shape, np.nan)
    high = low.copy()
    ok = n > 0
    if ok.any():
        low[ok], high[ok] = proportion_confint(successes[ok], n[ok], alpha=alpha, method="beta")
    return low, high


def _midp_limits(x: int, n: int, alpha: float) -> tuple[float, float]:
    from scipy.optimize import brentq
    from scipy.stats import binom

    def above(p: float) -> float:  # P(X > x) + P(X = x) / 2 - alpha / 2: rises with p
        return binom.sf(x, n, p) + 0.5 * binom.pmf(x, n, p) - alpha / 2

    def below(p: float) -> float:  # P(X < x) + P(X = x) / 2 - alpha / 2: falls with p
        return binom.cdf(x - 1, n, p) + 0.5 * binom.pmf(x, n, p) - alpha / 2

    low = 0.0 if x == 0 else brentq(above, 0.0, 1.0, xtol=1e-14, rtol=1e-12)
    high = 1.0 if x == n else brentq(below, 0.0, 1.0, xtol=1e-14, rtol=1e-12)
    return low, high


def midp_interval(successes, n, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """The exact binomial mid-p interval for a rate, vectorised; NaN where ``n`` is 0.

    The limits are the rates at which the observed count is just significant
    with half its own probability counted (Lancaster's mid-p): the lower limit
    solves ``P(X > x) + P(X = x)/2 = alpha/2``, the upper ``P(X < x) + P(X = x)/2 = alpha/2``
    (0 and 1 when ``x`` is 0 or ``n``). It is the Clopper-Pearson interval without
    its excess width, and keeps close to nominal coverage for small ``n``. The
    same as R's ``exactci::binom.exact(x, n, midp = TRUE)``.

    Examples
    --------
    With no successes the upper limit is ``1 - alpha ** (1 / n)``:

    >>> low, high = midp_interval([0, 3], [10, 10])
    >>> [round(float(v), 6) for v in (*low, *high)], round(1 - 0.05 ** (1 / 10), 6)
    ([0.0, 0.0826, 0.258866, 0.619919], 0.258866)
    """
    alpha = check_alpha(alpha)
    successes, n = _arrays(successes, n)
    low = np.full(successes.shape, np.nan)
    high = low.copy()
    for i in np.flatnonzero(n.ravel() > 0):
        x, size = int(successes.flat[i]), int(n.flat[i])
        low.flat[i], high.flat[i] = _midp_limits(x, size, alpha)
    return low, high


def _fisher_midp(a: int, n1: int, c: int, n2: int) -> float:
    from scipy.stats import hypergeom

    total, outcome = n1 + n2, a + c
    support = np.arange(max(0, outcome - n2), min(n1, outcome) + 1)
    if len(support) == 1:  # a margin is fixed at 0 or at everyone: one table is possible, no evidence either way
        return 1.0
    probabilities = hypergeom.pmf(support, total, n1, outcome)
    observed = hypergeom.pmf(a, total, n1, outcome)
    fisher = probabilities[probabilities <= observed * (1 + 1e-7)].sum()  # R's fisher.test tolerance for ties
    return float(min(1.0, fisher - 0.5 * observed))


def fisher_midp_test(good_ref, n_ref, good, n) -> np.ndarray:
    """Two-sided p-value of Fisher's exact test with Lancaster's mid-p, for "the two rates are equal".

    Fisher's two-sided p-value (the probability, given the margins, of a
    table no more likely than the one observed) minus half the probability of
    the observed table (Lydersen et al. 2009). Fisher's own test is
    conservative in small groups; the mid-p version keeps close to its
    nominal level. NaN where a group is empty; 1 when nobody (or everybody)
    has the outcome. The test is the same for a difference and a ratio of the rates.

    Examples
    --------
    >>> # R: m <- matrix(c(9, 1, 3, 7), 2, byrow = TRUE); fisher.test(m)$p.value - dhyper(9, 10, 10, 12) / 2
    >>> [round(float(p), 6) for p in fisher_midp_test([9, 0], [10, 12], [3, 0], [10, 12])]
    [0.015004, 1.0]
    """
    good_ref, n_ref, good, n = _arrays(good_ref, n_ref, good, n)
    p = np.full(good.shape, np.nan)
    for i in np.flatnonzero(((n_ref > 0) & (n > 0)).ravel()):
        p.flat[i] = _fisher_midp(int(good_ref.flat[i]), int(n_ref.flat[i]), int(good.flat[i]), int(n.flat[i]))
    return p


def pearson_test(good_ref, n_ref, good, n) -> np.ndarray:
    """Two-sided p-value of Pearson's chi-squared test (no continuity correction) that two rates are equal.

    The large-sample test, R's ``prop.test(correct = FALSE)``; NaN where a
    group is empty, 1 when nobody (or everybody) has the outcome.

    Examples
    --------
    >>> round(float(pearson_test([56], [70], [48], [80])[0]), 6)   # R: prop.test(c(56, 48), c(70, 80), correct = FALSE)
    0.008045
    """
    from scipy.stats import chi2_contingency

    good_ref, n_ref, good, n = _arrays(good_ref, n_ref, good, n)
    p = np.full(good.shape, np.nan)
    for i in np.flatnonzero(((n_ref > 0) & (n > 0)).ravel()):
        a, n1, c, n2 = (float(v.flat[i]) for v in (good_ref, n_ref, good, n))
        if a + c in (0, n1 + n2):
            p.flat[i] = 1.0
            continue
        p.flat[i] = chi2_contingency([[a, n1 - a], [c, n2 - c]], correction=False).pvalue
    return p


def koopman_ratio_interval(
    numerator, denominator, reference_numerator, reference_denominator, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Koopman's score interval for the ratio of the reference rate to the other rate.

    Same arguments and ratio as :func:`~rmresearch.stats.intervals.katz_ratio_interval`
    (``(reference_numerator / reference_denominator) / (numerator / denominator)``).
    The interval holds every ratio that the score test does not reject
    (statsmodels ``confint_proportions_2indep(compare="ratio", method="score",
    correction=False)``). It is defined when the reference group has no
    events (the lower limit is then 0); NaN where a denominator is 0 or the
    other group has no events (the ratio is then infinite or undefined).

    Examples
    --------
    7/12 against 1/12, and 0/10 against 3/10 (R, by root-finding on Koopman's statistic: 1.4432 to 40.7830, 0 to 1.0823):

    >>> low, high = koopman_ratio_interval([1, 3], [12, 10], [7, 0], [12, 10])
    >>> [round(float(v), 4) for v in (*low, *high)]
    [1.4432, 0.0, 40.783, 1.0823]
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    alpha = check_alpha(alpha)
    c, n2, a, n1 = _arrays(numerator, denominator, reference_numerator, reference_denominator)
    low = np.full(c.shape, np.nan)
    high = low.copy()
    for i in np.flatnonzero(((c > 0) & (n1 > 0) & (n2 > 0)).ravel()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # the score root search probes the ratio's edges
            low.flat[i], high.flat[i] = confint_proportions_2indep(
                a.flat[i], n1.flat[i], c.flat[i], n2.flat[i], compare="ratio", method="score", correction=False,
                alpha=alpha,
            )
    return low, high
