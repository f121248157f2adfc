"""Storing a parsed paper: the one service ingest and the fetcher call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from store.chroma import ClaimStore
from store.identity import as_candidate, conflict
from store.schemas import Chunk, Paper, ParsedPaper

StoreResult = Literal["added", "unchanged", "new_version", "candidate"]


def store_parsed(
    store: ClaimStore, parsed: ParsedPaper, source: str = "pdf", topics: Sequence[str] = ()
) -> StoreResult:
    """Store one parsed paper version and return what happened.

    - "unchanged": this version is already stored completely from the same file (new
      topics are still added to it);
    - "new_version": another version of the paper was stored before; this one is kept
      beside it and the newest version becomes current;
    - "candidate": the file prints an arXiv id stored already from a different file; it is
      kept under its own sha256 key and the stored paper is untouched (store.identity);
    - "added": anything else, including the repair of a half-written earlier attempt.

    Pages and chunks are written before the paper record, under the store's write lock,
    so a paper record exists only for a complete version.
    """
    return store_parsed_many(store, [parsed], source=source, topics=topics)[0]


def store_parsed_many(
    store: ClaimStore,
    items: Sequence[ParsedPaper],
    source: str = "pdf",
    topics: Sequence[str] = (),
) -> list[StoreResult]:
    """`store_parsed` for many papers at once: one lock, records written in large batches
    (much faster for a folder of papers). Results are in the order of `items`."""
    return [status for status, _ in store_parsed_keyed(store, items, source, topics)]


def store_parsed_keyed(
    store: ClaimStore,
    items: Sequence[ParsedPaper],
    source: str = "pdf",
    topics: Sequence[str] = (),
) -> list[tuple[StoreResult, str]]:
    """`store_parsed_many` with the key each paper is stored under (a candidate's differs
    from the key its PDF prints)."""
    results: list[tuple[StoreResult, str]] = []
    todo: list[tuple[Paper, list[str], list[Chunk], bool]] = []
    vectors: list[Any] = []  # chunk vectors the reader computed, per paper in `todo`
    families: set[str] = set()
    with store.backend.write_lock():
        planned: dict[str, tuple[str, int]] = {}  # key -> (family, version) in this call
        seen: dict[str, dict[str, Any]] = {}  # key -> the metadata identity compares
        for parsed in items:
            candidate = False
            printed = parsed.paper
            if printed.arxiv_id:
                # this call's earlier papers count as stored: they are written below
                versions = store.family_versions(printed.family) | {
                    k: m for k, m in seen.items() if m["family"] == printed.family
                }
                existing = versions.pop(printed.key, None)
                if conflict(printed, existing, versions, check_titles=source != "arxiv"):
                    parsed, candidate = as_candidate(parsed), True
            paper = parsed.paper.model_copy(deep=True)
            paper.source = source or paper.source
            paper.topics = sorted(set(paper.topics) | set(topics))
            if not paper.page_count:
                paper.page_count = len(parsed.pages)
            key = paper.key
            if key in planned:  # the same version twice in one call: the first wins
                results.append(("candidate" if candidate else "unchanged", key))
                continue
            existing = store.paper_meta(key)
            if existing and existing.get("complete") and existing.get("sha256") == paper.sha256:
                have = set(existing.get("topics") or [])
                if not set(paper.topics) <= have:
                    stored = store.get_paper(key)
                    assert stored is not None
                    stored.topics = sorted(have | set(paper.topics))
                    _add_topics(store, key, stored.topics, stored.model_dump_json())
                results.append(("candidate" if candidate else "unchanged", key))
                continue
            others = {k: m for k, m in store.family_versions(paper.family).items() if k != key}
            pending = [v for f, v in planned.values() if f == paper.family]
            newest_other = max([m.get("version", 0) for m in others.values()] + pending, default=-1)
            current = paper.version_number >= newest_other
            todo.append((paper, parsed.pages, parsed.chunks, current))
            seen[key] = {
                "family": paper.family,
                "sha256": paper.sha256,
                "title": paper.title,
                "complete": True,
            }
            vectors.append(parsed.vectors_for(store.spec))
            planned[key] = (paper.family, paper.version_number)
            if others or pending:
                families.add(paper.family)
            fresh_version = (others or pending) and current and existing is None
            status: StoreResult = "new_version" if fresh_version else "added"
            results.append(("candidate" if candidate else status, key))
        store.write_papers(todo, vectors)
        for family in families:
            store.update_current(family)
    return results


def _add_topics(store: ClaimStore, key: str, topics: list[str], paper_json: str) -> None:
    store.set_paper_fields(key, {"topics": topics})
    store.col("papers").update(ids=[key], metadatas=[{"json": paper_json}])
