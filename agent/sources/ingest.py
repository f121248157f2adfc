"""`brief ingest` as a service: read PDF files and folders, report papers and errors.

Storing is a separate step (`store_parsed` below is the seam): the report lists what was
read; when a store is passed, each parsed paper is handed to it and its status recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.settings import Settings
from agent.sources.batch import ReadResult, expand_paths, read_many
from store.schemas import ParsedPaper

StoreFn = Callable[[ParsedPaper], str]


def paper_summary(parsed: ParsedPaper) -> dict[str, Any]:
    """One paper in the report: metadata, top sections and the number of chunks."""
    p = parsed.paper
    return {
        "file": Path(p.pdf_path).name if p.pdf_path else "",
        "arxiv_id": p.arxiv_id,
        "arxiv_version": p.arxiv_version,
        "title": p.title,
        "authors": p.authors,
        "affiliations": p.affiliations,
        "abstract": p.abstract,
        "page_count": p.page_count,
        "language": p.language,
        "sections": [
            {"title": s.title, "level": s.level, "page_start": s.page_start, "page_end": s.page_end}
            for s in p.sections
        ],
        "chunks": len(parsed.chunks),
    }


def ingest_paths(
    paths: list[Path],
    settings: Settings,
    engine: str | None = None,
    workers: int | None = None,
    on_done: Callable[[ReadResult], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    store_parsed: StoreFn | None = None,
) -> dict[str, Any]:
    """Read every PDF under `paths`; return {"papers": [...], "errors": [...]}.

    `store_parsed` (optional) is called with each parsed paper and returns a status string
    ("added", "unchanged", ...), recorded as the paper's "stored" field; a StoreError it
    raises becomes an error line for that file.
    """
    files = expand_paths(paths)
    errors: list[dict[str, str]] = []
    if on_total:
        on_total(len(files))
    results = read_many(
        files,
        engine=engine or settings.pdf_engine,
        workers=workers or settings.workers,
        timeout=settings.pdf_timeout,
        chunk_tokens=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap,
        on_done=on_done,
    )
    papers: list[dict[str, Any]] = []
    for result in results:
        if result.parsed is None:
            errors.append({"file": str(result.file), "error": result.error or "unknown error"})
            continue
        record = paper_summary(result.parsed)
        record["file"] = str(result.file)
        if store_parsed is not None:
            from agent.errors import BriefError

            try:
                record["stored"] = store_parsed(result.parsed)
            except BriefError as exc:
                errors.append({"file": str(result.file), "error": str(exc)})
                continue
        papers.append(record)
    return {"papers": papers, "errors": errors}
