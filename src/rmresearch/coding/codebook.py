"""Codebooks: hierarchical codes with definitions and suggestion rules.

A codebook is a YAML file. Each code has a ``name`` (a stable identifier used in
coding files, e.g. ``lived_experience``), a human-readable ``title``, a
``definition``, guidance on ``when_to_use`` and ``when_not_to_use``, ``examples``
(short illustrative quotes) and optional ``rules`` from which
:func:`rmresearch.coding.suggest_codes` *suggests* codes to human coders.
Codes nest with ``children:`` (or name their ``parent:``); a parent that only
groups codes is marked ``codable: false``.

.. code-block:: yaml

    name: Mentoring scheme evaluation
    description: Codes for interviews with mentoring participants.
    codes:
      - name: learning_about_race
        title: Learning about race
        codable: false
        children:
          - name: lived_experience
            title: Lived experience
            definition: Accounts of what it is like to be racially minoritised ...
            when_to_use: The speaker describes their own or another's experience ...
            when_not_to_use: General statements about data or policy ...
            examples: ["I was the only Black woman in every meeting."]
            rules:
              phrases: [lived experience, only black, microaggression]
              regex: ['\\bthe only (black|brown|asian)\\b']

Phrases are matched on word tokens and their Snowball stems (so ``sponsor``
also matches "sponsored" and "sponsoring"); regular expressions are matched
case-insensitively on the segment text.

The REFI-QDA codebook exchange format (``.qdc``) is written by :func:`write_qdc`
and read by :func:`read_qdc` (in :mod:`rmresearch.io.refi`, importable from here).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterator, Mapping

import pandas as pd
import yaml

from ..errors import ConfigError, InputError
from ..io.refi import MAX_CODEBOOK_BYTES, QDC_NAMESPACE, read_qdc
from ..io.text import read_text

__all__ = [
    "Code",
    "Codebook",
    "CodebookError",
    "Rule",
    "GUID_NAMESPACE",
    "stable_guid",
    "load_codebook",
    "default_codebook",
    "codebook_from_mapping",
    "write_codebook",
    "read_qdc",
    "write_qdc",
    "QDC_NAMESPACE",
]

#: Namespace for deterministic (uuid5) GUIDs: the same code, source or coding
#: always gets the same GUID, so exports are reproducible byte for byte.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://rmresearch.invalid/refi-qda")

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*$")
_CODE_KEYS = {
    "name", "title", "definition", "when_to_use", "when_not_to_use", "examples",
    "rules", "children", "parent", "codable", "colour", "color", "guid",
}
_RULE_KEYS = {"phrases", "regex"}


def stable_guid(*parts: object) -> str:
    """A deterministic GUID (uuid5) for a stable identifier.

    Examples
    --------
    The GUID depends only on the parts, so the same code gets the same GUID in every export (a change here would
    change every exported file):

    >>> stable_guid("code", "lived_experience")
    '098f7020-3334-5902-8f90-54fff4b532b5'
    """
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(str(p) for p in parts)))


class CodebookError(ConfigError):
    """A codebook file is malformed; ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        lines = [f"{source}: {len(self.problems)} problem(s) in the codebook:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Rule:
    """One suggestion rule: a phrase (matched on tokens and stems) or a regex."""

    kind: str  # "phrase" or "regex"
    pattern: str

    @property
    def label(self) -> str:
        """How the rule is shown next to a suggestion (``phrase "x"`` or ``regex /x/``)."""
        return f'phrase "{self.pattern}"' if self.kind == "phrase" else f"regex /{self.pattern}/"


@dataclass(frozen=True)
class Code:
    """One code of a codebook."""

    name: str
    title: str
    definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    examples: tuple[str, ...] = ()
    parent: str | None = None
    codable: bool = True
    colour: str | None = None
    phrases: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()
    guid: str | None = None

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(Rule("phrase", p) for p in self.phrases) + tuple(Rule("regex", r) for r in self.regex)

    @property
    def code_guid(self) -> str:
        """The GUID used in REFI-QDA files (kept from an import, else derived from the name)."""
        return self.guid or stable_guid("code", self.name)


@dataclass(frozen=True)
class Codebook:
    """An ordered, validated set of codes (parents before their children)."""

    name: str
    codes: tuple[Code, ...]
    description: str = ""
    source: str = "<codebook>"
    _index: dict = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self):
        object.__setattr__(self, "_index", {c.name: c for c in self.codes})

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __getitem__(self, name: str) -> Code:
        try:
            return self._index[name]
        except KeyError:
            raise KeyError(f"No code {name!r} in codebook {self.source}; codes: {', '.join(self.names)}") from None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.codes]

    @property
    def codable_names(self) -> list[str]:
        """Names of the codes that can be applied to text (leaves and codable parents)."""
        return [c.name for c in self.codes if c.codable]

    def children(self, name: str | None) -> list[Code]:
        """Direct children of ``name`` (``None``: the top-level codes)."""
        return [c for c in self.codes if c.parent == name]

    def title(self, name: str) -> str:
        return self[name].title

    def resolve(self, name_or_title: str) -> str | None:
        """The code name for a name or a title (case-insensitive), or ``None``."""
        if name_or_title in self._index:
            return name_or_title
        key = str(name_or_title).strip().casefold()
        for c in self.codes:
            if c.name.casefold() == key or c.title.casefold() == key:
                return c.name
        return None

    def to_frame(self) -> pd.DataFrame:
        """One row per code: name, title, parent, codable, definition, guidance, rule counts."""
        return pd.DataFrame(
            {
                "name": [c.name for c in self.codes],
                "title": [c.title for c in self.codes],
                "parent": [c.parent for c in self.codes],
                "codable": [c.codable for c in self.codes],
                "definition": [c.definition for c in self.codes],
                "when_to_use": [c.when_to_use for c in self.codes],
                "when_not_to_use": [c.when_not_to_use for c in self.codes],
                "n_examples": [len(c.examples) for c in self.codes],
                "n_rules": [len(c.rules) for c in self.codes],
            }
        )


