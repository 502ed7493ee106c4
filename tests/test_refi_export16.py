"""REFI-QDA export that other tools read (issue 16): dated notes, memos on the selection, one Coding per
selection, Sets in the project and the .qdc, cases of consenting interviewees only with attributes every value of
which describes enough cases; read back by our importer, by a QualCoder-style reader written from the REFI-QDA
standard, and by an independent parser (pyrefiqda, generated from the QDA-XML schemas).

The cohort is synthetic and built here: 12 pairs (24 participants), 11 joint interviews with an emoji before a
coded passage, P22 without consent to interview use, P23 and P24 never interviewed.
"""

from __future__ import annotations

import zipfile
from datetime import datetime, timezone
from types import SimpleNamespace

import pandas as pd
import pytest
from lxml import etree

from rmresearch.coding import export_qdpx, import_qdpx, load_codebook, read_qdc, segment_documents, write_qdc
from rmresearch.coding.refi import QDE_NAMESPACE, validate_project_xml, write_project
from rmresearch.coding.refi_cases import cohort_min_cases, export_lines, plan_cases, qdpx_counts, xsd_datetime
from rmresearch.io.refi import QDC_NAMESPACE

Q = "{" + QDE_NAMESPACE + "}"
C = "{" + QDC_NAMESPACE + "}"
WHEN = "2026-12-01T10:00:00Z"
THRESHOLDS = {"role": 5, "faculty_group": 5, "sex_group": 5, "ethnicity_group": 7}


def _pids(a, b):
    return [f"P{i:02d}" for i in range(a, b + 1)]


@pytest.fixture(scope="module")
def cohort():
    texts = {}
    for k in range(11):  # joint interviews of pairs 1..11: mentor P(2k+1), mentee P(2k+2)
        m, e = f"P{2 * k + 1:02d}", f"P{2 * k + 2:02d}"
        texts[f"interview_{k + 1:02d}"] = (f"Interviewer: How has it gone? 🙂\n{m}: It felt like a safe space 🙏🏽 from "
                                           f"the start.\n{e}: We both learned, it went both ways.\n")
    ids = _pids(1, 24)
    segments = segment_documents(texts, unit="turn", participant_ids=ids)
    people = pd.DataFrame({
        "participant_id": ids,
        "role": ["mentor", "mentee"] * 12,
        "faculty_group": ["Law", "Law"] + ["Arts"] * 10 + ["Science"] * 12,  # Law: 2 people
        "sex_group": ["Female", "Male"] * 12,
        "ethnicity_group": (["BAME"] * 6 + ["White"] * 18),  # BAME: 6 interviewees
    })
    rows = []
    for sid, doc, start, end, pid in segments[["segment_id", "document", "start", "end", "participant_id"]].itertuples(index=False):
        if pid is None:
            continue
        role = people.set_index("participant_id").loc[pid, "role"]
        code = "safe_space" if role == "mentor" else "reciprocity"
        rows.append({"document": doc, "segment_id": sid, "start": start, "end": end, "code": code, "coder": "ana",
                     "memo": "two-way? borderline" if doc == "interview_03" and role == "mentee" else None})
        if doc in ("interview_01", "interview_03"):  # a second code on the same span, and a second coder
            rows.append({"document": doc, "segment_id": sid, "start": start, "end": end, "code": "sponsorship",
                         "coder": "ana", "memo": None})
            rows.append({"document": doc, "segment_id": sid, "start": start, "end": end, "code": code, "coder": "ben",
                         "memo": None})
    codings = pd.DataFrame(rows)
    return texts, segments, codings, people


@pytest.fixture(scope="module")
def exported(cohort, tmp_path_factory):
    texts, segments, codings, people = cohort
    path = tmp_path_factory.mktemp("refi16") / "pilot.qdpx"
    path, plan = write_project(path, texts=texts, codebook=load_codebook(), codings=codings, participants=people,
                               segments=segments, name="Pilot", exclude=["P22"], created=WHEN, min_cases=THRESHOLDS)
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    return path, plan, root


