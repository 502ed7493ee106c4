"""The word lists of the indirect-identifier layer (:mod:`.indirect`), read once from
``data/anonymise/indirect.yml`` and the package's HESA code lists and compiled into one alternation per label.

>>> r = rules()
>>> bool(r.standalone.fullmatch("Deputy Vice-Chancellor")), bool(r.standalone.fullmatch("Students’ Union President"))
(True, True)
>>> "sikh" in r.special_kind, "bisexual" in r.special_kind  # from religion.yml and sexual_orientation.yml
(True, True)
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Iterable

import yaml

__all__ = ["rules", "Rules", "norm", "MODS", "APOS", "Word", "words_after", "words_before", "caseless_at", "capital"]

_B, _E = r"(?<![\w\-])", r"(?![\w\-])"
_SP = r"[ \t]+"
APOS = str.maketrans({"\u2019": "'"})
_INSTITUTIONS = ("university", "institution", "faculty", "school", "department", "college", "uni")


def _phrase(p: str) -> str:
    """Regex of one listed phrase: words joined by spaces or hyphens, apostrophes optional."""
    words = re.split(r"[ \-]+", p.strip())
    out = []
    for w in words:
        out.append(re.escape(w).replace("'", "['\u2019]?").replace(r"\'", "['\u2019]?"))
    return r"[\s\-]{1,3}".join(out)


def _alt(phrases: Iterable[str]) -> str:
    ordered = sorted({p.casefold() for p in phrases if p}, key=len, reverse=True)
    return "(?:" + "|".join(_phrase(p) for p in ordered) + ")"


def norm(phrase: str) -> str:
    return re.sub(r"[\s\-]+", " ", phrase.casefold().translate(APOS)).replace("'", "")


def _read(path: str) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it: start-up counts
    return yaml.load(resources.files("rmresearch").joinpath(path).read_text(encoding="utf-8"), Loader=loader) or {}


def _hesa_terms() -> dict[str, list[str]]:
    """Religions, sexual orientations and health examples from the package's HESA code lists."""
    out: dict[str, list[str]] = {"religion": [], "sexuality": [], "health": []}
    for label in _read("data/characteristics/religion.yml").get("codes", {}).values():
        for part in str(label).split(" - "):
            low = part.strip().casefold()
            if not re.search(r"religion|refused|known|other|denomination|church of", low):
                out["religion"].append(low)
    sexual = _read("data/characteristics/sexual_orientation.yml")
    for label in list(sexual.get("codes", {}).values()) + list(sexual.get("aliases", {})):
        # One-word labels only ("Bisexual", "Asexual", "Queer"); "Gay man" and the like are in indirect.yml.
        low = str(label).strip().casefold()
        if re.fullmatch(r"[a-z\-]+", low) and low not in ("other", "heterosexual", "straight", "bi"):
            out["sexuality"].append(low)
    for label in _read("data/characteristics/disability.yml").get("codes", {}).values():
        m = re.search(r"such as (.+)$", str(label))
        if m:
            for part in re.split(r",\s*(?:or\s+)?|\s+or\s+|\s+and/or\s+", m.group(1)):
                low = re.sub(r"^(?:a|an)\s+", "", part.strip().casefold().replace("ad(h)d", "adhd"))
                if 2 < len(low) < 30:
                    out["health"].append(low)
    return out


@dataclass(frozen=True)
class Rules:
    """The compiled lists (see :func:`rules`)."""

    standalone: re.Pattern
    standalone_kind: dict
    acronyms: re.Pattern
    complement: re.Pattern
    complement_kind: dict
    area: re.Pattern
    unit_before: re.Pattern
    unit_after: re.Pattern
    unit_named: re.Pattern
    before_kind: dict
    after_kind: dict
    descriptor: re.Pattern
    special: re.Pattern
    special_kind: dict
    #: lower-case forms of acronyms, tried in caption text only (a named group per kind, like ``special``)
    caption_acronyms: re.Pattern
    fields: frozenset
    services: frozenset
    disciplines: frozenset  # phrases ("sport science", "humanities")
    staff_groups: frozenset
    person_nouns: frozenset
    stops: frozenset
    senior_words: frozenset
    student_words: frozenset
    group_nouns: frozenset
    singular: frozenset
    not_after_principal: frozenset
    title_words: frozenset
    #: what may name a unit before its noun ("the Pharmacy department"): disciplines and service areas
    unit_fields: frozenset
    #: words of the lists that are areas (EDI, race equality): topics of committees, not of units
    areas: frozenset
    #: first word of a phrase (casefolded) -> the names of the matchers that may start there
    triggers: dict


