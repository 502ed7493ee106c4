"""The entry point: :func:`generate_demo` writes every table, transcript and the ground truth."""

from __future__ import annotations

import json
import sys
import time
from importlib import resources
from pathlib import Path

import pandas as pd

from ..codes import load_ethnicity_map
from ..errors import AnalysisError
from ..fileio import atomic_write_bytes
from .common import COHORT, COHORT_END, COHORT_START, N_PAIRS, PLANNED_MEETINGS
from .institution import STAFF_YEARS
from .interviews import _interviews
from .people import Person, _make_roster
from .programme import _link_records, _programme, _sessions
from .staff import _recruitment, _staff
from .students import _students
from .surveys import _surveys
from .texts import THEMES

#: The identifier labels of ``identifiers.jsonl``.
LABELS = ["PERSON", "EMAIL", "PHONE", "URL", "POSTCODE", "STAFF_ID", "STUDENT_ID", "HANDLE", "LOCATION"]


def _config_bytes() -> bytes:
    return resources.files("rmresearch").joinpath("data/demo_cohort.yml").read_bytes()


class _Writer:
    """Writes files below the output folder (atomically), remembering each one, and notes progress."""

    def __init__(self, out: Path, progress: bool):
        self.out, self.progress = out, progress
        self.began = time.perf_counter()
        self.written: list[Path] = []

    def note(self, message: str) -> None:
        if self.progress:
            print(f"[{time.perf_counter() - self.began:5.1f}s] {message}", file=sys.stderr, flush=True)

    def bytes(self, rel: str | Path, data: bytes) -> None:
        path = self.out / rel
        atomic_write_bytes(path, data)
        self.written.append(path)

    def table(self, rel: str, frame: pd.DataFrame) -> None:
        self.bytes(rel, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def _check_output(out: Path, inputs: dict, config_bytes: bytes, config_rel: str = "cohorts/demo.yml") -> None:
    """Never over a real project's files: only new paths, or those of a previous demo (its effects.json says so)."""
    from ..guard import check_demo_output

    truth_rel = Path(inputs["participants"]).parent / "ground_truth"
    targets = [config_rel, *(v for k, v in inputs.items() if k not in ("surveys", "interviews")),
               *inputs["surveys"].values()]
    check_demo_output(out, targets, folders=[truth_rel, inputs["interviews"]], previous_marker=truth_rel / "effects.json",
                      unchanged={config_rel: config_bytes})


def _check_size(what: str, n_students: int, n_staff: int, minimum: int) -> None:
    if n_students < minimum or n_staff < minimum:
        raise AnalysisError(f"{what} size: {n_students} students and {n_staff} staff asked for; each must be at least "
                            f"{minimum} (--students, --staff)")


def _start(out_dir: str | Path, config_bytes: bytes, config_rel: str, progress: bool) -> tuple[Path, dict, _Writer]:
    """Check the output folder (the write guard) and write the cohort file: the folder, the inputs, the writer."""
    import yaml

    out = Path(out_dir)
    inputs = yaml.safe_load(config_bytes.decode("utf-8"))["inputs"]
    _check_output(out, inputs, config_bytes, config_rel)
    w = _Writer(out, progress)
    w.bytes(config_rel, config_bytes)
    return out, inputs, w


def _finish(w: _Writer, inputs: dict, truth_dir: Path, effects: dict, seed: int) -> None:
    """``effects.json``, and two synthetic coders' codings of the interview turns (so the agreement section runs)."""
    from ..coding.demo import simulate_codings

    w.bytes(truth_dir / "effects.json", (json.dumps(effects, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    simulate_codings(w.out / truth_dir / "identifiers.jsonl", seed=seed, out=w.out / inputs["codings"])
    w.written.append(w.out / inputs["codings"])
    w.note(f"done: {len(w.written)} files in {w.out.resolve()}")


def _write_tables(w: _Writer, inputs: dict, seed: int, n_students: int, n_staff: int) -> tuple[dict, dict, tuple]:
    """Programme records, surveys, students, staff and recruitment.

    Returns the tables written, each part's truth and the invented people (roster, others, places).
    """
    emap = load_ethnicity_map()
    w.note("participants, pairs, meetings")
    roster, people, places = _make_roster(seed)
    tables, programme_truth = _programme(roster, seed)
    for name in ("pairs", "meetings"):
        w.table(inputs[name], tables[name])
    sessions, programme_truth["sessions"] = _sessions(tables["participants"], tables["pairs"], seed)
    w.table(inputs["sessions"], sessions)

    w.note("surveys")
    tables["pre"], tables["post"], survey_truth = _surveys(tables["participants"], tables["pairs"], seed)
    w.table(inputs["surveys"]["pre"], tables["pre"])
    w.table(inputs["surveys"]["post"], tables["post"])

    w.note(f"students ({n_students})")
    tables["students"], student_truth = _students(n_students, seed, emap)
    w.table(inputs["students"], tables["students"])

    w.note(f"staff ({n_staff} a year, {len(STAFF_YEARS)} snapshots)")
    tables["staff"], staff_truth = _staff(n_staff, seed)
    w.table(inputs["staff"], tables["staff"])

    # participants are written once their student/staff records exist: each links to their record
    tables["participants"], programme_truth["records_linkage"] = _link_records(
        tables["participants"], tables["students"], tables["staff"], seed)
    w.table(inputs["participants"], tables["participants"])

    w.note("recruitment")
    tables["recruitment"], recruitment_truth = _recruitment(n_staff, seed)
    w.table(inputs["recruitment"], tables["recruitment"])
    truth = {"programme": programme_truth, "students": student_truth, "staff": staff_truth,
             "recruitment": recruitment_truth, "surveys": survey_truth}
    return tables, truth, (roster, people, places)


def _write_interviews(w: _Writer, inputs: dict, records: list[dict], truth_dir: Path) -> list[dict]:
    """The transcripts and ``identifiers.jsonl`` (one line per transcript: text, spans and turns)."""
    raw = Path(inputs["interviews"])
    lines = []
    for rec in records:
        w.bytes(raw / rec["file"], rec["content"])
        lines.append(json.dumps({
            "file": rec["file"], "format": rec["format"], "participant_id": rec["participant_id"],
            "auto_caption": rec["auto_caption"], "text": rec["text"],
            "label": [[s["start"], s["end"], s["label"]] for s in rec["spans"]],
            "spans": rec["spans"], "turns": rec["turns"],
        }, ensure_ascii=False))
    w.bytes(truth_dir / "identifiers.jsonl", ("\n".join(lines) + "\n").encode("utf-8"))
    return records


def _interview_truth(records: list[dict], people: list[Person], places: dict, consent_no: list) -> dict:
    mentioned = sorted({s["person"] for r in records for s in r["spans"] if s["person"] and s["person"].startswith("X")})
    return {
        "files": [{"file": r["file"], "format": r["format"], "participant_id": r["participant_id"],
                   "auto_caption": r["auto_caption"]} for r in records],
        "not_interviewed_no_consent": consent_no,
        "themes": list(THEMES),
        "labels": list(LABELS),
        "non_roster_people": {p.pid: {"name": p.full, "origin": p.origin, "evaluator": i < 2}
                              for i, p in enumerate(people) if p.pid in mentioned},
        "places": places,
        "conventions": "offsets 0-based, end-exclusive, into '\\n'.join(f'{speaker}: {text}'); titles and possessive 's are outside PERSON spans; buildings/streets named after people are LOCATION",
    }


def generate_demo(out_dir: str | Path = ".", *, seed: int = 2024, n_students: int = 20000, n_staff: int = 3000,
                  progress: bool = False) -> dict:
    """Write the synthetic demo cohort and its ground truth under ``out_dir``.

    Writes ``cohorts/demo.yml`` (a copy of the packaged configuration) and every
    input it names: programme records, students, staff snapshots, recruitment,
    pre/post surveys and about 15 interview transcripts (.txt, Teams .docx and
    Teams .vtt), plus ``data/demo/ground_truth/effects.json`` and
    ``identifiers.jsonl``. The same ``seed`` gives byte-identical files.

    Returns a summary: the output folder, the files written (relative paths),
    row counts and the injected effects (the content of ``effects.json``).

    >>> generate_demo("unused", n_students=50)
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: demo size: 50 students and 3000 staff asked for; each must be at least 100 (--students, --staff)
    """
    _check_size("demo", n_students, n_staff, 100)
    out, inputs, w = _start(out_dir, _config_bytes(), "cohorts/demo.yml", progress)
    tables, truth, (roster, people, places) = _write_tables(w, inputs, seed, n_students, n_staff)
    truth_dir = Path(inputs["participants"]).parent / "ground_truth"
    w.note("interview transcripts")
    records = _write_interviews(w, inputs, _interviews(roster, people, places, seed), truth_dir)
    effects = {
        "generator": {"module": "rmresearch.synthetic", "seed": seed, "n_students": n_students, "n_staff": n_staff},
        "cohort": {"id": COHORT, "start_date": COHORT_START.isoformat(), "end_date": COHORT_END.isoformat(),
                   "pairs": N_PAIRS, "planned_meetings": PLANNED_MEETINGS},
        **truth,
        "interviews": _interview_truth(records, people, places, truth["programme"]["consent_interview_no"]),
    }
    _finish(w, inputs, truth_dir, effects, seed)
    counts = {"participants": "participants", "pairs": "pairs", "meetings": "meetings", "students": "students",
              "staff_rows": "staff", "recruitment_rows": "recruitment", "survey_pre": "pre", "survey_post": "post"}
    return {
        "out_dir": str(out.resolve()),
        "config": str((out / "cohorts/demo.yml").resolve()),
        "files": sorted(str(p.relative_to(out)) for p in w.written),
        "counts": {key: len(tables[name]) for key, name in counts.items()} | {"transcripts": len(records)},
        "effects": effects,
        "seconds": round(time.perf_counter() - w.began, 2),
    }
