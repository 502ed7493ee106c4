"""Themes by any characteristic (issue 14): theme counts by disability group on a hand-counted coding set, each
characteristic's own disclosure threshold, the framework matrix's attributes withheld special-category first, role
words of a reverse scheme, and a cohort with only disability and sex loading its coding data."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pandas as pd
import pytest

from rmresearch import coding
from rmresearch.characteristics import intersect, read_options
from rmresearch.coding.cohort import CodingData
from rmresearch.config import DisclosureRules
from rmresearch.errors import AnalysisError

CHARS = read_options({"disability": {"column": "disability_code", "code_list": "disability"},
                      "sex": {"column": "sex", "code_list": "sex", "labels": {"Female or other": "women"}}}, "test.yml")
DISABILITY, SEX = CHARS["disability"], CHARS["sex"]
CODEBOOK = coding.codebook_from_mapping({"name": "Tiny", "codes": [
    {"name": "trust", "title": "Trust"}, {"name": "burden", "title": "Burden"}]})

# Fourteen interviewed participants: seven with no known disability (P01-P07), six disabled (P08-P13), one who
# preferred not to say (P14). Each speaks two turns of one transcript; the interviewer speaks one.
DISABILITY_OF = {**{f"P{i:02d}": "No known disability" for i in range(1, 8)},
                 **{f"P{i:02d}": "Disabled" for i in range(8, 14)}, "P14": "Unknown"}
SEX_OF = {f"P{i:02d}": ("Female" if i % 2 else "Male") for i in range(1, 15)}
ROLE_OF = {f"P{i:02d}": ("senior_leader" if i <= 7 else "staff_partner") for i in range(1, 15)}


def _turn(pid: str, k: int) -> str:
    """Turn number of participant ``pid``'s ``k``-th turn (1 or 2): P01 speaks t001 and t002, P02 t003 and t004..."""
    return f"t{2 * (int(pid[1:]) - 1) + k:03d}"


def _segments() -> pd.DataFrame:
    rows = [{"segment_id": f"i1#{_turn(pid, k)}", "participant_id": pid, "speaker": pid,
             "text": f"{pid} says something in turn {k}.", "speaker_role": "interviewee"}
            for pid in DISABILITY_OF for k in (1, 2)]
    rows.append({"segment_id": "i1#t029", "participant_id": None, "speaker": "Interviewer",
                 "text": "And was it a burden?", "speaker_role": "interviewer"})
    seg = pd.DataFrame(rows)
    seg["document"] = "i1"
    seg["start"] = [100 * i for i in range(len(seg))]
    seg["end"] = seg["start"] + 50
    return seg


def _codings(segments: pd.DataFrame) -> pd.DataFrame:
    """Hand-made codings. Trust: P01 (both turns), P02, P03 (both coders), P08, P09, P14. Burden: P04, P08-P11 and
    the interviewer's question (not a participant: never counted)."""
    where = segments.set_index("segment_id")[["start", "end"]]
    applied = [("P01", 1, "trust", "A"), ("P01", 2, "trust", "A"), ("P02", 1, "trust", "B"), ("P03", 1, "trust", "A"),
               ("P03", 1, "trust", "B"), ("P08", 2, "trust", "A"), ("P09", 1, "trust", "B"), ("P14", 1, "trust", "A"),
               ("P04", 2, "burden", "A"), ("P08", 1, "burden", "A"), ("P09", 1, "burden", "A"),
               ("P10", 1, "burden", "B"), ("P11", 2, "burden", "A")]
    rows = [{"segment_id": f"i1#{_turn(p, k)}", "code": code, "coder": coder} for p, k, code, coder in applied]
    rows.append({"segment_id": "i1#t029", "code": "burden", "coder": "A"})
    out = pd.DataFrame(rows)
    out["document"] = "i1"
    out["start"] = out["segment_id"].map(where["start"])
    out["end"] = out["segment_id"].map(where["end"])
    return out


def _data(**columns) -> CodingData:
    people = pd.DataFrame({"participant_id": list(DISABILITY_OF), "role": [ROLE_OF[p] for p in DISABILITY_OF],
                           "disability_group": list(DISABILITY_OF.values()),
                           "disability_aggregate": list(DISABILITY_OF.values()),
                           "sex_group": [SEX_OF[p] for p in DISABILITY_OF],
                           "sex_aggregate": [SEX_OF[p].replace("Female", "Female or other") for p in DISABILITY_OF]})
    people["disability_by_sex"] = people["disability_aggregate"].where(
        people["disability_aggregate"] == "Unknown", people["disability_aggregate"] + ", " + people["sex_aggregate"])
    for name, values in columns.items():
        people[name] = values
    segments = _segments()
    return CodingData(texts={"i1": ""}, segments=segments, codebook=CODEBOOK, participants=people,
                      codings=_codings(segments), codings_path=None)


def _config(programme_type: str = "reciprocal", audience: str = "public", intersections=()):
    return SimpleNamespace(characteristics={"sex": SEX, "disability": DISABILITY}, intersections=intersections,
                           disclosure=DisclosureRules(audience=audience), programme_type=programme_type)


