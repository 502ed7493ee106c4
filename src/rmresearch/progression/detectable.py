"""What a ratio that is not significant can and cannot mean: the smallest ratio the numbers shown could have detected.

Sentences for the report, one per row of a *disclosed* table: a relative likelihood (:func:`relative_likelihood_lines`)
or a hazard ratio of mentored to matched staff (:func:`hazard_ratio_lines`) whose 95% interval includes 1 is followed
by the ratios nearest 1 that a two-sided 5% test would have detected 8 times in 10 (:mod:`rmresearch.stats.power`).
They are worked out from the counts the table shows (rounded), never from the exact counts: a detectable ratio
computed from an exact count would give that count back.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..stats.power import minimum_detectable_hazard_ratio, minimum_detectable_ratio
from ._common import _require_columns

__all__ = ["relative_likelihood_lines", "hazard_ratio_lines", "record_detectable_ratio",
           "record_detectable_hazard_ratio"]


def _number(value) -> float:
    """A shown cell as a number: ``"6.9%"`` -> 0.069, ``"1.38"`` -> 1.38, a suppression marker -> NaN."""
    if value is None or value is pd.NA:
        return math.nan
    text = str(value).strip().replace(",", "")
    scale = 100.0 if text.endswith("%") else 1.0
    try:
        return float(text.rstrip("%")) / scale
    except ValueError:
        return math.nan


def _power_words(power: float, alpha: float) -> str:
    return f"{round(power * 10):g} times in 10 (two-sided test at {alpha:g})"


def relative_likelihood_lines(
    shown: pd.DataFrame,
    *,
    group: str,
    reference: str,
    label: str | None = None,
    unit: str = "people",
    alpha: float = 0.05,
    power: float = 0.8,
) -> list[str]:
    """One sentence per relative likelihood of a disclosed :func:`relative_likelihood` table whose interval includes 1.

    Parameters
    ----------
    shown : pandas.DataFrame
        :func:`disclose_relative_likelihood` of the table (before :func:`relabel`).
    group, label : str
        The group column and, for :func:`relative_likelihoods`, the column naming each outcome.
    reference : str
        The reference group's name, for the sentence.
    unit : str
        What the denominators count ("person-years", "applicants").

    Returns
    -------
    list of str
        Markdown list items; a row whose ratio is suppressed says it is too small to say; a row whose interval
        excludes 1 has no sentence (it is a finding, not a null result).

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.progression import disclose_relative_likelihood, relative_likelihood
    >>> rows = pd.DataFrame({"g": ["White"] * 2485 + ["BAME"] * 465,
    ...                      "promoted": [True] * 164 + [False] * 2321 + [True] * 30 + [False] * 435})
    >>> shown = disclose_relative_likelihood(relative_likelihood(rows, group="g", numerator="promoted", denominator=None))
    >>> for line in relative_likelihood_lines(shown, group="g", reference="White", unit="person-years"): print(line)
    - BAME (about 465 person-years, against about 2,485 White): the interval 0.70 to 1.49 includes 1 (parity). With numbers this size, only a relative likelihood below 0.63 or above 1.87 would have been detected 8 times in 10 (two-sided test at 0.05); a smaller difference may be there unseen.
    """
    columns = [group, "denominator", "reference_denominator", "reference_rate", "relative_likelihood", "ci_low", "ci_high"]
    _require_columns(shown, [*columns, label], "relative_likelihood_lines")
    from ..display import capitalise, readable_value

    lines = []
    for _, row in shown.iterrows():
        name = str(readable_value(row[group]))
        if label is not None:
            name = f"{capitalise(str(readable_value(row[label])))}, {name}"  # not str.capitalize: "BAME" stays
        low_ci, high_ci = _number(row["ci_low"]), _number(row["ci_high"])
        if math.isnan(_number(row["relative_likelihood"])) or math.isnan(low_ci) or math.isnan(high_ci):
            lines.append(f"- {name}: too few to say (the ratio is suppressed or undefined).")
            continue
        if not low_ci <= 1 <= high_ci:
            continue
        n_group, n_ref = _number(row["denominator"]), _number(row["reference_denominator"])
        detectable = minimum_detectable_ratio(n_ref, n_group, _number(row["reference_rate"]), alpha=alpha, power=power)
        lines.append(f"- {name} (about {n_group:,.0f} {unit}, against about {n_ref:,.0f} {reference}): the interval "
                     f"{low_ci:.2f} to {high_ci:.2f} includes 1 (parity). With numbers this size, only a relative "
                     f"likelihood {_ratio_range(detectable)} would have been detected {_power_words(power, alpha)}; "
                     "a smaller difference may be there unseen.")
    return lines


def _ratio_range(detectable) -> str:
    low, high = detectable
    if math.isnan(low) and math.isnan(high):
        return "far from 1 (none within the possible rates)"
    if math.isnan(low):
        return f"above {high:.2f}"
    if math.isnan(high):
        return f"below {low:.2f}"
    return f"below {low:.2f} or above {high:.2f}"


def hazard_ratio_lines(
    shown: pd.DataFrame,
    *,
    treated: float | None = None,
    label: str = "outcome",
    events_word: Mapping[str, str] | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
) -> list[str]:
    """One sentence per hazard ratio of a disclosed :func:`mentoring_effect` table whose interval includes 1.

    Parameters
    ----------
    shown : pandas.DataFrame
        :func:`disclose_cox` of the effect table (``hazard_ratio, ci_low, ci_high, n, events`` and ``label``).
    treated : float, optional
        The number of mentored people in the model as the report shows it (rounded); default the table's
        ``mentored_n`` column (:func:`mentoring_effect`), rounded by :func:`disclose_cox`.
    label : str
        Column naming each outcome ("promotion", "leaving").
    events_word : dict, optional
        Outcome -> what its events are called ({"promotion": "promotions"}); default "events".

    Returns
    -------
    list of str
        Markdown list items, as :func:`relative_likelihood_lines`; the detectable hazard ratio is Schoenfeld's
        approximation from the shown events and the shown share of mentored people (stratifying by matched set
        loses a little power, so it is a best case).

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.progression import disclose_cox
    >>> effect = pd.DataFrame({"covariate": ["mentored"], "hazard_ratio": [2.3], "ci_low": [0.56], "ci_high": [9.4],
    ...                        "p_value": [0.26], "n": [85], "events": [10], "outcome": ["leaving"]})
    >>> for line in hazard_ratio_lines(disclose_cox(effect), treated=10, events_word={"leaving": "leavers"}): print(line)
    - Leaving: the interval 0.56 to 9.40 includes 1. With about 10 leavers among about 85 staff, about 10 of them mentored, only a hazard ratio below 0.06 or above 15.64 would have been detected 8 times in 10 (two-sided test at 0.05); a smaller effect may be there unseen.
    """
    _require_columns(shown, ["hazard_ratio", "ci_low", "ci_high", "n", "events", label], "hazard_ratio_lines")
    words = dict(events_word or {})
    if treated is None:
        _require_columns(shown, ["mentored_n"], "hazard_ratio_lines (without treated=)")
    from ..display import capitalise, readable_value

    lines = []
    for _, row in shown.iterrows():
        treated_n = _number(row["mentored_n"] if treated is None else treated)
        name = capitalise(str(readable_value(row[label])))
        low_ci, high_ci = _number(row["ci_low"]), _number(row["ci_high"])
        n, events = _number(row["n"]), _number(row["events"])
        if math.isnan(low_ci) or math.isnan(high_ci) or math.isnan(n) or n <= 0 or math.isnan(treated_n):
            lines.append(f"- {name}: too few to say (suppressed).")
            continue
        if not low_ci <= 1 <= high_ci:
            continue
        if events <= 0:
            lines.append(f"- {name}: too few events to say how large an effect could have been detected.")
            continue
        if not 0 < treated_n < n:
            lines.append(f"- {name}: too few mentored people shown to say how large an effect could have been detected.")
            continue
        detectable = minimum_detectable_hazard_ratio(events, treated_n / n, alpha=alpha, power=power)
        what = words.get(row[label], "events")
        lines.append(f"- {name}: the interval {low_ci:.2f} to {high_ci:.2f} includes 1. With about {events:,.0f} {what} "
                     f"among about {n:,.0f} staff, about {treated_n:,.0f} of them mentored, only a hazard ratio "
                     f"{_ratio_range(detectable)} would have been detected {_power_words(power, alpha)}; a smaller "
                     "effect may be there unseen.")
    return lines


def record_detectable_ratio(key: str, shown: pd.DataFrame, *, group: str, reference: str, label: str,
                            unit: str = "person-years", section: str | None = None, headline: bool = False,
                            alpha: float = 0.05, power: float = 0.8, recorder: Any = None,
                            **match: Any) -> dict[str, Any] | None:
    """Record, for one row of a *disclosed* relative-likelihood table whose interval includes 1, the ratios it could
    have detected: the one above 1 as the value, the one below 1 in the sentence (both from the rounded counts shown).

    ``match`` picks the row (``outcome="promotion", aggregate_group="BAME"``). Returns the stored record, or None
    where the interval excludes 1 (a finding, not a null result) or the ratio is suppressed.

    Examples
    --------
    >>> from rmresearch.results import Recorder
    >>> shown = pd.DataFrame({"g": ["BAME"], "denominator": [465], "reference_denominator": [2485],
    ...                       "reference_rate": ["6.6%"], "relative_likelihood": ["0.96"], "ci_low": ["0.66"],
    ...                       "ci_high": ["1.38"]})
    >>> got = record_detectable_ratio("rl_detectable", shown, group="g", reference="White", recorder=Recorder(),
    ...                               label="Smallest relative likelihood of promotion detectable", g="BAME")
    >>> got["display"], got["sentence"][:94]
    ('1.87', 'With about 465 person-years of BAME staff and 2,485 of White staff, only a relative likelihood')
    """
    from .. import results
    from ._common import one_row

    row = one_row(shown, what=label, **match)
    low_ci, high_ci, ratio = _number(row["ci_low"]), _number(row["ci_high"]), _number(row["relative_likelihood"])
    if any(math.isnan(v) for v in (low_ci, high_ci, ratio)) or not low_ci <= 1 <= high_ci:
        return None
    n_group, n_ref = _number(row["denominator"]), _number(row["reference_denominator"])
    low, high = minimum_detectable_ratio(n_ref, n_group, _number(row["reference_rate"]), alpha=alpha, power=power)
    if math.isnan(high):
        return None
    below = f"below {low:.2f} or " if not math.isnan(low) else ""
    sentence = (f"With about {n_group:,.0f} {unit} of {row[group]} staff and {n_ref:,.0f} of {reference} staff, only a "
                f"relative likelihood {below}above {{value}} could have been detected reliably (power {power:g}, "
                f"two-sided {alpha:g}); a smaller difference may exist.")
    options = dict(kind="estimate", n=min(n_group, n_ref), n_of=unit, decimals=2, section=section, label=label,
                   headline=headline, sentence=sentence)
    return (recorder or results).record(key, high, **options)


def record_detectable_hazard_ratio(key: str, shown: pd.DataFrame, *, label: str, events_word: str = "events",
                                   section: str | None = None, headline: bool = False, alpha: float = 0.05,
                                   power: float = 0.8, recorder: Any = None) -> dict[str, Any] | None:
    """Record, for the first row of a *disclosed* :func:`mentoring_effect` table whose interval includes 1, the hazard
    ratios it could have detected (Schoenfeld, from the rounded ``events``, ``n`` and ``mentored_n`` shown).

    Returns the stored record, or None where the interval excludes 1 or a number is suppressed.

    Examples
    --------
    >>> from rmresearch.results import Recorder
    >>> shown = pd.DataFrame({"hazard_ratio": [1.3], "ci_low": [0.58], "ci_high": [2.87], "n": [1275], "events": [135],
    ...                       "mentored_n": [50]})
    >>> got = record_detectable_hazard_ratio("hr_detectable", shown, label="Smallest", events_word="promotions",
    ...                                      recorder=Recorder())
    >>> got["display"], got["sentence"][:80]
    ('3.46', 'With about 135 promotions among about 1,275 staff, about 50 of them mentored, on')
    """
    from .. import results

    _require_columns(shown, ["ci_low", "ci_high", "n", "events", "mentored_n"], "record_detectable_hazard_ratio")
    row = shown.iloc[0]
    low_ci, high_ci = _number(row["ci_low"]), _number(row["ci_high"])
    n, events, treated = _number(row["n"]), _number(row["events"]), _number(row["mentored_n"])
    if any(math.isnan(v) for v in (low_ci, high_ci, n, events, treated)) or not low_ci <= 1 <= high_ci:
        return None
    if events <= 0 or not 0 < treated < n:
        return None
    low, high = minimum_detectable_hazard_ratio(events, treated / n, alpha=alpha, power=power)
    sentence = (f"With about {events:,.0f} {events_word} among about {n:,.0f} staff, about {treated:,.0f} of them "
                f"mentored, only a hazard ratio below {low:.2f} or above {{value}} could have been detected reliably "
                f"(power {power:g}, two-sided {alpha:g}); a smaller effect may exist.")
    options = dict(kind="estimate", n=treated, n_of="mentored staff", decimals=2, section=section, label=label,
                   headline=headline, sentence=sentence)
    return (recorder or results).record(key, high, **options)
