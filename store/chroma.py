"""The claim store: papers, page texts, chunks, claims and briefs in Chroma collections.

Collections (all prefixed `brief_`): `papers` (one record per paper version, written last
so it exists only when the version is complete), `pages` (page texts, for quote checks and
citation resolution), `chunks` and `claims` (embedded and searchable), `briefs`.

Texts of pages and chunks are kept in the records' metadata (`pages`, `text`), not as Chroma
documents: Chroma builds a trigram full-text index over every document, which brief never
queries (its lexical ranking is its own BM25, store.lexical) and which took more than half
the time of storing a paper. `record_text` reads either form, so older stores still work. Ids are
stable (`Paper.key`, `Chunk.chunk_id`, `Claim.claim_id`), so writing the same thing twice
changes nothing. Every version of a paper is kept; metadata `current` marks the newest one.
The embedding provider and dimension are recorded in the `chunks` collection's metadata.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from agent.errors import StoreError
from store.backend import Backend, get_all, no_embedding
from store.embeddings import Embedder, make_embedder, resolve_spec
from store.records import PREFIX, TEXT, build_where, date_int, record_text
from store.recovery import recover_reindex
from store.schemas import ARXIV_ID_RE, BriefRecord, Chunk, Claim, Paper
from store.search import search

EMBEDDED = ("chunks", "claims", "papers")
PLAIN = ("pages", "briefs")
BATCH = 2000
SCHEMA_VERSION = 1


def spec_key(spec: str) -> str:
    """Comparable form of a provider spec (llamacpp paths compare by file name)."""
    if spec.startswith("llamacpp:"):
        return "llamacpp:" + Path(spec[9:]).name
    return spec


class ClaimStore:
    """Everything brief remembers. Open it with `open_store(settings)`."""

    def __init__(
        self, backend: Backend, spec: str, settings: Any = None, *, check: bool = True
    ) -> None:
        self.backend = backend
        self.spec = spec
        self._settings = settings
        self._embedder: Embedder | None = None
        self._cols: dict[str, Any] = {}
        self._lexical: dict[str, tuple[str, Any]] = {}
        self._client_id: tuple[int, int] = (0, 0)
        self._check = check
        recorded = self.recorded_embedding()
        if check and recorded and spec_key(recorded["spec"]) != spec_key(spec):
            raise StoreError(
                f"the store at {backend.location} was embedded with {recorded['spec']!r} "
                f"but embeddings={spec!r} is configured",
                f"run `brief store reindex` to re-embed with {spec}, "
                f"or set BRIEF_EMBEDDINGS={recorded['spec']}",
            )

    # --- plumbing ------------------------------------------------------------------------
    @property
    def location(self) -> str:
        return self.backend.location

    @property
    def embedder(self) -> Embedder:
        """The embedding provider, created on first use (models load lazily)."""
        if self._embedder is None:
            self._embedder = make_embedder(self.spec, self._settings)
            recorded = self.recorded_embedding() if self._check else None
            if recorded and recorded.get("dim") not in (None, self._embedder.dim):
                raise StoreError(
                    f"the store's vectors have {recorded['dim']} dimensions but "
                    f"{self.spec} gives {self._embedder.dim}",
                    "run `brief store reindex`",
                )
        return self._embedder

    def recorded_embedding(self) -> dict[str, Any] | None:
        """{'spec', 'dim'} recorded when the store was created, None for a new store."""
        for col in self.backend.client.list_collections():
            if col.name == PREFIX + "chunks":
                meta = col.metadata or {}
                if "embedding" in meta:
                    return {"spec": meta["embedding"], "dim": meta.get("dim")}
        return None

    def col(self, name: str) -> Any:
        """The collection `brief_<name>`, created with our embedding function if missing."""
        stamp = (id(self.backend.client), self.backend.epoch)
        if self._client_id != stamp:
            self._cols.clear()
            self._client_id = stamp
        col = self._cols.get(name)
        if col is None:
            client = self.backend.client
            if name in EMBEDDED:
                ef = self.embedder.chroma_function()
                meta = {"embedding": self.spec, "dim": self.embedder.dim, "schema": SCHEMA_VERSION}
                col = client.get_or_create_collection(
                    PREFIX + name,
                    embedding_function=ef,
                    metadata=meta,
                    configuration={"hnsw": {"space": "cosine"}},
                )
            else:
                col = client.get_or_create_collection(
                    PREFIX + name, embedding_function=no_embedding()
                )
            self._cols[name] = col
        return col

    def _refresh(self) -> dict[str, str]:
        return self.backend.refresh()

    def record_manifest(self) -> None:
        """Write the counts to the manifest beside a local store (store.manifest); call
        under the write lock, after a write."""
        if not self.backend.local or self.backend.store_dir is None:
            return
        from store.manifest import write_manifest

        recorded = self.recorded_embedding() or {}
        counts = self.raw_counts()
        write_manifest(
            self.backend.store_dir,
            {
                "paper_versions": counts.get("papers", 0),
                "chunks": counts.get("chunks", 0),
                "claims": counts.get("claims", 0),
                "embedding": recorded.get("spec", self.spec),
                "dim": recorded.get("dim"),
            },
        )

    def raw_counts(self) -> dict[str, int]:
        """Records per collection ('papers', 'chunks', ...), without creating a collection
        or an embedder (a model loads slowly)."""
        return {
            col.name.removeprefix(PREFIX): col.count()
            for col in self.backend.client.list_collections()
            if col.name.startswith(PREFIX)
        }

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.embed_array(list(texts))

    def _upsert(
        self,
        name: str,
        ids: Sequence[str],
        docs: Sequence[str] | None,
        metas: Sequence[dict[str, Any]],
        on_batch: Callable[[int], None] | None = None,
        existing: set[str] | None = None,
        store_docs: bool = True,
        vectors: np.ndarray | None = None,
    ) -> None:
        """Write records in batches. With `existing` (ids known to be stored), new ids go
        through Chroma's cheaper `add` and only the others through `upsert`. `docs` are
        embedded (embedded collections) and stored as Chroma documents unless `store_docs`
        is false or there are none: then Chroma does not full-text index them. `vectors`
        (one row per record, from this store's provider) are used instead of embedding."""
        col = self.col(name)
        for start in range(0, len(ids), BATCH):
            part = slice(start, start + BATCH)
            batch_ids = list(ids[part])
            batch_docs = list(docs[part]) if docs is not None else None
            # one array: Chroma converts a list of float lists row by row, far slower
            if vectors is not None:
                batch_vectors = np.asarray(vectors[part], dtype=np.float32)
            elif name in EMBEDDED:
                batch_vectors = self._embed(batch_docs or [])
            else:
                batch_vectors = np.ones((len(batch_ids), 1), dtype=np.float32)
            batch_metas = [clean_meta(m) for m in metas[part]]
            if existing is None:
                groups = [(col.upsert, list(range(len(batch_ids))))]
            else:
                old = [i for i, rid in enumerate(batch_ids) if rid in existing]
                new = [i for i, rid in enumerate(batch_ids) if rid not in existing]
                groups = [(col.add, new), (col.upsert, old)]
            for method, rows in groups:
                if rows:
                    method(
                        ids=[batch_ids[i] for i in rows],
                        documents=(
                            [batch_docs[i] for i in rows] if batch_docs and store_docs else None
                        ),
                        metadatas=[batch_metas[i] for i in rows],
                        embeddings=batch_vectors[rows],  # a 2-D array, not a list of rows
                    )
            if on_batch:
                on_batch(len(batch_ids))

    def _get(self, name: str, **kwargs: Any) -> dict[str, Any]:
        """`get` on a collection; without ids or a limit, page by page (store.backend)."""
        self._refresh()
        if "ids" in kwargs or "limit" in kwargs:
            return self.col(name).get(**kwargs)
        return get_all(self.col(name), **kwargs)

    # --- papers --------------------------------------------------------------------------
    def paper_meta(self, key: str) -> dict[str, Any] | None:
        got = self._get("papers", ids=[key], include=["metadatas"])
        return got["metadatas"][0] if got["ids"] else None

    def get_paper(self, ref: str) -> Paper | None:
        """A paper by key ('2508.14148v2'), family ('2508.14148': the current version),
        'arXiv:'-prefixed id, or 'sha256:<hex>'."""
        key = self.resolve_key(ref)
        meta = self.paper_meta(key) if key else None
        return Paper.model_validate_json(meta["json"]) if meta else None

    def resolve_key(self, ref: str) -> str | None:
        """The stored paper key a reference means, None when nothing matches."""
        ref = ref.strip()
        if ref.lower().startswith("arxiv:"):
            ref = ref[6:]
        if self.paper_meta(ref):
            return ref
        m = ARXIV_ID_RE.fullmatch(ref)
        family = m.group(1) if m else ref
        versions = self.family_versions(family)
        current = [k for k, meta in versions.items() if meta.get("current")]
        return current[0] if current else (max(versions) if versions else None)

    def has_paper(self, arxiv_id: str, version: str | None = None) -> bool:
        """Whether this arXiv paper (that version, or any version) is stored completely."""
        if version:
            meta = self.paper_meta(f"{arxiv_id}{version}")
            return bool(meta and meta.get("complete"))
        return any(m.get("complete") for m in self.family_versions(arxiv_id).values())

    def get_paper_by_sha(self, sha256: str) -> Paper | None:
        """The complete stored paper version read from the file with this sha256."""
        got = self._get("papers", where={"sha256": sha256}, include=["metadatas"])
        for meta in got["metadatas"]:
            if meta.get("complete"):
                return Paper.model_validate_json(meta["json"])
        return None

    def family_versions(self, family: str) -> dict[str, dict[str, Any]]:
        got = self._get("papers", where={"family": family}, include=["metadatas"])
        return dict(zip(got["ids"], got["metadatas"], strict=True))

    def list_papers(
        self,
        *,
        current_only: bool = True,
        topic: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> list[Paper]:
        where = build_where(current_only=current_only, topic=topic, since=since, until=until)
        got = self._get("papers", where=where, include=["metadatas"])
        papers = [Paper.model_validate_json(m["json"]) for m in got["metadatas"]]
        return sorted(papers, key=lambda p: p.key)

    def paper_keys(self) -> list[str]:
        return sorted(self._get("papers", include=[])["ids"])

    def write_paper(
        self, paper: Paper, pages: Sequence[str], chunks: Sequence[Chunk], *, current: bool
    ) -> None:
        """Write one complete paper version (see `write_papers`)."""
        self.write_papers([(paper, pages, chunks, current)])

    def write_papers(
        self,
        items: Sequence[tuple[Paper, Sequence[str], Sequence[Chunk], bool]],
        vectors: Sequence[np.ndarray | None] | None = None,
    ) -> None:
        """Write complete paper versions: all pages, then all chunks, then the paper records.

        Call inside `backend.write_lock()`. Records are written in large batches (new ids
        with `add`); stale chunks and pages of the same keys (a half-written earlier attempt,
        or a different file with the same key) are removed before the paper records go in.
        `vectors[i]` (optional) holds the chunk vectors of item i from this store's provider,
        computed by the reader; when every item has them, chunks are not embedded here.
        """
        if not items:
            return
        keys = [paper.key for paper, _, _, _ in items]
        where = {"paper_key": {"$in": keys}}
        stored = {
            name: set(self.col(name).get(where=where, include=[])["ids"])
            for name in ("pages", "chunks")
        }
        page_ids, page_metas = [], []
        chunk_ids, chunk_docs, chunk_metas = [], [], []
        records = []
        for paper, pages, chunks, current in items:
            base = paper_meta_fields(paper, current)
            # One record per version: its pages are read together. The texts go in the
            # metadata, not the document, so Chroma does not full-text index them again.
            page_ids.append(f"{paper.key}#pages")
            page_metas.append(
                {
                    **base,
                    "page": 0,
                    "page_count": len(pages),
                    "pages": json.dumps(list(pages), ensure_ascii=False),
                }
            )
            for chunk in chunks:
                chunk_ids.append(chunk.chunk_id)
                chunk_docs.append(chunk.text)  # embedded; stored as metadata `text`
                chunk_metas.append({**chunk_meta(chunk, base), TEXT: chunk.text})
            records.append(
                {
                    **base,
                    "sha256": paper.sha256,
                    "version": paper.version_number,
                    "complete": True,
                    "chunk_count": len(chunks),
                    "page_count": len(pages),
                    "source": paper.source,
                    "json": paper.model_dump_json(),
                }
            )
        self._upsert("pages", page_ids, None, page_metas, existing=stored["pages"])
        chunk_vectors = None
        if vectors is not None and all(v is not None for v in vectors) and chunk_ids:
            chunk_vectors = np.concatenate([v for v in vectors if v is not None and len(v)])
        self._upsert(
            "chunks",
            chunk_ids,
            chunk_docs,
            chunk_metas,
            existing=stored["chunks"],
            store_docs=False,
            vectors=chunk_vectors,
        )
        for name, keep in (("pages", set(page_ids)), ("chunks", set(chunk_ids))):
            stale = sorted(stored[name] - keep)
            if stale:
                self.col(name).delete(ids=stale)
        docs = [f"{paper.title}\n{paper.abstract}" for paper, _, _, _ in items]
        self._upsert("papers", keys, docs, records)
        self.backend.bump("papers", "pages", "chunks")
        self.record_manifest()

    def set_paper_fields(self, key: str, fields: dict[str, Any]) -> None:
        """Update metadata of a paper version and all its pages, chunks and claims."""
        fields = clean_meta(fields)
        for name in ("pages", "chunks", "claims"):
            col = self.col(name)
            ids = col.get(where={"paper_key": key}, include=[])["ids"]
            for start in range(0, len(ids), BATCH):
                part = ids[start : start + BATCH]
                col.update(ids=part, metadatas=[fields] * len(part))
        self.col("papers").update(ids=[key], metadatas=[fields])
        self.backend.bump("papers", "pages", "chunks", "claims")

    def update_current(self, family: str) -> str | None:
        """Mark the highest stored version of `family` current and the others not."""
        versions = self.family_versions(family)
        if not versions:
            return None
        newest = max(versions, key=lambda k: (versions[k].get("version", 0), k))
        for key, meta in versions.items():
            want = key == newest
            if bool(meta.get("current")) != want:
                self.set_paper_fields(key, {"current": want})
        return newest

    def delete_paper(self, ref: str) -> list[str]:
        """Delete a paper version ('2508.14148v2') or every version of a family
        ('2508.14148') with its pages, chunks and claims. Returns the deleted keys."""
        ref = ref.strip()
        if ref.lower().startswith("arxiv:"):
            ref = ref[6:]
        with self.backend.write_lock():
            keys = [ref] if self.paper_meta(ref) else list(self.family_versions(ref))
            if not keys:  # an interrupted write may have left parts without a record
                for name in ("chunks", "pages", "claims"):
                    if self.col(name).get(where={"paper_key": ref}, include=[], limit=1)["ids"]:
                        keys = [ref]
                        break
            families = set()
            for key in keys:
                meta = self.paper_meta(key)
                if meta:
                    families.add(meta["family"])
                self.col("papers").delete(ids=[key])  # the record goes first
                for name in ("claims", "chunks", "pages"):
                    self.col(name).delete(where={"paper_key": key})
            self.backend.bump("papers", "pages", "chunks", "claims")
            for family in families:
                self.update_current(family)
            self.record_manifest()
        return keys

    # --- pages and chunks ----------------------------------------------------------------
    def get_pages(self, paper_key: str) -> list[str]:
        """Page texts of a paper version (index 0 is page 1); [] when unknown."""
        key = self.resolve_key(paper_key) or paper_key
        got = self._get("pages", ids=[f"{key}#pages"], include=["documents", "metadatas"])
        if not got["ids"]:  # stores written before: a record per page
            got = self._get("pages", where={"paper_key": key}, include=["documents", "metadatas"])
        rows = sorted(
            zip(got["ids"], got["metadatas"], got["documents"], strict=True),
            key=lambda r: r[1]["page"],
        )
        for rid, meta, doc in rows:
            if rid.endswith("#pages"):  # all pages in one record (older stores: as document)
                return [str(page) for page in json.loads(meta.get("pages") or doc)]
        return [doc for _, _, doc in rows]  # stores written before: a record per page

    def get_chunks(self, paper_key: str, page: int | None = None) -> list[Chunk]:
        """Chunks of a paper version in order; with `page`, those spanning that page."""
        key = self.resolve_key(paper_key) or paper_key
        where: dict[str, Any] = {"paper_key": key}
        if page is not None:
            where = {
                "$and": [
                    {"paper_key": key},
                    {"page_start": {"$lte": page}},
                    {"page_end": {"$gte": page}},
                ]
            }
        got = self._get("chunks", where=where, include=["documents", "metadatas"])
        chunks = [
            Chunk(
                paper_key=m["paper_key"],
                index=m["index"],
                section=m.get("section", ""),
                page_start=m["page_start"],
                page_end=m["page_end"],
                char_start=m.get("char_start", 0),
                char_end=m.get("char_end", 0),
                text=record_text(doc, m),
            )
            for m, doc in zip(got["metadatas"], got["documents"], strict=True)
        ]
        return sorted(chunks, key=lambda c: c.index)

    # --- claims --------------------------------------------------------------------------
    def add_claims(self, claims: Iterable[Claim]) -> int:
        """Store claims (upsert by claim_id); they inherit their paper's current flag and
        topics. Returns how many were written."""
        claims = list({c.claim_id: c for c in claims}.values())  # the same claim once
        if not claims:
            return 0
        with self.backend.write_lock():
            bases: dict[str, dict[str, Any]] = {}
            for claim in claims:
                if claim.paper_key not in bases:
                    meta = self.paper_meta(claim.paper_key)
                    if meta is None:
                        raise StoreError(
                            f"claim for unknown paper {claim.paper_key}",
                            "ingest the paper before storing its claims",
                        )
                    bases[claim.paper_key] = {
                        k: meta[k]
                        for k in (
                            "paper_key",
                            "family",
                            "arxiv_id",
                            "title",
                            "current",
                            "published",
                            "topics",
                        )
                        if k in meta
                    }
            self._upsert(
                "claims",
                [c.claim_id for c in claims],
                [claim_document(c) for c in claims],
                [claim_meta(c, bases[c.paper_key]) for c in claims],
            )
            self.backend.bump("claims")
            self.record_manifest()
        return len(claims)

    def get_claim(self, claim_id: str) -> Claim | None:
        got = self._get("claims", ids=[claim_id], include=["metadatas"])
        return Claim.model_validate_json(got["metadatas"][0]["json"]) if got["ids"] else None

    def get_claims(
        self,
        paper: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        *,
        topic: str | None = None,
        current_only: bool = True,
    ) -> list[Claim]:
        """Claims filtered by paper (key or family), kind, status and topic."""
        keys = None
        if paper is not None:
            key = self.resolve_key(paper)
            if key is None:
                return []
            keys, current_only = [key], False
        where = build_where(
            keys=keys, kind=kind, status=status, topic=topic, current_only=current_only
        )
        got = self._get("claims", where=where, include=["metadatas"])
        claims = [Claim.model_validate_json(m["json"]) for m in got["metadatas"]]
        return sorted(claims, key=lambda c: (c.paper_key, c.page, c.claim_id))

    def update_claim(
        self,
        claim_id: str,
        *,
        status: str | None = None,
        reasons: Sequence[str] | None = None,
        statement_zh: str | None = None,
    ) -> Claim:
        """Change a claim's status, the critic's reasons or its Chinese statement."""
        with self.backend.write_lock():
            claim = self.get_claim(claim_id)
            if claim is None:
                raise StoreError(f"no claim {claim_id!r} in the store", "check the claim id")
            changes: dict[str, Any] = {}
            if status is not None:
                changes["status"] = status
            if reasons is not None:
                changes["reasons"] = list(reasons)
            if statement_zh is not None:
                changes["statement_zh"] = statement_zh
            updated = Claim.model_validate({**claim.model_dump(), **changes})
            meta = {"status": updated.status, "json": updated.model_dump_json()}
            col = self.col("claims")
            if statement_zh is not None:
                col.update(
                    ids=[claim_id],
                    metadatas=[meta],
                    documents=[claim_document(updated)],
                    embeddings=self._embed([claim_document(updated)]),
                )
            else:
                col.update(ids=[claim_id], metadatas=[meta])
            self.backend.bump("claims")
        return updated

    # --- briefs --------------------------------------------------------------------------
    def add_brief(self, record: BriefRecord) -> str:
        with self.backend.write_lock():
            meta = {
                "kind": record.kind,
                "topic": record.topic,
                "created": record.created_at.isoformat(),
                "json": record.model_dump_json(),
            }
            self._upsert("briefs", [record.brief_id], [record.topic or record.kind], [meta])
            self.backend.bump("briefs")
        return record.brief_id

    def list_briefs(self, kind: str | None = None) -> list[BriefRecord]:
        got = self._get("briefs", where={"kind": kind} if kind else None, include=["metadatas"])
        records = [BriefRecord.model_validate_json(m["json"]) for m in got["metadatas"]]
        return sorted(records, key=lambda r: r.created_at)

    # --- overview ------------------------------------------------------------------------
    def _page_total(self) -> int:
        """Pages stored, over every complete paper version (from the paper records, so the
        page texts are not read)."""
        metas = self._get("papers", include=["metadatas"])["metadatas"]
        return sum(int(m.get("page_count") or 0) for m in metas)

    def count(self, name: str) -> int:
        self._refresh()
        return self.col(name).count()

    def stats(self) -> dict[str, Any]:
        """Counts of papers, chunks and claims by status, the embedder and the location."""
        claims = self._get("claims", include=["metadatas"])["metadatas"]
        by_status: dict[str, int] = {"pending": 0, "verified": 0, "rejected": 0}
        for m in claims:
            by_status[m["status"]] = by_status.get(m["status"], 0) + 1
        papers = self._get("papers", include=["metadatas"])["metadatas"]
        recorded = self.recorded_embedding()
        return {
            "location": self.location,
            "backend": "server" if self.backend.url else "local",
            "embeddings": (recorded or {}).get("spec", self.spec),
            "dim": (recorded or {}).get("dim"),
            "papers": sum(1 for m in papers if m.get("current")),
            "paper_versions": len(papers),
            "pages": self._page_total(),
            "chunks": self.count("chunks"),
            "claims": len(claims),
            "claims_by_status": by_status,
            "briefs": self.count("briefs"),
        }

    def search(self, query: str, k: int = 10, **filters: Any) -> list[Any]:
        """Hybrid search; see `store.search.search` for the filters."""
        return search(self, query, k, **filters)

    def close(self) -> None:
        self.backend.close()


# --- metadata helpers ------------------------------------------------------------------------
def clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata: no None values, no empty lists."""
    out = {}
    for key, value in meta.items():
        if value is None or (isinstance(value, list) and not value):
            continue
        out[key] = value
    return out


def paper_meta_fields(paper: Paper, current: bool) -> dict[str, Any]:
    return {
        "paper_key": paper.key,
        "family": paper.family,
        "arxiv_id": paper.arxiv_id or "",
        "title": paper.title,
        "current": current,
        "published": date_int(paper.published or paper.updated),
        "topics": sorted(set(paper.topics)),
    }


def chunk_meta(chunk: Chunk, base: dict[str, Any]) -> dict[str, Any]:
    return {
        **base,
        "kind": "chunk",
        "index": chunk.index,
        "section": chunk.section,
        "page": chunk.page_start,
        "page_start": chunk.page_start,
        "page_end": chunk.page_end,
        "char_start": chunk.char_start,
        "char_end": chunk.char_end,
    }


def claim_document(claim: Claim) -> str:
    """What a claim is searched by: its statements and its quote."""
    return "\n".join(p for p in (claim.statement, claim.statement_zh, claim.quote) if p)


def claim_meta(claim: Claim, base: dict[str, Any]) -> dict[str, Any]:
    return {
        **base,
        "kind": claim.kind,
        "status": claim.status,
        "page": claim.page,
        "section": claim.section,
        "extractor": claim.extractor,
        "json": claim.model_dump_json(),
    }


def open_store(settings: Any, *, check: bool = True, embeddings: str | None = None) -> ClaimStore:
    """The store `settings` point at: a Chroma server when `chroma_url` is set, else a local
    store under `settings.store_dir`. `embeddings` overrides the configured provider;
    `check=False` opens a store recorded with another provider (for reindexing)."""
    from store import manifest

    local = not settings.chroma_url
    if local:  # Chroma would silently start an empty store over a lost database
        manifest.check_before_open(settings.store_dir)
    backend = Backend(store_dir=settings.store_dir, url=settings.chroma_url)
    wanted = embeddings or settings.embeddings
    spec = resolve_spec(wanted)
    if wanted == "auto":
        probe = ClaimStore(backend, spec, settings, check=False)
        recorded = probe.recorded_embedding()
        if recorded:
            spec = recorded["spec"]
    store = ClaimStore(backend, spec, settings, check=check)
    if any(c.name.endswith("-reindex") for c in backend.client.list_collections()):
        with backend.write_lock():  # a killed `brief store reindex`: finish or drop it
            recover_reindex(store)
    if local:
        try:
            manifest.check_counts(settings.store_dir, lambda: store.raw_counts().get("papers", 0))
        except BaseException:
            store.close()
            raise
    return store
