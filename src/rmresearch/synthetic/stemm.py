"""The reverse-mentoring STEMM demo cohort: :func:`generate_stemm` writes ``cohorts/stemm.yml`` and its inputs.

A reverse scheme in a STEMM faculty: 14 junior staff from under-represented groups (disabled and LGB+ staff,
women, global majority staff; carers and flexible workers are not recorded) mentor 14 senior leaders
(``programme_type: reverse``: the reverse mentors have role ``staff_partner``, the reverse mentees
``senior_leader``). Half-day training for reverse mentors, a 90-minute preparation session for reverse mentees,
optional monthly peer support for reverse mentors, 90-minute reflection at three months and at the end (the
sessions table's ``session_type``), about an hour a month for six months, pre and post surveys, four
speaker-labelled interviews with their manifest, two coders' codings and an actions log of policy changes.

The cohort is studied by disability (its focus), sex, sexual orientation and ethnicity, and by disability x sex.
Staff (about 1,200 in each of six censuses, 2019-2024) carry ``disability_code``, ``sex``,
``sexual_orientation_code`` and ``ethnicity_code``; students (about 4,000) ``disability_code``, ``sex`` and
``ethnicity_code``; each with its not known and prefer not to say codes, which the analyses count as Unknown.

Two truths are injected (``effects.json``, part ``stemm``), each drawn so that nothing else moves it:

- promotion: within every grade, the yearly probability of promotion of a stayer with no known disability (or
  an unknown one) is 1.6 times a disabled colleague's (0.12 against 0.075 in grades 1-9); leaving (0.09 a year)
  and everything else is the same for everyone, so the relative likelihood of promotion per person-year,
  no known disability over disabled, is 1.6 (up to the grade mix, whose expected effect ``effects.json`` states);
- attainment: the good-honours probability of a classified qualifier is set by disability x sex alone (no known
  disability: male 0.76, female 0.80; disabled: male 0.61, female 0.77), so against the reference
  ``No known disability, Male`` the gaps are 15 pp (disabled men), -4 pp (women with no known disability) and
  -1 pp (disabled women, 3 pp below women with no known disability). An ethnicity gap of 8 pp (White over global
  majority) is added in a way that leaves each disability x sex rate unchanged in expectation (ethnicity is drawn
  independently and the shift averages zero over its probabilities).

Recruitment counts by disability group carry a third: appointment from shortlisting 0.30 (no known disability)
against 0.20 (disabled), a relative likelihood of 1.5, while disabled applicants are shortlisted more often
(0.24 against 0.20: a guaranteed interview). Three rounds of reverse mentors (2021, 2023, 2024) are flagged
``mentored`` in the staff records, with no effect of the scheme injected. The cohort's ``disability_by_sex`` groups
read ``Female or other`` for women (the sex characteristic's aggregate; no record has sex Other).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..codes import load_ethnicity_map
from .cohort import _check_size, _finish, _interview_truth, _start, _write_interviews
from .common import COHORT_END, COHORT_START, PLANNED_MEETINGS, actions_log, _rng, _round
from .institution import (FACULTIES, GRADE_SCALE, STAFF_BAME_CODES, STAFF_GRADE_SHARE, STAFF_HIRE_SHARE,
                          STAFF_UNKNOWN_CODES, STAFF_WHITE_CODES, STUDENT_ETHNICITY)
from .interviews import _interview_turns
from .people import Person, _make_roster
from .pilot import _manifest
from .programme import _programme
from .surveys import _surveys
from .texts import ANSWERS, INTROS, QUESTIONS
from .writers import _render_interview

STEMM = "stemm"
STEMM_PAIRS = 14
STEMM_STAFF_YEARS = tuple(range(2019, 2025))
#: Two earlier rounds (2021, 2023) and this cohort (2024): reverse mentors are flagged mentored from their round's
#: year. No effect of the scheme is injected: mentored staff are promoted and leave as the model says for anyone.
STEMM_MENTORING_COHORTS = (2021, 2023, 2024)
#: Name origins of the 14 reverse mentors (the roster's staff partners).
STEMM_MENTOR_ORIGINS = (["british"] * 6 + ["irish"] + ["south_asian"] * 2 + ["african"] * 2 + ["east_asian"] * 2
                        + ["arabic"])
#: Each table's own random stream (numbers apart from the other demo cohorts' streams).
_STREAMS = {"staff": 101, "students": 102, "link": 103, "sessions": 104, "meetings": 105, "interviews": 106,
            "recruitment": 107}

# --------------------------------------------------------------------------- characteristics (code, share)

DISABLED_CODES = ("08", "51", "53", "54", "55", "56", "57", "58", "59", "96")
LGB_CODES = ("01", "02", "03", "05")
STAFF_DISABILITY = (("95", 0.82), ("51", 0.025), ("54", 0.02), ("55", 0.025), ("56", 0.01), ("57", 0.005),
                    ("58", 0.003), ("53", 0.007), ("08", 0.003), ("96", 0.002), ("98", 0.05), ("99", 0.03))
STUDENT_DISABILITY = (("00", 0.80), ("51", 0.06), ("55", 0.04), ("54", 0.025), ("53", 0.015), ("08", 0.01),
                      ("56", 0.008), ("57", 0.005), ("58", 0.002), ("96", 0.005), ("97", 0.01), ("99", 0.02))
STAFF_SEX = (("F", 0.45), ("M", 0.535), ("Prefer not to say", 0.01), ("Not known", 0.005))
STUDENT_SEX = (("F", 0.42), ("M", 0.57), ("Prefer not to say", 0.01))
STAFF_SEXUAL_ORIENTATION = (("04", 0.83), ("01", 0.025), ("02", 0.02), ("03", 0.012), ("05", 0.008), ("98", 0.075),
                            ("99", 0.03))
STAFF_BAME_SHARE, STAFF_ETHNICITY_UNKNOWN = 0.17, 0.03

# --------------------------------------------------------------------------- injected truth

PROMOTION_RATIO = 1.6
#: Yearly promotion probability of a stayer with no known (or an unknown) disability, by grade; disabled: / 1.6.
PROMOTION_BASE = (0.12,) * 9 + (0.06, 0.03, 0.02, 0.0)
LEAVING_PROBABILITY = 0.09
#: P(good honours | classified degree) by (disability group, sex group); anyone with an Unknown part: 0.74.
GOOD_HONOURS = {("No known disability", "Male"): 0.76, ("Disabled", "Male"): 0.61,
                ("No known disability", "Female"): 0.80, ("Disabled", "Female"): 0.77}
GOOD_HONOURS_UNKNOWN = 0.74
INTERSECTION_REFERENCE = "No known disability, Male"
ETHNICITY_GAP = 0.08
#: Recruitment by disability (counts a year at 1,200 staff): applicants by post grade, each group's share of
#: applicants, P(shortlisted | applied) (disabled applicants who meet the essential criteria are guaranteed an
#: interview, as Disability Confident employers offer) and P(appointed | shortlisted).
RECRUITMENT_GRADES = ("4", "5", "6", "7", "8", "9", "10", "Professor")
RECRUITMENT_APPLICANTS = (300, 260, 220, 200, 160, 120, 60, 30)
RECRUITMENT_GROUPS = {"No known disability": (0.82, 0.20, 0.30), "Disabled": (0.10, 0.24, 0.20),
                      "Unknown": (0.08, 0.18, 0.27)}
#: The sessions: (name, date, session_type, who is invited, probability of attending while the pair is active).
STEMM_SESSIONS = (
    ("Reverse mentor training", dt.date(2024, 10, 1), "training", "staff_partner", 0.93),
    ("Reverse mentee preparation", dt.date(2024, 10, 3), "preparation", "senior_leader", 0.86),
    *((f"Peer support {d:%B}", d, "peer_support", "staff_partner", 0.45)
      for d in (dt.date(2024, 11, 13), dt.date(2024, 12, 11), dt.date(2025, 2, 12), dt.date(2025, 3, 12))),
    ("Reflection at three months", dt.date(2025, 1, 8), "reflection", "all", 0.80),
    ("Final reflection", dt.date(2025, 3, 26), "reflection", "all", 0.72),
)
SESSION_MINUTES = {"training": 210, "preparation": 90, "peer_support": 60, "reflection": 90}
#: The actions log: (completed pair by its place among them; action; area; owner; status; evidence; ISO date).
STEMM_ACTIONS = (
    (0, "Reasonable adjustments passport for all staff, agreed once and carried between roles", "disability",
     "Director of People", "implemented", "Reasonable adjustments policy, version 2", "2025-02-10"),
    (1, "Promotion criteria pro-rated for part-time staff and career breaks", "promotion",
     "Faculty Promotions Committee",
     "implemented", "Academic promotion criteria 2025, section 4", "2025-03-04"),
    (2, "Step-free access and adjustable benches in the teaching laboratories", "estates", "Director of Estates",
     "in_progress", "Capital plan entry, February 2025", "2025-02-24"),
    (3, "Flexible working stated as the default in research job adverts", "recruitment", "Head of Recruitment",
     "proposed", "", "2025-03-18"),
    (0, "LGBTQ+ staff network given a seat on the faculty executive", "governance", "Dean of Science and Engineering",
     "not_pursued", "Faculty executive minutes, March 2025", "2025-03-20"),
)


def _stream(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, _STREAMS[name]])


def _stemm_config_bytes() -> bytes:
    return resources.files("rmresearch").joinpath("data/demo_stemm_cohort.yml").read_bytes()


def _draw(rng: np.random.Generator, table, n: int) -> np.ndarray:
    """``n`` codes drawn from a ((code, share), ...) table."""
    codes, shares = zip(*table)
    return rng.choice(np.array(codes, dtype=object), size=n, p=np.array(shares) / np.sum(shares))


def _disability_group(codes) -> np.ndarray:
    codes = np.asarray(codes, dtype=object)
    return np.where(np.isin(codes, DISABLED_CODES), "Disabled", np.where(np.isin(codes, ("00", "95")),
                                                                         "No known disability", "Unknown"))


def _sex_group(values) -> np.ndarray:
    values = np.asarray(values, dtype=object)
    return np.where(values == "F", "Female", np.where(values == "M", "Male", "Unknown"))


# --------------------------------------------------------------------------- staff


def _ethnicity_codes(rng: np.random.Generator, n: int) -> np.ndarray:
    unknown = rng.random(n) < STAFF_ETHNICITY_UNKNOWN
    bame = ~unknown & (rng.random(n) < STAFF_BAME_SHARE)
    return np.where(unknown, _draw(rng, STAFF_UNKNOWN_CODES, n),
                    np.where(bame, _draw(rng, STAFF_BAME_CODES, n), _draw(rng, STAFF_WHITE_CODES, n)))


def _hire(rng: np.random.Generator, grades: np.ndarray, ids) -> dict:
    """New staff at these grades: each characteristic drawn on its own (independent of grade and of each other)."""
    k = len(grades)
    academic = rng.random(k) < np.where(grades >= 4, 0.7, 0.1)
    faculty = np.where(academic | (rng.random(k) < 0.3),
                       np.where(rng.random(k) < 0.6, "Science and Engineering", "Health and Life Sciences"),
                       "Professional Services")
    return {"staff_id": np.array([f"S{next(ids):06d}" for _ in range(k)], dtype=object), "grade": grades.astype(int),
            "disability_code": _draw(rng, STAFF_DISABILITY, k), "sex": _draw(rng, STAFF_SEX, k),
            "sexual_orientation_code": _draw(rng, STAFF_SEXUAL_ORIENTATION, k),
            "ethnicity_code": _ethnicity_codes(rng, k), "faculty": faculty,
            "contract": np.where(academic, "academic", "professional services"), "mentored_since": np.zeros(k, int)}


def _choose_mentors(people: dict, year: int, rng: np.random.Generator) -> None:
    """A round of reverse mentors in grades 4-9: 8 who declared a disability or an LGB+ orientation, 6 women or
    global majority staff (the 14 places of a round)."""
    free = np.isin(people["grade"], np.arange(3, 9)) & (people["mentored_since"] == 0)
    declared = (np.isin(people["disability_code"], DISABLED_CODES)
                | np.isin(people["sexual_orientation_code"], LGB_CODES))
    bame = ~np.isin(people["ethnicity_code"], [c for c, _ in STAFF_WHITE_CODES + STAFF_UNKNOWN_CODES])
    other = (people["sex"] == "F") | bame
    for pool, k in ((free & declared, 8), (free & ~declared & other, STEMM_PAIRS - 8)):
        people["mentored_since"][rng.choice(np.flatnonzero(pool), size=k, replace=False)] = year


def _stemm_staff(n_staff: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Yearly snapshots and each at-risk person-year's promotion probability (the truth's working)."""
    rng = _stream(seed, "staff")
    ids = iter((100000 + rng.choice(900000, size=n_staff * 3 + 500, replace=False)).tolist())
    people = _hire(rng, rng.choice(len(GRADE_SCALE), size=n_staff, p=STAFF_GRADE_SHARE), ids)
    base = np.array(PROMOTION_BASE)
    snapshots, years = [], []
    for year in STEMM_STAFF_YEARS:
        if year in STEMM_MENTORING_COHORTS:
            _choose_mentors(people, year, rng)
        disabled = np.isin(people["disability_code"], DISABLED_CODES)
        p_promo = base[people["grade"]] / np.where(disabled, PROMOTION_RATIO, 1.0)
        left = rng.random(len(disabled)) < LEAVING_PROBABILITY
        promoted = ~left & (rng.random(len(disabled)) < p_promo)
        mentored = (people["mentored_since"] > 0) & (people["mentored_since"] <= year)
        snapshots.append(pd.DataFrame({
            "staff_id": people["staff_id"], "year": year, "grade": np.array(GRADE_SCALE)[people["grade"]],
            **{c: people[c] for c in ("ethnicity_code", "sex", "disability_code", "sexual_orientation_code",
                                      "faculty", "contract")},
            "left": np.where(left, "yes", "no"), "mentored": np.where(mentored, "yes", "no")}))
        years.append(pd.DataFrame({"year": year, "group": _disability_group(people["disability_code"]),
                                   "grade": people["grade"],
                                   "p_promoted": (1 - LEAVING_PROBABILITY) * p_promo, "promoted": promoted,
                                   "left": left}))
        people = {k: v[~left] for k, v in people.items()}
        people["grade"] = people["grade"] + promoted[~left]
        hires = _hire(rng, rng.choice(len(GRADE_SCALE), size=int(left.sum()), p=STAFF_HIRE_SHARE), ids)
        people = {k: np.concatenate([people[k], hires[k]]) for k in people}
    frame = pd.concat(snapshots, ignore_index=True).sort_values(["year", "staff_id"], kind="stable")
    at_risk = pd.concat(years, ignore_index=True)
    return frame.reset_index(drop=True), at_risk[at_risk["year"] < STEMM_STAFF_YEARS[-1]]


