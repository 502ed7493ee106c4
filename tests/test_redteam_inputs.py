"""Red-team suite for inputs (issue 11, item 8): every expected mistake is a clear error.

Each case mutates ONE file of a private copy of the demo project (or of a REFI-QDA
export, or of a survey export), runs the real command line in-process and checks:

- exit status 2 (or 0 for inputs that are legitimate variations, e.g. CR-only lines);
- no Python traceback (any exception other than an RMResearchError escaping ``main``);
- the message names the file, and the row / column / line where one applies.

The mutated file is restored after each case, so one copy serves the module.
Set ``RMR_REDTEAM_TALLY=/path/file.jsonl`` to record each case's outcome (clear error,
traceback, silent wrong...) for the red-team counts in the issue's closing note.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import traceback
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from rmresearch.cli import main

# --------------------------------------------------------------------------- helpers


@dataclass
class Case:
    channel: str  # validate | anonymise | qdpx | survey
    id: str
    files: tuple[str, ...]  # project-relative files the mutation touches (restored afterwards)
    mutate: Callable[[Path], None]
    expect: tuple[str, ...] = ()  # substrings the message must hold (besides the file name)
    rc: int = 2
    file: str | None = None  # the file name the message must name (default: files[0]'s name)
    argv: tuple[str, ...] | None = None


COHORT = "cohorts/demo.yml"
P = "data/demo/participants.csv"
PAIRS = "data/demo/pairs.csv"
M = "data/demo/meetings.csv"
ST = "data/demo/students.csv"
SF = "data/demo/staff.csv"
R = "data/demo/recruitment.csv"
SE = "data/demo/sessions.csv"
PRE = "surveys/demo/pre.csv"
RAW = "interviews/demo/raw"


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def set_cell(rel: str, row: int, column: str, value: str):
    """Mutation: the cell a person sees at ``row`` (header = row 1) in ``column`` becomes ``value``."""

    def mutate(root: Path) -> None:
        rows = _rows(root / rel)
        rows[row - 1][rows[0].index(column)] = value
        _write_rows(root / rel, rows)

    return mutate


def copy_cell(rel: str, row: int, column: str, from_row: int):
    """Mutation: the cell at ``row`` takes the value of the same column at ``from_row`` (a duplicate key)."""

    def mutate(root: Path) -> None:
        rows = _rows(root / rel)
        j = rows[0].index(column)
        rows[row - 1][j] = rows[from_row - 1][j]
        _write_rows(root / rel, rows)

    return mutate


def yaml_set(dotted: str, value, *expect, id_: str, rc=2):
    """Mutation of the cohort file through YAML: set ``a.b.c`` to ``value`` (``...`` deletes it)."""
    import yaml

    def mutate(root: Path) -> None:
        data = yaml.safe_load((root / COHORT).read_text(encoding="utf-8"))
        *parents, last = dotted.split(".")
        node = data
        for key in parents:
            node = node[key]
        if value is ...:
            del node[last]
        else:
            node[last] = value
        (root / COHORT).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    return Case("validate", id_, (COHORT,), mutate, expect, rc=rc)


def cell_case(rel, row, column, value, id_, *, channel="validate", rc=2, extra=()):
    return Case(channel, id_, (rel,), set_cell(rel, row, column, value), (f"row {row}", f"'{column}'", *extra), rc=rc)


def transform_bytes(rel: str, fn: Callable[[bytes], bytes]):
    def mutate(root: Path) -> None:
        (root / rel).write_bytes(fn((root / rel).read_bytes()))

    return mutate


def transform_rows(rel: str, fn: Callable[[list[list[str]]], list[list[str]]]):
    def mutate(root: Path) -> None:
        _write_rows(root / rel, fn(_rows(root / rel)))

    return mutate


def yaml_edit(old: str, new: str):
    """Mutation of the cohort file: replace the first ``old`` (must be present) with ``new``."""

    def mutate(root: Path) -> None:
        text = (root / COHORT).read_text(encoding="utf-8")
        assert old in text, old
        (root / COHORT).write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def yaml_case(id_, old, new, *expect, rc=2):
    return Case("validate", id_, (COHORT,), yaml_edit(old, new), expect, rc=rc)


def write_file(rel: str, data: bytes):
    def mutate(root: Path) -> None:
        (root / rel).write_bytes(data)

    return mutate


def _qdpx_edit(fn: Callable[[dict[str, bytes]], dict[str, bytes]]):
    """Mutation of demo.qdpx: ``fn`` gets and returns {member name: bytes}."""

    def mutate(root: Path) -> None:
        with zipfile.ZipFile(root / "demo.qdpx") as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        members = fn(members)
        with zipfile.ZipFile(root / "demo.qdpx", "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(name, data)

    return mutate


def qde_replace(old: str, new: str, count: int = 1):
    def fn(members):
        xml = members["project.qde"].decode("utf-8")
        assert old in xml, old
        members["project.qde"] = xml.replace(old, new, count).encode("utf-8")
        return members

    return _qdpx_edit(fn)


def qde_regex(pattern: str, new: str, count: int = 1):
    import re

    def fn(members):
        xml = members["project.qde"].decode("utf-8")
        out, n = re.subn(pattern, new, xml, count=count)
        assert n, pattern
        members["project.qde"] = out.encode("utf-8")
        return members

    return _qdpx_edit(fn)


def qdpx_case(id_, mutate, *expect, rc=2):
    return Case("qdpx", id_, ("demo.qdpx",), mutate, expect, rc=rc,
                argv=("code", "import-qdpx", "demo.qdpx", "--out", "imported/codings.csv"))


SURVEY_ARGV = ("survey", "import", "survey/export.csv", "-i", "psychological_safety", "programme_feedback",
               "--wave", "post", "--out", "imported/tidy.csv")


def survey_case(id_, mutate, *expect, rc=2, argv=SURVEY_ARGV, rel="survey/export.csv"):
    return Case("survey", id_, (rel,), mutate, expect, rc=rc, argv=argv)


ANON_ARGV = ("anonymise", "run", "--cohort", "demo", "--no-progress")


def _first(root: Path, rel: str) -> str:
    """``rel`` itself, or for a pattern like ``interviews/demo/raw/*.docx`` the first file it matches."""
    if "*" not in rel:
        return rel
    matches = sorted(root.glob(rel))
    assert matches, f"no file matches {rel}"
    return str(matches[0].relative_to(root))


def transcript_case(id_, suffix, data: bytes | Callable[[bytes], bytes], *expect, rc=2):
    rel = f"{RAW}/*{suffix}"

    def mutate(root: Path) -> None:
        target = root / _first(root, rel)
        target.write_bytes(data(target.read_bytes()) if callable(data) else data)

    return Case("anonymise", id_, (rel,), mutate, expect, rc=rc, argv=ANON_ARGV)


def _drop_rows(keep: Callable[[int, list[str]], bool]):
    return lambda rows: [r for i, r in enumerate(rows) if keep(i, r)]


def _cr_only(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")


def _utf16(data: bytes) -> bytes:
    return data.decode("utf-8-sig").encode("utf-16")  # with a BOM, as Excel's "Unicode text"


def _cp1252_name(data: bytes) -> bytes:
    text = data.decode("utf-8")
    lines = text.split("\n")
    lines[4] = lines[4].replace(lines[4].split(",")[1], "Zoë Müller", 1)
    return "\n".join(lines).encode("cp1252")


def _add_member(data: bytes, name: str, content: bytes) -> bytes:
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, content)
    return buffer.getvalue()


def _qualtrics_bad_after_multiline(data: bytes) -> bytes:
    """The Qualtrics sample with a two-line open-text answer on line 5 and an answer out of range on the record after it,
    which now starts on line 7 of the file (the row a person sees in a text editor)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    rows[4][-1] = "First line of my answer,\nsecond line"
    rows[5][rows[0].index("Q1_1")] = "9"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _multiline_then_bad(rows: list[list[str]]) -> list[list[str]]:
    """An aliases cell spanning two lines in the 4th record, then a bad role in the 7th record, which starts on
    line 8 of the file (the row a person sees in a text editor)."""
    rows[3][rows[0].index("aliases")] = "Hughie;\nHugo"
    rows[6][rows[0].index("role")] = "mentor"
    return rows


def _corrupt_zip(data: bytes) -> bytes:
    """Flip bytes inside the first member's compressed data (the directory stays intact: a CRC/inflate error)."""
    name_len, extra_len = int.from_bytes(data[26:28], "little"), int.from_bytes(data[28:30], "little")
    start = 30 + name_len + extra_len + 200
    return data[:start] + bytes(b ^ 0x5A for b in data[start:start + 64]) + data[start + 64:]


def _yaml_bomb() -> str:
    """'Billion laughs' as a title: 9**7 (4.8 million) strings once expanded. Kept that small so that running the
    suite against code without the limit gives a silently wrong 30 MB title rather than exhausting memory."""
    lines = ['title: [&a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 7):
        prev = f"*a{i - 1}"
        lines.append(f"  , &a{i} [{', '.join([prev] * 9)}]")
    return "\n".join(lines) + "]\n"


# --------------------------------------------------------------------------- the attack table

CASES: list[Case] = [
    # --- participants table
    cell_case(P, 3, "participant_id", "", "participants-id-empty"),
    cell_case(P, 4, "role", "mentor", "participants-role-unknown"),
    cell_case(P, 5, "ethnicity_code", "ZZ", "participants-ethnicity-unknown"),
    cell_case(P, 6, "consent_interview", "maybe", "participants-consent-not-bool"),
    cell_case(P, 7, "consent_records", "", "participants-consent-empty"),
    Case("validate", "participants-id-duplicate", (P,), copy_cell(P, 8, "participant_id", 2), ("row 8", "'participant_id'")),
    cell_case(P, 9, "name", "", "participants-name-empty"),
    Case("validate", "participants-cohort-never-matches", (P,),
         transform_rows(P, lambda rows: [rows[0]] + [r[:3] + ["demo-2023"] + r[4:] for r in rows[1:]]),
         ("'cohort'", "demo-2023", "demo")),
    Case("validate", "participants-trailing-totals", (P,), transform_rows(P, lambda rows: rows + [["Total", "52"] + [""] * 9]),
         ("row ", "totals"), rc=0),
    Case("validate", "participants-bom", (P,), transform_bytes(P, lambda b: b"\xef\xbb\xbf" + b), rc=0),
    Case("validate", "participants-crlf", (P,), transform_bytes(P, lambda b: b.replace(b"\n", b"\r\n")), rc=0),
    Case("validate", "participants-cr-only", (P,), transform_bytes(P, _cr_only), rc=0),
    Case("validate", "participants-utf16", (P,), transform_bytes(P, _utf16), rc=0),
    Case("validate", "participants-cp1252", (P,), transform_bytes(P, _cp1252_name), ("UTF-8", "row ")),
    Case("validate", "participants-binary", (P,), write_file(P, b"PK\x03\x04" + bytes(range(256)) * 4), ("binary",)),
    Case("validate", "participants-empty", (P,), write_file(P, b""), ("empty",)),
    Case("validate", "participants-header-only", (P,), transform_rows(P, lambda rows: rows[:1]), ("no rows",)),
    Case("validate", "participants-merged-header", (P,),
         transform_rows(P, lambda rows: [["Participants export", "", "Cohort 2024-25"] + [""] * 8, ["participant", "", "", "", ""] + [""] * 6] + rows),
         rc=0),
    Case("validate", "participants-missing-column", (P,),
         transform_rows(P, lambda rows: [r[: rows[0].index("consent_records")] + r[rows[0].index("consent_records") + 1:] for r in rows]),
         ("consent_records",)),
    Case("validate", "participants-nul-bytes", (P,), transform_bytes(P, lambda b: b"\n".join(line + (b"\x00" if i == 4 else b"") for i, line in enumerate(b.split(b"\n")))),
         ("binary", "row 5")),
    # --- pairs
    cell_case(PAIRS, 2, "senior_id", "P99", "pairs-senior-unknown"),
    cell_case(PAIRS, 3, "start_date", "2024-13-45", "pairs-start-not-a-date"),
    cell_case(PAIRS, 4, "start_date", "1066-10-14", "pairs-start-before-1900"),
    cell_case(PAIRS, 5, "end_date", "2999-01-01", "pairs-end-far-future"),
    cell_case(PAIRS, 6, "end_date", "2023-01-01", "pairs-end-before-start", extra=("before",)),
    cell_case(PAIRS, 7, "status", "finished?", "pairs-status-unknown"),
    cell_case(PAIRS, 8, "partner_id", "P02", "pairs-partner-is-senior"),
    cell_case(PAIRS, 9, "start_date", "45580", "pairs-start-excel-serial", rc=0),
    cell_case(PAIRS, 9, "start_date", "-45580", "pairs-start-negative-serial"),
    # --- meetings
    cell_case(M, 2, "minutes", "ninety", "meetings-minutes-text"),
    cell_case(M, 3, "minutes", "-5", "meetings-minutes-negative"),
    cell_case(M, 4, "minutes", "100000", "meetings-minutes-huge"),
    cell_case(M, 5, "minutes", "inf", "meetings-minutes-inf"),
    cell_case(M, 6, "minutes", "1e400", "meetings-minutes-overflow"),
    cell_case(M, 7, "minutes", "0x1F", "meetings-minutes-hex"),
    cell_case(M, 8, "attended", "maybe", "meetings-attended-not-bool"),
    cell_case(M, 9, "date", "", "meetings-date-empty"),
    cell_case(M, 10, "date", "31/02/2025", "meetings-date-impossible"),
    cell_case(M, 11, "pair_id", "R99", "meetings-pair-unknown"),
    cell_case(M, 12, "initiated_by", "the dean", "meetings-initiated-unknown"),
    cell_case(M, 13, "date", "2099-01-01", "meetings-date-far-future", extra=("2099",)),
    Case("validate", "meetings-duplicate-key", (M,), transform_rows(M, lambda rows: rows + [rows[1]]), ("duplicate", "'pair_id'")),
    Case("validate", "meetings-cr-only", (M,), transform_bytes(M, _cr_only), rc=0),
    # --- students
    cell_case(ST, 2, "age_on_entry", "nineteen", "students-age-text"),
    cell_case(ST, 3, "age_on_entry", "250", "students-age-out-of-range"),
    cell_case(ST, 4, "age_on_entry", "-1", "students-age-negative"),
    cell_case(ST, 5, "imd_quintile", "7", "students-imd-out-of-range"),
    cell_case(ST, 6, "imd_quintile", "2.5", "students-imd-fraction"),
    cell_case(ST, 7, "imd_quintile", "0", "students-imd-zero"),
    cell_case(ST, 8, "tariff", "9999", "students-tariff-out-of-range"),
    cell_case(ST, 9, "entry_year", "1800", "students-entry-year-1800"),
    cell_case(ST, 10, "entry_year", "2019-21", "students-entry-year-academic-mismatched"),  # 2019-20 reads as 2019 (issue 16)
    cell_case(ST, 11, "entry_year", "99999999999999999999999", "students-entry-year-huge"),
    cell_case(ST, 12, "entry_year", "-2019", "students-entry-year-negative"),
    cell_case(ST, 13, "degree_class", "Distinction?", "students-degree-unknown"),
    cell_case(ST, 14, "mentored", "", "students-mentored-empty"),
    cell_case(ST, 15, "ethnicity_code", "XX", "students-ethnicity-unknown"),
    Case("validate", "students-id-duplicate", (ST,), copy_cell(ST, 16, "student_id", 2), ("row 16", "'student_id'")),
    cell_case(ST, 17, "disability", "2", "students-disability-not-bool"),
    cell_case(ST, 18, "qualification_year", "2010", "students-qualified-before-entry", extra=("entry_year",)),
    cell_case(ST, 19, "imd_quintile", "nan", "students-imd-nan-empty", rc=0),
    cell_case(ST, 20, "entry_year", "NaN", "students-entry-year-nan"),
    cell_case(ST, 21, "tariff", "1,234", "students-tariff-thousands"),
    Case("validate", "students-trailing-totals", (ST,), transform_rows(ST, lambda rows: rows + [["Total"] + [""] * 15]),
         ("row ", "totals"), rc=0),
    Case("validate", "students-cr-only", (ST,), transform_bytes(ST, _cr_only), rc=0),
    Case("validate", "students-huge-file", (ST,), transform_bytes(ST, lambda b: b + b"\n" * 3_000_000), ("MB",)),
    # --- staff
    cell_case(SF, 2, "year", "20177", "staff-year-out-of-range"),
    cell_case(SF, 3, "year", "", "staff-year-empty"),
    cell_case(SF, 4, "left", "maybe", "staff-left-not-bool"),
    cell_case(SF, 5, "grade", "Grade 99", "staff-grade-not-on-scale"),
    cell_case(SF, 6, "mentored", "yes please", "staff-mentored-not-bool"),
    Case("validate", "staff-duplicate-key", (SF,), transform_rows(SF, lambda rows: rows + [rows[1]]), ("duplicate",)),
    # --- recruitment
    cell_case(R, 2, "applied", "-3", "recruitment-applied-negative"),
    cell_case(R, 3, "appointed", "1.5", "recruitment-appointed-fraction"),
    cell_case(R, 4, "shortlisted", "500", "recruitment-shortlisted-above-applied", extra=("applied",)),
    cell_case(R, 5, "appointed", "400", "recruitment-appointed-above-shortlisted", extra=("shortlisted",)),
    cell_case(R, 6, "applied", "1e30", "recruitment-applied-huge"),
    cell_case(R, 7, "year", "abc", "recruitment-year-text"),
    # --- sessions
    cell_case(SE, 2, "participant_id", "P99", "sessions-participant-unknown"),
    cell_case(SE, 3, "attended", "perhaps", "sessions-attended-not-bool"),
    cell_case(SE, 4, "date", "yesterday", "sessions-date-not-a-date"),
    # --- configured survey wave
    cell_case(PRE, 2, "wave", "during", "survey-wave-unknown"),
    cell_case(PRE, 3, "participant_id", "", "survey-id-empty"),
    Case("validate", "wave-duplicate-respondent", (PRE,), transform_rows(PRE, lambda rows: rows + [rows[1]]), ("more than once",)),
    # --- cohort YAML: types, values, duplicates, aliases
    yaml_case("yaml-planned-meetings-text", "planned_meetings: 6", 'planned_meetings: "six"', "planned_meetings"),
    yaml_case("yaml-planned-meetings-zero", "planned_meetings: 6", "planned_meetings: 0", "planned_meetings"),
    yaml_case("yaml-planned-meetings-bool", "planned_meetings: 6", "planned_meetings: true", "planned_meetings"),
    yaml_case("yaml-planned-meetings-float", "planned_meetings: 6", "planned_meetings: 6.5", "planned_meetings"),
    yaml_set("inputs", ["data/demo/participants.csv", "data/demo/pairs.csv"], "'inputs'", id_="yaml-inputs-list"),
    yaml_set("inputs", "data/demo/participants.csv", "'inputs'", id_="yaml-inputs-string"),
    yaml_set("options", "White", "'options'", id_="yaml-options-string"),
    yaml_set("options", ["reference_group", "White"], "'options'", id_="yaml-options-list"),
    yaml_set("outputs", ["reports/demo"], "'outputs'", id_="yaml-outputs-list"),
    yaml_set("options.disclosure", 5, "disclosure", id_="yaml-disclosure-number"),
    yaml_set("options.grade_scale", 7, "grade_scale", id_="yaml-grade-scale-number"),
    yaml_set("options.grade_scale", "Professor", "grade_scale", id_="yaml-grade-scale-string"),
    yaml_set("options.grade_scale", [], "grade_scale", id_="yaml-grade-scale-empty"),
    yaml_set("options.disclosure.suppressed_marker", 0, "suppressed_marker", id_="yaml-disclosure-marker-number"),
    yaml_set("options.disclosure.ofs_min_denominator", -23, "ofs_min_denominator", id_="yaml-disclosure-ofs-negative"),
    yaml_set("options.disclosure.min_percentage_denominator", float("nan"), "min_percentage_denominator",
             id_="yaml-disclosure-denominator-nan"),
    yaml_set("cohort", ..., "cohort", id_="yaml-cohort-missing"),
    yaml_set("inputs.participants", ..., "participants", id_="yaml-participants-missing"),
    yaml_set("institution", {"name": "Anytown"}, "institution", id_="yaml-institution-mapping"),
    yaml_set("planned_meetings", 10**30, "planned_meetings", id_="yaml-planned-meetings-huge", rc=2),
    yaml_case("yaml-outputs-number", "  reports: reports/demo", "  reports: 5", "outputs.reports"),
    yaml_case("yaml-disclosure-round-to-text", "round_to: 5", 'round_to: "5"', "round_to"),
    yaml_case("yaml-disclosure-round-to-bool", "round_to: 5", "round_to: true", "round_to"),
    yaml_case("yaml-disclosure-denominator-text", "min_percentage_denominator: 22.5", "min_percentage_denominator: lots",
              "min_percentage_denominator"),
    yaml_case("yaml-disclosure-denominator-negative", "min_percentage_denominator: 22.5", "min_percentage_denominator: -1",
              "min_percentage_denominator"),
    yaml_case("yaml-disclosure-mean-n-text", "max_mean_suppressed_n: 7", "max_mean_suppressed_n: seven", "max_mean_suppressed_n"),
    yaml_case("yaml-disclosure-unknown-style", "style: hesa", "style: ons", "style"),
    yaml_case("yaml-good-honours-string", 'good_honours: [First, "2:1"]', "good_honours: First", "good_honours"),
    yaml_case("yaml-good-honours-unknown", 'good_honours: [First, "2:1"]', "good_honours: [First, Merit]", "good_honours", "Merit"),
    yaml_case("yaml-reference-group-list", "reference_group: White", "reference_group: [White]", "reference_group"),
    yaml_case("yaml-start-date-number", "start_date: 2024-10-01", "start_date: 45566", "start_date"),
    yaml_case("yaml-start-date-impossible", "start_date: 2024-10-01", "start_date: 2024-02-30", "line 11", "2024-02-30"),
    yaml_case("yaml-start-date-before-1900", "start_date: 2024-10-01", "start_date: 1024-10-01", "start_date"),
    yaml_case("yaml-end-before-start", "end_date: 2025-03-31", "end_date: 2023-03-31", "end_date"),
    yaml_case("yaml-cohort-null", "cohort: demo", "cohort:", "cohort"),
    yaml_case("yaml-cohort-list", "cohort: demo", "cohort: [demo]", "cohort"),
    yaml_set("title", ["Reciprocal"], "title", id_="yaml-title-list"),
    yaml_case("yaml-title-null", "title: Reciprocal Mentoring Programme, 2024-25 cohort (synthetic demo)", "title:", "title"),
    yaml_case("yaml-root-list", "root: ..", "root: [..]", "root"),
    yaml_case("yaml-programme-type-number", "programme_type: reciprocal", "programme_type: 5", "programme_type"),
    yaml_case("yaml-input-path-number", "  pairs: data/demo/pairs.csv", "  pairs: 5", "inputs.pairs"),
    yaml_case("yaml-input-path-list", "  pairs: data/demo/pairs.csv", "  pairs: [data/demo/pairs.csv]", "inputs.pairs"),
    yaml_case("yaml-survey-wave-list", "    pre: surveys/demo/pre.csv", "    pre: [surveys/demo/pre.csv]", "inputs.surveys"),
    yaml_case("yaml-ethnicity-map-number", "  reference_group: White", "  reference_group: White\n  ethnicity_map: 5", "ethnicity_map"),
    yaml_case("yaml-duplicate-top-key", "planned_meetings: 6", "planned_meetings: 6\nplanned_meetings: 8", "planned_meetings",
              "line 13", "line 14"),
    yaml_case("yaml-duplicate-input", "  pairs: data/demo/pairs.csv", "  pairs: data/demo/pairs.csv\n  pairs: data/demo/meetings.csv",
              "pairs", "line"),
    yaml_case("yaml-duplicate-disclosure-key", "    round_to: 5", "    round_to: 5\n    round_to: 1", "round_to", "line"),
    yaml_case("yaml-tab-indent", "  pairs: data/demo/pairs.csv", "\tpairs: data/demo/pairs.csv", "line"),
    Case("validate", "yaml-not-a-mapping", (COHORT,), write_file(COHORT, b"- cohort: demo\n- title: x\n"), ("mapping",)),
    Case("validate", "yaml-empty", (COHORT,), write_file(COHORT, b"# nothing yet\n"), ("mapping",)),
    Case("validate", "yaml-recursive-alias", (COHORT,), yaml_edit("title: Reciprocal", "title: &t [*t]\nx_title: Reciprocal"), ("title",)),
    Case("validate", "yaml-alias-bomb", (COHORT,), yaml_edit("title: Reciprocal", _yaml_bomb() + "x_title: Reciprocal"), ("alias",)),
    Case("validate", "yaml-huge-file", (COHORT,), yaml_edit("description: >-", "# " + "x" * 3_000_000 + "\ndescription: >-"),
         ("MB",)),
    Case("validate", "yaml-cp1252", (COHORT,), transform_bytes(COHORT, lambda b: b.replace(b"Anytown", "Anytöwn".encode("cp1252"))),
         ("UTF-8",)),
    Case("validate", "yaml-utf8-bom", (COHORT,), transform_bytes(COHORT, lambda b: b"\xef\xbb\xbf" + b), rc=0),
    Case("validate", "yaml-cr-only", (COHORT,), transform_bytes(COHORT, _cr_only), rc=0),
    Case("validate", "yaml-python-tag", (COHORT,), yaml_edit("cohort: demo", "cohort: !!python/object/apply:os.system ['true']"),
         ("line",)),
    Case("validate", "yaml-anchor-merge-ok", (COHORT,),
         yaml_edit("  disclosure:\n    style: hesa", "  disclosure:\n    <<: &hesa {style: hesa}\n    style: hesa"), rc=0),
    # --- transcripts through `anonymise run`
    transcript_case("transcript-empty", ".txt", b"", "empty"),
    transcript_case("transcript-binary", ".txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "binary"),
    transcript_case("transcript-nul-bytes", ".txt", lambda b: b.replace(b"Interviewer:", b"Interviewer:\x00", 1), "binary"),
    transcript_case("transcript-cr-only", ".txt", _cr_only, rc=0),
    transcript_case("transcript-utf16", ".txt", _utf16, rc=0),
    transcript_case("transcript-huge", ".txt", lambda b: b + b"Interviewer: right.\n" * 300_000, "MB"),
    transcript_case("transcript-docx-not-zip", ".docx", b"Interviewer: hello\nP: hi\n", "docx"),
    transcript_case("transcript-docx-truncated", ".docx", lambda b: b[: len(b) // 2], "docx"),
    transcript_case("transcript-vtt-garbled", ".vtt", lambda b: b.replace(b"WEBVTT", b"WEBVTX", 1), "WEBVTT"),
    transcript_case("transcript-vtt-bad-timing", ".vtt", lambda b: b.replace(b" --> ", b" -> ", 1), "line"),
    transcript_case("transcript-docx-zip-bomb", ".docx", lambda b: _add_member(b, "word/media/padding.bin", b"\0" * 12_000_000),
                    "unpacks", "MB"),
    transcript_case("transcript-only-whitespace", ".txt", b"   \n\n\t\n", "empty"),
    # --- REFI-QDA import
    qdpx_case("qdpx-not-zip", write_file("demo.qdpx", b"<Project/>"), "zip"),
    qdpx_case("qdpx-no-project-qde", _qdpx_edit(lambda m: {k: v for k, v in m.items() if k != "project.qde"}), "project.qde"),
    qdpx_case("qdpx-malformed-xml", _qdpx_edit(lambda m: {**m, "project.qde": m["project.qde"][:5000]}), "XML"),
    qdpx_case("qdpx-source-without-name-guid", qde_regex(r'(<TextSource) guid="[^"]*" name="[^"]*"', r"\1"), "TextSource"),
    qdpx_case("qdpx-source-without-name", qde_regex(r'(<TextSource guid="[^"]*") name="[^"]*"', r"\1"), rc=0),
    qdpx_case("qdpx-position-not-integer", qde_regex(r'startPosition="\d+"', 'startPosition="12.5"'), "startPosition"),
    qdpx_case("qdpx-end-before-start", qde_regex(r'startPosition="(\d+)" endPosition="(\d+)"', r'startPosition="\2" endPosition="\1"'),
              "ends before it starts"),
    qdpx_case("qdpx-position-past-end", qde_regex(r'endPosition="\d+"', 'endPosition="99999999"'), "outside"),
    qdpx_case("qdpx-unknown-code-guid", qde_regex(r'<CodeRef targetGUID="[^"]*"', '<CodeRef targetGUID="00000000-0000-0000-0000-000000000000"'),
              "unknown code"),
    qdpx_case("qdpx-coderef-missing", qde_regex(r'<CodeRef targetGUID="[^"]*"\s*/>', ""), "CodeRef"),
    qdpx_case("qdpx-missing-source-member", _qdpx_edit(lambda m: {k: v for k, v in m.items() if k == "project.qde"}), "sources/"),
    qdpx_case("qdpx-source-not-utf8", _qdpx_edit(lambda m: {k: (v if k == "project.qde" else b"\xff\xfe\xfa" + v) for k, v in m.items()}),
              "UTF-8"),
    qdpx_case("qdpx-huge-member", _qdpx_edit(lambda m: {k: (b"Interviewer: " + b"a" * 12_000_000 if k == sorted(m)[1] else v)
                                                        for k, v in m.items()}), "MB"),
    qdpx_case("qdpx-huge-project-qde", _qdpx_edit(lambda m: {**m, "project.qde": m["project.qde"] + b" " * 12_000_000}), "MB"),
    qdpx_case("qdpx-source-without-text", qde_regex(r'(<TextSource guid="[^"]*" name="[^"]*") plainTextPath="[^"]*"', r"\1"),
              "neither"),
    qdpx_case("qdpx-external-source", qde_regex(r'plainTextPath="internal://', 'plainTextPath="file:///etc/'), "external"),
    qdpx_case("qdpx-wrong-root", _qdpx_edit(lambda m: {**m, "project.qde": b"<?xml version='1.0'?><Codebook/>"}), "root element"),
    qdpx_case("qdpx-damaged-member", lambda root: (root / "demo.qdpx").write_bytes(_corrupt_zip((root / "demo.qdpx").read_bytes())),
              "archive"),
    qdpx_case("qdpx-entity-bomb", qde_replace('<?xml version=\'1.0\' encoding=\'utf-8\'?>',
                                              "<?xml version='1.0' encoding='utf-8'?>\n<!DOCTYPE Project [<!ENTITY a \"aaaaaaaaaa\">"
                                              + "".join(f'<!ENTITY {c} "&{p};&{p};&{p};&{p};&{p};&{p};&{p};&{p};&{p};&{p};">'
                                                        for p, c in zip("abcdefgh", "bcdefghi")) + "]>"),
              "XML"),
    qdpx_case("qdpx-external-entity", qde_replace('<?xml version=\'1.0\' encoding=\'utf-8\'?>',
                                                  "<?xml version='1.0' encoding='utf-8'?>\n<!DOCTYPE Project [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>"),
              "entit"),
    qdpx_case("qdpx-unknown-user", qde_regex(r'creatingUser="[^"]*"', 'creatingUser="not-a-user"'), rc=0),
    # --- survey exports (`survey import`)
    survey_case("survey-empty", write_file("survey/export.csv", b""), "empty"),
    survey_case("survey-cr-only", transform_bytes("survey/export.csv", _cr_only), rc=0),
    survey_case("survey-cp1252", transform_bytes("survey/export.csv", lambda b: b.replace(b"P01", "P0é".encode("cp1252"), 1)), "UTF-8"),
    survey_case("survey-binary", write_file("survey/export.csv", bytes(range(256)) * 16), "binary"),
    survey_case("survey-value-out-of-scale", set_cell("survey/export.csv", 2, "psychological_safety_1", "9"), "row 2",
                "psychological_safety_1"),
    survey_case("survey-value-text", set_cell("survey/export.csv", 3, "psychological_safety_2", "lots"), "row 3",
                "psychological_safety_2"),
    survey_case("survey-duplicate-respondent", transform_rows("survey/export.csv", lambda rows: rows + [rows[1]]), "P01"),
    survey_case("survey-no-id-column", transform_rows("survey/export.csv", lambda rows: [r[1:] for r in rows]), "participant"),
    survey_case("survey-huge", transform_bytes("survey/export.csv", lambda b: b + b"\n" * 3_000_000), "MB"),
    survey_case("survey-qualtrics-cr-only", transform_bytes("survey/qualtrics.csv", _cr_only), rc=0,
                argv=("survey", "import", "survey/qualtrics.csv", "-i", "psychological_safety", "programme_feedback",
                      "--wave", "post", "--out", "imported/tidy.csv"), rel="survey/qualtrics.csv"),
    survey_case("survey-forms-damaged", transform_bytes("survey/forms.xlsx", lambda b: b[: len(b) // 3]), "Excel",
                argv=("survey", "import", "survey/forms.xlsx", "-i", "psychological_safety", "programme_feedback",
                      "--wave", "post", "--out", "imported/tidy.csv"), rel="survey/forms.xlsx"),
    survey_case("survey-forms-zip-bomb", transform_bytes("survey/forms.xlsx", lambda b: _add_member(b, "xl/media/pad.bin", b"\0" * 3_000_000)),
                "unpacks", argv=("survey", "import", "survey/forms.xlsx", "-i", "psychological_safety", "programme_feedback",
                                 "--wave", "post", "--out", "imported/tidy.csv"), rel="survey/forms.xlsx"),
    survey_case("survey-spss-garbage", write_file("survey/spss.sav", b"$FL2" + bytes(200)), "SPSS",
                argv=("survey", "import", "survey/spss.sav", "-i", "psychological_safety", "programme_feedback",
                      "--wave", "post", "--out", "imported/tidy.csv"), rel="survey/spss.sav"),
]

CODINGS = "data/demo/codings.csv"
CODINGS_ARGV = ("code", "agreement", CODINGS, "--cohort", "demo")


def _blank_line_then(fn: Callable[[list[str]], list[str]]):
    """Mutation of the coding CSV: a blank line after the header, then ``fn`` on the lines (index = row - 1)."""

    def mutate(root: Path) -> None:
        lines = (root / CODINGS).read_text(encoding="utf-8").split("\n")
        lines.insert(1, "")
        (root / CODINGS).write_text("\n".join(fn(lines)), encoding="utf-8")

    return mutate


def _set_line(lines, index, column, value):
    cells = lines[index].split(",")
    cells[column] = value
    lines[index] = ",".join(cells)
    return lines


def codings_case(id_, mutate, *expect, rc=2):
    return Case("codings", id_, (CODINGS,), mutate, expect, rc=rc, argv=CODINGS_ARGV)


CASES += [
    # --- coding CSVs (`code agreement`, the report's coding input)
    codings_case("codings-row-after-blank-line", _blank_line_then(lambda l: _set_line(l, 9, 0, "interview_99#t001")),
                 "row 10", "interview_99#t001"),
    codings_case("codings-unknown-code", _blank_line_then(lambda l: _set_line(l, 4, 1, "no_such_code")), "row 5", "no_such_code"),
    codings_case("codings-empty-coder", _blank_line_then(lambda l: _set_line(l, 6, 2, "")), "row 7", "coder"),
    codings_case("codings-duplicate-header", transform_bytes(CODINGS, lambda b: b.replace(b",memo", b",code", 1)), "row 1",
                 "more than once"),
    codings_case("codings-cr-only", transform_bytes(CODINGS, _cr_only), rc=0),
    codings_case("codings-utf16", transform_bytes(CODINGS, _utf16), rc=0),
    codings_case("codings-binary", write_file(CODINGS, b"\x00\x01\x02" * 50), "binary"),
    codings_case("codings-empty", write_file(CODINGS, b""), "empty"),
    codings_case("codings-missing-coder-column", transform_rows(CODINGS, lambda rows: [r[:2] + r[3:] for r in rows]), "coder"),
    codings_case("codings-cp1252", transform_bytes(CODINGS, lambda b: b.replace(b"coder_a", "cöder_a".encode("cp1252"), 1)),
                 "UTF-8", "row "),
    codings_case("codings-huge", transform_bytes(CODINGS, lambda b: b + b"\n" * 3_000_000), "MB"),
    # --- more of the cohort file and its tables
    Case("validate", "participants-unquoted-comma", (P,),
         transform_bytes(P, lambda b: b"\n".join(line.replace(b",", b", Jr,", 1) if i == 6 else line
                                                 for i, line in enumerate(b.split(b"\n")))), ("row 7", "more cells")),
    Case("validate", "transcript-unreadable-found-by-validate", (f"{RAW}/*.txt",),
         lambda root: (root / _first(root, f"{RAW}/*.txt")).write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(256)), ("binary",)),
    Case("validate", "meetings-two-exports-joined", (M,), transform_rows(M, lambda rows: rows[:40] + [rows[0]] + rows[40:]),
         ("row 41", "repeats the header")),
    Case("validate", "participants-is-dev-zero", (P,), lambda root: ((root / P).unlink(), (root / P).symlink_to("/dev/zero")),
         ("not a regular file",)),
    Case("validate", "participants-multiline-cell-row-numbers", (P,), transform_rows(P, _multiline_then_bad), ("row 8", "'role'")),
    Case("validate", "participants-semicolons", (P,), transform_bytes(P, lambda b: b.replace(b",", b";")), ("semicolon",)),
    yaml_set("inputs.interviews", "data/demo/participants.csv", "inputs.interviews", "folder", id_="yaml-interviews-is-a-file"),
    Case("validate", "participants-xlsx-garbage", (COHORT, "data/demo/participants.xlsx"),
         lambda root: (yaml_edit("participants: data/demo/participants.csv", "participants: data/demo/participants.xlsx")(root),
                       (root / "data/demo/participants.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")),
         ("Excel",), file="participants.xlsx"),
]

