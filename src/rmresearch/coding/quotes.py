"""Exemplar quotes per theme, attributed by pseudonym and role only, and the quotes a report holds back.

Quotes come from the anonymised transcripts' segments (:mod:`rmresearch.coding.analysis` picks the coded ones);
a gate (:func:`rmresearch.anonymise.risk.quote_gate`) scores each candidate's re-identification risk, and a quote
above the cohort's threshold is not shown until every identifier in it is decided in the review file.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd

from .codebook import Codebook

__all__ = ["exemplar_quotes", "quote_blocks", "held_back_sentence"]


def exemplar_quotes(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    participants: pd.DataFrame,
    *,
    codebook: Codebook | None = None,
    per_code: int = 2,
    min_chars: int = 40,
    max_chars: int = 300,
    coder: str | None = None,
    gate: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Exemplar quotes per theme, attributed by pseudonym and role only.

    Quotes are chosen from segments spoken by participants, preferring
    segments more coders applied the code to, then lengths between
    ``min_chars`` and ``max_chars`` (closest to 160 characters), with at most
    one quote per participant and theme; long quotes are cut at a word
    boundary with "…". The choice is deterministic.

    ``gate`` (:func:`rmresearch.anonymise.risk.quote_gate`) scores each candidate's re-identification risk: a
    candidate it holds back is not quoted, and the next one of the theme takes its place. The result's ``attrs``
    then say how many of the quotes that would have been chosen were held back (``held_back``; ``held_for_good``
    of them no review can clear), why (``held_kinds``), the threshold, and how many shown are above it
    (``shown_above``, an internal report): :func:`held_back_sentence` puts it in words.

    Returns
    -------
    pandas.DataFrame
        ``code, title, quote, participant_id, role, segment_id, n_coders``.
    """
    from .analysis import _code_order, _consenting_segments, _titles, _truncate, caption_passages, coded_segments

    segments = _consenting_segments(segments, participants)
    cs = coded_segments(codings, segments, coder=coder)
    cs = caption_passages(cs.loc[cs["participant_id"].notna()], segments)
    roles = participants.set_index("participant_id")["role"]
    codes = _code_order(cs["code"], codebook)
    title = _titles(codebook)
    scored = gate(cs) if gate is not None and len(cs) else None
    if scored is not None:
        cs = cs.join(scored[["held", "above", "clearable", "kinds"]])
    held: dict[str, tuple] = {}  # segment_id -> (kinds, clearable) of quotes held back
    rows = []
    for code in codes:
        g = cs.loc[cs["code"] == code].copy()
        if g.empty:
            continue
        length = g["text"].str.len()
        g["_in_range"] = ((length >= min_chars) & (length <= max_chars)).astype(int)
        g["_distance"] = (length - 160).abs()
        g = g.sort_values(["n_coders", "_in_range", "_distance", "segment_id"], ascending=[False, False, True, True])
        if scored is not None:
            first_choice = g.drop_duplicates("participant_id").head(per_code)
            for r in first_choice.loc[first_choice["held"]].itertuples(index=False):
                held[r.segment_id] = (r.kinds, r.clearable)
            g = g.loc[~g["held"]]
        g = g.drop_duplicates("participant_id").head(per_code)
        for r in g.itertuples(index=False):
            rows.append(
                {
                    "code": code,
                    "title": title(code),
                    "quote": _truncate(r.text, max_chars),
                    "participant_id": r.participant_id,
                    "role": roles.get(r.participant_id),
                    "segment_id": r.segment_id,
                    "n_coders": int(r.n_coders),
                }
            )
    out = pd.DataFrame(rows, columns=["code", "title", "quote", "participant_id", "role", "segment_id", "n_coders"])
    if scored is not None:
        from ..anonymise.risk import WEIGHTS

        def kinds_order(kind):  # heaviest first
            return (-WEIGHTS.get(kind, (1.0, ""))[0], kind)

        shown_above = cs.loc[cs["segment_id"].isin(out["segment_id"]) & cs["above"], "segment_id"].nunique()
        out.attrs.update(held_back=len(held), held_for_good=sum(1 for _, ok in held.values() if not ok),
                         held_kinds=sorted({k for kinds, _ in held.values() for k in kinds}, key=kinds_order),
                         threshold=getattr(gate, "threshold", None), shown_above=int(shown_above),
                         public=getattr(gate, "public", True))
    return out


