"""The run's StoreWriter: branch writes merged into few store calls, errors kept apart.

Real local Chroma store, the demo papers read by the real reader, real threads.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import store.ingest
from agent.errors import StoreError
from agent.nodes.services import SerialStore
from agent.nodes.storewriter import StoreWriter
from agent.settings import load_settings
from store.chroma import open_store
from store.schemas import Claim, ParsedPaper


@pytest.fixture
def parsed(demo_pdfs: list[Path]) -> list[ParsedPaper]:
    from agent.sources.pdf import read_pdf

    return [read_pdf(p) for p in demo_pdfs]


def claim(paper: ParsedPaper, text: str) -> Claim:
    return Claim(
        paper_key=paper.paper.key,
        arxiv_id=paper.paper.arxiv_id,
        kind="result",
        statement=text,
        quote=paper.pages[0][:40],
        page=1,
    )


def in_threads(fn, items) -> list:  # type: ignore[no-untyped-def]
    """fn(item) in one thread per item, started together; results or exceptions."""
    out: list = [None] * len(items)
    start = threading.Barrier(len(items))

    def run(n: int) -> None:
        start.wait()
        try:
            out[n] = fn(items[n])
        except Exception as exc:  # noqa: BLE001
            out[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(items))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_papers_from_many_branches_are_stored_in_few_calls(parsed, monkeypatch):
    calls: list[int] = []
    real = store.ingest.store_parsed_keyed

    def counted(s, items, **kw):  # type: ignore[no-untyped-def]
        calls.append(len(items))
        return real(s, items, **kw)

    monkeypatch.setattr(store.ingest, "store_parsed_keyed", counted)
    raw = open_store(load_settings())
    writer = StoreWriter(SerialStore(raw))
    try:
        many = parsed * 4  # the same three papers from 12 branches
        results = in_threads(lambda p: writer.store_paper(p, "pdf", []), many)
        assert sorted(set(results)) == ["added", "unchanged"]
        assert results.count("added") == 3
        assert sum(calls) == 12 and len(calls) < 12  # merged
        assert raw.stats()["papers"] == 3
        writer.save_claims([claim(parsed[0], "A first claim.")])
        assert len(raw.get_claims(parsed[0].paper.key)) == 1
    finally:
        writer.close()
        raw.close()


def test_a_failing_write_reaches_only_its_branch(parsed):
    raw = open_store(load_settings())
    writer = StoreWriter(SerialStore(raw))
    try:
        writer.store_paper(parsed[0], "pdf", [])
        good = [claim(parsed[0], f"Claim {n}.") for n in range(4)]
        orphan = claim(parsed[1], "A claim of a paper that was never stored.")
        batches = [[c] for c in good] + [[orphan]]
        results = in_threads(writer.save_claims, batches)
        assert results[:4] == [None] * 4
        assert isinstance(results[4], StoreError) and "unknown paper" in str(results[4])
        assert len(raw.get_claims(parsed[0].paper.key)) == 4
    finally:
        writer.close()
        raw.close()
    with pytest.raises(RuntimeError, match="closed"):
        writer.save_claims(good)
