"""Themes by the cohort's characteristics: which characteristics the participants carry, the theme table by each
characteristic (and each intersection of two) disclosed at its own threshold, and the framework matrix with every
characteristic attribute withheld as disclosure requires (special-category data first).

A characteristic is one entry of ``options.characteristics`` (``cfg.characteristics``); an intersection
(``cfg.intersections``) is one too, with ``is_intersection`` set. Themes are counted by the coarse
``aggregate_column`` (reference, aggregate, Unknown): in a cohort of a dozen pairs, finer groups would each hold one or
two people. "Not known" and "prefer not to say" stay in, as the ``Unknown`` group.

Examples
--------
>>> _column_order(["Unknown", "Disabled", "No known disability"], reference="No known disability",
...               aggregate="Disabled")
['No known disability', 'Disabled', 'Unknown']
"""

from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from ..errors import AnalysisError
from .analysis import code_frequencies, framework_matrix, theme_table

__all__ = ["participant_characteristics", "attribute_columns", "listing_order", "listing_rules", "themes_by",
           "disclose_themes_by", "coincides_with_role", "disclose_theme_table", "attribute_name",
           "label_group_columns", "characteristic_matrix", "disclose_framework_matrix", "with_role_words"]

UNKNOWN = "Unknown"


def _part_names(ch: Any) -> list[str]:
    return [getattr(p, "name", p) for p in (getattr(ch, "parts", ()) or ())]


def participant_characteristics(config) -> tuple:
    """The cohort's characteristics the participants table carries (``"participants"`` in their ``tables``), in the
    cohort file's order, then each intersection both of whose parts are among them."""
    single = [ch for ch in config.characteristics.values()
              if not getattr(ch, "is_intersection", False) and "participants" in tuple(getattr(ch, "tables", ()) or ())]
    names = {ch.name for ch in single}
    crossed = [ix for ix in getattr(config, "intersections", ()) or ()
               if _part_names(ix) and all(n in names for n in _part_names(ix))]
    return tuple(single + crossed)


def attribute_columns(characteristics: Sequence) -> list[str]:
    """The participants' columns of these characteristics: each group column, then its aggregate column (an
    intersection's are one column), without repeats."""
    columns: list[str] = []
    for ch in characteristics:
        for column in (ch.group_column, ch.aggregate_column):
            if column not in columns:
                columns.append(column)
    return columns


def listing_order(characteristics: Sequence) -> list:
    """The characteristics a framework matrix shows (not intersections: their parts are shown), special-category
    ones first, since a listing withholds its attributes in this order."""
    single = [ch for ch in characteristics if not getattr(ch, "is_intersection", False)]
    return [ch for ch in single if ch.special_category] + [ch for ch in single if not ch.special_category]


def listing_rules(config, characteristics: Sequence):
    """The rules a listing showing ``characteristics`` follows: the strictest of their own (the largest smallest cell
    size, then percentage denominator); the cohort's rules when it shows none."""
    candidates = [config.disclosure.for_characteristic(ch) for ch in characteristics]
    if not candidates:
        return config.disclosure
    return max(candidates, key=lambda r: (r.min_cell_size, r.min_percentage_denominator))


def with_role_words(participants: pd.DataFrame, config, *, capitalise: bool = False) -> pd.DataFrame:
    """``participants`` with each role code replaced by the scheme's words, lower case ('senior leader'; 'reverse
    mentee' and 'reverse mentor' in a reverse scheme, where staff and student partners are both reverse mentors and
    so are counted together): theme counts by role then head their columns in words and sentences name them so.
    ``capitalise``: 'Senior leader', as a table's row labels read.

    >>> from types import SimpleNamespace
    >>> people = pd.DataFrame({"participant_id": ["P1", "P2", "P3"],
    ...                        "role": ["senior_leader", "staff_partner", "student_partner"]})
    >>> with_role_words(people, SimpleNamespace(programme_type="reverse"))["role"].tolist()
    ['reverse mentee', 'reverse mentor', 'reverse mentor']
    >>> with_role_words(people, SimpleNamespace(programme_type="reciprocal"), capitalise=True)["role"].tolist()
    ['Senior leader', 'Staff partner', 'Student partner']
    """
    from ..characteristics import role_label

    if "role" not in participants.columns:
        raise AnalysisError("The participants table has no role column, so themes cannot be counted by role.")
    words = {role: role_label(config, role) for role in pd.unique(participants["role"].dropna())}
    if capitalise:
        words = {role: word[:1].upper() + word[1:] for role, word in words.items()}
    return participants.assign(role=participants["role"].map(lambda r: words.get(r, r)))


def _column_order(groups: Sequence[str], *, reference: str, aggregate: str | None) -> list[str]:
    """Reference first, then the aggregate group, the others in their order, Unknown last."""
    known = [g for g in groups if g != UNKNOWN]
    first = [g for g in (reference, aggregate) if g in known]
    return first + [g for g in known if g not in first] + [g for g in groups if g == UNKNOWN]


