"""Small-sample intervals and tests (rmresearch.stats.exact) against R.

The R values below come from base R 4 (no packages), run as:

    midp <- function(x, n, alpha = 0.05) {   # the mid-p limits, exactci::binom.exact(midp = TRUE)
      lo <- if (x == 0) 0 else uniroot(function(p) pbinom(x, n, p, lower.tail = FALSE) + 0.5 * dbinom(x, n, p)
                                       - alpha / 2, c(1e-12, 1 - 1e-12), tol = 1e-14)$root
      hi <- if (x == n) 1 else uniroot(function(p) pbinom(x - 1, n, p) + 0.5 * dbinom(x, n, p) - alpha / 2,
                                       c(1e-12, 1 - 1e-12), tol = 1e-14)$root
      c(lo, hi) }
    binom.test(x, n)$conf.int                                       # Clopper-Pearson
    fmid <- function(m) fisher.test(m)$p.value - 0.5 * dhyper(m[1, 1], sum(m[1, ]), sum(m[2, ]), sum(m[, 1]))
    prop.test(c(a, c), c(n1, n2), correct = FALSE)$p.value          # Pearson
    # Koopman: the constrained MLE by optimize() over p2 with p1 = theta * p2, the statistic
    # sum((x - n p~)^2 / (n p~ (1 - p~))), and uniroot() for the thetas where it equals qchisq(0.95, 1).
"""

from __future__ import annotations

import numpy as np
import pytest

from rmresearch.errors import AnalysisError
from rmresearch.stats.exact import (
    clopper_pearson_interval,
    fisher_midp_test,
    koopman_ratio_interval,
    midp_interval,
    pearson_test,
    small_rate,
    small_table,
)

# (x, n): R midp(x, n)
MIDP = [
    ((0, 10), (0.0, 0.2588655509)),
    ((1, 10), (0.005001475282, 0.4034761557)),
    ((3, 10), (0.08260021698, 0.6199185659)),
    ((7, 20), (0.1677347375, 0.573048718)),
    ((10, 10), (0.7411344491, 1.0)),
    ((2, 29), (0.01172847481, 0.2096591749)),
    ((81, 263), (0.2544021049, 0.3657734743)),
]

# (x, n): R binom.test(x, n)$conf.int
CLOPPER_PEARSON = [
    ((0, 10), (0.0, 0.3084971078)),
    ((1, 10), (0.002528578544, 0.445016117)),
    ((3, 10), (0.06673951118, 0.6524528501)),
    ((7, 20), (0.1539092048, 0.5921885345)),
    ((10, 10), (0.6915028922, 1.0)),
    ((81, 263), (0.2527367456, 0.3676219226)),
]

# (good_ref, n_ref, good, n): R fisher.test p, fmid. The first is Fisher's (1935) lady tasting tea, two-sided p 0.486.
FISHER = [
    ((3, 4, 1, 4), 0.4857142857, 0.3714285714),
    ((9, 10, 3, 10), 0.0197666111, 0.01500357228),
    ((2, 10, 0, 10), 0.4736842105, 0.3552631579),
    ((120, 400, 2, 60), 1.14348877e-06, 8.122147739e-07),
    ((5, 10, 5, 10), 1.0, 0.8281408993),
    ((7, 12, 1, 12), 0.027190739, 0.02072957329),
]


@pytest.mark.parametrize("counts, expected", MIDP)
def test_midp_interval_matches_r(counts, expected):
    low, high = midp_interval([counts[0]], [counts[1]])
    assert (low[0], high[0]) == pytest.approx(expected, abs=1e-8)


def test_midp_interval_other_alpha_and_closed_form():
    low, high = midp_interval(3, 10, alpha=0.10)  # R: midp(3, 10, 0.1)
    assert (low[0], high[0]) == pytest.approx((0.1074447985, 0.5705748253), abs=1e-8)
    # x = 0: 0.5 (1 - p)^n = alpha / 2, so the upper limit is 1 - alpha^(1/n)
    _, high = midp_interval([0, 0], [5, 24])
    assert high == pytest.approx([1 - 0.05 ** (1 / 5), 1 - 0.05 ** (1 / 24)], abs=1e-10)


