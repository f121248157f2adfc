"""The bundled demo feed: three CC BY papers in agent/data/demo, usable fully offline.

`feed.xml` is a current-format Atom feed listing the three PDFs with their real titles,
authors and abstracts (see the comment in the file for how dates were set).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from agent.sources.arxiv import Candidate, parse_candidates

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"


def demo_dir() -> Path:
    return DEMO_DIR


def demo_feed_path() -> Path:
    """agent/data/demo/feed.xml."""
    return DEMO_DIR / "feed.xml"


def demo_pdf_path(arxiv_id: str) -> Path:
    """The bundled PDF of a demo paper (file names carry no version)."""
    return DEMO_DIR / f"{arxiv_id}.pdf"


def demo_candidates() -> list[Candidate]:
    """The demo feed parsed like any arXiv response."""
    return parse_candidates(demo_feed_path().read_bytes())


@dataclass
class DemoPaper:
    """A demo paper: the feed's metadata and the bundled PDF."""

    candidate: Candidate
    pdf_path: Path

    @property
    def arxiv_id(self) -> str:
        return self.candidate.arxiv_id

    @property
    def arxiv_version(self) -> str | None:
        return self.candidate.version

    @property
    def title(self) -> str:
        return self.candidate.title

    @property
    def authors(self) -> list[str]:
        return self.candidate.authors

    @property
    def abstract(self) -> str:
        return self.candidate.abstract

    @property
    def published(self) -> date | None:
        return self.candidate.published

    @property
    def url(self) -> str:
        return self.candidate.abs_url


def demo_feed() -> list[DemoPaper]:
    """Each demo paper with its bundled PDF."""
    return [DemoPaper(c, demo_pdf_path(c.arxiv_id)) for c in demo_candidates()]
