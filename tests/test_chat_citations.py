"""Citation enforcement: only `[arXiv:ID p.N]` that resolve are shown, streamed or not."""

from __future__ import annotations

import pytest

from agent.chat.citations import CitationGate, Ref, answer_sentences, enforce, refs_in
from agent.chat.sentinel import NOT_FOUND, is_not_found
from agent.chat.text import best_quote, split_sentences
from agent.prompting import render

STORED = {("2508.14148", 3), ("2508.14148", 4), ("2509.18085", 1)}


def resolve(paper: str, page: int) -> bool:
    return (paper, page) in STORED


TEXT = (
    "Decoding is 2.5x faster [arXiv:2508.14148 p.3]. A made-up page [arXiv:2508.14148 p.99] "
    "and a made-up paper [arXiv:1111.22222 p.1] vanish. Numbered notes [1] stay. "
    "Two at once [arXiv:2509.18085v2 p. 1; arXiv:2508.14148 pp.4-5] keep the good ones."
)


def test_enforce_keeps_resolvable_and_drops_the_rest() -> None:
    text, gate = enforce(TEXT, resolve)
    assert "[arXiv:2508.14148 p.3]" in text
    assert "p.99" not in text and "1111.22222" not in text
    assert "[1]" in text
    assert "[arXiv:2509.18085 p.1] [arXiv:2508.14148 p.4]" in text
    assert gate.dropped == ["[arXiv:2508.14148 p.99]", "[arXiv:1111.22222 p.1]"]
    assert all(resolve(r.paper, r.page) for r in refs_in(text))


@pytest.mark.parametrize("size", [1, 2, 3, 7, 50])
def test_streamed_in_any_pieces_the_gate_shows_the_same(size: int) -> None:
    gate = CitationGate(resolve)
    shown = "".join(gate.feed(TEXT[i : i + size]) for i in range(0, len(TEXT), size))
    shown += gate.flush()
    whole = CitationGate(resolve)
    assert shown == whole.feed(TEXT) + whole.flush()
    for ref in refs_in(shown):
        assert resolve(ref.paper, ref.page)
    assert "1111.22222" not in shown


def test_an_unclosed_citation_at_the_end_is_never_shown() -> None:
    gate = CitationGate(resolve)
    shown = gate.feed("ends here [arXiv:2508.14148 p.") + gate.flush()
    assert shown == "ends here "
    gate = CitationGate(resolve)
    assert gate.feed("a [plain bracket") + gate.flush() == "a [plain bracket"


def test_sentences_carry_their_citations() -> None:
    text = "First claim [arXiv:2508.14148 p.3]. Second claim. [arXiv:2509.18085 p.1]\n- A bullet e.g. this [arXiv:2508.14148 p.4]"
    sentences = answer_sentences(text)
    assert [refs for _, refs in sentences] == [
        [Ref("2508.14148", 3)],
        [Ref("2509.18085", 1)],
        [Ref("2508.14148", 4)],
    ]


def test_chinese_sentences_split_without_spaces() -> None:
    text = "它缓存键值[arXiv:2508.14148 p.3]。速度提高两倍。[arXiv:2509.18085 p.1]最后一句。"
    assert [refs for _, refs in answer_sentences(text)] == [
        [Ref("2508.14148", 3)],
        [Ref("2509.18085", 1)],
        [],
    ]


def test_best_quote_is_verbatim_from_the_page() -> None:
    page = "Intro text here. We reduce latency by 40% with caching of keys. Other things follow."
    quote = best_quote(page, "latency reduced with key caching")
    assert quote == "We reduce latency by 40% with caching of keys."
    assert quote in page
    assert best_quote(page, "boiling water") == ""
    assert split_sentences("See e.g. Fig. 2 for details. Next one.") == [
        "See e.g. Fig. 2 for details.",
        "Next one.",
    ]


def test_the_sentinel_is_what_the_prompt_asks_for() -> None:
    system = render("chat.system.md", not_found=NOT_FOUND, tools=False, lang="en")
    assert NOT_FOUND in system
    assert is_not_found(NOT_FOUND) and not is_not_found("Something else.")
    user = render(
        "chat.user.md",
        question="q?",
        filters="",
        evidence=[{"cite": "[arXiv:2508.14148 p.3]", "title": "T", "section": "S", "text": "x"}],
    )
    assert "```text" in user and "[arXiv:2508.14148 p.3]" in user
