"""Reciprocity and burden: what each partner gained, who did the work, and who carries the load.

:func:`reciprocity_by_pair` (each partner's gain, the difference and a balance
index, who initiated meetings, burden, and a flag where the under-represented
partner carries most of the work), :func:`reciprocity_summary` and
:func:`record_reciprocity`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codes import PARTNER_ROLES, UNKNOWN_GROUP
from ..errors import AnalysisError
from .common import held_meetings, require_columns

__all__ = ["reciprocity_by_pair", "reciprocity_summary", "record_reciprocity", "flag_basis", "reciprocity_tables"]


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
    characteristics=None,
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
    characteristics
        The cohort's characteristics that make a partner under-represented
        (:func:`~rmresearch.programme.underrepresented_characteristics`): a partner
        outside the reference group of any of them (and not ``Unknown``) counts,
        read from each one's ``aggregate_column``. Given, it replaces
        ``reference_group`` and ``group_column``.
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
    require_columns(pairs, ["pair_id", "senior_id", "partner_id"], "pairs")
    chars = list(characteristics) if characteristics is not None else None
    columns = [c.aggregate_column for c in chars] if chars is not None else [group_column]
    require_columns(participants, ["participant_id", "role", *columns], "participants")
    if "participant_id" not in scores.columns or gain not in scores.columns:
        raise AnalysisError(f"scores needs participant_id and a '{gain}' column (the output of rmresearch.surveys.score for the {gain} scale).")
    low, high = scale_range
    if not high > low:
        raise AnalysisError(f"scale_range must be (lowest, highest) with highest above lowest, not {scale_range}.")
    if wave is not None and "wave" in scores.columns:
        scores = scores.loc[scores["wave"] == wave]
    if scores["participant_id"].duplicated().any():
        raise AnalysisError("scores: more than one row for some participants; pass one wave (wave='post').")
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

    _add_who_arranged(out, meetings)
    references = [(c.aggregate_column, c.reference) for c in chars] if chars is not None else [(group_column, reference_group)]
    out["partner_underrepresented"] = _underrepresented(pd.Series(partner), people, references)
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


def _add_who_arranged(out: pd.DataFrame, meetings: pd.DataFrame | None) -> None:
    """Add, per pair, the meetings with a recorded organiser and the share each side arranged (and prepared)."""
    nan_share = pd.Series(np.nan, index=out.index)
    out["meetings_with_initiator"] = 0
    for who in ("partner", "senior", "facilitator"):
        out[f"initiated_by_{who}"] = nan_share
    out["prepared_by_partner"] = nan_share
    if meetings is None or "initiated_by" not in meetings.columns:
        return
    held = held_meetings(meetings)
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


def _underrepresented(partner: pd.Series, people: pd.DataFrame, references: list[tuple[str, str]]) -> np.ndarray:
    """Whether each partner is outside the reference group (and not Unknown) of any (column, reference) given."""
    under = np.zeros(len(partner), dtype=bool)
    for column, reference in references:
        group = partner.map(people[column]).to_numpy()
        under |= np.array([isinstance(g, str) and g not in (reference, UNKNOWN_GROUP) for g in group], dtype=bool)
    return under


def reciprocity_summary(per_pair: pd.DataFrame, *, total: str = "All pairs") -> pd.DataFrame:
    """Gains, balance and burden by the partner's role (and for all pairs).

    Returns one row per partner role: ``partner_role, pairs, senior_gain,
    senior_gain_n, partner_gain, partner_gain_n, gain_difference, both_n,
    balance_index, senior_burden, senior_burden_n, partner_burden,
    partner_burden_n, initiated_by_partner, initiator_n, carries_more,
    underrepresented, flagged, flagged_share`` (``carries_more``: pairs in which
    the partner carries most of the work, whatever their group;
    ``underrepresented``: pairs whose partner is from an under-represented group).
    :func:`reciprocity_tables` shows it disclosed. Means are over pairs (or respondents) with a value; show
    it with::

        disclose(t, counts=["pairs", "senior_gain_n", "partner_gain_n", "both_n", "senior_burden_n",
                            "partner_burden_n", "initiator_n", "flagged"],
                 rates={"flagged_share": ("pairs", "flagged")},
                 means={"senior_gain": "senior_gain_n", "partner_gain": "partner_gain_n",
                        "gain_difference": "both_n", "balance_index": "both_n",
                        "senior_burden": "senior_burden_n", "partner_burden": "partner_burden_n",
                        "initiated_by_partner": "initiator_n"})
    """
    require_columns(per_pair, ["partner_role", "senior_gain", "partner_gain", "gain_difference", "balance_index", "senior_burden", "partner_burden", "initiated_by_partner", "flag"], "per-pair reciprocity")
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
            "carries_more": int(part["partner_carries_more"].sum()) if "partner_carries_more" in part else 0,
            "underrepresented": int(part["partner_underrepresented"].sum()) if "partner_underrepresented" in part else 0,
            "flagged": int(part["flag"].sum()),
            "flagged_share": part["flag"].mean() if len(part) else float("nan"),
        })
    return pd.DataFrame(rows)


def record_reciprocity(summary: pd.DataFrame, *, section: str = "Reciprocity and burden", scheme=None) -> list[str]:
    """Record the all-pairs figures of :func:`reciprocity_summary` (:func:`rmresearch.results.record`).

    The last row (all pairs) gives ``burden_flagged_rate`` (a headline: pairs in which the partner from an
    under-represented group carried most of the work, with its numerator), ``gain_difference`` (partner
    minus senior leader, over pairs where both answered) and ``burden_senior`` / ``burden_partner``
    (means over respondents). Returns the keys recorded.

    The burden flag counts pairs, programme activity, and is recorded exactly when every partner is from an
    under-represented group (:func:`flag_basis`); the gains and burden are survey answers, people's outcomes,
    recorded under the people rules. ``scheme`` (the cohort's config or ``programme_type``) names the two sides
    as the scheme does (:func:`~rmresearch.programme.role_words`: reverse mentor and reverse mentee).
    """
    from .. import results
    from .scheme import role_words

    words = role_words(scheme, summary["partner_role"] if "partner_role" in summary.columns else None)

    require_columns(summary, ["pairs", "flagged", "flagged_share", "gain_difference", "both_n", "senior_burden",
                              "senior_burden_n", "partner_burden", "partner_burden_n"], "reciprocity summary")
    if summary.empty:
        raise AnalysisError("reciprocity summary: the table is empty; pass the output of programme.reciprocity_summary().")
    every = summary.iloc[-1]  # the row for all pairs
    results.record("burden_flagged_rate", every["flagged_share"], kind="rate", n=every["pairs"], numerator=every["flagged"],
                   n_of="pairs", headline=True, section=section, basis=flag_basis(summary),
                   label=f"Pairs in which the under-represented {words['partner']} carried most of the work")
    results.record("gain_difference", every["gain_difference"], kind="mean", n=every["both_n"], unit="points", decimals=2,
                   n_of="pairs where both sides answered", section=section,
                   label=f"Mean difference in reported gain, {words['partner']} minus {words['senior']}")
    keys = ["burden_flagged_rate", "gain_difference"]
    for who, people in (("senior", words["seniors"]), ("partner", words["partners"])):
        results.record(f"burden_{who}", every[f"{who}_burden"], kind="mean", n=every[f"{who}_burden_n"], unit="points",
                       decimals=2, n_of="respondents", section=section,
                       label=f"Mean burden of taking part reported by {people}")
        keys.append(f"burden_{who}")
    return keys


def flag_basis(summary: pd.DataFrame) -> str:
    """How the burden flag of :func:`reciprocity_summary` is disclosed: ``"activity"`` or ``"people"``.

    A flagged pair is one whose partner carries most of the work and is from an under-represented group. When
    every partner is from an under-represented group (the scheme's design), the flag says only who did the work
    in the pair, programme activity, shown exactly. Otherwise the number of flagged pairs beside the number
    carrying more work counts partners by their group (ethnicity, disability...), people by characteristic: the
    cohort's rules for people apply.

    >>> flag_basis(pd.DataFrame({"pairs": [6, 6, 12], "underrepresented": [6, 6, 12]}))
    'activity'
    >>> flag_basis(pd.DataFrame({"pairs": [6, 6, 12], "underrepresented": [6, 5, 11]}))
    'people'
    """
    require_columns(summary, ["pairs", "underrepresented"], "reciprocity summary")
    every = summary.iloc[-1]
    return "activity" if len(summary) and int(every["underrepresented"]) == int(every["pairs"]) else "people"


def reciprocity_tables(summary: pd.DataFrame, *, rules=None, scheme=None) -> list[tuple[pd.DataFrame, str]]:
    """The disclosed tables of :func:`reciprocity_summary`, each with its caption, in the order to show them.

    1. **Who did the work** (programme activity, exact: ``basis="activity"``): pairs by the partner's role,
       pairs with a recorded organiser, the mean share of meetings the partner arranged, pairs in which the
       partner carried most of the work, and the burden flag when :func:`flag_basis` says it is activity.
    2. **What each side gained and the burden they report** (survey answers, people's outcomes: counts rounded,
       means on too few people suppressed), with the burden flag when it counts people by characteristic.

    ``scheme`` (the cohort's config or ``programme_type``) gives the words of rows, headers and captions: in a
    reverse scheme the partner is the reverse mentor and the senior leader the reverse mentee.
    """
    from ..characteristics import role_labels
    from ..disclosure import disclose
    from .scheme import role_words
    from .sessions import label_roles

    words = role_words(scheme, summary["partner_role"])
    summary = label_roles(summary, role_labels(scheme), column="partner_role")
    basis = flag_basis(summary)
    flag = ["flagged", "flagged_share"]
    names = {"initiator_n": "pairs_with_organiser", "initiated_by_partner": "share_arranged_by_partner",
             "carries_more": "partner_carried_more"}
    # Activity: every partner is from an under-represented group, so the flag is "the partner carried more".
    work = summary[["partner_role", "pairs", "initiator_n", "initiated_by_partner",
                    *(flag if basis == "activity" else ["carries_more"])]].rename(columns=names)
    rates = {"flagged_share": ("pairs", "flagged")}
    shown_work = disclose(work, counts=["pairs", "pairs_with_organiser",
                                        *(["flagged"] if basis == "activity" else ["partner_carried_more"])],
                          means={"share_arranged_by_partner": "pairs_with_organiser"},
                          rates=rates if basis == "activity" else None, rules=rules, basis="activity",
                          name="reciprocity: who did the work")
    survey = summary[["partner_role", "senior_gain", "senior_gain_n", "partner_gain", "partner_gain_n", "gain_difference",
                      "balance_index", "both_n", "senior_burden", "senior_burden_n", "partner_burden", "partner_burden_n",
                      *(flag + ["pairs"] if basis == "people" else [])]]
    means = {"senior_gain": "senior_gain_n", "partner_gain": "partner_gain_n", "gain_difference": "both_n",
             "balance_index": "both_n", "senior_burden": "senior_burden_n", "partner_burden": "partner_burden_n"}
    counts = ["senior_gain_n", "partner_gain_n", "both_n", "senior_burden_n", "partner_burden_n"]
    shown_survey = disclose(survey, counts=counts + (["flagged", "pairs"] if basis == "people" else []), means=means,
                            rates=rates if basis == "people" else None, rules=rules, name="reciprocity: gains and burden")
    partner, senior = words["partner"], words["senior"]
    headers = {"partner_role": f"{partner}'s role", "share_arranged_by_partner": f"share arranged by {partner}",
               "partner_carried_more": f"{partner} carried more", "flagged": "flagged pairs",
               "flagged_share": "flagged share", "senior_gain": f"{senior} gain", "senior_gain_n": f"{senior} gain n",
               "partner_gain": f"{partner} gain", "partner_gain_n": f"{partner} gain n",
               "gain_difference": f"gain difference ({partner} - {senior})", "both_n": "pairs both answered",
               "senior_burden": f"{senior} burden", "senior_burden_n": f"{senior} burden n",
               "partner_burden": f"{partner} burden", "partner_burden_n": f"{partner} burden n"}
    return [
        (_relabel(shown_work, headers),
         f"Who did the work, by {partner}'s role: pairs, the share of meetings the {partner} arranged (0 to 1, mean "
         f"over pairs with a recorded organiser) and pairs in which the {partner} carried most of the work (exact "
         "counts of pairs)"),
        (_relabel(shown_survey, headers),
         f"What each side gained and the burden they report ({senior} and {partner}), by {partner}'s role (means over "
         "respondents, post-programme survey)"),
    ]


def _relabel(shown: pd.DataFrame, headers: dict) -> pd.DataFrame:
    """A disclosed table with its headers in the scheme's words (the disclosure record renamed with it)."""
    from ..progression import relabel

    return relabel(shown, {k: v for k, v in headers.items() if k in shown.columns})
