"""Re-identification risk of an anonymised passage, transcript and quote: what still points at the speaker.

Replacing names is not enough in a cohort of a dozen pairs: "the Dean of Law", "the only Sikh woman on the senior
team" or a kept disclosure of a health condition can name a person as surely as their name, and so can who speaks
("the only senior leader in the cohort whose ethnicity is recorded as Black"). This module scores what REMAINS in
a passage of the anonymised text after the anonymiser's decisions, from three sources:

- the document's log (``<document>.log.csv``): indirect identifiers kept (a reviewer rejected the generalisation,
  or an undecided special-category disclosure, which is kept by default), generalisations that still name a role
  type ("[a senior leader]"), possible names kept awaiting review;
- who speaks, from the cohort's participants table: a role one person holds, or the only person of their role in a
  group of a characteristic the cohort studies (said without naming anyone);
- words in the passage naming a group of a characteristic the cohort studies ("Black", "Muslim", "dyslexia"), taken
  from the characteristic's code list (:mod:`rmresearch.characteristics`), never from a list written for this.

Each item is a :class:`RiskFactor` whose ``weight`` comes from :data:`WEIGHTS` (one table, with why); a passage's
risk is :func:`combine`: ``1 - prod(1 - weight)``, the chance that at least one item singles the speaker out if
each did so independently with its weight's chance. Factors from the log carry ``decided`` (the reviewer decided
the item in review.csv, or not yet); the others carry ``decided=None`` (no review can change who speaks).

A quote whose risk is above ``options.anonymise.quote_risk_threshold`` (0.5 by default) is not quoted in a report
until every factor of it from the log is decided; one above it with no such factor (its risk is who speaks and
what group the passage names) cannot be cleared by review and is not quoted. With the default weights, who speaks
and group words alone stay below 0.5 unless the passage names the very group in which the speaker is unique.

Examples
--------
>>> factors = [RiskFactor("special_category_kept", "SPECIAL_CATEGORY", 0.3, "a disclosure (health) is kept"),
...            RiskFactor("senior_role_kept", "ROLE", 0.5, "a senior title is kept")]
>>> round(combine(factors), 2)
0.65
>>> combine([])
0.0
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from ..errors import ConfigError

__all__ = ["RiskFactor", "WEIGHTS", "PreparedLog", "prepare_log", "DESCRIPTIONS", "combine", "passage_factors", "RiskModel", "risk_model",
           "quote_risk_threshold", "read_log", "load_logs", "transcript_risk", "cohort_risk", "candidate_risk",
           "reasons_text", "DEFAULT_THRESHOLD", "INDIRECT", "QuoteGate", "quote_gate", "REMEDIES", "risk_table", "explain_risk"]

DEFAULT_THRESHOLD = 0.5
INDIRECT = ("ROLE", "UNIT", "DESCRIPTOR", "SPECIAL_CATEGORY")

#: kind -> (weight, why). A weight is a judgement of the chance that this one item lets a reader who knows the
#: institution tell who is speaking, on the scale of the 0.5 quote threshold: an item weighing more than 0.5 holds a
#: quote back on its own until it is reviewed (what names one post or one person, what is sensitive, a possible
#: name left in the text); two middling ones together do too (a title and a small team). They are not fitted to data (no published
#: set scores UK interview quotes); change them here, in one place, and the tests' hand-computed answers follow.
WEIGHTS: dict[str, tuple[float, str]] = {
    # kept in the text (a reviewer rejected the generalisation, or it awaits review and is kept)
    "descriptor_kept": (0.6, "a unique descriptor ('the only ...', 'the first ... to') fits one person by definition"),
    "senior_role_kept": (0.55, "a senior or unique title names one post, and who holds it is public"),
    "role_kept": (0.3, "a job title narrows the speaker (or the person spoken of) to a few post holders"),
    "small_unit_kept": (0.3, "a small team or unit has few members"),
    "unit_kept": (0.15, "a faculty or department narrows the speaker to its staff"),
    "special_category_kept": (0.55, "a disclosure of religion, health, sexuality or immigration status may be known "
                                    "to colleagues and point to one person, and it is sensitive (UK GDPR art. 9): a "
                                    "reviewer decides before it is quoted"),
    "identifier_kept": (0.55, "a possible name or contact detail awaiting review is left in the text"),
    # replaced by a generalisation that still says something
    "role_generalised": (0.1, "the generalisation still names a role type ('[a senior leader]'), and a cohort has few"),
    "special_category_generalised": (0.05, "the generalisation still says a disclosure was made ('[a health condition]')"),
    # who speaks, from the participants table (never decided in review.csv)
    "unique_role": (0.2, "quotes are attributed by role, and one person in the cohort holds the speaker's role"),
    "rare_group": (0.25, "the speaker is the only person of their role in one group of a characteristic the cohort "
                         "studies: any hint of the group points to them"),
    "rare_group_named": (0.45, "the passage names the group of a characteristic in which the speaker is the only "
                               "person of their role"),
    # words in the passage
    "characteristic_words": (0.15, "the passage names a group of a characteristic the cohort studies"),
}

#: Plain-English names of the kinds, without any words of the passage or any group: for tables in a report.
DESCRIPTIONS: dict[str, str] = {
    "descriptor_kept": "a unique descriptor kept",
    "senior_role_kept": "a senior or unique job title kept",
    "role_kept": "a job title kept",
    "small_unit_kept": "a small unit kept",
    "unit_kept": "a faculty or department kept",
    "special_category_kept": "a special-category disclosure kept",
    "identifier_kept": "a possible identifier kept awaiting review",
    "role_generalised": "a generalisation naming a role type",
    "special_category_generalised": "a generalised special-category disclosure",
    "unique_role": "the speaker's role is held by one person",
    "rare_group": "the speaker is unique in their role and group",
    "rare_group_named": "the passage names the group in which the speaker is unique",
    "characteristic_words": "words naming a characteristic's group",
}

#: How to lower each kind, for the anonymisation notebook.
REMEDIES: dict[str, str] = {
    "descriptor_kept": "accept or edit the suggested generalisation in review.csv",
    "senior_role_kept": "accept the suggested generalisation ('[a senior leader]') in review.csv",
    "role_kept": "accept or edit the suggested generalisation in review.csv",
    "small_unit_kept": "accept the suggested generalisation ('[a professional services team]') in review.csv",
    "unit_kept": "accept the suggested generalisation ('[a faculty]') in review.csv",
    "special_category_kept": "accept it in review.csv to generalise it; or reject it there to keep the words on "
                             "purpose, which leaves the risk but lets a reviewed quote be used",
    "identifier_kept": "decide the candidate in review.csv",
    "role_generalised": "edit the suggestion to a plainer one ('[a colleague]') where the role type is not needed",
    "special_category_generalised": "edit the suggestion, or leave it: it says little",
    "unique_role": "quote such passages sparingly; in a public report, attribute by pseudonym only",
    "rare_group": "avoid quoting what hints at the speaker's group",
    "rare_group_named": "do not quote the passage in a public report, or cut the words naming the group",
    "characteristic_words": "cut the words naming the group from the quote where they are not needed",
}

# A generalisation that still names a role type. Curated (no package lists role nouns); short on purpose.
_ROLE_TYPE = re.compile(r"\b(?:leader|head|dean|director|manager|chair|officer|professor|lecturer|academic|"
                        r"technician|administrator|librarian|chaplain|registrar|president|secretary|provost|"
                        r"chancellor|lead|coordinator|adviser|advisor|executive|researcher|fellow)s?\b", re.I)
# Words of the characteristics' code lists that name no group: connectives, and the lists' generic words
# ("condition", "background"). Curated from data/characteristics/*.yml; a word not here names a group or a
# diagnosis there ("Caribbean", "Sikh", "dyslexia").
_NOT_GROUP_WORDS = frozenset("""
a above ad an and any as at background belief birth british by challenge childhood church communication condition
conditions d denomination development difference different disabling disease disorder ethnic female flexible from
full glasses h had has have health hearing heart illness impairment impairments in information issues known language
learning listed long male man medical mental mobility more no not of or other part physical prefer refused registered
religion responsibilities roman same say since social sought spectrum speech such term that time to two uncorrected
unknown visual woman yes you available carer caring spiritual scotland ireland sex
""".split())


@dataclass(frozen=True)
class RiskFactor:
    """One thing left in a passage that may point at the speaker (or at the person spoken of).

    ``kind`` is a key of :data:`WEIGHTS`; ``label`` the log label it comes from (ROLE, UNIT...) or ``SPEAKER`` /
    ``WORDS``; ``reason`` plain English (it may name a role or a group, never a person or the passage's words
    beyond a group word); ``decided``: True/False for an item of the review queue, None otherwise; ``about``: the
    characteristic a word factor concerns (``ethnicity``), and its group for a speaker's (``ethnicity:Black``).
    """

    kind: str
    label: str
    weight: float
    reason: str
    decided: bool | None = None
    about: str = ""


def combine(factors: Iterable[RiskFactor]) -> float:
    """``1 - prod(1 - weight)``: in [0, 1], 0 with no factor, never below the largest weight."""
    return float(1.0 - math.prod(1.0 - min(max(float(f.weight), 0.0), 1.0) for f in factors))


def _factor(kind: str, label: str, reason: str, decided: bool | None = None, about: str = "") -> RiskFactor:
    return RiskFactor(kind, label, WEIGHTS[kind][0], reason, decided, about)


def quote_risk_threshold(config) -> float:
    """``options.anonymise.quote_risk_threshold`` (default 0.5), checked: a number from 0 (hold back every quote
    in which anything remains) to 1 (hold back none)."""
    opts = (getattr(config, "options", None) or {}).get("anonymise") or {}
    value = opts.get("quote_risk_threshold", DEFAULT_THRESHOLD)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ConfigError(f"{getattr(config, 'path', 'the cohort file')}: options.anonymise.quote_risk_threshold must "
                          f"be a number between 0 and 1, e.g. 0.5, not {value!r}.")
    return float(value)


# ----------------------------------------------------------------------------------------------- the log's items
# A special-category kind of the indirect layer -> the characteristic it tells of (data/characteristics/*.yml).
_SPECIAL_TO_CHARACTERISTIC = {"health": "disability", "sexuality": "sexual_orientation"}


def _decided(decision: str) -> bool:
    return decision in ("accept", "reject")


def _log_factor(label: str, kind: str, decision: str, pseudonym: str) -> RiskFactor | None:
    """The factor one log row leaves in the text, or None (a direct identifier replaced, a word the reviewer
    said is no identifier, a turn withheld)."""
    kept = not pseudonym
    done = _decided(decision)
    state = "kept by a reviewer's decision" if decision == "reject" else (
        "kept, awaiting review" if not done else "replaced by an edited generalisation")
    if label == "WITHHELD":
        return None
    if label not in INDIRECT:
        if kept and decision == "pending":
            return _factor("identifier_kept", label, f"a possible {label.lower()} is {state}", False)
        return None
    what = f" ({kind.replace('_', ' ')})" if kind else ""
    if kept:
        if label == "DESCRIPTOR":
            return _factor("descriptor_kept", label, f"a unique descriptor is {state}", done)
        if label == "ROLE":
            senior = kind in ("senior_role", "unique_role")
            return _factor("senior_role_kept" if senior else "role_kept", label, f"a job title{what} is {state}", done)
        if label == "UNIT":
            return _factor("small_unit_kept" if kind == "small_unit" else "unit_kept", label,
                           f"a unit{what} is {state}", done)
        return _factor("special_category_kept", label, f"a special-category disclosure{what} is {state}", done,
                       _SPECIAL_TO_CHARACTERISTIC.get(kind, kind))
    when = "accepted in review" if decision == "accept" else "awaiting review"
    if label == "ROLE" and _ROLE_TYPE.search(pseudonym):
        return _factor("role_generalised", label, f"a job title is replaced by {pseudonym}, which still names a "
                       f"role type ({when})", done)
    if label == "SPECIAL_CATEGORY":
        return _factor("special_category_generalised", label, f"a special-category disclosure{what} is replaced "
                       f"by {pseudonym} ({when})", done, _SPECIAL_TO_CHARACTERISTIC.get(kind, kind))
    return None


def _text_column(log: pd.DataFrame, name: str) -> np.ndarray:
    if name not in log.columns:
        return np.full(len(log), "", dtype=object)
    return log[name].fillna("").astype(str).str.strip().to_numpy()


@dataclass(frozen=True)
class PreparedLog:
    """A document's log read once for scoring many passages (:func:`prepare_log`): the rows that leave a factor
    (output offsets and factor) and the place of every identifier, replaced or kept."""

    starts: np.ndarray
    ends: np.ndarray
    factors: tuple
    zones: np.ndarray


def prepare_log(log: pd.DataFrame | PreparedLog) -> PreparedLog:
    """The log's factors and identifier places (an old log's rows without a place are left out)."""
    if isinstance(log, PreparedLog):
        return log
    labels, kinds = _text_column(log, "label"), _text_column(log, "kind")
    decisions, pseudonyms = _text_column(log, "decision"), _text_column(log, "pseudonym")
    n = len(log)
    lo = pd.to_numeric(log["out_start"], errors="coerce").to_numpy(dtype=float) if n else np.zeros(0)
    hi = pd.to_numeric(log["out_end"], errors="coerce").to_numpy(dtype=float) if n else np.zeros(0)
    placed = ~(np.isnan(lo) | np.isnan(hi))
    rows = []
    for i in np.flatnonzero(placed):
        f = _log_factor(labels[i], kinds[i].lower(), decisions[i].lower(), pseudonyms[i])
        if f is not None:
            rows.append((int(lo[i]), int(hi[i]), f))
    rows.sort(key=lambda r: r[0])
    return PreparedLog(np.array([r[0] for r in rows], dtype=np.int64), np.array([r[1] for r in rows], dtype=np.int64),
                       tuple(r[2] for r in rows),
                       np.column_stack([lo[placed], hi[placed]]).astype(np.int64) if n else np.zeros((0, 2), np.int64))


# ------------------------------------------------------------------------------------------------- a passage
def passage_factors(log: pd.DataFrame | PreparedLog, start: int, end: int, *, speaker_factors: Sequence[RiskFactor] = (),
                    text: str | None = None, words: dict[str, tuple] | None = None) -> list[RiskFactor]:
    """The factors of the passage ``start:end`` (offsets of the ANONYMISED text) of one document.

    ``log`` is the document's log (:func:`read_log`; or :func:`prepare_log` of it, to score many passages);
    ``speaker_factors`` who speaks (:meth:`RiskModel.speaker`);
    with ``text`` (the anonymised document) and ``words`` (:attr:`RiskModel.words`), words naming a characteristic's
    group outside the identifiers (one factor per characteristic; where a word names the very group in which the
    speaker is the only person of their role, the speaker's ``rare_group`` factor becomes ``rare_group_named``).

    >>> log = pd.DataFrame({"label": ["ROLE", "PERSON"], "pseudonym": ["", "[P07]"], "out_start": [4, 30],
    ...                     "out_end": [16, 35], "decision": ["reject", "auto"], "kind": ["senior_role", ""]})
    >>> [f.kind for f in passage_factors(log, 0, 40)], passage_factors(log, 20, 40)
    (['senior_role_kept'], [])
    """
    rows = prepare_log(log)
    factors = [rows.factors[i] for i in np.flatnonzero((rows.starts < end) & (rows.ends > start))]
    speaker = list(speaker_factors)
    if text is not None and words:
        zones = rows.zones[(rows.zones[:, 0] < end) & (rows.zones[:, 1] > start)]
        for name, (title, pattern, named) in words.items():
            found = [m for m in pattern.finditer(text, start, end)
                     if not ((zones[:, 0] <= m.start()) & (m.start() < zones[:, 1])).any()]
            if not found:
                continue
            rare = [(k, m) for k, f in enumerate(speaker) if f.kind == "rare_group" and f.about.split(":")[0] == name
                    for m in found if f.about.partition(":")[2] in named.get(m.group(0).casefold(), ())]
            if rare:
                k, m = rare[0]
                speaker[k] = _factor("rare_group_named", "SPEAKER", f"{speaker[k].reason}, and the passage names "
                                     f"that group ('{m.group(0)}')", None, speaker[k].about)
            elif not any(f.label == "SPECIAL_CATEGORY" and f.about == name for f in factors):
                # (a disclosure of this characteristic already in the passage says as much as its group words)
                factors.append(_factor("characteristic_words", "WORDS", f"the passage names a group of "
                                       f"{title.lower()} ('{found[0].group(0)}')", None, name))
    return factors + speaker


def reasons_text(factors: Sequence[RiskFactor]) -> str:
    """The factors' reasons in one line, heaviest first, each with its weight."""
    ordered = sorted(factors, key=lambda f: -f.weight)
    return "; ".join(f"{f.reason} ({f.weight:.2f})" for f in ordered)


# --------------------------------------------------------------------------------------------- who speaks
def _group_words(characteristic) -> tuple[str, re.Pattern, dict[str, set[str]]] | None:
    """A characteristic's title, one alternation of the words naming its groups (from its code list or its
    groups table) and, per word (case-folded), the groups it names ("Caribbean" -> {"Black"}; "BAME" -> none)."""
    pairs: list[tuple[str, str]] = []  # (label, group it belongs to, or "" when it names several)
    code_list = getattr(characteristic, "code_list", None)
    if code_list is not None:
        grouping = getattr(characteristic, "grouping", None) or getattr(code_list, "default_grouping", None)
        mapping = code_list.groups.get(grouping, {}) if grouping else {}
        pairs += [(label, mapping.get(code, "")) for code, label in code_list.codes.items()]
        pairs += [(v, v) for v in mapping.values()]
    pairs += [(value, group) for value, group in (getattr(characteristic, "groups", None) or {}).items()]
    pairs += [(group, group) for group in (getattr(characteristic, "groups", None) or {}).values()]
    pairs.append((getattr(characteristic, "aggregate", "") or "", ""))
    named: dict[str, set[str]] = {}
    for label, group in pairs:
        for w in re.findall(r"[^\W\d_]{3,}", str(label)):
            if w.casefold() not in _NOT_GROUP_WORDS:
                named.setdefault(w.casefold(), set()).update({group} if group else ())
    if not named:
        return None
    alternation = "|".join(re.escape(w) for w in sorted(named, key=lambda w: (-len(w), w)))
    title = getattr(characteristic, "title", "") or getattr(characteristic, "name", "")
    return title, re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.IGNORECASE), named


