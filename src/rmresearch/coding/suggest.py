"""Rule-based code *suggestions* for human coders (never findings).

Each codebook code may carry phrases and regular expressions (see
:mod:`rmresearch.coding.codebook`). :func:`suggest_codes` lists, for each
segment, the codes whose rules fire and which rule fired, so that a coder can
accept or reject each one. Suggestions are deliberately kept apart from human
codings: they are never counted as themes, and :func:`suggestion_agreement`
shows per code how far they agree with what people coded.

Phrases are matched on word tokens (NLTK's ``WordPunctTokenizer``, which
needs no data files) compared through their Snowball stems, so ``"sponsor"``
matches "sponsored", "sponsoring" and "sponsors", and a phrase never matches
across punctuation. Regular expressions are matched case-insensitively.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from .codebook import Codebook

__all__ = ["SUGGESTION_COLUMNS", "suggest_codes", "suggested_pairs", "suggestion_agreement", "stem_tokens"]

SUGGESTION_COLUMNS = [
    "segment_id", "document", "participant_id", "code", "rule_type", "rule", "matched_text", "start", "end", "n_matches",
]

# Same-length replacements, so token offsets stay offsets into the original text.
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


@lru_cache(maxsize=1)
def _tools():
    from nltk.stem.snowball import SnowballStemmer
    from nltk.tokenize import WordPunctTokenizer

    return WordPunctTokenizer(), SnowballStemmer("english")


@lru_cache(maxsize=65536)
def _stem(token: str) -> str:
    return _tools()[1].stem(token)


def stem_tokens(text: str) -> list[tuple[str, int, int]]:
    """``(stem, start, end)`` for each word-punctuation token of ``text`` (lower-cased).

    Examples
    --------
    >>> [s for s, _, _ in stem_tokens("She sponsored me, openly.")]
    ['she', 'sponsor', 'me', ',', 'open', '.']
    """
    tokenizer, _ = _tools()
    norm = text.translate(_QUOTES)
    return [(_stem(norm[a:b].lower()), a, b) for a, b in tokenizer.span_tokenize(norm)]


@lru_cache(maxsize=4096)
def _phrase_stems(phrase: str) -> tuple[str, ...]:
    return tuple(s for s, _, _ in stem_tokens(phrase))


def suggest_codes(segments: pd.DataFrame, codebook: Codebook, *, participants_only: bool = False) -> pd.DataFrame:
    """Codes suggested for each segment by the codebook's rules, with the rule that fired.

    Parameters
    ----------
    segments : pandas.DataFrame
        From :func:`rmresearch.coding.segment_documents` (needs ``segment_id``,
        ``document``, ``start``, ``text``; ``participant_id`` if present).
    codebook : Codebook
        Only codable codes with rules are used.
    participants_only : bool, default False
        Only suggest for segments spoken by a participant (not the
        interviewer's questions, which are seldom coded).

    Returns
    -------
    pandas.DataFrame
        One row per segment, code and rule that fired: ``segment_id, document,
        participant_id, code, rule_type`` (``phrase``/``regex``), ``rule``,
        ``matched_text`` (the first match), ``start, end`` (its offsets in the
        document), ``n_matches`` (matches of that rule in the segment). These
        are suggestions for a coder to accept or reject, not codings.

    Examples
    --------
    >>> from rmresearch.coding import load_codebook
    >>> seg = pd.DataFrame({"segment_id": ["d#t001"], "document": ["d"], "start": [5],
    ...                     "text": ["He put my name forward and sponsored me."]})
    >>> s = suggest_codes(seg, load_codebook())
    >>> print(s[["code", "rule", "matched_text", "start"]].to_string(index=False))
           code                                                       rule        matched_text  start
    sponsorship                                 phrase "put my name forward" put my name forward      8
    sponsorship                                           phrase "sponsor"           sponsored     32
    sponsorship regex /\\b(put|putting) (my|her|his|their) name (forward|in)\\b/ put my name forward      8
    """
    missing = {"segment_id", "document", "start", "text"} - set(segments.columns)
    if missing:
        raise AnalysisError(f"segments lack column(s) {', '.join(sorted(missing))}; make them with segment_documents().")
    phrase_rules: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
    regex_rules: list[tuple[str, str, re.Pattern]] = []
    for code in codebook:
        if not code.codable:
            continue
        for phrase in code.phrases:
            stems = _phrase_stems(phrase)
            if stems:
                phrase_rules.setdefault(stems[0], []).append((code.name, phrase, stems))
        for pattern in code.regex:
            regex_rules.append((code.name, pattern, re.compile(pattern, re.IGNORECASE)))

    if participants_only:
        if "participant_id" not in segments.columns:
            raise AnalysisError("participants_only=True needs a participant_id column in the segments; make them with "
                                "segment_documents(texts, participant_ids=...).")
        segments = segments.loc[segments["participant_id"].notna()]
    rows: list[dict] = []
    pids = segments["participant_id"] if "participant_id" in segments.columns else pd.Series([None] * len(segments))
    for seg_id, doc, pid, offset, text in zip(
        segments["segment_id"], segments["document"], pids, segments["start"], segments["text"]
    ):
        text = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
        hits: dict[tuple[str, str, str], list] = {}
        tokens = stem_tokens(text)
        stems = [t[0] for t in tokens]
        for i, stem in enumerate(stems):
            for code_name, phrase, pstems in phrase_rules.get(stem, ()):
                if tuple(stems[i:i + len(pstems)]) == pstems:
                    a, b = tokens[i][1], tokens[i + len(pstems) - 1][2]
                    hits.setdefault((code_name, "phrase", phrase), []).append((a, b))
        for code_name, pattern, rx in regex_rules:
            for m in rx.finditer(text):
                if m.end() > m.start():
                    hits.setdefault((code_name, "regex", pattern), []).append((m.start(), m.end()))
        for (code_name, kind, pattern), spans in hits.items():
            a, b = spans[0]
            rows.append(
                {
                    "segment_id": seg_id,
                    "document": doc,
                    "participant_id": pid,
                    "code": code_name,
                    "rule_type": kind,
                    "rule": f'phrase "{pattern}"' if kind == "phrase" else f"regex /{pattern}/",
                    "matched_text": text[a:b],
                    "start": int(offset) + a,
                    "end": int(offset) + b,
                    "n_matches": len(spans),
                }
            )
    out = pd.DataFrame(rows, columns=SUGGESTION_COLUMNS)
    order = {n: i for i, n in enumerate(codebook.names)}
    seg_order = {s: i for i, s in enumerate(segments["segment_id"])}
    if len(out):
        out = out.assign(_s=out["segment_id"].map(seg_order), _c=out["code"].map(order))
        out = out.sort_values(["_s", "_c", "rule_type", "rule"], kind="stable").drop(columns=["_s", "_c"])
    return out.reset_index(drop=True)


def suggested_pairs(suggestions: pd.DataFrame) -> pd.DataFrame:
    """One row per suggested (segment, code), with the number of rules that fired and their labels.

    Columns ``segment_id, document, code, n_rules, rules`` (rules joined with ``"; "`` for display).
    """
    if suggestions.empty:
        return pd.DataFrame(columns=["segment_id", "document", "code", "n_rules", "rules"])
    grouped = suggestions.groupby(["segment_id", "document", "code"], sort=False)
    return grouped.agg(n_rules=("rule", "size"), rules=("rule", "; ".join)).reset_index()


def suggestion_agreement(
    suggestions: pd.DataFrame,
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """How well rule suggestions agree with each human coder, per code, over segments.

    A segment counts as coded by a coder when any of the coder's codings
    overlaps it (see :func:`rmresearch.coding.segment_codes`). Only documents
    the coder coded are compared.

    Returns
    -------
    pandas.DataFrame
        One row per coder and code: ``coder, code, segments`` (compared),
        ``suggested, coded, both`` (segment counts), ``precision``
        (both / suggested), ``recall`` (both / coded), ``kappa`` (Cohen's,
        suggestions vs the coder; NaN when undefined).
    """
    from .agreement import _kappa_2x2
    from .codings import segment_codes

    coded = segment_codes(codings, segments)
    names = codebook.codable_names if codebook is not None else sorted(set(coded["code"]) | set(suggestions["code"]))
    sugg = set(zip(suggestions["segment_id"], suggestions["code"]))
    rows = []
    for coder, own in coded.groupby("coder", sort=True):
        docs = set(codings.loc[codings["coder"] == coder, "document"])
        units = segments.loc[segments["document"].isin(docs), "segment_id"].tolist()
        human = set(zip(own["segment_id"], own["code"]))
        for code in names:
            s = np.array([(u, code) in sugg for u in units], dtype=bool)
            h = np.array([(u, code) in human for u in units], dtype=bool)
            both = int((s & h).sum())
            n_s, n_h = int(s.sum()), int(h.sum())
            table = np.array([[both, int((s & ~h).sum())], [int((~s & h).sum()), int((~s & ~h).sum())]])
            rows.append(
                {
                    "coder": coder,
                    "code": code,
                    "segments": len(units),
                    "suggested": n_s,
                    "coded": n_h,
                    "both": both,
                    "precision": both / n_s if n_s else np.nan,
                    "recall": both / n_h if n_h else np.nan,
                    "kappa": _kappa_2x2(table),
                }
            )
    return pd.DataFrame(rows, columns=["coder", "code", "segments", "suggested", "coded", "both", "precision", "recall", "kappa"])
