"""Programme analyses for every scheme (issue 14): session types, reverse-mentoring words, survey change by
characteristic group, reciprocity in the scheme's words. Known answers are hand-counted from the small frames."""

from __future__ import annotations

import pandas as pd
import pytest

from rmresearch import programme
from rmresearch.errors import AnalysisError


@pytest.fixture()
def roster() -> pd.DataFrame:
    return pd.DataFrame({"participant_id": ["S1", "S2", "P1", "P2", "Q1"],
                         "role": ["senior_leader", "senior_leader", "staff_partner", "staff_partner", "student_partner"]})


@pytest.fixture()
def register() -> pd.DataFrame:
    """Training for everyone (4 of 5 attend), preparation for the two seniors (1 attends), two peer-support
    circles for the three partners (P1 at both, P2 at none, Q1 at the second), one reflection (all but S2)."""
    rows = [("S1", "Training", "training", True), ("S2", "Training", "training", True),
            ("P1", "Training", "training", True), ("P2", "Training", "training", False),
            ("Q1", "Training", "training", True),
            ("S1", "Preparation", "preparation", False), ("S2", "Preparation", "preparation", True),
            ("P1", "Circle 1", "peer_support", True), ("P2", "Circle 1", "peer_support", False),
            ("Q1", "Circle 1", "peer_support", False),
            ("P1", "Circle 2", "peer_support", True), ("P2", "Circle 2", "peer_support", False),
            ("Q1", "Circle 2", "peer_support", True),
            ("S1", "Reflection", "reflection", True), ("S2", "Reflection", "reflection", False),
            ("P1", "Reflection", "reflection", True), ("P2", "Reflection", "reflection", True),
            ("Q1", "Reflection", "reflection", True)]
    return pd.DataFrame(rows, columns=["participant_id", "session", "session_type", "attended"])


def test_attendance_per_session_type_is_hand_counted(register, roster):
    t = programme.attendance_by_type(register, roster).set_index(["session_type", "role"])
    assert list(dict.fromkeys(t.index.get_level_values(0))) == ["Training", "Preparation", "Peer support", "Reflection"]
    every = "All participants"
    counted = ["sessions", "invited", "attended", "people", "people_attended"]
    assert t.loc[("Training", every), counted].tolist() == [1, 5, 4, 5, 4]
    assert t.loc[("Training", every), "share"] == pytest.approx(0.8)
    assert t.loc[("Training", "staff_partner"), ["invited", "attended"]].tolist() == [2, 1]
    # preparation is for the senior colleagues only: no partner row
    assert [r for _, r in t.loc["Preparation"].index.to_series().items()] == ["senior_leader", every]
    assert t.loc[("Preparation", every), ["invited", "attended"]].tolist() == [2, 1]
    # peer support: 6 places, 3 taken, by 2 of the 3 people invited
    assert t.loc[("Peer support", every), counted].tolist() == [2, 6, 3, 3, 2]
    assert t.loc[("Peer support", "staff_partner"), ["invited", "attended", "people_attended"]].tolist() == [4, 2, 1]
    assert t.loc[("Peer support", "student_partner"), ["invited", "attended"]].tolist() == [2, 1]
    assert t.loc[("Reflection", "senior_leader"), "share"] == pytest.approx(0.5)
    assert t.loc[("Reflection", every), ["invited", "attended"]].tolist() == [5, 4]


def test_a_register_without_session_types_is_one_type_and_says_so(register, roster):
    untyped = register.drop(columns="session_type")
    t = programme.attendance_by_type(untyped, roster)
    assert set(t["session_type"]) == {"Sessions"}
    every = t.loc[t["role"] == "All participants"].iloc[0]
    assert [every["sessions"], every["invited"], every["attended"]] == [5, 18, 12]
    sentence = programme.session_type_sentence(untyped)
    assert "no session_type column" in sentence and "5 sessions" in sentence and "not guessed" in sentence
    assert programme.session_type_sentence(register).startswith("The register records 5 sessions of 4 types: training "
                                                                "(1 session), preparation (1 session), peer support (2 sessions)")


