"""Replace the identifiers found in one text: pseudonyms, review decisions, withheld turns, the log.

:func:`anonymise_text` is the step :func:`rmresearch.anonymise.pipeline.anonymise_cohort` runs on each
transcript; it is importable from the pipeline module too.

What happens to each candidate (``decision`` in the log):

- a name or contact detail at or above the review threshold (or from the roster, the deny list, a speaker
  label): replaced by its pseudonym (``auto``); below it, listed for review and replaced until decided
  (``pending``; kept with ``options.anonymise.pending: keep``), ``accept`` replaced, ``reject`` kept;
- an indirect identifier (ROLE, UNIT, DESCRIPTOR, SPECIAL_CATEGORY), whatever its confidence: listed for review
  with its suggestion; ``accept`` replaced by the (possibly edited) suggestion, ``reject`` kept; undecided
  (``pending``) replaced by the suggestion when its label is in ``options.anonymise.generalise``
  (:data:`DEFAULT_GENERALISE`), kept otherwise (special categories, by default);
- the words of a turn whose speaker may not be quoted: :data:`WITHHELD` (``consent``), whatever they hold.

Kept words are logged too, with an empty ``pseudonym`` and ``out_start``/``out_end`` where they sit in the
anonymised text; the log never holds original words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from ..consent import WITHHELD_MARKER as WITHHELD  # the one marker coding and consent also use
from ..errors import ConfigError
from .detectors import Detector
from .pseudonyms import STYLES, PseudonymKey
from .review import ReviewQueue, phrase_key
from .roster import Roster, name_tokens
from .spans import INDIRECT_LABELS, Span

__all__ = ["AnonymiseSettings", "anonymise_text", "LOG_COLUMNS", "WITHHELD", "DEFAULT_GENERALISE",
           "FALLBACK_SUGGESTIONS", "OUTCOMES", "indirect_outcomes", "indirect_sentence"]

LOG_COLUMNS = ["label", "pseudonym", "start", "end", "out_start", "out_end", "layer", "confidence", "decision", "kind"]
#: Indirect labels replaced by their suggestion until a reviewer decides (``options.anonymise.generalise``).
DEFAULT_GENERALISE = ("ROLE", "UNIT", "DESCRIPTOR")
#: The generalisation of an indirect span that comes without one (the detector gives one for each kind).
FALLBACK_SUGGESTIONS = {"ROLE": "[a role]", "UNIT": "[a unit]", "DESCRIPTOR": "[a member of staff]",
                        "SPECIAL_CATEGORY": "[a personal characteristic]"}


@dataclass(frozen=True)
class AnonymiseSettings:
    style: str = "tags"
    review_threshold: float = 0.75
    min_confidence: float = 0.5
    pending: str = "replace"
    generalise: tuple[str, ...] = DEFAULT_GENERALISE
    quote_risk_threshold: float = 0.5

    def __post_init__(self) -> None:
        bad = sorted(set(self.generalise) - set(INDIRECT_LABELS))
        if bad:
            raise ConfigError(f"options.anonymise.generalise may hold {', '.join(INDIRECT_LABELS)}, not {', '.join(bad)}")
        if self.style not in STYLES:
            raise ConfigError(f"options.anonymise.style must be one of {', '.join(STYLES)}, not {self.style!r}")
        if self.pending not in ("replace", "keep"):
            raise ConfigError(f"options.anonymise.pending must be 'replace' or 'keep', not {self.pending!r}")
        for name in ("review_threshold", "min_confidence", "quote_risk_threshold"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ConfigError(f"options.anonymise.{name} must be a number between 0 and 1, not {value!r}")


def _name_key(text: str) -> tuple[str, ...]:
    toks = tuple(t.casefold() for t in name_tokens(text))
    if toks and toks[-1].endswith(("'s", "\u2019s")):
        toks = toks[:-1] + (toks[-1][:-2],)
    return toks


def _outsider_words(spans: Iterable[Span], roster: Roster | None) -> frozenset[str]:
    """Words of full names in this document that name nobody on the roster ("Kwabla Vukasovic" when the cohort's
    Kwabla is Kwabla Dzidzienyo): alone, such a word may mean either person, so it is not linked to the roster's."""
    if roster is None:
        return frozenset()
    out: set[str] = set()
    for s in spans:
        if s.label != "PERSON":
            continue
        toks = _name_key(s.text)
        if len(toks) > 1 and not roster.index.get(toks):
            sets = [roster.index.get((t,)) for t in toks]
            if not (all(sets) and set.intersection(*map(set, sets))):
                out.update(toks)
    return frozenset(out)


