"""Open-text survey answers anonymised with the cohort's key and written where coding reads anonymised text.

``rmresearch anonymise run`` does this for every cohort whose file configures ``inputs.surveys``: the answers to
the instrument's open questions (:attr:`~rmresearch.surveys.responses.SurveyImport.open_text`) go through the same
detector, pseudonym key, review file and consent rules as the interview transcripts, in the same run. Why there and
not in a command of their own: the key and the review file are replaced together with the anonymised folder in one
swap (:mod:`rmresearch.anonymise.staging`), so a second writer would race the run, and the run prunes review rows
and output files it did not write; in one run, a person named in an interview and in a survey answer gets one
pseudonym, and ``anonymise run`` is the one step a scheme lead already takes before coding or reporting.

Each wave's answers to one question become one document, ``survey_<wave>_<question>.txt`` (for example
``survey_post_what_worked.txt``), in ``outputs.anonymised`` beside the transcripts, one line per respondent in the
transcripts' ``Speaker: text`` form. The speaker is the respondent's pseudonym (``[P07]``, or their surrogate name
in the ``surrogates`` style), never their name, so the coding tools (``code suggest``, ``code sheet``,
``code export-qdpx``) see each answer as a segment of that participant, with their role from the participants
table. An answer's line breaks become spaces (one turn per answer).

Consent: the answers of a participant who did not consent to interview use, or was withdrawn (the schema holds no
survey-specific consent), and of a respondent who is not in the participants table (whose consent cannot be
checked) are left out and counted, not written. Raw exports and the key are only read here; the caller writes.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import pandas as pd

from ..errors import AnalysisError

__all__ = ["OpenTextDocument", "OpenTextRun", "document_name", "open_text_documents", "anonymise_open_text",
           "open_text_sentence"]

_NAME_RE = re.compile(r"[^A-Za-z0-9_]+")


def document_name(wave: str, question: str) -> str:
    """The document (file stem) of one wave's answers to one open question.

    >>> document_name("post", "what_worked")
    'survey_post_what_worked'
    """
    return "survey_" + _NAME_RE.sub("_", f"{wave}_{question}").strip("_")


@dataclass
class OpenTextDocument:
    """One wave's answers to one question: the raw text given to the anonymiser, its output and log."""

    name: str
    raw: str
    text: str
    log: pd.DataFrame
    respondents: int


@dataclass
class OpenTextRun:
    """What :func:`anonymise_open_text` made: the documents and what it counted (no identifiers)."""

    documents: list[OpenTextDocument] = field(default_factory=list)
    answers: int = 0
    left_out: int = 0          # answers not written: no interview consent, or withdrawn
    left_out_people: int = 0
    not_listed: int = 0        # answers of respondents not in the participants table
    problem: str = ""          # why the answers could not be read ("" when they were)


def _one_line(answer: str) -> str:
    return " ".join(str(answer).split())


def open_text_documents(open_text: pd.DataFrame, *, excluded: set[str], listed: set[str]) -> tuple[dict, dict]:
    """``{document: [(participant_id, answer), ...]}`` (respondents in ID order) and the counts left out.

    >>> ot = pd.DataFrame({"participant_id": ["P02", "P01", "P03", "X9"], "wave": ["post"] * 4,
    ...                    "question": ["what_worked"] * 4, "answer": ["Good\\n\\nthanks", "Fine", "No", "Hi"]})
    >>> docs, counts = open_text_documents(ot, excluded={"P03"}, listed={"P01", "P02", "P03"})
    >>> docs
    {'survey_post_what_worked': [('P01', 'Fine'), ('P02', 'Good thanks')]}
    >>> counts
    {'left_out': 1, 'left_out_people': 1, 'not_listed': 1}
    """
    docs: dict[str, list[tuple[str, str]]] = {}
    counts = {"left_out": 0, "left_out_people": 0, "not_listed": 0}
    people = set()
    rows = open_text.assign(participant_id=open_text["participant_id"].astype(str))
    for (wave, question), group in rows.groupby(["wave", "question"], sort=True):
        answers = []
        for pid, answer in sorted(zip(group["participant_id"], group["answer"]), key=lambda r: r[0]):
            text = _one_line(answer)
            if not text:
                continue
            if pid not in listed:
                counts["not_listed"] += 1
            elif pid in excluded:
                counts["left_out"] += 1
                people.add(pid)
            else:
                answers.append((pid, text))
        if answers:
            docs[document_name(str(wave), str(question))] = answers
    counts["left_out_people"] = len(people)
    return docs, counts


