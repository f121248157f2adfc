"""Files brief writes: atomic writes through temp files of its own, and file hashes.

A temp file is named `.<target>.<8 random>.brief.tmp` (or `.brief.part` for downloads) in
the target's folder, so a rename publishes it whole. Only names of exactly this form are
ever deleted as leftovers of a killed write, and in a folder brief does not own (the folder
of `--out`) only those of the targets it writes there: an editor's `.notes.tmp` or a build
cache beside a brief is never touched.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

TEMP_SUFFIX = ".brief.tmp"
PART_SUFFIX = ".brief.part"
_RANDOM = r"[a-z0-9_]{8}"  # tempfile's random part


def _pattern(suffix: str, targets: Iterable[str] | None) -> re.Pattern[str]:
    names = ".+" if targets is None else "|".join(re.escape(t) for t in targets) or "(?!)"
    return re.compile(rf"\.(?:{names})\.{_RANDOM}{re.escape(suffix)}")


def is_temp_name(
    name: str, targets: Iterable[str] | None = None, suffix: str = TEMP_SUFFIX
) -> bool:
    """Whether `name` is one of brief's temp files (of one of `targets`, when given)."""
    return _pattern(suffix, targets).fullmatch(name) is not None


@contextlib.contextmanager
def temp_file(
    dest: Path, mode: str = "w", suffix: str = TEMP_SUFFIX
) -> Iterator[tuple[IO[Any], Path]]:
    """An open temp file beside `dest` and its path; removed when the block raises."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=suffix, dir=dest.parent)
    tmp = Path(name)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh, tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: Path | str, data: str | bytes) -> None:
    """Write `data` to `path` through a temp file in the same folder and a rename. Text is
    redacted first (agent.safety.redact: API keys, URL passwords, bearer tokens)."""
    from agent.safety import redact

    path = Path(path)
    if isinstance(data, str):
        data = redact(data)
    with temp_file(path, "wb" if isinstance(data, bytes) else "w") as (fh, tmp):
        fh.write(data)
        fh.flush()
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def temp_files(
    folder: Path | str, targets: Iterable[str] | None = None, suffix: str = TEMP_SUFFIX
) -> list[Path]:
    """brief's temp files left in `folder` (a process killed before its rename); with
    `targets`, only those of these file names. Never a folder or a symlink."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    pattern = _pattern(suffix, targets)
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                found.append(Path(entry.path))
    return sorted(found)


def remove_temp_files(
    folder: Path | str,
    targets: Iterable[str] | None = None,
    suffix: str = TEMP_SUFFIX,
    older_than: float | None = None,
) -> int:
    """Delete what `temp_files` finds (only while no other process writes them: under the
    run lock, or `older_than` seconds old). Returns how many were removed."""
    cutoff = time.time() - older_than if older_than is not None else None
    removed = 0
    for tmp in temp_files(folder, targets, suffix):
        with contextlib.suppress(OSError):
            if cutoff is not None and tmp.stat().st_mtime >= cutoff:
                continue
            tmp.unlink()
            removed += 1
    return removed


def file_sha256(path: Path | str) -> str:
    """The sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256_or_empty(path: Path | str) -> str:
    """The file's hash, or "" when it cannot be read (the reader then reports why)."""
    try:
        return file_sha256(path)
    except OSError:
        return ""
