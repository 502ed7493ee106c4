"""A pilot-shaped demo cohort: :func:`generate_pilot` writes ``cohorts/pilot.yml`` and its inputs.

The full demo (:func:`~rmresearch.synthetic.generate_demo`) is a large, tidy cohort; a real first cohort is
small and its files come straight from the institution's systems. The pilot has 12 pairs (24 participants,
6 staff and 6 student partners), one pair withdrawn, one participant without interview consent, four
interviews (one a lower-case auto-caption WebVTT file without speaker labels, which the interview manifest
``data/pilot/interview_manifest.csv`` attributes to its interviewee; one, ``interview_04.txt``, of the participant
without interview consent, interviewed before they said no, so three are usable), mentored students not yet
graduated, mentored staff with one year of follow-up (mentored from 2023, last snapshot 2024), and exports
as they arrive: title rows above the header, a totals row below the records, ethnicity and degree labels
instead of codes, headings (``Staff ID``) for column names, Yes/No, ``Completed`` and UK dates (dd/mm/yyyy).
Its actions log (``data/pilot/actions.csv``) holds five institutional changes raised by four pairs, one of each
status and two implemented, with owners (roles and units), evidence and UK dates.
"""

from __future__ import annotations

import json
import time
from importlib import resources
from pathlib import Path

import pandas as pd

from ..codes import load_ethnicity_map
from ..errors import AnalysisError
from ..fileio import write_csv
from ..transcripts import read_transcript
from .cohort import _check_size, _interview_truth, _start, _write_interviews, _Writer
from .common import COHORT_END, COHORT_START, PLANNED_MEETINGS, actions_log, _rng
from .interviews import _interview_turns
from .people import Person, _make_roster
from .programme import _link_records, _programme, _sessions
from .staff import _recruitment, _staff
from .students import _students
from .surveys import _surveys
from .writers import _render_interview

