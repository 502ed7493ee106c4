"""The disclosure rules applied to one recorded result (:func:`rmresearch.results.record`), per kind of number
(``basis=``) and audience (``rules.audience``), as :func:`~rmresearch.disclosure.disclose` applies them to a table:

- ``"people"``: public: counts rounded (:func:`~rmresearch.disclosure.hesa_round`), rates on small bases and
  averages on few people suppressed; internal: counts exact with 1 to ``min_cell_size - 1`` suppressed, rates,
  averages and estimates suppressed when they rest on fewer than ``min_cell_size`` people.
- ``"qualitative"``: a count or share of a base group ``n`` (participants interviewed in a role): exact internally;
  in public shown exactly where ``n`` is at least ``min_cell_size``, suppressed otherwise.
- ``"activity"``: exact for both audiences.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Any

from ..config import DisclosureRules
from ..errors import AnalysisError


def _internal(rules: DisclosureRules) -> bool:
    return rules.audience == "internal"


def _people_count(v: float, rules: DisclosureRules) -> tuple[int | None, str | None]:
    """A count of people as recorded: rounded in public; exact internally, None with a reason for 1 to ``min_cell_size - 1``."""
    from . import hesa_round

    if not _internal(rules):
        return hesa_round(v, base=rules.round_to), None
    if 0 < v < rules.min_cell_size or math.isnan(v):
        return None, f"is a count of fewer than {rules.min_cell_size} people"
    return int(round(v)), None


def _threshold(rules: DisclosureRules, kind: str) -> str:
    """The words of the rule that suppressed a rate (or estimate) or an average, for the reason."""
    if _internal(rules):
        return f"fewer than {rules.min_cell_size}"
    if rules.style != "hesa":
        return "too few"
    if kind == "mean":
        return f"{rules.max_mean_suppressed_n} or fewer"
    from ..display import people_threshold  # HESA's 22.5 printed as the whole number of people it means (23)

    return f"fewer than {people_threshold(rules)}"


def _number(x: Any, what: str) -> float:
    if isinstance(x, bool) or x is None:
        raise AnalysisError(f"{what} must be a number, not {x!r}.")
    if hasattr(x, "item") and not isinstance(x, numbers.Number):  # numpy scalar / 0-d array
        x = x.item()
    if not isinstance(x, numbers.Real):
        raise AnalysisError(f"{what} must be a number, not {type(x).__name__} ({x!r}).")
    return float(x)


def _bases(key, rests_on) -> list[tuple[float, float | None]]:
    """``rests_on`` checked: a non-empty list of (denominator, numerator) counts, numerator None or within 0..denominator."""
    import pandas as pd

    pairs = [rests_on] if isinstance(rests_on, tuple) else rests_on
    if isinstance(pairs, (str, bytes)) or not hasattr(pairs, "__iter__"):
        raise AnalysisError(f"result {key!r}: rests_on lists the (denominator, numerator) counts of each rate the "
                         f"number is derived from, e.g. [(400, 120), (60, 2)], not {rests_on!r}.")
    out = []
    for pair in pairs:
        if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise AnalysisError(f"result {key!r}: each entry of rests_on is a (denominator, numerator) pair, not {pair!r}.")
        pair = list(pair)  # by position: a row's Series row[["n", "good"]] is indexed by label
        # a missing count (NaN, pd.NA from a nullable column) is kept as NaN: the rules count it as small (fail safe)
        den = math.nan if pair[0] is pd.NA else _number(pair[0], f"result {key!r}: rests_on denominator")
        num = None if pair[1] is None else (
            math.nan if pair[1] is pd.NA else _number(pair[1], f"result {key!r}: rests_on numerator"))
        if den < 0 or (num is not None and (num < 0 or num > den)):
            raise AnalysisError(f"result {key!r}: rests_on pair ({pair[0]!r}, {pair[1]!r}) is not a rate's "
                             "(denominator, numerator): the numerator must lie between 0 and the denominator.")
        out.append((den, num))
    if not out:
        raise AnalysisError(f"result {key!r}: rests_on is empty; list the (denominator, numerator) counts of each rate "
                         "the number is derived from, or leave it out.")
    return out


def _rests_on_reason(pairs, rules: DisclosureRules) -> str:
    """Why a number derived from the rates ``pairs`` is not shown (one of them is suppressed), without any count."""
    from . import derived_marker

    threshold = _threshold(rules, "rate")
    for den, num in pairs:
        if derived_marker([(den, num)], rules=rules) is None:
            continue
        if derived_marker([(den, None)], rules=rules) is not None:
            return f"rests on a rate that is not shown ({threshold} people)"
        return "rests on a rate that is not shown (too few people with, or without, the outcome)"
    return "rests on a rate that is not shown"


def _controlled(key, value, *, kind, n, ci, numerator, rules: DisclosureRules, scale, decimals, unit,
                rests_on=None) -> dict[str, Any]:
    from . import derived_marker, suppress_mean, suppress_rate

    out: dict[str, Any] = {"value": None, "display": None, "ci_low": None, "ci_high": None, "n": None,
                           "suppressed": False, "reason": None, "scale": scale}
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise AnalysisError(f"result {key!r}: a text result must be a non-empty string.")
        if re.search(r"\d", value):
            raise AnalysisError(
                f"result {key!r}: text results cannot contain digits ({value!r}); record numbers with "
                "kind='count', 'rate', 'mean' or 'estimate' so disclosure control applies to them."
            )
        if n is not None or ci is not None or rests_on is not None:
            raise AnalysisError(f"result {key!r}: a text result takes no n, ci or rests_on.")
        out.update(value=value.strip(), display=value.strip())
        return out

    pairs = None if rests_on is None else _bases(key, rests_on)
    if pairs is not None and n is None:
        n = min(den for den, _ in pairs)  # a NaN denominator stays NaN: suppressed below (fail safe)
    v = _number(value, f"result {key!r}: value")
    # A number resting on a suppressed rate is not shown whatever it is: a ratio to a rate of 0 (no one promoted)
    # is infinite or undefined, and recording it must not stop the report.
    marker = None if pairs is None or kind == "count" else derived_marker(pairs, rules=rules)
    if (math.isnan(v) or math.isinf(v)) and marker is None:
        raise AnalysisError(f"result {key!r}: value is {v}; record only results that could be calculated.")
    if kind == "count" and pairs is not None:
        raise AnalysisError(f"result {key!r}: a count takes no rests_on (counts are rounded); record a number derived "
                         "from rates with kind='estimate'.")
    if kind == "count":
        if ci is not None:
            raise AnalysisError(f"result {key!r}: a count takes no confidence interval.")
        shown, reason = _people_count(v, rules)
        if reason:
            out.update(display=rules.suppressed_marker, suppressed=True, reason=reason)
        else:
            out.update(value=shown, display=f"{shown:,}")
        if n is not None:
            out["n"] = _people_count(_number(n, f"result {key!r}: n"), rules)[0]
        return out

    if n is None:
        raise AnalysisError(
            f"result {key!r}: a {kind} needs n, the unrounded number of people it rests on, so the "
            "disclosure rules can decide whether it may be shown."
        )
    n_value = _number(n, f"result {key!r}: n")
    if n_value < 0:
        raise AnalysisError(f"result {key!r}: n cannot be negative ({n_value}).")
    out["n"] = _people_count(n_value, rules)[0]
    # one path: the rule disclose(derived=...) applies to a table's gap or ratio column, so the record
    # carries the marker the table's cell shows (and neither the value nor its interval)
    if marker is not None:
        out.update(display=marker, suppressed=True, reason=_rests_on_reason(pairs, rules))
        return out
    low = high = None
    if ci is not None:
        try:
            low, high = ci
        except (TypeError, ValueError):
            raise AnalysisError(f"result {key!r}: ci must be a (low, high) pair.") from None
        low, high = _number(low, f"result {key!r}: ci low"), _number(high, f"result {key!r}: ci high")
        if not low <= high:
            raise AnalysisError(f"result {key!r}: ci low {low} is above ci high {high}.")

    if kind == "rate":
        if not 0 <= v <= 1:
            raise AnalysisError(f"result {key!r}: a rate is a proportion between 0 and 1, not {v}; divide percentages by 100.")
        # Without its numerator a rate is still value x n people: 1 of 26 pairs as 3.8% gives back a count shown
        # as 0, so the small-count rule applies to the count the rate implies.
        num = v * n_value if numerator is None else _number(numerator, f"result {key!r}: numerator")
        shown = suppress_rate(v, n_value, rules=rules, numerator=num)
    elif kind == "mean":
        shown = suppress_mean(v, n_value, rules=rules)
    else:  # estimate: as a percentage would be, an estimate on a small group is not shown
        shown = suppress_rate(0.5, n_value, rules=rules)
    threshold = _threshold(rules, kind)
    if isinstance(shown, str):
        out.update(display=shown, suppressed=True, reason=f"rests on {threshold} people")
        return out
    places = decimals if decimals is not None else (2 if kind == "estimate" else 1)
    out.update(value=v, ci_low=low, ci_high=high, decimals=places)
    from ..results import as_shown, format_value

    out["display"] = format_value(out | {"kind": kind, "unit": unit})
    # The file holds the numbers as shown, never more precise: 0.11538461538461539 beside n gives back 3/26.
    out.update(value=as_shown(v, kind=kind, scale=scale, decimals=places),
               ci_low=None if low is None else as_shown(low, kind=kind, scale=scale, decimals=places),
               ci_high=None if high is None else as_shown(high, kind=kind, scale=scale, decimals=places))
    return out


def _activity(key, value, *, label, kind, n, ci, numerator, scale, decimals, unit, rests_on) -> dict[str, Any]:
    """A count, rate or average of programme activity, shown exactly (``basis="activity"``)."""
    from ..results import as_shown, format_value
    from .rules import ACTIVITY_REFUSED
    from .specs import _is_characteristic

    words = [*key.split("_"), *re.findall(r"[a-z]+", label.lower())]
    named = sorted({w for w in words if _is_characteristic(w) or w in ACTIVITY_REFUSED})
    if named:
        raise AnalysisError(f"result {key!r}: basis='activity' is for programme activity, but the key or label names "
                            f"a characteristic ({', '.join(named)}); activity by characteristic counts people by "
                            "characteristic, so record it with basis='people'.")
    if kind not in ("count", "rate", "mean") or rests_on is not None or ci is not None:
        raise AnalysisError(f"result {key!r}: basis='activity' takes a count, rate or mean of what was counted, "
                            f"without ci or rests_on (not a {kind} with them); record estimates with basis='people'.")
    v = _number(value, f"result {key!r}: value")
    out: dict[str, Any] = {"value": None, "display": None, "ci_low": None, "ci_high": None, "n": None,
                           "suppressed": False, "reason": None, "scale": scale}
    if n is not None:
        out["n"] = _whole(n, f"result {key!r}: n")
    if kind == "count":
        if n is not None or numerator is not None:
            raise AnalysisError(f"result {key!r}: a count takes no n or numerator.")
        out.update(value=_whole(v, f"result {key!r}: value"))
        out["display"] = f"{out['value']:,}"
        return out
    if n is None:
        raise AnalysisError(f"result {key!r}: a {kind} needs n, what it rests on (pairs, meetings...).")
    if math.isnan(v) or math.isinf(v) or (kind == "rate" and not 0 <= v <= 1):
        raise AnalysisError(f"result {key!r}: a {kind} of activity must be a finite number"
                            f"{' between 0 and 1' if kind == 'rate' else ''}, not {v}.")
    places = 1 if decimals is None else decimals
    out.update(value=v, decimals=places)
    out["display"] = format_value(out | {"kind": kind, "unit": unit})
    out["value"] = as_shown(v, kind=kind, scale=scale, decimals=places)
    return out


def _whole(x: Any, what: str) -> int:
    v = _number(x, what)
    if v < 0 or v != math.floor(v):
        raise AnalysisError(f"{what} must be a whole number of at least 0 (an exact count of activity), not {x!r}.")
    return int(v)


def _qualitative(key, value, *, kind, n, ci, numerator, rules: DisclosureRules, scale, decimals, unit,
                 rests_on) -> dict[str, Any]:
    """A qualitative count (or share) of a base group of ``n`` people: exact internally; in public exact where ``n``
    is at least ``min_cell_size``, suppressed otherwise (``basis="qualitative"``)."""
    if kind not in ("count", "rate") or ci is not None or rests_on is not None:
        raise AnalysisError(f"result {key!r}: basis='qualitative' takes a count or share of a base group (n: the "
                            f"participants interviewed in that role or group), without ci or rests_on, not a {kind}.")
    if n is None:
        raise AnalysisError(f"result {key!r}: basis='qualitative' needs n, the number of people in the base group "
                            "(e.g. participants interviewed in that role).")
    base = _whole(n, f"result {key!r}: n")
    if not _internal(rules) and base < rules.min_cell_size:
        return {"value": None, "display": rules.suppressed_marker, "ci_low": None, "ci_high": None, "n": None,
                "suppressed": True, "scale": scale,
                "reason": f"rests on a group of fewer than {rules.min_cell_size} people (a public report)"}
    if kind == "count":
        if numerator is not None:
            raise AnalysisError(f"result {key!r}: a count takes no numerator.")
        v = _whole(value, f"result {key!r}: value")
        return {"value": v, "display": f"{v:,}", "ci_low": None, "ci_high": None, "n": base, "suppressed": False,
                "reason": None, "scale": scale}
    return _activity(key, value, label="qualitative share", kind=kind, n=base, ci=None, numerator=numerator,
                     scale=scale, decimals=decimals, unit=unit, rests_on=None)
