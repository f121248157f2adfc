"""critic-adversarial: the critic on true claims and on corrupted copies of them.

Cases come from evals/build_critic_dataset.py. Each names its PDF (corpus: ../shared/corpus/
pdf, demo: agent/data/demo); the pages are re-read with the product's reader and the claim
goes through the workflow critic's own policy (agent.grounding.critic.judge: the
deterministic checks; the claims here are the eval's, not a model's, so no phrase checks).
With a model, claims the checks pass also go to the critic's entailment judgement (the
workflow's agent.nodes.critic.entailment), exactly as in a run.

Metrics: the catch rate per corruption class, overall for the deterministic classes (number,
unit, arxiv_id, page, other_quote, name_number: a number inside a name such as InfLLM-V2), and the false-alarm rate on true claims. Negation and
swapped institution need an entailment judge: without a model they are "not measured"
(their deterministic catch rate is still shown as `deterministic_catch_<class>`).
"""

from __future__ import annotations

from typing import Any

from agent.grounding.critic import Entail, judge
from evals.runner import (
    CaseResult,
    EvalContext,
    Flag,
    Suite,
    SuiteSkipped,
    Threshold,
    Value,
    rate,
    shared_root,
)

DETERMINISTIC = ("number", "unit", "arxiv_id", "page", "other_quote", "name_number")
ENTAILMENT = ("negation", "institution")


def _pdf_path(case: dict[str, Any]) -> Any:
    from evals.build_critic_dataset import source_dir

    return source_dir(case["source"]) / case["pdf"]


def prepare(cases: list[dict[str, Any]], ctx: EvalContext) -> None:
    """Skip when the PDFs are not here (the corpus lives in ../shared, not shipped)."""
    missing = sorted({c["pdf"] for c in cases if not _pdf_path(c).is_file()})
    if missing:
        where = shared_root() / "corpus" / "pdf"
        raise SuiteSkipped(
            f"{len(missing)} PDF(s) of the dataset are missing (e.g. {missing[0]}); the corpus "
            f"is read from {where} — put ../shared beside the repository, or run "
            "`brief eval run critic-demo` (bundled papers)"
        )


def _parsed(case: dict[str, Any], ctx: EvalContext) -> Any:
    """The reader's parse of the case's PDF, once per run."""
    from agent.sources.pdf import read_pdf

    key = f"pdf:{case['source']}:{case['pdf']}"
    if key not in ctx.cache:
        ctx.cache[key] = read_pdf(_pdf_path(case), engine=ctx.settings.pdf_engine)
    return ctx.cache[key]


def _claim(case: dict[str, Any], paper: Any) -> Any:
    from evals.suites.grounding import numbers_in
    from store.schemas import Claim

    c = case["claim"]
    return Claim(
        paper_key=paper.key,
        arxiv_id=c.get("arxiv_id", paper.arxiv_id),
        kind="result",
        statement=c["statement"],
        quote=c["quote"],
        page=int(c["page"]),
        numbers=numbers_in(c["statement"]),
        extractor="eval",
    )


def _entailment(ctx: EvalContext) -> Entail | None:
    """The workflow critic's entailment judgement (agent.nodes.critic.entailment) with the
    eval's model, or None without a model."""
    if ctx.model is None:
        return None

    def entail(claims: list[Any]) -> dict[int, str]:
        from agent.context import make_context
        from agent.nodes.critic import entailment

        wf = make_context(ctx.settings, store=None, model=ctx.model, usage=ctx.usage)
        return entailment(wf, claims)

    return entail


