"""Themes across participants: frequencies by role and group, co-occurrence, framework matrix, exemplar quotes.

All functions take the standard codings (:mod:`rmresearch.coding.codings`),
the segments they refer to and a participants table with ``participant_id``,
``role`` and a group column. Codings from several coders are pooled: a segment
counts as coded with a code when any coder applied it (pass ``coder=`` to use
one coder's codings). Only segments spoken by a participant (whose speaker
label is a participant ID) are attributed to roles and groups.

Quotes and summaries come from the segments' text, i.e. from anonymised
transcripts only, and name people by pseudonym (participant ID) and role.
Counts returned here are unrounded: pass every table a report shows through
:func:`rmresearch.disclosure.disclose`.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from .codebook import Codebook
from .codings import segment_codes

__all__ = [
    "coded_segments",
    "code_frequencies",
    "code_cooccurrence",
    "plot_cooccurrence",
    "cooccurrence_title",
    "rounded_theme_counts",
    "most_discussed",
    "ThemeHeadline",
    "quote_blocks",
    "caption_passages",
    "framework_matrix",
    "exemplar_quotes",
    "held_back_sentence",
    "theme_table",
]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def coded_segments(codings: pd.DataFrame, segments: pd.DataFrame, *, coder: str | None = None) -> pd.DataFrame:
    """Distinct (segment, code) pairs, with the number of coders who applied the code.

    Returns
    -------
    pandas.DataFrame
        ``segment_id, document, code, n_coders`` plus the segment's
        ``participant_id``, ``speaker`` and ``text``.
    """
    if coder is not None:
        if coder not in set(codings["coder"]):
            raise AnalysisError(f"No codings by coder {coder!r}; coders: {', '.join(sorted(codings['coder'].unique()))}. Name one of them.")
        codings = codings.loc[codings["coder"] == coder]
    per = segment_codes(codings, segments)
    out = per.groupby(["segment_id", "document", "code"], sort=False).agg(n_coders=("coder", "nunique")).reset_index()
    extra = [c for c in ("participant_id", "speaker", "text") if c in segments.columns]
    return out.merge(segments[["segment_id"] + extra], on="segment_id", how="left")


def _consenting_segments(segments: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """Defence in depth for consent: drop segments of participants whose ``consent_interview`` is not yes.

    :func:`rmresearch.coding.load_coding_data` has already withheld them (and withdrawn participants); this
    catches a caller who builds segments themselves and passes the participants table as read.
    """
    if "consent_interview" not in participants.columns or "participant_id" not in segments.columns:
        return segments
    from ..consent import _consented

    declined = participants.loc[[not _consented(v) for v in participants["consent_interview"]], "participant_id"]
    return segments.loc[~segments["participant_id"].isin(set(declined.astype(str)))]


def _code_order(codes: Sequence[str], codebook: Codebook | None) -> list[str]:
    if codebook is None:
        return sorted(set(codes))
    return [c for c in codebook.codable_names]


def _titles(codebook: Codebook | None):
    return (lambda c: codebook[c].title if codebook is not None and c in codebook else c)


def code_frequencies(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    participants: pd.DataFrame,
    *,
    by: str = "role",
    codebook: Codebook | None = None,
    coder: str | None = None,
) -> pd.DataFrame:
    """How often each code occurs, by a participant attribute (role or group).

    Parameters
    ----------
    by : str
        A column of ``participants`` (``"role"``, ``"ethnicity_group"``...).

    Returns
    -------
    pandas.DataFrame
        One row per code and value of ``by`` (zeros included): ``code, title,
        <by>, segments`` (segments coded), ``participants`` (distinct
        participants with at least one such segment), ``interviewed``
        (participants of that value who speak in the transcripts), ``share``
        (``participants / interviewed``, unrounded).
    """
    if by not in participants.columns:
        raise AnalysisError(f"participants has no column {by!r}; columns: {', '.join(map(str, participants.columns))}. "
                            "Pass by= one of them.")
    segments = _consenting_segments(segments, participants)
    attrs = participants.set_index("participant_id")[by]
    spoken = segments.loc[segments["participant_id"].notna(), ["segment_id", "participant_id"]]
    unknown = sorted(set(spoken["participant_id"]) - set(attrs.index))
    if unknown:
        raise AnalysisError(
            f"speaker ID(s) {', '.join(unknown[:8])} in the transcripts are not in the participants table; "
            "check the anonymiser's participant IDs"
        )
    spoken = spoken.assign(group=spoken["participant_id"].map(attrs))
    interviewed = spoken.groupby("group")["participant_id"].nunique()
    cs = coded_segments(codings, segments, coder=coder)
    cs = cs.loc[cs["participant_id"].notna()].assign(group=lambda d: d["participant_id"].map(attrs))
    seg_counts = cs.groupby(["code", "group"])["segment_id"].nunique()
    people = cs.groupby(["code", "group"])["participant_id"].nunique()
    codes = _code_order(cs["code"], codebook)
    groups = [g for g in pd.unique(participants[by].dropna()) if g in interviewed.index]
    title = _titles(codebook)
    rows = []
    for code in codes:
        for g in groups:
            n_people = int(people.get((code, g), 0))
            rows.append(
                {
                    "code": code,
                    "title": title(code),
                    by: g,
                    "segments": int(seg_counts.get((code, g), 0)),
                    "participants": n_people,
                    "interviewed": int(interviewed[g]),
                    "share": n_people / int(interviewed[g]),
                }
            )
    return pd.DataFrame(rows, columns=["code", "title", by, "segments", "participants", "interviewed", "share"])


def code_cooccurrence(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    codebook: Codebook | None = None,
    coder: str | None = None,
    speakers: str = "interviewees",
) -> pd.DataFrame:
    """Segments coded with both of two codes (square table; the diagonal counts each code's segments).

    Only the interviewees' segments count unless ``speakers="all"``
    (:func:`rmresearch.coding.segments.interviewee_units`): a code on an interviewer's question is not a theme
    a participant voiced.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["d#t001", "d#t002"], "document": "d", "start": [0, 10], "end": [8, 20]})
    >>> cod = pd.DataFrame({"document": "d", "start": [0, 0, 10], "end": [8, 8, 20],
    ...                     "code": ["x", "y", "x"], "coder": "A"})
    >>> code_cooccurrence(cod, seg)
    code  x  y
    code
    x     2  1
    y     1  1
    """
    from .segments import interviewee_units

    cs = coded_segments(codings, interviewee_units(segments, speakers), coder=coder)
    codes = _code_order(cs["code"], codebook)
    indicator = pd.crosstab(cs["segment_id"], cs["code"]).reindex(columns=codes, fill_value=0).clip(upper=1)
    matrix = indicator.T @ indicator
    matrix.index.name = "code"
    matrix.columns.name = "code"
    return matrix.astype(np.int64)


def plot_cooccurrence(matrix: pd.DataFrame, *, rules=None, codebook: Codebook | None = None, ax=None,
                      unit: str = "segment"):
    """Heatmap of a co-occurrence table drawn from ROUNDED counts (disclosure control).

    Counts are rounded with :func:`rmresearch.disclosure.hesa_round` to
    ``rules.round_to`` (5 by default) before anything is drawn or written in
    the cells. The title (:func:`cooccurrence_title`) is computed from the
    rounded counts drawn, so it is true of what the figure shows (broken into lines by
    :func:`rmresearch.plots.wrap_title`).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (``ax.figure`` when ``ax`` is given); the heatmap is its first axes.

    Raises
    ------
    rmresearch.errors.AnalysisError
        For a table without themes, or whose every rounded count is 0 (:class:`rmresearch.plots.NothingToDraw`:
        a heatmap of zeros over nothing; the message is the sentence that is true of it).
    """
    from ..disclosure import hesa_round
    from ..plots import new_figure, refuse_empty, wrap_title

    if matrix.empty:
        raise AnalysisError("The co-occurrence table has no themes, so there is nothing to draw; "
                            "check that the codebook has codable themes.")
    base = getattr(rules, "round_to", 5) if rules is not None else 5
    rounded = pd.DataFrame(hesa_round(matrix.to_numpy(), base=base), index=matrix.index, columns=matrix.columns)
    title = cooccurrence_title(rounded, base=base, unit=unit)
    refuse_empty(rounded, what=title[:1].lower() + title[1:], needs=f"It needs more {unit}s coded with the themes.")
    labels = [_titles(codebook)(c) for c in matrix.index]
    if ax is None:
        size = max(5.0, 0.55 * len(labels) + 2.5)
        fig, ax = new_figure(width=size + 1.5, height=size)
    else:
        fig = ax.figure
    values = rounded.to_numpy(dtype=float)
    im = ax.imshow(values, cmap="Blues", vmin=0)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.grid(False)
    vmax = values.max() if values.size else 0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            ax.text(j, i, f"{int(values[i, j])}", ha="center", va="center", fontsize=8,
                    color="white" if vmax and values[i, j] > 0.6 * vmax else "black")
    ax.set_title(wrap_title(cooccurrence_title(pd.DataFrame(values, index=labels, columns=labels), base=base, unit=unit), fig))
    fig.colorbar(im, ax=ax, shrink=0.8, label=f"{unit.capitalize()}s coded with both (rounded to {base})")
    return fig


def _and_list(items: Sequence[str]) -> str:
    """``'A'``, ``'A' and 'B'``, ``'A', 'B' and 'C'``."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _rounding_note(base: int) -> str:
    return f" (counts rounded to the nearest {base})" if base > 1 else ""


