"""The notebook pipeline: papermill execution, HTML without code, index, failures named."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from rmresearch.config import load_cohort
from rmresearch.report import (
    ReleaseRefused,
    ReportError,
    build_report,
    build_reports,
    cohort_notebooks,
    find_notebooks,
    trend_notebooks,
)

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
    assert "90_trends.ipynb" not in [p.name for p in cohort_notebooks(PROJECT / "notebooks")]
    assert [p.name for p in trend_notebooks(PROJECT / "notebooks")] == ["90_trends.ipynb"]


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
    report = (out / "report.html").read_text(encoding="utf-8")
    for heading in ("Executive summary", "The cohort at a glance", "Methods and data quality", "Reproducibility record"):
        assert heading in report
    assert 'alt="Stacked bar chart of participants' in report and "<figcaption>" in report
    assert "<script" not in report and "https://" not in report and "http://" not in report
    assert "load_cohort(" not in report
    recorded = json.loads((out / "00_overview.results.json").read_text())
    by_key = {r["key"]: r for r in recorded["results"]}
    assert by_key["pairs"]["value"] == 26 and by_key["pairs_completed_rate"]["kind"] == "rate"  # activity: exact
    assert recorded["disclosure_log"]  # the kernel's disclosure log came out with the results
    assert "Pairs that held all 6 planned meetings" in report  # the executive summary reads the results file
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="00_overview.html"' in index and cfg.title in index
    record = json.loads((out / "run.json").read_text())
    assert record["cohort"] == "demo" and "participants" in record["inputs_sha256"]
    executed = nbformat.read(out / "00_overview.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and '"cohorts/demo.yml"' in injected[0].source  # project-relative: the kernel runs in the project
    assert str(cfg.path) not in injected[0].source
    # no participant name reaches the report
    names = [line.split(",")[1] for line in (demo_copy / "data/demo/participants.csv").read_text().splitlines()[1:]]
    assert not [n for n in names if n in html]


@pytest.mark.slow
def test_a_failing_notebook_is_named_and_the_old_report_kept(demo_copy, tmp_path):
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "00_fine.ipynb", "x = 1")
    build_report(cfg, notebooks_dir=notebooks, progress=False)
    out = demo_copy / "reports" / "demo"
    before = sorted(p.name for p in out.iterdir())
    write_notebook(notebooks / "01_broken.ipynb", "y = 2",
                   "%matplotlib inline\nimport pandas as pd\n\n"
                   "students = pd.DataFrame({'student_id': ['s1', 's2']})\nmean = students['tariff'].mean()\nz = 3")
    with pytest.raises(ReportError) as info:
        build_report(cfg, notebooks_dir=notebooks, progress=False)
    message = str(info.value)
    # markdown, parameters, y = 2, then the failing cell; the line that failed, not `%matplotlib inline`
    assert message.splitlines()[:3] == [
        "Notebook 01_broken.ipynb failed in cell 4, line 5: mean = students['tariff'].mean()",
        "  KeyError: 'tariff'",
        "  column 'tariff' is missing (check the students input, which should have it; "
        "`rmresearch schema students` lists its columns)",
    ]
    assert "\x1b[" not in message and "matplotlib" not in message
    assert sorted(p.name for p in out.iterdir()) == before



@pytest.mark.slow
def test_an_analysis_error_in_a_notebook_reaches_the_user_as_one_line(demo_copy, tmp_path):
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "03_gap.ipynb", "y = 2",
                   "from rmresearch.errors import AnalysisError\n"
                   "raise AnalysisError('students table: no qualifier has a degree class; check degree_class')")
    with pytest.raises(ReportError) as info:
        build_report(cfg, notebooks_dir=notebooks, progress=False)
    assert str(info.value) == ("Notebook 03_gap.ipynb, cell 4: students table: no qualifier has a degree class; "
                               "check degree_class")  # markdown, parameters, y = 2, then the failing cell
    assert not (demo_copy / "reports" / "demo").exists()

# IPython's frames as papermill hands them over (colours included): a cell calling a function of an earlier cell
_RED, _CYAN, _GREEN, _OFF = "\x1b[31m", "\x1b[36m", "\x1b[32m", "\x1b[39m"
_CALL_INTO_EARLIER_CELL = [
    f"{_RED}{'-' * 75}{_OFF}",
    f"{_RED}KeyError{_OFF}                                  Traceback (most recent call last)",
    f"{_CYAN}Cell{_OFF}{_CYAN} {_OFF}{_GREEN}In[2]{_OFF}{_GREEN}, line 2{_OFF}\n{_GREEN}      1{_OFF} y = {_GREEN}1{_OFF}\n"
    f"{_GREEN}----> {_OFF}{_GREEN}2{_OFF} f({{}})\n",
    f"{_CYAN}Cell{_OFF}{_CYAN} {_OFF}{_GREEN}In[1]{_OFF}{_GREEN}, line 2{_OFF}, in {_CYAN}f{_OFF}(d)\n"
    f"{_GREEN}----> {_OFF}{_GREEN}2{_OFF}     return d['x']\n",
    f"{_RED}KeyError{_OFF}: 'x'",
]


def test_the_failing_line_is_the_failed_cells_deepest_frame_not_its_first_line():
    from rmresearch.report.notebooks import cause_hint, failing_line

    error = {"ename": "KeyError", "evalue": "'x'", "exec_count": 2, "source": "y = 1\nf({})",
             "traceback": _CALL_INTO_EARLIER_CELL}
    assert failing_line(error) == (2, "f({})")  # the frame of In[1] (another cell's function) is not this cell's
    assert cause_hint(error) == ""  # a dict's key, not a column: no pandas frame
    syntax = {"ename": "SyntaxError", "evalue": "incomplete input", "exec_count": 1, "source": "y = 1\nx = (\n",
              "traceback": [f"  {_CYAN}Cell{_OFF} {_GREEN}In[1]{_OFF}{_GREEN}, line 2{_OFF}\n{_RED}    x = ({_OFF}\n"
                            f"         ^\n{_RED}SyntaxError{_OFF}: incomplete input\n"]}
    assert failing_line(syntax) == (2, "x = (")
    older_ipython = {"source": "%matplotlib inline\nimport pandas\n1 / 0", "exec_count": 7,
                     "traceback": ["Input In [7], in <cell line: 3>()\n----> 3 1 / 0\n", "ZeroDivisionError: ..."]}
    assert failing_line(older_ipython) == (3, "1 / 0")
    magic_only = {"source": "\n%matplotlib inline\nboom()", "exec_count": 4, "traceback": ["NameError: boom"]}
    assert failing_line(magic_only) == (None, "%matplotlib inline")  # nothing names a line: the first one
    long = {"source": "x = [" + "1, " * 100 + "]", "exec_count": 1, "traceback": ["Cell In[1], line 1\n"]}
    number, line = failing_line(long)
    assert number == 1 and len(line) == 160 and line.endswith("...")


def test_a_missing_column_or_file_names_the_input():
    from rmresearch.report.notebooks import cause_hint

    through_pandas = [f"{_CYAN}File {_OFF}{_GREEN}/venv/site-packages/pandas/core/frame.py:4113{_OFF}, in DataFrame"]
    assert cause_hint({"ename": "KeyError", "evalue": "'sex'", "traceback": through_pandas}) == (
        "column 'sex' is missing (check the input that should have it: participants, students or staff; "
        "`rmresearch schema <table>` lists the columns)")
    assert cause_hint({"ename": "KeyError", "evalue": "\"['tariff', 'mentored'] not in index\"",
                       "traceback": through_pandas}) == (
        "columns 'tariff', 'mentored' are missing (check the input that should have them: students or staff; "
        "`rmresearch schema <table>` lists the columns)")
    assert cause_hint({"ename": "KeyError", "evalue": "\"None of [Index(['tarif'], dtype='object')] are in the "
                                                     "[columns]\"", "traceback": through_pandas}) == (
        "column 'tarif' is missing (check the input that should have it; `rmresearch schema <table>` lists the columns)")
    assert cause_hint({"ename": "ValueError", "evalue": "'tariff'", "traceback": through_pandas}) == ""
    missing_file = {"ename": "FileNotFoundError", "traceback": through_pandas,
                    "evalue": "[Errno 2] No such file or directory: 'data/demo/grades.csv'"}
    assert cause_hint(missing_file).startswith("the file 'data/demo/grades.csv' does not exist (a relative path "
                                               "starts at the project folder, where the report runs;")


def test_an_analysis_error_raised_by_a_call_names_the_line_of_the_call(tmp_path):
    from rmresearch.report.notebooks import _failure

    error = {"cell_index": 4, "ename": "AnalysisError", "exec_count": 5,
             "evalue": "students table: no qualifier has a degree class;\n check degree_class",
             "source": "%matplotlib inline\nfrom rmresearch import attainment\n\ngap = attainment.awarding_gap(students)",
             "traceback": [f"{_CYAN}Cell{_OFF} {_GREEN}In[5]{_OFF}{_GREEN}, line 4{_OFF}\n"
                           f"{_GREEN}----> {_OFF}4 gap = attainment.awarding_gap(students)\n",
                           f"{_CYAN}File {_OFF}{_GREEN}/src/rmresearch/attainment/gaps.py:88{_OFF}, in awarding_gap\n",
                           f"{_RED}AnalysisError{_OFF}: students table: no qualifier has a degree class"]}
    failure = _failure(tmp_path / "03_gap.ipynb", tmp_path / "absent.ipynb", tmp_path / "failed", error)
    assert str(failure) == ("Notebook 03_gap.ipynb, cell 5: students table: no qualifier has a degree class; "
                            "check degree_class\n  (line 4 of the cell: gap = attainment.awarding_gap(students))")
    own_raise = {**error, "source": "x = 1\nraise AnalysisError('students table: no qualifier has a degree class')",
                 "traceback": [f"Cell In[5], line 2\n----> 2 raise AnalysisError('...')\n"]}
    assert "\n" not in str(_failure(tmp_path / "03_gap.ipynb", tmp_path / "absent.ipynb", tmp_path / "failed",
                                    own_raise))  # the cell's own raise: the message is the line


def _project_notebooks(tmp_path: Path, *extra: tuple[str, tuple[str, ...]]) -> Path:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir(parents=True)
    write_notebook(
        notebooks / "00_fine.ipynb",
        "from rmresearch import results\nfrom rmresearch.config import load_cohort\ncfg = load_cohort(cohort_config)\n"
        "results.start(cfg)\nresults.record('pairs_completed_rate', 0.5, kind='rate', n=26, n_of='pairs', "
        "label='Pairs that held every planned meeting', headline=True)",
        "import pandas as pd\nfrom rmresearch.disclosure import disclose\nfrom rmresearch.display import show_table\n"
        "show_table(disclose(pd.DataFrame({'group': ['a', 'b'], 'n': [12, 3]}), counts=['n'], rules=cfg.disclosure))",
    )
    for name, sources in extra:
        write_notebook(notebooks / name, *sources)
    return notebooks


@pytest.mark.slow
def test_rerun_reuses_unchanged_notebooks_and_reruns_changed_ones(demo_copy, tmp_path):
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    notebooks = _project_notebooks(tmp_path, ("01_other.ipynb", ("x = 1",)))
    first = build_report(cfg, notebooks_dir=notebooks, progress=False)
    assert [r.cached for r in first] == [False, False]
    second = build_report(cfg, notebooks_dir=notebooks, progress=False)
    assert [r.cached for r in second] == [True, True]
    out = demo_copy / "reports" / "demo"
    assert (out / "00_fine.results.json").is_file()  # reused outputs come along
    write_notebook(notebooks / "01_other.ipynb", "x = 2")
    third = build_report(cfg, notebooks_dir=notebooks, progress=False)
    assert [r.cached for r in third] == [True, False]
    (demo_copy / "data/demo/meetings.csv").write_text((demo_copy / "data/demo/meetings.csv").read_text() + "\n")
    fourth = build_report(cfg, notebooks_dir=notebooks, progress=False)  # an input changed: everything reruns
    assert [r.cached for r in fourth] == [False, False]
    record = json.loads((out / "run.json").read_text())
    assert all(len(n["fingerprint"]) == 64 for n in record["notebooks"])


def test_notebooks_whose_inputs_the_cohort_lacks_are_skipped_and_listed(demo_copy, tmp_path):
    from rmresearch.report import applicable_notebooks

    cfg_path = demo_copy / "cohorts" / "demo.yml"
    cfg_path.write_text(cfg_path.read_text().replace("  interviews: interviews/demo/raw\n", ""))
    cfg = load_cohort(cfg_path)
    kept, skipped = applicable_notebooks(find_notebooks(PROJECT / "notebooks"), cfg)
    assert [s["name"] for s in skipped] == ["01_anonymisation", "02_themes"]
    assert "inputs.interviews" in skipped[0]["reason"]
    assert [p.stem for p in kept][:2] == ["00_overview", "03_attainment"]


def test_a_kernel_that_dies_at_start_is_started_again_and_a_cell_failure_is_not(monkeypatch, tmp_path):
    """Notebooks side by side can be handed the same TCP port: the second kernel dies before running anything."""
    import papermill as pm

    from rmresearch.report import notebooks as nbs

    calls = []

    def flaky(*args, **kwargs):
        calls.append(kwargs["parameters"])
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(pm, "execute_notebook", flaky)
    args = ("in.ipynb", str(tmp_path / "out.ipynb"), str(tmp_path / "r.json"), {"cohort_config": "c.yml"}, str(tmp_path), 60)
    assert nbs._execute(*args) >= 0 and len(calls) == 2

    calls.clear()
    monkeypatch.setattr(pm, "execute_notebook",
                        lambda *a, **k: (calls.append(1), (_ for _ in ()).throw(RuntimeError("Address already in use"))))
    with pytest.raises(RuntimeError, match="Address already in use"):
        nbs._execute(*args)
    assert len(calls) == nbs.KERNEL_START_ATTEMPTS

    calls.clear()
    monkeypatch.setattr(pm, "execute_notebook", lambda *a, **k: (calls.append(1), (_ for _ in ()).throw(RuntimeError("a bug"))))
    with pytest.raises(RuntimeError, match="a bug"):
        nbs._execute(*args)
    assert len(calls) == 1  # any other failure is reported at once
