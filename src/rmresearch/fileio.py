"""Atomic file output: a reader never sees a half-written file.

Every output is written to a temporary file in the destination folder and
moved into place with :func:`os.replace` (atomic on POSIX and Windows), so an
interrupted run leaves either the old file or the new one, never a fragment.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

__all__ = ["atomic_write", "atomic_write_text", "atomic_write_bytes", "atomic_directory", "remove_stale_staging",
           "write_csv"]


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", *, encoding: str | None = "utf-8", file_mode: int | None = None) -> Iterator:
    """Open a temporary file beside ``path``; on success move it into place.

    ``file_mode`` (e.g. ``0o600``) is applied before any content is written,
    so a secret is never readable by others, even briefly.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    binary = "b" in mode
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if file_mode is not None:
            os.chmod(tmp, file_mode)
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else "") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | Path, text: str, *, file_mode: int | None = None) -> Path:
    with atomic_write(path, "w", file_mode=file_mode) as fh:
        fh.write(text)
    return Path(path)


def atomic_write_bytes(path: str | Path, data: bytes, *, file_mode: int | None = None) -> Path:
    with atomic_write(path, "wb", file_mode=file_mode) as fh:
        fh.write(data)
    return Path(path)


def write_csv(frame, path: str | Path, **kwargs) -> Path:
    """Write a DataFrame as UTF-8 CSV atomically (no index unless asked)."""
    kwargs.setdefault("index", False)
    with atomic_write(path, "w") as fh:
        frame.to_csv(fh, **kwargs)
    return Path(path)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def remove_stale_staging(folder: str | Path, name: str) -> list[Path]:
    """Remove what a killed :func:`atomic_directory` for ``name`` left in ``folder``; returns what was removed.

    Staging folders are named ``.<name>.<pid>.<random>.tmp`` and a replaced folder ``.<name>.old-<pid>``:
    those of processes no longer running are removed (a run still going is left alone), and so are
    ``.<name>.<random>.tmp`` folders from versions that did not record the process.
    """
    folder = Path(folder)
    pattern = re.compile(rf"^\.{re.escape(name)}\.(?:(?:(\d+)\.)?[^.]+\.tmp|old-(\d+))$")
    removed = []
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        m = pattern.match(entry.name)
        if not m or not entry.is_dir() or entry.is_symlink():
            continue
        pid = m.group(1) or m.group(2)
        if pid is not None and (int(pid) == os.getpid() or _pid_alive(int(pid))):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _restore_replaced(folder: Path, path: Path) -> None:
    """A run killed between moving the old folder aside and moving the new one in left no ``path``:
    the old folder (``.<name>.old-<pid>`` of a process no longer running) goes back."""
    if path.exists() or path.is_symlink() or not folder.is_dir():
        return
    for entry in sorted(folder.glob(f".{path.name}.old-*")):
        pid = entry.name.rsplit("-", 1)[-1]
        if entry.is_dir() and not entry.is_symlink() and pid.isdigit() and not _pid_alive(int(pid)):
            os.replace(entry, path)
            return


@contextlib.contextmanager
def atomic_directory(path: str | Path, *, staging: str | Path | None = None) -> Iterator[Path]:
    """Build a whole folder in a temporary sibling, then swap it into place.

    On failure the previous folder (if any) is left as it was. ``staging`` (a private folder on the same
    file system) holds the folder while it is built instead of the target's parent; whatever a killed
    run left there or beside the target is removed first (:func:`remove_stale_staging`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    where = Path(staging) if staging is not None else path.parent
    for folder in {where, path.parent}:
        _restore_replaced(folder, path)
        remove_stale_staging(folder, path.name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=where))
    try:
        yield tmp
        old = None
        if path.exists():
            old = where / f".{path.name}.old-{os.getpid()}"
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
