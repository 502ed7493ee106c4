"""Red team, slice S5 (issue 11, items 5, 6 and 9): the release gate, report staging, results files, paths.

Each test is an attack that broke the promise on 9cf9af5:
- ``--release`` installed a leaking or undisclosed report (marked not releasable) over the previous one;
- ``round_to: 1`` or ``min_percentage_denominator: 0`` still gave "releasable";
- a failed notebook (personal data, absolute paths) was kept in ``reports/.<c>-failed/`` with modes 0755/0644;
- ``*.results.json`` stored 0.11538461538461539 beside n = 26 (3/26 recoverable);
- report.html, run.json, results files and executed notebooks held absolute paths (the user's folders);
- a killed report run left ``reports/.<c>.xxx.tmp`` (executed notebooks with personal data) inside reports/;
- the trends page was neither audited nor release-checked.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rmresearch.config import DisclosureRules, load_cohort
from rmresearch.report import ReleaseRefused, ReportError, build_report, build_trends, release_check
from rmresearch.results import Recorder, format_value, read_results

from test_report import PROJECT, _project_notebooks, write_notebook


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _a_name(project: Path) -> str:
    return (project / "data/demo/participants.csv").read_text().splitlines()[1].split(",")[1]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _set_disclosure(project: Path, **values) -> None:
    path = project / "cohorts" / "demo.yml"
    text = path.read_text()
    for key, value in values.items():
        start = text.index(f"    {key}:")
        end = text.index("\n", start)
        text = text[:start] + f"    {key}: {value}" + text[end:]
    path.write_text(text)


@pytest.fixture(scope="module")
def built(demo_project, tmp_path_factory) -> Path:
    """One real report (notebook 00 of the project) and the trends page, in a private copy of the demo project."""
    root = tmp_path_factory.mktemp("redteam_release") / "project"
    shutil.copytree(demo_project, root)
    cfg = load_cohort(root / "cohorts" / "demo.yml")
    build_report(cfg, notebooks_dir=PROJECT / "notebooks", only=["00"], progress=False)
    build_trends([cfg], notebooks_dir=PROJECT / "notebooks")
    return root


# --------------------------------------------------------------------------- results files


def test_results_file_holds_the_values_as_shown_not_full_precision(tmp_path):
    path = tmp_path / "00_x.results.json"
    rec = Recorder(path=path)
    rec.record("withdrew", 3 / 26, kind="rate", n=26, n_of="pairs", label="Pairs that withdrew")
    rec.record("gap", 0.084372, kind="estimate", n=400, ci=(0.031234, 0.143219), unit="pp", scale=100, decimals=1,
               label="Awarding gap")
    rec.record("meetings", 29 / 6, kind="mean", n=30, label="Meetings held per pair", unit="meetings")
    rec.record("small", 2 / 7, kind="rate", n=7, label="On a small base")
    saved = {r["key"]: r for r in read_results(path)["results"]}
    text = path.read_text()
    assert "0.11538461538461539" not in text and "0.115384" not in text  # 3/26 is not recoverable
    assert saved["withdrew"]["value"] == 0.115 and saved["withdrew"]["display"] == "11.5%"
    assert saved["gap"]["value"] == 0.084 and (saved["gap"]["ci_low"], saved["gap"]["ci_high"]) == (0.031, 0.143)
    assert saved["meetings"]["value"] == 4.8 and "4.833" not in text
    for r in saved.values():  # what is stored formats back to exactly what is shown
        assert format_value(r) == r["display"]
    assert saved["small"]["value"] is None and saved["small"]["suppressed"] and saved["small"]["reason"]
    assert "0.2857" not in text


@pytest.mark.slow
def test_results_files_of_a_real_report_hold_no_more_digits_than_shown(built):
    for path in (built / "reports" / "demo").glob("*.results.json"):
        for r in read_results(path)["results"]:
            if r["kind"] in ("rate", "mean", "estimate") and r["value"] is not None:
                assert format_value(r) == r["display"], r
                factor = 100 if r["kind"] == "rate" else (r.get("scale") or 1)
                shown = r["value"] * factor
                assert abs(shown - round(shown, r["decimals"])) < 1e-9, r  # nothing beyond the shown decimals


# --------------------------------------------------------------------------- absolute paths


def _machine_paths(root: Path) -> list[str]:
    paths = {str(root), str(root.resolve()), str(PROJECT), sys.prefix}
    home = str(Path.home())
    if len(home) > 1:
        paths.add(home + "/")
    return sorted(paths)


def _shown_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":  # figure data is base64, not paths
        data = json.loads(text)
        for cell in data.get("cells", []):
            for output in cell.get("outputs", []) or []:
                for mime in [m for m in (output.get("data") or {}) if m.startswith("image/")]:
                    output["data"][mime] = ""
        text = json.dumps(data)
    return text


@pytest.mark.slow
@pytest.mark.parametrize("folder", ["demo", "trends"])
def test_shareable_outputs_hold_only_project_relative_paths(built, folder):
    out = built / "reports" / folder
    files = sorted(p for p in out.iterdir() if p.is_file())
    assert {"report.html", "index.html", "run.json"} <= {p.name for p in files}
    offending = {p.name: [m for m in _machine_paths(built) if m in _shown_text(p)] for p in files}
    assert not {k: v for k, v in offending.items() if v}
    if folder == "trends":  # the kernel ran in the project folder and found the cohort's results by relative path
        assert "Only one cohort (demo) has results so far" in (out / "report.html").read_text()
        assert json.loads((out / "run.json").read_text())["parameters"]["sources"] == ["reports/demo"]
    if folder == "demo":
        nb = json.loads((out / "00_overview.ipynb").read_text())
        papermill = nb["metadata"]["papermill"]
        assert papermill["input_path"] == "notebooks/00_overview.ipynb"
        assert papermill["output_path"] == "reports/demo/00_overview.ipynb"
        assert papermill["parameters"] == {"cohort_config": "cohorts/demo.yml"}
        assert json.loads((out / "run.json").read_text())["parameters"]["config"]["config"] == "cohorts/demo.yml"
        assert read_results(out / "00_overview.results.json")["cohort"]["config"] == "cohorts/demo.yml"


@pytest.mark.slow
def test_release_gate_refuses_a_report_holding_an_absolute_path(built, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(built / "reports" / "demo", folder)
    cfg = load_cohort(built / "cohorts" / "demo.yml")
    assert release_check(cfg, folder).releasable
    (folder / "extra.json").write_text(json.dumps({"file": str(built / "data" / "demo" / "students.csv")}))
    check = release_check(cfg, folder)
    assert not check.releasable
    assert any("extra.json: holds absolute paths of this machine (the project folder)" in r for r in check.reasons)


# --------------------------------------------------------------------------- the release gate


@pytest.mark.slow
def test_paths_a_notebook_prints_are_made_project_relative(demo_copy, tmp_path):
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    notebooks = _project_notebooks(tmp_path, ("01_paths.ipynb", (
        "from pathlib import Path\nfrom rmresearch.config import load_cohort\nc = load_cohort(cohort_config)\n"
        "print('inputs in', c.root / 'data' / 'demo', 'and', c.root, 'home', Path.home() / 'notes.txt')",
        "import sys, warnings\nwarnings.warn(f'installed in {sys.prefix}/lib')")))
    build_report(cfg, notebooks_dir=notebooks, progress=False)
    out = demo_copy / "reports" / "demo"
    page = (out / "01_paths.html").read_text()
    assert "inputs in data/demo and . home ~/notes.txt" in page
    report = (out / "report.html").read_text()
    assert "installed in &lt;python&gt;/lib" in report or "installed in <python>/lib" in report
    for f in out.iterdir():
        text = _shown_text(f)
        assert not [m for m in _machine_paths(demo_copy) if m in text], f.name


@pytest.mark.slow
def test_an_input_outside_the_project_is_named_without_the_machine_s_folders(demo_copy, tmp_path):
    secure = tmp_path / "home" / "alice" / "secure"  # e.g. a protected drive under the user's home folder
    secure.mkdir(parents=True)
    shutil.move(str(demo_copy / "data/demo/staff.csv"), secure / "staff.csv")
    yml = demo_copy / "cohorts" / "demo.yml"
    yml.write_text(yml.read_text().replace("staff: data/demo/staff.csv", f"staff: {secure / 'staff.csv'}"))
    cfg = load_cohort(yml)
    build_report(cfg, notebooks_dir=_project_notebooks(tmp_path), progress=False, release=True)
    out = demo_copy / "reports" / "demo"
    report = (out / "report.html").read_text()
    assert "staff.csv" in report and "alice" not in report and str(tmp_path) not in report
    assert json.loads((out / "release.json").read_text())["releasable"] is True


@pytest.mark.slow
def test_a_refused_release_keeps_the_previous_report(demo_copy, tmp_path):
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    build_report(cfg, notebooks_dir=_project_notebooks(tmp_path / "clean"), progress=False, release=True)
    out = demo_copy / "reports" / "demo"
    before = _snapshot(out)
    assert json.loads(before["release.json"])["releasable"] is True
    name = _a_name(demo_copy)
    named = _project_notebooks(tmp_path / "named", ("01_name.ipynb", (f"print('Thanks to {name}')",)))
    with pytest.raises(ReleaseRefused, match="leak audit found") as info:
        build_report(cfg, notebooks_dir=named, progress=False, release=True)
    assert "NOT releasable, so it was not installed" in str(info.value) and name not in str(info.value)
    assert _snapshot(out) == before  # the leaking report was not installed over the releasable one
    refused = demo_copy / ".rmresearch" / "refused" / "demo"
    assert (refused / "01_name.ipynb").is_file() and _mode(refused) == 0o700
    assert all(_mode(p) == 0o600 for p in refused.iterdir())
    assert not [p for p in (demo_copy / "reports").iterdir() if p.name != "demo"]


@pytest.mark.slow
def test_a_first_release_that_is_refused_installs_nothing(demo_copy, tmp_path):
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    leaky = _project_notebooks(tmp_path / "leaky", ("01_raw.ipynb", ("import pandas as pd", "pd.DataFrame({'n': [3]})")))
    with pytest.raises(ReleaseRefused, match="a table is shown without disclosure control"):
        build_report(cfg, notebooks_dir=leaky, progress=False, release=True)
    assert not (demo_copy / "reports" / "demo").exists()


@pytest.mark.parametrize("setting, value", [
    ("round_to", 1), ("min_percentage_denominator", 0), ("max_mean_suppressed_n", 3),
])
@pytest.mark.slow
def test_a_public_release_refuses_disclosure_settings_below_the_hesa_minimums(demo_copy, tmp_path, setting, value,
                                                                                 capsys, monkeypatch):
    from rmresearch.cli import main

    _set_disclosure(demo_copy, **{setting: value})
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    if setting == "round_to":  # the gate itself (slow: it runs the audit), once
        assert not release_check(cfg, tmp_path).releasable
    with pytest.raises(ReleaseRefused, match=f"options.disclosure {setting} is {value}") as info:
        build_report(cfg, notebooks_dir=_project_notebooks(tmp_path), progress=False, release=True)
    assert "HESA minimums" in str(info.value) and "without --release" in str(info.value)
    assert not (demo_copy / "reports" / "demo").exists()  # refused before anything ran
    monkeypatch.chdir(demo_copy)
    code = main(["report", "--cohort", "demo", "--notebooks", str(tmp_path / "notebooks"), "--release", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and setting in err and "Traceback" not in err


@pytest.mark.slow
def test_a_table_disclosed_under_a_notebook_s_own_weak_rules_is_refused_for_release(demo_copy, tmp_path):
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    weak = _project_notebooks(tmp_path, ("01_exact.ipynb", (
        "import pandas as pd\nfrom rmresearch.config import DisclosureRules\nfrom rmresearch.disclosure import disclose\n"
        "from rmresearch.display import show_table\n"
        "show_table(disclose(pd.DataFrame({'group': ['a', 'b'], 'n': [12, 3]}), counts=['n'], "
        "rules=DisclosureRules(round_to=1)))",)))
    with pytest.raises(ReleaseRefused, match="01_exact.ipynb, cell 3: a table is disclosed under rules below the HESA"):
        build_report(cfg, notebooks_dir=weak, progress=False, release=True)
    assert not (demo_copy / "reports" / "demo").exists()


def test_ofs_thresholds_below_their_defaults_are_refused_for_release():
    from rmresearch.report import disclosure_rule_problems

    assert disclosure_rule_problems(DisclosureRules(style="ofs")) == []
    weak = disclosure_rule_problems(DisclosureRules(style="ofs", ofs_min_denominator=10, ofs_max_numerator_suppressed=0))
    assert [r.split(" is ")[0].split()[-1] for r in weak] == ["ofs_min_denominator", "ofs_max_numerator_suppressed"]


def test_an_internal_build_may_use_weaker_rules_but_says_nothing_of_release(demo_copy, tmp_path):
    _set_disclosure(demo_copy, round_to=1)
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    build_report(cfg, notebooks_dir=_project_notebooks(tmp_path), progress=False)  # a plain build is allowed
    out = demo_copy / "reports" / "demo"
    assert (out / "report.html").is_file() and not (out / "release.json").exists()


# --------------------------------------------------------------------------- failed notebooks


def test_a_failed_notebook_is_kept_private_outside_reports(demo_copy, tmp_path):
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    name = _a_name(demo_copy)
    write_notebook(notebooks / "00_broken.ipynb", f"print('{name}')", "raise KeyError('tariff')")
    legacy = demo_copy / "reports" / ".demo-failed"  # where earlier versions kept failed notebooks (shared)
    legacy.mkdir(parents=True)
    (legacy / "03_old.ipynb").write_text("{}")
    with pytest.raises(ReportError) as info:
        build_report(cfg, notebooks_dir=notebooks, progress=False)
    failed = demo_copy / ".rmresearch" / "failed" / "demo"
    assert str(failed / "00_broken.ipynb") in str(info.value) and "kept private" in str(info.value)
    assert name in (failed / "00_broken.ipynb").read_text()  # kept for the researcher, privately
    assert _mode(failed) == 0o700 and _mode(failed.parent) == 0o700 and _mode(demo_copy / ".rmresearch") == 0o700
    assert _mode(failed / "00_broken.ipynb") == 0o600
    assert (demo_copy / ".rmresearch" / ".gitignore").read_text().strip().endswith("*")
    assert _mode(failed / "03_old.ipynb") == 0o600  # the old shared folder was moved to the private one
    reports = demo_copy / "reports"
    assert not [p for p in reports.rglob("*") if "failed" in p.name or p.name.startswith(".")]


# --------------------------------------------------------------------------- staging


def test_stale_staging_of_dead_runs_is_removed_and_live_ones_kept(tmp_path):
    from rmresearch.fileio import atomic_directory

    reports = tmp_path / "reports"
    reports.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    for name in (f".demo.{dead_pid}.abc123.tmp", f".demo.old-{dead_pid}", ".demo.k3j_x9az.tmp",
                 f".demo.{os.getppid()}.live0001.tmp", f".other.{dead_pid}.abc.tmp"):
        (reports / name).mkdir()
        (reports / name / "00_x.ipynb").write_text("personal data")
    with atomic_directory(reports / "demo") as staging:
        (staging / "report.html").write_text("new")
    left = sorted(p.name for p in reports.iterdir())
    assert left == sorted(["demo", f".demo.{os.getppid()}.live0001.tmp", f".other.{dead_pid}.abc.tmp"])


def test_a_run_killed_during_the_swap_gets_the_previous_folder_back(tmp_path):
    from rmresearch.fileio import atomic_directory

    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)
    reports = tmp_path / "reports"
    (reports / f".demo.old-{dead}").mkdir(parents=True)  # moved aside, then killed before the new one moved in
    (reports / f".demo.old-{dead}" / "report.html").write_text("previous")
    (reports / f".demo.{dead}.abcd1234.tmp").mkdir()
    with pytest.raises(RuntimeError), atomic_directory(reports / "demo") as staging:
        (staging / "report.html").write_text("half")
        raise RuntimeError("this run fails too")
    assert (reports / "demo" / "report.html").read_text() == "previous"
    assert sorted(p.name for p in reports.iterdir()) == ["demo"]


def test_the_private_folder_may_not_be_a_link_into_a_shared_one(tmp_path):
    from rmresearch.report import private_dir

    (tmp_path / "reports").mkdir()
    (tmp_path / ".rmresearch").symlink_to(tmp_path / "reports")
    with pytest.raises(ReportError, match="symbolic link"):
        private_dir(tmp_path, "failed", "demo")
    assert not list((tmp_path / "reports").iterdir())


@pytest.mark.slow
def test_a_killed_report_run_leaves_nothing_in_reports_and_a_rerun_is_clean(demo_copy, tmp_path):
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    clean = _project_notebooks(tmp_path / "clean")
    build_report(cfg, notebooks_dir=clean, progress=False)
    out = demo_copy / "reports" / "demo"
    before = _snapshot(out)
    started, done = tmp_path / "started", tmp_path / "done"
    slow = _project_notebooks(tmp_path / "slow", ("01_slow.ipynb", (
        f"import os, time\nif not os.path.exists({str(done)!r}):\n    open({str(started)!r}, 'w').close()\n"
        "    time.sleep(120)",)))
    proc = subprocess.Popen([sys.executable, "-m", "rmresearch.cli", "report", "--cohort", "demo", "--notebooks",
                             str(slow), "--no-progress"], cwd=demo_copy, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while not started.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert started.exists(), "the report run did not reach the slow notebook"
        time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its kernels, as a power cut or the OOM killer would
        proc.wait()
    assert sorted(p.name for p in (demo_copy / "reports").iterdir()) == ["demo"]  # no staging inside reports/
    assert _snapshot(out) == before
    staging = demo_copy / ".rmresearch" / "staging"
    assert _mode(staging) == 0o700 and list(staging.iterdir())  # the killed run's build sits in private staging
    done.write_text("")
    results = build_report(cfg, notebooks_dir=slow, progress=False)
    assert [r.name for r in results] == ["00_fine", "01_slow"]
    assert not list(staging.iterdir())  # the dead run's staging is cleaned by the next run
    assert sorted(p.name for p in (demo_copy / "reports").iterdir()) == ["demo"]
    again = build_report(cfg, notebooks_dir=slow, progress=False, force=True, out_dir=tmp_path / "uninterrupted")
    assert [r.name for r in again] == ["00_fine", "01_slow"]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in (tmp_path / "uninterrupted").iterdir())
    first, second = (read_results(d / "00_fine.results.json")["results"] for d in (out, tmp_path / "uninterrupted"))
    assert first == second


# --------------------------------------------------------------------------- the trends page


def _trends_notebooks(tmp_path: Path, *sources: str) -> Path:
    notebooks = _project_notebooks(tmp_path)
    write_notebook(notebooks / "90_trends.ipynb", *sources)
    return notebooks


def test_a_leaking_trends_page_is_not_installed(demo_copy, tmp_path):
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    out = build_trends([cfg], notebooks_dir=_trends_notebooks(tmp_path / "clean", "print('trends')"))
    before = _snapshot(out)
    name = _a_name(demo_copy)
    leaky = _trends_notebooks(tmp_path / "leaky", f"print('Best mentor: {name}')")
    with pytest.raises(ReportError, match="trends were not written: leak audit found") as info:
        build_trends([cfg], notebooks_dir=leaky)
    assert name not in str(info.value)
    assert _snapshot(out) == before


def test_the_trends_page_is_release_checked(demo_copy, tmp_path):
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    out = build_trends([cfg], notebooks_dir=_trends_notebooks(tmp_path / "clean", "print('trends')"), release=True)
    assert json.loads((out / "release.json").read_text())["releasable"] is True
    before = _snapshot(out)
    raw = _trends_notebooks(tmp_path / "raw", "import pandas as pd\npd.DataFrame({'n': [3]})")
    with pytest.raises(ReleaseRefused, match="a table is shown without disclosure control"):
        build_trends([cfg], notebooks_dir=raw, release=True)
    assert _snapshot(out) == before
    _set_disclosure(demo_copy, min_percentage_denominator=0)
    with pytest.raises(ReleaseRefused, match="min_percentage_denominator"):
        build_trends([load_cohort(demo_copy / "cohorts" / "demo.yml")], notebooks_dir=raw, release=True)