def test_a_blank_session_type_is_counted_as_not_recorded_and_a_session_has_one_type(register, roster):
    blank = register.assign(session_type=register["session_type"].where(register["session"] != "Reflection"))
    t = programme.attendance_by_type(blank, roster)
    assert list(dict.fromkeys(t["session_type"]))[-1] == "Type not recorded"
    assert "1 session has no type recorded" in programme.session_type_sentence(blank)
    mixed = register.copy()
    mixed.loc[0, "session_type"] = "reflection"
    with pytest.raises(AnalysisError, match="'Training' has rows of more than one session_type"):
        programme.attendance_by_type(mixed, roster)


def test_attendance_by_type_is_recorded_exactly_with_a_headline(register, roster):
    from rmresearch import results

    results.start()
    keys = programme.record_attendance_by_type(programme.attendance_by_type(register, roster))
    assert keys == ["session_attendance_type_training", "session_attendance_type_preparation",
                    "session_attendance_type_peer_support", "session_attendance_type_reflection", "session_attendance_all"]
    stored = {r["key"]: r for r in results.current().results}
    every = stored["session_attendance_all"]
    assert every["headline"] and every["value"] == pytest.approx(12 / 18, abs=5e-4) and every["n"] == 18  # exact: activity
    assert results.sentence(every) == ("66.7% of the 18 places offered at the programme's sessions (training, "
                                       "preparation, peer support, reflection) were taken.")
    assert stored["session_attendance_type_peer_support"]["value"] == pytest.approx(0.5)
    untyped = programme.attendance_by_type(register.drop(columns="session_type"), roster)
    assert programme.record_attendance_by_type(untyped) == ["session_attendance_all"]  # one type: no repeat


def test_reverse_scheme_role_labels_keep_two_partner_roles_apart(register, roster):
    from rmresearch.characteristics import role_labels

    t = programme.attendance_by_type(register, roster, role_labels=role_labels("reverse"))
    assert list(t.loc[t["session_type"] == "Training", "role"]) == [
        "Reverse mentee", "Reverse mentor (staff partner)", "Reverse mentor (student partner)", "All participants"]
    single = roster.assign(role=roster["role"].replace("student_partner", "staff_partner"))
    t = programme.attendance_by_type(register, single, role_labels=role_labels("reverse"))
    assert list(t.loc[t["session_type"] == "Training", "role"]) == ["Reverse mentee", "Reverse mentor", "All participants"]


# --- survey change by characteristic group -------------------------------------------------------------------------

def _disability_cohort(audience: str = "public", **stricter):
    """A cohort-like object: disability (special category) and sex, their intersection, and disclosure rules."""
    from types import SimpleNamespace

    from rmresearch.characteristics import STRICTER_DEFAULTS, intersect, read_options
    from rmresearch.config import DisclosureRules

    chars = read_options({"disability": {"column": "disability_code", "code_list": "disability"},
                          "sex": {"column": "sex", "code_list": "sex"}}, "c.yml")
    special = tuple({**STRICTER_DEFAULTS["special_category"], **stricter}.items())
    rules = DisclosureRules(audience=audience, special_category=special)
    return SimpleNamespace(characteristics=chars, intersections=(intersect(*chars.values()),), disclosure=rules)


