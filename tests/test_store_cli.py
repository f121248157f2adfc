"""`brief store ...` driven through the real CLI on a real local store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli.app import app
from agent.errors import ConfigError, StoreError
from agent.settings import load_settings
from store.chroma import open_store
from store.ingest import store_parsed
from store.schemas import Claim

runner = CliRunner()


@pytest.fixture
def filled(demo_pdfs: list[Path]) -> list[str]:
    """The demo papers stored in this test's BRIEF_HOME, plus one claim."""
    from agent.sources.pdf import read_pdf

    store = open_store(load_settings())
    keys = []
    for pdf in demo_pdfs:
        parsed = read_pdf(pdf)
        store_parsed(store, parsed, source="demo", topics=["efficient-ai"])
        keys.append(parsed.paper.key)
    store.add_claims(
        [
            Claim(
                paper_key=keys[0],
                arxiv_id=keys[0][:10],
                kind="result",
                statement="dKV-Cache gives a 2-10x speedup.",
                quote="2-10×",
                page=1,
            )
        ]
    )
    store.close()
    return keys


def invoke(*args: str) -> dict | str:
    result = runner.invoke(app, ["store", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else result.stdout


def test_stats_counts_everything(filled):
    info = invoke("stats", "--json")
    assert info["papers"] == 3 and info["claims"] == 1 and info["chunks"] > 30
    assert info["claims_by_status"]["pending"] == 1
    assert info["embeddings"] == "hash" and info["backend"] == "local"
    assert info["location"].endswith("store")
    assert "claims     1 (pending 1" in invoke("stats")


def test_search_json_has_the_documented_fields(filled):
    out = invoke("search", "Distance-decay Dropout", "--k", "3", "--json")
    assert len(out["hits"]) == 3
    assert set(out["hits"][0]) == {"arxiv_id", "title", "page", "section", "text", "score", "kind"}
    assert out["hits"][0]["arxiv_id"] == "2508.14148"
    only = invoke("search", "speedup", "--paper", "2505.15781", "--kind", "result", "--json")
    assert [h["kind"] for h in only["hits"]] == ["result"]
    text = invoke("search", "Distance-decay Dropout", "--k", "1")
    assert "[arXiv:2508.14148 p." in text


def test_show_export_and_delete(filled):
    shown = invoke("show", "2508.14148", "--json")
    assert shown["key"] == filled[1] and shown["current"] and shown["chunks"] > 0
    assert "title" in invoke("show", "2508.14148")
    claim_id = invoke("export").splitlines()[-1]
    record = json.loads(claim_id)
    assert record["type"] == "claim" and record["kind"] == "result"
    assert json.loads(invoke("show", record["claim_id"]))["statement"].startswith("dKV")
    lines = [json.loads(line) for line in invoke("export", "--format", "jsonl").splitlines()]
    assert [r["type"] for r in lines] == ["paper"] * 3 + ["claim"]
    bib = invoke("export", "--format", "bibtex")
    assert bib.count("@misc{") == 3 and "eprint = {2508.14148}" in bib
    assert "deleted" in invoke("delete", "2508.14148")
    assert invoke("stats", "--json")["papers"] == 2


def test_reindex_switches_the_provider(filled, monkeypatch):
    monkeypatch.setenv("BRIEF_EMBEDDINGS", "hash:128")
    with pytest.raises(StoreError, match="brief store reindex"):
        runner.invoke(app, ["store", "search", "cache"], catch_exceptions=False)
    assert "re-embedded" in invoke("reindex")
    assert invoke("stats", "--json")["embeddings"] == "hash:128"
    assert invoke("search", "Distance-decay Dropout", "--k", "1", "--json")["hits"]


def test_bad_input_is_a_clear_error(filled):
    with pytest.raises(ConfigError, match="--kind"):
        runner.invoke(app, ["store", "search", "x", "--kind", "bogus"], catch_exceptions=False)
    with pytest.raises(StoreError, match="no paper '1111.22222'"):
        runner.invoke(app, ["store", "show", "1111.22222"], catch_exceptions=False)
    with pytest.raises(ConfigError, match="--format"):
        runner.invoke(app, ["store", "export", "--format", "csv"], catch_exceptions=False)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    proc = subprocess.run(
        [sys.executable, "-m", "agent", "store", "delete", "1111.22222"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "no paper '1111.22222'" in proc.stderr and "Traceback" not in proc.stderr
