"""Synthetic coders against the demo's known themes; analysis tables; the CLI on the demo cohort."""

from __future__ import annotations

import argparse
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from rmresearch.coding import (
    code_cooccurrence,
    code_frequencies,
    coding_comparison,
    exemplar_quotes,
    framework_matrix,
    import_qdpx,
    load_coding_data,
    plot_cooccurrence,
    simulate_codings,
)
from rmresearch.cli.code import add_commands
from rmresearch.coding.demo import CONFUSABLE


def _ground_truth(path, n_docs=4, n_turns=30, seed=1):
    rng = np.random.default_rng(seed)
    themes = list(CONFUSABLE)
    with path.open("w", encoding="utf-8") as fh:
        for d in range(n_docs):
            turns = []
            for t in range(n_turns):
                me = t % 2 == 1
                chosen = sorted(set(rng.choice(themes, size=int(rng.integers(1, 3))))) if me else []
                turns.append({"speaker": "P01" if me else "Interviewer", "speaker_id": "P01" if me else "X00",
                              "text": "...", "themes": chosen})
            fh.write(json.dumps({"file": f"interview_{d + 1:02d}.vtt", "participant_id": "P01", "turns": turns}) + "\n")
    return path


def test_simulated_coders_follow_the_truth_with_realistic_disagreement(tmp_path):
    truth = _ground_truth(tmp_path / "identifiers.jsonl")
    out = tmp_path / "codings.csv"
    codings = simulate_codings(truth, seed=3, out=out)
    assert out.is_file() and pd.read_csv(out).shape[0] == len(codings)
    assert list(codings.columns) == ["segment_id", "code", "coder", "memo"]
    assert set(codings["coder"]) == {"coder_a", "coder_b"}
    assert codings["segment_id"].str.match(r"^interview_0[1-4]#t\d{3}$").all()
    turn = codings["segment_id"].str.extract(r"#t(\d+)")[0].astype(int)
    assert (turn % 2 == 0).all()  # only the respondent's turns (2nd, 4th...) are coded
    pd.testing.assert_frame_equal(codings, simulate_codings(truth, seed=3))  # deterministic
    assert not codings.equals(simulate_codings(truth, seed=4))
    # against the injected truth, coder A finds more true themes than coder B
    gt = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines()]
    true = {(f"interview_{d + 1:02d}#t{t + 1:03d}", th) for d, rec in enumerate(gt)
            for t, turn in enumerate(rec["turns"]) for th in turn["themes"]}
    recall = {c: len(true & set(zip(g["segment_id"], g["code"]))) / len(true) for c, g in codings.groupby("coder")}
    assert 0.8 < recall["coder_b"] < recall["coder_a"] < 0.97


@pytest.fixture(scope="module")
def demo(demo_project, tmp_path_factory):
    from rmresearch.anonymise import anonymise_cohort
    from rmresearch.config import load_cohort

    root = tmp_path_factory.mktemp("coding_demo") / "project"
    shutil.copytree(demo_project, root)
    config = load_cohort(root / "cohorts" / "demo.yml")
    anonymise_cohort(config, progress=False)
    simulate_codings(root / "data" / "demo" / "ground_truth" / "identifiers.jsonl", seed=7,
                     out=root / "data" / "demo" / "codings.csv")
    return root, config, load_coding_data(config)


def test_demo_agreement_is_in_the_realistic_range(demo):
    root, config, data = demo
    assert data.coders == ["coder_a", "coder_b"]
    table = coding_comparison(data.codings, data.segments)
    pooled = table.loc[table["document"] == "(all sources)"]
    assert len(pooled) == 11
    assert pooled["kappa"].between(0.45, 0.97).all(), pooled[["code", "kappa"]]
    assert 0.6 <= pooled["kappa"].mean() <= 0.85
    # every coded segment is a participant's turn
    coded = data.segments.set_index("segment_id").loc[data.codings["segment_id"]]
    assert coded["participant_id"].notna().all()


