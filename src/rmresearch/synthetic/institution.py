"""The invented institution: faculties, roles and places, and the truth injected into its records.

The models and shares below are the "true" values the demo's student, staff and
recruitment tables are drawn from; ``effects.json`` records them next to the
values realised in a draw.
"""

from __future__ import annotations

import numpy as np

from .common import DOMAIN

GRADE_SCALE = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "Professor", "Director", "Executive")

# --------------------------------------------------------------------------- places and roles

FACULTIES = {
    "Arts and Humanities": ("English", "History", "Music", "Philosophy", "Modern Languages"),
    "Business and Law": ("Law", "Accounting", "Business Management", "Economics"),
    "Health and Life Sciences": ("Nursing", "Pharmacy", "Biomedical Science", "Psychology", "Midwifery"),
    "Science and Engineering": ("Computer Science", "Mechanical Engineering", "Chemistry", "Physics", "Mathematics"),
    "Social Sciences": ("Sociology", "Education", "Social Work", "Politics", "Criminology"),
}
FACULTY_NAMES = tuple(FACULTIES)
DIRECTORATES = (
    "Estates", "Human Resources", "Student Services", "Finance", "Library Services", "Marketing and Recruitment",
    "Research Services", "Digital Services", "Academic Registry",
)
EXECUTIVE_ROLES = (
    "Pro Vice-Chancellor for Education", "Pro Vice-Chancellor for Research", "Deputy Vice-Chancellor",
    "Chief Operating Officer", "Pro Vice-Chancellor for Student Experience", "Chief People Officer",
)
BUILDING_KINDS = ("Building", "Library", "Centre", "Lecture Theatre")
STREET_KINDS = ("Road", "Street", "Avenue", "Lane")
MONTHS = ("November", "December", "January", "February", "March")
YEARS_OF_STUDY = ("first", "second", "third", "final")
SCHEME_URL = f"https://www.{DOMAIN}/equality/reciprocal-mentoring"

# --------------------------------------------------------------------------- institutional truth

STUDENT_ETHNICITY = (
    ("10", 0.06), ("11", 0.55), ("12", 0.015), ("13", 0.01), ("15", 0.002), ("19", 0.063),
    ("21", 0.02), ("22", 0.05), ("29", 0.01),
    ("31", 0.04), ("32", 0.035), ("33", 0.015), ("34", 0.02), ("39", 0.02),
    ("41", 0.015), ("42", 0.01), ("43", 0.015), ("49", 0.01),
    ("50", 0.008), ("80", 0.012),
    ("90", 0.012), ("98", 0.008),
)
GROUPS = ("White", "Asian", "Black", "Mixed", "Other", "Unknown")
BAME_GROUPS = ("Asian", "Black", "Mixed", "Other")
IMD_PROBS = {  # P(quintile 1..5) by group
    "White": (0.15, 0.18, 0.20, 0.22, 0.25), "Asian": (0.30, 0.25, 0.18, 0.15, 0.12),
    "Black": (0.38, 0.26, 0.16, 0.12, 0.08), "Mixed": (0.25, 0.22, 0.20, 0.18, 0.15),
    "Other": (0.30, 0.25, 0.18, 0.15, 0.12), "Unknown": (0.18, 0.19, 0.20, 0.21, 0.22),
}
TARIFF = {"mean": 128.0, "sd": 28.0, "per_imd_quintile": 6.0, "mature": -10.0,
          "group_shift": {"White": 0.0, "Asian": -12.0, "Black": -24.0, "Mixed": -6.0, "Other": -12.0, "Unknown": -3.0}}
