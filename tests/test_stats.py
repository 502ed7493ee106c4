"""rmresearch.stats: intervals, the design encoder and exact matching, pinned to published or hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from rmresearch import stats
from rmresearch.errors import AnalysisError
from rmresearch.stats.design import design_matrix, encode_design
from rmresearch.stats.intervals import katz_ratio_interval, newcombe_difference, wilson_interval
from rmresearch.stats.matching import exact_match_weights, exact_matched_sets

# --------------------------------------------------------------------------- intervals

# Newcombe RG (1998), Statistics in Medicine 17, 873-890, Table II, method 10 (hybrid score).
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


def test_wilson_is_reexported_and_matches_newcombe_table_i():
    assert stats.wilson_interval is wilson_interval
    # Newcombe (1998) Table I: 81/263 -> 0.2553 to 0.3662; 0/20 -> 0 to 0.1611
    low, high = wilson_interval([81, 0, 5], [263, 20, 0])
    assert low[:2] == pytest.approx([0.2553, 0.0], abs=5e-5)
    assert high[:2] == pytest.approx([0.3662, 0.1611], abs=5e-5)
    assert np.isnan(low[2]) and np.isnan(high[2])


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_TABLE_II)
def test_newcombe_difference_matches_table_ii(counts, expected):
    low, high = newcombe_difference(*counts)
    assert (low[0], high[0]) == pytest.approx(expected, abs=5e-5)


def test_newcombe_difference_is_vectorised_and_nan_for_empty_groups():
    low, high = newcombe_difference([56, 3, 4], [70, 0, 10], [48, 1, 2], [80, 5, 0])
    assert low[0] == pytest.approx(0.0524, abs=5e-5)
    assert np.isnan(low[1:]).all() and np.isnan(high[1:]).all()
    with pytest.raises(AnalysisError, match="alpha"):
        newcombe_difference([1], [2], [1], [2], alpha=5)


def _katz_by_hand(c, n2, a, n1, alpha=0.05):
    """The formula written out (as rmresearch.progression had it): exp(log RL +- z sqrt(1/a - 1/n1 + 1/c - 1/n2))."""
    z = sps.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        defined = (a > 0) & (c > 0) & (n1 > 0) & (n2 > 0)
        rl = np.where(defined, (a / n1) / (c / n2), np.nan)
        se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
        return np.where(defined, np.exp(np.log(rl) - z * se), np.nan), np.where(defined, np.exp(np.log(rl) + z * se), np.nan)


def test_katz_ratio_interval_known_answer():
    # 120/400 reference vs 40/200: RL = 0.3 / 0.2 = 1.5; se(log RL) = sqrt(1/120 - 1/400 + 1/40 - 1/200) = 0.160728;
    # exp(log 1.5 -+ 1.959964 * 0.160728) = 1.0947, 2.0554
    low, high = katz_ratio_interval([40], [200], [120], [400])
    assert (low[0], high[0]) == pytest.approx((1.0947, 2.0554), abs=5e-5)
    # 90% interval: z = 1.644854 -> exp(0.405465 -+ 0.264377) = 1.1515, 1.9539
    low, high = katz_ratio_interval([40], [200], [120], [400], alpha=0.10)
    assert (low[0], high[0]) == pytest.approx((1.1515, 1.9539), abs=5e-5)


def test_katz_ratio_interval_equals_the_hand_written_formula_including_zero_counts():
    rng = np.random.default_rng(0)
    n1, n2 = rng.integers(0, 40, 3000), rng.integers(0, 40, 3000)
    a, c = rng.binomial(n1, 0.4), rng.binomial(n2, 0.3)
    low, high = katz_ratio_interval(c, n2, a, n1)
    want_low, want_high = _katz_by_hand(c.astype(float), n2.astype(float), a.astype(float), n1.astype(float))
    assert np.isnan(want_low).any()  # the sample has zero counts and empty denominators
    np.testing.assert_array_equal(np.isnan(low), np.isnan(want_low))
    np.testing.assert_allclose(low, want_low, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(high, want_high, rtol=1e-12, equal_nan=True)
    # a zero count or an empty denominator: undefined
    low, high = katz_ratio_interval([0, 5, 5, 5], [10, 0, 10, 10], [5, 5, 0, 5], [10, 10, 10, 0])
    assert np.isnan(low).all() and np.isnan(high).all()


# --------------------------------------------------------------------------- design


def test_design_base_level_rule():
    frame = pd.DataFrame({
        "faculty": ["Law", "Arts", "Sci", "Law", "Arts"],
        "year": [2021, 2020, 2021, 2022, 2020],
        "disabled": [True, False, False, True, False],
        "tariff": [120.0, 96.0, 112.0, 128.0, 80.0],
    })
    design = encode_design(frame, ["faculty", "year", "disabled", "tariff"], categorical=["year"])
    # first level in sorted order is the base; yes/no is one 0/1 column (False the base); numbers as they are
    assert design.names == ["const", "faculty[Law]", "faculty[Sci]", "year[2021]", "year[2022]", "disabled", "tariff"]
    assert design.levels == {"faculty": ["Arts", "Law", "Sci"], "year": [2020, 2021, 2022], "disabled": [False, True]}
    assert design.blocks == {"faculty": [1, 2], "year": [3, 4], "disabled": [5], "tariff": [6]}
    np.testing.assert_array_equal(design.X[:, 1], [1, 0, 0, 1, 0])
    # a given reference wins; a Categorical keeps its category order (unused categories dropped)
    ordered = frame.assign(faculty=pd.Categorical(frame["faculty"], categories=["Sci", "None", "Law", "Arts"]))
    design = encode_design(ordered, ["faculty"])
    assert design.levels["faculty"] == ["Sci", "Law", "Arts"]
    design = encode_design(frame, ["faculty", "year"], reference={"faculty": "Sci", "year": 2022})
    assert design.names == ["const", "faculty[Arts]", "faculty[Law]", "year[2020]", "year[2021]"]


def test_design_matches_a_statsmodels_formula():
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"g": rng.choice(["b", "a", "c"], 300), "x": rng.normal(size=300)})
    frame["y"] = frame["x"] + (frame["g"] == "c") + rng.normal(size=300)
    design = encode_design(frame, ["g", "x"])
    ours = np.linalg.lstsq(design.X, frame["y"].to_numpy(), rcond=None)[0]
    theirs = smf.ols("y ~ C(g) + x", frame).fit().params.to_numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_design_missing_values_and_errors():
    frame = pd.DataFrame({"g": ["a", None, "b", "a"], "x": [1.0, 2.0, np.nan, 4.0], "k": [1, 1, 1, 1]})
    design = encode_design(frame, ["g", "x"])
    assert design.keep.tolist() == [True, False, False, True]
    with pytest.raises(AnalysisError, match="'g' has 1 missing"):
        design_matrix(frame, ["g", "x"])
    with pytest.raises(AnalysisError, match="reference level 'z' of 'g'"):
        encode_design(frame, ["g"], reference={"g": "z"})
    with pytest.raises(AnalysisError, match="not covariates"):
        encode_design(frame, ["g"], reference={"h": "a"})
    with pytest.raises(AnalysisError, match="single value"):
        design_matrix(frame.dropna(), ["g", "k"])
    with pytest.raises(AnalysisError, match="no rows"):
        encode_design(frame.iloc[[1, 2]], ["g", "x"])


# --------------------------------------------------------------------------- matching


def test_exact_matching_by_hand():
    # cell Arts: 1 mentored, 2 not -> weights 1, 1/2, 1/2; cell Law: 2 mentored, 1 not -> 1, 1, 2;
    # cell Sci: mentored only -> 0 (unmatched); cell Med: comparison only -> 0
    frame = pd.DataFrame({
        "faculty": ["Arts", "Law", "Arts", "Law", "Sci", "Arts", "Law", "Med"],
        "mentored": [True, True, False, True, True, False, False, False],
    })
    sets = exact_matched_sets(frame, treated="mentored", on=["faculty"])
    assert sets["weight"].tolist() == [1.0, 1.0, 0.5, 1.0, 0.0, 0.5, 2.0, 0.0]
    assert sets["matched_set"].tolist() == [0, 1, 0, 1, -1, 0, 1, -1]
    assert sets["set_treated"].tolist() == [1, 2, 1, 2, 1, 1, 2, 0]
    assert sets["set_comparison"].tolist() == [2, 1, 2, 1, 0, 2, 1, 1]
    # weighted comparison mean of y equals the mean over the treated of their cell's comparison mean
    y = np.array([1, 0, 1, 1, 1, 0, 1, 0], dtype=float)
    w = exact_match_weights(frame, treated=frame["mentored"].to_numpy(), on=["faculty"]).to_numpy()
    control = ~frame["mentored"].to_numpy()
    assert np.sum(w[control] * y[control]) / np.sum(w[control]) == pytest.approx((1 * 0.5 + 2 * 1.0) / 3)


def test_exact_matching_on_several_columns_and_errors():
    frame = pd.DataFrame({"a": [1, 1, "1", 2], "b": ["x", "x", "x", "x"], "t": [True, False, False, True]})
    # values are compared as text: 1 and "1" share a cell
    assert exact_match_weights(frame, treated="t", on=["a", "b"]).tolist() == [1.0, 0.5, 0.5, 0.0]
    with pytest.raises(AnalysisError, match="missing"):
        exact_match_weights(frame.assign(t=[True, None, False, True]), treated="t", on=["a"])
    with pytest.raises(AnalysisError, match="at least one matching column"):
        exact_match_weights(frame, treated="t", on=[])


def test_design_single_level_covariates():
    frame = pd.DataFrame({"flag": [True, True, True], "g": ["a", "a", "a"], "x": [1.0, 2.0, 4.0]})
    design = encode_design(frame, ["flag", "g", "x"])
    # a yes/no or categorical covariate with one level present has no column
    assert design.names == ["const", "x"] and design.blocks["flag"] == [] and design.levels["flag"] == [True]
    with pytest.raises(AnalysisError, match="flag, g take a single value"):
        design_matrix(frame, ["flag", "g", "x"])
    with pytest.raises(AnalysisError, match="at least one covariate"):
        design_matrix(frame, [])