def _participants_workbook(first_sheet_notes: bool):
    def mutate(root: Path) -> None:
        import pandas as pd

        yaml_edit("participants: data/demo/participants.csv", "participants: data/demo/participants.xlsx")(root)
        frame = pd.read_csv(root / P, dtype=str, keep_default_na=False)
        with pd.ExcelWriter(root / "data/demo/participants.xlsx") as writer:
            if first_sheet_notes:
                pd.DataFrame({"About": ["Participants, exported 2025-04-01"]}).to_excel(writer, sheet_name="Notes", index=False)
            frame.to_excel(writer, sheet_name="Data", index=False)

    return mutate


CASES += [
    Case("validate", "participants-xlsx-second-sheet", (COHORT, "data/demo/participants.xlsx"), _participants_workbook(True),
         ("sheet 'Data'",), file="participants.xlsx"),
    Case("validate", "participants-xlsx-zip-bomb", (COHORT, "data/demo/participants.xlsx"),
         lambda root: (_participants_workbook(False)(root), (root / "data/demo/participants.xlsx").write_bytes(
             _add_member((root / "data/demo/participants.xlsx").read_bytes(), "xl/media/pad.bin", b"\0" * 3_000_000))),
         ("unpacks",), file="participants.xlsx"),
    Case("validate", "participants-xlsx-ok", (COHORT, "data/demo/participants.xlsx"), _participants_workbook(False), rc=0),
    survey_case("survey-multiline-answer-row-numbers",
                transform_bytes("survey/qualtrics.csv", lambda b: _qualtrics_bad_after_multiline(b)), "row 7", "Q1_1",
                argv=("survey", "import", "survey/qualtrics.csv", "-i", "psychological_safety", "programme_feedback",
                      "--wave", "post", "--out", "imported/tidy.csv"), rel="survey/qualtrics.csv"),
    survey_case("survey-header-only", transform_rows("survey/export.csv", lambda rows: rows[:1]), "no responses"),
    survey_case("survey-utf16-odd-length", transform_bytes("survey/export.csv", lambda b: _utf16(b)[:-1]), "UTF-16"),
    yaml_set("options.identifiers", "S123456", "options.identifiers", id_="yaml-identifiers-string"),
    yaml_set("options.identifiers.staff_number", "\\bS(\\d{6}", "staff_number", id_="yaml-identifiers-bad-regex"),
    yaml_set("options.identifiers.staff_number", 123456, "staff_number", id_="yaml-identifiers-number"),
    yaml_set("options.anonymise", ["roster"], "options.anonymise", id_="yaml-anonymise-list"),
    yaml_set("inputs.surveys.during", "surveys/demo/pre.csv", "inputs.surveys", "'during'", id_="yaml-survey-wave-unknown"),
    cell_case(PAIRS, 10, "start_date", "2024-10-01 00:00:00", "pairs-start-datetime-export", rc=0),
    cell_case(PAIRS, 11, "start_date", "01/10/2024 09:30", "pairs-start-uk-with-time", rc=0),
    cell_case(PAIRS, 12, "start_date", "2024/10/01", "pairs-start-ymd-slashes", rc=0),
]

