"""Figures of the programme: meetings held, meetings over time, each side's gains.

Each ``plot_*`` function draws from disclosed figures only (rounded counts,
suppressed means) and returns the matplotlib Figure (``ax.figure`` when an
``ax`` is given).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plot_meetings_held", "plot_meetings_over_time", "plot_gains"]


def plot_meetings_held(by_meetings: pd.DataFrame, *, planned: int, rules=None, ax=None):
    """Bar chart of pairs by meetings held, drawn from HESA-rounded counts.

    ``by_meetings`` is :func:`pairs_by_meetings_held` output (unrounded); the
    bars and the title use rounded counts only.
    """
    from ..disclosure import hesa_round
    from ..plots import OKABE_ITO, new_figure

    base = getattr(rules, "round_to", 5)
    rounded = hesa_round(by_meetings["pairs"].astype(float), base=base)
    total = hesa_round(float(by_meetings["pairs"].sum()), base=base)
    if ax is None:
        _, ax = new_figure()
    ax.bar(by_meetings["meetings_held"], rounded, color=OKABE_ITO[0])
    ax.set_xlabel("Meetings held")
    ax.set_ylabel(f"Pairs (rounded to the nearest {base})")
    full = int(rounded.iloc[-1])
    ax.set_title(f"About {full} of {total} pairs held all {planned} planned meetings")
    return ax.figure


def plot_meetings_over_time(over_time: pd.DataFrame, *, rules=None, ax=None):
    """Mean meetings held per pair by month against the plan (means on too few pairs are not drawn)."""
    from ..disclosure import suppress_mean
    from ..plots import OKABE_ITO, new_figure

    shown = pd.to_numeric(pd.Series(suppress_mean(over_time["mean_held"], over_time["n"], rules=rules)), errors="coerce")
    if ax is None:
        _, ax = new_figure()
    x = pd.to_datetime(over_time["month_end"])
    ax.plot(x, over_time["planned_by_then"], color="#999999", linestyle="--", label="Plan")
    ax.plot(x, shown, color=OKABE_ITO[0], marker="o", label="Held (mean per pair)")
    ax.set_ylabel("Meetings per pair (cumulative)")
    ax.set_xlabel("")
    ax.legend()
    last = shown.dropna()
    if len(last):
        gap = float(over_time["planned_by_then"].iloc[last.index[-1]] - last.iloc[-1])
        verb = "behind" if gap > 0.25 else "on"
        ax.set_title(f"Pairs kept {'close to' if verb == 'on' else 'about ' + format(gap, '.1f') + ' meetings behind'} the planned pace")
    else:
        ax.set_title("Meetings over time (too few pairs to show)")
    ax.figure.autofmt_xdate()
    return ax.figure



def plot_gains(summary: pd.DataFrame, *, rules=None, ax=None):
    """Mean gain reported by senior leaders and by their partners, by partner role.

    ``summary`` is :func:`reciprocity_summary` output (unrounded); means based
    on too few people (``rules.max_mean_suppressed_n``) are not drawn.
    """
    from ..disclosure import suppress_mean
    from ..plots import OKABE_ITO, new_figure

    if ax is None:
        _, ax = new_figure()
    x = np.arange(len(summary))
    width = 0.38
    drawn = {}
    for offset, who, colour in ((-width / 2, "senior", OKABE_ITO[0]), (width / 2, "partner", OKABE_ITO[1])):
        values = pd.to_numeric(pd.Series(suppress_mean(summary[f"{who}_gain"], summary[f"{who}_gain_n"], rules=rules)), errors="coerce")
        drawn[who] = values
        ax.bar(x + offset, values.fillna(0), width, color=colour, label="Senior leader" if who == "senior" else "Partner")
        for xi, v in zip(x + offset, values):
            if np.isnan(v):
                ax.text(xi, 0.1, "..", ha="center", va="bottom")
    ax.set_xticks(x, [str(r).replace("_", " ") for r in summary["partner_role"]])
    ax.set_ylabel("Mean gain (1-5)")
    ax.set_ylim(0, 5.6)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=OKABE_ITO[0], label="Senior leader"), Patch(color=OKABE_ITO[1], label="Partner")],
              loc="upper right", ncol=2)
    total = summary.iloc[-1]
    s, p = drawn["senior"].iloc[-1], drawn["partner"].iloc[-1]
    if np.isnan(s) or np.isnan(p):
        ax.set_title("What each side gained (too few answers to compare)")
    elif abs(p - s) < 0.25:
        ax.set_title("Partners and senior leaders reported similar gains")
    else:
        ax.set_title(f"{'Senior leaders' if s > p else 'Partners'} reported gaining more ({max(s, p):.1f} vs {min(s, p):.1f})")
    return ax.figure

