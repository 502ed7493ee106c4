"""Read interview transcripts into one shape: turns with speakers, times and offsets.

Researchers bring transcripts in whatever form their recording tool produced:
plain text typed by a transcriber, a Microsoft Teams or Zoom ``.docx``, a
WebVTT caption file from Teams or Zoom, a SubRip ``.srt``, or a doccano-style
JSONL line. :func:`read_transcript` reads each of these into a
:class:`Transcript`: a tuple of :class:`Turn` objects (speaker, spoken text,
start and end time where known) and one *canonical* plain text,

    ``"\\n".join(f"{speaker}: {text}" if speaker else text for each turn)``

with each turn's character offsets into it (0-based, end-exclusive), so that
``transcript.text[turn.char_start:turn.char_end] == turn.text`` and likewise
for the speaker label. Every later step (anonymisation spans, coding
selections, REFI-QDA positions) refers to offsets in this canonical text.

What the readers do with each shape
-----------------------------------
Plain text and ``.docx``
    ``Speaker: text`` turns, one per line (or paragraph); lines without a
    speaker prefix continue the turn before, joined with a space. A file with
    no speaker prefix at all gives one turn per paragraph (blank-line
    separated; one per line when the file has no blank lines), speaker
    ``None``. A timestamp such as ``[00:03:12]``, ``(0:03)`` or ``00:03:12``
    at the start of a line, or ``Name (0:03):``, becomes the turn's ``start``
    and is removed from the text. Teams ``.docx`` exports (a paragraph
    ``Firstname Lastname   0:03`` then the spoken paragraphs) are recognised.
    Tables in ``.docx`` files are skipped.
WebVTT (``.vtt``)
    Teams voice tags ``<v Name>text</v>``, Zoom ``Name: text`` cues, and
    caption files with no speakers. Consecutive cues of one speaker are merged
    into one turn (start of the first cue, end of the last). ``NOTE``,
    ``STYLE`` and ``REGION`` blocks are skipped, other tags are removed and
    HTML entities unescaped.
SubRip (``.srt``)
    Numbered cues; the speaker comes from a ``Name:`` or ``[Name]`` prefix.
doccano JSONL (``.jsonl``)
    :func:`read_jsonl` returns the validated records; :func:`read_transcript`
    on a one-line file gives one turn whose text is the record's ``text``
    exactly (so gold label offsets stay valid).

Text in turns is tidied: Unicode NFC, runs of white space collapsed to one
space, invisible characters (zero-width space, direction marks, soft hyphen)
removed; this keeps names findable. JSONL text is left exactly as it is.

A ``Name:`` prefix counts as a speaker when the name looks like one (every
word capitalised, or a particle such as *van*, *de*, *bin*; digits allowed,
e.g. ``Speaker 1``) or when the same prefix starts two or more lines, so
lower-case captions such as ``interviewer: ...`` still work while a sentence
like ``so what I said was: no`` does not become a speaker. Metadata labels
(``Date:``, ``Location:`` ...) are never speakers.

Files are decoded as UTF-8 (with or without a byte-order mark) or UTF-16/32
with a byte-order mark; anything else is an :class:`~rmresearch.errors.InputError`
naming the byte offset, unless ``encoding=`` is given. The encoding is never
guessed.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from .errors import InputError
from .fileio import atomic_write_text

__all__ = [
    "Turn",
    "Transcript",
    "SUPPORTED_SUFFIXES",
    "read_transcript",
    "read_jsonl",
    "write_transcript_text",
]

#: File suffixes :func:`read_transcript` understands, and the format name each gives.
SUPPORTED_SUFFIXES: dict[str, str] = {
    ".txt": "txt",
    ".docx": "docx",
    ".vtt": "vtt",
    ".srt": "srt",
    ".jsonl": "jsonl",
}


# --------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class Turn:
    """One speaker's turn.

    ``char_start``/``char_end`` locate ``text`` inside :attr:`Transcript.text`
    and ``speaker_start``/``speaker_end`` locate the speaker label (both
    0-based, end-exclusive). ``start``/``end`` are seconds from the start of
    the recording, or ``None`` when the source has no times.
    """

    speaker: str | None
    text: str
    start: float | None
    end: float | None
    char_start: int
    char_end: int
    speaker_start: int | None
    speaker_end: int | None


@dataclass(frozen=True)
class Transcript:
    """A transcript as turns plus one canonical plain text.

    Build one with :func:`read_transcript` or :meth:`from_turns`; the
    constructor checks that every offset points at its text.

    Examples
    --------
    >>> t = Transcript.from_turns([("Interviewer", "How did the pairing start?", 0.0, 4.5),
    ...                            ("Amara Okafor", "Over coffee, really.", 4.5, 7.0)])
    >>> print(t.text)
    Interviewer: How did the pairing start?
    Amara Okafor: Over coffee, really.
    >>> turn = t.turns[1]
    >>> t.text[turn.char_start:turn.char_end], t.text[turn.speaker_start:turn.speaker_end]
    ('Over coffee, really.', 'Amara Okafor')
    >>> t.speakers
    ('Interviewer', 'Amara Okafor')
    """

    source: Path
    format: str
    turns: tuple[Turn, ...]
    text: str = field(repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", Path(self.source))
        object.__setattr__(self, "turns", tuple(self.turns))
        expected = "\n".join(f"{t.speaker}: {t.text}" if t.speaker is not None else t.text for t in self.turns)
        if expected != self.text:
            raise ValueError("Transcript.text must be the turns joined as 'Speaker: text' lines; use Transcript.from_turns.")
        for t in self.turns:
            if self.text[t.char_start : t.char_end] != t.text:
                raise ValueError(f"turn offsets {t.char_start}:{t.char_end} do not point at its text {t.text!r}")
            if t.speaker is not None and self.text[t.speaker_start : t.speaker_end] != t.speaker:
                raise ValueError(f"speaker offsets {t.speaker_start}:{t.speaker_end} do not point at {t.speaker!r}")

    @classmethod
    def from_turns(
        cls,
        turns: Iterable[Turn | tuple | dict],
        *,
        source: str | Path = "<memory>",
        format: str = "txt",
    ) -> "Transcript":
        """Build a transcript from ``(speaker, text, start, end)`` items, computing offsets.

        Items may be :class:`Turn` objects, tuples ``(speaker, text)`` or
        ``(speaker, text, start, end)``, or dicts with those keys. Text is used
        exactly as given (no tidying), so it must not contain a line break
        when there is more than one turn.
        """
        items = []
        for item in turns:
            if isinstance(item, Turn):
                items.append((item.speaker, item.text, item.start, item.end))
            elif isinstance(item, dict):
                items.append((item.get("speaker"), item["text"], item.get("start"), item.get("end")))
            else:
                item = tuple(item)
                if len(item) == 2:
                    item = item + (None, None)
                speaker, text, start, end = item
                items.append((speaker, text, start, end))
        return _build(Path(source), format, items)

    @property
    def speakers(self) -> tuple[str, ...]:
        """Distinct speaker labels, in order of first appearance."""
        return tuple(dict.fromkeys(t.speaker for t in self.turns if t.speaker is not None))

    def turn_at(self, offset: int) -> int | None:
        """Index of the turn whose line (speaker label or text) holds character ``offset``."""
        for i, t in enumerate(self.turns):
            line_start = t.speaker_start if t.speaker is not None else t.char_start
            if line_start <= offset < t.char_end or (offset == t.char_end == line_start):
                return i
        return None

    def with_replacements(self, replacements: Iterable[tuple[int, int, str]]) -> "Transcript":
        """Return a copy with the spans ``(start, end, new_text)`` of :attr:`text` replaced.

        Each span must lie inside one turn's text or one speaker label (not
        across the ``": "`` separator or a line break); spans must not overlap.
        Offsets, speakers and times of the new transcript are consistent.

        Examples
        --------
        >>> t = Transcript.from_turns([("Kwame Mensah", "I met Amara in May.")])
        >>> t.with_replacements([(0, 12, "P01"), (20, 25, "[PERSON_1]")]).text
        'P01: I met [PERSON_1] in May.'
        """
        spans = sorted((int(s), int(e), str(r)) for s, e, r in replacements)
        for (s1, e1, _), (s2, _e2, _) in zip(spans, spans[1:]):
            if s2 < e1:
                raise ValueError(f"replacement spans {s1}:{e1} and {s2}:{_e2} overlap")
        per_turn: list[dict[str, list]] = [{"speaker": [], "text": []} for _ in self.turns]
        for s, e, r in spans:
            if not 0 <= s <= e <= len(self.text):
                raise ValueError(f"replacement span {s}:{e} is outside the text (length {len(self.text)})")
            for i, t in enumerate(self.turns):
                if t.char_start <= s and e <= t.char_end:
                    per_turn[i]["text"].append((s - t.char_start, e - t.char_start, r))
                    break
                if t.speaker is not None and t.speaker_start <= s and e <= t.speaker_end:
                    per_turn[i]["speaker"].append((s - t.speaker_start, e - t.speaker_start, r))
                    break
            else:
                raise ValueError(f"replacement span {s}:{e} crosses a turn boundary or a speaker separator")
        items = []
        for t, reps in zip(self.turns, per_turn):
            speaker = _apply(t.speaker, reps["speaker"]) if t.speaker is not None else None
            items.append((speaker, _apply(t.text, reps["text"]), t.start, t.end))
        return _build(self.source, self.format, items)


def _apply(text: str, reps: list[tuple[int, int, str]]) -> str:
    for s, e, r in sorted(reps, reverse=True):
        text = text[:s] + r + text[e:]
    return text


def _build(source: Path, fmt: str, items: Sequence[tuple]) -> Transcript:
    turns = []
    pieces = []
    pos = 0
    for speaker, text, start, end in items:
        if pieces:
            pos += 1  # the "\n" between lines
        if speaker is not None:
            speaker = str(speaker)
            sp_start, sp_end = pos, pos + len(speaker)
            char_start = sp_end + 2
            line = f"{speaker}: {text}"
        else:
            sp_start = sp_end = None
            char_start = pos
            line = text
        char_end = char_start + len(text)
        pos += len(line)
        pieces.append(line)
        turns.append(
            Turn(
                speaker=speaker,
                text=text,
                start=None if start is None else float(start),
                end=None if end is None else float(end),
                char_start=char_start,
                char_end=char_end,
                speaker_start=sp_start,
                speaker_end=sp_end,
            )
        )
    return Transcript(source=source, format=fmt, turns=tuple(turns), text="\n".join(pieces))


# --------------------------------------------------------------------------- public readers


def read_transcript(path: str | Path, *, encoding: str | None = None) -> Transcript:
    """Read a transcript file (``.txt``, ``.docx``, ``.vtt``, ``.srt`` or one-line ``.jsonl``).

    Parameters
    ----------
    path
        The transcript file. The format is chosen by its suffix (any case).
    encoding
        Text encoding to use instead of UTF-8 / byte-order-mark detection,
        e.g. ``"cp1252"`` for a file saved by old Windows software. Ignored
        for ``.docx``.

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
        records = _parse_jsonl(path, _decode(path, data, encoding))
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
        text = _decode(path, data, encoding)
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