def test_midp_interval_is_inside_clopper_pearson_and_nan_for_empty_groups():
    x, n = np.array([0, 1, 3, 7, 10, 4]), np.array([10, 10, 10, 20, 10, 0])
    low, high = midp_interval(x, n)
    cp_low, cp_high = clopper_pearson_interval(x, n)
    assert np.isnan(low[5]) and np.isnan(high[5]) and np.isnan(cp_low[5])
    assert (low[:5] >= cp_low[:5] - 1e-12).all() and (high[:5] <= cp_high[:5] + 1e-12).all()
    assert (high[:5] - low[:5] < cp_high[:5] - cp_low[:5]).all()


@pytest.mark.parametrize("counts, expected", CLOPPER_PEARSON)
def test_clopper_pearson_matches_r_binom_test(counts, expected):
    low, high = clopper_pearson_interval([counts[0]], [counts[1]])
    assert (low[0], high[0]) == pytest.approx(expected, abs=1e-8)


def test_intervals_refuse_a_bad_alpha():
    with pytest.raises(AnalysisError, match="alpha must be between 0 and 1"):
        midp_interval([1], [10], alpha=95)
    with pytest.raises(AnalysisError, match="alpha must be between 0 and 1"):
        koopman_ratio_interval([1], [10], [2], [10], alpha=0)


@pytest.mark.parametrize("table, fisher, midp", FISHER)
def test_fisher_midp_matches_r(table, fisher, midp):
    p = fisher_midp_test(*([v] for v in table))
    assert p[0] == pytest.approx(midp, rel=1e-7)
    assert p[0] < fisher  # mid-p is Fisher's p less half the observed table's probability


def test_fisher_midp_is_symmetric_in_the_groups_and_handles_degenerate_tables():
    assert fisher_midp_test(1, 12, 7, 12)[0] == pytest.approx(0.02072957329, rel=1e-7)
    # nobody has the outcome: one table is possible, so no evidence of a difference (R's formula would give 0.5)
    p = fisher_midp_test([0, 12, 3], [12, 12, 0], [0, 12, 2], [12, 12, 5])
    assert p[0] == 1.0 and p[1] == 1.0 and np.isnan(p[2])


def test_pearson_test_matches_r_prop_test():
    p = pearson_test([56, 120, 0], [70, 400, 10], [48, 40, 0], [80, 200, 10])
    assert p[:2] == pytest.approx([0.008045081368, 0.009023438818], rel=1e-8)
    assert p[2] == 1.0


def test_koopman_ratio_interval_matches_r_root_finding():
    low, high = koopman_ratio_interval([1, 3, 40, 2], [12, 10, 200, 15], [7, 0, 120, 3], [12, 10, 400, 20])
    assert low == pytest.approx([1.443219992, 0.0, 1.103099691, 0.2525328712], abs=1e-6)
    assert high == pytest.approx([40.7830074, 1.082259793, 2.064953129, 5.223638086], abs=1e-5)


def test_koopman_ratio_interval_is_undefined_without_events_in_the_other_group():
    low, high = koopman_ratio_interval([0, 2], [10, 0], [3, 3], [10, 10])
    assert np.isnan(low).all() and np.isnan(high).all()


def test_small_rules():
    assert small_rate([4, 5, 95, 96, 0, 3], [100, 100, 100, 100, 0, 3]).tolist() == [True, False, False, True, False, True]
    # all observed cells at least 5 but an expected count of 10 * 10 / 110 = 0.91
    assert small_table([120, 120, 5, 12, 3], [400, 400, 10, 24, 3], [40, 4, 5, 12, 1], [200, 200, 100, 24, 0]).tolist() \
        == [False, True, True, False, False]


# ---- where the small-count rule is applied: awarding gaps and relative likelihoods ----

