"""The texts drawn in a figure, recorded beside it so the leak audit can read them.

A figure reaches a report as pixels: a name in a tick label, a legend or a title
would pass any text audit. Every figure shown in a notebook therefore carries the
texts drawn in it (titles, axis labels, tick labels, legend entries, annotations,
any text artist, and its alt text and caption), collected before the figure is
rasterised:

- :func:`rmresearch.plots.finish` puts them in the output's
  ``metadata["rmresearch"]["figure_text"]``;
- a figure shown any other way (``plt.show()``, the inline backend at the end of a
  cell, ``display(fig)``) gets them as one more representation,
  :data:`FIGURE_TEXT_MIME`, from a display formatter that :func:`install_hook`
  registers in the running IPython kernel (importing :mod:`rmresearch` in a
  kernel does so).

The leak audit (:mod:`rmresearch.anonymise.audit`) reads both, and treats a
figure without recorded texts as a finding: it cannot be checked.

This module imports neither matplotlib nor IPython until they are needed.
"""

from __future__ import annotations

__all__ = ["FIGURE_TEXT_MIME", "figure_text", "install_hook"]

#: The representation that carries a figure's texts in a notebook output.
FIGURE_TEXT_MIME = "application/vnd.rmresearch.figure-text+json"


def figure_text(fig) -> list[str]:
    """Every non-empty text drawn in ``fig``, each once.

    Tick labels are laid out first (without rendering), so category names on an
    axis are included.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.bar(["Alpha", "Beta"], [1, 2], label="Pairs"); _ = ax.legend(); _ = ax.set_title("Meetings")
    >>> sorted(t for t in figure_text(fig) if t in ("Alpha", "Beta", "Pairs", "Meetings"))
    ['Alpha', 'Beta', 'Meetings', 'Pairs']
    >>> plt.close(fig)
    """
    from matplotlib.text import Text

    try:
        fig.draw_without_rendering()
    except Exception:  # noqa: BLE001 - a figure that cannot lay itself out still has its text artists
        pass
    texts: list[str] = []
    for artist in fig.findobj(lambda a: isinstance(a, Text) or hasattr(a, "get_text")):
        try:
            value = artist.get_text()
        except Exception:  # noqa: BLE001
            continue
        if isinstance(value, Text):
            value = value.get_text()
        if isinstance(value, str):
            texts.append(value)
    for ax in fig.get_axes():
        for axis in ax._axis_map.values() if hasattr(ax, "_axis_map") else (ax.xaxis, ax.yaxis):
            for label in axis.get_majorticklabels() + axis.get_minorticklabels():
                texts.append(label.get_text())
        for table in getattr(ax, "tables", []):
            for cell in table.get_celld().values():
                texts.append(cell.get_text().get_text())
    seen: dict[str, None] = {}
    for t in texts:
        t = t.strip()
        if t and t not in seen:
            seen[t] = None
    return list(seen)


def _figure_text_bundle(fig) -> dict:
    return {"figure_text": figure_text(fig)}


def _add_figure_method() -> None:
    """Give matplotlib's Figure the representation method the formatter looks for.

    The inline backend drops every formatter's type printer for Figure whenever it is
    (re)configured (``%matplotlib inline``), so the formatter finds figures through this
    method instead, which nothing removes.
    """
    import sys

    module = sys.modules.get("matplotlib.figure")
    if module is not None and not hasattr(module.Figure, "_repr_rmresearch_figure_text_"):
        module.Figure._repr_rmresearch_figure_text_ = _figure_text_bundle


def install_hook(shell=None) -> bool:
    """Register the figure-text representation in the running IPython shell (idempotent).

    Returns True when a shell is running and the formatter is in place.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return False
    shell = shell or get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    _add_figure_method()
    formatters = shell.display_formatter.formatters
    if FIGURE_TEXT_MIME in formatters:
        return True
    from IPython.core.formatters import JSONFormatter
    from traitlets import ObjectName, Unicode

    class FigureTextFormatter(JSONFormatter):
        format_type = Unicode(FIGURE_TEXT_MIME)
        print_method = ObjectName("_repr_rmresearch_figure_text_")

    formatter = FigureTextFormatter(parent=shell.display_formatter)
    formatter.for_type_by_name("matplotlib.figure", "Figure", _figure_text_bundle)
    formatters[FIGURE_TEXT_MIME] = formatter
    return True
