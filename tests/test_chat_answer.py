"""answer_question and the chat session on the demo papers (real reader, real store).

Models are scripted fakes standing in for a model's judgement; retrieval, citation
enforcement, quoting, memory and the checkpointer are real.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from test_chat_support import FAKE_CITATION, copy_home, ingest

from agent.chat.answer import answer_question
from agent.chat.commands import run_command
from agent.chat.evidence import Evidence, StoreView, open_view
from agent.chat.graph import open_checkpointer
from agent.chat.sentinel import NOT_FOUND
from agent.chat.session import CANCELLED, ChatSession
from agent.chat.text import collapse
from agent.llm.scripted import ScriptedChatModel
from agent.settings import load_settings

QUESTION = "How does dKV-Cache reduce inference latency?"
OFF_TOPIC = "What is the capital of France?"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, demo_pdfs: list[Path]) -> Path:
    home = tmp_path_factory.mktemp("answer-template")
    ingest(home, demo_pdfs)
    return home


@pytest.fixture
def settings(brief_home: Path, template: Path) -> Any:
    copy_home(template, brief_home)
    return load_settings()


@pytest.fixture
def view(settings: Any) -> StoreView:
    return open_view(settings)


def assert_grounded(view: StoreView, answer: Any) -> None:
    """Every citation resolves, and its quote is printed on the cited page."""
    assert answer.citations
    for c in answer.citations:
        assert view.resolves(c.arxiv_id, c.page)
        assert c.quote and collapse(c.quote) in collapse(view.page_text(c.arxiv_id, c.page))


def test_extractive_answer_quotes_and_cites_pages(settings: Any, view: StoreView) -> None:
    streamed: list[str] = []
    answer = answer_question(QUESTION, settings, view, None, 5, on_token=streamed.append)
    assert answer.found and answer.mode == "extractive"
    assert "".join(streamed) == answer.text
    assert_grounded(view, answer)
    assert "2505.15781" in {c.arxiv_id for c in answer.citations}  # the dKV-Cache paper
    assert answer.hits and all(h["relevance"] >= 0.5 for h in answer.hits)
    data = answer.to_json()
    assert set(data) >= {"answer", "citations", "hits"}
    assert set(data["citations"][0]) == {"arxiv_id", "page", "quote"}


def test_nothing_relevant_gives_the_sentinel(settings: Any, view: StoreView) -> None:
    model = ScriptedChatModel()  # must not be called
    for chat_model in (None, model):
        answer = answer_question(OFF_TOPIC, settings, view, chat_model, 5)
        assert answer.text == NOT_FOUND and not answer.found and not answer.citations
    assert model.received == []


def test_a_small_model_answers_from_passages_and_bad_citations_vanish(
    settings: Any, view: StoreView
) -> None:
    local = settings.model_copy(update={"model": "llamacpp:tiny.gguf"})  # retrieve-then-answer

    def reply(messages: list[Any]) -> str:
        import re

        cite = re.search(r'cite="(\[[^"]+\])"', str(messages[-1].content)).group(1)
        wrong_page = cite.replace(" p.", " p.9")
        return f"It caches keys and values {cite}. It is magic {FAKE_CITATION} {wrong_page}."

    model = ScriptedChatModel().enqueue(reply)
    streamed: list[str] = []
    answer = answer_question(QUESTION, local, view, model, 5, on_token=streamed.append)
    assert answer.mode == "rag"
    assert "".join(streamed).strip() == answer.text
    assert FAKE_CITATION not in answer.text and FAKE_CITATION in answer.dropped
    assert len(answer.citations) == 1
    assert_grounded(view, answer)
    system, user = model.received[0][0].content, model.received[0][-1].content
    assert NOT_FOUND in system and "```text" in user and "not instructions" in user
    assert model.call_options[0].get("tools") is None


def test_a_tool_calling_model_searches_the_store(settings: Any, view: StoreView) -> None:
    call = AIMessage(
        "",
        tool_calls=[
            {
                "name": "search_papers",
                "id": "t1",
                "args": {"query": "speculative decoding speedup", "paper": "2509.18085"},
            }
        ],
    )

    def final(messages: list[Any]) -> str:
        import re

        result = [m for m in messages if isinstance(m, ToolMessage)][-1].content
        cites = re.findall(r'cite="(\[[^"]+\])"', result)
        assert cites and all("2509.18085" in c for c in cites)
        return f"Spiffy drafts tokens speculatively {cites[0]}."

    model = ScriptedChatModel().enqueue(call, final)
    answer = answer_question("What does Spiffy speed up?", settings, view, model, 5)
    assert answer.mode == "tools"
    assert [t["function"]["name"] for t in model.call_options[0]["tools"]] == ["search_papers"]
    assert_grounded(view, answer)
    assert {c.arxiv_id for c in answer.citations} == {"2509.18085"}


def test_memory_lives_in_the_thread_across_sessions(settings: Any, view: StoreView) -> None:
    model = ScriptedChatModel().enqueue("First answer.", lambda m: "Second answer.")
    with open_checkpointer(settings) as saver:
        session = ChatSession(settings, view, saver, thread="t", model=model)
        session.ask(QUESTION)
    with open_checkpointer(settings) as saver:  # tomorrow: a new process, same thread
        session = ChatSession(settings, view, saver, thread="t", model=model)
        assert [t.question for t in session.turns()] == [QUESTION]
        session.ask("And what does it cost in memory?")
        seen = [m.content for m in model.received[1]]
        assert QUESTION in seen
        assert any(str(text).startswith("First answer.") for text in seen[:-1])
        # the follow-up was searched together with the earlier question
        session.switch_thread("other")
        assert session.turns() == []
        session.switch_thread("t")
        session.reset()
        assert session.turns() == []


def test_ctrl_c_while_answering_keeps_the_thread_consistent(settings: Any, view: StoreView) -> None:
    def interrupt(text: str) -> None:
        raise KeyboardInterrupt

    with open_checkpointer(settings) as saver:
        session = ChatSession(settings, view, saver, thread="c", model=None)
        with pytest.raises(KeyboardInterrupt):
            session.ask(QUESTION, on_token=interrupt)
        assert [m.type for m in session.messages()] == ["human", "ai"]
        assert session.messages()[-1].content == CANCELLED
        answer = session.ask(QUESTION)
        assert answer.found
        assert [m.type for m in session.messages()] == ["human", "ai", "human", "ai"]


def test_slash_commands_on_a_session(settings: Any, view: StoreView, tmp_path: Path) -> None:
    lines: list[str] = []
    with open_checkpointer(settings) as saver:
        session = ChatSession(settings, view, saver, thread="cmd")
        run_command(session, "/sources", lines.append)
        assert lines[-1].startswith("no answer yet")
        session.ask(QUESTION)
        run_command(session, "/why 99", lines.append)
        assert "/why takes a sentence number" in lines[-1]
        run_command(session, "/why 1", lines.append)
        assert lines[-2].startswith("sentence 1: ") and "“" in lines[-1]
        run_command(session, "/paper 2509.18085", lines.append)
        assert "Spiffy" in " ".join(lines[-4:]) and session.filters.paper == "2509.18085"
        assert {h["arxiv_id"] for h in session.ask("speculative decoding speedup").hits} == {
            "2509.18085"
        }
        run_command(session, "/paper 0000.00000", lines.append)
        assert "not in the store" in lines[-1]
        run_command(session, "/paper off", lines.append)
        assert session.filters.paper is None
        run_command(session, "/filter since=2020-13-01", lines.append)
        assert "bad date" in lines[-1]
        run_command(session, "/model nonsense:x", lines.append)
        assert lines[-1].startswith("model unchanged") and session.model_spec == "none"
        run_command(session, "/deepdive 2509.18085", lines.append)
        assert lines[-1].startswith("deepdive written: ") and "(1 papers)" in lines[-1]
        deep = Path(lines[-1].split(": ", 1)[1].rsplit(" (", 1)[0]).read_text(encoding="utf-8")
        assert "## 📊 概览" in deep and "[arXiv:2509.18085" in deep
        run_command(session, "/save " + str(tmp_path / "a" / "chat.md"), lines.append)
        saved = (tmp_path / "a" / "chat.md").read_text(encoding="utf-8")
        assert QUESTION in saved and "**Sources**" in saved and "[arXiv:" in saved
        run_command(session, "/lint " + str(tmp_path / "missing.md"), lines.append)
        assert lines[-1].startswith("lint failed: no such file")
        run_command(session, "/lint " + str(tmp_path / "a" / "chat.md"), lines.append)
        assert any(line.startswith(("passed: ", "FAILED: ")) for line in lines[-12:])
        assert run_command(session, "/quit", lines.append) == "quit"


def test_evidence_json_is_bounded() -> None:
    ev = Evidence("k", "2501.00001", "T", 1, "S", "word " * 1000, 1.0)
    assert len(ev.to_json()["text"]) <= 1200


def test_a_claim_is_answered_with_its_verbatim_quote(settings: Any, view: StoreView) -> None:
    from agent.chat.text import split_sentences
    from store.schemas import Claim

    page = view.page_text("2505.15781", 2)
    quote = next(s for s in split_sentences(page) if len(s) > 60 and "cach" in s.lower())
    claim = Claim(
        paper_key=view.key_of("2505.15781"),
        arxiv_id="2505.15781",
        kind="method",
        statement="The zebrafold trick keeps a delayed cache.",
        quote=quote,
        page=2,
        status="verified",
    )
    view.store.add_claims([claim])
    answer = answer_question("What is the zebrafold trick?", settings, view, None, 3)
    assert answer.found and "zebrafold" not in answer.text  # the statement is no quote
    assert quote in answer.text
    assert_grounded(view, answer)
