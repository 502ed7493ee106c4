"""Staff progression by every characteristic a cohort studies, and the staff records notebook 04 starts from.

- :func:`load_staff_records` reads the cohort's staff snapshots once: prepared for the cohort's focus
  characteristic (``cfg.focus``: ``aggregate_group`` is its reference / aggregate / Unknown), and for the
  analyses by every characteristic. A cohort without staff records, or whose staff records do not carry the
  focus, gets :class:`~rmresearch.progression._common.Unavailable` tables: each section that needs them becomes a
  note saying why, and the notebook still runs.
- :func:`staff_characteristics` lists the characteristics (and intersections of two) the staff table carries.
- :func:`senior_representation` and :func:`promotion_and_leaving` are one characteristic's tables: the share of
  each group among senior staff beside its share of all staff, and the relative likelihood (WRES style, the
  reference group's rate divided by each group's) of promotion and of leaving per person-year. Each is disclosed
  with the rules it is given: pass ``cfg.disclosure.for_characteristic(ch)``, which is stricter for
  special-category data and for intersections. Group cells and headers are in the characteristic's own words
  (``ch.label``), never a fixed group name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import AnalysisError
from ._common import Unavailable, _require_columns, _rules

__all__ = ["StaffRecords", "Shown", "load_staff_records", "staff_characteristics", "each_characteristic",
           "senior_representation", "promotion_and_leaving", "label_groups", "group_headers", "characteristic_title"]

UNKNOWN = "Unknown"


@dataclass
class Shown:
    """A disclosed (and relabelled) table ready for ``show_table``, its caption and the sentences under it."""

    table: pd.DataFrame
    caption: str
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class StaffRecords:
    """The staff snapshots notebook 04 works from (see :func:`load_staff_records`).

    ``snapshots``, ``moves`` (:func:`transitions`) and ``careers`` (:func:`staff_careers`, mentored years
    censored) carry ``aggregate_group`` for the focus; ``all_snapshots`` and ``all_moves`` every characteristic's
    columns, for :func:`senior_representation` and :func:`promotion_and_leaving`. Any of them may be
    :class:`Unavailable`; ``summary`` is the sentence opening the notebook.
    """

    snapshots: Any
    moves: Any
    careers: Any
    all_snapshots: Any
    all_moves: Any
    years: list[int]
    summary: str
    characteristics: tuple = ()

    @property
    def latest(self) -> int | None:
        return self.years[-1] if self.years else None


def characteristic_title(ch) -> str:
    """The characteristic's title for headers and captions (``'Disability'``; ``'Disability by sex'``)."""
    title = str(getattr(ch, "title", "") or "").strip()
    return title or str(ch.name).replace("_", " ").capitalize()


def _carried_by(ch, table: str) -> bool:
    parts = tuple(getattr(ch, "parts", ()) or ())
    if parts:
        return all(_carried_by(p, table) for p in parts)
    return table in tuple(getattr(ch, "tables", ()) or ())


def staff_characteristics(config, staff: pd.DataFrame | None = None) -> tuple:
    """The cohort's characteristics whose ``tables`` include staff, then the intersections of two of them, in the
    cohort file's order; with ``staff``, only those whose group column the table holds."""
    found = [ch for ch in config.characteristics.values() if _carried_by(ch, "staff")]
    found += [ix for ix in getattr(config, "intersections", ()) if _carried_by(ix, "staff")]
    if staff is not None and not isinstance(staff, Unavailable):
        found = [ch for ch in found if ch.group_column in staff.columns]
    return tuple(found)


def load_staff_records(config) -> StaffRecords:
    """The cohort's staff snapshots, prepared once for notebook 04; never fails for what the cohort lacks.

    Without a staff input every table is :class:`Unavailable` (the reason names the cohort file). Staff records
    without the focus characteristic's group column (``options.characteristics.<focus>.tables`` leaves out staff)
    leave the focus tables unavailable and the analyses by every other characteristic running. Problems in the
    records themselves (grades off the scale, a person twice in a year) still raise ``ValidationError``.
    """
    from ..inputs import load_table
    from .snapshots import prepare_snapshots, staff_careers, transitions

    if config.inputs.get("staff") is None:
        reason = (f"The cohort file {config.path.name} names no staff input (inputs: staff:), so there are no staff "
                  "records to analyse")
        missing = Unavailable(reason)
        return StaffRecords(missing, missing, missing, missing, missing, [], reason + ".")
    staff = load_table(config, "staff", keep_row_numbers=True)
    focus = config.focus
    source = str(config.input_path("staff"))
    everyone = prepare_snapshots(staff, grade_scale=config.grade_scale, group=None, source=source)
    all_moves = transitions(everyone)
    years = sorted(int(y) for y in pd.unique(everyone["year"]))
    if focus.group_column in staff.columns:
        snapshots = prepare_snapshots(staff, grade_scale=config.grade_scale, group=focus.group_column,
                                      reference=focus.reference, aggregate_label=focus.aggregate, source=source)
        moves = transitions(snapshots)
        careers = staff_careers(snapshots, censor_when_mentored=True)
        focus_words = ""
    else:
        title = characteristic_title(focus).lower()
        snapshots = moves = careers = Unavailable(
            f"The staff records carry no {title} (the cohort's focus): options.characteristics.{focus.name}.tables "
            f"in {config.path.name} leaves out staff, so the sections by {title} have no groups to compare")
        focus_words = f" They carry no {title}, the cohort's focus, so the sections by it are notes."
    span = f"census years {years[0]} to {years[-1]}" if len(years) > 1 else f"one census year, {years[-1]}"
    summary = (f"**{config.title}**. Staff records: {span}; grade scale, lowest first: "
               f"{', '.join(map(str, config.grade_scale))}.{focus_words}")
    return StaffRecords(snapshots, moves, careers, everyone, all_moves, years, summary,
                        staff_characteristics(config, staff))


