"""Staff representation and progression: pipeline, relative likelihoods, time to promotion, retention.

The questions a Race Equality Charter submission or an NHS-style Workforce Race
Equality Standard (WRES) report asks of staff records, and the question an
evaluation of a mentoring scheme adds: do mentored staff progress faster than
comparable colleagues?

Inputs are the cohort's staff yearly snapshots (one row per person per census
year, schema ``staff``) and recruitment funnel counts (schema ``recruitment``).
Grades are ordered by the cohort's ``grade_scale`` (``config.grade_scale``).

From the snapshots:

- :func:`prepare_snapshots` checks them (grades on the scale, one row per
  person and year) and adds ``grade_rank`` and an aggregate group column;
- :func:`transitions` gives one row per person-year with what happened by the
  next census: ``promoted`` (a higher grade at the person's next snapshot),
  ``leaver`` (the ``left`` flag, or no later snapshot before the last census
  year) and ``at_risk`` (the year is before the last census, so the outcome can
  be seen);
- :func:`staff_careers` gives one row per person with the years to the first
  promotion and to leaving, censored where neither was seen.

Analyses: :func:`representation`, :func:`pipeline_figure`, :func:`senior_share`,
:func:`recruitment_funnel`, :func:`relative_likelihood`, :func:`event_rates`,
:func:`kaplan_meier`, :func:`kaplan_meier_figure`, :func:`logrank_test`,
:func:`cox_model`, :func:`proportional_hazards_test`, :func:`matched_comparison`
and :func:`mentoring_effect`. Survival models use statsmodels
(``SurvfuncRight``, ``survdiff``, ``PHReg``) with Efron's method for tied
times by default, as R's ``coxph`` and lifelines do.

Every table a report shows still goes through
:func:`rmresearch.disclosure.disclose`; :func:`disclose_relative_likelihood`
does that for relative-likelihood tables (the ratio is suppressed with the rates
it is built from).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .stats import wilson_interval
from .config import DisclosureRules
from .errors import Problem, ValidationError

__all__ = [
    "NON_ADVERSE_RANGE",
    "grade_ranks",
    "check_staff_years",
    "aggregate_groups",
    "prepare_snapshots",
    "transitions",
    "staff_careers",
    "representation",
    "pipeline_figure",
    "senior_share",
    "recruitment_funnel",
    "relative_likelihood",
    "disclose_relative_likelihood",
    "disclosable_steps",
    "disclose_kaplan_meier",
    "disclose_logrank",
    "event_rates",
    "kaplan_meier",
    "plottable_groups",
    "kaplan_meier_figure",
    "logrank_test",
    "cox_model",
    "proportional_hazards_test",
    "mentoring_cohorts",
    "matched_comparison",
    "mentoring_effect",
]

#: NHS WRES guidance treats relative likelihoods from 0.80 to 1.25 as non-adverse.
NON_ADVERSE_RANGE = (0.80, 1.25)

_SHOWN = 8  # rows listed in an error message before "and N more"


# --------------------------------------------------------------------------- checks


def _rows(frame: pd.DataFrame) -> np.ndarray:
    """Row numbers for messages: the source file's (``_row``) if known, else CSV-style (first record = 2)."""
    if "_row" in frame.columns:
        return frame["_row"].to_numpy()
    return np.arange(2, len(frame) + 2)


def _list_rows(rows: Sequence[int], values: Sequence[Any] | None = None) -> str:
    rows = [int(r) for r in rows]
    if values is None:
        shown = ", ".join(str(r) for r in rows[:_SHOWN])
    else:
        shown = ", ".join(f"{r} ('{v}')" for r, v in list(zip(rows, values))[:_SHOWN])
    more = f" and {len(rows) - _SHOWN} more" if len(rows) > _SHOWN else ""
    return shown + more


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{what}: expected a pandas DataFrame, not {type(frame).__name__}.")
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what}: column(s) {', '.join(map(repr, missing))} not found; the table has "
            f"{', '.join(map(str, frame.columns))}."
        )


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
        raise ValueError("The grade scale is empty: set options.grade_scale in the cohort configuration, lowest grade first.")
    lookup: dict[str, int] = {}
    for i, g in enumerate(scale):
        key = _normalise_grade(g)
        if key in lookup:
            raise ValueError(f"Grade {g!r} appears twice in the grade scale; each grade must be listed once, lowest first.")
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
    group: str = "ethnicity_group",
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
    group : str
        Ethnicity group column.
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
    _require_columns(staff, ["staff_id", "year", "grade", group], "staff snapshots")
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
    out["aggregate_group"] = aggregate_groups(out[group], reference=reference, label=aggregate_label)
    return out.sort_values(["staff_id", "year"], kind="stable").reset_index(drop=True)


def _as_prepared(snapshots: pd.DataFrame) -> pd.DataFrame:
    if "grade_rank" not in snapshots.columns:
        raise ValueError("Pass snapshots through prepare_snapshots(staff, grade_scale=config.grade_scale) first.")
    check_staff_years(snapshots)
    return snapshots


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
            raise ValueError(f"No staff snapshots in start_year {start_year}; census years are {years[0]}-{years[-1]}.")
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


# --------------------------------------------------------------------------- representation


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
        raise ValueError(f"senior_from {senior_from!r} is not on the grade scale ({', '.join(scale)}).")
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


def _rules(rules: DisclosureRules | None) -> DisclosureRules:
    return rules if rules is not None else DisclosureRules()


