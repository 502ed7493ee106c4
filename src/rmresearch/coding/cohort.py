"""Everything coding needs for one cohort, loaded through its configuration.

:func:`load_coding_data` reads the anonymised transcripts
(``outputs.anonymised``), splits them into segments, reads the codebook, the
participants' attributes and, when there are any, the human codings
(``inputs.codings`` in the cohort file, or ``data/<cohort>/codings.csv``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..config import CohortConfig
from .codebook import Codebook, load_codebook
from .codings import read_codings_csv
from .segments import load_documents, segment_documents

__all__ = ["CodingData", "load_coding_data", "participant_attributes", "cohort_codings_path"]


@dataclass(frozen=True)
class CodingData:
    """Anonymised texts, segments, codebook, participants and codings of a cohort."""

    texts: dict[str, str]
    segments: pd.DataFrame
    codebook: Codebook
    participants: pd.DataFrame
    codings: pd.DataFrame | None
    codings_path: Path | None

    @property
    def coders(self) -> list[str]:
        return [] if self.codings is None else sorted(self.codings["coder"].unique())


def participant_attributes(config: CohortConfig, *, grouping: str | None = None) -> pd.DataFrame:
    """``participant_id, role, ethnicity_group`` of the cohort's participants (no names).

    ``grouping`` picks the ethnicity grouping (a column of the ethnicity map,
    e.g. ``"aggregate"`` for BAME/White, coarser and safer in small cohorts);
    default the cohort's ``ethnicity_grouping``.
    """
    from ..inputs import load_table

    people = load_table(config, "participants")
    out = people[["participant_id", "role"]].copy()
    if grouping is None or grouping == config.ethnicity_grouping:
        out["ethnicity_group"] = people["ethnicity_group"].to_numpy()
    else:
        emap = config.ethnicity_map()
        out["ethnicity_group"] = emap.group(emap.normalise(people["ethnicity_code"]), grouping).to_numpy()
    out["participant_id"] = out["participant_id"].astype(str)
    out["role"] = out["role"].astype(str)
    return out.reset_index(drop=True)


def cohort_codings_path(config: CohortConfig) -> Path | None:
    """The cohort's codings CSV: ``inputs.codings``, else ``data/<cohort>/codings.csv`` if it exists."""
    configured = config.inputs.get("codings")
    if configured is not None:
        return Path(configured)
    default = Path(config.root) / "data" / config.cohort / "codings.csv"
    return default if default.is_file() else None


def load_coding_data(
    config: CohortConfig,
    *,
    unit: str = "turn",
    codebook: Codebook | str | Path | None = None,
    codings: str | Path | None = None,
    grouping: str | None = None,
    sentence_splitter: str = "punkt",
) -> CodingData:
    """Load a cohort's anonymised transcripts, segments, codebook, participants and codings.

    Parameters
    ----------
    unit : {"turn", "sentence", "paragraph"}
        Coding unit of ``segments``. Codings may cite turn IDs or IDs of this unit.
    codebook : Codebook or path, optional
        Default: ``options.codebook`` in the cohort file, else the built-in codebook.
    codings : path, optional
        Default: :func:`cohort_codings_path`; ``None`` there means no codings yet.
    grouping : str, optional
        Ethnicity grouping for ``participants`` (see :func:`participant_attributes`).
    """
    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook if codebook is not None else config.options.get("codebook"))
    texts = load_documents(config.outputs["anonymised"])
    participants = participant_attributes(config, grouping=grouping)
    ids = set(participants["participant_id"])
    segments = segment_documents(texts, unit=unit, participant_ids=ids, sentence_splitter=sentence_splitter)
    path = Path(codings) if codings is not None else cohort_codings_path(config)
    frame = None
    if path is not None:
        lookup = segments
        if unit != "turn":
            lookup = pd.concat([segment_documents(texts, unit="turn", participant_ids=ids), segments], ignore_index=True)
        frame = read_codings_csv(path, segments=lookup, codebook=codebook, texts=texts)
    return CodingData(texts=texts, segments=segments, codebook=codebook, participants=participants,
                      codings=frame, codings_path=path)
