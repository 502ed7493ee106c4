"""Generated sentences, captions and figure titles are true of the values shown (issue 13, item 3).

The three false sentences of the issue, each made impossible here: a superlative over a tie (and over zeros),
"No two themes share a segment" when one segment carries two themes for both coders, and a figure drawn over an
empty axis. And thresholds printed as the whole number of people they mean ("fewer than 23", not 22.5).
"""

import numpy as np
import pandas as pd
import pytest

from rmresearch.config import DisclosureRules
from rmresearch.errors import AnalysisError


# ---------------------------------------------------------------- thresholds: HESA's 22.5 means at least 23 people

def test_a_suppressed_rate_says_fewer_than_23_pairs_not_22_5():
    from rmresearch.results import Recorder, sentence

    rec = Recorder()
    done = rec.record("done", 7 / 12, kind="rate", n=12, n_of="pairs", label="Pairs that completed")
    assert sentence(done) == "Pairs that completed: not shown, because it rests on fewer than 23 pairs."
    gap = rec.record("gap", 0.1, kind="estimate", n=12, n_of="mentored staff", label="Gap")
    assert sentence(gap) == "Gap: not shown, because it rests on fewer than 23 mentored staff."


def test_the_methods_appendix_prints_the_threshold_as_a_whole_number():
    from rmresearch.report.render import _people_rules_text

    text = _people_rules_text(DisclosureRules())
    assert "percentages based on fewer than 23 people" in text and "22.5" not in text
    assert "fewer than 30 people" in _people_rules_text(DisclosureRules(min_percentage_denominator=30))


def test_survival_curves_say_why_a_group_is_not_drawn_with_the_whole_number():
    from rmresearch.display import fewer_than, people_threshold
    from rmresearch.progression.disclosure_control import plottable_groups

    assert [people_threshold(DisclosureRules(min_percentage_denominator=v)) for v in (22.5, 23, 22, 10.1)] == [23, 23, 22, 11]
    assert fewer_than(DisclosureRules(), "students") == "fewer than 23 students"
    km = pd.DataFrame({"group": ["mentored", "mentored", "comparison"], "n": [22, 22, 23]})
    sizes = plottable_groups(km, rules=DisclosureRules())
    assert sizes["plotted"].tolist() == [False, True] and sizes["reason"].tolist() == ["fewer than 23 people", ""]


# ---------------------------------------------------------------- no figure over an empty axis

def test_stacked_bars_refuse_an_all_zero_table_instead_of_drawing_empty_bars():
    import matplotlib.pyplot as plt

    from rmresearch.plots import NothingToDraw, stacked_bars

    before = plt.get_fignums()
    zeros = pd.DataFrame({"senior_leader": [0, 0], "staff_partner": [0, np.nan]}, index=["Safe space", "Lived experience"])
    with pytest.raises(NothingToDraw, match=r"^Nothing to draw: every bar would be empty \(each value is 0 or missing\), "
                                            r"so the figure is not drawn\.$"):
        stacked_bars(zeros, title="'Safe space' was the most discussed theme")
    assert plt.get_fignums() == before  # nothing was left open either
    assert isinstance(NothingToDraw("x"), AnalysisError)  # a sections.unit shows it as the section's note
    fig = stacked_bars(zeros.assign(staff_partner=[5, 0]))
    assert [round(p.get_width()) for p in fig.axes[0].patches] == [0, 0, 5, 0]
    plt.close(fig)


def test_nothing_to_draw_treats_suppression_markers_as_missing_and_zero_as_a_point_on_a_line():
    from rmresearch.plots import nothing_to_draw

    assert nothing_to_draw(pd.DataFrame({"share": ["..", None]}))
    assert nothing_to_draw(pd.Series([0.0, 0.0]))  # bars of 0
    assert not nothing_to_draw(pd.Series([0.0, 0.0]), zero_is_empty=False)  # a gap of 0 pp is drawn
    assert not nothing_to_draw([[0, 0], [0, 5]])


def test_a_heatmap_of_themes_whose_every_rounded_count_is_0_is_refused_with_the_sentence_true_of_it():
    from rmresearch.coding import plot_cooccurrence
    from rmresearch.plots import NothingToDraw

    labels = ["Safe space", "Reciprocity"]
    co = pd.DataFrame([[2, 1], [1, 2]], index=labels, columns=labels)  # 2 and 1 round to 0
    with pytest.raises(NothingToDraw) as caught:
        plot_cooccurrence(co, unit="turn")
    assert str(caught.value) == ("Nothing to draw: no theme was coded in more than 2 turns (counts rounded to the "
                                 "nearest 5), so the figure is not drawn. It needs more turns coded with the themes.")