def label_group_columns(table: pd.DataFrame, characteristic, *, others: Sequence[str] = ("role", "theme", "Total")
                        ) -> pd.DataFrame:
    """``table`` with its group columns (those not in ``others``) in the characteristic's order (reference first, then
    its aggregate, then the others in :meth:`group_names` order, Unknown last) and headed by their display labels
    (:meth:`label`); the ``others`` keep their places around them (first ones first, ``Total`` last).

    >>> from rmresearch.characteristics import read_options
    >>> sex = read_options({"sex": {"column": "sex", "code_list": "sex", "labels": {"Female": "Women"}}},
    ...                    "c.yml")["sex"]
    >>> t = pd.DataFrame({"role": ["x"], "Female": [3], "Male": [2], "Unknown": [1], "Total": [6]})
    >>> list(label_group_columns(t, sex).columns)
    ['role', 'Male', 'Women', 'Unknown', 'Total']
    """
    groups = [c for c in table.columns if c not in others]
    known = list(characteristic.group_names())
    ranked = sorted(groups, key=lambda g: known.index(g) if g in known else len(known))
    order = _column_order(ranked, reference=characteristic.reference,
                          aggregate=getattr(characteristic, "aggregate", None))
    before = [c for c in table.columns if c in others and c != "Total"]
    after = [c for c in table.columns if c == "Total"]
    labels = {g: characteristic.label(g) for g in order}
    if len(set(labels.values())) < len(labels):  # two groups with one label would be one column: keep the groups
        labels = {g: g for g in order}
    return table[[*before, *order, *after]].rename(columns=labels)


def themes_by(data, characteristic, *, coder: str | None = None) -> pd.DataFrame:
    """Participants voicing each theme by the groups of ``characteristic`` (its ``aggregate_column``): one row per
    theme, one column per group under its display label (``characteristic.label``), reference first and Unknown last,
    and the last row ``"Participants interviewed"`` (each group's base). Unrounded: disclose before showing
    (:func:`disclose_themes_by`). ``data`` is a :class:`rmresearch.coding.CodingData` with codings."""
    column = characteristic.aggregate_column
    if data.codings is None or not len(data.codings):
        raise AnalysisError("No codings yet, so themes cannot be counted by group; import the coders' codings.")
    if column not in data.participants.columns:
        raise AnalysisError(f"The participants have no {characteristic.title.lower()} column ({column}); the cohort "
                            f"file names {characteristic.column} for it in options.characteristics.")
    frequencies = code_frequencies(data.codings, data.segments, data.participants, by=column, codebook=data.codebook,
                                   coder=coder)
    if frequencies.empty:
        raise AnalysisError(f"No interviewed participant has a {characteristic.title.lower()} group recorded.")
    return label_group_columns(theme_table(frequencies, by=column), characteristic)


def disclose_theme_table(table: pd.DataFrame, *, rules, what: str, stricter: str = "") -> pd.DataFrame:
    """A theme table (:func:`rmresearch.coding.theme_table` or :func:`themes_by`: one column per role or group, the
    last row ``"Participants interviewed"``) disclosed as qualitative counts (``basis="qualitative"``: a column is
    shown in a public report only where its participants interviewed reach ``rules.min_cell_size``).

    ``what`` names the columns' kind for the table's name and the note ("role", "disability group"). Raises
    AnalysisError when no column can be shown, so the section shows a note instead of a table of markers.

    >>> from rmresearch.config import DisclosureRules
    >>> t = pd.DataFrame({"theme": ["Trust", "Participants interviewed"], "senior leader": [1, 2], "partner": [1, 3]})
    >>> disclose_theme_table(t, rules=DisclosureRules(), what="role")
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: Every role had too few participants interviewed ... (an internal report shows them)
    """
    from ..disclosure import disclose

    groups = [c for c in table.columns if c != "theme"]
    shown = disclose(table, counts=groups, rules=rules, basis="qualitative", bases="Participants interviewed",
                     name=f"themes by {what}")
    small = shown.attrs["disclosure"].get("small_groups") or []
    if len(small) == len(groups):
        # no number in the message: a section's note replaces numbers (see rmresearch.sections.safe_reason)
        raise AnalysisError(f"Every {what} had too few participants interviewed to be shown in a public report"
                            f"{stricter}, so themes by {what.removesuffix(' group')} are not shown here (an internal "
                            "report shows them)")
    return shown