def _relabel(name: str, out: str, log: pd.DataFrame, answers: list[tuple[str, str]], labels: dict[str, str]) -> tuple[str, pd.DataFrame]:
    """Each output line's ``P07: `` replaced by the respondent's pseudonym, the log's output offsets shifted."""
    lines = out.split("\n")
    if len(lines) != len(answers) or any(not line.startswith(f"{pid}: ") for line, (pid, _) in zip(lines, answers)):
        raise AnalysisError(f"{name}: the anonymiser changed a respondent's label line; the open-text answers of this "
                            "question were not written. Please report this (with the question, not the answers).")
    starts, shift, shifts = [], 0, []
    position = 0
    for line, (pid, _) in zip(lines, answers):
        starts.append(position)
        position += len(line) + 1
        shift += len(labels[pid]) - len(pid)
        shifts.append(shift)
    text = "\n".join(labels[pid] + line[len(pid):] for line, (pid, _) in zip(lines, answers))
    log = log.copy()
    for column in ("out_start", "out_end"):
        if len(log):
            log[column] = [int(v) + shifts[bisect.bisect_right(starts, int(v) - (column == "out_end")) - 1]
                           for v in log[column]]
    return text, log


def anonymise_open_text(config, detector, key, *, settings, review=None, suggestions=None,
                        excluded: set[str] = frozenset()) -> OpenTextRun:
    """Every configured wave's open-text answers anonymised with ``key`` (the interviews' detector and settings).

    Returns an :class:`OpenTextRun`; nothing is written here (``anonymise run`` swaps the documents in with the
    transcripts). A cohort without ``inputs.surveys``, or whose instruments ask no open question, gives an empty
    run. Survey exports that cannot be read give a run whose ``problem`` says why (the transcripts still go on).
    """
    from ..anonymise.replace import anonymise_text
    from ..errors import RMResearchError

    run = OpenTextRun()
    if not (config.inputs.get("surveys") or {}):
        return run
    try:
        from ..inputs import load_table
        from .responses import load_surveys

        participants = load_table(config, "participants") if config.inputs.get("participants") else None
        survey = load_surveys(config, participants=participants)
    except RMResearchError as exc:
        lines = str(exc).splitlines()  # a ValidationError: "N problem(s) found...:" then one line each
        run.problem = " ".join([lines[0]] + [line.strip().removeprefix("- ") for line in lines[1:2]])
        return run
    listed = {p.participant_id for p in detector.roster.people}
    docs, counts = open_text_documents(survey.open_text, excluded=set(excluded), listed=listed)
    run.left_out, run.left_out_people, run.not_listed = counts["left_out"], counts["left_out_people"], counts["not_listed"]
    for name, answers in docs.items():
        labels = {pid: key.pseudonym(detector.roster.person(pid).name, "PERSON", participant_id=pid)
                  for pid, _ in answers}
        lines = [f"{pid}: {answer}" for pid, answer in answers]
        raw = "\n".join(lines)
        turns, position = [], 0
        for (pid, _), line in zip(answers, lines):
            turns.append((position, position + len(pid), position + len(pid) + 2, position + len(line)))
            position += len(line) + 1
        out, log = anonymise_text(raw, detector, key, document=name, settings=settings, review=review,
                                  turns=turns, suggestions=suggestions)
        text, log = _relabel(name, out, log, answers, labels)
        run.documents.append(OpenTextDocument(name, raw, text, log, len(answers)))
        run.answers += len(answers)
    return run


def open_text_sentence(run: OpenTextRun) -> str:
    """What the run did with the open-text answers, in one plain sentence for ``anonymise run`` ('' if nothing).

    >>> open_text_sentence(OpenTextRun(answers=9, left_out=1, left_out_people=1, documents=[None, None]))
    '9 open-text survey answer(s) anonymised into 2 document(s) (survey_*.txt); 1 answer(s) of 1 participant(s) without interview consent (or withdrawn) left out.'
    """
    if run.problem:
        return (f"Open-text survey answers were NOT anonymised (no survey_*.txt written): {run.problem} "
                "Fix the survey export (rmresearch validate lists every problem) and run again.")
    if not run.documents and not run.left_out and not run.not_listed:
        return ""
    sentence = f"{run.answers} open-text survey answer(s) anonymised into {len(run.documents)} document(s) (survey_*.txt)"
    if run.left_out:
        sentence += (f"; {run.left_out} answer(s) of {run.left_out_people} participant(s) without interview consent "
                     "(or withdrawn) left out")
    if run.not_listed:
        sentence += f"; {run.not_listed} answer(s) of respondents not in the participants table left out"
    return sentence + "."
