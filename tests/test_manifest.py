"""Whose interview is it: the interview manifest, unlabelled transcripts, interviewer turns (issue 13, item 5)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from rmresearch.coding import load_coding_data, suggest_codes
from rmresearch.coding.analysis import exemplar_quotes, framework_matrix
from rmresearch.coding.manifest import (
    ANONYMISED_MANIFEST,
    anonymised_manifest,
    is_interviewer_label,
    read_anonymised_manifest,
    read_manifest,
    speaker_notes,
)
from rmresearch.config import load_cohort
from rmresearch.consent import WITHHELD_MARKER
from rmresearch.inputs import validate_cohort
from rmresearch.transcripts import Transcript

RAW = ["interview_01.docx", "interview_02.txt", "interview_03.vtt", "interview_04.txt"]


def _manifest_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "manifest.csv"
    path.write_text("file,participant_id,interviewer,date\n" + body, encoding="utf-8")
    return path


def test_manifest_problems_name_the_file_row_and_column(tmp_path):
    path = _manifest_file(tmp_path, "interview_01.docx,P01,Eleanor Bird,10/03/2025\n"
                                    "interview_01.docx,P02,Eleanor Bird,\n"
                                    "interveiw_02.txt,P13,Yaw Nwachukwu,\n"
                                    "interview_03.vtt,P99,,\n")
    frame, problems = read_manifest(path, participant_ids=["P01", "P02", "P13", "P14"], transcripts=RAW)
    errors = {(p.row, p.column): p.message for p in problems if p.severity == "error"}
    assert set(errors) == {(3, "file"), (4, "file"), (5, "participant_id")}
    assert "duplicate file 'interview_01.docx' on rows 2, 3" in errors[(3, "file")]
    assert errors[(4, "file")].startswith("'interveiw_02.txt' is not a transcript in the raw interviews folder. "
                                          "Did you mean 'interview_02.txt'?")
    assert errors[(5, "participant_id")].startswith("'P99' is not a participant_id in the participants table")
    warnings = sorted(p.message.split("'")[1] for p in problems if p.severity == "warning")
    assert warnings == ["interview_02.txt", "interview_04.txt"]  # in the folder, not in the manifest
    assert all(p.file == str(path) for p in problems)
    assert str([p for p in problems if p.row == 5][0]).startswith(f"{path}, row 5, column 'participant_id': ")
    assert frame["date"].iloc[0] == pd.Timestamp("2025-03-10")


def test_file_names_may_be_written_with_backslashes_or_a_leading_dot(tmp_path):
    path = _manifest_file(tmp_path, ".\\sub\\interview_05.docx,P01,,\n ./interview_01.docx ,P02,,\n")
    frame, problems = read_manifest(path, participant_ids=["P01", "P02"], transcripts=["sub/interview_05.docx",
                                                                                       "interview_01.docx"])
    assert frame["file"].tolist() == ["sub/interview_05.docx", "interview_01.docx"] and not problems


def test_a_manifest_without_the_required_columns_is_one_clear_error(tmp_path):
    path = tmp_path / "manifest.csv"
    path.write_text("transcript,who\ninterview_01.docx,P01\n", encoding="utf-8")
    _, problems = read_manifest(path, participant_ids=["P01"], transcripts=RAW)
    assert any(p.severity == "error" and "file" in p.message for p in problems)


def test_interviewer_labels():
    assert is_interviewer_label("Eleanor Bird", "Eleanor Bird") and is_interviewer_label("eleanor", "Eleanor Bird")
    assert is_interviewer_label("Interviewer") and is_interviewer_label("Researcher 2") and is_interviewer_label("MODERATOR")
    assert not is_interviewer_label("Favour Ncube", "Eleanor Bird") and not is_interviewer_label("Interviewer notes")
    assert not is_interviewer_label(None, "Eleanor Bird") and not is_interviewer_label("Eleanor Bird", None)


def test_the_anonymised_manifest_holds_the_interviewers_anonymised_label_and_no_names():
    raw = {"a.docx": Transcript.from_turns([("Eleanor Bird", "Hi Favour."), ("Favour Ncube", "Hi."),
                                            ("Eleanor", "How was it?")]),
           "b.vtt": Transcript.from_turns([(None, "hi favour"), (None, "of course")])}
    manifest = pd.DataFrame({"file": ["a.docx", "b.vtt"], "participant_id": ["P14", "P14"],
                             "interviewer": ["Eleanor Bird", "Eleanor Bird"]})
    texts = {"a.docx": "[PERSON_1]: Hi [P14].\n[P14]: Hi.\n[PERSON_1]: How was it?", "b.vtt": "hi [P14]\nof course"}
    out = anonymised_manifest(manifest, raw, {"a.docx": "interview_01", "b.vtt": "interview_02"}, texts)
    assert out.to_dict("records") == [
        {"document": "interview_01", "participant_id": "P14", "interviewer_labels": "[PERSON_1]", "speaker_labels": "yes"},
        {"document": "interview_02", "participant_id": "P14", "interviewer_labels": "", "speaker_labels": "no"}]
    assert "Eleanor" not in out.to_csv() and "a.docx" not in out.to_csv()


def test_speaker_notes_name_each_silent_transcript():
    seg = pd.DataFrame({"document": ["a", "b", "c"], "speaker": [None, None, "[P01]"], "participant_id": [None, None, "P01"]})
    assert speaker_notes(seg) == [
        "No speaker is found in transcripts a, b and the interview manifest does not say whose interview they are, so "
        "they add nothing to the themes below; name their interviewee in the interview manifest (inputs.interview_manifest)."]
    assert speaker_notes(seg.iloc[2:]) == []


# --------------------------------------------------------------------------- the pilot cohort, end to end

SMALL = {"n_students": 300, "n_staff": 300}


def _pilot(out: Path, manifest_rows: str | None = None):
    from rmresearch.anonymise.pipeline import anonymise_cohort
    from rmresearch.synthetic import generate_pilot

    generate_pilot(out, seed=2024, **SMALL)
    if manifest_rows is not None:
        (out / "data/pilot/interview_manifest.csv").write_text("file,participant_id,interviewer,date\n" + manifest_rows,
                                                               encoding="utf-8")
    config = load_cohort("pilot", cohorts_dir=out / "cohorts")
    summary = anonymise_cohort(config, progress=False)
    return config, summary


@pytest.fixture(scope="module")
def pilot(tmp_path_factory):
    out = tmp_path_factory.mktemp("manifest_pilot")
    config, summary = _pilot(out)
    return out, config, summary, load_coding_data(config, unit="turn", grouping="aggregate")


@pytest.mark.slow
def test_the_pilot_writes_its_manifest_and_names_it(pilot):
    out, config, summary, _ = pilot
    manifest = pd.read_csv(out / "data/pilot/interview_manifest.csv", dtype=str)
    assert manifest.to_dict("list") == {"file": ["interview_01.docx", "interview_02.txt", "interview_03.vtt",
                                                 "interview_04.txt"],
                                        "participant_id": ["P01", "P13", "P14", "P11"],
                                        "interviewer": ["Eleanor Bird", "Yaw Nwachukwu", "Eleanor Bird", "Yaw Nwachukwu"],
                                        "date": ["10/03/2025", "12/03/2025", "17/03/2025", "19/03/2025"]}
    assert config.inputs["interview_manifest"] == out / "data/pilot/interview_manifest.csv"
    # the participant without interview consent (P11) was interviewed before they said no: interview_04 is theirs
    participants = pd.read_csv(out / "data/pilot/participants.csv", dtype=str)
    assert participants.loc[participants["consent_interview"] == "No", "participant_id"].tolist() == ["P11"]
    _, problems = validate_cohort(config)
    assert not [p for p in problems if p.severity == "error"], problems
    silent = [p for p in problems if "no speaker found" in p.message]
    assert len(silent) == 1 and silent[0].file.endswith("interview_03.vtt") and silent[0].severity == "warning"
    assert "attributed to P14" in silent[0].message and "cannot be told apart" in silent[0].message
    assert summary.attrs["no_speakers"] == [silent[0].message]
    written = read_anonymised_manifest(config.outputs["anonymised"])
    assert written.to_dict("list") == {"document": ["interview_01", "interview_02", "interview_03", "interview_04"],
                                       "participant_id": ["P01", "P13", "P14", "P11"],
                                       "interviewer_labels": ["[PERSON_1]", "Interviewer", "", "Interviewer"],
                                       "speaker_labels": ["yes", "yes", "no", "yes"]}
    # in the anonymised copy every turn of P11 is withheld; the interviewer's questions stay, and nothing of P11 is coded
    kept = (Path(config.outputs["anonymised"]) / "interview_04.txt").read_text(encoding="utf-8").splitlines()
    assert {line.split(": ", 1)[1] for line in kept if line.startswith("[P11]: ")} == {WITHHELD_MARKER}
    assert sum(line.startswith("Interviewer: ") for line in kept) == len(kept) // 2
    assert summary.set_index("document").loc["interview_04", "WITHHELD"] == len(kept) // 2


@pytest.mark.slow
def test_an_unlabelled_caption_transcript_gives_a_participant_suggestions_and_a_matrix_row(pilot):
    _, _, _, data = pilot
    seg = data.segments
    caption = seg.loc[seg["document"] == "interview_03"]
    assert len(caption) > 50 and set(caption["participant_id"]) == {"P14"} and set(caption["speaker_role"]) == {"interviewee"}
    assert set(seg["participant_id"].dropna()) == {"P01", "P13", "P14"}
    # in the labelled transcripts the interviewer is known by the manifest's name ([PERSON_1]) or the label Interviewer
    labelled = seg.loc[seg["document"] != "interview_03"]
    assert set(labelled.loc[labelled["speaker_role"] == "interviewer", "speaker"]) == {"[PERSON_1]", "Interviewer"}
    assert set(labelled["speaker_role"]) == {"interviewer", "interviewee"}
    suggestions = suggest_codes(seg, data.codebook, participants_only=True)
    assert (suggestions["document"] == "interview_03").sum() > 0
    matrix = framework_matrix(data.codings, seg, data.participants, codebook=data.codebook)
    row = matrix.loc[matrix["participant_id"] == "P14"]
    assert len(row) == 1 and row["role"].iloc[0] == "student_partner" and (row.iloc[0, 3:] != "").sum() >= 5
    assert any("interview_03" in n and "P14" in n and "cannot be told apart" in n for n in data.notes)
    # every coding of the caption file is on a line the ground truth says P14 spoke (the codings cite cue lines)
    coded = seg.set_index("segment_id").loc[data.codings.loc[data.codings["document"] == "interview_03", "segment_id"]]
    assert not coded["text"].str.contains("thanks for making time").any()
    # quotes from the caption file are whole passages (consecutive coded cue lines), not a cue cut mid-sentence
    quotes = exemplar_quotes(data.codings, seg, data.participants, codebook=data.codebook)
    theirs = quotes.loc[quotes["participant_id"] == "P14"]
    assert len(theirs) >= 3 and theirs["segment_id"].str.contains("–").any()
    first = theirs.loc[theirs["segment_id"].str.contains("–")].iloc[0]
    lines = seg.set_index("segment_id")["text"]
    start, end = first["segment_id"].split("–")
    assert first["quote"].startswith(lines[start][:30]) and len(first["quote"]) > len(lines[start])


@pytest.mark.slow
def test_the_interview_of_the_participant_without_consent_is_left_out_whole(pilot):
    """interview_04 is P11's (no interview consent): not a text, a segment or a coding, and the notes say so."""
    out, _, _, data = pilot
    assert sorted(data.texts) == ["interview_01", "interview_02", "interview_03"]
    assert set(data.segments["document"]) == set(data.texts) and "P11" not in set(data.participants["participant_id"])
    coded = pd.read_csv(out / "data/pilot/codings.csv", dtype=str)["segment_id"].str.startswith("interview_04#")
    assert coded.sum() >= 10 and not data.codings["document"].eq("interview_04").any() and data.codings_dropped == coded.sum()
    assert [n for n in data.notes if "interview_04" in n] == [
        "Transcript interview_04 is the interview of a participant who did not consent to interview use (or withdrew), "
        "so it is left out of everything here, the interviewer's questions too."]


