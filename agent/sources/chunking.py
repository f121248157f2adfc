"""Chunks for embedding: about `chunk_tokens` tokens (≈ 4 characters each), a small overlap,
never crossing a section boundary, cut at a paragraph, sentence or word boundary."""

from __future__ import annotations

import bisect
import re

from store.schemas import Chunk

CHARS_PER_TOKEN = 4
_SENTENCE_END = re.compile(r"[.!?。！？][\"')\]]?\s")


def page_starts(pages: list[str], separator: str) -> list[int]:
    """Offset in the joined text where each page begins."""
    starts, pos = [], 0
    for page in pages:
        starts.append(pos)
        pos += len(page) + len(separator)
    return starts


def page_at(starts: list[int], offset: int) -> int:
    """1-based page holding `offset`."""
    return max(1, bisect.bisect_right(starts, offset))


def _cut(text: str, start: int, hard_end: int, min_end: int) -> int:
    """Best cut in text[min_end:hard_end]: paragraph, then sentence, then whitespace."""
    window = text[min_end:hard_end]
    for pattern in ("\n\n", "\f"):
        i = window.rfind(pattern)
        if i >= 0:
            return min_end + i + len(pattern)
    last = None
    for m in _SENTENCE_END.finditer(window):
        last = m.end()
    if last is not None:
        return min_end + last
    i = max(window.rfind(" "), window.rfind("\n"))
    return min_end + i + 1 if i >= 0 else hard_end


def chunk_spans(text: str, start: int, end: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """Character spans covering text[start:end], each at most `size` characters, consecutive
    spans sharing about `overlap` characters."""
    spans: list[tuple[int, int]] = []
    overlap = min(overlap, size // 2)
    pos = start
    while pos < end:
        while pos < end and text[pos].isspace():
            pos += 1
        if pos >= end:
            break
        hard_end = min(end, pos + size)
        stop = end if hard_end == end else _cut(text, pos, hard_end, pos + size // 2)
        stop_trim = stop
        while stop_trim > pos and text[stop_trim - 1].isspace():
            stop_trim -= 1
        spans.append((pos, stop_trim))
        if stop >= end:
            break
        nxt = max(stop - overlap, pos + 1)
        if overlap:  # start the overlap at a word boundary
            space = text.find(" ", nxt, stop)
            nxt = space + 1 if space >= 0 else stop
        pos = nxt
    return spans


def make_chunks(
    paper_key: str,
    text: str,
    sections: list[tuple[str, int, int]],
    starts: list[int],
    chunk_tokens: int,
    chunk_overlap: int,
) -> list[Chunk]:
    """Chunks of `text` for (title, char_start, char_end) sections that tile the text."""
    size = max(64, chunk_tokens) * CHARS_PER_TOKEN
    overlap = max(0, chunk_overlap) * CHARS_PER_TOKEN
    chunks: list[Chunk] = []
    for title, s_start, s_end in sections:
        for a, b in chunk_spans(text, s_start, s_end, size, overlap):
            chunks.append(
                Chunk(
                    paper_key=paper_key,
                    index=len(chunks),
                    section=title,
                    page_start=page_at(starts, a),
                    page_end=page_at(starts, max(a, b - 1)),
                    char_start=a,
                    char_end=b,
                    text=text[a:b],
                )
            )
    return chunks
