from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rmresearch.config import load_cohort
from rmresearch.errors import ConfigError

PROJECT = Path(__file__).resolve().parents[1]


def make_cohort(tmp_path, text: str) -> Path:
    (tmp_path / "cohorts").mkdir(exist_ok=True)
    path = tmp_path / "cohorts" / "c1.yml"
    path.write_text(text)
    return path


BASE = """cohort: c1
programme_type: reverse
start_date: 2024-01-01
end_date: 2024-06-30
planned_meetings: 5
inputs:
  participants: data/p.csv
"""


def test_loads_and_resolves_paths_against_root(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "p.csv").write_text("x\n")
    make_cohort(tmp_path, BASE)
    cfg = load_cohort("c1", cohorts_dir=tmp_path / "cohorts")
    assert cfg.inputs["participants"] == tmp_path / "data" / "p.csv"
    assert cfg.outputs["keys"] == tmp_path / "keys" / "c1"
    assert cfg.planned_meetings == 5 and cfg.programme_type == "reverse"
    assert cfg.disclosure.round_to == 5 and cfg.disclosure.min_percentage_denominator == 22.5


def test_missing_input_file_is_named(tmp_path):
    make_cohort(tmp_path, BASE)
    with pytest.raises(ConfigError, match=r"inputs.participants: .*data/p.csv"):
        load_cohort(tmp_path / "cohorts" / "c1.yml")


@pytest.mark.parametrize(
    "change, message",
    [
        (("programme_type: reverse", "programme_type: sideways"), "programme_type must be one of"),
        (("end_date: 2024-06-30", "end_date: 2023-06-30"), "before start_date"),
        (("planned_meetings: 5", "planned_meetings: five"), "planned_meetings"),
        (("cohort: c1\n", "cohort: c1\nflavour: mint\n"), "unknown setting"),
        (("inputs:", "inputs: [\n"), "not valid YAML at line"),
    ],
)
def test_bad_settings_are_explained(tmp_path, change, message):
    make_cohort(tmp_path, BASE.replace(*change))
    with pytest.raises(ConfigError, match=message):
        load_cohort(tmp_path / "cohorts" / "c1.yml", check_files=False)


def test_unknown_cohort_lists_known_ones(tmp_path):
    make_cohort(tmp_path, BASE)
    with pytest.raises(ConfigError, match="Known cohorts in .*: c1"):
        load_cohort("c2", cohorts_dir=tmp_path / "cohorts")


def test_unknown_disclosure_option(tmp_path):
    make_cohort(tmp_path, BASE + "options:\n  disclosure:\n    round_too: 3\n")
    with pytest.raises(ConfigError, match="unknown disclosure option"):
        load_cohort(tmp_path / "cohorts" / "c1.yml", check_files=False)


def test_misspelt_option_is_an_error_with_a_suggestion(tmp_path):
    # A typo used to be ignored silently: the reference group stayed White whatever the user wrote.
    make_cohort(tmp_path, BASE + "options:\n  reference_grup: Black\n")
    with pytest.raises(ConfigError, match=r"unknown option\(s\) under 'options:': 'reference_grup' \(did you mean 'reference_group'\?\)"):
        load_cohort(tmp_path / "cohorts" / "c1.yml", check_files=False)
    make_cohort(tmp_path, BASE + "options:\n  reference_group: Black\n  withdrawn: []\n")
    assert load_cohort(tmp_path / "cohorts" / "c1.yml", check_files=False).reference_group == "Black"


def test_bundled_demo_config_is_valid_without_data():
    cfg = load_cohort(PROJECT / "cohorts" / "demo.yml", check_files=False)
    assert cfg.cohort == "demo" and cfg.root == PROJECT
    assert cfg.grade_scale[-3:] == ("Professor", "Director", "Executive")
