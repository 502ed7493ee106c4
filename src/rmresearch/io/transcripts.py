"""Read transcript files into :class:`rmresearch.transcripts.Transcript`.

The model (turns, canonical text, offsets) lives in :mod:`rmresearch.transcripts`, which re-exports
:func:`read_transcript` and :func:`read_jsonl`; import them from there. Bytes are read and decoded by
:mod:`rmresearch.io.text` (one size limit check and one decoding policy for every reader of user files).

What the readers do with each shape
-----------------------------------
Plain text and ``.docx``
    Every speaker-line shape of :mod:`rmresearch.io.speakerlines`: ``Speaker: text`` turns, one per line (or
    paragraph), ``NAME:`` or ``Name (0:03):`` with the text on the next lines (Rev), Otter and Teams headers
    (``Name  0:03``, ``Name 0:03`` or ``Name  1:02:03``, the spoken paragraphs after), Zoom's saved transcript
    (``[Name] 11:02:09`` with the text after it or on the next line), diarisation labels (``SPEAKER_00:``,
    ``[SPEAKER_00]:``, ``Speaker 2  0:15``, ``(speaker 1) text``); lines without a speaker continue the turn
    before, joined with a space. A file with no speaker at all gives one turn per paragraph (blank-line
    separated; one per line when the file has no blank lines), speaker ``None``. A timestamp such as
    ``[00:03:12]``, ``(0:03)`` or ``00:03:12`` at the start of a line, ``Name (0:03):`` or a header's time
    becomes the turn's ``start``; the label and the time are never left in the turn's text (Zoom's clock time of
    day is not a start). Teams' "<Name> started transcription" / "stopped transcription" notices and Otter's
    footer are not speech. Tables in ``.docx`` files are skipped.
WebVTT (``.vtt``)
    Teams voice tags ``<v Name>text</v>``, Zoom ``Name: text`` cues, and
    caption files with no speakers. Consecutive cues of one speaker are merged
    into one turn (start of the first cue, end of the last). ``NOTE``,
    ``STYLE`` and ``REGION`` blocks are skipped, other tags are removed and
    HTML entities unescaped.
SubRip (``.srt``)
    Numbered cues; the speaker comes from a ``Name:``, ``[Name]`` or ``[SPEAKER_00]:`` prefix (so do VTT cues
    without a voice tag); a cue holding only ``NAME:`` gives its speaker to the unlabelled cues after it.
doccano JSONL (``.jsonl``)
    :func:`read_jsonl` returns the validated records; :func:`read_transcript`
    on a one-line file gives one turn whose text is the record's ``text``
    exactly (so gold label offsets stay valid).

Text in turns is tidied: Unicode NFC, runs of white space collapsed to one
space, invisible characters (zero-width space, direction marks, soft hyphen)
removed; this keeps names findable. JSONL text is left exactly as it is.

Which candidate lines are speakers is decided over the whole file (:func:`.speakerlines.accepted_labels`): a
``Name:`` prefix when the name looks like one (every word capitalised, or a particle such as *van*, *de*,
*bin*; digits allowed, e.g. ``Speaker 1``) or when the same prefix starts two or more lines, so lower-case
captions such as ``interviewer: ...`` still work while a sentence like ``so what I said was: no`` or a single
heading ``Key points:`` does not become a speaker. Metadata labels (``Date:``, ``Note:`` ...) and sound tags
(``[Music]``) are never speakers.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from . import text as textio
from .speakerlines import (SpeakerLine, accepted_labels, classify, classify_lines, display_name, label_ok,
                           leading_timestamp, name_like)
from .speakerlines import seconds as _seconds

if TYPE_CHECKING:
    from ..transcripts import Transcript

__all__ = ["SUPPORTED_SUFFIXES", "read_transcript", "read_jsonl"]

#: File suffixes :func:`read_transcript` understands, and the format name each gives.
SUPPORTED_SUFFIXES: dict[str, str] = {
    ".txt": "txt",
    ".docx": "docx",
    ".vtt": "vtt",
    ".srt": "srt",
    ".jsonl": "jsonl",
}

# The limits and the model are looked up in rmresearch.transcripts when a file is read (not imported here at
# import time): rmresearch.transcripts imports this module, and its limits are the ones users (and tests) set.

_ADVICE = (
    "Re-save it as plain text in UTF-8 (Notepad: Save as > Encoding 'UTF-8'; Word: Save as > Plain Text > "
    "'Unicode (UTF-8)')."
)
#: How a user names a transcript's encoding (said when a file is not UTF-8; ``<codec>`` is the codec's name).
ENCODING_ADVICE = ("run `rmresearch anonymise run --encoding <codec>`, or name it in the cohort file: "
                   "'inputs: interviews: {path: <the raw folder>, encoding: <codec>}'")


# --------------------------------------------------------------------------- public readers

def read_transcript(path: str | Path, *, encoding: str | None = None,
                    encoding_advice: str = ENCODING_ADVICE) -> "Transcript":
    """Read a transcript file (``.txt``, ``.docx``, ``.vtt``, ``.srt`` or one-line ``.jsonl``).

    Parameters
    ----------
    path
        The transcript file. The format is chosen by its suffix (any case).
    encoding
        Text encoding to use instead of UTF-8 / byte-order-mark detection,
        e.g. ``"cp1252"`` for a file saved by old Windows software. Ignored
        for ``.docx``. A byte-order mark, or bytes that are valid UTF-8, are
        read as they say (see :mod:`rmresearch.io.text`).
    encoding_advice
        How the user names the encoding, said when a file is not UTF-8 (``<codec>`` where its name goes).

    Returns
    -------
    Transcript

    Raises
    ------
    InputError
        The file is missing, empty, binary, not valid text in the encoding,
        of an unsupported type, malformed (a ``.vtt`` without its ``WEBVTT``
        header, a damaged ``.docx``...) or holds no turns.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "interview_03.txt"
    >>> _ = path.write_text("[00:00:02] Interviewer: How did it start?\\n"
    ...                     "Siosaia Taufa: Over coffee.\\nWe kept meeting.\\n", encoding="utf-8")
    >>> t = read_transcript(path)
    >>> [(turn.speaker, turn.text, turn.start) for turn in t.turns]
    [('Interviewer', 'How did it start?', 2.0), ('Siosaia Taufa', 'Over coffee. We kept meeting.', None)]
    >>> print(t.text)
    Interviewer: How did it start?
    Siosaia Taufa: Over coffee. We kept meeting.
    """
    from ..transcripts import _build

    path = Path(path)
    suffix = path.suffix.lower()
    fmt = SUPPORTED_SUFFIXES.get(suffix)
    if fmt is None:
        hint = ""
        if suffix == ".doc":
            hint = " Old Word .doc files are not supported: open it in Word and save it as .docx."
        elif suffix in (".rtf", ".odt", ".pdf"):
            hint = f" Save the {suffix} file as .docx or plain text (.txt, UTF-8)."
        raise InputError(
            f"{path}: unsupported transcript type {suffix or '(no suffix)'!r}. "
            f"Supported: {', '.join(SUPPORTED_SUFFIXES)}.{hint}"
        )
    data = _read_bytes(path)
    if fmt == "docx":
        drafts = _parse_docx(path, data)
    elif fmt == "jsonl":
        records = _parse_jsonl(path, _decode(path, data, encoding, encoding_advice))
        if len(records) != 1:
            raise InputError(
                f"{path}: holds {len(records)} documents; read_transcript reads one. "
                "Use read_jsonl() for a multi-document JSONL file, or split it one document per file."
            )
        text = records[0]["text"]
        if not text.strip():
            raise InputError(f"{path}: the document's text is empty; there are no turns to read.")
        return _build(path, "jsonl", [(None, text, None, None)])
    else:
        text = _decode(path, data, encoding, encoding_advice)
        if fmt == "txt":
            drafts = _parse_plain(text)
        elif fmt == "vtt":
            drafts = _parse_vtt(path, text)
        else:
            drafts = _parse_srt(path, text)
    items = []
    for d in drafts:
        body = _tidy(" ".join(d.parts))
        if not body:
            continue
        speaker = _tidy(d.speaker) if d.speaker is not None else None
        items.append((speaker or None, body, d.start, d.end))
    if not items:
        raise InputError(f"{path}: no turns found (the file holds no spoken text). Check that it is the right file.")
    return _build(path, fmt, items)



def read_jsonl(path: str | Path, *, encoding: str | None = None) -> list[dict]:
    """Read a doccano-style JSONL file: one JSON object per line, each with ``"text"``.

    ``"label"``, when present, must be a list of ``[start, end, "LABEL"]``
    with 0-based, end-exclusive character offsets inside ``text``. Other
    fields are kept as they are. Blank lines are skipped.

    Raises
    ------
    InputError
        Naming the line number, for a line that is not a JSON object, lacks
        ``"text"``, or has a label outside the text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "gold.jsonl"
    >>> _ = path.write_text('{"id": 1, "text": "Ask Mei Ling.", "label": [[4, 12, "PERSON"]]}\\n', encoding="utf-8")
    >>> records = read_jsonl(path)
    >>> records[0]["text"][4:12], records[0]["id"]
    ('Mei Ling', 1)
    """
    path = Path(path)
    return _parse_jsonl(path, _decode(path, _read_bytes(path), encoding))

# --------------------------------------------------------------------------- bytes and text


def _read_bytes(path: Path) -> bytes:
    from .. import transcripts as model

    return textio.read_bytes(
        path,
        limit=model.MAX_TRANSCRIPT_BYTES,
        what="a transcript",
        advice="Check that it is the right file (one interview); split a recording of several sessions.",
    )


def _decode(path: Path, data: bytes, encoding: str | None, encoding_advice: str | None = ENCODING_ADVICE) -> str:
    return textio.decode(path, data, encoding=encoding, what="a text transcript", advice=_ADVICE,
                         encoding_advice=encoding_advice)


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200e\u200f\u2060\ufeff\u00ad\u202a\u202b\u202c\u202d\u202e"))


def _tidy(text: str) -> str:
    """NFC, invisible characters removed, white space collapsed to single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_INVISIBLE).split())


