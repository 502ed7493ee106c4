"""Change from before to after the programme: paired tests with effect sizes, by group.

:func:`paired_change` (paired t and Wilcoxon signed-rank with effect sizes),
:func:`change_by_group` (the same by role with a multiplicity correction) and
:func:`record_change` (the results a report prints from that table).
"""

from __future__ import annotations

import math
from typing import Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..codes import ROLES
from ..errors import AnalysisError
from ..stats.power import minimum_detectable_change
from ..stats.reliability import check_significance

__all__ = ["paired_change", "signed_rank_test", "change_by_group", "record_change", "detectable_change_lines", "change_for_display"]

class SignedRank(NamedTuple):
    statistic: float
    pvalue: float


def signed_rank_test(diff) -> SignedRank:
    """:func:`scipy.stats.wilcoxon` of paired differences (zeros dropped, ``method="auto"``), the same statistic and
    p-value, faster where scipy would be slow.

    With ties or zeros among 13 or fewer differences, scipy's ``auto`` runs an exact sign-flip permutation test
    (every one of the 2**n sign patterns) and computes the statistic once per pattern, a second or two each time. The
    same test through :func:`scipy.stats.permutation_test` with the statistic vectorised (the ranks of the absolute
    differences do not change when signs flip) gives the same p-value in milliseconds; elsewhere scipy's own is used.

    >>> d = np.array([1.0, 1.0, -0.5, 2.0, 0.0, 1.0, 1.5, -1.0])
    >>> fast, scipys = signed_rank_test(d), stats.wilcoxon(d, zero_method="wilcox", method="auto")
    >>> (fast.statistic, round(fast.pvalue, 6)) == (scipys.statistic, round(scipys.pvalue, 6))
    True
    """
    d = np.asarray(diff, dtype=float)
    nonzero = d[d != 0]
    ties = np.unique(np.abs(nonzero)).size < nonzero.size
    if not (ties or nonzero.size < d.size) or d.size > 13 or nonzero.size == 0:
        res = stats.wilcoxon(d, zero_method="wilcox", method="auto")
        return SignedRank(float(res.statistic), float(res.pvalue))
    ranks = np.zeros_like(d)
    ranks[d != 0] = stats.rankdata(np.abs(nonzero))

    def r_plus(x, axis=-1):
        return np.sum(np.where(np.moveaxis(x, axis, -1) > 0, ranks, 0.0), axis=-1)

    pvalue = stats.permutation_test((d,), r_plus, permutation_type="samples", vectorized=True,
                                    alternative="two-sided").pvalue
    statistic = min(r_plus(d), float(ranks.sum()) - r_plus(d))
    return SignedRank(float(statistic), float(pvalue))


_CHANGE_COLUMNS = ["n", "mean_pre", "mean_post", "mean_diff", "t", "p_t", "w", "p_w", "r", "rank_biserial", "cohen_dz", "ci_low", "ci_high",
                   "minimum_detectable_d", "minimum_detectable_change"]