def each_characteristic(records: StaffRecords) -> tuple:
    """The characteristics (then intersections) the section "By every characteristic" goes through, or the
    AnalysisError saying why there are none (no staff records; staff records carrying none of them)."""
    _require_columns(records.all_snapshots, [], "the analyses by every characteristic")
    if not records.characteristics:
        raise AnalysisError("The staff records carry none of the cohort's characteristics (options.characteristics "
                            "names none whose tables include staff, or the staff table lacks their columns).")
    return records.characteristics


def group_headers(shown: pd.DataFrame, ch) -> dict:
    """{group: label} for the columns of a (disclosed) cross-table that are groups of ``ch`` with a label of their
    own, for :func:`relabel` (a grade x group table's headers in the characteristic's words)."""
    return {c: ch.label(c) for c in shown.columns if isinstance(c, str) and ch.label(c) != c}


def label_groups(table: pd.DataFrame, column: str, ch) -> pd.DataFrame:
    """A copy of ``table`` whose ``column`` shows each group by its display label (``ch.label``)."""
    out = table.copy()
    out[column] = out[column].map(lambda g: ch.label(g) if isinstance(g, str) else g)
    return out


def _order(table: pd.DataFrame, column: str, ch) -> pd.DataFrame:
    """Rows in the characteristic's group order (Unknown last; groups it does not list after, by name)."""
    names = list(ch.group_names())
    rank = {g: i for i, g in enumerate(names)}
    key = table[column].map(lambda g: rank.get(g, len(names) + (1 if g == UNKNOWN else 0)))
    return table.assign(_order=key).sort_values(["_order", column], kind="stable").drop(columns="_order")


def _require_group(frame, ch, what: str) -> None:
    _require_columns(frame, [], what)  # an Unavailable table says why here
    if ch.group_column not in frame.columns:
        raise AnalysisError(f"The staff records carry no {characteristic_title(ch).lower()} groups (column "
                            f"{ch.group_column!r}); {what} needs them.")
    known = set(frame[ch.group_column].dropna().astype(str)) - {UNKNOWN}
    if not known:
        raise AnalysisError(f"No staff member's {characteristic_title(ch).lower()} is known (every record is "
                            f"{UNKNOWN}); {what} needs known groups.")


def _threshold_line(ch, rules, base_rules, unit: str) -> list[str]:
    """The sentence saying a table by ``ch`` had a stricter threshold than other tables, if it had."""
    from ..display import fewer_than, people_threshold

    if rules is None or base_rules is None or people_threshold(rules) <= people_threshold(base_rules):
        return []
    title = characteristic_title(ch)
    why = ("is an intersection of two characteristics" if getattr(ch, "parts", ()) else
           "is special-category data" if getattr(ch, "special_category", False) else "has rules of its own")
    return [f"{title} {why}, so a percentage resting on {fewer_than(rules, unit)} is not shown "
            f"({fewer_than(base_rules, '').strip()} for other tables)."]


