"""Red team: derived numbers disclosed through one path (issue 11, item 7; disclosure parts of item 5).

Each test is an attack on a shown table: a ratio, gap, rate or listing that
would give back a cell the rules hide. Values are worked by hand: White 120 of
400 appointed (30.0%), Black 2 of 60 (3.3%, a numerator of two): the relative
likelihood 30.0 / 3.3 = 9.00 gives the Black rate, and with 60 shown, the 2.
"""

from __future__ import annotations

import itertools
import math
import warnings
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmresearch import attainment as A
from rmresearch import progression as pg
from rmresearch.config import DisclosureRules
from rmresearch.disclosure import (
    OFS_CODES,
    add_total,
    clear_disclosure_log,
    disclose,
    disclosure_log,
    hesa_round,
    suppress_rate,
)
from rmresearch.display import table_metadata
from rmresearch.errors import AnalysisError

HESA = DisclosureRules()
OFS = DisclosureRules(style="ofs")
MARKERS = {HESA.suppressed_marker, *OFS_CODES.values()}


@pytest.fixture(autouse=True)
def _empty_log():
    clear_disclosure_log()
    yield
    clear_disclosure_log()


def _is_marker(value) -> bool:
    return isinstance(value, str) and value in MARKERS


def _recruitment(white=(120, 400), black=(2, 60)) -> pd.DataFrame:
    rec = pd.DataFrame({"g": ["White", "Black"], "appointed": [white[0], black[0]],
                        "shortlisted": [white[1], black[1]]})
    return pg.relative_likelihood(rec, group="g", numerator="appointed", denominator="shortlisted")


# --------------------------------------------------------------------------- ratios beside suppressed rates

@pytest.mark.parametrize(("rules", "marker"), [(OFS, "[DPL]"), (HESA, "..")])
def test_relative_likelihood_beside_a_suppressed_rate_is_suppressed(rules, marker):
    rl = _recruitment()
    assert rl.loc[0, "relative_likelihood"] == pytest.approx(9.0)  # 0.30 / (2/60): the attack's arithmetic
    row = pg.disclose_relative_likelihood(rl, rules=rules).iloc[0]
    assert row["rate"] == marker
    assert row["reference_rate"] == "30.0%"
    for column in ("relative_likelihood", "ci_low", "ci_high", "non_adverse", "note"):
        assert row[column] == marker, column  # same marker as the rate it would give back
    # nothing in the row is a number from which 2/60 can be worked back
    assert "9.00" not in row.astype(str).tolist()


def test_relative_likelihood_note_does_not_say_a_hidden_count_is_zero():
    rl = _recruitment(black=(0, 60))
    assert rl.loc[0, "note"].startswith("a zero count")
    for rules in (HESA, OFS):
        row = pg.disclose_relative_likelihood(rl, rules=rules).iloc[0]
        assert _is_marker(row["rate"]) and _is_marker(row["note"])
        assert "zero" not in " ".join(row.astype(str))


def test_relative_likelihood_shown_where_both_rates_are():
    rl = _recruitment(black=(40, 200))
    row = pg.disclose_relative_likelihood(rl, rules=OFS).iloc[0]
    assert (row["rate"], row["relative_likelihood"], row["non_adverse"]) == ("20.0%", "1.50", "no")
    record = disclosure_log()[-1]
    assert record["derived"]["relative_likelihood"] == ["rate", "reference_rate"]  # the one path, logged


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 500), st.integers(1, 500), st.integers(0, 80), st.integers(1, 80),
    st.sampled_from(["hesa", "ofs"]),
)
def test_no_ratio_is_shown_beside_a_hidden_rate(a, n1, c, n2, style):
    a, c = min(a, n1), min(c, n2)
    rl = _recruitment(white=(a, n1), black=(c, n2))
    row = pg.disclose_relative_likelihood(rl, rules=DisclosureRules(style=style)).iloc[0]
    if _is_marker(row["rate"]) or _is_marker(row["reference_rate"]):
        for column in ("relative_likelihood", "ci_low", "ci_high", "non_adverse", "note"):
            assert _is_marker(row[column]), (column, row.to_dict())


# --------------------------------------------------------------------------- gaps and differences