# Some limits are far above what a fixture can write quickly: the cases above that say "MB"
# run with these limits lowered (the check and its message are the real ones).
SMALL_LIMITS = {"rmresearch.io.tables.MAX_TABLE_BYTES": 2_000_000, "rmresearch.config.MAX_YAML_BYTES": 1_000_000,
                "rmresearch.transcripts.MAX_TRANSCRIPT_BYTES": 5_000_000,
                "rmresearch.transcripts.MAX_DOCX_INFLATED_BYTES": 10_000_000, "rmresearch.io.surveys.MAX_EXPORT_BYTES": 2_000_000,
                "rmresearch.io.refi.MAX_QDPX_MEMBER_BYTES": 10_000_000}


# --------------------------------------------------------------------------- fixtures and the runner

SURVEY_SAMPLES = Path(__file__).parent / "data" / "surveys"


@pytest.fixture(scope="module")
def project(demo_project, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("redteam_inputs") / "project"
    shutil.copytree(demo_project, root)
    old = Path.cwd()
    os.chdir(root)
    try:
        assert main(["code", "export-qdpx", "--cohort", "demo", "--out", "demo.qdpx"]) == 0
    finally:
        os.chdir(old)
    # validate reads every table: keep the big record tables short so that ~170 cases stay fast
    for rel, keep in ((ST, 400), (SF, 500)):
        lines = (root / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        (root / rel).write_text("".join(lines[:keep]), encoding="utf-8")
    (root / "survey").mkdir()
    shutil.copy(SURVEY_SAMPLES / "plain.csv", root / "survey" / "export.csv")
    shutil.copy(SURVEY_SAMPLES / "qualtrics_numeric.csv", root / "survey" / "qualtrics.csv")
    shutil.copy(SURVEY_SAMPLES / "forms.xlsx", root / "survey" / "forms.xlsx")
    shutil.copy(SURVEY_SAMPLES / "spss.sav", root / "survey" / "spss.sav")
    (root / "imported").mkdir()
    return root


def _snapshot(path: Path):
    """The file's bytes (a symlink by its target, never read: it may be /dev/zero), or None when absent."""
    if path.is_symlink():
        return ("symlink", os.readlink(path))
    return path.read_bytes() if path.exists() else None


def _argv(case: Case) -> list[str]:
    return list(case.argv or ("validate", "--cohort", "demo"))


def _run(case: Case, root: Path, capsys) -> tuple[int | None, str, str]:
    """(exit status or None for an escaped exception, printed output, traceback text)."""
    try:
        rc = main(_argv(case))
        tb = ""
    except SystemExit as exc:  # argparse
        rc, tb = int(exc.code or 0), ""
    except BaseException:  # noqa: BLE001 - a traceback is exactly what we are hunting
        rc, tb = None, traceback.format_exc()
    out = capsys.readouterr()
    return rc, out.out + out.err, tb


def _classify(case: Case, rc, output: str, tb: str, name: str) -> str:
    if rc is None or "Traceback" in output:
        return "traceback"
    if case.rc == 0:
        return "accepted" if rc == 0 else "wrongly refused"
    if rc == 0:
        return "silent wrong"
    if rc != 2:
        return "other exit"
    if name not in output or not all(e in output for e in case.expect):
        return "vague error"
    return "clear error"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_input_gives_a_clear_error(case: Case, project: Path, capsys, monkeypatch):
    monkeypatch.chdir(project)
    monkeypatch.setenv("RMRESEARCH_DEBUG", "")
    monkeypatch.delenv("RMRESEARCH_DEBUG")
    for target, value in SMALL_LIMITS.items():
        module, _, attr = target.rpartition(".")
        monkeypatch.setattr(module + "." + attr, value)
    saved = {rel: (project / rel).read_bytes() if (project / rel).exists() else None
             for rel in (_first(project, r) for r in case.files)}
    try:
        case.mutate(project)
        assert any(_snapshot(project / rel) != data for rel, data in saved.items()), "the mutation changed nothing"
        rc, output, tb = _run(case, project, capsys)
    finally:
        for rel, data in saved.items():
            if (project / rel).is_symlink() or data is None:
                (project / rel).unlink(missing_ok=True)
            if data is not None:
                (project / rel).write_bytes(data)
    name = case.file or Path(next(iter(saved))).name
    outcome = _classify(case, rc, output, tb, name)
    if os.environ.get("RMR_REDTEAM_TALLY"):
        with open(os.environ["RMR_REDTEAM_TALLY"], "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"channel": case.channel, "id": case.id, "outcome": outcome, "rc": rc,
                                 "output": output[-600:], "traceback": tb[-600:]}) + "\n")
    assert rc is not None, f"traceback:\n{tb}"
    assert "Traceback" not in output
    if case.rc == 0:
        assert rc == 0, output
        return
    assert rc == 2, f"expected exit 2, got {rc}:\n{output}"
    assert name in output, f"the message does not name {name}:\n{output}"
    for expected in case.expect:
        assert expected in output, f"the message lacks {expected!r}:\n{output}"


