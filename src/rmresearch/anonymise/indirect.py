"""Indirect identifiers: words that single a person out without naming them, each with a suggested generalisation.

In a cohort of a few dozen pairs the Dean of Law, "the only Sikh woman on the senior team" or a colleague's
MS diagnosis identify someone as surely as a name. :func:`find_indirect` flags four labels (``Span.layer`` is
``"indirect"``, ``Span.kind`` a finer kind, ``Span.suggestion`` what the reviewer may accept in their place):

``ROLE``
    Job titles that one person holds: a curated list of UK higher-education titles (Vice-Chancellor, Registrar,
    Dean, Librarian, Students' Union President...) and the patterns "Head of <field>", "Director of <field>",
    "Dean of <field>", "Associate Dean for <field>", "PVC for <field>", "Professor of <field>" (a named chair),
    "the EDI lead". Kinds ``senior_role``, ``academic_role``, ``professional_role``, ``student_role``,
    ``unique_role`` ("the university's only chaplain").
``UNIT``
    Small units and named teams: "School of Pharmacy", "the Chemistry technicians' team", "the Disability
    Advisory Service". Kinds ``faculty``, ``department``, ``service``, ``small_unit``.
``DESCRIPTOR``
    Unique descriptors of a person: "the only Sikh woman on the senior team", "the first woman to chair Senate",
    "the youngest professor in the faculty". Kind ``unique``.
``SPECIAL_CATEGORY``
    Disclosures about an individual of religion, health, sexual orientation, gender identity, immigration
    status, ethnicity or trade-union membership ("I'm a practising Muslim", "since my MS diagnosis", "as a gay
    man", "her visa"). The scheme's own vocabulary in general statements ("BAME staff", "Black students",
    "disabled colleagues") is not a disclosure and is left alone.

ROLE and UNIT spans leave out the leading article ("the {Dean of Law}"); DESCRIPTOR spans include it. Word lists
live in ``data/anonymise/indirect.yml`` (curated where no package has them, topped up from the package's HESA
code lists); each label is one precompiled alternation and every further look is at a few words around a match,
so the layer is linear in the text.

Examples
--------
>>> [(s.text, s.label, s.kind, s.suggestion) for s in find_indirect("I asked the Director of Libraries first.")]
[('Director of Libraries', 'ROLE', 'professional_role', '[a professional services leader]')]
>>> [(s.text, s.label) for s in find_indirect("Since my MS diagnosis I work from home; the only way is up.")]
[('MS', 'SPECIAL_CATEGORY')]
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace
from typing import Iterable, Sequence

from .cues import tokenize
from .indirect_words import APOS, MODS, Rules, Word, capital, caseless_at, norm as _norm, rules, words_after, words_before
from .spans import Span

__all__ = ["find_indirect", "merge_indirect", "SUGGESTIONS", "KINDS", "LAYER"]

LAYER = "indirect"

#: The generalisation suggested for each kind (a reviewer may edit it in review.csv).
SUGGESTIONS = {
    "senior_role": "[a senior leader]", "academic_role": "[an academic]",
    "professional_role": "[a professional services leader]", "student_role": "[a student representative]",
    "unique_role": "[a member of staff]",
    "faculty": "[a faculty]", "department": "[an academic department]", "service": "[a professional services team]",
    "small_unit": "[a team]",
    "unique": "[one of very few staff]",  # or "[one of the first senior staff]"...: see _rarity
    "religion": "[a religion]", "health": "[a health condition]", "sexuality": "[sexual orientation]",
    "gender_identity": "[gender identity]", "immigration": "[immigration status]", "ethnicity": "[ethnicity]",
    "trade_union": "[trade union membership]",
}
#: label -> the kinds it may carry.
KINDS = {
    "ROLE": ("senior_role", "academic_role", "professional_role", "student_role", "unique_role"),
    "UNIT": ("faculty", "department", "service", "small_unit"),
    "DESCRIPTOR": ("unique",),
    "SPECIAL_CATEGORY": ("religion", "health", "sexuality", "gender_identity", "immigration", "ethnicity",
                         "trade_union"),
}

# How sure the layer is; every indirect span goes to review whatever its confidence.
_LISTED, _PATTERN, _DISCLOSURE = 0.7, 0.6, 0.6

_DETERMINERS = frozenset("""the our my your his her their a an this that new former acting interim faculty
executive associate deputy assistant university school's faculty's university's department's""".split())
_CONNECTORS = frozenset(("and", "&", "of", "for", "the", "in"))
_JOINS = frozenset(("and", "&", "of", "for"))
_PREPS = frozenset(("on", "in", "at", "of", "from", "to", "among", "across", "within", "for", "ever", "here"))
# Title words that are also given names or surnames: taken only after an article or a possessive.
_NAME_LIKE_TITLES = frozenset(("dean", "chancellor", "provost", "principal", "warden", "bursar"))


def _listed(text: str, words: Sequence[Word], i: int, k: int, r: Rules, caseless: bool) -> str:
    """The listed field ``words[i:i+k]`` names, or ""; a short one ("IT", "HR", "EDI") only in capitals."""
    phrase = " ".join(w.key for w in words[i:i + k]).replace("'", "").replace("-", " ")
    if phrase not in r.fields or (len(phrase) <= 3 and not caseless and not words[i].text.isupper()):
        return ""
    return phrase


def _field_run(text: str, words: Sequence[Word], r: Rules, caseless: bool) -> tuple[int, set[str]]:
    """How many of ``words`` (read forwards) form a field, and the field's phrases: listed fields, mid-sentence
    capitals, joined by "and", "of", "for"; connectors are never the last word."""
    i = taken = 0
    phrases: set[str] = set()
    while i < len(words):
        hit = next((k for k in (4, 3, 2, 1) if i + k <= len(words) and _listed(text, words, i, k, r, caseless)), 0)
        if hit:
            phrases.add(_listed(text, words, i, hit, r, caseless))
        elif capital(text, words[i], caseless) and words[i].key not in r.title_words:
            hit = 1
            phrases.add(words[i].key)
        if hit:
            i += hit
            taken = i
        elif taken and (words[i].key in _JOINS or words[i].key == "the" and words[i - 1].key in ("of", "for")):
            i += 1
        else:
            break
    return taken, phrases


def _span(text: str, start: int, end: int, label: str, kind: str, conf: float, suggestion: str = "") -> Span:
    return Span(start, end, label, LAYER, conf, text[start:end], suggestion or SUGGESTIONS[kind], kind)


# ---------------------------------------------------------------- ROLE
def _roles(text: str, r: Rules, hits: dict) -> list[Span]:
    out: list[Span] = []
    for m in hits["standalone"]:
        title = _norm(re.sub(MODS, "", m.group(), count=1, flags=re.IGNORECASE) or m.group())
        kind = r.standalone_kind.get(title, "senior_role")
        if title in _NAME_LIKE_TITLES and not _titled_by_context(text, m.start(), m.end(), m.group(), r):
            continue
        out.append(_span(text, m.start(), m.end(), "ROLE", kind, _LISTED))
    for m in hits["acronyms"]:
        prev = words_before(text, m.start(), 1)
        nxt = words_after(text, m.end(), 1)
        if (prev and prev[0].key in _DETERMINERS) or (nxt and nxt[0].key == "for"):
            out.append(_span(text, m.start(), m.end(), "ROLE", "senior_role", _LISTED))
    for m in hits["complement"]:
        words = words_after(text, m.end(), 7)
        n, field = _field_run(text, words, r, caseless_at(text, m.start()))
        if not n:
            continue
        end = words[n - 1].end
        if m.group("paren"):
            close = re.match(r"[ \t]*\)", text[end:end + 4])
            if not close:
                continue
            end += close.end()
        field |= {_norm(w.text) for w in words[:n]}
        out.append(_span(text, m.start(), end, "ROLE", _complement_kind(m.group("title"), field, r), _PATTERN))
    for m in hits["area"]:
        out.append(_span(text, m.start(), m.end(), "ROLE", "professional_role", _PATTERN))
    return out


def _complement_kind(title: str, field: set[str], r: Rules) -> str:
    key = _norm(title)
    kind = r.complement_kind.get(key, "senior_role")
    if kind == "academic_role" or key in ("chair in",):
        return "academic_role"
    if field & {"studies", "programme", "programmes", "subject", "year"} and key in ("head", "director", "lead"):
        return "academic_role"
    if field & r.services and not field & (r.disciplines | {"school", "department", "faculty", "college"}):
        return "professional_role"
    return kind


def _titled_by_context(text: str, start: int, end: int, title: str, r: Rules) -> bool:
    """A title word that is also a name ("Dean") is a title after an article or a possessive ("the Dean",
    "our faculty's dean"), not after a given name ("James Dean") nor before a surname ("Dean Okafor")."""
    prev = words_before(text, start, 1)
    if not prev or not (prev[0].key in _DETERMINERS or prev[0].key.endswith("'s")):
        return False
    if _norm(title) == "principal":
        nxt = words_after(text, end, 1)
        return title[:1].isupper() and not (nxt and nxt[0].key in r.not_after_principal)
    return True


# ---------------------------------------------------------------- UNIT
_NOT_UNITS = re.compile(r"(?:office|department)[ \t]+for|royal[ \t]+college|department[ \t]+of[ \t]+health", re.I)


def _units(text: str, r: Rules, hits: dict, lexicon=None) -> list[Span]:
    out: list[Span] = []
    for m in hits["unit_before"]:
        back = text[max(0, m.start() - 6):m.start()].casefold()
        if _NOT_UNITS.match(m.group()) or back.endswith("royal "):
            continue
        words = words_after(text, m.end(), 6)
        n, field = _field_run(text, words, r, caseless_at(text, m.start()))
        if not n:
            continue
        kind = r.before_kind.get(_norm(m.group("unit")), "department")
        if field & r.services:
            kind = "service"
        out.append(_span(text, m.start(), words[n - 1].end, "UNIT", kind, _PATTERN))
    for m in hits["unit_after"]:
        found = _unit_before_noun(text, m, r, lexicon)
        if found:
            out.append(found)
    for m in hits["unit_named"]:
        kind = "small_unit" if m.group().casefold().endswith("team") else "service"
        out.append(_span(text, m.start(), m.end(), "UNIT", kind, _LISTED))
    return out


_CALENDAR = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december""".split())
# Unit nouns a place may stand before ("the Leeds office"); a language before "team" is a subject ("the Arabic team").
_PLACE_NOUNS = frozenset(("office", "offices", "hub", "centre", "center"))
_PREV = re.compile(r"([^\W\d_][\w'\u2019&+\-]*)[ \t]+$")


