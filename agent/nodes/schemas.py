"""What the language model fills in, kept apart from graph state.

Every model has a docstring and a description on every field: both reach the model through
the JSON schema of the structured call.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Kind = Literal["problem", "method", "result", "limitation", "dataset", "other"]


class ClaimDraft(BaseModel):
    """One claim the paper makes, with the verbatim sentence that supports it."""

    kind: Kind = Field(description="problem, method, result, limitation, dataset or other")
    statement: str = Field(description="the claim in one English sentence, in your words")
    statement_zh: str = Field(description="the same claim in one Chinese sentence")
    quote: str = Field(
        description="verbatim evidence copied character for character from the source text"
    )
    page: int = Field(description="page number (from the [page N] marker) holding the quote")
    numbers: list[str] = Field(
        default_factory=list,
        description="every number in the statement exactly as written in the quote, e.g. 2.8×, 45%",
    )


class PaperClaims(BaseModel):
    """The paper's key claims and who wrote it, read from the source text."""

    claims: list[ClaimDraft] = Field(
        description="3 to 8 claims: at least one problem, one method and one result"
    )
    institutions: list[str] = Field(
        default_factory=list, description="institutions printed on page 1, in order, as printed"
    )
    author_count: int = Field(0, description="number of authors printed on page 1")


class Verdict(BaseModel):
    """Whether one claim's statement follows from its quote."""

    index: int = Field(description="the claim's number in the list you were given")
    entailed: bool = Field(description="true only if the quote alone supports the statement")
    reason: str = Field(default="", description="when not entailed: what the quote does not say")


class Verdicts(BaseModel):
    """The critic's judgement on each claim it was given."""

    verdicts: list[Verdict] = Field(description="one verdict per claim, in the order given")


class OneLiner(BaseModel):
    """The prose of one paper's one-sentence brief; the template adds institution and title."""

    method: str = Field(description="the method, as a short noun phrase (使用…)")
    problem: str = Field(description="the problem it solves, as a short phrase (解决了…)")
    result: str = Field(
        description="the result with its numbers as in the claims (达成了…); "
        "if no claim has a number, say so without inventing one"
    )
    claim_ids: list[str] = Field(description="ids of the claims these phrases rest on")
