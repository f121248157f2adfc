"""Finishing what a killed `brief store reindex` left: a complete re-embedded copy of a
collection is swapped in, a partial one dropped. Every store open runs `recover_reindex`
(store.chroma.open_store), and so does a reindex before it starts (store.maintenance)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from store.records import PREFIX

if TYPE_CHECKING:
    from store.chroma import ClaimStore

REINDEX_SUFFIX = "-reindex"
COMPLETE = "reindex_complete"  # metadata of a finished copy: how many records it holds


def swap_in(client: Any, name: str) -> None:
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
            swap_in(client, name)
            swapped.append(name)
        else:  # the old collection is intact: it was deleted only after the copy was done
            client.delete_collection(col.name)
    if swapped:
        store._cols.clear()
        store.backend.bump(*swapped)
    return swapped