@pytest.mark.slow
def test_agreement_counts_only_the_interviewees_turns_on_the_pilot(pilot):
    from rmresearch.coding import coding_comparison

    _, _, _, data = pilot
    pooled = coding_comparison(data.codings, data.segments).query("document == '(all sources)'")
    every = coding_comparison(data.codings, data.segments, speakers="all").query("document == '(all sources)'")
    interviewees = int((data.segments["speaker_role"] == "interviewee").sum())
    assert set(pooled["units"]) == {interviewees} and set(every["units"]) == {len(data.segments)}
    assert interviewees < len(data.segments)
    # every interviewer turn is a unit neither coder coded: leaving them out lowers agreement, never raises it
    merged = pooled.set_index("code")["agreement_pct"] <= every.set_index("code")["agreement_pct"] + 1e-9
    assert merged.all()


@pytest.mark.slow
def test_an_unlabelled_transcript_of_a_participant_without_consent_is_withheld_whole(tmp_path):
    rows = ("interview_01.docx,P01,Eleanor Bird,\ninterview_02.txt,P13,Interviewer,\n"
            "interview_03.vtt,P11,Eleanor Bird,\ninterview_04.txt,P11,Interviewer,\n")  # as if the caption file were P11's
    config, summary = _pilot(tmp_path, rows)
    text = (Path(config.outputs["anonymised"]) / "interview_03.txt").read_text(encoding="utf-8")
    assert set(text.splitlines()) == {WITHHELD_MARKER}
    assert summary.set_index("document").loc["interview_03", "WITHHELD"] == len(text.splitlines())
    assert "all of it is withheld" in summary.attrs["no_speakers"][0]
    data = load_coding_data(config, unit="turn", grouping="aggregate")
    assert not (data.segments["document"] == "interview_03").any()
    assert "P11" not in set(data.segments["participant_id"].dropna()) and "P11" not in set(data.participants["participant_id"])
    assert not data.codings["document"].eq("interview_03").any() and data.codings_dropped > 0
    quotes = exemplar_quotes(data.codings, data.segments, data.participants, codebook=data.codebook)
    assert not quotes["segment_id"].str.startswith("interview_03").any()
    matrix = framework_matrix(data.codings, data.segments, data.participants, codebook=data.codebook)
    assert "P11" not in set(matrix["participant_id"])


