"""The project's private working folder (``.rmresearch/``): failed notebooks, refused builds, staging."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..fileio import atomic_write_text
from .common import ReportError

PRIVATE_DIR = ".rmresearch"  # beside cohorts/: the project's private working folder (git-ignored, owner only)


def private_dir(root: str | Path, *parts: str) -> Path:
    """``<root>/.rmresearch/<parts>``, created owner-only (0700), with a ``.gitignore`` that ignores it all.

    Failed notebooks and refused builds hold personal data and the machine's paths: they are kept
    here, never in ``reports/`` (which is shared).
    """
    base = Path(root) / PRIVATE_DIR
    levels = [base] + [base.joinpath(*parts[: i + 1]) for i in range(len(parts))]
    try:
        for level in levels:
            if level.is_symlink():  # a link could point into a shared folder (reports/, a synced drive)
                raise ReportError(f"{level} is a symbolic link; rmresearch keeps private files there (failed "
                                  "notebooks, refused builds, report staging), so it must be a real folder: remove the link.")
            level.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(level, 0o700)
        if not (base / ".gitignore").exists():
            atomic_write_text(base / ".gitignore", "# rmresearch's private working files: never commit or share\n*\n")
    except OSError as exc:
        raise ReportError(f"Cannot create the private folder {base} ({exc.strerror or exc}); make the project "
                          "folder writable.") from None
    return levels[-1]


def _private_or_temporary(root: Path, *parts: str) -> Path:
    """:func:`private_dir`, or a fresh owner-only temporary folder when the project folder cannot hold it."""
    import tempfile

    try:
        return private_dir(root, *parts)
    except ReportError:
        return Path(tempfile.mkdtemp(prefix=f"rmresearch-{'-'.join(parts)}-"))


def _retire_legacy_failed(out_dir: Path, failed) -> None:
    """Earlier versions kept failed notebooks in ``reports/.<c>-failed/`` (shared, 0755): move them to ``failed``."""
    legacy = out_dir.parent / f".{out_dir.name}-failed"
    if legacy.is_dir() and not legacy.is_symlink():
        target = failed()
        for f in legacy.iterdir():
            if f.is_file():
                _keep_private(f, target / f.name)
        shutil.rmtree(legacy, ignore_errors=True)


def _keep_private(source: Path, target: Path) -> Path:
    """Move (or copy, for a folder still in use) ``source`` to ``target`` with owner-only modes."""
    if target.exists():
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    if source.is_dir():
        shutil.copytree(source, target)
        os.chmod(target, 0o700)
        for f in target.rglob("*"):
            os.chmod(f, 0o700 if f.is_dir() else 0o600)
    else:
        shutil.move(str(source), str(target))
        os.chmod(target, 0o600)
    return target

def _staging_dir(root: Path, out_dir: Path) -> Path | None:
    """Where a report is built before it is swapped in: the private ``.rmresearch/staging/`` of the project
    when it is on the same file system as ``out_dir`` (the swap is a rename), else beside ``out_dir``."""
    try:
        staging = private_dir(root, "staging")
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        if os.stat(staging).st_dev == os.stat(out_dir.parent).st_dev:
            return staging
    except (OSError, ReportError):
        pass
    return None

