"""The student records, drawn from logistic models with a known awarding gap."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import _logistic, _round, _rng, _yes
from .institution import (BAME_GROUPS, COMPLETION_MODEL, CONTINUATION_MODEL, FACULTIES, FACULTY_NAMES, FACULTY_PROBS,
                          GOOD_HONOURS_MODEL, GROUPS, IMD_PROBS, MENTORED_STUDENT_PROBS, STUDENT_ETHNICITY, TARIFF)



def _draw_categorical(rng, probs: np.ndarray) -> np.ndarray:
    """Row-wise categorical draws: probs has one row of probabilities per draw."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None] * cum[:, -1:]
    return (u > cum).sum(axis=1)


def _linear(model: dict, x: dict, group: np.ndarray, faculty: np.ndarray | None = None,
            mentored: np.ndarray | None = None, with_group: bool = True) -> np.ndarray:
    eta = np.full(len(group), model["intercept"], dtype=float)
    for name in ("tariff_z", "age10", "female", "disability", "imd_c"):
        eta += model[name] * x[name]
    if with_group:
        eta += pd.Series(group).map(model["group"]).to_numpy(dtype=float)
    if faculty is not None and "faculty" in model:
        eta += pd.Series(faculty).map(model["faculty"]).to_numpy(dtype=float)
    if mentored is not None and "mentored" in model:
        eta += model["mentored"] * mentored
    return eta


def _students(n: int, seed: int, emap) -> tuple[pd.DataFrame, dict]:
    rng = _rng(seed, "students")
    codes, probs = zip(*STUDENT_ETHNICITY)
    probs = np.array(probs) / np.sum(probs)
    code = rng.choice(np.array(codes), size=n, p=probs)
    group = emap.group(pd.Series(code), "ofs_group").to_numpy()
    entry = rng.integers(2017, 2023, n)
    female = rng.random(n) < 0.56
    mature = rng.random(n) < 0.18
    age = np.where(mature, 21 + np.minimum(rng.gamma(2.0, 4.0, n), 40), 18 + rng.choice([0, 1, 2], n, p=[0.6, 0.3, 0.1]))
    age = np.floor(age).astype(int)
    disability = rng.random(n) < 0.16
    imd_table = np.array([IMD_PROBS[g] for g in GROUPS])
    imd = _draw_categorical(rng, imd_table[pd.Series(group).map({g: i for i, g in enumerate(GROUPS)}).to_numpy()]) + 1
    tariff_true = (TARIFF["mean"] + TARIFF["per_imd_quintile"] * (imd - 3) + TARIFF["mature"] * mature
                   + pd.Series(group).map(TARIFF["group_shift"]).to_numpy() + rng.normal(0, TARIFF["sd"], n))
    tariff_true = np.clip(np.rint(tariff_true), 40, 224)
    tariff = np.where(rng.random(n) < np.where(mature, 0.25, 0.02), np.nan, tariff_true)  # missing in the record only
    fac_i = rng.choice(len(FACULTY_NAMES), size=n, p=FACULTY_PROBS)
    faculty = np.array(FACULTY_NAMES)[fac_i]
    sizes = np.array([len(FACULTIES[f]) for f in FACULTY_NAMES])
    subj_i = np.floor(rng.random(n) * sizes[fac_i]).astype(int)
    subjects = np.array([s for f in FACULTY_NAMES for s in FACULTIES[f]])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    subject = subjects[offsets[fac_i] + subj_i]
    x = {"tariff_z": (tariff_true - TARIFF["mean"]) / TARIFF["sd"], "age10": (age - 18) / 10, "female": female.astype(float),
         "disability": disability.astype(float), "imd_c": imd - 3.0}

    continued = rng.random(n) < _logistic(_linear(CONTINUATION_MODEL, x, group))
    p_mentored = pd.Series(group).map(MENTORED_STUDENT_PROBS).to_numpy(dtype=float)
    mentored = continued & (entry >= 2019) & (rng.random(n) < p_mentored)
    length = np.where(rng.random(n) < 0.12, 4, 3)
    qual_year = entry + length - 1
    still_studying = continued & (qual_year > 2024)
    completed = continued & ~still_studying & (rng.random(n) < _logistic(_linear(COMPLETION_MODEL, x, group, mentored=mentored)))
    eta_good = _linear(GOOD_HONOURS_MODEL, x, group, faculty, mentored)
    p_good = _logistic(eta_good)
    good = rng.random(n) < p_good
    first = rng.random(n) < _logistic(-0.7 + 0.6 * x["tariff_z"])
    third = rng.random(n) < 0.18
    unclassified = rng.random(n) < 0.02
    degree = np.where(good, np.where(first, "First", "2:1"), np.where(third, "Third", "2:2"))
    degree = np.where(unclassified, np.where(rng.random(n) < 0.7, "Pass", "Unclassified"), degree)
    degree = np.where(completed, degree, "")

    ids = 200000000 + rng.choice(10**8, size=n, replace=False)
    frame = pd.DataFrame({
        "student_id": ids.astype(str),
        "ethnicity_code": code,
        "ethnicity_group": group,
        "sex": np.where(female, "F", "M"),
        "age_on_entry": age,
        "disability": _yes(disability),
        "imd_quintile": imd,
        "tariff": pd.array(tariff, dtype="Float64").astype("Int64"),
        "faculty": faculty,
        "subject": subject,
        "entry_year": entry,
        "qualification_year": pd.array(np.where(completed, qual_year, 0), dtype="Int64"),
        "degree_class": degree,
        "continued": _yes(continued),
        "completed": np.where(still_studying, "", _yes(completed)),
        "mentored": _yes(mentored),
    })
    frame.loc[~completed, "qualification_year"] = pd.NA
    frame = frame.sort_values("student_id", kind="stable").reset_index(drop=True)
    truth = _student_truth(frame, x, group, faculty, mentored, completed, degree, still_studying, continued)
    return frame, truth


