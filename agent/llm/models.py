"""Model specs → LangChain chat models.

Specs follow LangChain's `init_chat_model` `provider:model` form:

- `openai:<model>`: OpenAI with OPENAI_API_KEY, or any OpenAI-compatible server (vLLM,
  Ollama, llama-server, `python -m llama_cpp.server`) when BRIEF_BASE_URL is set;
- `llamacpp:<path to .gguf>` (or a catalog name pulled with `brief models pull`): in-process
  llama-cpp-python (extra `local`);
- `none`: no model; callers run in extractive mode.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from agent.errors import ConfigError
from agent.llm.resilience import alimited, limited

VALID_FORMS = "none, openai:<model> (e.g. openai:gpt-4o-mini), llamacpp:<path to .gguf>"
PROVIDERS = ("openai", "llamacpp")
LOCAL_INSTALL = "pip install 'brief[local]'"


def parse_spec(spec: str) -> tuple[str, str]:
    """`provider:model` → (provider, model); `none` → ("none", "")."""
    text = (spec or "").strip()
    if text.lower() == "none":
        return "none", ""
    provider, sep, name = text.partition(":")
    provider = provider.strip().lower()
    if not sep or provider not in PROVIDERS or not name.strip():
        raise ConfigError(
            f"invalid model spec {spec!r}",
            f"use one of: {VALID_FORMS} (BRIEF_MODEL or --model)",
        )
    return provider, name.strip()


def is_extractive(spec: str | None) -> bool:
    """True when the spec means no model at all (extractive mode)."""
    return spec is None or parse_spec(spec)[0] == "none"


class BriefChatOpenAI(ChatOpenAI):
    """ChatOpenAI whose calls hold a slot of the backend's concurrency limit."""

    concurrency: int = 4

    def _limit_key(self) -> str:
        return str(self.openai_api_base or "https://api.openai.com/v1")

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Any:
        with limited(self._limit_key(), self.concurrency):
            return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Any:
        with limited(self._limit_key(), self.concurrency):
            yield from super()._stream(messages, stop=stop, run_manager=run_manager, **kwargs)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Any:
        async with alimited(self._limit_key(), self.concurrency):
            return await super()._agenerate(messages, stop=stop, run_manager=run_manager, **kwargs)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Any:
        async with alimited(self._limit_key(), self.concurrency):
            async for chunk in super()._astream(
                messages, stop=stop, run_manager=run_manager, **kwargs
            ):
                yield chunk


def resolve_gguf(name: str, settings: Any) -> Path:
    """A .gguf path, or a catalog name already pulled into `home/models`."""
    path = Path(name).expanduser()
    if path.is_file():
        return path
    from agent.llm.catalog import find

    entry = find(name)
    if entry is not None and (settings.home / "models" / entry.filename).is_file():
        return settings.home / "models" / entry.filename
    hint = f"run `brief models pull {entry.name}`" if entry else "fix the path after llamacpp:"
    raise ConfigError(f"model file not found: {name}", hint)


def compatible_base_url(settings: Any) -> str | None:
    """The OpenAI-compatible server to use: BRIEF_BASE_URL, else the SDK's own
    OPENAI_BASE_URL (which the openai client would follow anyway); None for OpenAI itself."""
    import os
    from urllib.parse import urlparse

    url = settings.base_url or os.environ.get("OPENAI_BASE_URL") or None
    if url and (urlparse(url).hostname or "").lower() == "api.openai.com":
        return None
    return url


def _openai(name: str, spec: str, settings: Any) -> BaseChatModel:
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    base_url = compatible_base_url(settings)
    if base_url is None and not key:
        raise ConfigError(
            f"OPENAI_API_KEY is not set for model {spec}",
            "export OPENAI_API_KEY=sk-..., or set BRIEF_BASE_URL to an OpenAI-compatible server",
        )
    return BriefChatOpenAI(
        model=name,
        api_key=SecretStr(key or "not-needed"),
        base_url=base_url,
        timeout=settings.model_timeout,
        max_retries=settings.model_retries,
        concurrency=settings.model_concurrency,
        stream_usage=base_url is None,
        metadata={
            "brief_model": spec,
            "brief_local": base_url is not None,
            "brief_max_reask": settings.max_reask,
            "brief_structured": "json_schema" if base_url is None else "auto",
        },
    )


def _llamacpp(name: str, spec: str, settings: Any) -> BaseChatModel:
    import importlib.util

    if importlib.util.find_spec("llama_cpp") is None:  # not imported: OpenMP reads its
        raise ConfigError(  # settings when the library loads (agent.llm.llamacpp_chat)
            f"model {spec} needs llama-cpp-python, which is not installed",
            LOCAL_INSTALL,
        )
    from agent.llm.llamacpp_chat import ChatLlamaCpp

    path = resolve_gguf(name, settings)
    return ChatLlamaCpp(
        model_path=str(path),
        n_ctx=settings.n_ctx,
        n_threads=settings.n_threads,
        n_gpu_layers=settings.n_gpu_layers,
        timeout=settings.model_timeout,
        metadata={
            "brief_model": f"llamacpp:{path.name}",
            "brief_local": True,
            "brief_max_reask": settings.max_reask,
            "brief_structured": "grammar",
        },
    )


def make_chat_model(spec: str, settings: Any) -> BaseChatModel | None:
    """The chat model for a spec, or None for `none` (extractive mode).

    Raises ConfigError for a bad spec, a missing API key, a missing model file or a missing
    llama-cpp-python.
    """
    provider, name = parse_spec(spec)
    if provider == "none":
        return None
    if provider == "openai":
        return _openai(name, spec, settings)
    return _llamacpp(name, spec, settings)
