"""The cohort roster: the people whose names must never survive anonymisation.

A roster comes from the cohort's participants table
(:func:`rmresearch.inputs.load_table`) or from any CSV with a ``name`` column
and, optionally, ``participant_id`` and ``aliases`` (several separated by
``;``). Every person gets the forms people use in speech: the full name, the
first name, the surname, each part of a hyphenated or multi-part surname, the
name without middle names, and every alias.

Examples
--------
>>> import pandas as pd
>>> roster = Roster.from_frame(pd.DataFrame({
...     "participant_id": ["P01", "P02"],
...     "name": ["Adaeze Okonkwo-Bello", "Faith Mensah"],
...     "aliases": ["Ada", None]}))
>>> sorted(roster.forms("P01"))[:4]
['ada', 'adaeze', 'adaeze okonkwo-bello', 'bello']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import AnalysisError, InputError
from ..io import text as textio
from .lexicon import NAME_TITLES

#: Largest roster CSV read (bytes): a cohort's people are kilobytes; anything this large is the wrong file.
MAX_ROSTER_BYTES = 50_000_000

__all__ = ["Person", "Roster", "load_roster", "name_tokens"]

_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|['\u2019\-.](?=[^\W\d_]))*")
_TITLES = {t.casefold() for t in NAME_TITLES} | {t.casefold() + "." for t in NAME_TITLES}


def name_tokens(name: str) -> list[str]:
    """Word tokens of a name, titles removed (``"Dr Adaeze Okonkwo-Bello"`` -> 2 tokens)."""
    toks = [m.group() for m in _TOKEN.finditer(str(name))]
    while toks and toks[0].casefold().rstrip(".") in _TITLES:
        toks = toks[1:]
    return toks


@dataclass(frozen=True)
class Person:
    participant_id: str
    name: str
    aliases: tuple[str, ...] = ()

    @property
    def tokens(self) -> list[str]:
        return name_tokens(self.name)


@dataclass
class Roster:
    """People and the token sequences that name them (casefolded)."""

    people: list[Person]
    #: token tuple -> participant IDs it may name
    index: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    #: token tuple -> "full" | "alias" | "first" | "last" | "part"
    kinds: dict[tuple[str, ...], str] = field(default_factory=dict)
    max_len: int = 1

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for p in self.people:
            if p.participant_id in seen:
                raise InputError(f"roster: participant_id {p.participant_id!r} appears twice; IDs must be unique.")
            seen.add(p.participant_id)
            for form, kind in self._variants(p):
                key = tuple(t.casefold() for t in form)
                if not key:
                    continue
                self.index.setdefault(key, set()).add(p.participant_id)
                rank = ("full", "alias", "first", "last", "part")
                if key not in self.kinds or rank.index(kind) < rank.index(self.kinds[key]):
                    self.kinds[key] = kind
                self.max_len = max(self.max_len, len(key))
        self.first_tokens = {k[0] for k in self.index}

    @staticmethod
    def _variants(p: Person):
        toks = p.tokens
        if not toks:
            return
        yield toks, "full"
        if len(toks) > 2:
            yield [toks[0], toks[-1]], "full"
            yield toks[1:], "full"
        yield [toks[0]], "first"
        if len(toks) > 1:
            yield [toks[-1]], "last"
            for t in toks[1:-1]:
                if len(t) > 2:
                    yield [t], "part"
        for t in toks:
            if "-" in t:
                for part in t.split("-"):
                    if len(part) > 2:
                        yield [part], "part"
        for alias in p.aliases:
            atoks = name_tokens(alias)
            if atoks:
                yield atoks, "alias"
                if len(atoks) > 1:
                    yield [atoks[0]], "alias"
                    yield [atoks[-1]], "alias"

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, source: str = "roster") -> "Roster":
        """From a table with ``name`` (required), ``participant_id`` and ``aliases`` (optional)."""
        columns = {str(c).strip().lower(): c for c in frame.columns}
        if "name" not in columns:
            raise InputError(
                f"{source}: no 'name' column (columns found: {', '.join(map(str, frame.columns)) or 'none'}). "
                "A roster needs a 'name' column with each person's full name, and may have "
                "'participant_id' and 'aliases' (several separated by ';')."
            )
        names = frame[columns["name"]]
        ids = frame[columns["participant_id"]] if "participant_id" in columns else None
        aliases = frame[columns["aliases"]] if "aliases" in columns else None
        people = []
        for i, name in enumerate(names):
            if name is None or (isinstance(name, float) and pd.isna(name)) or not str(name).strip():
                raise InputError(f"{source}: row {i + 2}, column 'name' is empty; give the person's full name or remove the row.")
            pid = str(ids.iloc[i]).strip() if ids is not None and pd.notna(ids.iloc[i]) else f"R{i + 1:03d}"
            raw = aliases.iloc[i] if aliases is not None else None
            alias_list = tuple(a.strip() for a in str(raw).split(";") if a.strip()) if raw is not None and pd.notna(raw) else ()
            people.append(Person(pid, str(name).strip(), alias_list))
        return cls(people)

    @classmethod
    def from_csv(cls, path: str | Path) -> "Roster":
        import io

        path = Path(path)
        if not path.exists():
            raise InputError(f"{path}: roster file not found.")
        text = textio.read_text(path, limit=MAX_ROSTER_BYTES, what="a roster CSV", unit="row",
                                advice="Save the roster as 'CSV UTF-8 (Comma delimited)'.")
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
        except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
            raise InputError(f"{path}: not a readable CSV file ({exc}).") from None
        return cls.from_frame(frame, source=str(path))

    # ------------------------------------------------------------------ queries
    def person(self, participant_id: str) -> Person:
        for p in self.people:
            if p.participant_id == participant_id:
                return p
        raise KeyError(participant_id)

    def forms(self, participant_id: str) -> set[str]:
        """Every casefolded form (space-joined) that names ``participant_id``."""
        return {" ".join(k) for k, ids in self.index.items() if participant_id in ids}

    def own_names(self, manifest: pd.DataFrame | None, file: str) -> set[str]:
        """Casefolded first names and one-word aliases of ``file``'s interviewee (``participant_id``, looked up
        here) and interviewer (a name) in the interview ``manifest`` (:func:`rmresearch.coding.manifest.load_manifest`).

        >>> roster = Roster([Person("P14", "Favour Ncube", ("Fav",))])
        >>> manifest = pd.DataFrame({"file": ["interview_03.vtt"], "participant_id": ["P14"],
        ...                          "interviewer": ["Dr Eleanor Bird"]})
        >>> sorted(roster.own_names(manifest, "interview_03.vtt")), roster.own_names(manifest, "other.txt")
        (['eleanor', 'fav', 'favour'], set())
        """
        if manifest is None or "file" not in manifest.columns:
            return set()
        out: set[str] = set()
        for _, row in manifest[manifest["file"].astype(str) == str(file)].iterrows():
            pid, interviewer = row.get("participant_id"), row.get("interviewer")
            people = [p for p in self.people if pd.notna(pid) and p.participant_id == str(pid)]
            names = [p.name for p in people] + [a for p in people for a in p.aliases]
            names += [str(interviewer)] if pd.notna(interviewer) and str(interviewer).strip() else []
            out |= {name_tokens(n)[0].casefold() for n in names if name_tokens(n)}
        return out

    def all_tokens(self) -> set[str]:
        return {t for k in self.index for t in k}

    def __len__(self) -> int:
        return len(self.people)


def load_roster(config=None, *, path: str | Path | None = None) -> Roster:
    """The roster from ``path`` (a CSV) or else the cohort's participants table."""
    if path is not None:
        return Roster.from_csv(path)
    if config is None:
        raise AnalysisError("load_roster needs a cohort configuration (config=) or a roster CSV (path=); pass one.")
    from ..inputs import load_table

    frame = load_table(config, "participants")
    return Roster.from_frame(frame, source=str(config.input_path("participants")))
