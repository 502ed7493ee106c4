"""The release gate and many cohorts side by side (see test_report.py for the single-cohort pipeline)."""

from __future__ import annotations

import json
import sys

import pytest

from rmresearch.config import load_cohort
from rmresearch.report import ReleaseRefused, build_report, build_reports

from test_report import PROJECT, _project_notebooks


@pytest.mark.slow
def test_release_gate_refuses_an_undisclosed_table_and_passes_a_clean_report(demo_copy, tmp_path):
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    clean = _project_notebooks(tmp_path / "clean")
    build_report(cfg, notebooks_dir=clean, progress=False, release=True)
    out = demo_copy / "reports" / "demo"
    assert json.loads((out / "release.json").read_text())["releasable"] is True
    assert "Releasable." in (out / "report.html").read_text()

    leaky = _project_notebooks(tmp_path / "leaky", ("01_raw.ipynb", ("import pandas as pd", "pd.DataFrame({'n': [3]})")))
    with pytest.raises(ReleaseRefused) as info:
        build_report(cfg, notebooks_dir=leaky, progress=False, release=True)
    assert "01_raw.ipynb, cell 4: a table is shown without disclosure control" in str(info.value)
    # a refused release is not installed: the previous (releasable) report stays, the refused build is kept privately
    assert json.loads((out / "release.json").read_text())["releasable"] is True
    refused = demo_copy / ".rmresearch" / "refused" / "demo"
    assert json.loads((refused / "release.json").read_text())["releasable"] is False
    assert "Not releasable." in (refused / "report.html").read_text()

    name = (demo_copy / "data/demo/participants.csv").read_text().splitlines()[1].split(",")[1]
    named = _project_notebooks(tmp_path / "named", ("01_name.ipynb", (f"print('Thanks to {name}')",)))
    with pytest.raises(ReleaseRefused, match="leak audit found"):
        build_report(cfg, notebooks_dir=named, progress=False, release=True)


def test_release_gate_fails_closed_without_the_audit(demo_copy, tmp_path, monkeypatch):
    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    monkeypatch.setitem(sys.modules, "rmresearch.anonymise.audit", None)  # import fails
    with pytest.raises(ReleaseRefused, match="leak audit unavailable"):
        build_report(cfg, notebooks_dir=_project_notebooks(tmp_path), progress=False, release=True)


@pytest.mark.slow
def test_many_cohorts_in_parallel_a_failure_does_not_stop_the_others(demo_copy, tmp_path):
    cohorts = demo_copy / "cohorts"
    text = (cohorts / "demo.yml").read_text()
    participants = (demo_copy / "data/demo/participants.csv").read_text()
    (demo_copy / "data/demo/participants_later.csv").write_text(participants.replace(",demo,", ",later,"))
    (cohorts / "later.yml").write_text(text.replace("cohort: demo", "cohort: later").replace(
        "data/demo/participants.csv", "data/demo/participants_later.csv").replace(
        "reports: reports/demo", "reports: reports/later").replace(
        "keys: keys/demo", "keys: keys/later").replace(
        "anonymised: interviews/demo/anonymised", "anonymised: interviews/later/anonymised"))
    from rmresearch.anonymise import anonymise_cohort

    anonymise_cohort(load_cohort(cohorts / "later.yml"), progress=False)  # each cohort has its own key
    (cohorts / "broken.yml").write_text(text.replace("cohort: demo", "cohort: broken").replace(
        "reports: reports/demo", "reports: reports/broken").replace("data/demo/pairs.csv", "data/demo/no_pairs.csv")
        .replace("keys: keys/demo", "keys: keys/broken"))  # each cohort its own key
    notebooks = _project_notebooks(tmp_path)
    (notebooks / "90_trends.ipynb").write_bytes((PROJECT / "notebooks" / "90_trends.ipynb").read_bytes())
    files = [cohorts / f"{c}.yml" for c in ("broken", "demo", "later")]
    outcomes = {o.cohort: o for o in build_reports(files, jobs=2, notebooks_dir=notebooks)}
    assert not outcomes["broken"].ok and "no_pairs.csv" in outcomes["broken"].message
    assert outcomes["demo"].ok and outcomes["later"].ok and outcomes["trends"].ok
    assert (demo_copy / "reports/later/report.html").is_file()
    trends = (demo_copy / "reports/trends/report.html").read_text()
    assert "2 cohorts have results, in order of start date: demo, later." in trends
    assert trends.count("<img ") == 1 and 'alt="Share of pairs that held every planned meeting' in trends


