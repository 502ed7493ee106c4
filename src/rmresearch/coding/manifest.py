"""Whose interview is it: the interview manifest (transcript file -> interviewee, interviewer).

A cohort file may name a table (CSV or Excel, schema ``interviews_manifest``, ``rmresearch schema
interviews_manifest``) as ``inputs: interview_manifest: FILE``, one row per raw transcript::

    file,participant_id,interviewer,date
    interview_01.docx,P01,Eleanor Bird,14/03/2025
    interview_03.vtt,P14,Eleanor Bird,

With it:

- an *unlabelled* transcript (an auto-caption file with no speaker labels, whose turns no reader can
  attribute) counts: every turn is attributed to the interviewee, so it gives a participant, suggestions and
  a framework-matrix row. The interviewer's questions cannot be told apart from the answers there, and the
  report says so (:func:`speaker_notes`);
- the interviewer's turns are known in every transcript (their speaker label is the manifest's name or label,
  or a role word such as ``Interviewer``), so theme counts, co-occurrence and agreement between coders use the
  interviewees' units only (:func:`rmresearch.coding.segments.interviewee_units`);
- consent follows the interviewee: an unlabelled transcript of a participant without consent to interview use
  is withheld whole.

The manifest names raw files and people, so it stays with the raw data. ``anonymise run`` writes its
anonymised counterpart, :data:`ANONYMISED_MANIFEST` in the anonymised folder: the document pseudonym, the
interviewee's participant ID, the interviewer's speaker label(s) *as written in the anonymised text*
(``[PERSON_1]``, ``Interviewer``) and whether the raw file had speaker labels. Coding reads only that file.
"""

from __future__ import annotations

import difflib
import io
import re
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from ..errors import InputError, Problem, ValidationError

__all__ = [
    "ANONYMISED_MANIFEST",
    "ANONYMISED_COLUMNS",
    "ROLE_WORDS",
    "read_manifest",
    "load_manifest",
    "manifest_problems",
    "no_speaker_message",
    "is_interviewer_label",
    "has_speakers",
    "anonymised_manifest",
    "read_anonymised_manifest",
    "speaker_roles",
    "speaker_notes",
]

#: The anonymised manifest ``anonymise run`` writes beside the anonymised transcripts.
ANONYMISED_MANIFEST = "interview_manifest.csv"
ANONYMISED_COLUMNS = ["document", "participant_id", "interviewer_labels", "speaker_labels"]
#: Speaker labels that name the interviewer's role rather than a person (``Interviewer``, ``Researcher 2``).
ROLE_WORDS = frozenset({"interviewer", "researcher", "facilitator", "moderator", "evaluator", "interviewers"})


def _words(label: str | None) -> list[str]:
    return re.findall(r"\w+", str(label).casefold()) if label is not None else []


def is_interviewer_label(label: str | None, interviewer: str | None = None) -> bool:
    """Whether a speaker label is the interviewer's: the manifest's name or label (all the label's words are
    words of it: ``Eleanor`` for ``Eleanor Bird``), or a role word (``Interviewer``, ``Researcher 2``).

    >>> is_interviewer_label("Eleanor", "Eleanor Bird"), is_interviewer_label("Interviewer 1"), is_interviewer_label("P07")
    (True, True, False)
    """
    words = _words(label)
    if not words:
        return False
    if words[0] in ROLE_WORDS and all(w.isdigit() for w in words[1:]):
        return True
    named = set(_words(interviewer))
    return bool(named) and set(words) <= named


def has_speakers(transcript) -> bool:
    """Whether any turn of a :class:`~rmresearch.transcripts.Transcript` has a speaker label."""
    return any(t.speaker is not None for t in transcript.turns)


# --------------------------------------------------------------------------- the raw manifest


def _file_key(value) -> str:
    """A manifest's file cell as :func:`rmresearch.anonymise.pipeline.raw_name` writes names (``sub/x.docx``)."""
    key = str(value).strip().replace("\\", "/") if value is not None else ""
    while key.startswith("./"):
        key = key[2:]
    return key


