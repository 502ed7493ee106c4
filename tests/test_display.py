import pandas as pd
import pytest

from rmresearch.disclosure import disclose
from rmresearch.display import DisclosureRequired, format_table


def test_refuses_a_table_that_skipped_disclosure():
    raw = pd.DataFrame({"group": ["Black"], "n": [3]})
    with pytest.raises(DisclosureRequired, match="disclose"):
        format_table(raw)


def test_formats_a_disclosed_table_without_index():
    raw = pd.DataFrame({"group": ["White", "Black"], "n": [101, 3], "mean": [2.345, 4.0]})
    html = format_table(disclose(raw, counts=["n"], means={"mean": "n"}), caption="Means").to_html()
    assert "100" in html and "2.3" in html and "Means" in html
    assert ">..<" in html  # the mean on 3 people is suppressed
    assert "101" not in html


def test_headers_are_readable_and_counts_have_thousands_separators_but_years_do_not():
    raw = pd.DataFrame({"qualification_year": [2019], "n": [10605], "gap_pp": [12.04], "ci_low": [10.3]})
    html = format_table(disclose(raw, counts=["n"])).to_html()
    assert "10,605" in html and "2019" in html and "2,019" not in html
    assert "gap (pp)" in html and "95% CI low" in html and "qualification year" in html


def _cells(html):
    import re

    return re.findall(r">([^<>]+)</t[dh]>", html)


def test_p_values_show_below_0001_as_less_than_and_else_three_decimals_whatever_the_table_decimals():
    raw = pd.DataFrame({"covariate": ["a", "b", "c"], "estimate": [1.234, 0.5, 2.0],
                        "p_value": [0.0000123, 0.04567, 0.0], "p_adjusted": [0.0004, 0.1, 1.0]})
    table = disclose(raw)
    cells = _cells(format_table(table, decimals=1).to_html())
    assert cells[4:] == ["a", "1.2", "&lt; 0.001", "&lt; 0.001", "b", "0.5", "0.046", "0.100", "c", "2.0", "&lt; 0.001", "1.000"]
    assert "0.000" not in cells and "0.0" not in cells
    assert table["p_value"].tolist() == [0.0000123, 0.04567, 0.0]  # only the shown form changes


def test_role_codes_and_design_names_are_shown_in_words_in_cells_and_headers():
    raw = pd.DataFrame({"covariate": ["ethnicity_group[Asian]", "mentored"], "role": ["senior_leader", "staff_partner"],
                        "senior_leader": [12, 30], "hazard_ratio": [1.234, 2.5]})
    table = disclose(raw, counts=["senior_leader"])
    cells = _cells(format_table(table).to_html())
    assert cells == ["covariate", "role", "Senior leader", "hazard ratio",
                     "Asian (ethnicity group)", "Senior leader", "10", "1.2",
                     "mentored", "Staff partner", "30", "2.5"]
    assert table["role"].tolist() == ["senior_leader", "staff_partner"]
    assert table.columns[2] == "senior_leader"


def test_text_columns_keep_suppression_markers_and_blank_missing_cells():
    raw = pd.DataFrame({"group": ["White", None], "n": [101, 3], "mean": [2.345, 4.0]})
    html = format_table(disclose(raw, counts=["n"], means={"mean": "n"})).to_html()
    assert _cells(html)[3:] == ["White", "100", "2.3", "5", ".."]  # the missing group cell is blank
    assert "None" not in html and "nan" not in html


def test_stacked_bars_show_role_codes_in_words_and_wrap_a_long_title():
    import matplotlib.pyplot as plt

    from rmresearch.plots import stacked_bars

    table = pd.DataFrame({"senior_leader": [5, 10], "staff_partner": [0, 5]}, index=["ethnicity_group[Asian]", "Safe space"])
    title = "'Safe space' and 'Reciprocity and mutual learning' were discussed about equally often, more than any other theme"
    fig = stacked_bars(table, title=title, legend_title="Role", width=7.5)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Asian (ethnicity group)", "Safe space"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Senior leader", "Staff partner"]
    shown = ax.get_title(loc="left")
    assert "\n" in shown and shown.replace("\n", " ") == title and max(map(len, shown.split("\n"))) <= 52
    plt.close(fig)


def test_p_values_already_formatted_by_disclose_derived_decimals_show_less_than():
    table = pd.DataFrame({"g": ["A", "B", "C"], "k_a": [60, 3, 40], "n_a": [100, 10, 100], "p_value": [0.04, 0.5, 0.0001]})
    shown = disclose(table, counts=["k_a", "n_a"], derived={"p_value": [("n_a", "k_a")]}, derived_decimals={"p_value": 3})
    assert shown["p_value"].tolist() == ["0.040", "..", "0.000"]
    assert [c for c in _cells(format_table(shown).to_html()) if c in ("0.040", "..", "0.000", "&lt; 0.001")] == \
        ["0.040", "..", "&lt; 0.001"]
