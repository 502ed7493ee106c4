"""Spoken and broken numbers (issue 15 item 3): phone numbers, postcodes and staff or student numbers said in
words, split across a line or a caption cue, given in the answer turn, extensions, half-spoken e-mails, and the
numbers that must stay as they are (years, money, percentages, times, dates, rooms, module codes, counts).

Every passage here was written for these tests; none is in a list the detector uses.
"""

from __future__ import annotations

import pytest

from rmresearch.anonymise import Detector
from rmresearch.anonymise.patterns import find_patterns
from rmresearch.anonymise.spans import merge_spans
from rmresearch.anonymise.spoken import read_number, spoken_spans

ID_LABELS = {"STAFF_NUMBER", "STUDENT_NUMBER", "ID_NUMBER"}


def found(text: str) -> list[tuple[str, str]]:
    """(label, text) of what the pattern layer finds, in order."""
    return [(s.label, s.text) for s in find_patterns(text)]


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


# --------------------------------------------------------------------------- reading spoken numbers


@pytest.mark.parametrize("words, digits", [
    ("oh seven nine double one", "07911"),
    ("oh one three one, treble four", "0131444"),
    ("zero seven seven zero zero", "07700"),
    ("oh eight hundred", "0800"),
    ("oh one twenty three", "0123"),
    ("nine double oh", "900"),
    ("s e one, seven p b", "SE17PB"),
    ("U two oh two four", "U2024"),
    ("OH SEVEN SEVEN DOUBLE OH", "07700"),
    ("07700 nine double oh", "07700900"),
    ("triple nine, thirteen", "99913"),
])
def test_read_number_reads_digit_words_repeats_teens_tens_and_letters(words, digits):
    assert read_number(words) == digits


# --------------------------------------------------------------------------- phone numbers


@pytest.mark.parametrize("text, phone", [
    ("You can text me on oh seven nine double one, four six three, two eight two if it's urgent.",
     "oh seven nine double one, four six three, two eight two"),
    ("The switchboard is oh two oh, seven nine four six, oh nine five eight.",
     "oh two oh, seven nine four six, oh nine five eight"),
    ("Freephone is oh eight hundred, one two three, four five six seven I believe.",
     "oh eight hundred, one two three, four five six seven"),
    ("from abroad it's plus four four, seven seven double oh, nine double oh, five six seven",
     "plus four four, seven seven double oh, nine double oh, five six seven"),
    ("Reception: oh one three one, treble four, six two seven oh.", "oh one three one, treble four, six two seven oh"),
    ("MY NUMBER IS OH SEVEN SEVEN DOUBLE OH NINE OH OH FOUR FOUR FIVE OK",
     "OH SEVEN SEVEN DOUBLE OH NINE OH OH FOUR FOUR FIVE"),
    ("ring 07700 nine double oh, three four one after six", "07700 nine double oh, three four one"),
    ("the desk is oh one six one, four nine six, oh one twenty three", "oh one six one, four nine six, oh one twenty three"),
    ("it's zero seven seven zero zero nine zero zero seven three four", "zero seven seven zero zero nine zero zero seven three four"),
])
def test_spoken_phone_numbers(text, phone):
    assert found(text) == [("PHONE", phone)]


def test_fillers_inside_a_spoken_number_do_not_break_it():
    text = "it's oh seven seven, um, double oh nine oh oh, er, one two three"
    assert found(text) == [("PHONE", "oh seven seven, um, double oh nine oh oh, er, one two three")]


@pytest.mark.parametrize("text, phone", [
    ("Call +44 (0)161 496 0734 from outside.", "+44 (0)161 496 0734"),
    ("The office is 0161 496 0734.", "0161 496 0734"),
    ("London: 020 7946 0321, or", "020 7946 0321"),
    ("freephone 0800 028 0543 today", "0800 028 0543"),
    ("mobile 07700 900734.", "07700 900734"),
    ("(0113) 496 0999 is the old one", "(0113) 496 0999"),
    ("+44 7700 900734", "+44 7700 900734"),
])
def test_written_uk_phone_forms(text, phone):
    assert found(text) == [("PHONE", phone)]


def test_phone_split_across_a_line_is_one_span():
    text = "Ring me on 07700\n900 318 whenever."
    assert found(text) == [("PHONE", "07700\n900 318")]


def test_phone_split_by_a_timestamp_gives_one_span_per_piece_and_keeps_the_timestamp():
    text = "Alex: call me on 07700 [00:03:12] 900318 tomorrow"
    spans = find_patterns(text)
    assert [(s.label, s.text) for s in spans] == [("PHONE", "07700"), ("PHONE", "900318")]
    assert "[00:03:12]" not in "".join(s.text for s in spans)


def test_spoken_phone_split_across_caption_cues():
    text = ("00:00:05.000 --> 00:00:08.000\nmy mobile is oh seven seven double oh\n\n"
            "00:00:08.000 --> 00:00:10.500\nnine oh oh five five five\n")
    assert found(text) == [("PHONE", "oh seven seven double oh"), ("PHONE", "nine oh oh five five five")]


