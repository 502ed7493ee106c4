"""Total rows computed from unrounded values, before :func:`~rmresearch.disclosure.disclose` rounds them."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from .combine import check_unrounded
from .specs import _column_list, _numeric, _require

__all__ = ["add_total"]


def add_total(
    table: pd.DataFrame,
    *,
    label_column: Any,
    label: Any = "Total",
    sum_columns: Any,
    rate_columns: Mapping[Any, Any] | None = None,
) -> pd.DataFrame:
    """Append a total row computed from UNROUNDED values, before :func:`disclose` rounds them.

    Parameters
    ----------
    table : pandas.DataFrame
        Unrounded table, one row per group (it is not modified).
    label_column : str
        Column that names the rows; the total row gets ``label`` there.
    label : str, default "Total"
        Name of the total row.
    sum_columns : list of str
        Count columns to add up.
    rate_columns : dict, optional
        ``{rate_column: (numerator_column, denominator_column)}``: the total
        rate is ``sum(numerator) / sum(denominator)``, not an average of rates.
        Note the order: numerator first (``disclose`` takes the denominator first).

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with one more row. Other columns (means, for
        example, which cannot be recomputed from the table) are missing in the
        total row. A total is missing if any value it adds up is missing: fill
        missing counts with 0 first if they mean zero.

    Notes
    -----
    Totals are calculated before rounding and rounded on their own by
    :func:`disclose`, as the HESA methodology requires, so the rounded rows need
    not add up to the rounded total.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.disclosure import disclose
    >>> table = pd.DataFrame({"group": ["White", "Black", "Mixed"], "good": [1234, 17, 2], "n": [1500, 21, 6]})
    >>> table["rate"] = table["good"] / table["n"]
    >>> with_total = add_total(table, label_column="group", sum_columns=["good", "n"],
    ...                        rate_columns={"rate": ("good", "n")})
    >>> with_total.round(4)
       group  good     n    rate
    0  White  1234  1500  0.8227
    1  Black    17    21  0.8095
    2  Mixed     2     6  0.3333
    3  Total  1253  1527  0.8206
    >>> disclose(with_total, counts=["good", "n"], rates={"rate": ("n", "good")})
       group  good     n   rate
    0  White  1235  1500  82.3%
    1  Black    15    20     ..
    2  Mixed     0     5     ..
    3  Total  1255  1525  82.1%
    """
    check_unrounded(table, "add_total", "add_total needs the unrounded table: this one has already been through "
                    "disclose(). Call add_total first, then disclose.")
    _require(table, label_column, "label")
    if (table[label_column] == label).any():
        raise AnalysisError(
            f"the table already has a row labelled {label!r} in {label_column!r}; remove it (or choose another "
            "label) so the total does not count it twice."
        )
    columns = _column_list(sum_columns, "sum_columns")
    rate_spec: dict[Any, tuple[Any, Any]] = {}
    for rate, value in (rate_columns or {}).items():
        if isinstance(value, str) or not isinstance(value, (tuple, list)) or len(value) != 2:
            raise AnalysisError(
                f'rate_columns[{rate!r}] must be a (numerator, denominator) pair of columns, '
                f'e.g. {{{rate!r}: ("good", "n")}}; got {value!r}.'
            )
        rate_spec[rate] = (value[0], value[1])
    total: dict[Any, Any] = {label_column: label}
    for column in columns:
        if column == label_column:
            raise AnalysisError(f"label_column {column!r} cannot also be a sum column.")
        _require(table, column, "sum")
        total[column] = _numeric(table, column, "sum").sum(skipna=False)
    for rate, (numerator, denominator) in rate_spec.items():
        _require(table, rate, "rate")
        _require(table, numerator, f"numerator (of rate {rate!r})")
        _require(table, denominator, f"denominator (of rate {rate!r})")
        num = _numeric(table, numerator, f"numerator (of rate {rate!r})").sum(skipna=False)
        den = _numeric(table, denominator, f"denominator (of rate {rate!r})").sum(skipna=False)
        total[rate] = num / den if den > 0 else np.nan

    if isinstance(table.index, pd.MultiIndex):
        raise AnalysisError("add_total needs a single-level index; call table.reset_index() first.")
    if isinstance(table.index, pd.RangeIndex) and table.index.start == 0 and table.index.step == 1:
        row_label: Any = len(table)
    else:
        row_label = label
        if row_label in table.index:
            raise AnalysisError(f"the index already contains {label!r}; call table.reset_index() first.")
    base = table.copy()
    if isinstance(base[label_column].dtype, pd.CategoricalDtype):
        base[label_column] = base[label_column].astype(object)
    row = pd.DataFrame([total], index=[row_label])
    result = pd.concat([base, row], axis=0)
    result = result[list(table.columns)]
    if isinstance(table.index, pd.RangeIndex) and isinstance(row_label, int):
        result.index = pd.RangeIndex(len(result))
    result.attrs = copy.deepcopy(table.attrs)
    result.attrs["total_row"] = {
        "label_column": str(label_column),
        "label": label,
        "sum_columns": [str(c) for c in columns],
        "rate_columns": {str(r): [str(n), str(d)] for r, (n, d) in rate_spec.items()},
    }
    return result