def test_themes_by_disability_group_are_the_hand_counts():
    table = coding.themes_by(_data(), DISABILITY)
    assert list(table.columns) == ["theme", "No known disability", "Disabled", "Unknown"]  # reference first
    assert table.set_index("theme").to_dict("index") == {
        "Trust": {"No known disability": 3, "Disabled": 2, "Unknown": 1},  # P01-P03; P08, P09; P14
        "Burden": {"No known disability": 1, "Disabled": 4, "Unknown": 0},  # P04; P08-P11 (not the interviewer)
        "Participants interviewed": {"No known disability": 7, "Disabled": 6, "Unknown": 1},
    }


def test_themes_by_sex_use_the_cohort_files_labels():
    table = coding.themes_by(_data(), SEX)
    assert list(table.columns) == ["theme", "Male", "women"]  # the sex list's reference (Male) first
    # women: P01, P03, P09 (trust), P09, P11 (burden); men: P02, P08, P14 (trust), P04, P08, P10 (burden)
    assert table.set_index("theme")["women"].tolist() == [3, 2, 7]
    assert table.set_index("theme")["Male"].tolist() == [3, 3, 7]


def test_special_category_groups_are_withheld_at_their_own_threshold():
    data, public = _data(), DisclosureRules()
    strict = public.for_characteristic(DISABILITY)
    assert (public.min_cell_size, strict.min_cell_size) == (5, 7)
    shown = coding.disclose_themes_by(data, DISABILITY, rules=strict)
    # 7 interviewed with no known disability: shown; 6 disabled (enough under the general 5) and 1 unknown: withheld
    assert shown["No known disability"].tolist() == [3, 1, 7]
    assert shown["Disabled"].tolist() == [".."] * 3 and shown["Unknown"].tolist() == [".."] * 3
    assert shown.attrs["disclosure"]["small_groups"] == ["Disabled", "Unknown"]
    general = coding.disclose_themes_by(data, DISABILITY, rules=public)  # the same table under the general rule
    assert general["Disabled"].tolist() == [2, 4, 6] and general["Unknown"].tolist() == [".."] * 3
    internal = coding.disclose_themes_by(data, DISABILITY, rules=DisclosureRules(audience="internal")
                                         .for_characteristic(DISABILITY))
    assert internal["Disabled"].tolist() == [2, 4, 6] and internal["Unknown"].tolist() == [1, 0, 1]


def test_an_intersection_none_of_whose_groups_is_large_enough_is_a_note_not_a_table():
    both = intersect(DISABILITY, SEX)
    rules = DisclosureRules().for_characteristic(both)
    assert rules.min_cell_size == 10
    with pytest.raises(AnalysisError, match="Every disability and sex group had too few participants interviewed to "
                                            r"be shown in a public report \(the higher threshold of an intersection\)"):
        coding.disclose_themes_by(_data(), both, rules=rules)
    internal_rules = DisclosureRules(audience="internal").for_characteristic(both)
    internal = coding.disclose_themes_by(_data(), both, rules=internal_rules)
    # disabled women: P09, P11, P13; trust P09, burden P09 and P11
    assert internal.set_index("theme")["Disabled, women"].tolist() == [1, 2, 3]


def test_framework_matrix_withholds_special_category_attributes_first():
    data = _data()
    config = _config()
    # the cohort file names sex first; disability (special category) is still listed, and withheld, first
    assert [ch.name for ch in coding.listing_order(coding.participant_characteristics(config))] == ["disability", "sex"]
    shown = coding.disclose_framework_matrix(data, config)
    assert list(shown.columns[:4]) == ["participant_id", "role", "disability group", "sex group"]
    # disability x sex x role combinations hold 1 to 4 people: under 7 (disability's threshold), so disability goes;
    # sex x role then holds 3 or 4: still under 7 (the strictest shown), so sex goes, then role (7 each: kept)
    assert shown.attrs["disclosure"]["characteristics_hidden"] == ["disability group", "sex group"]
    assert set(shown["disability group"]) == {".."} and set(shown["sex group"]) == {".."}
    assert shown["role"].value_counts().to_dict() == {"Senior leader": 7, "Staff partner": 7}
    from rmresearch.disclosure import explain

    assert explain(shown) == ("Public report: disability group and sex group withheld (\u201c..\u201d), because shown "
                              "with them some combination would describe fewer than 7 people; an internal report "
                              "shows them.")
    internal = coding.disclose_framework_matrix(data, _config(audience="internal"))
    p09 = internal.set_index("participant_id").loc["P09", ["disability group", "sex group"]]
    assert p09.tolist() == ["Disabled", "women"]
    assert internal.attrs["disclosure"]["characteristics_hidden"] == []