def test_number_continued_in_the_same_speakers_next_line():
    text = "Kwame: ring me on 07700\nKwame: 900456 any time\nInterviewer: thanks"
    assert found(text) == [("PHONE", "07700"), ("PHONE", "900456")]  # the speaker label stays outside
    said = "Ama: it's oh seven seven double oh\nAma: nine oh oh four five six\nKwame: 2019 was"
    assert found(said) == [("PHONE", "oh seven seven double oh"), ("PHONE", "nine oh oh four five six")]
    assert found("Kwame: ring me on 07700\nAma: 900456 any time") == []  # another speaker: not one number


def test_phone_at_the_end_of_a_line_before_a_timestamp_line_is_kept():
    text = "[00:01:00] Alex: call me on 07700 900 734\n[00:01:05] Sam: lovely, thanks"
    assert found(text) == [("PHONE", "07700 900 734")]
    vtt = "00:00:01.000 --> 00:00:04.000\nring me on 07700 900734\n00:00:04.000 --> 00:00:06.000\nthanks\n"
    assert found(vtt) == [("PHONE", "07700 900734")]


@pytest.mark.parametrize("text, ext", [
    ("I'm on extension 4471 most mornings.", "4471"),
    ("try him on ext. 2281, he's usually in", "2281"),
    ("the lab is ext 3904.", "3904"),
    ("Leave a message on x4417 please", "4417"),
    ("my extension is four four seven one", "four four seven one"),
])
def test_internal_extensions(text, ext):
    assert found(text) == [("PHONE", ext)]


# --------------------------------------------------------------------------- postcodes


@pytest.mark.parametrize("text, postcode", [
    ("we're based at m one three, nine p l near the station", "m one three, nine p l"),
    ("It's s e one, seven p b if you're posting it.", "s e one, seven p b"),
    ("the office is b one five, two t t", "b one five, two t t"),
    ("we moved to m13 9pl last year", "m13 9pl"),
    ("Post it to M139PL.", "M139PL"),
    ("M13 9pl is the address", "M13 9pl"),
    ("sw1a 2aa", "sw1a 2aa"),
    ("it's m13 nine p l", "m13 nine p l"),  # half written, half said
    ("M13, 9 P L", "M13, 9 P L"),
])
def test_postcodes_spoken_and_in_any_case(text, postcode):
    assert found(text) == [("POSTCODE", postcode)]


# --------------------------------------------------------------------------- staff and student numbers


@pytest.mark.parametrize("text, label, value", [
    ("my staff number is s one two three four five six, I think", "STAFF_NUMBER", "s one two three four five six"),
    ("My student number's two one oh, double four, seven six nine.", "STUDENT_NUMBER",
     "two one oh, double four, seven six nine"),
    ("payroll number E seven seven one four nine", "STAFF_NUMBER", "E seven seven one four nine"),
    ("my number is 0412345 on the system", "ID_NUMBER", "0412345"),
    ("It was on the letter, two nine four one eight eight three, in red.", "ID_NUMBER",
     "two nine four one eight eight three"),
])
def test_identifiers_said_in_words_or_after_their_cue(text, label, value):
    assert found(text) == [(label, value)]


@pytest.mark.parametrize("text, label, value", [
    ("Interviewer: And what's your payroll number?\nParticipant: It's 2031 7745.", "STAFF_NUMBER", "2031 7745"),
    ("Interviewer: Could you give me your student ID?\nInterviewee: Yeah, it's u two oh two four one one eight.",
     "STUDENT_NUMBER", "u two oh two four one one eight"),
    ("Q: What was your staff number again?\nA: 48812093, on the badge.", "STAFF_NUMBER", "48812093"),
    ("Interviewer: And your payroll number?\nParticipant: Oh, er, E 330 917 I believe.", "STAFF_NUMBER", "E 330 917"),
    ("10:02:11 Can I take your student number?\n[Participant] 10:02:15 3391 0072 yes", "STUDENT_NUMBER", "3391 0072"),
])
def test_identifier_given_in_the_answer_turn(text, label, value):
    assert found(text) == [(label, value)]


@pytest.mark.parametrize("text, label, value", [
    ("my staff number, I think it's 2031774, is on the badge", "STAFF_NUMBER", "2031774"),
    ("Employee ID 00451233 on the payslip", "STAFF_NUMBER", "00451233"),  # not a phone number: its cue says so
    ("matric number 2208841", "STUDENT_NUMBER", "2208841"),
    ("Student #: 22088413", "STUDENT_NUMBER", "22088413"),
    ("my student number... um... it's 2208841", "STUDENT_NUMBER", "2208841"),
    ("Interviewer: And your student number, for the form?\nStudent: Yep. 2208841.", "STUDENT_NUMBER", "2208841"),
    ("Interviewer: What's your staff number?\nParticipant: Um, let me check... it's 2031 7745.", "STAFF_NUMBER",
     "2031 7745"),
])
def test_written_identifiers_a_few_words_after_their_cue(text, label, value):
    assert found(text) == [(label, value)]


