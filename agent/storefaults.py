"""Write failures of the data directory (read-only, full, no permission) as one StoreError.

They surface as OSError from our own files, as `sqlite3.OperationalError` ("disk I/O
error", "database or disk is full", "attempt to write a readonly database") from the
checkpointer, and wrapped in Chroma's own exceptions from the store. `storage_error` finds
such a failure anywhere in an exception's chain and says what to do about it.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from agent.errors import EXIT_USAGE, BriefError, StoreError


class DamagedStore(StoreError):
    """A database or store file brief wrote is damaged (missing, zeroed, not a database):
    nothing is written until it is restored or moved away, so exit code 2 like a setting."""

    exit_code = EXIT_USAGE


FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
DENIED = (errno.EROFS, errno.EACCES, errno.EPERM)
SQLITE_FULL = ("disk i/o error", "database or disk is full", "disk is full")
SQLITE_DENIED = ("readonly database", "read-only", "unable to open database")
SQLITE_DAMAGED = ("file is not a database", "database disk image is malformed", "malformed")
HINT_DAMAGED = "move it away (or restore a backup) and run the command again"
HINT_FULL = "free some space on that disk, or set BRIEF_HOME to another directory"
HINT_DENIED = "make BRIEF_HOME writable, or set it to another directory"
MIN_FREE_BYTES = 64 * 1024 * 1024  # a run writes a few MB per paper (store, cache, briefs)


def open_lock_file(path: Path) -> Any:
    """A lock file opened for `filelock`; a path that is a folder, a symlink loop or
    unreadable is one DamagedStore line naming it, not a traceback."""
    try:
        return open(path, "a+", encoding="utf-8")  # noqa: SIM115 - the caller closes it
    except OSError as exc:
        disk = storage_error(exc, path.parent)
        if disk is not None and not isinstance(exc, IsADirectoryError):
            raise disk from None
        raise DamagedStore(
            f"cannot use the lock file {path}: {exc.strerror or exc}",
            "remove what is at that path (brief creates the file again)",
        ) from None


def check_free_space(home: Path | str, needed: int = MIN_FREE_BYTES) -> None:
    """Refuse to start a run on a (nearly) full disk: Chroma can hang, not fail, when the
    disk fills up in the middle of one of its writes (seen in testing)."""
    folder = Path(home)
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    if free < needed:
        raise StoreError(
            f"only {free / 1e6:.1f} MB free for {home} (a run needs {needed / 1e6:.0f} MB)",
            HINT_FULL,
        )


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 20:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def storage_error(exc: BaseException, home: Path | str) -> StoreError | None:
    """The StoreError for a write failure in `exc`'s chain, else None."""
    for item in _chain(exc):
        if isinstance(item, BriefError):
            return None  # already says what is wrong (e.g. an unreadable input PDF)
        if isinstance(item, OSError) and item.errno in FULL + DENIED:
            where = item.filename or home
            hint = HINT_FULL if item.errno in FULL else HINT_DENIED
            return StoreError(f"cannot write {where}: {item.strerror or item}", hint)
        text = str(item).lower()
        if isinstance(item, sqlite3.Error) or "sqlite" in type(item).__module__.lower():
            if any(s in text for s in SQLITE_DAMAGED):
                return DamagedStore(f"a database in {home} is damaged: {item}", HINT_DAMAGED)
            if any(s in text for s in SQLITE_FULL):
                return StoreError(f"cannot write to {home}: {item}", HINT_FULL)
            if any(s in text for s in SQLITE_DENIED):
                return StoreError(f"cannot write to {home}: {item}", HINT_DENIED)
        if type(item).__module__.startswith("chromadb"):
            if any(s in text for s in SQLITE_DAMAGED):
                return DamagedStore(f"the store in {home} is damaged: {item}", HINT_DAMAGED)
            if any(s in text for s in SQLITE_FULL + ("no space left",)):
                return StoreError(f"cannot write the store in {home}: {item}", HINT_FULL)
            if any(s in text for s in SQLITE_DENIED + ("permission denied",)):
                return StoreError(f"cannot write the store in {home}: {item}", HINT_DENIED)
    return None
