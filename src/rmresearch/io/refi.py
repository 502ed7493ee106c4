"""Reading REFI-QDA files: projects (``.qdpx``) and codebooks (``.qdc``) from NVivo, ATLAS.ti, MAXQDA, QualCoder.

A ``.qdpx`` file is a zip archive holding ``project.qde`` (XML in the
namespace ``urn:QDA-XML:project:1.0``, schema ``Project.xsd`` of QDA-XML 1.0)
and a ``sources/`` folder with the text of each source. :func:`import_qdpx`
reads it in named steps: open the archive, parse ``project.qde`` safely (no
DTD, no entities, no network), read the codebook, notes and users, then every
source's text; choose the units of the selections' positions (the producer's,
from the Project's ``origin``, checked against the texts: NVivo counts UTF-16
code units, see :mod:`rmresearch.io.refi_read`); then the codings (the coder is
who made the selection, the Coding's ``creatingUser`` kept as ``coding_user``),
the cases with their typed variables, the variables on sources and the Sets.
Whatever is not imported (pictures, links, annotations, notes that are not
coding memos, set members that are not codes, sources or cases) is named in
``QdpxProject.warnings``, which ``rmresearch code import-qdpx`` prints.

Every member is size-limited (:data:`MAX_QDPX_MEMBER_BYTES`), source texts are
decoded by the one policy of :mod:`rmresearch.io.text` with their line endings
kept (offsets count ``\\r\\n`` as two characters) and a leading BOM dropped.
Writing projects and codebooks stays in :mod:`rmresearch.coding.refi` and
:mod:`rmresearch.coding.codebook`.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import InputError
from .codings import CODING_COLUMNS
from .refi_read import (UTF16, Selection, Units, UnitsChoice, choose_units, not_imported, producer_units,
                        project_cases, project_sets, source_variables)
from .text import decode, read_bytes

if TYPE_CHECKING:  # the coding package builds on this module
    from ..coding.codebook import Codebook

__all__ = [
    "QDE_NAMESPACE",
    "QDC_NAMESPACE",
    "MAX_QDPX_MEMBER_BYTES",
    "MAX_CODEBOOK_BYTES",
    "QdpxError",
    "QdpxProject",
    "project_schema",
    "validate_project_xml",
    "import_qdpx",
    "read_qdc",
]

QDE_NAMESPACE = "urn:QDA-XML:project:1.0"
#: Namespace of the REFI-QDA codebook format.
QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
_Q = "{" + QDE_NAMESPACE + "}"

#: Largest member of a .qdpx read (bytes, uncompressed): a project of transcripts is a few megabytes; a zip
#: bomb declares or inflates to gigabytes.
MAX_QDPX_MEMBER_BYTES = 200_000_000
#: Largest codebook read (bytes; a .qdc here, a YAML codebook in :func:`rmresearch.coding.load_codebook`): a
#: codebook of a few hundred codes is well under a megabyte.
MAX_CODEBOOK_BYTES = 50_000_000


class QdpxError(InputError):
    """A ``.qdpx`` file cannot be read as a REFI-QDA project, or an export would be invalid."""


@dataclass(frozen=True)
class QdpxProject:
    """What :func:`import_qdpx` reads from a REFI-QDA project."""

    name: str
    codebook: Codebook
    texts: dict[str, str]
    codings: pd.DataFrame
    cases: pd.DataFrame
    users: dict[str, str] = field(default_factory=dict)  # guid -> name
    producer: str = "unknown producer"
    units: str = "code points"  # how the file counted positions (offsets in ``codings`` are always code points)
    units_evidence: str = ""
    sets: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["set", "kind", "member"]))
    variables: dict[str, str] = field(default_factory=dict)  # variable -> typeOfVariable
    source_variables: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["document"]))
    warnings: tuple[str, ...] = ()
    codings_user_differs: int = 0  # codings whose Coding creatingUser is not the selection's


@lru_cache(maxsize=1)
def project_schema():
    """The QDA-XML 1.0 project schema (``Project.xsd``), bundled with rmresearch, as an lxml XMLSchema."""
    from lxml import etree

    with resources.files("rmresearch").joinpath("data/refi-qda/Project.xsd").open("rb") as fh:
        return etree.XMLSchema(etree.parse(fh))


def validate_project_xml(xml: bytes | str) -> list[str]:
    """Schema errors of a ``project.qde`` document (empty list when it is valid)."""
    from lxml import etree

    doc = etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)
    schema = project_schema()
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


# --------------------------------------------------------------------------- safe XML


def _parse_xml(data: bytes, where: str, what: str, error: type[InputError]):
    """The root element of REFI-QDA XML, parsed without entity expansion, DTD or network access.

    A DOCTYPE could read local files into the codings (external entities) or expand without bound (entity
    bombs); REFI-QDA files have none, so one is refused.
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise error(f"{where}: {what} ({exc}).") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise error(f"{where}: declares a DOCTYPE with entities; REFI-QDA XML has none, and entities can read "
                    "local files or expand without limit. Export it again from your QDA software.")
    return root


