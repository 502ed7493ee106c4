"""Attainment by any characteristic the cohort studies, and by the intersection of two (issue 14).

The cohort file names its characteristics (``options.characteristics``; ``cfg.characteristics``, the first or
``options.focus`` being ``cfg.focus``) and intersections (``cfg.intersections``). Loaded tables carry each one's
``group_column`` and ``aggregate_column``; this module turns them into what notebook 03 shows:

- :func:`require_focus`: stop a section, with a note, when the cohort has no students table or the table does not
  carry the characteristic (``tables:`` leaves it out);
- :func:`carried`: the characteristics and intersections a students table carries;
- :func:`model_covariates`: a model's covariates without the characteristic's own column (a model of the gap
  between disabled and other students does not also adjust for disability);
- :func:`by_characteristic`: good-honours or continuation rates by group with the gap to the reference group, the
  groups in the characteristic's order under their display labels, and the ``Unknown`` row (not known, refused,
  blank) shown and compared like any other group, never dropped;
- :func:`disclose_by_characteristic`: the table through :func:`disclose_attainment` under the characteristic's own
  rules (``cfg.disclosure.for_characteristic(ch)``: stricter for special-category data and intersections), with
  the columns a reader needs, and :func:`characteristic_caption` / :func:`characteristic_lines` to go with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..codes import DEFAULT_GOOD_HONOURS, UNKNOWN_GROUP
from ..errors import AnalysisError
from ._common import ATTRS, _alpha, _check_frame, _require
from .gaps import _gap_table
from .groups import _outcome

__all__ = [
    "MEASURES", "CharacteristicUnit", "characteristic_units", "load_students", "intro_lines", "require_focus",
    "carried", "has_detailed_groups", "model_covariates", "matching_for", "by_characteristic",
    "disclose_by_characteristic", "characteristic_caption", "characteristic_lines", "with_labels"
]

#: The measures :func:`by_characteristic` gives: {name: (what is counted, outcome column or None for good honours)}.
MEASURES = {"awarding_gap": ("good honours", None), "continuation": ("continuation into year 2", "continued")}
#: The columns of a table by characteristic a reader sees (after the group column).
SHOWN_COLUMNS = ("n", "rate", "rate_ci_low", "rate_ci_high", "rate_method", "gap_pp", "ci_low", "ci_high", "p_value",
                 "significant", "method")


def _tables_phrase(ch: Any) -> str:
    tables = tuple(getattr(ch, "tables", ()) or ())
    return ", ".join(tables) if tables else "no table"


def load_students(cfg: Any) -> pd.DataFrame | None:
    """``load_table(cfg, "students")``, or None when the cohort file names no students table (a staff-only or
    community cohort): every section of notebook 03 then shows a note (:func:`require_focus`)."""
    if (getattr(cfg, "inputs", None) or {}).get("students") in (None, "", {}, []):
        return None
    from ..inputs import load_table

    return load_table(cfg, "students")


def intro_lines(cfg: Any, students: pd.DataFrame | None, *, focus: Any = None) -> list[str]:
    """The sentences under notebook 03's title: what is compared with what, in the cohort's own words, and which
    characteristics the students table does not carry.

    >>> from types import SimpleNamespace
    >>> ch = SimpleNamespace(name="disability", title="Disability", group_column="disability_group",
    ...                      reference="No known disability", aggregate="Disabled", tables=("staff",),
    ...                      people=lambda g, u: f"{g.lower()} {u}")
    >>> cfg = SimpleNamespace(title="Scheme", institution="Uni", good_honours=("First", "2:1"), focus=ch,
    ...                       characteristics={"disability": ch}, intersections=())
    >>> print("\\n".join(intro_lines(cfg, None)))
    **Scheme** (Uni). The cohort file names no students table, so there are no students to compare: each section below says so.
    >>> print(intro_lines(cfg, pd.DataFrame({"sex_group": ["Male"]}))[0])
    **Scheme** (Uni). Good honours: First or 2:1 among classified degrees. The students table does not carry disability, the characteristic this scheme is about (options.characteristics: tables), so each comparison by it below is a note.
    >>> sex = SimpleNamespace(name="sex", title="Sex", group_column="sex_group", reference="Male",
    ...                       aggregate="Female", people=lambda g, u: f"{g} {u}")
    >>> cfg.focus, cfg.characteristics = sex, {"sex": sex, "disability": ch}
    >>> print(intro_lines(cfg, pd.DataFrame({"sex_group": ["Male"]}))[1])
    The students table does not carry this characteristic of the cohort file (options.characteristics: tables), so students are not compared by it: disability.
    """
    focus = focus or cfg.focus
    head = f"**{cfg.title}** ({cfg.institution})."
    if students is None:
        return [f"{head} The cohort file names no students table, so there are no students to compare: each section "
                "below says so."]
    title = str(getattr(focus, "title", "") or focus.name).lower()
    lines = [f"{head} Good honours: {' or '.join(cfg.good_honours)} among classified degrees."]
    if focus in carried(students, [focus]):
        lines[0] += (f" The comparisons are by {title}: {focus.people(focus.reference, 'students')} (the reference "
                     f"group) against {focus.people(focus.aggregate, 'students')} (every other known group together).")
    else:
        lines[0] += (f" The students table does not carry {title}, the characteristic this scheme is about "
                     "(options.characteristics: tables), so each comparison by it below is a note.")
    if students.attrs.get("consent_unlinked", 0):
        lines[0] += " Participants who did not consent to linking their records count as students outside the scheme."
    every = [*dict(getattr(cfg, "characteristics", {}) or {}).values(), *(getattr(cfg, "intersections", ()) or ())]
    missing = [str(getattr(ch, "title", "") or ch.name).lower() for ch in every
               if ch not in carried(students, [ch]) and ch != focus]
    if missing:
        lines.append(f"The students table does not carry {'this characteristic' if len(missing) == 1 else 'these'} "
                     f"of the cohort file (options.characteristics: tables), so students are not compared by "
                     f"{'it' if len(missing) == 1 else 'them'}: {'; '.join(missing)}.")
    return lines


def require_focus(students: pd.DataFrame | None, ch: Any, *, aggregate: bool = False) -> pd.DataFrame:
    """The students table, when it carries ``ch``; otherwise an AnalysisError that becomes the section's note.

    ``students`` is None when the cohort file names no students table. The table must carry the characteristic's
    group column, or with ``aggregate`` its aggregate column (reference / aggregate / Unknown).

    >>> from types import SimpleNamespace
    >>> ch = SimpleNamespace(name="disability", title="Disability", group_column="disability_group",
    ...                      aggregate_column="disability_aggregate", tables=("staff",))
    >>> require_focus(None, ch)
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: the cohort file names no students table (inputs: students: FILE), so there are no students to compare
    >>> require_focus(pd.DataFrame({"sex_group": ["Male"]}), ch)
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: the students table does not carry disability (the cohort file's options.characteristics.disability.tables names staff); add students to its tables, with the column, to compare students by disability
    """
    if students is None:
        raise AnalysisError("the cohort file names no students table (inputs: students: FILE), so there are no "
                            "students to compare")
    _check_frame(students, "require_focus")
    needed = [ch.aggregate_column if aggregate else ch.group_column]
    if any(c not in students.columns for c in needed):
        title = str(getattr(ch, "title", "") or ch.name).lower()
        if getattr(ch, "parts", ()):
            where = (f"each of {' and '.join(p.name for p in ch.parts)} must be carried by the students table "
                     "(options.characteristics.<name>.tables)")
            raise AnalysisError(f"the students table does not carry {title} ({where}), so students cannot be "
                                f"compared by it")
        raise AnalysisError(f"the students table does not carry {title} (the cohort file's "
                            f"options.characteristics.{ch.name}.tables names {_tables_phrase(ch)}); add students to "
                            f"its tables, with the column, to compare students by {title}")
    return students


def carried(students: pd.DataFrame | None, characteristics: Iterable[Any]) -> list[Any]:
    """The characteristics (and intersections) whose group column the students table has, in the order given.

    >>> from types import SimpleNamespace
    >>> sex, caring = SimpleNamespace(group_column="sex_group"), SimpleNamespace(group_column="caring_group")
    >>> [c.group_column for c in carried(pd.DataFrame({"sex_group": ["Male"]}), [sex, caring])]
    ['sex_group']
    >>> carried(None, [sex])
    []
    """
    if students is None:
        return []
    return [ch for ch in characteristics if ch.group_column in students.columns]


def _own_columns(ch: Any) -> set[str]:
    own = {ch.name, getattr(ch, "column", ch.name), ch.group_column, ch.aggregate_column}
    for part in getattr(ch, "parts", ()) or ():
        own |= _own_columns(part)
    return {str(c) for c in own if c}


def has_detailed_groups(ch: Any) -> bool:
    """Whether ``ch``'s groups say more than reference / aggregate (ethnicity's OfS groups do; a yes/no
    characteristic such as disability, or an intersection, does not): then notebook 03 shows a table by group too.

    >>> from types import SimpleNamespace
    >>> has_detailed_groups(SimpleNamespace(group_column="d_group", aggregate_column="d_aggregate", reference="No",
    ...                                     group_names=lambda: ["Yes", "No", "Unknown"]))
    False
    """
    if ch.group_column == ch.aggregate_column:
        return False
    return len([g for g in ch.group_names() if g not in (ch.reference, UNKNOWN_GROUP)]) > 1


def model_covariates(covariates: Sequence[str], ch: Any, *, characteristics: Iterable[Any] = ()) -> tuple[str, ...]:
    """``covariates`` without the characteristic's own columns (its name, column, group columns; an
    intersection's parts' too): a model of the gap by disability does not adjust for disability.

    ``characteristics`` (those the students table carries: ``carried(students, cfg.characteristics.values())``)
    replace a covariate that is one of their raw columns (``sex``) by its group column (``sex_group``): the codes
    read through the code list, not the file's spellings, with not known and prefer not to say as Unknown.

    >>> from types import SimpleNamespace
    >>> disability = SimpleNamespace(name="disability", column="disability", group_column="disability_group",
    ...                              aggregate_column="disability_aggregate", parts=())
    >>> model_covariates(("tariff", "sex", "disability", "faculty"), disability)
    ('tariff', 'sex', 'faculty')
    >>> sex = SimpleNamespace(name="sex", column="sex", group_column="sex_group", aggregate_column="sex_aggregate")
    >>> model_covariates(("tariff", "sex", "disability", "faculty"), disability, characteristics=[disability, sex])
    ('tariff', 'sex_group', 'faculty')
    >>> both = SimpleNamespace(name="disability_by_sex", column="", group_column="disability_by_sex",
    ...                        aggregate_column="disability_by_sex", parts=(disability, sex))
    >>> model_covariates(("tariff", "sex", "disability", "faculty"), both)
    ('tariff', 'faculty')
    """
    own = _own_columns(ch)
    grouped = {}
    for other in characteristics:
        if not getattr(other, "parts", ()):
            grouped.setdefault(str(other.name), other.group_column)
            grouped.setdefault(str(getattr(other, "column", other.name)), other.group_column)
    return tuple(dict.fromkeys(grouped.get(c, c) for c in covariates if c not in own))


def matching_for(ch: Any, *, covariates: Sequence[str] = ("sex", "disability", "imd_quintile")) -> dict[str, tuple]:
    """The ``match_on`` and ``covariates`` of :func:`mentored_comparison` for a cohort whose focus is ``ch``:
    mentored students are matched within their group of ``ch`` (and faculty, entry year, tariff band); the
    propensity model takes that group and ``covariates`` less the characteristic's own columns.

    >>> from types import SimpleNamespace
    >>> sex = SimpleNamespace(name="sex", column="sex", group_column="sex_group", aggregate_column="sex_aggregate")
    >>> matching_for(sex)["match_on"], matching_for(sex)["covariates"]
    (('sex_group', 'faculty', 'entry_year', 'tariff_band'), ('sex_group', 'faculty', 'entry_year', 'tariff', 'disability', 'imd_quintile'))
    """
    return {"match_on": (ch.group_column, "faculty", "entry_year", "tariff_band"),
            "covariates": (ch.group_column, "faculty", "entry_year", "tariff", *model_covariates(covariates, ch))}


def with_labels(table: pd.DataFrame, ch: Any, *, column: str | None = None) -> pd.DataFrame:
    """A result of this package whose group column (or ``column``: ``"group"`` of a difference in differences)
    shows the characteristic's display labels (``ch.label``), its reference relabelled to match; unrounded still
    (disclose it as before).

    >>> from rmresearch.attainment import awarding_gap
    >>> from types import SimpleNamespace
    >>> ch = SimpleNamespace(label=lambda g: {"BAME": "global majority"}.get(g, g))
    >>> table = awarding_gap(pd.DataFrame({"g": ["White", "BAME"], "degree_class": ["2:1", "2:2"]}), group="g")
    >>> shown = with_labels(table, ch)
    >>> shown["g"].tolist(), shown.attrs["attainment"]["reference"]
    (['White', 'global majority'], 'White')
    """
    spec = dict(table.attrs.get(ATTRS) or {})
    column = column or spec.get("group")
    if not spec or column is None or column not in table.columns:
        raise AnalysisError("with_labels: pass a table returned by an rmresearch.attainment function.")
    out = table.copy()
    out[column] = out[column].map(lambda g: g if pd.isna(g) else ch.label(g))
    if spec.get("reference") is not None:
        spec["reference"] = ch.label(spec["reference"])
    out.attrs = {**table.attrs, ATTRS: spec}
    return out


def _order(table: pd.DataFrame, column: str, ch: Any) -> pd.DataFrame:
    """The reference first, then the characteristic's groups in its order, any others, Unknown last."""
    names = list(ch.group_names()) if hasattr(ch, "group_names") else []
    rank = {g: i for i, g in enumerate([ch.reference] + [g for g in names if g not in (ch.reference, UNKNOWN_GROUP)])}
    key = table[column].map(lambda g: len(rank) + 1 if g == UNKNOWN_GROUP else rank.get(g, len(rank)))
    out = table.assign(_rank=key.to_numpy()).sort_values(["_rank", column], kind="stable").drop(columns="_rank")
    out.attrs = table.attrs
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class CharacteristicUnit:
    """One section of notebook 03's "By every characteristic": a characteristic (or intersection) and a measure,
    with the section's title (also the table's caption) and what it needs."""

    characteristic: Any
    measure: str
    title: str
    needs: str


