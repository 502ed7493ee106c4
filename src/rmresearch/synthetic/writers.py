"""Rendering interviews as files: plain text, Teams .docx and WebVTT, with the ground-truth spans."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np

from .common import FIXED_TIMESTAMP, _pick

_CAPTION_DROP = re.compile(r"[.,;:!?\"()\u2018\u2019\u201c\u201d\u2013\u2014]")


def _caption(seg: tuple) -> tuple:
    """Auto-caption style: lower case, no punctuation, identifiers as spoken."""
    text, label, person, origin = seg
    if label == "EMAIL":
        local, domain = text.split("@")
        text = f"{local.replace('.', ' dot ')} at {domain.replace('.', ' dot ')}"
    elif label == "URL":
        text = re.sub(r"^https?://", "", text).replace(".", " dot ").replace("/", " slash ")
    elif label == "HANDLE":
        text = "at " + text[1:].replace("_", " underscore ")
    elif label == "PHONE":
        text = re.sub(r"[+()]", "", text).replace("(0)", "")
    else:
        text = _CAPTION_DROP.sub(" ", text)
        text = re.sub(r"(?<=\s)-(?=\s)", " ", text)
    text = re.sub(r"\s+", " ", text.lower())
    if label:
        text = text.strip()
    return (text, label, person, origin)


def _join(segs: list) -> tuple[str, list]:
    """Turn text and its spans (start, end, label, person, origin), with single spaces only."""
    text, spans = "", []
    for seg_text, label, person, origin in segs:
        seg_text = re.sub(r" +", " ", seg_text)
        if not text or text.endswith(" "):
            seg_text = seg_text.lstrip(" ")
        if not seg_text:
            continue
        if label:
            spans.append((len(text), len(text) + len(seg_text), label, person, origin))
        text += seg_text
    stripped = text.rstrip(" ")
    return stripped, spans


def _cue_chunks(rng, text: str, spans: list) -> list[str]:
    """Split a turn into caption cues at spaces outside any span (rejoined with single spaces)."""
    inside = np.zeros(len(text) + 1, dtype=bool)
    for s, e, *_ in spans:
        inside[s:e] = True
    words, start = [], 0
    for i, ch in enumerate(text):
        if ch == " " and not inside[i]:
            words.append(text[start:i])
            start = i + 1
    words.append(text[start:])
    chunks, current, limit = [], [], int(rng.integers(9, 16))
    for w in words:
        current.append(w)
        n_words = sum(len(c.split(" ")) for c in current)
        if n_words >= limit or (n_words >= 5 and w.endswith((".", "?", "!")) and rng.random() < 0.6):
            chunks.append(" ".join(current))
            current, limit = [], int(rng.integers(9, 16))
    if current:
        chunks.append(" ".join(current))
    return chunks


def _clock(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _render_interview(rng, turns: list, fmt: str, caption: bool, first_names: bool, speakers: bool = True) -> dict:
    """Write one transcript in memory: the file content and its ground-truth record.

    ``speakers=False`` writes WebVTT cues without ``<v Name>`` voice tags (an auto-caption file that does not
    know who spoke); the ground truth keeps the speakers.
    """
    rendered = []
    for speaker, segs, themes in turns:
        if caption:
            segs = [_caption(s) for s in segs]
        text, spans = _join(segs)
        if fmt == "txt" and speaker.pid.startswith("X"):
            label = "Interviewer"
        else:
            label = speaker.first if first_names else speaker.full
        rendered.append({"speaker": label, "person": speaker, "text": text, "spans": spans, "themes": themes})

    clock = float(rng.uniform(1.0, 4.0))
    cues_by_turn = []
    for i, r in enumerate(rendered):
        chunks = _cue_chunks(rng, r["text"], r["spans"]) if fmt == "vtt" else [r["text"]]
        cues = []
        for chunk in chunks:
            dur = max(1.2, len(chunk.split(" ")) / 2.6 * float(rng.uniform(0.85, 1.2)))
            cues.append((clock, clock + dur, chunk))
            clock += dur + float(rng.uniform(0.0, 0.25))
        cues_by_turn.append(cues)
        r["start_time"], r["end_time"] = cues[0][0], cues[-1][1]
        clock += float(rng.uniform(0.3, 1.5))

    lines, all_spans, truth_turns, offset = [], [], [], 0
    for r in rendered:
        person = r["person"]
        if r["speaker"] != "Interviewer":
            all_spans.append((offset, offset + len(r["speaker"]), "PERSON", person.pid, person.origin))
        body = offset + len(r["speaker"]) + 2
        all_spans.extend((body + s, body + e, lab, who, org) for s, e, lab, who, org in r["spans"])
        lines.append(f"{r['speaker']}: {r['text']}")
        offset += len(lines[-1]) + 1
        if fmt == "txt":
            start, end = None, None
        elif fmt == "docx":
            start, end = int(r["start_time"]), None
        else:
            start, end = round(r["start_time"], 3), round(r["end_time"], 3)
        truth_turns.append({"speaker": r["speaker"], "speaker_id": person.pid, "start_time": start, "end_time": end,
                            "text": r["text"], "themes": r["themes"]})
    canonical = "\n".join(lines)

    if fmt == "txt":
        content = (canonical + "\n").encode("utf-8")
    elif fmt == "docx":
        content = _docx_bytes([(r["speaker"], int(r["start_time"]), r["text"]) for r in rendered])
    else:
        out = ["WEBVTT", ""]
        counter = int(rng.integers(3, 20))
        for r, cues in zip(rendered, cues_by_turn):
            guid = "-".join("".join(_pick(rng, "0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12))
            for part, (a, b, chunk) in enumerate(cues):
                voiced = f"<v {r['speaker']}>{chunk}</v>" if speakers else chunk
                out += [f"{guid}/{counter}-{part}", f"{_clock(a)} --> {_clock(b)}", voiced, ""]
            counter += int(rng.integers(1, 4))
        content = "\n".join(out).encode("utf-8")

    spans = [{"start": s, "end": e, "label": lab, "text": canonical[s:e], "person": who, "origin": org if lab == "PERSON" else None}
             for s, e, lab, who, org in sorted(all_spans)]
    return {"content": content, "text": canonical, "spans": spans, "turns": truth_turns}


def _docx_bytes(turns: list[tuple[str, int, str]]) -> bytes:
    """A Teams-style transcript: 'Name   m:ss' then the spoken text, per turn; byte-for-byte reproducible."""
    from docx import Document

    doc = Document()
    for speaker, seconds, text in turns:
        m, s = divmod(seconds, 60)
        doc.add_paragraph(f"{speaker}   {m}:{s:02d}")
        doc.add_paragraph(text)
    props = doc.core_properties
    props.author = "rmresearch demo"
    props.last_modified_by = "rmresearch demo"
    props.title = "Transcript"
    props.comments = "Synthetic transcript generated by rmresearch"
    props.revision = 1
    props.created = props.modified = props.last_printed = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    doc.save(buffer)
    return _normalise_zip(buffer.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, [Content_Types].xml first."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    names = sorted(names, key=lambda n: (n != "[Content_Types].xml", names.index(n)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, src.read(name), compresslevel=6)
    return out.getvalue()

