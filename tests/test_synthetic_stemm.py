"""The reverse-mentoring STEMM demo cohort: the injected truths are recovered by the analyses the report runs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from rmresearch import attainment, progression, programme
from rmresearch.config import load_cohort
from rmresearch.inputs import load_table
from rmresearch.io.tables import read_actions
from rmresearch.synthetic import generate_stemm
from rmresearch.synthetic.stemm import DISABLED_CODES, GOOD_HONOURS, PROMOTION_RATIO, STEMM_SESSIONS


@pytest.fixture(scope="module")
def stemm(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("stemm")
    summary = generate_stemm(out)
    effects = json.loads((out / "data/stemm/ground_truth/effects.json").read_text(encoding="utf-8"))
    return out, effects


@pytest.fixture(scope="module")
def cfg(stemm):
    return load_cohort(stemm[0] / "cohorts" / "stemm.yml")


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_and_another_seed_differs(stemm, tmp_path):
    root, _ = stemm
    again = generate_stemm(tmp_path / "a")
    assert _files(root) == _files(tmp_path / "a")
    assert again["counts"] == {"participants": 28, "pairs": 14, "meetings": again["counts"]["meetings"],
                               "students": 4000, "staff": 7200, "transcripts": 4}
    generate_stemm(tmp_path / "b", seed=7)
    other = _files(tmp_path / "b")
    assert other.keys() == _files(root).keys()
    assert other["data/stemm/staff.csv"] != _files(root)["data/stemm/staff.csv"]


def test_the_cohort_is_reverse_with_mentors_from_under_represented_groups(stemm, cfg):
    _, effects = stemm
    assert cfg.programme_type == "reverse"
    assert list(cfg.characteristics) == ["disability", "sex", "sexual_orientation", "ethnicity"]
    assert cfg.focus.name == "disability" and [c.name for c in cfg.intersections] == ["disability_by_sex"]
    people = load_table(cfg, "participants")
    assert people["role"].value_counts().to_dict() == {"senior_leader": 14, "staff_partner": 14}
    assert people["staff_id"].notna().all() and not people["student_id"].notna().any()
    mentors = people[people["role"] == "staff_partner"]
    white = mentors["ethnicity_group"] == "White"
    under_represented = ((mentors["disability_group"] == "Disabled") | (mentors["sexual_orientation_group"] == "LGB+")
                         | (mentors["sex_group"] == "Female") | ~white)
    assert under_represented.all()
    groups = effects["stemm"]["reverse_mentor_groups"]
    assert groups["disabled"] == int((mentors["disability_group"] == "Disabled").sum())
    assert groups["in_none_recorded"] == 0
    # each participant's row carries their staff record's codes (the last census)
    staff = load_table(cfg, "staff")
    last = staff[staff["year"] == 2024].set_index("staff_id")
    for column in ("disability_code", "sexual_orientation_code", "ethnicity_code", "sex"):
        assert (people.set_index("staff_id")[column] == last.loc[people["staff_id"], column]).all(), column


def test_sessions_by_type_and_hour_long_meetings(cfg):
    sessions = load_table(cfg, "sessions")
    people = load_table(cfg, "participants").set_index("participant_id")["role"]
    invited = sessions.assign(role=sessions["participant_id"].map(people)).groupby("session_type")["role"]
    assert {k: sorted(set(v)) for k, v in invited} == {
        "peer_support": ["staff_partner"], "preparation": ["senior_leader"],
        "reflection": ["senior_leader", "staff_partner"], "training": ["staff_partner"]}
    # reverse mentors: training and 4 peer support sessions; reverse mentees: preparation; everyone: 2 reflections
    assert len(sessions) == 14 * (1 + 4) + 14 + 28 * 2 and sessions["session"].nunique() == len(STEMM_SESSIONS)
    meetings = load_table(cfg, "meetings")
    held = meetings[meetings["attended"]]
    assert held["minutes"].between(50, 75).all() and held["minutes"].median() == 60


def test_unknown_and_prefer_not_to_say_are_counted(stemm, cfg):
    root, _ = stemm
    raw = pd.read_csv(root / "data/stemm/staff.csv", dtype=str, keep_default_na=False)
    staff = load_table(cfg, "staff")
    assert (staff["disability_group"] == "Unknown").sum() == raw["disability_code"].isin(["98", "99"]).sum() > 0
    assert ((staff["sexual_orientation_group"] == "Unknown").sum()
            == raw["sexual_orientation_code"].isin(["98", "99"]).sum() > 0)
    assert (staff["sex_group"] == "Unknown").sum() == raw["sex"].isin(["Prefer not to say", "Not known"]).sum() > 0
    assert len(staff) == len(raw)  # nobody dropped


def test_promotion_gap_for_disabled_staff_is_recovered(stemm, cfg):
    _, effects = stemm
    truth = effects["stemm"]["staff"]
    disability = cfg.characteristics["disability"]
    snapshots = progression.prepare_snapshots(load_table(cfg, "staff"), grade_scale=cfg.grade_scale,
                                              group=disability.aggregate_column, reference=disability.reference,
                                              aggregate_label=disability.aggregate)
    rl = progression.relative_likelihood(progression.transitions(snapshots), group=disability.aggregate_column,
                                         numerator="promoted", denominator="at_risk", reference=disability.reference)
    row = rl.set_index(disability.aggregate_column).loc["Disabled"]
    # the counts are the generator's own promotions and person-years, and the ratio its realised one
    assert (row["numerator"], row["denominator"]) == (truth["realised"]["disabled"]["promotions"],
                                                      truth["realised"]["disabled"]["person_years"])
    reference = truth["realised"]["no_known_disability"]
    assert (row["reference_numerator"], row["reference_denominator"]) == (reference["promotions"],
                                                                          reference["person_years"])
    assert row["relative_likelihood"] == pytest.approx(truth["relative_likelihood_of_promotion"]["realised"], abs=1e-4)
    assert truth["relative_likelihood_of_promotion"]["injected"] == PROMOTION_RATIO == 1.6
    assert row["ci_low"] <= PROMOTION_RATIO <= row["ci_high"]
    assert row["ci_low"] > 1  # the gap is found, not only not excluded
    assert row["ci_low"] <= truth["relative_likelihood_of_promotion"]["expected_given_grade_mix"] <= row["ci_high"]


def test_intersectional_attainment_gap_is_recovered(stemm, cfg):
    _, effects = stemm
    truth = effects["stemm"]["students"]
    inter = cfg.intersections[0]
    assert inter.group_column == "disability_by_sex" and inter.reference == "No known disability, Male"
    female = cfg.characteristics["sex"].aggregate  # the sex aggregate of the analyses: 'Female or other'
    gaps = attainment.awarding_gap(load_table(cfg, "students"), group=inter.group_column, reference=inter.reference,
                                   good=cfg.good_honours).set_index(inter.group_column)
    injected = truth["intersection_gap_pp"]
    assert injected == {"reference": "No known disability, Male", "group": "disability_by_sex",
                        "Disabled, Male": 15.0, "No known disability, Female": -4.0, "Disabled, Female": -1.0}
    for cell in ("Disabled, Male", "No known disability, Female", "Disabled, Female"):
        row = gaps.loc[cell.replace("Female", female)]
        assert row["ci_low"] <= injected[cell] <= row["ci_high"], cell
        realised = truth["realised"]["good_honours_by_cell"][cell]
        assert (row["n"], row["good"]) == (realised["n"], realised["good"])
    assert gaps.loc["Disabled, Male", "significant"]
    # disabled women are 3 pp below women with no known disability (injected), disabled men 15 pp below men
    assert 100 * (GOOD_HONOURS[("No known disability", "Female")] - GOOD_HONOURS[("Disabled", "Female")]) == \
        pytest.approx(truth["disabled_female_below_no_known_disability_female_pp"]) == pytest.approx(3.0)


def test_student_disability_flag_agrees_with_the_code(stemm, cfg):
    students = load_table(cfg, "students")
    disabled = students["disability_code"].isin(DISABLED_CODES)
    assert (students.loc[disabled, "disability"] == True).all()  # noqa: E712
    no_known = students["disability_group"] == "No known disability"
    assert (students.loc[no_known, "disability"] == False).all()  # noqa: E712
    assert students.loc[students["disability_group"] == "Unknown", "disability"].isna().all()


def test_actions_log_counts_match_the_truth(stemm, cfg):
    _, effects = stemm
    actions = read_actions(cfg.input_path("actions"), pairs=load_table(cfg, "pairs"),
                           participants=load_table(cfg, "participants"))
    table = programme.actions_by_status(actions).set_index("status")["actions"]
    assert table.to_dict() == {"Proposed": 1, "In progress": 1, "Implemented": 2, "Not pursued": 1, "Total": 5}
    assert sum(effects["stemm"]["actions"]["by_status"].values()) == 5


def test_validate_passes(stemm, monkeypatch, capsys):
    from rmresearch.cli import main

    monkeypatch.chdir(stemm[0])
    assert main(["validate", "--cohort", "stemm"]) == 0
    assert "Cohort 'stemm' is valid" in capsys.readouterr().out


def test_demo_command_writes_every_scheme_shape_and_rewrites_its_own(tmp_path):
    from rmresearch.cli import main

    args = ["demo", "--out", str(tmp_path), "--quiet", "--students", "300", "--staff", "300"]
    assert main(args) == 0
    assert sorted(p.name for p in (tmp_path / "cohorts").iterdir()) == ["community.yml", "demo.yml", "stemm.yml"]
    effects = json.loads((tmp_path / "data/stemm/ground_truth/effects.json").read_text(encoding="utf-8"))
    assert effects["generator"] | {"seed": 0} == {"module": "rmresearch.synthetic", "function": "generate_stemm",
                                                  "seed": 0, "n_students": 300, "n_staff": 300}
    before = _files(tmp_path)
    assert main(args) == 0 and _files(tmp_path) == before  # a previous demo is rewritten, byte for byte
    assert not (tmp_path / "cohorts" / "pilot.yml").exists()  # --pilot is the pilot alone, as before


def test_recruitment_by_disability_recovers_the_appointment_gap(stemm, cfg):
    _, effects = stemm
    truth = effects["stemm"]["recruitment"]["relative_likelihood_appointed_from_shortlisting"]
    recruitment = progression.load_recruitment(cfg)
    assert progression.recruitment_characteristic(cfg, recruitment).name == "disability"
    rl = progression.relative_likelihood(recruitment, group="disability_group", numerator="appointed",
                                         denominator="shortlisted", reference="No known disability")
    row = rl.set_index("disability_group").loc["Disabled"]
    assert truth["injected"] == 1.5
    assert row["relative_likelihood"] == pytest.approx(truth["realised"], abs=1e-4)
    assert row["ci_low"] <= 1.5 <= row["ci_high"] and row["ci_low"] > 1


def test_the_survey_instruments_speak_of_stemm_groups_not_race_alone(stemm, cfg):
    from rmresearch.surveys.instruments import list_instruments, load_instrument, project_instrument_folder

    folder = project_instrument_folder(cfg)
    assert folder == stemm[0] / "surveys" / "stemm" / "instruments"
    table = list_instruments(folder=folder).set_index("instrument")
    own = table[table["origin"] != "shipped"]
    assert sorted(own.index) == ["burden", "inclusive_leadership", "lived_experience", "psychological_safety"]
    for name in own.index:
        ours, shipped = load_instrument(name, folder=folder), load_instrument(name)
        assert ours.item_ids == shipped.item_ids and ours.scale_names == shipped.scale_names
    lived = load_instrument("lived_experience", folder=folder)
    assert "STEMM" in lived.scales[0].title and "race" not in lived.scales[0].title


def test_never_over_a_foreign_file(tmp_path):
    from rmresearch.errors import OutputRefused

    mine = tmp_path / "surveys" / "stemm" / "instruments" / "burden.yml"
    mine.parent.mkdir(parents=True)
    mine.write_text("instrument: burden\n", encoding="utf-8")
    with pytest.raises(OutputRefused, match="burden.yml"):
        generate_stemm(tmp_path)
    assert mine.read_text(encoding="utf-8") == "instrument: burden\n"
    assert not (tmp_path / "cohorts").exists()  # nothing written


def test_no_leaving_difference_is_injected_and_the_draw_says_what_it_shows(stemm, cfg):
    _, effects = stemm
    truth = effects["stemm"]["staff"]["relative_likelihood_of_leaving"]
    disability = cfg.characteristics["disability"]
    snapshots = progression.prepare_snapshots(load_table(cfg, "staff"), grade_scale=cfg.grade_scale,
                                              group=disability.aggregate_column, reference=disability.reference,
                                              aggregate_label=disability.aggregate)
    t = progression.transitions(snapshots)
    rl = progression.relative_likelihood(t[t["at_risk"]], group=disability.aggregate_column, numerator="leaver",
                                         denominator=None, reference=disability.reference)
    row = rl.set_index(disability.aggregate_column).loc["Disabled"]
    assert truth["injected"] == 1.0
    assert row["numerator"] == effects["stemm"]["staff"]["realised"]["disabled"]["leavers"]
    assert row["relative_likelihood"] == pytest.approx(truth["realised"], abs=1e-4)


def test_the_interviews_speak_of_the_schemes_groups(stemm):
    from rmresearch.synthetic.stemm import _stemm_words
    from rmresearch.synthetic.texts import ANSWERS, INTROS, QUESTIONS

    def templates(value):
        if isinstance(value, dict):
            return {t for v in value.values() for t in templates(v)}
        return set(value) if isinstance(value, tuple) else {value}

    bank = templates(ANSWERS) | templates(QUESTIONS) | templates(INTROS)
    words = _stemm_words()
    assert len(words) == 17 and set(words) <= bank  # every rewording replaces a template the bank holds
    identifiers = [json.loads(line) for line in
                   (stemm[0] / "data/stemm/ground_truth/identifiers.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(identifiers) == 4 and all(r["auto_caption"] is False for r in identifiers)
    text = "\n".join(r["text"] for r in identifiers)
    assert "BAME" not in text and " white " not in text.lower() and "race equality" not in text
    assert "disab" in text


@pytest.mark.slow
def test_the_reports_headlines_recover_the_truth(stemm, tmp_path, monkeypatch):
    """Notebooks 03, 04 and 05 run on the STEMM cohort: their recorded headlines against effects.json."""
    import shutil

    from rmresearch.cli import main
    from rmresearch.report import build_report

    root = tmp_path / "project"
    shutil.copytree(stemm[0], root)
    monkeypatch.chdir(root)
    # only the attainment comparison this test reads (the headline gap): the models and decompositions of 03 are
    # nbval's to run, and this test's time is the suite's
    cohort_file = root / "cohorts" / "stemm.yml"
    cohort = yaml.safe_load(cohort_file.read_text(encoding="utf-8"))
    cohort["options"].setdefault("attainment", {})["comparisons"] = ["headline"]
    cohort_file.write_text(yaml.safe_dump(cohort, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert main(["anonymise", "run", "--cohort", "stemm", "--no-progress"]) == 0
    effects, truth = stemm[1]["stemm"], stemm[1]
    build_report(load_cohort(root / "cohorts" / "stemm.yml"), notebooks_dir=Path(__file__).resolve().parents[1]
                 / "notebooks", only=["03", "04", "05"], progress=False)
    results = {}
    for path in (root / "reports" / "stemm").glob("*.results.json"):
        results |= {r["key"]: r for r in json.loads(path.read_text(encoding="utf-8"))["results"]}
    shown = lambda r: 0.5 * 10 ** -int(r.get("decimals") or 0) / float(r.get("scale") or 1) + 1e-9  # noqa: E731
    promotion = results["promotion_relative_likelihood"]
    assert "to disabled staff" in promotion["label"]
    assert promotion["ci_low"] <= PROMOTION_RATIO <= promotion["ci_high"]
    assert promotion["value"] == pytest.approx(effects["staff"]["relative_likelihood_of_promotion"]["realised"],
                                               abs=shown(promotion))
    leaving = results["leaving_relative_likelihood"]
    assert leaving["value"] == pytest.approx(effects["staff"]["relative_likelihood_of_leaving"]["realised"],
                                             abs=shown(leaving))
    hazard = results["mentoring_promotion_hazard_ratio"]  # no effect of the scheme injected
    assert hazard["ci_low"] <= effects["staff"]["mentoring"]["promotion_hr"] <= hazard["ci_high"]
    gap = results["awarding_gap"]  # the focus: no known disability minus disabled, as a proportion
    assert gap["value"] == pytest.approx(effects["students"]["realised"]["gap_no_known_minus_disabled_pp"] / 100,
                                         abs=shown(gap))
    for kind, realised in truth["programme"]["sessions"]["realised_by_type"].items():
        shown_rate = results[f"session_attendance_type_{kind}"]
        assert (shown_rate["n"], shown_rate["value"]) == (realised["invited"], pytest.approx(realised["rate"],
                                                                                               abs=shown(shown_rate)))
    change = results["survey_change"]  # reverse mentees' lived experience, pre to post
    assert "reverse mentees" in change["label"]
    assert change["ci_low"] <= truth["surveys"]["true_change"]["senior_leader"]["lived_experience"] <= change["ci_high"]
    by_type = truth["programme"]["sessions"]["realised_by_type"].values()
    everyone = results["session_attendance_all"]
    assert everyone["value"] == pytest.approx(sum(t["attended"] for t in by_type) / sum(t["invited"] for t in by_type),
                                              abs=shown(everyone))
    implemented = results["actions_implemented"]
    assert implemented["value"] == pytest.approx(effects["actions"]["by_status"]["implemented"] / 5,
                                                 abs=shown(implemented))
