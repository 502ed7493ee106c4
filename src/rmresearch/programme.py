"""The programme itself: who took part, how pairs met, what each side gained and at what cost.

Functions take the validated tables (see :func:`rmresearch.inputs.load_table`)
and return tidy DataFrames of unrounded counts; reports pass every table through
:func:`rmresearch.disclosure.disclose` before showing it.

- Engagement and fidelity: :func:`engagement_by_pair` (meetings against the
  plan, time to first meeting, gaps, withdrawal and its timing, session
  attendance), :func:`fidelity_summary`, :func:`withdrawal_timing`,
  :func:`session_attendance`, figures :func:`plot_meetings_held` and
  :func:`plot_meetings_over_time`.
- Reciprocity and burden: :func:`reciprocity_by_pair` (each partner's gain,
  the difference and a balance index, who initiated meetings, burden, and a
  flag where the under-represented partner carries most of the work),
  :func:`reciprocity_summary`, :func:`plot_gains`.
- Outcomes: :func:`read_actions`, :func:`actions_summary` and
  :func:`kirkpatrick_summary` (reaction, learning, behaviour, results).

Optional inputs not (yet) in the cohort configuration are passed as tables:
``sessions`` (one row per participant per training or reflective session:
``participant_id, session, attended`` and optionally ``date``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from .codes import PARTNER_ROLES, ROLES, UNKNOWN_GROUP
from .errors import Problem, ValidationError

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
    "plot_meetings_held",
    "plot_meetings_over_time",
    "reciprocity_by_pair",
    "reciprocity_summary",
    "plot_gains",
    "ACTION_STATUSES",
    "read_actions",
    "actions_summary",
    "kirkpatrick_summary",
]


def participants_by_role(participants: pd.DataFrame, *, group: str = "ethnicity_group") -> pd.DataFrame:
    """Participants counted by role (rows) and group (columns), with a ``Total`` column.

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
    _require(participants, ["role", group], "participants")
    table = pd.crosstab(participants["role"], participants[group])
    order = [r for r in ROLES if r in table.index] + [r for r in table.index if r not in ROLES]
    cols = sorted(c for c in table.columns if c != "Unknown") + [c for c in table.columns if c == "Unknown"]
    table = table.loc[order, cols]
    table["Total"] = table.sum(axis=1)
    table.columns.name = None
    return table


