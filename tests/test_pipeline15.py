"""Indirect identifiers in the review queue, applied on rerun (issue 15, item 4: the pipeline side).

A hand-made cohort of three people and two or three transcripts, run through ``anonymise_cohort`` for real. The
indirect spans come from a detector that adds its own (the phrases below), so these tests pin the pipeline's
behaviour whatever the indirect layer finds: every indirect span in the review queue with its suggestion;
accept = the (possibly edited) suggestion, reject = the words kept, undecided = ``options.anonymise.generalise``;
one phrase, one suggestion across documents and reruns; old and Excel-saved review files; consent first.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from rmresearch.anonymise import pipeline
from rmresearch.anonymise.detectors import Detector
from rmresearch.anonymise.review import REVIEW_COLUMNS, ReviewQueue
from rmresearch.anonymise.spans import INDIRECT_LABELS, Span
from rmresearch.errors import ConfigError

# Phrases the test detector marks (label, kind, suggestion); matched in any case.
PHRASES = {
    "head of glasshouse operations": ("ROLE", "professional_role", "[a professional services leader]"),
    "the herbarium records team": ("UNIT", "small_unit", "[a team]"),
    "the only falconer on the estates staff": ("DESCRIPTOR", "unique", "[a member of staff]"),
    "coeliac": ("SPECIAL_CATEGORY", "health", "[a health condition]"),
}
_PHRASE_RE = re.compile("|".join(re.escape(p) for p in PHRASES), re.IGNORECASE)


class PhraseDetector(Detector):
    """The cohort's detector, its own indirect spans replaced by the phrases above (fixed confidence 0.55)."""

    def detect(self, text, **kwargs):
        direct = [s for s in super().detect(text, **kwargs) if s.label not in INDIRECT_LABELS]
        extra = []
        for m in _PHRASE_RE.finditer(text):
            label, kind, suggestion = PHRASES[m.group(0).casefold()]
            if not any(s.start < m.end() and m.start() < s.end for s in direct):
                extra.append(Span(m.start(), m.end(), label, "indirect", 0.55, m.group(0), suggestion, kind))
        return sorted(direct + extra, key=lambda s: s.start)


A_TXT = """Interviewer: Thanks for coming, and for your time.
Wendeline Marsh-Okoro: As Head of Glasshouse Operations I see a lot. My partner runs the Herbarium Records Team.
Interviewer: And outside work?
Wendeline Marsh-Okoro: Being coeliac shapes every away day, and I am the only falconer on the estates staff.
"""
B_TXT = """Interviewer: Hello again.
Tobiah Quennell: I met the head of glasshouse operations twice. She was generous with her time, as was Ngozi Eze.
Ismay Delacroix-Ahn: I am also coeliac, and the Herbarium Records Team hosted me.
"""
C_TXT = """Interviewer: One more question.
Tobiah Quennell: The HEAD OF GLASSHOUSE OPERATIONS came to the last session.
"""


def _cohort(root: Path, options: str = "") -> Path:
    (root / "cohorts").mkdir(parents=True)
    (root / "data/tiny").mkdir(parents=True)
    raw = root / "interviews/tiny/raw"
    raw.mkdir(parents=True)
    (root / "cohorts/tiny.yml").write_text(
        "cohort: tiny\ntitle: Tiny test cohort\ninstitution: University of Anytown (synthetic)\n"
        "programme_type: reciprocal\nstart_date: 2024-10-01\nend_date: 2025-03-31\nroot: ..\n"
        "inputs:\n  participants: data/tiny/participants.csv\n  interviews: interviews/tiny/raw\n"
        "outputs:\n  anonymised: interviews/tiny/anonymised\n  reports: reports/tiny\n  keys: keys/tiny\n" + options)
    (root / "data/tiny/participants.csv").write_text(
        "participant_id,name,cohort,role,ethnicity_code,sex,grade,faculty,consent_interview,consent_records\n"
        "P01,Wendeline Marsh-Okoro,tiny,senior_leader,White - British,F,Professor,Science,Yes,Yes\n"
        "P02,Tobiah Quennell,tiny,staff_partner,Black - African,M,7,Science,Yes,Yes\n"
        "P03,Ismay Delacroix-Ahn,tiny,student_partner,Asian - Chinese,F,,Science,No,Yes\n")
    (raw / "a.txt").write_text(A_TXT)
    (raw / "b.txt").write_text(B_TXT)
    return root / "cohorts/tiny.yml"


