"""Representation: each group's headcount and share by year and grade, and among senior staff."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ._common import _require_columns
from .snapshots import _as_prepared

__all__ = ["representation", "senior_share", "grade_table"]


def representation(
    snapshots: pd.DataFrame,
    *,
    group: str = "ethnicity_group",
    by: Sequence[str] = ("year", "grade"),
) -> pd.DataFrame:
    """Headcount and share of each group within each year and grade.

    Parameters
    ----------
    snapshots : pandas.DataFrame
        Output of :func:`prepare_snapshots`.
    group : str
        Group column (``ethnicity_group`` or ``aggregate_group``).
    by : sequence of str
        Cells within which shares are taken (default year and grade).

    Returns
    -------
    pandas.DataFrame
        ``*by, group, n, total, share`` with every group in every cell (zero
        counts kept: an empty cell is a finding), grades in scale order.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.progression import prepare_snapshots
    >>> staff = pd.DataFrame({"staff_id": list("abcd"), "year": [2020] * 4, "grade": ["7", "7", "7", "8"],
    ...                       "ethnicity_group": ["White", "White", "Black", "White"]})
    >>> representation(prepare_snapshots(staff, grade_scale=["7", "8"]))
       year grade ethnicity_group  n  total     share
    0  2020     7           Black  1      3  0.333333
    1  2020     7           White  2      3  0.666667
    2  2020     8           Black  0      1  0.000000
    3  2020     8           White  1      1  1.000000
    """
    by = list(by)
    _require_columns(snapshots, by + [group], "representation")
    counts = snapshots.groupby(by + [group], observed=False, dropna=False).size()
    counts = counts.unstack(group, fill_value=0).stack().rename("n")
    table = counts.reset_index()
    table = table.rename(columns={table.columns[len(by)]: group}) if group not in table.columns else table
    table["total"] = table.groupby(by, observed=True)["n"].transform("sum")
    table = table.loc[table["total"] > 0].reset_index(drop=True)
    table["share"] = table["n"] / table["total"]
    return table


def senior_share(
    snapshots: pd.DataFrame,
    *,
    group: str = "ethnicity_group",
    senior_from: str | None = None,
) -> pd.DataFrame:
    """Share of each group among senior staff, beside its share of all staff, by year.

    Parameters
    ----------
    snapshots : pandas.DataFrame
        Output of :func:`prepare_snapshots`.
    senior_from : str, optional
        Lowest grade counted as senior leadership. Default ``"Director"`` when
        that grade is on the scale, otherwise the top two grades.

    Returns
    -------
    pandas.DataFrame
        ``year, group, senior_n, senior_total, senior_share, all_n, all_total,
        all_share`` and ``senior_from``.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.progression import prepare_snapshots
    >>> staff = pd.DataFrame({"staff_id": list("abcd"), "year": [2020] * 4,
    ...                       "grade": ["7", "7", "Director", "Director"],
    ...                       "ethnicity_group": ["Black", "White", "White", "White"]})
    >>> senior_share(prepare_snapshots(staff, grade_scale=["7", "Director"]))[["ethnicity_group", "senior_share", "all_share"]]
      ethnicity_group  senior_share  all_share
    0           Black           0.0       0.25
    1           White           1.0       0.75
    """
    snapshots = _as_prepared(snapshots)
    scale = list(snapshots["grade"].cat.categories)
    if senior_from is None:
        senior_from = "Director" if "Director" in scale else scale[max(len(scale) - 2, 0)]
    if senior_from not in scale:
        raise AnalysisError(f"senior_from {senior_from!r} is not on the grade scale ({', '.join(scale)}).")
    senior = snapshots["grade_rank"] >= scale.index(senior_from)
    all_staff = representation(snapshots.assign(_all="all"), group=group, by=["year", "_all"])
    top = representation(snapshots.loc[senior].assign(_all="all"), group=group, by=["year", "_all"])
    table = all_staff.drop(columns="_all").rename(columns={"n": "all_n", "total": "all_total", "share": "all_share"})
    top = top.drop(columns="_all").rename(columns={"n": "senior_n", "total": "senior_total", "share": "senior_share"})
    table = table.merge(top.drop(columns=["senior_total", "senior_share"]), on=["year", group], how="left")
    table["senior_n"] = table["senior_n"].fillna(0).astype(int)
    senior_total = snapshots.loc[senior].groupby("year").size()
    table["senior_total"] = table["year"].map(senior_total).fillna(0).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["senior_share"] = np.where(table["senior_total"] > 0, table["senior_n"] / table["senior_total"], np.nan)
    table["senior_from"] = senior_from
    return table[["year", group, "senior_n", "senior_total", "senior_share", "all_n", "all_total", "all_share", "senior_from"]]


def grade_table(
    snapshots: pd.DataFrame,
    *,
    year: int | None = None,
    group: str = "ethnicity_group",
    total: str = "Total",
) -> pd.DataFrame:
    """Staff by grade and group in one census year, as a cross-table: grades as rows, groups as columns.

    Parameters
    ----------
    snapshots : pandas.DataFrame
        Output of :func:`prepare_snapshots`.
    year : int, optional
        Census year (default: the latest).
    group : str
        Group column (``ethnicity_group`` or ``aggregate_group``).
    total : str
        Label of the total row and the total column.

    Returns
    -------
    pandas.DataFrame
        ``grade`` (in the grade scale's order, lowest first; grades with nobody that year left out, the ``total``
        row last), one count column per group (in category order, else sorted, ``Unknown`` last) and the ``total``
        column. Counts are unrounded: totals are computed here, before
        :func:`~rmresearch.progression.disclose_grade_table` rounds each cell on its own (HESA), so rounded rows
        need not add up to the rounded total. ``attrs["year"]`` is the year.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.progression import prepare_snapshots
    >>> staff = pd.DataFrame({"staff_id": list("abcde"), "year": [2020] * 5, "grade": ["8", "7", "7", "8", "7"],
    ...                       "ethnicity_group": ["White", "White", "Black", "Unknown", "Asian"]})
    >>> grade_table(prepare_snapshots(staff, grade_scale=["7", "8", "9"]))
       grade  Asian  Black  White  Unknown  Total
    0      7      1      1      1        0      3
    1      8      0      0      1        1      2
    2  Total      1      1      2        1      5
    """
    snapshots = _as_prepared(snapshots)
    _require_columns(snapshots, ["year", "grade", group], "grade_table")
    years = sorted(pd.unique(snapshots["year"]))
    if not years:
        raise AnalysisError("grade_table: the staff snapshots have no rows.")
    year = years[-1] if year is None else year
    rows = snapshots.loc[snapshots["year"] == year]
    if rows.empty:
        raise AnalysisError(f"grade_table: no staff records for {year} (census years: {', '.join(map(str, years))}).")
    values = rows[group].astype(object).fillna("Unknown")
    levels = list(rows[group].cat.categories) if isinstance(rows[group].dtype, pd.CategoricalDtype) else sorted(
        pd.unique(values), key=str)
    levels = [lv for lv in levels if (values == lv).any()]
    levels = [lv for lv in levels if lv != "Unknown"] + (["Unknown"] if "Unknown" in levels else [])
    counts = pd.crosstab(rows["grade"].astype(object), values).reindex(columns=levels, fill_value=0)
    scale = list(snapshots["grade"].cat.categories)
    counts = counts.reindex([g for g in scale if g in counts.index])
    counts.columns = [str(c) for c in counts.columns]
    counts[total] = counts.sum(axis=1)
    counts.loc[total] = counts.sum(axis=0)
    table = counts.rename_axis(index="grade", columns=None).reset_index().astype({c: "int64" for c in counts.columns})
    table.attrs["year"] = int(year)
    return table
