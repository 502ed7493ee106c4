"""Red team, slice S3 (issue 11): ``anonymise run`` names outputs by pseudonym, never leaves a run half-done,
honours consent, reads review decisions strictly and turns every expected mistake into a clear error."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from rmresearch.cli import main as cli_main
from rmresearch.errors import ConfigError, InputError, ValidationError

PERSON_FILE = "interview_Hyacinth_Beckford.txt"
needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir() or not hasattr(os, "fork"),
                                reason="kills and write failures are simulated through fork and /proc (Linux)")  # a raw file named after a person, as real exports are


def _config(root: Path):
    from rmresearch.config import load_cohort

    return load_cohort(root / "cohorts" / "demo.yml")


def _run(root: Path):
    from rmresearch.anonymise import anonymise_cohort

    return anonymise_cohort(_config(root), progress=False)


def _cli(root: Path, *extra: str) -> int:
    return cli_main(["anonymise", "run", "--cohort", str(root / "cohorts" / "demo.yml"), "--no-progress", *extra])


def _raw(root: Path) -> Path:
    return root / "interviews" / "demo" / "raw"


def _rawfile(root: Path, stem: str) -> Path:
    return next(p for p in _raw(root).iterdir() if p.stem == stem)


def _out(root: Path) -> Path:
    return root / "interviews" / "demo" / "anonymised"


def _key(root: Path) -> Path:
    return root / "keys" / "demo" / "pseudonym_key.json"


def _review(root: Path) -> Path:
    return root / "interviews" / "demo" / "review.csv"


def _state(root: Path) -> dict[str, str]:
    """What a run produces: every anonymised file, the key and the review file (by hash)."""
    files = {f"anonymised/{p.name}": p for p in sorted(_out(root).iterdir())} if _out(root).is_dir() else {}
    files.update({"key": _key(root), "review": _review(root)})
    return {k: hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "" for k, p in files.items()}


def _leftovers(root: Path) -> list[str]:
    folders = [_out(root).parent, _key(root).parent]
    return sorted(p.name for f in folders if f.is_dir() for p in f.iterdir()
                  if p.name.startswith(".") and p.name != ".anonymise.lock")


# --------------------------------------------------------------------------- 1. pseudonymous output names


def test_a_raw_file_named_after_a_person_never_names_a_shareable_output(demo_copy, tmp_path):
    raw = _raw(demo_copy)
    shutil.copy(sorted(raw.glob("*.txt"))[0], raw / PERSON_FILE)
    summary = _run(demo_copy)
    leaked = [w for w in ("hyacinth", "beckford")]
    names = [p.name.casefold() for p in _out(demo_copy).iterdir()]
    assert not [n for n in names if any(w in n for w in leaked)], names
    assert not [d for d in summary["document"] if any(w in d.casefold() for w in leaked)]
    review = pd.read_csv(_review(demo_copy), dtype=str, keep_default_na=False)
    assert not [d for d in review["document"] if any(w in d.casefold() for w in leaked)]
    assert set(review["document"]) <= {p.stem for p in _out(demo_copy).glob("*.txt")}
    # the new file gets the next document pseudonym; the mapping (and a content hash) is in the key
    key = json.loads(_key(demo_copy).read_text())
    assert key["documents"][PERSON_FILE]["document"] == "interview_16"
    assert len(key["documents"][PERSON_FILE]["sha256"]) == 64
    # the .qdpx export names its sources from the anonymised files: no raw name in member names or XML
    qdpx = tmp_path / "x.qdpx"
    assert cli_main(["code", "export-qdpx", "--cohort", str(demo_copy / "cohorts" / "demo.yml"),
                     "--out", str(qdpx), "--no-codings"]) == 0
    with zipfile.ZipFile(qdpx) as z:
        blob = " ".join(z.namelist()).casefold() + z.read("project.qde").decode("utf-8").casefold()
    assert "interview_16" in blob and not [w for w in leaked if w in blob]


def test_demo_document_names_and_segment_ids_are_unchanged(demo_project):
    from rmresearch.coding.cohort import load_coding_data

    raw = sorted(p.stem for p in _raw(demo_project).iterdir())
    assert sorted(p.stem for p in _out(demo_project).glob("*.txt")) == raw  # interview_01..15 as before
    data = load_coding_data(_config(demo_project))
    assert len(data.codings) and set(data.codings["document"]) <= set(raw)


def test_raw_files_whose_outputs_collided_each_get_their_own_output(demo_copy):
    raw = _raw(demo_copy)
    for p in list(raw.iterdir()):
        p.unlink()
    shutil.copytree(_out(demo_copy), demo_copy / "texts")
    texts = sorted((demo_copy / "texts").glob("*.txt"))
    (raw / "a.txt").write_text(texts[0].read_text(), encoding="utf-8")
    (raw / "a.srt").write_text("1\n00:00:01,000 --> 00:00:03,000\nInterviewer: Hello, how was it?\n", encoding="utf-8")
    (raw / "a_txt.txt").write_text(texts[1].read_text(), encoding="utf-8")
    (raw / "A.txt").write_text(texts[2].read_text(), encoding="utf-8")
    summary = _run(demo_copy)
    outs = sorted(_out(demo_copy).glob("*.txt"))
    assert len(summary) == 4 and len(outs) == 4  # one anonymised copy per raw file, none overwritten
    assert len({p.read_text() for p in outs}) == 4
    assert "Hello, how was it?" in "".join(p.read_text() for p in outs)


def test_document_pseudonyms_are_stable_when_files_are_added_renamed_or_the_key_is_old(demo_copy):
    before = _state(demo_copy)
    raw = _raw(demo_copy)
    # an old (format 1) key: no documents; an old review file: rows name raw files, one decided
    key = json.loads(_key(demo_copy).read_text())
    key.pop("documents", None)
    key["format"] = 1
    _key(demo_copy).write_text(json.dumps(key), encoding="utf-8")
    review = pd.read_csv(_review(demo_copy), dtype=str, keep_default_na=False)
    names = {p.stem: p.name for p in raw.iterdir()}
    review["document"] = [names[d] if d in names else d for d in review["document"]]  # as 9cf9af5 wrote them
    review.loc[0, "decision"] = "reject"
    span = review.loc[0, ["document", "start", "text"]].tolist()
    review.to_csv(_review(demo_copy), index=False)
    _run(demo_copy)
    after = pd.read_csv(_review(demo_copy), dtype=str, keep_default_na=False)
    assert set(after["document"]) <= set(names)  # pseudonyms now
    doc = Path(span[0]).stem
    row = after.loc[(after["document"] == doc) & (after["start"] == span[1]) & (after["text"] == span[2])]
    assert list(row["decision"]) == ["reject"]  # the old row's decision was carried over and applied
    log = pd.read_csv(_out(demo_copy) / f"{doc}.log.csv")
    assert (log.loc[log["start"] == int(span[1]), "decision"] == "reject").all()
    # a file added that sorts first gets the next number; a renamed file keeps its pseudonym
    shutil.copy(sorted(raw.glob("*.txt"))[0], raw / "aaa_new.txt")
    (raw / "aaa_new.txt").write_text((raw / "aaa_new.txt").read_text() + "\nInterviewer: One more thing.\n")
    renamed = _rawfile(demo_copy, "interview_05")
    os.replace(renamed, raw / f"interview_Zed_Person{renamed.suffix}")
    _run(demo_copy)
    docs = json.loads(_key(demo_copy).read_text())["documents"]
    assert docs["aaa_new.txt"]["document"] == "interview_16"
    assert docs[f"interview_Zed_Person{renamed.suffix}"]["document"] == "interview_05"
    first = names["interview_01"]
    assert docs[first]["document"] == "interview_01"
    now = _state(demo_copy)
    assert now["anonymised/interview_05.txt"] == before["anonymised/interview_05.txt"]
    assert "anonymised/interview_16.txt" in now and not [k for k in now if "aaa" in k or "Zed" in k]


def test_a_changed_raw_file_with_its_old_mtime_is_stale(demo_copy):
    from rmresearch.anonymise import check_anonymised

    config = _config(demo_copy)
    check_anonymised(config)
    raw = sorted(_raw(demo_copy).glob("*.txt"))[0]
    st = raw.stat()
    raw.write_text(raw.read_text() + "\nInterviewer: Also, Faith Young called.\n", encoding="utf-8")
    os.utime(raw, ns=(st.st_atime_ns, st.st_mtime_ns))  # restored from a backup with `cp -p`
    with pytest.raises(InputError, match=raw.name):
        check_anonymised(config)


# --------------------------------------------------------------------------- 2. nothing half-done


def _prepare_kill_project(demo_copy: Path) -> tuple[dict, dict, Path]:
    """A project with an old state (a finished run) and pending changes, and the state an uninterrupted run gives."""
    raw = _raw(demo_copy)
    for p in sorted(raw.iterdir())[4:]:
        p.unlink()
    _run(demo_copy)  # the old state: four documents
    # changes the next run applies: a decision, a removed file, an added one
    review = pd.read_csv(_review(demo_copy), dtype=str, keep_default_na=False)
    if len(review):
        review.loc[0, "decision"] = "reject"
        review.to_csv(_review(demo_copy), index=False)
    _rawfile(demo_copy, "interview_02").unlink()
    (raw / "zz_added.txt").write_text("Interviewer: Hi Hyacinth Beckford, thanks.\nP01: Email me at h.b@example.org.\n",
                                      encoding="utf-8")
    old = _state(demo_copy)
    backup = demo_copy.parent / "backup"
    for part in ("interviews", "keys"):
        shutil.copytree(demo_copy / part, backup / part, symlinks=True)
    _run(demo_copy)
    new = _state(demo_copy)
    assert new != old and "anonymised/interview_02.txt" not in new and "anonymised/interview_16.txt" in new
    _restore(demo_copy, backup)
    assert _state(demo_copy) == old
    return old, new, backup


def _restore(root: Path, backup: Path) -> None:
    for part in ("interviews", "keys"):
        shutil.rmtree(root / part)
        shutil.copytree(backup / part, root / part, symlinks=True)


def _killed_run(root: Path, *, before_replace: int = 0, before_write: int = 0) -> bool:
    """Run the anonymiser in a forked child that SIGKILLs itself just before its n-th rename or n-th
    completed file write (fsync). True when the child was killed (False: it finished first)."""
    pid = os.fork()
    if pid == 0:  # child
        try:
            calls = {"replace": 0, "write": 0}
            real_replace, real_fsync = os.replace, os.fsync

            def replace(*a, **k):
                calls["replace"] += 1
                if calls["replace"] == before_replace:
                    os.kill(os.getpid(), signal.SIGKILL)
                return real_replace(*a, **k)

            def fsync(fd):
                if os.path.isfile(os.readlink(f"/proc/self/fd/{fd}")):
                    calls["write"] += 1
                    if calls["write"] == before_write:
                        os.kill(os.getpid(), signal.SIGKILL)
                return real_fsync(fd)

            os.replace, os.fsync = replace, fsync
            _run(root)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


@pytest.mark.slow
@needs_proc
def test_sigkill_at_every_step_leaves_old_or_new_and_a_rerun_gives_the_uninterrupted_result(demo_copy):
    from rmresearch.anonymise import check_anonymised
    old, new, backup = _prepare_kill_project(demo_copy)
    journal = _key(demo_copy).parent / ".anonymise-journal.json"
    points = [{"before_replace": n} for n in range(1, 8)] + [{"before_write": n} for n in (1, 3, 6, 8)]
    killed = committed = 0
    for point in points:
        _restore(demo_copy, backup)
        if not _killed_run(demo_copy, **point):
            continue
        killed += 1
        if journal.exists():  # committed: readers are told to rerun, the next start finishes the swap
            committed += 1
            with pytest.raises(InputError, match="interrupted"):
                check_anonymised(_config(demo_copy))
        else:
            assert _state(demo_copy) in (old, new), point
        from rmresearch.anonymise.pipeline import recover_interrupted

        recover_interrupted(_config(demo_copy))
        assert _state(demo_copy) in (old, new), point
        _run(demo_copy)
        assert _state(demo_copy) == new, point  # byte-identical to the uninterrupted run
        assert _leftovers(demo_copy) == [], point
        assert stat.S_IMODE(_key(demo_copy).stat().st_mode) == 0o600
        assert stat.S_IMODE(_key(demo_copy).parent.stat().st_mode) == 0o700
    assert killed >= 8 and committed >= 2


@pytest.mark.slow
@needs_proc
def test_a_run_killed_again_while_it_finishes_the_last_swap(demo_copy):
    """Kill in the commit, then kill the next run while it rolls the journal forward: a third run still ends in the new state."""
    old, new, backup = _prepare_kill_project(demo_copy)
    for first, second in [(3, 1), (3, 2), (4, 1), (2, 2)]:
        _restore(demo_copy, backup)
        assert _killed_run(demo_copy, before_replace=first)
        _killed_run(demo_copy, before_replace=second)
        _run(demo_copy)
        assert _state(demo_copy) == new and _leftovers(demo_copy) == [], (first, second)


_SLOW_CHILD = """
import os, sys, time
real = os.replace
def slow(*a, **k):
    time.sleep(0.05)
    return real(*a, **k)
