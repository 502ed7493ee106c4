"""Tests for rmresearch.disclosure (HESA standard rounding, OfS codes).

Expected values are worked by hand from the HESA standard rounding
methodology: counts to the nearest 5 with halves up, percentages suppressed
below a denominator of 22.5, averages suppressed at n <= 7, totals from
unrounded values.
"""

from __future__ import annotations

import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rmresearch.config import DisclosureRules
from rmresearch.disclosure import (
    OFS_CODES,
    DisclosureWarning,
    add_total,
    clear_disclosure_log,
    disclose,
    disclosure_log,
    hesa_round,
    is_disclosed,
    suppress_mean,
    suppress_rate,
)


@pytest.fixture(autouse=True)
def _empty_log():
    clear_disclosure_log()
    yield
    clear_disclosure_log()


# --------------------------------------------------------------------------- hesa_round

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (1, 0),
        (2, 0),
        (2.4999, 0),  # below 2.5 -> 0
        (2.5, 5),  # half up (round() would give 0: round(0.5) == 0)
        (3, 5),
        (7.5, 10),  # half up (round(1.5) == 2 -> 10 agrees by luck)
        (12.5, 15),  # half up, where round-half-even gives 10
        (13, 15),
        (22.5, 25),
        (1234, 1235),
        (1658, 1660),
        (1341, 1340),
    ],
)
def test_hesa_round_scalars(value, expected):
    result = hesa_round(value)
    assert result == expected
    assert isinstance(result, int)


def test_hesa_round_exact_halves_without_float_error():
    # 2.5 - 4.4e-16: the nearest float below 2.5. floor(x / 5 + 0.5) wrongly gives 5.
    just_below = np.nextafter(2.5, 0)
    assert hesa_round(just_below) == 0
    assert hesa_round(np.array([just_below]))[0] == 0
    assert hesa_round(np.nextafter(2.5, 3)) == 5
    assert hesa_round(Decimal("12.5")) == 15
    assert hesa_round(np.int64(17)) == 15
    assert hesa_round(np.float32(7.5)) == 10


def test_hesa_round_other_base():
    assert hesa_round(15, base=10) == 20  # half up
    assert hesa_round(14, base=10) == 10
    assert hesa_round(1, base=3) == 0
    assert hesa_round(1.5, base=3) == 3


def test_hesa_round_weighted_counts():
    # FTE / weighted counts are rounded as given
    assert hesa_round(2.6) == 5
    assert hesa_round(12.4) == 10
    assert hesa_round(pd.Series([7.49, 7.5])).tolist() == [5.0, 10.0]


def test_hesa_round_series_keeps_index_name_and_missing():
    s = pd.Series([1234.0, np.nan, 17.0, 2.5], index=["White", "Mixed", "Black", "Other"], name="n")
    out = hesa_round(s)
    expected = pd.Series([1235.0, np.nan, 15.0, 5.0], index=s.index, name="n")
    pd.testing.assert_series_equal(out, expected)
    assert s.tolist()[0] == 1234.0  # input unchanged


def test_hesa_round_series_dtypes():
    ints = hesa_round(pd.Series([1, 3, 12], name="k"))
    assert ints.dtype == np.int64 and ints.tolist() == [0, 5, 10]
    nullable = hesa_round(pd.Series([3, None, 8], dtype="Int64"))
    assert nullable.dtype == "Int64"
    assert nullable.isna().tolist() == [False, True, False]
    assert nullable.dropna().tolist() == [5, 10]
    objects = hesa_round(pd.Series([3, None, 8], dtype=object))
    assert objects.tolist() == [5, None, 10]


def test_hesa_round_missing_scalars_and_arrays():
    assert hesa_round(None) is None
    assert hesa_round(pd.NA) is pd.NA
    assert np.isnan(hesa_round(float("nan")))
    out = hesa_round(np.array([1.0, np.nan, 7.5]))
    np.testing.assert_array_equal(out, np.array([0.0, np.nan, 10.0]))
    np.testing.assert_array_equal(hesa_round(np.array([[1, 13], [22, 23]])), np.array([[0, 15], [20, 25]]))
    np.testing.assert_array_equal(hesa_round([2, 3]), np.array([0, 5]))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "cannot be negative"),
        (pd.Series([4, -3], index=["a", "b"]), "found -3 at row 'b'"),
        ("12", "expected a number"),
        (True, "boolean"),
        (float("inf"), "infinite"),
        (pd.Series(["4", "x"]), "'x' at row 1 is not a number"),
        (pd.DataFrame({"n": [1]}), "disclose"),
    ],
)
def test_hesa_round_errors(value, message):
    with pytest.raises(ValueError, match=message):
        hesa_round(value)


