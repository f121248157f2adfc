"""PDF downloads against the fixture server: retries, Retry-After, timeouts, bad bodies."""

# ruff: noqa: F811  (the `arxiv_server` fixture is imported and used as a parameter)
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from arxiv_server import ArxivServer, Fault, arxiv_server  # noqa: F401 (fixture)
from feeds import FeedEntry

from agent.settings import load_settings
from agent.sources.download import (
    Downloader,
    HostLimiter,
    backoff_delay,
    cache_path,
    pdf_problem,
    retry_after_seconds,
)

KEY = "2505.15781v1"


class Sleeps:
    """Records requested sleeps instead of sleeping (backoff and Retry-After waits)."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self.lock:
            self.calls.append(seconds)


def serve_demo(server: ArxivServer, demo_pdfs: list[Path]) -> list[FeedEntry]:
    entries = []
    versions = {"2505.15781": "v1", "2508.14148": "v2", "2509.18085": "v2"}
    for pdf in demo_pdfs:
        entry = FeedEntry(arxiv_id=pdf.stem, version=versions[pdf.stem], title=pdf.stem)
        server.add_paper(entry, pdf)
        entries.append(entry)
    return entries


def make(server: ArxivServer, **overrides):
    settings = load_settings(
        download_delay=0, download_timeout=overrides.pop("timeout", 5.0), **overrides
    )
    sleeps = Sleeps()
    return settings, Downloader(settings, sleep=sleeps), sleeps


def cache_files(settings) -> list[str]:
    folder = Path(settings.pdf_dir)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def get(server, settings, downloader, key=KEY):
    dest = cache_path(settings, key.split("v")[0], "v" + key.split("v")[1])
    with downloader:
        return downloader.fetch(f"{server.url}/pdf/{key}", dest)


def test_download_lands_in_the_cache_with_our_user_agent(arxiv_server, demo_pdfs):
    serve_demo(arxiv_server, demo_pdfs)
    settings, downloader, _ = make(arxiv_server)
    result = get(arxiv_server, settings, downloader)
    assert result.ok and result.downloaded and result.attempts == 1
    assert result.path.read_bytes() == (demo_pdfs[0]).read_bytes()
    assert cache_files(settings) == [f"{KEY}.pdf"]
    headers = arxiv_server.requests[-1][2]
    assert headers["User-Agent"] == settings.user_agent


def test_503_then_200_is_retried(arxiv_server, demo_pdfs):
    serve_demo(arxiv_server, demo_pdfs)
    arxiv_server.fault(f"/pdf/{KEY}", Fault.http(503), Fault.http(502))
    settings, downloader, sleeps = make(arxiv_server)
    result = get(arxiv_server, settings, downloader)
    assert result.ok and result.attempts == 3
    assert len(sleeps.calls) == 2 and sleeps.calls[1] > 0  # backoff waits


@pytest.mark.parametrize("header", ["3", "date"])
def test_429_honours_retry_after(arxiv_server, demo_pdfs, header):
    serve_demo(arxiv_server, demo_pdfs)
    value = header
    if header == "date":
        value = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    arxiv_server.fault(f"/pdf/{KEY}", Fault.http(429, retry_after=value))
    settings, downloader, sleeps = make(arxiv_server)
    result = get(arxiv_server, settings, downloader)
    assert result.ok and result.attempts == 2
    if header == "date":
        assert 25 <= sleeps.calls[0] <= 31
    else:
        assert sleeps.calls == [3.0]


def test_retry_after_beyond_the_limit_fails_clearly(arxiv_server, demo_pdfs):
    serve_demo(arxiv_server, demo_pdfs)
    arxiv_server.fault(f"/pdf/{KEY}", Fault.http(429, retry_after="3600"))
    settings, downloader, _ = make(arxiv_server)
    result = get(arxiv_server, settings, downloader)
    assert not result.ok and "HTTP 429" in result.reason and "3600" in result.reason
    assert cache_files(settings) == []


def test_slow_response_times_out_then_succeeds(arxiv_server, demo_pdfs):
    serve_demo(arxiv_server, demo_pdfs)
    arxiv_server.fault(f"/pdf/{KEY}", Fault.slow(3))
    settings, downloader, _ = make(arxiv_server, timeout=0.3)
    result = get(arxiv_server, settings, downloader)
    assert result.ok and result.attempts == 2


def test_always_slow_gives_up_with_a_reason(arxiv_server, demo_pdfs):
    serve_demo(arxiv_server, demo_pdfs)
    arxiv_server.fault(f"/pdf/{KEY}", Fault.slow(3), Fault.slow(3))
    settings, downloader, _ = make(arxiv_server, timeout=0.3, download_retries=1)
    result = get(arxiv_server, settings, downloader)
    assert not result.ok and "timed out" in result.reason and "2 tries" in result.reason
    assert cache_files(settings) == []


def test_truncated_pdf_never_enters_the_cache(arxiv_server, demo_pdfs):
    serve_demo(arxiv_server, demo_pdfs)
    arxiv_server.fault(f"/pdf/{KEY}", Fault.truncated())
    settings, downloader, _ = make(arxiv_server)
    result = get(arxiv_server, settings, downloader)
    assert not result.ok and "truncated PDF" in result.reason
    assert cache_files(settings) == []  # no temp file left either


def test_connection_cut_short_is_retried(arxiv_server, demo_pdfs):
    serve_demo(arxiv_server, demo_pdfs)
    arxiv_server.fault(f"/pdf/{KEY}", Fault.cut())
    settings, downloader, _ = make(arxiv_server)
    result = get(arxiv_server, settings, downloader)
    assert result.ok and result.attempts == 2
    assert pdf_problem(result.path) is None


def test_connection_always_cut_fails_and_leaves_nothing(arxiv_server, demo_pdfs):
    serve_demo(arxiv_server, demo_pdfs)
    arxiv_server.fault(f"/pdf/{KEY}", Fault.cut(), Fault.cut())
    settings, downloader, _ = make(arxiv_server, download_retries=1)
    result = get(arxiv_server, settings, downloader)
    assert not result.ok and ("incomplete" in result.reason or "connection" in result.reason)
    assert cache_files(settings) == []


def test_html_error_page_is_not_a_pdf(arxiv_server, demo_pdfs):
    serve_demo(arxiv_server, demo_pdfs)
    arxiv_server.fault(f"/pdf/{KEY}", Fault.html())
    settings, downloader, _ = make(arxiv_server)
    result = get(arxiv_server, settings, downloader)
    assert not result.ok and "text/html instead of a PDF" in result.reason
    assert result.attempts == 0 and arxiv_server.hits("/pdf/") == 1  # not retried
    assert cache_files(settings) == []


def test_404_is_final(arxiv_server, demo_pdfs):
    settings, downloader, sleeps = make(arxiv_server)
    result = get(arxiv_server, settings, downloader, key="2501.00001v1")
    assert not result.ok and "HTTP 404" in result.reason and sleeps.calls == []


def test_valid_cached_file_is_not_downloaded_again(arxiv_server, demo_pdfs):
    serve_demo(arxiv_server, demo_pdfs)
    settings, downloader, _ = make(arxiv_server)
    assert get(arxiv_server, settings, downloader).downloaded
    again = get(arxiv_server, settings, Downloader(settings))
    assert again.ok and not again.downloaded and arxiv_server.hits("/pdf/") == 1


def test_invalid_cached_file_is_replaced(arxiv_server, demo_pdfs):
    serve_demo(arxiv_server, demo_pdfs)
    settings, downloader, _ = make(arxiv_server)
    dest = cache_path(settings, "2505.15781", "v1")
    dest.parent.mkdir(parents=True)
    dest.write_bytes(b"%PDF-1.5 half a file")
    result = get(arxiv_server, settings, downloader)
    assert result.ok and result.downloaded and pdf_problem(dest) is None


def test_many_downloads_keep_order_and_the_concurrency_bound(arxiv_server, demo_pdfs):
    entries = serve_demo(arxiv_server, demo_pdfs)
    for e in entries:
        arxiv_server.fault(f"/pdf/{e.key}", Fault.slow(0.3))
    settings, downloader, _ = make(arxiv_server, download_concurrency=2)
    jobs = [
        (f"{arxiv_server.url}/pdf/{e.key}", cache_path(settings, e.arxiv_id, e.version))
        for e in entries
    ]
    done = []
    with downloader:
        results = downloader.fetch_many(jobs, on_done=done.append)
    assert [r.path for r in results] == [dest for _, dest in jobs]
    assert all(r.ok for r in results) and len(done) == 3
    assert 1 <= arxiv_server.max_in_flight <= 2


def test_host_limiter_spaces_requests_to_one_host():
    sleeps = Sleeps()
    limiter = HostLimiter(5.0, sleep=sleeps)
    limiter.wait("https://arxiv.org/pdf/1")
    limiter.wait("https://export.arxiv.org/api/query")  # another host: no wait
    limiter.wait("https://arxiv.org/pdf/2")
    assert len(sleeps.calls) == 1 and 4.0 < sleeps.calls[0] <= 5.0


def test_retry_after_and_backoff_values():
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 60) == 60.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
    delays = [backoff_delay(n, base=1.0, cap=8.0) for n in range(6)]
    assert 0.5 <= delays[0] <= 1.0 and 4.0 <= delays[5] <= 8.0


def test_stale_temp_files_of_a_killed_run_are_removed(arxiv_server, demo_pdfs):
    import os

    entries = serve_demo(arxiv_server, demo_pdfs)
    settings, downloader, _ = make(arxiv_server)
    folder = Path(settings.pdf_dir)
    folder.mkdir(parents=True)
    old = folder / f".{entries[0].key}.pdf.abc12345.brief.part"
    fresh = folder / f".{entries[0].key}.pdf.def45678.brief.part"  # maybe another run's, kept
    for part in (old, fresh):
        part.write_bytes(b"%PDF-1.5 partial")
    os.utime(old, (0, 0))
    jobs = [
        (
            f"{arxiv_server.url}/pdf/{entries[0].key}",
            cache_path(settings, entries[0].arxiv_id, entries[0].version),
        )
    ]
    with downloader:
        [result] = downloader.fetch_many(jobs)
    assert result.ok and not old.exists() and fresh.exists()