@pytest.mark.slow
def test_without_a_manifest_an_unlabelled_transcript_is_named_and_adds_nothing(tmp_path):
    from rmresearch.anonymise.pipeline import anonymise_cohort
    from rmresearch.synthetic import generate_pilot

    generate_pilot(tmp_path, seed=2024, **SMALL)
    cohort = tmp_path / "cohorts/pilot.yml"
    cohort.write_text("".join(line for line in cohort.read_text(encoding="utf-8").splitlines(keepends=True)
                              if "interview_manifest" not in line), encoding="utf-8")
    config = load_cohort("pilot", cohorts_dir=tmp_path / "cohorts")
    summary = anonymise_cohort(config, progress=False)
    assert not (Path(config.outputs["anonymised"]) / ANONYMISED_MANIFEST).exists()
    assert len(summary.attrs["no_speakers"]) == 1 and "adds nothing to the themes" in summary.attrs["no_speakers"][0]
    _, problems = validate_cohort(config)
    silent = [p for p in problems if "no speaker found" in p.message]
    assert len(silent) == 1 and "interview_03.vtt" in silent[0].message and "interview manifest" in silent[0].message
    data = load_coding_data(config, unit="turn", grouping="aggregate")
    caption = data.segments.loc[data.segments["document"] == "interview_03"]
    assert caption["participant_id"].isna().all() and set(caption["speaker_role"]) == {"unattributed"}
    assert any(n.startswith("No speaker is found in transcript interview_03") for n in data.notes)


