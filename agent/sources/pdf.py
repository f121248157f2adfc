"""The PDF reader: one file in, a `ParsedPaper` out (pages, metadata, sections, chunks).

extract (pdftext) -> clean pages (textclean) -> headings (sections)
    -> metadata (pdfmeta) -> sections with offsets -> chunks (chunking)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from agent.errors import PdfError
from agent.files import file_sha256
from agent.sources import chunking, pdfmeta, people, sections
from agent.sources.pdftext import RawDocument, extract
from agent.sources.textclean import clean_line, clean_page, compound_words
from store.schemas import PAGE_SEPARATOR, Paper, ParsedPaper, Section

T = TypeVar("T")
MIN_TEXT_CHARS = 40  # fewer characters than this in the whole file: no text layer


def read_pdf(
    path: Path,
    engine: str = "pdfium",
    chunk_tokens: int = 1000,
    chunk_overlap: int = 100,
) -> ParsedPaper:
    """Read one PDF. Raises PdfError (with a hint) for input that cannot be read."""
    path = Path(path)
    doc = extract(path, engine, wants_font=sections.might_be_heading)
    if not doc.pages:
        raise PdfError(f"{path}: the PDF has no pages", "download the PDF again")
    compounds = compound_words("\n".join(doc.pages))
    pages = [clean_page(p, compounds) for p in doc.pages]
    if sum(len(p.strip()) for p in pages) < MIN_TEXT_CHARS:
        raise PdfError(
            f"{path}: no text layer (scanned or image-only PDF)",
            "run OCR first (e.g. ocrmypdf) and ingest the OCR'd file",
        )
    return build(path, doc, pages, compounds, chunk_tokens, chunk_overlap)


def with_vectors(parsed: ParsedPaper, embed_spec: str | None) -> ParsedPaper:
    """Attach the chunk vectors of `embed_spec` when a reader process can compute them
    itself (store.embeddings.in_reader): the store then does not embed the chunks again."""
    if embed_spec:
        from store.embeddings import in_reader

        vectors = in_reader(embed_spec, [c.text for c in parsed.chunks])
        if vectors is not None:
            parsed.attach_vectors(embed_spec, vectors)
    return parsed


def build(
    path: Path,
    doc: RawDocument,
    pages: list[str],
    compounds: set[str],
    chunk_tokens: int,
    chunk_overlap: int,
) -> ParsedPaper:
    """Assemble metadata, sections and chunks from the cleaned pages."""
    warnings: list[str] = list(doc.warnings)

    def guarded(what: str, fn: Callable[[], T], default: T) -> T:
        """Heuristics must not lose a paper: a failure leaves the field empty and a warning."""
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001
            warnings.append(f"{what} failed: {type(exc).__name__}: {exc}")
            return default

    body = sections.body_size(doc.lines)
    first = doc.lines[0] if doc.lines else []
    arxiv_id, version = pdfmeta.find_arxiv_id(doc, path)
    published, published_source = pdfmeta.find_date(doc, arxiv_id)
    no_title: tuple[str, list[int]] = ("", [])
    no_people: tuple[list[str], list[str]] = ([], [])
    no_heads: list[sections.Heading] = []
    title, title_idx = guarded(
        "title",
        lambda: pdfmeta.find_title(first, doc.info, pages[0], "\n".join(pages[:8]), compounds),
        no_title,
    )
    abstract_at = pdfmeta.abstract_line(first)
    authors, affiliations = guarded(
        "authors",
        lambda: people.find_people(first, title_idx, abstract_at, doc.info, body),
        no_people,
    )
    abstract = guarded(
        "abstract", lambda: pdfmeta.find_abstract(doc, title_idx, compounds, body), ""
    )
    text = PAGE_SEPARATOR.join(pages)
    language = pdfmeta.detect_language(text)
    starts = chunking.page_starts(pages, PAGE_SEPARATOR)
    heads = guarded("sections", lambda: sections.detect(doc.toc, doc.lines, body), no_heads)
    title_key = sections.key(title)
    heads = [
        h for h in heads if not (h.page == 0 and title_key and sections.key(h.title) == title_key)
    ]
    offsets = _heading_offsets(heads, doc, pages, starts)
    secs = _sections(heads, offsets, starts, len(text))
    paper = Paper(
        arxiv_id=arxiv_id,
        arxiv_version=version,
        sha256=file_sha256(path),
        title=title,
        authors=authors,
        affiliations=affiliations,
        abstract=abstract,
        published=published,
        published_source=published_source,
        source="pdf",
        pdf_path=str(path),
        page_count=len(pages),
        language=language,
        sections=secs,
    )
    if not title:
        warnings.append("no title found")
    kind = guarded("kind", lambda: pdfmeta.not_a_paper(doc, pages, abstract), "")
    if kind:
        warnings.append(f"not a paper: {kind}; read and stored as a document")
    spans = _leaf_spans(secs, len(text))
    chunks = chunking.make_chunks(paper.key, text, spans, starts, chunk_tokens, chunk_overlap)
    return ParsedPaper(
        paper=paper, pages=pages, chunks=chunks, engine=doc.engine, warnings=warnings
    )


def _heading_offsets(
    heads: list[sections.Heading], doc: RawDocument, pages: list[str], starts: list[int]
) -> list[int]:
    """Offset of each heading in the joined text (page start when the line is not found)."""
    out: list[int] = []
    cursor = {p: 0 for p in range(len(pages))}
    for h in heads:
        page = pages[h.page]
        pos = -1
        if h.line >= 0:
            line = clean_line(doc.lines[h.page][h.line].text)
            if line:
                pos = _find_line(page, line, cursor[h.page])
        if pos < 0:
            pos = cursor[h.page]
        cursor[h.page] = pos
        out.append(starts[h.page] + pos)
    return out


def _find_line(page: str, line: str, start: int) -> int:
    i = page.find(line, start)
    if i >= 0:
        return i
    words = line.split()
    if words:
        m = re.compile(r"\s+".join(re.escape(w) for w in words[:3])).search(page, start)
        if m:
            return m.start()
    return -1


def _sections(
    heads: list[sections.Heading], offsets: list[int], starts: list[int], end: int
) -> list[Section]:
    out: list[Section] = []
    for i, (h, off) in enumerate(zip(heads, offsets, strict=True)):
        stop = end
        for j in range(i + 1, len(heads)):
            if heads[j].level <= h.level:
                stop = offsets[j]
                break
        stop = max(stop, off)
        out.append(
            Section(
                title=h.title,
                level=h.level,
                page_start=h.page + 1,
                page_end=chunking.page_at(starts, max(off, stop - 1)),
                char_start=off,
                char_end=stop,
            )
        )
    return out


def _leaf_spans(secs: list[Section], end: int) -> list[tuple[str, int, int]]:
    """(title, start, end) pieces tiling the text: front matter, then each heading up to the
    next heading of any level."""
    spans: list[tuple[str, int, int]] = []
    first = secs[0].char_start if secs else end
    if first > 0:
        spans.append(("", 0, first))
    for i, s in enumerate(secs):
        stop = secs[i + 1].char_start if i + 1 < len(secs) else end
        if stop > s.char_start:
            spans.append((s.title, s.char_start, stop))
    return spans
