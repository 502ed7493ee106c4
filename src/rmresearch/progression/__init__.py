"""Staff representation and progression: pipeline, relative likelihoods, time to promotion, retention.

The questions a Race Equality Charter submission or an NHS-style Workforce Race
Equality Standard (WRES) report asks of staff records, and the question an
evaluation of a mentoring scheme adds: do mentored staff progress faster than
comparable colleagues?

Inputs are the cohort's staff yearly snapshots (one row per person per census
year, schema ``staff``) and recruitment funnel counts (schema ``recruitment``).
Grades are ordered by the cohort's ``grade_scale`` (``config.grade_scale``).

The package, one module per topic (import from here; the names are the same):

- :mod:`~rmresearch.progression.snapshots`: :func:`prepare_snapshots`,
  :func:`transitions` (one row per person-year: ``promoted``, ``leaver``,
  ``at_risk``) and :func:`staff_careers` (one row per person: years to the
  first promotion and to leaving, censored);
- :mod:`~rmresearch.progression.representation`: :func:`representation`,
  :func:`senior_share`, :func:`grade_table` (grade x group cross-table);
- :mod:`~rmresearch.progression.recruitment`: :func:`recruitment_funnel`;
- :mod:`~rmresearch.progression.likelihood`: :func:`relative_likelihood`,
  :func:`event_rates` (:func:`relative_likelihoods` and :func:`event_rate_table`
  for several outcomes at once);
- :mod:`~rmresearch.progression.survival`: :func:`kaplan_meier`,
  :func:`logrank_test`;
- :mod:`~rmresearch.progression.cox`: :func:`cox_model`,
  :func:`proportional_hazards_test` (R's ``cox.zph``, under the fit's ties method);
- :mod:`~rmresearch.progression.mentoring`: :func:`mentoring_cohorts`,
  :func:`matched_comparison`, :func:`mentoring_effect`;
- :mod:`~rmresearch.progression.disclosure_control`: the disclosure helpers, and
  :func:`relabel` (readable headers for a disclosed table);
- :mod:`~rmresearch.progression.detectable`: :func:`relative_likelihood_lines`,
  :func:`hazard_ratio_lines` (the smallest ratio the numbers shown could detect);
- :mod:`~rmresearch.progression.plots`: :func:`pipeline_figure`,
  :func:`kaplan_meier_figure`;
- :mod:`~rmresearch.progression.by_characteristic`: :func:`load_staff_records` (the snapshots notebook 04 starts
  from, for the cohort's focus characteristic; :class:`Unavailable` tables where the cohort has none),
  :func:`staff_characteristics`, and one characteristic's tables, disclosed under its own rules:
  :func:`senior_representation`, :func:`promotion_and_leaving`.

Survival models use statsmodels (``SurvfuncRight``, ``survdiff``, ``PHReg``)
with Efron's method for tied times by default, as R's ``coxph`` and lifelines do.

Every table a report shows still goes through
:func:`rmresearch.disclosure.disclose`; :func:`disclose_relative_likelihood`
does that for relative-likelihood tables (the ratio is suppressed with the rates
it is built from).
"""

from __future__ import annotations

from .by_characteristic import (Shown, StaffRecords, characteristic_title, each_characteristic, group_headers,
                                label_groups, load_staff_records, promotion_and_leaving, senior_representation,
                                staff_characteristics)
from .cox import cox_model, merged_levels_lines, proportional_hazards_test
from .detectable import (hazard_ratio_lines, record_detectable_hazard_ratio, record_detectable_ratio,
                         relative_likelihood_lines)
from .disclosure_control import (
    disclosable_steps,
    disclose_cox,
    disclose_event_rates,
    disclose_kaplan_meier,
    disclose_logrank,
    disclose_grade_table,
    disclose_relative_likelihood,
    event_rate_labels,
    plottable_groups,
    relabel,
    relative_likelihood_labels,
)
from .likelihood import NON_ADVERSE_RANGE, event_rate_table, event_rates, relative_likelihood, relative_likelihoods
from .mentoring import matched_comparison, matching_summary, mentoring_cohorts, mentoring_effect
from .plots import kaplan_meier_figure, pipeline_figure
from ._common import Unavailable, one_row
from .recruitment import (load_recruitment, recruitment_characteristic, recruitment_funnel, recruitment_groups,
                          recruitment_problems)
from .representation import grade_table, representation, senior_share
from .snapshots import (aggregate_groups, check_staff_years, grade_ranks, prepare_snapshots, require_census_years,
                        staff_careers, transitions)
from .survival import kaplan_meier, logrank_test

__all__ = [
    "NON_ADVERSE_RANGE",
    "Shown",
    "StaffRecords",
    "Unavailable",
    "characteristic_title",
    "each_characteristic",
    "group_headers",
    "label_groups",
    "load_staff_records",
    "promotion_and_leaving",
    "senior_representation",
    "staff_characteristics",
    "grade_ranks",
    "check_staff_years",
    "aggregate_groups",
    "prepare_snapshots",
    "transitions",
    "staff_careers",
    "representation",
    "grade_table",
    "disclose_grade_table",
    "relabel",
    "relative_likelihood_labels",
    "event_rate_labels",
    "matching_summary",
    "relative_likelihood_lines",
    "hazard_ratio_lines",
    "record_detectable_ratio",
    "record_detectable_hazard_ratio",
    "pipeline_figure",
    "senior_share",
    "recruitment_funnel",
    "load_recruitment",
    "recruitment_characteristic",
    "recruitment_groups",
    "recruitment_problems",
    "require_census_years",
    "one_row",
    "relative_likelihood",
    "relative_likelihoods",
    "disclose_relative_likelihood",
    "disclose_event_rates",
    "disclose_cox",
    "disclosable_steps",
    "disclose_kaplan_meier",
    "disclose_logrank",
    "event_rates",
    "event_rate_table",
    "kaplan_meier",
    "plottable_groups",
    "kaplan_meier_figure",
    "logrank_test",
    "cox_model",
    "merged_levels_lines",
    "proportional_hazards_test",
    "mentoring_cohorts",
    "matched_comparison",
    "mentoring_effect",
]
