"""Survey respondents linked to participants as real exports identify them; unfinished and repeated responses.

The exports are written here from the platforms' documentation, not copied from anyone's files:

- Qualtrics "Export data" CSV (choice text or numeric values): three header rows: the column names (StartDate, EndDate,
  Status, IPAddress, Progress, "Duration (in seconds)", Finished, RecordedDate, ResponseId, RecipientLastName,
  RecipientFirstName, RecipientEmail, ExternalReference, LocationLatitude, LocationLongitude, DistributionChannel,
  UserLanguage, then Q1_1...), the question text ("Response ID", "Recipient Email", "External Data Reference",
  "<question> - <statement>" for a matrix), and ``{"ImportId":"..."}`` cells; UTF-8 with a byte-order mark. A response
  closed before the end (its session expired) is recorded as-is with Finished false and Progress under 100.
- Microsoft Forms "Open in Excel": ID (1, 2, 3...), Start time, Completion time, Email, Name, then one column per
  question (its text); Email is "anonymous" when anyone could respond.

The cohort is a 12-pair pilot: 24 participants whose e-mails are written in Title Case with trailing spaces, as a
spreadsheet holds them; the exports write them in lower case.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from rmresearch import surveys
from rmresearch.config import _check_surveys
from rmresearch.errors import ConfigError, InputError, ValidationError
from rmresearch.surveys.respondents import Link, parse_link

FIRST = ["Hugh", "Stuart", "Matthew", "Fiona", "Gareth", "Helen", "Imran", "Joanna", "Keith", "Lorna", "Martin", "Nadia",
         "Obinna", "Priya", "Kwame", "Rukhsana", "Samuel", "Tendai", "Usha", "Victor", "Wanjiru", "Xin", "Yusuf", "Zara"]
LAST = ["Thornton", "Harrington", "Sutcliffe", "Ashdown", "Bellamy", "Crowther", "Dawood", "Everett", "Fenwick", "Gilchrist",
        "Hollis", "Iqbal", "Okafor", "Patel", "Mensah", "Begum", "Adeyemi", "Moyo", "Rao", "Chukwu", "Kamau", "Li", "Hassan", "Ali"]
ITEMS = [f"psychological_safety_{k}" for k in range(1, 5)]
STEM = "How far do you agree with each statement about your partnership?"
META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished", "RecordedDate",
        "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail", "ExternalReference", "LocationLatitude",
        "LocationLongitude", "DistributionChannel", "UserLanguage"]
META_TEXT = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)", "Finished",
             "Recorded Date", "Response ID", "Recipient Last Name", "Recipient First Name", "Recipient Email",
             "External Data Reference", "Location Latitude", "Location Longitude", "Distribution Channel", "User Language"]
META_IMPORT = ["startDate", "endDate", "status", "ipAddress", "progress", "duration", "finished", "recordedDate", "_recordId",
               "recipientLastName", "recipientFirstName", "recipientEmail", "externalDataReference", "locationLatitude",
               "locationLongitude", "distributionChannel", "userLanguage"]


@pytest.fixture(scope="module")
def instrument():
    return surveys.load_instrument("psychological_safety")


def _participants() -> pd.DataFrame:
    """The 12-pair cohort: P01-P12 senior leaders, P13-P24 their partners; e-mails as a spreadsheet holds them."""
    ids = [f"P{i:02d}" for i in range(1, 25)]
    return pd.DataFrame({
        "participant_id": ids,
        "role": ["senior_leader"] * 12 + ["staff_partner"] * 8 + ["student_partner"] * 4,
        "email": [f"{f}.{l}@Anytown.ac.uk  " for f, l in zip(FIRST, LAST)],
    })


def _answer(i: int, k: int) -> int:
    """Participant i's (1-24) answer to item k (1-4): a known pattern over the five options."""
    return (i + k) % 5 + 1


def _email(i: int) -> str:
    return f"{FIRST[i - 1]}.{LAST[i - 1]}@anytown.ac.uk".lower()


