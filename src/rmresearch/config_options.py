"""Checks of the cohort file's ``options:`` that have their own shape: trends, surveys, attainment, identifiers.

Each raises a :class:`~rmresearch.errors.ConfigError` naming the option, with an example of what it takes; they are
called by :func:`rmresearch.config.load_cohort` (and re-exported there), and import no analysis package at module
level, so reading a cohort file stays quick.
"""

from __future__ import annotations

from .errors import ConfigError
from .io.text import check_encoding

__all__: list[str] = []  # private helpers of rmresearch.config


def _check_trends(trends, source: str) -> None:
    """``options.trends``: ``{partial_pooling: true}`` shows partially pooled estimates on the trends page."""
    if trends is None:
        return
    if not isinstance(trends, dict) or set(trends) - {"partial_pooling"}:
        raise ConfigError(f"{source}: 'options.trends' takes one setting, partial_pooling: true or false "
                          f"(e.g. trends: {{partial_pooling: true}}), not {trends!r}"[:300] + ".")
    if not isinstance(trends.get("partial_pooling", False), bool):
        raise ConfigError(f"{source}: options.trends.partial_pooling must be true or false, "
                          f"not {trends['partial_pooling']!r}.")


_SURVEY_OPTIONS = ("link", "exclude_unfinished", "duplicates", "columns", "ignore", "encoding")


def _check_surveys(surveys, source: str) -> None:
    """``options.surveys``: how exports are read (the keyword arguments of surveys.read_responses; see
    rmresearch.surveys.respondents.survey_settings). Checked here by shape, without importing the survey package."""
    if surveys is None:
        return
    where = f"{source}: options.surveys"
    if not isinstance(surveys, dict) or set(surveys) - set(_SURVEY_OPTIONS):
        odd = sorted(map(str, set(surveys) - set(_SURVEY_OPTIONS))) if isinstance(surveys, dict) else []
        raise ConfigError(f"{where} takes {', '.join(_SURVEY_OPTIONS)}" + (f", not {', '.join(map(repr, odd))}" if odd else "")
                          + " (e.g. surveys: {link: {export: RecipientEmail, participants: email}, exclude_unfinished: true}).")
    link = surveys.get("link")
    if link is not None and not (isinstance(link, dict) and set(link) <= {"export", "participants"} and "export" in link
                                 and all(isinstance(v, str) and v.strip() for v in link.values())):
        raise ConfigError(f"{where}.link must name the export column and the participants' column, e.g. "
                          f"link: {{export: RecipientEmail, participants: email}}, not {link!r}"[:300] + ".")
    if not isinstance(surveys.get("exclude_unfinished", False), bool):
        raise ConfigError(f"{where}.exclude_unfinished must be true or false, not {surveys['exclude_unfinished']!r}.")
    if surveys.get("duplicates", "error") not in ("error", "keep_latest"):
        raise ConfigError(f"{where}.duplicates must be error (a person answering a wave twice is an error) or "
                          f"keep_latest (keep their latest finished response), not {surveys['duplicates']!r}.")
    columns = surveys.get("columns")
    if columns is not None and not (isinstance(columns, dict) and all(isinstance(k, str) and isinstance(v, (str, int)) for k, v in columns.items())):
        raise ConfigError(f"{where}.columns maps items to export columns, e.g. columns: {{burden_1: Q7}}, not {columns!r}"[:300] + ".")
    if surveys.get("encoding") is not None:  # a CSV/TSV export that is not UTF-8 or UTF-16 (--encoding on the command line)
        check_encoding(surveys["encoding"], f"{where}.encoding")
    ignore = surveys.get("ignore")
    if ignore is not None and not (isinstance(ignore, list) and all(isinstance(c, (str, int)) for c in ignore)):
        raise ConfigError(f"{where}.ignore lists export columns to leave out, e.g. ignore: [Q12, Q13], not {ignore!r}"[:300] + ".")


def _check_attainment(attainment, source: str) -> None:
    """``options.attainment`` (covariates, comparisons, min_level_n), checked by name: see rmresearch.attainment.options."""
    from .attainment.options import read_options

    read_options(attainment, source)


def _check_identifiers(identifiers: dict, source: str) -> None:
    import re

    for name, pattern in identifiers.items():
        try:
            if not isinstance(pattern, str) or not pattern:
                raise re.error("not text")
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{source}: options.identifiers.{name}: {pattern!r} is not a regular expression ({exc}); "
                              "write it in quotes, e.g. staff_number: '\\bS\\d{6}\\b'.") from None
