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
    "census_label",
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


#: Census-style ethnicity labels ("Group: detail", as HR and student-record systems write the 2011 and 2021
#: census categories) to the built-in HESA table's labels. Keys: the group's word, then the detail with "any "
#: and punctuation dropped. The census "English, Welsh, Scottish, Northern Irish or British" box (and each of
#: those words alone, except Scottish, which HESA keeps as its own code) is "White - British"; the census
#: "Gypsy or Irish Traveller" box is HESA's "Gypsy or Traveller".
_CENSUS_DETAILS = {
    "white": {
        "british": "White - British", "english": "White - British", "welsh": "White - British",
        "northern irish": "White - British", "english welsh scottish northern irish or british": "White - British",
        "english welsh scottish northern irish british": "White - British", "scottish": "White - Scottish",
        "irish": "White - Irish", "irish traveller": "Irish Traveller",
        "gypsy or irish traveller": "Gypsy or Traveller",
        "gypsy or traveller": "Gypsy or Traveller", "gypsy": "Gypsy or Traveller", "roma": "Roma",
        "other white background": "Other White background", "other": "Other White background",
    },
    "black": {
        "caribbean": "Black or Black British - Caribbean", "african": "Black or Black British - African",
        "other black background": "Other Black background",
        "other black black british or caribbean background": "Other Black background",
        "other black african or caribbean background": "Other Black background",
        "other black african caribbean background": "Other Black background", "other": "Other Black background",
    },
    "asian": {
        "indian": "Asian or Asian British - Indian", "pakistani": "Asian or Asian British - Pakistani",
        "bangladeshi": "Asian or Asian British - Bangladeshi", "chinese": "Chinese",
        "other asian background": "Other Asian background", "other": "Other Asian background",
    },
    "mixed": {
        "white and black caribbean": "Mixed - White and Black Caribbean",
        "white and black african": "Mixed - White and Black African", "white and asian": "Mixed - White and Asian",
        "other mixed background": "Other Mixed background",
        "other mixed or multiple ethnic background": "Other Mixed background",
        "other mixed multiple ethnic background": "Other Mixed background", "other": "Other Mixed background",
    },
    "other": {
        "arab": "Arab", "other ethnic group": "Other ethnic background",
        "other ethnic background": "Other ethnic background",
        "other": "Other ethnic background",
    },
}
#: Labels without a group that exports use for the HESA "unknown" codes.
_CENSUS_PLAIN = {"prefer not to say": "Information refused", "not stated": "Not known"}


def _census_group(prefix: str) -> str | None:
    """The census group a heading names ("Black, Black British, Caribbean or African" is black)."""
    words = set(prefix.replace("/", " ").replace(",", " ").split())
    for group in ("mixed", "asian", "black", "white"):  # "Mixed - White and Asian": mixed wins
        if group in words:
            return group
    return "other" if "other" in words else None


def census_label(value) -> str | None:
    """The built-in HESA table's label for a census-style label ("Group: detail"), or ``None``.

    The heading and the detail are separated by ":" or " - " (an en dash too); headings may use "/" (2011 style:
    "Asian/Asian British"); any case; "Any other ..." is "Other ...". Used by :meth:`EthnicityMap.normalise` for values that are neither a code nor a table label.

    >>> census_label("White: English"), census_label("White - Welsh"), census_label("Asian or Asian British: Indian")
    ('White - British', 'White - British', 'Asian or Asian British - Indian')
    >>> census_label("Black, Black British, Caribbean or African: Caribbean")
    'Black or Black British - Caribbean'
    >>> census_label("Mixed or Multiple ethnic groups: White and Asian")
    'Mixed - White and Asian'
    >>> census_label("Black/African/Caribbean/Black British: Any other Black/African/Caribbean background")
    'Other Black background'
    >>> census_label("Other ethnic group: Arab"), census_label("Prefer not to say"), census_label("White: Martian")
    ('Arab', 'Information refused', None)
    """
    text = " ".join(str(value).strip().lower().replace("\u2013", "-").split())
    if text in _CENSUS_PLAIN:
        return _CENSUS_PLAIN[text]
    for sep in (":", " - "):
        if sep in text:
            prefix, detail = text.split(sep, 1)
            break
    else:
        return None
    group = _census_group(prefix)
    if group is None:
        return None
    detail = " ".join(detail.replace("/", " ").replace(",", " ").replace("-", " ").split())
    detail = detail.removeprefix("any ")
    return _CENSUS_DETAILS[group].get(detail)


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
        """Canonical code for each value (codes, labels or census-style labels); ``NaN`` where unknown.

        A census-style label ("White: English", "Asian or Asian British: Indian") is read as the built-in
        table's label it names (:func:`census_label`) and then looked up among this table's labels, so a
        mapping table with other codes still gets the code of its own label (or none, reported as unknown).
        """
        lookup = self._lookup()
        text = values.astype("string").str.strip()
        # "10.0" from a spreadsheet numeric column is the code 10
        text = text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
        by_code = text.map(lookup)
        by_label = text.str.lower().map(lookup)
        found = by_code.astype(object).where(by_code.notna(), by_label.astype(object))  # where: no fillna downcast
        unmatched = found.isna() & text.notna()
        if unmatched.any():
            census = {v: lookup.get((census_label(v) or "").lower()) for v in text[unmatched].unique()}
            found = found.where(found.notna(), text.map(census).astype(object))
        return found.astype("object")

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