def test_the_awarding_gap_title_over_several_groups_names_ties_and_claims_no_persistence():
    from rmresearch.attainment.figures import _latest_gaps_title

    t = pd.DataFrame({"g": ["Black", "Asian", "Mixed"], "y": [2023] * 3, "gap_pp": [9.96, 10.04, 2.0]})
    assert _latest_gaps_title(t, "g", "y", "White") == \
        "Gaps to White students by group: in 2023-24 the largest, about equal, are Black and Asian (10.0 pp)"
    assert _latest_gaps_title(t.assign(gap_pp=[-0.04, -2.0, -3.0]), "g", "y", "White") == \
        "No group has a gap to White students above 0 pp in 2023-24 (largest: Black, 0.0 pp)"


# ---------------------------------------------------------------- superlatives over ties and zeros

def _theme_frequencies(turns_by_code, n_turns=40):
    """Code frequencies by role from {code: [turn indices]}: odd turns P1 (senior leader), even P2 (staff partner)."""
    from rmresearch.coding import code_frequencies

    segments = pd.DataFrame({"segment_id": [f"d#t{i:03d}" for i in range(n_turns)], "document": "d",
                             "start": [10 * i for i in range(n_turns)], "end": [10 * i + 8 for i in range(n_turns)],
                             "participant_id": ["P1" if i % 2 else "P2" for i in range(n_turns)],
                             "speaker": ["P1" if i % 2 else "P2" for i in range(n_turns)], "text": "words said here"})
    rows = [(t, code) for code, turns in turns_by_code.items() for t in turns]
    codings = pd.DataFrame({"document": "d", "start": [10 * t for t, _ in rows], "end": [10 * t + 8 for t, _ in rows],
                            "code": [c for _, c in rows], "coder": "A"})
    participants = pd.DataFrame({"participant_id": ["P1", "P2"], "role": ["senior_leader", "staff_partner"]})
    return code_frequencies(codings, segments, participants, by="role")


def test_two_themes_tied_in_the_counts_shown_are_both_named_and_neither_is_the_most_discussed():
    from rmresearch.coding import most_discussed, rounded_theme_counts

    # 12 and 13 coded turns (6 + 6 and 7 + 6 by role): each role's count rounds to 5, both bars are 10 long
    freq = _theme_frequencies({"safe_space": range(0, 12), "reciprocity": range(12, 25), "barriers": [25]})
    shown = rounded_theme_counts(freq, by="role", base=5)
    assert shown.sum(axis=1).to_dict() == {"safe_space": 10, "reciprocity": 10, "barriers": 0}
    headline = most_discussed(shown, base=5, unit="turn")  # themes in code order (alphabetical without a codebook)
    assert headline.text == "'reciprocity' and 'safe_space' were discussed about equally often, more than any other theme"
    assert "most discussed" not in headline.text and headline.drawable
    # exactly (an internal report): 12 against 13 is no tie, and the superlative is true
    exact = rounded_theme_counts(freq, by="role", base=1)
    assert most_discussed(exact, base=1).text == "'reciprocity' was the most discussed theme"
    # every theme tied: no "more than any other theme"
    assert most_discussed(shown.loc[["reciprocity", "safe_space"]]).text == \
        "'reciprocity' and 'safe_space' were discussed about equally often"


def test_all_zero_counts_give_no_superlative_and_no_chart():
    from rmresearch.coding import most_discussed, rounded_theme_counts

    freq = _theme_frequencies({"safe_space": [0, 1], "reciprocity": [2]})  # 1 turn per role at most: rounds to 0
    shown = rounded_theme_counts(freq, by="role", base=5)
    headline = most_discussed(shown, base=5, unit="turn")
    assert headline.text == "No theme was coded in more than 2 turns in any one role (counts rounded to the nearest 5)"
    assert headline.top == [] and not headline.drawable


# ---------------------------------------------------------------- "No two themes share a segment"

