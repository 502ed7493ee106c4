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
    assert t.loc[("Training", every), ["sessions", "invited", "attended", "people", "people_attended"]].tolist() == [1, 5, 4, 5, 4]
    assert t.loc[("Training", every), "share"] == pytest.approx(0.8)
    assert t.loc[("Training", "staff_partner"), ["invited", "attended"]].tolist() == [2, 1]
    # preparation is for the senior colleagues only: no partner row
    assert [r for _, r in t.loc["Preparation"].index.to_series().items()] == ["senior_leader", every]
    assert t.loc[("Preparation", every), ["invited", "attended"]].tolist() == [2, 1]
    # peer support: 6 places, 3 taken, by 2 of the 3 people invited
    assert t.loc[("Peer support", every), ["sessions", "invited", "attended", "people", "people_attended"]].tolist() == [2, 6, 3, 3, 2]
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


def test_reverse_scheme_role_labels_keep_two_partner_roles_apart(register, roster):
    from rmresearch.characteristics import role_labels

    t = programme.attendance_by_type(register, roster, role_labels=role_labels("reverse"))
    assert list(t.loc[t["session_type"] == "Training", "role"]) == [
        "Reverse mentee", "Reverse mentor (staff partner)", "Reverse mentor (student partner)", "All participants"]
    single = roster.assign(role=roster["role"].replace("student_partner", "staff_partner"))
    t = programme.attendance_by_type(register, single, role_labels=role_labels("reverse"))
    assert list(t.loc[t["session_type"] == "Training", "role"]) == ["Reverse mentee", "Reverse mentor", "All participants"]
