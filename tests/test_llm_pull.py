"""`brief models pull` against a local HTTP server: progress, resume, checksum, offline."""

from __future__ import annotations

import hashlib
import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli.app import app
from agent.errors import ModelError
from agent.llm.catalog import CatalogEntry, find
from agent.llm.download import pull_model
from agent.settings import load_settings

BLOB = os.urandom(3 * (1 << 20) + 123)


class FileServer:
    """Serves bytes at given paths with Range support; can cut a response short."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.cut_after: int | None = None
        self.requests: list[dict[str, str]] = []
        srv = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                srv.requests.append({"path": self.path, "range": self.headers.get("Range", "")})
                data = srv.files.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                if self.headers.get("Range", "").startswith("bytes="):
                    start = int(self.headers["Range"][6:].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if srv.cut_after is not None:
                    self.wfile.write(body[: srv.cut_after])
                    srv.cut_after = None
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


ENTRY = CatalogEntry("tiny-test", "tiny-test.gguf", "org/repo/resolve/main/tiny-test.gguf", 0.0, "")


@pytest.fixture
def files() -> Iterator[FileServer]:
    server = FileServer({"/" + ENTRY.path: BLOB})
    yield server
    server.close()


def settings_for(url: str) -> Any:
    return load_settings(models_url=url, download_timeout=10)


def test_pull_downloads_verifies_and_renames(files: FileServer) -> None:
    entry = CatalogEntry(**{**ENTRY.__dict__, "sha256": hashlib.sha256(BLOB).hexdigest()})
    seen: list[tuple[int, int | None]] = []
    path = pull_model(entry, settings_for(files.url), lambda d, t: seen.append((d, t)))
    assert path.read_bytes() == BLOB
    assert path.parent.name == "models" and not path.with_name(path.name + ".part").exists()
    assert seen[-1] == (len(BLOB), len(BLOB))
    again = pull_model(entry, settings_for(files.url))  # already there: no request
    assert again == path and len(files.requests) == 1


def test_interrupted_pull_resumes_with_range(files: FileServer) -> None:
    settings = settings_for(files.url)
    files.cut_after = 1 << 20
    with pytest.raises(ModelError) as err:
        pull_model(ENTRY, settings)
    part = settings.home / "models" / "tiny-test.gguf.part"
    assert part.stat().st_size == 1 << 20 and "resumes" in err.value.hint
    path = pull_model(ENTRY, settings)
    assert path.read_bytes() == BLOB
    assert files.requests[-1]["range"] == f"bytes={1 << 20}-"


def test_checksum_mismatch_deletes_and_fails(files: FileServer) -> None:
    entry = CatalogEntry(**{**ENTRY.__dict__, "sha256": "0" * 64})
    settings = settings_for(files.url)
    with pytest.raises(ModelError, match="checksum mismatch"):
        pull_model(entry, settings)
    assert not any((settings.home / "models").iterdir())


def test_wrong_recorded_size_is_reported(files: FileServer) -> None:
    entry = CatalogEntry(**{**ENTRY.__dict__, "size": len(BLOB) + 1})
    with pytest.raises(ModelError, match="incomplete"):
        pull_model(entry, settings_for(files.url))


def test_http_error_names_the_url(files: FileServer) -> None:
    entry = CatalogEntry(**{**ENTRY.__dict__, "path": "missing.gguf"})
    with pytest.raises(ModelError, match="HTTP 404"):
        pull_model(entry, settings_for(files.url))


def test_cli_pull_catalog_model(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = find("qwen2.5-0.5b")
    assert entry is not None and entry.size is None
    server = FileServer({"/" + entry.path: BLOB})
    try:
        monkeypatch.setenv("BRIEF_MODELS_URL", server.url)
        result = CliRunner().invoke(app, ["models", "pull", "qwen2.5-0.5b"])
    finally:
        server.close()
    assert result.exit_code == 0, result.output
    path = Path(load_settings().home) / "models" / entry.filename
    assert path.read_bytes() == BLOB and f"llamacpp:{path}" in result.stdout
    listing = CliRunner().invoke(app, ["models", "list", "--json"])
    import json

    rows = {r["name"]: r for r in json.loads(listing.stdout)["catalog"]}
    assert rows["qwen2.5-0.5b"]["pulled"] and not rows["qwen2.5-3b"]["pulled"]


def test_cli_pull_offline_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("BRIEF_MODELS_URL", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)  # the boundary prints one line
    result = CliRunner().invoke(app, ["models", "pull", "qwen2.5-1.5b"])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot download qwen2.5-1.5b" in errors[0]
    assert "BRIEF_MODELS_URL" in errors[0]


def test_cli_pull_unknown_name() -> None:
    with pytest.raises(Exception, match="unknown model"):
        CliRunner().invoke(app, ["models", "pull", "llama-70b"], catch_exceptions=False)
