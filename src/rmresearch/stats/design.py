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

**Sparse levels** (``min_level_n``): a level of a categorical or yes/no covariate
with fewer than ``min_level_n`` rows (in any stratum of ``within``, e.g. either
group of a decomposition), or whose rows all have the same ``outcome``, cannot be
estimated (no convergence, perfect separation, an empty column). Such levels are
merged into one level, ``"Other/merged"`` (``"Other faculties"`` for a faculty,
:data:`MERGED_NAMES`), placed last; while that level is itself sparse, the smallest
remaining level joins it. A covariate left with a single level has no column.
Each merge is listed in ``Design.merged`` (:class:`Merge`) so the caller can say
so under its table (:func:`merge_sentences`). A covariate with a base level in
``reference`` (the group compared) is never merged; with no sparse level the
design is exactly the one without ``min_level_n``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError

__all__ = ["Design", "Merge", "MERGED_LEVEL", "MERGED_NAMES", "encode_design", "design_matrix", "merge_sparse_levels",
           "merge_sentences"]

#: The level sparse levels of a covariate are merged into, unless :data:`MERGED_NAMES` names one for it.
MERGED_LEVEL = "Other/merged"
#: Covariate -> the name of its merged level.
MERGED_NAMES = {"faculty": "Other faculties", "subject": "Other subjects", "department": "Other departments"}


@dataclass(frozen=True)
class Merge:
    """Sparse levels of one covariate merged: which, into what (``""``: the covariate was left out) and how many rows."""

    column: str
    levels: tuple
    into: str
    n: int  #: exact number of rows in the merged levels: round it before showing it


@dataclass
class Design:
    """An encoded design: the matrix and how its columns map back to the covariates."""

    X: np.ndarray  #: float64, one row per kept input row; the constant first when asked for
    names: list[str]  #: column names (``"const"``, ``"tariff"``, ``"faculty[Law]"``...)
    blocks: dict[str, list[int]]  #: covariate -> its columns of ``X``
    keep: np.ndarray  #: boolean mask of the input rows used
    levels: dict[str, list]  #: categorical or yes/no covariate -> its levels, base first
    merged: list[Merge] = field(default_factory=list)  #: sparse levels merged (see ``min_level_n``)


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


def _is_sparse(mask: np.ndarray, outcome: np.ndarray | None, within: np.ndarray | None, min_n: int) -> bool:
    """Rows ``mask`` of one level are too few (in some stratum) or all have the same outcome."""
    strata = [np.ones_like(mask)] if within is None else [within == s for s in pd.unique(within)]
    if any(int((mask & stratum).sum()) < min_n for stratum in strata):
        return True
    if outcome is not None:
        y = outcome[mask]
        return bool(len(y) and (np.all(y == y[0])))
    return False


def merge_sparse_levels(values: pd.Series, *, column: str, min_n: int, outcome: Any = None, within: Any = None,
                        name: str | None = None) -> tuple[pd.Series, Merge | None]:
    """Merge the sparse levels of one covariate (see the module docstring); ``(values, None)`` when none is sparse.

    ``outcome`` and ``within`` are aligned with ``values`` (numpy arrays or Series).

    Examples
    --------
    >>> import pandas as pd
    >>> faculty = pd.Series(["Arts"] * 30 + ["Law"] * 25 + ["Vet"] * 8 + ["Music"] * 3)
    >>> merged, how = merge_sparse_levels(faculty, column="faculty", min_n=10)
    >>> how
    Merge(column='faculty', levels=('Music', 'Vet'), into='Other faculties', n=11)
    >>> merged.value_counts().to_dict()
    {'Arts': 30, 'Law': 25, 'Other faculties': 11}

    Two sparse levels still too few together: the smallest other level joins them.

    >>> merge_sparse_levels(faculty.iloc[:58], column="faculty", min_n=10)[1]
    Merge(column='faculty', levels=('Law', 'Vet'), into='Other faculties', n=28)
    >>> merge_sparse_levels(faculty.iloc[:55], column="faculty", min_n=10)[1] is None
    True
    """
    if min_n is None or min_n < 1:
        raise AnalysisError(f"merge_sparse_levels: min_n must be a whole number of at least 1, not {min_n!r}.")
    y = None if outcome is None else np.asarray(outcome, dtype=float)
    strata = None if within is None else np.asarray(within)
    present = _levels(values)
    codes = values.to_numpy(dtype=object)
    masks = {level: codes == level for level in present}
    merged = [lv for lv in present if _is_sparse(masks[lv], y, strata, min_n)]
    if not merged:
        return values, None
    remaining = [lv for lv in present if lv not in merged]

    def pooled() -> np.ndarray:
        return np.logical_or.reduce([masks[lv] for lv in merged])

    while remaining and _is_sparse(pooled(), y, strata, min_n):  # the nearest in size joins the merged level
        smallest = min(remaining, key=lambda lv: int(masks[lv].sum()))
        merged.append(smallest)
        remaining.remove(smallest)
    into = (name or MERGED_NAMES.get(column, MERGED_LEVEL)) if remaining else ""
    label = into or MERGED_LEVEL
    mapped = pd.Series(np.where(pooled(), label, codes), index=values.index, dtype=object)
    mapped[values.isna().to_numpy()] = None
    categories = [lv for lv in remaining if lv != label] + [label]
    result = pd.Series(pd.Categorical(mapped, categories=categories), index=values.index, name=values.name)
    how = Merge(column=column, levels=tuple(sorted(merged, key=str)), into=into, n=int(pooled().sum()))
    return result, how


