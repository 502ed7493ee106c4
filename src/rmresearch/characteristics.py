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

__all__ = ["CodeList", "Characteristic", "BUILT_IN", "OPTION_KEYS", "PERSON_TABLES", "STRICTER_DEFAULTS", "load",
           "read_options", "read_intersections", "intersect", "legacy_ethnicity", "role_label", "role_labels",
           "read_stricter", "with_characteristics", "UNKNOWN_GROUP"]

#: The built-in code lists, one data file each.
BUILT_IN = ("ethnicity", "sex", "gender_identity", "disability", "sexual_orientation", "religion", "caring",
            "working_pattern")
#: The settings of one characteristic under ``options.characteristics``.
OPTION_KEYS = ("column", "code_list", "groups", "grouping", "reference", "aggregate", "labels", "special_category",
               "tables", "title")
#: Stricter disclosure thresholds for tables by a special-category characteristic (UK GDPR Art. 9: ethnicity,
#: disability, sexual orientation, religion...) and by an intersection of two characteristics, unless the cohort file
#: sets its own (``options.disclosure.special_category`` / ``options.disclosure.intersection``). Each threshold used
#: is the larger of the base rule and this one.
STRICTER_DEFAULTS = {"special_category": {"min_percentage_denominator": 30, "min_cell_size": 7},
                     "intersection": {"min_percentage_denominator": 45, "min_cell_size": 10}}
_STRICTER_KEYS = ("round_to", "min_percentage_denominator", "max_mean_suppressed_n", "ofs_min_denominator",
                  "ofs_max_numerator_suppressed", "min_cell_size")
#: The tables that may carry a characteristic's column (``tables:``; all three unless the cohort file says).
PERSON_TABLES = ("participants", "staff", "students")
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
    aggregate: str = ""  # label of the default grouping's non-reference groups collapsed ("BAME"); "" if one group
    phrases: dict[str, str] = field(default_factory=dict)  # group -> "{unit} with no known disability"

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
                    default_grouping=default_grouping, aliases=aliases, source=source,
                    aggregate=str(data.get("aggregate") or ""),
                    phrases={str(g): str(p) for g, p in (data.get("phrases") or {}).items()})


