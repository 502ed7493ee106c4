"""Survey instruments, importers, scoring, reliability and pre/post change.

Instruments
-----------
An instrument is a YAML file holding one or more *scales* (Likert items with
their response options, reverse-keyed items, who answers, in which waves) and,
optionally, *open questions* (free text). The toolkit ships instruments for the
schemes' aims in ``rmresearch/data/instruments/`` (list them with
:func:`list_instruments`). To change one or add your own, write a YAML file in
the same shape in your project's ``surveys/instruments/`` folder (or any folder
you pass as ``folder=``): a file there with the same name as a shipped one
replaces it. A minimal instrument::

    instrument: belonging
    title: Sense of belonging
    scales:
      - scale: belonging
        title: Sense of belonging at the university
        answered_by: [staff_partner, student_partner]   # roles (rmresearch.codes.ROLES)
        waves: [pre, post]
        kirkpatrick: learning      # reaction | learning | behaviour | results
        min_items: 2               # fewest answered items for a score (default: half, rounded up)
        response_options: {1: Strongly disagree, 2: Disagree, 3: Neither agree nor disagree,
                           4: Agree, 5: Strongly agree}
        items:
          - {id: belonging_1, text: I feel I belong here.}
          - {id: belonging_2, text: I feel like an outsider here., reverse: true}
    open_questions:
      - {id: belonging_comment, text: Anything else about belonging?, waves: [post]}

Importers
---------
:func:`read_responses` reads Qualtrics CSV/TSV exports (three header rows;
TSV exports are UTF-16), Microsoft Forms ``.xlsx`` exports, SPSS ``.sav`` files
(value labels are used to translate codes) and plain CSV files with one column
per item. Export columns are matched to items by item id, then by question
text (Qualtrics' second header row, the Forms header, the SPSS variable label),
or by an explicit ``columns=`` mapping. Every problem is reported with the
file, row and column: unknown participants, answers out of range, text answers
matching no response option, columns that are not items of the instrument.

Open-text answers are returned apart from the scored items
(:attr:`SurveyImport.open_text`): they may name people and must be anonymised
before they are shown.

Statistics
----------
:func:`score` (reverse keying, mean of answered items, minimum-items rule),
:func:`cronbach_alpha` (with Feldt's confidence interval), :func:`reliability`,
:func:`paired_change` (paired t and Wilcoxon signed-rank with effect sizes),
:func:`change_by_group` (the same by role with a multiplicity correction) and
:func:`likert_counts` / :func:`plot_likert` (diverging stacked bars).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .codes import ROLES
from .errors import ConfigError, InputError, Problem, ValidationError

__all__ = [
    "KIRKPATRICK_LEVELS",
    "Item",
    "Scale",
    "OpenQuestion",
    "Instrument",
    "SurveyImport",
    "list_instruments",
    "load_instrument",
    "project_instrument_folder",
    "read_responses",
    "load_surveys",
    "score",
    "cronbach_alpha",
    "alpha_confidence_interval",
    "reliability",
    "paired_change",
    "change_by_group",
    "likert_counts",
    "plot_likert",
]

KIRKPATRICK_LEVELS = ("reaction", "learning", "behaviour", "results")
WAVES = ("pre", "mid", "post")
_SHIPPED = "data/instruments"


# --------------------------------------------------------------------------- instruments


@dataclass(frozen=True)
class Item:
    """One Likert item: its id (the column name in tidy responses), wording and keying."""

    id: str
    text: str
    reverse: bool = False


@dataclass(frozen=True)
class Scale:
    """A set of items scored together (the mean of the answered items after reverse keying)."""

    name: str
    title: str
    items: tuple[Item, ...]
    options: Mapping[int, str]
    answered_by: tuple[str, ...] = ROLES
    waves: tuple[str, ...] = ("pre", "post")
    kirkpatrick: str | None = None
    min_items: int | None = None
    description: str = ""

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    @property
    def reverse_items(self) -> list[str]:
        return [i.id for i in self.items if i.reverse]

    @property
    def low(self) -> int:
        return min(self.options)

    @property
    def high(self) -> int:
        return max(self.options)

    @property
    def minimum_answered(self) -> int:
        """Fewest answered items for a score: ``min_items`` or half the items, rounded up."""
        return self.min_items if self.min_items is not None else math.ceil(len(self.items) / 2)


@dataclass(frozen=True)
class OpenQuestion:
    """A free-text question. Its answers must be anonymised before they are shown."""

    id: str
    text: str
    answered_by: tuple[str, ...] = ROLES
    waves: tuple[str, ...] = ("pre", "post")


@dataclass(frozen=True)
class Instrument:
    """One or more scales (and open questions) asked together.

    Combine instruments with ``+`` (``a + b``) or :func:`load_instrument` with
    a list of names.
    """

    name: str
    title: str
    scales: tuple[Scale, ...]
    open_questions: tuple[OpenQuestion, ...] = ()
    source: str = ""

    def __post_init__(self):
        seen: dict[str, str] = {}
        for scale in self.scales:
            for item_id in scale.item_ids:
                if item_id in seen:
                    raise ConfigError(f"{self.source or self.name}: item id '{item_id}' is used twice (scales {seen[item_id]} and {scale.name}); item ids must be unique.")
                seen[item_id] = scale.name
        for q in self.open_questions:
            if q.id in seen:
                raise ConfigError(f"{self.source or self.name}: open question id '{q.id}' is also an item id; ids must be unique.")
            seen[q.id] = "open questions"
        names = [s.name for s in self.scales]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ConfigError(f"{self.source or self.name}: scale(s) {', '.join(dupes)} defined twice.")

    def __add__(self, other: "Instrument") -> "Instrument":
        if not isinstance(other, Instrument):
            return NotImplemented
        return Instrument(
            name=f"{self.name}+{other.name}",
            title=f"{self.title}; {other.title}",
            scales=self.scales + other.scales,
            open_questions=self.open_questions + other.open_questions,
            source="; ".join(s for s in (self.source, other.source) if s),
        )

    @property
    def scale_names(self) -> list[str]:
        return [s.name for s in self.scales]

    @property
    def item_ids(self) -> list[str]:
        return [i for s in self.scales for i in s.item_ids]

    def scale(self, name: str) -> Scale:
        for s in self.scales:
            if s.name == name:
                return s
        raise KeyError(f"instrument {self.name!r} has no scale {name!r}; scales: {', '.join(self.scale_names)}")

    def scale_of(self, item_id: str) -> Scale:
        for s in self.scales:
            if item_id in s.item_ids:
                return s
        raise KeyError(f"{item_id!r} is not an item of instrument {self.name!r}")

    def item(self, item_id: str) -> Item:
        for s in self.scales:
            for i in s.items:
                if i.id == item_id:
                    return i
        raise KeyError(f"{item_id!r} is not an item of instrument {self.name!r}")

    def describe(self) -> pd.DataFrame:
        """One row per item: scale, item, text, reverse, answered_by, waves, kirkpatrick."""
        rows = [
            {
                "scale": s.name,
                "item": i.id,
                "text": i.text,
                "reverse": i.reverse,
                "answered_by": ", ".join(s.answered_by),
                "waves": ", ".join(s.waves),
                "kirkpatrick": s.kirkpatrick or "",
            }
            for s in self.scales
            for i in s.items
        ]
        return pd.DataFrame(rows, columns=["scale", "item", "text", "reverse", "answered_by", "waves", "kirkpatrick"])


def _roles(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ROLES
    values = [value] if isinstance(value, str) else list(value)
    if values in (["all"], ["everyone"]):
        return ROLES
    unknown = [v for v in values if v not in ROLES]
    if unknown:
        raise ConfigError(f"{where}: answered_by has unknown role(s) {', '.join(map(str, unknown))}; roles: {', '.join(ROLES)} (or 'all').")
    return tuple(values)


def _waves(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ("pre", "post")
    values = [value] if isinstance(value, str) else list(value)
    unknown = [v for v in values if v not in WAVES]
    if unknown:
        raise ConfigError(f"{where}: waves has unknown wave(s) {', '.join(map(str, unknown))}; waves: {', '.join(WAVES)}.")
    return tuple(values)


def _parse_scale(data: Any, where: str) -> Scale:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: each entry under 'scales' must be a mapping with scale, items and response_options.")
    known = {"scale", "title", "description", "answered_by", "waves", "kirkpatrick", "min_items", "response_options", "items"}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}.")
    for key in ("scale", "response_options", "items"):
        if key not in data:
            raise ConfigError(f"{where}: '{key}' is missing.")
    name = str(data["scale"])
    where = f"{where} (scale {name})"
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise ConfigError(f"{where}: scale names use letters, digits and '_' and start with a letter.")
    options_raw = data["response_options"]
    if not isinstance(options_raw, dict) or len(options_raw) < 2:
        raise ConfigError(f"{where}: response_options must map at least two numeric codes to labels, e.g. {{1: Disagree, 2: Agree}}.")
    options: dict[int, str] = {}
    for code, label in options_raw.items():
        try:
            number = int(code)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: response option code {code!r} is not a whole number.") from None
        options[number] = str(label)
    codes = sorted(options)
    if codes != list(range(codes[0], codes[-1] + 1)):
        raise ConfigError(f"{where}: response option codes must be consecutive whole numbers (found {codes}).")
    labels = [_norm(label) for label in options.values()]
    if len(set(labels)) != len(labels):
        raise ConfigError(f"{where}: two response options have the same label.")
    items_raw = data["items"]
    if not isinstance(items_raw, list) or not items_raw:
        raise ConfigError(f"{where}: 'items' must be a list of {{id, text}} entries.")
    items = []
    for n, entry in enumerate(items_raw, start=1):
        if not isinstance(entry, dict) or "id" not in entry or "text" not in entry:
            raise ConfigError(f"{where}: item {n} needs an 'id' and a 'text'.")
        extra = set(entry) - {"id", "text", "reverse"}
        if extra:
            raise ConfigError(f"{where}: item {entry['id']} has unknown key(s) {', '.join(sorted(extra))}; known: id, text, reverse.")
        item_id = str(entry["id"])
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", item_id):
            raise ConfigError(f"{where}: item id {item_id!r} must use letters, digits and '_' and start with a letter.")
        reverse = entry.get("reverse", False)
        if not isinstance(reverse, bool):
            raise ConfigError(f"{where}: item {item_id} 'reverse' must be true or false.")
        items.append(Item(item_id, str(entry["text"]).strip(), reverse))
    level = data.get("kirkpatrick")
    if level is not None and level not in KIRKPATRICK_LEVELS:
        raise ConfigError(f"{where}: kirkpatrick must be one of {', '.join(KIRKPATRICK_LEVELS)}, not {level!r}.")
    min_items = data.get("min_items")
    if min_items is not None and (not isinstance(min_items, int) or not 1 <= min_items <= len(items)):
        raise ConfigError(f"{where}: min_items must be a whole number from 1 to {len(items)}.")
    return Scale(
        name=name,
        title=str(data.get("title", name)),
        items=tuple(items),
        options=options,
        answered_by=_roles(data.get("answered_by"), where),
        waves=_waves(data.get("waves"), where),
        kirkpatrick=level,
        min_items=min_items,
        description=str(data.get("description", "")),
    )


def _user_text(path: Path) -> str:
    """A user's instrument file as text: size-limited, UTF-8, a clear error otherwise."""
    from .config import MAX_YAML_BYTES

    path = Path(path)
    if path.stat().st_size > MAX_YAML_BYTES:
        raise ConfigError(f"{path}: the file is {path.stat().st_size / 1e6:,.1f} MB, more than the {MAX_YAML_BYTES / 1e6:,.1f} MB "
                          "an instrument file may have. Check that it is the right file.")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (line {data[:exc.start].count(10) + 1}, byte 0x{data[exc.start]:02x}); "
                          "save it as UTF-8.") from None


