"""Red team, issue 11 item 4: the audit reads everything shareable (and no false positives).

Each test is an attack that passed the audit unseen (or made a clean report
unbuildable) on commit 9cf9af5.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from rmresearch.anonymise.audit import audit_paths
from rmresearch.anonymise.roster import Person, Roster

ROSTER = Roster([
    Person("P01", "Kwame Mensah"),
    Person("P02", "Hope Campbell"),
    Person("P03", "Sam White"),
    Person("P04", "Dele Black"),
    Person("P05", "Ruth Brown"),
    Person("P06", "Alan Green"),
    Person("P07", "Mary English"),
    Person("P08", "Tobi Scott"),
    Person("P09", "Niamh Irish"),
    Person("P10", "May Young"),
])


def _found(findings) -> set[tuple[str, str]]:
    return {(Path(f.file).name, f.masked) for f in findings if f.label == "PERSON"}


# --------------------------------------------------------------------------- .qdpx and .qdc

_QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Mentoring study with Kwame Mensah" origin="rmresearch">
  <Users><User guid="0c7f1d52-3b1e-4c53-9a55-0d3c2b1f7a10" name="coder hcampbell"/></Users>
  <CodeBook><Codes>
    <Code guid="1c7f1d52-3b1e-4c53-9a55-0d3c2b1f7a10" name="Trust" isCodable="true">
      <Description>Example: "I trusted Hope from the first meeting"</Description>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="2c7f1d52-3b1e-4c53-9a55-0d3c2b1f7a10" name="interview_P01" plainTextPath="internal://2c7f.txt"/>
  </Sources>
  <Notes><Note guid="3c7f1d52-3b1e-4c53-9a55-0d3c2b1f7a10" name="Coding memo"><PlainTextContent>Ask Mensah about the rota</PlainTextContent></Note></Notes>
</Project>
"""


def _qdpx(path: Path, qde: str = _QDE, sources: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde)
        for name, text in (sources or {"sources/2c7f.txt": "[P01] said the meeting went well."}).items():
            z.writestr(name, text)
    return path


def test_qdpx_members_are_unzipped_and_every_text_and_attribute_is_read(tmp_path):
    _qdpx(tmp_path / "coded.qdpx")
    findings = audit_paths([tmp_path], roster=ROSTER)
    where = {(f.where, f.masked, f.line) for f in findings}
    assert ("project.qde", "K**** M*****", 2) in where  # the project name attribute
    assert ("project.qde", "H***", 6) in where  # a codebook example, written as a name
    assert ("project.qde", "M*****", 12) in where  # a memo
    assert all("Kwame" not in str(f) and "Mensah" not in str(f) for f in findings)  # masked
    # a name in a source member, or in a member's name, is found too
    _qdpx(tmp_path / "coded.qdpx", sources={"sources/interview_Kwame.txt": "[P01] said it went well."})
    assert ("sources/interview_Kwame.txt", "K****") in {(f.where, f.masked) for f in audit_paths([tmp_path], roster=ROSTER)}


def test_qdpx_and_qdc_that_are_clean_pass(tmp_path):
    clean = _QDE.replace("with Kwame Mensah", "2024").replace("Hope", "my mentor").replace("Mensah", "[P01]")
    _qdpx(tmp_path / "coded.qdpx", clean)
    (tmp_path / "codebook.qdc").write_text(clean.replace("urn:QDA-XML:project:1.0", "urn:QDA-XML:codebook:1.0"))
    assert audit_paths([tmp_path], roster=ROSTER) == []


def test_qdc_codebook_in_a_folder_is_read_as_xml(tmp_path):
    (tmp_path / "codebook.qdc").write_text(
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="x" name="Praise for Kwame" isCodable="true"/>'
        "</Codes></CodeBook>")
    assert ("codebook.qdc", "K****") in _found(audit_paths([tmp_path], roster=ROSTER))


def test_a_zip_that_is_not_readable_is_a_finding_not_a_pass(tmp_path):
    (tmp_path / "coded.qdpx").write_bytes(b"PK\x03\x04 broken")
    assert [f.label for f in audit_paths([tmp_path], roster=ROSTER)] == ["UNREADABLE"]


