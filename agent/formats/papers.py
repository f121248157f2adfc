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
        match = arxiv_ref(ref)
        if not match:
            raise ConfigError(f"invalid arXiv id {ref!r}", "use an id like 2508.14148")
        if match[0] not in out:
            out.append(match[0])
    return out


def arxiv_ref(ref: str) -> tuple[str, str | None] | None:
    """(id, version) of an arXiv reference ('arXiv:2508.14148v2', '2508.14148'), else None."""
    match = ARXIV_ID_RE.fullmatch(re.sub(r"^(?i:arxiv:)", "", ref.strip()))
    return (match.group(1), match.group(2)) if match else None


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def find_stored(papers: list[Paper], ref: str) -> tuple[list[Paper], str]:
    """The stored papers a reference that is not an arXiv id means, and how it matched: a
    'sha256:' key (or a prefix of the hash), a PDF file name (with or without '.pdf', or a
    path to it), else title words (every word of the reference in the title)."""
    text = ref.strip()
    low = text.casefold()
    if low.startswith("sha256:"):
        digest = low[7:]
        found = [p for p in papers if digest and p.sha256.startswith(digest)]
        return found, "sha256 key"
    name = Path(text).name.casefold()
    by_file = [
        p
        for p in papers
        if p.pdf_path
        and name in (Path(p.pdf_path).name.casefold(), Path(p.pdf_path).stem.casefold())
    ]
    if by_file:
        return by_file, "file name"
    wanted = _words(text)
    found = [p for p in papers if wanted and set(wanted) <= set(_words(p.title))]
    exact = [p for p in found if _words(p.title) == wanted]
    return (exact or found), "title words"


def resolve_refs(store: Any, refs: list[str]) -> tuple[list[str], list[str], list[dict[str, str]]]:
    """(stored paper keys, arXiv ids to fetch, failures) for a deep-dive's references, in
    the order given. A stored paper is never fetched again: arXiv ids (with or without a
    version) are looked up in the store first; other references name stored papers only."""
    keys: list[str] = []
    fetch: list[str] = []
    failures: list[dict[str, str]] = []
    stored: list[Paper] | None = None
    for ref in refs:
        arxiv = arxiv_ref(ref)
        if arxiv:
            key = store.resolve_key(f"{arxiv[0]}{arxiv[1] or ''}")
            if key is None and arxiv[1]:  # another version of it is stored: use that
                key = store.resolve_key(arxiv[0])
            if key is not None:
                keys.append(key)
            elif arxiv[0] not in fetch:
                fetch.append(arxiv[0])
            continue
        if stored is None:
            stored = store.list_papers()
        found, how = find_stored(stored, ref)
        if len(found) == 1:
            keys.append(found[0].key)
        elif found:
            names = "; ".join(f"{p.key} ({p.title[:50]})" for p in found[:5])
            reason = f"{len(found)} stored papers match these {how}: {names}; give one key"
            failures.append({"item": ref, "stage": "select", "reason": reason})
        else:
            reason = (
                "not an arXiv id, and no stored paper has this sha256 key, file name or "
                "title words (list them with `brief store stats` / `brief store search`)"
            )
            failures.append({"item": ref, "stage": "select", "reason": reason})
    return list(dict.fromkeys(keys)), fetch, failures


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
        kind = not_a_paper(path, paper) if path is not None else ""
        if path is None:
            reason = "stored, but its PDF is gone from disk and the PDF cache"
            picked.failures.append({"item": paper.key, "stage": "select", "reason": reason})
        elif kind:
            reason = f"not a paper: {kind}; not briefed"
            picked.failures.append({"item": paper.key, "stage": "kind", "reason": reason})
        else:
            picked.papers.append(paper.model_copy(update={"pdf_path": str(path)}))
    return picked


def not_a_paper(path: Path, paper: Paper) -> str:
    """Why a stored PDF is slides or a poster (its page shapes, its abstract), '' for a paper.
    Papers from the arXiv feed are papers."""
    if paper.source in ("arxiv", "demo"):
        return ""
    from agent.sources.pdfmeta import not_a_paper as shape
    from agent.sources.pdftext import RawDocument, page_sizes

    return shape(RawDocument(pages=[], lines=[], sizes=page_sizes(path)), None, paper.abstract)


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
    from agent.errors import FetchError

    try:
        candidates = search_ids(settings, missing)
    except FetchError as exc:  # arXiv unreachable: these ids fail, stored papers carry on
        picked.failures += [{"item": i, "stage": "search", "reason": str(exc)} for i in missing]
        return picked
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
    """The papers of a deep-dive, in the order given: stored ones as they are (by arXiv id,
    sha256 key, file name or title words; no network), arXiv ids not stored fetched first
    (from the bundled demo files with `demo`)."""
    keys, ids, failures = resolve_refs(store, refs)
    if demo:
        known = store_demo(settings, store, ids) if ids else []
        fetched = Selection(
            failures=[
                {"item": i, "stage": "demo", "reason": "not one of the bundled demo papers"}
                for i in ids
                if i not in known
            ]
        )
    else:
        fetched = fetch_ids(settings, store, ids, progress) if ids else Selection()
    wanted = keys + [i for i in ids if i not in keys]
    stored = [p for p in (store.get_paper(i) for i in wanted) if p is not None]
    stored = list({p.key: p for p in stored}.values())
    picked = with_pdf(settings, stored)
    failed = {f["item"].split("v")[0] for f in fetched.failures}
    for i in ids:
        if store.get_paper(i) is None and i not in failed:
            reason = "not in the store after fetching"
            fetched.failures.append({"item": i, "stage": "store", "reason": reason})
    unkeyed = [p for p in store.list_papers() if not p.arxiv_id] if fetched.failures else []
    if unkeyed:  # the id may be one of them: their PDFs print none
        hint = "; stored papers without an arXiv id are named by key or title, e.g. " + ", ".join(
            f"{p.key} ({p.title[:40]})" for p in unkeyed[:3]
        )
        for failure in fetched.failures:
            failure["reason"] += hint
    picked.failures = failures + fetched.failures + picked.failures
    picked.downloads = fetched.downloads
    return picked


def select_window(settings: Any, store: Any, topic: Any, start: Any, end: Any) -> Selection:
    """The topic's stored papers published in [start, end] (see agent.formats.heat)."""
    from agent.formats.heat import on_topic, paper_facts

    stored = store.list_papers(since=start, until=end)
    papers = [p for p in stored if on_topic(topic, paper_facts(p))]
    picked = with_pdf(settings, papers)
    reason = (
        f"off topic {topic.name}: not fetched for it, and its title and abstract name none of "
        "its keywords (another --topic may hold it; `brief topics` lists them)"
    )
    picked.failures += [
        {"item": p.key, "stage": "topic", "reason": reason} for p in stored if p not in papers
    ]
    return picked