def _staff_truth(frame: pd.DataFrame, at_risk: pd.DataFrame) -> dict:
    def rate(mask) -> dict:
        sub = at_risk[mask]
        return {"person_years": int(len(sub)), "promotions": int(sub["promoted"].sum()),
                "promotion_rate": _round(sub["promoted"].mean()), "expected_rate": _round(sub["p_promoted"].mean()),
                "leavers": int(sub["left"].sum()), "leaving_rate": _round(sub["left"].mean())}

    d, nd, unknown = (rate(at_risk["group"] == g) for g in ("Disabled", "No known disability", "Unknown"))
    mean = lambda column, group: at_risk.loc[at_risk["group"] == group, column].astype(float).mean()  # noqa: E731
    ratio = {c: mean(c, "No known disability") / mean(c, "Disabled") for c in ("p_promoted", "promoted", "left")}
    last = frame[frame["year"] == frame["year"].max()]
    def share(values) -> dict:
        counts = pd.Series(values).value_counts(normalize=True).sort_index()
        return {str(k): _round(v) for k, v in counts.items()}

    return {
        "promotion_model": "each census year: leaving drawn first (P = 0.09 for everyone), then promotion one grade up "
                           "among stayers with P = base(grade) for no known or unknown disability, base(grade) / 1.6 "
                           "for disabled staff; disability is the only characteristic that moves promotion or leaving",
        "promotion_base_probability_by_grade": dict(zip(GRADE_SCALE, PROMOTION_BASE)),
        "mentoring": {"rounds": list(STEMM_MENTORING_COHORTS), "per_round": STEMM_PAIRS, "promotion_hr": 1.0,
                      "leaving_hr": 1.0, "note": "reverse mentors (grades 4-9; 8 of a round declared a disability "
                      "or an LGB+ orientation, 6 are women or global majority staff); no effect of the scheme is "
                      "injected, but mentors are more often disabled, so an unmatched comparison is confounded"},
        "promotion_probability_ratio_no_known_over_disabled": PROMOTION_RATIO,
        "leaving_probability": LEAVING_PROBABILITY,
        "relative_likelihood_of_promotion": {
            "injected": PROMOTION_RATIO, "group": "Disabled", "reference": "No known disability",
            "person_years": "at-risk person-years (years before the last census), Unknown disability excluded",
            "expected_given_grade_mix": _round(ratio["p_promoted"]), "realised": _round(ratio["promoted"])},
        "relative_likelihood_of_leaving": {
            "injected": 1.0, "group": "Disabled", "reference": "No known disability", "realised": _round(ratio["left"]),
            "note": "no leaving difference is injected: a realised ratio away from 1 is the draw's chance (at the "
                    "default seed 2024 disabled staff happened to leave less often, a ratio of 1.70, which a test "
                    "at 0.05 flags although no effect was put there)"},
        "realised": {"disabled": d, "no_known_disability": nd, "unknown_disability": unknown,
                     "headcount_by_year": {str(k): int(v) for k, v in frame.groupby("year").size().items()},
                     "last_census_disability_group_share": share(_disability_group(last["disability_code"])),
                     "last_census_sex_share": share(last["sex"]),
                     "last_census_sexual_orientation_share": share(last["sexual_orientation_code"]),
                     "mentored_people": int(frame.loc[frame["mentored"] == "yes", "staff_id"].nunique())},
    }


