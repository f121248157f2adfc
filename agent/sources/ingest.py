"""`brief ingest` as a service: read PDF files and folders, report papers and errors.

Storing is a separate step (`store_many` below is the seam): the report lists what was
read; when a store is passed, the parsed papers are handed to it in batches (a Chroma write
costs tens of milliseconds however small it is) and each paper's status is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.settings import Settings
from agent.sources.batch import ReadResult, expand_paths, read_many
from store.identity import as_candidate
from store.schemas import ParsedPaper

StoreManyFn = Callable[[list[ParsedPaper]], list[str]]
BATCH_CHUNKS = 2000  # a store batch holds about this many chunks ...
BATCH_PAPERS = 40  # ... and at most this many papers


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
    store_many: StoreManyFn | None = None,
    embed_spec: str | None = None,
) -> dict[str, Any]:
    """Read every PDF under `paths`; return {"papers": [...], "errors": [...]}, with
    "warnings": [...] when a paper was stored otherwise than its PDF says (a candidate).

    `store_many` (optional) is called with batches of parsed papers and returns a status
    string per paper ("added", "unchanged", ...), recorded as its "stored" field. When a
    batch fails, its papers are stored one by one, so a BriefError becomes an error line
    for the file that caused it and the others are still stored. `embed_spec` (the store's
    embedding provider) lets the reader processes embed the chunks.
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
        embed_spec=embed_spec,
    )
    read: list[tuple[ReadResult, ParsedPaper]] = []
    for result in results:
        if result.parsed is None:
            errors.append({"file": str(result.file), "error": result.error or "unknown error"})
        else:
            read.append((result, result.parsed))
    stored: dict[int, str] = {}
    warnings: list[str] = []  # papers stored, but not as their PDF says (store.identity)
    if store_many is not None:
        stored = _store_batches(store_many, read, errors)
    papers: list[dict[str, Any]] = []
    for n, (result, parsed) in enumerate(read):
        if store_many is not None and n not in stored:
            continue  # its store error is listed
        record = paper_summary(parsed)
        record["file"] = str(result.file)
        if n in stored:
            record["stored"] = stored[n]
        if stored.get(n) == "candidate":
            kept = as_candidate(parsed).paper.key
            record["stored_as"] = kept
            warnings.append(
                f"{result.file}: prints arXiv:{parsed.paper.key}, which is stored already "
                f"from a different file; the stored paper is unchanged and this file is kept "
                f"apart as {kept} (delete it with `brief store delete {kept}` if unwanted)"
            )
        warnings += [f"{result.file}: {w}" for w in parsed.warnings if w.startswith("not a paper")]
        papers.append(record)
    report: dict[str, Any] = {"papers": papers, "errors": errors}
    if warnings:
        report["warnings"] = warnings
    return report


def batches(sizes: list[int]) -> list[list[int]]:
    """Indexes of items grouped into store batches of about BATCH_CHUNKS chunks."""
    groups: list[list[int]] = []
    chunks = 0
    for n, size in enumerate(sizes):
        if not groups or chunks + size > BATCH_CHUNKS or len(groups[-1]) >= BATCH_PAPERS:
            groups.append([])
            chunks = 0
        groups[-1].append(n)
        chunks += size
    return groups


def _store_batches(
    store_many: StoreManyFn,
    read: list[tuple[ReadResult, ParsedPaper]],
    errors: list[dict[str, str]],
) -> dict[int, str]:
    """Store the parsed papers batch by batch; {index in `read`: status}."""
    from agent.errors import BriefError

    stored: dict[int, str] = {}
    for group in batches([len(parsed.chunks) for _, parsed in read]):
        if len(group) > 1:
            try:
                stored.update(zip(group, store_many([read[n][1] for n in group]), strict=True))
                continue
            except BriefError:
                pass  # find the paper that fails: store them one by one
        for n in group:
            try:
                stored[n] = store_many([read[n][1]])[0]
            except BriefError as exc:
                errors.append({"file": str(read[n][0].file), "error": str(exc)})
    return stored
