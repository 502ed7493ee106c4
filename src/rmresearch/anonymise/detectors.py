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
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from .cues import (
    NAME_FOLLOWERS,
    NEVER_NAMES,
    TITLES,
    Confidence,
    Token,
    facility_after,
    is_title_case,
    sentence_initial,
    tokenize,
    weak_cue,
)
from .introductions import introduced_spans, surname_like, word_names
from .indirect import find_indirect, merge_indirect
from .lexicon import IDENTITY_TERMS, Lexicon, get_lexicon
from .namecues import ACRONYMS, predicate_follows, title_phrase
from .names import Line, NameLayers, split_lines
from .patterns import CUED_ID_LABELS, PATTERN_LABELS, compile_identifiers, find_patterns
from .roster import Roster
from .spans import INDIRECT_LABELS, IntervalSet, Span, merge_spans
from .speakers import speaker_prefixes, speaker_spans

__all__ = ["Detector", "DetectorOptions", "tokenize", "Token", "Confidence", "nltk_available", "DEFAULT_ALLOW"]


#: Phrases never replaced unless configured otherwise (names of movements, awards, job titles).
DEFAULT_ALLOW = (
    "Black Lives Matter", "Race Equality Charter", "Athena Swan", "Athena SWAN", "Black History Month",
    "Windrush", "Vice-Chancellor", "Vice Chancellor", "Pro Vice-Chancellor", "Pro-Vice-Chancellor",
    "Deputy Vice-Chancellor", "Head of Department", "Head of School", "Dean", "Registrar",
    "Equality, Diversity and Inclusion", "Office for Students", "Advance HE", "Stephen Lawrence Day",
    "Martin Luther King Day",
)



_GUESSED_LAYERS = frozenset(("lexicon", "context", "nltk"))
_FIELD_CONNECTOR = re.compile(r"(?:^|\s)(?:of|for|in|and|&)\s+$", re.IGNORECASE)


def _without_role_fields(text: str, spans: list[Span], indirect: Sequence[Span]) -> list[Span]:
    """Drop name guesses that are the field of a title or unit ("Dean of Law", "PVC for Education", "School of
    Pharmacy": the capitalised field word after "of"/"for" is no surname) or the eponym of a health condition
    ("Crohn's disease"). Roster, speaker and deny spans stay.

    >>> roles = [Span(4, 15, "ROLE", "indirect", 0.6, "Dean of Law")]
    >>> guess = Span(12, 15, "PERSON", "lexicon", 0.6, "Law")
    >>> _without_role_fields("the Dean of Law said", [guess], roles)
    []
    """
    frames = [(s.start, s.end) for s in indirect if s.label in ("ROLE", "UNIT")]
    # A condition named after a person is no person ("Crohn's disease", "Ehlers-Danlos syndrome").
    conditions = [(s.start, s.end) for s in indirect if s.kind == "health"]
    if not frames and not conditions:
        return spans
    out = []
    for s in spans:
        if s.label == "PERSON" and s.layer in _GUESSED_LAYERS and (any(
                a < s.start and s.end <= b and _FIELD_CONNECTOR.search(text, a, s.start) for a, b in frames)
                or any(a <= s.start and s.end < b for a, b in conditions)):
            continue
        out.append(s)
    return out


_NLTK_RESOURCES = ("taggers/averaged_perceptron_tagger_eng", "chunkers/maxent_ne_chunker_tab", "corpora/words")


def _nltk_data_dirs() -> list[Path]:
    """The folders ``nltk.data.path`` searches by default (NLTK_DATA, ~/nltk_data, under sys.prefix, /usr/...)."""
    dirs = [Path(d) for d in os.environ.get("NLTK_DATA", "").split(os.pathsep) if d]
    dirs.append(Path.home() / "nltk_data")
    prefix = Path(sys.prefix)
    dirs += [prefix / "nltk_data", prefix / "share" / "nltk_data", prefix / "lib" / "nltk_data"]
    if sys.platform.startswith("win"):
        dirs += [Path(os.environ.get("APPDATA", "C:\\")) / "nltk_data"] + [Path(f"{d}:/nltk_data") for d in "CDE"]
    else:
        dirs += [Path(p) for p in ("/usr/share/nltk_data", "/usr/local/share/nltk_data", "/usr/lib/nltk_data",
                                   "/usr/local/lib/nltk_data")]
    return dirs


