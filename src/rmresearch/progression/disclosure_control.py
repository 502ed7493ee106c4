"""Disclosure control for progression tables: relative likelihoods, log-rank tests, Kaplan–Meier steps.

Every table a report shows still goes through
:func:`rmresearch.disclosure.disclose`; these functions make that one call
with the right bases, so a ratio, a test statistic or a survival step is
suppressed wherever it would give back a small count.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..config import DisclosureRules
from ..display import fewer_than
from ..errors import AnalysisError
from ._common import _require_columns, _rules

__all__ = ["disclose_relative_likelihood", "disclose_logrank", "disclose_event_rates", "disclose_cox",
           "disclosable_steps", "disclose_kaplan_meier", "plottable_groups", "disclose_grade_table", "relabel",
           "relative_likelihood_labels", "event_rate_labels"]


def disclose_relative_likelihood(
    table: pd.DataFrame, *, rules: DisclosureRules | None = None, decimals: int = 2, name: str | None = None,
    style: str | None = None,
) -> pd.DataFrame:
    """Disclosure control for a :func:`relative_likelihood` table.

    One call to :func:`~rmresearch.disclosure.disclose`: counts are rounded,
    rates suppressed, and the ratio, its interval, the flag and the note are
    ``derived`` from both rates, so they are suppressed (with the same marker)
    wherever either rate is, in both styles: beside a suppressed rate the
    ratio would give it back (White 120/400, Black 2/60: 30.0% / 9.00 = 3.3%,
    the 2). Shown ratios have ``decimals`` places.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.progression import relative_likelihood
    >>> rec = pd.DataFrame({"g": ["White", "Black"], "shortlisted": [400, 60], "appointed": [120, 2]})
    >>> rl = relative_likelihood(rec, group="g", numerator="appointed", denominator="shortlisted")
    >>> disclose_relative_likelihood(rl, style="ofs")[["g", "rate", "reference_rate", "relative_likelihood"]]
           g   rate reference_rate relative_likelihood
    0  Black  [DPL]          30.0%               [DPL]
    """
    from ..disclosure import disclose

    rules = _rules(rules)
    bases = ["rate", "reference_rate"]
    derived = {c: bases for c in ("relative_likelihood", "ci_low", "ci_high", "p_value", "non_adverse", "method", "note")
               if c in table.columns}
    return disclose(
        table,
        counts=["numerator", "denominator", "reference_numerator", "reference_denominator"],
        rates={"rate": ("denominator", "numerator"), "reference_rate": ("reference_denominator", "reference_numerator")},
        derived=derived,
        derived_decimals={c: 3 if c == "p_value" else decimals for c in derived},
        rules=rules,
        style=style,
        name=name or "relative likelihood",
    )


def disclose_logrank(
    table: pd.DataFrame, *, rules: DisclosureRules | None = None, style: str | None = None, name: str | None = None
) -> pd.DataFrame:
    """Disclosure control for a :func:`logrank_test` table, in one :func:`~rmresearch.disclosure.disclose` call.

    The expected events rest on each group's observed events, and the test
    statistic and p-value (shown on every row) on all groups: with a group of
    two events, ``chisq = (O - E)^2 / V`` beside ``E`` gives ``O`` back, and the
    other row would show the same statistic. So ``expected`` is suppressed with
    a group whose events (or events subtracted from its size) are two or fewer,
    and ``chisq``, ``df`` and ``p_value`` in every row when any group is.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"group": ["A", "B"], "n": [200, 60], "observed": [120, 2], "expected": [100.1, 21.9],
    ...                   "chisq": [25.3, 25.3], "df": [1, 1], "p_value": [0.0, 0.0]})
    >>> disclose_logrank(t)[["group", "observed", "expected", "chisq", "p_value"]]
      group  observed expected chisq p_value
    0     A       120    100.1    ..      ..
    1     B         0       ..    ..      ..
    """
    from ..disclosure import disclose

    rules = _rules(rules)
    bases = [("n", "observed")]
    stats_columns = [c for c in ("chisq", "df", "p_value") if c in table.columns]
    derived = {"expected": bases, **{c: bases for c in stats_columns}}
    places = {"expected": 1, "chisq": 2, "df": 0, "p_value": 4}
    return disclose(table, counts=[c for c in ("n", "observed") if c in table.columns], derived=derived,
                    derived_decimals={c: places[c] for c in derived}, derived_table_wide=stats_columns,
                    rules=rules, style=style, name=name or "log-rank test")


def disclose_event_rates(
    table: pd.DataFrame, *, rules: DisclosureRules | None = None, style: str | None = None, name: str | None = None
) -> pd.DataFrame:
    """Disclosure control for :func:`event_rates` or :func:`event_rate_table`, in one :func:`disclose` call.

    ``n`` and every ``events`` / ``events_<suffix>`` column are counts; each
    rate and its interval are rates of those events among the ``n`` rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.progression import event_rates
    >>> rows = pd.DataFrame({"g": ["A"] * 40 + ["B"] * 40, "left": [True] * 2 + [False] * 38 + [True] * 10 + [False] * 30})
    >>> disclose_event_rates(event_rates(rows, event="left", by=["g"], eligible=None))[["g", "events", "n", "rate"]]
       g  events   n   rate
    0  A       0  40     ..
    1  B      10  40  25.0%
    """
    from ..disclosure import disclose

    _require_columns(table, ["n"], "disclose_event_rates")
    suffixes = [c[len("events"):] for c in table.columns if c == "events" or c.startswith("events_")]
    if not suffixes:
        raise AnalysisError("disclose_event_rates: no 'events' column; pass a table from event_rates or event_rate_table.")
    rates = {f"{column}{sfx}": ("n", f"events{sfx}") for sfx in suffixes for column in ("rate", "ci_low", "ci_high")
             if f"{column}{sfx}" in table.columns}
    return disclose(table, counts=["n", *(f"events{sfx}" for sfx in suffixes)], rates=rates, rules=_rules(rules),
                    style=style, name=name or "event rates")


def disclose_cox(
    table: pd.DataFrame, *, rules: DisclosureRules | None = None, style: str | None = None, name: str | None = None,
    decimals: int = 4,
) -> pd.DataFrame:
    """Disclosure control for a :func:`cox_model` or :func:`mentoring_effect` table: estimates to ``decimals`` places, counts rounded.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"covariate": ["x"], "coef": [0.91554], "hazard_ratio": [2.49809], "n": [23], "events": [18]})
    >>> disclose_cox(table)
      covariate    coef  hazard_ratio   n  events
    0         x  0.9155        2.4981  25      20
    """
    from ..disclosure import disclose

    _require_columns(table, ["n", "events"], "disclose_cox")
    counts = [c for c in ("n", "events", "mentored_n") if c in table.columns]  # mentored_n: mentoring_effect's
    return disclose(table.round(decimals), counts=counts, rules=_rules(rules), style=style,
                    name=name or "Cox model")


def disclosable_steps(km: pd.DataFrame, *, rules: DisclosureRules | None = None, style: str | None = None) -> pd.DataFrame:
    """The steps of :func:`kaplan_meier` curves that may be shown: small steps merged, small risk sets left out.

    Consecutive survival estimates give back each step's events:
    ``1 - S(t) / S(t-1) = d / n``, so 81.7% then 78.0% with 45 at risk is 2
    promotions, beside an events count shown as 0. Within each group, event
    times are therefore merged until a step holds more events than
    ``rules.ofs_max_numerator_suppressed`` (and more than rounding hides, and
    leaves more than that many at risk without the event); only the last time of
    each merged step is kept, with ``at_risk`` the number at risk at its start
    and ``events`` its total. A curve stops where a rate on those at risk would
    be suppressed (fewer than ``rules.min_percentage_denominator``); events
    after the last full step are left out.

    Returns
    -------
    pandas.DataFrame
        The same columns as ``km`` (unrounded): pass it to
        :func:`disclose_kaplan_meier` or draw it.
    """
    from ..disclosure.rules import _resolve_style
    from ..disclosure.suppression import _hidden_by_rounding, suppress_rate

    rules = _rules(rules)
    style = _resolve_style(style, rules)
    _require_columns(km, ["group", "time", "at_risk", "events", "survival"], "disclosable_steps")
    kept = []
    for _, part in km.groupby("group", sort=False):
        part = part.sort_values("time")
        at_risk = part["at_risk"].to_numpy(dtype=float)
        small_risk = np.array([isinstance(v, str) for v in suppress_rate(np.zeros(len(part)), at_risk, rules=rules, style=style)],
                              dtype=bool) if len(part) else np.zeros(0, dtype=bool)
        start, total = None, 0.0
        for i, (index, row) in enumerate(part.iterrows()):
            if small_risk[i]:
                break
            if start is None:
                start = float(row["at_risk"])
            total += float(row["events"])
            if not (_hidden_by_rounding(np.array([total]), rules)[0] or _hidden_by_rounding(np.array([start - total]), rules)[0]):
                kept.append({**row.to_dict(), "at_risk": start, "events": total, "_index": index})
                start, total = None, 0.0
    columns = list(km.columns)
    if not kept:
        return km.iloc[0:0].copy()
    out = pd.DataFrame(kept).set_index("_index")[columns]
    out.index.name = None
    for column in ("at_risk", "events"):
        if np.allclose(out[column], np.round(out[column])):
            out[column] = out[column].astype(np.int64)
    return out.reset_index(drop=True)


def disclose_kaplan_meier(
    km: pd.DataFrame, *, rules: DisclosureRules | None = None, style: str | None = None, name: str | None = None
) -> pd.DataFrame:
    """Disclosure control for a :func:`kaplan_meier` table: :func:`disclosable_steps`, then one :func:`disclose` call.

    Counts (``n``, ``at_risk``, ``events``) are rounded; survival and its
    interval are rates on those at risk, shown only for steps that do not give
    back a small count.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.progression import kaplan_meier
    >>> people = pd.DataFrame({"t": list(range(1, 41)), "e": 1})
    >>> km = kaplan_meier(people, duration="t", event="e")
    >>> disclose_kaplan_meier(km)[["time", "at_risk", "events", "survival"]].head(3)
       time  at_risk  events survival
    0   3.0       40       5    92.5%
    1   6.0       35       5    85.0%
    2   9.0       35       5    77.5%
    """
    from ..disclosure import DisclosureWarning, disclose

    rules = _rules(rules)
    steps = disclosable_steps(km, rules=rules, style=style)
    rates = {c: "at_risk" for c in ("survival", "ci_low", "ci_high") if c in steps.columns}
    counts = [c for c in ("n", "at_risk", "events") if c in steps.columns]
    derived = {"se": ["survival"]} if "se" in steps.columns else None
    with warnings.catch_warnings():
        # survival is not numerator / at_risk: disclosable_steps has applied the [DPL]/[DPH] limits to each step
        warnings.filterwarnings("ignore", message="OfS style: rate", category=DisclosureWarning)
        return disclose(steps, counts=counts, rates=rates, derived=derived, derived_decimals=4, rules=rules,
                        style=style, name=name or "Kaplan-Meier estimates")


def plottable_groups(km: pd.DataFrame, *, rules: DisclosureRules | None = None) -> pd.DataFrame:
    """Which Kaplan–Meier curves may be drawn under the disclosure rules.

    A curve is a sequence of percentages of its group, so a group with fewer
    people than ``rules.min_percentage_denominator`` is not drawn; drawn
    curves stop where fewer than that many remain at risk.

    Returns
    -------
    pandas.DataFrame
        ``group, n, plotted, reason``.
    """
    rules = _rules(rules)
    _require_columns(km, ["group", "n"], "plottable_groups")
    sizes = km.groupby("group", sort=False)["n"].first().reset_index()
    sizes["plotted"] = sizes["n"] >= rules.min_percentage_denominator
    sizes["reason"] = np.where(sizes["plotted"], "", fewer_than(rules))
    return sizes


def disclose_grade_table(
    table: pd.DataFrame, *, rules: DisclosureRules | None = None, style: str | None = None, name: str | None = None
) -> pd.DataFrame:
    """Disclosure control for a :func:`grade_table` cross-table: every count cell (totals too) rounded as people.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"grade": ["7", "8", "Total"], "Black": [3, 0, 3], "White": [41, 12, 53],
    ...                       "Total": [44, 12, 56]})
    >>> disclose_grade_table(table)
       grade  Black  White  Total
    0      7      5     40     45
    1      8      0     10     10
    2  Total      5     55     55
    """
    from ..disclosure import disclose

    _require_columns(table, ["grade"], "disclose_grade_table")
    counts = [c for c in table.columns if c != "grade"]
    return disclose(table, counts=counts, rules=_rules(rules), style=style, basis="people",
                    name=name or "staff by grade and group")


def relabel(shown: pd.DataFrame, columns: dict, *, order: list | None = None) -> pd.DataFrame:
    """A disclosed table with its columns renamed for readers (and, with ``order``, those columns first).

    Only headers change; the cells are the ones :func:`~rmresearch.disclosure.disclose` produced, and the disclosure
    record goes with the table, its column names renamed too. Columns not named in ``columns`` keep their names
    (``show_table`` puts those in words). A column named in ``columns`` that the table lacks is an error, so a
    renamed analysis column cannot silently keep its internal name.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.disclosure import disclose
    >>> shown = disclose(pd.DataFrame({"outcome": ["promotion"], "numerator": [41], "denominator": [400]}),
    ...                  counts=["numerator", "denominator"])
    >>> out = relabel(shown, {"numerator": "promoted", "denominator": "person-years"})
    >>> list(out.columns), out.attrs["disclosure"]["counts"]
    (['outcome', 'promoted', 'person-years'], ['promoted', 'person-years'])
    """
    import copy

    from ..disclosure import is_disclosed

    if not is_disclosed(shown):
        raise AnalysisError("relabel: pass a table from disclose() (relabel only renames what is shown).")
    missing = [c for c in columns if c not in shown.columns]
    if missing:
        raise AnalysisError(f"relabel: column(s) {', '.join(map(repr, missing))} not in the table "
                            f"({', '.join(map(str, shown.columns))}).")
    record = copy.deepcopy(shown.attrs["disclosure"])
    out = shown.rename(columns=columns)
    if order:
        first = [columns.get(c, c) for c in order]
        out = out[[*first, *[c for c in out.columns if c not in first]]]
    out.attrs["disclosure"] = _renamed_record(record, columns)
    return out


def _renamed_record(record: dict, columns: dict) -> dict:
    """The disclosure record with column names renamed wherever it lists them (names, keys, bases)."""
    def rename(value):
        if isinstance(value, str):
            return columns.get(value, value)
        if isinstance(value, list):
            return [rename(v) for v in value]
        if isinstance(value, tuple):
            return tuple(rename(v) for v in value)
        if isinstance(value, dict):
            return {rename(k) if isinstance(k, str) else k: rename(v) for k, v in value.items()}
        return value

    keep = {"call", "time", "name", "style", "rules", "marker", "basis", "percent", "decimals", "rows",
            "suppressed_cells"}
    return {key: (value if key in keep else rename(value)) for key, value in record.items()}


def relative_likelihood_labels(table: pd.DataFrame, *, reference: str, counted: str, out_of: str,
                               group: str | None = None) -> dict:
    """Headers in words for a (disclosed) :func:`relative_likelihood` table, for :func:`relabel`.

    ``counted`` names the numerator ("promoted", "appointed") and ``out_of`` the denominator ("person-years",
    "shortlisted"); the reference group's columns say whose they are.

    >>> import pandas as pd
    >>> columns = ["aggregate_group", "numerator", "denominator", "rate", "reference_numerator", "non_adverse", "note"]
    >>> relative_likelihood_labels(pd.DataFrame(columns=columns), reference="White", counted="promoted",
    ...                            out_of="person-years", group="aggregate_group")  # doctest: +NORMALIZE_WHITESPACE
    {'aggregate_group': 'group', 'numerator': 'promoted', 'denominator': 'person-years', 'rate': 'rate',
     'reference_numerator': 'promoted (White)', 'non_adverse': 'within 0.80 to 1.25', 'note': 'note'}
    """
    from .likelihood import NON_ADVERSE_RANGE

    low, high = NON_ADVERSE_RANGE
    words = {
        "numerator": counted, "denominator": out_of, "rate": "rate",
        "reference_numerator": f"{counted} ({reference})", "reference_denominator": f"{out_of} ({reference})",
        "reference_rate": f"rate ({reference})", "relative_likelihood": f"relative likelihood ({reference} to group)",
        "non_adverse": f"within {low:.2f} to {high:.2f}", "method": "method", "note": "note",
    }
    if group is not None:
        words = {group: "group", **words}
    return {column: label for column, label in words.items() if column in table.columns}


def event_rate_labels(table: pd.DataFrame, *, events: dict, n: str = "person-years", group: str | None = None) -> dict:
    """Headers in words for a (disclosed) :func:`event_rates` or :func:`event_rate_table` table, for :func:`relabel`.

    ``events`` maps each event's suffix (``"promotion"``) to what its events are called (``"promotions"``); for
    :func:`event_rates`' single event (columns ``events, rate, ci_low, ci_high``) give one event by name:
    ``{"leaving": "leavers"}``.

    >>> import pandas as pd
    >>> columns = ["aggregate_group", "events_promotion", "n", "rate_promotion", "ci_low_promotion"]
    >>> event_rate_labels(pd.DataFrame(columns=columns), events={"promotion": "promotions"}, group="aggregate_group")
    {'aggregate_group': 'group', 'n': 'person-years', 'events_promotion': 'promotions', 'rate_promotion': 'promotion rate', 'ci_low_promotion': 'promotion rate, 95% CI low'}
    """
    words = {**({group: "group"} if group is not None else {}), "n": n}
    for suffix, called in events.items():
        tail = f"_{suffix}" if f"events_{suffix}" in table.columns else ""
        name = f"{suffix} rate"
        words.update({f"events{tail}": called, f"rate{tail}": name, f"ci_low{tail}": f"{name}, 95% CI low",
                      f"ci_high{tail}": f"{name}, 95% CI high"})
    return {column: label for column, label in words.items() if column in table.columns}
