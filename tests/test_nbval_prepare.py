"""``make test``'s nbval copies (rmresearch.report.nbval): one folder per cohort, only the notebooks that apply, each
with the cohort's file injected as its parameter; the trends notebook with the first cohort only."""

from __future__ import annotations

import json
from pathlib import Path

from rmresearch.cli.nbval import main
from rmresearch.report.nbval import prepare_nbval

PROJECT = Path(__file__).resolve().parents[1]


def _cohort(folder: Path, name: str, inputs: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.yml"
    path.write_text(f"cohort: {name}\ntitle: {name}\nprogramme_type: reciprocal\nstart_date: 2024-09-01\n"
                    f"end_date: 2025-07-31\ninputs: {{{inputs}}}\noutputs: {{reports: reports/{name}}}\n")
    return path


def _parameters(copy: Path) -> str:
    cells = json.loads(copy.read_text(encoding="utf-8"))["cells"]
    injected = [c for c in cells if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1
    return "".join(injected[0]["source"])


def test_each_cohort_gets_the_notebooks_that_apply_to_it_with_its_own_file(tmp_path):
    cohorts = tmp_path / "cohorts"
    full = _cohort(cohorts, "full", "participants: p.csv, pairs: pairs.csv, meetings: m.csv, students: s.csv, "
                                    "staff: st.csv, interviews: raw")
    community = _cohort(cohorts, "community", "participants: p.csv, pairs: pairs.csv, meetings: m.csv, "
                                              "interviews: raw")
    written = prepare_nbval([full, community], notebooks_dir=PROJECT / "notebooks", out=tmp_path / "build")
    names = {c: [p.name for p in copies] for c, copies in written.items()}
    assert names["full"] == ["00_overview.ipynb", "01_anonymisation.ipynb", "02_themes.ipynb", "03_attainment.ipynb",
                             "04_progression.ipynb", "05_programme.ipynb", "90_trends.ipynb"]
    assert names["community"] == ["00_overview.ipynb", "01_anonymisation.ipynb", "02_themes.ipynb",
                                  "05_programme.ipynb"]  # no students or staff: no 03, 04; trends once
    copy = tmp_path / "build" / "nbval-community" / "05_programme.ipynb"
    assert _parameters(copy) == f'# Parameters\ncohort_config = "{community.resolve()}"\n'
    assert all(c["outputs"] == [] for c in json.loads(copy.read_text())["cells"] if c["cell_type"] == "code")


def test_a_second_run_leaves_no_stale_copy_and_the_script_says_what_it_wrote(tmp_path, capsys):
    cohorts = tmp_path / "cohorts"
    path = _cohort(cohorts, "c", "participants: p.csv, pairs: pairs.csv, meetings: m.csv, students: s.csv")
    prepare_nbval([path], notebooks_dir=PROJECT / "notebooks", out=tmp_path / "build")
    assert (tmp_path / "build" / "nbval-c" / "03_attainment.ipynb").exists()
    _cohort(cohorts, "c", "participants: p.csv, pairs: pairs.csv, meetings: m.csv")  # students gone
    assert main([str(path), "--notebooks", str(PROJECT / "notebooks"), "--out", str(tmp_path / "build")]) == 0
    assert not (tmp_path / "build" / "nbval-c" / "03_attainment.ipynb").exists()
    assert capsys.readouterr().out == f"{tmp_path / 'build'}/nbval-c: 00_overview, 05_programme, 90_trends\n"
