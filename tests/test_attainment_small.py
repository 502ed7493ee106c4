"""Notebook 03 on a small cohort: sections that show a note instead of failing, and what a null gap can mean."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from rmresearch import attainment, results, sections
from rmresearch.attainment import disclose_attainment
from rmresearch.config import DisclosureRules
from rmresearch.disclosure import disclose
from rmresearch.errors import AnalysisError

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _cell(cell_id: str) -> str:
    nb = json.loads((NOTEBOOKS / "03_attainment.ipynb").read_text(encoding="utf-8"))
    (cell,) = [c for c in nb["cells"] if c.get("id") == cell_id]
    return "".join(cell["source"])


def _hand_mdd_pp(n1: float, n2: float, p: float) -> float:
    """Cohen's h for power 0.8 at two-sided 0.05 (one tail, as in Cohen's tables) turned back into proportions."""
    h = (stats.norm.isf(0.025) + stats.norm.isf(0.2)) * math.sqrt(1 / n1 + 1 / n2)
    angle = math.asin(math.sqrt(p))
    up = math.sin(angle + h / 2) ** 2 - p
    down = p - math.sin(angle - h / 2) ** 2
    return 100 * max(up, down)


@pytest.mark.parametrize(("n1", "n2", "p"), [(65, 75, 0.631), (100, 1595, 0.785), (10, 20, 0.5), (300, 300, 0.2)])
def test_detectable_difference_matches_cohens_h_worked_by_hand(n1, n2, p):
    assert attainment.detectable_difference_pp(n1, n2, p) == pytest.approx(_hand_mdd_pp(n1, n2, p), abs=0.05)


def test_detectable_difference_reads_numbers_as_tables_show_them():
    assert attainment.detectable_difference_pp("1,595", "65", "63.1%") == pytest.approx(
        attainment.detectable_difference_pp(1595, 65, 0.631))
    # a suppressed rate is taken as 50%, where a difference is hardest to detect: the largest answer
    assert attainment.detectable_difference_pp(65, 75, "..") == pytest.approx(_hand_mdd_pp(65, 75, 0.5), abs=0.05)
    assert attainment.detectable_difference_pp(65, 75, "..") > attainment.detectable_difference_pp(65, 75, 0.9)
    assert math.isnan(attainment.detectable_difference_pp("..", 75, 0.5))
    assert math.isnan(attainment.detectable_difference_pp(0, 75, 0.5))


def _students(white_n=400, white_good=300, black_n=60, black_good=40, mixed_n=8, mixed_good=5):
    rows = []
    for group, aggregate, n, k in (("White", "White", white_n, white_good), ("Black", "BAME", black_n, black_good),
                                   ("Mixed", "BAME", mixed_n, mixed_good)):
        rows += [(group, aggregate, "2:1" if i < k else "2:2") for i in range(n)]
    return pd.DataFrame(rows, columns=["ethnicity_group", "ethnicity_aggregate", "degree_class"])


def test_detectable_gap_lines_come_from_the_rounded_counts_shown_and_skip_significant_gaps():
    students = _students(white_n=402, black_n=61, black_good=43, mixed_n=2, mixed_good=1)  # shown: 400, 60 and 0
    shown = disclose_attainment(attainment.awarding_gap(students), rules=DisclosureRules(style="hesa"))
    lines = attainment.detectable_gap_lines(shown, group="ethnicity_group", reference="White students",
                                            reference_group="White")
    rate = float(shown.loc[0, "rate"].rstrip("%")) / 100  # the White rate as shown
    expected = round(attainment.detectable_difference_pp(60, 400, rate))
    assert lines == [
        f"With about 60 Black students and about 400 White students, this comparison could only have detected a gap "
        f"of {expected} pp or more (power 0.8, two-sided 0.05); a gap smaller than that may exist.",
        "Mixed: too few students to say how large a gap could have been detected (suppressed).",
    ]
    assert expected == round(_hand_mdd_pp(60, 400, rate))
    # a significant gap gets no sentence: it was detected
    wide = disclose_attainment(attainment.awarding_gap(_students(black_good=20)), rules=DisclosureRules(style="hesa"))
    assert wide.loc[1, "significant"] == "yes"
    assert not any("Black" in line for line in attainment.detectable_gap_lines(wide, group="ethnicity_group",
                                                                                  reference_group="White"))


def test_record_detectable_records_the_rounded_answer_only_beside_a_null_result():
    rec = results.Recorder()
    shown = pd.DataFrame({"n_treated_matched": [65], "n_control_effective": [75], "rate_control": ["63.1%"],
                          "significant": ["no"]})
    options = dict(n="n_treated_matched", reference_n="n_control_effective", reference_rate="rate_control")
    got = attainment.record_detectable("mdd", shown, label="Smallest detectable difference", recorder=rec, **options)
    assert got["display"] == f"{round(_hand_mdd_pp(65, 75, 0.631))} pp" == "24 pp"
    assert attainment.record_detectable("mdd2", shown.assign(significant="yes"), label="x", recorder=rec,
                                        **options) is None
    assert [r["key"] for r in rec.results] == ["mdd"]


def test_first_mentored_year_and_its_note_when_no_mentored_student_has_qualified():
    students = pd.DataFrame({"mentored": [True, True, False, None], "qualification_year": [2025, 2024, 2019, 2020]})
    assert attainment.first_mentored_year(students) == 2024
    with pytest.raises(AnalysisError, match="no mentored student has qualified yet"):
        attainment.first_mentored_year(students.assign(qualification_year=[None, None, 2019, 2020]))


def test_group_row_names_the_missing_group():
    table = attainment.awarding_gap(_students())
    assert int(attainment.group_row(table, "Black")["n"]) == 60
    with pytest.raises(AnalysisError, match="no Asian students with an outcome in column 'ethnicity_group'"):
        attainment.group_row(table, "Asian")


def test_gap_sentence_says_what_is_hidden_instead_of_printing_markers():
    rules = DisclosureRules(style="hesa")
    shown = disclose_attainment(attainment.awarding_gap(_students(), group="ethnicity_aggregate"), rules=rules)
    assert attainment.gap_sentence(shown, reference="White", comparison="BAME") == (
        "In this cohort's records the good-honours rate is 75.0% for White students and 66.2% for BAME students: "
        f"a gap of {shown.loc[1, 'gap_pp']} percentage points (95% interval {shown.loc[1, 'ci_low']} to "
        f"{shown.loc[1, 'ci_high']}).")
    small = disclose_attainment(attainment.awarding_gap(_students(black_n=10, black_good=5, mixed_n=0),
                                                        group="ethnicity_aggregate"), rules=rules)
    sentence = attainment.gap_sentence(small, reference="White", comparison="BAME")
    assert ".." not in sentence and "rate of BAME students rests on too few students" in sentence


def test_plot_gap_trend_refuses_to_draw_an_empty_figure():
    students = _students(white_n=30, white_good=20, black_n=10, black_good=5, mixed_n=0).assign(qualification_year=2023)
    trend = attainment.gap_trend(students)
    with pytest.raises(AnalysisError, match="no year has enough qualifiers"):
        attainment.plot_gap_trend(trend)


def _run_cell(cell_id: str, students: pd.DataFrame, monkeypatch, cfg=None) -> tuple[list[str], dict]:
    shown_notes = []
    monkeypatch.setattr(sections.unit, "_show", lambda self, text: shown_notes.append(text))
    rec = results.start(rules=DisclosureRules(style="hesa"), path=None)
    from types import SimpleNamespace

    from rmresearch import plots

    from rmresearch.characteristics import legacy_ethnicity

    cfg = cfg or SimpleNamespace(reference_group="White", aggregate_group="BAME", ethnicity_grouping="ofs")
    focus = legacy_ethnicity("White", "ofs_group", "BAME")  # a cohort file without options.characteristics
    namespace = dict(results=results, sections=sections, attainment=attainment, cfg=cfg, rules=rec.rules, focus=focus,
                     students=students, reference="White", aggregate="BAME", good=("First", "2:1"), plots=plots,
                     disclose=disclose, disclose_attainment=disclose_attainment, show_table=lambda *a, **k: None)
    exec(compile(_cell(cell_id), f"03_attainment:{cell_id}", "exec"), namespace)
    return shown_notes, {r["key"]: r for r in rec.results}


def test_notebook_03_headline_without_any_aggregate_student_shows_a_note(monkeypatch):
    notes, recorded = _run_cell("cell-04", _students(black_n=0, mixed_n=0), monkeypatch)
    assert len(notes) == 1 and notes[0].startswith("> **Headline gap: not shown for this cohort.** No BAME students")
    assert recorded == {}


def test_notebook_03_difference_in_differences_while_mentored_students_still_study_shows_a_note(monkeypatch):
    students = _students().assign(qualification_year=2022, mentored=False)
    students.loc[students.index[-5:], ["qualification_year", "degree_class"]] = [pd.NA, None]
    students.loc[students.index[-5:], "mentored"] = True
    students["qualification_year"] = students["qualification_year"].astype("Int64")
    notes, recorded = _run_cell("cell-17", students, monkeypatch)
    assert notes == ["> **Difference in differences: not shown for this cohort.** No mentored student has qualified "
                     "yet (no 'qualification_year' among the students whose 'mentored' is yes), so there is no year "
                     "from which the scheme could have changed the gap. This section needs mentored students who have "
                     "qualified, and students of both groups who qualified before and from the year the first of them "
                     "did."]
    assert recorded == {}


def test_notebook_03_every_code_cell_after_the_setup_is_a_section():
    nb = json.loads((NOTEBOOKS / "03_attainment.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])]
    assert code[0]["id"] == "cell-02"  # the setup: loads the cohort file and the students table
    for cell in code[1:]:
        source = "".join(cell["source"])
        # a section, or a loop of sections (one per characteristic and measure)
        assert source.startswith("with sections.unit(") or (
            source.startswith("for ") and source.split("\n")[1].startswith("    with sections.unit(")), cell["id"]


def test_notebook_03_mentored_comparison_says_what_a_null_difference_can_mean(monkeypatch):
    rng = np.random.default_rng(5)
    n = 600
    students = pd.DataFrame({"ethnicity_group": rng.choice(["White", "Black"], n), "faculty": rng.choice(["Arts", "Law"], n),
                             "entry_year": 2020, "tariff": rng.choice([100.0, 120.0], n), "sex": rng.choice(["F", "M"], n),
                             "disability": rng.random(n) < 0.1, "imd_quintile": rng.integers(1, 6, n),
                             "mentored": rng.random(n) < 0.15, "degree_class": rng.choice(["2:1", "2:2"], n)})
    students["imd_quintile"] = students["imd_quintile"].astype("Int64")
    shown_lines = []
    monkeypatch.setattr(attainment, "show_sentences", lambda lines: shown_lines.extend(lines))
    notes, recorded = _run_cell("cell-15", students, monkeypatch)
    assert notes == []
    exact = disclose_attainment(attainment.mentored_comparison(students, method="exact"), rules=DisclosureRules(style="hesa"))
    assert exact.loc[0, "significant"] == "no"
    size = attainment.detectable_difference_pp(exact.loc[0, "n_treated_matched"], exact.loc[0, "n_control_effective"],
                                               exact.loc[0, "rate_control"])
    assert shown_lines == [
        f"With about {exact.loc[0, 'n_treated_matched']} mentored students and about "
        f"{exact.loc[0, 'n_control_effective']:,} matched students outside the scheme, this comparison could only have "
        f"detected a difference of {size:.0f} pp or more (power 0.8, two-sided 0.05); a difference smaller than that "
        "may exist."]
    assert recorded["mentored_difference_detectable"]["display"] == f"{size:.0f} pp"
    assert results.sentence(recorded["mentored_difference_detectable"]) == (
        f"The mentored comparison could only have detected a difference of {size:.0f} pp or more (power 0.8, "
        f"two-sided 0.05; based on about {exact.loc[0, 'n_treated_matched']} students); a smaller difference may exist.")


# --- sparse levels merged in the design encoder ------------------------------------------------------------------

from rmresearch.stats.design import Merge, encode_design, merge_sparse_levels  # noqa: E402


def _faculty_frame(vet: int = 1, seed: int = 11) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 400
    frame = pd.DataFrame({"faculty": rng.choice(["Arts", "Law", "Science"], n), "tariff": rng.normal(120, 20, n),
                          "disabled": rng.random(n) < 0.2})
    frame.loc[frame.index[:vet], "faculty"] = "Veterinary School"
    y = rng.random(n) < special_expit(-3 + 0.03 * frame["tariff"].to_numpy())
    return frame, y


def special_expit(x):
    return 1 / (1 + np.exp(-x))


def test_a_level_with_one_student_is_merged_into_other_faculties():
    frame, y = _faculty_frame(vet=1)
    # Veterinary School (1 student) alone is still too few, so the smallest other faculty joins it
    smallest = frame["faculty"].value_counts().drop("Veterinary School").idxmin()
    design = encode_design(frame, ["faculty", "tariff"], min_level_n=10, outcome=y)
    (merge,) = design.merged
    assert merge == Merge("faculty", tuple(sorted(["Veterinary School", smallest])), "Other faculties",
                          int(frame["faculty"].isin(["Veterinary School", smallest]).sum()))
    kept = sorted(set(frame["faculty"]) - {"Veterinary School", smallest})
    assert design.levels["faculty"] == kept + ["Other faculties"]
    assert design.names == ["const", f"faculty[{kept[1]}]", "faculty[Other faculties]", "tariff"]
    # the merged column is exactly the indicator of the merged faculties
    other = frame["faculty"].isin(["Veterinary School", smallest]).to_numpy(dtype=float)
    np.testing.assert_array_equal(design.X[:, 2], other)


def test_two_sparse_levels_enough_together_are_merged_with_each_other_only():
    faculty = pd.Series(["Arts"] * 40 + ["Law"] * 40 + ["Music"] * 6 + ["Vet"] * 5)
    merged, how = merge_sparse_levels(faculty, column="faculty", min_n=10)
    assert how == Merge("faculty", ("Music", "Vet"), "Other faculties", 11)
    assert merged.value_counts().to_dict() == {"Arts": 40, "Law": 40, "Other faculties": 11}


def test_a_level_whose_students_all_had_the_same_outcome_is_merged():
    faculty = pd.Series(["Arts"] * 30 + ["Law"] * 24 + ["Music"] * 20)
    y = np.r_[np.tile([True, False], 27), np.ones(20, dtype=bool)]  # every Music student: good honours
    _, how = merge_sparse_levels(faculty, column="faculty", min_n=10, outcome=y)
    assert how.levels == ("Law", "Music") and how.into == "Other faculties"  # Music alone would still be one outcome


def test_a_frame_without_sparse_levels_gets_the_same_design_as_before():
    frame, y = _faculty_frame(vet=0)
    plain = encode_design(frame, ["faculty", "tariff", "disabled"])
    merged = encode_design(frame, ["faculty", "tariff", "disabled"], min_level_n=10, outcome=y)
    assert merged.merged == [] and merged.names == plain.names and merged.levels == plain.levels
    np.testing.assert_array_equal(merged.X, plain.X)


def test_a_yes_no_covariate_with_a_rare_level_is_left_out():
    frame, y = _faculty_frame(vet=0)
    frame["disabled"] = False
    frame.loc[frame.index[:3], "disabled"] = True
    design = encode_design(frame, ["faculty", "disabled"], min_level_n=10, outcome=y)
    assert design.merged == [Merge("disabled", (False, True), "", len(frame))] and design.blocks["disabled"] == []


def test_the_group_compared_is_never_merged():
    frame = pd.DataFrame({"g": ["White"] * 50 + ["Black"] * 3, "x": np.arange(53.0)})
    design = encode_design(frame, ["g", "x"], reference={"g": "White"}, min_level_n=10)
    assert design.merged == [] and design.names == ["const", "g[Black]", "x"]


def _adjusted_students(seed: int = 3, n: int = 1500) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = rng.choice(["White", "Black", "Asian"], n, p=[0.6, 0.25, 0.15])
    tariff = rng.normal(120, 20, n)
    faculty = rng.choice(["Arts", "Law", "Science"], n)
    logit = -3 + 0.03 * tariff - 0.4 * (group == "Black")
    good = rng.random(n) < special_expit(logit)
    students = pd.DataFrame({"ethnicity_group": group, "tariff": tariff, "faculty": faculty,
                             "degree_class": np.where(good, "2:1", "2:2")})
    students.loc[students.index[0], ["faculty", "ethnicity_group"]] = ["Veterinary School", "White"]
    return students


def test_adjusted_gap_with_a_rare_faculty_equals_statsmodels_on_the_merged_frame():
    import statsmodels.formula.api as smf

    students = _adjusted_students()
    got = attainment.adjusted_gap(students, covariates=["tariff", "faculty"], categorical=())
    (merge,) = got.attrs["merged"]
    assert merge.column == "faculty" and "Veterinary School" in merge.levels and merge.into == "Other faculties"
    merged = students.assign(faculty=students["faculty"].where(~students["faculty"].isin(merge.levels), "Other faculties"),
                             good=students["degree_class"].eq("2:1").astype(float))
    fit = smf.logit("good ~ C(ethnicity_group, Treatment('White')) + tariff + C(faculty)", merged).fit(disp=False)
    # average marginal effect of being Black rather than White, for the same students
    as_white = fit.predict(merged.assign(ethnicity_group="White"))
    as_black = fit.predict(merged.assign(ethnicity_group="Black"))
    black = got.set_index("ethnicity_group").loc["Black"]
    assert black["adjusted_gap_pp"] == pytest.approx(100 * float((as_white - as_black).mean()), abs=1e-6)
    assert got.attrs["model"]["log_likelihood"] == pytest.approx(fit.llf, abs=1e-6)


def test_adjusted_gap_leaves_out_a_group_of_one_and_says_so():
    students = _adjusted_students()
    students.loc[students.index[1], "ethnicity_group"] = "Other"
    got = attainment.adjusted_gap(students, covariates=["tariff"], categorical=())
    assert list(got["ethnicity_group"]) == ["Asian", "Black"]
    assert got.attrs["groups_left_out"] == Merge("ethnicity_group", ("Other",), "", 1)
    assert got.attrs["excluded"]["group_too_small_to_model"] == 1
    lines = attainment.model_notes(got, rules=DisclosureRules(style="hesa"))
    assert lines == ["Ethnicity group: Other (a few students) is left out of the model: fewer than 10 students, or all "
                     "with the same outcome, so its adjusted gap cannot be estimated."]


def test_a_model_that_still_fails_after_merging_says_so():
    students = _adjusted_students(n=200)
    students["tariff"] = np.where(students["degree_class"].eq("2:1"), 200.0, 50.0)  # tariff predicts perfectly
    with pytest.raises(AnalysisError, match="after merging sparse levels"):
        attainment.adjusted_gap(students.assign(faculty=["Vet"] + ["Arts"] * 199), covariates=["tariff", "faculty"],
                                categorical=())


def test_oaxaca_with_a_faculty_only_one_group_attends_merges_it_instead_of_warning():
    import warnings

    students = _adjusted_students()
    students.loc[students["ethnicity_group"].eq("White") & students["faculty"].eq("Law"), "faculty"] = "Arts"
    students.loc[students.index[:3], "faculty"] = "Law"  # Law: three White students only
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = attainment.oaxaca_blinder(students, comparison="Black", covariates=["tariff", "faculty"], categorical=())
    assert got.attrs["merged"][0].column == "faculty" and "Law" in got.attrs["merged"][0].levels


# --- options.attainment in the cohort file -----------------------------------------------------------------------

def _cohort(tmp_path, options: str) -> Path:
    (tmp_path / "cohorts").mkdir(exist_ok=True)
    path = tmp_path / "cohorts" / "c1.yml"
    path.write_text("cohort: c1\nprogramme_type: reverse\nstart_date: 2024-01-01\nend_date: 2024-06-30\n"
                    "planned_meetings: 5\ninputs:\n  participants: data/p.csv\noptions:\n" + options)
    return path


def test_covariates_and_comparisons_are_read_from_the_cohort_file(tmp_path):
    from rmresearch.config import load_cohort

    path = _cohort(tmp_path, "  attainment:\n    covariates: [tariff, age, sex]\n    comparisons: [headline, adjusted]\n"
                              "    min_level_n: 15\n")
    settings = attainment.options(load_cohort(path, check_files=False))
    assert settings.covariates == ("tariff", "age_on_entry", "sex") and settings.min_level_n == 15
    assert settings.comparisons == ("headline", "adjusted") and settings.categorical == ()
    with pytest.raises(AnalysisError, match="leaves this comparison out"):
        attainment.require_comparison(settings, "decompositions")
    assert attainment.covariates_phrase(settings.covariates) == "entry tariff, age and sex"


@pytest.mark.parametrize(("options", "message"), [
    ("  attainment:\n    covariates: [tariff, religion]\n",
     r"c1.yml: options.attainment.covariates names 'religion', which is not one of tariff, age_on_entry, sex, "
     r"disability, imd_quintile, faculty, subject, entry_year"),
    ("  attainment:\n    comparisons: [headline, oaxaca]\n", r"comparisons names 'oaxaca', which is not one of headline"),
    ("  attainment:\n    covariates: tariff\n", r"covariates must be a list"),
    ("  attainment:\n    min_level_n: 0\n", r"min_level_n must be a whole number of at least 1"),
    ("  attainment:\n    covariate: [tariff]\n", r"unknown setting\(s\) under options.attainment: covariate"),
])
def test_an_unknown_covariate_or_section_is_a_config_error_naming_the_allowed_ones(tmp_path, options, message):
    from rmresearch.config import load_cohort
    from rmresearch.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        load_cohort(_cohort(tmp_path, options), check_files=False)


def test_notebook_03_adjusted_gap_uses_and_names_the_covariates_of_the_cohort_file(monkeypatch):
    from types import SimpleNamespace

    students = _adjusted_students().assign(sex="F", ethnicity_aggregate=lambda f: np.where(
        f["ethnicity_group"] == "White", "White", "BAME"))
    students.loc[students.index[:6], "faculty"] = "Veterinary School"
    students.loc[students.index[6:11], "faculty"] = "Music"  # 11 students in two rare faculties
    from rmresearch.characteristics import legacy_ethnicity

    cfg = SimpleNamespace(options={"attainment": {"covariates": ["tariff", "faculty"]}}, path="c1.yml",
                          reference_group="White", aggregate_group="BAME", ethnicity_grouping="ofs",
                          characteristics={"ethnicity": legacy_ethnicity("White", "ofs_group", "BAME")})
    lines = []
    monkeypatch.setattr(attainment, "show_sentences", lambda got: lines.extend(got))
    notes, recorded = _run_cell("cell-09", students, monkeypatch, cfg=cfg)
    assert notes == []
    assert recorded["adjusted_gap"]["label"] == ("Adjusted awarding gap, White students minus BAME students "
                                                "(after entry tariff and faculty)")
    assert lines[0] == "Adjusted for entry tariff and faculty."
    assert lines[1] == ("Faculty: Music and Veterinary School (about 10 students) are merged into 'Other faculties' in "
                        "the model, because a level with fewer than 10 students, or whose students all had the same "
                        "outcome, cannot be estimated.")
    expected = attainment.adjusted_gap(students, group="ethnicity_aggregate", covariates=["tariff", "faculty"], categorical=())
    assert recorded["adjusted_gap"]["value"] == pytest.approx(round(expected.loc[0, "adjusted_gap_pp"], 1) / 100)


def test_fairlie_whose_bootstrap_mostly_fails_is_an_analysis_error_not_a_warning():
    import warnings

    rng = np.random.default_rng(2)
    n = 40  # 30 White, 10 Black: resamples often lose a level or an outcome
    students = pd.DataFrame({"ethnicity_group": ["White"] * 30 + ["Black"] * 10, "tariff": rng.normal(120, 20, n),
                             "sex": rng.choice(["F", "M"], n), "degree_class": rng.choice(["2:1", "2:2"], n, p=[0.8, 0.2])})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(AnalysisError, match="more than one in ten bootstrap resamples"):
            attainment.fairlie(students, comparison="Black", covariates=["tariff", "sex"], categorical=(), n_draws=5,
                               n_boot=50, min_level_n=None)


def test_a_covariate_no_student_has_is_named_with_what_to_do():
    students = _adjusted_students().assign(tariff=np.nan)
    for run in (lambda: attainment.adjusted_gap(students, covariates=["tariff", "faculty"], categorical=()),
                lambda: attainment.oaxaca_blinder(students, comparison="Black", covariates=["tariff", "faculty"],
                                                  categorical=())):
        with pytest.raises(AnalysisError, match="no student has a value for tariff; leave it out of "
                                                "options.attainment.covariates"):
            run()


# --- notebook 03 end to end on cut-down pilot cohorts (slow) ------------------------------------------------------

def _variant_students(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A cut-down students export: the shapes that failed the report of a first, small cohort."""
    code, mentored = frame["Ethnicity code"], frame["Mentored"].eq("Yes")
    years = pd.to_numeric(frame["Qualification year"], errors="coerce")
    first = int(years[mentored].min())
    white = code.str.contains("White") & ~code.str.startswith("Mixed") | code.eq("Gypsy or Traveller")
    out = frame.copy()
    if name == "no reference students before the start year":
        out = out[~(white & (years < first))]
    elif name == "one student in a rare group":
        other = out.index[code.isin(["Arab", "Other ethnic background"])]
        out.loc[other[1:], "Ethnicity code"] = "Chinese"
        out.loc[out.index[5], "Faculty"] = "Veterinary School"
    elif name == "no tariffs":
        out["Tariff"] = ""
    elif name == "mentored students still studying":
        out.loc[mentored, ["Qualification year", "Degree class", "Completed"]] = ""
    elif name == "forty students":
        out = out.head(40)
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("variant", "expected_notes"), [
    ("no reference students before the start year", {"Difference in differences"}),
    ("one student in a rare group", set()),
    ("no tariffs", {"Adjusted gap", "Oaxaca–Blinder and Fairlie decompositions",
                    "Mentored students against propensity-matched students"}),
    ("mentored students still studying", {"Mentored students against matched students",
                                          "Mentored students against propensity-matched students",
                                          "Difference in differences"}),
    ("forty students", {"Trend", "Adjusted gap", "Oaxaca–Blinder and Fairlie decompositions",
                        "Mentored students against matched students",
                        "Mentored students against propensity-matched students"}),
])
def test_notebook_03_on_a_cut_down_pilot_cohort_shows_notes_and_never_fails(tmp_path, variant, expected_notes):
    import io

    import papermill

    from rmresearch.synthetic import generate_pilot

    root = tmp_path / "project"
    generate_pilot(root, seed=2024)
    path = root / "data" / "pilot" / "students.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    head, body = lines[:3], "".join(lines[3:])
    frame = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False)
    total = frame["Student ID"].eq("Total")
    cut = _variant_students(variant, frame[~total])
    buffer = io.StringIO()
    pd.concat([cut, frame[total].assign(**{"Ethnicity code": str(len(cut))})]).to_csv(buffer, index=False)
    path.write_text("".join(head) + buffer.getvalue(), encoding="utf-8")
    out = tmp_path / "03.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS / "03_attainment.ipynb"), str(out), cwd=str(root), progress_bar=False,
                               parameters={"cohort_config": str(root / "cohorts" / "pilot.yml")}, kernel_name="python3")
    nb = json.loads(out.read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o["output_type"] == "stream" and o["name"] == "stderr"]  # no warning leaks
    notes = [o["metadata"]["rmresearch"]["note"] for o in outputs if "note" in o.get("metadata", {}).get("rmresearch", {})]
    assert {n["title"] for n in notes} == expected_notes
    for note in notes:
        assert not re.search(r"\d", re.sub(r"\b(19|20)\d\d\b", "", note["reason"])), note  # no counts in a note
