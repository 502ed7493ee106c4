"""The synthetic demo cohort: determinism, valid tables, ground truth, recoverable effects."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from docx import Document

from rmresearch.codes import PARTNER_ROLES
from rmresearch.schemas import read_table
from rmresearch.synthetic import REVERSE_KEYED, SCALES, THEMES, generate_demo

SMALL = {"n_students": 3000, "n_staff": 500}
TABLES = ("participants", "pairs", "meetings", "students", "staff", "recruitment")
GRADES = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "Professor", "Director", "Executive")


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_a")
    summary = generate_demo(out, seed=2024, **SMALL)
    return out, summary


@pytest.fixture(scope="session")
def demo_again(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_b")
    generate_demo(out, seed=2024, **SMALL)
    return out


@pytest.fixture(scope="session")
def demo_full_students(tmp_path_factory):
    """Full-size student records (20,000) for the awarding-gap checks."""
    out = tmp_path_factory.mktemp("demo_full")
    generate_demo(out, seed=2024, n_students=20000, n_staff=300)
    return out


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _table(root: Path, name: str) -> pd.DataFrame:
    frame, problems = read_table(root / "data" / "demo" / f"{name}.csv", name)
    assert not [p for p in problems if p.severity == "error"]
    return frame


def _records(root: Path) -> list[dict]:
    path = root / "data/demo/ground_truth/identifiers.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_byte_identical_tree(demo, demo_again):
    a, b = _tree(demo[0]), _tree(demo_again)
    assert sorted(a) == sorted(b)
    assert any(name.endswith(".docx") for name in a)
    different = [name for name in a if a[name] != b[name]]
    assert different == []


def test_different_seed_gives_different_students(demo, demo_project):
    # demo_project (tests/conftest.py) is the same size with seed 7
    path = Path("data/demo/students.csv")
    assert (demo_project / path).read_bytes() != (demo[0] / path).read_bytes()


def test_config_is_a_copy_of_the_package_file(demo):
    from importlib import resources

    packaged = resources.files("rmresearch").joinpath("data/demo_cohort.yml").read_bytes()
    assert (demo[0] / "cohorts/demo.yml").read_bytes() == packaged


def test_layout_matches_the_configuration(demo):
    from rmresearch.config import load_cohort

    config = load_cohort(demo[0] / "cohorts/demo.yml", check_files=True)
    assert config.cohort == "demo"
    assert len(list(Path(config.inputs["interviews"]).iterdir())) == demo[1]["counts"]["transcripts"]


# --------------------------------------------------------------------------- tables


@pytest.mark.parametrize("name", TABLES)
def test_every_table_reads_without_errors(demo, name):
    from rmresearch.schemas import SCHEMAS

    frame = _table(demo[0], name)
    assert len(frame) > 0
    header = (demo[0] / "data/demo" / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    expected = [c.name for c in SCHEMAS[name].columns]
    if SCHEMAS[name].group_columns:  # recruitment: counts by a characteristic's group column, after the key
        expected.insert(len(SCHEMAS[name].key), "ethnicity_group")
    assert header == expected


def test_participants_and_pairs(demo):
    people = _table(demo[0], "participants")
    pairs = _table(demo[0], "pairs")
    assert people["participant_id"].is_unique
    assert people["participant_id"].tolist() == [f"P{i:02d}" for i in range(1, 53)]
    assert people["name"].is_unique
    role = people.set_index("participant_id")["role"]
    assert (role[pairs["senior_id"]] == "senior_leader").all()
    assert role[pairs["partner_id"]].isin(PARTNER_ROLES).all()
    assert sorted(pairs["senior_id"].tolist() + pairs["partner_id"].tolist()) == sorted(people["participant_id"])
    counts = role.value_counts()
    assert counts["senior_leader"] == 26 and 12 <= counts["staff_partner"] <= 16 and 10 <= counts["student_partner"] <= 14
    assert set(pairs["status"]) == {"completed", "withdrawn"}
    assert pairs.loc[pairs["status"] == "withdrawn", "end_date"].notna().all()
    leaders = people[people["role"] == "senior_leader"]
    assert set(leaders["grade"]) <= {"Professor", "Director", "Executive"}
    assert (leaders["ethnicity_group"] == "White").mean() > 0.8
    students = people[people["role"] == "student_partner"]
    assert (students["ethnicity_group"] == "Black").all()


def test_meetings_follow_the_pairs(demo):
    pairs = _table(demo[0], "pairs").set_index("pair_id")
    meetings = _table(demo[0], "meetings")
    assert set(meetings["pair_id"]) == set(pairs.index)
    per_pair = meetings.groupby("pair_id").size()
    assert (per_pair[pairs.index[pairs["status"] == "completed"]] == 6).all()
    assert (per_pair[pairs.index[pairs["status"] == "withdrawn"]] < 6).all()
    joined = meetings.drop(columns="_row").join(pairs.drop(columns="_row"), on="pair_id")
    assert (joined["date"] >= joined["start_date"]).all() and (joined["date"] <= joined["end_date"]).all()
    attended = meetings[meetings["attended"]]
    assert attended["minutes"].between(45, 100).all()
    assert meetings.loc[~meetings["attended"], "minutes"].isna().all()


def test_surveys(demo):
    root = demo[0]
    effects = json.loads((root / "data/demo/ground_truth/effects.json").read_text(encoding="utf-8"))
    assert effects["surveys"]["reverse_keyed"] == list(REVERSE_KEYED)
    for wave in ("pre", "post"):
        frame, problems = read_table(root / f"surveys/demo/{wave}.csv", "survey")
        assert not problems
        expected = [f"{s}_{j}" for s, (k, waves) in SCALES.items() if wave in waves for j in range(1, k + 1)]
        assert list(frame.columns[1:3]) == ["participant_id", "wave"]
        assert list(frame.columns[3:]) == expected
        items = frame[expected].apply(pd.to_numeric)
        assert items.stack().between(1, 5).all()
        assert items.isna().any().any()  # a few item non-responses
    pre = pd.read_csv(root / "surveys/demo/pre.csv")
    post = pd.read_csv(root / "surveys/demo/post.csv")
    assert len(post) < len(pre) <= 52


# --------------------------------------------------------------------------- transcripts and ground truth


def _docx_turns(path: Path) -> list[tuple[str, str]]:
    paragraphs = [p.text for p in Document(path).paragraphs]
    turns = []
    for header, text in zip(paragraphs[::2], paragraphs[1::2]):
        m = re.fullmatch(r"(.+?)   (\d+):(\d{2})", header)
        assert m, header
        turns.append((m.group(1), text))
    return turns


def _vtt_turns(path: Path) -> list[tuple[str, str]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "WEBVTT"
    turns: list[tuple[str, str]] = []
    for i, line in enumerate(lines):
        if "-->" in line:
            assert re.fullmatch(r"\d{2}:\d{2}:\d{2}\.\d{3} --> \d{2}:\d{2}:\d{2}\.\d{3}", line)
            assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/\d+-\d+", lines[i - 1])
            m = re.fullmatch(r"<v ([^>]+)>(.*)</v>", lines[i + 1])
            assert m, lines[i + 1]
            if turns and turns[-1][0] == m.group(1):
                turns[-1] = (m.group(1), turns[-1][1] + " " + m.group(2))
            else:
                turns.append((m.group(1), m.group(2)))
    return turns


def test_ground_truth_files(demo):
    root = demo[0]
    effects = json.loads((root / "data/demo/ground_truth/effects.json").read_text(encoding="utf-8"))
    for key in ("students", "staff", "recruitment", "surveys", "programme", "interviews"):
        assert key in effects
    assert effects["staff"]["promotion_hr"]["bame"] == pytest.approx(0.7)
    assert effects["staff"]["promotion_hr"]["mentored"] == pytest.approx(1.4)
    assert effects["staff"]["leaving_hr"]["bame"] == pytest.approx(1.3)
    assert effects["recruitment"]["true_relative_likelihood_appointed_from_shortlisting_white_vs_bame"] == 1.5
    records = _records(root)
    formats = [r["format"] for r in records]
    assert (formats.count("txt"), formats.count("docx"), formats.count("vtt")) == (6, 5, 4)
    raw = sorted(p.name for p in (root / "interviews/demo/raw").iterdir())
    assert raw == sorted(r["file"] for r in records)


def test_spans_and_turns_match_the_canonical_text(demo):
    root = demo[0]
    for rec in _records(root):
        text = rec["text"]
        assert text == "\n".join(f"{t['speaker']}: {t['text']}" for t in rec["turns"])
        assert [[s["start"], s["end"], s["label"]] for s in rec["spans"]] == rec["label"]
        previous_end = 0
        for span in rec["spans"]:
            assert text[span["start"]:span["end"]] == span["text"]
            assert span["start"] >= previous_end  # sorted, no overlaps
            previous_end = span["end"]
            if span["label"] == "PERSON":
                assert span["origin"] in ("african", "caribbean", "south_asian", "east_asian", "arabic", "british", "irish")
                assert span["person"]
        for turn in rec["turns"]:
            assert set(turn["themes"]) <= set(THEMES)
            assert "  " not in turn["text"] and turn["text"] == turn["text"].strip()
        path = root / "interviews/demo/raw" / rec["file"]
        if rec["format"] == "txt":
            assert path.read_text(encoding="utf-8").removesuffix("\n") == text
        elif rec["format"] == "docx":
            assert _docx_turns(path) == [(t["speaker"], t["text"]) for t in rec["turns"]]
        else:
            assert _vtt_turns(path) == [(t["speaker"], t["text"]) for t in rec["turns"]]
        assert sum(len(t["themes"]) > 0 for t in rec["turns"]) >= 6


def test_auto_caption_transcript_is_lower_case_without_punctuation(demo):
    captions = [r for r in _records(demo[0]) if r["auto_caption"]]
    assert len(captions) == 1 and captions[0]["format"] == "vtt"
    for turn in captions[0]["turns"]:
        assert turn["text"] == turn["text"].lower()
        assert not re.search(r"[.,;:!?]", turn["text"])


def test_roster_people_map_to_one_participant_id(demo):
    root = demo[0]
    people = _table(root, "participants").set_index("participant_id")
    records = _records(root)
    interviewed = [r["participant_id"] for r in records]
    assert len(set(interviewed)) == len(interviewed)
    assert people.loc[interviewed, "consent_interview"].all()
    forms = {pid: [row["name"]] + [a.strip() for a in (row["aliases"] or "").split(";") if a.strip()]
             for pid, row in people.iterrows()}
    for rec in records:
        pid = rec["participant_id"]
        speakers = {t["speaker_id"] for t in rec["turns"]}
        assert pid in speakers and len(speakers) == 2
        assert any(s["person"] == pid for s in rec["spans"])
        seen: dict[str, str] = {}
        for span in rec["spans"]:
            if span["label"] != "PERSON":
                continue
            assert seen.setdefault(span["text"].lower(), span["person"]) == span["person"]
            if span["person"].startswith("P"):
                assert any(span["text"].lower() in f.lower() for f in forms[span["person"]]), span
            else:
                assert re.fullmatch(r"X\d{2}", span["person"])
    # people not on the roster are mentioned, and so are the tricky name shapes
    spans = [s for r in records for s in r["spans"]]
    assert any(s["person"].startswith("X") for s in spans if s["label"] == "PERSON" and s["person"])
    names = " ".join(s["text"] for s in spans if s["label"] == "PERSON")
    for needle in ("-", "Ó ", "Abdul "):
        assert needle in names
    assert {"EMAIL", "PHONE", "STAFF_ID", "STUDENT_ID", "POSTCODE", "LOCATION"} <= {s["label"] for s in spans}


IDENTIFIER_PATTERNS = {
    "EMAIL": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "PHONE": re.compile(r"(?:\+?44\s?(?:\(0\))?|0)?(?:7700\s?900\s?\d{3}|161\s?496\s?0\d{3}|20\s?7946\s?0\d{3})"),
    "STAFF_ID": re.compile(r"\bS\d{6}\b", re.IGNORECASE),
    "STUDENT_ID": re.compile(r"\b2\d{8}\b"),
}


def test_every_identifier_in_the_raw_files_is_covered(demo):
    root = demo[0]
    for rec in _records(root):
        path = root / "interviews/demo/raw" / rec["file"]
        if rec["format"] == "docx":
            raw = "\n".join(p.text for p in Document(path).paragraphs)
        else:
            raw = path.read_text(encoding="utf-8")
        for label, pattern in IDENTIFIER_PATTERNS.items():
            covered = [s["text"] for s in rec["spans"] if s["label"] == label]
            for match in pattern.finditer(raw):
                assert any(match.group(0) in c for c in covered), (rec["file"], label, match.group(0))
        if rec["format"] == "txt":  # offsets are file offsets: check positions too
            text = rec["text"]
            for label, pattern in IDENTIFIER_PATTERNS.items():
                for match in pattern.finditer(text):
                    assert any(s["start"] <= match.start() and match.end() <= s["end"] for s in rec["spans"]), match.group(0)


def test_no_transcript_for_people_without_interview_consent(demo):
    people = _table(demo[0], "participants")
    declined = set(people.loc[~people["consent_interview"].astype(bool), "participant_id"])
    assert declined
    assert not declined & {r["participant_id"] for r in _records(demo[0])}


# --------------------------------------------------------------------------- injected truth is recoverable


def _good_honours(students: pd.DataFrame) -> pd.DataFrame:
    classified = students[students["degree_class"].isin(["First", "2:1", "2:2", "Third"])].copy()
    classified["good"] = classified["degree_class"].isin(["First", "2:1"])
    classified["bame"] = classified["ethnicity_group"].isin(["Asian", "Black", "Mixed", "Other"])
    return classified


def test_awarding_gap_in_the_stated_range(demo_full_students):
    students = _table(demo_full_students, "students")
    assert len(students) == 20000
    assert students["student_id"].str.fullmatch(r"2\d{8}").all()
    g = _good_honours(students)
    white = g.loc[g["ethnicity_group"] == "White", "good"].mean()
    bame = g.loc[g["bame"], "good"].mean()
    gap = 100 * (white - bame)
    assert 10 <= gap <= 13
    effects = json.loads((demo_full_students / "data/demo/ground_truth/effects.json").read_text(encoding="utf-8"))
    assert effects["students"]["realised"]["gap_white_bame_pp"] == pytest.approx(gap, abs=0.01)
    explained = effects["students"]["realised"]["gap_explained_pp"] / effects["students"]["realised"]["gap_white_bame_expected_pp"]
    assert 0.35 <= explained <= 0.65
    mentored_gap = 100 * (white - g.loc[g["bame"] & g["mentored"].astype(bool), "good"].mean())
    other_gap = 100 * (white - g.loc[g["bame"] & ~g["mentored"].astype(bool), "good"].mean())
    assert mentored_gap < other_gap - 3
    # ethnicity mix close to UK proportions
    share = students["ethnicity_group"].value_counts(normalize=True)
    assert 0.66 <= share["White"] <= 0.74 and 0.06 <= share["Black"] <= 0.10
    # non-qualifiers have no class or year
    not_done = ~students["completed"].fillna(False).astype(bool)
    assert students.loc[not_done, "degree_class"].isna().all()
    assert students.loc[not_done, "qualification_year"].isna().all()
    mentored = students[students["mentored"].astype(bool)]
    assert 0.03 <= len(mentored) / len(students) <= 0.07
    assert mentored["ethnicity_group"].isin(["Black", "Asian"]).mean() > 0.7
    assert (mentored["entry_year"] >= 2019).all()


def test_staff_bame_promotion_rate_lower(demo):
    staff = _table(demo[0], "staff")
    assert staff["staff_id"].str.fullmatch(r"S\d{6}").all()
    assert set(staff["grade"]) <= set(GRADES)
    rank = {g: i for i, g in enumerate(GRADES)}
    staff["rank"] = staff["grade"].map(rank)
    nxt = staff[["staff_id", "year", "rank"]].assign(year=staff["year"] - 1).rename(columns={"rank": "next_rank"})
    stays = staff.merge(nxt, on=["staff_id", "year"])
    assert not stays["left"].astype(bool).any()
    stays = stays[stays["grade"] != "Executive"]
    promoted = stays["next_rank"] > stays["rank"]
    bame = stays["ethnicity_group"].isin(["Asian", "Black", "Mixed", "Other"])
    assert promoted[bame].mean() < promoted[stays["ethnicity_group"] == "White"].mean()
    # leavers are not in the next snapshot; headcount roughly stable; BAME share falls with grade
    heads = staff.groupby("year").size()
    assert heads.max() / heads.min() < 1.1
    low = staff[staff["rank"] <= 4]["ethnicity_group"].isin(["Asian", "Black", "Mixed", "Other"]).mean()
    high = staff[staff["rank"] >= 9]["ethnicity_group"].isin(["Asian", "Black", "Mixed", "Other"]).mean()
    assert high < low
    mentored = staff[staff["mentored"].astype(bool)]
    assert mentored["ethnicity_group"].isin(["Asian", "Black", "Mixed", "Other"]).all()


def test_recruitment_relative_likelihood(demo):
    rec = _table(demo[0], "recruitment")
    assert ((rec["applied"] >= rec["shortlisted"]) & (rec["shortlisted"] >= rec["appointed"])).all()
    assert set(rec["ethnicity_group"]) == {"White", "Asian", "Black", "Mixed", "Other"}
    w = rec[rec["ethnicity_group"] == "White"]
    b = rec[rec["ethnicity_group"] != "White"]
    rl = (w["appointed"].sum() / w["shortlisted"].sum()) / (b["appointed"].sum() / b["shortlisted"].sum())
    assert 1.15 < rl < 2.0


def test_survey_changes_recoverable(demo):
    root = demo[0]
    people = _table(root, "participants").set_index("participant_id")
    leader = people["role"] == "senior_leader"

    def scores(wave):
        frame = pd.read_csv(root / f"surveys/demo/{wave}.csv").set_index("participant_id")
        out = {}
        for scale, (k, waves) in SCALES.items():
            if wave in waves:
                items = frame[[f"{scale}_{j}" for j in range(1, k + 1)]].copy()
                for c in items.columns:
                    if c in REVERSE_KEYED:
                        items[c] = 6 - items[c]
                out[scale] = items.mean(axis=1)
        return pd.DataFrame(out)

    pre, post = scores("pre"), scores("post")
    both = pre.index.intersection(post.index)
    change = post.loc[both, pre.columns] - pre.loc[both]
    is_leader = leader[both].to_numpy()
    assert change.loc[is_leader, "lived_experience"].mean() > 0.4
    assert change.loc[is_leader, "inclusive_leadership"].mean() > 0.4
    assert change.loc[~is_leader, "career_confidence"].mean() > 0.2
    assert change.loc[~is_leader, "sponsorship"].mean() > 0.2
    burden = post["burden"]
    assert burden[~leader[post.index].to_numpy()].mean() > burden[leader[post.index].to_numpy()].mean() + 0.5


def test_generate_demo_returns_a_summary(demo):
    summary = demo[1]
    assert summary["counts"]["participants"] == 52
    assert summary["counts"]["students"] == SMALL["n_students"]
    assert "cohorts/demo.yml" in summary["files"]
    assert np.isclose(summary["effects"]["staff"]["promotion_log_hr"]["bame"], np.log(0.7))


def test_session_attendance_is_written_and_withdrawn_pairs_miss_later_sessions(demo_project):
    from rmresearch.config import load_cohort
    from rmresearch.inputs import load_table
    from rmresearch.programme import session_attendance

    cfg = load_cohort(demo_project / "cohorts" / "demo.yml")
    sessions = load_table(cfg, "sessions")
    participants = load_table(cfg, "participants")
    pairs = load_table(cfg, "pairs")
    assert len(sessions) == 3 * len(participants)
    for pair in pairs.loc[pairs["status"] == "withdrawn"].itertuples():
        later = sessions.loc[sessions["participant_id"].isin([pair.senior_id, pair.partner_id])
                             & (sessions["date"] > pair.end_date)]
        assert not later["attended"].any()
    table = session_attendance(sessions, participants)
    assert table.groupby("session")["invited"].sum().eq(len(participants)).all()
    assert (table["attended"] <= table["invited"]).all()


@pytest.mark.slow
def test_sessions_naming_unknown_participants_are_reported(demo_copy):
    from rmresearch.config import load_cohort
    from rmresearch.inputs import validate_cohort

    path = demo_copy / "data" / "demo" / "sessions.csv"
    path.write_text(path.read_text() + "P99,Final reflection,2025-03-26,yes\n")
    _, problems = validate_cohort(load_cohort(demo_copy / "cohorts" / "demo.yml"))
    [problem] = [p for p in problems if p.severity == "error"]
    assert problem.column == "participant_id" and "'P99'" in problem.message and problem.row == 158


def test_name_pools_and_interview_text_are_package_data():
    import fnmatch
    import tomllib
    from importlib import resources

    from rmresearch.synthetic import texts

    globs = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["rmresearch"]
    for name in ("names.json", "interview_text.json"):
        assert resources.files("rmresearch").joinpath(f"data/demo/{name}").is_file()
        assert any(fnmatch.fnmatch(f"data/demo/{name}", g) for g in globs), globs
    assert tuple(texts.ANSWERS) == THEMES and tuple(texts.QUESTIONS) == THEMES
    assert all(isinstance(pool, tuple) and pool for pools in texts.NAME_POOLS.values() for pool in pools)


def test_too_small_a_demo_is_refused_with_an_analysis_error(tmp_path):
    from rmresearch.errors import AnalysisError

    with pytest.raises(AnalysisError, match="at least 100"):
        generate_demo(tmp_path / "small", n_students=99)
    assert not (tmp_path / "small").exists()


# --------------------------------------------------------------------------- the pilot-shaped cohort (issue 13)

from rmresearch.config import load_cohort  # noqa: E402
from rmresearch.errors import OutputRefused  # noqa: E402
from rmresearch.inputs import read_cohort_table, validate_cohort  # noqa: E402
from rmresearch.io.transcripts import read_transcript  # noqa: E402
from rmresearch.synthetic import generate_pilot  # noqa: E402

PILOT_SMALL = {"n_students": 1000, "n_staff": 400}


@pytest.fixture(scope="session")
def pilot(tmp_path_factory):
    out = tmp_path_factory.mktemp("pilot_a")
    return out, generate_pilot(out, seed=2024, **PILOT_SMALL)


def _pilot_csv(root: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(root / "data" / "pilot" / f"{name}.csv", dtype=str, keep_default_na=False)


def _pilot_export(root: Path, name: str) -> pd.DataFrame:
    """An export's records (below two title rows and a blank row, above the totals row), columns as the schema names them."""
    frame = pd.read_csv(root / "data" / "pilot" / f"{name}.csv", skiprows=3, dtype=str, keep_default_na=False).iloc[:-1]
    return frame.rename(columns=lambda c: c.lower().replace(" ", "_"))


