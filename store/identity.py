"""A paper's identity is more than the arXiv id its PDF prints.

Any PDF can print "arXiv:2309.06180v1". A file claiming an id that is stored already from
a different file (another sha256 for the same version, or another title for a version of
the same family) never replaces or joins the stored paper: it is kept as a *candidate*,
keyed by its own sha256 (`Paper.key` is 'sha256:<hex>' without an arxiv_id), with the id it
claims in `Paper.claimed_id`. The stored paper, its pages and its claims stay as they were,
and nothing of the candidate is ever cited under the real id.
"""

from __future__ import annotations

import re
from typing import Any

from store.schemas import Paper, ParsedPaper

TITLE_MATCH = 0.5  # word overlap (Jaccard) below which two titles name different papers


def title_words(title: str) -> set[str]:
    return set(re.findall(r"\w+", title.casefold()))


def same_title(a: str, b: str) -> bool:
    """Whether two titles may name one paper (an unknown title is no evidence against)."""
    wa, wb = title_words(a), title_words(b)
    if not wa or not wb:
        return True
    return len(wa & wb) / len(wa | wb) >= TITLE_MATCH


def conflict(
    paper: Paper,
    existing: dict[str, Any] | None,
    family: dict[str, dict[str, Any]],
    check_titles: bool = True,
) -> str:
    """Why `paper` cannot be stored under its printed id, "" when it can.

    `existing` is the stored record of the same key, `family` the stored records of its
    other versions (store metadata: sha256, title, complete). `check_titles` is false for
    a PDF downloaded from arXiv for that very id: arXiv may retitle a new version.
    """
    if not paper.arxiv_id:
        return ""
    if existing and existing.get("complete") and existing.get("sha256") != paper.sha256:
        return f"arXiv:{paper.key} is stored already from a different file"
    for key, meta in sorted(family.items()) if check_titles else ():
        if meta.get("sha256") == paper.sha256:
            continue  # the same file under another version number (a feed's correction)
        if not same_title(paper.title, str(meta.get("title") or "")):
            return (
                f"arXiv:{key} is stored with the title {meta.get('title')!r}, "
                f"this file's is {paper.title!r}"
            )
    return ""


def as_candidate(parsed: ParsedPaper) -> ParsedPaper:
    """The parsed paper keyed by its own sha256, remembering the id it claims."""
    paper = parsed.paper
    claimed = paper.key
    moved = paper.model_copy(
        update={"arxiv_id": None, "arxiv_version": None, "claimed_id": claimed}
    )
    chunks = [c.model_copy(update={"paper_key": moved.key}) for c in parsed.chunks]
    out = parsed.model_copy(update={"paper": moved, "chunks": chunks})
    vectors = parsed._vectors  # noqa: SLF001 - the same chunks, the same vectors
    if vectors is not None:
        out.attach_vectors(*vectors)
    return out
