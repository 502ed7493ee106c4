"""Detection layers for names and identifiers, and the :class:`Detector` that runs them.

Layers (each span records which one found it):

``roster``
    The cohort's people in every form (full, first, surname, parts of hyphenated
    names, aliases), any casing, possessives. A roster name that is also a common
    word (Hope, Young) is taken when written as a name (capitalised inside a
    sentence, after a title, before ``said``...) or together with the person's
    other name, never for every "hope" in the text.
``patterns``
    E-mail, phone, URL, UK postcode, social handle and configured identifiers.
``speakers``
    The speaker labels of a transcript's turns (``Kwame Mensah:``).
``context``
    Words that announce a name: titles (Dr, Professor...), "my manager X",
    "called X", "named X", "thanks X", "X said", "with X and Y".
``lexicon``
    Capitalised words in the given-name and surname lists (Faker, 86 locales), and
    capitalised words that are not ordinary English words nor known places.
``nltk``
    NLTK's named-entity chunker, only when its data is installed (``rmresearch setup-nltk``).

Examples
--------
>>> d = Detector()
>>> text = "My mentor Dr Oluwadamilare Ayodele-Smith said Faith and I should meet Kwabena."
>>> [(s.text, s.label) for s in d.detect(text)]
[('Oluwadamilare Ayodele-Smith', 'PERSON'), ('Faith', 'PERSON'), ('Kwabena', 'PERSON')]
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from .lexicon import IDENTITY_TERMS, NAME_TITLES, Lexicon, get_lexicon
from .patterns import CUED_ID_LABELS, PATTERN_LABELS, compile_identifiers, find_patterns
from .roster import Roster
from .spans import IntervalSet, Span, merge_spans

__all__ = ["Detector", "DetectorOptions", "tokenize", "Token", "nltk_available", "DEFAULT_ALLOW"]

# A word: letters, with internal apostrophes or hyphens (O'Brien, Okonkwo-Bello, Kwame's).
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['\u2019\-](?=[^\W\d_]))*")
_POSS = re.compile(r"['\u2019][sS]$")
_CONTRACTION = re.compile(r"(?:n['\u2019]t|['\u2019](?:m|d|re|ve|ll|t))$", re.IGNORECASE)
# Words that are never names on their own (pronouns, auxiliaries, determiners), whatever the name lists say.
_NEVER_NAMES = frozenset("""i me my we us our you your he him his she her it its they them their this that these those
a an the and or but if so as at by for from in into of on to up with can could will would shall should may might must
do does did done has have had having is are was were be been am not no yes there here what who whom which when where
why how all any each some one such than then too very just also only own same other more most""".split())

_TITLES = {t.casefold() for t in NAME_TITLES}
# Titles strong enough to take even an ordinary word as a name ("Dr Young", "Mr Bird").
_STRONG_TITLES = {t.casefold() for t in (
    "Dr", "Prof", "Professor", "Mr", "Mrs", "Ms", "Miss", "Mx", "Sir", "Dame", "Cllr", "Councillor",
    "Rev", "Revd", "Reverend", "Baroness", "Imam", "Rabbi", "Pastor", "Auntie", "Aunty")}
# Phrases before a name.
_BEFORE_CUES = {
    "called", "named", "call", "thanks", "thank", "cheers", "hi", "hello", "hey", "dear", "bye", "morning",
    # verbs whose object is a person: "I emailed Dele", "she rang Olu"
    "emailed", "messaged", "texted", "rang", "phoned", "contacted", "thanked", "cc'd", "mentored",
}
_RELATIONS = {
    "manager", "mentor", "mentee", "boss", "colleague", "colleagues", "supervisor", "pa", "partner", "husband",
    "wife", "friend", "daughter", "son", "sister", "brother", "mum", "mother", "dad", "father", "cousin",
    "aunt", "uncle", "niece", "nephew", "dean", "director", "head", "hod", "chair", "tutor", "lecturer",
    "student", "coach", "sponsor", "buddy", "counterpart", "pair", "line", "deputy", "assistant",
}
# Words after a name.
_AFTER_CUES = {
    "said", "says", "told", "tells", "asked", "asks", "mentioned", "explained", "suggested", "thinks",
    "thought", "wrote", "emailed", "replied", "agreed", "felt", "feels", "introduced", "recommended",
    "invited", "laughed", "admitted", "insisted", "noticed", "pointed", "shared", "challenged",
}
# Words that may follow a sentence-initial name ("Rose was...", "Hope and I...").
_NAME_FOLLOWERS = _AFTER_CUES | {
    "was", "is", "has", "had", "did", "does", "and", "who", "will", "would", "could", "came", "went",
    "got", "gets", "goes", "helped", "wanted", "knows", "knew", "seems", "seemed", "kept", "made",
    "took", "gave", "sent", "showed", "offered", "arranged", "nominated", "encouraged", "pushed", "described",
    "raised", "brought", "talked", "spoke", "listened", "responded", "reacted", "joined", "left", "became",
}
# The last word of a building, street or organisation named after a person.
_FACILITY_WORDS = {
    "building", "buildings", "road", "street", "st", "avenue", "ave", "lane", "way", "close", "drive", "court",
    "square", "gardens", "place", "crescent", "terrace", "walk", "wing", "room", "suite", "hall", "halls",
    "house", "centre", "center", "library", "theatre", "theater", "lecture", "institute", "college", "school",
    "campus", "prize", "award", "awards", "scholarship", "scholarships", "fellowship", "foundation", "trust",
    "park", "bridge", "hospital", "academy", "university", "society", "network", "group", "estate", "tower",
    "block", "auditorium", "laboratory", "lab", "museum", "gallery", "chair", "professorship", "medal",
    "lecture", "memorial", "rooms", "studio", "arcade", "station", "primary", "secondary", "grove", "row",
    "mews", "hill", "green", "quarter", "fund", "programme", "day", "week", "month", "festival",
}
_ROLE_SPEAKERS = {
    "interviewer", "interviewee", "facilitator", "moderator", "researcher", "participant", "speaker",
    "respondent", "unknown", "host", "chair", "note", "notes", "q", "a", "question", "answer", "all",
    "transcriber", "mentor", "mentee", "student", "staff", "leader", "senior", "partner", "and", "other",
}

#: Phrases never replaced unless configured otherwise (names of movements, awards, job titles).
DEFAULT_ALLOW = (
    "Black Lives Matter", "Race Equality Charter", "Athena Swan", "Athena SWAN", "Black History Month",
    "Windrush", "Vice-Chancellor", "Vice Chancellor", "Pro Vice-Chancellor", "Pro-Vice-Chancellor",
    "Deputy Vice-Chancellor", "Head of Department", "Head of School", "Dean", "Registrar",
    "Equality, Diversity and Inclusion", "Office for Students", "Advance HE", "Stephen Lawrence Day",
    "Martin Luther King Day",
)


@dataclass(frozen=True)
class Token:
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
    for m in _WORD.finditer(text):
        s, e = m.start(), m.end()
        word = m.group()
        poss = bool(_POSS.search(word)) and len(word) > 2
        if poss:
            word = word[:-2]
        else:
            c = _CONTRACTION.search(word)
            if c and c.start() > 0:
                word = word[: c.start()]  # "I'm" -> "I", "don't" -> "do"
        out.append(Token(s, s + len(word), word, poss, e))
    return out


# Surnames written with a lower-case particle: "al-Hashimi", "el-Sayed", "d'Almeida", "van-Dyke".
_PARTICLE_NAME = re.compile(r"(?:al|el|ul|bin|ibn|abu|ben|de|di|da|du|le|la|van|von|d|o)[-'\u2019][A-Z][a-z]")


def _is_title_case(word: str) -> bool:
    if _PARTICLE_NAME.match(word):
        return True
    return word[:1].isupper() and not word.isupper() and any(c.islower() for c in word[1:])


def _is_caps(word: str) -> bool:
    return word.isupper() and len(word) > 1


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\"'\u201c\u2018(-\u2013\u2014*":
        i -= 1
    if i < 0:
        return True
    ch = text[i]
    return ch in ".!?\n:;\u2026" or ch == "]"


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    caseless: bool  # lower-case captions or ALL CAPS: capitals carry no information


def _lines(text: str, tokens: Sequence[Token]) -> list[_Line]:
    """Split into lines and tell which are written without meaningful capitals."""
    out = []
    pos = 0
    ti = 0
    for line in text.split("\n"):
        end = pos + len(line)
        # Skip a "Speaker:" prefix when judging the case of the spoken text.
        body_start = pos
        colon = line.find(": ")
        if 0 < colon < 60:
            body_start = pos + colon + 2
        words = []
        while ti < len(tokens) and tokens[ti].start < end:
            if tokens[ti].start >= body_start:
                words.append(tokens[ti].text)
            ti += 1
        letters = [w for w in words if len(w) > 1 or w.isalpha() and w != "I"]
        caseless = False
        if len(letters) >= 6:
            # Prose capitalises sentence starts (a few per cent of words); captions none.
            upper = sum(1 for w in letters if w[0].isupper() and w not in ("I", "I'm"))
            caps = sum(1 for w in letters if w.isupper())
            caseless = upper / len(letters) < 0.015 or caps / len(letters) > 0.8
        out.append(_Line(pos, end, caseless))
        pos = end + 1
    return out


@functools.lru_cache(maxsize=1)
def nltk_available() -> bool:
    """Whether NLTK's POS tagger and NE chunker data are installed."""
    try:
        import nltk

        for resource in ("taggers/averaged_perceptron_tagger_eng", "chunkers/maxent_ne_chunker_tab", "corpora/words"):
            nltk.data.find(resource)
        return True
    except (LookupError, ImportError, OSError):
        return False