def _kept(codings):
    """The codings the export keeps: P22 (no consent) speaks the second turn of interview_11."""
    turns = codings["segment_id"].str.endswith("#t003") & (codings["document"] == "interview_11")
    return codings.loc[~turns]


def test_export_validates_and_every_note_selection_and_coding_is_dated_with_its_user(exported):
    path, _, root = exported
    with zipfile.ZipFile(path) as zf:
        assert validate_project_xml(zf.read("project.qde")) == []
    users = {u.get("name"): u.get("guid") for u in root.iter(Q + "User")}
    assert set(users) == {"ana", "ben"}
    for tag in ("Note", "PlainTextSelection", "Coding"):
        elements = list(root.iter(Q + tag))
        assert elements, tag
        assert {e.get("creationDateTime") for e in elements} == {WHEN}
        assert {e.get("creatingUser") for e in elements} <= set(users.values())
    notes = list(root.iter(Q + "Note"))
    assert len(notes) == 1 and notes[0].get("creatingUser") == users["ana"]
    assert xsd_datetime("2026-12-01 10:00:00+00:00") == WHEN and xsd_datetime(datetime(2026, 12, 1, 10)) == WHEN


def test_a_memo_is_the_selections_description_and_a_note_its_coding_refers_to(exported):
    _, _, root = exported
    notes = {n.get("guid"): n.findtext(Q + "PlainTextContent") for n in root.iter(Q + "Note")}
    with_memo = [s for s in root.iter(Q + "PlainTextSelection") if s.find(Q + "Description") is not None]
    assert len(with_memo) == 1
    sel = with_memo[0]
    assert sel.findtext(Q + "Description") == "two-way? borderline"
    assert sel[0].tag == Q + "Description"  # Description comes before Coding (Project.xsd order)
    ref = sel.find(f"{Q}Coding/{Q}NoteRef").get("targetGUID")
    assert notes[ref] == "two-way? borderline"


def test_one_coding_per_selection_two_codes_on_a_span_are_two_selections(cohort, exported):
    texts, _, codings, _ = cohort
    path, _, root = exported
    selections = list(root.iter(Q + "PlainTextSelection"))
    assert all(len(s.findall(Q + "Coding")) == 1 for s in selections)
    kept = _kept(codings)
    assert len(kept) == 2 * 11 - 1 + 4 * 2 == len(selections) == 29  # 21 turns, + 2 more on 2 turns in 2 interviews
    assert len({s.get("guid") for s in selections}) == len(selections)
    # the same span coded twice by ana: two selections, same offsets
    first = kept[(kept["document"] == "interview_01") & (kept["coder"] == "ana")].iloc[0]
    source = next(t for t in root.iter(Q + "TextSource") if t.get("name") == "interview_01")
    same = [s for s in source.iter(Q + "PlainTextSelection")
            if (s.get("startPosition"), s.get("endPosition")) == (str(first.start), str(first.end))]
    assert len(same) == 3  # safe_space and sponsorship by ana, safe_space by ben
    back = import_qdpx(path, validate=True)  # our importer reads every one
    key = ["document", "start", "end", "code", "coder"]
    got = back.codings[key + ["memo"]].sort_values(key).reset_index(drop=True)
    want = kept[key + ["memo"]].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert back.texts["interview_01"] == texts["interview_01"]


def test_sets_in_the_project_and_the_qdc_hold_the_codes_to_apply(exported, tmp_path):
    _, _, root = exported
    codebook = load_codebook()
    codable = {c.code_guid for c in codebook if c.codable}
    sets = root.findall(f"{Q}Sets/{Q}Set")
    assert len(sets) == 1 and {m.get("targetGUID") for m in sets[0].findall(Q + "MemberCode")} == codable
    tags = [c.tag for c in root]
    assert tags.index(Q + "Notes") + 1 == tags.index(Q + "Sets") == len(tags) - 1  # Project.xsd order: Notes, Sets
    qdc = write_qdc(codebook, tmp_path / "codebook.qdc")
    book = etree.parse(str(qdc)).getroot()
    assert [c.tag for c in book] == [C + "Codes", C + "Sets"]
    members = book.findall(f"{C}Sets/{C}Set/{C}MemberCode")
    assert {m.get("guid") for m in members} == codable  # Codebook.xsd's MemberCode names its code by guid
    assert read_qdc(qdc).names == codebook.names
    # why not an empty <Sets/>: QDA-XML requires a Set in Sets
    empty = f'<Project xmlns="{QDE_NAMESPACE}" name="x"><Sets/></Project>'
    assert validate_project_xml(empty)


