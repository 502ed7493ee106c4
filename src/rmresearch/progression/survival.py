"""Time to an event: Kaplan–Meier curves and the log-rank test (statsmodels, checked input)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import AnalysisError, Problem, ValidationError
from ._common import _list_rows, _require_columns, _rows

__all__ = ["kaplan_meier", "logrank_test"]


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
        raise AnalysisError(f"conf_type must be 'log', 'log-log' or 'plain', not {conf_type!r}.")
    data = _survival_frame(df, duration, event, [group], "kaplan_meier", source)
    if not data[event].any():
        raise AnalysisError(f"kaplan_meier: no one in {source} has {event!r} yet (every time is censored), so there is "
                            "no curve to draw; it needs records that follow people until some have the event.")
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


def logrank_test(
    df: pd.DataFrame, *, duration: str, event: str, group: str, source: str = "the duration table"
) -> pd.DataFrame:
    """Log-rank test that survival is the same in every group.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group, n, observed, expected`` (events expected if
        all groups shared one hazard), and the test, the same on every row:
        ``chisq, df, p_value``.

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
               group   n  observed  expected   chisq  df  p_value
    0     Maintained  11         7   10.6893  3.3964   1   0.0653
    1  Nonmaintained  12        11    7.3107  3.3964   1   0.0653
    """
    from statsmodels.duration.survfunc import survdiff

    data = _survival_frame(df, duration, event, [group], "logrank_test", source)
    if data[group].isna().any():
        raise AnalysisError(f"logrank_test: {group!r} has missing values; drop those rows or give them a group.")
    names = sorted(pd.unique(data[group]), key=str)
    if len(names) < 2:
        raise AnalysisError(f"logrank_test needs at least two groups in {group!r}; found {names}.")
    if not data[event].any():
        raise AnalysisError(f"logrank_test: no one in {source} has {event!r} yet (every time is censored), so "
                            "there are no events to compare between the groups.")
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            chisq, p = survdiff(data[duration].to_numpy(), data[event].to_numpy(), data[group].to_numpy())
    except np.linalg.LinAlgError:
        raise AnalysisError(f"logrank_test: the groups of {group!r} cannot be compared (the test's variance is "
                            "singular: a group has no one at risk at any event time).") from None
    if not np.isfinite(chisq):
        raise AnalysisError(f"logrank_test: the test statistic for {group!r} is undefined (no variance in the "
                            "events between groups).")
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
    out["p_value"] = float(p)
    return out
