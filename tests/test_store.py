"""The claim store against real Chroma: a local store and a `chroma run` server.

Every test here runs twice (parametrised `store` fixture): once on a PersistentClient under
the test's BRIEF_HOME, once on a Chroma server started on 127.0.0.1 for the session.
Papers are the bundled demo PDFs read by the real reader.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from chroma_server import chroma_server, reset_server_store  # noqa: F401 (fixture)

from agent.errors import StoreError
from agent.settings import load_settings
from store.chroma import ClaimStore, open_store
from store.ingest import store_parsed
from store.schemas import BriefRecord, Chunk, Claim, Paper, ParsedPaper


@pytest.fixture(scope="session")
def demo_parsed(demo_pdfs: list[Path]) -> dict[str, ParsedPaper]:
    """The three demo papers read by the real reader, by arXiv id."""
    from agent.sources.pdf import read_pdf

    parsed = [read_pdf(path) for path in demo_pdfs]
    return {p.paper.arxiv_id: p for p in parsed if p.paper.arxiv_id}


@pytest.fixture(params=["local", "server"])
def store(request: pytest.FixtureRequest) -> ClaimStore:
    if request.param == "server":
        url = request.getfixturevalue("chroma_server")
        reset_server_store(url)
        opened = open_store(load_settings(chroma_url=url))
    else:
        opened = open_store(load_settings())
    yield opened
    opened.close()


def new_version(parsed: ParsedPaper, version: str) -> ParsedPaper:
    """The same paper as another arXiv version (another file, so another sha256)."""
    paper = parsed.paper.model_copy(
        update={"arxiv_version": version, "sha256": "f" * 8 + parsed.paper.sha256[8:]}
    )
    chunks = [c.model_copy(update={"paper_key": paper.key}) for c in parsed.chunks]
    return parsed.model_copy(update={"paper": paper, "chunks": chunks})


def claim(paper_key: str, kind: str, statement: str, quote: str, page: int, **kw) -> Claim:
    return Claim(
        paper_key=paper_key,
        arxiv_id=paper_key[:10],
        kind=kind,
        statement=statement,
        quote=quote,
        page=page,
        **kw,
    )


def test_reingesting_the_same_file_changes_nothing(store, demo_parsed):
    parsed = demo_parsed["2508.14148"]
    assert store_parsed(store, parsed, source="demo") == "added"
    before = store.stats()
    ids = sorted(c.chunk_id for c in store.get_chunks(parsed.paper.key))
    assert store_parsed(store, parsed, source="demo") == "unchanged"
    assert store.stats() == before
    assert sorted(c.chunk_id for c in store.get_chunks(parsed.paper.key)) == ids
    assert before["papers"] == 1 and before["chunks"] == len(parsed.chunks)
    assert before["pages"] == len(parsed.pages)
    assert before["embeddings"] == "hash" and before["dim"] == 512


def test_pages_chunks_and_paper_come_back_as_stored(store, demo_parsed):
    parsed = demo_parsed["2505.15781"]
    store_parsed(store, parsed, topics=["efficient-ai"])
    key = parsed.paper.key
    assert store.get_pages(key) == parsed.pages
    assert store.get_pages("2505.15781") == parsed.pages  # family resolves to the version
    assert store.get_pages("arXiv:2505.15781") == parsed.pages
    assert store.get_pages("9999.00001") == []
    paper = store.get_paper("2505.15781")
    assert paper is not None and paper.title == parsed.paper.title
    assert paper.topics == ["efficient-ai"] and paper.page_count == len(parsed.pages)
    assert store.get_paper_by_sha(parsed.paper.sha256) == paper
    assert store.has_paper("2505.15781") and not store.has_paper("2505.15781", "v9")
    chunks = store.get_chunks(key)
    assert [c.text for c in chunks] == [c.text for c in parsed.chunks]
    on_page = store.get_chunks(key, page=3)
    assert on_page and all(c.page_start <= 3 <= c.page_end for c in on_page)
    assert {c.chunk_id for c in on_page} == {
        c.chunk_id for c in parsed.chunks if c.page_start <= 3 <= c.page_end
    }


def test_a_new_version_is_kept_beside_the_old_one_and_becomes_current(store, demo_parsed):
    v2 = demo_parsed["2508.14148"]
    v3 = new_version(v2, "v3")
    assert store_parsed(store, v2) == "added"
    assert store_parsed(store, v3) == "new_version"
    assert store.resolve_key("2508.14148") == v3.paper.key
    assert sorted(store.family_versions("2508.14148")) == sorted([v2.paper.key, v3.paper.key])
    assert [p.key for p in store.list_papers()] == [v3.paper.key]
    assert len(store.list_papers(current_only=False)) == 2
    assert store.get_paper(v2.paper.key).arxiv_version == v2.paper.arxiv_version
    hits = store.search("suffix dropout diffusion", k=10)
    assert hits and {h.paper_key for h in hits} == {v3.paper.key}
    old_hits = store.search("suffix dropout diffusion", k=5, paper=v2.paper.key)
    assert old_hits and {h.paper_key for h in old_hits} == {v2.paper.key}
    # an older version arriving late does not take over
    v1 = new_version(v2, "v1")
    assert store_parsed(store, v1) == "added"
    assert store.resolve_key("2508.14148") == v3.paper.key
    # deleting the newest makes the next one current again
    assert store.delete_paper(v3.paper.key) == [v3.paper.key]
    assert store.resolve_key("2508.14148") == v2.paper.key
    assert {h.paper_key for h in store.search("suffix dropout", k=5)} == {v2.paper.key}


def test_a_half_written_paper_is_repaired_by_a_rerun(store, demo_parsed):
    parsed = demo_parsed["2509.18085"]
    key = parsed.paper.key
    # an interrupted earlier write: some pages and chunks, one stale chunk, no paper record
    stale = Chunk(
        paper_key=key,
        index=999,
        page_start=1,
        page_end=1,
        char_start=0,
        char_end=5,
        text="stale",
    )
    with store.backend.write_lock():
        store._upsert("pages", [f"{key}#p0001"], [parsed.pages[0]], [{"paper_key": key, "page": 1}])
        store._upsert("chunks", [stale.chunk_id], ["stale"], [{"paper_key": key, "page": 1}])
    assert store.get_paper(key) is None and not store.has_paper("2509.18085")
    assert store_parsed(store, parsed) == "added"
    assert store.count("chunks") == len(parsed.chunks)
    assert stale.chunk_id not in {c.chunk_id for c in store.get_chunks(key)}
    assert store.get_pages(key) == parsed.pages


def test_deleting_a_paper_removes_its_pages_chunks_and_claims(store, demo_parsed):
    keep, gone = demo_parsed["2505.15781"], demo_parsed["2509.18085"]
    store_parsed(store, keep)
    store_parsed(store, gone)
    store.add_claims(
        [
            claim(keep.paper.key, "method", "dKV-Cache caches keys and values.", "cache", 1),
            claim(gone.paper.key, "method", "Spiffy drafts several tokens.", "draft", 2),
        ]
    )
    assert store.delete_paper("2509.18085") == [gone.paper.key]
    assert store.get_paper("2509.18085") is None
    assert store.get_pages(gone.paper.key) == []
    assert store.get_chunks(gone.paper.key) == []
    assert store.get_claims(current_only=False) == store.get_claims(keep.paper.key)
    assert store.count("chunks") == len(keep.chunks)
    assert all(h.paper_key == keep.paper.key for h in store.search("speculative drafts", k=10))
    assert store.delete_paper("2509.18085") == []


def test_claims_are_added_filtered_and_updated(store, demo_parsed):
    parsed = demo_parsed["2505.15781"]
    key = parsed.paper.key
    store_parsed(store, parsed)
    claims = [
        claim(key, "result", "dKV-Cache speeds up decoding 2-10x.", "2-10×", 1, numbers=["2-10"]),
        claim(key, "method", "Keys and values are cached with a delay.", "delayed", 4),
        claim(key, "limitation", "Greedy caching loses accuracy.", "drop", 8),
    ]
    assert store.add_claims(claims) == 3
    assert store.add_claims(claims) == 3  # upsert by claim_id: still three
    assert store.add_claims([*claims, claims[0]]) == 3  # the same claim twice in one call
    assert store.stats()["claims_by_status"] == {"pending": 3, "verified": 0, "rejected": 0}
    assert store.get_claim(claims[0].claim_id) == claims[0]
    assert [c.kind for c in store.get_claims("2505.15781", kind="result")] == ["result"]
    updated = store.update_claim(
        claims[0].claim_id, status="verified", reasons=["quote found on p.1"]
    )
    assert updated.status == "verified" and updated.reasons == ["quote found on p.1"]
    assert store.get_claim(claims[0].claim_id) == updated
    store.update_claim(claims[2].claim_id, status="rejected", reasons=["not on the page"])
    assert [c.claim_id for c in store.get_claims(key, status="verified")] == [claims[0].claim_id]
    assert {c.status for c in store.get_claims(key)} == {"verified", "pending", "rejected"}
    hits = store.search("caching accuracy drop greedy", k=20, kind="claim")
    assert hits and claims[2].claim_id not in {h.id for h in hits}  # rejected: left out
    rejected = store.search("greedy caching accuracy", k=5, status="rejected")
    assert [h.id for h in rejected] == [claims[2].claim_id]
    result_hits = store.search("decoding speedup", k=5, kind="result")
    assert [h.kind for h in result_hits] == ["result"] and result_hits[0].status == "verified"
    with pytest.raises(StoreError, match="unknown paper"):
        store.add_claims([claim("1234.56789", "other", "x", "y", 1)])
    with pytest.raises(StoreError, match="no claim"):
        store.update_claim("nope#123", status="verified")


def test_filters_by_paper_kind_topic_and_date(store, demo_parsed):
    a, b = demo_parsed["2505.15781"], demo_parsed["2509.18085"]
    store_parsed(
        store,
        a.model_copy(update={"paper": a.paper.model_copy(update={"published": date(2025, 5, 21)})}),
        topics=["kv-cache"],
    )
    store_parsed(
        store,
        b.model_copy(update={"paper": b.paper.model_copy(update={"published": date(2025, 9, 22)})}),
        topics=["speculative"],
    )
    query = "diffusion language model decoding acceleration"
    both = {h.paper_key for h in store.search(query, k=30)}
    assert both == {a.paper.key, b.paper.key}
    assert {h.paper_key for h in store.search(query, k=30, topic="kv-cache")} == {a.paper.key}
    assert {h.paper_key for h in store.search(query, k=30, since=date(2025, 6, 1))} == {b.paper.key}
    assert {h.paper_key for h in store.search(query, k=30, until=date(2025, 6, 1))} == {a.paper.key}
    assert {h.paper_key for h in store.search(query, k=30, paper="2509.18085")} == {b.paper.key}
    assert all(h.kind == "chunk" for h in store.search(query, k=10, kind="chunk"))
    assert [p.key for p in store.list_papers(topic="speculative")] == [b.paper.key]
    assert [p.key for p in store.list_papers(since=date(2025, 9, 1))] == [b.paper.key]
    # adding a topic to a stored paper keeps it unchanged but tags it
    assert store_parsed(store, b, topics=["diffusion"]) == "unchanged"
    assert store.get_paper(b.paper.key).topics == ["diffusion", "speculative"]
    assert {h.paper_key for h in store.search(query, k=30, topic="diffusion")} == {b.paper.key}


def test_hybrid_search_finds_exact_terms_and_chinese(store, demo_parsed):
    for parsed in demo_parsed.values():
        store_parsed(store, parsed)
    hit = store.search("Distance-decay Dropout", k=1)[0]
    assert hit.arxiv_id == "2508.14148" and hit.kind == "chunk"
    assert hit.page >= 1 and hit.title and "dropout" in hit.text.lower()
    for mode in ({"dense": False}, {"lexical": False}):
        assert (
            store.search("Distance-decay Dropout suffix", k=3, **mode)[0].arxiv_id == "2508.14148"
        )
    assert store.search("   ", k=3) == []
    zh = Paper(sha256="ab" * 32, title="缓存调度评测", language="zh")
    pages = ["本文介绍键值缓存复用与调度评测系统。", "实验表明预填充阶段的吞吐提升明显。"]
    chunks = [
        Chunk(
            paper_key=zh.key,
            index=i,
            page_start=i + 1,
            page_end=i + 1,
            char_start=0,
            char_end=len(t),
            text=t,
        )
        for i, t in enumerate(pages)
    ]
    store_parsed(store, ParsedPaper(paper=zh, pages=pages, chunks=chunks))
    top = store.search("预填充吞吐", k=1)[0]
    assert top.paper_key == zh.key and top.page == 2 and top.arxiv_id is None


def test_writes_are_seen_by_the_next_search(store, demo_parsed):
    store_parsed(store, demo_parsed["2505.15781"])
    assert all(h.arxiv_id == "2505.15781" for h in store.search("suffix dropout", k=5))
    store_parsed(store, demo_parsed["2508.14148"])
    assert store.search("Distance-decay Dropout", k=1)[0].arxiv_id == "2508.14148"


def test_briefs_are_recorded(store):
    record = BriefRecord(kind="weekly", topic="kv-cache", path="/tmp/b.md", papers=["2505.15781"])
    assert store.add_brief(record) == record.brief_id
    assert store.list_briefs() == [record]
    assert store.list_briefs(kind="daily") == []


def test_another_embedding_provider_is_a_clear_error_until_reindexed(store, demo_parsed):
    from store.maintenance import reindex

    store_parsed(store, demo_parsed["2505.15781"])
    settings = load_settings(chroma_url=store.backend.url, embeddings="hash:256")
    with pytest.raises(StoreError, match="embedded with 'hash'.*brief store reindex"):
        open_store(settings)
    other = open_store(settings, check=False)
    assert reindex(other) == store.count("chunks") + 1  # chunks + the paper record
    reopened = open_store(settings)
    assert reopened.stats()["embeddings"] == "hash:256"
    assert reopened.search("dKV-Cache", k=1)[0].arxiv_id == "2505.15781"
    with pytest.raises(StoreError, match="embedded with 'hash:256'"):
        open_store(load_settings(chroma_url=store.backend.url, embeddings="hash"))
    auto = load_settings(chroma_url=store.backend.url, embeddings="auto")
    assert open_store(auto).spec == "hash:256"  # auto keeps what the store has


def test_whole_collection_reads_go_page_by_page(store, demo_parsed, monkeypatch):
    """Stats, listings, the lexical index and reindex read every record in pages: one get of
    a whole collection fails past SQLite's variable limit (seen at 50k chunks)."""
    import store.backend as backend
    from store.maintenance import reindex
    from store.search import invalidate_cache, lexical_index

    for parsed in demo_parsed.values():
        store_parsed(store, parsed)
    chunks = sum(len(p.chunks) for p in demo_parsed.values())
    full = store.stats()
    from chromadb.api.models.Collection import Collection

    unbounded: list[str] = []
    real_get = Collection.get

    def bounded_get(self, *args, **kwargs):
        if not args and kwargs.get("ids") is None and kwargs.get("limit") is None:
            unbounded.append(self.name)
        got = real_get(self, *args, **kwargs)
        assert kwargs.get("limit") is None or len(got["ids"]) <= kwargs["limit"]
        return got

    monkeypatch.setattr(Collection, "get", bounded_get)
    monkeypatch.setattr(backend, "GET_PAGE", 7)  # far fewer than the chunks of one paper
    invalidate_cache()
    if store.backend.local:  # and no saved lexical index: it is rebuilt from the collection
        shutil.rmtree(store.backend.store_dir / "lexical", ignore_errors=True)
    assert store.stats() == full and full["chunks"] == chunks
    assert {p.arxiv_id for p in store.list_papers()} == set(demo_parsed)
    hit = store.search("Distance-decay Dropout", k=1)[0]
    assert hit.arxiv_id == "2508.14148"
    gens = store.backend.generations()
    assert len(lexical_index(store, "chunks", gens.get("chunks", "")).ids) == chunks
    assert reindex(store) >= chunks
    assert store.stats()["chunks"] == chunks
    assert unbounded == []