def test_cases_are_consenting_interviewees_with_attributes_held_by_enough_of_them(exported):
    _, plan, root = exported
    cases = [c.get("name") for c in root.iter(Q + "Case")]
    assert cases == _pids(1, 21)  # P22 no consent, P23 and P24 not interviewed
    assert [v.get("name") for v in root.iter(Q + "Variable")] == ["role", "sex_group"]
    assert plan.withheld == ("faculty_group not exported: 1 value held by fewer than 5 cases",
                             "ethnicity_group not exported: 1 value held by fewer than 7 cases")
    assert plan.not_interviewed == 2
    # at 5 for every attribute, ethnicity with 10 BAME (5 mentors, 5 mentees) and 11 White cases goes out
    again = plan_cases(plan.participants.assign(ethnicity_group=["BAME"] * 10 + ["White"] * 11), None, {}, min_cases=5)
    assert again.variables == ("role", "sex_group", "ethnicity_group") and again.withheld == ()


def test_an_attribute_whose_combination_with_another_is_rare_is_withheld():
    # 21 interviewees: role 11/10 and ethnicity 7 BAME / 14 White each pass, but a case shows both, and only one
    # mentee is BAME: ethnicity (the stricter, special-category threshold) is withheld, role goes out
    people = pd.DataFrame({"participant_id": _pids(1, 21), "role": (["mentor", "mentee"] * 11)[:21],
                           "ethnicity_group": ["BAME", "BAME"] + ["BAME", "White"] * 5 + ["White"] * 9})
    assert pd.crosstab(people["role"], people["ethnicity_group"]).loc["mentee", "BAME"] == 1
    plan = plan_cases(people, None, {}, min_cases={"role": 5, "ethnicity_group": 7})
    assert plan.variables == ("role",)
    assert plan.withheld == ("ethnicity_group not exported: with role, 3 combinations of values held by fewer than 7 cases",)
    # every combination large enough: both go out
    even = people.assign(ethnicity_group=["BAME"] * 14 + ["White"] * 7, role=["mentor"] * 7 + ["mentee"] * 7 + ["mentor"] * 7)
    assert plan_cases(even, None, {}, min_cases=7).variables == ("role", "ethnicity_group")


def test_api_default_threshold_withholds_a_rare_attribute(cohort, tmp_path):
    texts, segments, codings, people = cohort
    path = export_qdpx(tmp_path / "d.qdpx", texts=texts, codebook=load_codebook(), codings=codings,
                       participants=people, segments=segments, created=WHEN)  # no min_cases given: 5
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    # faculty: Law held by 2; ethnicity: 6 BAME, but 3 BAME mentors and 3 BAME mentees (a case shows both)
    assert [v.get("name") for v in root.iter(Q + "Variable")] == ["role", "sex_group"]
    assert {v.text for v in root.iter(Q + "TextValue")} == {"mentor", "mentee", "Female", "Male"}


def test_cohort_thresholds_are_stricter_for_special_category_characteristics():
    from rmresearch.characteristics import read_options
    from rmresearch.config import DisclosureRules

    chars = read_options({"disability": {"column": "d", "code_list": "disability"},
                          "sex": {"column": "sex", "code_list": "sex"}}, "c.yml")
    got = cohort_min_cases(SimpleNamespace(disclosure=DisclosureRules()), tuple(chars.values()))
    assert got["role"] == 5 and got[chars["sex"].group_column] == 5 and got[chars["disability"].group_column] == 7


