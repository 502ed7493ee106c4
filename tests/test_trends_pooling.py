"""Partially pooled estimates across cohorts: stats.pooling (known truths, a hand computation) and the trends page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from rmresearch import trends
from rmresearch.errors import AnalysisError, ConfigError
from rmresearch.stats.pooling import pooled_estimates, pooled_rates, se_from_interval


# --------------------------------------------------------------------------- empirical Bayes for estimates


def test_eb_matches_a_hand_computed_dersimonian_laird_shrinkage():
    y = [0.10, 0.30, 0.25, -0.05]
    se = [0.10, 0.05, 0.20, 0.15]
    # by hand: w = 1/se^2 = 100, 400, 25, 44.44; fixed-effect mean 0.2353659; Q = 7.128049 on 3 df;
    # c = sum(w) - sum(w^2)/sum(w) = 266.3415; tau^2 = (Q - 3) / c = 0.01549908;
    # w* = 1/(se^2 + tau^2): mu = 0.1709291, Var(mu) = 1/sum(w*) = 0.007188545;
    # B = se^2/(se^2 + tau^2) = 0.3921710, 0.1388960, 0.7207326, 0.5921195; pooled = mu + (1 - B)(y - mu)
    p = pooled_estimates(["a", "b", "c", "d"], y, se)
    assert p.between_sd ** 2 == pytest.approx(0.01549908, rel=1e-6)
    assert p.mean == pytest.approx(0.1709291, rel=1e-6)
    assert p.table["shrinkage"].tolist() == pytest.approx([0.3921710, 0.1388960, 0.7207326, 0.5921195], rel=1e-6)
    assert p.table["pooled"].tolist() == pytest.approx([0.1278163, 0.2820726, 0.1930110, 0.0808164], rel=1e-6)
    # Var = (1 - B) v + B^2 Var(mu): cohort a, 0.6078290 * 0.01 + 0.3921710^2 * 0.007188545 = 0.007183877
    assert p.table.loc[0, "pooled_se"] ** 2 == pytest.approx(0.007183877, rel=1e-6)
    assert p.table.loc[0, "ci_low"] == pytest.approx(0.1278163 - 1.959964 * 0.08475774, rel=1e-5)
    assert p.mean_ci_low == pytest.approx(0.1709291 - 1.959964 * 0.007188545 ** 0.5, rel=1e-5)


def test_eb_matches_metafor_on_the_bcg_vaccine_trials():
    # R: library(metafor); dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
    #    rma(yi, vi, data=dat, method="DL")  ->  tau^2 = 0.3088, estimate = -0.7141, se = 0.1787
    bcg = np.array([[4, 119, 11, 128], [6, 300, 29, 274], [3, 228, 11, 209], [62, 13536, 248, 12619],
                    [33, 5036, 47, 5761], [180, 1361, 372, 1079], [8, 2537, 10, 619], [505, 87886, 499, 87892],
                    [29, 7470, 45, 7232], [17, 1699, 65, 1600], [186, 50448, 141, 27197], [5, 2493, 3, 2338],
                    [27, 16886, 29, 17825]], dtype=float)
    tpos, tneg, cpos, cneg = bcg.T
    yi = np.log(tpos / (tpos + tneg)) - np.log(cpos / (cpos + cneg))
    vi = 1 / tpos - 1 / (tpos + tneg) + 1 / cpos - 1 / (cpos + cneg)
    p = pooled_estimates([f"trial {i}" for i in range(1, 14)], yi, np.sqrt(vi))
    assert p.between_sd ** 2 == pytest.approx(0.3088, abs=5e-5)
    assert p.mean == pytest.approx(-0.7141, abs=5e-5)
    assert (p.mean_ci_high - p.mean) / 1.959964 == pytest.approx(0.1787, abs=5e-5)


def test_eb_equal_cohorts_without_heterogeneity_all_equal_the_pooled_mean():
    p = pooled_estimates(["a", "b", "c"], [2.5, 2.5, 2.5], [0.4, 0.4, 0.4])
    assert p.between_sd == 0.0
    assert p.table["pooled"].tolist() == pytest.approx([2.5, 2.5, 2.5], abs=1e-12)
    assert p.table["shrinkage"].tolist() == [1.0, 1.0, 1.0]
    # the pooled se is the mean's: 0.4 / sqrt(3)
    assert p.table["pooled_se"].tolist() == pytest.approx([0.4 / 3 ** 0.5] * 3)


def test_eb_less_spread_than_chance_gives_tau_zero_and_the_inverse_variance_mean():
    # Q = 100*(0.1-m)^2 + 25*(0.2-m)^2 < 1 df: tau^2 truncated at 0, everyone at the fixed-effect mean 0.12
    p = pooled_estimates(["a", "b"], [0.1, 0.2], [0.1, 0.2])
    assert p.between_sd == 0.0
    assert p.table["pooled"].tolist() == pytest.approx([0.12, 0.12])


def test_eb_paule_mandel_tau_solves_its_estimating_equation():
    y, se = np.array([0.10, 0.30, 0.25, -0.05]), np.array([0.10, 0.05, 0.20, 0.15])
    p = pooled_estimates(list("abcd"), y, se, method="pm")
    w = 1 / (se ** 2 + p.between_sd ** 2)
    mu = (w * y).sum() / w.sum()
    assert (w * (y - mu) ** 2).sum() == pytest.approx(len(y) - 1, abs=1e-3)
    assert p.mean == pytest.approx(mu, rel=1e-4)


def test_eb_recovers_a_known_mean_and_between_cohort_sd_and_beats_the_raw_estimates():
    rng = np.random.default_rng(7)
    k, mu, tau = 400, 0.5, 0.3
    truth = mu + tau * rng.standard_normal(k)
    se = rng.uniform(0.1, 0.6, k)
    y = truth + se * rng.standard_normal(k)
    p = pooled_estimates([f"c{i}" for i in range(k)], y, se)
    assert p.mean == pytest.approx(mu, abs=0.05)
    assert p.between_sd == pytest.approx(tau, abs=0.07)
    pooled = p.table["pooled"].to_numpy()
    assert ((pooled - truth) ** 2).mean() < 0.6 * ((y - truth) ** 2).mean()
    covered = (p.table["ci_low"] <= truth) & (truth <= p.table["ci_high"])
    assert 0.9 < covered.mean() < 0.99


def test_eb_shrinks_noisier_cohorts_more():
    p = pooled_estimates(["small", "medium", "large"], [1.0, 3.0, 2.0], [1.0, 0.5, 0.2])
    b = p.table.set_index("cohort")["shrinkage"]
    assert b["small"] > b["medium"] > b["large"]


def test_eb_refuses_one_cohort_and_bad_inputs():
    with pytest.raises(AnalysisError, match="at least two cohorts"):
        pooled_estimates(["a"], [1.0], [0.2])
    with pytest.raises(AnalysisError, match="standard error above 0"):
        pooled_estimates(["a", "b"], [1.0, 2.0], [0.2, 0.0])
    with pytest.raises(AnalysisError, match="method must be one of dl, pm"):
        pooled_estimates(["a", "b"], [1.0, 2.0], [0.2, 0.3], method="reml")
    with pytest.raises(AnalysisError, match="more than once"):
        pooled_estimates(["a", "a"], [1.0, 2.0], [0.2, 0.3])


def test_se_from_interval_reads_a_95_interval_back_and_ratios_on_the_log_scale():
    assert se_from_interval([1.0 - 1.959964], [1.0 + 1.959964]).tolist() == pytest.approx([1.0], rel=1e-6)
    assert se_from_interval([0.5], [2.0], log=True).tolist() == pytest.approx([np.log(4) / (2 * 1.959964)], rel=1e-6)
    with pytest.raises(AnalysisError, match="above 0"):
        se_from_interval([0.0], [2.0], log=True)


# --------------------------------------------------------------------------- Bayesian random intercept for rates


def _simulated_rates(k=20, mu=-0.4, tau=0.5, seed=3):
    rng = np.random.default_rng(seed)
    n = rng.integers(15, 300, k)
    truth = expit(mu + tau * rng.standard_normal(k))
    return n, rng.binomial(n, truth), truth


def test_rates_recover_a_known_common_rate_and_between_cohort_sd():
    n, events, truth = _simulated_rates()
    p = pooled_rates([f"c{i}" for i in range(len(n))], events, n)
    assert p.mean == pytest.approx(expit(-0.4), abs=0.06)
    assert p.mean_ci_low < expit(-0.4) < p.mean_ci_high
    assert 0.25 < p.between_sd < 0.9
    raw = events / n
    assert ((p.table["pooled"] - truth) ** 2).mean() < ((raw - truth) ** 2).mean()
    assert ((p.table["ci_low"] <= truth) & (truth <= p.table["ci_high"])).mean() >= 0.8


def test_rates_shrink_smaller_cohorts_more_toward_the_pooled_rate():
    # the same raw rate, 10% above the others, in a small and a large cohort
    p = pooled_rates(["small", "large", "x", "y", "z"], [8, 160, 60, 66, 54], [20, 400, 200, 200, 200])
    t = p.table.set_index("cohort")
    assert t.loc["small", "estimate"] == t.loc["large", "estimate"] == 0.4
    assert t.loc["small", "shrinkage"] > t.loc["large", "shrinkage"] > 0
    assert t.loc["small", "pooled"] < t.loc["large", "pooled"] < 0.4
    assert (t["ci_low"] < t["pooled"]).all() and (t["pooled"] < t["ci_high"]).all()


def test_rates_equal_cohorts_all_get_the_same_pooled_rate():
    p = pooled_rates(["a", "b", "c", "d"], [30, 30, 30, 30], [100, 100, 100, 100])
    assert p.table["pooled"].tolist() == pytest.approx([p.table["pooled"].iloc[0]] * 4, abs=1e-6)
    assert p.table["pooled"].iloc[0] == pytest.approx(0.3, abs=0.01)
    assert p.mean == pytest.approx(0.3, abs=0.01)


def test_rates_refuse_one_cohort_everyone_alike_and_impossible_counts():
    with pytest.raises(AnalysisError, match="at least two cohorts"):
        pooled_rates(["pilot"], [6], [12])
    with pytest.raises(AnalysisError, match="nothing to pool"):
        pooled_rates(["a", "b"], [12, 26], [12, 26])
    with pytest.raises(AnalysisError, match="between 0 and n"):
        pooled_rates(["a", "b"], [13, 2], [12, 26])
    with pytest.raises(AnalysisError, match="whole numbers"):
        pooled_rates(["a", "b"], [1.5, 2], [12, 26])


# --------------------------------------------------------------------------- the trends page


def _result(cohort, start, key, value, *, kind, n=None, ci=(None, None), suppressed=False, unit=None, scale=1.0,
            decimals=1, basis=None):
    return {"cohort": cohort, "title": cohort, "start_date": start, "notebook": "00_overview", "key": key,
            "label": key, "kind": kind, "value": None if suppressed else value, "ci_low": ci[0], "ci_high": ci[1],
            "n": n, "suppressed": suppressed, "display": ".." if suppressed else str(value), "unit": unit,
            "scale": scale, "decimals": decimals, "basis": basis or ("activity" if kind == "rate" else "people")}


def _two_cohorts():
    return pd.DataFrame([
        _result("demo", "2022-09-01", "pairs_completed_rate", 0.5, kind="rate", n=26),
        _result("pilot", "2024-09-01", "pairs_completed_rate", 0.75, kind="rate", n=12),
        _result("demo", "2022-09-01", "awarding_gap", 0.12, kind="estimate", n=400, ci=(0.06, 0.18), unit="pp",
                scale=100),
        _result("pilot", "2024-09-01", "awarding_gap", 0.20, kind="estimate", n=60, ci=(0.02, 0.38), unit="pp",
                scale=100),
        _result("demo", "2022-09-01", "promotion_relative_likelihood", 1.5, kind="estimate", n=100, ci=(1.0, 2.25),
                decimals=2),
        _result("pilot", "2024-09-01", "promotion_relative_likelihood", None, kind="estimate", n=20, suppressed=True),
    ], columns=trends.COLUMNS)


def test_pooled_table_pools_rates_and_estimates_and_names_what_it_left_out():
    found = _two_cohorts()
    out = trends.pooled_table(found)
    t = out.table.set_index(["measure", "cohort"])
    rate = trends.TREND_MEASURES["pairs_completed_rate"]
    gap = trends.TREND_MEASURES["awarding_gap"]
    expected = pooled_rates(["demo", "pilot"], [13, 9], [26, 12]).table.set_index("cohort")
    assert t.loc[(rate, "pilot"), "pooled"] == f"{100 * expected.loc['pilot', 'pooled']:.1f}%"
    eb = pooled_estimates(["demo", "pilot"], [0.12, 0.20], se_from_interval([0.06, 0.02], [0.18, 0.38])).table
    assert t.loc[(gap, "pilot"), "pooled"] == f"{100 * eb.loc[1, 'pooled']:.1f} pp"
    assert t.loc[(gap, "demo"), "pooled_interval"] == f"{100 * eb.loc[0, 'ci_low']:.1f} to {100 * eb.loc[0, 'ci_high']:.1f}"
    assert t.loc[(gap, "pilot"), "n"] == 60
    assert trends.TREND_MEASURES["promotion_relative_likelihood"] not in out.table["measure"].tolist()
    assert any("pilot is left out (its value is suppressed)" in s for s in out.left_out)
    assert any(s.startswith("rates: logistic model") for s in out.methods)
    text = trends.pooling_methods(out, 2)
    assert text.startswith("Partially pooled estimates (shrunk toward the average of all cohorts)")
    assert "The standard errors of measures other than rates are read back" in text and "not pooled, fewer than two cohorts" in text


def test_pooled_table_ratios_are_pooled_on_the_log_scale():
    found = pd.DataFrame([
        _result("a", "2021", "promotion_relative_likelihood", 2.0, kind="estimate", ci=(1.0, 4.0), decimals=2),
        _result("b", "2022", "promotion_relative_likelihood", 0.5, kind="estimate", ci=(0.25, 1.0), decimals=2),
    ], columns=trends.COLUMNS)
    pooled = trends.pooled_table(found)
    out = pooled.table
    assert pooled.methods == ["ratios: empirical Bayes (normal-normal model), between-cohort variance by DerSimonian "
                              "and Laird (method of moments), statsmodels combine_effects on the log scale"]
    eb = pooled_estimates(["a", "b"], np.log([2.0, 0.5]), se_from_interval([1.0, 0.25], [4.0, 1.0], log=True)).table
    assert out["pooled"].tolist() == [f"{np.exp(v):.2f}" for v in eb["pooled"]]


def test_pooled_table_refuses_one_cohort_with_a_note():
    one = _two_cohorts().query("cohort == 'demo'")
    with pytest.raises(AnalysisError, match="at least two cohorts with results; there is one \\(demo\\)"):
        trends.pooled_table(one)
    only_suppressed = _two_cohorts().query("key == 'promotion_relative_likelihood'")
    with pytest.raises(AnalysisError, match="no trend measure has values from two or more cohorts"):
        trends.pooled_table(only_suppressed)


def _cohort_file(folder, name, options=""):
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.yml"
    path.write_text(f"cohort: {name}\ntitle: {name}\nprogramme_type: reciprocal\nstart_date: 2024-09-01\nend_date: 2025-07-31\n"
                    f"inputs: {{participants: p.csv}}\noutputs: {{reports: reports/{name}}}\n{options}")
    return path


def test_the_cohort_file_option_turns_pooling_on_for_the_trends_page(tmp_path):
    demo = _cohort_file(tmp_path / "cohorts", "demo")
    assert trends.pooling_requested(demo) is False
    assert trends.pooling_requested(demo, override=True) is True
    broken = _cohort_file(tmp_path / "cohorts", "broken", "options:\n  trends: {partial_pooling: 'yes'}\n")
    assert trends.pooling_requested(demo) is False  # another cohort's broken file does not stop the trends page
    with pytest.raises(ConfigError, match="partial_pooling must be true or false"):
        trends.pooling_requested(broken)  # but the trends' own cohort file must be right
    broken.write_text(broken.read_text().replace("partial_pooling: 'yes'", "pooled: true"))
    with pytest.raises(ConfigError, match="options.trends' takes one setting"):
        trends.pooling_requested(broken)
    broken.unlink()
    _cohort_file(tmp_path / "cohorts", "pilot", "options:\n  trends: {partial_pooling: true}\n")
    assert trends.pooling_requested(demo) is True
    assert trends.pooling_requested(demo, override=False) is False


def test_trend_tables_round_people_but_show_programme_activity_exactly():
    found = _two_cohorts()
    found.loc[(found["key"] == "awarding_gap") & (found["cohort"] == "pilot"), "n"] = 62  # not a multiple of 5
    parts = dict(trends.disclose_by_basis(trends.trend_table(found), rules=None, name="t"))
    assert list(parts) == ["people", "activity"]
    gap = parts["people"].set_index(["measure", "cohort"])
    assert gap.loc[(trends.TREND_MEASURES["awarding_gap"], "pilot"), "n"] == 60
    assert parts["activity"]["n"].tolist() == [26, 12]
    pooled = dict(trends.disclose_by_basis(trends.pooled_table(found).table, rules=None, name="p"))
    assert pooled["activity"]["n"].tolist() == [26, 12]


def test_trend_figure_draws_pooled_points_beside_the_recorded_ones():
    found = _two_cohorts()
    out = trends.pooled_table(found)
    fig = trends.trend_figure(found, "pairs_completed_rate", pooled=out.values)
    ax = fig.axes[0]
    hollow = [line for line in ax.lines if line.get_markerfacecolor() == "white"]
    assert [float(line.get_xdata()[0]) for line in hollow] == pytest.approx([0.15, 1.15])
    expected = out.values.query("key == 'pairs_completed_rate'")["pooled"].to_numpy() * 100
    assert [line.get_ydata()[0] for line in hollow] == pytest.approx(expected.tolist())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["as recorded", trends.POOLED_LABEL]
    assert trends.figure_alt(found, "pairs_completed_rate", out.values).endswith(
        f"hollow points beside them: {trends.POOLED_LABEL}, with 95% intervals.")
    found.loc[found["key"] == "awarding_gap", "label"] = "Awarding gap in good honours, White minus BAME students"
    plain = trends.trend_figure(found, "awarding_gap")
    assert plain.axes[0].get_legend() is None
    assert plain.axes[0].get_ylabel() == "Awarding gap in good honours, White\nminus BAME students"  # wrapped to fit
    assert trends.figure_alt(found, "promotion_relative_likelihood") == (
        f"{trends.TREND_MEASURES['promotion_relative_likelihood']}, one point per cohort for 2 cohorts "
        "(1 drawn, 1 suppressed), with its 95% interval.")


@pytest.mark.slow
def test_the_trends_page_shows_pooled_estimates_for_two_cohorts_and_a_note_for_one(tmp_path):
    """The real notebook 90 over two cohorts' results files, through the release gate (no cohort report built)."""
    import html
    import re

    from rmresearch.anonymise import anonymise_cohort
    from rmresearch.config import load_cohort
    from rmresearch.report import build_trends
    from rmresearch.results import Recorder
    from rmresearch.synthetic import generate_demo, generate_pilot

    from test_report import PROJECT

    root = tmp_path / "project"
    generate_demo(root, seed=7, n_students=1000, n_staff=300)
    generate_pilot(root, seed=7, n_students=400, n_staff=300)
    pilot_file = root / "cohorts" / "pilot.yml"
    pilot_file.write_text(pilot_file.read_text().replace("options:\n", "options:\n  trends: {partial_pooling: true}\n", 1))
    configs = [load_cohort(root / "cohorts" / f"{c}.yml") for c in ("demo", "pilot")]
    for cfg, (held, pairs, gap, low, high, n) in zip(configs, [(10, 26, 0.14, 0.09, 0.19, 400),
                                                               (4, 12, 0.12, 0.02, 0.22, 200)]):
        anonymise_cohort(cfg, progress=False)  # each cohort's key, for the leak audit
        folder = root / "reports" / cfg.cohort
        folder.mkdir(parents=True)
        rec = Recorder(cfg, path=folder / "00_overview.results.json")
        rec.record("pairs_completed_rate", held / pairs, kind="rate", n=pairs, n_of="pairs", basis="activity",
                   label="Pairs that held all planned meetings")
        rec.record("awarding_gap", gap, kind="estimate", ci=(low, high), n=n, unit="pp", scale=100, decimals=1,
                   label="Awarding gap")
        rec.save()

    def page(out):
        text = (out / "report.html").read_text(encoding="utf-8")
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
        return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))

    out = build_trends(configs, notebooks_dir=PROJECT / "notebooks", release=True)
    shown = page(out)
    assert "Key measures by cohort: as recorded, and partially pooled (shrunk toward the average of all cohorts)" in shown
    expected = pooled_rates(["demo", "pilot"], [10, 4], [26, 12]).table["pooled"]
    rate_row = re.search(r"Share of pairs that held every planned meeting pilot Pairs that held all planned meetings "
                         r"33\.3% (\S+) (\S+) to (\S+) 12 ", shown)  # measure, cohort, recorded as, result, pooled
    assert rate_row and rate_row.group(1) == f"{100 * expected[1]:.1f}%"
    assert "Methods: rates: logistic model with a random intercept per cohort" in shown
    assert "hollow points beside them: partially pooled" in (out / "report.html").read_text(encoding="utf-8")

    (root / "reports" / "pilot" / "00_overview.results.json").unlink()
    one = page(build_trends(configs, notebooks_dir=PROJECT / "notebooks", release=True))
    assert "Partially pooled estimates: not shown" in one
    assert "need at least two cohorts with results; there is one (demo)" in one
