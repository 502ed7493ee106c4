from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from rmresearch.fileio import atomic_directory, atomic_write, atomic_write_text, write_csv


def test_atomic_write_leaves_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as fh:
            fh.write("half")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temp file left


def test_atomic_write_applies_mode_before_content(tmp_path):
    path = atomic_write_text(tmp_path / "secret.json", "{}", file_mode=0o600)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_write_csv_round_trip(tmp_path):
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    path = write_csv(frame, tmp_path / "sub" / "t.csv")
    pd.testing.assert_frame_equal(pd.read_csv(path), frame)


def test_atomic_directory_swaps_only_on_success(tmp_path):
    out = tmp_path / "report"
    with atomic_directory(out) as staging:
        (staging / "a.html").write_text("first")
    assert (out / "a.html").read_text() == "first"
    with pytest.raises(ValueError):
        with atomic_directory(out) as staging:
            (staging / "a.html").write_text("second")
            raise ValueError
    assert (out / "a.html").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
