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
  selection per passage, coder AND code, holding exactly one ``Coding``
  (several readers take only the first ``Coding`` of a selection, so two
  codes on one span are two selections, each with its own guid);
- a coding's memo twice: as the selection's ``Description`` (where QualCoder
  reads coding memos) and as a ``Note`` the ``Coding`` refers to (``NoteRef``);
  every ``Note``, selection and ``Coding`` carries ``creatingUser`` and
  ``creationDateTime`` (UTC ``xsd:dateTime``, the ``created`` argument);
- interviewees as ``Cases`` (see :mod:`rmresearch.coding.refi_cases`: only
  those whose words are in a source), each referring to the sources in which
  they speak, with the attributes (role, each characteristic's group) every
  value of which describes at least ``min_cases`` cases as ``Variables``;
- ``Sets`` with one set, the codes to apply (QDA-XML requires a ``Set`` in
  ``Sets``, so an empty ``Sets`` would not validate).

Every GUID is a uuid5 of a stable identifier (code name, document, offsets,
coder), and zip entries carry a fixed date, so exporting the same project twice
(with the same ``created``) gives identical files. Exports are validated against the bundled schema before
they are written.

Reading projects (:func:`import_qdpx`) lives in :mod:`rmresearch.io.refi` and is
importable from here as before: on import, a leading BOM in a source file is
dropped (offsets are counted in the decoded text without it) and line endings
are kept, so ``\\r\\n`` counts as two characters.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from .. import __version__
from ..fileio import atomic_write_bytes
from ..io.codings import CODING_COLUMNS
from ..io.refi import (
    _Q,
    MAX_QDPX_MEMBER_BYTES,
    QDE_NAMESPACE,
    QdpxError,
    QdpxProject,
    import_qdpx,
    project_schema,
    validate_project_xml,
)
from .codebook import Codebook, codes_to_xml, stable_guid
from .refi_cases import DEFAULT_MIN_CASES, CasePlan, add_code_set, plan_cases, xsd_datetime

__all__ = [
    "QDE_NAMESPACE",
    "QdpxProject",
    "QdpxError",
    "project_schema",
    "validate_project_xml",
    "build_project_xml",
    "export_qdpx",
    "write_project",
    "import_qdpx",
    "MAX_QDPX_MEMBER_BYTES",
]

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


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
    variables: tuple[str, ...] | None = None,
    name: str = "rmresearch project",
    description: str | None = None,
    exclude: Iterable[str] = (),
    created: datetime | str | None = None,
    min_cases: int | Mapping[str, int] = DEFAULT_MIN_CASES,
) -> tuple[bytes, dict[str, bytes]]:
    """The ``project.qde`` XML and the ``sources/`` files of a project (see :func:`export_qdpx`)."""
    xml, files, _ = _build(texts=texts, codebook=codebook, codings=codings, participants=participants,
                           segments=segments, variables=variables, name=name, description=description,
                           exclude=exclude, created=created, min_cases=min_cases)
    return xml, files


def _build(*, texts, codebook, codings, participants, segments, variables, name, description, exclude, created,
           min_cases) -> tuple[bytes, dict[str, bytes], CasePlan | None]:
    from lxml import etree

    codings = codings if codings is not None else pd.DataFrame(columns=CODING_COLUMNS)
    if exclude:
        texts, codings, participants, segments = _withhold_excluded(texts, codings, participants, segments, exclude)
    _check_exportable(texts, codebook, codings)
    root = etree.Element(_Q + "Project", nsmap={None: QDE_NAMESPACE},
                         attrib={"name": name, "origin": f"rmresearch {__version__}"})
    user_guid = _add_users(root, codings)
    codes_to_xml(codebook, _el(root, "CodeBook"), QDE_NAMESPACE)
    source_guid = {d: stable_guid("source", d) for d in texts}
    plan = None
    if participants is not None and len(participants):
        plan = plan_cases(participants, segments, texts, variables=variables, min_cases=min_cases)
        if len(plan.participants):
            _add_cases(root, plan, segments, texts, source_guid)
    when = xsd_datetime(created)
    files, notes = _add_sources(root, texts, codings, codebook, user_guid, source_guid, when)
    if notes:
        notes_el = _el(root, "Notes")
        for ng, memo, user in notes:
            note = _el(notes_el, "Note", {"guid": ng, "name": "Coding memo", "creatingUser": user,
                                          "creationDateTime": when})
            _el(note, "PlainTextContent", text=_xml_text(memo))
    add_code_set(codebook, root, QDE_NAMESPACE)
    if description:
        _el(root, "Description", text=_xml_text(description))
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return xml, files, plan


def _check_exportable(texts: Mapping[str, str], codebook: Codebook, codings: pd.DataFrame) -> None:
    """Refuse codings a project cannot represent: unknown documents or codes, offsets outside the text."""
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


