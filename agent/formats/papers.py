"""Which papers a run reads. Store-backed kinds brief papers that are in the claim store;
a deep-dive first brings the arXiv ids it is given into the store (the bundled demo PDFs with
--demo, else through the fetch service: arXiv's id_list query, download, read, store).

Everything returns failures as {"item", "stage", "reason"} so the brief can list them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import ConfigError
from store.schemas import ARXIV_ID_RE, Paper


@dataclass
class Selection:
    """The PDFs a run reads (their papers are stored) and what could not be included."""

    papers: list[Paper] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    downloads: int = 0

    def pdfs(self) -> list[str]:
        return [str(p.pdf_path) for p in self.papers]


def parse_ids(refs: list[str]) -> list[str]:
    """'arXiv:2508.14148v2', '2508.14148' -> '2508.14148' (families, in order, once each)."""
    out: list[str] = []
    for ref in refs:
        match = ARXIV_ID_RE.fullmatch(re.sub(r"^(?i:arxiv:)", "", ref.strip()))
        if not match:
            raise ConfigError(f"invalid arXiv id {ref!r}", "use an id like 2508.14148")
        if match.group(1) not in out:
            out.append(match.group(1))
    return out


def pdf_file(settings: Any, paper: Paper) -> Path | None:
    """The stored paper's PDF: where it was read from, else the PDF cache."""
    from agent.sources.download import cache_path

    for path in (paper.pdf_path, cache_path(settings, paper.arxiv_id or "", paper.arxiv_version)):
        if path and Path(path).is_file():
            return Path(path)
    return None


def with_pdf(settings: Any, papers: list[Paper]) -> Selection:
    """Papers whose PDF is at hand; the others become failures (they cannot be re-read)."""
    picked = Selection()
    for paper in papers:
        path = pdf_file(settings, paper)
        if path is None:
            reason = "stored, but its PDF is gone from disk and the PDF cache"
            picked.failures.append({"item": paper.key, "stage": "select", "reason": reason})
        else:
            picked.papers.append(paper.model_copy(update={"pdf_path": str(path)}))
    return picked


def store_demo(settings: Any, store: Any, ids: list[str] | None = None) -> list[str]:
    """Store the bundled demo papers (or those of `ids`) with the demo feed's metadata;
    returns the ids of the demo papers wanted."""
    from agent.nodes.services import parse_pdf
    from agent.sources.demo import demo_feed
    from agent.sources.fetch import merge_metadata
    from store.ingest import store_parsed

    found = []
    for entry in demo_feed():
        if ids is not None and entry.arxiv_id not in ids:
            continue
        found.append(entry.arxiv_id)
        if store.has_paper(entry.arxiv_id, entry.arxiv_version):
            continue
        parsed = merge_metadata(parse_pdf(str(entry.pdf_path), settings), entry.candidate, [])
        store_parsed(store, parsed, source="demo")
    return found


def search_ids(settings: Any, ids: list[str]) -> list[Any]:
    """arXiv's metadata for these ids (one id_list query)."""
    import arxiv

    from agent.sources.arxiv import ArxivClient, candidate_from_result

    client = ArxivClient(settings, page_size=max(1, len(ids)))
    try:
        spec = arxiv.Search(id_list=ids, max_results=len(ids))
        return [candidate_from_result(r) for r in client.results(spec)]
    finally:
        client.close()


def fetch_ids(settings: Any, store: Any, ids: list[str], progress: Any = None) -> Selection:
    """Bring the ids that are not stored into the store; report the ones that fail."""
    from agent.sources.fetch import fetch_topic

    picked = Selection()
    missing = [i for i in ids if not store.has_paper(i)]
    if not missing:
        return picked
    candidates = search_ids(settings, missing)
    seen = {c.arxiv_id for c in candidates}
    picked.failures += [
        {"item": i, "stage": "search", "reason": "arXiv returned no paper for this id"}
        for i in missing
        if i not in seen
    ]
    if candidates:
        report = fetch_topic(
            settings,
            candidates=candidates,
            store=store,
            read=True,
            embedder=None,
            min_score=-1.0,
            progress=progress,
        )
        picked.downloads = int(report.downloads)
        picked.failures += [
            {"item": o.candidate.key, "stage": f"{o.status} ({o.stage})", "reason": o.reason}
            for o in report.failed
        ]
    return picked


def select_ids(
    settings: Any, store: Any, refs: list[str], *, demo: bool = False, progress: Any = None
) -> Selection:
    """The papers of a deep-dive, in the order given: stored ones as they are, others
    fetched first (from the bundled demo files with `demo`)."""
    ids = parse_ids(refs)
    if demo:
        known = store_demo(settings, store, ids)
        fetched = Selection(
            failures=[
                {"item": i, "stage": "demo", "reason": "not one of the bundled demo papers"}
                for i in ids
                if i not in known
            ]
        )
    else:
        fetched = fetch_ids(settings, store, ids, progress)
    stored = [p for p in (store.get_paper(i) for i in ids) if p is not None]
    picked = with_pdf(settings, stored)
    failed = {f["item"].split("v")[0] for f in fetched.failures}
    for i in ids:
        if store.get_paper(i) is None and i not in failed:
            reason = "not in the store after fetching"
            fetched.failures.append({"item": i, "stage": "store", "reason": reason})
    picked.failures = fetched.failures + picked.failures
    picked.downloads = fetched.downloads
    return picked


def select_window(settings: Any, store: Any, topic: Any, start: Any, end: Any) -> Selection:
    """The topic's stored papers published in [start, end] (see agent.formats.heat)."""
    from agent.formats.heat import on_topic, paper_facts

    papers = [
        p for p in store.list_papers(since=start, until=end) if on_topic(topic, paper_facts(p))
    ]
    return with_pdf(settings, papers)
