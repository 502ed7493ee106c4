"""The Excel coding sheet (issue 16, item 3): `code sheet` writes the interviewee segments of a tiny anonymised
cohort; a coder fills it in with openpyxl as in Excel (names, lower case, ';' lists, a blank row, an extra sheet,
a filter); `code read-sheet` reads it back exactly; two coders' sheets give the hand-computed kappa."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from rmresearch.cli import main
from rmresearch.errors import OutputRefused, ValidationError

RAW = {
    "a.txt": "Interviewer: Thanks for coming. How did the pairing go?\n"
             "Wendeline Marsh-Okoro: It felt like a safe space to be honest about race.\n"
             "Interviewer: What changed for you?\n"
             "Wendeline Marsh-Okoro: My partner was sponsored for a project, and we both learned from each other.\n",
    "b.txt": "Interviewer: Hello again.\n"
             "Tobiah Quennell: Finding time for the meetings was hard, and the matching took months.\n"
             "Interviewer: Anything else?\n"
             "Tobiah Quennell: =I learned a lot about how decisions are really made here.\n"
             "Ismay Delacroix-Ahn: I said yes to the recording but not to the interview being used.\n",
}
PEOPLE = ("participant_id,name,cohort,role,ethnicity_code,sex,grade,faculty,consent_interview,consent_records\n"
          "P01,Wendeline Marsh-Okoro,tiny,senior_leader,White - British,F,Professor,Science,Yes,Yes\n"
          "P02,Tobiah Quennell,tiny,staff_partner,Black - African,M,7,Science,Yes,Yes\n"
          "P03,Ismay Delacroix-Ahn,tiny,student_partner,Asian - Chinese,F,,Science,No,Yes\n")
UNITS = ["interview_01#t002", "interview_01#t004", "interview_02#t002", "interview_02#t004"]  # the interviewee turns; interview_02#t005 (P03, no consent) is withheld


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A tiny cohort anonymised by the real pipeline, and its coding sheet written by the command."""
    from rmresearch.anonymise import anonymise_cohort
    from rmresearch.config import load_cohort

    root = tmp_path_factory.mktemp("sheet16") / "project"
    for folder in ("cohorts", "data/tiny", "interviews/tiny/raw"):
        (root / folder).mkdir(parents=True)
    (root / "cohorts/tiny.yml").write_text(
        "cohort: tiny\ntitle: Tiny test cohort\ninstitution: University of Anytown (synthetic)\n"
        "programme_type: reciprocal\nstart_date: 2024-10-01\nend_date: 2025-03-31\nroot: ..\n"
        "inputs:\n  participants: data/tiny/participants.csv\n  interviews: interviews/tiny/raw\n"
        "outputs:\n  anonymised: interviews/tiny/anonymised\n  reports: reports/tiny\n  keys: keys/tiny\n")
    (root / "data/tiny/participants.csv").write_text(PEOPLE)
    for name, text in RAW.items():
        (root / "interviews/tiny/raw" / name).write_text(text)
    anonymise_cohort(load_cohort(root / "cohorts/tiny.yml"), progress=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        assert main(["code", "sheet", "--cohort", "tiny", "--out", "sheet.xlsx", "--coder", "ana"]) == 0
    return root


@pytest.fixture()
def project(built, tmp_path, monkeypatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(built, root)
    monkeypatch.chdir(root)
    return root


def _rows(sheet) -> dict[str, int]:
    return {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}


def _fill(src: Path, dest: Path, cells: dict[str, dict[str, str]], *, blank_row_before: str | None = None) -> Path:
    """Fill a sheet as a coder in Excel would: by segment, column letter -> value."""
    book = load_workbook(src)
    sheet = book["Segments"]
    rows = _rows(sheet)
    for sid, values in cells.items():
        for letter, value in values.items():
            sheet[f"{letter}{rows[sid]}"] = value
    if blank_row_before:
        sheet.insert_rows(rows[blank_row_before])
    book.create_sheet("Sheet1")["A1"] = "my notes"  # Excel's own additions
    sheet.auto_filter.ref = f"A1:I{sheet.max_row}"
    book.save(dest)
    return dest


# ana types names, lower case, a ';' list; ben picks IDs from the drop-down
ANA = {"interview_01#t002": {"F": "Safe space and honest conversation"}, "interview_01#t004": {"F": "SPONSORSHIP; reciprocity", "I": "two-way?"},
       "interview_02#t002": {"G": " programme_logistics "}, "interview_02#t004": {"F": "safe-space", "G": "Decision_Making_Politics"}}
BEN = {"interview_01#t002": {"F": "safe_space"}, "interview_01#t004": {"F": "sponsorship"}, "interview_02#t002": {"F": "programme_logistics"},
       "interview_02#t004": {"H": "decision_making_politics"}}


def test_the_sheet_lists_each_consented_interviewee_segment_with_role_text_and_drop_downs(project):
    book = load_workbook(project / "sheet.xlsx")
    assert book.sheetnames == ["Segments", "Codes", "About"]
    sheet = book["Segments"]
    header = [c.value for c in sheet[1]]
    assert header == ["segment_id", "transcript", "role", "text", "suggested (not a finding)", "code_1", "code_2",
                      "code_3", "memo", "check"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == UNITS
    assert [r[2] for r in rows] == ["senior leader", "senior leader", "staff partner", "staff partner"]
    assert rows[0][3] == "It felt like a safe space to be honest about race."
    # a text starting '=' stays text: Excel would otherwise run it as a formula
    assert sheet.cell(5, 4).data_type == "s" and sheet.cell(5, 4).value.startswith("=I learned")
    every = " ".join(str(v) for r in rows for v in r)
    assert "Wendeline" not in every and "Quennell" not in every and "Ismay" not in every and "P03" not in every
    # the built-in rules fire on 'safe space' and 'sponsored': suggestions, in their own column
    assert "safe_space" in rows[0][4] and "sponsorship" in rows[1][4]
    assert all(r[5] is None and r[8] is None for r in rows)
    validation = sheet.data_validations.dataValidation[0]
    assert validation.type == "list" and validation.formula1 == "Codes!$A$2:$A$12"
    assert str(validation.sqref) == "F2:H5" and validation.errorStyle == "warning"
    assert sheet.freeze_panes == "B2" and sheet.column_dimensions["J"].hidden
    assert sheet.cell(2, 4).alignment.wrap_text and sheet.column_dimensions["D"].width == 80
    codes = [r[0].value for r in book["Codes"].iter_rows(min_row=2)]
    assert len(codes) == 11 and codes[0] == "lived_experience" and "learning_about_race" not in codes
    about = {r[0].value: r[1].value for r in book["About"].iter_rows()}
    assert about["cohort"] == "tiny" and about["coder"] == "ana" and about["unit"] == "turn"


def _expected(coder: str, pairs: list[tuple[str, str, str | None]]) -> list[tuple]:
    return [(sid.split("#")[0], sid, code, coder, memo) for sid, code, memo in pairs]


ANA_CODINGS = [("interview_01#t002", "safe_space", None), ("interview_01#t004", "sponsorship", "two-way?"), ("interview_01#t004", "reciprocity", "two-way?"),
               ("interview_02#t002", "programme_logistics", None), ("interview_02#t004", "safe_space", None),
               ("interview_02#t004", "decision_making_politics", None)]


def test_a_filled_sheet_reads_back_as_exactly_the_coder_s_codings(project, capsys):
    from rmresearch.coding import load_documents

    _fill(project / "sheet.xlsx", project / "ana.xlsx", ANA, blank_row_before="interview_02#t002")
    capsys.readouterr()
    assert main(["code", "read-sheet", "ana.xlsx", "--cohort", "tiny", "--out", "ana.csv"]) == 0
    out = capsys.readouterr().out
    assert "6 coding(s) of 4 segment(s) by ana" in out and "1 blank row(s) skipped" in out
    got = pd.read_csv(project / "ana.csv", keep_default_na=False)
    assert list(got.columns) == ["document", "segment_id", "start", "end", "code", "coder", "memo"]
    assert [tuple(r) for r in got[["document", "segment_id", "code", "coder", "memo"]].replace("", None)
            .itertuples(index=False)] == _expected("ana", ANA_CODINGS)
    texts = load_documents(project / "interviews/tiny/anonymised")
    first = got.iloc[0]
    assert texts["interview_01"][first["start"]:first["end"]] == "It felt like a safe space to be honest about race."
    # without the cohort: the same codings, IDs checked by the hidden check column, offsets left to `code agreement`
    assert main(["code", "read-sheet", "ana.xlsx", "--out", "ana2.csv"]) == 0
    alone = pd.read_csv(project / "ana2.csv", keep_default_na=False)
    assert alone[["segment_id", "code", "memo"]].equals(got[["segment_id", "code", "memo"]])
    assert alone["start"].eq("").all()


def test_two_coders_sheets_give_the_hand_computed_kappa(project, capsys):
    from statsmodels.stats.inter_rater import cohens_kappa

    _fill(project / "sheet.xlsx", project / "ana.xlsx", ANA)
    _fill(project / "sheet.xlsx", project / "ben.xlsx", BEN)
    assert main(["code", "read-sheet", "ana.xlsx", "--cohort", "tiny", "--out", "ana.csv"]) == 0
    assert main(["code", "read-sheet", "ben.xlsx", "--coder", "ben", "--cohort", "tiny", "--out", "ben.csv"]) == 0
    captured = capsys.readouterr().out
    assert "made for coder 'ana'; its codes are read as 'ben'" in captured
    both = pd.concat([pd.read_csv(project / "ana.csv"), pd.read_csv(project / "ben.csv")])
    both.to_csv(project / "both.csv", index=False)
    assert main(["code", "agreement", "both.csv", "--cohort", "tiny", "--out", "agreement.csv"]) == 0
    table = pd.read_csv(project / "agreement.csv")
    pooled = table.loc[table["document"] == "(all sources)"].set_index("code")
    # safe_space over 4 units: ana {interview_01#t002, interview_02#t004}, ben {interview_01#t002}: po = 3/4, pe = 2/4*1/4 + 2/4*3/4 = 1/2 -> 0.5
    assert pooled.loc["safe_space", ["units", "a_and_b", "a_not_b", "b_not_a"]].tolist() == [4, 1, 1, 0]
    assert pooled.loc["safe_space", "kappa"] == pytest.approx(0.5)
    assert pooled.loc["safe_space", "kappa"] == pytest.approx(cohens_kappa([[1, 1], [0, 2]]).kappa)
    assert pooled.loc["sponsorship", "kappa"] == pytest.approx(1.0)
    assert pooled.loc["reciprocity", "kappa"] == pytest.approx(0.0)  # po = pe = 3/4
    assert pooled.loc["decision_making_politics", "kappa"] == pytest.approx(1.0)


def test_every_problem_is_named_by_sheet_row_and_column_with_what_to_do(project):
    from rmresearch.coding import read_coding_sheet
    from rmresearch.config import load_cohort

    book = load_workbook(project / "sheet.xlsx")
    sheet = book["Segments"]
    sheet["F2"] = "sponsor"  # a typo
    sheet["G2"] = "career_and_sponsorship"  # a theme, not a code
    sheet["A3"] = "interview_01#t04"  # an edited ID
    sheet["F3"] = "safe_space"
    sheet["F7"] = "reciprocity"  # codes on a row without a segment_id
    book.save(project / "bad.xlsx")
    with pytest.raises(ValidationError) as info:
        read_coding_sheet(project / "bad.xlsx", config=load_cohort(project / "cohorts/tiny.yml"))
    shown = [str(p) for p in info.value.problems]
    assert shown == [
        "bad.xlsx, sheet 'Segments', row 2, column 'code_1 (F)': unknown code 'sponsor': did you mean sponsorship? "
        "Fix the cell (or give the codebook the sheet was made with: --codebook FILE)",
        "bad.xlsx, sheet 'Segments', row 2, column 'code_2 (G)': 'career_and_sponsorship' is a theme that groups other "
        "codes and cannot be applied; use one of its codes: career_development, sponsorship, decision_making_politics",
        "bad.xlsx, sheet 'Segments', row 3, column 'segment_id (A)': unknown segment 'interview_01#t04': did you mean interview_01#t004 or interview_01#t002? Put "
        "back the segment_id the sheet was written with (segment IDs must not be edited), or make a new sheet with "
        "`rmresearch code sheet`",
        "bad.xlsx, sheet 'Segments', row 7, column 'segment_id (A)': codes but no segment_id: put back the segment_id "
        "of this row (a copied row keeps it) or delete the row",
    ]
    # without the cohort the edited ID is caught by the hidden check column
    with pytest.raises(ValidationError, match=r"row 3, column 'segment_id \(A\)': segment_id 'interview_01#t04' was edited"):
        read_coding_sheet(project / "bad.xlsx")
    with pytest.raises(Exception, match="--coder NAME"):
        book["About"]["B3"] = None
        book.save(project / "nocoder.xlsx")
        read_coding_sheet(project / "nocoder.xlsx")


def test_edited_text_and_withdrawn_consent_are_warnings_and_the_codes_follow_the_transcript(project, capsys):
    from rmresearch.coding import read_coding_sheet
    from rmresearch.config import load_cohort

    _fill(project / "sheet.xlsx", project / "ana.xlsx", {**ANA, "interview_01#t002": {"F": "safe_space", "D": "I fixed a typo"}})
    cohort = project / "cohorts/tiny.yml"
    cohort.write_text(cohort.read_text() + "options:\n  withdrawn: [P02]\n")  # P02 withdrew after the sheet was made
    read = read_coding_sheet(project / "ana.xlsx", config=load_cohort(cohort))
    assert [p.row for p in read.warnings] == [2, 4, 5]
    assert "not its text in the transcript" in read.warnings[0].message
    assert "no longer among the consented interviewee segments" in read.warnings[1].message
    assert read.codings["segment_id"].tolist() == ["interview_01#t002", "interview_01#t004", "interview_01#t004"]


def test_a_sheet_saved_as_csv_from_excel_reads_the_same(project):
    from rmresearch.coding import read_coding_sheet

    _fill(project / "sheet.xlsx", project / "ana.xlsx", ANA)
    expected = read_coding_sheet(project / "ana.xlsx").codings
    cells = pd.read_excel(project / "ana.xlsx", sheet_name="Segments", dtype=str)
    # Excel's 'CSV UTF-8' (a byte-order mark, CRLF) and a European Excel's ';'-separated CSV
    cells.to_csv(project / "ana.csv", index=False, encoding="utf-8-sig", lineterminator="\r\n")
    cells.to_csv(project / "ana_semicolon.csv", index=False, sep=";")
    cells.to_csv(project / "ana_unicode.txt", index=False, sep="\t", encoding="utf-16")  # Excel's 'Unicode Text'
    for name in ("ana.csv", "ana_semicolon.csv", "ana_unicode.txt"):
        got = read_coding_sheet(project / name, coder="ana").codings
        assert got[["segment_id", "code", "memo"]].equals(expected[["segment_id", "code", "memo"]]), name


def test_a_leak_in_the_anonymised_text_refuses_the_sheet_and_writes_nothing(project, capsys):
    anonymised = project / "interviews/tiny/anonymised/interview_01.txt"
    text = anonymised.read_text()
    anonymised.write_text(text.replace("safe space", "safe space, Wendeline Marsh-Okoro said,"))  # a missed name
    assert main(["code", "sheet", "--cohort", "tiny", "--out", "leak.xlsx"]) == 2
    err = capsys.readouterr().err
    assert "leak audit found" in err and "nothing was written" in err and "Traceback" not in err
    assert "Wendeline Marsh-Okoro" not in err  # findings are masked
    assert not (project / "leak.xlsx").exists()
    assert [p.name for p in project.iterdir() if p.name.startswith(".leak")] == []


def test_the_sheet_is_never_written_over_the_anonymised_folder_or_as_another_kind(project, capsys):
    assert main(["code", "sheet", "--cohort", "tiny", "--out", "interviews/tiny/anonymised/a.xlsx"]) == 2
    assert "refused" in capsys.readouterr().err
    assert main(["code", "sheet", "--cohort", "tiny", "--out", "sheet.csv"]) == 2
    assert "ending .xlsx" in capsys.readouterr().err
    assert main(["code", "read-sheet", "sheet.xlsx", "--coder", "x", "--out", "sheet.xlsx"]) == 2
    assert "refused" in capsys.readouterr().err


def test_a_deleted_check_column_or_an_empty_sheet_is_said_once(project):
    from rmresearch.coding import read_coding_sheet

    book = load_workbook(project / "sheet.xlsx")
    assert book["Segments"]["J2"].value.startswith("#")  # never read as a number when Excel reopens a CSV
    book["Segments"].delete_cols(10)
    book["Segments"]["F2"] = "safe_space"
    book.save(project / "nocheck.xlsx")
    read = read_coding_sheet(project / "nocheck.xlsx")
    assert [p.message for p in read.warnings] == [
        "4 rows have no check value (the hidden check column deleted?), so edited segment IDs cannot be caught: "
        "run with --cohort to check the IDs against the transcripts"]
    assert read.codings["code"].tolist() == ["safe_space"]
    empty = read_coding_sheet(project / "sheet.xlsx")
    assert len(empty.codings) == 0 and "no codes found" in empty.warnings[0].message


def test_a_copied_sheet_another_cohort_and_a_sentence_sheet_saved_as_csv(project, capsys):
    from rmresearch.coding import read_coding_sheet
    from rmresearch.config import load_cohort
    from rmresearch.errors import InputError

    config = load_cohort(project / "cohorts/tiny.yml")
    book = load_workbook(project / "sheet.xlsx")
    book.copy_worksheet(book["Segments"])  # a backup copy: 'Segments Copy'
    book["Segments"]["F2"] = "safe_space"
    book.save(project / "copied.xlsx")
    read = read_coding_sheet(project / "copied.xlsx", config=config)
    assert "'Segments Copy' also has a segment_id column" in read.warnings[0].message
    book["About"]["B1"] = "pilot"
    book.save(project / "other.xlsx")
    with pytest.raises(InputError, match="made for cohort 'pilot'.*--cohort pilot"):
        read_coding_sheet(project / "other.xlsx", config=config)
    # a sentence sheet saved as CSV (no About sheet): the unit is read from its IDs
    assert main(["code", "sheet", "--cohort", "tiny", "--unit", "sentence", "--out", "sentences.xlsx"]) == 0
    cells = pd.read_excel(project / "sentences.xlsx", sheet_name="Segments", dtype=str)
    assert cells["segment_id"].tolist()[:3] == ["interview_01#t002.s01", "interview_01#t004.s01",
                                                "interview_02#t002.s01"]
    cells.loc[1, "code_1"] = "reciprocity"
    cells.to_csv(project / "sentences.csv", index=False)
    got = read_coding_sheet(project / "sentences.csv", coder="ana", config=config).codings
    texts = config.outputs["anonymised"]
    assert got[["segment_id", "code"]].values.tolist() == [["interview_01#t004.s01", "reciprocity"]]
    assert (Path(texts) / "interview_01.txt").read_text()[got.at[0, "start"]:got.at[0, "end"]].startswith("My partner")


def test_the_suggestions_file_or_a_coding_csv_is_not_read_as_a_coder_s_sheet(project):
    from rmresearch.coding import read_coding_sheet
    from rmresearch.errors import InputError

    (project / "suggestions.csv").write_text(
        "segment_id,document,participant_id,code,rule_type,rule,matched_text,start,end,n_matches\n"
        "interview_01#t002,interview_01,P01,safe_space,phrase,\"phrase \"\"safe space\"\"\",safe space,20,30,1\n")
    with pytest.raises(InputError, match="suggestions are prompts, never codings"):
        read_coding_sheet(project / "suggestions.csv", coder="ana")
    (project / "codings.csv").write_text("segment_id,code,coder,memo\ninterview_01#t002,safe_space,ana,\n")
    with pytest.raises(InputError, match="not a coding sheet.*rmresearch code agreement CODINGS.csv"):
        read_coding_sheet(project / "codings.csv", coder="ana")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (an independent reader of .xlsx) not installed")
def test_libreoffice_reads_the_sheet_and_its_re_saved_files_read_back_the_same(project, tmp_path):
    """An independent reader: LibreOffice opens the sheet, keeps the drop-down, and its CSV and .xlsx re-saves of a
    filled sheet give the same codings."""
    import subprocess

    from rmresearch.coding import read_coding_sheet

    _fill(project / "sheet.xlsx", project / "ana.xlsx", ANA)
    expected = read_coding_sheet(project / "ana.xlsx").codings
    for target, folder in (("csv:Text - txt - csv (StarCalc):44,34,76", "lo_csv"), ("xlsx:Calc MS Excel 2007 XML", "lo_xlsx")):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo_profile", "--headless", "--convert-to",
                        target, "--outdir", str(tmp_path / folder), str(project / "ana.xlsx")], check=True,
                       capture_output=True, timeout=120)
    got = read_coding_sheet(tmp_path / "lo_csv/ana.csv", coder="ana").codings
    assert got.equals(expected)
    resaved = tmp_path / "lo_xlsx/ana.xlsx"
    assert read_coding_sheet(resaved).codings.equals(expected)
    validation = load_workbook(resaved)["Segments"].data_validations.dataValidation[0]
    assert (validation.type, validation.formula1, str(validation.sqref)) == ("list", "Codes!$A$2:$A$12", "F2:H5")


def test_the_sheet_says_how_many_anonymiser_candidates_await_a_decision(project):
    from rmresearch.anonymise.review import review_path
    from rmresearch.coding import write_coding_sheet
    from rmresearch.config import load_cohort

    config = load_cohort(project / "cohorts/tiny.yml")
    assert write_coding_sheet(config, project / "again.xlsx").pending == 0
    # two candidates as `anonymise run` lists them: one undecided, one decided
    header = ("document,start,end,label,layer,confidence,text,context,pseudonym,suggestion,risk,risk_reasons,"
              "decision,note\n")
    row = "interview_01,{s},{e},PERSON,context,0.55,Faith,Faith chaired it,[PERSON_9],,0.2,,{d},\n"
    review_path(config).write_text(header + row.format(s=10, e=15, d="") + row.format(s=40, e=45, d="reject"))
    assert write_coding_sheet(config, project / "again.xlsx").pending == 1


def test_open_text_survey_answers_anonymised_beside_the_transcripts_are_segments_too(project, capsys):
    # as `anonymise run` writes a wave's answers to an open question (survey_<wave>_<question>.txt)
    (project / "interviews/tiny/anonymised/survey_post_what_worked.txt").write_text(
        "[P01]: Honest conversations about race.\n[P02]: The matching took too long.\n")
    assert main(["code", "sheet", "--cohort", "tiny", "--out", "with_survey.xlsx"]) == 0
    assert "6 interviewee turn segments in 2 transcript(s) and 1 open-text survey question(s)" in capsys.readouterr().out
    rows = [[c.value for c in r] for r in load_workbook(project / "with_survey.xlsx")["Segments"].iter_rows(min_row=2)]
    assert [r[:3] for r in rows[-2:]] == [["survey_post_what_worked#t001", "survey_post_what_worked", "senior leader"],
                                          ["survey_post_what_worked#t002", "survey_post_what_worked", "staff partner"]]


def test_a_turn_longer_than_an_excel_cell_or_with_control_characters_reads_back_without_warnings(project):
    from rmresearch.coding import read_coding_sheet
    from rmresearch.config import load_cohort

    long_turn = "we met and talked " * 2500  # 45,000 characters: more than an Excel cell holds (32,767)
    (project / "interviews/tiny/anonymised/interview_03.txt").write_text(
        f"[P01]: {long_turn.strip()}\n[P02]: a form feed\x0c and a bell\x07 from the caption file\n")
    config = load_cohort(project / "cohorts/tiny.yml")
    from rmresearch.coding import write_coding_sheet

    write_coding_sheet(config, project / "odd.xlsx", coder="ana")
    book = load_workbook(project / "odd.xlsx")
    rows = _rows(book["Segments"])
    cell = book["Segments"][f"D{rows['interview_03#t001']}"].value
    assert len(cell) == 32_767 and cell.endswith("[... the rest of this turn is in the transcript]")
    book["Segments"][f"F{rows['interview_03#t001']}"] = "reciprocity"
    book["Segments"][f"F{rows['interview_03#t002']}"] = "programme_logistics"
    book.save(project / "odd.xlsx")
    for kwargs in ({}, {"config": config}):
        read = read_coding_sheet(project / "odd.xlsx", **kwargs)
        assert read.warnings == () and read.codings["code"].tolist() == ["reciprocity", "programme_logistics"]
    full = read_coding_sheet(project / "odd.xlsx", config=config).codings.iloc[0]
    assert full["end"] - full["start"] == len(long_turn.strip())  # the coding covers the whole turn


def test_without_suggestions_the_sheet_has_no_suggestions_column_and_reads_back_the_same(project):
    from rmresearch.coding import read_coding_sheet, write_coding_sheet
    from rmresearch.config import load_cohort

    done = write_coding_sheet(load_cohort(project / "cohorts/tiny.yml"), project / "plain.xlsx", suggestions=False)
    book = load_workbook(project / "plain.xlsx")
    sheet = book["Segments"]
    assert [c.value for c in sheet[1]] == ["segment_id", "transcript", "role", "text", "code_1", "code_2", "code_3",
                                           "memo", "check"]
    assert done.suggested == 0 and str(sheet.data_validations.dataValidation[0].sqref) == "E2:G5"
    sheet["E2"], sheet["F2"] = "safe_space", "Reciprocity"
    book.save(project / "plain.xlsx")
    assert read_coding_sheet(project / "plain.xlsx", coder="ana").codings["code"].tolist() == ["safe_space", "reciprocity"]
