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
      disclosure: {style: hesa, round_to: 5, min_percentage_denominator: 22.5, max_mean_suppressed_n: 7}
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .codes import DEFAULT_GOOD_HONOURS, EthnicityMap, load_ethnicity_map
from .errors import ConfigError

__all__ = ["CohortConfig", "DisclosureRules", "load_cohort", "find_cohort_file", "list_cohorts"]

PROGRAMME_TYPES = ("reciprocal", "reverse")
TABLE_INPUTS = ("participants", "pairs", "meetings", "sessions", "students", "staff", "recruitment")
DEFAULT_GRADE_SCALE = [str(g) for g in range(1, 11)] + ["Professor", "Director", "Executive"]


@dataclass(frozen=True)
class DisclosureRules:
    """Thresholds for small-number disclosure control (HESA defaults).

    ``style`` is ``"hesa"`` (round counts to ``round_to``, suppress with ``..``)
    or ``"ofs"`` (OfS codes ``[low]``, ``[DPL]``, ``[DPH]``, ``[none]``).
    """

    style: str = "hesa"
    round_to: int = 5
    min_percentage_denominator: float = 22.5
    max_mean_suppressed_n: int = 7
    ofs_min_denominator: int = 23
    ofs_max_numerator_suppressed: int = 2
    suppressed_marker: str = ".."

    @classmethod
    def from_mapping(cls, data: dict | None, source: str) -> "DisclosureRules":
        data = dict(data or {})
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ConfigError(
                f"{source}: unknown disclosure option(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(known))}"
            )
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
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{source}: '{key}' must be a date like 2024-10-01, not {value!r}") from None


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
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{source}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{source}: not UTF-8 text; save it as UTF-8.") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of settings (cohort:, title:, inputs: ...), found {type(data).__name__}.")

    known_keys = {
        "cohort", "title", "institution", "programme_type", "start_date", "end_date",
        "planned_meetings", "root", "inputs", "outputs", "options", "description",
    }
    unknown = set(data) - known_keys
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known_keys))}")
    for key in ("cohort", "programme_type", "start_date", "end_date", "inputs"):
        if key not in data:
            raise ConfigError(f"{source}: required setting '{key}' is missing.")
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
    if not isinstance(planned, int) or planned < 1:
        raise ConfigError(f"{source}: planned_meetings must be a whole number of at least 1, not {planned!r}.")

    root = (path.parent / str(data.get("root", ".."))).resolve()

    def resolve(value):
        p = Path(str(value)).expanduser()
        return p if p.is_absolute() else (root / p)

    raw_inputs = data["inputs"]
    if not isinstance(raw_inputs, dict):
        raise ConfigError(f"{source}: 'inputs' must be a mapping of input name to path.")
    allowed_inputs = set(TABLE_INPUTS) | {"surveys", "interviews", "codings", "actions"}
    unknown_inputs = set(raw_inputs) - allowed_inputs
    if unknown_inputs:
        raise ConfigError(f"{source}: unknown input(s) {', '.join(sorted(unknown_inputs))}; known: {', '.join(sorted(allowed_inputs))}")
    inputs: dict[str, Any] = {}
    for name, value in raw_inputs.items():
        if value is None:
            continue
        if name == "surveys":
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: 'inputs.surveys' must map a wave (pre, post) to a file.")
            inputs[name] = {str(w): resolve(v) for w, v in value.items()}
        else:
            inputs[name] = resolve(value)
    if "participants" not in inputs:
        raise ConfigError(f"{source}: 'inputs.participants' is required: every analysis starts from the participants table.")

    outputs_raw = data.get("outputs") or {}
    outputs = {
        "anonymised": resolve(outputs_raw.get("anonymised", f"interviews/{cohort_id}/anonymised")),
        "reports": resolve(outputs_raw.get("reports", f"reports/{cohort_id}")),
        "keys": resolve(outputs_raw.get("keys", f"keys/{cohort_id}")),
    }
    extra_outputs = set(outputs_raw) - set(outputs)
    if extra_outputs:
        raise ConfigError(f"{source}: unknown output(s) {', '.join(sorted(extra_outputs))}; known: anonymised, reports, keys")

    options = dict(data.get("options") or {})
    disclosure = DisclosureRules.from_mapping(options.pop("disclosure", None), source)
    emap_path = options.pop("ethnicity_map", None)
    emap_path = resolve(emap_path) if emap_path else None
    grade_scale = tuple(str(g) for g in options.pop("grade_scale", DEFAULT_GRADE_SCALE))
    good_honours = tuple(str(g) for g in options.pop("good_honours", DEFAULT_GOOD_HONOURS))
    config = CohortConfig(
        cohort=cohort_id,
        title=str(data.get("title", f"Cohort {cohort_id}")),
        institution=str(data.get("institution", "")),
        programme_type=programme_type,
        start_date=start,
        end_date=end,
        planned_meetings=planned,
        path=path,
        root=root,
        inputs=inputs,
        outputs=outputs,
        reference_group=str(options.pop("reference_group", "White")),
        ethnicity_grouping=str(options.pop("ethnicity_grouping", "ofs_group")),
        aggregate_group=str(options.pop("aggregate_group", "BAME")),
        ethnicity_map_path=emap_path,
        good_honours=good_honours,
        grade_scale=grade_scale,
        disclosure=disclosure,
        options=options,
    )
    emap = config.ethnicity_map()
    if config.ethnicity_grouping not in emap.table.columns:
        emap.group(emap.table["code"].head(0), config.ethnicity_grouping)  # raises with the choices
    if check_files:
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
    from .guard import check_layout

    check_layout(config)  # outputs never inside inputs or each other (keys not in reports/, review not in anonymised/...)
    return config
