"""The review queue: uncertain candidates a researcher accepts or rejects.

Candidates whose confidence is below the review threshold are listed in a CSV
kept with the raw data (``interviews/<cohort>/review.csv``, beside ``raw/``,
never inside it, because it quotes the original words). A researcher fills the
``decision`` column with ``accept`` (it is an identifier: replace it) or
``reject`` (leave the words as they are); the next ``rmresearch anonymise run``
applies the decisions and keeps them. Until decided, a candidate is replaced
(``options.anonymise.pending: replace``, the safe default) or kept
(``pending: keep``).

Indirect identifiers (labels ``ROLE``, ``UNIT``, ``DESCRIPTOR``, ``SPECIAL_CATEGORY``: "the Dean of Law",
"the only Sikh woman on the senior team", "my MS diagnosis") are always listed, whatever their confidence, with
a ``suggestion``: the generalisation that replaces the words ("[a senior leader]"). ``accept`` replaces them by
the suggestion, which the researcher may edit first; ``reject`` keeps the words. Undecided, the labels in
``options.anonymise.generalise`` (default ROLE, UNIT, DESCRIPTOR) are replaced by the suggestion and the others
(special categories, often the substance of the research) are kept. One phrase has one suggestion in every
document of the cohort: an edit in one row is applied to every row of the same phrase on the next run, and to
new transcripts after it. For an indirect row ``pseudonym`` holds the suggestion as the last run wrote it (what
``accept`` puts in place of the words), so an edit is told apart from it: edit ``suggestion``, not ``pseudonym``.
A phrase keeps the suggestion it was first given, as a name keeps its pseudonym: a better default suggestion of a
newer version reaches it only when its rows are edited or deleted from the file. ``risk`` and ``risk_reasons`` say how
identifiable the passage around the candidate remains (filled by :mod:`rmresearch.anonymise.risk`).

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "review.csv"
>>> queue = ReviewQueue(path)
>>> queue.add(document="t1.txt", start=4, end=8, label="PERSON", layer="lexicon", confidence=0.6,
...           text="Rose", context="... Rose was there", pseudonym="[PERSON_1]")
>>> _ = queue.save()
>>> text = path.read_text().replace(",,\\n", ",reject,\\n", 1)  # the decision column, last but one
>>> _ = path.write_text(text)
>>> ReviewQueue(path).decision("t1.txt", 4, 8, "Rose")
'reject'
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

import re

from ..errors import InputError, Problem, ValidationError
from ..fileio import write_csv
from ..io import text as textio
from .spans import INDIRECT_LABELS

__all__ = ["ReviewQueue", "review_path", "phrase_key", "REVIEW_COLUMNS", "DECISIONS"]

REVIEW_COLUMNS = ["document", "start", "end", "label", "layer", "confidence", "text", "context",
                  "pseudonym", "suggestion", "risk", "risk_reasons", "decision", "note"]
#: Largest review file read (bytes): one row per candidate is kilobytes; anything this large is the wrong file.
MAX_REVIEW_BYTES = 50_000_000
DECISIONS = ("accept", "reject")
_SYNONYMS = {"a": "accept", "y": "accept", "yes": "accept", "replace": "accept", "accepted": "accept",
             "r": "reject", "n": "reject", "no": "reject", "keep": "reject", "rejected": "reject"}


def phrase_key(text: str) -> str:
    """The form under which one phrase gets one suggestion across a cohort (case, spacing, a possessive ignored).

    >>> phrase_key("The  Dean of Law's"), phrase_key("the dean of law")
    ('the dean of law', 'the dean of law')
    """
    return re.sub(r"['\u2019]s$", "", re.sub(r"\s+", " ", str(text).strip()).casefold())


def _whole(value) -> int | None:
    """A whole number as a spreadsheet may save it ("12" or "12.0"), or None when it is none."""
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def review_path(config) -> Path:
    """Where a cohort's review CSV lives: ``options.anonymise.review_file``, else beside the raw folder."""
    opts = (config.options.get("anonymise") or {})
    if opts.get("review_file"):
        p = Path(str(opts["review_file"])).expanduser()
        return p if p.is_absolute() else config.root / p
    raw = Path(config.input_path("interviews"))
    return raw.parent / "review.csv" if raw.name else raw / "review.csv"