def merge_sentences(merges: Iterable[Merge], *, min_n: int, round_to: int = 5, labels: Mapping[str, str] | None = None,
                    who: str = "students") -> list[str]:
    """One plain sentence per merge, for under a table; numbers of people rounded (or "a few").

    >>> merge_sentences([Merge("faculty", ("Music", "Vet"), "Other faculties", 2)], min_n=10)
    ["Faculty: Music and Vet (a few students) are merged into 'Other faculties' in the model, because a level with fewer than 10 students, or whose students all had the same outcome, cannot be estimated."]
    >>> merge_sentences([Merge("disability", (False, True), "", 412)], min_n=10)[0][:73]
    'Disability is left out of the model: too few students are in one of its l'
    """
    from ..disclosure import hesa_round

    labels = dict(labels or {})
    lines = []
    for merge in merges:
        label = labels.get(merge.column, merge.column.replace("_", " ").capitalize())
        rounded = hesa_round(merge.n, round_to)
        about = f"about {rounded:,}" if rounded >= round_to else "a few"
        if not merge.into:
            lines.append(f"{label} is left out of the model: too few {who} are in one of its levels, or they all had "
                         "the same outcome, for it to be estimated.")
            continue
        names = [("yes" if v is True else "no" if v is False else str(v)) for v in merge.levels]
        named = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        lines.append(f"{label}: {named} ({about} {who}) {'is' if len(names) == 1 else 'are'} merged into "
                     f"'{merge.into}' in the model, because a level with fewer than {min_n} {who}, or whose {who} all "
                     "had the same outcome, cannot be estimated.")
    return lines


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
    min_level_n: int | None = None,
    outcome: Any = None,
    within: Any = None,
    merged_names: Mapping[str, str] | None = None,
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
    min_level_n : int, optional
        Merge sparse levels of categorical and yes/no covariates (not those in
        ``reference``): see the module docstring; ``Design.merged`` lists them.
    outcome, within : array-like, optional
        Aligned with ``frame``'s rows: a level whose rows all have the same
        outcome is sparse; with ``within``, a level is sparse when it has fewer
        than ``min_level_n`` rows in any stratum.
    merged_names : mapping, optional
        Covariate -> name of its merged level (default :data:`MERGED_NAMES`).

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
    merges: list[Merge] = []
    for column in columns:  # first the layout, then one allocation: designs can have millions of rows
        values = frame[column][keep]
        kind = _kind(values, column, categorical, reference)
        if min_level_n is not None and kind != "numeric" and column not in reference:
            values, how = _merge_in_design(values, column, keep, min_level_n, outcome, within, merged_names)
            if how is not None:
                merges.append(how)
                kind = "categorical" if how.into else "left out"
        start = len(names)
        if kind == "left out":
            levels[column] = [MERGED_LEVEL]
        elif kind == "numeric":
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
    return Design(X=X, names=names, blocks=blocks, keep=keep, levels=levels, merged=merges)


def _merge_in_design(values, column, keep, min_n, outcome, within, merged_names):
    aligned = [None if a is None else np.asarray(a)[keep] for a in (outcome, within)]
    return merge_sparse_levels(values, column=column, min_n=min_n, outcome=aligned[0], within=aligned[1],
                               name=(merged_names or {}).get(column))


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
