"""Leak audit: look for any identifier in files meant to be shared.

Every file is read as what a reader of it sees:

- HTML, XML, SVG, ``.qdc``: text nodes, comments and every attribute value
  (``title=``, ``alt=``, ``name=``...), entities decoded; CSS and image data skipped;
- JSON and JSONL: every string, keys included (numbers are not text, except whole
  numbers, which may be IDs); notebooks: cell sources, text, HTML and Markdown
  outputs and the figure texts :mod:`rmresearch.plots` records (titles, labels,
  ticks, legends, annotations, alt text), never the image data; a figure whose
  texts were not recorded cannot be checked and is a finding;
- CSV and TSV: every cell;
- zip archives (``.qdpx``, ``.docx``, ``.xlsx``, ``.zip``): every member by its
  kind (``project.qde`` as XML: source, code, user, case and project names,
  notes, descriptions, variable values; ``sources/*.txt`` as text);
- file and folder names (``interview_Kwame_Mensah.txt`` names a person);
- a pseudonym key, a review file or a residual-candidates file inside an audited
  folder is a finding; so is a file whose content cannot be read as text (an
  image, a PDF), because nobody can say it is clean.

It looks for

- every roster name and alias, whole word, in any casing (a name part that is
  also a common word, like *Hope* or *Young*, only where written as a name:
  capitalised inside a sentence, or together with the person's other name; one
  that is also an ethnicity or colour word, like *White* or *Black*, only in a
  name context: after a title, before *said* or a possessive, as a speaker label);
- every original recorded in the cohort's pseudonym key;
- every pattern identifier (e-mail, phone, postcode, handle, configured IDs).

Base64 data, ``data:`` URIs, hashes, UUIDs, timestamps and long decimals are
blanked first: they are not text and read like phone numbers.

Findings name file and line and show the identifier partly masked
(``K**** M*****``), so the audit report is itself safe to share.

:func:`residual_candidates` is the second pass: the detector run over the same
text lists what still looks like a name, for a person to confirm.

Examples
--------
>>> mask("Kwame Mensah"), mask("k.mensah@anytown.ac.uk")
('K**** M*****', 'k.m*****@a******.a*.u*')
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .lexicon import IDENTITY_TERMS, NAME_TITLES, get_lexicon
from .patterns import compile_identifiers, find_patterns
from .roster import Roster

__all__ = ["Finding", "audit_paths", "audit_cohort", "audit_shareable", "audit_texts", "mask", "AUDIT_SUFFIXES", "format_findings",
           "text_units", "residual_candidates", "residual_path", "write_residual", "FIGURE_TEXT_KEY",
           "MAX_AUDIT_BYTES", "CATEGORY_WORDS"]

#: Suffixes read as text of a known kind (any other file is sniffed: text if it decodes, else a finding).
AUDIT_SUFFIXES = (".txt", ".vtt", ".srt", ".md", ".csv", ".tsv", ".json", ".jsonl", ".ipynb", ".html", ".htm", ".xml",
                  ".qdpx", ".qdc", ".qde", ".svg", ".docx", ".xlsx", ".zip")
_AUDIT_LABELS = ("EMAIL", "PHONE", "POSTCODE", "HANDLE")
_HTML = (".html", ".htm", ".xhtml")
_XML = (".xml", ".qdc", ".qde", ".svg", ".rels", ".xsd")
_ZIP = (".qdpx", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".zip")
#: Key, in an output's ``metadata["rmresearch"]``, of the texts drawn in a figure (see :mod:`rmresearch.plots`).
FIGURE_TEXT_KEY = "figure_text"
#: Largest file (or archive member, uncompressed) the audit reads; a larger one is a finding, not skipped.
MAX_AUDIT_BYTES = 256 * 1024 * 1024
#: Words that are ethnicity, nationality or colour categories first: a name only in a name context.
CATEGORY_WORDS = IDENTITY_TERMS | frozenset({"green", "grey", "gray", "other", "unknown", "not", "known"})
_PRIVATE_MARK = "PRIVATE"


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    label: str
    masked: str
    source: str  # "roster", "key", "pattern", "file name", "private", "format" or "figure"
    where: str = ""  # archive member, or "file name"

    def __str__(self) -> str:
        loc = self.file + (f" [{self.where}]" if self.where else "")
        return f"{loc}:{self.line}: {self.label} {self.masked} ({self.source})" if self.line else \
            f"{loc}: {self.label} {self.masked} ({self.source})"


def mask(value: str) -> str:
    """Keep the first character of each word, star the rest."""
    return re.sub(r"([^\W_])([^\W_]*)", lambda m: m.group(1) + "*" * len(m.group(2)), value)


def _sentence_initial(line: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and line[i] in " \t\"'(\u2018\u201c*_#|-":
        i -= 1
    return i < 0 or line[i] in ".!?:;>\u2022"


_TITLE_WORDS = {t.casefold() for t in NAME_TITLES}
_REPORTING = frozenset("""said says say told tells asked asks explained explains mentioned mentions recalled recalls
added adds noted notes thinks thought felt feels wrote writes replied replies agreed agrees described describes
suggested suggests remembered remembers laughed argued argues insisted insists""".split())
_BEFORE = re.compile(r"([^\W\d_]+)\.?\s+$")
_AFTER = re.compile(r"^(?:['\u2019]s\b|\s+([^\W\d_]+)|\s*:)")


def _name_context(line: str, start: int, end: int) -> bool:
    """A category word used as a name: after a title, before a possessive or a reporting verb, as a speaker label."""
    before = _BEFORE.search(line[max(0, start - 20):start])
    if before and before.group(1).casefold() in _TITLE_WORDS:
        return True
    after = _AFTER.match(line[end:end + 20])
    if not after:
        return False
    if after.group(0).lstrip().startswith(":"):
        # a speaker label, "White: I was nervous at first", not a category label, "White: 55% (n = 120)"
        words = re.findall(r"[^\W\d_]{2,}", line[end + len(after.group(0)):])
        return not line[:start].strip() and len(words) >= 4
    word = after.group(1)
    return word is None or word.casefold() in _REPORTING


# --------------------------------------------------------------------------- what a reader sees

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
        for n, line in enumerate(_decode(data).split("\n"), start=1):
            if "<!ENTITY" in line:
                yield n, _clean(line)
    if root is None:
        yield from enumerate(_markup_lines(_clean(_decode(data))), start=1)
        return
    for line, text in _tree_units(root, 1):
        yield line, _clean(text)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # an Excel or Windows export: "Siobh\xe1n" must still read as Siobh\u00e1n
        return data.decode("cp1252", errors="replace")


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
    from ..figuretext import FIGURE_TEXT_MIME

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
    text = _decode(data)
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
    for line, text in _content_units(path.name, data, findings, str(path)):
        yield "", line, text


# --------------------------------------------------------------------------- needles


class _Needles:
    """Compiled searches for roster and key names."""

    def __init__(self, rosters: Iterable[Roster], key_originals: Iterable[tuple[str, str]]):
        lex = get_lexicon()
        strict: dict[str, str] = {}   # any casing
        named: dict[str, str] = {}    # only written as a name
        category: dict[str, str] = {}  # only in a name context
        for roster in rosters:
            for toks, kind in roster.kinds.items():
                form = " ".join(toks)
                if len(toks) == 1 and toks[0] in CATEGORY_WORDS:
                    category[form] = "roster"
                elif len(toks) == 1 and (lex.is_common_word(toks[0]) or len(toks[0]) < 3):
                    named[form] = "roster"
                else:
                    strict[form] = "roster"
        key_originals = list(key_originals)
        for original, label in key_originals:
            form = re.sub(r"\s+", " ", original.strip())
            if not form or label != "PERSON":
                continue
            form = re.sub(r"['\u2019]s$", "", form).casefold()
            if " " not in form and form in CATEGORY_WORDS:
                category.setdefault(form, "key")
            elif " " not in form and (lex.is_common_word(form) or len(form) < 3):
                named.setdefault(form, "key")
            else:
                strict.setdefault(form, "key")
        for form in list(named):
            strict.pop(form, None)
        for form in list(category):
            strict.pop(form, None)
            named.pop(form, None)
        for forms in (strict, named, category):  # "Siobhan" is written for Siobh\u00e1n too
            for form in list(forms):
                if _fold(form) != form and len(form) >= 3:  # not a lone "\u00d3" as "O"
                    forms.setdefault(_fold(form), forms[form])
        self.sources = {**category, **named, **strict}
        self.strict = self._compile(strict)
        self.named = self._compile(named)
        self.category = self._compile(category)
        self.other = [(o, lbl) for o, lbl in key_originals if lbl != "PERSON" and o.strip()]

    @staticmethod
    def _compile(forms: dict[str, str]):
        if not forms:
            return None
        alts = sorted(forms, key=len, reverse=True)
        body = "|".join(re.escape(f).replace(r"\ ", r"\s+").replace(r"\-", r"[\-\u2010-\u2014\s]?")
                        for f in alts)
        body = re.sub("['\u2019\u02bc]", lambda m: "['\u2019\u02bc]?", body)  # O'Neill, O\u2019Neill, ONeill
        return re.compile(r"(?<![^\W_])(?:" + body + r")(?![^\W_])", re.IGNORECASE)

    def find(self, line: str, *, file_name: bool = False) -> Iterator[tuple[str, str]]:
        """(matched text, source) of every name in ``line`` (and in ``line`` without its accents)."""
        yield from self._find(line, file_name=file_name)
        folded = _fold(line)
        if folded != line:
            yield from self._find(folded, file_name=file_name)

    def _find(self, line: str, *, file_name: bool = False) -> Iterator[tuple[str, str]]:
        taken: list[tuple[int, int]] = []

        def inside(m) -> bool:  # part of a longer name already found ("Hope" in "Hope Campbell")
            return any(a <= m.start() and m.end() <= b for a, b in taken)

        if self.strict is not None:
            for m in self.strict.finditer(line):
                taken.append(m.span())
                yield m.group(), self.sources.get(re.sub(r"\s+", " ", m.group()).casefold(), "roster")
        if self.named is not None:
            for m in self.named.finditer(line):
                w = m.group()
                if w[:1].isupper() and not w.isupper() and not inside(m) \
                        and (file_name or not _sentence_initial(line, m.start())):
                    yield w, self.sources.get(w.casefold(), "roster")
        if self.category is not None and not file_name:
            for m in self.category.finditer(line):
                w = m.group()
                if w[:1].isupper() and not inside(m) and _name_context(line, m.start(), m.end()):
                    yield w, self.sources.get(w.casefold(), "roster")


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


def _fold(text: str) -> str:
    """``text`` without accents (``Siobh\u00e1n \u00d3 Murch\u00fa`` -> ``Siobhan O Murchu``)."""
    import unicodedata

    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _rosters(roster) -> list[Roster]:
    if roster is None:
        return []
    return [roster] if isinstance(roster, Roster) else [r for r in roster if r is not None]


def audit_paths(
    paths: Iterable[str | Path],
    *,
    roster: Roster | Iterable[Roster] | None = None,
    key_originals: Iterable[tuple[str, str]] = (),
    identifiers: dict | None = None,
    exclude: Iterable[str | Path] = (),
    private: Iterable[str | Path] = (),
) -> list[Finding]:
    """Every identifier found in the files under ``paths`` (folders are searched recursively).

    ``roster`` may be one roster or several (a trends page covers many cohorts).
    ``private`` files (the key, the review file) found under ``paths`` are findings
    themselves: they must never lie in a shareable folder. ``exclude`` files are
    skipped altogether.
    """
    from ..errors import InputError

    needles = _Needles(_rosters(roster), list(key_originals))
    ids = compile_identifiers(identifiers)
    excluded = {Path(p).resolve() for p in exclude}
    private_files = {Path(p).resolve() for p in private}
    files: list[tuple[Path, Path]] = []  # (file, audited root)
    for p in map(Path, paths):
        if p.is_dir():
            files += [(f, p) for f in _walk(p)]
        elif p.is_file():
            files.append((p, p.parent))
        else:
            raise InputError(f"{p}: no such file or folder to audit.")
    findings: list[Finding] = []
    other_values = [(re.compile(r"(?<![\w@.])" + re.escape(o) + r"(?![\w@])", re.IGNORECASE), lbl) for o, lbl in needles.other]

    def scan(file: str, where: str, n: int, line: str, *, file_name: bool = False) -> None:
        source = "file name" if file_name else None
        for text, src in needles.find(line, file_name=file_name):
            findings.append(Finding(file, n, "PERSON", mask(text), source or src, where or ("file name" if file_name else "")))
        for s in find_patterns(line, identifiers=ids, labels=_AUDIT_LABELS):
            findings.append(Finding(file, n, s.label, mask(s.text), source or "pattern", where or ("file name" if file_name else "")))
        for rx, lbl in other_values:
            for m in rx.finditer(line):
                findings.append(Finding(file, n, lbl, mask(m.group()), source or "key", where or ("file name" if file_name else "")))

    for f, root in files:
        resolved = f.resolve()
        if resolved in excluded:
            continue
        file = str(f)
        if resolved in private_files:
            findings.append(Finding(file, 0, _PRIVATE_MARK, "pseudonym key or review file in a shareable folder",
                                    "private"))
            continue
        try:
            rel = f.relative_to(root)
        except ValueError:
            rel = Path(f.name)
        for part in rel.parts:
            scan(file, "", 0, _name_text(part), file_name=True)
        if f.name == "pseudonym_key.json":
            findings.append(Finding(file, 0, _PRIVATE_MARK, "pseudonym key", "private"))
        try:
            for where, n, line in text_units(f, findings):
                if line.strip():
                    scan(file, where, n, line, file_name=bool(where) and n == 0)
        except OSError as exc:
            findings.append(Finding(file, 0, "UNREADABLE", f"(cannot be read: {exc.strerror or exc})", "format"))
    # One finding per place and value.
    unique = {(x.file, x.where, x.line, x.label, x.masked): x for x in findings}
    return list(unique.values())


def format_findings(findings: list[Finding], *, limit: int = 200) -> str:
    lines = [str(f) for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"... and {len(findings) - limit} more")
    return "\n".join(lines)


def _cohort_needles(configs) -> tuple[list[Roster], list[tuple[str, str]], dict, list[Path]]:
    from ..errors import ConfigError
    from .pseudonyms import PseudonymKey, key_path
    from .review import review_path
    from .roster import load_roster

    rosters, originals, identifiers, private = [], [], {}, []
    for config in configs:
        kpath = key_path(config)
        if kpath.exists():
            originals += PseudonymKey.load(kpath, cohort=config.cohort, require_private=True).originals()
        rosters.append(load_roster(config))
        identifiers.update(config.options.get("identifiers") or {})
        private += [kpath, residual_path(config)]
        try:
            private.append(review_path(config))
        except ConfigError:  # a cohort without interviews has no review file
            pass
    return rosters, originals, identifiers, private


def _as_configs(config) -> list:
    return list(config) if isinstance(config, (list, tuple)) else [config]


def audit_shareable(configs, paths: Iterable[str | Path]) -> list[Finding]:
    """Audit shareable ``paths`` (files or folders) for one cohort or several (a list of configs).

    Every cohort's roster, key originals and identifier formats are looked for, and
    each cohort's key, review file and residual-candidates file are findings if they
    lie under ``paths``. This is the function the report and the trends page call.
    """
    configs = _as_configs(configs)
    rosters, originals, identifiers, private = _cohort_needles(configs)
    findings = audit_paths(list(paths), roster=rosters, key_originals=originals, identifiers=identifiers, private=private)
    return findings + _consent_findings(configs, [Path(p) for p in paths])


def _consent_findings(configs, paths: list[Path]) -> list[Finding]:
    """Turns of a participant who withdrew (or gave no interview consent) after the last ``anonymise run``, still in
    an audited transcript (``.txt``) or the sources of a ``.qdpx`` exported before: named by participant ID and file
    only.

    A transcript inside a cohort's anonymised folder is read with that cohort's consent; one elsewhere (a copy of
    the folder made for coders, an export) with the consent of the one cohort audited (with several, IDs are ambiguous).
    """
    from ..consent import stale_in_texts

    found = []
    for p in paths:
        candidates = _walk(p) if p.is_dir() else [p] if p.is_file() else []
        found += [f for f in candidates if f.suffix.lower() in (".txt", ".qdpx")]
    if not found:
        return []
    folders = {}
    for config in configs:
        folder = config.outputs.get("anonymised")
        if folder and Path(folder).is_dir():
            folders[id(config)] = Path(folder).resolve()
    own: dict[int, list[Path]] = {id(c): [] for c in configs}
    for f in found:
        real = f.resolve()
        home = next((c for c in configs if id(c) in folders and folders[id(c)] in real.parents), None)
        if home is None and len(configs) == 1:
            home = configs[0]
        if home is not None:
            own[id(home)].append(f)
    findings = []
    for config in configs:
        if not own[id(config)]:
            continue
        if config.inputs.get("participants") is None and not (config.options or {}).get("withdrawn"):
            continue
        texts = {}
        for f in own[id(config)]:
            texts.update(_transcript_texts(f))
        for pid, why, (path, member), n, line in stale_in_texts(config, texts):
            inside = id(config) in folders and folders[id(config)] in path.resolve().parents
            fix = (f"run `rmresearch anonymise run --cohort {config.cohort}`" if inside else
                   f"this copy predates it: delete it and share what `rmresearch anonymise run --cohort "
                   f"{config.cohort}` (or a new export) writes")
            findings.append(Finding(str(path), line, "CONSENT", f"{n} turn(s) of {pid}, who {why}, are still in "
                                    f"{path.name}: {fix}", "consent", member))
    return findings


def _transcript_texts(path: Path) -> dict[tuple[Path, str], str]:
    """``{(file, member): text}``: a ``.txt`` itself (member ``""``), or the ``sources/`` texts of a ``.qdpx``."""
    try:
        if path.suffix.lower() == ".txt":
            if path.stat().st_size > MAX_AUDIT_BYTES:
                return {}  # reported as too large by the audit itself
            return {(path, ""): path.read_text(encoding="utf-8-sig")}
        out, total = {}, 0
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if (not info.is_dir() and info.filename.lower().endswith(".txt")
                        and info.file_size <= MAX_AUDIT_BYTES and total + info.file_size <= 4 * MAX_AUDIT_BYTES):
                    total += info.file_size
                    out[(path, info.filename)] = archive.read(info).decode("utf-8-sig")
        return out
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError):
        return {}  # unreadable files and members are findings of the audit itself


_TEXT_NEEDLES: dict[tuple, tuple] = {}


def audit_texts(config, texts: Iterable[str], *, where: str = "figure") -> list[Finding]:
    """Identifiers in loose texts (a figure's labels before it is drawn), each text read as standing alone.

    The cohort's roster, key and identifier formats are read once per key version.
    """
    configs = _as_configs(config)
    from .pseudonyms import key_path

    stamp = tuple((str(c.path), key_path(c).stat().st_mtime if key_path(c).exists() else 0) for c in configs)
    if stamp not in _TEXT_NEEDLES:
        rosters, originals, identifiers, _ = _cohort_needles(configs)
        _TEXT_NEEDLES.clear()
        _TEXT_NEEDLES[stamp] = (_Needles(rosters, originals), compile_identifiers(identifiers))
    needles, ids = _TEXT_NEEDLES[stamp]
    findings = []
    for text in texts:
        for line in str(text).split("\n"):
            # a tick label stands alone like a table cell: "May" on a time axis or a theme "Hope" is not taken
            # for a person of that name; a full name, a name that is no common word, or one inside a title is
            line = _clean(line)
            for found, src in needles.find(line):
                findings.append(Finding(where, 0, "PERSON", mask(found), src))
            for span in find_patterns(line, identifiers=ids, labels=_AUDIT_LABELS):
                findings.append(Finding(where, 0, span.label, mask(span.text), "pattern"))
    return list({(f.label, f.masked): f for f in findings}.values())


def audit_cohort(config, paths: Iterable[str | Path] | None = None) -> list[Finding]:
    """Audit ``paths`` (default: the cohort's anonymised folder) with its roster, key and identifier formats."""
    configs = _as_configs(config)
    targets = list(paths) if paths is not None else [c.outputs["anonymised"] for c in configs]
    return audit_shareable(configs, targets)


# --------------------------------------------------------------------------- residual scan

RESIDUAL_COLUMNS = ["candidate", "occurrences", "file", "where", "line", "layer", "confidence", "context", "confirmed"]
_PSEUDONYM = re.compile(r"\[[A-Z][A-Z_]*_?\d+\]|^[A-Z]{1,3}_?\d+$")
# A name as written: "Zebedee", "O'Neill", "McDonald", "Okonkwo-Bello" (not "IPython", "True-story", "HEATMAP").
_NAME_SHAPE = re.compile(r"^(?:[A-Z]['\u2019]|Mc|Mac)?[A-Z][a-z\u00df-\u00ff]+(?:-[A-Z][a-z\u00df-\u00ff]+)*$")


def _name_like(candidate: str, lex) -> bool:
    """Whether a detected span still reads as a person's name (and not a heading word or code)."""
    toks = candidate.split()
    if not toks or not all(_NAME_SHAPE.match(t) for t in toks):
        return False
    keys = [t.casefold() for t in toks]
    if any(k in CATEGORY_WORDS or k in _TITLE_WORDS for k in keys) and len(toks) == 1:
        return False
    return any(lex.is_name(t) or not (lex.is_word(t) or lex.is_known_proper(t)) for t in toks)


def residual_path(config) -> Path:
    """Where the residual candidates of a cohort are listed: beside its review file, or in the keys folder when the
    cohort has no interviews (never in a shareable folder)."""
    from ..errors import ConfigError
    from .review import review_path

    try:
        return review_path(config).parent / "residual_candidates.csv"
    except ConfigError:
        return Path(config.outputs["keys"]) / "residual_candidates.csv"


def residual_candidates(config, paths: Iterable[str | Path], *, detector=None):
    """The detector's second pass over shareable ``paths``: remaining name-like words for a person to confirm.

    Returns one row per distinct candidate, with columns :data:`RESIDUAL_COLUMNS`:
    how often it occurs and where first (``context`` quotes the words around it, so
    the frame is private). Pseudonyms (``[PERSON_3]``, ``[P012]``), participant IDs,
    category words, speaker labels and words that are not shaped like a name
    (``IPython``, ``True``, slugs) are not candidates; a candidate needs one token
    that is a known name or no dictionary word. It does not fail anything: a
    person decides.
    """
    import pandas as pd

    from .pipeline import detector_for

    configs = _as_configs(config)
    detector = detector or detector_for(configs[0])
    ids = set()
    for c in configs:
        from .roster import load_roster

        ids |= {p.participant_id.casefold() for p in load_roster(c).people}
    lex = get_lexicon()
    private = {Path(p).resolve() for p in _cohort_needles(configs)[3]}
    rows: dict[str, dict] = {}
    files: list[Path] = []
    for p in map(Path, paths):
        files += _walk(p) if p.is_dir() else [p]
    for f in files:
        if f.resolve() in private:
            continue
        for where, n, line in text_units(f, []):
            if not re.search(r"[A-Z][a-z]", line):
                continue
            for span in detector.detect(line):
                word = re.sub(r"['\u2019]s$", "", span.text.strip())
                if span.label != "PERSON" or span.layer == "speakers" or _PSEUDONYM.search(word):
                    continue
                if word.casefold() in ids or not _name_like(word, lex):
                    continue
                if word in rows:
                    rows[word]["occurrences"] += 1
                    continue
                rows[word] = {"candidate": word, "occurrences": 1, "file": str(f), "where": where, "line": n,
                              "layer": span.layer, "confidence": round(float(span.confidence), 2),
                              "context": line[max(0, span.start - 40):span.end + 40].strip(), "confirmed": ""}
    frame = pd.DataFrame(list(rows.values()), columns=RESIDUAL_COLUMNS)
    return frame.sort_values(["file", "line"], kind="stable").reset_index(drop=True)


def write_residual(config, frame, path: str | Path | None = None) -> Path:
    """Write residual candidates atomically (mode 0600) beside the review file; refuse a shareable place."""
    from ..errors import ConfigError
    from ..fileio import atomic_write_text

    target = Path(path) if path else residual_path(config)
    shareable = [config.outputs.get("reports"), config.outputs.get("anonymised")]
    for folder in shareable:
        if folder is None:
            continue
        folder = Path(folder).resolve()
        if target.resolve() == folder or folder in target.resolve().parents:
            raise ConfigError(
                f"{target}: the residual candidates quote original words and must not be written inside {folder}, "
                "which is shared; set options.anonymise.review_file to a private place (they go beside it).")
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, frame.to_csv(index=False), file_mode=0o600)
    return target
