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
    assert shown == ["> **Difference in differences: not shown for this cohort.** gap_difference_in_differences: "
                     "no reference students (White) with an outcome before 2021. This section needs students who "
                     "qualified before and after the start year."]
    assert sections.notes() == [u.note]
    assert u.note.as_dict() == {"title": "Difference in differences",
                                "reason": "gap_difference_in_differences: no reference students (White) with an "
                                          "outcome before 2021",
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
    assert u.note.reason == "adjusted_gap: only some students left (some excluded) in 2020; rate some"


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