def pipeline_figure(
    table: pd.DataFrame,
    *,
    group: str = "ethnicity_group",
    groups: Sequence[str] | None = None,
    rules: DisclosureRules | None = None,
    title: str | None = None,
):
    """Line chart of each group's share of staff at each grade: where the pipeline leaks.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`representation` for ONE year, by ``grade``.
    groups : sequence of str, optional
        Groups to draw (default all but Unknown).
    rules : DisclosureRules
        Shares of grades with fewer than ``rules.min_percentage_denominator``
        staff, and shares of one or two staff (or all but one or two), are not
        drawn (as :func:`~rmresearch.disclosure.disclose` suppresses them), so
        the figure shows only what the tables show.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from . import plots
    from .disclosure import suppress_rate

    rules = _rules(rules)
    _require_columns(table, ["grade", group, "total", "share"], "pipeline_figure")
    if "year" in table.columns and table["year"].nunique() > 1:
        raise ValueError("pipeline_figure draws one year: filter the representation table to one year first.")
    groups = [g for g in pd.unique(table[group]) if g != "Unknown"] if groups is None else list(groups)
    colours = plots.group_colours(groups)
    fig, ax = plots.new_figure()
    grades = list(table["grade"].cat.categories) if isinstance(table["grade"].dtype, pd.CategoricalDtype) else list(pd.unique(table["grade"]))
    grades = [g for g in grades if g in set(table["grade"])]
    x = {g: i for i, g in enumerate(grades)}
    for name in groups:
        rows = table.loc[table[group] == name].copy()
        # the same rule as the tables: a share of 1 or 2 staff (or all but 1 or 2) is not drawn either
        hidden = suppress_rate(rows["share"], rows["total"], numerator=rows["n"] if "n" in rows.columns else None,
                               rules=rules).map(lambda v: isinstance(v, str))
        rows = rows.loc[~hidden.to_numpy(dtype=bool)]
        rows = rows.assign(_x=rows["grade"].map(x)).sort_values("_x")
        ax.plot(rows["_x"], 100 * rows["share"], marker="o", color=colours[name], label=str(name))
    ax.set_xticks(range(len(grades)), grades, rotation=45 if len(grades) > 8 else 0)
    ax.set_xlabel("Grade (lowest to highest)")
    ax.set_ylabel("Share of staff in the grade (%)")
    ax.set_ylim(bottom=0)
    ax.legend(title=None, ncols=min(len(groups), 4))
    year = f" ({int(table['year'].iloc[0])})" if "year" in table.columns and len(table) else ""
    ax.set_title(title or f"Each group's share of staff by grade{year}")
    return fig


# --------------------------------------------------------------------------- recruitment and rates


def recruitment_funnel(
    recruitment: pd.DataFrame,
    *,
    group: str = "ethnicity_group",
    by: Sequence[str] = (),
    grade_scale: Sequence[str] | None = None,
    source: str = "recruitment table",
) -> pd.DataFrame:
    """Applied → shortlisted → appointed, with the rate at each step, by group.

    Parameters
    ----------
    recruitment : pandas.DataFrame
        Counts by year, post grade and group (schema ``recruitment``).
    by : sequence of str
        Extra breakdowns (e.g. ``["year"]``); counts are summed over the rest.
    grade_scale : sequence of str, optional
        If given, ``post_grade`` must be on it.

    Returns
    -------
    pandas.DataFrame
        ``*by, group, applied, shortlisted, appointed, shortlisting_rate``
        (shortlisted ÷ applied), ``appointment_rate`` (appointed ÷ shortlisted)
        and ``conversion_rate`` (appointed ÷ applied).

    Raises
    ------
    ValidationError
        Rows where more were shortlisted than applied, or appointed than shortlisted.

    Examples
    --------
    >>> import pandas as pd
    >>> rec = pd.DataFrame({"year": [2023, 2023], "post_grade": ["7", "7"], "ethnicity_group": ["White", "Black"],
    ...                     "applied": [200, 100], "shortlisted": [50, 20], "appointed": [10, 2]})
    >>> recruitment_funnel(rec)[["ethnicity_group", "shortlisting_rate", "appointment_rate"]]
      ethnicity_group  shortlisting_rate  appointment_rate
    0           Black               0.20               0.1
    1           White               0.25               0.2
    """
    steps = ["applied", "shortlisted", "appointed"]
    _require_columns(recruitment, [group, *steps, *by], "recruitment_funnel")
    rows = _rows(recruitment)
    problems = []
    if grade_scale is not None and "post_grade" in recruitment.columns:
        grade_ranks(recruitment["post_grade"], grade_scale, source=source, rows=rows, column="post_grade")
    for column in steps:
        values = pd.to_numeric(recruitment[column], errors="coerce")
        bad = (values.isna() | (values < 0)).to_numpy()
        if bad.any():
            problems.append(Problem(source, f"{column} must be a count of 0 or more on rows {_list_rows(rows[bad])}", row=int(rows[bad][0]), column=column))
    if problems:
        raise ValidationError(problems)
    for lower, upper in (("shortlisted", "applied"), ("appointed", "shortlisted")):
        bad = (recruitment[lower] > recruitment[upper]).to_numpy()
        if bad.any():
            problems.append(Problem(source, f"{lower} is larger than {upper} on rows {_list_rows(rows[bad])}; each step of the funnel is a subset of the one before", row=int(rows[bad][0]), column=lower))
    if problems:
        raise ValidationError(problems)
    table = recruitment.groupby([*by, group], observed=True)[steps].sum().reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["shortlisting_rate"] = np.where(table["applied"] > 0, table["shortlisted"] / table["applied"], np.nan)
        table["appointment_rate"] = np.where(table["shortlisted"] > 0, table["appointed"] / table["shortlisted"], np.nan)
        table["conversion_rate"] = np.where(table["applied"] > 0, table["appointed"] / table["applied"], np.nan)
    return table


def _count_table(
    table: pd.DataFrame, *, group: str, numerator: str, denominator: str | None, by: list[str], what: str
) -> pd.DataFrame:
    """Numerator and denominator counts per (by, group) from counts or person-level rows."""
    _require_columns(table, [group, numerator, denominator, *by], what)
    num = table[numerator]
    person_level = pd.api.types.is_bool_dtype(num.dtype) or denominator is None
    if person_level:
        if num.isna().any():
            raise ValueError(f"{what}: {numerator!r} has {int(num.isna().sum())} missing value(s); fill or drop them first.")
        num = num.astype(bool)
        if denominator is None:
            den = pd.Series(True, index=table.index)
        else:
            den = table[denominator]
            if not pd.api.types.is_bool_dtype(den.dtype):
                raise ValueError(
                    f"{what}: with person-level data ({numerator!r} is True/False), the denominator "
                    f"{denominator!r} must also be True/False (who was eligible), or None for everyone."
                )
            den = den.fillna(False).astype(bool)
            outside = num & ~den
            if outside.any():
                rows = _rows(table)[outside.to_numpy()]
                raise ValueError(
                    f"{what}: {int(outside.sum())} row(s) have {numerator} True but {denominator} False "
                    f"(rows {_list_rows(rows)}); the numerator must be a subset of the denominator."
                )
        frame = pd.DataFrame({**{b: table[b] for b in by}, group: table[group], "numerator": num & den, "denominator": den})
    else:
        values = {}
        for column in (numerator, denominator):
            v = pd.to_numeric(table[column], errors="coerce")
            if v.isna().any() or (v < 0).any():
                raise ValueError(f"{what}: {column!r} must hold counts of 0 or more, with no gaps.")
            values[column] = v
        if (values[numerator] > values[denominator]).any():
            rows = _rows(table)[(values[numerator] > values[denominator]).to_numpy()]
            raise ValueError(f"{what}: {numerator} exceeds {denominator} on rows {_list_rows(rows)}.")
        frame = pd.DataFrame({**{b: table[b] for b in by}, group: table[group], "numerator": values[numerator], "denominator": values[denominator]})
    return frame.groupby([*by, group], observed=True, dropna=False)[["numerator", "denominator"]].sum().reset_index()


def relative_likelihood(
    table: pd.DataFrame,
    *,
    group: str,
    numerator: str,
    denominator: str | None,
    reference: str = "White",
    by: Sequence[str] = (),
    exclude: Iterable[str] = ("Unknown",),
    alpha: float = 0.05,
    non_adverse: tuple[float, float] = NON_ADVERSE_RANGE,
) -> pd.DataFrame:
    """WRES-style relative likelihood: the reference group's rate divided by each group's rate.

    Parameters
    ----------
    table : pandas.DataFrame
        Either counts (``numerator`` and ``denominator`` columns of whole
        numbers, e.g. ``appointed`` and ``shortlisted``; rows of the same group
        are added up) or person-level rows (``numerator`` True/False, e.g.
        ``promoted``; ``denominator`` True/False for who was eligible, e.g.
        ``at_risk``, or ``None`` for every row).
    group : str
        Group column.
    reference : str
        The group whose rate is the numerator of the ratio (WRES: White).
    by : sequence of str
        Compute separately within these columns (e.g. ``["year"]``).
    exclude : iterable of str
        Groups left out (unknown ethnicity, as in WRES).
    alpha : float
        1 - confidence level.
    non_adverse : (float, float)
        Range treated as non-adverse (NHS WRES: 0.80 to 1.25).

    Returns
    -------
    pandas.DataFrame
        One row per non-reference group (and ``by`` cell): ``group, numerator,
        denominator, rate, reference_numerator, reference_denominator,
        reference_rate, relative_likelihood, ci_low, ci_high, non_adverse,
        note``. ``relative_likelihood > 1`` means the reference group is more
        likely to experience the outcome (for appointment: an adverse finding
        for the other group).

    Notes
    -----
    ``RL = (a / n1) / (c / n2)`` with ``a / n1`` the reference group's rate.
    The interval is Katz's log method:
    ``exp(log RL ± z sqrt(1/a - 1/n1 + 1/c - 1/n2))``. With a zero count the
    ratio or its interval is undefined; the row is kept with missing values and
    a ``note``. ``non_adverse`` is missing when the ratio is.

    References
    ----------
    NHS England, Workforce Race Equality Standard technical guidance (indicator 2:
    relative likelihood of White applicants being appointed from shortlisting
    compared to BME applicants). Katz D, Baptista J, Azen SP, Pike MC (1978),
    Obtaining confidence intervals for the risk ratio in cohort studies,
    Biometrics 34, 469-474.

    Examples
    --------
    >>> import pandas as pd
    >>> rec = pd.DataFrame({"ethnicity_group": ["White", "BAME"], "shortlisted": [400, 200], "appointed": [120, 40]})
    >>> rl = relative_likelihood(rec, group="ethnicity_group", numerator="appointed", denominator="shortlisted")
    >>> rl[["ethnicity_group", "rate", "reference_rate", "relative_likelihood"]]
      ethnicity_group  rate  reference_rate  relative_likelihood
    0            BAME   0.2             0.3                  1.5
    >>> rl[["ci_low", "ci_high", "non_adverse"]].round(4)
       ci_low  ci_high  non_adverse
    0  1.0947   2.0554        False
    """
    by = list(by)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha!r}.")
    low_ok, high_ok = non_adverse
    counts = _count_table(table, group=group, numerator=numerator, denominator=denominator, by=by, what="relative_likelihood")
    counts = counts.loc[~counts[group].isin(set(exclude))]
    if not (counts[group] == reference).any():
        found = ", ".join(map(str, pd.unique(counts[group])))
        raise ValueError(f"relative_likelihood: the reference group {reference!r} is not in column {group!r} (found: {found}).")
    ref = counts.loc[counts[group] == reference].drop(columns=group)
    ref = ref.rename(columns={"numerator": "reference_numerator", "denominator": "reference_denominator"})
    out = counts.loc[counts[group] != reference]
    out = out.merge(ref, on=by, how="left") if by else out.assign(**ref.iloc[0].to_dict())
    for column in ("reference_numerator", "reference_denominator"):
        out[column] = out[column].fillna(0)
    a = out["reference_numerator"].to_numpy(dtype=float)
    n1 = out["reference_denominator"].to_numpy(dtype=float)
    c = out["numerator"].to_numpy(dtype=float)
    n2 = out["denominator"].to_numpy(dtype=float)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n2 > 0, c / n2, np.nan)
        ref_rate = np.where(n1 > 0, a / n1, np.nan)
        defined = (a > 0) & (c > 0) & (n1 > 0) & (n2 > 0)
        rl = np.where(defined, ref_rate / rate, np.nan)
        se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
        low = np.where(defined, np.exp(np.log(rl) - z * se), np.nan)
        high = np.where(defined, np.exp(np.log(rl) + z * se), np.nan)
    notes = np.full(len(out), "", dtype=object)
    notes[(n1 == 0) | (n2 == 0)] = "no one in the denominator: ratio undefined"
    notes[((n1 > 0) & (n2 > 0)) & ((a == 0) | (c == 0))] = "a zero count: ratio or its interval undefined"
    result = pd.DataFrame({
        **{b: out[b].to_numpy() for b in by},
        group: out[group].to_numpy(),
        "numerator": out["numerator"].to_numpy(),
        "denominator": out["denominator"].to_numpy(),
        "rate": rate,
        "reference_numerator": out["reference_numerator"].to_numpy(),
        "reference_denominator": out["reference_denominator"].to_numpy(),
        "reference_rate": ref_rate,
        "relative_likelihood": rl,
        "ci_low": low,
        "ci_high": high,
    })
    flag = pd.Series((rl >= low_ok - 1e-12) & (rl <= high_ok + 1e-12), dtype="boolean")
    flag[np.isnan(rl)] = pd.NA
    result["non_adverse"] = flag.to_numpy()
    result["note"] = notes
    for column in ("numerator", "denominator", "reference_numerator", "reference_denominator"):
        if np.allclose(result[column], np.round(result[column])):
            result[column] = result[column].astype(np.int64)
    return result.reset_index(drop=True)


def disclose_relative_likelihood(
    table: pd.DataFrame, *, rules: DisclosureRules | None = None, decimals: int = 2, name: str | None = None,
    style: str | None = None,
) -> pd.DataFrame:
    """Disclosure control for a :func:`relative_likelihood` table.

    One call to :func:`~rmresearch.disclosure.disclose`: counts are rounded,
    rates suppressed, and the ratio, its interval, the flag and the note are
    ``derived`` from both rates, so they are suppressed (with the same marker)
    wherever either rate is, in both styles: beside a suppressed rate the
    ratio would give it back (White 120/400, Black 2/60: 30.0% / 9.00 = 3.3%,
    the 2). Shown ratios have ``decimals`` places.

    Examples
    --------
    >>> import pandas as pd
    >>> rec = pd.DataFrame({"g": ["White", "Black"], "shortlisted": [400, 60], "appointed": [120, 2]})
    >>> rl = relative_likelihood(rec, group="g", numerator="appointed", denominator="shortlisted")
    >>> disclose_relative_likelihood(rl, style="ofs")[["g", "rate", "reference_rate", "relative_likelihood"]]
           g   rate reference_rate relative_likelihood
    0  Black  [DPL]          30.0%               [DPL]
    """
    from .disclosure import disclose

    rules = _rules(rules)
    bases = ["rate", "reference_rate"]
    derived = {c: bases for c in ("relative_likelihood", "ci_low", "ci_high", "non_adverse", "note") if c in table.columns}
    return disclose(
        table,
        counts=["numerator", "denominator", "reference_numerator", "reference_denominator"],
        rates={"rate": ("denominator", "numerator"), "reference_rate": ("reference_denominator", "reference_numerator")},
        derived=derived,
        derived_decimals=decimals,
        rules=rules,
        style=style,
        name=name or "relative likelihood",
    )


def disclose_logrank(
    table: pd.DataFrame, *, rules: DisclosureRules | None = None, style: str | None = None, name: str | None = None
) -> pd.DataFrame:
    """Disclosure control for a :func:`logrank_test` table, in one :func:`~rmresearch.disclosure.disclose` call.

    The expected events rest on each group's observed events, and the test
    statistic and p-value (shown on every row) on all groups: with a group of
    two events, ``chisq = (O - E)^2 / V`` beside ``E`` gives ``O`` back, and the
    other row would show the same statistic. So ``expected`` is suppressed with
    a group whose events (or events subtracted from its size) are two or fewer,
    and ``chisq``, ``df`` and ``p`` in every row when any group is.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"group": ["A", "B"], "n": [200, 60], "observed": [120, 2], "expected": [100.1, 21.9],
    ...                   "chisq": [25.3, 25.3], "df": [1, 1], "p": [0.0, 0.0]})
    >>> disclose_logrank(t)[["group", "observed", "expected", "chisq", "p"]]
      group  observed expected chisq   p
    0     A       120    100.1    ..  ..
    1     B         0       ..    ..  ..
    """
    from .disclosure import disclose

    rules = _rules(rules)
    bases = [("n", "observed")]
    stats_columns = [c for c in ("chisq", "df", "p") if c in table.columns]
    derived = {"expected": bases, **{c: bases for c in stats_columns}}
    places = {"expected": 1, "chisq": 2, "df": 0, "p": 4}
    return disclose(table, counts=[c for c in ("n", "observed") if c in table.columns], derived=derived,
                    derived_decimals={c: places[c] for c in derived}, derived_table_wide=stats_columns,
                    rules=rules, style=style, name=name or "log-rank test")


def event_rates(
    table: pd.DataFrame,
    *,
    event: str,
    by: Sequence[str],
    eligible: str | None = "at_risk",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Rate of an event (promotion, leaving) per eligible row, by group, with Wilson intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        Person-level rows, e.g. :func:`transitions` (one row per person-year).
    event : str
        True/False column (``promoted``, ``leaver``).
    by : sequence of str
        Breakdown (e.g. ``["aggregate_group"]`` or ``["grade", "ethnicity_group"]``).
    eligible : str or None
        True/False column of rows that count (default ``at_risk``); None for all.

    Returns
    -------
    pandas.DataFrame
        ``*by, events, n, rate, ci_low, ci_high``.

    Notes
    -----
    Wilson score intervals treat rows as independent; a person contributes
    one row per year, so for person-years the interval is somewhat too narrow.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"group": ["A"] * 10 + ["B"] * 10, "left": [True] * 2 + [False] * 8 + [True] * 5 + [False] * 5})
    >>> event_rates(rows, event="left", by=["group"], eligible=None).round(4)
      group  events   n  rate  ci_low  ci_high
    0     A       2  10   0.2  0.0567   0.5098
    1     B       5  10   0.5  0.2366   0.7634
    """
    by = list(by)
    _require_columns(table, [event, eligible, *by], "event_rates")
    rows = table if eligible is None else table.loc[table[eligible].fillna(False).astype(bool)]
    if rows[event].isna().any():
        raise ValueError(f"event_rates: {event!r} has missing values; fill or drop them first.")
    out = rows.groupby(by, observed=True).agg(events=(event, lambda s: int(s.astype(bool).sum())), n=(event, "size")).reset_index()
    out["rate"] = out["events"] / out["n"]
    out["ci_low"], out["ci_high"] = wilson_interval(out["events"], out["n"], alpha)
    return out


