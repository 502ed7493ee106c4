"""Reliability of a scale: Cronbach's alpha with Feldt's confidence interval.

:func:`cronbach_alpha` takes a block of items (one column per item, already
keyed in one direction); :func:`alpha_confidence_interval` is Feldt's interval
for a coefficient alpha computed elsewhere. The instrument-aware wrapper that
reverse-keys items first is :func:`rmresearch.surveys.reliability`.
"""

from __future__ import annotations

import math

import pandas as pd
from scipy import stats

from ..errors import AnalysisError

__all__ = ["alpha_confidence_interval", "cronbach_alpha", "check_significance"]


def check_significance(alpha: float) -> None:
    """Refuse a significance level outside (0, 0.5): ``alpha=0.95`` is a confidence level given where a significance
    level belongs (the parameter was ``ci=0.95`` before)."""
    if not 0 < alpha < 0.5:
        raise AnalysisError(f"alpha is the significance level, above 0 and below 0.5 (alpha=0.05 gives a 95% interval), "
                            f"not {alpha}.")


def alpha_confidence_interval(coefficient: float, *, n: int, k: int, alpha: float = 0.05) -> tuple[float, float]:
    """Feldt's confidence interval for coefficient alpha.

    Parameters
    ----------
    coefficient
        Cronbach's alpha of the scale.
    n, k
        Respondents (complete responses) and items.
    alpha
        Significance level: 0.05 gives the 95% interval.

    Notes
    -----
    ``1 - (1 - coefficient) * F`` at the ``1 - alpha/2`` and ``alpha/2``
    quantiles of the F distribution with ``n - 1`` and ``(n - 1)(k - 1)``
    degrees of freedom (Feldt, Woodruff & Salih, 1987, formulas 6 and 7; the
    method of R's ``cocron::cronbach.alpha.CI`` and of pingouin's
    ``cronbach_alpha``). Fewer than two respondents or items give NaN.

    Examples
    --------
    >>> [round(v, 4) for v in alpha_confidence_interval(0.85, n=89, k=7)]
    [0.7971, 0.8932]
    >>> [round(v, 4) for v in alpha_confidence_interval(0.85, n=89, k=7, alpha=0.10)]
    [0.8066, 0.8871]
    """
    check_significance(alpha)
    if n < 2 or k < 2:
        return (float("nan"), float("nan"))
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = alpha / 2
    return (float(1 - (1 - coefficient) * stats.f.ppf(1 - tail, df1, df2)),
            float(1 - (1 - coefficient) * stats.f.ppf(tail, df1, df2)))


def cronbach_alpha(items: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Cronbach's alpha for a block of items (one column per item), with Feldt's CI.

    Respondents with any missing item are left out (listwise deletion), so
    ``n`` is the number of complete responses. Items should already be keyed
    in one direction (see :func:`rmresearch.surveys.reliability`, which
    reverse-keys for you). ``alpha`` is the significance level of the interval
    (0.05: 95%); the coefficient is the ``alpha`` column of the result.

    Returns
    -------
    DataFrame
        One row: ``alpha, ci_low, ci_high, n, k``.

    Notes
    -----
    ``alpha = k / (k - 1) * (1 - sum(item variances) / variance(total))`` with
    sample variances (ddof = 1); the interval is
    :func:`alpha_confidence_interval`. Fewer than two complete responses or
    two items, or a total with no variance, give NaN.

    Examples
    --------
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 4], "c": [1, 3, 3, 4, 5]})
    >>> cronbach_alpha(items).round(4)
        alpha  ci_low  ci_high  n  k
    0  0.9451  0.7225   0.9939  5  3
    """
    if not isinstance(items, pd.DataFrame):
        raise AnalysisError(f"cronbach_alpha expects a DataFrame with one column per item, not {type(items).__name__}.")
    check_significance(alpha)
    block = items.apply(pd.to_numeric, errors="coerce").dropna()
    n, k = block.shape
    coefficient = float("nan")
    if n >= 2 and k >= 2:
        total_var = block.sum(axis=1).var(ddof=1)
        if total_var > 0:
            coefficient = float(k / (k - 1) * (1 - block.var(ddof=1).sum() / total_var))
    low, high = (float("nan"), float("nan"))
    if not math.isnan(coefficient):
        low, high = alpha_confidence_interval(coefficient, n=n, k=k, alpha=alpha)
    return pd.DataFrame([{"alpha": coefficient, "ci_low": low, "ci_high": high, "n": int(n), "k": int(k)}])
