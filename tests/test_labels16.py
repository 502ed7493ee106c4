"""Issue 16 (spreadsheets): role labels, academic years and census-style ethnicity labels as HR and student-record
systems export them read as the codes the analyses use; a label that is not one is still an error naming the row."""

from __future__ import annotations

import pandas as pd
import pytest

from rmresearch.codes import census_label, load_ethnicity_map
from rmresearch.errors import ValidationError
from rmresearch.schemas import read_table

HEADER = "participant_id,name,aliases,cohort,role,ethnicity_code,sex,grade,faculty,consent_interview,consent_records\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def participants(roles, ethnicities=None):
    ethnicities = ethnicities or ["10"] * len(roles)
    rows = [f"P{i:02d},Person {i},,c1,{role},{eth},F,7,Science,yes,yes"
            for i, (role, eth) in enumerate(zip(roles, ethnicities), start=1)]
    return HEADER + "\n".join(rows) + "\n"


def test_role_labels_in_any_case_and_spacing_read_as_role_codes(tmp_path):
    labels = ["Senior Leader", "Senior leader", "Staff Partner", "Student partner", "Community partner",
              "SENIOR-LEADER", "staff_partner", " student  partner ", "Community-Partner"]
    frame, problems = read_table(write(tmp_path, "p.csv", participants(labels)), "participants")
    assert problems == []
    assert frame["role"].tolist() == ["senior_leader", "senior_leader", "staff_partner", "student_partner",
                                      "community_partner", "senior_leader", "staff_partner", "student_partner",
                                      "community_partner"]


def test_an_unknown_role_is_an_error_naming_row_column_and_the_accepted_labels(tmp_path):
    text = participants(["Senior Leader", "Mentor", "Staff Partner"])
    with pytest.raises(ValidationError) as info:
        read_table(write(tmp_path, "p.csv", text), "participants")
    message = str(info.value)
    assert "p.csv" in message and "row 3" in message and "'Mentor'" in message and "role" in message
    assert "senior_leader, staff_partner, student_partner, community_partner" in message
    assert "'Senior Leader'" in message  # how the accepted labels may be written


STUDENTS_HEADER = ("student_id,ethnicity_code,entry_year,qualification_year,degree_class,mentored,"
                   "sex,age_on_entry,disability,imd_quintile,tariff,faculty,subject,continued,completed\n")


def students(*rows):
    """A students table: each row gives student_id .. mentored; the optional columns are left empty."""
    return STUDENTS_HEADER + "".join(row + ",,,,,,,,,\n" for row in rows)


@pytest.mark.parametrize("written, year", [
    ("2019/20", 2019), ("2019-20", 2019), ("2019/2020", 2019), ("2019-2020", 2019), ("AY 2019/20", 2019),
    ("ay2019/20", 2019), ("2019 / 20", 2019), ("2019\u201320", 2019), ("1999/00", 1999), ("2019", 2019),
])
def test_academic_years_read_as_their_first_calendar_year(tmp_path, written, year):
    text = students(f"S1,10,{written},,,no", "S2,10,2020,,,no")
    frame, problems = read_table(write(tmp_path, "s.csv", text), "students")
    assert problems == []
    assert frame["entry_year"].tolist() == [year, 2020]
    assert str(frame["entry_year"].dtype) == "Int64"


def test_every_year_column_uses_the_first_calendar_year(tmp_path):
    text = students("S1,10,2019/20,2021/22,2:1,yes", "S2,10,2020-21,2022-2023,First,no")
    frame, problems = read_table(write(tmp_path, "s.csv", text), "students")
    assert problems == []
    assert frame["entry_year"].tolist() == [2019, 2020]
    assert frame["qualification_year"].tolist() == [2021, 2022]
    staff = ("staff_id,year,grade,ethnicity_code,left,mentored,sex,faculty,contract\n"
             "E1,2019/20,7,10,no,no,,,\nE1,2020/21,7,10,no,no,,,\n")
    frame, problems = read_table(write(tmp_path, "staff.csv", staff), "staff")
    assert problems == []
    assert frame["year"].tolist() == [2019, 2020]
    recruitment = ("year,post_grade,ethnicity_group,applied,shortlisted,appointed\n"
                   "AY 2019/20,7,White,10,3,1\n")
    frame, problems = read_table(write(tmp_path, "r.csv", recruitment), "recruitment")
    assert problems == [] and frame["year"].tolist() == [2019]


@pytest.mark.parametrize("written", ["2019/21", "2019-2021", "2019/19", "20/21", "2019/20/21", "1899/00"])
def test_a_mismatched_or_malformed_academic_year_is_an_error_naming_row_and_column(tmp_path, written):
    text = students("S1,10,2019,,,no", f"S2,10,{written},,,no")
    with pytest.raises(ValidationError) as info:
        read_table(write(tmp_path, "s.csv", text), "students")
    message = str(info.value)
    assert "s.csv" in message and "row 3" in message and "entry_year" in message and f"'{written}'" in message
    assert "2019/20" in message  # says how an academic year may be written


