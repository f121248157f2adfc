"""SIGKILL crash trials of `brief weekly` with a scripted model (see tests/hardening_crash.py).

Each trial kills a fresh `brief weekly` (the real CLI in a child process group) with SIGKILL
after a random delay within the duration of an uninterrupted run, resumes it with
`brief runs resume`, and compares store, brief and sidecar with the uninterrupted run; it
also checks the store right after the kill and looks for temp files under BRIEF_HOME.

    .venv/bin/python benchmarks/crash_trials.py [--trials 20] [--demo] [--seed 0] [--json]

Without --demo the papers are ../shared/corpus, served by the fixture arXiv server on
127.0.0.1 (search, download, read, store: the whole fetch path); results go in
docs/reliability.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from dataclasses import asdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import hardening_crash  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--demo", action="store_true", help="the 3 bundled demo papers")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="brief-crash-"))
    server = None
    api_url = None
    served = 3
    if not args.demo:
        from arxiv_server import ArxivServer

        if not (args.shared / "corpus" / "pdf").is_dir():
            print(f"no corpus at {args.shared}; use --demo", file=sys.stderr)
            return 2
        server = ArxivServer().start()
        served = hardening_crash.serve_corpus(server, args.shared)
        api_url = server.api_url
    try:
        ref, trials = hardening_crash.trials(
            args.trials, root, demo=args.demo, api_url=api_url, seed=args.seed
        )
    finally:
        if server is not None:
            server.stop()
    failed = [t for t in trials if t.problems or t.problems_after_kill]
    summary = {
        "corpus": "demo" if args.demo else f"../shared/corpus via fixture arXiv server ({served})",
        "trials": len(trials),
        "killed": sum(t.killed for t in trials),
        "stages_at_kill": dict(Counter(t.stage for t in trials if t.killed)),
        "resumed": dict(Counter(t.resumed for t in trials)),
        "uninterrupted_s": round(ref.seconds, 1),
        "papers": len(ref.store["papers"]),
        "chunks": len(ref.store["chunks"]),
        "claims": len(ref.store["claims"]),
        "failed_trials": len(failed),
        "workdir": str(root),
    }
    if args.json:
        print(json.dumps({"summary": summary, "trials": [asdict(t) for t in trials]}, indent=2))
    else:
        print("| trial | kill after (s) | stage at kill | then | problems |")
        print("| --- | --- | --- | --- | --- |")
        for t in trials:
            problems = "; ".join(t.problems_after_kill + t.problems) or "none"
            stage = t.stage if t.killed else "(finished first)"
            print(f"| {t.number} | {t.delay} | {stage} | {t.resumed} | {problems} |")
        print()
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
