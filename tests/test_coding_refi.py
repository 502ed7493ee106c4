"""REFI-QDA project export/import: schema validity, round trips, offsets with CRLF and BOM, errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from rmresearch.coding import (
    QdpxError,
    export_qdpx,
    import_qdpx,
    load_codebook,
    load_documents,
    segment_documents,
    validate_project_xml,
)
from rmresearch.coding.refi import QDE_NAMESPACE

DATA = Path(__file__).parent / "data" / "coding"
SHARED_XSD = Path(__file__).resolve().parents[2] / "shared" / "refi-qda" / "Project.xsd"
Q = "{" + QDE_NAMESPACE + "}"


@pytest.fixture(scope="module")
def project():
    texts = load_documents(DATA)
    segments = segment_documents(texts, unit="turn", participant_ids=["P01", "P02", "P03", "P04"])
    seg = segments.set_index("segment_id")

    def coding(sid, code, coder, memo=None):
        r = seg.loc[sid]
        return {"document": r["document"], "segment_id": sid, "start": int(r["start"]), "end": int(r["end"]),
                "code": code, "coder": coder, "memo": memo}

    crlf = texts["interview_crlf"]
    start = crlf.index("held to account")
    codings = pd.DataFrame([
        coding("interview_a#t002", "safe_space", "ana"),
        coding("interview_a#t002", "safe_space", "ben"),
        coding("interview_a#t002", "reciprocity", "ben", memo="two-way? borderline"),
        coding("interview_a#t005", "sponsorship", "ana"),
        coding("interview_crlf#t002", "actions_policy_change", "ana"),
        coding("interview_bom#t003", "labour_of_educating", "ben"),
        {"document": "interview_crlf", "segment_id": None, "start": start, "end": start + len("held to account"),
         "code": "accountability", "coder": "ana", "memo": None},
    ])
    participants = pd.DataFrame({
        "participant_id": ["P01", "P02", "P03", "P04"],
        "role": ["staff_partner", "senior_leader", "senior_leader", "student_partner"],
        "ethnicity_group": ["BAME", "White", "White", None],
    })
    return texts, segments, codings, participants


def _export(tmp_path, project, name="p.qdpx"):
    texts, segments, codings, participants = project
    # four cases, so min_cases=1 to see every attribute go through (the threshold: tests/test_refi_export16.py)
    return export_qdpx(tmp_path / name, texts=texts, codebook=load_codebook(), codings=codings,
                       participants=participants, segments=segments, name="Test project",
                       created="2026-12-01T10:00:00Z", min_cases=1)


def test_export_validates_against_the_refi_qda_schema(tmp_path, project):
    path = _export(tmp_path, project)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        xml = zf.read("project.qde")
    assert names[0] == "project.qde"
    assert all(n.startswith("sources/") and n.endswith(".txt") for n in names[1:]) and len(names) == 4
    assert validate_project_xml(xml) == []
    if SHARED_XSD.is_file():  # the schema the project was given, not only the bundled copy
        schema = etree.XMLSchema(etree.parse(str(SHARED_XSD)))
        assert schema.validate(etree.fromstring(xml)), schema.error_log
    root = etree.fromstring(xml)
    assert root.tag == Q + "Project"
    sources = root.findall(f"{Q}Sources/{Q}TextSource")
    for src in sources:
        guid = src.get("guid")
        assert src.get("plainTextPath") == f"internal://{guid}.txt"
    assert {u.get("name") for u in root.iter(Q + "User")} == {"ana", "ben"}
    for coding in root.iter(Q + "Coding"):
        assert coding.get("creatingUser") in {u.get("guid") for u in root.iter(Q + "User")}
    cases = root.findall(f"{Q}Cases/{Q}Case")
    assert [c.get("name") for c in cases] == ["P01", "P02", "P03", "P04"]
    assert {v.get("name") for v in root.iter(Q + "Variable")} == {"role", "ethnicity_group"}


def test_schema_rejects_an_invalid_project():
    bad = f'<Project xmlns="{QDE_NAMESPACE}"><Users><User name="no guid"/></Users></Project>'
    errors = validate_project_xml(bad)
    assert errors and any("guid" in e for e in errors) and any("name" in e for e in errors)


def test_export_is_reproducible(tmp_path, project):
    assert _export(tmp_path, project, "a.qdpx").read_bytes() == _export(tmp_path, project, "b.qdpx").read_bytes()


def test_round_trip_gives_same_codes_cases_and_codings(tmp_path, project):
    texts, segments, codings, participants = project
    back = import_qdpx(_export(tmp_path, project), validate=True)
    assert back.name == "Test project"
    cb = load_codebook()
    assert back.codebook.names == cb.names
    assert [c.title for c in back.codebook] == [c.title for c in cb]
    assert back.texts == texts  # CRLF kept, BOM dropped: identical texts, so identical offsets
    cols = ["document", "start", "end", "code", "coder", "memo"]
    key = ["document", "start", "end", "code", "coder"]
    expected = codings[cols].sort_values(key).reset_index(drop=True)
    got = back.codings[cols].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    cases = back.cases.set_index("case")
    assert cases.loc["P01", "role"] == "staff_partner" and cases.loc["P02", "ethnicity_group"] == "White"
    assert pd.isna(cases.loc["P04", "ethnicity_group"])
    assert cases.loc["P03", "sources"] == "interview_crlf"


def test_offsets_in_crlf_and_bom_sources(tmp_path, project):
    texts, segments, codings, participants = project
    back = import_qdpx(_export(tmp_path, project))
    for r in back.codings.itertuples():
        assert back.texts[r.document][r.start:r.end] == texts[r.document][r.start:r.end]
    acc = back.codings.loc[back.codings["code"] == "accountability"].iloc[0]
    assert back.texts["interview_crlf"][acc["start"]:acc["end"]] == "held to account"
    # the bytes in sources/ are the text as stored (\r\n kept, no BOM), so other tools count the same characters
    with zipfile.ZipFile(tmp_path / "p.qdpx") as zf:
        stored = {zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("sources/")}
    assert texts["interview_crlf"] in stored and not any(s.startswith("\ufeff") for s in stored)


def test_import_of_a_foreign_project_with_bom_and_crlf_source(tmp_path):
    text = "P01: First line.\r\nP02: The coded words are here."
    start = text.index("coded words")
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{QDE_NAMESPACE}" name="From another tool">
  <Users><User guid="aaaaaaaa-0000-0000-0000-000000000001" name="Kim"/></Users>
  <CodeBook><Codes><Code guid="{{bbbbbbbb-0000-0000-0000-000000000001}}" name="Key words" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="cccccccc-0000-0000-0000-000000000001" name="Interview 9.txt" plainTextPath="internal://cccccccc-0000-0000-0000-000000000001.txt">
      <PlainTextSelection guid="dddddddd-0000-0000-0000-000000000001" startPosition="{start}" endPosition="{start + 11}"
          creatingUser="aaaaaaaa-0000-0000-0000-000000000001">
        <Coding guid="eeeeeeee-0000-0000-0000-000000000001"><CodeRef targetGUID="bbbbbbbb-0000-0000-0000-000000000001"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"""
    path = tmp_path / "foreign.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", xml)
        zf.writestr("Sources/cccccccc-0000-0000-0000-000000000001.txt", ("\ufeff" + text).encode("utf-8"))
    back = import_qdpx(path, validate=True)
    assert back.texts == {"Interview 9": text}
    row = back.codings.iloc[0]
    assert (row["code"], row["coder"]) == ("key_words", "Kim")  # coder from the selection's creatingUser
    assert back.texts["Interview 9"][row["start"]:row["end"]] == "coded words"


