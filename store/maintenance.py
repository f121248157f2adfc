"""Store-wide jobs: re-embedding with another provider, exporting papers and claims."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from store.backend import get_all
from store.chroma import BATCH, EMBEDDED, PREFIX, SCHEMA_VERSION, ClaimStore
from store.records import texts_of
from store.recovery import COMPLETE, REINDEX_SUFFIX, recover_reindex
from store.recovery import swap_in as _swap  # one name, so a test can stand in for it


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


# --- backup and restore ----------------------------------------------------------------------
BACKUP_INFO = "backup.json"


@contextmanager
def _store_files_locked(store_dir: Path) -> Iterator[None]:
    """The local store's write lock, taken without opening Chroma (the store may be
    damaged): no brief process writes the store's files meanwhile."""
    from filelock import lock_descriptor, unlock_descriptor

    from agent.storefaults import open_lock_file

    store_dir.mkdir(parents=True, exist_ok=True)
    handle = open_lock_file(store_dir / "write.lock")
    try:
        lock_descriptor(handle.fileno())
        try:
            yield
        finally:
            unlock_descriptor(handle.fileno())
    finally:
        handle.close()


def _copy_store(src: Path, dest: Path) -> None:
    """Copy a store folder; the SQLite database through SQLite's backup API, so a copy
    taken while readers use it is consistent."""
    import shutil
    import sqlite3

    from store import manifest as mf

    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("*.lock", mf.DATABASE, "*.brief.tmp"))
    with (
        sqlite3.connect(f"file:{src / mf.DATABASE}?mode=ro", uri=True) as source,
        sqlite3.connect(dest / mf.DATABASE) as target,
    ):
        source.backup(target)
    target.close()
    source.close()


def backup_store(settings: Any, dest: Path) -> dict[str, Any]:
    """Copy the local store and its manifest into the new folder `dest` (under the store's
    write lock). Returns what was copied."""
    import json
    import shutil

    from agent.errors import ConfigError, StoreError
    from store import manifest as mf

    if settings.chroma_url:
        raise ConfigError(
            "brief store backup copies a local store", "back up the Chroma server's own data"
        )
    store_dir = Path(settings.store_dir)
    dest = Path(dest).expanduser()
    if dest.exists() and any(dest.iterdir()):
        raise ConfigError(f"{dest} is not empty", "give a new or empty folder")
    problem = mf.database_problem(store_dir)
    if problem:
        raise StoreError(f"nothing to back up: {problem}", "ingest papers first")
    recorded = mf.read_manifest(store_dir) or {}
    dest.mkdir(parents=True, exist_ok=True)
    with _store_files_locked(store_dir):
        _copy_store(store_dir, dest / "store")
        if mf.manifest_path(store_dir).is_file():
            shutil.copy2(mf.manifest_path(store_dir), dest / mf.manifest_path(store_dir).name)
    info = {"store": str(store_dir), "manifest": recorded}
    (dest / BACKUP_INFO).write_text(json.dumps(info, indent=1) + "\n", "utf-8")
    return {
        "backup": str(dest),
        **{k: recorded.get(k) for k in ("paper_versions", "chunks", "claims")},
    }


def _forget_open_stores() -> None:
    """Chroma keeps one client per store path in a process, with its SQLite connection to
    the replaced file: the next open in this process must start afresh."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient
    except ImportError:  # another chromadb layout: nothing cached there
        return
    SharedSystemClient.clear_system_cache()


def restore_store(settings: Any, src: Path) -> dict[str, Any]:
    """Replace the local store with the backup in `src`. The current store folder and
    manifest are moved aside (`<store>.before-restore-<time>`), never deleted."""
    import shutil
    from datetime import UTC, datetime

    from agent.errors import ConfigError
    from store import manifest as mf

    if settings.chroma_url:
        raise ConfigError("brief store restore writes a local store", "unset BRIEF_CHROMA_URL")
    src = Path(src).expanduser()
    backup_dir = src / "store"
    problem = mf.database_problem(backup_dir)
    if problem:
        raise ConfigError(
            f"{src} is not a brief store backup: {problem}",
            "give the folder `brief store backup` wrote",
        )
    store_dir = Path(settings.store_dir)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    aside = store_dir.with_name(f"{store_dir.name}.before-restore-{stamp}")
    manifest = mf.manifest_path(store_dir)
    with _store_files_locked(store_dir):
        staging = store_dir.with_name(f".{store_dir.name}.restoring-{stamp}")
        _copy_store(backup_dir, staging)  # the copy is whole before anything is moved
        aside.mkdir()
        for item in list(store_dir.iterdir()):
            if item.name != "write.lock":
                item.rename(aside / item.name)
        for item in list(staging.iterdir()):
            item.rename(store_dir / item.name)
        staging.rmdir()
        if manifest.is_file():
            manifest.rename(aside / manifest.name)
        saved = src / manifest.name
        if saved.is_file():
            shutil.copy2(saved, manifest)
    _forget_open_stores()
    return {
        "restored": str(src),
        "previous": str(aside),
        **{
            k: (mf.read_manifest(store_dir) or {}).get(k)
            for k in ("paper_versions", "chunks", "claims")
        },
    }