def test_docx_core_properties_author_is_read(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("[P01] said the meeting went well.")
    document.core_properties.author = "Kwame Mensah"
    document.save(tmp_path / "export.docx")
    assert ("export.docx", "K**** M*****") in _found(audit_paths([tmp_path], roster=ROSTER))


# --------------------------------------------------------------------------- HTML, JSON, CSV, notebooks


def test_html_attribute_values_comments_and_scripts_are_read(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(
        '<html><body><p>Quotes</p>\n<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUg" alt="Chart for Kwame">\n'
        '<abbr title="Hope Campbell">P02</abbr>\n<!-- checked by Mensah -->\n'
        '<a href="mailto:k.mensah@anytown.ac.uk">write</a>\n<p data-who="K&#119;ame">x</p>\n'
        '<script type="application/json">{"mentor": "Campbell"}</script>\n</body></html>\n', encoding="utf-8")
    found = {(f.line, f.label, f.masked) for f in audit_paths([page], roster=ROSTER)}
    assert (2, "PERSON", "K****") in found  # alt=
    assert (3, "PERSON", "H*** C*******") in found  # title=
    assert (4, "PERSON", "M*****") in found  # a comment
    assert (5, "EMAIL", "k.m*****@a******.a*.u*") in found  # href=
    assert (6, "PERSON", "K****") in found  # an entity-encoded attribute
    assert (7, "PERSON", "C*******") in found  # script data


def test_notebook_html_output_attribute_and_figure_metadata_are_read(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show()")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": '<table><tr><td title="Kwame Mensah">P01</td></tr></table>',
                                                      "text/plain": "P01"}),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo" + "A" * 400, "text/plain": "<Figure>"},
                               metadata={"rmresearch": {"figure": True, "alt": "Chart", "figure_text": ["May", "Praise for Hope"]}}),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell('# T\n<span title="Campbell">x</span>'), cell]
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    found = _found(audit_paths([tmp_path], roster=ROSTER))
    assert {("01_x.ipynb", "K**** M*****"), ("01_x.ipynb", "H***"), ("01_x.ipynb", "C*******")} <= found


def test_accented_names_in_html_fragments_are_read_as_utf8(tmp_path):
    import nbformat

    roster = Roster([Person("P01", "Siobh\u00e1n \u00d3 Murch\u00fa")])
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": "<table><tr><td>Mentor</td><td title='Murch\u00fa'>[P01]</td></tr></table>", "text/plain": "-"})]
    nb.cells = [nbformat.v4.new_markdown_cell("Thanks to <b>Siobh\u00e1n</b>"), cell]
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    assert {f.masked for f in audit_paths([tmp_path], roster=roster)} == {"S******", "M*****"}


def test_a_figure_without_recorded_texts_is_a_finding(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("plt.show()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo", "text/plain": "<Figure>"})]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    assert [f.label for f in audit_paths([tmp_path], roster=ROSTER)] == ["FIGURE"]


def test_file_named_after_a_person_is_a_finding(tmp_path):
    (tmp_path / "anonymised").mkdir()
    (tmp_path / "anonymised" / "interview_Kwame_Mensah.txt").write_text("[P01] said it went well.\n")
    (tmp_path / "anonymised" / "HopeCampbell.log.csv").write_text("label,pseudonym\nPERSON,[P02]\n")
    (tmp_path / "anonymised" / "interview_07.txt").write_text("[P01] said it went well.\n")
    findings = audit_paths([tmp_path / "anonymised"], roster=ROSTER)
    assert {(Path(f.file).name, f.masked, f.where) for f in findings} == {
        ("interview_Kwame_Mensah.txt", "K**** M*****", "file name"),
        ("HopeCampbell.log.csv", "H*** C*******", "file name"),
    }


