"""chat-retrieval: the store's question set, scored with recall@k and MRR.

Questions (evals/datasets/questions.yaml, the store helper's) name the arXiv id and page that
answer them. The corpus is ingested into a fresh store under the run's BRIEF_HOME, each
question is searched with the store's hybrid search, and evals/retrieval.py scores the hits.
Needs ../shared (the corpus PDFs); skips without it.
"""

from __future__ import annotations

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


def prepare(cases: list[dict[str, Any]], ctx: EvalContext) -> None:
    pdf_dir = shared_root() / "corpus" / "pdf"
    if not pdf_dir.is_dir():
        raise SuiteSkipped(
            f"the corpus is read from {pdf_dir}, which is missing — put "
            "../shared beside the repository"
        )
    try:
        from evals import retrieval
    except ImportError as exc:
        raise SuiteSkipped(f"evals/retrieval.py is not available ({exc})") from None
    ctx.cache["store"] = retrieval.corpus_store(ctx.settings, pdf_dir)


def run_case(case: dict[str, Any], ctx: EvalContext) -> CaseResult:
    from evals import retrieval

    hits = retrieval.search(ctx.cache["store"], case["question"], k=K)
    expected = {"arxiv_id": case.get("arxiv_id"), "page": case.get("page")}
    rank = retrieval.rank_of(hits, expected)
    metrics: dict[str, Value] = {
        f"recall@{K}": float(rank is not None and rank <= K),
        "reciprocal_rank": 0.0 if rank is None else 1.0 / rank,
    }
    flags = (
        []
        if rank is not None and rank <= K
        else [
            Flag(
                "not_retrieved",
                case["question"][:120],
                f"{expected['arxiv_id']} p.{expected['page']} not in the top {K}",
            )
        ]
    )
    return CaseResult(str(case["id"]), not flags, metrics, flags, {"rank": rank})


def aggregate(cases: list[CaseResult], ctx: EvalContext) -> dict[str, Value]:
    return {
        "questions": float(len(cases)),
        f"recall@{K}": mean([c.metrics[f"recall@{K}"] or 0.0 for c in cases]),
        "mrr": mean([c.metrics["reciprocal_rank"] or 0.0 for c in cases]),
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