def _resolve_person(span: Span, roster: Roster | None, named_in_doc: dict[str, str],
                    outsiders: frozenset[str] = frozenset()) -> str | None:
    """The participant a PERSON span names, if the roster tells unambiguously (a lone word that also belongs to
    the full name of someone not on the roster, in ``outsiders``, does not)."""
    if roster is None:
        return None
    toks = _name_key(span.text)
    if len(toks) == 1 and toks[0] in outsiders:
        return None
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
    suggestions: dict[str, str] | None = None,
) -> tuple[str, pd.DataFrame]:
    """Replace every identifier in ``text``; return the new text and its log.

    ``turns`` are ``(speaker_start, speaker_end, text_start, text_end)`` of a
    transcript's turns; the words of a turn spoken by a participant in
    ``excluded`` (no consent to interview use, or withdrawn) are replaced by
    :data:`WITHHELD` (label ``WITHHELD`` in the log), their speaker label by
    their pseudonym. A speaker label that may name an excluded person but
    cannot be told apart from others is withheld too. ``own_names``: the file's interviewee's and
    interviewer's first names (:meth:`Roster.own_names`), replaced when they introduce or are addressed.
    ``suggestions``: the cohort's suggestion per indirect phrase (:meth:`ReviewQueue.suggestions`; default:
    the review queue's), shared by every document of a run and completed as phrases are first seen.

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
    found = detector.detect(text, speaker_offsets=speaker_offsets, own_names=own_names)
    spans = [s for s in found if s.label not in INDIRECT_LABELS and s.confidence >= settings.min_confidence]
    named: dict[str, str] = {}
    others = _outsider_words(spans, detector.roster)
    pids = [_resolve_person(s, detector.roster, named, others) if s.label == "PERSON" else None for s in spans]
    withheld = _withheld_turns(text, turns, spans, pids, set(excluded), detector.roster)
    items = [(Span(a, b, "WITHHELD", "consent", 1.0, text[a:b]), WITHHELD, "consent") for a, b in withheld]
    for span, pid in zip(spans, pids):
        if any(a <= span.start and span.end <= b for a, b in withheld):
            continue  # these words are not used at all: no key entry, no review row
        items.append(_direct(text, span, pid, key, document, settings, review))
    if suggestions is None:
        suggestions = review.suggestions()[0] if review is not None else {}
    taken = [(s.start, s.end) for s, _, _ in items]
    for span in _free_indirect([s for s in found if s.label in INDIRECT_LABELS], taken):
        items.append(_indirect(text, span, document, settings, review, suggestions))
    return _assemble(text, items)


def _context(text: str, span: Span) -> str:
    lo, hi = max(0, span.start - 60), min(len(text), span.end + 60)
    return text[lo:hi].replace("\n", " ")


def _direct(text, span: Span, pid, key: PseudonymKey, document, settings, review) -> tuple[Span, str | None, str]:
    """(span, pseudonym or ``None`` to keep the words, decision) of a name or contact detail."""
    decision = review.decision(document, span.start, span.end, span.text) if review is not None else ""
    if span.confidence >= settings.review_threshold or span.layer in ("roster", "deny", "speakers"):
        return span, key.pseudonym(span.text, span.label, participant_id=pid, confidence=span.confidence), "auto"
    # a rejected candidate gets no key entry (the words stay), but stays listed: its decision matched
    pseudo = "" if decision == "reject" else key.pseudonym(span.text, span.label, participant_id=pid,
                                                           confidence=span.confidence)
    if review is not None:
        review.add(document=document, start=span.start, end=span.end, label=span.label, layer=span.layer,
                   confidence=span.confidence, text=span.text, context=_context(text, span), pseudonym=pseudo)
    if decision == "reject":
        return span, None, "reject"
    if decision == "accept":
        key.pseudonym(span.text, span.label, participant_id=pid, confidence=1.0)
        return span, pseudo, "accept"
    return span, (None if settings.pending == "keep" else pseudo), "pending"


def _free_indirect(spans: list[Span], taken: list[tuple[int, int]]) -> list[Span]:
    """Indirect spans that overlap no direct identifier, withheld turn or earlier indirect span (the detector
    already gives them apart: this only guards the replacement against an overlap)."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if any(a < span.end and span.start < b for a, b in taken):
            continue
        out.append(span)
        taken.append((span.start, span.end))
    return out