def _qualtrics(path: Path, people, *, unfinished=(), ids="email", extra=()) -> Path:
    """A Qualtrics CSV export (choice-text values, UTF-8 with BOM) of these people's answers.

    ``unfinished``: people whose response was closed part-way (Finished False, Progress 50, last item unanswered).
    ``ids``: "email" (RecipientEmail only), "response" (ResponseId only) or "reference" (ExternalReference = the ID).
    ``extra``: (person, recorded, finished) responses appended: a second response by someone.
    """
    texts = [f"{STEM} - {surveys.load_instrument('psychological_safety').item(i).text}" for i in ITEMS]
    header = [META + [f"Q1_{k}" for k in range(1, 5)], META_TEXT + texts,
              [json.dumps({"ImportId": m}) for m in META_IMPORT] + [json.dumps({"ImportId": f"QID1_{k}"}) for k in range(1, 5)]]
    body = []
    for number, (i, recorded, finished) in enumerate([(i, "2025-03-20 10:00:00", i not in unfinished) for i in people] + list(extra)):
        answers = [str(_answer(i, k)) for k in range(1, 5)]
        if not finished:
            answers[-1] = ""
        body.append([
            "2025-03-20 09:00:00", recorded, "IP Address", "192.0.2.1", "100" if finished else "50", "420",
            "True" if finished else "False", recorded, f"R_{number:02d}aBcDeFgHiJkLm",
            LAST[i - 1] if ids == "email" else "", FIRST[i - 1] if ids == "email" else "",
            _email(i) if ids == "email" else "", f"P{i:02d}" if ids == "reference" else "", "51.5", "-0.1", "email", "EN",
            *answers,
        ])
    frame = pd.DataFrame(header + body)
    frame.to_csv(path, header=False, index=False, encoding="utf-8-sig")
    return path


def _forms(path: Path, rows) -> Path:
    """A Microsoft Forms Excel export: ID, Start time, Completion time, Email, Name, one column per question."""
    inst = surveys.load_instrument("psychological_safety")
    options = inst.scale_of(ITEMS[0]).options
    header = ["ID", "Start time", "Completion time", "Email", "Name"] + [inst.item(i).text for i in ITEMS]
    body = [[n, "20/03/2025 09:00:00", "20/03/2025 09:06:00", email, name] + [options[_answer(i, k)] for k in range(1, 5)]
            for n, (i, email, name) in enumerate(rows, start=1)]
    pd.DataFrame(body, columns=header).to_excel(path, index=False)
    return path


def _mean(people, k: int) -> float:
    return float(np.mean([_answer(i, k) for i in people]))


# --------------------------------------------------------------------------- Qualtrics, keyed by RecipientEmail


def test_qualtrics_export_keyed_only_by_recipient_email_links_the_12_pairs(instrument, tmp_path):
    path = _qualtrics(tmp_path / "post.csv", range(1, 25))
    for link in ("RecipientEmail=email", None):  # configured, and found by default from the participants' email column
        result = surveys.read_responses(path, instrument, wave="post", participants=_participants(), link=link)
        assert list(result.responses["participant_id"]) == [f"P{i:02d}" for i in range(1, 25)]
        assert list(result.responses.columns) == ["participant_id", "wave", *ITEMS]
        assert result.responses[ITEMS].to_numpy().tolist() == [[_answer(i, k) for k in range(1, 5)] for i in range(1, 25)]
        assert "'RecipientEmail' to the participants' email" in result.link
        assert result.unfinished == [] and not [p for p in result.problems if p.severity == "error"]


def test_an_unknown_email_is_named_with_its_row(instrument, tmp_path):
    path = _qualtrics(tmp_path / "post.csv", range(1, 25))
    people = _participants()
    people.loc[6, "email"] = "someone.else@anytown.ac.uk"  # P07's e-mail changed: her response links no one
    with pytest.raises(ValidationError) as err:
        surveys.read_responses(path, instrument, wave="post", participants=people, link="RecipientEmail=email")
    (problem,) = err.value.problems
    # three header rows: the 7th response is on line 10 of the file
    assert problem.row == 10 and problem.column == "RecipientEmail"
    assert "row 10 ('imran.dawood@anytown.ac.uk')" in problem.message and "participants table" in problem.message


