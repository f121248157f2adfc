"""A real embedding model as an option got once: `brief models pull` of the multilingual
catalog embedder, `llamacpp:<catalog name>` embeddings (never downloaded silently),
OpenAI-compatible embeddings with their own base URL and key, and `brief doctor` saying what
is in use and what would be better."""

from __future__ import annotations

import json
import shutil
import threading
from http.server import HTTPServer
from pathlib import Path

import numpy as np
import pytest
from test_llm_pull import BLOB, FileServer
from test_store_embeddings import _EmbeddingsHandler
from tinymodel import tiny_gguf_fixture  # noqa: F401 (fixture)
from typer.testing import CliRunner

from agent.cli.app import app
from agent.errors import ConfigError
from agent.llm.catalog import DEFAULT_EMBEDDING, find
from agent.settings import load_settings
from store.embeddings import make_embedder

ENTRY = find(DEFAULT_EMBEDDING)


def test_the_catalog_offers_a_multilingual_embedder() -> None:
    assert ENTRY is not None and ENTRY.kind == "embedding" and ENTRY.pooling == "last"
    listing = CliRunner().invoke(app, ["models", "list", "--json"])
    rows = {r["name"]: r for r in json.loads(listing.stdout)["catalog"]}
    assert rows[DEFAULT_EMBEDDING]["kind"] == "embedding"
    assert not rows[DEFAULT_EMBEDDING]["pulled"]


def test_a_catalog_embedder_that_was_not_pulled_is_never_downloaded() -> None:
    # the conftest socket guard fails any attempt to reach the network
    with pytest.raises(ConfigError) as info:
        make_embedder(f"llamacpp:{DEFAULT_EMBEDDING}", load_settings())
    assert f"brief models pull {DEFAULT_EMBEDDING}" in info.value.hint


def test_pull_then_use_it_by_name(monkeypatch: pytest.MonkeyPatch, tiny_gguf: Path) -> None:
    assert ENTRY is not None
    server = FileServer({"/" + ENTRY.path: BLOB})
    try:
        monkeypatch.setenv("BRIEF_MODELS_URL", server.url)
        result = CliRunner().invoke(app, ["models", "pull", DEFAULT_EMBEDDING])
    finally:
        server.close()
    assert result.exit_code == 0, result.output
    assert f"BRIEF_EMBEDDINGS=llamacpp:{DEFAULT_EMBEDDING}" in result.stdout
    pulled = Path(load_settings().home) / "models" / ENTRY.filename
    assert pulled.read_bytes() == BLOB
    doctor = json.loads(CliRunner().invoke(app, ["doctor", "--json", "--offline"]).stdout)
    assert "is pulled" in doctor["embeddings"]["better"]

    pytest.importorskip("llama_cpp")
    shutil.copyfile(tiny_gguf, pulled)  # a real (tiny) GGUF under the catalog's file name
    emb = make_embedder(f"llamacpp:{DEFAULT_EMBEDDING}", load_settings())
    assert emb.spec == f"llamacpp:{ENTRY.filename}"
    doc, query = emb.embed(["kv cache"])[0], emb.embed_query(["kv cache"])[0]
    assert abs(np.linalg.norm(doc) - 1.0) < 1e-4
    assert doc != query  # the query gets the model's instruction prefix


def test_embeddings_have_their_own_server_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    server = HTTPServer(("127.0.0.1", 0), _EmbeddingsHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-chat")
        monkeypatch.setenv("BRIEF_BASE_URL", "http://127.0.0.1:9/v1")  # the chat server
        monkeypatch.setenv("BRIEF_EMBEDDINGS_BASE_URL", f"http://127.0.0.1:{server.server_port}/v1")
        monkeypatch.setenv("BRIEF_EMBEDDINGS_API_KEY", "sk-embed")
        emb = make_embedder("openai:bge-m3", load_settings())
        assert emb.dim == 32 and len(emb.embed(["键值缓存", "KV cache"])) == 2
        last = _EmbeddingsHandler.requests[-1]
        assert last["auth"] == "Bearer sk-embed" and last["body"]["model"] == "bge-m3"
        doctor = json.loads(CliRunner().invoke(app, ["doctor", "--json", "--offline"]).stdout)
        assert "sk-embed" not in json.dumps(doctor)
    finally:
        server.shutdown()
        server.server_close()


def test_doctor_says_what_is_in_use_and_what_would_be_better() -> None:
    result = CliRunner().invoke(app, ["doctor", "--offline"])
    assert result.exit_code == 0, result.output
    assert "embeddings  hash: hashed words" in result.stdout
    assert f"brief models pull {DEFAULT_EMBEDDING}" in result.stdout
    data = json.loads(CliRunner().invoke(app, ["doctor", "--json", "--offline"]).stdout)
    assert data["embeddings"]["in_use"] == "hash" and not data["embeddings"]["semantic"]
