"""Cohorts that study any characteristic (issue 14): group columns, intersections, stricter disclosure, errors."""

from __future__ import annotations

import re
import shutil

import pytest

from rmresearch.config import DisclosureRules, load_cohort
from rmresearch.errors import ConfigError, ValidationError
from rmresearch.inputs import load_table, validate_cohort
from rmresearch.io.tables import read_table
from rmresearch.schemas import SCHEMAS
from rmresearch.synthetic import generate_pilot

DISABILITY_AND_SEX = """  characteristics:
    disability: {column: disability_code, code_list: disability, labels: {Disabled: disabled}}
    sex: {column: sex, code_list: sex, tables: [participants, staff]}
  intersections: [[disability, sex]]
"""


@pytest.fixture(scope="module")
def pilot(tmp_path_factory):
    root = tmp_path_factory.mktemp("groups") / "pilot"
    generate_pilot(root, n_students=300, n_staff=300)
    return root


def _copy(pilot, tmp_path, options: str, edit=None):
    """The pilot project copied, its cohort file given ``options`` (under options:, the legacy ethnicity options
    removed), each person table rewritten as a plain CSV through ``edit(name, frame)``."""
    root = tmp_path / "p"
    shutil.copytree(pilot, root)
    yml = root / "cohorts" / "pilot.yml"
    text = yml.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^  (reference_group|ethnicity_grouping|aggregate_group):.*\n", "", text)
    yml.write_text(text.replace("options:\n", "options:\n" + options, 1), encoding="utf-8")
    legacy = load_cohort(pilot / "cohorts" / "pilot.yml")
    for name in ("participants", "staff", "students"):
        frame = read_table(legacy.input_path(name), SCHEMAS[name], raise_on_error=False)[0]
        frame = frame.drop(columns=["_row", "ethnicity_group"], errors="ignore")
        if edit is not None:
            frame = edit(name, frame)
        frame.to_csv(root / "data" / "pilot" / legacy.input_path(name).name, index=False, date_format="%Y-%m-%d")
    return root


def _disability_sex(name, frame):
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("ethnicity")])
    codes = ["95", "51", "95", "95", "55", "98", "95", ""]
    frame.insert(1, "disability_code", [codes[i % len(codes)] for i in range(len(frame))])
    return frame


def test_a_cohort_of_disability_and_sex_without_ethnicity_validates_and_loads(pilot, tmp_path, monkeypatch):
    root = _copy(pilot, tmp_path, DISABILITY_AND_SEX, _disability_sex)
    monkeypatch.chdir(root)
    cfg = load_cohort("pilot")
    assert list(cfg.characteristics) == ["disability", "sex"] and cfg.focus.name == "disability"
    _, problems = validate_cohort(cfg)
    assert [p for p in problems if p.severity == "error"] == []
    staff = load_table(cfg, "staff")
    assert "ethnicity_code" not in staff.columns and "ethnicity_group" not in staff.columns
    # codes cycle 95 51 95 95 55 98 95 blank: 2 of 8 disabled, 2 of 8 unknown (98 prefer not to say, blank)
    counts = staff["disability_group"].value_counts()
    assert counts["Disabled"] * 4 == pytest.approx(len(staff), abs=4)
    assert counts["Unknown"] * 4 == pytest.approx(len(staff), abs=4)
    assert set(staff["disability_aggregate"]) == {"Disabled", "No known disability", "Unknown"}
    both = staff["disability_by_sex"]
    assert set(both) <= {"Disabled, Male", "Disabled, Female or other", "No known disability, Male",
                         "No known disability, Female or other", "Unknown"}
    assert (both == "Unknown").sum() == (staff["disability_group"] == "Unknown").sum() + (
        (staff["disability_group"] != "Unknown") & (staff["sex_group"] == "Unknown")).sum()
    students = load_table(cfg, "students")  # sex is not among the students' tables: no sex or intersection column
    assert "disability_group" in students.columns and "sex_group" not in students.columns
    assert "disability_by_sex" not in students.columns


def test_a_missing_characteristic_column_names_the_table_and_the_setting(pilot, tmp_path, monkeypatch):
    def drop_from_staff(name, frame):
        frame = _disability_sex(name, frame)
        return frame.drop(columns="disability_code") if name == "staff" else frame

    root = _copy(pilot, tmp_path, DISABILITY_AND_SEX, drop_from_staff)
    monkeypatch.chdir(root)
    with pytest.raises(ValidationError) as info:
        load_table(load_cohort("pilot"), "staff")
    text = str(info.value)
    assert "staff table needs its column 'disability_code'" in text
    assert "options.characteristics.disability.tables" in text


