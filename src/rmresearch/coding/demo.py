"""Two synthetic coders' codings of the demo transcripts, drawn from the ground-truth themes.

The demo generator records, for every turn of every transcript, the themes the
turn was written to express (``data/demo/ground_truth/identifiers.jsonl``).
:func:`simulate_codings` turns them into what two human coders might have
coded: each coder misses some true themes (coder A less often than coder B),
sometimes adds a plausible neighbouring code (sponsorship for career
development, labour of educating for lived experience...) and writes a memo
on some borderline calls. Agreement between the two is realistic for a
codebook approach (Cohen's kappa per code mostly between 0.6 and 0.85), so the
agreement section of the report has something real to show, and the injected
truth lets tests check that agreement statistics recover it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..fileio import write_csv

__all__ = ["CONFUSABLE", "DEMO_CODERS", "simulate_codings", "read_ground_truth_turns"]

DEMO_CODERS = ("coder_a", "coder_b")

#: Codes a coder plausibly applies instead of, or as well as, a true theme.
CONFUSABLE = {
    "lived_experience": ("labour_of_educating", "understanding_barriers"),
    "understanding_barriers": ("lived_experience", "actions_policy_change"),
    "career_development": ("sponsorship", "decision_making_politics"),
    "sponsorship": ("career_development",),
    "decision_making_politics": ("career_development", "understanding_barriers"),
    "safe_space": ("reciprocity", "labour_of_educating"),
    "reciprocity": ("safe_space",),
    "labour_of_educating": ("lived_experience", "safe_space"),
    "actions_policy_change": ("accountability", "understanding_barriers"),
    "accountability": ("actions_policy_change",),
    "programme_logistics": ("safe_space",),
}

_MEMOS = (
    "borderline: could also be {other}",
    "coded on the second half of the turn",
    "check with the other coder: {other}?",
)

# (probability of applying a true theme, probability of adding a neighbouring code per coded turn)
_CODER_PROFILE = {"coder_a": (0.90, 0.10), "coder_b": (0.84, 0.14)}


def read_ground_truth_turns(ground_truth_jsonl: str | Path) -> pd.DataFrame:
    """Turns of the demo ground truth: ``document, turn, speaker_id, themes`` (themes joined with ``;``).

    ``turn`` counts the transcript's turns from 1, matching the segment IDs of
    the anonymised text (``<document>#t003``).
    """
    path = Path(ground_truth_jsonl)
    if not path.is_file():
        raise InputError(f"Ground truth not found: {path}. Run `rmresearch demo` first.")
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}, line {line_no}: not JSON ({exc.msg}).") from None
            name = rec.get("file") or rec.get("source")
            if not name or not isinstance(rec.get("turns"), list):
                raise InputError(f"{path}, line {line_no}: expected 'file' and 'turns' in each ground-truth record.")
            document = Path(name).stem
            for n, turn in enumerate(rec["turns"], start=1):
                rows.append({
                    "document": document,
                    "turn": n,
                    "speaker_id": turn.get("speaker_id"),
                    "respondent": turn.get("speaker_id") == rec.get("participant_id"),
                    "themes": ";".join(turn.get("themes") or []),
                })
    return pd.DataFrame(rows, columns=["document", "turn", "speaker_id", "respondent", "themes"])


def simulate_codings(
    ground_truth_jsonl: str | Path,
    *,
    seed: int = 2024,
    out: str | Path | None = None,
    coders: tuple[str, ...] = DEMO_CODERS,
) -> pd.DataFrame:
    """Two coders' turn-level codings of the demo transcripts, with realistic disagreement.

    Parameters
    ----------
    ground_truth_jsonl : path
        ``data/demo/ground_truth/identifiers.jsonl`` written by ``rmresearch demo``.
    seed : int
        Random seed; the same seed gives the same codings.
    out : path, optional
        Where to write the codings CSV (``segment_id, code, coder, memo``),
        e.g. ``data/demo/codings.csv``; written atomically.
    coders : tuple of str
        Coder names (the first is the more thorough coder).

    Returns
    -------
    pandas.DataFrame
        ``segment_id, code, coder, memo``, one row per coder and coded turn and code.
    """
    turns = read_ground_truth_turns(ground_truth_jsonl)
    rng = np.random.default_rng([seed, 4_2024])
    profiles = [_CODER_PROFILE.get(c, (0.85, 0.12)) for c in coders]
    rows = []
    width = {d: max(3, len(str(int(g["turn"].max())))) for d, g in turns.groupby("document")}
    for r in turns.itertuples(index=False):
        true = [t for t in r.themes.split(";") if t]
        if not r.respondent:
            continue
        seg = f"{r.document}#t{r.turn:0{width[r.document]}d}"
        for coder, (p_apply, p_extra) in zip(coders, profiles):
            draws = rng.random(len(true) + 3)  # fixed number of draws per turn and coder keeps streams aligned
            applied = [t for t, u in zip(true, draws) if u < p_apply]
            if true and draws[-3] < p_extra:
                neighbours = [c for c in CONFUSABLE.get(true[0], ()) if c not in applied]
                if neighbours:
                    extra = neighbours[int(draws[-2] * len(neighbours))]
                    memo = _MEMOS[int(draws[-1] * len(_MEMOS))].format(other=true[0]) if draws[-1] < 0.5 else None
                    rows.append({"segment_id": seg, "code": extra, "coder": coder, "memo": memo})
            for t in applied:
                rows.append({"segment_id": seg, "code": t, "coder": coder, "memo": None})
    frame = pd.DataFrame(rows, columns=["segment_id", "code", "coder", "memo"])
    frame = frame.drop_duplicates(["segment_id", "code", "coder"]).reset_index(drop=True)
    if out is not None:
        write_csv(frame, out)
    return frame
