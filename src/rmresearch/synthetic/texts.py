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
CHINESE_FAMILY = _NAMES["east_asian"]["chinese_family"]
CHINESE_GIVEN_FEMALE = _NAMES["east_asian"]["chinese_given_female"]
CHINESE_GIVEN_MALE = _NAMES["east_asian"]["chinese_given_male"]
VIETNAMESE_FAMILY = _NAMES["east_asian"]["vietnamese_family"]
VIETNAMESE_GIVEN_FEMALE = _NAMES["east_asian"]["vietnamese_given_female"]
VIETNAMESE_GIVEN_MALE = _NAMES["east_asian"]["vietnamese_given_male"]
ENGLISH_NAMES_USED_BY_EAST_ASIAN = _NAMES["east_asian"]["english_names"]
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
#: theme -> speaker group -> sentences. Groups: leader, partner (staff or student), staff, student.
ANSWERS = _TEXT["answers"]
#: theme -> group (any, leader, partner) -> questions.
QUESTIONS = _TEXT["questions"]
FOLLOW_UPS = _TEXT["follow_ups"]
ACKNOWLEDGEMENTS = _TEXT["acknowledgements"]
FILLERS = _TEXT["fillers"]
OPENERS = _TEXT["openers"]
CONSENT_REPLIES = _TEXT["consent_replies"]
INTRO_QUESTIONS = _TEXT["intro_questions"]
INTROS = _TEXT["intros"]
CLOSING_QUESTIONS = _TEXT["closing_questions"]
CLOSING_ANSWERS = _TEXT["closing_answers"]
THANKS = _TEXT["thanks"]
LAST_WORDS = _TEXT["last_words"]