def test_hesa_round_bad_base():
    with pytest.raises(ValueError, match="base must be a whole number"):
        hesa_round(5, base=0)
    with pytest.raises(ValueError, match="base must be a whole number"):
        hesa_round(5, base=2.5)


counts_strategy = st.one_of(
    st.integers(min_value=0, max_value=10**12),
    st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False),
)


@given(counts_strategy)
def test_hesa_round_properties(x):
    result = hesa_round(x)
    assert result % 5 == 0
    assert abs(Fraction(result) - Fraction(x)) <= Fraction(5, 2)  # exact arithmetic
    if x < 2.5:
        assert result == 0
    # the vectorised path agrees with the exact scalar path
    assert hesa_round(np.array([x], dtype=float if isinstance(x, float) else np.int64))[0] == result


@given(st.integers(min_value=0, max_value=10**9))
def test_hesa_round_halves_go_up(k):
    assert hesa_round(5 * k + 2.5) == 5 * k + 5
    assert hesa_round(5 * k + 2) == 5 * k
    assert hesa_round(5 * k + 3) == 5 * k + 5


# --------------------------------------------------------------------------- suppress_rate / suppress_mean

def test_suppress_rate_hesa_threshold():
    rate = pd.Series([0.5, 0.5, 0.5], index=["a", "b", "c"], name="rate")
    out = suppress_rate(rate, pd.Series([22, 22.5, 23], index=rate.index), rules=DisclosureRules())
    assert out.tolist() == ["..", 0.5, 0.5]  # 22 < 22.5 suppressed; 22.5 is not "fewer than 22.5"
    assert out.name == "rate" and list(out.index) == ["a", "b", "c"]
    assert suppress_rate(0.81, 21) == ".."
    assert suppress_rate(0.81, 130) == 0.81
    assert suppress_rate(0.5, np.nan) == ".."  # missing denominator: fail safe


def test_suppress_rate_custom_marker_and_threshold():
    rules = DisclosureRules(min_percentage_denominator=50, suppressed_marker="*")
    assert suppress_rate([0.5, 0.5], [49, 50], rules=rules).tolist() == ["*", 0.5]


def test_suppress_rate_mismatched_index():
    with pytest.raises(ValueError, match="different indexes"):
        suppress_rate(pd.Series([0.5], index=["a"]), pd.Series([30], index=["b"]))


def test_suppress_mean_threshold():
    # averages based on 7 or fewer people are suppressed; 8 is shown
    means = pd.Series([3.2, 4.1, 2.9], index=["Black", "Asian", "Mixed"])
    out = suppress_mean(means, pd.Series([7, 8, 1], index=means.index))
    assert out.tolist() == ["..", 4.1, ".."]
    assert suppress_mean(4.1, 8) == 4.1
    assert suppress_mean(4.1, 7) == ".."
    assert suppress_mean(4.1, None) == ".."


def test_suppress_mean_ofs():
    assert suppress_mean([1.0, 1.0, 1.0], [2, 7, 8], style="ofs").tolist() == ["[none]", "[low]", 1.0]


# --------------------------------------------------------------------------- OfS codes

def test_ofs_codes_each_exercised():
    # denominator, numerator -> expected code (precedence: none, low, DPL, DPH)
    cases = [
        (2, 1, "[none]"),  # population of two or fewer
        (2, 0, "[none]"),  # [none] wins over [DPL]
        (0, 0, "[none]"),
        (22, 10, "[low]"),  # denominator under 23
        (10, 1, "[low]"),  # [low] wins over [DPL]
        (30, 2, "[DPL]"),  # numerator two or fewer
        (30, 0, "[DPL]"),
        (30, 28, "[DPH]"),  # 30 - 28 = 2: within two of the denominator
        (30, 30, "[DPH]"),
        (30, 27, None),  # 30 - 27 = 3: shown
        (30, 3, None),
        (23, 12, None),  # 23 is not under 23
    ]
    den = pd.Series([c[0] for c in cases])
    num = pd.Series([c[1] for c in cases])
    rate = num / den.where(den > 0)
    out = suppress_rate(rate, den, numerator=num, style="ofs")
    expected = [code if code is not None else r for (_, _, code), r in zip(cases, rate)]
    assert out.tolist() == expected
    assert set(OFS_CODES.values()) == {"[none]", "[low]", "[DPL]", "[DPH]"}