@pytest.fixture()
def tiny(tmp_path, monkeypatch):
    from rmresearch.config import load_cohort

    monkeypatch.setattr(pipeline, "Detector", PhraseDetector)
    path = _cohort(tmp_path / "project")

    def run(options: str | None = None):
        if options is not None:
            text = path.read_text().split("options:\n")[0]
            path.write_text(text + options)
        config = load_cohort(path)
        return config, pipeline.anonymise_cohort(config, progress=False)

    return path, run


def _out(config, document: str) -> tuple[str, pd.DataFrame]:
    folder = Path(config.outputs["anonymised"])
    log = pd.read_csv(folder / f"{document}.log.csv", dtype={"pseudonym": str, "kind": str}, keep_default_na=False)
    return (folder / f"{document}.txt").read_text(), log


def _review(config) -> pd.DataFrame:
    from rmresearch.anonymise.review import review_path

    return pd.read_csv(review_path(config), dtype=str, keep_default_na=False)


def _set(config, frame: pd.DataFrame, sep: str = ",", bom: bool = False) -> None:
    from rmresearch.anonymise.review import review_path

    text = frame.to_csv(index=False, sep=sep)
    review_path(config).write_text(("\ufeff" if bom else "") + text, encoding="utf-8")


def _indirect_rows(log: pd.DataFrame) -> pd.DataFrame:
    return log[log["label"].isin(INDIRECT_LABELS)].reset_index(drop=True)


def test_undecided_indirect_identifiers_are_generalised_or_kept_by_label_and_all_listed(tiny):
    _, run = tiny
    config, summary = run()
    text, log = _out(config, "interview_01")
    assert text.splitlines()[1] == ("[P01]: As [a professional services leader] I see a lot. My partner runs "
                                    "[a team].")
    # the special category is kept until decided; the descriptor generalised
    assert text.splitlines()[3] == "[P01]: Being coeliac shapes every away day, and I am [a member of staff]."
    rows = _indirect_rows(log)
    assert list(rows["label"]) == ["ROLE", "UNIT", "SPECIAL_CATEGORY", "DESCRIPTOR"]
    assert list(rows["decision"]) == ["pending"] * 4
    assert list(rows["kind"]) == ["professional_role", "small_unit", "health", "unique"]
    assert list(rows["pseudonym"]) == ["[a professional services leader]", "[a team]", "", "[a member of staff]"]
    # out_start/out_end always set: the replacement, or the kept words, where they sit in the output
    for r in log.itertuples():
        assert text[int(r.out_start):int(r.out_end)] == (r.pseudonym or A_TXT[r.start:r.end])
    # never original words in the log
    flat = " ".join(log.astype(str).values.ravel()).casefold()
    assert "glasshouse" not in flat and "coeliac" not in flat and "marsh" not in flat
    # every indirect span is in the review queue whatever its confidence, with its suggestion
    queue = _review(config)
    assert list(queue.columns) == REVIEW_COLUMNS
    ind = queue[queue["label"].isin(INDIRECT_LABELS)]
    assert len(ind) == 5  # 4 in interview_01, 1 in interview_02 (Ismay's turn is withheld: see the consent test)
    assert (ind["suggestion"] == ind["pseudonym"]).all() and (ind["suggestion"] != "").all()
    # each row's risk: what remains in its passage (here the kept disclosure), explained without the words
    kept = ind[ind["label"] == "SPECIAL_CATEGORY"].iloc[0]
    assert 0 < float(kept["risk"]) <= 1 and "special-category" in kept["risk_reasons"]
    assert "coeliac" not in " ".join(queue["risk_reasons"]).casefold()
    b = _out(config, "interview_02")[0]
    assert "I met [a professional services leader] twice" in b  # "the" went with the words it introduced
    assert summary.attrs["indirect"].set_index(["label", "outcome"])["mentions"].to_dict() == {
        ("DESCRIPTOR", "generalised awaiting review"): 1, ("ROLE", "generalised awaiting review"): 2,
        ("SPECIAL_CATEGORY", "kept awaiting review"): 1, ("UNIT", "generalised awaiting review"): 1}
    info = pipeline.anonymisation_summary(config)
    assert info["indirect_sentence"] == ("5 indirect identifiers: 4 generalised (4 of them awaiting review), "
                                         "1 kept awaiting review (special category).")
    assert info["review_pending_indirect"] == 5
    assert info["by_label"].set_index("label")["mentions"].get("SPECIAL_CATEGORY") is None  # kept: not "replaced"


