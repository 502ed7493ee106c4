"""``rmresearch validate`` and the report read every input alike: what one rejects, the other rejects too.

Every fixture file under ``tests/data`` is fed to a minimal cohort as the input its folder stands for (a survey
export, a raw transcript, an anonymised transcript, a table), then read twice: by ``validate_cohort`` and by the
reader the report (its notebook, or ``anonymise run``) uses. Both must accept it, or both reject it with the same
error messages. A new fixture is covered by being there. The tests below them pin the mistakes ``validate`` used
to pass although a notebook later stopped at them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rmresearch.config import load_cohort
from rmresearch.errors import InputError, RMResearchError, ValidationError
from rmresearch.inputs import load_table, validate_cohort

DATA = Path(__file__).parent / "data"
#: Every fixture input: generators (make_samples.py, build_dev_gold.py) are code, not inputs.
FIXTURES = sorted(p for p in DATA.rglob("*") if p.is_file() and p.suffix != ".py" and not p.name.startswith("."))
TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".xlsx", ".xlsm")

PARTICIPANTS = """participant_id,name,cohort,role,ethnicity_code,sex,grade,faculty,consent_interview,consent_records
P01,Ruth Hale,c1,senior_leader,10,F,Director,Science,yes,yes
P02,Kwame Mensah,c1,senior_leader,22,M,Professor,Arts,yes,yes
P03,Ann Lee,c1,senior_leader,10,F,Director,Arts,yes,yes
P04,Sam Okafor,c1,staff_partner,22,M,7,Science,yes,yes
P05,Priya Shah,c1,staff_partner,31,F,6,Arts,yes,yes
P06,Dee Campbell,c1,student_partner,21,F,,Science,yes,yes
"""
PAIRS = "pair_id,senior_id,partner_id,start_date,end_date,status\nR1,P01,P04,2024-10-01,,active\nR2,P02,P05,2024-10-01,,active\n"


def kind_of(path: Path) -> str:
    """The input a fixture stands for, by its folder (and, for others, by its suffix)."""
    folder = path.relative_to(DATA).parts[0]
    if folder == "surveys":
        return "survey"
    if folder == "coding":
        return "anonymised"
    if folder == "transcripts" or path.suffix.lower() not in TABLE_SUFFIXES:
        return "transcript"
    return "table"


def make_cohort(root: Path, *, inputs: dict[str, str] | None = None, files: dict[str, str | bytes] | None = None,
                options: str = "") -> Path:
    """A minimal cohort under ``root``: participants (P01-P06), plus the ``files`` written and ``inputs`` named."""
    for rel, content in {"data/participants.csv": PARTICIPANTS, **(files or {})}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(content.encode() if isinstance(content, str) else content)
    lines = "".join(f"  {name}: {value}\n" for name, value in {"participants": "data/participants.csv",
                                                                **(inputs or {})}.items())
    (root / "cohorts").mkdir(exist_ok=True)
    (root / "cohorts" / "c1.yml").write_text(
        "cohort: c1\nprogramme_type: reciprocal\nstart_date: 2024-10-01\nend_date: 2025-03-31\nroot: ..\n"
        f"inputs:\n{lines}"
        "outputs: {anonymised: interviews/anonymised, reports: reports, keys: keys}\n"
        f"options:\n  survey_instruments_used: [psychological_safety, programme_feedback]\n{options}",
        encoding="utf-8")
    return root / "cohorts" / "c1.yml"


def cohort_for(fixture: Path, root: Path) -> Path:
    kind = kind_of(fixture)
    if kind == "survey":
        dest = root / "surveys" / fixture.name
        dest.parent.mkdir(parents=True)
        shutil.copy(fixture, dest)
        return make_cohort(root, inputs={"surveys": f"{{post: surveys/{fixture.name}}}"})
    if kind == "table":  # a table of people: read as the participants table
        dest = root / "data" / f"people{fixture.suffix}"
        dest.parent.mkdir(parents=True)
        path = make_cohort(root)
        shutil.copy(fixture, dest)
        text = path.read_text(encoding="utf-8").replace("data/participants.csv", f"data/{dest.name}")
        path.write_text(text, encoding="utf-8")
        return path
    folder = root / "interviews" / ("anonymised" if kind == "anonymised" else "raw")
    folder.mkdir(parents=True)
    shutil.copy(fixture, folder / fixture.name)
    return make_cohort(root, inputs={"interviews": "interviews/raw"} if kind == "transcript" else None)


def report_errors(config, fixture: Path, kind: str | None = None) -> set[str]:
    """The errors the report's reader stops at for this input (empty: it reads it)."""
    from rmresearch import surveys
    from rmresearch.coding import load_coding_data
    from rmresearch.transcripts import SUPPORTED_SUFFIXES, read_transcript

    kind = kind or kind_of(fixture)
    try:
        participants = load_table(config, "participants")
        if kind == "survey":
            surveys.load_surveys(config, participants=participants)
        elif kind == "anonymised":
            load_coding_data(config, unit="turn", grouping="aggregate")
        elif kind == "transcript" and fixture.suffix.lower() in SUPPORTED_SUFFIXES:  # others: anonymise run skips them
            read_transcript(config.inputs["interviews"] / fixture.name)
    except ValidationError as exc:
        return {str(p) for p in exc.problems if p.severity == "error"}
    except RMResearchError as exc:
        return {str(exc)}
    return set()


