"""seed-briefs: our one-liner step on the 13 papers of seed 004, scored like the seed's format.

Each case gives a paper's title, institutions and abstract (as the seed received them). The
step under test is the workflow's: claims picked from the abstract (agent.extractive), the
critic's deterministic checks on them, the writer's refusal rule (`missing_fields`), the
writer's draft (extractive, or the configured model) and the sentence template. Scores:

- pattern: the sentence is "<机构>发布了<论文>，使用<方法>，解决了<问题>，达成了<效果>";
- institution: one of the paper's institutions is named before 发布了;
- number grounding: every number outside title and institution occurs in the abstract;
- result stated (evals.metrics.has_result after 达成了) and no placeholder text;
- judge faithfulness (only with a model): the sentence against the quotes it rests on.

Defective inputs (no title, no institution, no abstract) must be refused or flagged: such a
case never passes, and `defects_reported` is the share of them the step did not write
silently. The seed's own sentences are scored too (`reference_*`), for comparison.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from evals.runner import CaseResult, EvalContext, Flag, Suite, Threshold, Value, mean, rate
from evals.suites.grounding import grounding_source, ungrounded_numbers
from store.schemas import Claim, Paper, short_hash

PATTERN = "<机构>发布了<论文>，使用<方法>，解决了<问题>，达成了<效果>"
STRICT_RE = re.compile(
    r"(?P<institution>.+?)发布了(?P<paper>.+?)，使用(?P<method>.+?)，解决了(?P<problem>.+?)，"
    r"达成了(?P<result>.+?)[。]?",
    re.DOTALL,
)


def pattern_ok(sentence: str) -> bool:
    """The sentence follows the seed's one-liner pattern, with every slot non-empty."""
    return STRICT_RE.fullmatch(sentence.strip()) is not None


def institution_named(sentence: str, institutions: list[str]) -> bool:
    """One of the institutions (as printed) is named before 发布了."""
    head = sentence.split("发布了", 1)[0].lower()
    return any(len(name) >= 3 and name.lower() in head for name in institutions)


def body_of(sentence: str, title: str, institutions: list[str]) -> str:
    """The sentence without the title and institution names (their numbers are not claims)."""
    for text in [title, *institutions]:
        if text:
            sentence = sentence.replace(text, " ")
    return sentence


@dataclass
class OneLinerOutcome:
    """What the one-liner step did with one paper."""

    sentence: str = ""
    refused: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    mode: str = "extractive"
    claims_rejected: int = 0


def _claims(paper: Paper, pages: list[str], abstract: str) -> tuple[list[Claim], int]:
    """Extractive claims from the abstract that pass the workflow critic's policy
    (agent.grounding.critic.judge: an extractive claim gets the deterministic checks)."""
    from agent.extractive import extract_claims
    from agent.grounding.critic import judge

    claims = [Claim.from_draft(d, paper) for d in extract_claims(pages, abstract)]
    verdict = judge(claims, pages, paper, lang="zh")
    return verdict.passed, len(verdict.rejected)


def write_one_liner(inputs: dict[str, Any], ctx: EvalContext) -> OneLinerOutcome:
    """The seam to the workflow's one-liner step (agent.nodes.writer + agent.render)."""
    from agent.context import make_context
    from agent.nodes.writer import extractive_draft, missing_fields, model_draft
    from agent.render import entry, environment

    title, abstract = inputs.get("title") or "", (inputs.get("abstract") or "").strip()
    institutions = list(inputs.get("institutions") or [])
    paper = Paper(
        sha256=short_hash(title, abstract, n=64),
        title=title,
        abstract=abstract,
        affiliations=institutions,
        source="seed",
    )
    pages = [f"Abstract\n{abstract}"] if abstract else []
    claims, rejected = _claims(paper, pages, abstract)
    meta = {"institutions": institutions, "author_count": inputs.get("author_count", 0)}
    refused = missing_fields(paper, meta, abstract, claims)
    if refused:
        return OneLinerOutcome(refused=refused, claims_rejected=rejected)
    if ctx.model is None:
        draft, mode = extractive_draft(claims, "zh", title), "extractive"
    else:
        wf = make_context(ctx.settings, store=None, model=ctx.model, usage=ctx.usage)
        draft, mode = model_draft(wf, claims, "zh", [], None), "model"
    result = {
        "key": paper.key,
        "paper": paper.model_dump(mode="json"),
        "draft": draft,
        "meta": meta,
        "claims": [c.model_dump(mode="json") for c in claims],
    }
    sentence = entry(result, "zh", {}, environment())["sentence"]
    cited = set(draft.get("claim_ids", []))
    quotes = [c.quote for c in claims if c.claim_id in cited] or [c.quote for c in claims]
    return OneLinerOutcome(sentence, [], quotes, mode, rejected)


