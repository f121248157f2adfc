"""Group commit for the per-paper branches' store writes.

Every Chroma write costs tens of milliseconds however small it is (a transaction and its
index updates) and holds the GIL while it runs, and the branches of a run all write: their
papers after parsing, their claims after critique. A branch hands its write to the run's StoreWriter and waits;
one writer thread takes everything queued and stores it in one call per kind (papers with
store.ingest.store_parsed_keyed, claims with add_claims). When a merged write fails, each of
its items is written alone, so an error reaches only the branch whose data caused it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from store.schemas import Claim, ParsedPaper


@dataclass
class _Write:
    kind: str  # "paper" | "claims"
    payload: Any
    source: str = ""
    topics: tuple[str, ...] = ()
    done: Future[Any] = field(default_factory=Future)


class StoreWriter:
    """Writes of many threads to one store, merged. `close()` ends the writer thread."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._queue: list[_Write] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    # --- what branches call --------------------------------------------------------------
    def store_paper(self, parsed: ParsedPaper, source: str, topics: list[str]) -> str:
        """store_parsed: 'added', 'unchanged', 'new_version' or 'candidate'."""
        return self.store_paper_keyed(parsed, source, topics)[0]

    def store_paper_keyed(
        self, parsed: ParsedPaper, source: str, topics: list[str]
    ) -> tuple[str, str]:
        """`store_paper` and the key the paper is stored under: a candidate (a file printing
        an id stored from another file, store.identity) is stored under its own sha256."""
        status, key = self._submit(_Write("paper", parsed, source, tuple(topics)))
        return str(status), str(key)

    def save_claims(self, claims: list[Claim]) -> None:
        if claims:
            self._submit(_Write("claims", list(claims)))

    # --- the writer thread ---------------------------------------------------------------
    def _submit(self, write: _Write) -> Any:
        with self._cond:
            if self._closed:
                raise RuntimeError("the run's store writer is closed")
            self._queue.append(write)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="store-writer")
                self._thread.daemon = True
                self._thread.start()
            self._cond.notify()
        return write.done.result()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                batch, self._queue = self._queue, []
                if not batch and self._closed:
                    return
            self._write(batch)

    def _write(self, batch: list[_Write]) -> None:
        groups: dict[tuple[str, str, tuple[str, ...]], list[_Write]] = {}
        for write in batch:
            groups.setdefault((write.kind, write.source, write.topics), []).append(write)
        for (kind, source, topics), writes in groups.items():
            if len(writes) > 1:
                try:
                    results = self._store(kind, source, topics, [w.payload for w in writes])
                except Exception:  # noqa: BLE001  find whose data fails: one by one below
                    pass
                else:
                    for write, result in zip(writes, results, strict=True):
                        write.done.set_result(result)
                    continue
            for write in writes:
                try:
                    write.done.set_result(self._store(kind, source, topics, [write.payload])[0])
                except BaseException as exc:  # noqa: BLE001  the branch raises it
                    write.done.set_exception(exc)

    def _store(
        self, kind: str, source: str, topics: tuple[str, ...], items: list[Any]
    ) -> list[Any]:
        """One store call for `items` of one kind; a result per item."""
        if kind == "paper":
            from store.ingest import store_parsed_keyed

            return list(
                self._serially(store_parsed_keyed, items, source=source, topics=list(topics))
            )
        claims = [claim for item in items for claim in item]
        self._serially(lambda store, batch: store.add_claims(batch), claims)
        return [None] * len(items)

    def _serially(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        serially = getattr(self.store, "serially", None)  # a SerialStore: under its lock
        if serially is not None:
            return serially(fn, *args, **kwargs)
        return fn(self.store, *args, **kwargs)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join()
