"""A chat session: the thread, the model, the store, and the last answer.

The terminal loop (repl.py) and the slash commands (commands.py) both work through this
object; it holds no terminal code, so tests can drive it directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage

from agent.chat.answer import Answer
from agent.chat.evidence import Filters, StoreView
from agent.chat.graph import ChatContext, build_chat_graph
from agent.chat.tools import ChatTools

CANCELLED = "(answer cancelled)"


@dataclass
class ChatSession:
    """One person's conversation, persisted per thread by the chat graph's checkpointer."""

    settings: Any
    view: StoreView
    checkpointer: Any
    thread: str = "default"
    model: Any = None
    k: int = 5
    filters: Filters = field(default_factory=Filters)
    tools: ChatTools | None = None
    graph: Any = None

    def __post_init__(self) -> None:
        self.graph = build_chat_graph(self.checkpointer)

    # --- thread ----------------------------------------------------------------------------
    @property
    def config(self) -> dict[str, Any]:
        return {"configurable": {"thread_id": self.thread}}

    def values(self) -> dict[str, Any]:
        return dict(self.graph.get_state(self.config).values or {})

    def messages(self) -> list[Any]:
        return list(self.values().get("messages", []))

    def turns(self) -> list[Answer]:
        return [Answer.model_validate(t) for t in self.values().get("turns", [])]

    def last_answer(self) -> Answer | None:
        turns = self.turns()
        return turns[-1] if turns else None

    def switch_thread(self, name: str) -> None:
        self.thread = name

    def reset(self) -> None:
        """Forget this thread's conversation."""
        self.checkpointer.delete_thread(self.thread)

    # --- model -----------------------------------------------------------------------------
    @property
    def model_spec(self) -> str:
        return str(self.settings.model)

    def set_model(self, spec: str) -> None:
        """Switch models (`none` answers extractively); a bad spec raises ConfigError."""
        from agent.llm.models import make_chat_model

        settings = self.settings.model_copy(update={"model": spec})
        self.model = make_chat_model(spec, settings)
        self.settings = settings

    # --- answering -------------------------------------------------------------------------
    def ask(self, question: str, on_token: Callable[[str], None] | None = None) -> Answer:
        """Answer `question` in this thread; the answer joins the thread's memory.

        A KeyboardInterrupt while answering is re-raised after the thread records the
        question as cancelled, so the history stays question/answer pairs.
        """
        context = ChatContext(
            settings=self.settings,
            view=self.view,
            model=self.model,
            k=self.k,
            filters=self.filters,
            on_token=on_token,
            tools=self.tools,
        )
        try:
            self.graph.invoke(
                {"messages": [HumanMessage(question)]},
                self.config,
                context=context,
                durability="sync",
            )
        except KeyboardInterrupt:
            self._record_cancel(question)
            raise
        answer = self.last_answer()
        assert answer is not None
        return answer

    def _record_cancel(self, question: str) -> None:
        state = self.graph.get_state(self.config)
        messages = (state.values or {}).get("messages", [])
        if not messages or getattr(messages[-1], "type", "") != "human":
            messages = [HumanMessage(question)]
        else:
            messages = []
        record = Answer(question=question, text=CANCELLED, found=False, mode="cancelled")
        self.graph.update_state(
            self.config,
            {
                "messages": [*messages, AIMessage(CANCELLED)],
                "turns": [record.model_dump(mode="json")],
            },
            as_node="answer",
        )
