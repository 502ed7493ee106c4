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
