"""No false success: a weekly brief left empty because every paper failed, and a fetch
whose every download failed, exit 1 with the true reason; a lost runs/cache is rebuilt
instead of failing every paper with "no institution printed on page 1"."""

# ruff: noqa: F811  (the `arxiv_server` fixture is imported and used as a parameter)
from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from arxiv_server import Fault, arxiv_server  # noqa: F401 (fixture)
from test_fetch import serve_demo
from typer.testing import CliRunner

from agent.cli.app import app


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture()
def broken_model_server() -> Iterator[str]:
    """An OpenAI-compatible server on 127.0.0.1 that fails every call with HTTP 500."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b'{"error": {"message": "the GPU is on fire", "type": "server"}}'
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def test_a_lost_run_cache_is_rebuilt_not_reported_as_missing_fields(brief_home: Path) -> None:
    first = run("weekly", "--demo", "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["papers"] == 3
    shutil.rmtree(brief_home / "runs" / "cache")
    again = run("weekly", "--demo", "--json")
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert data["papers"] == 3 and data["failures"] == [], data["failures"]
    assert "no institution printed" not in again.output


def test_an_empty_brief_because_every_paper_failed_exits_1(
    brief_home: Path, broken_model_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEF_BASE_URL", broken_model_server)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key-not-secret")
    monkeypatch.setenv("BRIEF_MODEL_RETRIES", "0")
    result = run("weekly", "--demo", "--model", "openai:gpt-4o-mini", "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)  # the summary is still printed for scripts
    assert data["papers"] == 0 and len(data["failures"]) == 3
    assert "is empty: all 3 papers failed" in data["problem"]
    assert "the GPU is on fire" in result.stderr and "is empty" in result.stderr
    listed = json.loads(run("runs", "list", "--json").stdout)
    assert "is empty" in json.dumps(listed)


def test_a_fetch_whose_every_download_failed_exits_1(arxiv_server, monkeypatch) -> None:
    entries = serve_demo(arxiv_server)
    for entry in entries:
        arxiv_server.fault(
            f"/pdf/{entry.key}", Fault.truncated(), Fault.truncated()
        )  # one per run below
    monkeypatch.setenv("BRIEF_ARXIV_API_URL", arxiv_server.api_url)
    monkeypatch.setenv("BRIEF_DOWNLOAD_DELAY", "0")
    monkeypatch.setenv("BRIEF_DOWNLOAD_RETRIES", "0")
    for flag in ("--json", None):
        result = run("fetch", "--topic", "diffusion-lm", *([flag] if flag else []))
        assert result.exit_code == 1, result.output
        assert "all 3 relevant papers failed" in result.stderr
        assert "truncated PDF" in result.stderr
        if flag:
            data = json.loads(result.stdout)
            assert len(data["failed"]) == 3 and data["fetched"] == []
    one_ok = run("fetch", "--topic", "diffusion-lm", "--json")  # faults used up: all fetched
    assert one_ok.exit_code == 0, one_ok.output
