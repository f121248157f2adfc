"""Store-wide jobs: re-embedding with another provider, exporting papers and claims."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from store.backend import get_all
from store.chroma import BATCH, EMBEDDED, PREFIX, SCHEMA_VERSION, ClaimStore, texts_of


def reindex(store: ClaimStore, on_batch: Callable[[int], None] | None = None) -> int:
    """Re-embed every chunk, claim and paper with the store's configured provider.

    Each collection is rebuilt beside the old one (`brief_<name>-reindex`), marked complete,
    and only then swapped in (the old one deleted, the new one renamed). A reindex killed at
    any point loses nothing: before the mark the old collection is intact and the partial
    copy is dropped by the next attempt; after it the complete copy is swapped in by
    `recover_reindex` (which every store open runs). Returns the records re-embedded.
    """
    total = 0
    with store.backend.write_lock():
        recover_reindex(store)
        client = store.backend.client
        embedder = store.embedder
        for name in EMBEDDED:
            old = store.col(name)
            got = get_all(old, include=["documents", "metadatas"])
            tmp_name = f"{PREFIX}{name}{REINDEX_SUFFIX}"
            meta = {"embedding": store.spec, "dim": embedder.dim, "schema": SCHEMA_VERSION}
            new = client.create_collection(
                tmp_name,
                embedding_function=embedder.chroma_function(),
                metadata=meta,
                configuration={"hnsw": {"space": "cosine"}},
            )
            ids, docs, metas = got["ids"], got["documents"], got["metadatas"]
            texts = texts_of(got)
            keep_docs = any(d is not None for d in docs)  # chunks keep theirs in metadata
            for start in range(0, len(ids), BATCH):
                part = slice(start, start + BATCH)
                new.add(
                    ids=ids[part],
                    documents=docs[part] if keep_docs else None,
                    metadatas=metas[part],
                    embeddings=embedder.embed(texts[part]),
                )
                if on_batch:
                    on_batch(len(ids[part]))
            new.modify(metadata={**meta, COMPLETE: len(ids)})  # from here the copy is whole
            _swap(client, name)
            store._cols.clear()
            total += len(ids)
        store.backend.bump(*EMBEDDED)
        store.record_manifest()
    return total


REINDEX_SUFFIX = "-reindex"
COMPLETE = "reindex_complete"  # metadata of a finished copy: how many records it holds


def _swap(client: Any, name: str) -> None:
    """Put the finished copy of `name` in place of the old collection."""
    names = {c.name for c in client.list_collections()}
    if PREFIX + name in names:
        client.delete_collection(PREFIX + name)
    copy = client.get_collection(f"{PREFIX}{name}{REINDEX_SUFFIX}")
    meta = {k: v for k, v in (copy.metadata or {}).items() if k != COMPLETE}
    copy.modify(name=PREFIX + name, metadata=meta)


def recover_reindex(store: ClaimStore) -> list[str]:
    """Finish or drop what a killed reindex left (call under the write lock): a complete
    copy is swapped in, a partial one deleted. Returns the collections swapped in."""
    client = store.backend.client
    swapped = []
    for col in client.list_collections():
        if not (col.name.startswith(PREFIX) and col.name.endswith(REINDEX_SUFFIX)):
            continue
        name = col.name[len(PREFIX) : -len(REINDEX_SUFFIX)]
        done = (col.metadata or {}).get(COMPLETE)
        if done is not None and col.count() == done:
            _swap(client, name)
            swapped.append(name)
        else:  # the old collection is intact: it was deleted only after the copy was done
            client.delete_collection(col.name)
    if swapped:
        store._cols.clear()
        store.backend.bump(*swapped)
    return swapped


def records(store: ClaimStore) -> Iterator[dict[str, Any]]:
    """Every paper version, claim and brief as JSON-ready dicts with a `type` field."""
    for key in store.paper_keys():
        meta = store.paper_meta(key) or {}
        paper = json.loads(meta.get("json", "{}"))
        yield {"type": "paper", "key": key, "current": bool(meta.get("current")), **paper}
    for claim in store.get_claims(current_only=False):
        yield {"type": "claim", "claim_id": claim.claim_id, **claim.model_dump(mode="json")}
    for brief in store.list_briefs():
        yield {"type": "brief", "brief_id": brief.brief_id, **brief.model_dump(mode="json")}


def export_jsonl(store: ClaimStore) -> Iterator[str]:
    for record in records(store):
        yield json.dumps(record, ensure_ascii=False, default=str)


def _bib_escape(text: str) -> str:
    return re.sub(r"([{}&%$#_])", r"\\\1", text)


def export_bibtex(store: ClaimStore) -> Iterator[str]:
    """One BibTeX entry per current paper version."""
    for paper in store.list_papers(current_only=True):
        day = paper.published or paper.updated
        year = day.year if day else None
        cite = re.sub(r"[^A-Za-z0-9:.\-]", "", paper.key.replace("sha256:", "doc-"))
        fields = [("title", "{" + _bib_escape(paper.title) + "}")]
        if paper.authors:
            fields.append(("author", _bib_escape(" and ".join(paper.authors))))
        if year:
            fields.append(("year", str(year)))
        if paper.arxiv_id:
            fields += [
                ("eprint", paper.arxiv_id),
                ("archivePrefix", "arXiv"),
                ("url", f"https://arxiv.org/abs/{paper.key}"),
            ]
            if paper.categories:
                fields.append(("primaryClass", paper.categories[0]))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        kind = "misc" if paper.arxiv_id else "misc"
        yield f"@{kind}{{{cite},\n{body}\n}}\n"


# --- check ---------------------------------------------------------------------------------
SAMPLE = 20  # records per collection whose own vector must find them first


def check_store(settings: Any) -> dict[str, Any]:
    """What is wrong with the store (`brief store check`): the database file and SQLite's
    integrity check, counts against the manifest kept beside the store, and whether every
    record of an embedded collection has a vector that finds it.

    Returns {"location", "checks": [{"name", "ok", "detail"}], "ok"}.
    """
    import sqlite3
    from pathlib import Path

    from agent.errors import BriefError
    from store import manifest as mf

    checks: list[dict[str, Any]] = []

    def add(name: str, problem: str, detail: str = "") -> None:
        checks.append({"name": name, "ok": not problem, "detail": problem or detail})

    local = not settings.chroma_url
    store_dir = Path(settings.store_dir)
    recorded = mf.read_manifest(store_dir) if local else None
    if local:
        problem = mf.database_problem(store_dir)
        if problem and not (problem.endswith("is missing") and not recorded):
            add("database", problem)
            return _report(settings, checks)
        if not problem:
            uri = f"file:{store_dir / mf.DATABASE}?mode=ro"
            try:
                with sqlite3.connect(uri, uri=True) as conn:
                    rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
            except sqlite3.Error as exc:
                rows = [str(exc)]
            add("sqlite integrity", "" if rows == ["ok"] else "; ".join(rows[:3]), "ok")
        where = mf.manifest_path(store_dir).name
        written = str((recorded or {}).get("written"))[:19]
        add("manifest", "", f"{where} of {written}" if recorded else "none yet (next write)")
    try:
        store = open_store_unchecked(settings)
    except BriefError as exc:
        add("open", str(exc))
        return _report(settings, checks)
    try:
        counts = store.raw_counts()
        if recorded:
            wrong = [
                f"{name}: {counts.get(key, 0)} stored, {recorded.get(name)} recorded"
                for name, key in (("paper_versions", "papers"), ("chunks", "chunks"),
                                  ("claims", "claims"))
                if recorded.get(name) is not None and counts.get(key, 0) != recorded.get(name)
            ]  # fmt: skip
            add("counts", "; ".join(wrong), ", ".join(f"{k} {v}" for k, v in counts.items()))
        for name in EMBEDDED:
            if counts.get(name):
                add(f"vectors of {name}", _vector_problem(store, name), f"{counts[name]} records")
    finally:
        store.close()
    return _report(settings, checks)


def open_store_unchecked(settings: Any) -> ClaimStore:
    """The store without the manifest's refusal (to look at a damaged one)."""
    from store.backend import Backend

    backend = Backend(store_dir=settings.store_dir, url=settings.chroma_url)
    probe = ClaimStore(backend, "hash", settings, check=False)
    recorded = probe.recorded_embedding()
    return ClaimStore(backend, recorded["spec"] if recorded else "hash", settings, check=False)


