"""Cox proportional-hazards models and the check of their proportional-hazards assumption.

Fitted by statsmodels ``PHReg`` with Efron's method for tied times by
default, as R's ``coxph`` and lifelines do; the assumption is checked with
:func:`rmresearch.stats.survival.cox_zph` under the fit's own ties method.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import AnalysisError
from ..stats.design import design_matrix
from ..stats.survival import _check_ties, cox_zph
from .survival import _survival_frame

__all__ = ["cox_model", "proportional_hazards_test", "merged_levels_lines"]


def _merge_sparse(data, covariates, event, reference_levels, min_level_n):
    """Merge the levels of each categorical covariate with fewer than ``min_level_n`` people or no events (or only)."""
    from ..stats.design import merge_sparse_levels

    merges = []
    if min_level_n is None:
        return data, merges
    data = data.copy()
    for column in covariates:
        values = data[column]
        if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
            continue
        merged, how = merge_sparse_levels(values, column=column, min_n=int(min_level_n), outcome=data[event])
        if how is None or (reference_levels or {}).get(column) in how.levels:
            continue  # nothing sparse, or the reference group itself: the fit says why it cannot run
        data[column] = merged
        merges.append(how)
    return data, merges


def _fit_cox(df, duration, event, covariates, ties, strata, reference_levels, source, min_level_n=None):
    from statsmodels.duration.hazard_regression import PHReg

    _check_ties(ties)
    if isinstance(covariates, str):
        covariates = [covariates]
    data = _survival_frame(df, duration, event, [*covariates, strata], "cox_model", source)
    if strata is not None and data[strata].isna().any():
        raise AnalysisError(f"cox_model: strata column {strata!r} of {source} has missing values; drop those rows or give them a stratum.")
    if data[event].sum() == 0:
        raise AnalysisError(f"cox_model: no one in {source} has {event!r} (no events), so hazards cannot be compared.")
    data, merges = _merge_sparse(data, covariates, event, reference_levels, min_level_n)
    design = design_matrix(data, covariates, reference=reference_levels, what=f"cox_model ({source})")
    design.attrs["merged"] = merges
    _check_events_by_level(design, data[event].to_numpy(), event)
    model = PHReg(
        data[duration].to_numpy(),
        design,
        status=data[event].to_numpy(),
        ties=ties,
        strata=None if strata is None else data[strata].to_numpy(),
    )
    result = _fit_quietly(model, event)
    return data, design, result


_NOT_CONVERGED = ("cox_model: the model of {event!r} did not converge ({why}), so no hazard ratio can be given; "
                  "a covariate may separate the events almost completely (a group with very few events). "
                  "Merge small groups or remove the covariate.")


def _check_events_by_level(design: pd.DataFrame, events: np.ndarray, event: str) -> None:
    """Refuse an indicator covariate whose rows have no events, or all of whose events it holds (separation).

    Its hazard ratio would be 0 or infinite: the fit drifts until it stops, statsmodels warns that it did
    not converge, and an estimate with a huge standard error would be shown.
    """
    from ..display import readable_value

    happened = np.asarray(events, dtype=bool)
    for column in design.columns:
        name = readable_value(str(column))
        values = design[column].to_numpy(dtype=float)
        if not np.isin(values, (0.0, 1.0)).all():
            continue  # a numeric covariate
        inside = values == 1.0
        if not happened[inside].any():
            raise AnalysisError(f"cox_model: no one with {name} has {event!r} (no events in that group), so its "
                                "hazard ratio would be 0 and cannot be estimated; merge the group with another "
                                "or wait for more follow-up.")
        if not happened[~inside].any():
            raise AnalysisError(f"cox_model: every event of {event!r} is in {name} (none in the comparison rows), "
                                "so its hazard ratio would be infinite and cannot be estimated.")


def _fit_quietly(model, event: str):
    """``model.fit()`` with statsmodels' warnings turned into an AnalysisError (never a non-converged estimate)."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        warnings.simplefilter("always")
        try:
            result = model.fit(disp=False)
            params, bse = np.asarray(result.params, dtype=float), np.asarray(result.bse, dtype=float)
        except np.linalg.LinAlgError:
            raise AnalysisError(_NOT_CONVERGED.format(event=event, why="its information matrix is singular")) from None
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        raise AnalysisError(_NOT_CONVERGED.format(event=event, why="the likelihood was still changing when it stopped"))
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(bse))):
        raise AnalysisError(_NOT_CONVERGED.format(event=event, why="some estimates are infinite"))
    if caught:  # any other warning (overflow in exp, a division by zero): not a result to show
        raise AnalysisError(_NOT_CONVERGED.format(event=event, why=f"statsmodels warned: {caught[0].message}"))
    return result


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
    min_level_n: int | None = None,
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
    min_level_n : int, optional
        Merge the levels of a categorical covariate with fewer people than this, or whose people all had the event
        or none did (:func:`rmresearch.stats.design.merge_sparse_levels`: into ``Other/merged``), so that a small
        group without promotions does not stop the model; the reference level is never merged. The merges are
        listed in ``attrs["merged"]`` (say so under the table: :func:`rmresearch.stats.design.merge_sentences`).
        Default: no merging.

    Returns
    -------
    pandas.DataFrame
        ``covariate, coef, hazard_ratio, se, ci_low, ci_high, p_value, n, events``;
        ``ci_low`` and ``ci_high`` are for the hazard ratio (Wald, on the log
        scale), ``p_value`` is the Wald test.

    Raises
    ------
    rmresearch.errors.AnalysisError
        No events; a group (an indicator) without events, or holding every event; a fit that does not converge
        (statsmodels' ConvergenceWarning, a singular information matrix, an infinite estimate or interval). No
        warning is let through and no estimate of a fit that did not converge is returned.

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
    >>> fit[["covariate", "coef", "hazard_ratio", "se", "p_value"]].round(4)
              covariate    coef  hazard_ratio      se  p_value
    0  x[Nonmaintained]  0.9155        2.4981  0.5119   0.0737
    """
    data, design, result = _fit_cox(df, duration, event, covariates, ties, strata, reference_levels, source, min_level_n)
    z = stats.norm.ppf(1 - alpha / 2)
    coef = np.asarray(result.params)
    se = np.asarray(result.bse)
    with np.errstate(over="ignore"):
        ratio, low, high = np.exp(coef), np.exp(coef - z * se), np.exp(coef + z * se)
    if not np.all(np.isfinite(high)) or np.any(low <= 0):
        raise AnalysisError(_NOT_CONVERGED.format(event=event, why="a 95% interval runs out to 0 or infinity"))
    fit = pd.DataFrame({
        "covariate": list(design.columns),
        "coef": coef,
        "hazard_ratio": ratio,
        "se": se,
        "ci_low": low,
        "ci_high": high,
        "p_value": 2 * stats.norm.sf(np.abs(coef / se)),
        "n": len(data),
        "events": int(data[event].sum()),
    })
    fit.attrs["merged"] = design.attrs["merged"]
    fit.attrs["min_level_n"] = min_level_n
    return fit


def merged_levels_lines(fit: pd.DataFrame, *, round_to: int = 5, who: str = "staff") -> list[str]:
    """Markdown list items saying which sparse levels :func:`cox_model` merged (``min_level_n``), people rounded.

    >>> import pandas as pd
    >>> from rmresearch.stats.design import Merge
    >>> fit = pd.DataFrame({"covariate": ["ethnicity_group[Other/merged]"]})
    >>> fit.attrs.update(merged=[Merge("ethnicity_group", ("Mixed", "Other"), "Other/merged", 44)], min_level_n=23)
    >>> merged_levels_lines(fit)
    ["- Ethnicity group: Mixed and Other (about 45 staff) are merged into 'Other/merged' in the model, because a level with fewer than 23 staff, or whose staff all had the same outcome, cannot be estimated."]
    """
    from ..stats.design import merge_sentences

    merges = fit.attrs.get("merged") or []
    if not merges:
        return []
    return [f"- {line}" for line in merge_sentences(merges, min_n=fit.attrs.get("min_level_n"), round_to=round_to,
                                                    who=who)]


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
    min_level_n: int | None = None,
) -> pd.DataFrame:
    """Check the proportional-hazards assumption, covariate by covariate (Grambsch & Therneau).

    Fits :func:`cox_model`'s model and, for each of its coefficients, tests
    whether the effect drifts with a transform of time: the score test of R
    survival's ``cox.zph`` (:func:`rmresearch.stats.survival.cox_zph`), with
    residuals under the fit's own ``ties`` method. A small ``p_value`` says
    the covariate's effect is not constant.

    Parameters
    ----------
    duration, event, covariates, ties, strata, reference_levels, source, min_level_n
        As :func:`cox_model`.
    time_transform : {"rank", "identity", "log", "km"}
        ``g(t)``: the rank of the times (ties averaged, over all rows, as R),
        the times, their log, or 1 minus the left-continuous Kaplan–Meier
        estimate (R's ``cox.zph`` default).

    Returns
    -------
    pandas.DataFrame
        ``covariate, rho`` (correlation of the scaled Schoenfeld residuals
        with g(t) at the event times), ``chisq`` (1 df), ``p_value``,
        ``time_transform``.

    Notes
    -----
    The same numbers as ``cox.zph(coxph(..., ties = ties), transform,
    terms = FALSE)`` in R survival 3 (pinned in the tests); for a
    categorical covariate each indicator is tested on its own.

    Examples
    --------
    R survival's ``aml`` data: ``cox.zph(coxph(Surv(time, status) ~ x, data = aml), transform = "rank")``
    gives chisq 0.000421, p 0.98:

    >>> import pandas as pd
    >>> aml = pd.DataFrame({
    ...     "time": [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161, 5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45],
    ...     "status": [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
    ...     "x": ["Maintained"] * 11 + ["Nonmaintained"] * 12})
    >>> proportional_hazards_test(aml, duration="time", event="status", covariates=["x"])[["chisq", "p_value"]].round(4)
        chisq  p_value
    0  0.0004   0.9836
    """
    data, design, result = _fit_cox(df, duration, event, covariates, ties, strata, reference_levels, source, min_level_n)
    test = cox_zph(data[duration], data[event], design, result.params, ties=ties, transform=time_transform,
                   strata=None if strata is None else data[strata].to_numpy())
    return test.assign(time_transform=time_transform)
