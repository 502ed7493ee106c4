"""Scale scores and their reliability.

:func:`score` (reverse keying, mean of answered items, minimum-items rule) and
:func:`reliability` (Cronbach's alpha with Feldt's interval for every scale,
reverse-keyed first; the statistics are in :mod:`rmresearch.stats.reliability`).
"""

from __future__ import annotations

import re
from typing import Any, Mapping, NamedTuple

import pandas as pd

from ..errors import AnalysisError
from ..stats.reliability import cronbach_alpha
from .instruments import Instrument, Scale, load_instrument  # noqa: F401 - load_instrument is used by the doctest

__all__ = ["score", "reliability", "respondents", "with_scale_titles", "Scored", "load_scored", "require_waves", "intake_sentence"]


def _keyed(responses: pd.DataFrame, scale: Scale, items: list[str]) -> pd.DataFrame:
    block = responses[items].apply(pd.to_numeric, errors="coerce").astype(float)
    for item in scale.reverse_items:
        if item in block.columns:
            block[item] = scale.low + scale.high - block[item]
    return block


def score(responses: pd.DataFrame, instrument: Instrument, *, min_items: int | Mapping[str, int] | None = None) -> pd.DataFrame:
    """Scale scores: the mean of each scale's answered items after reverse keying.

    Parameters
    ----------
    responses
        Tidy responses (``participant_id``, ``wave`` and item columns), e.g.
        ``read_responses(...).responses``.
    instrument
        The scales to score; scales with no item column in ``responses`` are skipped.
    min_items
        Fewest answered items for a score (one number for every scale, or
        ``{scale: n}``); default each scale's ``min_items`` or half its items,
        rounded up. A respondent with fewer answers gets NaN for that scale.

    Returns
    -------
    DataFrame
        The key columns present (``participant_id``, ``wave``) and one column
        per scale.

    Notes
    -----
    A reverse-keyed answer ``x`` is scored ``low + high - x`` (6 - x on a 1-5 scale).

    Examples
    --------
    >>> inst = load_instrument("psychological_safety")
    >>> r = pd.DataFrame({"participant_id": ["P1", "P2"], "wave": ["pre", "pre"],
    ...                   "psychological_safety_1": [4, 5], "psychological_safety_2": [4, None],
    ...                   "psychological_safety_3": [2, None], "psychological_safety_4": [3, None]})
    >>> score(r, inst)   # P1: (4 + 4 + (6 - 2) + 3) / 4; P2 answered 1 of 4 items (2 needed)
      participant_id wave  psychological_safety
    0             P1  pre                  3.75
    1             P2  pre                   NaN
    """
    keys = [c for c in ("participant_id", "wave") if c in responses.columns]
    out = responses[keys].copy()
    for scale in instrument.scales:
        items = [i for i in scale.item_ids if i in responses.columns]
        if not items:
            continue
        if isinstance(min_items, Mapping):
            needed = min_items.get(scale.name, scale.minimum_answered)
        elif min_items is not None:
            needed = min_items
        else:
            needed = scale.minimum_answered
        if needed < 1:
            raise AnalysisError(f"min_items must be at least 1 (scale {scale.name}), not {needed}.")
        block = _keyed(responses, scale, items)
        answered = block.notna().sum(axis=1)
        out[scale.name] = block.mean(axis=1).where(answered >= needed)
    return out