def test_disclose_ofs_table():
    table = pd.DataFrame({
        "group": ["A", "B", "C", "D", "E"],
        "good": [1, 10, 2, 28, 15],
        "n": [2, 22, 30, 30, 30],
    })
    table["rate"] = table["good"] / table["n"]
    out = disclose(table, counts=["good", "n"], rates={"rate": ("n", "good")}, style="ofs")
    assert out["rate"].tolist() == ["[none]", "[low]", "[DPL]", "[DPH]", "50.0%"]
    assert out["good"].tolist() == [0, 10, 0, 30, 15]  # counts are rounded in OfS style too
    assert out.attrs["disclosure"]["style"] == "ofs"
    assert out.attrs["disclosure"]["suppressed_cells"] == 4


def test_disclose_ofs_from_rules_and_missing_numerator_warns():
    table = pd.DataFrame({"n": [22, 40], "rate": [0.5, 0.5]})
    rules = DisclosureRules(style="ofs")
    with pytest.warns(DisclosureWarning, match="no numerator"):
        out = disclose(table, counts=["n"], rates={"rate": "n"}, rules=rules)
    assert out["rate"].tolist() == ["[low]", "50.0%"]


def test_ofs_low_uses_unrounded_weighted_denominator():
    # FTE 22.6 rounds to 25, but the unrounded 22.6 is under 23: [low]
    table = pd.DataFrame({"fte": [22.6, 23.0], "good": [10.0, 10.0], "rate": [10 / 22.6, 10 / 23]})
    out = disclose(table, counts=["fte", "good"], rates={"rate": ("fte", "good")}, style="ofs")
    assert out["fte"].tolist() == [25, 25]
    assert out["rate"].tolist() == ["[low]", "43.5%"]


# --------------------------------------------------------------------------- disclose: the hand-worked table

@pytest.fixture
def ethnicity_table() -> pd.DataFrame:
    table = pd.DataFrame({
        "group": ["White", "Black", "Asian", "Mixed", "Other"],
        "good": [1234, 17, 88, 2, 0],
        "n": [1500, 21, 130, 6, 1],
    })
    table["rate"] = table["good"] / table["n"]
    return table


def test_disclose_hand_worked_table_with_total(ethnicity_table):
    with_total = add_total(
        ethnicity_table, label_column="group", sum_columns=["good", "n"], rate_columns={"rate": ("good", "n")}
    )
    # total from unrounded values: 1234+17+88+2+0 = 1341 of 1500+21+130+6+1 = 1658
    assert with_total.iloc[-1]["group"] == "Total"
    assert with_total.iloc[-1]["good"] == 1341
    assert with_total.iloc[-1]["n"] == 1658
    assert with_total.iloc[-1]["rate"] == pytest.approx(1341 / 1658)  # 0.80881, not the mean of rates

    shown = disclose(with_total, counts=["good", "n"], rates={"rate": ("n", "good")}, name="good honours")
    assert shown["group"].tolist() == ["White", "Black", "Asian", "Mixed", "Other", "Total"]
    # 1234 -> 1235, 17 -> 15, 88 -> 90, 2 -> 0, 0 -> 0; total 1341 -> 1340
    assert shown["good"].tolist() == [1235, 15, 90, 0, 0, 1340]
    # 1500, 21 -> 20, 130, 6 -> 5, 1 -> 0; total 1658 -> 1660
    assert shown["n"].tolist() == [1500, 20, 130, 5, 0, 1660]
    assert shown["good"].dtype == np.int64 and shown["n"].dtype == np.int64
    # 1234/1500 = 82.27%, 88/130 = 67.69%, 1341/1658 = 80.88%; denominators 21, 6, 1 < 22.5 suppressed
    assert shown["rate"].tolist() == ["82.3%", "..", "67.7%", "..", "..", "80.9%"]
    # the rounded rows do not add up to the rounded total: 1500+20+130+5+0 = 1655, not 1660
    # (for 'good' they happen to: 1235+15+90 = 1340)
    assert shown["n"].iloc[:-1].sum() == 1655 != shown["n"].iloc[-1]
    assert shown.attrs["disclosure"]["suppressed_cells"] == 3
    assert is_disclosed(shown)


def test_disclose_does_not_modify_input(ethnicity_table):
    before = ethnicity_table.copy(deep=True)
    disclose(ethnicity_table, counts=["good", "n"], rates={"rate": ("n", "good")})
    pd.testing.assert_frame_equal(ethnicity_table, before)
    assert ethnicity_table.attrs == {}
    assert not is_disclosed(ethnicity_table)