@dataclass(frozen=True)
class Characteristic:
    """One characteristic a cohort studies (an entry of ``options.characteristics``, checked), or the intersection
    of two (:func:`intersect`).

    ``code_list`` is a built-in :class:`CodeList` (then ``grouping`` names one of its groupings) or ``None`` when
    the cohort file gives its own ``groups`` table {value: group}. ``reference`` is the group others are compared
    with and ``aggregate`` the label of every other known group collapsed (``BAME``, ``Disabled``); ``labels``
    {group: display label}; ``special_category`` follows the code list unless the file says; ``tables`` the input
    tables that carry ``column``. Loaded tables carry ``group_column`` (the group of each row, :data:`UNKNOWN_GROUP`
    for not known, refused or blank) and ``aggregate_column`` (reference, aggregate or Unknown).
    """

    name: str
    column: str
    code_list: CodeList | None
    groups: dict[str, str]
    grouping: str | None
    reference: str
    labels: dict[str, str]
    special_category: bool
    aggregate: str = ""
    tables: tuple[str, ...] = PERSON_TABLES
    title: str = ""
    parts: tuple["Characteristic", ...] = ()

    @property
    def group_column(self) -> str:
        """The column of groups: ``disability_group`` (an intersection's own name: ``disability_by_sex``)."""
        return self.name if self.parts else f"{self.name}_group"

    @property
    def aggregate_column(self) -> str:
        """The column of reference / aggregate / Unknown (an intersection is already coarse: its group column)."""
        return self.name if self.parts else f"{self.name}_aggregate"

    @property
    def is_intersection(self) -> bool:
        return bool(self.parts)

    def people(self, group: str, unit: str = "people") -> str:
        """A phrase for report text: the cohort file's label and the unit (``'women staff'``), else the code list's
        phrase for the group (``'students with no known disability'``, ``'disabled staff'``), else the group and the unit
        (``'Male students'``); Unknown reads ``'staff whose disability is not known'``. An intersection's group
        label joins its parts' labels: ``'Disabled, women staff'``.

        >>> sex = read_options({"sex": {"column": "sex", "code_list": "sex", "labels": {"Female": "women"}}}, "c")
        >>> sex["sex"].people("Female", "staff"), sex["sex"].people("Male", "students")
        ('women staff', 'Male students')
        >>> dis = read_options({"disability": {"column": "d", "code_list": "disability"}}, "c")["disability"]
        >>> dis.people("No known disability", "students"), dis.people("Disabled", "staff"), dis.people("Unknown", "staff")
        ('students with no known disability', 'disabled staff', 'staff whose disability is not known')
        """
        phrases = self.code_list.phrases if self.code_list is not None else {}
        if group not in self.labels and group in phrases:
            return phrases[group].format(unit=unit).strip()
        if group == UNKNOWN_GROUP and not self.parts and group not in self.labels:
            return f"{unit} whose {(self.title or self.name).lower()} is not known"
        return f"{self.label(group)} {unit}".strip()

    def group_names(self) -> list[str]:
        """The groups, in order, :data:`UNKNOWN_GROUP` last."""
        if self.parts:
            a, b = self.parts
            known = [f"{x}, {y}" for x in (a.reference, a.aggregate) for y in (b.reference, b.aggregate)]
            return known + [UNKNOWN_GROUP]
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
    special = raw.get("special_category", code_list.special_category if code_list is not None else None)
    if not isinstance(special, bool):
        raise ConfigError(f"{source}: '{where}.special_category' must be true or false"
                          + (" (a groups table has no default: say whether it is UK GDPR Art. 9 data)"
                             if special is None else f", not {special!r}") + ".")
    others = [g for g in known if g != str(reference)]
    aggregate = _aggregate(raw, others, code_list, grouping, where, source)
    stray = sorted(set(labels) - set(names) - {aggregate})
    if stray:
        raise ConfigError(f"{source}: '{where}.labels' names {', '.join(map(repr, stray))}, not a group "
                          f"({', '.join(names + [aggregate])}).")
    title = raw.get("title", code_list.title if code_list is not None else name.replace("_", " ").capitalize())
    return Characteristic(name=name, column=column.strip(), code_list=code_list, groups=groups, grouping=grouping,
                          reference=str(reference), labels=labels, special_category=special, aggregate=aggregate,
                          tables=_tables(raw.get("tables"), where, source), title=str(title))


def _aggregate(raw: dict, others: list[str], code_list, grouping, where: str, source: str) -> str:
    """The label of every non-reference group collapsed: the file's ``aggregate``, else the one other group, else
    the code list's own label for its default grouping."""
    if "aggregate" in raw:
        value = raw["aggregate"]
        if not isinstance(value, str) or not value.strip() or value.strip() == UNKNOWN_GROUP:
            raise ConfigError(f"{source}: '{where}.aggregate' must be a label like 'Global majority', not {value!r}.")
        if value.strip() in others and len(others) > 1:
            raise ConfigError(f"{source}: '{where}.aggregate' {value!r} is one of several groups "
                              f"({', '.join(others)}); the aggregate stands for all of them: give it its own label.")
        return value.strip()
    if len(others) == 1:
        return others[0]
    if code_list is not None and grouping == code_list.default_grouping and code_list.aggregate:
        return code_list.aggregate
    raise ConfigError(f"{source}: '{where}' has {len(others)} groups besides its reference ({', '.join(others)}): "
                      "give 'aggregate:' a label for them all together (e.g. aggregate: Global majority).")