def _stemm_recruitment(n_staff: int, seed: int) -> tuple[pd.DataFrame, dict]:
    """Applied, shortlisted and appointed by year (2019-2024), post grade and disability group (binomial draws)."""
    rng = _stream(seed, "recruitment")
    groups = list(RECRUITMENT_GROUPS)
    rows = [(y, g, d) for y in STEMM_STAFF_YEARS for g in range(len(RECRUITMENT_GRADES)) for d in groups]
    share, p_short, p_appoint = (np.array([RECRUITMENT_GROUPS[d][i] for _, _, d in rows]) for i in range(3))
    applied = rng.poisson(np.array([RECRUITMENT_APPLICANTS[g] for _, g, _ in rows]) * share * n_staff / 1200)
    shortlisted = rng.binomial(applied, p_short)
    appointed = rng.binomial(shortlisted, p_appoint)
    frame = pd.DataFrame({"year": [y for y, _, _ in rows], "post_grade": [RECRUITMENT_GRADES[g] for _, g, _ in rows],
                          "disability_group": [d for _, _, d in rows], "applied": applied,
                          "shortlisted": shortlisted, "appointed": appointed})
    total = frame.groupby("disability_group")[["applied", "shortlisted", "appointed"]].sum()
    rate = lambda num, den, g: total.loc[g, num] / total.loc[g, den]  # noqa: E731
    ref, grp = "No known disability", "Disabled"
    truth = {
        "groups": {d: dict(zip(("applicant_share", "p_shortlisted_given_applied", "p_appointed_given_shortlisted"), v))
                   for d, v in RECRUITMENT_GROUPS.items()},
        "relative_likelihood_appointed_from_shortlisting": {
            "reference": ref, "group": grp, "injected": _round(RECRUITMENT_GROUPS[ref][2] / RECRUITMENT_GROUPS[grp][2]),
            "realised": _round(rate("appointed", "shortlisted", ref) / rate("appointed", "shortlisted", grp))},
        "relative_likelihood_shortlisted_from_applying": {
            "reference": ref, "group": grp, "injected": _round(RECRUITMENT_GROUPS[ref][1] / RECRUITMENT_GROUPS[grp][1]),
            "realised": _round(rate("shortlisted", "applied", ref) / rate("shortlisted", "applied", grp))},
    }
    return frame, truth