class RiskModel:
    """What who speaks adds, from the participants table; the characteristics' group words; the threshold.

    ``participants``: ``participant_id``, ``role`` and a ``<name>_group`` column per characteristic (as
    :func:`rmresearch.coding.participant_attributes` gives, ``Unknown`` for not known); ``characteristics``: the
    cohort's (name, title, code list); ``role_label``: role code -> words (default: underscores to spaces).

    >>> people = pd.DataFrame({"participant_id": ["P1", "P2", "P3", "P4"], "role": ["leader", "leader", "leader", "chair"],
    ...                        "ethnicity_group": ["Black", "White", "White", "White"]})
    >>> class Ethnicity: name, title, code_list, groups, aggregate = "ethnicity", "Ethnicity", None, {"x": "Black"}, "BAME"
    >>> model = RiskModel(people, [Ethnicity()])
    >>> [f.reason for f in model.speaker("P1")]
    ['the speaker is the only leader in the cohort whose ethnicity is recorded as Black']
    >>> [f.kind for f in model.speaker("P4")], model.speaker("P2")
    (['unique_role'], [])
    """

    def __init__(self, participants: pd.DataFrame, characteristics: Sequence = (), *, role_label=None,
                 threshold: float = DEFAULT_THRESHOLD):
        self.threshold = float(threshold)
        self.role_label = role_label or (lambda role: str(role).replace("_", " "))
        people = participants.copy()
        people["participant_id"] = people["participant_id"].astype(str)
        self.ids = set(people["participant_id"])
        self.words: dict[str, tuple[str, re.Pattern, dict]] = {}
        self._speaker: dict[str, list[RiskFactor]] = {}
        role_n = people["role"].value_counts()
        columns = []
        for ch in characteristics:
            found = _group_words(ch)
            if found is not None:
                self.words[ch.name] = found
            column = f"{ch.name}_group"
            if column in people.columns:
                columns.append((ch, column, people.groupby(["role", column]).size()))
        for row in people.to_dict("records"):
            pid, role = row["participant_id"], row["role"]
            role_words = self.role_label(role)
            if role_n.get(role, 0) == 1:
                self._speaker[pid] = [_factor("unique_role", "SPEAKER", f"the speaker is the only {role_words} in "
                                              "the cohort")]
                continue
            out = []
            for ch, column, counts in columns:
                group = str(row.get(column) or "")
                if group and group.casefold() not in ("unknown", "nan", "none") and counts.get((role, group), 0) == 1:
                    title = (getattr(ch, "title", "") or ch.name).lower()
                    out.append(_factor("rare_group", "SPEAKER", f"the speaker is the only {role_words} in the cohort "
                                       f"whose {title} is recorded as {group}", None, f"{ch.name}:{group}"))
            self._speaker[pid] = out

    def speaker(self, participant_id) -> list[RiskFactor]:
        """Factors of who speaks (none for the interviewer or an unknown speaker)."""
        if participant_id is None or (isinstance(participant_id, float) and np.isnan(participant_id)):
            return []
        return list(self._speaker.get(str(participant_id), ()))

    def factors(self, log: pd.DataFrame | PreparedLog, text: str, start: int, end: int, participant_id=None) -> list[RiskFactor]:
        """Every factor of the passage ``text[start:end]`` spoken by ``participant_id``."""
        return passage_factors(log, start, end, speaker_factors=self.speaker(participant_id), text=text,
                               words=self.words)


