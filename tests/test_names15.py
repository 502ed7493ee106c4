"""Names in context (issue 15, item 1): roster and list names that are English words, caught where they stand as
names and left alone where they are words; honorifics; initials used as names.

Every passage here is written for this file; none is copied into a word list the detector uses.
"""

from __future__ import annotations

import pandas as pd
import pytest

from rmresearch.anonymise.cues import tokenize
from rmresearch.anonymise.detectors import Detector
from rmresearch.anonymise.lexicon import get_lexicon
from rmresearch.anonymise.namecues import from_unit, initials_spans, predicate_follows, title_phrase
from rmresearch.anonymise.roster import Roster


@pytest.fixture(scope="module")
def roster():
    return Roster.from_frame(pd.DataFrame({
        "participant_id": ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"],
        "name": ["Joy Adebayo", "Hope Kariuki", "Rose Ndlovu", "Gift Banda", "Chinedu Okafor", "Suresh Power",
                 "Babatunde Alade", "Will Hartley", "Mark Pemberton"],
        "aliases": [None, None, None, None, "Sunny", None, "Tunde", None, None],
    }))


@pytest.fixture(scope="module")
def with_roster(roster):
    return Detector(roster)


@pytest.fixture(scope="module")
def bare():
    return Detector()


def persons(detector, text):
    return [s.text for s in detector.detect(text) if s.label == "PERSON"]


# ----------------------------------------------------------------------------- a verb after a sentence start

@pytest.mark.parametrize("text, name", [
    ("Joy texted us the agenda on Monday.", "Joy"),
    ("Rose rang back within the hour.", "Rose"),
    ("Gift booked it for the whole group.", "Gift"),
    ("Hope always came with questions written down.", "Hope"),
    ("Joy sends me the minutes afterwards.", "Joy"),
    ("Mark wouldn't let it drop.", "Mark"),
])
def test_roster_word_name_at_a_sentence_start_before_a_verb(with_roster, text, name):
    assert persons(with_roster, text) == [name]


@pytest.mark.parametrize("text", [
    "Joy spread through the staff room when the results came in.",
    "Rose tinted spectacles are no help here.",
    "Hope remains the main thing I took from it.",
    "Young staff rarely meet the executive board.",
    "A rose on the desk, in good faith, with the joy of teaching.",
    "We hope so, and there was real joy in the room.",
])
def test_roster_word_names_used_as_words_are_left_alone(with_roster, text):
    assert persons(with_roster, text) == []


def test_without_a_roster_a_given_name_word_before_a_past_tense_is_sent_to_review(bare):
    spans = [s for s in bare.detect("Faith chaired it brilliantly.") if s.label == "PERSON"]
    assert [(s.text, s.confidence) for s in spans] == [("Faith", 0.55)]
    assert persons(bare, "Faith matters to many of our students.") == []


def test_predicate_follows_reads_the_words_after_the_name():
    lex = get_lexicon()
    cases = {"Grace phoned me.": True, "Grace emailed.": True, "Grace took them aside.": True,
             "Grace notes matter.": False, "Grace period ends.": False, "Grace's office.": False}
    for text, expected in cases.items():
        assert predicate_follows(text, tokenize(text), 0, lex) is expected, text


# ----------------------------------------------------------------------------- direct address, lists, captions

def test_caption_roster_word_as_a_clause_subject_and_in_lists(with_roster):
    text = "yeah so joy phoned me about the mock panel\nand it was me joy and tunde in the end"
    assert persons(with_roster, text) == ["joy", "joy", "tunde"]
    assert persons(with_roster, "it brought such joy and everyone could tell\nthey hope to come back") == []


def test_caption_lowercase_words_without_a_roster_are_not_names(bare):
    assert persons(bare, "so joy phoned me about the mock panel and it went well honestly") == []


# ----------------------------------------------------------------------------- X from <unit>

@pytest.mark.parametrize("text, name", [
    ("Gift from Estates fixed the ramp in a week.", "Gift"),
    ("I sat with Rose from the Registry for an hour.", "Rose"),
])
def test_roster_word_name_from_a_unit(with_roster, text, name):
    assert persons(with_roster, text) == [name]


def test_from_unit_cue_and_what_it_leaves_alone(bare, with_roster):
    assert persons(bare, "Grace from Payroll sorted my contract.") == ["Grace"]
    assert persons(with_roster, "There was a gift from Finance for every mentor.") == []
    assert persons(bare, "Grace from God, she would say.") == []
    text = "so gift from hr came along"
    assert from_unit(text, tokenize(text), 1, caseless=True)
    assert not from_unit("a gift from the start", tokenize("a gift from the start"), 1, caseless=True)


# ----------------------------------------------------------------------------- surnames that are words

def test_given_name_and_surname_both_words_without_a_roster(bare):
    assert persons(bare, "On the panel Grace Power asked the hardest question.") == ["Grace Power"]
    assert persons(bare, "Grace Power chaired the session.") == ["Grace Power"]
    assert persons(bare, "The Grace Period ends in May and the Mark Scheme changes.") == []


def test_word_surname_and_word_alias_only_in_name_context(with_roster):
    assert persons(with_roster, "We read Staying Power together in the reading group.") == []
    assert persons(with_roster, "Mrs Power said the reading group was her idea.") == ["Power"]
    assert persons(with_roster, "We had sunny days for the away day, thankfully.") == []
    assert persons(with_roster, "Sunny days are rare up here.") == []
    assert persons(with_roster, "Sunny said the away day helped.") == ["Sunny"]
    assert persons(with_roster, "Did Will tell you? He will be leaving.") == ["Will"]


