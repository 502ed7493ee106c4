"""Property: no roster name survives anonymisation, in any casing or possessive form."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmresearch.anonymise import Detector, PseudonymKey, Roster, anonymise_text
from rmresearch.anonymise.lexicon import get_lexicon
from rmresearch.anonymise.roster import Person

PEOPLE = [
    ("P01", "Adaeze Okonkwo-Bello"), ("P02", "Kwame Mensah"), ("P03", "Siobhan O'Neill"), ("P04", "Wei Zhang"),
    ("P05", "Priya Raghunathan"), ("P06", "Fatima Al-Sayed"), ("P07", "Marek Kowalczyk"), ("P08", "Tendai Moyo"),
    ("P09", "Hope Campbell"), ("P10", "Daniel Young"), ("P11", "Nguyen Van Minh"), ("P12", "Oluwaseun Adeyemi"),
]
ROSTER = Roster([Person(pid, name) for pid, name in PEOPLE])
DETECTOR = Detector(ROSTER)
FILLER = ["I think", "we met", "and then", "honestly", "the panel", "said that", "in the meeting", "yeah so"]
CASINGS = [str, str.upper, str.lower, str.title]
POSSESSIVE = ["", "'s", "\u2019s"]


def _forms(name: str) -> list[str]:
    parts = name.split()
    return [name, parts[0], parts[-1]]


@st.composite
def passages(draw):
    pieces, mentions = [], []
    lex = get_lexicon()
    for _ in range(draw(st.integers(1, 4))):
        pid, name = draw(st.sampled_from(PEOPLE))
        form = draw(st.sampled_from(_forms(name)))
        case = draw(st.sampled_from(CASINGS))
        if " " not in form and lex.is_common_word(form) and case is str.lower:
            # By design a lone "hope" or "young" in lower case is a word ("we hope"), not a
            # name: only the full name or a cue marks it (tested in test_anonymise.py).
            case = str
        mention = case(form) + draw(st.sampled_from(POSSESSIVE))
        pieces += [draw(st.sampled_from(FILLER)), mention, draw(st.sampled_from(FILLER))]
        mentions.append(form)
    return " ".join(pieces) + ".", mentions


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(passages())
def test_no_roster_name_survives(sample):
    text, mentions = sample
    out, _ = anonymise_text(text, DETECTOR, PseudonymKey(roster=ROSTER))
    survivors = []
    for form in mentions:
        for part in form.replace("-", " ").split():
            if part.casefold() in out.casefold():
                survivors.append(part)
    assert not survivors, (text, out)
