"""REFI-QDA import as each producer writes it (issue 16): positions in the producer's units, coder from the
selection, Sets, typed case variables, errors and warnings.

The projects are built here from the REFI-QDA 1.0 project schema (Project.xsd, bundled) and each is checked against
it. What each producer writes, from the formats' documentation and the issue's findings on published exports:
- the standard counts ``startPosition``/``endPosition`` in characters of the plain text;
- NVivo (a .NET program) counts UTF-16 code units: a character outside the Basic Multilingual Plane counts 2, a flag
  (two regional indicators) 4; NVivo names each selection by the start of its text;
- QualCoder (Python) counts code points and writes a coding memo as the selection's ``Description``;
- MAXQDA, ATLAS.ti and rmresearch count code points; MAXQDA exports document sets and code sets as ``<Sets>``.
"""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from lxml import etree

from rmresearch.cli import main
from rmresearch.coding import (QdpxError, export_qdpx, import_qdpx, load_codebook, read_codings_csv, segment_documents,
                               validate_project_xml)
from rmresearch.coding.codings import write_codings_csv
from rmresearch.io.refi import QDE_NAMESPACE
from rmresearch.io.refi_read import CODE_POINTS, UTF16, Units, producer_units

Q = "{" + QDE_NAMESPACE + "}"
GUID = "{:08x}-0000-4000-8000-{:012x}"

# A 12-pair cohort's interview, with an emoji, a flag and a CJK extension-B character before and between selections
TEXT = ("Interviewer: How did the first meeting go? 😀\n"
        "P07: Honestly 🇬🇧 it was the reverse mentoring that changed my view of the awarding gap.\n"
        "Interviewer: And the 𠀋 actions?\n"
        "P07: We wrote an action plan 👍🏽 with the PVC and held them to account.\n")
PASSAGES = ["reverse mentoring", "awarding gap", "actions", "action plan", "held them to account"]
CODES = ["Reciprocity", "Awarding gap", "Actions and policy change"]


def g(kind: int, n: int) -> str:
    return GUID.format(kind, n)


def utf16(text: str, i: int) -> int:
    """The UTF-16 position of code point ``i`` (what NVivo writes)."""
    return len(text[:i].encode("utf-16-le")) // 2


class Project:
    """A REFI-QDA project built element by element in schema order (Users, CodeBook, Variables, Cases, Sources,
    Notes, Sets)."""

    def __init__(self, origin: str, name: str = "Reverse mentoring pilot"):
        self.root = etree.Element(Q + "Project", nsmap={None: QDE_NAMESPACE}, name=name, origin=origin)
        users = etree.SubElement(self.root, Q + "Users")
        for n, who in enumerate(["Ana Coder", "Ben Coder"], start=1):
            etree.SubElement(users, Q + "User", guid=g(1, n), name=who)
        codes = etree.SubElement(etree.SubElement(self.root, Q + "CodeBook"), Q + "Codes")
        for n, title in enumerate(CODES, start=1):
            etree.SubElement(codes, Q + "Code", guid=g(2, n), name=title, isCodable="true")
        self.sources: dict[str, str] = {}
        self.src_el = {}

    def section(self, tag: str):
        order = ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets"]
        el = self.root.find(Q + tag)
        if el is None:
            el = etree.Element(Q + tag)
            after = [self.root.find(Q + t) for t in order[:order.index(tag)]]
            last = [a for a in after if a is not None][-1]
            last.addnext(el)
        return el

    def source(self, number: int, name: str, text: str):
        src = etree.SubElement(self.section("Sources"), Q + "TextSource", guid=g(3, number), name=name,
                               plainTextPath=f"internal://{g(3, number)}.txt")
        self.sources[f"sources/{g(3, number)}.txt"] = text
        self.src_el[number] = src
        return src

    def select(self, src_number: int, n: int, start: int, end: int, code: int, *, user: int = 1,
               coding_user: int | None = None, name: str | None = None, description: str | None = None):
        attrs = {"guid": g(4, n), "startPosition": str(start), "endPosition": str(end), "creatingUser": g(1, user)}
        if name is not None:
            attrs = {"guid": g(4, n), "name": name, **{k: v for k, v in attrs.items() if k != "guid"}}
        sel = etree.SubElement(self.src_el[src_number], Q + "PlainTextSelection", attrs)
        if description is not None:
            etree.SubElement(sel, Q + "Description").text = description
        coding = etree.SubElement(sel, Q + "Coding", guid=g(5, n), creatingUser=g(1, coding_user or user))
        etree.SubElement(coding, Q + "CodeRef", targetGUID=g(2, code))
        return sel

    def write(self, path):
        xml = etree.tostring(self.root, xml_declaration=True, encoding="utf-8")
        assert validate_project_xml(xml) == [], validate_project_xml(xml)  # a valid REFI-QDA project
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("project.qde", xml)
            for member, text in self.sources.items():
                zf.writestr(member, text.encode("utf-8"))
        return path