@pytest.fixture()
def answered() -> tuple[pd.DataFrame, pd.DataFrame]:
    """9 disabled people (pre 2, 3, 4 three times each; post +1 each), 6 with no known disability (pre 3, post 3
    or 4 alternately), 2 unknown (pre 4, post 3). Sex: the first 5 disabled people and 3 of the others male."""
    ids = [f"D{i}" for i in range(9)] + [f"N{i}" for i in range(6)] + ["U0", "U1"]
    group = ["Disabled"] * 9 + ["No known disability"] * 6 + ["Unknown"] * 2
    sex = ["Male"] * 5 + ["Female or other"] * 4 + ["Male"] * 3 + ["Female or other"] * 3 + ["Male", "Female or other"]
    people = pd.DataFrame({"participant_id": ids, "role": "staff_partner", "disability_aggregate": group,
                           "sex_aggregate": sex})
    people["disability_by_sex"] = [f"{g}, {s}" if g != "Unknown" else "Unknown" for g, s in zip(group, sex)]
    pre = [2.0, 3.0, 4.0] * 3 + [3.0] * 6 + [4.0, 4.0]
    post = [3.0, 4.0, 5.0] * 3 + [3.0, 4.0] * 3 + [3.0, 3.0]
    scores = pd.DataFrame({"participant_id": ids * 2, "wave": ["pre"] * 17 + ["post"] * 17,
                           "psychological_safety": pre + post})
    return people, scores


def test_survey_change_by_disability_group_has_the_hand_computed_means(answered):
    from rmresearch import surveys

    people, scores = answered
    cfg = _disability_cohort()
    t = surveys.change_by_characteristic(scores, people, cfg.characteristics["disability"]).set_index("group")
    assert list(t.index) == ["No known disability", "Disabled", "Unknown"]  # reference first, Unknown last, kept
    assert t.loc["Disabled", ["n", "mean_pre", "mean_post", "mean_diff"]].tolist() == [9, 3.0, 4.0, 1.0]
    assert t.loc["No known disability", ["n", "mean_pre", "mean_post", "mean_diff"]].tolist() == [6, 3.0, 3.5, 0.5]
    assert t.loc["Unknown", ["n", "mean_diff"]].tolist() == [2, -1.0]
    # every disabled person gained exactly 1 point: no spread, so no t test or d_z, but Wilcoxon's r is +1
    assert pd.isna(t.loc["Disabled", "cohen_dz"]) and t.loc["Disabled", "rank_biserial"] == 1.0
    # no known disability: changes 0, 1, 0, 1, 0, 1: mean 0.5, sd sqrt(0.3); d_z = 0.5 / sqrt(0.3)
    assert t.loc["No known disability", "cohen_dz"] == pytest.approx(0.5 / 0.3 ** 0.5)
    by_sex = surveys.change_by_characteristic(scores, people, cfg.intersections[0]).set_index("group")
    assert by_sex.loc["Disabled, Male", ["n", "mean_pre", "mean_post"]].tolist() == [5, 2.8, 3.8]


def test_survey_change_by_a_special_category_group_is_suppressed_at_its_own_threshold(answered):
    from rmresearch import surveys

    people, scores = answered
    # a public report whose special-category averages need more than 9 people: the 9 disabled people are hidden,
    # though averages of 8 or more people by role would be shown
    cfg = _disability_cohort(max_mean_suppressed_n=9)
    tables = surveys.change_tables(scores, people, cfg, surveys.load_instrument("psychological_safety"))
    captions = [c for _, c in tables]
    assert captions == [
        "Change in scale scores (post - pre) by disability (special-category data: averages on 9 or fewer people "
        "suppressed); Holm-adjusted p-values",
        "Change in scale scores (post - pre) by sex; Holm-adjusted p-values",
        "Change in scale scores (post - pre) by disability and sex (an intersection of two characteristics: averages "
        "on 9 or fewer people suppressed); Holm-adjusted p-values"]
    disability = tables[0][0].set_index("group")
    assert disability.loc["Disabled", "mean_diff"] == ".." and disability.loc["Disabled", "n"] == 10  # n rounded
    by_role = surveys.change_by_group(scores, groups=people.set_index("participant_id")["disability_aggregate"])
    from rmresearch.disclosure import disclose
    shown = disclose(by_role, counts=["n"], means={"mean_diff": "n"}, rules=cfg.disclosure).set_index("group")
    assert float(shown.loc["Disabled", "mean_diff"]) == 1.0  # under the base rules the same group is shown
    # internally, special-category cells and averages need 7 people (5 otherwise): the 6 with no known disability
    # are hidden, count and mean; sex is not special category, so its group of 8 is shown exactly
    internal = _disability_cohort(audience="internal")
    tables = surveys.change_tables(scores, people, internal, surveys.load_instrument("psychological_safety"))
    disability, sex = (t.set_index("group") for t, _ in tables[:2])
    assert disability.loc["No known disability", ["mean_diff", "n"]].tolist() == ["..", ".."]
    assert float(disability.loc["Disabled", "mean_diff"]) == 1.0
    assert sex.loc["Female or other", "n"] == 8 and float(sex.loc["Female or other", "mean_diff"]) == pytest.approx(
        (4 * 1 + 1 + 0 + 1 - 1) / 8)
    base = disclose(by_role, counts=["n"], means={"mean_diff": "n"}, rules=internal.disclosure).set_index("group")
    assert base.loc["No known disability", "n"] == 6 and float(base.loc["No known disability", "mean_diff"]) == 0.5