def test_gap_on_small_counts_uses_mid_p_intervals_and_the_exact_test():
    import pandas as pd

    from rmresearch.attainment import gap_from_counts

    counts = pd.DataFrame({"ethnicity_group": ["White", "Black", "Asian"], "n": [8, 8, 10], "good": [4, 0, 3]})
    table = gap_from_counts(counts).set_index("ethnicity_group")
    assert table["rate_method"].tolist() == ["mid-p", "mid-p", "mid-p"]
    assert table.loc["Asian", ["rate_ci_low", "rate_ci_high"]].tolist() == pytest.approx(
        [0.08260021698, 0.6199185659], abs=1e-8)  # R midp(3, 10)
    assert table.loc["Black", "rate_ci_high"] == pytest.approx(1 - 0.05 ** (1 / 8), abs=1e-10)
    black = table.loc["Black"]
    # Newcombe's interval for 4/8 - 0/8 excludes zero (6.8 to 78.5 pp) but the exact mid-p is 0.0577
    # (R: fisher.test(matrix(c(4, 4, 0, 8), 2, byrow = TRUE))$p.value - dhyper(4, 8, 8, 4) / 2)
    assert black["ci_low"] == pytest.approx(6.83, abs=0.01) and black["ci_high"] == pytest.approx(78.48, abs=0.01)
    assert black["p_value"] == pytest.approx(0.05769230769, rel=1e-7)
    assert black["method"] == "Newcombe, mid-p test" and not black["significant"]
    assert table.loc["White", "method"] is None and np.isnan(table.loc["White", "p_value"])


def test_gap_on_large_counts_is_unchanged_and_gets_pearsons_p():
    import pandas as pd

    from rmresearch.attainment import gap_from_counts

    counts = pd.DataFrame({"ethnicity_group": ["White", "BAME"], "n": [70, 80], "good": [56, 48]})
    row = gap_from_counts(counts).iloc[1]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((5.24, 33.39), abs=0.005)  # Newcombe (1998), Table II (a)
    assert row["p_value"] == pytest.approx(0.008045081368, rel=1e-8)  # R prop.test(c(56, 48), c(70, 80), correct = FALSE)
    assert row["method"] == "Newcombe" and row["rate_method"] == "Wilson" and row["significant"]
    from rmresearch.stats import wilson_interval

    low, high = wilson_interval([48], [80])
    assert (row["rate_ci_low"], row["rate_ci_high"]) == pytest.approx((low[0], high[0]), abs=1e-12)


def test_shown_gap_table_carries_method_and_p_value_and_suppresses_them_with_the_rate():
    import pandas as pd

    from rmresearch.attainment import disclose_attainment, gap_from_counts

    counts = pd.DataFrame({"ethnicity_group": ["White", "Asian", "Mixed"], "n": [1000, 400, 12], "good": [800, 268, 5]})
    shown = disclose_attainment(gap_from_counts(counts)).set_index("ethnicity_group")
    assert shown.loc["Asian", "method"] == "Newcombe" and shown.loc["Asian", "p_value"] == "0.000"
    assert shown.loc["White", "method"] == "" and shown.loc["White", "p_value"] == ""
    # 12 Mixed students: the rate is suppressed, so is every number resting on it, the method included
    assert shown.loc["Mixed", ["rate", "p_value", "method", "rate_method"]].tolist() == [".."] * 4


