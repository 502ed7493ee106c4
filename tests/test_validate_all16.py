"""`rmresearch validate` lists every problem of every table in one run (issue 16, item 5).

A 12-pair cohort is written here as an evaluator's exports would hold it (labels, UK dates), then several tables
are broken at once: a role label no code matches in participants, an unknown partner in pairs, an impossible date in
meetings, a missing column in staff. One run must name each with its file, row and column: before issue 16 a table
with errors was left out of the checks across tables, so the unknown partner only appeared on a second run.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rmresearch.config import load_cohort
from rmresearch.inputs import validate_cohort

COHORT = """cohort: pilot16
title: Twelve-pair pilot (synthetic)
programme_type: reciprocal
start_date: 2024-10-01
end_date: 2025-03-31
planned_meetings: 6
root: ..
inputs:
  participants: data/participants.csv
  pairs: data/pairs.csv
  meetings: data/meetings.csv
  staff: data/staff.csv
outputs:
  anonymised: interviews/anonymised
  reports: reports/pilot16
  keys: keys/pilot16
options:
  reference_group: White
  grade_scale: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", Professor, Director, Executive]
"""

PARTICIPANTS = ["participant_id", "name", "cohort", "role", "ethnicity_code", "sex", "grade", "faculty",
                "consent_interview", "consent_records", "staff_id"]
STAFF = ["Staff ID", "Year", "Grade", "Ethnicity code", "Sex", "Faculty", "Contract", "Left", "Mentored"]


def _write(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def _participants() -> list[list[str]]:
    rows = [PARTICIPANTS]
    for i in range(1, 25):
        senior = i <= 12
        rows.append([f"P{i:02d}", f"Person {i:02d}", "pilot16", "Senior Leader" if senior else "Staff Partner",
                     "White - British" if senior else "Black or Black British - African", "F" if i % 2 else "M",
                     "Director" if senior else "6", "Arts", "Yes", "Yes", f"S{100000 + i}"])
    return rows


def _pairs() -> list[list[str]]:
    return [["pair_id", "senior_id", "partner_id", "start_date", "end_date", "status"]] + [
        [f"R{i:02d}", f"P{i:02d}", f"P{i + 12:02d}", "01/10/2024", "31/03/2025", "Completed"] for i in range(1, 13)]


def _meetings() -> list[list[str]]:
    return [["pair_id", "date", "minutes", "attended", "initiated_by"]] + [
        [f"R{i:02d}", f"{10 + m:02d}/{10 + m}/2024", "60", "Yes", "senior"] for i in range(1, 13) for m in range(2)]


def _staff() -> list[list[str]]:
    rows = [["University of Anytown (synthetic): HR staff census"], [], STAFF]
    for i in range(1, 41):
        rows.append([f"S{100000 + i}", "2024", str(1 + i % 10), "White - British" if i % 3 else "Asian or Asian British - Indian",
                     "F" if i % 2 else "M", "Arts", "academic", "No", "Yes" if i <= 12 else "No"])
    return rows


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "cohorts").mkdir()
    (tmp_path / "cohorts" / "pilot16.yml").write_text(COHORT, encoding="utf-8")
    data = tmp_path / "data"
    _write(data / "participants.csv", _participants())
    _write(data / "pairs.csv", _pairs())
    _write(data / "meetings.csv", _meetings())
    _write(data / "staff.csv", _staff())
    return tmp_path


def _errors(project: Path) -> list[tuple[str, int | None, str | None, str]]:
    _, problems = validate_cohort(load_cohort(project / "cohorts" / "pilot16.yml"))
    return sorted(((Path(p.file).name, p.row, p.column, p.message) for p in problems if p.severity == "error"),
                  key=lambda x: (x[0], x[1] or 0, x[2] or ""))


def test_the_clean_twelve_pair_cohort_is_valid(project):
    assert _errors(project) == []


def test_one_run_lists_a_problem_in_each_of_four_tables(project):
    data = project / "data"
    people = _participants()
    people[4][3] = "Chief Executive"  # file row 5 (P04): a label no role code matches
    _write(data / "participants.csv", people)
    pairs = _pairs()
    pairs[2][2] = "P99"  # file row 3 (R02): a partner who is not a participant
    _write(data / "pairs.csv", pairs)
    meetings = _meetings()
    meetings[5][1] = "31/02/2025"  # file row 6: no such day
    _write(data / "meetings.csv", meetings)
    staff = _staff()
    _write(data / "staff.csv", [r[:2] + r[3:] if len(r) > 2 else r for r in staff])  # no Grade column
    errors = _errors(project)
    assert [(f, r, c) for f, r, c, _ in errors] == [
        ("meetings.csv", 6, "date"),
        ("pairs.csv", 3, "partner_id"),
        ("participants.csv", 5, "role"),
        ("staff.csv", None, None),
    ]
    assert "'P99' is not a participant_id in the participants table" == errors[1][3]
    assert "'Chief Executive'" in errors[2][3] and "missing column(s): grade" in errors[3][3]


def test_rows_with_errors_still_answer_for_the_rows_that_loaded(project):
    """A participant whose role cannot be read is still a participant (no 'not a participant_id' for P04's pair,
    no 'has role None'), while a partner in the seniors' column is still caught on another row; a meeting with a bad
    date still has its unknown pair named; an empty senior_id is said once, by the pairs table's own check."""
    data = project / "data"
    people = _participants()
    people[4][3] = "Chief Exec"  # P04's role unreadable
    people[7][2] = ""  # P07's cohort empty: an error, not "another cohort"
    _write(data / "participants.csv", people)
    pairs = _pairs()
    pairs[5][1] = "P17"  # R05's senior is a partner
    pairs[6][1] = ""  # R06 has no senior
    _write(data / "pairs.csv", pairs)
    meetings = _meetings()
    meetings[1] = ["R13", "99/99/2024", "60", "Yes", "senior"]  # unknown pair and bad date on one row
    _write(data / "meetings.csv", meetings)
    errors = _errors(project)
    assert [(f, r, c) for f, r, c, _ in errors] == [
        ("meetings.csv", 2, "date"),
        ("meetings.csv", 2, "pair_id"),
        ("pairs.csv", 6, "senior_id"),
        ("pairs.csv", 7, "senior_id"),
        ("participants.csv", 5, "role"),
        ("participants.csv", 8, "cohort"),
    ]
    by_place = {(f, r, c): m for f, r, c, m in errors}
    assert by_place[("pairs.csv", 6, "senior_id")] == ("'P17' has role staff_partner; this column needs a "
                                                       "senior_leader")
    assert by_place[("meetings.csv", 2, "pair_id")] == "pair_id 'R13' is not in the pairs table (rows 2)"
    assert "is empty" in by_place[("pairs.csv", 7, "senior_id")]