# --------------------------------------------------------------------------- students


def _ethnicity_shift(groups: np.ndarray) -> tuple[np.ndarray, dict]:
    """An 8 pp White over global majority gap, centred so that every disability x sex rate stays as injected."""
    ofs = load_ethnicity_map().group(pd.Series([c for c, _ in STUDENT_ETHNICITY]), "ofs_group").to_numpy()
    shares = np.array([p for _, p in STUDENT_ETHNICITY]) / sum(p for _, p in STUDENT_ETHNICITY)
    white, bame = shares[ofs == "White"].sum(), shares[(ofs != "White") & (ofs != "Unknown")].sum()
    shift = {"White": ETHNICITY_GAP * bame / (white + bame), "BAME": -ETHNICITY_GAP * white / (white + bame),
             "Unknown": 0.0}
    agg = np.where(groups == "White", "White", np.where(groups == "Unknown", "Unknown", "BAME"))
    return pd.Series(agg).map(shift).to_numpy(dtype=float), {k: _round(v, 6) for k, v in shift.items()}


def _stemm_students(n: int, seed: int) -> tuple[pd.DataFrame, dict]:
    rng = _stream(seed, "students")
    codes, shares = zip(*STUDENT_ETHNICITY)
    ethnicity = rng.choice(np.array(codes), size=n, p=np.array(shares) / np.sum(shares))
    groups = load_ethnicity_map().group(pd.Series(ethnicity), "ofs_group").to_numpy()
    sex, disability = _draw(rng, STUDENT_SEX, n), _draw(rng, STUDENT_DISABILITY, n)
    cell = list(zip(_disability_group(disability), _sex_group(sex)))
    shift, shift_truth = _ethnicity_shift(groups)
    p_good = np.array([GOOD_HONOURS.get(c, GOOD_HONOURS_UNKNOWN) for c in cell]) + shift
    entry = rng.integers(2017, 2023, n)
    qualification = entry + np.where(rng.random(n) < 0.12, 4, 3) - 1
    continued = rng.random(n) < 0.92
    studying = continued & (qualification > 2024)
    completed = continued & ~studying & (rng.random(n) < 0.90)
    good = rng.random(n) < p_good
    degree = np.where(good, np.where(rng.random(n) < 0.35, "First", "2:1"),
                      np.where(rng.random(n) < 0.15, "Third", "2:2"))
    degree = np.where(rng.random(n) < 0.02, np.where(rng.random(n) < 0.7, "Pass", "Unclassified"), degree)
    faculty = np.where(rng.random(n) < 0.6, "Science and Engineering", "Health and Life Sciences")
    subject = np.array([FACULTIES[f][int(i)] for f, i in zip(faculty, rng.integers(0, 5, n))])
    mature = rng.random(n) < 0.12
    dis_group = _disability_group(disability)
    frame = pd.DataFrame({
        "student_id": (200000000 + rng.choice(10**8, size=n, replace=False)).astype(str),
        "ethnicity_code": ethnicity, "sex": sex, "disability_code": disability,
        "disability": np.where(dis_group == "Disabled", "yes", np.where(dis_group == "Unknown", "", "no")),
        "age_on_entry": np.where(mature, 21 + rng.integers(0, 15, n), 18 + rng.choice(3, n, p=[0.6, 0.3, 0.1])),
        "imd_quintile": rng.integers(1, 6, n),
        "tariff": np.clip(np.rint(rng.normal(124, 26, n)), 48, 224).astype(int),
        "faculty": faculty, "subject": subject, "entry_year": entry,
        "qualification_year": pd.array(np.where(completed, qualification, 0), dtype="Int64"),
        "degree_class": np.where(completed, degree, ""),
        "continued": np.where(continued, "yes", "no"),
        "completed": np.where(studying, "", np.where(completed, "yes", "no")), "mentored": "no"})
    frame.loc[~completed, "qualification_year"] = pd.NA
    frame = frame.sort_values("student_id", kind="stable").reset_index(drop=True)
    return frame, _student_truth(frame, shift_truth)


