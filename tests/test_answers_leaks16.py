"""Two leaks found in survey answers written one per line ('P08: answer'), now closed for every document shape:
a number spoken at the end of a line whose next line opens with a label holding digits, and a cohort member's
first name typed in lower case when the dictionary holds it only as a proper noun."""

from __future__ import annotations

from rmresearch.anonymise.detectors import Detector
from rmresearch.anonymise.roster import Person, Roster
from rmresearch.anonymise.spoken import spoken_spans


def _found(spans, text):
    return [(s.label, text[s.start:s.end]) for s in spans]


def test_a_spoken_number_stops_at_the_next_lines_label():
    text = ("P07: email me\nP08: Ring me on oh seven seven double oh nine hundred one two three\n"
            "P09: As the only one I felt seen.")
    assert _found(spoken_spans(text), text) == [("PHONE", "oh seven seven double oh nine hundred one two three")]
    # a diarised label too
    text = "SPEAKER_01: it's oh seven seven double oh nine oh oh one two three\nSPEAKER_00: thanks"
    assert _found(spoken_spans(text), text) == [("PHONE", "oh seven seven double oh nine oh oh one two three")]


def test_the_same_labelled_speaker_going_on_with_a_number_is_read_line_by_line():
    text = "P08: ring me on oh seven seven double oh\nP08: nine hundred one two three\nP09: As the"
    assert _found(spoken_spans(text), text) == [("PHONE", "oh seven seven double oh"),
                                                ("PHONE", "nine hundred one two three")]


def test_a_lower_case_roster_name_that_is_a_rare_dictionary_word_is_the_person():
    detector = Detector(Roster([Person("P06", "Tyrone Baptiste"), Person("P07", "Grace Okafor")]))
    text = "P06: tyrone was great, and Cathal sat in once"
    assert ("PERSON", "tyrone") in _found(detector.detect(text), text)
    # a common word stays a word in text with capitals
    text = "We hope the grace period ends in May."
    assert _found(detector.detect(text), text) == []


def test_a_role_after_a_possessive_is_generalised_without_a_second_article():
    from rmresearch.anonymise.pipeline import anonymise_text
    from rmresearch.anonymise.pseudonyms import PseudonymKey

    detector = Detector(Roster([Person("P04", "Ama Mensah")]))
    out, _ = anonymise_text("P04: My partner, our Dean of Law, really listened. The Dean of Law chairs it.",
                            detector, PseudonymKey())
    assert "our [senior leader]" in out and "[A senior leader] chairs it" in out
    assert "Dean of Law" not in out
