"""Chinese questions over English papers, without a model: a Chinese frame, prose quoted with
the page that prints it, not-found in Chinese, and follow-ups kept on the paper under
discussion. Real reader, real store (the bundled demo papers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_chat_support import copy_home, ingest
from typer.testing import CliRunner

from agent.chat.evidence import open_view
from agent.chat.extractive import HEADER
from agent.chat.graph import open_checkpointer
from agent.chat.language import FRAME, language_of
from agent.chat.retrieval import is_follow_up, paper_in_focus
from agent.chat.sentinel import NOT_FOUND_ZH, is_not_found
from agent.chat.session import ChatSession
from agent.chat.text import collapse, is_prose, strip_heading
from agent.cli.app import app
from agent.settings import load_settings

DKV = "2505.15781"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, demo_pdfs: list[Path]) -> Path:
    home = tmp_path_factory.mktemp("zh-template")
    ingest(home, demo_pdfs)
    return home


@pytest.fixture
def home(brief_home: Path, template: Path) -> Path:
    copy_home(template, brief_home)
    return brief_home


def ask_json(question: str) -> dict:
    result = CliRunner().invoke(app, ["ask", question, "--json", "--model", "none"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "line",
    [
        "2 Table 1: DistilBERT retains 97% of BERT performance.",
        "Figure 3: Throughput of the three systems on the ShareGPT trace.",
        "Model IMDb SQuAD BERT-base 93.46 81.2/88.5 DistilBERT 92.82 77.7/85.8.",
        "Victor SANH, Lysandre DEBUT, Julien CHAUMOND, Thomas WOLF Hugging Face {victor}@hf.co.",
        "Published as a conference paper at ICLR 2024 and available as a preprint online.",
        "taking h as the input, P k i+k+1 = OutHead(h k i) ∈ R V for each i.",
        "and therefore the cache is reused across steps",
    ],
)
def test_captions_tables_heads_formulas_and_fragments_are_not_quoted(line: str) -> None:
    assert not is_prose(strip_heading(line))


def test_prose_is_quoted_and_a_glued_heading_is_dropped() -> None:
    sentence = "6 Conclusion and future work We introduced DistilBERT, a smaller BERT."
    assert strip_heading(sentence) == "We introduced DistilBERT, a smaller BERT."
    assert is_prose("On SQuAD, DistilBERT is within 3.5 points of the full BERT.")


def test_a_chinese_question_gets_a_chinese_frame_and_exact_pages(home: Path) -> None:
    question = "dKV-Cache 如何降低扩散语言模型的推理延迟？"
    data = ask_json(question)
    assert data["found"] and data["citations"]
    assert data["answer"].startswith(FRAME["zh"]["header"])
    assert HEADER not in data["answer"]
    view = open_view(load_settings(home=home))
    for c in data["citations"]:
        page = collapse(view.page_text(c["arxiv_id"], c["page"]))
        assert c["quote"] in page, (c["page"], c["quote"])  # the exact page prints it
        assert is_prose(c["quote"])
    assert data["citations"][0]["arxiv_id"] == DKV


def test_the_human_readable_answer_is_chinese_throughout(home: Path) -> None:
    result = CliRunner().invoke(app, ["ask", "扩散大模型的投机解码能加速多少？", "--model", "none"])
    assert result.exit_code == 0, result.output
    assert FRAME["zh"]["header"] in result.stdout and "来源：" in result.stdout
    assert "Sources:" not in result.stdout and "(sentence" not in result.stdout


def test_a_model_the_store_lacks_is_not_found_in_chinese(home: Path) -> None:
    data = ask_json("QLoRA 是如何在微调时减少显存的？")
    assert data["answer"] == NOT_FOUND_ZH and not data["found"] and not data["citations"]
    assert is_not_found(data["answer"])
    english = ask_json("What is the capital of France?")
    assert language_of(english["answer"]) == "en" and not english["found"]


def test_follow_ups_are_recognised_in_both_languages() -> None:
    for question in (
        "它的加速比是多少？",
        "这篇论文在哪些数据集上评测？",
        "What about its memory?",
    ):
        assert is_follow_up(question), question
    assert not is_follow_up("扩散语言模型的键值缓存怎么做？")


@pytest.mark.parametrize("focus", [True, False], ids=["focus", "no-focus"])
def test_a_follow_up_stays_on_the_paper_under_discussion(
    home: Path, focus: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first question names no paper; the follow-ups say 它 / 这篇. Without the focus on
    the cited paper (the control) the follow-ups drift to the other diffusion papers."""
    import agent.chat.retrieval

    if not focus:
        monkeypatch.setattr(agent.chat.retrieval, "paper_in_focus", lambda q, h: None)
    settings = load_settings(home=home, model="none")
    view = open_view(settings)
    cited: list[set[str]] = []
    with open_checkpointer(settings) as saver:
        session = ChatSession(settings, view, saver, thread="zh", model=None)
        first = session.ask("扩散语言模型是双向注意力，这种情况下还能缓存键值吗？")
        assert first.citations and first.citations[0].arxiv_id == DKV
        if focus:
            assert paper_in_focus("它的加速比是多少？", session.messages()) == DKV
        for follow_up in ("它的加速比是多少？", "这篇论文在哪些基准上做了评测？"):
            answer = session.ask(follow_up)
            assert answer.found and answer.text.startswith(FRAME["zh"]["header"]), answer.text
            cited.append({c.arxiv_id for c in answer.citations})
    if focus:
        assert cited == [{DKV}, {DKV}], cited
    else:
        assert cited != [{DKV}, {DKV}], "the control should drift"