def reliability(responses: pd.DataFrame, instrument: Instrument, *, by: str | None = "wave", alpha: float = 0.05) -> pd.DataFrame:
    """Cronbach's alpha (with CI) for every scale, reverse-keyed first, by wave.

    Returns one row per scale (and wave): ``scale, wave, alpha, ci_low, ci_high, n, k`` (the ``alpha``
    column is the coefficient; the ``alpha`` argument is the interval's significance level, 0.05 for 95%).
    Pass the table through ``disclose(..., counts=["n"], means={"alpha": "n", ...})``.
    """
    groups = [(None, responses)] if by is None or by not in responses.columns else list(responses.groupby(by, sort=False))
    rows = []
    for scale in instrument.scales:
        items = [i for i in scale.item_ids if i in responses.columns]
        if not items:
            continue
        for key, part in groups:
            block = _keyed(part, scale, items)
            if block.notna().any(axis=1).sum() == 0:
                continue
            row = cronbach_alpha(block, alpha=alpha).iloc[0].to_dict()
            rows.append({"scale": scale.name, (by or "wave"): key, **row})
    columns = ["scale", by or "wave", "alpha", "ci_low", "ci_high", "n", "k"]
    table = pd.DataFrame(rows, columns=columns)
    return table.astype({"n": int, "k": int}) if len(table) else table


def respondents(responses: pd.DataFrame, groups: pd.Series, *, name: str = "role") -> pd.DataFrame:
    """Respondents counted by group (rows) and wave (columns, in survey order), UNROUNDED.

    ``groups`` maps participant_id to a group (e.g. ``participants.set_index("participant_id")["role"]``);
    the result's first column is ``name``. Roles come in the scheme's order (senior leaders first), other groups
    after them. Respondents with no group are left out.

    Examples
    --------
    >>> r = pd.DataFrame({"participant_id": ["A", "B", "A", "C"], "wave": ["pre", "pre", "post", "post"]})
    >>> respondents(r, pd.Series({"A": "senior_leader", "B": "staff_partner", "C": "staff_partner"}))
                role  pre  post
    0  senior_leader    1     1
    1  staff_partner    1     1
    """
    from .instruments import WAVES

    for column in ("participant_id", "wave"):
        if column not in responses.columns:
            raise AnalysisError(f"responses: the table has no {column} column; pass load_surveys(...).responses.")
    table = pd.crosstab(responses["participant_id"].map(groups).rename(name), responses["wave"])
    table = table.reindex(columns=[w for w in WAVES if w in set(responses["wave"])])
    from ..codes import ROLES  # roles in the scheme's order (senior leaders first), other groups after, sorted

    table = table.loc[[r for r in ROLES if r in table.index] + sorted((g for g in table.index if g not in ROLES), key=str)]
    return table.reset_index().rename_axis(columns=None)


def with_scale_titles(table: pd.DataFrame, instrument: Instrument, *, column: str = "scale") -> pd.DataFrame:
    """A copy of ``table`` whose ``column`` shows each scale's title instead of its code (for display only).

    A name the instrument does not know is kept as it is. Use it on the table given to ``disclose``; keep the
    codes in the table other functions read (:func:`rmresearch.surveys.record_change` looks scales up by code).

    Examples
    --------
    >>> inst = load_instrument("psychological_safety")
    >>> with_scale_titles(pd.DataFrame({"scale": ["psychological_safety", "other"]}), inst)["scale"].tolist()
    ['Psychological safety in the pair', 'other']
    """
    if column not in table.columns:
        raise AnalysisError(f"with_scale_titles: the table has no {column!r} column; it has {', '.join(map(str, table.columns))}.")
    titles = {scale.name: scale.title for scale in instrument.scales}
    out = table.copy()
    out[column] = out[column].map(lambda name: titles.get(name, name))
    return out


class Scored(NamedTuple):
    """A cohort's surveys, read and scored (:func:`load_scored`); every field None when none are configured."""

    instrument: Instrument | None
    survey: Any  # rmresearch.surveys.SurveyImport
    scores: pd.DataFrame | None


def load_scored(config, *, participants: pd.DataFrame | None = None, instrument: Instrument | None = None) -> Scored:
    """Read and score a cohort's surveys, or return ``Scored(None, None, None)`` when the cohort file names none.

    A report notebook reads the surveys once, up front, and each section that needs them says so with
    ``sections.require(cfg, "surveys")`` (and :func:`require_waves`), so that a cohort without surveys still gets
    the rest of the notebook. A survey file that is configured but unreadable still raises (an input to fix).
    """
    from .responses import load_surveys, survey_instrument

    if not (config.inputs.get("surveys") or {}):
        return Scored(None, None, None)
    instrument = survey_instrument(config, instrument)
    survey = load_surveys(config, instrument, participants=participants)
    return Scored(instrument, survey, score(survey.responses, instrument))