def _indirect(text, span: Span, document, settings, review, suggestions: dict[str, str]) -> tuple[Span, str | None, str]:
    """(span, suggestion or ``None`` to keep the words, decision) of an indirect identifier; always listed."""
    phrase = phrase_key(span.text)
    suggestion = suggestions.setdefault(phrase, span.suggestion or FALLBACK_SUGGESTIONS.get(span.label, "[a detail]"))
    decision = ""
    if review is not None:
        decision = review.decision(document, span.start, span.end, span.text)
        review.add(document=document, start=span.start, end=span.end, label=span.label, layer=span.layer,
                   confidence=span.confidence, text=span.text, context=_context(text, span), pseudonym=suggestion,
                   suggestion=suggestion)
    if decision == "accept":
        return span, suggestion, "accept"
    if decision == "reject":
        return span, None, "reject"
    return span, (suggestion if span.label in settings.generalise else None), "pending"


#: An article just before a role or unit ("the {Dean of Law}"), taken into a generalisation that has its own.
_ARTICLE = re.compile(r"(?:(?<=\W)|^)(the|an?)[ \t]+$", re.IGNORECASE)
#: A possessive before it ("our {Dean of Law}"): the generalisation drops its own article ("our [senior leader]").
_POSSESSIVE = re.compile(r"(?:(?<=\W)|^)(?:our|my|your|their|his|her|its)[ \t]+$", re.IGNORECASE)


def _assemble(text: str, items: list[tuple[Span, str | None, str]]) -> tuple[str, pd.DataFrame]:
    """The text with each item's replacement (``None``: the words kept) and the log, with output offsets.

    A generalisation with its own article ("[a senior leader]") also replaces the article before the span
    ("the Dean of Law" -> "[a senior leader]", capitalised as the article was: "The Dean" -> "[A senior leader]");
    after a possessive it drops its own ("our Dean of Law" -> "our [senior leader]");
    the log's ``start``/``end`` stay the span's, ``out_start``/``out_end`` are the replacement's.
    """
    parts, rows, pos, out_len = [], [], 0, 0
    for span, pseudo, decision in sorted(items, key=lambda r: r[0].start):
        chunk = text[pos:span.start]
        if pseudo and span.label in INDIRECT_LABELS and re.match(r"\[an? ", pseudo, re.IGNORECASE):
            article = _ARTICLE.search(chunk)
            if article:
                chunk = chunk[:article.start()]
                pseudo = "[" + pseudo[1].upper() + pseudo[2:] if article.group(1)[0].isupper() else pseudo
            elif _POSSESSIVE.search(chunk):
                pseudo = re.sub(r"^\[an? ", "[", pseudo, flags=re.IGNORECASE)
        parts.append(chunk)
        out_len += len(chunk)
        new = text[span.start:span.end] if pseudo is None else pseudo
        parts.append(new)
        rows.append({"label": span.label, "pseudonym": pseudo or "", "start": span.start, "end": span.end,
                     "out_start": out_len, "out_end": out_len + len(new), "layer": span.layer,
                     "confidence": round(span.confidence, 2), "decision": decision, "kind": span.kind})
        out_len += len(new)
        pos = span.end
    parts.append(text[pos:])
    log = pd.DataFrame(rows, columns=LOG_COLUMNS).sort_values("start", kind="stable").reset_index(drop=True)
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


