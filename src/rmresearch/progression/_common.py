"""Helpers shared by the progression modules: row numbers and column checks for error messages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..config import DisclosureRules
from ..errors import AnalysisError


_SHOWN = 8  # rows listed in an error message before "and N more"


def _rows(frame: pd.DataFrame) -> np.ndarray:
    """Row numbers for messages: the source file's (``_row``) if known, else CSV-style (first record = 2)."""
    if "_row" in frame.columns:
        return frame["_row"].to_numpy()
    return np.arange(2, len(frame) + 2)


def _list_rows(rows: Sequence[int], values: Sequence[Any] | None = None) -> str:
    rows = [int(r) for r in rows]
    if values is None:
        shown = ", ".join(str(r) for r in rows[:_SHOWN])
    else:
        shown = ", ".join(f"{r} ('{v}')" for r, v in list(zip(rows, values))[:_SHOWN])
    more = f" and {len(rows) - _SHOWN} more" if len(rows) > _SHOWN else ""
    return shown + more


class Unavailable:
    """Stands in for a table the cohort does not have (no staff input, staff records without the focus
    characteristic): any use of it raises the AnalysisError saying why, so inside a
    :func:`rmresearch.sections.unit` each section that needs the table becomes a note and the notebook goes on.

    >>> staff = Unavailable("The cohort file names no staff input")
    >>> staff.loc[staff["year"] == 2024]
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: The cohort file names no staff input
    >>> bool(staff), repr(staff)
    (False, "Unavailable('The cohort file names no staff input')")
    """

    def __init__(self, reason: str):
        object.__setattr__(self, "reason", str(reason))

    def _refuse(self, *args: Any, **kwargs: Any):
        raise AnalysisError(self.reason)

    def __getattr__(self, name: str):
        if name.startswith("__"):  # copy, pickle and IPython's display probe dunders: those are not uses
            raise AttributeError(name)
        raise AnalysisError(self.reason)

    __getitem__ = __len__ = __iter__ = __eq__ = __ne__ = __lt__ = __gt__ = __invert__ = _refuse
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"Unavailable({self.reason!r})"


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    if isinstance(frame, Unavailable):
        raise AnalysisError(frame.reason)
    if not isinstance(frame, pd.DataFrame):
        raise AnalysisError(f"{what}: expected a pandas DataFrame, not {type(frame).__name__}.")
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        raise AnalysisError(
            f"{what}: column(s) {', '.join(map(repr, missing))} not found; the table has "
            f"{', '.join(map(str, frame.columns))}."
        )


def _rules(rules: DisclosureRules | None) -> DisclosureRules:
    return rules if rules is not None else DisclosureRules()


def one_row(table: pd.DataFrame, *, what: str, **match: Any) -> pd.Series:
    """The row of ``table`` whose columns equal ``match``, or an AnalysisError saying which ``what`` is missing.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"outcome": ["promotion"], "group": ["BAME"], "rate": [0.07]})
    >>> float(one_row(t, what="the promotion rate", outcome="promotion", group="BAME")["rate"])
    0.07
    >>> one_row(t, what="the leaving rate", outcome="leaving", group="BAME")
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: no row for the leaving rate (outcome 'leaving', group 'BAME') in the table.
    """
    _require_columns(table, list(match), "one_row")
    keep = np.ones(len(table), dtype=bool)
    for column, value in match.items():
        keep &= (table[column] == value).to_numpy()
    if not keep.any():
        where = ", ".join(f"{k} {v!r}" for k, v in match.items())
        raise AnalysisError(f"no row for {what} ({where}) in the table.")
    return table.loc[keep].iloc[0]
