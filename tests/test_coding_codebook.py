"""Codebook loading, validation errors and REFI-QDA .qdc round trips."""

from __future__ import annotations

import textwrap

import pytest
from lxml import etree

from rmresearch.coding import CodebookError, load_codebook, read_qdc, write_codebook, write_qdc
from rmresearch.coding.codebook import QDC_NAMESPACE
from rmresearch.errors import ConfigError, InputError

THEMES = (
    "lived_experience", "understanding_barriers", "career_development", "sponsorship",
    "decision_making_politics", "safe_space", "reciprocity", "labour_of_educating",
    "actions_policy_change", "accountability", "programme_logistics",
)


def test_default_codebook_has_the_eleven_themes_under_parents():
    cb = load_codebook()
    assert sorted(cb.codable_names) == sorted(THEMES)
    for name in THEMES:
        code = cb[name]
        assert code.parent is not None and not cb[code.parent].codable
        assert code.title and code.title != name
        assert len(code.definition) > 60 and code.when_to_use and code.when_not_to_use
        assert code.examples and code.rules, name
    assert {c.title for c in cb.children(None)} >= {"Learning about race", "Career and sponsorship", "Change", "Programme"}
    assert cb.resolve("Sponsorship") == "sponsorship" and cb.resolve("nope") is None


def _write(tmp_path, text, name="cb.yml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_codebook_errors_name_file_and_code(tmp_path):
    path = _write(tmp_path, """\
        name: Broken
        codes:
          - name: barriers
            children:
              - name: time
                rules: {regex: ['(unclosed']}
              - title: No name here
          - name: time
          - name: orphan
            parent: nowhere
          - name: typo
            definiton: misspelt key
        """)
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    message = str(err.value)
    assert str(path) in message
    assert "code 'time' (entry 2): regular expression '(unclosed' does not compile" in message
    assert "entry 3: missing 'name' (title 'No name here')" in message
    assert "code 'time' (entry 4): duplicate name; the first 'time' is entry 2" in message
    assert "code 'orphan': unknown parent 'nowhere'" in message
    assert "code 'typo' (entry 6): unknown key(s) definiton" in message
    assert isinstance(err.value, ConfigError) and len(err.value.problems) == 5


def test_codebook_file_errors(tmp_path):
    with pytest.raises(InputError, match="Codebook not found"):
        load_codebook(tmp_path / "missing.yml")
    bad = _write(tmp_path, "codes: [unclosed\n")
    with pytest.raises(InputError, match="not valid YAML"):
        load_codebook(bad)
    empty = _write(tmp_path, "name: nothing\n", name="empty.yml")
    with pytest.raises(CodebookError, match="'codes' must be a non-empty list"):
        load_codebook(empty)


def test_flat_parent_form_and_yaml_round_trip(tmp_path):
    path = _write(tmp_path, """\
        name: Flat
        codes:
          - name: child
            parent: group
            rules: {phrases: [no time]}
          - name: group
            codable: false
        """)
    cb = load_codebook(path)
    assert cb.names == ["group", "child"]  # parents first
    out = write_codebook(cb, tmp_path / "again.yml")
    again = load_codebook(out)
    assert again.codes == cb.codes


def test_qdc_round_trip_keeps_every_field(tmp_path):
    cb = load_codebook()
    path = write_qdc(cb, tmp_path / "codebook.qdc")
    root = etree.parse(str(path)).getroot()
    assert root.tag == f"{{{QDC_NAMESPACE}}}CodeBook"
    codes = root.findall(f".//{{{QDC_NAMESPACE}}}Code")
    assert len(codes) == len(cb)
    assert all(c.get("guid") and c.get("name") and c.get("isCodable") in ("true", "false") for c in codes)
    back = read_qdc(path)
    assert back.names == cb.names
    for a, b in zip(cb, back):
        assert (a.title, a.parent, a.codable, a.definition, a.when_to_use, a.when_not_to_use) == (
            b.title, b.parent, b.codable, b.definition, b.when_to_use, b.when_not_to_use)
        assert (a.examples, a.phrases, a.regex, a.colour) == (b.examples, b.phrases, b.regex, b.colour)
        assert a.code_guid == b.code_guid
    # deterministic: the same codebook gives the same bytes
    assert write_qdc(cb, tmp_path / "again.qdc").read_bytes() == path.read_bytes()
    assert load_codebook(path).names == cb.names  # .qdc accepted by load_codebook


def test_qdc_from_another_tool(tmp_path):
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
    <CodeBook xmlns="{QDC_NAMESPACE}"><Codes>
      <Code guid="11111111-1111-1111-1111-111111111111" name="Barriers" isCodable="true">
        <Description>Anything that gets in the way.</Description>
        <Code guid="22222222-2222-2222-2222-222222222222" name="Other" isCodable="true"/>
      </Code>
      <Code guid="33333333-3333-3333-3333-333333333333" name="Other" isCodable="true"/>
    </Codes></CodeBook>"""
    path = tmp_path / "nvivo.qdc"
    path.write_text(xml, encoding="utf-8")
    cb = read_qdc(path)
    assert cb.names == ["barriers", "other", "other_2"]
    assert cb["barriers"].definition == "Anything that gets in the way."
    assert cb["other"].parent == "barriers" and cb["other"].title == "Other"


def test_qdc_that_is_not_a_codebook(tmp_path):
    path = tmp_path / "x.qdc"
    path.write_text("<Project xmlns='urn:QDA-XML:project:1.0' name='p'/>", encoding="utf-8")
    with pytest.raises(InputError, match="not a REFI-QDA codebook: the root element"):
        read_qdc(path)
    path.write_text("not xml at all", encoding="utf-8")
    with pytest.raises(InputError, match="does not parse"):
        read_qdc(path)


def test_qdc_with_a_doctype_is_refused_without_reading_entities(tmp_path):
    """A .qdc is parsed like a .qdpx: no DTD, no entities (they could read local files into code definitions)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("Kwame Mensah", encoding="utf-8")
    path = tmp_path / "x.qdc"
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE CodeBook [<!ENTITY x SYSTEM "file://{secret}">]>\n'
                    f'<CodeBook xmlns="{QDC_NAMESPACE}"><Codes><Code guid="1" name="A" isCodable="true">'
                    '<Description>&x;</Description></Code></Codes></CodeBook>', encoding="utf-8")
    with pytest.raises(InputError, match="DOCTYPE") as err:
        read_qdc(path)
    assert "Kwame" not in str(err.value)