@pytest.mark.slow
def test_validate_warns_of_an_interviewer_not_in_the_transcript_and_a_manifest_newer_than_the_anonymised_copies(tmp_path):
    import os

    config, _ = _pilot(tmp_path)
    path = tmp_path / "data/pilot/interview_manifest.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("P01,Eleanor Bird", "P01,Kofi Mensah"), encoding="utf-8")
    written = Path(config.outputs["anonymised"]) / ANONYMISED_MANIFEST
    os.utime(path, (written.stat().st_mtime + 10, written.stat().st_mtime + 10))
    _, problems = validate_cohort(config)
    odd = [p for p in problems if "speaker labels, so their turns are not known" in p.message]
    assert len(odd) == 1 and (odd[0].row, odd[0].column, odd[0].severity) == (2, "interviewer", "warning")
    assert "interview_01.docx is none of its 2 speaker labels" in odd[0].message
    # validation warnings are listed in the report's appendix: no name in any of them
    assert not [p for p in problems if re.search(r"Kofi|Mensah|Eleanor|Bird|Hugh|Thornton|Favour|Ncube", p.message)]
    assert any("written before this manifest" in p.message and p.file == str(path) for p in problems)
    notes = load_coding_data(config).notes
    assert any(n.startswith("The interview manifest changed after the transcripts were anonymised") for n in notes)


