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
    assert "Gap (pp)" in html and "95% CI low" in html and "Qualification year" in html


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
    assert cells == ["Covariate", "Role", "Senior leader", "Hazard ratio",
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


def _wide_table(columns=20):
    data = {"group": ["White", "Black", "Asian"]}
    data.update({f"year_{2000 + i}_students": [100 + i, 40 + i, 60 + i] for i in range(columns - 1)})
    return disclose(pd.DataFrame(data), counts=[c for c in data if c != "group"], name="wide")


def test_a_20_column_table_scrolls_sideways_in_its_container_with_the_first_column_fixed():
    import re

    from rmresearch.display import table_html

    page = table_html(_wide_table(20), caption="students by year")
    table_id = re.search(r'<table id="(T_[0-9a-f]+)"', page).group(1)
    assert page.startswith('<div class="table-wrap rm-table" style="overflow-x: auto; max-width: 100%;" role="region" '
                           'aria-label="Students by year. Counts rounded to the nearest 5." tabindex="0">')
    assert page.rstrip().endswith("</table>\n</div>") or page.rstrip().endswith("</div>")
    assert len(re.findall(r"<th [^>]*col_heading", page)) == 20
    # the first cell of every row, header and body, stays in view while the rest scrolls
    for cell in ("th", "td"):
        rule = re.search(rf"#{table_id} {cell}:first-child \{{([^}}]*)\}}", page).group(1)
        assert "position: sticky;" in rule and "left: 0;" in rule and "background-color:" in rule
    assert re.search(rf"#{table_id} th \{{[^}}]*white-space: normal;", page)  # long headers wrap
    assert ">Year 2000 students<" in page and ">Group<" in page


def test_the_report_keeps_show_tables_scrolling_container_once_and_its_css_fixes_the_first_column():
    import re
    from pathlib import Path

    import nbformat

    import rmresearch
    from rmresearch.display import table_html, table_metadata
    from rmresearch.report.render import render_notebook

    table = _wide_table(20)
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show_table(t)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": table_html(table)},
                                           metadata=table_metadata(table))]
    nb.cells = [nbformat.v4.new_markdown_cell("# Wide"), cell]
    body = render_notebook(nb, name="99_wide").body
    assert body.count('class="table-wrap') == 1 and "position: sticky" in body
    css = (Path(rmresearch.__file__).parent / "templates" / "report.css").read_text()
    rule = re.search(r"\.table-wrap th:first-child, \.table-wrap td:first-child \{([^}]*)\}", css).group(1)
    assert "position: sticky" in rule and "left: 0" in rule
    assert re.search(r"\.table-wrap \{[^}]*overflow-x: auto", css)


def test_rounded_counts_are_labelled_in_the_caption_and_exact_activity_counts_are_not():
    from rmresearch.display import table_metadata

    people = disclose(pd.DataFrame({"grade": ["Grade 6", "Grade 7"], "staff": [41, 57]}), counts=["staff"])
    assert "<caption>Staff by grade. Counts rounded to the nearest 5.</caption>" in \
        format_table(people, caption="staff by grade").to_html()
    assert "<caption>" in format_table(people).to_html()  # no caption given: the phrase is the caption
    said = format_table(people, caption="Staff by grade (counts rounded to the nearest 5)").to_html()
    assert said.count("rounded") == 1
    pairs = disclose(pd.DataFrame({"status": ["active", "completed"], "pairs": [5, 7]}), counts=["pairs"],
                     basis="activity")
    assert "rounded" not in format_table(pairs, caption="Pairs by status").to_html()
    assert "<caption>" not in format_table(pairs).to_html()
    # rates without their counts: nothing rounded is shown, nothing is said
    rates = disclose(pd.DataFrame({"group": ["A"], "n": [40], "k": [10], "rate": [0.25]}), counts=["n", "k"],
                     rates={"rate": ("n", "k")})[["group", "rate"]]
    assert "rounded" not in format_table(rates, caption="Rates").to_html()
    meta = table_metadata(people, caption="x")["rmresearch"]
    assert meta["rounded_to"] == 5 and table_metadata(pairs)["rmresearch"]["rounded_to"] is None
    strict = disclose(pd.DataFrame({"grade": ["G6"], "staff": [41]}), counts=["staff"],
                      rules={"round_to": 10})
    assert "Counts rounded to the nearest 10." in format_table(strict).to_html()