def test_the_analyses_checks_run_on_the_rows_of_a_table_with_errors(project):
    """Staff with one unreadable year and one grade off the cohort's scale: both in one run (the grade-scale check
    of the progression analysis used to wait for a table without errors)."""
    staff = _staff()
    staff[3][1] = "20x4"  # file row 4: not a year
    staff[10][2] = "Grade 12"  # file row 11: not on options.grade_scale
    _write(project / "data" / "staff.csv", staff)
    errors = _errors(project)
    assert [(f, r, c) for f, r, c, _ in errors] == [("staff.csv", 4, "year"), ("staff.csv", 11, "grade")]
    assert "Grade 12" in errors[1][3]


def test_a_participants_table_missing_a_column_still_answers_for_pairs_actions_and_consent(project):
    """No 'sex' column and a bad role in participants; an actions log naming an unknown pair; a participant who
    declined records linkage without a staff_id. Each is said in the same run."""
    data = project / "data"
    people = _participants()
    people[5][9], people[5][10] = "No", ""  # P05: no consent to records linkage, no staff_id to unlink by
    people[2][3] = "Seniour Leader"  # file row 3 (P02)
    j = PARTICIPANTS.index("sex")
    _write(data / "participants.csv", [r[:j] + r[j + 1:] for r in people])
    _write(data / "actions.csv", [["pair_id", "action", "area", "owner", "status", "evidence", "date"],
                                  ["R01", "Shortlisting guidance revised", "recruitment", "Director of HR",
                                   "Implemented", "", "14/02/2025"],
                                  ["R31", "Reading list review", "curriculum", "Faculty of Arts", "Proposed", "",
                                   "25/03/2025"]])
    cohort = project / "cohorts" / "pilot16.yml"
    cohort.write_text(cohort.read_text().replace("  staff: data/staff.csv\n",
                                                 "  staff: data/staff.csv\n  actions: data/actions.csv\n"))
    _, problems = validate_cohort(load_cohort(cohort))
    found = sorted(((Path(p.file).name, p.row, p.column, p.severity) for p in problems),
                   key=lambda x: (x[0], x[1] or 0, x[2] or ""))
    assert found == [
        ("actions.csv", 3, "pair_id", "error"),
        ("participants.csv", None, None, "error"),
        ("participants.csv", None, "staff_id", "warning"),
        ("participants.csv", 3, "role", "error"),
    ]
    assert "missing column(s): sex" in next(p.message for p in problems if p.column is None)
    assert "(P05)" in next(p.message for p in problems if p.column == "staff_id")


