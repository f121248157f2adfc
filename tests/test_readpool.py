"""The workflow's ReaderPool: prefetching, the per-file time limit, recovery after a kill.

Real worker processes reading real PDFs (the bundled demo papers and generated ones).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pdfbuild import many_pages

from agent.errors import PdfError
from agent.nodes.readpool import ReaderPool
from agent.settings import load_settings


def copies(demo_pdfs: list[Path], folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    out = []
    for n in range(count):
        src = demo_pdfs[n % len(demo_pdfs)]
        out.append(Path(shutil.copy(src, folder / f"{n:02d}-{src.name}")))
    return out


def test_the_time_limit_counts_from_when_a_worker_starts_the_file(demo_pdfs, tmp_path):
    """Prefetched files queue behind each other far longer than the limit, yet none is
    stopped: each file's clock starts when a worker takes it, not when it was queued."""
    files = copies(demo_pdfs, tmp_path / "many", 18)
    pool = ReaderPool(load_settings(workers=1, pdf_timeout=2.0)).start()
    try:
        pool.prefetch([str(f) for f in files])
        papers = [pool.read(str(f)) for f in reversed(files)]
    finally:
        pool.close()
    assert [p.paper.arxiv_id for p in papers] == [
        demo_pdfs[n % len(demo_pdfs)].stem[:10] for n in reversed(range(18))
    ]


def test_prefetch_reads_largest_first_and_a_slow_file_is_stopped(demo_pdfs, tmp_path):
    """A file over the limit is stopped and reported; the files queued with it (whose
    worker was killed with it) are read by a fresh pool."""
    slow = many_pages(tmp_path / "slow.pdf", 30000)
    files = copies(demo_pdfs, tmp_path / "some", 3)
    assert slow.stat().st_size > max(f.stat().st_size for f in files)
    pool = ReaderPool(load_settings(workers=1, pdf_timeout=2.0)).start()
    try:
        pool.prefetch([str(f) for f in files] + [str(slow)])
        assert next(iter(pool._queued)) == str(slow)  # the largest file goes first
        with pytest.raises(PdfError, match="slow.pdf: reading took longer than 2s"):
            pool.read(str(slow))
        papers = [pool.read(str(f)) for f in files]
    finally:
        pool.close()
    assert all(p.paper.arxiv_id for p in papers)


def test_a_file_never_prefetched_is_read_on_demand(demo_pdfs):
    pool = ReaderPool(load_settings(workers=2)).start()
    try:
        assert pool.read(str(demo_pdfs[0])).paper.arxiv_id == demo_pdfs[0].stem[:10]
    finally:
        pool.close()


def test_reader_processes_embed_the_chunks_and_the_store_uses_their_vectors(demo_pdfs):
    """With the store's provider given (hash), a worker returns the chunk vectors with the
    paper; they are what in-process embedding gives, survive a model copy, and the store
    writes them instead of embedding the chunks again."""
    import numpy as np

    from store.chroma import open_store
    from store.embeddings import HashEmbedder
    from store.ingest import store_parsed

    pool = ReaderPool(load_settings(workers=1), embed_spec="hash").start()
    try:
        parsed = pool.read(str(demo_pdfs[0]))
    finally:
        pool.close()
    expected = HashEmbedder().embed_array([c.text for c in parsed.chunks])
    assert np.array_equal(parsed.vectors_for("hash"), expected)
    assert parsed.vectors_for("hash:64") is None  # another provider: the store embeds
    copied = parsed.model_copy(update={"paper": parsed.paper})
    assert np.array_equal(copied.vectors_for("hash"), expected)

    store = open_store(load_settings(embeddings="hash"))
    embedded: list[int] = []
    real = store.embedder.embed_array
    store.embedder.embed_array = lambda texts: embedded.append(len(texts)) or real(texts)
    try:
        assert store_parsed(store, copied) == "added"
        assert embedded == [1]  # the paper record (title + abstract), not the chunks
        hit = store.search(parsed.chunks[3].text[:80], k=1, kind="chunk", lexical=False)[0]
        assert hit.id == parsed.chunks[3].chunk_id
    finally:
        store.close()
