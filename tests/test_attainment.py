"""Tests for rmresearch.attainment: published reference values, synthetic truths, errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import special

from rmresearch import attainment as A
from rmresearch.config import DisclosureRules


def students_from_counts(rows):
    """Student records from (group, n, good) counts: good ones get a 2:1, the others a 2:2."""
    frames = []
    for group, n, good in rows:
        frames.append(pd.DataFrame({"ethnicity_group": group,
                                    "degree_class": ["2:1"] * good + ["2:2"] * (n - good)}))
    return pd.concat(frames, ignore_index=True)


def synthetic(n, seed, *, black_effect=-0.6):
    """Students with a known logit model; returns the table and the true AME (pp) of Black vs White."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["White", "Black", "Asian", "Unknown"], n, p=[0.6, 0.2, 0.17, 0.03])
    tariff = np.round(rng.normal(np.where(group == "Black", 110, 125), 25))
    female = rng.random(n) < 0.55
    faculty = rng.choice(["Arts", "Law", "Science"], n)
    effect = {"White": 0.0, "Black": black_effect, "Asian": -0.3, "Unknown": 0.0}
    g_eff = pd.Series(group).map(effect).to_numpy()
    base = -2.0 + 0.025 * tariff + 0.3 * female + np.where(faculty == "Law", -0.3, 0.0)
    good = rng.random(n) < special.expit(base + g_eff)
    keep = group != "Unknown"
    true_ame = 100 * np.mean(special.expit(base[keep]) - special.expit(base[keep] + black_effect))
    students = pd.DataFrame({
        "ethnicity_group": group, "tariff": tariff, "sex": np.where(female, "F", "M"), "faculty": faculty,
        "degree_class": np.where(good, "2:1", "2:2"), "qualification_year": rng.integers(2019, 2023, n),
    })
    return students, true_ame


# --------------------------------------------------------------------------- intervals against published values


def test_newcombe_method_10_matches_newcombe_1998_table_ii():
    # Newcombe RG (1998) Stat Med 17:873-890, Table II, method 10 (hybrid score, no continuity correction):
    # (a) 56/70 - 48/80: difference 0.2000, 95% CI 0.0524 to 0.3339
    # (b) 9/10 - 3/10:   difference 0.6000, 95% CI 0.1705 to 0.8090
    # (The brief quoted "difference 0.1750, CI 0.0241 to 0.3146" for (a): 56/70 - 48/80 is 0.2000,
    # and 0.0524 to 0.3339 is the method 10 interval printed in the paper.)
    students = students_from_counts([("White", 70, 56), ("Black", 80, 48)])
    row = A.awarding_gap(students).iloc[1]
    assert row["gap_pp"] == pytest.approx(20.00, abs=1e-9)
    assert row["ci_low"] == pytest.approx(5.24, abs=0.005)
    assert row["ci_high"] == pytest.approx(33.39, abs=0.005)
    assert row["significant"]
    row = A.awarding_gap(students_from_counts([("White", 10, 9), ("Black", 10, 3)])).iloc[1]
    assert (row["gap_pp"], round(row["ci_low"], 2), round(row["ci_high"], 2)) == (pytest.approx(60.0), 17.05, 80.90)


def test_wilson_interval_matches_textbook():
    # Newcombe RG (1998) Stat Med 17:857-872, Table I, method 3 (Wilson score), also Altman et al.,
    # Statistics with Confidence (2000), ch. 6: 81/263 -> 0.2553 to 0.3662; 15/148 -> 0.0624 to 0.1605.
    table = A.awarding_gap(students_from_counts([("White", 263, 81), ("Black", 148, 15)]))
    assert table.loc[0, ["rate_ci_low", "rate_ci_high"]].astype(float).round(4).tolist() == [0.2553, 0.3662]
    assert table.loc[1, ["rate_ci_low", "rate_ci_high"]].astype(float).round(4).tolist() == [0.0624, 0.1605]