@pytest.mark.parametrize(("rules", "marker"), [(HESA, ".."), (OFS, "[DPL]")])
def test_gap_resting_on_a_suppressed_rate_is_suppressed(rules, marker):
    students = pd.DataFrame({
        "ethnicity_group": ["White"] * 400 + ["Black"] * 60,
        "degree_class": ["2:1"] * 300 + ["2:2"] * 100 + ["2:1"] * 2 + ["2:2"] * 58,
    })
    shown = A.disclose_attainment(A.awarding_gap(students), rules=rules).set_index("ethnicity_group")
    assert shown.loc["White", "rate"] == "75.0%"
    black = shown.loc["Black"]
    assert black["good"] == 0  # 2 rounds to 0 ...
    assert black["rate"] == marker  # ... so 3.3% would give it back
    for column in ("rate_ci_low", "rate_ci_high", "gap_pp", "ci_low", "ci_high", "significant"):
        assert black[column] == marker, column  # 75.0 - 71.7 = 3.3 gives it back too
    assert shown.loc["White", "gap_pp"] == ""


def test_derived_difference_through_disclose():
    table = pd.DataFrame({"g": ["A", "B", "C"], "k_a": [60, 3, 40], "n_a": [100, 10, 100],
                          "k_b": [50, 5, 20], "n_b": [100, 100, 100]})
    table["rate_a"] = table.k_a / table.n_a
    table["rate_b"] = table.k_b / table.n_b
    table["difference_pp"] = 100 * (table.rate_a - table.rate_b)
    table["p_value"] = [0.04, 0.5, 0.0001]
    shown = disclose(table, counts=["k_a", "n_a", "k_b", "n_b"],
                     rates={"rate_a": ("n_a", "k_a"), "rate_b": ("n_b", "k_b")},
                     derived={"difference_pp": ["rate_a", "rate_b"], "p_value": [("n_a", "k_a"), ("n_b", "k_b")]},
                     derived_decimals={"p_value": 3})
    assert shown["difference_pp"].tolist() == ["10.0", "..", "20.0"]  # B: 10 people behind rate_a
    assert shown["p_value"].tolist() == ["0.040", "..", "0.000"]
    record = shown.attrs["disclosure"]
    assert record["suppressed_by_column"]["difference_pp"] == 1
    assert record["unrounded_columns"] == []  # every numeric column went through a rule


def test_derived_spec_errors():
    table = pd.DataFrame({"n": [30], "k": [10], "rate": [1 / 3], "gap": [5.0]})
    with pytest.raises(ValueError, match="not in the table"):
        disclose(table, counts=["n", "k"], derived={"gap": ["nope"]})
    with pytest.raises(ValueError, match="at least one"):
        disclose(table, counts=["n", "k"], derived={"gap": []})
    with pytest.raises(ValueError, match="listed in both"):
        disclose(table, counts=["n", "k"], rates={"rate": ("n", "k")}, derived={"rate": ["n"]})
    with pytest.raises(ValueError, match="derived_decimals"):
        disclose(table, counts=["n", "k"], derived={"gap": ["n"]}, derived_decimals={"other": 2})
    with pytest.raises(ValueError, match="another derived column"):
        disclose(table.assign(ratio=1.2), counts=["n", "k"], rates={"rate": ("n", "k")},
                 derived={"gap": ["rate"], "ratio": ["gap"]})


def test_mean_based_derived_is_suppressed_with_the_mean():
    table = pd.DataFrame({"role": ["leader", "partner"], "n": [5, 30], "mean": [3.2, 3.9], "vs_all": [-0.5, 0.2]})
    shown = disclose(table, counts=["n"], means={"mean": "n"}, derived={"vs_all": ["mean"]})
    assert shown["mean"].tolist() == ["..", 3.9]
    assert shown["vs_all"].tolist() == ["..", "0.2"]  # the difference from the overall mean gives the mean back


# --------------------------------------------------------------------------- rates whose precision gives back a count

@pytest.mark.parametrize(("k", "n"), [(2, 120), (1, 400), (0, 60), (118, 120), (120, 120)])
@pytest.mark.parametrize("style", ["hesa", "ofs"])
def test_rate_beside_a_count_rounding_hides_is_suppressed(k, n, style):
    table = pd.DataFrame({"g": ["A"], "k": [k], "n": [n]})
    table["rate"] = table.k / table.n
    shown = disclose(table, counts=["k", "n"], rates={"rate": ("n", "k")}, style=style)
    assert _is_marker(shown.loc[0, "rate"])  # 1.7% of 120 beside "0" would give back the 2
    assert _is_marker(suppress_rate(k / n, n, numerator=k, style=style))  # results, surveys, plots use it


def test_rate_rule_follows_a_coarser_rounding_base():
    table = pd.DataFrame({"k": [4, 6], "n": [200, 200]})
    table["rate"] = table.k / table.n
    shown = disclose(table, counts=["k", "n"], rates={"rate": ("n", "k")}, rules=DisclosureRules(round_to=10))
    assert shown["k"].tolist() == [0, 10]
    assert shown["rate"].tolist() == ["..", "3.0%"]  # 4 rounds to 0 with base 10: 2.0% would give it back