def read_manifest(
    path: str | Path,
    *,
    participant_ids: Iterable[str] | None = None,
    transcripts: Iterable[str] | None = None,
    config=None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """The manifest (``file, participant_id, interviewer, date`` and ``_row``) and every problem found.

    ``transcripts`` are the raw transcripts' names (their paths below the raw folder, as
    :func:`rmresearch.anonymise.pipeline.raw_name` gives them) and ``participant_ids`` the cohort's
    participants. Errors: a file listed twice, a file that is not in the raw folder, an interviewee who is not a
    participant. A warning: a raw transcript the manifest does not list. Nothing is raised for them. With the
    cohort's ``config``, a CSV is read in the encoding its file names (``inputs.interview_manifest.encoding``).
    """
    from ..io.tables import read_table
    from ..schemas import SCHEMAS

    path = Path(path)
    how = {}
    if config is not None:
        from ..inputs import encoding_advice

        how = {"encoding": getattr(config, "encodings", {}).get("interview_manifest"),
               "encoding_advice": encoding_advice(config, "interview_manifest")}
    try:
        frame, problems = read_table(path, SCHEMAS["interviews_manifest"], raise_on_error=False, **how)
    except InputError as exc:  # unreadable (not UTF-8, binary...): a problem like the others, not the end of validate
        return pd.DataFrame(), [Problem(str(path), str(exc).removeprefix(f"{path}: "))]
    if frame.empty or any(p.severity == "error" and p.row is None for p in problems):
        return frame, problems
    frame = frame.assign(file=frame["file"].map(_file_key))
    if "interviewer" not in frame.columns:
        frame["interviewer"] = None
    if transcripts is not None:
        names = sorted(transcripts)
        known = set(names)
        for row, name in zip(frame["_row"], frame["file"]):
            if name not in known:
                close = difflib.get_close_matches(name, names, n=1)
                hint = f" Did you mean '{close[0]}'?" if close else f" The raw folder holds {len(names)} transcript(s)."
                problems.append(Problem(str(path), f"'{name}' is not a transcript in the raw interviews folder.{hint} "
                                        "Name each file by its path below that folder", row=int(row), column="file"))
        listed = set(frame["file"])
        for name in names:
            if name not in listed:
                problems.append(Problem(str(path), f"the raw transcript '{name}' is not in the manifest: its turns count "
                                        "only where a speaker label is a participant ID, and nothing says who its "
                                        "interviewer is. Add a row for it (file, participant_id, interviewer)",
                                        column="file", severity="warning"))
    if participant_ids is not None:
        ids = set(map(str, participant_ids))
        for row, pid in zip(frame["_row"], frame["participant_id"]):
            if str(pid) not in ids:
                problems.append(Problem(str(path), f"'{pid}' is not a participant_id in the participants table; name the "
                                        "interviewee by their participant ID", row=int(row), column="participant_id"))
    return frame, problems


def _raw_transcripts(config) -> dict[str, Path]:
    from ..anonymise.pipeline import raw_name, transcript_files

    folder = Path(config.input_path("interviews"))
    return {raw_name(p, folder): p for p in transcript_files(folder)}


def load_manifest(config, *, participant_ids: Iterable[str] | None = None) -> pd.DataFrame | None:
    """The cohort's manifest (``inputs.interview_manifest``), or ``None`` when it has none.

    Raises :class:`~rmresearch.errors.ValidationError` listing every error (warnings do not stop it).
    """
    path = config.inputs.get("interview_manifest")
    if path is None:
        return None
    frame, problems = read_manifest(path, participant_ids=participant_ids, transcripts=_raw_transcripts(config),
                                    config=config)
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems)
    return frame


