"""Score detections against gold spans: entity-level strict and token-level.

Gold and predictions are doccano-style records: ``{"text": ..., "label":
[[start, end, "LABEL"], ...]}``. A record may also carry ``spans`` (a list of
``{"start", "end", "label", "origin"}``) or ``meta.spans``: the ``origin`` of
PERSON spans gives recall per name origin.

- **Entity-level strict**: a predicted span counts only if start, end and label
  all equal a gold span's.
- **Token-level**: every word token (``\\w+``) takes the label of the span that
  covers it (or none); precision, recall and F1 per label over tokens.
- **Token leak rate**: the share of gold direct-identifier tokens that no
  prediction covers, whatever label it gives: what would survive anonymisation.
- **Flagged** (indirect identifiers ROLE, UNIT, DESCRIPTOR, SPECIAL_CATEGORY): a
  gold indirect token counts as found when ANY predicted indirect span covers it,
  whichever indirect label it gives (the reviewer sees it either way); strict
  token scores per indirect label are given as well. ``INDIRECT`` pools them.

Staff, student and other identity numbers (``STAFF_ID``, ``STUDENT_ID``,
``STAFF_NUMBER``, ``STUDENT_NUMBER``, ``ID_NUMBER``) are scored together as
``ID``: a staff number taken for a student number is still found.

Examples
--------
>>> gold = [{"text": "Ask Kwame Mensah now", "label": [[4, 16, "PERSON"]]}]
>>> pred = [{"text": "Ask Kwame Mensah now", "label": [[4, 9, "PERSON"]]}]
>>> scores = evaluate_records(gold, pred)
>>> scores.loc[scores["label"] == "PERSON", ["level", "precision", "recall"]].to_dict("records")
[{'level': 'entity', 'precision': 0.0, 'recall': 0.0}, {'level': 'token', 'precision': 1.0, 'recall': 0.5}]
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..errors import InputError
from .detectors import Detector
from .spans import INDIRECT_LABELS

__all__ = ["evaluate_records", "recall_by_origin", "leak_rate", "detect_records", "read_records", "LABEL_ALIASES",
           "normalise_label", "scores_by", "INDIRECT"]

#: Other tools' label names mapped to this package's.
LABEL_ALIASES = {
    "PER": "PERSON", "NAME": "PERSON", "PERSON_NAME": "PERSON", "EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE",
    "TELEPHONE": "PHONE", "URL_ADDRESS": "URL", "WEBSITE": "URL", "POST_CODE": "POSTCODE", "ZIP": "POSTCODE",
    "LOC": "LOCATION", "GPE": "LOCATION", "ADDRESS": "LOCATION", "ORGANIZATION": "ORG", "ORGANISATION": "ORG",
    "USERNAME": "HANDLE", "SOCIAL_HANDLE": "HANDLE", "STAFF_NUMBER": "ID", "STUDENT_NUMBER": "ID", "STAFF_ID": "ID",
    "STUDENT_ID": "ID", "ID_NUMBER": "ID", "SPECIAL": "SPECIAL_CATEGORY",
}
#: The indirect identifiers' labels, scored as "flagged" as well as strictly; ``INDIRECT`` is their pooled row.
INDIRECT = INDIRECT_LABELS
_TOKEN = re.compile(r"\w+")


def normalise_label(label: str) -> str:
    label = str(label).upper()
    return LABEL_ALIASES.get(label, label)


def read_records(path: str | Path) -> list[dict]:
    """Doccano-style JSONL records, read and checked by :func:`rmresearch.transcripts.read_jsonl`."""
    from ..transcripts import read_jsonl

    return read_jsonl(Path(path))


def _spans(record: dict) -> list[tuple[int, int, str]]:
    out = []
    for item in record.get("label") or record.get("labels") or []:
        if isinstance(item, dict):
            s, e, lbl = item["start"], item["end"], item["label"]
        else:
            s, e, lbl = item[0], item[1], item[2]
        out.append((int(s), int(e), normalise_label(lbl)))
    return out


def _origins(record: dict) -> dict[tuple[int, int], str]:
    rich = record.get("spans") or (record.get("meta") or {}).get("spans") or []
    return {(int(s["start"]), int(s["end"])): s["origin"] for s in rich if isinstance(s, dict) and s.get("origin")}


def _token_labels(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[tuple[int, int], str | None]]:
    ordered = sorted(spans)
    out = []
    for m in _TOKEN.finditer(text):
        lbl = None
        for s, e, label in ordered:
            if s < m.end() and m.start() < e:
                lbl = label
                break
            if s >= m.end():
                break
        out.append(((m.start(), m.end()), lbl))
    return out


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f = 2 * p * r / (p + r) if tp and (p + r) else (0.0 if tp + fp and tp + fn else float("nan"))
    return p, r, f


def _count_tokens(text: str, gold: set, pred: set, table: dict) -> None:
    gt = _token_labels(text, list(gold))
    pt = _token_labels(text, list(pred))
    for (_, gl), (_, pl) in zip(gt, pt):
        if gl is not None and gl == pl:
            table[gl][0] += 1
        else:
            if pl is not None:
                table[pl][1] += 1
            if gl is not None:
                table[gl][2] += 1


def _count_flagged(text: str, gold: set, pred: set, table: dict) -> None:
    """Indirect tokens: found when any predicted indirect span covers them (label aside)."""
    gt = _token_labels(text, list(gold))
    pt = _token_labels(text, list(pred))
    for (_, gl), (_, pl) in zip(gt, pt):
        if gl is not None:
            table[gl][0 if pl is not None else 2] += 1
            table["INDIRECT"][0 if pl is not None else 2] += 1
        elif pl is not None:
            table[pl][1] += 1
            table["INDIRECT"][1] += 1


def _split_indirect(spans) -> tuple[set, set]:
    direct = {s for s in spans if s[2] not in INDIRECT_LABELS}
    return direct, set(spans) - direct


def evaluate_records(gold: list[dict], pred: list[dict], *, labels: Iterable[str] | None = None) -> pd.DataFrame:
    """Precision, recall, F1 per label at entity (strict), token and (indirect labels) flagged level.

    Columns: ``label``, ``level`` (entity | token | flagged), ``tp``, ``fp``, ``fn``,
    ``precision``, ``recall``, ``f1``, ``support`` (gold count). Direct and indirect
    spans are scored apart at token level, so a ROLE span over a name does not hide it.
    """
    if len(gold) != len(pred):
        raise InputError(f"gold has {len(gold)} records but predictions {len(pred)}; they must align line by line.")
    ent = defaultdict(lambda: [0, 0, 0])
    tok = defaultdict(lambda: [0, 0, 0])
    flag = defaultdict(lambda: [0, 0, 0])
    for n, (g, p) in enumerate(zip(gold, pred), start=1):
        if g.get("text") != p.get("text"):
            raise InputError(f"record {n}: the gold and predicted texts differ; predictions must keep each line's text.")
        gs, ps = set(_spans(g)), set(_spans(p))
        for s in gs:
            ent[s[2]][0 if s in ps else 2] += 1
        for s in ps - gs:
            ent[s[2]][1] += 1
        (gd, gi), (pd_, pi) = _split_indirect(gs), _split_indirect(ps)
        _count_tokens(g["text"], gd, pd_, tok)
        _count_tokens(g["text"], gi, pi, tok)
        if gi or pi:
            _count_flagged(g["text"], gi, pi, flag)
    wanted = sorted(set(ent) | set(tok)) if labels is None else list(labels)
    rows = []
    for level, table, names in (("entity", ent, wanted), ("token", tok, wanted),
                                ("flagged", flag, [x for x in wanted if x in INDIRECT_LABELS] + ["INDIRECT"])):
        if level == "flagged" and not flag:
            continue
        for label in names:
            tp, fp, fn = table.get(label, [0, 0, 0])
            p, r, f = _prf(tp, fp, fn)
            rows.append({"label": label, "level": level, "tp": tp, "fp": fp, "fn": fn,
                         "precision": p, "recall": r, "f1": f, "support": tp + fn})
    return pd.DataFrame(rows)


def scores_by(gold: list[dict], pred: list[dict], key: str) -> pd.DataFrame:
    """Token (and flagged) scores per value of ``meta[key]`` (e.g. ``shape``, ``kind``, ``split``).

    Columns: ``key`` (the meta key's value; records without it are ``"-"``), ``passages``, then the
    columns of :func:`evaluate_records` at token and flagged level.

    >>> g = [{"text": "Ask Kwame", "label": [[4, 9, "PERSON"]], "meta": {"shape": "prose"}},
    ...      {"text": "Ask Ngozi", "label": [[4, 9, "PERSON"]], "meta": {"shape": "zoom"}}]
    >>> p = [{"text": "Ask Kwame", "label": [[4, 9, "PERSON"]]}, {"text": "Ask Ngozi", "label": []}]
    >>> scores_by(g, p, "shape")[["key", "label", "recall"]].to_dict("records")
    [{'key': 'prose', 'label': 'PERSON', 'recall': 1.0}, {'key': 'zoom', 'label': 'PERSON', 'recall': 0.0}]
    """
    groups: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(gold):
        groups[str((g.get("meta") or {}).get(key, "-"))].append(i)
    frames = []
    for value in sorted(groups):
        idx = groups[value]
        sc = evaluate_records([gold[i] for i in idx], [pred[i] for i in idx])
        sc = sc[sc["level"] != "entity"].copy()
        sc.insert(0, "passages", len(idx))
        sc.insert(0, "key", value)
        frames.append(sc)
    if not frames:
        return pd.DataFrame(columns=["key", "passages", "label", "level", "tp", "fp", "fn", "precision", "recall",
                                     "f1", "support"])
    return pd.concat(frames, ignore_index=True)


def leak_rate(gold: list[dict], pred: list[dict]) -> float:
    """Share of gold identifier tokens that no predicted span covers."""
    total = leaked = 0
    for g, p in zip(gold, pred):
        gt = _token_labels(g["text"], [s for s in _spans(g) if s[2] not in INDIRECT_LABELS])
        pt = _token_labels(g["text"], _spans(p))
        for (_, gl), (_, pl) in zip(gt, pt):
            if gl is not None and gl not in ("LOCATION", "ORG"):
                total += 1
                leaked += pl is None
    return leaked / total if total else float("nan")


def recall_by_origin(gold: list[dict], pred: list[dict]) -> pd.DataFrame:
    """PERSON token recall per name origin (for records whose spans carry one).

    Columns: ``origin``, ``tokens``, ``found``, ``recall``.
    """
    counts = defaultdict(lambda: [0, 0])
    for g, p in zip(gold, pred):
        origins = _origins(g)
        if not origins:
            continue
        pt = _token_labels(g["text"], [s for s in _spans(p) if s[2] not in INDIRECT_LABELS])
        for (s, e), origin in origins.items():
            for (ts, te), pl in pt:
                if s <= ts and te <= e:
                    counts[origin][0] += 1
                    counts[origin][1] += pl == "PERSON"
    rows = [{"origin": o, "tokens": n, "found": k, "recall": k / n if n else float("nan")}
            for o, (n, k) in sorted(counts.items())]
    return pd.DataFrame(rows, columns=["origin", "tokens", "found", "recall"])


def detect_records(records: list[dict], detector: Detector) -> list[dict]:
    """Each record with ``label`` replaced by the detector's spans (other fields kept).

    Indirect identifiers (ROLE, UNIT, DESCRIPTOR, SPECIAL_CATEGORY) are in ``label`` under their own
    labels, and their suggested generalisations in ``meta.suggestions`` as ``[[start, end, suggestion,
    kind], ...]`` (set only when the line has an indirect span; other ``meta`` keys kept).
    """
    out = []
    for n, r in enumerate(records, start=1):
        if "text" not in r:
            raise InputError(f"JSONL record {n} has no 'text' field; every line needs one.")
        spans = detector.detect(r["text"])
        new = dict(r)
        new["label"] = [[s.start, s.end, s.label] for s in spans]
        suggestions = [[s.start, s.end, s.suggestion, s.kind] for s in spans if s.label in INDIRECT_LABELS]
        if suggestions:
            new["meta"] = {**(r.get("meta") or {}), "suggestions": suggestions}
        out.append(new)
    return out
