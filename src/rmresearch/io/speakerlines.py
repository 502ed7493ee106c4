"""Speaker lines: every shape in which a transcript says who speaks, recognised one line at a time.

The readers in :mod:`rmresearch.io.transcripts` (plain text, ``.docx``, captions) and the raw-text path of the
anonymiser (:func:`rmresearch.anonymise.speakers.speaker_prefixes`, for JSONL lines and pasted passages) both
classify lines with :func:`classify` and decide which candidates are speakers with :func:`accepted_labels`, so a
label the reader takes as a speaker is also found in raw text, and the other way round.

Shapes (as the tools write them)
--------------------------------
``colon``
    ``Name: text``, ``Name (0:03): text``, ``[SPEAKER_00]: text`` (WhisperX captions), and ``NAME:`` or
    ``Speaker 1 (00:00):`` with the turn's text on the next lines (Rev, typed transcripts). An optional
    leading timestamp (``[00:03:12]``, ``(0:03)``, ``00:03:12``) comes first.
``header``
    A line holding only the speaker and a time, the text on the next lines: Otter and Teams
    ``Name  0:03`` (two spaces or a tab; also ``Name  1:02:03``), Otter ``Name 0:03`` with one space, and
    Zoom's saved transcript ``[Name] 11:02:09`` (a clock time of day, so the turn gets no start time).
``arrow``
    The older Teams ``.docx`` export: a cue timing line (``0:0:5.100 --> 0:0:8.250``), the speaker's name alone
    on the next line, then the text (:func:`classify_lines`; the timing line is not speech).
``tabbed``
    Tab-separated exports (Zoom's .txt, Kontur Talk): ``00:00:05<TAB>Name<TAB>text`` or
    ``Name<TAB>0:05<TAB>text``, taken when two or more lines of the file are in that shape.
``inline``
    Zoom's saved transcript with the text on the same line, ``[Name] 11:02:09 text``, and whisper.cpp's
    ``(speaker 1) text``.

Which candidates are speakers (:func:`accepted_labels`): a ``Name: text`` label when it looks like a name (every
word capitalised, or a particle such as *van*, *bin*; digits allowed, e.g. ``Speaker 1``) or starts two or more
lines (lower-case captions, ``interviewer: ...``); a ``Name:`` at the end of its line only when it starts two or
more lines or the file has at least two such speakers (a dialogue), so one heading ``Key points:`` stays prose;
a one-space ``Name 0:03`` header only when it looks like a name and the file has two or more headers. Metadata
labels (``Date:``, ``Note:``, ``Location:`` ...) are never speakers. Everything here is precompiled and applied to
one line at a time: linear in the text.

Examples
--------
>>> line = classify("Orla Quigley  0:09")
>>> line.shape, line.kind, line.label, line.ts
('header', 'header', 'Orla Quigley', 9.0)
>>> classify("[Dariusz Lindqvist] 11:02:15 Yes, go on.").text_start
29
>>> classify("so what I said was: no").label, classify("Note:") is None
('so what I said was', True)
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from dataclasses import dataclass
from typing import Iterable, Sequence

__all__ = ["SpeakerLine", "classify", "classify_lines", "accepted_labels", "display_name", "leading_timestamp", "label_ok", "name_like",
           "is_diarisation", "seconds"]

TS = r"(?:\d{1,2}:)?\d{1,3}:\d{2}(?:[.,]\d{1,3})?"
_LEADING_TS = re.compile(
    rf"^[ \t]*(?:[\[(](?P<bracketed>{TS})[\])]|(?P<bare>\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?)(?=\s|$))[ \t]*"
)
# Name: text / Name (0:03): text / Name: (end of line) / [SPEAKER_00]: text
_COLON = re.compile(
    rf"(?:\[(?P<square>[^\W\d_][^\]\n]{{0,79}})\]|(?P<label>[^\W\d_][^:\n]{{0,79}}?))[ \t]*"
    rf"(?:[\[(](?P<ts>{TS})[\])])?[ \t]*:(?:[ \t]+(?P<text>\S.*)|[ \t]*$)",
    re.S,
)
# Otter / Teams "Name  0:03" (two or more spaces, or a tab), Otter "Name 0:03" (one space).
_HEADER = re.compile(
    r"(?P<name>[^\W\d_](?:[^\n]{0,98}?\S)?)(?P<gap>[ \u00a0]{2,}|\t|[ \u00a0])[ \t\u00a0]*"
    r"(?P<time>(?:\d{1,2}:)?\d{1,3}:\d{2})[ \t]*$"
)
# Zoom's saved transcript: "[Name] 11:02:09" with the text on the next line, or after the time.
_ZOOM = re.compile(r"\[(?P<name>[^\W\d_][^\]\n]{0,79})\][ \t]+(?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2})(?:[ \t]+(?P<text>\S.*))?[ \t]*$",
                   re.S)
# Tab-separated exports (a Zoom .txt, Kontur Talk): "00:00:05<TAB>Name<TAB>text" or "Name<TAB>00:00:05<TAB>text".
_TABBED = re.compile(rf"(?P<name>[^\W\d_][^\t\n]{{0,79}}?)[ ]*\t+(?:(?P<ts>{TS})[ ]*\t+)?(?!{TS}[ \t]*$)(?P<text>\S.*)$", re.S)
# whisper.cpp's diarised text output: "(speaker 1) text".
_PAREN_SPEAKER = re.compile(r"\((?P<name>speaker[ _]?\d{1,3})\)[ \t]*(?P<text>\S.*)$", re.I | re.S)
# The older Teams .docx: "0:0:5.100 --> 0:0:8.250" (hours, minutes and seconds not zero-padded).
_ARROW = re.compile(r"[ \t]*(?P<start>\d{1,2}:\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?)[ \t]*-->[ \t]*"
                    r"\d{1,2}:\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?[ \t]*$")
# A line can be a speaker line only if a colon (of ``Name:`` or of a time) or a tab comes in its first 120
# characters or it starts with "(" (a label is at most 80 characters, a header's time ends a short line): the
# cheap test that lets most lines of a long text skip the classifier.
_LOOK = 120
_DIARISATION = re.compile(r"(?:speaker|spk|spkr)[ _\-]?(?:\d{1,3}|[A-Z])|SPEAKER_\d{1,3}", re.I)
# What a display name adds after the name: pronouns, a meeting role, an organisation ("(she/her)", "(Host)",
# "| Anytown University"). The speaker is the name before it.
_AFFIX = re.compile(r"[ \t\u00a0]*(?:\((?:[a-z]+/[a-z]+(?:/[a-z]+)?|he|she|they|host|co-host|guest|external"
                    r"|[^()]*\bpronouns?\b[^()]*)\)|\|[^|]*)[ \t\u00a0]*$", re.I)
# Tokens of a label: letters, digits and the marks of display names ("O'Neill", "(she/her)", "| Anytown", "Rowe,").
_LABEL_TOKEN = re.compile(r"^[\w.'’()&@\-/|,]+$")
_PARTICLES = frozenset(
    "van von der den de del della di da dos das du le la el al bin binti bint ibn ben ter ten ap ab y e of and".split()
)
# Labels that start metadata lines, never speakers.
_NOT_SPEAKERS = frozenset(
    """date time duration location place venue note notes nb ps re subject title topic file filename recording
    transcript transcription meeting attendees participants present language kind source url link email e-mail
    tel telephone phone mobile fax web website address postcode example warning important update edit quote
    reference ref agenda summary keywords tags project interview session
    consent status format platform medium mode department faculty school position version pseudonym organiser
    organizer audio video length
    music applause laughter laughs laughing inaudible unintelligible crosstalk silence noise pause foreign""".split()
) | {"transcribed by", "meeting title", "interview date", "e.g", "i.e", "e.g.", "i.e."}


@dataclass(frozen=True)
class SpeakerLine:
    """One line that may start a speaker's turn.

    ``shape`` is one of ``colon`` (``Name: text``), ``colon_eol`` (``Name:`` at the end of the line),
    ``tabbed`` (``Name<TAB>text``), ``header`` (``Name  0:03``), ``header1`` (``Name 0:03``, one space),
    ``zoom`` (``[Name] 11:02:09``), ``arrow`` (the name after an older Teams cue timing line),
    ``zoom_inline`` (``[Name] 11:02:09 text``) or ``paren`` (``(speaker 1) text``); ``label`` the speaker as
    written, at ``label_start:label_end`` of the line; ``ts`` the seconds of a time on the line (the label's own
    or a leading one); ``text_start`` where the turn's words start on the line (the line's length when they
    start on the next line).
    """

    shape: str
    label: str
    label_start: int
    label_end: int
    ts: float | None
    text_start: int

    @property
    def kind(self) -> str:
        """``"colon"``, ``"header"`` (the text follows on the next lines) or ``"inline"``."""
        return _KINDS[self.shape]


_KINDS = {"colon": "colon", "colon_eol": "colon", "tabbed": "colon", "header": "header", "header1": "header",
          "zoom": "header", "arrow": "header", "zoom_inline": "inline", "paren": "inline"}
# Loose one-space headers that are dates or times in notes ("Monday 9:30"), not speakers.
_CALENDAR = frozenset("""monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday morning
    afternoon evening tonight noon midnight at until till from by to around about approx approximately
    january february march april june july august september october november december week day term semester
    lecture seminar class lunch break start end call deadline train bus flight""".split())


def seconds(stamp: str) -> float:
    """``"1:02:03.5"`` -> 3723.5 (hours and minutes optional; a comma decimal allowed)."""
    parts = stamp.replace(",", ".").split(":")
    hours = int(parts[-3]) if len(parts) >= 3 else 0
    minutes = int(parts[-2]) if len(parts) >= 2 else 0
    return hours * 3600 + minutes * 60 + float(parts[-1])


def leading_timestamp(line: str) -> tuple[float | None, int]:
    """The seconds of a timestamp at the start of ``line`` and where the rest starts (``(None, 0)`` if none)."""
    m = _LEADING_TS.match(line)
    if not m:
        return None, 0
    return seconds(m.group("bracketed") or m.group("bare")), m.end()


@lru_cache(maxsize=8192)  # labels repeat on every turn
def label_ok(label: str) -> bool:
    """Short, made of name-like tokens, and not a metadata word (``Date``, ``Note`` ...)."""
    tokens = label.split()
    return (
        0 < len(tokens) <= 6
        and len(label) <= 80
        and all(_LABEL_TOKEN.match(t) for t in tokens)
        and label.lower().rstrip(".") not in _NOT_SPEAKERS
        and label.lower() not in _NOT_SPEAKERS
    )


@lru_cache(maxsize=8192)  # labels repeat on every turn
def name_like(label: str) -> bool:
    """Every word capitalised (or caseless, a digit group or a name particle), before any "(she/her)" or "| Org"."""
    head = re.split(r"[(|]", label, maxsplit=1)[0]
    real = 0
    for token in (head if head.strip() else label).split():
        if token.lower() in _PARTICLES:
            continue
        letters = [ch for ch in token if ch.isalpha()]
        if letters and letters[0].islower():
            return False
        real += 1
    return real > 0


@lru_cache(maxsize=8192)  # labels repeat on every turn
def is_diarisation(label: str) -> bool:
    """A diarisation label (``SPEAKER_00``, ``Speaker 2``, ``spk_1``): a speaker, never a name.

    >>> [is_diarisation(x) for x in ("SPEAKER_00", "Speaker 2", "Speaker B", "Speakman", "Orla")]
    [True, True, True, False, False]
    """
    return _DIARISATION.fullmatch(label.strip()) is not None


def classify(line: str) -> SpeakerLine | None:
    """The speaker shape ``line`` (one line, no line break) is in, or ``None`` for an ordinary line."""
    ts, pos = leading_timestamp(line)
    rest = line[pos:].lstrip(" \t\u00a0\ufeff")
    if not rest:
        return None
    pos = len(line) - len(rest)
    first = line[pos]
    if first == "[":
        m = _ZOOM.match(line, pos)
        if m and label_ok(m.group("name").strip()):
            # Zoom writes the clock time of day, not the time into the recording: no start is taken from it.
            if m.group("text"):
                return _found("zoom_inline", line, m, "name", None, m.start("text"))
            return _found("zoom", line, m, "name", None, len(line))
    elif first == "(":
        m = _PAREN_SPEAKER.match(line, pos)
        return _found("paren", line, m, "name", ts, m.start("text")) if m else None
    if "\t" in line:
        m = _TABBED.match(line, pos)
        if m and label_ok(m.group("name").strip()):
            stamp = seconds(m.group("ts")) if m.group("ts") else ts
            return _found("tabbed", line, m, "name", stamp, m.start("text"))
    m = _COLON.match(line, pos)
    if m:
        group = "square" if m.group("square") else "label"
        if label_ok(m.group(group).strip()):
            stamp = seconds(m.group("ts")) if m.group("ts") else ts
            if m.group("text"):
                return _found("colon", line, m, group, stamp, m.start("text"))
            return _found("colon_eol", line, m, group, stamp, len(line))
    if ts is None and first.isalpha():
        m = _HEADER.match(line, pos)
        if m and label_ok(m.group("name")):
            shape = "header1" if m.group("gap") in (" ", "\u00a0") else "header"
            return _found(shape, line, m, "name", seconds(m.group("time")), len(line))
    return None


def classify_lines(lines: Sequence[str]) -> tuple[list[SpeakerLine | None], dict[int, float]]:
    """:func:`classify` for each of ``lines``, plus the shape only the line before shows: the older Teams
    ``.docx`` (a cue timing line, the speaker's name alone on the next line, then the text).

    Returns the candidates (``None`` for ordinary lines) and ``{index: start seconds}`` of the cue timing lines
    (not speech).

    >>> cands, timings = classify_lines(["0:0:5.100 --> 0:0:8.250", "Ysolde Haverkamp", "Shall we start?"])
    >>> cands[1].shape, cands[1].label, cands[1].ts, timings
    ('arrow', 'Ysolde Haverkamp', 5.1, {0: 5.1})
    """
    out: list[SpeakerLine | None] = []
    timings: dict[int, float] = {}
    for line in lines:
        head = line[:_LOOK]
        out.append(classify(line) if ":" in head or "\t" in head or head.lstrip().startswith("(") else None)
    for i, line in enumerate(lines):
        if out[i] is None and "-->" in line and (m := _ARROW.match(line)):
            timings[i] = seconds(m.group("start"))
            if i + 2 < len(lines) and out[i + 1] is None and not _ARROW.match(lines[i + 2]):
                name = lines[i + 1]
                label = name.strip()
                if label and label[0].isalpha() and label_ok(label):
                    start = name.index(label)
                    out[i + 1] = SpeakerLine("arrow", label, start, start + len(label), timings[i], len(name))
    return out, timings


def display_name(label: str) -> str:
    """The name of a display name: pronouns, a meeting role or an organisation after it removed.

    >>> display_name("Ysolde Haverkamp (she/her) | Anytown University"), display_name("Interviewer (JS)")
    ('Ysolde Haverkamp', 'Interviewer (JS)')
    """
    end = len(label)
    while (affix := _AFFIX.search(label, 0, end)) and affix.start() > 0:
        end = affix.start()
    return label[:end]


def _found(shape, line, m, group, ts, text_start) -> SpeakerLine:
    start, end = m.span(group)
    while end > start and line[end - 1] in " \t\u00a0":
        end -= 1
    while start < end and line[start] in " \t\u00a0":
        start += 1
    while (affix := _AFFIX.search(line, start, end)) and affix.start() > start:
        end = affix.start()  # "Ysolde Haverkamp (she/her) | Anytown University": the speaker is the name
    return SpeakerLine(shape, line[start:end], start, end, ts, text_start)


def accepted_labels(lines: Iterable[SpeakerLine | None], *, n_lines: int | None = None) -> set[tuple[str, str]]:
    """The ``(shape, label)`` pairs of ``lines`` that are speakers, decided over the whole file.

    ``n_lines``, the number of non-blank lines (or cues) of the file: when there are three or more and every one
    starts ``label: text``, the file is written in that shape, so a lower-case label said once (``siobhan: no go
    on`` among repeated ``kwame:`` lines) is a speaker too when it has one or two words.

    >>> cands = [classify(x) for x in ("INTERVIEWER:", "BEATRIX ROWE:", "Key points:", "so I said: no")]
    >>> sorted(x[1] for x in accepted_labels(cands[:2])), accepted_labels(cands[2:])
    (['BEATRIX ROWE', 'INTERVIEWER'], set())
    """
    lines = [x for x in lines if x is not None]
    counts = Counter((x.kind == "header", x.label) for x in lines)
    dense = n_lines is not None and n_lines >= 3 and sum(1 for x in lines if x.shape == "colon") == n_lines
    headers = sum(1 for x in lines if x.kind == "header")
    # "[name] 11:02:09" twice or more: the file is a Zoom saved transcript, whose display names may be lower case
    zoomed = sum(1 for x in lines if x.shape in ("zoom", "zoom_inline")) >= 2

    def talker(label: str) -> bool:
        n = counts[(False, label)]
        if "," in label:  # "Haverkamp, Ysolde:" (a directory display name), but "Yes, Ysolde: ..." once is speech
            return n >= 2 and name_like(label)
        return (name_like(label) or is_diarisation(label) or (n >= 2 and len(label.split()) <= 3)
                or (dense and len(label.split()) <= 2))

    spoken = {x.label for x in lines if (x.shape in ("colon", "zoom_inline") and talker(x.label))
              or (x.shape == "zoom_inline" and zoomed)}
    tabbed = sum(1 for x in lines if x.shape == "tabbed" and talker(x.label))
    eol_names = {x.label for x in lines if x.shape == "colon_eol" and name_like(x.label)}
    out = set()
    for x in lines:
        if x.shape == "header":
            ok = True
        elif x.shape == "arrow":
            ok = name_like(x.label) or is_diarisation(x.label) or counts[(True, x.label)] >= 2
        elif x.shape == "header1":
            ok = name_like(x.label) and headers >= 2 and not _CALENDAR & set(x.label.lower().split())
        elif x.shape == "zoom":
            ok = name_like(x.label) or is_diarisation(x.label) or counts[(True, x.label)] >= 2 or zoomed
        elif x.shape == "colon_eol":
            ok = x.label in spoken or is_diarisation(x.label) or (
                talker(x.label) and (counts[(False, x.label)] >= 2 or len(eol_names | spoken) >= 2))
        elif x.shape == "tabbed":  # a table pasted as text has tabs too: two or more such speaker lines
            ok = talker(x.label) and tabbed >= 2
        elif x.shape == "paren":
            ok = True
        else:
            ok = x.label in spoken
        if ok:
            out.add((x.shape, x.label))
    return out
