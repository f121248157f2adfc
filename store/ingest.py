"""Storing a parsed paper: the one service ingest and the fetcher call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from store.chroma import ClaimStore
from store.schemas import ParsedPaper

StoreResult = Literal["added", "unchanged", "new_version"]


def store_parsed(
    store: ClaimStore, parsed: ParsedPaper, source: str = "pdf", topics: Sequence[str] = ()
) -> StoreResult:
    """Store one parsed paper version and return what happened.

    - "unchanged": this version is already stored completely from the same file (new
      topics are still added to it);
    - "new_version": another version of the paper was stored before; this one is kept
      beside it and the newest version becomes current;
    - "added": anything else, including the repair of a half-written earlier attempt.

    Pages and chunks are written before the paper record, under the store's write lock,
    so a paper record exists only for a complete version.
    """
    paper = parsed.paper.model_copy(deep=True)
    paper.source = source or paper.source
    paper.topics = sorted(set(paper.topics) | set(topics))
    if not paper.page_count:
        paper.page_count = len(parsed.pages)
    key = paper.key
    with store.backend.write_lock():
        existing = store.paper_meta(key)
        if existing and existing.get("complete") and existing.get("sha256") == paper.sha256:
            have = set(existing.get("topics") or [])
            if not set(paper.topics) <= have:
                stored = store.get_paper(key)
                assert stored is not None
                stored.topics = sorted(have | set(paper.topics))
                _add_topics(store, key, stored.topics, stored.model_dump_json())
            return "unchanged"
        others = {k: m for k, m in store.family_versions(paper.family).items() if k != key}
        newest_other = max((m.get("version", 0) for m in others.values()), default=-1)
        current = paper.version_number >= newest_other
        store.write_paper(paper, parsed.pages, parsed.chunks, current=current)
        store.update_current(paper.family)
        if others and current and existing is None:
            return "new_version"
        return "added"


def _add_topics(store: ClaimStore, key: str, topics: list[str], paper_json: str) -> None:
    store.set_paper_fields(key, {"topics": topics})
    store.col("papers").update(ids=[key], metadatas=[{"json": paper_json}])