def coded(project: Project, units: str, *, names: bool = True) -> Project:
    """The interview with the five passages coded, positions counted in ``units``."""
    project.source(1, "Interview P07.txt", TEXT)
    for n, passage in enumerate(PASSAGES, start=1):
        a = TEXT.index(passage)
        b = a + len(passage)
        if units == UTF16:
            a, b = utf16(TEXT, a), utf16(TEXT, b)
        project.select(1, n, a, b, code=1 + n % 3, name=passage if names else None)
    return project


def landed(back) -> list[str]:
    return [back.texts[r.document][r.start:r.end] for r in back.codings.itertuples()]


def test_the_fixture_text_counts_differently_in_utf16():
    # the emoji, the flag (two regional indicators), the CJK character and the skin-tone emoji: 6 code points > BMP
    assert len(TEXT.encode("utf-16-le")) // 2 - len(TEXT) == 6
    end = TEXT.index("awarding gap") + len("awarding gap")
    assert utf16(TEXT, end) == end + 3  # 😀 and 🇬🇧 (2 code points) come before it


def test_nvivo_positions_in_utf16_code_units_land_on_the_exact_text(tmp_path):
    path = coded(Project("NVivo 12 (12.6.1.970)"), UTF16).write(tmp_path / "nvivo.qdpx")
    back = import_qdpx(path, validate=True)
    assert (back.producer, back.units) == ("NVivo", UTF16)
    assert landed(back) == PASSAGES
    assert "5 of 5 selection(s) inside their text without splitting a character, 5 whose name" in back.units_evidence
    assert back.warnings == ()
    # read as code points (the old importer), every passage after the first emoji is shifted
    start = int(back.codings["start"].iloc[0])
    assert TEXT[utf16(TEXT, start):utf16(TEXT, start) + 17] != "reverse mentoring"