def _parse_instrument(text: str, source: str) -> Instrument:
    from .config import load_yaml_text

    data = load_yaml_text(text, source)  # duplicate keys (two items with one id...) an error, aliases bounded
    if not isinstance(data, dict) or "instrument" not in data:
        raise ConfigError(f"{source}: an instrument file starts with 'instrument: <name>' and lists 'scales:' (see rmresearch.surveys).")
    unknown = set(data) - {"instrument", "title", "description", "scales", "open_questions"}
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}; known: instrument, title, description, scales, open_questions.")
    scales = tuple(_parse_scale(s, source) for s in (data.get("scales") or []))
    questions = []
    for entry in data.get("open_questions") or []:
        if not isinstance(entry, dict) or "id" not in entry or "text" not in entry:
            raise ConfigError(f"{source}: each open question needs an 'id' and a 'text'.")
        questions.append(
            OpenQuestion(
                str(entry["id"]),
                str(entry["text"]).strip(),
                _roles(entry.get("answered_by"), source),
                _waves(entry.get("waves"), source),
            )
        )
    if not scales and not questions:
        raise ConfigError(f"{source}: the instrument has no scales and no open questions.")
    return Instrument(str(data["instrument"]), str(data.get("title", data["instrument"])), scales, tuple(questions), source)


def _shipped_files() -> dict[str, Any]:
    folder = resources.files("rmresearch").joinpath(_SHIPPED)
    return {entry.name[:-4]: entry for entry in folder.iterdir() if entry.name.endswith(".yml")}


def _user_files(folder: str | Path | None) -> dict[str, Path]:
    if folder is None:
        return {}
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.y*ml")) if p.suffix in (".yml", ".yaml")}


def project_instrument_folder(config) -> Path:
    """The folder of a project's own instruments: ``<root>/surveys/instruments``.

    A cohort configuration can name another folder with
    ``options: {survey_instruments: path/to/folder}``.
    """
    custom = (config.options or {}).get("survey_instruments")
    if custom:
        path = Path(str(custom))
        return path if path.is_absolute() else config.root / path
    return config.root / "surveys" / "instruments"


def list_instruments(*, folder: str | Path | None = None) -> pd.DataFrame:
    """The instruments available: shipped ones and those in ``folder`` (which take precedence).

    Columns: ``instrument, title, scales, items, origin`` (``shipped`` or the file path).

    Examples
    --------
    >>> table = list_instruments()
    >>> row = table.set_index("instrument").loc["mfq9"]
    >>> row["scales"], int(row["items"])
    ('mfq_career, mfq_psychosocial, mfq_role_model', 9)
    """
    found: dict[str, tuple[Instrument, str]] = {}
    for name, entry in sorted(_shipped_files().items()):
        found[name] = (_parse_instrument(entry.read_text(encoding="utf-8"), f"rmresearch/{_SHIPPED}/{name}.yml"), "shipped")
    for name, path in _user_files(folder).items():
        found[name] = (_parse_instrument(_user_text(path), str(path)), str(path))
    rows = [
        {
            "instrument": name,
            "title": inst.title,
            "scales": ", ".join(inst.scale_names),
            "items": len(inst.item_ids),
            "origin": origin,
        }
        for name, (inst, origin) in found.items()
    ]
    return pd.DataFrame(rows, columns=["instrument", "title", "scales", "items", "origin"])