def test_the_validate_command_prints_every_problem_of_the_run(project, capsys):
    from rmresearch.cli import main

    data = project / "data"
    people = _participants()
    people[4][3] = "Chief Executive"
    _write(data / "participants.csv", people)
    pairs = _pairs()
    pairs[2][2] = "P99"
    _write(data / "pairs.csv", pairs)
    code = main(["validate", "--cohort", str(project / "cohorts" / "pilot16.yml")])
    out = capsys.readouterr().out
    errors = [line for line in out.splitlines() if line.startswith("error: ")]
    assert code == 2 and len(errors) == 2 and "2 error(s)" in out
    # the table with errors is listed with the others, pointing at its errors, not left out of the list
    assert f"  participants        errors  {data / 'participants.csv'} (below)" in out.splitlines()
    assert f"  pairs              12 rows  {data / 'pairs.csv'}" in out.splitlines()
    assert errors[0].startswith(f"error: {data / 'participants.csv'}, row 5, column 'role': ")
    assert errors[1] == (f"error: {data / 'pairs.csv'}, row 3, column 'partner_id': 'P99' is not a participant_id "
                         "in the participants table")


def test_a_coding_table_is_read_for_its_form_before_the_transcripts_are_anonymised(project):
    """Codings are checked against the anonymised transcripts, which do not exist before `anonymise run`; a coding
    CSV without its coder column is said now (with that warning), not on a later run."""
    (project / "data" / "codings.csv").write_text("segment_id,code\ninterview_01#t006,reciprocity\n", encoding="utf-8")
    cohort = project / "cohorts" / "pilot16.yml"
    cohort.write_text(cohort.read_text().replace("  staff: data/staff.csv\n",
                                                 "  staff: data/staff.csv\n  codings: data/codings.csv\n"))
    _, problems = validate_cohort(load_cohort(cohort))
    assert [(Path(p.file).name, p.severity, p.message.split(". ")[0]) for p in problems] == [
        ("codings.csv", "error", "missing column(s): coder"),
        ("codings.csv", "warning", "the codings are checked against the anonymised transcripts, and there are none "
                                   f"yet in {project / 'interviews' / 'anonymised'}; run `rmresearch anonymise run "
                                   "--cohort pilot16`, then validate again"),
    ]
