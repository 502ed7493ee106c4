"""The programme itself: who took part, how pairs met, what each side gained and at what cost.

Functions take the validated tables (see :func:`rmresearch.inputs.load_table`)
and return tidy DataFrames of unrounded counts; reports pass every table through
:func:`rmresearch.disclosure.disclose` before showing it.

- :mod:`~rmresearch.programme.engagement`: engagement and fidelity,
  :func:`engagement_by_pair` (meetings against the plan, time to first
  meeting, gaps, withdrawal and its timing, session attendance),
  :func:`fidelity_summary`, :func:`withdrawal_timing`,
  :func:`session_attendance`, :func:`meetings_over_time`,
  :func:`withdrawal_sentence` and :func:`record_session_attendance`.
- :mod:`~rmresearch.programme.reciprocity`: reciprocity and burden,
  :func:`reciprocity_by_pair` (each partner's gain, the difference and a
  balance index, who initiated meetings, burden, and a flag where the
  under-represented partner carries most of the work),
  :func:`reciprocity_summary`, :func:`reciprocity_tables` (who did the work, exact; what each side gained,
  under the people rules), :func:`flag_basis` and :func:`record_reciprocity`.
- :mod:`~rmresearch.programme.sessions`: group sessions by type (training, preparation, peer support,
  reflection): :func:`attendance_by_type` (invited, attended, share, by role), :func:`session_type_sentence`,
  :func:`record_attendance_by_type` and :func:`label_roles` (role codes in the scheme's words).
- :mod:`~rmresearch.programme.scheme`: the scheme's words, :func:`role_words` (senior leader and partner, or
  reverse mentee and reverse mentor), :func:`underrepresented_characteristics` and :func:`burden_question`.
- :mod:`~rmresearch.programme.outcomes`: :func:`read_actions` (read by
  :mod:`rmresearch.io.tables`), :func:`actions_summary` and
  :func:`kirkpatrick_summary` (reaction, learning, behaviour, results) and
  :func:`kirkpatrick_tables` (one disclosed table per basis).
- :mod:`~rmresearch.programme.plots`: :func:`plot_participants`,
  :func:`plot_meetings_held`, :func:`plot_meetings_over_time` and
  :func:`plot_gains`, each returning the Figure (or raising AnalysisError when
  there is nothing to draw), with titles computed from what they draw.

Pairs, meetings, sessions attended and actions are programme activity: reports
show them exactly (``disclose(..., basis="activity")``). Survey answers and
participants by characteristic are people, under the cohort's HESA rules.

The ``sessions`` input has one row per person invited to a group session: ``participant_id, session,
attended``, optionally ``date`` and ``session_type``.
"""

from __future__ import annotations

from .engagement import (
    engagement_by_pair,
    engagement_summary,
    fidelity_summary,
    meetings_over_time,
    meetings_per_pair,
    pairs_by_meetings_held,
    pairs_by_status,
    participants_by_role,
    record_session_attendance,
    session_attendance,
    withdrawal_sentence,
    withdrawal_timing,
)
from .outcomes import (ACTION_STATUSES, STATUS_LABELS, actions_by_status, actions_list, actions_sentence, actions_summary,
                       kirkpatrick_summary, kirkpatrick_tables, read_actions, record_actions)
from .plots import gains_title, meetings_held_title, pace_title, plot_gains, plot_meetings_held, plot_meetings_over_time, plot_participants
from .reciprocity import flag_basis, reciprocity_by_pair, reciprocity_summary, reciprocity_tables, record_reciprocity
from .scheme import (burden_question, results_sentence, role_words, scheme_sentence, underrepresented_characteristics,
                     underrepresented_sentence)
from .sessions import (ALL_ROLES, NOT_RECORDED, SESSION_TYPE_LABELS, SESSION_TYPES, UNTYPED, attendance_by_type, label_roles,
                       record_attendance_by_type, session_type_sentence, session_types)

from . import engagement, outcomes, plots, reciprocity, scheme, sessions  # noqa: E402 - the modules, for their __all__

__all__ = [*engagement.__all__, *reciprocity.__all__, *outcomes.__all__, *plots.__all__, *scheme.__all__, *sessions.__all__]
