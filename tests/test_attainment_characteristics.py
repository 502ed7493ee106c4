"""Attainment by any characteristic and by the intersection of two (issue 14, items 3 and 6, for students).

Known answers: an intersectional gap injected into synthetic data is recovered within its interval and equals the
hand calculation from the counts; a special-category cell of 25 is shown under the base rules and suppressed under
the characteristic's own (min_percentage_denominator 30); the focus characteristic's own column is never a
covariate of its own adjusted gap; notebook 03's sections follow cfg.focus and become notes without students.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from rmresearch import attainment, plots, results, sections
from rmresearch.attainment import disclose_attainment
from rmresearch.characteristics import intersect, read_options
from rmresearch.config import DisclosureRules
from rmresearch.disclosure import disclose
from rmresearch.errors import AnalysisError

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CHARS = read_options({
    "disability": {"column": "disability", "groups": {"True": "Disabled", "False": "No known disability"},
                   "reference": "No known disability", "special_category": True, "labels": {"Disabled": "disabled"}},
    "sex": {"column": "sex", "code_list": "sex", "labels": {"Female or other": "women"}},
}, "test.yml")
DISABILITY, SEX = CHARS["disability"], CHARS["sex"]
BOTH = intersect(DISABILITY, SEX)


def _rows(group_column: str, counts: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Students by group with ``good`` of ``n`` awarded a First or 2:1 (the rest a 2:2)."""
    frames = [pd.DataFrame({group_column: group, "degree_class": ["2:1"] * good + ["2:2"] * (n - good)})
              for group, (n, good) in counts.items()]
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- intersections


def test_an_injected_intersectional_gap_is_recovered_within_its_interval():
    # true good-honours probabilities: 0.80 for the reference (no known disability, men), 20 pp less for
    # disabled women, 5 pp less for the two other cells
    truth = {"No known disability, Male": 0.80, "No known disability, Female or other": 0.75,
             "Disabled, Male": 0.75, "Disabled, Female or other": 0.60, "Unknown": 0.70}
    rng = np.random.default_rng(14)
    n = {"No known disability, Male": 3000, "No known disability, Female or other": 3000, "Disabled, Male": 800,
         "Disabled, Female or other": 800, "Unknown": 300}
    frames = [pd.DataFrame({BOTH.group_column: g, "degree_class": np.where(rng.random(n[g]) < p, "2:1", "2:2")})
              for g, p in truth.items()]
    students = pd.concat(frames, ignore_index=True).sample(frac=1, random_state=3).reset_index(drop=True)
    table = attainment.by_characteristic(students, BOTH)
    rows = table.set_index(BOTH.group_column)
    # labels follow the parts' labels, the reference first and Unknown last, shown and counted
    assert list(rows.index) == ["No known disability, Male", "No known disability, women", "disabled, Male",
                                "disabled, women", "Unknown"]
    assert int(rows.loc["Unknown", "n"]) == 300 and table.attrs["excluded"] == {}
    got = rows.loc["disabled, women"]
    # the hand calculation from the counts
    ref = students[BOTH.group_column] == "No known disability, Male"
    grp = students[BOTH.group_column] == "Disabled, Female or other"
    good = students["degree_class"] == "2:1"
    hand = 100 * (good[ref].mean() - good[grp].mean())
    assert got["gap_pp"] == pytest.approx(hand, abs=1e-9)
    assert got["ci_low"] < 20.0 < got["ci_high"]  # the injected gap
    assert got["significant"] and got["method"] == "Newcombe"
    assert rows.loc["disabled, Male", "ci_low"] < 5.0 < rows.loc["disabled, Male", "ci_high"]


def test_continuation_by_intersection_counts_the_unknown_row():
    students = pd.DataFrame({BOTH.group_column: ["No known disability, Male"] * 40 + ["Disabled, Male"] * 30
                             + ["Unknown"] * 10,
                             "continued": [True] * 36 + [False] * 4 + [True] * 21 + [False] * 9 + [True] * 10})
    table = attainment.by_characteristic(students, BOTH, measure="continuation")
    rows = table.set_index(BOTH.group_column)
    assert rows.loc["disabled, Male", "gap_pp"] == pytest.approx(100 * (36 / 40 - 21 / 30))
    assert (int(rows.loc["Unknown", "n"]), int(rows.loc["Unknown", "good"])) == (10, 10)
    assert list(rows.index)[-1] == "Unknown"


# --------------------------------------------------------------------------- stricter disclosure