#: How each indirect identifier ended, from its log row (decision, and whether words were replaced).
OUTCOMES = ("generalised", "generalised awaiting review", "kept awaiting review", "kept by decision")
_LABEL_WORDS = {"ROLE": "role", "UNIT": "unit", "DESCRIPTOR": "unique descriptor",
                "SPECIAL_CATEGORY": "special category"}


def indirect_outcomes(log: pd.DataFrame) -> pd.DataFrame:
    """Indirect identifiers of one or more logs by ``label`` and ``outcome`` (:data:`OUTCOMES`), with
    ``mentions`` (and ``documents`` when the log has a ``document`` column). Counts only, no words.

    >>> log = pd.DataFrame({"label": ["ROLE", "ROLE", "SPECIAL_CATEGORY", "PERSON"],
    ...                     "pseudonym": ["[a senior leader]", "", "", "[P01]"],
    ...                     "decision": ["pending", "reject", "pending", "auto"]})
    >>> indirect_outcomes(log)[["label", "outcome", "mentions"]].values.tolist()
    [['ROLE', 'generalised awaiting review', 1], ['ROLE', 'kept by decision', 1], ['SPECIAL_CATEGORY', 'kept awaiting review', 1]]
    """
    columns = ["label", "outcome", "mentions"] + (["documents"] if "document" in log.columns else [])
    rows = log.loc[log["label"].isin(INDIRECT_LABELS)].copy()
    if not len(rows):
        return pd.DataFrame(columns=columns)
    replaced = rows["pseudonym"].fillna("").astype(str).str.len() > 0
    rows["outcome"] = "kept awaiting review"
    rows.loc[replaced, "outcome"] = "generalised awaiting review"
    rows.loc[replaced & (rows["decision"] == "accept"), "outcome"] = "generalised"
    rows.loc[~replaced & (rows["decision"] == "reject"), "outcome"] = "kept by decision"
    agg = {"mentions": ("label", "size")}
    if "document" in rows.columns:
        agg["documents"] = ("document", "nunique")
    out = rows.groupby(["label", "outcome"]).agg(**agg).reset_index()
    order = {o: i for i, o in enumerate(OUTCOMES)}
    out = out.sort_values(["label", "outcome"], key=lambda c: c.map(order) if c.name == "outcome" else c)
    return out[columns].reset_index(drop=True)


def indirect_sentence(outcomes: pd.DataFrame) -> str:
    """One sentence on the indirect identifiers of :func:`indirect_outcomes`.

    >>> table = pd.DataFrame({"label": ["ROLE", "ROLE", "SPECIAL_CATEGORY", "UNIT"],
    ...                       "outcome": ["generalised", "generalised awaiting review", "kept awaiting review",
    ...                                   "kept by decision"], "mentions": [3, 5, 3, 1]})
    >>> indirect_sentence(table)
    '12 indirect identifiers: 8 generalised (5 of them awaiting review), 3 kept awaiting review (special category), 1 kept by decision.'
    """
    total = int(outcomes["mentions"].sum()) if len(outcomes) else 0
    if not total:
        return "No indirect identifiers (roles, units, unique descriptors, special-category disclosures) were found."

    def n(*which: str) -> int:
        return int(outcomes.loc[outcomes["outcome"].isin(which), "mentions"].sum())

    parts = []
    general, waiting = n("generalised", "generalised awaiting review"), n("generalised awaiting review")
    if general:
        parts.append(f"{general} generalised" + (f" ({waiting} of them awaiting review)" if waiting else ""))
    kept = outcomes.loc[outcomes["outcome"] == "kept awaiting review"]
    if len(kept):
        by = kept.groupby("label")["mentions"].sum().sort_values(ascending=False)
        what = ", ".join(_LABEL_WORDS.get(k, k.lower()) + (f" {int(v)}" if len(by) > 1 else "") for k, v in by.items())
        parts.append(f"{int(by.sum())} kept awaiting review ({what})")
    if n("kept by decision"):
        parts.append(f"{n('kept by decision')} kept by decision")
    return f"{total} indirect identifier{'s' if total != 1 else ''}: " + ", ".join(parts) + "."

