"""The searches for names: roster names and aliases, key originals, each by how it must be written to count.

A name part that is a common word (*Hope*, *Young*) counts only where written as a name, or in a
self-introduction or address in any case ("i'm favour i study", ``introductions.name_context``); one that is an
ethnicity or colour category (*White*, *Black*) only in a name context (after a title, before *said* or a
possessive, as a speaker label). Names are also looked for without their accents.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from ..introductions import name_context, surname_like
from ..lexicon import IDENTITY_TERMS, NAME_TITLES, get_lexicon
from ..roster import Roster

__all__ = ["CATEGORY_WORDS"]

#: Words that are ethnicity, nationality or colour categories first: a name only in a name context.
CATEGORY_WORDS = IDENTITY_TERMS | frozenset({"green", "grey", "gray", "other", "unknown", "not", "known"})


def _sentence_initial(line: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and line[i] in " \t\"'(\u2018\u201c*_#|-":
        i -= 1
    return i < 0 or line[i] in ".!?:;>\u2022"


_TITLE_WORDS = {t.casefold() for t in NAME_TITLES}
_REPORTING = frozenset("""said says say told tells asked asks explained explains mentioned mentions recalled recalls
added adds noted notes thinks thought felt feels wrote writes replied replies agreed agrees described describes
suggested suggests remembered remembers laughed argued argues insisted insists""".split())
_BEFORE = re.compile(r"([^\W\d_]+)\.?\s+$")
_AFTER = re.compile(r"^(?:['\u2019]s\b|\s+([^\W\d_]+)|\s*:)")


def _name_context(line: str, start: int, end: int) -> bool:
    """A category word used as a name: after a title, before a possessive or a reporting verb, as a speaker label."""
    before = _BEFORE.search(line[max(0, start - 20):start])
    if before and before.group(1).casefold() in _TITLE_WORDS:
        return True
    after = _AFTER.match(line[end:end + 20])
    if not after:
        return False
    if after.group(0).lstrip().startswith(":"):
        # a speaker label, "White: I was nervous at first", not a category label, "White: 55% (n = 120)"
        words = re.findall(r"[^\W\d_]{2,}", line[end + len(after.group(0)):])
        return not line[:start].strip() and len(words) >= 4
    word = after.group(1)
    return word is None or word.casefold() in _REPORTING


class _Needles:
    """Compiled searches for roster and key names."""

    def __init__(self, rosters: Iterable[Roster], key_originals: Iterable[tuple[str, str]]):
        lex = get_lexicon()
        rosters = list(rosters)
        strict: dict[str, str] = {}   # any casing
        named: dict[str, str] = {}    # only written as a name
        category: dict[str, str] = {}  # only in a name context
        for roster in rosters:
            for toks, kind in roster.kinds.items():
                form = " ".join(toks)
                if len(toks) == 1 and toks[0] in CATEGORY_WORDS:
                    category[form] = "roster"
                elif len(toks) == 1 and (lex.is_common_word(toks[0]) or len(toks[0]) < 3):
                    named[form] = "roster"
                else:
                    strict[form] = "roster"
        key_originals = list(key_originals)
        for original, label in key_originals:
            form = re.sub(r"\s+", " ", original.strip())
            if not form or label != "PERSON":
                continue
            form = re.sub(r"['\u2019]s$", "", form).casefold()
            if " " not in form and form in CATEGORY_WORDS:
                category.setdefault(form, "key")
            elif " " not in form and (lex.is_common_word(form) or len(form) < 3):
                named.setdefault(form, "key")
            else:
                strict.setdefault(form, "key")
        for form in list(named):
            strict.pop(form, None)
        for form in list(category):
            strict.pop(form, None)
            named.pop(form, None)
        for forms in (strict, named, category):  # "Siobhan" is written for Siobh\u00e1n too
            for form in list(forms):
                if _fold(form) != form and len(form) >= 3:  # not a lone "\u00d3" as "O"
                    forms.setdefault(_fold(form), forms[form])
        self.sources = {**category, **named, **strict}
        self.strict = self._compile(strict)
        self.named = self._compile(named)
        self.category = self._compile(category)
        self.other = [(o, lbl) for o, lbl in key_originals if lbl != "PERSON" and o.strip()]
        self.name_word = surname_like(lex)
        self.rosters = list(rosters)

    @staticmethod
    def _compile(forms: dict[str, str]):
        if not forms:
            return None
        alts = sorted(forms, key=len, reverse=True)
        body = "|".join(re.escape(f).replace(r"\ ", r"\s+").replace(r"\-", r"[\-\u2010-\u2014\s]?")
                        for f in alts)
        body = re.sub("['\u2019\u02bc]", lambda m: "['\u2019\u02bc]?", body)  # O'Neill, O\u2019Neill, ONeill
        return re.compile(r"(?<![^\W_])(?:" + body + r")(?![^\W_])", re.IGNORECASE)

    def find(self, line: str, *, file_name: bool = False, own: frozenset = frozenset()) -> Iterator[tuple[str, str]]:
        """(matched text, source) of every name in ``line`` (and in ``line`` without its accents); ``own``: the
        casefolded first names of the file's interviewee (a cue alone makes them a name there)."""
        yield from self._find(line, file_name=file_name, own=own)
        folded = _fold(line)
        if folded != line:
            yield from self._find(folded, file_name=file_name, own=own)

    def _find(self, line: str, *, file_name: bool = False, own: frozenset = frozenset()) -> Iterator[tuple[str, str]]:
        taken: list[tuple[int, int]] = []

        def inside(m) -> bool:  # part of a longer name already found ("Hope" in "Hope Campbell")
            return any(a <= m.start() and m.end() <= b for a, b in taken)

        if self.strict is not None:
            for m in self.strict.finditer(line):
                taken.append(m.span())
                yield m.group(), self.sources.get(re.sub(r"\s+", " ", m.group()).casefold(), "roster")
        if self.named is not None:
            for m in self.named.finditer(line):
                w = m.group()
                if inside(m):
                    continue
                if w[:1].isupper() and not w.isupper() and (file_name or not _sentence_initial(line, m.start())) \
                        or not file_name and name_context(line, m.start(), m.end(), own=w.casefold() in own,
                                                          name_word=self.name_word):
                    yield w, self.sources.get(w.casefold(), "roster")
        if self.category is not None and not file_name:
            for m in self.category.finditer(line):
                w = m.group()
                if w[:1].isupper() and not inside(m) and _name_context(line, m.start(), m.end()):
                    yield w, self.sources.get(w.casefold(), "roster")


def _fold(text: str) -> str:
    """``text`` without accents (``Siobh\u00e1n \u00d3 Murch\u00fa`` -> ``Siobhan O Murchu``)."""
    import unicodedata

    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _rosters(roster) -> list[Roster]:
    if roster is None:
        return []
    return [roster] if isinstance(roster, Roster) else [r for r in roster if r is not None]
