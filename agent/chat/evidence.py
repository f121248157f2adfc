"""The seam between chat and the claim store: search hits as `Evidence`, pages, papers.

Chat reads the store only through `StoreView`, so the store's interface is adapted in one
place. Citations resolve here: `[arXiv:ID p.N]` resolves when the store holds a chunk of that
paper that covers page N.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from agent.chat.text import collapse


@dataclass
class Evidence:
    """One retrieved passage: a stored chunk or claim of a paper, on a page."""

    paper_key: str
    arxiv_id: str | None
    title: str
    page: int
    section: str
    text: str
    score: float
    kind: str = "chunk"
    relevance: float = 0.0
    about: str = ""  # a claim's statement (its text is the verbatim quote)

    @property
    def paper(self) -> str:
        """The id a citation uses: the arXiv id (no version), else the paper key."""
        return self.arxiv_id or self.paper_key

    def to_json(self, max_chars: int = 1200) -> dict[str, Any]:
        data = asdict(self)
        data["text"] = collapse(self.text)[:max_chars]
        return data


@dataclass
class Filters:
    """Restrictions on retrieval, set by the user (/paper, options) or by the model's tools."""

    paper: str | None = None
    topic: str | None = None
    since: date | None = None
    until: date | None = None
    kind: str | None = None

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in asdict(self).items() if v]
        return ", ".join(parts) or "none"


def _squeeze(text: str) -> str:
    """Text without whitespace or hyphens, for finding a sentence on a page whatever the
    line breaks were."""
    return "".join(ch for ch in collapse(text) if not ch.isspace() and ch not in "-‐")


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return default


@dataclass
class StoreView:
    """Read access to a ClaimStore (store.chroma.open_store), with small caches."""

    store: Any
    _pages: dict[str, list[str]] = field(default_factory=dict)
    _papers: dict[str, Any] = field(default_factory=dict)
    _chunks_of: dict[str, list[Any]] = field(default_factory=dict)

    # --- papers ----------------------------------------------------------------------------
    def paper(self, paper_id: str) -> Any | None:
        """The stored Paper for an arXiv id (any version), a paper key, or None."""
        if paper_id not in self._papers:
            paper = self.store.get_paper(paper_id)
            if paper is None:  # not cached: it may be fetched later in the session
                return None
            self._papers[paper_id] = paper
        return self._papers[paper_id]

    def refresh(self) -> None:
        """Forget cached papers, pages and chunks (after the store changed)."""
        self._papers.clear()
        self._pages.clear()
        self._chunks_of.clear()

    def papers(self) -> list[Any]:
        return list(self.store.list_papers())

    def key_of(self, paper_id: str) -> str | None:
        paper = self.paper(paper_id)
        return paper.key if paper is not None else None

    # --- pages -----------------------------------------------------------------------------
    def pages(self, paper_id: str) -> list[str]:
        """The paper's page texts (page N is index N-1); [] when the paper is not stored."""
        if paper_id not in self._pages:
            key = self.key_of(paper_id)
            if not key:
                return []
            self._pages[paper_id] = list(self.store.get_pages(key))
        return self._pages[paper_id]

    def page_text(self, paper_id: str, page: int) -> str:
        pages = self.pages(paper_id)
        return pages[page - 1] if 1 <= page <= len(pages) else ""

    def resolves(self, paper_id: str, page: int) -> bool:
        """Whether a stored chunk of `paper_id` covers `page` (what a citation must meet)."""
        key = self.key_of(paper_id)
        if key is None:
            return False
        return any(c.page_start <= page <= c.page_end for c in self._chunks(key))

    def _chunks(self, key: str) -> list[Any]:
        if key not in self._chunks_of:
            self._chunks_of[key] = list(self.store.get_chunks(key))
        return self._chunks_of[key]

    def page_of(self, paper_id: str, sentence: str, first: int, last: int) -> int:
        """The page in first..last whose text holds `sentence` (whitespace-insensitive)."""
        found = self.page_holding(paper_id, sentence, first, last)
        return first if found is None else found

    def page_holding(self, paper_id: str, sentence: str, first: int, last: int) -> int | None:
        """The page in first..last whose text holds the whole `sentence` (whitespace- and
        hyphenation-insensitive); None when none does (e.g. it runs across two pages)."""
        whole = _squeeze(sentence)
        for page in range(first, last + 1):
            if whole and whole in _squeeze(self.page_text(paper_id, page)):
                return page
        return None

    # --- search ----------------------------------------------------------------------------
    def search(self, query: str, k: int, filters: Filters | None = None) -> list[Evidence]:
        """The store's hybrid search (chunks and claims), with the filters that are set."""
        filters = filters or Filters()
        wanted = {
            "paper": filters.paper,
            "kind": filters.kind,
            "topic": filters.topic,
            "since": filters.since,
            "until": filters.until,
        }
        hits = self.store.search(query, k, **{n: v for n, v in wanted.items() if v is not None})
        return [self._quoted(self._evidence(hit), hit) for hit in hits]

    def _quoted(self, ev: Evidence, hit: Any) -> Evidence:
        """A claim hit carries the claim's statement; answers need its verbatim quote."""
        if ev.kind == "chunk":
            return ev
        claim = self.store.get_claim(str(_get(hit, "id", default="")))
        if claim is not None and claim.quote:
            ev.about, ev.text, ev.page = ev.text, claim.quote, claim.page
        return ev

    @staticmethod
    def _evidence(hit: Any) -> Evidence:
        return Evidence(
            paper_key=str(_get(hit, "paper_key", "key", "paper", default="")),
            arxiv_id=_get(hit, "arxiv_id"),
            title=str(_get(hit, "title", default="")),
            page=int(_get(hit, "page", "page_start", default=1)),
            section=str(_get(hit, "section", default="")),
            text=str(_get(hit, "text", default="")),
            score=float(_get(hit, "score", default=0.0)),
            kind=str(_get(hit, "kind", default="chunk")),
        )


def open_view(settings: Any) -> StoreView:
    """The claim store under settings (store.chroma.open_store), wrapped for chat."""
    from store.chroma import open_store

    return StoreView(open_store(settings))