def test_relative_likelihood_on_small_counts_uses_koopman_and_the_exact_test():
    import pandas as pd

    from rmresearch.progression import relative_likelihood

    rec = pd.DataFrame({"g": ["White", "Black", "Asian", "Mixed", "Other"], "shortlisted": [12, 12, 15, 10, 200],
                        "appointed": [7, 1, 2, 3, 40]})
    rl = relative_likelihood(rec, group="g", numerator="appointed", denominator="shortlisted").set_index("g")
    black = rl.loc["Black"]
    assert black["relative_likelihood"] == pytest.approx(7.0)
    assert (black["ci_low"], black["ci_high"]) == pytest.approx((1.443219992, 40.7830074), abs=1e-5)  # R, Koopman
    assert black["p_value"] == pytest.approx(0.02072957329, rel=1e-7)  # R, Fisher mid-p
    assert black["method"] == "Koopman, mid-p test"
    # 40/200 against 7/12: every observed count is 5 or more, but 12 * 47 / 212 = 2.7 White appointments are expected
    other = rl.loc["Other"]
    assert other["method"] == "Koopman, mid-p test"
    assert other["p_value"] == pytest.approx(fisher_midp_test(7, 12, 40, 200)[0], rel=1e-12)
    assert (other["ci_low"], other["ci_high"]) == pytest.approx(
        tuple(v[0] for v in koopman_ratio_interval([40], [200], [7], [12])), abs=1e-12)


def test_relative_likelihood_large_counts_keep_katz_and_zero_counts_keep_the_test():
    import pandas as pd

    from rmresearch.progression import relative_likelihood

    rec = pd.DataFrame({"g": ["White", "BAME"], "shortlisted": [400, 200], "appointed": [120, 40]})
    row = relative_likelihood(rec, group="g", numerator="appointed", denominator="shortlisted").iloc[0]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((1.0947, 2.0554), abs=5e-5)
    assert row["p_value"] == pytest.approx(0.009023438818, rel=1e-8)  # R prop.test(c(120, 40), c(400, 200), correct = FALSE)
    assert row["method"] == "Katz"
    rec = pd.DataFrame({"g": ["White", "Black"], "shortlisted": [10, 10], "appointed": [0, 3]})
    row = relative_likelihood(rec, group="g", numerator="appointed", denominator="shortlisted").iloc[0]
    assert np.isnan(row["relative_likelihood"]) and np.isnan(row["ci_low"]) and row["note"]
    # R: fisher.test(matrix(c(0, 10, 3, 7), 2, byrow = TRUE))$p.value - dhyper(0, 10, 10, 3) / 2
    assert row["p_value"] == pytest.approx(0.1578947368, rel=1e-7)


def test_shown_relative_likelihood_has_three_decimal_p_values_and_the_method():
    import pandas as pd

    from rmresearch.progression import disclose_relative_likelihood, relative_likelihood

    rec = pd.DataFrame({"g": ["White", "Black"], "shortlisted": [400, 60], "appointed": [120, 2]})
    rl = relative_likelihood(rec, group="g", numerator="appointed", denominator="shortlisted")
    rec_large = pd.DataFrame({"g": ["White", "BAME"], "shortlisted": [400, 200], "appointed": [120, 40]})
    shown = disclose_relative_likelihood(relative_likelihood(rec_large, group="g", numerator="appointed",
                                                             denominator="shortlisted"))
    assert shown.loc[0, "p_value"] == "0.009" and shown.loc[0, "method"] == "Katz"
    assert disclose_relative_likelihood(rl).loc[0, ["p_value", "method"]].tolist() == ["..", ".."]


def test_methods_paragraph_names_the_rule_and_every_method_label_the_tables_show():
    import pandas as pd

    from rmresearch.attainment import gap_from_counts
    from rmresearch.progression import relative_likelihood
    from rmresearch.stats.exact import METHODS_TEXT, SMALL_COUNT

    counts = pd.DataFrame({"g": ["White", "Black", "Asian"], "n": [400, 8, 200], "good": [120, 0, 40]})
    gaps = gap_from_counts(counts, group="g")
    rl = relative_likelihood(counts, group="g", numerator="good", denominator="n")
    labels = set(gaps["rate_method"]) | set(gaps["method"].dropna()) | set(rl["method"])
    assert labels == {"Wilson", "mid-p", "Newcombe", "Newcombe, mid-p test", "Katz", "Koopman, mid-p test"}
    for label in labels:
        assert label in METHODS_TEXT
    assert f"fewer than {SMALL_COUNT} people with the outcome" in METHODS_TEXT
    assert f"count under {SMALL_COUNT}" in METHODS_TEXT
