"""The critic's policy on one paper's claims, in one pure function: the workflow's critic node
and the eval suites that score the critic both call `judge`, so they cannot drift apart.

In order: the deterministic checks (agent.grounding.check: quote on the page, numbers, names,
arXiv id); for a model's claims also the phrase checks (agent.grounding.entail: names the
sentence does not use, language, loops, the instructions' example); then, for the claims that
passed both, an optional entailment judgement passed in as a function (the critic node's model
call), asked once for all of them. The function raises whatever `entail` raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from agent.grounding.check import check_claim
from agent.grounding.entail import phrase_reasons
from store.schemas import Claim, Paper

# index (into the claims it is given) -> reason, for each claim not entailed by its quote
Entail = Callable[[list[Claim]], dict[int, str]]


@dataclass(frozen=True)
class Judgement:
    """What the critic made of a paper's claims: verified ones, rejected ones (each with its
    reasons), and whether the entailment judgement was asked."""

    passed: list[Claim] = field(default_factory=list)
    rejected: list[Claim] = field(default_factory=list)
    asked: bool = False


def judge(
    claims: list[Claim],
    pages: list[str],
    paper: Paper,
    *,
    lang: str = "zh",
    model_claims: bool = False,
    instructions: str = "",
    entail: Entail | None = None,
) -> Judgement:
    """Split `claims` into verified and rejected claims (status and reasons set).

    `model_claims`: the claims were written by a model, so their phrase is checked too
    (`instructions`: the prompt's fixed text, which a small model may copy). `entail`: the
    entailment judgement, asked once for the claims every check passed (none asked when none
    passed)."""
    evidence = f"{paper.title}\n{paper.abstract}".lower()
    passed: list[Claim] = []
    rejected: list[Claim] = []
    for claim in claims:
        reasons = check_claim(claim, pages, paper)
        if model_claims:
            reasons += phrase_reasons(
                claim, f"{claim.quote.lower()}\n{evidence}", lang, instructions
            )
        target = rejected if reasons else passed
        target.append(claim.model_copy(update={"reasons": reasons}))
    asked = False
    if passed and entail is not None:
        asked = True
        judged = entail(passed)
        rejected += [
            c.model_copy(update={"reasons": [judged[i]]})
            for i, c in enumerate(passed)
            if i in judged
        ]
        passed = [c for i, c in enumerate(passed) if i not in judged]
    return Judgement(
        passed=[c.model_copy(update={"status": "verified"}) for c in passed],
        rejected=[c.model_copy(update={"status": "rejected"}) for c in rejected],
        asked=asked,
    )
