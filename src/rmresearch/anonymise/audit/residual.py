"""The audit's second pass: the detector over shareable text lists what still looks like a name, for a person."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from ..lexicon import get_lexicon
from .needles import _TITLE_WORDS, CATEGORY_WORDS
from .reading import _walk, text_units
from .scan import _as_configs, _cohort_needles

__all__ = ["RESIDUAL_COLUMNS", "residual_path", "residual_candidates", "write_residual"]

RESIDUAL_COLUMNS = ["candidate", "occurrences", "file", "where", "line", "layer", "confidence", "context", "confirmed"]
_PSEUDONYM = re.compile(r"\[[A-Z][A-Z_]*_?\d+\]|^[A-Z]{1,3}_?\d+$")
# A name as written: "Zebedee", "O'Neill", "McDonald", "Okonkwo-Bello" (not "IPython", "True-story", "HEATMAP").
_NAME_SHAPE = re.compile(r"^(?:[A-Z]['\u2019]|Mc|Mac)?[A-Z][a-z\u00df-\u00ff]+(?:-[A-Z][a-z\u00df-\u00ff]+)*$")


def _name_like(candidate: str, lex) -> bool:
    """Whether a detected span still reads as a person's name (and not a heading word or code)."""
    toks = candidate.split()
    if not toks or not all(_NAME_SHAPE.match(t) for t in toks):
        return False
    keys = [t.casefold() for t in toks]
    if any(k in CATEGORY_WORDS or k in _TITLE_WORDS for k in keys) and len(toks) == 1:
        return False
    return any(lex.is_name(t) or not (lex.is_word(t) or lex.is_known_proper(t)) for t in toks)


def residual_path(config) -> Path:
    """Where the residual candidates of a cohort are listed: beside its review file, or in the keys folder when the
    cohort has no interviews (never in a shareable folder)."""
    from ...errors import ConfigError
    from ..review import review_path

    try:
        return review_path(config).parent / "residual_candidates.csv"
    except ConfigError:
        return Path(config.outputs["keys"]) / "residual_candidates.csv"


def residual_candidates(config, paths: Iterable[str | Path], *, detector=None):
    """The detector's second pass over shareable ``paths``: remaining name-like words for a person to confirm.

    Returns one row per distinct candidate, with columns :data:`RESIDUAL_COLUMNS`:
    how often it occurs and where first (``context`` quotes the words around it, so
    the frame is private). Pseudonyms (``[PERSON_3]``, ``[P012]``), participant IDs,
    category words, speaker labels and words that are not shaped like a name
    (``IPython``, ``True``, slugs) are not candidates; a candidate needs one token
    that is a known name or no dictionary word. It does not fail anything: a
    person decides.
    """
    import pandas as pd

    from ..pipeline import detector_for

    configs = _as_configs(config)
    detector = detector or detector_for(configs[0])
    ids = set()
    for c in configs:
        from ..roster import load_roster

        ids |= {p.participant_id.casefold() for p in load_roster(c).people}
    lex = get_lexicon()
    private = {Path(p).resolve() for p in _cohort_needles(configs)[3]}
    rows: dict[str, dict] = {}
    files: list[Path] = []
    for p in map(Path, paths):
        files += _walk(p) if p.is_dir() else [p]
    for f in files:
        if f.resolve() in private:
            continue
        for where, n, line in text_units(f, []):
            if not re.search(r"[A-Z][a-z]", line):
                continue
            for span in detector.detect(line):
                word = re.sub(r"['\u2019]s$", "", span.text.strip())
                if span.label != "PERSON" or span.layer == "speakers" or _PSEUDONYM.search(word):
                    continue
                if word.casefold() in ids or not _name_like(word, lex):
                    continue
                if word in rows:
                    rows[word]["occurrences"] += 1
                    continue
                rows[word] = {"candidate": word, "occurrences": 1, "file": str(f), "where": where, "line": n,
                              "layer": span.layer, "confidence": round(float(span.confidence), 2),
                              "context": line[max(0, span.start - 40):span.end + 40].strip(), "confirmed": ""}
    frame = pd.DataFrame(list(rows.values()), columns=RESIDUAL_COLUMNS)
    return frame.sort_values(["file", "line"], kind="stable").reset_index(drop=True)


def write_residual(config, frame, path: str | Path | None = None) -> Path:
    """Write residual candidates atomically (mode 0600) beside the review file; refuse a shareable place."""
    from ...errors import ConfigError
    from ...fileio import atomic_write_text

    target = Path(path) if path else residual_path(config)
    shareable = [config.outputs.get("reports"), config.outputs.get("anonymised")]
    for folder in shareable:
        if folder is None:
            continue
        folder = Path(folder).resolve()
        if target.resolve() == folder or folder in target.resolve().parents:
            raise ConfigError(
                f"{target}: the residual candidates quote original words and must not be written inside {folder}, "
                "which is shared; set options.anonymise.review_file to a private place (they go beside it).")
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, frame.to_csv(index=False), file_mode=0o600)
    return target
