"""One design-matrix encoder for every model (logit, linear, Cox).

The encoding rule, used by every analysis of the package:

- a **numeric** column (not yes/no) is used as it is, unless it is listed in
  ``categorical`` or has a level in ``reference``;
- a **yes/no** (boolean) column becomes one 0/1 indicator named after the
  column: ``False`` is its base level (the first in sorted order, as below);
- any other column (text, or named in ``categorical`` / ``reference``) is
  **categorical**: one indicator ``column[level]`` per level except the base.
  Its levels are those present in the rows used, in category order for a pandas
  ``Categorical`` and in sorted order otherwise. The **base level** is
  ``reference[column]`` when given, else the first level: the rule of R's
  ``factor`` and of statsmodels formulas (``C(x)``). Fitted values, average
  marginal effects and decompositions by covariate do not depend on the base;
  only the coefficients of that covariate's indicators do.

A categorical or yes/no covariate with a single level in the rows used has no
column (:func:`design_matrix` refuses it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError

__all__ = ["Design", "encode_design", "design_matrix"]


@dataclass
class Design:
    """An encoded design: the matrix and how its columns map back to the covariates."""

    X: np.ndarray  #: float64, one row per kept input row; the constant first when asked for
    names: list[str]  #: column names (``"const"``, ``"tariff"``, ``"faculty[Law]"``...)
    blocks: dict[str, list[int]]  #: covariate -> its columns of ``X``
    keep: np.ndarray  #: boolean mask of the input rows used
    levels: dict[str, list]  #: categorical or yes/no covariate -> its levels, base first


def _levels(values: pd.Series) -> list:
    """Levels present in ``values``: category order for a Categorical, else sorted (by text if unorderable)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna().unique())
        return [lv for lv in values.cat.categories if lv in present]
    uniques = list(pd.unique(values.dropna()))
    try:
        return sorted(uniques)
    except TypeError:
        return sorted(uniques, key=str)


def _categorical_block(values: pd.Series, column: str, reference: Mapping[str, Any], what: str) -> tuple[np.ndarray, list]:
    """(codes against base-first levels, levels base first) of a categorical covariate."""
    levels = _levels(values)
    base = reference.get(column, levels[0] if levels else None)
    if base not in levels:
        raise AnalysisError(
            f"{what}: reference level {base!r} of {column!r} is not in the data (levels: {', '.join(map(str, levels))}); "
            "pass one of these levels."
        )
    ordered = [base] + [lv for lv in levels if lv != base]
    codes = pd.Categorical(values, categories=ordered).codes
    return np.asarray(codes, dtype=np.int64), ordered