def _add_users(root, codings: pd.DataFrame) -> dict[str, str]:
    """``Users``: one per coder; returns ``{coder: guid}``."""
    coders = sorted(codings["coder"].astype(str).unique())
    user_guid = {c: stable_guid("user", c) for c in coders}
    if coders:
        users = _el(root, "Users")
        for c in coders:
            _el(users, "User", {"guid": user_guid[c], "name": c, "id": c})
    return user_guid


def _add_cases(root, plan: CasePlan, segments: pd.DataFrame | None, texts: Mapping[str, str],
               source_guid: dict[str, str]) -> None:
    """``Variables`` and ``Cases``: one case per interviewee with the attributes the plan exports and the sources
    they speak in (see :func:`rmresearch.coding.refi_cases.plan_cases`)."""
    participants, present = plan.participants, list(plan.variables)
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


def _add_sources(root, texts, codings, codebook, user_guid, source_guid,
                 when: str) -> tuple[dict[str, bytes], list[tuple[str, str, str]]]:
    """``Sources``: a ``TextSource`` per text with its selections and codings; returns the ``sources/`` files and
    the memos (``(note guid, text, user guid)``) the codings refer to."""
    notes: list[tuple[str, str, str]] = []
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
            for r in sel_rows.drop_duplicates(["code"]).itertuples(index=False):
                _add_selection(src, doc, int(start), int(end), str(coder), r, codebook, user_guid, notes, when)
    return files, notes


def _add_selection(src, doc: str, start: int, end: int, coder: str, row, codebook: Codebook,
                   user_guid: dict[str, str], notes: list[tuple[str, str, str]], when: str) -> None:
    """One ``PlainTextSelection`` (a passage, coder and code) holding its one ``Coding``; a memo as the selection's
    ``Description`` and as a ``Note`` the coding refers to."""
    seg_id = getattr(row, "segment_id", None)
    user = user_guid[coder]
    sel = _el(src, "PlainTextSelection", {
        "guid": stable_guid("selection", doc, start, end, coder, row.code),
        "name": seg_id if isinstance(seg_id, str) and seg_id else f"{doc} {start}-{end}",
        "startPosition": start,
        "endPosition": end,
        "creatingUser": user,
        "creationDateTime": when,
    })
    memo = getattr(row, "memo", None)
    memo = memo if isinstance(memo, str) and memo.strip() else None
    if memo:
        _el(sel, "Description", text=_xml_text(memo))
    cg = stable_guid("coding", doc, start, end, coder, row.code)
    coding = _el(sel, "Coding", {"guid": cg, "creatingUser": user, "creationDateTime": when})
    _el(coding, "CodeRef", {"targetGUID": codebook[row.code].code_guid})
    if memo:
        ng = stable_guid("note", cg)
        _el(coding, "NoteRef", {"targetGUID": ng})
        notes.append((ng, memo, user))


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
    variables: tuple[str, ...] | None = None,
    name: str = "rmresearch project",
    description: str | None = None,
    exclude: Iterable[str] = (),
    created: datetime | str | None = None,
    min_cases: int | Mapping[str, int] = DEFAULT_MIN_CASES,
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
        ``participant_id`` plus the ``variables`` columns (default: role and every ``*_group`` column), written
        as Cases.
    segments : pandas.DataFrame, optional
        Used to link each case to the sources in which the participant speaks.
    exclude : iterable of str, optional
        Participant IDs without consent to interview use (or withdrawn, see
        :mod:`rmresearch.consent`): their turns are withheld from the sources
        (a marker in their place), codings touching them are dropped and they
        get no case.
    created : datetime or str, optional
        The ``creationDateTime`` of every coding, selection and memo (UTC; a naive time is taken as UTC); default
        now. ``rmresearch code export-qdpx`` gives the time the codings file was last saved.
    min_cases : int or dict, optional
        The fewest cases each value of a case variable must describe for the variable to be exported (one
        number, or ``{variable: number}``; default 5, the default smallest cell size). The command gives the
        cohort's (:func:`rmresearch.coding.refi_cases.cohort_min_cases`).

    Raises
    ------
    QdpxError
        Codings cite unknown documents or codes, or offsets outside the text;
        or the project does not validate against the REFI-QDA schema (a bug).
    """
    return write_project(path, texts=texts, codebook=codebook, codings=codings, participants=participants,
                         segments=segments, variables=variables, name=name, description=description,
                         exclude=exclude, created=created, min_cases=min_cases)[0]


def write_project(path: str | Path, **kwargs) -> tuple[Path, CasePlan | None]:
    """:func:`export_qdpx` (same arguments), returning also the cases plan: which attributes were exported and
    which withheld, and why (``None`` without participants)."""
    from ..guard import check_api_output

    check_api_output(path, owner="code")  # never over a configured input, a key, or into a raw/anonymised/reports folder
    kwargs.setdefault("codings", None)
    for key, default in (("participants", None), ("segments", None), ("variables", None), ("name", "rmresearch project"),
                         ("description", None), ("exclude", ()), ("created", None), ("min_cases", DEFAULT_MIN_CASES)):
        kwargs.setdefault(key, default)
    xml, files, plan = _build(**kwargs)
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
    return atomic_write_bytes(path, buffer.getvalue()), plan