def paired_change(pre, post, *, alpha: float = 0.05, power: float = 0.8) -> pd.DataFrame:
    """Pre/post change in one measure: paired t test and Wilcoxon signed-rank test with effect sizes.

    Parameters
    ----------
    pre, post
        Paired scores (Series aligned on their index, or equal-length arrays).
        Pairs with either value missing are dropped.
    alpha
        Significance level of the interval around the mean difference (0.05: 95%)
        and of the smallest detectable change.
    power
        Power at which the smallest detectable change is computed (0.8: the
        change a paired t test on these pairs detects four times in five).

    Returns
    -------
    DataFrame
        One row: ``n`` (complete pairs), ``mean_pre, mean_post, mean_diff``
        (post - pre), ``t, p_t`` (:func:`scipy.stats.ttest_rel`), ``w, p_w``
        (:func:`scipy.stats.wilcoxon`: the smaller of the positive and negative
        rank sums and its two-sided p, exact for small samples without ties or
        zeros), ``r`` (Z / sqrt(n_r)), ``rank_biserial``, ``cohen_dz`` and
        ``ci_low, ci_high`` (t interval for the mean difference), and
        ``minimum_detectable_d, minimum_detectable_change``: the smallest d_z
        (and, times the SD of the changes, the smallest change in scale points)
        a two-sided paired t test on ``n`` pairs detects with ``power``
        (:func:`rmresearch.stats.power.minimum_detectable_change`). A
        non-significant change smaller than that may still have happened.

    Notes
    -----
    - Cohen's d_z = mean(diff) / sd(diff) (sd with ddof = 1); not pingouin's
      default paired d (d_av, which divides by the average of the two sds).
    - Wilcoxon: zero differences are dropped (Wilcoxon's method), leaving
      ``n_r`` ranked differences; Z is the normal approximation with the tie
      correction and no continuity correction (``method="approx"``), and
      r = Z / sqrt(n_r), signed to agree with the direction of change (Field
      divides by sqrt of the number of observations, 2n, which gives a smaller r).
    - Matched-pairs rank-biserial correlation (Kerby, 2014, "The simple
      difference formula"): (T+ - T-) / (T+ + T-), the rank sums of positive
      and negative differences; +1 when every non-zero change is an increase.
    - Fewer than two pairs, or no variation in the differences, give NaN
      where a statistic is undefined.

    Examples
    --------
    >>> pre = pd.Series([3.0, 2.5, 4.0, 3.5, 2.0])
    >>> post = pd.Series([4.0, 3.5, 4.0, 4.5, 3.0])
    >>> row = paired_change(pre, post).iloc[0]
    >>> row[["n", "mean_diff", "rank_biserial", "cohen_dz"]].round(3).tolist()
    [5.0, 0.8, 1.0, 1.789]
    """
    check_significance(alpha)
    if isinstance(pre, pd.Series) and isinstance(post, pd.Series):
        both = pd.concat([pre.rename("pre"), post.rename("post")], axis=1, join="inner")
    else:
        a, b = np.asarray(pre, dtype=float), np.asarray(post, dtype=float)
        if a.shape != b.shape:
            raise AnalysisError(f"pre and post must have the same length ({a.size} vs {b.size}); pass Series to align them by participant.")
        both = pd.DataFrame({"pre": a, "post": b})
    both = both.apply(pd.to_numeric, errors="coerce").dropna()
    n = len(both)
    nan = float("nan")
    row = dict.fromkeys(_CHANGE_COLUMNS, nan)
    row["n"] = n
    check = minimum_detectable_change(n, alpha=alpha, power=power)
    row["minimum_detectable_d"] = check.d_z
    if n == 0:
        return pd.DataFrame([row], columns=_CHANGE_COLUMNS)
    diff = (both["post"] - both["pre"]).to_numpy()
    row.update(mean_pre=float(both["pre"].mean()), mean_post=float(both["post"].mean()), mean_diff=float(diff.mean()))
    if n >= 2:
        sd = float(diff.std(ddof=1))
        if sd > 0:
            t_res = stats.ttest_rel(both["post"], both["pre"])
            row.update(t=float(t_res.statistic), p_t=float(t_res.pvalue), cohen_dz=float(diff.mean() / sd),
                       minimum_detectable_change=check.d_z * sd)
            half = stats.t.ppf(1 - alpha / 2, n - 1) * sd / math.sqrt(n)
            row.update(ci_low=float(diff.mean() - half), ci_high=float(diff.mean() + half))
        nonzero = diff[diff != 0]
        if nonzero.size >= 1:
            ranks = stats.rankdata(np.abs(nonzero))
            t_plus, t_minus = float(ranks[nonzero > 0].sum()), float(ranks[nonzero < 0].sum())
            row["rank_biserial"] = (t_plus - t_minus) / (t_plus + t_minus)
            w_res = signed_rank_test(diff)
            row.update(w=float(w_res.statistic), p_w=float(w_res.pvalue))
            z = stats.wilcoxon(diff, zero_method="wilcox", method="approx", correction=False).zstatistic
            direction = np.sign(t_plus - t_minus)
            row["r"] = float(direction * abs(z) / math.sqrt(nonzero.size))
    return pd.DataFrame([row], columns=_CHANGE_COLUMNS)


