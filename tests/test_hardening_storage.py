"""Storage faults: a read-only or (nearly) full BRIEF_HOME gives one clear line on stderr
and leaves no partial file.

Real file systems: a small tmpfs (full) and a tmpfs remounted read-only, which needs root
and mount rights (skipped otherwise; without root a chmod'ed folder stands in for the
read-only case)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hardening_crash import finish, start, weekly_args


def _mount(*args: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    if not _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)):
        pytest.skip("needs root and the right to mount a tmpfs")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def files(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


def error_lines(err: str) -> list[str]:
    assert "Traceback" not in err, err
    return [line for line in err.splitlines() if line.startswith("error:")]


def json_files_parse(root: Path) -> None:
    for path in root.rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))  # whole files only


@pytest.mark.slow
def test_read_only_home_is_one_line_and_nothing_changes(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "fs", "256m") as fs:
        home = fs / "home"
        code, _, err = finish(start(weekly_args(demo=True), home, None))
        assert code == 0, err
        before = files(home)
        assert _mount("-o", "remount,ro", str(fs))
        code, out, err = finish(start(weekly_args(demo=True), home, None))
        assert code == 1 and out == ""
        [line] = error_lines(err)
        assert "Read-only file system" in line and str(home) in line
        assert "make BRIEF_HOME writable" in line
        assert files(home) == before


def test_read_only_home_without_root(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes through file permissions (the tmpfs test covers root)")
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o555)
    try:
        code, out, err = finish(start(weekly_args(demo=True), home, None))
    finally:
        home.chmod(0o755)
    assert code == 1 and out == ""
    [line] = error_lines(err)
    assert "Permission denied" in line and "make BRIEF_HOME writable" in line
    assert list(home.iterdir()) == []


@pytest.mark.slow
def test_nearly_full_home_is_refused_with_one_line_before_anything_is_written(
    tmp_path: Path,
) -> None:
    with tmpfs(tmp_path / "fs", "2m") as fs:
        home = fs / "home"
        code, out, err = finish(start(weekly_args(demo=True), home, None))
        assert code == 1 and out == ""
        [line] = error_lines(err)
        assert "MB free for" in line and "free some space" in line, line
        assert not home.exists()  # nothing written, nothing partial
