"""The records brief keeps: papers, chunks, claims and briefs, each with provenance.

Offsets refer to a paper's full text, which is its page texts joined by PAGE_SEPARATOR;
`page_of(offset)` maps back. Pages are 1-based everywhere.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr

PAGE_SEPARATOR = "\n\f\n"
ARXIV_ID_RE = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(v\d+)?(?![\d])")
OLD_ARXIV_ID_RE = re.compile(r"\b([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?\b")

ClaimKind = Literal["problem", "method", "result", "limitation", "dataset", "other"]
ClaimStatus = Literal["pending", "verified", "rejected"]


def short_hash(*parts: str, n: int = 16) -> str:
    """A stable id from text parts."""
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return h[:n]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Section(BaseModel):
    """A heading of the paper and the pages and characters it spans."""

    title: str
    level: int = 1
    page_start: int
    page_end: int
    char_start: int = 0
    char_end: int = 0


class Paper(BaseModel):
    """One version of one paper (or one non-arXiv document, keyed by its sha256)."""

    arxiv_id: str | None = None
    arxiv_version: str | None = Field(None, description="'v2' style, None when unknown")
    sha256: str
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    affiliations: list[str] = Field(default_factory=list)
    abstract: str = ""
    categories: list[str] = Field(default_factory=list)
    published: date | None = None
    published_source: str | None = Field(
        None,
        description="where `published` came from: feed (arXiv metadata), arxiv-stamp (the "
        "margin stamp on page 1), arxiv-id (the id's month: day unknown), pdf-metadata (the "
        "PDF's creation date); None for records stored before it was kept (then: the feed)",
    )
    updated: date | None = None
    source: str = Field("pdf", description="where it came from: pdf, arxiv, demo")
    pdf_path: str | None = None
    page_count: int = 0
    language: str = "en"
    sections: list[Section] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    claimed_id: str | None = Field(
        None,
        description="the arXiv id a file prints when it is kept as a candidate: that id is "
        "stored already from a different file (store.identity), so this one is keyed by sha256",
    )

    @property
    def key(self) -> str:
        """Stable id of this version: '2508.14148v2', '2508.14148' or 'sha256:<16 hex>'."""
        if self.arxiv_id:
            return f"{self.arxiv_id}{self.arxiv_version or ''}"
        return f"sha256:{self.sha256[:16]}"

    @property
    def family(self) -> str:
        """Id shared by all versions of the paper."""
        return self.arxiv_id or f"sha256:{self.sha256[:16]}"

    @property
    def version_number(self) -> int:
        return int(self.arxiv_version[1:]) if self.arxiv_version else 0


class Chunk(BaseModel):
    """A piece of a paper's text inside one section, sized for embedding."""

    paper_key: str
    index: int
    section: str = ""
    page_start: int
    page_end: int
    char_start: int
    char_end: int
    text: str

    @property
    def chunk_id(self) -> str:
        return f"{self.paper_key}#c{self.index:04d}"


class Claim(BaseModel):
    """A statement about a paper with the verbatim quote and page that support it."""

    paper_key: str
    arxiv_id: str | None = None
    kind: ClaimKind
    statement: str
    statement_zh: str = ""
    quote: str = Field(description="verbatim evidence from the paper")
    page: int
    section: str = ""
    numbers: list[str] = Field(default_factory=list)
    status: ClaimStatus = "pending"
    reasons: list[str] = Field(default_factory=list, description="the critic's reasons")
    extractor: str = Field("extractive", description="model name or 'extractive'")
    created_at: datetime = Field(default_factory=utcnow)

    @classmethod
    def from_draft(cls, draft: Any, paper: Paper, extractor: str = "extractive") -> Claim:
        """A pending claim of `paper` from an extractor's draft (anything with kind,
        statement, statement_zh, quote, page and numbers: agent.nodes.schemas.ClaimDraft),
        labelled with the extractor that wrote it."""
        return cls(
            paper_key=paper.key,
            arxiv_id=paper.arxiv_id,
            kind=draft.kind,
            statement=draft.statement,
            statement_zh=draft.statement_zh,
            quote=draft.quote,
            page=draft.page,
            numbers=list(draft.numbers),
            extractor=extractor,
        )

    @property
    def claim_id(self) -> str:
        """Stable id; a model's claim on the same sentence as an extractive one (or another
        model's) is a different claim, so no run overwrites another extractor's claims."""
        parts = [self.kind, self.statement, self.quote, str(self.page)]
        if self.extractor != "extractive":
            parts.append(self.extractor)
        return f"{self.paper_key}#{short_hash(*parts, n=12)}"


class BriefRecord(BaseModel):
    """A brief that was published, and what it was made from."""

    kind: str
    topic: str = ""
    window_start: date | None = None
    window_end: date | None = None
    path: str
    papers: list[str] = Field(default_factory=list)
    claims: list[str] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def brief_id(self) -> str:
        return short_hash(self.kind, self.path, self.created_at.isoformat())


class ParsedPaper(BaseModel):
    """What the reader produces from one PDF: the paper, its page texts and its chunks."""

    paper: Paper
    pages: list[str]
    chunks: list[Chunk]
    engine: str = "pdfium"
    warnings: list[str] = Field(default_factory=list)
    # chunk vectors computed where the paper was read (a reader process): (spec, array)
    _vectors: tuple[str, Any] | None = PrivateAttr(default=None)

    def attach_vectors(self, spec: str, vectors: Any) -> None:
        """Chunk vectors by embedding provider `spec`, one row per chunk, for the store."""
        self._vectors = (spec, vectors)

    def vectors_for(self, spec: str) -> Any:
        """The attached chunk vectors when they come from `spec`, else None."""
        if self._vectors is None or self._vectors[0] != spec:
            return None
        vectors = self._vectors[1]
        return vectors if len(vectors) == len(self.chunks) else None

    @property
    def text(self) -> str:
        return PAGE_SEPARATOR.join(self.pages)

    def page_of(self, offset: int) -> int:
        """1-based page holding character `offset` of `text`."""
        pos = 0
        for number, page in enumerate(self.pages, start=1):
            pos += len(page) + len(PAGE_SEPARATOR)
            if offset < pos:
                return number
        return len(self.pages)
