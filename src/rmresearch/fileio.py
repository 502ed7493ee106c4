"""Atomic file output: a reader never sees a half-written file.

Every output is written to a temporary file in the destination folder and
moved into place with :func:`os.replace` (atomic on POSIX and Windows), so an
interrupted run leaves either the old file or the new one, never a fragment.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

__all__ = ["atomic_write", "atomic_write_text", "atomic_write_bytes", "atomic_directory", "write_csv"]


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


@contextlib.contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Build a whole folder in a temporary sibling, then swap it into place.

    On failure the previous folder (if any) is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
        old = None
        if path.exists():
            old = path.with_name(f".{path.name}.old-{os.getpid()}")
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
