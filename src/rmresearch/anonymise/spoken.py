"""Spoken and broken numbers: phone numbers, postcodes and staff or student numbers said in words
("oh seven seven double oh nine..."), split across a line or a caption cue, given as the answer to a
question in the next turn, and internal extensions.

Every number-like run of the text (digit words, "double"/"treble" + digit, teens and tens, "hundred",
written digit groups and single letters, joined by spaces, commas, hyphens, a line break or a timestamp) is
read into its digits and letters (:func:`read_number`), keeping each item's offsets in the ORIGINAL text;
the reading is then judged by its form:

- a UK or international phone number (0 + 10 to 12 digits spoken, 0 + 10 or 11 written, or "plus" + 44...);
- a UK postcode (letters as the Royal Mail allows them) spoken letter by letter;
- an identifier: a few letters then 5 or more spoken digits, or 6 or more spoken digits (not counting aloud);
  STAFF_NUMBER or STUDENT_NUMBER when a cue ("staff number", "student ID") comes shortly before, ID_NUMBER
  otherwise (also after "NHS number", "passport number", "Home Office reference"...), and National Insurance
  numbers in any case and spacing.

Written digit runs are left to :mod:`.patterns` unless a line break or timestamp splits them. A run split by a
timestamp or caption cue gives one span per piece, so the transcript's own timestamps stay as they were.
Counts, years, times, money, percentages and "one or two" never read as an identifier: they are too short, they
are broken by a word ("two thousand and thirty one", "nine to five"), or a unit follows them.

Examples
--------
>>> read_number("oh seven seven double oh, nine hundred, one two three")
'07700900123'
>>> text = "ring me on oh seven seven double oh nine oh oh one two three, or write to m one three nine p l"
>>> [(s.label, s.text) for s in spoken_spans(text)]
[('PHONE', 'oh seven seven double oh nine oh oh one two three'), ('POSTCODE', 'm one three nine p l')]
>>> [(s.label, s.text) for s in spoken_spans("Interviewer: And your staff number?\\nParticipant: It's 2031 7745.")]
[('STAFF_NUMBER', '2031 7745')]
>>> [(s.label, s.text) for s in spoken_spans("I'm on extension 4412 most days, ext. two two eight one otherwise.")]
[('PHONE', '4412'), ('PHONE', 'two two eight one')]
>>> spoken_spans("We had one or two, maybe twenty five people, from nine to five in two thousand and twenty one.")
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .spans import Span

__all__ = ["spoken_spans", "read_number", "SPOKEN_LABELS"]

#: Labels this layer gives.
SPOKEN_LABELS = ("PHONE", "POSTCODE", "STAFF_NUMBER", "STUDENT_NUMBER", "ID_NUMBER")

# Number words are English's closed class: no package lists them, so they are written out here.
_UNITS = {"zero": "0", "oh": "0", "o": "0", "nought": "0", "one": "1", "two": "2", "three": "3", "four": "4",
          "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_TEENS = {"ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
          "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19"}
_TENS = {"twenty": "2", "thirty": "3", "forty": "4", "fourty": "4", "fifty": "5", "sixty": "6", "seventy": "7",
         "eighty": "8", "ninety": "9"}
_REPEAT = {"double": 2, "treble": 3, "triple": 3}
_WORDS = sorted([*_UNITS, *_TEENS, *_TENS, "hundred"], key=len, reverse=True)

_TS = r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?(?![\d:])[\])]?"
# Between two items: an SRT/VTT cue ("\n\n12\n00:00:05,000 --> 00:00:08,000\n"), a timestamp, a line break,
# a comma, a hyphen or spaces.
# Possessive quantifiers (*+, ++): a long stretch of spaces is read once, not split every way (no quadratic time).
_SEP = (rf"(?:[ \t]*+\n(?:[ \t]*+\n)*+(?:[ \t]*+\d+[ \t]*+\n)?[ \t]*+{_TS}[ \t]*+-->[ \t]*+{_TS}[^\n]*+\n[ \t]*+"
        rf"|[ \t]*+\n?[ \t]*+{_TS}[ \t]*+\n?[ \t]*+"
        r"|[ \t]*+\n\x1e++[ \t]*+"  # the same speaker's next line (its label masked by _continuations)
        # a line break, unless the next line opens with a speaker's label ("...one two three\nP09: As the only"):
        # the number stops there, whoever speaks next (the same speaker's label is masked above)
        r"|[ \t]*+\n(?:[ \t]*+\n)?[ \t]*+(?![^\n:]{1,40}:[ \t])"
        r"|(?:[ \t]*+,[ \t]*+|[ \t]++)(?:um+|uh+|erm|er|ah)(?:[ \t]*+,)?[ \t]++"  # "oh seven seven, um, double oh"
        r"|[ \t]*+[,\-\u2013][ \t]*+|[ \t]++)")
_WORD_ITEM = (r"(?:(?:double|treble|triple)[ \t-]+(?:" + "|".join(_UNITS) + r"|\d)\b"
              r"|" + "|".join(_WORDS) + r")(?![\w'\u2019])")
_DIGITS = r"\d+(?![\w'\u2019%]|[.:/]\d|[ \t]*(?:%|per\s?cent|pm\b|am\b|st\b|nd\b|rd\b|th\b))"
_LETTER = r"[a-z](?![\w'\u2019&]|\.\w)"  # not "e.g." or "a.m."
# Half a postcode written, the rest said ("m13 nine p l", "M13, 9 P L"); not an ordinal ("a1 2nd").
_POSTCODE_PART = r"(?:[a-pr-uwyz][a-hk-y]?\d[a-z\d]?|\d(?!st|nd|rd|th)[abd-hjlnp-uw-z]{2})(?![\w'\u2019])"
_ITEM = rf"(?:{_WORD_ITEM}|{_POSTCODE_PART}|{_DIGITS}|{_LETTER})"
# A run: an optional "plus", then two or more items. The first item does not follow a word character,
# a currency sign or a decimal point.
# Every search runs over the text in lower case (same offsets), without re.IGNORECASE: several times faster.
_RUN = re.compile(rf"(?<![\w£$€.:/'\u2019-])(?:plus[ \t]+)?{_ITEM}(?:{_SEP}{_ITEM})+")
_PART = re.compile(rf"(?P<sep>{_SEP})|(?P<plus>plus)[ \t]+|(?P<item>{_ITEM})")
# Where a run may be: a digit, or a number word after a space or punctuation (a literal-led search, fast); a run
# starts there or up to three letters and a "plus" before ("m one three", "plus four four").
_NUMBER_WORDS = "|".join([*_WORDS, *_REPEAT])
_ANCHORS = (re.compile(r"\d+"), re.compile(r" (?:" + _NUMBER_WORDS + r")(?![\w'\u2019])"),
            re.compile(r"\n(?:" + _NUMBER_WORDS + r")(?![\w'\u2019])"))
_LEAD = re.compile(r"(?:plus[ \t]+)?(?:(?<![\w'\u2019])[a-z](?:[ \t]*[,\-][ \t]*|[ \t]+)){0,3}\Z")
_CUT = re.compile(_TS + "|\x1e")

_POSTCODE = re.compile(r"[A-PR-UWYZ](?:[A-HK-Y]?\d[A-Z\d]?)\d[ABD-HJLNP-UW-Z]{2}")
_ID = re.compile(r"[A-Z]{0,3}\d+[A-Z]?")
# What an identifier is called ("staff number", "student ID", "payroll no.", "my number"); not "student numbers".
_CUE = re.compile(
    r"(?<![\w-])(?:(?P<kind>staff|employee|payroll|personnel|student|candidate|registration|matriculation|matric|ucas|library|id"
    r"|nhs|insurance|ni|passport|visa|brp|home[ \t]+office|reference)"
    r"[ \t]*(?:card[ \t]*)?(?:number|no\b\.?|num\b\.?|id\b|code|ref(?:erence)?|#|card\b)(?!s\b)"
    r"|(?:my|your|her|his|their)[ \t]+(?:id|number)\b(?!s\b))")
_KIND = {"staff": "STAFF_NUMBER", "employee": "STAFF_NUMBER", "payroll": "STAFF_NUMBER",
         "personnel": "STAFF_NUMBER", "student": "STUDENT_NUMBER", "candidate": "STUDENT_NUMBER",
         "registration": "STUDENT_NUMBER", "matriculation": "STUDENT_NUMBER", "matric": "STUDENT_NUMBER",
         "ucas": "STUDENT_NUMBER"}
_EXTENSION = re.compile(r"ext(?<!\wext)(?:ension|\b\.?)(?:[ \t]+(?:number|no\b\.?))?[ \t]*(?:is[ \t]+)?[ \t]*(?=\w)")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class _Item:
    start: int
    end: int
    chars: str  # digits and upper-case letters read from the item
    spoken: bool  # said in words or letters, not written digits
    broken: bool  # a line break or timestamp comes before it
    cut: bool = False  # a timestamp or caption cue comes before it: the span stops there


def _items(text: str, start: int, end: int) -> tuple[list[_Item], bool]:
    """The items of the run ``text[start:end]`` read into digits and letters, and whether it began with "plus"."""
    raw: list[tuple[int, int, str, int]] = []  # start, end, lower-case text, before: 0 | 1 line break | 2 timestamp
    plus = False
    broken = 0
    for m in _PART.finditer(text, start, end):
        sep = m.group("sep")
        if sep is not None:
            broken = max(broken, 2 if _CUT.search(sep) else 1 if "\n" in sep else 0)
            nxt = _PART.match(text, m.end(), end)
            if nxt is None or nxt.group("item") is None:
                break  # (a separator read two ways: keep what came before)
            if "," in sep and len(raw) > 1 and len(nxt.group()) == 1 and nxt.group().isalpha():
                break  # "... four five six, I think": a letter after a comma starts the next words
        elif m.group("plus") is not None:
            plus = True
        else:
            raw.append((m.start(), m.end(), m.group().lower(), broken))
            broken = 0
    out: list[_Item] = []
    k = 0
    while k < len(raw):
        s, e, word, brk = raw[k]
        if word.isdigit():
            out.append(_Item(s, e, word, False, brk > 0, brk > 1))
        elif any(c.isdigit() for c in word):  # half a postcode
            out.append(_Item(s, e, word.upper(), True, brk > 0, brk > 1))
        elif word in _UNITS:
            out.append(_Item(s, e, _UNITS[word], True, brk > 0, brk > 1))
        elif word in _TEENS:
            out.append(_Item(s, e, _TEENS[word], True, brk > 0, brk > 1))
        elif word in _TENS:
            nxt = raw[k + 1] if k + 1 < len(raw) else None
            if nxt and not nxt[3] and nxt[2] in _UNITS and nxt[2] not in ("zero", "oh", "o", "nought"):
                out.append(_Item(s, nxt[1], _TENS[word] + _UNITS[nxt[2]], True, brk > 0, brk > 1))  # "twenty three"
                k += 1
            else:
                out.append(_Item(s, e, _TENS[word] + "0", True, brk > 0, brk > 1))
        elif word == "hundred":
            if out and not brk and out[-1].spoken:
                out.append(_Item(s, e, "00", True, False))  # "seven hundred", "oh seven seven hundred"
            else:
                out.append(_Item(s, e, "", True, brk > 0, brk > 1))
        elif len(word) == 1:
            out.append(_Item(s, e, word.upper(), True, brk > 0, brk > 1))
        else:
            rep, unit = re.split(r"[ \t-]+", word, maxsplit=1)
            out.append(_Item(s, e, _UNITS.get(unit, unit) * _REPEAT[rep], True, brk > 0, brk > 1))
        k += 1
    return out, plus


def read_number(words: str) -> str:
    """The digits and letters said in ``words`` ("oh seven seven double oh" -> "07700"; "m one three" -> "M13")."""
    low = words.lower()
    return "".join("".join(it.chars for it in _items(low, m.start(), m.end())[0]) for m in _RUN.finditer(low))


# Words after a number that make it a count or an amount ("12 000 staff", "2019 and", "300 pounds"): not an ID.
_COUNT_WORDS = re.compile(r"[ \t]*(?:people|persons?|staff|students?|pupils|members|colleagues|applicants|"
                          r"of|and|or|to|pounds|quid|grand|k\b|percent|per|years?|months?|weeks?|days?|hours?|"
                          r"minutes?|times|million|thousand|hundred)\b")


def _counted(low: str, end: int) -> bool:
    """Whether the number ending at ``end`` is followed by a word that makes it a count or an amount."""
    return _COUNT_WORDS.match(low, end) is not None


_SENTENCE_END = re.compile(r"(?<!\.)[.!;](?!\.)\s")  # not an ellipsis ("my student number... it's")


def _cue_before(text: str, start: int, *, reach: int = 120) -> str | None:
    """The label a cue shortly before ``start`` gives ("my staff number is" -> STAFF_NUMBER), or None.

    The cue may sit in the previous line when that line asks for it ("And your staff number?\\nIt's ...").
    """
    lo = max(0, start - reach)
    last = None
    for m in _CUE.finditer(text, lo, start):
        last = m
    if last is None:
        return None
    between = _CUT.sub(" ", text[last.end():start])  # a timestamp between ("[Participant] 14:44:15") is no number
    if between.count("\n") > 1 or re.search(r"\d", between):
        return None
    if "\n" in between:
        asked, answer = between.split("\n")
        if "?" not in asked or len(_WORD.findall(answer)) > 8:
            return None  # the line does not ask for the number, or the answer turn talks of other things first
    elif len(_WORD.findall(between)) > 8 or _SENTENCE_END.search(between):
        return None  # a sentence ended between cue and number
    kind = last.group("kind")
    return _KIND.get(kind.lower(), "ID_NUMBER") if kind else "ID_NUMBER"


# Counting aloud ("one, two, three, four, five, six") reads like a number but names nothing, unless a cue asks.
_COUNTING = "0123456789 9876543210"


def _counting(items: list[_Item]) -> bool:
    """Whether the items count up or down by one ("ten, eleven, twelve", "seven, eight, nine, ten")."""
    values = [int(it.chars) for it in items if it.chars.isdigit()]
    if len(values) < 3 or len(values) < len(items) - 1:
        return False
    steps = {b - a for a, b in zip(values, values[1:])}
    return steps in ({1}, {-1})


def _judge(text: str, items: list[_Item], plus: bool) -> str | None:
    """The label of a run's reading, or None when it is no identifier."""
    chars = "".join(it.chars for it in items)
    spoken = any(it.spoken for it in items)
    broken = any(it.broken for it in items)
    if not chars:
        return None
    digits = chars.isdigit()
    if not (spoken or broken):
        # Written digit groups are the pattern layer's, unless a cue asks for them ("staff number is 2031 7745").
        cue = _cue_before(text, items[0].start) if digits and len(chars) >= 5 and len(items) > 1 else None
        return cue if cue and _ID.fullmatch(chars) and not _counted(text, items[-1].end) else None
    if plus and digits and 8 <= len(chars) <= 15:
        return "PHONE"
    if spoken and len(chars) >= 5 and not digits and _POSTCODE.fullmatch(chars):
        return "POSTCODE"
    cue = _cue_before(text, items[0].start)
    if digits and chars.startswith("0") and (10 <= len(chars) <= (12 if spoken else 11)) and cue in (None, "ID_NUMBER"):
        return "PHONE"  # "my number is oh seven..." is a phone number; "my staff number is" is not
    if digits and chars.startswith("44") and spoken and 11 <= len(chars) <= 13:
        return "PHONE"
    n_digits = sum(c.isdigit() for c in chars)
    if not _ID.fullmatch(chars) or len(chars) > 14:
        return None
    if cue is not None and n_digits >= 4 and not _counted(text, items[-1].end):
        return cue
    # Said in number words, or letters then digits ("E 99812"); not written digits and a word ("12 34 56 a day").
    worded = any(it.spoken and it.chars.isdigit() for it in items) or re.fullmatch(r"[A-Z]{1,3}\d+", chars)
    if worded and (n_digits >= 6 or n_digits >= 5 and not digits) and chars not in _COUNTING \
            and not _counting(items):
        return "ID_NUMBER"
    return None


