"""Showing and recording attainment results: exclusions, disclosure control, percentage points."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..errors import AnalysisError
from ._common import ATTRS, COVARIATE_LABELS

__all__ = ["exclusions", "disclose_attainment", "record_pp", "group_row", "gap_sentence", "show_sentences", "model_notes", "covariates_phrase"]


def exclusions(result: pd.DataFrame) -> pd.DataFrame:
    """The rows a result left out and why, as a table (``reason``, ``n``) to show through disclose.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.attainment import awarding_gap
    >>> students = pd.DataFrame({"ethnicity_group": ["White", "Unknown", "Black", "White"],
    ...                          "degree_class": ["First", "2:1", "Pass", "2:2"]})
    >>> exclusions(awarding_gap(students))
                        reason  n
    0        unknown_ethnicity  1
    1  not_a_classified_degree  1
    """
    excluded = result.attrs.get("excluded")
    if excluded is None:
        raise AnalysisError("exclusions: pass a table returned by an rmresearch.attainment function.")
    return pd.DataFrame({"reason": list(excluded), "n": [int(v) for v in excluded.values()]}, columns=["reason", "n"])


def disclose_attainment(
    table: pd.DataFrame,
    *,
    rules: Any = None,
    style: str | None = None,
    decimals: int = 1,
    name: str | None = None,
) -> pd.DataFrame:
    """Disclosure control for the tables of this module.

    Calls :func:`rmresearch.disclosure.disclose` with the table's count and rate
    columns, then hides every derived number (gaps, intervals, marginal effects,
    value added, ...) that rests on a group whose rate the rules suppress, with
    the same marker. Shown numbers are rounded to ``decimals`` places.

    Parameters
    ----------
    table : pandas.DataFrame
        An unrounded result of :func:`awarding_gap`, :func:`adjusted_gap`,
        :func:`value_added`, :func:`oaxaca_blinder`, :func:`fairlie`,
        :func:`mentored_comparison`, :func:`continuation_rates` or
        :func:`gap_difference_in_differences` (or its ``attrs["did_table"]``).
    rules : DisclosureRules, optional
        ``config.disclosure``.
    style : {"hesa", "ofs"}, optional
    decimals : int, default 1
    name : str, optional
        Name recorded in the disclosure log.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmresearch.attainment import awarding_gap
    >>> students = pd.DataFrame({"ethnicity_group": ["White"] * 40 + ["Mixed"] * 6,
    ...                          "degree_class": ["2:1"] * 30 + ["2:2"] * 10 + ["2:1"] * 6})
    >>> shown = disclose_attainment(awarding_gap(students))
    >>> shown[["ethnicity_group", "n", "rate", "gap_pp"]]
      ethnicity_group   n   rate gap_pp
    0           White  40  75.0%
    1           Mixed   5     ..     ..
    """
    from ..disclosure import OFS_CODES, _resolve_rules, disclose

    spec = table.attrs.get(ATTRS)
    if not isinstance(spec, dict):
        raise AnalysisError("disclose_attainment: pass a table returned by an rmresearch.attainment function "
                         "(other tables go through rmresearch.disclosure.disclose directly).")
    rules = _resolve_rules(rules)
    rates = {r: (d if n is None else (d, n)) for r, (d, n) in spec["rates"].items()}
    # One path: every derived number (gap, interval, p-value, flag) is suppressed by
    # disclose() wherever a rate it rests on is, with that rate's marker.
    derived = {c: [tuple(b) for b in bases] for c, bases in spec.get("derived", {}).items() if c in table.columns}
    places = spec.get("decimals", {})
    derived_places = {c: places.get(c, 3 if c == "p_value" else decimals) for c in derived}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numerators already listed as counts
        shown = disclose(table, counts=[c for c in spec["counts"] if c in table.columns], rates=rates, rules=rules,
                         style=style, decimals=decimals, derived=derived, derived_decimals=derived_places,
                         name=name or f"attainment: {spec['kind']}")
    helpers = [c for c in spec.get("helpers", []) if c in shown.columns]
    if helpers:  # columns a suppression decision needs but a reader does not
        record = shown.attrs.get("disclosure")
        shown = shown.drop(columns=helpers)
        shown.attrs["disclosure"] = record
    if spec["kind"] == "gap":
        markers = {rules.suppressed_marker, *OFS_CODES.values()}
        is_reference = (table[spec["group"]] == spec["reference"]).to_numpy()
        for column in ("gap_pp", "ci_low", "ci_high", "significant"):
            if column in shown.columns:
                keep = shown[column].map(lambda v: v in markers).to_numpy(dtype=bool)
                shown.loc[is_reference & ~keep, column] = ""
    return shown


def record_pp(
    key: str,
    estimate_pp: float,
    *,
    ci_pp: tuple[float, float],
    label: str,
    n: Any = None,
    rests_on: Sequence[Any] | None = None,
    section: str | None = None,
    headline: bool = False,
    n_of: str = "students",
    decimals: int = 1,
    recorder: Any = None,
) -> dict[str, Any]:
    """Record an estimate in percentage points (a gap, a difference of rates) as a key result.

    The tables of this package give gaps in percentage points (``gap_pp``,
    ``ci_low``, ``ci_high``); a results file holds an estimate as a difference
    of proportions shown x100 with the unit "pp". This does the conversion once:
    ``results.record(key, estimate_pp / 100, kind="estimate", ci=(low / 100, high / 100),
    unit="pp", scale=100, ...)``, under the cohort's disclosure rules.

    Parameters
    ----------
    key : str
        Result key (``"awarding_gap"``).
    estimate_pp : float
        The unrounded estimate, percentage points.
    ci_pp : (float, float)
        Its interval, percentage points.
    label : str
        What the number is, for the report.
    n, rests_on, section, headline, n_of, decimals
        As :meth:`rmresearch.results.Recorder.record`; ``rests_on`` lists the
        ``(n, good)`` counts of the rates the estimate rests on, so it is
        suppressed wherever one of them would be.
    recorder : rmresearch.results.Recorder, optional
        Default: the notebook's current recorder (:func:`rmresearch.results.start`).

    Returns
    -------
    dict
        The stored record.

    Examples
    --------
    >>> from rmresearch.results import Recorder
    >>> rec = Recorder()
    >>> r = record_pp("awarding_gap", 8.4, ci_pp=(3.1, 13.7), n=400, rests_on=[(400, 120), (600, 230)],
    ...               label="Awarding gap", recorder=rec)
    >>> r["display"], rec.record("x", 0.084, kind="estimate", ci=(0.031, 0.137), n=400, unit="pp", scale=100,
    ...                          decimals=1, n_of="students", label="Awarding gap")["display"]
    ('8.4 pp', '8.4 pp')
    """
    from .. import results

    low, high = ci_pp
    options = dict(kind="estimate", n=n, rests_on=rests_on, ci=(low / 100, high / 100), unit="pp", scale=100,
                   decimals=decimals, n_of=n_of, headline=headline, section=section, label=label)
    if recorder is None:  # results.record returns a record that shows nothing at the end of a cell
        return results.record(key, estimate_pp / 100, **options)
    return recorder.record(key, estimate_pp / 100, **options)


def group_row(table: pd.DataFrame, value: Any, *, column: str | None = None) -> pd.Series:
    """The row of one group in a table of this module; an AnalysisError when the cohort has no such row.

    ``column`` defaults to the table's group column. A notebook section that needs the aggregate group's row shows a
    note, rather than failing, when no student of that group has an outcome.

    >>> from rmresearch.attainment import awarding_gap
    >>> table = awarding_gap(pd.DataFrame({"ethnicity_group": ["White", "Black"], "degree_class": ["2:1", "2:2"]}))
    >>> int(group_row(table, "Black")["n"])
    1
    >>> group_row(table, "Asian")
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: no Asian students with an outcome in column 'ethnicity_group' (groups present: White, Black); the comparison needs students of that group.
    """
    spec = table.attrs.get(ATTRS, {})
    column = column or spec.get("group")
    if column is None or column not in table.columns:
        raise AnalysisError(f"group_row: the table has no group column {column!r}; pass column=.")
    rows = table.loc[table[column] == value]
    if rows.empty:
        present = ", ".join(map(str, dict.fromkeys(table[column].dropna())))
        raise AnalysisError(f"no {value} students with an outcome in column {column!r} (groups present: "
                            f"{present or 'none'}); the comparison needs students of that group.")
    return rows.iloc[0]


def _shown(value: Any) -> bool:
    return str(value).strip() not in ("", "nan", "None") and any(ch.isdigit() for ch in str(value))


def gap_sentence(shown: pd.DataFrame, *, reference: str, comparison: str, column: str | None = None,
                 reference_people: str | None = None, comparison_people: str | None = None) -> str:
    """The headline gap in words, from a *disclosed* gap table: only numbers the table shows, or why not.

    ``reference`` and ``comparison`` are the groups' values in the table; ``reference_people`` and
    ``comparison_people`` the phrases the sentence uses for them (``focus.people(group, "students")``: "disabled
    students"), by default the value followed by "students".

    >>> shown = pd.DataFrame({"g": ["White", "BAME"], "rate": ["78.5%", ".."], "gap_pp": ["", ".."],
    ...                       "ci_low": ["", ".."], "ci_high": ["", ".."]})
    >>> gap_sentence(shown, reference="White", comparison="BAME", column="g", comparison_people="global majority students")
    "In this cohort's records the good-honours rate is 78.5% for White students and the rate of global majority students rests on too few students to be shown; the gap between them is not shown."
    """
    column = column or shown.attrs.get(ATTRS, {}).get("group") or shown.columns[0]
    rows = shown.set_index(column)
    ref, comp = rows.loc[reference], rows.loc[comparison]
    ref_who = reference_people or f"{reference} students"
    comp_who = comparison_people or f"{comparison} students"
    if _shown(ref["rate"]) and _shown(comp["rate"]) and _shown(comp["gap_pp"]):
        return (f"In this cohort's records the good-honours rate is {ref['rate']} for {ref_who} and "
                f"{comp['rate']} for {comp_who}: a gap of {comp['gap_pp']} percentage points (95% interval "
                f"{comp['ci_low']} to {comp['ci_high']}).")
    parts = [f"the good-honours rate is {ref['rate']} for {ref_who}" if _shown(ref["rate"]) else
             f"the rate of {ref_who} rests on too few students to be shown"]
    parts.append(f"the rate of {comp_who} rests on too few students to be shown" if not _shown(comp["rate"])
                 else f"the rate is {comp['rate']} for {comp_who}")
    return f"In this cohort's records {parts[0]} and {parts[1]}; the gap between them is not shown."


def show_sentences(lines: Sequence[str]) -> None:
    """Show sentences under a table, one paragraph each (nothing when there are none)."""
    if not lines:
        return
    try:
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover - IPython comes with the notebook stack
        print("\n\n".join(lines))
        return
    display(Markdown("\n\n".join(lines)))


def covariates_phrase(covariates: Sequence[str], *, left_out: Sequence[str] = ()) -> str:
    """The covariates of a model in words, for a label ("entry tariff, age, sex and faculty").

    >>> covariates_phrase(["tariff", "age_on_entry", "sex", "imd_quintile"])
    'entry tariff, age, sex and deprivation'
    >>> covariates_phrase(["tariff", "disability"], left_out=["disability"])
    'entry tariff'
    >>> covariates_phrase(["tariff", "sex_group", "sexual_orientation_group"])
    'entry tariff, sex and sexual orientation'
    """
    def word(column: str) -> str:
        name = str(column).removesuffix("_group")
        return COVARIATE_LABELS.get(column, COVARIATE_LABELS.get(name, name.replace("_", " ")))

    words = [word(c) for c in covariates if c not in set(left_out)]
    if not words:
        return "no characteristics"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def model_notes(*tables: pd.DataFrame, rules: Any = None) -> list[str]:
    """Sentences for under a model's table: which sparse levels were merged, which groups left out (rounded counts).

    Reads ``attrs["merged"]`` and ``attrs["groups_left_out"]`` of :func:`adjusted_gap`, :func:`oaxaca_blinder` and
    :func:`fairlie` results; a merge found in several tables is said once.

    >>> from rmresearch.stats.design import Merge
    >>> table = pd.DataFrame()
    >>> table.attrs.update(min_level_n=10, merged=[Merge("faculty", ("Vet",), "Other faculties", 12)],
    ...                    groups_left_out=Merge("ethnicity_group", ("Other",), "", 1))
    >>> for line in model_notes(table, table): print(line)
    Faculty: Vet (about 10 students) is merged into 'Other faculties' in the model, because a level with fewer than 10 students, or whose students all had the same outcome, cannot be estimated.
    Ethnicity group: Other (a few students) is left out of the model: fewer than 10 students, or all with the same outcome, so its adjusted gap cannot be estimated.
    """
    from ..disclosure import _resolve_rules, hesa_round
    from ..stats.design import merge_sentences

    round_to = int(getattr(_resolve_rules(rules), "round_to", 5) or 5)
    labels = {c: w[0].upper() + w[1:] for c, w in COVARIATE_LABELS.items()}
    labels.update({f"{c}_group": w for c, w in labels.items()})  # a characteristic's group column reads as its name
    seen, lines = set(), []
    for table in tables:
        min_n = table.attrs.get("min_level_n")
        for merge in table.attrs.get("merged") or []:
            if (merge.column, merge.levels, merge.into) not in seen:
                seen.add((merge.column, merge.levels, merge.into))
                lines += merge_sentences([merge], min_n=min_n, round_to=round_to, labels=labels)
        left = table.attrs.get("groups_left_out")
        if left is not None and (left.column, left.levels) not in seen:
            seen.add((left.column, left.levels))
            rounded = hesa_round(left.n, round_to)
            about = f"about {rounded:,} students" if rounded >= round_to else "a few students"
            names = " and ".join(map(str, left.levels))
            lines.append(f"{left.column.replace('_', ' ').capitalize()}: {names} ({about}) "
                         f"{'is' if len(left.levels) == 1 else 'are'} left out of the model: fewer than {min_n} "
                         "students, or all with the same outcome, so its adjusted gap cannot be estimated.")
    return lines
