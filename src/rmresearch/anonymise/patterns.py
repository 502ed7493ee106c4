"""Pattern layer: e-mail addresses, phone numbers, URLs, UK postcodes, social
handles and locally configured identifiers (staff and student numbers).

Addresses and web addresses read out ("j dot smith at uni.ac.uk") are found here; numbers said in words, split
across a line, timestamp or turn, answered in the next turn or given as an extension by :mod:`.spoken`, whose
spans this layer returns too.

Examples
--------
>>> text = "Email k.mensah@anytown.ac.uk or ring 07700 900123; see www.anytown.ac.uk/edi, AN1 2BC."
>>> [(s.label, s.text) for s in find_patterns(text)]
[('EMAIL', 'k.mensah@anytown.ac.uk'), ('PHONE', '07700 900123'), ('URL', 'www.anytown.ac.uk/edi'), ('POSTCODE', 'AN1 2BC')]
>>> [(s.label, s.text) for s in find_patterns("ID S123456", identifiers={"staff_number": r"\\bS\\d{6}\\b"})]
[('ID_NUMBER', 'S123456'), ('STAFF_NUMBER', 'S123456')]
>>> [(s.label, s.text) for s in find_patterns("Her student number, 0712345, was wrong; payroll no. E-99812.")]
[('STUDENT_NUMBER', '0712345'), ('STAFF_NUMBER', 'E-99812')]
"""

from __future__ import annotations

import re
from typing import Mapping

from ..errors import ConfigError
from .spans import Span
from .spoken import spoken_spans

__all__ = ["find_patterns", "compile_identifiers", "PATTERN_LABELS", "CUED_ID_LABELS"]

#: Categories the pattern layer searches; "ID_NUMBER" switches on identifiers found by their cue.
PATTERN_LABELS = ("EMAIL", "URL", "PHONE", "POSTCODE", "HANDLE", "ID_NUMBER")
#: Labels the cue search gives ("my staff number is ..." -> STAFF_NUMBER).
CUED_ID_LABELS = ("STAFF_NUMBER", "STUDENT_NUMBER", "ID_NUMBER")

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL = re.compile(
    r"(?<![\w@/.-])(?:(?:https?|ftp)://[^\s<>\"'\]\[)(]+"
    r"|www\.[^\s<>\"'\]\[)(]+"
    r"|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:ac\.uk|co\.uk|org\.uk|gov\.uk|nhs\.uk|com|org|net|edu|io|ly|me)"
    r"(?:/[^\s<>\"'\]\[)(]*)?(?![\w@-]))",
    re.IGNORECASE,
)
# Digits with the separators people write in phone numbers (not a line break: a number split across lines or
# cues is :mod:`.spoken`'s, judged as a whole); validated by digit count below.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?(?:\(0\)[\s.-]?)?|00\d{1,3}[\s.-]?|\(0\d{2,4}\)[\s.-]?|0)"
    r"\d(?:[ \t.-]?\d|[ \t]?\(\d+\)){5,13}(?:[ \t]?(?:ext\.?|x)[ \t]?\d{1,5})?(?![\w])",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"(?<![\w-])(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)[ \t]?\d[A-Z]{2}(?![\w-])", re.IGNORECASE)
# A postcode's digits onwards ("13 9PL" of "M13 9PL"): a search led by a digit is fast; the letters before are checked.
_POSTCODE_TAIL = re.compile(r"\d[A-Za-z\d]?[ \t]?\d[A-Za-z]{2}(?![\w-])")
# The letters a postcode may hold in each place (Royal Mail): checked where capitals do not vouch for it.
_POSTCODE_LETTERS = re.compile(r"(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|GIR)\d[ABD-HJLNP-UW-Z]{2}")
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")
# Addresses read out in captions: "victoria dot hale at anytown dot ac dot uk", "at helen underscore cress56".
# Half spoken too: "j dot smith at uni.ac.uk", "j.smith at anytown dot ac dot uk". The local part must show an
# address's shape (a spoken or written dot, underscore, hyphen or a digit), or be no word that often comes before
# "at" ("look at anytown.ac.uk", "look at mentorlink dot org" are web addresses, not e-mails).
_LOCAL = r"[a-z0-9][\w'+-]*(?:\.[\w'+-]+)*"
_SAID = r"(?:[ \t]+(?:dot|underscore|hyphen|dash|point)[ \t]+" + _LOCAL + r")"
_TLD = r"(?:uk|com|org|net|edu|io|ie|info|me)"
# Found from each " at " (a literal search, fast): the domain after it, then the local part before it. Run over
# the text in lower case.
_AT = re.compile(r"[ \t]at[ \t]+")
_DOMAIN = re.compile(
    r"(?:[a-z0-9-]+(?:\.[a-z0-9-]+){0,8}(?:[ \t]+dot[ \t]+[a-z0-9-]+){0,8}[ \t]+dot[ \t]+" + _TLD + r"\b"
    r"|(?P<written>[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:ac\.uk|co\.uk|org\.uk|gov\.uk|nhs\.uk|" + _TLD[3:-1] + r"))(?![\w.-]|\.\w))")
