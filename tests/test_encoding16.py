"""Transcript and table encodings, never guessed silently (issue 16, item 6).

Files are written here as the programs that make them save them: Notepad's "ANSI" (cp1252, CRLF), Notepad's
"UTF-8 with BOM", Word's "Unicode" plain text (UTF-16 LE with a byte-order mark), "Unicode big endian" (UTF-16 BE
with its mark), and an HR system's CSV export in cp1252. A file that is not UTF-8 is refused naming the file, the line
and the byte offset, and saying in command-line terms how to name its encoding (``--encoding cp1252`` or the cohort
file's ``inputs: interviews: {path: ..., encoding: cp1252}``); once named, it reads exactly.
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

import pytest

from rmresearch.config import load_cohort
from rmresearch.errors import ConfigError, InputError
from rmresearch.inputs import validate_cohort
from rmresearch.transcripts import read_transcript

LINES = ["Interviewer: Thank you for coming, Zoë.", "Siobhán Ní Bhriain: It was a café meeting — every month.", ""]
CP1252 = "\r\n".join(LINES).encode("cp1252")  # Notepad "ANSI"
TURNS = [("Interviewer", "Thank you for coming, Zoë."), ("Siobhán Ní Bhriain", "It was a café meeting — every month.")]

COHORT = """cohort: enc16
programme_type: reciprocal
start_date: 2024-10-01
end_date: 2025-03-31
root: ..
inputs:
  participants: data/participants.csv
{extra}
outputs:
  anonymised: interviews/anonymised
  reports: reports/enc16
  keys: keys/enc16
