"""All-or-nothing replacement of a run's outputs: a folder and some files, swapped in together.

``anonymise run`` writes three things that must agree: the anonymised folder,
the pseudonym key and the review file. :func:`commit` first writes the new
versions beside their targets (``.<name>.staging``), then a small journal
(mode 0600) that lists the renames, then performs them and removes the
journal. :func:`recover` runs first on the next start: a journal left by a
killed run is rolled forward (its staged files are complete, so the renames
are simply finished); staging without a journal (the run was killed before
it committed) is discarded, leaving the previous state as it was. A run
killed at any point therefore leaves either the old state or the new one.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> commit(root / "journal.json", root / "out", {"a.txt": "new\\n"}, {root / "key.json": "{}"})
>>> sorted(p.name for p in root.iterdir()), (root / "out" / "a.txt").read_text()
(['key.json', 'out'], 'new\\n')
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Mapping

from ..errors import InputError
from ..fileio import atomic_write_text

__all__ = ["commit", "recover", "staging_path"]

FILE_MODE = 0o600


def staging_path(target: Path) -> Path:
    """Where the new version of ``target`` is written before the swap."""
    return target.with_name(f".{target.name}.staging")


def _old_path(folder: Path) -> Path:
    return folder.with_name(f".{folder.name}.old")


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write(path: Path, content: str | bytes, mode: int = FILE_MODE) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), mode)
    try:
        if hasattr(os, "fchmod"):  # not on Windows
            os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _apply(journal: Path, plan: dict) -> None:
    """Finish the renames a journal lists (each step is safe to repeat)."""
    folder, staged, old = Path(plan["folder"]), Path(plan["staging"]), Path(plan["old"])
    if staged.exists():
        if folder.exists():
            if old.exists():
                _remove(old)
            os.replace(folder, old)
        os.replace(staged, folder)
        _fsync_dir(folder.parent)
    for src, dst in plan["files"]:
        src, dst = Path(src), Path(dst)
        if src.exists():
            os.replace(src, dst)
            _fsync_dir(dst.parent)
    if old.exists():
        _remove(old)
    journal.unlink()
    _fsync_dir(journal.parent)


def _plan_matches(plan, folder: Path, files: list[Path]) -> bool:
    """A journal is followed only when it lists exactly the renames this run would make."""
    def same(a, b) -> bool:
        return Path(a).resolve() == Path(b).resolve()

    try:
        return (same(plan["folder"], folder) and same(plan["staging"], staging_path(folder))
                and same(plan["old"], _old_path(folder))
                and all(same(s, staging_path(Path(t))) and any(same(t, f) for f in files) for s, t in plan["files"]))
    except (KeyError, TypeError, ValueError):
        return False


def recover(journal: Path, folder: Path, files: list[Path]) -> str:
    """Put a killed run's leftovers in order; return ``"rolled forward"``, ``"discarded"`` or ``""``.

    Raises :class:`~rmresearch.errors.InputError` for a journal that does not
    list this run's renames (hand-edited, or the project was moved mid-swap).
    """
    journal, folder, files = Path(journal), Path(folder), [Path(f) for f in files]
    for tmp in journal.parent.glob(f".{journal.name}.*.tmp"):
        _remove(tmp)  # a journal that was never completed: the run had not committed
    if journal.exists():
        try:
            plan = json.loads(journal.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            plan = None
        if plan is not None:
            if not _plan_matches(plan, folder, files):
                raise InputError(
                    f"{journal}: an interrupted run left this journal, but it lists other files than "
                    f"{folder} and {', '.join(map(str, files))} (was the project moved?). Check the files it "
                    "names; then delete the journal and run again."
                )
            _apply(journal, plan)
            return "rolled forward"
        journal.unlink()
    leftovers = [p for p in [staging_path(folder), *map(staging_path, files)] if p.exists() or p.is_symlink()]
    old = _old_path(folder)
    if old.exists():
        if folder.exists():
            leftovers.append(old)
        else:  # never left so by commit(); restore rather than lose it
            os.replace(old, folder)
    for p in leftovers:
        _remove(p)
    return "discarded" if leftovers else ""


def commit(journal: Path, folder: Path, folder_files: Mapping[str, str | bytes], files: Mapping[Path, str | bytes],
           *, keep: Mapping[str, Path] | None = None) -> None:
    """Replace ``folder`` by one holding exactly ``folder_files`` (plus ``keep``: name -> file to copy),
    and each of ``files`` (path -> content, written 0600), all together.

    Call :func:`recover` before building the contents. Raises ``OSError`` when
    something cannot be written; the previous state is then left as it was.
    """
    journal, folder = Path(journal), Path(folder)
    staged = staging_path(folder)
    _remove(staged)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staged.mkdir()
    try:
        for name, content in sorted(folder_files.items()):
            _write(staged / name, content)
        for name, src in sorted((keep or {}).items()):
            shutil.copy2(src, staged / name)
        _fsync_dir(staged)
        pairs = []
        for target, content in files.items():
            target = Path(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            _write(staging_path(target), content)
            pairs.append([str(staging_path(target)), str(target)])
    except BaseException:
        _remove(staged)
        for target in files:
            _remove(staging_path(Path(target)))
        raise
    plan = {"folder": str(folder), "staging": str(staged), "old": str(_old_path(folder)), "files": pairs}
    # The commit point: once the journal exists, the next start finishes the renames.
    atomic_write_text(journal, json.dumps(plan, indent=1), file_mode=FILE_MODE)
    _fsync_dir(journal.parent)
    _apply(journal, plan)