def _pilot_problems(root: Path) -> list:
    _, problems = validate_cohort(load_cohort("pilot", cohorts_dir=root / "cohorts"))
    return [p for p in problems if p.severity == "error"]


def test_pilot_is_byte_identical_for_a_seed_and_differs_for_another(pilot, tmp_path):
    root, _ = pilot
    generate_pilot(tmp_path / "b", seed=2024, **PILOT_SMALL)
    assert _tree(root) == _tree(tmp_path / "b")
    generate_pilot(tmp_path / "c", seed=7, **PILOT_SMALL)
    other = _tree(tmp_path / "c")
    assert other["data/pilot/pairs.csv"] != _tree(root)["data/pilot/pairs.csv"]


def test_pilot_has_12_pairs_24_participants_and_its_ground_truth(pilot):
    root, summary = pilot
    participants, pairs = _pilot_csv(root, "participants"), _pilot_csv(root, "pairs")
    assert len(participants) == 24 and participants["participant_id"].is_unique and set(participants["cohort"]) == {"pilot"}
    assert len(pairs) == 12
    assert participants["role"].value_counts().to_dict() == {"senior_leader": 12, "staff_partner": 6, "student_partner": 6}
    assert set(pairs["senior_id"]) | set(pairs["partner_id"]) == set(participants["participant_id"])
    truth = json.loads((root / "data/pilot/ground_truth/effects.json").read_text(encoding="utf-8"))
    assert truth["generator"]["module"] == "rmresearch.synthetic" and truth["cohort"]["id"] == "pilot"
    assert (truth["pilot"]["pairs"], truth["pilot"]["participants"], truth["pilot"]["interviews"]) == (12, 24, 4)
    assert truth["pilot"]["interviews_usable"] == 3 and truth["pilot"]["interviewed_without_consent"] == ["interview_04.txt"]
    assert summary["counts"]["pairs"] == 12 and summary["counts"]["transcripts"] == 4
    assert sorted(p.name for p in (root / "interviews/pilot/raw").iterdir()) == [
        "interview_01.docx", "interview_02.txt", "interview_03.vtt", "interview_04.txt"]
    assert (root / "cohorts/pilot.yml").is_file() and not (root / "cohorts/demo.yml").exists()