def _pieces(text: str, items: list[_Item], label: str, confidence: float, *, start: int | None = None) -> list[Span]:
    """One span per piece of a run that a timestamp or caption cue splits (a line break does not); the first
    from ``start``."""
    out: list[Span] = []
    lo = items[0].start if start is None else start
    for prev, it in zip([None, *items], [*items, None]):
        if it is None or (prev is not None and it.cut):
            out.append(Span(lo, prev.end, label, "patterns", confidence, text[lo:prev.end]))
            if it is not None:
                lo = it.start
    return out


def _trim(items: list[_Item]) -> list[list[_Item]]:
    """Readings of a run to judge, best first: without a trailing "I" or "a" ("... five six I think"), as it is,
    then without up to two leading letters ("a one two...")."""
    out = [items]
    if len(items) >= 2 and items[-1].chars in ("A", "I"):
        out.insert(0, items[:-1])
    if len(items) > 2 and items[0].spoken and items[0].chars == "0":
        out.append(items[1:])  # "Oh, um, S 551 208": an "oh" that only starts the answer
    lead = 0
    while lead < len(items) - 1 and lead < 2 and items[lead].chars.isalpha():
        lead += 1
        out.append(items[lead:])
    return out


def _runs(text: str, low: str, digits: list[re.Match]) -> list[Span]:
    out: list[Span] = []
    done = 0  # the end of the last run: anchors before it are inside it
    starts = sorted([d.start() for d in digits] + [a.start() + 1 for rx in _ANCHORS[1:] for a in rx.finditer(low)])
    if low[:1].isalpha():
        starts.insert(0, 0)
    for p in starts:
        if p < done:
            continue
        k = p
        while k > p - 2 and k > done and "a" <= low[k - 1] <= "z":
            k -= 1  # "m13 nine p l": the run starts at the letters of the word the digits are in
        lead = _LEAD.search(low, max(done, k - 20), k)
        m = (_RUN.match(low, lead.start()) if lead and lead.start() < k else None) or _RUN.match(low, k)
        if m is None:
            continue
        done = m.end()
        items, plus = _items(low, m.start(), m.end())
        items = [it for it in items if it.chars or it is not items[0]]
        readings = _trim(items)
        for cand in readings:
            first = plus and cand[0] is items[0]
            label = _judge(low, cand, first)
            if label and label != "POSTCODE" and len(cand) > 1 and cand[-1].chars in ("A", "I"):
                # a trailing "I" or "a" ends a postcode ("sw1a 1aa"), never an identifier ("... 789 I think")
                cand = cand[:-1]
                label = _judge(low, cand, first)
            if label:
                conf = 0.95 if label in ("PHONE", "POSTCODE") else 0.9
                out += _pieces(text, cand, label, conf, start=m.start() if first else None)
                break
    return out


