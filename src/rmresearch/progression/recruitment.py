"""The recruitment funnel: applied, shortlisted, appointed, with the rate at each step."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import Problem, ValidationError
from ._common import _list_rows, _require_columns, _rows
from .snapshots import grade_ranks

__all__ = ["recruitment_funnel", "load_recruitment", "recruitment_characteristic", "recruitment_groups",
           "recruitment_problems"]


def recruitment_funnel(
    recruitment: pd.DataFrame,
    *,
    group: str | None = "ethnicity_group",
    by: Sequence[str] = (),
    grade_scale: Sequence[str] | None = None,
    source: str = "recruitment table",
) -> pd.DataFrame:
    """Applied → shortlisted → appointed, with the rate at each step, by group.

    Parameters
    ----------
    recruitment : pandas.DataFrame
        Counts by year, post grade and group (schema ``recruitment``).
    group : str or None
        The group column (the recruitment characteristic's ``group_column``); ``None`` checks and sums the counts
        by ``by`` alone (``rmresearch validate`` checks the funnel whatever it is broken down by).
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
    keys = [*by, *([group] if group is not None else [])]
    _require_columns(recruitment, [*keys, *steps], "recruitment_funnel")
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
    if keys:
        table = recruitment.groupby(keys, observed=True)[steps].sum().reset_index()
    else:
        table = recruitment[steps].sum().to_frame().T.reset_index(drop=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["shortlisting_rate"] = np.where(table["applied"] > 0, table["shortlisted"] / table["applied"], np.nan)
        table["appointment_rate"] = np.where(table["shortlisted"] > 0, table["appointed"] / table["shortlisted"], np.nan)
        table["conversion_rate"] = np.where(table["applied"] > 0, table["appointed"] / table["applied"], np.nan)
    return table


def recruitment_characteristic(config, recruitment: pd.DataFrame):
    """The characteristic the recruitment counts are broken down by: the cohort's focus when the table holds its
    group column (``ethnicity_group``, ``disability_group``), else the first of the cohort's characteristics (then
    intersections) whose group column it holds.

    Raises
    ------
    AnalysisError
        The table holds none of them: names the columns it could have, so a section becomes a note.
    """
    from ..errors import AnalysisError

    focus = config.focus
    candidates = [focus, *config.characteristics.values(), *getattr(config, "intersections", ())]
    for ch in candidates:
        if ch.group_column in recruitment.columns:
            return ch
    wanted = ", ".join(dict.fromkeys(ch.group_column for ch in candidates))
    raise AnalysisError(f"The recruitment records hold no group column of the cohort's characteristics ({wanted}); "
                        "give the counts by one of them.")


#: Spellings of "not known" a recruitment export may use for a group: counted as Unknown, never dropped.
_NOT_KNOWN = ("unknown", "not known", "prefer not to say", "information refused", "not available", "refused")


def _key(value) -> str:
    return " ".join(str(value).replace("_", " ").split()).casefold()


def recruitment_groups(recruitment: pd.DataFrame, ch, *, source: str = "recruitment table") -> tuple[pd.Series, list]:
    """The group of each row of the recruitment counts, spelled as the characteristic ``ch`` spells it, and the
    problems: a value that is none of its groups (in any case or spacing; a display label counts too) is an error
    naming the value, its rows and the groups allowed. Blank and not-known spellings are ``Unknown``.

    >>> import pandas as pd
    >>> from rmresearch.characteristics import read_options
    >>> ch = read_options({"disability": {"column": "d", "code_list": "disability"}}, "c.yml")["disability"]
    >>> groups, problems = recruitment_groups(pd.DataFrame({"disability_group": ["disabled", "No known  disability",
    ...                                                     None, "Prefer not to say"]}), ch)
    >>> groups.tolist(), problems
    (['Disabled', 'No known disability', 'Unknown', 'Unknown'], [])
    >>> print(recruitment_groups(pd.DataFrame({"disability_group": ["Disabled", "Impaired"]}), ch)[1][0].message)
    'Impaired' is not a disability group (rows 3); the groups are No known disability, Disabled, Unknown
    """
    column = ch.group_column
    names = list(ch.group_names())
    lookup = {_key(g): g for g in names}
    lookup.update({_key(ch.label(g)): g for g in names})
    lookup.update({k: "Unknown" for k in _NOT_KNOWN})
    values = recruitment[column]
    blank = values.isna() | (values.astype(str).str.strip() == "")
    out = values.map(lambda v: lookup.get(_key(v))).where(~blank, "Unknown")
    problems = []
    bad = out.isna().to_numpy()
    if bad.any():
        rows = _rows(recruitment)
        title = str(getattr(ch, "title", "") or ch.name).lower()
        for value in pd.unique(values[bad]):
            these = rows[(values == value).to_numpy() & bad]
            problems.append(Problem(source, f"{str(value)!r} is not a {title} group (rows {_list_rows(these)}); the "
                                            f"groups are {', '.join(names)}", row=int(these[0]), column=column))
    return out.astype(object), problems


def recruitment_problems(config, recruitment: pd.DataFrame, *, source: str = "recruitment table") -> list:
    """What ``rmresearch validate`` says of the recruitment counts' groups: a warning when they are by none of the
    cohort's characteristics (the recruitment sections will be notes), errors for values that are no group."""
    from ..errors import AnalysisError

    try:
        ch = recruitment_characteristic(config, recruitment)
    except AnalysisError as exc:
        return [Problem(source, str(exc).rstrip("."), severity="warning")]
    return recruitment_groups(recruitment, ch, source=source)[1]


def load_recruitment(config) -> pd.DataFrame:
    """The cohort's recruitment counts with an ``aggregate_group`` column; the requirement of a report section.

    The counts are by the group column of one of the cohort's characteristics (:func:`recruitment_characteristic`:
    the focus when present), each value spelled as the characteristic spells it (:func:`recruitment_groups`; a
    value that is none of its groups raises ValidationError); ``aggregate_group`` is that characteristic's
    reference, aggregate or Unknown, and ``attrs["characteristic"]`` its name. Inside a :func:`rmresearch.sections.unit`, a cohort file without a
    ``recruitment`` input becomes that section's note (:func:`rmresearch.sections.require`) and the rest of the
    notebook still runs.
    """
    from .. import sections
    from ..inputs import load_table
    from .snapshots import aggregate_groups

    sections.require(config, "recruitment")
    recruitment = load_table(config, "recruitment", keep_row_numbers=True)
    ch = recruitment_characteristic(config, recruitment)
    groups, problems = recruitment_groups(recruitment, ch, source=str(config.input_path("recruitment")))
    if problems:
        raise ValidationError(problems)
    recruitment[ch.group_column] = groups
    recruitment["aggregate_group"] = aggregate_groups(groups, reference=ch.reference, label=ch.aggregate)
    recruitment.attrs["characteristic"] = ch.name
    return recruitment
