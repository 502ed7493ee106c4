"""Outcomes: actions and policy changes attributed to pairs, and the evidence at Kirkpatrick's four levels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..codes import ROLES
from ..errors import AnalysisError
from ..schemas import ACTION_STATUSES
from .common import require_columns

__all__ = ["ACTION_STATUSES", "STATUS_LABELS", "read_actions", "actions_summary", "actions_by_status", "actions_list",
           "actions_sentence", "record_actions", "kirkpatrick_summary", "kirkpatrick_tables"]

#: How each status of an action reads in tables and sentences.
STATUS_LABELS = {"proposed": "Proposed", "in_progress": "In progress", "implemented": "Implemented",
                 "not_pursued": "Not pursued"}


def read_actions(path: str | Path, *, pairs: pd.DataFrame | None = None,
                 participants: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read the actions and policy changes attributed to pairs (CSV or .xlsx).

    Columns: ``pair_id``, ``action`` (what was done), ``area`` (e.g.
    recruitment, curriculum, student support), ``status`` (one of
    ``proposed, in_progress, implemented, not_pursued``, any case; spaces or hyphens are
    accepted for ``_``); optionally ``owner`` (a role or unit), ``evidence`` and
    ``date`` (UK or ISO). With ``pairs``, every pair_id must be a known pair;
    with ``participants``, an owner naming someone on the roster is a warning
    (``rmresearch validate`` shows it). Configure it as ``inputs: actions: <file>``.

    Raises :class:`~rmresearch.errors.ValidationError` naming file, row and column.
    """
    from ..io.tables import read_actions as _read_actions  # the reading lives in the input layer (schema "actions")

    return _read_actions(path, pairs=pairs, participants=participants)


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
    require_columns(actions, ["pair_id", by, "status"], "actions")
    table = pd.crosstab(actions[by], actions["status"]).reindex(columns=ACTION_STATUSES, fill_value=0)
    table["actions"] = table.sum(axis=1)
    table["pairs"] = actions.groupby(by)["pair_id"].nunique()
    table = table.reset_index().rename_axis(columns=None)
    total = {by: "Total", **{s: int((actions["status"] == s).sum()) for s in ACTION_STATUSES}, "actions": len(actions), "pairs": actions["pair_id"].nunique()}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def actions_by_status(actions: pd.DataFrame) -> pd.DataFrame:
    """Actions counted by status (every status, in order, readable), with the pairs involved and a total row.

    Examples
    --------
    >>> a = pd.DataFrame({"pair_id": ["R1", "R1", "R2"], "status": ["implemented", "proposed", "implemented"]})
    >>> actions_by_status(a)
            status  actions  pairs
    0     Proposed        1      1
    1  In progress        0      0
    2  Implemented        2      2
    3  Not pursued        0      0
    4        Total        3      2
    """
    require_columns(actions, ["pair_id", "status"], "actions")
    counts = actions["status"].value_counts().reindex(ACTION_STATUSES, fill_value=0)
    pairs = actions.groupby("status")["pair_id"].nunique().reindex(ACTION_STATUSES, fill_value=0)
    table = pd.DataFrame({"status": [STATUS_LABELS[s] for s in ACTION_STATUSES],
                          "actions": counts.astype(int).to_numpy(), "pairs": pairs.astype(int).to_numpy()})
    total = pd.DataFrame([{"status": "Total", "actions": len(actions), "pairs": int(actions["pair_id"].nunique())}])
    return pd.concat([table, total], ignore_index=True)


