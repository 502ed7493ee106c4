"""Cohort configuration: one YAML file per cohort, loaded and validated.

A cohort file (``cohorts/<cohort>.yml``) names the programme, its dates and
plan, where every input lives and the analysis options. Relative paths are
resolved against ``root``, which is itself relative to the configuration
file (default ``..``: the project folder when the file sits in ``cohorts/``).

Example
-------
.. code-block:: yaml

    cohort: demo
    title: Reciprocal Mentoring Programme 2024-25
    institution: University of Anytown
    programme_type: reciprocal        # reciprocal | reverse
    start_date: 2024-10-01
    end_date: 2025-03-31
    planned_meetings: 6
    root: ..
    inputs:
      participants: data/demo/participants.csv
      pairs: data/demo/pairs.csv
      meetings: data/demo/meetings.csv
      students: data/demo/students.csv
      staff: data/demo/staff.csv
      recruitment: data/demo/recruitment.csv
      surveys: {pre: surveys/demo/pre.csv, post: surveys/demo/post.csv}
      interviews: interviews/demo/raw
    outputs:
      anonymised: interviews/demo/anonymised
      reports: reports/demo
      keys: keys/demo
    options:
      reference_group: White
      ethnicity_grouping: ofs_group
      aggregate_group: BAME
      disclosure: {style: hesa, round_to: 5, min_percentage_denominator: 22.5, max_mean_suppressed_n: 7,
                   audience: public, min_cell_size: 5}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .characteristics import STRICTER_DEFAULTS, read_intersections, read_options, read_stricter, with_characteristics
from .codes import DEFAULT_GOOD_HONOURS, EthnicityMap, load_ethnicity_map
from .errors import ConfigError
from .config_options import _check_attainment, _check_identifiers, _check_surveys, _check_trends  # noqa: F401
from .io.text import input_encodings

__all__ = ["CohortConfig", "DisclosureRules", "load_cohort", "find_cohort_file", "list_cohorts", "read_yaml", "load_yaml_text"]

PROGRAMME_TYPES = ("reciprocal", "reverse")
#: Who a report is for (``options.disclosure.audience``): the disclosure rules differ per kind of table.
AUDIENCES = ("public", "internal")
TABLE_INPUTS = ("participants", "pairs", "meetings", "sessions", "students", "staff", "recruitment")
DEFAULT_GRADE_SCALE = [str(g) for g in range(1, 11)] + ["Professor", "Director", "Executive"]
#: Settings under ``options:`` read after loading (the rest are taken out while loading, see _POPPED_OPTIONS).
KNOWN_OPTIONS = frozenset({
    "reference_group", "ethnicity_grouping", "aggregate_group", "identifiers", "anonymise", "withdrawn",
    "codebook", "survey_instruments", "survey_instruments_used", "trends", "attainment", "surveys",
})
_POPPED_OPTIONS = frozenset({"disclosure", "ethnicity_map", "grade_scale", "good_honours", "characteristics",
                             "intersections", "focus"})
#: Largest configuration file read: a cohort file is a few kilobytes.
MAX_YAML_BYTES = 1_000_000
#: Most YAML nodes a configuration may expand to once aliases are followed (a "billion laughs" bomb
#: is a few lines that expand to billions; a real cohort file has a few hundred).
MAX_YAML_NODES = 100_000


# --------------------------------------------------------------------------- safe YAML


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (naming both lines) instead of keeping the last one."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    if key in seen:
                        raise _DuplicateKey(key, seen[key], key_node.start_mark.line + 1)
                    seen[key] = key_node.start_mark.line + 1
                except TypeError:  # an unhashable key: SafeConstructor says so with its own message
                    continue
        return super().construct_mapping(node, deep=deep)


    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:  # 2024-02-30 looks like a date but is none
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a real date ({exc}); write it as 2024-10-01", node.start_mark
            ) from None


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)


class _DuplicateKey(Exception):
    def __init__(self, key, first: int, second: int):
        self.key, self.first, self.second = key, first, second


def _expanded_size(node, limit: int) -> int:
    """Number of nodes ``node`` stands for once every alias is expanded (stops counting past ``limit``)."""
    memo: dict[int, int] = {}

    def size(n) -> int:
        if id(n) in memo:
            return memo[id(n)]
        memo[id(n)] = 1  # a recursive structure counts once per visit (PyYAML builds it without expanding)
        total = 1
        if isinstance(n, yaml.SequenceNode):
            for child in n.value:
                total += size(child)
                if total > limit:
                    break
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                total += size(k) + size(v)
                if total > limit:
                    break
        memo[id(n)] = total
        return total

    return size(node)


def load_yaml_text(text: str, source: str, *, max_nodes: int = MAX_YAML_NODES):
    """Parse YAML safely: no Python tags, duplicate keys an error, alias expansion bounded.

    Raises :class:`ConfigError` naming ``source`` and the line for every mistake.
    """
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, max_nodes) > max_nodes:
            raise ConfigError(
                f"{source}: the YAML expands to more than {max_nodes:,} values once its aliases (*name) are followed; "
                "a configuration file needs no such structure (this is what a 'billion laughs' file does). Write the "
                "settings out without nested aliases."
            )
        return loader.construct_document(node)
    except _DuplicateKey as dup:
        raise ConfigError(
            f"{source}: setting '{dup.key}' is given twice (line {dup.first} and line {dup.second}); "
            "YAML would silently keep the last one. Delete one of them."
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{source}: not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. start_date: 2024-02-30 (a timestamp that is no date)
        raise ConfigError(f"{source}: a value cannot be read ({exc}). Check the dates (2024-10-01) and numbers.") from None
    finally:
        loader.dispose()


def read_yaml(path: str | Path, *, max_bytes: int | None = None, max_nodes: int = MAX_YAML_NODES):
    """Read a YAML configuration file (size-limited, decoded as every user file is, see :mod:`rmresearch.io.text`;
    parsed by :func:`load_yaml_text`)."""
    from .io.text import read_text

    path = Path(path)
    limit = MAX_YAML_BYTES if max_bytes is None else max_bytes
    text = read_text(path, limit=limit, what="a configuration file", error=ConfigError, allow_empty=True)
    return load_yaml_text(text, str(path), max_nodes=max_nodes)


@dataclass(frozen=True)
class DisclosureRules:
    """Thresholds for small-number disclosure control (HESA defaults).

    ``style`` is ``"hesa"`` (round counts to ``round_to``, suppress with ``..``)
    or ``"ofs"`` (OfS codes ``[low]``, ``[DPL]``, ``[DPH]``, ``[none]``).
    ``audience`` is who reads the report: ``"public"`` (the default: HESA rounding and
    suppression of people by characteristic) or ``"internal"`` (a steering group under
    confidentiality: exact counts with cells of 1 to ``min_cell_size - 1`` people suppressed).
    ``min_cell_size`` is the fewest people a shown cell, a qualitative table's base group or a
    framework-matrix attribute combination may describe (see :func:`rmresearch.disclosure.disclose`).
    """

    style: str = "hesa"
    round_to: int = 5
    min_percentage_denominator: float = 22.5
    max_mean_suppressed_n: int = 7
    ofs_min_denominator: int = 23
    ofs_max_numerator_suppressed: int = 2
    suppressed_marker: str = ".."
    audience: str = "public"
    min_cell_size: int = 5
    #: Stricter thresholds ((name, value) pairs) for special-category characteristics and for intersections.
    special_category: tuple = tuple(STRICTER_DEFAULTS["special_category"].items())
    intersection: tuple = tuple(STRICTER_DEFAULTS["intersection"].items())

    def for_characteristic(self, characteristic) -> "DisclosureRules":
        """The rules for a table or figure by ``characteristic``: these rules when it is not special-category data,
        else each threshold the larger of this rule and ``special_category``'s, and for an intersection also
        ``intersection``'s. ``None`` (a table by role) gives these rules.

        >>> from rmresearch.characteristics import read_options, intersect
        >>> chars = read_options({"disability": {"column": "d", "code_list": "disability"},
        ...                       "sex": {"column": "sex", "code_list": "sex"}}, "c.yml")
        >>> rules = DisclosureRules()
        >>> [(r.min_percentage_denominator, r.min_cell_size) for r in (rules.for_characteristic(chars["sex"]),
        ...  rules.for_characteristic(chars["disability"]), rules.for_characteristic(intersect(*chars.values())))]
        [(22.5, 5), (30, 7), (45, 10)]
        """
        if characteristic is None:
            return self
        stricter = dict(self.special_category) if characteristic.special_category else {}
        if characteristic.is_intersection:
            for key, value in self.intersection:
                stricter[key] = max(value, stricter.get(key, value))
        changes = {k: max(getattr(self, k), v) for k, v in stricter.items()}
        return dataclasses.replace(self, **changes) if changes else self

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise ConfigError(f"disclosure audience must be one of {', '.join(map(repr, AUDIENCES))} "
                              f"(options.disclosure.audience in the cohort file), not {self.audience!r}.")

    @classmethod
    def from_mapping(cls, data: dict | None, source: str) -> "DisclosureRules":
        data = dict(data or {})
        for kind in ("special_category", "intersection"):
            data[kind] = read_stricter(data.get(kind), kind, source)
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ConfigError(
                f"{source}: unknown disclosure option(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(known))}"
            )
        if "audience" in data and data["audience"] not in AUDIENCES:
            raise ConfigError(f"{source}: options.disclosure.audience must be one of {', '.join(map(repr, AUDIENCES))} "
                              f"(public: HESA rounding for anything published; internal: exact small counts for a "
                              f"steering group under confidentiality), not {data['audience']!r}.")
        whole = ("round_to", "max_mean_suppressed_n", "ofs_min_denominator", "ofs_max_numerator_suppressed",
                 "min_cell_size")
        for name, value in data.items():
            if name in ("special_category", "intersection"):
                continue
            kind = cls.__dataclass_fields__[name].type
            if name in whole and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ConfigError(f"{source}: options.disclosure.{name} must be a whole number (0 or more), not {value!r}.")
            if name == "min_percentage_denominator" and (isinstance(value, bool) or not isinstance(value, (int, float))
                                                         or not value >= 0 or value == float("inf")):
                raise ConfigError(f"{source}: options.disclosure.{name} must be a number (0 or more, e.g. 22.5), not {value!r}.")
            if kind == "str" and (not isinstance(value, str) or not value.strip()):
                raise ConfigError(f"{source}: options.disclosure.{name} must be text, not {value!r}.")
        rules = cls(**data)
        if rules.style not in ("hesa", "ofs"):
            raise ConfigError(f"{source}: disclosure style must be 'hesa' or 'ofs', not {rules.style!r}")
        if not isinstance(rules.round_to, int) or rules.round_to < 1:
            raise ConfigError(f"{source}: disclosure round_to must be a whole number of at least 1")
        return rules


@dataclass(frozen=True)
class CohortConfig:
    """A validated cohort configuration with absolute paths."""

    cohort: str
    title: str
    institution: str
    programme_type: str
    start_date: dt.date
    end_date: dt.date
    planned_meetings: int
    path: Path
    root: Path
    inputs: dict[str, Any]
    outputs: dict[str, Path]
    reference_group: str = "White"
    ethnicity_grouping: str = "ofs_group"
    aggregate_group: str = "BAME"
    ethnicity_map_path: Path | None = None
    good_honours: tuple[str, ...] = DEFAULT_GOOD_HONOURS
    grade_scale: tuple[str, ...] = tuple(DEFAULT_GRADE_SCALE)
    disclosure: DisclosureRules = field(default_factory=DisclosureRules)
    options: dict[str, Any] = field(default_factory=dict)
    #: The characteristics studied ({name: characteristics.Characteristic}, in order): ``options.characteristics``,
    #: or ethnicity alone from the legacy options (``reference_group``...) when the file names none.
    characteristics: dict[str, Any] = field(default_factory=dict)
    #: ``options.intersections``: intersections of two characteristics (each a Characteristic).
    intersections: tuple = ()
    #: Whether the cohort file names its characteristics (else ethnicity from the legacy options).
    characteristics_declared: bool = False
    #: The characteristic the detailed analyses use (``options.focus``; the first characteristic by default).
    focus_name: str = ""
    #: The encoding named for an input's files (``inputs.<name>: {path: ..., encoding: cp1252}``): input -> codec.
    encodings: dict[str, str] = field(default_factory=dict)

    @property
    def focus(self):
        """The characteristic the detailed analyses (headline gap, pipeline, Cox models...) are about."""
        return self.characteristics[self.focus_name] if self.focus_name else next(iter(self.characteristics.values()))

    def input_path(self, name: str) -> Path:
        """Absolute path of a table input, with a clear error if not configured."""
        value = self.inputs.get(name)
        if value is None:
            raise ConfigError(f"{self.path}: no input '{name}' is configured under 'inputs:'.")
        return value

    def ethnicity_map(self) -> EthnicityMap:
        return load_ethnicity_map(self.ethnicity_map_path)

    def as_parameters(self) -> dict[str, Any]:
        """JSON-like summary (for papermill parameters and the reproducibility record)."""
        return {
            "cohort": self.cohort,
            "title": self.title,
            "institution": self.institution,
            "programme_type": self.programme_type,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "planned_meetings": self.planned_meetings,
            "config": str(self.path),
        }


def list_cohorts(cohorts_dir: str | Path = "cohorts") -> list[str]:
    d = Path(cohorts_dir)
    return sorted(p.stem for p in d.glob("*.yml")) if d.is_dir() else []


def find_cohort_file(cohort: str | Path, cohorts_dir: str | Path = "cohorts") -> Path:
    """``cohorts/<cohort>.yml``, or ``cohort`` itself when it is a path to a YAML file."""
    candidate = Path(cohort)
    if candidate.suffix in (".yml", ".yaml"):
        if candidate.is_file():
            return candidate.resolve()
        raise ConfigError(f"Cohort configuration file not found: {candidate}")
    for suffix in (".yml", ".yaml"):
        p = Path(cohorts_dir) / f"{cohort}{suffix}"
        if p.is_file():
            return p.resolve()
    known = list_cohorts(cohorts_dir)
    hint = f"Known cohorts in {cohorts_dir}/: {', '.join(known)}." if known else (
        f"There are no cohort files in {Path(cohorts_dir).resolve()}/. "
        "Run `rmresearch demo` to create the demo cohort, or write cohorts/<cohort>.yml."
    )
    raise ConfigError(f"No cohort '{cohort}': expected {Path(cohorts_dir) / (str(cohort) + '.yml')}. {hint}")


def _date(value, key: str, source: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            parsed = dt.date.fromisoformat(value.strip()) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None:
            raise ConfigError(f"{source}: '{key}' must be a date like 2024-10-01, not {value!r}")
        value = parsed
    if not 1900 <= value.year <= 2100:
        raise ConfigError(f"{source}: '{key}' is {value}, not a date from 1900 to 2100; correct the year (2024-10-01).")
    return value


def _text(data: dict, key: str, source: str, default: str | None = None, *, where: str = "") -> str:
    """A setting that must be text (a number is accepted as its digits); a clear error otherwise."""
    value = data.get(key, default)
    if isinstance(value, bool) or value is None or not isinstance(value, (str, int, float)):
        found = "empty" if value is None else f"a {type(value).__name__} ({value!r})"[:120]
        raise ConfigError(f"{source}: '{where}{key}' must be text, but it is {found}. Write it as {key}: <text>.")
    return str(value)


def _text_list(value, key: str, source: str) -> tuple[str, ...]:
    """A setting that must be a list of text values, e.g. [First, "2:1"]."""
    if not isinstance(value, (list, tuple)) or not value or any(
        isinstance(v, (bool, dict, list)) or v is None for v in value
    ):
        raise ConfigError(f"{source}: 'options.{key}' must be a non-empty list like [First, \"2:1\"], not {value!r}"[:300] + ".")
    return tuple(str(v) for v in value)


_KNOWN_KEYS = frozenset({
    "cohort", "title", "institution", "programme_type", "start_date", "end_date",
    "planned_meetings", "root", "inputs", "outputs", "options", "description",
})
_INPUTS = frozenset(TABLE_INPUTS) | {"surveys", "interviews", "codings", "actions", "interview_manifest"}
_OUTPUTS = ("anonymised", "reports", "keys")


def load_cohort(
    cohort: str | Path,
    *,
    cohorts_dir: str | Path = "cohorts",
    check_files: bool = True,
) -> CohortConfig:
    """Load and validate a cohort configuration.

    Parameters
    ----------
    cohort
        A cohort ID (looked up as ``<cohorts_dir>/<cohort>.yml``) or a path to a YAML file.
    check_files
        Also check that every configured input exists (an error names each missing one).
    """
    path = find_cohort_file(cohort, cohorts_dir)
    source = str(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of settings (cohort:, title:, inputs: ...), found {type(data).__name__}.")
    cohort_id, programme_type, start, end, planned = _read_settings(data, source)
    root = (path.parent / str(data.get("root", ".."))).resolve()
    resolve = _resolver(root, source)
    encodings = input_encodings(data["inputs"], ENCODED_INPUTS, source)
    inputs = _read_inputs(data["inputs"], resolve, source)
    outputs = _read_outputs(data.get("outputs") or {}, cohort_id, resolve, source)
    options = _read_options(data.get("options") or {}, resolve, source)
    config = CohortConfig(
        cohort=cohort_id, title=str(data.get("title", f"Cohort {cohort_id}")),  # checked to be text above
        institution=str(data.get("institution", "")), programme_type=programme_type, start_date=start, end_date=end,
        planned_meetings=planned, path=path, root=root, inputs=inputs, outputs=outputs,
        reference_group=str(options.pop("reference_group", "White")),
        ethnicity_grouping=str(options.pop("ethnicity_grouping", "ofs_group")),
        aggregate_group=str(options.pop("aggregate_group", "BAME")), **options.pop("_loaded"), options=options,
        encodings=encodings,
    )
    config = with_characteristics(config, source)
    emap = config.ethnicity_map()
    if config.ethnicity_grouping not in emap.table.columns:
        emap.group(emap.table["code"].head(0), config.ethnicity_grouping)  # raises with the choices
    if check_files:
        _check_inputs_exist(inputs, root, source)
    from .guard import check_layout

    check_layout(config)  # outputs never inside inputs or each other (keys not in reports/, review not in anonymised/...)
    return config


def _read_settings(data: dict, source: str) -> tuple[str, str, dt.date, dt.date, int]:
    """The top-level settings checked: cohort ID, programme type, dates and planned meetings."""
    unknown = set(data) - _KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_KNOWN_KEYS))}")
    for key in ("cohort", "programme_type", "start_date", "end_date", "inputs"):
        if key not in data:
            raise ConfigError(f"{source}: required setting '{key}' is missing.")
    for key in ("cohort", "title", "institution", "description", "programme_type", "root"):
        if key in data or key in ("cohort", "programme_type"):
            _text(data, key, source)
    cohort_id = str(data["cohort"])
    if not cohort_id.replace("-", "").replace("_", "").isalnum():
        raise ConfigError(f"{source}: cohort ID {cohort_id!r} may use only letters, digits, '-' and '_'.")
    programme_type = str(data["programme_type"]).lower()
    if programme_type not in PROGRAMME_TYPES:
        raise ConfigError(f"{source}: programme_type must be one of {', '.join(PROGRAMME_TYPES)}, not {data['programme_type']!r}.")
    start = _date(data["start_date"], "start_date", source)
    end = _date(data["end_date"], "end_date", source)
    if end < start:
        raise ConfigError(f"{source}: end_date {end} is before start_date {start}.")
    planned = data.get("planned_meetings", 6)
    if isinstance(planned, bool) or not isinstance(planned, int) or not 1 <= planned <= 100:
        raise ConfigError(f"{source}: planned_meetings must be a whole number from 1 to 100, not {planned!r}.")
    return cohort_id, programme_type, start, end, planned


def _resolver(root: Path, source: str):
    """A function turning a configured path (relative to ``root``) into a path, refusing values that are no path."""

    def resolve(value, where: str = "path") -> Path:
        if isinstance(value, bool) or not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{source}: '{where}' must be a file or folder path (text), not {value!r}"[:300] + ".")
        p = Path(value).expanduser()
        return p if p.is_absolute() else (root / p)

    return resolve


def _read_inputs(raw_inputs, resolve, source: str) -> dict[str, Any]:
    if not isinstance(raw_inputs, dict):
        raise ConfigError(f"{source}: 'inputs' must be a mapping of input name to path.")
    unknown_inputs = set(raw_inputs) - _INPUTS
    if unknown_inputs:
        raise ConfigError(f"{source}: unknown input(s) {', '.join(sorted(unknown_inputs))}; known: {', '.join(sorted(_INPUTS))}")
    inputs: dict[str, Any] = {}
    for name, value in raw_inputs.items():
        if value is None:
            continue
        if name == "surveys":
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: 'inputs.surveys' must map a wave (pre, post) to a file.")
            odd = [str(w) for w in value if str(w) not in ("pre", "mid", "post")]
            if odd:
                raise ConfigError(f"{source}: 'inputs.surveys' has wave(s) {', '.join(map(repr, odd))}; waves are pre, mid and post.")
            inputs[name] = {str(w): resolve(v, f"inputs.surveys.{w}") for w, v in value.items() if v is not None}
        else:  # a path, or {path: ..., encoding: ...} (checked by io.text.input_encodings)
            inputs[name] = resolve(value["path"] if isinstance(value, dict) else value, f"inputs.{name}")
    if "participants" not in inputs:
        raise ConfigError(f"{source}: 'inputs.participants' is required: every analysis starts from the participants table.")
    return inputs


#: Inputs whose files may name their encoding, written ``inputs.<name>: {path: ..., encoding: cp1252}``: the folder
#: of transcripts (text, .vtt, .srt), the tables and the interview manifest (CSV; an .xlsx workbook or .docx
#: transcript carries its own).
ENCODED_INPUTS = ("interviews",) + TABLE_INPUTS + ("interview_manifest",)


def _read_outputs(outputs_raw, cohort_id: str, resolve, source: str) -> dict[str, Path]:
    if not isinstance(outputs_raw, dict):
        raise ConfigError(f"{source}: 'outputs' must be a mapping (anonymised:, reports:, keys: folder paths), not {outputs_raw!r}"[:300] + ".")
    defaults = {"anonymised": f"interviews/{cohort_id}/anonymised", "reports": f"reports/{cohort_id}", "keys": f"keys/{cohort_id}"}
    outputs = {name: resolve(outputs_raw.get(name, defaults[name]), f"outputs.{name}") for name in _OUTPUTS}
    extra_outputs = set(outputs_raw) - set(outputs)
    if extra_outputs:
        raise ConfigError(f"{source}: unknown output(s) {', '.join(sorted(extra_outputs))}; known: {', '.join(_OUTPUTS)}")
    return outputs


def _read_options(options, resolve, source: str) -> dict[str, Any]:
    """The ``options:`` mapping checked; the settings that become fields of :class:`CohortConfig` are taken out
    and returned under the key ``"_loaded"``."""
    if not isinstance(options, dict):
        raise ConfigError(f"{source}: 'options' must be a mapping of option names to values, not {options!r}"[:300] + ".")
    options = dict(options)
    disclosure_raw = options.pop("disclosure", None)
    if disclosure_raw is not None and not isinstance(disclosure_raw, dict):
        raise ConfigError(f"{source}: 'options.disclosure' must be a mapping like {{style: hesa, round_to: 5}}, not {disclosure_raw!r}.")
    emap_path = options.pop("ethnicity_map", None)
    loaded = {
        "disclosure": DisclosureRules.from_mapping(disclosure_raw, source),
        "ethnicity_map_path": resolve(emap_path, "options.ethnicity_map") if emap_path is not None else None,
        "grade_scale": _grade_scale(options.pop("grade_scale", DEFAULT_GRADE_SCALE), source),
        "good_honours": _good_honours(options.pop("good_honours", DEFAULT_GOOD_HONOURS), source),
        "characteristics": read_options(options.pop("characteristics", None), source),
    }
    loaded["intersections"] = read_intersections(options.pop("intersections", None), loaded["characteristics"], source)
    focus = options.pop("focus", None)
    if focus is not None and (not isinstance(focus, str) or not focus.strip()):
        raise ConfigError(f"{source}: options.focus must name one of options.characteristics, not {focus!r}.")
    loaded["focus_name"] = (focus or "").strip()
    _refuse_unknown_options(options, source)
    for key in ("reference_group", "ethnicity_grouping", "aggregate_group"):
        if key in options:
            _text(options, key, source, where="options.")
    for key in ("identifiers", "anonymise"):
        if options.get(key) is not None and not isinstance(options[key], dict):
            raise ConfigError(f"{source}: 'options.{key}' must be a mapping (name: value lines indented below it), "
                              f"not {options[key]!r}"[:300] + ".")
    _check_identifiers(options.get("identifiers") or {}, source)
    _check_trends(options.get("trends"), source)
    _check_surveys(options.get("surveys"), source)
    _check_attainment(options.get("attainment"), source)
    options["_loaded"] = loaded
    return options


def _grade_scale(value, source: str) -> tuple[str, ...]:
    grade_scale = _text_list(value, "grade_scale", source)
    twice = sorted({g for g in grade_scale if [h.strip().lower() for h in grade_scale].count(g.strip().lower()) > 1})
    if twice:
        raise ConfigError(f"{source}: 'options.grade_scale' lists {', '.join(map(repr, twice))} more than once; "
                          "list each grade once, lowest first.")
    return grade_scale


def _good_honours(value, source: str) -> tuple[str, ...]:
    from .codes import normalise_degree_class

    good_honours = _text_list(value, "good_honours", source)
    unknown_classes = [g for g in good_honours if normalise_degree_class(g) is None]
    if unknown_classes:
        raise ConfigError(f"{source}: 'options.good_honours' holds {', '.join(map(repr, unknown_classes))}, not a degree class "
                          "(First, 2:1, 2:2, Third, Pass, Unclassified).")
    return tuple(dict.fromkeys(normalise_degree_class(g) for g in good_honours))  # "1st" counts as First


def _refuse_unknown_options(options: dict, source: str) -> None:
    """A misspelt option would otherwise be ignored: name it, with the closest known one."""
    unknown_options = sorted(set(options) - KNOWN_OPTIONS)
    if not unknown_options:
        return
    import difflib

    hints = []
    for key in unknown_options:
        close = difflib.get_close_matches(str(key), sorted(KNOWN_OPTIONS | _POPPED_OPTIONS), n=1)
        hints.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    raise ConfigError(
        f"{source}: unknown option(s) under 'options:': {', '.join(hints)}; known: "
        f"{', '.join(sorted(KNOWN_OPTIONS | _POPPED_OPTIONS))}. A misspelt option would otherwise be ignored."
    )


def _check_inputs_exist(inputs: dict[str, Any], root: Path, source: str) -> None:
    missing = []
    for name, value in inputs.items():
        paths = value.values() if isinstance(value, dict) else [value]
        for p in paths:
            if not Path(p).exists():
                missing.append(f"  - inputs.{name}: {p}")
    if missing:
        raise ConfigError(
            f"{source}: configured input(s) not found:\n" + "\n".join(missing)
            + "\nCorrect the paths (relative paths start from " + str(root) + ") or remove the entries."
        )


def instrument_folder(config) -> Path:
    """The folder of a project's own survey instruments: ``options.survey_instruments`` (relative to the project)
    or ``<root>/surveys/instruments``. Any object with ``options`` and ``root`` will do. It lives here, not in
    :mod:`rmresearch.surveys`, so that the output guard of every command can ask it without importing scipy."""
    custom = (config.options or {}).get("survey_instruments")
    if custom:
        path = Path(str(custom))
        return path if path.is_absolute() else Path(config.root) / path
    return Path(config.root) / "surveys" / "instruments"