def _student_truth(frame: pd.DataFrame, shift: dict) -> dict:
    classified = frame[frame["degree_class"].isin(["First", "2:1", "2:2", "Third"])]
    cells = pd.Series([f"{d}, {s}" for d, s in zip(_disability_group(classified["disability_code"]),
                                                   _sex_group(classified["sex"]))], index=classified.index)
    good = classified["degree_class"].isin(["First", "2:1"])
    realised = {k: {"n": int(len(v)), "good": int(v.sum()), "rate": _round(v.mean())} for k, v in good.groupby(cells)}
    by_disability = good.groupby(_disability_group(classified["disability_code"])).mean()
    ref = GOOD_HONOURS[("No known disability", "Male")]
    shares = pd.Series(_disability_group(frame["disability_code"])).value_counts(normalize=True).sort_index()
    return {
        "good_honours_model": "P(good honours | classified) = the disability x sex cell's probability + an "
                              "ethnicity shift (White +, global majority -, Unknown 0, weighted by the ethnicity code "
                              "probabilities to average zero, so each cell's expected rate is its probability); "
                              "tariff, age, IMD, faculty and entry year move nothing",
        "analysis_groups": "the cohort's disability_by_sex groups read 'Female or other' for Female (the sex "
                           "characteristic's aggregate); no record has sex Other",
        "good_honours_probability": {f"{d}, {s}": p for (d, s), p in GOOD_HONOURS.items()},
        "good_honours_probability_unknown_part": GOOD_HONOURS_UNKNOWN,
        "intersection_gap_pp": {"reference": INTERSECTION_REFERENCE, "group": "disability_by_sex",
                                **{f"{d}, {s}": _round(100 * (ref - p), 2) for (d, s), p in GOOD_HONOURS.items()
                                   if (d, s) != ("No known disability", "Male")}},
        "disabled_female_below_no_known_disability_female_pp": _round(
            100 * (GOOD_HONOURS[("No known disability", "Female")] - GOOD_HONOURS[("Disabled", "Female")]), 2),
        "ethnicity_shift": shift, "ethnicity_gap_white_over_global_majority_pp": 100 * ETHNICITY_GAP,
        "realised": {"n": int(len(frame)), "classified": int(len(classified)), "good_honours_by_cell": realised,
                     "good_honours_rate_by_disability": {str(k): _round(v) for k, v in by_disability.items()},
                     "gap_no_known_minus_disabled_pp": _round(
                         100 * (by_disability["No known disability"] - by_disability["Disabled"]), 2),
                     "disability_group_share": {str(k): _round(v) for k, v in shares.items()}},
    }