def validate_errors(config) -> set[str]:
    _, problems = validate_cohort(config)
    return {str(p) for p in problems if p.severity == "error"}


@pytest.mark.parametrize("fixture", FIXTURES, ids=[str(p.relative_to(DATA)) for p in FIXTURES])
def test_validate_and_the_report_agree_on_every_fixture_input(fixture, tmp_path):
    config = load_cohort(cohort_for(fixture, tmp_path))
    assert validate_errors(config) == report_errors(config, fixture)


def test_every_fixture_folder_is_an_input_kind():
    """A fixture folder added later is read as some input (so the agreement test above covers it)."""
    assert {p.relative_to(DATA).parts[0] for p in FIXTURES} <= {"surveys", "coding", "transcripts", "anonymise"}
    assert {kind_of(p) for p in FIXTURES} == {"survey", "anonymised", "transcript", "table"}


# --------------------------------------------------------------------------- mistakes validate used to pass


@pytest.mark.parametrize("name", ["spss.sav", "qualtrics_labels.tsv"])
def test_exports_the_report_reads_are_accepted_by_validate(name, tmp_path):
    config = load_cohort(cohort_for(DATA / "surveys" / name, tmp_path))
    assert validate_errors(config) == set() == report_errors(config, DATA / "surveys" / name)


def _survey_case(tmp_path, edit) -> object:
    text = (DATA / "surveys" / "plain.csv").read_text(encoding="utf-8")
    return load_cohort(make_cohort(tmp_path, inputs={"surveys": "{post: surveys/post.csv}"},
                                   files={"surveys/post.csv": edit(text)}))


@pytest.mark.parametrize("edit, expected", [
    (lambda t: t.replace("P02,", "P99,", 1), "P99"),
    (lambda t: t.replace("\nP03,post,5,", "\nP03,post,9,", 1), "out of range"),
], ids=["unknown-participant", "answer-out-of-range"])
def test_survey_mistakes_are_errors_in_validate_as_in_the_report(tmp_path, edit, expected):
    config = _survey_case(tmp_path, edit)
    assert "P03,post,5," in (DATA / "surveys" / "plain.csv").read_text(encoding="utf-8")
    errors = validate_errors(config)
    assert any(expected in e for e in errors)
    assert errors == report_errors(config, tmp_path / "surveys" / "post.csv", "survey")


RECRUITMENT = "year,post_grade,ethnicity_group,applied,shortlisted,appointed\n2023,7,White,20,5,2\n2023,7,Black,10,4,1\n"


def _recruitment_report(config):
    from rmresearch import progression as pg

    recruitment = load_table(config, "recruitment", keep_row_numbers=True)
    pg.recruitment_funnel(recruitment, grade_scale=config.grade_scale, source=str(config.input_path("recruitment")))


@pytest.mark.parametrize("edit, column", [
    (lambda t: t.replace("2023,7,Black", "2023,Band 7,Black"), "post_grade"),
    (lambda t: t.replace(",4,1\n", ",4,6\n"), "appointed"),
], ids=["post-grade-off-the-scale", "appointed-above-shortlisted"])
def test_recruitment_mistakes_the_funnel_refuses_are_errors_in_validate(tmp_path, edit, column):
    config = load_cohort(make_cohort(tmp_path, inputs={"recruitment": "data/recruitment.csv"},
                                     files={"data/recruitment.csv": edit(RECRUITMENT)}))
    _, problems = validate_cohort(config)
    assert [(p.row, p.column) for p in problems if p.severity == "error"] == [(3, column)]
    with pytest.raises(ValidationError):
        _recruitment_report(config)


def test_staff_grades_off_the_scale_are_errors_in_validate(tmp_path):
    staff = ("staff_id,year,grade,ethnicity_code,sex,faculty,contract,left,mentored\n"
             "S1,2023,7,10,F,Arts,academic,no,no\nS2,2023,Band 9,22,M,Arts,academic,no,no\n")
    config = load_cohort(make_cohort(tmp_path, inputs={"staff": "data/staff.csv"}, files={"data/staff.csv": staff}))
    _, problems = validate_cohort(config)
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.row, p.column) for p in errors] == [(3, "grade")] and "Band 9" in errors[0].message


