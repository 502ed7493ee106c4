"""Write the synthetic survey exports used by tests/test_surveys.py.

Run from the project root: ``.venv/bin/python tests/data/surveys/make_samples.py``.
Every person, ID and answer here is invented. The files imitate the shapes of
real exports (DOMAIN.md section 5 and 7):

- ``qualtrics_numeric.csv``: Qualtrics CSV, three header rows (column ids,
  question text, ImportId JSON), numeric codes, one survey-preview row,
  participant IDs in ExternalReference, one open-text question.
- ``qualtrics_labels.tsv``: Qualtrics TSV export (UTF-16 with BOM, tab
  separated), answers as choice text.
- ``forms.xlsx``: Microsoft Forms export (ID, Start time, Completion time,
  Email, Name, then one column per question; a multi-select question with
  answers joined by ';').
- ``spss.sav``: SPSS file with variable labels (the question text) and value
  labels, coded in the opposite direction to the instrument
  (1 = Strongly agree), as some exports are.
- ``plain.csv``: the tidy layout (participant_id, wave, one column per item).

All hold the same answers to the psychological_safety scale (item 3 is
reverse-keyed), so a test can check that every importer gives the same table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent

LABELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree", 5: "Strongly agree"}
ITEMS = {
    "psychological_safety_1": "I can speak honestly with my partner about race.",
    "psychological_safety_2": "My partner and I can raise difficult issues with each other.",
    "psychological_safety_3": "I worry that what I say in our meetings could be held against me.",
    "psychological_safety_4": "My partner values what I bring to our conversations.",
}
STEM = "How far do you agree with each statement about your partnership?"
OPEN = "What has worked well in your partnership?"
# participant -> answers to items 1-4 (None = not answered)
ANSWERS = {
    "P01": [4, 5, 2, 4],
    "P02": [3, 3, 3, 3],
    "P03": [5, 5, 1, 5],
    "P04": [2, 3, 4, 2],
    "P05": [4, 4, 2, None],
    "P06": [1, 2, 5, 1],
}
OPEN_TEXT = {
    "P01": "Honest conversations with Dr Jane Example about shortlisting.",
    "P03": "Meeting monthly; my partner, Sam Invented, listened.",
}
START = dt.datetime(2025, 3, 20, 9, 0)


def qualtrics_rows(as_labels: bool) -> list[list[str]]:
    ids = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
           "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
           "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage",
           "Q1_1", "Q1_2", "Q1_3", "Q1_4", "Q2"]
    texts = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)", "Finished",
             "Recorded Date", "Response ID", "Recipient Last Name", "Recipient First Name", "Recipient Email",
             "External Data Reference", "Location Latitude", "Location Longitude", "Distribution Channel", "User Language",
             *[f"{STEM} - {t}" for t in ITEMS.values()], OPEN]
    imports = [json.dumps({"ImportId": k}, separators=(",", ":")) for k in (
        "startDate", "endDate", "status", "ipAddress", "progress", "duration", "finished", "recordedDate", "_recordId",
        "recipientLastName", "recipientFirstName", "recipientEmail", "externalDataReference", "locationLatitude",
        "locationLongitude", "distributionChannel", "userLanguage")]
    imports += [json.dumps({"ImportId": f"QID1_{j}"}, separators=(",", ":")) for j in range(1, 5)]
    imports += [json.dumps({"ImportId": "QID2_TEXT"}, separators=(",", ":"))]
    rows = [ids, texts, imports]
    preview = [START.isoformat(" "), START.isoformat(" "), "Survey Preview", "", "100", "95", "True",
               START.isoformat(" "), "R_preview000001", "", "", "", "", "", "", "preview", "EN",
               "5", "5", "5", "5", "testing the survey"]
    rows.append(preview)
    for k, (pid, answers) in enumerate(ANSWERS.items()):
        when = START + dt.timedelta(hours=k * 5)
        cells = [LABELS[a] if (as_labels and a is not None) else ("" if a is None else str(a)) for a in answers]
        rows.append([when.isoformat(" "), (when + dt.timedelta(minutes=7)).isoformat(" "), "IP Address", "192.0.2.%d" % (10 + k),
                     "100", str(400 + 17 * k), "True", (when + dt.timedelta(minutes=7)).isoformat(" "), f"R_{pid}synthetic{k:03d}",
                     "", "", "", pid, "51.5", "-0.1", "anonymous", "EN", *cells, OPEN_TEXT.get(pid, "")])
    return rows


def write_qualtrics_csv(path: Path) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(qualtrics_rows(as_labels=False))
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def write_qualtrics_tsv(path: Path) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", lineterminator="\r\n").writerows(qualtrics_rows(as_labels=True))
    path.write_bytes(buffer.getvalue().encode("utf-16"))  # BOM + UTF-16-LE, as Qualtrics writes TSV


def write_forms(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    headers = ["ID", "Start time", "Completion time", "Email", "Name", "Participant ID",
               ITEMS["psychological_safety_1"], f"{STEM}.{ITEMS['psychological_safety_2']}",
               ITEMS["psychological_safety_3"], ITEMS["psychological_safety_4"],
               "Which sessions did you attend?"]
    ws.append(headers)
    sessions = {"P01": "Introductory training;Reflective session 1;", "P02": "Introductory training;", "P03": ""}
    for k, pid in enumerate(["P01", "P02", "P03"], start=1):
        when = START + dt.timedelta(days=k)
        answers = [LABELS[a] for a in ANSWERS[pid]]
        ws.append([k, when, when + dt.timedelta(minutes=6), "anonymous", None, pid, *answers, sessions[pid] or None])
    wb.save(path)


def write_spss(path: Path) -> None:
    import pyreadstat

    frame = pd.DataFrame({"participant_id": list(ANSWERS)})
    for j, item in enumerate(ITEMS, start=0):
        # reversed coding in the file: 1 = Strongly agree ... 5 = Strongly disagree
        frame[item] = [None if a[j] is None else float(6 - a[j]) for a in ANSWERS.values()]
    value_labels = {item: {float(6 - code): label for code, label in LABELS.items()} for item in ITEMS}
    pyreadstat.write_sav(frame, str(path), column_labels=["Participant ID", *ITEMS.values()], variable_value_labels=value_labels)


def write_plain(path: Path) -> None:
    frame = pd.DataFrame({"participant_id": list(ANSWERS), "wave": "post"})
    for j, item in enumerate(ITEMS):
        frame[item] = pd.array([a[j] for a in ANSWERS.values()], dtype="Int64")
    frame.to_csv(path, index=False)


def main() -> None:
    write_qualtrics_csv(HERE / "qualtrics_numeric.csv")
    write_qualtrics_tsv(HERE / "qualtrics_labels.tsv")
    write_forms(HERE / "forms.xlsx")
    write_spss(HERE / "spss.sav")
    write_plain(HERE / "plain.csv")


if __name__ == "__main__":
    main()
