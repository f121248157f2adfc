"""`brief ask --model none` start-up: wall time against `brief --version` + the store's own
open time, measured in the same run; and which model client libraries it imports.

Each row is the median of `--runs` fresh processes on the same store:
- `brief --version`: Python, the CLI and its command modules, nothing else;
- store open: a process that imports the store and opens it (`open_store`), timed inside
  the process around the import and the open (what any command that reads the store pays);
- `brief ask --model none` (an English and a Chinese question) and `brief store search`.
The target is ask <= 2 x (version + store open). `-X importtime` of one ask lists the model
client libraries (openai, langchain_openai, llama_cpp) it loaded: there should be none.

    BRIEF_HOME=DIR .venv/bin/python benchmarks/ask_start.py [--runs 5]

BRIEF_HOME must hold a store (e.g. `brief ingest ../shared/corpus/pdf`).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

PY = sys.executable
MODEL_CLIENTS = ("openai", "langchain_openai", "llama_cpp")
OPEN_STORE = (
    "import time; t = time.perf_counter();"
    "from agent.settings import load_settings; from store.chroma import open_store;"
    "s = open_store(load_settings()); s.stats();"
    "print(time.perf_counter() - t)"
)
QUESTIONS = {
    "ask (English)": "How does GPTQ use second-order information to quantize weights?",
    "ask (Chinese)": "哪篇论文用二阶信息做一次性的权重量化？",
}


def wall(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=os.environ.copy())
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:6])} failed: {done.stderr[-500:]}")
    return took


def inside(args: list[str]) -> float:
    """The time a process prints (measured inside it)."""
    done = subprocess.run(args, capture_output=True, text=True, env=os.environ.copy())
    if done.returncode != 0:
        raise SystemExit(f"store open failed: {done.stderr[-500:]}")
    return float(done.stdout.strip().splitlines()[-1])


def model_clients(question: str) -> list[str]:
    done = subprocess.run(
        [PY, "-X", "importtime", "-m", "agent", "ask", "--model", "none", question],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    modules = set(re.findall(r"\|\s*(\S+)\s*$", done.stderr, re.MULTILINE))
    return sorted(modules & set(MODEL_CLIENTS))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if not os.environ.get("BRIEF_HOME"):
        print("set BRIEF_HOME to a directory holding a store", file=sys.stderr)
        return 2
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    rows: dict[str, list[float]] = {"brief --version": [], "store open (in-process)": []}
    for name in [*QUESTIONS, "store search"]:
        rows[name] = []
    for _ in range(args.runs):  # interleaved, so machine load hits every row alike
        rows["brief --version"].append(wall([PY, "-m", "agent", "--version"]))
        rows["store open (in-process)"].append(inside([PY, "-c", OPEN_STORE]))
        for name, question in QUESTIONS.items():
            rows[name].append(wall([PY, "-m", "agent", "ask", "--model", "none", question]))
        rows["store search"].append(wall([PY, "-m", "agent", "store", "search", "KV cache"]))
    median = {name: statistics.median(times) for name, times in rows.items()}
    budget = median["brief --version"] + median["store open (in-process)"]
    print(f"median of {args.runs} runs, store {os.environ['BRIEF_HOME']}")
    print("| command | seconds | ratio vs version + store open |")
    print("| --- | --- | --- |")
    for name, seconds in median.items():
        print(f"| {name} | {seconds:.2f} | {seconds / budget:.2f} |")
    for name, question in QUESTIONS.items():
        print(f"model clients imported by {name}: {', '.join(model_clients(question)) or 'none'}")
    worst = max(median[name] for name in QUESTIONS) / budget
    print(f"target ask <= 2.00 x (version + store open): {worst:.2f} x")
    return 0 if worst <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
