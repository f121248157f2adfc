"""Deadlines on every network transfer: a server on 127.0.0.1 that trickles its body (a
byte every 0.3 s, so no single read ever times out) is cut off after
BRIEF_DOWNLOAD_DEADLINE seconds, for a PDF download and for an arXiv API page."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from agent.errors import FetchError
from agent.settings import load_settings
from agent.sources.arxiv import search
from agent.sources.download import Downloader

BYTES = 20  # 20 x 0.3 s = 6 s of trickle, far over the 1 s deadline below
GAP = 0.3


@pytest.fixture()
def trickle_server() -> Iterator[str]:
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            kind = "application/pdf" if self.path.startswith("/pdf") else "application/atom+xml"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(BYTES))
            self.end_headers()
            for _ in range(BYTES):
                if stop.is_set():
                    return
                self.wfile.write(b"%")
                self.wfile.flush()
                time.sleep(GAP)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    stop.set()
    httpd.shutdown()
    httpd.server_close()


def settings_for(url: str) -> Any:
    return load_settings(
        arxiv_api_url=f"{url}/api/query",
        arxiv_delay=0,
        download_delay=0,
        download_timeout=5,
        download_deadline=1,
        download_retries=0,
    )


def test_a_trickling_pdf_download_is_cut_off(trickle_server: str, tmp_path: Path) -> None:
    dest = tmp_path / "pdf" / "2511.00001v1.pdf"
    with Downloader(settings_for(trickle_server)) as downloader:
        [result] = downloader.fetch_many([(f"{trickle_server}/pdf/2511.00001v1", dest)])
    assert not result.ok and "took more than 1s in all" in (result.reason or "")
    assert not dest.exists() and list(dest.parent.iterdir()) == []  # no partial file left


def test_a_trickling_api_page_is_cut_off(trickle_server: str) -> None:
    with pytest.raises(FetchError, match="arXiv API response took more than 1s in all"):
        search(settings_for(trickle_server), "all:cache", 5)
