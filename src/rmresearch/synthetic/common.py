"""Constants and small helpers shared by the demo generator's modules."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

COHORT = "demo"
COHORT_START = dt.date(2024, 10, 1)
COHORT_END = dt.date(2025, 3, 31)
PLANNED_MEETINGS = 6
N_PAIRS = 26
FIXED_TIMESTAMP = dt.datetime(2025, 4, 1, 9, 0, 0)
DOMAIN = "anytown.ac.uk"

# Independent random streams, one per part of the cohort.
_STREAMS = {"names": 1, "programme": 2, "surveys": 3, "interviews": 4, "students": 5, "staff": 6, "recruitment": 7,
            "sessions": 8, "linkage": 9}


def _rng(seed: int, stream: str) -> np.random.Generator:
    return np.random.default_rng([seed, _STREAMS[stream]])


def _pick(rng: np.random.Generator, options):
    """One element of a sequence (deterministic for a given generator state)."""
    return options[int(rng.integers(len(options)))]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z\-]", "", folded).lower()


def _yes(values) -> np.ndarray:
    return np.where(np.asarray(values, dtype=bool), "yes", "no")


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def _cloglog_prob(eta):
    return 1.0 - np.exp(-np.exp(eta))

def _round(value, digits: int = 4):
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else round(float(value), digits)


def actions_log(pairs, actions) -> "pd.DataFrame":
    """An outcomes log from ``actions`` rows ``(k, action, area, owner, status, evidence, date)``: each change is
    raised by the k-th completed pair (pair order as in ``pairs``)."""
    completed = pairs.loc[pairs["status"] == "completed", "pair_id"].tolist()
    return pd.DataFrame([(completed[k], *rest) for k, *rest in actions],
                        columns=["pair_id", "action", "area", "owner", "status", "evidence", "date"])