def test_key_and_review_files_inside_a_shareable_folder_are_findings(tmp_path):
    reports = tmp_path / "reports" / "demo"
    reports.mkdir(parents=True)
    (reports / "report.html").write_text("<p>All clean.</p>")
    # originals the audit does not look for (uncertain guesses): the old audit read these files and passed them
    (reports / "backup.json").write_text(json.dumps({"format": 1, "cohort": "demo", "counters": {"PERSON": 1},
        "entries": {"PERSON\tzebedee": {"original": "Zebedee", "label": "PERSON", "pseudonym": "[PERSON_1]",
                                        "confidence": 0.5}}}))
    (reports / "decisions.csv").write_text("document,start,end,label,layer,confidence,text,context,pseudonym,decision,note\n"
                                          "t.txt,4,11,PERSON,lexicon,0.6,Zebedee,... Zebedee was,[PERSON_1],,\n")
    findings = audit_paths([tmp_path / "reports"], roster=ROSTER)
    assert {(Path(f.file).name, f.label) for f in findings} == {("backup.json", "PRIVATE"), ("decisions.csv", "PRIVATE")}


def test_a_file_that_cannot_be_read_as_text_is_a_finding(tmp_path):
    (tmp_path / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    (tmp_path / "notes.txt").write_text("[P01] said it went well.\n")
    assert [(Path(f.file).name, f.label) for f in audit_paths([tmp_path], roster=ROSTER)] == [("figure.png", "UNREADABLE")]


# --------------------------------------------------------------------------- no false positives


def test_ethnicity_and_colour_words_base64_and_hashes_are_not_findings(tmp_path):
    (tmp_path / "03_attainment.html").write_text(
        "<h2>Outcomes for White students and Black students</h2>\n"
        "<p>The gap between White and Black, Asian and Mixed students narrowed; English and Irish students and Green"
        " Party voters were not counted.</p>\n"
        "<table><tr><th>Ethnicity</th><th>n</th></tr><tr><td>White</td><td>120</td></tr>"
        "<tr><td>Black</td><td>60</td></tr><tr><td>Brown</td><td>3</td></tr></table>\n"
        '<img src="data:image/png;base64,' + "QUJDRA" * 200 + '07700900123" alt="Bar chart: White and Black students">\n'
        "<p>Scottish students were few.</p>\n", encoding="utf-8")
    (tmp_path / "run.json").write_text(json.dumps({
        "inputs_sha256": {"data/demo/students.csv": "0770090012345678abcdef0123456789abcdef0123456789abcdef0123456789"},
        "git_commit": "07700900123a4b5c6d7e8f90a1b2c3d4e5f60718", "started": "2026-12-01T09:01:13.077009",
        "groups": ["White", "Black", "Mixed", "Asian", "Other"]}, indent=1))
    (tmp_path / "03_attainment.results.json").write_text(json.dumps({"rate": 0.11538461538461539, "n": 26,
                                                                       "gap": -0.0770090012345}, indent=1))
    (tmp_path / "table.csv").write_text("ethnicity,n,rate\nWhite,120,0.55\nBlack,60,0.31\n")
    (tmp_path / "printed.txt").write_text("White: 55% (n = 120)\nBlack: 31% of 60 students\n")
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show_table(t)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/plain": "  ethnicity    n\n0     White  120\n1     Black   60",
        "image/png": "iVBORw0KGgo07700900123" + "A" * 300})]
    cell.outputs[0].metadata = {"rmresearch": {"figure_text": ["White", "Black", "Share of White students", "May 2025",
                                                               "Young staff", "Hope"]}}
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "03_attainment.ipynb")
    assert audit_paths([tmp_path], roster=ROSTER) == []


def test_the_same_surnames_in_a_name_context_are_still_found(tmp_path):
    page = tmp_path / "02_themes.html"
    page.write_text(
        "<p>Dr White said the scheme helped.</p>\n"
        "<p>White said it twice.</p>\n"
        "<p>We thank Sam White.</p>\n"
        "<p>Black's mentee agreed.</p>\n"
        "<pre>Brown: I was nervous at first.</pre>\n"
        "<p>Mrs English explained the rota; so did Tobi.</p>\n", encoding="utf-8")
    found = {(f.line, f.masked) for f in audit_paths([page], roster=ROSTER)}
    assert {(1, "W****"), (2, "W****"), (3, "S** W****"), (4, "B****"), (5, "B****"), (6, "E******"), (6, "T***")} <= found