# --- reverse mentoring's words; who counts as under-represented ------------------------------------------------------

@pytest.fixture()
def reverse_pairs():
    """Two reverse-mentoring pairs: R1's reverse mentor is disabled, R2's is a man with no known disability.
    Both reverse mentors report 2 points more burden than their reverse mentee."""
    people = pd.DataFrame({"participant_id": ["S1", "S2", "P1", "P2"],
                           "role": ["senior_leader", "senior_leader", "staff_partner", "staff_partner"],
                           "disability_aggregate": ["No known disability"] * 2 + ["Disabled", "No known disability"],
                           "sex_aggregate": ["Male", "Male", "Male", "Male"]})
    pairs = pd.DataFrame({"pair_id": ["R1", "R2"], "senior_id": ["S1", "S2"], "partner_id": ["P1", "P2"]})
    scores = pd.DataFrame({"participant_id": ["S1", "P1", "S2", "P2"], "reciprocity": [4.0, 3.0, 4.0, 5.0],
                           "burden": [1.0, 3.0, 1.0, 3.0]})
    return people, pairs, scores


def test_reverse_scheme_tables_name_reverse_mentors_and_mentees_in_headers_rows_and_captions(reverse_pairs):
    people, pairs, scores = reverse_pairs
    cfg = _disability_cohort()
    chars = list(cfg.characteristics.values())
    per_pair = programme.reciprocity_by_pair(scores, pairs, people, wave=None, characteristics=chars)
    assert per_pair["partner_underrepresented"].tolist() == [True, False] and per_pair["flag"].tolist() == [True, False]
    (work, work_caption), (survey, survey_caption) = programme.reciprocity_tables(
        programme.reciprocity_summary(per_pair), scheme="reverse")
    assert list(work.columns) == ["reverse mentor's role", "pairs", "pairs_with_organiser",
                                  "share arranged by reverse mentor", "reverse mentor carried more"]
    assert work["reverse mentor's role"].tolist() == ["Reverse mentor", "All pairs"]
    assert work["reverse mentor carried more"].tolist() == [2, 2]  # exact: pairs
    assert {"reverse mentee gain", "reverse mentor gain", "gain difference (reverse mentor - reverse mentee)",
            "reverse mentee burden", "reverse mentor burden"} <= set(survey.columns)
    assert not any("senior" in str(c) or "partner" in str(c).replace("partner_", "") for c in survey.columns)
    assert "by reverse mentor's role" in work_caption and "(reverse mentee and reverse mentor)" in survey_caption
    assert work.attrs["disclosure"]["counts"][:1] == ["pairs"]  # the record follows the renamed headers
    # a reciprocal scheme keeps its own words
    (work, _), _ = programme.reciprocity_tables(programme.reciprocity_summary(per_pair))
    assert "share arranged by staff partner" in work.columns
    assert work["staff partner's role"].tolist() == ["Staff partner", "All pairs"]


