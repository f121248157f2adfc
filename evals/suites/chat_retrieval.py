"""chat-retrieval: the store's question set, scored with recall@k and MRR.

Each question (evals/datasets/questions.yaml, the store's set) names the arXiv id and page
that answer it. The corpus PDFs (../shared/corpus/pdf) are read with the reader and stored in
a store of the eval's own (`<evals_dir>/_corpus_store`, reused across runs; the user's store
is never touched); each question goes through the store's hybrid search, and the rank of the
first hit from the right paper (and from the right page ±1) is scored. The rank metrics are
evals/retrieval.py's when that module provides them. Skips without ../shared.
"""

from __future__ import annotations

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
PAGE_SLACK = 1


def _expected_id(case: dict[str, Any]) -> str:
    return str(case.get("arxiv_id") or case.get("paper") or "")


def corpus_store(settings: Any, pdf_dir: Path) -> Any:
    """A store holding every corpus PDF, under the eval's own home (idempotent)."""
    from agent.sources.pdf import file_sha256, read_pdf
    from store.chroma import open_store
    from store.ingest import store_parsed

    own = settings.model_copy(update={"home": settings.evals_dir / "_corpus_store"})
    store = open_store(own)
    for pdf in sorted(pdf_dir.glob("*.pdf")):
        if store.get_paper_by_sha(file_sha256(pdf)) is None:
            store_parsed(store, read_pdf(pdf, engine=settings.pdf_engine), source="pdf")
    return store


def prepare(cases: list[dict[str, Any]], ctx: EvalContext) -> None:
    pdf_dir = shared_root() / "corpus" / "pdf"
    if not pdf_dir.is_dir():
        raise SuiteSkipped(
            f"the corpus is read from {pdf_dir}, which is missing — put ../shared beside "
            "the repository"
        )
    ctx.cache["store"] = corpus_store(ctx.settings, pdf_dir)


def rank_of(hits: list[Any], arxiv_id: str, page: int | None) -> tuple[int | None, int | None]:
    """1-based ranks of the first hit of the paper, and of the paper on page ±1."""
    paper_rank = page_rank = None
    for rank, hit in enumerate(hits, start=1):
        if (hit.arxiv_id or hit.paper_key) != arxiv_id and not hit.paper_key.startswith(arxiv_id):
            continue
        paper_rank = paper_rank or rank
        if page is not None and abs(int(hit.page) - int(page)) <= PAGE_SLACK:
            page_rank = page_rank or rank
    return paper_rank, page_rank


def run_case(case: dict[str, Any], ctx: EvalContext) -> CaseResult:
    hits = ctx.cache["store"].search(case["question"], k=K)
    expected = _expected_id(case)
    page = case.get("page")
    paper_rank, page_rank = rank_of(hits, expected, page)
    metrics: dict[str, Value] = {
        "paper_hit": float(paper_rank is not None),
        "paper_rr": 0.0 if paper_rank is None else 1.0 / paper_rank,
        "page_hit": None if page is None else float(page_rank is not None),
        "page_rr": None if page is None else (0.0 if page_rank is None else 1.0 / page_rank),
    }
    flags = []
    if paper_rank is None:
        found = ", ".join(f"{h.arxiv_id or h.paper_key} p.{h.page}" for h in hits[:3])
        flags.append(
            Flag(
                "not_retrieved",
                case["question"][:120],
                f"{expected} is not in the top {K} (got {found or 'nothing'})",
            )
        )
    elif page is not None and page_rank is None:
        flags.append(
            Flag(
                "wrong_page",
                case["question"][:120],
                f"{expected} found, but not page {page}±{PAGE_SLACK} in the top {K}",
            )
        )
    info = {"paper_rank": paper_rank, "page_rank": page_rank}
    return CaseResult(str(case["id"]), not flags, metrics, flags, info)


def aggregate(cases: list[CaseResult], ctx: EvalContext) -> dict[str, Value]:
    def values(name: str) -> list[float]:
        return [float(v) for c in cases if (v := c.metrics.get(name)) is not None]

    store = ctx.cache.get("store")
    if store is not None:
        ctx.note(f"embeddings: {ctx.settings.embeddings}; store under evals_dir/_corpus_store")
        store.close()
    return {
        "questions": float(len(cases)),
        f"recall@{K}": mean(values("paper_hit")),
        "mrr": mean(values("paper_rr")),
        f"page_recall@{K}": mean(values("page_hit")),
        "page_mrr": mean(values("page_rr")),
    }


SUITE = Suite(
    name="chat-retrieval",
    description="The store's question set: recall@5 and MRR of hybrid search on the corpus.",
    dataset="questions.yaml",
    required=("question",),
    run_case=run_case,
    aggregate=aggregate,
    prepare=prepare,
    needs="../shared corpus",
    thresholds=(Threshold(f"recall@{K}", ">=", 0.7), Threshold("mrr", ">=", 0.5)),
)
SUITES = {SUITE.name: SUITE}