def test_import_errors(tmp_path):
    not_zip = tmp_path / "plain.qdpx"
    not_zip.write_text("hello", encoding="utf-8")
    with pytest.raises(QdpxError, match="not a zip archive"):
        import_qdpx(not_zip)
    no_qde = tmp_path / "other.qdpx"
    with zipfile.ZipFile(no_qde, "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(QdpxError, match="without project.qde"):
        import_qdpx(no_qde)
    wrong_root = tmp_path / "wrong.qdpx"
    with zipfile.ZipFile(wrong_root, "w") as zf:
        zf.writestr("project.qde", "<html><body/></html>")
    with pytest.raises(QdpxError, match="not a REFI-QDA project: its root element"):
        import_qdpx(wrong_root)
    broken = tmp_path / "broken.qdpx"
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("project.qde", "<Project")
    with pytest.raises(QdpxError, match="not well-formed"):
        import_qdpx(broken)
    missing_source = tmp_path / "missing.qdpx"
    with zipfile.ZipFile(missing_source, "w") as zf:
        zf.writestr("project.qde", f'<Project xmlns="{QDE_NAMESPACE}" name="p"><Sources><TextSource '
                    'guid="cccccccc-0000-0000-0000-000000000001" name="s" plainTextPath="internal://x.txt"/></Sources></Project>')
    with pytest.raises(QdpxError, match="no such file"):
        import_qdpx(missing_source)
    with pytest.raises(QdpxError, match="not found"):
        import_qdpx(tmp_path / "nothing.qdpx")


def test_export_refuses_codings_it_cannot_represent(tmp_path, project):
    texts, segments, codings, participants = project
    bad = codings.assign(code=["no_such_code"] + codings["code"].tolist()[1:])
    with pytest.raises(QdpxError, match="not in the codebook: no_such_code"):
        export_qdpx(tmp_path / "x.qdpx", texts=texts, codebook=load_codebook(), codings=bad)
    outside = codings.assign(end=codings["end"] + 10_000)
    with pytest.raises(QdpxError, match="outside the text"):
        export_qdpx(tmp_path / "x.qdpx", texts=texts, codebook=load_codebook(), codings=outside)
    assert not (tmp_path / "x.qdpx").exists()


def test_cases_carry_every_characteristic_group_the_participants_have(tmp_path, project):
    texts, segments, codings, participants = project
    # a cohort studying disability and sex, not ethnicity: both are case variables; the aggregate columns are not
    people = participants.drop(columns="ethnicity_group").assign(
        disability_group=["Disabled", "No known disability", "Unknown", "Disabled"],
        disability_aggregate="x", sex_group=["Female", "Male", "Male", "Female"])
    path = export_qdpx(tmp_path / "d.qdpx", texts=texts, codebook=load_codebook(), codings=codings,
                       participants=people, segments=segments, name="Test project", min_cases=1)
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    assert [v.get("name") for v in root.iter(Q + "Variable")] == ["role", "disability_group", "sex_group"]
    cases = import_qdpx(path).cases.set_index("case")
    assert cases.loc["P03", "disability_group"] == "Unknown" and cases.loc["P04", "sex_group"] == "Female"
