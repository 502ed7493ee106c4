"""The evidence the detector weighs: word tokens, the words around a name, and what each kind of evidence is worth.

:class:`Confidence` is the table of confidences every detection layer gives its spans. The word lists say which
words announce a name (titles, "called", "my manager"), follow one ("said", "was"), end a building named after
a person ("Centre", "Road") or are never names ("we", "the"). The cue functions look at the tokens around one
token; they take the token list :func:`tokenize` gives.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple, Sequence

from .lexicon import NAME_TITLES

__all__ = [
    "Confidence", "Token", "tokenize", "NEVER_NAMES", "TITLES", "STRONG_TITLES", "HONORIFICS", "BEFORE_CUES", "RELATIONS", "AFTER_CUES",
    "NAME_FOLLOWERS", "FACILITY_WORDS", "ROLE_SPEAKERS", "RUN_JOINERS", "is_title_case", "is_caps", "sentence_initial",
    "run_end", "facility_after", "place_cue", "before_facility", "strong_cue", "spoken_to", "weak_cue",
]

# A word: letters, with internal apostrophes or hyphens (O'Brien, Okonkwo-Bello, Kwame's).
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['\u2019\-](?=[^\W\d_]))*")
_POSS = re.compile(r"['\u2019][sS]$")
_CONTRACTION = re.compile(r"(?:n['\u2019]t|['\u2019](?:m|d|re|ve|ll|t))$", re.IGNORECASE)
# Words that are never names on their own (pronouns, auxiliaries, determiners), whatever the name lists say.
NEVER_NAMES = frozenset("""i me my we us our you your he him his she her it its they them their this that these those
a an the and or but if so as at by for from in into of on to up with can could will would shall should may might must
do does did done has have had having is are was were be been am not no yes there here what who whom which when where
why how all any each some one such than then too very just also only own same other more most""".split())

TITLES = {t.casefold() for t in NAME_TITLES}
# Titles strong enough to take even an ordinary word as a name ("Dr Young", "Mr Bird").
STRONG_TITLES = {t.casefold() for t in (
    "Dr", "Prof", "Professor", "Mr", "Mrs", "Ms", "Miss", "Mx", "Sir", "Dame", "Cllr", "Councillor",
    "Rev", "Revd", "Reverend", "Baroness", "Imam", "Rabbi", "Pastor", "Auntie", "Aunty")}
#: Church and family honorifics written before a first name or surname ("Sister Grace", "Uncle Tunde",
#: "Elder Mensah"). Curated: no package lists them. Some are surnames too (Bishop, Elder): they announce a
#: name when written before one and are not titles (a "Joy Bishop" keeps her surname).
HONORIFICS = frozenset("""sister brother mother father auntie aunty aunt uncle pastor elder deacon deaconess bishop
evangelist prophet prophetess apostle mama papa mummy daddy nana grandma grandad grandpa granny""".split())
STRONG_TITLES |= HONORIFICS
# Phrases before a name.
BEFORE_CUES = {
    "called", "named", "call", "thanks", "thank", "cheers", "hi", "hello", "hey", "dear", "bye", "morning",
    # verbs whose object is a person: "I emailed Dele", "she rang Olu"
    "emailed", "messaged", "texted", "rang", "phoned", "contacted", "thanked", "cc'd", "mentored",
}
RELATIONS = {
    "manager", "mentor", "mentee", "boss", "colleague", "colleagues", "supervisor", "pa", "partner", "husband",
    "wife", "friend", "daughter", "son", "sister", "brother", "mum", "mother", "dad", "father", "cousin",
    "aunt", "uncle", "niece", "nephew", "dean", "director", "head", "hod", "chair", "tutor", "lecturer",
    "student", "coach", "sponsor", "buddy", "counterpart", "pair", "line", "deputy", "assistant",
}
# Words after a name.
AFTER_CUES = {
    "said", "says", "told", "tells", "asked", "asks", "mentioned", "explained", "suggested", "thinks",
    "thought", "wrote", "emailed", "replied", "agreed", "felt", "feels", "introduced", "recommended",
    "invited", "laughed", "admitted", "insisted", "noticed", "pointed", "shared", "challenged",
}
# Words that may follow a sentence-initial name ("Rose was...", "Hope and I...").
NAME_FOLLOWERS = AFTER_CUES | {
    "was", "is", "has", "had", "did", "does", "and", "who", "will", "would", "could", "came", "went",
    "got", "gets", "goes", "helped", "wanted", "knows", "knew", "seems", "seemed", "kept", "made",
    "took", "gave", "sent", "showed", "offered", "arranged", "nominated", "encouraged", "pushed", "described",
    "raised", "brought", "talked", "spoke", "listened", "responded", "reacted", "joined", "left", "became",
}
# The last word of a building, street or organisation named after a person.
FACILITY_WORDS = {
    "building", "buildings", "road", "street", "st", "avenue", "ave", "lane", "way", "close", "drive", "court",
    "square", "gardens", "place", "crescent", "terrace", "walk", "wing", "room", "suite", "hall", "halls",
    "house", "centre", "center", "library", "theatre", "theater", "lecture", "institute", "college", "school",
    "campus", "prize", "award", "awards", "scholarship", "scholarships", "fellowship", "foundation", "trust",
    "park", "bridge", "hospital", "academy", "university", "society", "network", "group", "estate", "tower",
    "block", "auditorium", "laboratory", "lab", "museum", "gallery", "chair", "professorship", "medal",
    "lecture", "memorial", "rooms", "studio", "arcade", "station", "primary", "secondary", "grove", "row",
    "mews", "hill", "green", "quarter", "fund", "programme", "day", "week", "month", "festival",
}
ROLE_SPEAKERS = {
    "interviewer", "interviewee", "facilitator", "moderator", "researcher", "participant", "speaker",
    "respondent", "unknown", "host", "chair", "note", "notes", "q", "a", "question", "answer", "all",
    "transcriber", "mentor", "mentee", "student", "staff", "leader", "senior", "partner", "and", "other",
}


class Confidence:
    """How sure each kind of evidence makes the detector that a word names a person (``Span.confidence``).

    A ``context``, ``lexicon`` or ``nltk`` span below the review threshold
    (``options.anonymise.review_threshold``, default 0.75) goes to the review
    queue and is replaced until a researcher decides; ``roster``, ``speakers``
    and ``deny`` spans never go to review. "Name word" below means a word in
    the name lists that is also a common English word (*Hope*, *Young*).

    ===============================  =====  ==========================================================
    name                             value  evidence
    ===============================  =====  ==========================================================
    CERTAIN                          1.0    two roster name parts side by side; a speaker label; a deny phrase
    ROSTER_NOT_A_WORD                0.95   a lone roster word that is no common word ("Kwabena")
    ROSTER_WORD_CUED                 0.9    a roster name word with a cue ("Dr Hope", "Hope said")
    ROSTER_WORD_CAPITALISED          0.75   a roster name word capitalised inside a sentence
    ROSTER_WORD_SENTENCE_START       0.7    ... at a sentence start, then a possessive or "was", "and"...
    ROSTER_WORD_SPOKEN_TO            0.6    ... in caption text after "spoke to", "met with", "asked"
    ROSTER_WORD_INTRODUCED           0.9    ... in a self-introduction or address, any case ("i'm favour i study")
    OWN_NAME_INTRODUCED              1.0    the file's own interviewee's or interviewer's name so introduced
    LIST_NOT_A_WORD                  0.85   a name-list word that is no common word
    LIST_WORD_CUED                   0.8    a name-list name word with a cue
    LIST_WORD_CAPITALISED            0.6    ... capitalised inside a sentence
    LIST_WORD_SENTENCE_START         0.55   ... at a sentence start, then a possessive or a name follower
    AFTER_TITLE                      0.9    a capitalised word after a title ("Dr Oluwadamilare")
    CAPS_OR_KNOWN_AFTER_TITLE        0.8    an all-caps word, a place or an identity term after a title
    UNKNOWN_CUED                     0.8    a capitalised word no dictionary knows, with a cue
    UNKNOWN_CAPITALISED              0.7    a capitalised word no dictionary or gazetteer knows
    LOWERCASE_AFTER_TITLE            0.7    a lower-case unknown word after a title ("Dr okafor")
    CUED_WORD                        0.6    an ordinary capitalised word with a cue, not at a sentence start
    CAPS_NAME                        0.55   an all-caps name-list word that is no dictionary word
    UNKNOWN_AFTER_PLACE_CUE          0.45   an unknown capitalised word after "in", "near", "came from"
    CAPTION_AFTER_TITLE              0.85   caption text: an uncommon word after a title
    CAPTION_CUED                     0.75   caption text: a name-list or unknown word with a cue
    CAPTION_NAME_WORD_STRONG_CUE     0.6    caption text: a name word after a title, "called", "I'm"
    CAPTION_NAME_LIST                0.6    caption text: a name-list word that is no dictionary word
    CAPTION_NEIGHBOUR                0.6    caption text: a name-list word next to a found name ("victoria hale")
    CAPTION_UNKNOWN_WEAK_CUE         0.55   caption text: an unknown word after "to", "with", or before "said"
    CAPTION_UNKNOWN                  0.5    caption text: a word no dictionary knows
    GIVEN_NAME_BEFORE_SURNAME        0.65   a capitalised word right before a confident surname
    NAME_IN_RUN                      0.7    a name-list word in a capitalised run with a confident name
    FACILITY                         0.7    a building, street or organisation named after a person
    LIST_ITEM                        0.6    joined by ",", "and", "or" to a confident name ("Aisha, Bola and Chen")
    PROPAGATED                       0.8    another mention of a word of a confident name
    INITIALS_AFTER_TITLE             0.85   one or two capitals after a title ("Dr B", "Prof A")
    INITIALS_NAMED                   0.9    capitals after "call me", "known as", "goes by" ("call me KO")
    INITIALS_ATTRIBUTION             0.7    initials in brackets or ending a quote ('..." (DC)')
    INITIALS_SUBJECT                 0.6    capitals before a verb, alone or in a list ("JT and MK met")
    NAME_PAIR_WORDS                  0.65   a capitalised given name then surname, both words ("Grace Power")
    ROSTER_WORD_LIST_ITEM            0.7    caption text: a roster name word in a list with a name ("me, joy and tunde")
    NLTK                             0.6    NLTK's named-entity chunker
    ===============================  =====  ==========================================================

    Thresholds: a name of at least ``CONFIDENT`` (0.7) vouches for its capitalised neighbours, list
    items and other mentions; a multi-word name of at least ``FULL_NAME`` (0.9) makes its parts count
    as a full name elsewhere; a caption name of at least ``CAPTION_VOUCH`` (0.6) vouches for its
    neighbours.
    """

    CERTAIN = 1.0
    ROSTER_NOT_A_WORD = 0.95
    ROSTER_WORD_CUED = 0.9
    ROSTER_WORD_CAPITALISED = 0.75
    ROSTER_WORD_SENTENCE_START = 0.7
    ROSTER_WORD_SPOKEN_TO = 0.6
    ROSTER_WORD_INTRODUCED = 0.9
    OWN_NAME_INTRODUCED = 1.0
    LIST_NOT_A_WORD = 0.85
    LIST_WORD_CUED = 0.8
    LIST_WORD_CAPITALISED = 0.6
    LIST_WORD_SENTENCE_START = 0.55
    AFTER_TITLE = 0.9
    CAPS_OR_KNOWN_AFTER_TITLE = 0.8
    UNKNOWN_CUED = 0.8
    UNKNOWN_CAPITALISED = 0.7
    LOWERCASE_AFTER_TITLE = 0.7
    CUED_WORD = 0.6
    CAPS_NAME = 0.55
    UNKNOWN_AFTER_PLACE_CUE = 0.45
    CAPTION_AFTER_TITLE = 0.85
    CAPTION_CUED = 0.75
    CAPTION_NAME_WORD_STRONG_CUE = 0.6
    CAPTION_NAME_LIST = 0.6
    CAPTION_NEIGHBOUR = 0.6
    CAPTION_UNKNOWN_WEAK_CUE = 0.55
    CAPTION_UNKNOWN = 0.5
    GIVEN_NAME_BEFORE_SURNAME = 0.65
    NAME_IN_RUN = 0.7
    FACILITY = 0.7
    LIST_ITEM = 0.6
    PROPAGATED = 0.8
    INITIALS_AFTER_TITLE = 0.85
    INITIALS_NAMED = 0.9
    INITIALS_ATTRIBUTION = 0.7
    INITIALS_SUBJECT = 0.6
    NAME_PAIR_WORDS = 0.65
    ROSTER_WORD_LIST_ITEM = 0.7
    NLTK = 0.6
    CONFIDENT = 0.7
    FULL_NAME = 0.9
    CAPTION_VOUCH = 0.6


class Token(NamedTuple):
    """One word of a text (a named tuple: the detector makes one per word, and a frozen dataclass costs several
    times more to build)."""

    start: int
    end: int  # without a possessive 's
    text: str  # without a possessive 's
    possessive: bool
    full_end: int


def tokenize(text: str) -> list[Token]:
    """Word tokens with offsets; a possessive ``'s`` is split off (``end`` excludes it).

    >>> [(t.text, t.possessive) for t in tokenize("Okonkwo-Bello's O'Brien")]
    [('Okonkwo-Bello', True), ("O'Brien", False)]
    """
    out = []
    append = out.append
    for m in _WORD.finditer(text):
        s, e = m.span()
        word = m.group()
        if "'" not in word and "\u2019" not in word:  # most words: no possessive, no contraction to look for
            append(Token(s, e, word, False, e))
            continue
        poss = bool(_POSS.search(word)) and len(word) > 2
        if poss:
            word = word[:-2]
        else:
            c = _CONTRACTION.search(word)
            if c and c.start() > 0:
                word = word[: c.start()]  # "I'm" -> "I", "don't" -> "do"
        append(Token(s, s + len(word), word, poss, e))
    return out


# Surnames written with a lower-case particle: "al-Hashimi", "el-Sayed", "d'Almeida", "van-Dyke".
_PARTICLE_NAME = re.compile(r"(?:al|el|ul|bin|ibn|abu|ben|de|di|da|du|le|la|van|von|d|o)[-'\u2019][A-Z][a-z]")


@functools.lru_cache(maxsize=1 << 16)
def is_title_case(word: str) -> bool:
    """``Adaeze``, ``O'Brien``, ``al-Hashimi`` (cached: the detector asks it of most words, which repeat)."""
    if _PARTICLE_NAME.match(word):
        return True
    return word[:1].isupper() and not word.isupper() and any(c.islower() for c in word[1:])