def test_disclose_leaves_other_columns_untouched(ethnicity_table):
    ethnicity_table["year"] = 2024
    out = disclose(ethnicity_table, counts=["good", "n"], rates={"rate": ("n", "good")})
    pd.testing.assert_series_equal(out["year"], ethnicity_table["year"])
    pd.testing.assert_series_equal(out["group"], ethnicity_table["group"])
    assert out.attrs["disclosure"]["unrounded_columns"] == ["year"]


def test_disclose_percent_false_and_decimals(ethnicity_table):
    out = disclose(ethnicity_table, counts=["good", "n"], rates={"rate": ("n", "good")}, percent=False)
    assert out["rate"].tolist() == [1234 / 1500, "..", 88 / 130, "..", ".."]
    out0 = disclose(ethnicity_table, counts=["good", "n"], rates={"rate": ("n", "good")}, decimals=0)
    assert out0["rate"].tolist() == ["82%", "..", "68%", "..", ".."]


def test_disclose_percent_halves_round_up():
    table = pd.DataFrame({"n": [40, 200], "rate": [0.125, 0.0625]})
    out = disclose(table, counts=["n"], rates={"rate": "n"}, decimals=0)
    assert out["rate"].tolist() == ["13%", "6%"]  # 12.5 -> 13 (format() would give 12); 6.25 -> 6
    out2 = disclose(table, counts=["n"], rates={"rate": "n"}, decimals=2)
    assert out2["rate"].tolist() == ["12.50%", "6.25%"]


def test_disclose_means_suppressed_at_7_shown_at_8():
    table = pd.DataFrame({
        "group": ["Black", "Asian", "White"],
        "mentees": [7, 8, 40],
        "mean_meetings": [4.25, 5.5, 5.1],
    })
    out = disclose(table, counts=["mentees"], means={"mean_meetings": "mentees"})
    assert out["mean_meetings"].tolist() == ["..", 5.5, 5.1]
    assert out["mentees"].tolist() == [5, 10, 40]
    assert out.attrs["disclosure"]["suppressed_by_column"] == {"mean_meetings": 1}


def test_disclose_suppresses_on_unrounded_denominator():
    # With a threshold of 30, a denominator of 28 rounds to 30 but must still be suppressed;
    # with means suppressed at n <= 9, n = 9 rounds to 10 but must still be suppressed.
    rules = DisclosureRules(min_percentage_denominator=30, max_mean_suppressed_n=9)
    table = pd.DataFrame({"n": [28, 30, 9, 10], "rate": [0.5, 0.5, 0.5, 0.5], "score": [1.0, 2.0, 3.0, 4.0]})
    # listing the means/rates before the counts makes no difference
    out = disclose(table, means={"score": "n"}, rates={"rate": "n"}, counts=["n"], rules=rules)
    assert out["n"].tolist() == [30, 30, 10, 10]
    assert out["rate"].tolist() == ["..", "50.0%", "..", ".."]
    assert out["score"].tolist() == [1.0, 2.0, "..", 4.0]


def test_disclose_uses_rules_round_to_and_marker():
    rules = DisclosureRules(round_to=10, suppressed_marker="*")
    table = pd.DataFrame({"n": [15, 14, 30], "rate": [0.2, 0.2, 0.2]})
    out = disclose(table, counts=["n"], rates={"rate": "n"}, rules=rules)
    assert out["n"].tolist() == [20, 10, 30]
    assert out["rate"].tolist() == ["*", "*", "20.0%"]


def test_disclose_missing_counts_become_nullable_integers():
    table = pd.DataFrame({"n": [12.0, np.nan, 3.0]})
    out = disclose(table, counts="n")
    assert out["n"].dtype == "Int64"
    assert out["n"].isna().tolist() == [False, True, False]
    assert out["n"].dropna().tolist() == [10, 5]


def test_disclose_warns_when_denominator_is_shown_unrounded(ethnicity_table):
    with pytest.warns(DisclosureWarning, match="'n' is a denominator"):
        out = disclose(ethnicity_table, counts=["good"], rates={"rate": "n"})
    assert out["n"].tolist() == [1500, 21, 130, 6, 1]  # shown as given, hence the warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        disclose(ethnicity_table, counts=["good", "n"], rates={"rate": ("n", "good")})


# --------------------------------------------------------------------------- disclose: errors

