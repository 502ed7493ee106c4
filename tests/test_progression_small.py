"""Progression on a pilot-sized cohort: analyses that cannot run say why (AnalysisError, never a warning or an
estimate that did not converge), and the smallest effects a cohort of this size could have detected."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from rmresearch import progression as pg
from rmresearch.errors import AnalysisError
from rmresearch.stats.power import minimum_detectable_hazard_ratio, minimum_detectable_ratio


# --- Cox models that cannot be estimated ------------------------------------------------------------------------

def test_cox_model_refuses_a_group_without_events_before_fitting():
    people = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 1, 0, 0, 0, 1], "g": ["a", "a", "b", "b", "b", "a"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may leak out as a warning
        with pytest.raises(AnalysisError, match=r"no one with b \(g\) has 'e'"):
            pg.cox_model(people, duration="t", event="e", covariates=["g"])


def test_cox_model_turns_a_diverging_fit_into_an_analysis_error():
    # the covariate orders the event times exactly (monotone likelihood): the coefficient runs off to infinity and
    # statsmodels warns "Maximum Likelihood optimization failed to converge"; no estimate may be returned
    people = pd.DataFrame({"t": np.arange(1, 11), "e": 1, "x": -np.arange(1, 11, dtype=float)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AnalysisError, match="did not converge"):
            pg.cox_model(people, duration="t", event="e", covariates=["x"])


def test_cox_model_still_fits_when_every_group_has_events():
    # no tied times, so the partial likelihood by hand, r = the hazard ratio of b to a:
    # L = 1/(4+4r) * 1/(3+4r) * r/(2+3r) * r/(1+2r) * r/r, and d log L / dr = 2/r - 4/(4+4r) - 4/(3+4r) - 3/(2+3r)
    # - 2/(1+2r) = 0 at r = 1/sqrt(2) (2.8284 = 0.5858 + 0.6863 + 0.7279 + 0.8284)
    people = pd.DataFrame({"t": range(1, 9), "e": [1, 1, 0, 1, 0, 1, 0, 1], "g": list("aabbabab")})
    fit = pg.cox_model(people, duration="t", event="e", covariates=["g"])
    assert fit.loc[0, "hazard_ratio"] == pytest.approx(math.sqrt(0.5), abs=1e-4)


def _matched(mentored_promoted: list[bool], comparison_promoted: list[bool], years: int = 1) -> pd.DataFrame:
    rows = [{"mentored": True, "promoted": p, "years_to_promotion": years, "years_to_leaving": years,
             "left": False, "matched_set": i % 2} for i, p in enumerate(mentored_promoted)]
    rows += [{"mentored": False, "promoted": p, "years_to_promotion": years + (i % 3), "years_to_leaving": years,
              "left": i % 4 == 0, "matched_set": i % 2} for i, p in enumerate(comparison_promoted)]
    return pd.DataFrame(rows)


def test_mentoring_effect_says_no_mentored_staff_has_been_promoted_with_the_follow_up_in_words():
    matched = _matched([False] * 10, [True, False, False, True] * 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AnalysisError) as caught:
            pg.mentoring_effect(matched)
    message = str(caught.value)
    assert message.startswith("No mentored staff has been promoted yet: the follow-up is one year")
    assert "10" not in message  # no counts in a note, which is shown without disclosure control


def test_mentoring_effect_says_no_comparison_staff_had_the_event():
    matched = _matched([True, False] * 5, [False] * 40)
    with pytest.raises(AnalysisError, match="None of the matched comparison staff has been promoted"):
        pg.mentoring_effect(matched)


def test_kaplan_meier_and_logrank_without_events_say_so():
    people = pd.DataFrame({"t": [1, 2, 3, 1, 2], "e": [0] * 5, "g": list("aabbb")})
    with pytest.raises(AnalysisError, match="no curve to draw"):
        pg.kaplan_meier(people, duration="t", event="e", group="g")
    with pytest.raises(AnalysisError, match="no events to compare"):
        pg.logrank_test(people, duration="t", event="e", group="g")


# --- the smallest detectable ratios ------------------------------------------------------------------------------

def test_minimum_detectable_hazard_ratio_matches_schoenfeld():
    # Schoenfeld (1983): D = 4 (z[0.975] + z[0.8])^2 / log(HR)^2 events; HR 2 needs 65.35 events with equal groups
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    events = 4 * z**2 / math.log(2) ** 2
    assert events == pytest.approx(65.35, abs=0.01)
    low, high = minimum_detectable_hazard_ratio(events, 0.5)
    assert high == pytest.approx(2.0, abs=1e-3)
    assert low == pytest.approx(0.5, abs=1e-3)
    # unequal groups: |log HR| = z / sqrt(D p (1 - p)), 40 events with one person in eight mentored
    got = minimum_detectable_hazard_ratio(40, 0.125)
    assert math.log(got.high) == pytest.approx(z / math.sqrt(40 * 0.125 * 0.875), rel=2e-3)
    assert all(math.isnan(v) for v in minimum_detectable_hazard_ratio(0, 0.5))


def test_minimum_detectable_ratio_has_the_requested_power_by_statsmodels():
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    n_ref, n_group, p_ref = 2485, 465, 0.066
    low, high = minimum_detectable_ratio(n_ref, n_group, p_ref)
    assert low < 1 < high
    for ratio in (low, high):
        h = abs(proportion_effectsize(p_ref, p_ref / ratio))  # Cohen's h between the two rates
        got = NormalIndPower().power(effect_size=h, nobs1=n_ref, ratio=n_group / n_ref, alpha=0.05)
        assert got == pytest.approx(0.8, abs=1e-4)  # the solver stops within about 1e-5
    # a larger group detects a ratio nearer 1
    assert minimum_detectable_ratio(n_ref, 4 * n_group, p_ref).high < high


# --- the staff-by-grade cross-table -----------------------------------------------------------------------------

def _snapshots():
    staff = pd.DataFrame({
        "staff_id": [f"s{i}" for i in range(12)] + ["s0", "s1"],
        "year": [2024] * 12 + [2023] * 2,
        "grade": ["Professor", "7", "7", "8", "7", "8", "Professor", "7", "8", "7", "8", "7", "7", "7"],
        "ethnicity_group": ["White", "Black", "White", "Asian", "White", "White", "Asian", "Unknown", "White",
                            "Black", "White", "White", "White", "Black"],
    })
    return pg.prepare_snapshots(staff, grade_scale=["7", "8", "9", "Professor"])


def test_grade_table_is_grades_by_group_in_scale_order_with_totals():
    table = pg.grade_table(_snapshots())  # the latest year, 2024
    assert table["grade"].tolist() == ["7", "8", "Professor", "Total"]  # scale order; grade 9 has nobody
    assert list(table.columns) == ["grade", "Asian", "Black", "White", "Unknown", "Total"]
    grade7 = table.set_index("grade").loc["7"]
    assert grade7.to_dict() == {"Asian": 0, "Black": 2, "White": 3, "Unknown": 1, "Total": 6}
    total = table.set_index("grade").loc["Total"]
    assert total.to_dict() == {"Asian": 2, "Black": 2, "White": 7, "Unknown": 1, "Total": 12}
    assert pg.grade_table(_snapshots(), year=2023)["Total"].tolist() == [2, 2]


def test_grade_table_disclosed_rounds_every_cell_as_people():
    shown = pg.disclose_grade_table(pg.grade_table(_snapshots()))
    assert shown.attrs["disclosure"]["basis"] == "people"
    # HESA rounding to the nearest 5 (0 stays 0, 1 and 2 become 0, 3..7 become 5), totals rounded on their own
    assert shown.set_index("grade").loc["7"].tolist() == [0, 0, 5, 0, 5]
    assert shown.set_index("grade").loc["Total"].tolist() == [0, 0, 5, 0, 10]


def test_relabel_renames_headers_and_the_record_and_refuses_unknown_columns():
    shown = pg.disclose_grade_table(pg.grade_table(_snapshots()))
    out = pg.relabel(shown, {"grade": "Grade", "Total": "All staff"}, order=["Total"])
    assert list(out.columns)[:2] == ["All staff", "Grade"]
    assert "All staff" in out.attrs["disclosure"]["counts"]
    assert "grade" not in out.columns and shown.columns[0] == "grade"  # the shown table itself is untouched
    with pytest.raises(AnalysisError, match="'ethnicity_group'"):
        pg.relabel(shown, {"ethnicity_group": "Group"})


# --- sentences on what a null result can mean ---------------------------------------------------------------------

def test_relative_likelihood_lines_use_the_rounded_counts_and_skip_significant_rows():
    # exact: 2,487 and 463 person-years (rounded: 2,485 and 465); the sentence must use the rounded numbers
    rows = pd.DataFrame({"g": ["White"] * 2487 + ["BAME"] * 463 + ["Asian"] * 300,
                         "promoted": [True] * 165 + [False] * 2322 + [True] * 30 + [False] * 433
                         + [True] * 60 + [False] * 240})
    shown = pg.disclose_relative_likelihood(pg.relative_likelihood(rows, group="g", numerator="promoted",
                                                                   denominator=None))
    lines = pg.relative_likelihood_lines(shown, group="g", reference="White", unit="person-years")
    assert len(lines) == 1  # Asian: 20% against 6.6%, interval well below 1: a finding, not a null result
    low, high = minimum_detectable_ratio(2485, 465, 165 / 2487)  # the shown White rate, 6.6%, from the exact counts
    assert "about 465 person-years, against about 2,485 White" in lines[0]
    assert f"below {low:.2f} or above {high:.2f}" in lines[0]
    assert "463" not in lines[0] and "2,487" not in lines[0]


def test_relative_likelihood_lines_say_too_few_for_a_suppressed_ratio():
    rec = pd.DataFrame({"g": ["White", "Black"], "shortlisted": [400, 10], "appointed": [120, 2]})
    shown = pg.disclose_relative_likelihood(pg.relative_likelihood(rec, group="g", numerator="appointed",
                                                                   denominator="shortlisted"))
    assert pg.relative_likelihood_lines(shown, group="g", reference="White") == [
        "- Black: too few to say (the ratio is suppressed or undefined)."]


def test_hazard_ratio_lines_from_shown_events_and_share():
    effect = pd.DataFrame({"covariate": ["mentored", "mentored"], "hazard_ratio": [2.3, 3.1],
                           "ci_low": [0.56, 1.2], "ci_high": [9.4, 8.0], "p_value": [0.26, 0.02], "n": [83, 83],
                           "events": [11, 40], "outcome": ["leaving", "promotion"]})
    lines = pg.hazard_ratio_lines(pg.disclose_cox(effect), treated=10, events_word={"leaving": "leavers"})
    assert len(lines) == 1  # promotion's interval excludes 1
    # Schoenfeld by hand from the shown (rounded) numbers: 10 events, 10 of 85 mentored
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    high = math.exp(z / math.sqrt(10 * (10 / 85) * (75 / 85)))
    assert f"above {high:.2f}" in lines[0] and "about 10 leavers among about 85 staff" in lines[0]


def test_require_census_years_names_the_years_and_what_needs_more():
    snapshots = _snapshots()
    assert pg.require_census_years(snapshots, 2, what="promotion rates") == [2023, 2024]
    with pytest.raises(AnalysisError, match=r"hold one census year \(2024\).*promotion rates need at least two"):
        pg.require_census_years(snapshots.loc[snapshots["year"] == 2024], 2, what="promotion rates")


def test_person_years_are_shown_with_a_thousands_separator_and_calendar_years_without():
    from rmresearch.disclosure import disclose
    from rmresearch.display import format_table

    shown = pg.relabel(disclose(pd.DataFrame({"year": [2024], "n": [2485]}), counts=["n"]), {"n": "person-years"})
    html = format_table(shown).to_html()
    assert "2,485" in html and "2024" in html and "2,024" not in html


# --- notebook 04 on cut-down pilots: no variant fails the notebook, no warning reaches the report ---------------

def _run_notebook_04(root, tmp_path):
    import nbformat
    import papermill

    from pathlib import Path

    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "04_progression.ipynb"
    out = tmp_path / "04_out.ipynb"
    papermill.execute_notebook(str(notebook), str(out), parameters={"cohort_config": str(root / "cohorts" / "pilot.yml")},
                               cwd=str(root), progress_bar=False, kernel_name="python3")
    executed = nbformat.read(out, as_version=4)
    outputs = [o for cell in executed.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    notes = [o["metadata"]["rmresearch"]["note"] for o in outputs if "note" in o.get("metadata", {}).get("rmresearch", {})]
    streams = [o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    return notes, streams, outputs


def _cut_pilot(root, *, keep_years: int | None = None, mentored: bool = True, promotions: bool = True,
               recruitment: bool = True) -> None:
    """Cut the generated pilot's staff export down in place (title rows and header kept, totals row dropped)."""
    import io
    import re

    path = root / "data" / "pilot" / "staff.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    head, body = lines[:3], [line for line in lines[3:] if not line.startswith("Total,")]
    staff = pd.read_csv(io.StringIO("\n".join(body)), dtype=str)
    if keep_years is not None:
        staff = staff.loc[staff["Year"].astype(int) > staff["Year"].astype(int).max() - keep_years]
    if not mentored:
        staff = staff.assign(Mentored="No")
    if not promotions:
        first = staff.sort_values("Year").groupby("Staff ID")["Grade"].first()
        staff = staff.assign(Grade=staff["Staff ID"].map(first))
    path.write_text("\n".join(head) + "\n" + staff.to_csv(index=False), encoding="utf-8")
    if not recruitment:
        cohort = root / "cohorts" / "pilot.yml"
        cohort.write_text(re.sub(r"\n  recruitment: [^\n]*", "", cohort.read_text(encoding="utf-8")), encoding="utf-8")