def test_a_value_outside_the_code_list_is_an_error_naming_it(pilot, tmp_path, monkeypatch):
    def bad(name, frame):
        frame = _disability_sex(name, frame)
        if name == "participants":
            frame.loc[frame.index[2], "disability_code"] = "Disabeld"
        return frame

    root = _copy(pilot, tmp_path, DISABILITY_AND_SEX, bad)
    monkeypatch.chdir(root)
    with pytest.raises(ValidationError, match=r"column 'disability_code': 1 value\(s\) not in the disability code list.*'Disabeld' in row\(s\) 4\."):
        load_table(load_cohort("pilot"), "participants")


def test_a_legacy_cohort_studies_ethnicity_and_carries_its_aggregate(pilot, monkeypatch):
    monkeypatch.chdir(pilot)
    cfg = load_cohort("pilot")
    assert list(cfg.characteristics) == ["ethnicity"] and not cfg.characteristics_declared
    participants = load_table(cfg, "participants")
    pairs = participants[["ethnicity_group", "ethnicity_aggregate"]].drop_duplicates()
    assert len(pairs) >= 3
    for group, aggregate in pairs.itertuples(index=False):
        assert aggregate == (group if group in ("White", "Unknown") else "BAME")


def test_stricter_rules_for_special_category_and_intersections_follow_the_cohort_file(pilot, tmp_path, monkeypatch):
    options = DISABILITY_AND_SEX + ("  disclosure:\n    special_category: {min_percentage_denominator: 40}\n"
                                    "    intersection: {min_cell_size: 20, round_to: 10}\n")
    root = tmp_path / "p"
    shutil.copytree(pilot / "cohorts", root / "cohorts")
    yml = root / "cohorts" / "pilot.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("options:\n", "options:\n" + options, 1), encoding="utf-8")
    text = yml.read_text(encoding="utf-8")
    if "  disclosure:\n    style" in text:  # the pilot's own disclosure block: merge, a mapping key once
        text = text.replace("  disclosure:\n    special_category: {min_percentage_denominator: 40}\n"
                            "    intersection: {min_cell_size: 20, round_to: 10}\n", "", 1)
        text = text.replace("  disclosure:\n", "  disclosure:\n    special_category: {min_percentage_denominator: 40}\n"
                            "    intersection: {min_cell_size: 20, round_to: 10}\n", 1)
        yml.write_text(text, encoding="utf-8")
    cfg = load_cohort(yml, check_files=False)
    disability, sex = cfg.characteristics["disability"], cfg.characteristics["sex"]
    base = cfg.disclosure
    assert base.for_characteristic(sex) is base
    strict = base.for_characteristic(disability)
    assert (strict.min_percentage_denominator, strict.min_cell_size, strict.round_to) == (40, 7, 5)
    both = base.for_characteristic(cfg.intersections[0])
    assert (both.min_percentage_denominator, both.min_cell_size, both.round_to) == (45, 20, 10)


@pytest.mark.parametrize("options, message", [
    ("  characteristics:\n    sex: {column: sex, code_list: sex}\n  intersections: [[sex, disability]]\n",
     r"options.intersections names 'disability', which is not under options.characteristics \(sex\)"),
    ("  intersections: [[ethnicity, sex]]\n", r"options.intersections needs options.characteristics"),
    ("  characteristics:\n    sex: {column: sex, code_list: sex}\n  focus: disability\n",
     r"options.focus is 'disability', not a characteristic the cohort names \(sex\)"),
    ("  characteristics:\n    religion: {column: religion, code_list: religion, grouping: broad, aggregate: Christian}\n",
     r"aggregate' 'Christian' is one of several groups"),
    ("  characteristics:\n    sex: {column: sex, code_list: sex, tables: [pairs]}\n", r"tables' must list some of"),
])
def test_bad_characteristic_settings_are_refused(pilot, tmp_path, options, message):
    root = tmp_path / "p"
    shutil.copytree(pilot / "cohorts", root / "cohorts")
    yml = root / "cohorts" / "pilot.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("options:\n", "options:\n" + options, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_cohort(yml, check_files=False)


def test_a_misspelt_stricter_threshold_is_refused():
    with pytest.raises(ConfigError, match=r"options.disclosure.special_category must be a mapping of thresholds"):
        DisclosureRules.from_mapping({"special_category": {"min_cell_sise": 9}}, "c.yml")


def test_rules_for_a_table_by_role_are_the_base_rules():
    rules = DisclosureRules()
    assert rules.for_characteristic(None) is rules