# --------------------------------------------------------------------------- survival


def _survival_frame(
    df: pd.DataFrame, duration: str, event: str, extra: Sequence[str], what: str, source: str
) -> pd.DataFrame:
    """Check duration and event columns; return a clean copy with float duration and int event."""
    columns = [duration, event, *[c for c in extra if c is not None]]
    _require_columns(df, columns, what)
    rows = _rows(df)
    problems = []
    t = pd.to_numeric(df[duration], errors="coerce")
    missing = t.isna().to_numpy()
    if missing.any():
        problems.append(Problem(source, f"{duration} is missing or not a number on rows {_list_rows(rows[missing])}", row=int(rows[missing][0]), column=duration))
    negative = (t < 0).to_numpy()
    if negative.any():
        problems.append(Problem(source, f"{duration} is negative on rows {_list_rows(rows[negative], t[negative].tolist())}; durations must be 0 or more (check start and end dates)", row=int(rows[negative][0]), column=duration))
    e = df[event]
    if pd.api.types.is_bool_dtype(e.dtype):
        bad_event = e.isna().to_numpy()
        e_values = e.fillna(False).astype(int)
    else:
        e_values = pd.to_numeric(e, errors="coerce")
        bad_event = ~e_values.isin([0, 1]).to_numpy()
    if bad_event.any():
        problems.append(Problem(source, f"{event} must be 1/True (event seen) or 0/False (censored) on rows {_list_rows(rows[bad_event])}", row=int(rows[bad_event][0]), column=event))
    if problems:
        raise ValidationError(problems)
    out = df.copy()
    out[duration] = t.astype(float)
    out[event] = e_values.astype(int)
    return out


