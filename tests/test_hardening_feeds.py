"""Hostile feeds and PDF hosts on 127.0.0.1: oversized bodies, deep nesting, entity
declarations, wrong content types and redirects to other hosts are refused with a reason,
before anything is parsed or written (a good feed through the same server is the control).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from feeds import FeedEntry, feed_xml

from agent.errors import FetchError
from agent.settings import load_settings
from agent.sources import arxiv, download
from agent.sources.arxiv import search
from agent.sources.download import Downloader

ATOM = "application/atom+xml; charset=utf-8"
GOOD = feed_xml([FeedEntry("2611.00001", "v1", "A good paper", ["A. Author"], "Fine.")])
BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE feed [\n<!ENTITY a "aaaaaaaaaa">\n'
    + b"".join(
        b'<!ENTITY %s "%s">\n' % (chr(98 + i).encode(), (b"&%s;" % chr(97 + i).encode()) * 10)
        for i in range(8)
    )
    + b']>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>&i;</title></feed>'
)
DEEP = (
    b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
    + b"<x>" * 1000
    + b"</x>" * 1000
    + b"</feed>"
)


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    kind: str = ATOM
    headers: dict[str, str] = field(default_factory=dict)
    length: int | None = None
    chunks: int = 0  # > 0: send the body this many times, without Content-Length


class Server:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?")[0]
                owner.hits.append(path)
                route = owner.routes.get(path, Route(404, b"no", "text/plain"))
                self.send_response(route.status)
                self.send_header("Content-Type", route.kind)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.chunks:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    try:
                        for _ in range(route.chunks):
                            self.wfile.write(route.body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    self.close_connection = True
                    return
                size = len(route.body) if route.length is None else route.length
                self.send_header("Content-Length", str(size))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


@pytest.fixture()
def other_host() -> Iterator[Server]:
    """Another loopback host (127.0.0.2): a redirect there must never reach it."""
    try:
        s = Server("127.0.0.2")
    except OSError:
        pytest.skip("127.0.0.2 is not available")
    yield s
    s.close()


def api(server: Server, path: str, route: Route) -> Any:
    server.routes[path] = route
    return load_settings(arxiv_api_url=f"{server.url}{path}", download_retries=0)


def test_a_good_feed_through_the_same_server_is_read(server: Server) -> None:
    [paper] = search(api(server, "/good", Route(body=GOOD)), "all:good", 10)
    assert paper.title == "A good paper"


@pytest.mark.parametrize(
    "route,reason",
    [
        (
            Route(body=b"<html><body>Just a moment...</body></html>", kind="text/html"),
            "sent text/html instead of an Atom feed",
        ),
        (
            Route(body=b'{"entries": []}', kind="application/json"),
            "sent application/json instead of an Atom feed",
        ),
        (Route(body=BOMB), "declares a DTD or entities; refused"),
        (Route(body=DEEP), "nested too deeply; refused"),
        (Route(body=GOOD, length=10**10), "10,000,000,000 bytes, over the"),
        (Route(body=GOOD, chunks=400), "over the 100,000 byte limit; refused"),
    ],
    ids=["html", "json", "entities", "deep", "declared-huge", "streamed-huge"],
)
def test_hostile_api_responses_are_refused_with_a_reason(
    server: Server, monkeypatch: pytest.MonkeyPatch, route: Route, reason: str
) -> None:
    monkeypatch.setattr(arxiv, "MAX_FEED_BYTES", 100_000)
    settings = api(server, "/api/query", route)
    with pytest.raises(FetchError, match=reason.replace("(", r"\(")) as info:
        search(settings, "all:x", 10)
    assert info.value.hint
    assert server.hits == ["/api/query"]  # refused, not retried


def test_an_api_redirect_to_another_host_is_refused_before_connecting(
    server: Server, other_host: Server
) -> None:
    other_host.routes["/api/query"] = Route(body=GOOD)
    where = f"{other_host.url}/api/query"
    settings = api(server, "/api/query", Route(302, b"", "text/plain", {"Location": where}))
    with pytest.raises(FetchError, match=r"redirected to another host \(127\.0\.0\.2:\d+\)"):
        search(settings, "all:x", 10)
    assert other_host.hits == []


def test_an_api_redirect_on_the_same_host_is_followed(server: Server) -> None:
    server.routes["/moved"] = Route(body=GOOD)
    settings = api(server, "/api/query", Route(301, b"", "text/plain", {"Location": "/moved"}))
    assert [p.title for p in search(settings, "all:x", 10)] == ["A good paper"]


def pdf_settings() -> Any:
    return load_settings(download_delay=0, download_retries=0, download_timeout=5)


def test_a_pdf_redirect_to_another_host_fails_that_download_only(
    server: Server, other_host: Server, demo_pdfs: list[Path], tmp_path: Path
) -> None:
    data = demo_pdfs[0].read_bytes()
    other_host.routes["/pdf/x"] = Route(body=data, kind="application/pdf")
    server.routes["/pdf/good"] = Route(body=data, kind="application/pdf")
    server.routes["/pdf/x"] = Route(302, b"", "text/plain", {"Location": f"{other_host.url}/pdf/x"})
    with Downloader(pdf_settings()) as dl:
        bad, good = dl.fetch_many(
            [
                (f"{server.url}/pdf/x", tmp_path / "cache" / "x.pdf"),
                (f"{server.url}/pdf/good", tmp_path / "cache" / "g.pdf"),
            ]
        )
    assert not bad.ok and "redirected to another host" in bad.reason
    assert good.ok and (tmp_path / "cache" / "g.pdf").read_bytes() == data
    assert other_host.hits == []
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["g.pdf"]  # no partial file


@pytest.mark.parametrize("streamed", [False, True], ids=["declared", "streamed"])
def test_an_oversized_pdf_is_refused_and_nothing_is_kept(
    server: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, streamed: bool
) -> None:
    monkeypatch.setattr(download, "MAX_PDF_BYTES", 1_000_000)
    block = b"%PDF-1.4\n" + b"0" * 65_000
    route = Route(body=block, kind="application/pdf", chunks=40 if streamed else 0)
    if not streamed:
        route.length = 10**10
    server.routes["/pdf/huge"] = route
    with Downloader(pdf_settings()) as dl:
        result = dl.fetch(f"{server.url}/pdf/huge", tmp_path / "cache" / "huge.pdf")
    assert not result.ok and "byte limit" in result.reason
    assert list((tmp_path / "cache").iterdir()) == []


def test_https_to_http_redirect_is_refused() -> None:
    import httpx

    from agent.sources.httpguard import Refused, check_redirect

    request = httpx.Request("GET", "https://arxiv.org/pdf/2508.14148")
    response = httpx.Response(302, headers={"Location": "http://arxiv.org/pdf/x"}, request=request)
    with pytest.raises(Refused, match="from https to http"):
        check_redirect(response)
    up = httpx.Response(
        302,
        headers={"Location": "https://arxiv.org/pdf/x"},
        request=httpx.Request("GET", "http://arxiv.org/pdf/x"),
    )
    check_redirect(up)  # http -> https on the same host is fine
