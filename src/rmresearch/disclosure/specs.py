"""Reading the arguments of :func:`~rmresearch.disclosure.disclose` (which columns are counts, rates, means,
derived numbers) and formatting the cells it shows."""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError


_CHARACTERISTIC_COLUMN = re.compile(
    r"(ethnicity|ethnic|disability|disabled|sex|gender|religion|belief|sexual_orientation|age|age_band|age_group"
    r"|nationality|domicile|polar\d*|imd|imd_quintile|first_generation|care_leaver|pregnancy|marital_status"
    r"|gender_identity|trans_status)(_[a-z0-9_]+)?"
)


def _column_list(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        columns = list(value)
    except TypeError:
        raise AnalysisError(f"{what} must be a column name or a list of column names, not {value!r}.") from None
    if len(set(columns)) != len(columns):
        raise AnalysisError(f"{what} lists a column more than once: {columns}.")
    return columns


def _rate_spec(rates: Any) -> dict[Any, tuple[Any, Any]]:
    if rates is None:
        return {}
    if not isinstance(rates, Mapping):
        raise AnalysisError(
            'rates must map each rate column to its denominator column, e.g. {"rate": "n"} '
            f'or {{"rate": ("n", "numerator")}}, not {rates!r}.'
        )
    spec = {}
    for rate, value in rates.items():
        if isinstance(value, str):
            spec[rate] = (value, None)
        elif isinstance(value, (tuple, list)) and len(value) in (1, 2):
            spec[rate] = (value[0], value[1] if len(value) == 2 else None)
        else:
            raise AnalysisError(
                f'rates[{rate!r}] must be a denominator column name or a (denominator, numerator) pair, '
                f'e.g. {{{rate!r}: ("n", "good")}}; got {value!r}.'
            )
    return spec


def _mean_spec(means: Any) -> dict[Any, Any]:
    if means is None:
        return {}
    if not isinstance(means, Mapping) or not all(isinstance(v, str) for v in means.values()):
        raise AnalysisError(
            'means must map each mean (or median) column to its n column, e.g. {"mean_score": "n"}, '
            f"not {means!r}."
        )
    return dict(means)


def _require(table: pd.DataFrame, column: Any, role: str) -> None:
    if column not in table.columns:
        shown = ", ".join(map(repr, table.columns[:20])) + (", ..." if len(table.columns) > 20 else "")
        raise AnalysisError(f"{role} column {column!r} is not in the table; its columns are: {shown}.")


def _numeric(table: pd.DataFrame, column: Any, role: str) -> pd.Series:
    s = table[column]
    if isinstance(s, pd.DataFrame):
        raise AnalysisError(f"{role} column {column!r} appears more than once in the table; give columns unique names.")
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        raise AnalysisError(
            f"{role} column {column!r} must be numeric, found dtype {s.dtype}. "
            f"Convert it with pd.to_numeric(table[{column!r}]) (text such as '..' or '<5' means "
            "the table was already disclosed: pass the unrounded table)."
        )
    return s


def _derived_spec(derived: Any) -> dict[Any, list[Any]]:
    if derived is None:
        return {}
    if not isinstance(derived, Mapping):
        raise AnalysisError(
            'derived must map each derived column to the rates or counts it rests on, e.g. '
            f'{{"gap_pp": ["rate", "reference_rate"]}}, not {derived!r}.'
        )
    spec: dict[Any, list[Any]] = {}
    for column, bases in derived.items():
        if isinstance(bases, (str, tuple)):
            bases = [bases]
        try:
            items = list(bases)
        except TypeError:
            items = []
        if not items:
            raise AnalysisError(
                f"derived[{column!r}] must list the rate, mean or count columns it rests on (at least one), "
                f"e.g. ['rate', 'reference_rate'] or [('n', 'good')]; got {bases!r}."
            )
        parsed = []
        for base in items:
            if isinstance(base, list):
                base = tuple(base)
            if isinstance(base, tuple):
                if len(base) not in (1, 2):
                    raise AnalysisError(f"derived[{column!r}]: a base pair is (denominator, numerator), not {base!r}.")
                base = (base[0], base[1] if len(base) == 2 else None)
            parsed.append(base)
        spec[column] = parsed
    return spec


def _derived_places(places: Any, spec: Mapping[Any, Any], default: int) -> dict[Any, int]:
    def check(value: Any, what: str) -> int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
            raise AnalysisError(f"{what} must be a whole number of at least 0, not {value!r}.")
        return int(value)

    if places is None or isinstance(places, (int, np.integer)) and not isinstance(places, (bool, np.bool_)):
        value = default if places is None else check(places, "derived_decimals")
        return {c: value for c in spec}
    if not isinstance(places, Mapping):
        raise AnalysisError(f"derived_decimals must be a whole number or a {{column: places}} mapping, not {places!r}.")
    unknown = [c for c in places if c not in spec]
    if unknown:
        raise AnalysisError(f"derived_decimals names column(s) {unknown} that are not listed in derived.")
    return {c: check(places.get(c, default), f"derived_decimals[{c!r}]") for c in spec}


def _format_derived(value: Any, decimals: int) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        text = f"{v:.{decimals}f}"
        return text[1:] if text.startswith("-") and float(text) == 0 else text
    return value


def _is_characteristic(column: Any) -> bool:
    """Whether a column identifier names a personal characteristic (``ethnicity_group``, ``sex``, ``disability``...).

    Only snake_case identifiers count, so a theme titled "Age and career" in a
    framework matrix is not taken for one.
    """
    return isinstance(column, str) and _CHARACTERISTIC_COLUMN.fullmatch(column) is not None


def _format_percent(value: float, decimals: int) -> Any:
    if pd.isna(value):
        return value
    # str() gives the shortest repr, the value a person reads; halves then round up.
    exact = Decimal(str(float(value))) * 100
    return f"{format(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP), 'f')}%"


def _integer_counts(rounded: pd.Series) -> pd.Series:
    if rounded.isna().any():
        return rounded.astype("Int64")
    return rounded.astype(np.int64)
