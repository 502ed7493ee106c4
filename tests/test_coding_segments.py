"""Segments with stable IDs and offsets (CRLF and BOM sources), rule suggestions, coding CSVs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rmresearch.coding import (
    load_codebook,
    load_documents,
    read_codings_csv,
    read_source_text,
    segment_codes,
    segment_document,
    segment_documents,
    suggest_codes,
    suggestion_agreement,
)
from rmresearch.errors import InputError, ValidationError

DATA = Path(__file__).parent / "data" / "coding"


def test_turn_segments_have_stable_ids_offsets_and_participants():
    texts = load_documents(DATA)
    assert list(texts) == ["interview_a", "interview_bom", "interview_crlf"]
    seg = segment_documents(texts, unit="turn", participant_ids=["P01", "P02", "P03", "P04"])
    a = seg.loc[seg["document"] == "interview_a"]
    assert a["segment_id"].tolist()[:2] == ["interview_a#t001", "interview_a#t002"]
    assert a["speaker"].tolist()[:2] == ["Interviewer", "P01"]
    assert a["participant_id"].tolist()[:2] == [None, "P01"]
    for r in seg.itertuples():
        assert texts[r.document][r.start:r.end] == r.text
    assert a.iloc[1]["text"].startswith("Honestly, it felt like a safe space")


def test_offsets_survive_crlf_and_bom():
    crlf = read_source_text(DATA / "interview_crlf.txt")
    assert "\r\n" in crlf  # line endings kept as stored
    seg = segment_document(crlf, document="interview_crlf")
    second = seg.iloc[1]
    # "Interviewer: What has changed since the programme?" is 50 characters, "\r\n" 2 more, "P03: " 5 more
    assert (second["start"], second["segment_id"]) == (57, "interview_crlf#t002")
    assert crlf[second["start"]:second["end"]] == "We changed the shortlisting so every panel sees the whole pool."
    raw = (DATA / "interview_crlf.txt").read_bytes().decode("utf-8")
    assert raw[second["start"]:second["end"]] == second["text"]  # offsets are offsets into the file as stored

    bom = read_source_text(DATA / "interview_bom.txt")
    assert not bom.startswith("\ufeff")
    seg = segment_document(bom, document="interview_bom")
    assert seg.iloc[0]["start"] == len("Interviewer: ") and seg.iloc[0]["text"] == "Was it two-way?"
    assert seg.iloc[1]["participant_id"] == "P04"  # shaped like an ID, no list given


def test_sentence_and_paragraph_units():
    text = read_source_text(DATA / "interview_a.txt")
    for splitter in ("punkt", "regex"):
        seg = segment_document(text, document="a", unit="sentence", sentence_splitter=splitter)
        t4 = seg.loc[seg["turn"] == 4]
        assert t4["segment_id"].tolist() == ["a#t004.s01", "a#t004.s02"], splitter
        assert t4["text"].tolist()[1] == "Dr. [PERSON_2] had no idea what it was like.", splitter
        for r in seg.itertuples():
            assert text[r.start:r.end] == r.text
    para = segment_document(text, document="a", unit="paragraph")
    assert para["segment_id"].tolist()[:2] == ["a#p001", "a#p002"] and len(para) == 7
    blocks = segment_document("P01: One.\nP01: Two.\n\nP02: Three.", document="b", unit="paragraph")
    assert blocks["text"].tolist() == ["One.\nP01: Two.", "Three."] and blocks["speaker"].tolist() == ["P01", "P02"]
    with pytest.raises(ValueError, match="Unknown coding unit"):
        segment_document(text, document="a", unit="word")


def test_tagged_participant_labels():
    seg = segment_document("[P25]: yes\n[PERSON_1]: ok", document="d", participant_ids={"P25"})
    assert seg["participant_id"].tolist() == ["P25", None]


def test_read_source_text_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_source_text(tmp_path / "none.txt")
    (tmp_path / "latin.txt").write_bytes("P01: caf\xe9".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_source_text(tmp_path / "latin.txt")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_source_text(tmp_path / "empty.txt")
    with pytest.raises(InputError, match="anonymise"):
        load_documents(tmp_path / "no-such-folder")


@pytest.fixture(scope="module")
def corpus():
    texts = load_documents(DATA)
    return texts, segment_documents(texts, unit="turn")


def test_suggestions_fire_the_expected_rules(corpus):
    texts, seg = corpus
    s = suggest_codes(seg, load_codebook())
    fired = {(r.segment_id, r.code, r.rule) for r in s.itertuples()}
    assert ("interview_a#t002", "safe_space", 'phrase "safe space"') in fired
    assert ("interview_a#t004", "lived_experience", 'phrase "the only black"') in fired
    assert ("interview_a#t004", "lived_experience", 'phrase "had no idea"') in fired
    assert ("interview_a#t005", "sponsorship", 'phrase "put my name forward"') in fired
    assert ("interview_a#t005", "sponsorship", 'phrase "opened doors"') in fired
    # stems: "cancelled" and the regex for cancelled meetings
    assert ("interview_a#t007", "programme_logistics", 'phrase "cancelled"') in fired
    assert ("interview_crlf#t003", "accountability", 'phrase "report back"') in fired
    assert ("interview_bom#t002", "reciprocity", 'phrase "learnt from each other"') in fired
    assert ("interview_bom#t003", "labour_of_educating", 'phrase "emotional labour"') in fired
    # matched text and offsets point into the document
    for r in s.itertuples():
        assert texts[r.document][r.start:r.end] == r.matched_text
    # the interviewer's question is not suggested when only participants are wanted
    only = suggest_codes(seg.assign(participant_id=seg["speaker"].where(seg["speaker"] != "Interviewer")),
                         load_codebook(), participants_only=True)
    assert not only["segment_id"].isin(seg.loc[seg["speaker"] == "Interviewer", "segment_id"]).any()


def test_phrase_rules_match_stems_not_substrings():
    cb = load_codebook()
    seg = pd.DataFrame({"segment_id": ["d#t001", "d#t002"], "document": "d", "start": [0, 100],
                        "text": ["She sponsors me and advocated loudly.", "A sponsorshipless, spongy idea."]})
    s = suggest_codes(seg, cb)
    assert ("d#t001", 'phrase "sponsor"') in set(zip(s["segment_id"], s["rule"]))
    assert s.loc[s["segment_id"] == "d#t002"].empty


def _csv(tmp_path, text):
    path = tmp_path / "codings.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_codings_csv_by_segment_and_by_offsets(tmp_path, corpus):
    texts, seg = corpus
    cb = load_codebook()
    path = _csv(tmp_path, "segment_id,code,coder,memo\n"
                "interview_a#t002,safe_space,ana,\n"
                "interview_a#t002,Safe space and honest conversation,ben,title accepted\n")
    cod = read_codings_csv(path, segments=seg, codebook=cb, texts=texts)
    assert cod["code"].tolist() == ["safe_space", "safe_space"]
    assert cod.iloc[0]["start"] == seg.iloc[1]["start"] and cod.iloc[1]["memo"] == "title accepted"

    start = texts["interview_crlf"].index("We changed")
    path = _csv(tmp_path, f"document,start,end,code,coder\ninterview_crlf,{start},{start + 10},actions_policy_change,ana\n")
    cod = read_codings_csv(path, segments=seg, codebook=cb, texts=texts)
    assert cod.iloc[0]["segment_id"] is None  # not a whole segment
    assert segment_codes(cod, seg)["segment_id"].tolist() == ["interview_crlf#t002"]


def test_codings_csv_errors_list_rows(tmp_path, corpus):
    texts, seg = corpus
    cb = load_codebook()
    path = _csv(tmp_path, "segment_id,document,start,end,code,coder\n"
                "interview_a#t002,,,,safe_space,ana\n"          # row 2 fine
                "interview_a#t999,,,,safe_space,ana\n"          # row 3 unknown segment
                "interview_a#t003,,,,mentoring_magic,ana\n"     # row 4 unknown code
                "interview_a#t004,,,,mentoring_magic,ben\n"     # row 5 unknown code
                ",interview_zz,0,5,safe_space,ana\n"            # row 6 unknown document
                ",interview_a,10,99999,safe_space,ana\n"        # row 7 offsets outside
                "interview_a#t004,,,,learning_about_race,ana\n"  # row 8 parent only
                "interview_a#t004,,,,safe_space,\n")            # row 9 no coder
    with pytest.raises(ValidationError) as err:
        read_codings_csv(path, segments=seg, codebook=cb, texts=texts)
    message = str(err.value)
    assert "unknown segment 'interview_a#t999' on row 3" in message
    assert "unknown code 'mentoring_magic' on rows 4, 5" in message
    assert "unknown document 'interview_zz' on row 6" in message
    assert "row 7, column 'start': offsets 10-99999 are outside document 'interview_a'" in message
    assert "'learning_about_race' only groups other codes" in message and "row 8" in message
    assert "row 9, column 'coder': is empty" in message  # the codings schema's wording, as for every input table
    assert str(path) in message

    with pytest.raises(ValidationError, match=r"missing column\(s\): coder"):
        read_codings_csv(_csv(tmp_path, "segment_id,code\nx,y\n"), segments=seg, codebook=cb)
    with pytest.raises(InputError, match="empty"):
        read_codings_csv(_csv(tmp_path, ""), segments=seg, codebook=cb)


def test_suggestion_agreement_per_code(corpus):
    texts, seg = corpus
    cb = load_codebook()
    s = suggest_codes(seg, cb)
    row = seg.set_index("segment_id").loc["interview_a#t005"]
    cod = pd.DataFrame([{"document": "interview_a", "segment_id": "interview_a#t005", "start": row["start"],
                         "end": row["end"], "code": "sponsorship", "coder": "ana", "memo": None}])
    table = suggestion_agreement(s, cod, seg, codebook=cb).set_index("code")
    spons = table.loc["sponsorship"]
    assert (spons["suggested"], spons["coded"], spons["both"]) == (1, 1, 1)
    assert spons["precision"] == 1 and spons["recall"] == 1 and spons["kappa"] == pytest.approx(1)
    assert spons["segments"] == (seg["document"] == "interview_a").sum()


def test_codings_from_a_frame_use_the_codings_schema(corpus):
    """A frame of codings (not a file) gets the same checks: typed offsets, blank rows skipped, rows as given."""
    from rmresearch.coding import codings_from_frame
    from rmresearch.schemas import SCHEMAS

    texts, seg = corpus
    cb = load_codebook()
    assert SCHEMAS["codings"].required == ["code", "coder"]
    start = texts["interview_crlf"].index("We changed")
    frame = pd.DataFrame({"Document": ["interview_crlf", None, "interview_a"], "Start": [start, None, 5],
                          "End": [start + 10, None, "7.5"], "Code": ["actions_policy_change", None, "safe_space"],
                          "Coder": ["ana", None, "ben"]})
    ok = codings_from_frame(frame.iloc[:2], segments=seg, codebook=cb, texts=texts)
    assert ok[["document", "start", "end", "coder"]].values.tolist() == [["interview_crlf", start, start + 10, "ana"]]
    with pytest.raises(ValidationError) as err:
        codings_from_frame(frame, segments=seg, codebook=cb, texts=texts, source="mine.csv", rows=[2, 3, 9])
    assert "mine.csv, row 9, column 'end': is not a whole number" in str(err.value)
