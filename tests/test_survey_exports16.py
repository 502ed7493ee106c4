"""Survey exports read as the platforms write them: metadata set aside, header rows recognised, encodings (issue 16).

Every export here is written in the test from the platforms' documentation (not copied from anyone's files):

- Qualtrics "Export data" as CSV: UTF-8 with a byte-order mark; three header rows: the column names (StartDate,
  EndDate, Status, IPAddress, Progress, "Duration (in seconds)", Finished, RecordedDate, ResponseId,
  RecipientLastName, RecipientFirstName, RecipientEmail, ExternalReference, LocationLatitude, LocationLongitude,
  DistributionChannel, UserLanguage, then Q_RecaptchaScore / Q_RelevantIDDuplicate when fraud detection is on, then
  the questions Q1_1...), the question text ("Start Date", "Response ID", "Recorded Date", a matrix statement as
  "<question> - <statement>"), and ``{"ImportId":"QID1_1"}`` cells. As TSV the same rows in UTF-16 (little endian,
  with a byte-order mark). "Use numeric values" writes the choices' codes, "Use choice text" their wording.
- Qualtrics' legacy format: no ImportId row; the older exporter heads the first ten columns V1..V10 with the names
  (ResponseID, ResponseSet, Name, ExternalDataReference, EmailAddress, IPAddress, Status, StartDate, EndDate,
  Finished) in row 2 beside the question text; numeric values (Status 0 = a normal response, Finished 1).
- Microsoft Forms "Open in Excel": ID, Start time, Completion time, Email, Name, (quizzes) Total points, Quiz
  feedback, then per question its text, "Points - <question>" and "Feedback - <question>"; Last modified time.
- Qualtrics' SPSS export (.sav, written with pyreadstat): the same variable names, the question text as variable
  labels, choices as codes with value labels.

The cohort is the 12-pair pilot: 24 participants P01-P24. Participant i answers item k of the psychological safety
scale with code (i + k) mod 5 + 1, so every imported value can be checked exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from rmresearch import surveys
from rmresearch.cli import main
from rmresearch.errors import InputError
from rmresearch.io.surveys import read_export

PEOPLE = range(1, 25)
ITEMS = [f"psychological_safety_{k}" for k in range(1, 5)]
STEM = "Thinking about your mentoring partnership, how far do you agree with each statement?"
OPTIONS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree", 5: "Strongly agree"}
#: Qualtrics' metadata columns: (header, question text, ImportId) as the export writes them.
QUALTRICS_META = [
    ("StartDate", "Start Date", "startDate"), ("EndDate", "End Date", "endDate"), ("Status", "Response Type", "status"),
    ("IPAddress", "IP Address", "ipAddress"), ("Progress", "Progress", "progress"),
    ("Duration (in seconds)", "Duration (in seconds)", "duration"), ("Finished", "Finished", "finished"),
    ("RecordedDate", "Recorded Date", "recordedDate"), ("ResponseId", "Response ID", "_recordId"),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
    ("Q_RecaptchaScore", "Q_RecaptchaScore", "Q_RecaptchaScore"),
    ("Q_RelevantIDDuplicate", "Q_RelevantIDDuplicate", "Q_RelevantIDDuplicate"),
]
SECRETS = ("@", "192.0.2.", "Thornton", "Hugh", "51.50", "-0.12", "R_")


@pytest.fixture(scope="module")
def instrument():
    return surveys.load_instrument("psychological_safety")


def _answer(i: int, k: int) -> int:
    return (i + k) % 5 + 1


def _statements(instrument) -> list[str]:
    return [instrument.item(item).text for item in ITEMS]


def _qualtrics_rows(instrument, *, numeric: bool, import_id=lambda key: json.dumps({"ImportId": key})) -> list[list[str]]:
    """The three header rows and 24 responses of a Qualtrics export (``numeric``: "Use numeric values")."""
    header = [m[0] for m in QUALTRICS_META] + [f"Q1_{k}" for k in range(1, 5)]
    texts = [m[1] for m in QUALTRICS_META] + [f"{STEM} - {s}" for s in _statements(instrument)]
    imports = [import_id(m[2]) for m in QUALTRICS_META] + [import_id(f"QID1_{k}") for k in range(1, 5)]
    rows = [header, texts, imports]
    for i in PEOPLE:
        answers = [str(_answer(i, k)) if numeric else OPTIONS[_answer(i, k)] for k in range(1, 5)]
        rows.append(["2025-03-20 09:00:00", "2025-03-20 09:07:00", "0" if numeric else "IP Address", f"192.0.2.{i}",
                     "100", str(400 + i), "1" if numeric else "True", "2025-03-20 09:07:01", f"R_{i:02d}xYzAbCdEfGh",
                     "Thornton", "Hugh", f"hugh.thornton{i}@anytown.ac.uk", f"P{i:02d}", "51.5074", "-0.1278",
                     "email", "EN-GB", "0.9", "", *answers])
    return rows


def _write_csv(path: Path, rows, *, encoding="utf-8-sig", sep=",") -> Path:
    pd.DataFrame(rows).to_csv(path, header=False, index=False, encoding=encoding, sep=sep)
    return path


def _import(export: Path, tmp_path: Path, capsys, *extra: str) -> tuple[int, pd.DataFrame | None, str]:
    """``rmresearch survey import EXPORT -i psychological_safety --wave pre --out o.csv`` (plus ``extra``)."""
    out = tmp_path / f"{export.stem}_out.csv"
    code = main(["survey", "import", str(export), "-i", "psychological_safety", "--wave", "pre", "--out", str(out), *extra])
    captured = capsys.readouterr()
    table = pd.read_csv(out) if code == 0 else None
    if table is not None:
        written = out.read_text(encoding="utf-8")
        assert not [s for s in SECRETS if s in written], written  # identifying metadata is never written
    return code, table, captured.out + captured.err


def _expected(people=PEOPLE) -> pd.DataFrame:
    return pd.DataFrame({"participant_id": [f"P{i:02d}" for i in people], "wave": "pre",
                         **{item: [_answer(i, k) for i in people] for k, item in enumerate(ITEMS, start=1)}})


# --------------------------------------------------------------------------- Qualtrics


def test_qualtrics_csv_with_every_metadata_column_imports_with_defaults(instrument, tmp_path, capsys):
    export = _write_csv(tmp_path / "pre.csv", _qualtrics_rows(instrument, numeric=False))
    code, table, printed = _import(export, tmp_path, capsys)
    assert code == 0, printed
    pd.testing.assert_frame_equal(table, _expected())
    assert "19 qualtrics metadata column(s) set aside (never written): StartDate, EndDate, Status, IPAddress" in printed
    assert "warning" not in printed and "not an item" not in printed
    raw = read_export(export)
    assert raw.platform == "qualtrics" and raw.set_aside == [m[0] for m in QUALTRICS_META]
    first = raw.metadata.iloc[0]
    assert first["finished"] is True and first["progress"] == 100.0 and first["duration_s"] == 401.0
    assert (first["start"], first["recorded"], first["response_id"]) == ("2025-03-20 09:00:00", "2025-03-20 09:07:01", "R_01xYzAbCdEfGh")
    assert (first["external_reference"], first["recipient_email"], first["latitude"]) == ("P01", "hugh.thornton1@anytown.ac.uk", 51.5074)
    assert (first["user_language"], first["q_recaptcha_score"], first["q_relevant_idduplicate"]) == ("EN-GB", "0.9", None)
    assert list(raw.metadata.index) == list(raw.body.index) and len(raw.metadata) == 24


@pytest.mark.parametrize("import_id", [
    lambda key: repr({"ImportId": key}),  # {'ImportId': 'QID1_1'}: single quotes
    lambda key: '{ "ImportId" : "%s" }' % key,  # spaces around the colon and inside the braces
], ids=["single-quoted", "spaced"])
def test_import_id_row_with_single_quotes_or_spaces_is_recognised(instrument, tmp_path, capsys, import_id):
    rows = _qualtrics_rows(instrument, numeric=True, import_id=import_id)
    assert rows[2][0] in ("{'ImportId': 'startDate'}", '{ "ImportId" : "startDate" }')
    code, table, printed = _import(_write_csv(tmp_path / "pre.csv", rows), tmp_path, capsys)
    assert code == 0, printed
    pd.testing.assert_frame_equal(table, _expected())


def test_qualtrics_tsv_in_utf16_reads_numeric_values(instrument, tmp_path, capsys):
    export = _write_csv(tmp_path / "pre.tsv", _qualtrics_rows(instrument, numeric=True), encoding="utf-16", sep="\t")
    assert export.read_bytes()[:2] == b"\xff\xfe"  # UTF-16 little endian with its byte-order mark
    code, table, printed = _import(export, tmp_path, capsys)
    assert code == 0, printed
    pd.testing.assert_frame_equal(table, _expected())
    assert read_export(export).metadata["finished"].tolist() == [True] * 24


def test_qualtrics_export_whose_import_id_row_was_deleted_still_reads(instrument, tmp_path, capsys):
    rows = _qualtrics_rows(instrument, numeric=False)
    del rows[2]  # a user tidied the file in Excel: the row of {"ImportId": ...} cells is gone
    code, table, printed = _import(_write_csv(tmp_path / "pre.csv", rows), tmp_path, capsys)
    assert code == 0, printed
    pd.testing.assert_frame_equal(table, _expected())


def _legacy_rows(instrument) -> list[list[str]]:
    names = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
             "StartDate", "EndDate", "Finished"]
    rows = [[f"V{n}" for n in range(1, 11)] + [f"Q1_{k}" for k in range(1, 5)],
            names + [f"{STEM}-{s}" for s in _statements(instrument)]]
    for i in PEOPLE:
        rows.append([f"R_{i:02d}lEgAcYfOrMaT", "Default Response Set", "Thornton, Hugh", f"P{i:02d}",
                     f"hugh.thornton{i}@anytown.ac.uk", f"192.0.2.{i}", "0", "20/03/2025 09:00", "20/03/2025 09:07",
                     "1", *[str(_answer(i, k)) for k in range(1, 5)]])
    return rows


def test_legacy_qualtrics_export_with_v_columns_imports_with_defaults(instrument, tmp_path, capsys):
    export = _write_csv(tmp_path / "pre.csv", _legacy_rows(instrument), encoding="utf-8")
    code, table, printed = _import(export, tmp_path, capsys)
    assert code == 0, printed
    pd.testing.assert_frame_equal(table, _expected())
    assert "10 qualtrics-legacy metadata column(s) set aside (never written): ResponseID, ResponseSet, Name" in printed
    raw = read_export(export)
    assert raw.ids[:4] == ["ResponseID", "ResponseSet", "Name", "ExternalDataReference"]
    assert raw.metadata["external_reference"].tolist() == [f"P{i:02d}" for i in PEOPLE]
    assert raw.metadata["finished"].tolist() == [True] * 24 and raw.rows[0] == 3


def test_a_plain_csv_named_qualtrics_gets_advice_in_command_line_terms(tmp_path, capsys):
    export = _write_csv(tmp_path / "pre.csv", [["participant_id", "q1", "q2"], ["P01", "4", "5"], ["P02", "3", "2"]], encoding="utf-8")
    code, _, printed = _import(export, tmp_path, capsys, "--format", "qualtrics")
    assert code == 2
    assert "row 2 starts 'P01', '4', '5' and row 3 starts 'P02', '3', '2'" in printed
    assert "--format csv" in printed and "--columns ITEM=COLUMN" in printed
    assert "legacy format" not in printed.lower().replace("a legacy export", "") and "Traceback" not in printed


# --------------------------------------------------------------------------- --columns


def test_columns_map_items_by_header_or_question_text(instrument, tmp_path, capsys):
    rows = _qualtrics_rows(instrument, numeric=True)
    rows[1][-4:] = ["Speak honestly?", "Raise hard issues?", "Worry?", "Valued?"]  # reworded in the survey tool
    export = _write_csv(tmp_path / "pre.csv", rows)
    code, _, printed = _import(export, tmp_path, capsys)
    assert code == 2 and "--columns ITEM='Q1_1'" in printed and "--ignore 'Q1_1'" in printed
    code, table, printed = _import(export, tmp_path, capsys, "--columns", "psychological_safety_1=Q1_1",
                                   "psychological_safety_2=Raise hard issues?", "psychological_safety_3=q1_3",
                                   "psychological_safety_4=Valued?")
    assert code == 0, printed
    pd.testing.assert_frame_equal(table, _expected())
    code, _, printed = _import(export, tmp_path, capsys, "--columns", "psychological_safety_1=Q9_9", "--ignore", "Q1_2", "Q1_3", "Q1_4", "Q1_1")
    assert code == 2 and "--columns psychological_safety_1=Q9_9: the export has no column headed or worded 'Q9_9'" in printed
    code, _, printed = _import(export, tmp_path, capsys, "--columns", "psychological_safety_1")
    assert code == 2 and "write ITEM=COLUMN" in printed


# --------------------------------------------------------------------------- Microsoft Forms


def _forms_quiz(path: Path, instrument, people=PEOPLE) -> Path:
    """A Forms quiz export: per question its answer, 'Points - <question>' and 'Feedback - <question>'."""
    from openpyxl import Workbook
    import datetime as dt

    statements = _statements(instrument)
    header = ["ID", "Start time", "Completion time", "Email", "Name", "Total points", "Quiz feedback", "Participant ID"]
    for s in statements:
        header += [s, f"Points - {s}", f"Feedback - {s}"]
    header.append("Last modified time")
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(header)
    for n, i in enumerate(people, start=1):
        row = [n, dt.datetime(2025, 3, 20, 9, 0), dt.datetime(2025, 3, 20, 9, 6), f"hugh.thornton{i}@anytown.ac.uk",
               "Hugh Thornton", 0, None, f"p{i:02d}"]
        for k in range(1, 5):
            row += [OPTIONS[_answer(i, k)], 0, None]
        row.append(None)
        sheet.append(row)
    book.save(path)
    return path


def test_forms_quiz_export_points_and_feedback_never_collide_with_items(instrument, tmp_path, capsys):
    export = _forms_quiz(tmp_path / "pre.xlsx", instrument)
    code, table, printed = _import(export, tmp_path, capsys)
    assert code == 0, printed
    expected = _expected()
    expected["participant_id"] = expected["participant_id"].str.lower()  # kept as typed into the form
    pd.testing.assert_frame_equal(table, expected)
    assert "16 forms metadata column(s) set aside" in printed and "both match" not in printed
    raw = read_export(export)
    assert raw.platform == "forms"
    assert list(raw.metadata.columns)[:7] == ["response_id", "start", "end", "email", "name", "total_points", "quiz_feedback"]
    assert raw.metadata[f"points: {_statements(instrument)[0]}"].tolist() == [0.0] * 24
    assert raw.metadata["start"].iloc[0] == "2025-03-20 09:00:00"
    result = surveys.read_responses(export, instrument, wave="pre")
    assert set(result.columns) == {s: item for s, item in zip(_statements(instrument), ITEMS)}.keys()


def test_forms_export_saved_as_cp1252_csv_needs_and_takes_encoding(instrument, tmp_path, capsys):
    statements = _statements(instrument)
    rows = [["ID", "Start time", "Completion time", "Email", "Name", "Participant ID", *statements, *[f"Points - {s}" for s in statements]]]
    for n, i in enumerate(PEOPLE, start=1):
        rows.append([str(n), "20/03/2025 09:00", "20/03/2025 09:06", "anonymous", "Zoë Brontë", f"P{i:02d}",
                     *[OPTIONS[_answer(i, k)] for k in range(1, 5)], *["0"] * 4])
    export = _write_csv(tmp_path / "pre.csv", rows, encoding="cp1252")  # Excel's "CSV (Comma delimited)"
    code, _, printed = _import(export, tmp_path, capsys)
    assert code == 2 and "Windows-1252" in printed and "--encoding cp1252" in printed and "encoding=" not in printed
    code, table, printed = _import(export, tmp_path, capsys, "--encoding", "cp1252")
    assert code == 0, printed
    pd.testing.assert_frame_equal(table, _expected())
    assert "9 forms metadata column(s) set aside" in printed  # a Forms workbook saved as CSV is still Forms
    assert read_export(export, encoding="cp1252").metadata["name"].iloc[0] == "Zoë Brontë"
    code, table, printed = _import(export, tmp_path, capsys, "--encoding", "cp1252", "--format", "forms")
    assert code == 0 and "9 forms metadata column(s) set aside" in printed, printed
    pd.testing.assert_frame_equal(table, _expected())


# --------------------------------------------------------------------------- SPSS


def test_spss_export_of_qualtrics_with_value_labels_imports_with_defaults(instrument, tmp_path, capsys):
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = pd.DataFrame({
        "StartDate": ["2025-03-20 09:00:00"] * 24,
        "Progress": [100.0] * 24,
        "Duration__in_seconds_": [float(400 + i) for i in PEOPLE],
        "Finished": [1.0] * 24,
        "ResponseId": [f"R_{i:02d}sPsSaVfIlEaB" for i in PEOPLE],
        "ExternalReference": [f"P{i:02d}" for i in PEOPLE],
        "IPAddress": [f"192.0.2.{i}" for i in PEOPLE],
        "LocationLatitude": ["51.5074"] * 24,
        **{f"Q1_{k}": [float(_answer(i, k)) for i in PEOPLE] for k in range(1, 5)},
    })
    path = tmp_path / "pre.sav"
    labels = {"ResponseId": "Response ID",  # Duration__in_seconds_ without a label: known by its name
              **{f"Q1_{k}": f"{STEM} - {s}" for k, s in enumerate(_statements(instrument), start=1)}}
    pyreadstat.write_sav(frame, str(path), column_labels=labels,
                         variable_value_labels={"Finished": {0.0: "False", 1.0: "True"},
                                                **{f"Q1_{k}": {float(c): t for c, t in OPTIONS.items()} for k in range(1, 5)}})
    code, table, printed = _import(path, tmp_path, capsys)
    assert code == 0, printed
    pd.testing.assert_frame_equal(table, _expected())
    assert "8 spss metadata column(s) set aside" in printed
    raw = read_export(path)
    assert raw.metadata["duration_s"].tolist() == [float(400 + i) for i in PEOPLE]
    assert raw.metadata["finished"].tolist() == [True] * 24


def test_an_unreadable_export_is_one_line_naming_the_file(tmp_path, capsys):
    export = tmp_path / "pre.csv"
    export.write_bytes(b"\x00\x01\x02binary")
    code, _, printed = _import(export, tmp_path, capsys)
    assert code == 2 and str(export) in printed and "Traceback" not in printed
    with pytest.raises(InputError, match="--format must be auto"):
        read_export(export, format="excel")
    old = tmp_path / "pre.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0old excel")
    with pytest.raises(InputError, match="save it as 'Excel Workbook \\(.xlsx\\)' or 'CSV UTF-8'"):
        read_export(old)


def test_qualtrics_excel_export_keeps_its_three_header_rows(instrument, tmp_path, capsys):
    """Qualtrics' "Export data > Excel": the CSV's three header rows in a workbook (not a Forms export)."""
    rows = _qualtrics_rows(instrument, numeric=True)
    export = tmp_path / "pre.xlsx"
    pd.DataFrame(rows[:3] + [[int(c) if c.isdigit() else c for c in r] for r in rows[3:]]).to_excel(export, header=False, index=False)
    code, table, printed = _import(export, tmp_path, capsys)
    assert code == 0, printed
    pd.testing.assert_frame_equal(table, _expected())
    raw = read_export(export)
    assert (raw.platform, raw.format, raw.rows[0]) == ("qualtrics", "qualtrics", 4)
    assert raw.metadata["duration_s"].tolist() == [float(400 + i) for i in PEOPLE]


def test_qualtrics_embedded_data_fields_are_set_aside_but_the_wave_field_is_read(instrument, tmp_path, capsys):
    """Embedded data (ImportId = the field's own name, a question's is QID...) is not an item: no --ignore needed."""
    rows = _qualtrics_rows(instrument, numeric=True)
    extra = [("role", "role", '{"ImportId":"role"}'), ("cohort", "cohort", '{"ImportId":"cohort"}'),
             ("wave", "wave", '{"ImportId":"wave"}')]
    for n, row in enumerate(rows):
        row += [e[n] for e in extra] if n < 3 else ["senior_leader", "pilot", "pre"]
    code, table, printed = _import(_write_csv(tmp_path / "pre.csv", rows), tmp_path, capsys)
    assert code == 0, printed
    pd.testing.assert_frame_equal(table, _expected())
    assert "21 qualtrics metadata column(s) set aside" in printed
    raw = read_export(tmp_path / "pre.csv")
    assert raw.set_aside[-2:] == ["role", "cohort"] and raw.metadata["embedded: role"].iloc[0] == "senior_leader"


def test_legacy_export_with_named_columns_and_location_accuracy(instrument, tmp_path, capsys):
    """The legacy format as its exporter writes it now: the names in row 1 and again in row 2 beside the question
    text, LocationLatitude / LocationLongitude / LocationAccuracy last; numeric values."""
    names = ["ResponseID", "ResponseSet", "IPAddress", "StartDate", "EndDate", "RecipientLastName", "RecipientFirstName",
             "RecipientEmail", "ExternalDataReference", "Finished", "Status"]
    location = ["LocationLatitude", "LocationLongitude", "LocationAccuracy"]
    rows = [names + [f"Q1_{k}" for k in range(1, 5)] + location, names + _statements(instrument) + location]
    for i in PEOPLE:
        rows.append([f"R_{i:02d}nAmEdLeGaCy", "Default Response Set", f"192.0.2.{i}", "2025-03-20 09:00:00",
                     "2025-03-20 09:07:00", "", "", "", f"P{i:02d}", "1", "0",
                     *[str(_answer(i, k)) for k in range(1, 5)], "51.5074", "-0.1278", "-1"])
    export = _write_csv(tmp_path / "pre.csv", rows, encoding="utf-8")
    code, table, printed = _import(export, tmp_path, capsys)
    assert code == 0, printed
    pd.testing.assert_frame_equal(table, _expected())
    assert "14 qualtrics-legacy metadata column(s) set aside" in printed
    assert read_export(export).metadata["location_accuracy"].tolist() == ["-1"] * 24


def test_title_rows_added_above_the_header_are_read_as_titles(instrument, tmp_path, capsys):
    """A scheme lead's copy: a title and a date line typed above the export's header (CSV and Forms workbook)."""
    rows = [["Reverse mentoring pilot: pre-programme survey"], ["Exported 20/03/2025"]] + _qualtrics_rows(instrument, numeric=False)
    code, table, printed = _import(_write_csv(tmp_path / "pre.csv", rows), tmp_path, capsys)
    assert code == 0, printed
    pd.testing.assert_frame_equal(table, _expected())
    assert "row 1: row(s) 1-2 ('Reverse mentoring pilot: pre-programme survey') read as a title" in printed
    assert read_export(tmp_path / "pre.csv").rows[0] == 6
    from openpyxl import load_workbook

    export = _forms_quiz(tmp_path / "quiz.xlsx", instrument)
    book = load_workbook(export)
    book.active.insert_rows(1)
    book.active["A1"] = "Pilot quiz (pre)"
    book.save(export)
    raw = read_export(export)
    assert raw.platform == "forms" and raw.ids[:2] == ["ID", "Start time"] and raw.rows[:2] == [3, 4]
    assert surveys.read_responses(export, instrument, wave="pre").responses[ITEMS[0]].tolist() == [_answer(i, 1) for i in PEOPLE]


@pytest.mark.parametrize("cell, expected", [
    ('{"ImportId":"startDate","timeZone":"Europe/London"}', "startDate"),  # date columns carry their time zone
    ("{'ImportId': 'QID5_TEXT'}", "QID5_TEXT"),
    ('{"ImportId":"QID3#1_2"}', "QID3#1_2"),  # side by side
    ('{""ImportId"":""QID1_1""}', "QID1_1"),  # the CSV's quotes doubled by a re-save without quoting the cell
    ("{ImportId: QID2}", "QID2"),
    ("Strongly agree", ""),
])
def test_import_ids_are_read_from_each_quoting(cell, expected):
    from rmresearch.io.surveys import _import_id

    assert _import_id(cell) == expected


def test_an_export_of_previews_only_says_so(instrument, tmp_path, capsys):
    rows = _qualtrics_rows(instrument, numeric=False)
    for row in rows[3:]:
        row[2] = "Survey Preview"
    code, _, printed = _import(_write_csv(tmp_path / "pre.csv", rows), tmp_path, capsys)
    assert code == 2 and "every response is a survey preview or test (24 survey preview/test response(s) left out" in printed


def test_generated_test_responses_marked_by_distribution_channel_are_left_out(instrument, tmp_path, capsys):
    rows = _qualtrics_rows(instrument, numeric=False)
    test_run = list(rows[3])
    test_run[15], test_run[12] = "test", "P01"  # Qualtrics' "Generate test responses": DistributionChannel "test"
    rows.insert(3, test_run)
    code, table, printed = _import(_write_csv(tmp_path / "pre.csv", rows), tmp_path, capsys)
    assert code == 0, printed
    pd.testing.assert_frame_equal(table, _expected())
    assert "row 4, column 'Status': 1 survey preview/test response(s) left out (rows 4)" in printed


def test_an_item_whose_id_looks_like_platform_metadata_is_still_an_item(tmp_path):
    """A project's own instrument may call an item q_belong or progress: a plain CSV column of that id is its item."""
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "own.yml").write_text(
        "instrument: own\ntitle: Own\nscales:\n  - scale: own\n    title: Own\n    answered_by: [senior_leader]\n"
        "    waves: [pre]\n    kirkpatrick: reaction\n    response_options: {1: 'No', 2: 'Yes'}\n"
        "    items:\n      - {id: q_belong, text: I belong here}\n      - {id: progress, text: I am making progress}\n",
        encoding="utf-8")
    instrument = surveys.load_instrument("own", folder=folder)
    export = _write_csv(tmp_path / "pre.csv", [["participant_id", "q_belong", "progress", "Q_TotalDuration"],
                                              ["P01", "2", "1", "300"], ["P02", "1", "2", "280"]], encoding="utf-8")
    result = surveys.read_responses(export, instrument, wave="pre")
    assert result.responses[["q_belong", "progress"]].to_numpy().tolist() == [[2.0, 1.0], [1.0, 2.0]]
    assert result.set_aside == ["Q_TotalDuration"] and result.unfinished == []  # progress 1 and 2 are answers
