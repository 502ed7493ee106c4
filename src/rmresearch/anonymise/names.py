"""The name layers: the ``context`` and ``lexicon`` layers of :class:`~rmresearch.anonymise.detectors.Detector`.

:class:`NameLayers` is the part of the detector that judges a lone word: is it written as a name (capitals, a
title before it, "said" after it), is it caption text where capitals carry no information, is it a list item
beside a found name. :func:`split_lines` tells which lines of a text are written without meaningful capitals.
The detector mixes :class:`NameLayers` in; its methods read ``self.lexicon`` and ``self.options.layers``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .cues import (
    AFTER_CUES,
    BEFORE_CUES,
    FACILITY_WORDS,
    HONORIFICS,
    NAME_FOLLOWERS,
    NEVER_NAMES,
    RELATIONS,
    STRONG_TITLES,
    TITLES,
    Confidence,
    Token,
    before_facility,
    facility_after,
    is_caps,
    is_title_case,
    place_cue,
    run_end,
    sentence_initial,
    spoken_to,
    strong_cue,
    weak_cue,
)
from .introductions import ADJECTIVE_NAMES
from .lexicon import IDENTITY_TERMS
from .namecues import (HONORIFIC_PHRASES, clause_start, from_unit, initials_spans, list_linked, predicate_follows,
                       title_phrase)
from .spans import Span

__all__ = ["NameLayers", "Line", "split_lines"]

@dataclass(frozen=True)
class Line:
    start: int
    end: int
    caseless: bool  # lower-case captions or ALL CAPS: capitals carry no information


_TITLE_GAP = re.compile(r"\.?[ \t]{1,2}")


def _case_counts(words: list[str]) -> tuple[int, int, int]:
    """(letters, capitalised, all-caps) counts of a line's words ("I" and one-letter words aside)."""
    letters = [w for w in words if len(w) > 1 or w.isalpha() and w != "I"]
    upper = sum(1 for w in letters if w[0].isupper() and w not in ("I", "I'm"))
    return len(letters), upper, sum(1 for w in letters if w.isupper())


def _caseless(letters: int, upper: int, caps: int) -> bool:
    # Prose capitalises sentence starts (a few per cent of words); captions none.
    return upper / letters < 0.015 or caps / letters > 0.8


def split_lines(text: str, tokens: Sequence[Token]) -> list[Line]:
    """Split into lines and tell which are written without meaningful capitals.

    A line of six words or more is judged by itself; a shorter one ("and ishrat organised it") takes the
    judgement of the whole text when it has no capitalised word of its own.

    >>> text = "SPEAKER_00: tell me about the visit to the temple\\nSPEAKER_01: and anhad organised it"
    >>> from rmresearch.anonymise.cues import tokenize
    >>> [line.caseless for line in split_lines(text, tokenize(text))]
    [True, True]
    """
    counts = []
    pos = 0
    ti = 0
    for line in text.split("\n"):
        end = pos + len(line)
        # Skip a "Speaker:" prefix (a few words, no list) when judging the case of the spoken text.
        body_start = pos
        colon = line.find(": ")
        if 0 < colon < 60 and "," not in line[:colon] and len(line[:colon].split()) <= 5:
            body_start = pos + colon + 2
        words = []
        while ti < len(tokens) and tokens[ti].start < end:
            if tokens[ti].start >= body_start:
                words.append(tokens[ti].text)
            ti += 1
        counts.append((pos, end, _case_counts(words)))
        pos = end + 1
    total = [sum(c[2][k] for c in counts) for k in range(3)]
    whole = total[0] >= 6 and _caseless(*total)
    out = []
    for start, end, (letters, upper, caps) in counts:
        caseless = _caseless(letters, upper, caps) if letters >= 6 else whole and letters > 0 and upper == 0
        out.append(Line(start, end, caseless))
    return out


