"""Survey instruments, responses, scoring, reliability and pre/post change.

The package's modules, in the order the data flows:

- :mod:`~rmresearch.surveys.instruments`: an instrument is a YAML file of
  *scales* (Likert items with their response options, reverse-keyed items,
  who answers, in which waves) and *open questions*; shipped ones are listed
  by :func:`list_instruments`, a project's own live in ``surveys/instruments/``
  (:func:`project_instrument_folder`), :func:`load_instrument` reads one or
  several.
- :mod:`~rmresearch.surveys.responses`: :func:`read_responses` matches one
  export (read by :mod:`rmresearch.io.surveys`: Qualtrics CSV/TSV incl. UTF-16,
  Forms ``.xlsx``, SPSS ``.sav``, plain CSV) to an instrument and to the
  participants, naming every problem with file, row and column;
  :func:`load_surveys` reads every configured wave; :func:`survey_problems`
  runs the same reads for ``rmresearch validate``. Open-text answers are kept
  apart (:attr:`SurveyImport.open_text`): they must be anonymised before they
  are shown.
- :mod:`~rmresearch.surveys.scoring`: :func:`score` (reverse keying, mean of
  answered items, minimum-items rule) and :func:`reliability` (Cronbach's
  alpha with Feldt's interval, from :mod:`rmresearch.stats.reliability`).
- :mod:`~rmresearch.surveys.change`: :func:`paired_change` (paired t and
  Wilcoxon signed-rank with effect sizes), :func:`change_by_group` (by role,
  with a multiplicity correction) and :func:`record_change`.
- :mod:`~rmresearch.surveys.groups`: :func:`change_by_characteristic` (change by a characteristic's coarse groups
  or an intersection's) and :func:`change_tables` (every characteristic the participants carry, each disclosed
  under its own rules).
- :mod:`~rmresearch.surveys.likert`: :func:`likert_counts` and
  :func:`plot_likert` (diverging stacked bars).

Every name is importable from here (``from rmresearch import surveys;
surveys.load_surveys``).
"""

from __future__ import annotations

from ..stats.reliability import alpha_confidence_interval, cronbach_alpha
from .change import change_by_group, change_for_display, detectable_change_lines, paired_change, record_change
from .groups import (CHANGE_COLUMNS, change_by_characteristic, change_tables, coincides_with_role, coinciding_sentence,
                     mean_rules)
from .instruments import (
    KIRKPATRICK_LEVELS,
    WAVES,
    Instrument,
    Item,
    OpenQuestion,
    Scale,
    list_instruments,
    load_instrument,
    project_instrument_folder,
)
from .likert import agreement_title, likert_counts, plot_likert
from .responses import REPORT_SCALES, SurveyImport, load_surveys, read_responses, survey_instrument, survey_problems
from .scoring import Scored, intake_sentence, load_scored, reliability, require_waves, respondents, score, with_scale_titles

from . import change, groups, instruments, likert, responses, scoring  # noqa: E402 - the modules, for their __all__

__all__ = [*instruments.__all__, *responses.__all__, *scoring.__all__, "cronbach_alpha", "alpha_confidence_interval",
           *change.__all__, *groups.__all__, *likert.__all__]