# --------------------------------------------------------------------------- cohort-level and CLI


@pytest.fixture()
def cohort(demo_copy):
    from rmresearch.config import load_cohort

    return load_cohort(demo_copy / "cohorts" / "demo.yml")


def _roster_name(cohort) -> str:
    from rmresearch.anonymise.roster import load_roster

    return load_roster(cohort).people[0].name


def test_audit_shareable_covers_several_cohorts(cohort, tmp_path):
    from rmresearch.anonymise.audit import audit_shareable
    from rmresearch.config import load_cohort

    root = cohort.root
    table = (root / "data/demo/participants.csv").read_text().splitlines()
    header, first = table[0], table[1].split(",")
    first[1], first[header.split(",").index("cohort")] = "Zebedee Quarshie", "later"
    (root / "data/later").mkdir()
    (root / "data/later/participants.csv").write_text(header + "\n" + ",".join(first) + "\n")
    text = (root / "cohorts/demo.yml").read_text()
    for a, b in (("cohort: demo", "cohort: later"), ("data/demo/participants.csv", "data/later/participants.csv"),
                 ("keys: keys/demo", "keys: keys/later"), ("reports: reports/demo", "reports: reports/later"),
                 ("anonymised: interviews/demo/anonymised", "anonymised: interviews/later/anonymised")):
        text = text.replace(a, b)
    (root / "cohorts/later.yml").write_text(text)
    later = load_cohort(root / "cohorts/later.yml")
    page = tmp_path / "trends" / "report.html"
    page.parent.mkdir()
    page.write_text(f"<p title='{_roster_name(cohort)}'>trend</p>\n<p>Thanks to Zebedee.</p>\n")
    assert [f.line for f in audit_shareable([cohort], [page.parent])] == [1]
    assert sorted(f.line for f in audit_shareable([cohort, later], [page.parent])) == [1, 2]


def test_report_leak_audit_reads_attributes(cohort, tmp_path):
    from rmresearch.report import leak_audit

    page = tmp_path / "staging" / "index.html"
    page.parent.mkdir()
    page.write_text(f'<p><abbr title="{_roster_name(cohort)}">P001</abbr></p>\n')
    problems = leak_audit(cohort, [page.parent])
    assert problems and "index.html:1: PERSON" in problems[0]
    assert _roster_name(cohort) not in problems[0]
    page.write_text('<p><abbr title="Participant one">P001</abbr></p>\n')
    assert leak_audit(cohort, [page.parent]) == []


def test_cli_audit_residual_lists_name_like_candidates_in_a_private_file(cohort, capsys, monkeypatch):
    from rmresearch.anonymise.audit import residual_path
    from rmresearch.cli import main

    out = Path(cohort.outputs["anonymised"])
    (out / "zz_extra.txt").write_text(
        "Interviewer: How did it go?\n[P001]: Fine. Zebedee Quarshie was brilliant, and [PERSON_3] agreed.\n"
        "[P001]: White students and Black students came along.\n", encoding="utf-8")
    monkeypatch.chdir(cohort.root)
    code = main(["audit", str(out), "--cohort", str(cohort.path), "--residual"])
    printed = capsys.readouterr().out
    assert code == 0, printed  # candidates alone do not fail the audit
    target = residual_path(cohort)
    assert "await confirmation" in printed and str(target) in printed
    import pandas as pd

    rows = pd.read_csv(target)
    assert "Zebedee Quarshie" in set(rows["candidate"])
    assert not rows["candidate"].str.contains(r"\[|^P\d+$|^White$|^Black$", regex=True).any()
    assert (target.stat().st_mode & 0o777) == 0o600
    assert out.resolve() not in target.resolve().parents


