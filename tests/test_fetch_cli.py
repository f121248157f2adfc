"""`brief fetch` through the CLI against the fixture server (BRIEF_ARXIV_API_URL)."""

# ruff: noqa: F811  (the `arxiv_server` fixture is imported and used as a parameter)
from __future__ import annotations

import json
from pathlib import Path

import pytest
from arxiv_server import ArxivServer, Fault, arxiv_server  # noqa: F401 (fixture)
from feeds import corpus_entries
from test_fetch import recent, serve_demo
from typer.testing import CliRunner

from agent.cli.app import app
from agent.errors import FetchError
from agent.settings import load_settings
from agent.sources.download import pdf_problem
from store.chroma import open_store


def run(*args: str):
    result = CliRunner().invoke(app, ["fetch", *args])
    return result


def serve_corpus(server: ArxivServer, shared_dir: Path, topic_words: tuple[str, ...]):
    """Corpus papers with their real metadata; those whose MANIFEST topic has one of
    `topic_words` first, then two others."""
    manifest = {}
    for line in (shared_dir / "corpus/MANIFEST.jsonl").read_text().splitlines():
        if line.strip():
            item = json.loads(line)
            manifest[item["arxiv_id"]] = item["topic"]
    on, off = [], []
    for entry, pdf in corpus_entries(shared_dir):
        (on if any(w in manifest[entry.arxiv_id] for w in topic_words) else off).append(
            (entry, pdf)
        )
    for entry, pdf in on + off[:2]:
        server.add_paper(recent(entry), pdf)
    return [e for e, _ in on], [e for e, _ in off[:2]]


def test_fetch_topic_cli_fetches_reads_and_stores_then_downloads_nothing(
    arxiv_server, shared_dir, monkeypatch
):
    on, off = serve_corpus(arxiv_server, shared_dir, ("diffusion",))
    assert len(on) >= 4
    monkeypatch.setenv("BRIEF_ARXIV_API_URL", arxiv_server.api_url)
    monkeypatch.setenv("BRIEF_DOWNLOAD_DELAY", "0")
    args = ("--topic", "diffusion-lm", "--since", "30d", "--max", "10", "--json")
    result = run(*args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["candidates"] == len(on) + len(off)
    assert sorted(p["arxiv_id"] for p in data["fetched"]) == sorted(e.arxiv_id for e in on)
    assert sorted(p["arxiv_id"] for p in data["filtered"]) == sorted(e.arxiv_id for e in off)
    assert all(p["score"] is not None and "reason" in p for p in data["filtered"])
    assert data["failed"] == [] and data["downloads"] == len(on)
    settings = load_settings()
    cached = sorted(Path(settings.pdf_dir).iterdir())
    assert len(cached) == len(on) and all(pdf_problem(p) is None for p in cached)
    assert {p["stored"] for p in data["fetched"]} == {"added"}
    store = open_store(settings)
    assert sorted(p.arxiv_id for p in store.list_papers(topic="diffusion-lm")) == sorted(
        e.arxiv_id for e in on
    )
    store.close()

    again = json.loads(run(*args).stdout)
    assert again["downloads"] == 0 and again["failed"] == []
    assert sorted(p["arxiv_id"] for p in again["skipped"]) == sorted(e.arxiv_id for e in on)

    table = run("--topic", "diffusion-lm", "--since", "30d", "--max", "10")
    assert table.exit_code == 0 and "downloads 0" in table.stdout


def test_fetch_cli_reports_each_failure(arxiv_server, monkeypatch):
    entries = serve_demo(arxiv_server)
    arxiv_server.fault(f"/pdf/{entries[1].key}", Fault.truncated())
    monkeypatch.setenv("BRIEF_ARXIV_API_URL", arxiv_server.api_url)
    monkeypatch.setenv("BRIEF_DOWNLOAD_DELAY", "0")
    data = json.loads(run("--topic", "diffusion-lm", "--json").stdout)
    assert [f["arxiv_id"] for f in data["failed"]] == [entries[1].arxiv_id]
    assert "truncated PDF" in data["failed"][0]["reason"]
    assert len(data["fetched"]) == 2
    offline = json.loads(run("--topic", "diffusion-lm", "--json", "--offline").stdout)
    assert offline["downloads"] == 0
    assert offline["failed"][0]["reason"] == "not in the PDF cache (offline)"


def test_fetch_cli_error_feed_and_option_errors(arxiv_server, monkeypatch):
    monkeypatch.setenv("BRIEF_ARXIV_API_URL", arxiv_server.api_url)
    arxiv_server.fault("/api/query", Fault.error_feed("abc"))
    result = run("--query", "id:abc")
    assert isinstance(result.exception, FetchError)
    assert "incorrect id format for abc" in str(result.exception)
    both = run("--topic", "diffusion-lm", "--query", "x")
    assert "exactly one of --topic and --query" in str(both.exception)
    bad = run("--topic", "diffusion-lm", "--since", "soon")
    assert "--since" in str(bad.exception)


@pytest.mark.parametrize("flag", ["--json", None])
def test_fetch_cli_empty_window(arxiv_server, monkeypatch, flag):
    monkeypatch.setenv("BRIEF_ARXIV_API_URL", arxiv_server.api_url)
    result = run("--topic", "ai-systems", *([flag] if flag else []))
    assert result.exit_code == 0
    if flag:
        assert json.loads(result.stdout)["candidates"] == 0
    else:
        assert "no papers" in result.stderr
