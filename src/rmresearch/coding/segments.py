"""Coding units (segments) of anonymised transcripts, with stable IDs and character offsets.

Coding works only on anonymised text: the ``.txt`` files the anonymiser writes
in the canonical ``Speaker: text`` line format, one line per speaker turn.

Offsets
-------
All offsets are 0-based and end-exclusive, counted in Unicode characters of
the text *as stored in the file*: decoded from UTF-8, with a leading byte-order
mark (an encoding signature, not content) removed, and line endings kept
exactly (``\\r\\n`` counts as two characters). These are the offsets written to
coding CSV files and to REFI-QDA ``PlainTextSelection`` elements, whose source
files rmresearch writes without a BOM, so ``text[start:end]`` is always the
coded passage.

Segment IDs
-----------
``<document>#t003`` is the third turn of ``<document>.txt`` (turns count every
non-blank line); ``<document>#t003.s02`` its second sentence;
``<document>#p004`` the fourth paragraph (blocks separated by blank lines, or
lines when there are none). IDs depend only on the file name and the turn and
sentence order, so they are stable across runs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from ..errors import AnalysisError, InputError

__all__ = [
    "UNITS",
    "SEGMENT_COLUMNS",
    "read_source_text",
    "load_documents",
    "split_speaker",
    "segment_document",
    "segment_documents",
    "sentence_spans",
    "interviewee_units",
    "SPEAKERS",
    "SURVEY_PREFIX",
    "survey_documents",
    "survey_note",
    "corpus_counts",
]

#: Documents ``anonymise run`` writes from open-text survey answers (:mod:`rmresearch.surveys.opentext`):
#: ``survey_<wave>_<question>``, one ``[P07]: answer`` line per respondent, beside the interview transcripts.
SURVEY_PREFIX = "survey_"


def survey_documents(names: Iterable[str]) -> list[str]:
    """The names of open-text survey documents among ``names`` (sorted).

    >>> survey_documents(["interview_01", "survey_post_what_worked"])
    ['survey_post_what_worked']
    """
    return sorted(n for n in names if str(n).startswith(SURVEY_PREFIX))


def survey_note(names: Iterable[str]) -> tuple[str, ...]:
    """The report's sentence when some of the documents are open-text survey answers, not interviews.

    >>> print(survey_note(["interview_01", "survey_post_what_worked"])[0])
    1 of these 2 documents holds open-text survey answers (survey_post_what_worked), not an interview: each answer is one turn of its respondent, coded and counted with the interview turns in the tables of themes; the transcripts and participants interviewed are counted from the interviews alone.
    """
    names = list(names)
    surveys = survey_documents(names)
    if not surveys:
        return ()
    one = len(surveys) == 1
    return (f"{len(surveys)} of these {len(names)} documents {'holds' if one else 'hold'} open-text survey answers "
            f"({', '.join(surveys)}), not {'an interview' if one else 'interviews'}: each answer is one turn of its "
            "respondent, coded and counted with the interview turns in the tables of themes; the transcripts and "
            "participants interviewed are counted from the interviews alone.",)


def corpus_counts(texts: Iterable[str], segments) -> dict[str, int]:
    """What the coded documents hold, interviews and open-text survey documents apart: ``interviews``,
    ``survey_documents``, ``turns`` (every segment), ``survey_answers`` (segments of survey documents) and
    ``interviewed`` (participants who speak in an interview).

    >>> import pandas as pd
    >>> seg = pd.DataFrame({"document": ["interview_01", "interview_01", "survey_post_what_worked"],
    ...                     "participant_id": ["P13", "P01", "P02"]})
    >>> corpus_counts(["interview_01", "survey_post_what_worked"], seg)
    {'interviews': 1, 'survey_documents': 1, 'turns': 3, 'survey_answers': 1, 'interviewed': 2}
    """
    names = list(texts)
    surveys = set(survey_documents(names))
    in_survey = segments["document"].isin(surveys)
    return {"interviews": len(names) - len(surveys), "survey_documents": len(surveys), "turns": len(segments),
            "survey_answers": int(in_survey.sum()),
            "interviewed": int(segments.loc[~in_survey, "participant_id"].dropna().nunique())}

UNITS = ("turn", "sentence", "paragraph")
SEGMENT_COLUMNS = [
    "segment_id", "document", "unit", "turn", "sentence", "start", "end", "speaker", "participant_id", "text",
]

# A speaker label: up to 60 characters without a colon or sentence punctuation, then ":".
_SPEAKER_RE = re.compile(r"^(?P<label>[^\s:.!?][^:\r\n.!?]{0,59}?)[ \t]*:(?:[ \t]+|$)")
# Participant IDs as the anonymiser writes them (P07, PT012, S3...), used when no list of IDs is given.
_PARTICIPANT_ID_RE = re.compile(r"^[A-Z]{1,4}\d{1,5}$")
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r|$)")


def read_source_text(path: str | Path) -> str:
    """Text of an anonymised transcript as stored: BOM removed, line endings kept (codings count them).

    Read and decoded by the one policy of :mod:`rmresearch.io.text` (UTF-8, or the encoding its byte-order
    mark names; size-limited like every transcript).

    Raises
    ------
    InputError
        The file is missing, too large, empty, binary or not UTF-8.
    """
    from ..io.text import read_text
    from ..transcripts import MAX_TRANSCRIPT_BYTES

    path = Path(path)
    if not path.is_file():
        raise InputError(f"Transcript not found: {path}")
    return read_text(path, limit=MAX_TRANSCRIPT_BYTES, what="an anonymised .txt transcript", newlines=False,
                     advice="Anonymised transcripts are written as UTF-8: re-run the anonymiser or save the file as UTF-8.")


def load_documents(folder: str | Path, *, pattern: str = "*.txt") -> dict[str, str]:
    """``{document: text}`` for every anonymised transcript in ``folder`` (sorted by name).

    The document name is the file name without ``.txt``; it is the prefix of
    every segment ID.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(
            f"No folder of anonymised transcripts at {folder}. Run `rmresearch anonymise --cohort <cohort>` first; "
            "coding works only on anonymised text."
        )
    paths = sorted(p for p in folder.glob(pattern) if p.is_file() and not p.name.startswith("."))
    if not paths:
        raise InputError(f"No {pattern} transcripts in {folder}. Run the anonymiser first.")
    return {p.stem: read_source_text(p) for p in paths}