def _unit_before_noun(text: str, m: re.Match, r: Rules, lexicon=None) -> Span | None:
    """ "the Chemistry technicians' team", "the Pharmacy Department": field words (and a staff group) before a
    unit noun. A staff group alone ("the research team", "the leadership team") is not a unit."""
    prev = _PREV.search(text, max(0, m.start() - 40), m.start())
    key = prev.group(1).casefold() if prev else ""
    if not key or key in _DETERMINERS or key in r.stops or key in _PREPS:
        return None  # "my team", "the office": most unit nouns end here
    words = words_before(text, m.start(), 6)
    caseless = caseless_at(text, m.start())
    noun_key = m.group().casefold()
    i = len(words)
    start = None
    field_words: set[str] = set()
    while i > 0:
        hit, is_field = 0, False
        for k in (4, 3, 2, 1):
            if i - k < 0:
                continue
            phrase = _norm(" ".join(w.text for w in words[i - k:i])).rstrip("'")
            if phrase in r.staff_groups and phrase not in r.services or phrase in ("technicians", "technician"):
                hit = k
                break
            if phrase in r.before_kind or phrase in r.after_kind or phrase in r.areas:
                continue  # "the department office", "the race equality group": no unit of its own
            if phrase in r.unit_fields:
                hit, is_field = k, True
                break
        w = words[i - 1]
        if (not hit and not field_words and i == len(words) and i > 1 and w.text.islower() and w.key not in r.stops
                and w.key not in _DETERMINERS and _norm(words[i - 2].text) in r.disciplines):
            i -= 1  # "the geography fieldwork team": one word of the team's own between
            continue
        if (not hit and capital(text, w, caseless) and w.key not in _DETERMINERS and not w.key.endswith("'s")
                and w.key not in _CALENDAR
                and not (lexicon is not None and (lexicon.is_name(w.text) and not lexicon.is_word(w.text)
                                                  or noun_key in _PLACE_NOUNS and lexicon.is_known_proper(w.text)))):
            hit, is_field = 1, True  # not a person's team or a building named after one ("the Betty Campbell Centre")
        if not hit:
            break
        if is_field:
            field_words.add(_norm(" ".join(w.text for w in words[i - hit:i])).rstrip("'"))
        i -= hit
        start = words[i].start
    if start is None or not field_words:
        return None
    if i > 0 and lexicon is not None and words[i - 1].text[:1].isupper() and lexicon.is_given_name(words[i - 1].text):
        return None  # "the Dorothy Garrod Centre": named after a person
    noun = _norm(m.group())
    kind = r.after_kind.get(noun, "small_unit")
    if field_words & r.services:
        kind = "service"
    return _span(text, start, m.end(), "UNIT", kind, _PATTERN)


