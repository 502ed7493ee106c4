"""Showing results in report notebooks: only disclosed tables, readable formatting.

:func:`show_table` refuses a table that has not been through
:func:`rmresearch.disclosure.disclose`, so a report cannot show raw small
counts by accident.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from .codes import ROLES
from .disclosure import is_disclosed, undisclosed_message
from .errors import AnalysisError

__all__ = ["show_table", "format_table", "table_html", "readable_column", "readable_value", "format_p", "is_p_column",
           "format_number", "rounded_to", "rounded_caption", "people_threshold", "fewer_than", "capitalise",
           "COLUMN_LABELS", "ROLE_LABELS", "DisclosureRequired", "TABLE_METADATA_KEY", "table_metadata"]

#: Key of the display metadata that marks a table as disclosure-controlled (the release gate checks it).
TABLE_METADATA_KEY = "rmresearch"


class DisclosureRequired(AnalysisError):
    """A table was about to be shown without disclosure control."""


#: Headers for column names the analyses use; others lose their underscores.
COLUMN_LABELS = {
    "n": "n",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "rate_ci_low": "rate, 95% CI low",
    "rate_ci_high": "rate, 95% CI high",
    "p_value": "p",
    "p_adjusted": "p (adjusted)",
    "se": "SE",
    "cohen_dz": "Cohen's d_z",
    "rank_biserial": "rank-biserial r",
    "reference_n": "n (reference)",
    "reference_rate": "rate (reference)",
    "reference_good": "good (reference)",
    "comparison_n": "n (comparison)",
    "sd": "SD",
    "t": "t",
    "p_t": "p (t-test)",
    "p_w": "p (Wilcoxon)",
    "p_t_adj": "p (t-test, adjusted)",
    "p_w_adj": "p (Wilcoxon, adjusted)",
    "w": "W",
    "mean_diff": "mean change",
    "coder_a": "coder A",
    "coder_b": "coder B",
    "a_and_b": "both coders",
    "a_not_b": "coder A only",
    "b_not_a": "coder B only",
}


#: How role codes (:data:`rmresearch.codes.ROLES`) are shown: ``senior_leader`` -> ``Senior leader``.
ROLE_LABELS = {role: role.replace("_", " ").capitalize() for role in ROLES}

# A design-matrix column name, ``variable[level]`` (rmresearch.stats.design), e.g. ``ethnicity_group[Asian]``.
_DESIGN_NAME = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\[(.+)\]$")
# An internal lower-case snake_case code (``not_mentored``, ``safe_space``): shown with spaces. Names with digits
# (``interview_01``, a file or document a reader may look up) stay as they are.
_SNAKE_CODE = re.compile(r"^[a-z]+(?:_[a-z]+)+$")
# A number that rounded to zero but kept its sign: "-0", "-0.0", "-0.00%", "-0.0 pp".
_NEGATIVE_ZERO = re.compile(r"^\s*-(0(?:\.0+)?)(%|\s*pp)?\s*$")
# The first word of a header or caption: a one-letter symbol (n, p, k, d) keeps its case.
_FIRST_WORD = re.compile(r"^([^\s(,]+)")


def readable_value(value):
    """How a label cell is shown: role codes and design names in words; anything else as it is.

    Only the shown form changes; the table's data are untouched.

    Examples
    --------
    >>> [readable_value(v) for v in ["senior_leader", "ethnicity_group[Asian]", "is_female[True]", "Black", 3]]
    ['Senior leader', 'Asian (ethnicity group)', 'True (is female)', 'Black', 3]
    >>> [readable_value(v) for v in ["not_mentored", "P_01", "interview_01", "-0.0", "-0.00%", "-0.3"]]
    ['not mentored', 'P_01', 'interview_01', '0.0', '0.00%', '-0.3']
    """
    if not isinstance(value, str):
        return value
    if value in ROLE_LABELS:
        return ROLE_LABELS[value]
    match = _DESIGN_NAME.match(value)
    if match:
        variable, level = match.groups()
        return f"{readable_value(level)} ({readable_column(variable)})"
    if _SNAKE_CODE.match(value):
        return value.replace("_", " ")
    zero = _NEGATIVE_ZERO.match(value)
    if zero:
        return zero.group(1) + (zero.group(2) or "")
    return value


def format_number(value, decimals: int = 1) -> str:
    """A number at ``decimals`` places, never ``-0.0``: a value that rounds to zero is shown as zero.

    Examples
    --------
    >>> [format_number(v) for v in [-0.04, -0.0, 0.04, -0.05001, 2.345, 12.0]]
    ['0.0', '0.0', '0.0', '-0.1', '2.3', '12.0']
    >>> format_number(-0.004, 2), format_number(-0.4, 0)
    ('0.00', '0')
    """
    text = f"{float(value):.{decimals}f}"
    return text[1:] if text.startswith("-") and not any(d in text for d in "123456789") else text


def capitalise(text: str) -> str:
    """A header or caption with a capital first letter, unless its first word is a one-letter symbol
    (``n``, ``p``) or already holds capitals (``iOS``).

    Examples
    --------
    >>> [capitalise(t) for t in ["gap (pp)", "n (reference)", "p", "coder A", "95% CI low", "eDNA", ""]]
    ['Gap (pp)', 'n (reference)', 'p', 'Coder A', '95% CI low', 'eDNA', '']
    """
    match = _FIRST_WORD.match(text)
    if not match or not text[0].islower():
        return text
    word = match.group(1)
    if len(word) <= 1 or word != word.lower():
        return text
    return text[0].upper() + text[1:]


def is_p_column(name) -> bool:
    """Whether a column holds p-values: ``p``, ``p_value``, ``p_adjusted`` or any other ``p_*``.

    Examples
    --------
    >>> [is_p_column(c) for c in ["p_value", "p_adjusted", "p_exact", "p", "pp", "gap_pp", "share"]]
    [True, True, True, True, False, False, False]
    """
    text = str(name)
    return text == "p" or text.startswith("p_")


def format_p(value) -> str:
    """A p-value as shown: ``< 0.001`` below 0.001, else three decimals; blank when missing.

    Anything not a number (a suppression marker such as ``..``) is shown as it is.

    Examples
    --------
    >>> [format_p(v) for v in [0.0, 0.00049, 0.001, 0.01234, 0.5, 1.0, float("nan"), ".."]]
    ['< 0.001', '< 0.001', '0.001', '0.012', '0.500', '1.000', '', '..']
    """
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number != number:
        return ""
    return "< 0.001" if number < 0.001 else f"{number:.3f}"


def readable_column(name) -> str:
    """A header for a column name: ``gap_pp`` -> ``gap (pp)``, ``rate_ci_low`` -> ``rate, 95% CI low``.

    :func:`format_table` also capitalises the header (:func:`capitalise`).

    Examples
    --------
    >>> [readable_column(c) for c in ["gap_pp", "ci_low", "ethnicity_group", "hazard_ratio", "agreement_pct", "participant_id"]]
    ['gap (pp)', '95% CI low', 'ethnicity group', 'hazard ratio', 'agreement (%)', 'participant ID']
    >>> [readable_column(c) for c in ["disability_aggregate", "disability_by_sex"]]
    ['disability (grouped)', 'disability by sex']
    """
    text = str(name)
    if text in COLUMN_LABELS:
        return COLUMN_LABELS[text]
    if text in ROLE_LABELS or _DESIGN_NAME.match(text):
        return readable_value(text)
    for suffix, unit in (("_pp", "pp"), ("_pct", "%")):
        if text.endswith(suffix) and len(text) > len(suffix):
            return readable_column(text[: -len(suffix)]) + f" ({unit})"
    if text.endswith("_id") and len(text) > 3:
        return readable_column(text[:-3]) + " ID"
    if text.endswith("_aggregate") and len(text) > 10:  # a characteristic's coarse groups (rmresearch.groups)
        return readable_column(text[:-10]) + " (grouped)"
    return text.replace("_", " ")


def _header(name) -> str:
    return capitalise(readable_column(name))


def format_table(table: pd.DataFrame, *, caption: str | None = None, decimals: int = 1):
    """A pandas Styler without the index, blanks for missing cells, ``decimals`` for floats.

    p-value columns (:func:`is_p_column`) are shown by :func:`format_p` whatever ``decimals`` is, other
    numbers by :func:`format_number` (never ``-0.0``), text cells by :func:`readable_value` (role codes,
    design names and snake_case codes in words), headers by :func:`readable_column` with a capital first
    letter; the data are not changed. The caption says when counts are rounded (:func:`rounded_caption`).
    The first column stays in view when a wide table scrolls sideways (``position: sticky``; the
    scrolling container is :func:`table_html`'s).
    """
    if not is_disclosed(table):
        raise DisclosureRequired(undisclosed_message(table))
    styler = table.style.hide(axis="index").format(na_rep="", precision=decimals)
    # a calendar year ("year", "first_year", "census year") has no separator; "person-years" is a count and has one
    counts = [c for c in table.columns if pd.api.types.is_integer_dtype(table[c])
              and not re.search(r"(^|[_ ])year$", str(c).lower())]
    if counts:
        styler = styler.format(na_rep="", thousands=",", subset=counts)
    p_columns = [c for c in table.columns if is_p_column(c) and c not in counts]
    if p_columns:
        styler = styler.format(lambda v: html.escape(format_p(v)), subset=p_columns)  # "&lt; 0.001" in the HTML
    flags = [c for c in table.columns if pd.api.types.is_bool_dtype(table[c])]
    if flags:
        styler = styler.format(lambda v: _text_cell(v, decimals), subset=flags)  # yes / no, not True / False
    floats = [c for c in table.columns if c not in p_columns and pd.api.types.is_float_dtype(table[c])]
    if floats:
        styler = styler.format(lambda v: "" if pd.isna(v) else format_number(v, decimals), subset=floats)
    labels = [c for c in table.columns if c not in p_columns and not pd.api.types.is_numeric_dtype(table[c])
              and not pd.api.types.is_datetime64_any_dtype(table[c])]
    if labels:
        styler = styler.format(lambda v: html.escape(_text_cell(v, decimals)), subset=labels)
    styler = styler.format_index(lambda name: html.escape(_header(name)), axis=1)
    styler = styler.set_table_styles(_STICKY_FIRST_COLUMN, overwrite=False)
    words = [c for c in labels if _is_text_column(table[c])]
    if words:  # words read from the left; numbers (and suppression markers) stay right-aligned
        styler = styler.set_table_styles({c: _LEFT for c in words}, overwrite=False)
    caption = rounded_caption(table, caption)
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler


# The first column stays in view while a wide table scrolls sideways inside its container (table_html).
_STICKY = ("position: sticky; left: 0; z-index: 1; background-color: var(--jp-layout-color0, #fff); "
           "box-shadow: 1px 0 0 #d9d9d9;")
_STICKY_FIRST_COLUMN = [
    {"selector": "th:first-child", "props": _STICKY + " background-color: var(--jp-layout-color2, #f4f4f4);"},
    {"selector": "td:first-child", "props": _STICKY},
    {"selector": "th", "props": "white-space: normal; vertical-align: bottom;"},
]
_LEFT = [{"selector": "td", "props": "text-align: left;"}, {"selector": "th", "props": "text-align: left;"}]
# A suppression code (OfS style) holds letters but is not a word of text.
_CODE = re.compile(r"^\[[A-Za-z]+\]$")


def _is_text_column(values: pd.Series) -> bool:
    """Whether a column holds words (labels, quotes) rather than numbers shown as text with markers (``..``)."""
    return any(isinstance(v, str) and any(ch.isalpha() for ch in v) and not _CODE.match(v.strip()) for v in values)


#: The class of the container :func:`table_html` puts a table in (the report keeps it, see report/render.py).
TABLE_WRAP_CLASS = "table-wrap rm-table"


def table_html(table: pd.DataFrame, *, caption: str | None = None, decimals: int = 1) -> str:
    """The HTML :func:`show_table` displays: :func:`format_table` inside a container that scrolls sideways
    when the table is wider than the page, its first column fixed.

    Examples
    --------
    >>> from rmresearch.disclosure import disclose
    >>> page = table_html(disclose(pd.DataFrame({"group": ["A"], "n": [40]}), counts=["n"]), caption="people")
    >>> page.startswith('<div class="table-wrap rm-table" style="overflow-x: auto; max-width: 100%;" role="region" '
    ...                 'aria-label="People. Counts rounded to the nearest 5." tabindex="0">')
    True
    >>> "th:first-child" in page and "position: sticky" in page, "<caption>People. Counts rounded to the nearest 5.</caption>" in page
    (True, True)
    """
    caption = rounded_caption(table, caption)
    styler = format_table(table, caption=caption, decimals=decimals)
    # a scrolling region keyboard users can reach (tabindex) and screen readers can name (its caption)
    label = html.escape(caption or "Table", quote=True)
    return (f'<div class="{TABLE_WRAP_CLASS}" style="overflow-x: auto; max-width: 100%;" role="region" '
            f'aria-label="{label}" tabindex="0">\n{styler.to_html()}</div>')


def _text_cell(value, decimals: int) -> str:
    """A cell of a text (or mixed) column: blank when missing, floats at ``decimals``, labels in words."""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format_number(value, decimals)
    return str(readable_value(value))


def rounded_to(table: pd.DataFrame) -> int | None:
    """The base the shown counts of a disclosed table were rounded to, or None when none is rounded.

    Read from the disclosure record: ``rounded_to`` when the record names it; otherwise programme activity
    and qualitative counts are exact, an internal audience's counts are not rounded, and a table whose
    count columns are not shown (or ``round_to: 1``) has nothing rounded.

    Examples
    --------
    >>> from rmresearch.disclosure import disclose
    >>> people = pd.DataFrame({"group": ["A", "B"], "n": [41, 57]})
    >>> pairs = pd.DataFrame({"status": ["active", "completed"], "pairs": [5, 7]})
    >>> rounded_to(disclose(people, counts=["n"])), rounded_to(disclose(people)), rounded_to(disclose(pairs, counts=["pairs"], basis="activity"))
    (5, None, None)
    """
    record = table.attrs.get("disclosure") or {}
    shown = {str(c) for c in table.columns}
    if not any(str(c) in shown for c in record.get("counts") or []):
        return None  # the rounded counts were left out of the shown table (rates alone are not rounded)
    if "rounded_to" in record:
        return int(record["rounded_to"]) if record["rounded_to"] and int(record["rounded_to"]) > 1 else None
    rules = record.get("rules") or {}
    if record.get("basis") in ("activity", "qualitative") or "internal" in (record.get("audience"), rules.get("audience")):
        return None
    base = int(rules.get("round_to") or 1)
    return base if base > 1 else None


def rounded_caption(table: pd.DataFrame, caption: str | None) -> str | None:
    """``caption`` (capitalised) saying the counts are rounded when they are and it does not say so already.

    Examples
    --------
    >>> from rmresearch.disclosure import disclose
    >>> people = disclose(pd.DataFrame({"group": ["A"], "n": [41]}), counts=["n"])
    >>> rounded_caption(people, "staff by grade"), rounded_caption(people, "Staff (rounded to 5)"), rounded_caption(people, None)
    ('Staff by grade. Counts rounded to the nearest 5.', 'Staff (rounded to 5)', 'Counts rounded to the nearest 5.')
    >>> rounded_caption(disclose(pd.DataFrame({"pairs": [12]}), counts=["pairs"], basis="activity"), "pairs by status")
    'Pairs by status'
    """
    text = capitalise(caption.strip()) if caption and caption.strip() else None
    base = rounded_to(table)
    if base is None or (text and re.search(r"\brounded\b", text, re.IGNORECASE)):
        return text
    phrase = f"Counts rounded to the nearest {base}."
    if not text:
        return phrase
    return f"{text}{'' if text[-1] in '.!?' else '.'} {phrase}"


def people_threshold(rules) -> int:
    """The fewest people (or pairs) a percentage may rest on, as a whole number: HESA's 22.5 means 23.

    Examples
    --------
    >>> from rmresearch.config import DisclosureRules
    >>> people_threshold(DisclosureRules()), fewer_than(DisclosureRules(), "pairs")
    (23, 'fewer than 23 pairs')
    """
    import math

    value = getattr(rules, "min_percentage_denominator", rules)
    return int(math.ceil(float(value)))


def fewer_than(rules, unit: str = "people") -> str:
    """``"fewer than 23 people"`` for ``rules`` (or a threshold number): the threshold as a whole number."""
    return f"fewer than {people_threshold(rules)} {unit}".rstrip()


def table_metadata(table: pd.DataFrame, *, caption: str | None = None) -> dict:
    """The display metadata :func:`show_table` attaches: the table's disclosure record, no data.

    Examples
    --------
    >>> from rmresearch.disclosure import disclose
    >>> meta = table_metadata(disclose(pd.DataFrame({"n": [3, 40]}), counts=["n"], name="example"))
    >>> meta["rmresearch"]["disclosed"], meta["rmresearch"]["name"], meta["rmresearch"]["rows"]
    (True, 'example', 2)
    """
    if not is_disclosed(table):
        raise DisclosureRequired("table_metadata: the table has not been through disclosure control.")
    record = table.attrs["disclosure"]
    keep = ("name", "style", "rows", "suppressed_cells", "suppressed_by_column", "counts", "unrounded_columns",
            "derived", "basis", "below_hesa_minimums")
    return {TABLE_METADATA_KEY: {"disclosed": True, "caption": caption, **{k: record.get(k) for k in keep},
                                 "rounded_to": rounded_to(table)}}


def show_table(table: pd.DataFrame, *, caption: str | None = None, decimals: int = 1) -> None:
    """Display a disclosed table in a notebook (raises :class:`DisclosureRequired` otherwise).

    The output carries display metadata ``{"rmresearch": {"disclosed": true, ...}}``
    (see :func:`table_metadata`), which the release gate of ``rmresearch report
    --release`` requires of every table a report shows. The HTML is :func:`table_html`'s: a wide table
    scrolls sideways with its first column fixed; rounded counts are labelled in the caption.
    """
    from IPython.display import display

    from .results import autosave

    caption = rounded_caption(table, caption)
    page = table_html(table, caption=caption, decimals=decimals)
    autosave()
    display({"text/html": page, "text/plain": f"<Table: {caption or table.attrs['disclosure'].get('name') or 'disclosed'}"
             f", {len(table)} rows>"}, raw=True, metadata=table_metadata(table, caption=caption))
