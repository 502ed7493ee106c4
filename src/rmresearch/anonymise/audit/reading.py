"""What a reader of a file sees, as ``(where, line, text)`` units: the text the audit searches.

HTML, XML, SVG and ``.qdc`` give text nodes, comments and attribute values; JSON every string; notebooks their
cells, outputs and recorded figure texts; CSV every cell; zip archives every member by its kind; PDF the text of
each page (with pypdf). Image data,
hashes, UUIDs, timestamps and long decimals are blanked first. Bytes are decoded by
:func:`rmresearch.io.text.decode_lenient` (never refused: the audit must read whatever is there).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Iterator

from ...io.text import decode_lenient
from .findings import _PRIVATE_MARK, Finding

__all__ = ["AUDIT_SUFFIXES", "FIGURE_TEXT_KEY", "MAX_AUDIT_BYTES", "text_units"]

#: Suffixes read as text of a known kind (any other file is sniffed: text if it decodes, else a finding).
AUDIT_SUFFIXES = (".txt", ".vtt", ".srt", ".md", ".csv", ".tsv", ".json", ".jsonl", ".ipynb", ".html", ".htm", ".xml",
                  ".qdpx", ".qdc", ".qde", ".svg", ".docx", ".xlsx", ".zip")
_HTML = (".html", ".htm", ".xhtml")
_XML = (".xml", ".qdc", ".qde", ".svg", ".rels", ".xsd")
_ZIP = (".qdpx", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".zip")
#: Key, in an output's ``metadata["rmresearch"]``, of the texts drawn in a figure (see :mod:`rmresearch.plots`).
FIGURE_TEXT_KEY = "figure_text"
#: Largest file (or archive member, uncompressed) the audit reads; a larger one is a finding, not skipped.
MAX_AUDIT_BYTES = 256 * 1024 * 1024


_DATA_URI = re.compile(r"data:[\w/+.-]+(?:;[\w=.-]+)*;base64,[A-Za-z0-9+/=\s]+")
_BASE64 = re.compile(r"(?<![\w+/])(?=[A-Za-z0-9+/]*\d)(?=[A-Za-z0-9+/]*[A-Za-z])[A-Za-z0-9+/]{40,}={0,2}(?![\w+/])")
_HEX = re.compile(r"(?<![\w])(?=[0-9a-fA-F]*[0-9])[0-9a-fA-F]{16,}(?![\w])")
_UUID = re.compile(r"(?<![\w-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])")
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_DECIMAL = re.compile(r"(?<![\w.])-?\d+\.\d{5,}(?:[eE][+-]?\d+)?(?![\w.])")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]")
_CSS_CONTENT = re.compile(r"""content\s*:\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)  # text CSS draws
# Elements whose whole text a reader sees as one run ("K<i>wame</i>" reads "Kwame").
_TEXT_BLOCKS = {"p", "td", "th", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "figcaption", "caption", "title",
                "dt", "dd", "blockquote", "a", "span", "label", "summary", "option", "button", "code", "b", "i",
                "em", "strong", "text", "tspan", "Description", "PlainTextContent", "Note"}
