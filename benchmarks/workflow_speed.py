"""Workflow speed: what the graph adds to reading PDFs, and how well it overlaps model calls.

A. Zero-latency fake model over the corpus PDFs: time beyond reading = workflow wall time
   minus the time to read the same PDFs into a fresh store (parse + store, as the graph's
   read step and `brief ingest` do; baseline measured in this run). Parsing alone is shown
   too.
B. A local OpenAI-compatible server that adds 1 s to every call, papers already read
   (pages in the store), settings.model_concurrency = 8: wall time against the ideal
   calls × 1 s / 8. Also model calls and input tokens per paper.

    .venv/bin/python benchmarks/workflow_speed.py [--pdfs DIR] [--delay 1.0] [--concurrency 8]
        [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # the scripted stand-in for a model's judgement

from langchain_core.messages import HumanMessage  # noqa: E402
from test_graph_fakes import FakeJudge, fake_model  # noqa: E402

WINDOW = "2026-11-16..2026-11-23"


def fresh_home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="brief-bench-"))
    os.environ["BRIEF_HOME"] = str(home)
    os.environ.setdefault("BRIEF_EMBEDDINGS", "hash")
    return home


def read_baseline(pdfs: list[Path]) -> float:
    from agent.settings import load_settings
    from agent.sources.pdf import read_pdf

    settings = load_settings()
    start = time.perf_counter()
    for pdf in pdfs:
        try:
            read_pdf(pdf, engine=settings.pdf_engine)
        except Exception as exc:  # the workflow lists such papers as failed too
            print(f"  read failed: {pdf.name}: {exc}", file=sys.stderr)
    return time.perf_counter() - start


def ingest_baseline(pdfs: list[Path], folder: bool = False) -> float:
    """Parse and store the PDFs into a fresh store, timed from opening it.

    Paper by paper in this process (what the graph's read step does for each paper), or,
    with `folder`, as `brief ingest` of the folder does it: settings.workers reader
    processes that also embed the chunks, then stores in batches."""
    from agent.settings import load_settings
    from agent.sources.pdf import read_pdf
    from store.chroma import open_store
    from store.ingest import store_parsed

    settings = load_settings()
    start = time.perf_counter()
    store = open_store(settings)
    try:
        if folder:
            from agent.cli.ingest import _storer
            from agent.sources.ingest import ingest_paths

            ingest_paths(pdfs, settings, store_many=_storer(store), embed_spec=store.spec)
            return time.perf_counter() - start
        for pdf in pdfs:
            try:
                parsed = read_pdf(pdf, engine=settings.pdf_engine)
            except Exception:  # reported by read_baseline
                continue
            store_parsed(store, parsed)
    finally:
        store.close()
    return time.perf_counter() - start


def run(pdfs: list[Path], **kwargs: Any) -> tuple[float, dict[str, Any]]:
    from agent.runs import run_brief
    from agent.settings import load_settings

    settings = load_settings(**kwargs.pop("settings", {}))
    start = time.perf_counter()
    result = run_brief(
        settings, topic="efficient-ai", window=WINDOW, local_pdfs=[str(p) for p in pdfs], **kwargs
    )
    return time.perf_counter() - start, result


class SlowServer:
    """OpenAI-compatible /v1/chat/completions on 127.0.0.1: sleeps `delay`, then answers
    with the fake judge (as a forced tool call when tools are given)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.judge = FakeJudge()
        self.calls = 0
        self.arrivals: list[float] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with owner.lock:
                    owner.calls += 1
                    owner.arrivals.append(time.time())
                time.sleep(owner.delay)
                text = "\n".join(str(m.get("content") or "") for m in body["messages"])
                answer = owner.judge([HumanMessage(text)])
                message: dict[str, Any] = {"role": "assistant", "content": answer}
                if body.get("tools"):
                    name = body["tools"][0]["function"]["name"]
                    message = {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": name, "arguments": answer},
                            }
                        ],
                    }
                reply = {
                    "id": "x",
                    "object": "chat.completion",
                    "created": 0,
                    "model": "fake",
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    "usage": {
                        "prompt_tokens": len(text) // 4,
                        "completion_tokens": len(answer) // 4,
                        "total_tokens": (len(text) + len(answer)) // 4,
                    },
                }
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> SlowServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"