def test_reproduces_published_institutional_gaps():
    # University of Northampton, TEF submission, "Awarding gap" page (northampton.ac.uk, key data and
    # reports): HESA DSCore, classified first degrees, UK domiciled, White vs global ethnic majority (GEM):
    #   2018-19: GEM 787 (52.9% good), White 1,354 (75.7%), difference 22.8 pp
    #   2019-20: GEM 804 (54.2%),      White 1,200 (77.6%), difference 23.4 pp
    #   2020-21: GEM 788 (65.7%),      White 1,218 (81.8%), difference 16.0 pp
    # The page gives populations and rates, not numerators: good = round(rate x population), as published
    # populations times published rates (no exact sector counts for the 13.2 pp of 2017-18 could be found).
    published = {2018: (787, 0.529, 1354, 0.757, 22.8), 2019: (804, 0.542, 1200, 0.776, 23.4),
                 2020: (788, 0.657, 1218, 0.818, 16.0)}
    frames = []
    for year, (n_gem, r_gem, n_white, r_white, _) in published.items():
        f = students_from_counts([("White", n_white, round(n_white * r_white)), ("GEM", n_gem, round(n_gem * r_gem))])
        frames.append(f.assign(qualification_year=year))
    trend = A.gap_trend(pd.concat(frames, ignore_index=True))
    gem = trend.loc[trend["ethnicity_group"] == "GEM"].set_index("qualification_year")
    for year, (*_, gap) in published.items():
        assert round(gem.loc[year, "gap_pp"], 1) == gap
        assert gem.loc[year, "significant"]


# --------------------------------------------------------------------------- definitions and exclusions


def test_good_honours_denominator_excludes_pass_and_unclassified():
    students = pd.DataFrame({"ethnicity_group": ["White"] * 6,
                             "degree_class": ["First", "2:1", "2:2", "Third", "Pass", "Unclassified"]})
    table = A.awarding_gap(students)
    assert (table.loc[0, "n"], table.loc[0, "good"]) == (4, 2)
    assert table.attrs["excluded"] == {"not_a_classified_degree": 2}
    assert A.awarding_gap(students, good=["First"]).loc[0, "good"] == 1


def test_unknown_ethnicity_is_counted_not_silently_dropped():
    students = students_from_counts([("White", 30, 20), ("Black", 30, 15), ("Unknown", 7, 7)])
    students.loc[len(students)] = {"ethnicity_group": None, "degree_class": "First"}
    table = A.awarding_gap(students)
    assert set(table["ethnicity_group"]) == {"White", "Black"}
    assert table.attrs["excluded"]["unknown_ethnicity"] == 8
    assert A.exclusions(table).set_index("reason").loc["unknown_ethnicity", "n"] == 8


def test_aggregate_grouping_from_the_mapping_table():
    students = pd.DataFrame({"ethnicity_code": ["10", "11", "22", "31", "43", "50", "98"],
                             "degree_class": ["First", "2:2", "2:1", "2:2", "2:1", "Third", "First"]})
    grouped = A.add_ethnicity_group(students, grouping="aggregate")
    table = A.awarding_gap(grouped, group="ethnicity_aggregate")
    assert table.set_index("ethnicity_aggregate")["n"].to_dict() == {"White": 2, "BAME": 4}
    assert table.attrs["excluded"]["unknown_ethnicity"] == 1


def test_by_breakdown_and_continuation():
    students = students_from_counts([("White", 40, 30), ("Black", 40, 20)])
    students["faculty"] = ["Arts", "Law"] * 40
    students["continued"] = pd.array([True, False, True, True] * 20, dtype="boolean")
    table = A.awarding_gap(students, by="faculty")
    assert len(table) == 4 and list(table.columns[:2]) == ["faculty", "ethnicity_group"]
    cont = A.continuation_rates(students)
    assert cont["rate"].tolist() == [0.75, 0.75]


# --------------------------------------------------------------------------- disclosure


def test_small_group_is_suppressed_through_disclose():
    rules = DisclosureRules()
    students = students_from_counts([("White", 200, 150), ("Black", 60, 35), ("Other", 12, 5)])
    shown = A.disclose_attainment(A.awarding_gap(students), rules=rules).set_index("ethnicity_group")
    assert shown.loc["Other", "rate"] == ".."
    for column in ("gap_pp", "ci_low", "ci_high", "rate_ci_low", "significant"):
        assert shown.loc["Other", column] == ".."
    assert shown.loc["Other", "n"] == 10  # rounded to a multiple of 5
    assert shown.loc["Black", "rate"] == "58.3%" and shown.loc["Black", "n"] == 60
    assert shown.loc["Black", "gap_pp"] == "16.7"
    assert shown.attrs["disclosure"]["counts"]  # went through rmresearch.disclosure.disclose


