"""Red team, write channel (issue 11, item 1): no command writes into or over an input, a key or a folder it does not own.

Each attack points a writer at something it must not touch and checks: exit status 2, a one-line
refusal (no traceback), and every file of the project byte-identical afterwards (the key still 0600).
On 9cf9af5 each of these deleted or overwrote the target (or crashed with a traceback).
"""

from __future__ import annotations

import hashlib
import shutil
import os
import stat
from pathlib import Path

import pytest

from rmresearch.cli import main
from rmresearch.config import load_cohort
from rmresearch.errors import ConfigError, OutputRefused
from rmresearch.guard import check_output, protected_paths, project_configs

from test_report import _project_notebooks

PROJECT = Path(__file__).resolve().parents[1]

INSTRUMENTS = ["lived_experience", "inclusive_leadership", "career_confidence", "sponsorship", "psychological_safety",
               "reciprocity", "burden", "mfq9"]


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """Every file below ``root`` (and the folders' existence): content hash and mode."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_symlink():
            out[str(p.relative_to(root))] = (os.readlink(p), 0)
        elif p.is_file():
            out[str(p.relative_to(root))] = (hashlib.sha256(p.read_bytes()).hexdigest(), stat.S_IMODE(p.stat().st_mode))
        elif p.is_dir():
            out[str(p.relative_to(root)) + "/"] = ("dir", 0)
    return out


@pytest.fixture()
def project(demo_copy, monkeypatch):
    """A writable demo project with a small notebooks folder, as the current folder."""
    _project_notebooks(demo_copy)
    monkeypatch.chdir(demo_copy)
    return demo_copy


def refused(argv, capsys, root: Path, *, contains: str = "refused") -> str:
    """Run the CLI; assert exit 2, one line naming the refusal, no traceback, and nothing changed below ``root``."""
    before = snapshot(root)
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    after = snapshot(root)
    assert code == 2, (code, captured.out[-2000:], captured.err[-2000:])
    assert "Traceback" not in captured.err + captured.out
    err = captured.err.strip()
    assert len(err.splitlines()) == 1, err
    assert contains in err, err
    assert before == after, sorted(set(before.items()) ^ set(after.items()))[:10]
    return err


def key_is_private(root: Path) -> bool:
    key = root / "keys" / "demo" / "pseudonym_key.json"
    return key.is_file() and stat.S_IMODE(key.stat().st_mode) == 0o600


# --------------------------------------------------------------------------- report --out


@pytest.mark.parametrize("out", [
    "interviews/demo/raw", "interviews/demo/raw/", "interviews/demo/raw/report", "data/demo", "data/demo/../demo/",
    "keys/demo", "keys", ".", "cohorts", "cohorts/demo.yml", "interviews/demo/anonymised", "interviews", "data",
    "surveys", "notebooks", "data/demo/participants.csv", "interviews/demo/review.csv", "", "./", "keys/demo/../../data",
])
def test_report_out_onto_a_protected_path_is_refused_and_nothing_is_deleted(project, capsys, out):
    err = refused(["report", "--cohort", "demo", "--out", out, "--no-progress"], capsys, project)
    assert "rmresearch report: refused" in err
    assert key_is_private(project)


def test_report_out_parent_and_home_and_root_are_refused(project, capsys, monkeypatch):
    err = refused(["report", "--cohort", "demo", "--out", ".", "--no-progress"], capsys, project)
    assert "it is the project folder" in err
    for out in ("..", str(project.parent), "/"):
        refused(["report", "--cohort", "demo", "--out", out, "--no-progress"], capsys, project)
    monkeypatch.setenv("HOME", str(project))
    refused(["report", "--cohort", "demo", "--out", "~", "--no-progress"], capsys, project)
    assert key_is_private(project)


def test_report_out_through_a_symlink_is_resolved_first(project, capsys):
    (project / "to_raw").symlink_to(project / "interviews" / "demo" / "raw", target_is_directory=True)
    (project / "to_keys").symlink_to(project / "keys" / "demo", target_is_directory=True)
    (project / "to_project").symlink_to(project, target_is_directory=True)
    (project / "dangling").symlink_to(project / "interviews" / "demo" / "raw" / "new")  # not there yet
    for out in ("to_raw", "to_keys", "to_keys/", "to_project/data/demo", "to_project", "dangling", "to_raw/new"):
        err = refused(["report", "--cohort", "demo", "--out", out, "--no-progress"], capsys, project)
        assert "refused" in err


def test_report_out_onto_another_cohorts_report_or_a_full_folder_is_refused(project, capsys):
    other = project / "reports" / "pilot"
    other.mkdir(parents=True)
    (other / "run.json").write_text('{"cohort": "pilot", "notebooks": []}\n')
    (other / "report.html").write_text("<p>pilot</p>\n")
    err = refused(["report", "--cohort", "demo", "--out", "reports/pilot", "--no-progress"], capsys, project)
    assert "not empty and is not a previous report of this cohort" in err
    docs = project / "my documents"
    docs.mkdir()
    (docs / "thesis.docx").write_bytes(b"chapter 1")
    refused(["report", "--cohort", "demo", "--out", docs, "--no-progress"], capsys, project)
    notes = project / "notes.txt"
    notes.write_text("keep me\n")
    err = refused(["report", "--cohort", "demo", "--out", "notes.txt", "--no-progress"], capsys, project)
    assert "is a file, not a folder" in err


def test_report_is_checked_before_validation_and_notebooks(project, capsys):
    """--out is refused first: even a cohort whose inputs are broken gets the refusal, not a validation error."""
    (project / "data" / "demo" / "pairs.csv").write_text("not,a,pairs,table\n")
    err = refused(["report", "--cohort", "demo", "--out", "interviews/demo/raw", "--no-progress"], capsys, project)
    assert "raw interviews folder" in err


def test_report_refuses_a_folder_holding_another_cohorts_key(project, capsys):
    """Cohort 'later' keeps its key below reports/demo: building demo's report would delete it."""
    text = (project / "cohorts" / "demo.yml").read_text()
    (project / "cohorts" / "later.yml").write_text(
        text.replace("cohort: demo", "cohort: later").replace("reports: reports/demo", "reports: reports/later")
        .replace("keys: keys/demo", "keys: reports/demo/later-keys"))
    keys = project / "reports" / "demo" / "later-keys"
    keys.mkdir(parents=True)
    (keys / "pseudonym_key.json").write_text("{}\n")
    err = refused(["report", "--cohort", "demo", "--no-progress"], capsys, project)
    assert "outputs.keys in cohorts/later.yml" in err


