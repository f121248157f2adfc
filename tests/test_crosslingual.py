"""Chinese questions read as English search terms (store/crosslingual.py), and found in a
real store of English papers."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.crosslingual import Lexicon, expand, glossary_entries, search_text


def test_an_english_question_is_searched_as_typed() -> None:
    question = "How does dKV-Cache reduce inference latency?"
    assert search_text(question) == question
    assert not expand(question).concepts


def test_longest_match_wins_and_question_words_are_dropped() -> None:
    found = expand("哪篇论文提出了激活感知的权重量化？")
    assert [c.zh for c in found.concepts] == ["激活感知", "权重量化"]  # not 量化 alone
    assert found.text() == "activation-aware weight quantization"


def test_model_names_stay_and_unknown_chinese_is_kept_for_chinese_documents() -> None:
    found = expand("QLoRA 是如何在微调时减少显存的？")
    text = found.text()
    assert text.startswith("QLoRA ")
    assert "fine-tuning" in text and "GPU memory" in text
    assert "减少" in found.rest and "如何" not in found.rest


def test_terms_with_latin_letters_and_spaces_match_either_way() -> None:
    for question in ("KV 缓存怎么压缩？", "KV缓存怎么压缩？", "kv 缓存 怎么 压缩"):
        english = expand(question).english()
        assert "KV cache" in english and "compression" in english, question


def test_every_glossary_term_is_read_backwards() -> None:
    lexicon = Lexicon(glossary_entries())
    missing = []
    for zh, en in glossary_entries():
        concepts, _ = lexicon.segment(zh)
        if not any(en in c.english for c in concepts):
            missing.append((zh, en))
    assert not missing


def test_model_terms_are_added_once() -> None:
    found = expand("这篇论文的显存占用是多少？", extra=["memory footprint", "GPU memory"])
    assert found.english().count("GPU memory") == 1
    assert "memory footprint" in found.text()


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory, demo_pdfs: list[Path]) -> Path:
    from test_chat_support import ingest

    home = tmp_path_factory.mktemp("crosslingual")
    ingest(home, demo_pdfs)
    return home


@pytest.fixture(scope="module")
def demo_store(demo_home: Path):
    from agent.settings import load_settings
    from store.chroma import open_store

    store = open_store(load_settings(home=demo_home, embeddings="hash"))
    yield store
    store.close()


@pytest.mark.parametrize(
    ("question", "paper"),
    [
        ("扩散语言模型用的是双向注意力，这种情况下还能缓存键值吗？", "2505.15781"),
        ("扩散大模型的无损投机解码，用有向草稿图组织候选", "2509.18085"),
        ("解码时丢掉距离较远的后缀 token 能快多少？", "2508.14148"),
    ],
)
def test_a_chinese_question_finds_the_english_paper(demo_store, question: str, paper: str) -> None:
    hits = demo_store.search(question, k=3)
    assert hits and hits[0].arxiv_id == paper, [(h.arxiv_id, h.page) for h in hits]


def test_without_the_lexicon_the_same_question_finds_nothing_lexically(
    demo_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import store.search

    question = "扩散语言模型用的是双向注意力，这种情况下还能缓存键值吗？"
    assert demo_store.search(question, k=3, dense=False)  # expanded: BM25 finds it
    monkeypatch.setattr(store.search, "search_text", lambda q: q)
    assert demo_store.search(question, k=3, dense=False) == []


def test_store_search_on_the_command_line_reads_chinese(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    from agent.cli.app import app

    monkeypatch.setenv("BRIEF_HOME", str(demo_home))
    result = CliRunner().invoke(
        app, ["store", "search", "扩散语言模型的键值缓存", "--json", "--k", "3"]
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["hits"]
    assert hits and hits[0]["arxiv_id"] == "2505.15781"
