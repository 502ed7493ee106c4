"""`rmresearch anonymise detect` starts without loading the statistics stack (issue 15: >= 50,000 words/s end to
end, start-up included). Not timed: the tests check which modules a real run imports, which is what costs seconds."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _modules_after_detect(tmp_path: Path, project: Path | None = None, env_extra: dict | None = None) -> set[str]:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "Interviewer: Hi.\nKwame Mensah: Ring me on 07700 900123."}) + "\n")
    out = tmp_path / "out.jsonl"
    code = textwrap.dedent(f"""
        import json, sys
        from rmresearch.cli import main
        status = main(["anonymise", "detect", {str(src)!r}, "--out", {str(out)!r}])
        print(json.dumps({{"status": status, "modules": sorted(sys.modules)}}))
    """)
    import os

    env = dict(os.environ, NLTK_DATA=str(tmp_path / "no_nltk_data"), **(env_extra or {}))
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project or tmp_path, env=env,
                         check=True)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["status"] == 0
    labels = json.loads(out.read_text().splitlines()[0])["label"]
    assert [lbl for *_, lbl in labels] == ["PERSON", "PHONE"]
    return set(result["modules"])


def test_detect_imports_neither_scipy_nor_nltk_in_a_project_with_cohort_files(tmp_path):
    # In a project folder, the output guard reads every cohort file (options.attainment, survey instruments...):
    # that must not import the analyses.
    project = tmp_path / "proj"
    (project / "cohorts").mkdir(parents=True)
    for name in ("demo", "stemm"):
        (project / "cohorts" / f"{name}.yml").write_text((ROOT / "cohorts" / f"{name}.yml").read_text())
    modules = _modules_after_detect(tmp_path, project)
    assert not any(m == "scipy.stats" or m.startswith("scipy.stats.") for m in modules)
    assert "nltk" not in modules
    assert "statsmodels" not in modules
    assert "rmresearch.attainment.adjusted" not in modules and "rmresearch.surveys" not in modules


def test_nltk_available_looks_for_the_data_before_importing_nltk(tmp_path, monkeypatch):
    from rmresearch.anonymise import detectors

    monkeypatch.setenv("NLTK_DATA", str(tmp_path))
    monkeypatch.setattr(detectors.Path, "home", classmethod(lambda cls: tmp_path / "home"))
    detectors.nltk_available.cache_clear()
    try:
        assert tmp_path in detectors._nltk_data_dirs()
        # Only two of the three resources: not available, whatever nltk would say.
        for resource in detectors._NLTK_RESOURCES[:2]:
            (tmp_path / resource).mkdir(parents=True)
        assert detectors.nltk_available() is False
    finally:
        detectors.nltk_available.cache_clear()


def test_the_attainment_package_still_gives_every_name(tmp_path):
    import rmresearch.attainment as attainment

    assert callable(attainment.options) and callable(attainment.by_characteristic)
    assert attainment.awarding_gap.__module__ == "rmresearch.attainment.gaps"
    assert set(attainment.__all__) <= set(dir(attainment))
