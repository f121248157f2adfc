"""Run context: the services every node may use, passed in through LangGraph's runtime.

Nothing in here is checkpointed; `brief runs resume` builds a fresh Context from the saved
run options. Nodes receive it as `runtime.context` and never import module-level services.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.settings import Settings


@dataclass
class Context:
    """Services for one run.

    settings: the run's settings.
    store: the ClaimStore (store.chroma.open_store).
    model: a LangChain chat model, or None for extractive mode.
    model_spec: the model's spec or name, recorded on claims and in the brief.
    usage: the run's UsageTracker (token/cost budgets).
    demo: read the bundled demo feed and PDFs instead of arXiv.
    reader: parses PDFs in worker processes (agent.nodes.readpool.ReaderPool); None parses
        in-process under read_gate.
    writer: the branches' store writes, merged (agent.nodes.storewriter.StoreWriter).
    local_pdfs: brief these PDF files instead of fetching (benchmarks, local collections).
    out: where to write the brief (default: settings.briefs_dir/<kind>-<topic>-<end>.md).
    model_gate: bounds model calls running at once (settings.model_concurrency).
    read_gate: bounds PDF parsing running at once (settings.workers).
    fault: test hook called as fault(node, paper_key) at the start of a paper node.
    on_event: progress hook called as on_event(kind, detail).
    """

    settings: Settings
    store: Any
    model: Any = None
    model_spec: str = "none"
    usage: Any = None
    demo: bool = False
    out: str | None = None
    local_pdfs: list[str] | None = None
    reader: Any = None
    writer: Any = None
    model_gate: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(4))
    read_gate: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(1))
    fault: Callable[[str, str], None] | None = None
    on_event: Callable[[str, str], None] | None = None
    pages_cache: dict[str, list[str]] = field(default_factory=dict)

    def extractor(self, lang: str) -> str:
        """The label a claim made in this run carries: 'extractive', or the model spec and the
        language its phrases are written in (claims are reused only by the same label)."""
        return "extractive" if self.model is None else f"{self.model_spec}@{lang}"

    @property
    def lean(self) -> bool:
        """One model call per paper (settings.model_calls; auto: in-process llama.cpp)."""
        if self.model is None:
            return False
        mode = getattr(self.settings, "model_calls", "auto")
        if mode == "auto":  # grammar-constrained decoding: an in-process llama.cpp model
            return (self.model.metadata or {}).get("brief_structured") == "grammar"
        return bool(mode == "lean")

    @property
    def model_name(self) -> str:
        """'extractive' without a model, else the model spec."""
        return "extractive" if self.model is None else self.model_spec

    def __post_init__(self) -> None:
        if self.writer is None and self.store is not None:
            from agent.nodes.storewriter import StoreWriter

            self.writer = StoreWriter(self.store)

    def close(self) -> None:
        """Stop the run's reader processes and store writer."""
        if self.reader is not None:
            self.reader.close()
        if self.writer is not None:
            self.writer.close()

    def pages(self, paper_key: str) -> list[str]:
        """A paper's page texts from the store, read once per run."""
        if paper_key not in self.pages_cache:
            from agent.nodes.services import stored_pages

            pages = stored_pages(self.store, paper_key)
            if pages:
                self.pages_cache[paper_key] = pages
            return pages
        return self.pages_cache[paper_key]

    def event(self, kind: str, detail: str = "") -> None:
        if self.on_event is not None:
            self.on_event(kind, detail)

    def check_fault(self, node: str, key: str) -> None:
        if self.fault is not None:
            self.fault(node, key)


def make_context(
    settings: Settings, store: Any, model: Any = None, usage: Any = None, **kwargs: Any
) -> Context:
    """A Context with gates sized from the settings."""
    return Context(
        settings=settings,
        store=store,
        model=model,
        usage=usage,
        model_gate=threading.Semaphore(settings.model_concurrency),
        read_gate=threading.Semaphore(settings.workers),
        **kwargs,
    )
