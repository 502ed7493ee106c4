"""The record of every :func:`~rmresearch.disclosure.disclose` call: on each table (``DataFrame.attrs``) and in a
module-level log a release check reads."""

from __future__ import annotations

import copy
import datetime as dt
import threading
from dataclasses import asdict
from typing import Any

from ..config import DisclosureRules
from .rules import OFS_CODES, rules_below_minimums

__all__ = ["is_disclosed", "disclosure_log", "clear_disclosure_log"]

_ATTRS_KEY = "disclosure"

_log: list[dict[str, Any]] = []
_log_lock = threading.Lock()
_calls = 0

def is_disclosed(df: Any) -> bool:
    """Whether ``df`` is the output of :func:`disclose` (or a slice of it).

    It checks ``df.attrs["disclosure"]``, which pandas carries through
    selections such as ``df[cols]`` or ``df.head()``. Columns added after
    :func:`disclose` are not checked.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.disclosure import disclose
    >>> table = pd.DataFrame({"n": [12, 40]})
    >>> is_disclosed(table), is_disclosed(disclose(table, counts=["n"]))
    (False, True)
    """
    attrs = getattr(df, "attrs", None)
    return isinstance(attrs, dict) and isinstance(attrs.get(_ATTRS_KEY), dict)


def disclosure_log() -> list[dict[str, Any]]:
    """Records of every :func:`disclose` call since the log was last cleared.

    Each record is a dict with ``call`` (a sequence number), ``time`` (UTC,
    ISO 8601), ``name``, ``style``, ``rules``, ``counts``, ``rates``, ``means``,
    ``rows``, ``suppressed_cells``, ``suppressed_by_column`` and
    ``unrounded_columns`` (numeric columns shown as they were). Records hold
    column names and numbers of cells, never data. The list is a copy.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.disclosure import disclose
    >>> clear_disclosure_log()
    >>> _ = disclose(pd.DataFrame({"n": [3]}), counts=["n"], name="example")
    >>> [(r["name"], r["counts"]) for r in disclosure_log()]
    [('example', ['n'])]
    """
    with _log_lock:
        return copy.deepcopy(_log)


def clear_disclosure_log() -> None:
    """Empty the log of :func:`disclose` calls (e.g. at the start of a report run)."""
    with _log_lock:
        _log.clear()


def _derived_record(bases: list[Any]) -> list[Any]:
    return [[str(b[0]), None if b[1] is None else str(b[1])] if isinstance(b, tuple) else str(b) for b in bases]


def record_call(*, name: str | None, style: str, rules: DisclosureRules, call: Any, basis: str,
                hidden_characteristics: list[Any], percent: bool, decimals: int, rows: int,
                suppressed_by_column: dict[str, int], unrounded_columns: list[str],
                small_groups: list[str] | None = None, based: bool = False) -> dict[str, Any]:
    """Log one :func:`disclose` call (column names and numbers of cells, never data) and return its record."""
    global _calls
    with _log_lock:
        _calls += 1
        record = {
            "call": _calls,
            "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "name": name,
            "style": style,
            "rules": asdict(rules),
            "marker": rules.suppressed_marker if style == "hesa" else dict(OFS_CODES),
            "counts": [str(c) for c in call.counts],
            "rates": {str(r): {"denominator": str(d), "numerator": None if n is None else str(n)}
                      for r, (d, n) in call.rates.items()},
            "means": {str(m): {"n": str(n)} for m, n in call.means.items()},
            "derived": {str(c): _derived_record(bases) for c, bases in call.derived.items()},
            "rates_without_numerator": [str(r) for r, (_, n) in call.rates.items() if n is None],
            "below_hesa_minimums": rules_below_minimums(rules),
            "basis": basis,
            "audience": rules.audience,
            # the multiple counts were rounded to (None: shown exactly, as activity, qualitative or internal counts)
            "rounded_to": rules.round_to if basis in ("people", "listing") and rules.audience == "public" and call.counts
            else None,
            "small_groups": list(small_groups or []),
            "bases_given": bool(based),  # qualitative: the size of each group was given (bases=)
            "characteristics_hidden": [str(c) for c in hidden_characteristics],
            "percent": bool(percent),
            "decimals": decimals,
            "rows": int(rows),
            "suppressed_cells": int(sum(suppressed_by_column.values())),
            "suppressed_by_column": suppressed_by_column,
            "unrounded_columns": unrounded_columns,
        }
        _log.append(copy.deepcopy(record))
    return record


def record_combined(record: dict[str, Any]) -> dict[str, Any]:
    """Log the record of tables combined by :func:`rmresearch.disclosure.concat` as one more call."""
    global _calls
    with _log_lock:
        _calls += 1
        record = {**record, "call": _calls, "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        _log.append(copy.deepcopy(record))
    return record
