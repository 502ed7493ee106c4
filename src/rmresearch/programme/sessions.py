"""Group sessions by type: attendance at training, preparation, peer support and reflection, by role.

The sessions table (schema ``sessions``) has one row per person invited to a session, and optionally a
``session_type`` column (``training, preparation, peer_support, reflection, other``, any case and spacing). A
table without that column is not guessed at from the session names: every session counts as one type,
``Sessions``, and :func:`session_type_sentence` says so. A blank type in a typed table is ``Type not recorded``.

Sessions attended are programme activity: shown exactly (``disclose(..., basis="activity")``).
"""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from ..codes import ROLES
from ..errors import AnalysisError
from ..schemas import SCHEMAS
from .common import require_columns

__all__ = ["SESSION_TYPES", "SESSION_TYPE_LABELS", "UNTYPED", "NOT_RECORDED", "ALL_ROLES", "session_types",
           "attendance_by_type", "session_type_sentence", "record_attendance_by_type", "label_roles"]

#: The session types the ``sessions`` schema allows, in the order a programme runs them.
SESSION_TYPES: tuple[str, ...] = tuple(SCHEMAS["sessions"].column("session_type").allowed)
#: How each session type reads in tables and sentences.
SESSION_TYPE_LABELS = {t: t.replace("_", " ").capitalize() for t in SESSION_TYPES}
#: The one type of every session when the table has no ``session_type`` column.
UNTYPED = "Sessions"
#: The type of a session whose ``session_type`` cell is blank.
NOT_RECORDED = "Type not recorded"
#: The row of each type that counts every role.
ALL_ROLES = "All participants"


def session_types(sessions: pd.DataFrame) -> pd.Series:
    """The type label of each row: ``Training``, ``Peer support``... (:data:`UNTYPED` without the column).

    A session must have one type: a session whose rows name two types is refused, naming both.

    >>> t = pd.DataFrame({"session": ["Intro", "Intro", "Circle"], "session_type": ["training", "training", None]})
    >>> session_types(t).tolist(), session_types(t.drop(columns="session_type")).tolist()
    (['Training', 'Training', 'Type not recorded'], ['Sessions', 'Sessions', 'Sessions'])
    """
    require_columns(sessions, ["session"], "sessions")
    if "session_type" not in sessions.columns or sessions["session_type"].isna().all():
        return pd.Series(UNTYPED, index=sessions.index, name="session_type")
    types = sessions["session_type"].map(lambda t: SESSION_TYPE_LABELS.get(t, t), na_action="ignore")
    types = types.fillna(NOT_RECORDED).astype(str)
    mixed = types.groupby(sessions["session"].astype(str)).nunique()
    if (mixed > 1).any():
        name = mixed.index[mixed > 1][0]
        found = sorted(set(types.loc[sessions["session"].astype(str) == name]))
        raise AnalysisError(f"sessions: the session {name!r} has rows of more than one session_type ({', '.join(found)}); "
                            "give every row of a session the same type (or leave them all blank).")
    return types.rename("session_type")


def _type_order(types: pd.Series) -> list[str]:
    labels = [SESSION_TYPE_LABELS[t] for t in SESSION_TYPES]
    seen = set(types)
    return [t for t in [*labels, NOT_RECORDED, UNTYPED] if t in seen] + sorted(seen - {*labels, NOT_RECORDED, UNTYPED})


