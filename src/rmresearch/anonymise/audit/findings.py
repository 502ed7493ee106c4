"""What the audit reports: a :class:`Finding` per identifier and place, shown partly masked."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Finding", "mask", "format_findings"]

_PRIVATE_MARK = "PRIVATE"


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    label: str
    masked: str
    source: str  # "roster", "key", "pattern", "file name", "private", "format" or "figure"
    where: str = ""  # archive member, or "file name"

    def __str__(self) -> str:
        loc = self.file + (f" [{self.where}]" if self.where else "")
        return f"{loc}:{self.line}: {self.label} {self.masked} ({self.source})" if self.line else \
            f"{loc}: {self.label} {self.masked} ({self.source})"


def mask(value: str) -> str:
    """Keep the first character of each word, star the rest."""
    return re.sub(r"([^\W_])([^\W_]*)", lambda m: m.group(1) + "*" * len(m.group(2)), value)


def format_findings(findings: list[Finding], *, limit: int = 200) -> str:
    lines = [str(f) for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"... and {len(findings) - limit} more")
    return "\n".join(lines)
