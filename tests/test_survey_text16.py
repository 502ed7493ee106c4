"""Issue 16, item 4 (survey text): an instrument's wording printed, and open-text answers anonymised with the
cohort's key and made available to coding.

Every input is written here, shaped like a pilot's files: a 3-person roster, one interview transcript, and a
post-programme survey export whose open-text answers name a participant, give a phone number and a job title.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rmresearch.errors import ConfigError
from rmresearch.surveys.instruments import instrument_text, load_instrument


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rmresearch.cli", *args], cwd=cwd, capture_output=True, text=True)


# ----------------------------------------------------------------------------------------- item 1: instrument wording


def test_instrument_text_lists_every_item_with_wording_options_and_reversal():
    text = instrument_text(load_instrument("psychological_safety"))
    lines = text.splitlines()
    assert lines[0] == "psychological_safety: Psychological safety in the pair"
    assert "Edmondson, 1999" in text  # the source, from the shipped file's leading comment
    assert "1 = Strongly disagree; 2 = Disagree; 3 = Neither agree nor disagree; 4 = Agree;" in text
    item3 = next(line for line in lines if line.strip().startswith("psychological_safety_3"))
    assert "(reversed) I worry that what I say" in item3
    item1 = next(line for line in lines if line.strip().startswith("psychological_safety_1"))
    assert "(reversed)" not in item1 and "I can speak honestly with my partner about race." in item1
    assert "scored 6 minus the answer" in text


def test_instrument_text_shows_open_questions_and_own_reference_and_licence(tmp_path):
    folder = tmp_path / "surveys/instruments"
    folder.mkdir(parents=True)
    (folder / "exit.yml").write_text(
        "instrument: exit\ntitle: Exit survey\nreference: Written by the pilot team, 2024\nlicence: CC BY 4.0\n"
        "scales:\n  - scale: value\n    response_options: {1: No, 2: Yes}\n    items:\n"
        "      - {id: value_1, text: The scheme was worth my time.}\n"
        "open_questions:\n  - {id: advice, text: 'What would you tell a new pair?', waves: [post]}\n")
    text = instrument_text(load_instrument("exit", folder=folder))
    assert "Reference: Written by the pilot team, 2024" in text and "Licence: CC BY 4.0" in text
    assert "response options: 1 = No; 2 = Yes" in text  # a bare YAML No/Yes is a label, not false/true
    assert "advice   What would you tell a new pair? [answered by everyone; waves: post]" in text


def test_unknown_instrument_names_close_matches():
    with pytest.raises(ConfigError, match=r"Did you mean 'psychological_safety'\?"):
        load_instrument("psychological_safty")


def test_cli_prints_one_instrument_and_lists_all_without_a_name(tmp_path):
    one = _cli("survey", "instruments", "mfq9", cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    assert "mfq_role_model_3    I respect my partner's ability to teach others." in one.stdout
    assert "Scandura" in one.stdout
    listing = _cli("survey", "instruments", cwd=tmp_path)
    assert listing.returncode == 0 and "programme_feedback" in listing.stdout and "origin" in listing.stdout
    bad = _cli("survey", "instruments", "mfq", cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "No instrument 'mfq'. Did you mean 'mfq9'?" in bad.stderr + bad.stdout