def load_instrument(name: str | Path | Sequence[str | Path], *, folder: str | Path | None = None) -> Instrument:
    """Load an instrument by name (``"mfq9"``) or path, or several combined into one.

    A name is looked up first in ``folder`` (a project's ``surveys/instruments``,
    see :func:`project_instrument_folder`), then among the shipped instruments.

    Examples
    --------
    >>> inst = load_instrument(["psychological_safety", "mfq9"])
    >>> inst.scale_names
    ['psychological_safety', 'mfq_career', 'mfq_psychosocial', 'mfq_role_model']
    >>> inst.scale("psychological_safety").reverse_items
    ['psychological_safety_3']
    """
    if isinstance(name, (list, tuple)):
        if not name:
            raise ValueError("load_instrument: give at least one instrument name.")
        parts = [load_instrument(n, folder=folder) for n in name]
        combined = parts[0]
        for part in parts[1:]:
            combined = combined + part
        return combined
    text_name = str(name)
    if text_name.endswith((".yml", ".yaml")) or "/" in text_name or "\\" in text_name:
        path = Path(text_name)
        if not path.is_file():
            raise ConfigError(f"Instrument file not found: {path}")
        return _parse_instrument(_user_text(path), str(path))
    user = _user_files(folder)
    if text_name in user:
        return _parse_instrument(_user_text(user[text_name]), str(user[text_name]))
    shipped = _shipped_files()
    if text_name in shipped:
        return _parse_instrument(shipped[text_name].read_text(encoding="utf-8"), f"rmresearch/{_SHIPPED}/{text_name}.yml")
    known = sorted(set(shipped) | set(user))
    raise ConfigError(f"No instrument '{text_name}'. Known instruments: {', '.join(known)}. Add your own as {Path(folder or 'surveys/instruments') / (text_name + '.yml')}.")


# --------------------------------------------------------------------------- importers

_QUALTRICS_META = {
    "startdate", "enddate", "status", "ipaddress", "progress", "duration (in seconds)", "finished",
    "recordeddate", "responseid", "recipientlastname", "recipientfirstname", "recipientemail",
    "externalreference", "externaldatareference", "locationlatitude", "locationlongitude",
    "distributionchannel", "userlanguage",
}
_FORMS_META = {"id", "start time", "completion time", "email", "name", "last modified time"}
_ID_CANDIDATES = ("participant_id", "participantid", "participant id", "participant", "externalreference", "externaldatareference")
_MISSING_TEXT = {"", "nan", "none", "null", "n/a", "na", "-99"}


@dataclass
class SurveyImport:
    """Result of :func:`read_responses`.

    Attributes
    ----------
    responses : DataFrame
        ``participant_id, wave`` then one float column per item found (codes of
        the instrument's response options; missing answers are NaN).
    open_text : DataFrame
        ``participant_id, wave, question, answer``: free text, NOT anonymised.
        Pass it through :mod:`rmresearch.anonymise` before showing any of it.
    problems : list of Problem
        Warnings (errors raise :class:`~rmresearch.errors.ValidationError`).
    columns : dict
        Export column -> item or open question id, as matched.
    source, format : str
    """

    responses: pd.DataFrame
    open_text: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    source: str = ""
    format: str = ""


@dataclass
class _Raw:
    """An export read into text-ish cells, before matching to an instrument."""

    ids: list[str]  # column ids (row 1 / variable names)
    texts: list[str | None]  # question text per column, when the format has it
    body: pd.DataFrame  # cells, columns 0..n-1
    rows: list[int]  # the row a person sees for each body row
    meta: set[str]  # normalised ids of metadata columns
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


def _norm(text: Any) -> str:
    """Lower-case, straight quotes, single spaces, no trailing punctuation."""
    s = str(text).replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    s = " ".join(s.replace("\xa0", " ").split()).lower()
    return s.rstrip(" .?:!")


#: Largest survey export read (bytes): a cohort's survey is kilobytes; a bigger file is the wrong file.
MAX_EXPORT_BYTES = 200_000_000


def _decode(path: Path, data: bytes) -> str:
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and b"\x00" in data:
        at = data.index(b"\x00")
        raise InputError(
            f"{path}: this looks like a binary file, not a CSV/TSV export (a NUL byte on row {data[:at].count(10) + 1}). "
            "Export again from the survey tool as CSV (UTF-8) or TSV."
        )
    try:
        return data.decode("utf-16") if utf16 else data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = "" if utf16 else f"row {data[:exc.start].count(10) + 1}: "
        raise InputError(
            f"{path}: not {'UTF-16' if utf16 else 'UTF-8'} text ({where}byte 0x{data[exc.start]:02x} at position {exc.start}). "
            "Export again from the survey tool as CSV (UTF-8) or TSV, or re-save the file as UTF-8."
        ) from None


def _records(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path}: the file is empty. Export the survey again.")
    text = _decode(path, data)
    first = text.replace("\r", "\n").split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") or first.count("\t") > first.count(",") else ","
    try:  # newline="": CR-only (old Mac), LF and CRLF records all split, quoted line breaks kept
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        records, lines, after = _Records(), [], 0
        for record in reader:
            records.append(record)
            lines.append(after + 1)  # the line the record starts on (an open-text answer may span several)
            after = reader.line_num
        records.lines = lines
        return records
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV/TSV export ({exc}). Export the responses again.") from None


def _is_qualtrics(records: list[list[str]]) -> bool:
    return len(records) >= 3 and any(cell.strip().startswith('{"ImportId"') for cell in records[2])


class _Records(list):
    """CSV records with ``lines``: the line of the file each record starts on (the row a person sees)."""

    lines: list[int]


def _frame(records: list[list[str]], start: int) -> tuple[pd.DataFrame, list[int]]:
    width = max((len(r) for r in records), default=0)
    lines = getattr(records, "lines", None)
    kept, rows = [], []
    for number, record in enumerate(records[start:], start=start + 1):
        if not any(cell.strip() for cell in record):
            continue
        kept.append(record + [""] * (width - len(record)))
        rows.append(lines[number - 1] if lines is not None else number)
    return pd.DataFrame(kept, columns=range(width), dtype=object), rows


def _read_qualtrics(path: Path, records: list[list[str]]) -> _Raw:
    ids = [c.strip() for c in records[0]]
    texts = [c.strip() for c in records[1]] + [""] * (len(ids) - len(records[1]))
    body, rows = _frame(records, 3)
    body = body.iloc[:, : len(ids)]
    raw = _Raw(ids, texts, body, rows, set(_QUALTRICS_META))
    # Drop survey previews and test runs (Status "Survey Preview" / code 1): they are not participants.
    status_col = next((i for i, c in enumerate(ids) if c.lower() == "status"), None)
    if status_col is not None:
        status = body[status_col].astype(str).str.strip().str.lower()
        preview = status.isin(["survey preview", "1", "survey test", "spam"]).to_numpy()
        if preview.any():
            dropped = [r for r, p in zip(rows, preview) if p]
            raw.warnings.append(Problem(str(path), f"{len(dropped)} survey preview/test response(s) left out (rows {', '.join(map(str, dropped[:8]))})", row=dropped[0], column="Status", severity="warning"))
            raw.body = body.loc[~preview].reset_index(drop=True)
            raw.rows = [r for r, p in zip(rows, preview) if not p]
    return raw


def _read_plain(path: Path, records: list[list[str]]) -> _Raw:
    ids = [c.strip() for c in records[0]]
    body, rows = _frame(records, 1)
    return _Raw(ids, [None] * len(ids), body.iloc[:, : len(ids)], rows, set())


def _read_forms(path: Path, sheet) -> _Raw:
    from .schemas import check_workbook_size

    check_workbook_size(path, MAX_EXPORT_BYTES)
    try:
        table = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise InputError(f"{path}: cannot be read as an Excel workbook ({exc}).") from None
    if table.empty:
        raise InputError(f"{path}: the sheet is empty. Export the responses again from Forms (Open in Excel).")
    ids = ["" if pd.isna(v) else str(v).strip() for v in table.iloc[0]]
    body = table.iloc[1:].reset_index(drop=True)
    body.columns = range(body.shape[1])
    keep = ~body.isna().all(axis=1).to_numpy()
    rows = [r for r, k in zip(range(2, len(body) + 2), keep) if k]
    body = body.loc[keep].reset_index(drop=True)
    return _Raw(ids, list(ids), body, rows, set(_FORMS_META))


