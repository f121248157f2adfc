"""Work started in the background so that `brief chat` shows its prompt at once.

Importing LangGraph, opening the store (Chroma) and building the chat model (its client
library) take a second or more; on a terminal the chat builds its session in a thread and
waits for it only when the first message needs it. An error raised there is raised again
where the result is needed.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any


class Background:
    """`build()` running in a daemon thread; `result()` waits for it."""

    def __init__(self, build: Callable[[], Any], name: str = "brief-loading") -> None:
        self._value: Any = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._build = build
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def _run(self) -> None:
        try:
            self._value = self._build()
        except BaseException as exc:  # re-raised by result(), in the thread that needs it
            self._error = exc
        finally:
            self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def result(self) -> Any:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value


def chat_db(home: Any) -> Path:
    """Where chat threads are kept (settings.home/chat.sqlite)."""
    return Path(home) / "chat.sqlite"


def earlier_answers(home: Any, thread: str) -> int | None:
    """How many answers a thread holds, read from the checkpoint database without loading
    LangGraph (the `turns` writes of the thread's answers); None when it cannot tell."""
    path = chat_db(home)
    if not path.is_file():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1.0)) as db:
            row = db.execute(
                "SELECT COUNT(*) FROM writes WHERE thread_id = ? AND channel = 'turns'",
                (thread,),
            ).fetchone()
    except sqlite3.Error:
        return None
    return int(row[0]) if row else None


class DeferredSession:
    """A ChatSession still being built in the background: the prompt needs only the thread
    name; anything else waits for the session."""

    def __init__(self, thread: str, loading: Background) -> None:
        object.__setattr__(self, "_thread", thread)
        object.__setattr__(self, "_loading", loading)

    @property
    def thread(self) -> str:
        loading = object.__getattribute__(self, "_loading")
        return loading.result().thread if loading.done() else self._thread

    def __getattr__(self, name: str) -> Any:
        return getattr(object.__getattribute__(self, "_loading").result(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(object.__getattribute__(self, "_loading").result(), name, value)
