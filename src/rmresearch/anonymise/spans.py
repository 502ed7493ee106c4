"""Detected spans and how spans from several detection layers are merged.

A :class:`Span` marks ``text[start:end]`` as an identifier with a ``label``
(``PERSON``, ``EMAIL``, ``PHONE``...), the ``layer`` that found it and a
``confidence`` between 0 and 1. Conventions, shared with the demo's ground
truth: offsets are 0-based and end-exclusive, a title (``Dr``, ``Professor``)
is not part of a PERSON span and neither is a possessive ``'s``.

Examples
--------
>>> text = "Professor Adaeze Okonkwo-Bello's team"
>>> spans = [Span(10, 16, "PERSON", "lexicon", 0.8, "Adaeze"),
...          Span(17, 30, "PERSON", "context", 0.6, "Okonkwo-Bello")]
>>> [s.text for s in merge_spans(spans, text)]
['Adaeze Okonkwo-Bello']
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from typing import Iterable

from ..errors import AnalysisError

__all__ = ["Span", "merge_spans", "strip_possessive", "LABELS", "INDIRECT_LABELS", "IntervalSet"]

#: Labels the detectors produce. LOCATION and ORG are produced only when asked for.
LABELS = ("PERSON", "EMAIL", "PHONE", "URL", "POSTCODE", "HANDLE", "ID", "LOCATION", "ORG")
#: Indirect identifiers: words that single a person out without naming them. They go to the review queue
#: with a suggested generalisation (``Span.suggestion``), e.g. "the Dean of Law" -> "[a senior leader]".
INDIRECT_LABELS = ("ROLE", "UNIT", "DESCRIPTOR", "SPECIAL_CATEGORY")

_POSSESSIVE = re.compile(r"(?:['\u2019][sS]|(?<=[sS])['\u2019])$")


@dataclass(frozen=True)
class Span:
    """One detected identifier: ``text`` is ``document[start:end]``."""

    start: int
    end: int
    label: str
    layer: str
    confidence: float
    text: str
    #: For an indirect identifier: the generalisation suggested in its place ("[a senior leader]").
    suggestion: str = ""
    #: A finer kind within the label ("senior_role", "religion", "health"...), for risk weights and explanations.
    kind: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise AnalysisError(f"a span of {self.text!r} needs 0 <= start < end, got {self.start}..{self.end}; check the offsets.")

    @property
    def length(self) -> int:
        return self.end - self.start

    def as_dict(self) -> dict:
        out = {"start": self.start, "end": self.end, "label": self.label, "layer": self.layer,
               "confidence": round(float(self.confidence), 3), "text": self.text}
        if self.suggestion:
            out["suggestion"] = self.suggestion
        if self.kind:
            out["kind"] = self.kind
        return out


def strip_possessive(text: str, start: int, end: int) -> int:
    """End offset of ``text[start:end]`` without a trailing possessive (``'s`` or ``s'``).

    >>> t = "Kwame's and James' notes"
    >>> t[0:strip_possessive(t, 0, 7)], t[12:strip_possessive(t, 12, 18)]
    ('Kwame', 'James')
    """
    m = _POSSESSIVE.search(text, start, end)
    if m and m.start() > start:
        return m.start()
    return end


# Characters allowed between two parts of one name ("Adaeze Okonkwo", "Okonkwo-Bello").
_PARTICLES = r"(?:Ó|O|Ní|Nic|Mac|Mc|Uí|Ua|van|van der|van den|de|del|de la|der|den|da|di|dos|du|le|la|bin|binti|ibn|al|el|von|ter|ten)"
_JOINER = re.compile(r"[ \t]{1,2}|[ \t]?-[ \t]?|\u00a0|[ \t]" + _PARTICLES + r"[ \t]", re.IGNORECASE)
# A particle written before a name belongs to it ("Professor Ó Ceallaigh", "Dr van der Berg").
_LEADING = re.compile(r"(?<![\w'])(?:(?:Ó|Ní|Nic|Uí|Ua|Mac|Van|Von|Van der|Van den|De|Del|Da|Di|Dos|Du|Le|La|El|Al|Bin|Ibn|Abu|Ben|van|de|da|van der)[ \t])+$")


def _priority(span: Span) -> tuple:
    return (span.length, span.confidence)


def merge_spans(spans: Iterable[Span], text: str, *, join_names: bool = True) -> list[Span]:
    """Resolve overlaps between layers and join adjacent parts of one name.

    Overlapping spans are resolved greedily: the longest span wins, then the most
    confident; the losers are dropped (their evidence is not lost: a PERSON span
    keeps the highest confidence of any PERSON span it absorbed). With
    ``join_names``, PERSON spans separated only by a space or a hyphen are
    joined into one span (``Adaeze`` + ``Okonkwo-Bello``). The result is sorted
    and free of overlaps.
    """
    ordered = sorted(spans, key=lambda s: (-s.length, -s.confidence, s.start))
    # Taken spans never overlap, so kept sorted by start their ends are sorted too and
    # the spans a candidate overlaps sit just before its insertion point.
    starts: list[int] = []
    ends: list[int] = []
    taken: list[Span] = []
    for span in ordered:
        idx = bisect.bisect_left(starts, span.end)
        k = idx - 1
        hit = False
        while k >= 0 and ends[k] > span.start:
            hit = True
            t = taken[k]
            if t.label == span.label and span.confidence > t.confidence:
                taken[k] = replace(t, confidence=span.confidence)
            k -= 1
        if hit:
            continue
        starts.insert(idx, span.start)
        ends.insert(idx, span.end)
        taken.insert(idx, span)
    taken.sort(key=lambda s: s.start)
    if not join_names:
        return taken
    for k, span in enumerate(taken):
        if span.label == "PERSON":
            lo = taken[k - 1].end if k else 0
            m = _LEADING.search(text, max(lo, span.start - 16), span.start)
            if m and m.end() == span.start:
                taken[k] = Span(m.start(), span.end, "PERSON", span.layer, span.confidence, text[m.start():span.end])
    joined: list[Span] = []
    for span in taken:
        if joined:
            prev = joined[-1]
            gap = text[prev.end:span.start]
            if (prev.label == span.label == "PERSON" and _JOINER.fullmatch(gap)
                    and not _POSSESSIVE.search(prev.text)):
                layer = prev.layer if prev.layer == span.layer else f"{prev.layer}+{span.layer}"
                joined[-1] = Span(prev.start, span.end, "PERSON", layer,
                                  max(prev.confidence, span.confidence), text[prev.start:span.end])
                continue
        joined.append(span)
    return joined


class IntervalSet:
    """Fast "is this range inside one of these ranges?" for many queries.

    >>> zones = IntervalSet([(0, 5), (3, 9), (20, 25)])
    >>> zones.covers(4, 8), zones.covers(8, 12), zones.contains(21)
    (True, False, True)
    """

    def __init__(self, ranges: Iterable[tuple[int, int]]):
        merged: list[list[int]] = []
        for a, b in sorted(ranges):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def covers(self, start: int, end: int) -> bool:
        k = bisect.bisect_right(self.starts, start) - 1
        return k >= 0 and self.ends[k] >= end

    def contains(self, pos: int) -> bool:
        k = bisect.bisect_right(self.starts, pos) - 1
        return k >= 0 and pos < self.ends[k]

    def __bool__(self) -> bool:
        return bool(self.starts)