# --------------------------------------------------------------------------- programme


def _link(participants: pd.DataFrame, staff: pd.DataFrame, roster: list[Person],
          seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Each participant's staff record: reverse mentors are this round's mentored staff (a White man among them
    holds a record that declares a disability or an LGB+ orientation), reverse mentees senior staff of their grade.

    The records then carry the participant's sex and ethnicity (the roster's, which their names follow; neither
    moves promotion) and the participant row the record's disability and sexual orientation codes and faculty."""
    rng = _stream(seed, "link")
    years = STEMM_STAFF_YEARS[-1], STEMM_STAFF_YEARS[-1] - 1
    last = staff[staff["year"] == years[0]]
    before = set(staff.loc[(staff["year"] == years[1]) & (staff["mentored"] == "yes"), "staff_id"])
    this_round = last[(last["mentored"] == "yes") & ~last["staff_id"].isin(before)]
    declared = (this_round["disability_code"].isin(DISABLED_CODES)
                | this_round["sexual_orientation_code"].isin(LGB_CODES)).to_numpy()
    pools = [list(rng.permutation(this_round["staff_id"].to_numpy()[m])) for m in (declared, ~declared)]
    chosen: dict[str, str] = {}
    mentors = [p for p in roster if p.role == "staff_partner"]
    for p in sorted(mentors, key=lambda p: not (p.sex == "M" and p.origin in ("british", "irish"))):
        first = pools[0] if p.sex == "M" and p.origin in ("british", "irish") else pools[1]
        chosen[p.pid] = (first or pools[0] or pools[1]).pop(0)
    senior = last[last["grade"].isin(GRADE_SCALE[10:]) & (last["mentored"] == "no")]
    for p in (p for p in roster if p.role == "senior_leader"):
        free = senior[~senior["staff_id"].isin(chosen.values())]
        same = free[free["grade"] == p.grade]
        chosen[p.pid] = str(rng.choice(np.sort((same if len(same) else free)["staff_id"].to_numpy())))
    person = {p.pid: p for p in roster}
    owner = {sid: person[pid] for pid, sid in chosen.items()}
    staff = staff.copy()
    rows = staff["staff_id"].isin(owner)
    staff.loc[rows, "sex"] = staff.loc[rows, "staff_id"].map(lambda s: owner[s].sex)
    staff.loc[rows, "ethnicity_code"] = staff.loc[rows, "staff_id"].map(lambda s: owner[s].code)
    record = last.set_index("staff_id")
    out = participants.copy()
    out["staff_id"] = out["participant_id"].map(chosen)
    out["student_id"] = ""
    for column in ("sexual_orientation_code", "disability_code"):
        out.insert(out.columns.get_loc("sex") + 1, column, out["staff_id"].map(record[column]))
    out["faculty"] = out["staff_id"].map(record["faculty"])
    no_records = out["consent_records"] == "no"
    truth = {"columns": ["staff_id"], "reverse_mentors": "this round's mentored staff (2024)",
             "mentored_records_of_no_consent": sorted(
                 out.loc[no_records & (out["role"] == "staff_partner"), "staff_id"])}
    return out, staff, truth


def _mentor_groups(participants: pd.DataFrame) -> dict:
    """How many reverse mentors belong to each under-represented group the records hold (one may be in several)."""
    m = participants[participants["role"] == "staff_partner"]
    white = [c for c, _ in STAFF_WHITE_CODES]
    groups = {"disabled": m["disability_code"].isin(DISABLED_CODES),
              "lgb_plus": m["sexual_orientation_code"].isin(LGB_CODES),
              "women": m["sex"] == "F", "global_majority": ~m["ethnicity_code"].isin(white)}
    counts = {k: int(v.sum()) for k, v in groups.items()}
    counts["in_none_recorded"] = int((~pd.concat(groups, axis=1).any(axis=1)).sum())
    return counts


