"""The critic's deterministic checks on one claim.

`check_claim` returns short English reasons the extractor can act on; an empty list passes:
the statement and quote are non-empty, the quote occurs on the cited page ±1, every number of
the statement (and statement_zh, and the claim's `numbers`) is grounded by the quote, every
name with digits in them (InfLLM-V2, Llama-3.1) is spelled so in the quote or the paper's
title, and the
arXiv id the claim names (or cites in its statement) is the paper's.
"""

from __future__ import annotations

from agent.grounding.arxiv_ids import base_id, extract_citations, is_valid_id
from agent.grounding.numbers import (
    extract_numbers,
    number_grounded,
    parse_number,
    ungrounded_names,
)
from agent.grounding.quotes import find_quote, quote_page
from store.schemas import Claim, Paper


def check_quote(quote: str, page: int, pages: list[str]) -> list[str]:
    """Reasons the quote is not on the cited page ±1 (empty when it is)."""
    if not pages:
        return ["the paper has no page text to check the quote against"]
    if not 1 <= page <= len(pages):
        where = quote_page(quote, pages)
        hint = f" (the quote is on page {where})" if where else ""
        return [f"page {page} is outside the paper (pages 1-{len(pages)}){hint}"]
    if find_quote(quote, pages, page, slack=1) is not None:
        return []
    where = quote_page(quote, pages)
    if where is not None:
        return [f"quote not found on page {page} (found on page {where})"]
    return [f"quote not found in the paper's text (cited page {page}); copy it verbatim"]


def check_numbers(statement: str, quote: str, field: str = "statement") -> list[str]:
    """One reason per number of `statement` that the quote does not ground."""
    evidence = extract_numbers(quote, words=True)
    reasons: list[str] = []
    seen: set[str] = set()
    for num in extract_numbers(statement):
        if num.raw in seen:
            continue
        seen.add(num.raw)
        if not number_grounded(num, evidence):
            reasons.append(f"number {num.raw} in the {field} is not in the quote")
    return reasons


def check_names(statement: str, evidence: list[str], field: str = "statement") -> list[str]:
    """One reason per name with digits in `statement` (InfLLM-V2, Llama-3.1) that the
    evidence (the quote, the paper's title) does not spell the same way."""
    return [
        f"name {name} in the {field} is not in the quote"
        for name in ungrounded_names(statement, evidence)
    ]


def check_ids(claim: Claim, paper: Paper) -> list[str]:
    """Reasons the claim names another paper than `paper`."""
    reasons: list[str] = []
    if claim.arxiv_id:
        if not is_valid_id(claim.arxiv_id):
            reasons.append(f"arXiv id {claim.arxiv_id!r} is not a valid arXiv identifier")
        elif not paper.arxiv_id:
            reasons.append(f"claim names arXiv:{claim.arxiv_id} but the paper has no arXiv id")
        elif base_id(claim.arxiv_id) != base_id(paper.arxiv_id):
            reasons.append(
                f"claim names arXiv:{claim.arxiv_id} but the paper is arXiv:{paper.arxiv_id}"
            )
    if claim.paper_key and not claim.paper_key.startswith(paper.family):
        reasons.append(f"claim belongs to {claim.paper_key}, not to {paper.key}")
    for field, text in (("statement", claim.statement), ("statement_zh", claim.statement_zh)):
        for cite in extract_citations(text):
            if not paper.arxiv_id:
                reasons.append(
                    f"the {field} cites arXiv:{cite.arxiv_id} but the paper has no arXiv id"
                )
            elif base_id(cite.arxiv_id) != base_id(paper.arxiv_id):
                reasons.append(
                    f"the {field} cites arXiv:{cite.arxiv_id} but the paper is arXiv:{paper.arxiv_id}"
                )
    return reasons


def check_claim(claim: Claim, pages: list[str], paper: Paper) -> list[str]:
    """All deterministic reasons to reject `claim` (empty list: it passes)."""
    reasons: list[str] = []
    if not claim.statement.strip():
        reasons.append("statement is empty")
    if not claim.quote.strip():
        reasons.append("quote is empty; give the verbatim sentence from the paper")
    else:
        reasons += check_quote(claim.quote, claim.page, pages)
        reasons += check_numbers(claim.statement, claim.quote, "statement")
        reasons += check_numbers(claim.statement_zh, claim.quote, "statement_zh")
        evidence_text = [claim.quote, paper.title]
        reasons += check_names(claim.statement, evidence_text, "statement")
        reasons += check_names(claim.statement_zh, evidence_text, "statement_zh")
        evidence = extract_numbers(claim.quote, words=True)
        for written in claim.numbers:
            num = parse_number(written)
            if num is not None and not number_grounded(num, evidence):
                reasons.append(f"listed number {written} is not in the quote")
    reasons += check_ids(claim, paper)
    return reasons
