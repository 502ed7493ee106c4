"""The community-leaders demo cohort: deterministic, valid, no institutional records, an outcomes log that reads."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from rmresearch import programme
from rmresearch.config import load_cohort
from rmresearch.errors import OutputRefused
from rmresearch.inputs import load_table, read_cohort_table, validate_cohort
from rmresearch.io.transcripts import read_transcript
from rmresearch.synthetic.community import generate_community


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def community(tmp_path_factory):
    out = tmp_path_factory.mktemp("community_a")
    return out, generate_community(out, seed=2024, quiet=True)


def _config(root: Path):
    return load_cohort("community", cohorts_dir=root / "cohorts")


def _truth(root: Path) -> dict:
    return json.loads((root / "data/community/ground_truth/effects.json").read_text(encoding="utf-8"))


def _table(config, name: str) -> pd.DataFrame:
    frame, problems = read_cohort_table(config, name)
    assert [p for p in problems if p.severity == "error"] == []
    return frame


def test_same_seed_gives_byte_identical_files_and_another_seed_other_pairs(community, tmp_path):
    root, _ = community
    generate_community(tmp_path / "b", seed=2024, quiet=True)
    assert _tree(tmp_path / "b") == _tree(root)
    generate_community(tmp_path / "c", seed=7, quiet=True)
    assert _tree(tmp_path / "c")["data/community/pairs.csv"] != _tree(root)["data/community/pairs.csv"]


def test_rmresearch_validate_passes_on_the_written_project(community, monkeypatch, capsys):
    from rmresearch.cli import main

    root, _ = community
    monkeypatch.chdir(root)
    assert main(["validate", "--cohort", "community"]) == 0
    out = capsys.readouterr().out
    assert "Cohort 'community' is valid" in out and "error:" not in out
    assert "1 participant(s) excluded from interview use (no consent)" in out
    _, problems = validate_cohort(_config(root))
    assert [p for p in problems if p.severity == "error"] == []


def test_ten_pairs_of_executive_leaders_and_community_partners_without_record_ids(community):
    """No students, staff or recruitment inputs, no staff_id/student_id; leaders White, partners Black (the cohort
    file's own ethnicity characteristic), both characteristics on the participants table only."""
    root, summary = community
    config = _config(root)
    assert not {"students", "staff", "recruitment"} & set(config.inputs)
    participants, pairs = _table(config, "participants"), _table(config, "pairs")
    assert len(participants) == 20 and len(pairs) == 10 and summary["counts"]["transcripts"] == 3
    assert participants["role"].value_counts().to_dict() == {"senior_leader": 10, "community_partner": 10}
    assert not {"staff_id", "student_id"} & set(participants.columns)
    raw = (root / "data/community/participants.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert "staff_id" not in raw and "student_id" not in raw
    assert set(pairs["senior_id"]) == set(participants.loc[participants["role"] == "senior_leader", "participant_id"])
    assert set(pairs["partner_id"]) == set(participants.loc[participants["role"] == "community_partner", "participant_id"])
    ethnicity = config.characteristics["ethnicity"]
    groups = ethnicity.group(participants["ethnicity_code"].astype(str))
    assert set(groups[participants["role"] == "senior_leader"]) == {"White"}
    assert set(groups[participants["role"] == "community_partner"]) == {"Black"}
    assert (ethnicity.reference, ethnicity.aggregate, ethnicity.label(ethnicity.aggregate)) == (
        "White", "Global majority", "global majority")
    assert {name: ch.tables for name, ch in config.characteristics.items()} == {
        "ethnicity": ("participants",), "sex": ("participants",)}
    partners = participants.loc[participants["role"] == "community_partner"]
    assert partners["grade"].isna().all() and partners["organisation"].notna().all()
    loaded = load_table(config, "participants")  # as the analyses read it: each characteristic's group columns
    assert loaded.groupby("role")["ethnicity_aggregate"].unique().map(list).to_dict() == {
        "community_partner": ["Global majority"], "senior_leader": ["White"]}
    assert loaded.groupby("role")["sex_group"].value_counts().to_dict() == {
        ("community_partner", "Female"): 5, ("community_partner", "Male"): 5,
        ("senior_leader", "Female"): 5, ("senior_leader", "Male"): 5}
    truth = _truth(root)["community"]
    assert truth["record_ids"] == [] and truth["inputs_absent"] == ["students", "staff", "recruitment"]


def test_actions_log_validates_and_counts_by_status_match_the_ground_truth(community):
    """Eight institutional changes from seven completed pairs: 2 proposed, 2 in progress, 3 implemented, 1 not
    pursued; owners are offices and roles, never a participant's name."""
    root, _ = community
    config = _config(root)
    pairs, participants = _table(config, "pairs"), _table(config, "participants")
    actions = programme.read_actions(config.inputs["actions"], pairs=pairs, participants=participants)
    by_status = programme.actions_by_status(actions).set_index("status")
    truth = _truth(root)["community"]["actions"]
    assert by_status["actions"].to_dict() == truth["by_status"] == {
        "Proposed": 2, "In progress": 2, "Implemented": 3, "Not pursued": 1, "Total": 8}
    assert by_status.loc["Total", "pairs"] == truth["pairs"] == 7
    assert set(actions["pair_id"]) <= set(pairs.loc[pairs["status"] == "completed", "pair_id"])
    assert not set(actions["owner"]) & set(participants["name"])
    assert sorted(set(actions["owner"])) == truth["owners"]
    assert {"teacher training", "accountability", "outreach"} <= set(actions["area"])


def test_one_partner_without_interview_consent_is_not_interviewed(community):
    """Three speaker-labelled transcripts (a leader, two partners), all in the manifest with their interviewee; the
    one community partner who declined interview is in none of them."""
    root, _ = community
    config = _config(root)
    participants = _table(config, "participants")
    declined = participants.loc[~participants["consent_interview"].astype(bool)]
    assert len(declined) == 1 and declined["role"].tolist() == ["community_partner"]
    manifest = pd.read_csv(root / "data/community/interview_manifest.csv", dtype=str)
    raw = root / "interviews/community/raw"
    assert sorted(manifest["file"]) == sorted(p.name for p in raw.iterdir()) == [
        "interview_01.docx", "interview_02.txt", "interview_03.vtt"]
    assert declined["participant_id"].iloc[0] not in set(manifest["participant_id"])
    roles = participants.set_index("participant_id")["role"]
    assert sorted(roles[manifest["participant_id"]]) == ["community_partner", "community_partner", "senior_leader"]
    names = participants.set_index("participant_id")["name"]
    declined_name = declined["name"].iloc[0]
    for row in manifest.itertuples():
        speakers = {t.speaker for t in read_transcript(raw / row.file).turns}
        assert names[row.participant_id] in speakers and declined_name not in speakers
    truth = _truth(root)
    assert truth["community"]["consent_interview_no"] == declined["participant_id"].tolist()
    assert truth["interviews"]["not_interviewed_no_consent"] == declined["participant_id"].tolist()
    assert truth["community"]["interviews"] == truth["community"]["interviews_usable"] == 3


def test_sessions_carry_their_type_and_meetings_held_match_the_ground_truth(community):
    root, _ = community
    config = _config(root)
    truth = _truth(root)["community"]
    sessions = pd.read_csv(root / "data/community/sessions.csv", dtype=str)
    assert sessions.groupby("session_type")["session"].unique().map(sorted).to_dict() == {
        "reflection": ["Final reflection and community panel", "Midpoint reflection"],
        "training": ["Joint induction and training"]}
    invited = {k: v["invited"] for k, v in truth["sessions_by_type"].items()}
    assert invited == {"reflection": 40, "training": 20}  # 20 people, two reflective sessions and one training
    attended = sessions.loc[sessions["attended"] == "yes"].groupby("session_type").size().to_dict()
    assert attended == {k: v["attended"] for k, v in truth["sessions_by_type"].items()}
    per_pair = programme.meetings_per_pair(_table(config, "meetings"), _table(config, "pairs"),
                                           planned=config.planned_meetings)
    assert int(per_pair["held"].sum()) == truth["meetings_held"]
    assert per_pair.set_index("pair_id")["held"].to_dict() == truth["meetings_held_by_pair"]
    assert truth["pairs_by_status"] == {"completed": 9, "withdrawn": 1}


def test_rewrites_itself_beside_the_pilot_but_never_a_foreign_cohort_file(community, tmp_path):
    from rmresearch.synthetic import generate_pilot

    generate_pilot(tmp_path, seed=2024, n_students=300, n_staff=300)
    pilot = _tree(tmp_path)
    generate_community(tmp_path, seed=2024, quiet=True)
    generate_community(tmp_path, seed=2024, quiet=True)  # over its own previous files
    after = _tree(tmp_path)
    assert {k: v for k, v in after.items() if k in pilot} == pilot
    assert {k: v for k, v in after.items() if k not in pilot} == _tree(community[0])
    foreign = tmp_path / "other"
    (foreign / "cohorts").mkdir(parents=True)
    (foreign / "cohorts/community.yml").write_text("cohort: community\n", encoding="utf-8")
    with pytest.raises(OutputRefused):
        generate_community(foreign, seed=2024, quiet=True)
    assert (foreign / "cohorts/community.yml").read_text(encoding="utf-8") == "cohort: community\n"


def test_transcripts_speak_of_the_city_not_of_staff_or_students(community):
    """The partners are outside the university: no turn of any transcript (interviewer's included) speaks of BAME
    staff, students, white colleagues or promotion, as the reciprocal staff-and-students bank does."""
    root, _ = community
    texts = [json.loads(line)["text"] for line in
             (root / "data/community/ground_truth/identifiers.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(texts) == 3
    for word in ("BAME", "white", "staff", "student", "promotion"):
        assert not [t for t in texts if word.lower() in t.lower()], word
    assert sum("community panel" in t or "held accountable by the community" in t for t in texts) >= 2