def test_accept_with_an_edited_suggestion_reject_and_accept_are_applied_on_rerun_in_every_document(tiny):
    _, run = tiny
    config, _ = run()
    queue = _review(config)
    first = queue.index[(queue["document"] == "interview_01") & (queue["label"] == "ROLE")][0]
    queue.loc[first, ["suggestion", "decision"]] = ["[a facilities manager]", "accept"]
    queue.loc[(queue["document"] == "interview_01") & (queue["label"] == "UNIT"), "decision"] = "reject"
    queue.loc[queue["label"] == "SPECIAL_CATEGORY", "decision"] = "accept"
    _set(config, queue)
    config, summary = run()
    a, log_a = _out(config, "interview_01")
    b, log_b = _out(config, "interview_02")
    assert "As [a facilities manager] I see a lot. My partner runs the Herbarium Records Team." in a
    assert "Being [a health condition] shapes" in a
    # the edit holds for the same phrase in the other document (undecided there), in another case
    assert "I met [a facilities manager] twice." in b  # the article goes with the words it introduced
    assert list(_indirect_rows(log_a)["decision"]) == ["accept", "reject", "accept", "pending"]
    unit = _indirect_rows(log_a).iloc[1]
    assert unit["pseudonym"] == "" and a[int(unit.out_start):int(unit.out_end)] == "the Herbarium Records Team"
    assert summary.attrs["unmatched_decisions"] == 0
    again = _review(config)
    roles = again[again["label"] == "ROLE"]
    assert set(roles["suggestion"]) == {"[a facilities manager]"} and set(roles["pseudonym"]) == {"[a facilities manager]"}
    info = pipeline.anonymisation_summary(config)
    assert info["indirect_sentence"] == ("5 indirect identifiers: 4 generalised (2 of them awaiting review), "
                                         "1 kept by decision.")


def test_an_edit_survives_later_reruns_and_reaches_new_transcripts(tiny):
    path, run = tiny
    config, _ = run()
    queue = _review(config)
    queue.loc[(queue["document"] == "interview_02") & (queue["label"] == "ROLE"), "suggestion"] = "[a manager]"
    _set(config, queue)  # edited, not decided: still applied, and to every document
    run()
    (path.parent.parent / "interviews/tiny/raw/c.txt").write_text(C_TXT)
    config, _ = run()
    run()  # a third run: the edit is remembered (the rows now hold it as their applied suggestion)
    for document, expected in (("interview_01", "As [a manager] I see"), ("interview_02", "I met [a manager] twice"),
                               ("interview_03", "[A manager] came")):
        assert expected in _out(config, document)[0], document
    roles = _review(config).query("label == 'ROLE'")
    assert len(roles) == 3 and set(roles["suggestion"]) == {"[a manager]"}


def test_two_different_edits_of_one_phrase_accepted_one_wins_and_the_conflict_is_named(tiny):
    _, run = tiny
    config, _ = run()
    queue = _review(config)
    roles = queue.index[queue["label"] == "ROLE"]
    queue.loc[roles[0], "suggestion"] = "[a head of service]"
    queue.loc[roles[1], ["suggestion", "decision"]] = ["[a senior manager]", "accept"]
    _set(config, queue)
    config, summary = run()
    assert "As [a senior manager] I see" in _out(config, "interview_01")[0]
    (conflict,) = summary.attrs["suggestion_conflicts"]
    assert "interview_01" in conflict and "interview_02" in conflict and "glasshouse" not in conflict.casefold()


def test_the_generalise_option_and_its_validation(tiny):
    path, run = tiny
    config, _ = run("options:\n  anonymise:\n    generalise: [ROLE, special category]\n")
    text = _out(config, "interview_01")[0]
    assert "Being [a health condition] shapes" in text and "runs the Herbarium Records Team." in text
    with pytest.raises(ConfigError) as err:
        run("options:\n  anonymise:\n    generalise: [ROLE, TITLE]\n")
    message = str(err.value)
    assert str(path) in message and "TITLE" in message and "ROLE, UNIT, DESCRIPTOR, SPECIAL_CATEGORY" in message


