"""Sections of a report notebook that degrade to a short note when the data cannot support them.

An analysis that cannot run on a cohort (no students before the scheme started,
a model that does not converge, a group with no one to compare with) raises an
:class:`~rmresearch.errors.AnalysisError`. Wrapped in :func:`unit`, that error
no longer fails the whole report: the notebook shows a short note instead of
the section's tables (what could not be shown, why, and what data would make it
possible) and the note is kept, :func:`notes`; the report lists it under
"Notes from the analyses" in its methods appendix (it reads the note from the
display metadata of the executed notebook, so a cached notebook keeps its notes)::

    from rmresearch import sections
    with sections.unit("Difference in differences", needs="students who qualified before and after the start year"):
        did = attainment.gap_difference_in_differences(...)
        show_table(...)

Only an :class:`AnalysisError` becomes a note; any other exception (a bug: a
``TypeError``, a ``KeyError``) still fails the notebook. Results recorded with
:mod:`rmresearch.results` inside a unit that fails are withdrawn, so a section
is never half-recorded: compute everything before showing or recording it, so
that a failure leaves nothing half-shown either.

The note's reason is the error's message with its numbers other than years
replaced by "some": a message may carry unrounded counts of people, and the
note is shown in the report without disclosure control otherwise.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import AnalysisError

__all__ = ["Note", "unit", "require", "notes", "clear_notes", "note_markdown", "note_output", "safe_reason", "NOTE_METADATA_KEY"]

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w.]*\d)")
_YEAR = re.compile(r"^(19|20)\d\d$")
#: Key of the display metadata the report reads (as :data:`rmresearch.plots.FIGURE_METADATA_KEY` for figures).
NOTE_METADATA_KEY = "rmresearch"


@dataclass(frozen=True)
class Note:
    """A section that could not be shown: its title, why (the disclosed message) and what it needs."""

    title: str
    reason: str
    needs: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


_notes: list[Note] = []


def notes() -> list[Note]:
    """The notes of the units that could not be shown in this kernel, in order (a re-run replaces its note)."""
    return list(_notes)


def clear_notes() -> None:
    """Forget the notes kept so far (tests; a fresh notebook starts with none)."""
    _notes.clear()


def safe_reason(message: str) -> str:
    """The error message with every number except a year replaced by "some" (a count may be a small one).

    >>> safe_reason("adjusted_gap: no students left to model (excluded: {'no tariff': 3}).")
    "adjusted_gap: no students left to model (excluded: {'no tariff': some})."
    >>> safe_reason("no reference students with an outcome before 2019 in 'qualification_year'.")
    "no reference students with an outcome before 2019 in 'qualification_year'."
    """
    return _NUMBER.sub(lambda m: m.group(0) if _YEAR.match(m.group(0)) else "some", str(message).strip())


def note_markdown(note: Note) -> str:
    """The note as shown in the notebook (markdown)."""
    reason = note.reason.rstrip()
    if reason and reason[-1] not in ".!?":
        reason += "."
    return (f"> **{note.title}: not shown for this cohort.** {reason} "
            f"This section needs {note.needs}.")


def note_output(note: Note) -> tuple[dict, dict]:
    """The note as display data and metadata: the report lists ``metadata["rmresearch"]["note"]`` in its methods appendix.

    >>> data, meta = note_output(Note("Value added", "no baseline students", "baseline students"))
    >>> sorted(data), meta["rmresearch"]["note"]["title"]
    (['text/markdown', 'text/plain'], 'Value added')
    """
    text = note_markdown(note)
    return {"text/markdown": text, "text/plain": text}, {NOTE_METADATA_KEY: {"note": note.as_dict()}}


def _recorder():
    from . import results

    return results.current(required=False)  # the recorder started by results.start(), or None


class unit:  # noqa: N801 - used as a context manager, like contextlib's lower-case helpers
    """A section of a notebook that shows a note instead of failing when its analysis cannot run.

    Parameters
    ----------
    title : str
        What the section shows ("Difference in differences").
    needs : str
        What data would make it possible, completing "This section needs ..."
        ("students who qualified both before and after the start year").
    display : callable, optional
        Shows the note's markdown (default: IPython's ``display(Markdown(...))``,
        printing outside IPython).

    Examples
    --------
    >>> shown = []
    >>> with unit("Adjusted gap", needs="students with an entry tariff", display=shown.append) as u:
    ...     raise AnalysisError("adjusted_gap: the logistic regression did not converge")
    >>> u.note.title, shown[0].startswith("> **Adjusted gap: not shown")
    ('Adjusted gap', True)
    """

    def __init__(self, title: str, *, needs: str, display=None):
        if not str(title).strip() or not str(needs).strip():
            raise AnalysisError("sections.unit: give the section's title and what data it needs.")
        self.title = str(title).strip()
        self.needs = str(needs).strip()
        self._display = display
        self.note: Note | None = None
        self._saved: dict[str, Any] | None = None

    def __enter__(self) -> "unit":
        rec = _recorder()
        self._saved = rec.checkpoint() if rec is not None else None
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        _forget(self.title)
        if exc_type is None or not issubclass(exc_type, AnalysisError):
            return False  # success, or a bug: let it propagate
        self._withdraw()
        reason = _sentence(safe_reason(str(exc))) or "The analysis could not be run on this cohort's data."
        self.note = Note(self.title, reason if reason[-1] in ".!?" else reason + ".", self.needs)
        _notes.append(self.note)
        self._show(note_markdown(self.note))
        return True

    def _withdraw(self) -> None:
        """Put the results back as they were when the unit began (nothing half-recorded)."""
        rec = _recorder()
        if rec is not None and self._saved is not None:
            rec.restore(self._saved)

    def _show(self, text: str) -> None:
        if self._display is not None:
            self._display(text)
            return
        try:
            from IPython.display import display
        except ImportError:  # pragma: no cover - IPython comes with the notebook stack
            print(text)
            return
        data, metadata = note_output(self.note)
        display(data, raw=True, metadata=metadata)


_CODE_NAME = re.compile(r"^[a-z][a-z0-9_]*:\s+")


def _sentence(reason: str) -> str:
    """The reason as a reader's sentence: without the function name an error message starts with, capitalised.

    >>> _sentence("the cohort file pilot.yml names no recruitment input")
    'The cohort file pilot.yml names no recruitment input'
    >>> _sentence("kaplan_meier: no event in the follow-up"), _sentence("pilot.yml: no staff")
    ('No event in the follow-up', 'pilot.yml: no staff')
    """
    reason = _CODE_NAME.sub("", reason, count=1)
    if reason.split(" ", 1)[0].isalpha() and reason[:1].islower():
        return reason[:1].upper() + reason[1:]
    return reason


def require(config, *inputs: str) -> None:
    """Stop a section, with a note, when the cohort file names none of these inputs: the requirement of one section.

    A notebook's ``requires`` metadata names what the whole notebook cannot do without (staff records for the
    progression notebook); a section that needs more (recruitment records for the recruitment section) says so
    here, first thing inside its :class:`unit`, and the rest of the notebook still runs without it.

    >>> class Cohort:  # a stand-in for a loaded cohort file
    ...     path, inputs = "cohorts/pilot.yml", {"staff": "data/staff.csv", "recruitment": None}
    >>> require(Cohort(), "staff")
    >>> require(Cohort(), "recruitment")
    Traceback (most recent call last):
    ...
    rmresearch.errors.AnalysisError: the cohort file pilot.yml names no recruitment input (inputs: recruitment: FILE)
    """
    missing = [name for name in inputs if config.inputs.get(name) in (None, "", {}, [])]
    if missing:
        names = " or ".join(missing)
        lines = ", ".join(f"{m}: FILE" for m in missing)
        raise AnalysisError(f"the cohort file {Path(str(config.path)).name} names no {names} input (inputs: {lines})")


def _forget(title: str) -> None:
    """Drop an earlier note of the same section (the cell is being run again)."""
    _notes[:] = [n for n in _notes if n.title != title]
