"""A fake chat model for tests: replays scripted responses and records what it was sent.

It stands in for a model's judgement only; everything around it (prompts, parsing, re-asks,
usage, graphs) runs for real. Responses may be strings, AIMessages (with tool calls),
pydantic objects or dicts (sent as JSON), exceptions to raise, or callables
`f(messages) -> str | AIMessage`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import BaseModel, Field, PrivateAttr

Scripted = str | AIMessage | BaseException | Callable[[list[BaseMessage]], Any]


class ScriptedChatModel(BaseChatModel):
    """Fake chat model (tests only): `responses` are replayed in order, one per call.

    `received` holds the messages of every call and `call_options` the call options (e.g. bound
    tools), so a test can assert on the prompts its code sent.
    """

    responses: list[Any] = Field(default_factory=list)
    received: list[list[BaseMessage]] = Field(default_factory=list)
    call_options: list[dict[str, Any]] = Field(default_factory=list)
    model_name: str = "scripted-fake"
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    def enqueue(self, *responses: Scripted) -> ScriptedChatModel:
        """Add responses to the end of the script; returns self for chaining."""
        with self._lock:
            self.responses.extend(responses)
        return self

    @property
    def remaining(self) -> int:
        return len(self.responses)

    def _next(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        with self._lock:
            self.received.append(list(messages))
            self.call_options.append(dict(kwargs))
            if not self.responses:
                raise AssertionError(
                    f"ScriptedChatModel ran out of responses after {len(self.received) - 1} calls"
                )
            item = self.responses.pop(0)
        if isinstance(item, BaseException):
            raise item
        if callable(item):
            item = item(list(messages))
        if isinstance(item, AIMessage):
            return item
        if isinstance(item, BaseModel):
            return AIMessage(content=item.model_dump_json())
        if isinstance(item, dict | list):
            return AIMessage(content=json.dumps(item, ensure_ascii=False))
        return AIMessage(content=str(item))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = self._next(messages, kwargs)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        message = self._next(messages, kwargs)
        text = str(message.content)
        pieces = [text[i : i + 8] for i in range(0, len(text), 8)] or [""]
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            chunk = ChatGenerationChunk(
                message=AIMessageChunk(
                    content=piece,
                    response_metadata=message.response_metadata if last else {},
                    tool_call_chunks=[
                        {
                            "name": c["name"],
                            "args": json.dumps(c["args"]),
                            "id": c["id"],
                            "index": j,
                        }
                        for j, c in enumerate(message.tool_calls)
                    ]
                    if last
                    else [],
                )
            )
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        """Accept tools like a real model; the scripted responses decide what is called."""
        from langchain_core.utils.function_calling import convert_to_openai_tool

        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)