"""


def _turns(path: Path, **kw) -> list[tuple[str | None, str]]:
    return [(t.speaker, t.text) for t in read_transcript(path, **kw).turns]


def test_cp1252_transcript_is_refused_naming_line_byte_and_the_flag(tmp_path):
    path = tmp_path / "interview_07.txt"
    path.write_bytes(CP1252)
    with pytest.raises(InputError) as info:
        read_transcript(path)
    message = str(info.value)
    # "Interviewer: Thank you for coming, Zo" is 37 bytes: the ë (0xeb) is byte 37, on line 1
    assert message.startswith(f"{path}: not UTF-8 text (line 1, byte 0xeb at byte offset 37). It looks like Windows-1252")
    assert "`rmresearch anonymise run --encoding cp1252`" in message
    assert "'inputs: interviews: {path: <the raw folder>, encoding: cp1252}'" in message
    assert "encoding='cp1252'" not in message  # the Python argument only the API could follow (before issue 16)
    assert _turns(path, encoding="cp1252") == TURNS


@pytest.mark.parametrize("data", [
    "\ufeff".encode("utf-8") + "\r\n".join(LINES).encode("utf-8"),  # Notepad "UTF-8 with BOM"
    "\r\n".join(LINES).encode("utf-16"),  # Word "Unicode" plain text: UTF-16 LE with its mark (CPython writes LE)
    b"\xfe\xff" + "\r\n".join(LINES).encode("utf-16-be"),  # "Unicode big endian"
], ids=["utf8-bom", "utf16-le-bom", "utf16-be-bom"])
def test_a_byte_order_mark_is_evidence_whatever_encoding_is_named(tmp_path, data):
    path = tmp_path / "interview_01.txt"
    path.write_bytes(data)
    assert _turns(path) == TURNS
    assert _turns(path, encoding="cp1252") == TURNS  # a folder-wide cp1252 does not misread a file with a mark


def test_a_utf8_file_in_a_folder_named_cp1252_is_still_utf8(tmp_path):
    """'café' in UTF-8 read as cp1252 would be 'cafÃ©' without a word; valid UTF-8 is evidence."""
    path = tmp_path / "interview_02.txt"
    path.write_bytes("\n".join(LINES).encode("utf-8"))
    assert _turns(path, encoding="cp1252") == TURNS


def test_a_file_the_named_encoding_cannot_decode_names_line_and_byte(tmp_path):
    path = tmp_path / "interview_03.txt"
    path.write_bytes(b"Interviewer: hello\nP: \x81 odd\n")  # 0x81 is unassigned in cp1252, and not UTF-8
    with pytest.raises(InputError, match=r"not valid cp1252 text \(line 2, byte 0x81 at byte offset 22\)"):
        read_transcript(path, encoding="cp1252")


def _project(tmp_path: Path, extra: str = "", staff: bytes | None = None, transcript: bytes | None = None) -> Path:
    (tmp_path / "cohorts").mkdir(exist_ok=True)
    (tmp_path / "cohorts" / "enc16.yml").write_text(COHORT.format(extra=extra), encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    with (data / "participants.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([
            ["participant_id", "name", "cohort", "role", "ethnicity_code", "sex", "grade", "faculty",
             "consent_interview", "consent_records"],
            ["P01", "Zoë Adeyemi", "enc16", "Senior Leader", "White - British", "F", "Director", "Arts", "Yes", "Yes"],
            ["P02", "Siobhán Ní Bhriain", "enc16", "Staff Partner", "White - Irish", "F", "6", "Arts", "Yes", "Yes"],
        ])
    if staff is not None:
        (data / "staff.csv").write_bytes(staff)
    if transcript is not None:
        (tmp_path / "raw").mkdir(exist_ok=True)
        (tmp_path / "raw" / "interview_07.txt").write_bytes(transcript)
    return tmp_path / "cohorts" / "enc16.yml"


def test_cohort_file_names_an_input_encoding_and_checks_it(tmp_path):
    cohort = _project(tmp_path, "  interviews: {path: raw, encoding: Windows-1252}", transcript=CP1252)
    config = load_cohort(cohort)
    assert config.inputs["interviews"] == tmp_path / "raw" and config.encodings == {"interviews": "cp1252"}
    for extra, expected in [
        ("  interviews: {path: raw, encoding: cp-1252x}", "inputs.interviews.encoding: unknown encoding 'cp-1252x'"),
        ("  interviews: {path: raw, encoding: base64}", "inputs.interviews.encoding: 'base64' is not a text encoding"),
        ("  interviews: {path: raw, codec: cp1252}", "inputs.interviews written as a mapping takes 'path' and 'encoding'"),
        ("  codings: {path: raw, encoding: cp1252}", "inputs.codings must be a path; only interviews, participants"),
    ]:
        _project(tmp_path, extra)
        with pytest.raises(ConfigError, match=expected.replace("(", r"\(").replace(".", r"\.")):
            load_cohort(cohort)


def test_validate_reads_transcripts_with_the_cohort_files_encoding(tmp_path):
    cohort = _project(tmp_path, "  interviews: raw", transcript=CP1252)
    [problem] = [p for p in validate_cohort(load_cohort(cohort))[1] if p.severity == "error"]
    assert problem.file == str(tmp_path / "raw" / "interview_07.txt")
    assert problem.message.startswith("not UTF-8 text (line 1, byte 0xeb at byte offset 37)")
    assert ("name it in enc16.yml: 'inputs: interviews: {path: raw, encoding: cp1252}' (validate and report read it "
            "there; `rmresearch anonymise run --cohort enc16 --encoding cp1252` names it for that run only)"
            ) in problem.message
    cohort = _project(tmp_path, "  interviews: {path: raw, encoding: cp1252}")
    assert [p for p in validate_cohort(load_cohort(cohort))[1] if p.severity == "error"] == []


def test_anonymise_reads_every_transcript_with_the_named_encoding(tmp_path):
    """The pipeline's reading step (every raw file read before anything is written) takes the encoding named
    for inputs.interviews, which `anonymise run --encoding` sets."""
    from rmresearch.anonymise.pipeline import _read_all

    cohort = _project(tmp_path, "  interviews: raw", transcript=CP1252)
    (tmp_path / "raw" / "interview_08.txt").write_bytes("\n".join(LINES).encode("utf-8"))
    files = sorted((tmp_path / "raw").glob("*.txt"))
    config = load_cohort(cohort)
    with pytest.raises(InputError, match=r"1 of 2 transcript\(s\) cannot be read; nothing was written"):
        _read_all(files, tmp_path / "raw", config)
    config = SimpleNamespace(**{**vars(config), "encodings": {"interviews": "cp1252"}})
    transcripts, _ = _read_all(files, tmp_path / "raw", config)
    assert [[(t.speaker, t.text) for t in transcripts[f].turns] for f in files] == [TURNS, TURNS]


def test_anonymise_run_refuses_an_unknown_encoding_flag_in_command_line_terms(capsys):
    from rmresearch.cli import main

    with pytest.raises(SystemExit) as info:
        main(["anonymise", "run", "--cohort", "enc16", "--encoding", "klingon"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --encoding: unknown encoding 'klingon'; name a text encoding" in err and "Traceback" not in err


HR_EXPORT = ("Université d’Anytown: HR staff census\r\n\r\n"
             "Staff ID,Year,Grade,Ethnicity code,Sex,Faculty,Contract,Left,Mentored\r\n"
             "S100001,2024,6,White - British,F,Études Françaises,academic,No,No\r\n"
             "S100002,2024,7,White - Irish,M,Arts,academic,No,Yes\r\n")


def test_an_hr_csv_in_cp1252_is_refused_then_read_with_the_tables_encoding(tmp_path):
    from rmresearch.inputs import read_cohort_table

    cohort = _project(tmp_path, "  staff: data/staff.csv", staff=HR_EXPORT.encode("cp1252"))
    [problem] = [p for p in validate_cohort(load_cohort(cohort))[1] if p.severity == "error"]
    assert problem.file == str(tmp_path / "data" / "staff.csv")
    # "Universit" is 9 bytes: the é (0xe9) is byte 9 of row 1
    assert problem.message.startswith("not UTF-8 text (row 1, byte 0xe9 at byte offset 9). It looks like Windows-1252")
    assert "name it in enc16.yml: 'inputs: staff: {path: data/staff.csv, encoding: cp1252}'" in problem.message
    cohort = _project(tmp_path, "  staff: {path: data/staff.csv, encoding: cp1252}")
    config = load_cohort(cohort)
    frame, problems = read_cohort_table(config, "staff")
    assert [p for p in problems if p.severity == "error"] == []
    assert frame["faculty"].tolist() == ["Études Françaises", "Arts"] and frame["_row"].tolist() == [4, 5]


def test_utf16_without_a_mark_is_refused_naming_its_byte_order_then_read_when_named(tmp_path):
    path = tmp_path / "interview_09.txt"
    path.write_bytes("\n".join(LINES).encode("utf-16-le"))  # no byte-order mark: the bytes alone cannot say
    with pytest.raises(InputError) as info:
        read_transcript(path)
    assert "a NUL byte on line 1, byte offset 1" in str(info.value)
    assert ("If it is UTF-16 text without a byte-order mark, run `rmresearch anonymise run --encoding utf-16-le`"
            in str(info.value))
    assert _turns(path, encoding="utf-16-le") == TURNS


def test_an_interview_manifest_in_cp1252_names_its_option_then_reads(tmp_path):
    from rmresearch.coding.manifest import load_manifest

    manifest = "file,participant_id,interviewer,date\r\ninterview_07.txt,P02,Siobhán Ní Bhriain,10/03/2025\r\n"
    cohort = _project(tmp_path, "  interviews: raw\n  interview_manifest: data/manifest.csv",
                      transcript="\n".join(LINES).encode("utf-8"))
    (tmp_path / "data" / "manifest.csv").write_bytes(manifest.encode("cp1252"))
    [problem] = [p for p in validate_cohort(load_cohort(cohort))[1] if p.severity == "error"]
    assert problem.file == str(tmp_path / "data" / "manifest.csv")
    assert problem.message.startswith("not UTF-8 text (row 2, byte 0xe1 at byte offset 64)")
    assert "'inputs: interview_manifest: {path: data/manifest.csv, encoding: cp1252}'" in problem.message
    cohort = _project(tmp_path, "  interviews: raw\n  interview_manifest: {path: data/manifest.csv, encoding: cp1252}")
    config = load_cohort(cohort)
    assert [p for p in validate_cohort(config)[1] if p.severity == "error"] == []
    assert load_manifest(config, participant_ids=["P01", "P02"])["interviewer"].tolist() == ["Siobhán Ní Bhriain"]
