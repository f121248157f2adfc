"""A Chinese question with a model (a scripted fake stands in for its judgement only): one
structured call gives English search terms (cached per question), the answer is a Chinese
synthesis cited [arXiv:ID p.N], and a sentence with a number no passage prints is dropped.
Real reader and store (the demo papers)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_chat_support import copy_home, ingest

from agent.chat.answer import answer_question
from agent.chat.evidence import StoreView, open_view
from agent.chat.language import FRAME
from agent.chat.sentinel import NOT_FOUND, NOT_FOUND_ZH
from agent.chat.translate import CACHE_FILE, search_terms
from agent.llm.scripted import ScriptedChatModel
from agent.settings import load_settings

DKV = "2505.15781"
# names no glossary term: only the model's English terms can find the paper
QUESTION = "扩散模型每一步都要重算的那些东西，能不能存下来复用？"
TERMS = {
    "english": "Can what diffusion models recompute at every step be cached and reused?",
    "terms": ["KV cache", "diffusion language models", "cache reuse"],
}
SEARCHED = [TERMS["english"], *TERMS["terms"]]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, demo_pdfs: list[Path]) -> Path:
    home = tmp_path_factory.mktemp("zh-model-template")
    ingest(home, demo_pdfs)
    return home


@pytest.fixture
def settings(brief_home: Path, template: Path) -> Any:
    copy_home(template, brief_home)
    return load_settings(model="llamacpp:tiny.gguf")  # retrieve-then-answer, no tools


@pytest.fixture
def view(settings: Any) -> StoreView:
    return open_view(settings)


def cite_of(messages: list[Any]) -> str:
    return re.search(r'cite="(\[[^"]+\])"', str(messages[-1].content)).group(1)


def test_search_terms_are_asked_once_per_question(settings: Any) -> None:
    model = ScriptedChatModel().enqueue(json.dumps(TERMS))
    assert search_terms(QUESTION, model, settings) == SEARCHED
    assert search_terms(QUESTION, model, settings) == SEARCHED  # cached: no call
    assert len(model.received) == 1 and QUESTION in str(model.received[0][-1].content)
    assert (Path(settings.home) / CACHE_FILE).is_file()
    assert search_terms("How does it work?", model, settings) == []  # English: no call
    assert search_terms(QUESTION, None, settings) == []


def test_a_failing_translation_costs_the_search_nothing(settings: Any) -> None:
    model = ScriptedChatModel().enqueue(*["not json"] * 5)
    assert search_terms("键值缓存怎么复用？", model, settings) == []


def test_a_chinese_answer_is_cited_and_its_numbers_traced(settings: Any, view: StoreView) -> None:
    def reply(messages: list[Any]) -> str:
        cite = cite_of(messages)
        return f"该方法缓存已解码 token 的键和值 {cite}。它让推理快了 123 倍 {cite}。"

    model = ScriptedChatModel().enqueue(json.dumps(TERMS), reply)
    streamed: list[str] = []
    answer = answer_question(QUESTION, settings, view, model, 5, on_token=streamed.append)
    assert answer.found and answer.mode == "rag"
    assert "123" not in answer.text and any("123" in d for d in answer.dropped)
    assert answer.text.startswith("该方法缓存已解码 token 的键和值 [arXiv:")
    assert "".join(streamed) == answer.text  # shown once it was checked
    assert answer.citations and {c.arxiv_id for c in answer.citations} == {DKV}
    system = str(model.received[1][0].content)
    assert "Simplified Chinese" in system and NOT_FOUND in system


def test_a_model_saying_not_found_is_shown_in_chinese(settings: Any, view: StoreView) -> None:
    model = ScriptedChatModel().enqueue(json.dumps(TERMS), NOT_FOUND)
    answer = answer_question(QUESTION, settings, view, model, 5)
    assert answer.text == NOT_FOUND_ZH and not answer.found and not answer.citations


def test_without_the_model_terms_the_question_finds_nothing(settings: Any, view: StoreView) -> None:
    answer = answer_question(QUESTION, settings, view, None, 5)
    assert answer.text == NOT_FOUND_ZH and not answer.citations


def test_an_answer_left_with_no_traced_sentence_says_not_found(
    settings: Any, view: StoreView
) -> None:
    model = ScriptedChatModel().enqueue(json.dumps(TERMS), lambda m: f"快了 999 倍 {cite_of(m)}。")
    answer = answer_question(QUESTION, settings, view, model, 5)
    assert answer.text == FRAME["zh"]["not_found"] and not answer.found