@pytest.mark.slow
def test_a_wrong_interviewee_is_named_and_a_corrected_manifest_replaces_the_anonymised_one(tmp_path):
    from rmresearch.anonymise.pipeline import anonymise_cohort

    wrong = ("interview_01.docx,P01,Eleanor Bird,\ninterview_02.txt,P15,Interviewer,\ninterview_03.vtt,P14,Eleanor Bird,\n"
             "interview_04.txt,P11,Interviewer,\n")
    config, _ = _pilot(tmp_path, wrong)
    _, problems = validate_cohort(config)
    silent = [p for p in problems if "never speaks" in p.message]
    assert len(silent) == 1 and silent[0].column == "participant_id"
    assert "names P15 as the interviewee of anonymised transcript interview_02, but P15 never speaks in it (P13 does)" \
        in silent[0].message
    path = tmp_path / "data/pilot/interview_manifest.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("P15", "P13"), encoding="utf-8")
    anonymise_cohort(config, progress=False)  # the new anonymised manifest replaces the one kept from the last run
    written = read_anonymised_manifest(config.outputs["anonymised"])
    assert written["participant_id"].tolist() == ["P01", "P13", "P14", "P11"]
    _, problems = validate_cohort(config)
    assert not [p for p in problems if "never speaks" in p.message or "written before" in p.message]


def test_an_excel_manifest_reads_like_the_csv(tmp_path):
    csv = _manifest_file(tmp_path, "interview_01.docx,P01,Eleanor Bird,10/03/2025\ninterview_03.vtt,P14,,\n")
    xlsx = tmp_path / "manifest.xlsx"
    pd.DataFrame({"file": ["interview_01.docx", "interview_03.vtt"], "participant_id": ["P01", "P14"],
                  "interviewer": ["Eleanor Bird", None], "date": [pd.Timestamp("2025-03-10"), None]}).to_excel(xlsx, index=False)
    a, pa = read_manifest(csv, participant_ids=["P01", "P14"], transcripts=RAW[:1] + RAW[2:3])
    b, pb = read_manifest(xlsx, participant_ids=["P01", "P14"], transcripts=RAW[:1] + RAW[2:3])
    assert not pa and not pb
    cols = ["file", "participant_id", "interviewer", "date"]
    assert a[cols].astype(str).to_dict("list") == b[cols].astype(str).to_dict("list")


@pytest.mark.slow
def test_code_agreement_counts_interviewees_turns_unless_asked_for_every_speaker(pilot, capsys):
    from rmresearch.cli import main

    out, _, _, data = pilot
    args = ["code", "agreement", str(out / "data/pilot/codings.csv"), "--cohort", "pilot", "--cohorts-dir", str(out / "cohorts")]
    assert main(args) == 0
    shown = capsys.readouterr().out
    assert main(args + ["--all-speakers"]) == 0
    every = capsys.readouterr().out
    interviewees = int((data.segments["speaker_role"] == "interviewee").sum())
    assert "interviewees only" in shown and f" {interviewees} " in shown.splitlines()[2]
    assert "every speaker" in every and f" {len(data.segments)} " in every.splitlines()[2]
