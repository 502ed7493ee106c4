"""Showing results in report notebooks: only disclosed tables, readable formatting.

:func:`show_table` refuses a table that has not been through
:func:`rmresearch.disclosure.disclose`, so a report cannot show raw small
counts by accident.
"""

from __future__ import annotations

import pandas as pd

from .disclosure import is_disclosed, undisclosed_message
from .errors import AnalysisError

__all__ = ["show_table", "format_table", "readable_column", "COLUMN_LABELS", "DisclosureRequired", "TABLE_METADATA_KEY", "table_metadata"]

#: Key of the display metadata that marks a table as disclosure-controlled (the release gate checks it).
TABLE_METADATA_KEY = "rmresearch"


class DisclosureRequired(AnalysisError):
    """A table was about to be shown without disclosure control."""


#: Headers for column names the analyses use; others lose their underscores.
COLUMN_LABELS = {
    "n": "n",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "rate_ci_low": "rate, 95% CI low",
    "rate_ci_high": "rate, 95% CI high",
    "p_value": "p",
    "p_adjusted": "p (adjusted)",
    "se": "SE",
    "cohen_dz": "Cohen's d_z",
    "rank_biserial": "rank-biserial r",
    "reference_n": "n (reference)",
    "reference_rate": "rate (reference)",
    "reference_good": "good (reference)",
    "comparison_n": "n (comparison)",
}


def readable_column(name) -> str:
    """A header for a column name: ``gap_pp`` -> ``gap (pp)``, ``rate_ci_low`` -> ``rate, 95% CI low``.

    Examples
    --------
    >>> [readable_column(c) for c in ["gap_pp", "ci_low", "ethnicity_group", "hazard_ratio"]]
    ['gap (pp)', '95% CI low', 'ethnicity group', 'hazard ratio']
    """
    text = str(name)
    if text in COLUMN_LABELS:
        return COLUMN_LABELS[text]
    if text.endswith("_pp"):
        return readable_column(text[:-3]) + " (pp)"
    return text.replace("_", " ")


def format_table(table: pd.DataFrame, *, caption: str | None = None, decimals: int = 1):
    """A pandas Styler without the index, blanks for missing cells, ``decimals`` for floats."""
    if not is_disclosed(table):
        raise DisclosureRequired(undisclosed_message(table))
    styler = table.style.hide(axis="index").format(na_rep="", precision=decimals)
    counts = [c for c in table.columns if pd.api.types.is_integer_dtype(table[c]) and "year" not in str(c).lower()]
    if counts:
        styler = styler.format(na_rep="", thousands=",", subset=counts)
    styler = styler.format_index(readable_column, axis=1)
    if caption:
        styler = styler.set_caption(caption)
    return styler


def table_metadata(table: pd.DataFrame, *, caption: str | None = None) -> dict:
    """The display metadata :func:`show_table` attaches: the table's disclosure record, no data.

    Examples
    --------
    >>> from rmresearch.disclosure import disclose
    >>> meta = table_metadata(disclose(pd.DataFrame({"n": [3, 40]}), counts=["n"], name="example"))
    >>> meta["rmresearch"]["disclosed"], meta["rmresearch"]["name"], meta["rmresearch"]["rows"]
    (True, 'example', 2)
    """
    if not is_disclosed(table):
        raise DisclosureRequired("table_metadata: the table has not been through disclosure control.")
    record = table.attrs["disclosure"]
    keep = ("name", "style", "rows", "suppressed_cells", "suppressed_by_column", "counts", "unrounded_columns",
            "derived", "basis", "below_hesa_minimums")
    return {TABLE_METADATA_KEY: {"disclosed": True, "caption": caption, **{k: record.get(k) for k in keep}}}


def show_table(table: pd.DataFrame, *, caption: str | None = None, decimals: int = 1) -> None:
    """Display a disclosed table in a notebook (raises :class:`DisclosureRequired` otherwise).

    The output carries display metadata ``{"rmresearch": {"disclosed": true, ...}}``
    (see :func:`table_metadata`), which the release gate of ``rmresearch report
    --release`` requires of every table a report shows.
    """
    from IPython.display import display

    from .results import autosave

    styler = format_table(table, caption=caption, decimals=decimals)
    autosave()
    display(styler, metadata=table_metadata(table, caption=caption))
