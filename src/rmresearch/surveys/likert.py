"""Likert charts: answers counted by response option and drawn as diverging stacked bars."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from .instruments import Instrument

__all__ = ["likert_counts", "plot_likert", "agreement_title"]


def likert_counts(responses: pd.DataFrame, instrument: Instrument, *, scale: str, wave: str | None = None) -> pd.DataFrame:
    """Answers to each item of a scale, counted by response option (UNROUNDED).

    Returns one row per item: ``item, text, reverse, n`` and one column per
    response option label (in code order). Items are shown as worded
    (reverse-keyed items are not flipped), so read their bars accordingly.
    """
    sc = instrument.scale(scale)
    part = responses if wave is None or "wave" not in responses.columns else responses.loc[responses["wave"] == wave]
    rows = []
    for item in sc.items:
        if item.id not in part.columns:
            continue
        values = pd.to_numeric(part[item.id], errors="coerce").dropna().astype(int)
        counts = values.value_counts()
        row = {"item": item.id, "text": item.text, "reverse": item.reverse, "n": int(values.size)}
        for code, label in sorted(sc.options.items()):
            row[label] = int(counts.get(code, 0))
        rows.append(row)
    return pd.DataFrame(rows, columns=["item", "text", "reverse", "n", *[sc.options[c] for c in sorted(sc.options)]])


def plot_likert(counts: pd.DataFrame, *, rules=None, ax=None, title: str | None = None, wrap: int = 45):
    """Diverging stacked bar chart of Likert answers, drawn from disclosed percentages.

    ``counts`` is :func:`likert_counts` output. Each option's share of an
    item's answers goes through :func:`rmresearch.disclosure.suppress_rate`
    (so, with HESA rules, items answered by fewer than 22.5 people are not
    drawn and are labelled as suppressed). A share resting on two or fewer
    answers (or all but two) would give that count back, so an item with such
    an option is drawn with its options merged into disagree / neutral / agree,
    and not drawn if a merged share is still that small. Disagreement extends left of zero,
    agreement right, and the middle option is split across zero. Without a
    ``title``, the title states the range of agreement across the items drawn.
    When no item can be drawn, raises :class:`~rmresearch.errors.AnalysisError` (a figure of empty rows says
    nothing; inside :func:`rmresearch.sections.unit` the section shows a note instead).

    Returns the matplotlib Figure (``ax.figure`` when ``ax`` is given).
    """
    import textwrap

    import matplotlib.pyplot as plt

    from ..disclosure import suppress_rate
    from ..plots import new_figure

    option_cols = [c for c in counts.columns if c not in ("item", "text", "reverse", "n")]
    k = len(option_cols)
    if k < 2:
        raise AnalysisError("counts: the table needs at least two response option columns; pass the output of likert_counts().")
    # Orange-to-blue diverging colours (safe for the common colour-vision deficiencies),
    # light grey in the middle: built from the Okabe-Ito vermilion and blue.
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list("likert", ["#D55E00", "#E8E8E8", "#0072B2"])
    colours = [cmap(x) for x in np.linspace(0, 1, k)]
    half = k // 2
    labels = []
    agreement = []
    suppressed_any = False
    merged_any = False
    # merged options: disagree side, middle (odd k), agree side, coloured like the end and middle options
    groups = [list(range(half)), *([[half]] if k % 2 else []), list(range(k - half, k))]
    merged_colours = [colours[0], *([colours[half]] if k % 2 else []), colours[-1]]

    def disclosed(values: list[float], n: float) -> np.ndarray | None:
        shares = [v / n if n else np.nan for v in values]
        shown = [suppress_rate(s, n, numerator=v, rules=rules) for s, v in zip(shares, values)]
        if any(not isinstance(s, (int, float, np.floating)) or np.isnan(s) for s in shown):
            return None
        return np.array(shown, dtype=float) * 100

    rows = list(counts.reset_index(drop=True).iterrows())
    drawable = [disclosed([float(r[c]) for c in option_cols], float(r["n"])) is not None
                or disclosed([sum(float(r[option_cols[i]]) for i in g) for g in groups], float(r["n"])) is not None
                for _, r in rows]
    if not any(drawable):  # a chart of empty rows says nothing: the section shows a note instead
        raise AnalysisError("too few answers to draw any item: every item was answered by too few people for its "
                            "shares to be shown under the cohort's disclosure rules")
    if ax is None:
        _, ax = new_figure(width=8.5, height=0.6 * len(counts) + 1.6)
    for y, (_, row) in enumerate(rows):
        text = str(row["text"]) + (" (reverse-keyed)" if row.get("reverse") else "")
        labels.append("\n".join(textwrap.wrap(text, wrap)))
        n = float(row["n"])
        values = [float(row[c]) for c in option_cols]
        shares, bar_colours, middle = disclosed(values, n), colours, bool(k % 2)
        if shares is None:
            shares = disclosed([sum(values[i] for i in g) for g in groups], n)
            bar_colours = merged_colours
            merged_any = merged_any or shares is not None
        if shares is None:
            suppressed_any = True
            few = isinstance(suppress_rate(0.5, n, rules=rules), str)
            ax.text(0, y, "suppressed (too few answers)" if few else "suppressed (small numbers)",
                    ha="center", va="center", fontsize=9, color="#555555")
            continue
        side = (len(shares) - (1 if middle else 0)) // 2
        agreement.append(shares[len(shares) - side:].sum())
        left = -shares[:side].sum() - (shares[side] / 2 if middle else 0)
        for share, colour in zip(shares, bar_colours):
            ax.barh(y, share, left=left, color=colour, edgecolor="white", height=0.7)
            left += share
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlim(-100, 100)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100%", "50%", "0", "50%", "100%"])
    ax.set_xlabel("Share of answers (disagree left, agree right)")
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours]
    ax.legend(handles, option_cols, ncol=min(k, 5), loc="upper center", bbox_to_anchor=(0.5, -0.18 if len(labels) > 2 else -0.35), fontsize=9)
    if title is None and agreement:
        title = agreement_title(agreement, items=len(rows))
    if title:
        ax.set_title(title)
    notes = []
    if merged_any:
        notes.append("Items with an answer given by two or fewer people are shown as disagree / neutral / agree.")
    if suppressed_any:
        notes.append("Items answered by too few people are not drawn (disclosure control).")
    if notes:
        ax.figure.text(0.01, 0.0, " ".join(notes), fontsize=8, color="#555555")
    return ax.figure


def agreement_title(agreement, *, items: int) -> str:
    """The title of :func:`plot_likert`: agreement (percent) over the items drawn, true of the rounded figures.

    ``agreement`` holds the agreeing share of each item drawn; ``items`` counts every item of the chart (drawn
    or not), so that a chart with some items suppressed does not read as if it showed them all.

    >>> agreement_title([62.4, 80.2, 71.0], items=3)
    'Agreement ranged from 62% to 80% across the items'
    >>> agreement_title([50.2, 49.8], items=2), agreement_title([70.0], items=1), agreement_title([70.0, 40.0], items=4)
    ('50% agreed with each item', '70% agreed with the item', 'Agreement ranged from 40% to 70% across the 2 items drawn')
    >>> agreement_title([70.0], items=4)
    '70% agreed with the one item drawn'
    """
    shown = [round(float(a)) for a in agreement]
    low, high = min(shown), max(shown)
    drawn = len(shown)
    if drawn == 1:
        return f"{low}% agreed with the item" if items == 1 else f"{low}% agreed with the one item drawn"
    across = "across the items" if drawn == items else f"across the {drawn} items drawn"
    if low == high:
        return f"{low}% agreed with each item" if drawn == items else f"{low}% agreed with each of the {drawn} items drawn"
    return f"Agreement ranged from {low}% to {high}% {across}"
