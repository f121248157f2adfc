"""The critic's deterministic checks on a claim, and arXiv id handling."""

from __future__ import annotations

import pytest

from agent.grounding.arxiv_ids import (
    base_id,
    extract_citations,
    is_valid_id,
    parse_id,
    year_month,
)
from agent.grounding.check import check_claim
from store.schemas import Claim, Paper

PAGES = [
    "DPad: Efficient Diffusion Language Models with Suffix Dropout. Abstract.",
    "Comprehensive evaluations across multiple benchmarks on LLaDA-1.5 and Dream models "
    "demonstrate that DPad delivers up to 61.4× speedup over vanilla dLLMs while maintaining "
    "comparable accuracy.",
    "Related work on caching.",
    "Appendix. We use a sliding window of 64 tokens in all experiments.",
]
PAPER = Paper(arxiv_id="2508.14148", arxiv_version="v2", sha256="0" * 64, title="DPad")
QUOTE = (
    "DPad delivers up to 61.4× speedup over vanilla dLLMs while maintaining comparable accuracy."
)


def claim(**kw: object) -> Claim:
    base: dict[str, object] = {
        "paper_key": "2508.14148v2",
        "arxiv_id": "2508.14148",
        "kind": "result",
        "statement": "DPad is up to 61.4x faster than vanilla dLLMs at comparable accuracy.",
        "statement_zh": "DPad 比原始 dLLM 最高快 61.4 倍，精度相当。",
        "quote": QUOTE,
        "page": 2,
    }
    base.update(kw)
    return Claim(**base)  # type: ignore[arg-type]


def test_grounded_claim_passes() -> None:
    assert check_claim(claim(), PAGES, PAPER) == []
    assert check_claim(claim(page=3), PAGES, PAPER) == []  # page ±1


def test_number_not_in_quote() -> None:
    reasons = check_claim(claim(statement="DPad is up to 61.2× faster."), PAGES, PAPER)
    assert reasons == ["number 61.2× in the statement is not in the quote"]
    reasons = check_claim(claim(statement_zh="DPad 最高快 62 倍，延迟降低 30%。"), PAGES, PAPER)
    assert reasons == [
        "number 62 倍 in the statement_zh is not in the quote",
        "number 30% in the statement_zh is not in the quote",
    ]


def test_listed_numbers_are_checked() -> None:
    reasons = check_claim(claim(numbers=["61.4×", "64"]), PAGES, PAPER)
    assert reasons == ["listed number 64 is not in the quote"]


def test_quote_on_another_page() -> None:
    reasons = check_claim(claim(page=4), PAGES, PAPER)
    assert reasons == ["quote not found on page 4 (found on page 2)"]


def test_quote_not_in_paper() -> None:
    reasons = check_claim(
        claim(quote="DPad is the fastest method ever built, 61.4× faster."), PAGES, PAPER
    )
    assert len(reasons) == 1 and reasons[0].startswith("quote not found in the paper's text")


def test_page_outside_the_paper() -> None:
    reasons = check_claim(claim(page=40), PAGES, PAPER)
    assert reasons == ["page 40 is outside the paper (pages 1-4) (the quote is on page 2)"]


def test_empty_fields() -> None:
    reasons = check_claim(claim(statement="  ", statement_zh="", quote=""), PAGES, PAPER)
    assert "statement is empty" in reasons
    assert any(r.startswith("quote is empty") for r in reasons)


def test_wrong_paper() -> None:
    reasons = check_claim(claim(arxiv_id="2508.14149"), PAGES, PAPER)
    assert reasons == ["claim names arXiv:2508.14149 but the paper is arXiv:2508.14148"]
    reasons = check_claim(claim(arxiv_id="2513.14148"), PAGES, PAPER)
    assert reasons == ["arXiv id '2513.14148' is not a valid arXiv identifier"]
    cited = claim(statement="DPad [arXiv:2401.00001 p.2] is up to 61.4× faster.")
    assert check_claim(cited, PAGES, PAPER) == [
        "the statement cites arXiv:2401.00001 but the paper is arXiv:2508.14148"
    ]
    other = claim(paper_key="2401.00001v1")
    assert check_claim(other, PAGES, PAPER) == [
        "claim belongs to 2401.00001v1, not to 2508.14148v2"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2512.10858", ("2512.10858", None, 2025, 12)),
        ("2512.10858v3", ("2512.10858", "v3", 2025, 12)),
        ("arXiv:0704.0001", ("0704.0001", None, 2007, 4)),
        ("https://arxiv.org/abs/2602.12146v1", ("2602.12146", "v1", 2026, 2)),
        ("https://arxiv.org/pdf/2602.12146.pdf", ("2602.12146", None, 2026, 2)),
        ("hep-th/9901001", ("hep-th/9901001", None, 1999, 1)),
        ("math.GT/0309136v2", ("math.GT/0309136", "v2", 2003, 9)),
    ],
)
def test_parse_valid_ids(text: str, expected: tuple[object, ...]) -> None:
    parsed = parse_id(text)
    assert parsed is not None
    assert (parsed.id, parsed.version, parsed.year, parsed.month) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2513.10858",
        "2512.1085",
        "1412.12345",
        "1501.1234",
        "0612.0001",
        "hep-th/9913001",
        "12.345",
        "",
    ],
)
def test_invalid_ids(text: str) -> None:
    assert not is_valid_id(text)


def test_year_month_and_base() -> None:
    assert year_month("2512.10858") == (2025, 12)
    assert year_month("not an id") is None
    assert base_id("arXiv:2512.10858v2") == "2512.10858"


def test_extract_citations_forms() -> None:
    text = (
        "结论 [arXiv:2508.14148 p.7]；另见 [arXiv:2512.10858v2]、"
        "[arXiv:2602.12146](https://arxiv.org/abs/2602.12146) 与 https://arxiv.org/abs/2505.15781，"
        "以及 arXiv:2509.18085。"
    )
    cites = extract_citations(text)
    assert [(c.arxiv_id, c.page, c.form) for c in cites] == [
        ("2508.14148", 7, "bracket"),
        ("2512.10858v2", None, "bracket"),
        ("2602.12146", None, "bracket"),
        ("2505.15781", None, "link"),
        ("2509.18085", None, "bare"),
    ]
    assert text[cites[0].start : cites[0].end] == "[arXiv:2508.14148 p.7]"


def test_altered_number_in_quote_and_statement_is_rejected() -> None:
    altered = claim(
        statement="DPad is up to 64.1x faster than vanilla dLLMs at comparable accuracy.",
        statement_zh="",
        quote=QUOTE.replace("61.4", "64.1"),
    )
    reasons = check_claim(altered, PAGES, PAPER)
    assert reasons and reasons[0].startswith("quote not found in the paper's text")


def test_paper_without_arxiv_id() -> None:
    paper = Paper(sha256="f" * 64, title="A report without an arXiv id")
    base = {"paper_key": paper.key, "arxiv_id": None}
    assert check_claim(claim(**base), PAGES, paper) == []
    assert check_claim(claim(**{**base, "arxiv_id": "2411.74557"}), PAGES, paper) == [
        "claim names arXiv:2411.74557 but the paper has no arXiv id"
    ]
    cited = claim(**base, statement="DPad is 61.4× faster (arXiv:2211.26190).")
    assert check_claim(cited, PAGES, paper) == [
        "the statement cites arXiv:2211.26190 but the paper has no arXiv id"
    ]