def test_disclose_attainment_rejects_foreign_tables():
    with pytest.raises(ValueError, match="attainment function"):
        A.disclose_attainment(pd.DataFrame({"n": [1]}))


def test_trend_figure_leaves_out_suppressed_points():
    students = pd.concat([
        students_from_counts([("White", 100, 80), ("Black", 40, 24)]).assign(qualification_year=2021),
        students_from_counts([("White", 100, 82), ("Black", 10, 5)]).assign(qualification_year=2022),
        students_from_counts([("White", 100, 81), ("Black", 50, 35)]).assign(qualification_year=2023),
    ], ignore_index=True)
    fig = A.plot_gap_trend(A.gap_trend(students))
    ax = fig.axes[0]
    assert len(ax.lines[0].get_xdata()) == 2  # 2022 (10 Black students) is not drawn
    # 20 pp on 40 students, then 11 pp on 50: the intervals overlap, so the title claims no change
    assert ax.get_title(loc="left").startswith("No clear change in the Black awarding gap: 20.0 pp in 2021-22")
    import matplotlib.pyplot as plt
    plt.close(fig)
    clear = pd.concat([
        students_from_counts([("White", 2000, 1600), ("Black", 1000, 600)]).assign(qualification_year=2021),
        students_from_counts([("White", 2000, 1620), ("Black", 1000, 760)]).assign(qualification_year=2023),
    ], ignore_index=True)
    fig = A.plot_gap_trend(A.gap_trend(clear))
    assert fig.axes[0].get_title(loc="left") == "The Black awarding gap narrowed: 20.0 pp in 2021-22, 5.0 pp in 2023-24"
    plt.close(fig)


# --------------------------------------------------------------------------- errors


def test_clear_errors():
    students = students_from_counts([("White", 10, 5), ("Black", 10, 5)])
    with pytest.raises(ValueError, match="no column.*'faculty'"):
        A.awarding_gap(students, by="faculty")
    with pytest.raises(ValueError, match="reference group 'Whte'"):
        A.awarding_gap(students, reference="Whte")
    with pytest.raises(ValueError, match="not degree classes.*'Distinction'"):
        A.good_honours(pd.DataFrame({"degree_class": ["First", "Distinction"]}))
    with pytest.raises(ValueError, match="subset of the classified"):
        A.good_honours(students, good=["First", "Pass"])
    with pytest.raises(ValueError, match="not in the built-in HESA table.*'77'"):
        A.add_ethnicity_group(pd.DataFrame({"ethnicity_code": ["10", "77"]}))
    with pytest.raises(ValueError, match="no column.*'tariff'"):
        A.adjusted_gap(students)
    with pytest.raises(ValueError, match="expected the students table"):
        A.awarding_gap([1, 2, 3])
    with pytest.raises(ValueError, match="alpha"):
        A.awarding_gap(students, alpha=5)


def test_errors_are_analysis_errors():
    from rmresearch.errors import AnalysisError

    students = students_from_counts([("White", 10, 5), ("Black", 10, 5)])
    for call in (lambda: A.awarding_gap(students, by="faculty"), lambda: A.awarding_gap(students, reference="Whte"),
                 lambda: A.mentored_comparison(students, method="nearest"), lambda: A.exclusions(pd.DataFrame()),
                 lambda: A.tariff_band([100], bands=[96, 80])):
        with pytest.raises(AnalysisError):
            call()


# --------------------------------------------------------------------------- package layout and vocabulary


def test_public_api_importable_from_the_package():
    import rmresearch.attainment as package
    from rmresearch.attainment import awarding_gap, disclose_attainment, mentored_comparison, record_pp  # noqa: F401

    for name in package.__all__:
        assert callable(getattr(package, name)) or name.startswith("DEFAULT_"), name
    assert A.awarding_gap is awarding_gap


