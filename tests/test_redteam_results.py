"""Red team, results records: an estimate derived from rates (a gap, a ratio, a difference in differences)
must not give back a rate the tables suppress.

The attack: White 120 of 400, Black 2 of 60. The tables show the Black rate as ".." (or [DPL]), but a gap
of 26.7 pp or a relative likelihood of 9.00 beside the White 30.0% gives back 3.3%, i.e. 2 of 60. Every
recorded estimate names the rates it rests on (``rests_on``) and goes through disclosure.derived_marker,
the rule tables follow. The notebooks' own recording cells are run here on such data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from rmresearch import attainment, results, sections
from rmresearch import progression as pg
from rmresearch.config import DisclosureRules
from rmresearch.results import Recorder, sentence

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
STYLES = [("hesa", ".."), ("ofs", "[DPL]")]
SMALL = [(400, 120), (60, 2)]  # White 120/400, Black 2/60: the Black rate is suppressed in both styles
SHOWN = [(400, 120), (60, 30)]  # Black 30/60: both rates shown


def _digits_of(x: float) -> list[str]:
    """Forms a leaked number could take in a display or sentence."""
    return [f"{x:.1f}", f"{x:.2f}", f"{x:.3f}"]


@pytest.mark.parametrize(("style", "marker"), STYLES)
def test_gap_beside_a_suppressed_rate_is_suppressed_with_the_rates_marker(style, marker):
    from rmresearch.disclosure import derived_marker

    rules = DisclosureRules(style=style)
    gap = 120 / 400 - 2 / 60
    r = Recorder(rules=rules).record("awarding_gap", gap, kind="estimate", n=60, rests_on=SMALL,
                                     ci=(gap - 0.06, gap + 0.06), unit="pp", scale=100, decimals=1,
                                     n_of="students", headline=True, label="Awarding gap, White minus BAME")
    assert marker == derived_marker(SMALL, rules=rules)  # the one path decides, not a copy of the thresholds
    assert (r["suppressed"], r["display"], r["value"], r["ci_low"], r["ci_high"]) == (True, marker, None, None, None)
    text = sentence(r)
    assert text.startswith("Awarding gap, White minus BAME: not shown, because it rests on a rate that is not shown")
    assert "students with, or without, the outcome" in text
    assert not any(d in text for d in _digits_of(100 * gap))


@pytest.mark.parametrize(("style", "marker"), STYLES)
def test_relative_likelihood_beside_a_suppressed_rate_is_suppressed(style, marker):
    ratio = (120 / 400) / (2 / 60)  # 9.00: with 30.0% it gives back 3.3%, the 2
    r = Recorder(rules=DisclosureRules(style=style)).record(
        "promotion_relative_likelihood", ratio, kind="estimate", rests_on=[(60, 2), (400, 120)], ci=(2.3, 35.0),
        n_of="person-years", label="Relative likelihood of promotion")
    assert r["display"] == marker and r["value"] is None and r["ci_high"] is None
    assert r["n"] == 60  # n defaults to the smallest denominator, stored rounded
    assert "9.0" not in sentence(r) and "not shown" in sentence(r)


@pytest.mark.parametrize("style", ["hesa", "ofs"])
def test_gap_on_shown_rates_is_shown_at_its_shown_precision(style):
    gap = 30 / 60 - 120 / 400  # 0.19999999999999996 as computed
    r = Recorder(rules=DisclosureRules(style=style)).record(
        "awarding_gap", gap, kind="estimate", n=60, rests_on=SHOWN, ci=(gap - 0.1234567, gap + 0.1234567),
        unit="pp", scale=100, decimals=1, n_of="students", label="Gap")
    assert not r["suppressed"] and r["display"] == "20.0 pp"
    assert r["value"] == 0.2  # as shown (20.0 pp), not 0.19999999999999996
    assert (r["ci_low"], r["ci_high"]) == (0.077, 0.323)
    assert sentence(r) == "Gap: 20.0 pp (95% confidence interval 7.7 to 32.3 pp; based on about 60 students)."


def test_difference_in_differences_rests_on_all_four_rates():
    rec = Recorder()
    cells = [(300, 90), (320, 100), (50, 20), (45, 2)]  # one cell (2 of 45 after) is suppressed in the table
    assert rec.record("gap_change_did", 0.05, kind="estimate", n=45, rests_on=cells, label="DiD")["display"] == ".."
    assert rec.record("gap_change_did", 0.05, kind="estimate", n=45, rests_on=cells[:3] + [(45, 43)],
                      label="DiD")["display"] == ".."  # all but two with the outcome: as revealing
    shown = rec.record("gap_change_did", 0.05, kind="estimate", n=45, rests_on=cells[:3] + [(45, 12)], label="DiD")
    assert shown["display"] == "0.05"


def test_a_rate_shown_as_zero_after_rounding_also_hides_the_gap():
    # HESA: 2 of 120 is 1.7% beside a count shown as 0, so the rate is suppressed; a gap to it would give it back
    rec = Recorder()
    r = rec.record("g", 0.3 - 2 / 120, kind="estimate", n=120, rests_on=[(400, 120), (120, 2)], label="Gap")
    assert r["suppressed"] and r["display"] == ".."
    big = rec.record("g", 0.3 - 2 / 120, kind="estimate", n=120, rests_on=[(400, 120), (120, 2)], label="Gap",
                     scale=100)
    assert big["value"] is None


def test_a_small_group_in_rests_on_names_the_group_size_rule():
    r = Recorder().record("g", 0.1, kind="estimate", rests_on=[(400, 120), (20, 10)], n_of="students", label="Gap")
    assert r["suppressed"] and sentence(r) == "Gap: not shown, because it rests on a rate that is not shown (fewer than 23 students)."


def test_missing_counts_in_rests_on_fail_safe():
    rec = Recorder()
    assert rec.record("g", 0.1, kind="estimate", n=400, rests_on=[(400, 120), (60, np.nan)], label="Gap")["suppressed"]
    assert rec.record("g", 0.1, kind="estimate", n=400, rests_on=[(400, 120), (60, pd.NA)], label="Gap")["suppressed"]
    assert rec.record("g", 0.1, kind="estimate", rests_on=[(400, 120), (np.nan, 20)], label="Gap")["suppressed"]


@pytest.mark.parametrize(
    ("rests_on", "message"),
    [
        ([], "rests_on is empty"),
        ("400/120", "rests_on lists"),
        ([(400, 120, 3)], "pair"),
        ([(60, 61)], "between 0 and the denominator"),
        ([(60, -1)], "between 0 and the denominator"),
        ([("sixty", 2)], "must be a number"),
    ],
)
def test_malformed_rests_on_is_refused_with_a_fix(rests_on, message):
    with pytest.raises(ValueError, match=message):
        Recorder().record("g", 0.1, kind="estimate", n=60, rests_on=rests_on, label="Gap")


def test_rests_on_makes_no_sense_for_counts_or_texts():
    with pytest.raises(ValueError, match="count takes no rests_on"):
        Recorder().record("c", 12, rests_on=SMALL, label="Count")
    with pytest.raises(ValueError, match="rests_on"):
        Recorder().record("t", "yes", kind="text", rests_on=SMALL, label="Text")


def test_results_file_holds_the_verdict_never_the_counts(tmp_path, monkeypatch):
    path = tmp_path / "03_attainment.results.json"
    monkeypatch.setenv(results.RESULTS_ENV, str(path))
    from rmresearch.disclosure import clear_disclosure_log

    clear_disclosure_log()  # the file also lists this process's disclosed tables: other tests' must not be read here
    results.start(rules=DisclosureRules())
    results.record("awarding_gap", 120 / 400 - 2 / 60, kind="estimate", n=60, rests_on=[(400, 121), (61, 2)],
                   unit="pp", scale=100, headline=True, label="Awarding gap")
    text = path.read_text(encoding="utf-8")
    stored = json.loads(text)["results"][0]
    assert stored["display"] == ".." and stored["value"] is None and "rests_on" not in stored
    assert not re.search(r"\b(121|61)\b", text) and "0.26666" not in text and "26.7" not in text


def test_report_summary_list_says_not_shown_and_why_without_the_number():
    from rmresearch.report import _summary

    rec = Recorder(notebook="03_attainment")
    gap = 120 / 400 - 2 / 60
    rec.record("awarding_gap", gap, kind="estimate", n=60, rests_on=SMALL, unit="pp", scale=100, decimals=1,
               headline=True, n_of="students", sentence="The gap was {value} ({ci}).", label="Awarding gap")
    groups = _summary([SimpleNamespace(name="03_attainment", title="Awarding gap")], {"03_attainment": rec.as_dict()})
    (line,) = groups[0]["sentences"]
    assert "not shown, because it rests on a rate that is not shown" in line
    assert "26.7" not in line and "{value}" not in line


# ---------------------------------------------------------------------- the notebooks' own recording cells


def _cell(notebook: str, cell_id: str) -> str:
    nb = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))
    (cell,) = [c for c in nb["cells"] if c.get("id") == cell_id]
    return "".join(cell["source"])


def _run_cell(notebook, cell_id, style, **names):
    rec = results.start(rules=DisclosureRules(style=style), path=None)
    rules = rec.rules
    cfg = SimpleNamespace(reference_group="White", aggregate_group="BAME", ethnicity_grouping="ofs")
    from rmresearch.characteristics import legacy_ethnicity

    namespace = dict(results=results, sections=sections, attainment=attainment, pg=pg, pd=pd, cfg=cfg, rules=rules,
                     show_table=lambda *a, **k: None, reference="White", aggregate="BAME", good=("First", "2:1"),
                     focus=legacy_ethnicity("White", "ofs_group", "BAME"))  # a cohort file without characteristics
    from rmresearch.attainment import disclose_attainment
    from rmresearch.disclosure import disclose

    namespace.update(disclose=disclose, disclose_attainment=disclose_attainment, display=lambda *a, **k: None,
                     Markdown=str, snapshots=pd.DataFrame({"year": [2023, 2024]}))  # two census years
    namespace.update(names)
    exec(compile(_cell(notebook, cell_id), f"{notebook}:{cell_id}", "exec"), namespace)
    return {r["key"]: r for r in rec.results}


def _students(bame_good: int, bame_n: int = 60, white_good: int = 120, white_n: int = 400) -> pd.DataFrame:
    rows = ([("White", "White", "2:1")] * white_good + [("White", "White", "2:2")] * (white_n - white_good)
            + [("BAME", "Black", "First")] * bame_good + [("BAME", "Black", "Third")] * (bame_n - bame_good))
    return pd.DataFrame(rows, columns=["ethnicity_aggregate", "ethnicity_group", "degree_class"])


@pytest.mark.parametrize(("style", "marker"), STYLES)
def test_notebook_03_awarding_gap_beside_a_suppressed_rate_is_not_recorded(style, marker):
    got = _run_cell("03_attainment.ipynb", "cell-04", style, students=_students(bame_good=2))
    assert got["good_honours_rate_aggregate"]["display"] == marker  # the rate itself, as before
    gap = got["awarding_gap"]
    assert gap["display"] == marker and gap["value"] is None and gap["ci_low"] is None
    assert "26.7" not in sentence(gap)


def test_notebook_03_awarding_gap_on_shown_rates_is_recorded_as_shown():
    got = _run_cell("03_attainment.ipynb", "cell-04", "hesa", students=_students(bame_good=30))
    assert got["awarding_gap"]["display"] == "-20.0 pp" and got["awarding_gap"]["value"] == -0.2


@pytest.mark.parametrize(("style", "marker"), STYLES)
def test_notebook_04_relative_likelihoods_rest_on_both_rates(style, marker):
    # person-years: White 400 (120 promoted, 40 left), BAME 60 (2 promoted, 10 left)
    white = pd.DataFrame({"aggregate_group": "White", "promoted": [True] * 120 + [False] * 280,
                          "leaver": [True] * 40 + [False] * 360})
    bame = pd.DataFrame({"aggregate_group": "BAME", "promoted": [True] * 2 + [False] * 58,
                         "leaver": [True] * 10 + [False] * 50})
    moves = pd.concat([white, bame], ignore_index=True).assign(at_risk=True)
    got = _run_cell("04_progression.ipynb", "cell-16", style, moves=moves)
    promotion = got["promotion_relative_likelihood"]
    assert promotion["display"] == marker and promotion["value"] is None and "9.0" not in sentence(promotion)
    leaving = got["leaving_relative_likelihood"]  # 40/400 to 10/60: both rates shown, so is the ratio
    assert not leaving["suppressed"] and leaving["display"] == "0.60"


def test_every_estimate_from_rates_in_notebooks_03_and_04_names_its_rates():
    """Each record of a gap/ratio in the notebooks passes rests_on (a new one without it fails here)."""
    keys = {"03_attainment.ipynb": ["awarding_gap", "adjusted_gap", "value_added", "mentored_difference",
                                    "gap_change_did"],
            "04_progression.ipynb": ["promotion_relative_likelihood", "leaving_relative_likelihood"]}
    for notebook, wanted in keys.items():
        nb = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))
        source = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        calls = re.split(r"(?=(?:results\.record|attainment\.record_pp)\()", source)
        for key in wanted:
            (call,) = [c for c in calls if c.startswith((f'results.record("{key}"', f'attainment.record_pp("{key}"'))]
            call = call[: call.find("label=")]
            assert "rests_on=" in call, f"{notebook}: {key} is recorded without rests_on"


def _did_students(bame_good_after: int) -> pd.DataFrame:
    def block(group, year, n, good):
        return pd.DataFrame({"ethnicity_aggregate": group, "qualification_year": year, "mentored": False,
                             "degree_class": ["2:1"] * good + ["2:2"] * (n - good)})

    students = pd.concat([block("White", 2022, 300, 90), block("White", 2024, 320, 100), block("BAME", 2022, 50, 20),
                          block("BAME", 2024, 45, bame_good_after)], ignore_index=True)
    students.loc[students.index[-1], "mentored"] = True  # the scheme starts in 2024
    return students


def test_notebook_03_difference_in_differences_rests_on_all_four_cells():
    # three rates shown and the estimate would give back the fourth (2 of 45 after, shown as ".." in the table)
    did = _run_cell("03_attainment.ipynb", "cell-17", "hesa", students=_did_students(2))["gap_change_did"]
    assert did["display"] == ".." and did["value"] is None and did["ci_low"] is None
    shown = _run_cell("03_attainment.ipynb", "cell-17", "hesa", students=_did_students(12))["gap_change_did"]
    assert not shown["suppressed"] and shown["display"].endswith(" pp")


def test_trends_page_shows_the_marker_and_no_interval_for_a_suppressed_gap():
    from rmresearch.trends import trend_table

    rec = Recorder()
    gap = rec.record("awarding_gap", 120 / 400 - 2 / 60, kind="estimate", n=60, rests_on=SMALL, unit="pp", scale=100,
                     ci=(0.2, 0.33), label="Awarding gap")
    frame = pd.DataFrame([gap | {"cohort": "2024", "start_date": "2024-09-01"}])
    (row,) = trend_table(frame).to_dict("records")
    assert row["result"] == ".." and row["interval"] == ""


def test_rests_on_taken_from_a_table_row_reads_the_counts_by_position():
    row = pd.Series({"n": 60, "good": 2, "n_reference": 400, "good_reference": 120})
    rec = Recorder()
    got = rec.record("g", 0.27, kind="estimate", rests_on=[row[["n", "good"]], row[["n_reference", "good_reference"]]],
                     label="Gap")
    assert got["display"] == ".." and got["n"] == 60
    assert rec.record("g", 0.2, kind="estimate", rests_on=np.array([[400, 120], [60, 30]]), label="Gap")["display"] == "0.20"
    assert rec.record("g", 0.2, kind="estimate", rests_on=[(0, 0), (400, 120)], label="Gap")["display"] == ".."  # empty group
    with pytest.raises(ValueError, match="must be a number, not True"):
        rec.record("g", 0.2, kind="estimate", rests_on=[(True, 1)], label="Gap")


@pytest.mark.parametrize(("style", "low", "high"), [("hesa", "..", ".."), ("ofs", "[DPL]", "[DPH]")])
def test_a_rate_recorded_without_its_numerator_still_hides_a_count_shown_as_zero(style, low, high):
    # notebook 00 records (status == "withdrawn").mean() with n only: 1 of 26 as 3.8% beside a count shown as 0
    rec = Recorder(rules=DisclosureRules(style=style))
    assert rec.record("pairs_withdrew_rate", 1 / 26, kind="rate", n=26, n_of="pairs", label="Withdrew")["display"] == low
    assert rec.record("pairs_completed_rate", 25 / 26, kind="rate", n=26, n_of="pairs", label="Completed")["display"] == high
    assert rec.record("pairs_completed_rate", 13 / 26, kind="rate", n=26, n_of="pairs", label="Completed")["display"] == "50.0%"


@pytest.mark.parametrize("style", ["hesa", "ofs"])
@pytest.mark.parametrize(("bame_n", "bame_good"), [(60, 0), (60, 1), (60, 3), (60, 58), (60, 60), (30, 15), (20, 10),
                                                   (2, 1), (100, 40)])
def test_notebook_03_records_the_awarding_gap_exactly_as_its_table_cell_shows_it(style, bame_n, bame_good):
    from rmresearch.attainment import disclose_attainment

    students = _students(bame_good=bame_good, bame_n=bame_n)
    got = _run_cell("03_attainment.ipynb", "cell-04", style, students=students)["awarding_gap"]
    headline = attainment.awarding_gap(students, group="ethnicity_aggregate", reference="White")
    cell = disclose_attainment(headline, rules=DisclosureRules(style=style)).set_index("ethnicity_aggregate").loc[
        "BAME", "gap_pp"]
    if got["suppressed"]:
        assert got["display"] == cell and got["value"] is None  # the same marker as the table
    else:
        assert got["display"] == f"{float(cell):.1f} pp"  # the same number as the table, as shown


@pytest.mark.parametrize("style", ["hesa", "ofs"])
@pytest.mark.parametrize(("bame_n", "promoted"), [(60, 0), (60, 2), (60, 3), (60, 58), (20, 10), (100, 30)])
def test_notebook_04_records_the_relative_likelihood_exactly_as_its_table_cell_shows_it(style, bame_n, promoted):
    moves = pd.DataFrame({"aggregate_group": ["White"] * 400 + ["BAME"] * bame_n,
                          "promoted": [True] * 120 + [False] * 280 + [True] * promoted + [False] * (bame_n - promoted),
                          "leaver": [True] * 40 + [False] * 360 + [True] * 10 + [False] * (bame_n - 10)}).assign(at_risk=True)
    got = _run_cell("04_progression.ipynb", "cell-16", style, moves=moves)["promotion_relative_likelihood"]
    table = pg.relative_likelihood(moves, group="aggregate_group", numerator="promoted", denominator=None, reference="White")
    cell = pg.disclose_relative_likelihood(table, rules=DisclosureRules(style=style)).set_index("aggregate_group").loc[
        "BAME", "relative_likelihood"]
    assert got["display"] == (cell if got["suppressed"] else f"{float(cell):.2f}")


@pytest.mark.parametrize("style", ["hesa", "ofs"])
def test_a_ratio_to_a_rate_of_zero_is_suppressed_not_a_crash(style):
    # no BAME member promoted: the relative likelihood is undefined (0 in the denominator); notebook 04 used to stop
    rec = Recorder(rules=DisclosureRules(style=style))
    for value, ci in ((float("nan"), (float("nan"), float("nan"))), (float("inf"), (1.0, float("inf")))):
        r = rec.record("rl", value, kind="estimate", rests_on=[(60, 0), (400, 120)], ci=ci, label="RL")
        assert r["suppressed"] and r["value"] is None and r["ci_high"] is None
    with pytest.raises(ValueError, match="record only results that could be calculated"):
        rec.record("rl", float("nan"), kind="estimate", rests_on=[(60, 30), (400, 120)], label="RL")  # shown rates: a bug