def _vector_problem(store: ClaimStore, name: str) -> str:
    """'' when every record of `name` has a vector and a sample finds itself first."""
    col = next(c for c in store.backend.client.list_collections() if c.name == PREFIX + name)
    try:
        got = get_all(col, include=["embeddings"])
    except Exception as exc:  # noqa: BLE001 - a damaged index: that is the finding
        return f"vectors cannot be read: {exc}"
    ids, vectors = got["ids"], got.get("embeddings")
    if vectors is None or len(vectors) != len(ids):
        return f"{len(ids)} records but {0 if vectors is None else len(vectors)} vectors"
    step = max(1, len(ids) // SAMPLE)
    lost = []
    for i in range(0, len(ids), step)[:SAMPLE]:
        try:
            found = col.query(query_embeddings=[vectors[i]], n_results=3, include=[])["ids"][0]
        except Exception as exc:  # noqa: BLE001
            return f"search fails: {exc}"
        if ids[i] not in found:
            lost.append(ids[i])
    return f"{len(lost)} sampled records are not found by their own vector" if lost else ""


def _report(settings: Any, checks: list[dict[str, Any]]) -> dict[str, Any]:
    location = settings.chroma_url or str(settings.store_dir)
    return {"location": location, "checks": checks, "ok": all(c["ok"] for c in checks)}