def test_maxqda_positions_in_code_points_and_its_sets_of_codes_and_sources(tmp_path):
    project = coded(Project("MAXQDA 2024 (Release 24.1.0)"), CODE_POINTS)
    project.source(2, "Interview P08.txt", "P08: Nothing changed for me.\n")
    notes = project.section("Notes")
    note = etree.SubElement(notes, Q + "Note", guid=g(6, 1), name="Memo on the pilot")
    etree.SubElement(note, Q + "PlainTextContent").text = "Pilot memo"
    sets = project.section("Sets")
    codes_set = etree.SubElement(sets, Q + "Set", guid=g(7, 1), name="Change themes")
    codes_set.append(etree.Comment(" a comment is not a member "))
    for code in (2, 3):
        etree.SubElement(codes_set, Q + "MemberCode", targetGUID=g(2, code))
    docs_set = etree.SubElement(sets, Q + "Set", guid=g(7, 2), name="Staff partners")
    etree.SubElement(docs_set, Q + "MemberSource", targetGUID=g(3, 1))
    etree.SubElement(docs_set, Q + "MemberSource", targetGUID=g(3, 2))
    etree.SubElement(docs_set, Q + "MemberNote", targetGUID=g(6, 1))
    variables = project.section("Variables")  # MAXQDA's document variables sit on the sources
    etree.SubElement(variables, Q + "Variable", guid=g(8, 1), name="Interview length", typeOfVariable="Integer")
    for number, minutes in ((1, "48"), (2, "35")):
        vv = etree.SubElement(project.src_el[number], Q + "VariableValue")
        etree.SubElement(vv, Q + "VariableRef", targetGUID=g(8, 1))
        etree.SubElement(vv, Q + "IntegerValue").text = minutes
    back = import_qdpx(project.write(tmp_path / "maxqda.qdpx"), validate=True)
    assert (back.producer, back.units) == ("MAXQDA", CODE_POINTS)
    assert back.source_variables.to_dict("records") == [{"document": "Interview P07", "Interview length": 48},
                                                        {"document": "Interview P08", "Interview length": 35}]
    assert back.source_variables["Interview length"].dtype == "Int64"
    assert list(back.cases.columns) == ["case", "sources"] and back.variables == {"Interview length": "Integer"}
    assert landed(back) == PASSAGES
    assert back.sets.to_dict("records") == [
        {"set": "Change themes", "kind": "code", "member": "awarding_gap"},
        {"set": "Change themes", "kind": "code", "member": "actions_and_policy_change"},
        {"set": "Staff partners", "kind": "source", "member": "Interview P07"},
        {"set": "Staff partners", "kind": "source", "member": "Interview P08"},
    ]
    assert len(back.warnings) == 2 and "set 'Staff partners': 1 member(s) not imported: note" in back.warnings[1]
    assert "1 note(s) that are not coding memos" in back.warnings[0]  # the pilot memo is named, not dropped


def test_a_project_claiming_nvivo_whose_offsets_fit_only_code_points_is_read_by_the_evidence(tmp_path):
    # positions in code points under an NVivo origin: read as UTF-16 no selection's name matches its text; read as
    # code points all five fit and match
    path = coded(Project("NVivo 14"), CODE_POINTS).write(tmp_path / "claims.qdpx")
    back = import_qdpx(path)
    assert (back.producer, back.units) == ("NVivo", CODE_POINTS)
    assert landed(back) == PASSAGES
    assert len(back.warnings) == 1
    assert "says it was written by NVivo, which counts positions in UTF-16 code units" in back.warnings[0]
    assert "positions were read as code points" in back.warnings[0]


def test_without_names_a_selection_past_the_code_point_length_decides(tmp_path):
    # an NVivo file whose last selection ends past the text's code-point length but within its UTF-16 length
    project = Project("QualCoder 3.6")  # a wrong producer guess: the bounds are the only evidence
    project.source(1, "Interview P07.txt", TEXT)
    end16 = len(TEXT.encode("utf-16-le")) // 2
    project.select(1, 1, end16 - 20, end16 - 1, code=1)
    back = import_qdpx(project.write(tmp_path / "bounds.qdpx"))
    assert back.units == UTF16 and back.warnings and "QualCoder" in back.warnings[0]
    assert landed(back) == [TEXT[-20:-1]]  # the last 20 UTF-16 units are all in the BMP


def test_qualcoder_memo_on_the_selection_description_and_code_points(tmp_path):
    project = Project("QualCoder 3.5")
    project.source(1, "Interview P07.txt", TEXT)
    a = TEXT.index("held them to account")
    project.select(1, 1, a, a + 20, code=3, name="held them to account", description="Accountability, not advice")
    etree.SubElement(project.src_el[1], Q + "PlainTextSelection", guid=g(4, 2), startPosition="0",
                     endPosition="11", creatingUser=g(1, 2))  # an annotation: a passage without a Coding
    back = import_qdpx(project.write(tmp_path / "qualcoder.qdpx"), validate=True)
    assert back.warnings == (f"{tmp_path / 'qualcoder.qdpx'}: 1 selection(s) without a Coding (annotations or memos "
                             "on a passage) not imported",)
    assert (back.producer, back.units) == ("QualCoder", CODE_POINTS)
    row = back.codings.iloc[0]
    assert (landed(back), row["memo"], row["coder"]) == (["held them to account"], "Accountability, not advice",
                                                         "Ana Coder")