@dataclass
class DetectorOptions:
    """What to detect. Read from ``options["anonymise"]`` by :meth:`from_config`.

    Keys (all optional): ``layers`` (list: roster, patterns, speakers, context,
    lexicon, nltk), ``labels`` (extra labels: LOCATION, ORG), ``allow`` and
    ``deny`` (lists of phrases; a deny item may be ``{text: ..., label: ...}``),
    ``identifiers`` (top-level ``options["identifiers"]``: name -> regex).
    """

    layers: tuple[str, ...] = ("roster", "patterns", "speakers", "context", "lexicon", "nltk")
    labels: tuple[str, ...] = ()
    allow: tuple[str, ...] = DEFAULT_ALLOW
    deny: tuple[tuple[str, str], ...] = ()
    identifiers: Mapping[str, str] = field(default_factory=dict)


class Detector:
    """Run the detection layers over a text and merge their spans.

    Parameters
    ----------
    roster
        The cohort's people (:class:`~rmresearch.anonymise.roster.Roster`), or None.
    options
        :class:`DetectorOptions`; defaults detect everything but LOCATION and ORG.
    lexicon
        Word and name lists (default: :func:`~rmresearch.anonymise.lexicon.get_lexicon`).
    """

    def __init__(self, roster: Roster | None = None, *, options: DetectorOptions | None = None,
                 lexicon: Lexicon | None = None):
        self.roster = roster
        self.options = options or DetectorOptions()
        self.lexicon = lexicon or get_lexicon()
        self.identifiers = compile_identifiers(self.options.identifiers)
        allow = sorted({a for a in self.options.allow if a}, key=len, reverse=True)
        # One alternation, not one search per phrase: the allow list can be long.
        self._allow = [re.compile(r"(?<!\w)(?:" + "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in allow)
                                  + r")(?!\w)", re.IGNORECASE)] if allow else []
        self._deny = [(re.compile(r"(?<!\w)" + re.escape(t).replace(r"\ ", r"\s+") + r"(?!\w)", re.IGNORECASE), label)
                      for t, label in self.options.deny if t]
        self._use_nltk = "nltk" in self.options.layers and nltk_available()

    # ------------------------------------------------------------------ public
    def detect(self, text: str, *, speaker_offsets: Iterable[tuple[int, int]] = (), merge: bool = True) -> list[Span]:
        """Spans of identifiers in ``text``, overlaps resolved (see :func:`merge_spans`).

        ``speaker_offsets`` are the ``(speaker_start, speaker_end)`` of a
        transcript's turns, used by the ``speakers`` layer.
        """
        layers = self.options.layers
        tokens = tokenize(text)
        spans: list[Span] = []
        if "patterns" in layers:
            spans += find_patterns(text, identifiers=self.identifiers, labels=PATTERN_LABELS)
        pattern_zones = IntervalSet((s.start, s.end) for s in spans)
        lines = _lines(text, tokens)
        if self.roster is not None and "roster" in layers:
            spans += self._roster_layer(text, tokens, lines)
        if "speakers" in layers:
            offsets = list(speaker_offsets) or self._speaker_prefixes(text)
            spans += self._speaker_layer(text, offsets)
        if "context" in layers or "lexicon" in layers:
            spans += self._name_layer(text, tokens, lines)
        if self._use_nltk:
            spans += self._nltk_layer(text)
        for rx, label in self._deny:
            spans += [Span(m.start(), m.end(), label, "deny", 1.0, m.group()) for m in rx.finditer(text)]
        # Words inside an e-mail or URL belong to that identifier.
        if pattern_zones:
            spans = [s for s in spans if s.layer in ("patterns", "deny") or not pattern_zones.covers(s.start, s.end)]
        spans = self._apply_allow(text, spans)
        if "context" in layers or "lexicon" in layers:
            spans += self._propagate(text, tokens, lines, spans)
            spans = self._apply_allow(text, spans)
        spans = [s for s in spans if s.label in PATTERN_LABELS or s.label in CUED_ID_LABELS or s.label == "PERSON"
                 or s.label in self.identifiers or s.label in self.options.labels or s.layer == "deny"]
        return merge_spans(spans, text) if merge else spans

    # ------------------------------------------------------------------ layers
    def _propagate(self, text: str, tokens: Sequence[Token], lines: Sequence[_Line], spans: list[Span]) -> list[Span]:
        """Other mentions of a word already found as part of a confident name.

        A speaker label ``Hyacinth Thompson:`` or a full name found with a title
        tells that *Hyacinth* names a person in this document, even where a
        dictionary calls it a flower. Common words are only taken when written
        as a name (capitalised, not at a sentence start).
        """
        lex = self.lexicon
        sure: set[str] = set()
        full_name_parts: set[str] = set()
        covered: list[tuple[int, int]] = []
        for s in merge_spans(spans, text):
            if s.label != "PERSON":
                continue
            covered.append((s.start, s.end))
            if s.confidence >= 0.7:
                parts = [t.text.casefold() for t in tokenize(s.text) if len(t.text) > 1]
                sure.update(parts)
                if len(parts) > 1 and s.confidence >= 0.9:
                    full_name_parts.update(parts)
        sure -= _NEVER_NAMES | _TITLES | IDENTITY_TERMS
        if not sure:
            return []
        covered_set = IntervalSet(covered)
        out = []
        li = 0
        for i, tok in enumerate(tokens):
            key = tok.text.casefold()
            if key not in sure:
                continue
            if covered_set.contains(tok.start) or self._facility_after(text, tokens, i):
                continue
            while li + 1 < len(lines) and lines[li].end < tok.start:
                li += 1
            caseless = lines[li].caseless if lines else False
            if lex.is_common_word(tok.text):
                nxt = tokens[i + 1].text.casefold() if i + 1 < len(tokens) else ""
                ok = (_is_title_case(tok.text) and (not _sentence_initial(text, tok.start) or tok.possessive
                      or nxt in _NAME_FOLLOWERS or (key in full_name_parts and nxt not in _NEVER_NAMES)))
                if i > 0 and tokens[i - 1].text.casefold() in ("the", "a", "an"):
                    ok = False
                ok = ok or (caseless and (self._context_cue(text, tokens, i)
                                          or key in full_name_parts and self._weak_cue(tokens, i)))
            else:
                ok = _is_title_case(tok.text) or caseless or tok.text.isupper()
            if ok:
                out.append(Span(tok.start, tok.end, "PERSON", "context", 0.8, tok.text))
        return out

    def _apply_allow(self, text: str, spans: list[Span]) -> list[Span]:
        if not self._allow:
            return spans
        zones = IntervalSet((m.start(), m.end()) for rx in self._allow for m in rx.finditer(text))
        if not zones:
            return spans
        return [s for s in spans if s.layer == "deny" or not zones.covers(s.start, s.end)]

    _PREFIX = re.compile(r"^[ \t]*([^\W\d_][\w'\u2019\-.]*(?:[ \t][^\W\d_][\w'\u2019\-.]*){0,4})[ \t]*(?:\(\d[\d:.]*\))?:[ \t]",
                         re.MULTILINE)

    def _speaker_prefixes(self, text: str) -> list[tuple[int, int]]:
        """``Name:`` at the start of a line, when no turn offsets are known (plain text, JSONL)."""
        out = []
        for m in self._PREFIX.finditer(text):
            words = m.group(1).split()
            if all(w[:1].isupper() or w.casefold() in ("van", "de", "der", "bin", "al", "el", "da", "du", "le") for w in words):
                out.append((m.start(1), m.end(1)))
        return out

    def _speaker_layer(self, text: str, offsets: Iterable[tuple[int, int]]) -> list[Span]:
        out = []
        for start, end in offsets:
            if start is None or end is None or end <= start:
                continue
            label = text[start:end]
            if re.fullmatch(r"\[?[A-Z]{1,4}\d{1,5}\]?", label.strip()):
                continue  # already a participant ID ("P03: ..."), not a name
            toks = tokenize(label)
            words = [t for t in toks if t.text.casefold() not in _ROLE_SPEAKERS and not t.text.isdigit()]
            if not words:
                continue
            # Keep only the name part (drop "(she/her)", "| Anytown" and the like).
            first, last = words[0], words[-1]
            for t in words:
                if t.text.casefold() in ("she", "her", "he", "him", "they", "them", "university", "anytown"):
                    last = t if t is first else last
            s, e = start + first.start, start + words[-1].end
            name = text[s:e]
            if any(w.text.casefold() in _TITLES for w in words[:1]) and len(words) > 1:
                s = start + words[1].start
                name = text[s:e]
            out.append(Span(s, e, "PERSON", "speakers", 1.0, name))
        return out

    def _roster_layer(self, text: str, tokens: Sequence[Token], lines: Sequence[_Line]) -> list[Span]:
        roster = self.roster
        lex = self.lexicon
        out: list[Span] = []
        keys = [t.text.casefold() for t in tokens]
        n = len(tokens)
        li = 0
        i = 0
        while i < n:
            key = keys[i]
            if key not in roster.first_tokens:
                i += 1
                continue
            while li + 1 < len(lines) and lines[li].end < tokens[i].start:
                li += 1
            caseless = lines[li].caseless if lines else False
            matched = False
            for k in range(min(roster.max_len, n - i), 0, -1):
                seq = tuple(keys[i:i + k])
                if seq not in roster.index:
                    continue
                # The parts must sit next to each other (space or hyphen between).
                if k > 1 and any(not re.fullmatch(r"[ \t\-]{1,2}|\u00a0", text[tokens[j].full_end:tokens[j + 1].start])
                                 or tokens[j].possessive for j in range(i, i + k - 1)):
                    continue
                first, last = tokens[i], tokens[i + k - 1]
                surface = text[first.start:last.end]
                if self._facility_after(text, tokens, i + k - 1):
                    continue  # "the Betty Campbell Centre" names a building, not the person
                if k == 1:
                    if not caseless and first.text.islower() and lex.is_common_word(first.text):
                        continue  # "we hope" in ordinary prose
                    conf = self._single_name_confidence(text, tokens, i, caseless, roster_hit=True)
                    if conf is None:
                        continue
                else:
                    conf = 1.0
                out.append(Span(first.start, last.end, "PERSON", "roster", conf, surface))
                i += k
                matched = True
                break
            if not matched:
                i += 1
        return out

    def _single_name_confidence(self, text: str, tokens: Sequence[Token], i: int, caseless: bool, *,
                                roster_hit: bool) -> float | None:
        """How sure a lone name-list word at ``tokens[i]`` is a name, or None if it is not."""
        lex = self.lexicon
        tok = tokens[i]
        word = tok.text
        common = lex.is_common_word(word)
        if not common:
            return 0.95 if roster_hit else 0.85
        # A name that is also a common word: look at how it is written and what surrounds it.
        cue = self._context_cue(text, tokens, i)
        if cue:
            return 0.9 if roster_hit else 0.8
        if i > 0 and tokens[i - 1].text.casefold() in ("the", "a", "an", "our", "your", "their"):
            return None  # "the King's speech", "a Bishop"
        if roster_hit and caseless and self._spoken_to(tokens, i):
            return 0.6  # "i spoke to hope about it" where Hope is in the cohort
        if caseless:
            return None
        if _is_title_case(word) or _is_caps(word) and not _is_caps(text[max(0, tok.start - 20):tok.start].strip() or "x"):
            if not _sentence_initial(text, tok.start):
                if word.casefold() in IDENTITY_TERMS:
                    return None
                return 0.75 if roster_hit else 0.6
            if tok.possessive or (i + 1 < len(tokens) and tokens[i + 1].text.casefold() in _NAME_FOLLOWERS):
                return 0.7 if roster_hit else 0.55
        return None

    def _context_cue(self, text: str, tokens: Sequence[Token], i: int) -> bool:
        """Whether words around ``tokens[i]`` announce a person's name."""
        tok = tokens[i]
        if i > 0:
            prev = tokens[i - 1]
            gap = text[prev.full_end:tok.start]
            p = prev.text.casefold()
            contraction = text[prev.end:prev.full_end].casefold().replace("\u2019", "'")
            if p == "i" and contraction == "'m" and len(gap) <= 2:
                # "I'm Victoria" yes, "I'm happy" no.
                return self.lexicon.is_name(tok.text) or not self.lexicon.is_word(tok.text)
            if len(gap) <= 3 and "\n" not in gap and not any(c in gap for c in ".!?;:"):
                if p in _STRONG_TITLES or p in _BEFORE_CUES and "," not in gap:
                    return True
                if p in _RELATIONS and i > 1 and tokens[i - 2].text.casefold() in ("my", "our", "his", "her", "their", "manager"):
                    return True
                if p in ("you", "is", "am") and i > 1 and tokens[i - 2].text.casefold() in ("thank", "name", "i", "this", "it's"):
                    return True
        if i + 1 < len(tokens):
            nxt = tokens[i + 1]
            gap = text[tok.full_end:nxt.start]
            if len(gap) <= 2 and "\n" not in gap and not any(c in gap for c in ".!?;:") and nxt.text.casefold() in _AFTER_CUES:
                return True
        return False

    @staticmethod
    def _facility_after(text: str, tokens: Sequence[Token], j: int) -> bool:
        """Whether capitalised words after ``tokens[j]`` end in a building or street word."""
        k = j + 1
        while k < len(tokens) and k <= j + 3 and not tokens[k - 1].possessive:
            w = tokens[k].text
            if not (w[:1].isupper() or w.isupper()) or not re.fullmatch(r"[ \t]{1,2}", text[tokens[k - 1].full_end:tokens[k].start]):
                return False
            if w.casefold() in _FACILITY_WORDS:
                return True
            k += 1
        return False

    @staticmethod
    def _place_cue(tokens: Sequence[Token], i: int) -> bool:
        if i == 0:
            return False
        p = tokens[i - 1].text.casefold()
        if p in ("in", "near", "around", "outside", "across", "towards"):
            return True
        return p == "from" and i > 1 and tokens[i - 2].text.casefold() in (
            "came", "come", "comes", "moved", "am", "is", "are", "was", "originally", "back", "flew", "travelled")

    @staticmethod
    def _before_facility(tokens: Sequence[Token], i: int) -> bool:
        """In caption text: "minh vu building", "mary seacole centre"."""
        for k in (1, 2):
            if i + k < len(tokens) and tokens[i + k].text.casefold() in _FACILITY_WORDS - {"chair", "day", "week", "month", "green", "hill"}:
                return True
        return False

    def _strong_cue(self, text: str, tokens: Sequence[Token], i: int) -> bool:
        """A title, "called", "named", "my manager" or "I'm" straight before ``tokens[i]``."""
        if i == 0:
            return False
        prev = tokens[i - 1]
        p = prev.text.casefold()
        if text[prev.end:prev.full_end].casefold().replace("\u2019", "'") == "'m" and p == "i":
            return True
        if p in _STRONG_TITLES or p in ("called", "named"):
            return True
        return p in _RELATIONS and i > 1 and tokens[i - 2].text.casefold() in ("my", "our", "his", "her", "their")

    @staticmethod
    def _spoken_to(tokens: Sequence[Token], i: int) -> bool:
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

    @staticmethod
    def _weak_cue(tokens: Sequence[Token], i: int) -> bool:
        """In caption text: "talking to tunde", "met with ngozi", "chidi said"."""
        before = {"to", "with", "and", "from", "for", "by", "ask", "asked", "tell", "told", "met", "meet", "me", "about"}
        if i > 0 and tokens[i - 1].text.casefold() in before:
            return True
        return i + 1 < len(tokens) and tokens[i + 1].text.casefold() in _NAME_FOLLOWERS

    def _name_layer(self, text: str, tokens: Sequence[Token], lines: Sequence[_Line]) -> list[Span]:
        lex = self.lexicon
        use_context = "context" in self.options.layers
        use_lexicon = "lexicon" in self.options.layers
        out: list[Span] = []
        n = len(tokens)
        li = 0
        cand: list[tuple[int, float, str]] = []  # (token index, confidence, layer)
        caseless_tokens: set[int] = set()
        for i, tok in enumerate(tokens):
            word = tok.text
            if len(word) < 2:
                continue
            while li + 1 < len(lines) and lines[li].end < tok.start:
                li += 1
            caseless = lines[li].caseless if lines else False
            key = word.casefold()
            if key in _NEVER_NAMES or tok.full_end > tok.end and not tok.possessive:
                continue  # pronouns and the like; contractions ("We've", "It'll")
            if key in _TITLES and not (i > 0 and tokens[i - 1].text.casefold() in _TITLES):
                continue
            if word[:1].isupper() and self._facility_after(text, tokens, i):
                continue  # "the Eoin Ó Murchú Building"
            cue = use_context and self._context_cue(text, tokens, i)
            titled = i > 0 and tokens[i - 1].text.casefold() in _STRONG_TITLES and tok.start - tokens[i - 1].full_end <= 2
            if caseless:
                caseless_tokens.add(i)
                if not (word.islower() or word.isupper()):
                    continue
                is_name = lex.is_name(word)
                common = lex.is_common_word(word)
                if self._before_facility(tokens, i) or key in IDENTITY_TERMS:
                    continue
                if is_name and common and self._strong_cue(text, tokens, i):
                    cand.append((i, 0.6, "context"))
                elif titled and not common:
                    cand.append((i, 0.85, "context"))
                elif cue and not common and (is_name or not lex.is_word(word)):
                    cand.append((i, 0.75, "context"))
                elif use_lexicon and is_name and not common and not lex.is_word(word) and len(word) > 2:
                    cand.append((i, 0.6, "lexicon"))
                elif use_context and len(word) > 3 and not is_name and not lex.is_word(word) and self._weak_cue(tokens, i):
                    cand.append((i, 0.55, "context"))
                elif use_lexicon and len(word) > 3 and word.replace("-", "").isalpha() and not is_name and not lex.is_word(word):
                    # A caption word no dictionary knows: often a name the captioner wrote in lower case.
                    cand.append((i, 0.5, "lexicon"))
                continue
            if not (_is_title_case(word) or (_is_caps(word) and len(word) > 2)):
                # Lower-case words in cased text are not names, except straight after a title.
                if titled and word[:1].islower() and not lex.is_common_word(word) and not lex.is_word(word):
                    cand.append((i, 0.7, "context"))
                continue
            if key in IDENTITY_TERMS or lex.is_known_proper(word):
                if titled:
                    cand.append((i, 0.8, "context"))
                continue
            if _is_caps(word):
                # Acronyms (NHS, BAME, EDI) far outnumber shouted names.
                if use_lexicon and lex.is_name(word) and not lex.is_word(word) and len(word) > 3:
                    cand.append((i, 0.55, "lexicon"))
                elif titled:
                    cand.append((i, 0.8, "context"))
                continue
            is_name = lex.is_name(word)
            is_word = lex.is_word(word)
            if titled:
                cand.append((i, 0.9, "context"))
            elif is_name and (use_lexicon or cue):
                conf = self._single_name_confidence(text, tokens, i, False, roster_hit=False)
                if conf is not None:
                    cand.append((i, conf, "context" if cue and lex.is_common_word(word) else "lexicon"))
            elif not is_word and use_lexicon:
                # A capitalised word no dictionary or gazetteer knows: most often a name,
                # unless it follows "in", "near" or "came from" (a place: "grew up in Handsworth").
                if not cue and not tok.possessive and self._place_cue(tokens, i):
                    # "in Handsworth" or "loop in Olamide": below the review threshold either way, so a
                    # researcher decides, and it is replaced until they do.
                    cand.append((i, 0.45, "lexicon"))
                    continue
                conf = 0.8 if cue else 0.7
                cand.append((i, conf, "lexicon"))
            elif cue and not _sentence_initial(text, tok.start):
                cand.append((i, 0.6, "context"))
        # Runs of capitalised words: a building, street or organisation named after a
        # person is not a person; a title phrase of ordinary words is not either.
        chosen = {i: (c, layer) for i, c, layer in cand}
        i = 0
        while i < n:
            if not _is_title_case(tokens[i].text) and not (i in chosen):
                i += 1
                continue
            j = i
            while j + 1 < n and (_is_title_case(tokens[j + 1].text) or tokens[j + 1].text.casefold() in ("of", "the", "de", "van", "von", "bin", "al", "el", "da", "du", "le", "la", "ó", "ní", "nic", "uí", "mac")
                                 or (len(tokens[j + 1].text) == 1 and tokens[j + 1].text.isupper()))\
                    and re.fullmatch(r"[ \t\-]{1,2}", text[tokens[j].full_end:tokens[j + 1].start]) and not tokens[j].possessive:
                j += 1
            run = range(i, j + 1)
            last = tokens[j].text.casefold()
            if j > i and last in _FACILITY_WORDS and any(
                    k in chosen or lex.is_name(tokens[k].text) or not lex.is_word(tokens[k].text) for k in range(i, j)):
                for k in run:
                    chosen.pop(k, None)
                if "LOCATION" in self.options.labels or "ORG" in self.options.labels:
                    label = "LOCATION" if last in _FACILITY_WORDS else "ORG"
                    out.append(Span(tokens[i].start, tokens[j].end, label, "context", 0.7, text[tokens[i].start:tokens[j].end]))
            elif j > i:
                # Ordinary non-name words in the run ("Race Equality Charter") mark a title phrase:
                # drop weak name-word guesses inside it, keep strong names.
                skip_first = _sentence_initial(text, tokens[i].start)
                plain = [k for k in run if k not in chosen and lex.is_word(tokens[k].text)
                         and not (k == i and skip_first)
                         and not lex.is_name(tokens[k].text) and tokens[k].text.casefold() not in ("of", "the")]
                if (j == i + 1 and i not in chosen and chosen.get(j, (0,))[0] >= 0.7 and not skip_first
                        and not lex.is_known_proper(tokens[i].text) and tokens[i].text.casefold() not in IDENTITY_TERMS
                        and tokens[i].text.casefold() not in _NEVER_NAMES and tokens[i].text.casefold() not in _TITLES):
                    # A capitalised word right before a surname is a given name ("Hyacinth Thompson").
                    chosen[i] = (0.65, "lexicon")
                elif plain:
                    for k in run:
                        if k in chosen and chosen[k][0] < 0.7:
                            chosen.pop(k)
                else:
                    # Capitalised neighbours of a confident name are part of it ("Grace Young").
                    if any(k in chosen and chosen[k][0] >= 0.7 for k in run):
                        for k in run:
                            w = tokens[k].text
                            if k not in chosen and lex.is_name(w) and w.casefold() not in IDENTITY_TERMS:
                                chosen[k] = (0.7, "lexicon")
            i = j + 1
        # Caption text: name-list neighbours of a found name are part of it ("victoria hale").
        for k in sorted(chosen):
            if k not in caseless_tokens or chosen[k][0] < 0.6:
                continue
            for nb in (k - 1, k + 1):
                if 0 <= nb < n and nb not in chosen and nb in caseless_tokens:
                    lo, hi = min(k, nb), max(k, nb)
                    w = tokens[nb].text
                    # A surname after a given name may be a common word ("victoria hale"); a word
                    # before a name must not be ("put akosua").
                    if nb > k:  # a surname may be a common word ("victoria hale") or in no list
                        fits = lex.is_name(w) or not lex.is_word(w)
                    else:  # before a name: a given name ("blessing mensah"), not "put akosua"
                        fits = lex.is_given_name(w) or not lex.is_word(w)
                    fits = fits and w.casefold() not in _NAME_FOLLOWERS and w.casefold() not in _BEFORE_CUES
                    if (re.fullmatch(r"[ \t\-]", text[tokens[lo].full_end:tokens[hi].start]) and not tokens[lo].possessive
                            and w.casefold() not in _NEVER_NAMES and fits and len(w) > 1):
                        chosen[nb] = (0.6, "lexicon")
        self._coordinated_names(text, tokens, chosen, caseless_tokens)
        for k, (conf, layer) in chosen.items():
            t = tokens[k]
            out.append(Span(t.start, t.end, "PERSON", layer, conf, t.text))
        return out

    def _coordinated_names(self, text: str, tokens: Sequence[Token], chosen: dict, caseless: set) -> None:
        """Names in a list: "Aisha, Bola and Chen". A capitalised word joined by a comma, "and", "&" or
        "or" to a confidently found name is taken as a name too (to review: confidence 0.6), unless it is a
        known place or organisation, an identity term or a title."""
        lex = self.lexicon
        n = len(tokens)
        joiners = ("and", "&", "or")

        def linked(a: int, b: int) -> bool:  # tokens a < b are adjacent list items
            gap = text[tokens[a].full_end:tokens[b].start]
            return gap.strip() == "," and "\n" not in gap

        def candidates(k: int):
            if k + 1 < n and linked(k, k + 1):
                yield k + 1
            if k + 2 < n and tokens[k + 1].text.casefold() in joiners and not tokens[k].possessive \
                    and text[tokens[k].full_end:tokens[k + 1].start].strip() in ("", ","):
                yield k + 2
            if k - 1 >= 0 and linked(k - 1, k):
                yield k - 1
            if k - 2 >= 0 and tokens[k - 1].text.casefold() in joiners \
                    and text[tokens[k - 2].full_end:tokens[k - 1].start].strip() in ("", ","):
                yield k - 2

        queue = [k for k, (conf, _) in chosen.items() if conf >= 0.7 and k not in caseless]
        while queue:
            k = queue.pop()
            for c in candidates(k):
                w = tokens[c].text
                key = w.casefold()
                if (c in chosen or c in caseless or not _is_title_case(w) or len(w) < 2
                        or _sentence_initial(text, tokens[c].start) or key in IDENTITY_TERMS
                        or key in _NEVER_NAMES or key in _TITLES or lex.is_known_proper(w)):
                    continue
                chosen[c] = (0.6, "context")

    def _nltk_layer(self, text: str) -> list[Span]:
        import nltk

        out = []
        tokens = tokenize(text)
        if not tokens:
            return out
        words = [t.text for t in tokens]
        tree = nltk.ne_chunk(nltk.pos_tag(words))
        i = 0
        for node in tree:
            if hasattr(node, "label"):
                size = len(node)
                first, last = tokens[i], tokens[i + size - 1]
                label = {"PERSON": "PERSON", "GPE": "LOCATION", "LOCATION": "LOCATION", "FACILITY": "LOCATION",
                         "ORGANIZATION": "ORG"}.get(node.label())
                if label:
                    out.append(Span(first.start, last.end, label, "nltk", 0.6, text[first.start:last.end]))
                i += size
            else:
                i += 1
        return out