def risk_model(config, participants: pd.DataFrame | None = None) -> RiskModel:
    """The cohort's model: its whole participants table (everyone a reader may know, consent or not), its
    characteristics, its scheme's role words and its quote threshold."""
    from ..characteristics import role_label
    from ..coding.cohort import participant_attributes
    from ..coding.groups import participant_characteristics

    threshold = quote_risk_threshold(config)
    if participants is None:
        participants = (participant_attributes(config) if config.inputs.get("participants") is not None
                        else pd.DataFrame(columns=["participant_id", "role"]))
    characteristics = [ch for ch in participant_characteristics(config) if not getattr(ch, "parts", ())]
    return RiskModel(participants, characteristics, role_label=lambda r: role_label(config, r), threshold=threshold)


# ------------------------------------------------------------------------------------------- transcripts
def read_log(path: str | Path) -> pd.DataFrame:
    """One ``<document>.log.csv`` (older logs without ``kind`` or with blank places for kept words still read)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("out_start", "out_end", "start", "end"):
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def load_logs(folder: str | Path) -> dict[str, pd.DataFrame]:
    """``{document: log}`` of every ``<document>.log.csv`` in the anonymised folder."""
    return {p.name[: -len(".log.csv")]: read_log(p) for p in sorted(Path(folder).glob("*.log.csv"))}


def transcript_risk(text: str, log: pd.DataFrame, model: RiskModel, *, document: str = "document") -> pd.DataFrame:
    """One row per turn of an anonymised transcript: ``segment_id, participant_id, start, end, risk, factors``
    (offsets into ``text``; ``factors`` a list of :class:`RiskFactor`)."""
    from ..coding.segments import segment_document

    turns = segment_document(text, document=document, unit="turn", participant_ids=model.ids or None)
    log = prepare_log(log)
    rows = []
    for seg, pid, a, b in zip(turns["segment_id"], turns["participant_id"], turns["start"], turns["end"]):
        factors = model.factors(log, text, int(a), int(b), pid)
        rows.append({"segment_id": seg, "participant_id": pid, "start": int(a), "end": int(b),
                     "risk": combine(factors), "factors": factors})
    return pd.DataFrame(rows, columns=["segment_id", "participant_id", "start", "end", "risk", "factors"])


def _summary_row(document: str, turns: pd.DataFrame, threshold: float) -> dict:
    kinds: dict[str, int] = {}
    for factors in turns["factors"]:
        for kind in {f.kind for f in factors}:
            kinds[kind] = kinds.get(kind, 0) + 1
    ordered = sorted(kinds, key=lambda k: (-WEIGHTS[k][0], k))
    undecided = sum(1 for fs in turns["factors"] for f in fs if f.decided is False)
    return {"document": document, "turns": len(turns), "turns_above": int((turns["risk"] > threshold).sum()),
            "max_risk": float(turns["risk"].max()) if len(turns) else 0.0,
            "mean_risk": float(turns["risk"].mean()) if len(turns) else 0.0,
            "undecided": undecided, "kinds": ordered,
            "what_remains": "; ".join(f"{DESCRIPTIONS[k]} ({kinds[k]} turn{'s' if kinds[k] != 1 else ''})"
                                      for k in ordered) or "nothing"}


def cohort_risk(config, model: RiskModel | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Risk of every anonymised transcript of a cohort: one summary row per document (``document, turns,
    turns_above, max_risk, mean_risk, undecided, kinds, what_remains``: no original words, no group), and the turns
    (:func:`transcript_risk`, with ``document``)."""
    from ..coding.segments import load_documents

    model = model if model is not None else risk_model(config)
    folder = Path(config.outputs["anonymised"])
    texts = load_documents(folder)
    logs = load_logs(folder)
    summary, frames = [], []
    for document, text in texts.items():
        log = logs.get(document, pd.DataFrame(columns=["label", "pseudonym", "out_start", "out_end", "decision"]))
        turns = transcript_risk(text, log, model, document=document)
        summary.append(_summary_row(document, turns, model.threshold))
        frames.append(turns.assign(document=document))
    columns = ["document", "turns", "turns_above", "max_risk", "mean_risk", "undecided", "kinds", "what_remains"]
    turns = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return pd.DataFrame(summary, columns=columns), turns