def senior_representation(
    snapshots: pd.DataFrame, ch, *, rules=None, base_rules=None, year: int | None = None,
    senior_from: str | None = None,
) -> Shown:
    """Each group's share of senior staff beside its share of all staff in one census year (default: the latest),
    by the characteristic ``ch``, disclosed under ``rules`` (``cfg.disclosure.for_characteristic(ch)``).

    Counts are rounded as people and a share is suppressed where its denominator is below the rules' threshold
    (stricter for special-category data and intersections). ``Unknown`` (not known, refused, blank) is a row of
    its own: never dropped. Senior means ``senior_from`` and above (default Director, else the top two grades).
    With ``base_rules`` (``cfg.disclosure``) the sentences say when the threshold was stricter than theirs.
    """
    from ..disclosure import disclose
    from .disclosure_control import relabel
    from .representation import senior_share

    title = characteristic_title(ch)
    _require_group(snapshots, ch, f"the share of senior grades by {title.lower()}")
    column = ch.group_column
    frame = snapshots.assign(**{column: snapshots[column].astype(object).fillna(UNKNOWN)})
    years = sorted(int(y) for y in pd.unique(frame["year"]))
    year = years[-1] if year is None else int(year)
    if year not in years:
        raise AnalysisError(f"No staff records for {year} (census years: {', '.join(map(str, years))}).")
    table = senior_share(frame.loc[frame["year"] == year], group=column, senior_from=senior_from)
    if int(table["senior_total"].max()) == 0:
        raise AnalysisError(f"No one held a senior grade ({table['senior_from'].iloc[0]} and above) in {year}.")
    top = str(table["senior_from"].iloc[0])
    table = label_groups(_order(table, column, ch), column, ch).drop(columns=["year", "senior_from"])
    shown = disclose(table.reset_index(drop=True), counts=["senior_n", "senior_total", "all_n", "all_total"],
                     rates={"senior_share": ("senior_total", "senior_n"), "all_share": ("all_total", "all_n")},
                     rules=_rules(rules), name=f"senior grades by {ch.name}")
    shown = relabel(shown, {column: title, "senior_n": "senior staff", "senior_total": "all senior staff",
                            "senior_share": "share of senior staff", "all_n": "staff", "all_total": "all staff",
                            "all_share": "share of all staff"})
    lines = []
    if (table[column] == ch.label(UNKNOWN)).any():
        parts = tuple(getattr(ch, "parts", ()) or ())
        what = " or ".join(characteristic_title(p).lower() for p in parts) if parts else title.lower()
        lines.append(f"{ch.label(UNKNOWN)} counts staff whose {what} is not known, who preferred not to say, "
                     "or whose record is blank: they are shown, not left out.")
    lines += _threshold_line(ch, rules, base_rules, "staff")
    return Shown(shown, f"{title}: share of senior staff ({top} and above) and of all staff, {year}", lines)


def promotion_and_leaving(moves: pd.DataFrame, ch, *, rules=None, base_rules=None, alpha: float = 0.05) -> Shown:
    """Relative likelihood of promotion and of leaving per person-year by the characteristic ``ch``: the reference
    group's rate divided by each other known group's (WRES style; Katz interval, or Koopman's with Fisher's mid-p
    test on small counts), disclosed under ``rules`` (``cfg.disclosure.for_characteristic(ch)``): a ratio is
    suppressed with either rate it rests on. ``Unknown`` is left out of the comparison, as in WRES.

    ``moves`` is :func:`transitions` (person-years whose next census is known count: ``at_risk``). The sentences
    say, for each ratio whose interval includes 1, how far from 1 a ratio would have had to be to be detected, and
    (given ``base_rules``, ``cfg.disclosure``) when the threshold was stricter than other tables'.
    """
    from .detectable import relative_likelihood_lines
    from .disclosure_control import disclose_relative_likelihood, relabel, relative_likelihood_labels
    from .likelihood import relative_likelihoods
    from .snapshots import require_census_years

    title = characteristic_title(ch)
    what = f"relative likelihoods of promotion and leaving by {title.lower()}"
    _require_group(moves, ch, what)
    require_census_years(moves, 2, what=what)
    column = ch.group_column
    observed = moves.loc[moves["at_risk"].astype(bool)]
    if not (observed[column] == ch.reference).any():
        raise AnalysisError(f"No person-years of {ch.people(ch.reference, 'staff')} (the reference group for "
                            f"{title.lower()}) whose next census is known: there is no rate to compare with.")
    rl = relative_likelihoods(observed, group=column, reference=ch.reference, alpha=alpha, exclude=(UNKNOWN,),
                              outcomes={"promotion": ("promoted", None), "leaving": ("leaver", None)})
    rl = label_groups(_order(rl, column, ch), column, ch).reset_index(drop=True)
    reference = ch.label(ch.reference)
    shown = disclose_relative_likelihood(rl, rules=_rules(rules), name=f"promotion and leaving by {ch.name}")
    lines = relative_likelihood_lines(shown, group=column, label="outcome", reference=reference, unit="person-years",
                                      alpha=alpha)
    labels = relative_likelihood_labels(shown, reference=reference, counted="with the event", out_of="person-years",
                                        group=column)
    lines += _threshold_line(ch, rules, base_rules, "person-years")
    shown = relabel(shown, {**labels, column: title}, order=["outcome"])
    return Shown(shown, f"Relative likelihood of promotion and of leaving by {title.lower()}, {reference} to each "
                        "group (per person-year)", lines)