# ---------------------------------------------------------------- DESCRIPTOR
def _descriptors(text: str, r: Rules, hits: dict) -> list[Span]:
    out: list[Span] = []
    for m in hits["descriptor"]:
        words = words_after(text, m.end(), 12)
        if "'s" in m.group().translate(APOS):
            role = _only_role(text, m, words, r)  # "the university's only rabbi"
            if role is not None:
                out.append(role)
            continue
        noun = next((i for i, w in enumerate(words[:5]) if w.key in r.person_nouns), None)
        if noun is None or any(w.key in r.stops or w.key in ("a", "an", "the", "this", "that", "my", "our")
                               for w in words[:noun]):
            continue
        while noun + 1 < len(words) and words[noun + 1].key in r.person_nouns:
            noun += 1  # "the only Sikh woman"
        tail = _tail(words, noun + 1, r)
        if noun == 0 and words[0].key in _GENERIC and (tail is None or words[noun + 1].key == "to" and not any(
                w.key in r.senior_words or w.key in r.title_words or w.text[:1].isupper() for w in words[noun + 2:tail + 1])):
            continue  # "the only one I've read", "the last person to leave": nothing singles anyone out
        last = tail if tail is not None else noun
        suggestion = _rarity(m, {w.key for w in words[:last + 1]}, r)
        out.append(_span(text, m.start(), words[last].end, "DESCRIPTOR", "unique", _PATTERN, suggestion))
    return out