def test_the_coder_is_who_made_the_selection_and_the_codings_user_is_kept(tmp_path):
    project = Project("NVivo 12")
    project.source(1, "Interview P07.txt", TEXT)
    a, b = utf16(TEXT, TEXT.index("awarding gap")), utf16(TEXT, TEXT.index("awarding gap") + 12)
    project.select(1, 1, a, b, code=2, user=1, coding_user=2, name="awarding gap")  # Ben's coding on Ana's selection
    project.select(1, 2, a, b, code=1, user=2, name="awarding gap")
    back = import_qdpx(project.write(tmp_path / "users.qdpx"))
    assert back.codings[["code", "coder", "coding_user"]].to_dict("records") == [
        {"code": "awarding_gap", "coder": "Ana Coder", "coding_user": "Ben Coder"},
        {"code": "reciprocity", "coder": "Ben Coder", "coding_user": "Ben Coder"},
    ]
    assert back.codings_user_differs == 1
    out = write_codings_csv(back.codings, tmp_path / "c.csv")
    written = pd.read_csv(out)
    assert list(written.columns)[-2:] == ["memo", "coding_user"] and written["coding_user"].tolist() == ["Ben Coder"] * 2
    # the CSV with its extra column is still a coding file that agreement reads
    read = read_codings_csv(out, segments=segment_documents(back.texts, unit="turn"), codebook=back.codebook,
                            texts=back.texts)
    assert read[["code", "coder"]].values.tolist() == [["awarding_gap", "Ana Coder"], ["reciprocity", "Ben Coder"]]


def test_case_variables_of_every_type_become_typed_columns(tmp_path):
    project = coded(Project("ATLAS.ti 23.2.1"), CODE_POINTS)
    variables = project.section("Variables")
    kinds = [("role", "Text"), ("consented", "Boolean"), ("meetings", "Integer"), ("hours", "Float"),
             ("started", "Date"), ("interviewed", "DateTime")]
    for n, (name, kind) in enumerate(kinds, start=1):
        etree.SubElement(variables, Q + "Variable", guid=g(8, n), name=name, typeOfVariable=kind)
    values = [("staff_partner", "true", "6", "7.5", "2024-10-01", "2025-03-14T10:30:00"),
              ("senior_leader", "false", "4", "3.25", "2024-10-08", "2025-03-15T14:00:00")]
    cases = project.section("Cases")
    tags = ["TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue"]
    for c, (pid, row) in enumerate(zip(["P07", "P08"], values), start=1):
        case = etree.SubElement(cases, Q + "Case", guid=g(9, c), name=pid)
        for n, (tag, value) in enumerate(zip(tags, row), start=1):
            vv = etree.SubElement(case, Q + "VariableValue")
            etree.SubElement(vv, Q + "VariableRef", targetGUID=g(8, n))
            etree.SubElement(vv, Q + tag).text = value
        if c == 1:
            etree.SubElement(case, Q + "SourceRef", targetGUID=g(3, 1))
    back = import_qdpx(project.write(tmp_path / "atlas.qdpx"), validate=True)
    assert back.producer == "ATLAS.ti" and back.variables == dict(kinds)
    cases = back.cases.set_index("case")
    assert list(cases.columns) == [k for k, _ in kinds] + ["sources"]
    assert cases.loc["P07", "role"] == "staff_partner"
    assert cases["meetings"].dtype == "Int64" and cases["meetings"].sum() == 10
    assert cases["hours"].sum() == pytest.approx(10.75)
    assert cases["consented"].dtype == "boolean" and cases["consented"].tolist() == [True, False]
    assert cases.loc["P08", "started"] == pd.Timestamp("2024-10-08")
    assert cases.loc["P07", "interviewed"] == pd.Timestamp("2025-03-14 10:30")
    assert cases["sources"].tolist() == ["Interview P07", ""]