# --------------------------------------------------------------------------- YAML


def _text(value: Any) -> str:
    """Single-line text: YAML folded blocks and stray newlines become single spaces."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def _strings(value: Any, what: str, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        problems.append(f"{where}: '{what}' must be a list of strings")
        return ()
    out = []
    for item in value:
        if not isinstance(item, (str, int, float)) or isinstance(item, bool):
            problems.append(f"{where}: '{what}' holds a {type(item).__name__}; give plain strings")
            continue
        out.append(str(item) if what == "regex" else _text(item))
    return tuple(out)


def codebook_from_mapping(data: Mapping[str, Any], *, source: str = "<codebook>") -> Codebook:
    """Build and validate a codebook from a parsed YAML mapping.

    Every problem (a code without a name, a duplicate name, an unknown parent,
    a regular expression that does not compile, an unknown key) is collected
    and raised at once as :class:`CodebookError`, naming the file and the code.

    Examples
    --------
    >>> cb = codebook_from_mapping({"name": "Tiny", "codes": [
    ...     {"name": "barriers", "title": "Barriers", "children": [
    ...         {"name": "time", "definition": "Lack of time", "rules": {"phrases": ["no time"]}}]}]})
    >>> cb.names, cb["time"].parent, cb["time"].title
    (['barriers', 'time'], 'barriers', 'Time')
    >>> codebook_from_mapping({"codes": [{"name": "a"}, {"name": "a"}]}, source="cb.yml")
    Traceback (most recent call last):
    ...
    rmresearch.coding.codebook.CodebookError: cb.yml: 1 problem(s) in the codebook:
      - code 'a' (entry 2): duplicate name; the first 'a' is entry 1. Names must be unique.
    """
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise CodebookError(source, [f"expected a mapping with 'name' and 'codes', found {type(data).__name__}"])
    unknown_top = set(data) - {"name", "description", "codes", "version"}
    if unknown_top:
        problems.append(f"unknown top-level key(s) {', '.join(sorted(map(str, unknown_top)))}; use name, description, codes")
    raw_codes = data.get("codes")
    if not isinstance(raw_codes, list) or not raw_codes:
        raise CodebookError(source, problems + ["'codes' must be a non-empty list of codes"])
    codes: list[Code] = []
    _walk_codes(raw_codes, None, 0, codes, {}, [0], problems)
    problems += _parent_problems(codes)
    if problems:
        raise CodebookError(source, problems)
    return Codebook(
        name=_text(data.get("name")) or "Codebook",
        codes=tuple(_parents_first(codes)),
        description=_text(data.get("description")),
        source=source,
    )


def _walk_codes(items: list, parent: str | None, depth: int, codes: list[Code], first_entry: dict[str, int],
                counter: list[int], problems: list[str]) -> None:
    """Append the codes of ``items`` (and, depth first, their children) to ``codes``; entries are numbered in file
    order by ``counter`` (``first_entry`` maps each name to the entry that first used it)."""
    for item in items:
        counter[0] += 1
        entry = counter[0]
        if not isinstance(item, Mapping):
            problems.append(f"entry {entry}: expected a mapping with at least 'name', found {item!r}")
            continue
        name, where = _code_name(item, entry, first_entry, problems)
        code, children = _code_from_item(item, name, where, parent if depth > 0 else None, depth, problems)
        codes.append(code)
        _walk_codes(children, name or f"<entry {entry}>", depth + 1, codes, first_entry, counter, problems)


def _code_name(item: Mapping, entry: int, first_entry: dict[str, int], problems: list[str]) -> tuple[str, str]:
    """The code's name (checked: present, well-formed, unique) and how messages name the entry."""
    raw_name = item.get("name")
    name = str(raw_name).strip() if raw_name is not None else ""
    where = f"code '{name}' (entry {entry})" if name else f"entry {entry}"
    if not name:
        problems.append(f"{where}: missing 'name' (title {item.get('title')!r}); every code needs a unique name")
    elif not _NAME_RE.match(name):
        problems.append(
            f"{where}: name must start with a letter and hold only letters, digits, '_', '-', '.' "
            f"(e.g. {re.sub(r'[^A-Za-z0-9_]+', '_', name).strip('_').lower() or 'my_code'}); put the readable name in 'title'"
        )
    elif name in first_entry:
        problems.append(f"{where}: duplicate name; the first '{name}' is entry {first_entry[name]}. Names must be unique.")
    else:
        first_entry[name] = entry
    return name, where