def test_no_negative_zero_in_numbers_text_cells_or_p_values():
    raw = pd.DataFrame({"group": ["A", "B", "C"], "gap_pp": [-0.04, -0.0, -0.26], "label": ["-0.0", "-0.00%", "x"],
                        "p_value": [0.2, 0.5, 0.9]})
    cells = _cells(format_table(disclose(raw), decimals=1).to_html())
    assert cells[4:] == ["A", "0.0", "0.0", "0.200", "B", "0.0", "0.00%", "0.500", "C", "-0.3", "x", "0.900"]
    assert not any(c.startswith("-0") and set(c) <= set("-0.%") for c in cells)


def test_internal_labels_become_words_and_headers_are_capitalised_but_symbols_keep_their_case():
    raw = pd.DataFrame({"coder_a": ["ana"], "coder_b": ["ben"], "code": ["safe_space"], "units": [40],
                        "a_and_b": [10], "agreement_pct": [80.0], "n": [40], "p_value": [0.01], "kappa": [0.5]})
    cells = _cells(format_table(disclose(raw, counts=["units", "a_and_b", "n"])).to_html())
    assert cells[:9] == ["Coder A", "Coder B", "Code", "Units", "Both coders", "Agreement (%)", "n", "p", "Kappa"]
    assert cells[9:12] == ["ana", "ben", "safe space"]
    ids = disclose(pd.DataFrame({"participant_id": ["P01"], "safe_space": ["yes"]}), basis="listing")
    assert _cells(format_table(ids).to_html())[:4] == ["Participant ID", "Safe space", "P01", "yes"]


def test_an_internal_report_shows_exact_counts_and_does_not_call_them_rounded():
    from rmresearch.config import DisclosureRules

    raw = pd.DataFrame({"grade": ["Grade 6", "Grade 7"], "staff": [41, 57]})
    internal = disclose(raw, counts=["staff"], rules=DisclosureRules(audience="internal"))
    page = format_table(internal, caption="Staff by grade").to_html()
    assert "41" in page and "57" in page and "rounded" not in page


def test_survey_change_columns_have_headers_in_words_and_their_p_values_show_less_than():
    raw = pd.DataFrame({"group": ["senior_leader"], "n": [40], "mean_diff": [-0.004], "t": [2.1], "p_t": [0.0004],
                        "w": [30.0], "p_w": [0.04], "p_t_adj": [0.0008], "p_w_adj": [0.08]})
    cells = _cells(format_table(disclose(raw, counts=["n"]), decimals=2).to_html())
    assert cells[:9] == ["Group", "n", "Mean change", "t", "p (t-test)", "W", "p (Wilcoxon)", "p (t-test, adjusted)",
                         "p (Wilcoxon, adjusted)"]
    assert cells[9:] == ["Senior leader", "40", "0.00", "2.10", "&lt; 0.001", "30.00", "0.040", "&lt; 0.001", "0.080"]


def test_text_columns_read_from_the_left_and_numbers_with_suppression_markers_stay_right_aligned():
    import re

    raw = pd.DataFrame({"group": ["White", "Black"], "quote": ["I learned a lot.", "It was eye-opening."],
                        "n": [101, 3], "mean": [2.345, 4.0]})
    page = format_table(disclose(raw, counts=["n"], means={"mean": "n"})).to_html()
    table_id = re.search(r'<table id="(T_[0-9a-f]+)"', page).group(1)
    left = set(re.findall(rf"#{table_id} td\.col(\d+) \{{\s*text-align: left;", page))
    assert left == {"0", "1"}  # group and quote; n (numbers) and mean (a number and "..") are not


def test_flags_read_yes_and_no():
    raw = pd.DataFrame({"group": ["White", "Black"], "n": [40, 30], "plotted": [True, False],
                        "mixed": pd.Series([True, ".."], dtype=object)})
    cells = _cells(format_table(disclose(raw, counts=["n"])).to_html())
    assert cells[4:] == ["White", "40", "yes", "yes", "Black", "30", "no", ".."]
