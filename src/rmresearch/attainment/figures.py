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
    if not names:
        return "No group is large enough to show its awarding gap"
    if len(names) == 1:
        rows = shown.loc[shown[group] == names[0]].sort_values(year)
        first, last = rows.iloc[0], rows.iloc[-1]
        if len(rows) == 1 or first[year] == last[year]:
            return f"The {names[0]} awarding gap was {first['gap_pp']:.1f} pp in {_academic_year(first[year])}"
        span = f"{first['gap_pp']:.1f} pp in {_academic_year(first[year])}, {last['gap_pp']:.1f} pp in {_academic_year(last[year])}"
        # Only call it a change when the two years' intervals do not overlap: a title states a finding.
        apart = last["ci_high"] < first["ci_low"] or last["ci_low"] > first["ci_high"]
        if not apart:
            return f"No clear change in the {names[0]} awarding gap: {span}"
        verb = "narrowed" if last["gap_pp"] < first["gap_pp"] else "widened"
        return f"The {names[0]} awarding gap {verb}: {span}"
    latest = shown.loc[shown[year] == shown[year].max()].sort_values("gap_pp", ascending=False)
    top = latest.iloc[0]
    return (f"Gaps to {reference} students persist; largest in {_academic_year(top[year])}: "
            f"{top[group]} ({top['gap_pp']:.1f} pp)")