def _percent(value: float, decimals: int = 1) -> str:
    exact = Decimal(str(float(value))) * 100
    return f"{exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)}%"


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 300), st.integers(23, 300))
def test_a_shown_rate_never_pins_a_count_shown_as_zero(k, n):
    k = min(k, n)
    table = pd.DataFrame({"k": [k], "n": [n]})
    table["rate"] = table.k / table.n
    shown = disclose(table, counts=["k", "n"], rates={"rate": ("n", "k")})
    if isinstance(shown.loc[0, "rate"], str) and shown.loc[0, "rate"].endswith("%"):
        # the attacker's candidates: every count consistent with the rounded denominator and the shown rate
        for shown_count, true_count in ((shown.loc[0, "k"], k), (hesa_round(n - k), n - k)):
            if shown_count == 0:
                pytest.fail(f"rate {shown.loc[0, 'rate']} shown beside a count of {true_count} shown as 0")


# --------------------------------------------------------------------------- effective sample size

def test_n_control_effective_is_rounded_as_a_count():
    # Arts: 2 mentored, 5 comparison (weights 0.4); Law: 5 mentored, 9 comparison (weights 5/9):
    # Kish n_eff = (2 + 5)^2 / (5 * 0.16 + 9 * 25/81) = 13.70.
    students = pd.DataFrame({
        "mentored": [True] * 2 + [False] * 5 + [True] * 5 + [False] * 9,
        "faculty": ["Arts"] * 7 + ["Law"] * 14,
        "degree_class": (["2:1", "2:2"] + ["2:1"] * 3 + ["2:2"] * 2 + ["2:1"] * 3 + ["2:2"] * 2
                         + ["2:1"] * 4 + ["2:2"] * 5),
    })
    table = A.mentored_comparison(students, match_on=["faculty"])
    assert table.loc[0, "n_control_effective"] == pytest.approx(13.70, abs=0.01)
    shown = A.disclose_attainment(table)
    assert shown.loc[0, "n_control_effective"] == 15  # a count of people: rounded to 5, not shown as "14"
    assert "n_control_effective" in shown.attrs["disclosure"]["counts"]


# --------------------------------------------------------------------------- differencing: total minus rows

def _candidates(shown_rows, shown_total, hidden_index, n_hidden_max=40):
    """Every value of the hidden row's count consistent with all shown cells (a brute-force attacker)."""
    base = 5
    others = [r for i, r in enumerate(shown_rows) if i != hidden_index]

    def near(shown):
        return range(max(0, shown - 2), shown + 3) if base > 1 else [shown]

    found = set()
    for n_h in range(0, n_hidden_max):
        if hesa_round(n_h) != shown_rows[hidden_index]["n"]:
            continue
        for k_h in range(0, n_h + 1):
            if hesa_round(k_h) != shown_rows[hidden_index]["k"]:
                continue
            for combo in itertools.product(*[[(k, n) for n in near(r["n"]) for k in near(r["k"])
                                              if k <= n and _percent(k / n) == r["rate"]] for r in others]):
                k_t = k_h + sum(k for k, _ in combo)
                n_t = n_h + sum(n for _, n in combo)
                if hesa_round(k_t) == shown_total["k"] and hesa_round(n_t) == shown_total["n"] \
                        and _percent(k_t / n_t) == shown_total["rate"]:
                    found.add(k_h)
                    break
    return found


@pytest.mark.parametrize("style", ["hesa", "ofs"])
def test_total_minus_shown_rows_does_not_give_back_a_suppressed_cell(style):
    table = pd.DataFrame({"g": ["White", "Black"], "k": [1234, 2], "n": [1500, 6]})
    table["rate"] = table.k / table.n
    with_total = add_total(table, label_column="g", sum_columns=["k", "n"], rate_columns={"rate": ("k", "n")})
    shown = disclose(with_total, counts=["k", "n"], rates={"rate": ("n", "k")}, style=style).to_dict("records")
    assert _is_marker(shown[1]["rate"])
    assert shown[2]["k"] - shown[0]["k"] != 2  # rounded total minus rounded row: not the hidden 2
    assert len(_candidates(shown[:2], shown[2], hidden_index=1)) > 1


