"""The command line: helpful --help, short messages for expected mistakes, no tracebacks."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rmresearch.cli import build_parser, main

PROJECT = Path(__file__).resolve().parents[1]


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_top_level_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for name in subcommands():
        assert name in out


@pytest.mark.parametrize("command", subcommands())
def test_each_subcommand_explains_itself(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert f"rmresearch {command}" in out and len(out.splitlines()) >= 5


def run_cli(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "RMRESEARCH_DEBUG"}
    return subprocess.run([sys.executable, "-m", "rmresearch.cli", *args], cwd=cwd, capture_output=True, text=True, env=env)


def test_unknown_cohort_is_a_short_message_without_traceback(tmp_path):
    done = run_cli("report", "--cohort", "no-such-cohort", cwd=tmp_path)
    assert done.returncode == 2
    assert "No cohort 'no-such-cohort'" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert len(done.stderr.splitlines()) <= 3


def test_config_naming_a_missing_file(demo_copy):
    (demo_copy / "data" / "demo" / "pairs.csv").unlink()
    done = run_cli("report", "--cohort", "demo", cwd=demo_copy)
    assert done.returncode == 2
    assert "inputs.pairs" in done.stderr and "pairs.csv" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow  # runs validate and report in subprocesses (~25 s)
def test_participants_file_with_a_missing_column(demo_copy):
    path = demo_copy / "data" / "demo" / "participants.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    role = header.index("role")
    path.write_text("\n".join(",".join(c for i, c in enumerate(l.split(",")) if i != role) for l in lines) + "\n", encoding="utf-8")
    for command in ("validate", "report"):
        done = run_cli(command, "--cohort", "demo", cwd=demo_copy)
        assert done.returncode == 2, done.stderr
        text = done.stderr + done.stdout
        assert "participants.csv" in text and "missing column(s): role" in text
        assert "Traceback" not in text


def test_validate_passes_on_the_demo(demo_project, capsys):
    cwd = os.getcwd()
    os.chdir(demo_project)
    try:
        assert main(["validate", "--cohort", "demo"]) == 0
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert "Cohort 'demo' is valid" in out and "students" in out


def test_schema_command_prints_columns(capsys):
    assert main(["schema", "pairs"]) == 0
    out = capsys.readouterr().out
    assert "senior_id" in out and "allowed: active, completed, withdrawn" in out


def _all_parsers(parser, prefix=()):
    yield prefix, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _all_parsers(sub, prefix + (name,))


def test_every_help_at_every_depth_renders_cleanly():
    for path, parser in _all_parsers(build_parser()):
        text = parser.format_help()
        assert "option_strings" not in text and "%(" not in text, f"rmresearch {' '.join(path)} --help is garbled"
        assert text.count("usage:") == 1


def test_every_command_is_defined_in_the_cli_package():
    # one command-line package: no other module declares a command or builds a parser
    src = PROJECT / "src" / "rmresearch"
    outside = [p.relative_to(src).as_posix() for p in src.rglob("*.py")
               if "cli" not in p.relative_to(src).parts
               and any(s in p.read_text(encoding="utf-8") for s in ("add_parser(", "add_subparsers(", "ArgumentParser("))]
    assert outside == []
    from rmresearch.cli import COMMAND_MODULES

    assert subcommands() == sorted(["demo", "validate", "report", "schema", "anonymise", "audit", "setup-nltk", "code",
                                    "survey"])
    assert len(COMMAND_MODULES) == 6


@pytest.mark.parametrize("table", ["actions", "codings"])
def test_schema_lists_every_configured_input(table, capsys):
    assert main(["schema", table]) == 0
    assert capsys.readouterr().out.startswith(f"{table}: ")


def test_cohorts_dir_is_accepted_by_every_command_that_takes_a_cohort():
    for path, parser in _all_parsers(build_parser()):
        options = {o for a in parser._actions for o in a.option_strings}
        if "--cohort" in options:
            assert "--cohorts-dir" in options, f"rmresearch {' '.join(path)} has --cohort but no --cohorts-dir"
