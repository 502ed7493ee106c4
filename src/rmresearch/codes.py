"""Code lists: ethnicity (detailed HESA code to group), degree classes, roles.

The ethnicity mapping lives in one table (``data/ethnicity_hesa.csv`` by
default, or a CSV named in the cohort configuration) with columns
``code, label, ofs_group, aggregate``. Nothing is dropped silently: a code
that is not in the table is reported with the file, row and column where it
was found.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from .errors import ConfigError

__all__ = [
    "EthnicityMap",
    "load_ethnicity_map",
    "DEGREE_CLASSES",
    "CLASSIFIED_DEGREE_CLASSES",
    "DEFAULT_GOOD_HONOURS",
    "normalise_degree_class",
    "ROLES",
    "PARTNER_ROLES",
    "PAIR_STATUSES",
    "UNKNOWN_GROUP",
]

UNKNOWN_GROUP = "Unknown"

#: Degree classes in order, best first. "Pass" and "Unclassified" are not
#: classified honours and are excluded from good-honours denominators.
DEGREE_CLASSES = ("First", "2:1", "2:2", "Third", "Pass", "Unclassified")
CLASSIFIED_DEGREE_CLASSES = ("First", "2:1", "2:2", "Third")
DEFAULT_GOOD_HONOURS = ("First", "2:1")

# Spellings seen in student-record exports, mapped to the canonical class.
_DEGREE_SYNONYMS = {
    "first": "First",
    "1st": "First",
    "first class": "First",
    "first class honours": "First",
    "i": "First",
    "2:1": "2:1",
    "2.1": "2:1",
    "2i": "2:1",
    "ii.i": "2:1",
    "ii:i": "2:1",
    "upper second": "2:1",
    "upper second class": "2:1",
    "upper second class honours": "2:1",
    "2:2": "2:2",
    "2.2": "2:2",
    "2ii": "2:2",
    "ii.ii": "2:2",
    "ii:ii": "2:2",
    "lower second": "2:2",
    "lower second class": "2:2",
    "lower second class honours": "2:2",
    "third": "Third",
    "3rd": "Third",
    "third class": "Third",
    "third class honours": "Third",
    "iii": "Third",
    "pass": "Pass",
    "ordinary": "Pass",
    "unclassified": "Unclassified",
    "unclassified honours": "Unclassified",
}

ROLES = ("senior_leader", "staff_partner", "student_partner", "community_partner")
PARTNER_ROLES = ROLES[1:]
PAIR_STATUSES = ("active", "completed", "withdrawn")


def normalise_degree_class(value) -> str | None:
    """Return the canonical degree class for a spelling, or ``None`` if unknown.

    Examples
    --------
    >>> normalise_degree_class("Upper Second Class Honours")
    '2:1'
    >>> normalise_degree_class(" 1st ")
    'First'
    >>> normalise_degree_class("Distinction") is None
    True
    """
    if value is None:
        return None
    key = " ".join(str(value).strip().lower().split())
    return _DEGREE_SYNONYMS.get(key)


@dataclass(frozen=True)
class EthnicityMap:
    """Detailed ethnicity codes with their labels and groups.

    ``table`` has one row per code with columns ``code`` (str), ``label``,
    ``ofs_group`` and ``aggregate``. Labels are accepted in place of codes
    (``"White"`` for ``10``): student-record exports mix the two.
    """

    table: pd.DataFrame
    source: str = "built-in HESA table"

    def __post_init__(self):
        if self.table["code"].duplicated().any():
            dup = sorted(self.table.loc[self.table["code"].duplicated(), "code"].unique())
            raise ConfigError(f"{self.source}: ethnicity code(s) listed twice: {', '.join(dup)}")

    @property
    def codes(self) -> set[str]:
        return set(self.table["code"])

    def _lookup(self) -> dict[str, str]:
        lookup = {str(c): str(c) for c in self.table["code"]}
        for code, label in zip(self.table["code"], self.table["label"]):
            lookup.setdefault(str(label).strip().lower(), str(code))
        return lookup

    def normalise(self, values: pd.Series) -> pd.Series:
        """Canonical code for each value (codes or labels); ``NaN`` where unknown."""
        lookup = self._lookup()
        text = values.astype("string").str.strip()
        # "10.0" from a spreadsheet numeric column is the code 10
        text = text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
        by_code = text.map(lookup)
        by_label = text.str.lower().map(lookup)
        return by_code.fillna(by_label).astype("object")

    def group(self, codes: pd.Series, grouping: str = "ofs_group") -> pd.Series:
        """Group for each canonical code (``grouping`` is a column of the table)."""
        if grouping not in self.table.columns or grouping in ("code", "label"):
            choices = [c for c in self.table.columns if c not in ("code", "label")]
            raise ConfigError(
                f"Unknown ethnicity grouping '{grouping}'. The mapping table {self.source} "
                f"offers: {', '.join(choices)}."
            )
        mapping = dict(zip(self.table["code"], self.table[grouping]))
        return codes.map(mapping)

    def groups(self, grouping: str = "ofs_group") -> list[str]:
        """The groups of a grouping, in table order, unknowns last."""
        seen = list(dict.fromkeys(self.table[grouping]))
        return [g for g in seen if g != UNKNOWN_GROUP] + [g for g in seen if g == UNKNOWN_GROUP]


def load_ethnicity_map(path: str | Path | None = None) -> EthnicityMap:
    """Load the ethnicity mapping table (the built-in HESA table by default)."""
    if path is None:
        with resources.files("rmresearch").joinpath("data/ethnicity_hesa.csv").open("r", encoding="utf-8") as fh:
            table = pd.read_csv(fh, dtype=str)
        source = "built-in HESA table"
    else:
        path = Path(path)
        if not path.exists():
            raise ConfigError(f"Ethnicity mapping table not found: {path}")
        try:
            table = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{path}: not UTF-8 text ({exc.reason}). Save it as 'CSV UTF-8'.") from None
        source = str(path)
    missing = {"code", "label", "ofs_group"} - set(table.columns)
    if missing:
        raise ConfigError(
            f"{source}: the ethnicity mapping needs columns code, label, ofs_group "
            f"(and optionally aggregate); missing: {', '.join(sorted(missing))}"
        )
    table = table.fillna("")
    for col in table.columns:
        table[col] = table[col].astype(str).str.strip()
    if "aggregate" not in table.columns:
        table["aggregate"] = table["ofs_group"].where(
            table["ofs_group"].isin(["White", UNKNOWN_GROUP]), "BAME"
        )
    return EthnicityMap(table=table.reset_index(drop=True), source=source)
