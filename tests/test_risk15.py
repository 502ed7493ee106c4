"""Re-identification risk (issue 15 item 5): factors, weights, hand-computed scores, the review file's risk and
the gating of exemplar quotes. Every passage here was written for this file."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from rmresearch.anonymise import risk
from rmresearch.anonymise.risk import RiskFactor, RiskModel, combine, passage_factors
from rmresearch.characteristics import load as load_code_list
from rmresearch.coding import exemplar_quotes, held_back_sentence
from rmresearch.coding.segments import segment_documents
from rmresearch.errors import ConfigError

W = {k: w for k, (w, _) in risk.WEIGHTS.items()}

ETHNICITY = SimpleNamespace(name="ethnicity", title="Ethnicity", code_list=load_code_list("ethnicity"),
                            grouping="ofs_group", groups={}, aggregate="BAME")
PEOPLE = pd.DataFrame({
    "participant_id": ["P01", "P02", "P03", "P04", "P05", "P06", "P07"],
    "role": ["senior_leader", "senior_leader", "senior_leader", "staff_partner", "staff_partner", "staff_partner",
             "chaplain"],
    "ethnicity_group": ["Black", "White", "White", "Asian", "Asian", "Unknown", "White"],
})


def _log(rows):
    """A log as anonymise_text writes it (label, pseudonym, raw and output offsets, decision, kind)."""
    cols = ["label", "pseudonym", "start", "end", "out_start", "out_end", "layer", "confidence", "decision", "kind"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)


def test_combine_is_one_minus_the_product_of_complements():
    f = [RiskFactor("a", "ROLE", 0.6, ""), RiskFactor("b", "SPEAKER", 0.25, ""), RiskFactor("c", "WORDS", 0.15, "")]
    assert combine(f) == pytest.approx(1 - 0.4 * 0.75 * 0.85)  # 0.745
    assert combine(f[:1]) == pytest.approx(0.6)
    assert combine([]) == 0.0
    assert combine([RiskFactor("x", "ROLE", 1.0, ""), RiskFactor("y", "ROLE", 0.2, "")]) == 1.0


def test_every_weight_is_a_probability_with_a_reason_description_and_remedy():
    for kind, (weight, why) in risk.WEIGHTS.items():
        assert 0 < weight < 1 and len(why) > 20
        assert kind in risk.DESCRIPTIONS and kind in risk.REMEDIES
    # who speaks and the passage's group words alone stay under the default threshold, unless the passage names
    # the very group in which the speaker is unique
    assert 1 - (1 - W["unique_role"]) * (1 - W["characteristic_words"]) < 0.5
    assert 1 - (1 - W["rare_group"]) * (1 - W["characteristic_words"]) < 0.5


def test_log_rows_give_factors_by_label_kind_and_decision():
    log = _log([
        ("ROLE", "", 10, 24, 10, 24, "indirect", 0.7, "reject", "senior_role"),                 # kept by decision
        ("SPECIAL_CATEGORY", "", 40, 46, 40, 46, "indirect", 0.7, "pending", "religion"),       # kept, undecided
        ("ROLE", "[a senior leader]", 60, 80, 60, 77, "indirect", 0.7, "pending", "senior_role"),  # generalised
        ("ROLE", "[a colleague]", 90, 100, 87, 100, "indirect", 0.7, "accept", "academic_role"),  # plain: nothing
        ("PERSON", "[P03]", 110, 115, 110, 115, "roster", 1.0, "auto", ""),                     # replaced: nothing
        ("PERSON", "", 120, 126, 120, 126, "lexicon", 0.6, "pending", ""),                      # kept, undecided
        ("PERSON", "", 130, 134, 130, 134, "lexicon", 0.6, "reject", ""),                       # not a name
        ("DESCRIPTOR", "", 140, 170, 140, 170, "indirect", 0.7, "reject", "unique"),
        ("UNIT", "", 180, 200, 180, 200, "indirect", 0.7, "reject", "small_unit"),
        ("UNIT", "", 210, 220, 210, 220, "indirect", 0.7, "reject", "faculty"),
    ])
    got = [(f.kind, f.weight, f.decided) for f in passage_factors(log, 0, 300)]
    assert got == [("senior_role_kept", 0.55, True), ("special_category_kept", 0.55, False),
                   ("role_generalised", 0.1, False), ("identifier_kept", 0.55, False), ("descriptor_kept", 0.6, True),
                   ("small_unit_kept", 0.3, True), ("unit_kept", 0.15, True)]
    # only what overlaps the passage (output offsets, end-exclusive)
    assert [f.kind for f in passage_factors(log, 24, 40)] == []
    assert [f.kind for f in passage_factors(log, 23, 41)] == ["senior_role_kept", "special_category_kept"]
    assert "religion" in passage_factors(log, 40, 41)[0].reason and "awaiting review" in passage_factors(log, 40, 41)[0].reason


def test_old_log_without_kind_or_places_still_scores():
    old = pd.DataFrame({"label": ["ROLE", "ROLE"], "pseudonym": ["", ""], "start": [0, 30], "end": [9, 40],
                        "out_start": [0, None], "out_end": [9, None], "decision": ["reject", "reject"]})
    assert [(f.kind, f.weight) for f in passage_factors(old, 0, 50)] == [("role_kept", 0.3)]


def test_speaker_rarity_from_the_participants_table_names_nobody():
    model = RiskModel(PEOPLE, [ETHNICITY])
    assert [f.reason for f in model.speaker("P01")] == [
        "the speaker is the only senior leader in the cohort whose ethnicity is recorded as Black"]
    assert [(f.kind, f.weight) for f in model.speaker("P07")] == [("unique_role", 0.2)]
    assert model.speaker("P02") == [] and model.speaker("P04") == []  # two White leaders; two Asian partners
    assert model.speaker("P06") == []  # an unknown group is no rarity
    assert model.speaker(None) == [] and model.speaker("interviewer") == []
    assert "P01" not in " ".join(f.reason for pid in PEOPLE["participant_id"] for f in model.speaker(pid))


def test_group_words_come_from_the_code_list_and_raise_a_rare_speakers_risk():
    model = RiskModel(PEOPLE, [ETHNICITY])
    empty = _log([])
    text = "As a Caribbean woman on that team I was noticed. We spoke about Asian colleagues. The whiteboard was full."
    own = model.factors(empty, text, 0, 48, "P01")  # 'Caribbean' is a label of the Black group's codes
    assert [(f.kind, f.weight) for f in own] == [("rare_group_named", 0.45)]
    assert combine(own) == pytest.approx(0.45)
    other = model.factors(empty, text, 49, 82, "P01")  # another group named: rarity and words apart
    assert sorted((f.kind, f.weight) for f in other) == [("characteristic_words", 0.15), ("rare_group", 0.25)]
    assert combine(other) == pytest.approx(1 - 0.75 * 0.85)  # 0.3625
    assert model.factors(empty, text, 83, len(text), "P02") == []  # 'whiteboard' names no group
    # a group word inside an identifier the log already scores is not counted twice
    log = _log([("SPECIAL_CATEGORY", "", 5, 14, 5, 14, "indirect", 0.7, "pending", "ethnicity")])
    assert sorted(f.kind for f in model.factors(log, text, 0, 48, "P01")) == ["rare_group", "special_category_kept"]
    # nor are the group words of a characteristic a kept disclosure in the passage already tells of
    assert sorted(f.kind for f in model.factors(log, text, 0, 82, "P02")) == ["special_category_kept"]
    log_health = _log([("SPECIAL_CATEGORY", "", 5, 14, 5, 14, "indirect", 0.7, "pending", "health")])
    assert sorted(f.kind for f in model.factors(log_health, text, 0, 82, "P02")) == [
        "characteristic_words", "special_category_kept"]  # health tells of disability, not of ethnicity


TEXT = ("Interviewer: How did it start?\n"
        "[P01]: The Dean of Sciences asked me, being the only Black woman on the executive.\n"
        "Interviewer: And then?\n"
        "[P07]: My faith matters here, as a Quaker.\n")


def _text_log():
    dean = TEXT.index("Dean of Sciences")
    only = TEXT.index("the only Black woman on the executive")
    quaker = TEXT.index("Quaker")
    # raw offsets shifted by 100 to show that candidate_risk keys by the RAW offsets
    return _log([
        ("ROLE", "", dean + 100, dean + 116, dean, dean + 16, "indirect", 0.7, "pending", "senior_role"),
        ("DESCRIPTOR", "", only + 100, only + 137, only, only + 37, "indirect", 0.7, "reject", "unique"),
        ("SPECIAL_CATEGORY", "", quaker + 100, quaker + 106, quaker, quaker + 6, "indirect", 0.7, "pending", "religion"),
    ])


def test_transcript_risk_per_turn_and_its_summary():
    model = RiskModel(PEOPLE, [ETHNICITY])
    turns = risk.transcript_risk(TEXT, _text_log(), model, document="interview_09")
    assert list(turns["participant_id"]) == [None, "P01", None, "P07"]
    # P01: senior title kept 0.55, unique descriptor 0.6 ('Black' sits inside it: not counted again), rare_group 0.25
    expected = [0.0, 1 - 0.45 * 0.4 * 0.75, 0.0, 1 - 0.45 * 0.8]  # 0.865; P07: religion kept 0.55, unique role 0.2
    assert list(turns["risk"]) == pytest.approx(expected)
    row = risk._summary_row("interview_09", turns, 0.5)
    assert row["turns"] == 4 and row["turns_above"] == 2
    assert row["max_risk"] == pytest.approx(0.865) and row["mean_risk"] == pytest.approx((0.865 + 0.64) / 4)
    assert row["undecided"] == 2  # the pending title and the pending disclosure
    assert row["what_remains"].startswith("a unique descriptor kept (1 turn); a senior or unique job title kept")
    assert "Dean" not in row["what_remains"] and "Black" not in row["what_remains"]


def test_candidate_risk_gives_each_review_row_its_passages_score():
    model = RiskModel(PEOPLE, [ETHNICITY])
    log = _text_log()
    out = risk.candidate_risk(TEXT, log, model, document="interview_09")
    assert list(zip(out["start"], out["end"])) == list(zip(log["start"], log["end"]))
    p01 = round(1 - 0.45 * 0.4 * 0.75, 2)
    assert list(out["risk"]) == [p01, p01, 0.64]
    assert out["risk_reasons"].iloc[0].startswith("a unique descriptor is kept by a reviewer's decision (0.60); "
                                                  "a job title (senior role) is kept, awaiting review (0.55)")
    assert "the only senior leader in the cohort whose ethnicity is recorded as Black (0.25)" in out["risk_reasons"].iloc[0]


@pytest.mark.parametrize("value", [1.5, -0.1, "high", True, None])
def test_the_threshold_is_checked(value):
    cfg = SimpleNamespace(path="cohorts/x.yml", options={"anonymise": {"quote_risk_threshold": value}})
    with pytest.raises(ConfigError, match=r"cohorts/x.yml: options.anonymise.quote_risk_threshold must be a number"):
        risk.quote_risk_threshold(cfg)


def test_the_threshold_defaults_to_one_half():
    assert risk.quote_risk_threshold(SimpleNamespace(options={})) == 0.5
    for value in (0, 0.3, 1):  # 0 holds back any quote in which something remains, 1 none
        assert risk.quote_risk_threshold(SimpleNamespace(options={"anonymise": {"quote_risk_threshold": value}})) == value


# ------------------------------------------------------------------------------------------------ the gate
def _project(tmp_path, decision="pending", excluded=frozenset(), audience="public"):
    """Two anonymised transcripts, their logs, segments and codings: P01's turn keeps a senior title."""
    folder = tmp_path / "anonymised"
    folder.mkdir()
    texts = {
        "interview_01": ("Interviewer: What changed?\n"
                         "[P06]: Nothing I will repeat here, and that is all I will say about it today.\n"
                         "[P01]: The Pro-Vice-Chancellor for Estates listened to me for the first time in years.\n"),
        "interview_02": "Interviewer: What changed?\n[P04]: I was listened to, and I listened back, every month.\n",
    }
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    a = texts["interview_01"].index("Pro-Vice-Chancellor for Estates")
    _log([("ROLE", "", a, a + 31, a, a + 31, "indirect", 0.7, decision, "senior_role")]).to_csv(
        folder / "interview_01.log.csv", index=False)
    _log([]).to_csv(folder / "interview_02.log.csv", index=False)
    stored = dict(texts)
    if excluded:
        from rmresearch.consent import withhold_turns

        texts = {d: withhold_turns(t, excluded).text for d, t in texts.items()}
    ids = set(PEOPLE["participant_id"])
    segments = segment_documents(texts, participant_ids=ids)
    spoken = segments.loc[segments["participant_id"].isin(["P01", "P04"])]
    codings = pd.DataFrame({"document": spoken["document"], "start": spoken["start"], "end": spoken["end"],
                            "code": "being_heard", "coder": "A"})
    data = SimpleNamespace(texts=texts, segments=segments, excluded=frozenset(excluded))
    cfg = SimpleNamespace(outputs={"anonymised": folder}, options={}, disclosure=SimpleNamespace(audience=audience))
    people = PEOPLE.loc[~PEOPLE["participant_id"].isin(excluded)]
    return cfg, data, codings, people, stored