def write_transcript_text(transcript_or_text: Transcript | str, path: str | Path) -> Path:
    """Write a transcript's canonical text (or a string) as UTF-8, atomically.

    The file holds the text followed by one newline, so character offsets
    into :attr:`Transcript.text` are offsets into the file. Refuses to
    overwrite the transcript's own source file (raw inputs are read-only).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "anonymised" / "interview_03.txt"
    >>> t = Transcript.from_turns([("P01", "We met monthly.")])
    >>> write_transcript_text(t, out).read_text(encoding="utf-8")
    'P01: We met monthly.\\n'
    """
    path = Path(path)
    if isinstance(transcript_or_text, Transcript):
        source = transcript_or_text.source
        if source.exists() and path.exists() and path.resolve() == source.resolve():
            raise InputError(f"{path}: refusing to overwrite the raw transcript; write to another folder.")
        text = transcript_or_text.text
    elif isinstance(transcript_or_text, str):
        text = transcript_or_text
    else:
        raise TypeError(f"expected a Transcript or str, got {type(transcript_or_text).__name__}")
    from .guard import check_api_output

    check_api_output(path, owner="text")  # inside a project: never into the raw, anonymised or keys folder
    return atomic_write_text(path, text + "\n")


# --------------------------------------------------------------------------- bytes and text