_TAG = re.compile(r"<[^>]*>")
_ATTR = re.compile(r"""\s([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_COLOUR = re.compile(r"#?(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})")  # fill="F5F8EE" reads like a postcode
_SKIP_ATTRS = {"style", "d", "transform", "viewbox", "points"}  # CSS and SVG geometry: numbers, not text


def _clean(text: str) -> str:
    """Blank what is not text (image data, hashes, UUIDs, timestamps, long decimals), keeping line breaks."""
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group())

    text = _INVISIBLE.sub("", text)  # "Kw\u200bame" reads as "Kwame"
    for rx in (_DATA_URI, _UUID, _ISO_TIME, _BASE64, _HEX, _DECIMAL):
        text = rx.sub(blank, text)
    return _ANSI.sub("", text)


def _attr_text(tag: str) -> str:
    """The attribute values of one tag (``title``, ``alt``, ``aria-label``...), entities decoded."""
    import html

    values = []
    for m in _ATTR.finditer(tag):
        value = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
        if m.group(1).lower() in _SKIP_ATTRS:
            continue
        values.append(html.unescape(value or ""))
    return " ; ".join(values)


def _markup_lines(text: str) -> list[str]:
    """Markup read line by line: tags replaced by their attribute values, entities decoded (keeps line numbers)."""
    import html

    text = re.sub(r"<(style)\b.*?</\1\s*>", lambda m: "\n" * m.group().count("\n"), text, flags=re.IGNORECASE | re.DOTALL)
    text = re.sub(r"<!--(.*?)-->", lambda m: " " + m.group(1) + " ", text, flags=re.DOTALL)
    text = _TAG.sub(lambda m: " ; " + _attr_text(m.group()).replace("\n", " ") + " ; " + "\n" * m.group().count("\n"), text)
    return [html.unescape(line) for line in text.split("\n")]


def _html_units(text: str, base: int = 1) -> Iterator[tuple[int, str]]:
    """HTML as its text nodes and attribute values, each with its line (a table cell is a unit of its own)."""
    from lxml import etree

    text = _clean(text)
    try:
        parser = etree.HTMLParser(encoding="utf-8", remove_comments=False, huge_tree=False, no_network=True)
        root = etree.fromstring(text.encode("utf-8"), parser) if text.strip() else None
    except (etree.Error, ValueError):
        root = None
    if root is None:
        for n, line in enumerate(_markup_lines(text), start=base):
            yield n, line
        return
    yield from _tree_units(root, base)


def _tree_units(root, base: int) -> Iterator[tuple[int, str]]:
    from lxml import etree

    for el in root.iter():
        line = base + (el.sourceline or 1) - 1
        tag = el.tag if isinstance(el.tag, str) else ""
        local_tag = tag.rsplit("}", 1)[-1]
        if local_tag.lower() == "style":
            for m in _CSS_CONTENT.finditer(el.text or ""):
                yield line, m.group(1) or m.group(2) or ""
            yield from _split(el.tail, line)
            continue
        if (local_tag in _TEXT_BLOCKS or local_tag.lower() in _TEXT_BLOCKS) and len(el):
            joined = "".join(t for t in el.itertext() if isinstance(t, str))
            if joined.strip():
                yield line, re.sub(r"\s+", " ", joined)
        if isinstance(el, (etree._Comment, etree._ProcessingInstruction)):
            yield from _split(el.text, line)
            yield from _split(el.tail, line)
            continue
        for name, value in el.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local == "style":
                for m in _CSS_CONTENT.finditer(value):
                    yield line, m.group(1) or m.group(2) or ""
            if local in _SKIP_ATTRS or _COLOUR.fullmatch(value.strip()):
                continue
            yield line, _clean(value)
            if "%" in value and local in ("href", "src", "action", "data", "content", "value"):
                from urllib.parse import unquote_plus

                yield line, _clean(unquote_plus(value))
        yield from _split(el.text, line)
        yield from _split(el.tail, line)


def _split(text: str | None, line: int) -> Iterator[tuple[int, str]]:
    if text and text.strip():
        for i, part in enumerate(text.split("\n")):
            if part.strip():
                yield line + i, part


def _xml_units(data: bytes) -> Iterator[tuple[int, str]]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.Error, ValueError):
        root = None
    if b"<!ENTITY" in data:  # entity values are not expanded (no billion laughs), so read them as written
        for n, line in enumerate(decode_lenient(data).split("\n"), start=1):
            if "<!ENTITY" in line:
                yield n, _clean(line)
    if root is None:
        yield from enumerate(_markup_lines(_clean(decode_lenient(data))), start=1)
        return
    for line, text in _tree_units(root, 1):
        yield line, _clean(text)


def _text_units(text: str, base: int = 1) -> Iterator[tuple[int, str]]:
    for n, line in enumerate(_clean(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=base):
        if line.strip():
            yield n, line


def _csv_units(text: str, delimiter: str) -> Iterator[tuple[int, str]]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for row in reader:
            for cell in row:
                if cell.strip():
                    for i, part in enumerate(_clean(cell).split("\n")):
                        yield reader.line_num - cell.count("\n") + i, part
    except csv.Error:
        yield from _text_units(text)


def _json_walk(value, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, bool) or value is None or isinstance(value, float):
        return
    elif isinstance(value, int):
        yield path, str(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield path + ("<key>",), str(k)
            yield from _json_walk(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _json_walk(v, path + (i,))


_NB_TIMING = {"start_time", "end_time", "duration", "execution", "iopub.execute_input", "iopub.status.busy",
              "iopub.status.idle", "shell.execute_reply", "exception", "status"}


def _notebook_kind(path: tuple, nb) -> str | None:
    """How a string at ``path`` in a notebook is read: "text", "html", "figure" or None (not shown: skipped)."""
    if not path:
        return "text"
    if path[0] == "cells" and len(path) >= 3:
        cell = nb["cells"][path[1]] if isinstance(path[1], int) else {}
        part = path[2]
        if part in ("attachments", "id", "execution_count"):
            return None
        if part == "source":
            return "html" if cell.get("cell_type") == "markdown" else "text"
        if part == "metadata":
            return None if any(p in _NB_TIMING or p in ("papermill",) for p in path[3:] if isinstance(p, str)) else "text"
        if part == "outputs" and len(path) >= 5:
            if path[4] == "data" and len(path) >= 6:
                mime = str(path[5])
                if mime.startswith("image/") and mime != "image/svg+xml":
                    return None
                return "html" if mime in ("text/html", "image/svg+xml", "text/markdown") else "text"
            if path[4] == "metadata":
                return "text" if "rmresearch" in path else None
            if path[4] == "output_type" or path[4] == "execution_count":
                return None
            return "text"
        return "text"
    if path[0] == "metadata":
        return None if any(isinstance(p, str) and p in _NB_TIMING for p in path) else "text"
    return None if path[0] in ("nbformat", "nbformat_minor") else "text"


def _json_units(text: str, *, notebook: bool, findings: list, file: str) -> Iterator[tuple[int, str]]:
    try:
        data = json.loads(text)
    except ValueError:
        yield from _text_units(text)
        return
    cursor = 0
    line_at = _LineIndex(text)
    for path, value in _json_walk(data, ()):
        kind = _notebook_kind(path, data) if notebook and isinstance(data, dict) else "text"
        if kind is None or not value.strip():
            continue
        # where the string is in the file: the next occurrence of its JSON form
        at = -1
        for form in (json.dumps(value, ensure_ascii=False)[1:-1], json.dumps(value)[1:-1]):
            at = text.find(form, cursor) if form else -1
            if at >= 0:
                cursor = at
                break
        line = line_at(at if at >= 0 else cursor)
        if kind == "html":
            for n, part in _html_units(value):
                yield line + n - 1, part
        else:
            for n, part in _text_units(value):
                yield line + n - 1, part
    if notebook and isinstance(data, dict):
        _check_figures(data, file, findings, line_at, text)
    if isinstance(data, dict) and {"entries", "counters"} <= set(data) and isinstance(data.get("entries"), dict):
        findings.append(Finding(file, 0, _PRIVATE_MARK, "pseudonym key", "private"))


def _check_figures(nb: dict, file: str, findings: list, line_at, text: str) -> None:
    """A figure is audited through the texts drawn in it; one whose texts were not recorded is a finding."""
    for cell in nb.get("cells") or []:
        if not isinstance(cell, dict):
            continue
        for output in cell.get("outputs") or []:
            if not isinstance(output, dict):
                continue
            data = output.get("data") or {}
            if not any(str(m).startswith("image/") for m in data):  # an SVG figure draws its text as paths
                continue
            if not _has_figure_text(output):
                findings.append(Finding(file, 0, "FIGURE", "(texts drawn in a figure were not recorded; draw it "
                                        "with rmresearch.plots, imported in the notebook)", "figure"))


def _has_figure_text(output: dict) -> bool:
    """Whether a figure output carries the texts drawn in it (from plots.finish or the display hook)."""
    from ...figuretext import FIGURE_TEXT_MIME

    if FIGURE_TEXT_MIME in (output.get("data") or {}):
        return True
    metadata = output.get("metadata") or {}
    for meta in [metadata.get("rmresearch")] + [m.get("rmresearch") for m in metadata.values() if isinstance(m, dict)]:
        if isinstance(meta, dict) and FIGURE_TEXT_KEY in meta:
            return True
    return False


class _LineIndex:
    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __call__(self, pos: int) -> int:
        import bisect

        return bisect.bisect_right(self.starts, max(pos, 0))


def _content_units(name: str, data: bytes, findings: list, file: str) -> Iterator[tuple[int, str]]:
    """The text units of one file's bytes, by its kind."""
    suffix = Path(name).suffix.lower()
    if suffix in _ZIP:
        yield from ()
        return
    if suffix in _XML:
        yield from _xml_units(data)
        return
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        findings.append(Finding(file, 0, "UNREADABLE", f"({suffix or 'binary'} content cannot be read as text; "
                                "remove it from what is shared or share it as text)", "format"))
        return
    text = decode_lenient(data)
    if suffix not in AUDIT_SUFFIXES and suffix not in (".log", ".rst", ".yml", ".yaml", ".py", ".tex", ".css", ".js") \
            and text.count("\ufffd") > max(8, len(text) // 200):
        findings.append(Finding(file, 0, "UNREADABLE", f"({suffix or 'binary'} content cannot be read as text; "
                                "remove it from what is shared or share it as text)", "format"))
        return
    if suffix in _HTML:
        yield from _html_units(text)
    elif suffix in (".json", ".ipynb"):
        yield from _json_units(text, notebook=suffix == ".ipynb", findings=findings, file=file)
    elif suffix == ".jsonl":
        for n, line in enumerate(text.splitlines(), start=1):
            for _, part in _json_units(line, notebook=False, findings=findings, file=file):
                yield n, part
    elif suffix in (".csv", ".tsv", ".tab"):
        head = text[:4096].splitlines()[0].casefold() if text.strip() else ""
        if {"document", "start", "end", "text", "decision"} <= set(re.split(r"[,\t;]", head)):
            findings.append(Finding(file, 0, _PRIVATE_MARK, "review file (original words)", "private"))
        if "candidate" in head and "context" in head and "confirmed" in head:
            findings.append(Finding(file, 0, _PRIVATE_MARK, "residual candidates (original words)", "private"))
        yield from _csv_units(text, "\t" if suffix in (".tsv", ".tab") or head.count("\t") > head.count(",") else ",")
    else:
        yield from _text_units(text)


def _zip_units(path: Path, data: bytes, findings: list, file: str) -> Iterator[tuple[str, int, str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        findings.append(Finding(file, 0, "UNREADABLE", "(not a readable zip archive)", "format"))
        return
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        yield info.filename, 0, " ".join(_name_text(part) for part in info.filename.split("/"))
        total += info.file_size
        if info.file_size > MAX_AUDIT_BYTES or total > 4 * MAX_AUDIT_BYTES:
            findings.append(Finding(file, 0, "UNREADABLE", f"(member too large to audit: {info.file_size} bytes)",
                                    "format", info.filename))
            continue
        try:
            member = archive.read(info)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            findings.append(Finding(file, 0, "UNREADABLE", f"(member cannot be read: {type(exc).__name__})", "format",
                                    info.filename))
            continue
        sub: list[Finding] = []
        if Path(info.filename).suffix.lower() in _ZIP:
            sub.append(Finding(file, 0, "UNREADABLE", "(an archive inside an archive is not audited)", "format"))
            units = iter(())
        else:
            units = _content_units(info.filename, member, sub, file)
        for line, text in units:
            yield info.filename, line, text
        findings.extend(Finding(f.file, f.line, f.label, f.masked, f.source, info.filename) for f in sub)


def _name_text(name: str) -> str:
    """A file or folder name as words: separators to spaces, camel case split (``KwameMensah`` -> ``Kwame Mensah``)."""
    stem = name.rsplit("/", 1)[-1]
    for suffix in (".log.csv", ".results.json"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", stem)
    stem = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", stem)
    return " " + re.sub(r"[_.+\s]+", " ", stem).strip() + " "


def text_units(path: str | Path, findings: list | None = None) -> Iterator[tuple[str, int, str]]:
    """What a reader of ``path`` sees, as ``(where, line, text)``: ``where`` is an archive member, or ""."""
    path = Path(path)
    findings = findings if findings is not None else []
    size = path.stat().st_size
    if size > MAX_AUDIT_BYTES:
        findings.append(Finding(str(path), 0, "UNREADABLE", f"(too large to audit: {size} bytes; split it)", "format"))
        return
    data = path.read_bytes()
    if path.suffix.lower() in _ZIP:
        yield from _zip_units(path, data, findings, str(path))
        return
    if path.suffix.lower() == ".pdf":
        yield from _pdf_units(data, findings, str(path))
        return
    for line, text in _content_units(path.name, data, findings, str(path)):
        yield "", line, text


def _pdf_units(data: bytes, findings: list, file: str) -> Iterator[tuple[str, int, str]]:
    """A PDF's text, page by page (``where`` is "page N"), each run of text as drawn (as a table cell or a line of a
    paragraph; the text of one page copied as lines would run cells together into false identifiers), its
    metadata (title, author) and the addresses its links open."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError:
        findings.append(Finding(file, 0, "UNREADABLE", "(a PDF cannot be read without pypdf; install it: "
                                "pip install pypdf)", "format"))
        return
    def runs(page) -> str:  # each text run as drawn (a table cell, a line of a paragraph), one a line
        drawn: list[str] = []
        page.extract_text(visitor_text=lambda text, *_: drawn.append(text.replace("\n", " ")))
        return "\n".join(drawn)

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [runs(page) for page in reader.pages]
        meta = [str(v) for v in (reader.metadata or {}).values() if isinstance(v, str)]
        links = [str(a.get_object().get("/A", {}).get("/URI", "")) for page in reader.pages
                 for a in (page.get("/Annots") or [])]
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as exc:
        findings.append(Finding(file, 0, "UNREADABLE", f"(not a readable PDF: {type(exc).__name__})", "format"))
        return
    for n, line in _text_units("\n".join(meta)):
        yield "metadata", n, line
    for n, line in _text_units("\n".join(link for link in links if link)):
        yield "links", n, line
    for number, text in enumerate(pages, start=1):
        for n, line in _text_units(text):
            yield f"page {number}", n, line


def _walk(folder: Path) -> list[Path]:
    """Every file under ``folder``, following symbolic links to folders (a linked raw folder is shared too), each once."""
    import os

    out, seen = [], set()
    for top, dirs, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(top)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        out += [Path(top) / n for n in sorted(names) if (Path(top) / n).is_file()]
    return out