def test_an_offset_past_the_text_names_the_source_selection_and_what_to_do(tmp_path):
    project = Project("NVivo 12")
    project.source(1, "Interview P07.txt", TEXT)
    end16 = len(TEXT.encode("utf-16-le")) // 2
    project.select(1, 1, end16 - 5, end16 + 40, code=1)
    with pytest.raises(QdpxError) as err:
        import_qdpx(project.write(tmp_path / "past.qdpx"))
    msg = str(err.value)
    assert "source 'Interview P07'" in msg and g(4, 1) in msg and f"length {end16} UTF-16 code units" in msg
    assert "Export the project again" in msg


def test_a_position_between_the_halves_of_an_emoji_widens_to_the_whole_character(tmp_path):
    project = Project("NVivo 12")
    project.source(1, "Interview P07.txt", TEXT)
    a = utf16(TEXT, TEXT.index("😀"))
    project.select(1, 1, a + 1, a + 2, code=1)  # inside the surrogate pair, both ends
    project.select(1, 2, utf16(TEXT, TEXT.index("Honestly")), utf16(TEXT, TEXT.index("Honestly") + 8), code=1,
                   name="Honestly")
    back = import_qdpx(project.write(tmp_path / "split.qdpx"))
    assert back.units == UTF16 and landed(back) == ["😀", "Honestly"]
    assert any("between the two UTF-16 halves" in w and g(4, 1) in w for w in back.warnings)


def test_units_conversion_counts_each_astral_character_twice():
    m = Units.of("a😀b🇬🇧c")
    assert m.utf16_length == 9 and m.length == 6
    assert [m.to_code_points(u, end=False) for u in (0, 1, 3, 4, 6, 8, 9)] == [0, 1, 2, 3, 4, 5, 6]
    assert m.splits(2) and not m.splits(3)
    assert (m.to_code_points(2, end=False), m.to_code_points(2, end=True)) == (1, 2)


def test_cli_prints_producer_units_counts_and_warnings(tmp_path, capsys, monkeypatch):
    project = coded(Project("NVivo 12 (12.6.1.970)"), UTF16)
    sets = project.section("Sets")
    st = etree.SubElement(sets, Q + "Set", guid=g(7, 1), name="Interviews with students")
    etree.SubElement(st, Q + "MemberSource", targetGUID=g(3, 1))
    etree.SubElement(st, Q + "MemberSource", targetGUID=g(3, 99))  # a source that is not in the project
    path = project.write(tmp_path / "nvivo.qdpx")
    monkeypatch.chdir(tmp_path)
    assert main(["code", "import-qdpx", str(path), "--out", "codings.csv"]) == 0
    out = capsys.readouterr().out
    assert "written by NVivo: positions read as UTF-16 code units" in out
    assert "1 sources, 3 codes, 5 codings by 1 coder(s) (Ana Coder), 1 sets (1 members), 0 cases" in out
    assert "Warning:" in out and "set 'Interviews with students': 1 member(s) not imported" in out
    written = pd.read_csv(tmp_path / "codings.csv")
    assert [TEXT[s:e] for s, e in zip(written["start"], written["end"])] == PASSAGES


