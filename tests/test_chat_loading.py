"""What `brief chat` loads behind its prompt: a background build whose errors surface where
the result is needed, a session stand-in that knows its thread at once, and the banner's count
of earlier answers read from the checkpoint database without LangGraph."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from agent.chat.evidence import open_view
from agent.chat.graph import open_checkpointer
from agent.chat.loading import Background, DeferredSession, earlier_answers
from agent.chat.session import ChatSession
from agent.errors import ConfigError
from agent.settings import load_settings


def test_a_background_error_is_raised_where_the_result_is_needed() -> None:
    def fail() -> None:
        raise ConfigError("bad model spec", "fix it")

    loading = Background(fail)
    with pytest.raises(ConfigError, match="bad model spec"):
        loading.result()
    assert loading.done()


def test_the_stand_in_knows_its_thread_before_the_session_exists() -> None:
    release = threading.Event()

    class Real:
        thread = "real"
        k = 5

    loading = Background(lambda: release.wait(30) and Real())
    deferred = DeferredSession("typed", loading)
    assert deferred.thread == "typed" and not loading.done()
    release.set()
    assert deferred.k == 5 and deferred.thread == "real"  # waits, then is the session
    deferred.k = 7
    assert loading.result().k == 7


def test_earlier_answers_are_counted_without_langgraph(brief_home: Path) -> None:
    settings = load_settings(model="none")
    assert earlier_answers(settings.home, "t") == 0  # no database yet
    with open_checkpointer(settings) as saver:
        session = ChatSession(settings, open_view(settings), saver, thread="t")
        session.ask("What is a KV cache?")
        session._record_cancel("a cancelled question")
        assert earlier_answers(settings.home, "t") == len(session.turns()) == 2
        assert earlier_answers(settings.home, "other") == 0
        session.reset()
        assert earlier_answers(settings.home, "t") == 0
