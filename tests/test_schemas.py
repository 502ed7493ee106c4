"""Reading and validating input tables: every problem named with file, row and column."""

from __future__ import annotations

import pandas as pd
import pytest

from rmresearch.codes import load_ethnicity_map, normalise_degree_class
from rmresearch.errors import InputError, ValidationError
from rmresearch.schemas import SCHEMAS, read_table

PARTICIPANTS = """participant_id,name,aliases,cohort,role,ethnicity_code,sex,grade,faculty,consent_interview,consent_records
P01,Ruth Hale,,c1,senior_leader,10,F,Director,Science,yes,yes
P02,Kwame Mensah,Kwame;K. Mensah,c1,staff_partner,22,M,7,Science,yes,no
"""


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_a_valid_table_with_types(tmp_path):
    frame, problems = read_table(write(tmp_path, "p.csv", PARTICIPANTS), "participants")
    assert problems == []
    assert frame["participant_id"].tolist() == ["P01", "P02"]
    assert frame["ethnicity_group"].tolist() == ["White", "Black"]
    assert frame["consent_records"].tolist() == [True, False]
    assert frame["_row"].tolist() == [2, 3]


def test_missing_column_is_named(tmp_path):
    text = PARTICIPANTS.replace(",role", ",job").replace("senior_leader", "x", 1)
    with pytest.raises(ValidationError) as info:
        read_table(write(tmp_path, "p.csv", text), "participants")
    message = str(info.value)
    assert "p.csv" in message and "missing column(s): role" in message


def test_every_bad_cell_is_reported_with_row_and_column(tmp_path):
    text = PARTICIPANTS + "P03,Ann Lee,,c1,mentor,77,F,5,Arts,maybe,yes\nP03,Bo Chan,,c1,student_partner,34,M,,Arts,yes,yes\n"
    with pytest.raises(ValidationError) as info:
        read_table(write(tmp_path, "p.csv", text), "participants")
    problems = {(p.column, p.row) for p in info.value.problems}
    assert ("role", 4) in problems
    assert ("ethnicity_code", 4) in problems
    assert ("consent_interview", 4) in problems
    assert any(p.column == "participant_id" and "rows 4, 5" in p.message for p in info.value.problems)
    assert "'77'" in str(info.value)  # the unknown code is shown, never dropped


def test_labels_accepted_for_ethnicity_and_spellings_for_degree(tmp_path):
    emap = load_ethnicity_map()
    codes = emap.normalise(pd.Series(["White", "22", "22.0", "chinese", "Martian", None]))
    assert codes.tolist()[:4] == ["10", "22", "22", "34"]
    assert pd.isna(codes.iloc[4]) and pd.isna(codes.iloc[5])
    assert normalise_degree_class("Lower Second") == "2:2"


def test_header_rows_above_the_table_and_totals_row(tmp_path):
    text = (
        "Recruitment report 2024,,,,,\n,,,,,\n"
        "year,post_grade,ethnicity_group,applied,shortlisted,appointed\n"
        "2024,7,White,40,10,3\n2024,7,Black,20,4,1\nTotal,,,60,14,4\n"
    )
    frame, problems = read_table(write(tmp_path, "r.csv", text), "recruitment")
    (problem,) = problems
    assert problem.row == 6 and "totals row" in problem.message and "left out" in problem.message
    assert problem.severity == "warning" and problem.column == "year"
    assert frame["applied"].tolist() == [40, 20]  # the records, not the export's own total


def test_a_repeated_header_row_is_still_an_error(tmp_path):
    text = ("year,post_grade,ethnicity_group,applied,shortlisted,appointed\n2024,7,White,40,10,3\n"
            "year,post_grade,ethnicity_group,applied,shortlisted,appointed\n2024,7,Black,20,4,1\n")
    with pytest.raises(ValidationError) as info:
        read_table(write(tmp_path, "r.csv", text), "recruitment")
    (problem,) = info.value.problems
    assert problem.row == 3 and "repeats the header" in problem.message


