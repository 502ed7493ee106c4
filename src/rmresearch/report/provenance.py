"""The reproducibility record: versions, git state, file hashes and each notebook's rerun fingerprint."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from ..config import CohortConfig
from .common import VERSIONED_PACKAGES

def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _git_commit(folder: Path) -> str | None:
    return _git(folder, "rev-parse", "HEAD") or None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def derived_hashes(config: CohortConfig) -> dict[str, str]:
    """SHA-256 of what notebooks read besides the inputs: the anonymised transcripts and the default codings file.

    Part of every notebook's rerun fingerprint, so a transcript that ``anonymise run`` rewrote (a review decision,
    a withdrawal) is never reported from an older copy.
    """
    from ..coding.cohort import cohort_codings_path

    hashes: dict[str, str] = {}
    folder = Path(config.outputs["anonymised"])
    if folder.is_dir():
        for f in sorted(q for q in folder.rglob("*") if q.is_file()):
            hashes[f"anonymised/{f.relative_to(folder)}"] = _sha256(f)
    codings = cohort_codings_path(config)
    if codings is not None and codings.is_file():
        hashes["codings"] = _sha256(codings)
    return hashes


def input_hashes(config: CohortConfig) -> dict[str, str]:
    """SHA-256 of every input file (folders: of each file in them)."""
    hashes: dict[str, str] = {}
    for name, value in config.inputs.items():
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for sub, p in items:
            p = Path(p)
            key = f"{name}.{sub}" if sub else name
            if p.is_dir():
                for f in sorted(q for q in p.rglob("*") if q.is_file()):
                    hashes[f"{key}/{f.relative_to(p)}"] = _sha256(f)
            elif p.is_file():
                hashes[key] = _sha256(p)
    return hashes


def _package_source_hash() -> str:
    """Hash of the installed rmresearch code and templates: a code change reruns the notebooks."""
    root = Path(__file__).parent.parent  # the rmresearch package
    h = hashlib.sha256()
    for f in sorted(root.rglob("*")):
        if f.is_file() and f.suffix in (".py", ".j2", ".css", ".yml", ".csv") and "__pycache__" not in f.parts:
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _fingerprint(nb_path: Path, *parts: Any) -> str:
    h = hashlib.sha256()
    h.update(nb_path.read_bytes())
    for part in parts:
        h.update(json.dumps(part, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _previous_run(out_dir: Path) -> dict[str, dict]:
    try:
        record = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
        return {n["name"]: n for n in record.get("notebooks", []) if n.get("fingerprint")}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}
