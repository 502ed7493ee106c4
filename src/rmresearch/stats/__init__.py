"""Statistical building blocks shared across the analyses (wrapping statsmodels).

- :mod:`rmresearch.stats.intervals`: Wilson intervals for a rate, Newcombe's
  interval for a difference of two rates, Katz's log interval for their ratio;
- :mod:`rmresearch.stats.exact`: the small-count rule and what replaces those on
  small counts (mid-p and Clopper-Pearson rate intervals, Fisher's mid-p test,
  Koopman's ratio interval);
- :mod:`rmresearch.stats.design`: the one design-matrix encoder (numeric,
  yes/no and categorical covariates, one documented base-level rule);
- :mod:`rmresearch.stats.matching`: exact-matching weights (the effect on the
  treated);
- :mod:`rmresearch.stats.reliability`: Cronbach's alpha with Feldt's interval;
- :mod:`rmresearch.stats.survival`: Schoenfeld residuals under Efron or Breslow
  ties and R's ``cox.zph`` score test of proportional hazards;
- :mod:`rmresearch.stats.power`: the smallest change or difference a cohort of
  this size could have detected (power 0.8, two-sided 0.05);
- :mod:`rmresearch.stats.pooling`: partially pooled estimates across cohorts
  (a rate: BinomialBayesMixedGLM with a cohort random intercept; an estimate
  with a standard error: empirical Bayes, DerSimonian-Laird tau^2).

Import from the submodules; :func:`wilson_interval` is re-exported here because
it was ``rmresearch.stats.wilson_interval`` before the package existed.
"""

from __future__ import annotations

from .intervals import wilson_interval

__all__ = ["wilson_interval"]
