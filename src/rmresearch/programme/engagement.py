"""Engagement and fidelity: participants and pairs, meetings against the plan, timing, withdrawal, sessions.

:func:`engagement_by_pair` (meetings against the plan, time to first meeting,
gaps, withdrawal and its timing, session attendance), :func:`fidelity_summary`,
:func:`withdrawal_timing`, :func:`session_attendance`, :func:`meetings_over_time`
and :func:`record_session_attendance`. Figures are in :mod:`rmresearch.programme.plots`.
"""

from __future__ import annotations

import pandas as pd

from ..codes import ROLES
from ..errors import AnalysisError
from .common import held_meetings, require_columns

__all__ = [
    "participants_by_role",
    "pairs_by_status",
    "meetings_per_pair",
    "pairs_by_meetings_held",
    "engagement_summary",
    "engagement_by_pair",
    "fidelity_summary",
    "withdrawal_timing",
    "session_attendance",
    "meetings_over_time",
    "record_session_attendance",
    "withdrawal_sentence",
]


def participants_by_role(participants: pd.DataFrame, *, group: str | None = "ethnicity_group") -> pd.DataFrame:
    """Participants counted by role (rows) and group (columns), with a ``Total`` column.

    With ``group=None``, the ``Total`` column only: participants by role, programme activity.

    Roles appear in the scheme's order (senior leaders first); groups in the
    order they first appear, ``Unknown`` last.

    Examples
    --------
    >>> p = pd.DataFrame({"role": ["senior_leader", "senior_leader", "staff_partner"],
    ...                   "ethnicity_group": ["White", "Asian", "Black"]})
    >>> participants_by_role(p)
                   Asian  Black  White  Total
    role
    senior_leader      1      0      1      2
    staff_partner      0      1      0      1
    """
    require_columns(participants, ["role", *([group] if group is not None else [])], "participants")
    if group is None:
        table = participants.groupby("role").size().to_frame("Total")
        order = [r for r in ROLES if r in table.index] + [r for r in table.index if r not in ROLES]
        return table.loc[order]
    table = pd.crosstab(participants["role"], participants[group])
    order = [r for r in ROLES if r in table.index] + [r for r in table.index if r not in ROLES]
    cols = sorted(c for c in table.columns if c != "Unknown") + [c for c in table.columns if c == "Unknown"]
    table = table.loc[order, cols]
    table["Total"] = table.sum(axis=1)
    table.columns.name = None
    return table


