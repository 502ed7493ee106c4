"""Disclosure settings: the HESA minimums, the OfS codes and the styles and bases a table may use."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict
from types import MappingProxyType
from typing import Any

import numpy as np

from ..config import AUDIENCES, DisclosureRules
from ..errors import AnalysisError

__all__ = ["OFS_CODES", "STYLES", "BASES", "AUDIENCES", "ACTIVITY_REFUSED", "HESA_MINIMUMS", "DisclosureWarning", "rules_below_minimums"]

#: OfS suppression codes, by reason.
OFS_CODES = MappingProxyType({
    "none": "[none]",  # population of two or fewer
    "low": "[low]",  # denominator under ofs_min_denominator (23)
    "DPL": "[DPL]",  # numerator two or fewer
    "DPH": "[DPH]",  # numerator within two of the denominator
})

STYLES = ("hesa", "ofs")
#: What a table's counts describe, which decides the rule (see :func:`disclose`).
BASES = ("people", "qualitative", "listing", "activity")
#: Column names (lower case) besides the characteristic identifiers that ``basis="activity"`` refuses: a group
#: column, or columns named after ethnicity groups or sexes (a crosstab by group), i.e. people by characteristic.
ACTIVITY_REFUSED = frozenset({"group", "groups", "bame", "white", "black", "asian", "mixed", "male", "female"})


class DisclosureWarning(UserWarning):
    """A table is about to be shown with a column that may disclose small numbers."""


def _resolve_rules(rules: Any) -> DisclosureRules:
    if rules is None:
        return DisclosureRules()
    if isinstance(rules, DisclosureRules):
        return rules
    if isinstance(rules, Mapping):
        return DisclosureRules.from_mapping(dict(rules), "rules")
    raise AnalysisError(
        f"rules must be a DisclosureRules (e.g. config.disclosure from load_cohort) or a mapping of its "
        f"fields, not {type(rules).__name__}."
    )


#: The least protective setting of each threshold that still meets the HESA standard
#: rounding methodology (and the OfS codes), with the direction that is weaker.
HESA_MINIMUMS = MappingProxyType({
    "round_to": 5,  # counts rounded to multiples of at least 5
    "min_percentage_denominator": 22.5,  # percentages of fewer than 22.5 people suppressed
    "max_mean_suppressed_n": 7,  # averages of 7 or fewer people suppressed
    "ofs_min_denominator": 23,  # OfS [low]
    "ofs_max_numerator_suppressed": 2,  # OfS [DPL], [DPH], [none]
    "min_cell_size": 3,  # small-cell suppression (internal counts, qualitative bases, listings): at least OfS's 1 to 2
})


def rules_below_minimums(rules: Any) -> list[str]:
    """Reasons why disclosure rules are weaker than the HESA minimums (an empty list when they are not).

    A release meant for the public must refuse rules with any reason listed:
    ``round_to: 1`` shows exact counts and ``min_percentage_denominator: 0``
    shows the rate of a single person. Stricter values (``round_to: 10``) are
    fine. Every :func:`disclose` record carries the list as
    ``below_hesa_minimums``, so a release gate can check each table.

    Examples
    --------
    >>> rules_below_minimums(DisclosureRules())
    []
    >>> rules_below_minimums({"round_to": 1, "min_percentage_denominator": 0})
    ['round_to is 1: counts must be rounded to multiples of at least 5', 'min_percentage_denominator is 0: percentages must be suppressed below at least 22.5 people']
    """
    if isinstance(rules, Mapping):
        values = {**asdict(DisclosureRules()), **dict(rules)}
    elif isinstance(rules, DisclosureRules):
        values = asdict(rules)
    elif rules is None:
        values = asdict(DisclosureRules())
    else:
        raise AnalysisError(f"rules_below_minimums: pass a DisclosureRules or a mapping of its fields, not {type(rules).__name__}.")
    wanted = {
        "round_to": "counts must be rounded to multiples of at least {}",
        "min_percentage_denominator": "percentages must be suppressed below at least {} people",
        "max_mean_suppressed_n": "averages must be suppressed for {} or fewer people (or a higher limit)",
        "ofs_min_denominator": "OfS [low] must apply below {} people (or a higher limit)",
        "ofs_max_numerator_suppressed": "OfS [DPL]/[DPH] must apply to numerators of {} or fewer (or a higher limit)",
        "min_cell_size": "a cell, qualitative base group or listing attribute combination must describe at least {} people",
    }
    reasons = []
    for field, text in wanted.items():
        value = values.get(field)
        minimum = HESA_MINIMUMS[field]
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or math.isnan(float(value)):
            reasons.append(f"{field} is {value!r}, not a number: {text.format(minimum)}")
        elif value < minimum:
            reasons.append(f"{field} is {value:g}: {text.format(minimum)}")
    marker = values.get("suppressed_marker")
    if not isinstance(marker, str) or not marker.strip():
        reasons.append(f"suppressed_marker is {marker!r}: a suppressed cell must be marked (HESA uses '..'), "
                       "not look like a missing value")
    return reasons


def _resolve_style(style: Any, rules: DisclosureRules) -> str:
    chosen = rules.style if style is None else style
    if not isinstance(chosen, str) or chosen.lower() not in STYLES:
        raise AnalysisError(f"style must be 'hesa' or 'ofs' (or None to use rules.style), not {chosen!r}.")
    return chosen.lower()