@pytest.mark.parametrize("text, value", [
    ("my nhs number is 943 476 5919", "943 476 5919"),
    ("my passport number is 123456789 I think", "123456789"),
    ("the Home Office reference was H1234567", "H1234567"),
    ("my national insurance number is AB 12 34 56 C", "AB 12 34 56 C"),
    ("ni number ab123456c.", "ab123456c"),
])
def test_other_personal_identifiers_after_their_cue_or_in_their_format(text, value):
    assert [(s.label, s.text) for s in merge_spans(find_patterns(text), text)] == [("ID_NUMBER", value)]


@pytest.mark.parametrize("text", [
    "Interviewer: What's your staff number?\nParticipant: No idea. We were 12 000 staff then, and I joined in 2019.",
    "Interviewer: What's your student number?\nParticipant: Honestly? 20000 of us started that year.",
    "My staff number is on the badge. We had 12000 students.",
    "Student numbers rose by 12 000 this year.",
])
def test_counts_near_an_identifier_cue_are_not_identifiers(text):
    assert [s for s in find_patterns(text) if s.label in ID_LABELS] == []


def test_no_identifier_when_the_answer_gives_none():
    text = "Interviewer: What's your staff number?\nParticipant: No idea, I started in 2019 and never used it."
    assert [s for s in find_patterns(text) if s.label in ID_LABELS] == []


# --------------------------------------------------------------------------- e-mails half spoken


@pytest.mark.parametrize("text, email", [
    ("send it to j dot smith at uni.ac.uk today", "j dot smith at uni.ac.uk"),
    ("it's jsmith at anytown dot ac dot uk", "jsmith at anytown dot ac dot uk"),
    ("mine is j underscore smith at gmail dot com", "j underscore smith at gmail dot com"),
    ("email k.osei at anytown dot ac dot uk", "k.osei at anytown dot ac dot uk"),
    ("a dot b hyphen c at anytown dot ac dot uk", "a dot b hyphen c at anytown dot ac dot uk"),
])
def test_half_spoken_emails(text, email):
    spans = find_patterns(text)
    assert ("EMAIL", email) in [(s.label, s.text) for s in spans]


@pytest.mark.parametrize("text, url", [
    ("it's all on anytown dot ac dot uk slash mentoring", "anytown dot ac dot uk slash mentoring"),
    ("have a look at mentorlink dot org", "mentorlink dot org"),
])
def test_web_addresses_read_out(text, url):
    assert found(text) == [("URL", url)]


def test_the_dot_com_bubble_is_no_address():
    assert found("it was the dot com bubble all over again") == []


def test_a_web_address_after_at_is_not_an_email():
    assert [s.label for s in find_patterns("have a look at anytown.ac.uk/edi for the dates")] == ["URL"]


# --------------------------------------------------------------------------- what stays as it is


@pytest.mark.parametrize("text", [
    "In 2019, 2020 and 2021 we had 20,000 students and 1,250 staff.",
    "back in nineteen ninety eight, or two thousand and thirty one at the latest",
    "It cost £1,250, or 300 pounds each, five hundred quid in all.",
    "a 12.5% gap, forty per cent, ninety nine per cent of them",
    "we start at 9:30 and finish at ten thirty, nine to five really",
    "on 01/02/2024, the 21 March 2024 meeting, the twenty first of march",
    "in room 2.14, then room two one four, then G.03 and room B12",
    "modules CS101 and EDU4012, or c s one oh one as we called it",
    "one or two of them, maybe one, two, three people, twenty five in the end",
    "it was a one to one, two or three times a term, page 12 of 40",
    "we rated it 1 2 3 4 5 on the form",
    "one, two, three, four, five, six, seven: that's the scale",
    "In 2019\n2020 was worse",
    "Speaker 1  0:03\n12 people came to the first one",
    "the 67,000,000 figure and the 1 000 000 target",
    "the M1 2nd exit, then the A6 5am traffic",
    "we had seven, eight, nine people, and then ten, eleven, twelve the year after",
    "we had 12 34 56 a day at the peak",
    "it was level seven, grade eight, band six",
    "Interviewer: How many mentees did you have?\nParticipant: 12, then 15.",
    "Student numbers rose by 12 000 this year.",
])
def test_ordinary_numbers_are_left_alone(text):
    assert found(text) == []


def test_spoken_numbers_through_the_detector(detector):
    text = ("Participant: You can ring me on oh seven seven double oh, nine oh oh, seven three four, "
            "or write to m one three, nine p l. We met one or two times in 2021.")
    spans = [(s.label, s.text) for s in detector.detect(text)]
    assert ("PHONE", "oh seven seven double oh, nine oh oh, seven three four") in spans
    assert ("POSTCODE", "m one three, nine p l") in spans
    assert all(label in ("PHONE", "POSTCODE") for label, _ in spans)


def test_offsets_are_those_of_the_original_text():
    text = "Dİd you get it? ring Oh Seven Seven Double Oh nine oh oh one two three"
    [span] = spoken_spans(text)
    assert text[span.start:span.end] == span.text == "Oh Seven Seven Double Oh nine oh oh one two three"
