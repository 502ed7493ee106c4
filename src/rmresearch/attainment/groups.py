"""Outcomes and groups: good honours, a second ethnicity grouping, entry tariff bands."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..codes import CLASSIFIED_DEGREE_CLASSES, DEFAULT_GOOD_HONOURS, DEGREE_CLASSES, EthnicityMap, load_ethnicity_map
from ..errors import AnalysisError
from ._common import DEFAULT_TARIFF_BANDS, _check_frame, _require

__all__ = ["good_honours", "add_ethnicity_group", "tariff_band"]


def good_honours(
    students: pd.DataFrame,
    *,
    good: Sequence[str] = DEFAULT_GOOD_HONOURS,
    classified: Sequence[str] = CLASSIFIED_DEGREE_CLASSES,
    column: str = "degree_class",
) -> pd.Series:
    """Whether each student was awarded good honours, among classified degrees.

    Parameters
    ----------
    students : pandas.DataFrame
        Student records with a ``degree_class`` column of canonical classes
        (``First``, ``2:1``, ``2:2``, ``Third``, ``Pass``, ``Unclassified``; empty
        when not qualified), as :func:`rmresearch.inputs.load_table` gives them.
    good : sequence of str, default ("First", "2:1")
        Classes that count as good honours (``config.good_honours``).
    classified : sequence of str, default ("First", "2:1", "2:2", "Third")
        Classes in the denominator. Pass and Unclassified degrees are not
        classified honours and are excluded, as OfS and HESA do.
    column : str, default "degree_class"

    Returns
    -------
    pandas.Series of dtype "boolean"
        True (good honours), False (another classified degree) or ``<NA>``
        (not qualified, Pass or Unclassified: outside the denominator).

    Raises
    ------
    AnalysisError
        If the column is missing, ``good`` is not a subset of ``classified``, or a
        value is not a known degree class (the values and their rows are listed).

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({"degree_class": ["First", "2:2", "Pass", None, "2:1"]})
    >>> good_honours(students).tolist()
    [True, False, <NA>, <NA>, True]
    >>> good_honours(students, good=["First"]).tolist()
    [True, False, <NA>, <NA>, False]
    """
    _check_frame(students, "good_honours")
    _require(students, [column], "good_honours")
    good, classified = list(good), list(classified)
    unknown_config = [g for g in set(good) | set(classified) if g not in DEGREE_CLASSES]
    if unknown_config:
        raise AnalysisError(
            f"good_honours: {', '.join(map(repr, sorted(unknown_config)))} is not a degree class; "
            f"use the canonical names {', '.join(DEGREE_CLASSES)}."
        )
    if not good or not set(good) <= set(classified):
        raise AnalysisError(
            f"good_honours: good={good!r} must be a non-empty subset of the classified classes {classified!r} "
            "(good honours are a share of classified degrees)."
        )
    values = students[column]
    present = values.notna().to_numpy()
    bad = present & ~values.isin(DEGREE_CLASSES).to_numpy()
    if bad.any():
        rows = np.flatnonzero(bad)
        shown = ", ".join(f"row {students.index[i]!r} ({values.iloc[i]!r})" for i in rows[:8])
        raise AnalysisError(
            f"good_honours: {len(rows)} value(s) in {column!r} are not degree classes ({', '.join(DEGREE_CLASSES)}): "
            f"{shown}{' ...' if len(rows) > 8 else ''}. Read the table with load_table, which normalises spellings "
            "such as 'Upper Second' and reports unknown ones with their file rows."
        )
    out = pd.Series(pd.NA, index=students.index, dtype="boolean", name="good_honours")
    in_denominator = values.isin(classified).to_numpy()
    out[in_denominator] = values[in_denominator].isin(good).to_numpy()
    return out


def add_ethnicity_group(
    students: pd.DataFrame,
    *,
    grouping: str = "aggregate",
    column: str | None = None,
    ethnicity_map: EthnicityMap | None = None,
) -> pd.DataFrame:
    """A copy of the table with a group column derived from ``ethnicity_code``.

    ``load_table`` already derives ``ethnicity_group`` with the cohort's
    grouping (the OfS groups by default). Use this for a second grouping from
    the same configurable mapping table, e.g. the aggregate BAME / global
    majority group (``config.aggregate_group`` names it).

    Parameters
    ----------
    students : pandas.DataFrame
        With an ``ethnicity_code`` column of canonical codes.
    grouping : str, default "aggregate"
        A column of the mapping table (``ofs_group``, ``aggregate`` ...).
    column : str, optional
        Name of the new column; default ``ethnicity_<grouping>``.
    ethnicity_map : EthnicityMap, optional
        Default: the built-in HESA table (pass ``config.ethnicity_map()``).

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({"ethnicity_code": ["10", "22", "34", "90"]})
    >>> add_ethnicity_group(students)["ethnicity_aggregate"].tolist()
    ['White', 'BAME', 'BAME', 'Unknown']
    """
    _check_frame(students, "add_ethnicity_group")
    _require(students, ["ethnicity_code"], "add_ethnicity_group")
    emap = ethnicity_map or load_ethnicity_map()
    codes = emap.normalise(students["ethnicity_code"])
    unknown = codes.isna() & students["ethnicity_code"].notna()
    if unknown.any():
        values = sorted({str(v) for v in students.loc[unknown, "ethnicity_code"]})
        rows = students.index[unknown.to_numpy()].tolist()
        raise AnalysisError(
            f"add_ethnicity_group: {int(unknown.sum())} ethnicity code(s) are not in the {emap.source}: "
            f"{', '.join(map(repr, values[:15]))} (rows {', '.join(map(repr, rows[:8]))}{' ...' if len(rows) > 8 else ''}). "
            "Add them to the mapping table if they are valid."
        )
    out = students.copy()
    out[column or f"ethnicity_{grouping}"] = emap.group(codes, grouping).to_numpy()
    return out


def tariff_band(tariff: pd.Series | Sequence[float], *, bands: Sequence[float] = DEFAULT_TARIFF_BANDS) -> pd.Series:
    """Entry tariff bands (UCAS points) as an ordered categorical.

    Parameters
    ----------
    tariff : Series or sequence of numbers
        UCAS tariff points; missing values become ``"No tariff"`` (students
        entering with qualifications outside the tariff are a group of their own).
    bands : sequence of numbers
        Increasing lower edges; the last band is open-ended.

    Examples
    --------
    >>> tariff_band([40, 96, 150, None]).tolist()
    ['0-79', '96-111', '144+', 'No tariff']
    """
    edges = [float(b) for b in bands]
    if len(edges) < 1 or any(b2 <= b1 for b1, b2 in zip(edges, edges[1:])):
        raise AnalysisError(f"tariff_band: bands must be increasing lower edges, e.g. {DEFAULT_TARIFF_BANDS}; got {bands!r}.")
    values = pd.to_numeric(pd.Series(tariff), errors="coerce")
    index = values.index
    labels = [f"{int(lo)}-{int(hi) - 1}" for lo, hi in zip(edges, edges[1:])] + [f"{int(edges[-1])}+"]
    position = np.searchsorted(np.asarray(edges), values.to_numpy(dtype=float, na_value=np.nan), side="right") - 1
    out = np.array(labels + ["No tariff"], dtype=object)[np.where(values.isna().to_numpy() | (position < 0), len(labels), position)]
    return pd.Series(pd.Categorical(out, categories=labels + ["No tariff"], ordered=True), index=index, name="tariff_band")


def _outcome(
    students: pd.DataFrame, outcome: str | None, good: Sequence[str], what: str, *, numeric: bool = False
) -> tuple[pd.Series, str]:
    """The binary outcome (good honours unless ``outcome`` names a yes/no column)."""
    if outcome is None:
        return good_honours(students, good=good), "not a classified degree"
    _require(students, [outcome], what)
    values = students[outcome]
    if numeric and pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("Float64"), f"no value for {outcome}"
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean"), f"no value for {outcome}"
    numeric = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & ~numeric.isin([0, 1])
    if bad.any():
        shown = sorted({str(v) for v in values[bad]})[:10]
        raise AnalysisError(
            f"{what}: outcome column {outcome!r} must be yes/no (True/False or 1/0); found {', '.join(map(repr, shown))}."
        )
    return numeric.astype("Float64").astype("boolean"), f"no value for {outcome}"
