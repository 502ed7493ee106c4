"""Issue 16, item 4 (survey text): an instrument's wording printed, and open-text answers anonymised with the
cohort's key and made available to coding.

Every input is written here, shaped like a pilot's files: a 3-person roster, one interview transcript, and a
post-programme survey export whose open-text answers name a participant, give a phone number and a job title.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from rmresearch.errors import ConfigError
from rmresearch.surveys.instruments import instrument_text, load_instrument


def _cli(*args: str, cwd: Path, capsys) -> SimpleNamespace:
    """The ``rmresearch`` command run in this process (as a user types it in ``cwd``): exit status, stdout, stderr."""
    from rmresearch.cli import main

    capsys.readouterr()
    here = os.getcwd()
    os.chdir(cwd)
    try:
        code = main(list(args))
    finally:
        os.chdir(here)
    out = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)


# ----------------------------------------------------------------------------------------- item 1: instrument wording


def test_instrument_text_lists_every_item_with_wording_options_and_reversal():
    text = instrument_text(load_instrument("psychological_safety"))
    lines = text.splitlines()
    assert lines[0] == "psychological_safety: Psychological safety in the pair"
    assert "Edmondson, 1999" in text  # the source, from the shipped file's leading comment
    assert "1 = Strongly disagree; 2 = Disagree; 3 = Neither agree nor disagree; 4 = Agree;" in text
    item3 = next(line for line in lines if line.strip().startswith("psychological_safety_3"))
    assert "(reversed) I worry that what I say" in item3
    item1 = next(line for line in lines if line.strip().startswith("psychological_safety_1"))
    assert "(reversed)" not in item1 and "I can speak honestly with my partner about race." in item1
    assert "scored 6 minus the answer" in text


def test_instrument_text_shows_open_questions_and_own_reference_and_licence(tmp_path):
    folder = tmp_path / "surveys/instruments"
    folder.mkdir(parents=True)
    (folder / "exit.yml").write_text(
        "instrument: exit\ntitle: Exit survey\nreference: Written by the pilot team, 2024\nlicence: CC BY 4.0\n"
        "scales:\n  - scale: value\n    response_options: {1: No, 2: Yes}\n    items:\n"
        "      - {id: value_1, text: The scheme was worth my time.}\n"
        "open_questions:\n  - {id: advice, text: 'What would you tell a new pair?', waves: [post]}\n")
    text = instrument_text(load_instrument("exit", folder=folder))
    assert "Reference: Written by the pilot team, 2024" in text and "Licence: CC BY 4.0" in text
    assert "response options: 1 = No; 2 = Yes" in text  # a bare YAML No/Yes is a label, not false/true
    assert "advice   What would you tell a new pair? [answered by everyone; waves: post]" in text


def test_unknown_instrument_names_close_matches():
    with pytest.raises(ConfigError, match=r"Did you mean 'psychological_safety'\?"):
        load_instrument("psychological_safty")


def test_cli_prints_one_instrument_and_lists_all_without_a_name(tmp_path, capsys):
    one = _cli("survey", "instruments", "mfq9", cwd=tmp_path, capsys=capsys)
    assert one.returncode == 0, one.stderr
    assert "mfq_role_model_3    I respect my partner's ability to teach others." in one.stdout
    assert "Scandura" in one.stdout
    listing = _cli("survey", "instruments", cwd=tmp_path, capsys=capsys)
    assert listing.returncode == 0 and "programme_feedback" in listing.stdout and "origin" in listing.stdout
    bad = _cli("survey", "instruments", "mfq", cwd=tmp_path, capsys=capsys)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "No instrument 'mfq'. Did you mean 'mfq9'?" in bad.stderr + bad.stdout


# ----------------------------------------------------------------------------- item 4: open-text answers anonymised

INTERVIEW = """Interviewer: Thanks for coming in today.
Tobiah Quennell: My partner Wendeline Marsh-Okoro listened. Ngozi Eze from HR sat in on one meeting too.
Interviewer: Anything else?
Tobiah Quennell: No, that is all.
"""

# A Forms-like plain export: the question wording as the header, answers with line breaks, a UK phone number, a job
# title, a participant and an outsider named, and an answer from a participant without interview consent.
SURVEY = (
    'participant_id,What has worked well in your partnership?,"What has not worked, or could be better?"\n'
    'P02,"Wendeline really listened. Ngozi Eze joined us once.\n\nCall me on 07700 900123 to hear more.",'
    '"Our Dean cancelled twice."\n'
    'P01,"Tobiah Quennell taught me a great deal about the student experience.",\n'
    'P03,"Ismay here: it changed my year, thanks Tobiah.","Too few meetings."\n'
)


def _cohort(root: Path, style: str = "tags", survey: str = SURVEY) -> Path:
    for folder in ("cohorts", "data/tiny", "interviews/tiny/raw", "surveys/tiny"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "cohorts/tiny.yml").write_text(
        "cohort: tiny\ntitle: Tiny test cohort\ninstitution: University of Anytown (synthetic)\n"
        "programme_type: reciprocal\nstart_date: 2024-10-01\nend_date: 2025-03-31\nroot: ..\n"
        "inputs:\n  participants: data/tiny/participants.csv\n  interviews: interviews/tiny/raw\n"
        "  surveys: {post: surveys/tiny/post.csv}\n"
        "outputs:\n  anonymised: interviews/tiny/anonymised\n  reports: reports/tiny\n  keys: keys/tiny\n"
        f"options:\n  survey_instruments_used: [programme_feedback]\n  anonymise: {{style: {style}}}\n")
    (root / "data/tiny/participants.csv").write_text(
        "participant_id,name,cohort,role,ethnicity_code,sex,grade,faculty,consent_interview,consent_records\n"
        "P01,Wendeline Marsh-Okoro,tiny,senior_leader,White - British,F,Professor,Science,Yes,Yes\n"
        "P02,Tobiah Quennell,tiny,staff_partner,Black - African,M,7,Science,Yes,Yes\n"
        "P03,Ismay Delacroix-Ahn,tiny,student_partner,Asian - Chinese,F,,Science,No,Yes\n")
    (root / "interviews/tiny/raw/a.txt").write_text(INTERVIEW)
    (root / "surveys/tiny/post.csv").write_text(survey)
    return root / "cohorts/tiny.yml"


def _run(path: Path):
    from rmresearch.anonymise.pipeline import anonymise_cohort
    from rmresearch.config import load_cohort

    config = load_cohort(path)
    return config, anonymise_cohort(config, progress=False)


def test_open_text_answers_anonymised_with_the_interviews_key(tmp_path):
    import hashlib

    path = _cohort(tmp_path)
    raw = tmp_path / "surveys/tiny/post.csv"
    before = hashlib.sha256(raw.read_bytes()).hexdigest()
    config, summary = _run(path)
    out = tmp_path / "interviews/tiny/anonymised"
    worked = (out / "survey_post_what_worked.txt").read_text()
    interview = next(p for p in out.glob("interview_*.txt")).read_text()
    lines = worked.splitlines()
    # one line per consenting respondent, in ID order, labelled with the pseudonym (never the name)
    assert [line.split(":")[0] for line in lines] == ["[P01]", "[P02]"]
    assert lines[0] == "[P01]: [P02] taught me a great deal about the student experience."
    # the outsider named in both the interview and the answer: one pseudonym
    outsider = re.search(r"\[PERSON_\d+\] from HR", interview).group(0).split()[0]
    assert lines[1].startswith(f"[P02]: [P01] really listened. {outsider} joined us once. Call me on [PHONE_1]")
    for word in ("Wendeline", "Ngozi", "Eze", "07700", "900123", "Ismay", "Tobiah"):
        assert word not in worked
    not_working = (out / "survey_post_what_not_working.txt").read_text()
    assert not_working.startswith("[P02]: ") and "Dean" not in not_working  # the job title generalised
    assert "Too few meetings" not in not_working  # P03 gave no interview consent
    run = summary.attrs["open_text"]
    assert (run.answers, run.left_out, run.left_out_people, run.not_listed) == (3, 2, 1, 0)
    # through review like transcripts, with the log beside each document; raw export untouched
    review = pd.read_csv(tmp_path / "interviews/tiny/review.csv")
    role = review.loc[review["document"] == "survey_post_what_not_working"]
    assert list(role["label"]) == ["ROLE"] and list(role["text"]) == ["Dean"]
    log = pd.read_csv(out / "survey_post_what_worked.log.csv", keep_default_na=False)
    for row in log.itertuples():  # the log's output offsets point at each replacement in the written text
        assert worked[row.out_start:row.out_end] == row.pseudonym
    assert hashlib.sha256(raw.read_bytes()).hexdigest() == before
    assert sorted(summary["document"]) == ["interview_01", "survey_post_what_not_working", "survey_post_what_worked"]


def test_open_text_segments_reach_coding_with_roles_not_names(tmp_path):
    from rmresearch.coding.cohort import load_coding_data
    from rmresearch.coding.suggest import suggest_codes

    config, _ = _run(_cohort(tmp_path))
    data = load_coding_data(config, sentence_splitter="regex")
    seg = data.segments.loc[data.segments["document"].str.startswith("survey_")]
    assert sorted(zip(seg["document"], seg["participant_id"])) == [
        ("survey_post_what_not_working", "P02"), ("survey_post_what_worked", "P01"), ("survey_post_what_worked", "P02")]
    assert set(seg["speaker_role"]) == {"interviewee"}
    roles = data.participants.set_index("participant_id")["role"]
    assert roles[seg["participant_id"]].tolist().count("staff_partner") == 2
    suggested = suggest_codes(data.segments, data.codebook)
    assert set(suggested["segment_id"]) & set(seg["segment_id"])  # code suggest sees the answers
    # the report does not call survey answers interviews: a note says which documents they are, and the
    # anonymisation summary counts them apart
    assert any(n.startswith("2 of these 3 documents hold open-text survey answers (survey_post_what_not_working, "
                            "survey_post_what_worked), not interviews") for n in data.notes)
    from rmresearch.anonymise.pipeline import anonymisation_summary

    info = anonymisation_summary(config)
    assert (info["documents"], info["survey_documents"]) == (1, 2)


def test_surrogate_style_gives_the_interviews_surrogate_name(tmp_path):
    _, _ = _run(_cohort(tmp_path, style="surrogates"))
    out = tmp_path / "interviews/tiny/anonymised"
    interview = (out / "interview_01.txt").read_text()
    speaker = interview.splitlines()[1].split(":")[0]  # Tobiah's surrogate in his interview
    worked = (out / "survey_post_what_worked.txt").read_text().splitlines()
    assert speaker not in ("Tobiah Quennell", "") and worked[1].startswith(f"{speaker}: ")
    assert "Tobiah" not in "".join(worked) and "Wendeline" not in "".join(worked)


def test_review_decisions_on_survey_answers_apply_on_rerun_and_withdrawal_is_caught(tmp_path):
    from rmresearch.anonymise.pipeline import consent_not_in_copies

    path = _cohort(tmp_path)
    config, _ = _run(path)
    review_file = tmp_path / "interviews/tiny/review.csv"
    review = pd.read_csv(review_file, dtype=str, keep_default_na=False)
    review.loc[(review["document"] == "survey_post_what_not_working") & (review["text"] == "Dean"), "decision"] = "reject"
    review.to_csv(review_file, index=False)
    key = (tmp_path / "keys/tiny/pseudonym_key.json").read_text()
    _, summary = _run(path)
    out = tmp_path / "interviews/tiny/anonymised"
    assert (out / "survey_post_what_not_working.txt").read_text() == "[P02]: Our Dean cancelled twice.\n"
    assert summary.attrs["unmatched_decisions"] == 0
    assert (tmp_path / "keys/tiny/pseudonym_key.json").read_text() == key  # the same pseudonyms, nothing new
    # P02 withdraws after the run: the copies that still hold their answers are named, by ID and file only
    people = tmp_path / "data/tiny/participants.csv"
    people.write_text(people.read_text().replace("Tobiah Quennell,tiny,staff_partner,Black - African,M,7,Science,Yes",
                                                 "Tobiah Quennell,tiny,staff_partner,Black - African,M,7,Science,No"))
    from rmresearch.config import load_cohort

    stale = consent_not_in_copies(load_cohort(path))
    assert "survey_post_what_worked.txt" in stale and "survey_post_what_not_working.txt" in stale and "P02" in stale


def test_an_export_that_cannot_be_read_leaves_the_transcripts_done_and_says_so(tmp_path, capsys):
    bad = SURVEY.replace("P01,", "P99,")  # a respondent not in the participants table
    path = _cohort(tmp_path, survey=bad)
    result = _cli("anonymise", "run", "--cohort", str(path), "--no-progress", cwd=tmp_path, capsys=capsys)
    assert result.returncode == 0, result.stderr
    assert "Anonymised 1 transcript(s) of cohort 'tiny'" in result.stdout
    assert "Open-text survey answers were NOT anonymised (no survey_*.txt written)" in result.stderr
    assert "P99" in result.stderr and "rmresearch validate" in result.stderr and "Traceback" not in result.stderr
    out = tmp_path / "interviews/tiny/anonymised"
    assert (out / "interview_01.txt").is_file() and not list(out.glob("survey_*"))


def test_a_survey_export_changed_after_the_run_stops_the_report(tmp_path):
    import os as _os

    from rmresearch.anonymise.pipeline import check_anonymised
    from rmresearch.errors import InputError

    path = _cohort(tmp_path)
    config, _ = _run(path)
    check_anonymised(config)  # fresh: passes
    export = tmp_path / "surveys/tiny/post.csv"
    later = max(p.stat().st_mtime for p in (tmp_path / "interviews/tiny/anonymised").glob("survey_*.txt")) + 60
    _os.utime(export, (later, later))
    with pytest.raises(InputError, match=r"post.csv changed after their open-text answers were anonymised.*"
                                         r"rmresearch anonymise run --cohort tiny"):
        check_anonymised(config)


# A Qualtrics CSV export as its documentation describes it: row 1 the column names, row 2 the question text, row 3
# the ImportId of each column; survey metadata first (recipient names and e-mail among them), respondents linked by
# ExternalReference (the participant ID), the open question's column named by its QID.
_META = [("StartDate", "Start Date", '{""ImportId"":""startDate"",""timeZone"":""Europe/London""}'),
         ("EndDate", "End Date", '{""ImportId"":""endDate"",""timeZone"":""Europe/London""}'),
         ("Status", "Response Type", '{""ImportId"":""status""}'),
         ("Progress", "Progress", '{""ImportId"":""progress""}'),
         ("Duration (in seconds)", "Duration (in seconds)", '{""ImportId"":""duration""}'),
         ("Finished", "Finished", '{""ImportId"":""finished""}'),
         ("RecordedDate", "Recorded Date", '{""ImportId"":""recordedDate"",""timeZone"":""Europe/London""}'),
         ("ResponseId", "Response ID", '{""ImportId"":""_recordId""}'),
         ("RecipientLastName", "Recipient Last Name", '{""ImportId"":""recipientLastName""}'),
         ("RecipientFirstName", "Recipient First Name", '{""ImportId"":""recipientFirstName""}'),
         ("RecipientEmail", "Recipient Email", '{""ImportId"":""recipientEmail""}'),
         ("ExternalReference", "External Data Reference", '{""ImportId"":""externalDataReference""}'),
         ("DistributionChannel", "Distribution Channel", '{""ImportId"":""distributionChannel""}'),
         ("UserLanguage", "User Language", '{""ImportId"":""userLanguage""}'),
         ("Q1", "What has worked well in your partnership?", '{""ImportId"":""QID1_TEXT""}')]


def _qualtrics(rows: list[list[str]]) -> str:
    def line(cells):
        return ",".join(f'"{c}"' for c in cells)

    return "\n".join([line(m[0] for m in _META), line(m[1] for m in _META), line(m[2] for m in _META)]
                     + [line(r) for r in rows]) + "\n"


def test_qualtrics_export_open_text_anonymised_and_metadata_never_written(tmp_path):
    def row(pid, first, last, answer):
        return ["02/04/2025 10:01", "02/04/2025 10:09", "IP Address", "100", "480", "True", "02/04/2025 10:09",
                f"R_{pid}abc", last, first, f"{first.lower()}.{last.lower()}@anytown.ac.uk", pid, "email", "EN-GB", answer]

    export = _qualtrics([row("P01", "Wendeline", "Marsh-Okoro", "Tobiah showed me the student side; ring 0113 496 0001."),
                         row("P02", "Tobiah", "Quennell", "Working with Wendeline Marsh-Okoro."),
                         row("P03", "Ismay", "Delacroix-Ahn", "It was fine.")])
    config, summary = _run(_cohort(tmp_path, survey=export))
    run = summary.attrs["open_text"]
    assert run.problem == "" and (run.answers, run.left_out) == (2, 1)
    text = (tmp_path / "interviews/tiny/anonymised/survey_post_what_worked.txt").read_text()
    assert text == ("[P01]: [P02] showed me the student side; ring [PHONE_1].\n"
                    "[P02]: Working with [P01].\n")
    for word in ("Marsh", "Quennell", "Ismay", "anytown.ac.uk", "R_P0", "EN-GB", "0113"):
        assert word not in text