@functools.lru_cache(maxsize=1)
def nltk_available() -> bool:
    """Whether NLTK's POS tagger and NE chunker data are installed."""
    # Importing nltk loads scipy.stats (seconds): look for the data first, and import nltk only when it may be there.
    dirs = _nltk_data_dirs()
    if not all(any((d / r).exists() or (d / f"{r}.zip").exists() for d in dirs) for r in _NLTK_RESOURCES):
        return False
    try:
        import nltk

        for resource in _NLTK_RESOURCES:
            nltk.data.find(resource)
        return True
    except (LookupError, ImportError, OSError):
        return False


@dataclass
class DetectorOptions:
    """What to detect. Read from ``options["anonymise"]`` by :meth:`from_config`.

    Keys (all optional): ``layers`` (list: roster, patterns, speakers, context,
    lexicon, nltk, indirect), ``labels`` (extra labels: LOCATION, ORG), ``allow`` and
    ``deny`` (lists of phrases; a deny item may be ``{text: ..., label: ...}``),
    ``identifiers`` (top-level ``options["identifiers"]``: name -> regex).
    """

    layers: tuple[str, ...] = ("roster", "patterns", "speakers", "context", "lexicon", "nltk", "indirect")
    labels: tuple[str, ...] = ()
    allow: tuple[str, ...] = DEFAULT_ALLOW
    deny: tuple[tuple[str, str], ...] = ()
    identifiers: Mapping[str, str] = field(default_factory=dict)


