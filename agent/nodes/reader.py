"""Reader: parse and store one paper (or reuse it from the store), then select the numbered
sentences the extractor model may point at, and reuse verified claims of this paper version
when there are any."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

from langgraph.runtime import Runtime

from agent.context import Context
from agent.extractive import Sentence, candidate_sentences, claim_sentences
from agent.nodes import cache, services
from agent.state import PaperState, paper_failed
from store.identity import as_candidate
from store.schemas import Paper


def _fill(paper: Paper, task: dict[str, Any]) -> Paper:
    """Feed metadata fills what the PDF did not give."""
    updates: dict[str, Any] = {}
    names: tuple[str, ...] = ("arxiv_id", "arxiv_version", "title", "authors", "abstract")
    if paper.claimed_id:  # a candidate (store.identity) never takes the id it claims
        names = names[2:]
    for name in names:
        if task.get(name) and not getattr(paper, name):
            updates[name] = task[name]
    if task.get("published") and paper.published_source != "feed":  # the feed's date wins
        updates["published"] = task["published"]
        updates["published_source"] = "feed"
    return Paper.model_validate(paper.model_dump() | updates) if updates else paper


def to_read(ctx: Context, pages: list[str], paper: Paper) -> list[Sentence]:
    """What the extractor model reads: in `lean` mode the sentences the program picks as
    claims (the model phrases them), else the wider numbered candidates (it picks)."""
    if ctx.lean:
        return claim_sentences(pages, paper.abstract)
    return candidate_sentences(pages)


def read(state: PaperState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Parse the PDF (unless this exact file is stored) and load its pages."""
    ctx = runtime.context
    task = state["task"]
    name = (
        f"{task['arxiv_id']}{task.get('arxiv_version') or ''}"
        if task.get("arxiv_id")
        else Path(task["pdf_path"]).name
    )
    ctx.check_fault("read", name)
    stats = {"papers_read": 1}
    try:
        queued = ctx.reader is not None and ctx.reader.queued(task["pdf_path"])
        paper = None  # a file the fetch step queued for parsing was not stored then
        if not queued:
            sha = task.get("sha256") or services.file_sha256(task["pdf_path"])
            paper = services.stored_paper(ctx.store, sha)
        pages = ctx.pages(paper.key) if paper else []
        if not pages:
            if ctx.reader is not None:
                parsed = ctx.reader.read(task["pdf_path"])
            else:
                with ctx.read_gate:
                    parsed = services.parse_pdf(task["pdf_path"], ctx.settings)
            parsed = parsed.model_copy(update={"paper": _fill(parsed.paper, task)})
            _, key = ctx.writer.store_paper_keyed(parsed, task.get("source") or "pdf", [])
            if key != parsed.paper.key:  # a candidate: stored under its own key
                parsed = as_candidate(parsed)
                ctx.event(
                    "candidate",
                    f"{name}: {parsed.paper.claimed_id} is stored from "
                    f"another file; this one is kept as {key}",
                )
            paper, pages = parsed.paper, parsed.pages
            ctx.pages_cache[paper.key] = pages
            stats["pdf_parsed"] = 1
    except Exception as exc:  # one bad paper never stops the run (a full disk does)
        if services.is_fatal(exc):
            raise
        ctx.event("failed", f"{name}: {exc}")
        return paper_failed(name, "read", str(exc))
    assert paper is not None  # parsed above when it was not stored
    paper = _fill(paper, task)
    reused = services.stored_claims(ctx.store, paper.key, "verified")
    reused = [c for c in reused if c.extractor == ctx.extractor(state.get("lang", "zh"))]
    if reused and not cache.load(ctx.settings.runs_dir, paper.key, ctx.model_name).get("meta"):
        reused = []  # the page-1 memo is lost (runs/cache deleted): extract again to rebuild it
    ctx.event("read", paper.key)
    return {
        "paper": paper.model_dump(mode="json"),
        "sentences": [] if reused else [asdict(s) for s in to_read(ctx, pages, paper)],
        "claims": [c.model_dump(mode="json") for c in reused],
        "pending": [],
        "rejected": [],
        "dropped": [],
        "reused": bool(reused),
        "rounds": 0,
        "review_rounds": 0,
        "feedback": [],
        "counts": stats | ({"papers_reused": 1, "claims_reused": len(reused)} if reused else {}),
    }


def route_after_read(state: PaperState) -> Literal["extract", "write", "__end__"]:
    """Unreadable papers end their branch; reused claims skip extraction and critique."""
    if state.get("done"):
        return "__end__"
    return "write" if state.get("reused") else "extract"
