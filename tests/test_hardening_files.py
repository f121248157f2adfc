"""brief deletes only files it created: its own temp names (agent.files), and in the folder
of `--out` only those of the brief and its sidecar. An editor's autosave, a build cache or
another program's `.x.tmp` beside the brief survives a run that cleans up after a crash."""

from __future__ import annotations

import os
from pathlib import Path

from agent.files import atomic_write, is_temp_name, remove_temp_files, temp_file, temp_files
from agent.runs import run_brief
from agent.settings import load_settings

WINDOW = "2026-11-16..2026-11-23"


def plant(folder: Path) -> tuple[list[Path], list[Path]]:
    """(foreign files that must survive, brief's own leftovers of x.md that must go)."""
    folder.mkdir(parents=True, exist_ok=True)
    foreign = [
        folder / ".notes.md.swp.tmp",  # an editor's
        folder / ".x.md.abc123.tmp",  # looks like an old brief temp name: not ours now
        folder / ".cache.tmp",
        folder
        / ".other.md.abcd1234.brief.tmp",  # brief's name, but of a file it does not write here
        folder / "x.md.abcd1234.brief.tmp",  # no leading dot
    ]
    for path in foreign:
        path.write_text("someone else's")
    (folder / ".x.md.dir45678.brief.tmp").mkdir()  # a folder with our name: not a temp file
    ours = [folder / ".x.md.q9w8e7zz.brief.tmp", folder / ".x.json.a1b2c3d4.brief.tmp"]
    for path in ours:
        path.write_text("half a brief")
    return foreign, ours


def test_a_run_with_out_deletes_only_its_own_temp_files(tmp_path: Path) -> None:
    out_dir = tmp_path / "reports"
    foreign, ours = plant(out_dir)
    settings = load_settings()
    result = run_brief(
        settings, topic="efficient-ai", window=WINDOW, demo=True, out=str(out_dir / "x.md")
    )
    assert Path(result["path"]) == out_dir / "x.md" and (out_dir / "x.md").is_file()
    assert all(p.read_text() == "someone else's" for p in foreign)
    assert (out_dir / ".x.md.dir45678.brief.tmp").is_dir()
    assert not any(p.exists() for p in ours)


def test_temp_names_are_unique_and_recognised(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    with temp_file(target) as (_, t1), temp_file(target) as (_, t2):
        assert t1 != t2 and is_temp_name(t1.name, ["a.json"]) and is_temp_name(t2.name)
        assert not is_temp_name(t1.name, ["b.json"])
    assert temp_files(tmp_path, ["b.json"]) == [] and temp_files(tmp_path) == sorted([t1, t2])
    os.utime(t1, (0, 0))
    assert remove_temp_files(tmp_path, older_than=3600) == 1 and temp_files(tmp_path) == [t2]
    try:
        with temp_file(target) as (fh, t3):
            fh.write("half")
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert not t3.exists()
    atomic_write(target, "whole")
    atomic_write(tmp_path / "b.bin", b"\x00bytes")
    assert target.read_text() == "whole" and (tmp_path / "b.bin").read_bytes() == b"\x00bytes"
    assert temp_files(tmp_path) == [t2]