def characteristic_units(cfg: Any, students: pd.DataFrame | None) -> list[CharacteristicUnit]:
    """The sections by characteristic: each of ``cfg.characteristics`` and ``cfg.intersections`` the students table
    carries (:func:`carried`), each with each of :data:`MEASURES`; none without a students table."""
    every = [*dict(cfg.characteristics).values(), *tuple(getattr(cfg, "intersections", ()) or ())]
    units = []
    for ch in carried(students, every):
        for measure, (label, _) in MEASURES.items():
            needs = (f"{ch.people(ch.reference, 'students')} with a record of {label}, and students of other groups "
                     f"of {str(getattr(ch, 'title', '') or ch.name).lower()}")
            units.append(CharacteristicUnit(ch, measure, characteristic_caption(ch, measure), needs))
    return units


def by_characteristic(students: pd.DataFrame, ch: Any, *, measure: str = "awarding_gap",
                      good: Sequence[str] = DEFAULT_GOOD_HONOURS, alpha: float = 0.05) -> pd.DataFrame:
    """Rates by the groups of one characteristic (or intersection) and each group's gap to its reference group.

    Parameters
    ----------
    students : pandas.DataFrame
        ``load_table(cfg, "students")``: it carries ``ch.group_column``.
    ch : rmresearch.characteristics.Characteristic
        A characteristic of ``cfg.characteristics`` or an intersection of ``cfg.intersections``.
    measure : {"awarding_gap", "continuation"}
        Good honours among classified degrees, or continuation into year 2 (column ``continued``).
    good, alpha
        As :func:`awarding_gap`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`awarding_gap` by ``ch.group_column``: the reference first, the groups in the
        characteristic's order, then ``Unknown`` (not known, prefer not to say, blank), which is shown and compared
        like any group rather than left out. Group values are display labels (``ch.label``). Unrounded: show it
        with :func:`disclose_by_characteristic` under ``cfg.disclosure.for_characteristic(ch)``.
    """
    if measure not in MEASURES:
        raise AnalysisError(f"by_characteristic: measure must be one of {', '.join(MEASURES)}, not {measure!r}.")
    require_focus(students, ch)
    label, outcome = MEASURES[measure]
    column = ch.group_column
    what = f"{measure.replace('_', ' ')} by {str(getattr(ch, 'title', '') or ch.name).lower()}"
    if outcome is not None:
        _require(students, [outcome], what, f"The students table needs a yes/no {outcome!r} column.")
    y, why = _outcome(students, outcome, good, what)
    frame = students.assign(**{column: students[column].astype(object).where(students[column].notna(),
                                                                            UNKNOWN_GROUP)})
    present = set(frame.loc[y.notna().to_numpy(), column].astype(str))
    if ch.reference not in present:
        raise AnalysisError(f"{what}: no {ch.people(ch.reference, 'students')} have an outcome ({label}), so there "
                            "is no reference group to compare with")
    table = _gap_table(frame, y=y, not_in_denominator=why, group=column, reference=ch.reference, by=[],
                       alpha=_alpha(alpha), what=what, outcome_label=label, known_only=False)
    return with_labels(_order(table, column, ch), ch)