def _read_spss(path: Path) -> _Raw:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise InputError(f"{path}: cannot be read as an SPSS .sav file ({exc}).") from None
    ids = list(frame.columns)
    texts = [meta.column_names_to_labels.get(c) for c in ids]
    body = frame.copy()
    body.columns = range(len(ids))
    # A .sav has no visible header row: case 1 is shown as row 1 in SPSS's Data View.
    rows = list(range(1, len(body) + 1))
    labels = {c: dict(v) for c, v in (meta.variable_value_labels or {}).items()}
    return _Raw(ids, texts, body, rows, set(_QUALTRICS_META), value_labels=labels)


def _detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".sav":
        return "spss"
    if suffix in (".xlsx", ".xlsm"):
        return "forms"
    if suffix in (".csv", ".tsv", ".tab", ".txt"):
        return "qualtrics" if _is_qualtrics(_records(path)) else "csv"
    raise InputError(f"{path}: unknown survey file type '{suffix}'. Use a Qualtrics CSV/TSV, a Forms .xlsx, an SPSS .sav or a plain CSV.")


def _match_columns(raw: _Raw, instrument: Instrument, columns: Mapping[str, str] | None, ignore: Iterable[str], id_index: int, wave_index: int | None, source: str) -> tuple[dict[int, str], list[Problem]]:
    """Column index -> item id / open question id; problems for columns that match nothing."""
    problems: list[Problem] = []
    targets = {i: ("item", i) for i in instrument.item_ids}
    targets.update({q.id: ("open", q.id) for q in instrument.open_questions})
    by_id = {_norm(k): k for k in targets}
    by_text: dict[str, str] = {_norm(instrument.item(i).text): i for i in instrument.item_ids}
    by_text.update({_norm(q.text): q.id for q in instrument.open_questions})
    explicit = {str(k).strip(): v for k, v in (columns or {}).items()}
    for export_col, target in explicit.items():
        if target not in targets:
            raise ValueError(f"columns={{{export_col!r}: {target!r}}}: {target!r} is not an item or open question of instrument {instrument.name!r}.")
    ignored = {_norm(c) for c in ignore}
    mapping: dict[int, str] = {}
    for index, (col_id, text) in enumerate(zip(raw.ids, raw.texts)):
        if index in (id_index, wave_index) or not col_id:
            continue
        key = _norm(col_id)
        if col_id in explicit:
            mapping[index] = explicit[col_id]
            continue
        if key in ignored or (text is not None and _norm(text) in ignored):
            continue
        if key in by_id:
            mapping[index] = by_id[key]
            continue
        if text:
            t = _norm(text)
            hit = by_text.get(t)
            if hit is None:
                # Qualtrics matrix: "Stem - item text"; Forms Likert: "Stem.Item text".
                ends = [v for k, v in by_text.items() if t.endswith(k) and (len(t) == len(k) or t[len(t) - len(k) - 1] in " -.:")]
                hit = ends[0] if len(ends) == 1 else None
            if hit is not None:
                mapping[index] = hit
                continue
        if key in raw.meta or key.startswith("q_") or key in ("wave",):
            continue
        shown = f"'{col_id}'" + (f" ('{text[:60]}')" if text and text != col_id else "")
        problems.append(
            Problem(
                source,
                f"column {shown} is not an item of instrument '{instrument.name}' (items: {', '.join(instrument.item_ids[:6])}"
                f"{' ...' if len(instrument.item_ids) > 6 else ''}). Add the item to the instrument YAML, map it with "
                f"columns={{'{col_id}': '<item id>'}}, or leave it out with ignore=['{col_id}'].",
                column=col_id,
            )
        )
    seen: dict[str, int] = {}
    for index, target in mapping.items():
        if target in seen:
            problems.append(Problem(source, f"columns '{raw.ids[seen[target]]}' and '{raw.ids[index]}' both match item '{target}'; map one explicitly with columns=", column=raw.ids[index]))
        seen[target] = index
    return mapping, problems


def _find_column(raw: _Raw, wanted: str | None, candidates: Sequence[str], what: str, source: str, required: bool) -> int | None:
    names = [_norm(c) for c in raw.ids]
    texts = [_norm(t) if t else "" for t in raw.texts]
    if wanted is not None:
        for pool in (names, texts):
            if _norm(wanted) in pool:
                return pool.index(_norm(wanted))
        raise InputError(f"{source}: no column '{wanted}' for the {what}. Columns: {', '.join(raw.ids[:30])}.")
    for candidate in candidates:
        for pool in (names, texts):
            if candidate in pool:
                return pool.index(candidate)
    if required:
        raise InputError(
            f"{source}: cannot find the {what} column (looked for {', '.join(candidates)}). "
            f"Name it with id_column='...'. Columns: {', '.join(raw.ids[:30])}."
        )
    return None


