"""The records as the store names, writes and reads them: the collections' name prefix, a
record's text, dates as yyyymmdd integers, and Chroma `where` clauses from brief's filters.
Shared by the store (store.chroma), its search (store.search) and its maintenance
(store.recovery, store.maintenance); imports nothing of the project."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

PREFIX = "brief_"  # of every collection's name
TEXT = "text"  # metadata key of a chunk's text


def date_int(value: date | None) -> int:
    """A date as yyyymmdd (0 when unknown), for range filters in metadata."""
    return value.year * 10000 + value.month * 100 + value.day if value else 0


def record_text(doc: str | None, meta: dict[str, Any] | None) -> str:
    """A record's text: metadata `text` (chunks), else its Chroma document."""
    return str((meta or {}).get(TEXT) or doc or "")


def texts_of(got: dict[str, Any]) -> list[str]:
    """`record_text` of every record of a Chroma `get` with documents and metadatas."""
    docs = got.get("documents") or [None] * len(got["ids"])
    return [record_text(d, m) for d, m in zip(docs, got["metadatas"], strict=True)]


def build_where(
    *,
    keys: Sequence[str] | None = None,
    kind: str | None = None,
    status: str | None = None,
    topic: str | None = None,
    since: date | None = None,
    until: date | None = None,
    current_only: bool = False,
) -> dict[str, Any] | None:
    """A Chroma `where` clause from brief's filters (None when there are none)."""
    parts: list[dict[str, Any]] = []
    if keys is not None:
        parts.append({"paper_key": {"$in": list(keys)}})
    if kind is not None:
        parts.append({"kind": kind})
    if status is not None:
        parts.append({"status": status})
    if topic is not None:
        parts.append({"topics": {"$contains": topic}})
    if since is not None:
        parts.append({"published": {"$gte": date_int(since)}})
    if until is not None:
        parts.append({"published": {"$lte": date_int(until)}})
    if current_only:
        parts.append({"current": True})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}
