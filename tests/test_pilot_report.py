"""End to end: the pilot-shaped demo cohort (12 pairs) builds a report worth reading (issue 13's "Done means").

One report of a freshly generated pilot project (every input present: exports with title and totals rows, labels
instead of codes, an auto-caption interview without speakers, a participant without interview consent), then:
no section failed; every analysis that could not run shows its note in its notebook and in the methods appendix;
the title page shows the exact programme counts; the sentences the issue found false cannot be read in it; and the
participant without interview consent is neither quoted nor charted.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pytest

from rmresearch.anonymise import anonymise_cohort
from rmresearch.config import load_cohort
from rmresearch.report import build_report
from rmresearch.synthetic import generate_pilot

PROJECT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pilot_report(tmp_path_factory) -> tuple[Path, dict, str]:
    """The pilot's report folder, its effects.json and report.html's visible text (tags and scripts removed)."""
    root = tmp_path_factory.mktemp("pilot_report") / "project"
    generate_pilot(root, seed=2024)
    config = load_cohort(root / "cohorts" / "pilot.yml")
    anonymise_cohort(config, progress=False)
    build_report(config, notebooks_dir=PROJECT / "notebooks", progress=False)
    folder = root / "reports" / "pilot"
    effects = json.loads((root / "data/pilot/ground_truth/effects.json").read_text(encoding="utf-8"))
    return folder, effects, _text((folder / "report.html").read_text(encoding="utf-8"))


def _text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def _executed(folder: Path) -> dict[str, nbformat.NotebookNode]:
    return {p.stem: nbformat.read(p, as_version=4) for p in sorted(folder.glob("[0-9][0-9]_*.ipynb"))}


def _notes(nb) -> list[dict]:
    return [out["metadata"]["rmresearch"]["note"] for cell in nb.cells for out in cell.get("outputs", [])
            if "note" in out.get("metadata", {}).get("rmresearch", {})]


def test_every_cohort_notebook_ran_and_no_cell_failed(pilot_report):
    folder, _, _ = pilot_report
    executed = _executed(folder)
    assert sorted(executed) == ["00_overview", "01_anonymisation", "02_themes", "03_attainment", "04_progression",
                                "05_programme"]
    for name, nb in executed.items():
        errors = [out for cell in nb.cells for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        assert not errors, f"{name}: {errors[0].get('ename')}: {errors[0].get('evalue')}"


def test_each_analysis_that_cannot_run_shows_its_note_here_and_in_the_methods_appendix(pilot_report):
    folder, _, text = pilot_report
    notes = {name: _notes(nb) for name, nb in _executed(folder).items()}
    titles = [n["title"] for found in notes.values() for n in found]
    # mentored staff joined the scheme one year before the last snapshot: no promotion among them yet
    progression = [f"{n['title']} {n['reason']}".lower() for n in notes["04_progression"]]
    assert any("no mentored staff has been promoted yet" in t for t in progression), titles
    # the appendix's own headings (the contents and the notebooks' prose name them earlier)
    appendix = text[text.rindex("Notes from the analyses"):text.rindex("Reproducibility record")]
    assert appendix
    for found in notes.values():
        for note in found:
            assert note["title"] in appendix and note["needs"].rstrip(".") in text
    # a note says why in words: no Python warning, traceback or unrounded count reaches the report
    for leak in ("Warning:", "Traceback", "ConvergenceWarning", "RuntimeWarning", "site-packages"):
        assert leak not in text


def test_the_title_page_shows_the_exact_programme_counts(pilot_report):
    _, effects, text = pilot_report
    title_page = text[:text.index("Contents")]
    assert effects["pilot"]["participants"] == 24 and effects["pilot"]["pairs"] == 12
    assert "24 participants" in title_page and "12 mentoring pairs" in title_page
    assert f"{effects['programme']['realised']['meetings_attended']} meetings held" in title_page


def test_the_sentences_the_issue_found_false_cannot_be_read_in_the_pilot_report(pilot_report):
    _, _, text = pilot_report
    assert not re.search(r"\b0 interviewed participants\b", text)
    assert "22.5 pairs" not in text and "22.5 mentored" not in text
    assert not re.search(r"(?<![\w.])-0\.0+(?![\d])", text), "a negative zero is shown"
    assert not re.search(r"(?<![\w.])0\.000(?!\d)", text), "a p-value of 0.000 is shown"
    for internal in ("senior_leader", "staff_partner", "student_partner", "ethnicity_group[", "gap_pp"):
        assert internal not in text, internal


def test_the_participant_without_interview_consent_is_neither_quoted_nor_charted(pilot_report):
    folder, effects, text = pilot_report
    refused = effects["pilot"]["consent_interview_no"]
    assert refused
    for pid in refused:
        assert not re.search(rf"— {pid}\b", text), f"{pid} is quoted"
        matrix = text[text.rindex("Framework matrix"):text.rindex("Exemplar quotes")]
        assert not re.search(rf"\b{pid} (Senior leader|Staff partner|Student partner)\b", matrix)
    raw = folder.parents[1] / "interviews" / "pilot" / "raw"
    theirs = [f["file"] for f in effects["interviews"]["files"] if f["participant_id"] in refused]
    for name in theirs:  # their own words, if the pilot holds an interview of theirs, are nowhere in the report
        words = re.findall(r"[^.?!\n]{40,}[.?!]", (raw / name).read_text(encoding="utf-8", errors="ignore"))
        assert words and not any(w.strip() in text for w in words)