def manifest_problems(config, participant_ids: Iterable[str] | None = None) -> list[Problem]:
    """What ``validate`` says about whose interview each transcript is.

    The manifest's problems (:func:`read_manifest`), and a warning naming each raw transcript in which no speaker
    is found: with a manifest row its turns are attributed to the interviewee (the interviewer's cannot be told
    apart); without one it adds nothing to the themes. Unreadable transcripts are left to
    :func:`rmresearch.inputs.check_transcripts`.
    """
    from ..transcripts import read_transcript

    if config.inputs.get("interviews") is None or not Path(config.inputs["interviews"]).is_dir():
        return []
    try:
        raw = _raw_transcripts(config)
    except InputError:
        return []
    problems: list[Problem] = []
    entries: dict[str, str] = {}
    interviewers: dict[str, str] = {}
    path = config.inputs.get("interview_manifest")
    if path is not None:
        frame, found = read_manifest(path, participant_ids=participant_ids, transcripts=raw, config=config)
        problems += found + _stale(config, Path(path)) + _silent_interviewees(config, path, participant_ids)
        if "file" in frame.columns:
            entries = dict(zip(frame["file"], frame["participant_id"].astype(str)))
            interviewers = {f: (str(i), int(r)) for f, i, r in zip(frame["file"], frame["interviewer"], frame["_row"])
                            if i is not None and not pd.isna(i)}
    for name, file in raw.items():
        try:
            transcript = read_transcript(file, encoding=getattr(config, "encodings", {}).get("interviews"))
        except InputError:
            continue  # check_transcripts names it
        if not has_speakers(transcript):
            problems.append(Problem(str(file), no_speaker_message(name, entries.get(name), manifest=path is not None),
                                    severity="warning"))
        elif name in interviewers and not any(is_interviewer_label(s, interviewers[name][0]) for s in transcript.speakers):
            # no names in the message: validation warnings are listed in the report's appendix
            problems.append(Problem(str(path), f"the interviewer given for {name} is none of its "
                                    f"{len(transcript.speakers)} speaker labels, so their turns are not known; write the "
                                    "interviewer as the transcript labels them", row=interviewers[name][1],
                                    column="interviewer", severity="warning"))
    return problems


def _silent_interviewees(config, path, participant_ids) -> list[Problem]:
    """A warning for each labelled transcript in which the manifest's interviewee never speaks (read from the
    anonymised copies, where speakers are participant IDs): the wrong ID, or the wrong file."""
    from .segments import load_documents, segment_document

    manifest = read_anonymised_manifest(config.outputs["anonymised"]) if config.outputs.get("anonymised") else None
    if manifest is None:
        return []
    try:
        texts = load_documents(config.outputs["anonymised"])
    except InputError:
        return []
    ids = None if participant_ids is None else set(map(str, participant_ids))
    problems = []
    for doc, pid, spoken in zip(manifest["document"], manifest["participant_id"], manifest["speaker_labels"]):
        if pid is None or spoken != "yes" or doc not in texts:
            continue
        speaking = set(segment_document(texts[doc], document=doc, participant_ids=ids)["participant_id"].dropna())
        if pid not in speaking:
            heard = ", ".join(sorted(speaking)) or "no participant"
            problems.append(Problem(str(path), f"the manifest names {pid} as the interviewee of anonymised transcript "
                                    f"{doc}, but {pid} never speaks in it ({heard} does); check the participant ID and "
                                    "the file name", column="participant_id", severity="warning"))
    return problems


def _stale(config, path: Path) -> list[Problem]:
    """A warning when the anonymised transcripts were written before the manifest (or its last change)."""
    folder = Path(config.outputs.get("anonymised", ""))
    if not folder.is_dir() or not any(folder.glob("*.txt")):
        return []
    written = folder / ANONYMISED_MANIFEST
    if written.is_file() and written.stat().st_mtime >= path.stat().st_mtime:
        return []
    return [Problem(str(path), "the anonymised transcripts were written before this manifest (or its last change), so "
                    f"the themes do not use it (or use an earlier version); run `rmresearch anonymise run --cohort {config.cohort}` again",
                    severity="warning")]


