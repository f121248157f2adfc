"""PDF parsing in worker processes for the reader node.

Parsing is CPU-bound Python; in worker processes it neither holds the graph's GIL nor can a
pathological file hang the run: each file gets settings.pdf_timeout seconds from the moment
a worker starts on it (workers report that on a queue), after which the workers are killed,
the paper is reported as failed and a fresh pool takes over. Workers start with the first
file (a run whose papers are all stored starts none) and stop when the run ends. `prefetch`
queues the fetched files at once, largest first, so that no branch waits at the end of the
run for a big file that was queued behind small ones.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
import weakref
from collections.abc import Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from agent.errors import PdfError
from store.schemas import ParsedPaper

POLL = 0.05  # seconds between looks at a file's progress while waiting for it

_started: Any = None  # in a worker process: the queue on which it reports each file it starts


def _warm(started: Any = None) -> None:
    global _started
    if started is not None:
        _started = started
        _die_with_parent()
    import agent.sources.pdf  # noqa: F401  (import once per worker, before the first file)


def _die_with_parent(every: float = 1.0) -> None:
    """In a worker: exit when the run's process is gone (killed by SIGKILL, say), which
    leaves a pool's workers waiting for work forever. Workers are children of the
    forkserver, so the run's pid is watched, and the forkserver (which exits with it)."""
    import os

    parent = mp.parent_process()
    if parent is None or parent.pid is None:
        return
    run_pid, forkserver = parent.pid, os.getppid()

    def gone() -> bool:
        if os.name == "nt":
            return not parent.is_alive()
        if os.getppid() != forkserver:
            return True
        try:
            os.kill(run_pid, 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            return True
        except OSError:
            return False
        try:  # Linux: a killed run not yet reaped by its parent is a zombie
            with open(f"/proc/{run_pid}/stat", "rb") as stat:
                return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
        except (OSError, IndexError):
            return False

    def watch() -> None:
        while not gone():
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _read(
    path: str, engine: str, chunk_tokens: int, chunk_overlap: int, embed_spec: str | None
) -> ParsedPaper:
    from agent.sources.pdf import read_pdf, with_vectors

    if _started is not None:
        _started.put(path)
    parsed = read_pdf(
        Path(path), engine=engine, chunk_tokens=chunk_tokens, chunk_overlap=chunk_overlap
    )
    return with_vectors(parsed, embed_spec)


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


_live: weakref.WeakSet[_Workers] = weakref.WeakSet()  # generations not yet shut down
_stopped = threading.Event()  # set while a terminated run unwinds: no new readers


def kill_all(stop: bool = True) -> None:
    """Kill every reader process of this process at once (SIGTERM of the run: the run then
    unwinds, which can take as long as a model call in progress); with `stop`, no pool
    starts new readers until `resume_readers`."""
    if stop:
        _stopped.set()
    for workers in list(_live):
        workers.kill()


def resume_readers() -> None:
    _stopped.clear()


class _Workers:
    """One generation of worker processes and the start times they reported."""

    def __init__(self, count: int) -> None:
        methods = mp.get_all_start_methods()
        ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
        self._reports = ctx.SimpleQueue()  # a new one per generation: killed workers may
        self.executor = ProcessPoolExecutor(  # leave a queue's lock held
            max_workers=count, mp_context=ctx, initializer=_warm, initargs=(self._reports,)
        )
        self._started: dict[str, float] = {}
        self._lock = threading.Lock()
        _live.add(self)

    def started(self, path: str) -> float | None:
        """When a worker of this generation started on `path` (monotonic seconds)."""
        with self._lock:
            while not self._reports.empty():
                self._started.setdefault(self._reports.get(), time.monotonic())
            return self._started.get(path)

    def kill(self) -> None:
        for proc in list((getattr(self.executor, "_processes", None) or {}).values()):
            proc.kill()
        self.executor.shutdown(wait=False, cancel_futures=True)


class ReaderPool:
    """`read(path)` parses a PDF in one of settings.workers processes, under a time limit."""

    def __init__(self, settings: Any, embed_spec: str | None = None) -> None:
        self.settings = settings
        self.embed_spec = embed_spec  # the store's embedding provider: workers embed chunks
        self._workers: _Workers | None = None
        self._lock = threading.Lock()
        self._queued: dict[str, tuple[_Workers, Future[ParsedPaper]]] = {}

    def _current(self) -> _Workers:
        with self._lock:
            if _stopped.is_set():
                raise PdfError("the run was terminated", "start it again or `brief runs resume`")
            if self._workers is None:
                self._workers = _Workers(self.settings.workers)
            return self._workers

    def start(self) -> ReaderPool:
        """Start the workers now (in the background) rather than at the first file."""
        self._current().executor.submit(_warm)
        return self

    def _submit(self, path: str) -> tuple[_Workers, Future[ParsedPaper]]:
        s = self.settings
        workers = self._current()
        args = (path, s.pdf_engine, s.chunk_tokens, s.chunk_overlap, self.embed_spec)
        return workers, workers.executor.submit(_read, *args)

    def prefetch(self, paths: Sequence[str]) -> None:
        """Queue these files for parsing now, largest first; `read` then collects them.
        Their results wait in memory until read, so pass only files a branch will read."""
        for path in sorted({str(p) for p in paths}, key=_size, reverse=True):
            entry = self._submit(path)
            with self._lock:
                self._queued.setdefault(path, entry)

    def queued(self, path: str) -> bool:
        """Whether `prefetch` queued this file (and `read` has not collected it yet)."""
        with self._lock:
            return str(path) in self._queued

    def _wait(self, workers: _Workers, path: str, future: Future[ParsedPaper]) -> ParsedPaper:
        """The result; FutureTimeout once a worker has spent pdf_timeout seconds on it."""
        while True:
            try:
                return future.result(timeout=POLL)
            except FutureTimeout:
                started = workers.started(path)
                if started is not None and time.monotonic() - started > self.settings.pdf_timeout:
                    raise

    def _reset(self, workers: _Workers) -> None:
        with self._lock:
            if self._workers is workers:
                self._workers = None
        workers.kill()

    def read(self, path: str, retry: bool = True) -> ParsedPaper:
        """The parsed paper; PdfError for unreadable files, crashes and time-outs."""
        path = str(path)
        with self._lock:
            entry = self._queued.pop(path, None)
        workers, future = entry or self._submit(path)
        try:
            return self._wait(workers, path, future)
        except FutureTimeout:
            self._reset(workers)
            raise PdfError(
                f"{path}: reading took longer than {self.settings.pdf_timeout:g}s and was stopped",
                "raise pdf_timeout (BRIEF_PDF_TIMEOUT) or check the file",
            ) from None
        except (BrokenProcessPool, CancelledError):  # cancelled: queued when the pool was reset
            with self._lock:
                replaced = self._workers is not workers
            if replaced and retry:  # another file's time-out took this worker down
                return self.read(path, retry=False)
            self._reset(workers)
            raise PdfError(
                f"{path}: the reader process crashed — the file is probably malformed",
                "check the file with `brief ingest`",
            ) from None

    def close(self) -> None:
        with self._lock:
            workers, self._workers = self._workers, None
            self._queued.clear()
        if workers is not None:
            workers.executor.shutdown(wait=True, cancel_futures=True)