def score_sentence(sentence: str, inputs: dict[str, Any]) -> tuple[dict[str, Value], list[Flag]]:
    """Pattern, institution and number-grounding scores of one sentence, with flags."""
    institutions = list(inputs.get("institutions") or [])
    flags: list[Flag] = []
    pattern = pattern_ok(sentence)
    if not pattern:
        flags.append(Flag("pattern", sentence[:120], f"does not follow {PATTERN}"))
    named = institution_named(sentence, institutions)
    if not named:
        flags.append(
            Flag(
                "institution",
                sentence.split("发布了", 1)[0][:80],
                "no institution of the paper is named before 发布了",
            )
        )
    loose = ungrounded_numbers(
        body_of(sentence, inputs.get("title") or "", institutions), inputs.get("abstract") or ""
    )
    for number in loose:
        flags.append(Flag("ungrounded_number", number, "this number is not in the abstract"))
    from evals.metrics import has_result, placeholders

    for flag in placeholders(sentence).flags:
        flags.append(Flag("placeholder", flag.text, flag.reason))
    result_stated = has_result(sentence.split("，达成了", 1)[-1]) and "，达成了" in sentence
    metrics: dict[str, Value] = {
        "has_result": float(result_stated),
        "pattern": float(pattern),
        "institution": float(named),
        "numbers_grounded": float(not loose),
        "ungrounded_numbers": float(len(loose)),
    }
    return metrics, flags


def run_case(case: dict[str, Any], ctx: EvalContext) -> CaseResult:
    inputs, expected = case["inputs"], case.get("expected") or {}
    defects = list(expected.get("defects") or [])
    outcome = write_one_liner(inputs, ctx)
    info: dict[str, Any] = {"output": outcome.sentence, "mode": outcome.mode}
    if defects:
        info["defects"] = defects
    metrics: dict[str, Value] = {}
    flags: list[Flag] = []
    reference = expected.get("one_liner") or ""
    if reference:
        ref_metrics, _ = score_sentence(reference, inputs)
        metrics["reference_pattern"] = ref_metrics["pattern"]
        metrics["reference_numbers_grounded"] = ref_metrics["numbers_grounded"]
    if outcome.refused:
        metrics["refused"] = 1.0
        kind = "input_defect" if defects else "refused"
        flags.append(Flag(kind, "", "not written: " + "; ".join(outcome.refused)))
        return CaseResult(str(case["id"]), False, metrics, flags, info)
    metrics["refused"] = 0.0
    scores, flags = score_sentence(outcome.sentence, inputs)
    metrics.update(scores)
    if ctx.model is not None and outcome.mode == "model":
        from evals.judges import faithfulness

        judged = faithfulness(
            ctx.model, outcome.sentence, outcome.quotes, repeats=ctx.repeats, usage=ctx.usage
        )
        metrics["judge_faithfulness"] = judged.score
        info["judge"] = judged.to_json()
        if judged.score < 0.5:
            flags.append(
                Flag(
                    "judge",
                    outcome.sentence[:120],
                    f"judge {judged.judge}: {'; '.join(judged.reasons) or 'unfaithful'}",
                )
            )
    if defects:
        flags.insert(
            0, Flag("input_defect", "", "written despite a defective input: " + ", ".join(defects))
        )
    passed = not flags
    return CaseResult(str(case["id"]), passed, metrics, flags, info)


def aggregate(cases: list[CaseResult], ctx: EvalContext) -> dict[str, Value]:
    ctx.note(f"number grounding via {grounding_source()}")
    ctx.note(
        "claims are picked from the abstract extractively; the writer uses the model "
        "when one is configured"
    )
    defective = [c for c in cases if c.info.get("defects")]
    clean = [c for c in cases if not c.info.get("defects")]
    written = [c for c in clean if c.metrics.get("refused") == 0.0]

    def share(name: str, pool: list[CaseResult]) -> Value:
        return rate([c.metrics[name] == 1.0 for c in pool if c.metrics.get(name) is not None])

    judged = [float(v) for c in written if (v := c.metrics.get("judge_faithfulness")) is not None]
    if ctx.model is None:
        ctx.note("judge_faithfulness: not measured (no model; run with --model SPEC)")
    return {
        "cases": float(len(cases)),
        "written": float(len(written)),
        "pattern_compliance": share("pattern", written),
        "institution_present": share("institution", written),
        "number_grounding": share("numbers_grounded", written),
        "result_stated": share("has_result", written),
        "judge_faithfulness": mean(judged),
        "defects_reported": rate(
            [
                c.metrics.get("refused") == 1.0 or any(f.kind == "input_defect" for f in c.flags)
                for c in defective
            ]
        ),
        "false_refusals": rate([c.metrics.get("refused") == 1.0 for c in clean]),
        "reference_pattern_compliance": share("reference_pattern", cases),
        "reference_number_grounding": share("reference_numbers_grounded", cases),
    }


SUITE = Suite(
    name="seed-briefs",
    description="One-liners for the 13 papers of seed 004: pattern, institution, numbers.",
    dataset="seed_briefs.yaml",
    required=("inputs.title", "inputs.institutions", "inputs.abstract"),
    run_case=run_case,
    aggregate=aggregate,
    thresholds=(
        Threshold("pattern_compliance", ">=", 0.9),
        Threshold("institution_present", ">=", 0.9),
        Threshold("number_grounding", ">=", 1.0),
        Threshold("defects_reported", ">=", 1.0),
        Threshold("false_refusals", "<=", 0.1),
        Threshold("judge_faithfulness", ">=", 0.8),
    ),
)

SUITES = {SUITE.name: SUITE}