def _rate_by(outcome, by) -> dict:
    g = pd.Series(np.asarray(outcome, dtype=float)).groupby(np.asarray(by))
    return {str(k): {"rate": _round(v.mean()), "n": int(v.size)} for k, v in g}


def _student_truth(frame, x, group, faculty, mentored, completed, degree, still_studying, continued) -> dict:
    classified = completed & np.isin(degree, ("First", "2:1", "2:2", "Third"))
    good = np.isin(degree, ("First", "2:1"))
    bame = np.isin(group, BAME_GROUPS)
    white = group == "White"
    rate = lambda mask: float(good[classified & mask].mean())  # noqa: E731
    gap = rate(white) - rate(bame)
    gap_mentored = rate(white) - rate(bame & mentored)
    gap_not_mentored = rate(white) - rate(bame & ~mentored)
    # Model-based split of the White-BAME gap (Fairlie-style, with the true coefficients):
    # unexplained = mean over BAME of F(x b, own group effect set to White) - F(x b).
    eta = _linear(GOOD_HONOURS_MODEL, x, group, faculty, mentored)
    eta_no_group = _linear(GOOD_HONOURS_MODEL, x, group, faculty, mentored, with_group=False)
    m = classified & bame
    expected_gap = float(_logistic(eta)[classified & white].mean() - _logistic(eta)[m].mean())
    unexplained = float((_logistic(eta_no_group)[m] - _logistic(eta)[m]).mean())
    ofs = pd.Series(group)
    return {
        "n": int(len(frame)),
        "entry_years": [2017, 2022],
        "ethnicity_code_probabilities": {c: p for c, p in STUDENT_ETHNICITY},
        "imd_quintile_probabilities": {g: list(v) for g, v in IMD_PROBS.items()},
        "tariff_model": TARIFF | {"note": "tariff = mean + per_imd_quintile*(imd-3) + mature + group_shift + N(0, sd), clipped 40..224, rounded; missing in the record for 2% (25% of mature students) but the models use the true value"},
        "good_honours_model": GOOD_HONOURS_MODEL | {
            "link": "logit", "outcome": "First or 2:1 among qualifiers with a classified degree",
            "covariates": "tariff_z = (true tariff - 128)/28; age10 = (age_on_entry - 18)/10; female; disability; imd_c = imd_quintile - 3; faculty and group indicators; mentored",
            "degree_split": "good: First with P = logistic(-0.7 + 0.6 tariff_z) else 2:1; not good: Third with P = 0.18 else 2:2; 2% of qualifiers Pass (70%) or Unclassified",
        },
        "continuation_model": CONTINUATION_MODEL | {"link": "logit", "note": "mentored students are chosen among continuers"},
        "completion_model": COMPLETION_MODEL | {"link": "logit", "note": "among continuers; course length 3 years (12% 4 years); qualification_year = entry_year + length - 1; those due after 2024 are still studying (completed empty)"},
        "mentored_selection": {"eligible": "continued and entry_year >= 2019", "probability_by_group": MENTORED_STUDENT_PROBS},
        "gap_target_range_pp": [10, 13],
        "gap_target_note": "raw White-BAME good-honours gap at the default size (20,000 students); about half explained by tariff and IMD",
        "realised": {
            "good_honours_rate_by_group": _rate_by(good[classified], group[classified]),
            "good_honours_rate_white": _round(rate(white)),
            "good_honours_rate_bame": _round(rate(bame)),
            "gap_white_bame_pp": _round(100 * gap, 2),
            "gap_white_bame_expected_pp": _round(100 * expected_gap, 2),
            "gap_unexplained_pp": _round(100 * unexplained, 2),
            "gap_explained_pp": _round(100 * (expected_gap - unexplained), 2),
            "gap_white_vs_mentored_bame_pp": _round(100 * gap_mentored, 2),
            "gap_white_vs_not_mentored_bame_pp": _round(100 * gap_not_mentored, 2),
            "mentored_share": _round(mentored.mean()),
            "mentored_n_by_group": {str(k): int(v) for k, v in ofs[mentored].value_counts().sort_index().items()},
            "continuation_rate_by_group": _rate_by(continued, group),
            "completion_rate_by_group_among_continuers_finished": _rate_by(
                completed[continued & ~still_studying], group[continued & ~still_studying]),
        },
    }

