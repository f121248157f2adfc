"""PDF downloads into the cache: complete and valid files only, politely, with retries.

A download streams into a hidden temp file beside its destination and is renamed into the
cache only once it is complete (Content-Length matched) and looks like a whole PDF (`%PDF-`
header, `%%EOF` near the end, content type application/pdf). Any failure removes the temp
file. 429, 5xx, timeouts and dropped connections are retried with exponential backoff and
jitter, honouring `Retry-After` (seconds or an HTTP date). Downloads run in a bounded thread
pool and requests to one host are spaced by `settings.download_delay`.
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from agent.files import PART_SUFFIX, remove_temp_files, temp_file
from agent.sources.httpguard import (
    MAX_PDF_BYTES,
    Deadline,
    Refused,
    check_length,
    guarded_client,
)

BACKOFF_BASE = 0.5  # seconds before the first retry (then doubled, with jitter)
BACKOFF_CAP = 30.0  # longest backoff between two tries
MAX_RETRY_AFTER = 120.0  # a longer Retry-After ends the download as failed
HEAD_BYTES = 1024
TAIL_BYTES = 2048
STALE_PART_SECONDS = 3600.0  # temp files older than this are leftovers of a killed run
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class RetryableError(Exception):
    """A failure worth trying again (status, timeout, dropped connection)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class FinalError(Exception):
    """A failure that another try would not fix (404, HTML page, broken PDF)."""


@dataclass
class DownloadResult:
    """What happened to one URL."""

    url: str
    path: Path
    ok: bool
    downloaded: bool = False  # False when the cache already had a valid file
    reason: str = ""
    attempts: int = 0
    size: int = 0


def safe_name(arxiv_id: str) -> str:
    """An id usable as a file name ('hep-th/9901001' -> 'hep-th_9901001')."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", arxiv_id)


def cache_path(settings: Any, arxiv_id: str, version: str | None) -> Path:
    """Where the PDF of one paper version lives: `pdf_dir/<id>v<n>.pdf`."""
    return Path(settings.pdf_dir) / f"{safe_name(arxiv_id)}{version or ''}.pdf"


def pdf_problem(path: Path) -> str | None:
    """Why a file is not a whole PDF, or None when it looks complete."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
            fh.seek(max(0, size - TAIL_BYTES))
            tail = fh.read()
    except OSError as exc:
        return f"cannot read {path.name}: {exc.strerror or exc}"
    if b"%PDF-" not in head:
        return "not a PDF (no %PDF- header)"
    if b"%%EOF" not in tail:
        return "truncated PDF (no %%EOF at the end)"
    return None


