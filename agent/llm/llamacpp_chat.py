"""In-process llama.cpp as a LangChain chat model, with grammar-constrained JSON output.

`ChatLlamaCpp` wraps `llama_cpp.Llama.create_chat_completion`. Pass `json_schema=<schema
dict>` (e.g. via `.bind(json_schema=...)`) and decoding is constrained by a grammar built
from the schema, so a small model cannot write broken JSON. A GGUF without
`tokenizer.chat_template` would silently get llama-cpp-python's llama-2 prompt format; it is
switched to ChatML instead, with one warning.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.chat_models import LangSmithParams
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from pydantic import BaseModel, PrivateAttr

from agent.llm.resilience import limited

_LOADED: dict[tuple[Any, ...], Any] = {}
_LOAD_LOCK = threading.Lock()
_WARNED: set[str] = set()
_RUN_LOCKS: dict[int, threading.Lock] = {}


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask), at most 8: more threads than
    cores make llama.cpp's threads wait on each other."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def amx_advertised() -> bool:
    """Whether the CPU advertises Intel AMX tiles. llama.cpp then repacks weights into AMX
    buffers, and on hosts whose kernel or sandbox does not grant the tile state (virtual
    machines, gVisor) the first matrix product dies with SIGSEGV; brief loads models without
    the extra (repacking) buffer types there: a little slower, never a crash."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            return any(line.startswith("flags") and " amx_tile" in line for line in info)
    except OSError:
        return False


@contextlib.contextmanager
def _model_params(extra_buffers: bool) -> Iterator[None]:
    """llama-cpp-python takes no `use_extra_bufts` argument: set it on the default model
    parameters its constructor starts from, for this load only (under _LOAD_LOCK)."""
    from llama_cpp import llama_cpp as lib

    original = lib.llama_model_default_params
    if extra_buffers:
        yield
        return

    def defaults() -> Any:
        params = original()
        params.use_extra_bufts = False
        return params

    lib.llama_model_default_params = defaults
    try:
        yield
    finally:
        lib.llama_model_default_params = original


def load_llama(path: str, n_ctx: int, n_threads: int | None, n_gpu_layers: int) -> Any:
    """Load (once per process and parameters) a GGUF with a correct chat format.

    Threads: `n_threads` for both generation and prompt reading (default: the usable cores);
    OpenMP threads sleep instead of spinning between calls (OMP_WAIT_POLICY=PASSIVE unless
    set), which under load made calls several times faster.
    """
    key = (path, n_ctx, n_threads, n_gpu_layers)
    with _LOAD_LOCK:
        if key in _LOADED:
            return _LOADED[key]
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when the library loads
        from llama_cpp import Llama

        threads = n_threads or usable_cores()
        with _model_params(extra_buffers=not amx_advertised()):
            llama = Llama(
                model_path=path,
                n_ctx=n_ctx,
                n_threads=threads,
                n_threads_batch=threads,
                n_gpu_layers=n_gpu_layers,
                verbose=False,
            )
        if not llama.metadata.get("tokenizer.chat_template"):
            llama.chat_format = "chatml"
            if path not in _WARNED:
                _WARNED.add(path)
                warnings.warn(
                    f"{path} has no chat template (GGUF key tokenizer.chat_template); "
                    "using ChatML — check the model's card for its real prompt format",
                    UserWarning,
                    stacklevel=2,
                )
        _LOADED[key] = llama
        _RUN_LOCKS[id(llama)] = threading.Lock()  # a Llama object serves one call at a time
        return llama


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = [p.get("text", "") if isinstance(p, dict) else str(p) for p in content]
    return "".join(parts)


