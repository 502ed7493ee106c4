"""Interview transcripts in one shape: turns with speakers, times and offsets.

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

This module holds the model and :func:`write_transcript_text`; the readers
(:func:`read_transcript`, :func:`read_jsonl`) live in
:mod:`rmresearch.io.transcripts`, which describes what each format gives,
and are importable from here as before.

Files are decoded by the one policy of :mod:`rmresearch.io.text`: UTF-8
(with or without a byte-order mark) or UTF-16/32 with a byte-order mark;
anything else is an :class:`~rmresearch.errors.InputError` naming the line
and byte offset, unless ``encoding=`` is given. The encoding is never
guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from .errors import AnalysisError, InputError
from .fileio import atomic_write_text
from .io.transcripts import SUPPORTED_SUFFIXES, read_jsonl, read_transcript

__all__ = [
    "Turn",
    "Transcript",
    "SUPPORTED_SUFFIXES",
    "MAX_TRANSCRIPT_BYTES",
    "MAX_DOCX_INFLATED_BYTES",
    "read_transcript",
    "read_jsonl",
    "write_transcript_text",
]

#: Largest transcript read (bytes). A two-hour interview is a few hundred kilobytes of text (a .docx with a
#: logo a few megabytes); anything this large is the wrong file and would stall the anonymiser.
MAX_TRANSCRIPT_BYTES = 50_000_000
#: Largest size a .docx may unpack to (its parts together): a compressed file of a few kilobytes can unpack
#: to gigabytes (a zip bomb).
MAX_DOCX_INFLATED_BYTES = 200_000_000


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
            raise AnalysisError(
                f"{self.source}: Transcript.text must be the turns joined as 'Speaker: text' lines; "
                "build it with Transcript.from_turns."
            )
        for t in self.turns:
            if self.text[t.char_start : t.char_end] != t.text:
                raise AnalysisError(f"{self.source}: turn offsets {t.char_start}:{t.char_end} do not point at its text {t.text!r}; "
                                    "build it with Transcript.from_turns.")
            if t.speaker is not None and self.text[t.speaker_start : t.speaker_end] != t.speaker:
                raise AnalysisError(f"{self.source}: speaker offsets {t.speaker_start}:{t.speaker_end} do not point at "
                                    f"{t.speaker!r}; build it with Transcript.from_turns.")

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
                raise AnalysisError(f"{self.source}: replacement spans {s1}:{e1} and {s2}:{_e2} overlap; merge them into one.")
        per_turn: list[dict[str, list]] = [{"speaker": [], "text": []} for _ in self.turns]
        for s, e, r in spans:
            if not 0 <= s <= e <= len(self.text):
                raise AnalysisError(f"{self.source}: replacement span {s}:{e} is outside the text (length {len(self.text)}).")
            for i, t in enumerate(self.turns):
                if t.char_start <= s and e <= t.char_end:
                    per_turn[i]["text"].append((s - t.char_start, e - t.char_start, r))
                    break
                if t.speaker is not None and t.speaker_start <= s and e <= t.speaker_end:
                    per_turn[i]["speaker"].append((s - t.speaker_start, e - t.speaker_start, r))
                    break
            else:
                raise AnalysisError(f"{self.source}: replacement span {s}:{e} crosses a turn boundary or a speaker separator; "
                                    "split it at the turn or the speaker label.")
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