def _code_rules(item: Mapping, where: str, problems: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The code's suggestion phrases and regular expressions (each regex must compile)."""
    rules = item.get("rules") or {}
    if not isinstance(rules, Mapping):
        problems.append(f"{where}: 'rules' must be a mapping with 'phrases' and/or 'regex'")
        return (), ()
    bad = set(rules) - _RULE_KEYS
    if bad:
        problems.append(f"{where}: unknown rule type(s) {', '.join(sorted(map(str, bad)))}; use 'phrases' and 'regex'")
    phrases = _strings(rules.get("phrases"), "phrases", where, problems)
    regex = _strings(rules.get("regex"), "regex", where, problems)
    for p in phrases:
        if not p.strip():
            problems.append(f"{where}: an empty phrase; remove it")
    for pattern in regex:
        try:
            re.compile(pattern)
        except re.error as exc:
            problems.append(f"{where}: regular expression {pattern!r} does not compile ({exc}); fix or remove it")
    return phrases, regex


def _code_from_item(item: Mapping, name: str, where: str, nested_under: str | None, depth: int,
                    problems: list[str]) -> tuple[Code, list]:
    """One entry of the YAML as a :class:`Code` (every problem listed), and its ``children`` entries."""
    unknown = set(item) - _CODE_KEYS
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; known: {', '.join(sorted(_CODE_KEYS))}")
    own_parent = item.get("parent")
    if own_parent is not None and depth > 0 and str(own_parent) != nested_under:
        problems.append(f"{where}: nested under '{nested_under}' but names parent '{own_parent}'; use one or the other")
    phrases, regex = _code_rules(item, where, problems)
    children = item.get("children") or []
    if not isinstance(children, list):
        problems.append(f"{where}: 'children' must be a list of codes")
        children = []
    codable = item.get("codable", True)
    if not isinstance(codable, bool):
        problems.append(f"{where}: 'codable' must be true or false, not {codable!r}")
        codable = True
    colour = item.get("colour", item.get("color"))
    if colour is not None and not re.fullmatch(r"#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})", str(colour)):
        problems.append(f"{where}: colour {colour!r} is not an RGB value like '#0072B2'")
        colour = None
    code = Code(
        name=name,
        title=_text(item.get("title")) or (name.replace("_", " ").capitalize() if name else ""),
        definition=_text(item.get("definition")),
        when_to_use=_text(item.get("when_to_use")),
        when_not_to_use=_text(item.get("when_not_to_use")),
        examples=_strings(item.get("examples"), "examples", where, problems),
        parent=nested_under if depth > 0 else (str(own_parent).strip() if own_parent is not None else None),
        codable=codable,
        colour=str(colour) if colour else None,
        phrases=phrases,
        regex=regex,
        guid=str(item["guid"]) if item.get("guid") else None,
    )
    return code, children


def _parent_problems(codes: list[Code]) -> list[str]:
    """Parents named but not defined, and parent chains that loop (only flat ``parent:`` keys can make one)."""
    problems = []
    names = {c.name for c in codes if c.name}
    for c in codes:
        if c.parent is not None and c.parent not in names and not c.parent.startswith("<entry"):
            problems.append(f"code '{c.name}': unknown parent '{c.parent}'; define it or remove 'parent'")
    parents = {c.name: c.parent for c in codes}
    for c in codes:
        seen, p = {c.name}, c.parent
        while p is not None and p in parents:
            if p in seen:
                problems.append(f"code '{c.name}': its parents form a loop through '{p}'")
                break
            seen.add(p)
            p = parents[p]
    return problems


def _parents_first(codes: list[Code]) -> list[Code]:
    """Depth-first order, parents before children, keeping the file order among siblings."""
    by_parent: dict[str | None, list[Code]] = {}
    for c in codes:
        by_parent.setdefault(c.parent, []).append(c)
    out: list[Code] = []

    def visit(parent: str | None) -> None:
        for c in by_parent.get(parent, []):
            out.append(c)
            visit(c.name)

    visit(None)
    return out


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read and validate a codebook (YAML, or REFI-QDA ``.qdc``); the default one if ``path`` is None.

    Raises
    ------
    InputError
        The file is missing or is not valid YAML.
    CodebookError
        The codebook is malformed; every problem is listed with its code.

    Examples
    --------
    >>> cb = load_codebook()
    >>> cb["sponsorship"].parent
    'career_and_sponsorship'
    """
    if path is None:
        with resources.files("rmresearch").joinpath("data/codebook_default.yml").open("r", encoding="utf-8") as fh:
            return _from_yaml_text(fh.read(), "built-in codebook_default.yml")
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Codebook not found: {path}. Give a YAML codebook (see `rmresearch code suggest --help`).")
    if path.suffix.lower() == ".qdc":
        return read_qdc(path)
    text = read_text(path, limit=MAX_CODEBOOK_BYTES, what="a codebook", advice="Save the codebook as UTF-8.")
    return _from_yaml_text(text, str(path))


def _from_yaml_text(text: str, source: str) -> Codebook:
    from ..config import load_yaml_text

    try:  # duplicate keys (a code defined twice) an error with both lines; aliases bounded
        data = load_yaml_text(text, source)
    except ConfigError as exc:  # a codebook is an input file: its errors stay InputErrors
        raise InputError(str(exc)) from None
    return codebook_from_mapping(data, source=source)


def default_codebook() -> Codebook:
    """The built-in codebook for evaluating reciprocal and reverse mentoring schemes."""
    return load_codebook(None)


def write_codebook(codebook: Codebook, path: str | Path) -> Path:
    """Write a codebook as YAML (nested ``children``), atomically (never over a configured input, see
    :func:`rmresearch.guard.check_api_output`)."""
    from ..fileio import atomic_write_text
    from ..guard import check_api_output

    check_api_output(path, owner="code")

    def entry(c: Code) -> dict:
        d: dict[str, Any] = {"name": c.name, "title": c.title}
        for key in ("definition", "when_to_use", "when_not_to_use"):
            if getattr(c, key):
                d[key] = getattr(c, key)
        if c.examples:
            d["examples"] = list(c.examples)
        if not c.codable:
            d["codable"] = False
        if c.colour:
            d["colour"] = c.colour
        if c.guid:
            d["guid"] = c.guid
        rules = {k: list(v) for k, v in (("phrases", c.phrases), ("regex", c.regex)) if v}
        if rules:
            d["rules"] = rules
        kids = codebook.children(c.name)
        if kids:
            d["children"] = [entry(k) for k in kids]
        return d

    data = {"name": codebook.name}
    if codebook.description:
        data["description"] = codebook.description
    data["codes"] = [entry(c) for c in codebook.children(None)]
    return atomic_write_text(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))


# --------------------------------------------------------------------------- REFI-QDA .qdc

# The REFI-QDA Code element has a name and a free-text Description only. The
# codebook's other fields are written as labelled lines of the Description, so
# that other tools show them to coders and a round trip restores them.
_DESC_FIELDS = (
    ("Code ID", "name"),
    ("Definition", "definition"),
    ("When to use", "when_to_use"),
    ("When not to use", "when_not_to_use"),
    ("Example", "examples"),
    ("Suggestion phrase", "phrases"),
    ("Suggestion regex", "regex"),
)
_DESC_RE = re.compile(r"^(" + "|".join(re.escape(label) for label, _ in _DESC_FIELDS) + r"): ?(.*)$")


def _description(code: Code) -> str:
    lines = [f"Code ID: {code.name}"]
    for label, attr in _DESC_FIELDS[1:]:
        value = getattr(code, attr)
        for v in (value if isinstance(value, tuple) else (value,)):
            if v:
                lines.append(f"{label}: {v}")
    return "\n".join(lines)


def _parse_description(text: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"examples": [], "phrases": [], "regex": []}
    last = None
    free: list[str] = []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        m = _DESC_RE.match(line.strip())
        if m:
            attr = dict(_DESC_FIELDS)[m.group(1)]
            if isinstance(fields.get(attr), list):
                fields[attr].append(m.group(2))
            else:
                fields[attr] = m.group(2)
            last = attr
        elif line.strip():
            if last is None:
                free.append(line.strip())
            elif isinstance(fields[last], list):
                fields[last][-1] += " " + line.strip()
            else:
                fields[last] += " " + line.strip()
    if free:  # a description written by another tool: keep it as the definition
        fields["definition"] = " ".join(free + ([fields["definition"]] if fields.get("definition") else []))
    return fields


def codes_to_xml(codebook: Codebook, parent_element, namespace: str) -> None:
    """Append ``<Codes>`` with nested ``<Code>`` elements (shared by .qdc and .qdpx writers)."""
    from lxml import etree

    q = lambda tag: f"{{{namespace}}}{tag}"  # noqa: E731
    codes_el = etree.SubElement(parent_element, q("Codes"))

    def add(parent_el, code: Code) -> None:
        attrs = {"guid": code.code_guid, "name": code.title or code.name, "isCodable": "true" if code.codable else "false"}
        if code.colour:
            attrs["color"] = code.colour
        el = etree.SubElement(parent_el, q("Code"), attrs)
        etree.SubElement(el, q("Description")).text = _description(code)
        for child in codebook.children(code.name):
            add(el, child)

    for top in codebook.children(None):
        add(codes_el, top)


def codes_from_xml(codes_element, namespace: str, *, source: str) -> list[dict]:
    """Read nested ``<Code>`` elements into codebook mappings (name, title, children...)."""
    q = lambda tag: f"{{{namespace}}}{tag}"  # noqa: E731

    used: set[str] = set()

    def read(el) -> dict:
        desc_el = el.find(q("Description"))
        fields = _parse_description(desc_el.text if desc_el is not None else "")
        title = el.get("name") or ""
        name = fields.get("name")
        if not name:  # a code made in another tool: derive a unique name from its title
            base = _name_from_title(title)
            name, k = base, 2
            while name in used:
                name, k = f"{base}_{k}", k + 1
        used.add(name)
        d: dict[str, Any] = {
            "name": name,
            "title": title or name,
            "guid": el.get("guid"),
            "codable": (el.get("isCodable", "true").strip().lower() in ("true", "1")),
        }
        for key in ("definition", "when_to_use", "when_not_to_use"):
            if fields.get(key):
                d[key] = fields[key]
        if fields["examples"]:
            d["examples"] = fields["examples"]
        rules = {k: fields[k] for k in ("phrases", "regex") if fields[k]}
        if rules:
            d["rules"] = rules
        if el.get("color"):
            d["colour"] = el.get("color")
        kids = [read(k) for k in el.findall(q("Code"))]
        if kids:
            d["children"] = kids
        return d

    if codes_element is None:
        return []
    return [read(el) for el in codes_element.findall(q("Code"))]


def _name_from_title(title: str) -> str:
    """A code name for a code made in another tool: its title, made safe (``Lived experience`` -> ``lived_experience``)."""
    name = re.sub(r"[^0-9A-Za-z]+", "_", title).strip("_").lower()
    if not name:
        return "code"
    return name if name[0].isalpha() else f"code_{name}"


def write_qdc(codebook: Codebook, path: str | Path) -> Path:
    """Write the codebook in the REFI-QDA codebook format (``.qdc``), atomically.

    Each ``Code`` gets a deterministic ``guid``, its title as ``name``,
    ``isCodable`` and a ``Description`` holding the code ID, definition,
    guidance, examples and suggestion rules as labelled lines (which
    :func:`read_qdc` reads back), then ``Sets`` holding one set, the codable codes.
    """
    from lxml import etree

    from ..fileio import atomic_write_bytes
    from ..guard import check_api_output

    check_api_output(path, owner="code")  # never over a configured input, a key, or into a protected folder
    root = etree.Element(f"{{{QDC_NAMESPACE}}}CodeBook", nsmap={None: QDC_NAMESPACE}, attrib={"origin": "rmresearch"})
    codes_to_xml(codebook, root, QDC_NAMESPACE)
    from .refi_cases import add_code_set  # Sets with one set (QDA-XML allows no empty Sets): some readers need it

    add_code_set(codebook, root, QDC_NAMESPACE)
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return atomic_write_bytes(path, data)