def actions_list(actions: pd.DataFrame) -> pd.DataFrame:
    """The named changes, one row each: ``action, area, owner, status, date`` (and ``evidence`` when recorded).

    Changes are institutional (a policy, a unit's practice), not personal, so they are listed by name; the pair
    that raised each is left out. Ordered by status (implemented first), then date; status reads as a label and
    the date as ``12 March 2025`` (empty when not recorded).

    Examples
    --------
    >>> a = pd.DataFrame({"pair_id": ["R1", "R2"], "action": ["Shadowing days", "Shortlisting guidance"],
    ...                   "area": ["leadership", "recruitment"], "status": ["proposed", "implemented"],
    ...                   "date": pd.to_datetime(["2025-02-01", None])})
    >>> actions_list(a)[["action", "owner", "status", "date"]]
                      action owner       status             date
    0  Shortlisting guidance        Implemented
    1         Shadowing days           Proposed  1 February 2025
    """
    require_columns(actions, ["action", "area", "status"], "actions")
    order = {s: i for i, s in enumerate(("implemented", "in_progress", "proposed", "not_pursued"))}
    dates = pd.to_datetime(actions["date"]) if "date" in actions.columns else pd.Series(pd.NaT, index=actions.index)
    frame = actions.assign(_order=actions["status"].map(order), _date=dates)
    frame = frame.sort_values(["_order", "_date"], kind="stable", na_position="last")
    text = lambda c: frame[c].fillna("").astype(str) if c in frame.columns else pd.Series("", index=frame.index)  # noqa: E731
    out = pd.DataFrame({
        "action": frame["action"].astype(str), "area": frame["area"].astype(str), "owner": text("owner"),
        "status": frame["status"].map(STATUS_LABELS),
        "date": frame["_date"].map(lambda d: "" if pd.isna(d) else f"{d.day} {d:%B %Y}"),
    })
    if "evidence" in frame.columns and frame["evidence"].notna().any():
        out["evidence"] = text("evidence")
    return out.reset_index(drop=True)



def actions_sentence(actions: pd.DataFrame, *, pairs: int | None = None) -> str:
    """The actions log in one sentence, true of its exact counts (programme activity).

    >>> a = pd.DataFrame({"pair_id": ["R1", "R1", "R2"], "status": ["implemented", "proposed", "implemented"]})
    >>> actions_sentence(a, pairs=10)
    'The log records 3 actions or policy changes, raised by 2 of the 10 pairs: 2 implemented and 1 proposed.'
    >>> actions_sentence(a.iloc[:0], pairs=10)
    'The log records no action or policy change yet.'
    """
    require_columns(actions, ["pair_id", "status"], "actions")
    if actions.empty:
        return "The log records no action or policy change yet."
    n, raised = len(actions), actions["pair_id"].nunique()
    by = f"raised by {raised} of the {pairs} pairs" if pairs else f"raised by {raised} pair{'s' if raised != 1 else ''}"
    order = ("implemented", "in_progress", "proposed", "not_pursued")
    counts = [(int((actions["status"] == st).sum()), STATUS_LABELS[st].lower()) for st in order]
    parts = [f"{k} {label}" for k, label in counts if k]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" and {parts[-1]}"
    return f"The log records {n} action{'s' if n != 1 else ''} or policy change{'s' if n != 1 else ''}, {by}: {listed}."


def record_actions(actions: pd.DataFrame, *, section: str = "Actions and policy changes") -> list[str]:
    """Record the results level (:func:`rmresearch.results.record`, programme activity: exact): ``actions_recorded``
    (a count) and ``actions_implemented`` (the share of recorded actions implemented, with its numerator; a
    headline: the institution's results in the executive summary). Returns the keys."""
    from .. import results

    require_columns(actions, ["pair_id", "status"], "actions")
    n = len(actions)
    if n == 0:
        raise AnalysisError("the actions log has no rows, so there are no results to record")
    done = int((actions["status"] == "implemented").sum())
    results.record("actions_recorded", n, kind="count", basis="activity", section=section,
                   label="Actions and policy changes recorded in the actions log")
    results.record("actions_implemented", done / n, kind="rate", n=n, numerator=done, n_of="actions recorded",
                   basis="activity", headline=True, section=section,
                   label="Actions and policy changes implemented, of those recorded",
                   sentence="{value} of the {n} actions and policy changes recorded have been implemented.")
    return ["actions_recorded", "actions_implemented"]