def test_residual_candidates_are_never_written_into_a_shareable_folder(cohort):
    from rmresearch.anonymise.audit import residual_candidates, write_residual
    from rmresearch.errors import ConfigError

    frame = residual_candidates(cohort, [cohort.outputs["anonymised"]])
    with pytest.raises(ConfigError, match="must not be written inside"):
        write_residual(cohort, frame, Path(cohort.outputs["reports"]) / "residual.csv")


# --------------------------------------------------------------------------- figures


def _run_notebook(path: Path, cwd: Path) -> Path:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(cwd)}}).execute()
    nbformat.write(nb, path)
    return path


def _figure_notebook(path: Path, *sources: str) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import matplotlib\nmatplotlib.use('module://matplotlib_inline.backend_inline')\n"
                                          "import matplotlib.pyplot as plt\nfrom rmresearch import plots")]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_texts_drawn_in_figures_are_recorded_and_audited(tmp_path):
    nb = _figure_notebook(
        tmp_path / "01_fig.ipynb",
        # a tick label that is a name, shown through plots.finish
        "fig, ax = plots.new_figure()\nax.bar([''.join(['Kwa', 'me Men', 'sah']), 'Others'], [3, 4])\nplots.finish(fig, alt='Meetings held')",
        # a legend entry, shown by the inline backend without finish
        "fig, ax = plt.subplots()\nax.plot([1, 2], label='Camp' + 'bell')\nax.legend()\nplt.show()",
        # a title, shown with display()
        "from IPython.display import display\nfig, ax = plt.subplots()\nax.set_title('Praise for Ho' + 'pe')\n"
        "display(fig)\nplt.close(fig)",
    )
    _run_notebook(nb, tmp_path)
    findings = audit_paths([nb], roster=ROSTER)
    assert {f.masked for f in findings if f.label == "PERSON"} >= {"K**** M*****", "C*******", "H***"}
    assert not [f for f in findings if f.label == "FIGURE"]


@pytest.mark.slow
def test_a_clean_figure_passes(tmp_path):
    nb = _figure_notebook(
        tmp_path / "01_fig.ipynb",
        "fig, ax = plots.new_figure()\nax.bar(['White', 'Black', 'Asian'], [3, 4, 5], label='Students')\nax.legend()\n"
        "ax.set_title('Share of White students')\nplots.finish(fig, alt='Bar chart of students by ethnicity')",
        "fig, ax = plt.subplots()\nax.plot([1, 2], label='Pairs')\nax.legend()\nplt.show()",
    )
    _run_notebook(nb, tmp_path)
    assert audit_paths([nb], roster=ROSTER) == []


@pytest.mark.slow
def test_a_report_whose_figure_tick_label_is_a_roster_name_is_not_written(demo_copy, tmp_path):
    from test_report import _project_notebooks

    from rmresearch.config import load_cohort
    from rmresearch.report import ReportError, build_report

    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    name = _roster_name(cfg)
    notebooks = _project_notebooks(tmp_path, ("01_fig.ipynb", (
        # the name is read from the roster in the kernel: it is in no source, only drawn in the figure
        "from rmresearch import plots\nfrom rmresearch.anonymise.roster import load_roster\n"
        "from rmresearch.config import load_cohort\nwho = load_roster(load_cohort(cohort_config)).people[0].name\n"
        "fig, ax = plots.new_figure()\nax.bar([who, 'Others'], [3, 4])\nplots.finish(fig, alt='Meetings held')",)))
    with pytest.raises(ReportError, match="leak audit found") as info:
        build_report(cfg, notebooks_dir=notebooks, progress=False)
    assert "01_fig.ipynb" in str(info.value) and name not in str(info.value)


# --------------------------------------------------------------------------- attacks beyond the list