def _old_pages(parsed: ParsedPaper, base: dict, layout: str) -> dict:
    """The page records an earlier version of brief wrote, as `collection.add` arguments."""
    from store.chroma import clean_meta

    key, pages = parsed.paper.key, parsed.pages
    if layout == "a record per page":
        numbers = range(len(pages), 0, -1)  # out of order
        return {
            "ids": [f"{key}#p{n:04d}" for n in numbers],
            "documents": list(reversed(pages)),
            "metadatas": [clean_meta({**base, "page": n}) for n in numbers],
            "embeddings": [[1.0]] * len(pages),
        }
    return {  # one record, the texts as its document
        "ids": [f"{key}#pages"],
        "documents": [json.dumps(pages, ensure_ascii=False)],
        "metadatas": [clean_meta({**base, "page": 0, "page_count": len(pages)})],
        "embeddings": [[1.0]],
    }


@pytest.mark.parametrize("layout", ["a record per page", "one document"])
def test_pages_written_by_earlier_versions_still_read(store, demo_parsed, layout):
    """Stores written before pages became one record per paper, or before the page texts
    moved into that record's metadata, keep working."""
    from store.chroma import paper_meta_fields

    parsed = demo_parsed["2509.18085"]
    store_parsed(store, parsed)
    key = parsed.paper.key
    store.col("pages").delete(ids=[f"{key}#pages"])
    store.col("pages").add(**_old_pages(parsed, paper_meta_fields(parsed.paper, True), layout))
    assert store.get_pages(key) == parsed.pages
    assert store.stats()["pages"] == len(parsed.pages)
    assert store_parsed(store, parsed) == "unchanged"