_LOCAL_BEFORE = re.compile(r"(?<![\w.@-])" + _LOCAL + _SAID + r"*\Z")
# Words said before "at" that are no address (a curated list: no package lists them).
_NOT_LOCAL = frozenset("""me us you him her them it this that there here one all both look looked looking is was are
were be been based work works worked working study studied meet met online available see seen find found stay stayed
arrive arrived live lived start started placed staff students people job role post office desk home""".split())
_SPOKEN_HANDLE = re.compile(r"\bat\s[a-z0-9]+(?:\s(?:underscore|dot)\s[a-z0-9]+){0,8}\sunderscore\s[a-z0-9]+\b"
                            r"|\bat\s[a-z0-9]+\sunderscore\s[a-z0-9]+\b", re.IGNORECASE)
_SPOKEN_URL = re.compile(r"\bwww\sdot\s[a-z0-9-]+(?:\sdot\s[a-z0-9-]+)+(?:\sslash\s[a-z0-9-]+)*", re.IGNORECASE)
# A web address read out without "www" ("anytown dot ac dot uk slash mentoring"); found from each " dot ".
_DOT = re.compile(r"[ \t]dot[ \t]")
_SPOKEN_SITE = re.compile(r"[a-z0-9-]+(?:[ \t]+dot[ \t]+[a-z0-9-]+){0,6}?[ \t]+dot[ \t]+"
                          r"(?:(?:ac|co|org|gov|nhs)[ \t]+dot[ \t]+uk|com|org|net|io)\b(?:[ \t]+slash[ \t]+[a-z0-9-]+)*")
_WORD_BEFORE = re.compile(r"[a-z0-9-]+\Z")
_TRAILING = ".,;:!?'\""
# Identifiers announced by what they are ("my staff number is 0412345", "student ID: U1234567"), whatever the
# institution's format: found even when no local pattern is configured.
_ID_CUE = re.compile(
    r"\b(?P<kind>staff|employee|payroll|personnel|student|candidate|registration|matriculation|matric|ucas|library|"
    r"id)\s*+(?:card\s*+)?(?:number|no\.?|num\.?|id|code|ref(?:erence)?)?(?:'s)?"
    r"\s*+(?:is|was|:|,|-|=|of)?\s*+(?:is\s*+)?"  # possessive: spaces read once (no cubic time on a long gap)
    r"(?P<value>[A-Za-z]{0,4}[-/]?\d[A-Za-z0-9/-]{2,15}\b)",
    re.IGNORECASE,
)
_ID_KIND = {"staff": "STAFF_NUMBER", "employee": "STAFF_NUMBER", "payroll": "STAFF_NUMBER", "personnel": "STAFF_NUMBER",
            "student": "STUDENT_NUMBER", "candidate": "STUDENT_NUMBER", "registration": "STUDENT_NUMBER",
            "matriculation": "STUDENT_NUMBER", "matric": "STUDENT_NUMBER", "ucas": "STUDENT_NUMBER"}


def _phone_ok(s: str) -> bool:
    digits = re.sub(r"\D", "", s.split("x")[0].split("X")[0].split("ext")[0])
    if s.startswith("+") or s.startswith("00"):
        return 8 <= len(digits) <= 15
    return 10 <= len(digits) <= 11


# Where a match of _EMAIL, _URL or _ID_CUE can start, found by short literal searches (several times faster than
# letting each regex try every position). _finditer then gives exactly what the regex's finditer would.
_URL_HIT = re.compile(r"://|www\.|\.(?:ac\.uk|co\.uk|org\.uk|gov\.uk|nhs\.uk|com|org|net|edu|io|ly|me)")
_KIND_HIT = re.compile(r"s(?:taff|tudent)|employee|p(?:ayroll|ersonnel)|candidate|registration|matric(?:ulation)?|ucas"
                       r"|library|id")
_PHONE_HIT = re.compile(r"[+(0]")  # a phone number starts with "+", "(0", "00" or "0"
_LOCAL_RUN = re.compile(r"[\w.+-]+\Z")
_LOCAL_CHARS = re.compile(r"[\w.+-]*")
_HOST_CHARS = re.compile(r"[A-Za-z0-9.-]*", re.IGNORECASE)
_HOST_RUN = re.compile(r"[A-Za-z0-9.-]+\Z", re.IGNORECASE)  # as _URL reads them ("İ", "K" included)