def change_by_group(
    scores: pd.DataFrame,
    *,
    groups: pd.Series | Mapping[str, str] | None = None,
    scales: Sequence[str] | None = None,
    pre: str = "pre",
    post: str = "post",
    correction: str = "holm",
    family: str = "group",
    total: str | None = "All participants",
    order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Pre/post change in every scale, by group (e.g. role), with a multiplicity correction.

    Parameters
    ----------
    scores
        Output of :func:`score` for both waves (``participant_id``, ``wave``, scales).
    groups
        Group of each participant (a Series indexed by participant_id or a
        mapping), e.g. ``participants.set_index("participant_id")["role"]``.
        None: everyone in one group.
    scales
        Scales to test; default every scale column with answers in both waves.
    correction
        Method for :func:`statsmodels.stats.multitest.multipletests` (``"holm"``
        by default; ``"fdr_bh"``, ``"bonferroni"``...), applied to ``p_t`` and
        ``p_w`` separately.
    family
        ``"group"``: correct across the scales tested within each group;
        ``"all"``: across every test in the table.
    total
        Label of an extra group holding everyone (None to leave it out).
    order
        The groups' order (e.g. reference group first, ``Unknown`` last); groups it does not name follow,
        sorted. Default: roles in the scheme's order, then the rest sorted.

    Returns
    -------
    DataFrame
        ``group, scale`` then the :func:`paired_change` columns and
        ``p_t_adj, p_w_adj``. Show it through ``disclose`` with every
        statistic listed under ``means`` against ``n``: results for groups of
        seven or fewer people are suppressed.
    """
    from statsmodels.stats.multitest import multipletests

    if family not in ("group", "all"):
        raise AnalysisError(f"family must be 'group' or 'all', not {family!r}.")
    for col in ("participant_id", "wave"):
        if col not in scores.columns:
            raise AnalysisError(f"scores: the table has no {col} column; pass the output of surveys.score().")
    keys = {"participant_id", "wave"}
    candidates = [c for c in scores.columns if c not in keys] if scales is None else list(scales)
    wide_pre = scores.loc[scores["wave"] == pre].set_index("participant_id")
    wide_post = scores.loc[scores["wave"] == post].set_index("participant_id")
    for label, frame in ((pre, wide_pre), (post, wide_post)):
        if frame.index.duplicated().any():
            raise AnalysisError(f"scores: more than one row for some participants in wave {label!r}; keep one per participant "
                                "(read the surveys with load_surveys, which refuses a participant answering a wave twice).")
    usable = [s for s in candidates if s in wide_pre.columns and s in wide_post.columns and wide_pre[s].notna().any() and wide_post[s].notna().any()]
    if groups is None:
        group_of = pd.Series("All participants", index=wide_pre.index.union(wide_post.index))
        total = None
    else:
        group_of = groups if isinstance(groups, pd.Series) else pd.Series(dict(groups))
    ids = wide_pre.index.intersection(wide_post.index)
    present = set(group_of.loc[group_of.index.intersection(ids)].dropna())
    group_order = [g for g in (ROLES if order is None else order) if g in present]
    group_order += sorted({g for g in present if g not in group_order}, key=str)
    sets = [(g, group_of.index[group_of == g]) for g in group_order]
    if total is not None:
        sets.append((total, ids))
    rows = []
    for label, members in sets:
        members = ids.intersection(members)
        for scale in usable:
            result = paired_change(wide_pre.loc[members, scale], wide_post.loc[members, scale]).iloc[0].to_dict()
            if result["n"] == 0:
                continue
            rows.append({"group": label, "scale": scale, **result})
    table = pd.DataFrame(rows, columns=["group", "scale", *_CHANGE_COLUMNS])
    for p_col in ("p_t", "p_w"):
        adjusted = pd.Series(np.nan, index=table.index)
        blocks = [table.index] if family == "all" else [idx for _, idx in table.groupby("group", sort=False).groups.items()]
        for idx in blocks:
            values = table.loc[idx, p_col]
            ok = values.notna()
            if ok.any():
                adjusted.loc[values.index[ok]] = multipletests(values[ok].to_numpy(), method=correction)[1]
        table[f"{p_col}_adj"] = adjusted
    table["n"] = table["n"].astype(int)
    return table


def record_change(change: pd.DataFrame, instrument, *, headline: tuple[str, str] = ("senior_leader", "lived_experience"),
                  section: str = "Change from before to after", scheme=None) -> list[str]:
    """Record each scale's mean change among the roles it was written for (:func:`rmresearch.results.record`).

    ``change`` is :func:`change_by_group` output by role. A scale's change is
    recorded for each role in its ``answered_by`` whose row has a mean
    difference and an interval, as ``survey_change_<scale>_<role>``; the
    ``headline`` (role, scale) is recorded as ``survey_change`` and marked as a
    headline. A mean change is an average over people, so it is controlled as
    the table controls it (``kind="mean"``).

    ``scheme`` (the cohort's config, or its ``programme_type``) names the roles in the scheme's words: in a
    reverse scheme the senior leaders are the reverse mentees (:func:`rmresearch.characteristics.role_label`).

    Returns the keys recorded, in order.
    """
    from .. import results
    from ..characteristics import role_label

    for column in ("group", "scale", "n", "mean_diff", "ci_low", "ci_high"):
        if column not in change.columns:
            raise AnalysisError(f"change: the table has no {column} column; pass the output of surveys.change_by_group().")
    computed = change.dropna(subset=["mean_diff", "ci_low", "ci_high"]).set_index(["group", "scale"])
    keys = []
    for scale in instrument.scales:
        for role in scale.answered_by:
            if (role, scale.name) not in computed.index:
                continue
            row = computed.loc[(role, scale.name)]
            main = (role, scale.name) == tuple(headline)
            key = "survey_change" if main else f"survey_change_{scale.name}_{role}"
            people = role_label(scheme, role, plural=True)
            results.record(key, row["mean_diff"], kind="mean", n=row["n"], ci=(row["ci_low"], row["ci_high"]), unit="points",
                           decimals=2, headline=main, n_of=f"{people} who answered both surveys", section=section,
                           label=f"Mean change in {people}' scores on “{scale.title}”, pre to post")
            keys.append(key)
    return keys


def detectable_change_lines(shown: pd.DataFrame, *, alpha: float = 0.05, power: float = 0.8) -> list[str]:
    """What a change that is not significant can and cannot mean, one sentence per group of a *disclosed* change table.

    The smallest detectable change is worked out from the number of people the table shows (rounded), never from the
    exact number: a detectable effect computed from the exact ``n`` would give that number back. A group whose ``n``
    the table suppresses is said to be too small. For each group the scale with the fewest respondents counts.

    Examples
    --------
    >>> shown = pd.DataFrame({"group": ["senior_leader", "senior_leader", "student_partner"],
    ...                       "n": [15, 10, "..."]})
    >>> for line in detectable_change_lines(shown): print(line)
    - Senior leader (about 10 who answered both surveys): only a change of about 1.0 standard deviations of the changes or more could have been detected reliably; a smaller change may have happened unseen.
    - Student partner: too few people answered both surveys to say (suppressed).
    """
    from ..display import readable_value

    if shown is None:  # the change table before it could not be computed: its section shows why
        raise AnalysisError("the change table above could not be computed, so there is nothing to read it from")
    people = pd.to_numeric(shown["n"], errors="coerce")
    lines = []
    for group, n in people.groupby(shown["group"], sort=False):
        if n.isna().any():
            lines.append(f"- {readable_value(group)}: too few people answered both surveys to say (suppressed).")
            continue
        fewest = int(n.min())
        d_z = minimum_detectable_change(fewest, alpha=alpha, power=power).d_z
        if math.isnan(d_z):
            lines.append(f"- {readable_value(group)}: too few people answered both surveys to say.")
            continue
        lines.append(f"- {readable_value(group)} (about {fewest} who answered both surveys): only a change of about "
                     f"{d_z:.1f} standard deviations of the changes or more could have been detected reliably; "
                     "a smaller change may have happened unseen.")
    return lines


def change_for_display(change: pd.DataFrame, instrument, *, decimals: int = 2) -> pd.DataFrame:
    """:func:`change_by_group` output as a reader should see it: scale titles, and no "-0.00".

    Scales are named by their titles (:func:`rmresearch.surveys.with_scale_titles`; roles are shown in words by
    :func:`rmresearch.display.show_table`). A statistic that rounds to zero at ``decimals`` places (a mean change of
    -0.001) is set to 0, so it is not printed as "-0.00"; p-values are left alone. Pass the result to ``disclose``
    and keep ``change`` itself for :func:`record_change`.

    Examples
    --------
    >>> from rmresearch.surveys import load_instrument
    >>> change = pd.DataFrame({"group": ["senior_leader"], "scale": ["psychological_safety"], "n": [10],
    ...                        "mean_diff": [-0.004], "ci_low": [-0.3], "p_t": [0.0004]})
    >>> shown = change_for_display(change, load_instrument("psychological_safety"))
    >>> shown.loc[0, "scale"], str(shown.loc[0, "mean_diff"]), float(shown.loc[0, "ci_low"]), float(shown.loc[0, "p_t"])
    ('Psychological safety in the pair', '0.0', -0.3, 0.0004)
    """
    from .scoring import with_scale_titles

    if change.empty:
        raise AnalysisError("no one answered both the pre- and the post-programme survey, so no change can be assessed")
    out = with_scale_titles(change, instrument)
    stats_columns = [c for c in out.columns if c not in ("group", "scale", "n") and not c.startswith("p_")
                     and pd.api.types.is_float_dtype(out[c])]
    for column in stats_columns:
        values = out[column]
        out[column] = values.where(~(values.round(decimals) == 0), 0.0)  # -0.004 and 0.004 both read "0.00"
    return out