def kaplan_meier(
    df: pd.DataFrame,
    *,
    duration: str,
    event: str,
    group: str | None = None,
    alpha: float = 0.05,
    conf_type: str = "log",
    source: str = "the duration table",
) -> pd.DataFrame:
    """Kaplan–Meier survival curves with pointwise confidence limits, per group.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per person.
    duration : str
        Time to the event or to censoring (0 or more).
    event : str
        1/True if the event was seen, 0/False if censored.
    group : str, optional
        One curve per value.
    alpha : float
        1 - confidence level.
    conf_type : {"log", "log-log", "plain"}
        Interval on the log scale (R ``survfit``'s default), the complementary
        log-log scale, or the plain Greenwood interval.

    Returns
    -------
    pandas.DataFrame
        ``group`` (``"All"`` without a group), ``n`` (people in the group),
        ``time`` (each event time), ``at_risk``, ``events``, ``survival``,
        ``se`` (Greenwood standard error of the survival), ``ci_low``, ``ci_high``.

    Notes
    -----
    The estimate and Greenwood standard error are statsmodels'
    ``SurvfuncRight``. With ``conf_type="log"`` the limits are
    ``S exp(± z se / S)`` truncated at 1, as in R ``survfit``.

    Examples
    --------
    Maintained group of R survival's ``aml`` data (Embury et al. 1977):

    >>> import pandas as pd
    >>> aml = pd.DataFrame({"weeks": [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161],
    ...                     "relapse": [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0]})
    >>> kaplan_meier(aml, duration="weeks", event="relapse")[["time", "at_risk", "survival", "ci_low", "ci_high"]].round(4)
       time  at_risk  survival  ci_low  ci_high
    0   9.0       11    0.9091  0.7541   1.0000
    1  13.0       10    0.8182  0.6192   1.0000
    2  18.0        8    0.7159  0.4884   1.0000
    3  23.0        7    0.6136  0.3769   0.9992
    4  31.0        5    0.4909  0.2549   0.9456
    5  34.0        4    0.3682  0.1549   0.8753
    6  48.0        2    0.1841  0.0359   0.9435
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    if conf_type not in ("log", "log-log", "plain"):
        raise ValueError(f"conf_type must be 'log', 'log-log' or 'plain', not {conf_type!r}.")
    data = _survival_frame(df, duration, event, [group], "kaplan_meier", source)
    z = stats.norm.ppf(1 - alpha / 2)
    pieces = []
    groups = [("All", data)] if group is None else list(data.groupby(group, observed=True, sort=True))
    for name, part in groups:
        fit = SurvfuncRight(part[duration].to_numpy(), part[event].to_numpy())
        s = np.asarray(fit.surv_prob, dtype=float)
        se = np.asarray(fit.surv_prob_se, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            if conf_type == "log":
                se_log = se / s
                low, high = s * np.exp(-z * se_log), np.minimum(s * np.exp(z * se_log), 1.0)
            elif conf_type == "log-log":
                se_ll = se / (s * np.abs(np.log(s)))
                low, high = s ** np.exp(z * se_ll), s ** np.exp(-z * se_ll)
            else:
                low, high = np.maximum(s - z * se, 0.0), np.minimum(s + z * se, 1.0)
        undefined = (s <= 0) | ~np.isfinite(low) | ~np.isfinite(high)
        low, high = np.where(undefined, np.nan, low), np.where(undefined, np.nan, high)
        pieces.append(pd.DataFrame({
            "group": name,
            "n": len(part),
            "time": np.asarray(fit.surv_times, dtype=float),
            "at_risk": np.asarray(fit.n_risk, dtype=np.int64),
            "events": np.asarray(fit.n_events, dtype=np.int64),
            "survival": s,
            "se": np.where(s > 0, se, np.nan),
            "ci_low": low,
            "ci_high": high,
        }))
    return pd.concat(pieces, ignore_index=True)


def disclosable_steps(km: pd.DataFrame, *, rules: DisclosureRules | None = None, style: str | None = None) -> pd.DataFrame:
    """The steps of :func:`kaplan_meier` curves that may be shown: small steps merged, small risk sets left out.

    Consecutive survival estimates give back each step's events:
    ``1 - S(t) / S(t-1) = d / n``, so 81.7% then 78.0% with 45 at risk is 2
    promotions, beside an events count shown as 0. Within each group, event
    times are therefore merged until a step holds more events than
    ``rules.ofs_max_numerator_suppressed`` (and more than rounding hides, and
    leaves more than that many at risk without the event); only the last time of
    each merged step is kept, with ``at_risk`` the number at risk at its start
    and ``events`` its total. A curve stops where a rate on those at risk would
    be suppressed (fewer than ``rules.min_percentage_denominator``); events
    after the last full step are left out.

    Returns
    -------
    pandas.DataFrame
        The same columns as ``km`` (unrounded): pass it to
        :func:`disclose_kaplan_meier` or draw it.
    """
    from .disclosure import _hidden_by_rounding, _resolve_style, suppress_rate

    rules = _rules(rules)
    style = _resolve_style(style, rules)
    _require_columns(km, ["group", "time", "at_risk", "events", "survival"], "disclosable_steps")
    kept = []
    for _, part in km.groupby("group", sort=False):
        part = part.sort_values("time")
        at_risk = part["at_risk"].to_numpy(dtype=float)
        small_risk = np.array([isinstance(v, str) for v in suppress_rate(np.zeros(len(part)), at_risk, rules=rules, style=style)],
                              dtype=bool) if len(part) else np.zeros(0, dtype=bool)
        start, total = None, 0.0
        for i, (index, row) in enumerate(part.iterrows()):
            if small_risk[i]:
                break
            if start is None:
                start = float(row["at_risk"])
            total += float(row["events"])
            if not (_hidden_by_rounding(np.array([total]), rules)[0] or _hidden_by_rounding(np.array([start - total]), rules)[0]):
                kept.append({**row.to_dict(), "at_risk": start, "events": total, "_index": index})
                start, total = None, 0.0
    columns = list(km.columns)
    if not kept:
        return km.iloc[0:0].copy()
    out = pd.DataFrame(kept).set_index("_index")[columns]
    out.index.name = None
    for column in ("at_risk", "events"):
        if np.allclose(out[column], np.round(out[column])):
            out[column] = out[column].astype(np.int64)
    return out.reset_index(drop=True)


def disclose_kaplan_meier(
    km: pd.DataFrame, *, rules: DisclosureRules | None = None, style: str | None = None, name: str | None = None
) -> pd.DataFrame:
    """Disclosure control for a :func:`kaplan_meier` table: :func:`disclosable_steps`, then one :func:`disclose` call.

    Counts (``n``, ``at_risk``, ``events``) are rounded; survival and its
    interval are rates on those at risk, shown only for steps that do not give
    back a small count.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"t": list(range(1, 41)), "e": 1})
    >>> km = kaplan_meier(people, duration="t", event="e")
    >>> disclose_kaplan_meier(km)[["time", "at_risk", "events", "survival"]].head(3)
       time  at_risk  events survival
    0   3.0       40       5    92.5%
    1   6.0       35       5    85.0%
    2   9.0       35       5    77.5%
    """
    from .disclosure import DisclosureWarning, disclose

    rules = _rules(rules)
    steps = disclosable_steps(km, rules=rules, style=style)
    rates = {c: "at_risk" for c in ("survival", "ci_low", "ci_high") if c in steps.columns}
    counts = [c for c in ("n", "at_risk", "events") if c in steps.columns]
    derived = {"se": ["survival"]} if "se" in steps.columns else None
    with warnings.catch_warnings():
        # survival is not numerator / at_risk: disclosable_steps has applied the [DPL]/[DPH] limits to each step
        warnings.filterwarnings("ignore", message="OfS style: rate", category=DisclosureWarning)
        return disclose(steps, counts=counts, rates=rates, derived=derived, derived_decimals=4, rules=rules,
                        style=style, name=name or "Kaplan-Meier estimates")


def plottable_groups(km: pd.DataFrame, *, rules: DisclosureRules | None = None) -> pd.DataFrame:
    """Which Kaplan–Meier curves may be drawn under the disclosure rules.

    A curve is a sequence of percentages of its group, so a group with fewer
    people than ``rules.min_percentage_denominator`` is not drawn; drawn
    curves stop where fewer than that many remain at risk.

    Returns
    -------
    pandas.DataFrame
        ``group, n, plotted, reason``.
    """
    rules = _rules(rules)
    _require_columns(km, ["group", "n"], "plottable_groups")
    sizes = km.groupby("group", sort=False)["n"].first().reset_index()
    sizes["plotted"] = sizes["n"] >= rules.min_percentage_denominator
    sizes["reason"] = np.where(sizes["plotted"], "", f"fewer than {rules.min_percentage_denominator:g} people")
    return sizes


def kaplan_meier_figure(
    km: pd.DataFrame,
    *,
    rules: DisclosureRules | None = None,
    title: str | None = None,
    xlabel: str = "Years",
    ylabel: str = "Proportion without the event",
    show_ci: bool = True,
):
    """Step plot of :func:`kaplan_meier` curves, leaving out what would disclose small numbers.

    Groups that :func:`plottable_groups` rejects are not drawn, each curve
    stops at the last time with at least ``rules.min_percentage_denominator``
    people at risk, and steps are drawn from :func:`disclosable_steps`, so the
    height of a step never shows one or two events.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from . import plots

    rules = _rules(rules)
    allowed = plottable_groups(km, rules=rules)
    names = allowed.loc[allowed["plotted"], "group"].tolist()
    colours = plots.group_colours(names)
    fig, ax = plots.new_figure()
    steps = disclosable_steps(km, rules=rules)
    for name in names:
        curve = steps.loc[(steps["group"] == name) & (steps["at_risk"] >= rules.min_percentage_denominator)]
        t = np.concatenate([[0.0], curve["time"].to_numpy()])
        s = np.concatenate([[1.0], curve["survival"].to_numpy()])
        ax.step(t, s, where="post", color=colours[name], label=str(name))
        if show_ci and len(curve):
            lo = np.concatenate([[1.0], curve["ci_low"].to_numpy()])
            hi = np.concatenate([[1.0], curve["ci_high"].to_numpy()])
            ax.fill_between(t, lo, hi, step="post", color=colours[name], alpha=0.15, linewidth=0)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if names:
        ax.legend()
    ax.set_title(title or "Kaplan–Meier estimates")
    return fig