def test_session_names_the_results_recorder_refuses_are_errors_in_validate(tmp_path):
    from rmresearch import results

    sessions = ("participant_id,session,date,attended\nP01,Introductory training,2024-10-01,yes\n"
                "P04,Mid-point reflection,2025-01-10,yes\nP05,Mid-point reflection,2025-01-10,no\n")
    config = load_cohort(make_cohort(tmp_path, inputs={"sessions": "data/sessions.csv"},
                                     files={"data/sessions.csv": sessions}))
    _, problems = validate_cohort(config)
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.row, p.column) for p in errors] == [(3, "session")]
    assert "Mid-point reflection" in errors[0].message and "rows 3, 4" in errors[0].message
    with pytest.raises(ValueError, match="session_attendance_mid-point_reflection"):  # what the notebook's record meets
        results.Recorder(rules=config.disclosure, path=tmp_path / "results.json").record(
            "session_attendance_mid-point_reflection", 0.5, kind="rate", n=2,
                                       label="Attendance at the mid-point reflection")


def test_actions_are_read_by_validate_as_by_the_programme_notebook(tmp_path):
    from rmresearch import programme

    actions = "pair_id,action,area,status\nR1,New shortlisting,recruitment,in progress\nR9,Module,curriculum,done\n"
    config = load_cohort(make_cohort(tmp_path, inputs={"pairs": "data/pairs.csv", "actions": "data/actions.csv"},
                                     files={"data/pairs.csv": PAIRS, "data/actions.csv": actions}))
    errors = validate_errors(config)
    with pytest.raises(ValidationError) as caught:
        programme.read_actions(config.inputs["actions"], pairs=load_table(config, "pairs"))
    assert errors == {str(p) for p in caught.value.problems} and len(errors) == 2


def test_an_unreadable_input_is_an_input_error_in_both(tmp_path):
    config = load_cohort(make_cohort(tmp_path, inputs={"pairs": "data/pairs.csv"},
                                     files={"data/pairs.csv": PAIRS.encode("cp1252") + "Zoë".encode("cp1252")}))
    with pytest.raises(InputError) as caught:
        load_table(config, "pairs")
    assert validate_errors(config) == {str(caught.value)}


@pytest.mark.parametrize("codings, bad", [
    ("segment_id,code,coder\ninterview_a#t002,safe_space,ana\ninterview_a#t005,sponsorship,ben\n", False),
    ("segment_id,code,coder\ninterview_a#t002,no_such_code,ana\ninterview_a#t999,safe_space,ben\n", True),
], ids=["valid", "unknown-code-and-segment"])
def test_codings_are_read_by_validate_as_by_the_themes_notebook(tmp_path, codings, bad):
    text = (DATA / "coding" / "interview_a.txt").read_bytes()
    config = load_cohort(make_cohort(tmp_path, inputs={"codings": "data/codings.csv"},
                                     files={"data/codings.csv": codings, "interviews/anonymised/interview_a.txt": text}))
    errors = validate_errors(config)
    assert bool(errors) == bad
    assert errors == report_errors(config, tmp_path / "interviews" / "anonymised" / "interview_a.txt", "anonymised")


def test_codings_wait_for_the_anonymised_transcripts_with_a_warning(tmp_path):
    config = load_cohort(make_cohort(tmp_path, inputs={"codings": "data/codings.csv"},
                                     files={"data/codings.csv": "segment_id,code,coder\ninterview_a#t002,safe_space,ana\n"}))
    _, problems = validate_cohort(config)
    assert [(p.severity, "anonymise run" in p.message) for p in problems if p.file.endswith("codings.csv")] == [
        ("warning", True)]


def test_a_reference_group_no_record_has_is_an_error_in_validate(tmp_path):
    from rmresearch import progression as pg

    staff = ("staff_id,year,grade,ethnicity_code,sex,faculty,contract,left,mentored\n"
             "S1,2023,7,10,F,Arts,academic,no,no\nS2,2023,8,22,M,Arts,academic,no,no\n")
    config = load_cohort(make_cohort(tmp_path, inputs={"staff": "data/staff.csv"}, files={"data/staff.csv": staff},
                                     options="  reference_group: Whte\n"))
    _, problems = validate_cohort(config)
    assert [p.column for p in problems if p.severity == "error"] == ["options.reference_group"]
    snapshots = pg.prepare_snapshots(load_table(config, "staff"), grade_scale=config.grade_scale,
                                     reference=config.reference_group)
    counts = snapshots.groupby("ethnicity_group").size().rename("n").reset_index().assign(promoted=1)
    with pytest.raises(ValueError, match="Whte"):  # what notebook 04 meets: no reference group to compare with
        pg.relative_likelihood(counts, group="ethnicity_group", numerator="promoted", denominator="n",
                               reference=config.reference_group)
