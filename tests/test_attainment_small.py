"""Notebook 03 on a small cohort: sections that show a note instead of failing, and what a null gap can mean."""

from __future__ import annotations

import json
import math
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


def _run_cell(cell_id: str, students: pd.DataFrame, monkeypatch) -> tuple[list[str], dict]:
    shown_notes = []
    monkeypatch.setattr(sections.unit, "_show", lambda self, text: shown_notes.append(text))
    rec = results.start(rules=DisclosureRules(style="hesa"), path=None)
    from types import SimpleNamespace

    from rmresearch import plots

    cfg = SimpleNamespace(reference_group="White", aggregate_group="BAME", ethnicity_grouping="ofs")
    namespace = dict(results=results, sections=sections, attainment=attainment, cfg=cfg, rules=rec.rules,
                     students=students, reference="White", aggregate="BAME", good=("First", "2:1"), plots=plots,
                     disclose=disclose, disclose_attainment=disclose_attainment, show_table=lambda *a, **k: None)
    exec(compile(_cell(cell_id), f"03_attainment:{cell_id}", "exec"), namespace)
    return shown_notes, {r["key"]: r for r in rec.results}


def test_notebook_03_headline_without_any_aggregate_student_shows_a_note(monkeypatch):
    notes, recorded = _run_cell("cell-04", _students(black_n=0, mixed_n=0), monkeypatch)
    assert len(notes) == 1 and notes[0].startswith("> **Headline gap: not shown for this cohort.** no BAME students")
    assert recorded == {}


def test_notebook_03_difference_in_differences_while_mentored_students_still_study_shows_a_note(monkeypatch):
    students = _students().assign(qualification_year=2022, mentored=False)
    students.loc[students.index[-5:], ["qualification_year", "degree_class"]] = [pd.NA, None]
    students.loc[students.index[-5:], "mentored"] = True
    students["qualification_year"] = students["qualification_year"].astype("Int64")
    notes, recorded = _run_cell("cell-17", students, monkeypatch)
    assert notes == ["> **Difference in differences: not shown for this cohort.** no mentored student has qualified "
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
        assert "".join(cell["source"]).startswith("with sections.unit("), cell["id"]


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