def test_a_quote_above_the_threshold_is_held_back_until_reviewed(tmp_path):
    cfg, data, codings, people, _ = _project(tmp_path)
    # P01: a senior title kept awaiting review (0.55) and the only Black senior leader (0.25): 0.6625
    gate = risk.quote_gate(cfg, data, model=RiskModel(PEOPLE, [ETHNICITY]))
    ungated = exemplar_quotes(codings, data.segments, people, per_code=1)
    assert list(ungated["participant_id"]) == ["P01"]  # the longest, closest to 160 characters
    quotes = exemplar_quotes(codings, data.segments, people, per_code=1, gate=gate)
    assert list(quotes["participant_id"]) == ["P04"]  # the next quote of the theme takes its place
    assert quotes.attrs["held_back"] == 1 and quotes.attrs["held_for_good"] == 0
    scored = gate(data.segments.loc[data.segments["participant_id"] == "P01"])
    assert scored["risk"].iloc[0] == pytest.approx(1 - 0.45 * 0.75)
    sentence = held_back_sentence(quotes)
    assert sentence.startswith("1 quote was held back until reviewed: its re-identification risk is above 0.5 "
                               "(what remains in it: a senior or unique job title kept; the speaker is unique in "
                               "their role and group).")
    assert "Pro-Vice" not in sentence and "P01" not in sentence


