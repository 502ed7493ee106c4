"""Change from before to after the programme by the participants' characteristics (issue 14).

:func:`change_by_characteristic` is :func:`~rmresearch.surveys.change_by_group` by one characteristic's coarse
groups (its ``aggregate_column``: the reference group, every other known group together, ``Unknown``), or by an
intersection's groups; :func:`change_tables` does it for every characteristic and intersection the participants
table carries, each disclosed under that characteristic's own rules (``cfg.disclosure.for_characteristic``: stricter
for special-category data and for intersections). Survey answers are people's outcomes: a group's figures are
suppressed when too few of its members answered both surveys, and n is rounded.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from ..codes import UNKNOWN_GROUP
from ..errors import AnalysisError
from .change import change_by_group, change_for_display

__all__ = ["change_by_characteristic", "change_tables", "coincides_with_role", "coinciding_sentence", "mean_rules",
           "CHANGE_COLUMNS"]

#: The columns of a change table as the report shows them.
CHANGE_COLUMNS = ["group", "scale", "n", "mean_pre", "mean_post", "mean_diff", "ci_low", "ci_high", "cohen_dz", "r",
                  "rank_biserial", "p_t_adj", "p_w_adj", "minimum_detectable_d", "minimum_detectable_change"]


def _order(characteristic) -> list[str]:
    """Reference group first, then the aggregate (or, for an intersection, its groups in order), Unknown last."""
    if characteristic.is_intersection:
        return list(characteristic.group_names())
    return [g for g in dict.fromkeys([characteristic.reference, characteristic.aggregate, UNKNOWN_GROUP]) if g]


def change_by_characteristic(scores: pd.DataFrame, participants: pd.DataFrame, characteristic, *,
                             scales: Sequence[str] | None = None, correction: str = "holm") -> pd.DataFrame:
    """Pre/post change in every scale by ``characteristic``'s coarse groups, labelled as the cohort names them.

    ``participants`` is the loaded participants table, which carries ``characteristic.aggregate_column``
    (reference, aggregate or ``Unknown``; an intersection's own column). Returns :func:`change_by_group`'s
    columns with ``group`` the display label of each group (``characteristic.label``, capitalised: 'Global
    majority' for 'BAME'), reference group first and ``Unknown`` last; no all-participants row (the table by role has it).
    P-values are Holm-adjusted across the scales within each group. Participants not known to be in any group
    are counted under ``Unknown``, never dropped.

    Examples
    --------
    >>> from rmresearch.characteristics import read_options
    >>> ch = read_options({"disability": {"column": "disability_code", "code_list": "disability"}}, "c.yml")["disability"]
    >>> people = pd.DataFrame({"participant_id": ["A", "B", "C", "D"],
    ...                        "disability_aggregate": ["Disabled", "Disabled", "No known disability", "Unknown"]})
    >>> scores = pd.DataFrame({"participant_id": list("ABCD") * 2, "wave": ["pre"] * 4 + ["post"] * 4,
    ...                        "confidence": [2.0, 3.0, 4.0, 3.0, 3.0, 5.0, 4.5, 3.0]})
    >>> change_by_characteristic(scores, people, ch)[["group", "n", "mean_pre", "mean_post", "mean_diff"]]
                     group  n  mean_pre  mean_post  mean_diff
    0  No known disability  1       4.0        4.5        0.5
    1             Disabled  2       2.5        4.0        1.5
    2              Unknown  1       3.0        3.0        0.0
    """
    column = characteristic.aggregate_column
    if "participant_id" not in participants.columns or column not in participants.columns:
        tables = ", ".join(getattr(characteristic, "tables", ()) or ())
        raise AnalysisError(f"the participants table has no {column} column, so change by {characteristic.title.lower()} "
                            f"cannot be shown; the cohort file's {characteristic.name} characteristic must list "
                            f"participants among its tables (tables: {tables or 'none'}) and its column "
                            f"{getattr(characteristic, 'column', column)!r} must be in the participants table.")
    groups = participants.set_index("participant_id")[column].fillna(UNKNOWN_GROUP)
    table = change_by_group(scores, groups=groups, scales=scales, correction=correction, total=None,
                            order=_order(characteristic))
    from ..display import capitalise

    return table.assign(group=table["group"].map(lambda g: capitalise(characteristic.label(g))))


def _answered_both(scores: pd.DataFrame) -> pd.Index:
    ids = {w: set(scores.loc[scores["wave"] == w, "participant_id"]) for w in ("pre", "post")}
    return pd.Index(sorted(ids["pre"] & ids["post"], key=str))


def coincides_with_role(scores: pd.DataFrame, participants: pd.DataFrame, characteristic) -> bool:
    """Whether, among the people who answered both surveys, ``characteristic``'s groups are the roles under other
    names (every member of each role in one group, and each group holding one role): a table by it would repeat
    the table by role.

    >>> from rmresearch.characteristics import read_options
    >>> ch = read_options({"disability": {"column": "d", "code_list": "disability"}}, "c.yml")["disability"]
    >>> people = pd.DataFrame({"participant_id": ["A", "B", "C"], "role": ["senior_leader", "staff_partner", "staff_partner"],
    ...                        "disability_aggregate": ["No known disability", "Disabled", "Disabled"]})
    >>> both = pd.DataFrame({"participant_id": list("ABC") * 2, "wave": ["pre"] * 3 + ["post"] * 3})
    >>> coincides_with_role(both, people, ch), coincides_with_role(both, people.assign(role="staff_partner"), ch)
    (True, False)
    """
    column = characteristic.aggregate_column
    if column not in participants.columns or "role" not in participants.columns:
        return False
    people = participants.set_index("participant_id").reindex(_answered_both(scores))[["role", column]].dropna()
    if people.empty or people["role"].nunique() < 2:
        return False
    return bool((people.groupby("role")[column].nunique() == 1).all()
                and (people.groupby(column)["role"].nunique() == 1).all())


def coinciding_sentence(scores: pd.DataFrame, participants: pd.DataFrame, config) -> str:
    """The sentence for the characteristics :func:`change_tables` leaves out because they coincide with role
    (empty when none does)."""
    from ..groups import carried

    studied = [*carried(config.characteristics, "participants"), *carried(config.intersections, "participants")]
    same = [ch.title.lower() for ch in studied if coincides_with_role(scores, participants, ch)]
    if not same:
        return ""
    names = same[0] if len(same) == 1 else ", ".join(same[:-1]) + f" and {same[-1]}"
    return (f"In this cohort the groups by {names} coincide with the roles among the people who answered both "
            f"surveys, so change by {names} would repeat the table by role above under other labels; it is not "
            "shown again.")


def change_tables(scores: pd.DataFrame, participants: pd.DataFrame, config, instrument, *,
                  correction: str = "holm") -> list[tuple[pd.DataFrame, str]]:
    """The disclosed change tables by each characteristic, then each intersection, the participants carry.

    Each is :func:`change_by_characteristic` shown through :func:`rmresearch.disclosure.disclose` with
    ``config.disclosure.for_characteristic(ch)`` (averages held to its smallest cell too, :func:`mean_rules`): a
    special-category characteristic or an intersection is suppressed at its own, stricter thresholds, which the
    caption states. Returns ``[(shown, caption)]`` in the cohort file's order; a
    characteristic whose groups nobody answered both surveys in is left out, and so is one whose groups are the
    roles under other names (:func:`coincides_with_role`; :func:`coinciding_sentence` says so). Raises
    AnalysisError when the participants carry no characteristic.
    """
    from ..disclosure import disclose
    from ..groups import carried

    studied = [*carried(config.characteristics, "participants"), *carried(config.intersections, "participants")]
    studied = [ch for ch in studied if ch.aggregate_column in participants.columns]
    if not studied:
        raise AnalysisError("the participants table carries none of the cohort's characteristics "
                            "(options.characteristics, tables: participants), so change cannot be shown by group")
    shown = []
    for ch in studied:
        if coincides_with_role(scores, participants, ch):
            continue
        change = change_by_characteristic(scores, participants, ch, correction=correction)
        if change.empty:
            continue
        stats = [c for c in CHANGE_COLUMNS if c not in ("group", "scale", "n")]
        rules = mean_rules(config.disclosure.for_characteristic(ch))
        table = disclose(change_for_display(change[CHANGE_COLUMNS], instrument), counts=["n"],
                         means={c: "n" for c in stats}, rules=rules, name=f"survey change by {ch.name}")
        what = ("an intersection of two characteristics" if ch.is_intersection else
                "special-category data" if ch.special_category else "")
        stricter = f" ({what}: {_threshold_text(rules)})" if what and rules != config.disclosure else ""
        shown.append((table, f"Change in scale scores (post - pre) by {ch.title.lower()}{stricter}; "
                             "Holm-adjusted p-values"))
    return shown


def mean_rules(rules):
    """``rules`` with averages held to the characteristic's own smallest cell too: an average on fewer than
    ``min_cell_size`` people is suppressed in a public report as well (an intersection's 10, not the 7 or fewer
    of ``max_mean_suppressed_n``). Stricter only; the base rules are returned unchanged.

    >>> from rmresearch.config import DisclosureRules
    >>> mean_rules(DisclosureRules(min_cell_size=10)).max_mean_suppressed_n, mean_rules(DisclosureRules()).max_mean_suppressed_n
    (9, 7)
    """
    import dataclasses

    floor = int(rules.min_cell_size) - 1
    return dataclasses.replace(rules, max_mean_suppressed_n=floor) if floor > rules.max_mean_suppressed_n else rules


def _threshold_text(rules) -> str:
    if rules.audience == "internal":
        return f"figures on fewer than {rules.min_cell_size} people suppressed"
    return f"averages on {rules.max_mean_suppressed_n} or fewer people suppressed"
