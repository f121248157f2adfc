"""arXiv search: build the query, page through the API, and turn entries into candidates.

Uses the `arxiv` package (4.x) for search specs, paging and its lxml Atom parser, but does
its own HTTP (httpx) so that requests carry our User-Agent, keep `settings.arxiv_delay`
between calls, retry 429/5xx/timeouts with backoff, and so that arXiv's error feeds (an Atom
feed with one entry titled "Error", sent with HTTP 400) and malformed XML become a FetchError
that says what went wrong. Both the legacy (until late 2025) and the current Atom formats
parse into the same Candidate fields.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import arxiv
import httpx
from arxiv import _feed
from lxml import etree

from agent.errors import FetchError
from agent.sources.download import (
    BACKOFF_BASE,
    FinalError,
    RetryableError,
    retry_after_seconds,
    with_retries,
)
from agent.sources.httpguard import (
    MAX_FEED_BYTES,
    Deadline,
    Refused,
    check_feed_type,
    guarded_client,
    read_capped,
)
from agent.sources.window import Window
from store.schemas import ARXIV_ID_RE, OLD_ARXIV_ID_RE

ATOM = "{http://www.w3.org/2005/Atom}"
ERROR_ID = "arxiv.org/api/errors"
MAX_PAGE = 100
_LAST_CALL: dict[str, float] = {}  # endpoint -> time.monotonic() of the last call
_CALLS_LOCK = threading.Lock()


@dataclass
class Candidate:
    """One paper version found by a search, with the feed's (authoritative) metadata."""

    arxiv_id: str
    version: str | None  # 'v2' style
    title: str
    authors: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    abstract: str = ""
    categories: list[str] = field(default_factory=list)
    primary_category: str = ""
    published: date | None = None
    updated: date | None = None
    pdf_url: str = ""
    abs_url: str = ""
    comment: str | None = None
    doi: str | None = None
    journal_ref: str | None = None

    @property
    def key(self) -> str:
        """'2508.14148v2' (id and version)."""
        return f"{self.arxiv_id}{self.version or ''}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        data["updated"] = self.updated.isoformat() if self.updated else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Candidate:
        data = dict(data)
        for name in ("published", "updated"):
            if data.get(name):
                data[name] = date.fromisoformat(str(data[name])[:10])
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def split_id(text: str) -> tuple[str, str | None]:
    """'http://arxiv.org/abs/2505.15781v1' -> ('2505.15781', 'v1'); old-style ids too."""
    tail = text.split("/abs/")[-1]
    for pattern in (ARXIV_ID_RE, OLD_ARXIV_ID_RE):
        match = pattern.search(tail)
        if match:
            return match.group(1), match.group(2)
    return tail.strip(), None


def candidate_from_result(result: arxiv.Result) -> Candidate:
    """An `arxiv.Result` (either feed format) as a Candidate."""
    arxiv_id, version = split_id(result.entry_id)
    affiliations: list[str] = []
    for author in result.authors:
        for name in author.affiliation:
            name = " ".join(name.split())
            if name and name not in affiliations:
                affiliations.append(name)
    abs_url = next((link.href for link in result.links if link.rel == "alternate"), "")
    pdf_url = result.pdf_url or f"https://arxiv.org/pdf/{arxiv_id}{version or ''}"
    return Candidate(
        arxiv_id=arxiv_id,
        version=version,
        title=" ".join(result.title.split()),
        authors=[" ".join(a.name.split()) for a in result.authors],
        affiliations=affiliations,
        abstract=" ".join(result.summary.split()),
        categories=list(result.categories),
        primary_category=result.primary_category or "",
        published=result.published.date() if result.published else None,
        updated=result.updated.date() if result.updated else None,
        pdf_url=pdf_url,
        abs_url=abs_url or f"https://arxiv.org/abs/{arxiv_id}{version or ''}",
        comment=result.comment,
        doi=result.doi,
        journal_ref=result.journal_ref,
    )


