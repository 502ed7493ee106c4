"""Engagement, fidelity, reciprocity and burden, outcomes: hand-made cases with known answers."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from rmresearch import programme
from rmresearch.disclosure import disclose
from rmresearch.errors import ValidationError

D = pd.Timestamp


@pytest.fixture()
def pairs():
    return pd.DataFrame(
        {
            "pair_id": ["R1", "R2", "R3"],
            "senior_id": ["S1", "S2", "S3"],
            "partner_id": ["P1", "P2", "P3"],
            "start_date": pd.to_datetime(["2024-10-01", "2024-10-01", "2024-10-15"]),
            "end_date": pd.to_datetime(["2025-03-31", "2024-12-20", "2025-03-31"]),
            "status": ["completed", "withdrawn", "completed"],
        }
    )


@pytest.fixture()
def meetings():
    rows = [
        # R1: six meetings held; gaps 30, 31, 30, 31, 28 days; one more scheduled that did not happen
        ("R1", "2024-10-05", 60, True, "senior"),
        ("R1", "2024-11-04", 90, True, "partner"),
        ("R1", "2024-12-05", 60, True, "senior"),
        ("R1", "2025-01-04", 75, True, "partner"),
        ("R1", "2025-02-04", 60, True, "senior"),
        ("R1", "2025-03-04", 45, True, "facilitator"),
        ("R1", "2025-03-25", None, False, "senior"),
        # R2: two meetings, then withdrew on 2024-12-20 (80 days after matching)
        ("R2", "2024-10-21", 60, True, "partner"),
        ("R2", "2024-11-25", 60, True, "partner"),
        # R3: three meetings with a 92-day gap
        ("R3", "2024-11-04", 90, True, "partner"),
        ("R3", "2025-02-04", 90, True, "partner"),
        ("R3", "2025-03-04", 60, True, "senior"),
    ]
    frame = pd.DataFrame(rows, columns=["pair_id", "date", "minutes", "attended", "initiated_by"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["minutes"] = frame["minutes"].astype(float)
    return frame


@pytest.fixture()
def participants():
    return pd.DataFrame(
        {
            "participant_id": ["S1", "S2", "S3", "P1", "P2", "P3"],
            "role": ["senior_leader"] * 3 + ["staff_partner", "student_partner", "staff_partner"],
            "ethnicity_group": ["White", "White", "White", "Black", "Asian", "White"],
        }
    )


def test_engagement_by_pair_known_answers(meetings, pairs, participants):
    t = programme.engagement_by_pair(meetings, pairs, planned=6, participants=participants).set_index("pair_id")
    assert t["partner_role"].tolist() == ["staff_partner", "student_partner", "staff_partner"]
    assert t["scheduled"].tolist() == [7, 2, 3]
    assert t["held"].tolist() == [6, 2, 3]
    assert t["not_held"].tolist() == [1, 0, 0]
    assert t["met_plan"].tolist() == [True, False, False]
    assert t["share_of_plan"].tolist() == pytest.approx([1.0, 2 / 6, 3 / 6])
    # first meeting: R1 4 days after 1 Oct; R2 20 days; R3 20 days after 15 Oct
    assert t["days_to_first_meeting"].tolist() == [4.0, 20.0, 20.0]
    # R1 gaps 30, 31, 30, 31, 28 -> mean 150 / 5 = 30, max 31; R2 one gap of 35; R3 gaps 92 and 28
    assert t.loc["R1", "mean_gap_days"] == pytest.approx(30.0)
    assert t["max_gap_days"].tolist() == [31.0, 35.0, 92.0]
    assert t["long_gap"].tolist() == [False, False, True]
    assert t["withdrawn"].tolist() == [False, True, False]
    assert t.loc["R2", "days_to_withdrawal"] == 80.0 and math.isnan(t.loc["R1", "days_to_withdrawal"])
    assert t.loc["R2", "held_before_withdrawal"] == 2.0
    assert t.loc["R1", "minutes_total"] == 390.0 and t.loc["R1", "minutes_mean"] == pytest.approx(65.0)


def test_engagement_with_sessions(meetings, pairs):
    sessions = pd.DataFrame(
        {
            "participant_id": ["S1", "P1", "S1", "P1", "S2", "P2", "P3"],
            "session": ["training", "training", "reflection_1", "reflection_1", "training", "training", "training"],
            "attended": [True, True, True, False, False, True, True],
        }
    )
    t = programme.engagement_by_pair(meetings, pairs, planned=6, sessions=sessions).set_index("pair_id")
    assert t["senior_sessions"].tolist() == [2, 0, 0]
    assert t["partner_sessions"].tolist() == [1, 1, 1]
    participants = pd.DataFrame({"participant_id": ["S1", "S2", "P1", "P2", "P3"], "role": ["senior_leader"] * 2 + ["staff_partner"] * 3})
    att = programme.session_attendance(sessions, participants)
    training = att.loc[att["session"] == "training"].set_index("role")
    assert training.loc["senior_leader", ["invited", "attended"]].tolist() == [2, 1]
    assert training.loc["staff_partner", "rate"] == pytest.approx(3 / 3)
    assert att["session"].tolist()[0] == "training"


def test_fidelity_summary_and_disclosure(meetings, pairs):
    per_pair = programme.engagement_by_pair(meetings, pairs, planned=6)
    summary = programme.fidelity_summary(per_pair).set_index("measure")
    assert summary.loc["Pairs that held every planned meeting", "pairs"] == 1
    assert summary.loc["Pairs with a long gap between meetings", "pairs"] == 1
    assert summary.loc["Pairs that withdrew", "share"] == pytest.approx(1 / 3)
    assert summary.loc["Mean meetings held per pair", "average"] == pytest.approx(11 / 3)
    # 390 + 120 + 240 minutes over 11 meetings
    assert summary.loc["Mean minutes per meeting held", "average"] == pytest.approx(750 / 11)
    assert summary.loc["Median days from matching to first meeting", "average"] == 20.0
    shown = disclose(summary.reset_index(), counts=["pairs", "n"], rates={"share": ("n", "pairs")}, means={"average": "n"})
    # three pairs: every mean (n <= 7) and every percentage (n < 22.5) is suppressed, counts rounded
    assert set(shown["average"].dropna()) == {".."}
    assert set(shown["share"].dropna()) == {".."}
    assert shown["pairs"].dropna().tolist() == [5, 0, 0, 0, 0]


def test_withdrawal_timing(meetings, pairs):
    per_pair = programme.engagement_by_pair(meetings, pairs, planned=6)
    timing = programme.withdrawal_timing(per_pair).set_index("timing")
    assert timing.loc["Month 3", "withdrew"] == 1  # day 80 falls in days 60-89
    assert timing.loc[["Month 1", "Month 2", "Month 4"], "withdrew"].tolist() == [0, 0, 0]
    assert timing.loc["Month 4", "in_programme_at_start"] == 2
    assert timing.loc["After 2 meetings", "withdrew"] == 1


def test_meetings_over_time(meetings, pairs):
    over = programme.meetings_over_time(meetings, pairs, start_date="2024-10-01", end_date="2025-03-31", planned=6)
    # by 31 Oct: R1 one meeting, R2 one -> 2 / 3 pairs; by 31 Mar: 11 / 3
    assert over["mean_held"].iloc[0] == pytest.approx(2 / 3)
    assert over["mean_held"].iloc[-1] == pytest.approx(11 / 3)
    assert over["planned_by_then"].iloc[-1] == pytest.approx(6.0)
    assert len(over) == 6


def test_reciprocity_and_burden_flags_on_a_hand_made_case(meetings, pairs, participants):
    scores = pd.DataFrame(
        {
            "participant_id": ["S1", "P1", "S2", "P2", "S3", "P3", "S1"],
            "wave": ["post"] * 6 + ["pre"],
            "reciprocity": [4.0, 3.0, 4.0, 4.5, 3.0, 5.0, 1.0],
            "burden": [2.0, 2.5, 2.0, 4.0, 1.0, 4.0, 5.0],
        }
    )
    t = programme.reciprocity_by_pair(scores, pairs, participants, meetings=meetings).set_index("pair_id")
    # gains: R1 partner 3 vs senior 4 -> difference -1, balance 1 - 1/4 = 0.75
    assert t.loc["R1", "gain_difference"] == -1.0 and t.loc["R1", "balance_index"] == 0.75
    assert t.loc["R3", "balance_index"] == pytest.approx(0.5)
    # initiation among held meetings: R1 2 partner, 3 senior, 1 facilitator of 6 (the cancelled one is not counted)
    assert t.loc["R1", "meetings_with_initiator"] == 6
    assert t.loc["R1", ["initiated_by_partner", "initiated_by_senior", "initiated_by_facilitator"]].tolist() == pytest.approx([2 / 6, 3 / 6, 1 / 6])
    # R1: Black partner, initiated a third, burden only 0.5 above the senior's -> not flagged
    assert not t.loc["R1", "partner_carries_more"] and not t.loc["R1", "flag"]
    # R2: Asian partner arranged both meetings (too few to judge initiative, min 3) but reports 2 points
    # more burden -> carries more, flagged
    assert t.loc["R2", "initiated_by_partner"] == 1.0
    assert t.loc["R2", "flag"]
    assert t.loc["R2", "flag_reason"] == "partner reports 2.0 points more burden"
    # R3: White partner initiated 2 of 3 and reports 3 points more burden: carries more, but the flag
    # concerns partners from under-represented groups
    assert t.loc["R3", "partner_carries_more"] and not t.loc["R3", "partner_underrepresented"] and not t.loc["R3", "flag"]
    # raising the burden margin leaves R2 unflagged (initiative not judged on two meetings)
    strict = programme.reciprocity_by_pair(scores, pairs, participants, meetings=meetings, burden_margin=2.5).set_index("pair_id")
    assert not strict.loc["R2", "flag"]
    lenient = programme.reciprocity_by_pair(scores, pairs, participants, meetings=meetings, burden_margin=2.5, min_initiated=2).set_index("pair_id")
    assert lenient.loc["R2", "flag"] and lenient.loc["R2", "flag_reason"] == "partner initiated 100% of 2 meetings"


def test_prepared_by_counts_as_work(meetings, pairs, participants):
    scores = pd.DataFrame({"participant_id": ["S1", "P1"], "reciprocity": [4.0, 4.0], "burden": [2.0, 2.0]})
    prepared = meetings.assign(prepared_by=np.where(meetings["pair_id"] == "R1", "partner", "senior"))
    t = programme.reciprocity_by_pair(scores, pairs, participants, meetings=prepared, wave=None).set_index("pair_id")
    assert t.loc["R1", "prepared_by_partner"] == 1.0 and t.loc["R1", "flag"]
    assert "prepared 100%" in t.loc["R1", "flag_reason"]


def test_reciprocity_summary(meetings, pairs, participants):
    scores = pd.DataFrame({"participant_id": ["S1", "P1", "S2", "P2", "S3"], "reciprocity": [4.0, 3.0, 4.0, 4.5, 3.0], "burden": [2.0, 2.5, 2.0, 4.0, 1.0]})
    per_pair = programme.reciprocity_by_pair(scores, pairs, participants, meetings=meetings, wave=None)
    summary = programme.reciprocity_summary(per_pair).set_index("partner_role")
    assert summary.loc["staff_partner", "pairs"] == 2
    assert summary.loc["staff_partner", "partner_gain_n"] == 1  # P3 did not answer
    assert summary.loc["All pairs", "senior_gain"] == pytest.approx(11 / 3)
    assert summary.loc["All pairs", "gain_difference"] == pytest.approx((-1 + 0.5) / 2)
    assert summary.loc["All pairs", "flagged"] == 1


def test_actions_read_validated_and_summarised(tmp_path, pairs):
    path = tmp_path / "actions.csv"
    path.write_text(
        "pair_id,action,area,status\n"
        "R1,Added a race equality item to shortlisting guidance,recruitment,implemented\n"
        "R1,Proposed reverse shadowing days,leadership,In progress\n"
        "R3,Reviewed the reading list for decolonising,curriculum,proposed\n",
        encoding="utf-8",
    )
    actions = programme.read_actions(path, pairs=pairs)
    assert actions["status"].tolist() == ["implemented", "in_progress", "proposed"]
    summary = programme.actions_summary(actions).set_index("area")
    assert summary.loc["Total", ["actions", "pairs", "implemented"]].tolist() == [3, 2, 1]
    bad = tmp_path / "bad.csv"
    bad.write_text("pair_id,action,area,status\nR9,Something,recruitment,done\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        programme.read_actions(bad, pairs=pairs)
    text = str(err.value)
    assert "row 2, column 'status'" in text and "proposed, in_progress, implemented, not_pursued" in text
    assert "row 2, column 'pair_id': pair_id 'R9' is not in the pairs table" in text


def test_kirkpatrick_summary_levels(meetings, pairs, participants):
    from rmresearch.surveys import load_instrument

    inst = load_instrument(["lived_experience", "reciprocity"])
    scores = pd.DataFrame(
        {
            "participant_id": ["S1", "S2", "S3", "S1", "S2", "S3", "P1"],
            "wave": ["pre"] * 3 + ["post"] * 4,
            "lived_experience": [2.0, 3.0, 2.5, 3.0, 3.5, 4.0, 5.0],  # P1 is not a senior leader: left out
            "reciprocity": [np.nan] * 3 + [4.0, 4.0, 3.0, 3.0],
        }
    )
    per_pair = programme.engagement_by_pair(meetings, pairs, planned=6)
    actions = pd.DataFrame({"pair_id": ["R1", "R1"], "status": ["implemented", "proposed"], "area": ["a", "b"]})
    k = programme.kirkpatrick_summary(per_pair=per_pair, scores=scores, participants=participants, instrument=inst, actions=actions)
    assert list(dict.fromkeys(k["level"])) == ["reaction", "learning", "behaviour", "results"]
    learning = k.loc[k["level"] == "learning"].iloc[0]
    # senior leaders' change: (1 + 0.5 + 1.5) / 3 = 1.0; diffs 1, 0.5, 1.5 have sd 0.5 -> d_z = 2
    assert learning["average"] == pytest.approx(1.0) and learning["effect_size"] == pytest.approx(2.0) and learning["n"] == 3
    reaction = k.set_index("measure")
    assert reaction.filter(like="What I gained", axis=0)["average"].iloc[0] == pytest.approx(3.5)
    assert reaction.loc["Pairs that completed the programme", "count"] == 2
    results = k.loc[k["level"] == "results"].set_index("measure")
    assert results.loc["Pairs with at least one recorded action or policy change", ["count", "n"]].tolist() == [1, 3]
    assert results.loc["Actions implemented (of all recorded)", "share"] == 0.5
    shown = disclose(k, counts=["count", "n"], rates={"share": ("n", "count")}, means={"average": "n", "effect_size": "n"})
    assert set(shown["average"].dropna()) == {".."}


def test_every_plot_returns_its_figure(meetings, pairs, participants):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rmresearch.config import DisclosureRules
    from rmresearch.errors import AnalysisError

    per_pair = programme.engagement_by_pair(meetings, pairs, planned=6)
    held = programme.pairs_by_meetings_held(per_pair, planned=6)
    over_time = programme.meetings_over_time(meetings, pairs, start_date="2024-10-01", end_date="2025-03-31", planned=6)
    scores = pd.DataFrame({"participant_id": ["S1", "P1", "S2", "P2"], "reciprocity": [4.0, 3.0, 4.0, 4.5]})
    summary = programme.reciprocity_summary(programme.reciprocity_by_pair(scores, pairs, participants, wave=None))
    few = DisclosureRules(max_mean_suppressed_n=1)  # two answers per side: drawn
    for draw in (lambda ax=None: programme.plot_meetings_held(held, planned=6, ax=ax),
                 lambda ax=None: programme.plot_meetings_over_time(over_time, ax=ax),
                 lambda ax=None: programme.plot_gains(summary, rules=few, ax=ax)):
        assert isinstance(draw(), matplotlib.figure.Figure)
        own, ax = plt.subplots()
        assert draw(ax=ax) is own
    # 0, 1, 2 meetings... held by R2 (2), R3 (3), R1 (6): pairs are programme activity, drawn and titled exactly
    figure = programme.plot_meetings_held(held, planned=6)
    assert figure.axes[0].get_title(loc="left") == "1 of 3 pairs held all 6 planned meetings"
    assert [int(p.get_height()) for p in figure.axes[0].patches] == [0, 0, 1, 1, 0, 0, 1]
    # (6 + 2 + 3) / 3 = 3.67 held by 31 March against 6 planned
    assert programme.plot_meetings_over_time(over_time).axes[0].get_title(loc="left") == (
        "By 31 March 2025 pairs had held 3.7 meetings on average, 2.3 behind the 6.0 planned")
    # senior leaders 4.0 and 4.0, partners 3.0 and 4.5: means 4.0 and 3.75, within a quarter point
    assert programme.plot_gains(summary, rules=few).axes[0].get_title(loc="left") == (
        "Partners and senior leaders reported similar gains (4.0 and 3.8)")
    with pytest.raises(AnalysisError, match="too few senior leaders or partners"):  # HESA: 2 answers are suppressed
        programme.plot_gains(summary)
    with pytest.raises(AnalysisError, match="no pairs"):
        programme.plot_meetings_held(held.assign(pairs=0), planned=6)
    def shown(people, **rules):
        by_role = programme.participants_by_role(people).reset_index()
        return disclose(by_role, counts=[c for c in by_role.columns if c != "role"], rules=DisclosureRules(**rules))

    with pytest.raises(AnalysisError, match="0 or suppressed as shown"):  # the partners, one per cell: all round to 0
        programme.plot_participants(shown(participants.iloc[3:]))
    # three White senior leaders round to 5: that is the one bar segment drawn, from the table as shown
    figure = programme.plot_participants(shown(participants))
    assert sorted(round(p.get_width()) for p in figure.axes[0].patches if p.get_width() > 0) == [5]
    assert figure.axes[0].get_xlabel() == "Participants (rounded to the nearest 5)"
    with pytest.raises(AnalysisError, match="draws the disclosed table"):
        programme.plot_participants(programme.participants_by_role(participants).reset_index())
    plt.close("all")


def test_record_session_attendance_and_reciprocity(monkeypatch, meetings, pairs, participants):
    from rmresearch import results

    recorded = {}
    monkeypatch.setattr(results, "record", lambda key, value, **kw: recorded.setdefault(key, (value, kw)))
    sessions = pd.DataFrame({"participant_id": ["S1", "P1", "S2", "S1"], "session": ["Introductory training"] * 3 + ["Reflection"],
                             "attended": [True, False, True, None]})
    assert programme.record_session_attendance(sessions) == ["session_attendance_introductory_training", "session_attendance_reflection"]
    value, options = recorded["session_attendance_introductory_training"]
    assert value == pytest.approx(2 / 3) and (options["n"], options["numerator"], options["kind"]) == (3, 2, "rate")
    assert recorded["session_attendance_reflection"][0] == 0.0  # not recorded as attended counts as absent
    scores = pd.DataFrame({"participant_id": ["S1", "P1", "S2", "P2", "S3"], "reciprocity": [4.0, 3.0, 4.0, 4.5, 3.0],
                           "burden": [2.0, 2.5, 2.0, 4.0, 1.0]})
    summary = programme.reciprocity_summary(programme.reciprocity_by_pair(scores, pairs, participants, meetings=meetings, wave=None))
    keys = programme.record_reciprocity(summary)
    assert keys == ["burden_flagged_rate", "gain_difference", "burden_senior", "burden_partner"]
    flagged, options = recorded["burden_flagged_rate"]
    assert flagged == pytest.approx(1 / 3) and options["numerator"] == 1 and options["headline"]
    assert recorded["gain_difference"][0] == pytest.approx((-1 + 0.5) / 2) and recorded["gain_difference"][1]["n"] == 2
    assert recorded["burden_senior"][0] == pytest.approx(5 / 3)
    with pytest.raises(ValueError, match="reciprocity summary table needs"):
        programme.record_reciprocity(summary.drop(columns="flagged"))


def test_demo_programme_matches_the_injected_truth(demo_project):
    from rmresearch.config import load_cohort
    from rmresearch.inputs import load_table

    config = load_cohort(demo_project / "cohorts" / "demo.yml")
    meetings, pairs = load_table(config, "meetings"), load_table(config, "pairs")
    truth = json.loads((demo_project / "data" / "demo" / "ground_truth" / "effects.json").read_text())["programme"]
    per_pair = programme.engagement_by_pair(meetings, pairs, planned=config.planned_meetings).set_index("pair_id")
    assert per_pair["scheduled"].sum() == truth["realised"]["meetings_scheduled"]
    assert per_pair["held"].sum() == truth["realised"]["meetings_attended"]
    withdrawn = {w["pair_id"]: w for w in truth["withdrawn_pairs"]}
    assert set(per_pair.index[per_pair["withdrawn"]]) == set(withdrawn)
    for pair_id, w in withdrawn.items():
        assert per_pair.loc[pair_id, "held_before_withdrawal"] == w["meetings_attended"]
        assert per_pair.loc[pair_id, "end_date"] == pd.Timestamp(w["end_date"])
    summary = programme.fidelity_summary(per_pair.reset_index()).set_index("measure")
    assert summary.loc["Mean minutes per meeting held", "average"] == pytest.approx(truth["realised"]["mean_minutes_attended"], abs=0.005)


def test_reciprocity_tables_show_pairs_exactly_and_survey_answers_under_the_people_rules(meetings, pairs, participants):
    scores = pd.DataFrame({"participant_id": ["S1", "P1", "S2", "P2", "S3", "P3"],
                           "reciprocity": [4.0, 3.0, 4.0, 4.5, 3.0, 3.0], "burden": [2.0, 2.5, 2.0, 4.0, 1.0, 1.5]})
    per_pair = programme.reciprocity_by_pair(scores, pairs, participants, meetings=meetings, wave=None)
    # R1: partner arranged 2 of 6 meetings, burden +0.5; R2: partner (Asian) burden +2.0 -> flagged;
    # R3: partner arranged 2 of 3 but is White (the reference group): carries more, not flagged
    assert per_pair["partner_carries_more"].tolist() == [False, True, True] and per_pair["flag"].tolist() == [False, True, False]
    summary = programme.reciprocity_summary(per_pair)
    assert summary.set_index("partner_role").loc["All pairs", ["carries_more", "underrepresented", "flagged"]].tolist() == [2, 2, 1]
    # a White partner: the flagged count beside the carries-more count counts partners by group -> people rules
    assert programme.flag_basis(summary) == "people"
    (work, _), (survey, _) = programme.reciprocity_tables(summary)
    assert work.attrs["disclosure"]["basis"] == "activity" and survey.attrs["disclosure"]["basis"] == "people"
    assert work["pairs"].tolist() == [2, 1, 3] and work["partner carried more"].tolist() == [1, 1, 2]  # exact
    assert "flagged pairs" not in work.columns and survey["flagged pairs"].tolist() == [0, 0, 0]  # 1 rounds to 0
    assert set(survey["senior leader gain"]) == {".."}  # means on 1 to 3 answers are suppressed
    assert work["share arranged by partner"].tolist()[-1] == pytest.approx((2 / 6 + 1.0 + 2 / 3) / 3)
    # every partner from an under-represented group: the flag says only who did the work -> exact
    everyone = participants.assign(ethnicity_group=["White"] * 3 + ["Black", "Asian", "Mixed"])
    summary = programme.reciprocity_summary(programme.reciprocity_by_pair(scores, pairs, everyone, meetings=meetings, wave=None))
    assert programme.flag_basis(summary) == "activity"
    (work, _), _ = programme.reciprocity_tables(summary)
    assert work["flagged pairs"].tolist() == [1, 1, 2] and work["flagged share"].tolist()[-1] == "66.7%"


def test_burden_flag_is_recorded_exactly_when_it_counts_pairs_only(monkeypatch, meetings, pairs, participants):
    from rmresearch import results

    recorded = {}
    monkeypatch.setattr(results, "record", lambda key, value, **kw: recorded.setdefault(key, (value, kw)))
    scores = pd.DataFrame({"participant_id": ["S1", "P1", "S2", "P2", "S3", "P3"],
                           "reciprocity": [4.0, 3.0, 4.0, 4.5, 3.0, 3.0], "burden": [2.0, 2.5, 2.0, 4.0, 1.0, 1.5]})
    everyone = participants.assign(ethnicity_group=["White"] * 3 + ["Black", "Asian", "Mixed"])
    programme.record_reciprocity(programme.reciprocity_summary(
        programme.reciprocity_by_pair(scores, pairs, everyone, meetings=meetings, wave=None)))
    value, options = recorded.pop("burden_flagged_rate")
    assert value == pytest.approx(2 / 3) and options["numerator"] == 2 and options["basis"] == "activity"
    assert recorded["burden_senior"][1].get("basis", "people") == "people"  # survey answers stay people
    recorded.clear()
    programme.record_reciprocity(programme.reciprocity_summary(
        programme.reciprocity_by_pair(scores, pairs, participants, meetings=meetings, wave=None)))
    assert recorded["burden_flagged_rate"][1]["basis"] == "people"
    sessions = pd.DataFrame({"participant_id": ["S1", "P1"], "session": ["Training"] * 2, "attended": [True, False]})
    programme.record_session_attendance(sessions)
    assert recorded["session_attendance_training"][1]["basis"] == "activity"


def test_withdrawal_sentence_and_kirkpatrick_tables_by_basis(meetings, pairs, participants):
    per_pair = programme.engagement_by_pair(meetings, pairs, planned=6)
    assert programme.withdrawal_sentence(per_pair) == (
        "1 of 3 pairs withdrew before the end of the programme, 80 days after matching, after 2 meetings.")
    everyone_left = per_pair.assign(withdrawn=True, days_to_withdrawal=[10.0, 80.0, 20.0], held_before_withdrawal=[1.0, 2.0, 0.0])
    assert programme.withdrawal_sentence(everyone_left) == "All 3 pairs withdrew before the end of the programme; the table shows when."
    assert programme.participants_by_role(participants, group=None)["Total"].tolist() == [3, 2, 1]
    scores = pd.DataFrame({"participant_id": ["S1", "P1", "S2", "P2", "S3", "P3"], "reciprocity": [4.0, 3.0, 4.0, 4.5, 3.0, 3.0]})
    reciprocity = programme.reciprocity_by_pair(scores, pairs, participants, meetings=meetings, wave=None)
    k = programme.kirkpatrick_summary(per_pair=per_pair, reciprocity=reciprocity)
    assert k.set_index("measure")["basis"].to_dict() == {
        "Pairs that completed the programme": "activity", "Mean balance of gains between senior leader and partner (1 = equal)": "people",
        "Pairs where the under-represented partner carried most of the work": "people",  # P3 is White
        "Pairs that held every planned meeting": "activity", "Mean meetings held per pair": "activity"}
    tables = programme.kirkpatrick_tables(k)
    assert [t.attrs["disclosure"]["basis"] for t, _ in tables] == ["activity", "activity", "people", "people"]
    counts, averages = tables[0][0].set_index("measure"), tables[1][0].set_index("measure")
    assert counts.loc["Pairs that completed the programme", ["count", "share", "n"]].tolist() == [2, "66.7%", 3]
    assert averages.loc["Mean meetings held per pair", "average"] == pytest.approx(11 / 3) and "effect_size" not in averages


# --------------------------------------------------------------------------- the actions log as the results level

ACTIONS_LOG = (
    "pair_id,action,area,owner,status,evidence,date\n"
    "R1,Race equality item in shortlisting guidance,recruitment,Director of HR,Implemented,Revised guidance v2,12/03/2025\n"
    "R1,Reverse shadowing days for the executive,leadership,Vice-Chancellor's Office,in progress,,01/02/2025\n"
    "R3,Reading list review,curriculum,Faith Mensah,Proposed,,\n"
    "R3,Mentoring for Black PhD students,student support,Dr Okonkwo-Bello,not pursued,Committee minutes 4/25,20/01/2025\n"
    "R3,Outreach in teacher training,outreach,School of Education,implemented,,05/12/2024\n"
)
ROSTER = pd.DataFrame({"participant_id": ["S1", "P1"], "name": ["Faith Mensah", "Adaeze Okonkwo-Bello"]})


def test_actions_log_owner_evidence_uk_dates_and_a_warning_for_a_roster_name(tmp_path, pairs):
    from rmresearch.io.tables import read_action_table

    path = tmp_path / "actions.csv"
    path.write_text(ACTIONS_LOG, encoding="utf-8")
    frame, problems = read_action_table(path, pairs=pairs, participants=ROSTER)
    assert frame["status"].tolist() == ["implemented", "in_progress", "proposed", "not_pursued", "implemented"]
    assert frame["date"].tolist()[:2] == [D("2025-03-12"), D("2025-02-01")] and pd.isna(frame["date"].iloc[2])
    assert frame["evidence"].iloc[0] == "Revised guidance v2" and frame["owner"].iloc[1] == "Vice-Chancellor's Office"
    # a first name and surname (row 4) and a title and surname (row 5) are warnings; roles and units are not
    assert [(p.row, p.column, p.severity) for p in problems] == [(4, "owner", "warning"), (5, "owner", "warning")]
    assert "owner 'Faith Mensah' looks like the name of someone on the roster" in str(problems[0])
    # warnings do not stop the report reading the log
    assert len(programme.read_actions(path, pairs=pairs, participants=ROSTER)) == 5


def test_actions_by_status_and_the_named_changes_are_shown_exactly(tmp_path, pairs):
    path = tmp_path / "actions.csv"
    path.write_text(ACTIONS_LOG, encoding="utf-8")
    actions = programme.read_actions(path, pairs=pairs)
    by_status = programme.actions_by_status(actions)
    assert by_status["status"].tolist() == ["Proposed", "In progress", "Implemented", "Not pursued", "Total"]
    assert by_status["actions"].tolist() == [1, 1, 2, 1, 5] and by_status["pairs"].tolist() == [1, 1, 2, 1, 2]
    # activity: exact, so a count of 1 is shown as 1 (people's counts would be rounded to 0 or 5)
    shown = disclose(by_status, counts=["actions", "pairs"], basis="activity", name="actions by status")
    assert shown["actions"].tolist() == [1, 1, 2, 1, 5]
    listed = programme.actions_list(actions)
    assert listed.columns.tolist() == ["action", "area", "owner", "status", "date", "evidence"]
    # implemented first (by date), then in progress, proposed (no date), not pursued
    assert listed["action"].tolist() == ["Outreach in teacher training", "Race equality item in shortlisting guidance",
                                         "Reverse shadowing days for the executive", "Reading list review",
                                         "Mentoring for Black PhD students"]
    assert listed["date"].tolist() == ["5 December 2024", "12 March 2025", "1 February 2025", "", "20 January 2025"]
    assert listed["status"].tolist() == ["Implemented", "Implemented", "In progress", "Proposed", "Not pursued"]
    assert "pair_id" not in listed.columns
    assert disclose(listed, basis="activity", name="named changes")["owner"].iloc[0] == "School of Education"


def test_kirkpatrick_results_level_counts_actions_by_status(tmp_path, meetings, pairs):
    path = tmp_path / "actions.csv"
    path.write_text(ACTIONS_LOG, encoding="utf-8")
    actions = programme.read_actions(path, pairs=pairs)
    per_pair = programme.engagement_by_pair(meetings, pairs, planned=6)
    k = programme.kirkpatrick_summary(per_pair=per_pair, actions=actions)
    results = k.loc[k["level"] == "results"].set_index("measure")
    assert results["count"].to_dict() == {
        "Pairs with at least one recorded action or policy change": 2, "Actions implemented (of all recorded)": 2,
        "Actions in progress (of all recorded)": 1, "Actions proposed (of all recorded)": 1,
        "Actions not pursued (of all recorded)": 1}
    assert results.loc["Actions implemented (of all recorded)", ["share", "n"]].tolist() == [0.4, 5]
    assert results.loc["Pairs with at least one recorded action or policy change", ["share", "n"]].tolist() == [2 / 3, 3]
    assert set(results["basis"]) == {"activity"}