# --------------------------------------------------------------------------- speaker lines (io.speakerlines)

# Otter's footer, the last line of every export: not speech.
_FOOTER = re.compile(r"^transcribed by https?://(?:www\.)?otter\.ai/?$", re.I)
# Teams' notices in a downloaded .docx ("Yaw Nwachukwu started transcription"): who pressed the button, not speech.
_NOTICE = re.compile(r"^(?P<name>\S.{0,79}?) (?:started|stopped) transcription$")


def _not_speech(line: str) -> bool:
    """Otter's footer, or a Teams notice whose subject is a display name (not "So we stopped transcription")."""
    if _FOOTER.match(line):
        return True
    m = _NOTICE.match(line)
    return m is not None and label_ok(m.group("name")) and name_like(m.group("name"))
_SQUARE_PREFIX = re.compile(r"^\[(?P<label>[^\W\d_][^\]\n]{0,79})\][ \t]*(?P<text>[^:\s].*)$", re.S)


@dataclass
class _Draft:
    speaker: str | None
    parts: list[str]
    start: float | None = None
    end: float | None = None
    block: int = -1


@dataclass
class _Row:
    block: int
    ts: float | None
    rest: str
    line: str
    cand: SpeakerLine | None


def _parse_blocks(blocks: list[list[str]], *, lines_when_one_block: bool) -> list[_Draft]:
    """Turns from blocks (paragraphs) of lines: speaker headers (``Name  0:03``), ``Speaker:`` prefixes or paragraphs."""
    rows: list[_Row] = []
    for b, lines in enumerate(blocks):
        for raw in lines:
            line = raw.strip()
            if line and not _not_speech(line):
                ts, pos = leading_timestamp(line)
                rows.append(_Row(block=b, ts=ts, rest=line[pos:].strip(), line=line, cand=None))
    cands, timings = classify_lines([r.line for r in rows])
    for i, (r, c) in enumerate(zip(rows, cands)):
        r.cand = c
        if i in timings:  # a cue timing line (the older Teams .docx) dates the next turn; it is not speech
            r.rest, r.ts = "", timings[i]

    accepted = accepted_labels((r.cand for r in rows), n_lines=len(rows))
    speaking = [r.cand is not None and (r.cand.shape, r.cand.label) in accepted for r in rows]
    n_headers = sum(1 for r, ok in zip(rows, speaking) if ok and r.cand.kind == "header")
    n_colon = sum(1 for r, ok in zip(rows, speaking) if ok and r.cand.kind == "colon")
    n_prefixed = sum(1 for r, ok in zip(rows, speaking) if ok and r.cand.kind != "header")
    # Headers ("Name  0:03") or colon prefixes ("Name: text"), whichever the file is written in (a colon in a
    # header file's text is speech); inline lines ("[Name] 11:02:09 text") start a turn in either.
    teams = n_headers > 0 and n_headers >= n_colon and n_headers < len(rows)

    if not teams and n_prefixed == 0:
        # No speakers at all: one turn per paragraph (per line if there are no blank lines).
        drafts: list[_Draft] = []
        by_line = lines_when_one_block and len({r.block for r in rows}) == 1
        pending = None
        for r in rows:
            if not r.rest:
                pending = r.ts
                continue
            if by_line or not drafts or drafts[-1].block != r.block:
                drafts.append(_Draft(None, [r.rest], r.ts if r.ts is not None else pending, block=r.block))
                pending = None
            else:
                drafts[-1].parts.append(r.rest)
        return drafts

    drafts = []
    pending = None
    for r, ok in zip(rows, speaking):
        if ok and (r.cand.kind == "inline" or (r.cand.kind == "header") == teams):
            start = r.cand.ts if r.cand.ts is not None else pending
            drafts.append(_Draft(r.cand.label, [r.line[r.cand.text_start :]], start, block=r.block))
            pending = None
            continue
        if not r.rest:  # a line holding only a timestamp: it dates the next turn
            pending = r.ts
            continue
        current = drafts[-1] if drafts else None
        if current is not None and (current.speaker is not None or current.block == r.block):
            current.parts.append(r.rest)
        else:
            drafts.append(_Draft(None, [r.rest], r.ts if r.ts is not None else pending, block=r.block))
            pending = None
    return drafts