def _cell_text(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return None if text.lower() in _MISSING_TEXT else text


def _convert_item(values: pd.Series, scale: Scale, labels: dict[Any, str] | None) -> tuple[pd.Series, dict[str, list[int]]]:
    """Codes for one item column; positions of bad cells by kind of problem."""
    by_label = {_norm(v): k for k, v in scale.options.items()}
    out = np.full(len(values), np.nan)
    bad: dict[str, list[int]] = {"range": [], "text": [], "multi": [], "label": []}
    for pos, value in enumerate(values):
        if labels:
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            key = float(value) if isinstance(value, (int, float, np.number)) else value
            label = labels.get(key, labels.get(int(key)) if isinstance(key, float) and key.is_integer() else None)
            if label is None:
                bad["range"].append(pos)
                continue
            code = by_label.get(_norm(label))
            if code is None:
                bad["label"].append(pos)
                continue
            out[pos] = code
            continue
        text = _cell_text(value)
        if text is None:
            continue
        if ";" in text.strip(";"):
            bad["multi"].append(pos)
            continue
        text = text.strip(";").strip()
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is not None:
            if number.is_integer() and int(number) in scale.options:
                out[pos] = number
            else:
                bad["range"].append(pos)
            continue
        code = by_label.get(_norm(text))
        if code is None:
            # "4 - Agree" / "Agree (4)" style labels
            m = re.fullmatch(r"\s*(\d+)\s*[-=:.)]\s*(.+)|(.+?)\s*\(\s*(\d+)\s*\)\s*", text)
            if m:
                num = m.group(1) or m.group(4)
                lab = m.group(2) or m.group(3)
                if int(num) in scale.options and _norm(lab) == _norm(scale.options[int(num)]):
                    code = int(num)
        if code is None:
            bad["text"].append(pos)
        else:
            out[pos] = code
    return pd.Series(out, index=values.index), bad


def _rows_list(rows: list[int], limit: int = 8) -> str:
    shown = ", ".join(map(str, rows[:limit]))
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def read_responses(
    path: str | Path,
    instrument: Instrument,
    *,
    format: str = "auto",
    wave: str | None = None,
    participants: pd.DataFrame | None = None,
    id_column: str | None = None,
    columns: Mapping[str, str] | None = None,
    ignore: Iterable[str] = (),
    sheet: str | int = 0,
) -> SurveyImport:
    """Read a survey export and match it to an instrument and to participants.

    Parameters
    ----------
    path
        Qualtrics CSV/TSV export (three header rows; TSV may be UTF-16),
        Microsoft Forms ``.xlsx``, SPSS ``.sav`` or a plain CSV with a header row.
    instrument
        The scales asked (see :func:`load_instrument`); combine several with a list.
    format
        ``"auto"`` (from the extension and content), ``"qualtrics"``, ``"forms"``,
        ``"spss"`` or ``"csv"``.
    wave
        ``"pre"``, ``"mid"`` or ``"post"``; required unless the file has a ``wave`` column.
    participants
        The participants table: every respondent's ID must be in its
        ``participant_id`` column (else an error names the row). With a ``role``
        column, answers to scales not meant for a role give a warning.
    id_column
        The column holding the participant ID. By default ``participant_id``,
        ``Participant ID`` or Qualtrics' ``ExternalReference``.
    columns
        Explicit mapping of export columns to item ids, for exports whose
        column names and question wording differ from the instrument's.
    ignore
        Export columns to leave out (e.g. demographic questions).

    Returns
    -------
    SurveyImport
        ``responses`` (codes as floats), ``open_text`` (not anonymised),
        warnings in ``problems`` and the column matches.

    Raises
    ------
    InputError
        The file cannot be read or has no ID column.
    ValidationError
        Listing every problem with file, row and column: unknown participant
        IDs, duplicate respondents, answers out of range, text answers that
        match no response option, several answers to a single-answer item,
        columns that are not items of the instrument.

    Notes
    -----
    Answers may be codes (``4``) or labels (``Agree``, matched ignoring case and
    spacing, or ``4 - Agree``). For SPSS files with value labels, each code is
    translated through its label to the instrument's code, so a file coded
    ``1 = Strongly agree`` is read correctly; a label matching no response
    option is an error. Qualtrics preview responses are left out with a
    warning and ``-99`` ("seen but unanswered") is read as missing.
    """
    path = Path(path)
    source = str(path)
    if not path.exists():
        raise InputError(f"{path}: file not found.")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a survey export.")
    from .schemas import check_size

    check_size(path, MAX_EXPORT_BYTES, "a survey export")
    fmt = _detect_format(path) if format == "auto" else format
    if fmt == "qualtrics":
        records = _records(path)
        if not _is_qualtrics(records):
            raise InputError(f"{path}: not a Qualtrics export: the third row should hold {{\"ImportId\": ...}} cells. Export with 'Use legacy format' off, or use format='csv'.")
        raw = _read_qualtrics(path, records)
    elif fmt == "csv":
        raw = _read_plain(path, _records(path))
    elif fmt == "forms":
        raw = _read_forms(path, sheet)
    elif fmt == "spss":
        raw = _read_spss(path)
    else:
        raise ValueError(f"format must be 'auto', 'qualtrics', 'forms', 'spss' or 'csv', not {format!r}")
    if len(raw.body) == 0:
        raise InputError(f"{path}: the export has a header but no responses. Export the survey again once people "
                         "have answered (Qualtrics: Data & Analysis > Export; Forms: Open in Excel).")
    if wave is not None and wave not in WAVES:
        raise ValueError(f"wave must be one of {', '.join(WAVES)}, not {wave!r}")

    problems: list[Problem] = list(raw.warnings)
    id_index = _find_column(raw, id_column, _ID_CANDIDATES, "participant ID", source, required=True)
    wave_index = _find_column(raw, None, ("wave",), "wave", source, required=False)
    if wave is None and wave_index is None:
        raise InputError(f"{source}: no 'wave' column; say which wave this file holds with wave='pre' (or 'post').")
    mapping, match_problems = _match_columns(raw, instrument, columns, ignore, id_index, wave_index, source)
    problems += match_problems
    if not any(t in instrument.item_ids for t in mapping.values()) and not mapping:
        problems.append(Problem(source, f"no column matches an item of instrument '{instrument.name}'. Check the instrument, or map columns with columns={{export column: item id}}."))

    rows = np.asarray(raw.rows)
    id_col_name = raw.ids[id_index]
    ids = raw.body[id_index].map(_cell_text)
    ids = ids.map(lambda v: v[:-2] if isinstance(v, str) and re.fullmatch(r"\d+\.0", v) else v)
    empty_id = ids.isna().to_numpy()
    if empty_id.any():
        problems.append(Problem(source, f"no participant ID on row(s) {_rows_list(rows[empty_id].tolist())}; every response needs one", row=int(rows[empty_id][0]), column=id_col_name))
    if wave_index is not None:
        waves = raw.body[wave_index].map(_cell_text).str.lower()
        bad_wave = (~waves.isin(WAVES)).to_numpy()
        if bad_wave.any():
            problems.append(Problem(source, f"wave is not one of {', '.join(WAVES)} on row(s) {_rows_list(rows[bad_wave].tolist())}", row=int(rows[bad_wave][0]), column=raw.ids[wave_index]))
        if wave is not None:
            other = (waves.notna() & (waves != wave)).to_numpy() & ~bad_wave
            if other.any():
                problems.append(Problem(source, f"this file is configured as wave '{wave}' but row(s) {_rows_list(rows[other].tolist())} say another wave", row=int(rows[other][0]), column=raw.ids[wave_index]))
    else:
        waves = pd.Series([wave] * len(raw.body), index=raw.body.index)

    if participants is not None:
        if "participant_id" not in participants.columns:
            raise ValueError("participants needs a participant_id column (use rmresearch.inputs.load_table(config, 'participants')).")
        known = set(participants["participant_id"].astype(str))
        unknown = (ids.notna() & ~ids.isin(known)).to_numpy()
        if unknown.any():
            listed = ", ".join(f"row {r} ('{v}')" for r, v in list(zip(rows[unknown], ids[unknown]))[:8])
            problems.append(Problem(source, f"participant ID(s) not in the participants table: {listed}{' ...' if unknown.sum() > 8 else ''}. Correct the ID or add the person to the participants table", row=int(rows[unknown][0]), column=id_col_name))

    keys = pd.DataFrame({"participant_id": ids, "wave": waves})
    dup = (keys.duplicated(keep=False) & ids.notna()).to_numpy()
    if dup.any():
        for (pid, w), group in keys.loc[dup].groupby(["participant_id", "wave"]):
            problems.append(Problem(source, f"participant '{pid}' answered wave '{w}' more than once (rows {_rows_list(rows[group.index].tolist())}); keep one response", row=int(rows[group.index][0]), column=id_col_name))

    responses = keys.copy()
    open_rows = []
    for index, target in mapping.items():
        col_name = raw.ids[index]
        if target in instrument.item_ids:
            scale = instrument.scale_of(target)
            labels = raw.value_labels.get(col_name)
            converted, bad = _convert_item(raw.body[index], scale, labels)
            allowed = ", ".join(f"{k} = {v}" for k, v in scale.options.items())
            for kind, positions in bad.items():
                if not positions:
                    continue
                shown = ", ".join(f"row {rows[p]} ('{raw.body[index].iloc[p]}')" for p in positions[:8])
                more = f" and {len(positions) - 8} more" if len(positions) > 8 else ""
                if kind == "range":
                    message = f"answer(s) out of range for item {target}: {shown}{more}; allowed codes: {allowed}"
                elif kind == "text":
                    message = f"answer(s) matching no response option of item {target}: {shown}{more}; options: {allowed}"
                elif kind == "multi":
                    message = f"more than one answer to single-answer item {target}: {shown}{more}"
                else:
                    coded = ", ".join(
                        f"row {rows[p]} (code {raw.body[index].iloc[p]!r} = {labels.get(raw.body[index].iloc[p])!r})" for p in positions[:8]
                    )
                    message = (
                        f"value label(s) matching no response option of item {target}: {coded}{more}; options: {allowed}. "
                        "Fix the labels in SPSS or the instrument's response_options"
                    )
                problems.append(Problem(source, message, row=int(rows[positions[0]]), column=col_name))
            responses[target] = converted.to_numpy()
        else:
            texts = raw.body[index].map(_cell_text)
            for pid, w, answer in zip(ids, waves, texts):
                if answer is not None:
                    open_rows.append({"participant_id": pid, "wave": w, "question": target, "answer": answer})

    present = [i for i in instrument.item_ids if i in responses.columns]
    for scale in instrument.scales:
        got = [i for i in scale.item_ids if i in responses.columns]
        if got and len(got) < len(scale.item_ids):
            missing = [i for i in scale.item_ids if i not in got]
            problems.append(Problem(source, f"scale {scale.name}: item(s) {', '.join(missing)} not found in the export; scores use the items present", severity="warning"))

    if participants is not None and "role" in participants.columns and present:
        roles = dict(zip(participants["participant_id"].astype(str), participants["role"]))
        role_of = ids.map(roles)
        for scale in instrument.scales:
            got = [i for i in scale.item_ids if i in responses.columns]
            if not got:
                continue
            answered = responses[got].notna().any(axis=1) & role_of.notna() & ~role_of.isin(scale.answered_by)
            if answered.any():
                problems.append(Problem(source, f"{int(answered.sum())} respondent(s) with roles {', '.join(sorted(set(role_of[answered])))} answered scale {scale.name}, which is meant for {', '.join(scale.answered_by)}; their answers are kept", row=int(rows[answered.to_numpy()][0]), severity="warning"))

    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationError(problems)
    responses = responses[["participant_id", "wave", *present]].reset_index(drop=True)
    open_text = pd.DataFrame(open_rows, columns=["participant_id", "wave", "question", "answer"])
    return SurveyImport(
        responses=responses,
        open_text=open_text,
        problems=problems,
        columns={raw.ids[i]: t for i, t in mapping.items()},
        source=source,
        format=fmt,
    )


def load_surveys(config, instrument: Instrument | None = None, *, participants: pd.DataFrame | None = None, **options) -> SurveyImport:
    """Read every survey wave configured for a cohort (``inputs.surveys``) into one import.

    ``instrument`` defaults to the instruments named in the cohort's
    ``options.survey_instruments_used`` or, failing that, every instrument
    available (shipped and in the project's ``surveys/instruments``). Other
    options go to :func:`read_responses`.
    """
    waves = config.inputs.get("surveys") or {}
    if not waves:
        raise InputError(f"{config.path}: no surveys are configured (inputs: surveys: {{pre: ..., post: ...}}).")
    folder = project_instrument_folder(config)
    if instrument is None:
        names = (config.options or {}).get("survey_instruments_used") or list(list_instruments(folder=folder)["instrument"])
        instrument = load_instrument(list(names), folder=folder)
    parts = []
    for wave, path in waves.items():
        parts.append(read_responses(path, instrument, wave=wave, participants=participants, **options))
    responses = pd.concat([p.responses for p in parts], ignore_index=True)
    ordered = ["participant_id", "wave"] + [i for i in instrument.item_ids if i in responses.columns]
    return SurveyImport(
        responses=responses[ordered],
        open_text=pd.concat([p.open_text for p in parts], ignore_index=True),
        problems=[q for p in parts for q in p.problems],
        columns={k: v for p in parts for k, v in p.columns.items()},
        source="; ".join(p.source for p in parts),
        format="; ".join(sorted({p.format for p in parts})),
    )


# --------------------------------------------------------------------------- scoring


def _keyed(responses: pd.DataFrame, scale: Scale, items: list[str]) -> pd.DataFrame:
    block = responses[items].apply(pd.to_numeric, errors="coerce").astype(float)
    for item in scale.reverse_items:
        if item in block.columns:
            block[item] = scale.low + scale.high - block[item]
    return block


def score(responses: pd.DataFrame, instrument: Instrument, *, min_items: int | Mapping[str, int] | None = None) -> pd.DataFrame:
    """Scale scores: the mean of each scale's answered items after reverse keying.

    Parameters
    ----------
    responses
        Tidy responses (``participant_id``, ``wave`` and item columns), e.g.
        ``read_responses(...).responses``.
    instrument
        The scales to score; scales with no item column in ``responses`` are skipped.
    min_items
        Fewest answered items for a score (one number for every scale, or
        ``{scale: n}``); default each scale's ``min_items`` or half its items,
        rounded up. A respondent with fewer answers gets NaN for that scale.

    Returns
    -------
    DataFrame
        The key columns present (``participant_id``, ``wave``) and one column
        per scale.

    Notes
    -----
    A reverse-keyed answer ``x`` is scored ``low + high - x`` (6 - x on a 1-5 scale).

    Examples
    --------
    >>> inst = load_instrument("psychological_safety")
    >>> r = pd.DataFrame({"participant_id": ["P1", "P2"], "wave": ["pre", "pre"],
    ...                   "psychological_safety_1": [4, 5], "psychological_safety_2": [4, None],
    ...                   "psychological_safety_3": [2, None], "psychological_safety_4": [3, None]})
    >>> score(r, inst)   # P1: (4 + 4 + (6 - 2) + 3) / 4; P2 answered 1 of 4 items (2 needed)
      participant_id wave  psychological_safety
    0             P1  pre                  3.75
    1             P2  pre                   NaN
    """
    keys = [c for c in ("participant_id", "wave") if c in responses.columns]
    out = responses[keys].copy()
    for scale in instrument.scales:
        items = [i for i in scale.item_ids if i in responses.columns]
        if not items:
            continue
        if isinstance(min_items, Mapping):
            needed = min_items.get(scale.name, scale.minimum_answered)
        elif min_items is not None:
            needed = min_items
        else:
            needed = scale.minimum_answered
        if needed < 1:
            raise ValueError(f"min_items must be at least 1, not {needed}")
        block = _keyed(responses, scale, items)
        answered = block.notna().sum(axis=1)
        out[scale.name] = block.mean(axis=1).where(answered >= needed)
    return out


def alpha_confidence_interval(alpha: float, *, n: int, k: int, ci: float = 0.95) -> tuple[float, float]:
    """Feldt's confidence interval for coefficient alpha.

    ``1 - (1 - alpha) * F`` at the ``1 - (1-ci)/2`` and ``(1-ci)/2`` quantiles of
    the F distribution with ``n - 1`` and ``(n - 1)(k - 1)`` degrees of freedom
    (Feldt, Woodruff & Salih, 1987, formulas 6 and 7; the method of R's
    ``cocron::cronbach.alpha.CI`` and of pingouin's ``cronbach_alpha``).

    Examples
    --------
    >>> [round(v, 4) for v in alpha_confidence_interval(0.85, n=89, k=7)]
    [0.7971, 0.8932]
    """
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1 (e.g. 0.95), not {ci}")
    if n < 2 or k < 2:
        return (float("nan"), float("nan"))
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - ci) / 2
    return (float(1 - (1 - alpha) * stats.f.ppf(1 - tail, df1, df2)), float(1 - (1 - alpha) * stats.f.ppf(tail, df1, df2)))