def test_pilot_participant_without_interview_consent_has_the_fourth_transcript_in_the_manifest_and_codings(pilot):
    """interview_04.txt is theirs (interviewed before they said no): labelled turns, a manifest row, both coders' codings,
    so the pilot's report shows that consent is honoured, not merely that nobody without consent was interviewed."""
    root, _ = pilot
    participants = _pilot_csv(root, "participants")
    declined = participants.loc[participants["consent_interview"] == "No", "participant_id"].tolist()
    assert declined == ["P11"] and set(participants["consent_interview"]) == {"Yes", "No"}
    truth = json.loads((root / "data/pilot/ground_truth/effects.json").read_text(encoding="utf-8"))
    assert truth["pilot"]["consent_interview_no"] == declined
    assert truth["interviews"]["interviewed_no_consent"] == declined and truth["interviews"]["not_interviewed_no_consent"] == []
    records = _records_of(root)
    assert [(r["file"], r["participant_id"]) for r in records] == [
        ("interview_01.docx", "P01"), ("interview_02.txt", "P13"), ("interview_03.vtt", "P14"), ("interview_04.txt", "P11")]
    assert [f["file"] for f in truth["interviews"]["files"] if f["participant_id"] in declined] == ["interview_04.txt"]
    manifest = pd.read_csv(root / "data/pilot/interview_manifest.csv", dtype=str)
    assert manifest.loc[manifest["file"] == "interview_04.txt", "participant_id"].tolist() == declined
    # speaker-labelled: the interviewer asks, the interviewee (by their full name, as in the docx) answers
    name = participants.set_index("participant_id").loc["P11", "name"]
    transcript = read_transcript(root / "interviews/pilot/raw/interview_04.txt")
    assert {t.speaker for t in transcript.turns} == {"Interviewer", name} and len(transcript.turns) == len(records[3]["turns"])
    theirs = {f"interview_04#t{n:03d}" for n, t in enumerate(records[3]["turns"], start=1) if t["speaker_id"] == "P11"}
    codings = pd.read_csv(root / "data/pilot/codings.csv", dtype=str)
    coded = codings.loc[codings["segment_id"].str.startswith("interview_04#")]
    assert set(coded["coder"]) == {"coder_a", "coder_b"} and len(coded) >= 10 and set(coded["segment_id"]) <= theirs
    # none of their answers is said in another pilot interview, so finding one of them in a report means a leak
    others = " ".join(r["text"] for r in records[:3]).casefold()
    answers = [s for t in records[3]["turns"] if t["speaker_id"] == "P11" and t["themes"]
               for s in re.findall(r"[^.?!]{40,}[.?!]", t["text"])]
    assert len(answers) >= 10 and not [s for s in answers if s.strip().casefold() in others]