def _tables(value, where: str, source: str) -> tuple[str, ...]:
    if value is None:
        return PERSON_TABLES
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or any(str(v) not in PERSON_TABLES for v in items):
        raise ConfigError(f"{source}: '{where}.tables' must list some of {', '.join(PERSON_TABLES)} "
                          f"(the tables that carry the column), not {value!r}.")
    return tuple(dict.fromkeys(str(v) for v in items))


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


def intersect(a: Characteristic, b: Characteristic) -> Characteristic:
    """The intersection of two characteristics, on their coarse (aggregate) groups: four groups
    ``'<a group>, <b group>'`` and Unknown; its reference is both references; special category if either part is;
    carried by the tables that carry both.

    >>> chars = read_options({"disability": {"column": "disability_code", "code_list": "disability"},
    ...                       "sex": {"column": "sex", "code_list": "sex", "labels": {"Female or other": "women"}}}, "c")
    >>> both = intersect(chars["disability"], chars["sex"])
    >>> both.name, both.reference, both.group_names()[1], both.label("Disabled, Female or other"), both.special_category
    ('disability_by_sex', 'No known disability, Male', 'No known disability, Female or other', 'Disabled, women', True)
    """
    labels = {f"{x}, {y}": f"{a.label(x)}, {b.label(y)}" for x in (a.reference, a.aggregate)
              for y in (b.reference, b.aggregate)}
    return Characteristic(
        name=f"{a.name}_by_{b.name}", column=f"{a.name}_by_{b.name}", code_list=None, groups={}, grouping=None,
        reference=f"{a.reference}, {b.reference}", labels=labels, special_category=a.special_category or b.special_category,
        aggregate="", tables=tuple(t for t in a.tables if t in b.tables), title=f"{a.title} and {b.title.lower()}",
        parts=(a, b))


def read_intersections(raw: Any, characteristics: dict[str, Characteristic], source: str) -> tuple[Characteristic, ...]:
    """``options.intersections`` (a list of pairs of characteristic names) checked: each part named under
    ``options.characteristics``, no pair twice."""
    if raw is None:
        return ()
    if not characteristics:
        raise ConfigError(f"{source}: options.intersections needs options.characteristics to name the "
                          "characteristics it pairs.")
    example = "[[ethnicity, sex], [disability, sex]]"
    if not isinstance(raw, list) or not all(isinstance(p, list) and len(p) == 2 for p in raw):
        raise ConfigError(f"{source}: 'options.intersections' must be a list of pairs of characteristic names like "
                          f"{example}, not {raw!r}"[:300] + ".")
    out, seen = [], set()
    for pair in raw:
        names = [str(n) for n in pair]
        missing = [n for n in names if n not in characteristics]
        if missing:
            raise ConfigError(f"{source}: options.intersections names {missing[0]!r}, which is not under "
                              f"options.characteristics ({', '.join(characteristics)}).")
        if names[0] == names[1] or frozenset(names) in seen:
            raise ConfigError(f"{source}: options.intersections: {names} is repeated or pairs a characteristic "
                              "with itself.")
        seen.add(frozenset(names))
        out.append(intersect(characteristics[names[0]], characteristics[names[1]]))
    return tuple(out)


def legacy_ethnicity(reference: str, grouping: str, aggregate: str) -> Characteristic:
    """The one characteristic of a cohort file without ``options.characteristics``: ethnicity from
    ``ethnicity_code``, grouped by ``options.ethnicity_grouping``, compared with ``options.reference_group``, its
    other groups collapsed as ``options.aggregate_group`` (as every cohort was read before characteristics)."""
    code_list = load("ethnicity")
    return Characteristic(name="ethnicity", column="ethnicity_code", code_list=code_list, groups={},
                          grouping=grouping if grouping in code_list.groups else code_list.default_grouping,
                          reference=reference, labels={}, special_category=True, aggregate=aggregate,
                          title=code_list.title)