def split_speaker(line: str) -> tuple[str | None, int]:
    """The speaker label of a ``Speaker: text`` line and where the spoken text starts.

    Examples
    --------
    >>> split_speaker("P07: I felt heard.")
    ('P07', 5)
    >>> split_speaker("[PERSON_3]: Yes.")
    ('[PERSON_3]', 12)
    >>> split_speaker("No label here, just text.")
    (None, 0)
    """
    m = _SPEAKER_RE.match(line)
    if not m:
        return None, 0
    return m.group("label").strip(), m.end()


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line's content, without its line ending."""
    spans = []
    for m in _LINE_RE.finditer(text):
        if m.start() == m.end():
            break
        content = m.group(0).rstrip("\r\n")
        spans.append((m.start(), m.start() + len(content)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_REGEX_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9\[])")
_ABBREVIATIONS = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Prof|St|e\.g|i\.e|etc|vs|cf|No)\.$", re.IGNORECASE)


def _regex_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _REGEX_SENTENCE_END.finditer(text):
        if _ABBREVIATIONS.search(text[start:m.start()]):
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [s for s in (_trim(text, a, b) for a, b in spans) if s[1] > s[0]]


def sentence_spans(text: str, *, splitter: str = "punkt", tokenizer=None) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets within ``text``.

    ``splitter="punkt"`` uses NLTK's Punkt algorithm; pass a ``tokenizer``
    trained on the corpus itself (as :func:`segment_documents` does), otherwise
    one is trained on ``text``. No NLTK data is needed. ``splitter="regex"``
    splits after ``.``, ``!``, ``?`` followed by a capital, skipping common
    abbreviations.

    Examples
    --------
    >>> t = "We met monthly. It helped! Did it change anything? Not yet."
    >>> [t[a:b] for a, b in sentence_spans(t, splitter="regex")]
    ['We met monthly.', 'It helped!', 'Did it change anything?', 'Not yet.']
    """
    if splitter == "regex":
        return _regex_spans(text)
    if splitter != "punkt":
        raise AnalysisError(f"Unknown sentence splitter {splitter!r}; use 'punkt' or 'regex'.")
    if tokenizer is None:
        tokenizer = _punkt(text)
    return [s for s in (_trim(text, a, b) for a, b in tokenizer.span_tokenize(text)) if s[1] > s[0]]


def _punkt(train_text: str):
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    return PunktSentenceTokenizer(train_text)


def _participant_id(speaker: str | None, participant_ids: set[str] | None) -> str | None:
    """The participant ID a speaker label stands for (``P07`` or the tag ``[P07]``), else None."""
    if speaker is None:
        return None
    label = speaker[1:-1].strip() if speaker.startswith("[") and speaker.endswith("]") else speaker
    if participant_ids is not None:
        return label if label in participant_ids else None
    return label if _PARTICIPANT_ID_RE.match(label) else None


def segment_document(
    text: str,
    *,
    document: str,
    unit: str = "turn",
    participant_ids: Iterable[str] | None = None,
    sentence_splitter: str = "punkt",
    tokenizer=None,
) -> pd.DataFrame:
    """Split one anonymised transcript into coding units.

    Parameters
    ----------
    text : str
        The transcript as stored (see :func:`read_source_text`).
    document : str
        Document name (the file stem), the prefix of the segment IDs.
    unit : {"turn", "sentence", "paragraph"}
        Coding unit.
    participant_ids : iterable of str, optional
        Known participant IDs; a speaker label equal to one of them gives the
        segment's ``participant_id``. Without it, labels shaped like an ID
        (``P07``) are taken as participant IDs.
    sentence_splitter : {"punkt", "regex"}
        How sentences are found (``unit="sentence"``).

    Returns
    -------
    pandas.DataFrame
        Columns ``segment_id, document, unit, turn, sentence, start, end,
        speaker, participant_id, text``; ``text == document_text[start:end]``
        (the spoken text, without the speaker label).

    Examples
    --------
    >>> seg = segment_document("Interviewer: How was it?\\r\\nP07: Good. We met often.", document="int01",
    ...                        unit="sentence", sentence_splitter="regex")
    >>> print(seg[["segment_id", "start", "end", "participant_id", "text"]].to_string(index=False))
        segment_id  start  end participant_id          text
    int01#t001.s01     13   24           None   How was it?
    int01#t002.s01     31   36            P07         Good.
    int01#t002.s02     37   50            P07 We met often.
    """
    if unit not in UNITS:
        raise AnalysisError(f"Unknown coding unit {unit!r}; use one of {', '.join(UNITS)}.")
    ids = set(participant_ids) if participant_ids is not None else None
    lines = [(a, b) for a, b in _lines(text) if text[a:b].strip()]
    width = max(3, len(str(len(lines))))
    rows: list[dict] = []

    if unit == "paragraph":
        blocks: list[list[tuple[int, int]]] = []
        all_lines = _lines(text)
        current: list[tuple[int, int]] = []
        for a, b in all_lines:
            if text[a:b].strip():
                current.append((a, b))
            elif current:
                blocks.append(current)
                current = []
        if current:
            blocks.append(current)
        if len(blocks) == 1 and len(blocks[0]) > 1:
            blocks = [[line] for line in blocks[0]]  # no blank lines at all: every line is a paragraph
        pwidth = max(3, len(str(len(blocks))))
        for k, block in enumerate(blocks, start=1):
            a, b = block[0][0], block[-1][1]
            speakers = [split_speaker(text[x:y])[0] for x, y in block]
            speaker, offset = split_speaker(text[a:b])
            if len(set(speakers)) > 1:
                speaker, offset = None, 0  # several speakers in one paragraph: keep their labels
            s, e = _trim(text, a + offset, b)
            rows.append(_row(document, "paragraph", None, None, s, e, speaker, ids, text, f"#p{k:0{pwidth}d}"))
        return _frame(rows)

    for n, (a, b) in enumerate(lines, start=1):
        speaker, offset = split_speaker(text[a:b])
        s, e = _trim(text, a + offset, b)
        tid = f"#t{n:0{width}d}"
        if unit == "turn":
            rows.append(_row(document, "turn", n, None, s, e, speaker, ids, text, tid))
            continue
        spans = sentence_spans(text[s:e], splitter=sentence_splitter, tokenizer=tokenizer) if e > s else []
        swidth = max(2, len(str(len(spans))))
        for k, (x, y) in enumerate(spans, start=1):
            rows.append(_row(document, "sentence", n, k, s + x, s + y, speaker, ids, text, f"{tid}.s{k:0{swidth}d}"))
    return _frame(rows)


def _row(document, unit, turn, sentence, start, end, speaker, ids, text, suffix) -> dict:
    return {
        "segment_id": f"{document}{suffix}",
        "document": document,
        "unit": unit,
        "turn": turn,
        "sentence": sentence,
        "start": start,
        "end": end,
        "speaker": speaker,
        "participant_id": _participant_id(speaker, ids),
        "text": text[start:end],
    }


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
    frame["turn"] = frame["turn"].astype("Int64")
    frame["sentence"] = frame["sentence"].astype("Int64")
    frame["start"] = frame["start"].astype(np.int64)
    frame["end"] = frame["end"].astype(np.int64)
    for col in ("speaker", "participant_id"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def segment_documents(
    documents: Mapping[str, str],
    *,
    unit: str = "turn",
    participant_ids: Iterable[str] | None = None,
    sentence_splitter: str = "punkt",
) -> pd.DataFrame:
    """Segments of every document (see :func:`segment_document`), in document order.

    For sentences with Punkt, one tokenizer is trained on all the documents'
    text (so it learns the corpus's abbreviations) and used for each turn.
    """
    ids = list(participant_ids) if participant_ids is not None else None
    tokenizer = None
    if unit == "sentence" and sentence_splitter == "punkt":
        tokenizer = _punkt("\n".join(documents.values()))
    frames = [
        segment_document(text, document=name, unit=unit, participant_ids=ids,
                         sentence_splitter=sentence_splitter, tokenizer=tokenizer)
        for name, text in documents.items()
    ]
    if not frames:
        return _frame([])
    return pd.concat(frames, ignore_index=True)


#: Whose units agreement and theme counts use: the interviewees' (default) or every unit.
SPEAKERS = ("interviewees", "all")


def interviewee_units(segments: pd.DataFrame, speakers: str = "interviewees") -> pd.DataFrame:
    """The units spoken by interviewees: what theme counts, co-occurrence and agreement between coders rest on.

    With a ``speaker_role`` column (:func:`rmresearch.coding.load_coding_data` adds it from the interview
    manifest), the units whose role is ``"interviewee"``; else those with a ``participant_id``; segments with
    neither column are all kept (nothing says who spoke). ``speakers="all"`` keeps every unit. An interviewer's
    question is not an interviewee's unit: counted, it would inflate percentage agreement (both coders leave it
    uncoded) and the chance of agreeing.

    Examples
    --------
    >>> seg = segment_document("[PERSON_1]: Why?\\nP07: Because.\\nInterviewer: And?", document="d")
    >>> interviewee_units(seg)["segment_id"].tolist(), len(interviewee_units(seg, "all"))
    (['d#t002'], 3)
    """
    if speakers not in SPEAKERS:
        raise AnalysisError(f"speakers must be one of {', '.join(map(repr, SPEAKERS))}, not {speakers!r}.")
    if speakers == "all" or segments.empty:
        return segments
    if "speaker_role" in segments.columns:
        return segments.loc[segments["speaker_role"] == "interviewee"]
    if "participant_id" in segments.columns:
        return segments.loc[segments["participant_id"].notna()]
    return segments
