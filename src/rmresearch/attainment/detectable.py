"""What a gap that is not significant can and cannot mean: the smallest gap the cohort could have detected.

Every number here is worked out from a *disclosed* table, from the rounded counts it shows, never from the exact
counts: a detectable difference computed from an exact ``n`` would give that ``n`` back. The calculation is
:func:`rmresearch.stats.power.minimum_detectable_difference` (two groups' proportions, Cohen's h, power 0.8,
two-sided alpha 0.05). Of the increase and the decrease from the comparison rate, the larger is reported, so that
"could only have detected a gap of X pp or more" holds in either direction; where the comparison rate is suppressed
it is taken as 50%, where a difference of proportions is hardest to detect. Beside an adjusted gap the same
calculation on the modelled students is an approximation: adjusting for characteristics that predict the outcome
usually makes the estimate somewhat more precise, so the true smallest detectable adjusted gap is, if anything, smaller.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..errors import AnalysisError
from ..stats.power import minimum_detectable_difference

__all__ = ["detectable_difference_pp", "detectable_gap_lines", "record_detectable", "shown_number"]


def shown_number(value: Any) -> float:
    """A number as a disclosed table shows it ("1,595", "78.5%" as 0.785, 65): NaN for a marker or a blank.

    >>> shown_number("1,595"), shown_number("78.5%"), shown_number(".."), shown_number(65)
    (1595.0, 0.785, nan, 65.0)
    """
    if isinstance(value, bool) or value is None:
        return math.nan
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace(",", "")
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1], 0.01
    try:
        return float(text) * scale
    except ValueError:
        return math.nan


def detectable_difference_pp(n: Any, reference_n: Any, reference_rate: Any = None, *, alpha: float = 0.05,
                             power: float = 0.8) -> float:
    """Smallest difference in percentage points between groups of ``n`` and ``reference_n`` that could be detected.

    ``reference_rate`` is the comparison group's rate (a proportion, or as shown: "78.5%"); missing or suppressed,
    50% is used (the least favourable rate). The larger of the detectable increase and decrease is returned; NaN
    when either group is empty or suppressed.

    Examples
    --------
    >>> round(detectable_difference_pp(100, 100, 0.5), 1)
    19.3
    >>> round(detectable_difference_pp("65", "75", "63.1%"), 1)
    23.5
    >>> detectable_difference_pp("..", 75, 0.6)
    nan
    """
    first, second = shown_number(n), shown_number(reference_n)
    if math.isnan(first) or math.isnan(second) or first <= 0 or second <= 0:
        return math.nan
    rate = shown_number(reference_rate)
    if math.isnan(rate):
        rate = 0.5
    if not 0 <= rate <= 1:
        raise AnalysisError(f"detectable_difference_pp: the comparison rate must be a proportion, not {reference_rate!r}.")
    found = minimum_detectable_difference(first, second, rate, alpha=alpha, power=power)
    sizes = [v for v in (found.increase, found.decrease) if not math.isnan(v)]
    return 100 * max(sizes) if sizes else math.nan


def _rate(row: pd.Series, reference_rate: str | None, reference_good: str | None, reference_n: str) -> Any:
    if reference_rate is not None and reference_rate in row.index:
        return row[reference_rate]
    if reference_good is not None and reference_good in row.index:
        good, n = shown_number(row[reference_good]), shown_number(row[reference_n])
        return good / n if n > 0 and not math.isnan(good) else math.nan
    return math.nan


def detectable_gap_lines(shown: pd.DataFrame, *, group: str | None = None, who: str = "students",
                         reference: str = "", reference_group: Any = None, n: str = "n", reference_n: str = "reference_n",
                         reference_rate: str | None = "reference_rate", reference_good: str | None = "reference_good",
                         significant: str = "significant", what: str = "gap", alpha: float = 0.05,
                         power: float = 0.8) -> list[str]:
    """One sentence per gap of a *disclosed* table that is not significant: the smallest gap it could have detected.

    Parameters
    ----------
    shown : pandas.DataFrame
        A table from :func:`rmresearch.attainment.disclose_attainment` (all its columns, before choosing those to
        show). Rows whose ``significant`` is "yes" (a gap was found) or blank (the reference group's own row) get no
        sentence.
    group : str, optional
        Column naming each row's group ("ethnicity_group"); without it the sentence names ``who`` only.
    who : str, default "students"
        Who the counts are ("students", "mentored students").
    reference : str
        Whom the group is compared with, for the sentence ("White students").
    reference_group : optional
        The reference group's value in ``group``: its own row gets no sentence.
    n, reference_n : str
        Columns of the two groups' (rounded) numbers.
    reference_rate, reference_good : str, optional
        Column of the comparison rate as shown, or of its (rounded) count of good outcomes; else 50% is used.
    significant, what
        The column saying whether the interval excludes zero, and what the difference is called ("gap").

    Examples
    --------
    >>> shown = pd.DataFrame({"ethnicity_group": ["White", "Mixed", "Other"], "n": [1595, 100, ".."],
    ...                       "reference_n": [1595] * 3, "reference_rate": ["78.5%"] * 3,
    ...                       "significant": ["..", "no", ".."]})
    >>> for line in detectable_gap_lines(shown, group="ethnicity_group", reference="White students",
    ...                                  reference_group="White"):
    ...     print(line)
    With about 100 Mixed students and about 1,595 White students, this comparison could only have detected a gap of 13 pp or more (power 0.8, two-sided 0.05); a gap smaller than that may exist.
    Other: too few students to say how large a gap could have been detected (suppressed).
    """
    lines = []
    for _, row in shown.iterrows():
        flag = str(row.get(significant, "")).strip().lower()
        if flag in ("yes", "true", "") or (group is not None and reference_group is not None
                                           and row[group] == reference_group):
            continue
        name = f"{row[group]} {who}" if group is not None else who
        first, second = shown_number(row[n]), shown_number(row[reference_n])
        size = detectable_difference_pp(first, second, _rate(row, reference_rate, reference_good, reference_n),
                                        alpha=alpha, power=power)
        if math.isnan(size):
            label = row[group] if group is not None else who.capitalize()
            lines.append(f"{label}: too few {who} to say how large a {what} could have been detected (suppressed).")
            continue
        against = f" and about {second:,.0f} {reference}" if reference else ""
        lines.append(f"With about {first:,.0f} {name}{against}, this comparison could only have detected a {what} of "
                     f"{size:.0f} pp or more (power {power:g}, two-sided {alpha:g}); a {what} smaller than that may exist.")
    return lines


def record_detectable(key: str, shown: pd.DataFrame, *, label: str, section: str | None = None, n: str = "n",
                      reference_n: str = "reference_n", reference_rate: str | None = "reference_rate",
                      reference_good: str | None = "reference_good", significant: str = "significant",
                      alpha: float = 0.05, power: float = 0.8, headline: bool = False, sentence: str | None = None,
                      recorder: Any = None) -> dict[str, Any] | None:
    """Record, for the first row of a *disclosed* table, the smallest difference it could have detected (pp).

    Only where that row's difference is not significant (shown "no"): there the number says what the null result
    can and cannot mean. Worked out from the rounded counts shown (see :func:`detectable_difference_pp`) and recorded
    as an estimate in percentage points, whole points, resting on the smaller of the two rounded numbers. Returns
    the stored record, or None when nothing was recorded (a significant difference, or too few people to say).
    ``headline`` and ``sentence`` as :meth:`rmresearch.results.Recorder.record` (the executive summary).

    Examples
    --------
    >>> from rmresearch.results import Recorder
    >>> rec = Recorder()
    >>> shown = pd.DataFrame({"n": [65], "reference_n": [75], "reference_rate": ["63.1%"], "significant": ["no"]})
    >>> record_detectable("mdd", shown, label="Smallest detectable difference", recorder=rec)["display"]
    '24 pp'
    >>> record_detectable("mdd", shown.assign(significant="yes"), label="Smallest", recorder=rec) is None
    True
    """
    from .. import results

    row = shown.iloc[0]
    if str(row.get(significant, "")).strip().lower() != "no":
        return None
    first, second = shown_number(row[n]), shown_number(row[reference_n])
    size = detectable_difference_pp(first, second, _rate(row, reference_rate, reference_good, reference_n),
                                    alpha=alpha, power=power)
    if math.isnan(size):
        return None
    options = dict(kind="estimate", n=min(first, second), unit="pp", scale=100, decimals=0, n_of="students",
                   section=section, label=label, headline=headline, sentence=sentence)
    if recorder is None:
        return results.record(key, size / 100, **options)
    return recorder.record(key, size / 100, **options)