def run_case(case: dict[str, Any], ctx: EvalContext) -> CaseResult:
    parsed = _parsed(case, ctx)
    claim = _claim(case, parsed.paper)
    verdict = judge([claim], parsed.pages, parsed.paper, entail=_entailment(ctx))
    judged = verdict.asked  # the checks passed it and a model judged it
    reasons = verdict.rejected[0].reasons if verdict.rejected else []
    cls = case["corruption"]
    info: dict[str, Any] = {
        "paper_has_id": parsed.paper.arxiv_id is not None,
        "class": cls,
        "variant": case.get("variant", ""),
        "stage": ("entailment" if judged else "checks") if reasons else "",
    }
    if case.get("change"):
        info["change"] = case["change"]
    rejected = bool(reasons)
    measured = rejected or cls not in ENTAILMENT or judged
    metrics: dict[str, Value] = {
        "rejected": float(rejected) if measured else None,
        "rejected_by_checks": float(info["stage"] == "checks"),
    }
    flags: list[Flag] = []
    text = claim.statement[:160]
    if case["expected"] == "accept":
        passed = not rejected
        if rejected:
            flags.append(Flag("false_alarm", text, "; ".join(reasons)))
    elif not measured:
        passed = False
        flags.append(
            Flag(
                "not_measured",
                text,
                f"{cls}: the deterministic checks pass it; needs a model judge",
            )
        )
    else:
        passed = rejected
        if not rejected:
            flags.append(
                Flag("missed", text, f"{cls} corruption ({case.get('change', '')}) was accepted")
            )
    return CaseResult(str(case["id"]), passed, metrics, flags, info)


def aggregate(cases: list[CaseResult], ctx: EvalContext) -> dict[str, Value]:
    by_class: dict[str, list[CaseResult]] = {}
    for case in cases:
        by_class.setdefault(case.info["class"], []).append(case)

    def caught(pool: list[CaseResult]) -> Value:
        values = [c.metrics["rejected"] == 1.0 for c in pool if c.metrics["rejected"] is not None]
        return rate(values) if len(values) == len(pool) else None

    out: dict[str, Value] = {
        "true_claims": float(len(by_class.get("none", []))),
        "corrupted_claims": float(sum(len(v) for k, v in by_class.items() if k != "none")),
        "false_alarm_rate": caught(by_class.get("none", [])),
        "catch_deterministic": caught([c for k in DETERMINISTIC for c in by_class.get(k, [])]),
    }
    for cls in DETERMINISTIC + ENTAILMENT:
        pool = by_class.get(cls, [])
        out[f"catch_{cls}"] = caught(pool) if pool else None
    for cls in DETERMINISTIC:  # per variant, where a class has several
        variants = sorted({c.info["variant"] for c in by_class.get(cls, [])})
        if len(variants) > 1:
            for variant in variants:
                pool = [c for c in by_class[cls] if c.info["variant"] == variant]
                out[f"catch_{cls}:{variant}"] = caught(pool)
    no_id = [c for c in by_class.get("arxiv_id", []) if not c.info.get("paper_has_id", True)]
    if no_id:
        ctx.note(
            f"arxiv_id: {len(no_id)} case(s) are on papers where the reader found no arXiv id; "
            f"caught {sum(c.metrics['rejected'] == 1.0 for c in no_id)} of them"
        )
    for cls in ENTAILMENT:
        pool = by_class.get(cls, [])
        out[f"deterministic_catch_{cls}"] = (
            rate([c.metrics["rejected_by_checks"] == 1.0 for c in pool]) if pool else None
        )
        if pool and out[f"catch_{cls}"] is None:
            ctx.note(
                f"catch_{cls}: not measured — an entailment class needs a model judge "
                "(run with --model SPEC); the checks alone catch "
                f"{out[f'deterministic_catch_{cls}']} of it"
            )
    return out


def _suite(name: str, dataset: str, needs: str, description: str) -> Suite:
    return Suite(
        name=name,
        description=description,
        dataset=dataset,
        required=(
            "source",
            "pdf",
            "corruption",
            "expected",
            "claim.statement",
            "claim.quote",
            "claim.page",
        ),
        run_case=run_case,
        aggregate=aggregate,
        prepare=prepare,
        needs=needs,
        thresholds=(
            Threshold("catch_deterministic", ">=", 0.95),
            Threshold("false_alarm_rate", "<=", 0.05),
            Threshold("catch_negation", ">=", 0.8),
            Threshold("catch_institution", ">=", 0.8),
        ),
    )


SUITES = {
    "critic-adversarial": _suite(
        "critic-adversarial",
        "critic_adversarial.jsonl",
        "../shared corpus",
        "The critic on true and corrupted claims from the 18 corpus papers.",
    ),
    "critic-demo": _suite(
        "critic-demo",
        "critic_adversarial_demo.jsonl",
        "nothing (bundled demo papers)",
        "The critic on true and corrupted claims from the 3 bundled demo papers.",
    ),
}
