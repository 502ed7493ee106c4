"""The review queue: uncertain candidates a researcher accepts or rejects.

Candidates whose confidence is below the review threshold are listed in a CSV
kept with the raw data (``interviews/<cohort>/review.csv``, beside ``raw/``,
never inside it, because it quotes the original words). A researcher fills the
``decision`` column with ``accept`` (it is an identifier: replace it) or
``reject`` (leave the words as they are); the next ``rmresearch anonymise run``
applies the decisions and keeps them. Until decided, a candidate is replaced
(``options.anonymise.pending: replace``, the safe default) or kept
(``pending: keep``).

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "review.csv"
>>> queue = ReviewQueue(path)
>>> queue.add(document="t1.txt", start=4, end=8, label="PERSON", layer="lexicon", confidence=0.6,
...           text="Rose", context="... Rose was there", pseudonym="[PERSON_1]")
>>> _ = queue.save()
>>> text = path.read_text().replace(",,", ",reject,", 1)
>>> _ = path.write_text(text)
>>> ReviewQueue(path).decision("t1.txt", 4, 8, "Rose")
'reject'
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem, ValidationError
from ..fileio import write_csv
from ..io import text as textio

__all__ = ["ReviewQueue", "review_path", "REVIEW_COLUMNS", "DECISIONS"]

REVIEW_COLUMNS = ["document", "start", "end", "label", "layer", "confidence", "text", "context",
                  "pseudonym", "decision", "note"]
#: Largest review file read (bytes): one row per candidate is kilobytes; anything this large is the wrong file.
MAX_REVIEW_BYTES = 50_000_000
DECISIONS = ("accept", "reject")
_SYNONYMS = {"a": "accept", "y": "accept", "yes": "accept", "replace": "accept", "accepted": "accept",
             "r": "reject", "n": "reject", "no": "reject", "keep": "reject", "rejected": "reject"}


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

    def add(self, *, document, start, end, label, layer, confidence, text, context, pseudonym) -> None:
        k = (document, int(start), int(end), text)
        self.seen.add(k)
        old = self.rows.get(k, {})
        self.rows[k] = {"document": document, "start": int(start), "end": int(end), "label": label, "layer": layer,
                        "confidence": round(float(confidence), 2), "text": text, "context": context,
                        "pseudonym": pseudonym, "decision": old.get("decision", ""), "note": old.get("note", "")}

    def pending(self) -> int:
        return sum(1 for r in self.rows.values() if not r["decision"])

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
