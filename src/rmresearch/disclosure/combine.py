"""Combining disclosed tables, and explaining a table that lost its disclosure record.

A disclosure record travels in ``DataFrame.attrs``, which pandas keeps through
selections (``df[cols]``, ``df.head()``) but drops when it cannot choose one:
``pd.concat`` of tables disclosed by different calls (their records differ),
``merge``, ``apply``... The table then looks undisclosed, although every cell in
it went through :func:`~rmresearch.disclosure.disclose`. :func:`concat` combines
disclosed tables and keeps one record for the whole; :func:`undisclosed_message`
tells a concatenation (or another table that lost its record) from a table that
was never disclosed, so :func:`rmresearch.display.show_table` can say what to do.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..errors import AnalysisError
from .log import _ATTRS_KEY, is_disclosed, record_combined
from .rules import OFS_CODES

__all__ = ["concat", "undisclosed_message", "check_unrounded"]

#: Fingerprints of the rows of recently disclosed tables (a bounded, insertion-ordered set).
_shown_rows: dict[int, None] = {}
_shown_lock = threading.Lock()
_MAX_SHOWN_ROWS = 200_000
_PERCENT = re.compile(r"-?\d+(\.\d+)?%")

NOT_DISCLOSED = ("This table has not been through disclosure control. Pass it through "
                 "rmresearch.disclosure.disclose(table, counts=..., rates=..., means=...) before showing it.")


def check_unrounded(table: Any, what: str, already: str) -> None:
    """Refuse anything but an unrounded DataFrame (``already`` says why a disclosed one cannot be used)."""
    if not isinstance(table, pd.DataFrame):
        raise AnalysisError(f"{what} expects a pandas DataFrame, not {type(table).__name__}.")
    if is_disclosed(table):
        raise AnalysisError(already)


def _fingerprints(table: pd.DataFrame) -> list[int]:
    """One number per row, from the column names and the cells as shown."""
    if not len(table) or not len(table.columns):
        return []
    columns = hash(tuple(map(str, table.columns)))
    try:
        rows = pd.util.hash_pandas_object(table.astype(str), index=False)
    except Exception:  # noqa: BLE001 - best effort: a table it cannot fingerprint is just not recognised later
        return []
    return [hash((columns, int(v))) for v in rows]


def _remember(shown: pd.DataFrame) -> None:
    """Note the rows of a table :func:`disclose` returned (so a concatenation of them is recognised)."""
    prints = _fingerprints(shown)
    with _shown_lock:
        for value in prints:
            _shown_rows.pop(value, None)
            _shown_rows[value] = None
        while len(_shown_rows) > _MAX_SHOWN_ROWS:
            del _shown_rows[next(iter(_shown_rows))]


def _looks_disclosed(table: pd.DataFrame) -> bool:
    """Text cells that only disclose() writes: suppression markers or formatted percentages."""
    markers = {"..", *OFS_CODES.values()}
    for column in table.columns:
        values = table[column]
        if isinstance(values, pd.Series) and values.dtype == object:
            text = values.dropna().astype(str)
            if text.isin(markers).any() or text.str.fullmatch(_PERCENT).any():
                return True
    return False


def undisclosed_message(table: Any) -> str:
    """Why ``table`` cannot be shown: never disclosed, or disclosed tables whose record pandas dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.disclosure import disclose
    >>> a = disclose(pd.DataFrame({"group": ["A"], "n": [41]}), counts=["n"])
    >>> b = disclose(pd.DataFrame({"group": ["B"], "n": [57]}), counts=["n"])
    >>> "rmresearch.disclosure.concat" in undisclosed_message(pd.concat([a, b]))
    True
    >>> undisclosed_message(pd.DataFrame({"n": [3]})).startswith("This table has not been through")
    True
    """
    if not isinstance(table, pd.DataFrame) or is_disclosed(table):
        return NOT_DISCLOSED
    prints = _fingerprints(table)
    with _shown_lock:
        known = sum(p in _shown_rows for p in prints)
    if prints and known == len(prints):
        return ("This table is made of tables that went through disclose(), but pandas dropped their disclosure "
                "records on the way (pd.concat and merge drop DataFrame.attrs when the tables' records differ). "
                "Disclose each table, then combine them with rmresearch.disclosure.concat([...]), which keeps "
                "one record for the whole; or disclose the combined unrounded table once.")
    if known:
        return (f"{known} of the {len(prints)} rows of this table come from tables that went through disclose() "
                "and the others do not: disclose every part (then combine them with "
                "rmresearch.disclosure.concat([...])), or disclose the combined unrounded table once.")
    if _looks_disclosed(table):
        return ("This table holds suppression markers or formatted percentages but no disclosure record: an "
                "operation after disclose() (pd.concat, merge, apply, building a new DataFrame) dropped "
                "DataFrame.attrs, or its cells were changed. Disclose each table and combine them with "
                "rmresearch.disclosure.concat([...]), or disclose the unrounded table after combining it.")
    return NOT_DISCLOSED


def _merged(records: list[dict[str, Any]]) -> dict[str, Any]:
    """One record for tables disclosed by separate calls with the same rules, style and basis."""
    first = records[0]
    for key in ("style", "rules", "basis", "percent", "decimals"):
        values = [r.get(key) for r in records]
        if any(v != values[0] for v in values):
            raise AnalysisError(
                f"concat: the tables were disclosed with different {key} ({', '.join(map(repr, values))}); "
                "one record cannot describe them. Disclose them alike, or show them as separate tables."
            )
    merged = copy.deepcopy(first)
    by_column: dict[str, int] = {}
    for record in records:
        for column, cells in record["suppressed_by_column"].items():
            by_column[column] = by_column.get(column, 0) + cells
    for key in ("counts", "rates_without_numerator", "characteristics_hidden", "unrounded_columns", "small_groups"):
        merged[key] = list(dict.fromkeys(c for r in records for c in r.get(key, [])))
    merged["bases_given"] = all(r.get("bases_given", False) for r in records)
    for key in ("rates", "means", "derived"):
        merged[key] = {k: v for r in records for k, v in r[key].items()}
    merged["suppressed_by_column"] = by_column
    merged["suppressed_cells"] = int(sum(by_column.values()))
    merged["combined_from"] = [r["call"] for r in records]
    return merged


def concat(tables: Iterable[pd.DataFrame], *, name: str | None = None, **kwargs: Any) -> pd.DataFrame:
    """``pd.concat`` for disclosed tables: the result keeps one disclosure record, so it can be shown.

    Every table must come from :func:`~rmresearch.disclosure.disclose` with the
    same rules, style and basis. The combined record lists the parts' calls
    (``combined_from``), adds up their suppressed cells and is logged like a
    :func:`disclose` call. ``kwargs`` go to :func:`pandas.concat`
    (``ignore_index=True``, ``keys=``...).

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.disclosure import disclose, is_disclosed
    >>> a = disclose(pd.DataFrame({"group": ["A"], "n": [41]}), counts=["n"], name="a")
    >>> b = disclose(pd.DataFrame({"group": ["B"], "n": [2]}), counts=["n"], name="b")
    >>> both = concat([a, b], ignore_index=True)
    >>> both
      group   n
    0     A  40
    1     B   0
    >>> is_disclosed(pd.concat([a, b])), is_disclosed(both), both.attrs["disclosure"]["name"]
    (False, True, 'a + b')
    """
    tables = list(tables)
    if not tables:
        raise AnalysisError("concat: no tables given; pass a list of tables returned by disclose().")
    for i, table in enumerate(tables):
        if not isinstance(table, pd.DataFrame) or not is_disclosed(table):
            raise AnalysisError(
                f"concat: table {i + 1} of {len(tables)} has not been through disclose() "
                f"({undisclosed_message(table)}) Disclose each table before combining them."
            )
    records = [t.attrs[_ATTRS_KEY] for t in tables]
    result = pd.concat([t.copy() for t in tables], **kwargs)
    merged = _merged(records)
    merged["name"] = name if name is not None else " + ".join(str(r["name"]) for r in records if r["name"]) or None
    merged["rows"] = int(len(result))
    result.attrs = {_ATTRS_KEY: record_combined(merged)}
    _remember(result)
    return result
