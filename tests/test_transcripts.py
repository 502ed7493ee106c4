"""Transcript readers: every format on sample files, offsets, and clear errors.

Samples live in tests/data/transcripts/ (written by make_samples.py; all
names invented). Expected turns are worked out by hand from those files.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmresearch.errors import InputError, RMResearchError
from rmresearch.transcripts import (
    SUPPORTED_SUFFIXES,
    Transcript,
    Turn,
    read_jsonl,
    read_transcript,
    write_transcript_text,
)

SAMPLES = Path(__file__).resolve().parent / "data" / "transcripts"
TRANSCRIPT_SAMPLES = sorted(
    p for p in SAMPLES.iterdir() if p.suffix in SUPPORTED_SUFFIXES and p.name != "gold.jsonl"
)


def check_offsets(t: Transcript) -> None:
    """The invariants every reader must keep."""
    assert t.text == "\n".join(f"{u.speaker}: {u.text}" if u.speaker else u.text for u in t.turns)
    for u in t.turns:
        assert t.text[u.char_start : u.char_end] == u.text
        if u.speaker is None:
            assert u.speaker_start is None and u.speaker_end is None
        else:
            assert t.text[u.speaker_start : u.speaker_end] == u.speaker
            assert u.text and u.text == u.text.strip()
    if t.format != "jsonl":
        assert "\r" not in t.text and "\ufeff" not in t.text and "\u200b" not in t.text
        assert all("\n" not in u.text for u in t.turns)


def summary(t: Transcript):
    return [(u.speaker, u.text, u.start, u.end) for u in t.turns]


def test_sample_set_is_complete():
    assert {p.name for p in TRANSCRIPT_SAMPLES} >= {
        "teams.vtt", "zoom.vtt", "autocaptions.vtt", "teams.docx", "speaker_paragraphs.docx",
        "interview.srt", "interview_bom_crlf.txt", "no_speakers.txt", "interview_utf16.txt", "single.jsonl",
    }


@pytest.mark.parametrize("path", TRANSCRIPT_SAMPLES, ids=lambda p: p.name)
def test_offsets_hold_on_every_sample(path):
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    t = read_transcript(path)
    check_offsets(t)
    assert t.format == SUPPORTED_SUFFIXES[path.suffix]
    assert t.source == path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # raw input untouched


# --------------------------------------------------------------------------- WebVTT


def test_teams_vtt_merges_one_speakers_cues_and_cleans_markup():
    t = read_transcript(SAMPLES / "teams.vtt")
    assert summary(t) == [
        ("Oluwaseun Adeyemi-Brown",
         "Thanks for joining, Priya. Shall we start with how the pairing came about?", 3.12, 7.54),
        # three cues (8.000-12.260, 12.260-15.900, 15.900-18.000) merged; &amp; &lt; &gt; unescaped; <i> removed
        ("Priya Raghunathan",
         "Of course. Our coordinator, Dr Tomasz Wiśniewski, matched us & we met in the Library café "
         "the week after. It felt awkward at first <laughs>.", 8.0, 18.0),
        ("Oluwaseun Adeyemi-Brown", "And now?", 18.5, 21.0),  # <v.loud Name> voice class
        ("Priya Raghunathan",
         "Now I ask Seun about things I would never raise with my head of school.", 21.4, 25.75),
    ]
    assert "NOTE" not in t.text and "::cue" not in t.text and "exported" not in t.text
    assert t.speakers == ("Oluwaseun Adeyemi-Brown", "Priya Raghunathan")


def test_zoom_vtt_with_crlf_takes_speaker_from_prefix():
    raw = (SAMPLES / "zoom.vtt").read_bytes()
    assert b"\r\n" in raw
    t = read_transcript(SAMPLES / "zoom.vtt")
    assert summary(t) == [
        ("Nguyễn Thị Lan", "Can you say a little about your role?", 1.0, 4.5),
        ("Chidi Okonkwo", "I lead the widening participation team. Before that I was at Leeds for six years.", 5.01, 12.8),
        ("Nguyễn Thị Lan", "And your mentee? Joy Bishop, wasn't it?", 13.0, 16.25),
        ("Chidi Okonkwo", "Yes: Joy. She is brilliant.", 62.5, 65.0),  # a colon inside the text stays
    ]


def test_autocaption_vtt_lower_case_without_speakers():
    t = read_transcript(SAMPLES / "autocaptions.vtt")
    assert summary(t) == [
        (None, "so when marisol quispe first", 0.0, 2.8),  # <00:00:00.400> and <c> tags removed
        (None, "emailed me i thought it was about the grant", 2.8, 5.1),
        (None, "um but it was about mentoring", 5.1, 7.0),
    ]
    assert "Kind:" not in t.text


def test_vtt_several_voices_in_one_cue_and_hour_times(tmp_path):
    path = tmp_path / "x.vtt"
    path.write_text(
        "WEBVTT - meeting\n\n1:02:03.5 --> 1:02:05.250\n<v Ama Owusu>Hi.</v> <v Bongani Zulu>Hello &amp; welcome</v>\n\n"
        "00:00.000 --> 00:01.000\n<v Bongani Zulu>again</v>\n",
        encoding="utf-8",
    )
    t = read_transcript(path)
    assert summary(t) == [
        ("Ama Owusu", "Hi.", 3723.5, 3725.25),
        ("Bongani Zulu", "Hello & welcome again", 3723.5, 1.0),  # merged: start of first cue, end of last
    ]


def test_vtt_lower_case_repeated_prefix_is_a_speaker_but_a_sentence_is_not(tmp_path):
    path = tmp_path / "x.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\ninterviewer: right\n\n"
        "00:00:02.000 --> 00:00:03.000\nso what i said was: no\n\n"
        "00:00:03.000 --> 00:00:04.000\ninterviewer: okay\n",
        encoding="utf-8",
    )
    assert [(u.speaker, u.text) for u in read_transcript(path).turns] == [
        ("interviewer", "right"), (None, "so what i said was: no"), ("interviewer", "okay"),
    ]


# --------------------------------------------------------------------------- docx


def test_teams_docx_headers_times_and_tables():
    t = read_transcript(SAMPLES / "teams.docx")
    assert summary(t) == [
        (None, "Mentoring interview 12 (synthetic)", None, None),  # preamble paragraphs kept, one turn each
        (None, "March 4, 2024, 10:02AM", None, None),
        (None, "38m 12s", None, None),
        ("Aiyana Redcloud", "Morning, Farid. Thanks for making time.", 3.0, None),
        ("Farid Haddad", "No problem at all. I blocked out the hour.", 7.0, None),
        ("Aiyana Redcloud", "What has changed for you since the scheme began?", 3735.0, None),  # 1:02:15
        ("Farid Haddad", "I listen differently now. Especially in promotion panels.", 3751.0, None),  # tab, soft break
    ]
    assert "Attendee" not in t.text  # the table is skipped


def test_docx_with_speaker_paragraphs():
    t = read_transcript(SAMPLES / "speaker_paragraphs.docx")
    assert summary(t) == [
        ("Interviewer", "Could you describe a typical meeting?", None, None),
        ("Ana Lúcia dos Santos", "We walk round the lake. Sometimes we sit in the café.", None, None),
        ("Interviewer", "And who sets the agenda?", 250.0, None),
        ("Ana Lúcia dos Santos", "Mostly Professor Kofi Boateng, my mentee.", None, None),
    ]


def test_docx_without_speakers_gives_one_turn_per_paragraph(tmp_path):
    from docx import Document

    doc = Document()
    for text in ["First paragraph of notes.", "", "Second   paragraph\u00a0here."]:
        doc.add_paragraph(text)
    doc.save(tmp_path / "notes.docx")
    t = read_transcript(tmp_path / "notes.docx")
    assert summary(t) == [(None, "First paragraph of notes.", None, None), (None, "Second paragraph here.", None, None)]


# --------------------------------------------------------------------------- srt


def test_srt_with_name_prefix_and_square_brackets():
    t = read_transcript(SAMPLES / "interview.srt")
    assert summary(t) == [
        ("Interviewer", "Who suggested the scheme to you?", 0.5, 3.2),
        ("Fatima Al-Sayed", "Honestly, it was Keiko Tanaka in HR. She sent everyone an email.", 3.4, 9.0),
        ("Interviewer", "Did you hesitate?", 9.5, 11.25),
    ]


# --------------------------------------------------------------------------- plain text


def test_txt_with_bom_crlf_timestamps_and_continuations():
    raw = (SAMPLES / "interview_bom_crlf.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    t = read_transcript(SAMPLES / "interview_bom_crlf.txt")
    s = "Siobhán O'Connor-Mbeki"
    assert summary(t) == [
        (None, "Interview 7 - reverse mentoring evaluation (synthetic)", None, None),
        ("Interviewer", "Thank you for agreeing to talk to me today.", 5.0, None),  # [00:00:05]
        (s, "That's fine. I have about half an hour. I should say I was sceptical at the start.", 12.0, None),  # (0:12)
        ("Interviewer", "Why sceptical?", 63.0, None),
        (s, "Because schemes like this come and go. Mei Ling Chen, my mentor, changed my mind.", 70.0, None),
        ("Interviewer", "In what way?", 165.0, None),  # a line holding only 00:02:45 dates the next turn
        (s, "She showed me data: the awarding gap in our school.", None, None),
    ]


def test_txt_without_speakers_paragraphs_or_lines(tmp_path):
    t = read_transcript(SAMPLES / "no_speakers.txt")
    assert summary(t) == [
        (None, "Notes typed after the conversation with the mentor, no speaker labels. "
               "The mentee described the first meeting as tense.", None, None),
        (None, "Later they agreed to meet every month in the staff common room.", 600.0, None),
        (None, "Final remark: the scheme should continue.", None, None),
    ]
    path = tmp_path / "lines.txt"
    path.write_text("one line\nanother line\n", encoding="utf-8")  # no blank lines: a turn per line
    assert [u.text for u in read_transcript(path).turns] == ["one line", "another line"]


def test_txt_utf16_with_bom():
    t = read_transcript(SAMPLES / "interview_utf16.txt")
    assert summary(t) == [("Interviewer", "Ça va?", None, None), ("Zanele Dlamini", "Yebo, fine.", None, None)]


@pytest.mark.parametrize(
    "line, speaker",
    [
        ("Dr. Nkechi Eze: hello", "Dr. Nkechi Eze"),
        ("Speaker 2: hello", "Speaker 2"),
        ("P07: hello", "P07"),
        ("Interviewer (JS): hello", "Interviewer (JS)"),
        ("Rhys ap Gwilym: hello", "Rhys ap Gwilym"),
        ("Zhang Wei (00:01:02): hello", "Zhang Wei"),
        ("张伟: 你好", "张伟"),
        ("Date: 3 March 2024", None),  # metadata, not a speaker
        ("See https://example.org: hello", None),
        ("and then I said: no", None),
        ("(laughs): yes", None),
    ],
)
def test_speaker_prefix_rules(tmp_path, line, speaker):
    path = tmp_path / "x.txt"
    path.write_text(f"{line}\n\nsecond paragraph\n", encoding="utf-8")
    first = read_transcript(path).turns[0]
    assert first.speaker == speaker
    if speaker is None:
        assert first.text == line


def test_text_is_tidied_nfc_and_invisible_characters(tmp_path):
    path = tmp_path / "x.txt"
    # NFD "é", a zero-width space inside a name, a non-breaking space, tabs
    path.write_text("Interviewer:\tRe\u0301ne\u0301e   Ad\u200bebayo\u00a0came\n", encoding="utf-8")
    assert read_transcript(path).turns[0].text == "R\u00e9n\u00e9e Adebayo came"  # NFC: composed é


# --------------------------------------------------------------------------- JSONL


def test_read_jsonl_keeps_fields_and_validates_labels():
    records = read_jsonl(SAMPLES / "gold.jsonl")
    assert [r["id"] for r in records] == [1, 2]  # the blank line is skipped
    assert records[0]["origin"] == "welsh"
    text = records[0]["text"]
    assert [text[s:e] for s, e, _ in records[0]["label"]] == ["Rhys ap Gwilym", "rhys@example.ac.uk"]


def test_read_transcript_on_one_line_jsonl_keeps_text_exactly():
    t = read_transcript(SAMPLES / "single.jsonl")
    record = read_jsonl(SAMPLES / "single.jsonl")[0]
    assert t.text == record["text"] and "\n" in t.text  # not tidied: gold offsets stay valid
    assert len(t.turns) == 1 and t.turns[0].speaker is None
    s, e, _ = record["label"][0]
    assert t.text[s:e] == "Amani Njoroge-Ortiz"


def test_read_transcript_on_multi_line_jsonl_points_to_read_jsonl():
    with pytest.raises(InputError, match="holds 2 documents.*read_jsonl"):
        read_transcript(SAMPLES / "gold.jsonl")


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "line 2: not valid JSON"),
        ("[1, 2]", "line 2: expected a JSON object"),
        ('{"label": []}', 'line 2: has no "text"'),
        ('{"text": "abc", "label": [[0, 4, "PERSON"]]}', "line 2: label 1 .* outside the text"),
        ('{"text": "abc", "label": [[2, 2, "PERSON"]]}', "line 2: label 1 .* outside the text"),
        ('{"text": "abc", "label": [[-1, 2, "PERSON"]]}', "line 2: label 1 .* outside the text"),
        ('{"text": "abc", "label": [[0, 2]]}', "line 2: label 1 .* must be \\[start, end"),
        ('{"text": "abc", "label": [[true, 2, "X"]]}', "line 2: label 1"),
        ('{"text": "abc", "label": "PERSON"}', 'line 2: "label" must be a list'),
    ],
)
def test_read_jsonl_errors_name_the_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "fine", "label": [[0, 4, "X"]]}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_jsonl(path)


# --------------------------------------------------------------------------- errors


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_transcript(tmp_path / "nope.txt")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(InputError, match="is a folder"):
        read_transcript(folder)


@pytest.mark.parametrize("suffix", [".txt", ".vtt", ".srt", ".docx", ".jsonl"])
@pytest.mark.parametrize("content", [b"", b"  \r\n\n\t"])
def test_empty_files(tmp_path, suffix, content):
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(content)
    with pytest.raises(InputError, match="empty"):
        read_transcript(path)


def test_bom_only_file_is_empty(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf\r\n")
    with pytest.raises(InputError, match="empty"):
        read_transcript(path)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"Interviewer: hi\x00\x01\x02", "binary file.*NUL byte on line 1, byte offset 15"),
        ("Interviewer: hi\n".encode("utf-16-le"), "binary.*UTF-16 text without a byte-order mark"),
        (b"%PDF-1.7\n...", r"binary file \(a PDF\)"),
        (b"PK\x03\x04\x14\x00", "zip archive"),
        (bytes(range(1, 32)) * 4, "control characters"),
    ],
)
def test_binary_files(tmp_path, data, message):
    path = tmp_path / "x.txt"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        read_transcript(path)


def test_wrong_encoding_names_byte_offset_and_explicit_encoding_works(tmp_path):
    path = tmp_path / "cp1252.txt"
    path.write_bytes("Interviewer: Hello\nZoë Müller: caf\u00e9 \u2013 fine\n".encode("cp1252"))
    # "Zoë": Z at byte 19, ë (0xeb) at byte 21
    with pytest.raises(InputError, match=r"not UTF-8 text \(line 2, byte 0xeb at byte offset 21\).*Windows-1252.*--encoding cp1252.*UTF-8"):
        read_transcript(path)
    t = read_transcript(path, encoding="cp1252")
    assert summary(t)[1] == ("Zoë Müller", "café – fine", None, None)
    with pytest.raises(InputError, match="unknown encoding"):
        read_transcript(path, encoding="no-such-codec")
    with pytest.raises(InputError, match="not valid ascii"):
        read_transcript(path, encoding="ascii")


def test_unknown_suffix_lists_supported(tmp_path):
    for name, extra in [("notes.pdf", "Save the .pdf"), ("notes.doc", "save it as .docx"), ("notes", "")]:
        path = tmp_path / name
        path.write_text("x", encoding="utf-8")
        with pytest.raises(InputError, match=r"unsupported transcript type.*\.txt, \.docx, \.vtt, \.srt, \.jsonl") as info:
            read_transcript(path)
        assert extra in str(info.value)


def test_vtt_without_header(tmp_path):
    path = tmp_path / "x.vtt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nHi\n", encoding="utf-8")
    with pytest.raises(InputError, match="first line must be 'WEBVTT'.*rename it to .srt"):
        read_transcript(path)


def test_vtt_bad_cue_names_the_line(tmp_path):
    path = tmp_path / "x.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n\nstray text\nmore\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 6: expected a cue"):
        read_transcript(path)
    path.write_text("WEBVTT\n\n00:00:01.000 --> soon\nHi\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 3: cannot read the cue timing"):
        read_transcript(path)


def test_files_with_no_turns(tmp_path):
    vtt = tmp_path / "x.vtt"
    vtt.write_text("WEBVTT\n\nNOTE nothing said\n\n00:00:01.000 --> 00:00:02.000\n<c> </c>\n", encoding="utf-8")
    with pytest.raises(InputError, match="no turns found"):
        read_transcript(vtt)
    srt = tmp_path / "x.srt"
    srt.write_text("Just some text\n", encoding="utf-8")
    with pytest.raises(InputError, match="no subtitle cues"):
        read_transcript(srt)
    txt = tmp_path / "x.txt"
    txt.write_text("[00:00:01]\n(0:02)\n", encoding="utf-8")
    with pytest.raises(InputError, match="no turns found"):
        read_transcript(txt)


def test_docx_not_a_zip_or_damaged(tmp_path):
    path = tmp_path / "x.docx"
    path.write_text("Interviewer: this is text, not Word", encoding="utf-8")
    with pytest.raises(InputError, match="not a Word .docx"):
        read_transcript(path)
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(InputError, match="old-style Word .doc"):
        read_transcript(path)
    good = (SAMPLES / "teams.docx").read_bytes()
    path.write_bytes(good[: len(good) // 2])  # truncated download
    with pytest.raises(InputError, match="damaged"):
        read_transcript(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # a zip, but not a Word document
        archive.writestr("hello.txt", "hi")
    path.write_bytes(buffer.getvalue())
    with pytest.raises(InputError, match="damaged"):
        read_transcript(path)


def test_docx_with_only_a_table(tmp_path):
    from docx import Document

    doc = Document()
    doc.add_table(rows=1, cols=1).cell(0, 0).text = "Kwame Mensah: in a table"
    doc.save(tmp_path / "t.docx")
    with pytest.raises(InputError, match="no text"):
        read_transcript(tmp_path / "t.docx")


def test_input_errors_are_rmresearch_errors():
    assert issubclass(InputError, RMResearchError)


# --------------------------------------------------------------------------- Transcript helpers and writing


def test_from_turns_and_validation():
    t = Transcript.from_turns([("A", "x"), {"speaker": None, "text": "y", "start": 1}], source="s.txt")
    assert t.text == "A: x\ny" and t.turns[1].start == 1.0 and t.turns[1].char_start == 5
    with pytest.raises(ValueError, match="joined"):
        Transcript(Path("s"), "txt", t.turns, "A: x\nz")
    bad = Turn("A", "x", None, None, 0, 1, 0, 1)
    with pytest.raises(ValueError, match="offsets"):
        Transcript(Path("s"), "txt", (bad,), "A: x")


def test_turn_at():
    t = Transcript.from_turns([("Ama", "hi"), (None, "note"), ("Bo", "")])
    # "Ama: hi\nnote\nBo: "
    assert [t.turn_at(i) for i in (0, 3, 6, 7, 8, 12, 13, 16, 17)] == [0, 0, 0, None, 1, None, 2, 2, None]


def test_with_replacements_rebuilds_offsets():
    t = read_transcript(SAMPLES / "teams.vtt")
    spans = []
    for name in ("Oluwaseun Adeyemi-Brown", "Priya Raghunathan", "Tomasz Wiśniewski", "Seun", "Priya"):
        start = 0
        while (i := t.text.find(name, start)) != -1:
            if not any(s <= i < e for s, e, _ in spans):
                spans.append((i, i + len(name), "[PERSON]"))
            start = i + len(name)
    new = t.with_replacements(spans)
    check_offsets(new)
    assert new.speakers == ("[PERSON]",)
    assert "Priya" not in new.text and "Seun" not in new.text and "Wiśniewski" not in new.text
    assert [(u.start, u.end) for u in new.turns] == [(u.start, u.end) for u in t.turns]
    with pytest.raises(ValueError, match="crosses"):
        t.with_replacements([(t.turns[0].char_end - 2, t.turns[1].char_start + 2, "x")])
    with pytest.raises(ValueError, match="overlap"):
        t.with_replacements([(0, 5, "a"), (3, 8, "b")])


def test_write_transcript_text_round_trip_and_protects_source(tmp_path):
    t = read_transcript(SAMPLES / "interview_bom_crlf.txt")
    out = write_transcript_text(t, tmp_path / "anon" / "interview.txt")
    assert out.read_bytes() == (t.text + "\n").encode("utf-8")
    back = read_transcript(out)
    assert back.text == t.text
    assert [(u.speaker, u.text) for u in back.turns] == [(u.speaker, u.text) for u in t.turns]
    assert write_transcript_text("plain", tmp_path / "p.txt").read_text(encoding="utf-8") == "plain\n"
    copy = tmp_path / "raw.txt"
    copy.write_bytes((SAMPLES / "no_speakers.txt").read_bytes())
    with pytest.raises(InputError, match="refusing to overwrite"):
        write_transcript_text(read_transcript(copy), copy)


# --------------------------------------------------------------------------- property test

_NAMES = ["Kwame Mensah", "Aisha Rahman", "Interviewer", "Nguyễn Thị Lan", "Siobhán O'Connor", "P12",
          "Ana dos Santos", "Zhang Wei", "Dr Farid Haddad", "Speaker 1"]
_WORD = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzéñøABCDXYZ0123456789',.!?-"), min_size=1, max_size=8)
_TURN = st.tuples(
    st.sampled_from(_NAMES),
    st.lists(st.lists(_WORD, min_size=1, max_size=6).map(" ".join), min_size=1, max_size=3),  # lines of one turn
    st.one_of(st.none(), st.integers(min_value=0, max_value=3 * 3600 - 1)),
)


def _stamp(seconds: int, style: int) -> str:
    h, m, s = seconds // 3600, seconds % 3600 // 60, seconds % 60
    return [f"[{h:02d}:{m:02d}:{s:02d}] ", f"({h * 60 + m}:{s:02d}) ", f"{h:02d}:{m:02d}:{s:02d} "][style]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    turns=st.lists(_TURN, min_size=1, max_size=8),
    bom=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    blank_between=st.booleans(),
    stamp_style=st.integers(min_value=0, max_value=2),
)
def test_property_generated_txt_reads_back_with_exact_offsets(tmp_path, turns, bom, newline, blank_between, stamp_style):
    lines = []
    for speaker, body_lines, seconds in turns:
        stamp = _stamp(seconds, stamp_style) if seconds is not None else ""
        lines.append(f"{stamp}{speaker}: {body_lines[0]}")
        lines.extend(body_lines[1:])
        if blank_between:
            lines.append("")
    data = newline.join(lines).encode("utf-8")
    path = tmp_path / "generated.txt"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    t = read_transcript(path)
    check_offsets(t)
    assert [(u.speaker, u.text, u.start) for u in t.turns] == [
        (speaker, " ".join(body_lines), None if seconds is None else float(seconds)) for speaker, body_lines, seconds in turns
    ]


# --------------------------------------------------------------------------- the demo cohort


def test_demo_transcripts_match_ground_truth_canonical_text(request):
    synthetic = pytest.importorskip("rmresearch.synthetic")
    if not hasattr(synthetic, "generate_demo"):
        pytest.skip("rmresearch.synthetic.generate_demo is not written yet")
    project = request.getfixturevalue("demo_project")
    truth_path = project / "data" / "demo" / "ground_truth" / "identifiers.jsonl"
    truth = [json.loads(line) for line in truth_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    raw = sorted(p for p in (project / "interviews" / "demo" / "raw").iterdir() if p.is_file())
    assert raw and len(truth) == len(raw)
    by_name = {}
    for record in truth:
        key = next(record[k] for k in ("file", "source", "path", "filename", "document") if k in record)
        by_name[Path(key).name] = record
    assert set(by_name) == {p.name for p in raw}
    for path in raw:
        record = by_name[path.name]
        t = read_transcript(path)
        check_offsets(t)
        assert t.text == record["text"], path.name
        gold = record["turns"]
        assert [(u.speaker, u.text) for u in t.turns] == [(g["speaker"], g["text"]) for g in gold], path.name
        for u, g in zip(t.turns, gold):
            # times the file carries must be the generator's (docx shows whole seconds, start only)
            if u.start is not None:
                assert u.start == pytest.approx(g["start_time"], abs=1.0 if t.format == "docx" else 1e-3), path.name
            if u.end is not None:
                assert u.end == pytest.approx(g["end_time"], abs=1e-3), path.name
        times_expected = t.format in ("vtt", "srt", "docx")
        assert all(u.start is not None for u in t.turns) == times_expected, path.name
