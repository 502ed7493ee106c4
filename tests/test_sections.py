"""sections.unit: an AnalysisError inside a unit becomes a note; anything else still fails."""

import pytest

from rmresearch import results, sections
from rmresearch.errors import AnalysisError


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.delenv(results.RESULTS_ENV, raising=False)
    monkeypatch.setattr(results, "_current", None)
    sections.clear_notes()
    yield
    sections.clear_notes()


def test_analysis_error_shows_a_note_and_records_it():
    shown = []
    with sections.unit("Difference in differences", needs="students who qualified before and after the start year",
                       display=shown.append) as u:
        raise AnalysisError("gap_difference_in_differences: no reference students (White) with an outcome before 2021")
    assert shown == ["> **Difference in differences: not shown for this cohort.** "
                     "No reference students (White) with an outcome before 2021. This section needs students who "
                     "qualified before and after the start year."]
    assert sections.notes() == [u.note]
    assert u.note.as_dict() == {"title": "Difference in differences",
                                "reason": "No reference students (White) with an outcome before 2021.",
                                "needs": "students who qualified before and after the start year"}


def test_other_errors_propagate_and_leave_no_note():
    with pytest.raises(TypeError, match="a bug"):
        with sections.unit("Adjusted gap", needs="students with a tariff", display=print):
            raise TypeError("a bug")
    assert sections.notes() == []


def test_success_shows_nothing_and_clears_an_earlier_note():
    shown = []
    with sections.unit("Value added", needs="baseline students", display=shown.append):
        raise AnalysisError("value_added: no baseline students")
    with sections.unit("Value added", needs="baseline students", display=shown.append):
        pass
    assert len(shown) == 1 and sections.notes() == []


def test_rerun_failing_unit_keeps_one_note():
    for _ in range(2):
        with sections.unit("Fairlie", needs="two groups", display=lambda _t: None):
            raise AnalysisError("fairlie: did not converge")
    assert [n.title for n in sections.notes()] == ["Fairlie"]


def test_numbers_other_than_years_are_hidden_in_the_note():
    with sections.unit("Adjusted gap", needs="students with a tariff", display=lambda _t: None) as u:
        raise AnalysisError("adjusted_gap: only 3 students left (2 excluded) in 2020; rate 0.25")
    assert u.note.reason == "Only some students left (some excluded) in 2020; rate some."


def test_results_recorded_inside_a_failed_unit_are_withdrawn(tmp_path):
    rec = results.start(path=tmp_path / "03_attainment.results.json")
    results.record("kept", 100, label="Students before")
    with sections.unit("Mentored comparison", needs="mentored students", display=lambda _t: None):
        results.record("mentored_difference_n", 200, label="Students matched")
        results.record("kept", 300, label="Students before")
        raise AnalysisError("mentored_comparison: no students outside the scheme")
    assert [(r["key"], r["value"]) for r in rec.results] == [("kept", 100)]
    saved = results.read_results(tmp_path / "03_attainment.results.json")
    assert [(r["key"], r["value"]) for r in saved["results"]] == [("kept", 100)]


def test_results_recorded_in_a_successful_unit_stay(tmp_path):
    rec = results.start(path=tmp_path / "x.results.json")
    with sections.unit("Value added", needs="baseline students", display=lambda _t: None):
        results.record("value_added_n", 100, label="Students")
    assert [r["key"] for r in rec.results] == ["value_added_n"]


def test_unit_needs_title_and_needs():
    with pytest.raises(AnalysisError, match="title"):
        sections.unit(" ", needs="x")


def _notebook_cell(notebook: str, cell_id: str) -> str:
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).parents[1] / "notebooks" / notebook).read_text(encoding="utf-8"))
    (cell,) = [c for c in nb["cells"] if c.get("id") == cell_id]
    return "".join(cell["source"])