def test_what_the_command_prints(cohort, exported, tmp_path):
    texts = cohort[0]
    bare = export_qdpx(tmp_path / "bare.qdpx", texts=texts, codebook=load_codebook())
    assert export_lines(bare, None)[1] == "  11 sources, 17 codes, 1 set, no codings, 0 cases, 0 case variables."
    path, plan, _ = exported
    assert qdpx_counts(path) == {"TextSource": 11, "Code": 17, "Set": 1, "PlainTextSelection": 29, "Coding": 29,
                                 "Case": 21, "Variable": 2, "Note": 1, "User": 2}
    text = "\n".join(export_lines(path, plan))
    assert "11 sources, 17 codes, 1 set, 29 coded selections (one code each), 29 codings by 2 coder(s), 1 memos" in text
    assert "21 cases, 2 case variables" in text and "Case variables exported: role, sex_group." in text
    assert "faculty_group not exported: 1 value held by fewer than 5 cases" in text
    assert "2 participant(s) with no words in any exported source get no case." in text


# --------------------------------------------------------------------------- a QualCoder-style import


def _read_like_qualcoder(path):
    """Read a .qdpx the way QualCoder's REFI-QDA import is documented to: users by guid; codes (nested Code
    elements) by guid; each TextSource's text from sources/ named by plainTextPath internal://; each
    PlainTextSelection as ONE coding (its first Coding's CodeRef), coder from the selection's creatingUser,
    memo from the selection's Description, date from creationDateTime parsed with no check; Notes with their
    creationDateTime parsed with no check; Cases with VariableValue and SourceRef; Sets."""
    ns = {"q": QDE_NAMESPACE}
    zf = zipfile.ZipFile(path)
    root = etree.fromstring(zf.read("project.qde"))
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:Users/q:User", ns)}
    codes = {c.get("guid"): c.get("name") for c in root.iterfind(".//q:CodeBook//q:Code", ns)}
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731  (KeyError/TypeError if absent)
    texts, codings = {}, []
    for src in root.iterfind(".//q:Sources/q:TextSource", ns):
        text = zf.read("sources/" + src.get("plainTextPath")[len("internal://"):]).decode("utf-8")
        texts[src.get("name")] = text
        for sel in src.iterfind("q:PlainTextSelection", ns):
            coding = sel.find("q:Coding", ns)
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            codings.append({"source": src.get("name"), "start": start, "end": end, "seltext": text[start:end],
                            "code": codes[coding.find("q:CodeRef", ns).get("targetGUID")],
                            "owner": users[sel.get("creatingUser")], "memo": sel.findtext("q:Description", None, ns),
                            "date": parse(coding.get("creationDateTime"))})
    notes = [(n.findtext("q:PlainTextContent", None, ns), parse(n.get("creationDateTime")), users[n.get("creatingUser")])
             for n in root.iterfind(".//q:Notes/q:Note", ns)]
    variables = {v.get("guid"): v.get("name") for v in root.iterfind(".//q:Variables/q:Variable", ns)}
    cases = {c.get("name"): {variables[vv.find("q:VariableRef", ns).get("targetGUID")]: vv.findtext("q:TextValue", None, ns)
                             for vv in c.iterfind("q:VariableValue", ns)}
             for c in root.iterfind(".//q:Cases/q:Case", ns)}
    sets = {s.get("name"): len(s.findall("q:MemberCode", ns)) for s in root.iterfind(".//q:Sets/q:Set", ns)}
    return texts, codings, notes, cases, sets


