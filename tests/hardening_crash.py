"""SIGKILL crash trials of `brief weekly` (no tests in this file).

Each trial starts the real CLI (`brief weekly`, in a child process with its own session,
so its reader workers die with it) on a fresh BRIEF_HOME, kills the whole process group
with SIGKILL after a random delay, checks the store, resumes with `brief runs resume`
(or starts again when the kill came before the run was recorded), and compares the result
with an uninterrupted run: the same brief (the generation time aside), the same papers,
chunks, pages and claims, nothing half-written, no temp file anywhere under BRIEF_HOME.

The model is a scripted stand-in (tests/test_graph_fakes.FakeJudge): the child replaces
`agent.llm.models.make_chat_model` before running the CLI, so `--model openai:scripted`
gets it. Papers come from the bundled demo feed (`--demo`) or, for the corpus, from the
fixture arXiv server (tests/arxiv_server.py) on 127.0.0.1 serving ../shared/corpus.
Used by tests/test_hardening_crash.py (a few trials) and benchmarks/crash_trials.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
PYTHON = sys.executable
MODEL = "openai:scripted"
TEMP_NAME = re.compile(r"^\..+\.tmp$|\.part$|^generation\.\d+\.tmp$")


# --- the child: the real CLI with a scripted model ------------------------------------
def child(argv: list[str]) -> None:
    sys.path.insert(0, str(TESTS))
    from test_graph_fakes import FakeJudge, fake_model

    import agent.llm.models as models

    judge = FakeJudge()
    gate = os.environ.get("FAKE_MODEL_GATE")  # a file: every model call waits for it
    if gate:
        inner = judge

        def judge(messages):  # type: ignore[no-untyped-def]
            deadline = time.monotonic() + 120
            while not os.path.exists(gate) and time.monotonic() < deadline:
                time.sleep(0.05)
            return inner(messages)

    models.make_chat_model = lambda spec, settings, **kw: fake_model(judge, 100_000)
    from agent.cli.app import main

    sys.argv = ["brief", *argv]
    main()


# --- the parent -------------------------------------------------------------------------
def child_env(home: Path, api_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEF_")}
    env.pop("OPENAI_API_KEY", None)
    env.pop("PYTEST_CURRENT_TEST", None)  # one-line errors, as a user sees them
    env |= {
        "BRIEF_HOME": str(home),
        "BRIEF_EMBEDDINGS": "hash",
        "BRIEF_ARXIV_DELAY": "0",
        "BRIEF_DOWNLOAD_DELAY": "0",
        "BRIEF_DOWNLOAD_RETRIES": "0",
        "BRIEF_MODEL_CONCURRENCY": "2",
        "BRIEF_BASE_URL": "http://127.0.0.1:9/v1",  # never called: the model is scripted
        "PYTHONPATH": str(REPO),
    }
    if api_url:
        env["BRIEF_ARXIV_API_URL"] = api_url
    return env


def start(
    args: list[str], home: Path, api_url: str | None, gate: Path | None = None
) -> subprocess.Popen[bytes]:
    """The child CLI; with `gate`, its model calls wait until that file exists."""
    home.parent.mkdir(parents=True, exist_ok=True)
    env = child_env(home, api_url) | ({"FAKE_MODEL_GATE": str(gate)} if gate else {})
    return subprocess.Popen(
        [PYTHON, str(Path(__file__).resolve()), "child", *args],
        env=env,
        cwd=str(home.parent),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def weekly_args(demo: bool) -> list[str]:
    base = ["weekly", "--model", MODEL, "--json", "--topic", "efficient-ai"]
    return base + (["--demo"] if demo else ["--since", "7d"])


def finish(proc: subprocess.Popen[bytes], timeout: float = 600) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out.decode(), err.decode()


def kill_group(proc: subprocess.Popen[bytes]) -> str:
    """SIGKILL the child and its workers; returns what it printed on stderr."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    _, err = proc.communicate()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # reader workers of the group
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    return err.decode(errors="replace")