def test_a_special_category_cell_of_25_is_shown_under_base_rules_and_suppressed_under_its_own():
    students = _rows(DISABILITY.group_column, {"No known disability": (200, 150), "Disabled": (25, 15),
                                               "Unknown": (40, 30)})
    table = attainment.by_characteristic(students, DISABILITY)
    base = DisclosureRules()  # HESA: rates on fewer than 22.5 suppressed
    own = base.for_characteristic(DISABILITY)
    assert own.min_percentage_denominator == 30 and base.min_percentage_denominator == 22.5
    shown_base = attainment.disclose_by_characteristic(table, rules=base).set_index(DISABILITY.group_column)
    shown_own = attainment.disclose_by_characteristic(table, rules=own).set_index(DISABILITY.group_column)
    assert shown_base.loc["disabled", "rate"] == "60.0%"
    assert shown_base.loc["disabled", "gap_pp"] == "15.0"
    assert shown_own.loc["disabled", "rate"] == ".."
    assert shown_own.loc["disabled", "gap_pp"] == ".." and shown_own.loc["disabled", "ci_low"] == ".."
    assert shown_own.loc["No known disability", "rate"] == "75.0%"
    assert shown_own.loc["Unknown", "rate"] == "75.0%"  # 40 students: the Unknown row is shown, not dropped
    lines = attainment.characteristic_lines(shown_own.reset_index(), DISABILITY, rules=own, base_rules=base)
    assert lines[-1] == ("Disability is special-category data, so a rate resting on fewer than 30 students is not "
                         "shown (fewer than 23 for other tables).")
    assert any(line.startswith("Unknown counts students whose disability is not known") for line in lines)


def test_an_intersection_is_disclosed_at_the_intersection_threshold():
    students = _rows(BOTH.group_column, {"No known disability, Male": (300, 240), "Disabled, Female or other": (40, 24)})
    table = attainment.by_characteristic(students, BOTH)
    rules = DisclosureRules().for_characteristic(BOTH)
    assert rules.min_percentage_denominator == 45
    shown = attainment.disclose_by_characteristic(table, rules=rules).set_index(BOTH.group_column)
    assert shown.loc["disabled, women", "rate"] == ".." and shown.loc["No known disability, Male", "rate"] == "80.0%"
    assert attainment.disclose_by_characteristic(table, rules=DisclosureRules()).set_index(
        BOTH.group_column).loc["disabled, women", "rate"] == "60.0%"


# --------------------------------------------------------------------------- the focus


def test_the_focus_characteristics_own_column_is_not_a_covariate():
    assert attainment.model_covariates(attainment.DEFAULT_COVARIATES, DISABILITY) == (
        "tariff", "age_on_entry", "sex", "imd_quintile", "faculty")
    assert attainment.model_covariates(attainment.DEFAULT_COVARIATES, SEX) == (
        "tariff", "age_on_entry", "disability", "imd_quintile", "faculty")
    assert attainment.model_covariates(attainment.DEFAULT_COVARIATES, BOTH) == (
        "tariff", "age_on_entry", "imd_quintile", "faculty")
    matching = attainment.matching_for(DISABILITY)
    assert matching["match_on"][0] == "disability_group" and "disability" not in matching["covariates"]


def test_a_students_table_without_the_characteristic_is_a_note_naming_it():
    staff_only = read_options({"disability": {"column": "disability", "groups": {"True": "Disabled",
                                                                                 "False": "No known disability"},
                                              "reference": "No known disability", "special_category": True,
                                              "tables": ["staff"]}}, "t.yml")["disability"]
    with pytest.raises(AnalysisError, match=r"does not carry disability .*tables names staff"):
        attainment.require_focus(pd.DataFrame({"sex_group": ["Male"]}), staff_only)
    with pytest.raises(AnalysisError, match="names no students table"):
        attainment.by_characteristic(None, DISABILITY)


def _cell(cell_id: str) -> str:
    nb = json.loads((NOTEBOOKS / "03_attainment.ipynb").read_text(encoding="utf-8"))
    (cell,) = [c for c in nb["cells"] if c.get("id") == cell_id]
    return "".join(cell["source"])


def _run_cell(cell_id: str, students, focus, monkeypatch, **extra):
    shown_notes, tables, lines = [], [], []
    monkeypatch.setattr(sections.unit, "_show", lambda self, text: shown_notes.append(text))
    monkeypatch.setattr(attainment, "show_sentences", lambda got: lines.extend(got))
    rec = results.start(rules=DisclosureRules(style="hesa"), path=None)
    cfg = SimpleNamespace(options={"attainment": {"covariates": ["tariff", "sex", "disability"]}}, path="c.yml",
                          focus=focus, characteristics=CHARS, intersections=(BOTH,), disclosure=rec.rules)
    namespace = dict(results=results, sections=sections, attainment=attainment, cfg=cfg,
                     rules=rec.rules.for_characteristic(focus), students=students, focus=focus,
                     reference=focus.reference, aggregate=focus.aggregate, good=("First", "2:1"), plots=plots,
                     disclose=disclose, disclose_attainment=disclose_attainment,
                     show_table=lambda table, caption=None: tables.append((caption, table)), **extra)
    exec(compile(_cell(cell_id), f"03_attainment:{cell_id}", "exec"), namespace)
    return shown_notes, tables, lines, {r["key"]: r for r in rec.results}


