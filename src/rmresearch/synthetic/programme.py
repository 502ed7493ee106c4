"""Programme records: participants, pairs, meetings, session attendance and record linkage."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

from .common import COHORT, COHORT_END, COHORT_START, N_PAIRS, PLANNED_MEETINGS, _round, _rng, _yes
from .people import Person


#: The programme's group sessions: (name, date, probability of attending while the pair is active).
SESSIONS = (
    ("Introductory training", dt.date(2024, 10, 1), 0.92),
    ("Midpoint reflection", dt.date(2025, 1, 8), 0.78),
    ("Final reflection", dt.date(2025, 3, 26), 0.70),
)


def _participants_table(roster: list[Person], rng: np.random.Generator, n_pairs: int = N_PAIRS, declined: tuple = (2, 3),
                        cohort: str = COHORT) -> pd.DataFrame:
    """The roster as a table; ``declined`` people (interview, records) drawn without that consent."""
    consent_interview = np.ones(len(roster), dtype=bool)
    consent_records = np.ones(len(roster), dtype=bool)
    # Two people declined interviews (not the featured name shapes), three declined record linkage.
    featured_pairs = {int(p.pid[1:]) % n_pairs for p in roster if p.featured}
    eligible = [i for i, p in enumerate(roster) if int(p.pid[1:]) % n_pairs not in featured_pairs]
    consent_interview[rng.choice(eligible, size=declined[0], replace=False)] = False
    consent_records[rng.choice(len(roster), size=declined[1], replace=False)] = False
    for p, c in zip(roster, consent_interview):
        p.consent_interview = bool(c)
    return pd.DataFrame({
        "participant_id": [p.pid for p in roster],
        "name": [p.full for p in roster],
        "aliases": ["; ".join(p.aliases) for p in roster],
        "cohort": cohort,
        "role": [p.role for p in roster],
        "ethnicity_code": [p.code for p in roster],
        "sex": [p.sex for p in roster],
        "grade": [p.grade for p in roster],
        "faculty": [p.faculty for p in roster],
        "consent_interview": _yes(consent_interview),
        "consent_records": _yes(consent_records),
    })



def _sessions(participants: pd.DataFrame, pairs: pd.DataFrame, seed: int,
              sessions: tuple = SESSIONS) -> tuple[pd.DataFrame, dict]:
    """Attendance at training and reflective sessions (``sessions``: name, date, probability of attending while
    active); people in withdrawn pairs miss sessions after withdrawal."""
    rng = _rng(seed, "sessions")
    ended = {}
    for row in pairs.itertuples():
        if row.status == "withdrawn":
            ended[row.senior_id] = ended[row.partner_id] = dt.date.fromisoformat(str(row.end_date))
    rows = []
    for name, when, p_attend in sessions:
        for pid in participants["participant_id"]:
            active = pid not in ended or ended[pid] >= when
            attended = bool(active and rng.random() < p_attend)
            rows.append({"participant_id": pid, "session": name, "date": when.isoformat(), "attended": "yes" if attended else "no"})
    table = pd.DataFrame(rows)
    realised = table.assign(attended=table["attended"] == "yes").groupby("session", sort=False)["attended"].mean()
    truth = {"sessions": [{"session": n, "date": d.isoformat(), "p_attend_while_active": p} for n, d, p in sessions],
             "realised_attendance": {k: _round(v) for k, v in realised.items()}}
    return table, truth


def _programme(roster: list[Person], seed: int, *, n_pairs: int = N_PAIRS, n_withdrawn: int = 3, n_partner_led: int = 6,
               declined: tuple = (2, 3), cohort: str = COHORT) -> tuple[dict[str, pd.DataFrame], dict]:
    """Participants, pairs and meetings, with the programme's truth (``n_pairs`` pairs: P(k) with P(n_pairs + k))."""
    rng = _rng(seed, "programme")
    participants = _participants_table(roster, rng, n_pairs, declined, cohort)
    start = np.datetime64(COHORT_START) + rng.integers(0, 21, n_pairs)
    featured_pairs = {int(p.pid[1:]) % n_pairs for p in roster if p.featured}
    candidates = [k for k in range(n_pairs) if (k + 1) % n_pairs not in featured_pairs]
    withdrawn = sorted(int(k) for k in rng.choice(candidates, size=n_withdrawn, replace=False))
    # Pairs where the partner arranges most meetings (a burden signal).
    partner_led = sorted(int(k) for k in rng.choice(n_pairs, size=n_partner_led, replace=False))
    end_of_cohort = np.datetime64(COHORT_END)
    pairs_rows, meeting_rows, withdrawals = [], [], []
    for k in range(n_pairs):
        pair_id = f"R{k + 1:02d}"
        offsets = np.arange(PLANNED_MEETINGS) * 28 + np.concatenate([[int(rng.integers(3, 10))], rng.integers(-4, 8, PLANNED_MEETINGS - 1)])
        dates = np.minimum(start[k] + offsets, end_of_cohort - 1)
        attended = rng.random(PLANNED_MEETINGS) < 0.88
        p_partner = 0.7 if k in partner_led else 0.25
        initiated = rng.choice(["senior", "partner", "facilitator"], size=PLANNED_MEETINGS,
                               p=[0.85 - p_partner, p_partner, 0.15])
        minutes = rng.choice(np.arange(45, 101, 5), size=PLANNED_MEETINGS).astype(float)
        end_date, status = COHORT_END.isoformat(), "completed"
        if k in withdrawn:
            held = int(rng.integers(2, 5))  # meetings scheduled before the pair stopped
            attended[held - 1] = held == 2  # the last one before withdrawing often fell through
            end = dates[held - 1] + int(rng.integers(7, 21))
            dates, attended, initiated, minutes = dates[:held], attended[:held], initiated[:held], minutes[:held]
            end_date, status = str(end), "withdrawn"
            withdrawals.append({"pair_id": pair_id, "end_date": str(end), "meetings_scheduled": held,
                                "meetings_attended": int(attended.sum())})
        pairs_rows.append({"pair_id": pair_id, "senior_id": roster[k].pid, "partner_id": roster[n_pairs + k].pid,
                           "start_date": str(start[k]), "end_date": end_date, "status": status})
        for d, a, i, m in zip(dates, attended, initiated, minutes):
            meeting_rows.append({"pair_id": pair_id, "date": str(d), "minutes": int(m) if a else None,
                                 "attended": "yes" if a else "no", "initiated_by": i})
    pairs = pd.DataFrame(pairs_rows)
    meetings = pd.DataFrame(meeting_rows)
    meetings["minutes"] = meetings["minutes"].astype("Int64")
    attended = meetings[meetings["attended"] == "yes"]
    truth = {
        "planned_meetings": PLANNED_MEETINGS,
        "attendance_probability": 0.88,
        "minutes_uniform": [45, 100],
        "withdrawn_pairs": withdrawals,
        "partner_led_pairs": {"pair_ids": [f"R{k + 1:02d}" for k in partner_led],
                              "p_initiated_by": {"partner": 0.7, "senior": 0.15, "facilitator": 0.15}},
        "other_pairs_p_initiated_by": {"partner": 0.25, "senior": 0.6, "facilitator": 0.15},
        "realised": {
            "meetings_scheduled": int(len(meetings)),
            "meetings_attended": int(len(attended)),
            "mean_minutes_attended": _round(attended["minutes"].astype(float).mean(), 2),
            "share_initiated_by_partner": _round((meetings["initiated_by"] == "partner").mean()),
        },
        "consent_interview_no": participants.loc[participants["consent_interview"] == "no", "participant_id"].tolist(),
        "consent_records_no": participants.loc[participants["consent_records"] == "no", "participant_id"].tolist(),
    }
    return {"participants": participants, "pairs": pairs, "meetings": meetings}, truth


