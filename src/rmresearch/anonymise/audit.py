"""Leak audit: look for any identifier in files meant to be shared.

Scans ``.txt``, ``.md``, ``.csv``, ``.json``, ``.ipynb`` and ``.html`` files for

- every roster name and alias, whole word, in any casing (a name part that is
  also a common word, like *Hope* or *Young*, only where written as a name:
  capitalised inside a sentence, or together with the person's other name);
- every original recorded in the cohort's pseudonym key;
- every pattern identifier (e-mail, phone, postcode, handle, configured IDs).

Findings name file and line and show the identifier partly masked
(``K**** M*****``), so the audit report is itself safe to share.

Examples
--------
>>> mask("Kwame Mensah"), mask("k.mensah@anytown.ac.uk")
('K**** M*****', 'k.m*****@a******.a*.u*')
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .lexicon import get_lexicon
from .patterns import compile_identifiers, find_patterns
from .roster import Roster

__all__ = ["Finding", "audit_paths", "audit_cohort", "mask", "AUDIT_SUFFIXES", "format_findings"]

AUDIT_SUFFIXES = (".txt", ".vtt", ".srt", ".md", ".csv", ".tsv", ".json", ".jsonl", ".ipynb", ".html", ".htm", ".xml", ".qdpx")
_AUDIT_LABELS = ("EMAIL", "PHONE", "POSTCODE", "HANDLE")


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    label: str
    masked: str
    source: str  # "roster", "key" or "pattern"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.label} {self.masked} ({self.source})"


def mask(value: str) -> str:
    """Keep the first character of each word, star the rest."""
    return re.sub(r"([^\W_])([^\W_]*)", lambda m: m.group(1) + "*" * len(m.group(2)), value)


def _sentence_initial(line: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and line[i] in " \t\"'(":
        i -= 1
    return i < 0 or line[i] in ".!?:;>"


_STRIP_BLOCKS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
_TAG = re.compile(r"<[^>\n]*>")
_UESC = re.compile(r"\\u([0-9a-fA-F]{4})")


def _lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    suffix = path.suffix.lower()
    text = _DATA_URI.sub(" ", text)
    if suffix in (".html", ".htm", ".xml", ".ipynb"):
        text = _STRIP_BLOCKS.sub(lambda m: "\n" * m.group().count("\n"), text)
    lines = text.split("\n")
    out = []
    for line in lines:
        if suffix in (".json", ".jsonl", ".ipynb"):
            line = _UESC.sub(lambda m: chr(int(m.group(1), 16)), line).replace("\\n", " ").replace('\\"', '"')
        if suffix in (".html", ".htm", ".xml", ".ipynb"):
            line = html.unescape(_TAG.sub(" ", line))
        out.append(line)
    return out


class _Needles:
    """Compiled searches for roster and key names."""

    def __init__(self, roster: Roster | None, key_originals: Iterable[tuple[str, str]]):
        lex = get_lexicon()
        strict: dict[str, str] = {}   # any casing
        named: dict[str, str] = {}    # only written as a name
        if roster is not None:
            for toks, kind in roster.kinds.items():
                form = " ".join(toks)
                if len(toks) == 1 and (lex.is_common_word(toks[0]) or len(toks[0]) < 3):
                    named[form] = "roster"
                else:
                    strict[form] = "roster"
        for original, label in key_originals:
            form = re.sub(r"\s+", " ", original.strip())
            if not form or label != "PERSON":
                continue
            form = re.sub(r"['\u2019]s$", "", form).casefold()
            if " " not in form and (lex.is_common_word(form) or len(form) < 3):
                named.setdefault(form, "key")
            else:
                strict.setdefault(form, "key")
        self.sources = {**named, **strict}
        self.strict = self._compile(strict)
        self.named = self._compile(named)
        self.other = [(o, lbl) for o, lbl in key_originals if lbl != "PERSON" and o.strip()]

    @staticmethod
    def _compile(forms: dict[str, str]):
        if not forms:
            return None
        alts = sorted(forms, key=len, reverse=True)
        body = "|".join(re.escape(f).replace(r"\ ", r"\s+").replace(r"\-", r"[\-\s]?") for f in alts)
        return re.compile(r"(?<![^\W_])(?:" + body + r")(?![^\W_])", re.IGNORECASE)


def audit_paths(
    paths: Iterable[str | Path],
    *,
    roster: Roster | None = None,
    key_originals: Iterable[tuple[str, str]] = (),
    identifiers: dict | None = None,
    exclude: Iterable[str | Path] = (),
) -> list[Finding]:
    """Every identifier found in the files under ``paths`` (folders are searched recursively)."""
    needles = _Needles(roster, list(key_originals))
    ids = compile_identifiers(identifiers)
    excluded = {Path(p).resolve() for p in exclude}
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in AUDIT_SUFFIXES)
        elif p.is_file():
            files.append(p)
        else:
            from ..errors import InputError

            raise InputError(f"{p}: no such file or folder to audit.")
    findings: list[Finding] = []
    other_values = [(re.compile(r"(?<![\w@.])" + re.escape(o) + r"(?![\w@])", re.IGNORECASE), lbl) for o, lbl in needles.other]
    for f in files:
        if f.resolve() in excluded:
            continue
        for n, line in enumerate(_lines(f), start=1):
            if not line.strip():
                continue
            if needles.strict is not None:
                for m in needles.strict.finditer(line):
                    src = needles.sources.get(re.sub(r"\s+", " ", m.group()).casefold(), "roster")
                    findings.append(Finding(str(f), n, "PERSON", mask(m.group()), src))
            if needles.named is not None:
                for m in needles.named.finditer(line):
                    w = m.group()
                    if w[:1].isupper() and not w.isupper() and not _sentence_initial(line, m.start()):
                        src = needles.sources.get(w.casefold(), "roster")
                        findings.append(Finding(str(f), n, "PERSON", mask(w), src))
            for s in find_patterns(line, identifiers=ids, labels=_AUDIT_LABELS):
                findings.append(Finding(str(f), n, s.label, mask(s.text), "pattern"))
            for rx, lbl in other_values:
                for m in rx.finditer(line):
                    findings.append(Finding(str(f), n, lbl, mask(m.group()), "key"))
    # One finding per place and value.
    unique = {(x.file, x.line, x.label, x.masked): x for x in findings}
    return list(unique.values())


def format_findings(findings: list[Finding], *, limit: int = 200) -> str:
    lines = [str(f) for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"... and {len(findings) - limit} more")
    return "\n".join(lines)


def audit_cohort(config, paths: Iterable[str | Path] | None = None) -> list[Finding]:
    """Audit ``paths`` (default: the cohort's anonymised folder) with its roster, key and identifier formats."""
    from .pseudonyms import PseudonymKey, key_path
    from .review import review_path
    from .roster import load_roster

    kpath = key_path(config)
    originals = PseudonymKey.load(kpath, cohort=config.cohort).originals() if kpath.exists() else []
    targets = list(paths) if paths is not None else [config.outputs["anonymised"]]
    return audit_paths(targets, roster=load_roster(config), key_originals=originals,
                       identifiers=config.options.get("identifiers") or {}, exclude=[kpath, review_path(config)])