@pytest.mark.slow
def test_notebook_04_on_the_pilot_shows_notes_for_what_cannot_run_and_leaks_no_warning(tmp_path):
    from rmresearch.synthetic import generate_pilot

    root = tmp_path / "pilot"
    generate_pilot(root, seed=2024)
    notes, streams, _ = _run_notebook_04(root, tmp_path)
    assert not streams, streams  # before: statsmodels' ConvergenceWarning and "overflow encountered in exp"
    titles = [n["title"] for n in notes]
    assert titles == ["Promotion: mentored compared with matched staff"]
    assert notes[0]["reason"].startswith("No mentored staff has been promoted yet: the follow-up is one year")


@pytest.mark.slow
def test_notebook_04_runs_on_one_census_year_without_mentoring_promotions_or_recruitment(tmp_path):
    from rmresearch.synthetic import generate_pilot

    root = tmp_path / "pilot"
    generate_pilot(root, seed=2024)
    _cut_pilot(root, keep_years=1, mentored=False, promotions=False, recruitment=False)
    notes, streams, outputs = _run_notebook_04(root, tmp_path)
    assert not streams, streams
    titles = {n["title"]: n["reason"] for n in notes}
    assert titles["Recruitment funnel"].lower().startswith("the cohort file pilot.yml names no recruitment input")
    assert "hold one census year" in titles["Promotion and leaving rates"]
    assert "No one is flagged as mentored" in titles["Mentored staff and their matches"]
    assert {"Time to first promotion", "Cox model of promotion", "Cox model of leaving",
            "Leaving: mentored compared with matched staff"} <= set(titles)
    # the staff profile still runs: the grade x group cross-table is shown
    shown = [o for o in outputs if o.get("metadata", {}).get("rmresearch", {}).get("name") == "staff by grade and group, latest year"]
    assert len(shown) == 1


