"""The programme itself: who took part, how pairs were formed and how often they met.

Functions take the validated tables (see :func:`rmresearch.inputs.load_table`)
and return tidy DataFrames of unrounded counts; reports pass every table through
:func:`rmresearch.disclosure.disclose` before showing it.
"""

from __future__ import annotations

import pandas as pd

from .codes import ROLES

__all__ = [
    "participants_by_role",
    "pairs_by_status",
    "meetings_per_pair",
    "pairs_by_meetings_held",
    "engagement_summary",
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


def _require(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the {name} table needs column(s) {', '.join(missing)}; it has {', '.join(map(str, frame.columns))}")