def _run_start(rx: re.Pattern, text: str, end: int) -> int:
    """Where the run of characters ``rx`` matches that ends at ``end`` begins (``end`` when there is none)."""
    reach = 256
    while True:
        lo = max(0, end - reach)
        m = rx.search(text, lo, end)
        if m is None:
            return end
        if m.start() > lo or lo == 0:
            return m.start()
        reach *= 4


def _run_starts(rx: re.Pattern, chars: re.Pattern, text: str, ends: list[int]) -> list[int]:
    """:func:`_run_start` for each of the sorted ``ends``; a run already measured is not measured again (linear)."""
    out: list[int] = []
    prev_end = prev_start = -1
    for end in ends:
        if prev_end >= 0 and chars.fullmatch(text, prev_end, end):
            out.append(prev_start)  # the same run goes on to this end
        else:
            prev_start = _run_start(rx, text, end)
            out.append(prev_start)
        prev_end = end
    return out


def _finditer(rx: re.Pattern, text: str, starts) -> list[re.Match]:
    """``rx.finditer(text)`` when every match of ``rx`` starts at one of ``starts``."""
    out: list[re.Match] = []
    done = 0
    for p in sorted(set(starts)):
        if p < done:
            continue
        m = rx.match(text, p)
        if m is not None and m.end() > m.start():
            out.append(m)
            done = m.end()
    return out


def _emails(text: str) -> list[re.Match]:
    """``_EMAIL.finditer(text)``: a match starts where the run of address characters before an "@" starts."""
    ats = []
    at = text.find("@")
    while at >= 0:
        ats.append(at)
        at = text.find("@", at + 1)
    return _finditer(_EMAIL, text, _run_starts(_LOCAL_RUN, _LOCAL_CHARS, text, ats))


def _urls(text: str, low: str) -> list[re.Match]:
    """``_URL.finditer(text)``: a match starts at a "www.", or where the run of host characters before a "://" or
    a ".com", ".ac.uk"... starts."""
    hits = list(_URL_HIT.finditer(low))
    starts = [h.start() for h in hits if h.group() == "www."]
    starts += _run_starts(_HOST_RUN, _HOST_CHARS, text, [h.start() for h in hits])
    return _finditer(_URL, text, starts)


def _postcodes(text: str) -> list[re.Match]:
    """Matches of ``_POSTCODE`` in ``text``, found from their digits."""
    out = []
    for tail in _POSTCODE_TAIL.finditer(text):
        k = tail.start()
        while k > tail.start() - 2 and k > 0 and "a" <= text[k - 1].lower() <= "z":
            k -= 1
        m = _POSTCODE.match(text, k) if k < tail.start() else None
        if m is not None:
            out.append(m)
    if "gir" in text.lower():
        out += [m for m in _POSTCODE.finditer(text) if m.group()[:3].lower() == "gir"]
    return out