class ReviewQueue:
    """Rows of the review CSV, keyed by (document, start, end, text)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.rows: dict[tuple, dict] = {}
        self.seen: set[tuple] = set()
        if self.path.exists():
            self._read()

    def _read(self) -> None:
        path = str(self.path)
        try:  # Excel's "CSV UTF-8" starts with a byte-order mark; an empty file is nothing decided yet
            text = textio.read_text(self.path, limit=MAX_REVIEW_BYTES, what="the review file", unit="row",
                                    allow_empty=True, advice="In Excel save it with 'CSV UTF-8 (Comma delimited)', "
                                    "or fix it in a text editor.")
        except InputError as exc:
            raise ValidationError([Problem(path, str(exc).removeprefix(f"{path}: "))]) from None
        if not text.strip():
            return  # an empty file: nothing decided yet
        header = text.split("\n", 1)[0]
        # Excel in many European locales saves CSV with ';' (or tabs when saved as text).
        sep = max((",", ";", "\t"), key=header.count)
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep)
        except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
            raise ValidationError([Problem(path, f"cannot read the review file ({exc}); fix or delete it")]) from None
        frame.columns = [str(c).strip().lower() for c in frame.columns]
        missing = [c for c in ("document", "start", "end", "text", "decision") if c not in frame.columns]
        if missing:
            raise ValidationError([Problem(path, f"column(s) {', '.join(missing)} missing; the file must keep "
                                           f"the columns {', '.join(REVIEW_COLUMNS)}")])
        problems = []
        first_row: dict[tuple, tuple[int, str]] = {}  # (document, start, end) -> (row, decision)
        for i, row in frame.iterrows():
            if not any(str(v).strip() for v in row.values):
                continue  # a blank line (Excel adds them)
            decision = str(row["decision"]).strip().lower()
            decision = _SYNONYMS.get(decision, decision)
            if decision and decision not in DECISIONS:
                problems.append(Problem(path, f"decision {row['decision']!r} is not 'accept' or 'reject' "
                                        "(leave it empty to decide later)", row=i + 2, column="decision"))
                continue
            start, end = _whole(row["start"]), _whole(row["end"])
            if start is None or end is None:
                problems.append(Problem(path, "start and end must be whole numbers; do not edit them",
                                        row=i + 2, column="start"))
                continue
            span = (row["document"], start, end)
            if decision and span in first_row and first_row[span][1] and first_row[span][1] != decision:
                other = first_row[span][0]
                problems.append(Problem(path, f"this row says {decision!r} but row {other} says "
                                        f"{first_row[span][1]!r} for the same candidate ({row['document']} "
                                        f"{start}-{end}); keep one decision and delete or clear the other row",
                                        row=i + 2, column="decision"))
                continue
            if decision or span not in first_row:
                first_row[span] = (i + 2, decision)
            k = (row["document"], start, end, row["text"])
            if not decision and k in self.rows and self.rows[k]["decision"]:
                continue  # an undecided copy of a decided row
            record = {c: row.get(c, "") for c in REVIEW_COLUMNS}
            record.update(start=start, end=end, decision=decision)
            self.rows[k] = record
        if problems:
            raise ValidationError(problems)

    def rename_documents(self, names: dict[str, str]) -> None:
        """Rename documents (raw file name -> document pseudonym) in rows written by older versions."""
        renamed = {}
        for k, r in self.rows.items():
            if r["document"] in names:
                r = dict(r, document=names[r["document"]])
                k = (r["document"],) + k[1:]
            renamed.setdefault(k, r)
        self.rows = renamed

    def decision(self, document: str, start: int, end: int, text: str) -> str:
        """``accept``, ``reject`` or ``""`` (not decided yet)."""
        row = self.rows.get((document, start, end, text))
        return row["decision"] if row else ""

    def add(self, *, document, start, end, label, layer, confidence, text, context, pseudonym,
            suggestion: str = "") -> None:
        """List a candidate (keeping its decision and note); an indirect one with its ``suggestion``, which
        is also its ``pseudonym`` (the suggestion applied, against which a reviewer's edit is told)."""
        k = (document, int(start), int(end), text)
        self.seen.add(k)
        old = self.rows.get(k, {})
        self.rows[k] = {"document": document, "start": int(start), "end": int(end), "label": label, "layer": layer,
                        "confidence": round(float(confidence), 2), "text": text, "context": context,
                        "pseudonym": pseudonym, "suggestion": suggestion, "risk": old.get("risk", ""),
                        "risk_reasons": old.get("risk_reasons", ""), "decision": old.get("decision", ""),
                        "note": old.get("note", "")}

    def set_risk(self, document: str, start: int, end: int, text: str, risk: float | None, reasons: str = "") -> bool:
        """Fill a listed candidate's ``risk`` (0 to 1, rounded to 2 places; ``None`` clears it) and
        ``risk_reasons``; ``False`` when no such candidate is listed."""
        row = self.rows.get((document, int(start), int(end), text))
        if row is None:
            return False
        row["risk"] = "" if risk is None else round(float(risk), 2)
        row["risk_reasons"] = reasons
        return True

    def suggestions(self) -> tuple[dict[str, str], list[str]]:
        """The cohort's suggestion for each indirect phrase (:func:`phrase_key` -> suggestion), and conflicts.

        A row whose ``suggestion`` differs from its ``pseudonym`` (the suggestion as the last run wrote it) was
        edited: the edit holds for every row of that phrase. Several different edits of one phrase: an
        accepted row's wins, then the first by document and position; each such phrase is named in the
        conflicts (document and offsets only, never the words). Other rows keep what they hold.
        """
        stored: dict[str, str] = {}
        edits: dict[str, list[dict]] = {}
        for r in sorted(self.rows.values(), key=lambda r: (r["document"], r["start"])):
            suggestion = str(r.get("suggestion") or "").strip()
            if r.get("label") not in INDIRECT_LABELS or not suggestion:
                continue
            phrase = phrase_key(r["text"])
            if suggestion != str(r.get("pseudonym") or "").strip():
                edits.setdefault(phrase, []).append(r)
            else:
                stored.setdefault(phrase, suggestion)
        conflicts = []
        for phrase, rows in edits.items():
            rows.sort(key=lambda r: r["decision"] != "accept")  # stable: document order within each
            stored[phrase] = str(rows[0]["suggestion"]).strip()
            if len({str(r["suggestion"]).strip() for r in rows}) > 1:
                where = ", ".join(f"{r['document']} {r['start']}-{r['end']}" for r in rows)
                conflicts.append(f"the rows {where} edit the suggestion of one phrase differently; the one of "
                                 f"{rows[0]['document']} {rows[0]['start']}-{rows[0]['end']} is used in every document")
        return stored, conflicts

    def pending(self, labels: tuple[str, ...] | None = None) -> int:
        """Rows awaiting a decision (of ``labels`` only, when given)."""
        return sum(1 for r in self.rows.values() if not r["decision"] and (labels is None or r.get("label") in labels))

    def frame(self) -> pd.DataFrame:
        rows = sorted(self.rows.values(), key=lambda r: (r["document"], r["start"]))
        return pd.DataFrame(rows, columns=REVIEW_COLUMNS)

    def prune(self, documents: set[str]) -> None:
        """Drop undecided rows of ``documents`` that this run no longer produced; decided rows are always kept."""
        self.rows = {k: r for k, r in self.rows.items()
                     if r["decision"] or k in self.seen or r["document"] not in documents}

    def unmatched(self, documents: set[str]) -> int:
        """Decided rows of ``documents`` that matched no candidate in this run (edited text or offsets,
        or a changed transcript): their decision was not applied."""
        return sum(1 for k, r in self.rows.items() if r["decision"] and k not in self.seen and r["document"] in documents)

    def dumps(self) -> str:
        """The queue as CSV text, as :meth:`save` writes it."""
        return self.frame().to_csv(index=False)

    def save(self, *, documents: set[str] | None = None) -> Path:
        """Write the queue. With ``documents``, undecided rows of those documents that
        this run no longer produced are dropped; decided rows are always kept."""
        if documents is not None:
            self.prune(documents)
        from ..guard import check_output

        check_output(self.path, owner="review")  # it quotes original words: never into a shared or raw folder
        return write_csv(self.frame(), self.path)
