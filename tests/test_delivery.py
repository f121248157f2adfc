"""`brief weekly --notify URL` through Apprise, against a real SMTP server (aiosmtpd) and a
real webhook (an HTTP server) on 127.0.0.1: the brief as the HTML body, the Markdown
attached; a failed delivery is one line on stderr and exit code 1 after the brief is
written; a URL Apprise cannot use is refused before any work; secrets never printed."""

from __future__ import annotations

import base64
import email
import json
import socket
import threading
from collections.abc import Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli.app import app
from agent.errors import UsageError

Controller = pytest.importorskip("aiosmtpd.controller").Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Mailbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[str, Mailbox]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"mailto://127.0.0.1:{port}?from=brief@example.org&to=reader@example.org", box
    finally:
        controller.stop()


class Hook:
    """What the webhook received; `status` is what it answers."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.status = 200


@pytest.fixture
def webhook() -> Iterator[tuple[str, Hook]]:
    hook = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hook.posts.append(json.loads(body))
            self.send_response(hook.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"json://127.0.0.1:{server.server_address[1]}/hook", hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def weekly(tmp_path: Path, *urls: str) -> Any:
    args = ["weekly", "--demo", "--out", str(tmp_path / "weekly.md"), "--json"]
    for url in urls:
        args += ["--notify", url]
    return CliRunner().invoke(app, args)


def parts(message: Message) -> dict[str, Message]:
    return {
        part.get_filename() or part.get_content_type(): part
        for part in message.walk()
        if not part.is_multipart()
    }


def test_mail_and_webhook_get_the_html_brief_with_the_markdown_attached(
    tmp_path: Path, smtp: tuple[str, Mailbox], webhook: tuple[str, Hook]
) -> None:
    (mail_url, box), (hook_url, hook) = smtp, webhook
    result = weekly(tmp_path, mail_url, hook_url)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    markdown = (tmp_path / "weekly.md").read_text(encoding="utf-8")
    title = markdown.split('title: "', 1)[1].split('"', 1)[0]
    assert [d["ok"] for d in summary["deliveries"]] == [True, True]

    (message,) = box.messages
    assert box.recipients == [["reader@example.org"]]
    assert str(email.header.make_header(email.header.decode_header(message["Subject"]))) == title
    found = parts(message)
    html = found["text/html"].get_payload(decode=True).decode("utf-8")
    assert f"<h1>{title}</h1>" in html and "<script" not in html
    attached = found["weekly.md"].get_payload(decode=True).decode("utf-8")
    assert attached == markdown

    (post,) = hook.posts
    assert post["title"] == title and f"<h1>{title}</h1>" in post["message"]
    (attachment,) = post["attachments"]
    assert attachment["filename"] == "weekly.md"
    assert base64.b64decode(attachment["base64"]).decode("utf-8") == markdown


def test_a_failed_delivery_keeps_the_brief_and_exits_1(
    tmp_path: Path, smtp: tuple[str, Mailbox], webhook: tuple[str, Hook]
) -> None:
    (mail_url, box), (hook_url, hook) = smtp, webhook
    hook.status = 500
    closed = f"json://user:s3cret-token@127.0.0.1:{free_port()}/hook"
    result = weekly(tmp_path, hook_url, closed, mail_url)
    assert result.exit_code == 1, result.output
    assert (tmp_path / "weekly.md").is_file() and (tmp_path / "weekly.json").is_file()
    summary = json.loads(result.stdout)
    assert [d["ok"] for d in summary["deliveries"]] == [False, False, True]
    assert len(box.messages) == 1 and len(hook.posts) == 1  # the others were still sent
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and all("delivery to json://" in e for e in errors)
    assert all("the brief is kept" in e for e in errors)
    assert "s3cret-token" not in result.output + result.stderr


def test_a_url_apprise_cannot_use_is_refused_before_any_work(tmp_path: Path) -> None:
    result = weekly(tmp_path, "nosuchservice://user:hunter2@example.org")
    assert isinstance(result.exception, UsageError)
    assert result.exception.exit_code == 2
    assert "hunter2" not in str(result.exception) and "nosuchservice://***@" in str(
        result.exception
    )
    assert not (tmp_path / "weekly.md").exists()
