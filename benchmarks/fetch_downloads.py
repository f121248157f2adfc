"""Download throughput of the fetcher against the fixture arXiv server on 127.0.0.1.

    .venv/bin/python benchmarks/fetch_downloads.py [--papers 8] [--latency 0.3]

Each PDF request waits `--latency` seconds before the server answers (like a distant
server); the demo PDFs are served under `--papers` ids. Rows: one download at a time (the
baseline), 2 and 4 at once without a per-host delay, 2 at once with the polite per-host delay
of 0.5 s, and a rerun that finds every file in the cache. Times are wall-clock seconds for
the whole batch, each the best of `--repeat` runs, measured in the same process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))


def run(
    server, keys, concurrency: int, delay: float, latency: float, home: Path, fresh: bool = True
) -> tuple[float, int]:
    from arxiv_server import Fault

    from agent.settings import load_settings
    from agent.sources.download import Downloader

    settings = load_settings(
        home=home, download_concurrency=concurrency, download_delay=delay, download_timeout=30
    )
    if fresh:
        for pdf in Path(settings.pdf_dir).glob("*.pdf"):
            pdf.unlink()
    for key in keys:
        server.fault(f"/pdf/{key}", Fault.slow(latency))
    jobs = [(f"{server.url}/pdf/{key}", Path(settings.pdf_dir) / f"{key}.pdf") for key in keys]
    start = time.perf_counter()
    with Downloader(settings) as downloader:
        results = downloader.fetch_many(jobs)
    elapsed = time.perf_counter() - start
    server.faults.clear()
    assert all(r.ok for r in results), [r.reason for r in results if not r.ok]
    return elapsed, sum(r.downloaded for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    from arxiv_server import ArxivServer
    from feeds import FeedEntry

    pdfs = sorted((REPO / "agent" / "data" / "demo").glob("*.pdf"))
    rows = []
    with ArxivServer() as server, tempfile.TemporaryDirectory() as tmp:
        keys = []
        for n in range(args.papers):
            entry = FeedEntry(f"2611.{n:05d}", "v1", f"paper {n}")
            server.add_paper(entry, pdfs[n % len(pdfs)])
            keys.append(entry.key)
        size = sum(len(server.pdf_bytes(k) or b"") for k in keys) / 1e6
        cases = [
            ("1 at a time, no host delay (baseline)", 1, 0.0, True),
            ("2 at once, no host delay", 2, 0.0, True),
            ("4 at once, no host delay", 4, 0.0, True),
            ("2 at once, host delay 0.5 s", 2, 0.5, True),
            ("rerun: all in the cache", 2, 0.5, False),
        ]
        for name, conc, delay, fresh in cases:
            best, downloaded = min(
                run(server, keys, conc, delay, args.latency, Path(tmp), fresh)
                for _ in range(args.repeat)
            )
            rows.append((name, best, downloaded))
    base = rows[0][1]
    print(f"{args.papers} PDFs ({size:.1f} MB), server latency {args.latency} s per request\n")
    print("| case | downloads | seconds | ratio vs baseline |")
    print("| --- | --- | --- | --- |")
    for name, seconds, downloaded in rows:
        print(f"| {name} | {downloaded} | {seconds:.2f} | {seconds / base:.2f} |")


if __name__ == "__main__":
    main()