_WAVE_NAMES = {"pre": "before the programme (pre)", "post": "after the programme (post)"}


def require_waves(scores: pd.DataFrame | None, *waves: str) -> None:
    """Stop a report section, with a note, when the scores hold no answers from one of these waves.

    >>> require_waves(pd.DataFrame({"participant_id": ["A"], "wave": ["pre"], "s": [3.0]}), "pre")
    >>> require_waves(pd.DataFrame({"participant_id": ["A"], "wave": ["pre"], "s": [3.0]}), "pre", "post")
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: the surveys hold no answers from after the programme (post); add that wave to the cohort file (inputs: surveys: post: FILE)
    """
    if scores is None:
        raise AnalysisError("no surveys are configured for this cohort (inputs: surveys: {pre: FILE, post: FILE})")
    present = set(scores["wave"]) if "wave" in scores.columns else set()
    missing = [w for w in waves if w not in present]
    if missing:
        names = " or ".join(_WAVE_NAMES.get(w, w) for w in missing)
        lines = ", ".join(f"{w}: FILE" for w in missing)
        raise AnalysisError(f"the surveys hold no answers from {names}; add that wave to the cohort file "
                            f"(inputs: surveys: {lines})")


def intake_sentence(survey, config=None) -> str:
    """How the survey answers were taken in, for the report: how respondents were linked, and what was left out.

    Counts of responses are programme activity (exact). When the cohort file (``config``) sets
    ``options.surveys.exclude_unfinished``, the unfinished responses are among the rows left out, and the rest of
    those rows are repeated responses (``options.surveys.duplicates: keep_latest``).

    >>> from types import SimpleNamespace as S
    >>> intake_sentence(S(link="respondents linked by the export's 'RecipientEmail' to the participants' email",
    ...                   unfinished=[4, 9], excluded=[]))
    "Respondents linked by the export's 'RecipientEmail' to the participants' email. 2 unfinished responses were kept (set options.surveys.exclude_unfinished: true to leave them out)."
    >>> intake_sentence(S(link="", unfinished=[4], excluded=[4, 7]),
    ...                 S(options={"surveys": {"exclude_unfinished": True}}))
    "1 unfinished response was left out. 1 repeated response was left out, keeping each person's latest finished one."
    >>> intake_sentence(S(link="respondents linked by default by the export's 'participant_id' to the participants' "
    ...                        "participant_id", unfinished=[], excluded=[]))
    ''
    """
    from .respondents import survey_settings

    exclude_unfinished = bool(survey_settings(config).get("exclude_unfinished")) if config is not None else False
    parts = []
    # a wave keyed by participant_id needs no sentence: only a link people would want to check is named
    links = [part for part in (getattr(survey, "link", "") or "").split("; ") if part.strip()
             and not re.search(r"'participant_id'( to the participants' participant_id)?$", part.strip())]
    link = "; ".join(dict.fromkeys(links)).strip()
    if link:
        parts.append(f"{link[0].upper()}{link[1:].rstrip('.')}.")
    unfinished, excluded = len(survey.unfinished or []), len(survey.excluded or [])
    if unfinished:
        parts.append(f"{_responses(unfinished, 'unfinished')} left out." if exclude_unfinished else
                     f"{_responses(unfinished, 'unfinished')} kept (set options.surveys.exclude_unfinished: true to "
                     "leave them out).")
    repeated = excluded - (unfinished if exclude_unfinished else 0)
    if repeated > 0:
        parts.append(f"{_responses(repeated, 'repeated')} left out, keeping each person's latest finished one.")
    return " ".join(parts)


def _responses(n: int, kind: str) -> str:
    return f"{n} {kind} response was" if n == 1 else f"{n} {kind} responses were"