def _rarity(m: re.Match, phrase: set[str], r: Rules) -> str:
    """A generalisation that keeps what is safe in a unique descriptor, its rarity and the kind of people, and
    drops what singles one person out: "the only Sikh woman on the senior team" -> "[one of very few senior
    staff]", "the first woman to chair Senate" -> "[one of the first senior staff]"."""
    people = "students" if phrase & r.student_words else "senior staff" if phrase & r.senior_words else "staff"
    which = (m.group("which2") or "").casefold()
    if which in ("first", "last", "youngest", "oldest"):
        return f"[one of the {which} {people}]"
    return f"[one of very few {people}]"


def _only_role(text: str, m: re.Match, words: Sequence[Word], r: Rules) -> Span | None:
    """ "the university's only <role>": one word, two when the second is a title or a person ("only Muslim
    chaplain"). The span leaves the article out, as ROLE spans do."""
    if not words or words[0].key in r.stops or words[0].key in _PREPS or words[0].key in ("a", "the", "one"):
        return None
    second = words[1] if len(words) > 1 else None
    last = 1 if second is not None and not second.punct and second.key not in r.stops | _PREPS and (
        second.key in r.title_words or second.key in r.person_nouns or words[0].text[:1].isupper()) else 0
    start = m.start() + (4 if m.group().casefold().startswith("the ") else 0)
    return _span(text, start, words[last].end, "ROLE", "unique_role", _PATTERN)


