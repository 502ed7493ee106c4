"""A roster first name that is an English word (Favour, Hope, Joy...) in a self-introduction or address, any case.

Found on the pilot: the auto-caption transcript said "i'm favour i study education", and the interviewee's first
name survived anonymisation and the leak audit. See ``rmresearch.anonymise.introductions``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rmresearch.anonymise.audit import audit_paths
from rmresearch.anonymise.cues import Confidence, tokenize
from rmresearch.anonymise.detectors import Detector
from rmresearch.anonymise.introductions import name_context
from rmresearch.anonymise.pipeline import anonymise_text
from rmresearch.anonymise.pseudonyms import PseudonymKey
from rmresearch.anonymise.roster import Person, Roster

ROSTER = Roster([
    Person("P14", "Favour Ncube"), Person("P02", "Hope Mensah"), Person("P03", "Joy Adeyemi"),
    Person("P04", "Grace Okafor"), Person("P05", "Faith Bello"), Person("P06", "Rose Campbell"),
    Person("P07", "Sunny Okoro"), Person("P08", "Gift Moyo"), Person("P09", "Precious Dube"),
])
DETECTOR = Detector(ROSTER)


def _names(text: str, **kw) -> list[str]:
    return [s.text for s in DETECTOR.detect(text, **kw) if s.label == "PERSON"]


# Caption lines (lower case, no punctuation, six words or more) and a few written with capitals.
@pytest.mark.parametrize("text, name", [
    ("i'm favour i study education i'm in my final year", "favour"),
    ("um so i am joy and i work in the finance office", "joy"),
    ("my name is grace i'm a lecturer in the law school", "grace"),
    ("it's faith here can you hear me okay on the call", "faith"),
    ("hello everyone this is rose speaking from the library team", "rose"),
    ("you can call me gift everyone does in the department", "gift"),
    ("hi precious how was your week with the new students", "precious"),
    ("thanks hope that was really useful for the whole group", "hope"),
    ("favour here sorry i'm late the bus was cancelled again", "favour"),
    ("cheers joy see you next week at the same time", "joy"),
    ("so i'm hope from the business school and i mentor staff", "hope"),
    ("okay i'm faith um i run the chemistry lab on campus", "faith"),
    ("thank you so much joy. that is everything i wanted to ask", "joy"),
    ("Yes, I'm favour, I study law and I am in my second year.", "favour"),
    ("Hi JOY, how are you getting on with the mentoring?", "JOY"),
    ("Thanks Grace. That is all from me for today.", "Grace"),
    ("i'm favour ncube i study education in my final year", "favour ncube"),
])
def test_a_word_name_introducing_itself_or_addressed_is_found_in_any_case(text, name):
    assert name in _names(text)


@pytest.mark.parametrize("text, word", [
    ("to be honest i'm in favour of it and so is my mentor", "favour"),
    ("she did me a favour last year when i was struggling", "favour"),
    ("we acted in good faith the whole way through the scheme", "faith"),
    ("will it carry on next year i hope so because it helped", "hope"),
    ("i'm hopeful about it but there is no hope here yet", "hope"),
    ("it's a favour i owe her from the first meeting we had", "favour"),
    ("it is hope that keeps us going through the hard weeks", "hope"),
    ("it was a joy to work with someone so senior in the university", "joy"),
    ("by the grace of god we finished the project in time", "grace"),
    ("the numbers rose sharply after the second cohort started", "rose"),
    ("this is a gift for the team from the students union", "gift"),
    ("i have faith that it works for people like me", "faith"),
    ("To be honest I'm in favour of keeping it as it is.", "favour"),
])
def test_ordinary_uses_of_the_same_words_stay(text, word):
    assert not [n for n in _names(text) if n.casefold() == word]


@pytest.mark.parametrize("text, word, general, own", [
    # an address the general rule cannot tell from "thanks, hope that is ok"; the manifest can
    ("thank you so much favour that's been really helpful if anything else comes to mind", "favour", False, True),
    # adjectives first: describe after "i'm", "it's"; a name only as the file's own person
    ("hi everyone i'm sunny i study economics", "sunny", False, True),
    ("it's sunny here today", "sunny", False, False),
    ("i'm precious about my time to be honest", "precious", False, False),
    ("hi precious how are you", "precious", True, True),
])
def test_the_files_own_people_are_found_on_a_cue_alone(text, word, general, own):
    i = text.index(word)
    assert name_context(text, i, i + len(word)) is general
    assert name_context(text, i, i + len(word), own=True) is own


def test_own_names_come_from_the_manifest_row_of_that_file_and_are_certain():
    manifest = pd.DataFrame({"file": ["interview_03.vtt", "interview_01.docx"], "participant_id": ["P14", "P02"],
                             "interviewer": ["Eleanor Bird", None]})
    assert ROSTER.own_names(manifest, "interview_03.vtt") == {"favour", "eleanor"}
    assert ROSTER.own_names(manifest, "interview_01.docx") == {"hope"}
    assert ROSTER.own_names(None, "interview_03.vtt") == set()
    text = "thank you so much favour that's been really helpful if anything else comes to mind"
    # Without the manifest: a cohort word-name thanked is found, but only for review (issue 15, introductions.addressed).
    assert [(s.text, s.confidence) for s in DETECTOR.detect(text)] == [("favour", Confidence.ROSTER_WORD_SPOKEN_TO)]
    spans = DETECTOR.detect(text, own_names=ROSTER.own_names(manifest, "interview_03.vtt"))
    assert [(s.text, s.confidence) for s in spans] == [("favour", Confidence.OWN_NAME_INTRODUCED)]
    out, log = anonymise_text(text, DETECTOR, PseudonymKey(), own_names={"favour"})
    assert out == "thank you so much [P14] that's been really helpful if anything else comes to mind"
    assert list(log["layer"]) == ["roster"]


def test_a_surname_after_the_word_name_makes_it_a_name():
    text = "so i'm hope achebe and i work in estates"  # Achebe: no roster surname, no common word
    i = text.index("hope")
    assert name_context(text, i, i + 4, name_word=lambda w: w == "achebe")
    assert not name_context(text, i, i + 4, name_word=lambda w: False)
    assert not name_context("so i'm hope about it", 7, 11, name_word=lambda w: w == "achebe")


def test_tokens_after_an_introduction_are_found_once_each():
    text = "i'm favour i study education and i'm joy i work in hr"
    assert [s.text for s in DETECTOR.detect(text)] == ["favour", "joy"]
    assert [t.text for t in tokenize(text)][:2] == ["i", "favour"]


# --------------------------------------------------------------------------- the pilot, end to end


@pytest.fixture(scope="module")
def pilot(tmp_path_factory):
    from rmresearch.anonymise.pipeline import anonymise_cohort
    from rmresearch.config import load_cohort
    from rmresearch.synthetic import generate_pilot

    out = tmp_path_factory.mktemp("selfname_pilot")
    generate_pilot(out, seed=2024, n_students=300, n_staff=300)
    config = load_cohort("pilot", cohorts_dir=out / "cohorts")
    anonymise_cohort(config, progress=False)
    return out, config


def test_the_pilot_caption_interviewee_is_not_named_and_the_audit_passes(pilot):
    out, config = pilot
    folder = Path(config.outputs["anonymised"])
    people = pd.read_csv(out / "data/pilot/participants.csv", dtype=str)
    first = {str(n).split()[0].casefold(): pid for pid, n in zip(people["participant_id"], people["name"])}
    assert first.get("favour") == "P14"
    text = (folder / "interview_03.txt").read_text(encoding="utf-8")
    assert "i'm [P14] i study education" in text
    assert "thank you so much [P14] that's been really helpful" in text
    for f in folder.glob("*.txt"):
        body = f.read_text(encoding="utf-8")
        for tok in tokenize(body):
            if tok.text.casefold() in first:
                assert not name_context(body, tok.start, tok.end), (f.name, body[tok.start - 30:tok.end + 30])
    from rmresearch.anonymise.roster import load_roster

    assert audit_paths([folder], roster=load_roster(config)) == []


def test_only_first_names_and_aliases_that_are_words_are_introduction_names():
    from rmresearch.anonymise.introductions import word_names
    from rmresearch.anonymise.lexicon import get_lexicon

    roster = Roster([Person("P01", "Favour Wood", ("Joy",)), Person("P02", "Kwabena Rose"), Person("P03", "Grace")])
    assert word_names(roster, get_lexicon()) == {"favour", "joy", "grace"}
