"""REFI-QDA project exchange (``.qdpx``) with NVivo, ATLAS.ti, MAXQDA and QualCoder.

A ``.qdpx`` file is a zip archive holding ``project.qde`` (XML in the
namespace ``urn:QDA-XML:project:1.0``, schema ``Project.xsd`` of QDA-XML 1.0)
and a ``sources/`` folder with the text of each source.

What rmresearch writes
----------------------
- the codebook (``CodeBook``; see :func:`rmresearch.coding.write_qdc` for how
  definitions and rules are kept in each code's ``Description``);
- coders as ``Users`` and every coding with its ``creatingUser``;
- each anonymised transcript as a ``TextSource`` whose text is stored in
  ``sources/<guid>.txt`` (UTF-8, no BOM, line endings as in the anonymised
  file) and referenced as ``plainTextPath="internal://<guid>.txt"``;
- codings as ``PlainTextSelection`` elements with 0-based, end-exclusive
  character offsets (``startPosition``, ``endPosition``) into that text, one
  selection per passage and coder, holding a ``Coding`` per code; memos as
  ``Notes`` referenced from the coding;
- participants as ``Cases`` with their attributes (role, ethnicity group) as
  ``Variables``, each case referring to the sources in which the participant
  speaks.

Every GUID is a uuid5 of a stable identifier (code name, document, offsets,
coder), and zip entries carry a fixed date, so exporting the same project twice
gives identical files. Exports are validated against the bundled schema before
they are written.

On import, a leading BOM in a source file is dropped (offsets are counted in
the decoded text without it) and line endings are kept, so ``\\r\\n`` counts as
two characters.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import InputError
from ..fileio import atomic_write_bytes
from .codebook import Codebook, codebook_from_mapping, codes_from_xml, codes_to_xml, stable_guid
from .codings import CODING_COLUMNS

__all__ = [
    "QDE_NAMESPACE",
    "QdpxProject",
    "QdpxError",
    "project_schema",
    "validate_project_xml",
    "build_project_xml",
    "export_qdpx",
    "import_qdpx",
]

QDE_NAMESPACE = "urn:QDA-XML:project:1.0"
_Q = "{" + QDE_NAMESPACE + "}"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
BOM = "\ufeff"


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


def _el(parent, tag: str, attrs: Mapping[str, str] | None = None, text: str | None = None):
    from lxml import etree

    el = etree.SubElement(parent, _Q + tag, {k: str(v) for k, v in (attrs or {}).items() if v is not None})
    if text is not None:
        el.text = text
    return el


def _xml_text(value: str) -> str:
    """Text safe for XML 1.0: control characters other than tab, newline and carriage return are dropped."""
    return "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 0x20)


def build_project_xml(
    *,
    texts: Mapping[str, str],
    codebook: Codebook,
    codings: pd.DataFrame | None = None,
    participants: pd.DataFrame | None = None,
    segments: pd.DataFrame | None = None,
    variables: tuple[str, ...] = ("role", "ethnicity_group"),
    name: str = "rmresearch project",
    description: str | None = None,
    exclude: Iterable[str] = (),
) -> tuple[bytes, dict[str, bytes]]:
    """The ``project.qde`` XML and the ``sources/`` files of a project (see :func:`export_qdpx`)."""
    from lxml import etree

    codings = codings if codings is not None else pd.DataFrame(columns=CODING_COLUMNS)
    if exclude:
        texts, codings, participants, segments = _withhold_excluded(texts, codings, participants, segments, exclude)
    problems = []
    unknown_docs = sorted(set(codings["document"]) - set(texts))
    if unknown_docs:
        problems.append(f"codings cite document(s) with no text: {', '.join(unknown_docs)}")
    unknown_codes = sorted(set(codings["code"]) - set(codebook.names))
    if unknown_codes:
        problems.append(f"codings use code(s) not in the codebook: {', '.join(unknown_codes)}")
    for r in codings.itertuples(index=False):
        if r.document in texts and not (0 <= int(r.start) < int(r.end) <= len(texts[r.document])):
            problems.append(f"coding {r.document} {r.start}-{r.end} lies outside the text (length {len(texts[r.document])})")
            break
    if problems:
        raise QdpxError("Cannot export the REFI-QDA project: " + "; ".join(problems))

    root = etree.Element(_Q + "Project", nsmap={None: QDE_NAMESPACE},
                         attrib={"name": name, "origin": f"rmresearch {__version__}"})
    coders = sorted(codings["coder"].astype(str).unique())
    user_guid = {c: stable_guid("user", c) for c in coders}
    if coders:
        users = _el(root, "Users")
        for c in coders:
            _el(users, "User", {"guid": user_guid[c], "name": c, "id": c})
    book = _el(root, "CodeBook")
    codes_to_xml(codebook, book, QDE_NAMESPACE)

    source_guid = {d: stable_guid("source", d) for d in texts}
    if participants is not None and len(participants):
        present = [v for v in variables if v in participants.columns]
        var_guid = {v: stable_guid("variable", v) for v in present}
        if present:
            vars_el = _el(root, "Variables")
            for v in present:
                _el(vars_el, "Variable", {"guid": var_guid[v], "name": v, "typeOfVariable": "Text"})
        speaks: dict[str, list[str]] = {}
        if segments is not None and "participant_id" in segments.columns:
            for pid, doc in segments[["participant_id", "document"]].dropna().drop_duplicates().itertuples(index=False):
                speaks.setdefault(pid, []).append(doc)
        cases_el = _el(root, "Cases")
        for row in participants.sort_values("participant_id").itertuples(index=False):
            pid = str(getattr(row, "participant_id"))
            case = _el(cases_el, "Case", {"guid": stable_guid("case", pid), "name": pid})
            for v in present:
                value = getattr(row, v)
                if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
                    continue
                vv = _el(case, "VariableValue")
                _el(vv, "VariableRef", {"targetGUID": var_guid[v]})
                _el(vv, "TextValue", text=_xml_text(str(value)))
            for doc in sorted(set(speaks.get(pid, [])) & set(texts)):
                _el(case, "SourceRef", {"targetGUID": source_guid[doc]})

    notes: list[tuple[str, str]] = []
    sources_el = _el(root, "Sources")
    files: dict[str, bytes] = {}
    ordered = codings.sort_values(["document", "start", "end", "coder", "code"], kind="stable")
    by_doc = {d: g for d, g in ordered.groupby("document", sort=False)}
    for doc in texts:
        guid = source_guid[doc]
        src = _el(sources_el, "TextSource", {"guid": guid, "name": doc, "plainTextPath": f"internal://{guid}.txt"})
        files[f"sources/{guid}.txt"] = texts[doc].encode("utf-8")
        g = by_doc.get(doc)
        if g is None:
            continue
        for (start, end, coder), sel_rows in g.groupby(["start", "end", "coder"], sort=False):
            sel_guid = stable_guid("selection", doc, int(start), int(end), coder)
            seg_ids = [s for s in sel_rows.get("segment_id", pd.Series(dtype=object)).dropna().unique()]
            sel = _el(src, "PlainTextSelection", {
                "guid": sel_guid,
                "name": seg_ids[0] if seg_ids else f"{doc} {int(start)}-{int(end)}",
                "startPosition": int(start),
                "endPosition": int(end),
                "creatingUser": user_guid[str(coder)],
            })
            for r in sel_rows.drop_duplicates(["code"]).itertuples(index=False):
                cg = stable_guid("coding", doc, int(start), int(end), coder, r.code)
                coding = _el(sel, "Coding", {"guid": cg, "creatingUser": user_guid[str(coder)]})
                _el(coding, "CodeRef", {"targetGUID": codebook[r.code].code_guid})
                memo = getattr(r, "memo", None)
                if isinstance(memo, str) and memo.strip():
                    ng = stable_guid("note", cg)
                    _el(coding, "NoteRef", {"targetGUID": ng})
                    notes.append((ng, memo))
    if notes:
        notes_el = _el(root, "Notes")
        for ng, memo in notes:
            note = _el(notes_el, "Note", {"guid": ng, "name": "Coding memo"})
            _el(note, "PlainTextContent", text=_xml_text(memo))
    if description:
        _el(root, "Description", text=_xml_text(description))
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return xml, files


def _withhold_excluded(texts, codings, participants, segments, exclude):
    """Consent: withhold the excluded speakers' turns from the texts, their codings, cases and segments."""
    from ..consent import remap_codings, withhold_turns

    exclude = {str(e) for e in exclude}
    withheld = {doc: withhold_turns(text, exclude) for doc, text in texts.items()}
    codings, _ = remap_codings(codings, withheld)
    if participants is not None:
        participants = participants.loc[~participants["participant_id"].astype(str).isin(exclude)]
    if segments is not None and "participant_id" in segments.columns:
        segments = segments.loc[~segments["participant_id"].isin(exclude)]
    return {doc: w.text for doc, w in withheld.items()}, codings, participants, segments