def test_two_participants_sharing_an_email_cannot_be_told_apart(instrument, tmp_path):
    path = _qualtrics(tmp_path / "post.csv", range(1, 25))
    people = _participants()
    people.loc[1, "email"] = " HUGH.THORNTON@anytown.ac.uk"  # P02 holds P01's e-mail, in other case and spacing
    with pytest.raises(ValidationError) as err:
        surveys.read_responses(path, instrument, wave="post", participants=people, link="RecipientEmail=email")
    messages = [p.message for p in err.value.problems]
    assert any("participants P01 and P02 share the email" in m for m in messages)


def test_response_id_alone_cannot_link_people_and_says_how_to(instrument, tmp_path):
    path = _qualtrics(tmp_path / "post.csv", range(1, 25), ids="response")
    with pytest.raises(InputError) as err:
        surveys.read_responses(path, instrument, wave="post", participants=_participants())
    message = str(err.value)
    assert "'ResponseId' (the platform's number for each response, not a person)" in message
    assert "cannot say who answered" in message and "ExternalReference" in message
    assert "--link RecipientEmail=email" in message and "options: surveys: {link:" in message
    # linking by it anyway names the rows and says what the values are
    with pytest.raises(ValidationError, match="these are Qualtrics response numbers, not people"):
        surveys.read_responses(path, instrument, wave="post", participants=_participants(), link="ResponseId=participant_id")


def test_external_reference_holding_participant_ids_links_by_default(instrument, tmp_path):
    path = _qualtrics(tmp_path / "post.csv", range(1, 25), ids="reference")
    result = surveys.read_responses(path, instrument, wave="post", participants=_participants())
    assert list(result.responses["participant_id"]) == [f"P{i:02d}" for i in range(1, 25)]
    assert "'ExternalReference' to the participants' participant_id" in result.link
    with pytest.raises(InputError, match=r"no column 'Email' to link respondents by \(the link Email=email\) \(did you mean 'RecipientEmail'\?\)"):
        surveys.read_responses(_qualtrics(tmp_path / "e.csv", range(1, 25)), instrument, wave="post",
                               participants=_participants(), link="Email=email")
    # a survey_id column of the participants table links ExternalReference values that are not participant IDs
    people = _participants().assign(survey_id=[f"p{i:02d}" for i in range(1, 25)], participant_id=[f"X{i}" for i in range(1, 25)])
    result = surveys.read_responses(path, instrument, wave="post", participants=people)
    assert list(result.responses["participant_id"]) == [f"X{i}" for i in range(1, 25)]
    assert "participants' survey_id" in result.link


# --------------------------------------------------------------------------- Forms, keyed by Email


def test_forms_export_keyed_by_email_and_anonymous_responses(instrument, tmp_path):
    rows = [(i, _email(i).upper() if i % 2 else _email(i), f"{FIRST[i - 1]} {LAST[i - 1]}") for i in range(13, 25)]
    path = _forms(tmp_path / "post.xlsx", rows)
    result = surveys.read_responses(path, instrument, wave="post", participants=_participants())
    assert list(result.responses["participant_id"]) == [f"P{i}" for i in range(13, 25)]
    assert result.responses[ITEMS].to_numpy().tolist() == [[_answer(i, k) for k in range(1, 5)] for i in range(13, 25)]
    assert "'Email' to the participants' email" in result.link
    anonymous = _forms(tmp_path / "anon.xlsx", [(13, "anonymous", ""), (14, "anonymous", "")])
    with pytest.raises(ValidationError) as err:
        surveys.read_responses(anonymous, instrument, wave="post", participants=_participants(), link="Email=email")
    (problem,) = err.value.problems
    assert "'anonymous' on row(s) 2, 3" in problem.message and "Record name" in problem.message


# --------------------------------------------------------------------------- unfinished responses