def _value_at(low: str, start: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` of a written identifier around the digits ``low[start:end]`` (up to three letters and a
    hyphen or slash before, one letter after: "s123456", "e-99812", "1234567a"), or None."""
    k = start - 1 if low[start - 1:start] in ("-", "/") else start
    n = 0
    while n < 3 and k > 0 and "a" <= low[k - 1] <= "z":
        k, n = k - 1, n + 1
    if k < start and not n:
        k = start  # "-1234": a hyphen with no letters is no part of it
    before = low[k - 1:k]
    if before and (before.isalnum() or before in "._£$\u00a3"):
        return None
    if "a" <= low[end:end + 1] <= "z" and not low[end + 1:end + 2].isalnum():
        end += 1
    after = low[end:end + 2]
    if after[:1].isalnum() or after[:1] in ("%", "_") or (after[:1] in ".:,/" and after[1:2].isdigit()):
        return None
    return k, end


def _single_after_cue(text: str, low: str, digits: list[re.Match]) -> list[Span]:
    """One written number after its cue: "my number is 0412345", or in the turn that answers the question
    ("your staff number?\\nIt's 20317745.")."""
    out: list[Span] = []
    for d in digits:
        if d.end() - d.start() < 4:
            continue
        v = _value_at(low, d.start(), d.end())
        if v is None or sum(c.isdigit() for c in low[v[0]:v[1]]) < 5:
            continue
        v_start, v_end = v
        label = None if _counted(low, v_end) else _cue_before(low, v_start)
        if label == "ID_NUMBER" and re.fullmatch(r"0\d{9,10}", low[v_start:v_end]):
            label = "PHONE"
        if label:
            out.append(Span(v_start, v_end, label, "patterns", 0.85, text[v_start:v_end]))
    return out


_EXT_DIGITS = re.compile(r"\d{3,6}(?!\w|[.,]\d)")


def _extensions(text: str, low: str, digits: list[re.Match]) -> list[Span]:
    """Internal extensions: "extension 4412", "on ext. 2281", "x4412", "extension four four one two"."""
    out: list[Span] = []
    for d in digits:
        s, e = d.span()
        if 3 <= e - s <= 5 and low[s - 1:s] == "x" and not low[s - 2:s - 1].isalnum() and low[s - 2:s - 1] != "." \
                and not low[e:e + 1].isalnum():
            out.append(Span(s, e, "PHONE", "patterns", 0.9, text[s:e]))
    for m in _EXTENSION.finditer(low):
        w = _EXT_DIGITS.match(low, m.end())
        if w:
            out.append(Span(w.start(), w.end(), "PHONE", "patterns", 0.95, text[w.start():w.end()]))
            continue
        r = _RUN.match(low, m.end())
        if r:
            items, _ = _items(low, r.start(), r.end())
            chars = "".join(it.chars for it in items)
            if chars.isdigit() and 3 <= len(chars) <= 6 and not any(it.broken for it in items):
                out.append(Span(items[0].start, items[-1].end, "PHONE", "patterns", 0.9,
                                text[items[0].start:items[-1].end]))
    return out


# A National Insurance number, written in any case or spacing ("QQ 12 34 56 C", "qq123456c"): HMRC's letters.
_NI_TAIL = re.compile(r"\d{2}[ \t]?\d{2}[ \t]?\d{2}[ \t]?[a-d](?![\w'\u2019])")
_NI_PREFIX = re.compile(r"(?<![\w'\u2019])(?!bg|gb|kn|nk|nt|tn|zz)[a-ceghj-pr-tw-z][a-ceghj-npr-tw-z][ \t]?\Z")


def _ni_numbers(text: str, low: str) -> list[Span]:
    out: list[Span] = []
    for m in _NI_TAIL.finditer(low):
        p = _NI_PREFIX.search(low, max(0, m.start() - 3), m.start())
        if p is not None:
            out.append(Span(p.start(), m.end(), "ID_NUMBER", "patterns", 0.9, text[p.start():m.end()]))
    return out


#: A speaker's label at a line start: a few words with a letter in them ("Kwame", "P08", "SPEAKER_01"), not a time.
_LABEL_LINE = re.compile(r"\n((?=[^\n:]{0,39}[a-z])[^\n:]{1,40}):(?=[ \t])")


def _continuations(low: str) -> str:
    """``low`` with the speaker label masked where the same speaker's next line goes on with a number ("Kwame:
    ring me on 07700\\nKwame: 900456"), so a run reads across it and stops on each side (one span per line)."""
    if "\n" not in low:
        return low
    parts: list[str] = []
    pos = 0
    prev_label, prev_end = None, -1
    first = re.match(r"((?=[^\n:]{0,39}[a-z])[^\n:]{1,40}):(?=[ \t])", low)
    if first:
        prev_label, prev_end = first.group(1), first.end()
    for m in _LABEL_LINE.finditer(low):
        label = m.group(1)
        same = label == prev_label and "\n" not in low[prev_end:m.start()]
        if same and low[m.start() - 1:m.start()].isalnum() and low[m.end() + 1:m.end() + 2].isalnum():
            parts += [low[pos:m.start() + 1], "\x1e" * (m.end() - m.start() - 1)]
            pos = m.end()
        prev_label, prev_end = label, m.end()
    return "".join(parts) + low[pos:] if parts else low


def spoken_spans(text: str) -> list[Span]:
    """Spans of spoken and broken phone numbers, postcodes and identifiers in ``text`` (original offsets)."""
    # str.lower keeps every offset but one: U+0130 (I with a dot) lowers to two characters.
    low = _continuations(text.replace("\u0130", "I").lower())
    digits = list(_ANCHORS[0].finditer(low))
    spans = (_runs(text, low, digits) + _single_after_cue(text, low, digits) + _extensions(text, low, digits)
             + _ni_numbers(text, low))
    return sorted(spans, key=lambda s: (s.start, -s.end))