def cooccurrence_title(shown: pd.DataFrame, *, base: int = 5, unit: str = "segment") -> str:
    """The title of a co-occurrence heatmap, true of the counts it shows (``shown``: already rounded to ``base``).

    The pair (or pairs, when tied) of different themes with the highest shown count; when every pair
    shows 0, a sentence that is true whatever the unrounded counts were (a pair sharing one segment
    rounds to 0, so "no two themes share a segment" would be false).

    Examples
    --------
    >>> shown = pd.DataFrame([[5, 0], [0, 5]], index=["Safe space", "Reciprocity"], columns=["Safe space", "Reciprocity"])
    >>> cooccurrence_title(shown)
    'No pair of themes shares more than 2 segments (counts rounded to the nearest 5)'
    >>> cooccurrence_title(shown, base=1, unit="turn")
    'No two themes share a turn'
    >>> shown.iloc[0, 1] = shown.iloc[1, 0] = 10
    >>> cooccurrence_title(shown)
    "'Safe space' and 'Reciprocity' occur together most often"
    """
    values = shown.to_numpy(dtype=float)
    if values.size == 0 or not np.nanmax(np.diag(values), initial=0) > 0:
        return _nothing_coded(base, unit)
    upper = np.triu(np.nan_to_num(values, nan=0.0), k=1)
    top = upper.max() if upper.size else 0
    if len(values) < 2:
        return f"Only one theme was coded, so no pair of themes can share a {unit}"
    if top <= 0:
        if base <= 1:
            return f"No two themes share a {unit}"
        return f"No pair of themes shares more than {(base - 1) // 2} {unit}s{_rounding_note(base)}"
    labels = [str(c) for c in shown.index]
    pairs = [f"'{labels[i]}' with '{labels[j]}'" for i, j in zip(*np.nonzero(upper == top))]
    if len(pairs) == 1:
        return pairs[0].replace("' with '", "' and '") + " occur together most often"
    equally = "about equally often" if base > 1 else "equally often"
    if len(pairs) == len(values) * (len(values) - 1) // 2:
        return f"Every pair of themes occurs together {equally}"
    named = pairs[:3] + ([f"{len(pairs) - 3} more"] if len(pairs) > 3 else [])
    return f"{len(pairs)} pairs of themes occur together {equally}, more than any other pair: {_and_list(named)}"


