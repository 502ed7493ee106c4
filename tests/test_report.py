"""The notebook pipeline: papermill execution, HTML without code, index, failures named."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from rmresearch.config import load_cohort
from rmresearch.report import ReportError, build_report, find_notebooks

PROJECT = Path(__file__).resolve().parents[1]


def write_notebook(path: Path, *sources: str) -> None:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(new_markdown_cell(f"# {path.stem.title()}"))
    params = new_code_cell('cohort_config = "x"')
    params.metadata["tags"] = ["parameters"]
    nb.cells.append(params)
    nb.cells += [new_code_cell(s) for s in sources]
    nbformat.write(nb, str(path))


def test_notebooks_are_found_in_report_order():
    names = [p.name for p in find_notebooks(PROJECT / "notebooks")]
    assert names[0] == "00_overview.ipynb" and names == sorted(names)


@pytest.mark.slow
def test_overview_report_for_the_demo(demo_copy):
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    results = build_report(cfg, notebooks_dir=PROJECT / "notebooks", only=["00"], progress=False)
    out = demo_copy / "reports" / "demo"
    assert [r.name for r in results] == ["00_overview"]
    html = (out / "00_overview.html").read_text(encoding="utf-8")
    assert "The cohort at a glance" in html
    assert "load_cohort(" not in html  # code cells are not exported
    assert "data:image/png;base64" in html  # figures are embedded, so the page works offline
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="00_overview.html"' in index and cfg.title in index
    record = json.loads((out / "run.json").read_text())
    assert record["cohort"] == "demo" and "participants" in record["inputs_sha256"]
    executed = nbformat.read(out / "00_overview.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and str(cfg.path) in injected[0].source
    # no participant name reaches the report
    names = [line.split(",")[1] for line in (demo_copy / "data/demo/participants.csv").read_text().splitlines()[1:]]
    assert not [n for n in names if n in html]


def test_a_failing_notebook_is_named_and_the_old_report_kept(demo_copy, tmp_path):
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "00_fine.ipynb", "x = 1")
    build_report(cfg, notebooks_dir=notebooks, progress=False)
    out = demo_copy / "reports" / "demo"
    before = sorted(p.name for p in out.iterdir())
    write_notebook(notebooks / "01_broken.ipynb", "y = 2", "raise KeyError('tariff')")
    with pytest.raises(ReportError) as info:
        build_report(cfg, notebooks_dir=notebooks, progress=False)
    message = str(info.value)
    assert "01_broken.ipynb" in message and "KeyError" in message and "tariff" in message
    assert "cell 4:" in message  # markdown, parameters, y = 2, then the failing cell
    assert sorted(p.name for p in out.iterdir()) == before
