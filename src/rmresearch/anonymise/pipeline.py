"""Anonymise a cohort's transcripts: detect, review, pseudonymise, log.

Options read from the cohort file (``options.anonymise``; all optional):

``style``
    ``tags`` (default: ``[P07]``, ``[PERSON_3]``) or ``surrogates`` (invented names).
``review_threshold``
    Candidates below this confidence go to the review CSV (default 0.75).
``min_confidence``
    Candidates below this are ignored altogether (default 0.5).
``pending``
    What happens to an undecided review candidate: ``replace`` (default) or ``keep``.
``review_file``
    Where the review CSV lives (default ``<interviews folder>/../review.csv``).
``generalise``
    Indirect-identifier labels replaced by their suggestion until a reviewer decides (default ``[ROLE, UNIT,
    DESCRIPTOR]``); the others (``SPECIAL_CATEGORY`` by default) are kept in the text until decided, and count
    towards the re-identification risk.
``quote_risk_threshold``
    A quote whose re-identification risk is above this is not quoted publicly until reviewed (default 0.5).
``layers``, ``labels``, ``allow``, ``deny``
    See :class:`~rmresearch.anonymise.detectors.DetectorOptions`; ``allow`` and
    ``deny`` add to the built-in allow list and to the institution's name.

Identifier formats come from ``options.identifiers`` (name -> regex).

Outputs: ``outputs.anonymised/<document>.txt`` per transcript and
``<document>.log.csv`` beside it (label, pseudonym, positions, layer, confidence;
never the original words), where ``<document>`` is the transcript's document
pseudonym (``interview_01``, ``interview_02``... given in sorted order of the raw
file names when first seen, never the raw file name, which may name a person);
the key in ``outputs.keys`` (mode 0600) holds the pseudonyms, including raw file
name -> document pseudonym; the review CSV beside the raw folder. Raw files are
only read. The anonymised folder, key and review file are replaced together, so
an interrupted run leaves the previous state or the new one, never a mixture.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import pandas as pd

from ..errors import ConfigError, InputError
from ..transcripts import MAX_TRANSCRIPT_BYTES as _READER_LIMIT
from . import staging
from .detectors import DEFAULT_ALLOW, Detector, DetectorOptions
from .pseudonyms import PseudonymKey, key_path
from .replace import (DEFAULT_GENERALISE, LOG_COLUMNS, WITHHELD, AnonymiseSettings, anonymise_text,  # noqa: F401
                      indirect_outcomes, indirect_sentence)
from .review import ReviewQueue, review_path
from .risk import candidate_risk, risk_model
from .roster import Roster, load_roster
from .spans import INDIRECT_LABELS

if TYPE_CHECKING:
    from ..transcripts import Transcript

__all__ = ["AnonymiseSettings", "anonymise_text", "anonymise_cohort", "settings_from_config", "detector_for",
           "transcript_files", "LOG_COLUMNS", "anonymisation_summary", "check_anonymised", "recover_interrupted",
           "interview_exclusions", "consent_not_applied", "consent_not_in_copies", "WITHHELD"]

TRANSCRIPT_SUFFIXES = (".txt", ".docx", ".vtt", ".srt", ".jsonl")


_KNOWN_KEYS = {"style", "review_threshold", "min_confidence", "pending", "review_file", "layers", "labels", "allow", "deny",
               "generalise", "quote_risk_threshold"}


def _generalise(config, opts: dict) -> tuple[str, ...]:
    """``options.anonymise.generalise``: a list of indirect labels (or one), checked by name."""
    value = opts.get("generalise", list(DEFAULT_GENERALISE))
    if value is None:
        value = []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"{config.path}: options.anonymise.generalise must be a list of labels, e.g. "
                          f"[{', '.join(DEFAULT_GENERALISE)}]; known labels: {', '.join(INDIRECT_LABELS)}")
    labels = tuple(str(x).strip().upper().replace(" ", "_") for x in value)
    bad = sorted(set(labels) - set(INDIRECT_LABELS))
    if bad:
        raise ConfigError(f"{config.path}: unknown label(s) {', '.join(bad)} in options.anonymise.generalise; "
                          f"known labels: {', '.join(INDIRECT_LABELS)}")
    return labels


def settings_from_config(config) -> tuple[AnonymiseSettings, DetectorOptions]:
    """Read ``options.anonymise`` and ``options.identifiers`` with clear errors."""
    opts = dict(config.options.get("anonymise") or {})
    unknown = set(opts) - _KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{config.path}: unknown option(s) under options.anonymise: {', '.join(sorted(unknown))}; "
                          f"known: {', '.join(sorted(_KNOWN_KEYS))}")
    generalise = _generalise(config, opts)
    try:
        settings = AnonymiseSettings(
            style=str(opts.get("style", "tags")),
            review_threshold=opts.get("review_threshold", 0.75),
            min_confidence=opts.get("min_confidence", 0.5),
            pending=str(opts.get("pending", "replace")),
            generalise=generalise,
            quote_risk_threshold=opts.get("quote_risk_threshold", 0.5),
        )
    except ConfigError as exc:
        raise ConfigError(f"{config.path}: {exc}") from None
    deny = []
    for item in opts.get("deny") or []:
        if isinstance(item, dict):
            if "text" not in item:
                raise ConfigError(f"{config.path}: each options.anonymise.deny mapping needs 'text' (and optionally 'label').")
            deny.append((str(item["text"]), str(item.get("label", "PERSON")).upper()))
        else:
            deny.append((str(item), "PERSON"))
    allow = list(DEFAULT_ALLOW) + [str(a) for a in opts.get("allow") or []]
    institution = getattr(config, "institution", "")
    if institution:
        name = institution.split(" (")[0]
        allow.append(name)
        # Its distinctive words too ("Anytown"), as people say them alone.
        allow += [w for w in re.findall(r"[^\W\d_]+", name) if w[:1].isupper()
                  and w.casefold() not in ("university", "college", "of", "the", "institute", "school")]
    layers = tuple(opts.get("layers") or DetectorOptions().layers)
    bad = set(layers) - set(DetectorOptions().layers)
    if bad:
        raise ConfigError(f"{config.path}: unknown layer(s) {', '.join(sorted(bad))} in options.anonymise.layers; "
                          f"known: {', '.join(DetectorOptions().layers)}")
    labels = tuple(str(x).upper() for x in opts.get("labels") or ())
    bad = set(labels) - {"LOCATION", "ORG"}
    if bad:
        raise ConfigError(f"{config.path}: options.anonymise.labels may hold LOCATION and ORG, not {', '.join(sorted(bad))}")
    identifiers = config.options.get("identifiers") or {}
    if not isinstance(identifiers, dict):
        raise ConfigError(f"{config.path}: options.identifiers must map a name to a regular expression.")
    detector_options = DetectorOptions(layers=layers, labels=labels, allow=tuple(allow), deny=tuple(deny),
                                       identifiers=dict(identifiers))
    return settings, detector_options


def detector_for(config, *, roster: Roster | None = None) -> Detector:
    """The cohort's detector: its roster and options."""
    _, options = settings_from_config(config)
    return Detector(roster if roster is not None else load_roster(config), options=options)


