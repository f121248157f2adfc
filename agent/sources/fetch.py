"""The fetch service: search a topic's window, score, skip what is stored, download, read, store.

`fetch_topic` is what `brief fetch` and the workflow's fetcher node call. It never prints.
Every candidate ends in exactly one list of the report: fetched, skipped (already stored at
this version), filtered (score below the threshold, with the score) or failed (with the
reason). Only misconfiguration and a failed search raise (ConfigError / FetchError).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from agent.errors import BriefError, ConfigError, FetchError
from agent.files import atomic_write
from agent.sources.arxiv import Candidate, build_query, search
from agent.sources.download import Downloader, cache_path, pdf_problem
from agent.sources.relevance import Relevance, Scorer, default_embedder
from agent.sources.window import Window, make_window
from store.schemas import ParsedPaper, short_hash

DEFAULT_MAX = 50
DEFAULT_MIN_SCORE = 0.1
Status = Literal["fetched", "skipped", "filtered", "failed"]
Progress = Callable[[str, int], contextlib.AbstractContextManager[Any]]


class PaperStore(Protocol):
    """What the fetcher needs from the claim store (store.chroma.ClaimStore)."""

    def paper_meta(self, key: str) -> dict[str, Any] | None: ...


@dataclass
class PaperOutcome:
    """How one candidate ended."""

    candidate: Candidate
    status: Status
    score: float | None = None
    relevance: Relevance | None = None
    reason: str = ""
    stage: str = ""  # search, score, store-check, download, read, store
    pdf_path: Path | None = None
    downloaded: bool = False
    stored: str | None = None  # added | unchanged | new_version

    # the names the workflow's paper tasks use
    arxiv_id = property(lambda self: self.candidate.arxiv_id)
    arxiv_version = property(lambda self: self.candidate.version)
    title = property(lambda self: self.candidate.title)
    authors = property(lambda self: self.candidate.authors)
    abstract = property(lambda self: self.candidate.abstract)
    published = property(lambda self: self.candidate.published)
    url = property(lambda self: self.candidate.abs_url)

    def to_dict(self) -> dict[str, Any]:
        c = self.candidate
        data: dict[str, Any] = {
            "arxiv_id": c.arxiv_id,
            "version": c.version,
            "title": c.title,
            "score": self.score,
        }
        if self.relevance is not None:
            data["why"] = self.relevance.explain()
        if self.reason:
            data["reason"] = self.reason
            data["stage"] = self.stage
        if self.pdf_path is not None:
            data["pdf_path"] = str(self.pdf_path)
        if self.stored:
            data["stored"] = self.stored
        if self.status == "fetched":
            data["downloaded"] = self.downloaded
        data["published"] = c.published.isoformat() if c.published else None
        return data


@dataclass
class FetchReport:
    """The outcome of one fetch: each candidate in exactly one list."""

    query: str
    window: Window | None
    topic: str | None
    candidates: list[Candidate] = field(default_factory=list)
    fetched: list[PaperOutcome] = field(default_factory=list)
    skipped: list[PaperOutcome] = field(default_factory=list)
    filtered: list[PaperOutcome] = field(default_factory=list)
    failed: list[PaperOutcome] = field(default_factory=list)
    downloads: int = 0
    offline: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def papers(self) -> list[PaperOutcome]:
        """Relevant papers of the window with a local PDF (fetched or already stored), in
        the search's order."""
        order = {c.key: i for i, c in enumerate(self.candidates)}
        found = self.fetched + [o for o in self.skipped if o.pdf_path is not None]
        return sorted(found, key=lambda o: order.get(o.candidate.key, len(order)))

    def add(self, outcome: PaperOutcome) -> None:
        getattr(self, outcome.status).append(outcome)

    @property
    def problem(self) -> str:
        """Why this fetch brought nothing home although the window had relevant papers
        ("" otherwise): every one of them failed. The CLI exits 1 with it."""
        if not self.failed or self.fetched or self.skipped:
            return ""
        reasons: dict[str, int] = {}
        for outcome in self.failed:
            reason = f"{outcome.stage or 'fetch'}: {outcome.reason}"
            reasons[reason] = reasons.get(reason, 0) + 1
        top = sorted(reasons.items(), key=lambda item: -item[1])[:3]
        listed = "; ".join(f"{n}× {r}" if n > 1 else r for r, n in top)
        return f"all {len(self.failed)} relevant papers failed — {listed}"

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "query": self.query,
            "window": self.window.label if self.window else None,
            "offline": self.offline,
            "candidates": len(self.candidates),
            "fetched": [o.to_dict() for o in self.fetched],
            "skipped": [o.to_dict() for o in self.skipped],
            "filtered": [o.to_dict() for o in self.filtered],
            "failed": [o.to_dict() for o in self.failed],
            "downloads": self.downloads,
            "notes": self.notes,
        } | ({"problem": self.problem} if self.problem else {})