def test_reverse_scheme_counts_a_mentor_from_any_under_represented_group(reverse_pairs):
    from types import SimpleNamespace

    people, pairs, scores = reverse_pairs
    cfg = _disability_cohort()
    # P2 is a woman: under-represented by sex, so both reverse mentors now count
    people = people.assign(sex_aggregate=["Male", "Male", "Male", "Female or other"])
    reverse = SimpleNamespace(**vars(cfg), programme_type="reverse", focus=cfg.characteristics["disability"])
    chosen = programme.underrepresented_characteristics(reverse)
    assert [c.name for c in chosen] == ["disability", "sex"]
    per_pair = programme.reciprocity_by_pair(scores, pairs, people, wave=None, characteristics=chosen)
    assert per_pair["flag"].tolist() == [True, True]
    # a reciprocal scheme asks about its focus characteristic only (disability here): P2 does not count
    reciprocal = SimpleNamespace(**vars(cfg), programme_type="reciprocal", focus=cfg.characteristics["disability"])
    assert [c.name for c in programme.underrepresented_characteristics(reciprocal)] == ["disability"]
    assert programme.burden_question(reverse).startswith("Are the reverse mentors (the junior partners")
    assert programme.burden_question(reciprocal) == ("Are disabled partners carrying the labour of educating the "
                                                     "senior leaders they are paired with, beyond the partnership the "
                                                     "scheme asks of them?")


def test_community_partners_are_named_as_such(reverse_pairs):
    people, pairs, scores = reverse_pairs
    people = people.assign(role=people["role"].replace("staff_partner", "community_partner"))
    cfg = _disability_cohort()
    per_pair = programme.reciprocity_by_pair(scores, pairs, people, wave=None,
                                             characteristics=list(cfg.characteristics.values()))
    (work, caption), (survey, _) = programme.reciprocity_tables(programme.reciprocity_summary(per_pair))
    assert work["community partner's role"].tolist() == ["Community partner", "All pairs"]
    assert "community partner gain" in survey.columns and "senior leader gain" in survey.columns
    assert "the share of meetings the community partner arranged" in caption
    assert programme.scheme_sentence("reciprocal", people["role"]) == (
        "This is a reciprocal mentoring scheme: each pair joins a senior leader and a community partner, who learn "
        "from each other.")


def test_the_results_level_reads_the_actions_log_exactly():
    from rmresearch import results

    log = pd.DataFrame({"pair_id": ["R1", "R1", "R2", "R3", "R4", "R4", "R5", "R6"],
                        "status": ["implemented", "proposed", "implemented", "in_progress", "implemented",
                                   "not_pursued", "proposed", "in_progress"]})
    assert programme.actions_sentence(log, pairs=10) == (
        "The log records 8 actions or policy changes, raised by 6 of the 10 pairs: 3 implemented, 2 in progress, "
        "2 proposed and 1 not pursued.")
    results.start()
    assert programme.record_actions(log) == ["actions_recorded", "actions_implemented"]
    stored = {r["key"]: r for r in results.current().results}
    assert stored["actions_recorded"]["value"] == 8 and stored["actions_implemented"]["headline"]
    assert results.sentence(stored["actions_implemented"]) == (
        "37.5% of the 8 actions and policy changes recorded have been implemented.")
    k = programme.kirkpatrick_summary(actions=log).set_index("measure")
    assert k.loc["Actions implemented (of all recorded)", ["count", "n"]].tolist() == [3, 8]
    assert k.loc["Pairs with at least one recorded action or policy change", "count"] == 6