def _stemm_meetings(meetings: pd.DataFrame, seed: int) -> pd.DataFrame:
    """About an hour each: the minutes of a held meeting redrawn from 50-75 (60 most often)."""
    rng = _stream(seed, "meetings")
    out = meetings.copy()
    held = out["attended"] == "yes"
    out.loc[held, "minutes"] = rng.choice([50, 55, 60, 60, 60, 65, 70, 75], size=int(held.sum()))
    return out


def _stemm_sessions(participants: pd.DataFrame, pairs: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, dict]:
    """Attendance by session type; each session invites its role (or everyone); withdrawn pairs miss later ones."""
    rng = _stream(seed, "sessions")
    ended = {}
    for row in pairs[pairs["status"] == "withdrawn"].itertuples():
        ended[row.senior_id] = ended[row.partner_id] = dt.date.fromisoformat(str(row.end_date))
    rows = []
    for name, when, kind, role, p_attend in STEMM_SESSIONS:
        invited = participants if role == "all" else participants[participants["role"] == role]
        for pid in invited["participant_id"]:
            attended = (pid not in ended or ended[pid] >= when) and rng.random() < p_attend
            rows.append({"participant_id": pid, "session": name, "session_type": kind, "date": when.isoformat(),
                         "attended": "yes" if attended else "no"})
    table = pd.DataFrame(rows)
    by_type = table.assign(attended=table["attended"] == "yes").groupby("session_type", sort=False)["attended"]
    truth = {"sessions": [{"session": n, "date": d.isoformat(), "session_type": k, "invited": r,
                           "p_attend_while_active": p,
                           "minutes": SESSION_MINUTES[k]} for n, d, k, r, p in STEMM_SESSIONS],
             "realised_by_type": {k: {"invited": int(v.size), "attended": int(v.sum()), "rate": _round(v.mean())}
                                  for k, v in by_type},
             "realised_attendance": {k: _round(v) for k, v in table.assign(attended=table["attended"] == "yes")
                                     .groupby("session", sort=False)["attended"].mean().items()}}
    return table, truth


def _stemm_words() -> dict[str, str]:
    """The interview bank's templates the STEMM cohort words differently (data/demo/stemm_interview_text.json)."""
    text = resources.files("rmresearch").joinpath("data/demo/stemm_interview_text.json").read_text(encoding="utf-8")
    return json.loads(text)["replace"]


def _stemm_bank(me: Person, words: dict[str, str]) -> dict:
    """What one interviewee is asked and says: the bank's questions, introductions and answers, in STEMM words."""
    swap = lambda templates: tuple(words.get(t, t) for t in templates)  # noqa: E731
    group, sub = ("leader", None) if me.role == "senior_leader" else ("partner", "staff")
    return {"questions": {theme: {g: swap(q) for g, q in asked.items()} for theme, asked in QUESTIONS.items()},
            "intros": swap(INTROS[group if sub is None else sub]),
            "answers": {theme: swap(said[group] + (said.get(sub, ()) if sub else ()))
                        for theme, said in ANSWERS.items()}}


def _stemm_interviews(roster: list[Person], people: list[Person], places: dict, seed: int) -> list[dict]:
    """Four speaker-labelled interviews of consenting participants: two reverse mentors, two reverse mentees."""
    rng = _stream(seed, "interviews")
    words = _stemm_words()
    evaluators, outsiders = people[:2], people[2:]
    plan = (("staff_partner", "txt"), ("senior_leader", "docx"), ("staff_partner", "docx"), ("senior_leader", "txt"))
    index = {p.pid: i for i, p in enumerate(roster)}
    said: set[str] = set()
    records, taken = [], set()
    for i, (role, fmt) in enumerate(plan):
        options = [p for p in roster if p.role == role and p.consent_interview and p.pid not in taken]
        me = options[int(rng.integers(len(options)))]
        taken.add(me.pid)
        k = index[me.pid]
        other = roster[k + STEMM_PAIRS] if k < STEMM_PAIRS else roster[k - STEMM_PAIRS]
        turns = _interview_turns(rng, me, other, evaluators[i % 2], outsiders, places, said=said,
                                 **_stemm_bank(me, words))
        rec = _render_interview(rng, turns, fmt, caption=False, first_names=False)
        rec.update(file=f"interview_{i + 1:02d}.{fmt}", format=fmt, participant_id=me.pid, auto_caption=False,
                   interviewer=evaluators[i % 2].full, date=f"2025-03-{10 + 3 * i:02d}")
        records.append(rec)
    return records



#: The cohort's own wording of four shipped survey instruments (data/demo/stemm_instruments/), written where
#: cohorts/stemm.yml's options.survey_instruments looks (same scales and items: about STEMM's under-represented
#: groups, not race alone).
STEMM_INSTRUMENTS = ("burden", "inclusive_leadership", "lived_experience", "psychological_safety")
STEMM_INSTRUMENT_FOLDER = Path("surveys/stemm/instruments")


def _instrument_files(out: Path) -> dict[Path, bytes]:
    """The instrument files to write, once the write guard allows them (new, or a previous demo's)."""
    from ..guard import check_demo_output

    files = {STEMM_INSTRUMENT_FOLDER / f"{name}.yml": resources.files("rmresearch").joinpath(
        f"data/demo/stemm_instruments/{name}.yml").read_bytes() for name in STEMM_INSTRUMENTS}
    config = {"cohorts/stemm.yml": _stemm_config_bytes()}  # a target too: its own instruments folder is no other's
    check_demo_output(out, [*config, *files], previous_marker=Path("data/stemm/ground_truth/effects.json"),
                      unchanged=config | {str(k): v for k, v in files.items()})
    return files


