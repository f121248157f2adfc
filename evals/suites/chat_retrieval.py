"""chat-retrieval: the store's question set, scored with recall@k and MRR.

Each question (evals/datasets/questions.yaml, the store's set) names the paper (arXiv id, or
the gold file stem of a document without one) and the page that answer it. The corpus PDFs
(../shared/corpus/pdf) are read with the reader and stored in a store of the eval's own
(`<evals_dir>/_corpus_store`, reused across runs; the user's store is never touched); each
question goes through the store's hybrid search. Definitions follow evals/retrieval.py (and
its `expected_ids`): recall@5 = a top-5 hit from the paper, MRR over the top 10, page@5 = a
top-5 hit from the paper within ±1 page. Skips without ../shared.

English and Chinese questions (a question with CJK characters) are also reported apart
(`recall@5_en`, `recall@5_zh`, ...): the papers are English, so a Chinese question only finds
them through cross-lingual retrieval (store/crosslingual.py). With `--model`, a Chinese
question is also searched with the English terms the model gives for it, as `brief ask` does
(agent/chat/translate.py, cached per question under the eval's home).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from evals.runner import (
    CaseResult,
    EvalContext,
    Flag,
    Suite,
    SuiteSkipped,
    Threshold,
    Value,
    mean,
    shared_root,
)

K = 5
MRR_DEPTH = 10
PAGE_SLACK = 1
_CJK = re.compile(r"[\u3400-\u9fff]")


def language(question: str) -> str:
    """ "zh" for a question with Chinese characters, else "en"."""
    return "zh" if _CJK.search(question) else "en"


def corpus_store(settings: Any, corpus: Path) -> tuple[Any, dict[str, str]]:
    """A store holding every corpus PDF under the eval's own home (idempotent), and a map
    paper key -> the id questions use (arXiv id, else the gold file stem)."""
    from agent.sources.pdf import file_sha256, read_pdf
    from evals.retrieval import expected_ids
    from store.chroma import open_store
    from store.ingest import store_parsed

    by_file = expected_ids(corpus)
    own = settings.model_copy(update={"home": settings.evals_dir / "_corpus_store"})
    store = open_store(own)
    key_to_id: dict[str, str] = {}
    for pdf in sorted((corpus / "pdf").glob("*.pdf")):
        paper = store.get_paper_by_sha(file_sha256(pdf))
        if paper is None:
            parsed = read_pdf(pdf, engine=settings.pdf_engine)
            store_parsed(store, parsed, source="pdf")
            paper = parsed.paper
        key_to_id[paper.key] = by_file.get(pdf.name, pdf.stem)
    return store, key_to_id


def prepare(cases: list[dict[str, Any]], ctx: EvalContext) -> None:
    corpus = shared_root() / "corpus"
    if not (corpus / "pdf").is_dir():
        raise SuiteSkipped(
            f"the corpus is read from {corpus / 'pdf'}, which is missing — put ../shared "
            "beside the repository"
        )
    ctx.cache["store"], ctx.cache["key_to_id"] = corpus_store(ctx.settings, corpus)


def ranks(ids: list[str], pages: list[int], want: str, page: int | None) -> tuple[Any, Any]:
    """1-based rank of the first hit from paper `want`, and of one on `page` ±1 (or None)."""
    paper_rank = next((r for r, pid in enumerate(ids, 1) if pid == want), None)
    page_rank = None
    if page is not None:
        page_rank = next(
            (
                r
                for r, (pid, p) in enumerate(zip(ids, pages, strict=True), 1)
                if pid == want and abs(p - int(page)) <= PAGE_SLACK
            ),
            None,
        )
    return paper_rank, page_rank


def run_case(case: dict[str, Any], ctx: EvalContext) -> CaseResult:
    query = case["question"]
    extra: list[str] = []
    if ctx.model is not None and language(query) == "zh":
        from agent.chat.translate import search_terms
        from store.crosslingual import search_text

        extra = search_terms(query, ctx.model, ctx.settings)
        query = search_text(query, extra)
    hits = ctx.cache["store"].search(query, k=MRR_DEPTH)
    key_to_id = ctx.cache["key_to_id"]
    ids = [key_to_id.get(h.paper_key, h.arxiv_id or h.paper_key) for h in hits]
    want, page = str(case["paper"]), case.get("page")
    paper_rank, page_rank = ranks(ids, [int(h.page) for h in hits], want, page)
    metrics: dict[str, Value] = {
        "recalled": float(paper_rank is not None and paper_rank <= K),
        "reciprocal_rank": 0.0 if paper_rank is None else round(1.0 / paper_rank, 4),
        "page_hit": None if page is None else float(page_rank is not None and page_rank <= K),
    }
    flags = []
    if not metrics["recalled"]:
        found = ", ".join(f"{i} p.{h.page}" for i, h in zip(ids[:3], hits[:3], strict=False))
        flags.append(
            Flag(
                "not_retrieved",
                case["question"][:120],
                f"{want} is not in the top {K} (top hits: {found or 'none'})",
            )
        )
    elif page is not None and not metrics["page_hit"]:
        flags.append(
            Flag(
                "wrong_page",
                case["question"][:120],
                f"{want} found, but not page {page}±{PAGE_SLACK} in the top {K}",
            )
        )
    info = {
        "paper_rank": paper_rank,
        "page_rank": page_rank,
        "lang": language(case["question"]),
        "model_terms": extra,
    }
    return CaseResult(str(case["id"]), not flags, metrics, flags, info)


def aggregate(cases: list[CaseResult], ctx: EvalContext) -> dict[str, Value]:
    def values(name: str, lang: str | None = None) -> list[float]:
        return [
            float(v)
            for c in cases
            if (v := c.metrics.get(name)) is not None
            and (lang is None or c.info.get("lang") == lang)
        ]

    store = ctx.cache.get("store")
    if store is not None:
        from store.embeddings import resolve_spec

        spec = resolve_spec(ctx.settings.embeddings)
        ctx.note(f"embeddings: {spec} (hybrid search); store under evals_dir/_corpus_store")
        store.close()
    out: dict[str, Value] = {
        "questions": float(len(cases)),
        f"recall@{K}": mean(values("recalled")),
        "mrr": mean(values("reciprocal_rank")),
        f"page@{K}": mean(values("page_hit")),
    }
    for lang in ("en", "zh"):
        if any(c.info.get("lang") == lang for c in cases):
            out[f"questions_{lang}"] = float(sum(c.info.get("lang") == lang for c in cases))
            out[f"recall@{K}_{lang}"] = mean(values("recalled", lang))
            out[f"mrr_{lang}"] = mean(values("reciprocal_rank", lang))
            out[f"page@{K}_{lang}"] = mean(values("page_hit", lang))
    return out


SUITE = Suite(
    name="chat-retrieval",
    description="The store's question set: recall@5 and MRR of hybrid search on the corpus.",
    dataset="questions.yaml",
    required=("question", "paper"),
    run_case=run_case,
    aggregate=aggregate,
    prepare=prepare,
    needs="../shared corpus",
    thresholds=(Threshold(f"recall@{K}", ">=", 0.7), Threshold("mrr", ">=", 0.5)),
)
SUITES = {SUITE.name: SUITE}
