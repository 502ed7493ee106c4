"""The cohort file's options.surveys: an export's encoding named there (never guessed), and the sentence the report
prints about how the answers were taken in."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from rmresearch import surveys
from rmresearch.config import _check_surveys
from rmresearch.errors import ConfigError, InputError

ITEMS = [f"psychological_safety_{k}" for k in range(1, 5)]


def _cp1252_export(path):
    """A plain CSV saved by Excel on Windows (cp1252): an open answer holds 'café' and a curly apostrophe."""
    rows = [["participant_id", *ITEMS, "open_feedback"]]
    rows += [[f"P{i:02d}", *[str((i + k) % 5 + 1) for k in range(1, 5)], "the caf\u00e9 chats \u2019helped\u2019"]
             for i in range(1, 25)]
    path.write_bytes("\r\n".join(",".join(r) for r in rows).encode("cp1252"))
    return path


def _config(tmp_path, path, **options):
    return SimpleNamespace(inputs={"surveys": {"post": path}}, root=tmp_path, path=tmp_path / "cohort.yml",
                           options={"survey_instruments_used": ["psychological_safety"], "surveys": options})


def test_a_cp1252_export_is_refused_with_advice_then_read_with_the_named_encoding(tmp_path):
    path = _cp1252_export(tmp_path / "post.csv")
    people = pd.DataFrame({"participant_id": [f"P{i:02d}" for i in range(1, 25)]})
    with pytest.raises(InputError) as err:
        surveys.load_surveys(_config(tmp_path, path, ignore=["open_feedback"]), participants=people)
    assert "post.csv" in str(err.value) and "--encoding cp1252" in str(err.value)
    assert "options: surveys: {encoding: cp1252}" in str(err.value)
    data = surveys.load_surveys(_config(tmp_path, path, encoding="cp1252", ignore=["open_feedback"]), participants=people)
    assert len(data.responses) == 24
    assert data.responses[ITEMS[0]].tolist() == [float((i + 1) % 5 + 1) for i in range(1, 25)]


def test_the_encoding_option_is_checked_by_name():
    _check_surveys({"encoding": "Windows-1252"}, "pilot.yml")
    with pytest.raises(ConfigError, match=r"options\.surveys\.encoding: unknown encoding 'klingon'"):
        _check_surveys({"encoding": "klingon"}, "pilot.yml")


def test_the_intake_sentence_counts_what_was_kept_and_left_out():
    survey = SimpleNamespace(link="respondents linked by the export's 'RecipientEmail' to the participants' email",
                             unfinished=[8, 21], excluded=[8, 21, 30])
    kept = surveys.intake_sentence(survey, SimpleNamespace(options={}))
    left = surveys.intake_sentence(survey, SimpleNamespace(options={"surveys": {"exclude_unfinished": True}}))
    assert kept.startswith("Respondents linked by the export's 'RecipientEmail'")
    assert "2 unfinished responses were kept" in kept and "3 repeated responses were left out" in kept
    assert "2 unfinished responses were left out" in left and "1 repeated response was left out" in left