def test_cox_model_merges_a_small_group_without_events_and_says_so():
    from rmresearch.stats.design import Merge

    rng = np.random.default_rng(3)
    groups = ["White"] * 40 + ["b"] * 20 + ["c"] * 4 + ["d"] * 12
    people = pd.DataFrame({"g": groups, "t": rng.integers(1, 6, len(groups)), "e": rng.random(len(groups)) < 0.5})
    people.loc[people["g"] == "c", "e"] = False  # a small group nobody in which has been promoted
    with pytest.raises(AnalysisError, match=r"no one with c \(g\)"):
        pg.cox_model(people, duration="t", event="e", covariates=["g"], reference_levels={"g": "White"})
    fit = pg.cox_model(people, duration="t", event="e", covariates=["g"], reference_levels={"g": "White"}, min_level_n=10)
    # c (4 people, no events) is sparse; alone it is still under 10, so the smallest other level (d, 12) joins it
    assert fit.attrs["merged"] == [Merge(column="g", levels=("c", "d"), into="Other/merged", n=16)]
    by_hand = pg.cox_model(people.assign(g=people["g"].replace({"c": "Other/merged", "d": "Other/merged"})),
                           duration="t", event="e", covariates=["g"], reference_levels={"g": "White"})
    merged_fit = fit.set_index("covariate")["hazard_ratio"]
    hand_fit = by_hand.set_index("covariate")["hazard_ratio"]
    assert sorted(merged_fit.index) == sorted(hand_fit.index) == ["g[Other/merged]", "g[b]"]
    assert merged_fit.sort_index().tolist() == pytest.approx(hand_fit.sort_index().tolist())
    lines = pg.merged_levels_lines(fit)
    assert lines == ["- G: c and d (about 15 staff) are merged into 'Other/merged' in the model, because a level with "
                     "fewer than 10 staff, or whose staff all had the same outcome, cannot be estimated."]