def logrank_test(
    df: pd.DataFrame, *, duration: str, event: str, group: str, source: str = "the duration table"
) -> pd.DataFrame:
    """Log-rank test that survival is the same in every group.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group, n, observed, expected`` (events expected if
        all groups shared one hazard), and the test, the same on every row:
        ``chisq, df, p``.

    Notes
    -----
    The statistic is statsmodels' ``survdiff``; the expected counts are
    ``sum over event times of d_t n_gt / n_t``, as R's ``survdiff`` prints.

    Examples
    --------
    R survival's ``aml`` data (``survdiff(Surv(time, status) ~ x, data = aml)``):

    >>> import pandas as pd
    >>> aml = pd.DataFrame({
    ...     "time": [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161, 5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45],
    ...     "status": [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
    ...     "x": ["Maintained"] * 11 + ["Nonmaintained"] * 12})
    >>> logrank_test(aml, duration="time", event="status", group="x").round(4)
               group   n  observed  expected   chisq  df       p
    0     Maintained  11         7   10.6893  3.3964   1  0.0653
    1  Nonmaintained  12        11    7.3107  3.3964   1  0.0653
    """
    from statsmodels.duration.survfunc import survdiff

    data = _survival_frame(df, duration, event, [group], "logrank_test", source)
    if data[group].isna().any():
        raise ValueError(f"logrank_test: {group!r} has missing values; drop those rows or give them a group.")
    names = sorted(pd.unique(data[group]), key=str)
    if len(names) < 2:
        raise ValueError(f"logrank_test needs at least two groups in {group!r}; found {names}.")
    chisq, p = survdiff(data[duration].to_numpy(), data[event].to_numpy(), data[group].to_numpy())
    times = np.sort(pd.unique(data.loc[data[event] == 1, duration]))
    t = data[duration].to_numpy()
    at_risk_all = (t[None, :] >= times[:, None]).sum(axis=1)
    deaths_all = ((t[None, :] == times[:, None]) & (data[event].to_numpy()[None, :] == 1)).sum(axis=1)
    rows = []
    for name in names:
        mask = (data[group] == name).to_numpy()
        at_risk = (t[mask][None, :] >= times[:, None]).sum(axis=1)
        expected = float(np.sum(deaths_all * at_risk / at_risk_all))
        rows.append({"group": name, "n": int(mask.sum()), "observed": int(data.loc[mask, event].sum()), "expected": expected})
    out = pd.DataFrame(rows)
    out["chisq"] = float(chisq)
    out["df"] = len(names) - 1
    out["p"] = float(p)
    return out


