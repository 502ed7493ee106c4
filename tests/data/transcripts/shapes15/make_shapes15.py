"""Write the transcript-shape samples used by tests/test_shapes15.py (issue 15: every transcript shape).

Every name and event here is invented; the names were chosen so that no part of them is in the detector's
name or word lists. The layouts follow the real exports: Otter's .txt/.docx ("Name  0:03" then the text, one
space in some exports, "Transcribed by https://otter.ai" at the end), a typed transcript with "NAME:" on its
own line, Rev's "Name (00:00):" paragraphs, the older Teams .docx ("0:0:5.100 --> 0:0:8.250", then the name), Zoom's saved meeting transcript ("[Name] 11:02:09"), WhisperX's
diarised .srt ("[SPEAKER_00]: text") and a diarised .vtt. Run from anywhere:

    python tests/data/transcripts/shapes15/make_shapes15.py

Text files are written as exact bytes (LF line ends, no byte-order mark); the .docx files with python-docx.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document

HERE = Path(__file__).resolve().parent

OTTER_TXT = """Tamsin Veldhuizen  0:03
Thanks for making the time. How did the pairing start?

Kwabla Dzidzienyo  0:11
Through the coordinator, really.
She said: meet once a month and see.

Speaker 3  0:42
Sorry, can I just check the recording is on?

Tamsin Veldhuizen  1:02:03
It is. Carry on, Kwabla.

Transcribed by https://otter.ai
"""

# Otter .docx with one space between the name and the time; each turn's text in its own paragraph.
OTTER_ONESPACE = [
    "Ysolde Haverkamp 0:00",
    "Could you describe a typical meeting?",
    "Makerita Tuiasosopo 0:07",
    "We walk round the lake.",
    "Sometimes we just sit in the café.",
    "Ysolde Haverkamp 1:15",
    "And who sets the agenda?",
]

CAPS_BREAK_TXT = """INTERVIEWER:
What did you expect at the start?

OTTOLINE SZCZEPANIK:
Not much, honestly.
Note: I was new then.
So what I said was: no, not another scheme.

INTERVIEWER:
And now?

OTTOLINE SZCZEPANIK:
Now I would sign up again.
"""

# Rev: "Name (00:00):" then the text in the next paragraph.
REV_DOCX = [
    "Perpetua Mbwambo (00:00):",
    "Shall we start with your role?",
    "Ofisa Brzezinska (00:06):",
    "I run the evening clinic.",
    "It is small, six of us.",
    "Perpetua Mbwambo (01:02:10):",
    "Thank you.",
]

# The older Teams .docx: a cue timing paragraph, the speaker's name alone, then the text.
TEAMS_ARROW_DOCX = [
    "0:0:0.0 --> 0:0:4.310",
    "Tamsin Hakobyan",
    "Thanks for joining. Shall we start?",
    "0:0:4.310 --> 0:0:9.020",
    "Speaker 2",
    "Yes, happy to.",
    "0:0:9.020 --> 0:0:14.500",
    "Kwabla Tipene",
    "I came to the scheme late.",
]

ZOOM_SAVED_TXT = """[Ottoline Thorvaldsen] 14:02:09
Can everyone hear me?
[Kwabla Vukasovic] 14:02:15 Yes, loud and clear.
[Ottoline Thorvaldsen] 14:02:21 Good. Let us begin with introductions.
[Kwabla Vukasovic] 14:02:40
I joined the scheme in the spring.
Before that I mentored on my own.
"""

WHISPERX_SRT = """1
00:00:00,031 --> 00:00:02,900
[SPEAKER_00]: How did the scheme change your work?

2
00:00:03,120 --> 00:00:06,480
[SPEAKER_01]: I ask my mentee before I decide.

3
00:00:06,480 --> 00:00:08,010
[SPEAKER_01]: Every time now.

4
00:00:08,500 --> 00:00:10,000
[SPEAKER_00]: Thank you.
"""

DIARISED_VTT = """WEBVTT

00:00:00.000 --> 00:00:03.000
SPEAKER 1: Where did you first meet?

00:00:03.200 --> 00:00:05.000
Speaker 2: At the induction.

00:00:05.400 --> 00:00:06.000
YSOLDE RAVINDRAN:

00:00:06.000 --> 00:00:09.000
Can I add something here?

00:00:09.000 --> 00:00:11.000
It was my idea to pair them.

00:00:11.500 --> 00:00:13.000
SPEAKER 1: Noted, thank you.
"""

# No speaker in any shape: headings ending in a colon, a sentence with a colon, times in notes.
PROSE_NOTES_TXT = """Notes written after the second meeting.
Key points:
the pair meet monthly and both find it useful.
So what I said was: no more meetings in August.
Monday 9:30
Tuesday 14:00
Note: the recorder failed, so there is no transcript.
"""


def paragraphs_docx(path: Path, paragraphs: list[str]) -> None:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(path)


def main() -> None:
    for name, text in [
        ("otter.txt", OTTER_TXT),
        ("caps_break.txt", CAPS_BREAK_TXT),
        ("zoom_saved.txt", ZOOM_SAVED_TXT),
        ("whisperx.srt", WHISPERX_SRT),
        ("diarised.vtt", DIARISED_VTT),
        ("prose_notes.txt", PROSE_NOTES_TXT),
    ]:
        (HERE / name).write_bytes(text.encode("utf-8"))
    paragraphs_docx(HERE / "otter_onespace.docx", OTTER_ONESPACE)
    paragraphs_docx(HERE / "rev.docx", REV_DOCX)
    paragraphs_docx(HERE / "teams_arrow.docx", TEAMS_ARROW_DOCX)


if __name__ == "__main__":
    main()
