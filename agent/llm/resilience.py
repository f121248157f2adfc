"""Concurrency limits per backend.

Retries (429, 5xx, connection errors; exponential backoff with jitter; Retry-After honoured)
and timeouts for HTTP backends are the openai client's own (`max_retries`, `timeout`, set from
settings.model_retries and settings.model_timeout in `models.make_chat_model`). In-process
llama.cpp has no transport to retry. What is left here is the limit on calls running at once.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

_LIMITERS: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_GUARD = threading.Lock()


def limiter(key: str, size: int) -> threading.BoundedSemaphore:
    """The process-wide semaphore for one backend (a base URL or a model file)."""
    with _GUARD:
        sem = _LIMITERS.get((key, size))
        if sem is None:
            sem = _LIMITERS[(key, size)] = threading.BoundedSemaphore(size)
        return sem


@contextmanager
def limited(key: str, size: int) -> Iterator[None]:
    """Hold one of the backend's `size` slots for the duration of a sync call."""
    sem = limiter(key, size)
    sem.acquire()
    try:
        yield
    finally:
        sem.release()


@asynccontextmanager
async def alimited(key: str, size: int) -> AsyncIterator[None]:
    """The same slots from async code (waits in a thread, never blocks the event loop)."""
    sem = limiter(key, size)
    await asyncio.to_thread(sem.acquire)
    try:
        yield
    finally:
        sem.release()
