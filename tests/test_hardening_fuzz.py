"""Hostile PDFs: mutated demo PDFs through the workflow's reader (worker processes with a
per-file time limit) end as a parsed paper or a PdfError, never another exception, never
a hang past the limit, never a dead batch. ~100 inputs here (hypothesis); the full run of
1,000+ over ../shared/corpus is benchmarks/fuzz_reader.py. Inputs that once failed are
kept in tests/fixtures/fuzz/ and read again here."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DEMO_DIR
from hardening_fuzz import FIXTURES, SLACK, mutate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.errors import PdfError
from agent.nodes.readpool import ReaderPool
from agent.settings import load_settings

LIMIT = 20.0
SEEDS = [p.read_bytes() for p in sorted(DEMO_DIR.glob("*.pdf"))[:2]]  # the two small ones


@pytest.fixture(scope="module")
def pool() -> Iterator[ReaderPool]:
    reader = ReaderPool(load_settings(workers=1, pdf_timeout=LIMIT)).start()
    yield reader
    reader.close()


def read_one(pool: ReaderPool, path: Path) -> str:
    start = time.monotonic()
    try:
        pool.read(str(path))
        outcome = "ok"
    except PdfError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)
        outcome = "typed"
    assert time.monotonic() - start < LIMIT + SLACK
    return outcome


@pytest.mark.slow
@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rnd=st.randoms(use_true_random=False), which=st.integers(0, len(SEEDS) - 1))
def test_mutated_pdfs_give_a_paper_or_a_pdf_error(
    pool: ReaderPool, tmp_path_factory: pytest.TempPathFactory, rnd, which: int
) -> None:
    data, _ = mutate(SEEDS[which], rnd)
    path = tmp_path_factory.mktemp("fuzz") / "mutant.pdf"
    path.write_bytes(data)
    read_one(pool, path)  # anything but a paper or a PdfError fails here


@pytest.fixture(scope="module")
def pypdf_pool() -> Iterator[ReaderPool]:
    reader = ReaderPool(load_settings(workers=1, pdf_timeout=LIMIT, pdf_engine="pypdf")).start()
    yield reader
    reader.close()


def test_kept_regression_inputs_give_typed_errors_with_both_engines(
    pool: ReaderPool, pypdf_pool: ReaderPool
) -> None:
    """benchmarks/fuzz_reader.py --engine pypdf found pypdf's LimitReachedError (a
    /ToUnicode code too long, an object referring to itself) escaping as untyped errors;
    these two mutants of CC BY demo papers are kept."""
    kept = sorted(FIXTURES.glob("*.pdf"))
    assert len(kept) >= 2
    for path in kept:
        assert read_one(pool, path) in ("ok", "typed")
        assert read_one(pypdf_pool, path) == "typed"


def test_an_unknown_stream_filter_is_a_typed_error(pypdf_pool: ReaderPool, tmp_path: Path) -> None:
    """Fuzzing found pypdf's NotImplementedError for a damaged /Filter name escaping."""
    from hostile_pdf import hostile_pdf

    data = hostile_pdf(tmp_path / "h.pdf").read_bytes()
    bad = tmp_path / "filter.pdf"
    bad.write_bytes(data.replace(b"<< /Length", b"<< /Filter /FlatuDecode /Length", 1))
    assert read_one(pypdf_pool, bad) == "typed"


def test_the_batch_goes_on_after_broken_inputs(pool: ReaderPool, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(SEEDS[0][: len(SEEDS[0]) // 5] + b"\x00" * 4096)
    good = tmp_path / "good.pdf"
    good.write_bytes(SEEDS[0])
    assert read_one(pool, broken) == "typed"
    assert read_one(pool, good) == "ok"
    assert len(multiprocessing.active_children()) <= 2  # the pool's worker (+ forkserver)
