"""Secrets a model server echoes back: the server on 127.0.0.1 answers every call with 401
"Incorrect API key provided: <the key it was sent>", and BRIEF_BASE_URL carries
user:password. Neither the key nor the password appears in any output or in any file under
BRIEF_HOME (briefs, sidecars, run records, checkpoints, eval reports, the store)."""

from __future__ import annotations

import base64
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
from agent.safety import RedactingSerde, redact, redact_bytes

KEY = "sk-proj-Echoed4KEY7x9Q2mN5pL8rT1vW3yZ6"
PASSWORD = "hunter2-Pass-77f3"
SECRETS = (KEY, PASSWORD, KEY[8:24])


@pytest.fixture()
def echoing_server() -> Iterator[dict[str, Any]]:
    """An OpenAI-compatible server that rejects every call and echoes the key it got."""
    seen: dict[str, Any] = {"auth": []}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            auth = self.headers.get("Authorization", "")
            seen["auth"].append(auth)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            key = auth.partition(" ")[2]
            if auth.startswith("Basic "):  # user:password from the URL
                key = base64.b64decode(key).decode()
            body = json.dumps(
                {
                    "error": {
                        "message": f"Incorrect API key provided: {key}. Header was {auth}.",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                }
            )
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        do_GET = do_POST  # noqa: N815

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    seen["url"] = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    seen["url_with_password"] = f"http://admin:{PASSWORD}@127.0.0.1:{httpd.server_address[1]}/v1"
    yield seen
    httpd.shutdown()
    httpd.server_close()


def files_with_secrets(root: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path}: {s}" for s in SECRETS if s.encode() in data]
    return found


@pytest.mark.parametrize("url", ["url", "url_with_password"])
def test_echoed_keys_and_url_passwords_appear_nowhere(
    url: str,
    brief_home: Path,
    echoing_server: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("BRIEF_BASE_URL", echoing_server[url])
    monkeypatch.setenv("BRIEF_MODEL_RETRIES", "0")
    monkeypatch.setenv("BRIEF_MAX_REASK", "0")
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "out" / "weekly.md"
    model = ["--model", "openai:gpt-4o-mini"]
    commands = [
        ["weekly", "--demo", *model, "--json", "--out", str(out)],
        ["runs", "list", "--json"],
        ["runs", "list"],
        ["doctor"],
        ["doctor", "--json"],
        ["models", "list"],
        ["models", "check", *model, "--json"],
        ["models", "check", *model],
        ["ask", "What does the KV cache do?", *model, "--json"],
        ["ask", "What does the KV cache do?", *model],
        ["eval", "run", "seed-briefs", "--json"],
        ["chat", "--thread", "t1", *model],
    ]
    outputs, stdouts = [], []
    runner = CliRunner()
    for args in commands:
        result = runner.invoke(app, args, input="What does the KV cache do?\n/quit\n")
        text = result.output + (repr(result.exception) if result.exception else "")
        outputs.append(text)
        stdouts.append(result.stdout)
        for secret in SECRETS:
            assert secret not in text, (args, text[-2000:])
    weekly = json.loads(stdouts[0])
    assert weekly["failures"], "the model server's errors were recorded"
    sent = KEY if url == "url" else "Basic "  # httpx sends a URL's user:password instead
    assert echoing_server["auth"] and all(sent in a for a in echoing_server["auth"])
    assert "Incorrect API key provided" in json.dumps(weekly)  # the reason is kept, masked
    assert out.is_file()
    for secret in SECRETS:
        assert secret not in caplog.text
        captured = capfd.readouterr()
        assert secret not in captured.out and secret not in captured.err
    assert (brief_home / "runs" / "checkpoints.db").is_file()
    chat_db = str(brief_home / "chat.sqlite")  # test_chat_history_is_redacted
    assert [f for f in files_with_secrets(brief_home) if not f.startswith(chat_db)] == []
    assert files_with_secrets(out.parent) == []


def test_chat_history_is_redacted(
    brief_home: Path, echoing_server: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("BRIEF_BASE_URL", echoing_server["url"])
    monkeypatch.setenv("BRIEF_MODEL_RETRIES", "0")
    result = CliRunner().invoke(
        app,
        ["chat", "--thread", "t1", "--model", "openai:gpt-4o-mini"],
        input="KV 缓存在推理中起什么作用？\n/quit\n",  # a Chinese question: the model translates it
    )
    assert echoing_server["auth"] and KEY not in result.output
    assert (brief_home / "chat.sqlite").is_file()
    assert files_with_secrets(brief_home) == []


def test_redaction_rules() -> None:
    text = (
        "POST http://bob:s3cret-pw@host:8080/v1 failed: Incorrect API key provided: "
        "abcdefghijkl; Authorization: Bearer tok_1234567890abcd and sk-abcdefghijklmnop1234"
    )
    clean = redact(text)
    for secret in (
        "s3cret-pw",
        "bob:",
        "abcdefghijkl",
        "tok_1234567890abcd",
        "sk-abcdefghijklmnop1234",
    ):
        assert secret not in clean
    assert "http://***@host:8080/v1" in clean and "Incorrect API key provided: ***" in clean
    prose = "sk-learn and scikit-learn, user@example.org; Bearer tokens and bearer capacity"
    assert redact(prose) == prose
    data = json.dumps({"reason": "Bearer abcdefgh12345678 sk-abcdefghijklmnop1234"}).encode()
    masked = redact_bytes(data)
    assert len(masked) == len(data) and b"abcdefgh12345678" not in masked
    assert json.loads(masked)["reason"].startswith("Bearer ****")


def test_checkpoints_stay_readable_when_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    serde = RedactingSerde()
    state = {"failures": [{"reason": f"401 Incorrect API key provided: {KEY}"}], "n": [1, 64, 42]}
    kind, data = serde.dumps_typed(state)
    assert KEY.encode() not in data
    back = serde.loads_typed((kind, data))
    assert back["n"] == [1, 64, 42] and KEY not in back["failures"][0]["reason"]