def cronbach_alpha(items: pd.DataFrame, *, ci: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha for a block of items (one column per item), with Feldt's CI.

    Respondents with any missing item are left out (listwise deletion), so
    ``n`` is the number of complete responses. Items should already be keyed
    in one direction (see :func:`reliability`, which reverse-keys for you).

    Returns
    -------
    DataFrame
        One row: ``alpha, ci_low, ci_high, n, k``.

    Notes
    -----
    ``alpha = k / (k - 1) * (1 - sum(item variances) / variance(total))`` with
    sample variances (ddof = 1); the interval is
    :func:`alpha_confidence_interval`. Fewer than two complete responses or
    two items, or a total with no variance, give NaN.

    Examples
    --------
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 4], "c": [1, 3, 3, 4, 5]})
    >>> cronbach_alpha(items).round(4)
        alpha  ci_low  ci_high  n  k
    0  0.9451  0.7225   0.9939  5  3
    """
    if not isinstance(items, pd.DataFrame):
        raise ValueError("cronbach_alpha expects a DataFrame with one column per item.")
    block = items.apply(pd.to_numeric, errors="coerce").dropna()
    n, k = block.shape
    alpha = float("nan")
    if n >= 2 and k >= 2:
        total_var = block.sum(axis=1).var(ddof=1)
        if total_var > 0:
            alpha = float(k / (k - 1) * (1 - block.var(ddof=1).sum() / total_var))
    low, high = alpha_confidence_interval(alpha, n=n, k=k, ci=ci) if not math.isnan(alpha) else (float("nan"), float("nan"))
    return pd.DataFrame([{"alpha": alpha, "ci_low": low, "ci_high": high, "n": int(n), "k": int(k)}])


def reliability(responses: pd.DataFrame, instrument: Instrument, *, by: str | None = "wave", ci: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha (with CI) for every scale, reverse-keyed first, by wave.

    Returns one row per scale (and wave): ``scale, wave, alpha, ci_low, ci_high, n, k``.
    Pass the table through ``disclose(..., counts=["n"], means={"alpha": "n", ...})``.
    """
    groups = [(None, responses)] if by is None or by not in responses.columns else list(responses.groupby(by, sort=False))
    rows = []
    for scale in instrument.scales:
        items = [i for i in scale.item_ids if i in responses.columns]
        if not items:
            continue
        for key, part in groups:
            block = _keyed(part, scale, items)
            if block.notna().any(axis=1).sum() == 0:
                continue
            row = cronbach_alpha(block, ci=ci).iloc[0].to_dict()
            rows.append({"scale": scale.name, (by or "wave"): key, **row})
    columns = ["scale", by or "wave", "alpha", "ci_low", "ci_high", "n", "k"]
    table = pd.DataFrame(rows, columns=columns)
    return table.astype({"n": int, "k": int}) if len(table) else table


