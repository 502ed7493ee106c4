"""Shared fixtures: a small synthetic demo project, generated once per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
# A report built through the command line prints and audits a PDF when Chromium is installed (about 10 s for a full
# report): tests print one only where they ask for it (tests/test_report_pdf16.py names the program itself).
os.environ.setdefault("RMRESEARCH_CHROMIUM", "none")


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory) -> Path:
    """A project folder holding a small synthetic demo cohort, anonymised (read-only for tests)."""
    from rmresearch.synthetic import generate_demo

    from rmresearch.anonymise import anonymise_cohort
    from rmresearch.config import load_cohort

    root = tmp_path_factory.mktemp("demo_project")
    generate_demo(root, seed=7, n_students=3000, n_staff=500)
    # as after `rmresearch anonymise run`: reports read anonymised transcripts only
    anonymise_cohort(load_cohort(root / "cohorts" / "demo.yml"), progress=False)
    return root


@pytest.fixture()
def demo_copy(demo_project, tmp_path) -> Path:
    """A private, writable copy of the demo project (for tests that break or add files)."""
    dest = tmp_path / "project"
    shutil.copytree(demo_project, dest)
    return dest