def test_two_unfinished_responses_are_flagged_and_left_out_by_option(instrument, tmp_path):
    path = _qualtrics(tmp_path / "post.csv", range(1, 25), unfinished=(5, 18))
    kept = surveys.read_responses(path, instrument, wave="post", participants=_participants())
    (warning,) = [p for p in kept.problems if "unfinished" in p.message]
    assert warning.severity == "warning" and kept.unfinished == [8, 21]  # lines 8 and 21 of the file
    assert "2 unfinished response(s) (Finished false or Progress under 100) on row(s) 8, 21: kept" in warning.message
    assert "--exclude-unfinished" in warning.message and "exclude_unfinished: true" in warning.message
    assert len(kept.responses) == 24 and kept.responses[ITEMS[3]].isna().sum() == 2
    # item 1 answers cycle 3, 4, 5, 1, 2 from P01: four cycles (60) and P21-P24's 3, 4, 5, 1 (13)
    assert kept.responses[ITEMS[0]].mean() == pytest.approx(_mean(range(1, 25), 1)) == pytest.approx(73 / 24)
    left = surveys.read_responses(path, instrument, wave="post", participants=_participants(), exclude_unfinished=True)
    assert len(left.responses) == 22 and left.excluded == [8, 21]
    assert 5 not in left.responses["participant_id"].str[1:].astype(int).tolist()
    # P05 answered 2 and P18 answered 5 to item 1: without them the mean is (73 - 7) / 22
    assert left.responses[ITEMS[0]].mean() == pytest.approx(66 / 22)
    assert left.responses[ITEMS[3]].isna().sum() == 0
    assert "left out, as --exclude-unfinished" in [p for p in left.problems if "unfinished" in p.message][0].message


def test_the_cohort_file_option_reaches_the_report_and_validate(tmp_path):
    path = _qualtrics(tmp_path / "post.csv", range(1, 25), unfinished=(5, 18))
    config = SimpleNamespace(inputs={"surveys": {"post": path}}, root=tmp_path, path=tmp_path / "cohort.yml",
                             options={"survey_instruments_used": ["psychological_safety"],
                                      "surveys": {"link": {"export": "RecipientEmail", "participants": "email"},
                                                  "exclude_unfinished": True}})
    data = surveys.load_surveys(config, participants=_participants())
    assert len(data.responses) == 22 and data.excluded == [8, 21]
    assert data.responses[ITEMS[0]].mean() == pytest.approx(66 / 22)
    people = _participants()
    people.loc[6, "email"] = "nobody@anytown.ac.uk"
    problems = surveys.survey_problems(config, {"participants": people})
    assert [(p.severity, p.row) for p in problems] == [("warning", 8), ("error", 10)]


# --------------------------------------------------------------------------- someone who answered twice


def test_a_repeated_respondent_is_an_error_naming_both_rows_or_the_latest_finished_is_kept(instrument, tmp_path):
    extra = [(3, "2025-03-27 10:00:00", True)]  # P03 answered again a week later: line 28 of the file
    path = _qualtrics(tmp_path / "post.csv", range(1, 25), extra=extra)
    with pytest.raises(ValidationError) as err:
        surveys.read_responses(path, instrument, wave="post", participants=_participants())
    (problem,) = err.value.problems
    assert "participant 'P03' answered wave 'post' more than once (rows 6, 28)" in problem.message
    assert "--keep-latest" in problem.message and "duplicates: keep_latest" in problem.message
    result = surveys.read_responses(path, instrument, wave="post", participants=_participants(), duplicates="keep_latest")
    assert len(result.responses) == 24 and result.excluded == [6]
    assert any("row 28 (the latest finished) kept, row(s) 6 left out" in p.message for p in result.problems)
    # a later attempt abandoned part-way does not replace a finished response
    path = _qualtrics(tmp_path / "post2.csv", range(1, 25), extra=[(3, "2025-03-27 10:00:00", False)])
    result = surveys.read_responses(path, instrument, wave="post", participants=_participants(), duplicates="keep_latest")
    assert result.excluded == [28] and result.unfinished == [28]


# --------------------------------------------------------------------------- settings and the command line