def attendance_by_type(sessions: pd.DataFrame, participants: pd.DataFrame, *,
                       role_labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Attendance at the group sessions by session type and role, with a row per type for every role.

    ``sessions`` is the validated sessions table (one row per person invited to a session); ``participants``
    gives each person's role. ``role_labels`` ({role: label}, e.g. ``characteristics.role_labels(cfg)``) names
    the roles as the scheme does; without it the role codes are kept (``show_table`` puts them in words).

    Returns ``session_type, role, sessions`` (sessions of that type), ``invited`` (places: one per person per
    session), ``attended``, ``share`` (attended / invited, from exact counts), ``people`` (people invited) and
    ``people_attended`` (people who attended at least one session of that type). For each type the roles come
    in the scheme's order, then :data:`ALL_ROLES`. A person not on the roster counts under
    ``unknown participant``. Show it with ``disclose(t, counts=[...], rates={"share": ("invited", "attended")},
    basis="activity")``.

    Examples
    --------
    >>> sessions = pd.DataFrame({"participant_id": ["S1", "P1", "S1", "P1", "P1"],
    ...     "session": ["Intro", "Intro", "Circle 1", "Circle 1", "Circle 2"],
    ...     "session_type": ["training", "training", "peer_support", "peer_support", "peer_support"],
    ...     "attended": [True, True, False, True, True]})
    >>> participants = pd.DataFrame({"participant_id": ["S1", "P1"], "role": ["senior_leader", "staff_partner"]})
    >>> attendance_by_type(sessions, participants)[["session_type", "role", "sessions", "invited", "attended",
    ...                                              "people_attended"]]
       session_type              role  sessions  invited  attended  people_attended
    0      Training     senior_leader         1        1         1                1
    1      Training     staff_partner         1        1         1                1
    2      Training  All participants         1        2         2                2
    3  Peer support     senior_leader         1        1         0                0
    4  Peer support     staff_partner         2        2         2                1
    5  Peer support  All participants         2        3         2                1
    """
    require_columns(sessions, ["participant_id", "session", "attended"], "sessions")
    require_columns(participants, ["participant_id", "role"], "participants")
    if sessions.empty:
        raise AnalysisError("the sessions table has no rows, so there is no attendance to count")
    roles = participants.set_index("participant_id")["role"]
    frame = pd.DataFrame({
        "session_type": session_types(sessions).to_numpy(),
        "session": sessions["session"].astype(str).to_numpy(),
        "participant_id": sessions["participant_id"].to_numpy(),
        "role": sessions["participant_id"].map(roles).fillna("unknown participant").to_numpy(),
        "attended": sessions["attended"].eq(True).fillna(False).astype(bool).to_numpy(),  # blank: not attended
    })
    role_order = [r for r in ROLES if r in set(frame["role"])] + sorted(set(frame["role"]) - set(ROLES))
    rows = []
    for kind in _type_order(frame["session_type"]):
        of_type = frame.loc[frame["session_type"] == kind]
        for role, part in [*((r, of_type.loc[of_type["role"] == r]) for r in role_order), (ALL_ROLES, of_type)]:
            if part.empty:
                continue
            attended = part.loc[part["attended"]]
            rows.append({"session_type": kind, "role": role, "sessions": part["session"].nunique(),
                         "invited": len(part), "attended": len(attended), "share": len(attended) / len(part),
                         "people": part["participant_id"].nunique(),
                         "people_attended": attended["participant_id"].nunique()})
    out = pd.DataFrame(rows)
    return label_roles(out, role_labels) if role_labels else out


def label_roles(table: pd.DataFrame, labels: Mapping[str, str], *, column: str = "role") -> pd.DataFrame:
    """``table`` with its role codes in ``column`` replaced by the scheme's labels (other values kept).

    Two roles the scheme names alike (a reverse scheme calls staff and student partners both reverse mentors)
    keep apart: each label gets its role in brackets, so no two rows read the same.

    >>> t = pd.DataFrame({"role": ["senior_leader", "staff_partner", "student_partner", "All participants"]})
    >>> label_roles(t, {"senior_leader": "Reverse mentee", "staff_partner": "Reverse mentor",
    ...                 "student_partner": "Reverse mentor"})["role"].tolist()
    ['Reverse mentee', 'Reverse mentor (staff partner)', 'Reverse mentor (student partner)', 'All participants']
    """
    if column not in table.columns:
        raise AnalysisError(f"label_roles: the table has no {column!r} column ({', '.join(map(str, table.columns))}).")
    present = [r for r in dict.fromkeys(table[column]) if r in labels]
    named = {}
    for role in present:
        alike = [r for r in present if labels[r] == labels[role]]
        named[role] = labels[role] if len(alike) == 1 else f"{labels[role]} ({str(role).replace('_', ' ')})"
    return table.assign(**{column: table[column].map(lambda r: named.get(r, r))})


def session_type_sentence(sessions: pd.DataFrame) -> str:
    """What the sessions table says about session types, in one sentence for the report.

    >>> t = pd.DataFrame({"session": ["Intro", "Circle 1", "Circle 2", "Circle 2"],
    ...                   "session_type": ["training", "peer_support", "peer_support", "peer_support"]})
    >>> session_type_sentence(t)
    'The register records 3 sessions of 2 types: training (1 session), peer support (2 sessions).'
    >>> session_type_sentence(t.drop(columns="session_type"))  # doctest: +NORMALIZE_WHITESPACE
    'The sessions table has no session_type column, so its 3 sessions are counted together as one type, Sessions, and
    not guessed at from their names; a session_type column (training, preparation, peer support, reflection or
    other) shows attendance per type.'
    """
    types = session_types(sessions)
    per_session = pd.Series(types.to_numpy(), index=sessions["session"].astype(str).to_numpy())
    per_session = per_session[~per_session.index.duplicated()]
    n = len(per_session)
    plural = "s" if n != 1 else ""
    if set(per_session) == {UNTYPED}:
        kinds = ", ".join(SESSION_TYPE_LABELS[t].lower() for t in SESSION_TYPES[:-1])
        return (f"The sessions table has no session_type column, so its {n} session{plural} are counted together as "
                f"one type, {UNTYPED}, and not guessed at from their names; a session_type column ({kinds} or "
                f"{SESSION_TYPE_LABELS[SESSION_TYPES[-1]].lower()}) shows attendance per type.")
    counts = per_session.value_counts()
    order = [t for t in _type_order(per_session) if t != NOT_RECORDED]
    listed = ", ".join(f"{t.lower()} ({counts[t]} session{'s' if counts[t] != 1 else ''})" for t in order)
    kinds = len(order)
    text = f"The register records {n} session{plural} of {kinds} type{'s' if kinds != 1 else ''}: {listed}."
    if NOT_RECORDED in counts:
        missing = int(counts[NOT_RECORDED])
        text += (f" {missing} session{'s have' if missing != 1 else ' has'} no type recorded and "
                 f"{'are' if missing != 1 else 'is'} counted as '{NOT_RECORDED}'.")
    return text


def record_attendance_by_type(table: pd.DataFrame, *, section: str = "Engagement and fidelity") -> list[str]:
    """Record attendance per session type (:func:`rmresearch.results.record`, programme activity: exact).

    ``table`` is :func:`attendance_by_type` output. Each type's all-roles row is recorded as
    ``session_attendance_type_<type>`` (``peer_support``; an untyped register has no per-type key); attendance
    over every session is the executive-summary line, ``session_attendance_all`` (headline). Returns the keys.
    """
    from .. import results

    require_columns(table, ["session_type", "role", "invited", "attended"], "attendance by type")
    every = table.loc[table["role"] == ALL_ROLES]
    if every.empty:
        raise AnalysisError("attendance by type: no all-participants row; pass the output of programme.attendance_by_type().")
    keys = []
    for row in every.itertuples():
        if row.session_type == UNTYPED:  # one type only: the all-sessions line below says it
            continue
        key = f"session_attendance_type_{'_'.join(str(row.session_type).lower().split())}"
        what = ("sessions with no type recorded" if row.session_type == NOT_RECORDED
                else f"{str(row.session_type).lower()} sessions")
        results.record(key, row.attended / row.invited, kind="rate", n=int(row.invited), numerator=int(row.attended),
                       n_of="places", basis="activity", section=section,
                       label=f"Attendance at {what} (places taken of places offered)")
        keys.append(key)
    invited, attended = int(every["invited"].sum()), int(every["attended"].sum())
    kinds = [str(t).lower() for t in every["session_type"] if t not in (UNTYPED, NOT_RECORDED)]
    what = f" ({', '.join(kinds)})" if kinds else ""
    results.record("session_attendance_all", attended / invited, kind="rate", n=invited, numerator=attended,
                   n_of="places", basis="activity", section=section, headline=True,
                   label=f"Attendance at the programme's sessions{what}: places taken of places offered",
                   sentence=f"{{value}} of the {{n}} places offered at the programme's sessions{what} were taken.")
    return [*keys, "session_attendance_all"]
