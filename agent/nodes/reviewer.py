"""Reviewer: every number and arXiv id in a paper's draft must trace to a verified claim of
that paper. Otherwise the writer rewrites with the reviewer's reasons (bounded); failing
that, the offending phrase is replaced by the paper's own sentence or removed."""

from __future__ import annotations

import re
from typing import Any, Literal

from langgraph.runtime import Runtime

from agent.context import Context
from agent.nodes import cache, services
from agent.nodes.writer import extractive_draft
from agent.state import PaperState
from store.schemas import ARXIV_ID_RE, Claim, Paper

FIELDS = ("method", "problem", "result")
PLACEHOLDER = re.compile(
    r"\bX+(?:\.X+)?\s*[%×倍]|待确认|待补充|\bTODO\b|\bTBD\b|\?\?|（?具体数字）?未知"
)


def problems(draft: dict[str, Any], claims: list[Claim], paper: Paper) -> dict[str, list[str]]:
    """Field -> reasons it does not trace to the paper's verified claims."""
    quotes = [c.quote for c in claims]
    out: dict[str, list[str]] = {}
    for name in FIELDS:
        text = draft.get(name, "")
        reasons = [
            f"{name}: the number {number} is in no verified claim of this paper"
            for number in services.ungrounded(text, quotes)
        ]
        for match in ARXIV_ID_RE.finditer(text):
            if match.group(1) != paper.arxiv_id:
                reasons.append(f"{name}: arXiv {match.group(1)} is not this paper")
        if PLACEHOLDER.search(text):
            reasons.append(f"{name}: placeholder text; state the fact or that none is given")
        if reasons:
            out[name] = reasons
    return out


def cited(draft: dict[str, Any], claims: list[Claim]) -> list[str]:
    """Claim ids the draft rests on: those it names, plus one holding each of its numbers."""
    ids = [i for i in draft.get("claim_ids", []) if any(c.claim_id == i for c in claims)]
    for name in FIELDS:
        for number in services.numbers_in(draft.get(name, "")):
            holders = [c.claim_id for c in claims if services.grounded(number, c.quote)]
            if holders and not set(holders) & set(ids):
                ids.append(holders[0])
    return list(dict.fromkeys(ids))


def review(state: PaperState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Pass the draft, send it back with reasons, or repair it and record what was removed."""
    ctx = runtime.context
    paper = Paper.model_validate(state["paper"])
    claims = [Claim.model_validate(c) for c in state.get("claims", [])]
    lang = state.get("lang", "zh")
    draft = dict(state["draft"])
    found = problems(draft, claims, paper)
    rounds = state.get("review_rounds", 0)
    rewrite = ctx.model is not None and not ctx.lean  # a composed draft has no writer to ask
    if found and rewrite and rounds < ctx.settings.max_critic_rounds:
        reasons = [r for rs in found.values() for r in rs]
        return {"feedback": reasons, "review_rounds": rounds + 1, "counts": {"review_rewrites": 1}}
    removed = []
    if found:
        fallback = extractive_draft(
            claims, lang, paper.title, services.glossary(ctx.settings.glossary)
        )
        for name, reasons in found.items():
            removed.append(
                {"kind": "sentence", "statement": draft[name], "page": 0, "reasons": reasons}
            )
            draft[name] = fallback[name] if not problems(fallback, claims, paper) else ""
    draft["claim_ids"] = cited(draft, claims)
    dropped = state.get("dropped", []) + removed
    memo = {f"draft_{lang}": draft, "dropped": dropped}
    cache.update(ctx.settings.runs_dir, paper.key, ctx.model_name, **memo)
    result = {
        "key": paper.key,
        "paper": paper.model_dump(mode="json"),
        "meta": state.get("meta", {}),
        "draft": draft,
        "claims": [c.model_dump(mode="json") | {"claim_id": c.claim_id} for c in claims],
        "dropped": dropped,
        "reused": bool(state.get("reused")),
    }
    ctx.event("written", paper.key)
    return {
        "papers": [result],
        "counts": {"papers_briefed": 1, "sentences_repaired": len(removed)},
        "done": True,
    }


def route_after_review(state: PaperState) -> Literal["write", "__end__"]:
    """Back to the writer while the reviewer has feedback."""
    return "__end__" if state.get("done") else "write"