class Detector(NameLayers):
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
        self._word_names = word_names(roster, self.lexicon)  # "i'm favour", "hi joy": introductions.py

    # ------------------------------------------------------------------ public
    def detect(self, text: str, *, speaker_offsets: Iterable[tuple[int, int]] = (), merge: bool = True,
               own_names: Iterable[str] = ()) -> list[Span]:
        """Spans of identifiers in ``text``, overlaps resolved (see :func:`merge_spans`).

        ``speaker_offsets`` are the ``(speaker_start, speaker_end)`` of a transcript's turns, used by the
        ``speakers`` layer; ``own_names`` the first names of the file's own interviewee and interviewer.
        """
        layers = self.options.layers
        tokens = tokenize(text)
        spans: list[Span] = []
        if "patterns" in layers:
            spans += find_patterns(text, identifiers=self.identifiers, labels=PATTERN_LABELS)
        pattern_zones = IntervalSet((s.start, s.end) for s in spans)
        lines = split_lines(text, tokens)
        if self.roster is not None and "roster" in layers:
            spans += self._roster_layer(text, tokens, lines)
        if "roster" in layers and (self._word_names or own_names):
            spans += introduced_spans(text, tokens, self._word_names, own=own_names, name_word=surname_like(self.lexicon))
        if "speakers" in layers:
            offsets = list(speaker_offsets) or self._speaker_prefixes(text)
            spans += self._speaker_layer(text, offsets)
        if "context" in layers or "lexicon" in layers:
            spans += self._name_layer(text, tokens, lines)
        if self._use_nltk:
            spans += self._nltk_layer(text)
        for rx, label in self._deny:
            spans += [Span(m.start(), m.end(), label, "deny", Confidence.CERTAIN, m.group()) for m in rx.finditer(text)]
        # Words inside an e-mail or URL belong to that identifier.
        if pattern_zones:
            spans = [s for s in spans if s.layer in ("patterns", "deny") or not pattern_zones.covers(s.start, s.end)]
        allowed = self._allow_zones(text)
        spans = self._apply_allow(text, spans, allowed)
        if "context" in layers or "lexicon" in layers:
            spans += self._propagate(text, tokens, lines, spans)
            spans = self._apply_allow(text, spans, allowed)
        spans = [s for s in spans if s.label in PATTERN_LABELS or s.label in CUED_ID_LABELS or s.label == "PERSON"
                 or s.label in self.identifiers or s.label in self.options.labels or s.layer == "deny"
                 or s.label in INDIRECT_LABELS]
        # Indirect identifiers (indirect.py) come after the allow filter ("the Dean" is allowed as a name but
        # flagged as a ROLE) and are merged apart: they never remove a name, an e-mail or a number.
        indirect = find_indirect(text, tokens, roster=self.roster, lexicon=self.lexicon) if "indirect" in layers else []
        if indirect:
            spans = _without_role_fields(text, spans, indirect)
        if not merge:
            return spans + indirect
        return merge_indirect(merge_spans(spans, text), indirect) if indirect else merge_spans(spans, text)

    # ------------------------------------------------------------------ layers
    def _propagate(self, text: str, tokens: Sequence[Token], lines: Sequence[Line], spans: list[Span]) -> list[Span]:
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
            if s.confidence >= Confidence.CONFIDENT:
                parts = [t.text.casefold() for t in tokenize(s.text) if len(t.text) > 1]
                sure.update(parts)
                if len(parts) > 1 and s.confidence >= Confidence.FULL_NAME:
                    full_name_parts.update(parts)
        sure -= NEVER_NAMES | TITLES | IDENTITY_TERMS
        if not sure:
            return []
        covered_set = IntervalSet(covered)
        out = []
        li = 0
        for i, tok in enumerate(tokens):
            key = tok.text.casefold()
            if key not in sure:
                continue
            if covered_set.contains(tok.start) or facility_after(text, tokens, i):
                continue
            while li + 1 < len(lines) and lines[li].end < tok.start:
                li += 1
            caseless = lines[li].caseless if lines else False
            if lex.is_common_word(tok.text):
                nxt = tokens[i + 1].text.casefold() if i + 1 < len(tokens) else ""
                initial = sentence_initial(text, tok.start)
                # At a sentence start a verb must follow ("Young said", not "Young people"); nowhere a title
                # phrase ("Staying Power" after Suresh Power was found).
                ok = (is_title_case(tok.text) and (not initial or tok.possessive or nxt in NAME_FOLLOWERS
                                                   or key in full_name_parts and predicate_follows(text, tokens, i, lex))
                      and not title_phrase(text, tokens, i, lex, sentence_start=initial))
                if i > 0 and tokens[i - 1].text.casefold() in ("the", "a", "an"):
                    ok = False
                ok = ok or (caseless and (self._context_cue(text, tokens, i)
                                          or key in full_name_parts and weak_cue(tokens, i)))
                # Initials found as a speaker label or a name ("RT:"), written so again ("ask RT").
                ok = ok or tok.text.isupper() and len(tok.text) <= 3 and tok.text not in ACRONYMS
            else:
                ok = is_title_case(tok.text) or caseless or tok.text.isupper()
            if ok:
                out.append(Span(tok.start, tok.end, "PERSON", "context", Confidence.PROPAGATED, tok.text))
        return out

    def _allow_zones(self, text: str) -> IntervalSet:
        """Where the allow list's phrases are in ``text`` (searched once per text)."""
        return IntervalSet((m.start(), m.end()) for rx in self._allow for m in rx.finditer(text))

    def _apply_allow(self, text: str, spans: list[Span], zones: IntervalSet | None = None) -> list[Span]:
        if not self._allow:
            return spans
        zones = self._allow_zones(text) if zones is None else zones
        if not zones:
            return spans
        return [s for s in spans if s.layer == "deny" or not zones.covers(s.start, s.end)]

    def _speaker_prefixes(self, text: str) -> list[tuple[int, int]]:
        """``Name:`` at the start of a line, when no turn offsets are known (see :func:`.speakers.speaker_prefixes`)."""
        return speaker_prefixes(text)

    def _speaker_layer(self, text: str, offsets: Iterable[tuple[int, int]]) -> list[Span]:
        return speaker_spans(text, offsets)

    def _roster_layer(self, text: str, tokens: Sequence[Token], lines: Sequence[Line]) -> list[Span]:
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
                if facility_after(text, tokens, i + k - 1):
                    continue  # "the Betty Campbell Centre" names a building, not the person
                if k == 1:
                    if not caseless and first.text.islower() and lex.is_common_word(first.text):
                        continue  # "we hope" in ordinary prose
                    conf = self._single_name_confidence(text, tokens, i, caseless, roster_hit=True)
                    if conf is None:
                        continue
                else:
                    conf = Confidence.CERTAIN
                out.append(Span(first.start, last.end, "PERSON", "roster", conf, surface))
                i += k
                matched = True
                break
            if not matched:
                i += 1
        return out


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
                    out.append(Span(first.start, last.end, label, "nltk", Confidence.NLTK, text[first.start:last.end]))
                i += size
            else:
                i += 1
        return out
