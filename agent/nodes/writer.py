"""Writer: the prose of each paper's one-sentence brief, from verified claims only.

With a model: one structured call (OneLiner) with the glossary terms the claims use. Without:
the method, problem and result sentences quoted verbatim (「…」 in Chinese), labelled as such.
Institution, title, counts and links are never written here: the templates render them.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

from agent.context import Context
from agent.extractive import split_sentences
from agent.nodes import cache, services
from agent.nodes.schemas import OneLiner
from agent.state import PaperState
from store.schemas import Claim, Paper

PATTERN = {
    "zh": "<机构>发布了<论文>，使用<方法>，解决了<问题>，达成了<效果>",
    "en": "<institution> published <paper>, using <method> to address <problem>, achieving <result>",
}


def quoted(text: str, lang: str) -> str:
    """A source sentence quoted as itself (no translation is attempted)."""
    text = text.rstrip(" .")
    return f"「{text}」" if lang == "zh" else f"“{text}”"


def terms_used(terms: dict[str, str], text: str) -> dict[str, str]:
    """Glossary entries whose English term occurs in text."""
    low = text.lower()
    return {en: zh for en, zh in terms.items() if re.search(rf"\b{re.escape(en.lower())}", low)}


def extractive_draft(claims: list[Claim], lang: str) -> dict[str, Any]:
    """Method, problem and result as the paper's own sentences."""

    def first(kind: str, numbered: bool = False) -> Claim | None:
        pool = [c for c in claims if c.kind == kind]
        if numbered:
            pool = [c for c in pool if c.numbers] or pool
        return pool[0] if pool else None

    picks = {
        "method": first("method"),
        "problem": first("problem"),
        "result": first("result", numbered=True),
    }
    draft: dict[str, Any] = {k: quoted(c.statement, lang) if c else "" for k, c in picks.items()}
    draft["claim_ids"] = [c.claim_id for c in picks.values() if c]
    draft["mode"] = "extractive"
    return draft


def model_draft(
    ctx: Context, claims: list[Claim], lang: str, feedback: list[str], arxiv_id: str | None
) -> dict[str, Any]:
    text = " ".join(c.statement for c in claims)
    prompt = services.render_prompt(
        "writer.oneliner.md",
        lang=lang,
        pattern=PATTERN[lang],
        glossary=terms_used(services.glossary(ctx.settings.glossary), text),
        claims=[c.model_dump() | {"claim_id": c.claim_id} for c in claims],
    )
    messages: list[Any] = [HumanMessage(prompt)]
    if feedback:
        messages.append(
            HumanMessage(
                services.render_prompt(
                    "reviewer.rewrite.md", feedback=feedback, arxiv_id=arxiv_id or ""
                )
            )
        )
    with ctx.model_gate:
        result = services.structured(ctx.model, OneLiner, messages, agent="writer", usage=ctx.usage)
    return OneLiner.model_validate(result).model_dump() | {"mode": "model"}


def abstract_of(paper: Paper, pages: list[str]) -> str:
    """The paper's abstract, else the page-1 text after an 'Abstract' heading."""
    if paper.abstract.strip():
        return paper.abstract.strip()
    if pages:
        parts = re.split(r"\bAbstract\b[:.\s]*", pages[0], maxsplit=1, flags=re.IGNORECASE)
        if len(parts) == 2:
            body = re.split(r"\n\s*(?:1\.?|I\.)?\s*Introduction\b", parts[1], maxsplit=1)[0]
            return " ".join(split_sentences(body)) or ""
    return ""


def missing_fields(
    paper: Paper, meta: dict[str, Any], abstract: str, claims: list[Claim]
) -> list[str]:
    """Why this paper cannot be briefed honestly (empty when it can)."""
    reasons = []
    if not paper.title.strip():
        reasons.append("no title found in the PDF or the feed")
    if not meta.get("institutions"):
        reasons.append("no institution printed on page 1")
    if not meta.get("author_count"):
        reasons.append("no author list found on page 1")
    if not abstract:
        reasons.append("no abstract found")
    if not claims:
        reasons.append("no claim could be verified against the text")
    return reasons


def write(state: PaperState, runtime: Runtime[Context]) -> dict[str, Any]:
    """The draft prose for this paper (from the memo when this paper was already written)."""
    ctx = runtime.context
    paper = Paper.model_validate(state["paper"])
    ctx.check_fault("write", paper.key)
    lang = state.get("lang", "zh")
    claims = [Claim.model_validate(c) for c in state.get("claims", [])]
    memo = cache.load(ctx.settings.runs_dir, paper.key, ctx.model_name)
    meta = state.get("meta") or memo.get("meta") or {}
    pages = ctx.pages(paper.key)
    abstract = abstract_of(paper, pages)
    problems = missing_fields(paper, meta, abstract, claims)
    if problems:
        return {
            "failures": [{"item": paper.key, "stage": "write", "reason": "; ".join(problems)}],
            "done": True,
        }
    update: dict[str, Any] = {
        "meta": meta,
        "paper": paper.model_copy(update={"abstract": abstract}).model_dump(mode="json"),
    }
    if state.get("reused") and not state.get("dropped") and memo.get("dropped"):
        update["dropped"] = memo["dropped"]
    memo_key = f"draft_{lang}"
    feedback = state.get("feedback", [])
    if memo.get(memo_key) and not feedback:
        return update | {"draft": memo[memo_key], "counts": {"drafts_reused": 1}}
    if ctx.model is None:
        draft = extractive_draft(claims, lang)
        stats = {}
    else:
        try:
            draft = model_draft(ctx, claims, lang, feedback, paper.arxiv_id)
        except Exception as exc:
            if services.is_fatal(exc):
                raise
            ctx.event("failed", f"{paper.key}: {exc}")
            return {
                "failures": [{"item": paper.key, "stage": "write", "reason": str(exc)}],
                "done": True,
            }
        stats = {"llm_calls": 1}
    return update | {"draft": draft, "feedback": [], "counts": stats}


def route_after_write(state: PaperState) -> Literal["review", "__end__"]:
    """A paper missing a required field ends its branch (it is listed as failed)."""
    return "__end__" if state.get("done") else "review"