def _parse_plain(text: str) -> list[_Draft]:
    blocks: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return _parse_blocks([b for b in blocks if b], lines_when_one_block=True)


# --------------------------------------------------------------------------- docx


def _parse_docx(path: Path, data: bytes) -> list[_Draft]:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            f"{path}: this is an old-style Word .doc file (or a password-protected .docx). "
            "Open it in Word, remove any password, and save it as .docx."
        )
    if not data.startswith(b"PK"):
        raise InputError(f"{path}: not a Word .docx file (a .docx is a zip archive). Open it in Word and save it as .docx.")
    import io
    import zipfile

    from docx import Document  # python-docx

    from .. import transcripts as model

    try:
        inflated = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(f"{path}: the .docx file is damaged and cannot be read ({exc}). Open it in Word and save it again.") from None
    limit = model.MAX_DOCX_INFLATED_BYTES
    if inflated > limit:  # a zip bomb, or a document full of pictures: not a transcript
        raise InputError(
            f"{path}: the .docx unpacks to {inflated / 1e6:,.0f} MB, more than the {limit / 1e6:,.0f} MB "
            "limit for a transcript. Save it without pictures (or as plain text) and run again."
        )
    try:
        document = Document(io.BytesIO(data))
        paragraphs = [p.text for p in document.paragraphs]  # top-level body only: tables are skipped
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise InputError(f"{path}: the .docx file is damaged and cannot be read ({exc}). Open it in Word and save it again.") from None
    except Exception as exc:  # python-docx and lxml raise their own types for damaged parts
        raise InputError(f"{path}: the .docx file is damaged and cannot be read ({type(exc).__name__}: {exc}).") from None
    blocks = [p.replace("\r", "\n").replace("\v", "\n").split("\n") for p in paragraphs if p.strip()]
    if not blocks:
        raise InputError(f"{path}: the document holds no text (tables are not read). Check that it is the transcript.")
    return _parse_blocks(blocks, lines_when_one_block=False)


