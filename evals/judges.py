"""Model-judged metrics: faithfulness of a Chinese sentence to the English quotes it rests on.

A judge is the configured chat model asked through `structured_call` (re-asks, budgets and
usage apply). Judgements are noisy, so each is asked `repeats` times and averaged; the
result records the judge model's name and every individual score. With no model there is
no judge: callers report the metric as not measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field


class FaithfulnessVerdict(BaseModel):
    """Whether a Chinese sentence says only what its English quotes say."""

    score: float = Field(
        ge=0.0,
        le=1.0,
        description="1.0 if every fact in the sentence is in the quotes, 0.0 if any is "
        "contradicted or invented, in between when part is unsupported",
    )
    reason: str = Field(default="", description="the unsupported or contradicted part, if any")


@dataclass
class JudgeResult:
    """The mean of `repeats` judgements, with the judge's name and each score."""

    judge: str
    score: float
    scores: list[float] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "judge": self.judge,
            "score": self.score,
            "scores": self.scores,
            "reasons": self.reasons,
        }


def judge_name(model: Any) -> str:
    """The judge model's name as recorded in reports ('llamacpp:x.gguf', 'gpt-4o-mini', ...)."""
    from agent.llm.structured import model_label

    return model_label(model)


def faithfulness(
    model: Any, sentence: str, quotes: list[str], *, repeats: int = 3, usage: Any = None
) -> JudgeResult:
    """Ask the judge `repeats` times whether `sentence` is faithful to `quotes`; average."""
    from langchain_core.messages import HumanMessage

    from agent.llm.structured import structured_call
    from agent.llm.usage import UsageTracker
    from agent.prompting import render

    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    usage = usage if usage is not None else UsageTracker()
    prompt = render("eval.faithfulness.md", sentence=sentence, quotes=quotes)
    scores: list[float] = []
    reasons: list[str] = []
    for _ in range(repeats):
        verdict = structured_call(
            model, FaithfulnessVerdict, [HumanMessage(prompt)], agent="judge", usage=usage
        )
        scores.append(float(verdict.score))
        if verdict.reason:
            reasons.append(verdict.reason)
    mean = round(sum(scores) / len(scores), 4)
    return JudgeResult(judge_name(model), mean, scores, reasons)
