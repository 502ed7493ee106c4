"""Inter-coder agreement: Cohen's kappa, Krippendorff's alpha and an NVivo-style coding comparison.

Agreement is optional in qualitative work: reflexive thematic analysis does not
need it; codebook and framework approaches use it to check that a codebook can
be applied consistently.

Two mistakes common in other tools are avoided here:

- a *missing* judgement (a coder who did not code a document) is never
  treated as a category: it is left out (Cohen) or kept as missing
  (Krippendorff), unlike NLTK's ``AnnotationTask``;
- kappa is the standard Cohen (1960) statistic computed by statsmodels from
  the contingency table, not QualCoder's variant.

References
----------
Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and
Psychological Measurement, 20(1), 37-46.
Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg
School for Communication, University of Pennsylvania.
https://repository.upenn.edu/asc_papers/43
"""

from __future__ import annotations

import itertools
import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import AnalysisError

__all__ = [
    "LEVELS",
    "cohen_kappa",
    "krippendorff_alpha",
    "coding_comparison",
    "alpha_by_code",
    "reliability_matrix",
    "low_agreement_sentence",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio")
ALL_SOURCES = "(all sources)"


def _is_missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))


def cohen_kappa(labels_a: Sequence, labels_b: Sequence) -> pd.DataFrame:
    """Cohen's kappa for two coders' labels of the same units.

    Parameters
    ----------
    labels_a, labels_b : sequence
        One label per unit (any hashable values). Units where either label
        is missing (``None``/``NaN``) are left out: a missing judgement is not
        a category.

    Returns
    -------
    pandas.DataFrame
        One row: ``kappa``, ``se`` (asymptotic standard error), ``ci_low``,
        ``ci_high`` (95%), ``agreement`` (observed proportion),
        ``chance_agreement``, ``n`` (units compared). ``kappa`` is NaN when it is
        undefined (chance agreement of 1: both coders gave one and the same
        label to every unit).

    Notes
    -----
    ``kappa = (p_o - p_e) / (1 - p_e)``, computed by
    :func:`statsmodels.stats.inter_rater.cohens_kappa` on the contingency table.

    Examples
    --------
    Fleiss, Levin & Paik (2003) style example: two reviewers rate 50 grant
    proposals; both say yes to 20, both no to 15, A yes/B no 5, A no/B yes 10.

    >>> a = ["yes"] * 25 + ["no"] * 25
    >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    >>> cohen_kappa(a, b)[["kappa", "agreement", "chance_agreement", "n"]].round(3)
       kappa  agreement  chance_agreement   n
    0    0.4        0.7               0.5  50
    """
    a, b = list(labels_a), list(labels_b)
    if len(a) != len(b):
        raise AnalysisError(f"labels_a has {len(a)} labels and labels_b {len(b)}; give one label per unit from each coder.")
    pairs = [(x, y) for x, y in zip(a, b) if not _is_missing(x) and not _is_missing(y)]
    if not pairs:
        raise AnalysisError("No unit has a label from both coders; kappa needs units both coders judged. Give labels_a and labels_b "
                            "for the same units, missing (None) only where a coder did not judge the unit.")
    cats = sorted({x for x, _ in pairs} | {y for _, y in pairs}, key=lambda v: (str(type(v)), str(v)))
    index = {c: i for i, c in enumerate(cats)}
    table = np.zeros((len(cats), len(cats)))
    for x, y in pairs:
        table[index[x], index[y]] += 1
    return _kappa_frame(table)