def _records_of(root: Path) -> list[dict]:
    lines = (root / "data/pilot/ground_truth/identifiers.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_pilot_auto_caption_is_lower_case_without_speaker_labels_and_reads(pilot):
    root, _ = pilot
    vtt = (root / "interviews/pilot/raw/interview_03.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT") and "<v " not in vtt
    cues = [line for line in vtt.splitlines()[2:] if line and "-->" not in line and "/" not in line[:40]]
    assert cues and all(c == c.lower() for c in cues)
    assert [r["auto_caption"] for r in _records_of(root)] == [False, False, True, False]
    transcript = read_transcript(root / "interviews/pilot/raw/interview_03.vtt")
    assert transcript.turns and {t.speaker for t in transcript.turns} == {None}
    txt = read_transcript(root / "interviews/pilot/raw/interview_02.txt")
    assert {t.speaker for t in txt.turns} >= {"Interviewer"}


def test_pilot_exports_have_title_rows_totals_row_and_labels(pilot):
    root, _ = pilot
    for name, rows in (("students", 1000), ("staff", 0)):
        lines = (root / f"data/pilot/{name}.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("University of Anytown (synthetic)") and lines[2] == ""
        assert lines[3].startswith(("Student ID,Ethnicity code,", "Staff ID,Year,Grade,Ethnicity code,"))
        total = lines[-1].split(",")
        assert total[0] == "Total" and int(total[1]) == len(lines) - 5
        if rows:
            assert int(total[1]) == rows
    students = _pilot_export(root, "students")
    assert "ethnicity_group" not in students.columns
    assert "White - British" in set(students["ethnicity_code"]) and not students["ethnicity_code"].str.fullmatch(r"\d+").any()
    assert {"Upper Second Class Honours", "First Class Honours"} <= set(students["degree_class"])
    assert set(students["mentored"]) == {"Yes", "No"}
    pairs = _pilot_csv(root, "pairs")
    assert pairs["start_date"].str.fullmatch(r"\d\d/\d\d/2024").all()
    assert set(pairs["status"]) == {"Completed", "Withdrawn"}
    participants = _pilot_csv(root, "participants")
    assert not participants["ethnicity_code"].str.fullmatch(r"\d+").any()


def test_pilot_mentored_staff_have_one_year_of_follow_up_and_students_not_yet_graduated(pilot):
    root, _ = pilot
    staff = _pilot_export(root, "staff")
    assert sorted(staff["year"].unique()) == [str(y) for y in range(2019, 2025)]
    assert sorted(staff.loc[staff["mentored"] == "Yes", "year"].unique()) == ["2023", "2024"]
    students = _pilot_export(root, "students")
    truth = json.loads((root / "data/pilot/ground_truth/effects.json").read_text(encoding="utf-8"))
    waiting = truth["students"]["not_yet_graduated_mentored"]
    assert len(waiting) == 3
    linked = set(_pilot_csv(root, "participants")["student_id"])
    rows = students[students["student_id"].isin(waiting)]
    assert set(waiting) <= linked and len(rows) == 3
    assert (rows["mentored"] == "Yes").all() and (rows["completed"] == "").all() and (rows["degree_class"] == "").all()
    assert (rows["qualification_year"] == "").all() and (rows["entry_year"] == "2023").all()


def test_pilot_validate_warns_of_the_two_totals_rows_and_finds_no_error(pilot, tmp_path):
    """The exports' totals rows are left out with a warning naming their row; nothing else is wrong with the pilot."""
    root, _ = pilot
    assert _pilot_problems(root) == []
    config = load_cohort("pilot", cohorts_dir=root / "cohorts")
    warned = {}
    for name in ("students", "staff"):
        _, problems = read_cohort_table(config, name)
        warned[name] = [(p.severity, p.column, p.message) for p in problems]
        rows = (root / f"data/pilot/{name}.csv").read_text(encoding="utf-8").splitlines()
        assert [p.row for p in problems] == [len(rows)] and rows[-1].startswith("Total,")
    assert warned == {
        "students": [("warning", "student_id", "a totals row; left out (the analyses count the records themselves)")],
        "staff": [("warning", "staff_id", "a totals row; left out (the analyses count the records themselves)")]}


def test_pilot_actions_log_is_named_in_its_cohort_file_and_reads_as_the_report_reads_it(pilot):
    """Five institutional changes from four completed pairs, one of each status and two implemented, with owners
    (roles and units, none a roster name: validate found no problem above) and UK dates."""
    from rmresearch import programme

    root, _ = pilot
    config = load_cohort("pilot", cohorts_dir=root / "cohorts")
    assert config.inputs["actions"] == root / "data/pilot/actions.csv"
    raw = _pilot_csv(root, "actions")
    assert raw["date"].str.fullmatch(r"\d\d/\d\d/2025").all() and "In progress" in set(raw["status"])
    pairs, participants = read_cohort_table(config, "pairs")[0], read_cohort_table(config, "participants")[0]
    actions = programme.read_actions(config.inputs["actions"], pairs=pairs, participants=participants)
    by_status = programme.actions_by_status(actions).set_index("status")
    assert by_status["actions"].to_dict() == {"Proposed": 1, "In progress": 1, "Implemented": 2, "Not pursued": 1, "Total": 5}
    assert by_status.loc["Total", "pairs"] == 4
    completed = set(pairs.loc[pairs["status"] == "completed", "pair_id"])
    assert set(actions["pair_id"]) <= completed
    truth = json.loads((root / "data/pilot/ground_truth/effects.json").read_text(encoding="utf-8"))
    assert truth["pilot"]["actions"] == {"actions": 5, "pairs": 4, "by_status": {
        "Implemented": 2, "In progress": 1, "Not pursued": 1, "Proposed": 1}}
    assert not set(actions["owner"]) & set(participants["name"])


def test_pilot_rewrites_itself_but_never_a_project_file(pilot, tmp_path):
    generate_pilot(tmp_path, seed=2024, **PILOT_SMALL)
    generate_pilot(tmp_path, seed=2024, **PILOT_SMALL)  # over its own previous files, cohorts/pilot.yml included
    assert _tree(tmp_path) == _tree(pilot[0])
    foreign = tmp_path / "other"
    (foreign / "cohorts").mkdir(parents=True)
    (foreign / "cohorts/pilot.yml").write_text("cohort: pilot\n", encoding="utf-8")
    with pytest.raises(OutputRefused):
        generate_pilot(foreign, seed=2024, **PILOT_SMALL)
    assert (foreign / "cohorts/pilot.yml").read_text(encoding="utf-8") == "cohort: pilot\n"


def test_pilot_beside_the_full_demo_changes_none_of_its_files(tmp_path):
    generate_demo(tmp_path / "a", seed=2024, n_students=200, n_staff=200)
    generate_demo(tmp_path / "b", seed=2024, n_students=200, n_staff=200)
    generate_pilot(tmp_path / "b", seed=2024, **PILOT_SMALL)
    generate_demo(tmp_path / "b", seed=2024, n_students=200, n_staff=200)  # the demo again, beside the pilot
    demo_files = _tree(tmp_path / "a")
    assert {k: v for k, v in _tree(tmp_path / "b").items() if k in demo_files} == demo_files


def test_demo_command_pilot_flag(pilot, tmp_path, capsys):
    from rmresearch.cli import main

    assert main(["demo", "--pilot", "--out", str(tmp_path), "--students", "1000", "--staff", "400"]) == 0
    assert "Synthetic pilot cohort written" in capsys.readouterr().out
    assert _tree(tmp_path) == _tree(pilot[0])
