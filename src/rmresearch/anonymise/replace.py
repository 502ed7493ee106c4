"""Replace the identifiers found in one text: pseudonyms, review decisions, withheld turns, the log.

:func:`anonymise_text` is the step :func:`rmresearch.anonymise.pipeline.anonymise_cohort` runs on each
transcript; it is importable from the pipeline module too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from ..consent import WITHHELD_MARKER as WITHHELD  # the one marker coding and consent also use
from ..errors import ConfigError
from .detectors import Detector
from .pseudonyms import STYLES, PseudonymKey
from .review import ReviewQueue
from .roster import Roster, name_tokens
from .spans import Span

__all__ = ["AnonymiseSettings", "anonymise_text", "LOG_COLUMNS", "WITHHELD"]

LOG_COLUMNS = ["label", "pseudonym", "start", "end", "out_start", "out_end", "layer", "confidence", "decision"]


@dataclass(frozen=True)
class AnonymiseSettings:
    style: str = "tags"
    review_threshold: float = 0.75
    min_confidence: float = 0.5
    pending: str = "replace"

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ConfigError(f"options.anonymise.style must be one of {', '.join(STYLES)}, not {self.style!r}")
        if self.pending not in ("replace", "keep"):
            raise ConfigError(f"options.anonymise.pending must be 'replace' or 'keep', not {self.pending!r}")
        for name in ("review_threshold", "min_confidence"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ConfigError(f"options.anonymise.{name} must be a number between 0 and 1, not {value!r}")


def _resolve_person(span: Span, roster: Roster | None, named_in_doc: dict[str, str]) -> str | None:
    """The participant a PERSON span names, if the roster tells unambiguously."""
    if roster is None:
        return None
    toks = tuple(t.casefold() for t in name_tokens(span.text))
    if toks and toks[-1].endswith(("'s", "\u2019s")):
        toks = toks[:-1] + (toks[-1][:-2],)
    ids = roster.index.get(toks)
    if not ids:
        # All the words name the same person ("Okonkwo Adaeze", "Adaeze Bello").
        sets = [roster.index.get((t,)) for t in toks]
        if sets and all(sets):
            common = set.intersection(*map(set, sets))
            ids = common if common else None
    if not ids:
        return None
    if len(ids) == 1:
        pid = next(iter(ids))
        if len(toks) > 1:
            for t in toks:
                named_in_doc[t] = pid
        return pid
    # A shared first name: the person fully named earlier in this document, if any.
    if len(toks) == 1 and toks[0] in named_in_doc and named_in_doc[toks[0]] in ids:
        return named_in_doc[toks[0]]
    return None


def anonymise_text(
    text: str,
    detector: Detector,
    key: PseudonymKey,
    *,
    document: str = "document",
    settings: AnonymiseSettings = AnonymiseSettings(),
    review: ReviewQueue | None = None,
    speaker_offsets: Iterable[tuple[int, int]] = (),
    turns: Iterable[tuple[int, int, int, int]] = (),
    excluded: Iterable[str] = (),
    own_names: Iterable[str] = (),
) -> tuple[str, pd.DataFrame]:
    """Replace every identifier in ``text``; return the new text and its log.

    ``turns`` are ``(speaker_start, speaker_end, text_start, text_end)`` of a
    transcript's turns; the words of a turn spoken by a participant in
    ``excluded`` (no consent to interview use, or withdrawn) are replaced by
    :data:`WITHHELD` (label ``WITHHELD`` in the log), their speaker label by
    their pseudonym. A speaker label that may name an excluded person but
    cannot be told apart from others is withheld too. ``own_names``: the file's interviewee's and
    interviewer's first names (:meth:`Roster.own_names`), replaced when they introduce or are addressed.

    Examples
    --------
    >>> from rmresearch.anonymise.roster import Roster, Person
    >>> roster = Roster([Person("P01", "Adaeze Okonkwo-Bello")])
    >>> out, log = anonymise_text("Adaeze's mentor, Dr Kwabena Asante, ADAEZE OKONKWO-BELLO.",
    ...                           Detector(roster), PseudonymKey())
    >>> out
    "[P01]'s mentor, Dr [PERSON_1], [P01]."
    >>> list(log["label"])
    ['PERSON', 'PERSON', 'PERSON']
    """
    turns = list(turns)
    speaker_offsets = list(speaker_offsets) or [(t[0], t[1]) for t in turns]
    spans = [s for s in detector.detect(text, speaker_offsets=speaker_offsets, own_names=own_names)
             if s.confidence >= settings.min_confidence]
    named: dict[str, str] = {}
    pids = [_resolve_person(s, detector.roster, named) if s.label == "PERSON" else None for s in spans]
    withheld = _withheld_turns(text, turns, spans, pids, set(excluded), detector.roster)
    replacements = [(Span(a, b, "WITHHELD", "consent", 1.0, text[a:b]), WITHHELD, "consent") for a, b in withheld]
    log_rows = []
    for span, pid in zip(spans, pids):
        if any(a <= span.start and span.end <= b for a, b in withheld):
            continue  # these words are not used at all: no key entry, no review row
        decision = review.decision(document, span.start, span.end, span.text) if review is not None else ""
        if span.confidence < settings.review_threshold and span.layer not in ("roster", "deny", "speakers"):
            if decision == "reject":
                log_rows.append({"label": span.label, "pseudonym": "", "start": span.start, "end": span.end,
                                 "out_start": None, "out_end": None, "layer": span.layer,
                                 "confidence": round(span.confidence, 2), "decision": "reject"})
                continue
            pseudo = key.pseudonym(span.text, span.label, participant_id=pid, confidence=span.confidence)
            if review is not None:
                lo, hi = max(0, span.start - 60), min(len(text), span.end + 60)
                review.add(document=document, start=span.start, end=span.end, label=span.label, layer=span.layer,
                           confidence=span.confidence, text=span.text,
                           context=text[lo:hi].replace("\n", " "), pseudonym=pseudo)
            if decision == "accept":
                key.pseudonym(span.text, span.label, participant_id=pid, confidence=1.0)
            if not decision and settings.pending == "keep":
                log_rows.append({"label": span.label, "pseudonym": "", "start": span.start, "end": span.end,
                                 "out_start": None, "out_end": None, "layer": span.layer,
                                 "confidence": round(span.confidence, 2), "decision": "pending"})
                continue
            decision = decision or "pending"
        else:
            pseudo = key.pseudonym(span.text, span.label, participant_id=pid, confidence=span.confidence)
            decision = "auto"
        replacements.append((span, pseudo, decision))
    replacements.sort(key=lambda r: r[0].start)
    parts = []
    pos = 0
    out_len = 0
    for span, pseudo, decision in replacements:
        chunk = text[pos:span.start]
        parts.append(chunk)
        out_len += len(chunk)
        parts.append(pseudo)
        log_rows.append({"label": span.label, "pseudonym": pseudo, "start": span.start, "end": span.end,
                         "out_start": out_len, "out_end": out_len + len(pseudo), "layer": span.layer,
                         "confidence": round(span.confidence, 2), "decision": decision})
        out_len += len(pseudo)
        pos = span.end
    parts.append(text[pos:])
    log = pd.DataFrame(log_rows, columns=LOG_COLUMNS).sort_values("start", kind="stable").reset_index(drop=True)
    log["out_start"] = log["out_start"].astype("Int64")
    log["out_end"] = log["out_end"].astype("Int64")
    return "".join(parts), log



def _withheld_turns(text, turns, spans, pids, excluded: set[str], roster: Roster | None) -> list[tuple[int, int]]:
    """(start, end) of the turn texts whose speaker is (or may be) an excluded participant."""
    if not excluded or not turns:
        return []
    out = []
    for s_start, s_end, t_start, t_end in turns:
        if s_start is None or t_end <= t_start:
            continue
        label = text[s_start:s_end].strip().strip("[]")
        who = {label} if label in excluded else set()
        for span, pid in zip(spans, pids):
            if span.label == "PERSON" and s_start <= span.start and span.end <= s_end:
                if pid is not None:
                    who.add(pid)
                elif roster is not None:  # several people share the name: withhold if any may not be quoted
                    toks = tuple(t.casefold() for t in name_tokens(span.text))
                    who |= set(roster.index.get(toks, ()))
        if who & excluded:
            out.append((t_start, t_end))
    return out