def kirkpatrick_summary(
    *,
    per_pair: pd.DataFrame | None = None,
    scores: pd.DataFrame | None = None,
    participants: pd.DataFrame | None = None,
    instrument=None,
    reciprocity: pd.DataFrame | None = None,
    actions: pd.DataFrame | None = None,
    scheme=None,
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
    scheme
        The cohort's config or ``programme_type``: the measures name the roles in the scheme's words
        (reverse mentors and reverse mentees in a reverse scheme).

    Returns
    -------
    DataFrame
        ``level, measure, count, share, average, effect_size, n, source, basis``:
        a count (of pairs or actions) with its share of ``n``, or an average /
        change on ``n`` people with its effect size; ``basis`` says how the row is
        disclosed (``"activity"``: pairs, meetings and actions, exact;
        ``"people"``: survey answers). :func:`kirkpatrick_tables` shows it. Show it with
        ``disclose(t, counts=["count", "n"], rates={"share": ("n", "count")},
        means={"average": "n", "effect_size": "n"})``. Institutional results
        (awarding gap, staff progression) come from the attainment and
        progression reports and are not repeated here.
    """
    from ..characteristics import role_label
    from ..surveys import paired_change
    from .scheme import role_words

    taking_part = participants["role"] if participants is not None else (
        reciprocity["partner_role"] if reciprocity is not None else None)
    words = role_words(scheme, taking_part)
    rows = []
    nan = float("nan")

    def add(level, measure, count=nan, share=nan, average=nan, effect=nan, n=nan, source="", basis="activity"):
        rows.append((level, measure, count, share, average, effect, n, source, basis))

    if per_pair is not None:
        n = len(per_pair)
        completed = float((per_pair["status"] == "completed").sum())
        add("reaction", "Pairs that completed the programme", count=completed, share=completed / n if n else nan, n=n, source="pairs table")
    if reciprocity is not None:
        answered = reciprocity["gain_difference"].notna()
        add("reaction", f"Mean balance of gains between {words['senior']} and {words['partner']} (1 = equal)", average=reciprocity.loc[answered, "balance_index"].mean(), n=int(answered.sum()), source="post survey (pairs)", basis="people")
    if scores is not None and instrument is not None:
        roles = participants.set_index("participant_id")["role"] if participants is not None else None
        for scale in instrument.scales:
            if scale.name not in scores.columns or scale.kirkpatrick is None:
                continue
            data = scores[["participant_id", "wave", scale.name]].dropna()
            if roles is not None:
                data = data.loc[data["participant_id"].map(roles).isin(scale.answered_by)]
            taking_part = set(roles) if roles is not None else set(ROLES)  # name only the roles in this cohort
            meant = [r for r in scale.answered_by if r in taking_part]
            named = dict.fromkeys(role_label(scheme, r, plural=True) for r in meant)
            everyone = taking_part <= set(scale.answered_by)
            who = "all participants" if everyone or not named else ", ".join(named)
            if scale.kirkpatrick == "reaction" or "pre" not in scale.waves:
                post = data.loc[data["wave"] == "post", scale.name]
                if len(post):
                    add(scale.kirkpatrick, f"{scale.title}: mean after the programme (1-5; {who})", average=float(post.mean()), n=int(post.size), source="post survey", basis="people")
            else:
                wide = data.pivot_table(index="participant_id", columns="wave", values=scale.name)
                if {"pre", "post"} <= set(wide.columns):
                    change = paired_change(wide["pre"], wide["post"]).iloc[0]
                    add(scale.kirkpatrick, f"{scale.title}: mean change, post - pre ({who})", average=change["mean_diff"], effect=change["cohen_dz"], n=int(change["n"]), source="pre and post surveys", basis="people")
    if per_pair is not None:
        n = len(per_pair)
        met = float(per_pair["met_plan"].sum()) if "met_plan" in per_pair.columns else nan
        add("behaviour", "Pairs that held every planned meeting", count=met, share=met / n if n else nan, n=n, source="meeting records")
        add("behaviour", "Mean meetings held per pair", average=float(per_pair["held"].mean()) if n else nan, n=n, source="meeting records")
    if reciprocity is not None:
        n = len(reciprocity)
        flagged = float(reciprocity["flag"].sum())
        # A count of pairs (activity) unless some partner is not from an under-represented group: then it counts
        # partners by their group too (people by characteristic; see reciprocity.flag_basis).
        basis = "activity" if bool(reciprocity["partner_underrepresented"].all()) else "people"
        add("reaction", f"Pairs where the under-represented {words['partner']} carried most of the work", count=flagged, share=flagged / n if n else nan, n=n, source="meetings and post survey", basis=basis)
    if actions is not None:
        pairs_n = len(per_pair) if per_pair is not None else actions["pair_id"].nunique()
        with_action = float(actions["pair_id"].nunique())
        add("results", "Pairs with at least one recorded action or policy change", count=with_action, share=with_action / pairs_n if pairs_n else nan, n=pairs_n, source="actions log")
        for status in ("implemented", "in_progress", "proposed", "not_pursued"):
            counted = float((actions["status"] == status).sum())
            if counted or status == "implemented":
                add("results", f"Actions {STATUS_LABELS[status].lower()} (of all recorded)", count=counted,
                    share=counted / len(actions) if len(actions) else nan, n=len(actions), source="actions log")
    table = pd.DataFrame(rows, columns=["level", "measure", "count", "share", "average", "effect_size", "n", "source", "basis"])
    order = {level: i for i, level in enumerate(("reaction", "learning", "behaviour", "results"))}
    return table.sort_values("level", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)



def kirkpatrick_tables(kirkpatrick: pd.DataFrame, *, rules=None) -> list[tuple[pd.DataFrame, str]]:
    """The disclosed tables of :func:`kirkpatrick_summary`, each with its caption: one per basis and kind of figure.

    Counts and averages of programme activity (pairs, meetings, actions) are shown exactly
    (``basis="activity"``); survey answers (people's outcomes) are rounded and suppressed under the cohort's
    rules. Tables with no row are left out.
    """
    from ..disclosure import disclose

    require_columns(kirkpatrick, ["level", "measure", "count", "share", "average", "effect_size", "n", "source", "basis"],
                    "Kirkpatrick summary")
    shown = []
    for basis, what in (("activity", "programme activity, exact"), ("people", "survey answers, disclosure-controlled")):
        part = kirkpatrick.loc[kirkpatrick["basis"] == basis]
        counted = part.dropna(subset=["count"])[["level", "measure", "count", "share", "n", "source"]]
        averaged = part.dropna(subset=["average"])[["level", "measure", "average", "effect_size", "n", "source"]]
        if len(counted):
            shown.append((disclose(counted.reset_index(drop=True), counts=["count", "n"], rates={"share": ("n", "count")},
                                   rules=rules, basis=basis, name=f"Kirkpatrick summary: counts ({basis})"),
                          f"Evidence at Kirkpatrick's four levels: counts ({what})"))
        if len(averaged):
            effect = averaged["effect_size"].notna().any()
            table = averaged if effect else averaged.drop(columns="effect_size")
            means = {"average": "n", **({"effect_size": "n"} if effect else {})}
            shown.append((disclose(table.reset_index(drop=True), counts=["n"], means=means, rules=rules, basis=basis,
                                   name=f"Kirkpatrick summary: averages ({basis})"),
                          f"Evidence at Kirkpatrick's four levels: averages{' and change (effect size: Cohen’s d_z)' if effect else ''} ({what})"))
    return shown