os.replace = slow
from rmresearch.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
@needs_proc
def test_cli_run_killed_at_random_times_then_rerun_matches(demo_copy):
    old, new, backup = _prepare_kill_project(demo_copy)
    argv = [sys.executable, "-c", _SLOW_CHILD, "anonymise", "run", "--cohort", str(demo_copy / "cohorts" / "demo.yml"),
            "--no-progress"]
    rng = random.Random(11)
    for _ in range(3):
        _restore(demo_copy, backup)
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(1.0, 3.0))
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert _cli(demo_copy) == 0
        assert _state(demo_copy) == new and _leftovers(demo_copy) == []


def test_staging_left_without_a_journal_is_discarded(demo_copy):
    before = _state(demo_copy)
    stale = _out(demo_copy).with_name(".anonymised.staging")
    stale.mkdir()
    (stale / "interview_01.txt").write_text("half", encoding="utf-8")
    (_key(demo_copy).parent / ".pseudonym_key.json.staging").write_text("{", encoding="utf-8")
    (_review(demo_copy).parent / ".review.csv.staging").write_text("doc", encoding="utf-8")
    _run(demo_copy)
    assert _leftovers(demo_copy) == [] and _state(demo_copy) == before


def test_outputs_of_files_no_longer_in_raw_are_dropped_and_other_files_kept(demo_copy):
    (_out(demo_copy) / "interview_Old_Name.txt").write_text("from an older version", encoding="utf-8")
    (_out(demo_copy) / "notes.md").write_text("kept", encoding="utf-8")
    _rawfile(demo_copy, "interview_15").unlink()
    _run(demo_copy)
    names = {p.name for p in _out(demo_copy).iterdir()}
    assert "interview_Old_Name.txt" not in names and "interview_15.txt" not in names and "notes.md" in names