FACULTY_PROBS = (0.20, 0.22, 0.20, 0.20, 0.18)
# Logistic models. Covariates: tariff_z = (tariff - 128) / 28 (the true tariff, also where the
# record is missing), age10 = (age_on_entry - 18) / 10, female, disability, imd_c = quintile - 3,
# faculty and ethnicity-group indicators (reference: first faculty, White), mentored.
GOOD_HONOURS_MODEL = {
    "intercept": 1.30, "tariff_z": 0.55, "age10": -0.20, "female": 0.20, "disability": -0.15, "imd_c": 0.12,
    "faculty": {"Arts and Humanities": 0.0, "Business and Law": -0.25, "Health and Life Sciences": 0.10,
                "Science and Engineering": -0.10, "Social Sciences": 0.05},
    "group": {"White": 0.0, "Asian": -0.30, "Black": -0.50, "Mixed": -0.15, "Other": -0.30, "Unknown": -0.10},
    "mentored": 0.70,
}
CONTINUATION_MODEL = {
    "intercept": 2.40, "tariff_z": 0.40, "age10": -0.25, "female": 0.10, "disability": -0.15, "imd_c": 0.08,
    "group": {"White": 0.0, "Asian": 0.0, "Black": -0.35, "Mixed": -0.15, "Other": -0.10, "Unknown": 0.0},
}
COMPLETION_MODEL = {  # among continuers
    "intercept": 2.00, "tariff_z": 0.30, "age10": -0.20, "female": 0.10, "disability": -0.20, "imd_c": 0.05,
    "group": {"White": 0.0, "Asian": -0.10, "Black": -0.30, "Mixed": -0.10, "Other": -0.10, "Unknown": 0.0},
    "mentored": 0.40,
}
MENTORED_STUDENT_PROBS = {"White": 0.01, "Asian": 0.24, "Black": 0.45, "Mixed": 0.12, "Other": 0.10, "Unknown": 0.0}

STAFF_GRADE_SHARE = (0.04, 0.06, 0.09, 0.10, 0.12, 0.13, 0.14, 0.11, 0.08, 0.05, 0.05, 0.02, 0.01)
STAFF_HIRE_SHARE = (0.07, 0.09, 0.12, 0.12, 0.13, 0.13, 0.12, 0.09, 0.06, 0.03, 0.03, 0.008, 0.002)
STAFF_BAME_SHARE = (0.22, 0.22, 0.21, 0.20, 0.18, 0.17, 0.16, 0.13, 0.11, 0.09, 0.08, 0.05, 0.04)
STAFF_ACADEMIC_SHARE = (0.0, 0.0, 0.0, 0.0, 0.2, 0.6, 0.6, 0.6, 0.6, 0.8, 1.0, 0.2, 0.5)
STAFF_UNKNOWN_RATE = 0.015
STAFF_WHITE_CODES = (("10", 0.10), ("11", 0.70), ("12", 0.05), ("19", 0.15))
STAFF_BAME_CODES = (
    ("21", 0.08), ("22", 0.16), ("29", 0.02), ("31", 0.18), ("32", 0.08), ("33", 0.04), ("34", 0.14),
    ("39", 0.06), ("41", 0.04), ("42", 0.03), ("43", 0.05), ("49", 0.03), ("50", 0.04), ("80", 0.05),
)
STAFF_UNKNOWN_CODES = (("90", 0.6), ("98", 0.4))
# Discrete-time grouped proportional hazards: P(event in a year) = 1 - exp(-exp(b0 + b.x)).
# Baseline yearly probabilities by grade; x = (bame, mentored). Unknown ethnicity has x_bame = 0.
STAFF_PROMOTION_BASE = (0.10, 0.10, 0.10, 0.10, 0.08, 0.08, 0.08, 0.08, 0.07, 0.05, 0.02, 0.03, 0.0)
STAFF_LEAVING_BASE = 0.09
STAFF_PROMOTION_LOG_HR = {"bame": float(np.log(0.7)), "mentored": float(np.log(1.4))}
STAFF_LEAVING_LOG_HR = {"bame": float(np.log(1.3)), "mentored": float(np.log(0.8))}
STAFF_YEARS = tuple(range(2017, 2025))
STAFF_MENTORING_COHORTS = (2021, 2022, 2023, 2024)  # cohort start years; 2024 is this (demo) cohort
STAFF_MENTORED_PER_COHORT = 12

RECRUITMENT_GRADES = ("3", "4", "5", "6", "7", "8", "9", "10", "Professor")
RECRUITMENT_APPLICANTS = (840, 760, 600, 520, 480, 320, 180, 90, 60)  # per year at n_staff = 3000
RECRUITMENT_APPLICANT_SHARE = {"White": 0.56, "Asian": 0.21, "Black": 0.13, "Mixed": 0.05, "Other": 0.05}
RECRUITMENT_SHORTLIST_RATE = {"White": 0.22, "Asian": 0.17, "Black": 0.15, "Mixed": 0.19, "Other": 0.17}
RECRUITMENT_APPOINT_RATE = {"White": 0.30, "Asian": 0.20, "Black": 0.20, "Mixed": 0.20, "Other": 0.20}
