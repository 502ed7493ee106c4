"""Kingston-style value added: observed over expected good honours."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..codes import DEFAULT_GOOD_HONOURS
from ..errors import AnalysisError
from ..stats.intervals import wilson_interval
from ._common import (DEFAULT_TARIFF_BANDS, _alpha, _attach, _check_frame, _excluded, _known_group, _require,
                      unknown_reason)
from .groups import _outcome, tariff_band

__all__ = ["value_added"]


def value_added(
    students: pd.DataFrame,
    *,
    group: str = "ethnicity_group",
    reference: str | None = "White",
    tariff: str = "tariff",
    subject: str = "subject",
    bands: Sequence[float] = DEFAULT_TARIFF_BANDS,
    baseline: pd.Series | np.ndarray | None = None,
    alpha: float = 0.05,
    good: Sequence[str] = DEFAULT_GOOD_HONOURS,
) -> pd.DataFrame:
    """Kingston-style value added: observed good-honours rate / rate expected from entry tariff x subject.

    Each student's expected probability of good honours is the good-honours
    rate of baseline students in the same tariff band and subject; summed over a
    group it gives the expected number; value added (VA) = observed / expected.
    A VA of 1 means the group does as well as students with the same entry
    qualifications in the same subjects; Kingston published BME expected 69%,
    achieved 63%, VA 0.91.

    Parameters
    ----------
    students : pandas.DataFrame
    group : str, default "ethnicity_group"
    reference : str or None, default "White"
        Listed first; ``None`` keeps alphabetical order.
    tariff, subject : str
        Entry tariff (UCAS points) and subject columns. Missing tariff is a band
        of its own ("No tariff"); a missing subject excludes the student.
    bands : sequence of float
        Lower edges of the tariff bands (:func:`tariff_band`).
    baseline : boolean Series or array, optional
        Students whose rates define the expectation (e.g. earlier years, or all
        sector students); default all students with an outcome (including
        unknown ethnicity). Where a band x subject cell has no baseline students
        the band rate is used, then the overall rate (``n_fallback`` counts these).
    alpha : float, default 0.05
    good : sequence of str

    Returns
    -------
    pandas.DataFrame
        ``group``, ``n``, ``good``, ``observed_rate``, ``expected_good``,
        ``expected_rate``, ``value_added``, ``ci_low``, ``ci_high``,
        ``significant`` (the interval excludes 1), ``n_fallback``.

    Notes
    -----
    The interval is the Wilson interval of the observed rate divided by the
    expected rate, treating the expectation as known (as for standardised
    ratios). It is too narrow when the baseline is small; use a large baseline.

    Examples
    --------
    >>> import pandas as pd
    >>> students = pd.DataFrame({
    ...     "ethnicity_group": ["White", "White", "Black", "Black"] * 10,
    ...     "tariff": [150, 100, 150, 100] * 10, "subject": ["Law"] * 40,
    ...     "degree_class": ["First", "2:1", "2:1", "2:2"] * 10})
    >>> value_added(students)[["ethnicity_group", "observed_rate", "expected_rate", "value_added"]]
      ethnicity_group  observed_rate  expected_rate  value_added
    0           White            1.0           0.75     1.333333
    1           Black            0.5           0.75     0.666667
    """
    _check_frame(students, "value_added")
    alpha = _alpha(alpha)
    _require(students, [group, tariff, subject], "value_added")
    y, why = _outcome(students, None, good, "value_added")
    has_y = y.notna().to_numpy()
    has_subject = students[subject].notna().to_numpy()
    band = tariff_band(students[tariff], bands=bands).astype(str).to_numpy()
    subj = students[subject].astype(str).to_numpy()
    yv = y.to_numpy(dtype=float, na_value=np.nan)
    if baseline is None:
        base = has_y & has_subject
    else:
        base = np.asarray(baseline, dtype=bool)
        if base.shape != (len(students),):
            raise AnalysisError(f"value_added: baseline must be one True/False per student ({len(students)}), got shape {base.shape}.")
        base = base & has_y & has_subject
    if not base.any():
        raise AnalysisError("value_added: no baseline students with a classified degree and a subject.")
    cells = pd.DataFrame({"band": band[base], "subject": subj[base], "y": yv[base]})
    cell_rate = cells.groupby(["band", "subject"])["y"].mean()
    band_rate = cells.groupby("band")["y"].mean()
    overall = cells["y"].mean()
    idx = pd.MultiIndex.from_arrays([band, subj])
    expected = cell_rate.reindex(idx).to_numpy()
    fallback = np.isnan(expected)
    expected = np.where(fallback, pd.Series(band).map(band_rate).to_numpy(dtype=float), expected)
    expected = np.where(np.isnan(expected), overall, expected)
    known = _known_group(students[group])
    keep = has_y & has_subject & known
    excluded = _excluded(**{why.replace(" ", "_"): int((~has_y).sum())},
                         missing_subject=int((has_y & ~has_subject).sum()),
                         **{unknown_reason(group): int((has_y & has_subject & ~known).sum())})
    frame = pd.DataFrame({"g": students[group].astype(str).to_numpy()[keep], "y": yv[keep],
                          "e": expected[keep], "f": fallback[keep]})
    table = frame.groupby("g").agg(n=("y", "size"), good=("y", "sum"), expected_good=("e", "sum"), n_fallback=("f", "sum"))
    table = table.reset_index().rename(columns={"g": group})
    table["good"] = table["good"].astype(np.int64)
    table["n_fallback"] = table["n_fallback"].astype(np.int64)
    table["observed_rate"] = table["good"] / table["n"]
    table["expected_rate"] = table["expected_good"] / table["n"]
    table["value_added"] = table["observed_rate"] / table["expected_rate"]
    low, high = wilson_interval(table["good"], table["n"], alpha)
    table["ci_low"] = low / table["expected_rate"]
    table["ci_high"] = high / table["expected_rate"]
    table["significant"] = (table["ci_low"] > 1) | (table["ci_high"] < 1)
    if reference is not None:
        table["_o"] = np.where(table[group] == reference, 0, 1)
        table = table.sort_values(["_o", group]).drop(columns="_o").reset_index(drop=True)
    table = table[[group, "n", "good", "observed_rate", "expected_good", "expected_rate", "value_added",
                   "ci_low", "ci_high", "significant", "n_fallback"]]
    spec = {
        "kind": "value_added", "counts": ["n", "good", "n_fallback"],
        "rates": {"observed_rate": ("n", "good"), "expected_rate": ("n", None)},
        "derived": {c: [("n", "good")] for c in ("expected_good", "value_added", "ci_low", "ci_high", "significant")},
        "decimals": {"value_added": 2, "ci_low": 2, "ci_high": 2, "expected_good": 0},
        "group": group, "alpha": alpha,
    }
    return _attach(table, excluded=excluded, spec=spec)
