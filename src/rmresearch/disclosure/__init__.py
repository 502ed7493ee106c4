"""Small-number disclosure control for every table a report shows.

Cohorts in mentoring evaluations are small, so every published count, rate
and average goes through this module before it reaches a report. The default
follows the HESA standard rounding methodology; the cohort configuration
(:class:`rmresearch.config.DisclosureRules`) holds the thresholds and can
switch to Office for Students (OfS) style suppression codes.

HESA standard rounding methodology (defaults in ``DisclosureRules``):

- counts of people are rounded to the nearest multiple of 5 (``round_to``);
  anything below 2.5 becomes 0 and halves round up (2.5 -> 5, 7.5 -> 10);
- percentages based on fewer than 22.5 people are suppressed
  (``min_percentage_denominator``);
- averages (means, medians) based on 7 or fewer people are suppressed
  (``max_mean_suppressed_n``);
- totals are calculated from unrounded values and then rounded, so rounded
  rows need not add up to the rounded total;
- suppressed cells print as ``..`` (``suppressed_marker``).

OfS style (``style="ofs"``) marks a suppressed rate with a code instead:
``[none]`` (population of two or fewer), ``[low]`` (denominator under 23),
``[DPL]`` (numerator of two or fewer) or ``[DPH]`` (numerator within two of
the denominator). Counts are rounded in both styles.

A typical report table::

    table = add_total(by_group, label_column="group", sum_columns=["good", "n"],
                      rate_columns={"rate": ("good", "n")})
    shown = disclose(table, counts=["good", "n"], rates={"rate": ("n", "good")},
                     rules=config.disclosure, name="good honours by group")

Every call to :func:`disclose` is recorded in a module-level log
(:func:`disclosure_log`) so a release check can confirm that each published
table went through disclosure control.

Derived numbers go through the same call, so that no shown cell gives back a
hidden one: gaps, differences, ratios, relative likelihoods, their intervals,
p-values and flags are listed with the rates or counts they rest on
(``derived={"gap_pp": ["rate", "reference_rate"]}``) and are suppressed, with
the same marker, wherever one of those is. A rate whose numerator (or
denominator minus numerator) is 0 to 2, or rounds to 0, is suppressed in both
styles, because its precision would give back the count shown rounded; an
interval bound beside a suppressed rate on the same people is suppressed too.
``basis=`` states which rule a table's counts follow (people, qualitative
code counts, a person-level listing, programme activity), and :func:`rules_below_minimums` lists
why cohort settings are weaker than the HESA minimums (every log record
carries it as ``below_hesa_minimums``, for the release gate).

Counts of programme ACTIVITY (pairs, meetings held, sessions attended,
transcripts anonymised, identifiers replaced, participants in total) are not
counts of people by characteristic: ``basis="activity"`` shows them, and their
rates, exactly for every audience ("26 pairs", a withdrawal share of 1 in 12 as
8.3%). It is refused for a table with a characteristic column: activity by
ethnicity group, sex or disability counts people by characteristic and keeps
HESA rounding and suppression (``basis="people"``).

Who reads the report decides the rule as well (``options.disclosure.audience``, on the rules object as
``rules.audience``): ``"public"`` (the default) applies the rules above; ``"internal"`` (a steering group under
confidentiality) shows counts of people exactly and suppresses cells of 1 to ``min_cell_size - 1`` people (and
rates and averages resting on fewer than ``min_cell_size``). Qualitative code counts (``basis="qualitative"``) are
exact internally and, in public, shown where the base group (``bases=``: participants interviewed in that role) has
at least ``min_cell_size`` people; a framework matrix (``basis="listing"``) keeps its attributes internally and, in
public, only those coarse enough that every combination holds ``min_cell_size`` people. :mod:`.kinds` has the table
of every kind x audience and :func:`explain`, the sentence saying what a shown table's rule hid.

The package, one module a step: :mod:`.rules` (settings, HESA minimums, OfS
codes), :mod:`.rounding` (:func:`hesa_round`), :mod:`.suppression`
(:func:`suppress_rate`, :func:`suppress_mean`, :func:`derived_marker`),
:mod:`.tables` (:func:`disclose`), :mod:`.totals` (:func:`add_total`),
:mod:`.log` (the record of each call) and :mod:`.combine` (:func:`concat`
for disclosed tables, which keeps their record where ``pd.concat`` drops it).
"""

from .combine import concat, undisclosed_message
from .kinds import explain
from .log import clear_disclosure_log, disclosure_log, is_disclosed
from .rounding import hesa_round
from .rules import AUDIENCES, BASES, HESA_MINIMUMS, OFS_CODES, STYLES, DisclosureWarning, _resolve_rules, _resolve_style, rules_below_minimums
from .suppression import _hidden_by_rounding, derived_marker, suppress_mean, suppress_rate
from .tables import disclose
from .totals import add_total

__all__ = [
    "OFS_CODES",
    "DisclosureWarning",
    "hesa_round",
    "suppress_rate",
    "suppress_mean",
    "disclose",
    "add_total",
    "is_disclosed",
    "disclosure_log",
    "clear_disclosure_log",
    "HESA_MINIMUMS",
    "rules_below_minimums",
    "derived_marker",
    "concat",
    "undisclosed_message",
    "explain",
    "AUDIENCES",
]
