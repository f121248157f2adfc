"""PDF parsing in worker processes for the reader node.

Parsing is CPU-bound Python; in worker processes it neither holds the graph's GIL nor can a
pathological file hang the run: each file gets settings.pdf_timeout seconds, after which its
worker is killed, the paper is reported as failed and a fresh pool takes over. The pool is
started when the run starts (so worker start-up overlaps the fetch) and closed at its end.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from agent.errors import PdfError
from store.schemas import ParsedPaper


def _warm() -> None:
    import agent.sources.pdf  # noqa: F401  (import once per worker, before the first file)


def _read(path: str, engine: str, chunk_tokens: int, chunk_overlap: int) -> ParsedPaper:
    from agent.sources.pdf import read_pdf

    return read_pdf(
        Path(path), engine=engine, chunk_tokens=chunk_tokens, chunk_overlap=chunk_overlap
    )


class ReaderPool:
    """`read(path)` parses a PDF in one of settings.workers processes, under a time limit."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                methods = mp.get_all_start_methods()
                ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
                self._pool = ProcessPoolExecutor(
                    max_workers=self.settings.workers, mp_context=ctx, initializer=_warm
                )
            return self._pool

    def start(self) -> ReaderPool:
        """Start the workers now (in the background) rather than at the first file."""
        self._executor().submit(_warm)
        return self

    def _reset(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def read(self, path: str, retry: bool = True) -> ParsedPaper:
        """The parsed paper; PdfError for unreadable files, crashes and time-outs."""
        s = self.settings
        pool = self._executor()
        future = pool.submit(_read, str(path), s.pdf_engine, s.chunk_tokens, s.chunk_overlap)
        try:
            return future.result(timeout=s.pdf_timeout)
        except FutureTimeout:
            self._reset(pool)
            raise PdfError(
                f"{path}: reading took longer than {s.pdf_timeout:g}s and was stopped",
                "raise pdf_timeout (BRIEF_PDF_TIMEOUT) or check the file",
            ) from None
        except BrokenProcessPool:
            with self._lock:
                replaced = self._pool is not pool
            if replaced and retry:  # another file's time-out took this worker down
                return self.read(path, retry=False)
            self._reset(pool)
            raise PdfError(
                f"{path}: the reader process crashed — the file is probably malformed",
                "check the file with `brief ingest`",
            ) from None

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
