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