# --------------------------------------------------------------------------- .qdc codebooks


def read_qdc(path: str | Path) -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``) written by rmresearch, NVivo, ATLAS.ti, MAXQDA or QualCoder.

    Code names come from the ``Code ID`` line of the description when present
    (files written by :func:`rmresearch.coding.write_qdc`), otherwise from the tool's code name
    made safe (``Lived experience`` -> ``lived_experience``), with the
    original name kept as the title.

    Raises
    ------
    InputError
        The file is missing, too large, not XML, declares a DOCTYPE or is not a REFI-QDA codebook.
    CodebookError
        The codes do not make a valid codebook.
    """
    from ..coding.codebook import codebook_from_mapping, codes_from_xml

    path = Path(path)
    if not path.is_file():
        raise InputError(f"Codebook not found: {path}")
    data = read_bytes(path, limit=MAX_CODEBOOK_BYTES, what="a REFI-QDA codebook (.qdc)",
                      advice="Check that it is the codebook exported from your QDA software.")
    root = _parse_xml(data, str(path), "not a REFI-QDA codebook: the XML does not parse", InputError)
    if root.tag != f"{{{QDC_NAMESPACE}}}CodeBook":
        raise InputError(
            f"{path}: not a REFI-QDA codebook: the root element is {root.tag!r}, expected CodeBook in namespace {QDC_NAMESPACE}."
        )
    mappings = codes_from_xml(root.find(f"{{{QDC_NAMESPACE}}}Codes"), QDC_NAMESPACE, source=str(path))
    return codebook_from_mapping({"name": root.get("name") or path.stem, "codes": mappings}, source=str(path))


# --------------------------------------------------------------------------- .qdpx projects


def _read_member(zf: zipfile.ZipFile, member: str, path: Path) -> bytes:
    """One archive member, refused (not inflated) beyond :data:`MAX_QDPX_MEMBER_BYTES`; damage is a QdpxError."""
    import zlib

    limit = MAX_QDPX_MEMBER_BYTES
    try:
        if zf.getinfo(member).file_size > limit:
            raise QdpxError(f"{path}: {member} is {zf.getinfo(member).file_size / 1e6:,.0f} MB uncompressed, more than the "
                            f"{limit / 1e6:,.0f} MB limit for one member; this is not an ordinary REFI-QDA export.")
        with zf.open(member) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
        raise QdpxError(f"{path}: {member} cannot be read from the archive ({exc}); export the project again.") from None
    if len(data) > limit:
        raise QdpxError(f"{path}: {member} inflates to more than the {limit / 1e6:,.0f} MB limit for one member; "
                        "this is not an ordinary REFI-QDA export.")
    return data


def _decode_source(data: bytes, where: str) -> str:
    """A source's text: the one decoding policy (BOM-selected UTF-8/16/32, else strict UTF-8), BOM dropped, line
    endings kept (the offsets of the codings count them)."""
    return decode(where, data, what="a REFI-QDA source text", error=QdpxError, newlines=False, allow_empty=True,
                  advice="Export the project again from your QDA software, with its sources as UTF-8 text.")


def _open_archive(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise QdpxError(f"REFI-QDA project not found: {path}")
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as handle:
            head = handle.read(4096)
        if b"CodeBook" in head or path.suffix.lower() == ".qdc":
            raise QdpxError(f"{path}: a REFI-QDA codebook (.qdc), not a project: it holds codes but no transcripts or "
                            "codings. Use it as a codebook (--codebook on code suggest, code sheet and code "
                            "export-qdpx), or export the whole project from your QDA software as a .qdpx.")
        raise QdpxError(
            f"{path}: not a zip archive, so not a REFI-QDA project (.qdpx). Export the project from your QDA "
            "software as 'REFI-QDA project' (NVivo: File > Export > Export Project as REFI-QDA)."
        )
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise QdpxError(f"{path}: the zip archive is damaged ({exc}); export the project again.") from None


def _project_root(zf: zipfile.ZipFile, members: dict[str, str], path: Path, *, validate: bool):
    """The ``Project`` element of the archive's ``project.qde`` (checked against the schema if ``validate``)."""
    qde = members.get("project.qde") or next((m for low, m in members.items() if low.endswith(".qde") and "/" not in low), None)
    if qde is None:
        hint = (" It is an Excel workbook: a filled coding sheet is read with rmresearch code read-sheet."
                if any(low.startswith("xl/") for low in members) else
                " It is a Word document: a transcript goes in the interviews folder (inputs.interviews)."
                if any(low.startswith("word/") for low in members) else
                " Export the project from your QDA software as 'REFI-QDA project' (a .qdpx holds project.qde).")
        raise QdpxError(f"{path}: a zip archive without project.qde, so not a REFI-QDA project (.qdpx).{hint}")
    xml = _read_member(zf, qde, path)
    root = _parse_xml(xml, f"{path}: {qde}", "is not well-formed XML", QdpxError)
    if root.tag != _Q + "Project":
        raise QdpxError(
            f"{path}: {qde} is not a REFI-QDA project: its root element is {root.tag!r}, "
            f"expected Project in namespace {QDE_NAMESPACE}."
        )
    if validate:
        errors = validate_project_xml(xml)
        if errors:
            raise QdpxError(f"{path}: project.qde does not follow the REFI-QDA schema: " + "; ".join(errors[:10]))
    return root