def test_report_all_out_root_holding_inputs_is_refused(project, capsys):
    for out in ("data", "interviews", "data/demo/../"):
        refused(["report", "--cohort", "all", "--out", out, "--no-progress"], capsys, project)


def test_report_all_refuses_a_cohort_whose_inputs_lie_under_the_out_root(project, capsys):
    """--cohort all --out shared: shared/demo/ would be replaced, and cohort 'later' reads its tables from there."""
    shared = project / "shared" / "demo"
    shared.mkdir(parents=True)
    for name in ("participants", "pairs", "meetings"):
        (shared / f"{name}.csv").write_bytes((project / "data" / "demo" / f"{name}.csv").read_bytes())
    text = (project / "cohorts" / "demo.yml").read_text()
    (project / "cohorts" / "later.yml").write_text(
        text.replace("cohort: demo", "cohort: later").replace("reports: reports/demo", "reports: reports/later")
        .replace("keys: keys/demo", "keys: keys/later").replace("data/demo/participants.csv", "shared/demo/participants.csv"))
    err = refused(["report", "--cohort", "all", "--out", "shared", "--no-progress"], capsys, project)
    assert "inputs.participants in cohorts/later.yml" in err


def test_report_all_refuses_two_cohorts_writing_the_same_folder(project, capsys):
    text = (project / "cohorts" / "demo.yml").read_text()
    (project / "cohorts" / "demo-copy.yml").write_text(text)  # same cohort ID, same outputs.reports
    err = refused(["report", "--cohort", "all", "--no-progress"], capsys, project)
    assert "both would replace the same folder" in err
    (project / "cohorts" / "demo-copy.yml").write_text(text.replace("cohort: demo", "cohort: trends")
                                                       .replace("reports: reports/demo", "reports: reports/trends"))
    err = refused(["report", "--cohort", "all", "--no-progress"], capsys, project)
    assert "trends" in err