def _stemm_tables(seed: int, n_students: int, n_staff: int) -> tuple[dict, dict, tuple]:
    """Every table, each part's truth and the invented people (a roster of its own: the names seed is seed + 1)."""
    roster, people, places = _make_roster(seed + 1, STEMM_PAIRS, ["staff_partner"] * STEMM_PAIRS,
                                          staff_origins=STEMM_MENTOR_ORIGINS)
    tables, programme_truth = _programme(roster, seed, n_pairs=STEMM_PAIRS, n_withdrawn=1, n_partner_led=3,
                                         declined=(1, 2), cohort=STEMM)
    tables["meetings"] = _stemm_meetings(tables["meetings"], seed)
    programme_truth.pop("minutes_uniform")
    programme_truth["minutes"] = "held meetings: 50-75 minutes, 60 most often"
    tables["sessions"], programme_truth["sessions"] = _stemm_sessions(tables["participants"], tables["pairs"], seed)
    tables["pre"], tables["post"], survey_truth = _surveys(tables["participants"], tables["pairs"], seed)
    tables["students"], student_truth = _stemm_students(n_students, seed)
    staff, at_risk = _stemm_staff(n_staff, seed)
    tables["participants"], tables["staff"], programme_truth["records_linkage"] = _link(
        tables["participants"], staff, roster, seed)
    tables["actions"] = actions_log(tables["pairs"], STEMM_ACTIONS)
    tables["recruitment"], recruitment_truth = _stemm_recruitment(n_staff, seed)
    stemm = {"staff": _staff_truth(tables["staff"], at_risk), "students": student_truth,
             "recruitment": recruitment_truth,
             "reverse_mentor_groups": _mentor_groups(tables["participants"]),
             "roles": {"staff_partner": "reverse mentor (junior, from an under-represented group)",
                       "senior_leader": "reverse mentee (senior leader)"},
             "actions": {"actions": len(tables["actions"]), "by_status": {
                 str(k): int(v) for k, v in tables["actions"]["status"].value_counts().sort_index().items()}}}
    return tables, {"stemm": stemm, "programme": programme_truth, "surveys": survey_truth}, (roster, people, places)


def generate_stemm(out_dir: str | Path = ".", *, seed: int = 2024, n_students: int = 4000, n_staff: int = 1200,
                   progress: bool = False) -> dict:
    """Write the reverse-mentoring STEMM demo cohort and its ground truth under ``out_dir``.

    Writes ``cohorts/stemm.yml`` and the inputs it names (``data/stemm``, ``surveys/stemm``,
    ``interviews/stemm/raw``), plus ``data/stemm/ground_truth/effects.json`` (part ``stemm``: the injected
    promotion ratio and disability x sex gaps with the values realised in this draw) and ``identifiers.jsonl``.
    ``n_staff`` is the staff headcount of each census (2019-2024). The same ``seed`` gives byte-identical files.

    >>> generate_stemm("unused", n_students=100)
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: stemm size: 100 students and 1200 staff asked for; each must be at least 300 ...
    """
    _check_size("stemm", n_students, n_staff, 300)
    instruments = _instrument_files(Path(out_dir))
    out, inputs, w = _start(out_dir, _stemm_config_bytes(), "cohorts/stemm.yml", progress)
    w.note("stemm tables")
    tables, truth, (roster, people, places) = _stemm_tables(seed, n_students, n_staff)
    for name in ("participants", "pairs", "meetings", "sessions", "students", "staff", "recruitment", "actions"):
        w.table(inputs[name], tables[name])
    w.table(inputs["surveys"]["pre"], tables["pre"])
    w.table(inputs["surveys"]["post"], tables["post"])
    truth_dir = Path(inputs["participants"]).parent / "ground_truth"
    for rel, data in instruments.items():
        w.bytes(rel, data)
    w.note("stemm interviews")
    records = _write_interviews(w, inputs, _stemm_interviews(roster, people, places, seed), truth_dir)
    w.table(inputs["interview_manifest"], _manifest(records))
    effects = {
        "generator": {"module": "rmresearch.synthetic", "function": "generate_stemm", "seed": seed,
                      "n_students": n_students, "n_staff": n_staff},
        "cohort": {"id": STEMM, "programme_type": "reverse", "start_date": COHORT_START.isoformat(),
                   "end_date": COHORT_END.isoformat(), "pairs": STEMM_PAIRS, "planned_meetings": PLANNED_MEETINGS},
        **truth,
        "interviews": _interview_truth(records, people, places, truth["programme"]["consent_interview_no"]),
    }
    _finish(w, inputs, truth_dir, effects, seed)
    return {
        "out_dir": str(out.resolve()), "config": str((out / "cohorts/stemm.yml").resolve()),
        "files": sorted(str(p.relative_to(out)) for p in w.written),
        "counts": {name: len(tables[name]) for name in ("participants", "pairs", "meetings", "students", "staff")}
        | {"transcripts": len(records)},
        "effects": effects,
        "seconds": round(time.perf_counter() - w.began, 2),
    }
