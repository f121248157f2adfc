"""One brief run per data directory at a time: an exclusive lock on `runs_dir/run.lock`.

Two runs over one BRIEF_HOME would race on the same checkpoints, caches and brief files, so
the second one is refused at once with a message naming the holder (its pid and run id).
The lock is an OS file lock (flock, LockFileEx on Windows, through `filelock`): the kernel
drops it when its process dies, even by SIGKILL, so a crashed run never leaves a stale lock
behind. Within one process the lock is re-entrant
(a chat tool may start a brief while the chat holds it).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from filelock import lock_descriptor, unlock_descriptor

from agent.errors import StoreError
from agent.storefaults import open_lock_file

LOCK_NAME = "run.lock"
_held: dict[str, tuple[Any, int]] = {}  # lock path -> (open file, depth) in this process
_guard = threading.Lock()


def _holder(handle: Any) -> str:
    handle.seek(0)
    text = handle.read().strip()
    return f" ({text})" if text else ""


@contextlib.contextmanager
def run_lock(runs_dir: Path, run_id: str) -> Iterator[None]:
    """Hold the run lock of `runs_dir` for the block; StoreError when another process has it."""
    path = Path(runs_dir) / LOCK_NAME
    key = str(path)
    with _guard:
        if key in _held:
            handle, depth = _held[key]
            _held[key] = (handle, depth + 1)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = open_lock_file(path)
            if not lock_descriptor(handle.fileno(), blocking=False):
                holder = _holder(handle)
                handle.close()
                raise StoreError(
                    f"another brief run{holder} is using {path.parent.parent}",
                    "wait for it to finish (`brief runs list`), or set BRIEF_HOME to another "
                    "directory",
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}, run {run_id}")
            handle.flush()
            _held[key] = (handle, 1)
    try:
        yield
    finally:
        with _guard:
            handle, depth = _held[key]
            if depth > 1:
                _held[key] = (handle, depth - 1)
            else:
                del _held[key]
                with contextlib.suppress(OSError):
                    handle.truncate(0)
                unlock_descriptor(handle.fileno())
                handle.close()


def lock_is_free(runs_dir: Path) -> bool:
    """Whether no process (this one included) holds the run lock of `runs_dir` now."""
    path = Path(runs_dir) / LOCK_NAME
    with _guard:
        if str(path) in _held:
            return False
        if not path.is_file():
            return True
        try:
            handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115
        except OSError:
            return False
        try:
            if not lock_descriptor(handle.fileno(), blocking=False):
                return False
            unlock_descriptor(handle.fileno())
            return True
        finally:
            handle.close()
