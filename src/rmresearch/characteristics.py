"""Characteristics (ethnicity, sex, disability...) and their code lists.

A built-in code list lives in ``data/characteristics/<name>.yml``, one file per characteristic, each citing the
HESA coding-manual page it follows: codes and labels, one or more groupings (code -> group), the "not known" /
"prefer not to say" / "information refused" codes (counted as their own group, never dropped), whether the
characteristic is special-category data (UK GDPR Art. 9) and the default reference group. Ethnicity reuses the
legacy HESA table the analyses already read (``data/ethnicity_hesa.csv``, via
:func:`rmresearch.codes.load_ethnicity_map`) and adds the ONS 2021 census spellings HR systems use.

The cohort file names the characteristics it studies under ``options.characteristics`` (checked here by
:func:`read_options`, exposed as ``cfg.characteristics``); they are read by the analyses in a later step:

.. code-block:: yaml

    options:
      characteristics:
        disability: {column: disability_code, code_list: disability}
        sex: {column: sex, code_list: sex, reference: Female, labels: {Female: Women, Male: Men}}
        career_stage: {column: stage, groups: {Early: Early career, Mid: Established}, reference: Established}

>>> load("religion").normalise(pd.Series(["Muslim", "01", "prefer not to say"])).tolist()
['12', '01', '98']
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from .codes import UNKNOWN_GROUP, load_ethnicity_map
from .errors import ConfigError, InputError

__all__ = ["CodeList", "Characteristic", "BUILT_IN", "OPTION_KEYS", "load", "read_options", "UNKNOWN_GROUP"]

#: The built-in code lists, one data file each.
BUILT_IN = ("ethnicity", "sex", "gender_identity", "disability", "sexual_orientation", "religion", "caring",
            "working_pattern")
#: The settings of one characteristic under ``options.characteristics``.
OPTION_KEYS = ("column", "code_list", "groups", "grouping", "reference", "labels", "special_category")
_SEPARATOR = re.compile(r"\s*[-:\u2013\u2014]\s*")


def _key(value) -> str:
    """The form labels are compared in: case, spacing and '-'/':' separators ignored.

    >>> _key(" White:  Welsh ") == _key("white - welsh")
    True
    """
    text = " ".join(str(value).strip().lower().split())
    return _SEPARATOR.sub(" - ", text)


@dataclass(frozen=True)
class CodeList:
    """One characteristic's codes: ``codes`` {code: label}, ``groups`` {grouping: {code: group}} (unknown codes
    in every grouping, as :data:`UNKNOWN_GROUP`), ``unknown`` (not known / refused codes), ``special_category``
    (UK GDPR Art. 9), ``reference`` (default reference group of ``default_grouping``) and ``aliases`` (other
    spellings: label -> code)."""

    name: str
    title: str
    codes: dict[str, str]
    groups: dict[str, dict[str, str]]
    unknown: frozenset[str]
    special_category: bool
    reference: str
    default_grouping: str
    aliases: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def _lookup(self) -> dict[str, str]:
        lookup = {code: code for code in self.codes}
        for code in self.codes:  # "1" for "01": spreadsheets drop leading zeros
            if code.isdigit():
                lookup.setdefault(str(int(code)), code)
        for code, label in self.codes.items():
            lookup.setdefault(_key(label), code)
        for alias, code in self.aliases.items():
            lookup.setdefault(_key(alias), code)
        return lookup

    def normalise(self, values: pd.Series, *, where: str = "") -> pd.Series:
        """The code for each value (a code or a label, any case or spacing; "White - Welsh" and "White: Welsh"
        alike). Blank cells stay missing; a value not in the list raises InputError naming it (``where`` says
        which file and column) and a few allowed labels.

        >>> load("sexual_orientation").normalise(pd.Series(["Gay Man", "4", None])).tolist()
        ['02', '04', None]
        """
        lookup = self._lookup()
        text = values.astype("string").str.strip().str.replace(r"^(\d+)\.0$", r"\1", regex=True)
        out = text.map(lambda v: None if pd.isna(v) or v == "" else lookup.get(v, lookup.get(_key(v))))
        bad = text[out.isna() & text.notna() & (text != "")]
        if len(bad):
            positions = [i for i, flag in enumerate(out.isna() & text.notna() & (text != "")) if flag]
            rows = ", ".join(str(i + 2) for i in positions[:5])  # spreadsheet rows: the header is row 1
            rows += f" and {len(positions) - 5} more" if len(positions) > 5 else ""
            seen = ", ".join(repr(v) for v in list(dict.fromkeys(bad.tolist()))[:5])
            close = difflib.get_close_matches(_key(bad.iloc[0]), [_key(lbl) for lbl in self.codes.values()], n=1)
            hint = f" (did you mean {self._label_for_key(close[0])!r}?)" if close else ""
            allowed = "; ".join(f"{c} {lbl}" for c, lbl in list(self.codes.items())[:6])
            raise InputError(
                f"{where + ': ' if where else ''}{len(bad)} value(s) not in the {self.title.lower()} code list "
                f"({self.source}): {seen}{hint} in row(s) {rows}. Allowed codes or labels include "
                f"{allowed}... Correct the value, or give the cohort file a groups table for this characteristic."
            )
        return out.astype("object")

    def _label_for_key(self, key: str) -> str:
        return next(lbl for lbl in self.codes.values() if _key(lbl) == key)

    def group(self, codes: pd.Series, grouping: str | None = None) -> pd.Series:
        """The group of each code (from :meth:`normalise`) in ``grouping`` (default ``default_grouping``);
        not-known and refused codes become :data:`UNKNOWN_GROUP`, never missing.

        >>> load("disability").group(pd.Series(["51", "95", "98"])).tolist()
        ['Disabled', 'No known disability', 'Unknown']
        """
        grouping = grouping or self.default_grouping
        if grouping not in self.groups:
            raise ConfigError(f"Unknown {self.title.lower()} grouping {grouping!r}; {self.source} offers "
                              f"{', '.join(self.groups)}.")
        return codes.map(self.groups[grouping]).astype("object")

    def group_names(self, grouping: str | None = None) -> list[str]:
        """The groups of a grouping in file order, :data:`UNKNOWN_GROUP` last."""
        seen = list(dict.fromkeys(self.groups[grouping or self.default_grouping].values()))
        return [g for g in seen if g != UNKNOWN_GROUP] + [g for g in seen if g == UNKNOWN_GROUP]


def _read_data(name: str) -> dict:
    path = resources.files("rmresearch").joinpath(f"data/characteristics/{name}.yml")
    with path.open("r", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _codes_from_table(data: dict) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    if data["codes_from"] != "ethnicity_hesa.csv":
        raise ConfigError(f"characteristics/{data['name']}.yml: codes_from must be ethnicity_hesa.csv.")
    table = load_ethnicity_map().table
    codes = dict(zip(table["code"], table["label"]))
    groups = {col: dict(zip(table["code"], table[col])) for col in table.columns if col not in ("code", "label")}
    return codes, groups


def _refuse_ambiguous(codes: dict[str, str], aliases: dict[str, str], source: str) -> None:
    """A spelling (label or alias, as compared) must mean one code: otherwise normalise would pick one silently."""
    meaning: dict[str, set[str]] = {}
    for code, label in codes.items():
        meaning.setdefault(_key(label), set()).add(code)
    for alias, code in aliases.items():
        meaning.setdefault(_key(alias), set()).add(code)
    twice = sorted(k for k, cs in meaning.items() if len(cs) > 1)
    if twice:
        raise ConfigError(f"{source}: the spelling(s) {', '.join(map(repr, twice))} stand for more than one code.")


def load(name: str) -> CodeList:
    """The built-in code list ``name`` (one of :data:`BUILT_IN`), checked: every grouping covers every known code,
    unknown codes are codes, the reference is a group.

    >>> cl = load("ethnicity")
    >>> cl.codes["22"], cl.special_category, cl.reference
    ('Black or Black British - African', True, 'White')
    """
    if name not in BUILT_IN:
        close = difflib.get_close_matches(str(name), BUILT_IN, n=1)
        raise ConfigError(f"No built-in code list {name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
                          + f"; built-in lists: {', '.join(BUILT_IN)}.")
    data = _read_data(name)
    source = f"built-in {name} list (data/characteristics/{name}.yml)"
    if "codes_from" in data:
        codes, groups = _codes_from_table(data)
    else:
        codes = {str(c): str(lbl) for c, lbl in data["codes"].items()}
        groups = {g: {str(c): str(group) for group, cs in members.items() for c in cs}
                  for g, members in data["groupings"].items()}
    unknown = frozenset(str(c) for c in data.get("unknown", []))
    aliases = {str(a): str(c) for a, c in (data.get("aliases") or {}).items()}
    for grouping, mapping in groups.items():
        for code in unknown:
            mapping.setdefault(code, UNKNOWN_GROUP)
        missing = sorted(set(codes) - set(mapping))
        extra = sorted(set(mapping) - set(codes))
        if missing or extra:
            raise ConfigError(f"{source}: grouping {grouping!r} leaves out code(s) {missing} or names unlisted "
                              f"code(s) {extra}.")
    bad = sorted((unknown | set(aliases.values())) - set(codes))
    _refuse_ambiguous(codes, aliases, source)
    if bad:
        raise ConfigError(f"{source}: unknown codes or aliases point at unlisted code(s) {bad}.")
    default_grouping = str(data.get("default_grouping") or next(iter(groups)))
    reference = str(data["reference"])
    if reference not in groups[default_grouping].values():
        raise ConfigError(f"{source}: reference {reference!r} is not a group of {default_grouping!r}.")
    return CodeList(name=name, title=str(data.get("title", name)), codes=codes, groups=groups, unknown=unknown,
                    special_category=bool(data["special_category"]), reference=reference,
                    default_grouping=default_grouping, aliases=aliases, source=source)


@dataclass(frozen=True)
class Characteristic:
    """One entry of ``options.characteristics``, checked. Read by the analyses in a later step.

    ``code_list`` is a built-in :class:`CodeList` (then ``grouping`` names one of its groupings) or ``None`` when
    the cohort file gives its own ``groups`` table {value: group}. ``reference`` is the group others are compared
    with; ``labels`` {group: display label}; ``special_category`` follows the code list unless the file says.
    """

    name: str
    column: str
    code_list: CodeList | None
    groups: dict[str, str]
    grouping: str | None
    reference: str
    labels: dict[str, str]
    special_category: bool

    def group_names(self) -> list[str]:
        """The groups, in order, :data:`UNKNOWN_GROUP` last."""
        if self.code_list is not None:
            return self.code_list.group_names(self.grouping)
        seen = list(dict.fromkeys(self.groups.values()))
        return [g for g in seen if g != UNKNOWN_GROUP] + [g for g in seen if g == UNKNOWN_GROUP]

    def group(self, values: pd.Series, *, where: str = "") -> pd.Series:
        """The group of each value of this characteristic's column (codes or labels through the built-in list,
        or the cohort file's groups table compared case- and space-insensitively); blank cells stay missing and a
        value the list or table does not hold raises InputError naming it.

        >>> sex = read_options({"sex": {"column": "sex", "code_list": "sex"}}, "c.yml")["sex"]
        >>> sex.group(pd.Series(["F", "male", "Prefer not to say"])).tolist()
        ['Female', 'Male', 'Unknown']
        """
        if self.code_list is not None:
            return self.code_list.group(self.code_list.normalise(values, where=where), self.grouping)
        table = {_key(value): group for value, group in self.groups.items()}
        text = values.astype("string").str.strip()
        out = text.map(lambda v: None if pd.isna(v) or v == "" else table.get(_key(v)))
        bad = text[out.isna() & text.notna() & (text != "")]
        if len(bad):
            seen = ", ".join(repr(v) for v in list(dict.fromkeys(bad.tolist()))[:5])
            raise InputError(f"{where + ': ' if where else ''}{len(bad)} value(s) not in the groups table of "
                             f"options.characteristics.{self.name}: {seen}. The table holds "
                             f"{', '.join(list(self.groups)[:8])}; add the value to it (with its group).")
        return out.astype("object")

    def label(self, group: str) -> str:
        """The display label of a group (the group itself when the cohort file gives none)."""
        return self.labels.get(group, group)


def _text_mapping(value: Any, where: str, source: str, example: str) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        raise ConfigError(f"{source}: {where} must be a mapping like {example}, not {value!r}"[:300] + ".")
    bad = [k for k, v in value.items() if isinstance(v, (dict, list)) or v is None or isinstance(k, (dict, list))]
    if bad:
        raise ConfigError(f"{source}: {where}: {bad[0]!r} must map to one text value (like {example}).")
    return {str(k).strip(): str(v).strip() for k, v in value.items()}


def _read_one(name: str, raw: Any, source: str) -> Characteristic:
    where = f"options.characteristics.{name}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: '{where}' must be a mapping like {{column: disability_code, code_list: "
                          f"disability}}, not {raw!r}"[:300] + ".")
    unknown_keys = sorted(set(map(str, raw)) - set(OPTION_KEYS))
    if unknown_keys:
        raise ConfigError(f"{source}: '{where}' has unknown setting(s) {', '.join(map(repr, unknown_keys))}; "
                          f"allowed: {', '.join(OPTION_KEYS)}.")
    column = raw.get("column")
    if not isinstance(column, str) or not column.strip():
        raise ConfigError(f"{source}: '{where}.column' must name the table column holding {name} "
                          f"(e.g. column: {name}_code).")
    if ("code_list" in raw) == ("groups" in raw):
        raise ConfigError(f"{source}: '{where}' needs exactly one of code_list (a built-in list: "
                          f"{', '.join(BUILT_IN)}) or groups (a table of value: group).")
    code_list, groups, grouping = None, {}, None
    if "code_list" in raw:
        try:
            code_list = load(str(raw["code_list"]))
        except ConfigError as exc:
            raise ConfigError(f"{source}: '{where}.code_list': {exc}") from None
        grouping = str(raw.get("grouping") or code_list.default_grouping)
        if grouping not in code_list.groups:
            raise ConfigError(f"{source}: '{where}.grouping' {grouping!r} is not a grouping of the built-in "
                              f"{code_list.name} list; it offers {', '.join(code_list.groups)}.")
        names = code_list.group_names(grouping)
    else:
        if "grouping" in raw:
            raise ConfigError(f"{source}: '{where}.grouping' goes with code_list, not with a groups table.")
        groups = _text_mapping(raw["groups"], f"'{where}.groups'", source, "{Early: Early career, Mid: Established}")
        names = list(dict.fromkeys(groups.values()))
    default_reference = code_list.reference if code_list is not None and code_list.reference in names else None
    reference = raw.get("reference", default_reference)
    known = [g for g in names if g != UNKNOWN_GROUP]
    if reference is None or str(reference) not in known:
        raise ConfigError(f"{source}: '{where}.reference' must be one of its groups ({', '.join(known)}), "
                          f"not {reference!r}.")
    labels = _text_mapping(raw["labels"], f"'{where}.labels'", source, "{Disabled: Disabled staff}") \
        if "labels" in raw else {}
    stray = sorted(set(labels) - set(names))
    if stray:
        raise ConfigError(f"{source}: '{where}.labels' names {', '.join(map(repr, stray))}, not a group "
                          f"({', '.join(names)}).")
    special = raw.get("special_category", code_list.special_category if code_list is not None else None)
    if not isinstance(special, bool):
        raise ConfigError(f"{source}: '{where}.special_category' must be true or false"
                          + (" (a groups table has no default: say whether it is UK GDPR Art. 9 data)"
                             if special is None else f", not {special!r}") + ".")
    return Characteristic(name=name, column=column.strip(), code_list=code_list, groups=groups, grouping=grouping,
                          reference=str(reference), labels=labels, special_category=special)


def read_options(raw: Any, source: str) -> dict[str, Characteristic]:
    """``options.characteristics`` of a cohort file, checked by name: {name: :class:`Characteristic`}. Read by
    the analyses in a later step. ``None`` (absent) gives ``{}``."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{source}: 'options.characteristics' must be a mapping of characteristic names to "
                          f"settings ({', '.join(OPTION_KEYS)}), not {raw!r}"[:300] + ".")
    out = {str(name): _read_one(str(name), settings, source) for name, settings in raw.items()}
    columns = [c.column for c in out.values()]
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise ConfigError(f"{source}: options.characteristics: column(s) {', '.join(map(repr, twice))} named by "
                          "more than one characteristic.")
    return out
