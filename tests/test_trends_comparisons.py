"""The trends page across cohorts that study different characteristics (issue 14): each cohort's own label, a
measure drawn and pooled only across cohorts comparing the same groups, and a sentence for every cohort lacking a
measure (a cohort without students has no awarding gap)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from rmresearch import trends
from rmresearch.stats.pooling import pooled_estimates, se_from_interval

ETHNICITY = "Awarding gap in good honours, White minus global majority students"
DISABILITY = "Awarding gap in good honours, No known disability minus Disabled students"


def _gap(cohort, start, label, value, low, high, n):
    return {"cohort": cohort, "title": cohort, "start_date": start, "notebook": "03_attainment",
            "key": "awarding_gap", "label": label, "kind": "estimate", "value": value, "ci_low": low, "ci_high": high,
            "n": n, "suppressed": False, "display": f"{100 * value:.1f} pp", "unit": "pp", "scale": 100.0,
            "decimals": 1, "basis": "people"}


def _pairs(cohort, start, rate, n):
    return {"cohort": cohort, "title": cohort, "start_date": start, "notebook": "00_overview",
            "key": "pairs_completed_rate", "label": "Pairs that held every planned meeting", "kind": "rate",
            "value": rate, "ci_low": None, "ci_high": None, "n": n, "suppressed": False,
            "display": f"{100 * rate:.1f}%", "unit": None, "scale": 1.0, "decimals": 1, "basis": "activity"}


def _found():
    """demo and pilot compare students by ethnicity, stemm by disability; community has no students."""
    return pd.DataFrame([
        _gap("demo", "2022-09-01", ETHNICITY, 0.12, 0.06, 0.18, 400),
        _gap("stemm", "2023-09-01", DISABILITY, 0.08, 0.01, 0.15, 300),
        _gap("pilot", "2024-09-01", ETHNICITY, 0.20, 0.02, 0.38, 60),
        _pairs("demo", "2022-09-01", 0.5, 26), _pairs("stemm", "2023-09-01", 0.5, 14),
        _pairs("pilot", "2024-09-01", 0.75, 12), _pairs("community", "2025-01-01", 0.8, 10),
    ], columns=trends.COLUMNS)


def test_the_comparisons_of_a_measure_are_its_labels_in_start_date_order():
    found = _found()
    assert trends.comparisons(found, "awarding_gap") == [ETHNICITY, DISABILITY]
    assert trends.comparisons(found, "pairs_completed_rate") == [trends.TREND_MEASURES["pairs_completed_rate"]]
    assert trends.comparisons(found, "survey_change") == []


def test_a_measure_of_the_programme_is_one_comparison_whatever_its_labels():
    found = _found()
    found.loc[found["cohort"] == "pilot", "label"] = "Pairs that held all 8 planned meetings"
    found.loc[found["cohort"] != "pilot", "label"] = "Pairs that held all 6 planned meetings"
    title = trends.TREND_MEASURES["pairs_completed_rate"]
    assert trends.comparisons(found, "pairs_completed_rate") == [title]
    fig = trends.trend_figure(found, "pairs_completed_rate", label=title)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["demo", "stemm", "pilot", "community"]
    assert fig.axes[0].get_ylabel().replace("\n", " ") == title  # the cohorts' labels differ: the measure's own
    one = trends.trend_figure(found.loc[found["cohort"] != "pilot"], "pairs_completed_rate", label=title)
    assert one.axes[0].get_ylabel().replace("\n", " ") == "Pairs that held all 6 planned meetings"


def test_the_trend_table_shows_each_cohorts_own_label():
    table = trends.trend_table(_found()).set_index(["measure", "cohort"])
    gap = trends.TREND_MEASURES["awarding_gap"]
    assert table.loc[(gap, "stemm"), "recorded as"] == DISABILITY
    assert table.loc[(gap, "pilot"), "recorded as"] == ETHNICITY
    assert "White" not in gap and "BAME" not in gap  # the measure's own title names no group


def test_a_gap_is_pooled_only_across_cohorts_comparing_the_same_groups():
    out = trends.pooled_table(_found())
    gaps = out.table.loc[out.table["measure"] == trends.TREND_MEASURES["awarding_gap"]].set_index("cohort")
    assert sorted(gaps.index) == ["demo", "pilot"]  # stemm compares other groups: alone, it is not pooled
    eb = pooled_estimates(["demo", "pilot"], [0.12, 0.20], se_from_interval([0.06, 0.02], [0.18, 0.38])).table
    assert gaps.loc["pilot", "pooled"] == f"{100 * eb.loc[1, 'pooled']:.1f} pp"
    assert gaps.loc["demo", "recorded as"] == ETHNICITY
    assert any("the cohorts compare different groups" in s and f"demo, pilot: {ETHNICITY}" in s
               and f"stemm: {DISABILITY}" in s for s in out.left_out)
    assert f"{trends.TREND_MEASURES['awarding_gap']} ({DISABILITY}): not pooled, fewer than two cohorts" in " ".join(
        out.left_out)
    # the rate every cohort recorded alike is pooled over all four
    rates = out.table.loc[out.table["measure"] == trends.TREND_MEASURES["pairs_completed_rate"]]
    assert rates["cohort"].tolist() == ["demo", "stemm", "pilot", "community"]
    assert set(out.values.query("key == 'awarding_gap'")["cohort"]) == {"demo", "pilot"}


def test_a_figure_of_one_comparison_draws_only_its_cohorts():
    found = _found()
    fig = trends.trend_figure(found, "awarding_gap", label=DISABILITY)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["stemm"]
    assert ax.get_ylabel().replace("\n", " ") == DISABILITY
    both = trends.trend_figure(found, "awarding_gap", label=ETHNICITY)
    assert [t.get_text() for t in both.axes[0].get_xticklabels()] == ["demo", "pilot"]
    assert trends.figure_alt(found, "awarding_gap", label=DISABILITY) == (
        f"{DISABILITY}, one point per cohort for 1 cohort, with its 95% interval.")
    pooled = trends.pooled_table(found).values
    assert "hollow points" not in trends.figure_alt(found, "awarding_gap", pooled, label=DISABILITY)
    assert "hollow points" in trends.figure_alt(found, "awarding_gap", pooled, label=ETHNICITY)


def test_coverage_says_which_cohort_lacks_a_measure_and_why(tmp_path):
    folders = {}
    for cohort in ("demo", "stemm", "pilot", "community", "later"):
        folders[cohort] = tmp_path / cohort
        folders[cohort].mkdir()
        if cohort != "later":
            (folders[cohort] / "00_overview.results.json").write_text("{}")
    (folders["community"] / "run.json").write_text(json.dumps({"cohort": "community", "skipped": [
        {"name": "03_attainment", "reason": "Student awarding gap (03_attainment) does not apply to this cohort: it "
                                            "has no student records (its cohort file configures no inputs.students)"},
        {"name": "04_progression", "reason": "04_progression skipped: the cohort file configures no inputs.staff"}]}))
    found = _found()
    found = found.loc[~((found["cohort"] == "pilot") & (found["key"] == "awarding_gap"))]  # ran, but no gap
    lines = trends.coverage(list(folders.values()), found)
    gap = trends.TREND_MEASURES["awarding_gap"]
    assert lines == [
        "later has no results yet (its report has not been built), so it is not compared.",
        f"{gap}: pilot has no value: the analysis could not produce it from its data (its report says why).",
        f"{gap}: community has no value: the cohort has no student records (its cohort file configures no "
        "inputs.students).",
    ]


@pytest.mark.parametrize("reason, words", [
    ("04_progression skipped: the cohort file configures no inputs.staff",
     "the cohort has no staff records (its cohort file configures no inputs.staff)"),
    ("02_themes skipped: the cohort file configures no inputs.interviews",
     "the cohort has no interview transcripts (its cohort file configures no inputs.interviews)"),
    ("05_programme skipped: something else", "something else"),
    ("Staff representation and progression (04_progression) does not apply to this cohort: it has no staff records "
     "(its cohort file configures no inputs.staff)",
     "the cohort has no staff records (its cohort file configures no inputs.staff)"),
])
def test_skip_reasons_read_as_plain_words(reason, words):
    assert trends._skip_reason(reason) == words


def test_a_notebook_that_does_not_apply_says_so_by_its_title_and_what_the_cohort_lacks(tmp_path):
    from rmresearch.config import load_cohort
    from rmresearch.report import applicable_notebooks, cohort_notebooks

    from test_report import PROJECT

    path = tmp_path / "community.yml"
    path.write_text("cohort: community\ntitle: c\nprogramme_type: reciprocal\nstart_date: 2024-09-01\n"
                    "end_date: 2025-07-31\ninputs: {participants: p.csv, pairs: pairs.csv, meetings: m.csv}\n"
                    "outputs: {reports: reports/community}\n")
    kept, skipped = applicable_notebooks(cohort_notebooks(PROJECT / "notebooks"), load_cohort(path, check_files=False))
    reasons = {s["name"]: s["reason"] for s in skipped}
    assert [p.stem for p in kept] == ["00_overview", "05_programme"]
    assert reasons["03_attainment"] == ("Student awarding gap (03_attainment) does not apply to this cohort: it has "
                                        "no student records (its cohort file configures no inputs.students)")
    assert trends._skip_reason(reasons["04_progression"]).startswith("the cohort has no staff records")


@pytest.mark.slow
def test_the_trends_page_compares_cohorts_that_study_different_characteristics(tmp_path):
    """Notebook 90 over three cohorts' results files: demo and pilot compare students by ethnicity, a third by
    disability, and a community cohort (its report skipped the attainment notebook) has no gap, and says so."""
    import html
    import re

    from rmresearch.anonymise import anonymise_cohort
    from rmresearch.config import load_cohort
    from rmresearch.report import build_trends
    from rmresearch.results import Recorder
    from rmresearch.synthetic import generate_demo, generate_pilot

    from test_report import PROJECT

    root = tmp_path / "project"
    generate_demo(root, seed=7, n_students=1000, n_staff=300)
    generate_pilot(root, seed=7, n_students=400, n_staff=300)
    configs = [load_cohort(root / "cohorts" / f"{c}.yml") for c in ("demo", "pilot")]
    gaps = {"demo": (ETHNICITY, 0.14, 0.09, 0.19, 400), "pilot": (DISABILITY, 0.12, 0.02, 0.22, 200)}
    for cfg in configs:
        anonymise_cohort(cfg, progress=False)  # each cohort's key, for the leak audit
        folder = root / "reports" / cfg.cohort
        folder.mkdir(parents=True)
        rec = Recorder(cfg, path=folder / "03_attainment.results.json")
        label, gap, low, high, n = gaps[cfg.cohort]
        rec.record("awarding_gap", gap, kind="estimate", ci=(low, high), n=n, unit="pp", scale=100, decimals=1,
                   label=label)
        rec.save()
        other = Recorder(cfg, path=folder / "00_overview.results.json")
        other.record("pairs_completed_rate", 0.5, kind="rate", n=12, n_of="pairs", basis="activity",
                     label="Pairs that held all planned meetings")
        other.save()
    # the pilot's report skipped its attainment notebook: no gap, and run.json says why
    (root / "reports" / "pilot" / "03_attainment.results.json").unlink()
    (root / "reports" / "pilot" / "run.json").write_text(json.dumps({"cohort": "pilot", "skipped": [
        {"name": "03_attainment", "reason": "Student awarding gap (03_attainment) does not apply to this cohort: it "
                                            "has no student records (its cohort file configures no inputs.students)"}]}))
    out = build_trends(configs, notebooks_dir=PROJECT / "notebooks")
    page = (out / "report.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", page,
                                                                              flags=re.S | re.I))))
    gap = trends.TREND_MEASURES["awarding_gap"]
    assert (f"{gap}: pilot has no value: the cohort has no student records (its cohort file configures no "
            "inputs.students).") in text
    assert f"{gap} demo {ETHNICITY} 14.0 pp 9.0 to 19.0 400" in text  # the cohort's own label beside its value
    alts = [html.unescape(a) for a in re.findall(r'<img[^>]*alt="([^"]*)"', page)]
    assert alts == [f"{ETHNICITY}, one point per cohort for 1 cohort, with its 95% interval.",
                    f"{trends.TREND_MEASURES['pairs_completed_rate']}, one point per cohort for 2 cohorts."]