def test_reference_columns_are_prefixed():
    students = students_from_counts([("White", 70, 56), ("Black", 80, 48)])
    table = A.awarding_gap(students)
    assert {"reference_n", "reference_good", "reference_rate"} <= set(table.columns)
    assert not {"n_reference", "good_reference", "rate_reference"} & set(table.columns)
    assert table.loc[1, ["reference_n", "reference_good"]].tolist() == [70, 56]
    assert table.loc[1, "reference_rate"] == pytest.approx(0.8)


def test_record_pp_records_a_gap_in_percentage_points():
    from rmresearch.results import Recorder

    rec = Recorder()
    # 12.34 pp (interval 10.3 to 13.7) is stored as a difference of proportions, shown x100 with one decimal
    r = A.record_pp("awarding_gap", 12.34, ci_pp=(10.3, 13.7), n=400, rests_on=[(400, 120), (600, 230)],
                    label="Awarding gap", headline=True, recorder=rec)
    assert r["display"] == "12.3 pp" and r["unit"] == "pp" and r["scale"] == 100 and r["headline"]
    assert r["value"] == pytest.approx(0.123) and (r["ci_low"], r["ci_high"]) == (pytest.approx(0.103), pytest.approx(0.137))
    # a rate it rests on is suppressed (2 of 60): so is the gap
    r = A.record_pp("gap2", 26.7, ci_pp=(20.0, 30.0), rests_on=[(400, 120), (60, 2)], label="Gap", recorder=rec)
    assert r["display"] == ".." and r["suppressed"]


def test_plot_gap_trend_draws_on_a_given_axes_and_returns_its_figure():
    import matplotlib.pyplot as plt

    students = pd.concat([
        students_from_counts([("White", 100, 80), ("Black", 40, 24)]).assign(qualification_year=2021),
        students_from_counts([("White", 100, 81), ("Black", 50, 35)]).assign(qualification_year=2023),
    ], ignore_index=True)
    fig, ax = plt.subplots()
    assert A.plot_gap_trend(A.gap_trend(students), ax=ax) is fig
    assert len(ax.lines[0].get_xdata()) == 2
    plt.close(fig)


# --------------------------------------------------------------------------- adjusted gap


def test_adjusted_gap_matches_statsmodels_get_margeff():
    import statsmodels.formula.api as smf

    students, _ = synthetic(1500, seed=11)
    two = students.loc[students["ethnicity_group"].isin(["White", "Black"])]
    table = A.adjusted_gap(two, covariates=["tariff", "sex", "faculty"], categorical=())
    data = two.assign(good=(two["degree_class"] == "2:1").astype(float),
                      black=(two["ethnicity_group"] == "Black").astype(float))
    fit = smf.logit("good ~ black + tariff + sex + faculty", data).fit(disp=False)
    margeff = fit.get_margeff(at="overall", dummy=True).summary_frame().loc["black"]
    assert table.loc[0, "adjusted_gap_pp"] == pytest.approx(-100 * margeff["dy/dx"], abs=1e-6)
    assert table.loc[0, "se_pp"] == pytest.approx(100 * margeff["Std. Err."], abs=1e-6)
    assert table.attrs["model"]["coefficients"]["tariff"] == pytest.approx(fit.params["tariff"], abs=1e-8)


def test_adjusted_gap_several_groups_matches_counterfactual_predictions():
    import statsmodels.formula.api as smf

    students, _ = synthetic(1500, seed=12)
    table = A.adjusted_gap(students, covariates=["tariff", "sex"], categorical=()).set_index("ethnicity_group")
    data = students.loc[students["ethnicity_group"] != "Unknown"].assign(good=lambda d: (d["degree_class"] == "2:1") * 1.0)
    formula = "good ~ C(ethnicity_group, Treatment('White')) + tariff + sex"
    fit = smf.logit(formula, data).fit(disp=False)

    def ame(params, g):
        fit.params[:] = params  # predictions at other parameter values, for the delta method
        return (fit.predict(data.assign(ethnicity_group="White")) - fit.predict(data.assign(ethnicity_group=g))).mean()

    beta = fit.params.to_numpy().copy()
    cov = fit.cov_params().to_numpy()
    for g in ("Asian", "Black"):
        estimate = ame(beta, g)
        grad = np.array([(ame(beta + h, g) - ame(beta - h, g)) / 2e-6 for h in np.eye(len(beta)) * 1e-6])
        ame(beta, g)
        assert table.loc[g, "adjusted_gap_pp"] == pytest.approx(100 * estimate, abs=1e-6)
        assert table.loc[g, "se_pp"] == pytest.approx(100 * np.sqrt(grad @ cov @ grad), rel=1e-4)