def test_exact_counts_are_flagged_below_the_hesa_minimums():
    # With round_to: 1 the same subtraction gives the 2 back: the table must say so, for the release gate.
    table = pd.DataFrame({"g": ["White", "Black"], "k": [1234, 2], "n": [1500, 6]})
    table["rate"] = table.k / table.n
    with_total = add_total(table, label_column="g", sum_columns=["k", "n"], rate_columns={"rate": ("k", "n")})
    shown = disclose(with_total, counts=["k", "n"], rates={"rate": ("n", "k")}, rules=DisclosureRules(round_to=1))
    assert shown.loc[2, "k"] - shown.loc[0, "k"] == 2
    reasons = shown.attrs["disclosure"]["below_hesa_minimums"]
    assert reasons and "round_to" in reasons[0]
    assert table_metadata(shown)["rmresearch"]["below_hesa_minimums"] == reasons


# --------------------------------------------------------------------------- settings below the HESA minimums

@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ({"round_to": 1}, "round_to"),
        ({"min_percentage_denominator": 0}, "min_percentage_denominator"),
        ({"max_mean_suppressed_n": 2}, "max_mean_suppressed_n"),
        ({"ofs_min_denominator": 10}, "ofs_min_denominator"),
        ({"ofs_max_numerator_suppressed": 0}, "ofs_max_numerator_suppressed"),
        ({"suppressed_marker": ""}, "suppressed_marker"),
        ({"min_percentage_denominator": "22.5"}, "min_percentage_denominator"),
    ],
)
def test_rules_below_minimums(setting, field):
    from rmresearch.disclosure import rules_below_minimums

    reasons = rules_below_minimums(setting)
    assert len(reasons) == 1 and reasons[0].startswith(field)
    if not isinstance(next(iter(setting.values())), str):
        rules = DisclosureRules(**setting)
        assert rules_below_minimums(rules) == reasons
        record = disclose(pd.DataFrame({"n": [40]}), counts=["n"], rules=rules).attrs["disclosure"]
        assert record["below_hesa_minimums"] == reasons


def test_rules_at_or_above_minimums_pass():
    from rmresearch.disclosure import rules_below_minimums

    assert rules_below_minimums(HESA) == []
    assert rules_below_minimums(OFS) == []
    assert rules_below_minimums({"round_to": 10, "min_percentage_denominator": 30, "max_mean_suppressed_n": 10}) == []
    assert disclose(pd.DataFrame({"n": [40]}), counts=["n"]).attrs["disclosure"]["below_hesa_minimums"] == []


# --------------------------------------------------------------------------- matrices and listings beside rounded tables

def _themes():
    # 12 interviewed: 6 White, 6 BAME; 2 BAME participants voiced "Belonging".
    listing = pd.DataFrame({
        "participant_id": [f"P{i:02d}" for i in range(12)],
        "role": ["senior_leader", "partner"] * 6,
        "ethnicity_group": ["White"] * 6 + ["BAME"] * 6,
        "Belonging": [""] * 10 + ["felt at home [S1]", "found a place [S2]"],
        "Career": ["wanted promotion [S3]"] * 12,
    })
    by_group = pd.DataFrame({"theme": ["Belonging", "Career", "Participants interviewed"],
                             "White": [0, 6, 6], "BAME": [2, 6, 6]})
    return listing, by_group


def test_listing_beside_rounded_table_cannot_give_back_a_rounded_cell():
    listing, by_group = _themes()
    rounded = disclose(by_group, counts=["White", "BAME"])
    assert rounded.loc[0, "BAME"] == 0  # 2 shown as 0
    shown = disclose(listing, basis="listing", name="framework matrix")
    assert set(shown["ethnicity_group"]) == {".."}
    # the attack: count the listing's non-empty cells by group
    recovered = shown.loc[shown["Belonging"] != ""].groupby("ethnicity_group").size().to_dict()
    assert "BAME" not in recovered
    record = shown.attrs["disclosure"]
    assert record["basis"] == "listing" and record["characteristics_hidden"] == ["ethnicity_group"]
    assert shown["role"].tolist() == listing["role"].tolist()  # role is not a characteristic


def test_listing_characteristics_can_be_named():
    listing, _ = _themes()
    shown = disclose(listing.rename(columns={"ethnicity_group": "grp"}), basis="listing", characteristics=["grp"])
    assert set(shown["grp"]) == {".."}
    with pytest.raises(ValueError, match="basis='listing'"):
        disclose(listing, characteristics=["ethnicity_group"])
    with pytest.raises(ValueError, match="basis must be"):
        disclose(listing, basis="everything")


