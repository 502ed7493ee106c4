"""Built-in characteristic code lists and options.characteristics in the cohort file (issue 14, item 1)."""

from __future__ import annotations

import pandas as pd
import pytest

from rmresearch import characteristics
from rmresearch.characteristics import BUILT_IN, UNKNOWN_GROUP, load, read_options
from rmresearch.codes import load_ethnicity_map
from rmresearch.config import load_cohort
from rmresearch.errors import ConfigError, InputError

BASE = """cohort: c1
programme_type: reverse
start_date: 2024-01-01
end_date: 2024-06-30
planned_meetings: 5
inputs:
  participants: data/p.csv
"""


def _cohort(tmp_path, options: str):
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "p.csv").write_text("x\n")
    (tmp_path / "cohorts").mkdir(exist_ok=True)
    path = tmp_path / "cohorts" / "c1.yml"
    path.write_text(BASE + "options:\n" + options)
    return path


# ----------------------------------------------------------------- the built-in lists


@pytest.mark.parametrize("name, code, label", [
    ("ethnicity", "22", "Black or Black British - African"),
    ("ethnicity", "34", "Chinese"),
    ("sex", "2", "Female"),
    ("gender_identity", "02", "No - different from sex registered at birth"),
    ("disability", "51", "Learning difference such as dyslexia, dyspraxia or AD(H)D"),
    ("disability", "00", "No known disability"),
    ("sexual_orientation", "03", "Gay woman/lesbian"),
    ("religion", "12", "Muslim"),
    ("religion", "05", "Christian - Roman Catholic"),
    ("working_pattern", "PT", "Part-time"),
])
def test_known_hesa_codes_and_labels(name, code, label):
    assert load(name).codes[code] == label


def test_special_category_follows_uk_gdpr_article_9():
    special = {name: load(name).special_category for name in BUILT_IN}
    assert special == {"ethnicity": True, "sex": False, "gender_identity": True, "disability": True,
                       "sexual_orientation": True, "religion": True, "caring": False, "working_pattern": False}


def test_ethnicity_reuses_the_hesa_table_not_a_copy():
    table = load_ethnicity_map().table
    cl = load("ethnicity")
    assert cl.codes == dict(zip(table["code"], table["label"]))
    assert cl.groups["ofs_group"] == dict(zip(table["code"], table["ofs_group"]))
    assert cl.unknown == {"90", "98", "99"} and cl.reference == "White"
    assert cl.group_names() == ["White", "Black", "Asian", "Mixed", "Other", UNKNOWN_GROUP]


def test_census_labels_normalise_to_hesa_codes_and_broad_groups():
    cl = load("ethnicity")
    values = pd.Series(["White - Welsh", "White: Welsh", "white:  WELSH",
                        "White: English, Welsh, Scottish, Northern Irish or British",
                        "Asian, Asian British or Asian Welsh: Pakistani",
                        "Black, Black British, Black Welsh, Caribbean or African: Caribbean",
                        "Mixed or Multiple ethnic groups: White and Asian", "Other ethnic group: Arab",
                        "Black or Black British: African", "21", "10.0", "Prefer not to say"])
    codes = cl.normalise(values)
    assert codes.tolist() == ["11", "11", "11", "11", "32", "21", "43", "50", "22", "21", "10", "98"]
    assert cl.group(codes).tolist() == ["White"] * 4 + ["Asian", "Black", "Mixed", "Other", "Black", "Black",
                                                        "White", UNKNOWN_GROUP]
    assert cl.group(codes, "aggregate").tolist()[3:6] == ["White", "BAME", "BAME"]


def test_unknown_codes_are_counted_as_their_own_group_never_dropped():
    cl = load("disability")
    codes = cl.normalise(pd.Series(["95", "Information refused", "prefer not to say", "not available", "56"]))
    assert codes.tolist() == ["95", "97", "98", "99", "56"]
    grouped = cl.group(codes)
    assert grouped.tolist() == ["No known disability", UNKNOWN_GROUP, UNKNOWN_GROUP, UNKNOWN_GROUP, "Disabled"]
    assert grouped.value_counts().to_dict() == {UNKNOWN_GROUP: 3, "No known disability": 1, "Disabled": 1}
    for name in BUILT_IN:  # every code, known or not, has a group in every grouping
        cl = load(name)
        for grouping, mapping in cl.groups.items():
            assert set(mapping) == set(cl.codes), (name, grouping)
            assert {mapping[c] for c in cl.unknown} <= {UNKNOWN_GROUP}, (name, grouping)


