"""Embeddings from a GGUF with in-process llama.cpp (mean pooling, L2-normalised)."""

from __future__ import annotations

import threading
from typing import Any

from langchain_core.embeddings import Embeddings

from agent.errors import ConfigError
from agent.llm.models import LOCAL_INSTALL

_LOADED: dict[tuple[str, int], Any] = {}
_LOCK = threading.Lock()


def _load(path: str, n_ctx: int, n_threads: int | None) -> Any:
    with _LOCK:
        key = (path, n_ctx)
        if key not in _LOADED:
            try:
                import llama_cpp
            except ImportError:
                raise ConfigError(
                    f"llamacpp embeddings from {path} need llama-cpp-python", LOCAL_INSTALL
                ) from None
            llama = llama_cpp.Llama(
                model_path=path,
                embedding=True,
                pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,  # one vector per text
                n_ctx=n_ctx,
                n_threads=n_threads,
                verbose=False,
            )
            _LOADED[key] = (llama, threading.Lock())  # a Llama serves one call at a time
        return _LOADED[key]


class LlamaCppEmbeddings(Embeddings):
    """LangChain embeddings backed by a local GGUF; one vector per input text."""

    def __init__(self, model_path: str, n_ctx: int = 2048, n_threads: int | None = None):
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.n_threads = n_threads

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        llama, lock = _load(self.model_path, self.n_ctx, self.n_threads)
        with lock:
            return [list(llama.embed(text or " ", normalize=True, truncate=True)) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
