"""Write the synthetic transcript samples used by tests/test_transcripts.py.

Every name and event here is invented. Run from anywhere:

    python tests/data/transcripts/make_samples.py

The text samples (.vtt, .srt, .jsonl and plain .txt) are written as exact
bytes so that their byte-order marks and CRLF line ends survive editors and
git; the .docx files are built with python-docx. The generated files are
committed; rerun this script only to change a sample.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document

HERE = Path(__file__).resolve().parent

TEAMS_VTT = """WEBVTT

NOTE
This transcript was exported from a Teams meeting (synthetic sample).

STYLE
::cue { color: white; }

3f0d9a4e-51b1-4d9a-9c3e-2a7b6c1d0e11/12-0
00:00:03.120 --> 00:00:07.540
<v Oluwaseun Adeyemi-Brown>Thanks for joining, Priya. Shall we start with how
the pairing came about?</v>

3f0d9a4e-51b1-4d9a-9c3e-2a7b6c1d0e11/13-0
00:00:08.000 --> 00:00:12.260 align:start position:10%
<v Priya Raghunathan>Of course. Our coordinator, Dr Tomasz Wiśniewski, matched us &amp; we met</v>

3f0d9a4e-51b1-4d9a-9c3e-2a7b6c1d0e11/13-1
00:00:12.260 --> 00:00:15.900
<v Priya Raghunathan>in the <i>Library</i> café the week after.</v>

3f0d9a4e-51b1-4d9a-9c3e-2a7b6c1d0e11/13-2
00:00:15.900 --> 00:00:18.000
<v Priya Raghunathan>It felt awkward at first &lt;laughs&gt;.</v>

NOTE the next cue has a voice class

3f0d9a4e-51b1-4d9a-9c3e-2a7b6c1d0e11/14-0
00:00:18.500 --> 00:00:21.000
<v.loud Oluwaseun Adeyemi-Brown>And now?</v>

15-0
00:00:21.400 --> 00:00:25.750
<v Priya Raghunathan>Now I ask Seun about things I would never raise with my head of school.</v>
"""

ZOOM_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.500
Nguyễn Thị Lan: Can you say a little about your role?

2
00:00:05.010 --> 00:00:09.300
Chidi Okonkwo: I lead the widening participation team.

3
00:00:09.300 --> 00:00:12.800
Chidi Okonkwo: Before that I was at Leeds for six years.

4
00:00:13.000 --> 00:00:16.250
Nguyễn Thị Lan: And your mentee? Joy Bishop, wasn't it?

5
00:01:02.500 --> 00:01:05.000
Chidi Okonkwo: Yes: Joy. She is brilliant.
"""

AUTOCAPTION_VTT = """WEBVTT
Kind: captions
Language: en

00:00:00.000 --> 00:00:02.800 align:start position:0%
so<00:00:00.400><c> when</c><00:00:00.800><c> marisol</c><00:00:01.200><c> quispe</c><00:00:01.600><c> first</c>

00:00:02.800 --> 00:00:05.100 align:start position:0%
emailed me i thought it was about the<c.colorE5E5E5> grant</c>

00:00:05.100 --> 00:00:07.000
um but it was about mentoring
"""

SRT = """1
00:00:00,500 --> 00:00:03,200
Interviewer: Who suggested the scheme to you?

2
00:00:03,400 --> 00:00:06,900
[Fatima Al-Sayed] Honestly, it was Keiko Tanaka
in HR.

3
00:00:06,900 --> 00:00:09,000
[Fatima Al-Sayed] <i>She</i> sent everyone an email.

4
00:00:09,500 --> 00:00:11,250
Interviewer: Did you hesitate?
"""