def is_caps(word: str) -> bool:
    return word.isupper() and len(word) > 1


def sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\"'\u201c\u2018(-\u2013\u2014*":
        i -= 1
    if i < 0:
        return True
    ch = text[i]
    return ch in ".!?\n:;\u2026" or ch == "]"


# Words that may sit inside a run of capitalised words: particles and "of the" ("Eoin Ó Murchú", "Bank of England").
RUN_JOINERS = frozenset(("of", "the", "de", "van", "von", "bin", "al", "el", "da", "du", "le", "la", "ó", "ní", "nic",
                          "uí", "mac"))


def run_end(text: str, tokens: Sequence[Token], i: int) -> int:
    """Index of the last token of the run of capitalised words (particles and initials included) from ``tokens[i]``."""
    j = i
    while j + 1 < len(tokens) and (is_title_case(tokens[j + 1].text) or tokens[j + 1].text.casefold() in RUN_JOINERS
                                   or (len(tokens[j + 1].text) == 1 and tokens[j + 1].text.isupper())) \
            and re.fullmatch(r"[ \t\-]{1,2}", text[tokens[j].full_end:tokens[j + 1].start]) and not tokens[j].possessive:
        j += 1
    return j



# --------------------------------------------------------------------------- cues around a token


def facility_after(text: str, tokens: Sequence[Token], j: int) -> bool:
    """Whether capitalised words after ``tokens[j]`` end in a building or street word."""
    k = j + 1
    while k < len(tokens) and k <= j + 3 and not tokens[k - 1].possessive:
        w = tokens[k].text
        if not (w[:1].isupper() or w.isupper()) or not re.fullmatch(r"[ \t]{1,2}", text[tokens[k - 1].full_end:tokens[k].start]):
            return False
        if w.casefold() in FACILITY_WORDS:
            return True
        k += 1
    return False

