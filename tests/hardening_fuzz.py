"""Mutated PDFs through the workflow's reader (no tests in this file).

`mutate(data, rnd)` damages a real PDF the way broken downloads and hostile files do: bit
flips, cut or repeated spans, numbers in the xref and /Length entries changed, deep
nesting and junk tokens spliced in, two files spliced together. `fuzz(...)` reads each
mutant with the workflow's `ReaderPool` (worker processes, per-file time limit) and sorts
the outcomes; anything but a parsed paper or a PdfError, and any read that overran the
limit, is a finding, and its input is kept under tests/fixtures/fuzz/.
Used by tests/test_hardening_fuzz.py (small run) and benchmarks/fuzz_reader.py (full run).
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fuzz"
SLACK = 10.0  # seconds a read may exceed the limit (worker restart, a busy machine)

JUNK = [
    b"<<" * 400,
    b"[" * 3000,
    b"/Length 99999999999",
    b"/Length -1",
    b"999999999 0 obj",
    b"/Type /Pages /Count 2147483647 /Kids [1 0 R 1 0 R]",
    b"/Filter /FlateDecode",
    b"stream\n\x78\x9c" + bytes(range(256)) * 4 + b"\nendstream",
    b"startxref\n-5\n%%EOF",
    b"/Root 1 0 R /Encrypt << /V 9 >>",
    b"\x00" * 512,
    b"%PDF-1.7\n",
    b"(\\" + b"(" * 2000 + b")",
]


def mutate(data: bytes, rnd: random.Random) -> tuple[bytes, str]:
    """A damaged copy of `data` and a short name of what was done."""
    out = bytearray(data)
    n = len(out)
    kind = rnd.choice(
        ["flip", "cut", "drop", "repeat", "numbers", "junk", "splice-head", "zero-run", "mixed"]
    )
    if kind in ("flip", "mixed"):
        for _ in range(rnd.randint(1, 64)):
            i = rnd.randrange(n)
            out[i] ^= 1 << rnd.randrange(8)
    if kind == "cut":
        out = out[: rnd.randrange(16, n)]
    if kind in ("drop", "mixed"):
        a = rnd.randrange(n)
        del out[a : a + rnd.randint(1, 64 * 1024)]
    if kind == "repeat":
        a = rnd.randrange(len(out))
        span = out[a : a + rnd.randint(1, 16 * 1024)]
        out[a:a] = span * rnd.randint(2, 20)
    if kind in ("numbers", "mixed"):
        text = bytes(out)
        spots = [m.start() for m in re.finditer(rb"\d+", text[-200_000:])]
        offset = max(0, len(text) - 200_000)
        for pos in rnd.sample(spots, min(len(spots), rnd.randint(1, 40))):
            i = offset + pos
            out[i : i + 1] = str(rnd.choice([0, 1, 7, 65535, 2**31, 10**12])).encode()
    if kind in ("junk", "mixed"):
        for _ in range(rnd.randint(1, 6)):
            i = rnd.randrange(len(out))
            out[i:i] = rnd.choice(JUNK)
    if kind == "splice-head":
        out = out[: rnd.randrange(1024, max(1025, n // 2))] + out[rnd.randrange(n // 2, n) :]
    if kind == "zero-run":
        a = rnd.randrange(len(out))
        b = min(len(out), a + rnd.randint(1, 256 * 1024))
        out[a:b] = bytes(b - a)
    return bytes(out), kind


@dataclass
class Report:
    """What a fuzz run found."""

    inputs: int = 0
    ok: int = 0
    typed: Counter[str] = field(default_factory=Counter)  # PdfError, by cause
    kinds: Counter[str] = field(default_factory=Counter)  # mutations tried
    findings: list[dict[str, Any]] = field(default_factory=list)
    slowest: float = 0.0
    seconds: float = 0.0


def cause(message: str) -> str:
    """The cause part of a PdfError line ('<path>: <cause> — <hint>')."""
    body = message.split(" — ", 1)[0]
    body = body.split(": ", 1)[-1]
    return re.sub(r"[\d.]+s\b", "Ns", body)[:60]


def keep(data: bytes, label: str) -> Path:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    path = FIXTURES / f"{label}-{hashlib.sha256(data).hexdigest()[:12]}.pdf"
    path.write_bytes(data)
    return path


def fuzz(
    seeds: list[Path],
    count: int,
    workdir: Path,
    *,
    seed: int = 0,
    workers: int = 2,
    timeout: float = 20.0,
    engine: str = "pdfium",
    keep_findings: bool = True,
) -> Report:
    """Read `count` mutants of `seeds` through a ReaderPool and sort the outcomes."""
    from agent.errors import PdfError
    from agent.nodes.readpool import ReaderPool
    from agent.settings import load_settings

    rnd = random.Random(seed)
    originals = [p.read_bytes() for p in seeds]
    settings = load_settings(workers=workers, pdf_timeout=timeout, pdf_engine=engine)
    pool = ReaderPool(settings).start()
    report = Report()
    workdir.mkdir(parents=True, exist_ok=True)
    jobs = []
    for i in range(count):
        data, kind = mutate(rnd.choice(originals), rnd)
        path = workdir / f"mutant-{i:05d}.pdf"
        path.write_bytes(data)
        jobs.append((path, kind))

    def one(job: tuple[Path, str]) -> tuple[Path, str, str, str, float]:
        path, kind = job
        start = time.monotonic()
        try:
            pool.read(str(path))
            outcome, detail = "ok", ""
        except PdfError as exc:
            outcome, detail = "typed", cause(str(exc))
        except BaseException as exc:  # noqa: BLE001 - an untyped error is what we look for
            outcome, detail = "untyped", f"{type(exc).__name__}: {exc}"[:300]
        return path, kind, outcome, detail, time.monotonic() - start

    started = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=workers) as threads:
            for path, kind, outcome, detail, took in threads.map(one, jobs):
                report.inputs += 1
                report.kinds[kind] += 1
                report.slowest = max(report.slowest, took)
                if outcome == "ok":
                    report.ok += 1
                elif outcome == "typed":
                    report.typed[detail] += 1
                if outcome == "untyped" or took > timeout + SLACK:
                    finding = {"input": path.name, "mutation": kind, "error": detail, "s": took}
                    if keep_findings:
                        finding["kept"] = str(keep(path.read_bytes(), kind))
                    report.findings.append(finding)
                path.unlink(missing_ok=True)
    finally:
        pool.close()
    report.seconds = time.monotonic() - started
    return report
