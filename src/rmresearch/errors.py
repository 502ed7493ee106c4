"""Exceptions for mistakes a user can make and fix.

Every error that comes from bad input (a missing column, an unknown code, a
file that is not UTF-8...) is raised as a subclass of :class:`RMResearchError`.
The command line prints these as short messages without a traceback; anything
else is a bug and is shown in full.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "RMResearchError",
    "AnalysisError",
    "UnknownName",
    "ConfigError",
    "InputError",
    "OutputRefused",
    "Problem",
    "ValidationError",
]


class RMResearchError(Exception):
    """Base class for expected, user-fixable errors."""


class ConfigError(RMResearchError, ValueError):
    """A cohort configuration is missing, malformed or names missing files."""


class InputError(RMResearchError, ValueError):
    """An input file cannot be read (missing, empty, binary, wrong encoding...)."""


class AnalysisError(RMResearchError, ValueError):
    """An analysis cannot run on the data it was given (a column missing, a group with no members, a
    model that cannot be fitted on these rows...). The message names the input and says what to do.

    It is a ``ValueError`` too, so code that caught ``ValueError`` before keeps working.
    """


class UnknownName(AnalysisError, KeyError):
    """A scale, item, code or other name was asked for that the instrument or codebook does not have.

    A ``KeyError`` too, for code that looks names up; printed as the plain message (a ``KeyError`` alone would quote it).
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class OutputRefused(RMResearchError, ValueError):
    """A command was asked to write into or over an input, a key or a folder it does not own
    (see :mod:`rmresearch.guard`); nothing was written."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input table.

    ``row`` is the row number a person sees when they open the file
    (spreadsheet row or line number, header included), or ``None`` when the
    problem concerns the whole file or a whole column.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class ValidationError(RMResearchError, ValueError):
    """One or more problems in input tables, all reported at once."""

    def __init__(self, problems: list[Problem], *, max_shown: int = 50):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        shown = errors[:max_shown]
        lines = [f"{len(errors)} problem(s) found in the input data:"]
        lines += [f"  - {p}" for p in shown]
        if len(errors) > max_shown:
            lines.append(f"  ... and {len(errors) - max_shown} more (run `rmresearch validate` for the full list)")
        super().__init__("\n".join(lines))
