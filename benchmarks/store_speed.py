"""Store speed: inserts/s and search latency, our store against raw chromadb, same run.

Synthetic papers (60 chunks each; Zipf-distributed words, model names and numbers, ~120
words a chunk) are written twice into fresh local stores:
- raw: `collection.add(ids, documents, metadatas)` in batches of 2000 with the same hash
  embedding function (Chroma embeds the documents);
- ours: all the papers with `store_parsed_many`, 40 papers a call, as `brief ingest` of a
  folder does (pages, chunks, paper records, version bookkeeping, write lock); and, into
  another fresh store, the first tenth of them with `store_parsed`, one paper a call.
Then the same queries are run: raw `query` (unfiltered and filtered by paper) against our
hybrid search (dense + BM25, RRF), our dense-only search and our paper-filtered search.

    .venv/bin/python benchmarks/store_speed.py [--sizes 10000,50000] [--queries 200]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.settings import load_settings  # noqa: E402
from store.chroma import open_store  # noqa: E402
from store.embeddings import HashEmbedder  # noqa: E402
from store.ingest import store_parsed, store_parsed_many  # noqa: E402
from store.schemas import Chunk, Paper, ParsedPaper  # noqa: E402

CHUNKS_PER_PAPER = 60
WORDS = 120


def vocabulary(rng: random.Random, n: int = 6000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(n)}
    terms = sorted(words)
    terms += [f"model-{i}b" for i in range(1, 200)] + [f"{i / 10:.1f}" for i in range(1, 500)]
    return terms


def synthetic_papers(n_chunks: int, seed: int = 0) -> list[ParsedPaper]:
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    papers = []
    for p in range((n_chunks + CHUNKS_PER_PAPER - 1) // CHUNKS_PER_PAPER):
        count = min(CHUNKS_PER_PAPER, n_chunks - p * CHUNKS_PER_PAPER)
        arxiv = f"{2400 + p // 90000:04d}.{p % 90000 + 10000:05d}"
        paper = Paper(arxiv_id=arxiv, arxiv_version="v1", sha256=f"{p:064x}", title=f"Paper {p}")
        texts = [" ".join(rng.choices(vocab, weights, k=WORDS)) for _ in range(count)]
        pages = [" ".join(texts[i : i + 2]) for i in range(0, count, 2)]
        chunks = [
            Chunk(
                paper_key=paper.key,
                index=i,
                section="Body",
                page_start=i // 2 + 1,
                page_end=i // 2 + 1,
                char_start=0,
                char_end=len(t),
                text=t,
            )
            for i, t in enumerate(texts)
        ]
        papers.append(ParsedPaper(paper=paper, pages=pages, chunks=chunks))
    return papers


def queries(papers: list[ParsedPaper], n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = rng.choice(rng.choice(papers).chunks).text.split()
        start = rng.randrange(0, max(1, len(words) - 8))
        out.append(" ".join(words[start : start + rng.randint(3, 8)]))
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - start)
    return out


def bench_raw(root: Path, papers: list[ParsedPaper], qs: list[str]) -> dict[str, float]:
    import chromadb
    from chromadb.config import Settings

    client = chromadb.PersistentClient(str(root), settings=Settings(anonymized_telemetry=False))
    col = client.create_collection(
        "raw",
        embedding_function=HashEmbedder().chroma_function(),
        configuration={"hnsw": {"space": "cosine"}},
    )
    ids, docs, metas = [], [], []
    for p in papers:
        for c in p.chunks:
            ids.append(c.chunk_id)
            docs.append(c.text)
            metas.append({"paper_key": c.paper_key, "page": c.page_start, "section": c.section})
    start = time.perf_counter()
    for i in range(0, len(ids), 2000):
        col.add(ids=ids[i : i + 2000], documents=docs[i : i + 2000], metadatas=metas[i : i + 2000])
    insert = len(ids) / (time.perf_counter() - start)
    plain = timed(lambda q: col.query(query_texts=[q], n_results=10), qs)
    keys = [p.paper.key for p in papers]
    filtered = timed(
        lambda q: col.query(
            query_texts=[q], n_results=10, where={"paper_key": keys[hash(q) % len(keys)]}
        ),
        qs,
    )
    client.close()
    return {"insert": insert, "plain": plain, "filtered": filtered}


def bench_ours(home: Path, papers: list[ParsedPaper], qs: list[str]) -> dict[str, float]:
    n = sum(len(p.chunks) for p in papers)
    store = open_store(load_settings(home=home / "one", embeddings="hash", chroma_url=None))
    tenth = papers[: max(1, len(papers) // 10)]
    start = time.perf_counter()
    for p in tenth:  # paper by paper, as a single-file ingest does
        store_parsed(store, p)
    one = sum(len(p.chunks) for p in tenth) / (time.perf_counter() - start)
    store.close()
    store = open_store(load_settings(home=home / "many", embeddings="hash", chroma_url=None))
    start = time.perf_counter()
    for i in range(0, len(papers), 40):  # 40 papers a call, as a folder ingest does
        store_parsed_many(store, papers[i : i + 40])
    insert = n / (time.perf_counter() - start)
    start = time.perf_counter()
    store.search("warm up the lexical index", k=10)
    build = time.perf_counter() - start
    hybrid = timed(lambda q: store.search(q, k=10), qs)
    dense = timed(lambda q: store.search(q, k=10, lexical=False), qs)
    keys = [p.paper.key for p in papers]
    filtered = timed(lambda q: store.search(q, k=10, paper=keys[hash(q) % len(keys)]), qs)
    store.close()
    return {
        "insert": insert,
        "one": one,
        "build": build,
        "hybrid": hybrid,
        "dense": dense,
        "filtered": filtered,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="claim store speed vs raw chromadb")
    parser.add_argument("--sizes", default="10000,50000", help="chunk counts, comma-separated")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        papers = synthetic_papers(size)
        qs = queries(papers, args.queries)
        with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
            raw = bench_raw(Path(tmp) / "raw", papers, qs)
            ours = bench_ours(Path(tmp) / "ours", papers, qs)
        rows.append((size, raw, ours))
        print(f"done {size}", file=sys.stderr, flush=True)
    print(
        "| chunks | raw add/s | ours add/s (40 papers/call) | ratio | ours add/s (1 paper/call, first tenth) | ratio | raw query p50/p95 ms | raw filtered p50/p95 "
        "| ours hybrid p50/p95 | ours dense p50/p95 | ours paper-filtered p50/p95 | BM25 build s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for size, raw, ours in rows:

        def pp(values: list[float]) -> str:
            return f"{pct(values, 0.5):.1f} / {pct(values, 0.95):.1f}"

        print(
            f"| {size} | {raw['insert']:.0f} | {ours['insert']:.0f} | "
            f"{ours['insert'] / raw['insert']:.2f}x | {ours['one']:.0f} | "
            f"{ours['one'] / raw['insert']:.2f}x | {pp(raw['plain'])} | {pp(raw['filtered'])} | "
            f"{pp(ours['hybrid'])} | {pp(ours['dense'])} | {pp(ours['filtered'])} | "
            f"{ours['build']:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
