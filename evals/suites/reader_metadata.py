"""reader-metadata: the reader against the corpus gold (issue 2's figures).

Scores come from evals/reader_gold.py (the reader helper's module): per PDF the id, title,
abstract F1, headings precision/recall, author F1 and affiliation F1. The suite needs
../shared/corpus (PDFs and gold files) and skips with a clear message without it.
"""

from __future__ import annotations

import json
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
    shared_root,
)


def corpus_dir() -> Path:
    return shared_root() / "corpus"


def prepare(cases: list[dict[str, Any]], ctx: EvalContext) -> None:
    if not (corpus_dir() / "gold").is_dir():
        raise SuiteSkipped(
            f"the gold files are read from {corpus_dir() / 'gold'}, which is "
            "missing — put ../shared beside the repository"
        )
    try:
        import evals.reader_gold  # noqa: F401
    except ImportError as exc:
        raise SuiteSkipped(f"evals/reader_gold.py is not available ({exc})") from None


def run_case(case: dict[str, Any], ctx: EvalContext) -> CaseResult:
    from agent.sources.pdf import read_pdf
    from evals import reader_gold

    gold = json.loads((corpus_dir() / "gold" / case["gold"]).read_text(encoding="utf-8"))
    parsed = read_pdf(corpus_dir() / "pdf" / case["pdf"], engine=ctx.settings.pdf_engine)
    score = reader_gold.score_paper(reader_gold.paper_record(parsed), gold)
    ctx.cache.setdefault("reader_scores", []).append(score)
    metrics: dict[str, Value] = {
        "id": None if score.id_ok is None else float(score.id_ok),
        "title": float(score.title_ok),
        "abstract_f1": score.abstract_f1,
        "headings_tp": float(score.head_tp),
        "author_f1": reader_gold.f1(*score.auth),
        "affiliation_f1": reader_gold.f1(*score.affil),
    }
    flags = []
    if score.id_ok is False:
        flags.append(Flag("id", str(parsed.paper.arxiv_id), f"gold id is {gold.get('arxiv_id')}"))
    if not score.title_ok:
        flags.append(Flag("title", parsed.paper.title[:120], f"gold title: {gold.get('title')}"))
    floors = case.get("floors") or {}
    flags += [
        Flag(name, "", f"{name} = {metrics.get(name)} is below {floor}")
        for name, floor in floors.items()
        if metrics.get(name) is not None and metrics[name] < floor
    ]
    info = {"pdf": case["pdf"], "headings": f"{score.head_tp}/{score.head_pred}/{score.head_gold}"}
    return CaseResult(str(case["id"]), not flags, metrics, flags, info)


def aggregate(cases: list[CaseResult], ctx: EvalContext) -> dict[str, Value]:
    """Micro figures over papers, as evals/reader_gold.py computes them."""
    from evals import reader_gold

    scores = ctx.cache.get("reader_scores", [])
    if not scores:
        return {"papers": float(len(cases))}
    t = reader_gold.totals(scores)
    return {
        "papers": float(t.papers),
        "id_accuracy": round(t.id_correct / t.id_total, 4) if t.id_total else None,
        "title_accuracy": round(t.title_correct / t.papers, 4),
        "abstract_f1_mean": round(t.abstract_mean, 4),
        "abstract_f1_ge_0.9": round(t.abstract_ok / t.abstract_total, 4)
        if t.abstract_total
        else None,
        "heading_precision": round(t.heading_precision, 4),
        "heading_recall": round(t.heading_recall, 4),
        "author_f1": round(t.author_f1, 4),
        "affiliation_f1": round(t.affiliation_f1, 4),
    }


SUITE = Suite(
    name="reader-metadata",
    description="The reader against ../shared/corpus/gold: id, title, abstract, headings, "
    "authors, affiliations.",
    dataset="reader_metadata.yaml",
    required=("pdf", "gold"),
    run_case=run_case,
    aggregate=aggregate,
    prepare=prepare,
    needs="../shared corpus",
    thresholds=(
        Threshold("id_accuracy", ">=", 0.9),
        Threshold("title_accuracy", ">=", 0.8),
        Threshold("abstract_f1_mean", ">=", 0.9),
        Threshold("heading_recall", ">=", 0.7),
    ),
)
SUITES = {SUITE.name: SUITE}
