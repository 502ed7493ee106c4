"""Student awarding gaps: rates, intervals, adjusted gaps, value added, decompositions.

The awarding gap is the difference, in percentage points, between the share of
the reference group (of the cohort's focus characteristic) and the share of another group who are
awarded good honours (a First or a 2:1 among classified first degrees). This
module answers the questions an evaluator of a mentoring scheme is asked:

- :func:`awarding_gap` and :func:`gap_trend`: how large is the gap, by group and
  year, with Wilson intervals for each rate and Newcombe's hybrid score interval
  (Newcombe 1998, method 10) for each gap; :func:`plot_gap_trend` draws the trend;
- :func:`adjusted_gap`: how much remains once entry tariff, age, sex, disability,
  deprivation and faculty are taken into account (logistic regression, average
  marginal effects with delta-method intervals: the "unexplained" gap);
- :func:`value_added`: Kingston-style observed / expected good-honours rates,
  the expectation coming from entry tariff band x subject;
- :func:`oaxaca_blinder` (linear probability model, statsmodels'
  ``OaxacaBlinder``) and :func:`fairlie` (Fairlie's non-linear decomposition of
  the logit): how much of the gap do differences in characteristics explain;
- :func:`mentored_comparison` and :func:`gap_difference_in_differences`: do
  mentored students differ from matched students who were not mentored, and did
  the gap of the groups the scheme serves change after it started;
- :func:`continuation_rates` and :func:`completion_rates` by group;
- :func:`detectable_gap_lines`: beside a gap that is not significant, the smallest gap the cohort could have
  detected (from the rounded counts shown);
- :func:`record_pp`: record a gap measured in percentage points as a result;
- :func:`by_characteristic` (with :func:`disclose_by_characteristic`): rates and gaps by any characteristic the
  cohort studies or the intersection of two, Unknown shown; :func:`require_focus`, :func:`model_covariates` and
  :func:`matching_for` point the analyses above at the cohort's focus characteristic (``cfg.focus``).

Every function returns a tidy, UNROUNDED table; show it through
:func:`disclose_attainment` (which calls :func:`rmresearch.disclosure.disclose`
and also hides gaps, intervals and ratios that rest on a suppressed rate).
Rows whose group is Unknown are excluded from comparisons and counted in
``result.attrs["excluded"]`` (see :func:`exclusions`), never dropped silently.
"""

from __future__ import annotations

from importlib import import_module
from ._common import DEFAULT_COVARIATES, DEFAULT_TARIFF_BANDS
from .by_characteristic import (CharacteristicUnit, MEASURES, by_characteristic, carried, characteristic_caption,
                                characteristic_lines, characteristic_units, disclose_by_characteristic,
                                has_detailed_groups, intro_lines, load_students, matching_for, model_covariates,
                                require_focus, with_labels)
from .options import AttainmentOptions, options, read_options, require_comparison

# The analyses are imported on first use (PEP 562), so that reading a cohort file, which checks
# options.attainment through .options, does not load scipy and statsmodels: `rmresearch anonymise detect`
# and the other commands start in a fraction of the time. `from rmresearch.attainment import x` is unchanged.
_LAZY = {
    'add_ethnicity_group': '.groups',
    'adjusted_gap': '.adjusted',
    'awarding_gap': '.gaps',
    'completion_rates': '.gaps',
    'continuation_rates': '.gaps',
    'covariates_phrase': '.reporting',
    'detectable_difference_pp': '.detectable',
    'detectable_gap_lines': '.detectable',
    'disclose_attainment': '.reporting',
    'exclusions': '.reporting',
    'fairlie': '.decompositions',
    'first_mentored_year': '.did',
    'gap_difference_in_differences': '.did',
    'gap_from_counts': '.gaps',
    'gap_sentence': '.reporting',
    'gap_trend': '.gaps',
    'good_honours': '.groups',
    'group_row': '.reporting',
    'mentored_comparison': '.mentoring',
    'model_notes': '.reporting',
    'oaxaca_blinder': '.decompositions',
    'plot_gap_trend': '.figures',
    'record_detectable': '.detectable',
    'record_pp': '.reporting',
    'show_sentences': '.reporting',
    'tariff_band': '.groups',
    'value_added': '.value_added',
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "DEFAULT_COVARIATES",
    "DEFAULT_TARIFF_BANDS",
    "good_honours",
    "add_ethnicity_group",
    "tariff_band",
    "awarding_gap",
    "gap_from_counts",
    "gap_trend",
    "plot_gap_trend",
    "adjusted_gap",
    "value_added",
    "oaxaca_blinder",
    "fairlie",
    "mentored_comparison",
    "gap_difference_in_differences",
    "first_mentored_year",
    "detectable_difference_pp",
    "detectable_gap_lines",
    "record_detectable",
    "continuation_rates",
    "completion_rates",
    "exclusions",
    "disclose_attainment",
    "record_pp",
    "AttainmentOptions",
    "options",
    "read_options",
    "require_comparison",
    "group_row",
    "gap_sentence",
    "show_sentences",
    "model_notes",
    "covariates_phrase",
    "CharacteristicUnit",
    "characteristic_units",
    "has_detailed_groups",
    "load_students",
    "intro_lines",
    "require_focus",
    "carried",
    "model_covariates",
    "matching_for",
    "by_characteristic",
    "disclose_by_characteristic",
    "characteristic_caption",
    "characteristic_lines",
    "with_labels",
]