def test_disclose_missing_denominator_column(ethnicity_table):
    with pytest.raises(ValueError, match=r"denominator \(of rate 'rate'\) column 'N' is not in the table"):
        disclose(ethnicity_table, counts=["good"], rates={"rate": "N"})
    with pytest.raises(ValueError, match=r"n \(of mean 'rate'\) column 'people' is not in the table"):
        disclose(ethnicity_table, means={"rate": "people"})


def test_disclose_missing_or_non_numeric_count_column(ethnicity_table):
    with pytest.raises(ValueError, match="count column 'students' is not in the table"):
        disclose(ethnicity_table, counts=["students"])
    with pytest.raises(ValueError, match="count column 'group' must be numeric"):
        disclose(ethnicity_table, counts=["group"])


def test_disclose_negative_count_names_column_and_row():
    table = pd.DataFrame({"n": [5, -2]}, index=["Black", "Asian"])
    with pytest.raises(ValueError, match="count column 'n': counts cannot be negative, found -2 at row 'Asian'"):
        disclose(table, counts=["n"])


def test_disclose_refuses_disclosed_table(ethnicity_table):
    shown = disclose(ethnicity_table, counts=["good", "n"], rates={"rate": ("n", "good")})
    with pytest.raises(ValueError, match="already been through disclose"):
        disclose(shown, counts=["good", "n"])
    with pytest.raises(ValueError, match="already been through disclose"):
        add_total(shown, label_column="group", sum_columns=["good"])


def test_disclose_other_errors(ethnicity_table):
    with pytest.raises(ValueError, match="looks like percentages"):
        disclose(ethnicity_table.assign(rate=ethnicity_table["rate"] * 100), counts=["good", "n"], rates={"rate": "n"})
    with pytest.raises(ValueError, match="exceeds denominator"):
        disclose(ethnicity_table, counts=["good", "n"], rates={"rate": ("good", "n")})  # pair in the wrong order
    with pytest.raises(ValueError, match="listed in both counts and rates"):
        disclose(ethnicity_table, counts=["good", "n", "rate"], rates={"rate": "n"})
    with pytest.raises(ValueError, match="style must be"):
        disclose(ethnicity_table, style="ons")
    with pytest.raises(ValueError, match="decimals"):
        disclose(ethnicity_table, decimals=-1)
    with pytest.raises(ValueError, match="rates must map"):
        disclose(ethnicity_table, rates=["rate"])
    with pytest.raises(ValueError, match="DataFrame"):
        disclose(ethnicity_table["good"], counts=["good"])


# --------------------------------------------------------------------------- log and attrs

def test_log_records_every_call(ethnicity_table):
    assert disclosure_log() == []
    first = disclose(ethnicity_table, counts=["good", "n"], rates={"rate": ("n", "good")}, name="by ethnicity")
    disclose(ethnicity_table[["good"]], counts=["good"])
    log = disclosure_log()
    assert len(log) == 2
    assert log[0]["name"] == "by ethnicity"
    assert log[0]["counts"] == ["good", "n"]
    assert log[0]["rates"] == {"rate": {"denominator": "n", "numerator": "good"}}
    assert log[0]["suppressed_cells"] == 3
    assert log[0]["rules"]["min_percentage_denominator"] == 22.5
    assert log[0]["style"] == "hesa"
    assert log[1]["call"] == log[0]["call"] + 1
    assert log[0] == first.attrs["disclosure"]
    log.clear()  # a copy: the module's log is unaffected
    assert len(disclosure_log()) == 2
    clear_disclosure_log()
    assert disclosure_log() == []


def test_is_disclosed_survives_selection(ethnicity_table):
    shown = disclose(ethnicity_table, counts=["good", "n"], rates={"rate": ("n", "good")})
    assert is_disclosed(shown[["group", "rate"]])
    assert is_disclosed(shown.head(2))
    assert not is_disclosed(ethnicity_table)
    assert not is_disclosed("not a table")


# --------------------------------------------------------------------------- add_total

def test_add_total_rate_from_sums_not_mean_of_rates():
    table = pd.DataFrame({"group": ["A", "B"], "good": [1, 90], "n": [2, 100]})
    table["rate"] = table["good"] / table["n"]
    out = add_total(table, label_column="group", sum_columns=["good", "n"], rate_columns={"rate": ("good", "n")})
    assert out["rate"].iloc[-1] == pytest.approx(91 / 102)  # 0.892, not (0.5 + 0.9) / 2 = 0.7
    assert list(out.index) == [0, 1, 2]
    assert out["good"].dtype == np.int64
    assert len(table) == 2  # input unchanged