def _project_codebook(root, path: Path) -> Codebook:
    from ..coding.codebook import Codebook, codebook_from_mapping, codes_from_xml

    book_el = root.find(_Q + "CodeBook")
    mappings = codes_from_xml(book_el.find(_Q + "Codes") if book_el is not None else None, QDE_NAMESPACE, source=str(path))
    name = root.get("name") or path.stem
    if mappings:
        return codebook_from_mapping({"name": name, "codes": mappings}, source=f"{path} (codebook)")
    return Codebook(name=name, codes=(), source=f"{path} (codebook)")


def _project_notes(root) -> dict[str, str]:
    """``{note guid: text}`` of the project's ``Notes`` (coding memos)."""
    notes = {}
    notes_el = root.find(_Q + "Notes")
    for note in notes_el.findall(_Q + "Note") if notes_el is not None else []:
        content = note.find(_Q + "PlainTextContent")
        notes[_guid(note.get("guid"))] = content.text if content is not None and content.text else ""
    return notes


@dataclass
class _Reading:
    """What reading the sources needs and collects: the archive, the lookups, and the codings and problems found."""

    zf: zipfile.ZipFile
    members: dict[str, str]
    path: Path
    code_by_guid: dict[str, str]
    users: dict[str, str]
    notes: dict[str, str]
    texts: dict[str, str] = field(default_factory=dict)
    source_docs: dict[str, str] = field(default_factory=dict)  # lower-case guid without braces -> document
    elements: list = field(default_factory=list)  # (TextSource element, document)
    rows: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    choice: UnitsChoice | None = None
    users_differ: int = 0
    split: list[Selection] = field(default_factory=list)
    used_notes: set[str] = field(default_factory=set)
    uncoded: int = 0  # selections without a Coding (annotations)


