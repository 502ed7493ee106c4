"""The project's own files agree with each other: pyproject, environment.yml, Makefile, CI."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject():
    return tomllib.loads((PROJECT / "pyproject.toml").read_text())


def test_environment_yml_names_the_same_packages_as_pyproject():
    project = _pyproject()["project"]
    wanted = {_name(r) for r in project["dependencies"]} | {_name(r) for r in project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((PROJECT / "environment.yml").read_text())
    pip_section = next((d["pip"] for d in env["dependencies"] if isinstance(d, dict)), [])
    listed = [d for d in env["dependencies"] if isinstance(d, str)] + [d for d in pip_section if not d.startswith("-e")]
    conda = {_name(d) for d in listed} - {"python", "pip"}
    assert conda == wanted, f"only in environment.yml: {conda - wanted}; only in pyproject: {wanted - conda}"
    assert "python=3.11" in env["dependencies"]


def test_environment_yml_uses_the_same_lower_bounds():
    project = _pyproject()["project"]
    pins = {_name(r): r.replace(" ", "") for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((PROJECT / "environment.yml").read_text())
    pip_section = next((d["pip"] for d in env["dependencies"] if isinstance(d, dict)), [])
    for dep in [d for d in env["dependencies"] if isinstance(d, str)] + pip_section:
        dep = dep.split("#")[0].strip()
        if _name(dep) in pins:
            assert dep.replace(" ", "") == pins[_name(dep)], f"{dep} vs {pins[_name(dep)]}"


def test_ci_runs_make_test():
    run = (PROJECT / ".ci" / "run").read_text()
    assert re.search(r"^make test\s*$", run, flags=re.M)


def test_readme_opens_with_the_two_commands():
    readme = (PROJECT / "README.md").read_text().splitlines()
    first_screen = "\n".join(readme[:25])
    assert "make demo" in first_screen and "make test" in first_screen


def test_committed_notebooks_have_no_outputs_and_one_parameters_cell():
    notebooks = sorted((PROJECT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), f"{path.name} has outputs"
        tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"
        assert "cohort_config" in "".join(tagged[0]["source"])


@pytest.mark.parametrize("cohort, template", [("demo", "demo_cohort.yml"), ("pilot", "demo_pilot_cohort.yml"),
                                              ("stemm", "demo_stemm_cohort.yml"), ("community", "demo_community_cohort.yml")])
def test_demo_cohort_configs_match_the_generator_templates(cohort, template):
    """The committed cohort files (one per scheme shape: examples to copy) are what `rmresearch demo` writes."""
    bundled = (PROJECT / "src" / "rmresearch" / "data" / template).read_text()
    assert (PROJECT / "cohorts" / f"{cohort}.yml").read_text() == bundled


def test_console_script_is_the_cli_package_main():
    import importlib

    target = _pyproject()["project"]["scripts"]["rmresearch"]
    module, _, function = target.partition(":")
    assert target == "rmresearch.cli:main"
    assert callable(getattr(importlib.import_module(module), function))


def test_make_test_unit_leaves_out_the_slow_tests_and_make_test_runs_everything():
    makefile = (PROJECT / "Makefile").read_text()
    unit = re.search(r"^test-unit:.*\n((?:\t.*\n)+)", makefile, flags=re.M).group(1)
    full = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, flags=re.M).group(1)
    assert '-m "not slow"' in unit
    assert "-m" not in full.replace("-m pytest", "")
    markers = _pyproject()["tool"]["pytest"]["ini_options"]["markers"]
    assert any(m.startswith("slow:") for m in markers)
