"""Helpers for the chat and ask tests (no tests here): the demo papers ingested once into a
template BRIEF_HOME, and an OpenAI-compatible streaming server that echoes its history.

The echo server stands in for a model's judgement only: it answers with what it received
(the earlier user questions) and cites the first passage it was shown, plus one citation that
does not exist, so the tests can see the chat's memory and its citation gate at work.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FAKE_CITATION = "[arXiv:9999.99999 p.1]"


def ingest(home: Path, pdfs: Iterable[Path], embeddings: str | None = None) -> dict[str, str]:
    """Read PDFs with the real reader and store them with the real store under `home`.

    Returns the id each paper is cited by (arXiv id, else its key) -> its PDF file name.
    """
    from agent.settings import load_settings
    from agent.sources.pdf import read_pdf
    from store.chroma import open_store
    from store.ingest import store_parsed

    embeddings = embeddings or os.environ.get("BRIEF_TEST_EMBEDDINGS", "hash")  # as conftest
    settings = load_settings(home=home, embeddings=embeddings)
    store = open_store(settings)
    cited_as = {}
    for pdf in pdfs:
        parsed = read_pdf(pdf)
        store_parsed(store, parsed, source="demo", topics=["efficient-ai"])
        cited_as[parsed.paper.arxiv_id or parsed.paper.key] = pdf.name
    close = getattr(store, "close", None)
    if callable(close):
        close()
    return cited_as


def copy_home(template: Path, home: Path) -> None:
    shutil.copytree(template, home, dirs_exist_ok=True)


def earlier_questions(messages: list[dict[str, Any]]) -> list[str]:
    """The user's earlier questions as the chat sent them (the last message is the prompt)."""
    users = [m for m in messages if m.get("role") == "user"]
    return [str(m.get("content")) for m in users[:-1]]


def echo_reply(messages: list[dict[str, Any]]) -> str:
    earlier = earlier_questions(messages)
    last = str(messages[-1].get("content", "")) if messages else ""
    cite = re.search(r'cite="(\[[^"]+\])"', last)
    head = (
        f"Earlier you asked: {' | '.join(earlier)}." if earlier else "This is your first question."
    )
    body = f" The passages discuss it {cite.group(1)}." if cite else ""
    return f"{head}{body} A made-up source {FAKE_CITATION} is dropped."


class EchoServer:
    """OpenAI chat-completions on 127.0.0.1, streamed as SSE in small pieces."""

    def __init__(self, delay: float = 0.0, repeat: int = 1) -> None:
        self.requests: list[dict[str, Any]] = []
        self.delay = delay
        self.repeat = repeat
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                server.requests.append(body)
                text = " ".join([echo_reply(body.get("messages", []))] * server.repeat)
                if not body.get("stream"):
                    self._json(text)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for i in range(0, len(text), 6):
                        self._event({"content": text[i : i + 6]}, None)
                        if server.delay:
                            time.sleep(server.delay)
                    self._event({}, "stop")
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):  # the client hung up (Ctrl-C)
                    return

            def _event(self, delta: dict[str, Any], finish: str | None) -> None:
                chunk = {
                    "id": "chatcmpl-echo",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": "echo",
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

            def _json(self, text: str) -> None:
                data = json.dumps(
                    {
                        "id": "chatcmpl-echo",
                        "object": "chat.completion",
                        "created": 0,
                        "model": "echo",
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": text},
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> EchoServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