def _guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


def _source_name(src, number: int, reading: _Reading) -> str:
    """The document name of a ``TextSource`` (its name without ``.txt``, made unique; else its guid)."""
    doc = (src.get("name") or src.get("guid") or "").strip()
    if not doc:
        raise QdpxError(f"{reading.path}: TextSource {number} (line {src.sourceline}) has neither a name nor a guid "
                        "attribute; every source needs one. Export the project again from your QDA software.")
    if doc.lower().endswith(".txt"):
        doc = doc[:-4]
    if doc in reading.texts:
        doc = f"{doc}_{(src.get('guid') or str(number))[:8]}"
    return doc


def _source_text(src, doc: str, reading: _Reading) -> str:
    """A source's text: inline ``PlainTextContent`` or the archive's ``sources/`` file its ``plainTextPath`` names."""
    path = reading.path
    content = src.find(_Q + "PlainTextContent")
    plain = src.get("plainTextPath")
    if content is not None:
        return content.text or ""
    if not plain:
        raise QdpxError(f"{path}: text source '{doc}' has neither PlainTextContent nor plainTextPath.")
    if not plain.startswith("internal://"):
        raise QdpxError(f"{path}: source '{doc}' refers to an external file ({plain}); export the project with its "
                        "sources included (internal://) to import it.")
    member = reading.members.get(f"sources/{plain[len('internal://'):]}".lower())
    if member is None:
        raise QdpxError(f"{path}: source '{doc}' names {plain}, but sources/ in the archive has no such file.")
    return _decode_source(_read_member(reading.zf, member, path), f"{path}: {member}")


def _note(reading: _Reading, ref) -> str:
    """The text of the note a ``NoteRef`` names (recorded as used: the notes never used are named in a warning)."""
    guid = _guid(ref.get("targetGUID"))
    reading.used_notes.add(guid)
    return reading.notes.get(guid, "")


def _user(reading: _Reading, guid: str | None) -> str | None:
    return reading.users.get(_guid(guid), guid) if guid else None


def _add_coding(reading: _Reading, coding, doc: str, start: int, end: int, selection_user: str | None,
                shared_memo: str, fallback_user: str | None = None) -> None:
    """One ``Coding`` element as a codings row (or a problem when it names no known code). The coder is who made
    the selection (NVivo's selection ``creatingUser``), else the Coding's ``creatingUser``; the Coding's is kept as
    ``coding_user``."""
    ref = coding.find(_Q + "CodeRef")
    target = _guid(ref.get("targetGUID") if ref is not None else None)
    where = f"source '{doc}' {start}-{end} (line {coding.sourceline})"
    if not target:
        reading.problems.append(f"{where}: a Coding without a CodeRef targetGUID, so it names no code")
        return
    code = reading.code_by_guid.get(target)
    if code is None:
        reading.problems.append(f"{where}: coding cites unknown code GUID {target}")
        return
    coding_user = _user(reading, coding.get("creatingUser"))
    coder = _user(reading, selection_user) or coding_user or _user(reading, fallback_user) or "unknown"
    if coding_user and coder != coding_user:
        reading.users_differ += 1
    memo = "\n".join(_note(reading, n) for n in coding.findall(_Q + "NoteRef")).strip()
    reading.rows.append({"document": doc, "segment_id": None, "start": start, "end": end, "code": code,
                         "coder": coder, "memo": memo or shared_memo or None, "coding_user": coding_user})