def interview_exclusions(config) -> set[str]:
    """Participant IDs whose words are withheld from the anonymised copies (see :mod:`rmresearch.consent`)."""
    from ..consent import excluded_from_interviews

    if config.inputs.get("participants") is None and not (config.options or {}).get("withdrawn"):
        return set()
    return excluded_from_interviews(config)


def transcript_files(folder: Path) -> list[Path]:
    """Transcripts in ``folder`` and its subfolders (not hidden, known suffixes), sorted by :func:`raw_name`.

    A link to a missing file is listed too, so reading it gives a clear error
    instead of the transcript being skipped without a word.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: inputs.interviews is a file, not a folder; point it at the folder of raw transcripts.")
    if not folder.is_dir():
        raise InputError(f"{folder}: the interviews folder does not exist; set inputs.interviews in the cohort file.")
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            p = Path(dirpath) / name
            if (not name.startswith(".") and p.suffix.lower() in TRANSCRIPT_SUFFIXES
                    and (p.is_file() or (p.is_symlink() and not p.exists()))):
                found.append(p)
    return sorted(found, key=lambda p: raw_name(p, folder))


def raw_name(path: Path, folder: Path) -> str:
    """How the key names a raw transcript: its path below the raw folder (``sub/file.docx``)."""
    return Path(path).relative_to(folder).as_posix()


#: A transcript larger than this is refused before it is hashed or read: the reader's one limit
#: (an interview's text is a few hundred kB; a .docx with photos a few MB).
MAX_TRANSCRIPT_BYTES = _READER_LIMIT
JOURNAL_FILENAME = ".anonymise-journal.json"
LOCK_FILENAME = ".anonymise.lock"


def _digest(path: Path) -> str:
    if path.is_symlink() and not path.exists():
        raise InputError(f"{path}: a link to a file that does not exist ({os.readlink(path)}); "
                         "copy the transcript itself into the raw folder.")
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}); it may have been moved or deleted during the run. "
                         "Nothing was written; put it back (or leave it out) and run again.") from None


def _output_names(files: list[Path], key: "PseudonymKey | None" = None, raw_dir: Path | None = None) -> dict[Path, str]:
    """Output name (document pseudonym, never the raw file name) of each raw transcript the key
    already names (:meth:`PseudonymKey.document_names` gives new ones); ``{}`` without a key."""
    if key is None:
        return {}
    names = {f: raw_name(f, raw_dir) if raw_dir is not None else f.name for f in files}
    return {f: key.documents[n]["document"] for f, n in names.items() if n in key.documents}


@contextlib.contextmanager
def _run_lock(keys_dir: Path):
    """One ``anonymise run`` per cohort at a time (released by the system if the run is killed).
    Where there is no ``fcntl`` (Windows) runs are not locked against each other."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        fcntl = None
    try:
        keys_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(keys_dir, 0o700)
        fd = os.open(keys_dir / LOCK_FILENAME, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise InputError(f"{keys_dir}: the keys folder cannot be written ({exc.strerror}); "
                         "check outputs.keys in the cohort file and the folder's permissions.") from None
    try:
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise InputError(f"{keys_dir}: another `rmresearch anonymise run` of this cohort is running; "
                             "wait for it to finish.") from None
        yield
    finally:
        os.close(fd)


def _inside(child: Path, parent: Path) -> bool:
    child, parent = Path(child).resolve(), Path(parent).resolve()
    return child == parent or parent in child.parents


def _run_paths(config) -> tuple[Path, Path, Path, Path]:
    kpath = key_path(config)
    return kpath.parent / JOURNAL_FILENAME, Path(config.outputs["anonymised"]), kpath, review_path(config)


def recover_interrupted(config) -> str:
    """Finish (or discard) what a killed ``anonymise run`` left; every run does this first.

    Returns ``"rolled forward"``, ``"discarded"`` or ``""`` (nothing to do).
    """
    journal, out_dir, kpath, rpath = _run_paths(config)
    if not kpath.parent.is_dir():
        return ""
    with _run_lock(kpath.parent):
        return staging.recover(journal, out_dir, [kpath, rpath])


def _check_places(config, out_dir: Path, raw_dir: Path, rpath: Path) -> None:
    """Refuse an anonymised folder inside the raw one, and a review file inside the raw or a shared folder."""
    if _inside(out_dir, raw_dir):
        raise ConfigError(f"{config.path}: outputs.anonymised ({out_dir}) must not be inside the raw interviews folder {raw_dir}.")
    if raw_dir.resolve() in rpath.resolve().parents:
        raise ConfigError(f"{config.path}: the review file {rpath} must not be inside the raw folder {raw_dir}; "
                          "set options.anonymise.review_file elsewhere.")
    for name in ("anonymised", "reports"):
        shared = config.outputs.get(name)
        if shared is not None and _inside(rpath, shared):
            raise ConfigError(f"{config.path}: the review file {rpath} quotes original words and must not be inside "
                              f"outputs.{name} ({shared}), which is shared; set options.anonymise.review_file elsewhere "
                              "(default: beside the raw folder).")
    if rpath.is_dir():
        raise InputError(f"{rpath}: the review file is a folder; move it away or set options.anonymise.review_file.")


def _read_all(files: list[Path], raw_dir: Path, config=None) -> tuple[dict[Path, Transcript], dict[str, str]]:
    """Every raw transcript read (and its digest, by raw name) before anything is written: one unreadable
    file must not leave a half-done run, and all of them are named at once. The encoding is the one named for
    ``inputs.interviews`` (the cohort file, or ``anonymise run --encoding``), never guessed."""
    from ..transcripts import read_transcript

    how = {}
    if config is not None:
        from ..inputs import encoding_advice

        how = {"encoding": getattr(config, "encodings", {}).get("interviews"),
               "encoding_advice": encoding_advice(config, "interviews")}

    transcripts, digests, unreadable = {}, {}, []
    for path in files:
        try:
            size = path.stat().st_size if path.exists() else 0
            if size > MAX_TRANSCRIPT_BYTES:
                raise InputError(f"{path}: {size / 1e6:,.0f} MB, more than a transcript can be "
                                 f"({MAX_TRANSCRIPT_BYTES / 1e6:,.0f} MB); is it a recording or an export with "
                                 "media? Save the transcript's text alone (.docx without images, or .txt).")
            digests[raw_name(path, raw_dir)] = _digest(path)
            transcripts[path] = read_transcript(path, **how)
        except InputError as exc:
            unreadable.append(str(exc))
    if unreadable:
        raise InputError(
            f"{len(unreadable)} of {len(files)} transcript(s) cannot be read; nothing was written:\n  - "
            + "\n  - ".join(unreadable)
        )
    return transcripts, digests


def anonymise_cohort(config, *, roster: Roster | None = None, progress: bool = True) -> pd.DataFrame:
    """Anonymise every raw transcript of a cohort; return one summary row per document.

    Columns: ``document`` (the document pseudonym, e.g. ``interview_03``), ``output``,
    ``spans`` (identifiers replaced), ``review`` (candidates awaiting a decision), ``kept`` (indirect
    identifiers left in the text) and one count of replacements per label; ``attrs["indirect"]``:
    the indirect identifiers by label and outcome (:func:`indirect_outcomes`). Each review row's
    ``risk`` and ``risk_reasons`` are refreshed (:func:`rmresearch.anonymise.risk.candidate_risk`). Raw files are only read. The
    anonymised folder, the key and the review file are replaced together
    (:mod:`~rmresearch.anonymise.staging`): a run that fails or is killed leaves
    the previous state, and the next run finishes or discards its leftovers.
    """
    from ..guard import check_anonymise_outputs

    settings, options = settings_from_config(config)
    check_anonymise_outputs(config)  # folder, key and review file: never over an input, a key or into a report
    roster = roster if roster is not None else load_roster(config)
    detector = Detector(roster, options=options)
    kpath = key_path(config)
    out_dir = Path(config.outputs["anonymised"])
    raw_dir = Path(config.input_path("interviews"))
    rpath = review_path(config)
    _check_places(config, out_dir, raw_dir, rpath)
    files = transcript_files(raw_dir)
    if not files:
        others = sorted(raw_name(p, raw_dir) for p in raw_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
        hint = (f" It holds {', '.join(others[:5])}{' ...' if len(others) > 5 else ''}, of types not read; "
                "export them as .docx or .txt." if others else "")
        raise InputError(f"{raw_dir}: no transcripts ({', '.join(TRANSCRIPT_SUFFIXES)}) in the raw interviews folder.{hint}")
    journal = kpath.parent / JOURNAL_FILENAME
    with _run_lock(kpath.parent):
        staging.recover(journal, out_dir, [kpath, rpath])
        key = PseudonymKey.load(kpath, cohort=config.cohort, style=settings.style, roster=roster, require_private=True)
        review = ReviewQueue(rpath)
        transcripts, digests = _read_all(files, raw_dir, config)
        excluded = interview_exclusions(config)
        from ..coding.manifest import ANONYMISED_MANIFEST, RunPlan

        # whose interview each file is (inputs.interview_manifest): unlabelled transcripts, interviewer labels
        plan = RunPlan(config, {raw_name(p, raw_dir): t for p, t in transcripts.items()}, excluded)
        key.withheld = sorted(excluded)
        documents = key.document_names(digests)
        review.rename_documents(documents)  # rows written before documents had pseudonyms
        # one suggestion per indirect phrase in every document: a reviewer's edit, else what rows already hold
        suggestions, conflicts = review.suggestions()
        model = risk_model(config)  # the risk of each candidate's passage, shown in review.csv
        outputs: dict[str, str] = {}
        anonymised: dict[str, str] = {}
        rows, logs = [], []
        iterator = files
        if progress:
            from tqdm.auto import tqdm

            iterator = tqdm(files, desc=f"anonymise {config.cohort}", unit="transcript")
        for path in iterator:
            transcript = transcripts[path]
            name = documents[raw_name(path, raw_dir)]
            turns = [(t.speaker_start, t.speaker_end, t.char_start, t.char_end) for t in transcript.turns
                     if t.speaker_start is not None]
            if raw_name(path, raw_dir) in plan.withheld_whole:  # unlabelled, and its interviewee did not consent
                text, log = plan.withhold(raw_name(path, raw_dir), WITHHELD, LOG_COLUMNS)
            else:
                own = roster.own_names(plan.manifest, raw_name(path, raw_dir))  # "i'm favour" in her own file
                text, log = anonymise_text(transcript.text, detector, key, document=name, settings=settings,
                                           review=review, turns=turns, excluded=excluded, own_names=own,
                                           suggestions=suggestions)
            anonymised[raw_name(path, raw_dir)] = text
            outputs[f"{name}.txt"] = text + ("\n" if not text.endswith("\n") else "")
            outputs[f"{name}.log.csv"] = log.to_csv(index=False)
            _fill_risk(review, name, transcript.text, text, log, model)
            rows.append(_summary_row(name, log))
            logs.append(log.assign(document=name))
            logs[-1].attrs = {}  # metadata is not part of the log (and pd.concat compares it)
        # open-text survey answers: same detector, key, review file and consent, swapped in with the transcripts
        open_text = _add_open_text(config, detector, key, settings, review, suggestions, excluded, model,
                                   outputs, rows, logs)
        written = set(documents.values()) | {d.name for d in (open_text.documents if open_text else ())}
        review.prune(written)
        if plan.manifest is not None:
            outputs[ANONYMISED_MANIFEST] = plan.csv(documents, anonymised)
        _commit(journal, out_dir, outputs, {kpath: key.dumps(), rpath: review.dumps()})
        key.path, key.changed = kpath, False
    summary = _run_summary(rows, logs)
    summary.attrs["suggestion_conflicts"] = conflicts
    # Decisions that matched no candidate (text or offsets edited, or the raw file changed): say so.
    summary.attrs["unmatched_decisions"] = review.unmatched(written)
    summary.attrs["no_speakers"] = plan.warnings  # transcripts in which no speaker is found, named
    summary.attrs["open_text"] = open_text  # surveys.opentext.OpenTextRun (documents, counts), None without surveys
    return summary


def _commit(journal: Path, out_dir: Path, outputs: dict[str, str], private: dict[Path, str]) -> None:
    """Swap the outputs, key and review file in together (:func:`staging.commit`)."""
    # Anything else a researcher keeps in the folder stays; outputs of files no longer in raw go.
    keep = {p.name: p for p in out_dir.iterdir() if p.is_file() and not p.name.startswith(".")
            and not p.name.endswith((".txt", ".log.csv"))} if out_dir.is_dir() else {}
    keep = {n: p for n, p in keep.items() if n not in outputs}  # this run's anonymised manifest replaces the last
    try:
        staging.commit(journal, out_dir, outputs, private, keep=keep)
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        raise InputError(f"cannot write the outputs ({exc.strerror}{where}); nothing was changed. "
                         "Check the folders' permissions and free space, then run again.") from None


def _add_open_text(config, detector, key, settings, review, suggestions, excluded, model, outputs, rows, logs):
    """The cohort's open-text survey answers anonymised (:func:`rmresearch.surveys.opentext.anonymise_open_text`)
    into ``outputs`` as ``survey_<wave>_<question>.txt`` documents, with their logs, summary rows and review risks;
    ``None`` when the cohort configures no surveys (rmresearch.surveys, with scipy, is then not imported)."""
    if not (config.inputs.get("surveys") or {}):
        return None
    from ..surveys.opentext import anonymise_open_text

    run = anonymise_open_text(config, detector, key, settings=settings, review=review, suggestions=suggestions,
                              excluded=excluded)
    for doc in run.documents:
        outputs[f"{doc.name}.txt"] = doc.text + "\n"
        outputs[f"{doc.name}.log.csv"] = doc.log.to_csv(index=False)
        _fill_risk(review, doc.name, doc.raw, doc.text, doc.log, model)
        rows.append(_summary_row(doc.name, doc.log))
        logs.append(doc.log.assign(document=doc.name))
    return run


def _run_summary(rows: list[dict], logs: list[pd.DataFrame]) -> pd.DataFrame:
    """The run's summary (one row per document) with the indirect identifiers by label and outcome in ``attrs``."""
    summary = pd.DataFrame(rows).fillna(0)
    for col in summary.columns[4:]:
        summary[col] = summary[col].astype(int)
    logs = [f for f in logs if len(f)]  # an empty log adds nothing (and would only change the dtypes)
    summary.attrs["indirect"] = indirect_outcomes(pd.concat(logs, ignore_index=True) if logs
                                                  else pd.DataFrame(columns=LOG_COLUMNS + ["document"]))
    return summary


def _fill_risk(review: ReviewQueue, document: str, raw: str, text: str, log: pd.DataFrame, model) -> None:
    """``risk`` and ``risk_reasons`` of each of the document's review rows: what remains in its passage."""
    for r in candidate_risk(text, log, model, document=document).itertuples():
        review.set_risk(document, r.start, r.end, raw[r.start:r.end], r.risk, r.risk_reasons)


def _summary_row(document: str, log: pd.DataFrame) -> dict:
    """One document's summary: identifiers replaced by label (words kept are not counted), ``kept`` (indirect
    identifiers left in the text) and ``review`` (candidates awaiting a decision)."""
    replaced = log.loc[log["pseudonym"].fillna("").astype(str) != "", "label"].value_counts().to_dict()
    kept = int(((log["pseudonym"].fillna("") == "") & log["label"].isin(INDIRECT_LABELS)).sum())
    return {"document": document, "output": f"{document}.txt", "spans": int(sum(replaced.values())),
            "review": int((log["decision"] == "pending").sum()), "kept": kept,
            **{k: int(v) for k, v in replaced.items()}}


def check_anonymised(config) -> None:
    """Raise :class:`InputError` unless every raw transcript has an up-to-date anonymised copy.

    Reports only ever read anonymised text: this is the check they run first, so a
    researcher anonymises (and looks at the review queue) before anything is reported.
    A copy is out of date when the raw file is newer or its content changed since.
    A cohort with no ``inputs.interviews`` passes. A key others may read, or anonymised copies that
    still hold the turns of a participant who withdrew or gave no interview consent, are refused too.
    """
    from .pseudonyms import require_private_key

    require_private_key(key_path(config))  # the leak audit reads it
    if config.inputs.get("interviews") is None:
        return
    raw_dir = Path(config.input_path("interviews"))
    files = transcript_files(raw_dir)
    kpath = key_path(config)
    if (kpath.parent / JOURNAL_FILENAME).exists():
        raise InputError(f"The last `rmresearch anonymise run --cohort {config.cohort}` was interrupted while it swapped "
                         "its outputs in; run it again (it finishes the swap) before reporting.")
    # the report's leak audit reads the key: one others may read is refused here, before anything runs
    key = PseudonymKey.load(kpath, cohort=config.cohort, require_private=True) if kpath.exists() else None
    names = _output_names(files, key, raw_dir)
    out_dir = Path(config.outputs["anonymised"])
    stale = []
    for path in files:
        out = out_dir / f"{names.get(path, '')}.txt"
        if (path not in names or not out.exists() or out.stat().st_mtime < path.stat().st_mtime
                or key.documents[raw_name(path, raw_dir)].get("sha256") not in (None, _digest(path))):
            stale.append(raw_name(path, raw_dir))
    if stale:
        shown = ", ".join(stale[:5]) + (f" and {len(stale) - 5} more" if len(stale) > 5 else "")
        raise InputError(
            f"{len(stale)} of {len(files)} interview transcript(s) have no up-to-date anonymised copy in {out_dir} "
            f"({shown}). Run `rmresearch anonymise run --cohort {config.cohort}`, check the review file, then report again."
        )
    _check_survey_copies(config, out_dir)
    stale_consent = consent_not_in_copies(config)
    if stale_consent:
        raise InputError(
            f"{stale_consent}. The anonymised folder is shared with coders: run "
            f"`rmresearch anonymise run --cohort {config.cohort}` to withhold them, then report again."
        )


def _check_survey_copies(config, out_dir: Path) -> None:
    """Refuse anonymised open-text survey answers (``survey_*.txt``) older than a survey export they came from."""
    copies = [p.stat().st_mtime for p in out_dir.glob("survey_*.txt")] if out_dir.is_dir() else []
    exports = [Path(f) for f in (config.inputs.get("surveys") or {}).values()]
    newer = [f.name for f in exports if copies and f.is_file() and f.stat().st_mtime > min(copies)]
    if newer:
        raise InputError(f"The survey export(s) {', '.join(newer)} changed after their open-text answers were "
                         f"anonymised into {out_dir}. Run `rmresearch anonymise run --cohort {config.cohort}` "
                         "again, check the review file, then report again.")


def consent_not_in_copies(config, files: Iterable[str | Path] | None = None) -> str:
    """A sentence naming (by participant ID and file only) who may no longer be quoted but still speaks in the
    anonymised copies (``files``: default all of them); ``""`` when nobody does."""
    from ..consent import stale_turns

    if config.inputs.get("participants") is None and not (config.options or {}).get("withdrawn"):
        return ""
    rows = stale_turns(config, files)
    if not rows:
        return ""
    shown = [f"{n} turn(s) of {pid}, who {why}, in {Path(path).name}" for pid, why, path, n, _ in rows[:5]]
    more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
    return ("anonymised transcripts still hold the words of participants who may no longer be quoted: "
            + "; ".join(shown) + more)


def consent_not_applied(config) -> list[str]:
    """Participants who may no longer be quoted (no interview consent, or withdrawn) whose words the
    anonymised copies still hold, because the last ``anonymise run`` came before the change.

    Reports withhold their turns when they load the texts (:func:`rmresearch.coding.load_coding_data`);
    the anonymised folder itself, if shared as it is, would not. ``[]`` when there is no key yet.
    """
    kpath = key_path(config)
    if config.inputs.get("interviews") is None or not kpath.exists():
        return []
    key = PseudonymKey.load(kpath, cohort=config.cohort)
    return sorted(set(interview_exclusions(config)) - set(key.withheld))


def anonymisation_summary(config) -> dict:
    """What the anonymised outputs hold, for the report (counts only, no identifiers).

    Returns a dict with ``documents`` (interview transcripts), ``survey_documents`` (open-text survey answers,
    ``survey_*``), ``by_label`` (label, mentions, documents: the mentions replaced, an indirect
    identifier's by its generalisation; words kept are not counted), ``review_pending``,
    ``review_total``, ``documents``, ``consistency`` (one row per roster person
    mentioned: how many distinct pseudonyms they received, which should be 1),
    ``withheld_turns`` (turns withheld for consent; not an identifier, so not in ``by_label``),
    ``indirect`` (indirect identifiers by label and outcome: :func:`~rmresearch.anonymise.replace.indirect_outcomes`),
    ``indirect_sentence`` (:func:`~rmresearch.anonymise.replace.indirect_sentence`) and
    ``review_pending_indirect`` (indirect candidates awaiting a decision).
    """
    out_dir = Path(config.outputs["anonymised"])
    logs = sorted(out_dir.glob("*.log.csv"))
    frames = []
    for p in logs:
        f = pd.read_csv(p, dtype={"pseudonym": str, "kind": str}, keep_default_na=False)
        f["document"] = p.name[: -len(".log.csv")]
        frames.append(f)
    log = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=LOG_COLUMNS + ["document"])
    withheld = int((log["label"] == "WITHHELD").sum())
    used = log.loc[(log["pseudonym"].fillna("").astype(str) != "") & (log["label"] != "WITHHELD")]
    by_label = (used.groupby("label").agg(mentions=("pseudonym", "size"), documents=("document", "nunique"))
                .reset_index().sort_values("mentions", ascending=False).reset_index(drop=True))
    indirect = indirect_outcomes(log)
    rpath = review_path(config)
    review = ReviewQueue(rpath) if rpath.exists() else None
    kpath = key_path(config)
    consistency = pd.DataFrame(columns=["participant", "pseudonyms", "documents"])
    if kpath.exists():
        key = PseudonymKey.load(kpath, cohort=config.cohort)
        per_person: dict[str, set] = {}
        for e in key.entries.values():
            if e.get("participant_id"):
                per_person.setdefault(e["participant_id"], set()).add(e["pseudonym"] or e["participant_id"])
        docs = used.loc[used["label"] == "PERSON"].groupby("pseudonym")["document"].nunique()
        consistency = pd.DataFrame([
            {"participant": pid, "pseudonyms": len(ps),
             "documents": int(sum(docs.get(p, 0) for p in ps))} for pid, ps in sorted(per_person.items())
        ], columns=["participant", "pseudonyms", "documents"])
    surveys = [p for p in logs if p.name.startswith("survey_")]  # open-text survey answers (surveys.opentext)
    return {
        "documents": len(logs) - len(surveys),
        "survey_documents": len(surveys),
        "by_label": by_label,
        "review_pending": review.pending() if review else 0,
        "review_total": len(review.rows) if review else 0,
        "consistency": consistency,
        "withheld_turns": withheld,
        "indirect": indirect,
        "indirect_sentence": indirect_sentence(indirect),
        "review_pending_indirect": review.pending(INDIRECT_LABELS) if review else 0,
    }
