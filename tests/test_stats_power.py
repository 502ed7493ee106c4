"""rmresearch.stats.power: the smallest effect a cohort could have detected, checked by independent computation."""

from __future__ import annotations

import math

import pytest
from scipy import stats as sps

from rmresearch.errors import AnalysisError
from rmresearch.stats.power import minimum_detectable_change, minimum_detectable_difference


def _paired_t_power(d_z, n, alpha=0.05):
    """Power of a two-sided paired t test computed directly on the noncentral t (G*Power's method), by hand."""
    df, nc = n - 1, d_z * math.sqrt(n)
    crit = sps.t.ppf(1 - alpha / 2, df)
    return sps.nct.sf(crit, df, nc) + sps.nct.cdf(-crit, df, nc)


@pytest.mark.parametrize("n", [5, 12, 30])
def test_minimum_detectable_change_has_the_requested_power_on_the_noncentral_t(n):
    d_z = minimum_detectable_change(n).d_z
    assert _paired_t_power(d_z, n) == pytest.approx(0.8, abs=1e-6)


def test_minimum_detectable_change_known_value_for_twelve_pairs():
    # 12 pairs, two-sided alpha 0.05, power 0.8: d_z = 0.8887 (statsmodels TTestPower; the noncentral-t value G*Power
    # 3.1's sensitivity analysis reports). The normal approximation (z[.975] + z[.8]) / sqrt(12) = 0.8088 is too small
    # for so few pairs, which is why the t distribution is used.
    got = minimum_detectable_change(12, sd_change=0.5)
    assert got.d_z == pytest.approx(0.8887, abs=5e-4)
    assert got.d_z > (sps.norm.ppf(0.975) + sps.norm.ppf(0.8)) / math.sqrt(12)
    assert got.change == pytest.approx(got.d_z * 0.5)
    assert math.isnan(minimum_detectable_change(12).change)
    # more pairs, or a lower power, detect a smaller change
    assert minimum_detectable_change(48).d_z < got.d_z
    assert minimum_detectable_change(12, power=0.5).d_z < got.d_z


def test_minimum_detectable_change_too_few_pairs_and_bad_arguments():
    assert all(math.isnan(v) for v in minimum_detectable_change(1, sd_change=1.0))
    assert math.isnan(minimum_detectable_change(0).d_z)
    with pytest.raises(AnalysisError, match="power"):
        minimum_detectable_change(12, power=80)
    with pytest.raises(AnalysisError, match="significance level"):
        minimum_detectable_change(12, alpha=0.95)
    with pytest.raises(AnalysisError, match="n_pairs"):
        minimum_detectable_change(-3)


@pytest.mark.parametrize("n1, n2", [(100, 100), (40, 160), (25, 9)])
def test_minimum_detectable_difference_against_the_normal_formula_by_hand(n1, n2):
    # h = (z[1 - alpha/2] + z[power]) * sqrt(1/n1 + 1/n2) (Cohen 1988, ch. 6); NormalIndPower also counts the far
    # tail, which moves h by less than 1e-5 at these sizes.
    h = (sps.norm.ppf(0.975) + sps.norm.ppf(0.8)) * math.sqrt(1 / n1 + 1 / n2)
    got = minimum_detectable_difference(n1, n2, 0.3)
    assert got.h == pytest.approx(h, rel=1e-4)
    # back to proportions: 2 asin(sqrt(p)) - 2 asin(sqrt(0.3)) = +-h
    p_up, p_down = 0.3 + got.increase, 0.3 - got.decrease
    assert 2 * math.asin(math.sqrt(p_up)) - 2 * math.asin(math.sqrt(0.3)) == pytest.approx(got.h)
    assert 2 * math.asin(math.sqrt(0.3)) - 2 * math.asin(math.sqrt(p_down)) == pytest.approx(got.h)


def test_minimum_detectable_difference_worked_value_and_edges():
    # 100 v 100 around 50%: h = 2.8016 * sqrt(0.02) = 0.39620; p = sin(pi/4 + h/2)^2 = (1 + sin h) / 2 = 0.69296
    got = minimum_detectable_difference(100, 100, 0.5)
    assert got.h == pytest.approx(0.39620, abs=1e-5)
    assert got.increase == pytest.approx((1 + math.sin(got.h)) / 2 - 0.5, abs=1e-12)
    assert got.decrease == pytest.approx(got.increase)
    # below 50% the decrease needed is smaller than the increase (the arcsine scale stretches near 0)
    low = minimum_detectable_difference(100, 100, 0.1)
    assert low.decrease < low.increase
    # a change that would take the proportion below 0 is not detectable that way
    assert math.isnan(minimum_detectable_difference(10, 10, 0.02).decrease)
    assert all(math.isnan(v) for v in minimum_detectable_difference(0, 50, 0.4))
    with pytest.raises(AnalysisError, match="proportion"):
        minimum_detectable_difference(50, 50, 40)
