"""Pre and post programme surveys drawn from latent scale means with a known change."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import _round, _rng

# --------------------------------------------------------------------------- surveys

SCALES = {  # scale -> (items, waves)
    "lived_experience": (4, ("pre", "post")),
    "inclusive_leadership": (4, ("pre", "post")),
    "career_confidence": (4, ("pre", "post")),
    "sponsorship": (3, ("pre", "post")),
    "psychological_safety": (4, ("pre", "post")),
    "reciprocity": (3, ("post",)),
    "burden": (3, ("post",)),
    "mfq_career": (3, ("post",)),
    "mfq_psychosocial": (3, ("post",)),
    "mfq_role_model": (3, ("post",)),
}
REVERSE_KEYED = ("psychological_safety_3",)
# Latent means on the 1-5 scale: (pre, true change) by role group; post-only scales: post mean.
SURVEY_TRUTH = {
    "senior_leader": {
        "lived_experience": (2.8, 0.8), "inclusive_leadership": (3.1, 0.8), "career_confidence": (4.0, 0.0),
        "sponsorship": (3.6, 0.1), "psychological_safety": (3.6, 0.3),
        "reciprocity": 4.0, "burden": 2.1, "mfq_career": 3.0, "mfq_psychosocial": 3.9, "mfq_role_model": 3.4,
    },
    "partner": {
        "lived_experience": (4.1, 0.1), "inclusive_leadership": (3.0, 0.2), "career_confidence": (3.0, 0.5),
        "sponsorship": (2.6, 0.5), "psychological_safety": (3.0, 0.3),
        "reciprocity": 3.6, "burden": 3.3, "mfq_career": 3.8, "mfq_psychosocial": 3.9, "mfq_role_model": 3.8,
    },
}




def _surveys(participants: pd.DataFrame, pairs: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    rng = _rng(seed, "surveys")
    n = len(participants)
    ids = participants["participant_id"].to_numpy()
    group = np.where(participants["role"] == "senior_leader", "senior_leader", "partner")
    withdrawn_people = set(pairs.loc[pairs["status"] == "withdrawn", ["senior_id", "partner_id"]].to_numpy().ravel())
    pre_done = rng.random(n) > 0.04
    p_post = np.where(np.isin(ids, list(withdrawn_people)), 0.2, 0.88)
    post_done = rng.random(n) < p_post
    person_sd, wave_sd, item_sd = 0.5, 0.35, 0.6
    pre_cols, post_cols = {}, {}
    for scale, (n_items, waves) in SCALES.items():
        truth = [SURVEY_TRUTH[g][scale] for g in group]
        person = rng.normal(0, person_sd, n)
        if waves == ("pre", "post"):
            base = np.array([t[0] for t in truth]) + person
            change = np.array([t[1] for t in truth])
            latents = {"pre": base + rng.normal(0, wave_sd, n), "post": base + change + rng.normal(0, wave_sd, n)}
        else:
            latents = {"post": np.array(truth, dtype=float) + person}
        for wave, latent in latents.items():
            for j in range(1, n_items + 1):
                name = f"{scale}_{j}"
                item = np.clip(np.rint(latent + rng.normal(0, item_sd, n)), 1, 5)
                if name in REVERSE_KEYED:
                    item = 6 - item
                item = pd.array(item.astype(int), dtype="Int64")
                item[rng.random(n) < 0.02] = pd.NA  # item non-response
                (pre_cols if wave == "pre" else post_cols)[name] = item
    pre = pd.DataFrame({"participant_id": ids, "wave": "pre", **pre_cols})[pre_done].reset_index(drop=True)
    post = pd.DataFrame({"participant_id": ids, "wave": "post", **post_cols})[post_done].reset_index(drop=True)
    truth = {
        "scale": "Likert 1-5; scale score = mean of items after reverse-scoring (6 - x)",
        "items": {s: [f"{s}_{j}" for j in range(1, k + 1)] for s, (k, _) in SCALES.items()},
        "waves": {s: list(w) for s, (_, w) in SCALES.items()},
        "reverse_keyed": list(REVERSE_KEYED),
        "true_change": {g: {s: v[1] for s, v in t.items() if isinstance(v, tuple)} for g, t in SURVEY_TRUTH.items()},
        "true_pre_mean": {g: {s: v[0] for s, v in t.items() if isinstance(v, tuple)} for g, t in SURVEY_TRUTH.items()},
        "true_post_mean_post_only_scales": {g: {s: v for s, v in t.items() if not isinstance(v, tuple)} for g, t in SURVEY_TRUTH.items()},
        "groups": "senior_leader = role senior_leader; partner = staff_partner and student_partner",
        "noise_sd": {"person": person_sd, "wave": wave_sd, "item": item_sd},
        "item_missing_probability": 0.02,
        "respondents": {"pre": int(pre_done.sum()), "post": int(post_done.sum()), "both": int((pre_done & post_done).sum())},
        "non_respondents": {"pre": ids[~pre_done].tolist(), "post": ids[~post_done].tolist()},
        "realised_change": _realised_survey_change(pre, post, participants),
    }
    return pre, post, truth


def _scale_scores(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"participant_id": frame["participant_id"]})
    for scale, (n_items, _) in SCALES.items():
        cols = [f"{scale}_{j}" for j in range(1, n_items + 1)]
        if not set(cols) <= set(frame.columns):
            continue
        items = frame[cols].astype(float)
        for c in cols:
            if c in REVERSE_KEYED:
                items[c] = 6 - items[c]
        out[scale] = items.mean(axis=1)
    return out


def _realised_survey_change(pre, post, participants) -> dict:
    role = participants.set_index("participant_id")["role"].map(lambda r: "senior_leader" if r == "senior_leader" else "partner")
    a, b = _scale_scores(pre).set_index("participant_id"), _scale_scores(post).set_index("participant_id")
    both = a.index.intersection(b.index)
    diff = (b.loc[both, a.columns] - a.loc[both]).assign(group=role.loc[both])
    result = {g: {s: _round(v, 3) for s, v in d.drop(columns="group").mean().items()} for g, d in diff.groupby("group")}
    post_means = b.assign(group=role.loc[b.index]).groupby("group").mean()
    result["post_means"] = {g: {s: _round(v, 3) for s, v in row.items()} for g, row in post_means.iterrows()}
    return result

