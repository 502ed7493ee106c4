"""Indirect identifiers (issue 15 item 4, detection side): roles, units, unique descriptors and special-category
disclosures, each with a suggested generalisation. Passages written for these tests; the titles and conditions they
use that the word lists do not hold ("Horticulture", "narcolepsy", "Zoroastrian") are reached by the patterns."""

from __future__ import annotations

import json

import pytest

from rmresearch.anonymise.detectors import Detector, DetectorOptions
from rmresearch.anonymise.indirect import KINDS, SUGGESTIONS, find_indirect, merge_indirect
from rmresearch.anonymise.indirect_words import rules
from rmresearch.anonymise.spans import INDIRECT_LABELS, Span


def found(text: str, **kw) -> list[tuple[str, str, str]]:
    return [(s.text, s.label, s.kind) for s in find_indirect(text, **kw)]


# ---------------------------------------------------------------- ROLE
@pytest.mark.parametrize("text, expected", [
    ("Then the Director of Digital Humanities rang me back.",
     [("Director of Digital Humanities", "ROLE", "senior_role")]),
    ("I report to the Pro-Vice-Chancellor for Civic Partnerships now.",
     [("Pro-Vice-Chancellor for Civic Partnerships", "ROLE", "senior_role")]),
    ("She is Associate Dean for Doctoral Training, so it went to her.",
     [("Associate Dean for Doctoral Training", "ROLE", "senior_role")]),
    ("He was made Head of Horticulture last spring.", [("Head of Horticulture", "ROLE", "senior_role")]),
    ("our new head of estates and the director of student services",  # lower-case captions
     [("head of estates", "ROLE", "professional_role"), ("director of student services", "ROLE", "professional_role")]),
    ("The Professor of Medieval Poetry chaired it.", [("Professor of Medieval Poetry", "ROLE", "academic_role")]),
    ("I'd ask the university's only rabbi about it.", [("university's only rabbi", "ROLE", "unique_role")]),
    ("Our race equality lead set it up with the interim Registrar.",
     [("race equality lead", "ROLE", "professional_role"), ("interim Registrar", "ROLE", "senior_role")]),
    ("I met the PVC for it, then our DVC.", [("PVC", "ROLE", "senior_role"), ("DVC", "ROLE", "senior_role")]),
])
def test_roles_found_by_title_and_pattern(text, expected):
    assert found(text) == expected


def test_role_suggestions_follow_the_kind():
    spans = find_indirect("The Dean of Nursing and the Director of Libraries met the Professor of Welsh History.")
    assert [(s.text, s.suggestion) for s in spans] == [
        ("Dean of Nursing", "[a senior leader]"),
        ("Director of Libraries", "[a professional services leader]"),
        ("Professor of Welsh History", "[an academic]"),
    ]
    assert all(s.layer == "indirect" and s.label in INDIRECT_LABELS for s in spans)


@pytest.mark.parametrize("text", [
    "We got a head of steam going on the project.",
    "She has a fine head of hair and sat at the head of the table.",
    "He was the director of the documentary and a head of state visited.",
    "James Dean said it was fine.",            # a surname after a given name is a person, not a title
    "Dean Okafor phoned me after.",            # a given name before a surname
    "I told Dean yesterday.",                  # no article: a name
    "As a Principal Lecturer the principal reason was workload.",
])
def test_roles_leave_alone(text):
    assert [s for s in find_indirect(text) if s.label == "ROLE"] == []


def test_bare_title_after_an_article_is_a_role():
    assert found("The Dean said no, so our dean asked the Provost.") == [
        ("Dean", "ROLE", "senior_role"), ("dean", "ROLE", "senior_role"), ("Provost", "ROLE", "senior_role")]


# ---------------------------------------------------------------- UNIT
@pytest.mark.parametrize("text, expected", [
    ("I moved to the School of Marine Biology in May.", [("School of Marine Biology", "UNIT", "department")]),
    ("the Physics technicians' team are brilliant", [("Physics technicians' team", "UNIT", "small_unit")]),
    ("I went to the Horticulture Department first.", [("Horticulture Department", "UNIT", "department")]),
    ("The Faculty of Health and Life Sciences is big.", [("Faculty of Health and Life Sciences", "UNIT", "faculty")]),
    ("She runs the Centre for Migration Studies.", [("Centre for Migration Studies", "UNIT", "small_unit")]),
    ("we rang the counselling service and the admissions office", [
        ("counselling service", "UNIT", "service"), ("admissions office", "UNIT", "service")]),
])
def test_units(text, expected):
    assert found(text) == expected
    assert all(s.suggestion == SUGGESTIONS[s.kind] for s in find_indirect(text))


