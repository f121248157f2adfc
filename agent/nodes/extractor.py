"""Extractor: claims of one paper with verbatim quotes and pages, plus who wrote it.

With a model: one structured call over the selected excerpt (and, on a critic round, the
rejected claims with the critic's reasons). Without: cue-phrase sentences of the abstract,
introduction and conclusion (agent.extractive), grounded by construction.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from agent import extractive
from agent.context import Context
from agent.nodes import cache, services
from agent.nodes.schemas import PaperClaims
from agent.state import PaperState
from store.schemas import Claim, Paper


def page_one_meta(paper: Paper, pages: list[str], found: PaperClaims | None) -> dict[str, Any]:
    """Institutions and author count: the reader's, else the model's, else page 1's."""
    institutions = list(paper.affiliations) or (found.institutions if found else [])
    if not institutions and pages:
        institutions = extractive.institutions_on_page_one(pages[0])
    authors = len(paper.authors) or (found.author_count if found else 0)
    return {"institutions": institutions, "author_count": authors}


def ask_model(state: PaperState, ctx: Context, paper: Paper) -> PaperClaims:
    messages = [
        SystemMessage(services.render_prompt("extractor.system.md")),
        HumanMessage(
            services.render_prompt(
                "extractor.user.md",
                title=paper.title,
                arxiv_id=paper.arxiv_id or "",
                excerpt=state["excerpt"],
                rejected=state.get("rejected", []),
            )
        ),
    ]
    with ctx.model_gate:
        result = services.structured(
            ctx.model, PaperClaims, messages, agent="extractor", usage=ctx.usage
        )
    return PaperClaims.model_validate(result)


def extract(state: PaperState, runtime: Runtime[Context]) -> dict[str, Any]:
    """New pending claims for the critic (and page-1 metadata on the first round)."""
    ctx = runtime.context
    paper = Paper.model_validate(state["paper"])
    ctx.check_fault("extract", paper.key)
    stats: dict[str, int] = {}
    pages = ctx.pages(paper.key)
    if ctx.model is None:
        found = PaperClaims(claims=extractive.extract_claims(pages, paper.abstract))
    else:
        try:
            found = ask_model(state, ctx, paper)
        except Exception as exc:
            if services.is_fatal(exc):
                raise
            ctx.event("failed", f"{paper.key}: {exc}")
            return {
                "failures": [{"item": paper.key, "stage": "extract", "reason": str(exc)}],
                "pending": [],
                "rejected": [],
                "done": True,
            }
        stats["llm_calls"] = 1
    known = {c["statement"] for c in state.get("claims", [])}
    drafts = [
        Claim(
            paper_key=paper.key,
            arxiv_id=paper.arxiv_id,
            kind=d.kind,
            statement=d.statement,
            statement_zh=d.statement_zh,
            quote=d.quote,
            page=d.page,
            numbers=d.numbers,
            extractor=ctx.model_name,
        )
        for d in found.claims
        if d.statement not in known
    ]
    unique = {c.claim_id: c for c in drafts}  # a model may state the same claim twice
    pending = [c.model_dump(mode="json") for c in unique.values()]
    update: dict[str, Any] = {"pending": pending, "rejected": [], "counts": stats}
    if not state.get("meta"):
        update["meta"] = page_one_meta(paper, pages, found)
        cache.update(ctx.settings.runs_dir, paper.key, ctx.model_name, meta=update["meta"])
    return update