def export_qdpx(
    path: str | Path,
    *,
    texts: Mapping[str, str],
    codebook: Codebook,
    codings: pd.DataFrame | None = None,
    participants: pd.DataFrame | None = None,
    segments: pd.DataFrame | None = None,
    variables: tuple[str, ...] = ("role", "ethnicity_group"),
    name: str = "rmresearch project",
    description: str | None = None,
    exclude: Iterable[str] = (),
) -> Path:
    """Write a REFI-QDA project (``.qdpx``) that NVivo, ATLAS.ti, MAXQDA and QualCoder can open.

    Parameters
    ----------
    path : path
        The ``.qdpx`` file to write (atomically).
    texts : dict
        ``{document: anonymised text}``; offsets of ``codings`` refer to these texts.
    codebook : Codebook
    codings : pandas.DataFrame, optional
        Standard codings (``document, start, end, code, coder`` and optional
        ``memo``, ``segment_id``).
    participants : pandas.DataFrame, optional
        ``participant_id`` plus the ``variables`` columns, written as Cases.
    segments : pandas.DataFrame, optional
        Used to link each case to the sources in which the participant speaks.
    exclude : iterable of str, optional
        Participant IDs without consent to interview use (or withdrawn, see
        :mod:`rmresearch.consent`): their turns are withheld from the sources
        (a marker in their place), codings touching them are dropped and they
        get no case.

    Raises
    ------
    QdpxError
        Codings cite unknown documents or codes, or offsets outside the text;
        or the project does not validate against the REFI-QDA schema (a bug).
    """
    from ..guard import check_api_output

    check_api_output(path, owner="code")  # never over a configured input, a key, or into a raw/anonymised/reports folder
    xml, files = build_project_xml(texts=texts, codebook=codebook, codings=codings, participants=participants,
                                   segments=segments, variables=variables, name=name, description=description,
                                   exclude=exclude)
    errors = validate_project_xml(xml)
    if errors:  # pragma: no cover - would be a bug in build_project_xml
        raise QdpxError("The REFI-QDA export does not validate against Project.xsd: " + "; ".join(errors[:5]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for member, data in [("project.qde", xml)] + sorted(files.items()):
            info = zipfile.ZipInfo(member, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return atomic_write_bytes(path, buffer.getvalue())


#: Largest member of a .qdpx read (bytes, uncompressed): a project of transcripts is a few megabytes; a zip
#: bomb declares or inflates to gigabytes.
MAX_QDPX_MEMBER_BYTES = 200_000_000


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
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QdpxError(f"{where}: source text is not UTF-8 (byte {exc.start}).") from None
    return text[1:] if text.startswith(BOM) else text


def import_qdpx(path: str | Path, *, validate: bool = False) -> QdpxProject:
    """Read a REFI-QDA project (``.qdpx``): codebook, source texts, codings, cases.

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
        end, code, coder, memo``; ``segment_id`` empty); ``cases`` has
        ``case`` (the case name, a participant ID for rmresearch exports) and
        one column per variable.

    Raises
    ------
    QdpxError
        The file is not a zip, holds no ``project.qde``, is not REFI-QDA XML,
        or refers to codes, users or source files that are not there.
    """
    from lxml import etree

    path = Path(path)
    if not path.is_file():
        raise QdpxError(f"REFI-QDA project not found: {path}")
    if not zipfile.is_zipfile(path):
        raise QdpxError(
            f"{path}: not a zip archive, so not a REFI-QDA project (.qdpx). Export the project from your QDA "
            "software as 'REFI-QDA project' (NVivo: File > Export > Export Project as REFI-QDA)."
        )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise QdpxError(f"{path}: the zip archive is damaged ({exc}); export the project again.") from None
    with archive as zf:
        members = {m.lower(): m for m in zf.namelist()}
        qde = members.get("project.qde") or next((m for low, m in members.items() if low.endswith(".qde") and "/" not in low), None)
        if qde is None:
            raise QdpxError(f"{path}: a zip archive without project.qde, so not a REFI-QDA project (.qdpx).")
        xml = _read_member(zf, qde, path)
        # No entity expansion, no DTD, no network: a DOCTYPE could read local files into the codings
        # (external entities) or expand without bound (entity bombs). REFI-QDA projects have none.
        parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)
        try:
            root = etree.fromstring(xml, parser)
        except etree.XMLSyntaxError as exc:
            raise QdpxError(f"{path}: {qde} is not well-formed XML ({exc}).") from None
        if root.getroottree().docinfo.internalDTD is not None:
            raise QdpxError(f"{path}: {qde} declares a DOCTYPE with entities; REFI-QDA XML has none, and entities can read "
                            "local files or expand without limit. Export the project again from your QDA software.")
        if root.tag != _Q + "Project":
            raise QdpxError(
                f"{path}: {qde} is not a REFI-QDA project: its root element is {root.tag!r}, "
                f"expected Project in namespace {QDE_NAMESPACE}."
            )
        if validate:
            errors = validate_project_xml(xml)
            if errors:
                raise QdpxError(f"{path}: project.qde does not follow the REFI-QDA schema: " + "; ".join(errors[:10]))

        users = {u.get("guid"): (u.get("name") or u.get("id") or u.get("guid")) for u in root.iter(_Q + "User")}
        book_el = root.find(_Q + "CodeBook")
        mappings = codes_from_xml(book_el.find(_Q + "Codes") if book_el is not None else None, QDE_NAMESPACE, source=str(path))
        if mappings:
            codebook = codebook_from_mapping({"name": root.get("name") or path.stem, "codes": mappings}, source=f"{path} (codebook)")
        else:
            codebook = Codebook(name=root.get("name") or path.stem, codes=(), source=f"{path} (codebook)")
        code_by_guid = {c.code_guid.strip("{}").lower(): c.name for c in codebook}
        notes = {}
        notes_el = root.find(_Q + "Notes")
        if notes_el is not None:
            for note in notes_el.findall(_Q + "Note"):
                content = note.find(_Q + "PlainTextContent")
                notes[note.get("guid")] = content.text if content is not None and content.text else ""
        variables = {v.get("guid"): v.get("name") for v in root.iter(_Q + "Variable")}

        texts: dict[str, str] = {}
        rows: list[dict] = []
        problems: list[str] = []
        sources_el = root.find(_Q + "Sources")
        source_docs: dict[str, str] = {}
        for number, src in enumerate(sources_el.findall(_Q + "TextSource") if sources_el is not None else [], start=1):
            doc = (src.get("name") or src.get("guid") or "").strip()
            if not doc:
                raise QdpxError(f"{path}: TextSource {number} (line {src.sourceline}) has neither a name nor a guid attribute; "
                                "every source needs one. Export the project again from your QDA software.")
            if doc.lower().endswith(".txt"):
                doc = doc[:-4]
            if doc in texts:
                doc = f"{doc}_{(src.get('guid') or str(number))[:8]}"
            if src.get("guid"):
                source_docs[src.get("guid")] = doc
            content = src.find(_Q + "PlainTextContent")
            plain = src.get("plainTextPath")
            if content is not None:
                text = content.text or ""
            elif plain:
                if not plain.startswith("internal://"):
                    raise QdpxError(
                        f"{path}: source '{doc}' refers to an external file ({plain}); export the project with its "
                        "sources included (internal://) to import it."
                    )
                member = members.get(f"sources/{plain[len('internal://'):]}".lower())
                if member is None:
                    raise QdpxError(f"{path}: source '{doc}' names {plain}, but sources/ in the archive has no such file.")
                text = _decode_source(_read_member(zf, member, path), f"{path}: {member}")
            else:
                raise QdpxError(f"{path}: text source '{doc}' has neither PlainTextContent nor plainTextPath.")
            texts[doc] = text

            def add(coding, start, end, fallback_user):
                ref = coding.find(_Q + "CodeRef")
                target = ((ref.get("targetGUID") if ref is not None else None) or "").strip("{}").lower()
                if not target:
                    problems.append(f"source '{doc}' {start}-{end} (line {coding.sourceline}): a Coding without a CodeRef "
                                    "targetGUID, so it names no code")
                    return
                code = code_by_guid.get(target)
                if code is None:
                    problems.append(f"source '{doc}' {start}-{end} (line {coding.sourceline}): coding cites unknown code GUID {target}")
                    return
                user = coding.get("creatingUser") or fallback_user
                memo = "\n".join(notes.get(n.get("targetGUID"), "") for n in coding.findall(_Q + "NoteRef")).strip()
                rows.append({"document": doc, "segment_id": None, "start": start, "end": end, "code": code,
                             "coder": users.get(user, user or "unknown"), "memo": memo or None})

            for sel in src.findall(_Q + "PlainTextSelection"):
                try:
                    start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                except (TypeError, ValueError):
                    problems.append(f"source '{doc}' (line {sel.sourceline}): selection {sel.get('guid')} has startPosition="
                                    f"{sel.get('startPosition')!r} endPosition={sel.get('endPosition')!r}, not whole numbers")
                    continue
                if not (0 <= start < end <= len(text)):
                    problems.append(f"source '{doc}' (line {sel.sourceline}): selection {start}-{end} lies outside the text "
                                    f"(length {len(text)}) or ends before it starts")
                    continue
                for coding in sel.findall(_Q + "Coding"):
                    add(coding, start, end, sel.get("creatingUser"))
            for coding in src.findall(_Q + "Coding"):  # a whole source coded
                add(coding, 0, len(text), src.get("creatingUser"))
        if problems:
            raise QdpxError(f"{path}: {len(problems)} problem(s): " + "; ".join(problems[:10]))

        case_rows = []
        cases_el = root.find(_Q + "Cases")
        for case in (cases_el.findall(_Q + "Case") if cases_el is not None else []):
            row = {"case": case.get("name") or case.get("guid")}
            for vv in case.findall(_Q + "VariableValue"):
                ref = vv.find(_Q + "VariableRef")
                var = variables.get(ref.get("targetGUID") if ref is not None else None)
                value_el = next((c for c in vv if c.tag != _Q + "VariableRef"), None)
                if var and value_el is not None:
                    row[var] = value_el.text
            row["sources"] = "; ".join(
                sorted(
                    source_docs.get(r.get("targetGUID") or "", "") for r in case.findall(_Q + "SourceRef")
                )
            )
            case_rows.append(row)

    codings = pd.DataFrame(rows, columns=CODING_COLUMNS)
    if len(codings):
        codings["start"] = codings["start"].astype(np.int64)
        codings["end"] = codings["end"].astype(np.int64)
    cases = pd.DataFrame(case_rows)
    if cases.empty:
        cases = pd.DataFrame(columns=["case"])
    return QdpxProject(name=root.get("name") or path.stem, codebook=codebook, texts=texts, codings=codings,
                       cases=cases, users=users)