@contextlib.contextmanager
def _no_progress(description: str, total: int) -> Iterator[Any]:
    class _Null:
        def advance(self, n: int = 1, note: str | None = None) -> None:
            return None

    yield _Null()


# --- the search cache (for --offline) ------------------------------------------------------
def search_cache_path(settings: Any, search_query: str) -> Path:
    return Path(settings.home) / "searches" / f"{short_hash(search_query)}.json"


def save_search(settings: Any, search_query: str, candidates: list[Candidate]) -> None:
    path = search_cache_path(settings, search_query)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "query": search_query,
        "saved_at": datetime.now(UTC).isoformat(),
        "candidates": [c.to_dict() for c in candidates],
    }
    atomic_write(path, json.dumps(data, ensure_ascii=False, indent=1))


def load_search(settings: Any, search_query: str) -> list[Candidate]:
    path = search_cache_path(settings, search_query)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Candidate.from_dict(c) for c in data["candidates"]]
    except FileNotFoundError:
        raise FetchError(
            "no saved search for this query (offline)",
            "run the same command once without --offline",
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise FetchError(f"saved search {path} is unreadable: {exc}", "delete it") from None


# --- store adapter -------------------------------------------------------------------------
def open_default_store(settings: Any) -> Any:
    """The configured claim store (store.chroma.open_store)."""
    from store.chroma import open_store

    return open_store(settings)


def is_stored(store: PaperStore, candidate: Candidate) -> bool:
    """Whether the store already holds this paper at this version."""
    if hasattr(store, "has_paper"):
        return bool(store.has_paper(candidate.arxiv_id, candidate.version))
    meta = store.paper_meta(candidate.key)  # store.chroma.ClaimStore
    return bool(meta and meta.get("complete"))


# --- reading -------------------------------------------------------------------------------
def merge_metadata(parsed: ParsedPaper, candidate: Candidate, topics: list[str]) -> ParsedPaper:
    """The feed's metadata wins over what the reader guessed from the PDF."""
    paper = parsed.paper
    warnings = list(parsed.warnings)
    if paper.arxiv_version and candidate.version and paper.arxiv_version != candidate.version:
        warnings.append(
            f"PDF stamp says {paper.arxiv_id}{paper.arxiv_version}, feed says {candidate.key}"
        )
    update: dict[str, Any] = {
        "arxiv_id": candidate.arxiv_id,
        "arxiv_version": candidate.version,
        "title": candidate.title or paper.title,
        "authors": candidate.authors or paper.authors,
        "abstract": candidate.abstract or paper.abstract,
        "categories": candidate.categories or paper.categories,
        "published": candidate.published or paper.published,
        "published_source": "feed" if candidate.published else paper.published_source,
        "updated": candidate.updated or paper.updated,
        "source": "arxiv",
        "topics": sorted(set(paper.topics) | set(topics)),
    }
    if candidate.affiliations:
        update["affiliations"] = candidate.affiliations
    merged = paper.model_copy(update=update)
    chunks = [c.model_copy(update={"paper_key": merged.key}) for c in parsed.chunks]
    return parsed.model_copy(update={"paper": merged, "chunks": chunks, "warnings": warnings})


def read_and_store(settings: Any, store: Any, outcome: PaperOutcome, topics: list[str]) -> None:
    """Read the PDF, merge the feed's metadata, store it; failures land in the outcome."""
    from agent.sources.pdf import read_pdf

    assert outcome.pdf_path is not None
    try:
        parsed = read_pdf(
            outcome.pdf_path,
            engine=settings.pdf_engine,
            chunk_tokens=settings.chunk_tokens,
            chunk_overlap=settings.chunk_overlap,
        )
    except Exception as exc:  # one unreadable paper never stops the batch
        outcome.status, outcome.stage = "failed", "read"
        outcome.reason = str(exc) if isinstance(exc, BriefError) else f"{type(exc).__name__}: {exc}"
        return
    parsed = merge_metadata(parsed, outcome.candidate, topics)
    from store.ingest import store_parsed

    try:
        outcome.stored = str(store_parsed(store, parsed, source="arxiv", topics=tuple(topics)))
    except Exception as exc:
        outcome.status, outcome.stage = "failed", "store"
        outcome.reason = str(exc) if isinstance(exc, BriefError) else f"{type(exc).__name__}: {exc}"


# --- the service ---------------------------------------------------------------------------
def resolve_window(window: Window | str | None, start: date | None, end: date | None) -> Window:
    if isinstance(window, Window):
        return window
    if isinstance(window, str):
        return Window.parse(window)
    return make_window(from_date=start, to_date=end) if (start or end) else make_window()


def fetch_topic(
    settings: Any,
    topic: Any | None = None,
    query: str | None = None,
    window: Window | str | None = None,
    max_results: int = DEFAULT_MAX,
    min_score: float | None = None,
    offline: bool = False,
    store: Any | None = None,
    progress: Progress | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    read: bool = True,
    candidates: list[Candidate] | None = None,
    embedder: Any | None | Literal["default"] = "default",
) -> FetchReport:
    """Find the window's papers for a topic (profile or name) or a free query, and bring
    them home: downloaded into the PDF cache, read, and stored with the feed's metadata.

    `candidates` replaces the search (e.g. the demo feed); `read=False` stops after the
    download (the workflow's reader node reads). `store` defaults to the configured store;
    `embedder` (for similarity) to settings.embeddings, None switches similarity off.
    """
    if isinstance(topic, str):
        from agent.topics import get_topic

        topic = get_topic(settings, topic)
    if topic is None and not query and candidates is None:
        raise ConfigError("nothing to fetch", "give --topic NAME or --query TEXT")
    if max_results < 1:
        raise ConfigError(f"invalid --max {max_results}", "use a positive number of papers")
    win = resolve_window(window, start, end)
    search_query = build_query(topic, query, win) if (topic is not None or query) else ""
    report = FetchReport(search_query, win, getattr(topic, "name", None), offline=offline)
    progress = progress or _no_progress
    topics = [topic.name] if topic is not None else []

    # 1. candidates
    if candidates is None:
        if offline:
            candidates = load_search(settings, search_query)[:max_results]
        else:
            candidates = search(settings, search_query, max_results)
            save_search(settings, search_query, candidates)
    report.candidates = list(candidates)
    if not candidates:
        report.notes.append(f"arXiv found no papers for {search_query or 'the query'}")
        return report

    # 2. relevance
    if embedder == "default":
        embedder = default_embedder(settings)
    scorer = (
        Scorer.for_topic(topic, embedder)
        if topic is not None
        else Scorer.for_query(query or "", embedder)
    )
    scores = scorer.score_all([(c.title, c.abstract) for c in candidates])
    if scorer.problem:
        report.notes.append(scorer.problem)
    threshold = DEFAULT_MIN_SCORE if min_score is None else min_score

    own_store = store is None
    if store is None:
        store = open_default_store(settings)
    try:
        wanted = triage(
            settings, report, store, list(zip(candidates, scores, strict=True)), threshold
        )
        if offline:
            use_cache_only(wanted)
        elif wanted:
            report.downloads = download_all(settings, wanted, progress)
        ready = [o for o in wanted if o.status == "fetched"]
        if read and ready:
            with progress("reading", len(ready)) as bar:
                for outcome in ready:
                    read_and_store(settings, store, outcome, topics)
                    bar.advance(note=f"reading {outcome.candidate.key}")
        for outcome in wanted:
            report.add(outcome)
    finally:
        if own_store:
            store.close()
    return report


def triage(
    settings: Any,
    report: FetchReport,
    store: Any,
    scored: list[tuple[Candidate, Relevance]],
    threshold: float,
) -> list[PaperOutcome]:
    """File filtered and already-stored candidates in the report; return the rest."""
    wanted: list[PaperOutcome] = []
    for cand, rel in scored:
        outcome = PaperOutcome(cand, "fetched", score=rel.score, relevance=rel)
        path = cache_path(settings, cand.arxiv_id, cand.version)
        if rel.score < threshold:
            outcome.status, outcome.stage = "filtered", "score"
            outcome.reason = f"score {rel.score:.2f} below {threshold:.2f} ({rel.explain()})"
            report.add(outcome)
        elif is_stored(store, cand):
            outcome.status, outcome.stage = "skipped", "store-check"
            outcome.reason = "already stored"
            outcome.pdf_path = path if path.is_file() else None
            report.add(outcome)
        else:
            outcome.pdf_path = path
            wanted.append(outcome)
    return wanted


def use_cache_only(wanted: list[PaperOutcome]) -> None:
    """Offline: papers whose PDF is not cached (whole) fail with that reason."""
    for outcome in wanted:
        assert outcome.pdf_path is not None
        problem = pdf_problem(outcome.pdf_path) if outcome.pdf_path.is_file() else None
        if not outcome.pdf_path.is_file() or problem:
            outcome.status, outcome.stage = "failed", "download"
            outcome.reason = (
                f"cached PDF unusable: {problem}" if problem else "not in the PDF cache (offline)"
            )
            outcome.pdf_path = None


def download_all(settings: Any, wanted: list[PaperOutcome], progress: Progress) -> int:
    """Download the wanted PDFs into the cache; failures land in the outcomes.
    Returns how many files were actually downloaded (cache hits are not)."""
    with progress("downloading", len(wanted)) as bar, Downloader(settings) as downloader:
        results = downloader.fetch_many(
            [
                (o.candidate.pdf_url, cache_path(settings, o.arxiv_id, o.arxiv_version))
                for o in wanted
            ],
            on_done=lambda r: bar.advance(note=f"downloading {r.path.stem}"),
        )
    for outcome, result in zip(wanted, results, strict=True):
        outcome.downloaded = result.downloaded
        if not result.ok:
            outcome.status, outcome.stage = "failed", "download"
            outcome.reason = result.reason
            outcome.pdf_path = None
    return sum(1 for r in results if r.downloaded)
