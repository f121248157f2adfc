"""chat-retrieval reports English and Chinese questions apart, and a Chinese question that
names only concepts finds its English paper and page (the corpus, ../shared)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evals.runner import EvalContext, run_suite
from evals.suites import get_suite
from evals.suites.chat_retrieval import language

CASES = [
    {
        "id": "en",
        "question": "storing the attention key-value cache in non-contiguous fixed-size blocks",
        "paper": "2309.06180",
        "page": 1,
    },
    {
        "id": "zh-paging",
        "question": "有没有工作像操作系统的虚拟内存分页那样管理注意力的键值缓存？",
        "paper": "2309.06180",
        "page": 1,
    },
    {
        "id": "zh-moe",
        "question": "不加辅助损失的话，混合专家模型怎么做专家之间的负载均衡？",
        "paper": "2412.19437",
        "page": 9,
    },
]


def test_language_of_a_question() -> None:
    assert language("KV 缓存怎么压缩？") == "zh" and language("KV cache?") == "en"


@pytest.mark.shared
def test_chinese_and_english_are_reported_apart(shared_dir: Path, tmp_path: Path) -> None:
    from agent.settings import load_settings

    questions = tmp_path / "q.yaml"
    questions.write_text(yaml.safe_dump({"cases": CASES}, allow_unicode=True), encoding="utf-8")
    ctx = EvalContext(settings=load_settings(home=tmp_path / "home"))
    result = run_suite(get_suite("chat-retrieval"), ctx, questions)
    m = result.metrics
    assert m["questions_en"] == 1 and m["questions_zh"] == 2
    assert m["recall@5_zh"] == 1.0 and m["page@5_zh"] == 1.0, result.cases
    assert m["recall@5_en"] == 1.0
    assert {c.info["lang"] for c in result.cases} == {"en", "zh"}


@pytest.mark.shared
def test_chinese_answers_quote_prose_on_the_page_they_cite(
    shared_dir: Path, tmp_path: Path
) -> None:
    """Every extractive answer to the Chinese questions of the eval set: each quote is prose
    (no caption, table row or running head) printed on exactly the page it cites."""
    from agent.chat.answer import answer_question
    from agent.chat.evidence import StoreView
    from agent.chat.language import FRAME
    from agent.chat.text import collapse, is_prose
    from agent.settings import load_settings
    from evals.retrieval import load_questions
    from evals.suites.chat_retrieval import corpus_store

    settings = load_settings(home=tmp_path / "home")
    store, _ = corpus_store(settings, shared_dir / "corpus")
    view = StoreView(store)
    questions = [q for q in load_questions() if language(q["question"]) == "zh"]
    answered = 0
    for q in questions:
        answer = answer_question(q["question"], settings, view, None, 5)
        assert answer.text.startswith((FRAME["zh"]["header"], FRAME["zh"]["not_found"]))
        answered += answer.found
        for c in answer.citations:
            assert is_prose(c.quote), (q["id"], c.quote)
            assert c.quote in collapse(view.page_text(c.arxiv_id, c.page)), (q["id"], c.page)
    assert answered >= 0.8 * len(questions)