def test_a_reviewed_quote_may_be_quoted(tmp_path):
    cfg, data, codings, people, _ = _project(tmp_path, decision="reject")  # the reviewer kept the title on purpose
    gate = risk.quote_gate(cfg, data, model=RiskModel(PEOPLE, [ETHNICITY]))
    quotes = exemplar_quotes(codings, data.segments, people, per_code=1, gate=gate)
    assert list(quotes["participant_id"]) == ["P01"] and quotes.attrs["held_back"] == 0
    assert held_back_sentence(quotes) == ""


def test_an_internal_report_quotes_it_and_says_a_public_one_would_not(tmp_path):
    cfg, data, codings, people, _ = _project(tmp_path, audience="internal")
    gate = risk.quote_gate(cfg, data, model=RiskModel(PEOPLE, [ETHNICITY]))
    quotes = exemplar_quotes(codings, data.segments, people, per_code=1, gate=gate)
    assert list(quotes["participant_id"]) == ["P01"]
    assert held_back_sentence(quotes) == ("1 of the quotes shown has a re-identification risk above 0.5: a public "
                                          "report holds such quotes back until every identifier in them is reviewed.")


def test_quotes_after_a_withheld_turn_are_scored_at_their_place_in_the_stored_text(tmp_path):
    cfg, data, codings, people, stored = _project(tmp_path, excluded={"P06"})
    gate = risk.quote_gate(cfg, data, model=RiskModel(PEOPLE, [ETHNICITY]))
    seg = data.segments.loc[data.segments["participant_id"] == "P01"].iloc[0]
    document, a, b = gate.place(seg["segment_id"])
    assert stored[document][a:b] == data.texts[document][seg["start"]:seg["end"]]
    assert a != seg["start"]  # the withheld turn was shorter than the marker or longer: the offsets moved
    assert gate(data.segments.loc[[seg.name]])["held"].iloc[0]


