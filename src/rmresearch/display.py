"""Showing results in report notebooks: only disclosed tables, readable formatting.

:func:`show_table` refuses a table that has not been through
:func:`rmresearch.disclosure.disclose`, so a report cannot show raw small
counts by accident.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from .codes import ROLES
from .disclosure import is_disclosed, undisclosed_message
from .errors import AnalysisError

__all__ = ["show_table", "format_table", "readable_column", "readable_value", "format_p", "is_p_column",
           "COLUMN_LABELS", "ROLE_LABELS", "DisclosureRequired", "TABLE_METADATA_KEY", "table_metadata"]

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


#: How role codes (:data:`rmresearch.codes.ROLES`) are shown: ``senior_leader`` -> ``Senior leader``.
ROLE_LABELS = {role: role.replace("_", " ").capitalize() for role in ROLES}

# A design-matrix column name, ``variable[level]`` (rmresearch.stats.design), e.g. ``ethnicity_group[Asian]``.
_DESIGN_NAME = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\[(.+)\]$")


def readable_value(value):
    """How a label cell is shown: role codes and design names in words; anything else as it is.

    Only the shown form changes; the table's data are untouched.

    Examples
    --------
    >>> [readable_value(v) for v in ["senior_leader", "ethnicity_group[Asian]", "is_female[True]", "Black", 3]]
    ['Senior leader', 'Asian (ethnicity group)', 'True (is female)', 'Black', 3]
    """
    if not isinstance(value, str):
        return value
    if value in ROLE_LABELS:
        return ROLE_LABELS[value]
    match = _DESIGN_NAME.match(value)
    if match:
        variable, level = match.groups()
        return f"{readable_value(level)} ({readable_column(variable)})"
    return value


def is_p_column(name) -> bool:
    """Whether a column holds p-values: ``p``, ``p_value``, ``p_adjusted`` or any other ``p_*``.

    Examples
    --------
    >>> [is_p_column(c) for c in ["p_value", "p_adjusted", "p_exact", "p", "pp", "gap_pp", "share"]]
    [True, True, True, True, False, False, False]
    """
    text = str(name)
    return text == "p" or text.startswith("p_")


def format_p(value) -> str:
    """A p-value as shown: ``< 0.001`` below 0.001, else three decimals; blank when missing.

    Anything not a number (a suppression marker such as ``..``) is shown as it is.

    Examples
    --------
    >>> [format_p(v) for v in [0.0, 0.00049, 0.001, 0.01234, 0.5, 1.0, float("nan"), ".."]]
    ['< 0.001', '< 0.001', '0.001', '0.012', '0.500', '1.000', '', '..']
    """
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number != number:
        return ""
    return "< 0.001" if number < 0.001 else f"{number:.3f}"


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
    if text in ROLE_LABELS or _DESIGN_NAME.match(text):
        return readable_value(text)
    if text.endswith("_pp"):
        return readable_column(text[:-3]) + " (pp)"
    return text.replace("_", " ")


def format_table(table: pd.DataFrame, *, caption: str | None = None, decimals: int = 1):
    """A pandas Styler without the index, blanks for missing cells, ``decimals`` for floats.

    p-value columns (:func:`is_p_column`) are shown by :func:`format_p` whatever ``decimals`` is, and text
    cells by :func:`readable_value` (role codes and design names in words); the data are not changed.
    """
    if not is_disclosed(table):
        raise DisclosureRequired(undisclosed_message(table))
    styler = table.style.hide(axis="index").format(na_rep="", precision=decimals)
    counts = [c for c in table.columns if pd.api.types.is_integer_dtype(table[c]) and "year" not in str(c).lower()]
    if counts:
        styler = styler.format(na_rep="", thousands=",", subset=counts)
    p_columns = [c for c in table.columns if is_p_column(c) and c not in counts]
    if p_columns:
        styler = styler.format(lambda v: html.escape(format_p(v)), subset=p_columns)  # "&lt; 0.001" in the HTML
    labels = [c for c in table.columns if c not in p_columns and not pd.api.types.is_numeric_dtype(table[c])
              and not pd.api.types.is_datetime64_any_dtype(table[c])]
    if labels:
        styler = styler.format(lambda v: _text_cell(v, decimals), subset=labels)
    styler = styler.format_index(readable_column, axis=1)
    if caption:
        styler = styler.set_caption(caption)
    return styler


def _text_cell(value, decimals: int) -> str:
    """A cell of a text (or mixed) column: blank when missing, floats at ``decimals``, labels in words."""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float):
        return f"{value:.{decimals}f}"
    return str(readable_value(value))


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
