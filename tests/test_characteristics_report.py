"""End to end (issue 14's "Done means"): a cohort file that names only disability and sex, with no ethnicity
anywhere, validates and builds a full report with no failed cell.

The cohort is the pilot demo (12 pairs, exports with title and totals rows) rewritten in a temporary folder: the
ethnicity column of participants, staff and students is replaced by a HESA disability code (disabled people
drawn at realistic shares, some 'Prefer not to say'), the recruitment funnel is by disability group, and the
cohort file names options.characteristics disability (the focus) and sex, and their intersection. Since the data
hold no ethnicity, the words "BAME" and "White" can only reach the report from hard-coded text.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml

from rmresearch.anonymise import anonymise_cohort
from rmresearch.config import load_cohort
from rmresearch.inputs import raise_if_errors, validate_cohort
from rmresearch.report import build_report
from rmresearch.synthetic import generate_pilot

PROJECT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

CHARACTERISTICS = {
    "disability": {"column": "disability_code", "code_list": "disability",
                   "tables": ["participants", "staff", "students"], "labels": {"Disabled": "disabled"}},
    "sex": {"column": "sex", "code_list": "sex", "reference": "Male", "tables": ["participants", "staff", "students"]},
}
DISABLED_CODES = ["51", "54", "55", "56", "96"]
ETHNICITY_HEADINGS = ("ethnicity_code", "Ethnicity code")


def _disability_codes(rng: np.random.Generator, n: int, share: float) -> list[str]:
    """HESA DISABLE codes: ``share`` disabled (one of five kinds), 4% 'Prefer not to say' (98), else 00."""
    draw = rng.random(n)
    kinds = rng.choice(DISABLED_CODES, size=n)
    return [str(k) if d < share else "98" if d < share + 0.04 else "00" for d, k in zip(draw, kinds)]


def _rewrite_export(path: Path, rng: np.random.Generator, share: float, disabled_from=None) -> None:
    """Replace the ethnicity column of a pilot export (title rows, heading, rows, totals row) by disability codes,
    in place, keeping the export's shape; ``disabled_from`` names a yes/no column to follow instead of drawing."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    start = next(i for i, row in enumerate(rows) if any(h in row for h in ETHNICITY_HEADINGS))
    column = next(i for i, h in enumerate(rows[start]) if h in ETHNICITY_HEADINGS)
    follow = rows[start].index(disabled_from) if disabled_from else None
    rows[start][column] = "disability_code"
    records = [row for row in rows[start + 1:] if row and row[0] != "Total"]
    people = list(dict.fromkeys(row[0] for row in records))  # a person keeps one code over the census years
    code_of = dict(zip(people, _disability_codes(rng, len(people), share)))
    for row in records:
        code = code_of[row[0]]
        if follow is not None:  # the students' own yes/no column decides; a 'Yes' gets a kind of disability
            code = str(rng.choice(DISABLED_CODES)) if row[follow] == "Yes" else code if code == "98" else "00"
        row[column] = code
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def _disability_and_sex_cohort(root: Path) -> Path:
    """The pilot rewritten as a disability-and-sex cohort; returns its cohort file."""
    generate_pilot(root, seed=2024)
    rng = np.random.default_rng(14)
    data = root / "data" / "pilot"
    participants = pd.read_csv(data / "participants.csv", dtype=str, keep_default_na=False)
    partner = participants["role"] != "senior_leader"
    participants["ethnicity_code"] = _disability_codes(rng, len(participants), 0.0)
    participants.loc[partner, "ethnicity_code"] = [str(rng.choice(DISABLED_CODES)) if i % 2 == 0 else "00"
                                                   for i in range(int(partner.sum()))]
    participants.loc[participants.index[-1], "ethnicity_code"] = "98"  # one partner preferred not to say
    participants.rename(columns={"ethnicity_code": "disability_code"}).to_csv(data / "participants.csv", index=False)
    _rewrite_export(data / "staff.csv", rng, 0.10)
    _rewrite_export(data / "students.csv", rng, 0.15, disabled_from="Disability")
    recruitment = pd.read_csv(data / "recruitment.csv")
    recruitment["disability_group"] = np.where(recruitment.pop("ethnicity_group") == "Asian", "Disabled",
                                               "No known disability")
    recruitment.groupby(["year", "post_grade", "disability_group"], as_index=False).sum().to_csv(
        data / "recruitment.csv", index=False)

    path = root / "cohorts" / "pilot.yml"
    cohort = yaml.safe_load(path.read_text(encoding="utf-8"))
    cohort["description"] = ("A pilot cohort of 12 pairs: senior leaders paired with disabled staff and students, "
                             "evaluated by disability and sex.")
    for legacy in ("reference_group", "ethnicity_grouping", "aggregate_group", "ethnicity_map"):
        cohort["options"].pop(legacy, None)
    cohort["options"]["characteristics"] = CHARACTERISTICS
    cohort["options"]["intersections"] = [["disability", "sex"]]
    path.write_text(yaml.safe_dump(cohort, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> Path:
    return _disability_and_sex_cohort(tmp_path_factory.mktemp("characteristics") / "project")


def _text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_cohort_holds_no_ethnicity_anywhere(cohort):
    root = cohort.parents[1]
    for csv in sorted((root / "data" / "pilot").glob("*.csv")) + sorted((root / "surveys" / "pilot").glob("*.csv")):
        head = "\n".join(csv.read_text(encoding="utf-8").splitlines()[:5]).lower()
        assert "ethnicity" not in head, csv.name
    assert "ethnicity" not in cohort.read_text(encoding="utf-8").lower()


def test_a_disability_and_sex_cohort_validates(cohort):
    config = load_cohort(cohort)
    assert list(config.characteristics) == ["disability", "sex"] and config.focus.name == "disability"
    assert [ch.name for ch in config.intersections] == ["disability_by_sex"]
    tables, problems = validate_cohort(config)
    raise_if_errors(problems)  # no error: ethnicity is not required of a cohort that does not study it
    for name in ("participants", "staff", "students"):
        frame = tables[name]
        assert {"disability_group", "disability_aggregate", "sex_group", "disability_by_sex"} <= set(frame.columns)
        assert "ethnicity_group" not in frame.columns
    # 'Prefer not to say' is counted as Unknown, never dropped
    assert (tables["participants"]["disability_aggregate"] == "Unknown").sum() == 1


@pytest.fixture(scope="module")
def report(cohort) -> tuple[Path, str]:
    config = load_cohort(cohort)
    anonymise_cohort(config, progress=False)
    build_report(config, notebooks_dir=PROJECT / "notebooks", progress=False)  # raises naming a failed cell
    folder = cohort.parents[1] / "reports" / "pilot"
    return folder, _text((folder / "report.html").read_text(encoding="utf-8"))


def test_the_full_report_builds_with_no_failed_cell(report):
    folder, _ = report
    executed = {p.stem: nbformat.read(p, as_version=4) for p in sorted(folder.glob("[0-9][0-9]_*.ipynb"))}
    assert sorted(executed) == ["00_overview", "01_anonymisation", "02_themes", "03_attainment", "04_progression",
                                "05_programme"]
    for name, nb in executed.items():
        errors = [out for cell in nb.cells for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        assert not errors, f"{name}: {errors[0].get('ename')}: {errors[0].get('evalue')}"


def test_the_report_speaks_of_the_cohorts_characteristics_and_never_of_ethnic_groups(report):
    _, text = report
    found = sorted(set(re.findall(r"\b(?:BAME|White|ethnicity group)\b", text)))
    assert not found, f"hard-coded groups in a report of a cohort without ethnicity: {found}"
    title_page = text[:text.index("Contents")]
    assert "Characteristics Disability (headline comparisons), sex; disability and sex" in title_page
    appendix = text[text.rindex("Characteristics and groups"):text.rindex("Intervals and tests")]
    assert ("The headline comparisons are by disability: disabled people compared with people with no known "
            "disability") in appendix
    assert ("Disability and sex No known disability, Male; No known disability, Female or other; disabled, Male; "
            "disabled, Female or other; Unknown each group with No known disability, Male intersection percentages "
            "resting on fewer than 45 people suppressed") in appendix  # the intersection's own, stricter threshold
    # the analyses compare the cohort's own groups, in its words
    assert "disabled students" in text and "disabled staff" in text
