"""Red team (issue 11), three gaps left after the other slices landed.

1. A withdrawal (or consent corrected to no) after the last `anonymise run`: the shareable anonymised folder still
   holds the person's words. `audit` reports it (participant ID and file only) and `report` refuses to run.
2. The pseudonym key must be private: `audit --cohort` and `report` (which read it) refuse a key mode 0644.
3. The Python-API writers notebooks call (export_qdpx, write_qdc, write_codebook, write_codings_csv,
   write_transcript_text) go through the write guard inside a project.
On 9cf9af5 (and on the commit before these) each attack passed silently: exit 0 or 1 with no consent finding,
a report built, a file written over a raw transcript or the configured codings.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from rmresearch.cli import main
from rmresearch.errors import RMResearchError

LABEL = re.compile(r"^\[?(P\d+)\]?:\s*(.+)$")
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _anon(project: Path) -> Path:
    return project / "interviews" / "demo" / "anonymised"


def _speaker(project: Path) -> tuple[str, str]:
    """A consenting participant who speaks in an anonymised transcript: (ID, file name)."""
    people = pd.read_csv(project / "data/demo/participants.csv", dtype=str, keep_default_na=False)
    ok = set(people.loc[people["consent_interview"] == "yes", "participant_id"])
    for path in sorted(_anon(project).glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = LABEL.match(line)
            if m and m.group(1) in ok and "withheld" not in m.group(2):
                return m.group(1), path.name
    pytest.fail("no consenting speaker in the demo's anonymised transcripts")


def _withdraw(project: Path, pid: str) -> None:
    path = project / "cohorts/demo.yml"
    body = path.read_text(encoding="utf-8")
    assert "\noptions:\n" in body
    path.write_text(body.replace("\noptions:\n", f"\noptions:\n  withdrawn: [{pid}]\n", 1), encoding="utf-8")


def _decline(project: Path, pid: str) -> None:
    path = project / "data/demo/participants.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame["participant_id"] == pid, "consent_interview"] = "no"
    frame.to_csv(path, index=False, lineterminator="\n")


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _one_line_exit_2(code: int, captured, *needles: str) -> str:
    assert code == 2, (code, captured.out[-1500:], captured.err[-1500:])
    assert "Traceback" not in captured.out + captured.err
    err = captured.err.strip()
    assert len(err.splitlines()) == 1, err
    for needle in needles:
        assert needle in err, err
    return err


# --------------------------------------------------------------------------- 1. consent after the last run


@pytest.mark.slow
@pytest.mark.parametrize("change, why", [(_withdraw, "withdrew"), (_decline, "gave no interview consent")])
def test_audit_of_the_anonymised_folder_finds_a_later_withdrawal(demo_copy, monkeypatch, capsys, change, why):
    pid, name = _speaker(demo_copy)
    monkeypatch.chdir(demo_copy)
    assert main(["audit", "interviews/demo/anonymised", "--cohort", "demo"]) == 0  # clean before the change
    capsys.readouterr()
    words = [LABEL.match(l).group(2) for l in (_anon(demo_copy) / name).read_text(encoding="utf-8").splitlines()
             if LABEL.match(l) and LABEL.match(l).group(1) == pid]
    change(demo_copy, pid)
    code = main(["audit", "interviews/demo/anonymised", "--cohort", "demo"])
    out = capsys.readouterr().out
    assert code == 1, out
    lines = [l for l in out.splitlines() if "CONSENT" in l and pid in l]
    assert lines and any(name in l for l in lines), out
    assert f"who {why}" in lines[0] and "anonymise run --cohort demo" in lines[0]
    assert not any(w[:40] in out for w in words if len(w) > 20)  # the finding names the ID and the file, never words


@pytest.mark.slow
def test_audit_shareable_reports_it_for_the_report_leak_audit_too(demo_copy):
    from rmresearch.anonymise.audit import audit_shareable
    from rmresearch.config import load_cohort

    pid, name = _speaker(demo_copy)
    _withdraw(demo_copy, pid)
    cfg = load_cohort(demo_copy / "cohorts/demo.yml")
    found = [f for f in audit_shareable(cfg, [_anon(demo_copy) / name]) if f.source == "consent"]
    assert found and pid in found[0].masked and found[0].line >= 1
    # another folder (a report) holding a copy of the text is not a transcript of the anonymised folder
    assert not [f for f in audit_shareable(cfg, [demo_copy / "data"]) if f.source == "consent"]


@pytest.mark.slow
def test_a_copy_of_the_folder_made_for_coders_and_hand_edited_labels_are_found_too(demo_copy, tmp_path, monkeypatch,
                                                                                    capsys):
    """Attacks: the folder copied elsewhere to share; the label retyped by hand (``p08 (student):``); a link."""
    import shutil

    pid, name = _speaker(demo_copy)
    share = tmp_path / "for-coders"
    shutil.copytree(_anon(demo_copy), share)
    edited = share / name
    edited.write_text(re.sub(rf"^\[?{pid}\]?:", f"{pid.lower()} (student):", edited.read_text(encoding="utf-8"),
                             flags=re.M), encoding="utf-8")
    (tmp_path / "link").symlink_to(_anon(demo_copy), target_is_directory=True)
    _withdraw(demo_copy, pid)
    monkeypatch.chdir(demo_copy)
    for target, fix in ((share, "delete it"), (edited, "delete it"), (tmp_path / "link", "anonymise run --cohort demo")):
        assert main(["audit", str(target), "--cohort", "demo"]) == 1
        out = capsys.readouterr().out
        hits = [l for l in out.splitlines() if "CONSENT" in l and pid in l and name in l]
        assert hits and fix in hits[0], (target, out)


@pytest.mark.slow
def test_a_qdpx_exported_before_the_withdrawal_is_a_finding(demo_copy, monkeypatch, capsys):
    """Attack: the .qdpx handed to a coder last month still holds the sources as they were then."""
    pid, name = _speaker(demo_copy)
    monkeypatch.chdir(demo_copy)
    assert main(["code", "export-qdpx", "--cohort", "demo", "--out", "exports/project.qdpx", "--no-codings"]) == 0
    assert main(["audit", "exports/project.qdpx", "--cohort", "demo"]) == 0
    capsys.readouterr()
    _withdraw(demo_copy, pid)
    assert main(["audit", "exports", "--cohort", "demo"]) == 1
    out = capsys.readouterr().out
    hits = [l for l in out.splitlines() if "CONSENT" in l and pid in l and "project.qdpx [sources/" in l]
    assert hits and "a new export" in hits[0], out
    assert main(["code", "export-qdpx", "--cohort", "demo", "--out", "exports/project.qdpx", "--no-codings"]) == 0
    capsys.readouterr()
    main(["audit", "exports", "--cohort", "demo"])
    assert "CONSENT" not in capsys.readouterr().out  # a new export withholds them


@pytest.mark.slow
def test_audit_after_anonymise_run_again_is_clean(demo_copy, monkeypatch, capsys):
    pid, _ = _speaker(demo_copy)
    _withdraw(demo_copy, pid)
    monkeypatch.chdir(demo_copy)
    assert main(["anonymise", "run", "--cohort", "demo", "--no-progress"]) == 0
    capsys.readouterr()
    main(["audit", "interviews/demo/anonymised", "--cohort", "demo"])
    assert "CONSENT" not in capsys.readouterr().out


@pytest.mark.parametrize("change", [_withdraw, _decline])
def test_report_refuses_while_the_anonymised_copies_hold_a_withdrawn_participant(demo_copy, monkeypatch, capsys,
                                                                                   change):
    pid, name = _speaker(demo_copy)
    change(demo_copy, pid)
    monkeypatch.chdir(demo_copy)
    before = _snapshot(demo_copy)
    code = main(["report", "--cohort", "demo", "--only", "02", "--no-progress", "--notebooks", str(NOTEBOOKS)])
    err = _one_line_exit_2(code, capsys.readouterr(), pid, name, "rmresearch anonymise run --cohort demo")
    assert _snapshot(demo_copy) == before, err
    assert not (demo_copy / "reports" / "demo" / "report.html").exists()


def test_report_proceeds_past_the_check_when_the_withdrawn_person_never_spoke(demo_copy):
    """A withdrawn participant without a turn in any transcript leaves nothing to withhold: no refusal."""
    from rmresearch.anonymise import check_anonymised
    from rmresearch.config import load_cohort

    people = pd.read_csv(demo_copy / "data/demo/participants.csv", dtype=str, keep_default_na=False)
    spoken = {LABEL.match(l).group(1) for p in _anon(demo_copy).glob("*.txt")
              for l in p.read_text(encoding="utf-8").splitlines() if LABEL.match(l)}
    silent = sorted(set(people["participant_id"]) - spoken)
    assert silent
    _withdraw(demo_copy, silent[0])
    check_anonymised(load_cohort(demo_copy / "cohorts/demo.yml"))


# --------------------------------------------------------------------------- 2. a key others may read


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("argv", [["audit", "interviews/demo/anonymised", "--cohort", "demo"],
                                  ["report", "--cohort", "demo", "--only", "02", "--no-progress",
                                   "--notebooks", str(NOTEBOOKS)]])
def test_audit_and_report_refuse_a_key_others_can_read(demo_copy, monkeypatch, capsys, argv):
    key = demo_copy / "keys" / "demo" / "pseudonym_key.json"
    key.chmod(0o644)
    monkeypatch.chdir(demo_copy)
    before = _snapshot(demo_copy)
    _one_line_exit_2(main(argv), capsys.readouterr(), "chmod 600", "pseudonym_key.json", "0644")
    assert _snapshot(demo_copy) == before


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_validate_warns_about_a_key_others_can_read(demo_copy, monkeypatch, capsys):
    key = demo_copy / "keys" / "demo" / "pseudonym_key.json"
    monkeypatch.chdir(demo_copy)
    assert main(["validate", "--cohort", "demo"]) == 0
    assert "pseudonym key" not in capsys.readouterr().out
    key.chmod(0o644)
    assert main(["validate", "--cohort", "demo"]) == 0
    out = capsys.readouterr().out
    warning = [line for line in out.splitlines() if "pseudonym key" in line]
    assert len(warning) == 1 and warning[0].startswith("warning: ") and f"chmod 600 {key}" in warning[0]
    assert "0644" in warning[0] and "Traceback" not in out


def test_the_key_mode_check_is_skipped_where_there_are_no_modes(demo_copy, monkeypatch):
    from types import SimpleNamespace

    from rmresearch.anonymise import pseudonyms

    key = demo_copy / "keys" / "demo" / "pseudonym_key.json"
    key.chmod(0o644)
    monkeypatch.setattr(pseudonyms, "os", SimpleNamespace(name="nt"))
    pseudonyms.require_private_key(key)  # Windows: no refusal (ACLs, not modes)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_anonymise_run_refuses_a_key_others_can_read(demo_copy, monkeypatch, capsys):
    key = demo_copy / "keys" / "demo" / "pseudonym_key.json"
    key.chmod(0o640)
    monkeypatch.chdir(demo_copy)
    _one_line_exit_2(main(["anonymise", "run", "--cohort", "demo", "--no-progress"]), capsys.readouterr(),
                     "chmod 600")


# --------------------------------------------------------------------------- 3. Python-API writers


def _writers(project: Path):
    from rmresearch.coding import export_qdpx, load_codebook, write_codebook, write_codings_csv, write_qdc
    from rmresearch.transcripts import write_transcript_text

    codebook = load_codebook()
    frame = pd.read_csv(project / "data/demo/codings.csv", dtype=str).head(3)
    return {
        "export_qdpx": lambda p: export_qdpx(p, texts={"interview_01": "P01: words\n"}, codebook=codebook),
        "write_qdc": lambda p: write_qdc(codebook, p),
        "write_codebook": lambda p: write_codebook(codebook, p),
        "write_codings_csv": lambda p: write_codings_csv(frame, p),
        "write_transcript_text": lambda p: write_transcript_text("P01: words", p),
    }


WRITERS = ["export_qdpx", "write_qdc", "write_codebook", "write_codings_csv", "write_transcript_text"]
TARGETS = ["interviews/demo/raw/x.qdpx", "data/demo/codings.csv", "keys/demo/pseudonym_key.json",
           "data/demo/participants.csv", "interviews/demo/anonymised/interview_01.txt", "cohorts/demo.yml"]


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("target", TARGETS)
def test_api_writers_refuse_configured_inputs_and_protected_folders(demo_copy, monkeypatch, writer, target):
    from rmresearch.errors import OutputRefused

    write = _writers(demo_copy)[writer]
    before = _snapshot(demo_copy)
    monkeypatch.chdir(demo_copy.parent)  # a notebook's working folder need not be the project
    with pytest.raises(OutputRefused, match="refused to write"):
        write(demo_copy / target)
    assert _snapshot(demo_copy) == before


@pytest.mark.parametrize("writer", WRITERS)
def test_api_writers_still_write_new_files_in_the_project_and_outside(demo_copy, tmp_path, writer):
    write = _writers(demo_copy)[writer]
    inside = demo_copy / "exports" / f"{writer}.out"
    assert Path(write(inside)).exists()
    outside = tmp_path / "scratch" / f"{writer}.out"
    assert Path(write(outside)).exists()


@pytest.mark.parametrize("writer", WRITERS)
def test_api_writers_refuse_relative_dotdot_and_linked_paths(demo_copy, tmp_path, monkeypatch, writer):
    """Attacks: a path relative to the project, one through ``..``, and a scratch link into the raw folder."""
    from rmresearch.errors import OutputRefused

    write = _writers(demo_copy)[writer]
    (tmp_path / "scratch").mkdir()
    (tmp_path / "scratch" / "raw").symlink_to(demo_copy / "interviews/demo/raw", target_is_directory=True)
    before = _snapshot(demo_copy)
    monkeypatch.chdir(demo_copy / "data")
    for target in ("demo/codings.csv", "../interviews/demo/raw/new.txt", tmp_path / "scratch" / "raw" / "new.txt"):
        with pytest.raises(OutputRefused):
            write(target)
    assert _snapshot(demo_copy) == before


def test_api_guard_is_an_rmresearch_error_with_a_fix(demo_copy):
    from rmresearch.coding import write_codings_csv

    with pytest.raises(RMResearchError) as caught:
        write_codings_csv(pd.DataFrame(), demo_copy / "data/demo/codings.csv")
    assert "Nothing was written" in str(caught.value) and "inputs.codings" in str(caught.value)
