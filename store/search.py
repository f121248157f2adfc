"""Hybrid retrieval over chunks and claims: dense vectors fused with BM25.

Each collection is searched twice, by Chroma's vector index and by an in-process BM25
index (cached per process and store, rebuilt when the collection's write generation
changes), and the two rankings are fused with reciprocal rank fusion (RRF, k=60), which
needs no score calibration between the two. Chunk and claim results are merged by fused
score. A question in Chinese is searched through its English terms (store/crosslingual.py),
and the AS_TYPED best lexical hits of its Chinese as typed are fused in too (Chinese
documents).
"""

from __future__ import annotations

import os
import pickle
import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

from store.backend import get_all
from store.crosslingual import chinese_of, has_cjk, search_text
from store.lexical import LexicalIndex
from store.records import TEXT, build_where, date_int, texts_of

if TYPE_CHECKING:
    from store.chroma import ClaimStore

EXACT_LIMIT = 2000  # filters passing at most this many records are ranked exactly
RRF_K = 60
CLAIM_KINDS = ("problem", "method", "result", "limitation", "dataset", "other")
AS_TYPED = 2  # a Chinese query's own best lexical hits fused in (Chinese documents)
_CACHE: dict[tuple[str, str], tuple[str, LexicalIndex]] = {}
_CACHE_LOCK = threading.Lock()


class Hit(BaseModel):
    """One search result: a chunk of a paper or a claim about it."""

    id: str
    paper_key: str
    arxiv_id: str | None = None
    title: str = ""
    page: int
    section: str = ""
    text: str
    score: float
    kind: str  # "chunk" or the claim's kind
    status: str | None = None  # claims only

    def public(self) -> dict[str, Any]:
        """The fields `brief store search --json` prints."""
        return self.model_dump(
            include={"arxiv_id", "title", "page", "section", "text", "score", "kind"}
        )


def lexical_index(store: ClaimStore, name: str, generation: str) -> LexicalIndex:
    """The BM25 index of `brief_<name>`, rebuilt only when its generation changed.

    Cached per process; a local store also keeps it on disk (`<store>/lexical/<name>.pkl`,
    written atomically) so a new process need not re-tokenise the whole collection.
    """
    col = store.col(name)
    key = (store.location, name)
    stamp = f"{col.id}:{generation}"  # a recreated collection has a new id
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
        root = store.backend.store_dir if store.backend.local else None
        path = root / "lexical" / f"{name}.pkl" if root is not None else None
        index = _load(path, stamp) if path else None
        if index is None:
            got = get_all(col, include=["documents", "metadatas"])
            metas = [{k: v for k, v in m.items() if k != TEXT} for m in got["metadatas"]]
            index = LexicalIndex(got["ids"], texts_of(got), metas)  # texts are not kept
            if path:
                _save(path, stamp, index)
        _CACHE[key] = (stamp, index)
        return index


def _load(path: Path, stamp: str) -> LexicalIndex | None:
    try:
        with path.open("rb") as fh:
            saved_stamp, index = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError):
        return None
    return index if saved_stamp == stamp and isinstance(index, LexicalIndex) else None