def test_mentoring_effect_without_any_match_says_there_is_no_comparison():
    careers = pd.DataFrame({"staff_id": list("abcd"), "mentored": [True, False, True, False],
                            "start_grade": ["7", "8", "9", "10"], "faculty": ["Arts"] * 4, "first_year": [2020] * 4,
                            "years_to_promotion": [1, 2, 1, 2], "promoted": [True, False, False, True]})
    matched = pg.matched_comparison(careers, on=["start_grade", "faculty", "first_year"])
    summary = pg.matching_summary(matched).set_index("group")["people"]
    assert summary.to_dict() == {"Mentored, matched": 0, "Mentored, no match": 2, "Comparison staff": 0}
    with pytest.raises(AnalysisError, match=r"No mentored staff has a match .*start grade, faculty, first year"):
        pg.mentoring_effect(matched)


def test_record_detectable_ratio_only_beside_a_null_result():
    from rmresearch.results import Recorder

    rows = pd.DataFrame({"g": ["White"] * 2487 + ["BAME"] * 463 + ["Asian"] * 300,
                         "promoted": [True] * 165 + [False] * 2322 + [True] * 30 + [False] * 433
                         + [True] * 60 + [False] * 240})
    shown = pg.disclose_relative_likelihood(pg.relative_likelihood(rows, group="g", numerator="promoted",
                                                                   denominator=None))
    recorder = Recorder()
    got = pg.record_detectable_ratio("rl_detectable", shown, group="g", reference="White", label="Smallest",
                                     recorder=recorder, g="BAME")
    low, high = minimum_detectable_ratio(2485, 465, 165 / 2487)
    assert got["display"] == f"{high:.2f}" and f"below {low:.2f}" in got["sentence"]
    assert pg.record_detectable_ratio("rl_asian", shown, group="g", reference="White", label="Smallest",
                                      recorder=recorder, g="Asian") is None  # its interval excludes 1


def test_record_detectable_hazard_ratio_from_the_shown_numbers_only_beside_a_null_result():
    from rmresearch.results import Recorder

    effect = pd.DataFrame({"covariate": ["mentored", "mentored"], "hazard_ratio": [1.3, 3.1], "ci_low": [0.58, 1.2],
                           "ci_high": [2.87, 8.0], "p_value": [0.5, 0.02], "n": [1273, 1273], "events": [133, 133],
                           "mentored_n": [52, 52], "outcome": ["promotion", "promotion"]})
    shown = pg.disclose_cox(effect)
    got = pg.record_detectable_hazard_ratio("hr", shown, label="Smallest", recorder=Recorder())
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    high = math.exp(z / math.sqrt(135 * (50 / 1275) * (1225 / 1275)))  # the rounded 135 events, 50 of 1,275 mentored
    assert got["display"] == f"{high:.2f}"
    assert pg.record_detectable_hazard_ratio("hr2", shown.iloc[1:], label="Smallest", recorder=Recorder()) is None