@pytest.mark.parametrize("text", [
    "The research team and the leadership team met; my team was there.",
    "The Office for Students and the Royal College of Nursing wrote to us.",
    "It was a school of hard knocks.",
])
def test_units_leave_alone(text):
    assert found(text) == []


# ---------------------------------------------------------------- DESCRIPTOR
def test_unique_descriptors():
    text = ("I was the only Hindu man in Estates for years. She became the first disabled woman to lead Senate. "
            "He is the youngest technician in the building, and one of only three Black professors here. "
            "I was the last student rep on the board.")
    spans = find_indirect(text)
    assert [(s.text, s.label, s.suggestion) for s in spans] == [
        ("the only Hindu man in Estates", "DESCRIPTOR", "[one of very few staff]"),
        ("the first disabled woman to lead Senate", "DESCRIPTOR", "[one of the first senior staff]"),
        ("the youngest technician in the building", "DESCRIPTOR", "[one of the youngest staff]"),
        ("one of only three Black professors", "DESCRIPTOR", "[one of very few senior staff]"),
        ("the last student rep on the board", "DESCRIPTOR", "[one of the last students]"),
    ]


def test_descriptors_leave_alone():
    text = ("The first time we met it was the only way, the last minute, the one thing I asked; "
            "the only one I read was hers, the first step was easy and the last person to leave locks up.")
    assert found(text) == []


# ---------------------------------------------------------------- SPECIAL_CATEGORY
@pytest.mark.parametrize("text, expected", [
    ("Honestly I'm a devout Zoroastrian, so Fridays matter.", [("Zoroastrian", "religion")]),
    ("Since my narcolepsy diagnosis I avoid early meetings.", [("narcolepsy", "health")]),
    ("She was diagnosed with coeliac disease in March.", [("coeliac disease", "health")]),
    ("As a bisexual woman in engineering it was hard.", [("bisexual", "sexuality")]),
    ("He came over on an ancestry visa and later claimed asylum.", [("visa", "immigration"), ("asylum", "immigration")]),
    ("I'm non-binary, and my daughter is dyslexic.", [("non-binary", "gender_identity"), ("dyslexic", "health")]),
    ("I came here as a refugee in 2004.", [("refugee", "immigration")]),
    ("As a Black woman I noticed it.", [("Black", "ethnicity")]),
    ("I'm of Tigrinya heritage.", [("Tigrinya", "ethnicity")]),
    ("I'm the Unison rep for the faculty.", [("Unison rep", "trade_union")]),
    ("She wears a turban to work.", [("turban", "religion")]),
    ("As a Jehovah's Witness I skip the Christmas do.", [("Jehovah's Witness", "religion")]),
    ("We are both on spouse visas for now.", [("spouse visas", "immigration")]),
])
def test_special_category_disclosures(text, expected):
    spans = find_indirect(text)
    assert [(s.text, s.kind) for s in spans if s.label == "SPECIAL_CATEGORY"] == expected
    assert all(s.suggestion == SUGGESTIONS[s.kind] for s in spans if s.label == "SPECIAL_CATEGORY")


@pytest.mark.parametrize("text", [
    "We want more Muslim students and BAME staff on panels.",
    "Disabled colleagues and trans staff asked for a network; Black students were surveyed.",
    "It was LGBT History Month and the Home Office changed the rules.",
    "We use blind marking, and managers turn a blind eye.",
    "Asylum seekers in the city need support from the university.",
])
def test_general_statements_are_not_disclosures(text):
    assert [s for s in find_indirect(text) if s.label == "SPECIAL_CATEGORY"] == []


def test_religions_and_orientations_come_from_the_hesa_code_lists():
    kinds = rules().special_kind
    assert kinds["buddhist"] == kinds["sikh"] == "religion"  # religion.yml codes
    assert kinds["bisexual"] == "sexuality"                  # sexual_orientation.yml codes
    assert kinds["schizophrenia"] == "health"                # disability.yml's "such as ..." examples
    assert set(SUGGESTIONS) == {k for ks in KINDS.values() for k in ks}


# ---------------------------------------------------------------- merging with direct identifiers
def test_merge_indirect_never_removes_a_direct_span():
    text = "Ask the Director of Libraries Amara Obi at amara@uni.ac.uk"
    person = Span(30, 39, "PERSON", "roster", 1.0, "Amara Obi")
    email = Span(43, 58, "EMAIL", "patterns", 1.0, "amara@uni.ac.uk")
    role = Span(8, 35, "ROLE", "indirect", 0.6, text[8:35], "[a professional services leader]", "professional_role")
    inside = Span(43, 48, "ROLE", "indirect", 0.6, "amara")
    out = merge_indirect([person, email], [role, inside])
    assert [(s.text, s.label) for s in out] == [
        ("Director of Libraries", "ROLE"), ("Amara Obi", "PERSON"), ("amara@uni.ac.uk", "EMAIL")]
    assert out[0].suggestion == "[a professional services leader]" and out[0].kind == "professional_role"
    assert all(text[s.start:s.end] == s.text for s in out)


