"""Figures of the programme: participants, meetings held, meetings over time, each side's gains.

Meetings and pairs are programme activity, drawn exactly (as ``disclose(..., basis="activity")`` shows them);
participants by characteristic and survey answers are people, drawn from disclosed figures only (rounded counts,
suppressed means). Each ``plot_*`` function returns the matplotlib Figure (``ax.figure`` when an ``ax`` is
given) and raises :class:`~rmresearch.errors.AnalysisError` when there is nothing to draw, so that a report
section shows a note instead of an empty chart (:func:`rmresearch.sections.unit`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AnalysisError

__all__ = ["plot_participants", "plot_meetings_held", "plot_meetings_over_time", "plot_gains", "meetings_held_title",
           "pace_title", "gains_title"]


def plot_participants(shown: pd.DataFrame, *, characteristic=None, scheme=None, ax=None):
    """Stacked bars of participants by role and group, drawn from the DISCLOSED table (people by characteristic).

    ``characteristic`` (a :class:`~rmresearch.characteristics.Characteristic`; default ethnicity) titles the
    figure and its legend, and ``scheme`` (the cohort's config or ``programme_type``) names the roles
    (reverse mentor / reverse mentee in a reverse scheme).

    ``shown`` is :func:`participants_by_role` output (role as a column: ``reset_index()``) after
    :func:`rmresearch.disclosure.disclose`: the bars are the numbers the table shows (rounded, or exact with small
    cells suppressed, as the cohort's audience sets), so figure and table agree; a suppressed cell is not drawn.
    ``Total`` rows and columns are left out. Raises AnalysisError when every bar would be empty.

    >>> from rmresearch.disclosure import disclose
    >>> from rmresearch.programme import participants_by_role
    >>> by_role = participants_by_role(pd.DataFrame({"role": ["senior_leader", "staff_partner"] * 2,
    ...                                              "ethnicity_group": ["White", "Asian"] * 2}))
    >>> plot_participants(disclose(by_role.reset_index(), counts=["Asian", "White", "Total"]))
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: every count of participants by role and group is 0 or suppressed as shown (counts rounded to the nearest 5), so there is nothing to draw
    """
    from ..display import is_disclosed, rounded_to
    from ..plots import group_colours, stacked_bars

    if shown is None:  # the table before it could not be computed: its section shows why
        raise AnalysisError("the table of participants by role and group could not be computed, so there is nothing to draw")
    if not is_disclosed(shown):
        raise AnalysisError("plot_participants draws the disclosed table: pass disclose(...) of participants_by_role().")
    label = shown.columns[0]
    table = shown.loc[shown[label] != "Total"].set_index(label).drop(columns="Total", errors="ignore")
    table = table.apply(pd.to_numeric, errors="coerce")  # a suppression marker is not drawn
    base = rounded_to(shown)
    rounding = f" (counts rounded to the nearest {base})" if base else ""
    if table.empty or not (table.fillna(0).to_numpy() > 0).any():
        raise AnalysisError(f"every count of participants by role and group is 0 or suppressed as shown{rounding}, so "
                            "there is nothing to draw")
    from ..characteristics import role_labels
    from ..display import capitalise
    from .sessions import label_roles

    colours = group_colours(table.columns)
    table.index = label_roles(pd.DataFrame({"role": list(table.index)}), role_labels(scheme))["role"].tolist()
    what = characteristic.title if characteristic is not None else "Ethnicity group"
    if characteristic is not None:
        named = {g: capitalise(characteristic.label(g)) for g in table.columns}
        colours = {named[g]: colour for g, colour in colours.items()}
        table.columns = [named[g] for g in table.columns]
    return stacked_bars(table, colours=colours, ax=ax,
                        xlabel="Participants" + (f" (rounded to the nearest {base})" if base else ""),
                        title=f"Participants by role and {what.lower()}", legend_title=what)


def meetings_held_title(by_meetings: pd.DataFrame, *, planned: int) -> str:
    """The title of :func:`plot_meetings_held`, true of the exact counts it draws.

    >>> t = pd.DataFrame({"meetings_held": ["0", "1", "2 or more"], "pairs": [1, 7, 4]})
    >>> meetings_held_title(t, planned=2)
    '4 of 12 pairs held all 2 planned meetings'
    >>> meetings_held_title(t.assign(pairs=[0, 0, 3]), planned=2), meetings_held_title(t.assign(pairs=[1, 2, 0]), planned=2)
    ('All 3 pairs held all 2 planned meetings', 'No pair held all 2 planned meetings')
    """
    total = int(by_meetings["pairs"].sum())
    full = int(by_meetings["pairs"].iloc[-1])
    if full == 0:
        return f"No pair held all {planned} planned meetings"
    if full == total:
        return f"All {total} pairs held all {planned} planned meetings" if total > 1 else f"The pair held all {planned} planned meetings"
    return f"{full} of {total} pairs held all {planned} planned meetings"


def plot_meetings_held(by_meetings: pd.DataFrame, *, planned: int, ax=None):
    """Bar chart of pairs by meetings held: programme activity, drawn exactly.

    ``by_meetings`` is :func:`pairs_by_meetings_held` output; the title says how many pairs held every planned
    meeting (:func:`meetings_held_title`). Raises AnalysisError without pairs.
    """
    from ..plots import OKABE_ITO, new_figure

    if by_meetings is None or by_meetings.empty or int(by_meetings["pairs"].sum()) == 0:
        raise AnalysisError("there are no pairs to count by meetings held")
    title = meetings_held_title(by_meetings, planned=planned)
    if ax is None:
        _, ax = new_figure()
    ax.bar(by_meetings["meetings_held"], by_meetings["pairs"].astype(int), color=OKABE_ITO[0])
    ax.set_xlabel("Meetings held")
    ax.set_ylabel("Pairs")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(title)
    return ax.figure


def pace_title(over_time: pd.DataFrame) -> str:
    """The title of :func:`plot_meetings_over_time`: where the pairs stood against the plan at the last month.

    >>> t = pd.DataFrame({"month_end": ["2025-01-31", "2025-03-31"], "mean_held": [2.0, 4.66], "planned_by_then": [4.0, 6.0]})
    >>> pace_title(t)
    'By 31 March 2025 pairs had held 4.7 meetings on average, 1.3 behind the 6.0 planned'
    >>> pace_title(t.assign(mean_held=[2.0, 5.9])), pace_title(t.assign(mean_held=[2.0, 6.5]))
    ('By 31 March 2025 pairs had held 5.9 meetings on average, close to the 6.0 planned', 'By 31 March 2025 pairs had held 6.5 meetings on average, 0.5 ahead of the 6.0 planned')
    """
    last = over_time.iloc[-1]
    held, plan = float(last["mean_held"]), float(last["planned_by_then"])
    gap = round(plan, 1) - round(held, 1)
    when = f"{pd.Timestamp(last['month_end']):%d %B %Y}".lstrip("0")
    where = ("close to" if abs(gap) < 0.25 else f"{abs(gap):.1f} behind" if gap > 0 else f"{abs(gap):.1f} ahead of")
    return f"By {when} pairs had held {held:.1f} meetings on average, {where} the {plan:.1f} planned"


def plot_meetings_over_time(over_time: pd.DataFrame, *, ax=None):
    """Mean meetings held per pair by the end of each month against the plan (programme activity, exact).

    ``over_time`` is :func:`meetings_over_time` output. Raises AnalysisError when it has no month or no pair.
    """
    from ..plots import OKABE_ITO, new_figure

    if over_time.empty or over_time["mean_held"].isna().all():
        raise AnalysisError("there are no pairs (or no months of the programme) to follow over time")
    title = pace_title(over_time)
    if ax is None:
        _, ax = new_figure()
    x = pd.to_datetime(over_time["month_end"])
    ax.plot(x, over_time["planned_by_then"], color="#999999", linestyle="--", label="Plan")
    ax.plot(x, over_time["mean_held"], color=OKABE_ITO[0], marker="o", label="Held (mean per pair)")
    ax.set_ylabel("Meetings per pair (cumulative)")
    ax.set_xlabel("")
    ax.legend()
    ax.set_title(title)
    ax.figure.autofmt_xdate()
    return ax.figure


def gains_title(senior: float, partner: float, *, scheme=None, roles=None) -> str:
    """The title of :func:`plot_gains`, from the two all-pairs means it draws (rounded as drawn, one decimal).

    ``scheme`` (the cohort's config or ``programme_type``) and ``roles`` (the partner roles taking part) name the
    two sides (:func:`role_words`).

    >>> gains_title(3.94, 3.48), gains_title(3.5, 3.6), gains_title(3.0, 3.96)
    ('Senior leaders reported gaining more (3.9 vs 3.5)', 'Partners and senior leaders reported similar gains (3.5 and 3.6)', 'Partners reported gaining more (4.0 vs 3.0)')
    >>> gains_title(3.0, 3.96, scheme="reverse")
    'Reverse mentors reported gaining more (4.0 vs 3.0)'
    """
    from ..display import capitalise
    from .scheme import role_words

    words = role_words(scheme, roles)
    s, p = round(float(senior), 1), round(float(partner), 1)
    if abs(p - s) < 0.25:
        return capitalise(f"{words['partners']} and {words['seniors']} reported similar gains ({s:.1f} and {p:.1f})")
    return capitalise(f"{words['seniors'] if s > p else words['partners']} reported gaining more "
                      f"({max(s, p):.1f} vs {min(s, p):.1f})")


def plot_gains(summary: pd.DataFrame, *, rules=None, scheme=None, ax=None):
    """Mean gain reported by senior leaders and by their partners, by partner role (survey answers: people).

    ``scheme`` (the cohort's config or ``programme_type``) names the two sides in the legend, bars and title
    (reverse mentee and reverse mentor in a reverse scheme).

    ``summary`` is :func:`reciprocity_summary` output (unrounded); means based on too few people
    (``rules.max_mean_suppressed_n``) are not drawn (shown as ``..``). Raises AnalysisError when no mean can be
    drawn, or when the all-pairs means (the title's comparison) cannot.
    """
    from matplotlib.patches import Patch

    from ..characteristics import role_labels
    from ..disclosure import suppress_mean
    from ..display import capitalise, readable_value
    from ..plots import OKABE_ITO, new_figure
    from .scheme import role_words
    from .sessions import label_roles

    if summary is None or summary.empty:  # the reciprocity table before it could not be computed
        raise AnalysisError("the reciprocity table above could not be computed, so there are no gains to draw")
    drawn = {who: pd.to_numeric(pd.Series(suppress_mean(summary[f"{who}_gain"], summary[f"{who}_gain_n"], rules=rules)),
                                errors="coerce") for who in ("senior", "partner")}
    s, p = drawn["senior"].iloc[-1], drawn["partner"].iloc[-1]
    if np.isnan(s) or np.isnan(p):
        raise AnalysisError("too few senior leaders or partners answered the reciprocity scale after the programme "
                            "for their mean gains to be shown under the cohort's disclosure rules")
    if ax is None:
        _, ax = new_figure()
    x = np.arange(len(summary))
    width = 0.38
    for offset, who, colour in ((-width / 2, "senior", OKABE_ITO[0]), (width / 2, "partner", OKABE_ITO[1])):
        values = drawn[who]
        ax.bar(x + offset, values.fillna(0), width, color=colour)
        for xi, v in zip(x + offset, values):
            if np.isnan(v):
                ax.text(xi, 0.1, "..", ha="center", va="bottom")
    words = role_words(scheme, summary["partner_role"])
    bars = label_roles(summary, role_labels(scheme), column="partner_role")["partner_role"]
    ax.set_xticks(x, [str(readable_value(r)) for r in bars])
    ax.set_ylabel("Mean gain (1-5)")
    ax.set_ylim(0, 5.6)
    ax.legend(handles=[Patch(color=OKABE_ITO[0], label=capitalise(words["senior"])),
                       Patch(color=OKABE_ITO[1], label=capitalise(words["partner"]))], loc="upper right", ncol=2)
    ax.set_title(gains_title(s, p, scheme=scheme, roles=summary["partner_role"]))
    return ax.figure
