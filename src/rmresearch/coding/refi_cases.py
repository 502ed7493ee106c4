"""What a REFI-QDA export may say about people, and what it says it wrote.

Cases
-----
Only interviewees become cases: participants whose words are in at least one exported source (the caller has
already left out anyone without consent to interview use, see :func:`rmresearch.consent.consent_exclusions`).
A participant with no words in any source gets no case.

Case variables are the participants' attributes (role and each characteristic's group). An attribute is
exported only if EVERY value it takes, and every combination of values with the other exported attributes (a
case shows them together), is held by at least the cohort's smallest cell size of cases
(:attr:`rmresearch.config.DisclosureRules.min_cell_size`, stricter for special-category characteristics via
:meth:`~rmresearch.config.DisclosureRules.for_characteristic`): in a 12-pair cohort one "Disabled" case, or the
only mentee in a faculty, would be recognisable to anyone who knows the scheme. An attribute withheld is named
with the reason (:attr:`CasePlan.withheld`), never with its values.

Sets
----
QDA-XML 1.0 allows ``<Sets>`` in a project and in a codebook (``.qdc``) but requires at least one ``<Set>`` in it,
so an empty ``<Sets/>`` would not validate. Every export therefore carries one set: the codes a passage can be
coded with (:func:`add_code_set`).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_MIN_CASES", "CasePlan", "plan_cases", "cohort_min_cases", "add_code_set", "xsd_datetime",
           "qdpx_counts", "export_lines"]

#: The smallest number of cases a value of an exported case variable may describe when no cohort says otherwise
#: (the default ``DisclosureRules.min_cell_size``).
DEFAULT_MIN_CASES = 5


@dataclass(frozen=True)
class CasePlan:
    """Who becomes a case and which attributes go with them."""

    participants: pd.DataFrame  #: the cases (``participant_id`` and the exported variables)
    variables: tuple[str, ...]  #: the attributes exported as case variables
    withheld: tuple[str, ...]  #: one sentence per attribute not exported, saying why
    not_interviewed: int  #: participants with no words in any exported source (no case)


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _threshold(min_cases: int | Mapping[str, int], variable: str) -> int:
    if isinstance(min_cases, Mapping):
        return int(min_cases.get(variable, DEFAULT_MIN_CASES))
    return int(min_cases)


def plan_cases(participants: pd.DataFrame, segments: pd.DataFrame | None, texts: Mapping[str, str], *,
               variables: tuple[str, ...] | None = None,
               min_cases: int | Mapping[str, int] = DEFAULT_MIN_CASES) -> CasePlan:
    """The cases of an export: interviewees only, with the attributes every value of which is held by at least
    ``min_cases`` of them (an int, or ``{variable: smallest count}`` with :data:`DEFAULT_MIN_CASES` for others).

    ``variables`` None: role and each ``*_group`` column. Without ``segments`` (who speaks where is unknown)
    every participant given is taken as an interviewee.

    >>> people = pd.DataFrame({"participant_id": ["P01", "P02", "P03", "P04"],
    ...                        "role": ["mentor", "mentor", "mentee", "mentee"],
    ...                        "faculty_group": ["Arts", "Arts", "Arts", "Law"]})
    >>> plan = plan_cases(people, None, {}, min_cases=2)
    >>> plan.variables, plan.withheld
    (('role',), ('faculty_group not exported: 1 value held by fewer than 2 cases',))
    """
    if variables is None:
        variables = ("role", *(c for c in participants.columns if isinstance(c, str) and c.endswith("_group")))
    people = participants
    if segments is not None and "participant_id" in segments.columns:
        spoken = segments.loc[segments["document"].isin(list(texts)), "participant_id"].dropna().astype(str)
        people = participants.loc[participants["participant_id"].astype(str).isin(set(spoken))]
    kept, withheld = [], []
    for v in (v for v in variables if v in people.columns):
        values = [str(x) for x in people[v] if not _missing(x)]
        if not values:
            continue
        counts = pd.Series(values).value_counts()
        need = _threshold(min_cases, v)
        rare = int((counts < need).sum())
        if rare:
            withheld.append(f"{v} not exported: {rare} value{'s' if rare != 1 else ''} held by fewer than {need} cases")
        else:
            kept.append(v)
    withheld += _withhold_combinations(people, kept, min_cases)
    out = people[["participant_id", *kept]].reset_index(drop=True)
    return CasePlan(participants=out, variables=tuple(kept), withheld=tuple(withheld),
                    not_interviewed=len(participants) - len(people))


def _withhold_combinations(people: pd.DataFrame, kept: list[str], min_cases) -> list[str]:
    """Each case shows all its exported attributes together, so every combination of their values must describe
    enough cases too (the largest threshold of the attributes combined). While one does not, the attribute with
    the largest threshold (a special-category one first), the last of equals, is withheld from ``kept``."""
    withheld = []
    while len(kept) > 1:
        need = max(_threshold(min_cases, v) for v in kept)
        combos = people[kept].dropna().astype(str).value_counts()  # a case missing one shows fewer together
        rare = int((combos < need).sum())
        if not rare:
            break
        drop = max(reversed(kept), key=lambda v: _threshold(min_cases, v))
        kept.remove(drop)
        withheld.append(f"{drop} not exported: with {', '.join(kept)}, {rare} combination{'s' if rare != 1 else ''} "
                        f"of values held by fewer than {need} cases")
    return withheld


def cohort_min_cases(config, characteristics=()) -> dict[str, int]:
    """``{participants column: smallest count}`` for a cohort: its ``min_cell_size`` for role, and for each
    characteristic's group and aggregate columns that characteristic's (stricter when special-category)."""
    rules = config.disclosure
    out = {"role": int(rules.min_cell_size)}
    for ch in characteristics:
        need = int(rules.for_characteristic(ch).min_cell_size)
        for column in (getattr(ch, "group_column", None), getattr(ch, "aggregate_column", None)):
            if column:
                out[column] = max(need, out.get(column, 0))
    return out


def add_code_set(codebook, parent, namespace: str, element=None):
    """Append ``<Sets>`` with one ``<Set>``: the codebook's codable codes (``MemberCode``), to ``parent`` (a
    project or a ``.qdc`` ``CodeBook``), or to ``element`` placed by the caller when given."""
    from lxml import etree

    from .codebook import stable_guid

    q = lambda tag: f"{{{namespace}}}{tag}"  # noqa: E731
    sets = element if element is not None else etree.SubElement(parent, q("Sets"))
    name = f"{codebook.name}: codes to apply"
    st = etree.SubElement(sets, q("Set"), {"guid": stable_guid("set", "codable", codebook.name), "name": name})
    etree.SubElement(st, q("Description")).text = (
        "Every code of this codebook a passage can be coded with (written by rmresearch; the code tree is in Codes).")
    # the two schemas differ: a project's MemberCode names its code by targetGUID (CodeRefType), a codebook's by
    # guid (Codebook.xsd's MemberCodeType)
    ref = "guid" if namespace.endswith(":codebook:1.0") else "targetGUID"
    for code in codebook:
        if code.codable:
            etree.SubElement(st, q("MemberCode"), {ref: code.code_guid})
    return sets


def xsd_datetime(when: datetime | str | None = None) -> str:
    """An ``xsd:dateTime`` in UTC to the second (``2026-12-01T10:00:00Z``); ``None`` is now.

    >>> xsd_datetime("2026-12-01 10:00:00+01:00")
    '2026-12-01T09:00:00Z'
    >>> xsd_datetime(datetime(2026, 12, 1, 10, 0, 30))
    '2026-12-01T10:00:30Z'
    """
    if when is None:
        when = datetime.now(timezone.utc)
    elif isinstance(when, str):
        when = datetime.fromisoformat(when.strip().replace("Z", "+00:00"))
    if when.tzinfo is None:  # a naive time is taken as UTC
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


_COUNTED = ("TextSource", "Code", "Set", "PlainTextSelection", "Coding", "Case", "Variable", "Note", "User")


def qdpx_counts(path: str | Path) -> dict[str, int]:
    """How many of each element a ``.qdpx`` file's ``project.qde`` holds (``TextSource``, ``Code``,
    ``PlainTextSelection``, ``Coding``, ``Case``, ``Variable``, ``Note``, ``Set``, ``User``)."""
    from lxml import etree

    from ..io.refi import QDE_NAMESPACE

    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    return {tag: sum(1 for _ in root.iter(f"{{{QDE_NAMESPACE}}}{tag}")) for tag in _COUNTED}


def export_lines(path: str | Path, plan: CasePlan | None) -> list[str]:
    """What ``code export-qdpx`` prints: what the file holds, and what was withheld and why."""
    n = qdpx_counts(path)
    coded = (f"{n['PlainTextSelection']} coded selections (one code each), {n['Coding']} codings by {n['User']} "
             f"coder(s), {n['Note']} memos (each also the selection's Description)" if n["Coding"] else "no codings")
    lines = [f"REFI-QDA project written: {path}",
             f"  {n['TextSource']} sources, {n['Code']} codes, {n['Set']} set, {coded}, {n['Case']} cases, "
             f"{n['Variable']} case variables.",
             "  It validates against the REFI-QDA 1.0 schema (Project.xsd)."]
    if plan is not None:
        if plan.variables:
            lines.append(f"  Case variables exported: {', '.join(plan.variables)}.")
        for sentence in plan.withheld:
            lines.append(f"  {sentence} (disclosure control: each value, and each combination a case shows, must "
                         "describe at least that many cases).")
        if plan.not_interviewed:
            lines.append(f"  {plan.not_interviewed} participant(s) with no words in any exported source get no case.")
    return lines
