"""Notebooks 00 and 05 on cut-down pilots: no variant fails a notebook, each section that cannot run shows its note,
and programme activity is shown exactly (issue 13, items 1 to 3).

Each test generates the pilot-shaped demo cohort (12 pairs, 24 participants), cuts one input down and runs the
notebook with papermill, then reads the executed notebook: errors, notes (the display metadata the report reads),
tables (their disclosure record) and figure texts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.fixture()
def pilot(tmp_path) -> Path:
    from rmresearch.synthetic import generate_pilot

    root = tmp_path / "project"
    generate_pilot(root, seed=2024)
    return root


def _run(root: Path, notebook: str, tmp_path: Path) -> dict:
    import nbformat
    import papermill

    out = tmp_path / f"out_{notebook}"
    papermill.execute_notebook(str(NOTEBOOKS / notebook), str(out), cwd=str(root), progress_bar=False,
                               parameters={"cohort_config": str(root / "cohorts" / "pilot.yml")}, kernel_name="python3")
    executed = nbformat.read(out, as_version=4)
    outputs = [o for cell in executed.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    meta = [o.get("metadata", {}).get("rmresearch", {}) for o in outputs]
    markdown = ["".join(o.get("data", {}).get("text/markdown", "")) for o in outputs]
    return {
        "errors": [o for o in outputs if o.get("output_type") == "error"],
        "notes": {m["note"]["title"]: m["note"] for m in meta if "note" in m},
        "tables": {m.get("caption"): m for m in meta if m.get("disclosed")},
        "html": "\n".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs),
        "markdown": "\n".join(markdown),
        "plain": "\n".join("".join(o.get("data", {}).get("text/plain", "")) for o in outputs),
    }


def _table(run: dict, caption: str) -> dict:
    """The disclosure record of the table whose caption starts with ``caption`` (show_table may add a sentence)."""
    found = [meta for shown, meta in run["tables"].items() if str(shown).startswith(caption)]
    assert found, f"no table captioned {caption!r}: {sorted(map(str, run['tables']))}"
    return found[0]


def _edit(path: Path, change) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def test_programme_notebook_on_the_pilot_shows_pairs_exactly_and_notes_what_it_cannot_show(pilot, tmp_path):
    run = _run(pilot, "05_programme.ipynb", tmp_path)
    assert not run["errors"]
    # the psychological safety items are answered by fewer than 23 people after the programme
    assert set(run["notes"]) == {"Psychological safety, item by item"}
    # the actions log (5 actions from 4 pairs): exact counts by status, and the changes listed by name
    assert _table(run, "Actions and policy changes by status")["basis"] == "activity"
    assert _table(run, "The changes, by name")["basis"] == "activity"
    assert re.search(r"Total</td>\s*<td[^>]*>5</td>\s*<td[^>]*>4</td>", run["html"])
    assert "Race equality item added to the shortlisting guidance" in run["html"] and "Director of HR" in run["html"]
    assert "Actions not pursued (of all recorded)" in run["html"]  # the Kirkpatrick results level counts them
    for caption in ("Fidelity to the plan: pairs (share of n pairs)", "Survey respondents by role and wave",
                    "Attendance at the programme's sessions, by type and role"):
        assert _table(run, caption)["basis"] == "activity", caption
    assert _table(run, "Change in scale scores (post - pre) by role, Holm-adjusted p-values")["basis"] == "people"
    assert "1 of 12 pairs withdrew before the end of the programme" in run["markdown"]
    assert "of 12 pairs held all 6 planned meetings" in run["plain"]  # the figure's alt text: exact pairs
    # readable labels: scale titles and roles in words, p-values below 0.001 as "< 0.001", no negative zero
    assert "lived experience of race" in run["html"] and "senior_leader" not in run["html"]
    # the register has no session_type column: one type, 'Sessions', and a sentence saying nothing was inferred
    assert "no session_type column" in run["markdown"] and "not guessed at from their names" in run["markdown"]
    assert re.search(r"Sessions</td>\s*<td[^>]*>All participants</td>\s*<td[^>]*>3</td>\s*<td[^>]*>72</td>", run["html"])
    # survey change by the participants' ethnicity (special-category data: its own, stricter rules); its groups
    # are not the roles (some senior leaders are not in the reference group), so the table is shown
    by_ethnicity = "Change in scale scores (post - pre) by ethnicity (special-category data: averages on 7 or fewer"
    assert _table(run, by_ethnicity)["basis"] == "people"
    assert "coincide with the roles" not in run["markdown"]
    assert "&lt; 0.001" in run["html"] and not re.search(r">\s*-0\.0+\s*<", run["html"])


def test_programme_notebook_without_surveys_or_sessions_shows_a_note_per_section(pilot, tmp_path):
    _edit(pilot / "cohorts" / "pilot.yml", lambda text: re.sub(r"\n  surveys:\n    pre: [^\n]+\n    post: [^\n]+", "",
                                                                re.sub(r"\n  sessions: [^\n]+", "", text)))
    run = _run(pilot, "05_programme.ipynb", tmp_path)
    assert not run["errors"]
    survey_sections = {"Survey respondents and scale reliability", "Change from before to after the programme",
                       "What a change that is not significant can mean", "Psychological safety, item by item",
                       "Change by the participants' characteristics", "Reciprocity and burden", "What each side gained"}
    assert survey_sections | {"Session attendance"} == set(run["notes"])  # the actions log is still shown
    assert "names no surveys input" in run["notes"]["Reciprocity and burden"]["reason"]
    assert "names no sessions input" in run["notes"]["Session attendance"]["reason"]
    # the programme's own records still give the fidelity tables and the Kirkpatrick counts
    assert _table(run, "Fidelity to the plan: pairs (share of n pairs)")
    assert any(str(c).startswith("Evidence at Kirkpatrick's four levels: counts") for c in run["tables"])


def test_programme_notebook_with_only_the_pre_survey_notes_every_comparison(pilot, tmp_path):
    _edit(pilot / "cohorts" / "pilot.yml", lambda text: re.sub(r"\n    post: [^\n]+", "", text))
    run = _run(pilot, "05_programme.ipynb", tmp_path)
    assert not run["errors"]
    for title in ("Change from before to after the programme", "What a change that is not significant can mean",
                  "Change by the participants' characteristics", "Psychological safety, item by item",
                  "Reciprocity and burden", "What each side gained"):
        assert "no answers from after the programme (post)" in run["notes"][title]["reason"], title
    assert "Survey respondents and scale reliability" not in run["notes"]  # the pre wave alone is enough there


def test_both_notebooks_survive_every_pair_withdrawn_one_without_meetings_and_one_partner_role(pilot, tmp_path):
    data = pilot / "data" / "pilot"
    _edit(data / "pairs.csv", lambda text: text.replace(",Completed\n", ",Withdrawn\n"))
    _edit(data / "meetings.csv", lambda text: "".join(line for line in text.splitlines(keepends=True)
                                                      if not line.startswith("R05,")))
    _edit(data / "participants.csv", lambda text: text.replace(",student_partner,", ",staff_partner,"))
    overview = _run(pilot, "00_overview.ipynb", tmp_path)
    programme = _run(pilot, "05_programme.ipynb", tmp_path)
    assert not overview["errors"] and not programme["errors"]
    assert "All 12 pairs withdrew before the end of the programme" in programme["markdown"]
    assert _table(programme, "Withdrawals by timing (pairs)")["basis"] == "activity"
    # R05 held no meeting: counted exactly, among 12 pairs
    assert re.search(r"Pairs that held no meeting</td>\s*<td[^>]*>1</td>", programme["html"])
    assert _table(overview, "Participants by role")["basis"] == "activity"
    assert _table(overview, "Participants by role and ethnicity group")["basis"] == "people"
    assert not re.search(r"Student partner", overview["html"])  # one partner role only: no empty student row


def test_programme_notebook_on_a_reverse_scheme_with_session_types_uses_the_schemes_words(pilot, tmp_path):
    """The pilot as a reverse scheme (programme_type: reverse) whose register types its sessions."""
    _edit(pilot / "cohorts" / "pilot.yml", lambda text: text.replace("programme_type: reciprocal", "programme_type: reverse"))
    types = {"Introductory training": "Training", "Midpoint reflection": "reflection", "Final reflection": "Reflection"}

    def typed(text):
        lines = text.splitlines()
        head = lines[0].split(",")
        at = head.index("session")
        out = [",".join(head[:at + 1] + ["session_type"] + head[at + 1:])]
        for line in lines[1:]:
            cells = line.split(",")
            out.append(",".join(cells[:at + 1] + [types.get(cells[at], "")] + cells[at + 1:]))
        return "\n".join(out) + "\n"

    _edit(pilot / "data" / "pilot" / "sessions.csv", typed)
    run = _run(pilot, "05_programme.ipynb", tmp_path)
    assert not run["errors"]
    text = run["html"] + run["markdown"] + run["plain"]
    assert "Reverse mentee" in run["html"] and "Reverse mentor (staff partner)" in run["html"]
    assert "Senior leader" not in text and "senior leader" not in text
    assert _table(run, "Who did the work, by reverse mentor's role")["basis"] == "activity"
    assert "Share arranged by reverse mentor" in run["html"] and "Reverse mentee gain" in run["html"]
    assert "reverse mentees reported" in text.lower()  # the gains figure's title, in its alt text
    # attendance per type: 24 places at the training, 48 at the two reflections (all 24 people invited to each)
    assert re.search(r"Training</td>\s*<td[^>]*>All participants</td>\s*<td[^>]*>1</td>\s*<td[^>]*>24</td>", run["html"])
    assert re.search(r"Reflection</td>\s*<td[^>]*>All participants</td>\s*<td[^>]*>2</td>\s*<td[^>]*>48</td>", run["html"])
    assert "The register records 3 sessions of 2 types: training (1 session), reflection (2 sessions)." in run["markdown"]
