"""One figure style for every report: colour-blind-safe, labelled, readable in print.

The palette is Okabe & Ito (2008), distinguishable under the common forms of
colour-vision deficiency. Groups keep the same colour in every figure.
"""

from __future__ import annotations

import textwrap
from typing import Callable, Mapping

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .errors import AnalysisError, RMResearchError
from .figuretext import FIGURE_TEXT_MIME, _add_figure_method, figure_text, install_hook

__all__ = ["OKABE_ITO", "FIGURE_METADATA_KEY", "FIGURE_TEXT_MIME", "apply_style", "group_colours", "new_figure",
           "stacked_bars", "wrap_title", "describe", "figure_text", "finish", "FigureLeak", "NothingToDraw",
           "nothing_to_draw", "refuse_empty"]

OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermilion
    "#F0E442",  # yellow
    "#000000",  # black
)

#: Key of the display metadata that carries a figure's alt text and caption into the report.
FIGURE_METADATA_KEY = "rmresearch"

# Fixed colours for the groups that recur across reports.
_FIXED = {
    "White": "#0072B2",
    "BAME": "#E69F00",
    "Asian": "#009E73",
    "Black": "#D55E00",
    "Mixed": "#CC79A7",
    "Other": "#56B4E9",
    "Unknown": "#999999",
}


def apply_style() -> None:
    """Set matplotlib defaults for report figures."""
    plt.rcParams.update(
        {
            "figure.figsize": (7.5, 4.2),
            "figure.dpi": 110,
            "savefig.dpi": 200,
            "savefig.bbox": "tight",
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.labelsize": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "grid.color": "#dddddd",
            "grid.linewidth": 0.8,
            "legend.frameon": False,
            "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
        }
    )


def group_colours(groups) -> dict[str, str]:
    """A stable colour for each group name (fixed for the usual ethnicity groups)."""
    spare = [c for c in OKABE_ITO if c not in _FIXED.values()] + list(OKABE_ITO)
    out, i = {}, 0
    for g in groups:
        if g in _FIXED:
            out[g] = _FIXED[g]
        else:
            out[g] = spare[i % len(spare)]
            i += 1
    return out


def new_figure(*, width: float = 7.5, height: float = 4.2):
    """A figure and axes in the report style."""
    apply_style()
    return plt.subplots(figsize=(width, height), layout="constrained")


class NothingToDraw(AnalysisError):
    """A figure would be drawn over an empty axis: every value is missing (or, for bars and cells, 0).

    An :class:`~rmresearch.errors.AnalysisError`: inside :func:`rmresearch.sections.unit` the section shows
    a note saying what is missing instead of a figure over nothing.
    """


def _numbers(values) -> np.ndarray:
    """Every value as a float; anything that is not a number (a suppression marker ``..``) as missing."""
    if isinstance(values, pd.Series):
        values = values.to_frame()
    if isinstance(values, pd.DataFrame):
        frame = values
    else:
        frame = pd.DataFrame({"v": pd.Series(np.ravel(np.asarray(values, dtype=object)), dtype=object)})
    if frame.empty:
        return np.array([], dtype=float)
    numeric = frame.apply(lambda col: pd.to_numeric(col, errors="coerce"))
    return numeric.to_numpy(dtype=float, na_value=np.nan).ravel()


def nothing_to_draw(values, *, zero_is_empty: bool = True) -> bool:
    """Whether a figure of ``values`` would show nothing: no value at all, every value missing or not a
    number, or (``zero_is_empty``, for bars and the cells of a count heatmap) every value 0.

    Points on a line are drawn at 0 (a gap of 0 pp is a finding): pass ``zero_is_empty=False`` for them.

    Examples
    --------
    >>> nothing_to_draw([0, 0]), nothing_to_draw([0, 5]), nothing_to_draw([]), nothing_to_draw(["..", None])
    (True, False, True, True)
    >>> nothing_to_draw(pd.DataFrame({"a": [0.0, float("nan")]}), zero_is_empty=False)
    False
    """
    numbers = _numbers(values)
    drawn = np.isfinite(numbers)
    if zero_is_empty:
        drawn &= numbers != 0
    return not drawn.any()