def test_leading_zeros_dropped_by_a_spreadsheet_still_match():
    assert load("religion").normalise(pd.Series(["1", 12, "4.0"])).tolist() == ["01", "12", "04"]
    assert load("sexual_orientation").normalise(pd.Series(["Queer", "Heterosexual/straight"])).tolist() == ["05", "04"]


def test_blank_cells_stay_missing():
    out = load("sex").normalise(pd.Series(["F", "", None, "male"]))
    assert out.tolist()[0] == "2" and out.tolist()[3] == "1"
    assert out.iloc[1:3].isna().all()


def test_unknown_value_is_refused_with_rows_and_allowed_labels():
    with pytest.raises(InputError) as info:
        load("religion").normalise(pd.Series(["Hindu", "Jedi", "Muslin"]), where="staff.csv, column religion_code")
    message = str(info.value)
    assert message.startswith("staff.csv, column religion_code: 2 value(s) not in the religion or belief code list")
    assert "'Jedi', 'Muslin'" in message and "row(s) 3, 4" in message
    assert "01 No religion" in message


def test_unknown_grouping_and_list_are_named():
    with pytest.raises(ConfigError, match="offers broad, any"):
        load("religion").group(pd.Series(["01"]), "denomination")
    with pytest.raises(ConfigError, match=r"did you mean 'disability'\?.*built-in lists: ethnicity, sex"):
        load("disabilty")


# ----------------------------------------------------------------- options.characteristics


def test_cohort_file_with_characteristics_loads(tmp_path):
    _cohort(tmp_path, """  characteristics:
    disability: {column: disability_code, code_list: disability, labels: {Disabled: Disabled staff}}
    sex: {column: sex, code_list: sex, reference: Female}
    working_pattern: {column: pattern, code_list: working_pattern, grouping: full_time}
    stage:
      column: career_stage
      groups: {Early: Early career, Mid: Established, Late: Established}
      reference: Established
      special_category: false
""")
    cfg = load_cohort("c1", cohorts_dir=tmp_path / "cohorts")
    chars = cfg.characteristics
    assert list(chars) == ["disability", "sex", "working_pattern", "stage"]
    dis = chars["disability"]
    assert dis.column == "disability_code" and dis.reference == "No known disability" and dis.special_category
    assert dis.label("Disabled") == "Disabled staff" and dis.label("No known disability") == "No known disability"
    assert chars["sex"].reference == "Female" and not chars["sex"].special_category
    assert chars["working_pattern"].group_names() == ["Full-time", "Part-time or flexible", UNKNOWN_GROUP]
    assert chars["working_pattern"].reference == "Full-time"
    assert chars["stage"].code_list is None and chars["stage"].group_names() == ["Early career", "Established"]
    assert "characteristics" not in cfg.options


def test_cohort_file_without_characteristics_studies_ethnicity_from_the_legacy_options(tmp_path):
    _cohort(tmp_path, "  reference_group: White\n  aggregate_group: Global majority\n  ethnicity_grouping: aggregate\n")
    cfg = load_cohort("c1", cohorts_dir=tmp_path / "cohorts")
    assert list(cfg.characteristics) == ["ethnicity"] and not cfg.characteristics_declared
    eth = cfg.focus
    assert (eth.column, eth.grouping, eth.reference, eth.aggregate) == ("ethnicity_code", "aggregate", "White",
                                                                        "Global majority")
    assert (eth.group_column, eth.aggregate_column, eth.special_category) == ("ethnicity_group", "ethnicity_aggregate",
                                                                             True)
    assert cfg.intersections == ()