def test_link_and_survey_options_are_checked_by_name():
    assert parse_link("RecipientEmail=email") == Link("RecipientEmail", "email")
    assert parse_link("ExternalReference") == Link("ExternalReference", "participant_id")
    with pytest.raises(ConfigError, match="--link RecipientEmail=email"):
        parse_link("=email")
    _check_surveys({"link": {"export": "Email", "participants": "email"}, "exclude_unfinished": True,
                    "duplicates": "keep_latest", "columns": {"burden_1": "Q7"}, "ignore": ["Q12"]}, "c.yml")
    for bad, says in [({"exclude_unfinshed": True}, "not 'exclude_unfinshed'"), ({"exclude_unfinished": "yes"}, "true or false"),
                      ({"duplicates": "latest"}, "keep_latest"), ({"link": "RecipientEmail"}, "link must name")]:
        with pytest.raises(ConfigError, match=says):
            _check_surveys(bad, "c.yml")


def _cohort_project(tmp_path: Path) -> Path:
    people = _participants()
    people = people.assign(name=[f"{f} {l}" for f, l in zip(FIRST, LAST)], cohort="pilot", ethnicity_code="White - British",
                           sex="F", grade="", faculty="", consent_interview="Yes", consent_records="Yes")
    (tmp_path / "data").mkdir()
    people.to_csv(tmp_path / "data" / "participants.csv", index=False)
    (tmp_path / "cohorts").mkdir()
    (tmp_path / "cohorts" / "pilot.yml").write_text(
        "cohort: pilot\nprogramme_type: reciprocal\nstart_date: 2024-10-01\nend_date: 2025-03-31\nroot: ..\n"
        "inputs:\n  participants: data/participants.csv\n", encoding="utf-8")
    return tmp_path / "cohorts" / "pilot.yml"