def test_injected_gap_recovered_within_its_interval():
    students, true_ame = synthetic(20000, seed=5)
    row = A.adjusted_gap(students, covariates=["tariff", "sex", "faculty"]).set_index("ethnicity_group").loc["Black"]
    assert row["ci_low"] < true_ame < row["ci_high"]
    assert row["raw_gap_pp"] > row["adjusted_gap_pp"] > 0  # part of the raw gap is tariff
    assert row["explained_pp"] == pytest.approx(row["raw_gap_pp"] - row["adjusted_gap_pp"])


def test_adjusted_gap_reports_missing_covariates_and_rejects_separation():
    students, _ = synthetic(600, seed=2)
    students.loc[:9, "tariff"] = np.nan
    table = A.adjusted_gap(students, covariates=["tariff"], categorical=())
    assert table.attrs["excluded"]["missing_covariates"] >= 1
    degenerate = students.assign(degree_class="2:1")
    with pytest.raises(ValueError, match="same outcome"):
        A.adjusted_gap(degenerate, covariates=["tariff"], categorical=())


# --------------------------------------------------------------------------- decompositions


def test_oaxaca_blinder_matches_statsmodels_reference_values():
    # statsmodels/stats/tests/test_oaxaca.py (values from Stata's `oaxaca`), credit-card data,
    # AVGEXP on AGE, INCOME, INCOMESQ split by OWNRENT: gap 158.7504; two-fold pooled explained
    # 130.8095, unexplained 27.94091; three-fold endowments 321.7482, coefficients 75.45371,
    # interaction -238.4515.
    from statsmodels.datasets.ccard.data import load_pandas

    data = load_pandas().data
    table = A.oaxaca_blinder(data, group="OWNRENT", reference=1, comparison=0, outcome="AVGEXP",
                             covariates=["AGE", "INCOME", "INCOMESQ"], categorical=())
    whole = table.loc[table["variable"] == "all"].set_index("component")["estimate_pp"] / 100
    expected = {"gap": 158.7504, "explained": 130.8095, "unexplained": 27.94091, "endowments": 321.7482,
                "coefficients": 75.45371, "interaction": -238.4515}
    for component, value in expected.items():
        assert whole[component] == pytest.approx(value, abs=1e-3)
    per_variable = table.loc[(table["component"] == "explained") & (table["variable"] != "all"), "estimate_pp"]
    assert per_variable.sum() / 100 == pytest.approx(130.8095, abs=1e-3)


def test_fairlie_total_explained_equals_difference_of_mean_predictions():
    import statsmodels.api as sm

    students, _ = synthetic(3000, seed=8)
    covs = ["tariff", "sex", "faculty"]
    table = A.fairlie(students, comparison="Black", covariates=covs, categorical=(), n_draws=50, n_boot=30, seed=1)
    whole = table.set_index(["component", "variable"])["estimate_pp"]
    # independent calculation: logit on White students, mean predicted probability in each group
    two = students.loc[students["ethnicity_group"].isin(["White", "Black"])]
    X = pd.get_dummies(two[covs], drop_first=True, dtype=float)
    X.insert(0, "const", 1.0)
    y = (two["degree_class"] == "2:1").to_numpy(float)
    white = (two["ethnicity_group"] == "White").to_numpy()
    fit = sm.Logit(y[white], X[white]).fit(disp=False)
    p = fit.predict(X)
    assert whole[("explained", "all")] == pytest.approx(100 * (p[white].mean() - p[~white].mean()), abs=1e-8)
    assert whole[("gap", "all")] == pytest.approx(100 * (y[white].mean() - y[~white].mean()), abs=1e-10)
    assert whole[("unexplained", "all")] == pytest.approx(whole[("gap", "all")] - whole[("explained", "all")])
    # contributions (random subsamples) add up to about the total explained part
    assert table.attrs["sum_of_contributions_pp"] == pytest.approx(whole[("explained", "all")], abs=0.5)
    assert whole[("contribution", "tariff")] > 0.5 * whole[("explained", "all")]
    ci = table.set_index(["component", "variable"]).loc[("explained", "all")]
    assert ci["ci_low"] < ci["estimate_pp"] < ci["ci_high"]
    again = A.fairlie(students, comparison="Black", covariates=covs, categorical=(), n_draws=50, n_boot=30, seed=1)
    pd.testing.assert_frame_equal(table, again)  # seeded