def stage(stderr: str) -> str:
    """The last progress line's label (fetched, read, checked, written, published)."""
    labels = re.findall(r"^(fetched|read|checked|written|failed|published)\b", stderr, re.M)
    return labels[-1] if labels else "start-up"


def run_ids(home: Path) -> list[str]:
    folder = home / "runs" / "runs"
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def brief_text(path: str) -> str:
    """The brief without its generation time."""
    text = Path(path).read_text(encoding="utf-8")
    return re.sub(r"^(生成时间|Generated):.*$", r"\1: -", text, flags=re.M)


def sidecar_text(path: str) -> str:
    side = Path(path).with_name(Path(path).name.removesuffix(".md") + ".json")
    return side.read_text(encoding="utf-8")


def temp_files(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if TEMP_NAME.search(p.name))


def snapshot(home: Path) -> dict[str, Any]:
    """Papers, pages, chunks, claims and briefs in the store, and what is inconsistent."""
    from agent.settings import load_settings
    from store.backend import get_all
    from store.chroma import open_store

    store = open_store(load_settings(home=str(home), embeddings="hash"))
    try:
        got = {
            name: get_all(store.col(name), include=["metadatas"])
            for name in ("papers", "pages", "chunks", "claims", "briefs")
        }
        problems: list[str] = []
        papers = {}
        for pid, meta in zip(got["papers"]["ids"], got["papers"]["metadatas"], strict=True):
            papers[pid] = meta
            if not meta.get("complete"):
                problems.append(f"paper {pid} not complete")
        by_paper: dict[str, dict[str, list[str]]] = {}
        for name in ("pages", "chunks", "claims"):
            ids = got[name]["ids"]
            if len(ids) != len(set(ids)):
                problems.append(f"duplicate ids in {name}")
            for rid, meta in zip(ids, got[name]["metadatas"], strict=True):
                key = meta.get("paper_key", "")
                by_paper.setdefault(key, {}).setdefault(name, []).append(rid)
                if key not in papers:
                    problems.append(f"{name[:-1]} {rid} of no stored paper")
        for pid, meta in papers.items():
            have = by_paper.get(pid, {})
            pages = have.get("pages", [])
            if pages == [f"{pid}#pages"]:  # all pages of a paper in one record
                have = {**have, "pages": ["x"] * int(meta.get("page_count", -1))}
            for name, count in (("pages", "page_count"), ("chunks", "chunk_count")):
                if len(have.get(name, [])) != int(meta.get(count, -1)):
                    problems.append(
                        f"paper {pid}: {len(have.get(name, []))} {name}, record says "
                        f"{meta.get(count)}"
                    )
        claims = {
            cid: m.get("status")
            for cid, m in zip(got["claims"]["ids"], got["claims"]["metadatas"], strict=True)
        }
        statements = [
            (m.get("paper_key"), m.get("kind"), json.loads(m.get("json") or "{}").get("statement"))
            for m in got["claims"]["metadatas"]
        ]
        if len(statements) != len(set(statements)):
            problems.append("the same claim stored twice under different ids")
        return {
            "papers": sorted((k, m.get("sha256")) for k, m in papers.items()),
            "pages": sorted(got["pages"]["ids"]),
            "chunks": sorted(got["chunks"]["ids"]),
            "claims": sorted(claims.items()),
            "briefs": len(got["briefs"]["ids"]),
            "problems": problems,
        }
    finally:
        store.close()


@dataclass
class Trial:
    number: int
    delay: float
    killed: bool = False  # False: the run had finished before the kill
    stage: str = ""  # the last progress line before the kill
    resumed: str = ""  # "resume", "restart" (no run recorded yet) or "" (nothing to do)
    problems_after_kill: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Reference:
    brief: str
    sidecar: dict[str, Any]
    store: dict[str, Any]
    seconds: float


