"""The chat graph: one `answer` node over a thread's messages, checkpointed in SQLite.

The thread id is the thread name, so `brief chat --thread X` continues where X stopped. The
state keeps the conversation (`messages`, what a model sees as history) and one record per
answer (`turns`: citations and evidence, for /sources, /why and /save).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypedDict

from langchain_core.messages import AIMessage, AnyMessage
from langgraph.graph.message import add_messages

from agent.chat.answer import answer_question
from agent.chat.evidence import Filters, StoreView
from agent.chat.tools import ChatTools


class ChatState(TypedDict, total=False):
    """A thread: its messages and one JSON record per answer."""

    messages: Annotated[list[AnyMessage], add_messages]
    turns: Annotated[list[dict[str, Any]], operator.add]


@dataclass
class ChatContext:
    """Services for one answer (not checkpointed): settings, store, model, output hook."""

    settings: Any
    view: StoreView
    model: Any = None
    k: int = 5
    filters: Filters = field(default_factory=Filters)
    on_token: Callable[[str], None] | None = None
    tools: ChatTools | None = None


def answer_node(state: ChatState, runtime: Any) -> dict[str, Any]:
    """Answer the last message from the store, with the earlier messages as history."""
    ctx: ChatContext = runtime.context
    messages = state.get("messages", [])
    question = str(messages[-1].content)
    answer = answer_question(
        question,
        ctx.settings,
        ctx.view,
        ctx.model,
        ctx.k,
        messages[:-1],
        filters=ctx.filters,
        on_token=ctx.on_token,
        tools=ctx.tools,
    )
    return {"messages": [AIMessage(answer.text)], "turns": [answer.model_dump(mode="json")]}


def build_chat_graph(checkpointer: Any) -> Any:
    """START → answer → END, compiled with the given checkpointer."""
    from langgraph.graph import END, START, StateGraph

    graph = StateGraph(ChatState, context_schema=ChatContext)
    graph.add_node("answer", answer_node)
    graph.add_edge(START, "answer")
    graph.add_edge("answer", END)
    return graph.compile(checkpointer=checkpointer)


def chat_db(settings: Any) -> Path:
    """Where chat threads are kept."""
    from agent.chat.loading import chat_db as path_of

    return path_of(settings.home)


@contextmanager
def open_checkpointer(settings: Any) -> Iterator[Any]:
    """A SqliteSaver on settings.home/chat.sqlite (created on first use); what it saves is
    redacted (agent.safety.RedactingSerde: a model server's error may echo the API key)."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent.safety import RedactingSerde

    path = chat_db(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with SqliteSaver.from_conn_string(str(path)) as saver:
        saver.serde = RedactingSerde()
        yield saver