# --------------------------------------------------------------------------- value added, matching, DiD


def test_value_added_hand_worked():
    # cells: tariff 150 -> P(good) = (10 + 5) / 20 = 0.75; tariff 100 -> (10 + 0) / 20 = 0.5.
    # White: 10 at 150 (all good), 10 at 100 (all good): observed 20, expected 7.5 + 5 = 12.5, VA 1.6
    # Black: 10 at 150 (5 good),  10 at 100 (none):      observed 5,  expected 12.5,        VA 0.4
    students = pd.DataFrame({
        "ethnicity_group": ["White"] * 20 + ["Black"] * 20, "subject": "Law",
        "tariff": ([150] * 10 + [100] * 10) * 2,
        "degree_class": ["2:1"] * 20 + ["2:1"] * 5 + ["2:2"] * 15,
    })
    table = A.value_added(students).set_index("ethnicity_group")
    assert table.loc["White", "value_added"] == pytest.approx(1.6)
    assert table.loc["Black", "value_added"] == pytest.approx(0.4)
    assert table.loc["Black", "expected_good"] == pytest.approx(12.5)
    assert table.loc["Black", "ci_high"] < 1 < table.loc["White", "ci_low"]


def test_value_added_near_one_without_a_group_effect():
    students, _ = synthetic(8000, seed=21, black_effect=0.0)
    students["subject"] = students["faculty"]
    students.loc[students["ethnicity_group"] == "Asian", "ethnicity_group"] = "White"  # no group effect left
    row = A.value_added(students).set_index("ethnicity_group").loc["Black"]
    assert row["ci_low"] < 1 < row["ci_high"]


def test_mentored_comparison_exact_matching_hand_worked():
    # Arts: mentored 2 (both good), comparison 4 (2 good) -> weight 2/4; Law: mentored 2 (1 good),
    # comparison 4 (1 good) -> weight 2/4. Comparison rate = (0.5*2 + 0.5*1) / (0.5*8) = 0.375.
    students = pd.DataFrame({
        "mentored": pd.array([True] * 4 + [False] * 8 + [True], dtype="boolean"),
        "faculty": ["Arts", "Arts", "Law", "Law"] + ["Arts"] * 4 + ["Law"] * 4 + ["Music"],
        "degree_class": ["First", "2:1", "2:1", "2:2"] + ["2:1", "2:1", "2:2", "2:2"] + ["2:1", "2:2", "2:2", "2:2"] + ["2:1"],
    })
    row = A.mentored_comparison(students, match_on=["faculty"]).iloc[0]
    assert row["n_treated"] == 5 and row["n_treated_matched"] == 4  # nobody to match the Music student with
    assert row["rate_treated"] == 0.75 and row["rate_control"] == pytest.approx(0.375)
    assert row["difference_pp"] == pytest.approx(37.5)
    assert row["n_control_effective"] == pytest.approx(8.0)
    assert row["ci_low"] < 37.5 < row["ci_high"]
    with pytest.raises(ValueError, match="'mentored'"):
        A.mentored_comparison(students.drop(columns="mentored"))