# Plain text: UTF-8 BOM, CRLF line ends, timestamps, continuation lines, a preamble line.
TXT_LINES = [
    "Interview 7 - reverse mentoring evaluation (synthetic)",
    "",
    "[00:00:05] Interviewer: Thank you for agreeing to talk to me today.",
    "(0:12) Siobhán O'Connor-Mbeki: That's fine. I have about half an hour.",
    "I should say I was sceptical at the start.",
    "",
    "[00:01:03] Interviewer: Why sceptical?",
    "Siobhán O'Connor-Mbeki (00:01:10): Because schemes like this come and go.",
    "Mei Ling Chen, my mentor, changed my mind.",
    "00:02:45",
    "Interviewer: In what way?",
    "Siobhán O'Connor-Mbeki: She showed me data: the awarding gap in our school.",
]

NO_SPEAKERS_TXT = """Notes typed after the conversation with the mentor, no speaker labels.
The mentee described the first meeting as tense.

[00:10:00] Later they agreed to meet every month
in the staff common room.

Final remark: the scheme should continue.
"""

JSONL = (
    '{"id": 1, "text": "My mentor Rhys ap Gwilym said to email rhys@example.ac.uk.", '
    '"label": [[10, 24, "PERSON"], [39, 57, "EMAIL"]], "origin": "welsh"}\n'
    "\n"
    '{"id": 2, "text": "hope and faith young met in the bishop building", "label": [[0, 4, "PERSON"]]}\n'
)
SINGLE_JSONL = '{"text": "Amani Njoroge-Ortiz chaired the panel.\\nThen she left.", "label": [[0, 19, "PERSON"]]}\n'


def teams_docx(path: Path) -> None:
    doc = Document()
    doc.add_paragraph("Mentoring interview 12 (synthetic)")
    doc.add_paragraph("March 4, 2024, 10:02AM")
    doc.add_paragraph("38m 12s")
    doc.add_paragraph("Aiyana Redcloud   0:03")
    doc.add_paragraph("Morning, Farid. Thanks for making time.")
    doc.add_paragraph("Farid Haddad   0:07")
    doc.add_paragraph("No problem at all.")
    doc.add_paragraph("I blocked out the hour.")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Attendee"
    table.cell(0, 1).text = "Role"
    table.cell(1, 0).text = "Farid Haddad"
    table.cell(1, 1).text = "Mentor"
    doc.add_paragraph("Aiyana Redcloud   1:02:15")
    doc.add_paragraph("What has changed for you since the scheme began?")
    doc.add_paragraph("")
    doc.add_paragraph("Farid Haddad\t1:02:31")
    paragraph = doc.add_paragraph("I listen differently now.")
    paragraph.add_run().add_break()
    paragraph.add_run("Especially in promotion panels.")
    doc.save(path)


def speaker_paragraph_docx(path: Path) -> None:
    doc = Document()
    doc.add_paragraph("Interviewer: Could you describe a typical meeting?")
    doc.add_paragraph("Ana Lúcia dos Santos: We walk round the lake.")
    doc.add_paragraph("Sometimes we sit in the café.")
    doc.add_paragraph("[00:04:10] Interviewer: And who sets the agenda?")
    doc.add_paragraph("Ana Lúcia dos Santos: Mostly Professor Kofi Boateng, my mentee.")
    doc.save(path)


def main() -> None:
    def write(name: str, text: str, *, bom: bool = False, crlf: bool = False) -> None:
        if crlf:
            text = text.replace("\n", "\r\n")
        data = text.encode("utf-8")
        (HERE / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)

    write("teams.vtt", TEAMS_VTT)
    write("zoom.vtt", ZOOM_VTT, crlf=True)
    write("autocaptions.vtt", AUTOCAPTION_VTT)
    write("interview.srt", SRT, bom=True)
    write("interview_bom_crlf.txt", "\n".join(TXT_LINES) + "\n", bom=True, crlf=True)
    write("no_speakers.txt", NO_SPEAKERS_TXT)
    write("gold.jsonl", JSONL)
    write("single.jsonl", SINGLE_JSONL)
    (HERE / "interview_utf16.txt").write_bytes("Interviewer: Ça va?\nZanele Dlamini: Yebo, fine.\n".encode("utf-16"))
    teams_docx(HERE / "teams.docx")
    speaker_paragraph_docx(HERE / "speaker_paragraphs.docx")


if __name__ == "__main__":
    main()