def disclose_by_characteristic(table: pd.DataFrame, *, rules: Any, name: str | None = None) -> pd.DataFrame:
    """:func:`disclose_attainment` of a :func:`by_characteristic` table under ``rules`` (pass
    ``cfg.disclosure.for_characteristic(ch)``), with the group column and :data:`SHOWN_COLUMNS`."""
    from .reporting import disclose_attainment

    spec = table.attrs.get(ATTRS) or {}
    column = spec.get("group")
    if column is None:
        raise AnalysisError("disclose_by_characteristic: pass a table returned by by_characteristic.")
    shown = disclose_attainment(table, rules=rules, name=name or f"{spec.get('outcome', 'rates')} by {column}")
    record = shown.attrs.get("disclosure")
    out = shown[[column] + [c for c in SHOWN_COLUMNS if c in shown.columns]]
    out.attrs["disclosure"] = record
    return out


def characteristic_caption(ch: Any, measure: str) -> str:
    """The caption of a table by characteristic: ``'Good honours by disability'``."""
    title = str(getattr(ch, "title", "") or ch.name.replace("_", " ")).lower()
    return f"{MEASURES[measure][0][0].upper()}{MEASURES[measure][0][1:]} by {title}"


def characteristic_lines(shown: pd.DataFrame, ch: Any, *, rules: Any, base_rules: Any = None) -> list[str]:
    """Sentences under a table by characteristic: whom it compares with whom, what ``Unknown`` counts, and the
    stricter threshold of special-category data or an intersection (from the rules the table was disclosed with).

    >>> from types import SimpleNamespace
    >>> from rmresearch.config import DisclosureRules
    >>> ch = SimpleNamespace(name="disability", title="Disability", reference="No known disability",
    ...                      special_category=True, parts=(), people=lambda g, u: f"{g} {u}", label=lambda g: g)
    >>> for line in characteristic_lines(pd.DataFrame({"disability_group": ["Unknown"]}), ch,
    ...                                  rules=DisclosureRules(min_percentage_denominator=30),
    ...                                  base_rules=DisclosureRules()):
    ...     print(line)
    Each gap is the rate of No known disability students minus the group's rate, in percentage points.
    Unknown counts students whose disability is not known, who preferred not to say, or whose record is blank: they are shown, not left out.
    Disability is special-category data, so a rate resting on fewer than 30 students is not shown (fewer than 23 for other tables).
    """
    from ..display import fewer_than, people_threshold

    title = str(getattr(ch, "title", "") or ch.name).lower()
    lines = [f"Each gap is the rate of {ch.people(ch.reference, 'students')} minus the group's rate, in percentage "
             "points."]
    column = shown.columns[0]
    if (shown[column] == ch.label(UNKNOWN_GROUP)).any():
        parts = getattr(ch, "parts", ()) or ()
        whose = " or ".join(str(getattr(p, "title", "") or p.name).lower() for p in parts) if parts else title
        lines.append(f"{ch.label(UNKNOWN_GROUP)} counts students whose {whose} is not known, who preferred not to "
                     "say, or whose record is blank: they are shown, not left out.")
    stricter = base_rules is not None and people_threshold(rules) > people_threshold(base_rules)
    if stricter:
        why = (f"{title[0].upper()}{title[1:]} is an intersection of two characteristics"
               if getattr(ch, "parts", ()) else f"{title[0].upper()}{title[1:]} is special-category data"
               if getattr(ch, "special_category", False) else f"{title[0].upper()}{title[1:]} has its own rules")
        lines.append(f"{why}, so a rate resting on {fewer_than(rules, 'students')} is not shown "
                     f"({fewer_than(base_rules, '').strip()} for other tables).")
    return lines