def _design(
    df: pd.DataFrame, covariates: Sequence[str], reference_levels: Mapping[str, Any] | None
) -> pd.DataFrame:
    """Numeric design matrix: booleans as 0/1, categories as indicators against a reference level."""
    reference_levels = dict(reference_levels or {})
    unknown = set(reference_levels) - set(covariates)
    if unknown:
        raise ValueError(f"reference_levels names {', '.join(sorted(unknown))}, which are not covariates.")
    parts = []
    for column in covariates:
        values = df[column]
        if values.isna().any():
            raise ValueError(
                f"covariate {column!r} has {int(values.isna().sum())} missing value(s); drop those rows "
                "(df.dropna(subset=[...])) or fill them before fitting."
            )
        if pd.api.types.is_bool_dtype(values.dtype):
            parts.append(values.astype(float).rename(column))
        elif pd.api.types.is_numeric_dtype(values.dtype) and column not in reference_levels:
            parts.append(values.astype(float).rename(column))
        else:
            levels = list(values.cat.categories) if isinstance(values.dtype, pd.CategoricalDtype) else sorted(pd.unique(values), key=str)
            levels = [lv for lv in levels if (values == lv).any()]
            ref = reference_levels.get(column, levels[0])
            if ref not in levels:
                raise ValueError(f"reference level {ref!r} of {column!r} is not in the data (levels: {', '.join(map(str, levels))}).")
            for level in levels:
                if level != ref:
                    parts.append((values == level).astype(float).rename(f"{column}[{level}]"))
    if not parts:
        raise ValueError("cox_model needs at least one covariate.")
    design = pd.concat(parts, axis=1)
    constant = [c for c in design.columns if design[c].nunique() < 2]
    if constant:
        raise ValueError(f"covariate(s) {', '.join(constant)} take a single value in these data; remove them from the model.")
    return design