def coincides_with_role(data, column: str) -> bool:
    """Whether, among the participants interviewed, ``column``'s groups and the roles are the same split: everyone
    interviewed in a role shares one group and everyone in a group one role (every leader in one group, every
    partner in another). A table by that column would then repeat the table by role under other headings.

    >>> from types import SimpleNamespace
    >>> seg = pd.DataFrame({"participant_id": ["P1", "P2", "P3", None]})
    >>> people = pd.DataFrame({"participant_id": ["P1", "P2", "P3", "P4"], "role": ["a", "b", "b", "b"],
    ...                        "g": ["x", "y", "y", "x"]})
    >>> coincides_with_role(SimpleNamespace(segments=seg, participants=people), "g")  # P4 is not interviewed
    True
    >>> coincides_with_role(SimpleNamespace(segments=seg, participants=people.assign(g=["x", "y", "x", "x"])), "g")
    False
    """
    spoken = set(data.segments["participant_id"].dropna())
    people = data.participants.loc[data.participants["participant_id"].isin(spoken), ["role", column]]
    if people.empty or people["role"].nunique() < 2:
        return False
    return bool((people.groupby("role")[column].nunique() == 1).all()
                and (people.groupby(column)["role"].nunique() == 1).all())


def disclose_themes_by(data, characteristic, *, rules, coder: str | None = None) -> pd.DataFrame:
    """:func:`themes_by`, disclosed by :func:`disclose_theme_table` under ``rules``
    (``cfg.disclosure.for_characteristic(characteristic)``: stricter for special-category characteristics and
    intersections). Raises AnalysisError when no group can be shown in a public report, and when the groups of the
    participants interviewed are their roles (:func:`coincides_with_role`): the table would repeat the one by role
    and invite reading a difference between roles as one between groups. That is said only of a table that could
    be shown, so the sentence tells no more than the table would."""
    stricter = (" (the higher threshold of an intersection)" if characteristic.is_intersection else
                " (the higher threshold of special-category data)" if characteristic.special_category else "")
    what = characteristic.title.lower()
    shown = disclose_theme_table(themes_by(data, characteristic, coder=coder), rules=rules, what=f"{what} group",
                                 stricter=stricter)
    if coincides_with_role(data, characteristic.aggregate_column):
        raise AnalysisError(f"Among the participants interviewed, the {what} groups are the roles (everyone "
                            f"interviewed in a role is in one {what} group, and each group holds one role), so a table "
                            f"by {what} would repeat the themes by role under other headings; read the table by role, "
                            f"remembering that a difference between roles there is also one between {what} groups")
    return shown


def attribute_name(characteristic) -> str:
    """The framework matrix's column of a characteristic: ``'disability group'`` (a header reads 'Disability group',
    and the sentence saying what was withheld reads 'disability group and role withheld')."""
    return f"{characteristic.title.lower()} group"


def characteristic_matrix(data, characteristics: Sequence, *, role_labels: dict[str, str] | None = None,
                          coder: str | None = None, max_chars: int = 160, max_refs: int = 3) -> pd.DataFrame:
    """The framework matrix (:func:`rmresearch.coding.framework_matrix`) with one attribute column per characteristic
    in :func:`listing_order` (special-category first), named by :func:`attribute_name` and holding each person's
    coarse group under its display label; roles in the scheme's words (``role_labels`` {code: label})."""
    shown = listing_order(characteristics)
    people = data.participants[["participant_id", "role"]].copy()
    for ch in shown:
        if ch.aggregate_column not in data.participants.columns:
            raise AnalysisError(f"The participants have no {ch.title.lower()} column ({ch.aggregate_column}).")
        people[attribute_name(ch)] = data.participants[ch.aggregate_column].map(ch.label)
    matrix = framework_matrix(data.codings, data.segments, people, codebook=data.codebook,
                              attributes=[attribute_name(ch) for ch in shown], coder=coder, max_chars=max_chars,
                              max_refs=max_refs)
    if role_labels:
        matrix["role"] = matrix["role"].map(lambda r: role_labels.get(r, r))
    return matrix


def disclose_framework_matrix(data, config, *, coder: str | None = None, max_chars: int = 160,
                              max_refs: int = 3) -> pd.DataFrame:
    """The framework matrix of a cohort, disclosed as a person-level listing (``basis="listing"``): in a public report
    its characteristic attributes are withheld one at a time, special-category ones first, then role, until every
    combination left holds enough people; the threshold is the strictest of the characteristics shown and of the
    intersections of them the cohort names (:func:`listing_rules`), so never lower than any one of theirs. Roles are
    in the scheme's words."""
    from ..characteristics import role_labels
    from ..disclosure import disclose

    studied = participant_characteristics(config)
    characteristics = listing_order(studied)
    matrix = characteristic_matrix(data, characteristics, role_labels=role_labels(config), coder=coder,
                                   max_chars=max_chars, max_refs=max_refs)
    # two characteristics shown side by side show their intersection too: its threshold counts when the cohort names it
    return disclose(matrix, rules=listing_rules(config, studied), basis="listing",
                    characteristics=[attribute_name(ch) for ch in characteristics], name="framework matrix")
