"""One structured call for every agent: a pydantic object from a model, or a typed error.

How the schema reaches the model depends on the backend:

- OpenAI (no base_url): JSON-schema strict mode (`response_format` json_schema, strict);
- OpenAI-compatible servers: function calling with the tool forced, falling back to
  `json_object` with the schema in the prompt when the server rejects tools (remembered per
  server and model);
- in-process llama.cpp: decoding constrained by a grammar built from the schema;
- anything else (e.g. scripted fakes): the schema in the prompt, JSON read from the reply.

The reply is validated with pydantic. An invalid reply, or one cut off at max tokens, is sent
back with the error (prompts/llm.reask.md) up to `max_reask` times; then StructuredOutputError
carries the raw text and every error.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    convert_to_messages,
)
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel, ValidationError

from agent.errors import ModelError, StructuredOutputError
from agent.llm.grammar import schema_json, strict_schema
from agent.llm.usage import UsageTracker
from agent.prompting import render

T = TypeVar("T", bound=BaseModel)
METHODS = ("json_schema", "tools", "json_object", "grammar", "prompt", "auto")
DEFAULT_MAX_REASK = 2
_AUTO: dict[str, str] = {}  # server + model → method that worked after a fallback
_AUTO_LOCK = threading.Lock()
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


class InvalidStructuredOutput(StructuredOutputError):
    """StructuredOutputError with the last raw answer and every validation error."""

    def __init__(self, message: str, hint: str | None, *, raw: str, errors: list[str]) -> None:
        super().__init__(message, hint)
        self.raw = raw
        self.errors = errors


def model_label(model: BaseChatModel) -> str:
    meta = model.metadata or {}
    name = getattr(model, "model_name", None) or getattr(model, "model", None) or "model"
    return str(meta.get("brief_model") or name)


def pick_method(model: BaseChatModel) -> str:
    """The structured-output method for a model (see the module docstring)."""
    meta = model.metadata or {}
    if meta.get("brief_structured") in METHODS:
        return str(meta["brief_structured"])
    if model._llm_type == "llamacpp-brief":
        return "grammar"
    from langchain_openai import ChatOpenAI

    if isinstance(model, ChatOpenAI):
        return "auto" if model.openai_api_base else "json_schema"
    return "prompt"


def _auto_key(model: BaseChatModel) -> str:
    return f"{getattr(model, 'openai_api_base', '')}|{model_label(model)}"


def _with_instruction(messages: list[BaseMessage], schema: type[BaseModel]) -> list[BaseMessage]:
    """Put the JSON-schema instruction into the system message."""
    instruction = render("llm.json_schema.md", schema=schema_json(schema))
    if messages and isinstance(messages[0], SystemMessage):
        first = SystemMessage(content=f"{messages[0].content}\n\n{instruction}")
        return [first, *messages[1:]]
    return [SystemMessage(content=instruction), *messages]


def _invoke(
    model: BaseChatModel,
    method: str,
    schema: type[BaseModel],
    messages: list[BaseMessage],
    config: RunnableConfig,
    extra: dict[str, Any],
) -> AIMessage:
    if method == "json_schema":
        response_format = {
            "type": "json_schema",
            "json_schema": {
                "name": schema.__name__,
                "schema": strict_schema(schema),
                "strict": True,
            },
        }
        return model.invoke(messages, config, response_format=response_format, **extra)
    if method == "tools":
        tool = {
            "type": "function",
            "function": {
                "name": schema.__name__,
                "description": (schema.__doc__ or schema.__name__).strip(),
                "parameters": schema.model_json_schema(),
            },
        }
        bound = model.bind_tools([tool], tool_choice=schema.__name__)
        return bound.invoke(messages, config, **extra)
    extra = dict(extra)
    if extra.pop("describe", True) is False:
        return model.invoke(messages, config, json_schema=schema.model_json_schema(), **extra)
    prompted = _with_instruction(messages, schema)
    if method == "json_object":
        return model.invoke(prompted, config, response_format={"type": "json_object"}, **extra)
    if method == "grammar":
        return model.invoke(prompted, config, json_schema=schema.model_json_schema(), **extra)
    return model.invoke(prompted, config, **extra)


def _fallback_worthy(exc: Exception) -> bool:
    """Errors meaning "this server does not do function calling"."""
    import openai

    return isinstance(
        exc,
        openai.BadRequestError
        | openai.UnprocessableEntityError
        | openai.NotFoundError
        | openai.InternalServerError,
    )


def _call_auto(
    model: BaseChatModel,
    method: str,
    schema: type[BaseModel],
    messages: list[BaseMessage],
    config: RunnableConfig,
    extra: dict[str, Any],
) -> AIMessage:
    """`auto` tries tools, then json_object when the server rejects them (remembered)."""
    if method == "auto":
        key = _auto_key(model)
        with _AUTO_LOCK:
            chosen = _AUTO.get(key)
        if chosen:
            return _invoke(model, chosen, schema, messages, config, extra)
        try:
            reply = _invoke(model, "tools", schema, messages, config, extra)
        except Exception as exc:
            if not _fallback_worthy(exc):
                raise
            with _AUTO_LOCK:
                _AUTO[key] = "json_object"
            return _invoke(model, "json_object", schema, messages, config, extra)
        with _AUTO_LOCK:
            _AUTO[key] = "tools"
        return reply
    return _invoke(model, method, schema, messages, config, extra)


def _reply_from_finish_error(
    exc: Exception, model: BaseChatModel, usage: UsageTracker, agent: str
) -> AIMessage:
    """An AIMessage for a completion the openai client raised on (cut off or filtered)."""
    completion = getattr(exc, "completion", None)
    if completion is None:  # ContentFilterFinishReasonError carries no completion
        return AIMessage(content="", response_metadata={"finish_reason": "content_filter"})
    choice = completion.choices[0] if completion.choices else None
    content = (choice.message.content if choice else None) or ""
    if completion.usage:  # the failed call still cost tokens
        usage.record(
            agent,
            model_label(model),
            completion.usage.prompt_tokens,
            completion.usage.completion_tokens,
            local=bool((model.metadata or {}).get("brief_local")),
        )
    reason = (choice.finish_reason if choice else None) or "length"
    return AIMessage(content=content, response_metadata={"finish_reason": reason})


def _call(
    model: BaseChatModel,
    method: str,
    schema: type[BaseModel],
    messages: list[BaseMessage],
    config: RunnableConfig,
    usage: UsageTracker,
    agent: str,
    extra: dict[str, Any] | None = None,
) -> AIMessage:
    """One model call; transport errors → ModelError."""
    import openai

    label = model_label(model)
    try:
        return _call_auto(model, method, schema, messages, config, extra or {})
    except (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError) as exc:
        # OpenAI's parse() raises where other backends return finish_reason: do the same.
        return _reply_from_finish_error(exc, model, usage, agent)
    except openai.APIStatusError as exc:
        raise ModelError(
            f"model {label} failed: HTTP {exc.status_code} {exc.message}",
            "check the model name, the key and BRIEF_BASE_URL; retries are BRIEF_MODEL_RETRIES",
        ) from exc
    except (openai.APIConnectionError, openai.APITimeoutError) as exc:
        where = getattr(model, "openai_api_base", None) or "api.openai.com"
        raise ModelError(
            f"model {label} unreachable at {where}: {exc}",
            "check BRIEF_BASE_URL and the network; timeouts are BRIEF_MODEL_TIMEOUT",
        ) from exc
    except ValueError as exc:  # llama.cpp: prompt longer than the context window, etc.
        raise ModelError(
            f"model {label} failed: {exc}", "raise BRIEF_N_CTX or shorten the input"
        ) from exc


def raw_answer(reply: AIMessage) -> str:
    """The JSON text of a reply: forced tool-call arguments, else the content."""
    if reply.tool_calls:
        return json.dumps(reply.tool_calls[0]["args"], ensure_ascii=False)
    if reply.invalid_tool_calls:
        return str(reply.invalid_tool_calls[0].get("args") or "")
    content = reply.content
    text = (
        content
        if isinstance(content, str)
        else "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    )
    text = text.strip()
    fenced = _FENCE.match(text)
    return fenced.group(1) if fenced else text


def _problem(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()
    )


def check_reply(reply: AIMessage, schema: type[T]) -> tuple[T | None, str, str]:
    """(object or None, raw text, problem) for one reply."""
    raw = raw_answer(reply)
    if reply.additional_kwargs.get("refusal"):
        return None, raw, f"the model refused: {reply.additional_kwargs['refusal']}"
    if reply.response_metadata.get("finish_reason") == "length":
        return None, raw, "the answer was cut off at the token limit (finish_reason=length)"
    if reply.response_metadata.get("finish_reason") == "content_filter":
        return None, raw, "the answer was blocked by the provider's content filter"
    try:
        return schema.model_validate_json(raw), raw, ""
    except ValidationError as exc:
        return None, raw, _problem(exc)


def structured_call(
    model: BaseChatModel,
    schema: type[T],
    messages: Sequence[Any],
    *,
    agent: str,
    usage: UsageTracker,
    max_reask: int | None = None,
    method: str | None = None,
    item: str = "",
    max_tokens: int | None = None,
    describe: bool = True,
) -> T:
    """Ask `model` for a `schema` object; re-ask on invalid answers; record usage.

    Raises BudgetExceeded before a call once the run's budget is used up, ModelError when the
    backend fails, and StructuredOutputError (with `.raw` and `.errors`) after
    `max_reask` re-asks (default: settings.max_reask carried by the model, else 2).
    `item` names the paper or question in the usage record; `max_tokens` bounds each answer
    (a grammar-bounded schema should fit well inside it). `describe=False` leaves the JSON
    schema out of the prompt when decoding is grammar-constrained and the prompt already
    says what each field holds (a small model reads several hundred tokens less).
    """
    chosen = method or pick_method(model)
    if chosen not in METHODS:
        raise ValueError(f"unknown structured-output method {chosen!r}; use one of {METHODS}")
    if max_reask is None:
        max_reask = int((model.metadata or {}).get("brief_max_reask", DEFAULT_MAX_REASK))
    history = list(convert_to_messages(list(messages)))
    extra: dict[str, Any] = {} if max_tokens is None else {"max_tokens": max_tokens}
    if not describe and chosen == "grammar":
        extra["describe"] = False
    errors: list[str] = []
    raw = ""
    for attempt in range(max_reask + 1):
        config: RunnableConfig = {
            "callbacks": [usage.callback(agent, item, attempt)],
            "run_name": f"{agent}.structured",
        }
        usage.check_budget()
        reply = _call(model, chosen, schema, history, config, usage, agent, extra)
        result, raw, problem = check_reply(reply, schema)
        if result is not None:
            return result
        errors.append(problem)
        reask = render("llm.reask.md", error=problem, schema=schema_json(schema))
        history = [*history, AIMessage(content=raw), HumanMessage(content=reask)]
    raise InvalidStructuredOutput(
        f"{agent}: model {model_label(model)} gave no valid {schema.__name__} after "
        f"{len(errors)} attempts ({errors[-1]})",
        "try a larger model, or raise BRIEF_MAX_REASK",
        raw=raw,
        errors=errors,
    )
