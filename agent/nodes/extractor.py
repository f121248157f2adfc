"""Extractor: claims of one paper, each resting on a sentence of the paper and its page.

With a model: one structured call over the reader's numbered sentences (and, on a critic
round, the rejected claims with the critic's reasons). The model never copies text: in
`lean` mode (small local models) the program picks the sentences and their kinds (as
without a model) and the model writes one short phrase per sentence in the brief's language;
in `full` mode it points at sentences among the candidates and writes kind and phrase. The
quote and page come from the program, exact by construction. The schema is bounded (sentence numbers are an
enum of the excerpt's, 3-5 claims, phrases of a few dozen characters), so grammar-constrained
decoding can neither run away nor answer with nothing. Without a model: cue-phrase sentences
of the abstract, introduction and conclusion (agent.extractive), grounded the same way.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from agent import extractive
from agent.context import Context
from agent.extractive import Sentence
from agent.nodes import cache, services
from agent.nodes.schemas import (
    PHRASE_CHARS,
    PICKS,
    ClaimDraft,
    PaperClaims,
    phrases_schema,
    picks_schema,
)
from agent.state import PaperState, paper_failed
from store.schemas import Claim, Paper

TOKENS_PER_PICK = 24  # JSON keys, sentence number and kind of one pick
# the most an extraction may write: every pick at its longest phrase (a Chinese character
# is about one token, an English one about a quarter), with room to spare
MAX_TOKENS = {
    lang: PICKS[1] * (TOKENS_PER_PICK + (chars if lang == "zh" else chars // 3)) + 40
    for lang, chars in PHRASE_CHARS.items()
}


def page_one_meta(paper: Paper, pages: list[str]) -> dict[str, Any]:
    """Institutions and author count: the reader's, else page 1's organisation lines."""
    institutions = list(paper.affiliations)
    if not institutions and pages:
        institutions = extractive.institutions_on_page_one(pages[0])
    return {"institutions": institutions, "author_count": len(paper.authors)}


def sentence_of(quote: str, sents: list[Sentence]) -> int:
    """The 1-based number of the excerpt sentence a claim quotes (0 when none)."""
    return next((i for i, s in enumerate(sents, start=1) if s.text == quote), 0)


def _messages(
    state: PaperState,
    paper: Paper,
    sents: list[Sentence],
    lean: bool,
    rejected: list[dict[str, Any]],
) -> list[Any]:
    lang = state.get("lang", "zh")
    system = "extractor.phrases.md" if lean else "extractor.system.md"
    return [
        SystemMessage(services.render_prompt(system, lang=lang)),
        HumanMessage(
            services.render_prompt(
                "extractor.user.md",
                title=paper.title,
                arxiv_id=paper.arxiv_id or "",
                sentences=extractive.numbered(sents),
                rejected=rejected,
                lean=lean,
            )
        ),
    ]


def _draft(sent: Sentence, kind: str, phrase: str, lang: str) -> ClaimDraft:
    """A claim quoting its sentence as printed, with the model's phrase."""
    phrase = phrase.strip()
    return ClaimDraft(
        kind=kind,
        statement=extractive.statement_of(sent.text) if lang == "zh" else phrase,
        statement_zh=phrase if lang == "zh" else "",
        quote=sent.text,
        page=sent.page,
        numbers=extractive.numbers_in(phrase),
    )


def ask_model(state: PaperState, ctx: Context, paper: Paper) -> list[ClaimDraft]:
    """One structured call. `lean` (small models): the program picked the sentences and
    their kinds, the model writes one phrase per sentence (on a critic round, only for the
    rejected ones). Otherwise the model picks sentences among the numbered candidates."""
    lang = state.get("lang", "zh")
    sents = [Sentence(**s) for s in state.get("sentences", [])]
    back = state.get("rejected", [])
    if ctx.lean and back:  # phrase again only the sentences whose phrase was rejected
        quotes = {c["quote"] for c in back}
        sents = [s for s in sents if s.text in quotes]
    if not sents:
        raise ValueError("no prose sentence found in the paper's text for a model to read")
    rejected = [
        {
            "sentence": sentence_of(c["quote"], sents),
            "kind": c["kind"],
            "phrase": c["statement_zh"] if lang == "zh" else c["statement"],
            "reasons": c.get("reasons", []),
        }
        for c in back
    ]
    if ctx.lean:
        schema: Any = phrases_schema(tuple(s.text for s in sents), lang)
        most = len(sents) * (PHRASE_CHARS["zh"] if lang == "zh" else PHRASE_CHARS["en"] // 3)
    else:
        schema = picks_schema(len(sents), lang)
        most = MAX_TOKENS.get(lang, MAX_TOKENS["en"])
    with ctx.model_gate:
        result = services.structured(
            ctx.model,
            schema,
            _messages(state, paper, sents, ctx.lean, rejected),
            agent="extractor",
            usage=ctx.usage,
            item=paper.key,
            max_tokens=most + len(sents) * 8 + 40,
            describe=False,
        )
    found = schema.model_validate(result)
    if ctx.lean:
        return [_draft(s, s.kind, p, lang) for s, p in zip(sents, found.phrases, strict=True)]
    return [_draft(sents[p.sentence - 1], p.kind, p.phrase, lang) for p in found.claims]


def extract(state: PaperState, runtime: Runtime[Context]) -> dict[str, Any]:
    """New pending claims for the critic (and page-1 metadata on the first round)."""
    ctx = runtime.context
    paper = Paper.model_validate(state["paper"])
    ctx.check_fault("extract", paper.key)
    stats: dict[str, int] = {}
    pages = ctx.pages(paper.key)
    if ctx.model is None:
        found = PaperClaims(claims=extractive.extract_claims(pages, paper.abstract)).claims
    else:
        try:
            found = ask_model(state, ctx, paper)
        except Exception as exc:
            if services.is_fatal(exc):
                raise
            ctx.event("failed", f"{paper.key}: {exc}")
            return paper_failed(paper.key, "extract", str(exc))
        stats["llm_calls"] = 1
    label = ctx.extractor(state.get("lang", "zh"))
    known = {c["claim_id"] for c in state.get("claims", []) if "claim_id" in c}
    known |= {Claim.model_validate(c).claim_id for c in state.get("claims", [])}
    drafts = [Claim.from_draft(d, paper, label) for d in found]
    unique = {c.claim_id: c for c in drafts if c.claim_id not in known}  # stated twice: once
    pending = [c.model_dump(mode="json") for c in unique.values()]
    update: dict[str, Any] = {"pending": pending, "rejected": [], "counts": stats}
    if not state.get("meta"):
        update["meta"] = page_one_meta(paper, pages)
        cache.update(ctx.settings.runs_dir, paper.key, ctx.model_name, meta=update["meta"])
    return update