def _nothing_coded(base: int, unit: str, within: str = "") -> str:
    """Every shown count is 0: with rounding, true whatever the unrounded counts were (0, 1 and 2 round to 0)."""
    if base > 1:
        return f"No theme was coded in more than {(base - 1) // 2} {unit}s{within}{_rounding_note(base)}"
    return "No theme was coded yet"


def rounded_theme_counts(frequencies: pd.DataFrame, *, by: str = "role", value: str = "segments",
                         base: int = 5) -> pd.DataFrame:
    """:func:`code_frequencies` as the wide table a chart draws: one row per theme title (codebook order), one
    column per value of ``by``, each count rounded with :func:`rmresearch.disclosure.hesa_round` to ``base``.

    Examples
    --------
    >>> f = pd.DataFrame({"title": ["A", "A", "B", "B"], "role": ["x", "y", "x", "y"], "segments": [7, 2, 1, 13]})
    >>> rounded_theme_counts(f)
    role   x   y
    title
    A      5   0
    B      0  15
    """
    from ..disclosure import hesa_round

    if value not in frequencies.columns:
        raise AnalysisError(f"The frequencies have no column {value!r}; pass value='segments' or 'participants'.")
    wide = frequencies.pivot(index="title", columns=by, values=value).reindex(
        index=list(pd.unique(frequencies["title"])), columns=list(pd.unique(frequencies[by])))
    return wide.fillna(0).astype(np.int64).apply(lambda col: hesa_round(col, base=base))