def _kappa_frame(table: np.ndarray) -> pd.DataFrame:
    from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

    n = table.sum()
    p_o = np.trace(table) / n
    p_e = float((table.sum(axis=1) * table.sum(axis=0)).sum() / n**2)
    kappa = se = low = high = np.nan
    if table.shape[0] >= 2 and not np.isclose(p_e, 1.0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            res = sm_kappa(table)
        kappa, se, low, high = float(res.kappa), float(res.std_kappa), float(res.kappa_low), float(res.kappa_upp)
    return pd.DataFrame(
        [{"kappa": kappa, "se": se, "ci_low": low, "ci_high": high, "agreement": float(p_o),
          "chance_agreement": p_e, "n": int(n)}]
    )


def _kappa_2x2(table: np.ndarray) -> float:
    """Kappa of a 2x2 (yes/no) table; NaN when undefined (no variation in either coder)."""
    table = np.asarray(table, dtype=float)
    if table.sum() == 0:
        return np.nan
    return float(_kappa_frame(table)["kappa"].iloc[0])


def krippendorff_alpha(reliability_data, level: str = "nominal", *, value_domain: Sequence | None = None) -> float:
    """Krippendorff's alpha for any number of coders, with missing data.

    Parameters
    ----------
    reliability_data : array-like or pandas.DataFrame
        Coders x units (one row per coder, one column per unit); ``NaN`` (or
        ``None``) where a coder did not judge a unit. Numbers, or labels for
        nominal data.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement.
    value_domain : sequence, optional
        The possible values in order (needed for ordinal labels that are not
        numbers, e.g. ``["low", "mid", "high"]``).

    Returns
    -------
    float
        Alpha (1 = perfect agreement, 0 = agreement at chance level).

    Notes
    -----
    Computed by the ``krippendorff`` package (Castro, 2017), which implements
    Krippendorff (2011).

    Examples
    --------
    Krippendorff (2011), section C: four observers, twelve units, missing data.

    >>> nan = float("nan")
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(krippendorff_alpha(data, "nominal"), 3), round(krippendorff_alpha(data, "interval"), 3)
    (0.743, 0.849)
    """
    import krippendorff

    if level not in LEVELS:
        raise AnalysisError(f"Unknown level of measurement {level!r}; use one of {', '.join(LEVELS)}.")
    if isinstance(reliability_data, pd.DataFrame):
        values = reliability_data.to_numpy(dtype=object)
    else:
        values = np.array(reliability_data, dtype=object)
    if values.ndim != 2:
        raise AnalysisError(f"reliability_data must be 2-D (coders x units), got shape {values.shape}.")
    if values.shape[0] < 2:
        raise AnalysisError(f"reliability_data has {values.shape[0]} coder(s) (rows); alpha needs at least two coders.")
    missing = np.vectorize(_is_missing, otypes=[bool])(values) if values.size else np.zeros(values.shape, bool)
    present = values[~missing]
    numeric = all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in present)
    coded = np.full(values.shape, np.nan)
    if numeric and (value_domain is None or level in ("interval", "ratio")):
        coded[~missing] = present.astype(float)
    elif value_domain is not None and level in ("nominal", "ordinal"):
        domain = list(value_domain)
        unknown = {str(v) for v in present if v not in domain}
        if unknown:
            raise AnalysisError(f"value(s) {sorted(unknown)} of reliability_data are not in value_domain {domain}; add them to value_domain "
                                "(from low to high) or correct the labels.")
        coded[~missing] = [float(domain.index(v)) for v in present]  # rank order, for ordinal labels
    elif level == "nominal":
        cats = sorted({str(v) for v in present})
        coded[~missing] = [float(cats.index(str(v))) for v in present]
    else:
        raise AnalysisError(
            f"{level} alpha needs numbers; for ordered labels pass value_domain=[...] listing them from low to high "
            "(ordinal only)."
        )
    pairable = (~np.isnan(coded)).sum(axis=0) >= 2
    if not pairable.any():
        raise AnalysisError("No unit of reliability_data was judged by two or more coders; alpha needs pairable values. "
                            "Check that the rows are coders and the columns units.")
    if len(set(coded[:, pairable][~np.isnan(coded[:, pairable])])) < 2:
        return np.nan  # a single value throughout: no variation, alpha undefined
    return float(krippendorff.alpha(reliability_data=coded, level_of_measurement=level))