CENSUS_LABELS = [  # census-style label as HR systems write it -> the code today's HESA labels give
    ("White: English", "11"), ("White - Welsh", "11"), ("White: Northern Irish", "11"), ("WHITE: IRISH", "12"),
    ("White: Scottish", "13"), ("White: English, Welsh, Scottish, Northern Irish or British", "11"),
    ("White: English/Welsh/Scottish/Northern Irish/British", "11"), ("White: Gypsy or Irish Traveller", "15"),
    ("White: Roma", "16"), ("White: Any other White background", "19"),
    ("Asian or Asian British: Indian", "31"), ("Asian or Asian British: Pakistani", "32"),
    ("Asian or Asian British: Bangladeshi", "33"), ("Asian or Asian British: Chinese", "34"),
    ("Asian or Asian British: Any other Asian background", "39"),
    ("Black, Black British, Caribbean or African: Caribbean", "21"),
    ("Black, Black British, Caribbean or African: African", "22"),
    ("Black, Black British, Caribbean or African: Any other Black, Black British, or Caribbean background", "29"),
    ("Black/African/Caribbean/Black British: African", "22"),
    ("Mixed or Multiple ethnic groups: White and Asian", "43"),
    ("Mixed or Multiple ethnic groups: White and Black Caribbean", "41"),
    ("Mixed or Multiple ethnic groups: White and Black African", "42"),
    ("Mixed/multiple ethnic groups: Any other Mixed/multiple ethnic background", "49"),
    ("Other ethnic group: Arab", "50"), ("Other ethnic group: Any other ethnic group", "80"),
    ("Prefer not to say", "98"),
    # today's labels and codes are read as before
    ("White - British", "11"), ("Asian or Asian British - Indian", "31"), ("31", "31"), ("Chinese", "34"),
]


def test_census_style_ethnicity_labels_map_to_the_codes_of_todays_labels(tmp_path):
    labels = [f'"{label}"' for label, _ in CENSUS_LABELS]
    text = participants(["staff_partner"] * len(labels), labels)
    frame, problems = read_table(write(tmp_path, "p.csv", text), "participants")
    assert problems == []
    assert frame["ethnicity_code"].tolist() == [code for _, code in CENSUS_LABELS]
    assert frame["ethnicity_group"].tolist()[:3] == ["White", "White", "White"]
    assert frame.loc[frame["ethnicity_code"] == "21", "ethnicity_group"].tolist() == ["Black"]


@pytest.mark.parametrize("label", ["White: Martian", "Asian or Asian British: Caribbean", "English",
                                   "Ethnicity: White"])
def test_a_census_style_label_that_names_no_code_is_still_an_error(tmp_path, label):
    text = participants(["staff_partner", "staff_partner"], ["10", f'"{label}"'])
    with pytest.raises(ValidationError) as info:
        read_table(write(tmp_path, "p.csv", text), "participants")
    message = str(info.value)
    assert "row 3" in message and "ethnicity_code" in message and f"'{label}'" in message


def test_a_mapping_table_with_other_codes_gets_the_code_of_its_own_label(tmp_path):
    own = write(tmp_path, "eth.csv",
                "code,label,ofs_group\nW1,White - British,White\nA1,Asian or Asian British - Indian,Asian\n")
    emap = load_ethnicity_map(own)
    got = emap.normalise(pd.Series(["White: Welsh", "Asian or Asian British: Indian", "White: Irish", None]))
    assert got.tolist()[:3] == ["W1", "A1", None]  # no "White - Irish" in that table: unknown, not guessed


def test_the_heading_ethnicity_is_read_as_ethnicity_code(tmp_path):
    text = participants(["Senior Leader", "Staff Partner"], ["White: English", "22"])
    text = text.replace(",ethnicity_code,", ",Ethnicity,")
    frame, problems = read_table(write(tmp_path, "p.csv", text), "participants")
    assert problems == []
    assert frame["ethnicity_code"].tolist() == ["11", "22"]
    assert frame["ethnicity_group"].tolist() == ["White", "Black"]
    staff = "staff_id,year,grade,Ethnicity,left,mentored,sex,faculty,contract\nE1,2019/20,7,White: Irish,no,no,,,\n"
    frame, problems = read_table(write(tmp_path, "staff.csv", staff), "staff")
    assert problems == [] and frame["ethnicity_code"].tolist() == ["12"] and frame["year"].tolist() == [2019]


def test_both_ethnicity_and_ethnicity_code_headings_keep_ethnicity_code(tmp_path):
    text = participants(["staff_partner"], ["22"]).replace(",ethnicity_code,", ",ethnicity_code,Ethnicity,")
    text = text.replace(",22,", ",22,White,")
    frame, problems = read_table(write(tmp_path, "p.csv", text), "participants")
    assert problems == []
    assert frame["ethnicity_code"].tolist() == ["22"] and frame["ethnicity"].tolist() == ["White"]


def test_census_label_reads_heading_and_detail_whatever_the_separator():
    assert census_label("White: Irish") == "White - Irish" and census_label("white - irish") == "White - Irish"
    assert census_label("Asian/Asian British: Indian") == "Asian or Asian British - Indian"
    assert census_label("Mixed \u2013 White and Asian") == "Mixed - White and Asian"
    assert census_label("Indian") is None and census_label("") is None  # no heading: not a census-style label