#: Role words in a reciprocal scheme (``programme_type: reciprocal``) and in a reverse one, where the junior
#: partner mentors the senior colleague.
_ROLE_WORDS = {
    "reciprocal": {"senior_leader": "senior leader", "staff_partner": "staff partner",
                   "student_partner": "student partner", "community_partner": "community partner"},
    "reverse": {"senior_leader": "reverse mentee", "staff_partner": "reverse mentor",
                "student_partner": "reverse mentor", "community_partner": "reverse mentor"},
}
_PLURAL = {"senior_leader": "senior leaders", "staff_partner": "staff partners", "student_partner": "student partners",
           "community_partner": "community partners", "partner": "partners"}


def role_label(config, role: str, *, plural: bool = False) -> str:
    """The words for a role in this cohort's kind of scheme, lower case: 'senior leader' / 'staff partner' in a
    reciprocal scheme; in a reverse one the senior colleague is the 'reverse mentee' and the junior partner the
    'reverse mentor'. ``role`` 'partner' stands for any partner role. ``config`` is a CohortConfig or a
    programme type.

    >>> role_label("reverse", "senior_leader"), role_label("reverse", "staff_partner", plural=True)
    ('reverse mentee', 'reverse mentors')
    >>> role_label("reciprocal", "partner", plural=True), role_label("reciprocal", "community_partner")
    ('partners', 'community partner')
    """
    kind = config if isinstance(config, str) else getattr(config, "programme_type", "reciprocal")
    words = _ROLE_WORDS.get(kind, _ROLE_WORDS["reciprocal"])
    if role == "partner":
        word = "reverse mentor" if kind == "reverse" else "partner"
    else:
        word = words.get(role, str(role).replace("_", " "))
    if not plural:
        return word
    return word + "s" if kind == "reverse" or role not in _PLURAL else _PLURAL[role]


def role_labels(config, *, plural: bool = False) -> dict[str, str]:
    """{role code: capitalised words} for table cells and legends (``'Reverse mentor'``), 'partner' included.

    >>> role_labels("reverse")["senior_leader"], role_labels("reciprocal", plural=True)["partner"]
    ('Reverse mentee', 'Partners')
    """
    roles = list(_ROLE_WORDS["reciprocal"]) + ["partner"]
    return {r: (lambda w: w[:1].upper() + w[1:])(role_label(config, r, plural=plural)) for r in roles}


def read_stricter(raw, kind: str, source: str) -> tuple:
    """``options.disclosure.<kind>`` (special_category or intersection) checked: thresholds over the defaults."""
    if raw is None:
        return tuple(STRICTER_DEFAULTS[kind].items())
    if not isinstance(raw, dict) or set(map(str, raw)) - set(_STRICTER_KEYS):
        raise ConfigError(f"{source}: options.disclosure.{kind} must be a mapping of thresholds (some of "
                          f"{', '.join(_STRICTER_KEYS)}), like {STRICTER_DEFAULTS[kind]}, not {raw!r}"[:300] + ".")
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < float("inf") or (
                key != "min_percentage_denominator" and not isinstance(value, int)):
            raise ConfigError(f"{source}: options.disclosure.{kind}.{key} must be a whole number (0 or more)"
                              f"{' or a number like 30' if key == 'min_percentage_denominator' else ''}, "
                              f"not {value!r}.")
    return tuple({**STRICTER_DEFAULTS[kind], **{str(k): v for k, v in raw.items()}}.items())


def with_characteristics(config, source: str):
    """The legacy ethnicity characteristic when the file names none; ``options.focus`` checked."""
    import dataclasses

    if config.characteristics:
        config = dataclasses.replace(config, characteristics_declared=True)
    else:
        ethnicity = legacy_ethnicity(config.reference_group, config.ethnicity_grouping, config.aggregate_group)
        config = dataclasses.replace(config, characteristics={"ethnicity": ethnicity})
    if config.focus_name and config.focus_name not in config.characteristics:
        raise ConfigError(f"{source}: options.focus is {config.focus_name!r}, not a characteristic the cohort names "
                          f"({', '.join(config.characteristics)}).")
    return config