def _save(path: Path, stamp: str, index: LexicalIndex) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump((stamp, index), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:  # a read-only store still searches, just without the disk cache
        pass


def invalidate_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def _mask(
    index: LexicalIndex,
    keys: list[str] | None,
    kind: str | None,
    status: str | None,
    exclude_rejected: bool,
    topic: str | None,
    since: date | None,
    until: date | None,
    current_only: bool,
) -> np.ndarray | None:
    mask = np.ones(index.n, dtype=bool)
    if keys is not None:
        mask &= np.isin(index.column("paper_key"), keys)
    if kind is not None:
        mask &= index.column("kind") == kind
    if status is not None:
        mask &= index.column("status") == status
    elif exclude_rejected:
        mask &= index.column("status") != "rejected"
    if topic is not None:
        mask &= np.array([topic in (t or ()) for t in index.column("topics")], dtype=bool)
    if since is not None or until is not None:
        published = index.column("published").astype(np.int64)
        if since is not None:
            mask &= published >= date_int(since)
        if until is not None:
            mask &= published <= date_int(until)
    if current_only:
        mask &= index.column("current") == True  # noqa: E712 (object array)
    return None if mask.all() else mask


def _dense(
    store: ClaimStore,
    name: str,
    vector: list[float],
    n: int,
    where: dict[str, Any] | None,
    broad_only: bool,
    accept: Any,
    total: int,
    passing: int,
    candidates: list[str] | None = None,
) -> list[tuple[str, str, dict[str, Any]]]:
    """Top `n` (id, "", metadata) by vector similarity that satisfy the filters.

    Filters that keep most records (current version, not rejected) are applied after an
    unfiltered over-fetch sized by how many records pass them (`passing` of `total`),
    which is much faster in Chroma than a filtered query; the filtered query is the
    fallback when too few results survive. When a filter keeps few records (one paper),
    `candidates` holds their ids (from the lexical index's mask): their vectors are fetched
    by id and ranked exactly here, far faster than Chroma's filtered search. Documents are
    fetched later, for the final hits.
    """
    if total == 0 or passing == 0:
        return []
    col = store.col(name)
    if candidates is not None:
        got = col.get(ids=candidates, include=["embeddings", "metadatas"])
        if not got["ids"]:
            return []
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        query = np.asarray(vector, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1) * (np.linalg.norm(query) or 1.0)
        scores = vectors @ query / np.where(norms == 0, 1.0, norms)
        order = np.argsort(-scores, kind="stable")[:n]
        return [(got["ids"][i], "", got["metadatas"][i]) for i in order]
    if where is None or broad_only:
        fetch = min(total, n if passing >= total else int(n * total / passing) + n)
        res = col.query(query_embeddings=[vector], n_results=fetch, include=["metadatas"])
        rows = [
            (i, "", m) for i, m in zip(res["ids"][0], res["metadatas"][0], strict=True) if accept(m)
        ]
        if len(rows) >= min(n, passing) or fetch >= total:
            return rows[:n]
    res = col.query(
        query_embeddings=[vector], n_results=min(total, n), where=where, include=["metadatas"]
    )
    return [(i, "", m) for i, m in zip(res["ids"][0], res["metadatas"][0], strict=True)]


def search(
    store: ClaimStore,
    query: str,
    k: int = 10,
    *,
    paper: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    topic: str | None = None,
    since: date | None = None,
    until: date | None = None,
    current_only: bool = True,
    dense: bool = True,
    lexical: bool = True,
) -> list[Hit]:
    """The `k` best chunks and claims for `query`.

    `paper`: a key, family or arXiv id (only that paper); `kind`: "chunk", "claim" or a claim
    kind; `status`: claims with that status only (default: all but rejected); `topic`,
    `since`/`until` (publication date); `current_only`: newest version of each paper only
    (ignored when `paper` names a version). `dense`/`lexical` switch either part off.
    A query with Chinese characters is searched as its English terms (`search_text`).
    """
    if not query.strip():
        return []
    typed = chinese_of(query) if has_cjk(query) else None
    query = search_text(query)
    gens = store._refresh()
    keys = None
    if paper is not None:
        key = store.resolve_key(paper)
        if key is None:
            return []
        keys = [key]
        current_only = False
    names = ["chunks", "claims"]
    claim_kind = None
    if kind == "chunk":
        names = ["chunks"]
    elif kind is not None:
        names = ["claims"]
        claim_kind = None if kind == "claim" else kind
    if status is not None:
        names = ["claims"]
    n = max(k * 3, 30)
    vector = store.embedder.embed_query([query])[0] if dense else None
    fused: dict[str, tuple[float, str, str, dict[str, Any]]] = {}
    for name in names:
        is_claims = name == "claims"
        use_kind = claim_kind if is_claims else None
        where = build_where(
            keys=keys,
            kind=use_kind,
            status=status if is_claims else None,
            topic=topic,
            since=since,
            until=until,
            current_only=current_only,
        )
        rankings: list[list[tuple[str, str, dict[str, Any]]]] = []
        index = lexical_index(store, name, gens.get(name, ""))  # also gives counts
        if index.n == 0:
            continue
        mask = _mask(
            index,
            keys,
            use_kind,
            status if is_claims else None,
            is_claims and status is None,
            topic,
            since,
            until,
            current_only,
        )
        passing = index.n if mask is None else int(mask.sum())
        if lexical:
            ranked = index.search(query, n, mask)
            rankings.append([(index.ids[r], "", index.metas[r]) for r, _ in ranked])
            if typed:  # the query's Chinese as typed, for documents written in Chinese
                ranked = index.search(typed, AS_TYPED, mask)
                rankings.append([(index.ids[r], "", index.metas[r]) for r, _ in ranked])
        if dense and vector is not None:
            if is_claims and status is None:
                rejected = {"status": {"$ne": "rejected"}}
                where = rejected if where is None else {"$and": [*_parts(where), rejected]}
            broad = (
                keys is None
                and use_kind is None
                and topic is None
                and since is None
                and until is None
                and (status is None or not is_claims)
            )

            def accept(m: dict[str, Any], claims: bool = is_claims) -> bool:
                if current_only and not m.get("current"):
                    return False
                return not (claims and status is None and m.get("status") == "rejected")

            candidates = None
            if mask is not None and passing <= EXACT_LIMIT:
                candidates = [index.ids[i] for i in np.flatnonzero(mask)]
            rankings.append(
                _dense(store, name, vector, n, where, broad, accept, index.n, passing, candidates)
            )
        for ranking in rankings:
            for rank, (rid, doc, meta) in enumerate(ranking):
                score, _, old_doc, _ = fused.get(rid, (0.0, name, "", meta))
                text = doc or old_doc or str(meta.get(TEXT) or "")  # dense hits carry it
                fused[rid] = (score + 1.0 / (RRF_K + rank + 1), name, text, meta)
    best = sorted(fused.items(), key=lambda item: -item[1][0])[:k]
    missing = [rid for rid, (_, _, doc, _) in best if not doc]
    docs = _documents(store, missing, {rid: v[1] for rid, v in best})
    return [
        _hit(rid, score, name, doc or docs.get(rid, ""), meta)
        for rid, (score, name, doc, meta) in best
    ]


def _parts(where: dict[str, Any]) -> list[dict[str, Any]]:
    return list(where["$and"]) if "$and" in where else [where]


def _documents(store: ClaimStore, ids: list[str], names: dict[str, str]) -> dict[str, str]:
    """Documents of lexical-only hits (the lexical index keeps no texts)."""
    out: dict[str, str] = {}
    for name in ("chunks", "claims"):
        wanted = [i for i in ids if names[i] == name]
        if wanted:
            got = store.col(name).get(ids=wanted, include=["documents", "metadatas"])
            out.update(zip(got["ids"], texts_of(got), strict=True))
    return out


def _hit(rid: str, score: float, name: str, doc: str, meta: dict[str, Any]) -> Hit:
    text = doc
    if name == "claims":
        text = doc.split("\n", 1)[0]  # the English statement
    return Hit(
        id=rid,
        paper_key=meta.get("paper_key", ""),
        arxiv_id=meta.get("arxiv_id") or None,
        title=meta.get("title", ""),
        page=int(meta.get("page", 0)),
        section=meta.get("section", ""),
        text=text,
        score=round(score, 6),
        kind=meta.get("kind", "chunk"),
        status=meta.get("status"),
    )