# --------------------------------------------------------------------------- WebVTT and SubRip

_TIME = r"(?:\d+:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?"
_TIMING = re.compile(rf"^[ \t]*(?P<start>{_TIME})[ \t]+-->[ \t]+(?P<end>{_TIME})(?:[ \t]+.*)?$")
_TAG = re.compile(r"<[^>\n]*>")
_VOICE = re.compile(r"^<v(?:\.[^\s>]*)?(?:[ \t]+(?P<name>[^>]*))?>$", re.I)
_ASS_TAG = re.compile(r"\{\\[^}]*\}")


def _blocks_with_lines(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks, each with the 1-based line number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line)
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks


def _cue_timing(path: Path, first: int, lines: list[str], kind: str) -> tuple[int, float, float]:
    """Index of the timing line in a cue block and its start and end seconds."""
    for index in (0, 1):
        if index < len(lines) and "-->" in lines[index]:
            m = _TIMING.match(lines[index])
            if not m:
                raise InputError(
                    f"{path}, line {first + index}: cannot read the cue timing {lines[index].strip()!r}; "
                    f"expected {'00:00:03.120 --> 00:00:07.540' if kind == 'vtt' else '00:00:03,120 --> 00:00:07,540'}."
                )
            return index, _seconds(m.group("start")), _seconds(m.group("end"))
    raise InputError(
        f"{path}, line {first}: expected a cue (an optional id line, then a timing line such as "
        f"'00:00:03{'.' if kind == 'vtt' else ','}120 --> 00:00:07{'.' if kind == 'vtt' else ','}540'), "
        f"found {lines[0].strip()!r}. Check that a blank line separates cues and that no cue text holds a blank line."
    )


