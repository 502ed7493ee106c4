"""Cross-cohort trends, read from each cohort's results files (never from its notebooks or data).

The values in ``*.results.json`` have been through disclosure control when
they were recorded (:mod:`rmresearch.results`), so comparing cohorts here
cannot reveal more than each cohort's report already does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from .results import RESULTS_SUFFIX, TREND_MEASURES, read_results

__all__ = ["results_sources", "collect_results", "trend_table", "trend_figure", "TREND_MEASURES"]

SOURCES_ENV = "RMRESEARCH_TRENDS_SOURCES"
COLUMNS = ["cohort", "title", "start_date", "notebook", "key", "label", "kind", "value", "ci_low", "ci_high", "n",
           "suppressed", "display", "unit", "scale"]


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
                    **{c: r.get(c) for c in COLUMNS[4:]},
                })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["start_date", "cohort"], kind="stable").reset_index(drop=True)


def trend_table(results: pd.DataFrame, *, measures: dict[str, str] | None = None) -> pd.DataFrame:
    """The trend measures by cohort, ready for :func:`rmresearch.disclosure.disclose` with ``counts=["n"]``.

    Columns: ``measure``, ``cohort``, ``start_date``, ``result`` (the recorded
    display value, suppressed cells keep their marker), ``interval`` (95% CI) and
    ``n`` (already rounded when recorded). Measures no cohort recorded are left out.
    """
    from .results import format_value

    measures = TREND_MEASURES if measures is None else measures
    rows = []
    for key, title in measures.items():
        for r in results.loc[results["key"] == key].itertuples(index=False):
            rec = r._asdict()
            interval = ""
            if not rec["suppressed"] and pd.notna(rec["ci_low"]) and pd.notna(rec["ci_high"]):
                places = 1 if rec["kind"] == "rate" else 2
                spec = {"kind": rec["kind"], "decimals": places, "unit": None, "scale": rec["scale"] or 1.0}
                interval = f"{format_value(spec, rec['ci_low'])} to {format_value(spec, rec['ci_high'])}"
            rows.append({"measure": title, "cohort": rec["cohort"], "start_date": rec["start_date"],
                         "result": rec["display"], "interval": interval,
                         "n": rec["n"] if pd.notna(rec["n"]) else pd.NA})
    table = pd.DataFrame(rows, columns=["measure", "cohort", "start_date", "result", "interval", "n"])
    table["n"] = table["n"].astype("Int64")
    return table


def trend_figure(results: pd.DataFrame, key: str, *, title: str | None = None, ylabel: str | None = None, ax=None):
    """Points (with 95% intervals) of one measure by cohort in start-date order; suppressed values are not drawn.

    Draws on ``ax`` when given, else on a new figure; returns the figure.
    """
    from . import plots

    rows = results.loc[results["key"] == key]
    fig, ax = plots.new_figure(height=3.6) if ax is None else (ax.figure, ax)
    shown = rows.loc[~rows["suppressed"].astype(bool) & rows["value"].notna()]
    x = list(dict.fromkeys(rows["cohort"]))
    positions = {c: i for i, c in enumerate(x)}
    for r in shown.itertuples(index=False):
        scale = r.scale or 1.0
        factor = 100.0 if r.kind == "rate" else scale
        y = float(r.value) * factor
        if pd.notna(r.ci_low) and pd.notna(r.ci_high):
            ax.errorbar(positions[r.cohort], y, yerr=[[y - r.ci_low * factor], [r.ci_high * factor - y]],
                        fmt="o", color=plots.OKABE_ITO[0], capsize=4)
        else:
            ax.plot(positions[r.cohort], y, "o", color=plots.OKABE_ITO[0])
    ax.set_xticks(range(len(x)), x)
    ax.set_xlim(-0.5, max(len(x) - 0.5, 0.5))
    ax.set_xlabel("Cohort (in order of start date)")
    ax.set_ylabel(ylabel or (f"{rows['label'].iloc[0]}" if len(rows) else key))
    ax.set_title(title or TREND_MEASURES.get(key, key))
    return fig