def refuse_empty(values, *, what: str, needs: str | None = None, zero_is_empty: bool = True) -> None:
    """Raise :class:`NothingToDraw` when :func:`nothing_to_draw` says ``values`` would draw nothing.

    ``what`` says what would be empty ("every count of coded turns rounds to 0"), ``needs`` what data would
    give the figure something to show. Every ``plot_*`` helper calls this before drawing.

    Examples
    --------
    >>> refuse_empty([0, 0], what="every count rounds to 0", needs="It needs more codings.")
    Traceback (most recent call last):
    ...
    rmresearch.plots.NothingToDraw: Nothing to draw: every count rounds to 0, so the figure is not drawn. It needs more codings.
    >>> refuse_empty([0, 5], what="every count rounds to 0")
    """
    if nothing_to_draw(values, zero_is_empty=zero_is_empty):
        raise NothingToDraw(f"Nothing to draw: {what}, so the figure is not drawn." + (f" {needs}" if needs else ""))


def wrap_title(text: str, fig) -> str:
    """A title broken into lines that fit the figure (about 7 characters per inch), so a long title does not
    squeeze the axes; joining the lines with spaces gives the text back.

    Examples
    --------
    >>> fig, _ = new_figure(width=6.0)
    >>> wrap_title("'Safe space' and 'Reciprocity and mutual learning' were discussed about equally often", fig)
    "'Safe space' and 'Reciprocity and mutual\\nlearning' were discussed about equally\\noften"
    >>> plt.close(fig)
    """
    return textwrap.fill(text, width=max(40, int(7 * fig.get_figwidth())), break_long_words=False)


def stacked_bars(
    table,
    *,
    colours: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | Callable[[str], str] | None = None,
    xlabel: str | None = None,
    title: str | None = None,
    legend_title: str | None = None,
    legend: Mapping | None = None,
    grid: str = "y",
    ax=None,
    width: float = 7.5,
    height: float = 4.2,
):
    """Horizontal stacked bars: one bar per row of ``table`` (first row on top), one segment per column.

    The cell values are drawn as they are: pass counts already rounded for disclosure. Rows whose
    value is missing in a column get no segment there.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows are the bars (the index gives their labels), columns the stacked parts, left to right.
    colours : dict, optional
        ``{column: colour}``, e.g. :func:`group_colours`; default the Okabe-Ito palette in column order.
    labels : dict or callable, optional
        Legend label of each column (default the column name, role codes in words). Bar labels (the index)
        show role codes and design names in words (:func:`rmresearch.display.readable_value`).
    xlabel, title, legend_title : str, optional
        Axis label, title and the legend's title (a legend is drawn when ``legend_title`` or ``legend`` is given).
    legend : dict, optional
        Further arguments of ``ax.legend`` (default ``loc="lower right"``).
    grid : {"y", "x"}
        ``"x"`` draws vertical grid lines only (easier to read bar lengths on wide charts).
    ax : matplotlib Axes, optional
        Draw on this axes; otherwise a new figure of ``width`` x ``height`` inches.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    NothingToDraw
        When every cell is 0 or missing: the chart would be an empty axis (:func:`refuse_empty`).

    Examples
    --------
    >>> table = pd.DataFrame({"White": [10, 5], "BAME": [0, 15]}, index=["senior_leader", "staff_partner"])
    >>> fig = stacked_bars(table, colours=group_colours(table.columns), legend_title="Ethnicity group")
    >>> [(round(p.get_x()), round(p.get_width())) for p in fig.axes[0].patches]
    [(0, 10), (0, 5), (10, 0), (5, 15)]
    >>> plt.close(fig)
    >>> fig = stacked_bars(pd.DataFrame({"A": [float("nan"), 2.0], "B": [11.0, 3.0]}, index=["x", "y"]))
    >>> [(float(p.get_x()), float(p.get_width())) for p in fig.axes[0].patches][2:]  # B from where A ends (0: a gap)
    [(0.0, 11.0), (2.0, 3.0)]
    >>> plt.close(fig)
    """
    from .display import readable_value

    refuse_empty(table, what="every bar would be empty (each value is 0 or missing)")
    if ax is None:
        _, ax = new_figure(width=width, height=height)
    left = None
    bars = [str(readable_value(row)) for row in table.index] if table.index.dtype == object else table.index
    for i, column in enumerate(table.columns):
        colour = colours[column] if colours is not None else OKABE_ITO[i % len(OKABE_ITO)]
        label = labels(column) if callable(labels) else (labels or {}).get(column, readable_value(column))
        values = table[column].to_numpy(dtype=float)
        ax.barh(bars, values, left=left, color=colour, label=label)
        # a missing value (a suppressed cell) draws no segment and moves the next one by nothing, not to NaN
        filled = np.nan_to_num(values, nan=0.0)
        left = filled if left is None else left + filled
    ax.invert_yaxis()
    if xlabel:
        ax.set_xlabel(xlabel)
    if title:
        ax.set_title(wrap_title(title, ax.figure))
    if legend_title is not None or legend is not None:
        ax.legend(**{"title": legend_title, "loc": "lower right", **(legend or {})})
    if grid == "x":
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
    return ax.figure


