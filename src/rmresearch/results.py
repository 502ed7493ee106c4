"""Key results of a report notebook, disclosure-controlled, saved as JSON next to it.

A notebook records the few numbers a reader should take away; the report's
executive summary, the index and the cross-cohort trends read those files,
never the notebooks themselves::

    from rmresearch import results
    results.start(cfg)                                   # once, after load_cohort
    results.record("pairs_completed_rate", completed / n_pairs, kind="rate", n=n_pairs, n_of="pairs",
                   label="Pairs that held every planned meeting", headline=True)

Every value is put through the cohort's disclosure rules here, whatever the
caller passes: counts are rounded (:func:`~rmresearch.disclosure.hesa_round`),
rates on small bases and averages on few people are suppressed
(:func:`~rmresearch.disclosure.suppress_rate`,
:func:`~rmresearch.disclosure.suppress_mean`), estimates (gaps, ratios) resting
on fewer people than a percentage may be shown on are suppressed with their
intervals, and the ``n`` a result rests on is stored rounded. A number derived
from rates (a gap, a ratio, a difference in differences) names the rates it
rests on, ``rests_on=[(denominator, numerator), ...]``, and is suppressed with
their marker wherever one of them would be
(:func:`~rmresearch.disclosure.derived_marker`, the rule tables follow): beside
a suppressed rate of 2 of 60, a gap or ratio to 120 of 400 would give back the 2. Values and
intervals are stored exactly as shown (rounded at the displayed precision:
11.5%, not 0.11538461538461539, which beside n would give back 3/26);
suppressed ones are null with the reason. Pass UNROUNDED numbers; the rounding
is done once, here. Counts and rates of programme activity (pairs, meetings
held, transcripts anonymised) are recorded with ``basis="activity"`` and shown
exactly ("26 pairs"); a key or label naming a characteristic is refused there.

Where the results go: ``rmresearch report`` sets the environment variable
``RMRESEARCH_RESULTS`` to ``reports/<cohort>/<notebook>.results.json`` for each
notebook it runs, and the file is rewritten atomically after every
:func:`record` and at the end of every cell (with the kernel's disclosure log,
so the report can say how much was suppressed). Without the variable (JupyterLab,
nbval) results are kept in memory only: :func:`current` ``.table()`` shows them.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .errors import AnalysisError
from .config import DisclosureRules
from .disclosure.recorded import _activity, _controlled, _qualitative

__all__ = [
    "Recorded",
    "RESULTS_ENV",
    "RESULTS_SUFFIX",
    "KINDS",
    "TREND_MEASURES",
    "Recorder",
    "start",
    "record",
    "current",
    "autosave",
    "read_results",
    "sentence",
    "format_value",
    "as_shown",
]

RESULTS_ENV = "RMRESEARCH_RESULTS"
RESULTS_SUFFIX = ".results.json"
KINDS = ("count", "rate", "mean", "estimate", "text")
SCHEMA_VERSION = 1

#: Result keys the cross-cohort trends page looks for, in any notebook: key -> what it measures. The groups compared
#: follow each cohort (its focus characteristic): the trends page shows each cohort's own label beside the value.
TREND_MEASURES = {
    "awarding_gap": "Awarding gap in good honours, reference group minus the group compared (percentage points)",
    "pairs_completed_rate": "Share of pairs that held every planned meeting",
    "survey_change": "Mean change in the survey's main scale, pre to post (scale points)",
    "promotion_relative_likelihood": ("Relative likelihood of promotion, reference group to the group compared "
                                      "(1 = parity)"),
}

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_DIGITS = re.compile(r"\d")


class Recorder:
    """Collects one notebook's key results under the cohort's disclosure rules.

    Parameters
    ----------
    config : CohortConfig, optional
        The cohort (its ``disclosure`` rules and description are used).
    rules : DisclosureRules, optional
        Rules when no ``config`` is given (default HESA).
    path : str or Path, optional
        Where to write the results file; default the ``RMRESEARCH_RESULTS``
        environment variable, else nowhere (results kept in memory).
    notebook : str, optional
        Name of the notebook (default: from ``path``).

    Examples
    --------
    >>> rec = Recorder()
    >>> rec.record("pairs", 26, label="Pairs formed")["value"]
    25
    >>> r = rec.record("completed", 9 / 19, kind="rate", n=19, n_of="pairs", label="Pairs that completed")
    >>> r["value"], r["display"], r["suppressed"]
    (None, '..', True)
    >>> rec.record("gap", 0.084, kind="estimate", n=400, ci=(0.03, 0.14), unit="pp", scale=100,
    ...            label="Awarding gap")["display"]
    '8.40 pp'
    >>> rec.record("gap", 120 / 400 - 2 / 60, kind="estimate", rests_on=[(400, 120), (60, 2)], unit="pp",
    ...            scale=100, label="Awarding gap")["display"]  # the rate 2 of 60 is suppressed: so is the gap
    '..'
    """

    def __init__(self, config=None, *, rules: DisclosureRules | None = None, path: str | Path | None = None,
                 notebook: str | None = None):
        self.config = config
        self.rules = config.disclosure if config is not None else (rules or DisclosureRules())
        if path is None and os.environ.get(RESULTS_ENV):
            path = os.environ[RESULTS_ENV]
        self.path = Path(path) if path else None
        if notebook is None and self.path is not None:
            notebook = self.path.name.removesuffix(RESULTS_SUFFIX)
        self.notebook = notebook
        self._results: dict[str, dict[str, Any]] = {}
        self._written: str | None = None

    # ------------------------------------------------------------------ recording

    def record(
        self,
        key: str,
        value: Any,
        *,
        label: str,
        section: str | None = None,
        n: Any = None,
        kind: str = "count",
        ci: tuple[Any, Any] | None = None,
        numerator: Any = None,
        n_of: str = "people",
        unit: str | None = None,
        scale: float = 1.0,
        decimals: int | None = None,
        headline: bool = False,
        sentence: str | None = None,
        rests_on: Any = None,
        basis: str = "people",
    ) -> dict[str, Any]:
        """Record one result after disclosure control; returns the stored record.

        Parameters
        ----------
        key : str
            Identifier, lower case with underscores (``awarding_gap``); recording
            the same key again replaces it (re-running a cell).
        value : number or str
            UNROUNDED count, proportion (0 to 1) for ``rate``, average, estimate,
            or a short text for ``kind="text"`` (no digits: numbers must be
            recorded as numbers so they are controlled).
        label : str
            What the number is, in plain words ("Pairs that held every planned meeting").
        section : str, optional
            Heading of the notebook section it comes from.
        n : number
            The UNROUNDED number of people (pairs, person-years...) the result rests
            on: the denominator of a rate, the n of an average, the smallest group
            an estimate compares. Required for rate, mean and estimate.
        kind : {"count", "rate", "mean", "estimate", "text"}
        ci : (low, high), optional
            Confidence interval (95%) on the same scale as ``value``; suppressed with it.
        numerator : number, optional
            Numerator of a rate, checked by the small-count rule (default: ``value * n``).
        n_of : str
            What ``n`` counts, for sentences ("pairs", "staff").
        unit : str, optional
            Unit shown after an estimate or mean ("pp", "points", "meetings").
        scale : float
            Multiplier for display only (100 shows a proportion difference as points).
        decimals : int, optional
            Decimals shown (default 1 for rates and means, 2 for estimates).
        headline : bool
            Put it in the report's executive summary.
        sentence : str, optional
            A plain-language template for the summary with ``{value}``, ``{ci}``,
            ``{n}``, ``{n_of}`` and ``{label}`` placeholders.
        rests_on : list of (denominator, numerator), optional
            The UNROUNDED counts of each rate the number is derived from (a gap
            or ratio: both groups' rates; a difference in differences: all
            four; ``numerator`` may be None). Wherever the disclosure rules
            would suppress one of those rates, the number and its interval are
            suppressed too, with the same marker
            (:func:`~rmresearch.disclosure.derived_marker`). Only the verdict
            is stored, never the counts. ``n`` defaults to the smallest
            denominator.
        basis : {"people", "qualitative", "activity"}, default "people"
            ``"people"``: the disclosure rules above (public: counts rounded, small
            bases suppressed; internal audience, ``rules.audience``: counts exact
            with 1 to ``min_cell_size - 1`` suppressed, rates and averages on fewer
            than ``min_cell_size`` suppressed). ``"qualitative"``: a count or share
            of a base group of ``n`` people (participants interviewed in a role),
            exact internally and, in public, where ``n`` is at least
            ``min_cell_size`` (see :mod:`rmresearch.disclosure.recorded`). ``"activity"``: a count, rate or average of programme
            activity (pairs, meetings held, sessions attended, transcripts,
            identifiers replaced, participants in total), recorded and shown
            exactly for every audience ("26 pairs", not "25"). Refused for a
            key or label naming a characteristic (ethnicity, sex, group...):
            activity by characteristic counts people by characteristic.
        """
        if not isinstance(key, str) or not _KEY.match(key):
            raise AnalysisError(f"result key {key!r} must be lower case letters, digits and underscores, starting with a letter.")
        if kind not in KINDS:
            raise AnalysisError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}.")
        if not isinstance(label, str) or not label.strip():
            raise AnalysisError(f"result {key!r}: give a label saying in plain words what the number is.")
        if basis == "activity":
            entry = _activity(key, value, label=label, kind=kind, n=n, ci=ci, numerator=numerator, scale=scale,
                              decimals=decimals, unit=unit, rests_on=rests_on)
        elif basis in ("people", "qualitative"):
            entry = (_controlled if basis == "people" else _qualitative)(
                key, value, kind=kind, n=n, ci=ci, numerator=numerator, rules=self.rules, scale=scale,
                decimals=decimals, unit=unit, rests_on=rests_on)
        else:
            raise AnalysisError(f"result {key!r}: basis must be 'people', 'qualitative' or 'activity', not {basis!r}.")
        entry.update(key=key, label=label.strip(), section=section, kind=kind, n_of=n_of, unit=unit,
                     headline=bool(headline), sentence=sentence, basis=basis, audience=self.rules.audience)
        if sentence is not None:
            _check_template(sentence, key)
        self._results.pop(key, None)
        self._results[key] = entry
        self.save()
        return dict(entry)

    def checkpoint(self) -> dict[str, dict[str, Any]]:
        """The results recorded so far, to :meth:`restore` if a section that records more cannot finish."""
        return {k: dict(v) for k, v in self._results.items()}

    def restore(self, checkpoint: dict[str, dict[str, Any]]) -> None:
        """Put the results back as they were at ``checkpoint`` (nothing half-recorded) and save them."""
        if checkpoint == self._results:
            return
        self._results = {k: dict(v) for k, v in checkpoint.items()}
        self.save()

    # ------------------------------------------------------------------ output

    @property
    def results(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._results.values()]

    def table(self):
        """The recorded results as a DataFrame (for checking in JupyterLab)."""
        import pandas as pd

        columns = ["key", "label", "kind", "display", "value", "ci_low", "ci_high", "n", "suppressed"]
        return pd.DataFrame([{c: r.get(c) for c in columns} for r in self._results.values()], columns=columns)

    def as_dict(self) -> dict[str, Any]:
        from .disclosure import disclosure_log

        cohort = self.config.as_parameters() if self.config is not None else None
        if cohort is not None:  # shareable: the cohort file relative to the project, never the machine's path
            cohort["config"] = _project_relative(self.config.path, self.config.root)
        return {
            "schema": SCHEMA_VERSION,
            "notebook": self.notebook,
            "cohort": cohort,
            "rules": asdict(self.rules),
            "results": self.results,
            "disclosure_log": disclosure_log(),
        }

    def save(self) -> Path | None:
        """Write the results file atomically (nothing without a path); skipped when unchanged."""
        if self.path is None:
            return None
        from .fileio import atomic_write_text

        text = json.dumps(self.as_dict(), indent=1, default=str) + "\n"
        if text != self._written:
            atomic_write_text(self.path, text)
            self._written = text
        return self.path


def _project_relative(path, root) -> str:
    """``path`` relative to the project folder ``root`` (only its name when it lies outside)."""
    path = Path(path)
    try:
        return path.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path.name


def as_shown(x: float, *, kind: str, scale: float = 1.0, decimals: int = 1) -> float:
    """``x`` rounded to the precision it is displayed at (a rate as a percentage, others times ``scale``).

    What a results file stores: formatting the stored value gives the same text, and it holds no more digits.

    Examples
    --------
    >>> as_shown(3 / 26, kind="rate", decimals=1)
    0.115
    >>> as_shown(0.08437, kind="estimate", scale=100, decimals=1)
    0.084
    """
    factor = 100.0 if kind == "rate" else (scale or 1.0)
    shown = round(float(x) * factor, decimals) / factor
    return round(shown, decimals + max(0, math.ceil(math.log10(abs(factor)))) + 3)  # float noise only


def format_value(result: dict[str, Any], value: float | None = None) -> str:
    """The display form of a recorded number (or of ``value`` on the same scale).

    Examples
    --------
    >>> format_value({"kind": "rate", "value": 0.4567, "decimals": 1})
    '45.7%'
    >>> format_value({"kind": "estimate", "value": 1.234, "decimals": 2, "unit": None})
    '1.23'
    >>> format_value({"kind": "estimate", "value": -0.0004, "decimals": 1, "scale": 100, "unit": "pp"})
    '0.0 pp'
    """
    from .display import format_number

    kind = result.get("kind")
    v = result.get("value") if value is None else value
    if v is None:
        return result.get("display") or ""
    if kind == "text":
        return str(v)
    if kind == "count":
        return f"{int(v):,}"
    places = result.get("decimals", 1)
    if kind == "rate":
        return f"{format_number(100 * v, places)}%"
    text = format_number(v * result.get("scale", 1.0), places)  # never "-0.0"
    unit = result.get("unit")
    return f"{text} {unit}" if unit else text


def _ci_text(result: dict[str, Any]) -> str:
    if result.get("ci_low") is None or result.get("ci_high") is None:
        return ""
    low, high = format_value(result, result["ci_low"]), format_value(result, result["ci_high"])
    unit = result.get("unit")
    if unit and result.get("kind") not in ("count", "rate", "text") and low.endswith(f" {unit}"):
        low = low[: -len(unit) - 1]  # "10.3 to 13.7 pp", not "10.3 pp to 13.7 pp"
    return f"95% confidence interval {low} to {high}"


def _check_template(template: str, key: str) -> None:
    try:
        template.format(value="", ci="", n="", n_of="", label="")
    except (KeyError, IndexError, ValueError) as exc:
        raise AnalysisError(
            f"result {key!r}: sentence template {template!r} is not valid ({exc}); use only "
            "{value}, {ci}, {n}, {n_of} and {label} as placeholders."
        ) from None


def sentence(result: dict[str, Any]) -> str:
    """A plain-language sentence for a recorded result, with its uncertainty.

    Examples
    --------
    >>> rec = Recorder()
    >>> sentence(rec.record("rl", 1.42, kind="estimate", n=60, ci=(1.05, 1.9), n_of="staff",
    ...                     label="Relative likelihood of promotion, White to BAME staff"))
    'Relative likelihood of promotion, White to BAME staff: 1.42 (95% confidence interval 1.05 to 1.90; based on about 60 staff).'
    >>> sentence(rec.record("done", 7 / 12, kind="rate", n=12, n_of="pairs", label="Pairs that completed"))
    'Pairs that completed: not shown, because it rests on fewer than 23 pairs.'
    >>> sentence(rec.record("seen", 24, kind="count", label="Participants interviewed")), sentence(rec.record(
    ...     "pairs", 12, kind="count", basis="activity", label="Mentoring pairs"))
    ('Participants interviewed: about 25.', 'Mentoring pairs: 12.')
    """
    label = result["label"]
    n_of = result.get("n_of") or "people"
    if result.get("suppressed"):
        reason = (result.get("reason") or "rests on too few people").replace("people", n_of)
        return f"{label}: not shown, because it {reason}."
    ci = _ci_text(result)
    n = result.get("n")
    exact = result.get("basis") in ("activity", "qualitative") or result.get("audience") == "internal"
    n_text = "" if not isinstance(n, int) else f"{n:,}" if exact else f"about {n:,}"
    if result.get("sentence"):
        return result["sentence"].format(value=result["display"], ci=ci, n=n_text, n_of=n_of, label=label)
    details = "; ".join(x for x in (ci, f"based on {n_text} {n_of}" if n_text and result["kind"] != "count" else "") if x)
    shown = result["display"]
    if result["kind"] == "count" and not exact:
        shown = f"about {shown}"  # a count of people in a public report is rounded: say so
    return f"{label}: {shown}" + (f" ({details})" if details else "") + "."


# ---------------------------------------------------------------------- module-level recorder

_current: Recorder | None = None
_hooked = False


def start(config=None, *, rules: DisclosureRules | None = None, path: str | Path | None = None,
          notebook: str | None = None) -> Recorder:
    """Start recording this notebook's results under ``config``'s disclosure rules."""
    global _current
    _current = Recorder(config, rules=rules, path=path, notebook=notebook)
    autosave()
    _current.save()
    return _current


def current(*, required: bool = True) -> Recorder | None:
    """The recorder started by :func:`start` (raises if none was, or gives ``None`` when not ``required``)."""
    if _current is None and required:
        raise AnalysisError("no results recorder: call rmresearch.results.start(cfg) after loading the cohort.")
    return _current


class Recorded(dict):
    """A recorded result (a dict) that shows nothing when it ends a notebook cell.

    Without this, ``results.record(...)`` as a cell's last line would print the
    stored entry, unrounded inputs included, into the report.
    """

    def _ipython_display_(self) -> None:
        return None


def record(key: str, value: Any, **kwargs) -> Recorded:
    """:meth:`Recorder.record` on the current recorder (see :func:`start`).

    Returns the stored entry (e.g. ``["display"]`` for the disclosed figure), as a
    :class:`Recorded` that displays nothing when a cell ends with it.
    """
    return Recorded(current().record(key, value, **kwargs))


def autosave() -> None:
    """When run by ``rmresearch report``, save results and the disclosure log after every cell.

    Harmless elsewhere: without ``RMRESEARCH_RESULTS`` or outside IPython it does nothing.
    """
    global _hooked, _current
    if _hooked or not os.environ.get(RESULTS_ENV):
        return
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebook stack
        return
    shell = get_ipython()
    if shell is None:
        return

    def _save(*_args):
        global _current
        if _current is None:
            _current = Recorder()
        _current.save()

    shell.events.register("post_run_cell", _save)
    _hooked = True


def read_results(path: str | Path) -> dict[str, Any]:
    """Read a ``*.results.json`` file (raises :class:`~rmresearch.errors.InputError` if unreadable)."""
    from .errors import InputError

    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the results file ({exc}); rebuild the report.") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_VERSION or not isinstance(data.get("results"), list):
        raise InputError(f"{path}: not a results file of schema {SCHEMA_VERSION}; rebuild the report.")
    return data
