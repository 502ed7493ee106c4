"""The cohort file's settings for the awarding-gap analyses (``options.attainment``), checked by name.

.. code-block:: yaml

    options:
      attainment:
        covariates: [tariff, age_on_entry, sex, faculty]   # the models' characteristics (default: all six below)
        comparisons: [headline, trend, adjusted, mentored]  # the sections shown (default: all)
        min_level_n: 10                                     # fewest students a level of a characteristic needs

``covariates`` are columns of the students table: ``tariff`` (entry tariff), ``age_on_entry`` (or ``age``),
``sex``, ``disability``, ``imd_quintile`` (or ``deprivation``), ``faculty``, ``subject``, ``entry_year``.
``comparisons`` name the notebook's sections: ``headline``, ``trend``, ``adjusted``, ``value_added``,
``decompositions``, ``mentored``, ``did`` (difference in differences), ``continuation``. A section left out shows a
short note saying the cohort file leaves it out. The reference group is ``options.reference_group``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import AnalysisError, ConfigError
from ._common import COVARIATE_LABELS, DEFAULT_COVARIATES, MIN_LEVEL_N

__all__ = ["AttainmentOptions", "ANALYSES", "COVARIATES", "read_options", "options", "require_comparison"]

#: The sections of notebook 03 a cohort file may choose, in their order.
ANALYSES = ("headline", "trend", "adjusted", "value_added", "decompositions", "mentored", "did", "continuation")
#: Covariates the models take (columns of the students schema).
COVARIATES = tuple(COVARIATE_LABELS)
_ALIASES = {"age": "age_on_entry", "deprivation": "imd_quintile", "imd": "imd_quintile", "entry_tariff": "tariff"}
_CATEGORICAL = ("imd_quintile", "entry_year")  # numeric columns the models treat as categories
_KEYS = ("covariates", "comparisons", "min_level_n")


@dataclass(frozen=True)
class AttainmentOptions:
    """``options.attainment`` of a cohort file, checked (defaults where a setting is absent)."""

    covariates: tuple[str, ...] = tuple(DEFAULT_COVARIATES)
    comparisons: tuple[str, ...] = ANALYSES
    min_level_n: int = MIN_LEVEL_N

    @property
    def categorical(self) -> tuple[str, ...]:
        """The numeric covariates entered as categories (IMD quintile, entry year)."""
        return tuple(c for c in self.covariates if c in _CATEGORICAL)


def _names(value: Any, key: str, allowed: tuple[str, ...], source: str, aliases: dict[str, str]) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigError(f"{source}: options.attainment.{key} must be a list like [{', '.join(allowed[:3])}], "
                          f"not {value!r}"[:300] + ".")
    names = []
    for item in value:
        name = aliases.get(str(item).strip(), str(item).strip())
        if name not in allowed:
            raise ConfigError(f"{source}: options.attainment.{key} names {item!r}, which is not one of "
                              f"{', '.join(allowed)}.")
        if name in names:
            raise ConfigError(f"{source}: options.attainment.{key} lists {item!r} more than once.")
        names.append(name)
    return tuple(names)


def read_options(raw: Any, source: str = "cohort file") -> AttainmentOptions:
    """``options.attainment`` checked by name: a ConfigError names the file, the setting and the allowed values.

    Examples
    --------
    >>> read_options({"covariates": ["tariff", "age", "sex"]}).covariates
    ('tariff', 'age_on_entry', 'sex')
    >>> read_options(None) == AttainmentOptions()
    True
    >>> read_options({"covariates": ["tariff", "ethnicity"]}, "pilot.yml")
    Traceback (most recent call last):
    ...
    rmresearch.errors.ConfigError: pilot.yml: options.attainment.covariates names 'ethnicity', which is not one of tariff, age_on_entry, sex, disability, imd_quintile, faculty, subject, entry_year.
    """
    if raw is None:
        return AttainmentOptions()
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: options.attainment must be a mapping (covariates:, comparisons:, min_level_n: "
                          f"indented below it), not {raw!r}"[:300] + ".")
    unknown = sorted(set(map(str, raw)) - set(_KEYS))
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s) under options.attainment: {', '.join(unknown)}; known: "
                          f"{', '.join(_KEYS)}.")
    settings: dict[str, Any] = {}
    if raw.get("covariates") is not None:
        settings["covariates"] = _names(raw["covariates"], "covariates", COVARIATES, source, _ALIASES)
    if raw.get("comparisons") is not None:
        settings["comparisons"] = _names(raw["comparisons"], "comparisons", ANALYSES, source, {})
    if raw.get("min_level_n") is not None:
        value = raw["min_level_n"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{source}: options.attainment.min_level_n must be a whole number of at least 1 "
                              f"(fewest students a level of a characteristic needs in a model), not {value!r}.")
        settings["min_level_n"] = value
    return AttainmentOptions(**settings)


def options(config: Any) -> AttainmentOptions:
    """The checked ``options.attainment`` of a loaded cohort file (defaults without one)."""
    return read_options((getattr(config, "options", None) or {}).get("attainment"),
                        str(getattr(config, "path", "cohort file")))


def require_comparison(settings: Any, name: str) -> None:
    """Stop a notebook section, with a note, when ``options.attainment.comparisons`` leaves it out.

    ``settings`` is an :class:`AttainmentOptions` or a loaded cohort file.

    >>> require_comparison(AttainmentOptions(comparisons=("headline",)), "headline")
    >>> require_comparison(AttainmentOptions(comparisons=("headline",)), "did")
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: the cohort file leaves this comparison out (options.attainment.comparisons lists headline, not did)
    """
    if not isinstance(settings, AttainmentOptions):
        settings = options(settings)
    if name not in ANALYSES:
        raise AnalysisError(f"require_comparison: {name!r} is not one of {', '.join(ANALYSES)}.")
    if name not in settings.comparisons:
        raise AnalysisError(f"the cohort file leaves this comparison out (options.attainment.comparisons lists "
                            f"{', '.join(settings.comparisons) or 'none'}, not {name})")