def to_llama_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages → llama-cpp-python chat messages."""
    roles = {SystemMessage: "system", HumanMessage: "user", AIMessage: "assistant"}
    out = []
    for message in messages:
        role = next((r for cls, r in roles.items() if isinstance(message, cls)), None)
        if isinstance(message, ToolMessage):
            role = "tool"
        out.append({"role": role or "user", "content": _text(message.content)})
    return out


def _expired(seconds: float, name: str) -> Exception:
    from agent.errors import ModelError

    return ModelError(
        f"model {name} was still writing after {seconds:g} s; the answer was abandoned",
        "raise BRIEF_MODEL_TIMEOUT, use fewer threads under load, or a smaller model",
    )


class ChatLlamaCpp(BaseChatModel):
    """A GGUF model run in this process by llama-cpp-python."""

    model_path: str
    n_ctx: int = 8192
    n_threads: int | None = None
    n_gpu_layers: int = 0
    temperature: float = 0.2
    max_tokens: int = 1024
    seed: int | None = None
    timeout: float | None = None  # seconds one call may generate for (settings.model_timeout)
    concurrency: int = 1
    _llama: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llamacpp-brief"

    @property
    def model_name(self) -> str:
        return Path(self.model_path).name

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_provider"] = "llamacpp"
        params["ls_model_name"] = self.model_name
        return params

    @property
    def llama(self) -> Any:
        if self._llama is None:
            self._llama = load_llama(self.model_path, self.n_ctx, self.n_threads, self.n_gpu_layers)
        return self._llama

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, **kwargs: Any):
        request: dict[str, Any] = {
            "messages": to_llama_messages(messages),
            "temperature": kwargs.get("temperature", self.temperature),
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "stop": stop,
        }
        seed = kwargs.get("seed", self.seed)
        if seed is not None:
            request["seed"] = seed
        schema = kwargs.get("json_schema")
        if schema is not None:
            from agent.llm.grammar import llama_grammar

            text = schema if isinstance(schema, str) else json.dumps(schema, sort_keys=True)
            request["grammar"] = llama_grammar(text)
        return request

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        llama = self.llama
        request = self._request(messages, stop, **kwargs)
        with limited(self.model_path, self.concurrency), _RUN_LOCKS[id(llama)]:
            if self.timeout:
                content, finish, usage = self._until_deadline(llama, request, self.timeout)
            else:
                response = llama.create_chat_completion(**request)
                choice = response["choices"][0]
                content = choice["message"].get("content") or ""
                finish, usage = choice.get("finish_reason"), response.get("usage") or {}
        meta = {"finish_reason": finish, "model_name": self.model_name}
        message = AIMessage(
            content=content,
            response_metadata=meta,
            usage_metadata={
                "input_tokens": usage.get("prompt_tokens", 0),
                "output_tokens": usage.get("completion_tokens", 0),
                "total_tokens": usage.get("total_tokens", 0),
            },
        )
        return ChatResult(
            generations=[ChatGeneration(message=message, generation_info=meta)],
            llm_output={"token_usage": usage, "model_name": self.model_name},
        )

    def _until_deadline(
        self, llama: Any, request: dict[str, Any], seconds: float
    ) -> tuple[str, str | None, dict[str, int]]:
        """One completion, streamed token by token so that it can be abandoned at the
        deadline (llama.cpp has no timeout; an exception raised inside its sampling callbacks
        is printed and ignored). Leaving the stream stops the generation. Tokens: the output
        counted as streamed, the prompt as what the context then holds besides it."""
        end = time.monotonic() + seconds
        parts: list[str] = []
        finish: str | None = None
        written = 0
        for part in llama.create_chat_completion(stream=True, **request):
            choice = part["choices"][0]
            text = choice.get("delta", {}).get("content") or ""
            if text:
                parts.append(text)
                written += 1
            finish = choice.get("finish_reason") or finish
            if time.monotonic() > end and finish is None:
                raise _expired(seconds, self.model_name)
        prompt = max(int(getattr(llama, "n_tokens", 0)) - written, 0)
        usage = {"prompt_tokens": prompt, "completion_tokens": written}
        usage["total_tokens"] = prompt + written
        return "".join(parts), finish, usage

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama = self.llama
        request = self._request(messages, stop, **kwargs)
        with limited(self.model_path, self.concurrency), _RUN_LOCKS[id(llama)]:
            for part in llama.create_chat_completion(stream=True, **request):
                choice = part["choices"][0]
                text = choice.get("delta", {}).get("content") or ""
                finish = choice.get("finish_reason")
                meta = {"finish_reason": finish, "model_name": self.model_name} if finish else {}
                chunk = ChatGenerationChunk(
                    message=AIMessageChunk(content=text, response_metadata=meta),
                    generation_info=meta or None,
                )
                if run_manager and text:
                    run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk

    def with_structured_output(
        self, schema: Any, *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable[LanguageModelInput, Any]:
        """Grammar-constrained output parsed into `schema` (a pydantic model class).

        A reply cut off at max_tokens raises OutputParserException; it is never "repaired".
        """
        from langchain_core.exceptions import OutputParserException
        from langchain_core.runnables import RunnableLambda

        from agent.llm.structured import check_reply

        if not (isinstance(schema, type) and issubclass(schema, BaseModel)) or include_raw:
            raise NotImplementedError("ChatLlamaCpp structured output takes a pydantic class")

        def parse(message: AIMessage) -> BaseModel:
            result, raw, problem = check_reply(message, schema)
            if result is None:
                raise OutputParserException(problem, llm_output=raw)
            return result

        return self.bind(json_schema=schema.model_json_schema()) | RunnableLambda(parse)
