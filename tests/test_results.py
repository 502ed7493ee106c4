"""Key results: disclosure control applied on recording, files written atomically, sentences with uncertainty."""

from __future__ import annotations

import json

import pytest

from rmresearch import results
from rmresearch.config import DisclosureRules
from rmresearch.errors import AnalysisError
from rmresearch.results import Recorder, read_results, sentence


def test_counts_are_rounded_whatever_the_caller_passes():
    rec = Recorder()
    # HESA: nearest 5, halves up, below 2.5 is 0 (hand-worked)
    assert [rec.record("c", v, label="x")["value"] for v in (26, 2, 2.5, 12.5, 1234)] == [25, 0, 5, 15, 1235]


def test_rates_means_and_estimates_on_small_bases_are_suppressed_with_their_intervals():
    rec = Recorder()
    small = rec.record("r", 0.4, kind="rate", n=22, ci=(0.2, 0.6), label="Small rate")
    assert small["suppressed"] and small["value"] is None and small["ci_low"] is None and small["display"] == ".."
    assert small["n"] == 20  # the base itself is stored rounded
    shown = rec.record("r", 0.4, kind="rate", n=23, ci=(0.2, 0.6), label="Rate")
    assert not shown["suppressed"] and shown["display"] == "40.0%" and shown["ci_high"] == 0.6
    assert rec.record("m", 4.2, kind="mean", n=7, label="Mean")["suppressed"]  # 7 or fewer: suppressed
    assert rec.record("m", 4.2, kind="mean", n=8, label="Mean")["display"] == "4.2"
    assert rec.record("e", 1.3, kind="estimate", n=20, ci=(1.0, 1.7), label="HR")["ci_high"] is None
    assert rec.record("e", 1.3, kind="estimate", n=30, ci=(1.0, 1.7), label="HR")["display"] == "1.30"
    # re-recording a key replaces it
    assert sorted(r["key"] for r in rec.results) == ["e", "m", "r"]


def test_ofs_style_codes_apply():
    rec = Recorder(rules=DisclosureRules(style="ofs"))
    assert rec.record("r", 24 / 25, kind="rate", n=25, numerator=24, label="Rate")["display"] == "[DPH]"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"value": 0.5, "kind": "rate"}, "needs n"),
        ({"value": 45.0, "kind": "rate", "n": 100}, "between 0 and 1"),
        ({"value": "12 staff left", "kind": "text"}, "cannot contain digits"),
        ({"value": 3, "ci": (1, 4)}, "no confidence interval"),
        ({"value": float("nan"), "kind": "mean", "n": 30}, "nan"),
        ({"value": True}, "must be a number"),
    ],
)
def test_bad_results_are_refused_with_a_fix(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Recorder().record("k", label="x", **kwargs)


def test_file_is_written_next_to_the_notebook_and_read_back(tmp_path, monkeypatch):
    path = tmp_path / "04_progression.results.json"
    monkeypatch.setenv(results.RESULTS_ENV, str(path))
    rec = results.start(rules=DisclosureRules())
    results.record("rl", 1.28, kind="estimate", n=3115, ci=(1.10, 1.49), n_of="person-years", headline=True,
                   label="Relative likelihood of promotion, White to BAME staff")
    data = read_results(path)
    assert data["notebook"] == "04_progression" and rec.path == path
    [r] = data["results"]
    assert r["n"] == 3115 and r["headline"] is True
    assert sentence(r) == ("Relative likelihood of promotion, White to BAME staff: 1.28 "
                           "(95% confidence interval 1.10 to 1.49; based on about 3,115 person-years).")
    assert not list(tmp_path.glob(".*"))  # atomic write leaves no temporary file behind


def test_without_a_results_path_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv(results.RESULTS_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    rec = results.start()
    rec.record("n", 40, label="people")
    assert rec.save() is None and not list(tmp_path.iterdir())
    assert rec.table()["display"].tolist() == ["40"]


def test_sentence_template_and_bad_template():
    rec = Recorder()
    r = rec.record("gap", 0.084, kind="estimate", n=400, ci=(0.03, 0.14), unit="pp", scale=100, decimals=1,
                   label="Gap", sentence="The awarding gap was {value} ({ci}).")
    assert sentence(r) == "The awarding gap was 8.4 pp (95% confidence interval 3.0 to 14.0 pp)."
    with pytest.raises(ValueError, match="placeholders"):
        rec.record("gap", 0.1, kind="estimate", n=400, label="Gap", sentence="{gap}")


def test_unreadable_results_file_is_named(tmp_path):
    from rmresearch.errors import InputError

    bad = tmp_path / "00_x.results.json"
    bad.write_text(json.dumps({"schema": 99}))
    with pytest.raises(InputError, match="00_x.results.json"):
        read_results(bad)


def test_a_record_ending_a_cell_displays_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(results.RESULTS_ENV, str(tmp_path / "00_x.results.json"))
    results.start(rules=DisclosureRules())
    entry = results.record("c", 26, label="Pairs")
    assert entry["value"] == 25  # still usable: the disclosed figure
    assert entry._ipython_display_() is None  # IPython calls this instead of printing the dict


# --------------------------------------------------------------------------- programme activity (issue 13)

def test_activity_counts_and_rates_are_recorded_exactly():
    rec = Recorder()
    pairs = rec.record("pairs", 26, label="mentoring pairs", basis="activity")
    assert (pairs["value"], pairs["display"], pairs["basis"]) == (26, "26", "activity")  # people basis: 25
    assert rec.record("pilot_pairs", 12, label="mentoring pairs", basis="activity")["display"] == "12"
    withdrew = rec.record("withdrew", 1 / 12, kind="rate", n=12, n_of="pairs", label="Pairs that withdrew",
                          basis="activity")
    assert (withdrew["value"], withdrew["display"], withdrew["n"], withdrew["suppressed"]) == (0.083, "8.3%", 12, False)
    assert sentence(withdrew) == "Pairs that withdrew: 8.3% (based on 12 pairs)."
    mean = rec.record("mean_held", 125 / 26, kind="mean", n=26, unit="meetings", label="Average meetings a pair held",
                      basis="activity")
    assert mean["display"] == "4.8 meetings"
    # the people basis keeps the HESA rules for the same numbers
    assert rec.record("withdrew_p", 1 / 12, kind="rate", n=12, label="Pairs that withdrew")["display"] == ".."


@pytest.mark.parametrize("key, label", [("pairs_bame", "mentoring pairs"), ("pairs", "Pairs by ethnicity group"),
                                        ("pairs_female", "pairs"), ("pairs_sex", "pairs")])
def test_activity_naming_a_characteristic_is_refused(key, label):
    with pytest.raises(AnalysisError, match="basis='people'"):
        Recorder().record(key, 3, label=label, basis="activity")


@pytest.mark.parametrize("value, kwargs, match", [
    (2.5, {}, "whole number"), (-1, {}, "whole number"), (3, {"kind": "estimate", "n": 30}, "count, rate or mean"),
    (0.5, {"kind": "rate"}, "needs n"), (3, {"n": 3}, "no n"), (0.5, {"kind": "rate", "n": 4, "ci": (0.1, 0.9)}, "without ci"),
    (3, {"basis": "exact"}, "basis must be"),
])
def test_activity_records_refuse_what_they_cannot_show_exactly(value, kwargs, match):
    with pytest.raises(AnalysisError, match=match):
        Recorder().record("x", value, label="meetings", **{"basis": "activity", **kwargs})