# --------------------------------------------------------------------------- beyond the table: exact behaviour


@pytest.mark.parametrize("variant", ["bom", "crlf", "cr-only", "utf16", "utf16-crlf"])
def test_tolerated_encodings_and_line_endings_read_exactly_the_same_table(demo_project, tmp_path, variant):
    from rmresearch.schemas import read_table

    original = (demo_project / P).read_bytes()
    data = {
        "bom": b"\xef\xbb\xbf" + original,
        "crlf": original.replace(b"\n", b"\r\n"),
        "cr-only": _cr_only(original),
        "utf16": _utf16(original),
        "utf16-crlf": _utf16(original.replace(b"\n", b"\r\n")),
    }[variant]
    (tmp_path / "participants.csv").write_bytes(data)
    expected, _ = read_table(demo_project / P, "participants")
    got, problems = read_table(tmp_path / "participants.csv", "participants")
    assert not [p for p in problems if p.severity == "error"]
    pd_testing = pytest.importorskip("pandas.testing")
    pd_testing.assert_frame_equal(got, expected)  # same cells, same row numbers


def test_yaml_duplicate_keys_are_refused_in_block_and_flow_style_naming_both_lines():
    from rmresearch.config import load_yaml_text
    from rmresearch.errors import ConfigError

    with pytest.raises(ConfigError, match=r"'round_to' is given twice \(line 1 and line 1\)"):
        load_yaml_text("disclosure: {round_to: 5, round_to: 1}\n", "x.yml")
    with pytest.raises(ConfigError, match=r"'a' is given twice \(line 2 and line 4\)"):
        load_yaml_text("top:\n  a: 1\n  b: 2\n  a: 3\n", "x.yml")
    # the same key in two different mappings, and keys overridden after a merge, are fine
    assert load_yaml_text("x: {a: 1}\ny: {a: 2}\n", "x.yml") == {"x": {"a": 1}, "y": {"a": 2}}
    merged = load_yaml_text("base: &b {style: hesa, round_to: 5}\nmine:\n  <<: *b\n  round_to: 10\n", "x.yml")
    assert merged["mine"] == {"style": "hesa", "round_to": 10}


