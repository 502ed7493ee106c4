"""The transcripts Zoom and Teams give evaluators, read with their speakers (issue 16, item 6).

Each file is built here in the shape the tools' help pages describe for the file a user downloads:
- Zoom, in-meeting "Save transcript" (.txt): a ``[Display Name] hh:mm:ss`` header (clock time of day) and the words
  on the next line, or on the same line; display names are whatever people typed, often lower case.
- Zoom cloud recording transcript (.vtt): numbered WebVTT cues, ``Display Name: words``.
- Teams transcript (.vtt): cues with an id line, ``<v Display Name>words</v>`` (older files leave the tag open).
- Teams transcript (.docx), current: meeting title, date and duration paragraphs, "<Name> started transcription",
  then ``Name   0:03`` paragraphs each followed by the words, and "<Name> stopped transcription"; some copies
  hold the name and time and the words in one paragraph with a line break.
- Teams transcript (.docx), older: ``0:0:3.0 --> 0:0:5.880`` then the name then the words.
Consecutive cues of one speaker are merged in WebVTT (one turn); .docx paragraphs are turns as written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rmresearch.transcripts import read_transcript

A, B = "Yaw Nwachukwu", "Siobhán Ní Bhriain"
Q, R1, R2 = "How did the matching work?", "Honestly: slow at first.", "Then we met at 10:30 each month."


def _docx(path: Path, paragraphs) -> Path:
    from docx import Document

    doc = Document()
    for p in paragraphs:
        para = doc.add_paragraph()
        for i, line in enumerate(p if isinstance(p, tuple) else (p,)):
            run = para.add_run(line)
            if i < (len(p) - 1 if isinstance(p, tuple) else 0):
                run.add_break()  # a line break inside the paragraph (Shift+Enter)
    doc.save(path)
    return path


def _read(path: Path) -> list[tuple]:
    return [(t.speaker, t.text, t.start) for t in read_transcript(path).turns]


SEPARATE = [(A, Q), (B, R1), (B, R2)]


@pytest.mark.parametrize("text", [
    f"[{A}] 11:02:09\n{Q}\n\n[{B}] 11:02:15\n{R1}\n\n[{B}] 11:02:21\n{R2}\n",
    f"[{A}] 11:02:09 {Q}\n[{B}] 11:02:15 {R1}\n[{B}] 11:02:21 {R2}\n",
], ids=["header-then-text", "one-line"])
def test_zoom_saved_transcript_keeps_its_speakers_and_no_clock_time_as_start(tmp_path, text):
    path = tmp_path / "meeting_saved_closed_caption.txt"
    path.write_text(text, encoding="utf-8")
    assert _read(path) == [(s, t, None) for s, t in SEPARATE]  # 11:02:09 is the time of day, not into the interview


def test_zoom_saved_transcript_with_lower_case_display_names(tmp_path):
    """Display names are typed by people: 'yaw' said once is a speaker in a file of '[name] hh:mm:ss' lines."""
    path = tmp_path / "saved.txt"
    path.write_text(f"[yaw] 11:02:09\n{Q}\n[{B} (she/her)] 11:02:15\n{R1}\n", encoding="utf-8")
    assert _read(path) == [("yaw", Q, None), (B, R1, None)]
    path.write_text(f"[yaw nwachukwu] 11:02:09 {Q}\n[{B}] 11:02:15 {R1}\n", encoding="utf-8")
    assert _read(path) == [("yaw nwachukwu", Q, None), (B, R1, None)]


def test_zoom_cloud_vtt_name_colon_cues(tmp_path):
    path = tmp_path / "GMT20250310-100200_Recording.transcript.vtt"
    path.write_text(f"WEBVTT\n\n1\n00:00:02.350 --> 00:00:05.120\n{A}: {Q}\n\n2\n00:00:06.000 --> 00:00:08.400\n"
                    f"{B}: {R1}\n\n3\n00:00:08.500 --> 00:00:10.000\n{B}: {R2}\n", encoding="utf-8")
    assert _read(path) == [(A, Q, 2.35), (B, f"{R1} {R2}", 6.0)]


def test_teams_vtt_voice_tags_with_cue_ids_closed_or_open(tmp_path):
    cue = "6c1a4e2b-0000-4c1d-9a33-1f2e3d4c5b6a/{}-0\n"
    path = tmp_path / "teams.vtt"
    path.write_text(f"WEBVTT\n\n{cue.format(12)}00:00:02.350 --> 00:00:05.120\n<v {A}>{Q}</v>\n\n{cue.format(13)}"
                    f"00:00:06.000 --> 00:00:08.400\n<v {B}>{R1}</v>\n\n{cue.format(14)}00:00:08.500 --> "
                    f"00:00:10.000\n<v {B}>{R2}</v>\n", encoding="utf-8")
    assert _read(path) == [(A, Q, 2.35), (B, f"{R1} {R2}", 6.0)]
    path.write_text(f"WEBVTT\n\n00:00:02.350 --> 00:00:05.120\n<v {A}>How did the matching\nwork?\n\n"
                    f"00:00:06.000 --> 00:00:08.400\n<v {B}>{R1}\n", encoding="utf-8")
    assert _read(path) == [(A, Q, 2.35), (B, R1, 6.0)]


def test_teams_docx_current_form_without_its_notices(tmp_path):
    """'Yaw Nwachukwu started transcription' is who pressed the button: not speech, and never glued to the last
    answer (before issue 16 the closing notice became the interviewee's words)."""
    path = _docx(tmp_path / "Mentoring interview.docx", [
        "Mentoring interview", "10 March 2025, 10:02am", "52m 10s", f"{A} started transcription",
        f"{A}   0:03", Q, f"{B}   0:09", R1, f"{B}   0:15", R2, f"{A} stopped transcription"])
    assert _read(path) == [(None, "Mentoring interview", None), (None, "10 March 2025, 10:02am", None),
                           (None, "52m 10s", None), (A, Q, 3.0), (B, R1, 9.0), (B, R2, 15.0)]


def test_teams_docx_name_time_and_words_in_one_paragraph(tmp_path):
    path = _docx(tmp_path / "t.docx", [(f"{A}   0:03", Q), (f"{B} (she/her)   1:00:09", R1), (f"{B}   1:00:15", R2)])
    assert _read(path) == [(A, Q, 3.0), (B, R1, 3609.0), (B, R2, 3615.0)]


@pytest.mark.parametrize("breaks", [False, True], ids=["paragraphs", "line-breaks"])
def test_teams_docx_older_cue_form(tmp_path, breaks):
    cues = [("0:0:3.0 --> 0:0:5.880", A, Q), ("0:0:9.120 --> 0:0:12.300", B, R1), ("0:0:15.0 --> 0:0:18.0", B, R2)]
    path = _docx(tmp_path / "t.docx", cues if breaks else [line for cue in cues for line in cue])
    assert _read(path) == [(A, Q, 3.0), (B, R1, 9.12), (B, R2, 15.0)]


def test_a_sentence_about_transcription_is_still_speech(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text(f"Interviewer: {Q}\nParticipant: We paused.\nSo we stopped transcription\n", encoding="utf-8")
    assert _read(path)[-1] == ("Participant", "We paused. So we stopped transcription", None)