#: Largest transcript read (bytes). A two-hour interview is a few hundred kilobytes of text (a .docx with a
#: logo a few megabytes); anything this large is the wrong file and would stall the anonymiser.
MAX_TRANSCRIPT_BYTES = 50_000_000
#: Largest size a .docx may unpack to (its parts together): a compressed file of a few kilobytes can unpack
#: to gigabytes (a zip bomb).
MAX_DOCX_INFLATED_BYTES = 200_000_000


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError(f"{path}: file not found. Check the path and the file name.")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a transcript file.")
    try:
        size = path.stat().st_size
        if size > MAX_TRANSCRIPT_BYTES:
            raise InputError(
                f"{path}: the file is {size / 1e6:,.1f} MB, more than the {MAX_TRANSCRIPT_BYTES / 1e6:,.0f} MB limit for "
                "one transcript. Check that it is the right file (one interview); split a recording of several sessions."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from None
    if not data.strip():
        raise InputError(f"{path}: the file is empty. Export the transcript again.")
    return data


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_RESAVE = (
    "Re-save it as UTF-8 (Notepad: Save as > Encoding 'UTF-8'; Word: Save as > Plain Text > 'Unicode (UTF-8)'), "
    "or, if you know its encoding, pass it explicitly (e.g. encoding='cp1252')."
)
_MAGIC = {
    b"PK\x03\x04": "a zip archive (perhaps a .docx or .xlsx renamed)",
    b"%PDF": "a PDF",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office file (.doc/.xls)",
    b"{\\rtf": "an RTF document",
}


def _decode(path: Path, data: bytes, encoding: str | None) -> str:
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise InputError(f"{path}: unknown encoding {encoding!r}.") from None
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: not valid {encoding} text (byte 0x{data[exc.start]:02x} at byte offset {exc.start}). "
                "Check the encoding, or re-save the file as UTF-8."
            ) from None
        text = text.removeprefix("\ufeff")
    else:
        for magic, what in _MAGIC.items():
            if data.startswith(magic):
                raise InputError(f"{path}: this is {what}, not a text transcript. Save it as plain text (UTF-8).")
        for bom, codec in _BOMS:
            if data.startswith(bom):
                try:
                    text = data.decode(codec)
                except UnicodeDecodeError as exc:
                    raise InputError(
                        f"{path}: starts with a {codec.upper()} byte-order mark but is not valid {codec.upper()} "
                        f"(byte offset {exc.start}). {_RESAVE}"
                    ) from None
                text = text.removeprefix("\ufeff")
                break
        else:
            nul = data.find(b"\x00")
            if nul != -1:
                hint = ""
                if data[1::2].count(0) > len(data) // 4 or data[0::2].count(0) > len(data) // 4:
                    hint = " If it is UTF-16 text without a byte-order mark, pass encoding='utf-16-le' (or 'utf-16-be')."
                raise InputError(
                    f"{path}: this looks like a binary file, not text (NUL byte at byte offset {nul}).{hint}"
                )
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                raise InputError(
                    f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at byte offset {exc.start}, line {line}). "
                    f"{_RESAVE}"
                ) from None
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if "\x00" in text or controls > max(2, len(text[:8192]) // 100):
        raise InputError(f"{path}: this looks like a binary file, not text (it holds control characters).")
    if not text.strip():
        raise InputError(f"{path}: the file is empty. Export the transcript again.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200e\u200f\u2060\ufeff\u00ad\u202a\u202b\u202c\u202d\u202e"))


