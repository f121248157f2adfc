"""Child processes die with their run: `brief weekly` with 3 reader processes is stopped
while it waits for its model, by SIGTERM (it unwinds, stops its readers, records the run as
failed) or by SIGKILL of the main process only (the readers notice and exit). Either way no
process of the run is left, and `brief runs list` never shows the run as still running."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hardening_crash import PYTHON, child_env, weekly_args
from typer.testing import CliRunner

from agent.cli.app import app

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads process groups from /proc"
)
CRASH = Path(__file__).with_name("hardening_crash.py")


def processes(pgid: int) -> dict[int, int]:
    """Live processes of process group `pgid` (zombies left out): pid -> parent pid."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found[int(stat.parent.name)] = int(fields[1])
    return found


def group(pgid: int) -> list[int]:
    return sorted(processes(pgid))


def readers(pgid: int) -> list[int]:
    """The reader processes: children of the forkserver (the run's pid is the group's)."""
    found = processes(pgid)
    return sorted(pid for pid, parent in found.items() if parent in found and parent != pgid)


def start_waiting_run(home: Path, gate: Path) -> subprocess.Popen[bytes]:
    """A weekly run on the demo papers with 3 reader processes, waiting at its first model
    call (until `gate` exists); returns once its readers are up."""
    env = child_env(home, None) | {"BRIEF_WORKERS": "3", "FAKE_MODEL_GATE": str(gate)}
    home.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [PYTHON, str(CRASH), "child", *weekly_args(demo=True)],
        env=env,
        cwd=str(home.parent),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while len(readers(proc.pid)) < 3:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the readers never started"
        time.sleep(0.1)
    return proc


def wait_gone(pgid: int, seconds: float = 15) -> list[int]:
    deadline = time.monotonic() + seconds
    while group(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = group(pgid)
    for pid in left:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    return left


def runs_list(home: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    monkeypatch.setenv("BRIEF_HOME", str(home))
    return list(json.loads(CliRunner().invoke(app, ["runs", "list", "--json"]).stdout))


@pytest.mark.slow
def test_sigterm_stops_the_readers_and_records_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    gate = tmp_path / "gate"
    proc = start_waiting_run(home, gate)
    proc.send_signal(signal.SIGTERM)  # the main process only, as a service manager would
    deadline = time.monotonic() + 15
    while readers(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert readers(proc.pid) == [], "the readers are killed at once"
    gate.touch()  # the model call in progress ends; the run unwinds
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err.decode() and "Traceback" not in err.decode()
    assert wait_gone(proc.pid) == []
    [run] = runs_list(home, monkeypatch)
    assert run["status"] == "failed" and "SIGTERM" in run["error"]


@pytest.mark.slow
def test_sigkill_of_the_main_process_leaves_no_reader_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    proc = start_waiting_run(home, tmp_path / "gate")
    proc.kill()
    proc.communicate(timeout=60)
    assert wait_gone(proc.pid) == []
    [run] = runs_list(home, monkeypatch)
    assert run["status"] == "killed" and "killed" in run["error"]
    listed = CliRunner().invoke(app, ["runs", "list"])
    assert "killed" in listed.stdout and "running" not in listed.stdout
