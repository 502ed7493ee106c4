"""``disclose``: round the counts of a table and suppress the small-number rates, averages and derived numbers.

:func:`disclose` runs named steps in a fixed order: read the call (:func:`_read_call`), decide every
suppression on the unrounded input (:func:`_suppression_codes`, :func:`_derived_codes`), hide characteristics
in a listing, round the counts (:func:`_round_counts`), warn about unrounded bases, build the shown table
(:func:`_shown_table`) and record the call (:func:`rmresearch.disclosure.log.record_call`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..config import DisclosureRules
from ..errors import AnalysisError
from .combine import _remember, check_unrounded
from .log import _ATTRS_KEY, record_call
from .rounding import _round_series
from .rules import ACTIVITY_REFUSED, BASES, OFS_CODES, DisclosureWarning, _resolve_rules, _resolve_style
from .specs import (
    _column_list,
    _derived_places,
    _derived_spec,
    _format_derived,
    _format_percent,
    _integer_counts,
    _is_characteristic,
    _mean_spec,
    _numeric,
    _rate_spec,
    _require,
)
from .kinds import (_coarsened, _exact_with_small_cells, _listing_attributes, _marked_cells, _qualitative_bases,
                    _small_groups)
from .suppression import _mean_codes, _rate_codes

__all__ = ["disclose"]


@dataclass(frozen=True)
class _Call:
    """What a :func:`disclose` call asks for, checked against the table."""

    counts: list[Any]
    rates: dict[Any, tuple[Any, Any]]
    means: dict[Any, Any]
    derived: dict[Any, list[Any]]
    places: dict[Any, int]
    table_wide: list[Any]
    roles: dict[Any, str]


def disclose(
    table: pd.DataFrame,
    *,
    counts: Any = (),
    rates: Mapping[Any, Any] | None = None,
    means: Mapping[Any, Any] | None = None,
    rules: DisclosureRules | None = None,
    style: str | None = None,
    percent: bool = True,
    decimals: int = 1,
    name: str | None = None,
    derived: Mapping[Any, Any] | None = None,
    derived_decimals: Any = None,
    basis: str = "people",
    characteristics: Any = None,
    derived_table_wide: Any = (),
    bases: Any = None,
) -> pd.DataFrame:
    """Round counts and suppress small-number rates, averages and the numbers derived from them.

    Every table a report shows goes through this function. Rates and means
    must already be computed from UNROUNDED counts (see :func:`add_total` for
    a total row); ``disclose`` only rounds, suppresses and formats.

    Parameters
    ----------
    table : pandas.DataFrame
        Unrounded table (it is not modified).
    counts : list of str
        Count columns, rounded with :func:`hesa_round` to ``rules.round_to``.
    rates : dict, optional
        ``{rate_column: denominator_column}`` or
        ``{rate_column: (denominator_column, numerator_column)}``. The numerator
        is needed for the OfS ``[DPL]``/``[DPH]`` codes. Rates are proportions
        (0.625) when ``percent=True``.
    means : dict, optional
        ``{mean_column: n_column}`` for averages (means, medians).
    rules : DisclosureRules, optional
        Thresholds from the cohort configuration (``config.disclosure``);
        default ``DisclosureRules()`` (HESA).
    style : {"hesa", "ofs"}, optional
        Default ``rules.style``.
    percent : bool, default True
        Show rates as percentages with ``decimals`` places (``0.625`` ->
        ``"62.5%"``, halves rounded up); if False, rates are shown as given.
    decimals : int, default 1
        Decimal places for percentages.
    name : str, optional
        A name for the table, recorded in the log.
    derived : dict, optional
        ``{column: [bases]}`` for every number derived from the table's rates or
        counts (gaps, differences, ratios, relative likelihoods, their
        intervals and p-values, significance flags, shares, notes that describe
        a count): the one path by which such a number is shown. Each base is a
        rate column listed in ``rates``, a mean column listed in ``means``, a
        ``(denominator, numerator)`` pair of count columns (``numerator`` may be
        None), or a count column (a denominator). A derived cell is suppressed
        wherever any base is (a ratio beside a suppressed rate gives the rate
        back), with the marker of that base; otherwise numbers are shown to
        ``derived_decimals`` places, booleans as ``yes``/``no``, text as given and
        missing values as blanks.
    derived_decimals : int or dict, optional
        Decimal places for derived columns (one number, or ``{column: places}``);
        default ``decimals``.
    derived_table_wide : list of str, optional
        Derived columns that hold one statistic for the whole table (a test's
        chi-squared and p-value repeated on every row): suppressed in every row
        if any row's bases are suppressed, since the other rows would show it.
    basis : {"people", "qualitative", "listing", "activity"}, default "people"
        Which rule applies to the table's counts (DOMAIN.md section 3), for the
        audience ``rules.audience`` (``"public"`` by default, or ``"internal"``),
        recorded in the log so a reader (and the release gate) knows (the table of
        every kind x audience: :mod:`rmresearch.disclosure.kinds`):

        - ``"people"``: counts of people by characteristic or outcome. Public:
          HESA rounding and suppression as above. Internal: counts exact, a cell
          of 1 to ``min_cell_size - 1`` people suppressed, and rates, averages and
          derived numbers suppressed where they rest on fewer than
          ``min_cell_size`` people or on such a small cell.
        - ``"qualitative"``: qualitative code counts by role or group (a theme x
          role table): counts are shown exactly ("4 of 12 leaders"), so they agree
          with a framework matrix listing the same people. Internal: nothing is
          suppressed. Public, with ``bases``: a column whose base group (the
          participants interviewed in that role) has fewer than
          ``min_cell_size`` people is suppressed as a whole (base row included);
          public without ``bases``: a cell of 1 to ``ofs_max_numerator_suppressed``
          (2) people is suppressed.
        - ``"activity"``: counts of programme activity (pairs, meetings held,
          sessions attended, transcripts, identifiers replaced, participants in
          total): counts, rates, means and derived numbers are shown exactly
          (a 12-pair pilot shows 12 pairs and a withdrawal share of 1 in 12 as
          8.3%), for every audience. Refused (AnalysisError) for a table with a
          characteristic column (ethnicity, sex, disability, ``group``...):
          activity broken down by characteristic counts people, so it is
          ``"people"``.
        - ``"listing"``: a person-level listing (framework matrix). Counting its
          rows gives back the size of every group it shows. Internal: shown as
          given. Public: its attributes (the ``characteristics`` columns, then a
          ``role`` column) are replaced by the marker in every row, one at a time
          in that order, until every combination of the attributes left holds at
          least ``min_cell_size`` people (rows); at worst the listing is shown
          without attributes.
    characteristics : list of str, optional
        For ``basis="listing"``: the characteristic columns; default every column
        named like a characteristic (ethnicity, disability, sex, gender,
        religion, sexual orientation, age, nationality, ...).
    bases : dict or str, optional
        For ``basis="qualitative"``: the number of people in each count column's
        base group (``{"senior_leader": 6, "partner": 5}``), or the label of the
        row that holds them (``"Participants interviewed"``, the last row of
        :func:`rmresearch.coding.theme_table`).

    Returns
    -------
    pandas.DataFrame
        A new table for display: counts rounded (``int64``, or ``Int64`` when a
        value is missing), rates formatted, suppressed rates and means replaced
        by ``rules.suppressed_marker`` (``..``) or an OfS code, means otherwise as
        given, other columns untouched. ``result.attrs["disclosure"]`` describes
        what was applied (the same record as in :func:`disclosure_log`).

    Raises
    ------
    rmresearch.errors.AnalysisError (a ValueError)
        A listed column is missing or not numeric, a count is negative, a
        numerator exceeds its denominator, a rate is outside -1..1 when
        ``percent=True``, or the table was already disclosed.

    Warns
    -----
    DisclosureWarning
        A denominator, numerator or n column is shown but not listed in
        ``counts`` (so it would be printed unrounded), or OfS style is asked for
        a rate without a numerator column (so ``[DPL]``/``[DPH]`` cannot be checked).

    Notes
    -----
    A rate is suppressed (HESA: ``..``) when its denominator is under
    ``min_percentage_denominator`` and, when its numerator column is given,
    also when the numerator or ``denominator - numerator`` rounds to 0 or is at
    most ``ofs_max_numerator_suppressed`` (2): otherwise ``2 / 120 = 1.7%``
    beside a count shown as ``0`` gives the 2 back. (OfS style: ``[DPL]`` and
    ``[DPH]``.) Rates of larger counts are shown from unrounded values, as the
    HESA methodology does. Give the numerator whenever the table has one: a
    rate listed without one (an interval bound) is also suppressed wherever a
    rate with a numerator on the same denominator is.

    Suppression decisions use the UNROUNDED denominators and n, never the
    rounded ones, whatever order the columns are listed in. A missing
    denominator or n counts as small (the cell is suppressed); a missing rate
    or mean with a large enough base stays missing.

    Complementary (secondary) suppression is not applied: the HESA standard
    methodology protects small cells by rounding every count, totals included,
    rather than by hiding extra cells, so a suppressed value cannot be
    recovered exactly by subtraction. For the same reason totals are computed
    from unrounded values and rounded on their own (:func:`add_total`), and
    rounded rows need not add up to the rounded total; never recompute a total
    from rounded rows.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({
    ...     "group": ["White", "Black", "Asian"],
    ...     "good": [1234, 17, 88],
    ...     "n": [1500, 21, 130],
    ...     "mean_meetings": [5.21, 4.5, 5.83],
    ...     "pairs": [40, 7, 8],
    ... })
    >>> table["rate"] = table["good"] / table["n"]
    >>> shown = disclose(table, counts=["good", "n", "pairs"], rates={"rate": ("n", "good")},
    ...                  means={"mean_meetings": "pairs"})
    >>> shown
       group  good     n mean_meetings  pairs   rate
    0  White  1235  1500          5.21     40  82.3%
    1  Black    15    20            ..      5     ..
    2  Asian    90   130          5.83     10  67.7%
    >>> shown.attrs["disclosure"]["suppressed_cells"]
    2
    >>> disclose(table, counts=["good", "n", "pairs"], rates={"rate": ("n", "good")},
    ...          style="ofs")["rate"].tolist()
    ['82.3%', '[low]', '67.7%']
    """
    check_unrounded(table, "disclose", "this table has already been through disclose(); pass the unrounded "
                    "table, because suppression must be decided on unrounded denominators.")
    rules = _resolve_rules(rules)
    style = _resolve_style(style, rules)
    if isinstance(decimals, (bool, np.bool_)) or not isinstance(decimals, (int, np.integer)) or decimals < 0:
        raise AnalysisError(f"decimals must be a whole number of at least 0, not {decimals!r}.")
    decimals = int(decimals)
    call = _read_call(table, counts, rates, means, derived, derived_decimals, derived_table_wide, decimals)

    # Every suppression decision is made here, on the unrounded input.
    hidden_characteristics = _listing_characteristics(table, basis, characteristics, call.roles, rules)
    based = _qualitative_bases(table, bases, call.counts, basis)
    small_groups = _small_groups(based, rules)
    codes = _suppression_codes(table, call, rules, "hesa" if basis == "activity" else style, percent)
    derived_codes = _derived_codes(table, call, codes, rules, style)
    if basis == "activity":  # programme activity is shown exactly: nothing is suppressed
        codes = {c: np.full(len(table), None, dtype=object) for c in codes}
        derived_codes = {c: np.full(len(table), None, dtype=object) for c in derived_codes}
    rounded, qualitative_marked = _round_counts(table, call.counts, basis, rules, style, small_groups, bool(based))
    if basis != "activity":
        _warn_unrounded_bases(table, call)

    result, suppressed_by_column = _shown_table(table, call, rounded, codes, derived_codes, hidden_characteristics,
                                                rules, percent, decimals)
    suppressed_by_column = {**{str(c): k for c, k in qualitative_marked.items() if k}, **suppressed_by_column}
    unrounded_columns = [
        str(c) for c in table.columns
        if c not in call.roles and pd.api.types.is_numeric_dtype(table[c].dtype)
        and not pd.api.types.is_bool_dtype(table[c].dtype)
    ]
    result.attrs[_ATTRS_KEY] = record_call(
        name=name, style=style, rules=rules, call=call, basis=basis, hidden_characteristics=hidden_characteristics,
        percent=percent, decimals=decimals, rows=len(table), suppressed_by_column=suppressed_by_column,
        unrounded_columns=unrounded_columns, small_groups=[str(c) for c in small_groups], based=bool(based),
    )
    _remember(result)
    return result


def _read_call(table: pd.DataFrame, counts: Any, rates: Any, means: Any, derived: Any, derived_decimals: Any,
               derived_table_wide: Any, decimals: int) -> _Call:
    """Parse the column arguments, check every column they name is in ``table`` and each is listed once."""
    count_columns = _column_list(counts, "counts")
    rate_spec = _rate_spec(rates)
    mean_spec = _mean_spec(means)
    derived_spec = _derived_spec(derived)
    derived_places = _derived_places(derived_decimals, derived_spec, decimals)
    table_wide = _column_list(derived_table_wide, "derived_table_wide")
    unknown = [c for c in table_wide if c not in derived_spec]
    if unknown:
        raise AnalysisError(f"derived_table_wide names column(s) {unknown} that are not listed in derived.")
    for column in count_columns:
        _require(table, column, "count")
    for rate, (denominator, numerator) in rate_spec.items():
        _require(table, rate, "rate")
        _require(table, denominator, f"denominator (of rate {rate!r})")
        if numerator is not None:
            _require(table, numerator, f"numerator (of rate {rate!r})")
    for mean, n in mean_spec.items():
        _require(table, mean, "mean")
        _require(table, n, f"n (of mean {mean!r})")
    for column, bases in derived_spec.items():
        _check_derived_bases(table, column, bases, rate_spec, mean_spec, derived_spec)
    roles: dict[Any, str] = {c: "counts" for c in count_columns}
    for column, role in [*((r, "rates") for r in rate_spec), *((m, "means") for m in mean_spec),
                         *((d, "derived") for d in derived_spec)]:
        if column in roles:
            raise AnalysisError(f"column {column!r} is listed in both {roles[column]} and {role}; list it once.")
        roles[column] = role
    return _Call(count_columns, rate_spec, mean_spec, derived_spec, derived_places, table_wide, roles)


def _check_derived_bases(table: pd.DataFrame, column: Any, bases: list[Any], rate_spec: Mapping[Any, Any],
                         mean_spec: Mapping[Any, Any], derived_spec: Mapping[Any, Any]) -> None:
    _require(table, column, "derived")
    for base in bases:
        if isinstance(base, tuple):
            _require(table, base[0], f"denominator (of derived {column!r})")
            if base[1] is not None:
                _require(table, base[1], f"numerator (of derived {column!r})")
        elif base in derived_spec:
            raise AnalysisError(
                f"derived[{column!r}] rests on {base!r}, another derived column; list the rates or counts "
                f"{base!r} rests on instead ({derived_spec[base]!r})."
            )
        elif base not in rate_spec and base not in mean_spec:
            _require(table, base, f"base (of derived {column!r})")


def _values(table: pd.DataFrame, column: Any, role: str) -> np.ndarray:
    return _numeric(table, column, role).to_numpy(dtype=np.float64, na_value=np.nan)


def _rate_suppression(table: pd.DataFrame, rate: Any, denominator: Any, numerator: Any, rules: DisclosureRules,
                      style: str, percent: bool) -> np.ndarray:
    """The markers of one rate column (None where the rate is shown)."""
    rate_values = _values(table, rate, "rate")
    den = _values(table, denominator, f"denominator (of rate {rate!r})")
    if (den < 0).any():
        raise AnalysisError(f"denominator column {denominator!r} (of rate {rate!r}) has negative values; denominators count people.")
    num = None
    if numerator is not None:
        num = _values(table, numerator, f"numerator (of rate {rate!r})")
        if (num > den).any():
            i = int(np.flatnonzero(num > den)[0])
            raise AnalysisError(
                f"numerator {numerator!r} exceeds denominator {denominator!r} at row {table.index.tolist()[i]!r} "
                f"({num[i]} > {den[i]}); check that rates={{{rate!r}: (denominator, numerator)}} is in that order."
            )
    elif style == "ofs":
        warnings.warn(
            f"OfS style: rate {rate!r} has no numerator column, so [DPL] and [DPH] cannot be checked; "
            f"give rates={{{rate!r}: ({denominator!r}, 'numerator column')}}.",
            DisclosureWarning,
            stacklevel=4,
        )
    if percent and (np.abs(rate_values) > 1).any():
        raise AnalysisError(
            f"rate column {rate!r} has values outside -1..1, so it looks like percentages already; "
            "pass proportions (e.g. 0.625) or percent=False."
        )
    codes = _rate_codes(den, num, rules, style)
    if style == "hesa":  # a missing rate hides nothing: it stays missing unless its base is too small
        codes[np.isnan(rate_values) & (den >= rules.min_percentage_denominator)] = None
    return codes


def _unset(codes: np.ndarray) -> np.ndarray:
    return np.array([c is None for c in codes], dtype=bool)


def _suppression_codes(table: pd.DataFrame, call: _Call, rules: DisclosureRules, style: str,
                       percent: bool) -> dict[Any, np.ndarray]:
    """The markers of every rate and mean column (None where a cell is shown)."""
    codes: dict[Any, np.ndarray] = {}
    for rate, (denominator, numerator) in call.rates.items():
        codes[rate] = _rate_suppression(table, rate, denominator, numerator, rules, style, percent)
    # A rate given without a numerator (an interval bound, a second estimate on the same
    # people) beside a suppressed rate on the same denominator gives it back (a Wilson
    # interval pins its count): it is suppressed wherever such a rate is, with its marker.
    for rate, (denominator, numerator) in call.rates.items():
        if numerator is not None:
            continue
        for other, (other_den, other_num) in call.rates.items():
            if other_num is None or other_den != denominator:
                continue
            unset = _unset(codes[rate])
            codes[rate][unset] = codes[other][unset]
    for mean, n in call.means.items():
        _numeric(table, mean, "mean")
        codes[mean] = _mean_codes(_values(table, n, f"n (of mean {mean!r})"), rules, style)
    return codes


def _derived_codes(table: pd.DataFrame, call: _Call, codes: Mapping[Any, np.ndarray], rules: DisclosureRules,
                   style: str) -> dict[Any, np.ndarray]:
    """A derived cell takes the marker of the first of its bases that is suppressed."""
    derived_codes: dict[Any, np.ndarray] = {}
    for column, bases in call.derived.items():
        column_codes = np.full(len(table), None, dtype=object)
        for base in bases:
            if isinstance(base, tuple):
                den_column, num_column = base
            elif base in codes:
                base_codes = codes[base]
                den_column = None
            else:
                den_column, num_column = base, None
            if den_column is not None:
                den = _values(table, den_column, f"denominator (of derived {column!r})")
                num = None if num_column is None else _values(table, num_column, f"numerator (of derived {column!r})")
                base_codes = _rate_codes(den, num, rules, style)
            unset = _unset(column_codes)
            column_codes[unset] = base_codes[unset]
        if column in call.table_wide:
            first = next((c for c in column_codes if c is not None), None)
            if first is not None:
                column_codes[:] = first
        derived_codes[column] = column_codes
    return derived_codes


def _listing_characteristics(table: pd.DataFrame, basis: str, characteristics: Any,
                             roles: Mapping[Any, str], rules: DisclosureRules) -> list[Any]:
    """Check ``basis``; for a person-level listing, the attribute columns to hide (see :func:`.kinds._coarsened`)."""
    if basis not in BASES:
        raise AnalysisError(f"basis must be one of {', '.join(map(repr, BASES))}, not {basis!r}.")
    if characteristics is not None and basis != "listing":
        raise AnalysisError("characteristics= applies to basis='listing' (a person-level listing) only.")
    if basis == "activity":
        _check_activity(table)
    if basis != "listing":
        return []
    if characteristics is None:
        hidden = [c for c in table.columns if _is_characteristic(c)]
    else:
        hidden = _column_list(characteristics, "characteristics")
        for column in hidden:
            _require(table, column, "characteristic")
    clash = [c for c in hidden if c in roles]
    if clash:
        raise AnalysisError(f"characteristic column(s) {clash} are also listed as counts, rates, means or derived.")
    return _coarsened(table, _listing_attributes(table, hidden), rules)


def _check_activity(table: pd.DataFrame) -> None:
    """Refuse ``basis="activity"`` for a table broken down by a personal characteristic (or group)."""
    labels = [*table.columns, *table.index.names, table.columns.name]
    found = [c for c in labels if _is_characteristic(c) or (isinstance(c, str) and c.lower() in ACTIVITY_REFUSED)]
    if found:
        raise AnalysisError(
            f"basis='activity' is for counts of programme activity (pairs, meetings, sessions, transcripts), "
            f"but this table has the characteristic column(s) {found}: activity broken down by a characteristic "
            "counts people by characteristic, so disclose it with basis='people' (HESA rounding and suppression)."
        )


def _round_counts(table: pd.DataFrame, count_columns: list[Any], basis: str, rules: DisclosureRules,
                  style: str, small_groups: list[Any], based: bool) -> tuple[dict[Any, pd.Series], dict[Any, int]]:
    """Counts as the kind and audience decide (:mod:`.kinds`): exact (activity; qualitative internally or where the
    base group is large enough), exact with small cells marked (people internally; qualitative in public without
    bases), rounded (people and listings in public), or marked as a whole (a qualitative column of a small group)."""
    rounded: dict[Any, pd.Series] = {}
    marked: dict[Any, int] = {}
    marker = rules.suppressed_marker if style == "hesa" else OFS_CODES["DPL"]
    for column in count_columns:
        series = _numeric(table, column, "count")
        if basis == "activity":
            rounded[column] = _exact_counts(series, column)
        elif basis == "qualitative" and column in small_groups:
            rounded[column], marked[column] = _marked_cells(series, column, np.ones(len(series), dtype=bool), marker)
        elif basis == "qualitative":
            upper = 0 if rules.audience == "internal" or based else rules.ofs_max_numerator_suppressed
            rounded[column], marked[column] = _exact_with_small_cells(series, column, upper, marker)
        elif rules.audience == "internal":  # people, listing: small-cell suppression without rounding
            rounded[column], marked[column] = _exact_with_small_cells(series, column, rules.min_cell_size - 1, marker)
        else:
            rounded[column] = _integer_counts(_round_series(series, rules.round_to, f"count column {column!r}"))
    return rounded, marked


def _exact_counts(series: pd.Series, column: Any) -> pd.Series:
    """A count of programme activity as given: whole numbers, not negative, never rounded."""
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    present = values[~np.isnan(values)]
    if (present < 0).any() or (present != np.round(present)).any():
        raise AnalysisError(f"count column {column!r} must hold whole numbers of at least 0 (counts of programme "
                            "activity are shown exactly).")
    return _integer_counts(series)


def _warn_unrounded_bases(table: pd.DataFrame, call: _Call) -> None:
    """Warn about every denominator, numerator or n the table would show unrounded."""
    bases = {d for d, _ in call.rates.values()} | {n for _, n in call.rates.values() if n is not None}
    bases |= set(call.means.values())
    for derived_bases in call.derived.values():
        for base in derived_bases:
            bases |= {c for c in base if c is not None} if isinstance(base, tuple) else {base}
    for column in [c for c in table.columns if c in bases and c not in call.roles]:
        warnings.warn(
            f"column {column!r} is a denominator, numerator or n but is not listed in counts, so it would "
            "be shown unrounded; add it to counts=[...] or drop it from the table before disclose().",
            DisclosureWarning,
            stacklevel=3,
        )


def _shown_table(table: pd.DataFrame, call: _Call, rounded: Mapping[Any, pd.Series], codes: Mapping[Any, np.ndarray],
                 derived_codes: Mapping[Any, np.ndarray], hidden_characteristics: list[Any], rules: DisclosureRules,
                 percent: bool, decimals: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """The table as shown, and the number of suppressed cells by column."""
    result = table.copy(deep=True)
    for column, values in rounded.items():
        result[column] = values
    suppressed_by_column: dict[str, int] = {}
    for column in hidden_characteristics:
        result[column] = pd.Series(rules.suppressed_marker, index=table.index, dtype=object)
        suppressed_by_column[str(column)] = int(len(table))
    for column, column_codes in [*codes.items(), *derived_codes.items()]:
        mask = ~_unset(column_codes)
        if column in derived_codes:
            shown = pd.Series([_format_derived(v, call.places[column]) for v in table[column]], index=table.index,
                              dtype=object)
        elif column in call.rates and percent:
            shown = pd.Series([_format_percent(v, decimals) for v in table[column]], index=table.index, dtype=object)
        else:
            shown = table[column].astype(object)
        shown[mask] = column_codes[mask]
        result[column] = shown
        suppressed_by_column[str(column)] = int(mask.sum())
    return result, suppressed_by_column
