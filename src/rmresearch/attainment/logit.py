"""The logistic regression behind the adjusted gap, the decompositions and the propensity score."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from ..errors import AnalysisError
from ._common import _excluded, _known_group, _require, unknown_reason
from .groups import _outcome

_LOGIT_CLASS = None


def _logit_class():
    """statsmodels ``Logit`` with memory-light, chunked likelihood derivatives.

    The maths is statsmodels' (same model, Newton's method, same results
    object); only the arithmetic is arranged for millions of rows: the linear
    predictor is computed once per parameter vector, the Hessian is accumulated
    in chunks (``X' W X`` without an n x k temporary) and the rank check is done
    on ``X' X`` instead of a QR decomposition of the data.
    """
    global _LOGIT_CLASS
    if _LOGIT_CLASS is not None:
        return _LOGIT_CLASS
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    class ChunkedLogit(sm.Logit):
        chunk = 1 << 18

        def _linear(self, params):
            params = np.asarray(params, dtype=np.float64)
            key = params.tobytes()
            if getattr(self, "_eta_key", None) != key:
                self._eta = self.exog @ params
                self._p = special.expit(self._eta)
                self._eta_key = key
            return self._eta, self._p

        def loglike(self, params):
            eta, _ = self._linear(params)
            return float(-np.logaddexp(0.0, np.where(self.endog > 0, -eta, eta)).sum())

        def score(self, params):
            _, p = self._linear(params)
            return (self.endog - p) @ self.exog

        def hessian(self, params):
            _, p = self._linear(params)
            w = p * (1.0 - p)
            X = self.exog
            k = X.shape[1]
            H = np.zeros((k, k))
            for start in range(0, X.shape[0], self.chunk):
                Xc = X[start:start + self.chunk]
                H -= Xc.T @ (Xc * w[start:start + self.chunk, None])
            return H

        def _check_perfect_pred(self, params, *args):
            _, p = self._linear(params)
            if np.all(np.abs(p - self.endog) < 1e-8):
                warnings.warn("Perfect separation or prediction detected", PerfectSeparationWarning, stacklevel=2)

    _LOGIT_CLASS = ChunkedLogit
    return ChunkedLogit


def _fit_logit(y: np.ndarray, X: np.ndarray, what: str, names: list[str], merged: bool = False):
    """statsmodels ``Logit`` by Newton's method on a numpy design (no formula parsing, no copies of the frame).

    ``merged``: sparse levels were merged already (the messages say so, and do not suggest it again).
    """
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    after = " after merging sparse levels" if merged else ""
    advice = "drop a covariate or set fewer covariates" if merged else "merge small levels or drop a covariate"

    zero_cols = [names[j] for j in range(1, X.shape[1]) if not X[:, j].any()]
    if zero_cols:
        raise AnalysisError(f"{what}: column(s) {', '.join(zero_cols)} have no students; drop the level or covariate.")
    if y.all() or not y.any():
        raise AnalysisError(f"{what}: every student has the same outcome ({bool(y[0])}), so no model can be fitted.")
    xtx = np.zeros((X.shape[1], X.shape[1]))
    for start in range(0, X.shape[0], 1 << 18):
        Xc = X[start:start + (1 << 18)]
        xtx += Xc.T @ Xc
    if np.linalg.matrix_rank(xtx) < X.shape[1]:
        raise AnalysisError(
            f"{what}: the covariates are collinear (e.g. a faculty that only one group attends, or a covariate "
            f"that is a combination of others: terms {', '.join(names)}); drop or merge covariates."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            model = _logit_class()(y.astype(np.float64), X, check_rank=False)
            result = model.fit(method="newton", disp=False, maxiter=100)
        except (PerfectSeparationWarning, np.linalg.LinAlgError) as exc:
            raise AnalysisError(
                f"{what}: the logistic regression cannot be estimated{after} ({exc}). A covariate level or a group may "
                "predict the outcome perfectly (e.g. every student in it has good honours), or covariates are "
                "collinear: merge small levels (faculties, bands) or drop a covariate."
            ) from None
    if not result.mle_retvals.get("converged", True) or not np.all(np.isfinite(result.params)):
        raise AnalysisError(f"{what}: the logistic regression did not converge{after}; {advice}.")
    return result


def _group_ames(X: np.ndarray, beta: np.ndarray, cov: np.ndarray, group_cols: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Average marginal effects of each group dummy (vs the base group) and delta-method SEs.

    For group g the AME is mean_i [F(x_i^(g) b) - F(x_i^(0) b)], where x_i^(g) is
    student i's row with the group dummies set to group g (all zero for the base
    group). Returns (ame, se, mean p under base, mean p under each group).
    """
    eta = X @ beta
    eta_base = eta - X[:, group_cols] @ beta[group_cols]
    other = np.setdiff1d(np.arange(X.shape[1]), group_cols)
    p0 = special.expit(eta_base)
    d0 = p0 * (1 - p0)
    n = X.shape[0]
    g0 = (d0 @ X)[other] / n
    ames, ses, pg_means = [], [], []
    for col in group_cols:
        pg = special.expit(eta_base + beta[col])
        dg = pg * (1 - pg)
        grad = np.zeros(X.shape[1])
        grad[other] = (dg @ X)[other] / n - g0
        grad[col] = dg.mean()
        ames.append(pg.mean() - p0.mean())
        ses.append(math.sqrt(max(grad @ cov @ grad, 0.0)))
        pg_means.append(pg.mean())
    return np.array(ames), np.array(ses), p0.mean(), np.array(pg_means)


def _prepare_model_sample(
    students: pd.DataFrame,
    *,
    group: str,
    covariates: Sequence[str],
    outcome: str | None,
    good: Sequence[str],
    what: str,
    groups: Sequence[str] | None = None,
    numeric: bool = False,
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    _require(students, [group] + list(covariates), what)
    y, why = _outcome(students, outcome, good, what, numeric=numeric)
    has_y = y.notna().to_numpy()
    known = _known_group(students[group])
    in_groups = np.ones(len(students), dtype=bool) if groups is None else students[group].isin(list(groups)).to_numpy()
    complete = np.ones(len(students), dtype=bool)
    for cov in covariates:
        complete &= students[cov].notna().to_numpy()
    keep = has_y & known & in_groups & complete
    excluded = _excluded(
        **{why.replace(" ", "_"): int((~has_y).sum())},
        **{unknown_reason(group): int((has_y & ~known).sum())},
        missing_covariates=int((has_y & known & in_groups & ~complete).sum()),
    )
    return (y.to_numpy(dtype=float, na_value=np.nan) if numeric else y.to_numpy(dtype=bool, na_value=False)), keep, excluded