def candidate_risk(text: str, log: pd.DataFrame, model: RiskModel, *, document: str = "document") -> pd.DataFrame:
    """For the review queue: the risk of the passage (turn) around each log row, keyed by the row's RAW offsets.

    ``text`` and ``log`` are one document's anonymised text and log as :func:`anonymise_text` returns them.
    Returns ``start, end, risk, risk_reasons`` (risk rounded to 2 places; reasons: :func:`reasons_text`).
    """
    turns = transcript_risk(text, log, model, document=document)
    starts, ends = turns["start"].to_numpy(), turns["end"].to_numpy()
    rows = []
    lo = pd.to_numeric(log["out_start"], errors="coerce").to_numpy(dtype=float) if len(log) else []
    for k in range(len(log)):
        a = lo[k]
        if np.isnan(a):
            continue
        i = int(np.searchsorted(starts, a, side="right")) - 1
        if i < 0 or a >= ends[i] + 1:  # a speaker label, before its turn's words: the turn that follows
            i = min(i + 1, len(turns) - 1)
        if i < 0:
            continue
        factors = turns["factors"].iloc[i]
        rows.append({"start": int(log["start"].iloc[k]), "end": int(log["end"].iloc[k]),
                     "risk": round(combine(factors), 2), "risk_reasons": reasons_text(factors)})
    return pd.DataFrame(rows, columns=["start", "end", "risk", "risk_reasons"])


