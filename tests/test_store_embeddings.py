"""Embedding providers: hash (always), minilm and llama.cpp (when installed), and an
OpenAI-compatible endpoint served on 127.0.0.1 by the test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest
from tinymodel import tiny_gguf_fixture  # noqa: F401 (fixture)

from agent.errors import ConfigError
from agent.settings import load_settings
from store.embeddings import HashEmbedder, make_embedder, minilm_available, resolve_spec
from store.text import tokenize


def cos(a, b) -> float:
    return float(np.dot(a, b))


def test_tokenizer_keeps_exact_terms_and_splits_chinese_into_bigrams():
    terms = tokenize("LLM.int8() quantizes GPT-3 to 3.5 bits")
    assert {"llm.int8", "int8", "gpt-3", "gpt", "3.5", "quantize", "bit"} <= set(terms)
    assert "to" not in terms
    assert tokenize("键值缓存") == ["键值", "值缓", "缓存"]
    assert tokenize("缓") == ["缓"]
    assert tokenize("Quantization") == tokenize("quantized")


def test_hash_vectors_are_unit_length_deterministic_and_meaningful():
    emb = HashEmbedder()
    a, b, c, empty = emb.embed(
        [
            "speculative decoding with a draft model",
            "a draft model for speculative decoding",
            "mixture of experts routing",
            "",
        ]
    )
    assert len(a) == emb.dim == 512
    assert abs(np.linalg.norm(a) - 1.0) < 1e-5 and abs(np.linalg.norm(empty) - 1.0) < 1e-5
    assert cos(a, b) > 0.5 > cos(a, c)
    zh = emb.embed(["键值缓存复用", "缓存复用与调度", "专家混合路由"])
    assert cos(zh[0], zh[1]) > cos(zh[0], zh[2])
    # the same vector in another process (no dependence on Python's hash seed)
    code = "from store.embeddings import HashEmbedder; print(HashEmbedder().embed(['draft model'])[0][:8])"
    env = dict(os.environ, PYTHONHASHSEED="123")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert json.loads(out.stdout) == pytest.approx(emb.embed(["draft model"])[0][:8], abs=1e-6)


def test_specs_resolve_and_bad_specs_are_config_errors():
    assert resolve_spec("auto") == ("minilm" if minilm_available() else "hash")
    assert make_embedder("hash:64").dim == 64
    with pytest.raises(ConfigError, match="unknown embeddings provider"):
        make_embedder("word2vec")
    with pytest.raises(ConfigError, match="does not exist"):
        pytest.importorskip("llama_cpp")
        make_embedder("llamacpp:/nonexistent/model.gguf")


@pytest.mark.skipif(not minilm_available(), reason="the minilm extra is not installed")
def test_minilm_embeds_offline_from_the_bundled_weights():
    emb = make_embedder("minilm")
    a, b, c = emb.embed(
        [
            "How do I speed up LLM inference?",
            "Making language model generation faster",
            "A cake recipe",
        ]
    )
    assert emb.dim == 384 and len(a) == 384
    assert cos(a, b) > cos(a, c) + 0.2


@pytest.mark.llama
def test_llamacpp_mean_pools_one_vector_per_text(tiny_gguf):
    pytest.importorskip("llama_cpp")
    emb = make_embedder(f"llamacpp:{tiny_gguf}")
    vectors = emb.embed(["short text", "a somewhat longer piece of text about caches"])
    assert emb.spec == "llamacpp:tiny.gguf" and emb.dim == 64
    assert len(vectors) == 2 and all(len(v) == 64 for v in vectors)
    assert abs(np.linalg.norm(vectors[0]) - 1.0) < 1e-4
    assert vectors[0] != vectors[1]


class _EmbeddingsHandler(BaseHTTPRequestHandler):
    """An OpenAI-compatible /embeddings endpoint with a hash embedder behind it."""

    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        )
        vectors = HashEmbedder(32).embed(body["input"])
        data = {
            "object": "list",
            "model": body["model"],
            "data": [
                {"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)
            ],
            "usage": {"prompt_tokens": 1, "total_tokens": 1},
        }
        raw = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:
        pass


def test_openai_embeddings_use_base_url_and_key(monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _EmbeddingsHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        settings = load_settings(base_url=f"http://127.0.0.1:{server.server_port}/v1")
        emb = make_embedder("openai:text-embedding-3-small", settings)
        vectors = emb.embed(["kv cache", "kv cache reuse"])
        assert emb.spec == "openai:text-embedding-3-small" and emb.dim == 32
        assert cos(vectors[0], vectors[1]) > 0.3
        last = _EmbeddingsHandler.requests[-1]
        assert last["path"] == "/v1/embeddings" and last["auth"] == "Bearer sk-test"
        assert last["body"]["model"] == "text-embedding-3-small"
    finally:
        server.shutdown()
        server.server_close()