def place_cue(tokens: Sequence[Token], i: int) -> bool:
    if i == 0:
        return False
    p = tokens[i - 1].text.casefold()
    if p in ("in", "near", "around", "outside", "across", "towards"):
        return True
    return p == "from" and i > 1 and tokens[i - 2].text.casefold() in (
        "came", "come", "comes", "moved", "am", "is", "are", "was", "originally", "back", "flew", "travelled")

def before_facility(tokens: Sequence[Token], i: int) -> bool:
    """In caption text: "minh vu building", "mary seacole centre"."""
    for k in (1, 2):
        if i + k < len(tokens) and tokens[i + k].text.casefold() in FACILITY_WORDS - {"chair", "day", "week", "month", "green", "hill"}:
            return True
    return False


def strong_cue(text: str, tokens: Sequence[Token], i: int) -> bool:
    """A title, "called", "named", "my manager" or "I'm" straight before ``tokens[i]``."""
    if i == 0:
        return False
    prev = tokens[i - 1]
    p = prev.text.casefold()
    if text[prev.end:prev.full_end].casefold().replace("\u2019", "'") == "'m" and p == "i":
        return True
    if p in STRONG_TITLES or p in ("called", "named"):
        return True
    return p in RELATIONS and i > 1 and tokens[i - 2].text.casefold() in ("my", "our", "his", "her", "their")