def describe(fig) -> str:
    """A plain description of a figure from its titles, axis labels and legend (default alt text).

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> _ = ax.bar(["a", "b"], [1, 2], label="Pairs")
    >>> _ = ax.set_title("Most pairs met"); _ = ax.set_xlabel("Meetings held"); _ = ax.set_ylabel("Pairs")
    >>> describe(fig)
    'Bar chart: Most pairs met. Horizontal axis: Meetings held; vertical axis: Pairs.'
    >>> plt.close(fig)
    """
    parts = []
    for ax in fig.get_axes():
        kind = "Line chart" if ax.get_lines() else "Chart"
        if ax.patches and not ax.get_lines():
            kind = "Bar chart"
        title = ax.get_title() or ax.get_title(loc="center") or ax.get_title(loc="left")
        labels = []
        if ax.get_xlabel():
            labels.append(f"Horizontal axis: {ax.get_xlabel()}")
        if ax.get_ylabel():
            labels.append(f"vertical axis: {ax.get_ylabel()}" if labels else f"Vertical axis: {ax.get_ylabel()}")
        legend = ax.get_legend()
        if legend is not None:
            names = [t.get_text() for t in legend.get_texts() if t.get_text()]
            if names:
                labels.append(f"series: {', '.join(names)}")
        text = f"{kind}: {title}." if title else f"{kind}."
        if labels:
            text += " " + "; ".join(labels) + "."
        parts.append(text)
    return " ".join(parts) or "Figure."


class FigureLeak(RMResearchError, ValueError):
    """A figure would draw a roster name, key original or contact detail (masked in the message)."""


def _refuse_identifiers(fig, texts: list[str], *, close: bool) -> None:
    """In a notebook that started recording results for a cohort, refuse to draw a figure that names someone."""
    from . import results

    recorder = results._current
    config = getattr(recorder, "config", None)
    if config is None:
        return
    from .anonymise.audit import audit_texts

    findings = audit_texts(config, texts)
    if findings:
        if close:
            plt.close(fig)
        shown = ", ".join(f"{f.label} {f.masked} ({f.source})" for f in findings[:10])
        raise FigureLeak(
            f"This figure was not drawn: its texts (title, labels, ticks, legend, annotations, alt text or caption) "
            f"hold {len(findings)} identifier(s): {shown}. Label the groups by pseudonym or participant ID, "
            "or aggregate them, and run the cell again.")


def finish(fig, *, alt: str | None = None, caption: str | None = None, close: bool = True) -> None:
    """Show a figure in the notebook with alt text and a caption that the report keeps.

    The figure is displayed once as a PNG whose display metadata holds
    ``{"rmresearch": {"alt": ..., "caption": ..., "figure_text": [...]}}``; the
    report turns it into ``<figure><img alt=...><figcaption>...``, and the leak
    audit reads ``figure_text``: every text drawn in the figure (titles, labels,
    ticks, legend, annotations), collected before it is rasterised (see
    :mod:`rmresearch.figuretext`). Then the figure is closed, so the inline
    backend does not show it a second time.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str, optional
        Text alternative for readers who cannot see the image: what it shows and
        the finding (default: :func:`describe`, built from titles and labels).
    caption : str, optional
        Caption printed under the figure (sources, rounding, what is left out).
    close : bool, default True
        Close the figure after showing it.
    """
    import base64
    import io

    from IPython.display import display

    alt = (alt or describe(fig)).strip()
    drawn = figure_text(fig)  # before the pixels: the audit reads these
    _refuse_identifiers(fig, [*drawn, alt, caption or ""], close=close)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    data = {
        "image/png": base64.b64encode(buffer.getvalue()).decode("ascii"),
        "text/plain": f"<Figure: {alt}>",
    }
    metadata = {FIGURE_METADATA_KEY: {"figure": True, "alt": alt, "caption": (caption or "").strip() or None,
                                      "figure_text": drawn}}
    display(data, raw=True, metadata=metadata)
    if close:
        plt.close(fig)


install_hook()  # figures shown without finish() carry their texts too (in a kernel)
_add_figure_method()
