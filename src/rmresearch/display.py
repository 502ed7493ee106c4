"""Showing results in report notebooks: only disclosed tables, readable formatting.

:func:`show_table` refuses a table that has not been through
:func:`rmresearch.disclosure.disclose`, so a report cannot show raw small
counts by accident.
"""

from __future__ import annotations

import pandas as pd

from .disclosure import is_disclosed

__all__ = ["show_table", "DisclosureRequired"]


class DisclosureRequired(ValueError):
    """A table was about to be shown without disclosure control."""


def format_table(table: pd.DataFrame, *, caption: str | None = None, decimals: int = 1):
    """A pandas Styler without the index, blanks for missing cells, ``decimals`` for floats."""
    if not is_disclosed(table):
        raise DisclosureRequired(
            "This table has not been through disclosure control. Pass it through "
            "rmresearch.disclosure.disclose(table, counts=..., rates=..., means=...) before showing it."
        )
    styler = table.style.hide(axis="index").format(na_rep="", precision=decimals)
    if caption:
        styler = styler.set_caption(caption)
    return styler


def show_table(table: pd.DataFrame, *, caption: str | None = None, decimals: int = 1) -> None:
    """Display a disclosed table in a notebook (raises :class:`DisclosureRequired` otherwise)."""
    from IPython.display import display

    display(format_table(table, caption=caption, decimals=decimals))