def test_framework_matrix_threshold_is_the_strictest_shown():
    config = _config()
    assert coding.listing_rules(config, [SEX]).min_cell_size == 5
    assert coding.listing_rules(config, [SEX, DISABILITY]).min_cell_size == 7
    named = _config(intersections=(intersect(DISABILITY, SEX),))
    assert coding.listing_rules(named, coding.participant_characteristics(named)).min_cell_size == 10
    # sex alone, at 5: each sex x role combination holds 3 or 4 people, so sex is withheld and role (7 each) kept
    only_sex = SimpleNamespace(characteristics={"sex": SEX}, intersections=(), disclosure=DisclosureRules(),
                               programme_type="reciprocal")
    shown = coding.disclose_framework_matrix(_data(), only_sex)
    assert shown.attrs["disclosure"]["characteristics_hidden"] == ["sex group"]
    assert "disability group" not in shown.columns


def test_reverse_scheme_roles_in_theme_tables_and_the_matrix():
    data = _data(role=["senior_leader"] * 7 + ["staff_partner"] * 3 + ["student_partner"] * 4)
    people = coding.with_role_words(data.participants, _config("reverse"))
    table = coding.theme_table(coding.code_frequencies(data.codings, data.segments, people, by="role",
                                                       codebook=CODEBOOK), by="role")
    # staff and student partners are both reverse mentors: counted together (P08-P14)
    assert list(table.columns) == ["theme", "reverse mentee", "reverse mentor"]
    assert table["reverse mentor"].tolist() == [3, 4, 7]
    matrix = coding.disclose_framework_matrix(data, _config("reverse", audience="internal"))
    assert set(matrix["role"]) == {"Reverse mentee", "Reverse mentor"}


def test_a_characteristic_the_participants_do_not_carry_is_an_analysis_error():
    data = _data()
    people = data.participants.drop(columns=["sex_group", "sex_aggregate"])
    with pytest.raises(AnalysisError, match="no sex column"):
        coding.themes_by(CodingData(**{**data.__dict__, "participants": people}), SEX)


@pytest.mark.slow
def test_a_cohort_with_only_disability_and_sex_loads_its_coding_data(tmp_path):
    """The pilot without ethnicity anywhere: its participants carry disability_code and sex only."""
    from rmresearch.anonymise import anonymise_cohort
    from rmresearch.config import load_cohort
    from rmresearch.synthetic import generate_pilot

    root = tmp_path / "project"
    generate_pilot(root, seed=2024, n_students=300, n_staff=300)
    path = root / "cohorts" / "pilot.yml"
    people = pd.read_csv(root / "data/pilot/participants.csv", dtype=str, keep_default_na=False)
    codes = ["51", "95", "95", "98"] * 6  # 51 disabled, 95 no known disability, 98 information refused
    people = people.drop(columns=["ethnicity_code"]).assign(disability_code=codes)
    people.to_csv(root / "data/pilot/participants.csv", index=False)
    text = path.read_text(encoding="utf-8")
    for legacy in ("  reference_group: White\n", "  ethnicity_grouping: ofs_group\n", "  aggregate_group: BAME\n"):
        text = text.replace(legacy, "")
    text = text.replace("options:\n", "options:\n  characteristics:\n"
                        "    disability: {column: disability_code, code_list: disability, tables: [participants]}\n"
                        "    sex: {column: sex, code_list: sex, tables: [participants]}\n", 1)
    path.write_text(text, encoding="utf-8")
    for table in ("staff", "students", "recruitment"):  # a cohort of participants only
        shutil.os.remove(root / f"data/pilot/{table}.csv")
        text = path.read_text(encoding="utf-8").replace(f"  {table}: data/pilot/{table}.csv\n", "")
        path.write_text(text, encoding="utf-8")
    config = load_cohort(path)
    anonymise_cohort(config, progress=False)
    data = coding.load_coding_data(config, unit="turn")
    assert [ch.name for ch in data.characteristics] == ["disability", "sex"]
    assert "ethnicity_group" not in data.participants.columns
    assert {"disability_aggregate", "sex_aggregate"} <= set(data.participants.columns)
    groups = ["Disabled", "No known disability", "No known disability", "Unknown"] * 6
    expected = dict(zip(people["participant_id"], groups))
    got = data.participants.set_index("participant_id")["disability_aggregate"].to_dict()
    assert got == {p: expected[p] for p in got}
    table = coding.themes_by(data, data.characteristics[0])
    interviewed = table.set_index("theme").loc["Participants interviewed"]
    assert interviewed.sum() == data.segments["participant_id"].nunique()


def test_groups_that_are_the_roles_give_a_note_not_the_role_table_again():
    # every senior leader (P01-P07) with no known disability, every partner (P08-P14) disabled: the table by
    # disability would be the table by role under other headings
    data = _data(disability_aggregate=["No known disability"] * 7 + ["Disabled"] * 7)
    assert coding.coincides_with_role(data, "disability_aggregate")
    internal = DisclosureRules(audience="internal").for_characteristic(DISABILITY)
    with pytest.raises(AnalysisError, match="the disability groups are the roles"):
        coding.disclose_themes_by(data, DISABILITY, rules=internal)
    # P14 (a partner) not known: the groups are no longer the roles, and the table is shown
    assert not coding.coincides_with_role(_data(), "disability_aggregate")
    assert coding.disclose_themes_by(_data(), DISABILITY, rules=internal)["Unknown"].tolist() == [1, 0, 1]
