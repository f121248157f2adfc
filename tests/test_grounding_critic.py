"""The critic's one policy (agent.grounding.critic.judge), shared by the critic node and the
critic eval suites: checks first, phrase checks only for a model's claims, then the
entailment judgement (a scripted stand-in for the model here) on the survivors only."""

from __future__ import annotations

from typing import Any

import pytest

from agent.grounding.critic import judge
from agent.nodes.schemas import ClaimDraft
from store.schemas import Claim, Paper

PAGES = [
    "DPad: Efficient Diffusion Language Models with Suffix Dropout. Abstract.",
    "Comprehensive evaluations across multiple benchmarks on LLaDA-1.5 and Dream models "
    "demonstrate that DPad delivers up to 61.4× speedup over vanilla dLLMs while maintaining "
    "comparable accuracy.",
]
PAPER = Paper(arxiv_id="2508.14148", arxiv_version="v2", sha256="0" * 64, title="DPad")
QUOTE = (
    "DPad delivers up to 61.4× speedup over vanilla dLLMs while maintaining comparable accuracy."
)


def draft(**kw: object) -> ClaimDraft:
    base: dict[str, object] = {
        "kind": "result",
        "statement": "DPad is up to 61.4x faster than vanilla dLLMs at comparable accuracy.",
        "statement_zh": "DPad 比原始 dLLM 最高快 61.4 倍，精度相当。",
        "quote": QUOTE,
        "page": 2,
        "numbers": ["61.4×"],
    }
    base.update(kw)
    return ClaimDraft(**base)  # type: ignore[arg-type]


def test_from_draft_keys_the_claim_to_the_paper_and_extractor() -> None:
    claim = Claim.from_draft(draft(), PAPER, "qwen")
    assert (claim.paper_key, claim.arxiv_id, claim.extractor) == (
        "2508.14148v2",
        "2508.14148",
        "qwen",
    )
    assert (claim.quote, claim.page, claim.numbers, claim.status) == (
        QUOTE,
        2,
        ["61.4×"],
        "pending",
    )
    assert Claim.from_draft(draft(), PAPER).extractor == "extractive"
    assert claim.claim_id != Claim.from_draft(draft(), PAPER).claim_id


def test_checks_then_entailment_on_the_survivors_only() -> None:
    good = Claim.from_draft(draft(), PAPER)
    wrong_number = Claim.from_draft(draft(statement="DPad is up to 62x faster."), PAPER)
    negated = Claim.from_draft(draft(statement="DPad is slower than vanilla dLLMs."), PAPER)
    asked: list[list[str]] = []

    def entail(claims: list[Claim]) -> dict[int, str]:  # scripted judge: rejects 'slower'
        asked.append([c.statement for c in claims])
        return {
            i: "not entailed: says slower" for i, c in enumerate(claims) if "slower" in c.statement
        }

    verdict = judge([good, wrong_number, negated], PAGES, PAPER, entail=entail)
    assert asked == [[good.statement, negated.statement]]  # one call, checked claims only
    assert verdict.asked
    assert [c.statement for c in verdict.passed] == [good.statement]
    assert {c.status for c in verdict.passed} == {"verified"}
    by_statement = {c.statement: c.reasons for c in verdict.rejected}
    assert by_statement[negated.statement] == ["not entailed: says slower"]
    assert by_statement[wrong_number.statement] == [
        "number 62x in the statement is not in the quote"
    ]
    assert {c.status for c in verdict.rejected} == {"rejected"}


def test_no_entailment_call_when_nothing_passes_the_checks() -> None:
    bad = Claim.from_draft(draft(page=1, statement="DPad is 99x faster."), PAPER)

    def entail(claims: list[Claim]) -> dict[int, str]:
        raise AssertionError("the judge must not be asked about claims the checks rejected")

    verdict = judge([bad], PAGES, PAPER, entail=entail)
    assert not verdict.asked and not verdict.passed and len(verdict.rejected) == 1


def test_phrase_checks_only_for_model_claims() -> None:
    # an English sentence copied into the Chinese slot: fine for an extractive claim (its
    # phrase is not the model's), rejected for a model's claim
    copied = Claim.from_draft(draft(statement_zh="DPad delivers up to 61.4x speedup."), PAPER)
    assert judge([copied], PAGES, PAPER, lang="zh").passed
    verdict = judge([copied], PAGES, PAPER, lang="zh", model_claims=True)
    assert not verdict.passed
    assert any("not written in Chinese" in r for r in verdict.rejected[0].reasons)


def test_a_failing_judge_is_the_callers_to_handle() -> None:
    def entail(claims: list[Claim]) -> dict[int, str]:
        raise TimeoutError("model server timed out")

    with pytest.raises(TimeoutError):
        judge([Claim.from_draft(draft(), PAPER)], PAGES, PAPER, entail=entail)


def test_a_failing_judge_in_a_run_fails_only_its_paper() -> None:
    """The critic node hands the model's entailment call to `judge`; when that call keeps
    failing, the paper is listed as failed at the critic stage and the others are briefed."""
    from test_graph_fakes import FakeJudge, agent_of, fake_model, prompt_text

    from agent.runs import run_brief
    from agent.settings import load_settings

    dpad = "2508.14148"

    class BrokenCritic(FakeJudge):
        def __call__(self, messages: list[Any]) -> str:
            text = prompt_text(messages)
            if agent_of(text) == "critic" and "DPad" in text:
                return "the verdicts are lost"  # never valid JSON, on every re-ask
            return super().__call__(messages)

    result = run_brief(
        load_settings(model_concurrency=2),
        topic="efficient-ai",
        window="2026-11-16..2026-11-23",
        demo=True,
        chat_model=fake_model(BrokenCritic()),
    )
    assert result["papers"] == 2
    failed = [f for f in result["failures"] if f["item"].startswith(dpad)]
    assert [f["stage"] for f in failed] == ["critic"], result["failures"]


def test_lean_salvage_keeps_the_sentence_and_drops_only_the_phrase() -> None:
    """Lean mode: the program picked the sentence, the model's phrase failed the checks; the
    claim is kept without the phrase (formats write the program's), a wrong sentence is not."""
    from agent.nodes.critic import salvage

    bad_phrase = Claim.from_draft(draft(statement_zh="DPad delivers up to 61.4x speedup."), PAPER)
    rejected = judge([bad_phrase], PAGES, PAPER, lang="zh", model_claims=True).rejected
    assert rejected
    (kept,) = salvage(rejected, PAGES, PAPER, "zh")
    assert kept.status == "verified" and kept.statement_zh == "" and kept.quote == bad_phrase.quote
    off_page = Claim.from_draft(
        draft(statement_zh="中文短语没有问题", quote="Not in the paper at all."), PAPER
    )
    rejected = judge([off_page], PAGES, PAPER, lang="zh", model_claims=True).rejected
    assert rejected and salvage(rejected, PAGES, PAPER, "zh") == []
