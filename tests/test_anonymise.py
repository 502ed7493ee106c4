"""Anonymisation: layers, merging, pseudonyms, key, review, pipeline, audit, commands."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import stat
import time
from pathlib import Path

import pandas as pd
import pytest

from rmresearch.anonymise import (
    Detector,
    DetectorOptions,
    PseudonymKey,
    Roster,
    Span,
    anonymise_text,
    audit_paths,
    merge_spans,
)
from rmresearch.cli import add_commands
from rmresearch.anonymise.lexicon import get_lexicon
from rmresearch.anonymise.patterns import find_patterns
from rmresearch.anonymise.roster import Person
from rmresearch.errors import ConfigError, InputError, RMResearchError, ValidationError

ROSTER = Roster([
    Person("P01", "Adaeze Okonkwo-Bello", ("Ada",)),
    Person("P02", "Kwame Mensah"),
    Person("P03", "Hope Campbell"),
    Person("P04", "Daniel Young"),
    Person("P05", "Siobhan O'Neill"),
    Person("P06", "Wei Zhang"),
])


def texts(spans, label="PERSON"):
    return [s.text for s in spans if s.label == label]


def run_cli(argv) -> int:
    parser = argparse.ArgumentParser(prog="rmresearch")
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args([str(a) for a in argv])
    return args.func(args)


# --------------------------------------------------------------------------- spans


def test_merge_prefers_longest_then_most_confident_and_joins_name_parts():
    text = "Professor Adaeze Okonkwo-Bello's office"
    spans = [
        Span(10, 16, "PERSON", "lexicon", 0.8, "Adaeze"),
        Span(17, 30, "PERSON", "context", 0.6, "Okonkwo-Bello"),
        Span(17, 24, "PERSON", "lexicon", 0.9, "Okonkwo"),
    ]
    merged = merge_spans(spans, text)
    assert [(s.start, s.end, s.text) for s in merged] == [(10, 30, "Adaeze Okonkwo-Bello")]
    assert merged[0].confidence == 0.9  # evidence of the absorbed span is kept


def test_merge_keeps_distinct_labels_apart():
    text = "Kwame k@x.org"
    merged = merge_spans([Span(0, 5, "PERSON", "a", 0.9, "Kwame"), Span(6, 13, "EMAIL", "p", 1.0, "k@x.org")], text)
    assert [s.label for s in merged] == ["PERSON", "EMAIL"]


# --------------------------------------------------------------------------- roster layer


@pytest.mark.parametrize("text, expected", [
    ("Professor Adaeze Okonkwo-Bello's team met.", ["Adaeze Okonkwo-Bello"]),
    ("ADAEZE OKONKWO-BELLO CHAIRED THE MEETING.", ["ADAEZE OKONKWO-BELLO"]),
    ("so i met adaeze okonkwo-bello and then kwame", ["adaeze okonkwo-bello", "kwame"]),
    ("We asked Okonkwo-Bello and Bello agreed.", ["Okonkwo-Bello", "Bello"]),
    ("Ada's idea, and Mensah's reply.", ["Ada", "Mensah"]),
    ("Zhang Wei and Siobhan O'Neill's mentee", ["Zhang Wei", "Siobhan O'Neill"]),
])
def test_roster_forms_casing_possessives_and_hyphens(text, expected):
    d = Detector(ROSTER, options=DetectorOptions(layers=("roster",)))
    assert texts(d.detect(text)) == expected


def test_roster_names_that_are_words_only_where_written_as_names():
    d = Detector(ROSTER, options=DetectorOptions(layers=("roster",)))
    assert texts(d.detect("I hope we meet. Young people need hope.")) == []
    assert texts(d.detect("I told Hope that Young was right.")) == ["Hope", "Young"]
    # Lower-case captions: the whole name, or a cue, is needed.
    assert texts(d.detect("i hope so and i told hope campbell that daniel young agreed")) == ["hope campbell", "daniel young"]
    assert texts(d.detect("we were told to hope for the best but it was not clear to anyone")) == []


def test_roster_needs_a_name_column(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("participant_id,full_name\nP01,Kwame Mensah\n", encoding="utf-8")
    with pytest.raises(InputError, match="no 'name' column"):
        Roster.from_csv(path)
    empty = tmp_path / "empty_name.csv"
    empty.write_text("participant_id,name\nP01,\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2, column 'name' is empty"):
        Roster.from_csv(empty)


def test_roster_aliases_are_split_on_semicolons(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("participant_id,name,aliases\nP09,Oluwaseun Adebayo,Seun; Shay\n", encoding="utf-8")
    roster = Roster.from_csv(path)
    assert {"seun", "shay", "oluwaseun adebayo", "adebayo"} <= roster.forms("P09")


# --------------------------------------------------------------------------- patterns


def test_patterns_find_every_identifier_kind():
    text = ("Mail a.b-c@uni.ac.uk, ring +44 (0)20 7946 0958 or 0161 496 0123, see https://x.org/a?b=1. "
            "Postcode SW1A 1AA, @kwame_m on X, staff S123456, student 212345678, +234 803 123 4567.")
    found = {(s.label, s.text) for s in find_patterns(text, identifiers={"staff_number": r"\bS\d{6}\b",
                                                                          "student_number": r"\b2\d{8}\b"})}
    assert found == {("EMAIL", "a.b-c@uni.ac.uk"), ("PHONE", "+44 (0)20 7946 0958"), ("PHONE", "0161 496 0123"),
                     ("URL", "https://x.org/a?b=1"), ("POSTCODE", "SW1A 1AA"), ("HANDLE", "@kwame_m"),
                     ("STAFF_NUMBER", "S123456"), ("STUDENT_NUMBER", "212345678"), ("PHONE", "+234 803 123 4567")}


def test_patterns_leave_ordinary_numbers_alone():
    assert find_patterns("In 2019 we had 20,000 students, 1,250 staff and a 12.5% gap.") == []


def test_spoken_email_in_captions():
    spans = find_patterns("email me at victoria dot hale at anytown dot ac dot uk or not")
    assert [(s.label, s.text) for s in spans] == [("EMAIL", "victoria dot hale at anytown dot ac dot uk")]


def test_bad_identifier_regex_is_a_config_error():
    with pytest.raises(ConfigError, match="staff_number"):
        Detector(options=DetectorOptions(identifiers={"staff_number": "S(\\d"}))


# --------------------------------------------------------------------------- speaker, context, lexicon layers


def test_speaker_labels_from_offsets_and_from_plain_text():
    text = "Tendaiishe Mashingaidze: Hello.\nInterviewer: Hi."
    d = Detector(options=DetectorOptions(layers=("speakers",)))
    assert texts(d.detect(text, speaker_offsets=[(0, 23), (32, 43)])) == ["Tendaiishe Mashingaidze"]
    assert texts(d.detect(text)) == ["Tendaiishe Mashingaidze"]


@pytest.mark.parametrize("text, expected", [
    ("My manager Tendaiishe said no.", ["Tendaiishe"]),
    ("I met Dr Qarawi and Mr Bird yesterday.", ["Qarawi", "Bird"]),
    ("a student called faith came to see me", ["faith"]),
    ("Faith said it was fine, and I had faith in her.", ["Faith"]),
])
def test_context_cues(text, expected):
    d = Detector(options=DetectorOptions(layers=("context",)))
    assert texts(d.detect(text)) == expected


def test_lexicon_layer_names_of_many_origins_and_not_ordinary_words():
    text = ("Before the panel, Chidinma, Siobhán, Mohammed, Xiaoling, Gurpreet, Kowalczyk and Nkosi "
            "met the Dean in London on Monday to discuss the Race Equality Charter.")
    found = texts(Detector().detect(text))
    assert found == ["Chidinma", "Siobhán", "Mohammed", "Xiaoling", "Gurpreet", "Kowalczyk", "Nkosi"]


def test_names_in_no_list_are_found_from_their_shape():
    lex = get_lexicon()
    invented = ["Ngozichukwu", "Mashingaidze", "Tashieka", "Venkatraman", "Bashraheel", "Penhaligon", "Hristozov"]
    assert not any(lex.is_name(n) or lex.is_word(n) for n in invented)
    text = ("Ngozichukwu and Mashingaidze co-chaired; Tashieka asked Venkatraman, "
            "then Bashraheel, Penhaligon and Hristozov replied.")
    assert texts(Detector().detect(text)) == invented


def test_buildings_named_after_people_are_not_people_and_allow_list_holds():
    text = "We met in the Mary Seacole Building on Nelson Mandela Road. Black Lives Matter mattered to Kwabena."
    d = Detector()
    assert texts(d.detect(text)) == ["Kwabena"]
    with_places = Detector(options=DetectorOptions(labels=("LOCATION",)))
    assert texts(with_places.detect(text), "LOCATION") == ["Mary Seacole Building", "Nelson Mandela Road"]


def test_deny_list_is_always_replaced_and_allow_list_never():
    d = Detector(options=DetectorOptions(deny=(("the blue team", "ORG"),), allow=("Kwabena Hall",)))
    spans = d.detect("Kwabena Hall hosted the blue team.")
    assert [(s.text, s.label) for s in spans] == [("the blue team", "ORG")]


def test_lexicon_is_cached_and_separates_words_from_names():
    lex = get_lexicon()
    for word in ("hope", "faith", "joy", "precious", "blessing", "young", "bishop", "bird", "rose"):
        assert lex.is_name_word(word.title()), word
    for name in ("Kwame", "Adaeze", "Siobhan", "Singh", "Wang", "Patel", "Begum", "Okafor"):
        assert not lex.is_common_word(name), name


# --------------------------------------------------------------------------- pseudonyms and key


def test_pseudonyms_are_stable_and_roster_people_get_their_id(tmp_path):
    key = PseudonymKey(cohort="c", path=tmp_path / "keys" / "pseudonym_key.json", roster=ROSTER)
    d = Detector(ROSTER)
    out1, _ = anonymise_text("Kwame met Tendaiishe Mashingaidze and Qarawi.", d, key)
    out2, _ = anonymise_text("Later, Mashingaidze and KWAME MENSAH's mentee Qarawi.", d, key)
    assert out1 == "[P02] met [PERSON_1] and [PERSON_2]."
    assert out2 == "Later, [PERSON_1] and [P02]'s mentee [PERSON_2]."
    key.save()
    again = PseudonymKey.load(tmp_path / "keys" / "pseudonym_key.json", cohort="c", roster=ROSTER)
    out3, _ = anonymise_text("Qarawi, then a new person, Dr Oyelaran-Smith.", d, again)
    assert out3 == "[PERSON_2], then a new person, Dr [PERSON_3]."


def test_key_file_mode_0600_in_private_folder(tmp_path):
    key = PseudonymKey(cohort="c")
    key.pseudonym("a@b.org", "EMAIL")
    path = key.save(tmp_path / "keys" / "pseudonym_key.json")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert json.loads(path.read_text())["entries"]


def test_key_refuses_shareable_locations(tmp_path):
    from rmresearch.anonymise.pseudonyms import check_key_location

    with pytest.raises(ConfigError, match="overlaps"):
        check_key_location(tmp_path / "anonymised" / "keys", shareable=[tmp_path / "anonymised"])
    check_key_location(tmp_path / "keys", shareable=[tmp_path / "anonymised", tmp_path / "reports"])


def test_surrogates_are_invented_names_never_roster_names():
    key = PseudonymKey(cohort="c", style="surrogates", roster=ROSTER)
    d = Detector(ROSTER)
    out, _ = anonymise_text("Kwame Mensah thanked Adaeze. Kwame agreed.", d, key)
    tokens = {t.casefold() for t in out.replace(".", " ").split()}
    assert not tokens & ROSTER.all_tokens()
    first = key.surrogate("P02")["first"]
    assert out.count(first) == 2  # the same surrogate both times
    with pytest.raises(ConfigError):
        PseudonymKey(style="emoji")


# --------------------------------------------------------------------------- review


def test_review_decisions_are_applied_on_rerun(tmp_path):
    from rmresearch.anonymise import AnonymiseSettings, ReviewQueue

    text = "We spoke in Law about it, and then Rose came too."
    d = Detector()
    path = tmp_path / "review.csv"
    q = ReviewQueue(path)
    out, log = anonymise_text(text, d, PseudonymKey(), document="t.txt", review=q)
    q.save()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert set(frame["text"]) == {"Law", "Rose"} and set(frame["decision"]) == {""}
    assert "Law" not in out  # pending candidates are replaced by default
    frame.loc[frame["text"] == "Law", "decision"] = "reject"
    frame.to_csv(path, index=False)
    out2, log2 = anonymise_text(text, d, PseudonymKey(), document="t.txt", review=ReviewQueue(path))
    assert "in Law about" in out2 and "Rose" not in out2
    assert (log2["decision"] == "reject").sum() == 1
    kept, _ = anonymise_text(text, d, PseudonymKey(), document="t.txt", review=ReviewQueue(path),
                             settings=AnonymiseSettings(pending="keep"))
    assert "Rose" in kept


def test_review_file_with_bad_decision_names_row_and_column(tmp_path):
    from rmresearch.anonymise import ReviewQueue

    path = tmp_path / "review.csv"
    path.write_text("document,start,end,label,layer,confidence,text,context,pseudonym,decision,note\n"
                    "t.txt,1,5,PERSON,lexicon,0.6,Rose,x,[PERSON_1],maybe,\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"row 2, column 'decision'"):
        ReviewQueue(path)


# --------------------------------------------------------------------------- cohort pipeline


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_run_on_demo_cohort(demo_copy):
    from rmresearch.anonymise import anonymisation_summary, anonymise_cohort
    from rmresearch.config import load_cohort

    config = load_cohort(demo_copy / "cohorts" / "demo.yml")
    raw = Path(config.input_path("interviews"))
    before = _hashes(raw)
    raw_mtimes = {p.name: p.stat().st_mtime_ns for p in raw.iterdir()}
    summary = anonymise_cohort(config, progress=False)
    assert _hashes(raw) == before  # raw files never modified
    assert {p.name: p.stat().st_mtime_ns for p in raw.iterdir()} == raw_mtimes
    assert sorted(os.listdir(raw)) == sorted(before)  # nothing written into raw/
    out = Path(config.outputs["anonymised"])
    assert len(summary) == len(before) and summary["PERSON"].sum() > 100
    first = {p.name: p.read_text() for p in out.glob("*.txt")}
    key_file = Path(config.outputs["keys"]) / "pseudonym_key.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # Rerun: identical outputs (stable pseudonyms), key reused.
    anonymise_cohort(config, progress=False)
    assert {p.name: p.read_text() for p in out.glob("*.txt")} == first
    # Every roster person has one pseudonym across all transcripts.
    info = anonymisation_summary(config)
    assert (info["consistency"]["pseudonyms"] == 1).all()
    # Gold identifiers of the demo never survive.
    gold = [json.loads(line) for line in (demo_copy / "data/demo/ground_truth/identifiers.jsonl").read_text().splitlines()]
    anonymised_all = "\n".join(first.values())
    for record in gold:
        for start, end, label in record["label"]:
            value = record["text"][start:end]
            if label != "LOCATION" and len(value) > 3:
                assert value not in anonymised_all, (label, record["file"])
    # The audit passes on the outputs and catches a planted leak.
    assert run_cli(["audit", out, "--cohort", config.path]) == 0
    leaked = out / "zz_leak.txt"
    name = gold[0]["text"][gold[0]["label"][0][0]:gold[0]["label"][0][1]]
    leaked.write_text(f"Quote: as {name.upper()} said.\n", encoding="utf-8")
    assert run_cli(["audit", out, "--cohort", config.path]) == 1


def test_run_refuses_key_inside_anonymised_output(demo_copy):
    from rmresearch.anonymise import anonymise_cohort
    from rmresearch.config import load_cohort

    cfg_path = demo_copy / "cohorts" / "demo.yml"
    cfg_path.write_text(cfg_path.read_text().replace("keys: keys/demo", "keys: interviews/demo/anonymised/keys"))
    with pytest.raises(ConfigError, match="shared with others"):
        anonymise_cohort(load_cohort(cfg_path), progress=False)


def test_audit_masks_and_passes_clean_files(tmp_path):
    clean = tmp_path / "clean.txt"
    clean.write_text("[P02] said the [PERSON_1] meeting went well. I hope so.\n", encoding="utf-8")
    leak = tmp_path / "notebook.ipynb"
    leak.write_text(json.dumps({"cells": [{"source": ["Table of mentors\n", "kwame mensah: 4 meetings"]}]}), encoding="utf-8")
    html = tmp_path / "report.html"
    html.write_text("<p>Contact <b>k.mensah@anytown.ac.uk</b></p><script>var Kwame=1</script>", encoding="utf-8")
    assert audit_paths([clean], roster=ROSTER) == []
    findings = audit_paths([tmp_path], roster=ROSTER)
    shown = {(Path(f.file).name, f.label, f.masked) for f in findings}
    assert ("notebook.ipynb", "PERSON", "k**** m*****") in shown
    assert ("report.html", "EMAIL", "k.m*****@a******.a*.u*") in shown
    assert all("Kwame" not in str(f) for f in findings)


def test_detect_and_evaluate_commands(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "Ask Tendaiishe at t@x.org", "id": 7, "label": [[4, 14, "PERSON"], [18, 25, "EMAIL"]]}) + "\n")
    out = tmp_path / "pred.jsonl"
    assert run_cli(["anonymise", "detect", src, "--out", out]) == 0
    pred = json.loads(out.read_text())
    assert pred["id"] == 7 and pred["label"] == [[4, 14, "PERSON"], [18, 25, "EMAIL"]]
    assert run_cli(["anonymise", "evaluate", src, "--pred", out]) == 0
    printed = capsys.readouterr().out
    assert "token leak rate: 0.0000" in printed


def test_setup_nltk_says_plainly_when_offline(monkeypatch, capsys):
    import nltk

    def offline(*args, **kwargs):
        raise OSError("<urlopen error [Errno -3] Temporary failure in name resolution>")

    monkeypatch.setattr(nltk, "download", offline)
    assert run_cli(["setup-nltk"]) == 1
    assert "network" in capsys.readouterr().err


def test_nltk_layer_only_when_data_installed():
    from rmresearch.anonymise import nltk_available

    d = Detector()
    assert d._use_nltk == nltk_available()
    if not nltk_available():
        pytest.skip("NLTK tagger / NE chunker data not installed (rmresearch setup-nltk)")
    spans = d._nltk_layer("Yesterday Barack Obama visited Paris.")
    assert any(s.label == "PERSON" for s in spans)


def test_errors_are_rmresearch_errors():
    with pytest.raises(RMResearchError):
        Roster.from_frame(pd.DataFrame({"who": ["x"]}))


def test_check_anonymised_names_the_missing_transcripts_and_the_command(demo_copy):
    from rmresearch.anonymise import anonymise_cohort, check_anonymised
    from rmresearch.config import load_cohort
    from rmresearch.errors import InputError

    config = load_cohort(demo_copy / "cohorts" / "demo.yml")
    shutil.rmtree(config.outputs["anonymised"])
    with pytest.raises(InputError, match=r"15 of 15 interview transcript\(s\).*rmresearch anonymise run --cohort demo"):
        check_anonymised(config)
    anonymise_cohort(config, progress=False)
    check_anonymised(config)  # passes once every transcript has its anonymised copy
    raw = sorted((demo_copy / "interviews" / "demo" / "raw").iterdir())[0]
    later = time.time() + 5  # the raw file changed after it was anonymised (not only after the demo was made)
    os.utime(raw, (later, later))
    with pytest.raises(InputError, match=r"1 of 15 .*" + raw.name):
        check_anonymised(config)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("My staff number is 0412345, if that helps.", [("STAFF_NUMBER", "0412345")]),
        ("Her student ID: U1234567 was on the form.", [("STUDENT_NUMBER", "U1234567")]),
        ("payroll no. E-99812", [("STAFF_NUMBER", "E-99812")]),
        ("The staff survey in 2024 had 300 replies.", []),  # no cue + identifier: nothing
        ("Student numbers rose by 1200 this year.", []),  # a count is not an identifier
    ],
)
def test_identifiers_found_by_their_cue_in_any_local_format(text, expected):
    from rmresearch.anonymise.patterns import find_patterns

    found = [(s.label, s.text) for s in find_patterns(text) if s.label in ("STAFF_NUMBER", "STUDENT_NUMBER", "ID_NUMBER")]
    assert found == expected


def test_unknown_names_after_in_or_a_contact_verb_are_not_missed():
    d = Detector(options=DetectorOptions())
    olamide = d.detect("We should loop in Olamide from the registry.")
    assert [(s.text, s.label) for s in olamide] == [("Olamide", "PERSON")]
    assert olamide[0].confidence < 0.5  # ambiguous with a place ("grew up in Handsworth"): it goes to review
    assert [s.text for s in d.detect("I emailed Dele on Monday.")] == ["Dele"]


def test_names_in_a_list_and_surnames_with_a_lower_case_particle():
    d = Detector(options=DetectorOptions())
    listed = {s.text for s in d.detect("Aisha, Bola and Chen were all on the panel.") if s.label == "PERSON"}
    assert listed == {"Aisha", "Bola", "Chen"}  # "Bola" is also an English word: the list makes it a name
    assert "Layla al-Hashimi" in {s.text for s in d.detect("Yusuf bin Abdullah and Layla al-Hashimi joined later.")}
    # identity terms in a list stay words
    assert {s.text for s in d.detect("Black, Asian and minority ethnic staff met Aisha.")} == {"Aisha"}


def test_unreadable_transcripts_are_all_listed_and_nothing_is_written(demo_copy):
    from rmresearch.anonymise import anonymise_cohort
    from rmresearch.config import load_cohort
    from rmresearch.errors import InputError

    config = load_cohort(demo_copy / "cohorts" / "demo.yml")
    shutil.rmtree(config.outputs["anonymised"])
    raw = demo_copy / "interviews" / "demo" / "raw"
    (raw / "zz_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (raw / "zz_latin1.txt").write_bytes("Interviewer: caf\xe9?\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"2 of 17 transcript\(s\) cannot be read; nothing was written") as info:
        anonymise_cohort(config, progress=False)
    assert "zz_binary.txt" in str(info.value) and "zz_latin1.txt" in str(info.value)
    assert not config.outputs["anonymised"].exists()
