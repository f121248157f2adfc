"""Issue 15: quotes and abstracts keep their URLs (a URL cut at a line end is rejoined; a
paper's code link is shown verbatim, never linked); `brief eval lint` raises no false error
on what brief writes (digits of a title such as "8-bit", of a sha256 key, citations of a
paper without an arXiv id) and runs in linear time on hostile lines; the critic's number
check covers numbers inside names (InfLLM-V2 -> InfLLM-V3.74)."""

from __future__ import annotations

import threading
from typing import Any

from agent.grounding.check import check_claim
from agent.grounding.numbers import extract_numbers, name_tokens, ungrounded_names
from agent.safety import clean_text, unsafe_spans
from agent.sources.textclean import join_lines
from evals.lint import LintCase, lint_text
from store.schemas import Claim, Paper

TITLE = "LLM.int8(): 8-bit Matrix Multiplication for Transformers at Scale"
QUOTE = "we develop a procedure for Int8 matrix multiplication"
BRIEF = f"""# 周报

华盛顿大学发布了《{TITLE}》，使用「{QUOTE}」 [arXiv:2208.07339 p. 1]。

| 2022/11/10 | 量化 | [{TITLE}](https://arxiv.org/abs/2208.07339) | UW | 见上 |

- DeepSeek-V3 Technical Report（`sha256:1392807ef6297dee`） — 「We introduce DeepSeek-V3」 [sha256:1392807ef6297dee p. 4]
"""


def side() -> dict[str, Any]:
    claim = {"claim_id": "2208.07339v2#a", "arxiv_id": "2208.07339", "page": 1, "quote": QUOTE}
    other = {"claim_id": "sha256:1392807ef6297dee#b", "arxiv_id": None, "page": 4,
             "quote": "We introduce DeepSeek-V3"}  # fmt: skip
    lines = BRIEF.splitlines()
    return {
        "sentences": [
            {"line": 3, "text": lines[2], "claims": [claim]},
            {"line": 5, "text": lines[4], "claims": [claim]},
            {"line": 7, "text": lines[6], "claims": [other]},
        ],
        "papers": [
            {"paper": "2208.07339v2", "arxiv_id": "2208.07339", "title": TITLE},
            {
                "paper": "sha256:1392807ef6297dee",
                "arxiv_id": None,
                "title": "DeepSeek-V3 Technical Report",
            },  # fmt: skip
        ],
    }


def test_titles_keys_and_keyed_citations_are_not_false_errors() -> None:
    case = lint_text(BRIEF, "ours", sidecar=side())
    assert [(f.line, f.kind, f.reason) for f in case.flags if f.severity == "error"] == []
    # a real claim with a wrong number on the same line is still caught
    bad = BRIEF.replace("见上", "提速 9 倍")
    data = side()
    data["sentences"][1]["text"] = bad.splitlines()[4]
    caught = lint_text(bad, "bad", sidecar=data)
    assert any(f.kind == "number" and "9" in f.reason for f in caught.flags)


def test_store_keys_and_hashes_hold_no_numbers() -> None:
    assert extract_numbers("see sha256:1392807ef6297dee and 40da3ce2d38eb3baa8b638cab093bd04") == []
    assert [n.raw for n in extract_numbers("8-bit weights, 3 runs")] == ["8", "3"]


def test_urls_cut_at_a_line_end_are_rejoined() -> None:
    lines = ["The code is at https://github.com/AshenWELI/", "Discrete-Diffusion. We show"]
    assert (
        join_lines(lines)
        == "The code is at https://github.com/AshenWELI/Discrete-Diffusion. We show"
    )
    assert join_lines(["Codes: https:", "//ml-gsai.github.io/LLaDA-demo/."]) == (
        "Codes: https://ml-gsai.github.io/LLaDA-demo/."
    )
    assert (
        join_lines(["see https://example.org/x.", "We then"])
        == "see https://example.org/x. We then"
    )


def test_code_links_stay_verbatim_but_never_become_links() -> None:
    text = "The code is available at https://github.com/a/b-c. Tracking: https://evil.example/p"
    shown = clean_text(text)
    assert "`https://github.com/a/b-c`." in shown and "evil.example/" not in shown
    assert clean_text(shown) == shown and unsafe_spans(shown) == []
    assert unsafe_spans("at https://github.com/a/b") != []  # bare, it would be linked


def lint_within(text: str, seconds: float) -> LintCase | None:
    """The lint of `text`, or None when it has not finished after `seconds` (a hang guard:
    the quadratic regexes took minutes on these inputs, linear ones take about a second)."""
    out: list[LintCase] = []
    worker = threading.Thread(target=lambda: out.append(lint_text(text)), daemon=True)
    worker.start()
    worker.join(seconds)
    return out[0] if out else None


def test_the_lint_is_linear_on_hostile_lines() -> None:
    spaces = "# T\n\n" + " " * 30_000 + "x\n"
    nested = "# T\n\n" + "".join("  " * (i % 40) + "- a [b](\n" for i in range(60_000))
    unclosed = "# T\n\n" + "[a](" * 100_000 + "\n" + "1" * 30_000 + " 天前\n"
    for text in (spaces, nested, unclosed):
        assert lint_within(text, 60) is not None


def test_names_with_digits_must_be_in_the_quote() -> None:
    quote = "InfLLM-V2 is 4.95x faster than dense attention on LLaMA 3.1 (see arXiv:2509.24663)."
    assert ungrounded_names("InfLLM-V3.74 is 4.95x faster than dense attention", quote) == [
        "InfLLM-V3.74"
    ]
    assert ungrounded_names("InfLLM-V2 beats Llama-3.1 and llama_3.1", quote) == []
    assert name_tokens("Qwen2.5-7B-Instruct, V2, GPT-4 and https://x.org/v3") == [
        "Qwen2.5-7B-Instruct",
        "V2",
        "GPT-4",
    ]
    paper = Paper(arxiv_id="2509.24663", sha256="a" * 64, title="InfLLM-V2: Sparse attention")
    claim = Claim(paper_key="2509.24663", kind="result", quote=quote, page=1,
                  statement="InfLLM-V3.74 is 4.95x faster than dense attention.")  # fmt: skip
    reasons = check_claim(claim, [quote], paper)
    assert reasons == ["name InfLLM-V3.74 in the statement is not in the quote"]
    fine = claim.model_copy(update={"statement": "InfLLM-V2 is 4.95x faster than dense attention."})
    assert check_claim(fine, [quote], paper) == []