def serve(delay: float) -> None:
    """Run the slow server in this process until stdin closes (see SlowProcess)."""
    with SlowServer(delay) as server:
        print(server.url, flush=True)
        sys.stdin.read()
        print(server.calls, flush=True)
        print(json.dumps(server.arrivals), flush=True)


class SlowProcess:
    """The slow server in a child process, so its work does not compete for our GIL."""

    def __init__(self, delay: float) -> None:
        import subprocess

        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", "--delay", str(delay)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        self.calls = 0
        self.arrivals: list[float] = []

    def __enter__(self) -> SlowProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        out, _ = self.proc.communicate("", timeout=30)
        calls, arrivals = (out.strip().splitlines() + ["0", "[]"])[:2]
        self.calls = int(calls)
        self.arrivals = json.loads(arrivals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pdfs", type=Path, default=REPO.parent / "shared" / "corpus" / "pdf")
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3, help="runs of part A (best is kept)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.delay)
        return
    pdfs = sorted(args.pdfs.glob("*.pdf"))
    print(f"{len(pdfs)} PDFs from {args.pdfs}", file=sys.stderr)

    # A. zero-latency fake model
    # (interleaved and repeated: the machine is shared, so each figure is the best of N)
    parses, baselines, folders, walls = [], [], [], []
    for _ in range(args.repeat):
        fresh_home()
        parses.append(read_baseline(pdfs))
        fresh_home()
        baselines.append(ingest_baseline(pdfs))
        fresh_home()
        folders.append(ingest_baseline(pdfs, folder=True))
        fresh_home()
        wall, result_a = run(pdfs, chat_model=fake_model(FakeJudge(), calls=1000))
        walls.append(wall)
    parse, baseline, folder, wall_a = min(parses), min(baselines), min(folders), min(walls)
    beyond = wall_a - baseline

    # B. 1 s per call, concurrency N, papers already read
    fresh_home()
    run(pdfs)  # extractive pass: reads and stores the pages (its claims are not reused)
    import langchain_openai  # noqa: F401  (import time is process start-up, not the run)

    with SlowProcess(args.delay) as server:
        started = time.time()
        wall_b, result_b = run(
            pdfs,
            settings={
                "model": "openai:fake-slow",
                "base_url": server.url,
                "openai_api_key": "x",
                "model_concurrency": args.concurrency,
                "model_retries": 0,
            },
        )
    calls = server.calls
    first_call = min(server.arrivals) - started if server.arrivals else 0.0
    briefed = max(1, result_b["papers"] + len(result_b["failures"]))
    ideal = calls * args.delay / args.concurrency

    rows = [
        ("A: parse the PDFs alone", f"{parse:.2f} s", "read_pdf, no store"),
        (
            "A: read = parse + store (baseline)",
            f"{baseline:.2f} s",
            "paper by paper, as the graph's read step does",
        ),
        (
            "A: brief ingest of the folder",
            f"{folder:.2f} s",
            "reader processes (which embed the chunks), then batched stores",
        ),
        (
            "A: workflow, zero-latency fake model",
            f"{wall_a:.2f} s",
            f"{result_a['llm_calls']} calls, {result_a['papers']} papers briefed",
        ),
        (
            "A: time beyond reading / reading",
            f"{beyond:.2f} s",
            f"ratio {beyond / baseline:.3f} (target ≤ 0.10); "
            f"workflow / folder ingest {wall_a / folder:.2f}; "
            f"workflow / parse alone {wall_a / parse:.2f}",
        ),
        (
            f"B: workflow, +{args.delay:g} s per call, concurrency {args.concurrency}",
            f"{wall_b:.2f} s",
            f"{calls} calls; ideal {ideal:.2f} s; "
            f"ratio {wall_b / ideal if ideal else float('nan'):.2f} (target ≤ 1.3)",
        ),
        ("B: first model call after", f"{first_call:.2f} s", "store, model client, reading"),
        ("B: model calls per paper", f"{calls / briefed:.2f}", "target ≤ 3"),
        ("B: input tokens per paper", f"{result_b['tokens_in'] / briefed:.0f}", "target ≤ 8000"),
    ]
    print("| measure | value | note |\n| --- | --- | --- |")
    for name, value, note in rows:
        print(f"| {name} | {value} | {note} |")
    print(
        f"\npapers: {len(pdfs)}; briefed A {result_a['papers']}, B {result_b['papers']}; "
        f"failed B {len(result_b['failures'])}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