def test_one_segment_with_two_themes_for_both_coders_is_never_called_no_shared_segment():
    import matplotlib.pyplot as plt

    from rmresearch.coding import code_cooccurrence, cooccurrence_title, plot_cooccurrence

    # turn 0 carries safe_space and reciprocity for both coders A and B; each theme is on 3 more turns alone
    rows = [(0, "safe_space", "A"), (0, "reciprocity", "A"), (0, "safe_space", "B"), (0, "reciprocity", "B")]
    rows += [(t, "safe_space", "A") for t in (1, 2, 3)] + [(t, "reciprocity", "B") for t in (4, 5, 6)]
    segments = pd.DataFrame({"segment_id": [f"d#t{i:03d}" for i in range(8)], "document": "d",
                             "start": [10 * i for i in range(8)], "end": [10 * i + 8 for i in range(8)],
                             "participant_id": "P1", "speaker": "P1", "text": "words said here"})
    codings = pd.DataFrame({"document": "d", "start": [10 * t for t, _, _ in rows], "end": [10 * t + 8 for t, _, _ in rows],
                            "code": [c for _, c, _ in rows], "coder": [k for _, _, k in rows]})
    co = code_cooccurrence(codings, segments)
    assert co.to_dict() == {"reciprocity": {"reciprocity": 4, "safe_space": 1}, "safe_space": {"reciprocity": 1, "safe_space": 4}}
    assert cooccurrence_title(co, base=1) == "'reciprocity' and 'safe_space' occur together most often"
    for coder in ("A", "B"):  # each coder alone also put both themes on turn 0
        assert code_cooccurrence(codings.loc[codings["coder"] == coder], segments).loc["safe_space", "reciprocity"] == 1
    # a public heatmap draws counts rounded to 5: the shared turn shows 0, and the title stays true of that
    fig = plot_cooccurrence(co, unit="segment")
    title = fig.axes[0].get_title(loc="left").replace("\n", " ")
    plt.close(fig)
    assert title == "No pair of themes shares more than 2 segments (counts rounded to the nearest 5)"
    assert "No two themes share" not in cooccurrence_title(co, base=5) and "No two themes share" not in title


# ---------------------------------------------------------------- no "-0.0" in sentences or tables

def test_a_recorded_estimate_that_rounds_to_zero_is_written_without_a_minus_sign():
    from rmresearch.results import Recorder, sentence

    rec = Recorder()
    gap = rec.record("gap", -0.0004, kind="estimate", n=400, ci=(-0.0204, 0.0196), scale=100, unit="pp", decimals=1,
                     n_of="students", label="Adjusted gap")
    assert gap["display"] == "0.0 pp"
    assert sentence(gap) == ("Adjusted gap: 0.0 pp (95% confidence interval -2.0 to 2.0 pp; based on about 400 students).")


def test_a_rounded_count_of_people_is_said_to_be_about_and_an_exact_count_is_not():
    from rmresearch.results import Recorder, sentence

    public, internal = Recorder(), Recorder(rules=DisclosureRules(audience="internal"))
    assert sentence(public.record("seen", 24, kind="count", label="Participants interviewed")) == \
        "Participants interviewed: about 25."  # 24 rounds to 25: the sentence may not state it as exact
    assert sentence(public.record("pairs", 12, kind="count", basis="activity", label="Mentoring pairs")) == "Mentoring pairs: 12."
    assert sentence(internal.record("seen", 24, kind="count", label="Participants interviewed")) == "Participants interviewed: 24."


def test_labels_in_sentences_are_capitalised_without_lowering_acronyms():
    from rmresearch.progression import disclose_cox
    from rmresearch.progression.detectable import hazard_ratio_lines

    effect = pd.DataFrame({"covariate": ["mentored"], "hazard_ratio": [2.3], "ci_low": [0.56], "ci_high": [9.4],
                           "p_value": [0.26], "n": [85], "events": [10], "outcome": ["leaving, BAME staff"]})
    line = hazard_ratio_lines(disclose_cox(effect), treated=10)[0]
    assert line.startswith("- Leaving, BAME staff: the interval 0.56 to 9.40 includes 1.")  # str.capitalize gave "Bame"


def test_a_gap_that_crosses_zero_is_said_to_have_reversed_not_narrowed():
    from rmresearch.attainment.figures import _trend_title

    t = pd.DataFrame({"g": ["Black"] * 2, "y": [2021, 2023], "gap_pp": [8.0, -6.0], "ci_low": [5.0, -9.0],
                      "ci_high": [11.0, -3.0]})
    assert _trend_title(t, "g", "y", "White", ["Black"]) == \
        "The Black awarding gap reversed: 8.0 pp in 2021-22, -6.0 pp in 2023-24"
    # a negative gap growing further from 0 widened (the group is further ahead), it did not narrow
    away = t.assign(gap_pp=[-2.0, -9.0], ci_low=[-3.0, -11.0], ci_high=[-1.0, -7.0])
    assert _trend_title(away, "g", "y", "White", ["Black"]) == \
        "The Black awarding gap widened: -2.0 pp in 2021-22, -9.0 pp in 2023-24"