def test_excel_input_with_title_row(tmp_path):
    path = tmp_path / "pairs.xlsx"
    rows = [["Pairs export", None, None, None, None, None],
            ["pair_id", "senior_id", "partner_id", "start_date", "end_date", "status"],
            ["R01", "P01", "P02", pd.Timestamp("2024-10-01"), None, "Completed"]]
    pd.DataFrame(rows).to_excel(path, header=False, index=False)
    frame, problems = read_table(path, "pairs")
    assert problems == []
    assert frame.loc[0, "start_date"] == pd.Timestamp("2024-10-01")
    assert frame.loc[0, "status"] == "completed"
    assert frame.loc[0, "_row"] == 3


def test_dates_iso_uk_and_excel_serial(tmp_path):
    text = "pair_id,date,minutes,attended,initiated_by\nR1,2024-10-01,60,yes,senior\nR1,02/11/2024,60,yes,\nR1,45640,,no,\nR1,31/02/2024,60,yes,\n"
    with pytest.raises(ValidationError) as info:
        read_table(write(tmp_path, "m.csv", text), "meetings")
    (problem,) = info.value.problems
    assert problem.row == 5 and problem.column == "date"
    frame, _ = read_table(write(tmp_path, "m2.csv", text.rsplit("R1,31", 1)[0]), "meetings")
    assert frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-10-01", "2024-11-02", "2024-12-14"]


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("participant_id,name\nP1,Zo\xeb\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_unreadable_files_give_clear_errors(tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=expected):
        read_table(path, "participants")


def test_schema_describe_lists_every_column():
    table = SCHEMAS["students"].describe()
    assert "degree_class" in table["column"].tolist()
    assert table.loc[table["column"] == "ethnicity_group", "required"].item() is False


def test_blank_and_short_lines_keep_their_row_numbers(tmp_path):
    text = ("pair_id,senior_id,partner_id,start_date,end_date,status\n"
            "R1,P1,P2,2024-10-01,,completed\n"
            "\n"
            "R2,P3,P4,2024-10-02\n")  # a blank line, then a short row missing its status
    with pytest.raises(ValidationError) as info:
        read_table(write(tmp_path, "pairs.csv", text), "pairs")
    (problem,) = info.value.problems
    assert problem.column == "status" and problem.row == 4 and "empty" in problem.message


@pytest.mark.parametrize("epoch", ["1900", "1904"])
def test_excel_dates_honour_the_workbook_date_system(tmp_path, epoch):
    """A workbook saved with the 1904 date system gives the dates written, for date cells and for serial numbers."""
    import datetime as dt

    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, to_excel

    written = [dt.date(2024, 10, 1), dt.date(2025, 2, 28)]
    book = openpyxl.Workbook()
    if epoch == "1904":
        book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.append(["pair_id", "senior_id", "partner_id", "start_date", "end_date", "status"])
    # the start date as a date cell, the end date as a bare serial number (a "General" column) in the book's system
    for i, day in enumerate(written):
        serial = int(to_excel(dt.datetime.combine(day, dt.time()), epoch=book.epoch))
        sheet.append([f"R{i}", "P01", "P02", day, serial, "active"])
    path = tmp_path / "pairs.xlsx"
    book.save(path)
    assert openpyxl.load_workbook(path).epoch == book.epoch  # the file really carries the date system
    frame, problems = read_table(path, "pairs")
    assert problems == []
    assert [d.date() for d in frame["start_date"]] == written
    assert [d.date() for d in frame["end_date"]] == written


def test_actions_schema_reads_the_actions_log(tmp_path):
    from rmresearch.io.tables import read_action_table

    path = write(tmp_path, "actions.csv", "pair_id,action,area,status\nR1,Changed shortlisting,recruitment,In progress\n"
                                          "R2,New module,curriculum,done\n")
    frame, problems = read_action_table(path)
    assert frame["status"].tolist()[0] == "in_progress"
    assert [(p.row, p.column) for p in problems] == [(3, "status")]
    assert "actions" in SCHEMAS and SCHEMAS["actions"].required == ["pair_id", "action", "area", "status"]
