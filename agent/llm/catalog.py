"""Recommended local models: small instruct GGUFs with good Chinese (`brief models pull`), and
one multilingual embedding GGUF (kind "embedding") for semantic, cross-lingual search.

`path` is relative to settings.models_url (default https://huggingface.co). No exact size or
sha256 is recorded yet: they could not be verified offline, and a wrong constant would make a
good download fail. `pull` checks the size against the server's Content-Length, verifies a
sha256 when an entry has one, and warns when it has none.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogEntry:
    """One downloadable GGUF."""

    name: str
    filename: str
    path: str
    approx_gb: float
    note: str
    size: int | None = None
    sha256: str | None = None
    kind: str = "chat"  # "chat" (--model llamacpp:NAME) or "embedding" (BRIEF_EMBEDDINGS)
    pooling: str = "mean"  # embedding models: how token vectors become one (mean, last, cls)
    query_prefix: str = ""  # embedding models: put before a search query (not documents)

    def url(self, base: str) -> str:
        return f"{base.rstrip('/')}/{self.path.lstrip('/')}"


CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "qwen2.5-0.5b",
        "qwen2.5-0.5b-instruct-q4_k_m.gguf",
        "Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf",
        0.5,
        "smallest; fine for checks, weak at extraction",
    ),
    CatalogEntry(
        "qwen2.5-1.5b",
        "qwen2.5-1.5b-instruct-q4_k_m.gguf",
        "Qwen/Qwen2.5-1.5B-Instruct-GGUF/resolve/main/qwen2.5-1.5b-instruct-q4_k_m.gguf",
        1.1,
        "recommended on a laptop CPU",
    ),
    CatalogEntry(
        "qwen2.5-3b",
        "qwen2.5-3b-instruct-q4_k_m.gguf",
        "Qwen/Qwen2.5-3B-Instruct-GGUF/resolve/main/qwen2.5-3b-instruct-q4_k_m.gguf",
        2.1,
        "better claims; needs about 4 GB of RAM",
    ),
    CatalogEntry(
        "qwen2.5-7b",
        "Qwen2.5-7B-Instruct-Q4_K_M.gguf",
        "bartowski/Qwen2.5-7B-Instruct-GGUF/resolve/main/Qwen2.5-7B-Instruct-Q4_K_M.gguf",
        4.7,
        "best local quality; needs about 8 GB of RAM",
    ),
)

EMBEDDINGS: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "qwen3-embedding-0.6b",
        "Qwen3-Embedding-0.6B-Q8_0.gguf",
        "Qwen/Qwen3-Embedding-0.6B-GGUF/resolve/main/Qwen3-Embedding-0.6B-Q8_0.gguf",
        0.64,
        "multilingual embeddings (Chinese questions, English papers); "
        "BRIEF_EMBEDDINGS=llamacpp:qwen3-embedding-0.6b, then brief store reindex",
        kind="embedding",
        pooling="last",
        query_prefix="Instruct: Given a question about research papers, retrieve passages "
        "that answer it\nQuery: ",
    ),
)
CATALOG += EMBEDDINGS

DEFAULT = "qwen2.5-1.5b"
DEFAULT_EMBEDDING = "qwen3-embedding-0.6b"


def find(name: str) -> CatalogEntry | None:
    """A catalog entry by name or file name (case-insensitive)."""
    key = name.strip().lower()
    for entry in CATALOG:
        if key in (entry.name, entry.filename.lower()):
            return entry
    return None