def _tail(words: Sequence[Word], j: int, r: Rules) -> int | None:
    """Index of the last word of "on the senior team" / "to chair Senate" after a descriptor's noun, or None.
    The tail ends before a second preposition other than "of" ("in Estates | for years")."""
    if j >= len(words) or words[j].key not in _PREPS:
        return None
    last = None
    for k in range(j + 1, min(len(words), j + 6)):
        w = words[k]
        if (w.punct or w.key in r.stops or w.key in _TIME_WORDS or w.key in _TAIL_STOPS
                or (w.key in _PREPS and w.key != "of" and last)):
            break
        last = k
    while last is not None and last > j and words[last].key in _CONNECTORS | _PREPS | {"a", "an"}:
        last -= 1
    return last if last is not None and last > j else None


_TAIL_STOPS = frozenset("by about with since after before during until over under because than".split())
_GENERIC = frozenset("one ones person people man men woman women guy guys lady girl boy".split())
_TIME_WORDS = frozenset("years year months ages decades now then today ago already again yet".split())


# ---------------------------------------------------------------- SPECIAL_CATEGORY
_GAP = r"(?:[\s,]+[\w'\u2019\-]+){0,2}[\s,]*$"
# A disclosure about an individual: a first-person or possessive marker at most two words before the term.
_MARKER = re.compile(r"(?<![\w'])(?:my|her|his|their|me|myself|herself|himself|themselves|mine|i['\u2019]?m|i[ \t]+am|am"
                     r"|she['\u2019]s|he['\u2019]s|they['\u2019]re|(?:she|he)[ \t]+(?:is|was|has|had|wears|uses|got)|who[ \t]+(?:has|had)"
                     r"|being|as[ \t]+an?|identify[ \t]+as|i['\u2019]ve|i['\u2019]d|i[ \t]+(?:have|had|was|wear|wore|go"
                     r"|went|use|used|pray|attend|came|got|became|converted|live|lived|fast|fasted|identify))" + _GAP,
                     re.IGNORECASE)
# Ethnicity is the scheme's own vocabulary: only "I'm ...", "as a ...", "being ..." count.
_ETHNIC_MARKER = re.compile(r"(?<![\w'])(?:i['\u2019]?m|i[ \t]+am|being|as[ \t]+an?|identify[ \t]+as|myself)" + _GAP,
                            re.IGNORECASE)
_IMMIGRATION_MARKER = re.compile(r"(?<![\w'])(?:on(?:[ \t]+(?:an?|my|her|his|their|our))?|claimed|claiming|sought|granted"
                                 r"|applied[ \t]+for|applying[ \t]+for|got|given)" + _GAP, re.IGNORECASE)
_SUBJECT_END = re.compile(r"(?<![\w'])(?:i|she|he|as)[ \t]+$", re.IGNORECASE)
_ARTICLE_END = re.compile(r"(?<![\w'])(?:an?)(?:[ \t]+[\w'\u2019\-]+)?[ \t]+$", re.IGNORECASE)
_DX_STOPS = frozenset("""in at last when after about during back two three four five years months weeks ago this that
recently so because but which who and or early late on for""".split())
_POSSESSIVES = frozenset(("my", "her", "his", "their", "your"))


def _individual(text: str, start: int, end: int, kind: str, r: Rules) -> bool:
    """Whether the term ``text[start:end]`` is said of one person ("I'm Muslim", "a gay man"), not of a group
    ("Muslim students", "disabled colleagues")."""
    nxt = words_after(text, end, 1)
    if nxt and nxt[0].key in r.group_nouns:
        return False
    back = text[max(0, start - 48):start]
    cut = _last_sentence_end(back)
    back = back[cut + 1:]
    if (_ETHNIC_MARKER if kind == "ethnicity" else _MARKER).search(back):
        return True
    if kind == "immigration" and _IMMIGRATION_MARKER.search(back):
        return True  # "came over on an ancestry visa", "claimed asylum"
    if kind != "ethnicity" and _SUBJECT_END.search(back):
        return True  # "I came out", "she prays"
    return bool(_ARTICLE_END.search(back)) and bool(nxt) and nxt[0].key in r.singular


