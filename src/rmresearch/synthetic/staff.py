"""Staff snapshots (grouped proportional hazards of promotion and leaving) and recruitment counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import _cloglog_prob, _round, _rng, _yes
from .institution import (BAME_GROUPS, FACULTY_NAMES, GRADE_SCALE, RECRUITMENT_APPLICANT_SHARE, RECRUITMENT_APPLICANTS,
                          RECRUITMENT_APPOINT_RATE, RECRUITMENT_GRADES, RECRUITMENT_SHORTLIST_RATE, STAFF_ACADEMIC_SHARE,
                          STAFF_BAME_CODES, STAFF_BAME_SHARE, STAFF_GRADE_SHARE, STAFF_HIRE_SHARE, STAFF_LEAVING_BASE,
                          STAFF_LEAVING_LOG_HR, STAFF_MENTORED_PER_COHORT, STAFF_MENTORING_COHORTS, STAFF_PROMOTION_BASE,
                          STAFF_PROMOTION_LOG_HR, STAFF_UNKNOWN_CODES, STAFF_UNKNOWN_RATE, STAFF_WHITE_CODES, STAFF_YEARS)



class _Hiring:
    """Draws new staff (grade given): ethnicity code, sex, faculty and contract, each with a fresh staff number."""

    def __init__(self, rng: np.random.Generator, n_staff: int):
        self.rng = rng
        capacity = n_staff * 3 + 1000
        self.id_pool = iter((100000 + rng.choice(900000, size=min(capacity, 900000), replace=False)).tolist())
        self.white_codes, self.white_p = zip(*STAFF_WHITE_CODES)
        self.bame_codes, self.bame_p = zip(*STAFF_BAME_CODES)
        self.unknown_codes, self.unknown_p = zip(*STAFF_UNKNOWN_CODES)

    def people(self, grades: np.ndarray, bame_boost: float = 1.0) -> dict:
        rng, k = self.rng, len(grades)
        unknown = rng.random(k) < STAFF_UNKNOWN_RATE
        bame = ~unknown & (rng.random(k) < np.array(STAFF_BAME_SHARE)[grades] * bame_boost)
        code = np.where(unknown, rng.choice(self.unknown_codes, k, p=self.unknown_p),
                        np.where(bame, rng.choice(self.bame_codes, k, p=np.array(self.bame_p) / sum(self.bame_p)),
                                 rng.choice(self.white_codes, k, p=self.white_p)))
        academic = rng.random(k) < np.array(STAFF_ACADEMIC_SHARE)[grades]
        faculty = np.where(academic | (rng.random(k) < 0.4), np.array(FACULTY_NAMES)[rng.integers(0, len(FACULTY_NAMES), k)], "Professional Services")
        return {
            "staff_id": np.array([f"S{next(self.id_pool):06d}" for _ in range(k)], dtype=object),
            "grade": grades.astype(int), "bame": bame, "code": code,
            "sex": np.where(rng.random(k) < 0.55, "F", "M"),
            "faculty": faculty, "contract": np.where(academic, "academic", "professional services"),
            "mentored_since": np.zeros(k, dtype=int),
        }


def _staff_year(people: dict, year: int, rng: np.random.Generator,
               cohorts: tuple = STAFF_MENTORING_COHORTS) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """One year: mentoring starts, leavers and promotions drawn; the snapshot, the events and who left."""
    n_grades = len(GRADE_SCALE)
    if year in cohorts:
        eligible_grades = np.arange(4, 9)  # grades "5".."9"
        pool = np.flatnonzero(people["bame"] & np.isin(people["grade"], eligible_grades) & (people["mentored_since"] == 0))
        k = min(STAFF_MENTORED_PER_COHORT, len(pool) // 3)
        people["mentored_since"][rng.choice(pool, size=k, replace=False)] = year
    promo_base = np.log(-np.log(1 - np.array(STAFF_PROMOTION_BASE).clip(1e-12, None)))
    leave_base = np.log(-np.log(1 - STAFF_LEAVING_BASE))
    mentored = (people["mentored_since"] > 0) & (people["mentored_since"] <= year)
    x_bame, x_m = people["bame"].astype(float), mentored.astype(float)
    p_leave = _cloglog_prob(leave_base + STAFF_LEAVING_LOG_HR["bame"] * x_bame + STAFF_LEAVING_LOG_HR["mentored"] * x_m)
    left = rng.random(len(x_bame)) < p_leave
    can_promote = people["grade"] < n_grades - 1
    p_promo = np.where(can_promote, _cloglog_prob(promo_base[people["grade"]] + STAFF_PROMOTION_LOG_HR["bame"] * x_bame
                                                  + STAFF_PROMOTION_LOG_HR["mentored"] * x_m), 0.0)
    promoted = ~left & (rng.random(len(x_bame)) < p_promo)
    snapshot = pd.DataFrame({
        "staff_id": people["staff_id"], "year": year, "grade": np.array(GRADE_SCALE)[people["grade"]],
        "ethnicity_code": people["code"], "sex": people["sex"], "faculty": people["faculty"],
        "contract": people["contract"], "left": _yes(left), "mentored": _yes(mentored),
    })
    events = pd.DataFrame({"year": year, "bame": people["bame"], "mentored": mentored, "left": left,
                           "promoted": promoted, "at_risk_promotion": ~left & can_promote})
    return snapshot, events, promoted


def _staff(n_staff: int, seed: int, years: tuple = STAFF_YEARS,
           cohorts: tuple = STAFF_MENTORING_COHORTS) -> tuple[pd.DataFrame, dict]:
    """Yearly snapshots for ``years``; a mentoring cohort starts in each year of ``cohorts``."""
    rng = _rng(seed, "staff")
    n_grades = len(GRADE_SCALE)
    hiring = _Hiring(rng, n_staff)
    people = hiring.people(rng.choice(n_grades, size=n_staff, p=STAFF_GRADE_SHARE))
    snapshots, events = [], []
    for year in years:
        snapshot, year_events, promoted = _staff_year(people, year, rng, cohorts)
        snapshots.append(snapshot)
        events.append(year_events)
        left = year_events["left"].to_numpy()
        # Next year's staff: stayers (promoted ones one grade up) and new hires replacing leavers.
        stay = ~left
        people = {k: v[stay] for k, v in people.items()}
        people["grade"] = people["grade"] + promoted[stay]
        people["contract"] = np.where(np.array(GRADE_SCALE)[people["grade"]] == "Professor", "academic", people["contract"])
        hires = hiring.people(rng.choice(n_grades, size=int(left.sum()), p=STAFF_HIRE_SHARE), bame_boost=1.15)
        people = {k: np.concatenate([people[k], hires[k]]) for k in people}
    frame = pd.concat(snapshots, ignore_index=True).sort_values(["year", "staff_id"], kind="stable").reset_index(drop=True)
    ev = pd.concat(events, ignore_index=True)
    ev = ev[ev["year"] < years[-1]]  # promotions are seen in the following snapshot
    return frame, _staff_truth(frame, ev, cohorts)


def _staff_truth(frame: pd.DataFrame, ev: pd.DataFrame, cohorts: tuple = STAFF_MENTORING_COHORTS) -> dict:
    def rates(mask):
        sub = ev[mask]
        risk = sub[sub["at_risk_promotion"]]
        return {"person_years": int(len(sub)), "promotion_rate": _round(risk["promoted"].mean()), "leaving_rate": _round(sub["left"].mean())}

    return {
        "model": "discrete-time grouped proportional hazards (complementary log-log): P(event in year) = 1 - exp(-exp(b0_grade + b.x)); leaving drawn first, promotion (up one grade on the scale) among stayers; Unknown ethnicity has bame = 0",
        "grade_scale": list(GRADE_SCALE),
        "promotion_baseline_probability_by_grade": dict(zip(GRADE_SCALE, STAFF_PROMOTION_BASE)),
        "leaving_baseline_probability": STAFF_LEAVING_BASE,
        "promotion_log_hr": STAFF_PROMOTION_LOG_HR,
        "promotion_hr": {k: _round(np.exp(v)) for k, v in STAFF_PROMOTION_LOG_HR.items()},
        "leaving_log_hr": STAFF_LEAVING_LOG_HR,
        "leaving_hr": {k: _round(np.exp(v)) for k, v in STAFF_LEAVING_LOG_HR.items()},
        "bame_share_by_grade": dict(zip(GRADE_SCALE, STAFF_BAME_SHARE)),
        "hires": "one new hire per leaver; hire grades skew junior; BAME share of hires = 1.15 x the grade's share",
        "mentored": f"{STAFF_MENTORED_PER_COHORT} BAME staff in grades 5-9 per cohort starting {list(cohorts)}; mentored = yes from that year on",
        "realised": {
            "headcount_by_year": {str(k): int(v) for k, v in frame.groupby("year").size().items()},
            "white": rates(~ev["bame"]), "bame": rates(ev["bame"]),
            "mentored": rates(ev["mentored"]), "not_mentored_bame": rates(ev["bame"] & ~ev["mentored"]),
            "mentored_people": int(frame.loc[frame["mentored"] == "yes", "staff_id"].nunique()),
        },
    }


def _recruitment(n_staff: int, seed: int) -> tuple[pd.DataFrame, dict]:
    rng = _rng(seed, "recruitment")
    scale = n_staff / 3000
    groups = list(RECRUITMENT_APPLICANT_SHARE)
    years, grades, gs = np.meshgrid(np.arange(2017, 2025), np.arange(len(RECRUITMENT_GRADES)), np.arange(len(groups)), indexing="ij")
    years, grades, gs = years.ravel(), grades.ravel(), gs.ravel()
    lam = np.array(RECRUITMENT_APPLICANTS)[grades] * np.array(list(RECRUITMENT_APPLICANT_SHARE.values()))[gs] * scale
    applied = rng.poisson(lam)
    shortlisted = rng.binomial(applied, np.array(list(RECRUITMENT_SHORTLIST_RATE.values()))[gs])
    appointed = rng.binomial(shortlisted, np.array(list(RECRUITMENT_APPOINT_RATE.values()))[gs])
    frame = pd.DataFrame({"year": years, "post_grade": np.array(RECRUITMENT_GRADES)[grades], "ethnicity_group": np.array(groups)[gs],
                          "applied": applied, "shortlisted": shortlisted, "appointed": appointed})
    w = frame[frame["ethnicity_group"] == "White"]
    b = frame[frame["ethnicity_group"] != "White"]
    realised = (w["appointed"].sum() / w["shortlisted"].sum()) / (b["appointed"].sum() / b["shortlisted"].sum())
    truth = {
        "applicant_share": RECRUITMENT_APPLICANT_SHARE,
        "p_shortlisted_given_applied": RECRUITMENT_SHORTLIST_RATE,
        "p_appointed_given_shortlisted": RECRUITMENT_APPOINT_RATE,
        "true_relative_likelihood_appointed_from_shortlisting_white_vs_bame": 1.5,
        "true_relative_likelihood_shortlisted_from_applying_white_vs_bame": _round(
            0.22 / (sum(RECRUITMENT_SHORTLIST_RATE[g] * RECRUITMENT_APPLICANT_SHARE[g] for g in BAME_GROUPS)
                    / sum(RECRUITMENT_APPLICANT_SHARE[g] for g in BAME_GROUPS))),
        "realised_relative_likelihood_appointed": _round(realised),
    }
    return frame, truth