def test_survey_import_links_by_email_and_writes_participant_ids_only(tmp_path, capsys):
    from rmresearch.cli import main

    cohort = _cohort_project(tmp_path)
    export = _qualtrics(tmp_path / "post.csv", range(1, 25), unfinished=(5, 18))
    out = tmp_path / "out" / "post_tidy.csv"
    code = main(["survey", "import", str(export), "-i", "psychological_safety", "--wave", "post", "--cohort", str(cohort),
                 "--link", "RecipientEmail=email", "--exclude-unfinished", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "Respondents linked as configured by the export's 'RecipientEmail' to the participants' email." in printed
    assert "2 unfinished response(s)" in printed and "22 response(s), 4 item(s)" in printed
    written = out.read_text(encoding="utf-8")
    assert written.splitlines()[0] == "participant_id,wave," + ",".join(ITEMS)
    assert "@" not in written and "Thornton" not in written and "R_" not in written
    assert export.read_bytes().startswith(b"\xef\xbb\xbf")  # the export is untouched
    # without --link the participants' email column links them too; a ResponseId-only export says what to do
    code = main(["survey", "import", str(_qualtrics(tmp_path / "r.csv", range(1, 25), ids="response")), "-i",
                 "psychological_safety", "--wave", "post", "--cohort", str(cohort), "--out", str(out)])
    assert code == 2
    assert "--link RecipientEmail=email" in capsys.readouterr().err


def test_validate_lists_unfinished_responses_and_unknown_emails_in_one_run(tmp_path, capsys):
    """One link for every wave: the pre wave, exported with participant IDs, keeps them; validate names the post
    wave's unfinished responses (a warning) and an unknown e-mail (an error) together."""
    from rmresearch.cli import main

    cohort = _cohort_project(tmp_path)
    (tmp_path / "pre.csv").write_text("participant_id,psychological_safety_1\n" + "".join(f"P{i:02d},4\n" for i in range(1, 25)),
                                      encoding="utf-8")
    export = _qualtrics(tmp_path / "post.csv", range(1, 25), unfinished=(5, 18))
    text = export.read_text(encoding="utf-8-sig").replace(_email(7), "imran.dawood@elsewhere.example")
    export.write_text(text, encoding="utf-8-sig")
    with cohort.open("a", encoding="utf-8") as f:
        f.write("  surveys: {pre: pre.csv, post: post.csv}\noptions:\n  survey_instruments_used: [psychological_safety]\n"
                "  surveys: {link: {export: RecipientEmail, participants: email}}\n")
    code = main(["validate", "--cohort", str(cohort)])
    out = capsys.readouterr()
    printed = out.out + out.err
    assert code == 2
    assert "post.csv, row 8, column 'Finished': 2 unfinished response(s)" in printed
    assert "post.csv, row 10, column 'RecipientEmail'" in printed and "imran.dawood@elsewhere.example" in printed
    assert "pre.csv" not in printed  # its participant_id column linked it


def test_forms_repeat_keeps_the_latest_by_its_uk_completion_time(instrument, tmp_path):
    """Forms writes day-first times: 03/04/2025 is 3 April, after 20/03/2025 (read month-first it would be 4 March)."""
    path = _forms(tmp_path / "post.xlsx", [(13, _email(13), ""), (14, _email(14), ""), (13, _email(13).title(), "")])
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book.active
    sheet["C2"], sheet["C4"] = "03/04/2025 10:00:00", "20/03/2025 09:06:00"  # the first response is the later one
    book.save(path)
    result = surveys.read_responses(path, instrument, wave="post", participants=_participants(), duplicates="keep_latest")
    assert result.excluded == [4] and list(result.responses["participant_id"]) == ["P13", "P14"]
    assert any("row 2 (the latest finished) kept, row(s) 4 left out" in p.message for p in result.problems)


def test_spss_export_of_qualtrics_links_by_email_and_reads_finished_codes(instrument, tmp_path):
    """Qualtrics' SPSS export: the same variable names, Finished coded 1 = True / 0 = False with value labels."""
    pyreadstat = pytest.importorskip("pyreadstat")
    people = range(13, 25)
    frame = pd.DataFrame({
        "ResponseId": [f"R_{i:02d}sPsSaVfIlEaB" for i in people],
        "Finished": [0.0 if i == 15 else 1.0 for i in people],
        "Progress": [40.0 if i == 15 else 100.0 for i in people],
        "RecipientEmail": [_email(i) for i in people],
        **{item: [float(_answer(i, k)) for i in people] for k, item in enumerate(ITEMS, start=1)},
    })
    path = tmp_path / "post.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"Finished": {0.0: "False", 1.0: "True"}})
    result = surveys.read_responses(path, instrument, wave="post", participants=_participants(), exclude_unfinished=True)
    assert list(result.responses["participant_id"]) == [f"P{i}" for i in people if i != 15]
    assert result.excluded == [3] and "'RecipientEmail' to the participants' email" in result.link
    assert result.responses[ITEMS[1]].tolist() == [float(_answer(i, 2)) for i in people if i != 15]


def test_legacy_qualtrics_export_links_by_external_data_reference_and_flags_finished_0(instrument, tmp_path):
    """Qualtrics' legacy export: V1..V10 then the question IDs in row 1; ResponseID, ResponseSet, Name,
    ExternalDataReference, EmailAddress, IPAddress, Status, StartDate, EndDate, Finished and the question text in row 2;
    no ImportId row."""
    texts = [f"{STEM}-{surveys.load_instrument('psychological_safety').item(i).text}" for i in ITEMS]
    header = [[f"V{j}" for j in range(1, 11)] + [f"Q1_{k}" for k in range(1, 5)],
              ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
               "StartDate", "EndDate", "Finished"] + texts]
    body = [[f"R_{i:02d}lEgAcYaBcDeF", "Default Response Set", "", f"P{i:02d}", "", "192.0.2.3", "0",
             "2025-03-20 09:00:00", "2025-03-20 09:07:00", "0" if i == 4 else "1"] + [str(_answer(i, k)) for k in range(1, 5)]
            for i in range(1, 13)]
    path = tmp_path / "legacy.csv"
    pd.DataFrame(header + body).to_csv(path, header=False, index=False)
    result = surveys.read_responses(path, instrument, wave="pre", participants=_participants())
    assert list(result.responses["participant_id"]) == [f"P{i:02d}" for i in range(1, 13)]
    assert "participants' participant_id" in result.link and result.unfinished == [6]
    assert result.responses[ITEMS[2]].tolist() == [float(_answer(i, 3)) for i in range(1, 13)]