def _last_sentence_end(s: str) -> int:
    return max(s.rfind(c) for c in ".!?;:\n")


def _special(text: str, r: Rules, hits: dict) -> list[Span]:
    out: list[Span] = []
    for m in hits["special"]:
        kind = m.lastgroup
        key = _norm(m.group())
        if kind == "dx":
            out += _diagnosis(text, m, r)
        elif key in ("practising", "practicing", "devout", "observant", "lapsed", "converted to", "convert to"):
            nxt = words_after(text, m.end(), 1)
            if nxt and (nxt[0].key in r.special_kind or capital(text, nxt[0], False)):
                out.append(_span(text, nxt[0].start, nxt[0].end, "SPECIAL_CATEGORY", "religion", _DISCLOSURE))
        elif key in ("heritage", "descent", "origin"):
            back = words_before(text, m.start(), 3)
            k = next((i for i in range(len(back) - 1, -1, -1) if back[i].key == "of"), None)
            if k is not None and k + 1 < len(back) and _individual(text, back[k].start, back[k + 1].start, "", r):
                out.append(_span(text, back[k + 1].start, back[-1].end, "SPECIAL_CATEGORY", "ethnicity", _DISCLOSURE))
        elif kind == "sexuality" and key in ("came out", "coming out"):
            nxt = words_after(text, m.end(), 1)
            if (not nxt or nxt[0].key in ("as", "to", "at", "publicly")) and _individual(text, m.start(), m.end(), kind, r):
                out.append(_span(text, m.start(), m.end(), "SPECIAL_CATEGORY", kind, _DISCLOSURE))
        elif key == "faith":  # "my faith", not "Faith" (a name) nor "lost faith in the process"
            if m.group().islower() and re.search(r"(?<![\w'])(?:my|her|his|their)[ \t]+(?:own[ \t]+)?$",
                                                 text[max(0, m.start() - 20):m.start()], re.IGNORECASE):
                out.append(_span(text, m.start(), m.end(), "SPECIAL_CATEGORY", kind, _DISCLOSURE))
        elif kind == "health" and key in _CONDITION_HEADS:
            span = _named_condition(text, m, r)  # "coeliac disease", "Ehlers-Danlos syndrome": any name before it
            if span is not None:
                out.append(span)
        elif _individual(text, m.start(), m.end(), kind, r):
            end = m.end()
            nxt = words_after(text, end, 1) if kind == "health" else []
            if nxt and nxt[0].key in ("disease", "syndrome", "disorder", "condition", "anaemia", "cancer"):
                end = nxt[0].end  # "sickle cell disease", "Crohn's disease"
            out.append(_span(text, m.start(), end, "SPECIAL_CATEGORY", kind, _DISCLOSURE))
    return out


_CONDITION_HEADS = frozenset(("disease", "syndrome", "disorder"))
_NOT_CONDITION_NAMES = _DX_STOPS | _POSSESSIVES | frozenset("""a an the have has had got with of this that rare
same mystery""".split())


def _named_condition(text: str, m: re.Match, r: Rules) -> Span | None:
    """A condition no list holds, named by the words before "disease", "syndrome" or "disorder" ("I have coeliac
    disease", "her Ehlers-Danlos syndrome"), when said of one person. The span covers the name and the head."""
    back = words_before(text, m.start(), 3)
    k = len(back)
    while k > 0 and back[k - 1].key not in _NOT_CONDITION_NAMES and back[k - 1].key not in r.stops:
        k -= 1
    if k == len(back) or not _individual(text, back[k].start, m.end(), "health", r):
        return None
    return _span(text, back[k].start, m.end(), "SPECIAL_CATEGORY", "health", _DISCLOSURE)