def _alpha_2x2(a_and_b: int, a_not_b: int, b_not_a: int, neither: int) -> float:
    """Nominal alpha of two coders' yes/no judgements with no missing data, from the 2x2 counts.

    With ``d`` disagreements, ``n = 2N`` pairable values and ``n_1``, ``n_0`` the
    numbers of yes and no values: ``alpha = 1 - (n - 1) d / (n_0 n_1)``
    (Krippendorff 2011, nominal data, coincidence matrix). Used for character
    units, where building a coders x characters matrix would be wasteful;
    the tests check it against the ``krippendorff`` package.
    """
    d = a_not_b + b_not_a
    n = 2 * (a_and_b + a_not_b + b_not_a + neither)
    n1 = 2 * a_and_b + d
    n0 = 2 * neither + d
    if n0 == 0 or n1 == 0:
        return np.nan
    return float(1 - (n - 1) * d / (n0 * n1))


def _coded_documents(codings: pd.DataFrame) -> dict[str, set[str]]:
    return {c: set(g["document"]) for c, g in codings.groupby("coder")}


def coding_comparison(
    codings: pd.DataFrame,
    segments: pd.DataFrame | None = None,
    *,
    texts: Mapping[str, str] | None = None,
    coders: Sequence[str] | None = None,
    unit: str = "segment",
    codes: Sequence[str] | None = None,
    documents: Mapping[str, Sequence[str]] | None = None,
    speakers: str = "interviewees",
) -> pd.DataFrame:
    """Per source, per code comparison of two coders, like NVivo's coding comparison query.

    Parameters
    ----------
    codings : pandas.DataFrame
        Standard codings (``document, start, end, code, coder``).
    segments : pandas.DataFrame
        Segments (units) for ``unit="segment"``.
    texts : dict
        ``{document: text}`` for ``unit="character"`` (each character is a unit,
        as in NVivo).
    coders : sequence of str, optional
        Coders to compare; every pair is compared. Default: all coders in
        ``codings``.
    unit : {"segment", "character"}
    codes : sequence of str, optional
        Codes to compare (default: every code either coder used).
    documents : dict, optional
        ``{coder: documents they coded}``. By default a coder is taken to have
        coded the documents in which they applied at least one code; only
        documents both coders coded are compared (the rest is missing, not
        "not coded").
    speakers : {"interviewees", "all"}
        Which units count (:func:`rmresearch.coding.segments.interviewee_units`): by default only the
        interviewees' (the interviewer's questions are not units; with ``unit="character"`` and segments given,
        only the characters of interviewees' segments), so two coders who both leave every question uncoded
        do not agree on it. ``"all"`` compares every unit, as NVivo does.

    Returns
    -------
    pandas.DataFrame
        One row per coder pair, source and code, plus a row per pair and code
        for ``document == "(all sources)"`` pooling the units of all sources:
        ``coder_a, coder_b, document, code, unit, units, a_and_b, a_not_b,
        b_not_a, neither, agreement_pct`` (units where both agree, in %),
        ``kappa`` (Cohen; NaN when undefined, e.g. neither coder used the code
        there; NVivo shows 1 in that case), ``alpha`` (Krippendorff, nominal),
        ``units_a``, ``units_b`` (units each coder coded).
    """
    if unit not in ("segment", "character"):
        raise AnalysisError(f"unit must be 'segment' or 'character', not {unit!r}.")
    if unit == "segment" and segments is None:
        raise AnalysisError("unit='segment' needs the segments (segment_documents(...)).")
    if unit == "character" and texts is None:
        raise AnalysisError("unit='character' needs texts={document: text} to know each source's length.")
    all_coders = sorted(codings["coder"].unique())
    coders = list(coders) if coders is not None else all_coders
    unknown = set(coders) - set(all_coders)
    if unknown:
        raise AnalysisError(f"coder(s) {', '.join(sorted(unknown))} have no codings; coders: {', '.join(all_coders)}")
    if len(coders) < 2:
        raise AnalysisError(f"Agreement needs at least two coders; the codings name {len(all_coders)}: {', '.join(all_coders)}. "
                            "Have a second coder code the same transcripts (or name two coders in coders=).")
    coded_docs = {c: set(v) for c, v in documents.items()} if documents is not None else _coded_documents(codings)
    code_list = list(codes) if codes is not None else sorted(codings.loc[codings["coder"].isin(coders), "code"].unique())
    if segments is not None:
        from .segments import interviewee_units

        allowed = interviewee_units(segments, speakers)
        segments = allowed if unit == "segment" else segments
        spoken = None if len(allowed) == len(segments) else {d: list(zip(g["start"], g["end"])) for d, g in allowed.groupby("document")}
    else:
        spoken = None

    if unit == "segment":
        from .codings import segment_codes

        per_seg = segment_codes(codings.loc[codings["coder"].isin(coders)], segments)
        coded_set = set(zip(per_seg["coder"], per_seg["code"], per_seg["segment_id"]))
        seg_by_doc = {d: g["segment_id"].tolist() for d, g in segments.groupby("document", sort=False)}

        def indicator(coder, code, doc):
            return np.array([(coder, code, s) in coded_set for s in seg_by_doc.get(doc, [])], dtype=bool)
    else:
        spans = {
            key: list(zip(g["start"], g["end"]))
            for key, g in codings.groupby(["coder", "code", "document"])
        }

        def indicator(coder, code, doc):
            mask = np.zeros(len(texts[doc]), dtype=bool)
            for s, e in spans.get((coder, code, doc), []):
                mask[s:e] = True
            if spoken is None:
                return mask
            keep = np.zeros(len(mask), dtype=bool)  # only the characters of interviewees' units are units
            for s, e in spoken.get(doc, []):
                keep[s:e] = True
            return mask[keep]

    rows = []
    for a, b in itertools.combinations(coders, 2):
        docs = sorted(coded_docs.get(a, set()) & coded_docs.get(b, set()))
        if unit == "character":
            missing = [d for d in docs if d not in texts]
            if missing:
                raise AnalysisError(f"No text for document(s) {', '.join(missing)}; pass texts for every coded document.")
        for code in code_list:
            total = np.zeros(4, dtype=np.int64)
            for doc in docs:
                ia, ib = indicator(a, code, doc), indicator(b, code, doc)
                counts = np.array([(ia & ib).sum(), (ia & ~ib).sum(), (~ia & ib).sum(), (~ia & ~ib).sum()], dtype=np.int64)
                total += counts
                rows.append(_comparison_row(a, b, doc, code, unit, counts))
            if docs:
                rows.append(_comparison_row(a, b, ALL_SOURCES, code, unit, total))
    columns = ["coder_a", "coder_b", "document", "code", "unit", "units", "a_and_b", "a_not_b", "b_not_a", "neither",
               "agreement_pct", "kappa", "alpha", "units_a", "units_b"]
    return pd.DataFrame(rows, columns=columns)