def spoken_to(tokens: Sequence[Token], i: int) -> bool:
    """Caption cues strict enough for a cohort name that is also a word: "spoke to hope",
    "met with joy", "asked rose" (not "to hope for the best")."""
    if i == 0:
        return False
    p = tokens[i - 1].text.casefold()
    if p in ("asked", "told", "met", "thanks", "thank", "emailed", "messaged", "rang", "called", "named"):
        return True
    if p in ("to", "with") and i > 1:
        return tokens[i - 2].text.casefold() in (
            "spoke", "speak", "talked", "talk", "talking", "speaking", "said", "wrote", "write", "mentioned",
            "introduced", "listened", "chatted", "paired", "matched", "met", "meeting", "worked", "explained",
            "emailed", "reached", "went", "sat", "complained", "reported", "replied")
    return False

def weak_cue(tokens: Sequence[Token], i: int) -> bool:
    """In caption text: "talking to tunde", "met with ngozi", "chidi said"."""
    before = {"to", "with", "and", "from", "for", "by", "ask", "asked", "tell", "told", "met", "meet", "me", "about"}
    if i > 0 and tokens[i - 1].text.casefold() in before:
        return True
    return i + 1 < len(tokens) and tokens[i + 1].text.casefold() in NAME_FOLLOWERS