# --------------------------------------------------------------------------- change


_CHANGE_COLUMNS = ["n", "mean_pre", "mean_post", "mean_diff", "t", "p_t", "w", "p_w", "r", "rank_biserial", "cohen_dz", "ci_low", "ci_high"]


def paired_change(pre, post, *, ci: float = 0.95) -> pd.DataFrame:
    """Pre/post change in one measure: paired t test and Wilcoxon signed-rank test with effect sizes.

    Parameters
    ----------
    pre, post
        Paired scores (Series aligned on their index, or equal-length arrays).
        Pairs with either value missing are dropped.
    ci
        Confidence level for the interval around the mean difference.

    Returns
    -------
    DataFrame
        One row: ``n`` (complete pairs), ``mean_pre, mean_post, mean_diff``
        (post - pre), ``t, p_t`` (:func:`scipy.stats.ttest_rel`), ``w, p_w``
        (:func:`scipy.stats.wilcoxon`: the smaller of the positive and negative
        rank sums and its two-sided p, exact for small samples without ties or
        zeros), ``r`` (Z / sqrt(n_r)), ``rank_biserial``, ``cohen_dz`` and
        ``ci_low, ci_high`` (t interval for the mean difference).

    Notes
    -----
    - Cohen's d_z = mean(diff) / sd(diff) (sd with ddof = 1); not pingouin's
      default paired d (d_av, which divides by the average of the two sds).
    - Wilcoxon: zero differences are dropped (Wilcoxon's method), leaving
      ``n_r`` ranked differences; Z is the normal approximation with the tie
      correction and no continuity correction (``method="approx"``), and
      r = Z / sqrt(n_r), signed to agree with the direction of change (Field
      divides by sqrt of the number of observations, 2n, which gives a smaller r).
    - Matched-pairs rank-biserial correlation (Kerby, 2014, "The simple
      difference formula"): (T+ - T-) / (T+ + T-), the rank sums of positive
      and negative differences; +1 when every non-zero change is an increase.
    - Fewer than two pairs, or no variation in the differences, give NaN
      where a statistic is undefined.

    Examples
    --------
    >>> pre = pd.Series([3.0, 2.5, 4.0, 3.5, 2.0])
    >>> post = pd.Series([4.0, 3.5, 4.0, 4.5, 3.0])
    >>> row = paired_change(pre, post).iloc[0]
    >>> row[["n", "mean_diff", "rank_biserial", "cohen_dz"]].round(3).tolist()
    [5.0, 0.8, 1.0, 1.789]
    """
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1 (e.g. 0.95), not {ci}")
    if isinstance(pre, pd.Series) and isinstance(post, pd.Series):
        both = pd.concat([pre.rename("pre"), post.rename("post")], axis=1, join="inner")
    else:
        a, b = np.asarray(pre, dtype=float), np.asarray(post, dtype=float)
        if a.shape != b.shape:
            raise ValueError(f"pre and post must have the same length ({a.size} vs {b.size}); pass Series to align them by participant.")
        both = pd.DataFrame({"pre": a, "post": b})
    both = both.apply(pd.to_numeric, errors="coerce").dropna()
    n = len(both)
    nan = float("nan")
    row = dict.fromkeys(_CHANGE_COLUMNS, nan)
    row["n"] = n
    if n == 0:
        return pd.DataFrame([row], columns=_CHANGE_COLUMNS)
    diff = (both["post"] - both["pre"]).to_numpy()
    row.update(mean_pre=float(both["pre"].mean()), mean_post=float(both["post"].mean()), mean_diff=float(diff.mean()))
    if n >= 2:
        sd = float(diff.std(ddof=1))
        if sd > 0:
            t_res = stats.ttest_rel(both["post"], both["pre"])
            row.update(t=float(t_res.statistic), p_t=float(t_res.pvalue), cohen_dz=float(diff.mean() / sd))
            half = stats.t.ppf(1 - (1 - ci) / 2, n - 1) * sd / math.sqrt(n)
            row.update(ci_low=float(diff.mean() - half), ci_high=float(diff.mean() + half))
        nonzero = diff[diff != 0]
        if nonzero.size >= 1:
            ranks = stats.rankdata(np.abs(nonzero))
            t_plus, t_minus = float(ranks[nonzero > 0].sum()), float(ranks[nonzero < 0].sum())
            row["rank_biserial"] = (t_plus - t_minus) / (t_plus + t_minus)
            w_res = stats.wilcoxon(diff, zero_method="wilcox", method="auto")
            row.update(w=float(w_res.statistic), p_w=float(w_res.pvalue))
            z = stats.wilcoxon(diff, zero_method="wilcox", method="approx", correction=False).zstatistic
            direction = np.sign(t_plus - t_minus)
            row["r"] = float(direction * abs(z) / math.sqrt(nonzero.size))
    return pd.DataFrame([row], columns=_CHANGE_COLUMNS)