MODS = r"(?:(?:acting|interim|deputy|associate|assistant|executive|senior|joint|co)[ \t\-]+)*"


# The head words of titles: a capitalised one ends a field ("Director of Research | Dean ...").
_TITLE_HEADS = frozenset("""dean deans head heads director directors chair chairs professor professors reader registrar
provost chancellor vice-chancellor pro-vice-chancellor librarian chaplain president officer secretary lead manager
vp pvc dvc vc principal dr prof mr mrs ms miss mx sir dame""".split())
_MOD_WORDS = ("acting", "interim", "deputy", "associate", "assistant", "executive", "senior", "joint", "co")
_DX = r"(?P<dx>diagnosed[ \t]+with|signed[ \t]+off[ \t]+with|suffer(?:s|ed|ing)?[ \t]+from|diagnosis)"
_DX_FIRST = ("diagnosed", "signed", "suffer", "suffers", "suffered", "suffering", "diagnosis")
_DESCRIPTOR = (
    _B + r"(?:(?:(?:the|our|my)[ \t]+)?(?:" + "|".join(_INSTITUTIONS) + r")['\u2019]s[ \t]+(?P<which>only|sole|first)"
    r"|the[ \t]+(?:very[ \t]+)?(?P<which2>only|first|sole|youngest|oldest|last|one)"
    r"|(?:our|my|her|his|their)[ \t]+(?P<which3>only|sole))" + _E
    + r"|" + _B + r"one[ \t]+of[ \t]+(?:only|just|the[ \t]+only|the[ \t]+few|very[ \t]+few)"
    r"(?:[ \t]+(?:two|three|four|five|a[ \t]+few|a[ \t]+handful[ \t]+of))?" + _E)


def _first(phrase: str) -> str:
    """The token a phrase starts with, as the detector's tokenizer gives it (casefolded, no possessive)."""
    word = re.split(r"[\s\-]+", phrase.strip().casefold().translate(APOS))[0]
    return word[:-2] if word.endswith("'s") else word.rstrip("'")


def _triggers(firsts: dict[str, Iterable[str]], exact: dict[str, Iterable[str]]) -> dict[str, tuple]:
    """token as written -> ((matcher name, the next token's allowed casefolded forms or None for any), ...).

    Keyed in the usual casings (lower, Capitalised, UPPER) so that a token is looked up without casefolding it;
    ``exact`` phrases (acronyms matched in capitals only) in their own form. The next-token test lets a frequent
    first word ("work" of "work permit", "senior" of "senior tutor") skip its regex most of the time."""
    seconds: dict[tuple[str, str], set | None] = {}
    for name, phrases in firsts.items():
        for p in phrases:
            k = _first(p)
            if not k:
                continue
            parts = re.split(r"[\s]+", p.strip().casefold().translate(APOS))
            nxt = re.split(r"-", parts[1])[0].rstrip("'") if len(parts) > 1 else ""
            if name in ("standalone", "complement") and k in _MOD_WORDS:
                nxt = ""  # a modifier may come before any title
            key = (k, name)
            if not nxt or not nxt.isalpha() or "-" in parts[0] or seconds.get(key, set()) is None:
                seconds[key] = None
            else:
                seconds.setdefault(key, set()).add(nxt)
    out: dict[str, list] = {}
    for (k, name), nxt in seconds.items():
        entry = (name, frozenset(nxt) if nxt is not None else None)
        for form in {k, k.capitalize(), k.upper(), k.title()}:
            out.setdefault(form, []).append(entry)
    for name, phrases in exact.items():
        for p in phrases:
            out.setdefault(p, []).append((name, None))
    return {k: tuple(sorted(set(v), key=lambda e: e[0])) for k, v in out.items()}