def _disability_students(n: int = 1200, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    disabled = rng.random(n) < 0.3
    sex = rng.choice(["Male", "Female"], n)
    tariff = rng.normal(120, 15, n)
    logit = -3 + 0.03 * tariff - 0.6 * disabled
    good = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame({"disability": disabled, "sex": sex, "tariff": tariff,
                          "degree_class": np.where(good, "2:1", "2:2")})
    frame["disability_group"] = np.where(disabled, "Disabled", "No known disability")
    frame["disability_aggregate"] = frame["disability_group"]
    frame["sex_group"] = frame["sex"]
    return frame


def test_notebook_03_headline_follows_the_focus_in_its_words(monkeypatch):
    notes, tables, lines, recorded = _run_cell("cell-04", _disability_students(), DISABILITY, monkeypatch)
    assert notes == []
    assert recorded["awarding_gap"]["label"] == ("Awarding gap in good honours, No known disability students minus "
                                                 "disabled students")
    assert recorded["good_honours_rate_aggregate"]["label"] == "Good-honours rate of disabled students"
    # disability has two groups: the table by group would repeat the headline, so it is not shown
    assert [c for c, _ in tables] == ["Good honours by disability: the reference group and every other group together",
                                      "Students left out of the comparison, and why"]
    assert lines[0].startswith("In this cohort's records the good-honours rate is ")
    assert "for No known disability students and" in lines[0] and "for disabled students" in lines[0]


def test_notebook_03_adjusted_gap_leaves_the_focus_out_of_its_covariates(monkeypatch):
    notes, tables, lines, recorded = _run_cell("cell-09", _disability_students(), DISABILITY, monkeypatch)
    assert notes == []
    assert lines[0] == "Adjusted for entry tariff and sex."  # the cohort file names tariff, sex and disability
    assert "(after entry tariff and sex)" in recorded["adjusted_gap"]["label"]
    # sex enters by its groups (read through the code list), disability not at all
    students = _disability_students()
    expected = attainment.adjusted_gap(students, group="disability_aggregate", reference="No known disability",
                                       covariates=["tariff", "sex_group"], categorical=())
    assert recorded["adjusted_gap"]["value"] == pytest.approx(round(expected.loc[0, "adjusted_gap_pp"], 1) / 100)
    assert 0 < expected.loc[0, "adjusted_gap_pp"]  # the injected disability gap (a logit of -0.6) is positive


def test_notebook_03_sections_without_students_or_the_focus_column_are_notes(monkeypatch):
    notes, tables, _, recorded = _run_cell("cell-04", None, DISABILITY, monkeypatch)
    assert len(notes) == 1 and "names no students table" in notes[0] and tables == [] and recorded == {}
    no_disability = _disability_students().drop(columns=["disability_group", "disability_aggregate"])
    notes, tables, _, _ = _run_cell("cell-19", no_disability, DISABILITY, monkeypatch)
    assert len(notes) == 1 and "does not carry disability" in notes[0] and tables == []
    notes, tables, _, _ = _run_cell("cell-21", None, DISABILITY, monkeypatch)
    assert notes == [] and tables == []  # no section by characteristic without students


def test_notebook_03_shows_every_characteristic_and_intersection_under_its_own_rules(monkeypatch):
    students = _disability_students()
    students[BOTH.group_column] = (students["disability_group"] + ", "
                                   + np.where(students["sex"] == "Male", "Male", "Female or other"))
    students.loc[students.index[:30], "sex_group"] = "Unknown"
    notes, tables, lines, _ = _run_cell("cell-21", students, DISABILITY, monkeypatch)
    captions = [c for c, _ in tables]
    assert captions == ["Good honours by disability", "Good honours by sex", "Good honours by disability and sex"]
    by_sex = dict(tables)["Good honours by sex"]
    assert list(by_sex["sex_group"]) == ["Male", "Female", "Unknown"]
    assert int(by_sex.set_index("sex_group").loc["Unknown", "n"]) == 30
    # the students have no 'continued' column: each continuation section is a note of its own
    assert len(notes) == 3 and all("continued" in n for n in notes)


def test_a_scheme_without_student_participants_says_so_in_its_mentored_sections(monkeypatch):
    students = _disability_students().assign(mentored=False, faculty="Arts", entry_year=2020, imd_quintile=3,
                                             qualification_year=2023)
    notes, tables, _, recorded = _run_cell("cell-15", students, DISABILITY, monkeypatch)
    assert len(notes) == 2 and all("this scheme has no student participants" in n for n in notes)
    notes, _, _, _ = _run_cell("cell-17", students, DISABILITY, monkeypatch)
    assert len(notes) == 1 and "this scheme has no student participants" in notes[0]
    assert tables == [] and recorded == {}
