"""Pseudonyms that stay the same across a cohort's transcripts and reruns, and the key.

Roster people are replaced by their participant ID (``[P07]``) or, with the
``surrogates`` style, by an invented name of similar origin that is never a
roster name; anyone else by a code numbered in first-seen order
(``[PERSON_7]``); other identifiers by ``[EMAIL_1]``, ``[PHONE_2]``...

The key (original -> pseudonym, with label) is JSON written atomically with
mode 0600 in the cohort's ``outputs.keys`` folder (created 0700), never inside
the anonymised output or the reports, and reused by every rerun so codes never
shift.

Examples
--------
>>> key = PseudonymKey(cohort="demo")
>>> key.pseudonym("Kwame Mensah", "PERSON", participant_id="P07")
'[P07]'
>>> key.pseudonym("Ngozi", "PERSON"), key.pseudonym("ngozi's", "PERSON"), key.pseudonym("Bola", "PERSON")
('[PERSON_1]', '[PERSON_1]', '[PERSON_2]')
>>> key.pseudonym("a.b@example.org", "EMAIL")
'[EMAIL_1]'
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from ..errors import AnalysisError, ConfigError, InputError
from ..fileio import atomic_write
from ..io import text as textio
from .roster import Roster, name_tokens

__all__ = ["PseudonymKey", "normalise", "key_path", "check_key_location", "STYLES"]

STYLES = ("tags", "surrogates")
KEY_FILENAME = "pseudonym_key.json"
#: Largest pseudonym key read (bytes): a cohort's key is kilobytes; anything this large is not a key.
MAX_KEY_BYTES = 50_000_000
KEY_FORMAT = 2  # 2: adds ``documents`` (raw file name -> document pseudonym and content hash)
DOCUMENT_PREFIX = "interview_"


def _check_key_data(path: Path, data) -> None:
    """A clear error when the key JSON is not shaped as this toolkit writes it."""
    def bad(what: str) -> InputError:
        return InputError(f"{path}: the pseudonym key is damaged ({what}); restore it from backup. "
                          "Deleting it would give every person a new pseudonym.")

    if not isinstance(data, dict):
        raise bad(f"a JSON {type(data).__name__}, not an object")
    for name in ("entries", "counters", "surrogates", "documents"):
        if name in data and not isinstance(data[name], dict):
            raise bad(f"'{name}' is a {type(data[name]).__name__}, not an object")
    if "withheld" in data and not (isinstance(data["withheld"], list) and all(isinstance(x, str) for x in data["withheld"])):
        raise bad("'withheld' is not a list of participant IDs")
    for name in ("cohort", "style"):
        if name in data and not isinstance(data[name], str):
            raise bad(f"'{name}' is not text")
    for k, e in (data.get("entries") or {}).items():
        if not isinstance(e, dict) or not {"original", "label", "pseudonym"} <= set(e):
            raise bad(f"entry {k!r} lacks original, label or pseudonym")
    for k, v in (data.get("counters") or {}).items():
        if not isinstance(v, int) or isinstance(v, bool):
            raise bad(f"counter {k!r} is not a whole number")
    seen: dict[str, str] = {}
    for k, e in (data.get("documents") or {}).items():
        if not isinstance(e, dict) or not isinstance(e.get("document"), str):
            raise bad(f"document {k!r} lacks its pseudonym")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,63}", e["document"]):
            raise bad(f"document {k!r} has the pseudonym {e['document']!r}, which is not a plain file name")
        if e["document"] in seen:
            raise bad(f"documents {seen[e['document']]!r} and {k!r} have the same pseudonym {e['document']!r}")
        seen[e["document"]] = k


def normalise(original: str, label: str) -> str:
    """The form under which an original is looked up in the key."""
    if label == "PHONE":
        digits = re.sub(r"\D", "", original)
        return "+44" + digits[1:] if digits.startswith("0") and not digits.startswith("00") else "+" + digits.lstrip("0")
    text = re.sub(r"\s+", " ", original.strip()).casefold()
    if label == "PERSON":
        text = re.sub(r"['\u2019]s$", "", text)
        text = " ".join(name_tokens(text)) or text
    if label == "POSTCODE":
        text = text.replace(" ", "")
    return text


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
        return True
    except ValueError:
        return False


def check_key_location(keys_dir: Path, *, shareable: Iterable[Path]) -> None:
    """Refuse a key folder inside (or equal to) anything meant to be shared."""
    for folder in shareable:
        if folder is None:
            continue
        if _inside(keys_dir, folder) or _inside(folder, keys_dir):
            raise ConfigError(
                f"The pseudonym key folder {keys_dir} overlaps {folder}, which is shared with others. "
                "Set outputs.keys in the cohort file to a folder of its own (e.g. keys/<cohort>), "
                "apart from outputs.anonymised and outputs.reports."
            )


def key_path(config) -> Path:
    """``outputs.keys/pseudonym_key.json`` for a cohort, after checking where it is."""
    keys_dir = Path(config.outputs["keys"])
    check_key_location(keys_dir, shareable=[config.outputs.get("anonymised"), config.outputs.get("reports")])
    return keys_dir / KEY_FILENAME


def require_private_key(path: str | Path) -> None:
    """Refuse (:class:`InputError`) a key file that others may read (any group or other permission bit).

    Skipped where file modes do not exist (Windows).
    """
    path = Path(path)
    if os.name != "posix" or not path.exists():
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise InputError(
            f"{path}: the pseudonym key can be read by others (mode {mode:04o}); it must be private. "
            f"Run `chmod 600 {path}` (and `chmod 700 {path.parent}`), then run again."
        )


@dataclass
class PseudonymKey:
    """The cohort's mapping from originals to pseudonyms.

    ``entries`` maps ``"LABEL\\tnormalised original"`` to a record with
    ``original``, ``label``, ``pseudonym`` and ``participant_id``.
    """

    cohort: str = ""
    style: str = "tags"
    entries: dict[str, dict] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    surrogates: dict[str, dict] = field(default_factory=dict)
    documents: dict[str, dict] = field(default_factory=dict)
    #: participant IDs whose turns the last run withheld (consent), so a later withdrawal makes the copies stale
    withheld: list[str] = field(default_factory=list)
    path: Path | None = None
    roster: Roster | None = field(default=None, repr=False)
    changed: bool = False

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ConfigError(f"anonymise style must be one of {', '.join(STYLES)}, not {self.style!r}")

    # ------------------------------------------------------------------ files
    @classmethod
    def load(cls, path: str | Path, *, cohort: str = "", style: str = "tags", roster: Roster | None = None,
             require_private: bool = False) -> "PseudonymKey":
        """Read the key at ``path``, or start a new one if there is none yet.

        With ``require_private``, a key that others may read (any group or
        other permission bit) is refused with the command that fixes it.
        Keys written before document pseudonyms existed (``format`` 1) load
        unchanged; their documents are named on the next run.
        """
        path = Path(path)
        if not path.exists():
            return cls(cohort=cohort, style=style, path=path, roster=roster)
        if path.is_dir():
            raise InputError(f"{path}: the pseudonym key is a folder, not a file; move it away or restore the key file.")
        if require_private:
            require_private_key(path)
        restore = "Restore it from backup: deleting it would give every person a new pseudonym."
        text = textio.read_text(path, limit=MAX_KEY_BYTES, what="a pseudonym key", allow_empty=True, advice=restore)
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InputError(f"{path}: the pseudonym key is not valid JSON ({exc}). {restore}") from None
        _check_key_data(path, data)
        if data.get("cohort") and cohort and data["cohort"] != cohort:
            raise InputError(f"{path}: this key belongs to cohort {data['cohort']!r}, not {cohort!r}.")
        if data.get("style", style) != style:
            raise ConfigError(
                f"{path}: the key was made with style {data.get('style')!r}; the configuration asks for {style!r}. "
                "Keep the style a cohort started with, or move the old key away to start again."
            )
        return cls(cohort=data.get("cohort", cohort), style=data.get("style", style), entries=data.get("entries", {}),
                   counters=data.get("counters", {}), surrogates=data.get("surrogates", {}),
                   documents=data.get("documents", {}), withheld=list(data.get("withheld", [])), path=path,
                   roster=roster)

    def dumps(self) -> str:
        """The key as stored (sorted JSON, so an unchanged key is byte-identical)."""
        data = {"format": KEY_FORMAT, "cohort": self.cohort, "style": self.style, "counters": self.counters,
                "surrogates": self.surrogates, "entries": self.entries, "documents": self.documents,
                "withheld": sorted(self.withheld)}
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)

    def save(self, path: str | Path | None = None) -> Path:
        """Write the key atomically with mode 0600 (folder 0700)."""
        if (path or self.path) is None:
            raise AnalysisError("PseudonymKey.save: the key has no path; pass save(path) or load it with PseudonymKey.load(path).")
        path = Path(path or self.path)
        from ..guard import check_output

        check_output(path, owner="keys")  # never into reports/, an anonymised or raw folder, or over an input
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        with atomic_write(path, "w", file_mode=0o600) as fh:
            fh.write(self.dumps())
        self.path = path
        self.changed = False
        return path

    # ------------------------------------------------------------------ documents
    def document_names(self, files: Mapping[str, str]) -> dict[str, str]:
        """Document pseudonyms (``interview_01``...) of raw files ``{raw name: sha256}``.

        A raw name seen before keeps its pseudonym; new names are numbered in
        sorted order after the highest number used. A new name whose content
        is that of a known document whose raw file is gone (a renamed file)
        takes over its pseudonym. The mapping and hashes are kept in the key.

        >>> key = PseudonymKey()
        >>> key.document_names({"interview_Ada_Obi.docx": "aa", "b.txt": "bb"})
        {'b.txt': 'interview_01', 'interview_Ada_Obi.docx': 'interview_02'}
        >>> key.document_names({"b.txt": "bb", "a.txt": "cc", "ada.txt": "aa"})
        {'a.txt': 'interview_03', 'ada.txt': 'interview_02', 'b.txt': 'interview_01'}
        """
        out: dict[str, str] = {}
        gone = {e.get("sha256"): raw for raw, e in self.documents.items() if raw not in files and e.get("sha256")}
        for raw in sorted(files):
            digest = files[raw]
            entry = self.documents.get(raw)
            if entry is None and digest in gone:
                entry = self.documents.pop(gone.pop(digest))
                self.documents[raw] = entry
                self.changed = True
            if entry is None:
                entry = {"document": self._new_document()}
                self.documents[raw] = entry
                self.changed = True
            if entry.get("sha256") != digest:
                entry["sha256"] = digest
                self.changed = True
            out[raw] = entry["document"]
        return out

    def _new_document(self) -> str:
        # Entries are never dropped, so a number once given is never given again.
        used = [int(m.group(1)) for e in self.documents.values()
                if (m := re.fullmatch(re.escape(DOCUMENT_PREFIX) + r"(\d+)", e["document"]))]
        return f"{DOCUMENT_PREFIX}{max(used, default=0) + 1:02d}"

    # ------------------------------------------------------------------ lookups
    def originals(self, *, min_confidence: float = 0.75) -> list[tuple[str, str]]:
        """(original, label) of the entries detected with at least ``min_confidence``
        (for the leak audit: an uncertain guess such as "Law" is not a known name)."""
        return [(e["original"], e["label"]) for e in self.entries.values()
                if e.get("participant_id") or e.get("confidence", 1.0) >= min_confidence]

    def _new_code(self, label: str) -> str:
        n = self.counters.get(label, 0) + 1
        self.counters[label] = n
        return f"[{label}_{n}]"

    def pseudonym(self, original: str, label: str, *, participant_id: str | None = None,
                  confidence: float = 1.0) -> str:
        """The pseudonym of ``original``, creating (and recording) one if new."""
        norm = normalise(original, label)
        k = f"{label}\t{norm}"
        entry = self.entries.get(k)
        if entry is not None and (participant_id is None or entry.get("participant_id") == participant_id):
            if confidence > entry.get("confidence", 1.0):
                entry["confidence"] = round(float(confidence), 2)
                self.changed = True
            return self._render(entry, norm)
        if participant_id is not None:
            pseudo = f"[{participant_id}]" if self.style == "tags" else None
            entry = {"original": original, "label": label, "pseudonym": pseudo or "", "participant_id": participant_id}
        elif label == "PERSON":
            linked = self._linked_person(norm)
            if linked is not None:
                entry = {"original": original, "label": label, "pseudonym": linked["pseudonym"],
                         "participant_id": linked.get("participant_id"), "link": linked.get("link") or linked["original"]}
            else:
                code = self._new_code("PERSON")
                entry = {"original": original, "label": label, "pseudonym": code, "participant_id": None}
        else:
            entry = {"original": original, "label": label, "pseudonym": self._new_code(label), "participant_id": None}
        entry["confidence"] = round(float(confidence), 2)
        self.entries[k] = entry
        self.changed = True
        return self._render(entry, norm)

    def _linked_person(self, norm: str) -> dict | None:
        """An existing non-roster person a one-word mention refers to ("Ngozi" -> "Ngozi Eze")."""
        tokens = norm.split()
        candidates = {}
        for e in self.entries.values():
            if e["label"] != "PERSON" or e.get("participant_id"):
                continue
            other = normalise(e["original"], "PERSON").split()
            if len(tokens) == 1 and len(other) > 1 and tokens[0] in (other[0], other[-1]):
                candidates[e["pseudonym"]] = e
            elif len(tokens) > 1 and len(other) == 1 and other[0] in (tokens[0], tokens[-1]):
                candidates[e["pseudonym"]] = e
        return next(iter(candidates.values())) if len(candidates) == 1 else None

    # ------------------------------------------------------------------ surrogates
    def _render(self, entry: dict, norm: str) -> str:
        if self.style == "tags" or entry["label"] != "PERSON":
            return entry["pseudonym"]
        ident = entry.get("participant_id") or entry["pseudonym"]
        sur = self.surrogate(ident, seed_name=entry["original"])
        tokens = norm.split()
        full_forms = 1 if len(tokens) == 1 else 2
        if full_forms == 2:
            return f"{sur['first']} {sur['last']}"
        # One word: first name or surname, whichever it was.
        if entry.get("participant_id") and self.roster is not None:
            p = self.roster.person(entry["participant_id"])
            ptoks = [t.casefold() for t in p.tokens]
            if ptoks and tokens[0] != ptoks[0] and tokens[0] in ptoks[1:]:
                return sur["last"]
        return sur["first"]

    def surrogate(self, ident: str, *, seed_name: str = "") -> dict:
        """A stable invented first and last name for ``ident``, of similar origin, never a roster name."""
        if ident in self.surrogates:
            return self.surrogates[ident]
        from faker import Faker

        from .lexicon import get_lexicon

        lex = get_lexicon()
        seed = int(hashlib.sha256(f"{self.cohort}\t{ident}".encode()).hexdigest()[:12], 16)
        toks = name_tokens(seed_name)
        locales = [loc for loc in (lex.origin_locales(toks[0]) if toks else []) if loc in lex.given_by_locale
                   and loc in lex.surnames_by_locale and loc.count("_") == 1]
        locale = sorted(locales)[seed % len(locales)] if locales else "en_GB"
        banned = self.roster.all_tokens() if self.roster is not None else set()
        used = {(s["first"].casefold(), s["last"].casefold()) for s in self.surrogates.values()}
        fake = Faker(locale)
        fake.seed_instance(seed)
        for _ in range(200):
            first = fake.first_name()
            last = fake.last_name()
            if (first.casefold() not in banned and last.casefold() not in banned and (first.casefold(), last.casefold()) not in used
                    and re.fullmatch(r"[^\W\d_][\w'\- ]*", first + last)):
                break
        else:  # pragma: no cover - practically unreachable
            first, last = f"Person{len(self.surrogates) + 1}", "Surrogate"
        self.surrogates[ident] = {"first": first, "last": last, "locale": locale}
        self.changed = True
        return self.surrogates[ident]