def test_detector_flags_allowed_titles_and_keeps_names():
    text = ("Interviewer: Did the Dean help?\n"
            "Kwame Mensah: The Dean and the Vice-Chancellor did; since my MS diagnosis Dr Ama Boateng checks in.")
    spans = Detector().detect(text)
    got = [(s.text, s.label) for s in spans]
    assert ("Kwame Mensah", "PERSON") in got and ("Ama Boateng", "PERSON") in got
    assert [t for t, label in got if label in INDIRECT_LABELS] == ["Dean", "Dean", "Vice-Chancellor", "MS"]
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))
    off = Detector(options=DetectorOptions(layers=("roster", "patterns", "speakers", "context", "lexicon")))
    assert not [s for s in off.detect(text) if s.label in INDIRECT_LABELS]


def test_detect_command_writes_indirect_labels(tmp_path):
    from rmresearch.cli import main

    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "I spoke to the Director of Estates about my ADHD."}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["anonymise", "detect", str(src), "--out", str(out)]) == 0
    rec = json.loads(out.read_text(encoding="utf-8"))
    assert [lab for lab in rec["label"] if lab[2] in INDIRECT_LABELS] == [[15, 34, "ROLE"], [44, 48, "SPECIAL_CATEGORY"]]


# ---------------------------------------------------------------- written forms, names, shapes
def test_capitals_hyphens_and_captions_are_read_alike():
    assert found("WE MET THE VICE-CHANCELLOR AND THE DIRECTOR OF SPORT.") == [
        ("VICE-CHANCELLOR", "ROLE", "senior_role"), ("DIRECTOR OF SPORT", "ROLE", "professional_role")]
    assert found("yeah so the pro vice chancellor for research came and the chemistry department sent two") == [
        ("pro vice chancellor for research", "ROLE", "senior_role"), ("chemistry department", "UNIT", "department")]


def test_a_title_that_is_a_roster_surname_after_a_given_name_is_left_to_the_name_layers():
    from rmresearch.anonymise.roster import Person, Roster

    roster = Roster([Person("P01", "Joy Chaplain")])
    text = "Joy Chaplain said the chaplain was away."
    assert found(text, roster=roster) == [("chaplain", "ROLE", "professional_role")]
    assert found(text) == [("Chaplain", "ROLE", "professional_role"), ("chaplain", "ROLE", "professional_role")]


def test_units_named_after_people_or_their_owners_are_not_units():
    from rmresearch.anonymise.lexicon import get_lexicon

    text = "We met in the Dorothy Garrod Centre, then went to Olusegun's office and the Geography office."
    assert found(text, lexicon=get_lexicon()) == [("Geography office", "UNIT", "service")]


def test_conditions_extend_to_disease_and_survive_a_name_taken_inside():
    text = "I have Crohn's disease. My son has sickle cell anaemia."
    assert found(text) == [("Crohn's disease", "SPECIAL_CATEGORY", "health"),
                           ("sickle cell anaemia", "SPECIAL_CATEGORY", "health")]
    name = Span(7, 12, "PERSON", "lexicon", 0.5, "Crohn")
    merged = merge_indirect([name], find_indirect(text))
    assert [(s.text, s.label) for s in merged] == [
        ("Crohn", "PERSON"), ("disease", "SPECIAL_CATEGORY"), ("sickle cell anaemia", "SPECIAL_CATEGORY")]
    assert all(text[s.start:s.end] == s.text for s in merged)


def test_faith_as_a_name_or_an_idiom_is_not_a_disclosure():
    assert found("My mentor Faith helped; I had lost faith in panels.") == []
    assert found("my faith matters to me") == [("faith", "SPECIAL_CATEGORY", "religion")]


def test_caption_acronyms_places_and_a_teams_own_word():
    from rmresearch.anonymise.lexicon import get_lexicon

    assert found("yeah he's got ms so some weeks are harder") == [("ms", "SPECIAL_CATEGORY", "health")]
    assert found("Ms Okafor said he's got MS.") == [("MS", "SPECIAL_CATEGORY", "health")]  # the title is not
    assert found("so we run the geology fieldwork team now") == [("geology fieldwork team", "UNIT", "small_unit")]
    text = "I moved from the Sheffield office to the Arabic teaching team."
    assert found(text, lexicon=get_lexicon()) == [("Arabic teaching team", "UNIT", "small_unit")]
