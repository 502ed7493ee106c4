"""Cross-cohort trends, read from each cohort's results files (never from its notebooks or data).

The values in ``*.results.json`` have been through disclosure control when
they were recorded (:mod:`rmresearch.results`), so comparing cohorts here
cannot reveal more than each cohort's report already does.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from .errors import AnalysisError, ConfigError
from .results import RESULTS_SUFFIX, TREND_MEASURES, read_results
from .stats.pooling import POOLED_LABEL

#: What ``n`` is in a trends table of each basis (:func:`disclose_by_basis`), for its caption.
N_CAPTIONS = {"people": "the people or person-years each rests on, rounded as in each cohort's report",
              "activity": "pairs, exact (programme activity)"}
#: Measures whose groups follow each cohort (its focus characteristic, its roles): recorded under different labels,
#: they compare different groups and are drawn and pooled apart (:func:`comparisons`).
BY_GROUP_MEASURES = frozenset({"awarding_gap", "promotion_relative_likelihood", "survey_change"})
#: Measures that are ratios, pooled on the log scale (the others on the scale they were recorded on).
LOG_SCALE_MEASURES = frozenset({"promotion_relative_likelihood"})

__all__ = ["results_sources", "collect_results", "trend_table", "trend_figure", "TREND_MEASURES", "PooledTrends",
           "pooled_table", "pooling_requested", "pooling_methods", "has_pooled", "disclose_by_basis", "N_CAPTIONS",
           "figure_alt", "POOLED_LABEL", "LOG_SCALE_MEASURES", "comparisons", "coverage", "BY_GROUP_MEASURES"]

SOURCES_ENV = "RMRESEARCH_TRENDS_SOURCES"
COLUMNS = ["cohort", "title", "start_date", "notebook", "key", "label", "kind", "value", "ci_low", "ci_high", "n",
           "suppressed", "display", "unit", "scale", "decimals", "basis"]


def results_sources(cohort_config: str | Path) -> list[Path]:
    """Report folders to read: as set by ``rmresearch report --cohort all``, else every cohort next to ``cohort_config``."""
    if os.environ.get(SOURCES_ENV):
        return [Path(p) for p in json.loads(os.environ[SOURCES_ENV])]
    from .config import list_cohorts, load_cohort

    folder = Path(cohort_config).resolve().parent
    return [Path(load_cohort(folder / f"{name}.yml", check_files=False).outputs["reports"]) for name in list_cohorts(folder)]


def collect_results(sources: list[str | Path]) -> pd.DataFrame:
    """Every recorded result of every cohort, one row per cohort and key, cohorts in start-date order.

    Folders without results files are skipped (the cohort's report has not been built).

    Examples
    --------
    >>> collect_results([]).columns.tolist()[:5]
    ['cohort', 'title', 'start_date', 'notebook', 'key']
    """
    rows = []
    for folder in map(Path, sources):
        for path in sorted(folder.glob(f"*{RESULTS_SUFFIX}")) if folder.is_dir() else []:
            data = read_results(path)
            cohort = data.get("cohort") or {}
            for r in data["results"]:
                rows.append({
                    "cohort": cohort.get("cohort", folder.name), "title": cohort.get("title", ""),
                    "start_date": cohort.get("start_date", ""), "notebook": data.get("notebook"),
                    **{c: r.get(c) for c in COLUMNS[4:]}, "basis": r.get("basis") or "people",
                })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["start_date", "cohort"], kind="stable").reset_index(drop=True)


#: Plain words for the inputs a skipped notebook lacked (run.json's reasons name them as ``inputs.<name>``).
INPUT_WORDS = {"students": "student records", "staff": "staff records", "interviews": "interview transcripts",
                "recruitment": "recruitment records", "surveys": "surveys", "pairs": "pairs", "meetings": "meetings"}


def _run_record(folder: Path) -> dict:
    """A report folder's ``run.json`` (empty when there is none or it cannot be read)."""
    try:
        record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _skip_reason(reason: str) -> str:
    """A run.json reason (``'Student awarding gap (03_attainment) does not apply to this cohort: it has no student
    records (its cohort file configures no inputs.students)'``) as the trends page says it."""
    import re

    lacking = re.findall(r"inputs\.(\w+)", reason)
    if not lacking:
        return reason.split(": ", 1)[-1]
    words = " or ".join(INPUT_WORDS.get(name, name) for name in lacking)
    return f"the cohort has no {words} (its cohort file configures no {', '.join('inputs.' + n for n in lacking)})"


def coverage(sources: list[str | Path], results: pd.DataFrame, *, measures: dict[str, str] | None = None) -> list[str]:
    """Sentences on what the trends page cannot show, and why.

    A cohort whose report has not been built has no results; a cohort without the inputs a measure needs (a
    community scheme without students has no awarding gap) has no value for it: its report skipped the notebook
    (``run.json``'s ``skipped``), or the analysis ran but could not produce the measure on its data (its
    report's methods appendix says why).

    Examples
    --------
    >>> found = pd.DataFrame({"cohort": ["demo", "community"], "key": ["awarding_gap", "pairs_completed_rate"],
    ...                       "notebook": ["03_attainment", "00_overview"]})
    >>> coverage([], found, measures={"awarding_gap": "Awarding gap"})
    ['Awarding gap: community has no value: the analysis could not produce it from its data (its report says why).']
    """
    measures = TREND_MEASURES if measures is None else measures
    lines, runs = [], {}
    for folder in map(Path, sources):
        run = _run_record(folder)
        name = run.get("cohort") or folder.name
        if not (folder.is_dir() and any(folder.glob(f"*{RESULTS_SUFFIX}"))):
            lines.append(f"{name} has no results yet (its report has not been built), so it is not compared.")
        runs[name] = run
    cohorts = list(dict.fromkeys(results["cohort"]))
    for key, title in measures.items():
        rows = results.loc[results["key"] == key]
        if not len(rows):
            continue
        notebook = rows["notebook"].mode().iloc[0]
        for cohort in (c for c in cohorts if c not in set(rows["cohort"])):
            skipped = {s.get("name"): s.get("reason", "") for s in runs.get(cohort, {}).get("skipped", [])}
            why = (_skip_reason(skipped[notebook]) if notebook in skipped
                   else "the analysis could not produce it from its data (its report says why)")
            lines.append(f"{title}: {cohort} has no value: {why}.")
    return lines


def _basis(rec: dict) -> str:
    """What a recorded result's n counts: ``activity`` (programme activity, shown exactly) or ``people`` (anything
    else, rounded and suppressed under the cohort's rules)."""
    return "activity" if rec.get("basis") == "activity" else "people"


def trend_table(results: pd.DataFrame, *, measures: dict[str, str] | None = None) -> pd.DataFrame:
    """The trend measures by cohort, ready for :func:`rmresearch.disclosure.disclose` with ``counts=["n"]``.

    Columns: ``measure``, ``cohort``, ``start_date``, ``recorded as`` (the cohort's own label: cohorts
    studying different characteristics compare different groups, e.g. an awarding gap by ethnicity in one and
    by disability in another, and the label names them), ``result`` (the recorded
    display value, suppressed cells keep their marker), ``interval`` (95% CI, to the
    decimals recorded), ``n`` (already rounded when recorded, except programme activity,
    which is exact) and ``basis`` (``people`` or ``activity``, as recorded: see
    :func:`disclose_by_basis`). Measures no cohort recorded are left out.
    """
    from .results import format_value

    measures = TREND_MEASURES if measures is None else measures
    rows = []
    for key, title in measures.items():
        for r in results.loc[results["key"] == key].itertuples(index=False):
            rec = r._asdict()
            interval = ""
            if not rec["suppressed"] and pd.notna(rec["ci_low"]) and pd.notna(rec["ci_high"]):
                places = int(rec["decimals"]) if pd.notna(rec.get("decimals")) else (1 if rec["kind"] == "rate" else 2)
                spec = {"kind": rec["kind"], "decimals": places, "unit": None, "scale": rec["scale"] or 1.0}
                interval = f"{format_value(spec, rec['ci_low'])} to {format_value(spec, rec['ci_high'])}"
            rows.append({"measure": title, "cohort": rec["cohort"], "start_date": rec["start_date"],
                         "recorded as": rec["label"], "result": rec["display"], "interval": interval,
                         "n": rec["n"] if pd.notna(rec["n"]) else pd.NA, "basis": _basis(rec)})
    table = pd.DataFrame(rows, columns=["measure", "cohort", "start_date", "recorded as", "result", "interval", "n",
                                        "basis"])
    table["n"] = table["n"].astype("Int64")
    return table


def disclose_by_basis(table: pd.DataFrame, *, rules, name: str) -> list[tuple[str, pd.DataFrame]]:
    """``table`` (:func:`trend_table` or :attr:`PooledTrends.table`) disclosed in parts, one per ``basis``.

    Measures of people (``basis`` people) have their ``n`` rounded under the cohort's rules (it was rounded when
    recorded already, so it shows as recorded); programme activity (pairs, meetings: ``basis`` activity) is
    exact, as in the cohort's own report. Returns ``(basis, disclosed part)`` pairs, people first; the ``basis``
    column is dropped. :data:`N_CAPTIONS` says in a caption what ``n`` is in each part.

    Examples
    --------
    >>> t = pd.DataFrame({"measure": ["gap", "pairs"], "n": [590, 12], "basis": ["people", "activity"]})
    >>> [(basis, part["n"].tolist()) for basis, part in disclose_by_basis(t, rules=None, name="trends")]
    [('people', [590]), ('activity', [12])]
    """
    from .disclosure import disclose

    order = ["people"] + sorted(set(table["basis"]) - {"people"})
    return [(b, disclose(table.loc[table["basis"] == b].drop(columns="basis").reset_index(drop=True), counts=["n"],
                         rules=rules, basis=b, name=name if b == "people" else f"{name} ({b})"))
            for b in order if (table["basis"] == b).any()]


def _comparison(rows: pd.DataFrame, key: str) -> pd.Series:
    """Which comparison each row of ``key`` belongs to: its label for a measure of :data:`BY_GROUP_MEASURES`, else
    the measure's title (a share of pairs is one measure whatever number of meetings a cohort planned)."""
    if key in BY_GROUP_MEASURES:
        return rows["label"].astype(str)
    return pd.Series(TREND_MEASURES.get(key, key), index=rows.index, dtype=object)


def comparisons(results: pd.DataFrame, key: str) -> list[str]:
    """The comparisons ``key`` was recorded for, in start-date order: each drawn and pooled on its own.

    Cohorts that study different characteristics record a measure of :data:`BY_GROUP_MEASURES` for different
    groups (an awarding gap by ethnicity, another by disability; a survey change of reverse mentees): each label
    is one comparison. Any other measure is one comparison, named by its title.

    Examples
    --------
    >>> found = pd.DataFrame({"key": ["awarding_gap"] * 3 + ["pairs_completed_rate"] * 2,
    ...                       "label": ["A minus B", "C minus D", "A minus B", "all 6 meetings", "all 8 meetings"]})
    >>> comparisons(found, "awarding_gap"), comparisons(found, "pairs_completed_rate")
    (['A minus B', 'C minus D'], ['Share of pairs that held every planned meeting'])
    """
    rows = results.loc[results["key"] == key]
    return list(dict.fromkeys(_comparison(rows, key)))


def _measure_rows(results: pd.DataFrame, key: str, label: str | None) -> pd.DataFrame:
    rows = results.loc[results["key"] == key]
    return rows if label is None else rows.loc[_comparison(rows, key) == label]


def trend_figure(results: pd.DataFrame, key: str, *, title: str | None = None, ylabel: str | None = None, ax=None,
                 pooled: pd.DataFrame | None = None, label: str | None = None):
    """Points (with 95% intervals) of one measure by cohort in start-date order; suppressed values are not drawn.

    With ``label`` (one of :func:`comparisons`), only the cohorts that recorded the measure under that label
    (the same comparison of groups) are drawn. With ``pooled`` (:attr:`PooledTrends.values`), each cohort's
    partially pooled estimate is drawn beside its own value as a hollow point, and a legend tells them apart.
    Draws on ``ax`` when given, else on a new figure; returns the figure.
    """
    from . import plots

    rows = _measure_rows(results, key, label)
    fig, ax = plots.new_figure(height=3.6) if ax is None else (ax.figure, ax)
    shown = rows.loc[~rows["suppressed"].astype(bool) & rows["value"].notna()]
    x = list(dict.fromkeys(rows["cohort"]))
    positions = {c: i for i, c in enumerate(x)}
    for i, r in enumerate(shown.itertuples(index=False)):
        scale = r.scale or 1.0
        factor = 100.0 if r.kind == "rate" else scale
        y = float(r.value) * factor
        legend = "as recorded" if i == 0 else None
        if pd.notna(r.ci_low) and pd.notna(r.ci_high):
            ax.errorbar(positions[r.cohort], y, yerr=[[y - r.ci_low * factor], [r.ci_high * factor - y]],
                        fmt="o", color=plots.OKABE_ITO[0], capsize=4, label=legend)
        else:
            ax.plot(positions[r.cohort], y, "o", color=plots.OKABE_ITO[0], label=legend)
    drawn = _draw_pooled(ax, pooled, key, positions, rows) if pooled is not None else False
    if drawn:
        ax.legend(loc="best", fontsize="small")
    ax.set_xticks(range(len(x)), x)
    ax.set_xlim(-0.5, max(len(x) - 0.5, 0.5))
    ax.set_xlabel("Cohort (in order of start date)")
    labels = list(dict.fromkeys(rows["label"].astype(str)))  # one label, else the comparison's name
    ax.set_ylabel(textwrap.fill(ylabel or (labels[0] if len(labels) == 1 else label or key), 40))  # fits 3.6 in
    ax.set_title(title or TREND_MEASURES.get(key, key))
    return fig


def figure_alt(results: pd.DataFrame, key: str, pooled: pd.DataFrame | None = None, *, label: str | None = None) -> str:
    """The alt text of :func:`trend_figure`'s figure of ``key`` (of the cohorts recording it as ``label``, when
    given, named first), true of what it draws.

    Examples
    --------
    >>> found = pd.DataFrame({"key": ["k", "k"], "suppressed": [False, True], "value": [0.5, None],
    ...                       "ci_low": [0.4, None], "ci_high": [0.6, None]})
    >>> figure_alt(found, "k")
    'k, one point per cohort for 2 cohorts (1 drawn, 1 suppressed), with its 95% interval.'
    """
    rows = _measure_rows(results, key, label)
    drawn = rows.loc[~rows["suppressed"].astype(bool) & rows["value"].notna()]
    hidden = len(rows) - len(drawn)
    with_ci = int((drawn["ci_low"].notna() & drawn["ci_high"].notna()).sum())
    plural = "s" if len(rows) != 1 else ""
    text = (f"{label or TREND_MEASURES.get(key, key)}, one point per cohort for {len(rows)} cohort{plural}"
            + (f" ({len(drawn)} drawn, {hidden} suppressed)" if hidden else ""))
    if with_ci:
        text += (", with its 95% interval" if with_ci == len(drawn) == 1 else ", with 95% intervals"
                 + ("" if with_ci == len(drawn) else f" for {with_ci} of them"))
    if has_pooled(pooled, key) and pooled.loc[pooled["key"] == key, "cohort"].isin(rows["cohort"]).any():
        text += f"; hollow points beside them: {POOLED_LABEL}, with 95% intervals"
    return text + "."


def has_pooled(values: pd.DataFrame | None, key: str) -> bool:
    """Whether ``values`` (:attr:`PooledTrends.values`, or None) holds pooled estimates of ``key``."""
    return values is not None and bool((values["key"] == key).any())


def _draw_pooled(ax, pooled: pd.DataFrame, key: str, positions: dict, rows: pd.DataFrame) -> bool:
    """The pooled points of ``key`` (hollow, a little to the right of each cohort's own); whether any was drawn."""
    from . import plots

    if not has_pooled(pooled, key):
        return False
    mine = pooled.loc[(pooled["key"] == key) & pooled["cohort"].isin(list(positions))]
    factor = 100.0 if rows["kind"].iloc[0] == "rate" else float(rows["scale"].iloc[0] or 1.0)
    for i, r in enumerate(mine.itertuples(index=False)):
        y = r.pooled * factor
        ax.errorbar(positions[r.cohort] + 0.15, y, yerr=[[y - r.ci_low * factor], [r.ci_high * factor - y]], fmt="o",
                    mfc="white", color=plots.OKABE_ITO[1], capsize=4, label=POOLED_LABEL if i == 0 else None)
    return True


# --------------------------------------------------------------------------- partially pooled estimates


class PooledTrends(NamedTuple):
    """:func:`pooled_table`'s answer.

    ``table`` (for :func:`disclose_by_basis`); ``methods``, one line per kind of measure (rates, other measures,
    ratios); ``left_out``, one sentence per measure or cohort not pooled, and why; ``spread``, one sentence per
    pooled measure on how much the cohorts differ beyond chance; ``values``, the pooled numbers (``key``,
    ``cohort``, ``pooled``, ``ci_low``, ``ci_high``, on the scale the results were recorded on) for
    :func:`trend_figure`.
    """

    table: pd.DataFrame
    methods: list[str]
    left_out: list[str]
    spread: list[str]
    values: pd.DataFrame


def pooling_requested(cohort_config: str | Path, *, override: bool | None = None) -> bool:
    """Whether ``options.trends.partial_pooling`` is true in ``cohort_config`` or any cohort file beside it.

    The trends page is one page for all cohorts, so setting the option in one cohort's file turns it on.
    ``override`` (the trends notebook's ``partial_pooling`` parameter), when True or False, decides instead.
    """
    from .config import list_cohorts, load_cohort

    if override is not None:
        return bool(override)
    path = Path(cohort_config)
    configs = [load_cohort(path, check_files=False)]
    for name in list_cohorts(path.parent):
        other = path.parent / f"{name}.yml"
        if other.resolve() != path.resolve():
            try:
                configs.append(load_cohort(other, check_files=False))
            except ConfigError:  # that cohort's own report says what is wrong with its file; its option is unknown
                continue
    return any(bool((c.options.get("trends") or {}).get("partial_pooling", False)) for c in configs)


def _usable(rows: pd.DataFrame, kind: str) -> pd.Series:
    ok = ~rows["suppressed"].astype(bool) & rows["value"].notna()
    if kind == "rate":
        return ok & rows["n"].notna() & (pd.to_numeric(rows["n"], errors="coerce") > 0)
    low, high = (pd.to_numeric(rows[c], errors="coerce").astype(float) for c in ("ci_low", "ci_high"))
    return ok & low.notna() & high.notna() & (high > low)


def _pool_measure(key: str, rows: pd.DataFrame, kind: str, alpha: float):
    """One measure's pooled table (cohort, pooled, ci_low, ci_high on the recorded scale) and its method."""
    from .stats import pooling

    if kind == "rate":
        n = pd.to_numeric(rows["n"]).astype(float).round().astype(int).to_numpy()
        events = (pd.to_numeric(rows["value"]).astype(float).to_numpy() * n).round()
        return pooling.pooled_rates(rows["cohort"].tolist(), events, n, alpha=alpha)
    log = key in LOG_SCALE_MEASURES
    values = pd.to_numeric(rows["value"]).to_numpy(dtype=float)
    if log and (values <= 0).any():
        raise AnalysisError(f"{key}: a ratio of 0 or below cannot be pooled on the log scale.")
    se = pooling.se_from_interval(rows["ci_low"], rows["ci_high"], alpha=alpha, log=log)
    pooled = pooling.pooled_estimates(rows["cohort"].tolist(), np.log(values) if log else values, se, alpha=alpha)
    if log:
        table = pooled.table.assign(**{c: np.exp(pooled.table[c]) for c in ("pooled", "ci_low", "ci_high")})
        pooled = pooled._replace(table=table, method=pooled.method + " on the log scale")
    return pooled


def pooled_table(results: pd.DataFrame, *, measures: dict[str, str] | None = None, alpha: float = 0.05) -> PooledTrends:
    """Each trend measure's raw value beside its partially pooled one (shrunk toward the average of all cohorts).

    Rates (kind ``rate``) are pooled with :func:`rmresearch.stats.pooling.pooled_rates` from the recorded rate and
    n; other measures with :func:`~rmresearch.stats.pooling.pooled_estimates`, their standard errors read back from
    the recorded 95% interval (ratios in :data:`LOG_SCALE_MEASURES` on the log scale). Suppressed values, and
    values without an n (rates) or an interval (the others), are left out and named in ``left_out``; a measure
    with fewer than two cohorts left is not pooled.

    A measure the cohorts recorded under different labels (:func:`comparisons`: cohorts studying different
    characteristics compare different groups) is pooled per label, only across the cohorts comparing the same
    groups; ``left_out`` says which cohorts compare which.

    The table's columns: ``measure``, ``cohort``, ``recorded as`` (the cohort's label), ``result`` (as
    recorded), ``pooled``, ``pooled_interval`` and ``n`` (as recorded: rounded for people, exact for programme
    activity) and ``basis``. A rate's count of events is its recorded rate times its recorded n, to the nearest
    whole number. Raises :class:`~rmresearch.errors.AnalysisError` when fewer than two
    cohorts have results, or no measure could be pooled.
    """
    from .stats.intervals import check_alpha

    alpha = check_alpha(alpha)
    measures = TREND_MEASURES if measures is None else measures
    cohorts = list(dict.fromkeys(results["cohort"]))
    if len(cohorts) < 2:
        raise AnalysisError(f"Partially pooled estimates need at least two cohorts with results; there "
                            f"{'is one' if cohorts else 'are none'}{f' ({cohorts[0]})' if cohorts else ''}.")
    rows_out, methods, left_out, values, spread = [], {}, [], [], []
    for key, title in measures.items():
        labels = comparisons(results, key)
        if len(labels) > 1:
            left_out.append(f"{title}: the cohorts compare different groups, so each comparison is pooled only "
                            "across the cohorts that recorded it: " + "; ".join(
                                f"{', '.join(_measure_rows(results, key, lab)['cohort'])}: {lab}" for lab in labels)
                            + ".")
        for label in labels:
            named = title if len(labels) == 1 else f"{title} ({label})"
            rows = _measure_rows(results, key, label)
            kind = str(rows["kind"].iloc[0])
            usable = _usable(rows, kind)
            for rec in rows.loc[~usable].to_dict("records"):
                why = "its value is suppressed" if rec["suppressed"] else "no interval or n was recorded"
                left_out.append(f"{named}: {rec['cohort']} is left out ({why}).")
            rows = rows.loc[usable]
            if len(rows) < 2:
                left_out.append(f"{named}: not pooled, fewer than two cohorts have a value to pool.")
                continue
            try:
                pooled = _pool_measure(key, rows, kind, alpha)
            except AnalysisError as exc:
                left_out.append(f"{named}: not pooled ({exc})")
                continue
            what = "rates" if kind == "rate" else "ratios" if key in LOG_SCALE_MEASURES else "other measures"
            methods[what] = pooled.method
            spread.append(_spread_sentence(named, key, kind, pooled, rows))
            for rec, p in zip(rows.to_dict("records"), pooled.table.itertuples(index=False)):
                values.append({"key": key, "cohort": rec["cohort"], "pooled": p.pooled, "ci_low": p.ci_low,
                               "ci_high": p.ci_high})
                rows_out.append({"measure": title, "cohort": rec["cohort"], "recorded as": rec["label"],
                                 **_pooled_cells(rec, kind, p)})
    if not rows_out:
        raise AnalysisError("no trend measure has values from two or more cohorts to pool"
                            + (f" ({' '.join(left_out)})" if left_out else "."))
    table = pd.DataFrame(rows_out, columns=["measure", "cohort", "recorded as", "result", "pooled", "pooled_interval",
                                            "n", "basis"])
    table["n"] = table["n"].astype("Int64")
    order = [m for m in ("rates", "other measures", "ratios") if m in methods]
    return PooledTrends(table, [f"{m}: {methods[m]}" for m in order], left_out, spread,
                        pd.DataFrame(values, columns=["key", "cohort", "pooled", "ci_low", "ci_high"]))


def _pooled_cells(rec: dict, kind: str, p) -> dict:
    """A pooled table row's result, pooled value and interval (as each cohort recorded them), n and basis."""
    from .results import format_value

    spec = {"kind": kind, "decimals": int(rec["decimals"]) if pd.notna(rec.get("decimals")) else 1,
            "unit": rec["unit"], "scale": rec["scale"] or 1.0}
    low, high = format_value(spec | {"unit": None}, p.ci_low), format_value(spec | {"unit": None}, p.ci_high)
    return {"result": rec["display"], "pooled": format_value(spec, p.pooled), "pooled_interval": f"{low} to {high}",
            "n": rec["n"] if pd.notna(rec["n"]) else pd.NA, "basis": _basis(rec)}


def _spread_sentence(title: str, key: str, kind: str, pooled, rows: pd.DataFrame) -> str:
    """How much the cohorts of one measure differ beyond chance, in words."""
    from .results import format_value

    if pooled.between_sd == 0:
        return (f"{title}: the cohorts differ no more than chance alone would make them (between-cohort standard "
                "deviation estimated as 0), so each pooled value is the average of all cohorts.")
    if kind == "rate":
        where = "on the log-odds scale, posterior median"
        sd = f"{pooled.between_sd:.2f}"
    elif key in LOG_SCALE_MEASURES:
        where, sd = "on the log scale", f"{pooled.between_sd:.2f}"
    else:
        rec = rows.iloc[0]
        decimals = int(rec["decimals"]) if pd.notna(rec["decimals"]) else 2
        where, sd = "", format_value({"kind": kind, "decimals": decimals, "unit": rec["unit"],
                                      "scale": rec["scale"] or 1.0}, pooled.between_sd)
    return f"{title}: between-cohort standard deviation {sd}{f' ({where})' if where else ''}."


def pooling_methods(pooled: PooledTrends, n_cohorts: int) -> str:
    """The methods sentences printed under the pooled table: how, how far the cohorts differ, what was left out."""
    return (f"Partially pooled estimates (shrunk toward the average of all cohorts) borrow strength across the "
            f"{n_cohorts} cohorts: each cohort's value moves toward the average of all cohorts, the more so the "
            "smaller the cohort and the more alike the cohorts are. Methods: " + "; ".join(pooled.methods) + "."
            + (" The standard errors of measures other than rates are read back from each cohort's 95% interval."
               if any(not m.startswith("rates") for m in pooled.methods) else "")
            + " With few cohorts the spread between them is poorly estimated and the "
            "pooled values lean on the model's assumptions: read them beside the cohorts' own values, not instead "
            "of them. " + " ".join(pooled.spread + pooled.left_out)).strip()