def test_add_total_other_columns_missing_and_named_index():
    table = pd.DataFrame({"group": ["A", "B"], "n": [3, 4], "mean_score": [2.0, 3.0]}, index=["a", "b"])
    out = add_total(table, label_column="group", label="All", sum_columns="n")
    assert list(out.index) == ["a", "b", "All"]
    assert out.loc["All", "n"] == 7
    assert np.isnan(out.loc["All", "mean_score"])


def test_add_total_errors():
    table = pd.DataFrame({"group": ["A", "Total"], "n": [3, 4]})
    with pytest.raises(ValueError, match="already has a row labelled 'Total'"):
        add_total(table, label_column="group", sum_columns=["n"])
    with pytest.raises(ValueError, match="sum column 'm' is not in the table"):
        add_total(table, label_column="group", label="All", sum_columns=["m"])
    with pytest.raises(ValueError, match="label column 'grp' is not in the table"):
        add_total(table, label_column="grp", sum_columns=["n"])
    with pytest.raises(ValueError, match=r"\(numerator, denominator\) pair"):
        add_total(table, label_column="group", label="All", sum_columns=["n"], rate_columns={"rate": "n"})


def test_add_total_categorical_label():
    table = pd.DataFrame({"group": pd.Categorical(["A", "B"]), "n": [3, 4]})
    out = add_total(table, label_column="group", sum_columns=["n"])
    assert out["group"].tolist() == ["A", "B", "Total"]


# --------------------------------------------------------------------------- concatenation (issue 12)


def _two_disclosed(**kwargs):
    a = disclose(pd.DataFrame({"group": ["A", "B"], "n": [41, 2]}), counts=["n"], name="first", **kwargs)
    b = disclose(pd.DataFrame({"group": ["C"], "n": [57]}), counts=["n"], name="second", **kwargs)
    return a, b


def test_concat_keeps_one_record_for_the_whole_and_logs_it():
    from rmresearch.disclosure import concat

    a, b = _two_disclosed()
    both = concat([a, b], ignore_index=True)
    assert both["n"].tolist() == [40, 0, 55]
    record = both.attrs["disclosure"]
    assert is_disclosed(both) and record["rows"] == 3 and record["name"] == "first + second"
    assert record["combined_from"] == [a.attrs["disclosure"]["call"], b.attrs["disclosure"]["call"]]
    assert disclosure_log()[-1]["call"] == record["call"]
    assert len(disclosure_log()) == 3


def test_concat_refuses_an_undisclosed_part_and_mixed_rules():
    from rmresearch.disclosure import concat

    a, _ = _two_disclosed()
    with pytest.raises(ValueError, match="table 2 of 2 has not been through disclose"):
        concat([a, pd.DataFrame({"group": ["C"], "n": [57]})])
    b = disclose(pd.DataFrame({"group": ["C"], "n": [57]}), counts=["n"], style="ofs")
    with pytest.raises(ValueError, match="different style"):
        concat([a, b])


def test_show_table_explains_a_pd_concat_of_disclosed_tables():
    from rmresearch.display import DisclosureRequired, format_table

    a, b = _two_disclosed()
    joined = pd.concat([a, b], ignore_index=True)
    assert not is_disclosed(joined)  # pandas drops attrs that differ
    with pytest.raises(DisclosureRequired, match=r"rmresearch\.disclosure\.concat") as refused:
        format_table(joined)
    assert "pandas dropped their disclosure records" in str(refused.value)
    with pytest.raises(DisclosureRequired, match="2 of the 3 rows"):
        format_table(pd.concat([a, pd.DataFrame({"group": ["C"], "n": [57]})], ignore_index=True))
    with pytest.raises(DisclosureRequired, match="has not been through disclosure control"):
        format_table(pd.DataFrame({"group": ["C"], "n": [57]}))


def test_a_table_that_lost_its_record_is_told_apart_by_its_markers():
    from rmresearch.disclosure import undisclosed_message

    table = pd.DataFrame({"group": ["A", "B"], "good": [30, 1], "n": [40, 3]})
    table["rate"] = table["good"] / table["n"]
    shown = disclose(table, counts=["good", "n"], rates={"rate": ("n", "good")})
    rebuilt = pd.DataFrame({"group": shown["group"].str.lower(), "rate": shown["rate"]})
    assert rebuilt["rate"].tolist() == ["75.0%", ".."]
    assert "suppression markers or formatted percentages" in undisclosed_message(rebuilt)