def test_names_hidden_by_markup_invisible_characters_css_and_url_encoding_are_found(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><style>.who::after { content: 'Kwame' }</style></head><body>\n"
        "<p>Thanks to K<i>wame</i> for the rota.</p>\n"
        "<p>Thanks to Kw\u200bame for the rota.</p>\n"
        '<p><a href="/search?q=Camp%62ell">link</a></p>\n'
        "<p style=\"--x: 1\">So said Siobh\u00e1n O\u2019Neill.</p>\n"
        "</body></html>\n", encoding="utf-8")
    roster = Roster([Person("P01", "Kwame Mensah"), Person("P02", "Hope Campbell"), Person("P05", "Siobh\u00e1n O'Neill")])
    found = {(f.line, f.masked) for f in audit_paths([page], roster=roster)}
    assert {(1, "K****"), (2, "K****"), (3, "K****"), (4, "C*******"), (5, "S****** O\u2019N****")} <= found


def test_windows_encoded_exports_and_spreadsheets_are_read(tmp_path):
    roster = Roster([Person("P05", "Siobh\u00e1n O'Neill")])
    (tmp_path / "export.csv").write_bytes("who,n\nSiobh\u00e1n,3\n".encode("cp1252"))
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "Mentor"
    book.active["B1"] = "O'Neill"
    book.save(tmp_path / "table.xlsx")
    assert {(Path(f.file).name, f.masked) for f in audit_paths([tmp_path], roster=roster)} == {
        ("export.csv", "S******"), ("table.xlsx", "O'N****")}


def test_a_name_written_without_its_accents_is_found(tmp_path):
    roster = Roster([Person("P01", "Siobh\u00e1n \u00d3 Murch\u00fa"), Person("P02", "Zo\u00eb Brontë-Sm\u00edth")])
    (tmp_path / "notes.txt").write_text("Thanks to Siobhan O Murchu and Zoe Bronte-Smith.\n", encoding="utf-8")
    assert {f.masked for f in audit_paths([tmp_path], roster=roster)} >= {"S****** O M*****", "Z** B*****-S****"}


def test_a_symlinked_raw_folder_inside_a_shareable_folder_is_audited(tmp_path):
    raw = tmp_path / "interviews" / "raw"
    raw.mkdir(parents=True)
    (raw / "interview_01.txt").write_text("Interviewer: Hello Kwame.\n")
    shared = tmp_path / "reports" / "demo"
    shared.mkdir(parents=True)
    (shared / "raw").symlink_to(raw, target_is_directory=True)
    (shared / "loop").symlink_to(shared, target_is_directory=True)  # a cycle does not hang the audit
    assert ("interview_01.txt", "K****") in _found(audit_paths([tmp_path / "reports"], roster=ROSTER))


def test_xml_entities_are_read_but_never_expanded(tmp_path):
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE p [\n<!ENTITY who "Kwame Mensah">\n<!ENTITY a "aaaaaaaaaa">\n'
            + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10 if i else "&a;" * 10}">\n' for i in range(9))
            + '<!ENTITY all "&a8;&a8;&a8;">\n]>\n<Project xmlns="urn:QDA-XML:project:1.0" name="&all;">&who;</Project>\n')
    _qdpx(tmp_path / "bomb.qdpx", bomb)
    import time

    start = time.monotonic()
    findings = audit_paths([tmp_path], roster=ROSTER)
    assert time.monotonic() - start < 20
    assert ("bomb.qdpx", "K**** M*****") in _found(findings)


def test_an_svg_figure_without_recorded_texts_is_a_finding(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("fig")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg"><path d="M 0 0 L 1 1"/></svg>', "text/plain": "<Figure>"})]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    assert [f.label for f in audit_paths([tmp_path], roster=ROSTER)] == ["FIGURE"]


def test_finish_refuses_to_draw_a_figure_that_names_a_cohort_member(cohort, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    from rmresearch import plots, results

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a))
    monkeypatch.setattr(results, "_current", None)
    results.start(cohort, path=None)
    name = _roster_name(cohort)
    fig, ax = plots.new_figure()
    ax.bar([name.upper(), "Others"], [3, 4])
    with pytest.raises(plots.FigureLeak, match="was not drawn") as info:
        plots.finish(fig, alt="Meetings held")
    assert name.upper() not in str(info.value) and name not in str(info.value) and shown == []
    fig, ax = plots.new_figure()
    ax.bar(["White", "Black", "Others"], [3, 4, 5])
    ax.set_title("Meetings held by White and Black mentors")
    plots.finish(fig, alt="Meetings held")
    assert len(shown) == 1
    monkeypatch.setattr(results, "_current", None)


