"""Reader speed: pages per second for raw engine extraction and for the full reader.

    .venv/bin/python benchmarks/reader_speed.py [PDF_DIR] [--repeat N]

PDF_DIR defaults to ../shared/corpus/pdf, falling back to the bundled demo papers. Rows:
raw PDFium text extraction (the baseline), raw pypdf extraction, the full reader (cleanup,
metadata, sections, chunks) on each engine in this process, and `read_many` with 1 and 2
worker processes (including process start-up). Each timing is the best of N runs (pypdf
rows run once: they are slow).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def raw_pdfium(paths: list[Path]) -> int:
    import pypdfium2 as pdfium

    pages = 0
    for path in paths:
        doc = pdfium.PdfDocument(str(path))
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
            pages += 1
        doc.close()
    return pages


def raw_pypdf(paths: list[Path]) -> int:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    pages = 0
    for path in paths:
        for page in PdfReader(str(path)).pages:
            page.extract_text()
            pages += 1
    return pages


def reader(engine: str) -> Callable[[list[Path]], int]:
    def run(paths: list[Path]) -> int:
        from agent.sources.pdf import read_pdf

        return sum(read_pdf(p, engine=engine).paper.page_count for p in paths)

    return run


def workers(n: int) -> Callable[[list[Path]], int]:
    def run(paths: list[Path]) -> int:
        from agent.sources.batch import read_many

        results = read_many(paths, "pdfium", n, 600, 1000, 100)
        return sum(r.parsed.paper.page_count for r in results if r.parsed)

    return run


def timed(fn: Callable[[list[Path]], int], paths: list[Path]) -> tuple[int, float, float]:
    """(pages, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    pages = fn(paths)
    return pages, time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PDF reader speed (pages/s)")
    parser.add_argument("dir", nargs="?", help="folder of PDFs (default ../shared/corpus/pdf)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each row keeps its best")
    args = parser.parse_args(argv)
    folder = Path(args.dir) if args.dir else REPO.parent / "shared" / "corpus" / "pdf"
    if not folder.is_dir():
        folder = REPO / "agent" / "data" / "demo"
    paths = sorted(folder.glob("*.pdf"))
    if not paths:
        print(f"no PDFs in {folder}", file=sys.stderr)
        return 1
    rows: list[tuple[str, Callable[[list[Path]], int], bool]] = [
        ("raw PDFium text extraction (baseline)", raw_pdfium, True),
        ("raw pypdf text extraction", raw_pypdf, False),
        ("brief reader, pdfium engine", reader("pdfium"), True),
        ("brief reader, pypdf engine", reader("pypdf"), False),
        ("read_many, 1 worker process", workers(1), True),
        ("read_many, 2 worker processes", workers(2), True),
    ]
    reader("pdfium")(paths[:1])  # warm imports
    workers(1)(paths[:1])  # start the forkserver once, as a long CLI run would
    best: dict[str, tuple[int, float, float]] = {}
    for round_ in range(args.repeat):  # rounds interleave the rows, so load drifts hit all
        for name, fn, every_round in rows:
            if round_ and not every_round:
                continue  # the pypdf rows are slow; one run each
            pages, wall, cpu = timed(fn, paths)
            old = best.get(name)
            best[name] = (
                pages,
                min(wall, old[1]) if old else wall,
                min(cpu, old[2]) if old else cpu,
            )
    print(f"{len(paths)} PDFs from {folder}, best of {args.repeat} rounds")
    base_wall = best[rows[0][0]][0] / best[rows[0][0]][1]
    base_cpu = best[rows[0][0]][0] / best[rows[0][0]][2]
    one = best[rows[4][0]][0] / best[rows[4][0]][1]
    print(
        f"\n| {'what':38} | pages | wall s | pages/s | vs raw PDFium | CPU pages/s | vs raw (CPU) | vs 1 worker |"
    )
    print(
        f"|{'-' * 40}|------:|-------:|--------:|--------------:|------------:|-------------:|------------:|"
    )
    for name, _fn, _every in rows:
        pages, wall, cpu = best[name]
        rate = pages / wall
        workers_row = name.startswith("read_many")
        cpu_rate = f"{pages / cpu:11.1f}" if not workers_row else f"{'-':>11}"
        cpu_ratio = f"{pages / cpu / base_cpu:11.2f}x" if not workers_row else f"{'-':>12}"
        vs_one = f"{rate / one:.2f}x" if workers_row else ""
        print(
            f"| {name:38} | {pages:5} | {wall:6.2f} | {rate:7.1f} | {rate / base_wall:12.2f}x "
            f"| {cpu_rate} | {cpu_ratio} | {vs_one:>11} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