def test_a_quote_whose_risk_no_review_can_lower_is_held_for_good(tmp_path):
    cfg, data, codings, people, _ = _project(tmp_path, decision="accept")
    folder = cfg.outputs["anonymised"]
    text = (folder / "interview_01.txt").read_text()
    text = text.replace("The Pro-Vice-Chancellor for Estates", "Being Caribbean, the leader ")
    (folder / "interview_01.txt").write_text(text)
    _log([]).to_csv(folder / "interview_01.log.csv", index=False)
    data.texts["interview_01"] = text
    data.segments = segment_documents(data.texts, participant_ids=set(PEOPLE["participant_id"]))
    spoken = data.segments.loc[data.segments["participant_id"].isin(["P01", "P04"])]
    codings = pd.DataFrame({"document": spoken["document"], "start": spoken["start"], "end": spoken["end"],
                            "code": "being_heard", "coder": "A"})
    people2 = PEOPLE.assign(role=lambda d: d["role"].where(d["participant_id"] != "P01", "provost"))
    gate = risk.quote_gate(cfg, data, model=RiskModel(people2, [ETHNICITY]))
    scored = gate(data.segments.loc[data.segments["participant_id"] == "P01"])
    # a role held by one person (0.2): within it the group is no rarity, so the word counts as a group word (0.15)
    assert scored["risk"].iloc[0] == pytest.approx(1 - 0.8 * 0.85)
    # as the only Black senior leader, P01 names that group (0.45): above a threshold of 0.4, with nothing to review
    gate = risk.quote_gate(cfg, data, model=RiskModel(PEOPLE, [ETHNICITY], threshold=0.4))
    quotes = exemplar_quotes(codings, data.segments, people, per_code=1, gate=gate)
    assert quotes.attrs["held_back"] == 1 and quotes.attrs["held_for_good"] == 1
    assert "It cannot be cleared by review" in held_back_sentence(quotes)


def test_the_report_table_and_explanation_hold_no_words_of_the_passages():
    model = RiskModel(PEOPLE, [ETHNICITY])
    turns = risk.transcript_risk(TEXT, _text_log(), model, document="interview_09")
    summary = pd.DataFrame([risk._summary_row("interview_09", turns, 0.5)])
    table = risk.risk_table(summary)
    assert list(table.columns) == ["transcript", "turns", "turns above threshold", "highest risk", "mean risk",
                                   "risk items awaiting review", "what remains"]
    assert table.iloc[0, 1:6].tolist() == [4, 2, 0.86, 0.38, 2]  # 0.865 and 1.505 / 4 to 2 places
    text = risk.explain_risk(summary, 0.5)
    assert text.startswith("A turn's risk is 1 − the product of (1 − weight)") and "1 of 1 transcript has a turn above 0.5" in text
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert [b.split("**")[1] for b in bullets] == [
        "A unique descriptor kept", "A senior or unique job title kept", "A special-category disclosure kept",
        "The speaker is unique in their role and group", "The speaker's role is held by one person"]
    for word in ("Dean", "Sciences", "Quaker", "Black", "P01", "P07"):
        assert word not in text and word not in table.to_string()
