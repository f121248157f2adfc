"""A fixture arXiv server on 127.0.0.1: the query API (Atom feeds) and PDFs, with faults.

    with ArxivServer() as server:
        server.add_paper(entry, pdf_path)         # listed in /api/query, served at /pdf/<id>v<n>
        server.fault("/pdf/2505.15781v1", Fault.status(503), Fault.ok())
        settings = load_settings(arxiv_api_url=server.api_url)

/api/query pages through the listed entries (start, max_results) in the current Atom format;
an `id_list` with a malformed id gets arXiv's HTTP 400 error feed. `server.raw_feed` replaces
the generated feed with fixed bytes (e.g. a real recorded response). Faults are consumed in
order, one per request to their path; `server.requests` records (path, query, headers).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from feeds import FeedEntry, error_feed_xml, feed_xml

ID_RE = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")
HTML_PAGE = b"<!DOCTYPE html><html><body><h1>Access denied</h1></body></html>"


@dataclass
class Fault:
    """What the server does instead of (or before) the normal answer to one request."""

    kind: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @classmethod
    def ok(cls) -> Fault:
        return cls("ok")

    @classmethod
    def http(cls, status: int, retry_after: str | None = None) -> Fault:
        return cls("status", status, {"Retry-After": retry_after} if retry_after else {})

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Wait `seconds` before answering normally (longer than the client's timeout)."""
        return cls("slow", seconds=seconds)

    @classmethod
    def truncated(cls) -> Fault:
        """Send the first half of the PDF with a matching Content-Length (no %%EOF)."""
        return cls("truncated")

    @classmethod
    def cut(cls) -> Fault:
        """Announce the full Content-Length, send half, close the connection."""
        return cls("cut")

    @classmethod
    def html(cls) -> Fault:
        """An HTML error page with status 200 instead of the PDF."""
        return cls("html")

    @classmethod
    def malformed(cls) -> Fault:
        """Broken XML from the query API."""
        return cls("malformed")

    @classmethod
    def error_feed(cls, bad_id: str = "abc") -> Fault:
        """arXiv's HTTP 400 error feed for a malformed id."""
        return cls("error_feed", 400, {"X-Bad-Id": bad_id})


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        owner = self.server.owner
        parsed = urlparse(self.path)
        owner.requests.append((parsed.path, parse_qs(parsed.query), dict(self.headers)))
        fault = owner.next_fault(parsed.path)
        owner.enter()
        try:
            if fault is not None and fault.kind == "slow":
                owner.stopping.wait(fault.seconds)
                fault = None
            if parsed.path == "/api/query":
                self._query(parse_qs(parsed.query), fault)
            elif parsed.path.startswith("/pdf/"):
                self._pdf(parsed.path[len("/pdf/") :], fault)
            else:
                self._send(404, b"not found", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            owner.leave()

    def _send(
        self,
        status: int,
        body: bytes,
        kind: str,
        headers: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _query(self, args: dict[str, list[str]], fault: Fault | None) -> None:
        owner = self.server.owner
        atom = "application/atom+xml; charset=utf-8"
        if fault is not None and fault.kind == "status":
            self._send(fault.status, b"busy", "text/plain", fault.headers)
            return
        if fault is not None and fault.kind == "malformed":
            self._send(200, feed_xml(owner.entries[:1], pdf_base=owner.url)[:300], atom)
            return
        ids = [i for i in ",".join(args.get("id_list", [""])).split(",") if i]
        bad = next((i for i in ids if not ID_RE.match(i)), None)
        if fault is not None and fault.kind == "error_feed":
            bad = fault.headers["X-Bad-Id"]
        if bad is not None:
            self._send(400, error_feed_xml(bad), atom)
            return
        if owner.raw_feed is not None:
            self._send(200, owner.raw_feed, atom)
            return
        entries = owner.entries
        if ids:
            entries = [e for e in entries if e.arxiv_id in ids or e.key in ids]
        start = int(args.get("start", ["0"])[0])
        size = int(args.get("max_results", ["10"])[0])
        page = entries[start : start + size]
        query = args.get("search_query", [""])[0]
        body = feed_xml(page, total=len(entries), start=start, query=query, pdf_base=owner.url)
        self._send(200, body, atom)

    def _pdf(self, key: str, fault: Fault | None) -> None:
        owner = self.server.owner
        data = owner.pdf_bytes(key)
        if fault is not None and fault.kind == "status":
            self._send(fault.status, HTML_PAGE, "text/html", fault.headers)
        elif data is None:
            self._send(404, b"no such paper", "text/plain")
        elif fault is not None and fault.kind == "html":
            self._send(200, HTML_PAGE, "text/html; charset=utf-8")
        elif fault is not None and fault.kind == "truncated":
            self._send(200, data[: len(data) // 2], "application/pdf")
        elif fault is not None and fault.kind == "cut":
            self._send(200, data[: len(data) // 2], "application/pdf", length=len(data))
            self.close_connection = True
        else:
            self._send(200, data, "application/pdf")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: ArxivServer


class ArxivServer:
    """The fixture server; a context manager that starts and stops it."""

    def __init__(self) -> None:
        self.entries: list[FeedEntry] = []
        self.pdfs: dict[str, Path | bytes] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []
        self.raw_feed: bytes | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- content -------------------------------------------------------------------------
    def add_paper(self, entry: FeedEntry, pdf: Path | bytes | None = None) -> None:
        self.entries.append(entry)
        if pdf is not None:
            self.pdfs[entry.key] = pdf

    def pdf_bytes(self, key: str) -> bytes | None:
        pdf = self.pdfs.get(key)
        return pdf.read_bytes() if isinstance(pdf, Path) else pdf

    def fault(self, path: str, *faults: Fault) -> None:
        with self._lock:
            self.faults.setdefault(path, []).extend(faults)

    def next_fault(self, path: str) -> Fault | None:
        with self._lock:
            queue = self.faults.get(path)
            return queue.pop(0) if queue else None

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def hits(self, prefix: str) -> int:
        """How many requests went to paths starting with `prefix`."""
        return sum(1 for path, _, _ in self.requests if path.startswith(prefix))

    # --- lifecycle -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/query"

    def start(self) -> ArxivServer:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ArxivServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def arxiv_server() -> Iterator[ArxivServer]:
    """A started fixture server, stopped after the test (import this fixture to use it)."""
    with ArxivServer() as server:
        yield server
