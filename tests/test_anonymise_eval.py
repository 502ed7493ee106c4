"""Detection quality on the hand-written gold passages (tests/data/anonymise/dev_gold.jsonl, built by
build_dev_gold.py) and the demo's ground truth, and the scoring arithmetic by hand.

The held-out and nolist passages use names that appear in no list the detector uses (checked below). The floors
on the figures are set just below what the detector reached on the tree of issue 15 (so a regression fails);
the issue's targets, on an independent held-out set, are higher and are named beside each floor.
Issue 15 targets: PERSON token recall >= 0.98 with a roster and >= 0.95 without, PERSON precision >= 0.90, no name
origin below 0.95, each of EMAIL, PHONE, URL, ID and POSTCODE >= 0.95 including spoken forms, role-type indirect
identifiers >= 0.80 flagged.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from rmresearch.anonymise import Detector, DetectorOptions, Roster
from rmresearch.anonymise.detectors import tokenize
from rmresearch.anonymise.evaluate import (detect_records, evaluate_records, leak_rate, normalise_label,
                                           recall_by_origin, scores_by)
from rmresearch.anonymise.lexicon import get_lexicon
from rmresearch.anonymise.spans import Span

DATA = Path(__file__).parent / "data" / "anonymise"
IDS = {"staff_number": r"\bS\d{6}\b", "student_number": r"\b2\d{8}\b"}
PATTERN_LABELS = ("EMAIL", "PHONE", "URL", "POSTCODE", "HANDLE", "ID")
SHAPES = ("prose", "speaker_turns", "teams", "zoom", "otter", "captions", "diarised", "heading")
KINDS = ("names", "wordnames", "honorifics", "initials", "nonnames", "speakers", "numbers", "roles", "units",
         "descriptors", "special", "locations")


@lru_cache(maxsize=None)
def all_gold() -> tuple[dict, ...]:
    return tuple(json.loads(line) for line in (DATA / "dev_gold.jsonl").read_text(encoding="utf-8").splitlines())


def gold(split: str) -> list[dict]:
    return [r for r in all_gold() if r["meta"]["split"] == split]


@lru_cache(maxsize=None)
def predictions(with_roster: bool) -> tuple[dict, ...]:
    """Detections on every gold passage, as `rmresearch anonymise evaluate` makes them (default options)."""
    roster = Roster.from_csv(DATA / "dev_roster.csv") if with_roster else None
    return tuple(detect_records(list(all_gold()), Detector(roster)))


def split_pairs(split: str, with_roster: bool) -> tuple[list[dict], list[dict]]:
    idx = [i for i, r in enumerate(all_gold()) if split == "all" or r["meta"]["split"] == split]
    return [all_gold()[i] for i in idx], [predictions(with_roster)[i] for i in idx]


def token(scores, label, column):
    return float(scores.loc[(scores["label"] == label) & (scores["level"] == "token"), column].iloc[0])


def flagged(scores, label):
    return float(scores.loc[(scores["label"] == label) & (scores["level"] == "flagged"), "recall"].iloc[0])


def test_gold_file_is_well_formed_and_varied():
    records = all_gold()
    assert len(records) >= 550
    assert len({r["id"] for r in records}) == len(records)
    splits = Counter(r["meta"]["split"] for r in records)
    assert splits["dev"] >= 170 and splits["heldout"] >= 165 and splits["nolist"] >= 50 and splits["fresh"] >= 150
    # The first passages keep their ids and texts.
    by_id = {r["id"]: r for r in records}
    assert by_id["dev-01"]["text"].startswith("Interviewer: How did you first meet Adaeze?")
    assert by_id["heldout-25"]["text"].startswith("Tasnuva Chowdhuree-Shikdar and Sunil Tharakan")
    origins, labels = Counter(), Counter()
    for r in records:
        assert r["meta"]["shape"] in SHAPES and r["meta"]["kind"] in KINDS, r["id"]
        last = 0
        for s, e, label in sorted(r["label"]):
            assert 0 <= s < e <= len(r["text"]) and r["text"][s:e] == r["text"][s:e].strip(), r["id"]
            assert s >= last, r["id"]  # spans do not overlap
            last = e
            labels[normalise_label(label)] += 1
        rich = {(x["start"], x["end"]): x for x in r["meta"]["spans"]}
        assert set(rich) == {(s, e) for s, e, _ in r["label"]}
        for x in rich.values():
            if x["label"] == "PERSON":
                assert x.get("origin"), r["id"]
                origins[x["origin"]] += 1
        if r["meta"]["kind"] == "nonnames":
            assert not any(label == "PERSON" for _, _, label in r["label"]), r["id"]
    assert len(origins) >= 30
    assert {"welsh", "scottish", "caribbean", "west_african", "east_african", "southern_african", "somali", "hausa",
            "south_asian", "chinese", "japanese", "korean", "vietnamese", "filipino", "arabic", "turkish", "persian",
            "kurdish", "eastern_european", "greek", "jewish", "nordic", "latin_american"} <= set(origins)
    shapes = Counter(r["meta"]["shape"] for r in records)
    assert all(shapes[s] >= 6 for s in SHAPES), shapes
    kinds = Counter(r["meta"]["kind"] for r in records)
    assert all(kinds[k] >= 4 for k in KINDS) and kinds["nonnames"] >= 40 and kinds["numbers"] >= 45, kinds
    assert labels["PERSON"] >= 420 and labels["PHONE"] >= 25 and labels["EMAIL"] >= 10 and labels["ID"] >= 12
    assert labels["POSTCODE"] >= 6 and labels["URL"] >= 5 and labels["HANDLE"] >= 2
    assert labels["ROLE"] >= 25 and labels["UNIT"] >= 8 and labels["DESCRIPTOR"] >= 9 and labels["SPECIAL_CATEGORY"] >= 15
    # Spoken forms: numbers and e-mails said in words.
    spoken = [r["text"][s:e] for r in records for s, e, label in r["label"] if label in ("PHONE", "EMAIL")]
    assert sum(" oh " in f" {x} " or "double" in x for x in spoken) >= 4 and sum(" dot " in x for x in spoken) >= 4
    assert sum(r["text"] == r["text"].lower() for r in records) >= 25  # lower-case captions


@pytest.mark.parametrize("split", ["heldout", "nolist"])
def test_heldout_and_nolist_names_are_in_no_list_the_detector_uses(split):
    lex = get_lexicon()
    roster_tokens = Roster.from_csv(DATA / "dev_roster.csv").all_tokens()
    particles = {"ní", "ó", "mac", "al"}
    for r in gold(split):
        for s, e, label in r["label"]:
            if label != "PERSON":
                continue
            for t in tokenize(r["text"][s:e]):
                parts = [p for p in (t.text, *t.text.split("-")) if p and p.casefold() not in particles]
                assert not any(lex.is_name(p) or lex.is_word(p) or p.casefold() in roster_tokens for p in parts), (
                    t.text, r["id"])


# Floors: just below the figures reached on the issue-15 tree at its close (see the module docstring for the
# targets). The dev, heldout and nolist passages were visible while the detector was improved; the fresh ones were
# written afterwards and are the honest figure (names there may be in the lists; no list check).
FLOORS = {
    # split, roster: PERSON recall, PERSON precision, lowest origin, leak rate ceiling
    ("heldout", True): (0.99, 0.94, 0.95, 0.01),   # targets 0.98 / 0.90 / 0.95
    ("heldout", False): (0.99, 0.94, 0.95, 0.01),  # targets 0.95 / 0.90 / 0.95
    ("nolist", False): (0.98, 0.92, 0.85, 0.01),
    ("fresh", True): (0.96, 0.90, 0.35, 0.03),     # targets 0.98 / 0.90 / 0.95
    ("fresh", False): (0.95, 0.90, 0.35, 0.04),    # targets 0.95 / 0.90 / 0.95
    ("dev", True): (0.99, 0.93, 0.95, 0.01),
    ("dev", False): (0.88, 0.92, 0.45, 0.07),
}
ID_FLOORS = {"EMAIL": 0.98, "PHONE": 0.98, "URL": 0.98, "ID": 0.98, "POSTCODE": 0.98, "HANDLE": 0.98}  # targets 0.95
FLAGGED_FLOORS = {"ROLE": 0.90, "UNIT": 0.80, "DESCRIPTOR": 0.92, "SPECIAL_CATEGORY": 0.88, "INDIRECT": 0.90}  # ROLE: 0.80
#: PERSON recall by transcript shape, with the roster and without (target: every shape as good as prose).
SHAPE_FLOORS = {True: 0.95, False: 0.60}
#: PERSON recall by passage kind without a roster, and the most false PERSON tokens on the name-free passages.
KIND_FLOORS = {"names": 0.98, "speakers": 0.98, "honorifics": 0.98, "initials": 0.80, "wordnames": 0.75}
NONNAME_FALSE_TOKENS = 24


@pytest.mark.parametrize("split,with_roster", list(FLOORS), ids=[f"{s}-{'roster' if r else 'no-roster'}" for s, r in FLOORS])
def test_person_floors(split, with_roster):
    g, p = split_pairs(split, with_roster)
    scores = evaluate_records(g, p)
    recall, precision, lowest, leak = FLOORS[(split, with_roster)]
    assert token(scores, "PERSON", "recall") >= recall
    assert token(scores, "PERSON", "precision") >= precision
    assert recall_by_origin(g, p)["recall"].min() >= lowest
    assert leak_rate(g, p) <= leak


def test_identifier_and_flagged_floors_on_all_passages():
    g, p = split_pairs("all", False)
    scores = evaluate_records(g, p)
    for label, floor in ID_FLOORS.items():
        assert token(scores, label, "recall") >= floor, label
    for label, floor in FLAGGED_FLOORS.items():
        assert flagged(scores, label) >= floor, label


@pytest.mark.parametrize("with_roster", [True, False], ids=["roster", "no-roster"])
def test_person_recall_floors_by_shape(with_roster):
    g, p = split_pairs("all", with_roster)
    table = scores_by(g, p, "shape")
    person = table[(table["label"] == "PERSON") & (table["level"] == "token")].set_index("key")["recall"]
    assert set(person.index) == set(SHAPES)
    assert person.min() >= SHAPE_FLOORS[with_roster], person.to_dict()


def test_person_floors_by_kind():
    g, p = split_pairs("all", False)
    table = scores_by(g, p, "kind")
    person = table[(table["label"] == "PERSON") & (table["level"] == "token")].set_index("key")
    for kind, floor in KIND_FLOORS.items():
        assert person.loc[kind, "recall"] >= floor, kind
    assert person.loc["nonnames", "fp"] <= NONNAME_FALSE_TOKENS


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


def level(scores, label, lvl):
    return scores[(scores["label"] == label) & (scores["level"] == lvl)].iloc[0]


def test_id_labels_are_scored_together_by_hand():
    # Gold: a staff number and a student number; the detector calls the first a STUDENT_NUMBER and the second an
    # ID_NUMBER, and misses a third (ID, 2 tokens). Together as ID: 2 of 4 tokens found, no false token.
    text = "staff S123456 student 212345678 and 2031 7745"
    g = [{"text": text, "label": [[6, 13, "STAFF_ID"], [22, 31, "STUDENT_NUMBER"], [36, 45, "ID_NUMBER"]]}]
    p = [{"text": text, "label": [[6, 13, "STUDENT_NUMBER"], [22, 31, "ID_NUMBER"]]}]
    scores = evaluate_records(g, p)
    assert set(scores["label"]) == {"ID"}
    row = level(scores, "ID", "token")
    assert (row.tp, row.fp, row.fn) == (2, 0, 2) and row.recall == 0.5 and row.precision == 1.0
    ent = level(scores, "ID", "entity")
    assert (ent.tp, ent.fp, ent.fn) == (2, 0, 1)


def test_flagged_scoring_of_indirect_labels_by_hand():
    # Gold: ROLE "Dean of Law" (3 tokens), SPECIAL_CATEGORY "Muslim" (1), UNIT "Chemistry technicians" (2).
    # Prediction: UNIT over "Dean of Law" (wrong label, still flagged), nothing on Muslim, ROLE over "Chemistry"
    # only, and a false ROLE on "Senate" (1 token). Flagged: ROLE 3/3, SPECIAL_CATEGORY 0/1, UNIT 1/2, pooled 4/6;
    # flagged false tokens: the false ROLE "Senate" (1) -> pooled precision 4/5.
    text = "the Dean of Law is Muslim; the Chemistry technicians met Senate"
    g = [{"text": text, "label": [[4, 15, "ROLE"], [19, 25, "SPECIAL_CATEGORY"], [31, 52, "UNIT"]]}]
    p = [{"text": text, "label": [[4, 15, "UNIT"], [31, 40, "ROLE"], [57, 63, "ROLE"]]}]
    scores = evaluate_records(g, p)
    assert level(scores, "ROLE", "flagged").recall == 1.0
    assert level(scores, "SPECIAL_CATEGORY", "flagged").recall == 0.0
    assert level(scores, "UNIT", "flagged").recall == 0.5
    pooled = level(scores, "INDIRECT", "flagged")
    assert (pooled.tp, pooled.fp, pooled.fn) == (4, 1, 2)
    assert pooled.recall == pytest.approx(4 / 6) and pooled.precision == pytest.approx(4 / 5)
    # Strict token level: ROLE gold tokens are all missed (labelled UNIT); "Chemistry" and "Senate" are false ROLE.
    strict = level(scores, "ROLE", "token")
    assert (strict.tp, strict.fp, strict.fn) == (0, 2, 3)
    assert (level(scores, "UNIT", "token").tp, level(scores, "UNIT", "token").fp) == (0, 3)


def test_indirect_span_over_a_name_does_not_hide_it():
    text = "the Dean, Kwame Mensah, said"
    g = [{"text": text, "label": [[4, 8, "ROLE"], [10, 22, "PERSON"]]}]
    p = [{"text": text, "label": [[0, 22, "DESCRIPTOR"], [10, 22, "PERSON"]]}]
    scores = evaluate_records(g, p)
    assert level(scores, "PERSON", "token").recall == 1.0 and level(scores, "PERSON", "token").precision == 1.0
    assert level(scores, "ROLE", "flagged").recall == 1.0
    assert leak_rate(g, p) == 0.0


def test_scores_by_meta_key_by_hand():
    g = [{"text": "Ask Kwame Mensah", "label": [[4, 16, "PERSON"]], "meta": {"shape": "zoom", "kind": "names"}},
         {"text": "Ask Ngozi now", "label": [[4, 9, "PERSON"]], "meta": {"shape": "prose", "kind": "names"}},
         {"text": "Ring 07700 900123", "label": [[5, 17, "PHONE"]], "meta": {"shape": "prose", "kind": "numbers"}}]
    p = [{"text": g[0]["text"], "label": [[4, 9, "PERSON"]]}, {"text": g[1]["text"], "label": [[0, 3, "PERSON"]]},
         {"text": g[2]["text"], "label": [[5, 17, "PHONE"]]}]
    by_shape = scores_by(g, p, "shape")
    person = by_shape[(by_shape["label"] == "PERSON") & (by_shape["level"] == "token")].set_index("key")
    assert person.loc["zoom", "recall"] == 0.5 and person.loc["prose", "recall"] == 0.0
    assert person.loc["prose", "precision"] == 0.0 and person.loc["prose", "passages"] == 2
    by_kind = scores_by(g, p, "kind")
    phone = by_kind[(by_kind["label"] == "PHONE") & (by_kind["key"] == "numbers")].iloc[0]
    assert phone.recall == 1.0 and phone.support == 2
    kinds = by_kind[(by_kind["label"] == "PERSON") & (by_kind["key"] == "names")].iloc[0]
    assert (kinds.tp, kinds.fp, kinds.fn) == (1, 1, 2)


def test_detect_records_writes_indirect_labels_and_suggestions():
    class Fixed:  # a detector stand-in giving one ROLE and one PERSON span
        def detect(self, text):
            if "Dean" not in text:
                return []
            return [Span(4, 15, "ROLE", "indirect", 0.7, text[4:15], suggestion="[a senior leader]", kind="senior_role"),
                    Span(17, 22, "PERSON", "lexicon", 0.9, text[17:22])]

    records = [{"text": "the Dean of Law, Kwame, spoke", "meta": {"split": "dev"}}, {"text": "no one"}]
    out = detect_records(records, Fixed())
    assert out[0]["label"] == [[4, 15, "ROLE"], [17, 22, "PERSON"]]
    assert out[0]["meta"] == {"split": "dev", "suggestions": [[4, 15, "[a senior leader]", "senior_role"]]}
    assert records[0]["meta"] == {"split": "dev"}  # the input is not changed
    assert out[1] == {"text": "no one", "label": []}  # no indirect span: no meta added


def test_detect_command_writes_suggestions_and_evaluate_prints_groups(tmp_path, capsys):
    from rmresearch.cli import main
    from rmresearch.anonymise.spans import INDIRECT_LABELS

    src = tmp_path / "gold.jsonl"
    lines = [{"text": "Then the Director of Catering asked Tendaiishe Moyo to chair it.", "meta": {"shape": "prose",
              "kind": "roles", "split": "heldout"}, "label": [[9, 29, "ROLE"], [36, 51, "PERSON"]]},
             {"text": "[Ngozichukwu Eze] 11:02:09\nCan you hear me?", "meta": {"shape": "zoom", "kind": "speakers",
              "split": "heldout"}, "label": [[1, 16, "PERSON"]]}]
    src.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    assert main(["anonymise", "detect", str(src), "--out", str(out)]) == 0
    pred = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    indirect = [x for x in pred[0]["label"] if x[2] in INDIRECT_LABELS]
    assert indirect, pred[0]["label"]  # the role is written with its own label
    suggestions = pred[0]["meta"]["suggestions"]
    assert [x[:2] for x in suggestions] == [x[:2] for x in indirect]
    assert all(x[2].startswith("[") and x[2].endswith("]") and x[3] for x in suggestions)
    assert pred[0]["meta"]["kind"] == "roles"  # other meta kept
    capsys.readouterr()
    assert main(["anonymise", "evaluate", str(src), "--pred", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "by shape:" in printed and "by kind:" in printed and "by split:" in printed
    assert re.search(r"^ROLE +flagged ", printed, re.MULTILINE) and re.search(r"^\s+zoom\s+1 passages", printed, re.MULTILINE)