def _voice_segments(payload: str) -> list[tuple[str | None, str]]:
    """Split cue text into (voice, text) segments; other tags are dropped, entities unescaped."""
    segments: list[tuple[str | None, str]] = []
    voice: str | None = None
    buffer: list[str] = []
    pos = 0

    def flush():
        text = html.unescape("".join(buffer))
        if text.strip():
            segments.append((voice, text))
        buffer.clear()

    for m in _TAG.finditer(payload):
        buffer.append(payload[pos : m.start()])
        pos = m.end()
        tag = m.group(0)
        vm = _VOICE.match(tag)
        if vm:
            flush()
            name = display_name(html.unescape(vm.group("name") or "").strip())  # "<v Name (she/her)>": the name
            voice = name or None
        elif tag.lower().startswith("</v"):
            flush()
            voice = None
        # any other tag (<c.x>, <i>, <b>, <u>, <lang>, <ruby>, timestamps) is removed
    buffer.append(payload[pos:])
    flush()
    return segments


def _cue_candidate(segment: str) -> tuple[str, SpeakerLine | None]:
    """A cue's text and its speaker-line candidate (``Name: text``, ``[Name]: text``, ``[Name] text``...)."""
    cand = classify(segment)
    if cand is None or cand.kind == "header":
        square = _SQUARE_PREFIX.match(segment)
        if square and label_ok(square.group("label").strip()):
            # "[Name] text" is rewritten as "Name: text" so both forms resolve alike
            segment = f"{square.group('label').strip()}: {square.group('text').strip()}"
            cand = classify(segment)
    return segment, (cand if cand is not None and cand.kind != "header" else None)


def _merge_cues(cues: list[tuple[str | None, SpeakerLine | None, str, float, float]]) -> list[_Draft]:
    """Resolve ``Name:`` candidates and merge consecutive cues of one speaker.

    A cue holding only ``NAME:`` gives its speaker to the unlabelled cues after it.
    """
    accepted = accepted_labels((c[1] for c in cues), n_lines=len(cues))
    drafts: list[_Draft] = []
    carry = None
    for voice, cand, text, start, end in cues:
        speaker = voice
        if speaker is None and cand is not None and (cand.shape, cand.label) in accepted:
            speaker, text = cand.label, text[cand.text_start :]
            carry = speaker if cand.shape == "colon_eol" else None
        elif speaker is None:
            speaker = carry
        else:
            carry = None
        if speaker is not None and drafts and drafts[-1].speaker == speaker:
            drafts[-1].parts.append(text)
            drafts[-1].end = end
        else:
            drafts.append(_Draft(speaker, [text], start, end))
    return drafts