def test_demo_theme_tables(demo):
    root, config, data = demo
    cb = data.codebook
    freq = code_frequencies(data.codings, data.segments, data.participants, by="role", codebook=cb)
    assert set(freq["role"]) <= {"senior_leader", "staff_partner", "student_partner", "community_partner"}
    assert (freq["participants"] <= freq["interviewed"]).all() and (freq["segments"] >= freq["participants"]).all()
    co = code_cooccurrence(data.codings, data.segments, codebook=cb)
    assert list(co.index) == cb.codable_names and (co.to_numpy() == co.to_numpy().T).all()
    per_code = freq.groupby("code")["segments"].sum()
    assert (np.diag(co) == per_code.reindex(co.index).to_numpy()).all()
    fig = plot_cooccurrence(co, rules=config.disclosure, codebook=cb)
    ax = fig.axes[0]
    assert "occur together most often" in ax.get_title(loc="left").replace("\n", " ")
    texts = [t.get_text() for t in ax.texts]
    assert all(int(t) % 5 == 0 for t in texts)  # only rounded counts are drawn

    matrix = framework_matrix(data.codings, data.segments, data.participants, codebook=cb)
    speakers = set(data.segments["participant_id"].dropna())
    assert set(matrix["participant_id"]) == speakers
    assert list(matrix.columns[:3]) == ["participant_id", "role", "ethnicity_group"]
    filled = matrix.iloc[:, 3:].to_numpy().ravel()
    assert any("#t" in cell for cell in filled)  # cells carry quote references

    quotes = exemplar_quotes(data.codings, data.segments, data.participants, codebook=cb)
    assert set(quotes.columns) == {"code", "title", "quote", "participant_id", "role", "segment_id", "n_coders"}
    assert quotes.groupby("code")["participant_id"].apply(lambda s: s.is_unique).all()
    # quotes come from anonymised text only: no participant's name appears in them
    from rmresearch.inputs import load_table

    names = load_table(config, "participants")["name"]
    surnames = {n.split()[-1] for n in names}
    assert not any(s in q for q in quotes["quote"] for s in surnames)


def _run(argv):
    parser = argparse.ArgumentParser(prog="rmresearch")
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.mark.slow
def test_cli_commands_on_the_demo(demo, tmp_path, capsys):
    root, config, data = demo
    cohort = str(root / "cohorts" / "demo.yml")
    assert _run(["code", "suggest", "--cohort", cohort, "--out", str(tmp_path / "s.csv")]) == 0
    out = capsys.readouterr().out
    assert "not findings" in out and "precision" in out
    assert _run(["code", "agreement", str(root / "data" / "demo" / "codings.csv"), "--cohort", cohort,
                 "--out", str(tmp_path / "cmp.csv")]) == 0
    assert "Krippendorff" in capsys.readouterr().out
    qdpx = tmp_path / "demo.qdpx"
    assert _run(["code", "export-qdpx", "--cohort", cohort, "--out", str(qdpx)]) == 0
    assert _run(["code", "import-qdpx", str(qdpx), "--out", str(tmp_path / "back.csv"), "--validate"]) == 0
    back = pd.read_csv(tmp_path / "back.csv")
    assert len(back) == len(data.codings)
    # segment IDs are recovered from the offsets
    assert set(back["segment_id"]) == set(data.codings["segment_id"])
    cases = import_qdpx(qdpx).cases
    # issue 16: a case variable goes out only if each of its values describes at least the cohort's smallest cell
    from rmresearch.coding.refi_cases import cohort_min_cases

    need = cohort_min_cases(config, data.characteristics)
    exported = [c for c in cases.columns if c in need]
    assert len(cases) == 15 and "role" not in exported and "ethnicity_group" in exported
    assert all(cases[v].value_counts().min() >= need[v] for v in exported)
    assert set(cases["ethnicity_group"].dropna()) <= {"BAME", "White", "Unknown"}
    assert _run(["code", "export-qdc", "--out", str(tmp_path / "cb.qdc")]) == 0