def test_case_values_not_of_their_variables_type_are_left_empty_with_a_warning(tmp_path):
    project = Project("MAXQDA 2022")
    variables = project.section("Variables")
    for n, (name, kind) in enumerate([("meetings", "Integer"), ("consented", "Boolean"), ("Role", "Text"),
                                      ("Role", "Text"), ("case", "Text")], start=1):
        etree.SubElement(variables, Q + "Variable", guid=g(8, n), name=name, typeOfVariable=kind)
    case = etree.SubElement(project.section("Cases"), Q + "Case", guid=g(9, 1), name="P11")
    for n, (tag, value) in enumerate([("FloatValue", "7.5"), ("TextValue", "yes"), ("TextValue", "Senior leader"),
                                      ("TextValue", "Staff partner"), ("TextValue", "pair 6")], start=1):
        vv = etree.SubElement(case, Q + "VariableValue")
        etree.SubElement(vv, Q + "VariableRef", targetGUID=g(8, n))
        etree.SubElement(vv, Q + tag).text = value
    back = import_qdpx(project.write(tmp_path / "mixed.qdpx"), validate=True)
    row = back.cases.iloc[0]
    assert list(back.cases.columns) == ["case", "meetings", "consented", "Role", "Role (2)", "case (variable)", "sources"]
    assert pd.isna(row["meetings"]) and pd.isna(row["consented"]) and back.cases["meetings"].dtype == "Int64"
    assert (row["case"], row["Role"], row["Role (2)"], row["case (variable)"]) == ("P11", "Senior leader",
                                                                                   "Staff partner", "pair 6")
    assert len(back.warnings) == 2 and "meetings = '7.5' is not of the type Integer" in back.warnings[0]
    assert "case 'P11'" in back.warnings[1] and "consented = 'yes'" in back.warnings[1]


@pytest.mark.parametrize("origin, producer, units", [
    ("NVivo 12 (12.6.1.970)", "NVivo", UTF16), ("NVivo 14", "NVivo", UTF16), ("Lumivero NVivo 15", "NVivo", UTF16),
    ("MAXQDA 2024 (Release 24.1.0)", "MAXQDA", CODE_POINTS), ("ATLAS.ti 23.2.1 (Windows)", "ATLAS.ti", CODE_POINTS),
    ("QualCoder 3.5", "QualCoder", CODE_POINTS), ("Taguette 1.4.1", "Taguette", CODE_POINTS),
    ("rmresearch 0.16", "rmresearch", CODE_POINTS),
])
def test_producer_and_units_from_the_origin_attribute(origin, producer, units):
    assert producer_units(origin) == (producer, units)


def test_an_unknown_producer_is_read_in_characters_as_the_standard_says():
    assert producer_units("Dedoose 9") == ("unknown producer (origin 'Dedoose 9')", CODE_POINTS)
    assert producer_units(None)[1] == CODE_POINTS


def test_our_own_export_of_text_with_emoji_reads_back_on_the_same_characters(tmp_path):
    book = load_codebook()
    code = book.codable_names[0]
    texts = {"interview_07": TEXT}
    rows = [{"document": "interview_07", "segment_id": None, "start": TEXT.index(p), "end": TEXT.index(p) + len(p),
             "code": code, "coder": "coder_a", "memo": None} for p in PASSAGES]
    path = export_qdpx(tmp_path / "ours.qdpx", texts=texts, codebook=book, codings=pd.DataFrame(rows))
    back = import_qdpx(path, validate=True)
    assert (back.producer, back.units, back.warnings) == ("rmresearch", CODE_POINTS, ())
    assert sorted(landed(back)) == sorted(PASSAGES)


def test_a_whole_source_coding_is_the_codings_user_else_the_sources(tmp_path):
    project = Project("MAXQDA 2024")
    src = project.source(1, "Interview P07.txt", TEXT)
    src.set("creatingUser", g(1, 2))
    for n, user in ((1, 1), (2, None)):
        coding = etree.SubElement(src, Q + "Coding", guid=g(5, n), **({"creatingUser": g(1, user)} if user else {}))
        etree.SubElement(coding, Q + "CodeRef", targetGUID=g(2, n))
    back = import_qdpx(project.write(tmp_path / "whole.qdpx"), validate=True)
    assert back.codings[["start", "end", "coder"]].values.tolist() == [[0, len(TEXT), "Ana Coder"],
                                                                       [0, len(TEXT), "Ben Coder"]]
