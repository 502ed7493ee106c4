"""Every transcript shape (issue 15, item 2): speaker lines in .txt, .docx and captions, the raw-text path, and
the warning for a transcript in which no speaker is found.

Samples: tests/data/transcripts/shapes15/ (written by make_shapes15.py there) and passages written here; every
name is invented and no part of one is in the detector's name or word lists (checked below). Expected turns are
worked out by hand from the sample text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rmresearch.anonymise.detectors import Detector, DetectorOptions
from rmresearch.anonymise.speakers import speaker_prefixes, speaker_spans
from rmresearch.io.speakerlines import accepted_labels, classify, is_diarisation
from rmresearch.transcripts import Transcript, read_transcript

SHAPES = Path(__file__).resolve().parent / "data" / "transcripts" / "shapes15"
#: Invented name parts used in the samples and passages below.
NAME_PARTS = ["Tamsin", "Veldhuizen", "Kwabla", "Dzidzienyo", "Ysolde", "Haverkamp", "Makerita", "Tuiasosopo",
              "Ottoline", "Szczepanik", "Perpetua", "Mbwambo", "Ofisa", "Brzezinska", "Thorvaldsen", "Vukasovic",
              "Ravindran", "Tuhiwai", "Hakobyan", "Tipene"]


def check_offsets(t: Transcript) -> None:
    assert t.text == "\n".join(f"{u.speaker}: {u.text}" if u.speaker else u.text for u in t.turns)
    for u in t.turns:
        assert t.text[u.char_start : u.char_end] == u.text
        if u.speaker is not None:
            assert t.text[u.speaker_start : u.speaker_end] == u.speaker


def turns(t: Transcript):
    return [(u.speaker, u.text, u.start) for u in t.turns]


def test_sample_names_are_in_no_list_the_detector_uses():
    from rmresearch.anonymise.lexicon import get_lexicon

    lex = get_lexicon()
    assert not [p for p in NAME_PARTS if lex.is_name(p) or lex.is_word(p)]


# --------------------------------------------------------------------------- the sample exports

EXPECTED = {
    "otter.txt": [  # two spaces before the time, an hour, a diarised speaker, Otter's footer dropped
        ("Tamsin Veldhuizen", "Thanks for making the time. How did the pairing start?", 3.0),
        ("Kwabla Dzidzienyo", "Through the coordinator, really. She said: meet once a month and see.", 11.0),
        ("Speaker 3", "Sorry, can I just check the recording is on?", 42.0),
        ("Tamsin Veldhuizen", "It is. Carry on, Kwabla.", 3723.0),
    ],
    "otter_onespace.docx": [
        ("Ysolde Haverkamp", "Could you describe a typical meeting?", 0.0),
        ("Makerita Tuiasosopo", "We walk round the lake. Sometimes we just sit in the café.", 7.0),
        ("Ysolde Haverkamp", "And who sets the agenda?", 75.0),
    ],
    "caps_break.txt": [  # "NAME:" then the text; "Note:" and "said was: no" inside a turn stay speech
        ("INTERVIEWER", "What did you expect at the start?", None),
        ("OTTOLINE SZCZEPANIK", "Not much, honestly. Note: I was new then. So what I said was: no, not another scheme.", None),
        ("INTERVIEWER", "And now?", None),
        ("OTTOLINE SZCZEPANIK", "Now I would sign up again.", None),
    ],
    "rev.docx": [
        ("Perpetua Mbwambo", "Shall we start with your role?", 0.0),
        ("Ofisa Brzezinska", "I run the evening clinic. It is small, six of us.", 6.0),
        ("Perpetua Mbwambo", "Thank you.", 3730.0),  # (01:02:10)
    ],
    "teams_arrow.docx": [  # the cue timing paragraphs date the turns and are not speech
        ("Tamsin Hakobyan", "Thanks for joining. Shall we start?", 0.0),
        ("Speaker 2", "Yes, happy to.", 4.31),
        ("Kwabla Tipene", "I came to the scheme late.", 9.02),
    ],
    "zoom_saved.txt": [  # a clock time of day, not a time into the recording: no start
        ("Ottoline Thorvaldsen", "Can everyone hear me?", None),
        ("Kwabla Vukasovic", "Yes, loud and clear.", None),
        ("Ottoline Thorvaldsen", "Good. Let us begin with introductions.", None),
        ("Kwabla Vukasovic", "I joined the scheme in the spring. Before that I mentored on my own.", None),
    ],
    "whisperx.srt": [
        ("SPEAKER_00", "How did the scheme change your work?", 0.031),
        ("SPEAKER_01", "I ask my mentee before I decide. Every time now.", 3.12),
        ("SPEAKER_00", "Thank you.", 8.5),
    ],
    "diarised.vtt": [  # a cue holding only "NAME:" gives its speaker to the unlabelled cues after it
        ("SPEAKER 1", "Where did you first meet?", 0.0),
        ("Speaker 2", "At the induction.", 3.2),
        ("YSOLDE RAVINDRAN", "Can I add something here? It was my idea to pair them.", 5.4),
        ("SPEAKER 1", "Noted, thank you.", 11.5),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_export_reads_into_speaker_turns(name):
    t = read_transcript(SHAPES / name)
    check_offsets(t)
    assert turns(t) == EXPECTED[name]
    for u in t.turns:  # the turn's text never keeps a label or a time
        assert u.speaker not in u.text and "0:" not in u.text and "14:02" not in u.text and "-->" not in u.text


def test_prose_notes_are_not_speakers():
    t = read_transcript(SHAPES / "prose_notes.txt")
    assert all(u.speaker is None for u in t.turns)
    assert [u.text for u in t.turns][1:5] == ["Key points:", "the pair meet monthly and both find it useful.",
                                              "So what I said was: no more meetings in August.", "Monday 9:30"]
    assert speaker_prefixes((SHAPES / "prose_notes.txt").read_text(encoding="utf-8")) == []


# --------------------------------------------------------------------------- each shape in each file type

# (lines, expected (speaker, text, start)); blank lines separate paragraphs.
SHAPE_LINES = {
    "otter_two_spaces": (["Tipene Hakobyan  0:03", "I was nervous.", "", "Interviewer  1:02:03", "Why?"],
                         [("Tipene Hakobyan", "I was nervous.", 3.0), ("Interviewer", "Why?", 3723.0)]),
    "otter_one_space": (["Tipene Hakobyan 0:03", "I was nervous.", "", "Interviewer 0:09", "Why?"],
                        [("Tipene Hakobyan", "I was nervous.", 3.0), ("Interviewer", "Why?", 9.0)]),
    "name_colon_break": (["TIPENE HAKOBYAN:", "I was nervous.", "Very.", "", "INTERVIEWER:", "Why?"],
                         [("TIPENE HAKOBYAN", "I was nervous. Very.", None), ("INTERVIEWER", "Why?", None)]),
    "zoom_saved": (["[Tipene Hakobyan] 11:02:09", "I was nervous.", "[Makerita Tuhiwai] 11:02:30 Why?"],
                   [("Tipene Hakobyan", "I was nervous.", None), ("Makerita Tuhiwai", "Why?", None)]),
    "diarisation_underscore": (["SPEAKER_00: I was nervous.", "SPEAKER_01: Why?"],
                               [("SPEAKER_00", "I was nervous.", None), ("SPEAKER_01", "Why?", None)]),
    "diarisation_space": (["SPEAKER 1: I was nervous.", "SPEAKER 2: Why?"],
                          [("SPEAKER 1", "I was nervous.", None), ("SPEAKER 2", "Why?", None)]),
    "diarisation_header": (["Speaker 2  0:15", "I was nervous.", "", "Speaker 1  0:20", "Why?"],
                           [("Speaker 2", "I was nervous.", 15.0), ("Speaker 1", "Why?", 20.0)]),
    "whisperx_square": (["[SPEAKER_00]: I was nervous.", "[SPEAKER_01]: Why?"],
                        [("SPEAKER_00", "I was nervous.", None), ("SPEAKER_01", "Why?", None)]),
    "whisper_cpp": (["(speaker 0) I was nervous.", "(speaker 1) Why?"],
                    [("speaker 0", "I was nervous.", None), ("speaker 1", "Why?", None)]),
    "rev_timed_break": (["Tipene Hakobyan (00:03):", "I was nervous.", "", "Interviewer (01:10):", "Why?"],
                        [("Tipene Hakobyan", "I was nervous.", 3.0), ("Interviewer", "Why?", 70.0)]),
    "teams_arrow": (["0:0:0.0 --> 0:0:5.270", "Tipene Hakobyan", "I was nervous.", "0:0:5.270 --> 0:0:9.100",
                     "Interviewer", "Why?"], [("Tipene Hakobyan", "I was nervous.", 0.0), ("Interviewer", "Why?", 5.27)]),
    "tab_separated": (["00:00:05\tTipene Hakobyan\tI was nervous.", "00:00:09\tInterviewer\tWhy?"],
                      [("Tipene Hakobyan", "I was nervous.", 5.0), ("Interviewer", "Why?", 9.0)]),
    "tab_separated_name_first": (["Tipene Hakobyan\t0:05\tI was nervous.", "Interviewer\t0:09\tWhy?"],
                                 [("Tipene Hakobyan", "I was nervous.", 5.0), ("Interviewer", "Why?", 9.0)]),
    "tab_separated_no_time": (["Tipene Hakobyan\tI was nervous.", "Interviewer\tWhy?"],
                              [("Tipene Hakobyan", "I was nervous.", None), ("Interviewer", "Why?", None)]),
    "colon_text": (["[00:00:05] Tipene Hakobyan: I was nervous.", "Interviewer: Why?"],
                   [("Tipene Hakobyan", "I was nervous.", 5.0), ("Interviewer", "Why?", None)]),
}


def _write(path: Path, lines: list[str]) -> Path:
    if path.suffix == ".docx":
        from docx import Document

        doc = Document()
        for line in lines:
            if line:
                doc.add_paragraph(line)
        doc.save(path)
    else:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".txt", ".docx"])
@pytest.mark.parametrize("shape", sorted(SHAPE_LINES))
def test_each_shape_in_txt_and_docx(tmp_path, shape, suffix):
    lines, expected = SHAPE_LINES[shape]
    t = read_transcript(_write(tmp_path / f"x{suffix}", lines))
    check_offsets(t)
    assert turns(t) == expected
    # the raw-text path finds the same labels in the raw lines
    raw = "\n".join(lines)
    assert [raw[s:e] for s, e in speaker_prefixes(raw)] == [sp for sp, _, _ in expected]


CAPTION_SHAPES = {  # cue texts -> expected speakers (consecutive cues of one speaker merge)
    "name_colon": (["Tipene Hakobyan: I was nervous.", "Interviewer: Why?"], ["Tipene Hakobyan", "Interviewer"]),
    "diarisation": (["SPEAKER_00: I was nervous.", "SPEAKER 1: Why?"], ["SPEAKER_00", "SPEAKER 1"]),
    "whisperx_square": (["[SPEAKER_00]: I was nervous.", "[SPEAKER_01]: Why?"], ["SPEAKER_00", "SPEAKER_01"]),
    "square_name": (["[Tipene Hakobyan] I was nervous.", "[Interviewer] Why?"], ["Tipene Hakobyan", "Interviewer"]),
    "name_colon_break": (["TIPENE HAKOBYAN:\nI was nervous.", "INTERVIEWER:", "Why?"],
                         ["TIPENE HAKOBYAN", "INTERVIEWER"]),
}


@pytest.mark.parametrize("suffix", [".vtt", ".srt"])
@pytest.mark.parametrize("shape", sorted(CAPTION_SHAPES))
def test_each_shape_in_captions(tmp_path, shape, suffix):
    cues, speakers = CAPTION_SHAPES[shape]
    sep = "." if suffix == ".vtt" else ","
    blocks = [f"{i + 1}\n00:00:{i:02d}{sep}000 --> 00:00:{i:02d}{sep}900\n{cue}" for i, cue in enumerate(cues)]
    path = tmp_path / f"x{suffix}"
    path.write_text(("WEBVTT\n\n" if suffix == ".vtt" else "") + "\n\n".join(blocks) + "\n", encoding="utf-8")
    t = read_transcript(path)
    check_offsets(t)
    assert [u.speaker for u in t.turns] == speakers
    assert [u.text for u in t.turns] == ["I was nervous.", "Why?"]


@pytest.mark.parametrize("lines", [
    ["Key points:", "the pair meet monthly.", "Next, the survey."],  # one heading ending in a colon
    ["so what I said was: no", "and then we left"],
    ["Monday 9:30", "Tuesday 14:00", "the room was booked"],  # times in notes
    ["Week 1 9:30", "Week 2 10:00", "Lunch 12:30"],
    ["Note:", "the recorder failed."],
    ["[Music] so when we first met", "[Applause] thank you"],  # sound tags in captions
    ["Item\tDescription", "a thing\tthe detail"],  # one tab-separated line that could be a speaker is no shape
])
def test_prose_in_any_file_type_never_becomes_speakers(tmp_path, lines):
    for suffix in (".txt", ".docx"):
        t = read_transcript(_write(tmp_path / f"p{suffix}", lines))
        assert all(u.speaker is None for u in t.turns), (suffix, turns(t))
    raw = "\n".join(lines)
    assert speaker_prefixes(raw) == []


def test_acceptance_is_decided_over_the_file():
    one = [classify("Key Findings:"), classify("the pair meet monthly")]
    two = [classify("INTERVIEWER:"), classify("text"), classify("OTTOLINE SZCZEPANIK:")]
    assert accepted_labels(one) == set()
    assert accepted_labels(two) == {("colon_eol", "INTERVIEWER"), ("colon_eol", "OTTOLINE SZCZEPANIK")}
    assert accepted_labels([classify("Tipene Hakobyan 0:03")]) == set()  # one loose header is not a shape yet
    assert [is_diarisation(x) for x in ("SPEAKER_07", "spk_2", "Speaker C", "Spencer")] == [True, True, True, False]


# --------------------------------------------------------------------------- the raw-text path and the detector


RAW = {
    "otter": "Tamsin Veldhuizen  0:03\nThanks for coming.\n\nKwabla Dzidzienyo 0:11\nHappy to.\n",
    "zoom": "[Ysolde Haverkamp] 11:02:09\nShall we begin?\n[Makerita Tuiasosopo] 11:02:15 Yes.\n",
    "caps": "OTTOLINE SZCZEPANIK:\nNot much.\n\nPERPETUA MBWAMBO:\nWhy not?\n",
    "rev": "Ofisa Brzezinska (00:00):\nHello.\n\nTipene Thorvaldsen (00:05):\nHi.\n",
}


@pytest.mark.parametrize("shape", sorted(RAW))
def test_raw_text_surname_in_a_speaker_line_gets_a_person_span(shape):
    text = RAW[shape]
    spans = Detector(options=DetectorOptions(layers=("speakers",))).detect(text)
    persons = [(s.start, s.end) for s in spans if s.label == "PERSON"]
    for part in [p for p in NAME_PARTS if p.casefold() in text.casefold()]:
        at = text.casefold().index(part.casefold())
        assert any(s <= at and at + len(part) <= e for s, e in persons), (shape, part)


def test_raw_text_diarisation_labels_are_speakers_not_names():
    text = "SPEAKER_00: Hello.\nSpeaker 2  0:15\nHi.\n[SPEAKER_01]: Yes.\n(speaker 3) No.\n"
    offsets = speaker_prefixes(text)
    assert [text[s:e] for s, e in offsets] == ["SPEAKER_00", "Speaker 2", "SPEAKER_01", "speaker 3"]
    assert speaker_spans(text, offsets) == []
    assert not [s for s in Detector(options=DetectorOptions(layers=("speakers",))).detect(text) if s.label == "PERSON"]


@pytest.mark.parametrize("name", ["otter.txt", "caps_break.txt", "zoom_saved.txt"])
def test_reader_and_raw_path_find_the_same_speakers(name):
    raw = (SHAPES / name).read_text(encoding="utf-8")
    assert [raw[s:e] for s, e in speaker_prefixes(raw)] == [u.speaker for u in read_transcript(SHAPES / name).turns]


# --------------------------------------------------------------------------- anonymise run, end to end


def test_anonymise_run_replaces_every_shapes_names_and_warns_about_each_file_without_speakers(tmp_path, capsys):
    import shutil

    from docx import Document

    from rmresearch.cli import main

    raw = tmp_path / "interviews" / "raw"
    raw.mkdir(parents=True)
    for name in EXPECTED:
        shutil.copy(SHAPES / name, raw / name)
    shutil.copy(SHAPES / "prose_notes.txt", raw / "notes_a.txt")
    doc = Document()
    doc.add_paragraph("Key points:")
    doc.add_paragraph("the pair meet monthly.")
    doc.save(raw / "notes_b.docx")
    (raw / "captions_c.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nso when we first met\n", encoding="utf-8")
    (raw / "captions_d.vtt").write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n[Music] so when we met\n", encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "participants.csv").write_text(
        "participant_id,name,cohort,role,ethnicity_code,sex,grade,faculty,consent_interview,consent_records\n"
        "P01,Tamsin Veldhuizen,c1,senior_leader,10,F,Director,Science,yes,yes\n"
        "P02,Kwabla Dzidzienyo,c1,staff_partner,22,M,7,Science,yes,yes\n", encoding="utf-8")
    (tmp_path / "cohorts").mkdir()
    (tmp_path / "cohorts" / "c1.yml").write_text(
        "cohort: c1\nprogramme_type: reciprocal\nstart_date: 2024-10-01\nend_date: 2025-03-31\nroot: ..\n"
        "inputs:\n  participants: data/participants.csv\n  interviews: interviews/raw\n", encoding="utf-8")
    assert main(["anonymise", "run", "--cohort", str(tmp_path / "cohorts" / "c1.yml"), "--no-progress"]) == 0
    err = capsys.readouterr().err
    warned = [line for line in err.splitlines() if line.startswith("Warning: no speaker found")]
    assert sorted(w.split()[5] for w in warned) == ["captions_c.srt", "captions_d.vtt", "notes_a.txt", "notes_b.docx"]
    out = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "interviews" / "c1" / "anonymised").glob("*.txt"))
    assert out.count("\n") > 20
    left = [p for p in NAME_PARTS if p.casefold() in out.casefold()]
    assert left == []


def test_display_names_with_pronouns_directory_order_and_affiliation(tmp_path):
    path = tmp_path / "zoom.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nYsolde Haverkamp (she/her): Shall we start?\n\n"
                    "00:00:02.000 --> 00:00:03.000\nTuiasosopo, Makerita: Yes.\n\n"
                    "00:00:03.000 --> 00:00:04.000\nTuiasosopo, Makerita: Go on.\n\n"
                    "00:00:04.000 --> 00:00:05.000\nYes, Ysolde: that is right.\n", encoding="utf-8")
    t = read_transcript(path)
    # the speaker is the name: pronouns, "(Host)" or "| Organisation" after it are display-name extras, not kept
    assert [u.speaker for u in t.turns] == ["Ysolde Haverkamp", "Tuiasosopo, Makerita", None]
    assert t.turns[-1].text == "Yes, Ysolde: that is right."  # a comma label said once is speech
    spans = speaker_spans(t.text, [(u.speaker_start, u.speaker_end) for u in t.turns if u.speaker])
    assert [s.text for s in spans] == ["Ysolde Haverkamp", "Tuiasosopo, Makerita"]
    raw = "Dr Kwabla Tipene | Anytown University  0:03\nHello.\n\nInterviewer (OS)  0:09\nHi.\n"
    assert [raw[s:e] for s, e in speaker_prefixes(raw)] == ["Dr Kwabla Tipene", "Interviewer (OS)"]
    assert [s.text for s in speaker_spans(raw, speaker_prefixes(raw))] == ["Kwabla Tipene", "OS"]
    teams = tmp_path / "teams.vtt"
    teams.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ofisa Tipene (they/them)>Hello.</v>\n", encoding="utf-8")
    assert read_transcript(teams).turns[0].speaker == "Ofisa Tipene"
    # speaker_spans alone also keeps only the name of a label given with its extras
    assert [s.text for s in speaker_spans("Ofisa Tipene (Host): hi", [(0, 19)])] == ["Ofisa Tipene"]


# --------------------------------------------------------------------------- any mix of turns, any shape

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SPEAKERS = ["Tamsin Veldhuizen", "Kwabla Dzidzienyo", "Interviewer", "SPEAKER_01", "Ofisa Brzezinska-Tipene",
             "Speaker 2", "Ysolde van Haverkamp"]
_SENTENCE = st.lists(st.sampled_from("we met in the spring and it was good so I said yes to more of it".split()),
                     min_size=1, max_size=8).map(lambda ws: " ".join(ws).capitalize() + ".")
_WRITERS = {  # shape -> (header lines of one turn, whether a blank line follows the turn)
    "colon": lambda who, sec: ([f"{who}: "], False),
    "colon_break": lambda who, sec: ([f"{who}:"], False),
    "otter": lambda who, sec: ([f"{who}  {sec // 60}:{sec % 60:02d}"], True),
    "zoom": lambda who, sec: ([f"[{who}] 10:{sec // 60 % 60:02d}:{sec % 60:02d}"], False),
    "rev": lambda who, sec: ([f"{who} ({sec // 60:02d}:{sec % 60:02d}):"], True),
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=st.sampled_from(sorted(_WRITERS)),
       script=st.lists(st.tuples(st.sampled_from(_SPEAKERS), st.lists(_SENTENCE, min_size=1, max_size=3)),
                       min_size=2, max_size=6).filter(lambda s: len({w for w, _ in s}) >= 2))
def test_property_every_shape_reads_back_and_the_raw_path_agrees(tmp_path, shape, script):
    lines = []
    for i, (who, sentences) in enumerate(script):
        head, blank = _WRITERS[shape](who, 7 * i)
        if shape == "colon":
            lines.append(head[0] + sentences[0])
            lines.extend(sentences[1:])
        else:
            lines.extend(head + sentences)
        if blank:
            lines.append("")
    path = tmp_path / "generated.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    t = read_transcript(path)
    check_offsets(t)
    assert [(u.speaker, u.text) for u in t.turns] == [(who, " ".join(s)) for who, s in script]
    raw = "\n".join(lines)
    assert [raw[s:e] for s, e in speaker_prefixes(raw)] == [who for who, _ in script]


def test_lower_case_captions_every_line_a_label_take_a_label_said_once(tmp_path):
    lines = ["tamsin: so how did it go", "kwabla: fine really", "tamsin: and the second time"]
    raw = "\n".join(lines)
    assert [raw[s:e] for s, e in speaker_prefixes(raw)] == ["tamsin", "kwabla", "tamsin"]
    path = _write(tmp_path / "c.txt", lines)
    assert [u.speaker for u in read_transcript(path).turns] == ["tamsin", "kwabla", "tamsin"]
    # with a line that is not a label, a label said once is not enough
    mixed = lines + ["then we stopped for lunch"]
    raw = "\n".join(mixed)
    assert [raw[s:e] for s, e in speaker_prefixes(raw)] == ["tamsin", "tamsin"]