@pytest.mark.parametrize("block, message", [
    ("    disability: {column: d, code_list: disabilty}",
     r"disability.code_list': No built-in code list 'disabilty' \(did you mean 'disability'\?\)"),
    ("    disability: {column: d, code_list: disability, colour: red}",
     r"unknown setting\(s\) 'colour'; allowed: column, code_list, groups, grouping, reference, aggregate, "
     r"labels, special_category, tables, title"),
    ("    disability: {code_list: disability}", r"disability.column' must name the table column"),
    ("    disability: {column: d}", r"needs exactly one of code_list .*ethnicity, sex, gender_identity"),
    ("    sex: {column: s, code_list: sex, reference: Men}",
     r"sex.reference' must be one of its groups \(Male, Female, Other\), not 'Men'"),
    ("    sex: {column: s, code_list: sex, reference: Unknown}", r"groups \(Male, Female, Other\), not 'Unknown'"),
    ("    sex: {column: s, code_list: sex, grouping: binary}", r"'binary' is not a grouping .* offers sex"),
    ("    sex: {column: s, code_list: sex, labels: {Women: Women staff}}", r"labels' names 'Women', not a group"),
    ("    stage: {column: s, groups: {Early: Early}, reference: Early}", r"special_category' must be true or false"),
    ("    sex: {column: s, code_list: sex, special_category: maybe}", r"must be true or false, not 'maybe'"),
    ("    sex: {column: x, code_list: sex}\n    caring: {column: x, code_list: caring}",
     r"column\(s\) 'x' named by more than one"),
])
def test_bad_characteristics_are_refused_with_the_message(tmp_path, block, message):
    _cohort(tmp_path, "  characteristics:\n" + block + "\n")
    with pytest.raises(ConfigError, match=message) as info:
        load_cohort("c1", cohorts_dir=tmp_path / "cohorts")
    assert "c1.yml" in str(info.value)


def test_read_options_refuses_a_list():
    with pytest.raises(ConfigError, match="must be a mapping of characteristic names"):
        read_options(["disability"], "c.yml")
    assert read_options(None, "c.yml") == {}


def test_module_is_small():
    import inspect

    assert len(inspect.getsource(characteristics).splitlines()) <= 650


def test_data_futures_and_census_spellings_map_to_the_legacy_codes():
    assert load("ethnicity").normalise(pd.Series(["103", "899", "998", "999"])).tolist() == ["31", "80", "98", "99"]
    so = load("sexual_orientation")
    assert so.normalise(pd.Series(["Straight or Heterosexual", "Pansexual"])).tolist() == ["04", "05"]


def test_a_spelling_that_means_two_codes_is_refused(monkeypatch):
    real = characteristics._read_data

    def fake(name):
        data = real(name)
        data["aliases"] = {**data["aliases"], "Not known": "98"}  # 99 is already labelled "Not known"
        return data

    monkeypatch.setattr(characteristics, "_read_data", fake)
    with pytest.raises(ConfigError, match="'not known' stand for more than one code"):
        load("sex")


def test_many_bad_values_name_five_rows_and_count_the_rest():
    with pytest.raises(InputError, match=r"8 value\(s\) .* in row\(s\) 2, 3, 4, 5, 6 and 3 more\. Allowed"):
        load("disability").normalise(pd.Series(["True"] * 8))


def test_characteristic_groups_values_through_its_list_or_its_table():
    chars = read_options({
        "disability": {"column": "disability_code", "code_list": "disability"},
        "stage": {"column": "stage", "groups": {"Early": "Early career", "Mid": "Established",
                                                "Not known": UNKNOWN_GROUP},
                  "reference": "Established", "special_category": False},
    }, "c.yml")
    assert chars["disability"].group(pd.Series(["56", "No known disability", "97"])).tolist() == [
        "Disabled", "No known disability", UNKNOWN_GROUP]
    assert chars["stage"].group(pd.Series([" early", "MID", "not  known", None])).tolist() == [
        "Early career", "Established", UNKNOWN_GROUP, None]
    assert chars["stage"].group_names() == ["Early career", "Established", UNKNOWN_GROUP]
    with pytest.raises(InputError, match=r"staff.csv, column stage: 1 value\(s\) not in the groups table of "
                                         r"options.characteristics.stage: 'Late'\. The table holds Early, Mid"):
        chars["stage"].group(pd.Series(["Late", "Early"]), where="staff.csv, column stage")