# --------------------------------------------------------------------------- cohort layout (load_cohort)


@pytest.mark.parametrize("old, new, setting", [
    ("keys: keys/demo", "keys: reports/demo/keys", "outputs.keys"),
    ("keys: keys/demo", "keys: reports", "outputs.keys"),
    ("keys: keys/demo", "keys: interviews/demo/raw/keys", "outputs.keys"),
    ("keys: keys/demo", "keys: interviews/demo/anonymised/keys", "outputs.keys"),
    ("anonymised: interviews/demo/anonymised", "anonymised: interviews/demo", "outputs.anonymised"),
    ("anonymised: interviews/demo/anonymised", "anonymised: interviews/demo/raw/anon", "outputs.anonymised"),
    ("anonymised: interviews/demo/anonymised", "anonymised: reports/demo/anon", "outputs.anonymised"),
    ("reports: reports/demo", "reports: data/demo", "outputs.reports"),
    ("reports: reports/demo", "reports: .", "outputs.reports"),
    ("reports: reports/demo", "reports: interviews/demo/raw/r", "outputs.reports"),
    ("reports: reports/demo", "reports: keys/demo/r", "outputs.keys"),
    ("reports: reports/demo", "reports: cohorts", "outputs.reports"),
])
def test_cohort_file_with_outputs_inside_inputs_or_each_other_is_refused(project, capsys, old, new, setting):
    cfg = project / "cohorts" / "demo.yml"
    cfg.write_text(cfg.read_text().replace(old, new))
    err = refused(["validate", "--cohort", "demo"], capsys, project, contains=setting)
    assert "demo.yml" in err


@pytest.mark.parametrize("review", ["interviews/demo/anonymised/review.csv", "reports/demo/review.csv",
                                    "interviews/demo/raw/review.csv", "data/demo/participants.csv"])
def test_review_file_inside_a_shared_or_raw_folder_or_on_an_input_is_refused(project, capsys, review):
    cfg = project / "cohorts" / "demo.yml"
    cfg.write_text(cfg.read_text().replace("options:\n", f"options:\n  anonymise: {{review_file: {review}}}\n", 1))
    err = refused(["validate", "--cohort", "demo"], capsys, project, contains="options.anonymise.review_file")
    assert "demo.yml" in err
    with pytest.raises(ConfigError, match="review_file"):
        load_cohort(cfg)


def test_the_demo_layout_and_a_private_review_file_pass(project):
    cfg = project / "cohorts" / "demo.yml"
    load_cohort(cfg)
    cfg.write_text(cfg.read_text().replace("options:\n", "options:\n  anonymise: {review_file: keys/demo/review.csv}\n", 1))
    assert load_cohort(cfg).outputs["keys"] == project / "keys" / "demo"


# --------------------------------------------------------------------------- code, survey, detect --out


@pytest.fixture(scope="module")
def qdpx(demo_project, tmp_path_factory):
    """A REFI-QDA project exported once from the (read-only) session demo project."""
    out = tmp_path_factory.mktemp("qdpx") / "coded.qdpx"
    assert main(["code", "export-qdpx", "--cohort", str(demo_project / "cohorts" / "demo.yml"), "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("target", ["data/demo/participants.csv", "data/demo/codings.csv", "surveys/demo/pre.csv",
                                    "cohorts/demo.yml", "keys/demo/pseudonym_key.json", "interviews/demo/review.csv",
                                    "interviews/demo/anonymised/suggestions.csv", "interviews/demo/raw/s.csv"])
def test_code_suggest_out_onto_an_input_or_owned_folder_is_refused(project, capsys, target):
    refused(["code", "suggest", "--cohort", "demo", "--out", target], capsys, project)
    assert key_is_private(project)