def no_speaker_message(name: str, interviewee: str | None, *, manifest: bool = True) -> str:
    """The warning for a transcript in which no speaker is found (``name``: its file or document name)."""
    if interviewee is not None:
        return (f"no speaker found in {name} (an auto-caption file without speaker labels?): the interview manifest "
                f"names {interviewee} as its interviewee, so every turn is attributed to {interviewee}; the "
                "interviewer's questions cannot be told apart from the answers in it")
    where = ("add a row for it to the interview manifest" if manifest else
             "name the interviewee in an interview manifest (inputs.interview_manifest: file, participant_id, interviewer)")
    return (f"no speaker found in {name} (an auto-caption file without speaker labels?): no turn can be attributed "
            f"to a participant, so it adds nothing to the themes (no participant, suggestions or framework-matrix "
            f"row); {where}, or add speaker labels")


# --------------------------------------------------------------------------- the anonymised manifest


def anonymised_manifest(manifest: pd.DataFrame, transcripts: Mapping[str, object], documents: Mapping[str, str],
                        texts: Mapping[str, str]) -> pd.DataFrame:
    """The manifest as the anonymised folder may hold it: no file names, no names.

    ``transcripts`` maps raw names to the raw :class:`~rmresearch.transcripts.Transcript`, ``documents`` raw names
    to document pseudonyms and ``texts`` raw names to the anonymised text. The interviewer's labels are read
    from the anonymised text at the turns whose raw label is the interviewer's (turn ``i`` is line ``i``).
    """
    from .segments import split_speaker

    entries = {f: (pid, who) for f, pid, who in zip(manifest["file"], manifest["participant_id"], manifest["interviewer"])}
    rows = []
    for raw, transcript in transcripts.items():
        pid, interviewer = entries.get(raw, (None, None))
        interviewer = None if interviewer is None or pd.isna(interviewer) else str(interviewer)
        lines = texts[raw].split("\n")
        labels = []
        for i, turn in enumerate(transcript.turns):
            if turn.speaker is not None and i < len(lines) and is_interviewer_label(turn.speaker, interviewer):
                label = split_speaker(lines[i])[0]
                if label is not None and label not in labels:
                    labels.append(label)
        rows.append({"document": documents[raw], "participant_id": pid, "interviewer_labels": ";".join(labels),
                     "speaker_labels": "yes" if has_speakers(transcript) else "no"})
    return pd.DataFrame(rows, columns=ANONYMISED_COLUMNS).sort_values("document").reset_index(drop=True)


def read_anonymised_manifest(folder: str | Path) -> pd.DataFrame | None:
    """The anonymised manifest in ``folder`` (the anonymised transcripts), or ``None`` when there is none."""
    path = Path(folder) / ANONYMISED_MANIFEST
    if not path.is_file():
        return None
    from ..io.text import read_text

    frame = pd.read_csv(io.StringIO(read_text(path, limit=10_000_000, what="the anonymised interview manifest")), dtype=str,
                        keep_default_na=False)
    missing = set(ANONYMISED_COLUMNS) - set(frame.columns)
    if missing:
        raise InputError(f"{path}: lacks column(s) {', '.join(sorted(missing))}; it is written by `rmresearch anonymise "
                         "run`: run it again rather than editing the file.")
    return frame.assign(participant_id=frame["participant_id"].replace("", None))