def test_notebook_03_difference_in_differences_without_students_before_the_start_shows_a_note(monkeypatch):
    import pandas as pd

    from rmresearch import attainment
    from rmresearch.attainment import disclose_attainment

    shown = []
    monkeypatch.setattr(sections.unit, "_show", lambda self, text: shown.append(text))
    # everyone qualified in 2024, the year the first mentored students qualified: no "before"
    students = pd.DataFrame({"ethnicity_aggregate": ["White"] * 300 + ["BAME"] * 60, "qualification_year": 2024,
                             "mentored": [False] * 359 + [True], "degree_class": (["2:1", "2:2"] * 180)})
    rec = results.start(path=None)
    from rmresearch.characteristics import legacy_ethnicity

    namespace = dict(results=results, sections=sections, attainment=attainment, students=students, reference="White",
                     focus=legacy_ethnicity("White", "ofs_group", "BAME"),  # a cohort file without characteristics
                     cfg=None,  # a cohort file without options.attainment: every comparison shown
                     aggregate="BAME", good=("First", "2:1"), rules=rec.rules, disclose_attainment=disclose_attainment,
                     show_table=lambda *a, **k: pytest.fail("a table was shown"))
    exec(compile(_notebook_cell("03_attainment.ipynb", "cell-17"), "03_attainment:cell-17", "exec"), namespace)
    assert shown == ["> **Difference in differences: not shown for this cohort.** No "
                     "reference students (White) with an outcome before 2024 in 'qualification_year'; a "
                     "difference-in-differences needs years both before and after the scheme started. This section "
                     "needs mentored students who have qualified, and students of both groups who qualified before "
                     "and from the year the first of them did."]
    assert [n.title for n in sections.notes()] == ["Difference in differences"] and rec.results == []


def test_notebook_03_wraps_each_analysis_that_fails_on_a_small_cohort_in_a_unit():
    for cell_id, title in (("cell-09", "Adjusted gap"), ("cell-11", "Value added"),
                           ("cell-13", "Oaxaca–Blinder and Fairlie decompositions"),
                           ("cell-15", "Mentored students against matched students"),
                           ("cell-17", "Difference in differences")):
        assert f'with sections.unit("{title}",' in _notebook_cell("03_attainment.ipynb", cell_id)


def test_the_note_is_displayed_as_markdown_with_its_metadata(monkeypatch):
    import IPython.display

    calls = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: calls.append((a, k)))
    with sections.unit("Value added", needs="baseline students"):
        raise AnalysisError("value_added: no baseline students with a classified degree and a subject")
    ((data,), kwargs), = calls
    assert data["text/markdown"].startswith("> **Value added: not shown for this cohort.** No baseline")
    assert kwargs["raw"] is True
    assert kwargs["metadata"] == {"rmresearch": {"note": {
        "title": "Value added", "reason": "No baseline students with a classified degree and a subject.",
        "needs": "baseline students"}}}


def test_the_report_collects_the_notes_of_an_executed_notebook():
    import nbformat

    from rmresearch.report.render import _note_rows, render_notebook

    data, metadata = sections.note_output(sections.Note("Difference in differences", "No students before 2021.",
                                                        "students before and from 2021"))
    cell = nbformat.v4.new_code_cell("with sections.unit(...): ...")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Attainment"), cell])
    section = render_notebook(nb, name="03_attainment")
    assert section.notes == [{"title": "Difference in differences", "reason": "No students before 2021.",
                              "needs": "students before and from 2021"}]
    assert "Difference in differences: not shown for this cohort." in section.body
    assert _note_rows(section) == [{"title": "Attainment", "text": "Difference in differences not shown: No students "
                                                                    "before 2021. It needs students before and from 2021."}]


def test_require_stops_a_unit_with_a_note_naming_the_missing_input_and_the_file_name_only(tmp_path):
    class Cohort:
        path = tmp_path / "private" / "pilot.yml"
        inputs = {"staff": tmp_path / "staff.csv", "recruitment": None}

    shown = []
    sections.require(Cohort(), "staff")
    with sections.unit("Recruitment", needs="recruitment records by stage", display=shown.append) as u:
        sections.require(Cohort(), "recruitment")
        raise AssertionError("not reached")
    assert u.note.reason == "The cohort file pilot.yml names no recruitment input (inputs: recruitment: FILE)."
    assert str(tmp_path) not in shown[0] and "This section needs recruitment records by stage." in shown[0]