class NameLayers:
    """The ``context`` and ``lexicon`` name layers, mixed into the detector (needs ``self.lexicon`` and
    ``self.options``)."""

    def _single_name_confidence(self, text: str, tokens: Sequence[Token], i: int, caseless: bool, *,
                                roster_hit: bool) -> float | None:
        """How sure a lone name-list word at ``tokens[i]`` is a name, or None if it is not."""
        lex = self.lexicon
        tok = tokens[i]
        word = tok.text
        if roster_hit and not caseless and word.islower() and lex.is_common_word(word):
            return None  # "sunny days", "amber light": in text with capitals a name is written with one
        # (a rare dictionary word - "tyrone", a proper noun there - typed in lower case is the cohort member's name)
        # "Sunny", "Precious": given names that are adjectives first count as words here.
        if not (lex.is_common_word(word) or word.casefold() in ADJECTIVE_NAMES):
            return Confidence.ROSTER_NOT_A_WORD if roster_hit else Confidence.LIST_NOT_A_WORD
        # A name that is also a common word: look at how it is written and what surrounds it.
        if self._context_cue(text, tokens, i):
            return Confidence.ROSTER_WORD_CUED if roster_hit else Confidence.LIST_WORD_CUED
        if i > 0 and tokens[i - 1].text.casefold() in ("the", "a", "an", "our", "your", "their"):
            return None  # "the King's speech", "a Bishop"
        if (roster_hit or not caseless) and from_unit(text, tokens, i, caseless=caseless):
            return Confidence.ROSTER_WORD_CUED if roster_hit else Confidence.LIST_WORD_CUED  # "Gift from Finance"
        if caseless:
            return self._caption_roster_word(text, tokens, i) if roster_hit else None
        if is_title_case(word) or is_caps(word) and not is_caps(text[max(0, tok.start - 20):tok.start].strip() or "x"):
            initial = sentence_initial(text, tok.start)
            if roster_hit and title_phrase(text, tokens, i, lex, sentence_start=initial):
                return None  # the book "Staying Power", not Ms Power
            if not initial:
                if word.casefold() in IDENTITY_TERMS:
                    return None
                return Confidence.ROSTER_WORD_CAPITALISED if roster_hit else Confidence.LIST_WORD_CAPITALISED
            if tok.possessive or predicate_follows(text, tokens, i, lex):  # "Joy phoned me", "Hope's idea"
                return Confidence.ROSTER_WORD_SENTENCE_START if roster_hit else Confidence.LIST_WORD_SENTENCE_START
            if roster_hit and any(is_title_case(tokens[k].text) and (tokens[k].text.casefold(),) in self.roster.index
                                  for k in list_linked(text, tokens, i)):
                return Confidence.ROSTER_WORD_LIST_ITEM  # "Joy, Hope and I", two of the cohort
        return None

    def _caption_roster_word(self, text: str, tokens: Sequence[Token], i: int) -> float | None:
        """A roster name that is a common word in caption text: after "spoke to", as the subject of a clause
        ("so joy phoned me"), or in a list with another name ("me, joy and tunde")."""
        if spoken_to(tokens, i) and not re.search(r"[,.;:!?]", text[tokens[i - 1].full_end:tokens[i].start]):
            return Confidence.ROSTER_WORD_SPOKEN_TO  # "i spoke to hope about it"; not "thanks, hope that's ok"
        if clause_start(text, tokens, i) and predicate_follows(text, tokens, i, self.lexicon):
            return Confidence.ROSTER_WORD_SPOKEN_TO
        lex = self.lexicon
        for k in list_linked(text, tokens, i):
            w = tokens[k].text
            in_roster = self.roster is not None and (w.casefold(),) in self.roster.index
            if not lex.is_word(w) and (lex.is_name(w) or in_roster):
                return Confidence.ROSTER_WORD_LIST_ITEM  # "me, joy and tunde"
            if in_roster and predicate_follows(text, tokens, max(i, k), lex) and clause_start(text, tokens, min(i, k)):
                return Confidence.ROSTER_WORD_LIST_ITEM  # "so will and mark both said"
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
                if p in STRONG_TITLES and (p not in HONORIFICS or self._titled(text, tokens, i)):
                    return True
                if p in BEFORE_CUES and "," not in gap:
                    return True
                if p in RELATIONS and i > 1 and tokens[i - 2].text.casefold() in ("my", "our", "his", "her", "their", "manager"):
                    return True
                if p in ("you", "is", "am") and i > 1 and tokens[i - 2].text.casefold() in ("thank", "name", "i", "this", "it's"):
                    return True
        if i + 1 < len(tokens):
            nxt = tokens[i + 1]
            gap = text[tok.full_end:nxt.start]
            if len(gap) <= 2 and "\n" not in gap and not any(c in gap for c in ".!?;:") and nxt.text.casefold() in AFTER_CUES:
                return True
        return False

    def _name_layer(self, text: str, tokens: Sequence[Token], lines: Sequence[Line]) -> list[Span]:
        """The ``context`` and ``lexicon`` layers, in four steps: candidate words one by one, runs of
        capitalised words, caption neighbours, list items (``"Aisha, Bola and Chen"``)."""
        chosen, caseless = self._name_candidates(text, tokens, lines)
        out = self._capitalised_runs(text, tokens, chosen)
        self._caption_neighbours(text, tokens, chosen, caseless)
        self._coordinated_names(text, tokens, chosen, caseless)
        for k, (conf, layer) in chosen.items():
            t = tokens[k]
            out.append(Span(t.start, t.end, "PERSON", layer, conf, t.text))
        if "context" in self.options.layers:
            out += initials_spans(text, tokens, self.lexicon, skip=caseless)  # "Dr B", "call me KO", "(DC)"
        return out

    def _name_candidates(self, text: str, tokens: Sequence[Token],
                         lines: Sequence[Line]) -> tuple[dict[int, tuple[float, str]], set[int]]:
        """``{token index: (confidence, layer)}`` of the words that may be names, and which tokens are caption text."""
        use_context = "context" in self.options.layers
        chosen: dict[int, tuple[float, str]] = {}
        caseless_tokens: set[int] = set()
        li = 0
        n_lines = len(lines)
        for i, tok in enumerate(tokens):
            word = tok.text
            if len(word) < 2:
                continue
            while li + 1 < n_lines and lines[li].end < tok.start:
                li += 1
            if word.islower() and not (n_lines and lines[li].caseless) and (
                    i == 0 or tokens[i - 1].text.casefold() not in STRONG_TITLES):
                continue  # most words: lower case in cased text, no title before: never a candidate (as below)
            key = word.casefold()
            if key in NEVER_NAMES and word != "Will" or tok.full_end > tok.end and not tok.possessive:
                continue  # pronouns and the like; contractions ("We've", "It'll"); "Will" may name someone
            if key in TITLES and not (i > 0 and tokens[i - 1].text.casefold() in TITLES):
                continue
            if key in HONORIFICS and i + 1 < len(tokens) and self._titled(text, tokens, i + 1):
                continue  # "Deacon" in "Deacon Peace" announces the name
            if word[:1].isupper() and facility_after(text, tokens, i):
                continue  # "the Eoin Ó Murchú Building"
            caseless_line = bool(lines) and lines[li].caseless
            titled = self._titled(text, tokens, i)
            if not caseless_line and word.islower() and not titled:
                continue  # lower-case words in cased text are names only after a title (_cased_candidate)
            cue = use_context and self._context_cue(text, tokens, i)
            if caseless_line:
                caseless_tokens.add(i)
                found = self._caption_candidate(text, tokens, i, cue=cue, titled=titled)
            else:
                found = self._cased_candidate(text, tokens, i, cue=cue, titled=titled)
            if found is not None:
                chosen[i] = found
        return chosen, caseless_tokens

    def _titled(self, text: str, tokens: Sequence[Token], i: int) -> bool:
        """Whether a title or an honorific stands right before ``tokens[i]`` ("Dr Young", "Sister Grace"). After
        a church or family honorific only a name-list word or a word no dictionary knows is taken ("Father
        Christmas", "Big Brother Watch" are not people)."""
        if i == 0 or tokens[i - 1].text.casefold() not in STRONG_TITLES:
            return False
        if not _TITLE_GAP.fullmatch(text, tokens[i - 1].full_end, tokens[i].start):
            return False
        prev = tokens[i - 1].text.casefold()
        if prev not in HONORIFICS or prev in ("pastor", "auntie", "aunty"):
            return True
        word = tokens[i].text
        return (word.casefold() not in HONORIFIC_PHRASES and not self.lexicon.is_known_proper(word)
                and (self.lexicon.is_name(word) or not self.lexicon.is_word(word)))

    def _caption_candidate(self, text: str, tokens: Sequence[Token], i: int, *, cue: bool,
                           titled: bool) -> tuple[float, str] | None:
        """(confidence, layer) of a word in caption text (no meaningful capitals), or None."""
        lex = self.lexicon
        use_context = "context" in self.options.layers
        use_lexicon = "lexicon" in self.options.layers
        word = tokens[i].text
        if not (word.islower() or word.isupper()):
            return None
        is_name = lex.is_name(word)
        common = lex.is_common_word(word)
        if before_facility(tokens, i) or word.casefold() in IDENTITY_TERMS:
            return None
        if is_name and common and strong_cue(text, tokens, i):
            return Confidence.CAPTION_NAME_WORD_STRONG_CUE, "context"
        if titled and not common:
            return Confidence.CAPTION_AFTER_TITLE, "context"
        if cue and not common and (is_name or not lex.is_word(word)):
            return Confidence.CAPTION_CUED, "context"
        if use_lexicon and is_name and not common and not lex.is_word(word) and len(word) > 2:
            return Confidence.CAPTION_NAME_LIST, "lexicon"
        if use_context and len(word) > 3 and not is_name and not lex.is_word(word) and weak_cue(tokens, i):
            return Confidence.CAPTION_UNKNOWN_WEAK_CUE, "context"
        if use_lexicon and len(word) > 3 and word.replace("-", "").isalpha() and not is_name and not lex.is_word(word):
            # A caption word no dictionary knows: often a name the captioner wrote in lower case.
            return Confidence.CAPTION_UNKNOWN, "lexicon"
        return None

    def _cased_candidate(self, text: str, tokens: Sequence[Token], i: int, *, cue: bool,
                         titled: bool) -> tuple[float, str] | None:
        """(confidence, layer) of a word in text written with capitals, or None."""
        lex = self.lexicon
        use_lexicon = "lexicon" in self.options.layers
        tok = tokens[i]
        word = tok.text
        if not (is_title_case(word) or (is_caps(word) and len(word) > 2)):
            # Lower-case words in cased text are not names, except straight after a title.
            if titled and word[:1].islower() and not lex.is_common_word(word) and not lex.is_word(word):
                return Confidence.LOWERCASE_AFTER_TITLE, "context"
            return None
        if word.casefold() in IDENTITY_TERMS or lex.is_known_proper(word):
            return (Confidence.CAPS_OR_KNOWN_AFTER_TITLE, "context") if titled else None
        if is_caps(word):
            # Acronyms (NHS, BAME, EDI) far outnumber shouted names.
            if use_lexicon and lex.is_name(word) and not lex.is_word(word) and len(word) > 3:
                return Confidence.CAPS_NAME, "lexicon"
            return (Confidence.CAPS_OR_KNOWN_AFTER_TITLE, "context") if titled else None
        if titled:
            return Confidence.AFTER_TITLE, "context"
        if lex.is_name(word) and (use_lexicon or cue):
            conf = self._single_name_confidence(text, tokens, i, False, roster_hit=False)
            if conf is None:
                return None
            return conf, ("context" if cue and lex.is_common_word(word) else "lexicon")
        if not lex.is_word(word) and use_lexicon:
            # A capitalised word no dictionary or gazetteer knows: most often a name,
            # unless it follows "in", "near" or "came from" (a place: "grew up in Handsworth").
            if not cue and not tok.possessive and place_cue(tokens, i):
                # "in Handsworth" or "loop in Olamide": below the review threshold either way, so a
                # researcher decides, and it is replaced until they do.
                return Confidence.UNKNOWN_AFTER_PLACE_CUE, "lexicon"
            return (Confidence.UNKNOWN_CUED if cue else Confidence.UNKNOWN_CAPITALISED), "lexicon"
        if cue and not sentence_initial(text, tok.start):
            return Confidence.CUED_WORD, "context"
        return None

    def _capitalised_runs(self, text: str, tokens: Sequence[Token], chosen: dict[int, tuple[float, str]]) -> list[Span]:
        """Runs of capitalised words: a building, street or organisation named after a person is not a person
        (a LOCATION span, kept when LOCATION or ORG is asked for); a title phrase of ordinary words is not
        either. Updates ``chosen`` and returns the LOCATION spans."""
        lex = self.lexicon
        out: list[Span] = []
        n = len(tokens)
        i = 0
        while i < n:
            if not is_title_case(tokens[i].text) and i not in chosen:
                i += 1
                continue
            j = run_end(text, tokens, i)
            if j > i and tokens[j].text.casefold() in FACILITY_WORDS and any(
                    k in chosen or lex.is_name(tokens[k].text) or not lex.is_word(tokens[k].text) for k in range(i, j)):
                for k in range(i, j + 1):
                    chosen.pop(k, None)
                if "LOCATION" in self.options.labels or "ORG" in self.options.labels:
                    out.append(Span(tokens[i].start, tokens[j].end, "LOCATION", "context", Confidence.FACILITY,
                                    text[tokens[i].start:tokens[j].end]))
            elif j > i:
                self._name_or_title_phrase(text, tokens, i, j, chosen)
            i = j + 1
        return out

    def _surname_after_titled_name(self, text: str, tokens: Sequence[Token], i: int, j: int,
                                   chosen: dict[int, tuple[float, str]]) -> int | None:
        """The index of the surname in "<title> <given name> <Surname>" within or just after the run
        ``tokens[i..j]`` (a strong title, a confidently found name, then a capitalised word right after it), or None."""
        # The given name: right after a strong title in the run ("Yesterday Professor Joy Bishop") or before it.
        g = next((k + 1 for k in range(max(i - 1, 0), j) if tokens[k].text.casefold() in STRONG_TITLES), None)
        if g is None or g < i:
            return None
        s = g + 1
        if (s > j or chosen.get(s, (0,))[0] >= Confidence.NAME_IN_RUN or chosen.get(g, (0,))[0] < Confidence.CONFIDENT
                or tokens[g].possessive):
            return None
        word = tokens[s].text
        key = word.casefold()
        # A title word may be a surname here ("Professor Joy Bishop"); a place only if surname lists hold it
        # ("Dr Faith London", not "Dr Grace Monday").
        ok = (is_title_case(word) and text[tokens[g].full_end:tokens[s].start] == " "
              and key not in NEVER_NAMES and key not in IDENTITY_TERMS
              and (self.lexicon.is_surname(word) or not self.lexicon.is_known_proper(word)))
        return s if ok else None

    def _name_or_title_phrase(self, text: str, tokens: Sequence[Token], i: int, j: int,
                              chosen: dict[int, tuple[float, str]]) -> None:
        """A run ``tokens[i..j]`` of capitalised words that names no building: a name or a title phrase."""
        lex = self.lexicon
        run = range(i, j + 1)
        # Ordinary non-name words in the run ("Race Equality Charter") mark a title phrase:
        # drop weak name-word guesses inside it, keep strong names.
        skip_first = sentence_initial(text, tokens[i].start)
        plain = [k for k in run if k not in chosen and lex.is_word(tokens[k].text)
                 and not (k == i and skip_first)
                 and not lex.is_name(tokens[k].text) and tokens[k].text.casefold() not in ("of", "the")]
        first = tokens[i].text.casefold()
        if (j == i + 1 and i not in chosen and chosen.get(j, (0,))[0] >= Confidence.CONFIDENT and not skip_first
                and not lex.is_known_proper(tokens[i].text) and first not in IDENTITY_TERMS
                and first not in NEVER_NAMES and first not in TITLES):
            # A capitalised word right before a surname is a given name ("Hyacinth Thompson").
            chosen[i] = (Confidence.GIVEN_NAME_BEFORE_SURNAME, "lexicon")
        elif j == i + 1 and not plain and self._name_pair(text, tokens, i, skip_first):
            # A given name then a surname, both words ("Grace Power chaired it"): a person, to review.
            for k in run:
                if chosen.get(k, (0,))[0] < Confidence.NAME_PAIR_WORDS:
                    chosen[k] = (Confidence.NAME_PAIR_WORDS, "lexicon")
        elif (surname := self._surname_after_titled_name(text, tokens, i, j, chosen)) is not None:
            # "Dr Grace Power", "Professor Joy Bishop": a title, a given name, then the surname, even a word.
            chosen[surname] = (Confidence.NAME_IN_RUN, "lexicon")
        elif plain:
            for k in run:
                if k in chosen and chosen[k][0] < Confidence.CONFIDENT:
                    chosen.pop(k)
        elif any(k in chosen and chosen[k][0] >= Confidence.CONFIDENT for k in run):
            # Capitalised neighbours of a confident name are part of it ("Grace Young").
            for k in run:
                w = tokens[k].text
                if (k not in chosen and lex.is_name(w) and w.casefold() not in IDENTITY_TERMS
                        and w.casefold() not in TITLES and w.casefold() not in HONORIFICS
                        and w.casefold() not in NEVER_NAMES):
                    chosen[k] = (Confidence.NAME_IN_RUN, "lexicon")

    def _name_pair(self, text: str, tokens: Sequence[Token], i: int, sentence_start: bool) -> bool:
        """Whether capitalised ``tokens[i]`` and ``tokens[i + 1]`` read as a given name and a surname: in the
        name lists as such, neither a title, an identity term or a known place, and (at a sentence start, where
        any word has a capital) a verb after them."""
        lex = self.lexicon
        a, b = tokens[i].text, tokens[i + 1].text
        if not (lex.is_given_name(a) and lex.is_surname(b)) or tokens[i].possessive:
            return False
        for w in (a.casefold(), b.casefold()):
            if w in TITLES or w in HONORIFICS or w in IDENTITY_TERMS or w in NEVER_NAMES or lex.is_known_proper(w):
                return False
        if i > 0 and tokens[i - 1].text.casefold() in ("the", "a", "an"):
            return False
        return not sentence_start or tokens[i + 1].possessive or predicate_follows(text, tokens, i + 1, lex)

    def _caption_neighbours(self, text: str, tokens: Sequence[Token], chosen: dict[int, tuple[float, str]],
                            caseless: set[int]) -> None:
        """Caption text: name-list neighbours of a found name are part of it ("victoria hale")."""
        lex = self.lexicon
        n = len(tokens)
        for k in sorted(chosen):
            if k not in caseless or chosen[k][0] < Confidence.CAPTION_VOUCH:
                continue
            for nb in (k - 1, k + 1):
                if not (0 <= nb < n and nb not in chosen and nb in caseless):
                    continue
                lo, hi = min(k, nb), max(k, nb)
                w = tokens[nb].text
                if nb > k:  # a surname may be a common word ("victoria hale") or in no list
                    fits = lex.is_name(w) or not lex.is_word(w)
                else:  # before a name: a given name ("blessing mensah"), not "put akosua"
                    fits = lex.is_given_name(w) or not lex.is_word(w)
                fits = fits and w.casefold() not in NAME_FOLLOWERS and w.casefold() not in BEFORE_CUES
                if (re.fullmatch(r"[ \t\-]", text[tokens[lo].full_end:tokens[hi].start]) and not tokens[lo].possessive
                        and w.casefold() not in NEVER_NAMES and fits and len(w) > 1):
                    chosen[nb] = (Confidence.CAPTION_NEIGHBOUR, "lexicon")

    def _coordinated_names(self, text: str, tokens: Sequence[Token], chosen: dict, caseless: set) -> None:
        """Names in a list: "Aisha, Bola and Chen". A capitalised word joined by a comma, "and", "&" or
        "or" to a confidently found name is taken as a name too (to review: ``Confidence.LIST_ITEM``), unless it is a
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

        queue = [k for k, (conf, _) in chosen.items() if conf >= Confidence.CONFIDENT and k not in caseless]
        while queue:
            k = queue.pop()
            for c in candidates(k):
                w = tokens[c].text
                key = w.casefold()
                if (c in chosen or c in caseless or not is_title_case(w) or len(w) < 2
                        or sentence_initial(text, tokens[c].start) or key in IDENTITY_TERMS
                        or key in NEVER_NAMES or key in TITLES or lex.is_known_proper(w)):
                    continue
                chosen[c] = (Confidence.LIST_ITEM, "context")
