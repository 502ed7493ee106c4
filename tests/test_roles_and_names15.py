"""Where titles and names meet (issue 15): the field of a title is no surname, a title's surname may be a word."""

from __future__ import annotations

import pytest

from rmresearch.anonymise import Detector


@pytest.fixture(scope="module")
def detector():
    return Detector()


def found(detector, text):
    return [(s.text, s.label) for s in detector.detect(text)]


@pytest.mark.parametrize("text, role", [
    ("I spoke to the Dean of Law about it.", "Dean of Law"),
    ("The Dean of Law asked me first.", "Dean of Law"),
    ("Our PVC for Education asked us to join.", "PVC for Education"),
])
def test_the_field_of_a_title_is_not_a_surname(detector, text, role):
    assert found(detector, text) == [(role, "ROLE")]


def test_a_name_after_a_title_phrase_is_still_found(detector):
    spans = found(detector, "The Dean of Law Amara Obi said so.")
    assert ("Amara Obi", "PERSON") in spans and ("Dean of Law", "ROLE") in spans


@pytest.mark.parametrize("text, name", [
    ("Yesterday Professor Joy Bishop spoke to us.", "Joy Bishop"),
    ("The Head of Chemistry, Dr Grace Power, spoke.", "Grace Power"),
    ("Ask Mr Tom Long about it.", "Tom Long"),
    ("I asked Dr Faith London for advice.", "Faith London"),
])
def test_a_surname_that_is_a_word_after_a_titled_given_name(detector, text, name):
    assert (name, "PERSON") in found(detector, text)


def test_a_weekday_after_a_titled_given_name_is_no_surname(detector):
    assert found(detector, "I met Dr Grace Monday morning.") == [("Grace", "PERSON")]


def test_a_first_name_shared_with_someone_outside_the_cohort_is_not_given_the_participants_tag():
    from rmresearch.anonymise import PseudonymKey, anonymise_text
    from rmresearch.anonymise.roster import Person, Roster

    roster = Roster([Person("P01", "Kwabla Dzidzienyo"), Person("P02", "Ama Owusu")])
    text = "Kwabla Vukasovic: hello.\nInterviewer: Kwabla, tell me more. Ama said Kwabla Dzidzienyo came."
    out, _ = anonymise_text(text, Detector(roster), PseudonymKey(), speaker_offsets=[(0, 16), (25, 36)])
    assert out == "[PERSON_1]: hello.\nInterviewer: [PERSON_1], tell me more. [P02] said [P01] came."
    # With no other Kwabla in the document the first name is the participant's.
    out, _ = anonymise_text("Interviewer: Kwabla, tell me more.", Detector(roster), PseudonymKey())
    assert out == "Interviewer: [P01], tell me more."


@pytest.mark.parametrize("text, condition", [
    ("I have coeliac disease so lunches were hard.", "coeliac disease"),
    ("Her Ehlers-Danlos syndrome flared up again.", "Ehlers-Danlos syndrome"),
    ("She was diagnosed with Crohn's disease last year.", "Crohn's disease"),
    ("My sickle cell disease means I tire.", "sickle cell disease"),
])
def test_a_condition_no_list_holds_is_flagged_whole_and_its_eponym_is_no_person(detector, text, condition):
    spans = [(s.text, s.label, s.kind) for s in detector.detect(text)]
    assert spans == [(condition, "SPECIAL_CATEGORY", "health")]


@pytest.mark.parametrize("text", ["Heart disease is common in the city.", "The disease spread through the ward.",
                                  "Students with an eating disorder get support."])
def test_conditions_in_general_statements_are_not_disclosures(detector, text):
    assert [s for s in detector.detect(text) if s.label == "SPECIAL_CATEGORY"] == []
