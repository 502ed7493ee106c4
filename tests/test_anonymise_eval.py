"""Detection quality on the hand-written gold passages and the demo's ground truth.

The held-out passages use names that appear in no list the detector uses (checked
below); the thresholds are the issue's targets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rmresearch.anonymise import Detector, DetectorOptions, Roster
from rmresearch.anonymise.detectors import tokenize
from rmresearch.anonymise.evaluate import detect_records, evaluate_records, leak_rate, recall_by_origin
from rmresearch.anonymise.lexicon import get_lexicon

DATA = Path(__file__).parent / "data" / "anonymise"
IDS = {"staff_number": r"\bS\d{6}\b", "student_number": r"\b2\d{8}\b"}
PATTERN_LABELS = ("EMAIL", "PHONE", "URL", "POSTCODE", "HANDLE", "STAFF_ID", "STUDENT_ID")


def gold(split: str) -> list[dict]:
    records = [json.loads(line) for line in (DATA / "dev_gold.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r for r in records if r["meta"]["split"] == split]


def token(scores, label, column):
    return float(scores.loc[(scores["label"] == label) & (scores["level"] == "token"), column].iloc[0])


def test_gold_file_is_well_formed_and_varied():
    records = gold("dev") + gold("heldout")
    assert len(records) >= 40
    origins = set()
    for r in records:
        for s, e, label in r["label"]:
            assert 0 <= s < e <= len(r["text"]) and r["text"][s:e] == r["text"][s:e].strip()
        origins |= {s["origin"] for s in r["meta"]["spans"] if s["label"] == "PERSON"}
    assert {"african", "caribbean", "south_asian", "east_asian", "arabic", "british", "irish", "eastern_european"} <= origins
    assert any(r["text"] == r["text"].lower() for r in records)  # caption-style passages
    assert any(s[2] == "LOCATION" for r in records for s in r["label"])  # buildings named after people


def test_heldout_names_are_in_no_list_the_detector_uses():
    lex = get_lexicon()
    roster = Roster.from_csv(DATA / "dev_roster.csv")
    roster_tokens = roster.all_tokens()
    particles = {"ní", "ó", "mac", "al"}
    for r in gold("heldout"):
        for s, e, label in r["label"]:
            if label != "PERSON":
                continue
            for t in tokenize(r["text"][s:e]):
                word = t.text
                parts = [word, *word.split("-")]
                parts = [p for p in parts if p and p.casefold() not in particles]
                assert not any(lex.is_name(p) or lex.is_word(p) or p.casefold() in roster_tokens for p in parts), (word, r["id"])


@pytest.mark.parametrize("with_roster", [True, False], ids=["roster", "no-roster"])
def test_targets_on_heldout(with_roster):
    records = gold("heldout")
    roster = Roster.from_csv(DATA / "dev_roster.csv") if with_roster else None
    pred = detect_records(records, Detector(roster, options=DetectorOptions(identifiers=IDS)))
    scores = evaluate_records(records, pred)
    assert token(scores, "PERSON", "recall") >= (0.98 if with_roster else 0.90)
    assert token(scores, "PERSON", "precision") >= 0.85
    for label in set(PATTERN_LABELS) & set(scores["label"]):
        assert token(scores, label, "recall") == 1.0, label
    by_origin = recall_by_origin(records, pred)
    assert by_origin["recall"].max() - by_origin["recall"].min() <= 0.03
    assert leak_rate(records, pred) <= (0.02 if with_roster else 0.10)


def test_targets_on_dev_with_roster():
    records = gold("dev")
    pred = detect_records(records, Detector(Roster.from_csv(DATA / "dev_roster.csv"), options=DetectorOptions(identifiers=IDS)))
    scores = evaluate_records(records, pred)
    assert token(scores, "PERSON", "recall") >= 0.98 and token(scores, "PERSON", "precision") >= 0.85
    for label in PATTERN_LABELS:
        assert token(scores, label, "recall") == 1.0, label


@pytest.mark.parametrize("with_roster", [True, False], ids=["roster", "no-roster"])
def test_targets_on_demo_ground_truth(demo_project, with_roster):
    records = [json.loads(line) for line in
               (demo_project / "data/demo/ground_truth/identifiers.jsonl").read_text(encoding="utf-8").splitlines()]
    roster = Roster.from_csv(demo_project / "data/demo/participants.csv") if with_roster else None
    options = DetectorOptions(identifiers=IDS, allow=DetectorOptions().allow + ("University of Anytown", "Anytown"))
    pred = detect_records(records, Detector(roster, options=options))
    scores = evaluate_records(records, pred)
    assert token(scores, "PERSON", "recall") >= (0.98 if with_roster else 0.90)
    assert token(scores, "PERSON", "precision") >= 0.85
    for label in set(PATTERN_LABELS) & set(scores["label"]):
        assert token(scores, label, "recall") == 1.0, label
    by_origin = recall_by_origin(records, pred)
    assert len(by_origin) >= 5
    assert by_origin["recall"].max() - by_origin["recall"].min() <= 0.03


def test_evaluation_arithmetic_by_hand():
    # Gold: one 2-token PERSON, one EMAIL. Prediction: first token only, plus a false PERSON.
    text = "Ask Kwame Mensah or Bob at k@x.org"
    g = [{"text": text, "label": [[4, 16, "PERSON"], [27, 34, "EMAIL"]]}]
    p = [{"text": text, "label": [[4, 9, "PERSON"], [20, 23, "PERSON"], [27, 34, "EMAIL"]]}]
    scores = evaluate_records(g, p)
    # tokens: Kwame (tp), Mensah (fn), Bob (fp) -> P = 1/2, R = 1/2
    assert token(scores, "PERSON", "precision") == 0.5 and token(scores, "PERSON", "recall") == 0.5
    entity = scores[(scores["label"] == "PERSON") & (scores["level"] == "entity")].iloc[0]
    assert (entity.tp, entity.fp, entity.fn) == (0, 2, 1)
    # gold identifier tokens: Kwame, Mensah, k, x, org -> only Mensah leaks
    assert leak_rate(g, p) == pytest.approx(1 / 5)