def feed_error(root: Any) -> str | None:
    """The message of an arXiv error feed (entry id .../api/errors#...), else None."""
    for entry in root.iter(f"{ATOM}entry"):
        entry_id = entry.findtext(f"{ATOM}id") or ""
        if ERROR_ID in entry_id:
            summary = " ".join((entry.findtext(f"{ATOM}summary") or "").split())
            return summary or entry_id.rsplit("#", 1)[-1].replace("_", " ")
    return None


def parse_feed(content: bytes, url: str = "") -> _feed.ParsedFeed:
    """Parse one API response strictly; FetchError for malformed XML, a document type
    declaration (entities: arXiv feeds never declare any), too deep nesting or an error
    feed."""
    if re.search(rb"<!(DOCTYPE|ENTITY)", content[:65536], re.I):
        raise FetchError(
            "arXiv API response declares a DTD or entities; refused",
            "check BRIEF_ARXIV_API_URL points at the arXiv API",
        )
    try:
        root = etree.fromstring(
            content,
            parser=etree.XMLParser(resolve_entities=False, no_network=True, recover=False),
        )
    except etree.XMLSyntaxError as exc:
        if "depth" in str(exc.msg or exc).lower():
            raise FetchError(
                "arXiv API response is nested too deeply; refused",
                "check BRIEF_ARXIV_API_URL points at the arXiv API",
            ) from None
        raise FetchError(
            f"arXiv API returned malformed XML ({exc.msg or exc})",
            "try again later; if it persists the API is changing format",
        ) from None
    if root is None or root.tag != f"{ATOM}feed":
        raise FetchError(
            f"arXiv API returned no Atom feed{f' from {url}' if url else ''}",
            "check BRIEF_ARXIV_API_URL points at the query endpoint (…/api/query)",
        )
    message = feed_error(root)
    if message:
        raise FetchError(f"arXiv API rejected the query: {message}", "fix the query or id")
    try:
        return _feed.parse(content)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # e.g. a bad date
        raise FetchError(
            f"arXiv API returned an entry that cannot be read ({type(exc).__name__}: {exc})",
            "try again later; if it persists the API is changing format",
        ) from None


def parse_candidates(content: bytes) -> list[Candidate]:
    """All candidates of one feed document (both formats)."""
    return [candidate_from_result(r) for r in parse_feed(content).results]


def _quote(term: str) -> str:
    term = term.replace('"', " ").strip()
    return f'"{term}"' if re.search(r"\s|-", term) else term


def build_query(
    topic: Any | None = None, query: str | None = None, window: Window | None = None
) -> str:
    """The arXiv `search_query`: categories AND keywords/authors AND the date window.

    A free `query` with field prefixes (ti:, abs:, au:, cat:, all:) is used as written;
    plain words are AND-ed over all fields. Negative keywords are not sent: they lower the
    relevance score instead, so nothing is dropped without being shown.
    """
    parts: list[str] = []
    if query:
        query = query.strip()
        if re.search(r"\b(ti|abs|au|cat|all|co|jr|rn|id):", query):
            parts.append(f"({query})")
        else:
            words = [w for w in re.split(r"\s+", query.replace('"', " ")) if w]
            parts.append("(" + " AND ".join(f"all:{w}" for w in words) + ")")
    elif topic is not None:
        if topic.categories:
            parts.append("(" + " OR ".join(f"cat:{c}" for c in topic.categories) + ")")
        terms = [f"{f}:{_quote(k)}" for k in topic.keywords for f in ("ti", "abs")]
        terms += [f"au:{_quote(a)}" for a in topic.authors]
        if terms:
            parts.append("(" + " OR ".join(terms) + ")")
    if not parts:
        raise FetchError("nothing to search for", "give --topic NAME or --query TEXT")
    if window is not None:
        parts.append(window.arxiv_clause())
    return " AND ".join(parts)