def _diagnosis(text: str, m: re.Match, r: Rules) -> list[Span]:
    """ "diagnosed with <X>" and "my <X> diagnosis": the condition is taken whatever it is."""
    if not m.group().casefold().startswith("diagnosis"):
        words = words_after(text, m.end(), 6)
        if words and words[0].key in ("a", "an"):
            words = words[1:]
        n = 0
        for w in words[:4]:
            if w.key in _DX_STOPS or w.key in r.stops:
                break
            n += 1
        while n and words[n - 1].key in _CONNECTORS:
            n -= 1
        if not n:
            return []
        return [_span(text, words[0].start, words[n - 1].end, "SPECIAL_CATEGORY", "health", _DISCLOSURE)]
    back = words_before(text, m.start(), 4)
    k = next((i for i in range(len(back) - 1, -1, -1) if back[i].key in _POSSESSIVES), None)
    if k is None:
        return []
    if k + 1 < len(back):
        return [_span(text, back[k + 1].start, back[-1].end, "SPECIAL_CATEGORY", "health", _DISCLOSURE)]
    return [_span(text, m.start(), m.end(), "SPECIAL_CATEGORY", "health", _DISCLOSURE)]


# ---------------------------------------------------------------- the layer
def _resolve(spans: list[Span]) -> list[Span]:
    """Overlapping indirect spans: the longest wins (a ROLE "Head of the School of Pharmacy" over its UNIT)."""
    taken: list[Span] = []
    starts: list[int] = []
    for s in sorted(spans, key=lambda s: (-s.length, s.start)):
        k = bisect.bisect_left(starts, s.end)
        if k > 0 and taken[k - 1].end > s.start:
            continue
        starts.insert(k, s.start)
        taken.insert(k, s)
    return taken


def find_indirect(text: str, tokens: Sequence | None = None, *, roster=None, lexicon=None) -> list[Span]:
    """ROLE, UNIT, DESCRIPTOR and SPECIAL_CATEGORY spans of ``text``, sorted and free of overlaps.

    ``tokens`` are the detector's word tokens (:func:`~rmresearch.anonymise.cues.tokenize`; made here when not
    given): each list is tried only where a token starts one of its phrases. With a ``roster``, a title word that is a roster member's name ("Dean", "Provost") after a given name
    is left to the name layers. ``lexicon`` (:class:`~rmresearch.anonymise.lexicon.Lexicon`) does the same for
    given names in the name lists: "James Dean" is a person.

    >>> [(s.text, s.label, s.kind) for s in find_indirect(
    ...     "She was the first woman to chair Senate, and the Chemistry technicians' team loved her.")]
    [('the first woman to chair Senate', 'DESCRIPTOR', 'unique'), ("Chemistry technicians' team", 'UNIT', 'small_unit')]
    >>> find_indirect("Muslim students and disabled colleagues came; the head of steam was lost.")
    []
    """
    r = rules()
    hits = _matches(text, tokenize(text) if tokens is None else tokens, r)
    spans = _roles(text, r, hits) + _units(text, r, hits, lexicon) + _descriptors(text, r, hits) + _special(text, r, hits)
    names = _name_tokens(roster)
    if names or lexicon is not None:
        spans = [s for s in spans if not _after_given_name(text, s, names, lexicon)]
    return _resolve(spans)


def _matches(text: str, tokens: Sequence, r: Rules) -> dict[str, list[re.Match]]:
    """Each matcher's matches, tried only at the tokens a listed phrase may start with (a dictionary look-up per
    token, not a scan of the text per list: the layer costs a small part of detection). A descriptor is tried
    from up to three tokens before its "only" / "first" ("the university's only", "the very first")."""
    hits: dict[str, list[re.Match]] = {name: [] for name in _MATCHERS}
    reach = dict.fromkeys(_MATCHERS, 0)
    triggers = r.triggers
    n = len(tokens)
    for i, tok in enumerate(tokens):
        word = tok.text
        entries = triggers.get(word)
        whole = True  # the token is the phrase's first word (not the first part of a hyphenated one)
        if entries is None:
            if "-" not in word:
                continue
            entries = triggers.get(word.split("-", 1)[0])
            if entries is None:
                continue
            whole = False
        nxt = None
        for name, seconds in entries:
            if tok.start < reach[name]:
                continue
            if seconds is not None and whole:
                if nxt is None:
                    nxt = tokens[i + 1].text.casefold().split("-", 1)[0] if i + 1 < n else ""
                if nxt not in seconds:
                    continue
            rx = getattr(r, name)
            if name == "caption_acronyms":  # "he's got ms" in lower-case captions only
                m = rx.match(text, tok.start) if caseless_at(text, tok.start) else None
                if m:
                    hits["special"].append(m)
                continue
            if name == "descriptor":
                m = next((m for j in range(max(0, i - 3), i + 1)
                          if (m := rx.match(text, tokens[j].start)) and m.end() >= tok.end), None)
            else:
                m = rx.match(text, tok.start)
            if m:
                hits[name].append(m)
                reach[name] = m.end()
    return hits