def test_a_characteristic_whose_groups_are_the_roles_is_not_shown_twice(answered):
    from rmresearch import surveys

    people, scores = answered
    # every disabled person a senior leader, everyone else (no known disability, once the two unknowns are known)
    # a partner: disability's groups are the roles by another name
    people = people.assign(role=["senior_leader"] * 9 + ["staff_partner"] * 8)
    people.loc[people["disability_aggregate"] == "Unknown", "disability_aggregate"] = "No known disability"
    cfg = _disability_cohort()
    tables = surveys.change_tables(scores, people, cfg, surveys.load_instrument("psychological_safety"))
    assert [c.split(";")[0].split(" (an")[0] for _, c in tables] == [
        "Change in scale scores (post - pre) by sex", "Change in scale scores (post - pre) by disability and sex"]
    assert surveys.coinciding_sentence(scores, people, cfg).startswith(
        "In this cohort the groups by disability coincide with the roles among the people who answered both surveys")
    assert surveys.coinciding_sentence(scores, people.assign(role="staff_partner"), cfg) == ""


def test_validate_reads_session_types_in_any_case_and_refuses_others(tmp_path):
    from rmresearch.config import load_cohort
    from rmresearch.inputs import load_table, validate_cohort
    from tests.test_io_agreement import make_cohort

    sessions = ("participant_id,session,session_type,date,attended\n"
                "P01,Introductory training,Training,2024-10-01,yes\n"
                "P02,Circle 1,Peer Support,2024-11-01,no\n"
                "P03,Circle 1,peer-support,2024-11-01,yes\n"
                "P04,Away day,Workshop,2024-12-01,yes\n")
    config = load_cohort(make_cohort(tmp_path, inputs={"sessions": "data/sessions.csv"},
                                     files={"data/sessions.csv": sessions}))
    _, problems = validate_cohort(config)
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.row, p.column) for p in errors] == [(5, "session_type")] and "Workshop" in errors[0].message
    fixed = sessions.replace("Workshop", "")
    (tmp_path / "data" / "sessions.csv").write_text(fixed)
    table = load_table(config, "sessions")
    assert table["session_type"].tolist()[:3] == ["training", "peer_support", "peer_support"]
    assert pd.isna(table["session_type"].iloc[3])


def test_an_intersection_hides_averages_below_its_own_smallest_cell(answered):
    from rmresearch import surveys
    from rmresearch.disclosure import disclose

    people, scores = answered
    people = people.assign(sex_aggregate="Male")  # all 9 disabled people are men: 'Disabled, Male' holds 9
    people["disability_by_sex"] = [f"{g}, Male" if g != "Unknown" else "Unknown" for g in people["disability_aggregate"]]
    cfg = _disability_cohort()  # public: averages on 7 or fewer hidden; an intersection's cells need 10 people
    tables = dict((c.split(";")[0].split(" (special")[0].split(" (an ")[0], t) for t, c in
                  surveys.change_tables(scores, people, cfg, surveys.load_instrument("psychological_safety")))
    both = tables["Change in scale scores (post - pre) by disability and sex"].set_index("group")
    assert both.loc["Disabled, Male", "mean_diff"] == ".."
    base = disclose(surveys.change_by_characteristic(scores, people, cfg.intersections[0]), counts=["n"],
                    means={"mean_diff": "n"}, rules=cfg.disclosure).set_index("group")
    assert float(base.loc["Disabled, Male", "mean_diff"]) == 1.0  # the base rule alone would show it
    disability = tables["Change in scale scores (post - pre) by disability"].set_index("group")
    assert float(disability.loc["Disabled", "mean_diff"]) == 1.0  # special category needs 7: 9 people are enough


def test_a_session_name_keeps_its_capitals_in_the_result_label():
    from rmresearch import results

    results.start()
    sessions = pd.DataFrame({"participant_id": ["S1", "P1"], "session": ["Peer support November"] * 2,
                             "attended": [True, False]})
    assert programme.record_session_attendance(sessions) == ["session_attendance_peer_support_november"]
    assert results.current().results[-1]["label"] == "Attendance at the peer support November"
