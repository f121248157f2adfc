"""Connections to Chroma: a local PersistentClient or a shared `chroma run` server.

Chroma's local client keeps its vector index in memory and is not safe for several
processes writing at once, so local writes take an exclusive file lock (`filelock`) on
`<store>/write.lock` and bump a generation file; a client that sees another process's
generation reopens itself before reading or writing. A server serialises writes itself; the
generation lives in a small `brief_meta` collection there so every process's lexical cache
notices writes by the others.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from filelock import lock_descriptor, unlock_descriptor

from agent.errors import BriefError, ConfigError, StoreError
from agent.files import atomic_write, remove_temp_files

LOCK_TIMEOUT = 600.0
META = "brief_meta"


def _quiet_chroma() -> None:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


class Backend:
    """A Chroma client plus the locking and write-generation bookkeeping around it."""

    def __init__(self, store_dir: Path | None = None, url: str | None = None) -> None:
        _quiet_chroma()
        self.url = url
        self.store_dir = store_dir
        self.client: Any = None
        self._seen: dict[str, str] = {}
        self._lock_depth = 0
        self._thread_lock = threading.RLock()  # threads of this process, one at a time
        self._lock_file: Any = None
        self.epoch = 0  # bumped when another client's writes were noticed
        self._connect()
        self._seen = self.generations()

    @property
    def location(self) -> str:
        return self.url or str(self.store_dir)

    @property
    def local(self) -> bool:
        return self.url is None

    def _connect(self) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if self.url:
            parsed = urlparse(self.url if "://" in self.url else f"http://{self.url}")
            if not parsed.hostname:
                raise ConfigError(
                    f"chroma_url {self.url!r} has no host", "use e.g. http://127.0.0.1:8000"
                )
            ssl = parsed.scheme == "https"
            try:
                self.client = chromadb.HttpClient(
                    host=parsed.hostname,
                    port=parsed.port or (443 if ssl else 8000),
                    ssl=ssl,
                    settings=chroma_settings,
                )
                self.client.heartbeat()
            except Exception as exc:
                raise StoreError(
                    f"cannot reach the Chroma server at {self.url}: {exc}",
                    "start it with `chroma run --path <dir>` or unset BRIEF_CHROMA_URL",
                ) from None
            return
        assert self.store_dir is not None
        try:
            self.store_dir.mkdir(parents=True, exist_ok=True)
            self.client = self._open_local(chromadb, chroma_settings)
        except BriefError:
            raise  # already one line naming the file and the fix
        except Exception as exc:
            from agent.storefaults import storage_error

            disk = storage_error(exc, self.store_dir)
            raise StoreError(
                f"cannot open the store at {self.store_dir}: {exc}",
                disk.hint
                if disk
                else "check the directory's permissions, or move it away and re-ingest",
            ) from None

    def _open_local(self, chromadb: Any, chroma_settings: Any) -> Any:
        """A PersistentClient, opened by one process at a time: two processes creating or
        migrating the same new store at once get SQLite's "database is locked"."""
        assert self.store_dir is not None
        from agent.storefaults import open_lock_file

        with open_lock_file(self.store_dir / "open.lock") as handle:
            lock_descriptor(handle.fileno())
            try:
                for attempt in range(OPEN_TRIES):
                    try:
                        return chromadb.PersistentClient(
                            path=str(self.store_dir), settings=chroma_settings
                        )
                    except Exception as exc:  # a writer of another process holds SQLite
                        if "database is locked" not in str(exc) or attempt + 1 == OPEN_TRIES:
                            raise
                        time.sleep(0.1 * (attempt + 1))
            finally:
                unlock_descriptor(handle.fileno())
        raise AssertionError("unreachable")

    def reopen(self) -> None:
        """Drop the client and connect again (after another process wrote)."""
        if self.local and self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close()
        self._connect()

    def close(self) -> None:
        if self.client is not None and self.local:
            with contextlib.suppress(Exception):
                self.client.close()
        self.client = None

    # --- generations: which collections changed since this process last looked ----------
    def generations(self) -> dict[str, str]:
        if self.local:
            assert self.store_dir is not None
            try:
                return json.loads((self.store_dir / "generation.json").read_text("utf-8"))
            except (OSError, ValueError):
                return {}
        meta = self._meta()
        got = get_all(meta, include=["documents"])
        return dict(zip(got["ids"], got["documents"] or [], strict=False))

    def _meta(self) -> Any:
        return self.client.get_or_create_collection(META, embedding_function=_NoEmbedding())

    def bump(self, *collections: str) -> None:
        """Record that `collections` changed (call inside `write_lock`)."""
        token = uuid.uuid4().hex
        if self.local:
            assert self.store_dir is not None
            gens = self.generations()
            gens.update({c: token for c in collections})
            path = self.store_dir / "generation.json"
            # a killed writer's temp file: every writer holds the write lock, so none is busy
            remove_temp_files(self.store_dir, targets=[path.name])
            atomic_write(path, json.dumps(gens))
            self._seen = gens
        else:
            self._meta().upsert(
                ids=list(collections),
                documents=[token] * len(collections),
                embeddings=[[1.0]] * len(collections),
            )
            self._seen.update({c: token for c in collections})

    def refresh(self) -> dict[str, str]:
        """Reopen a local client when another process wrote; return current generations."""
        gens = self.generations()
        if gens != self._seen:
            if self.local:
                self.reopen()
            self._seen = gens
            self.epoch += 1  # collection handles may be stale (e.g. after a reindex)
        return gens

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """Exclusive across processes and threads for a local store (re-entrant within a
        thread)."""
        if not self.local:
            yield
            return
        with self._thread_lock, self._process_lock():
            yield

    @contextlib.contextmanager
    def _process_lock(self) -> Iterator[None]:
        """The file lock, taken once by the outermost holder (the thread lock is held)."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        assert self.store_dir is not None
        from agent.storefaults import open_lock_file

        handle = open_lock_file(self.store_dir / "write.lock")
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            if lock_descriptor(handle.fileno(), blocking=False):
                break
            if time.monotonic() > deadline:
                handle.close()
                raise StoreError(
                    f"the store at {self.store_dir} is locked by another brief process",
                    "wait for it to finish, or use a Chroma server (BRIEF_CHROMA_URL)",
                )
            time.sleep(0.05)
        self._lock_depth = 1
        try:
            self.refresh()
            yield
        finally:
            self._lock_depth = 0
            unlock_descriptor(handle.fileno())
            handle.close()


OPEN_TRIES = 20  # attempts to open a local store that another process is writing (~20 s)
GET_PAGE = 5000  # records per get: an unbounded get fails past SQLite's variable limit


def get_all(col: Any, **kwargs: Any) -> dict[str, Any]:
    """`col.get(**kwargs)` for any number of records, fetched page by page (one get of a
    whole collection fails at a few ten thousand records: "too many SQL variables")."""
    include = list(kwargs.get("include", ["documents", "metadatas"]))
    out: dict[str, Any] = {"ids": [], **{name: [] for name in include}}
    offset = 0
    while True:
        got = col.get(limit=GET_PAGE, offset=offset, **kwargs)
        out["ids"] += got["ids"]
        for name in include:
            part = got.get(name)
            out[name] += list(part) if part is not None else []
        if len(got["ids"]) < GET_PAGE:
            return out
        offset += GET_PAGE


class _NoEmbedding:
    """Embedding function for collections that only ever get explicit vectors."""

    def __call__(self, input: Any) -> Any:
        raise StoreError("internal: this collection has no embedder", None)

    @staticmethod
    def name() -> str:
        return "brief-none"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> _NoEmbedding:
        return _NoEmbedding()

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "l2", "ip"]

    def embed_query(self, input: Any) -> Any:
        return self(input)


def no_embedding() -> Any:
    return _NoEmbedding()