class ThemeHeadline(NamedTuple):
    """What :func:`most_discussed` found: the sentence, the themes it names, whether a chart has anything to show."""

    text: str
    top: list
    drawable: bool

    @property
    def named(self) -> str:
        """The themes named, each in quotes so names holding "and" stay apart: ``'A', 'B and C' and 'D'``.

        >>> ThemeHeadline("", ["Barriers", "Labour of educating and burden", "Actions"], True).named
        "'Barriers', 'Labour of educating and burden' and 'Actions'"
        """
        return _and_list([f"'{t}'" for t in self.top]) if self.top else ""


def most_discussed(shown: pd.DataFrame, *, base: int = 5, unit: str = "turn") -> ThemeHeadline:
    """The headline of a theme chart, computed from the counts it shows (``shown``: themes by column, rounded).

    A theme's total is the length of its bar (the sum of its shown counts). No superlative over a tie
    ("'A' and 'B' were discussed about equally often": rounded counts may hide a small difference) or over zeros, and ``drawable`` is False when every
    bar would be empty, so the notebook shows a note instead of a figure over nothing.

    Examples
    --------
    >>> most_discussed(pd.DataFrame({"x": [10, 5], "y": [5, 0]}, index=["A", "B"])).text
    "'A' was the most discussed theme"
    >>> most_discussed(pd.DataFrame({"x": [10, 5, 0], "y": [0, 5, 0]}, index=["A", "B", "C"])).text
    "'A' and 'B' were discussed about equally often, more than any other theme"
    >>> most_discussed(pd.DataFrame({"x": [0, 0]}, index=["A", "B"]))
    ThemeHeadline(text='No theme was coded in more than 2 turns (counts rounded to the nearest 5)', top=[], drawable=False)
    >>> most_discussed(pd.DataFrame({"x": [0, 0], "y": [0, 0]}, index=["A", "B"]).rename_axis(columns="role"), base=1).text
    'No theme was coded yet'
    """
    totals = shown.sum(axis=1) if not shown.empty else pd.Series(dtype=float)
    if totals.empty or not totals.max() > 0:
        within = f" in any one {shown.columns.name or 'group'}".replace("_", " ") if shown.shape[1] > 1 else ""
        text = _nothing_coded(base, unit, within) if len(shown.index) else "No theme was coded yet: the table has no themes"
        return ThemeHeadline(text, [], False)
    top = [str(t) for t in totals.index[totals == totals.max()]]
    names = _and_list([f"'{t}'" for t in top])
    if len(top) == 1:
        return ThemeHeadline(f"{names} was the most discussed theme", top, True)
    equally = "about equally often" if base > 1 else "equally often"
    if len(top) == len(totals):
        return ThemeHeadline(f"{names} were discussed {equally}", top, True)
    return ThemeHeadline(f"{names} were discussed {equally}, more than any other theme", top, True)