def test_a_second_run_of_the_same_cohort_at_once_is_refused(demo_copy):
    import fcntl

    lock = _key(demo_copy).parent / ".anonymise.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(InputError, match="another"):
            _run(demo_copy)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- 4. review decisions


def _review_rows(root: Path) -> pd.DataFrame:
    return pd.read_csv(_review(root), dtype=str, keep_default_na=False)


def test_conflicting_review_rows_are_an_error_naming_the_rows(demo_copy, capsys):
    rows = _review_rows(demo_copy)
    dup = rows.iloc[[0]].copy()
    rows.loc[0, "decision"] = "accept"
    dup["decision"] = "reject"
    pd.concat([rows, dup]).to_csv(_review(demo_copy), index=False)
    before = _state(demo_copy)
    assert _cli(demo_copy) == 2
    err = capsys.readouterr().err
    assert "review.csv" in err and f"row {len(rows) + 2}" in err and "row 2" in err and "keep one decision" in err
    assert _state(demo_copy) == before


def test_same_span_with_different_text_and_decisions_is_a_conflict(tmp_path):
    from rmresearch.anonymise import ReviewQueue

    path = tmp_path / "review.csv"
    path.write_text("document,start,end,text,decision\n"
                    "d,1,5,Rose,accept\n"
                    "d,1,5,rose,reject\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="row 2"):
        ReviewQueue(path)


def test_review_file_saved_by_excel_still_reads(demo_copy):
    rows = _review_rows(demo_copy)
    rows.loc[0, "decision"] = "Reject"
    doc, start = rows.loc[0, "document"], int(rows.loc[0, "start"])
    rows = rows[list(reversed(rows.columns))]  # columns reordered
    text = rows.to_csv(index=False, sep=";")
    text = text.replace("\n", "\r\n") + ";;;;;;;;;;\r\n;;;;;;;;;;\r\n"  # CRLF, blank rows at the end
    _review(demo_copy).write_bytes("\ufeff".encode() + text.encode("utf-8"))  # Excel's CSV UTF-8 BOM
    _run(demo_copy)
    after = _review_rows(demo_copy)
    assert list(after.columns)[0] == "document" and len(after) == len(rows)
    assert after.loc[0, "decision"] == "reject"
    log = pd.read_csv(_out(demo_copy) / f"{doc}.log.csv")
    assert (log.loc[log["start"] == start, "decision"] == "reject").all()


def test_review_file_in_a_legacy_encoding_is_a_clear_error(demo_copy, capsys):
    _review(demo_copy).write_bytes("document,start,end,text,decision\ninterview_03,1,5,Zo\xeb,reject\n".encode("cp1252"))
    assert _cli(demo_copy) == 2
    assert "CSV UTF-8" in capsys.readouterr().err


def test_review_file_that_is_a_folder_or_inside_the_anonymised_folder(demo_copy, capsys):
    _review(demo_copy).unlink()
    _review(demo_copy).mkdir()
    assert _cli(demo_copy) == 2
    assert "review file" in capsys.readouterr().err
    _review(demo_copy).rmdir()
    cfg = demo_copy / "cohorts" / "demo.yml"
    text = cfg.read_text()
    cfg.write_text(text.replace("options:\n", "options:\n  anonymise:\n    review_file: interviews/demo/anonymised/review.csv\n", 1))
    assert _cli(demo_copy) == 2
    assert "review" in capsys.readouterr().err
    assert not (_out(demo_copy) / "review.csv").exists()


# --------------------------------------------------------------------------- 5. clear errors


@pytest.mark.parametrize("content", ["[]", '{"entries": {"PERSON\\tx": 1}}', '{"entries": [], "cohort": "demo"}',
                                     '{"counters": {"PERSON": "7"}}', '{"documents": {"a.txt": "interview_01"}}'])
def test_a_damaged_key_is_a_clear_error(demo_copy, capsys, content):
    _key(demo_copy).write_text(content, encoding="utf-8")
    os.chmod(_key(demo_copy), 0o600)
    assert _cli(demo_copy) == 2
    err = capsys.readouterr().err
    assert "pseudonym key is damaged" in err and "restore it from backup" in err


def test_a_key_others_can_read_is_refused_with_the_fix(demo_copy, capsys):
    os.chmod(_key(demo_copy), 0o644)
    before = _state(demo_copy)
    assert _cli(demo_copy) == 2
    assert f"chmod 600 {_key(demo_copy)}" in capsys.readouterr().err
    assert _state(demo_copy) == before


def test_key_of_another_cohort_or_a_folder(demo_copy, capsys):
    key = json.loads(_key(demo_copy).read_text())
    key["cohort"] = "other"
    _key(demo_copy).write_text(json.dumps(key), encoding="utf-8")
    assert _cli(demo_copy) == 2
    assert "belongs to cohort 'other'" in capsys.readouterr().err
    _key(demo_copy).unlink()
    _key(demo_copy).mkdir()
    assert _cli(demo_copy) == 2
    assert "is a folder" in capsys.readouterr().err


def test_keys_folder_that_cannot_be_made(demo_copy, capsys, monkeypatch):
    shutil.rmtree(_key(demo_copy).parent)
    _key(demo_copy).parent.write_text("not a folder", encoding="utf-8")
    assert _cli(demo_copy) == 2
    assert "key" in capsys.readouterr().err
    _key(demo_copy).parent.unlink()
    real = os.open

    def denied(path, *a, **k):  # as on a read-only share (root ignores file modes, so simulated)
        if str(path).endswith(".anonymise.lock"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *a, **k)

    monkeypatch.setattr(os, "open", denied)
    assert _cli(demo_copy) == 2
    assert "keys folder cannot be written (Permission denied)" in capsys.readouterr().err


def test_empty_raw_folder_or_only_unsupported_files(demo_copy, capsys):
    raw = _raw(demo_copy)
    for p in raw.iterdir():
        p.unlink()
    before = _state(demo_copy)
    assert _cli(demo_copy) == 2
    assert "no transcripts" in capsys.readouterr().err
    (raw / "interview_01.pdf").write_bytes(b"%PDF-1.4")
    assert _cli(demo_copy) == 2
    assert "interview_01.pdf" in capsys.readouterr().err
    assert _state(demo_copy) == before  # the previous outputs are not wiped by an empty folder


def test_a_raw_file_that_vanishes_mid_run(demo_copy, monkeypatch, capsys):
    from rmresearch.anonymise import pipeline

    real = pipeline.transcript_files
    monkeypatch.setattr(pipeline, "transcript_files", lambda folder: real(folder) + [Path(folder) / "zz_gone.txt"])
    before = _state(demo_copy)
    assert _cli(demo_copy) == 2
    assert "zz_gone.txt" in capsys.readouterr().err
    assert _state(demo_copy) == before


@needs_proc
def test_outputs_that_cannot_be_written_leave_the_previous_state(demo_copy, monkeypatch, capsys):
    real = os.fsync

    def full(fd):
        if "review.csv" in os.path.basename(os.readlink(f"/proc/self/fd/{fd}")):
            raise OSError(28, "No space left on device")
        return real(fd)

    monkeypatch.setattr(os, "fsync", full)
    _rawfile(demo_copy, "interview_15").unlink()
    before = _state(demo_copy)
    assert _cli(demo_copy) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert _state(demo_copy) == before and _leftovers(demo_copy) == []


# --------------------------------------------------------------------------- 3. consent


def _speaker_of(root: Path) -> tuple[str, str]:
    """A (document, participant ID) where the participant speaks."""
    for p in sorted(_out(root).glob("*.txt")):
        for line in p.read_text().splitlines():
            if m := re.match(r"\[(P\d+)\]:", line):
                return p.stem, m.group(1)
    raise AssertionError("no participant speaks in the demo")


def _turn_words(root: Path, doc: str, pid: str) -> list[str]:
    """The raw words of each turn ``pid`` speaks in ``doc`` (from the raw transcript)."""
    from rmresearch.transcripts import read_transcript

    raw = next(p for p in _raw(root).iterdir() if json.loads(_key(root).read_text())["documents"][p.name]["document"] == doc)
    out = (_out(root) / f"{doc}.txt").read_text().splitlines()
    turns = [t for t in read_transcript(raw).turns if t.speaker is not None]
    return [t.text for t, line in zip(turns, [ln for ln in out if ":" in ln]) if line.startswith(f"[{pid}]:")]


@pytest.mark.parametrize("how", ["withdrawn", "no consent"])
def test_words_of_a_participant_without_interview_consent_are_withheld(demo_copy, how):
    from rmresearch.anonymise.pipeline import WITHHELD

    doc, pid = _speaker_of(demo_copy)
    words = [w for w in _turn_words(demo_copy, doc, pid) if len(w) > 25]
    assert words
    before = {p.name: p.read_text() for p in _out(demo_copy).glob("*.txt")}
    if how == "withdrawn":
        cfg = demo_copy / "cohorts" / "demo.yml"
        cfg.write_text(cfg.read_text().replace("options:\n", f"options:\n  withdrawn: [{pid}]\n", 1))
    else:
        table = pd.read_csv(demo_copy / "data/demo/participants.csv", dtype=str, keep_default_na=False)
        table.loc[table["participant_id"] == pid, "consent_interview"] = "no"
        table.to_csv(demo_copy / "data/demo/participants.csv", index=False)
    summary = _run(demo_copy)
    after = {p.name: p.read_text() for p in _out(demo_copy).glob("*.txt")}
    shared = "\n".join(after.values()) + "\n".join(p.read_text() for p in _out(demo_copy).glob("*.log.csv"))
    for w in words:
        assert w not in shared
    lines = after[f"{doc}.txt"].splitlines()
    theirs = [ln for ln in lines if ln.startswith(f"[{pid}]:")]
    assert theirs and all(ln == f"[{pid}]: {WITHHELD}" for ln in theirs)  # the speaker stays, as their ID
    assert len(lines) == len(before[f"{doc}.txt"].splitlines())  # turns keep their numbers (segment IDs)
    others = [ln for ln in lines if not ln.startswith(f"[{pid}]:")]
    assert others == [ln for ln in before[f"{doc}.txt"].splitlines() if not ln.startswith(f"[{pid}]:")]
    assert int(summary["WITHHELD"].sum()) == len([ln for doc_text in after.values() for ln in doc_text.splitlines()
                                                  if ln.endswith(WITHHELD)])
    from rmresearch.anonymise import anonymisation_summary

    info = anonymisation_summary(_config(demo_copy))
    assert info["withheld_turns"] == int(summary["WITHHELD"].sum()) >= len(theirs) and "WITHHELD" not in set(info["by_label"]["label"])
    review = _review_rows(demo_copy)
    assert not [r for r in review.itertuples() if r.document == doc and r.decision == "" and
                any(r.text in w for w in words) and r.text not in after[f"{doc}.txt"]]


def test_a_speaker_label_that_is_an_excluded_id_or_ambiguous_is_withheld():
    from rmresearch.anonymise import Detector, PseudonymKey, anonymise_text
    from rmresearch.anonymise.pipeline import WITHHELD
    from rmresearch.anonymise.roster import Person, Roster
    from rmresearch.transcripts import Transcript

    roster = Roster([Person("P01", "David Underwood"), Person("P02", "David Okoro"), Person("P03", "Ama Mensah")])
    t = Transcript.from_turns([("Interviewer", "Hello David, how was it?", None, None),
                               ("David", "It was fine, really good.", None, None),
                               ("P03", "I agree with him.", None, None),
                               ("Ama Mensah", "Me too, very much.", None, None)])
    turns = [(x.speaker_start, x.speaker_end, x.char_start, x.char_end) for x in t.turns]
    out, log = anonymise_text(t.text, Detector(roster), PseudonymKey(), turns=turns, excluded={"P01", "P03"})
    lines = out.splitlines()
    assert lines[0].startswith("Interviewer: Hello")
    assert lines[1].endswith(WITHHELD) and "fine" not in out  # "David" may be P01: withheld
    assert lines[2] == f"P03: {WITHHELD}" and lines[3] == f"[P03]: {WITHHELD}"
    assert (log["label"] == "WITHHELD").sum() == 3
    kept, _ = anonymise_text(t.text, Detector(roster), PseudonymKey(), turns=turns, excluded=set())
    assert "It was fine" in kept and "Me too" in kept


def test_a_hand_edited_key_whose_documents_would_collide_or_escape(demo_copy, capsys):
    key = json.loads(_key(demo_copy).read_text())
    names = sorted(key["documents"])
    key["documents"][names[1]]["document"] = key["documents"][names[0]]["document"]
    _key(demo_copy).write_text(json.dumps(key), encoding="utf-8")
    assert _cli(demo_copy) == 2
    assert "same pseudonym" in capsys.readouterr().err
    key["documents"][names[1]]["document"] = "../../reports/x"
    _key(demo_copy).write_text(json.dumps(key), encoding="utf-8")
    assert _cli(demo_copy) == 2
    assert "not a plain file name" in capsys.readouterr().err


def test_a_journal_that_lists_other_files_is_not_followed(demo_copy, capsys):
    from rmresearch.anonymise.pipeline import JOURNAL_FILENAME

    victim = demo_copy / "data" / "demo" / "participants.csv"
    before = victim.read_bytes()
    (demo_copy / "evil.staging").write_text("x", encoding="utf-8")
    plan = {"folder": str(_out(demo_copy)), "staging": str(_out(demo_copy).with_name(".anonymised.staging")),
            "old": str(_out(demo_copy).with_name(".anonymised.old")),
            "files": [[str(demo_copy / "evil.staging"), str(victim)]]}
    (_key(demo_copy).parent / JOURNAL_FILENAME).write_text(json.dumps(plan), encoding="utf-8")
    assert _cli(demo_copy) == 2
    assert "lists other files" in capsys.readouterr().err
    assert victim.read_bytes() == before


def test_a_transcript_too_large_is_refused_before_it_is_read(demo_copy, monkeypatch, capsys):
    from rmresearch.anonymise import pipeline

    monkeypatch.setattr(pipeline, "MAX_TRANSCRIPT_BYTES", 1000)
    before = _state(demo_copy)
    assert _cli(demo_copy) == 2
    assert "more than a transcript can be" in capsys.readouterr().err
    assert _state(demo_copy) == before


def test_transcripts_in_subfolders_are_anonymised_and_their_folder_names_do_not_leak(demo_copy):
    raw = _raw(demo_copy)
    sub = raw / "Hyacinth Beckford" / "2025-03"
    sub.mkdir(parents=True)
    (sub / "call.txt").write_text("Interviewer: Thanks for joining.\nP01: It went well, mostly.\n", encoding="utf-8")
    summary = _run(demo_copy)
    assert len(summary) == len(list(raw.glob("*.*"))) + 1
    docs = json.loads(_key(demo_copy).read_text())["documents"]
    assert docs["Hyacinth Beckford/2025-03/call.txt"]["document"] == "interview_16"
    assert "It went well, mostly." in (_out(demo_copy) / "interview_16.txt").read_text()
    assert not [p for p in _out(demo_copy).iterdir() if "hyacinth" in p.name.casefold()]


def test_a_link_to_a_missing_transcript_or_a_raw_path_that_is_a_file(demo_copy, capsys):
    raw = _raw(demo_copy)
    os.symlink(demo_copy / "nowhere" / "x.txt", raw / "zz_link.txt")
    assert _cli(demo_copy) == 2
    assert "zz_link.txt: a link to a file that does not exist" in capsys.readouterr().err
    shutil.rmtree(raw)
    raw.write_text("not a folder", encoding="utf-8")
    assert _cli(demo_copy) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_a_withdrawal_after_anonymising_is_known_until_rerun(demo_copy):
    from rmresearch.anonymise.pipeline import WITHHELD, consent_not_applied

    doc, pid = _speaker_of(demo_copy)
    assert consent_not_applied(_config(demo_copy)) == []
    cfg = demo_copy / "cohorts" / "demo.yml"
    cfg.write_text(cfg.read_text().replace("options:\n", f"options:\n  withdrawn: [{pid}]\n", 1))
    assert consent_not_applied(_config(demo_copy)) == [pid]
    _run(demo_copy)
    assert consent_not_applied(_config(demo_copy)) == []
    assert f"[{pid}]: {WITHHELD}" in (_out(demo_copy) / f"{doc}.txt").read_text()


def test_review_decisions_that_no_longer_match_are_reported(demo_copy, capsys):
    rows = _review_rows(demo_copy)
    rows.loc[0, "decision"] = "reject"
    rows.loc[0, "text"] = rows.loc[0, "text"] + "x"  # edited in Excel by mistake
    rows.to_csv(_review(demo_copy), index=False)
    assert _cli(demo_copy) == 0
    assert "1 decision(s)" in capsys.readouterr().err


_H = "document,start,end,label,layer,confidence,text,context,pseudonym,decision,note\n"
_ROW = "d,4,8,PERSON,lexicon,0.6,Rose,ctx,[PERSON_1],reject,\n"


@pytest.mark.parametrize("data", [
    (_H + _ROW).replace(",", "\t"),  # Excel "Text (Tab delimited)"
    (_H + _ROW).replace("document", "Document").replace("decision", " Decision"),  # headers retyped
    (_H + _ROW).replace(",4,8,", ",4.0,8.0,"),  # numbers saved as decimals
    _H + _ROW + ",,,,,,,,,,\n",  # a blank row
])
def test_review_files_as_spreadsheets_save_them(tmp_path, data):
    from rmresearch.anonymise import ReviewQueue

    path = tmp_path / "review.csv"
    path.write_text(data, encoding="utf-8")
    assert ReviewQueue(path).decision("d", 4, 8, "Rose") == "reject"


def test_an_empty_review_file_is_an_empty_queue(tmp_path):
    from rmresearch.anonymise import ReviewQueue

    path = tmp_path / "review.csv"
    path.write_bytes(b"")
    assert ReviewQueue(path).rows == {}


def test_a_key_saved_with_a_byte_order_mark_still_loads(demo_copy):
    before = _state(demo_copy)
    _key(demo_copy).write_bytes(b"\xef\xbb\xbf" + _key(demo_copy).read_bytes())  # saved by Notepad
    _run(demo_copy)
    assert _state(demo_copy) == before  # same pseudonyms; the key is written back without the BOM


def test_document_pseudonyms_never_change_never_repeat_and_never_reuse_a_name():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from rmresearch.anonymise import PseudonymKey

    names = st.sampled_from(["a.txt", "A.txt", "a.docx", "b.vtt", "interview_02.txt", "Zoë O'Neil.txt", "x/y.txt"])
    runs = st.lists(st.dictionaries(names, st.sampled_from(["h1", "h2", "h3"]), max_size=5), min_size=1, max_size=6)

    @settings(max_examples=150, deadline=None)
    @given(runs)
    def check(sequence):
        key = PseudonymKey()
        previous: dict[str, str] = {}
        ever: set[str] = set()
        for files in sequence:
            out = key.document_names(files)
            assert sorted(out) == sorted(files)
            assert len(set(out.values())) == len(out)  # no two raw files share an output
            for raw, doc in out.items():
                assert raw not in doc and doc.startswith("interview_")
                if raw in previous:
                    assert previous[raw] == doc  # a file present in the last run keeps its pseudonym
                elif doc in ever:  # an old pseudonym only goes to a renamed file (same content)
                    assert any(e["document"] == doc and e["sha256"] == files[raw] for e in key.documents.values())
            previous = out
            ever |= set(out.values())
            docs = [e["document"] for e in key.documents.values()]
            assert len(docs) == len(set(docs))

    check()
