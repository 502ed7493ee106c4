"""Agreement statistics pinned to published values and hand-worked examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rmresearch.coding import alpha_by_code, coding_comparison, cohen_kappa, krippendorff_alpha, reliability_matrix
from rmresearch.coding.agreement import _alpha_2x2

nan = np.nan

# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability, section C
# ("nominal data, any number of observers, missing data"): observers A-D x units 1-12,
# "." = missing. Published: nominal .743, ordinal .815, interval .849, ratio .797.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],  # observer A
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],  # observer B
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],  # observer C
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],  # observer D
]


@pytest.mark.parametrize(
    "level, published",
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_four_observers(level, published):
    assert krippendorff_alpha(KRIPPENDORFF_2011, level) == pytest.approx(published, abs=5e-4)


def test_krippendorff_accepts_dataframe_labels_and_value_domain():
    frame = pd.DataFrame(KRIPPENDORFF_2011, index=list("ABCD"))
    assert krippendorff_alpha(frame, level="nominal") == pytest.approx(0.743, abs=5e-4)
    # nominal labels: recoding the numbers as words cannot change nominal alpha
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
    labelled = [[words.get(v) if v == v else None for v in row] for row in KRIPPENDORFF_2011]
    assert krippendorff_alpha(labelled, "nominal") == pytest.approx(0.743, abs=5e-4)
    # ordinal labels with their order give the ordinal value
    order = ["one", "two", "three", "four", "five"]
    assert krippendorff_alpha(labelled, "ordinal", value_domain=order) == pytest.approx(0.815, abs=5e-4)
    with pytest.raises(ValueError, match="value_domain"):
        krippendorff_alpha(labelled, "ordinal")
    with pytest.raises(ValueError, match="level of measurement"):
        krippendorff_alpha(KRIPPENDORFF_2011, "nominals")
    with pytest.raises(ValueError, match="at least two coders"):
        krippendorff_alpha([KRIPPENDORFF_2011[0]], "nominal")


def test_cohen_kappa_textbook_fifty_proposals():
    # Two reviewers, 50 proposals: 20 both yes, 15 both no, 5 A-yes/B-no, 10 A-no/B-yes.
    # p_o = 35/50 = 0.70; p_e = (25*30 + 25*20)/50^2 = 0.50; kappa = (0.70-0.50)/(1-0.50) = 0.40.
    a = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    row = cohen_kappa(a, b).iloc[0]
    assert row["kappa"] == pytest.approx(0.40)
    assert row["agreement"] == pytest.approx(0.70)
    assert row["chance_agreement"] == pytest.approx(0.50)
    assert row["n"] == 50
    assert row["ci_low"] < 0.40 < row["ci_high"]


def test_cohen_kappa_leaves_out_missing_instead_of_counting_it_as_a_category():
    a = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15 + [None] * 6
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15 + ["no", "yes", nan, "no", "no", "yes"]
    row = cohen_kappa(a, b).iloc[0]
    assert row["n"] == 50
    assert row["kappa"] == pytest.approx(0.40)


def test_cohen_kappa_undefined_and_errors():
    assert np.isnan(cohen_kappa(["x"] * 5, ["x"] * 5)["kappa"].iloc[0])
    with pytest.raises(ValueError, match="one label per unit"):
        cohen_kappa([1, 2], [1])
    with pytest.raises(ValueError, match="both coders"):
        cohen_kappa([None, 1], [2, None])


@pytest.mark.parametrize("counts", [(20, 5, 10, 15), (3, 0, 1, 40), (0, 2, 3, 10), (7, 7, 7, 7)])
def test_closed_form_binary_alpha_matches_krippendorff_package(counts):
    both, a_only, b_only, neither = counts
    a = [1] * both + [1] * a_only + [0] * b_only + [0] * neither
    b = [1] * both + [0] * a_only + [1] * b_only + [0] * neither
    assert _alpha_2x2(*counts) == pytest.approx(krippendorff_alpha([a, b], "nominal"))


def _units():
    # Two documents, four turns each; turn spans are 10 characters with a gap of 2.
    rows = []
    for doc in ("d1", "d2"):
        for k in range(4):
            rows.append({"segment_id": f"{doc}#t{k + 1:03d}", "document": doc, "start": 12 * k, "end": 12 * k + 10,
                         "participant_id": "P01"})
    return pd.DataFrame(rows)


def _coding(coder, seg, code, segments):
    r = segments.set_index("segment_id").loc[seg]
    return {"document": r["document"], "segment_id": seg, "start": r["start"], "end": r["end"], "code": code, "coder": coder}


def test_coding_comparison_by_segment_hand_worked():
    segs = _units()
    cod = pd.DataFrame([
        _coding("A", "d1#t001", "x", segs), _coding("B", "d1#t001", "x", segs),   # both
        _coding("A", "d1#t002", "x", segs),                                        # A not B
        _coding("B", "d2#t003", "x", segs), _coding("A", "d2#t004", "y", segs),    # B not A; y only A
        _coding("B", "d2#t001", "y", segs),
    ])
    table = coding_comparison(cod, segs)
    pooled = table.loc[(table["document"] == "(all sources)") & (table["code"] == "x")].iloc[0]
    # 8 units: both 1, A-only 1, B-only 1, neither 5 -> agreement 6/8 = 75%;
    # p_o = .75, p_e = (2*2 + 6*6)/64 = .625 -> kappa = (.75 - .625)/(.375) = 1/3
    assert (pooled["units"], pooled["a_and_b"], pooled["a_not_b"], pooled["b_not_a"], pooled["neither"]) == (8, 1, 1, 1, 5)
    assert pooled["agreement_pct"] == pytest.approx(75.0)
    assert pooled["kappa"] == pytest.approx(1 / 3)
    assert (pooled["units_a"], pooled["units_b"]) == (2, 2)
    d1 = table.loc[(table["document"] == "d1") & (table["code"] == "x")].iloc[0]
    assert (d1["a_and_b"], d1["a_not_b"], d1["b_not_a"], d1["neither"]) == (1, 1, 0, 2)
    # y: A codes d2#t004, B codes d2#t001 -> no overlap at all -> kappa below zero
    y = table.loc[(table["document"] == "(all sources)") & (table["code"] == "y")].iloc[0]
    assert (y["a_and_b"], y["a_not_b"], y["b_not_a"], y["neither"]) == (0, 1, 1, 6)
    assert y["kappa"] < 0


def test_coding_comparison_by_character_hand_worked():
    texts = {"d1": "x" * 100}
    cod = pd.DataFrame([
        {"document": "d1", "start": 0, "end": 40, "code": "c", "coder": "A"},
        {"document": "d1", "start": 20, "end": 60, "code": "c", "coder": "B"},
        {"document": "d1", "start": 50, "end": 55, "code": "c", "coder": "B"},  # inside B's own span: no double count
    ])
    row = coding_comparison(cod, texts=texts, unit="character").query("document == 'd1'").iloc[0]
    # A: 0-40, B: 20-60 -> both 20, A only 20, B only 20, neither 40 -> agreement 60%;
    # p_e = (.4*.4 + .6*.6) = .52 -> kappa = (.6 - .52)/.48 = 1/6
    assert (row["a_and_b"], row["a_not_b"], row["b_not_a"], row["neither"]) == (20, 20, 20, 40)
    assert row["agreement_pct"] == pytest.approx(60.0)
    assert row["kappa"] == pytest.approx(1 / 6)


def test_documents_a_coder_did_not_code_are_missing_not_zero():
    segs = _units()
    cod = pd.DataFrame([
        _coding("A", "d1#t001", "x", segs), _coding("B", "d1#t001", "x", segs),
        _coding("A", "d2#t001", "x", segs),  # B never coded d2
    ])
    pooled = coding_comparison(cod, segs).query("document == '(all sources)'").iloc[0]
    assert pooled["units"] == 4  # only d1 compared
    assert pooled["kappa"] == pytest.approx(1.0)
    matrix = reliability_matrix(cod, segs, "x")
    assert matrix.loc["B"].isna().sum() == 4 and matrix.loc["A"].isna().sum() == 0
    alpha = alpha_by_code(cod, segs).iloc[0]
    assert alpha["units"] == 4 and alpha["alpha"] == pytest.approx(1.0)


def test_coding_comparison_needs_two_coders():
    segs = _units()
    cod = pd.DataFrame([_coding("A", "d1#t001", "x", segs)])
    with pytest.raises(ValueError, match="at least two coders"):
        coding_comparison(cod, segs)
    with pytest.raises(ValueError, match="needs texts"):
        coding_comparison(cod, unit="character")


def test_low_agreement_sentence_names_undefined_kappas_instead_of_saying_none():
    from rmresearch.coding import cohen_kappa, low_agreement_sentence

    # neither coder applied "Accountability" to any turn: kappa is undefined, not fine
    undefined = cohen_kappa([0] * 8, [0] * 8)["kappa"].iloc[0]
    table = pd.DataFrame({"theme": ["Sponsorship", "Accountability"], "kappa": [0.9, undefined]})
    text = low_agreement_sentence(table)
    assert text.startswith("No theme with a defined kappa is below 0.67. Kappa is undefined for Accountability:")
    assert "none" not in text
    table.loc[0, "kappa"] = 0.5
    assert low_agreement_sentence(table).startswith("Themes to discuss and refine in the codebook (kappa below 0.67): Sponsorship.")
    assert low_agreement_sentence(table.iloc[:1].assign(kappa=0.8)) == "No theme has a kappa below 0.67."


def _interview_units():
    # One interview, four turns: the interviewer asks (t001, t003), the interviewee P07 answers (t002, t004).
    from rmresearch.coding import segment_document

    return segment_document("[PERSON_1]: How did it start?\nP07: Over coffee, really.\n"
                            "[PERSON_1]: And then?\nP07: We kept meeting every month.", document="d")


def test_agreement_uses_interviewees_units_only_hand_worked():
    segs = _interview_units()
    cod = pd.DataFrame([_coding("A", "d#t002", "x", segs), _coding("B", "d#t002", "x", segs),
                        _coding("A", "d#t004", "x", segs)])
    included = coding_comparison(cod, segs, speakers="all").query("document == '(all sources)'").iloc[0]
    # all 4 turns: both 1, A only 1, neither 2 -> agreement 3/4 = 75%; p_e = .5*.25 + .5*.75 = .5 -> kappa .5;
    # alpha = 1 - (n - 1) d / (n0 n1) with n = 8, d = 1, n1 = 3, n0 = 5 -> 1 - 7/15 = 8/15
    assert (included["units"], included["a_and_b"], included["a_not_b"], included["neither"]) == (4, 1, 1, 2)
    assert included["agreement_pct"] == pytest.approx(75.0)
    assert included["kappa"] == pytest.approx(0.5)
    assert included["alpha"] == pytest.approx(8 / 15)
    excluded = coding_comparison(cod, segs).query("document == '(all sources)'").iloc[0]
    # the interviewee's 2 turns: both 1, A only 1, neither 0 -> agreement 50%; p_e = 1*.5 + 0*.5 = .5 -> kappa 0;
    # alpha: n = 4, d = 1, n1 = 3, n0 = 1 -> 1 - 3/3 = 0
    assert (excluded["units"], excluded["a_and_b"], excluded["a_not_b"], excluded["neither"]) == (2, 1, 1, 0)
    assert excluded["agreement_pct"] == pytest.approx(50.0)
    assert excluded["kappa"] == pytest.approx(0.0)
    assert excluded["alpha"] == pytest.approx(0.0)
    assert alpha_by_code(cod, segs).iloc[0]["units"] == 2 and alpha_by_code(cod, segs, speakers="all").iloc[0]["units"] == 4
    assert alpha_by_code(cod, segs).iloc[0]["alpha"] == pytest.approx(0.0)
    assert list(reliability_matrix(cod, segs, "x").columns) == ["d#t002", "d#t004"]


def test_character_agreement_counts_only_interviewees_characters():
    segs = _interview_units()
    texts = {"d": "[PERSON_1]: How did it start?\nP07: Over coffee, really.\n[PERSON_1]: And then?\nP07: We kept meeting every month."}
    t2, t4 = segs.set_index("segment_id").loc["d#t002"], segs.set_index("segment_id").loc["d#t004"]
    cod = pd.DataFrame([
        {"document": "d", "start": int(t2["start"]), "end": int(t2["end"]), "code": "x", "coder": "A"},
        {"document": "d", "start": int(t2["start"]), "end": int(t2["end"]), "code": "x", "coder": "B"},
        {"document": "d", "start": int(t4["start"]), "end": int(t4["end"]), "code": "x", "coder": "A"},
    ])
    spoken = int(t2["end"] - t2["start"] + t4["end"] - t4["start"])  # 20 + 28 characters
    row = coding_comparison(cod, segs, texts=texts, unit="character").query("document == 'd'").iloc[0]
    assert (row["units"], row["a_and_b"], row["a_not_b"], row["neither"]) == (spoken, 20, 28, 0)
    every = coding_comparison(cod, texts=texts, unit="character").query("document == 'd'").iloc[0]
    assert every["units"] == len(texts["d"]) and every["neither"] == len(texts["d"]) - 48