def _fit_cox(df, duration, event, covariates, ties, strata, reference_levels, source):
    from statsmodels.duration.hazard_regression import PHReg

    if ties not in ("efron", "breslow"):
        raise ValueError(f"ties must be 'efron' (as R coxph and lifelines) or 'breslow', not {ties!r}.")
    if isinstance(covariates, str):
        covariates = [covariates]
    data = _survival_frame(df, duration, event, [*covariates, strata], "cox_model", source)
    if strata is not None and data[strata].isna().any():
        raise ValueError(f"cox_model: strata column {strata!r} has missing values.")
    if data[event].sum() == 0:
        raise ValueError("cox_model: no events in the data, so hazards cannot be compared.")
    design = _design(data, covariates, reference_levels)
    model = PHReg(
        data[duration].to_numpy(),
        design,
        status=data[event].to_numpy(),
        ties=ties,
        strata=None if strata is None else data[strata].to_numpy(),
    )
    result = model.fit(disp=False)
    if not np.all(np.isfinite(result.params)) or not np.all(np.isfinite(result.bse)):
        raise ValueError(
            "cox_model: the fit did not converge (some estimates are infinite); a covariate may separate "
            "the events completely (e.g. a group with no events). Merge small groups or remove the covariate."
        )
    return data, design, result


def cox_model(
    df: pd.DataFrame,
    *,
    duration: str,
    event: str,
    covariates: Sequence[str],
    ties: str = "efron",
    strata: str | None = None,
    reference_levels: Mapping[str, Any] | None = None,
    alpha: float = 0.05,
    source: str = "the duration table",
) -> pd.DataFrame:
    """Cox proportional-hazards model: one row per covariate with its hazard ratio.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per person.
    duration, event : str
        Time (0 or more) and event indicator (1/True = event, 0/False = censored).
    covariates : sequence of str
        Numeric, True/False or categorical columns; a categorical column
        becomes indicators against its reference level.
    ties : {"efron", "breslow"}
        Handling of tied event times. Efron's method is R ``coxph``'s and
        lifelines' default (statsmodels defaults to Breslow).
    strata : str, optional
        Column of strata with separate baseline hazards (e.g. matched sets).
    reference_levels : mapping, optional
        Reference level per categorical covariate (default: first level).
    alpha : float
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        ``covariate, coef, hazard_ratio, se, ci_low, ci_high, p, n, events``;
        ``ci_low`` and ``ci_high`` are for the hazard ratio (Wald, on the log
        scale), ``p`` is the Wald test.

    Notes
    -----
    Fitted by statsmodels ``PHReg``.

    Examples
    --------
    R survival's ``aml`` data, ``coxph(Surv(time, status) ~ x, data = aml)``
    gives coef 0.9155, se 0.5119, p 0.0737:

    >>> import pandas as pd
    >>> aml = pd.DataFrame({
    ...     "time": [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161, 5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45],
    ...     "status": [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
    ...     "x": ["Maintained"] * 11 + ["Nonmaintained"] * 12})
    >>> fit = cox_model(aml, duration="time", event="status", covariates=["x"])
    >>> fit[["covariate", "coef", "hazard_ratio", "se", "p"]].round(4)
              covariate    coef  hazard_ratio      se       p
    0  x[Nonmaintained]  0.9155        2.4981  0.5119  0.0737
    """
    data, design, result = _fit_cox(df, duration, event, covariates, ties, strata, reference_levels, source)
    z = stats.norm.ppf(1 - alpha / 2)
    coef = np.asarray(result.params)
    se = np.asarray(result.bse)
    return pd.DataFrame({
        "covariate": list(design.columns),
        "coef": coef,
        "hazard_ratio": np.exp(coef),
        "se": se,
        "ci_low": np.exp(coef - z * se),
        "ci_high": np.exp(coef + z * se),
        "p": 2 * stats.norm.sf(np.abs(coef / se)),
        "n": len(data),
        "events": int(data[event].sum()),
    })


