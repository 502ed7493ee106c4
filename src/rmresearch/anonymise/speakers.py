"""The ``speakers`` layer: the speaker labels of a transcript's turns are names.

A transcript read by :func:`rmresearch.transcripts.read_transcript` knows where each turn's speaker label is
(``speaker_offsets``). Raw text given to the detector alone (a JSONL line, a pasted passage) does not, so
:func:`speaker_prefixes` finds ``Name:`` at the start of a line, and :func:`speaker_spans` turns the labels
into PERSON spans, dropping role words ("Interviewer"), participant IDs ("P03"), pronouns and places.

Examples
--------
>>> text = "Kwame Mensah: Through the scheme.\\nInterviewer: And then?"
>>> speaker_prefixes(text)
[(0, 12), (34, 45)]
>>> [s.text for s in speaker_spans(text, speaker_prefixes(text))]
['Kwame Mensah']
"""

from __future__ import annotations

import re
from typing import Iterable

from .cues import ROLE_SPEAKERS, TITLES, Confidence, tokenize
from .spans import Span

__all__ = ["speaker_prefixes", "speaker_spans"]

_PREFIX = re.compile(r"^[ \t]*([^\W\d_][\w'\u2019\-.]*(?:[ \t][^\W\d_][\w'\u2019\-.]*){0,4})[ \t]*(?:\(\d[\d:.]*\))?:[ \t]",
                     re.MULTILINE)
_PARTICLES = ("van", "de", "der", "bin", "al", "el", "da", "du", "le")


def speaker_prefixes(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each ``Name:`` at the start of a line, when no turn offsets are known (plain text, JSONL)."""
    out = []
    for m in _PREFIX.finditer(text):
        words = m.group(1).split()
        if all(w[:1].isupper() or w.casefold() in _PARTICLES for w in words):
            out.append((m.start(1), m.end(1)))
    return out


def speaker_spans(text: str, offsets: Iterable[tuple[int, int]]) -> list[Span]:
    """PERSON spans for the speaker labels at ``offsets`` that name someone."""
    out = []
    for start, end in offsets:
        if start is None or end is None or end <= start:
            continue
        label = text[start:end]
        if re.fullmatch(r"\[?[A-Z]{1,4}\d{1,5}\]?", label.strip()):
            continue  # already a participant ID ("P03: ..."), not a name
        toks = tokenize(label)
        words = [t for t in toks if t.text.casefold() not in ROLE_SPEAKERS and not t.text.isdigit()]
        if not words:
            continue
        # Keep only the name part (drop "(she/her)", "| Anytown" and the like).
        first, last = words[0], words[-1]
        for t in words:
            if t.text.casefold() in ("she", "her", "he", "him", "they", "them", "university", "anytown"):
                last = t if t is first else last
        s, e = start + first.start, start + words[-1].end
        name = text[s:e]
        if any(w.text.casefold() in TITLES for w in words[:1]) and len(words) > 1:
            s = start + words[1].start
            name = text[s:e]
        out.append(Span(s, e, "PERSON", "speakers", Confidence.CERTAIN, name))
    return out