def _tidy(text: str) -> str:
    """NFC, invisible characters removed, white space collapsed to single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_INVISIBLE).split())


# --------------------------------------------------------------------------- speaker labels and timestamps

_TS = r"(?:\d{1,2}:)?\d{1,3}:\d{2}(?:[.,]\d{1,3})?"
_LEADING_TS = re.compile(
    rf"^[ \t]*(?:[\[(](?P<bracketed>{_TS})[\])]|(?P<bare>\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?)(?=\s|$))[ \t]*"
)
_PREFIX = re.compile(
    rf"^(?P<label>[^\W\d_][^:\n]{{0,79}}?)[ \t]*(?:[\[(](?P<ts>{_TS})[\])])?[ \t]*:(?:[ \t]+(?P<text>.*)|[ \t]*$)",
    re.S,
)
_SQUARE_PREFIX = re.compile(r"^\[(?P<label>[^\W\d_][^\]\n]{0,79})\][ \t]*(?P<text>.*)$", re.S)
_TEAMS_HEADER = re.compile(r"^(?P<name>\S(?:.*?\S)?)(?:[ \u00a0]{2,}|\t)[ \t\u00a0]*(?P<time>(?:\d{1,2}:)?\d{1,3}:\d{2})[ \t]*$")
_LABEL_TOKEN = re.compile(r"^[\w.'’()&@\-]+$")
_PARTICLES = frozenset(
    "van von der den de del della di da dos das du le la el al bin binti bint ibn ben ter ten ap ab y e of and".split()
)
# Labels that start metadata lines, never speakers.
_NOT_SPEAKERS = frozenset(
    """date time duration location place venue note notes nb ps re subject title topic file filename recording
    transcript transcription meeting attendees participants present language kind source url link email e-mail
    tel telephone phone mobile fax web website address postcode example warning important update edit quote
    reference ref agenda summary keywords tags project interview session""".split()
) | {"transcribed by", "meeting title", "interview date", "e.g", "i.e", "e.g.", "i.e."}


def _seconds(stamp: str) -> float:
    stamp = stamp.replace(",", ".")
    parts = stamp.split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2]) if len(parts) >= 2 else 0
    hours = int(parts[-3]) if len(parts) >= 3 else 0
    return hours * 3600 + minutes * 60 + seconds


def _label_ok(label: str) -> bool:
    tokens = label.split()
    return (
        0 < len(tokens) <= 6
        and len(label) <= 80
        and all(_LABEL_TOKEN.match(t) for t in tokens)
        and label.lower().rstrip(".") not in _NOT_SPEAKERS
        and label.lower() not in _NOT_SPEAKERS
    )


def _name_like(label: str) -> bool:
    """Every word capitalised (or caseless, a digit group or a name particle)."""
    real = 0
    for token in label.split():
        if token.lower() in _PARTICLES:
            continue
        letters = [ch for ch in token if ch.isalpha()]
        if letters and letters[0].islower():
            return False
        real += 1
    return real > 0


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
    label: str | None = None
    label_ts: float | None = None
    label_text: str = ""
    teams_name: str | None = None
    teams_time: float | None = None


def _prefix(text: str) -> tuple[str, float | None, str] | None:
    m = _PREFIX.match(text)
    if not m:
        return None
    label = m.group("label").strip()
    if not _label_ok(label):
        return None
    ts = _seconds(m.group("ts")) if m.group("ts") else None
    return label, ts, (m.group("text") or "")


def _accepted_labels(labels: Iterable[str]) -> set[str]:
    counts = Counter(labels)
    return {lab for lab, n in counts.items() if _name_like(lab) or (n >= 2 and len(lab.split()) <= 3)}


def _parse_blocks(blocks: list[list[str]], *, lines_when_one_block: bool) -> list[_Draft]:
    """Turns from blocks (paragraphs) of lines: Teams headers, ``Speaker:`` prefixes or paragraphs."""
    rows: list[_Row] = []
    for b, lines in enumerate(blocks):
        for raw in lines:
            line = raw.strip()
            if not line:
                continue
            m = _LEADING_TS.match(line)
            ts = None
            rest = line
            if m:
                ts = _seconds(m.group("bracketed") or m.group("bare"))
                rest = line[m.end() :]
            row = _Row(block=b, ts=ts, rest=rest)
            header = _TEAMS_HEADER.match(line)
            if header and _label_ok(header.group("name")) and header.group("name")[0].isalpha():
                row.teams_name = header.group("name")
                row.teams_time = _seconds(header.group("time"))
            found = _prefix(rest)
            if found:
                row.label, row.label_ts, row.label_text = found
            rows.append(row)

    accepted = _accepted_labels(r.label for r in rows if r.label)
    n_prefixed = sum(1 for r in rows if r.label in accepted)
    n_headers = sum(1 for r in rows if r.teams_name)
    teams = n_headers > 0 and n_headers >= n_prefixed and n_headers < len(rows)

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
    for r in rows:
        if teams and r.teams_name:
            drafts.append(_Draft(r.teams_name, [], r.teams_time, block=r.block))
            continue
        if not teams and r.label in accepted:
            start = next((x for x in (r.label_ts, r.ts, pending) if x is not None), None)
            drafts.append(_Draft(r.label, [r.label_text], start, block=r.block))
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

    try:
        inflated = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(f"{path}: the .docx file is damaged and cannot be read ({exc}). Open it in Word and save it again.") from None
    if inflated > MAX_DOCX_INFLATED_BYTES:  # a zip bomb, or a document full of pictures: not a transcript
        raise InputError(
            f"{path}: the .docx unpacks to {inflated / 1e6:,.0f} MB, more than the {MAX_DOCX_INFLATED_BYTES / 1e6:,.0f} MB "
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
            name = html.unescape(vm.group("name") or "").strip()
            voice = name or None
        elif tag.lower().startswith("</v"):
            flush()
            voice = None
        # any other tag (<c.x>, <i>, <b>, <u>, <lang>, <ruby>, timestamps) is removed
    buffer.append(payload[pos:])
    flush()
    return segments


def _merge_cues(cues: list[tuple[str | None, str | None, str, float, float]]) -> list[_Draft]:
    """Resolve ``Name:`` candidates and merge consecutive cues of one speaker."""
    accepted = _accepted_labels(c[1] for c in cues if c[1])
    drafts: list[_Draft] = []
    for voice, candidate, text, start, end in cues:
        speaker = voice
        if speaker is None and candidate is not None and candidate in accepted:
            found = _prefix(text)
            if found:
                speaker, text = found[0], found[2]
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
            candidate = None
            if voice is None:
                found = _prefix(segment)
                candidate = found[0] if found else None
            cues.append((voice, candidate, segment, start, end))
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
        square = _SQUARE_PREFIX.match(segment)
        if square and _label_ok(square.group("label").strip()) and square.group("text").strip():
            # "[Name] text" is rewritten as "Name: text" so both forms resolve alike
            segment = f"{square.group('label').strip()}: {square.group('text').strip()}"
        found = _prefix(segment)
        candidate = found[0] if found else None
        cues.append((None, candidate, segment, start, end))
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