def proportional_hazards_test(
    df: pd.DataFrame,
    *,
    duration: str,
    event: str,
    covariates: Sequence[str],
    ties: str = "efron",
    strata: str | None = None,
    reference_levels: Mapping[str, Any] | None = None,
    time_transform: str = "rank",
    source: str = "the duration table",
) -> pd.DataFrame:
    """Check the proportional-hazards assumption, covariate by covariate (Grambsch & Therneau).

    For each covariate, the scaled Schoenfeld residuals at the event times are
    compared with a transform of time: if the hazard ratio drifts over time,
    they trend. A small ``p`` says the covariate's effect is not constant.

    Parameters
    ----------
    time_transform : {"rank", "identity", "log", "km"}
        ``g(t)``: the rank of the event times (the usual default), the times,
        their log, or 1 minus the Kaplan–Meier estimate (R's old ``cox.zph`` default).

    Returns
    -------
    pandas.DataFrame
        ``covariate, rho`` (correlation of the scaled residuals with g(t)),
        ``chisq`` (1 df), ``p``, ``time_transform``.

    Notes
    -----
    Scaled residuals are ``r* = beta + d V r`` (``d`` events, ``V`` the
    covariance of beta, ``r`` statsmodels' Schoenfeld residuals) and the test
    ``T = (sum (g - mean g) r*_j)^2 / (d V_jj sum (g - mean g)^2)``, the
    one-covariate-at-a-time score test of Grambsch & Therneau (1994) that
    lifelines' ``proportional_hazard_test`` and the original R ``cox.zph`` use.

    References
    ----------
    Grambsch PM, Therneau TM (1994), Proportional hazards tests and diagnostics
    based on weighted residuals, Biometrika 81, 515-526.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    data, design, result = _fit_cox(df, duration, event, covariates, ties, strata, reference_levels, source)
    mask = data[event].to_numpy() == 1
    residuals = np.asarray(result.schoenfeld_residuals)[mask]
    times = data[duration].to_numpy()[mask]
    V = np.asarray(result.cov_params())
    d = int(mask.sum())
    scaled = residuals @ V * d + np.asarray(result.params)
    if time_transform == "rank":
        g = stats.rankdata(times)
    elif time_transform == "identity":
        g = times.astype(float)
    elif time_transform == "log":
        if (times <= 0).any():
            raise ValueError("time_transform='log' needs event times above 0; use 'rank'.")
        g = np.log(times)
    elif time_transform == "km":
        fit = SurvfuncRight(data[duration].to_numpy(), data[event].to_numpy())
        # left-continuous KM (survival just before each event time), as lifelines and cox.zph use
        before = np.concatenate([[1.0], np.asarray(fit.surv_prob)[:-1]])
        g = 1 - before[np.searchsorted(np.asarray(fit.surv_times), times)]
    else:
        raise ValueError(f"time_transform must be 'rank', 'identity', 'log' or 'km', not {time_transform!r}.")
    gc = g - g.mean()
    numerator = (gc @ scaled) ** 2
    chisq = numerator / (d * np.diag(V) * np.sum(gc**2))
    rho = [np.corrcoef(g, scaled[:, j])[0, 1] if np.std(scaled[:, j]) > 0 else np.nan for j in range(scaled.shape[1])]
    return pd.DataFrame({
        "covariate": list(design.columns),
        "rho": rho,
        "chisq": chisq,
        "p": stats.chi2.sf(chisq, 1),
        "time_transform": time_transform,
    })


# --------------------------------------------------------------------------- mentoring


def mentoring_cohorts(snapshots: pd.DataFrame) -> pd.DataFrame:
    """Careers from each mentoring cohort's start: the newly mentored and everyone not yet mentored.

    For each census year in which someone is first flagged ``mentored``, the
    clock starts in that year (:func:`staff_careers` with ``start_year``) for
    everyone present and not mentored before it. Those first mentored that year
    are ``mentored``; the rest are candidates for comparison, and a candidate
    who is mentored in a later year is censored when mentoring begins (events
    in the years after that snapshot are not counted), so no mentored time is
    credited to the comparison group.

    Returns
    -------
    pandas.DataFrame
        :func:`staff_careers` columns plus ``cohort`` (the start year); a person
        can appear once per cohort as a candidate and once as mentored.

    Examples
    --------
    >>> import pandas as pd
    >>> staff = pd.DataFrame({"staff_id": ["a", "a", "a", "b", "b", "b"], "year": [2020, 2021, 2022] * 2,
    ...                       "grade": ["7", "7", "8", "7", "7", "8"], "ethnicity_group": ["Black"] * 6,
    ...                       "mentored": [False, True, True, False, False, True]})
    >>> m = mentoring_cohorts(prepare_snapshots(staff, grade_scale=["7", "8"]))
    >>> m[["cohort", "staff_id", "mentored", "years_to_promotion", "promoted"]]
       cohort staff_id  mentored  years_to_promotion  promoted
    0    2021        a      True                   1      True
    1    2021        b     False                   1      True
    2    2022        b      True                   0     False
    """
    s = _as_prepared(snapshots)
    flagged = s.loc[s["mentored"]]
    first_mentored = flagged.groupby("staff_id")["year"].min()
    if first_mentored.empty:
        raise ValueError("No one is flagged as mentored in the staff snapshots, so there are no mentoring cohorts.")
    pieces = []
    for cohort in sorted(pd.unique(first_mentored)):
        careers = staff_careers(s, start_year=int(cohort))
        began = careers["staff_id"].map(first_mentored)
        careers = careers.loc[began.isna() | (began >= cohort)].copy()
        began = careers["staff_id"].map(first_mentored)
        careers["mentored"] = (began == cohort).to_numpy()
        later = (began > cohort).to_numpy()
        limit = (began - cohort).to_numpy(dtype=float, na_value=np.inf)
        for time, flag in (("years_to_promotion", "promoted"), ("years_to_leaving", "left")):
            cut = later & (careers[time].to_numpy() > limit)
            careers.loc[cut, time] = limit[cut].astype(int)
            careers.loc[cut, flag] = False
        careers.insert(0, "cohort", int(cohort))
        pieces.append(careers)
    return pd.concat(pieces, ignore_index=True)


def matched_comparison(
    careers: pd.DataFrame,
    *,
    treatment: str = "mentored",
    on: Sequence[str] = ("cohort", "start_grade", "faculty", "first_year"),
) -> pd.DataFrame:
    """Mentored staff with comparison staff matched exactly on cohort, grade, faculty and start year.

    Every mentored person is kept with all non-mentored people who share their
    values of ``on`` (one matched set per combination); sets without both kinds
    are dropped.

    Parameters
    ----------
    careers : pandas.DataFrame
        :func:`mentoring_cohorts` (or :func:`staff_careers` with ``start_year``
        and ``on`` without ``cohort``), so both groups' clocks start together.
    treatment : str
        True/False column marking mentored staff.
    on : sequence of str
        Exact-matching columns (default: mentoring cohort, grade at the start,
        faculty, first year in the records).

    Returns
    -------
    pandas.DataFrame
        The matched rows with ``matched_set`` (an integer id), ``set_treated``,
        ``set_comparison`` and ``weight`` (1 for the mentored; for comparison
        staff, mentored ÷ comparison in the set, so each set's comparison group
        weighs as much as its mentored group). ``attrs["unmatched_treated"]``
        counts mentored people without a match.

    Examples
    --------
    >>> import pandas as pd
    >>> careers = pd.DataFrame({"staff_id": list("abcdef"), "mentored": [True, False, False, True, False, False],
    ...                         "start_grade": ["7", "7", "7", "8", "9", "8"], "faculty": ["Arts"] * 6,
    ...                         "first_year": [2020] * 6})
    >>> m = matched_comparison(careers, on=["start_grade", "faculty", "first_year"])
    >>> m[["staff_id", "mentored", "matched_set", "weight"]]
      staff_id  mentored  matched_set  weight
    0        a      True            0     1.0
    1        b     False            0     0.5
    2        c     False            0     0.5
    3        d      True            1     1.0
    4        f     False            1     1.0
    """
    on = list(on)
    _require_columns(careers, [treatment, *on], "matched_comparison")
    treated = careers[treatment]
    if treated.isna().any():
        raise ValueError(f"matched_comparison: {treatment!r} has missing values.")
    treated = treated.astype(bool)
    if not treated.any():
        raise ValueError(f"matched_comparison: no one has {treatment} True, so there is nothing to compare.")
    keys = careers[on].astype(str).agg("\x1f".join, axis=1)
    n_treated = treated.groupby(keys).transform("sum")
    n_control = (~treated).groupby(keys).transform("sum")
    keep = (n_treated > 0) & (n_control > 0)
    out = careers.loc[keep].copy()
    set_ids = {k: i for i, k in enumerate(pd.unique(keys[keep]))}
    out["matched_set"] = keys[keep].map(set_ids).astype(int)
    out["set_treated"] = n_treated[keep].astype(int)
    out["set_comparison"] = n_control[keep].astype(int)
    out["weight"] = np.where(treated[keep], 1.0, out["set_treated"] / out["set_comparison"])
    out = out.sort_values(["matched_set", treatment], ascending=[True, False], kind="stable")
    out = out.loc[:, [c for c in careers.columns] + ["matched_set", "set_treated", "set_comparison", "weight"]]
    out = out.sort_index(kind="stable").sort_values("matched_set", kind="stable").reset_index(drop=True)
    out.attrs["unmatched_treated"] = int((treated & ~keep).sum())
    out.attrs["matched_on"] = on
    return out


def mentoring_effect(
    matched: pd.DataFrame,
    *,
    duration: str = "years_to_promotion",
    event: str = "promoted",
    treatment: str = "mentored",
    covariates: Sequence[str] = (),
    ties: str = "efron",
    alpha: float = 0.05,
    reference_levels: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Hazard ratio of the event for mentored vs matched comparison staff.

    A Cox model stratified by matched set (each set has its own baseline
    hazard, so grade, faculty and start year are compared like with like),
    with the mentored flag and any further ``covariates``.

    Returns
    -------
    pandas.DataFrame
        As :func:`cox_model`; the ``treatment`` row is the mentoring effect
        (hazard ratio above 1: promoted sooner).
    """
    _require_columns(matched, ["matched_set", treatment], "mentoring_effect")
    data = matched.copy()
    data[treatment] = data[treatment].astype(bool)
    return cox_model(
        data,
        duration=duration,
        event=event,
        covariates=[treatment, *covariates],
        ties=ties,
        strata="matched_set",
        alpha=alpha,
        reference_levels=reference_levels,
    )