def test_cli_report_all_lists_failures_and_exits_non_zero(demo_copy, tmp_path, capsys, monkeypatch):
    from rmresearch.cli import main

    cohorts = demo_copy / "cohorts"
    (cohorts / "broken.yml").write_text((cohorts / "demo.yml").read_text().replace("cohort: demo", "cohort: broken")
                                        .replace("reports: reports/demo", "reports: reports/broken")
                                        .replace("data/demo/pairs.csv", "data/demo/no_pairs.csv"))
    monkeypatch.chdir(demo_copy)
    code = main(["report", "--cohort", "all", "--notebooks", str(_project_notebooks(tmp_path)), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 1
    assert "1 of 2 report(s) failed: broken" in captured.err
    assert "demo" in captured.out and (demo_copy / "reports/demo/report.html").is_file()


@pytest.mark.slow
def test_every_report_is_audited_and_a_leaking_one_is_not_written(demo_copy, tmp_path):
    from rmresearch.report import ReportError

    cfg = load_cohort(demo_copy / "cohorts" / "demo.yml")
    build_report(cfg, notebooks_dir=_project_notebooks(tmp_path / "clean"), progress=False)
    out = demo_copy / "reports" / "demo"
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    name = (demo_copy / "data/demo/participants.csv").read_text().splitlines()[1].split(",")[1]
    named = _project_notebooks(tmp_path / "named", ("01_name.ipynb", (f"print('Thanks to {name}')",)))
    with pytest.raises(ReportError, match="was not written: leak audit found") as info:
        build_report(cfg, notebooks_dir=named, progress=False)
    assert name not in str(info.value)  # the message masks the identifier
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


# --------------------------------------------------------------------------- the audience (issue 13 item 2)


def _internal_cohort(demo_copy):
    path = demo_copy / "cohorts" / "demo.yml"
    text = path.read_text()
    assert "    style: hesa\n" in text
    path.write_text(text.replace("    style: hesa\n", "    style: hesa\n    audience: internal\n", 1))
    return load_cohort(path)


def test_an_internal_release_is_built_only_when_asked_for_explicitly(demo_copy):
    import dataclasses

    from rmresearch.config import DisclosureRules
    from rmresearch.errors import ConfigError
    from rmresearch.report.gate import audience_refusal

    cfg = _internal_cohort(demo_copy)
    assert cfg.disclosure.audience == "internal"
    with pytest.raises(ReleaseRefused, match="cannot be released to the public: demo.yml sets options.disclosure.audience: "
                                             "internal .* --release --audience internal"):
        audience_refusal(cfg, None, True)
    with pytest.raises(ReleaseRefused, match="released to the public"):
        build_report(cfg, progress=False, release=True)  # refused before anything runs
    with pytest.raises(ConfigError, match="--audience public but demo.yml sets options.disclosure.audience: internal"):
        audience_refusal(cfg, "public", False)
    audience_refusal(cfg, "internal", True)  # asked for explicitly
    audience_refusal(cfg, None, False)  # a plain internal build: allowed, labelled
    public = dataclasses.replace(cfg, disclosure=DisclosureRules())
    with pytest.raises(ConfigError, match="--audience internal but demo.yml sets options.disclosure.audience: public"):
        audience_refusal(public, "internal", True)


def test_the_gate_refuses_tables_and_results_disclosed_for_another_audience(demo_copy, tmp_path):
    import pandas as pd

    from rmresearch import results
    from rmresearch.config import DisclosureRules
    from rmresearch.disclosure import clear_disclosure_log, disclose
    from rmresearch.report.gate import audience_problems

    public = load_cohort(demo_copy / "cohorts" / "demo.yml")
    clear_disclosure_log()
    disclose(pd.DataFrame({"n": [12, 3]}), counts=["n"], rules=DisclosureRules(audience="internal"), name="staff by grade")
    rec = results.Recorder(rules=DisclosureRules(audience="internal"), path=tmp_path / "04_x.results.json")
    rec.record("staff", 12, label="Staff")
    assert audience_problems(public, tmp_path) == [
        "04_x: table(s) staff by grade disclosed for another audience than this public report; disclose with the "
        "cohort's rules (rules=cfg.disclosure)",
        "04_x: result(s) staff disclosed for another audience than this public report; disclose with the cohort's "
        "rules (rules=cfg.disclosure)"]
    assert audience_problems(_internal_cohort(demo_copy), tmp_path) == []
    # a qualitative table in public needs the size of each group it shows
    clear_disclosure_log()
    themes = pd.DataFrame({"theme": ["Trust", "Participants interviewed"], "partner": [4, 6]})
    disclose(themes, counts=["partner"], basis="qualitative", name="themes by role")
    disclose(themes, counts=["partner"], basis="qualitative", bases="Participants interviewed", name="themes (based)")
    results.Recorder(rules=DisclosureRules(), path=tmp_path / "04_x.results.json").record("pairs", 12, label="Pairs")
    assert audience_problems(public, tmp_path) == [
        "04_x: qualitative table(s) themes by role disclosed without the size of each group, so a public report cannot "
        "show that every group shown is large enough; give bases= (e.g. bases='Participants interviewed')"]
    clear_disclosure_log()


@pytest.mark.slow
def test_an_internal_report_says_so_on_every_page_and_in_run_json(demo_copy, tmp_path):
    cfg = _internal_cohort(demo_copy)
    build_report(cfg, notebooks_dir=_project_notebooks(tmp_path), progress=False, release=True, audience="internal")
    out = demo_copy / "reports" / "demo"
    banner = "<strong>Internal report:</strong> exact small counts; not for publication."
    for page in ("report.html", "index.html", "00_fine.html"):
        assert banner in (out / page).read_text(), page
    assert json.loads((out / "run.json").read_text())["audience"] == "internal"
    release = json.loads((out / "release.json").read_text())
    assert release["releasable"] is True and release["audience"] == "internal"
    report = (out / "report.html").read_text()
    assert "Releasable to an internal audience only." in report
    assert "This is an internal report for readers under confidentiality" in report
    # the table of 12 and 3 people: exact, the 3 suppressed (public: 10 and 5)
    cell = json.loads((out / "00_fine.ipynb").read_text())["cells"][-1]["outputs"][0]["data"]["text/html"]
    assert ">12<" in "".join(cell) and ">..<" in "".join(cell)
    (demo_copy / "cohorts" / "demo.yml").write_text((demo_copy / "cohorts" / "demo.yml").read_text().replace(
        "    audience: internal\n", ""))
    public = load_cohort(demo_copy / "cohorts" / "demo.yml")
    build_report(public, notebooks_dir=_project_notebooks(tmp_path / "public"), progress=False)
    assert banner not in (out / "index.html").read_text()
    assert json.loads((out / "run.json").read_text())["audience"] == "public"
