"""reader-metadata: the reader against the corpus gold (issue 2's figures).

Scores come from evals/reader_gold.py (the reader helper's module): per PDF the id, title,
abstract F1, headings precision/recall, author F1 and affiliation F1. The suite needs
../shared/corpus (PDFs and gold files) and skips with a clear message without it.
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

FIELDS = ("id", "title", "abstract_f1", "headings_p", "headings_r", "author_f1", "affiliation_f1")


def corpus_dir() -> Any:
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
    from evals import reader_gold

    scores = reader_gold.score_file(
        corpus_dir() / "pdf" / case["pdf"],
        corpus_dir() / "gold" / case["gold"],
        engine=ctx.settings.pdf_engine,
    )
    metrics: dict[str, Value] = {
        k: (None if scores.get(k) is None else float(scores[k])) for k in FIELDS
    }
    floors = case.get("floors") or {}
    flags = [
        Flag(name, "", f"{name} = {metrics.get(name)} is below {floor}")
        for name, floor in floors.items()
        if metrics.get(name) is not None and metrics[name] < floor
    ]  # type: ignore[operator]
    return CaseResult(str(case["id"]), not flags, metrics, flags, {"pdf": case["pdf"]})


def aggregate(cases: list[CaseResult], ctx: EvalContext) -> dict[str, Value]:
    out: dict[str, Value] = {"papers": float(len(cases))}
    for name in FIELDS:
        values = [c.metrics[name] for c in cases if c.metrics.get(name) is not None]
        out[name] = mean([float(v) for v in values if v is not None])
    return out


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
        Threshold("id", ">=", 0.9),
        Threshold("title", ">=", 0.8),
        Threshold("abstract_f1", ">=", 0.9),
    ),
)
SUITES = {SUITE.name: SUITE}
