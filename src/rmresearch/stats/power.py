"""The smallest effect a study of this size could have detected (sensitivity analysis, with statsmodels).

A non-significant result from a small cohort says little unless one also says how large a real effect would have
had to be to be detected reliably. :func:`minimum_detectable_change` answers that for a paired pre/post comparison
(paired t test, Cohen's d_z); :func:`minimum_detectable_difference` for a difference between two groups' proportions
(Cohen's h, normal approximation); :func:`minimum_detectable_ratio` turns that into a ratio of the two rates (a WRES
relative likelihood) and :func:`minimum_detectable_hazard_ratio` gives the hazard ratio a Cox model on a number of events
could detect (Schoenfeld's approximation).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from ..errors import AnalysisError
from .reliability import check_significance

__all__ = ["DetectableChange", "DetectableDifference", "DetectableRatio", "minimum_detectable_change",
           "minimum_detectable_difference", "minimum_detectable_ratio", "minimum_detectable_hazard_ratio"]


class DetectableChange(NamedTuple):
    """Smallest paired change detectable: ``d_z`` (mean change / SD of the changes) and ``change`` in scale units
    (``d_z * sd_change``; NaN without an SD)."""

    d_z: float
    change: float


class DetectableDifference(NamedTuple):
    """Smallest difference in proportions detectable around a reference proportion: Cohen's ``h`` and the
    ``increase`` (p - p_reference) and ``decrease`` (p_reference - p) it stands for, both positive proportions
    (NaN when a change of that size would leave 0..1)."""

    h: float
    increase: float
    decrease: float


class DetectableRatio(NamedTuple):
    """The ratios nearest 1 that would have been detected: ``low`` (below 1) and ``high`` (above 1); a ratio between
    them could be missed. NaN where no such ratio exists (a group too small, a rate that would leave 0..1)."""

    low: float
    high: float


def _check_power(power: float) -> None:
    if not 0 < power < 1:
        raise AnalysisError(f"power is the chance of detecting a real effect, above 0 and below 1 (0.8 is usual), not {power}.")


def _check_size(value, what: str) -> float:
    try:
        size = float(value)
    except (TypeError, ValueError):
        raise AnalysisError(f"{what} must be a number of people, not {value!r}.") from None
    if math.isnan(size) or size < 0:
        raise AnalysisError(f"{what} must be a number of people (0 or more), not {value!r}.")
    return size


def minimum_detectable_change(n_pairs, *, sd_change: float | None = None, alpha: float = 0.05,
                              power: float = 0.8) -> DetectableChange:
    """Smallest standardised pre/post change a paired t test on ``n_pairs`` pairs detects with the given power.

    Two-sided, at significance level ``alpha``; solved on the noncentral t distribution
    (:class:`statsmodels.stats.power.TTestPower`), as G*Power's sensitivity analysis does. Fewer than two pairs: NaN.

    Examples
    --------
    >>> round(minimum_detectable_change(12).d_z, 2)
    0.89
    >>> [round(v, 2) for v in minimum_detectable_change(12, sd_change=0.5)]
    [0.89, 0.44]
    """
    from statsmodels.stats.power import TTestPower

    check_significance(alpha)
    _check_power(power)
    n = _check_size(n_pairs, "n_pairs")
    if n < 2:
        return DetectableChange(float("nan"), float("nan"))
    d_z = float(TTestPower().solve_power(effect_size=None, nobs=n, alpha=alpha, power=power, alternative="two-sided"))
    sd = float("nan") if sd_change is None else float(sd_change)
    return DetectableChange(d_z, d_z * sd if sd >= 0 else float("nan"))


def minimum_detectable_difference(n1, n2, p_reference: float, *, alpha: float = 0.05,
                                  power: float = 0.8) -> DetectableDifference:
    """Smallest difference in proportions between groups of ``n1`` and ``n2`` people detectable around ``p_reference``.

    Cohen's h = 2 asin(sqrt(p)) - 2 asin(sqrt(p_reference)) is solved for the power (two-sided, normal approximation,
    :class:`statsmodels.stats.power.NormalIndPower`, ratio n2/n1); roughly h = (z[1 - alpha/2] + z[power]) *
    sqrt(1/n1 + 1/n2). It is turned back into proportions: p = sin(asin(sqrt(p_reference)) +- h/2)^2. On the arcsine
    scale a change is easier to detect far from 0.5, so the increase and the decrease differ.
    An empty group: NaN.

    Examples
    --------
    >>> got = minimum_detectable_difference(100, 100, 0.5)
    >>> round(got.h, 3), round(got.increase, 3), round(got.decrease, 3)
    (0.396, 0.193, 0.193)
    """
    from statsmodels.stats.power import NormalIndPower

    check_significance(alpha)
    _check_power(power)
    first, second = _check_size(n1, "n1"), _check_size(n2, "n2")
    p = float(p_reference)
    if not 0 <= p <= 1:
        raise AnalysisError(f"p_reference is a proportion between 0 and 1, not {p_reference!r}.")
    nan = float("nan")
    if first == 0 or second == 0:
        return DetectableDifference(nan, nan, nan)
    h = float(NormalIndPower().solve_power(effect_size=None, nobs1=first, ratio=second / first, alpha=alpha,
                                            power=power, alternative="two-sided"))
    angle = math.asin(math.sqrt(p))
    up, down = angle + h / 2, angle - h / 2
    increase = math.sin(up) ** 2 - p if up <= math.pi / 2 else nan
    decrease = p - math.sin(down) ** 2 if down >= 0 else nan
    return DetectableDifference(h, increase, decrease)


def minimum_detectable_ratio(n_reference, n_group, p_reference: float, *, alpha: float = 0.05,
                             power: float = 0.8) -> DetectableRatio:
    """Smallest relative likelihood ``p_reference / p_group`` (WRES style) detectable between groups of these sizes.

    :func:`minimum_detectable_difference` around the reference group's rate, turned into ratios: the group's rate
    would have to fall to ``p_reference - decrease`` (ratio ``high`` above 1) or rise to ``p_reference + increase``
    (ratio ``low`` below 1) for a two-sided test at ``alpha`` to detect it with the given power.

    Examples
    --------
    465 BAME and 2,485 White person-years, 6.6% of the White ones with a promotion:

    >>> [round(v, 2) for v in minimum_detectable_ratio(2485, 465, 0.066)]
    [0.63, 1.87]
    """
    got = minimum_detectable_difference(n_reference, n_group, p_reference, alpha=alpha, power=power)
    p = float(p_reference)
    nan = float("nan")
    if math.isnan(got.h) or p == 0:
        return DetectableRatio(nan, nan)
    low = p / (p + got.increase) if not math.isnan(got.increase) else nan
    high = p / (p - got.decrease) if not math.isnan(got.decrease) and p - got.decrease > 0 else nan
    return DetectableRatio(low, high)


def minimum_detectable_hazard_ratio(events, share: float, *, alpha: float = 0.05, power: float = 0.8) -> DetectableRatio:
    """Smallest hazard ratio a Cox model (or log-rank test) on ``events`` events could detect, two groups.

    Schoenfeld's approximation: the log hazard ratio's estimate has variance ``1 / (D p (1 - p))`` with ``D`` events
    and a share ``p`` of the people in the first group, so the smallest detectable ``|log HR|`` is
    ``(z[1 - alpha/2] + z[power]) / sqrt(D p (1 - p))``, solved here by :class:`statsmodels.stats.power.NormalIndPower`
    with ``D p`` and ``D (1 - p)`` as the two groups' sizes. No events, or a share of 0 or 1: NaN.

    References
    ----------
    Schoenfeld DA (1983), Sample-size formula for the proportional-hazards regression model, Biometrics 39, 499-503:
    with equal groups, 80% power and a two-sided 5% test, a hazard ratio of 2 needs about 65 events.

    Examples
    --------
    >>> [round(v, 2) for v in minimum_detectable_hazard_ratio(65.35, 0.5)]
    [0.5, 2.0]
    """
    from statsmodels.stats.power import NormalIndPower

    check_significance(alpha)
    _check_power(power)
    d = _check_size(events, "events")
    p = float(share)
    nan = float("nan")
    if not 0 <= p <= 1:
        raise AnalysisError(f"share is the proportion of people in the first group, between 0 and 1, not {share!r}.")
    if d == 0 or p in (0.0, 1.0):
        return DetectableRatio(nan, nan)
    h = float(NormalIndPower().solve_power(effect_size=None, nobs1=d * p, ratio=(1 - p) / p, alpha=alpha,
                                            power=power, alternative="two-sided"))
    return DetectableRatio(math.exp(-h), math.exp(h))
