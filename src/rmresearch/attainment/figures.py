"""The awarding-gap trend figure, drawn from disclosable numbers only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ._common import ATTRS

__all__ = ["plot_gap_trend"]


def _academic_year(year: Any) -> str:
    try:
        y = int(year)
    except (TypeError, ValueError):
        return str(year)
    return f"{y}-{(y + 1) % 100:02d}"


def plot_gap_trend(
    trend: pd.DataFrame,
    *,
    groups: Sequence[str] | None = None,
    rules: Any = None,
    title: str | None = None,
    ax: Any = None,
):
    """Draw the awarding gap over years with its intervals, from disclosable numbers only.

    Points whose group or reference rate would be suppressed by the disclosure
    rules (fewer than 22.5 students by default) are not drawn: a figure must not
    show what a table would hide.

    Parameters
    ----------
    trend : pandas.DataFrame
        The output of :func:`gap_trend` (unrounded).
    groups : sequence of str, optional
        Groups to draw; default all but the reference.
    rules : DisclosureRules, optional
        ``config.disclosure``.
    title : str, optional
        Default: a title stating the change in the gap.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    AnalysisError
        When no year's gap can be shown (every point suppressed): the figure would be empty.
    """
    from .. import plots
    from ..disclosure import suppress_rate

    spec = trend.attrs.get(ATTRS, {})
    if spec.get("kind") != "gap" or len(spec.get("by", [])) != 1:
        raise AnalysisError("plot_gap_trend needs the table returned by gap_trend (awarding_gap with one `by` column, the year).")
    group, year, reference = spec["group"], spec["by"][0], spec["reference"]
    shown = trend.loc[trend[group] != reference].copy()
    hidden = pd.Series(False, index=shown.index)
    for den, num in (("n", "good"), ("reference_n", "reference_good")):
        marked = suppress_rate(shown["gap_pp"], shown[den], numerator=shown[num], rules=rules)
        hidden |= marked.map(lambda v: isinstance(v, str))
    shown = shown.loc[~hidden]
    if groups is not None:
        shown = shown.loc[shown[group].isin(list(groups))]
    if shown.empty:  # a figure over nothing says nothing: the section says what is missing instead
        raise AnalysisError(
            f"no year has enough qualifiers with a classified degree, both {reference} and of another group, to show "
            "their gap in good honours, so there is no trend to draw"
        )
    if ax is None:
        fig, ax = plots.new_figure()
    else:
        fig = ax.figure
    names = list(dict.fromkeys(shown[group]))
    colours = plots.group_colours(names)
    years = sorted(trend[year].dropna().unique())
    position = {y: i for i, y in enumerate(years)}
    offsets = np.linspace(-0.12, 0.12, max(len(names), 1)) if len(names) > 1 else [0.0]
    for offset, name in zip(offsets, names):
        rows = shown.loc[shown[group] == name]
        x = np.array([position[y] for y in rows[year]]) + offset
        est = rows["gap_pp"].to_numpy(float)
        err = np.vstack([est - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - est])
        ax.errorbar(x, est, yerr=err, marker="o", capsize=3, color=colours[name], label=name, linewidth=1.5)
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set_xticks(range(len(years)), [_academic_year(y) for y in years])
    ax.set_xlabel("Year of qualification")
    ax.set_ylabel(f"Gap to {reference} students (percentage points)")
    if names:
        ax.legend(title="Group", loc="best")
    if title is None:
        title = _trend_title(shown, group, year, reference, names)
    ax.set_title(title)
    return fig


def _trend_title(shown: pd.DataFrame, group: str, year: str, reference: str, names: list[str]) -> str:
    """The trend figure's title, true of the gaps drawn (one decimal, never "-0.0").

    >>> t = pd.DataFrame({"g": ["Black"] * 2, "y": [2021, 2023], "gap_pp": [8.0, -6.0], "ci_low": [5.0, -9.0],
    ...                   "ci_high": [11.0, -3.0]})
    >>> _trend_title(t, "g", "y", "White", ["Black"]), _trend_title(t.assign(gap_pp=[8.0, 2.0], ci_low=[5.0, 1.0], ci_high=[11.0, 3.0]), "g", "y", "White", ["Black"])
    ('The Black awarding gap reversed: 8.0 pp in 2021-22, -6.0 pp in 2023-24', 'The Black awarding gap narrowed: 8.0 pp in 2021-22, 2.0 pp in 2023-24')
    >>> _trend_title(t.iloc[1:].assign(gap_pp=-0.04), "g", "y", "White", ["Black"])
    'The Black awarding gap was 0.0 pp in 2023-24'
    """
    from ..display import format_number

    if len(names) == 1:
        rows = shown.loc[shown[group] == names[0]].sort_values(year)
        first, last = rows.iloc[0], rows.iloc[-1]
        was, now = format_number(first["gap_pp"], 1), format_number(last["gap_pp"], 1)
        if len(rows) == 1 or first[year] == last[year]:
            return f"The {names[0]} awarding gap was {was} pp in {_academic_year(first[year])}"
        span = f"{was} pp in {_academic_year(first[year])}, {now} pp in {_academic_year(last[year])}"
        # Only call it a change when the two years' intervals do not overlap: a title states a finding.
        apart = last["ci_high"] < first["ci_low"] or last["ci_low"] > first["ci_high"]
        if not apart:
            return f"No clear change in the {names[0]} awarding gap: {span}"
        if first["gap_pp"] * last["gap_pp"] < 0:  # from one side of 0 to the other: neither narrowed nor widened
            verb = "reversed"
        else:
            verb = "narrowed" if abs(last["gap_pp"]) < abs(first["gap_pp"]) else "widened"
        return f"The {names[0]} awarding gap {verb}: {span}"
    return _latest_gaps_title(shown, group, year, reference)


def _latest_gaps_title(shown: pd.DataFrame, group: str, year: str, reference: str) -> str:
    """Several groups: the largest gap in the latest year as drawn (one decimal), every group tied at it named,
    and no claim that gaps persist (a gap at or below 0 is no gap to the reference group).

    >>> t = pd.DataFrame({"g": ["Black", "Asian", "Mixed"], "y": [2024] * 3, "gap_pp": [12.04, 11.96, 3.0]})
    >>> _latest_gaps_title(t, "g", "y", "White")
    'Gaps to White students by group: in 2024-25 the largest, about equal, are Black and Asian (12.0 pp)'
    >>> _latest_gaps_title(t.assign(gap_pp=[12.3, 4.0, 3.0]), "g", "y", "White")
    'Gaps to White students by group: in 2024-25 the largest is Black (12.3 pp)'
    >>> _latest_gaps_title(t.assign(gap_pp=[-0.04, -1.0, -3.0]), "g", "y", "White")
    'No group has a gap to White students above 0 pp in 2024-25 (largest: Black, 0.0 pp)'
    """
    from ..display import format_number

    latest = shown.loc[shown[year] == shown[year].max()]
    drawn = latest["gap_pp"].astype(float).round(1)
    top_value = drawn.max()
    tops = [str(g) for g in latest.loc[drawn == top_value, group]]
    when, value = _academic_year(latest[year].iloc[0]), format_number(top_value, 1)
    names = ", ".join(tops[:-1]) + " and " + tops[-1] if len(tops) > 1 else tops[0]
    if top_value <= 0:
        return f"No group has a gap to {reference} students above 0 pp in {when} (largest: {names}, {value} pp)"
    if len(tops) > 1:
        return f"Gaps to {reference} students by group: in {when} the largest, about equal, are {names} ({value} pp)"
    return f"Gaps to {reference} students by group: in {when} the largest is {names} ({value} pp)"