# ------------------------------------------------------------------------------------------------- quotes
def _withheld_to_stored(stored: str, shown: str, excluded, start: int, end: int) -> tuple[int, int] | None:
    """Offsets of ``shown[start:end]`` (a text with consent-withheld turns replaced by a marker) in ``stored``."""
    if shown == stored:
        return start, end
    from ..consent import restore_offsets, withhold_turns

    w = withhold_turns(stored, excluded)
    if w.text != shown:
        return None
    return restore_offsets(w, start, end)  # None when it touches a withheld turn


class QuoteGate:
    """Scores candidate quotes and says which a report holds back.

    ``data`` is the cohort's :class:`~rmresearch.coding.CodingData`; a candidate is a row with ``segment_id``
    (a turn, a sentence, or a run of caption lines ``doc#t012–t016``) and ``participant_id``. Calling the gate on
    candidates gives, aligned on their index, ``risk``, ``above`` (risk above the threshold), ``clearable`` (some
    factor is a review-queue item), ``reviewed`` (every such factor decided), ``held`` and ``kinds``. A quote is
    held when it is above the threshold and not every factor of it from the log is decided, or when it is above it
    with no such factor (no review can lower it), or when its passage cannot be placed in the anonymised
    transcript. ``public=False`` (an internal report) holds nothing back but still scores.
    """

    def __init__(self, config, data, *, model: RiskModel | None = None, public: bool | None = None):
        from ..coding.segments import load_documents

        self.model = model if model is not None else risk_model(config)
        self.threshold = self.model.threshold
        if public is None:
            public = getattr(getattr(config, "disclosure", None), "audience", "public") != "internal"
        self.public = bool(public)
        folder = Path(config.outputs["anonymised"])
        self.stored = load_documents(folder)
        self.logs = {document: prepare_log(log) for document, log in load_logs(folder).items()}
        self.shown = data.texts
        self.excluded = data.excluded
        seg = data.segments
        self.places = dict(zip(seg["segment_id"], zip(seg["document"], seg["start"], seg["end"])))

    def place(self, segment_id: str) -> tuple[str, int, int] | None:
        """(document, start, end) of a candidate's passage in the stored anonymised text, or None."""
        first, _, last = str(segment_id).partition("\u2013")
        if first not in self.places:
            return None
        document, start, end = self.places[first]
        if last:
            tail = f"{first.rsplit('#', 1)[0]}#{last}"
            if tail not in self.places:
                return None
            end = self.places[tail][2]
        if document not in self.stored or document not in self.shown:
            return None
        mapped = _withheld_to_stored(self.stored[document], self.shown[document], self.excluded, int(start), int(end))
        return None if mapped is None else (document, *mapped)

    def factors(self, segment_id: str, participant_id) -> list[RiskFactor] | None:
        where = self.place(segment_id)
        if where is None:
            return None
        document, start, end = where
        log = self.logs.get(document) or prepare_log(pd.DataFrame(columns=["label", "out_start", "out_end"]))
        return self.model.factors(log, self.stored[document], start, end, participant_id)

    def __call__(self, candidates: pd.DataFrame) -> pd.DataFrame:
        rows = []
        for seg, pid in zip(candidates["segment_id"], candidates["participant_id"]):
            factors = self.factors(seg, pid)
            if factors is None:
                rows.append({"risk": float("nan"), "above": True, "clearable": False, "reviewed": False,
                             "held": self.public, "kinds": ("unplaced",)})
                continue
            risk = combine(factors)
            queued = [f for f in factors if f.decided is not None]
            reviewed = bool(queued) and all(f.decided for f in queued)
            above = risk > self.threshold
            rows.append({"risk": risk, "above": above, "clearable": bool(queued), "reviewed": reviewed,
                         "held": self.public and above and not reviewed,
                         "kinds": tuple(sorted({f.kind for f in factors}, key=lambda k: -WEIGHTS[k][0]))})
        return pd.DataFrame(rows, index=candidates.index,
                            columns=["risk", "above", "clearable", "reviewed", "held", "kinds"])