def _spoken_sites(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of web addresses read out without "www" ("anytown dot ac dot uk slash edi")."""
    low = text.replace("\u0130", "I").lower()  # same offsets
    out: list[tuple[int, int]] = []
    for dot in _DOT.finditer(low):
        if out and dot.start() < out[-1][1]:
            continue
        w = _WORD_BEFORE.search(low, max(0, dot.start() - 40), dot.start())
        if w is None or w.group() in _NOT_LOCAL or w.group() in ("the", "a", "an", "and", "or", "www"):
            continue  # "the dot com bubble"; "www dot ..." is _SPOKEN_URL's
        m = _SPOKEN_SITE.match(low, w.start())
        if m is not None:
            out.append((m.start(), m.end()))
    return out


def _spoken_emails(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of addresses read out: "victoria dot hale at anytown dot ac dot uk", "j dot smith at uni.ac.uk"."""
    low = text.replace("\u0130", "I").lower()  # same offsets
    out = []
    for at in _AT.finditer(low):
        domain = _DOMAIN.match(low, at.end())
        if domain is None:
            continue
        local = _LOCAL_BEFORE.search(low, max(0, at.start() - 120), at.start())
        if local is None:
            continue
        word = local.group()
        if not re.search(r"[\d._+-]|\s", word) and word in _NOT_LOCAL:  # "look at anytown.ac.uk"
            continue
        out.append((local.start(), domain.end()))
    return out


def compile_identifiers(identifiers: Mapping[str, str] | None, *, source: str = "options.identifiers") -> dict[str, re.Pattern]:
    """Compile ``{name: regex}`` (e.g. ``staff_number: '\\bS\\d{6}\\b'``) with clear errors."""
    out: dict[str, re.Pattern] = {}
    for name, pattern in (identifiers or {}).items():
        if not isinstance(pattern, str) or not pattern:
            raise ConfigError(f"{source}.{name}: expected a regular expression as text, got {pattern!r}")
        try:
            out[str(name).upper()] = re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{source}.{name}: {pattern!r} is not a valid regular expression ({exc}).") from None
    return out


def find_patterns(
    text: str,
    *,
    identifiers: Mapping[str, str | re.Pattern] | None = None,
    labels: tuple[str, ...] = PATTERN_LABELS,
) -> list[Span]:
    """Spans for every pattern identifier in ``text`` (they may overlap: merge afterwards)."""
    spans: list[Span] = []
    low = text.replace("\u0130", "I").lower()  # the same offsets as text

    def add(label: str, start: int, end: int, confidence: float = 1.0) -> None:
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        if end > start:
            spans.append(Span(start, end, label, "patterns", confidence, text[start:end]))

    if "EMAIL" in labels:
        for m in _emails(text):
            add("EMAIL", m.start(), m.end())
        for start, end in _spoken_emails(text):
            add("EMAIL", start, end, 0.95)
    if "URL" in labels:
        for m in _urls(text, low):
            add("URL", m.start(), m.end())
        for m in (_SPOKEN_URL.finditer(text) if "www" in low else ()):
            add("URL", m.start(), m.end(), 0.95)
        taken = [(sp.start, sp.end) for sp in spans if sp.label in ("EMAIL", "URL")]
        for start, end in _spoken_sites(text):
            if not any(a < end and start < b for a, b in taken):  # not the domain of an address read out
                add("URL", start, end, 0.9)
    if "PHONE" in labels:
        for m in _finditer(_PHONE, text, (h.start() for h in _PHONE_HIT.finditer(text))):
            value = m.group().rstrip()
            if _phone_ok(value):
                add("PHONE", m.start(), m.start() + len(value))
    if "POSTCODE" in labels:
        for m in _postcodes(text):
            value = m.group()
            # Any case ("m13 9pl" in captions, "M13 9pl" after a capitalising captioner) when the letters are
            # the Royal Mail's; in lower or mixed case not an ordinal ("the M1 2nd exit", "Y5 3rd").
            if value.isupper() or (_POSTCODE_LETTERS.fullmatch(value.upper().replace(" ", "").replace("\t", ""))
                                   and value[-2:].lower() not in ("st", "nd", "rd", "th")):
                add("POSTCODE", m.start(), m.end())
    if "HANDLE" in labels:
        for m in (_HANDLE.finditer(text) if "@" in text else ()):
            add("HANDLE", m.start(), m.end(), 0.95)
        for m in (_SPOKEN_HANDLE.finditer(text) if "underscore" in low else ()):
            add("HANDLE", m.start(), m.end(), 0.9)
    if any(label in labels for label in ("PHONE", "POSTCODE", "ID_NUMBER")):
        # Said in words, split across lines or cues, answered in the next turn, extensions: see :mod:`.spoken`.
        for sp in spoken_spans(text):
            if sp.label in labels or sp.label in CUED_ID_LABELS and "ID_NUMBER" in labels:
                spans.append(sp)
    if "ID_NUMBER" in labels:
        for m in _finditer(_ID_CUE, text, (h.start() for h in _KIND_HIT.finditer(low))):
            value = m.group("value")
            if sum(ch.isdigit() for ch in value) >= 4:
                add(_ID_KIND.get(m.group("kind").lower(), "ID_NUMBER"), m.start("value"), m.end("value"), 0.95)
    for name, pattern in (identifiers or {}).items():
        rx = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern)
        for m in rx.finditer(text):
            if m.end() > m.start():
                add(str(name).upper(), m.start(), m.end())
    best: dict[tuple[int, int, str], Span] = {}
    for sp in spans:  # one span per place and label (several searches find "staff number is S123456")
        key = (sp.start, sp.end, sp.label)
        if key not in best or sp.confidence > best[key].confidence:
            best[key] = sp
    # A number its cue calls a staff or student number is one, whatever it looks like ("Employee ID 00451233").
    cued = {(s.start, s.end) for s in best.values() if s.label in ("STAFF_NUMBER", "STUDENT_NUMBER")}
    return sorted((s for s in best.values() if not (s.label == "PHONE" and (s.start, s.end) in cued)),
                  key=lambda s: (s.start, -s.end))
