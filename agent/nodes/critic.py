"""Critic: deterministic grounding checks first, then (with a model) one entailment
judgement for all of a paper's surviving claims. Rejected claims go back to the extractor
with reasons at most settings.max_critic_rounds times, then are dropped and counted."""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

from agent.context import Context
from agent.nodes import services
from agent.nodes.schemas import Verdicts
from agent.state import PaperState
from store.schemas import Claim, Paper


def entailment(ctx: Context, claims: list[Claim]) -> dict[int, str]:
    """Index -> reason for each claim the model judges not entailed by its quote."""
    prompt = services.render_prompt("critic.entailment.md", claims=[c.model_dump() for c in claims])
    with ctx.model_gate:
        result = services.structured(
            ctx.model, Verdicts, [HumanMessage(prompt)], agent="critic", usage=ctx.usage
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
    passed: list[Claim] = []
    rejected: list[Claim] = []
    for claim in pending:
        reasons = services.check_claim(claim, pages, paper)
        target = rejected if reasons else passed
        target.append(claim.model_copy(update={"reasons": reasons}))
    stats: dict[str, int] = {}
    if passed and ctx.model is not None:
        try:
            judged = entailment(ctx, passed)
        except Exception as exc:
            if services.is_fatal(exc):
                raise
            ctx.event("failed", f"{paper.key}: {exc}")
            return {
                "failures": [{"item": paper.key, "stage": "critic", "reason": str(exc)}],
                "pending": [],
                "rejected": [],
                "done": True,
            }
        stats["llm_calls"] = 1
        rejected += [
            c.model_copy(update={"reasons": [judged[i]]})
            for i, c in enumerate(passed)
            if i in judged
        ]
        passed = [c for i, c in enumerate(passed) if i not in judged]
    verified = [c.model_copy(update={"status": "verified"}) for c in passed]
    rejected = [c.model_copy(update={"status": "rejected"}) for c in rejected]
    ctx.writer.save_claims(verified + rejected)
    rounds = state.get("rounds", 0) + 1
    retry = ctx.model is not None and rounds <= ctx.settings.max_critic_rounds
    dumped = [c.model_dump(mode="json") for c in rejected]
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


def route_after_critic(state: PaperState) -> Literal["extract", "write", "__end__"]:
    """Rejected claims still within the round limit go back to the extractor."""
    if state.get("done"):
        return "__end__"
    return "extract" if state.get("rejected") else "write"