def held_back_sentence(quotes: pd.DataFrame) -> str:
    """What :func:`exemplar_quotes` with a ``gate`` held back, in words (``""`` when nothing was, or no gate).

    >>> q = pd.DataFrame(columns=["segment_id"])
    >>> q.attrs.update(held_back=3, held_for_good=1, held_kinds=["senior_role_kept", "unique_role"], threshold=0.5,
    ...                shown_above=0, public=True)
    >>> print(held_back_sentence(q))
    3 quotes were held back until reviewed: their re-identification risk is above 0.5 (what remains in them: a senior or unique job title kept; the speaker's role is held by one person). 1 of them cannot be cleared by review: its risk comes from who speaks and the group the passage names. Decide the identifiers in the review file and run `rmresearch anonymise run` again; where a theme has other quotes, they are shown in their place.
    """
    from ..anonymise.risk import DESCRIPTIONS

    a = quotes.attrs
    threshold = a.get("threshold")
    if threshold is None:
        return ""
    if not a.get("public", True):
        n = a.get("shown_above", 0)
        return (f"{n} of the quotes shown {'has' if n == 1 else 'have'} a re-identification risk above {threshold:g}: "
                "a public report holds such quotes back until every identifier in them is reviewed." if n else "")
    n, good = a.get("held_back", 0), a.get("held_for_good", 0)
    if not n:
        return ""
    kinds = "; ".join(DESCRIPTIONS.get(k, "its passage cannot be placed in the anonymised transcript")
                      for k in a.get("held_kinds", ()))
    text = (f"{n} quote{' was' if n == 1 else 's were'} held back until reviewed: {'its' if n == 1 else 'their'} "
            f"re-identification risk is above {threshold:g} (what remains in {'it' if n == 1 else 'them'}: {kinds}).")
    if good:
        text += (f" {good} of them cannot be cleared by review: {'its' if good == 1 else 'their'} risk comes from who "
                 "speaks and the group the passage names." if n > 1 else " It cannot be cleared by review: its risk "
                 "comes from who speaks and the group the passage names.")
    if n > good:
        text += (" Decide the identifiers in the review file and run `rmresearch anonymise run` again; where a theme "
                 "has other quotes, they are shown in their place.")
    return text


def quote_blocks(quotes: pd.DataFrame) -> list[str]:
    """Markdown for exemplar quotes (:func:`exemplar_quotes`): one block per theme, in the order given.

    Each block is a ``###`` heading with the theme's title, then each quote as a block quote attributed by
    pseudonym (participant ID), role and segment ID, so it can be checked against the anonymised transcript.

    Examples
    --------
    >>> quotes = pd.DataFrame({"title": ["Safe space", "Safe space"], "quote": ["I could say it.", "We were heard."],
    ...                        "participant_id": ["P01", "P07"], "role": ["staff_partner", "senior_leader"],
    ...                        "segment_id": ["i_a#t002", "i_b#t004"]})
    >>> print(quote_blocks(quotes)[0])
    ### Safe space
    <BLANKLINE>
    > I could say it.
    >
    > — P01, staff partner (i_a#t002)
    <BLANKLINE>
    > We were heard.
    >
    > — P07, senior leader (i_b#t004)
    """
    blocks = []
    for title, group in quotes.groupby("title", sort=False):
        lines = [f"### {title}"]
        for q in group.itertuples():
            role = str(q.role).replace("_", " ") if isinstance(q.role, str) else "role not recorded"
            lines.append(f"> {q.quote}\n>\n> — {q.participant_id}, {role} ({q.segment_id})")
        blocks.append("\n\n".join(lines))
    return blocks
