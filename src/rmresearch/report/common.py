"""The report's constants, errors and the records its builders return."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RMResearchError

VERSIONED_PACKAGES = ("rmresearch", "pandas", "numpy", "statsmodels", "scipy", "matplotlib", "nltk", "papermill", "nbconvert")
TREND_PREFIX = "9"  # notebooks 90_..99_ compare cohorts
TRENDS_DIR = "trends"
TITLE_KEYS = ("participants", "pairs", "meetings_held")
RESULTS_SOURCES_ENV = "RMRESEARCH_TRENDS_SOURCES"


class ReportError(RMResearchError):
    """A notebook failed, or the report could not be built."""


class ReleaseRefused(RMResearchError):
    """The release gate refused the report; the message says why."""


@dataclass(frozen=True)
class NotebookResult:
    name: str
    title: str
    ipynb: Path
    html: Path
    seconds: float
    cached: bool = False
    fingerprint: str = ""


@dataclass(frozen=True)
class ReleaseCheck:
    releasable: bool
    reasons: tuple[str, ...]
    checked: str

    def as_dict(self) -> dict[str, Any]:
        return {"releasable": self.releasable, "reasons": list(self.reasons), "checked": self.checked}


@dataclass
class CohortOutcome:
    cohort: str
    ok: bool
    message: str
    seconds: float
    out_dir: str | None = None
    notebooks: list[dict] = field(default_factory=list)