def _special(special: dict) -> tuple[str, dict, list[str], list[str]]:
    """The special-category alternation (one named group per kind), term -> kind, and the terms' first words."""
    hesa = _hesa_terms()
    groups, kinds, firsts, exact = [], {}, list(_DX_FIRST), []
    for kind, spec in special.items():
        if not isinstance(spec, dict):
            continue
        terms = list(spec.get("terms", [])) + list(spec.get("practices", [])) + hesa.get(kind, [])
        kinds.update({norm(t): kind for t in terms})
        body = _alt(terms)
        if spec.get("case_sensitive"):  # acronyms in capitals only
            body = "(?:" + body + "|(?-i:" + "|".join(map(re.escape, spec["case_sensitive"])) + "))"
        if spec.get("before_any"):
            body += "|(?:" + _alt(spec["before_any"]) + r")(?=[ \t]+\w)"
        if spec.get("after_any"):
            body += "|(?:" + _alt(spec["after_any"]) + ")"
        groups.append(f"(?P<{kind}>{body})")
        firsts += terms + list(spec.get("before_any", [])) + list(spec.get("after_any", []))
        exact += list(spec.get("case_sensitive", []))
    groups.append(_DX)
    return _B + "(?:" + "|".join(groups) + ")" + _E, kinds, firsts, exact


@functools.lru_cache(maxsize=1)
def rules() -> Rules:
    """The compiled word lists (read once)."""
    data = _read("data/anonymise/indirect.yml")
    roles, units, desc, special = data["roles"], data["units"], data["descriptors"], data["special"]
    standalone = [t for ts in roles["standalone"].values() for t in ts]
    complement = [t for ts in roles["complement"].values() for t in ts]
    acronyms = [t for ts in roles["acronyms"].values() for t in ts]
    special_rx, special_kind, special_first, special_exact = _special(special)
    fields = set(map(norm, data["disciplines"])) | set(map(norm, roles["services"])) | set(map(norm, roles["scopes"]))
    fields |= set(map(norm, roles["areas"]))
    triggers = _triggers({
        "standalone": standalone + list(_MOD_WORDS), "complement": complement + list(_MOD_WORDS),
        "area": roles["areas"], "unit_before": units["before_field"], "unit_after": units["after_field"],
        "unit_named": units["named"], "special": special_first,
        "descriptor": ("only", "first", "sole", "youngest", "oldest", "last", "one")},
        {"special": special_exact, "acronyms": acronyms,
         "caption_acronyms": [f for v in special.values() if isinstance(v, dict) for f in v.get("caption_forms", ())]})
    return Rules(
        standalone=re.compile(_B + MODS + _alt(standalone) + _E, re.IGNORECASE),
        standalone_kind={norm(t): k for k, ts in roles["standalone"].items() for t in ts},
        acronyms=re.compile(_B + "(?:" + "|".join(map(re.escape, acronyms)) + ")" + _E),
        complement=re.compile(_B + MODS + "(?P<title>" + _alt(complement) + r")(?:[ \t]+(?P<prep>of|for|in)"
                              + r"[ \t]+(?:the[ \t]+)?|[ \t]*(?P<paren>\()[ \t]*)", re.IGNORECASE),
        complement_kind={norm(t): k for k, ts in roles["complement"].items() for t in ts},
        area=re.compile(_B + _alt(roles["areas"]) + _SP + _alt(roles["area_nouns"]) + _E, re.IGNORECASE),
        unit_before=re.compile(_B + "(?P<unit>" + _alt(units["before_field"]) + r")[ \t]+(?:of|for)[ \t]+(?:the[ \t]+)?",
                               re.IGNORECASE),
        unit_after=re.compile(_B + _alt(units["after_field"]) + _E, re.IGNORECASE),
        unit_named=re.compile(_B + _alt(units["named"]) + _E, re.IGNORECASE),
        before_kind=dict(units["before_field"]), after_kind=dict(units["after_field"]),
        descriptor=re.compile(_DESCRIPTOR, re.IGNORECASE),
        special=re.compile(special_rx, re.IGNORECASE),
        special_kind=special_kind,
        caption_acronyms=re.compile(_B + "(?:" + "|".join(
            f"(?P<{k}>" + "|".join(map(re.escape, v["caption_forms"])) + ")" for k, v in special.items()
            if isinstance(v, dict) and v.get("caption_forms")) + ")" + _E),
        fields=frozenset(fields), services=frozenset(map(norm, roles["services"])),
        disciplines=frozenset(map(norm, data["disciplines"])),
        staff_groups=frozenset(map(norm, units["staff_groups"])),
        person_nouns=frozenset(map(norm, desc["person_nouns"])), stops=frozenset(map(norm, desc["stops"])),
        senior_words=frozenset(desc["senior_words"]), student_words=frozenset(desc["student_words"]),
        group_nouns=frozenset(special["group_nouns"]), singular=frozenset(special["singular_nouns"]),
        not_after_principal=frozenset(roles["not_after_principal"]),
        title_words=_TITLE_HEADS,
        areas=frozenset(map(norm, roles["areas"])),
        unit_fields=frozenset(map(norm, data["disciplines"])) | frozenset(map(norm, roles["services"])) | {"studies"},
        triggers=triggers,
    )