def run_to_end(home: Path, demo: bool, api_url: str | None) -> dict[str, Any]:
    code, out, err = finish(start(weekly_args(demo), home, api_url))
    if code != 0:
        raise RuntimeError(f"brief weekly failed ({code}): {err[-2000:]}")
    return json.loads(out)


def reference(home: Path, demo: bool, api_url: str | None) -> Reference:
    began = time.monotonic()
    result = run_to_end(home, demo, api_url)
    took = time.monotonic() - began
    return Reference(
        brief_text(result["path"]),
        normal_sidecar(sidecar_text(result["path"])),
        snapshot(home),
        took,
    )


# how much work a run did (a resumed run reuses what the killed one stored): not content
WORK_COUNTERS = (
    "pdf_parsed",
    "papers_read",
    "papers_reused",
    "claims_reused",
    "drafts_reused",
    "llm_calls",
)


def normal_sidecar(text: str) -> dict[str, Any]:
    side = json.loads(text)
    side.pop("generated", None)
    for name in WORK_COUNTERS:
        side.get("stats", {}).pop(name, None)
    return side


def trial(
    number: int, root: Path, ref: Reference, delay: float, demo: bool, api_url: str | None
) -> Trial:
    home = root / f"trial-{number:03d}" / "home"
    t = Trial(number, round(delay, 2))
    began = time.monotonic()
    proc = start(weekly_args(demo), home, api_url)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        t.killed = True
    t.stage = stage(kill_group(proc))
    if (home / "store").is_dir():
        t.problems_after_kill = [
            p for p in snapshot(home)["problems"] if "of no stored paper" not in p
        ]  # pages/chunks written before their paper record: invisible, repaired on resume
    ids = run_ids(home)
    if len(ids) > 1:
        t.problems.append(f"{len(ids)} run records after one run")
    if ids:
        t.resumed = "resume"
        proc = start(["runs", "resume", ids[0], "--json"], home, api_url)
    else:
        t.resumed = "restart"
        proc = start(weekly_args(demo), home, api_url)
    code, out, err = finish(proc)
    if code != 0:
        t.problems.append(f"resume failed ({code}): {err.strip()[-500:]}")
        return t
    result = json.loads(out)
    if brief_text(result["path"]) != ref.brief:
        t.problems.append("the resumed brief differs from the uninterrupted one")
    if normal_sidecar(sidecar_text(result["path"])) != ref.sidecar:
        t.problems.append("the resumed sidecar differs from the uninterrupted one")
    snap = snapshot(home)
    t.problems += snap["problems"]
    for name in ("papers", "pages", "chunks", "claims", "briefs"):
        if snap[name] != ref.store[name]:
            t.problems.append(f"store {name} differ: {len(snap[name])} vs {len(ref.store[name])}")
    leftovers = temp_files(home)
    if leftovers:
        t.problems.append(f"temp files left: {leftovers}")
    t.seconds = round(time.monotonic() - began, 1)
    return t


def trials(
    count: int, root: Path, *, demo: bool, api_url: str | None = None, seed: int = 0
) -> tuple[Reference, list[Trial]]:
    """`count` SIGKILL trials; kill delays uniform over the uninterrupted run's duration."""
    rnd = random.Random(seed)
    ref = reference(root / "reference" / "home", demo, api_url)
    done = []
    for n in range(count):
        delay = rnd.uniform(0.3, ref.seconds)
        done.append(trial(n, root, ref, delay, demo, api_url))
    return ref, done


def serve_corpus(server: Any, shared: Path) -> int:
    """The corpus's arXiv papers on the fixture server, submitted this week."""
    sys.path.insert(0, str(TESTS))
    from datetime import timedelta

    from feeds import corpus_entries

    from agent.sources.window import today

    entries = corpus_entries(shared)
    for entry, pdf in entries:
        entry.published = today() - timedelta(days=2)
        server.add_paper(entry, pdf)
    return len(entries)


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "child":
    child(sys.argv[2:])
