"""Writer: the prose of each paper's one-sentence brief, from verified claims only.

With a model in `lean` mode (settings.model_calls; small local models): no call; the
method, problem and result phrases are the ones the model wrote for its verified claims,
composed (the headline result: a numbered result from the abstract first). In `full` mode:
one structured call (OneLiner) with the glossary terms the claims use. Without a model: in
Chinese, phrases the program writes from what it knows exactly (agent.phrasing) with the
verbatim sentences on a labelled 原文 line; in English, the sentences quoted.
Institution, title, counts and links are never written here: the templates render them.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

from agent import phrasing
from agent.context import Context
from agent.extractive import split_sentences
from agent.nodes import cache, services
from agent.nodes.schemas import OneLiner
from agent.state import PaperState, paper_failed
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


def extractive_draft(
    claims: list[Claim], lang: str, title: str = "", terms: dict[str, str] | None = None
) -> dict[str, Any]:
    """Method, problem and result without a model. In English: the paper's own sentences,
    quoted. In Chinese: phrases the program writes from what it knows exactly (method name,
    glossary terms, problem cues, the result's numbers and metric: agent.phrasing), with the
    sentences themselves under `evidence` (rendered on a labelled 原文 line)."""

    def first(kind: str, numbered: bool = False) -> Claim | None:
        pool = [c for c in claims if c.kind == kind]
        if numbered:
            pool = headline(pool) or pool
        return pool[0] if pool else None

    picks = {
        "method": first("method"),
        "problem": first("problem"),
        "result": first("result", numbered=True),
    }
    if lang == "zh":
        terms = terms if terms is not None else services.glossary()
        method, problem, result = picks["method"], picks["problem"], picks["result"]
        name = phrasing.method_name(title, method.statement if method else "")
        draft: dict[str, Any] = {
            "method": phrasing.method_phrase(name, method.statement, terms)
            if method
            else (f"{name}（论文提出的方法）" if name else ""),
            "problem": phrasing.problem_phrase(problem.statement, terms) if problem else "",
            "result": phrasing.result_phrase(result.statement, result.numbers) if result else "",
        }
        draft["evidence"] = [
            {"kind": kind, "quote": c.quote, "page": c.page}
            for kind, c in picks.items()
            if c is not None and draft[kind]
        ]
    else:
        draft = {k: quoted(c.statement, lang) if c else "" for k, c in picks.items()}
    draft["claim_ids"] = [c.claim_id for k, c in picks.items() if c and draft[k]]
    draft["mode"] = "extractive"
    return draft


_LEAD = re.compile(  # a connective, then "we propose" or the slot's own verb
    r"^(?:(?:然而|此外|因此|首先|最后)[，,]?\s*)?"
    r"(?:(?:在(?:这一|本|此)项?(?:工作|论文|文)中?[，,]?\s*)?(?:我们|本文)(?:提出了?|引入了?)"
    r"|使用|采用|通过|解决了?|达成了?|实现了?|using|to address|achieving)?\s*",
    re.I,
)


def phrase_of(claim: Claim, lang: str, terms: dict[str, str]) -> str:
    """The model's phrase for a claim (the program's, agent.phrasing, where the critic
    dropped the model's), without a lead the template already writes."""
    text = (claim.statement_zh if lang == "zh" else claim.statement).strip()
    if lang == "zh" and not text:
        text = phrasing.claim_phrase(claim.model_dump(), terms)
    return _LEAD.sub("", text).rstrip("。.；;，, ")


def figures(claim: Claim) -> list[str]:
    """The figures with a unit (×, %, 倍) the claim's sentence prints."""
    return [n for n in services.numbers_in(claim.quote) if phrasing.has_unit(n)]


def headline(claims: list[Claim]) -> list[Claim]:
    """Result claims, the headline first: a sentence printing a figure (×, %) before one
    without, then by page (the abstract's main result before a side remark), then in the
    order given."""
    results = [c for c in claims if c.kind == "result"]
    return sorted(results, key=lambda c: (not figures(c), c.page))


def composed_draft(claims: list[Claim], lang: str, terms: dict[str, str]) -> dict[str, Any]:
    """The one-liner's phrases from the model's own verified phrases (no model call)."""
    picks = {
        "method": next((c for c in claims if c.kind == "method"), None),
        "problem": next((c for c in claims if c.kind == "problem"), None),
        "result": next(iter(headline(claims)), None),
    }
    draft: dict[str, Any] = {k: phrase_of(c, lang, terms) if c else "" for k, c in picks.items()}
    result = picks["result"]
    if result is not None and draft["result"]:  # the headline figure the phrase left out
        shown = set(services.numbers_in(draft["result"]))
        missing = [n for n in phrasing.headline_numbers(figures(result)) if n not in shown]
        if missing and not shown:
            draft["result"] += f"（{'、'.join(missing)}）"
    draft["claim_ids"] = [c.claim_id for c in picks.values() if c]
    draft["mode"] = "model"
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
        result = services.structured(
            ctx.model,
            OneLiner,
            messages,
            agent="writer",
            usage=ctx.usage,
            item=claims[0].paper_key if claims else "",
        )
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
        return paper_failed(paper.key, "write", "; ".join(problems))
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
        draft = extractive_draft(
            claims, lang, paper.title, services.glossary(ctx.settings.glossary)
        )
        stats: dict[str, int] = {}
    elif ctx.lean:
        draft = composed_draft(claims, lang, services.glossary(ctx.settings.glossary))
        stats = {}
    else:
        try:
            draft = model_draft(ctx, claims, lang, feedback, paper.arxiv_id)
        except Exception as exc:
            if services.is_fatal(exc):
                raise
            ctx.event("failed", f"{paper.key}: {exc}")
            return paper_failed(paper.key, "write", str(exc))
        stats = {"llm_calls": 1}
    return update | {"draft": draft, "feedback": [], "counts": stats}


def route_after_write(state: PaperState) -> Literal["review", "__end__"]:
    """A paper missing a required field ends its branch (it is listed as failed)."""
    return "__end__" if state.get("done") else "review"
