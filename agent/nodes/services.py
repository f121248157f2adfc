"""The seam between the workflow and the services other modules provide.

Nodes call these functions, never the other modules directly, so that each dependency has
one place where its interface is adapted: PDF reading, the claim store, grounding checks,
structured model calls and prompt rendering.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from agent.files import (  # noqa: F401  the nodes' file services, implemented once there
    atomic_write,
    file_sha256,
    file_sha256_or_empty,
)
from store.schemas import BriefRecord, Claim, Paper, ParsedPaper

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


# --- prompts -----------------------------------------------------------------------------
def render_prompt(name: str, **variables: Any) -> str:
    """A prompt from prompts/ (agent.prompting.render: Jinja2, StrictUndefined)."""
    from agent.prompting import render

    return render(name, **variables)


@functools.lru_cache(maxsize=1)
def _glossary_file() -> tuple[tuple[str, str], ...]:
    """prompts/glossary.yaml, parsed once per process (it is read for every claim line)."""
    import yaml

    terms = yaml.safe_load((PROMPTS / "glossary.yaml").read_text(encoding="utf-8")) or {}
    return tuple((str(k), str(v)) for k, v in terms.items())


def glossary(extra: dict[str, str] | None = None) -> dict[str, str]:
    """prompts/glossary.yaml, extended or overridden by settings.glossary."""
    terms = dict(_glossary_file())
    terms.update({str(k): str(v) for k, v in (extra or {}).items()})
    return terms


# --- reading -----------------------------------------------------------------------------
def parse_pdf(path: str, settings: Any) -> ParsedPaper:
    """Read one PDF with the configured engine (agent.sources.pdf.read_pdf)."""
    from agent.sources.pdf import read_pdf

    return read_pdf(
        Path(path),
        engine=settings.pdf_engine,
        chunk_tokens=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap,
    )


# --- grounding ---------------------------------------------------------------------------
def numbers_in(text: str) -> list[str]:
    """Numbers in text as written (agent.grounding.numbers: 4.95×, 92.87%, 70亿)."""
    from agent.grounding.numbers import extract_numbers

    return [str(n) for n in extract_numbers(text)]


def ungrounded(text: str, evidence: list[str]) -> list[str]:
    """Numbers of `text` that no evidence text holds (92.87% = 0.9287, 70亿 = 7B)."""
    from agent.grounding.numbers import ungrounded_numbers

    return [str(n) for n in ungrounded_numbers(text, evidence)]


def grounded(number: str, evidence: str) -> bool:
    """Whether the written number is in the evidence text."""
    from agent.grounding.numbers import number_grounded, parse_number

    num = parse_number(number)
    return num is not None and number_grounded(num, evidence)


def is_fatal(exc: BaseException) -> bool:
    """Errors that stop the run (budget, configuration, a data directory that cannot be
    written); others fail only their paper."""
    from agent.errors import BudgetExceeded, ConfigError
    from agent.storefaults import storage_error

    if isinstance(exc, BudgetExceeded | ConfigError) or not isinstance(exc, Exception):
        return True
    return storage_error(exc, "") is not None  # a full or read-only disk fails every paper


# --- model -------------------------------------------------------------------------------
def structured(
    model: Any,
    schema: type[BaseModel],
    messages: list[Any],
    *,
    agent: str,
    usage: Any,
    **options: Any,
) -> BaseModel:
    """One structured call (agent.llm.structured.structured_call: re-ask, budgets, usage;
    options: item, max_tokens, describe)."""
    from agent.llm.structured import structured_call

    return structured_call(model, schema, messages, agent=agent, usage=usage, **options)


# --- store -------------------------------------------------------------------------------
def stored_paper(store: Any, sha256: str) -> Paper | None:
    """The stored, complete paper version read from the PDF with this hash, if any."""
    if hasattr(store, "get_paper_by_sha"):
        return store.get_paper_by_sha(sha256)
    got = store.col("papers").get(where={"sha256": sha256}, include=["metadatas"])
    for meta in got["metadatas"]:
        if meta.get("complete"):
            return Paper.model_validate_json(meta["json"])
    return None


class SerialStore:
    """The store with its calls made one at a time: the per-paper branches run in threads,
    and the Chroma client is not safe to initialise from several threads at once."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._lock = threading.RLock()

    def serially(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """`fn(store, ...)` with the raw store, holding the lock throughout: operations that
        take the store's own write lock must not interleave with single calls."""
        with self._lock:
            return fn(self._store, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._store, name)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return value(*args, **kwargs)

        return call


class _FetchView:
    """What the fetcher asks of the store (`has_paper`), on a store that lacks it."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def has_paper(self, arxiv_id: str, version: str | None) -> bool:
        meta = self.store.paper_meta(f"{arxiv_id}{version or ''}")
        return bool(meta and meta.get("complete"))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def fetch_store(store: Any) -> Any:
    """The store as the fetcher wants it."""
    return store if hasattr(store, "has_paper") else _FetchView(store)


def stored_pages(store: Any, paper_key: str) -> list[str]:
    return list(store.get_pages(paper_key))


def stored_claims(store: Any, paper_key: str, status: str) -> list[Claim]:
    return list(store.get_claims(paper_key, status=status))


def save_brief(store: Any, record: BriefRecord) -> None:
    store.add_brief(record)
