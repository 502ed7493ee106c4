"""Staff snapshots: grades on the cohort's scale, checked person-years, transitions and careers.

From the cohort's staff yearly snapshots (one row per person per census year,
schema ``staff``):

- :func:`prepare_snapshots` checks them (grades on the scale, one row per
  person and year) and adds ``grade_rank`` and an aggregate group column;
- :func:`transitions` gives one row per person-year with what happened by the
  next census: ``promoted`` (a higher grade at the person's next snapshot),
  ``leaver`` (the ``left`` flag, or no later snapshot before the last census
  year) and ``at_risk`` (the year is before the last census, so the outcome can
  be seen);
- :func:`staff_careers` gives one row per person with the years to the first
  promotion and to leaving, censored where neither was seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError, Problem, ValidationError
from ._common import _list_rows, _require_columns, _rows

__all__ = ["grade_ranks", "check_staff_years", "aggregate_groups", "prepare_snapshots", "transitions", "staff_careers",
           "require_census_years"]


def _normalise_grade(value: Any) -> str:
    text = " ".join(str(value).strip().split()).casefold()
    return re.sub(r"^(\d+)\.0$", r"\1", text)


def grade_ranks(
    grades: pd.Series,
    scale: Sequence[str],
    *,
    source: str = "staff table",
    rows: Sequence[int] | None = None,
    column: str = "grade",
) -> pd.Series:
    """Position of each grade on the ordered scale (0 = lowest).

    Grades are matched to the scale ignoring case and surrounding spaces
    (``"professor "`` is ``"Professor"``; ``"7.0"`` from a spreadsheet is ``"7"``).

    Parameters
    ----------
    grades : pandas.Series
        Grades as recorded.
    scale : sequence of str
        The configured grade scale, lowest first (``config.grade_scale``).
    source, rows, column
        Where the grades came from, for the error message (``rows`` are the
        row numbers a person sees in the file; default CSV-style 2, 3, ...).

    Returns
    -------
    pandas.Series
        Integer ranks with the index of ``grades``.

    Raises
    ------
    ValidationError
        Grades that are empty or not on the scale, each listed with its rows.

    Examples
    --------
    >>> import pandas as pd
    >>> grade_ranks(pd.Series(["7", "Professor", "9.0"]), ["7", "8", "9", "Professor"]).tolist()
    [0, 3, 2]
    >>> grade_ranks(pd.Series(["7", "Band 9"]), ["7", "8", "9"])
    Traceback (most recent call last):
    ...
    rmresearch.errors.ValidationError: 1 problem(s) found in the input data:
      - staff table, row 3, column 'grade': grade 'Band 9' is not on the configured grade scale (7, 8, 9) on rows 3; add it to options.grade_scale in the cohort configuration (lowest grade first) or correct the rows
    """
    if len(scale) == 0:
        raise AnalysisError("The grade scale is empty: set options.grade_scale in the cohort configuration, lowest grade first.")
    lookup: dict[str, int] = {}
    for i, g in enumerate(scale):
        key = _normalise_grade(g)
        if key in lookup:
            raise AnalysisError(f"Grade {g!r} appears twice in the grade scale; each grade must be listed once, lowest first.")
        lookup[key] = i
    rows = np.arange(2, len(grades) + 2) if rows is None else np.asarray(rows)
    empty = grades.isna().to_numpy() | (grades.astype(str).str.strip() == "").to_numpy()
    keys = grades.map(_normalise_grade, na_action="ignore")
    ranks = keys.map(lookup)
    problems = []
    if empty.any():
        problems.append(Problem(source, f"grade is empty on rows {_list_rows(rows[empty])}; every snapshot needs a grade", row=int(rows[empty][0]), column=column))
    bad = ranks.isna().to_numpy() & ~empty
    if bad.any():
        shown_scale = ", ".join(map(str, scale))
        bad_values = grades.to_numpy()[bad]
        bad_rows = rows[bad]
        for value in pd.unique(bad_values):
            these = bad_rows[bad_values == value]
            problems.append(
                Problem(
                    source,
                    f"grade '{value}' is not on the configured grade scale ({shown_scale}) on rows {_list_rows(these)}; "
                    "add it to options.grade_scale in the cohort configuration (lowest grade first) or correct the rows",
                    row=int(these[0]),
                    column=column,
                )
            )
    if problems:
        raise ValidationError(problems)
    return ranks.astype(int)


def check_staff_years(snapshots: pd.DataFrame, *, source: str = "staff table") -> None:
    """Raise :class:`ValidationError` if a person has more than one snapshot in a year.

    The ``staff`` schema checks this when a file is read; functions given data
    frames check again, since frames can be built or combined in other ways.

    Examples
    --------
    >>> import pandas as pd
    >>> check_staff_years(pd.DataFrame({"staff_id": ["a", "a", "b"], "year": [2020, 2021, 2020]}))
    >>> check_staff_years(pd.DataFrame({"staff_id": ["a", "a"], "year": [2020, 2020]}))
    Traceback (most recent call last):
    ...
    rmresearch.errors.ValidationError: 1 problem(s) found in the input data:
      - staff table, row 2, column 'staff_id': staff_id 'a' has more than one snapshot for year 2020 (rows 2, 3); keep one row per person per census year
    """
    _require_columns(snapshots, ["staff_id", "year"], "staff snapshots")
    dup = snapshots.duplicated(["staff_id", "year"], keep=False).to_numpy()
    if not dup.any():
        return
    rows = _rows(snapshots)
    problems = []
    sub = snapshots.loc[dup, ["staff_id", "year"]].astype(str).reset_index(drop=True)
    positions = np.flatnonzero(dup)
    for (sid, year), idx in sub.groupby(["staff_id", "year"], sort=False).indices.items():
        r = rows[positions[idx]]
        problems.append(
            Problem(
                source,
                f"staff_id '{sid}' has more than one snapshot for year {year} (rows {_list_rows(r)}); "
                "keep one row per person per census year",
                row=int(r[0]),
                column="staff_id",
            )
        )
    raise ValidationError(problems)


def aggregate_groups(
    groups: pd.Series,
    *,
    reference: str = "White",
    label: str = "BAME",
    unknown: Iterable[str] = ("Unknown",),
) -> pd.Series:
    """Collapse ethnicity groups into reference vs ``label`` (e.g. White vs BAME), keeping unknowns apart.

    Examples
    --------
    >>> import pandas as pd
    >>> aggregate_groups(pd.Series(["White", "Black", "Asian", "Unknown", None])).tolist()
    ['White', 'BAME', 'BAME', 'Unknown', 'Unknown']
    """
    unknown = set(unknown)
    out = groups.astype(object).where(groups.notna(), next(iter(unknown), "Unknown"))
    keep = out.isin({reference} | unknown)
    return out.where(keep, label)


def prepare_snapshots(
    staff: pd.DataFrame,
    *,
    grade_scale: Sequence[str],
    group: str | None = "ethnicity_group",
    reference: str = "White",
    aggregate_label: str = "BAME",
    source: str = "staff table",
) -> pd.DataFrame:
    """Checked staff snapshots with ordered grades and an aggregate group.

    Parameters
    ----------
    staff : pandas.DataFrame
        Yearly snapshots (``load_table(config, "staff", keep_row_numbers=True)``
        gives error messages the file's row numbers): ``staff_id``, ``year``,
        ``grade``, ``group`` and usually ``left``, ``mentored``, ``faculty``.
    grade_scale : sequence of str
        ``config.grade_scale``, lowest grade first.
    group : str or None
        The group column of the cohort's focus characteristic (``cfg.focus.group_column``; by default the legacy
        ``ethnicity_group``); ``None`` for snapshots without an ``aggregate_group`` (analyses by every
        characteristic read each characteristic's own columns).
    reference, aggregate_label : str
        ``aggregate_group`` is ``reference``, ``aggregate_label`` or Unknown.

    Returns
    -------
    pandas.DataFrame
        A copy sorted by person and year, ``grade`` as an ordered categorical
        in scale order (canonical spelling), ``grade_rank`` (0 = lowest) and
        ``aggregate_group``; ``left`` and ``mentored`` filled with False if absent.

    Raises
    ------
    ValidationError
        Grades not on the scale or duplicate person-years, naming the rows.

    Examples
    --------
    >>> import pandas as pd
    >>> staff = pd.DataFrame({"staff_id": ["a", "a", "b"], "year": [2021, 2020, 2020],
    ...                       "grade": ["8", "7", "Professor"], "ethnicity_group": ["Black", "Black", "White"]})
    >>> prepare_snapshots(staff, grade_scale=["7", "8", "Professor"])[["staff_id", "year", "grade", "grade_rank", "aggregate_group"]]
      staff_id  year      grade  grade_rank aggregate_group
    0        a  2020          7           0            BAME
    1        a  2021          8           1            BAME
    2        b  2020  Professor           2           White
    """
    _require_columns(staff, ["staff_id", "year", "grade", *([group] if group is not None else [])], "staff snapshots")
    check_staff_years(staff, source=source)
    ranks = grade_ranks(staff["grade"], grade_scale, source=source, rows=_rows(staff))
    out = staff.copy()
    out["grade_rank"] = ranks.to_numpy()
    scale = [str(g) for g in grade_scale]
    out["grade"] = pd.Categorical.from_codes(out["grade_rank"].to_numpy(), categories=scale, ordered=True)
    if out["year"].isna().any():
        r = _rows(staff)[staff["year"].isna().to_numpy()]
        raise ValidationError([Problem(source, f"year is empty on rows {_list_rows(r)}", row=int(r[0]), column="year")])
    out["year"] = out["year"].astype(int)
    for flag in ("left", "mentored"):
        out[flag] = out[flag].fillna(False).astype(bool) if flag in out.columns else False
    if group is not None:
        out["aggregate_group"] = aggregate_groups(out[group], reference=reference, label=aggregate_label)
    return out.sort_values(["staff_id", "year"], kind="stable").reset_index(drop=True)


def _as_prepared(snapshots: pd.DataFrame) -> pd.DataFrame:
    if "grade_rank" not in snapshots.columns:
        raise AnalysisError("Pass snapshots through prepare_snapshots(staff, grade_scale=config.grade_scale) first.")
    check_staff_years(snapshots)
    return snapshots


def require_census_years(snapshots: pd.DataFrame, at_least: int = 2, *, what: str = "this analysis") -> list[int]:
    """The census years of the snapshots, or an AnalysisError saying that ``what`` needs more of them.

    A rate of promotion or leaving needs a year whose next census is known: two census years at least.

    >>> import pandas as pd
    >>> require_census_years(pd.DataFrame({"year": [2024, 2024]}), what="promotion and leaving rates")
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: The staff records hold one census year (2024), so no one's next year is known; promotion and leaving rates need at least two census years.
    """
    _require_columns(snapshots, ["year"], "require_census_years")
    years = sorted(int(y) for y in pd.unique(snapshots["year"].dropna()))
    if len(years) < at_least:
        words = {0: "no", 1: "one", 2: "two", 3: "three"}
        held = words.get(len(years), str(len(years)))
        listed = f" ({', '.join(map(str, years))})" if years else ""
        plural = "" if len(years) == 1 else "s"
        raise AnalysisError(f"The staff records hold {held} census year{plural}{listed}, so no one's next year is known; "
                            f"{what} need at least {words.get(at_least, str(at_least))} census years.")
    return years


# --------------------------------------------------------------------------- careers


def transitions(snapshots: pd.DataFrame) -> pd.DataFrame:
    """One row per person-year with what happened by the person's next snapshot.

    Parameters
    ----------
    snapshots : pandas.DataFrame
        Output of :func:`prepare_snapshots`.

    Returns
    -------
    pandas.DataFrame
        The snapshot columns plus ``next_year`` and ``next_grade_rank`` (the
        person's next snapshot, missing if none), ``at_risk`` (the year is before
        the last census year, so the next year can be seen), ``promoted`` (a
        higher grade at the next snapshot), ``demoted`` and ``leaver`` (``left``
        flag set, or no later snapshot although later censuses exist).

    Notes
    -----
    A person missing for a census year and back later is not a leaver; a grade
    change across such a gap is credited to the year before the gap. Leaving and
    promotion rates per person-year use the rows with ``at_risk``.

    Examples
    --------
    >>> import pandas as pd
    >>> staff = pd.DataFrame({"staff_id": ["a", "a", "a", "b", "b", "c"],
    ...                       "year": [2020, 2021, 2022, 2020, 2021, 2022],
    ...                       "grade": ["7", "8", "8", "7", "7", "9"],
    ...                       "ethnicity_group": ["Black"] * 3 + ["White"] * 3})
    >>> t = transitions(prepare_snapshots(staff, grade_scale=["7", "8", "9"]))
    >>> t[["staff_id", "year", "at_risk", "promoted", "leaver"]]
      staff_id  year  at_risk  promoted  leaver
    0        a  2020     True      True   False
    1        a  2021     True     False   False
    2        a  2022    False     False   False
    3        b  2020     True     False   False
    4        b  2021     True     False    True
    5        c  2022    False     False   False
    """
    s = _as_prepared(snapshots).sort_values(["staff_id", "year"], kind="stable").reset_index(drop=True)
    by_person = s.groupby("staff_id", sort=False)
    s["next_year"] = by_person["year"].shift(-1).astype("Int64")
    s["next_grade_rank"] = by_person["grade_rank"].shift(-1).astype("Int64")
    last_year = int(s["year"].max())
    has_next = s["next_year"].notna().to_numpy()
    s["at_risk"] = (s["year"] < last_year).to_numpy()
    next_rank = s["next_grade_rank"].to_numpy(dtype=float, na_value=np.nan)
    s["promoted"] = has_next & (next_rank > s["grade_rank"].to_numpy())
    s["demoted"] = has_next & (next_rank < s["grade_rank"].to_numpy())
    s["leaver"] = s["left"].to_numpy(dtype=bool) | (~has_next & s["at_risk"].to_numpy())
    return s


def staff_careers(
    snapshots: pd.DataFrame, *, start_year: int | None = None, censor_when_mentored: bool = False
) -> pd.DataFrame:
    """One row per person: years to first promotion and to leaving, censored.

    Parameters
    ----------
    snapshots : pandas.DataFrame
        Output of :func:`prepare_snapshots`.
    start_year : int, optional
        Start the clock in this census year (e.g. the year a mentoring scheme
        began) for everyone present in it; others are left out. By default the
        clock starts at each person's first snapshot.
    censor_when_mentored : bool
        Stop each person's clock at the snapshot where they are first flagged
        ``mentored`` (later events are not counted): time without mentoring
        only, as when comparing groups net of the scheme. Leaving people out
        because they were mentored *later* would bias the comparison (they had
        to stay to be mentored); censoring does not.

    Returns
    -------
    pandas.DataFrame
        ``staff_id``, ``first_year`` (first snapshot ever), ``start_year``,
        ``start_grade`` and ``start_grade_rank`` (at the start), the group,
        faculty and other columns of the starting snapshot (``mentored`` is
        the flag at the start), ``ever_mentored``, ``years_to_promotion`` and ``promoted`` (first higher grade
        seen; else censored at the last snapshot), ``years_to_leaving`` and
        ``left`` (left during the year after the last snapshot; else censored at
        the last snapshot).

    Notes
    -----
    Time is counted in census years. Staff already present at the first census
    year entered earlier, so their time is time *in the records*, not in post.

    Examples
    --------
    >>> import pandas as pd
    >>> staff = pd.DataFrame({"staff_id": ["a", "a", "a", "b", "b"],
    ...                       "year": [2020, 2021, 2022, 2020, 2021],
    ...                       "grade": ["7", "7", "8", "7", "7"],
    ...                       "ethnicity_group": ["Black"] * 3 + ["White"] * 2})
    >>> careers = staff_careers(prepare_snapshots(staff, grade_scale=["7", "8"]))
    >>> careers[["staff_id", "years_to_promotion", "promoted", "years_to_leaving", "left"]]
      staff_id  years_to_promotion  promoted  years_to_leaving   left
    0        a                   2      True                 2  False
    1        b                   1     False                 2   True
    """
    t = transitions(snapshots)
    first_year = t.groupby("staff_id", sort=False)["year"].min().rename("first_year")
    mentored = t.groupby("staff_id", sort=False)["mentored"].any()
    if start_year is not None:
        present = t.loc[t["year"] == int(start_year), "staff_id"]
        if present.empty:
            years = sorted(t["year"].unique())
            raise AnalysisError(f"No staff snapshots in start_year {start_year}; census years are {years[0]}-{years[-1]}.")
        t = t.loc[t["staff_id"].isin(present) & (t["year"] >= int(start_year))]
    g = t.groupby("staff_id", sort=False)
    start = g.head(1).set_index("staff_id")
    year0 = start["year"]
    last_obs = g["year"].max()
    promotion_year = t.loc[t["promoted"]].groupby("staff_id")["next_year"].min()
    # a departure during the year after the last census cannot be compared with anyone still in post
    leaving_year = t.loc[t["leaver"] & t["at_risk"]].groupby("staff_id")["year"].min() + 1
    out = start.drop(columns=[c for c in ("next_year", "next_grade_rank", "at_risk", "promoted", "demoted", "leaver", "left") if c in start.columns])
    out = out.rename(columns={"year": "start_year", "grade": "start_grade", "grade_rank": "start_grade_rank"})
    out.insert(0, "first_year", first_year.reindex(out.index).to_numpy())
    out["mentored"] = out["mentored"].astype(bool)
    out["ever_mentored"] = mentored.reindex(out.index).to_numpy(dtype=bool)
    promoted = promotion_year.reindex(out.index)
    out["promoted"] = promoted.notna().to_numpy()
    out["years_to_promotion"] = np.where(out["promoted"], promoted.to_numpy(dtype=float, na_value=np.nan), last_obs.reindex(out.index)) - year0
    left = leaving_year.reindex(out.index)
    out["left"] = left.notna().to_numpy()
    out["years_to_leaving"] = np.where(out["left"], left.to_numpy(dtype=float, na_value=np.nan), last_obs.reindex(out.index)) - year0
    if censor_when_mentored:
        began = t.loc[t["mentored"]].groupby("staff_id")["year"].min().reindex(out.index)
        limit = np.maximum((began - year0).to_numpy(dtype=float, na_value=np.inf), 0)
        for time, flag in (("years_to_promotion", "promoted"), ("years_to_leaving", "left")):
            cut = out[time].to_numpy() > limit
            out.loc[cut, time] = limit[cut]
            out.loc[cut, flag] = False
    out["years_to_promotion"] = out["years_to_promotion"].astype(int)
    out["years_to_leaving"] = out["years_to_leaving"].astype(int)
    return out.reset_index()