def pairs_by_status(pairs: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """Pairs counted by the partner's role (rows) and status (columns), with totals."""
    _require(pairs, ["pair_id", "partner_id", "status"], "pairs")
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
        raise ValueError(f"planned must be at least 1 meeting, not {planned}")
    _require(meetings, ["pair_id", "date", "minutes", "attended"], "meetings")
    held = meetings.loc[meetings["attended"].fillna(False).astype(bool)]
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


# --------------------------------------------------------------------------- engagement and fidelity


def _held(meetings: pd.DataFrame) -> pd.DataFrame:
    return meetings.loc[meetings["attended"].fillna(False).astype(bool)]


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
    _require(pairs, ["pair_id", "start_date", "status"], "pairs")
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
    held = _held(meetings).sort_values(["pair_id", "date"])
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
        _require(sessions, ["participant_id", "session", "attended"], "sessions")
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
    _require(per_pair, ["held", "planned", "met_plan", "withdrawn", "long_gap", "minutes_total", "days_to_first_meeting", "mean_gap_days", "days_to_withdrawal"], "per-pair engagement")
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
    _require(per_pair, ["withdrawn", "days_to_withdrawal", "held_before_withdrawal"], "per-pair engagement")
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
    _require(sessions, ["participant_id", "session", "attended"], "sessions")
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
    _require(pairs, ["pair_id"], "pairs")
    start, end = pd.Timestamp(start_date), pd.Timestamp(end_date)
    month_ends = list(pd.date_range(start, end, freq="ME"))
    if not month_ends or month_ends[-1] < end:
        month_ends.append(end)
    held = _held(meetings)
    held = held.loc[held["pair_id"].isin(set(pairs["pair_id"]))]
    n = len(pairs)
    span = max((end - start).days, 1)
    rows = []
    for when in month_ends:
        total = int((pd.to_datetime(held["date"]) <= when).sum())
        rows.append((when.date(), total / n if n else float("nan"), planned * min(max((when - start).days, 0) / span, 1.0), n))
    return pd.DataFrame(rows, columns=["month_end", "mean_held", "planned_by_then", "n"])


def plot_meetings_held(by_meetings: pd.DataFrame, *, planned: int, rules=None, ax=None):
    """Bar chart of pairs by meetings held, drawn from HESA-rounded counts.

    ``by_meetings`` is :func:`pairs_by_meetings_held` output (unrounded); the
    bars and the title use rounded counts only.
    """
    from .disclosure import hesa_round
    from .plots import OKABE_ITO, new_figure

    base = getattr(rules, "round_to", 5)
    rounded = hesa_round(by_meetings["pairs"].astype(float), base=base)
    total = hesa_round(float(by_meetings["pairs"].sum()), base=base)
    if ax is None:
        _, ax = new_figure()
    ax.bar(by_meetings["meetings_held"], rounded, color=OKABE_ITO[0])
    ax.set_xlabel("Meetings held")
    ax.set_ylabel(f"Pairs (rounded to the nearest {base})")
    full = int(rounded.iloc[-1])
    ax.set_title(f"About {full} of {total} pairs held all {planned} planned meetings")
    return ax


def plot_meetings_over_time(over_time: pd.DataFrame, *, rules=None, ax=None):
    """Mean meetings held per pair by month against the plan (means on too few pairs are not drawn)."""
    from .disclosure import suppress_mean
    from .plots import OKABE_ITO, new_figure

    shown = pd.to_numeric(pd.Series(suppress_mean(over_time["mean_held"], over_time["n"], rules=rules)), errors="coerce")
    if ax is None:
        _, ax = new_figure()
    x = pd.to_datetime(over_time["month_end"])
    ax.plot(x, over_time["planned_by_then"], color="#999999", linestyle="--", label="Plan")
    ax.plot(x, shown, color=OKABE_ITO[0], marker="o", label="Held (mean per pair)")
    ax.set_ylabel("Meetings per pair (cumulative)")
    ax.set_xlabel("")
    ax.legend()
    last = shown.dropna()
    if len(last):
        gap = float(over_time["planned_by_then"].iloc[last.index[-1]] - last.iloc[-1])
        verb = "behind" if gap > 0.25 else "on"
        ax.set_title(f"Pairs kept {'close to' if verb == 'on' else 'about ' + format(gap, '.1f') + ' meetings behind'} the planned pace")
    else:
        ax.set_title("Meetings over time (too few pairs to show)")
    ax.figure.autofmt_xdate()
    return ax


# --------------------------------------------------------------------------- reciprocity and burden


def reciprocity_by_pair(
    scores: pd.DataFrame,
    pairs: pd.DataFrame,
    participants: pd.DataFrame,
    *,
    gain: str = "reciprocity",
    burden: str | None = "burden",
    wave: str | None = "post",
    meetings: pd.DataFrame | None = None,
    scale_range: tuple[float, float] = (1, 5),
    reference_group: str = "White",
    group_column: str = "ethnicity_group",
    burden_margin: float = 1.0,
    min_initiated: int = 3,
) -> pd.DataFrame:
    """Per pair: what each partner gained, the balance between them, who did the work, and a burden flag.

    Parameters
    ----------
    scores
        Scale scores (:func:`rmresearch.surveys.score`) with ``participant_id``
        (and ``wave``), holding the ``gain`` scale and optionally ``burden``.
    pairs, participants
        Validated tables; ``participants`` needs ``role`` and ``group_column``.
    gain, burden
        Scale names: what a person reports gaining, and the burden of taking part.
    wave
        Wave to use when ``scores`` has a ``wave`` column.
    meetings
        Optional meetings table: who initiated (``initiated_by``) and, if
        recorded, prepared (``prepared_by``) the meetings that took place.
    scale_range
        Lowest and highest possible score, for the balance index.
    reference_group
        The group that is not under-represented (``config.reference_group``).
        A partner whose group is neither this nor unknown counts as from an
        under-represented group.
    burden_margin
        How many scale points more burden than the senior partner counts as
        the partner carrying more of the load.
    min_initiated
        Fewest meetings with a recorded initiator before initiative is judged.

    Returns
    -------
    DataFrame
        ``pair_id, partner_role, senior_gain, partner_gain, gain_difference``
        (partner - senior), ``balance_index``, ``senior_burden,
        partner_burden, burden_difference`` (partner - senior),
        ``meetings_with_initiator, initiated_by_partner, initiated_by_senior,
        initiated_by_facilitator`` (shares), ``prepared_by_partner`` (share, NaN if
        not recorded), ``partner_underrepresented, partner_carries_more, flag,
        flag_reason``.

    Notes
    -----
    ``balance_index = 1 - |partner_gain - senior_gain| / (high - low)``: 1
    when both report the same gain, 0 when one reports the top of the scale
    and the other the bottom. ``partner_carries_more`` is true when the partner
    initiated (or prepared) more than half of the meetings with a recorded
    initiator (at least ``min_initiated`` of them) or reports at least
    ``burden_margin`` points more burden than the senior partner. ``flag``
    marks the pairs where that partner is from an under-represented group: the
    "labour of educating" question.

    Examples
    --------
    >>> participants = pd.DataFrame({"participant_id": ["S1", "P1", "S2", "P2"],
    ...     "role": ["senior_leader", "staff_partner", "senior_leader", "student_partner"],
    ...     "ethnicity_group": ["White", "Black", "White", "Asian"]})
    >>> pairs = pd.DataFrame({"pair_id": ["R1", "R2"], "senior_id": ["S1", "S2"], "partner_id": ["P1", "P2"]})
    >>> scores = pd.DataFrame({"participant_id": ["S1", "P1", "S2", "P2"], "reciprocity": [4.5, 3.0, 4.0, 4.0],
    ...                        "burden": [2.0, 3.5, 2.0, 2.5]})
    >>> t = reciprocity_by_pair(scores, pairs, participants, wave=None)
    >>> t[["pair_id", "gain_difference", "balance_index", "burden_difference", "flag"]]
      pair_id  gain_difference  balance_index  burden_difference   flag
    0      R1             -1.5          0.625                1.5   True
    1      R2              0.0          1.000                0.5  False
    """
    _require(pairs, ["pair_id", "senior_id", "partner_id"], "pairs")
    _require(participants, ["participant_id", "role", group_column], "participants")
    if "participant_id" not in scores.columns or gain not in scores.columns:
        raise ValueError(f"scores needs participant_id and a '{gain}' column (the output of rmresearch.surveys.score for the {gain} scale).")
    low, high = scale_range
    if not high > low:
        raise ValueError(f"scale_range must be (lowest, highest) with highest above lowest, not {scale_range}")
    if wave is not None and "wave" in scores.columns:
        scores = scores.loc[scores["wave"] == wave]
    if scores["participant_id"].duplicated().any():
        raise ValueError("scores has more than one row for some participants; pass one wave (wave='post').")
    by_person = scores.set_index("participant_id")
    people = participants.set_index("participant_id")
    out = pd.DataFrame({"pair_id": pairs["pair_id"].to_numpy()})
    senior, partner = pairs["senior_id"].to_numpy(), pairs["partner_id"].to_numpy()
    out["partner_role"] = pd.Series(partner).map(people["role"]).to_numpy()
    out["senior_gain"] = pd.Series(senior).map(by_person[gain]).astype(float).to_numpy()
    out["partner_gain"] = pd.Series(partner).map(by_person[gain]).astype(float).to_numpy()
    out["gain_difference"] = out["partner_gain"] - out["senior_gain"]
    out["balance_index"] = 1 - out["gain_difference"].abs() / (high - low)
    if burden is not None and burden in by_person.columns:
        out["senior_burden"] = pd.Series(senior).map(by_person[burden]).astype(float).to_numpy()
        out["partner_burden"] = pd.Series(partner).map(by_person[burden]).astype(float).to_numpy()
    else:
        out["senior_burden"] = np.nan
        out["partner_burden"] = np.nan
    out["burden_difference"] = out["partner_burden"] - out["senior_burden"]

    nan_share = pd.Series(np.nan, index=out.index)
    out["meetings_with_initiator"] = 0
    for who in ("partner", "senior", "facilitator"):
        out[f"initiated_by_{who}"] = nan_share
    out["prepared_by_partner"] = nan_share
    if meetings is not None and "initiated_by" in meetings.columns:
        held = _held(meetings)
        known = held.loc[held["initiated_by"].notna()]
        counts = pd.crosstab(known["pair_id"], known["initiated_by"])
        total = counts.sum(axis=1)
        out["meetings_with_initiator"] = out["pair_id"].map(total).fillna(0).astype(int)
        for who in ("partner", "senior", "facilitator"):
            share = counts[who] / total if who in counts.columns else total * 0.0
            out[f"initiated_by_{who}"] = out["pair_id"].map(share).astype(float)
        if "prepared_by" in held.columns:
            prepared = held.loc[held["prepared_by"].notna()]
            p_counts = prepared.groupby("pair_id")["prepared_by"].agg(lambda s: (s.astype(str).str.lower() == "partner").mean())
            out["prepared_by_partner"] = out["pair_id"].map(p_counts).astype(float)

    group = pd.Series(partner).map(people[group_column]).to_numpy()
    out["partner_underrepresented"] = [isinstance(g, str) and g not in (reference_group, UNKNOWN_GROUP) for g in group]
    enough = out["meetings_with_initiator"] >= min_initiated
    initiates = enough & (out["initiated_by_partner"] > 0.5)
    prepares = out["prepared_by_partner"] > 0.5
    heavier = out["burden_difference"] >= burden_margin
    out["partner_carries_more"] = (initiates | prepares | heavier).fillna(False).astype(bool)
    out["flag"] = out["partner_carries_more"] & out["partner_underrepresented"]
    reasons = []
    for i in range(len(out)):
        parts = []
        if initiates.iloc[i]:
            parts.append(f"partner initiated {out['initiated_by_partner'].iloc[i]:.0%} of {out['meetings_with_initiator'].iloc[i]} meetings")
        if bool(prepares.iloc[i]):
            parts.append(f"partner prepared {out['prepared_by_partner'].iloc[i]:.0%} of meetings")
        if bool(heavier.iloc[i]):
            parts.append(f"partner reports {out['burden_difference'].iloc[i]:.1f} points more burden")
        reasons.append("; ".join(parts) if out["flag"].iloc[i] else "")
    out["flag_reason"] = reasons
    return out


def reciprocity_summary(per_pair: pd.DataFrame, *, total: str = "All pairs") -> pd.DataFrame:
    """Gains, balance and burden by the partner's role (and for all pairs).

    Returns one row per partner role: ``partner_role, pairs, senior_gain,
    senior_gain_n, partner_gain, partner_gain_n, gain_difference, both_n,
    balance_index, senior_burden, senior_burden_n, partner_burden,
    partner_burden_n, initiated_by_partner, initiator_n, flagged,
    flagged_share``. Means are over pairs (or respondents) with a value; show
    it with::

        disclose(t, counts=["pairs", "senior_gain_n", "partner_gain_n", "both_n", "senior_burden_n",
                            "partner_burden_n", "initiator_n", "flagged"],
                 rates={"flagged_share": ("pairs", "flagged")},
                 means={"senior_gain": "senior_gain_n", "partner_gain": "partner_gain_n",
                        "gain_difference": "both_n", "balance_index": "both_n",
                        "senior_burden": "senior_burden_n", "partner_burden": "partner_burden_n",
                        "initiated_by_partner": "initiator_n"})
    """
    _require(per_pair, ["partner_role", "senior_gain", "partner_gain", "gain_difference", "balance_index", "senior_burden", "partner_burden", "initiated_by_partner", "flag"], "per-pair reciprocity")
    order = [r for r in PARTNER_ROLES if r in set(per_pair["partner_role"].dropna())]
    order += sorted(set(per_pair["partner_role"].dropna()) - set(order), key=str)
    groups = [(r, per_pair.loc[per_pair["partner_role"] == r]) for r in order] + [(total, per_pair)]
    rows = []
    for label, part in groups:
        both = part["gain_difference"].notna()
        rows.append({
            "partner_role": label,
            "pairs": len(part),
            "senior_gain": part["senior_gain"].mean(),
            "senior_gain_n": int(part["senior_gain"].notna().sum()),
            "partner_gain": part["partner_gain"].mean(),
            "partner_gain_n": int(part["partner_gain"].notna().sum()),
            "gain_difference": part.loc[both, "gain_difference"].mean(),
            "both_n": int(both.sum()),
            "balance_index": part.loc[both, "balance_index"].mean(),
            "senior_burden": part["senior_burden"].mean(),
            "senior_burden_n": int(part["senior_burden"].notna().sum()),
            "partner_burden": part["partner_burden"].mean(),
            "partner_burden_n": int(part["partner_burden"].notna().sum()),
            "initiated_by_partner": part["initiated_by_partner"].mean(),
            "initiator_n": int(part["initiated_by_partner"].notna().sum()),
            "flagged": int(part["flag"].sum()),
            "flagged_share": part["flag"].mean() if len(part) else float("nan"),
        })
    return pd.DataFrame(rows)


def plot_gains(summary: pd.DataFrame, *, rules=None, ax=None):
    """Mean gain reported by senior leaders and by their partners, by partner role.

    ``summary`` is :func:`reciprocity_summary` output (unrounded); means based
    on too few people (``rules.max_mean_suppressed_n``) are not drawn.
    """
    from .disclosure import suppress_mean
    from .plots import OKABE_ITO, new_figure

    if ax is None:
        _, ax = new_figure()
    x = np.arange(len(summary))
    width = 0.38
    drawn = {}
    for offset, who, colour in ((-width / 2, "senior", OKABE_ITO[0]), (width / 2, "partner", OKABE_ITO[1])):
        values = pd.to_numeric(pd.Series(suppress_mean(summary[f"{who}_gain"], summary[f"{who}_gain_n"], rules=rules)), errors="coerce")
        drawn[who] = values
        ax.bar(x + offset, values.fillna(0), width, color=colour, label="Senior leader" if who == "senior" else "Partner")
        for xi, v in zip(x + offset, values):
            if np.isnan(v):
                ax.text(xi, 0.1, "..", ha="center", va="bottom")
    ax.set_xticks(x, [str(r).replace("_", " ") for r in summary["partner_role"]])
    ax.set_ylabel("Mean gain (1-5)")
    ax.set_ylim(0, 5.6)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=OKABE_ITO[0], label="Senior leader"), Patch(color=OKABE_ITO[1], label="Partner")],
              loc="upper right", ncol=2)
    total = summary.iloc[-1]
    s, p = drawn["senior"].iloc[-1], drawn["partner"].iloc[-1]
    if np.isnan(s) or np.isnan(p):
        ax.set_title("What each side gained (too few answers to compare)")
    elif abs(p - s) < 0.25:
        ax.set_title("Partners and senior leaders reported similar gains")
    else:
        ax.set_title(f"{'Senior leaders' if s > p else 'Partners'} reported gaining more ({max(s, p):.1f} vs {min(s, p):.1f})")
    return ax


