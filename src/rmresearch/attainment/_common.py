"""Shared validation helpers and defaults of the attainment analyses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..codes import UNKNOWN_GROUP
from ..errors import AnalysisError
from ..stats.intervals import check_alpha as _alpha  # noqa: F401  (one alpha check for every analysis)

#: Covariates of the adjusted gap (columns of the students schema).
DEFAULT_COVARIATES = ("tariff", "age_on_entry", "sex", "disability", "imd_quintile", "faculty")
#: Lower edges of the entry tariff bands (UCAS points); students without a tariff get "No tariff".
DEFAULT_TARIFF_BANDS = (0, 80, 96, 112, 128, 144)
#: Covariates a model of this package can take (columns of the students schema), as a reader reads them.
COVARIATE_LABELS = {
    "tariff": "entry tariff", "age_on_entry": "age", "sex": "sex", "disability": "disability",
    "imd_quintile": "deprivation", "faculty": "faculty", "subject": "subject", "entry_year": "entry year",
}
#: Fewest students a level of a categorical covariate (or a group) needs in a model before it is merged.
MIN_LEVEL_N = 10

ATTRS = "attainment"  # key of a result's attrs describing it for disclose_attainment


def _check_frame(students: Any, what: str) -> pd.DataFrame:
    if not isinstance(students, pd.DataFrame):
        raise AnalysisError(
            f"{what}: expected the students table as a pandas DataFrame (from load_table(config, 'students')), "
            f"not {type(students).__name__}."
        )
    return students


def _require(students: pd.DataFrame, columns: Iterable[str], what: str, hint: str = "") -> None:
    missing = [c for c in columns if c not in students.columns]
    if missing:
        have = ", ".join(map(str, students.columns[:25])) + (" ..." if len(students.columns) > 25 else "")
        raise AnalysisError(
            f"{what}: the students table has no column(s) {', '.join(map(repr, missing))}. "
            f"Columns present: {have}. {hint or 'Load the table with rmresearch.inputs.load_table, or rename the columns.'}"
        )


def _as_list(value: Any, what: str) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        return list(value)
    except TypeError:
        raise AnalysisError(f"{what} must be a column name or a list of column names, not {value!r}.") from None


def _excluded(**counts: int) -> dict[str, int]:
    return {k: int(v) for k, v in counts.items() if v}


def _attach(result: pd.DataFrame, *, excluded: dict[str, int], spec: dict[str, Any]) -> pd.DataFrame:
    result.attrs["excluded"] = dict(excluded)
    result.attrs[ATTRS] = spec
    return result


def _known_group(values: pd.Series) -> np.ndarray:
    """Rows whose group is known (not missing, not 'Unknown')."""
    return (values.notna() & (values != UNKNOWN_GROUP)).to_numpy(dtype=bool, na_value=False)


def unknown_reason(group: str) -> str:
    """The exclusion reason of rows whose group is Unknown: ``unknown_`` and the characteristic the column holds.

    >>> unknown_reason("ethnicity_aggregate"), unknown_reason("disability_group"), unknown_reason("disability_by_sex")
    ('unknown_ethnicity', 'unknown_disability', 'unknown_disability_by_sex')
    """
    name = str(group)
    for suffix in ("_group", "_aggregate"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return f"unknown_{name}"


def _no_one_left(what: str, covariates: Iterable[str], excluded: dict[str, int],
                 students: pd.DataFrame | None = None) -> AnalysisError:
    """The error when no student has an outcome, a known group and every covariate (no counts: it becomes a note).

    A covariate no student has a value for is named: leaving it out of ``options.attainment.covariates`` (or filling
    the column) is what makes the model possible.

    >>> frame = pd.DataFrame({"tariff": [None, None], "sex": ["F", "M"]})
    >>> str(_no_one_left("adjusted_gap", ["tariff", "sex"], {"missing_covariates": 2}, frame))
    'adjusted_gap: no student has a value for tariff; leave it out of options.attainment.covariates in the cohort file, or fill the column.'
    """
    covariates = list(covariates)
    if students is not None:
        empty = [c for c in covariates if c in students.columns and students[c].isna().all()]
        if empty:
            return AnalysisError(f"{what}: no student has a value for {' or '.join(empty)}; leave "
                                 f"{'it' if len(empty) == 1 else 'them'} out of options.attainment.covariates in the "
                                 "cohort file, or fill the column.")
    why = ", ".join(k.replace("_", " ") for k in excluded) or "none"
    return AnalysisError(f"{what}: no student has an outcome, a known group and a value for every covariate "
                         f"({', '.join(covariates)}); students were left out for: {why}.")


def _sparse_groups(groups: pd.Series, y: np.ndarray, keep: np.ndarray, *, reference: Any, min_n: int, column: str):
    """``keep`` without the groups (other than the reference) too small to model, and a Merge naming them (or None)."""
    from ..stats.design import Merge

    values = groups.to_numpy(dtype=object)
    left_out = []
    for level in pd.unique(values[keep]):
        mask = keep & (values == level)
        if level == reference:
            continue
        outcomes = y[mask]
        if int(mask.sum()) < min_n or np.all(outcomes == outcomes[0]):
            left_out.append(level)
    if not left_out:
        return keep, None
    dropped = keep & np.isin(values, left_out)
    return keep & ~dropped, Merge(column=column, levels=tuple(sorted(left_out, key=str)), into="", n=int(dropped.sum()))