def test_title_phrase():
    lex = get_lexicon()
    text = "We read Staying Power together"
    assert title_phrase(text, tokenize(text), 3, lex, sentence_start=False)
    text = "Meeting Power changed it"
    assert not title_phrase(text, tokenize(text), 1, lex, sentence_start=False)


# ----------------------------------------------------------------------------- honorifics

@pytest.mark.parametrize("text, name", [
    ("After church Sister Comfort prayed with us.", "Comfort"),
    ("Elder Mensah runs the youth group.", "Mensah"),
    ("Uncle Bayo drove us to the open day.", "Bayo"),
    ("Deacon Peace read the notices.", "Peace"),
    ("My pastor, Pastor Emmanuel, wrote a reference.", "Emmanuel"),
    ("Mother Joy cooked for the whole network.", "Joy"),
])
def test_church_and_family_honorifics_announce_a_name_and_stay_outside_it(bare, text, name):
    assert persons(bare, text) == [name]


def test_honorific_phrases_that_name_nobody(bare):
    assert persons(bare, "Father Christmas visited. Mother Nature won. Big Brother Watch complained.") == []
    assert persons(bare, "It was Ruth Bishop who wrote the report.") == ["Ruth Bishop"]


# ----------------------------------------------------------------------------- initials

def test_initials_used_as_names(bare):
    assert persons(bare, "I asked Dr B first and then Prof A, who agreed.") == ["B", "A"]
    assert persons(bare, "Everyone calls me OK? No, they call me KO.") == ["KO"]
    assert persons(bare, '"It made me braver in meetings." (FN)') == ["FN"]
    assert persons(bare, "The minutes say (RT) would draft the letter.") == ["RT"]
    assert persons(bare, "PJ and WK met most weeks.") == ["PJ", "WK"]


def test_acronyms_are_not_initials(bare):
    text = ("The NHS trust, EDI leads, HR and the VC and PVC met the BAME staff network. Equality, Diversity "
            "and Inclusion (EDI) has a budget. The REF (REF) was hard. I said NO to it. HR agreed.")
    assert persons(bare, text) == []
    assert [s.text for s in initials_spans("the Research Excellence Framework (REF) agreed, (QR) agreed")] == ["QR"]


# ----------------------------------------------------------------------------- caption lines too short to judge

def test_short_caption_lines_take_the_case_of_the_whole_transcript(bare):
    text = ("SPEAKER_00: so who did you end up paired with in the end\n"
            "SPEAKER_01: oh it was obiageli\n"
            "SPEAKER_00: and was that useful for you")
    assert persons(bare, text) == ["obiageli"]
    # In text written with capitals a short line with no capital keeps its words.
    assert persons(bare, "Kwame Mensah: We met in March.\nInterviewer: and then?\nKwame Mensah: fine") == [
        "Kwame Mensah", "Kwame Mensah"]


def test_a_list_of_names_before_a_colon_is_not_a_speaker_label(with_roster):
    assert persons(with_roster, "Joy, Hope, Rose: we called ourselves the garden, but it was a real pod.") == [
        "Joy", "Hope", "Rose"]
    assert persons(with_roster, "Joy, pride and relief: that is what I felt.") == []


# ----------------------------------------------------------------------------- other mentions of a found name

def test_other_mentions_of_a_word_surname_need_a_name_position(bare):
    text = "Professor Ama Bright chaired the launch. Bright people were in the room. Bright thanked us all."
    assert persons(bare, text) == ["Ama Bright", "Bright"]
    assert [s.start for s in bare.detect(text) if s.label == "PERSON"][1] == text.index("Bright thanked")
    text = "Dr Nnamdi Power came along. We had all read Staying Power by then, and Power loved that."
    assert persons(bare, text) == ["Nnamdi Power", "Power"]
    assert [s.start for s in bare.detect(text) if s.label == "PERSON"][1] == text.index("Power loved")


# ----------------------------------------------------------------------------- direct address in captions

@pytest.mark.parametrize("text, name", [
    ("cheers gift that's exactly what i needed", "gift"),
    ("ok and thanks rose for sorting the room", "rose"),
    ("sorry joy, you were saying", "joy"),
    ("right thanks hope", "hope"),
])
def test_roster_word_name_spoken_to_in_captions(with_roster, text, name):
    assert persons(with_roster, text) == [name]


@pytest.mark.parametrize("text", [
    "thanks, hope that's ok with everyone",
    "sorry hope i didn't catch that",
    "thanks for the gift that was lovely",
    "cheers and joy all round at the end",
])
def test_thanks_and_sorry_before_an_ordinary_word_are_left_alone(with_roster, text):
    assert persons(with_roster, text) == []


def test_acronyms_in_brackets_mid_sentence_are_not_initials(bare):
    assert persons(bare, "They apply the motivated intruder test (ICO) to every release (WIP) here.") == []


def test_a_speakers_initials_as_labels_and_in_the_text(bare):
    text = "KO: I joined the scheme in my second year.\nRT: And did it help?\nKO: It did. Ask RT, she saw it."
    spans = [(s.text, s.layer) for s in bare.detect(text) if s.label == "PERSON"]
    assert [t for t, _ in spans] == ["KO", "RT", "KO", "RT"]
    assert spans[-1][1] == "context"


def test_two_word_roster_name_in_captions_whatever_the_words(roster):
    detector = Detector(Roster.from_frame(pd.DataFrame({"name": ["Grace Power", "Hope Young"]})))
    text = "and then grace power said she would chair it and hope young agreed to take notes"
    assert persons(detector, text) == ["grace power", "hope young"]


def test_will_as_a_name_without_a_roster(bare):
    assert persons(bare, "I asked Will to chair it, and Will said yes straight away.") == ["Will", "Will"]
    assert persons(bare, "Will you chair it? Will it work? Will be fine, they said.") == []