def _comparison_row(a, b, doc, code, unit, counts) -> dict:
    both, a_only, b_only, neither = (int(x) for x in counts)
    units = both + a_only + b_only + neither
    return {
        "coder_a": a,
        "coder_b": b,
        "document": doc,
        "code": code,
        "unit": unit,
        "units": units,
        "a_and_b": both,
        "a_not_b": a_only,
        "b_not_a": b_only,
        "neither": neither,
        "agreement_pct": 100.0 * (both + neither) / units if units else np.nan,
        "kappa": _kappa_2x2(np.array([[both, a_only], [b_only, neither]])),
        "alpha": _alpha_2x2(both, a_only, b_only, neither),
        "units_a": both + a_only,
        "units_b": both + b_only,
    }


def reliability_matrix(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    code: str,
    *,
    coders: Sequence[str] | None = None,
    documents: Mapping[str, Sequence[str]] | None = None,
    speakers: str = "interviewees",
) -> pd.DataFrame:
    """Coders x segments matrix for one code: 1 coded, 0 not coded, NaN for documents a coder did not code.

    Only the interviewees' segments are columns unless ``speakers="all"`` (see :func:`coding_comparison`).
    """
    from .codings import segment_codes
    from .segments import interviewee_units

    segments = interviewee_units(segments, speakers)

    coders = list(coders) if coders is not None else sorted(codings["coder"].unique())
    coded_docs = {c: set(v) for c, v in documents.items()} if documents is not None else _coded_documents(codings)
    per_seg = segment_codes(codings.loc[(codings["code"] == code) & codings["coder"].isin(coders)], segments)
    coded = set(zip(per_seg["coder"], per_seg["segment_id"]))
    data = np.full((len(coders), len(segments)), np.nan)
    seg_docs = segments["document"].to_numpy()
    seg_ids = segments["segment_id"].to_numpy()
    for i, coder in enumerate(coders):
        judged = np.isin(seg_docs, list(coded_docs.get(coder, set())))
        data[i, judged] = [1.0 if (coder, s) in coded else 0.0 for s in seg_ids[judged]]
    return pd.DataFrame(data, index=pd.Index(coders, name="coder"), columns=pd.Index(seg_ids, name="segment_id"))