def test_an_old_review_file_without_the_new_columns_still_reads_and_its_decisions_apply(tiny):
    _, run = tiny
    options = "options:\n  anonymise:\n    review_threshold: 0.99\n"  # every name not on the roster is reviewed
    config, _ = run(options)
    queue = _review(config)
    old = queue[[c for c in queue.columns if c not in ("suggestion", "risk", "risk_reasons")]].copy()
    old = old[~old["label"].isin(INDIRECT_LABELS)]  # an old file knew no indirect rows
    assert len(old) >= 1
    old["decision"] = "reject"
    _set(config, old)
    rejected = list(zip(old["document"], old["start"].astype(int), old["end"].astype(int)))
    config, summary = run(options)
    assert summary.attrs["unmatched_decisions"] == 0  # a rejected name matched its candidate (no false warning)
    for document, start, end in rejected:
        _, log = _out(config, document)
        row = log[(log["start"] == start) & (log["end"] == end)].iloc[0]
        assert row["decision"] == "reject" and row["pseudonym"] == ""
    assert "as was Ngozi Eze." in _out(config, "interview_02")[0]
    again = _review(config)
    assert list(again.columns) == REVIEW_COLUMNS and len(again[again["label"].isin(INDIRECT_LABELS)]) == 5


def test_an_excel_semicolon_review_file_with_a_bom_and_synonyms(tiny):
    _, run = tiny
    config, _ = run()
    queue = _review(config)
    queue.loc[queue["label"] == "SPECIAL_CATEGORY", ["suggestion", "decision"]] = ["[a dietary need]", "Yes"]
    queue.loc[queue["label"] == "DESCRIPTOR", "decision"] = "keep"
    queue["start"] = queue["start"].astype(int).astype(float).astype(str)  # "123.0", as a spreadsheet may save
    _set(config, queue, sep=";", bom=True)
    config, _ = run()
    text = _out(config, "interview_01")[0]
    assert "Being [a dietary need] shapes every away day, and I am the only falconer on the estates staff." in text
    assert ReviewQueue(pipeline.review_path(config)).pending(("SPECIAL_CATEGORY", "DESCRIPTOR")) == 0


def test_withheld_turns_win_over_indirect_identifiers(tiny):
    _, run = tiny
    config, _ = run()
    text, log = _out(config, "interview_02")
    line = text.splitlines()[2]
    assert line.startswith("[P03]: ") and "coeliac" not in line and "Herbarium" not in line
    assert "WITHHELD" in set(log["label"])
    start = B_TXT.index("Ismay Delacroix-Ahn: ")
    listed = _review(config).query("document == 'interview_02'")["start"].astype(int)
    assert (listed < start).all()  # nothing of the withheld turn reaches the review file


def test_generalised_text_passes_the_leak_audit_and_the_report_check(tiny):
    from rmresearch.anonymise import audit_cohort
    from rmresearch.anonymise.audit import residual_candidates

    _, run = tiny
    config, _ = run()
    assert audit_cohort(config) == []
    pipeline.check_anonymised(config)
    found = residual_candidates(config, [config.outputs["anonymised"]])
    assert not any("leader" in c or "member" in c or "team" in c for c in found["candidate"].str.casefold())


def test_one_phrase_one_suggestion_across_documents_first_seen_wins_and_articles_go_with_the_words():
    from rmresearch.anonymise.pseudonyms import PseudonymKey
    from rmresearch.anonymise.replace import anonymise_text

    class Varying(Detector):  # the same phrase, a different suggestion in each document
        def __init__(self, suggestion):
            super().__init__()
            self.suggestion = suggestion

        def detect(self, text, **kwargs):
            m = re.search("head of glasshouse operations", text, re.IGNORECASE)
            return [Span(m.start(), m.end(), "ROLE", "indirect", 0.3, m.group(0), self.suggestion, "senior_role")]

    shared: dict[str, str] = {}
    key = PseudonymKey()
    one, _ = anonymise_text("The Head of Glasshouse Operations said so.", Varying("[a senior leader]"), key,
                            suggestions=shared)
    two, log = anonymise_text("I asked the head of glasshouse operations.", Varying("[an estates lead]"), key,
                              suggestions=shared)
    assert one == "[A senior leader] said so." and two == "I asked [a senior leader]."
    assert shared == {"head of glasshouse operations": "[a senior leader]"} and key.entries == {}  # not a key entry
    row = log.iloc[0]
    assert (row["start"], row["end"], row["out_start"], row["out_end"]) == (12, 41, 8, 25)


def test_the_run_command_reports_indirect_identifiers_by_label_and_outcome(tiny, capsys):
    from rmresearch.cli import main

    path, _ = tiny
    assert main(["anonymise", "run", "--cohort", str(path), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "  5 indirect identifiers: 4 generalised (4 of them awaiting review), 1 kept awaiting review " \
           "(special category).\n" in out
    assert "    ROLE              2 generalised awaiting review\n" in out
    assert "    SPECIAL_CATEGORY  1 kept awaiting review\n" in out
    assert "Of these, 5 are indirect identifiers" in out and "ROLE " not in out.split("indirect identifiers:")[0]