_MATCHERS = ("standalone", "acronyms", "complement", "area", "unit_before", "unit_after", "unit_named", "descriptor",
             "special", "caption_acronyms")


def _name_tokens(roster) -> frozenset:
    if roster is None:
        return frozenset()
    return frozenset(t for key in getattr(roster, "index", {}) for t in key)


def _after_given_name(text: str, span: Span, names: frozenset, lexicon) -> bool:
    """A one-word ROLE right after a given name or roster name ("Jimmy Dean", "Arun Provost")."""
    if span.label != "ROLE" or " " in span.text.strip():
        return False
    prev = words_before(text, span.start, 1)
    if not prev or not prev[0].text[:1].isupper():
        return False
    return prev[0].key in names or (lexicon is not None and lexicon.is_given_name(prev[0].text))


def merge_indirect(direct: Sequence[Span], indirect: Iterable[Span]) -> list[Span]:
    """Add indirect spans to already merged direct ones (names, e-mails...) without ever removing one.

    An indirect span fully inside a direct identifier is dropped; one overlapping a direct identifier is trimmed
    to its longest part outside it (kept when that part still holds a word). The result is sorted, no overlaps.

    >>> t = "the Dean of Law Amara Obi"
    >>> d = [Span(16, 25, "PERSON", "roster", 1.0, "Amara Obi")]
    >>> [s.text for s in merge_indirect(d, [Span(4, 21, "ROLE", "indirect", 0.6, "Dean of Law Amara")])]
    ['Dean of Law', 'Amara Obi']
    """
    direct = sorted(direct, key=lambda s: s.start)
    starts = [s.start for s in direct]
    out = list(direct)
    for span in indirect:
        lo = bisect.bisect_left(starts, span.start)
        lo = max(0, lo - 1)
        pieces = [(span.start, span.end)]
        for d in direct[lo:bisect.bisect_left(starts, span.end)]:
            pieces = [p for a, b in pieces for p in ((a, min(b, d.start)), (max(a, d.end), b)) if p[1] > p[0]]
        if pieces == [(span.start, span.end)]:
            out.append(span)
            continue
        trimmed = _trim(span, max(pieces, key=lambda p: p[1] - p[0])) if pieces else None
        if trimmed is not None:
            out.append(trimmed)
    return sorted(out, key=lambda s: s.start)


def _trim(span: Span, piece: tuple[int, int]) -> Span | None:
    a, b = piece
    full = span.text
    sub = full[a - span.start:b - span.start]
    left = len(sub) - len(sub.lstrip(" \t\n,;:-'\u2019("))
    sub = sub.strip(" \t\n,;:-'\u2019(")
    if left and sub[:2] in ("s ", "S ") and full[a - span.start:a - span.start + 1] in "'\u2019":
        left, sub = left + 2, sub[2:]  # "Crohn|'s disease" once "Crohn" is a name: "disease"
    if sub.casefold().endswith(("'s", "\u2019s")):
        sub = sub[:-2]
    # No connector left dangling at either end ("Dean of" once "Law" is a name).
    sub = re.sub(r"(?:[ \t]+(?:of|for|in|and|the|&))+$", "", sub, flags=re.IGNORECASE)
    lead = re.match(r"(?:(?:of|for|in|and|the|&)[ \t]+)+", sub, flags=re.IGNORECASE)
    if lead:
        left += lead.end()
        sub = sub[lead.end():]
    words = [w for w in re.findall(r"[^\W\d_]+", sub) if w.casefold() not in _CONNECTORS]
    if not words or sum(map(len, words)) < 3:
        return None
    start = a + left
    return replace(span, start=start, end=start + len(sub), text=sub)