def alpha_by_code(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    coders: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    documents: Mapping[str, Sequence[str]] | None = None,
    speakers: str = "interviewees",
) -> pd.DataFrame:
    """Krippendorff's alpha (nominal: coded or not) per code across all coders, over segments
    (the interviewees' unless ``speakers="all"``, see :func:`coding_comparison`).

    Returns
    -------
    pandas.DataFrame
        ``code, alpha, coders, units`` (segments judged by at least two coders),
        ``coded_units`` (segments any coder coded with the code).
    """
    coders = list(coders) if coders is not None else sorted(codings["coder"].unique())
    if len(coders) < 2:
        raise AnalysisError(f"Agreement needs at least two coders; the codings name {len(coders)}. Have a second coder code the "
                            "same transcripts (or name two coders in coders=).")
    code_list = list(codes) if codes is not None else sorted(codings["code"].unique())
    rows = []
    for code in code_list:
        matrix = reliability_matrix(codings, segments, code, coders=coders, documents=documents, speakers=speakers)
        pairable = (matrix.notna().sum(axis=0) >= 2).to_numpy()
        values = matrix.to_numpy()
        alpha = krippendorff_alpha(values, "nominal") if pairable.any() else np.nan
        rows.append(
            {
                "code": code,
                "alpha": alpha,
                "coders": len(coders),
                "units": int(pairable.sum()),
                "coded_units": int((np.nan_to_num(values[:, pairable]) > 0).any(axis=0).sum()),
            }
        )
    return pd.DataFrame(rows, columns=["code", "alpha", "coders", "units", "coded_units"])


def low_agreement_sentence(table: pd.DataFrame, *, threshold: float = 0.67, label: str = "theme") -> str:
    """The sentence under an agreement table: themes whose kappa is below ``threshold``, and those where it is undefined.

    A theme whose kappa is undefined (NaN: the coders gave every unit the same label) is neither "below" nor
    fine, so it is named on its own rather than hidden behind "none".

    Examples
    --------
    >>> t = pd.DataFrame({"theme": ["Safe space", "Sponsorship", "Accountability"], "kappa": [0.41, 0.9, float("nan")]})
    >>> low_agreement_sentence(t)
    'Themes to discuss and refine in the codebook (kappa below 0.67): Safe space. Kappa is undefined for Accountability: both coders gave every turn the same label (e.g. neither applied it), so it says nothing about how consistently the codebook is applied.'
    >>> low_agreement_sentence(t.iloc[1:2])
    'No theme has a kappa below 0.67.'
    """
    kappa = pd.to_numeric(table["kappa"], errors="coerce")
    low = table.loc[kappa < threshold, label].astype(str).tolist()
    undefined = table.loc[kappa.isna(), label].astype(str).tolist()
    if low:
        text = f"Themes to discuss and refine in the codebook (kappa below {threshold:g}): {', '.join(low)}."
    elif undefined:
        text = f"No theme with a defined kappa is below {threshold:g}."
    else:
        text = f"No theme has a kappa below {threshold:g}."
    if undefined:
        text += (f" Kappa is undefined for {', '.join(undefined)}: both coders gave every turn the same label "
                 "(e.g. neither applied it), so it says nothing about how consistently the codebook is applied.")
    return text