PILOT = "pilot"
PILOT_PAIRS = 12
#: Partner roles of pairs 1..12 (staff and student partners in turn).
PILOT_PARTNER_ROLES = ["staff_partner", "student_partner"] * (PILOT_PAIRS // 2)
#: Staff snapshots and the one earlier mentoring cohort (2023): one year of follow-up in the 2024 snapshot.
PILOT_STAFF_YEARS = tuple(range(2019, 2025))
PILOT_MENTORING_COHORTS = (2023,)
#: Student partners whose (mentored) student record says they are still studying.
PILOT_NOT_GRADUATED = 3
#: Degree classes as a student records system labels them.
DEGREE_LABELS = {"First": "First Class Honours", "2:1": "Upper Second Class Honours",
                 "2:2": "Lower Second Class Honours", "Third": "Third Class Honours"}
#: The interviews: (role interviewed or None for any, format, auto-caption without speaker labels, whether the
#: interviewee consented to interview use). The fourth is the participant without interview consent, interviewed
#: before they said no: their transcript is in the raw folder and the manifest, but none of their words may be used.
PILOT_INTERVIEWS = (("senior_leader", "docx", False, True), ("staff_partner", "txt", False, True),
                    ("student_partner", "vtt", True, True), (None, "txt", False, False))
#: When each interview took place (the manifest's dates, UK style as a spreadsheet exports them).
PILOT_INTERVIEW_DATES = ("10/03/2025", "12/03/2025", "17/03/2025", "19/03/2025")
#: The actions log: (which completed pair raised it, by its place among them; action; area; owner, a role or
#: unit; status as a spreadsheet labels it; evidence; date recorded, UK style). Institutional changes, not people.
PILOT_ACTIONS = (
    (0, "Race equality item added to the shortlisting guidance", "recruitment", "Director of HR", "Implemented",
     "Revised recruitment guidance, version 3", "14/02/2025"),
    (1, "Outreach to Black sixth-formers in the teacher training programme", "outreach", "School of Education",
     "Implemented", "Outreach plan approved at the Education Committee", "06/03/2025"),
    (0, "Reverse shadowing days for the executive team", "leadership", "Vice-Chancellor's Office", "In progress",
     "", "20/03/2025"),
    (2, "Reading list review for decolonising the curriculum", "curriculum", "Faculty of Arts and Humanities",
     "Proposed", "", "25/03/2025"),
    (3, "Separate mentoring scheme for Black PhD students", "student support", "Doctoral College", "Not pursued",
     "Doctoral College board minutes, March 2025", "28/03/2025"),
)


def _pilot_config_bytes() -> bytes:
    return resources.files("rmresearch").joinpath("data/demo_pilot_cohort.yml").read_bytes()


def _uk_dates(values: pd.Series) -> pd.Series:
    """ISO dates (text) as dd/mm/yyyy; empty cells stay empty."""
    dates = pd.to_datetime(values.replace("", None), format="%Y-%m-%d")
    return dates.dt.strftime("%d/%m/%Y").fillna("")


def _yes_no(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """yes/no columns as Yes/No (an empty cell stays empty)."""
    return frame.assign(**{c: frame[c].map({"yes": "Yes", "no": "No"}).fillna("") for c in columns})


def _header_label(column: str) -> str:
    """A column name as a reporting system heads it: ``staff_id`` -> ``Staff ID`` (read back as ``staff_id``)."""
    words = column.split("_")
    return " ".join(w.upper() if w in ("id", "imd") else (w.capitalize() if i == 0 else w) for i, w in enumerate(words))


def _export(frame: pd.DataFrame, titles: list[str], total_label: str = "Total") -> bytes:
    """A CSV export as a reporting system writes it: title rows, a blank row, the table under headings, a totals row."""
    body = frame.rename(columns=_header_label).to_csv(index=False, lineterminator="\n")
    totals = [total_label, str(len(frame))] + [""] * (frame.shape[1] - 2)
    lines = [*titles, "", body.rstrip("\n"), ",".join(totals)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _student_export(students: pd.DataFrame, emap) -> pd.DataFrame:
    """Labels for codes (ethnicity, degree class), Yes/No; no derived ethnicity group column."""
    out = students.drop(columns=["ethnicity_group"])
    labels = dict(zip(emap.table["code"].astype(str), emap.table["label"]))
    out["ethnicity_code"] = out["ethnicity_code"].map(labels)
    out["degree_class"] = out["degree_class"].map(lambda d: DEGREE_LABELS.get(d, d))
    return _yes_no(out, ["disability", "continued", "completed", "mentored"])


def _staff_export(staff: pd.DataFrame, emap) -> pd.DataFrame:
    labels = dict(zip(emap.table["code"].astype(str), emap.table["label"]))
    out = staff.assign(ethnicity_code=staff["ethnicity_code"].map(labels))
    return _yes_no(out, ["left", "mentored"])


def _not_yet_graduated(students: pd.DataFrame, participants: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The first student partners' records: entered 2023, still studying (no qualification, completion unknown)."""
    linked = participants.loc[participants["role"] == "student_partner", "student_id"]
    ids = [s for s in linked if s][:PILOT_NOT_GRADUATED]
    out = students.copy()
    rows = out["student_id"].isin(ids)
    out.loc[rows, "entry_year"] = 2023
    out.loc[rows, "qualification_year"] = pd.NA
    out.loc[rows, ["degree_class", "completed"]] = ""
    out.loc[rows, "continued"] = "yes"
    return out, sorted(ids)


def _pilot_interviews(roster: list[Person], people: list[Person], places: dict, seed: int) -> list[dict]:
    """Four transcripts: a leader (docx), a staff partner (txt), a student partner (auto-caption vtt, no speakers),
    and, last (so the first three are as they were), the participant without interview consent (txt)."""
    rng = _rng(seed, "interviews")
    evaluators, outsiders = people[:2], people[2:]
    index = {p.pid: i for i, p in enumerate(roster)}
    records, said = [], []
    for i, (role, fmt, caption, consented) in enumerate(PILOT_INTERVIEWS):
        me = next(p for p in roster if role in (None, p.role) and p.consent_interview == consented)
        k = index[me.pid]
        other = roster[k + PILOT_PAIRS] if k < PILOT_PAIRS else roster[k - PILOT_PAIRS]
        # the interview without consent says nothing another interviewee said: a test can then look for its words
        said.append(set() if consented else set().union(*said))
        turns = _interview_turns(rng, me, other, evaluators[i % 2], outsiders, places, said=said[-1])
        rec = _render_interview(rng, turns, fmt, caption=caption, first_names=False, speakers=not caption)
        rec.update(file=f"interview_{i + 1:02d}.{fmt}", format=fmt, participant_id=me.pid, auto_caption=caption,
                   interviewer=evaluators[i % 2].full, date=PILOT_INTERVIEW_DATES[i])
        records.append(rec)
    return records



def _manifest(records: list[dict]) -> pd.DataFrame:
    """The interview manifest: each file's interviewee and interviewer (by name, as the evaluation team logs them)."""
    return pd.DataFrame({"file": [r["file"] for r in records], "participant_id": [r["participant_id"] for r in records],
                         "interviewer": [r["interviewer"] for r in records], "date": [r["date"] for r in records]})


def _caption_lines(path: Path, record: dict) -> list[int]:
    """Lines (turn numbers of the anonymised text) each ground-truth turn of an unlabelled caption file spans.

    A caption file without speakers is read one cue per line, so a coder codes the cue lines a turn was split
    into: the cues are matched to the turns they were cut from (their texts joined with spaces)."""
    cues = [t.text for t in read_transcript(path).turns]
    counts, k = [], 0
    for turn in record["turns"]:
        start, joined = k, ""
        while k < len(cues) and len(joined) < len(turn["text"]):
            joined = f"{joined} {cues[k]}" if joined else cues[k]
            k += 1
        if joined != turn["text"]:
            raise AnalysisError(f"{path}: cues {start + 1}-{k} do not make up turn {len(counts) + 1} of the ground truth")
        counts.append(k - start)
    return counts


def _pilot_codings(w: _Writer, inputs: dict, truth_dir: Path, records: list[dict], seed: int) -> None:
    """Two synthetic coders' codings; in a caption file, a coded turn is coded on each of its cue lines."""
    from ..coding.demo import simulate_codings

    frame = simulate_codings(w.out / truth_dir / "identifiers.jsonl", seed=seed)
    for rec in (r for r in records if r["auto_caption"]):
        doc = Path(rec["file"]).stem
        counts = _caption_lines(w.out / inputs["interviews"] / rec["file"], rec)
        width = max(3, len(str(sum(counts))))
        first = [1 + sum(counts[:i]) for i in range(len(counts))]
        turn_width = max(3, len(str(len(counts))))  # as simulate_codings numbers the ground truth's turns
        lines = {f"{doc}#t{n + 1:0{turn_width}d}": [f"{doc}#t{first[n] + j:0{width}d}" for j in range(c)]
                 for n, c in enumerate(counts)}
        frame = frame.assign(segment_id=frame["segment_id"].map(lambda s: lines.get(s, [s]))).explode("segment_id")
    write_csv(frame.reset_index(drop=True), w.out / inputs["codings"], lineterminator="\n")
    w.written.append(w.out / inputs["codings"])


def _pilot_tables(seed: int, n_students: int, n_staff: int) -> tuple[dict, dict, tuple]:
    """Every table of the pilot (before the export shapes), each part's truth and the invented people."""
    roster, people, places = _make_roster(seed, PILOT_PAIRS, PILOT_PARTNER_ROLES)
    tables, programme_truth = _programme(roster, seed, n_pairs=PILOT_PAIRS, n_withdrawn=1, n_partner_led=3,
                                         declined=(1, 1), cohort=PILOT)
    tables["sessions"], programme_truth["sessions"] = _sessions(tables["participants"], tables["pairs"], seed)
    tables["pre"], tables["post"], survey_truth = _surveys(tables["participants"], tables["pairs"], seed)
    students, student_truth = _students(n_students, seed, load_ethnicity_map())
    tables["staff"], staff_truth = _staff(n_staff, seed, PILOT_STAFF_YEARS, PILOT_MENTORING_COHORTS)
    tables["participants"], programme_truth["records_linkage"] = _link_records(
        tables["participants"], students, tables["staff"], seed)
    tables["students"], student_truth["not_yet_graduated_mentored"] = _not_yet_graduated(students, tables["participants"])
    tables["recruitment"], recruitment_truth = _recruitment(n_staff, seed)
    tables["actions"] = actions_log(tables["pairs"], PILOT_ACTIONS)
    truth = {"programme": programme_truth, "students": student_truth, "staff": staff_truth,
             "recruitment": recruitment_truth, "surveys": survey_truth}
    return tables, truth, (roster, people, places)


def _write_pilot_tables(w: _Writer, inputs: dict, tables: dict) -> None:
    """The programme records with UK dates and labels; HR and student exports with title and totals rows."""
    emap = load_ethnicity_map()
    labels = dict(zip(emap.table["code"].astype(str), emap.table["label"]))
    participants = _yes_no(tables["participants"], ["consent_interview", "consent_records"])
    w.table(inputs["participants"], participants.assign(ethnicity_code=participants["ethnicity_code"].map(labels)))
    pairs = tables["pairs"]
    w.table(inputs["pairs"], pairs.assign(start_date=_uk_dates(pairs["start_date"]), end_date=_uk_dates(pairs["end_date"]),
                                          status=pairs["status"].str.capitalize()))
    w.table(inputs["meetings"], _yes_no(tables["meetings"], ["attended"]).assign(date=_uk_dates(tables["meetings"]["date"])))
    w.table(inputs["sessions"], _yes_no(tables["sessions"], ["attended"]).assign(date=_uk_dates(tables["sessions"]["date"])))
    w.table(inputs["surveys"]["pre"], tables["pre"])
    w.table(inputs["surveys"]["post"], tables["post"])
    w.bytes(inputs["students"], _export(_student_export(tables["students"], emap), [
        "University of Anytown (synthetic): student records extract", "Report run 01/04/2025 09:00 by Planning"]))
    w.bytes(inputs["staff"], _export(_staff_export(tables["staff"], emap), [
        "University of Anytown (synthetic): HR staff census 2019 to 2024", "Run by HR Systems on 01/04/2025"]))
    w.table(inputs["recruitment"], tables["recruitment"])
    w.table(inputs["actions"], tables["actions"])


def _pilot_truth(tables: dict, records: list[dict]) -> dict:
    """The pilot's counts and the shapes of its files."""
    participants = tables["participants"]
    declined = set(participants.loc[participants["consent_interview"] == "no", "participant_id"])
    return {
        "pairs": int(len(tables["pairs"])), "participants": int(len(participants)),
        "roles": {str(k): int(v) for k, v in participants["role"].value_counts().sort_index().items()},
        "interviews": len(records),
        "interviews_usable": sum(1 for r in records if r["participant_id"] not in declined),
        "interviewed_without_consent": [r["file"] for r in records if r["participant_id"] in declined],
        "consent_interview_no": participants.loc[participants["consent_interview"] == "no", "participant_id"].tolist(),
        "auto_caption_without_speakers": [r["file"] for r in records if r["auto_caption"]],
        "actions": {"actions": len(tables["actions"]), "pairs": int(tables["actions"]["pair_id"].nunique()),
                    "by_status": {str(k): int(v) for k, v in tables["actions"]["status"].value_counts().sort_index().items()}},
        "staff_years": list(PILOT_STAFF_YEARS), "staff_mentoring_cohorts": list(PILOT_MENTORING_COHORTS),
        "shapes": {
            "exports_with_title_and_totals_rows": ["students", "staff"],
            "labels_instead_of_codes": "ethnicity labels (all tables), degree class labels (students), Yes/No",
            "uk_dates": ["pairs", "meetings", "sessions", "actions"],
            "headings_instead_of_column_names": ["students", "staff"],
            "pair_status_labels": "Completed, Withdrawn",
            "student_ethnicity_group": "not in the export (derived from the label)",
        },
    }


def _pilot_interview_truth(records: list[dict], people: list, places: dict, declined: list) -> dict:
    """The interviews' ground truth: who declined and was never interviewed, and who was interviewed but declined."""
    interviewed = {r["participant_id"] for r in records}
    truth = _interview_truth(records, people, places, [p for p in declined if p not in interviewed])
    truth["interviewed_no_consent"] = [p for p in declined if p in interviewed]
    return truth


def generate_pilot(out_dir: str | Path = ".", *, seed: int = 2024, n_students: int = 3000, n_staff: int = 600,
                   progress: bool = False) -> dict:
    """Write the pilot-shaped demo cohort and its ground truth under ``out_dir``.

    Writes ``cohorts/pilot.yml`` and the inputs it names (``data/pilot``, ``surveys/pilot``,
    ``interviews/pilot/raw``), plus ``data/pilot/ground_truth/effects.json`` (whose ``pilot`` part holds the
    counts: 12 pairs, 24 participants, 4 interviews of which 3 usable, who did not consent to interview) and
    ``identifiers.jsonl``. The same ``seed`` gives byte-identical files.

    >>> generate_pilot("unused", n_staff=50)
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: pilot size: 3000 students and 50 staff asked for; each must be at least 300 (--students, --staff)
    """
    _check_size("pilot", n_students, n_staff, 300)
    out, inputs, w = _start(out_dir, _pilot_config_bytes(), "cohorts/pilot.yml", progress)
    w.note("pilot tables")
    tables, truth, (roster, people, places) = _pilot_tables(seed, n_students, n_staff)
    _write_pilot_tables(w, inputs, tables)
    w.note("pilot interviews")
    truth_dir = Path(inputs["participants"]).parent / "ground_truth"
    records = _write_interviews(w, inputs, _pilot_interviews(roster, people, places, seed), truth_dir)
    w.table(inputs["interview_manifest"], _manifest(records))
    effects = {
        "generator": {"module": "rmresearch.synthetic", "function": "generate_pilot", "seed": seed,
                      "n_students": n_students, "n_staff": n_staff},
        "cohort": {"id": PILOT, "start_date": COHORT_START.isoformat(), "end_date": COHORT_END.isoformat(),
                   "pairs": PILOT_PAIRS, "planned_meetings": PLANNED_MEETINGS},
        "pilot": _pilot_truth(tables, records),
        **truth,
        "interviews": _pilot_interview_truth(records, people, places, truth["programme"]["consent_interview_no"]),
    }
    w.bytes(truth_dir / "effects.json", (json.dumps(effects, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    _pilot_codings(w, inputs, truth_dir, records, seed)
    w.note(f"done: {len(w.written)} files in {w.out.resolve()}")
    return {
        "out_dir": str(out.resolve()), "config": str((out / "cohorts/pilot.yml").resolve()),
        "files": sorted(str(p.relative_to(out)) for p in w.written),
        "counts": {"participants": len(tables["participants"]), "pairs": len(tables["pairs"]),
                   "meetings": len(tables["meetings"]), "transcripts": len(records)},
        "effects": effects,
        "seconds": round(time.perf_counter() - w.began, 2),
    }