def _selections(src, doc: str, problems: list[str]) -> list[tuple[Selection, object]]:
    """The source's ``PlainTextSelection`` elements with whole-number positions (others become problems)."""
    out = []
    for sel in src.findall(_Q + "PlainTextSelection"):
        try:
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        except (TypeError, ValueError):
            problems.append(f"source '{doc}' (line {sel.sourceline}): selection {sel.get('guid')} has startPosition="
                                    f"{sel.get('startPosition')!r} endPosition={sel.get('endPosition')!r}, not whole numbers")
            continue
        out.append((Selection(doc, sel.get("guid") or "", start, end, sel.get("name") or "", sel.sourceline), sel))
    return out


def _selection_memo(sel, reading: _Reading) -> str:
    """A memo on the selection itself (QualCoder writes coding memos as the selection's ``Description``), used
    for its codings when none of them carries a memo of its own."""
    if any(c.find(_Q + "NoteRef") is not None for c in sel.findall(_Q + "Coding")):
        return ""
    desc = sel.find(_Q + "Description")
    parts = [desc.text.strip()] if desc is not None and desc.text and desc.text.strip() else []
    parts += [_note(reading, n).strip() for n in sel.findall(_Q + "NoteRef")]
    return "\n".join(dict.fromkeys(p for p in parts if p))


def _place(s: Selection, measure: Units, units: str, reading: _Reading) -> tuple[int, int] | None:
    """A selection's code-point offsets in its text, or ``None`` (with a problem) when it lies outside it."""
    limit = measure.utf16_length if units == UTF16 else measure.length
    if s.end <= s.start:
        reading.problems.append(f"source '{s.doc}' (line {s.line}): selection {s.guid} {s.start}-{s.end} ends before it "
                                "starts; open the project in your QDA software, recode that passage and export again")
        return None
    if not (0 <= s.start and s.end <= limit):
        reading.problems.append(
            f"source '{s.doc}' (line {s.line}): selection {s.guid} {s.start}-{s.end} lies outside the text (length "
            f"{limit} {units}, as {reading.choice.producer} counts), so the source text in the archive is not the one "
            "that was coded. Export the project again from your QDA software with its sources included, and import "
            "that file")
        return None
    if units != UTF16:
        return s.start, s.end
    return measure.to_code_points(s.start, end=False), measure.to_code_points(s.end, end=True)


def _source_codings(reading: _Reading) -> None:
    """The codings of every source: each ``PlainTextSelection``'s codings, and codings of a whole source."""
    for src, doc in reading.elements:
        text = reading.texts[doc]
        measure = Units.of(text)
        for s, sel in _selections(src, doc, reading.problems):
            place = _place(s, measure, reading.choice.units, reading)
            if place is None:
                continue
            if reading.choice.units == UTF16 and (measure.splits(s.start) or measure.splits(s.end)):
                reading.split.append(s)
            memo = _selection_memo(sel, reading)
            reading.uncoded += sel.find(_Q + "Coding") is None
            for coding in sel.findall(_Q + "Coding"):
                _add_coding(reading, coding, doc, place[0], place[1], sel.get("creatingUser"), memo)
        for coding in src.findall(_Q + "Coding"):  # a whole source coded
            _add_coding(reading, coding, doc, 0, len(text), None, "", src.get("creatingUser"))


def _read_sources(root, reading: _Reading, origin: str | None) -> list[str]:
    """Read every text source's text, choose the units of the positions, then read the codings; the warnings."""
    sources_el = root.find(_Q + "Sources")
    for number, src in enumerate(sources_el.findall(_Q + "TextSource") if sources_el is not None else [], start=1):
        doc = _source_name(src, number, reading)
        if src.get("guid"):
            reading.source_docs[_guid(src.get("guid"))] = doc
        reading.texts[doc] = _source_text(src, doc, reading)
        reading.elements.append((src, doc))
    selections = [s for src, doc in reading.elements for s, _ in _selections(src, doc, [])]
    producer, expected = producer_units(origin)
    reading.choice = choose_units(producer, expected, selections, reading.texts, str(reading.path))
    _source_codings(reading)
    if reading.problems:
        raise QdpxError(f"{reading.path}: {len(reading.problems)} problem(s): " + "; ".join(reading.problems[:10]))
    warnings = [reading.choice.warning] if reading.choice.warning else []
    if reading.uncoded:
        warnings.append(f"{reading.path}: {reading.uncoded} selection(s) without a Coding (annotations or memos on a "
                        "passage) not imported")
    unused = len(set(reading.notes) - reading.used_notes)
    if unused:
        warnings.append(f"{reading.path}: {unused} note(s) that are not coding memos (memos on the project, sources, "
                        "codes or passages) not imported")
    if reading.split:
        warnings.append(f"{reading.path}: {len(reading.split)} selection(s) start or end between the two UTF-16 halves "
                        "of one character (e.g. selection " + reading.split[0].guid + "); each was widened to keep the "
                        "whole character")
    return warnings