def test_code_import_qdpx_out_onto_configured_codings_is_refused(project, capsys, qdpx):
    for target in ("data/demo/codings.csv", "data/demo/participants.csv", qdpx):
        refused(["code", "import-qdpx", qdpx, "--out", target], capsys, project)
    refused(["code", "import-qdpx", qdpx, "--out", "new.csv", "--codebook-out", "cohorts/demo.yml"], capsys, project)
    err = refused(["code", "import-qdpx", qdpx, "--out", "new.csv", "--codebook-out", "./new.csv"], capsys, project,
                  contains="same file")
    assert "--codebook-out" in err


def test_code_import_qdpx_from_another_folder_still_knows_the_project(project, capsys, qdpx, monkeypatch):
    """Run from outside the project: the guard finds the cohorts folder above the target."""
    monkeypatch.chdir(project.parent)
    refused(["code", "import-qdpx", qdpx, "--out", project / "data" / "demo" / "codings.csv"], capsys, project)
    refused(["code", "suggest", "--cohort", project / "cohorts" / "demo.yml", "--out",
             "project/data/demo/participants.csv"], capsys, project)


def test_code_agreement_export_and_qdc_never_overwrite_their_own_inputs(project, capsys, qdpx):
    codings = project / "my_codings.csv"
    codings.write_bytes((project / "data" / "demo" / "codings.csv").read_bytes())
    refused(["code", "agreement", codings, "--cohort", "demo", "--out", codings], capsys, project)
    refused(["code", "agreement", codings, "--cohort", "demo", "--out", "data/demo/codings.csv"], capsys, project)
    refused(["code", "export-qdpx", "--cohort", "demo", "--codings", codings, "--out", codings], capsys, project)
    refused(["code", "export-qdpx", "--cohort", "demo", "--out", "reports/demo/x.qdpx"], capsys, project.parent)
    book = project / "codebook.yml"
    assert main(["code", "import-qdpx", str(qdpx), "--out", "c.csv", "--codebook-out", str(book)]) == 0
    capsys.readouterr()
    refused(["code", "export-qdc", "--codebook", book, "--out", book], capsys, project)


def test_survey_import_out_onto_a_configured_input_or_its_export_is_refused(project, capsys):
    base = ["survey", "import", "surveys/demo/post.csv", "-i", *INSTRUMENTS, "--format", "csv"]
    for target in ("surveys/demo/pre.csv", "surveys/demo/post.csv", "data/demo/participants.csv"):
        refused([*base, "-o", target], capsys, project)
    refused([*base, "--cohort", "demo", "-o", "surveys/demo/pre.csv"], capsys, project)
    instrument = project / "surveys" / "instruments" / "mine.yml"
    instrument.parent.mkdir(parents=True)
    instrument.write_text("name: mine\n")
    refused(["survey", "import", "surveys/demo/post.csv", "-i", instrument, "-o", instrument], capsys, project)
    assert main([*base, "-o", "surveys/demo/pre.new.csv"]) == 0  # a new file is fine
    cfg = project / "cohorts" / "demo.yml"  # so is the first import of a configured wave that is not there yet
    cfg.write_text(cfg.read_text().replace("    post: surveys/demo/post.csv", "    post: surveys/demo/post.csv\n    mid: surveys/demo/mid.csv"))
    assert main([*base, "-o", "surveys/demo/mid.csv"]) == 0 and (project / "surveys/demo/mid.csv").is_file()
    capsys.readouterr()
    err = refused([*base, "-o", "surveys/demo/mid.csv"], capsys, project)  # but never over it once it exists
    assert "inputs.surveys.mid" in err and "which exists" in err


def test_anonymise_detect_never_overwrites_its_input_or_the_key(project, capsys):
    lines = project / "lines.jsonl"
    lines.write_text('{"text": "Kwame met Ngozi at noon."}\n')
    refused(["anonymise", "detect", lines, "--out", lines], capsys, project)
    refused(["anonymise", "detect", lines, "--cohort", "demo", "--out", "keys/demo/pseudonym_key.json"], capsys, project)
    assert key_is_private(project)


