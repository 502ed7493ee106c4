"""Everything coding needs for one cohort, loaded through its configuration.

:func:`load_coding_data` reads the anonymised transcripts
(``outputs.anonymised``), splits them into segments, reads the codebook, the
participants' attributes and, when there are any, the human codings
(``inputs.codings`` in the cohort file, or ``data/<cohort>/codings.csv``).

Consent is honoured here, for every analysis, report and export built on it:
the turns of a participant who did not consent to interview use (or was
withdrawn, see :mod:`rmresearch.consent`) are replaced by a marker in
``texts``, left out of ``segments``, and codings touching them are dropped;
the participant is left out of ``participants``.

Whose interview each transcript is comes from the interview manifest (``inputs.interview_manifest``, see
:mod:`rmresearch.coding.manifest`), through the anonymised manifest ``anonymise run`` writes beside the
anonymised transcripts: ``segments`` carry a ``speaker_role`` (interviewee, interviewer, other, unattributed),
every turn of an unlabelled (auto-caption) transcript is attributed to its interviewee (and withheld whole when
that interviewee did not consent), a transcript of an interviewee who did not consent (labelled or not) is left out
of ``texts`` and ``segments`` whole (the questions put to them are not counted either), and ``notes`` says so in
plain words for the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..config import CohortConfig
from ..consent import WITHHELD_MARKER, Withheld, excluded_from_interviews, remap_codings, splice_withheld, withhold_turns
from .codebook import Codebook, load_codebook
from .codings import read_codings_csv
from .groups import attribute_columns, participant_characteristics
from .manifest import ANONYMISED_MANIFEST, read_anonymised_manifest, speaker_notes, speaker_roles
from .segments import _lines, _trim, load_documents, segment_documents, survey_note

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
    #: Participants whose interview words are withheld (no consent to interview use, or withdrawn).
    excluded: frozenset[str] = frozenset()
    #: Turns withheld from ``texts`` and ``segments`` because their speaker is excluded.
    withheld_turns: int = 0
    #: Codings dropped because they touch a withheld turn.
    codings_dropped: int = 0
    #: The anonymised interview manifest (document, participant_id, interviewer_labels, speaker_labels), if any.
    manifest: pd.DataFrame | None = None
    #: Plain sentences for the report: transcripts attributed whole to their interviewee, transcripts that add nothing.
    notes: tuple[str, ...] = ()
    #: The characteristics (and intersections) ``participants`` carries, in the cohort file's order.
    characteristics: tuple = ()

    @property
    def coders(self) -> list[str]:
        return [] if self.codings is None else sorted(self.codings["coder"].unique())


def participant_attributes(config: CohortConfig, *, grouping: str | None = None) -> pd.DataFrame:
    """``participant_id, role`` and the characteristic columns of the cohort's participants (no names).

    For each characteristic the participants carry (:func:`rmresearch.coding.groups.participant_characteristics`:
    those of ``options.characteristics`` whose tables include participants, and their intersections) its group
    column and its aggregate column (``disability_group``, ``disability_aggregate``; an intersection's one column,
    ``disability_by_sex``), never missing (``Unknown`` for not known or prefer not to say). A cohort need not study
    ethnicity; when it does, ``ethnicity_group`` follows ``grouping`` (a column of the ethnicity map, e.g.
    ``"aggregate"``, coarser and safer in small cohorts; default the cohort's ``ethnicity_grouping``), as before.
    """
    from ..inputs import load_table

    people = load_table(config, "participants")
    out = people[["participant_id", "role"]].copy()
    for column in attribute_columns(participant_characteristics(config)):
        if column in people.columns:
            out[column] = people[column].to_numpy()
    legacy = "ethnicity_group" in people.columns and "ethnicity_code" in people.columns
    if legacy and grouping is not None and grouping != config.ethnicity_grouping:
        emap = config.ethnicity_map()
        out["ethnicity_group"] = emap.group(emap.normalise(people["ethnicity_code"]), grouping).to_numpy()
    elif "ethnicity_group" in people.columns:
        out["ethnicity_group"] = people["ethnicity_group"].to_numpy()
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
        Ethnicity grouping of ``participants.ethnicity_group`` when the cohort studies ethnicity (see
        :func:`participant_attributes`); a cohort need not (one with only disability and sex loads the same way).
    """
    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook if codebook is not None else config.options.get("codebook"))
    raw_texts = load_documents(config.outputs["anonymised"])
    participants = participant_attributes(config, grouping=grouping)
    ids = set(participants["participant_id"])
    manifest, notes = _manifest(config)
    # Consent: the turns of anyone who did not consent to interview use (or withdrew) are withheld from
    # every text, segment and coding here, so no analysis, report or export built on this data can show them.
    excluded = frozenset(excluded_from_interviews(config))
    withheld = {doc: withhold_turns(text, excluded) for doc, text in raw_texts.items()}
    for doc in _unlabelled_of(manifest, excluded) & set(raw_texts):  # no label says whose words: all are the interviewee's
        withheld[doc] = _withhold_every_line(raw_texts[doc])
    # consent follows the interviewee: the interview of an excluded participant is left out whole (what is left of it,
    # the questions put to them, is neither counted nor coded)
    left_out = _interviews_of(manifest, excluded) & set(raw_texts)
    texts = {doc: w.text for doc, w in withheld.items() if doc not in left_out}
    participants = participants.loc[~participants["participant_id"].isin(excluded)].reset_index(drop=True)
    raw_segments = segment_documents(raw_texts, unit=unit, participant_ids=ids, sentence_splitter=sentence_splitter)
    if left_out or any(w.spans for w in withheld.values()):  # the texts changed: segment what is left of them
        segments = segment_documents(texts, unit=unit, participant_ids=ids, sentence_splitter=sentence_splitter)
    else:  # nothing withheld: the texts are the stored ones, and so are their segments
        segments = raw_segments
    segments = _consenting(speaker_roles(segments, manifest), withheld, excluded)
    path = Path(codings) if codings is not None else cohort_codings_path(config)
    frame = None
    dropped = 0
    if path is not None:
        # codings cite offsets into the anonymised files as stored: read them against those, then drop and re-map
        lookup = raw_segments
        if unit != "turn":
            lookup = pd.concat([segment_documents(raw_texts, unit="turn", participant_ids=ids), raw_segments], ignore_index=True)
        frame = read_codings_csv(path, segments=lookup, codebook=codebook, texts=raw_texts)
        frame, dropped = remap_codings(frame, withheld)
        theirs = frame["document"].isin(left_out)
        frame, dropped = frame.loc[~theirs].reset_index(drop=True), dropped + int(theirs.sum())
    n_withheld = sum(len(w.spans) for w in withheld.values())
    notes += tuple(speaker_notes(segments, manifest)) + _left_out_note(left_out) + survey_note(texts)
    return CodingData(texts=texts, segments=segments, codebook=codebook, participants=participants,
                      codings=frame, codings_path=path, excluded=excluded, withheld_turns=n_withheld,
                      codings_dropped=dropped, manifest=manifest, notes=notes,
                      characteristics=participant_characteristics(config))