def test_page_texts_are_not_full_text_indexed_twice(store, demo_parsed):
    """The page record keeps its texts in metadata: only chunks carry searchable documents."""
    parsed = demo_parsed["2509.18085"]
    store_parsed(store, parsed)
    got = store.col("pages").get(ids=[f"{parsed.paper.key}#pages"], include=["documents"])
    assert got["documents"] == [None]
    assert store.get_pages(parsed.paper.key) == parsed.pages


def test_chunk_texts_live_in_metadata_and_older_document_chunks_still_read(store, demo_parsed):
    """Chunks are written without Chroma documents (no full-text index to build), their
    text in metadata; chunks written by earlier versions as documents read the same."""
    from store.search import invalidate_cache

    parsed = demo_parsed["2508.14148"]
    store_parsed(store, parsed)
    key = parsed.paper.key
    got = store.col("chunks").get(where={"paper_key": key}, include=["documents", "metadatas"])
    assert set(got["documents"]) == {None}
    assert {m["text"] for m in got["metadatas"]} == {c.text for c in parsed.chunks}
    store.set_paper_fields(key, {"topics": ["kv-cache"]})  # a metadata update keeps the text
    assert [c.text for c in store.get_chunks(key)] == [c.text for c in parsed.chunks]
    hit = store.search("Distance-decay Dropout", k=1, kind="chunk")[0]
    assert hit.arxiv_id == "2508.14148" and hit.text

    old = store.col("chunks").get(where={"paper_key": key}, include=["embeddings", "metadatas"])
    store.col("chunks").delete(ids=old["ids"])
    by_id = {c.chunk_id: c.text for c in parsed.chunks}
    store.col("chunks").add(
        ids=old["ids"],
        documents=[by_id[i] for i in old["ids"]],
        metadatas=[{k: v for k, v in m.items() if k != "text"} for m in old["metadatas"]],
        embeddings=old["embeddings"],
    )
    store.backend.bump("chunks")
    invalidate_cache()
    assert [c.text for c in store.get_chunks(key)] == [c.text for c in parsed.chunks]
    again = store.search("Distance-decay Dropout", k=1, kind="chunk")[0]
    assert again.id == hit.id and again.text == hit.text
    lexical_only = store.search("Distance-decay Dropout", k=1, kind="chunk", dense=False)[0]
    assert lexical_only.text == hit.text