@pytest.mark.parametrize("argv", [
    ["code", "suggest", "--cohort", "demo", "--out", "data/demo"],                       # a folder where a file goes
    ["code", "suggest", "--cohort", "demo", "--out", "data/demo/pairs.csv/x.csv"],         # below a file
    ["code", "export-qdc", "--out", "data"],
])
def test_out_shapes_that_used_to_crash_are_clear_errors(project, capsys, argv):
    refused(argv, capsys, project)


# --------------------------------------------------------------------------- the key and the review file, and demo


def test_key_and_review_saves_go_through_the_guard(project):
    from rmresearch.anonymise.pseudonyms import PseudonymKey
    from rmresearch.anonymise.review import ReviewQueue

    for place in ("reports/demo/key.json", "interviews/demo/anonymised/key.json", "interviews/demo/raw/key.json",
                  "data/demo/participants.csv"):
        with pytest.raises(OutputRefused):
            PseudonymKey(cohort="demo").save(project / place)
        assert not (project / place).exists() or place.endswith("participants.csv")
    for place in ("interviews/demo/anonymised/review.csv", "reports/demo/review.csv", "keys/demo/pseudonym_key.json",
                  "interviews/demo/raw/review.csv"):
        queue = ReviewQueue(project / "no-such-review.csv")
        queue.path = project / place
        with pytest.raises(OutputRefused):
            queue.save()
    queue.path = project / "keys" / "demo" / "review.csv"  # the private keys folder is a fine place for it
    assert queue.save().is_file()
    assert key_is_private(project)
    assert PseudonymKey(cohort="demo").save(project / "keys" / "demo" / "k2.json").is_file()  # its own folder


def test_demo_never_overwrites_a_real_projects_files(tmp_path, capsys):
    real = tmp_path / "real"
    (real / "data" / "demo").mkdir(parents=True)
    (real / "data" / "demo" / "participants.csv").write_text("participant_id,name\nP01,A Real Person\n")
    refused(["demo", "--out", real, "--students", 100, "--staff", 100, "--quiet"], capsys, real)
    raw = tmp_path / "raw-only" / "interviews" / "demo" / "raw"
    raw.mkdir(parents=True)
    (raw / "interview_real.txt").write_text("Interviewer: hello\n")
    refused(["demo", "--out", tmp_path / "raw-only", "--students", 100, "--staff", 100, "--quiet"], capsys, tmp_path)