def quote_gate(config, data, **kwargs) -> QuoteGate:
    """The cohort's :class:`QuoteGate` (its threshold, participants and anonymised logs)."""
    return QuoteGate(config, data, **kwargs)


def risk_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The per-transcript summary of :func:`cohort_risk` as a report shows it (document pseudonyms, counts of
    turns, scores to 2 places, what remains in words of :data:`DESCRIPTIONS`: no original words, no group)."""
    table = summary[["document", "turns", "turns_above", "max_risk", "mean_risk", "undecided", "what_remains"]].copy()
    table["max_risk"] = table["max_risk"].round(2)
    table["mean_risk"] = table["mean_risk"].round(2)
    return table.rename(columns={"document": "transcript", "turns_above": "turns above threshold",
                                 "max_risk": "highest risk", "mean_risk": "mean risk",
                                 "undecided": "risk items awaiting review", "what_remains": "what remains"})


def explain_risk(summary: pd.DataFrame, threshold: float) -> str:
    """Markdown: how the score is made, which transcripts have a turn above the threshold, and for every kind of
    factor found (heaviest first) its weight, why and how to lower it."""
    above = int((summary["max_risk"] > threshold).sum()) if len(summary) else 0
    kinds = sorted({k for ks in summary.get("kinds", ()) for k in ks}, key=lambda k: (-WEIGHTS[k][0], k))
    lines = [f"A turn's risk is 1 − the product of (1 − weight) over what remains in it, so one weighty item or "
             f"several lighter ones raise it. {above} of {len(summary)} transcript{'s' if len(summary) != 1 else ''} "
             f"{'has' if above == 1 else 'have'} a turn above {threshold:g} (`options.anonymise.quote_risk_threshold`): "
             "the themes report does not quote such a passage until every identifier in it is decided in the review "
             "file."]
    if not kinds:
        lines.append("Nothing that points at a speaker remains in the anonymised transcripts.")
    for kind in kinds:
        weight, why = WEIGHTS[kind]
        lines.append(f"- **{DESCRIPTIONS[kind].capitalize()}** (weight {weight:.2f}): {why}. To lower it: "
                     f"{REMEDIES[kind]}.")
    return "\n".join(lines)
