"""Helpers shared by the programme modules: column checks and the meetings that took place."""

from __future__ import annotations

import pandas as pd

from ..errors import AnalysisError


def held_meetings(meetings: pd.DataFrame) -> pd.DataFrame:
    """The meetings that took place (``attended`` true; a missing value counts as not held)."""
    return meetings.loc[meetings["attended"].fillna(False).astype(bool)]


def require_columns(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    """Refuse a table without the columns an analysis needs, naming the table and what it has."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(f"the {name} table needs column(s) {', '.join(missing)}; it has {', '.join(map(str, frame.columns))}. "
                            "Pass the validated table (rmresearch.inputs.load_table) or the output of the function named.")
