"""The name pools and interview text of the demo, read from the package's data files.

``data/demo/names.json`` holds the invented name tokens by origin, nicknames and
surname variants; ``data/demo/interview_text.json`` the interview templates
(openers, questions and answers by theme and speaker group, closings). Each
file's ``_about`` entry documents its layout and the template slots. Lists are
read as tuples, so the constants below are immutable like the rest of the
generator's tables.
"""

from __future__ import annotations

import json
from importlib import resources


def _frozen(value):
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items() if k != "_about"}
    return value


def _load(name: str) -> dict:
    text = resources.files("rmresearch").joinpath(f"data/demo/{name}").read_text(encoding="utf-8")
    return _frozen(json.loads(text))


_NAMES = _load("names.json")
_TEXT = _load("interview_text.json")

# --------------------------------------------------------------------------- names
#: origin -> (female first names, male first names, surnames); East Asian names are separate (family name first).
NAME_POOLS = {origin: (pool["female"], pool["male"], pool["surnames"]) for origin, pool in _NAMES["pools"].items()}
ARABIC_SURNAMES = NAME_POOLS["arabic"][2]
IRISH_SURNAMES = NAME_POOLS["irish"][2]
(CHINESE_FAMILY, CHINESE_GIVEN_FEMALE, CHINESE_GIVEN_MALE, VIETNAMESE_FAMILY, VIETNAMESE_GIVEN_FEMALE,
 VIETNAMESE_GIVEN_MALE, ENGLISH_NAMES_USED_BY_EAST_ASIAN) = (_NAMES["east_asian"][key] for key in (
    "chinese_family", "chinese_given_female", "chinese_given_male", "vietnamese_family", "vietnamese_given_female",
    "vietnamese_given_male", "english_names"))
ORIGINS = ("african", "caribbean", "south_asian", "east_asian", "arabic", "british", "irish")
#: Nicknames and alternative spellings (the participants table's ``aliases``).
NICKNAMES = _NAMES["nicknames"]
SURNAME_VARIANTS = _NAMES["surname_variants"]

# --------------------------------------------------------------------------- interview templates
THEMES = (
    "lived_experience", "understanding_barriers", "career_development", "sponsorship",
    "decision_making_politics", "safe_space", "reciprocity", "labour_of_educating",
    "actions_policy_change", "accountability", "programme_logistics",
)
# ANSWERS: theme -> speaker group -> sentences (groups: leader, partner (staff or student), staff, student);
# QUESTIONS: theme -> group (any, leader, partner) -> questions; INTROS: leader, staff, student -> answers.
(ANSWERS, QUESTIONS, FOLLOW_UPS, ACKNOWLEDGEMENTS, FILLERS, OPENERS, CONSENT_REPLIES, INTRO_QUESTIONS, INTROS,
 CLOSING_QUESTIONS, CLOSING_ANSWERS, THANKS, LAST_WORDS) = (_TEXT[key] for key in (
    "answers", "questions", "follow_ups", "acknowledgements", "fillers", "openers", "consent_replies", "intro_questions",
    "intros", "closing_questions", "closing_answers", "thanks", "last_words"))
