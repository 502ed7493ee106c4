"""Small statistical helpers shared across analyses (wrapping statsmodels)."""

from __future__ import annotations

import numpy as np

__all__ = ["wilson_interval"]


def wilson_interval(successes, n, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions, vectorised; NaN where ``n`` is 0.

    Examples
    --------
    >>> low, high = wilson_interval([81], [263])   # Newcombe (1998), Table I: 0.2553 to 0.3662
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.2553, 0.3662)
    """
    from statsmodels.stats.proportion import proportion_confint

    successes = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    low = np.full(successes.shape, np.nan)
    high = np.full(successes.shape, np.nan)
    ok = n > 0
    if ok.any():
        low[ok], high[ok] = proportion_confint(successes[ok], n[ok], alpha=alpha, method="wilson")
    return low, high