def speaker_roles(segments: pd.DataFrame, manifest: pd.DataFrame | None = None) -> pd.DataFrame:
    """Segments with ``speaker_role`` and, for unlabelled transcripts, ``participant_id`` from the manifest.

    ``speaker_role`` is ``"interviewee"`` (a participant speaks: a participant-ID label, or any turn of an
    unlabelled transcript the manifest attributes), ``"interviewer"`` (the manifest's interviewer labels, or a
    role word such as ``Interviewer``), ``"other"`` (another speaker) or ``"unattributed"`` (no speaker label and
    no manifest row). A participant the manifest names as a transcript's interviewer (a peer interview) speaks as
    the interviewer there: their turns get no ``participant_id``, so no theme count, quote or matrix row uses them.
    ``manifest`` is :func:`read_anonymised_manifest`'s table.

    >>> seg = pd.DataFrame({"document": ["a", "a", "a", "b"], "speaker": ["[PERSON_1]", "[P02]", "[PERSON_2]", None],
    ...                     "participant_id": [None, "P02", None, None]})
    >>> m = pd.DataFrame({"document": ["a", "b"], "participant_id": ["P02", "P05"],
    ...                   "interviewer_labels": ["[PERSON_1]", ""], "speaker_labels": ["yes", "no"]})
    >>> speaker_roles(seg, m)[["speaker_role", "participant_id"]].values.tolist()
    [['interviewer', None], ['interviewee', 'P02'], ['other', None], ['interviewee', 'P05']]
    >>> peer = m.assign(interviewer_labels=["[P02]", ""])
    >>> speaker_roles(seg, peer)[["speaker_role", "participant_id"]].values.tolist()[:2]
    [['other', None], ['interviewer', None]]
    """
    out = segments.copy()
    labels: dict[str, set[str]] = {}
    unlabelled: dict[str, str] = {}
    if manifest is not None:
        for doc, pid, found, spoken in zip(manifest["document"], manifest["participant_id"],
                                           manifest["interviewer_labels"], manifest["speaker_labels"]):
            labels[doc] = {s for s in str(found).split(";") if s}
            if spoken == "no" and pid is not None:
                unlabelled[doc] = pid
    pids, roles = [], []
    for doc, speaker, pid in zip(out["document"], out["speaker"], out["participant_id"]):
        if doc in unlabelled:
            pids.append(unlabelled[doc])
            roles.append("interviewee")
            continue
        if speaker is not None and speaker in labels.get(doc, ()):  # the manifest's interviewer, even a participant
            pids.append(None)
            roles.append("interviewer")
            continue
        pids.append(pid)
        if pid is not None:
            roles.append("interviewee")
        elif speaker is not None and is_interviewer_label(speaker):
            roles.append("interviewer")
        else:
            roles.append("other" if speaker is not None else "unattributed")
    out["participant_id"] = pd.Series(pids, index=out.index, dtype=object)
    out["speaker_role"] = pd.Series(roles, index=out.index, dtype=object)
    return out


def speaker_notes(segments: pd.DataFrame, manifest: pd.DataFrame | None = None) -> list[str]:
    """Sentences for the report about whose words the themes rest on (document pseudonyms and IDs only).

    One for the transcripts attributed whole to their interviewee (their interviewer's questions are counted with
    the answers), and one naming the transcripts in which no speaker is found and that the manifest does not
    attribute (they add nothing).

    >>> seg = pd.DataFrame({"document": ["a", "b"], "speaker": [None, None], "participant_id": [None, None]})
    >>> m = pd.DataFrame({"document": ["a"], "participant_id": ["P05"], "interviewer_labels": [""],
    ...                   "speaker_labels": ["no"]})
    >>> for note in speaker_notes(seg, m): print(note)
    Transcript a has no speaker labels (an auto-caption file): the interview manifest names its interviewee (P05), so every turn in it is counted as theirs; the interviewer's questions there cannot be told apart from the answers.
    No speaker is found in transcript b and the interview manifest does not say whose interview it is, so it adds nothing to the themes below; name its interviewee in the interview manifest (inputs.interview_manifest).
    """
    notes = []
    attributed = {}
    if manifest is not None:
        attributed = {d: p for d, p, s in zip(manifest["document"], manifest["participant_id"], manifest["speaker_labels"])
                      if s == "no" and p is not None}
    present = set(segments["document"])
    shown = {d: p for d, p in sorted(attributed.items()) if d in present}
    if len(shown) == 1:
        (doc, pid), = shown.items()
        notes.append(f"Transcript {doc} has no speaker labels (an auto-caption file): the interview manifest names its "
                     f"interviewee ({pid}), so every turn in it is counted as theirs; the interviewer's questions there "
                     "cannot be told apart from the answers.")
    elif shown:
        names = ", ".join(f"{d} ({p})" for d, p in shown.items())
        notes.append(f"Transcripts {names} have no speaker labels (auto-caption files): the interview manifest names each "
                     "one's interviewee (in brackets), so every turn in them is counted as that interviewee's; the "
                     "interviewer's questions there cannot be told apart from the answers.")
    spoken = segments.groupby("document", sort=True)["speaker"].apply(lambda s: s.notna().any())
    silent = [d for d, any_speaker in spoken.items() if not any_speaker and d not in attributed]
    if silent:
        one = len(silent) == 1
        notes.append(f"No speaker is found in transcript{'' if one else 's'} {', '.join(silent)} and the interview manifest "
                     f"does not say whose interview {'it is' if one else 'they are'}, so {'it adds' if one else 'they add'} "
                     "nothing to the themes below; name "
                     f"{'its' if one else 'their'} interviewee in the interview manifest (inputs.interview_manifest).")
    return notes