def test_cli_audit_mistakes_are_one_line_errors(cohort, capsys, tmp_path):
    from rmresearch.cli import main

    assert main(["audit", str(tmp_path), "--residual", "--roster", str(tmp_path / "r.csv")]) == 2
    assert "--residual needs --cohort" in capsys.readouterr().err
    assert main(["audit", str(tmp_path / "missing"), "--cohort", str(cohort.path)]) == 2
    err = capsys.readouterr().err
    assert "no such file or folder to audit" in err and "Traceback" not in err


def test_a_cohort_without_interviews_is_audited_too(demo_copy, tmp_path):
    from rmresearch.config import load_cohort
    from rmresearch.report import leak_audit

    path = demo_copy / "cohorts" / "demo.yml"
    path.write_text(path.read_text().replace("  interviews: interviews/demo/raw\n", ""))
    cfg = load_cohort(path)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>All clean.</p>\n")
    assert leak_audit(cfg, [site]) == []
    (site / "index.html").write_text(f"<p title='{_roster_name(cfg)}'>x</p>\n")
    assert "leak audit found 1" in leak_audit(cfg, [site])[0]


# --------------------------------------------------------------------------- word-names introduced in captions


def test_a_word_name_in_a_self_introduction_is_a_finding_in_any_case(tmp_path):
    """The pilot's auto-caption transcript kept "i'm favour i study": lower case, so not "written as a name"."""
    roster = Roster([Person("P14", "Favour Ncube"), Person("P02", "Hope Campbell"), Person("P03", "Joy Adeyemi")])
    folder = tmp_path / "anonymised"
    folder.mkdir()
    (folder / "interview_03.txt").write_text(
        "hi [P14] thanks for making time for this\n"
        "i'm favour i study education i'm in my final year\n"
        "to be honest i'm in favour of it and i hope so\n"
        "thanks JOY, that is all\n"
        "it was a joy to work with someone so senior\n", encoding="utf-8")
    (folder / "interview_01.txt").write_text("hope here, sorry i'm late\n", encoding="utf-8")
    found = {(Path(f.file).name, f.line, f.masked) for f in audit_paths([folder], roster=roster)}
    assert found == {("interview_03.txt", 2, "f*****"), ("interview_03.txt", 4, "J**"), ("interview_01.txt", 1, "h***")}


def test_ordinary_uses_of_word_names_in_anonymised_captions_pass(tmp_path):
    roster = Roster([Person("P14", "Favour Ncube"), Person("P02", "Hope Campbell"), Person("P04", "Grace Okafor")])
    (tmp_path / "interview_03.txt").write_text(
        "i'm [P14] i study education\n"
        "to be honest i'm in favour of it she did me a favour\n"
        "by the grace of god it worked and there is no hope here yet\n"
        "thanks, hope you're well\n", encoding="utf-8")
    assert audit_paths([tmp_path], roster=roster) == []


def test_the_anonymised_manifest_makes_a_cue_enough_for_the_files_own_interviewee(tmp_path):
    roster = Roster([Person("P14", "Favour Ncube"), Person("P02", "Hope Campbell")])
    line = "thank you so much favour that's been really helpful\n"  # cannot be told from "thanks, hope that's ok"
    (tmp_path / "interview_03.txt").write_text(line, encoding="utf-8")
    (tmp_path / "interview_01.txt").write_text(line, encoding="utf-8")
    assert audit_paths([tmp_path], roster=roster) == []
    (tmp_path / "interview_manifest.csv").write_text(
        "document,participant_id,interviewer_labels,speaker_labels\ninterview_03,P14,,no\ninterview_01,P02,,yes\n",
        encoding="utf-8")
    found = {(Path(f.file).name, f.line, f.masked) for f in audit_paths([tmp_path], roster=roster)}
    assert found == {("interview_03.txt", 1, "f*****")}