def test_yaml_aliases_are_bounded_but_ordinary_anchors_and_recursion_load():
    from rmresearch.config import load_yaml_text
    from rmresearch.errors import ConfigError

    bomb = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefghi", "bcdefghij")
    )  # 9**10 strings once expanded: PyYAML shares them, but str()/json of it exhausts memory
    with pytest.raises(ConfigError, match="billion laughs"):
        load_yaml_text(bomb, "bomb.yml")
    assert load_yaml_text("a: &x [1, 2]\nb: *x\n", "x.yml") == {"a": [1, 2], "b": [1, 2]}
    loop = load_yaml_text("a: &x [*x]\n", "x.yml")
    assert loop["a"][0] is loop["a"]
    with pytest.raises(ConfigError, match="line 1"):
        load_yaml_text("a: !!python/object/apply:os.system ['true']\n", "x.yml")


def test_participants_of_other_cohorts_are_left_out_and_cannot_be_paired(demo_copy):
    from rmresearch.config import load_cohort
    from rmresearch.inputs import load_table, validate_cohort

    path = demo_copy / P
    rows = _rows(path)
    j = rows[0].index("cohort")
    rows[-1][j] = "other-cohort"  # the last participant belongs to another cohort now
    moved = rows[-1][0]
    _write_rows(path, rows)
    config = load_cohort(demo_copy / COHORT)
    assert moved not in set(load_table(config, "participants")["participant_id"])
    _, problems = validate_cohort(config)
    [warning] = [p for p in problems if p.column == "cohort"]
    assert warning.severity == "warning" and "other-cohort" in warning.message and warning.row == len(rows)
    paired = [p for p in problems if p.severity == "error" and f"'{moved}'" in p.message]
    pairs = _rows(demo_copy / PAIRS)
    if any(moved in r for r in pairs[1:]):  # the demo pairs everyone: the moved person's pair is now an error
        assert any(p.file.endswith("pairs.csv") for p in paired)
    # the notebooks read this cohort's participants only: their survey answers are refused too, as load_surveys would
    assert any(p.file.endswith("pre.csv") for p in paired) == any(r[0] == moved for r in _rows(demo_copy / PRE)[1:])


