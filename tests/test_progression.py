"""Tests for rmresearch.progression: pinned to R output, hand calculations and the demo's injected truth."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from rmresearch import progression as pg
from rmresearch.config import DisclosureRules, load_cohort
from rmresearch.errors import AnalysisError, RMResearchError, ValidationError
from rmresearch.inputs import load_table

ROSSI_COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]

# R: coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = Rossi, ties = "efron")
# Fox & Weisberg, "Cox Proportional-Hazards Regression for Survival Data", appendix to An R Companion
# to Applied Regression; the same values are the expected table of JuliaStats/Survival.jl's tests.
R_ROSSI_COEF = {"fin": -0.37942, "age": -0.05744, "race": 0.31390, "wexp": -0.14980,
                "mar": -0.43370, "paro": -0.08487, "prio": 0.09150}
R_ROSSI_SE = {"fin": 0.19138, "age": 0.02200, "race": 0.30799, "wexp": 0.21222,
              "mar": 0.38187, "paro": 0.19576, "prio": 0.02865}

# R survival's aml data (Embury et al. 1977), weeks to relapse, x = maintenance chemotherapy.
AML = pd.DataFrame({
    "time": [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161, 5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45],
    "status": [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
    "x": ["Maintained"] * 11 + ["Nonmaintained"] * 12,
})
# R: summary(survfit(Surv(time, status) ~ x, data = aml))  (conf.type = "log", the default)
R_AML_KM = {
    "Maintained": [  # time, n.risk, survival, std.err, lower 95% CI, upper 95% CI
        (9, 11, 0.909, 0.0867, 0.7541, 1.000), (13, 10, 0.818, 0.1163, 0.6192, 1.000),
        (18, 8, 0.716, 0.1397, 0.4884, 1.000), (23, 7, 0.614, 0.1526, 0.3769, 0.999),
        (31, 5, 0.491, 0.1642, 0.2549, 0.946), (34, 4, 0.368, 0.1627, 0.1549, 0.875),
        (48, 2, 0.184, 0.1535, 0.0359, 0.944),
    ],
    "Nonmaintained": [
        (5, 12, 0.8333, 0.1076, 0.6470, 1.000), (8, 10, 0.6667, 0.1361, 0.4468, 0.995),
        (12, 8, 0.5833, 0.1423, 0.3616, 0.941), (23, 6, 0.4861, 0.1481, 0.2675, 0.883),
        (27, 5, 0.3889, 0.1470, 0.1854, 0.816), (30, 4, 0.2917, 0.1387, 0.1148, 0.741),
        (33, 3, 0.1944, 0.1219, 0.0569, 0.664), (43, 2, 0.0972, 0.0919, 0.0153, 0.620),
        (45, 1, 0.0000, np.nan, np.nan, np.nan),
    ],
}


@pytest.fixture(scope="module")
def rossi():
    lifelines = pytest.importorskip("lifelines")
    return lifelines.datasets.load_rossi()


def _staff(rows):
    return pd.DataFrame(rows, columns=["staff_id", "year", "grade", "ethnicity_group", "left", "mentored"])


SCALE = ["5", "6", "7", "8", "Professor"]


# --------------------------------------------------------------------------- Cox, KM, log-rank


def test_cox_matches_r_coxph_efron_on_rossi(rossi):
    fit = pg.cox_model(rossi, duration="week", event="arrest", covariates=ROSSI_COVARIATES, ties="efron").set_index("covariate")
    for name in ROSSI_COVARIATES:
        assert fit.loc[name, "coef"] == pytest.approx(R_ROSSI_COEF[name], abs=5e-5), name
        assert fit.loc[name, "se"] == pytest.approx(R_ROSSI_SE[name], abs=5e-5), name
    # R: summary(...) for fin: exp(coef) 0.68426, p 0.04742, 95% CI 0.4702 to 0.9957
    assert fit.loc["fin", "hazard_ratio"] == pytest.approx(0.68426, abs=5e-5)
    assert fit.loc["fin", "p_value"] == pytest.approx(0.04742, abs=5e-5)
    assert fit.loc["fin", "ci_low"] == pytest.approx(0.4702, abs=5e-5)
    assert fit.loc["fin", "ci_high"] == pytest.approx(0.9957, abs=5e-5)
    assert (fit["n"] == 432).all() and (fit["events"] == 114).all()
    assert list(fit.columns) == ["coef", "hazard_ratio", "se", "ci_low", "ci_high", "p_value", "n", "events"]


def test_breslow_ties_differ_from_efron(rossi):
    # statsmodels' default is Breslow; the wrapper must really pass ties through.
    efron = pg.cox_model(rossi, duration="week", event="arrest", covariates=["fin", "age", "prio"])
    breslow = pg.cox_model(rossi, duration="week", event="arrest", covariates=["fin", "age", "prio"], ties="breslow")
    assert abs(efron["coef"].iloc[0] - breslow["coef"].iloc[0]) > 1e-4
    with pytest.raises(ValueError, match="efron"):
        pg.cox_model(rossi, duration="week", event="arrest", covariates=["fin"], ties="exact")


def test_cox_aml_matches_r():
    # R: coxph(Surv(time, status) ~ x, data = aml): coef 0.9155, se 0.5119, p 0.0737
    fit = pg.cox_model(AML, duration="time", event="status", covariates=["x"])
    row = fit.iloc[0]
    assert row["covariate"] == "x[Nonmaintained]"
    assert row["coef"] == pytest.approx(0.9155, abs=5e-5)
    assert row["hazard_ratio"] == pytest.approx(2.4981, abs=5e-5)
    assert row["se"] == pytest.approx(0.5119, abs=5e-5)
    assert row["p_value"] == pytest.approx(0.0737, abs=5e-5)


def test_cox_reference_level_and_categorical():
    fit = pg.cox_model(AML, duration="time", event="status", covariates=["x"], reference_levels={"x": "Nonmaintained"})
    assert fit["covariate"].iloc[0] == "x[Maintained]"
    assert fit["coef"].iloc[0] == pytest.approx(-0.9155, abs=5e-5)


def test_kaplan_meier_matches_r_survfit_aml():
    km = pg.kaplan_meier(AML, duration="time", event="status", group="x")
    for group, rows in R_AML_KM.items():
        part = km.loc[km["group"] == group].reset_index(drop=True)
        assert len(part) == len(rows)
        assert (part["n"] == (11 if group == "Maintained" else 12)).all()
        for i, (time, at_risk, surv, se, low, high) in enumerate(rows):
            assert part.loc[i, "time"] == time
            assert part.loc[i, "at_risk"] == at_risk
            decimals = 3 if group == "Maintained" else 4  # R prints survival to 3 or 4 significant digits
            assert part.loc[i, "survival"] == pytest.approx(surv, abs=0.6 * 10**-decimals)
            if np.isnan(se):
                assert np.isnan(part.loc[i, "se"]) and np.isnan(part.loc[i, "ci_low"])
                continue
            assert part.loc[i, "se"] == pytest.approx(se, abs=6e-5)
            assert part.loc[i, "ci_low"] == pytest.approx(low, abs=6e-5)
            assert part.loc[i, "ci_high"] == pytest.approx(high, abs=6e-4)


def test_kaplan_meier_log_log_matches_r():
    # R: survfit(Surv(time, status) ~ 1, data = aml[aml$x == "Maintained", ], conf.type = "log-log");
    # hand check at t = 9: S = 10/11, se(log S) = sqrt(1/(11*10)), limits S^exp(+-1.96 se/|log S|)
    km = pg.kaplan_meier(AML.loc[AML["x"] == "Maintained"], duration="time", event="status", conf_type="log-log")
    s = 10 / 11
    se_ll = np.sqrt(1 / 110) / abs(np.log(s))
    z = 1.959963984540054
    assert km.loc[0, "ci_low"] == pytest.approx(s ** np.exp(z * se_ll), rel=1e-9)
    assert km.loc[0, "ci_high"] == pytest.approx(s ** np.exp(-z * se_ll), rel=1e-9)
    assert km.loc[0, "ci_low"] == pytest.approx(0.5081, abs=1e-4)  # R prints 0.508


def test_logrank_matches_r_survdiff_aml():
    # R: survdiff(Surv(time, status) ~ x, data = aml)
    #   x=Maintained 11 7 10.69; x=Nonmaintained 12 11 7.31; Chisq= 3.4 on 1 df, p= 0.0653
    test = pg.logrank_test(AML, duration="time", event="status", group="x").set_index("group")
    assert test.loc["Maintained", ["n", "observed"]].tolist() == [11, 7]
    assert test.loc["Nonmaintained", ["n", "observed"]].tolist() == [12, 11]
    assert test.loc["Maintained", "expected"] == pytest.approx(10.69, abs=0.005)
    assert test.loc["Nonmaintained", "expected"] == pytest.approx(7.31, abs=0.005)
    assert test["expected"].sum() == pytest.approx(18)
    assert test["chisq"].iloc[0] == pytest.approx(3.4, abs=0.05)
    assert test["p_value"].iloc[0] == pytest.approx(0.0653, abs=5e-5)
    assert (test["df"] == 1).all()


# R survival's cox.zph (the score test of survival >= 3) on a 30-row data set with tied event times, under both
# ties methods, with and without strata, and on the Rossi data (Efron). The R script:
#
# library(survival)  # 3.5.3, R 4.2.2
# small <- data.frame(
#   time = c(1, 4, 3, 5, 7, 6, 3, 3, 3, 8, 3, 5, 2, 4, 1, 4, 5, 2, 5, 1, 3, 2, 7, 3, 1, 4, 2, 6, 1, 12),
#   status = c(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1),
#   x = c(1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0),
#   z = c(1.8, 0.9, 0.9, -0.1, 0.6, 0.7, -0.3, -0.5, -0.1, -0.6, -0.6, -0.3, -0.7, 0.8, -1.6, 0.8, -0.6, -0.5,
#         -1.4, -0.1, -0.2, 0.2, -0.5, 0.1, 1.8, 0.4, -0.6, 1.0, -0.1, 0.6),
#   s = rep(c("a", "b"), 15))
# rossi <- read.csv("rossi.csv")  # lifelines.datasets.load_rossi().to_csv(...), i.e. carData::Rossi
# report <- function(label, fit, transform) {
#   zph <- cox.zph(fit, transform = transform, terms = FALSE, global = FALSE)
#   rho <- apply(residuals(fit, type = "scaledsch"), 2, function(r) cor(zph$x, r))
#   for (v in rownames(zph$table))
#     cat(sprintf('("%s", "%s", "%s", %.8f, %.8f),\n', label, transform, v, zph$table[v, "chisq"], rho[v]))
# }
# for (ties in c("efron", "breslow")) {
#   fit <- coxph(Surv(time, status) ~ x + z, data = small, ties = ties)
#   strat <- coxph(Surv(time, status) ~ x + z + strata(s), data = small, ties = ties)
#   for (tr in c("identity", "km", "rank")) {
#     report(ties, fit, tr)
#     report(paste(ties, "strata"), strat, tr)
#   }
# }
# rfit <- coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = rossi, ties = "efron")
# for (tr in c("km", "rank")) report("rossi", rfit, tr)
#
# Its output (label, transform, covariate, chisq, rho) is R_ZPH_SMALL and R_ZPH_ROSSI below.
ZPH_SMALL = pd.DataFrame({
    "time": [1, 4, 3, 5, 7, 6, 3, 3, 3, 8, 3, 5, 2, 4, 1, 4, 5, 2, 5, 1, 3, 2, 7, 3, 1, 4, 2, 6, 1, 12],
    "status": [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1],
    "x": [1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0],
    "z": [1.8, 0.9, 0.9, -0.1, 0.6, 0.7, -0.3, -0.5, -0.1, -0.6, -0.6, -0.3, -0.7, 0.8, -1.6, 0.8, -0.6, -0.5,
          -1.4, -0.1, -0.2, 0.2, -0.5, 0.1, 1.8, 0.4, -0.6, 1.0, -0.1, 0.6],
    "s": ["a", "b"] * 15,
})
R_ZPH_SMALL = [
    ("efron", "identity", "x", 0.01791305, -0.02309618),
    ("efron", "identity", "z", 0.38459375, 0.08195666),
    ("efron strata", "identity", "x", 0.00127332, -0.00274957),
    ("efron strata", "identity", "z", 0.15285503, 0.05605363),
    ("efron", "km", "x", 0.00048628, -0.01620202),
    ("efron", "km", "z", 0.59471778, 0.12582034),
    ("efron strata", "km", "x", 0.01001108, 0.00350198),
    ("efron strata", "km", "z", 0.20688148, 0.08012973),
    ("efron", "rank", "x", 0.02951115, -0.03828799),
    ("efron", "rank", "z", 0.35794079, 0.10416286),
    ("efron strata", "rank", "x", 0.00135547, -0.01352673),
    ("efron strata", "rank", "z", 0.14983176, 0.07381897),
    ("breslow", "identity", "x", 0.07865828, -0.03986819),
    ("breslow", "identity", "z", 0.28554118, 0.07682687),
    ("breslow strata", "identity", "x", 0.00064753, -0.00860185),
    ("breslow strata", "identity", "z", 0.11731592, 0.05177250),
    ("breslow", "km", "x", 0.02758606, -0.03692655),
    ("breslow", "km", "z", 0.44966006, 0.11797628),
    ("breslow strata", "km", "x", 0.01219289, 0.00483358),
    ("breslow strata", "km", "z", 0.17466910, 0.07625014),
    ("breslow", "rank", "x", 0.09819678, -0.06221292),
    ("breslow", "rank", "z", 0.26233998, 0.09782265),
    ("breslow strata", "rank", "x", 0.00961145, -0.02224068),
    ("breslow strata", "rank", "z", 0.10828374, 0.06667054),
]
R_ZPH_ROSSI = [
    ("rossi", "km", "fin", 0.06242975, 0.00645956),
    ("rossi", "km", "age", 5.97398165, -0.26454776),
    ("rossi", "km", "race", 2.06826539, -0.11224285),
    ("rossi", "km", "wexp", 4.22459563, 0.22976008),
    ("rossi", "km", "mar", 1.01102156, 0.07294698),
    ("rossi", "km", "paro", 0.01838330, -0.03618241),
    ("rossi", "km", "prio", 0.52058425, -0.01365793),
    ("rossi", "rank", "fin", 1.38380845, -0.08919270),
    ("rossi", "rank", "age", 0.89642146, -0.12737652),
    ("rossi", "rank", "race", 2.25997815, -0.12798090),
    ("rossi", "rank", "wexp", 4.15968375, 0.18463283),
    ("rossi", "rank", "mar", 0.08959214, -0.00643712),
    ("rossi", "rank", "paro", 0.02185166, -0.05622687),
    ("rossi", "rank", "prio", 1.64080345, -0.06662795),
]


@pytest.mark.parametrize(("label", "transform", "covariate", "chisq", "rho"), R_ZPH_SMALL)
def test_ph_test_matches_r_cox_zph_with_ties(label, transform, covariate, chisq, rho):
    ties, _, stratified = label.partition(" ")
    check = pg.proportional_hazards_test(ZPH_SMALL, duration="time", event="status", covariates=["x", "z"], ties=ties,
                                         strata="s" if stratified else None, time_transform=transform)
    row = check.set_index("covariate").loc[covariate]
    assert row["chisq"] == pytest.approx(chisq, abs=1e-4)
    assert row["rho"] == pytest.approx(rho, abs=1e-4)
    assert row["p_value"] == pytest.approx(scipy_stats.chi2.sf(chisq, 1), abs=1e-4)
    assert list(check.columns) == ["covariate", "rho", "chisq", "p_value", "time_transform"]


def test_ph_test_matches_r_cox_zph_on_rossi(rossi):
    for transform in ("km", "rank"):
        ours = pg.proportional_hazards_test(rossi, duration="week", event="arrest", covariates=ROSSI_COVARIATES,
                                            time_transform=transform).set_index("covariate")
        for _, tr, name, chisq, rho in (r for r in R_ZPH_ROSSI if r[1] == transform):
            assert ours.loc[name, "chisq"] == pytest.approx(chisq, abs=1e-4), (tr, name)
            assert ours.loc[name, "rho"] == pytest.approx(rho, abs=1e-4), (tr, name)
    # lifelines' documentation: age and wexp violate proportional hazards in the Rossi model (R's km transform)
    ours = pg.proportional_hazards_test(rossi, duration="week", event="arrest", covariates=ROSSI_COVARIATES,
                                        time_transform="km").set_index("covariate")
    assert set(ours.index[ours["p_value"] < 0.05]) == {"age", "wexp"}
    assert ours.loc["age", "rho"] < 0 < ours.loc["wexp", "rho"]


def test_efron_schoenfeld_residuals_are_the_efron_score():
    # At the Efron estimate the Efron residuals sum to 0 (the score); statsmodels' own residuals subtract
    # Breslow means and do not, which is what made the old test mix an Efron fit with Breslow residuals.
    from statsmodels.duration.hazard_regression import PHReg

    from rmresearch.stats.survival import schoenfeld_residuals

    d = ZPH_SMALL
    fit = PHReg(d["time"].to_numpy(), d[["x", "z"]], status=d["status"].to_numpy(), ties="efron").fit(disp=False)
    ours = schoenfeld_residuals(d["time"], d["status"], d[["x", "z"]], fit.params, ties="efron")
    assert np.nansum(ours, axis=0) == pytest.approx([0, 0], abs=1e-6)
    assert np.isnan(ours[d["status"].to_numpy() == 0]).all()
    breslow_means = np.nansum(np.asarray(fit.schoenfeld_residuals), axis=0)
    assert np.abs(breslow_means).max() > 0.1
    with pytest.raises(AnalysisError, match="ties must be"):
        schoenfeld_residuals(d["time"], d["status"], d[["x"]], [0.0], ties="exact")


def test_ph_test_on_data_built_to_violate_it():
    rng = np.random.default_rng(3)
    n = 800
    x = rng.integers(0, 2, n)
    # x = 1: early hazard high, late hazard low (crossing), x = 0: constant hazard
    t0 = rng.exponential(1.0, n)
    t1 = np.where(rng.random(n) < 0.7, rng.exponential(0.3, n), 2 + rng.exponential(5.0, n))
    t = np.where(x == 1, t1, t0)
    df = pd.DataFrame({"t": np.minimum(t, 4.0), "e": (t < 4.0).astype(int), "x": x})
    check = pg.proportional_hazards_test(df, duration="t", event="e", covariates=["x"])
    assert check["p_value"].iloc[0] < 1e-4
    null = df.assign(t=np.minimum(t0, 4.0), e=(t0 < 4.0).astype(int))
    assert pg.proportional_hazards_test(null, duration="t", event="e", covariates=["x"])["p_value"].iloc[0] > 0.001


# --------------------------------------------------------------------------- relative likelihood


def test_relative_likelihood_hand_calculation():
    # White 120 of 400 appointed (0.30), BAME 40 of 200 (0.20): RL = 0.30 / 0.20 = 1.5
    # Katz: se = sqrt(1/120 - 1/400 + 1/40 - 1/200) = 0.160728; CI exp(log 1.5 -+ 1.959964 * se)
    counts = pd.DataFrame({"group": ["White", "BAME"], "shortlisted": [400, 200], "appointed": [120, 40]})
    rl = pg.relative_likelihood(counts, group="group", numerator="appointed", denominator="shortlisted")
    row = rl.iloc[0]
    se = np.sqrt(1 / 120 - 1 / 400 + 1 / 40 - 1 / 200)
    assert row["relative_likelihood"] == pytest.approx(1.5)
    assert row["ci_low"] == pytest.approx(np.exp(np.log(1.5) - 1.959963984540054 * se))
    assert row["ci_high"] == pytest.approx(np.exp(np.log(1.5) + 1.959963984540054 * se))
    assert row["ci_low"] == pytest.approx(1.0947, abs=1e-4) and row["ci_high"] == pytest.approx(2.0554, abs=1e-4)
    assert not row["non_adverse"]
    # the same from person-level rows
    people = pd.DataFrame({
        "group": ["White"] * 400 + ["BAME"] * 200,
        "shortlisted": True,
        "appointed": [True] * 120 + [False] * 280 + [True] * 40 + [False] * 160,
    })
    same = pg.relative_likelihood(people, group="group", numerator="appointed", denominator="shortlisted")
    pd.testing.assert_frame_equal(same, rl)
    assert pg.relative_likelihood(people, group="group", numerator="appointed", denominator=None)["relative_likelihood"].iloc[0] == pytest.approx(1.5)


def test_relative_likelihood_published_wres_figure():
    # The Christie NHS FT, WRES action plan 2022-23 (indicator 2): "BAME candidates have a 14.65% chance of
    # being appointed from shortlisting. Whereas, white candidates have a 46.99% chance ... White staff are
    # 3.2 times more likely to be appointed from shortlisting". Rates entered per 10,000 shortlisted.
    rates = pd.DataFrame({"group": ["White", "BAME"], "shortlisted": [10000, 10000], "appointed": [4699, 1465]})
    rl = pg.relative_likelihood(rates, group="group", numerator="appointed", denominator="shortlisted")
    assert round(rl["relative_likelihood"].iloc[0], 1) == 3.2


def test_relative_likelihood_non_adverse_band_by_group_and_by_year():
    counts = pd.DataFrame({
        "year": [2023] * 3 + [2024] * 3,
        "group": ["White", "Asian", "Black"] * 2,
        "n": [100, 100, 100, 100, 100, 100],
        "k": [50, 45, 20, 50, 50, 0],
    })
    rl = pg.relative_likelihood(counts, group="group", numerator="k", denominator="n", by=["year"]).set_index(["year", "group"])
    assert rl.loc[(2023, "Asian"), "relative_likelihood"] == pytest.approx(50 / 45)
    assert rl.loc[(2023, "Asian"), "non_adverse"]  # 1.11 within 0.80-1.25
    assert not rl.loc[(2023, "Black"), "non_adverse"]  # 2.5
    assert rl.loc[(2024, "Asian"), "relative_likelihood"] == pytest.approx(1.0)
    assert np.isnan(rl.loc[(2024, "Black"), "relative_likelihood"])
    assert pd.isna(rl.loc[(2024, "Black"), "non_adverse"])
    assert "zero" in rl.loc[(2024, "Black"), "note"]


def test_relative_likelihood_errors():
    counts = pd.DataFrame({"group": ["Asian", "Black"], "n": [10, 10], "k": [1, 2]})
    with pytest.raises(ValueError, match="reference group 'White'"):
        pg.relative_likelihood(counts, group="group", numerator="k", denominator="n")
    with pytest.raises(ValueError, match="not found"):
        pg.relative_likelihood(counts, group="group", numerator="appointed", denominator="n")
    bad = pd.DataFrame({"group": ["White", "Black"], "shortlisted": [True, False], "appointed": [True, True]})
    with pytest.raises(ValueError, match="subset of the denominator"):
        pg.relative_likelihood(bad, group="group", numerator="appointed", denominator="shortlisted")
    over = pd.DataFrame({"group": ["White", "Black"], "n": [10, 10], "k": [11, 2]})
    with pytest.raises(ValueError, match="exceeds"):
        pg.relative_likelihood(over, group="group", numerator="k", denominator="n")


def test_disclose_relative_likelihood_suppresses_ratio_with_its_rates():
    counts = pd.DataFrame({"group": ["White", "Black", "Asian"], "n": [400, 12, 200], "k": [120, 2, 40]})
    rl = pg.relative_likelihood(counts, group="group", numerator="k", denominator="n")
    shown = pg.disclose_relative_likelihood(rl, rules=DisclosureRules()).set_index("group")
    assert shown.loc["Black", "relative_likelihood"] == ".." and shown.loc["Black", "rate"] == ".."
    assert shown.loc["Black", "denominator"] == 10  # 12 rounds to 10
    assert shown.loc["Asian", "relative_likelihood"] == "1.50"
    assert shown.loc["Asian", "non_adverse"] == "no"


# --------------------------------------------------------------------------- snapshots, careers, errors


def test_grades_not_on_scale_are_listed_with_rows():
    staff = _staff([("a", 2020, "5", "White", False, False), ("b", 2020, "Band 7", "Black", False, False),
                    ("c", 2020, "Band 7", "White", False, False), ("d", 2020, "Reader", "White", False, False)])
    staff.insert(0, "_row", [5, 6, 7, 8])
    with pytest.raises(ValidationError) as info:
        pg.prepare_snapshots(staff, grade_scale=SCALE, source="staff.csv")
    message = str(info.value)
    assert "grade 'Band 7' is not on the configured grade scale" in message and "rows 6, 7" in message
    assert "'Reader'" in message and "row 8" in message and "options.grade_scale" in message
    assert isinstance(info.value, RMResearchError)
    assert len(info.value.problems) == 2


def test_duplicate_staff_years_are_an_error():
    staff = _staff([("a", 2020, "5", "White", False, False), ("a", 2020, "6", "White", False, False)])
    with pytest.raises(ValidationError, match="staff_id 'a' has more than one snapshot for year 2020"):
        pg.prepare_snapshots(staff, grade_scale=SCALE)
    good = pg.prepare_snapshots(staff.iloc[:1], grade_scale=SCALE)
    with pytest.raises(ValidationError, match="more than one snapshot"):
        pg.transitions(pd.concat([good, good]))


def test_negative_durations_and_bad_events_are_errors():
    df = pd.DataFrame({"t": [1.0, -2.0, 3.0, -1.0], "e": [1, 0, 2, 1], "g": ["A", "A", "B", "B"]})
    with pytest.raises(ValidationError) as info:
        pg.kaplan_meier(df, duration="t", event="e")
    message = str(info.value)
    assert "t is negative on rows 3 ('-2.0'), 5 ('-1.0')" in message
    assert "e must be 1/True" in message and "row 4" in message
    for call in (pg.cox_model, pg.proportional_hazards_test):
        with pytest.raises(ValidationError, match="negative"):
            call(df, duration="t", event="e", covariates=["g"])
    with pytest.raises(ValidationError, match="negative"):
        pg.logrank_test(df, duration="t", event="e", group="g")


def test_transitions_and_careers_by_hand():
    staff = _staff([
        ("a", 2020, "5", "Black", False, False), ("a", 2021, "6", "Black", False, False),
        ("a", 2022, "6", "Black", False, True), ("a", 2023, "7", "Black", False, True),
        ("b", 2020, "6", "White", False, False), ("b", 2021, "6", "White", True, False),   # left flag
        ("c", 2021, "7", "White", False, False),                                          # disappears
        ("d", 2020, "8", "Asian", False, False), ("d", 2022, "7", "Asian", False, False),  # gap, demoted
        ("d", 2023, "7", "Asian", False, False),
    ])
    snap = pg.prepare_snapshots(staff, grade_scale=SCALE)
    t = pg.transitions(snap).set_index(["staff_id", "year"])
    assert t.loc[("a", 2020), "promoted"] and t.loc[("a", 2022), "promoted"] and not t.loc[("a", 2021), "promoted"]
    assert t.loc[("b", 2021), "leaver"] and t.loc[("c", 2021), "leaver"]
    assert not t.loc[("d", 2020), "leaver"] and t.loc[("d", 2020), "demoted"]
    assert not t.loc[("a", 2023), "at_risk"]
    careers = pg.staff_careers(snap).set_index("staff_id")
    assert careers.loc["a", ["years_to_promotion", "promoted", "years_to_leaving", "left"]].tolist() == [1, True, 3, False]
    assert careers.loc["b", ["years_to_promotion", "promoted", "years_to_leaving", "left"]].tolist() == [1, False, 2, True]
    assert careers.loc["c", ["years_to_leaving", "left", "first_year"]].tolist() == [1, True, 2021]
    assert careers.loc["a", "ever_mentored"] and not careers.loc["a", "mentored"]
    # censoring at mentoring: a's second promotion (seen 2023) came after mentoring began in 2022
    censored = pg.staff_careers(snap, censor_when_mentored=True, start_year=2021).set_index("staff_id")
    assert censored.loc["a", ["years_to_promotion", "promoted"]].tolist() == [1, False]
    with pytest.raises(ValueError, match="No staff snapshots in start_year 2030"):
        pg.staff_careers(snap, start_year=2030)


def test_representation_shares_and_pipeline_figure():
    rows = [(f"w{i}", 2024, "5", "White", False, False) for i in range(30)]
    rows += [(f"b{i}", 2024, "5", "Black", False, False) for i in range(20)]
    rows += [(f"p{i}", 2024, "Professor", "White", False, False) for i in range(10)]
    snap = pg.prepare_snapshots(_staff(rows), grade_scale=SCALE)
    table = pg.representation(snap)
    assert table.groupby(["year", "grade"], observed=True)["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    black_prof = table.loc[(table["grade"] == "Professor") & (table["ethnicity_group"] == "Black")]
    assert black_prof["n"].item() == 0 and black_prof["share"].item() == 0  # zero cells are kept
    fig = pg.pipeline_figure(table, rules=DisclosureRules())
    line = {ln.get_label(): ln for ln in fig.axes[0].get_lines()}
    # the Professor grade has 10 staff (< 22.5): its shares are not drawn
    assert list(line["Black"].get_xdata()) == [0] and line["Black"].get_ydata()[0] == pytest.approx(40.0)
    senior = pg.senior_share(snap, senior_from="Professor").set_index("ethnicity_group")
    assert senior.loc["White", "senior_share"] == 1.0 and senior.loc["Black", "senior_share"] == 0.0
    assert senior.loc["Black", "all_share"] == pytest.approx(20 / 60)


def test_km_figure_leaves_out_small_groups():
    big = pd.DataFrame({"t": np.arange(1, 41), "e": 1, "g": "Big"})
    small = pd.DataFrame({"t": [1, 2, 3], "e": 1, "g": "Small"})
    km = pg.kaplan_meier(pd.concat([big, small]), duration="t", event="e", group="g")
    allowed = pg.plottable_groups(km, rules=DisclosureRules()).set_index("group")
    assert allowed.loc["Big", "plotted"] and not allowed.loc["Small", "plotted"]
    fig = pg.kaplan_meier_figure(km, rules=DisclosureRules())
    lines = fig.axes[0].get_lines()
    assert [ln.get_label() for ln in lines] == ["Big"]
    # the curve stops once fewer than 22.5 remain at risk (at_risk 23 at t = 18)
    assert max(lines[0].get_xdata()) == 18


def test_recruitment_funnel_checks_steps():
    rec = pd.DataFrame({"year": [2023, 2023], "post_grade": ["5", "6"], "ethnicity_group": ["White", "Black"],
                        "applied": [10, 10], "shortlisted": [12, 5], "appointed": [1, 6]})
    with pytest.raises(ValidationError) as info:
        pg.recruitment_funnel(rec, source="recruitment.csv")
    assert "shortlisted is larger than applied on rows 2" in str(info.value)
    assert "appointed is larger than shortlisted on rows 3" in str(info.value)
    rec2 = rec.assign(shortlisted=[5, 5], appointed=[1, 1], post_grade=["5", "Band 6"])
    with pytest.raises(ValidationError, match="'Band 6' is not on the configured grade scale"):
        pg.recruitment_funnel(rec2, grade_scale=SCALE)


def test_matched_comparison_sets_are_exact():
    rng = np.random.default_rng(1)
    n = 400
    careers = pd.DataFrame({
        "staff_id": [f"s{i}" for i in range(n)],
        "cohort": rng.choice([2021, 2022], n),
        "start_grade": rng.choice(["5", "6", "7"], n),
        "faculty": rng.choice(["Arts", "Science", "Law"], n),
        "first_year": rng.choice([2017, 2018, 2019], n),
        "mentored": rng.random(n) < 0.1,
    })
    m = pg.matched_comparison(careers)
    keys = ["cohort", "start_grade", "faculty", "first_year"]
    for _, s in m.groupby("matched_set"):
        assert s["mentored"].any() and (~s["mentored"]).any()
        assert len(s[keys].drop_duplicates()) == 1
        assert s.loc[~s["mentored"], "weight"].sum() == pytest.approx(s["mentored"].sum())
    assert m.attrs["unmatched_treated"] + int(m["mentored"].sum()) == int(careers["mentored"].sum())


# --------------------------------------------------------------------------- demo data with a known truth


@pytest.fixture(scope="module")
def demo(demo_project):
    cfg = load_cohort(demo_project / "cohorts" / "demo.yml")
    truth = json.loads((demo_project / "data" / "demo" / "ground_truth" / "effects.json").read_text())
    staff = load_table(cfg, "staff", keep_row_numbers=True)
    return cfg, truth, pg.prepare_snapshots(staff, grade_scale=cfg.grade_scale)


def test_demo_realised_rates_reproduced_exactly(demo):
    cfg, truth, snap = demo
    t = pg.transitions(snap)
    t["bame"] = t["aggregate_group"] == "BAME"
    # effects.json counts promotions among stayers below the top grade, leaving among all person-years
    t["promotable"] = t["at_risk"] & ~t["leaver"] & (t["grade_rank"] < len(cfg.grade_scale) - 1)
    promo = pg.event_rates(t, event="promoted", by=["bame"], eligible="promotable").set_index("bame")
    leave = pg.event_rates(t, event="leaver", by=["bame"]).set_index("bame")
    realised = truth["staff"]["realised"]
    for flag, key in ((False, "white"), (True, "bame")):
        assert round(promo.loc[flag, "rate"], 4) == realised[key]["promotion_rate"]
        assert round(leave.loc[flag, "rate"], 4) == realised[key]["leaving_rate"]
        assert leave.loc[flag, "n"] == realised[key]["person_years"]


def test_demo_recruitment_relative_likelihood(demo_project):
    cfg = load_cohort(demo_project / "cohorts" / "demo.yml")
    truth = json.loads((demo_project / "data" / "demo" / "ground_truth" / "effects.json").read_text())["recruitment"]
    rec = load_table(cfg, "recruitment")
    rec["group"] = pg.aggregate_groups(rec["ethnicity_group"])
    rl = pg.relative_likelihood(rec, group="group", numerator="appointed", denominator="shortlisted").iloc[0]
    assert round(rl["relative_likelihood"], 4) == truth["realised_relative_likelihood_appointed"]
    assert rl["ci_low"] < truth["true_relative_likelihood_appointed_from_shortlisting_white_vs_bame"] < rl["ci_high"]
    funnel = pg.recruitment_funnel(rec, grade_scale=cfg.grade_scale)
    assert funnel["appointed"].sum() == rec["appointed"].sum()


@pytest.fixture(scope="module")
def large_demo(tmp_path_factory):
    """3000 staff (the default demo size): enough events to recover the injected hazard ratios."""
    from rmresearch.synthetic import generate_demo

    root = tmp_path_factory.mktemp("large_demo")
    generate_demo(root, seed=11, n_students=500, n_staff=3000)
    cfg = load_cohort(root / "cohorts" / "demo.yml")
    truth = json.loads((root / "data" / "demo" / "ground_truth" / "effects.json").read_text())["staff"]
    snap = pg.prepare_snapshots(load_table(cfg, "staff"), grade_scale=cfg.grade_scale)
    return truth, snap


def test_demo_promotion_and_leaving_hazards_recovered(large_demo):
    truth, snap = large_demo
    careers = pg.staff_careers(snap, censor_when_mentored=True)
    careers["bame"] = careers["aggregate_group"] == "BAME"
    # the baseline promotion hazard depends on the grade: stratify by starting grade
    promo = pg.cox_model(careers, duration="years_to_promotion", event="promoted", covariates=["bame"], strata="start_grade_rank").iloc[0]
    leave = pg.cox_model(careers, duration="years_to_leaving", event="left", covariates=["bame"]).iloc[0]
    assert promo["ci_low"] < truth["promotion_hr"]["bame"] < promo["ci_high"]
    assert promo["ci_high"] < 1  # the injected disadvantage is detected
    assert promo["hazard_ratio"] == pytest.approx(truth["promotion_hr"]["bame"], abs=0.12)
    assert leave["ci_low"] < truth["leaving_hr"]["bame"] < leave["ci_high"]
    assert leave["ci_low"] > 1
    km = pg.kaplan_meier(careers, duration="years_to_promotion", event="promoted", group="aggregate_group")
    last = km.groupby("group")["survival"].last()
    assert last["BAME"] > last["White"]  # fewer BAME staff promoted by the end
    test = pg.logrank_test(careers.loc[careers["aggregate_group"] != "Unknown"], duration="years_to_promotion",
                           event="promoted", group="aggregate_group")
    assert test["p_value"].iloc[0] < 0.05


def test_demo_mentoring_effect_covers_the_truth(large_demo):
    truth, snap = large_demo
    cohorts = pg.mentoring_cohorts(snap)
    matched = pg.matched_comparison(cohorts)
    assert matched["mentored"].sum() >= 40
    effect = pg.mentoring_effect(matched).set_index("covariate").loc["mentored"]
    assert effect["ci_low"] < truth["promotion_hr"]["mentored"] < effect["ci_high"]
    assert effect["n"] == len(matched)


# --------------------------------------------------------------------------- notebook helpers and figures


def _person_years():
    return pd.DataFrame({"aggregate_group": ["White"] * 400 + ["BAME"] * 60, "at_risk": True,
                         "promoted": [True] * 120 + [False] * 280 + [True] * 9 + [False] * 51,
                         "leaver": [True] * 40 + [False] * 360 + [True] * 10 + [False] * 50})


def test_relative_likelihoods_stack_one_call_per_outcome():
    moves = _person_years()
    both = pg.relative_likelihoods(moves, group="aggregate_group", outcomes={"promotion": ("promoted", None),
                                                                            "leaving": ("leaver", "at_risk")})
    one = pg.relative_likelihood(moves, group="aggregate_group", numerator="leaver", denominator="at_risk")
    pd.testing.assert_frame_equal(both.loc[both["outcome"] == "leaving"].drop(columns="outcome").reset_index(drop=True), one)
    # promotion: White 120/400 = 0.30, BAME 9/60 = 0.15, RL 2.0; leaving: 0.10 / (10/60) = 0.6
    assert both.set_index("outcome")["relative_likelihood"].to_dict() == pytest.approx({"promotion": 2.0, "leaving": 0.6})
    with pytest.raises(AnalysisError, match="at least one outcome"):
        pg.relative_likelihoods(moves, group="aggregate_group", outcomes={})


def test_event_rate_table_and_its_disclosure_match_the_single_event_tables():
    moves = _person_years()
    table = pg.event_rate_table(moves, events={"promotion": "promoted", "leaving": "leaver"}, by=["aggregate_group"])
    leaving = pg.event_rates(moves, event="leaver", by=["aggregate_group"])
    assert table["events_leaving"].tolist() == leaving["events"].tolist() == [10, 40]
    assert table["ci_low_leaving"].tolist() == pytest.approx(leaving["ci_low"].tolist())
    assert table["rate_promotion"].tolist() == pytest.approx([9 / 60, 120 / 400])
    shown = pg.disclose_event_rates(table, rules=DisclosureRules()).set_index("aggregate_group")
    assert shown.loc["BAME", "events_promotion"] == 10 and shown.loc["BAME", "rate_promotion"] == "15.0%"
    assert shown.loc["BAME", "n"] == 60 and shown.loc["White", "rate_leaving"] == "10.0%"
    small = pg.disclose_event_rates(pg.event_rates(moves.iloc[:30], event="leaver", by=["aggregate_group"]),
                                    rules=DisclosureRules())
    assert small["rate"].iloc[0] == ".."  # 30 person-years, 30 leavers: all but none, suppressed as in disclose()


def test_disclose_cox_rounds_estimates_and_counts():
    fit = pg.cox_model(AML, duration="time", event="status", covariates=["x"])
    shown = pg.disclose_cox(fit, rules=DisclosureRules()).iloc[0]
    assert shown["coef"] == 0.9155 and shown["n"] == 25 and shown["events"] == 20


def test_figures_return_the_figure_and_draw_into_a_given_axes():
    import matplotlib.pyplot as plt

    big = pd.DataFrame({"t": np.arange(1, 41), "e": 1, "g": "Big"})
    km = pg.kaplan_meier(big, duration="t", event="e", group="g")
    # 30 White and 30 Black staff in one grade: shares of 50% (30 of 30 alone would be suppressed: all but 0)
    rows = [(f"w{i}", 2024, "5", "White", False, False) for i in range(30)]
    rows += [(f"b{i}", 2024, "5", "Black", False, False) for i in range(30)]
    table = pg.representation(pg.prepare_snapshots(_staff(rows), grade_scale=SCALE))
    for draw, data in ((pg.kaplan_meier_figure, km), (pg.pipeline_figure, table)):
        fig, ax = plt.subplots()
        assert draw(data, rules=DisclosureRules(), ax=ax) is fig and any(len(line.get_xdata()) for line in ax.lines)
        own = draw(data, rules=DisclosureRules())
        assert own is not fig and any(len(line.get_xdata()) for line in own.axes[0].lines)
        plt.close("all")


def test_figures_refuse_to_draw_over_an_empty_axis():
    from rmresearch.plots import NothingToDraw

    small = pd.DataFrame({"t": np.arange(1, 11), "e": 1, "g": "Small"})  # 10 people: fewer than 23
    with pytest.raises(NothingToDraw, match="every group has fewer than 23 people, so no curve may be drawn"):
        pg.kaplan_meier_figure(pg.kaplan_meier(small, duration="t", event="e", group="g"), rules=DisclosureRules())
    rows = [(f"w{i}", 2024, "5", "White", False, False) for i in range(30)]  # 30 of 30: the share is suppressed
    table = pg.representation(pg.prepare_snapshots(_staff(rows), grade_scale=SCALE))
    with pytest.raises(NothingToDraw, match="every share of staff by grade would be suppressed"):
        pg.pipeline_figure(table, rules=DisclosureRules())