def _manifest(config: CohortConfig) -> tuple[pd.DataFrame | None, tuple[str, ...]]:
    """The anonymised manifest when the cohort has an interview manifest, and a note when the anonymised
    transcripts were written before it (so it cannot be applied yet)."""
    if config.inputs.get("interview_manifest") is None:
        return None, ()
    manifest = read_anonymised_manifest(config.outputs["anonymised"])
    if manifest is None:
        return None, (f"The cohort has an interview manifest, but the anonymised transcripts were written before it, so "
                      f"it is not applied here: run `rmresearch anonymise run --cohort {config.cohort}` again.",)
    written = Path(config.outputs["anonymised"]) / ANONYMISED_MANIFEST
    if written.stat().st_mtime < Path(config.inputs["interview_manifest"]).stat().st_mtime:
        return manifest, (f"The interview manifest changed after the transcripts were anonymised, so what is shown here "
                          f"follows its earlier version: run `rmresearch anonymise run --cohort {config.cohort}` again.",)
    return manifest, ()


def _unlabelled_of(manifest: pd.DataFrame | None, excluded: frozenset[str]) -> set[str]:
    """Documents without speaker labels whose interviewee (by the manifest) is excluded."""
    if manifest is None:
        return set()
    rows = manifest.loc[(manifest["speaker_labels"] == "no") & manifest["participant_id"].isin(excluded)]
    return set(rows["document"])


def _interviews_of(manifest: pd.DataFrame | None, excluded: frozenset[str]) -> set[str]:
    """Documents whose interviewee (by the manifest) is excluded, with or without speaker labels."""
    if manifest is None:
        return set()
    return set(manifest.loc[manifest["participant_id"].isin(excluded), "document"])


def _left_out_note(documents: set[str]) -> tuple[str, ...]:
    """The report's sentence on interviews left out whole for consent (document pseudonyms only).

    >>> print(_left_out_note({"interview_04"})[0])
    Transcript interview_04 is the interview of a participant who did not consent to interview use (or withdrew), so it is left out of everything here, the interviewer's questions too.
    """
    if not documents:
        return ()
    one = len(documents) == 1
    return (f"Transcript{'' if one else 's'} {', '.join(sorted(documents))} {'is the interview' if one else 'are interviews'} "
            f"of {'a participant' if one else 'participants'} who did not consent to interview use (or withdrew), so "
            f"{'it is' if one else 'they are'} left out of everything here, the interviewer's questions too.",)


def _withhold_every_line(text: str) -> Withheld:
    """Every line's words replaced by the consent marker (an unlabelled transcript of an excluded interviewee).

    >>> _withhold_every_line("hi there\\nof course").text.splitlines() == [WITHHELD_MARKER] * 2
    True
    """
    # a line already withheld by the anonymiser is a span too: codings on it are dropped
    ranges = [(s, e) for s, e in (_trim(text, a, b) for a, b in _lines(text)) if e > s]
    return splice_withheld(text, ranges, WITHHELD_MARKER)


def _consenting(segments: pd.DataFrame, withheld: dict, excluded: frozenset[str]) -> pd.DataFrame:
    """Segments without those of excluded speakers or touching a withheld turn."""
    if segments.empty:
        return segments
    touches = [withheld[d].overlaps_new(int(s), int(e)) if d in withheld else False
               for d, s, e in zip(segments["document"], segments["start"], segments["end"])]
    keep = ~(segments["participant_id"].isin(excluded) | pd.Series(touches, index=segments.index, dtype=bool))
    return segments.loc[keep].reset_index(drop=True)


