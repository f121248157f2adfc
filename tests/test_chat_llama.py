"""Chat with a real in-process llama.cpp model (tiny, random weights): the small-model path
(retrieve, then answer from the passages), streamed, with every shown citation resolvable."""

# ruff: noqa: F811  (the `tiny_gguf` fixture is imported and used as a parameter)
from __future__ import annotations

from pathlib import Path

import pytest
from test_chat_support import copy_home, ingest
from tinymodel import tiny_gguf_fixture  # noqa: F401 (fixture)

from agent.chat.answer import answer_question
from agent.chat.citations import refs_in
from agent.chat.evidence import open_view
from agent.chat.sentinel import NOT_FOUND
from agent.llm.models import make_chat_model
from agent.settings import load_settings

pytestmark = pytest.mark.llama
llama_cpp = pytest.importorskip("llama_cpp")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, demo_pdfs: list[Path]) -> Path:
    home = tmp_path_factory.mktemp("llama-template")
    ingest(home, demo_pdfs)
    return home


def test_a_small_local_model_answers_from_retrieved_passages(
    brief_home: Path, template: Path, tiny_gguf: Path
) -> None:
    copy_home(template, brief_home)
    settings = load_settings(model=f"llamacpp:{tiny_gguf}")
    model = make_chat_model(settings.model, settings)
    view = open_view(settings)
    streamed: list[str] = []
    answer = answer_question(
        "How does dKV-Cache reduce inference latency?",
        settings,
        view,
        model,
        2,
        on_token=streamed.append,
    )
    assert answer.mode == "rag" and answer.hits
    assert "".join(streamed).strip() == answer.text
    refs = refs_in(answer.text)
    # random weights say little: an empty reply becomes the sentinel, any other reply names
    # (only) resolvable passages
    assert answer.text == NOT_FOUND or refs
    assert all(view.resolves(r.paper, r.page) for r in refs)