def _parse_vtt(path: Path, text: str) -> list[_Draft]:
    first_line = text.split("\n", 1)[0]
    if not re.match(r"^WEBVTT(?:[ \t].*)?$", first_line.rstrip()):
        hint = ""
        if re.search(r"\d,\d{1,3}[ \t]+-->", text):
            hint = " If it is a SubRip file (times like 00:00:03,120), rename it to .srt."
        raise InputError(f"{path}: not a WebVTT file: the first line must be 'WEBVTT', found {first_line[:40]!r}.{hint}")
    cues = []
    for n, (first, lines) in enumerate(_blocks_with_lines(text)):
        if n == 0 and first == 1:
            continue  # the WEBVTT header and its metadata lines
        head = lines[0].strip()
        if re.match(r"^(NOTE|STYLE|REGION)(?:[ \t]|$)", head) and "-->" not in head:
            continue
        index, start, end = _cue_timing(path, first, lines, "vtt")
        payload = "\n".join(lines[index + 1 :])
        for voice, segment in _voice_segments(payload):
            segment = _tidy(segment)
            if not segment:
                continue
            cand = None
            if voice is None:
                segment, cand = _cue_candidate(segment)
            cues.append((voice, cand, segment, start, end))
    return _merge_cues(cues)


def _parse_srt(path: Path, text: str) -> list[_Draft]:
    if "-->" not in text:
        raise InputError(f"{path}: no subtitle cues found (no '00:00:03,120 --> 00:00:07,540' timing lines). Is it a SubRip file?")
    cues = []
    for first, lines in _blocks_with_lines(text):
        head = lines[0].strip()
        if "-->" not in head and not head.isdigit() and len(lines) > 1 and "-->" not in lines[1]:
            raise InputError(
                f"{path}, line {first}: expected a cue number or a timing line such as "
                f"'00:00:03,120 --> 00:00:07,540', found {head[:60]!r}."
            )
        index, start, end = _cue_timing(path, first, lines, "srt")
        payload = " ".join(lines[index + 1 :])
        segment = _tidy(html.unescape(_ASS_TAG.sub("", _TAG.sub("", payload))))
        if not segment:
            continue
        segment, cand = _cue_candidate(segment)
        cues.append((None, cand, segment, start, end))
    return _merge_cues(cues)


# --------------------------------------------------------------------------- JSONL


def _parse_jsonl(path: Path, text: str) -> list[dict]:
    records = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno}). Each line must be one JSON object.") from None
        if not isinstance(record, dict):
            raise InputError(f"{where}: expected a JSON object {{\"text\": ...}}, found {type(record).__name__}.")
        if not isinstance(record.get("text"), str):
            raise InputError(f"{where}: has no \"text\" string. Each line needs {{\"text\": \"...\", \"label\": [...]}}.")
        labels = record.get("label", [])
        if not isinstance(labels, list):
            raise InputError(f"{where}: \"label\" must be a list of [start, end, \"LABEL\"], found {type(labels).__name__}.")
        size = len(record["text"])
        for i, item in enumerate(labels, start=1):
            ok_shape = (
                isinstance(item, list)
                and len(item) == 3
                and all(isinstance(x, int) and not isinstance(x, bool) for x in item[:2])
                and isinstance(item[2], str)
                and item[2] != ""
            )
            if not ok_shape:
                raise InputError(f"{where}: label {i} is {item!r}; each label must be [start, end, \"LABEL\"] with whole-number offsets.")
            start, end, _ = item
            if not 0 <= start < end <= size:
                raise InputError(
                    f"{where}: label {i} {item!r} is outside the text (length {size}); offsets are 0-based "
                    "character positions with start < end <= length."
                )
        records.append(record)
    if not records:
        raise InputError(f"{path}: the file holds no JSON lines.")
    return records