def test_qualitative_code_counts_are_exact_with_small_cells_suppressed():
    _, by_group = _themes()
    by_role = pd.DataFrame({"theme": ["Belonging", "Career", "Mentoring"], "senior_leader": [4, 12, 0],
                            "partner": [1, 9, 3]})
    shown = disclose(by_role, counts=["senior_leader", "partner"], basis="qualitative")
    assert shown["senior_leader"].tolist() == [4, 12, 0]  # "4 of 12 leaders", not "5"
    assert shown["partner"].tolist() == ["..", 9, 3]
    assert shown.attrs["disclosure"]["basis"] == "qualitative"
    assert shown.attrs["disclosure"]["suppressed_by_column"] == {"partner": 1}
    ofs = disclose(by_group, counts=["White", "BAME"], basis="qualitative", style="ofs")
    assert ofs["BAME"].tolist() == ["[DPL]", 6, 6]


def test_a_table_without_a_rule_for_a_numeric_column_is_reported():
    # The release gate reads unrounded_columns: a derived column left out of derived= is listed.
    table = pd.DataFrame({"n": [30], "k": [10], "rate": [1 / 3], "gap": [5.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        record = disclose(table, counts=["n", "k"], rates={"rate": ("n", "k")}).attrs["disclosure"]
    assert record["unrounded_columns"] == ["gap"]
    record = disclose(table, counts=["n", "k"], rates={"rate": ("n", "k")}, derived={"gap": ["rate"]}).attrs["disclosure"]
    assert record["unrounded_columns"] == []
    assert not math.isnan(float(disclose(table, counts=["n", "k"], derived={"gap": ["n"]})["gap"][0]))


# --------------------------------------------------------------------------- figures drawn from shares

def _likert(values, n=None):
    options = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
    row = {"item": "q1", "text": "I can raise concerns", "reverse": False, "n": n or sum(values)}
    return pd.DataFrame([{**row, **dict(zip(options, values))}])


def _bars(ax):
    return sorted((p for p in ax.patches if abs(p.get_height() - 0.7) < 1e-9), key=lambda p: p.get_x())


def test_likert_bar_does_not_draw_a_share_of_one_answer():
    import matplotlib

    matplotlib.use("Agg")
    from rmresearch import surveys

    ax = surveys.plot_likert(_likert([1, 9, 10, 12, 8])).axes[0]  # 1 of 40 strongly disagree: a 2.5% bar gives the 1 back
    widths = [round(p.get_width(), 6) for p in _bars(ax)]
    assert 2.5 not in widths
    assert widths == [25.0, 25.0, 50.0]  # merged: disagree 10, neutral 10, agree 20 of 40
    assert "two or fewer" in " ".join(t.get_text() for t in ax.figure.texts)
    # merged disagree 1: still small, so the only item cannot be drawn: no chart over nothing, the section's note
    with pytest.raises(AnalysisError, match="too few answers to draw any item"):
        surveys.plot_likert(_likert([0, 1, 1, 36, 2]))
    ax = surveys.plot_likert(_likert([4, 6, 10, 12, 8])).axes[0]  # nothing small: five options drawn
    assert len(_bars(ax)) == 5
    matplotlib.pyplot.close("all")


# --------------------------------------------------------------------------- survival curves: consecutive estimates

def _careers():
    # 45 staff: promotions of 2, 1, 1, 4, 1 at years 1..5 (everyone else censored at 6)
    times = [1] * 2 + [2] + [3] + [4] * 4 + [5]
    rows = [{"t": t, "e": 1} for t in times] + [{"t": 6, "e": 0}] * (45 - len(times))
    return pd.DataFrame(rows)


def _recovered_events(shown_rows):
    """The attacker: 1 - S(t) / S(t-1) times those at risk (shown rounded: +-2) gives each step's events."""
    out, previous = [], 1.0
    for row in shown_rows:
        current = float(row["survival"].rstrip("%")) / 100
        share = 1 - current / previous
        out.append({round(share * n) for n in range(row["at_risk"] - 2, row["at_risk"] + 3)})
        previous = current
    return out


def test_kaplan_meier_steps_do_not_give_back_one_or_two_events():
    km = pg.kaplan_meier(_careers(), duration="t", event="e")
    # the attack on the raw table: year 2's step is 1 promotion among 43 at risk, its count shown as 0
    raw = disclose(km.drop(columns="se"), counts=["n", "at_risk", "events"],
                   rates={"survival": "at_risk", "ci_low": "at_risk", "ci_high": "at_risk"}).to_dict("records")
    assert raw[1]["events"] == 0 and _recovered_events(raw)[1] == {1}
    for style in ("hesa", "ofs"):
        shown = pg.disclose_kaplan_meier(km, rules=DisclosureRules(style=style)).to_dict("records")
        assert shown, "some steps are shown"
        for candidates in _recovered_events(shown):
            assert min(candidates) >= 3, candidates
        steps = pg.disclosable_steps(km, rules=DisclosureRules(style=style))
        assert (steps["events"] >= 3).all() and steps["events"].sum() <= km["events"].sum()


def test_kaplan_meier_figure_steps_hold_at_least_three_events():
    import matplotlib

    matplotlib.use("Agg")
    people = _careers().assign(g="Staff")
    km = pg.kaplan_meier(people, duration="t", event="e", group="g")
    fig = pg.kaplan_meier_figure(km, rules=HESA, show_ci=False)
    line = fig.axes[0].get_lines()[0]
    drawn = [float(x) for x in line.get_xdata()[1:]]
    assert 1.0 not in drawn and 3.0 not in drawn  # steps of two promotions and of one are not drawn on their own
    steps = pg.disclosable_steps(km, rules=HESA)
    assert drawn == steps["time"].tolist() and (steps["events"] >= 3).all()
    matplotlib.pyplot.close("all")


# --------------------------------------------------------------------------- interval bounds beside a hidden rate

@pytest.mark.parametrize("style", ["hesa", "ofs"])
def test_interval_bounds_beside_a_suppressed_rate_are_suppressed(style):
    from rmresearch.stats import wilson_interval

    table = pd.DataFrame({"g": ["A", "B"], "events": [2, 30], "n": [60, 60]})
    table["rate"] = table.events / table.n
    low, high = wilson_interval(table["events"].to_numpy(), table["n"].to_numpy())
    table["ci_low"], table["ci_high"] = low, high
    # the attack: only 2 of 56..64 events gives this interval to one decimal place
    shown_low = _percent(table.loc[0, "ci_low"])
    assert {k for n in range(58, 63) for k in range(0, n + 1)
            if _percent(wilson_interval(np.array([k]), np.array([n]))[0][0]) == shown_low} == {2}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # OfS: no numerator given for the bounds
        shown = disclose(table, counts=["events", "n"], rates={"rate": ("n", "events"), "ci_low": "n", "ci_high": "n"},
                         style=style)
    assert _is_marker(shown.loc[0, "rate"])
    assert shown.loc[0, "ci_low"] == shown.loc[0, "rate"] and shown.loc[0, "ci_high"] == shown.loc[0, "rate"]
    assert shown.loc[1, "ci_low"].endswith("%")


# --------------------------------------------------------------------------- figures: the pipeline

def test_pipeline_figure_does_not_draw_a_share_of_one_or_two_staff():
    import matplotlib

    matplotlib.use("Agg")
    grades = pd.CategoricalDtype(["5", "6"], ordered=True)
    table = pd.DataFrame({
        "grade": pd.Categorical(["5", "5", "6", "6"], dtype=grades),
        "ethnicity_group": ["White", "Black", "White", "Black"],
        "n": [30, 20, 38, 2], "total": [50, 50, 40, 40],
    })
    table["share"] = table.n / table.total
    fig = pg.pipeline_figure(table, rules=HESA)
    line = {ln.get_label(): ln for ln in fig.axes[0].get_lines()}
    assert list(line["Black"].get_xdata()) == [0]  # 5% of 40 at grade 6 would give back the 2
    assert list(line["White"].get_xdata()) == [0]  # and 95% gives it back as well (all but 2)
    matplotlib.pyplot.close("all")


# --------------------------------------------------------------------------- difference in differences

def test_did_estimate_does_not_give_back_a_suppressed_rate():
    # Black after: 2 of 60 good (rate suppressed); the other three cells are large.
    def cohort(group, year, good, n):
        return [{"ethnicity_group": group, "qualification_year": year, "degree_class": "2:1" if i < good else "2:2"}
                for i in range(n)]
    students = pd.DataFrame(cohort("White", 2020, 300, 400) + cohort("White", 2023, 310, 400)
                            + cohort("Black", 2020, 30, 60) + cohort("Black", 2023, 2, 60))
    did = A.gap_difference_in_differences(students, start_year=2022)
    rates = A.disclose_attainment(did).set_index("group")
    assert rates.loc["Black", "rate_after"] == ".."
    estimate = A.disclose_attainment(did.attrs["did_table"])
    # the attack: Black after = estimate + (White after - White before) + Black before = 3.3%
    assert did.attrs["did"]["estimate_pp"] == pytest.approx(100 * (2 / 60 - 0.5) - 100 * (310 / 400 - 0.75))
    for column in ("estimate_pp", "se_pp", "ci_low", "ci_high"):
        assert estimate.loc[0, column] == "..", column
    assert [c for c in estimate.columns if c.startswith("_")] == []  # helper columns are not shown
    big = A.gap_difference_in_differences(pd.DataFrame(
        cohort("White", 2020, 300, 400) + cohort("White", 2023, 310, 400)
        + cohort("Black", 2020, 30, 60) + cohort("Black", 2023, 20, 60)), start_year=2022)
    assert A.disclose_attainment(big.attrs["did_table"]).loc[0, "estimate_pp"] != ".."


def test_mentored_comparison_control_rate_of_two_students_is_suppressed():
    students = pd.DataFrame({
        "mentored": [True] * 30 + [False] * 60,
        "faculty": "Arts",
        "degree_class": ["2:1"] * 20 + ["2:2"] * 10 + ["2:1"] * 2 + ["2:2"] * 58,
    })
    table = A.mentored_comparison(students, match_on=["faculty"])
    assert table.loc[0, "rate_control"] == pytest.approx(2 / 60)
    shown = A.disclose_attainment(table).iloc[0]
    assert shown["rate_treated"] == "66.7%"
    for column in ("rate_control", "difference_pp", "ci_low", "ci_high", "significant"):
        assert shown[column] == "..", column  # 66.7 - 63.3 = 3.3% of 60: the 2
    assert "_good_control" not in shown.index


def test_decomposition_gap_of_a_two_student_rate_is_suppressed():
    rng = np.random.default_rng(5)
    students = pd.DataFrame({"ethnicity_group": ["White"] * 400 + ["Black"] * 60,
                             "tariff": np.r_[rng.normal(130, 15, 400), rng.normal(110, 15, 60)]})
    students["degree_class"] = ["2:1"] * 300 + ["2:2"] * 100 + ["2:1"] * 2 + ["2:2"] * 58
    table = A.oaxaca_blinder(students, comparison="Black", covariates=["tariff"], categorical=())
    gap = table.set_index("component").loc["gap"]
    assert gap["estimate_pp"].item() == pytest.approx(100 * (0.75 - 2 / 60))  # 75.0 - gap = 3.3%: the 2
    shown = A.disclose_attainment(table)
    assert set(shown["estimate_pp"]) == {".."}
    assert not [c for c in shown.columns if c.startswith("_")]


def test_derived_marker_is_the_table_rule_for_a_single_number():
    from rmresearch.disclosure import derived_marker

    # the White 120/400, Black 2/60 ratio, recorded outside a table (a results record or a sentence)
    assert derived_marker([(400, 120), (60, 2)]) == ".."
    assert derived_marker([(400, 120), (60, 2)], style="ofs") == "[DPL]"
    assert derived_marker([(400, 120), (60, 20)]) is None
    assert derived_marker([(400, 120), (20, None)]) == ".."
    rl = pg.disclose_relative_likelihood(_recruitment(), rules=OFS)
    assert rl.loc[0, "relative_likelihood"] == derived_marker([(400, 120), (60, 2)], style="ofs")
    with pytest.raises(ValueError, match="pair"):
        derived_marker([400, 120])


# --------------------------------------------------------------------------- a test statistic beside a small group

def test_logrank_statistic_does_not_give_back_two_events():
    people = pd.DataFrame({"t": np.r_[np.arange(1, 201) % 9 + 1, [3, 7] + [10] * 58],
                           "e": np.r_[np.ones(200, int), np.ones(2, int), np.zeros(58, int)],
                           "g": ["A"] * 200 + ["B"] * 60})
    test = pg.logrank_test(people, duration="t", event="e", group="g")
    assert test.set_index("group").loc["B", "observed"] == 2
    for style in ("hesa", "ofs"):
        shown = pg.disclose_logrank(test, rules=DisclosureRules(style=style)).set_index("group")
        assert shown.loc["B", "observed"] == 0
        assert _is_marker(shown.loc["B", "expected"])
        for column in ("chisq", "p_value"):  # the same statistic on A's row would give B's events back
            assert _is_marker(shown.loc["A", column]) and _is_marker(shown.loc["B", column])
    both = pd.DataFrame({"t": np.arange(1, 201) % 9 + 1, "e": (np.arange(200) % 3 != 0).astype(int), "g": ["A", "B"] * 100})
    fine = pg.disclose_logrank(pg.logrank_test(both, duration="t", event="e", group="g"))
    assert not fine["p_value"].map(_is_marker).any()


def test_table_wide_derived_needs_a_listed_column():
    table = pd.DataFrame({"n": [30, 40], "k": [10, 2], "p_value": [0.5, 0.5]})
    with pytest.raises(ValueError, match="derived_table_wide"):
        disclose(table, counts=["n", "k"], derived={"p_value": [("n", "k")]}, derived_table_wide=["q"])
    shown = disclose(table, counts=["n", "k"], derived={"p_value": [("n", "k")]}, derived_table_wide=["p_value"])
    assert shown["p_value"].tolist() == ["..", ".."]


def test_a_missing_rate_on_a_large_base_stays_missing():
    table = pd.DataFrame({"k": [25, 3], "n": [25, 40], "rate": [np.nan, 3 / 40]})
    shown = disclose(table, counts=["k", "n"], rates={"rate": ("n", "k")})
    assert pd.isna(shown.loc[0, "rate"]) and shown.loc[1, "rate"] == "7.5%"


# --------------------------------------------------------------------------- programme activity (issue 13)

def _pilot_pairs() -> pd.DataFrame:
    """A 12-pair pilot: 11 completed, 1 withdrew."""
    table = pd.DataFrame({"status": ["completed", "withdrawn", "Total"], "pairs": [11, 1, 12], "n": [12, 12, 12]})
    table["share"] = table["pairs"] / table["n"]
    return table


def test_activity_counts_and_rates_are_exact_for_a_12_pair_pilot():
    shown = disclose(_pilot_pairs(), counts=["pairs", "n"], rates={"share": ("n", "pairs")}, basis="activity")
    assert shown["pairs"].tolist() == [11, 1, 12]  # people-basis would show 10, 0, 10
    assert shown["share"].tolist() == ["91.7%", "8.3%", "100.0%"]  # 1/12 exactly, not suppressed (n < 22.5)
    record = shown.attrs["disclosure"]
    assert record["basis"] == "activity" and record["suppressed_cells"] == 0
    people = disclose(_pilot_pairs(), counts=["pairs", "n"], rates={"share": ("n", "pairs")})
    assert people["pairs"].tolist() == [10, 0, 10] and people["share"].tolist() == ["..", "..", ".."]


def test_activity_means_and_ofs_style_are_exact_too():
    table = pd.DataFrame({"measure": ["meetings held per pair"], "mean": [52 / 12], "n": [12]})
    shown = disclose(table, counts=["n"], means={"mean": "n"}, basis="activity", style="ofs")
    assert shown["n"].tolist() == [12] and shown["mean"].tolist() == [52 / 12]


@pytest.mark.parametrize("column", ["ethnicity_group", "sex", "disability", "group", "BAME", "White"])
def test_activity_broken_down_by_a_characteristic_is_refused(column):
    table = pd.DataFrame({column: ["a", "b"], "pairs": [3, 9]}) if column.islower() else \
        pd.DataFrame({"role": ["partner", "leader"], column: [3, 9]})
    counts = ["pairs"] if column.islower() else [column]
    with pytest.raises(AnalysisError, match="basis='people'"):
        disclose(table, counts=counts, basis="activity")
    indexed = pd.DataFrame({"pairs": [3, 9]}, index=pd.Index(["a", "b"], name="ethnicity_group"))
    with pytest.raises(AnalysisError, match="ethnicity_group"):
        disclose(indexed, counts=["pairs"], basis="activity")


def test_activity_counts_must_be_whole_and_not_negative():
    for bad in ([2.5, 3], [-1, 3]):
        with pytest.raises(AnalysisError, match="whole numbers"):
            disclose(pd.DataFrame({"meetings": bad}), counts=["meetings"], basis="activity")


def _notebook_with_table(folder, header: str, basis: str):
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show_table(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": f"<table><tr><th>{header}</th></tr></table>"},
                                           metadata={"rmresearch": {"disclosed": True, "basis": basis}})]
    nb.cells = [cell]
    nbformat.write(nb, folder / "00_overview.ipynb")


def test_release_gate_accepts_activity_tables_but_not_with_a_characteristic(tmp_path):
    from rmresearch.report.gate import disclosure_problems

    _notebook_with_table(tmp_path, "partner role</th><th>completed", "activity")
    assert disclosure_problems(tmp_path) == []
    _notebook_with_table(tmp_path, "ethnicity group", "activity")  # as show_table prints ethnicity_group
    assert disclosure_problems(tmp_path) == [
        "00_overview.ipynb, cell 1: a table shown exactly as programme activity has the characteristic column(s) "
        "ethnicity_group; disclose it with basis='people'"]
    _notebook_with_table(tmp_path, "ethnicity group", "people")
    assert disclosure_problems(tmp_path) == []