def change_by_group(
    scores: pd.DataFrame,
    *,
    groups: pd.Series | Mapping[str, str] | None = None,
    scales: Sequence[str] | None = None,
    pre: str = "pre",
    post: str = "post",
    correction: str = "holm",
    family: str = "group",
    total: str | None = "All participants",
) -> pd.DataFrame:
    """Pre/post change in every scale, by group (e.g. role), with a multiplicity correction.

    Parameters
    ----------
    scores
        Output of :func:`score` for both waves (``participant_id``, ``wave``, scales).
    groups
        Group of each participant (a Series indexed by participant_id or a
        mapping), e.g. ``participants.set_index("participant_id")["role"]``.
        None: everyone in one group.
    scales
        Scales to test; default every scale column with answers in both waves.
    correction
        Method for :func:`statsmodels.stats.multitest.multipletests` (``"holm"``
        by default; ``"fdr_bh"``, ``"bonferroni"``...), applied to ``p_t`` and
        ``p_w`` separately.
    family
        ``"group"``: correct across the scales tested within each group;
        ``"all"``: across every test in the table.
    total
        Label of an extra group holding everyone (None to leave it out).

    Returns
    -------
    DataFrame
        ``group, scale`` then the :func:`paired_change` columns and
        ``p_t_adj, p_w_adj``. Show it through ``disclose`` with every
        statistic listed under ``means`` against ``n``: results for groups of
        seven or fewer people are suppressed.
    """
    from statsmodels.stats.multitest import multipletests

    if family not in ("group", "all"):
        raise ValueError(f"family must be 'group' or 'all', not {family!r}")
    for col in ("participant_id", "wave"):
        if col not in scores.columns:
            raise ValueError(f"scores needs a {col} column (the output of score()).")
    keys = {"participant_id", "wave"}
    candidates = [c for c in scores.columns if c not in keys] if scales is None else list(scales)
    wide_pre = scores.loc[scores["wave"] == pre].set_index("participant_id")
    wide_post = scores.loc[scores["wave"] == post].set_index("participant_id")
    for label, frame in ((pre, wide_pre), (post, wide_post)):
        if frame.index.duplicated().any():
            raise ValueError(f"scores has more than one row for some participants in wave {label!r}; keep one per participant.")
    usable = [s for s in candidates if s in wide_pre.columns and s in wide_post.columns and wide_pre[s].notna().any() and wide_post[s].notna().any()]
    if groups is None:
        group_of = pd.Series("All participants", index=wide_pre.index.union(wide_post.index))
        total = None
    else:
        group_of = groups if isinstance(groups, pd.Series) else pd.Series(dict(groups))
    ids = wide_pre.index.intersection(wide_post.index)
    group_order = [g for g in ROLES if g in set(group_of.loc[group_of.index.intersection(ids)])]
    group_order += sorted({g for g in group_of.loc[group_of.index.intersection(ids)].dropna() if g not in group_order}, key=str)
    sets = [(g, group_of.index[group_of == g]) for g in group_order]
    if total is not None:
        sets.append((total, ids))
    rows = []
    for label, members in sets:
        members = ids.intersection(members)
        for scale in usable:
            result = paired_change(wide_pre.loc[members, scale], wide_post.loc[members, scale]).iloc[0].to_dict()
            if result["n"] == 0:
                continue
            rows.append({"group": label, "scale": scale, **result})
    table = pd.DataFrame(rows, columns=["group", "scale", *_CHANGE_COLUMNS])
    for p_col in ("p_t", "p_w"):
        adjusted = pd.Series(np.nan, index=table.index)
        blocks = [table.index] if family == "all" else [idx for _, idx in table.groupby("group", sort=False).groups.items()]
        for idx in blocks:
            values = table.loc[idx, p_col]
            ok = values.notna()
            if ok.any():
                adjusted.loc[values.index[ok]] = multipletests(values[ok].to_numpy(), method=correction)[1]
        table[f"{p_col}_adj"] = adjusted
    table["n"] = table["n"].astype(int)
    return table


# --------------------------------------------------------------------------- Likert charts


def likert_counts(responses: pd.DataFrame, instrument: Instrument, *, scale: str, wave: str | None = None) -> pd.DataFrame:
    """Answers to each item of a scale, counted by response option (UNROUNDED).

    Returns one row per item: ``item, text, reverse, n`` and one column per
    response option label (in code order). Items are shown as worded
    (reverse-keyed items are not flipped), so read their bars accordingly.
    """
    sc = instrument.scale(scale)
    part = responses if wave is None or "wave" not in responses.columns else responses.loc[responses["wave"] == wave]
    rows = []
    for item in sc.items:
        if item.id not in part.columns:
            continue
        values = pd.to_numeric(part[item.id], errors="coerce").dropna().astype(int)
        counts = values.value_counts()
        row = {"item": item.id, "text": item.text, "reverse": item.reverse, "n": int(values.size)}
        for code, label in sorted(sc.options.items()):
            row[label] = int(counts.get(code, 0))
        rows.append(row)
    return pd.DataFrame(rows, columns=["item", "text", "reverse", "n", *[sc.options[c] for c in sorted(sc.options)]])


def plot_likert(counts: pd.DataFrame, *, rules=None, ax=None, title: str | None = None, wrap: int = 45):
    """Diverging stacked bar chart of Likert answers, drawn from disclosed percentages.

    ``counts`` is :func:`likert_counts` output. Each option's share of an
    item's answers goes through :func:`rmresearch.disclosure.suppress_rate`
    (so, with HESA rules, items answered by fewer than 22.5 people are not
    drawn and are labelled as suppressed). A share resting on two or fewer
    answers (or all but two) would give that count back, so an item with such
    an option is drawn with its options merged into disagree / neutral / agree,
    and not drawn if a merged share is still that small. Disagreement extends left of zero,
    agreement right, and the middle option is split across zero. Without a
    ``title``, the title states the range of agreement across the items drawn.

    Returns the matplotlib Axes.
    """
    import textwrap

    import matplotlib.pyplot as plt

    from .disclosure import suppress_rate
    from .plots import new_figure

    option_cols = [c for c in counts.columns if c not in ("item", "text", "reverse", "n")]
    k = len(option_cols)
    if k < 2:
        raise ValueError("counts needs at least two response option columns (use likert_counts).")
    if ax is None:
        _, ax = new_figure(width=8.5, height=0.6 * len(counts) + 1.6)
    # Orange-to-blue diverging colours (safe for the common colour-vision deficiencies),
    # light grey in the middle: built from the Okabe-Ito vermilion and blue.
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list("likert", ["#D55E00", "#E8E8E8", "#0072B2"])
    colours = [cmap(x) for x in np.linspace(0, 1, k)]
    half = k // 2
    labels = []
    agreement = []
    suppressed_any = False
    merged_any = False
    # merged options: disagree side, middle (odd k), agree side, coloured like the end and middle options
    groups = [list(range(half)), *([[half]] if k % 2 else []), list(range(k - half, k))]
    merged_colours = [colours[0], *([colours[half]] if k % 2 else []), colours[-1]]

    def disclosed(values: list[float], n: float) -> np.ndarray | None:
        shares = [v / n if n else np.nan for v in values]
        shown = [suppress_rate(s, n, numerator=v, rules=rules) for s, v in zip(shares, values)]
        if any(not isinstance(s, (int, float, np.floating)) or np.isnan(s) for s in shown):
            return None
        return np.array(shown, dtype=float) * 100

    for y, (_, row) in enumerate(counts.reset_index(drop=True).iterrows()):
        text = str(row["text"]) + (" (reverse-keyed)" if row.get("reverse") else "")
        labels.append("\n".join(textwrap.wrap(text, wrap)))
        n = float(row["n"])
        values = [float(row[c]) for c in option_cols]
        shares, bar_colours, middle = disclosed(values, n), colours, bool(k % 2)
        if shares is None:
            shares = disclosed([sum(values[i] for i in g) for g in groups], n)
            bar_colours = merged_colours
            merged_any = merged_any or shares is not None
        if shares is None:
            suppressed_any = True
            few = isinstance(suppress_rate(0.5, n, rules=rules), str)
            ax.text(0, y, "suppressed (too few answers)" if few else "suppressed (small numbers)",
                    ha="center", va="center", fontsize=9, color="#555555")
            continue
        side = (len(shares) - (1 if middle else 0)) // 2
        agreement.append(shares[len(shares) - side:].sum())
        left = -shares[:side].sum() - (shares[side] / 2 if middle else 0)
        for share, colour in zip(shares, bar_colours):
            ax.barh(y, share, left=left, color=colour, edgecolor="white", height=0.7)
            left += share
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlim(-100, 100)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100%", "50%", "0", "50%", "100%"])
    ax.set_xlabel("Share of answers (disagree left, agree right)")
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours]
    ax.legend(handles, option_cols, ncol=min(k, 5), loc="upper center", bbox_to_anchor=(0.5, -0.18 if len(labels) > 2 else -0.35), fontsize=9)
    if title is None and agreement:
        low, high = min(agreement), max(agreement)
        title = f"{low:.0f}% agreed with the item" if len(agreement) == 1 else f"Agreement ranged from {low:.0f}% to {high:.0f}% across the items"
    if title:
        ax.set_title(title)
    notes = []
    if merged_any:
        notes.append("Items with an answer given by two or fewer people are shown as disagree / neutral / agree.")
    if suppressed_any:
        notes.append("Items answered by too few people are not drawn (disclosure control).")
    if notes:
        ax.figure.text(0.01, 0.0, " ".join(notes), fontsize=8, color="#555555")
    return ax