# --------------------------------------------------------------------------- outcomes

from .schemas import ACTION_STATUSES  # noqa: E402 - one list, shared with the actions schema


def read_actions(path: str | Path, *, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read the actions and policy changes attributed to pairs (CSV or .xlsx).

    Columns: ``pair_id``, ``action`` (what was done), ``area`` (e.g.
    recruitment, curriculum, student support), ``status`` (one of
    ``proposed, in_progress, implemented, not_pursued``; spaces or hyphens are
    accepted for ``_``); optionally ``date``. With ``pairs``, every pair_id
    must be a known pair. Configure it as ``inputs: actions: <file>``.

    Raises :class:`~rmresearch.errors.ValidationError` naming file, row and column.
    """
    from .io.tables import read_actions as _read_actions  # the reading lives in the input layer (schema "actions")

    return _read_actions(path, pairs=pairs)


def actions_summary(actions: pd.DataFrame, *, by: str = "area") -> pd.DataFrame:
    """Actions counted by area (rows) and status (columns), with totals and pairs involved.

    Examples
    --------
    >>> a = pd.DataFrame({"pair_id": ["R1", "R1", "R2"], "area": ["recruitment", "curriculum", "recruitment"],
    ...                   "status": ["implemented", "proposed", "in_progress"]})
    >>> actions_summary(a)
              area  proposed  in_progress  implemented  not_pursued  actions  pairs
    0   curriculum         1            0            0            0        1      1
    1  recruitment         0            1            1            0        2      2
    2        Total         1            1            1            0        3      2
    """
    _require(actions, ["pair_id", by, "status"], "actions")
    table = pd.crosstab(actions[by], actions["status"]).reindex(columns=ACTION_STATUSES, fill_value=0)
    table["actions"] = table.sum(axis=1)
    table["pairs"] = actions.groupby(by)["pair_id"].nunique()
    table = table.reset_index().rename_axis(columns=None)
    total = {by: "Total", **{s: int((actions["status"] == s).sum()) for s in ACTION_STATUSES}, "actions": len(actions), "pairs": actions["pair_id"].nunique()}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def kirkpatrick_summary(
    *,
    per_pair: pd.DataFrame | None = None,
    scores: pd.DataFrame | None = None,
    participants: pd.DataFrame | None = None,
    instrument=None,
    reciprocity: pd.DataFrame | None = None,
    actions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Evidence at Kirkpatrick's four levels: reaction, learning, behaviour, results.

    Parameters
    ----------
    per_pair
        :func:`engagement_by_pair` output (completion, meetings held).
    scores, participants, instrument
        Scale scores for the pre and post waves (:func:`rmresearch.surveys.score`),
        the participants table (for roles) and the instrument: each scale's
        ``kirkpatrick`` level places it. Reaction scales contribute their
        post-programme mean; learning and behaviour scales their mean pre/post
        change with Cohen's d_z, among the roles the scale is meant for.
    reciprocity
        :func:`reciprocity_by_pair` output (pairs flagged for burden).
    actions
        :func:`read_actions` output (results: actions and policy changes).

    Returns
    -------
    DataFrame
        ``level, measure, count, share, average, effect_size, n, source``: a
        count (of pairs or actions) with its share of ``n``, or an average /
        change on ``n`` people with its effect size. Show it with
        ``disclose(t, counts=["count", "n"], rates={"share": ("n", "count")},
        means={"average": "n", "effect_size": "n"})``. Institutional results
        (awarding gap, staff progression) come from the attainment and
        progression reports and are not repeated here.
    """
    from .surveys import paired_change

    rows = []
    nan = float("nan")

    def add(level, measure, count=nan, share=nan, average=nan, effect=nan, n=nan, source=""):
        rows.append((level, measure, count, share, average, effect, n, source))

    if per_pair is not None:
        n = len(per_pair)
        completed = float((per_pair["status"] == "completed").sum())
        add("reaction", "Pairs that completed the programme", count=completed, share=completed / n if n else nan, n=n, source="pairs table")
    if reciprocity is not None:
        answered = reciprocity["gain_difference"].notna()
        add("reaction", "Mean balance of gains between partners (1 = equal)", average=reciprocity.loc[answered, "balance_index"].mean(), n=int(answered.sum()), source="post survey (pairs)")
    if scores is not None and instrument is not None:
        roles = participants.set_index("participant_id")["role"] if participants is not None else None
        for scale in instrument.scales:
            if scale.name not in scores.columns or scale.kirkpatrick is None:
                continue
            data = scores[["participant_id", "wave", scale.name]].dropna()
            if roles is not None:
                data = data.loc[data["participant_id"].map(roles).isin(scale.answered_by)]
            who = ", ".join(r.replace("_", " ") for r in scale.answered_by) if len(scale.answered_by) < len(ROLES) else "all participants"
            if scale.kirkpatrick == "reaction" or "pre" not in scale.waves:
                post = data.loc[data["wave"] == "post", scale.name]
                if len(post):
                    add(scale.kirkpatrick, f"{scale.title}: mean after the programme (1-5; {who})", average=float(post.mean()), n=int(post.size), source="post survey")
            else:
                wide = data.pivot_table(index="participant_id", columns="wave", values=scale.name)
                if {"pre", "post"} <= set(wide.columns):
                    change = paired_change(wide["pre"], wide["post"]).iloc[0]
                    add(scale.kirkpatrick, f"{scale.title}: mean change, post - pre ({who})", average=change["mean_diff"], effect=change["cohen_dz"], n=int(change["n"]), source="pre and post surveys")
    if per_pair is not None:
        n = len(per_pair)
        met = float(per_pair["met_plan"].sum()) if "met_plan" in per_pair.columns else nan
        add("behaviour", "Pairs that held every planned meeting", count=met, share=met / n if n else nan, n=n, source="meeting records")
        add("behaviour", "Mean meetings held per pair", average=float(per_pair["held"].mean()) if n else nan, n=n, source="meeting records")
    if reciprocity is not None:
        n = len(reciprocity)
        flagged = float(reciprocity["flag"].sum())
        add("reaction", "Pairs where the under-represented partner carried most of the work", count=flagged, share=flagged / n if n else nan, n=n, source="meetings and post survey")
    if actions is not None:
        pairs_n = len(per_pair) if per_pair is not None else actions["pair_id"].nunique()
        with_action = float(actions["pair_id"].nunique())
        add("results", "Pairs with at least one recorded action or policy change", count=with_action, share=with_action / pairs_n if pairs_n else nan, n=pairs_n, source="actions log")
        implemented = float((actions["status"] == "implemented").sum())
        add("results", "Actions implemented (of all recorded)", count=implemented, share=implemented / len(actions) if len(actions) else nan, n=len(actions), source="actions log")
    table = pd.DataFrame(rows, columns=["level", "measure", "count", "share", "average", "effect_size", "n", "source"])
    order = {level: i for i, level in enumerate(("reaction", "learning", "behaviour", "results"))}
    return table.sort_values("level", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def _require(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the {name} table needs column(s) {', '.join(missing)}; it has {', '.join(map(str, frame.columns))}")