def test_a_participants_table_of_another_cohort_is_refused_by_load_table_too(demo_copy):
    from rmresearch.config import load_cohort
    from rmresearch.errors import ValidationError
    from rmresearch.inputs import load_table

    path = demo_copy / P
    rows = _rows(path)
    j = rows[0].index("cohort")
    _write_rows(path, [rows[0]] + [r[:j] + ["demo-2023"] + r[j + 1:] for r in rows[1:]])
    with pytest.raises(ValidationError, match=r"no row belongs to cohort 'demo'.*'demo-2023' \(52 row\(s\)\)") as info:
        load_table(load_cohort(demo_copy / COHORT), "participants")
    assert info.value.problems[0].column == "cohort"


def test_good_honours_spellings_are_normalised(demo_copy):
    from rmresearch.config import load_cohort

    cohort = demo_copy / COHORT
    cohort.write_text(cohort.read_text(encoding="utf-8").replace('good_honours: [First, "2:1"]',
                                                                 'good_honours: [1st, "Upper second"]'), encoding="utf-8")
    assert load_cohort(cohort).good_honours == ("First", "2:1")


def test_an_instrument_with_a_duplicate_key_is_refused_with_both_lines(tmp_path):
    from rmresearch.errors import ConfigError
    from rmresearch.surveys import load_instrument

    (tmp_path / "mine.yml").write_text(
        "instrument: mine\nscales:\n  - scale: s\n    scale: t\n    items: [{id: s_1, text: One}, {id: s_2, text: Two}]\n"
        "    response_options: {1: No, 2: Yes}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'scale' is given twice \(line 3 and line 4\)"):
        load_instrument("mine", folder=tmp_path)
    (tmp_path / "mine.yml").write_bytes("instrument: mïne\n".encode("cp1252"))
    with pytest.raises(ConfigError, match="not UTF-8 text \\(line 1"):
        load_instrument("mine", folder=tmp_path)


