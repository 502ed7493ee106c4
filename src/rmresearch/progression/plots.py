"""Figures: the grade pipeline and Kaplan–Meier curves, drawing only what the tables may show."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..config import DisclosureRules
from ..display import fewer_than, people_threshold
from ..errors import AnalysisError
from ._common import _require_columns, _rules
from .disclosure_control import disclosable_steps, plottable_groups

__all__ = ["pipeline_figure", "kaplan_meier_figure"]


def pipeline_figure(
    table: pd.DataFrame,
    *,
    group: str = "ethnicity_group",
    groups: Sequence[str] | None = None,
    rules: DisclosureRules | None = None,
    title: str | None = None,
    ax=None,
):
    """Line chart of each group's share of staff at each grade: where the pipeline leaks.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`representation` for ONE year, by ``grade``.
    groups : sequence of str, optional
        Groups to draw (default all but Unknown).
    rules : DisclosureRules
        Shares of grades with fewer than ``rules.min_percentage_denominator``
        staff, and shares of one or two staff (or all but one or two), are not
        drawn (as :func:`~rmresearch.disclosure.disclose` suppresses them), so
        the figure shows only what the tables show.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (default: a new figure in the report style).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    rmresearch.plots.NothingToDraw
        When every share would be suppressed: an empty axis says nothing (the section shows a note instead).
    """
    from .. import plots
    from ..disclosure import suppress_rate

    rules = _rules(rules)
    _require_columns(table, ["grade", group, "total", "share"], "pipeline_figure")
    if "year" in table.columns and table["year"].nunique() > 1:
        raise AnalysisError("pipeline_figure draws one year: filter the representation table to one year first.")
    groups = [g for g in pd.unique(table[group]) if g != "Unknown"] if groups is None else list(groups)
    colours = plots.group_colours(groups)
    grades = list(table["grade"].cat.categories) if isinstance(table["grade"].dtype, pd.CategoricalDtype) else list(pd.unique(table["grade"]))
    grades = [g for g in grades if g in set(table["grade"])]
    x = {g: i for i, g in enumerate(grades)}
    lines = {}
    for name in groups:
        rows = table.loc[table[group] == name].copy()
        # the same rule as the tables: a share of 1 or 2 staff (or all but 1 or 2) is not drawn either
        hidden = suppress_rate(rows["share"], rows["total"], numerator=rows["n"] if "n" in rows.columns else None,
                               rules=rules).map(lambda v: isinstance(v, str))
        rows = rows.loc[~hidden.to_numpy(dtype=bool)]
        lines[name] = rows.assign(_x=rows["grade"].map(x)).sort_values("_x")
    plots.refuse_empty([v for rows in lines.values() for v in rows["share"]], zero_is_empty=False,
                       what="every share of staff by grade would be suppressed (too few staff in the grades)",
                       needs=f"It needs grades with at least {people_threshold(rules)} staff.")
    fig, ax = plots.new_figure() if ax is None else (ax.figure, ax)
    for name, rows in lines.items():
        ax.plot(rows["_x"], 100 * rows["share"], marker="o", color=colours[name], label=str(name))
    ax.set_xticks(range(len(grades)), grades, rotation=45 if len(grades) > 8 else 0)
    ax.set_xlabel("Grade (lowest to highest)")
    ax.set_ylabel("Share of staff in the grade (%)")
    ax.set_ylim(bottom=0)
    ax.legend(title=None, ncols=min(len(groups), 4))
    year = f" ({int(table['year'].iloc[0])})" if "year" in table.columns and len(table) else ""
    ax.set_title(title or f"Each group's share of staff by grade{year}")
    return fig


def kaplan_meier_figure(
    km: pd.DataFrame,
    *,
    rules: DisclosureRules | None = None,
    title: str | None = None,
    xlabel: str = "Years",
    ylabel: str = "Proportion without the event",
    show_ci: bool = True,
    ax=None,
):
    """Step plot of :func:`kaplan_meier` curves, leaving out what would disclose small numbers.

    Groups that :func:`plottable_groups` rejects are not drawn, each curve
    stops at the last time with at least ``rules.min_percentage_denominator``
    people at risk, and steps are drawn from :func:`disclosable_steps`, so the
    height of a step never shows one or two events. ``ax``: draw into these
    axes instead of a new figure. Raises :class:`rmresearch.plots.NothingToDraw` when no group may be drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .. import plots

    rules = _rules(rules)
    allowed = plottable_groups(km, rules=rules)
    names = allowed.loc[allowed["plotted"], "group"].tolist()
    plots.refuse_empty([len(names)], what=f"every group has {fewer_than(rules)}, so no curve may be drawn",
                       needs=f"It needs a group of at least {people_threshold(rules)} people.")
    colours = plots.group_colours(names)
    fig, ax = plots.new_figure() if ax is None else (ax.figure, ax)
    steps = disclosable_steps(km, rules=rules)
    for name in names:
        curve = steps.loc[(steps["group"] == name) & (steps["at_risk"] >= rules.min_percentage_denominator)]
        t = np.concatenate([[0.0], curve["time"].to_numpy()])
        s = np.concatenate([[1.0], curve["survival"].to_numpy()])
        ax.step(t, s, where="post", color=colours[name], label=str(name))
        if show_ci and len(curve):
            lo = np.concatenate([[1.0], curve["ci_low"].to_numpy()])
            hi = np.concatenate([[1.0], curve["ci_high"].to_numpy()])
            ax.fill_between(t, lo, hi, step="post", color=colours[name], alpha=0.15, linewidth=0)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if names:
        ax.legend()
    ax.set_title(title or "Kaplan–Meier estimates")
    return fig