# ---------------------------------------------------------------- words around a match
_WORDS = re.compile(r"[^\W\d_][\w'\u2019&+\-]*|\d+|[^\w\s]")


class Word:
    """A word near a match: offsets, text, casefolded key (apostrophes straightened)."""

    __slots__ = ("start", "end", "text", "key", "punct")

    def __init__(self, m: re.Match):
        self.start, self.end, self.text = m.start(), m.end(), m.group()
        self.key = self.text.casefold().translate(APOS)
        self.punct = not self.text[0].isalnum()


def words_after(text: str, pos: int, n: int) -> list[Word]:
    """Up to ``n`` words from ``pos``, stopping at punctuation or a line break."""
    out: list[Word] = []
    last = pos
    for m in _WORDS.finditer(text, pos, min(len(text), pos + 24 * n)):
        if "\n" in text[last:m.start()] or (not m.group()[0].isalnum() and m.group() != "&"):
            break
        out.append(Word(m))
        last = m.end()
        if len(out) >= n:
            break
    return out


def words_before(text: str, pos: int, n: int) -> list[Word]:
    """Up to ``n`` words before ``pos`` (nearest last), stopping at punctuation or a line break."""
    lo = max(0, pos - 24 * n)
    window = text[lo:pos]
    cut = window.rfind("\n")
    if cut >= 0:
        lo += cut + 1
    found = list(_WORDS.finditer(text, lo, pos))
    out: list[Word] = []
    for m in reversed(found):
        if not m.group()[0].isalnum() and m.group() != "&":
            break
        out.append(Word(m))
        if len(out) >= n:
            break
    if len(out) == len(found) and lo > 0 and cut < 0 and out:
        out.pop()  # the first word of the window may be cut
    return out[::-1]


def caseless_at(text: str, pos: int) -> bool:
    """Around ``pos`` the text has no capitals at all (lower-case captions): capitals tell nothing."""
    return text[max(0, pos - 120):pos + 120].islower()


def sentence_initial(text: str, pos: int) -> bool:
    before = text[max(0, pos - 4):pos].rstrip(" \t\"'\u2018\u201c(")
    return not before or before[-1] in ".!?\n:"


_TITLE_WORDS = frozenset(("dr", "prof", "professor", "mr", "mrs", "ms", "miss", "mx", "sir", "dame", "i", "i'm"))


def capital(text: str, w: Word, caseless: bool) -> bool:
    """A capitalised word mid-sentence that may be part of a title's field ("Director of Black Studies")."""
    return (not caseless and w.text[:1].isupper() and len(w.text) > 1 and w.key not in _TITLE_WORDS
            and not sentence_initial(text, w.start))