def test_validate_warns_of_raw_files_the_anonymiser_would_skip(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    pdf = project / RAW / "interview_16.pdf"
    pdf.write_bytes(b"%PDF-1.4 a transcript saved as PDF")
    try:
        rc = main(["validate", "--cohort", "demo"])
    finally:
        pdf.unlink()
    out = capsys.readouterr().out
    assert rc == 0 and "warning:" in out and "interview_16.pdf" in out and "not anonymised or analysed" in out


def test_a_codebook_with_a_code_defined_twice_is_refused_with_both_lines(tmp_path):
    from rmresearch.coding.codebook import load_codebook
    from rmresearch.errors import InputError

    path = tmp_path / "cb.yml"
    path.write_text("name: mine\ncodes:\n  - code: a\n    title: A\n    title: B\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"'title' is given twice \(line 4 and line 5\)"):
        load_codebook(path)


def test_a_qdpx_cannot_read_local_files_into_the_imported_codings(project, tmp_path, capsys, monkeypatch):
    """XXE: an entity naming a local file, used in a coding memo, must not bring the file's text into codings.csv."""
    secret = tmp_path / "keys_pseudonym_key.json"
    secret.write_text("SECRET-Hugh-Thornton-P01", encoding="utf-8")
    with zipfile.ZipFile(project / "demo.qdpx") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    xml = members["project.qde"].decode("utf-8")
    declaration = "<?xml version='1.0' encoding='utf-8'?>"
    assert declaration in xml and "<PlainTextContent>borderline" in xml
    xml = xml.replace(declaration, f'{declaration}\n<!DOCTYPE Project [<!ENTITY x SYSTEM "file://{secret}">]>', 1)
    members["project.qde"] = xml.replace("<PlainTextContent>borderline", "<PlainTextContent>&x; borderline", 1).encode("utf-8")
    evil = tmp_path / "evil.qdpx"
    with zipfile.ZipFile(evil, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    out = tmp_path / "codings.csv"
    rc = main(["code", "import-qdpx", str(evil), "--out", str(out)])
    printed = capsys.readouterr()
    assert "SECRET" not in printed.out + printed.err
    assert not out.exists() or "SECRET" not in out.read_text(encoding="utf-8")
    assert rc == 2 and "DOCTYPE" in printed.err