def test_a_qualcoder_style_import_reads_every_coding_memo_date_case_and_set(cohort, exported):
    texts, _, codings, _ = cohort
    path, _, _ = exported
    got_texts, got, notes, cases, sets = _read_like_qualcoder(path)
    kept = _kept(codings)
    codebook = load_codebook()
    assert len(got) == len(kept) == 29
    titles = {codebook.title(n): n for n in codebook.names}
    mine = sorted((c["source"], c["start"], c["end"], titles[c["code"]], c["owner"], c["memo"]) for c in got)
    want = sorted((r.document, r.start, r.end, r.code, r.coder, r.memo if isinstance(r.memo, str) else None)
                  for r in kept.itertuples())
    assert mine == want  # each selection's one Coding is the code we wrote: nothing lost to "first Coding only"
    # code points: the coded text is the speaker's turn, after the emoji of the question
    turn = next(c for c in got if c["source"] == "interview_01" and c["owner"] == "ana" and titles[c["code"]] == "safe_space")
    assert turn["seltext"] == "It felt like a safe space 🙏🏽 from the start."
    assert {c["date"] for c in got} == {datetime(2026, 12, 1, 10, tzinfo=timezone.utc)}
    assert notes == [("two-way? borderline", datetime(2026, 12, 1, 10, tzinfo=timezone.utc), "ana")]
    assert len(cases) == 21 and cases["P01"] == {"role": "mentor", "sex_group": "Female"}
    assert sets == {f"{codebook.name}: codes to apply": len(codebook.codable_names)}
    assert {d: t for d, t in got_texts.items() if d != "interview_11"} == {d: t for d, t in texts.items() if d != "interview_11"}
    assert "P21: It felt like a safe space" in got_texts["interview_11"]
    assert "We both learned" not in got_texts["interview_11"]  # P22's turn withheld (no consent)


# --------------------------------------------------------------------------- an independent parser


def test_pyrefiqda_reads_our_project_and_codebook_with_the_same_counts(exported, tmp_path):
    pytest.importorskip("pyrefiqda", reason="the dev extra installs it: pip install -e '.[dev]'")
    from pyrefiqda.reficodebook import RefiCodebook
    from pyrefiqda.refiproject import RefiProject

    path, _, _ = exported
    project = RefiProject.load(path, extract_dir=str(tmp_path / "x"))
    sources = project.sources.text_source
    selections = [s for src in sources for s in src.plain_text_selection]

    def count(codes):
        return sum(1 + count(c.code) for c in codes)

    codebook = load_codebook()
    assert len(sources) == 11 and len(selections) == 29
    assert sum(len(s.coding) for s in selections) == 29 and count(project.code_book.codes.code) == len(codebook) == 17
    assert len(project.cases.case) == 21 and [v.name for v in project.variables.variable] == ["role", "sex_group"]
    assert len(project.notes.note) == 1 and project.notes.note[0].plain_text_content == "two-way? borderline"
    assert str(project.notes.note[0].creation_date_time) == WHEN
    assert [s.description for s in selections if s.description] == ["two-way? borderline"]
    assert len(project.sets.set) == 1 and len(project.sets.set[0].member_code) == len(codebook.codable_names)
    qdc = RefiCodebook.load(write_qdc(codebook, tmp_path / "cb.qdc"))
    assert count(qdc.codes.code) == 17 and len(qdc.sets.set[0].member_code) == len(codebook.codable_names)


# --------------------------------------------------------------------------- the command, on a cohort


def test_the_command_says_what_it_wrote_and_withheld_and_no_case_lacks_consent(demo_project, tmp_path, capsys):
    from rmresearch.cli import main
    from rmresearch.config import load_cohort
    from rmresearch.consent import consent_exclusions

    cohort = demo_project / "cohorts" / "demo.yml"
    out = tmp_path / "demo.qdpx"
    assert main(["code", "export-qdpx", "--cohort", str(cohort), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    n = qdpx_counts(out)
    assert f"{n['TextSource']} sources, {n['Code']} codes, 1 set, {n['PlainTextSelection']} coded selections" in printed
    assert n["PlainTextSelection"] == n["Coding"] > 0 and f"{n['Case']} cases, {n['Variable']} case variables" in printed
    with zipfile.ZipFile(out) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    exported = [v.get("name") for v in root.iter(Q + "Variable")]
    for name in ("role", "ethnicity_group"):  # each is either in the file or named as withheld, never both
        assert (name in exported) != (f"{name} not exported:" in printed)
    config = load_cohort(cohort)
    excluded = set(consent_exclusions(config).query("interview")["participant_id"])
    cases = {c.get("name") for c in root.iter(Q + "Case")}
    assert excluded and not excluded & cases
    back = import_qdpx(out).cases
    need = cohort_min_cases(config, tuple(config.characteristics.values()))
    assert all(back[v].value_counts().min() >= need.get(v, 5) for v in exported)
