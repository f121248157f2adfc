"""Critic: deterministic grounding checks first (quote on the page, numbers, arXiv id; for a
model's claims also the phrase: names, language, loops — agent.grounding.entail), then in
`full` mode one model entailment judgement for all of a paper's surviving claims. Rejected
claims go back to the extractor with reasons at most settings.max_critic_rounds times (in
`lean` mode once, and only while a problem, method or result is still missing), then are
dropped and counted."""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

from agent.context import Context
from agent.extractive import numbers_in, statement_of
from agent.grounding.critic import judge
from agent.nodes import services
from agent.nodes.schemas import Verdicts
from agent.state import PaperState, paper_failed
from store.schemas import Claim, Paper


def entailment(ctx: Context, claims: list[Claim]) -> dict[int, str]:
    """Index -> reason for each claim the model judges not entailed by its quote."""
    prompt = services.render_prompt("critic.entailment.md", claims=[c.model_dump() for c in claims])
    with ctx.model_gate:
        result = services.structured(
            ctx.model,
            Verdicts,
            [HumanMessage(prompt)],
            agent="critic",
            usage=ctx.usage,
            item=claims[0].paper_key if claims else "",
        )
    verdicts = Verdicts.model_validate(result).verdicts
    return {
        v.index: f"not entailed by the quote: {v.reason or 'the quote does not say this'}"
        for v in verdicts
        if not v.entailed and 0 <= v.index < len(claims)
    }


def critique(state: PaperState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Split pending claims into verified and rejected; give up on rejects after the limit."""
    ctx = runtime.context
    paper = Paper.model_validate(state["paper"])
    ctx.check_fault("critic", paper.key)
    pages = ctx.pages(paper.key)
    pending = [Claim.model_validate(c) for c in state.get("pending", [])]
    lang = state.get("lang", "zh")
    prompt = "extractor.phrases.md" if ctx.lean else "extractor.system.md"
    instructions = services.render_prompt(prompt, lang=lang) if ctx.model is not None else ""
    judge_entailment = ctx.model is not None and not ctx.lean
    try:
        verdict = judge(
            pending,
            pages,
            paper,
            lang=lang,
            model_claims=ctx.model is not None,
            instructions=instructions,
            entail=(lambda claims: entailment(ctx, claims)) if judge_entailment else None,
        )
    except Exception as exc:
        if services.is_fatal(exc):
            raise
        ctx.event("failed", f"{paper.key}: {exc}")
        return paper_failed(paper.key, "critic", str(exc))
    stats: dict[str, int] = {"llm_calls": 1} if verdict.asked else {}
    verified, rejected = verdict.passed, verdict.rejected
    rounds = state.get("rounds", 0) + 1
    retry = ctx.model is not None and rounds <= ctx.settings.max_critic_rounds and bool(rejected)
    if retry and ctx.lean:  # one call per paper: ask again once, only for a missing part
        have = {c["kind"] for c in state.get("claims", [])} | {c.kind for c in verified}
        retry = rounds <= 1 and not {"problem", "method", "result"} <= have
    dumped = [c.model_dump(mode="json") for c in rejected]
    if ctx.lean and not retry and rejected:  # keep the program's sentence, drop the phrase
        kept = salvage(rejected, pages, paper, lang)
        verified += kept
        rejected = [c for c in rejected if c.claim_id not in {k.claim_id for k in kept}]
    ctx.writer.save_claims(rejected + verified)
    stats["claims_verified"] = len(verified)
    if not retry:
        stats["claims_dropped"] = len(rejected)
    ctx.event("critic", f"{paper.key}: {len(verified)} verified, {len(rejected)} rejected")
    return {
        "claims": state.get("claims", []) + [c.model_dump(mode="json") for c in verified],
        "pending": [],
        "rejected": dumped if retry else [],
        "dropped": state.get("dropped", []) + ([] if retry else dumped),
        "rounds": rounds,
        "counts": stats,
    }


def salvage(rejected: list[Claim], pages: list[str], paper: Paper, lang: str) -> list[Claim]:
    """Lean mode: the program picked these sentences and only the model's phrase failed. A
    claim whose sentence passes the checks without the phrase is kept, verified, with no
    model phrase (formats then write the program's own; agent.phrasing); the phrase stays
    listed as dropped, with the critic's reasons."""
    bare = [
        c.model_copy(
            update={
                "statement_zh": "",
                "statement": statement_of(c.quote) if lang != "zh" else c.statement,
                "numbers": numbers_in(statement_of(c.quote)),  # the sentence's own figures
                "reasons": [],
            }
        )
        for c in rejected
    ]
    kept = judge(bare, pages, paper, lang=lang).passed
    return [c.model_copy(update={"status": "verified"}) for c in kept]


def route_after_critic(state: PaperState) -> Literal["extract", "write", "__end__"]:
    """Rejected claims still within the round limit go back to the extractor."""
    if state.get("done"):
        return "__end__"
    return "extract" if state.get("rejected") else "write"