# --------------------------------------------------------------------------- what `anonymise run` does with it


class RunPlan:
    """The manifest as ``anonymise run`` applies it to one run's raw transcripts (``{raw name: Transcript}``).

    ``withheld_whole``: unlabelled transcripts whose interviewee (by the manifest) is ``excluded`` (no consent to
    interview use, or withdrawn): no speaker label says whose words they are, so every turn is withheld.
    ``warnings``: one line per transcript in which no speaker is found. :meth:`csv` is the anonymised manifest.
    """

    def __init__(self, config, transcripts: Mapping[str, object], excluded: Iterable[str] = ()):
        self.transcripts = dict(transcripts)
        participant_ids = None
        if config.inputs.get("participants") is not None and config.inputs.get("interview_manifest") is not None:
            from ..inputs import load_table

            participant_ids = load_table(config, "participants")["participant_id"].astype(str)
        self.manifest = load_manifest(config, participant_ids=participant_ids)
        entries = {} if self.manifest is None else dict(zip(self.manifest["file"], self.manifest["participant_id"].astype(str)))
        excluded = {str(e) for e in excluded}
        silent = [raw for raw, t in self.transcripts.items() if not has_speakers(t)]
        self.withheld_whole = {raw for raw in silent if entries.get(raw) in excluded}
        self.warnings = [no_speaker_message(raw, entries.get(raw), manifest=self.manifest is not None)
                         + (" (that participant did not consent to interview use, so all of it is withheld)"
                            if raw in self.withheld_whole else "") for raw in silent]

    def withhold(self, raw: str, marker: str, columns: list[str]) -> tuple[str, pd.DataFrame]:
        """The anonymised text of a transcript withheld whole (each turn's words replaced by ``marker``) and its log."""
        rows, lines, pos = [], [], 0
        for turn in self.transcripts[raw].turns:
            lines.append(marker)
            rows.append({"label": "WITHHELD", "pseudonym": marker, "start": turn.char_start, "end": turn.char_end,
                         "out_start": pos, "out_end": pos + len(marker), "layer": "consent", "confidence": 1.0,
                         "decision": "consent"})
            pos += len(marker) + 1
        log = pd.DataFrame(rows, columns=columns)
        log["out_start"] = log["out_start"].astype("Int64")
        log["out_end"] = log["out_end"].astype("Int64")
        return "\n".join(lines), log

    def csv(self, documents: Mapping[str, str], texts: Mapping[str, str]) -> str | None:
        """The anonymised manifest (:data:`ANONYMISED_MANIFEST`) as CSV text, or ``None`` without a manifest."""
        if self.manifest is None:
            return None
        return anonymised_manifest(self.manifest, self.transcripts, documents, texts).to_csv(index=False)