def pairs_by_status(pairs: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """Pairs counted by the partner's role (rows) and status (columns), with totals."""
    require_columns(pairs, ["pair_id", "partner_id", "status"], "pairs")
    roles = participants.set_index("participant_id")["role"]
    partner_role = pairs["partner_id"].map(roles).fillna("unknown participant")
    table = pd.crosstab(partner_role.rename("partner_role"), pairs["status"])
    for status in ("completed", "withdrawn", "active"):
        if status not in table.columns:
            table[status] = 0
    table = table[["completed", "withdrawn", "active"]]
    table["Total"] = table.sum(axis=1)
    table.columns.name = None
    return table


def meetings_per_pair(meetings: pd.DataFrame, pairs: pd.DataFrame, *, planned: int) -> pd.DataFrame:
    """One row per pair: meetings scheduled and held, minutes, and share of the plan.

    Columns: ``pair_id, status, scheduled, held, minutes_total, minutes_mean,
    share_of_plan`` (held ÷ planned, capped at 1), ``first_meeting, last_meeting``.
    Pairs with no meeting records appear with zero meetings.

    Examples
    --------
    >>> pairs = pd.DataFrame({"pair_id": ["R1", "R2"], "status": ["completed", "withdrawn"]})
    >>> meetings = pd.DataFrame({"pair_id": ["R1", "R1", "R1"],
    ...     "date": pd.to_datetime(["2024-10-01", "2024-11-01", "2024-12-01"]),
    ...     "minutes": [60.0, 90.0, None], "attended": [True, True, False]})
    >>> meetings_per_pair(meetings, pairs, planned=4)[["pair_id", "held", "minutes_total", "share_of_plan"]]
      pair_id  held  minutes_total  share_of_plan
    0      R1     2          150.0            0.5
    1      R2     0            0.0            0.0
    """
    if planned < 1:
        raise AnalysisError(f"planned must be at least 1 meeting, not {planned} (config.planned_meetings in the cohort file).")
    require_columns(meetings, ["pair_id", "date", "minutes", "attended"], "meetings")
    held = held_meetings(meetings)
    per_pair = pd.DataFrame(
        {
            "scheduled": meetings.groupby("pair_id").size(),
            "held": held.groupby("pair_id").size(),
            "minutes_total": held.groupby("pair_id")["minutes"].sum(min_count=1),
            "minutes_mean": held.groupby("pair_id")["minutes"].mean(),
            "first_meeting": held.groupby("pair_id")["date"].min(),
            "last_meeting": held.groupby("pair_id")["date"].max(),
        }
    )
    out = pairs[["pair_id", "status"]].merge(per_pair, left_on="pair_id", right_index=True, how="left")
    for col in ("scheduled", "held"):
        out[col] = out[col].fillna(0).astype(int)
    out["minutes_total"] = out["minutes_total"].fillna(0.0)
    out["share_of_plan"] = (out["held"] / planned).clip(upper=1.0)
    return out.reset_index(drop=True)[
        ["pair_id", "status", "scheduled", "held", "minutes_total", "minutes_mean", "share_of_plan", "first_meeting", "last_meeting"]
    ]


def pairs_by_meetings_held(per_pair: pd.DataFrame, *, planned: int) -> pd.DataFrame:
    """How many pairs held 0, 1, ..., ``planned`` (or more) meetings."""
    held = per_pair["held"].clip(upper=planned)
    counts = held.value_counts().reindex(range(planned + 1), fill_value=0)
    labels = [str(i) for i in range(planned)] + [f"{planned} or more"]
    return pd.DataFrame({"meetings_held": labels, "pairs": counts.to_numpy()})


def engagement_summary(per_pair: pd.DataFrame, *, planned: int) -> pd.DataFrame:
    """Cohort-level engagement, one row per measure.

    Columns: ``measure``; ``pairs`` (a count of pairs, for counting measures);
    ``mean`` (for averages) and ``n`` (the number of pairs the figure rests on),
    ready for :func:`rmresearch.disclosure.disclose` with ``counts=["pairs", "n"]``
    and ``means={"mean": "n"}``.

    Examples
    --------
    >>> per_pair = pd.DataFrame({"held": [6, 4, 0], "minutes_total": [420.0, 240.0, 0.0],
    ...                          "status": ["completed", "completed", "withdrawn"]})
    >>> engagement_summary(per_pair, planned=6)
                                 measure  pairs   mean  n
    0                              Pairs    3.0    NaN  3
    1  Pairs that held every planned meeting    1.0    NaN  3
    2                Pairs that withdrew    1.0    NaN  3
    3        Mean meetings held per pair    NaN    3.333333  3
    4      Mean minutes per meeting held    NaN   66.0  2
    """
    n = len(per_pair)
    held = per_pair["held"]
    nan = float("nan")
    rows = [
        ("Pairs", float(n), nan, n),
        ("Pairs that held every planned meeting", float((held >= planned).sum()), nan, n),
        ("Pairs that withdrew", float((per_pair["status"] == "withdrawn").sum()), nan, n),
        ("Mean meetings held per pair", nan, float(held.mean()) if n else nan, n),
        (
            "Mean minutes per meeting held",
            nan,
            float(per_pair["minutes_total"].sum() / held.sum()) if held.sum() else nan,
            int((held > 0).sum()),
        ),
    ]
    return pd.DataFrame(rows, columns=["measure", "pairs", "mean", "n"])



def engagement_by_pair(
    meetings: pd.DataFrame,
    pairs: pd.DataFrame,
    *,
    planned: int,
    participants: pd.DataFrame | None = None,
    sessions: pd.DataFrame | None = None,
    long_gap_days: int = 62,
) -> pd.DataFrame:
    """One row per pair: meetings against the plan, timing, gaps, withdrawal and session attendance.

    Parameters
    ----------
    meetings, pairs
        Validated ``meetings`` and ``pairs`` tables.
    planned
        Meetings the programme plans per pair (``config.planned_meetings``).
    participants
        Optional: adds ``partner_role``.
    sessions
        Optional attendance at training and reflective sessions, one row per
        participant per session: ``participant_id, session, attended``. Adds
        ``senior_sessions`` and ``partner_sessions`` (sessions attended).
    long_gap_days
        A gap between consecutive meetings longer than this is flagged
        (default 62 days: a missed month in a monthly plan).

    Returns
    -------
    DataFrame
        ``pair_id, partner_role, status, start_date, end_date, scheduled, held,
        not_held, planned, share_of_plan, met_plan, minutes_total, minutes_mean,
        first_meeting, last_meeting, days_to_first_meeting, mean_gap_days,
        max_gap_days, long_gap, withdrawn, days_to_withdrawal,
        held_before_withdrawal`` (+ session columns). Day counts are NaN where
        they do not apply (no meeting; fewer than two meetings; not withdrawn).

    Examples
    --------
    >>> pairs = pd.DataFrame({"pair_id": ["R1", "R2"], "status": ["completed", "withdrawn"],
    ...     "start_date": pd.to_datetime(["2024-10-01", "2024-10-01"]),
    ...     "end_date": pd.to_datetime(["2025-03-31", "2024-12-15"])})
    >>> meetings = pd.DataFrame({"pair_id": ["R1", "R1", "R1", "R2"],
    ...     "date": pd.to_datetime(["2024-10-08", "2024-11-05", "2025-01-28", "2024-10-20"]),
    ...     "minutes": [60.0, 60.0, 90.0, 45.0], "attended": [True, True, True, True]})
    >>> t = engagement_by_pair(meetings, pairs, planned=6)
    >>> t[["pair_id", "held", "days_to_first_meeting", "max_gap_days"]]
      pair_id  held  days_to_first_meeting  max_gap_days
    0      R1     3                    7.0          84.0
    1      R2     1                   19.0           NaN
    >>> t[["long_gap", "withdrawn", "days_to_withdrawal"]]
       long_gap  withdrawn  days_to_withdrawal
    0      True      False                 NaN
    1     False       True                75.0
    """
    require_columns(pairs, ["pair_id", "start_date", "status"], "pairs")
    base = meetings_per_pair(meetings, pairs, planned=planned)
    info = pairs.set_index("pair_id")
    out = base.copy()
    start = pd.to_datetime(out["pair_id"].map(info["start_date"]))
    end = pd.to_datetime(out["pair_id"].map(info["end_date"])) if "end_date" in info.columns else pd.Series(pd.NaT, index=out.index)
    out.insert(2, "start_date", start)
    out.insert(3, "end_date", end)
    if participants is not None and "partner_id" in pairs.columns:
        roles = participants.set_index("participant_id")["role"]
        out.insert(1, "partner_role", out["pair_id"].map(info["partner_id"]).map(roles))
    else:
        out.insert(1, "partner_role", pd.NA)
    out["not_held"] = out["scheduled"] - out["held"]
    out["planned"] = planned
    out["met_plan"] = out["held"] >= planned
    out["days_to_first_meeting"] = (pd.to_datetime(out["first_meeting"]) - start).dt.days.astype(float)
    held = held_meetings(meetings).sort_values(["pair_id", "date"])
    gaps = held.groupby("pair_id")["date"].diff().dt.days
    gap_by_pair = pd.DataFrame({"pair_id": held["pair_id"], "gap": gaps}).dropna().groupby("pair_id")["gap"]
    out["mean_gap_days"] = out["pair_id"].map(gap_by_pair.mean()).astype(float)
    out["max_gap_days"] = out["pair_id"].map(gap_by_pair.max()).astype(float)
    out["long_gap"] = (out["max_gap_days"] > long_gap_days).fillna(False).astype(bool)
    out["withdrawn"] = out["status"] == "withdrawn"
    out["days_to_withdrawal"] = ((end - start).dt.days.astype(float)).where(out["withdrawn"])
    out["held_before_withdrawal"] = out["held"].where(out["withdrawn"]).astype(float)
    columns = [
        "pair_id", "partner_role", "status", "start_date", "end_date", "scheduled", "held", "not_held", "planned",
        "share_of_plan", "met_plan", "minutes_total", "minutes_mean", "first_meeting", "last_meeting",
        "days_to_first_meeting", "mean_gap_days", "max_gap_days", "long_gap", "withdrawn", "days_to_withdrawal",
        "held_before_withdrawal",
    ]
    if sessions is not None:
        require_columns(sessions, ["participant_id", "session", "attended"], "sessions")
        attended = sessions.loc[sessions["attended"].fillna(False).astype(bool)].groupby("participant_id").size()
        for who, column in (("senior", "senior_id"), ("partner", "partner_id")):
            if column in info.columns:
                out[f"{who}_sessions"] = out["pair_id"].map(info[column]).map(attended).fillna(0).astype(int)
                columns.append(f"{who}_sessions")
    return out[columns]


def fidelity_summary(per_pair: pd.DataFrame) -> pd.DataFrame:
    """Cohort-level fidelity to the plan, one row per measure.

    ``per_pair`` is :func:`engagement_by_pair` output. Columns: ``measure``,
    ``pairs`` (count), ``share`` (pairs ÷ n), ``average`` (a mean or median,
    as the measure says) and ``n`` (pairs the figure rests on). Show it with
    ``disclose(t, counts=["pairs", "n"], rates={"share": ("n", "pairs")}, means={"average": "n"})``.

    Examples
    --------
    >>> per_pair = pd.DataFrame({"held": [6, 4, 0], "planned": [6, 6, 6], "met_plan": [True, False, False],
    ...     "withdrawn": [False, False, True], "long_gap": [False, True, False], "minutes_total": [420.0, 240.0, 0.0],
    ...     "days_to_first_meeting": [5.0, 12.0, None], "mean_gap_days": [28.0, 35.0, None],
    ...     "days_to_withdrawal": [None, None, 40.0]})
    >>> fidelity_summary(per_pair)[["measure", "pairs", "average", "n"]].head(4)
                                     measure  pairs  average  n
    0                                  Pairs    3.0      NaN  3
    1  Pairs that held every planned meeting    1.0      NaN  3
    2                Pairs that held no meeting    1.0      NaN  3
    3  Pairs with a long gap between meetings    1.0      NaN  3
    """
    require_columns(per_pair, ["held", "planned", "met_plan", "withdrawn", "long_gap", "minutes_total", "days_to_first_meeting", "mean_gap_days", "days_to_withdrawal"], "per-pair engagement")
    n = len(per_pair)
    nan = float("nan")
    held = per_pair["held"]

    def count(label, mask):
        value = float(mask.sum())
        return (label, value, value / n if n else nan, nan, n)

    def average(label, values, how="mean"):
        values = values.dropna()
        figure = float(values.median() if how == "median" else values.mean()) if len(values) else nan
        return (label, nan, nan, figure, int(len(values)))

    rows = [
        ("Pairs", float(n), nan, nan, n),
        count("Pairs that held every planned meeting", per_pair["met_plan"]),
        count("Pairs that held no meeting", held == 0),
        count("Pairs with a long gap between meetings", per_pair["long_gap"]),
        count("Pairs that withdrew", per_pair["withdrawn"]),
        average("Mean meetings held per pair", held.astype(float)),
        average("Mean share of planned meetings held (%)", (held / per_pair["planned"]).clip(upper=1) * 100),
        ("Mean minutes per meeting held", nan, nan, float(per_pair["minutes_total"].sum() / held.sum()) if held.sum() else nan, int((held > 0).sum())),
        average("Median days from matching to first meeting", per_pair["days_to_first_meeting"], "median"),
        average("Mean days between meetings", per_pair["mean_gap_days"]),
        average("Median days from matching to withdrawal", per_pair["days_to_withdrawal"], "median"),
    ]
    return pd.DataFrame(rows, columns=["measure", "pairs", "share", "average", "n"])


def withdrawal_timing(per_pair: pd.DataFrame, *, period_days: int = 30, periods: int = 6) -> pd.DataFrame:
    """When pairs withdrew: by month of the programme and by meetings held before withdrawing.

    Returns ``timing, withdrew, in_programme_at_start`` for periods of
    ``period_days`` days since matching (``Month 1`` ...; ``Later``), then
    ``After 0 meetings``, ``After 1 meeting`` ... Counts are unrounded.

    Examples
    --------
    >>> per_pair = pd.DataFrame({"withdrawn": [True, True, False, False],
    ...     "days_to_withdrawal": [10.0, 75.0, None, None], "held_before_withdrawal": [0.0, 2.0, None, None]})
    >>> withdrawal_timing(per_pair, periods=3)
                 timing  withdrew  in_programme_at_start
    0           Month 1         1                      4
    1           Month 2         0                      3
    2           Month 3         1                      3
    3             Later         0                      2
    4  After 0 meetings         1                      4
    5  After 2 meetings         1                      4
    """
    require_columns(per_pair, ["withdrawn", "days_to_withdrawal", "held_before_withdrawal"], "per-pair engagement")
    n = len(per_pair)
    days = per_pair.loc[per_pair["withdrawn"], "days_to_withdrawal"]
    rows = []
    remaining = n
    for k in range(periods):
        low, high = k * period_days, (k + 1) * period_days
        withdrew = int(((days >= low) & (days < high)).sum())
        rows.append((f"Month {k + 1}" if period_days == 30 else f"Days {low}-{high - 1}", withdrew, remaining))
        remaining -= withdrew
    rows.append(("Later", int((days >= periods * period_days).sum()), remaining))
    unknown = int(days.isna().sum())
    if unknown:
        rows.append(("Date not recorded", unknown, n))
    held = per_pair.loc[per_pair["withdrawn"], "held_before_withdrawal"].dropna().astype(int)
    for k, count in held.value_counts().sort_index().items():
        rows.append((f"After {k} meeting{'s' if k != 1 else ''}", int(count), n))
    return pd.DataFrame(rows, columns=["timing", "withdrew", "in_programme_at_start"])


def session_attendance(sessions: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """Attendance at training and reflective sessions, by session and role.

    ``sessions`` has one row per participant invited to a session:
    ``participant_id, session, attended``. Returns ``session, role, invited,
    attended, rate`` (rate = attended ÷ invited, from unrounded counts).
    """
    require_columns(sessions, ["participant_id", "session", "attended"], "sessions")
    roles = participants.set_index("participant_id")["role"]
    table = sessions.assign(role=sessions["participant_id"].map(roles).fillna("unknown participant"),
                            attended=sessions["attended"].fillna(False).astype(bool))
    order = list(dict.fromkeys(table["session"]))
    out = table.groupby(["session", "role"], sort=False).agg(invited=("attended", "size"), attended=("attended", "sum")).reset_index()
    out["session"] = pd.Categorical(out["session"], order, ordered=True)
    out["role"] = pd.Categorical(out["role"], [r for r in ROLES if r in set(out["role"])] + sorted(set(out["role"]) - set(ROLES)), ordered=True)
    out = out.sort_values(["session", "role"]).reset_index(drop=True)
    out["session"] = out["session"].astype(str)
    out["role"] = out["role"].astype(str)
    out["attended"] = out["attended"].astype(int)
    out["rate"] = out["attended"] / out["invited"]
    return out


def meetings_over_time(meetings: pd.DataFrame, pairs: pd.DataFrame, *, start_date, end_date, planned: int) -> pd.DataFrame:
    """Meetings held per pair, cumulatively, at the end of each month of the programme.

    Returns ``month_end, mean_held, planned_by_then, n`` (n = pairs). The plan
    is spread evenly over the programme (``planned`` meetings by ``end_date``).
    """
    require_columns(pairs, ["pair_id"], "pairs")
    start, end = pd.Timestamp(start_date), pd.Timestamp(end_date)
    month_ends = list(pd.date_range(start, end, freq="ME"))
    if not month_ends or month_ends[-1] < end:
        month_ends.append(end)
    held = held_meetings(meetings)
    held = held.loc[held["pair_id"].isin(set(pairs["pair_id"]))]
    n = len(pairs)
    span = max((end - start).days, 1)
    rows = []
    for when in month_ends:
        total = int((pd.to_datetime(held["date"]) <= when).sum())
        rows.append((when.date(), total / n if n else float("nan"), planned * min(max((when - start).days, 0) / span, 1.0), n))
    return pd.DataFrame(rows, columns=["month_end", "mean_held", "planned_by_then", "n"])


def record_session_attendance(sessions: pd.DataFrame, *, section: str = "Engagement and fidelity") -> list[str]:
    """Record the attendance rate at each session (:func:`rmresearch.results.record`), with its numerator.

    One result per session, ``session_attendance_<session>`` (lower case, spaces as ``_``): people who
    attended out of people invited. Sessions attended are programme activity, recorded exactly
    (``basis="activity"``), with the numerator. Returns the keys recorded.
    """
    from .. import results
    from .scheme import _in_sentence  # 'Peer support November' reads 'peer support November'

    require_columns(sessions, ["participant_id", "session", "attended"], "sessions")
    attended = sessions.assign(attended=sessions["attended"].eq(True).fillna(False).astype(bool))  # blank: not attended
    overall = attended.groupby("session", sort=False)["attended"].agg(["mean", "size", "sum"])
    keys = []
    for session, row in overall.iterrows():
        key = f"session_attendance_{str(session).lower().replace(' ', '_')}"
        results.record(key, row["mean"], kind="rate", n=int(row["size"]), numerator=int(row["sum"]), basis="activity",
                       label=f"Attendance at the {_in_sentence(str(session))}", section=section)
        keys.append(key)
    return keys


def withdrawal_sentence(per_pair: pd.DataFrame) -> str:
    """How many pairs withdrew, in one sentence true of the exact counts (programme activity).

    ``per_pair`` is :func:`engagement_by_pair` output.

    >>> t = pd.DataFrame({"withdrawn": [True, False, False], "days_to_withdrawal": [75.0, None, None],
    ...                   "held_before_withdrawal": [2.0, None, None]})
    >>> withdrawal_sentence(t)
    '1 of 3 pairs withdrew before the end of the programme, 75 days after matching, after 2 meetings.'
    >>> withdrawal_sentence(t.assign(withdrawn=False))
    'No pair withdrew before the end of the programme, so there is no timing of withdrawals to show.'
    """
    require_columns(per_pair, ["withdrawn", "days_to_withdrawal", "held_before_withdrawal"], "per-pair engagement")
    n, left = len(per_pair), per_pair.loc[per_pair["withdrawn"].astype(bool)]
    if left.empty:
        return "No pair withdrew before the end of the programme, so there is no timing of withdrawals to show."
    if len(left) == n:
        opening = f"All {n} pairs withdrew before the end of the programme" if n > 1 else "The pair withdrew before the end of the programme"
    else:
        opening = f"{len(left)} of {n} pairs withdrew before the end of the programme"
    if len(left) == 1:
        days, held = left["days_to_withdrawal"].iloc[0], left["held_before_withdrawal"].iloc[0]
        when = f", {days:.0f} days after matching" if pd.notna(days) else ""
        after = f", after {held:.0f} meeting{'s' if held != 1 else ''}" if pd.notna(held) else ""
        return f"{opening}{when}{after}."
    return f"{opening}; the table shows when."