class ArxivClient(arxiv.Client):
    """`arxiv.Client` with our endpoint, User-Agent, delay, retries and error handling."""

    def __init__(
        self,
        settings: Any,
        *,
        page_size: int = MAX_PAGE,
        http: httpx.Client | None = None,
        backoff: float = BACKOFF_BASE,
    ) -> None:
        super().__init__(
            page_size=page_size,
            delay_seconds=float(settings.arxiv_delay),
            num_retries=int(settings.download_retries),
        )
        self.query_url_format = f"{settings.arxiv_api_url}?{{}}"
        self.timeout = float(settings.download_timeout)
        self.deadline = float(settings.download_deadline)
        self.backoff = backoff
        self.requests = 0
        self.notes: list[str] = []
        self._http = http or guarded_client(
            headers={"User-Agent": settings.user_agent},
            timeout=httpx.Timeout(self.timeout),
        )

    def close(self) -> None:
        self._http.close()

    def _wait_turn(self) -> None:
        """Keep `arxiv_delay` between calls to this endpoint, across clients in the process."""
        with _CALLS_LOCK:
            last = _LAST_CALL.get(self.query_url_format)
            if last is not None:
                remaining = last + self.delay_seconds - time.monotonic()
                if remaining > 0:
                    time.sleep(remaining)
            _LAST_CALL[self.query_url_format] = time.monotonic()

    def _get(self, url: str, first_page: bool) -> _feed.ParsedFeed:
        self._wait_turn()
        self.requests += 1
        try:
            deadline = Deadline(self.deadline, "arXiv API response")
            with self._http.stream("GET", url) as response:
                if response.status_code == 200:
                    check_feed_type(response)
                content = read_capped(response, MAX_FEED_BYTES, "arXiv API response", deadline)
        except httpx.TimeoutException:
            raise RetryableError(f"arXiv API timed out after {self.timeout:g}s") from None
        except httpx.TransportError as exc:
            raise RetryableError(f"cannot reach the arXiv API: {exc}") from None
        except Refused as exc:
            raise FetchError(
                str(exc), "check BRIEF_ARXIV_API_URL points at the arXiv API"
            ) from None
        if response.status_code != 200:
            if content.lstrip().startswith(b"<"):
                try:
                    parse_feed(content, url)  # an error feed says why
                except FetchError as exc:
                    if "rejected" in exc.message:
                        raise
            code = response.status_code
            if code == 429 or code >= 500:
                raise RetryableError(
                    f"arXiv API answered HTTP {code}",
                    retry_after_seconds(response.headers.get("retry-after")),
                )
            raise FetchError(
                f"arXiv API answered HTTP {code} for {url}",
                "check the query and BRIEF_ARXIV_API_URL",
            )
        try:
            feed = parse_feed(content, url)
        except FetchError as exc:
            if "malformed" in exc.message:  # often a cut transfer: worth another try
                raise RetryableError(exc.message) from None
            raise
        if not feed.results and not first_page:
            raise RetryableError("arXiv API sent an unexpectedly empty page")
        return feed

    def _parse_feed(
        self, url: str, first_page: bool = True, _try_index: int = 0
    ) -> _feed.ParsedFeed:
        """One page, retried; the package's `_results` does the paging around it."""
        try:
            feed, _ = with_retries(
                lambda: self._get(url, first_page), self.num_retries, backoff=self.backoff
            )
        except FinalError as exc:
            if not first_page and "empty page" in str(exc):
                self.notes.append("arXiv kept sending an empty page; results may be incomplete")
                return _feed.ParsedFeed(header=_feed.FeedHeader())
            raise FetchError(str(exc), "try again later (arXiv may be busy)") from None
        return feed


def search(
    settings: Any, search_query: str, max_results: int, client: ArxivClient | None = None
) -> list[Candidate]:
    """Run one search, newest submissions first; at most `max_results` candidates."""
    own = client is None
    client = client or ArxivClient(settings, page_size=min(MAX_PAGE, max(1, max_results)))
    spec = arxiv.Search(
        query=search_query,
        max_results=max_results,
        sort_by=arxiv.SortCriterion.SubmittedDate,
        sort_order=arxiv.SortOrder.Descending,
    )
    try:
        seen: set[str] = set()
        found: list[Candidate] = []
        for result in client.results(spec):
            candidate = candidate_from_result(result)
            if candidate.key not in seen:
                seen.add(candidate.key)
                found.append(candidate)
        return found
    finally:
        if own:
            client.close()