def _link_records(participants: pd.DataFrame, students: pd.DataFrame, staff: pd.DataFrame,
                  seed: int) -> tuple[pd.DataFrame, dict]:
    """Each participant's ``student_id``/``staff_id``: the record that links them to the institution's tables.

    Student partners are mentored students; staff partners are staff flagged as mentored in the last snapshot;
    senior leaders are senior staff who are not. Participants without consent to records linkage keep their link
    here (the institution knows it) and rmresearch must leave it unused.
    """
    rng = _rng(seed, "linkage")
    last = staff.loc[staff["year"] == staff["year"].max()]
    pools = {
        "student_partner": ("student_id", students.loc[students["mentored"] == "yes", "student_id"].unique()),
        "staff_partner": ("staff_id", last.loc[last["mentored"] == "yes", "staff_id"].unique()),
        "senior_leader": ("staff_id", last.loc[(last["mentored"] == "no")
                                               & last["grade"].isin(["Professor", "Director", "Executive"]), "staff_id"].unique()),
    }
    seniors = int((participants["role"] == "senior_leader").sum())
    if len(pools["senior_leader"][1]) < seniors:  # a small demo: senior leaders from the other staff not mentored
        others = last.loc[(last["mentored"] == "no") & ~last["staff_id"].isin(pools["senior_leader"][1]), "staff_id"].unique()
        pools["senior_leader"] = ("staff_id", np.concatenate([pools["senior_leader"][1], others[:seniors]]))
    out = participants.copy()
    out["student_id"] = ""
    out["staff_id"] = ""
    for role, (column, pool) in pools.items():
        rows = np.flatnonzero((out["role"] == role).to_numpy())
        chosen = rng.choice(np.sort(pool), size=min(len(rows), len(pool)), replace=False)
        out.loc[out.index[rows[:len(chosen)]], column] = chosen
    # an institutional e-mail address (at the reserved .example domain), as a survey platform's contact list holds
    # it: the key a Qualtrics or Forms export links respondents by (options.surveys.link); no survey_id here
    def address(name: str) -> str:  # "Cathal Ó Súilleabháin" -> cathal.osuilleabhain@anytown.example
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().split()
        return f"{ascii_name[0]}.{''.join(re.sub('[^a-z]+', '', p) for p in ascii_name[1:])}@anytown.example"

    out["email"] = [address(str(name)) for name in out["name"]]
    out["survey_id"] = ""
    no_records = out["consent_records"] == "no"
    truth = {
        "columns": ["student_id", "staff_id"],
        "mentored_records_of_no_consent": sorted(
            [str(v) for v in out.loc[no_records & (out["role"] != "senior_leader"), ["student_id", "staff_id"]].to_numpy().ravel() if v]),
    }
    return out, truth

