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

    Each collection is rebuilt beside the old one and swapped in by renaming, so an
    interrupted reindex leaves the old collection intact. Returns the records re-embedded.
    """
    client = store.backend.client
    total = 0
    with store.backend.write_lock():
        client = store.backend.client
        embedder = store.embedder
        for name in EMBEDDED:
            old = store.col(name)
            got = get_all(old, include=["documents", "metadatas"])
            tmp_name = f"{PREFIX}{name}-reindex"
            for col in client.list_collections():
                if col.name == tmp_name:  # left over from an interrupted run
                    client.delete_collection(tmp_name)
            new = client.create_collection(
                tmp_name,
                embedding_function=embedder.chroma_function(),
                metadata={"embedding": store.spec, "dim": embedder.dim, "schema": SCHEMA_VERSION},
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
            client.delete_collection(PREFIX + name)
            new.modify(name=PREFIX + name)
            store._cols.clear()
            total += len(ids)
        store.backend.bump(*EMBEDDED)
    return total


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