def import_qdpx(path: str | Path, *, validate: bool = False) -> QdpxProject:
    """Read a REFI-QDA project (``.qdpx``): codebook, source texts, codings, cases, sets.

    Parameters
    ----------
    path : path
    validate : bool, default False
        Also check ``project.qde`` against the schema (tools differ in how
        strictly they follow it, so this is off by default).

    Returns
    -------
    QdpxProject
        ``codings`` has the standard columns (``document, segment_id, start,
        end, code, coder, memo``; ``segment_id`` empty) and ``coding_user``
        (the Coding's ``creatingUser``; ``coder`` is the selection's); offsets
        are code points of the text, converted from the producer's units
        (``units``: NVivo's UTF-16 code units, see :mod:`rmresearch.io.refi_read`).
        ``cases`` has ``case`` (the case name, a participant ID for rmresearch
        exports), one column per variable in its type, and ``sources``;
        ``source_variables`` the variables attached to sources (MAXQDA's
        document variables), one row per such source (``document``, ...);
        ``sets`` one row per member (``set, kind, member``); ``warnings``
        names everything not imported.

    Raises
    ------
    QdpxError
        The file is not a zip, holds no ``project.qde``, is not REFI-QDA XML,
        or refers to codes, users or source files that are not there, or a
        selection lies outside its text.
    """
    path = Path(path)
    with _open_archive(path) as zf:
        members = {m.lower(): m for m in zf.namelist()}
        root = _project_root(zf, members, path, validate=validate)
        users = {u.get("guid"): (u.get("name") or u.get("id") or u.get("guid")) for u in root.iter(_Q + "User")}
        codebook = _project_codebook(root, path)
        reading = _Reading(zf, members, path, code_by_guid={_guid(c.code_guid): c.name for c in codebook},
                           users={_guid(g): n for g, n in users.items()}, notes=_project_notes(root))
        warnings = _read_sources(root, reading, root.get("origin"))
    skipped, more = not_imported(root, str(path))
    warnings += more
    codings = pd.DataFrame(reading.rows, columns=[*CODING_COLUMNS, "coding_user"])
    if len(codings):
        codings["start"] = codings["start"].astype(np.int64)
        codings["end"] = codings["end"].astype(np.int64)
    cases, variables = project_cases(root, reading.source_docs, where=str(path), warnings=warnings)
    by_source = source_variables(root, reading.source_docs, where=str(path), warnings=warnings)
    case_guids = {_guid(c.get("guid")): c.get("name") or c.get("guid") for c in root.iter(_Q + "Case")}
    sets = project_sets(root, codes=reading.code_by_guid, sources=reading.source_docs, cases=case_guids,
                        skipped_sources=skipped, where=str(path), warnings=warnings)
    choice = reading.choice
    return QdpxProject(name=root.get("name") or path.stem, codebook=codebook, texts=reading.texts, codings=codings,
                       cases=cases, users=users, producer=choice.producer, units=choice.units,
                       units_evidence=choice.evidence, sets=sets, variables=variables, source_variables=by_source,
                       warnings=tuple(warnings),
                       codings_user_differs=reading.users_differ)