def test_gap_difference_in_differences_hand_worked():
    # White 75% -> 75%; Black 25% -> 50%: the gap narrowed by 25 pp.
    students = pd.DataFrame({
        "ethnicity_group": ["White"] * 8 + ["Black"] * 8,
        "qualification_year": ([2020] * 4 + [2023] * 4) * 2,
        "degree_class": ["2:1", "2:1", "2:1", "2:2"] * 2 + ["2:1", "2:2", "2:2", "2:2", "2:1", "2:1", "2:2", "2:2"],
    })
    result = A.gap_difference_in_differences(students, start_year=2022)
    did = result.attrs["did"]
    assert did["estimate_pp"] == pytest.approx(25.0)
    se = 100 * np.sqrt(2 * 0.75 * 0.25 / 4 + 0.25 * 0.75 / 4 + 0.25 / 4)
    assert did["se_pp"] == pytest.approx(se)
    with pytest.raises(ValueError, match="before and after"):
        A.gap_difference_in_differences(students, start_year=2030)


# --------------------------------------------------------------------------- the demo cohort


@pytest.fixture(scope="module")
def demo(demo_project):
    from rmresearch.config import load_cohort
    from rmresearch.inputs import load_table

    config = load_cohort(demo_project / "cohorts" / "demo.yml")
    students = load_table(config, "students")
    truth = json.loads((demo_project / "data" / "demo" / "ground_truth" / "effects.json").read_text())
    return config, students, truth.get("students", truth)


def test_demo_gap_matches_ground_truth(demo):
    config, students, truth = demo
    realised = truth["realised"]
    grouped = A.add_ethnicity_group(students, grouping="aggregate", ethnicity_map=config.ethnicity_map())
    row = A.awarding_gap(grouped, group="ethnicity_aggregate", reference=config.reference_group).iloc[1]
    assert row["ethnicity_aggregate"] == config.aggregate_group
    assert row["gap_pp"] == pytest.approx(realised["gap_white_bame_pp"], abs=0.006)
    # the gap the data-generating model implies lies within the interval
    assert row["ci_low"] < realised["gap_white_bame_expected_pp"] < row["ci_high"]
    by_group = A.awarding_gap(students).set_index("ethnicity_group")
    for group, value in realised["good_honours_rate_by_group"].items():
        if group != "Unknown":
            assert by_group.loc[group, "rate"] == pytest.approx(value["rate"], abs=5e-5)
            assert by_group.loc[group, "n"] == value["n"]
    continuation = A.continuation_rates(students).set_index("ethnicity_group")
    for group, value in realised["continuation_rate_by_group"].items():
        if group != "Unknown":
            assert continuation.loc[group, "rate"] == pytest.approx(value["rate"], abs=5e-5)


def test_demo_mentored_students_do_better_than_matched_students(demo):
    _, students, truth = demo
    assert truth["good_honours_model"]["mentored"] > 0  # injected: mentoring raises the log-odds
    row = A.mentored_comparison(students).iloc[0]
    assert row["n_treated_matched"] > 0
    assert row["difference_pp"] > 0
    shown = A.disclose_attainment(A.mentored_comparison(students))
    assert shown.attrs["disclosure"]["rows"] == 1


def test_gap_from_published_counts_equals_the_gap_from_records():
    rows = [("White", 1500, 1170), ("Black", 210, 130), ("Asian", 340, 240), ("White", 500, 400)]
    published = pd.DataFrame(rows, columns=["ethnicity_group", "n", "good"])  # White split over two rows
    from_counts = A.gap_from_counts(published)
    from_records = A.awarding_gap(students_from_counts([("White", 2000, 1570), ("Black", 210, 130), ("Asian", 340, 240)]))
    pd.testing.assert_frame_equal(from_counts.reset_index(drop=True), from_records.reset_index(drop=True), check_dtype=False)


def test_gap_from_counts_refuses_suppressed_cells_and_swapped_columns():
    with pytest.raises(ValueError, match=r"whole, non-negative counts; see rows 3"):
        A.gap_from_counts(pd.DataFrame({"ethnicity_group": ["White", "Black"], "n": [100, ".."], "good": [80, 5]}))
    with pytest.raises(ValueError, match="exceeds"):
        A.gap_from_counts(pd.DataFrame({"ethnicity_group": ["White", "Black"], "n": [80, 20], "good": [100, 10]}))
