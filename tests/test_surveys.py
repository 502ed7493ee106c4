"""Survey instruments, importers, scoring, reliability and pre/post change."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rmresearch import surveys
from rmresearch.errors import AnalysisError, ConfigError, InputError, ValidationError

SAMPLES = Path(__file__).parent / "data" / "surveys"
PARTICIPANTS = pd.DataFrame(
    {
        "participant_id": ["P01", "P02", "P03", "P04", "P05", "P06"],
        "role": ["senior_leader", "senior_leader", "senior_leader", "staff_partner", "staff_partner", "student_partner"],
    }
)
ITEMS = [f"psychological_safety_{j}" for j in range(1, 5)]


@pytest.fixture(scope="module")
def instrument():
    return surveys.load_instrument(["psychological_safety", "programme_feedback"])


@pytest.fixture(scope="module")
def expected():
    frame = pd.read_csv(SAMPLES / "plain.csv", dtype={"participant_id": str})
    frame[ITEMS] = frame[ITEMS].astype(float)
    return frame


# --------------------------------------------------------------------------- instruments


def test_shipped_instruments_cover_the_schemes_aims_and_the_demo_items():
    inst = surveys.load_instrument(
        ["lived_experience", "inclusive_leadership", "career_confidence", "sponsorship", "psychological_safety", "reciprocity", "burden", "mfq9"]
    )
    sizes = {s.name: len(s.items) for s in inst.scales}
    # the demo generator's layout (synthetic.SCALES): 4, 4, 4, 3, 4, 3, 3 and MFQ-9's 3 x 3
    assert sizes == {
        "lived_experience": 4, "inclusive_leadership": 4, "career_confidence": 4, "sponsorship": 3,
        "psychological_safety": 4, "reciprocity": 3, "burden": 3,
        "mfq_career": 3, "mfq_psychosocial": 3, "mfq_role_model": 3,
    }
    assert inst.item_ids[:2] == ["lived_experience_1", "lived_experience_2"]
    assert [i for s in inst.scales for i in s.reverse_items] == ["psychological_safety_3"]
    assert inst.scale("reciprocity").waves == ("post",)
    assert {s.kirkpatrick for s in inst.scales} <= set(surveys.KIRKPATRICK_LEVELS)


def test_reverse_keyed_items_agree_with_the_demo_ground_truth():
    synthetic = pytest.importorskip("rmresearch.synthetic")
    listed = surveys.list_instruments()
    inst = surveys.load_instrument(list(listed["instrument"]))
    ours = sorted(i for s in inst.scales for i in s.reverse_items)
    assert ours == sorted(synthetic.REVERSE_KEYED)
    for scale, (k, waves) in synthetic.SCALES.items():
        assert len(inst.scale(scale).items) == k
        assert inst.scale(scale).waves == tuple(waves)


def test_a_project_instrument_replaces_a_shipped_one(tmp_path):
    (tmp_path / "burden.yml").write_text(
        "instrument: burden\ntitle: Our burden items\nscales:\n"
        "  - scale: burden\n    response_options: {1: No, 2: Somewhat, 3: Yes}\n"
        "    items:\n      - {id: burden_1, text: It took too long.}\n      - {id: burden_2, text: It was easy., reverse: true}\n",
        encoding="utf-8",
    )
    inst = surveys.load_instrument("burden", folder=tmp_path)
    assert inst.title == "Our burden items"
    assert inst.scale("burden").high == 3
    table = surveys.list_instruments(folder=tmp_path)
    assert table.set_index("instrument").loc["burden", "origin"] == str(tmp_path / "burden.yml")
    # scored with the project's 1-3 options: burden_2 reversed as 1 + 3 - x
    scores = surveys.score(pd.DataFrame({"participant_id": ["A"], "burden_1": [3], "burden_2": [3]}), inst)
    assert scores["burden"].iloc[0] == pytest.approx((3 + 1) / 2)


@pytest.mark.parametrize(
    "text, message",
    [
        ("instrument: x\nscales:\n  - scale: x\n    response_options: {1: a, 3: b}\n    items: [{id: x_1, text: t}]\n", "consecutive"),
        ("instrument: x\nscales:\n  - scale: x\n    response_options: {1: a, 2: b}\n    items: [{id: x_1}]\n", "needs an 'id' and a 'text'"),
        ("instrument: x\nscales:\n  - scale: x\n    answered_by: [dean]\n    response_options: {1: a, 2: b}\n    items: [{id: x_1, text: t}]\n", "unknown role"),
        ("instrument: x\nscales:\n  - scale: x\n    kirkpatrick: happiness\n    response_options: {1: a, 2: b}\n    items: [{id: x_1, text: t}]\n", "kirkpatrick must be"),
        ("instrument: x\nscales: [\n", "not valid YAML"),
    ],
)
def test_bad_instrument_files_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "x.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        surveys.load_instrument(path)


def test_unknown_instrument_lists_the_known_ones():
    with pytest.raises(ConfigError, match="Known instruments: .*mfq9"):
        surveys.load_instrument("no_such_scale")


# --------------------------------------------------------------------------- importers


@pytest.mark.parametrize(
    "name, fmt, options",
    [
        ("qualtrics_numeric.csv", "qualtrics", {}),
        ("qualtrics_labels.tsv", "qualtrics", {}),  # UTF-16, tab separated, answers as labels
        ("spss.sav", "spss", {}),  # coded 1 = Strongly agree: translated through the value labels
        ("plain.csv", "csv", {}),
        ("forms.xlsx", "forms", {"ignore": ["Which sessions did you attend?"]}),
    ],
)
def test_every_export_format_gives_the_same_tidy_responses(instrument, expected, name, fmt, options):
    result = surveys.read_responses(SAMPLES / name, instrument, wave="post", participants=PARTICIPANTS, **options)
    assert result.format == fmt
    got = result.responses
    assert list(got.columns) == ["participant_id", "wave", *ITEMS]
    want = expected.loc[expected["participant_id"].isin(got["participant_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert len(got) == (3 if fmt == "forms" else 6)


def test_qualtrics_preview_rows_are_left_out_and_open_text_kept_apart(instrument):
    result = surveys.read_responses(SAMPLES / "qualtrics_numeric.csv", instrument, wave="post", participants=PARTICIPANTS)
    assert "R_preview" not in " ".join(result.responses["participant_id"])
    assert any("preview" in p.message and p.row == 4 for p in result.problems)
    assert result.columns["Q1_3"] == "psychological_safety_3"  # matched by the matrix question text
    assert result.open_text["participant_id"].tolist() == ["P01", "P03"]
    assert set(result.open_text["question"]) == {"what_worked"}
    assert "what_worked" not in result.responses.columns


def test_spss_value_labels_decide_the_codes(instrument):
    import pyreadstat

    raw, meta = pyreadstat.read_sav(str(SAMPLES / "spss.sav"))
    assert raw.loc[0, "psychological_safety_1"] == 2.0  # P01 answered Agree, coded 2 in this file
    assert meta.variable_value_labels["psychological_safety_1"][2.0] == "Agree"
    result = surveys.read_responses(SAMPLES / "spss.sav", instrument, wave="post")
    assert result.responses.loc[0, "psychological_safety_1"] == 4.0  # Agree is 4 in the instrument


def test_forms_extra_question_must_be_mapped_or_ignored(instrument):
    with pytest.raises(ValidationError) as err:
        surveys.read_responses(SAMPLES / "forms.xlsx", instrument, wave="post")
    problem = err.value.problems[0]
    assert problem.column == "Which sessions did you attend?"
    assert "--ignore" in problem.message and problem.file.endswith("forms.xlsx")


def _copy_plain(tmp_path, edit) -> Path:
    frame = pd.read_csv(SAMPLES / "plain.csv", dtype=str, keep_default_na=False)
    edit(frame)
    path = tmp_path / "edited.csv"
    frame.to_csv(path, index=False)
    return path


def test_unknown_participant_is_reported_with_row_and_column(instrument, tmp_path):
    path = _copy_plain(tmp_path, lambda f: f.__setitem__("participant_id", f["participant_id"].replace("P04", "P99")))
    with pytest.raises(ValidationError) as err:
        surveys.read_responses(path, instrument, participants=PARTICIPANTS)
    (problem,) = err.value.problems
    # P04 is the fourth response: row 5 of the file (row 1 is the header)
    assert (problem.row, problem.column) == (5, "participant_id")
    assert "'P99'" in problem.message and "participants table" in problem.message


def test_out_of_range_and_unmatched_text_answers_are_errors(instrument, tmp_path):
    def edit(frame):
        frame.loc[1, "psychological_safety_2"] = "7"
        frame.loc[2, "psychological_safety_4"] = "Agree strongly"
        frame.loc[3, "psychological_safety_1"] = "Agree"  # a label is fine

    path = _copy_plain(tmp_path, edit)
    with pytest.raises(ValidationError) as err:
        surveys.read_responses(path, instrument)
    problems = {p.column: p for p in err.value.problems}
    assert problems["psychological_safety_2"].row == 3
    assert "out of range" in problems["psychological_safety_2"].message and "'7'" in problems["psychological_safety_2"].message
    assert problems["psychological_safety_4"].row == 4
    assert "matching no response option" in problems["psychological_safety_4"].message
    assert "psychological_safety_1" not in problems


def test_columns_that_are_not_items_of_the_instrument_are_errors(instrument, tmp_path):
    path = _copy_plain(tmp_path, lambda f: f.insert(3, "psychological_safety_5", "3"))
    with pytest.raises(ValidationError, match="psychological_safety_5.*not an item of instrument"):
        surveys.read_responses(path, instrument)
    # and mapping it explicitly to an item id that does not exist is a clear mistake
    with pytest.raises(ValueError, match="not an item or open question"):
        surveys.read_responses(path, instrument, columns={"psychological_safety_5": "psychological_safety_9"})


def test_duplicates_missing_ids_and_multiple_answers(instrument, tmp_path):
    def edit(frame):
        frame.loc[5, "participant_id"] = "P01"
        frame.loc[4, "participant_id"] = ""
        frame.loc[2, "psychological_safety_3"] = "Agree;Disagree"

    path = _copy_plain(tmp_path, edit)
    with pytest.raises(ValidationError) as err:
        surveys.read_responses(path, instrument)
    text = str(err.value)
    assert "no participant ID on row(s) 6" in text
    assert "'P01' answered wave 'post' more than once (rows 2, 7)" in text
    assert "more than one answer" in text and "row 4" in text


def test_missing_id_column_and_missing_wave_say_how_to_fix(instrument, tmp_path):
    path = tmp_path / "noid.csv"
    path.write_text("person,psychological_safety_1\nA,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="--link EXPORT_COLUMN=PARTICIPANTS_COLUMN"):
        surveys.read_responses(path, instrument, wave="pre")
    path.write_text("participant_id,psychological_safety_1\nP01,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="--wave pre"):
        surveys.read_responses(path, instrument)
    ok = surveys.read_responses(path, instrument, wave="pre")
    assert any("not found in the export" in p.message for p in ok.problems)


def test_role_outside_answered_by_is_a_warning(tmp_path):
    inst = surveys.load_instrument("career_confidence")  # meant for staff and student partners
    path = tmp_path / "cc.csv"
    path.write_text("participant_id,wave,career_confidence_1\nP01,pre,4\nP04,pre,3\n", encoding="utf-8")
    result = surveys.read_responses(path, inst, participants=PARTICIPANTS)
    (warning,) = [p for p in result.problems if "meant for" in p.message]
    assert warning.severity == "warning" and warning.row == 2 and "senior_leader" in warning.message


# --------------------------------------------------------------------------- scoring and reliability


def test_score_reverse_keys_and_applies_the_minimum_items_rule(instrument, expected):
    scores = surveys.score(expected, instrument)
    # P01 answered 4, 5, 2 (reverse: 6 - 2 = 4), 4: mean 17 / 4 = 4.25
    assert scores.loc[0, "psychological_safety"] == pytest.approx(4.25)
    # P05 answered 3 of 4 (4, 4, 2 -> 4): mean 12 / 3 = 4.0
    assert scores.loc[4, "psychological_safety"] == pytest.approx(4.0)
    strict = surveys.score(expected, instrument, min_items=4)
    assert math.isnan(strict.loc[4, "psychological_safety"])
    assert surveys.score(expected, instrument, min_items={"psychological_safety": 3}).loc[4, "psychological_safety"] == pytest.approx(4.0)


def test_cronbach_alpha_hand_computed():
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 4], "c": [1, 3, 3, 4, 5]})
    # item variances (ddof 1): a 10/4 = 2.5; b: mean 3.2, squares 1.44+1.44+0.04+3.24+0.64 = 6.8 -> 1.7;
    # c: mean 3.2, squares 4.84+0.04+0.04+0.64+3.24 = 8.8 -> 2.2; sum 6.4.
    # totals 4, 7, 9, 13, 14: mean 9.4, squares 29.16+5.76+0.16+12.96+21.16 = 69.2 -> 17.3.
    # alpha = 3/2 * (1 - 6.4/17.3) = 1.5 * 10.9/17.3 = 0.945087
    row = surveys.cronbach_alpha(items).iloc[0]
    assert row["alpha"] == pytest.approx(1.5 * 10.9 / 17.3)
    assert (row["n"], row["k"]) == (5, 3)
    assert row["ci_low"] < row["alpha"] < row["ci_high"] <= 1


def test_cronbach_alpha_matches_a_published_covariance_example():
    # StatsBase.jl docs, cronbachalpha(cov_X) for cov_X = [10 6 6 6; 6 11 6 6; 6 6 12 6; 6 6 6 13]:
    # "Cronbach's alpha for all items: 0.8136"; if item 1 is dropped: 0.7500, item 4 dropped: 0.7826.
    # (By hand: 4/3 * (1 - 46/118) = 0.81356.) Build data with exactly that sample covariance.
    cov = np.array([[10, 6, 6, 6], [6, 11, 6, 6], [6, 6, 12, 6], [6, 6, 6, 13]], dtype=float)
    rng = np.random.default_rng(1)
    z = rng.normal(size=(60, 4))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)  # sample covariance = identity
    data = pd.DataFrame(z @ np.linalg.cholesky(cov).T, columns=list("abcd"))
    assert np.allclose(np.cov(data, rowvar=False), cov)
    assert surveys.cronbach_alpha(data).loc[0, "alpha"] == pytest.approx(0.8136, abs=5e-5)
    assert surveys.cronbach_alpha(data[["b", "c", "d"]]).loc[0, "alpha"] == pytest.approx(0.7500, abs=5e-5)
    assert surveys.cronbach_alpha(data[["a", "b", "c"]]).loc[0, "alpha"] == pytest.approx(0.7826, abs=5e-5)


def test_feldt_interval():
    # Feldt, Woodruff & Salih (1987) formulas 6-7: 1 - (1 - alpha) F_{.975 / .025}(n - 1, (n - 1)(k - 1)).
    # R statpsych::ci.cronbach(.05, .85, 7, 89) gives LL 0.7971254, UL 0.8931436 with Bonett's
    # closely related approximation; Feldt's interval agrees to three decimals.
    low, high = surveys.alpha_confidence_interval(0.85, n=89, k=7)
    assert (round(low, 3), round(high, 3)) == (0.797, 0.893)
    # more people, narrower interval; the interval is not symmetric about alpha
    low2, high2 = surveys.alpha_confidence_interval(0.85, n=400, k=7)
    assert low < low2 < 0.85 < high2 < high
    assert (0.85 - low) > (high - 0.85)


def test_reliability_reverse_keys_before_alpha(expected, instrument):
    table = surveys.reliability(expected, instrument)
    assert table[["scale", "wave", "n", "k"]].iloc[0].tolist() == ["psychological_safety", "post", 5, 4]
    keyed = expected[ITEMS].copy()
    keyed["psychological_safety_3"] = 6 - keyed["psychological_safety_3"]
    assert table["alpha"].iloc[0] == pytest.approx(surveys.cronbach_alpha(keyed).loc[0, "alpha"])
    assert table["alpha"].iloc[0] > 0.9  # the sample answers are consistent once item 3 is reversed


# --------------------------------------------------------------------------- change


def test_paired_change_hand_computed_dz_t_and_interval():
    pre = pd.Series([3.0, 2.5, 4.0, 3.5, 2.0])
    post = pd.Series([4.0, 3.5, 4.0, 4.5, 3.0])
    # differences 1, 1, 0, 1, 1: mean 0.8; sd = sqrt((4 * 0.2^2 + 0.8^2) / 4) = sqrt(0.2) = 0.44721
    # d_z = 0.8 / 0.44721 = 1.78885; se = 0.44721 / sqrt(5) = 0.2; t = 0.8 / 0.2 = 4.0
    # 95% CI: 0.8 -/+ t(0.975, 4) * 0.2 = 0.8 -/+ 2.776445 * 0.2 = (0.244711, 1.355289)
    row = surveys.paired_change(pre, post).iloc[0]
    assert row["n"] == 5
    assert row["mean_pre"] == pytest.approx(3.0) and row["mean_post"] == pytest.approx(3.8)
    assert row["cohen_dz"] == pytest.approx(0.8 / math.sqrt(0.2))
    assert row["t"] == pytest.approx(4.0)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(0.244711, abs=1e-6), pytest.approx(1.355289, abs=1e-6))
    # Wilcoxon: the zero is dropped, four tied positive differences: T+ = 10, T- = 0, rank-biserial 1
    assert row["rank_biserial"] == 1.0 and row["w"] == 0.0


def test_paired_change_states_the_smallest_change_it_could_detect():
    # the same five pairs: a two-sided paired t test on 5 pairs at alpha 0.05 detects d_z = 1.682 with power 0.8
    # (noncentral t, statsmodels TTestPower; tests/test_stats_power.py checks the solver by hand); in points that is
    # 1.682 * sd of the changes = 1.682 * sqrt(0.2) = 0.7522
    pre = pd.Series([3.0, 2.5, 4.0, 3.5, 2.0])
    post = pd.Series([4.0, 3.5, 4.0, 4.5, 3.0])
    row = surveys.paired_change(pre, post).iloc[0]
    assert row["minimum_detectable_d"] == pytest.approx(1.6820, abs=1e-4)
    assert row["minimum_detectable_change"] == pytest.approx(row["minimum_detectable_d"] * math.sqrt(0.2))
    assert surveys.paired_change(pre, post, power=0.5).iloc[0]["minimum_detectable_d"] < row["minimum_detectable_d"]
    # no variation in the changes: d is still a property of the sample size, the change in points is not
    flat = surveys.paired_change(pre, pre + 1).iloc[0]
    assert flat["minimum_detectable_d"] == pytest.approx(row["minimum_detectable_d"])
    assert math.isnan(flat["minimum_detectable_change"])
    assert math.isnan(surveys.paired_change([1.0], [2.0]).iloc[0]["minimum_detectable_d"])


def test_wilcoxon_against_darwins_zea_mays_worked_example():
    # Fisher (1935), The Design of Experiments, s. 17: height differences (eighths of an inch) of
    # cross- and self-fertilised Zea mays in 15 pairs; the worked example of scipy.stats.wilcoxon
    # (after Hollander & Wolfe): W = 24, exact two-sided p = 0.041259765625.
    d = np.array([6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75], dtype=float)
    row = surveys.paired_change(np.zeros(15), d).iloc[0]
    assert row["w"] == 24
    assert row["p_w"] == pytest.approx(0.041259765625)
    # by hand: negative differences 48 and 67 have ranks 10 and 14, T- = 24, T+ = 120 - 24 = 96;
    # rank-biserial (Kerby 2014) = (96 - 24) / 120 = 0.6
    assert row["rank_biserial"] == pytest.approx(0.6)
    # Z = (24 - 15*16/4) / sqrt(15*16*31/24) = -36 / sqrt(310) = -2.04466; r = 2.04466 / sqrt(15) = 0.52793
    assert row["r"] == pytest.approx(36 / math.sqrt(310) / math.sqrt(15))


def test_paired_change_aligns_on_participants_and_handles_tiny_groups():
    pre = pd.Series([1.0, 2.0, 3.0], index=["A", "B", "C"])
    post = pd.Series([2.0, 4.0], index=["C", "A"])
    row = surveys.paired_change(pre, post).iloc[0]
    assert row["n"] == 2 and row["mean_diff"] == pytest.approx(((4 - 1) + (2 - 3)) / 2)
    one = surveys.paired_change(pd.Series([1.0], index=["A"]), pd.Series([2.0], index=["A"])).iloc[0]
    assert one["n"] == 1 and math.isnan(one["t"]) and math.isnan(one["cohen_dz"])
    assert surveys.paired_change([], []).loc[0, "n"] == 0
    with pytest.raises(ValueError, match="same length"):
        surveys.paired_change([1, 2], [1])


def test_change_by_group_holm_correction_within_each_role():
    ids = [f"P{i}" for i in range(8)]
    pre = pd.DataFrame({"participant_id": ids, "wave": "pre", "x": [1, 2, 3, 4, 1, 2, 3, 4.0], "y": [3, 3, 3, 3, 2, 2, 2, 2.0]})
    post = pre.assign(wave="post", x=pre["x"] + [1, 1.5, 1, 2, 0.5, 1, 1, 1.5], y=pre["y"] + [0.5, -0.5, 0, 1, 0.5, -1, 0.5, 0])
    scores = pd.concat([pre, post], ignore_index=True)
    roles = pd.Series(["senior_leader"] * 4 + ["staff_partner"] * 4, index=ids)
    table = surveys.change_by_group(scores, groups=roles)
    assert table["group"].tolist() == ["senior_leader", "senior_leader", "staff_partner", "staff_partner", "All participants", "All participants"]
    for _, part in table.groupby("group"):
        # Holm with two tests: the smaller p doubles, the larger is max(2 * smaller, larger)
        p = part["p_t"].to_numpy()
        small, large = min(p), max(p)
        assert sorted(part["p_t_adj"]) == pytest.approx(sorted([min(1, 2 * small), min(1, max(2 * small, large))]))
    everyone = surveys.change_by_group(scores, groups=roles, family="all")
    assert everyone["p_t_adj"].min() == pytest.approx(min(1, 6 * table["p_t"].min()))


# --------------------------------------------------------------------------- Likert charts


def test_likert_counts_and_chart_suppress_small_items(expected, instrument):
    counts = surveys.likert_counts(expected, instrument, scale="psychological_safety")
    assert counts.loc[0, ["n", "Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]].tolist() == [6, 1, 1, 1, 2, 1]
    assert counts.loc[3, "n"] == 5  # P05 skipped item 4
    with pytest.raises(AnalysisError, match="too few answers to draw any item"):  # 6 answers is fewer than 22.5
        surveys.plot_likert(counts)  # a chart of suppressed rows only says nothing: the section shows a note
    mixed = counts.copy()
    mixed.loc[0, ["n", *counts.columns[4:]]] = mixed.loc[0, ["n", *counts.columns[4:]]] * 10  # item 1: 60 answers
    ax = surveys.plot_likert(mixed).axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("suppressed (too few answers)") == 3  # the other three items are not drawn
    assert ax.get_title(loc="left") == "50% agreed with the one item drawn"  # (20 agree + 10 strongly) / 60
    big = counts.copy()
    big[["n", *counts.columns[4:]]] = big[["n", *counts.columns[4:]]] * 10  # 60 answers: drawn
    ax = surveys.plot_likert(big).axes[0]
    bars = [p for p in ax.patches if abs(p.get_height() - 0.7) < 1e-9]
    assert len(bars) == 3 * 5 + 3  # item 2 has an option nobody chose: drawn as disagree / neutral / agree
    first = sorted((p for p in bars if abs(p.get_y() + 0.35) < 1e-9), key=lambda p: p.get_x())
    assert sum(p.get_width() for p in first) == pytest.approx(100)
    assert first[0].get_x() == pytest.approx(-(10 + 10 + 5) / 60 * 100)  # two disagree bars and half the middle


def test_alpha_is_the_significance_level_of_every_interval():
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 4], "c": [1, 3, 3, 4, 5]})
    wide, narrow = surveys.cronbach_alpha(items).iloc[0], surveys.cronbach_alpha(items, alpha=0.10).iloc[0]
    assert wide["alpha"] == narrow["alpha"]  # the coefficient does not depend on the interval's level
    assert wide["ci_low"] < narrow["ci_low"] < narrow["alpha"] < narrow["ci_high"] < wide["ci_high"]
    # 90% t interval for the hand-computed differences above: 0.8 -/+ t(0.95, 4) * 0.2 = 0.8 -/+ 2.131847 * 0.2
    row = surveys.paired_change(pd.Series([3.0, 2.5, 4.0, 3.5, 2.0]), pd.Series([4.0, 3.5, 4.0, 4.5, 3.0]), alpha=0.10).iloc[0]
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(0.373631, abs=1e-6), pytest.approx(1.226369, abs=1e-6))
    with pytest.raises(ValueError, match="significance level"):
        surveys.alpha_confidence_interval(0.8, n=20, k=4, alpha=0.95)


def test_plot_likert_returns_the_figure(expected, instrument):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = surveys.likert_counts(expected, instrument, scale="psychological_safety")
    counts[["n", *counts.columns[4:]]] = counts[["n", *counts.columns[4:]]] * 10  # enough answers to draw
    figure = surveys.plot_likert(counts)
    assert isinstance(figure, matplotlib.figure.Figure)
    own, ax = plt.subplots()
    assert surveys.plot_likert(counts, ax=ax) is own
    plt.close("all")


def test_record_change_records_each_scale_for_its_intended_roles(monkeypatch):
    from rmresearch import results

    recorded = {}
    monkeypatch.setattr(results, "record", lambda key, value, **kw: recorded.setdefault(key, (value, kw)))
    inst = surveys.load_instrument(["lived_experience", "career_confidence"])
    change = pd.DataFrame({
        "group": ["senior_leader", "staff_partner", "senior_leader", "staff_partner", "All participants"],
        "scale": ["lived_experience", "lived_experience", "career_confidence", "career_confidence", "lived_experience"],
        "n": [12, 9, 12, 9, 21], "mean_diff": [0.8, 0.1, 0.05, 0.4, 0.5],
        "ci_low": [0.5, -0.2, -0.2, 0.1, 0.3], "ci_high": [1.1, 0.4, 0.3, 0.7, 0.7]})
    keys = surveys.record_change(change, inst)
    # lived experience is written for senior leaders, career confidence for the partners
    assert keys == ["survey_change", "survey_change_career_confidence_staff_partner"]
    value, options = recorded["survey_change"]
    assert value == 0.8 and options["ci"] == (0.5, 1.1) and options["headline"] and options["kind"] == "mean"
    assert recorded["survey_change_career_confidence_staff_partner"][1]["n_of"] == "staff partners who answered both surveys"


# --------------------------------------------------------------------------- validate reads what the report reads


def _cohort(tmp_path, waves, instruments=("psychological_safety", "programme_feedback")):
    from types import SimpleNamespace

    return SimpleNamespace(inputs={"surveys": waves}, options={"survey_instruments_used": list(instruments)},
                           root=tmp_path, path=tmp_path / "cohort.yml")


@pytest.mark.parametrize("name", ["qualtrics_numeric.csv", "qualtrics_labels.tsv", "spss.sav", "plain.csv", "forms.xlsx"])
def test_validate_and_the_report_agree_on_every_survey_fixture(tmp_path, name):
    config = _cohort(tmp_path, {"post": SAMPLES / name})
    problems = surveys.survey_problems(config, {"participants": PARTICIPANTS})
    try:
        surveys.load_surveys(config, participants=PARTICIPANTS)
        report_refuses = False
    except (ValidationError, InputError):
        report_refuses = True
    assert report_refuses == any(p.severity == "error" for p in problems), [str(p) for p in problems]
    # the SPSS file and the UTF-16 Qualtrics TSV, which validate used to reject, are read by both
    if name in ("spss.sav", "qualtrics_labels.tsv"):
        assert not report_refuses


def test_survey_problems_reports_what_the_report_would_refuse_in_every_wave(tmp_path):
    bad = _copy_plain(tmp_path, lambda f: (f.__setitem__("participant_id", f["participant_id"].replace("P04", "P99")),
                                           f.loc.__setitem__((1, "psychological_safety_2"), "7")))
    missing = tmp_path / "no_such_pre.csv"
    config = _cohort(tmp_path, {"pre": missing, "post": bad})
    problems = surveys.survey_problems(config, {"participants": PARTICIPANTS})
    text = [str(p) for p in problems]
    assert any(str(missing) in s and "not found" in s for s in text)  # the first wave does not hide the second
    assert any("'P99'" in s and "participants table" in s for s in text)
    assert any("out of range" in s and "psychological_safety_2" in s for s in text)
    assert surveys.survey_problems(_cohort(tmp_path, {}), {}) == []
    unknown = surveys.survey_problems(_cohort(tmp_path, {"post": bad}, instruments=["no_such_instrument"]), {})
    assert len(unknown) == 1 and "No instrument 'no_such_instrument'" in unknown[0].message


def test_survey_problems_names_the_scales_the_programme_report_needs(tmp_path):
    config = _cohort(tmp_path, {"post": SAMPLES / "plain.csv"})
    config.inputs.update(pairs=tmp_path / "pairs.csv", meetings=tmp_path / "meetings.csv")  # the programme report runs
    (problem,) = surveys.survey_problems(config, {"participants": PARTICIPANTS})
    assert "needs the reciprocity scale" in problem.message and problem.column == "options.survey_instruments_used"
    config.options["survey_instruments_used"] = ["psychological_safety", "reciprocity"]
    (problem,) = surveys.survey_problems(config, {"participants": PARTICIPANTS})
    assert "no survey export has its items (reciprocity_1" in problem.message and problem.file.endswith("plain.csv")
    # a cohort without pairs or meetings gets no programme report, so nothing is asked of its surveys
    del config.inputs["meetings"]
    assert surveys.survey_problems(config, {"participants": PARTICIPANTS}) == []


# --------------------------------------------------------------------------- the demo cohort (known truth)


def test_demo_surveys_reproduce_the_injected_changes(demo_project):
    from rmresearch.config import load_cohort
    from rmresearch.inputs import load_table

    config = load_cohort(demo_project / "cohorts" / "demo.yml")
    participants = load_table(config, "participants")
    inst = surveys.load_instrument(["lived_experience", "inclusive_leadership", "career_confidence", "sponsorship", "psychological_safety", "reciprocity", "burden", "mfq9"])
    data = surveys.load_surveys(config, inst, participants=participants)
    truth = json.loads((demo_project / "data" / "demo" / "ground_truth" / "effects.json").read_text())["surveys"]
    assert (data.responses["wave"] == "pre").sum() == truth["respondents"]["pre"]
    assert (data.responses["wave"] == "post").sum() == truth["respondents"]["post"]
    scores = surveys.score(data.responses, inst, min_items=1)  # the generator averages whatever was answered
    groups = participants.set_index("participant_id")["role"].map(lambda r: "senior_leader" if r == "senior_leader" else "partner")
    change = surveys.change_by_group(scores, groups=groups, total=None).set_index(["group", "scale"])
    for group, by_scale in truth["realised_change"].items():
        if group == "post_means":
            continue
        for scale, value in by_scale.items():
            assert change.loc[(group, scale), "mean_diff"] == pytest.approx(value, abs=6e-4), (group, scale)
    # the injected changes are large for leaders' learning and small where none was injected
    assert change.loc[("senior_leader", "inclusive_leadership"), "p_t_adj"] < 0.01
    assert change.loc[("senior_leader", "career_confidence"), "p_t_adj"] > 0.05


def test_cli_import_writes_the_tidy_table_without_open_text(tmp_path, capsys):
    import argparse

    from rmresearch.cli import survey as surveys_cli

    parser = argparse.ArgumentParser(prog="rmresearch")
    surveys_cli.add_commands(parser.add_subparsers())
    out = tmp_path / "tidy.csv"
    args = parser.parse_args(["survey", "import", str(SAMPLES / "qualtrics_labels.tsv"), "-i", "psychological_safety",
                              "programme_feedback", "--wave", "post", "-o", str(out)])
    assert args.func(args) == 0
    written = pd.read_csv(out)
    assert written.columns.tolist() == ["participant_id", "wave", *ITEMS]
    assert written.loc[0, ITEMS].tolist() == [4, 5, 2, 4]
    assert "Dr Jane Example" not in out.read_text()
    assert "2 open-text answer(s) were not written" in capsys.readouterr().out


def test_cli_import_finds_the_cohort_in_cohorts_dir(demo_project, tmp_path, monkeypatch, capsys):
    # `survey import` takes --cohorts-dir like every other command (it could only find ./cohorts before)
    from rmresearch.cli import main

    monkeypatch.chdir(tmp_path)  # no ./cohorts here
    argv = ["survey", "import", str(SAMPLES / "qualtrics_labels.tsv"), "-i", "psychological_safety",
            "programme_feedback", "--wave", "post", "--cohort", "demo"]
    assert main([*argv, "--cohorts-dir", str(tmp_path / "nowhere"), "-o", "a.csv"]) == 2
    assert f"expected {tmp_path / 'nowhere' / 'demo.yml'}" in capsys.readouterr().err
    assert main([*argv, "--cohorts-dir", str(demo_project / "cohorts"), "-o", "b.csv"]) == 0
    assert "6 response(s), 4 item(s)" in capsys.readouterr().out
    assert pd.read_csv(tmp_path / "b.csv").shape == (6, 6)


def test_change_for_display_names_scales_and_never_prints_minus_zero():
    from rmresearch.disclosure import disclose
    from rmresearch.display import format_table

    inst = surveys.load_instrument("psychological_safety")
    change = pd.DataFrame({"group": ["senior_leader", "staff_partner"], "scale": ["psychological_safety"] * 2,
                           "n": [30, 30], "mean_diff": [-0.004, -0.25], "ci_low": [-0.31, -0.5], "p_t_adj": [0.0004, 0.2]})
    shown = surveys.change_for_display(change, inst)
    assert shown["scale"].tolist() == ["Psychological safety in the pair"] * 2
    assert shown["mean_diff"].tolist() == [0.0, -0.25] and change.loc[0, "mean_diff"] == -0.004  # the input is untouched
    html = format_table(disclose(shown, counts=["n"], means={"mean_diff": "n", "ci_low": "n", "p_t_adj": "n"}),
                        decimals=2).to_html()
    assert "-0.00" not in html and "-0.25" in html and "&lt; 0.001" in html and "Senior leader" in html
    titled = surveys.with_scale_titles(pd.DataFrame({"scale": ["psychological_safety", "unknown_scale"]}), inst)
    assert titled["scale"].tolist() == ["Psychological safety in the pair", "unknown_scale"]
    with pytest.raises(AnalysisError, match="no 'scale' column"):
        surveys.with_scale_titles(pd.DataFrame({"name": ["x"]}), inst)


def test_the_fast_signed_rank_test_agrees_with_scipys_on_small_samples_with_ties_and_zeros():
    """surveys.change.signed_rank_test replaces scipy's slow exact permutation path (ties or zeros, n <= 13) with
    the same permutation test, statistic vectorised: statistic and p-value must be scipy's own."""
    import numpy as np
    from scipy import stats

    from rmresearch.surveys.change import signed_rank_test

    rng = np.random.default_rng(7)
    values = [-2, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3]
    cases = [rng.choice(values, size=n) for n in (2, 3, 5, 8, 10, 11, 14, 20) for _ in range(4)]
    cases += [rng.choice(values, size=13)]
    cases += [np.array([1.0, 2.0, 3.0, 4.5]), np.array([0.0, 0.0, 1.0]), np.arange(1, 14) * 1.0]
    checked = 0
    for d in cases:
        if not (d != 0).any():
            continue
        ours, theirs = signed_rank_test(d), stats.wilcoxon(d, zero_method="wilcox", method="auto")
        assert ours.statistic == pytest.approx(float(theirs.statistic), abs=1e-12), d
        assert ours.pvalue == pytest.approx(float(theirs.pvalue), abs=1e-12), d
        checked += 1
    assert checked >= 30
