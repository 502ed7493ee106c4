"""Survey instruments: scales of Likert items and open questions, read from YAML files.

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
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from ..codes import ROLES
from ..errors import AnalysisError, ConfigError, UnknownName
from ..io.surveys import normalise_label as _norm

__all__ = [
    "KIRKPATRICK_LEVELS",
    "WAVES",
    "Item",
    "Scale",
    "OpenQuestion",
    "Instrument",
    "list_instruments",
    "load_instrument",
    "project_instrument_folder",
    "instrument_text",
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
    #: Optional ``description``, ``reference`` (where the items come from) and ``licence`` of the YAML file, and
    #: its leading comment block (the shipped files cite their sources there).
    description: str = ""
    reference: str = ""
    licence: str = ""
    notes: str = ""

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
        raise UnknownName(f"instrument {self.name!r} has no scale {name!r}; scales: {', '.join(self.scale_names)}")

    def scale_of(self, item_id: str) -> Scale:
        for s in self.scales:
            if item_id in s.item_ids:
                return s
        raise UnknownName(f"{item_id!r} is not an item of instrument {self.name!r}; its items: "
                          f"{', '.join(i for s in self.scales for i in s.item_ids)}")

    def item(self, item_id: str) -> Item:
        for s in self.scales:
            for i in s.items:
                if i.id == item_id:
                    return i
        raise UnknownName(f"{item_id!r} is not an item of instrument {self.name!r}; its items: "
                          f"{', '.join(i for s in self.scales for i in s.item_ids)}")

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
        # YAML reads a bare Yes/No (and On/Off...) as true/false: the label the file shows is meant
        options[number] = ("Yes" if label else "No") if isinstance(label, bool) else str(label)
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
    """A user's instrument file as text: size-limited and decoded as every user file is (:mod:`rmresearch.io.text`)."""
    from .. import config
    from ..io.text import read_text

    return read_text(path, limit=config.MAX_YAML_BYTES, what="an instrument file", error=ConfigError,
                     advice="Save it as UTF-8 text (the instrument YAML files are plain text).")


@functools.lru_cache(maxsize=64)
def _parse_instrument(text: str, source: str) -> Instrument:
    """An instrument from its YAML text. Cached on the text itself (instruments are frozen), so a file read again
    unchanged is not parsed again: every survey wave and ``validate`` look the instruments up."""
    from ..config import load_yaml_text

    data = load_yaml_text(text, source)  # duplicate keys (two items with one id...) an error, aliases bounded
    if not isinstance(data, dict) or "instrument" not in data:
        raise ConfigError(f"{source}: an instrument file starts with 'instrument: <name>' and lists 'scales:' (see rmresearch.surveys).")
    unknown = set(data) - {"instrument", "title", "description", "reference", "licence", "scales", "open_questions"}
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}; known: instrument, title, "
                          "description, reference, licence, scales, open_questions.")
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
    about = {k: str(data.get(k) or "").strip() for k in ("description", "reference", "licence")}
    return Instrument(str(data["instrument"]), str(data.get("title", data["instrument"])), scales, tuple(questions),
                      source, notes=_leading_comment(text), **about)


def _leading_comment(text: str) -> str:
    """The comment lines a YAML file starts with, joined (``# `` removed; a blank line ends a paragraph).

    >>> _leading_comment("# Scandura & Ragins (1993).\\n# Paraphrased.\\ninstrument: x\\n# not this")
    'Scandura & Ragins (1993). Paraphrased.'
    """
    lines = []
    for line in text.lstrip("\ufeff").splitlines():
        if not line.lstrip().startswith("#"):
            break
        lines.append(line.lstrip()[1:].strip())
    return " ".join(w for w in lines if w)


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
    from ..config import instrument_folder

    return instrument_folder(config)


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
            raise AnalysisError("load_instrument: the list of instrument names is empty; give at least one name (e.g. [\"mfq9\"]).")
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
    import difflib

    close = difflib.get_close_matches(text_name, known, n=3, cutoff=0.6)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise ConfigError(f"No instrument '{text_name}'.{hint} Known instruments: {', '.join(known)}. "
                      f"Add your own as {Path(folder or 'surveys/instruments') / (text_name + '.yml')}.")


def _wrap(text: str, indent: str, hang: int = 0, width: int = 110) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width=width, initial_indent=indent,
                         subsequent_indent=indent + " " * hang) or [indent.rstrip()]


def _roles_text(roles: tuple[str, ...]) -> str:
    return "everyone" if set(roles) == set(ROLES) else ", ".join(roles)


def instrument_text(instrument: Instrument) -> str:
    """The instrument as a person reads it: title, source and licence, each scale's items (id, wording, reversed?)
    with its response options and who answers it when, then the open questions. ``rmresearch survey instruments
    NAME`` prints it.

    Examples
    --------
    >>> text = instrument_text(load_instrument("psychological_safety"))
    >>> print(text.splitlines()[0])
    psychological_safety: Psychological safety in the pair
    >>> [line for line in text.splitlines() if "psychological_safety_3" in line][0].split()[:2]
    ['psychological_safety_3', '(reversed)']
    """
    lines = [f"{instrument.name}: {instrument.title}", f"File: {instrument.source}"]
    for label, value in (("About", instrument.description or instrument.notes), ("Reference", instrument.reference),
                         ("Licence", instrument.licence)):
        if value:
            lines += _wrap(f"{label}: {value}", "")
    width = max([len(i.id) for s in instrument.scales for i in s.items] + [len(q.id) for q in instrument.open_questions])
    for scale in instrument.scales:
        lines += ["", f"Scale {scale.name}: {scale.title}"]
        if scale.description:
            lines += _wrap(scale.description, "  ")
        level = f"; Kirkpatrick level: {scale.kirkpatrick}" if scale.kirkpatrick else ""
        lines.append(f"  answered by {_roles_text(scale.answered_by)}; waves: {', '.join(scale.waves)}{level}; "
                     f"scored as the mean of at least {scale.minimum_answered} of {len(scale.items)} items")
        lines += _wrap("response options: " + "; ".join(f"{c} = {t}" for c, t in sorted(scale.options.items())), "  ")
        for item in scale.items:
            mark = "(reversed) " if item.reverse else ""
            lines += _wrap(f"{item.id:<{width}}  {mark}{item.text}", "  ", width + 2)
        if scale.reverse_items:
            lines.append(f"  (reversed): scored {scale.high + scale.low} minus the answer")
    if instrument.open_questions:
        lines += ["", "Open questions (free text: anonymised by `rmresearch anonymise run` before anyone reads them)"]
        for q in instrument.open_questions:
            lines += _wrap(f"{q.id:<{width}}  {q.text} [answered by {_roles_text(q.answered_by)}; "
                           f"waves: {', '.join(q.waves)}]", "  ", width + 2)
    return "\n".join(lines)

