"""Report language follows the cohort (issue 14, item 6): no notebook, template or report code names a group.

The groups a report compares, and their labels ("global majority", "disabled staff"), come from the cohort
file's characteristics (``cfg.focus``, ``Characteristic.label``/``.people``), so no notebook source cell, no
report template and no report-building code may spell the words "BAME" or "White" (case-sensitive, as whole
words: "whiteboard" and "white" in lower case are other words). Configuration and data files (cohort YAML, the
built-in code lists, CSVs) are where those words belong, and are not searched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = PROJECT / "src" / "rmresearch"
#: The words, as whole words, case-sensitive.
WORDS = re.compile(r"\b(BAME|White)\b")

NOTEBOOKS = sorted((PROJECT / "notebooks").glob("*.ipynb"))
TEMPLATES = sorted(p for p in (PACKAGE / "templates").iterdir() if p.is_file())
REPORT_CODE = sorted((PACKAGE / "report").glob("*.py")) + [PACKAGE / "trends.py"]


def hits_in_text(text: str, where: str) -> list[str]:
    """``where:line: text`` for every line of ``text`` naming a group word."""
    return [f"{where}:{i}: {line.strip()[:160]}" for i, line in enumerate(text.splitlines(), start=1)
            if WORDS.search(line)]


def notebook_hits(path: Path) -> list[str]:
    """The hits in a notebook's source cells (markdown and code; outputs are not committed)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for number, cell in enumerate(nb["cells"], start=1):
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        found += hits_in_text(source, f"{path.name} cell {number} ({cell['cell_type']}, id {cell.get('id')}) line")
    return found


def test_the_word_match_is_whole_words_and_case_sensitive():
    text = "White staff\nBAME-led\nwhiteboard\nwhite colleagues\nWhitehall\nNon-White\nBAMEs"
    assert [h.split(": ", 1)[1] for h in hits_in_text(text, "t")] == ["White staff", "BAME-led", "Non-White"]


def test_the_search_covers_every_notebook_and_template():
    assert {p.stem for p in NOTEBOOKS} >= {"00_overview", "01_anonymisation", "02_themes", "03_attainment",
                                           "04_progression", "05_programme", "90_trends"}
    assert {p.name for p in TEMPLATES} >= {"report.html.j2", "index.html.j2", "trends.html.j2", "base.html.j2"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_notebook_names_a_group(path):
    found = notebook_hits(path)
    assert not found, ("Say the cohort's groups from cfg.focus / Characteristic.label(...) / .people(...), not by "
                       "name:\n  " + "\n  ".join(found))


@pytest.mark.parametrize("path", TEMPLATES + REPORT_CODE, ids=lambda p: p.name)
def test_no_template_or_report_code_names_a_group(path):
    found = hits_in_text(path.read_text(encoding="utf-8"), path.name)
    assert not found, "Templates and report code take the groups from the cohort file:\n  " + "\n  ".join(found)
