"""The ``speakers`` layer: the speaker labels of a transcript's turns are names.

A transcript read by :func:`rmresearch.transcripts.read_transcript` knows where each turn's speaker label is
(``speaker_offsets``). Raw text given to the detector alone (a JSONL line, a pasted passage) does not, so
:func:`speaker_prefixes` finds the speaker labels at the start of lines in every shape the readers know
(:mod:`rmresearch.io.speakerlines`), and :func:`speaker_spans` turns the labels into PERSON spans, dropping
role words ("Interviewer"), participant IDs ("P03"), diarisation labels ("SPEAKER_00", "Speaker 2"),
pronouns and places.

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

from ..io.speakerlines import accepted_labels, classify_lines, is_diarisation
from .cues import ROLE_SPEAKERS, TITLES, Confidence, tokenize
from .spans import Span

__all__ = ["speaker_prefixes", "speaker_spans"]

def speaker_prefixes(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each speaker label at the start of a line, when no turn offsets are known (JSONL, pasted text).

    The same shapes, decided the same way, as the transcript readers (:mod:`rmresearch.io.speakerlines`):
    ``Name: text``, ``NAME:`` then the text on the next line, Otter's ``Name  0:03``, Zoom's ``[Name] 11:02:09``,
    ``[SPEAKER_00]: text``, the older Teams ``.docx`` (a cue timing line, then the name alone on a line). Linear
    in the text: one pass over its lines, most of which skip the classifier.

    >>> text = "Orla Quigley  0:09\\nHappy to.\\n[Ifeoma Castellanos] 11:02:15 Go on.\\nSPEAKER_01: Yes."
    >>> [text[s:e] for s, e in speaker_prefixes(text)]
    ['Orla Quigley', 'Ifeoma Castellanos', 'SPEAKER_01']
    """
    lines = text.split("\n")
    cands, _ = classify_lines([line[:-1] if line.endswith("\r") else line for line in lines])
    if not any(cands):
        return []
    accepted = accepted_labels(cands, n_lines=sum(1 for line in lines if line.strip()))
    out, pos = [], 0
    for line, c in zip(lines, cands):
        if c is not None and (c.shape, c.label) in accepted:
            out.append((pos + c.label_start, pos + c.label_end))
        pos += len(line) + 1
    return out


_AFFIX = re.compile(r"\s*(?:\(|\||\s-\s|\u2013|\u2014)")
_PRONOUNS = frozenset("she her hers he him his they them theirs".split())


def _name_words(label: str):
    return [t for t in tokenize(label) if t.text.casefold() not in ROLE_SPEAKERS and not t.text.isdigit()]


def speaker_spans(text: str, offsets: Iterable[tuple[int, int]]) -> list[Span]:
    """PERSON spans for the speaker labels at ``offsets`` that name someone.

    >>> text = "Ysolde Haverkamp (she/her): Hi.\\nDr Tipene Hakobyan | Anytown University: Hello."
    >>> [s.text for s in speaker_spans(text, [(0, 26), (32, 71)])]
    ['Ysolde Haverkamp', 'Tipene Hakobyan']
    """
    out = []
    for start, end in offsets:
        if start is None or end is None or end <= start:
            continue
        label = text[start:end]
        if re.fullmatch(r"\[?[A-Z]{1,4}\d{1,5}\]?", label.strip()) or is_diarisation(label):
            continue  # already a participant ID ("P03: ...") or a diarisation label ("SPEAKER_00"), not a name
        # Keep only the name part: a display name's "(she/her)", "| Anytown University" or " - Library" is cut
        # off, unless nothing but role words comes before it ("Interviewer (JS)": the initials are the name).
        cut = _AFFIX.search(label)
        words = _name_words(label[: cut.start()]) if cut else []
        if not words:
            words = [t for t in _name_words(label) if t.text.casefold() not in _PRONOUNS]
        if not words:
            continue
        if words[0].text.casefold() in TITLES and len(words) > 1:
            words = words[1:]
        s, e = start + words[0].start, start + words[-1].end
        out.append(Span(s, e, "PERSON", "speakers", Confidence.CERTAIN, text[s:e]))
    return out