def _kind(values: pd.Series, column: str, categorical: set, reference: Mapping[str, Any]) -> str:
    if column in categorical or column in reference:
        return "categorical"
    if pd.api.types.is_bool_dtype(values.dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(values.dtype):
        return "numeric"
    return "categorical"


def encode_design(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    categorical: Iterable[str] = (),
    reference: Mapping[str, Any] | None = None,
    constant: bool = True,
    keep: np.ndarray | None = None,
    missing: str = "drop",
    what: str = "design matrix",
) -> Design:
    """Encode ``columns`` of ``frame`` as a numeric design (see the module docstring for the rule).

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : sequence of str
        Covariates, in the order of the design's blocks.
    categorical : iterable of str
        Numeric columns to treat as categorical (e.g. ``"entry_year"``).
    reference : mapping, optional
        Base level of a categorical covariate (``{"ethnicity_group": "White"}``).
    constant : bool, default True
        Put a column of ones (``"const"``) first.
    keep : numpy.ndarray of bool, optional
        Rows to use (default all).
    missing : {"drop", "raise"}
        Rows with a missing covariate are left out of ``keep`` (``"drop"``) or
        are an error naming the column (``"raise"``).
    what : str
        The caller's name, for error messages.

    Returns
    -------
    Design

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"faculty": ["Law", "Arts", "Law"], "tariff": [120, 96, None], "disabled": [True, False, False]})
    >>> design = encode_design(frame, ["faculty", "tariff", "disabled"])
    >>> design.names, design.keep.tolist()
    (['const', 'faculty[Law]', 'tariff', 'disabled'], [True, True, False])
    >>> design.X.tolist()
    [[1.0, 1.0, 120.0, 1.0], [1.0, 0.0, 96.0, 0.0]]
    """
    reference = dict(reference or {})
    unknown = set(reference) - set(columns)
    if unknown:
        raise AnalysisError(f"{what}: reference names {', '.join(sorted(map(str, unknown)))}, which are not covariates.")
    if missing not in ("drop", "raise"):
        raise AnalysisError(f"{what}: missing must be 'drop' or 'raise', not {missing!r}.")
    categorical = set(categorical)
    keep = np.ones(len(frame), dtype=bool) if keep is None else np.asarray(keep, dtype=bool).copy()
    for column in columns:
        absent = frame[column].isna().to_numpy()
        if missing == "raise" and (absent & keep).any():
            raise AnalysisError(
                f"{what}: covariate {column!r} has {int((absent & keep).sum())} missing value(s); drop those rows "
                "(df.dropna(subset=[...])) or fill them before fitting."
            )
        keep &= ~absent
    if not keep.any():
        raise AnalysisError(f"{what}: no rows have values for all of {', '.join(map(str, columns))}.")
    names = ["const"] if constant else []
    blocks: dict[str, list[int]] = {}
    levels: dict[str, list] = {}
    codes: dict[str, np.ndarray] = {}  # categorical covariate -> codes against its levels, base first
    for column in columns:  # first the layout, then one allocation: designs can have millions of rows
        values = frame[column][keep]
        kind = _kind(values, column, categorical, reference)
        start = len(names)
        if kind == "numeric":
            names.append(column)
        elif kind == "bool":
            levels[column] = _levels(values.astype(bool))
            if len(levels[column]) == 2:
                names.append(column)
        else:
            codes[column], levels[column] = _categorical_block(values, column, reference, what)
            names += [f"{column}[{level}]" for level in levels[column][1:]]
        blocks[column] = list(range(start, len(names)))
    X = np.zeros((int(keep.sum()), len(names)), dtype=np.float64)
    if constant:
        X[:, 0] = 1.0
    for column, cols in blocks.items():
        if column in codes:
            for j, col in enumerate(cols, start=1):
                X[:, col] = codes[column] == j
        elif cols:
            X[:, cols[0]] = frame[column][keep].to_numpy(dtype=np.float64, na_value=np.nan)
    return Design(X=X, names=names, blocks=blocks, keep=keep, levels=levels)


def design_matrix(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    categorical: Iterable[str] = (),
    reference: Mapping[str, Any] | None = None,
    constant: bool = False,
    missing: str = "raise",
    what: str = "design matrix",
) -> pd.DataFrame:
    """:func:`encode_design` as a DataFrame indexed like the rows used; single-valued columns are an error.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"x": ["b", "a", "c", "a"], "age": [30, 41, 52, 25]})
    >>> design_matrix(frame, ["x", "age"], reference={"x": "c"})
       x[a]  x[b]   age
    0   0.0   1.0  30.0
    1   1.0   0.0  41.0
    2   0.0   0.0  52.0
    3   1.0   0.0  25.0
    """
    design = encode_design(frame, columns, categorical=categorical, reference=reference, constant=constant,
                           missing=missing, what=what)
    if not columns:
        raise AnalysisError(f"{what}: needs at least one covariate.")
    table = pd.DataFrame(design.X, columns=design.names, index=frame.index[design.keep])
    single = [c for c, cols in design.blocks.items() if not cols]
    single += [c for c in design.names if c != "const" and table[c].nunique() < 2]
    if single:
        raise AnalysisError(
            f"{what}: covariate(s) {', '.join(single)} take a single value in these data; remove them from the model."
        )
    table.attrs["levels"] = design.levels
    return table
