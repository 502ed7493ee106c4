"""Sentences and figure titles of the themes notebook are true of the counts shown (issue 13)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from rmresearch.coding import code_cooccurrence, code_frequencies, plot_cooccurrence
from rmresearch.coding.analysis import cooccurrence_title, most_discussed, rounded_theme_counts
from rmresearch.errors import AnalysisError


def _segments(n):
    return pd.DataFrame({"segment_id": [f"d#t{i:03d}" for i in range(1, n + 1)], "document": "d",
                         "start": [10 * i for i in range(n)], "end": [10 * i + 8 for i in range(n)],
                         "participant_id": ["P1" if i % 2 else "P2" for i in range(n)],
                         "speaker": ["P1" if i % 2 else "P2" for i in range(n)], "text": "some words said here"})


def _codings(pairs):
    """pairs: (turn index, code, coder)."""
    return pd.DataFrame({"document": "d", "start": [10 * t for t, _, _ in pairs], "end": [10 * t + 8 for t, _, _ in pairs],
                         "code": [c for _, c, _ in pairs], "coder": [k for _, _, k in pairs]})


def test_a_segment_with_two_themes_for_both_coders_is_not_called_no_shared_segment():
    # turn 0 carries x and y for both coders; x and y are each in 5 turns, z in 1: (x, y) shares 1 turn, which rounds to 0
    pairs = [(0, "x", "A"), (0, "y", "A"), (0, "x", "B"), (0, "y", "B"), (9, "z", "A")]
    pairs += [(t, "x", "A") for t in range(1, 5)] + [(t, "y", "B") for t in range(5, 9)]
    co = code_cooccurrence(_codings(pairs), _segments(10))
    assert co.to_dict() == {"x": {"x": 5, "y": 1, "z": 0}, "y": {"x": 1, "y": 5, "z": 0}, "z": {"x": 0, "y": 0, "z": 1}}
    fig = plot_cooccurrence(co, unit="turn")
    title = fig.axes[0].get_title(loc="left").replace("\n", " ")
    plt.close(fig)
    assert title == "No pair of themes shares more than 2 turns (counts rounded to the nearest 5)"
    assert "No two themes share" not in title
    # without rounding the shared segment is shown and named
    shown = co.astype(float)
    assert cooccurrence_title(shown, base=1) == "'x' and 'y' occur together most often"


def test_cooccurrence_title_over_ties_zeros_and_one_theme():
    labels = ["A", "B", "C"]
    tie = pd.DataFrame([[10, 5, 5], [5, 10, 0], [5, 0, 10]], index=labels, columns=labels)
    assert cooccurrence_title(tie) == ("2 pairs of themes occur together about equally often, more than any other pair: "
                                       "'A' with 'B' and 'A' with 'C'")
    assert cooccurrence_title(tie.replace(0, 5)) == "Every pair of themes occurs together about equally often"
    zeros = pd.DataFrame(0, index=labels, columns=labels)
    assert cooccurrence_title(zeros) == "No theme was coded in more than 2 segments (counts rounded to the nearest 5)"
    assert cooccurrence_title(zeros, base=1) == "No theme was coded yet"
    one = pd.DataFrame([[5]], index=["A"], columns=["A"])
    assert cooccurrence_title(one) == "Only one theme was coded, so no pair of themes can share a segment"
    with pytest.raises(AnalysisError, match="nothing to draw"):
        plot_cooccurrence(pd.DataFrame())


def _frequencies(turns_by_code):
    """Frequencies by role from {code: [turn indices]} over 40 turns (odd turns P1 senior leader, even P2 partner)."""
    codings = _codings([(t, code, "A") for code, turns in turns_by_code.items() for t in turns])
    participants = pd.DataFrame({"participant_id": ["P1", "P2"], "role": ["senior_leader", "staff_partner"]})
    return code_frequencies(codings, _segments(40), participants, by="role")


def test_most_discussed_names_one_theme_only_when_it_leads_in_the_counts_shown():
    freq = _frequencies({"a": range(0, 20), "b": range(20, 26)})
    shown = rounded_theme_counts(freq, by="role", base=5)
    assert shown.to_dict() == {"senior_leader": {"a": 10, "b": 5}, "staff_partner": {"a": 10, "b": 5}}
    headline = most_discussed(shown)
    assert headline == ("'a' was the most discussed theme", ["a"], True)


def test_most_discussed_over_a_tie_names_both_without_a_superlative():
    freq = _frequencies({"a": range(0, 10), "b": range(10, 21), "c": range(21, 23)})  # 10 and 11 turns: both show 10
    shown = rounded_theme_counts(freq, by="role", base=5)
    assert shown.sum(axis=1).to_dict() == {"a": 10, "b": 10, "c": 0}
    headline = most_discussed(shown)
    assert headline.text == "'a' and 'b' were discussed about equally often, more than any other theme"
    assert headline.top == ["a", "b"] and headline.drawable
    assert "most discussed" not in headline.text


def test_most_discussed_over_zeros_draws_nothing_and_says_so():
    # two themes in 2 turns each, 1 per role: every shown count rounds to 0 -> no chart over an empty axis
    freq = _frequencies({"a": [0, 1], "b": [2, 3]})
    shown = rounded_theme_counts(freq, by="role", base=5)
    assert shown.to_numpy().sum() == 0 and freq["segments"].sum() == 4
    headline = most_discussed(shown)
    assert headline == ("No theme was coded in more than 2 turns in any one role (counts rounded to the nearest 5)", [], False)
    uncoded = _frequencies({})
    assert most_discussed(rounded_theme_counts(uncoded, by="role", base=1), base=1).text in (
        "No theme was coded yet", "No theme was coded yet: the table has no themes")
