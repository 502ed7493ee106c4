"""The rule each kind of table follows for each audience (``basis=`` x ``rules.audience``), and the sentence that
says what a shown table's rule hid.

============  ===========================================  ====================================================
basis         public (default)                             internal
============  ===========================================  ====================================================
activity      exact                                        exact
qualitative   exact where the column's base group (e.g.    exact
              participants interviewed in that role) has
              at least ``min_cell_size`` people, the whole
              column ``..`` otherwise (without ``bases``:
              cells of 1 to ``ofs_max_numerator_suppressed``
              people ``..``)
people        HESA rounding and suppression                exact, cells of 1 to ``min_cell_size - 1`` ``..``;
                                                           rates and averages of fewer than ``min_cell_size``
listing       attributes (characteristics, then role)      every attribute shown
              dropped until every combination of those
              left holds at least ``min_cell_size`` people
============  ===========================================  ====================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..config import DisclosureRules
from ..errors import AnalysisError
from .specs import _numeric

__all__ = ["explain"]

#: Person attributes of a listing that are not personal characteristics, dropped after them.
LISTING_ROLE_COLUMNS = ("role",)


def _qualitative_bases(table: pd.DataFrame, bases: Any, counts: list[Any], basis: str) -> dict[Any, float]:
    """``bases=`` read: each count column's base group size (unrounded), from a mapping or a row label."""
    if bases is None:
        return {}
    if basis != "qualitative":
        raise AnalysisError("bases= applies to basis='qualitative' (code counts by role or group) only.")
    if isinstance(bases, str):
        labels = [c for c in table.columns if c not in counts and table[c].astype(str).eq(bases).any()]
        if not labels:
            raise AnalysisError(f"bases={bases!r}: no row of the table is labelled {bases!r}; give the label of the row "
                                "holding each group's size (e.g. 'Participants interviewed') or a {column: size} mapping.")
        row = table.loc[table[labels[0]].astype(str).eq(bases)].iloc[0]
        return {c: float(row[c]) for c in counts}
    if not isinstance(bases, Mapping):
        raise AnalysisError(f"bases must map each count column to the size of its base group, or name the row that "
                            f"holds them, not {bases!r}.")
    missing = [c for c in counts if c not in bases]
    unknown = [c for c in bases if c not in counts]
    if missing or unknown:
        raise AnalysisError(f"bases must give one base group size per count column: missing {missing}, not counts {unknown}.")
    out = {}
    for column, value in bases.items():
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) or value < 0:
            raise AnalysisError(f"bases[{column!r}] must be a number of people (0 or more), not {value!r}.")
        out[column] = float(value)
    return out


def _small_groups(bases: Mapping[Any, float], rules: DisclosureRules) -> list[Any]:
    """Public audience: the count columns whose base group is under ``min_cell_size`` people (shown as the marker)."""
    if rules.audience == "internal":
        return []
    return [c for c, b in bases.items() if not b >= rules.min_cell_size]


def _marked_cells(series: pd.Series, column: Any, small: np.ndarray, marker: str) -> tuple[pd.Series, int]:
    """``series`` with the ``small`` cells replaced by ``marker`` (and the number replaced)."""
    if not small.any():
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        whole = not np.isnan(values).any() and (values == np.round(values)).all()
        return (series.astype(np.int64) if whole else series.copy()), 0
    shown = series.astype(object)
    shown[small] = marker
    return shown, int(small.sum())


def _exact_with_small_cells(series: pd.Series, column: Any, upper: float, marker: str) -> tuple[pd.Series, int]:
    """Counts shown exactly, those of 1 to ``upper`` replaced by ``marker`` (missing values too: fail safe)."""
    values = _numeric(pd.DataFrame({column: series}), column, "count").to_numpy(dtype=np.float64, na_value=np.nan)
    if (values < 0).any():
        raise AnalysisError(f"count column {column!r} has negative values; counts of people cannot be negative.")
    return _marked_cells(series, column, ~((values <= 0) | (values > upper)), marker)


def _coarsened(table: pd.DataFrame, attributes: list[Any], rules: DisclosureRules) -> list[Any]:
    """The listing attributes to hide: none internally; in public, characteristics and then role are dropped
    (in that order) until every combination of the attributes left holds at least ``min_cell_size`` rows (people)."""
    if rules.audience == "internal" or not len(table):
        return []
    kept = list(attributes)
    hidden: list[Any] = []
    while kept:
        sizes = table.groupby(kept, dropna=False, observed=True).size()
        if sizes.min() >= rules.min_cell_size:
            break
        hidden.append(kept.pop(0))
    return hidden


def _listing_attributes(table: pd.DataFrame, characteristics: list[Any]) -> list[Any]:
    """Characteristics first (dropped first), then a role column."""
    return [*characteristics, *(c for c in LISTING_ROLE_COLUMNS if c in table.columns and c not in characteristics)]


def explain(shown: pd.DataFrame, *, base: str = "people") -> str:
    """One plain sentence saying which rule a disclosed table followed and what it hid (empty: nothing to say).

    ``base`` names what a qualitative table's base groups count ("participants interviewed").

    Examples
    --------
    >>> from rmresearch.config import DisclosureRules
    >>> from rmresearch.disclosure import disclose
    >>> t = pd.DataFrame({"theme": ["Trust", "Participants interviewed"], "senior_leader": [1, 1], "partner": [4, 6]})
    >>> shown = disclose(t, counts=["senior_leader", "partner"], basis="qualitative", bases="Participants interviewed")
    >>> shown["senior_leader"].tolist(), shown["partner"].tolist()
    (['..', '..'], [4, 6])
    >>> explain(shown, base="participants interviewed")
    'Public report: groups with fewer than 5 participants interviewed (senior leader) are shown as \u201c..\u201d; an internal report shows them exactly.'
    >>> internal = disclose(t, counts=["senior_leader", "partner"], basis="qualitative", bases="Participants interviewed",
    ...                     rules=DisclosureRules(audience="internal"))
    >>> internal["senior_leader"].tolist(), explain(internal)
    ([1, 1], 'Internal report: counts are exact, for readers under confidentiality only.')
    """
    record = shown.attrs.get("disclosure") if isinstance(getattr(shown, "attrs", None), dict) else None
    if not isinstance(record, dict):
        raise AnalysisError("explain() takes a table returned by disclose().")
    rules = record.get("rules") or {}
    marker = rules.get("suppressed_marker", "..")
    threshold = rules.get("min_cell_size", 5)
    def words(names: list[Any]) -> str:
        names = [str(n).replace("_", " ") for n in names]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    if record.get("audience") == "internal":
        if record.get("basis") == "listing":
            return "Internal report: every participant's attributes are shown, for readers under confidentiality only."
        if record.get("basis") == "people" and record.get("suppressed_cells"):
            return (f"Internal report: counts are exact; cells of 1 to {threshold - 1} people are shown as "
                    f"\u201c{marker}\u201d.")
        return "Internal report: counts are exact, for readers under confidentiality only."
    if record.get("basis") == "qualitative" and record.get("small_groups"):
        return (f"Public report: groups with fewer than {threshold} {base} ({words(record['small_groups'])}) are shown "
                f"as \u201c{marker}\u201d; an internal report shows them exactly.")
    if record.get("basis") == "listing" and record.get("characteristics_hidden"):
        return (f"Public report: {words(record['characteristics_hidden'])} withheld (\u201c{marker}\u201d), because "
                f"shown with them some combination would describe fewer than {threshold} people; an internal report "
                "shows them.")
    return ""
