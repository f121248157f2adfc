"""Secrets: a planted API key never reaches logs, run records, checkpoints, briefs, eval
reports or `brief doctor` output, even when the model server fails (its errors are
recorded). Every file under BRIEF_HOME is searched byte for byte."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli.app import app

KEY = "sk-planted-SECRET-9f8e7d6c5b4a39281706"


@pytest.fixture()
def failing_model_server() -> Iterator[dict[str, Any]]:
    """An OpenAI-compatible server on 127.0.0.1 that answers every call with HTTP 500
    (recording the Authorization header it was sent)."""
    seen: dict[str, Any] = {"auth": []}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            seen["auth"].append(self.headers.get("Authorization", ""))
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.dumps({"error": {"message": "internal error", "type": "server"}})
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        do_GET = do_POST  # noqa: N815

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    seen["url"] = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    yield seen
    httpd.shutdown()
    httpd.server_close()


def files_with_key(root: Path) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()]


def test_a_planted_key_appears_in_no_output_and_no_file(
    brief_home: Path,
    failing_model_server: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("BRIEF_BASE_URL", failing_model_server["url"])
    monkeypatch.setenv("BRIEF_MODEL_RETRIES", "0")
    monkeypatch.setenv("BRIEF_MAX_REASK", "0")
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()
    outputs, stdouts = [], []
    for args in (
        ["weekly", "--demo", "--model", "openai:gpt-4o-mini", "--json"],
        ["runs", "list", "--json"],
        ["doctor"],
        ["doctor", "--json"],
        ["models", "list"],
        ["eval", "run", "seed-briefs", "--json"],
    ):
        result = runner.invoke(app, args)
        stdouts.append(result.stdout)
        outputs.append(result.output + (str(result.exception) if result.exception else ""))
        assert KEY not in outputs[-1], args
    weekly = json.loads(stdouts[0])
    assert weekly["failures"], "the failing model server made papers fail (errors recorded)"
    assert failing_model_server["auth"] == [f"Bearer {KEY}"] * len(failing_model_server["auth"])
    assert failing_model_server["auth"], "the key was sent to the model server, and only there"
    assert "set" in outputs[2]  # doctor says a key is set, not which
    assert KEY not in caplog.text
    captured = capfd.readouterr()
    assert KEY not in captured.out and KEY not in captured.err
    assert (brief_home / "runs" / "checkpoints.db").is_file()
    assert any((brief_home / "evals").rglob("*.json"))
    assert files_with_key(brief_home) == []
