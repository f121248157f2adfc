"""In-process llama.cpp with a tiny random-weight GGUF built at test time: grammar-constrained
structured output, streaming, chat-template detection, embeddings and `brief models check`."""

from __future__ import annotations

import functools
import json
import operator
import re
from pathlib import Path

import pytest
from pydantic import BaseModel, Field
from tinymodel import build_tiny_gguf, tiny_gguf_fixture  # noqa: F401 (fixture)

from agent.llm.grammar import gbnf_for
from agent.llm.structured import InvalidStructuredOutput, structured_call
from agent.llm.usage import UsageTracker

pytestmark = pytest.mark.llama
llama_cpp = pytest.importorskip("llama_cpp")


class Paper(BaseModel):
    """What a reader might return about one paper."""

    title: str = Field(description="title")
    title_zh: str = Field(description="title in Chinese")
    year: int = Field(description="year")
    open_access: bool = Field(description="whether the PDF is free")
    tags: list[str] = Field(description="topic tags")
    venue: str | None = Field(description="venue, if any")


def chat_model(path: Path, **kw):
    from agent.llm.llamacpp_chat import ChatLlamaCpp

    return ChatLlamaCpp(model_path=str(path), n_ctx=2048, **{"max_tokens": 256, **kw})


def test_grammar_forbids_raw_control_characters_in_strings() -> None:
    schema = json.dumps({"type": "object", "properties": {"a": {"type": "string"}}})
    char_rule = next(line for line in gbnf_for(schema).splitlines() if line.startswith("char "))
    assert "\\x00-\\x1F" in char_rule and "\\x7F" in char_rule
    from llama_cpp import LlamaGrammar

    LlamaGrammar.from_string(gbnf_for(schema), verbose=False)  # llama.cpp accepts it


def test_twenty_seeds_all_schema_valid_without_reasking(tiny_gguf: Path) -> None:
    usage = UsageTracker()
    results = []
    for seed in range(20):
        model = chat_model(tiny_gguf, seed=seed, temperature=1.0)
        results.append(
            structured_call(
                model,
                Paper,
                [("system", "Describe the paper."), ("human", "论文：检索增强生成")],
                agent="reader",
                usage=usage,
                max_reask=0,  # the grammar alone must make every answer valid
            )
        )
    assert all(isinstance(r, Paper) for r in results)
    assert len({r.model_dump_json() for r in results}) > 1  # seeds really vary the output
    totals = usage.totals()
    assert totals["calls"] == 20 and not totals["estimated"] and totals["cost_usd"] == 0


def test_integer_bounds_are_validated_not_trusted(tiny_gguf: Path) -> None:
    class Page(BaseModel):
        """A page number in an unusual range."""

        page: int = Field(ge=1000, le=1001, description="page")

    with pytest.raises(InvalidStructuredOutput) as err:
        structured_call(
            chat_model(tiny_gguf, seed=3),
            Page,
            [("human", "page?")],
            agent="reader",
            usage=UsageTracker(),
            max_reask=1,
        )
    assert all("page" in e for e in err.value.errors)
    assert re.fullmatch(r'\{\s*"page"\s*:\s*-?\d+\s*\}', err.value.raw)


def test_stream_and_invoke(tiny_gguf: Path) -> None:
    model = chat_model(tiny_gguf, seed=1, max_tokens=16)
    chunks = list(model.stream("你好"))
    merged = functools.reduce(operator.add, chunks)
    assert merged.response_metadata.get("finish_reason") in ("stop", "length")

    bound = model.bind(json_schema=Flag.model_json_schema(), max_tokens=128)
    streamed = "".join(str(c.content) for c in bound.stream("describe"))
    Flag.model_validate_json(streamed)
    assert bound.invoke("describe").content == streamed  # same seed, same tokens
    reply = model.invoke("hello")
    assert reply.usage_metadata["input_tokens"] > 0


class Flag(BaseModel):
    """A flag and a note."""

    ok: bool
    note: str


def test_with_structured_output(tiny_gguf: Path) -> None:
    from langchain_core.exceptions import OutputParserException

    result = chat_model(tiny_gguf, seed=2).with_structured_output(Flag).invoke("describe")
    assert isinstance(result, Flag)
    cut = chat_model(tiny_gguf, seed=2, max_tokens=5).with_structured_output(Flag)
    with pytest.raises(OutputParserException, match="finish_reason=length"):
        cut.invoke("describe")


def test_gguf_without_chat_template_gets_chatml_and_one_warning(tmp_path: Path) -> None:
    from agent.llm.llamacpp_chat import load_llama

    path = build_tiny_gguf(tmp_path / "bare.gguf", chat_template=None)
    with pytest.warns(UserWarning, match="no chat template"):
        llama = load_llama(str(path), 1024, None, 0)
    assert llama.chat_format == "chatml"
    model = chat_model(path, seed=0, max_tokens=4)
    model.invoke("hi")  # loads from the cache: no second warning, no llama-2 format


def test_cli_models_check_llamacpp(tiny_gguf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from agent.cli.app import app

    monkeypatch.setenv("BRIEF_N_CTX", "2048")
    result = CliRunner().invoke(
        app, ["models", "check", "--model", f"llamacpp:{tiny_gguf}", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["schema_valid"] is True and report["ok"] is True
    assert report["tokens_in"] > 0 and report["error"] is None
    assert set(report) >= {"model", "ok", "schema_valid", "latency_s", "tokens_in", "tokens_out"}


def test_budget_allows_the_first_call_then_stops(tiny_gguf: Path) -> None:
    from agent.llm.health import check_model
    from agent.settings import load_settings

    settings = load_settings(n_ctx=2048, budget_tokens=1)
    report = check_model(f"llamacpp:{tiny_gguf}", settings)
    assert report["ok"] is True and report["calls"] == 1  # the first call is allowed

    from agent.llm.models import make_chat_model

    model = make_chat_model(f"llamacpp:{tiny_gguf}", settings)
    usage = UsageTracker.from_settings(settings)
    usage.record("reader", "llamacpp:tiny", 1, 0, local=True)
    from agent.errors import BudgetExceeded

    with pytest.raises(BudgetExceeded):
        structured_call(model, Paper, [("human", "x")], agent="reader", usage=usage)


def test_generation_past_its_deadline_is_abandoned(tiny_gguf: Path) -> None:
    """llama.cpp has no timeout: brief streams the answer and stops at the deadline, as one
    ModelError naming the model and the setting (the tiny model writes until max_tokens)."""
    from agent.errors import ModelError

    slow = chat_model(tiny_gguf, seed=1, max_tokens=512).model_copy(update={"timeout": 1e-9})
    with pytest.raises(ModelError) as err:
        slow.invoke("write a long story")
    assert "BRIEF_MODEL_TIMEOUT" in (err.value.hint or "")
    fine = chat_model(tiny_gguf, seed=1, max_tokens=8).model_copy(update={"timeout": 600.0})
    reply = fine.invoke("write a long story")  # within its deadline: answered, tokens counted
    assert reply.response_metadata["finish_reason"] in ("stop", "length")
    assert reply.usage_metadata["input_tokens"] > 0  # the prompt, as the context holds it