def test_demo_may_rewrite_its_own_previous_demo(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--students", "100", "--staff", "100", "--quiet"]) == 0
    assert main(["demo", "--out", str(out), "--students", "100", "--staff", "100", "--quiet", "--seed", "3"]) == 0
    capsys.readouterr()


def test_demo_writes_into_a_fresh_clone_whose_only_demo_file_is_the_committed_cohort_file(tmp_path, capsys):
    # `make test` on a fresh clone: cohorts/demo.yml is committed, nothing else of the demo exists yet.
    clone = tmp_path / "clone"
    (clone / "cohorts").mkdir(parents=True)
    shutil.copy(PROJECT / "cohorts" / "demo.yml", clone / "cohorts" / "demo.yml")
    assert main(["demo", "--out", str(clone), "--students", "100", "--staff", "100", "--quiet"]) == 0
    assert (clone / "data" / "demo" / "participants.csv").is_file()
    # a cohort file the user has edited is theirs: refused, and left as it was
    edited = tmp_path / "edited"
    (edited / "cohorts").mkdir(parents=True)
    text = (PROJECT / "cohorts" / "demo.yml").read_text().replace("planned_meetings: 6", "planned_meetings: 5")
    (edited / "cohorts" / "demo.yml").write_text(text)
    refused(["demo", "--out", edited, "--students", 100, "--staff", 100, "--quiet"], capsys, edited)
    assert (edited / "cohorts" / "demo.yml").read_text() == text


# --------------------------------------------------------------------------- the guard itself


def test_guard_allows_owners_and_new_places(project):
    cfg = load_cohort("demo")
    assert check_output("reports/demo", owner="report", configs=[cfg], replace_folder=True, cohort="demo") == \
        project / "reports" / "demo"
    assert check_output("elsewhere/new", owner="report", configs=[cfg], replace_folder=True, cohort="demo")
    (project / "empty").mkdir()
    assert check_output("empty", owner="report", configs=[cfg], replace_folder=True, cohort="demo")
    assert check_output("keys/demo/pseudonym_key.json", owner="keys", configs=[cfg])
    assert check_output("interviews/demo/review.csv", owner="review", configs=[cfg])
    assert check_output("interviews/demo/anonymised", owner="anonymise", configs=[cfg], replace_folder=True)
    assert check_output("suggestions.csv", owner="code", configs=[cfg])
    with pytest.raises(OutputRefused, match="inside the reports folder"):
        check_output("reports/demo/notes.csv", owner="code", configs=[cfg])


def test_protected_paths_cover_every_cohort_of_the_project(project):
    text = (project / "cohorts" / "demo.yml").read_text()
    (project / "cohorts" / "pilot.yml").write_text(text.replace("cohort: demo", "cohort: pilot")
                                                   .replace("data/demo/staff.csv", "data/pilot/staff.csv"))
    configs, unreadable = project_configs(cohorts_dirs=["cohorts"])
    assert sorted(c.cohort for c in configs) == ["demo", "pilot"] and not unreadable
    paths = {p.path for p in protected_paths(configs)}
    assert project / "data" / "pilot" / "staff.csv" in paths
    assert project / "interviews" / "demo" / "raw" in paths and project / "keys" / "demo" in paths
    with pytest.raises(OutputRefused, match="pilot.yml"):
        check_output("data/pilot/staff.csv", owner="code", configs=[load_cohort("demo")])


def test_anonymise_outputs_check_sees_the_other_cohorts(project):
    """Cohort 'later' anonymises into demo's raw folder: fine for its own file, fatal for demo's transcripts."""
    from rmresearch.guard import check_anonymise_outputs

    out, key, review = check_anonymise_outputs(load_cohort("demo"))
    assert out == project / "interviews" / "demo" / "anonymised" and key.name == "pseudonym_key.json"
    text = (project / "cohorts" / "demo.yml").read_text()
    (project / "cohorts" / "later.yml").write_text(
        text.replace("cohort: demo", "cohort: later").replace("reports: reports/demo", "reports: reports/later")
        .replace("keys: keys/demo", "keys: keys/later").replace("interviews: interviews/demo/raw", "interviews: interviews/later/raw")
        .replace("anonymised: interviews/demo/anonymised", "anonymised: interviews/demo/raw"))
    (project / "interviews" / "later" / "raw").mkdir(parents=True)
    with pytest.raises(OutputRefused, match="raw interviews folder"):
        check_anonymise_outputs(load_cohort("later"))
    (project / "cohorts" / "later.yml").write_text(
        text.replace("cohort: demo", "cohort: later").replace("reports: reports/demo", "reports: reports/later")
        .replace("interviews: interviews/demo/raw", "interviews: interviews/later/raw")
        .replace("anonymised: interviews/demo/anonymised", "anonymised: interviews/later/anonymised")
        .replace("keys: keys/demo", "keys: interviews/demo/raw/keys"))
    with pytest.raises(OutputRefused, match="inside the raw interviews folder"):
        check_anonymise_outputs(load_cohort("later"))


def test_paths_the_system_cannot_use_are_clear_errors(project, capsys):
    """A name too long and a loop of symbolic links: one line, exit 2 (they were tracebacks in the guard)."""
    (project / "loop").symlink_to("loop")
    long = "/".join(["abcdefghij"] * 500)
    for argv in (["code", "suggest", "--cohort", "demo", "--out", "a" * 300 + "/x.csv"],
                 ["report", "--cohort", "demo", "--no-progress", "--out", long],
                 ["code", "suggest", "--cohort", "demo", "--out", "loop/x.csv"],
                 ["report", "--cohort", "demo", "--no-progress", "--out", "loop"]):
        refused(argv, capsys, project, contains="the path cannot be used")
    cfg = project / "cohorts" / "demo.yml"
    cfg.write_text(cfg.read_text().replace("keys: keys/demo", "keys: loop/keys"))
    refused(["validate", "--cohort", "demo"], capsys, project, contains="loop of symbolic links")
