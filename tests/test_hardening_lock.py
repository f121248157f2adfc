"""Two `brief weekly` runs on one BRIEF_HOME at once: the second is refused with one line
naming the running one; the first finishes and nothing is corrupted."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hardening_crash import finish, run_ids, snapshot, start, temp_files, weekly_args

from agent.errors import StoreError
from agent.lock import run_lock


@pytest.mark.slow
def test_a_second_weekly_on_the_same_home_is_refused_and_the_first_finishes(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    lock = home / "runs" / "run.lock"
    gate = tmp_path / "let-the-model-answer"  # the first run waits at its first model call
    first = start(weekly_args(demo=True), home, None, gate=gate)
    deadline = time.monotonic() + 60
    while not (lock.is_file() and lock.read_text().startswith("pid")):
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the first run never took the lock"
        time.sleep(0.05)
    code, out, err = finish(start(weekly_args(demo=True), home, None))
    assert first.poll() is None, "the first run must still be running to test anything"
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert f"another brief run (pid {first.pid}, run " in lines[0]
    assert str(home) in lines[0] and "wait for it to finish" in lines[0]

    gate.touch()
    code, out, err = finish(first)
    assert code == 0, err
    assert json.loads(out)["papers"] == 3
    assert len(run_ids(home)) == 1  # the refused run left no record
    assert snapshot(home)["problems"] == []
    assert temp_files(home) == []


def test_the_lock_is_reentrant_in_a_process_and_free_after_release(tmp_path: Path) -> None:
    with run_lock(tmp_path, "a"), run_lock(tmp_path, "b"):
        assert "run a" in (tmp_path / "run.lock").read_text()
    with run_lock(tmp_path, "c"):
        pass


def test_a_held_lock_is_refused_by_another_process(tmp_path: Path) -> None:
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from agent.lock import run_lock\n"
            f"with run_lock(Path({str(tmp_path)!r}), 'other-run'):\n"
            "    print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        refused = pytest.raises(StoreError, match=r"another brief run \(pid \d+, run other-run\)")
        with refused, run_lock(tmp_path, "mine"):
            pass
    finally:
        holder.kill()
        holder.wait()
    with run_lock(tmp_path, "mine"):  # the kernel dropped the killed holder's lock
        pass