def caption_passages(coded: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Coded lines of unlabelled transcripts joined into passages, for quotes and summaries.

    An auto-caption file without speaker labels is read one caption cue per line, and a cue is a few words cut
    anywhere in a sentence: consecutive lines coded with the same code (by one participant) become one passage,
    its text the lines joined with spaces, its ``segment_id`` the first and last line (``doc#t012–t016``) and its
    ``n_coders`` the fewest coders of any line. Rows with a speaker label are left as they are.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["d#t001", "d#t002", "d#t003", "d#t004"], "document": "d"})
    >>> cs = pd.DataFrame({"segment_id": ["d#t002", "d#t003", "d#t004"], "document": "d", "code": ["x", "x", "y"],
    ...                    "n_coders": [2, 1, 2], "participant_id": "P14", "speaker": None,
    ...                    "text": ["it felt like a", "safe space", "we met monthly"]})
    >>> caption_passages(cs, seg)[["segment_id", "code", "n_coders", "text"]].values.tolist()
    [['d#t002–t003', 'x', 1, 'it felt like a safe space'], ['d#t004', 'y', 2, 'we met monthly']]
    """
    if coded.empty or "speaker" not in coded.columns or coded["speaker"].notna().all():
        return coded
    order = {s: i for i, s in enumerate(segments["segment_id"])}
    labelled = coded.loc[coded["speaker"].notna()]
    lines = coded.loc[coded["speaker"].isna()].assign(_o=lambda d: d["segment_id"].map(order))
    rows = []
    for _, g in lines.sort_values("_o").groupby(["document", "code", "participant_id"], sort=False):
        run = (g["_o"].diff() != 1).cumsum()
        for _, r in g.groupby(run, sort=False):
            first, last = r.iloc[0], r.iloc[-1]
            ident = first["segment_id"] if len(r) == 1 else f"{first['segment_id']}–{last['segment_id'].rsplit('#', 1)[-1]}"
            rows.append(first.to_dict() | {"segment_id": ident, "n_coders": int(r["n_coders"].min()),
                                            "text": " ".join(r["text"])})
    joined = pd.DataFrame(rows, columns=list(lines.columns)).drop(columns="_o")
    return joined if labelled.empty else pd.concat([labelled, joined], ignore_index=True)


def _first_sentence(text: str, min_words: int = 5) -> str:
    """The first sentence with at least ``min_words`` words (skipping fillers such as "Mm." or "Right.")."""
    sentences = _SENTENCE_END.split(text.strip())
    for sentence in sentences:
        if len(sentence.split()) >= min_words:
            return sentence
    return sentences[0] if sentences else ""


def _truncate(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def framework_matrix(
    codings: pd.DataFrame,
    segments: pd.DataFrame,
    participants: pd.DataFrame,
    *,
    codebook: Codebook | None = None,
    attributes: Sequence[str] | str | None = None,
    coder: str | None = None,
    max_chars: int = 160,
    max_refs: int = 3,
    wide: bool = True,
) -> pd.DataFrame:
    """Framework analysis chart: participants (pseudonym, role, attributes) by themes.

    Each cell summarises what a participant said under a theme: the first
    sentence of each coded segment, joined with " / " and truncated to
    ``max_chars``, followed by references to the segments (quote references).

    Parameters
    ----------
    attributes : column name or list of them, optional
        The participants' attribute columns shown after ``role`` (each characteristic's group, in the order a
        listing withholds them: :func:`rmresearch.coding.groups.characteristic_matrix` passes them special-category
        first). Default: every ``*_group`` column of ``participants`` (none in a cohort without characteristics).
        Never a name column: only the columns named here (or so named) are shown.
    wide : bool, default True
        True: one row per participant (``participant_id, role, <attributes>``)
        and one column per theme title, cells ``"summary [refs]"`` (empty where
        the participant said nothing coded under the theme). False: the tidy
        form, one row per participant and theme with ``segments, summary,
        references``.
    """
    if attributes is None:
        attributes = [c for c in participants.columns if isinstance(c, str) and c.endswith("_group")]
    attributes = [attributes] if isinstance(attributes, str) else list(attributes)
    for col in ("participant_id", "role", *attributes):
        if col not in participants.columns:
            raise AnalysisError(f"participants has no column {col!r}; columns: {', '.join(map(str, participants.columns))}. "
                                "Name columns the participants table has.")
    segments = _consenting_segments(segments, participants)
    cs = coded_segments(codings, segments, coder=coder)
    cs = caption_passages(cs.loc[cs["participant_id"].notna()], segments)
    order = {s: i for i, s in enumerate(segments["segment_id"])}
    cs = cs.assign(_o=cs["segment_id"].str.split("–").str[0].map(order)).sort_values("_o")
    codes = _code_order(cs["code"], codebook)
    title = _titles(codebook)
    spoken = set(segments["participant_id"].dropna())
    keys = ["participant_id", "role", *attributes]
    people = participants.loc[participants["participant_id"].isin(spoken), keys]
    people = people.sort_values(["role", "participant_id"])
    rows = []
    groups = {k: g for k, g in cs.groupby(["participant_id", "code"], sort=False)}
    for person in people.itertuples(index=False):
        who = dict(zip(keys, person))
        for code in codes:
            g = groups.get((who["participant_id"], code))
            if g is None:
                rows.append({**who, "code": code, "title": title(code), "segments": 0, "summary": "", "references": ""})
                continue
            summary = _truncate(" / ".join(_first_sentence(t) for t in g["text"]), max_chars)
            refs = list(g["segment_id"])
            ref_text = "; ".join(refs[:max_refs]) + (f" (+{len(refs) - max_refs} more)" if len(refs) > max_refs else "")
            rows.append({**who, "code": code, "title": title(code), "segments": len(refs), "summary": summary,
                         "references": ref_text})
    tidy = pd.DataFrame(rows, columns=[*keys, "code", "title", "segments", "summary", "references"])
    if not wide:
        return tidy
    cell = np.where(tidy["segments"] > 0, tidy["summary"] + " [" + tidy["references"] + "]", "")
    tidy = tidy.assign(cell=cell)
    # a missing attribute (no group recorded) must not drop the person's row from the pivot
    tidy[attributes] = tidy[attributes].astype(object).where(tidy[attributes].notna(), "")
    table = tidy.pivot(index=keys, columns="title", values="cell")
    table = table.reindex(columns=[title(c) for c in codes]).reset_index()
    table.columns.name = None
    return table


def theme_table(frequencies: pd.DataFrame, *, by: str = "role", value: str = "participants") -> pd.DataFrame:
    """Wide view of :func:`code_frequencies`: one row per theme, one column per value of ``by``.

    The last row, ``"Participants interviewed"``, holds the denominators. Counts
    are unrounded: pass the result through :func:`rmresearch.disclosure.disclose`
    with ``counts=`` the group columns.

    Examples
    --------
    >>> f = pd.DataFrame({"code": ["a", "a"], "title": ["A", "A"], "role": ["x", "y"], "segments": [3, 1],
    ...                   "participants": [2, 1], "interviewed": [4, 2], "share": [0.5, 0.5]})
    >>> theme_table(f)
                          theme  x  y
    0                         A  2  1
    1  Participants interviewed  4  2
    """
    if value not in ("participants", "segments"):
        raise AnalysisError(f"value must be 'participants' or 'segments', not {value!r}.")
    groups = list(pd.unique(frequencies[by]))
    wide = frequencies.pivot(index="title", columns=by, values=value).reindex(
        index=list(pd.unique(frequencies["title"])), columns=groups
    )
    base = frequencies.drop_duplicates(by).set_index(by)["interviewed"].reindex(groups)
    wide.loc["Participants interviewed"] = base.to_numpy()
    wide = wide.fillna(0).astype(np.int64).reset_index().rename(columns={"title": "theme", "index": "theme"})
    wide.columns.name = None
    return wide


# The exemplar quotes live in quotes.py; imported here so `from rmresearch.coding.analysis import exemplar_quotes` works.
from .quotes import exemplar_quotes, held_back_sentence, quote_blocks  # noqa: E402