def remove_stale_parts(
    folder: Path, targets: Iterable[str] | None = None, older_than: float = STALE_PART_SECONDS
) -> int:
    """Delete partial downloads a killed run left behind: brief's own temp names (of
    `targets`, when given), and only old ones (another run may be busy)."""
    return remove_temp_files(folder, targets, suffix=PART_SUFFIX, older_than=older_than)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` as seconds: a number, or an HTTP date; None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff_delay(attempt: int, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP) -> float:
    """Exponential backoff with equal jitter: half fixed, half random."""
    full = min(cap, base * (2**attempt))
    return full / 2 + random.uniform(0, full / 2)


class HostLimiter:
    """Spaces requests to the same host by at least `delay` seconds (thread-safe)."""

    def __init__(self, delay: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.delay = delay
        self._sleep = sleep
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._guard = threading.Lock()

    def wait(self, url: str) -> None:
        host = urlparse(url).netloc
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            last = self._last.get(host)
            if last is not None:
                remaining = last + self.delay - time.monotonic()
                if remaining > 0:
                    self._sleep(remaining)
            self._last[host] = time.monotonic()


def with_retries(
    action: Callable[[], Any],
    retries: int,
    *,
    backoff: float = BACKOFF_BASE,
    max_wait: float = MAX_RETRY_AFTER,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[Any, int]:
    """Run `action` until it succeeds, raises FinalError, or retries run out.

    Returns (result, attempts). Gives up with FinalError carrying the last reason.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return action(), attempt
        except RetryableError as exc:
            if attempt > retries:
                tries = f"{attempt} tries" if attempt > 1 else "1 try"
                raise FinalError(f"{exc.reason} (gave up after {tries})") from None
            wait = exc.retry_after
            if wait is not None and wait > max_wait:
                raise FinalError(f"{exc.reason}; server asked to retry after {wait:.0f}s") from None
            sleep(wait if wait is not None else backoff_delay(attempt - 1, backoff))


def status_error(response: httpx.Response, what: str) -> Exception:
    """The error for a non-200 response: retryable for 429/5xx, final otherwise."""
    code = response.status_code
    reason = f"{what} answered HTTP {code}"
    if code in RETRY_STATUS:
        return RetryableError(reason, retry_after_seconds(response.headers.get("retry-after")))
    return FinalError(reason)


class Downloader:
    """Downloads PDFs into the cache with bounded parallelism and per-host spacing."""

    def __init__(
        self,
        settings: Any,
        *,
        client: httpx.Client | None = None,
        backoff: float = BACKOFF_BASE,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.timeout = float(settings.download_timeout)
        self.deadline = float(settings.download_deadline)
        self.retries = int(settings.download_retries)
        self.concurrency = int(settings.download_concurrency)
        self.backoff = backoff
        self.sleep = sleep
        self.limiter = HostLimiter(float(settings.download_delay), sleep)
        self._own_client = client is None
        self.client = client or guarded_client(
            headers={"User-Agent": settings.user_agent},
            timeout=httpx.Timeout(self.timeout),
            limits=httpx.Limits(max_connections=self.concurrency * 2),
        )

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def __enter__(self) -> Downloader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- one file ------------------------------------------------------------------------
    def fetch(self, url: str, dest: Path) -> DownloadResult:
        """Bring `url` to `dest` unless a valid file is already there; never raises."""
        dest = Path(dest)
        if dest.is_file() and pdf_problem(dest) is None:
            return DownloadResult(url, dest, ok=True, size=dest.stat().st_size)
        try:
            size, attempts = with_retries(
                lambda: self._try_once(url, dest),
                self.retries,
                backoff=self.backoff,
                sleep=self.sleep,
            )
        except FinalError as exc:
            return DownloadResult(url, dest, ok=False, reason=str(exc))
        except Exception as exc:  # an unexpected bug must not end the batch
            return DownloadResult(url, dest, ok=False, reason=f"{type(exc).__name__}: {exc}")
        return DownloadResult(url, dest, ok=True, downloaded=True, attempts=attempts, size=size)

    def _try_once(self, url: str, dest: Path) -> int:
        self.limiter.wait(url)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with temp_file(dest, "wb", suffix=PART_SUFFIX) as (fh, tmp):
            size = self._stream(url, fh)
        try:
            problem = pdf_problem(tmp)
            if problem:
                raise FinalError(problem)
            os.replace(tmp, dest)
            return size
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _stream(self, url: str, fh: Any) -> int:
        deadline = Deadline(self.deadline, "the download")
        try:
            with self.client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise status_error(response, "server")
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if kind != "application/pdf":
                    raise FinalError(f"server sent {kind or 'no content type'} instead of a PDF")
                expected = response.headers.get("content-length")
                check_length(response, MAX_PDF_BYTES, "the PDF")
                for block in response.iter_bytes():  # as it arrives: the deadline is checked
                    fh.write(block)
                    if response.num_bytes_downloaded > MAX_PDF_BYTES:
                        raise Refused(f"the PDF is over the {MAX_PDF_BYTES:,} byte limit")
                    deadline.check()
                got = response.num_bytes_downloaded
        except Refused as exc:
            raise FinalError(str(exc)) from None
        except httpx.TimeoutException:
            raise RetryableError(f"timed out after {self.timeout:g}s") from None
        except httpx.TransportError as exc:
            raise RetryableError(f"connection failed: {exc or type(exc).__name__}") from None
        if expected and expected.isdigit() and int(expected) != got:
            raise RetryableError(f"incomplete download: {got} of {expected} bytes")
        return got

    # --- many files ----------------------------------------------------------------------
    def fetch_many(
        self,
        jobs: Iterable[tuple[str, Path]],
        on_done: Callable[[DownloadResult], None] | None = None,
    ) -> list[DownloadResult]:
        """Download (url, dest) pairs, at most `download_concurrency` at once; keeps order."""
        jobs = list(jobs)
        names: dict[Path, set[str]] = {}
        for _, dest in jobs:
            names.setdefault(dest.parent, set()).add(dest.name)
        for folder, targets in names.items():
            remove_stale_parts(folder, targets)

        def run(job: tuple[str, Path]) -> DownloadResult:
            result = self.fetch(*job)
            if on_done is not None:
                on_done(result)
            return result

        if len(jobs) <= 1 or self.concurrency == 1:
            return [run(job) for job in jobs]
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(run, jobs))
