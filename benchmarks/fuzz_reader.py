"""Fuzz the PDF reader: mutated corpus PDFs through the workflow's ReaderPool (worker
processes, per-file time limit); see tests/hardening_fuzz.py for the mutations.

    .venv/bin/python benchmarks/fuzz_reader.py [--count 1000] [--engine pdfium|pypdf]
        [--workers 2] [--timeout 20] [--seed 0] [--demo]

Counts outcomes (parsed, PdfError by cause) and findings: any other exception, or a read
that took longer than the limit plus slack. Findings are kept in tests/fixtures/fuzz/ as
regression inputs (tests/test_hardening_fuzz.py reads them all). Exit 1 on any finding.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from hardening_fuzz import fuzz  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--engine", default="pdfium", choices=["pdfium", "pypdf"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--demo", action="store_true", help="mutate the demo PDFs only")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    os.environ.setdefault("BRIEF_HOME", tempfile.mkdtemp(prefix="brief-fuzz-home-"))
    corpus = args.shared / "corpus" / "pdf"
    if args.demo or not corpus.is_dir():
        seeds = sorted((REPO / "agent" / "data" / "demo").glob("*.pdf"))
    else:
        seeds = sorted(corpus.glob("*.pdf"))
    work = Path(tempfile.mkdtemp(prefix="brief-fuzz-"))
    report = fuzz(
        seeds,
        args.count,
        work,
        seed=args.seed,
        workers=args.workers,
        timeout=args.timeout,
        engine=args.engine,
    )
    print(f"seeds: {len(seeds)} PDFs; engine {args.engine}; limit {args.timeout:g}s")
    print(f"inputs: {report.inputs} in {report.seconds:.0f}s; slowest {report.slowest:.1f}s")
    print(f"parsed: {report.ok}; PdfError: {sum(report.typed.values())}")
    for cause, n in report.typed.most_common():
        print(f"  {n:5d}  {cause}")
    print("mutations: " + ", ".join(f"{k} {v}" for k, v in sorted(report.kinds.items())))
    print(f"findings: {len(report.findings)}")
    for finding in report.findings:
        print(f"  {finding}")
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
