"""structured_call above the backend, with a scripted fake model: parse, re-ask, give up."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agent.errors import BudgetExceeded, StructuredOutputError
from agent.llm.grammar import strict_schema
from agent.llm.scripted import ScriptedChatModel
from agent.llm.structured import InvalidStructuredOutput, structured_call
from agent.llm.usage import UsageTracker


class Finding(BaseModel):
    """One finding of a paper."""

    statement: str = Field(description="what the paper found")
    page: int = Field(ge=1, le=500, description="page of the quote")
    tags: list[str] = Field(default_factory=list, description="topic tags")


GOOD = {"statement": "准确率提升 3.2%", "page": 4, "tags": ["rag"]}


def call(model: ScriptedChatModel, usage: UsageTracker | None = None, **kw) -> Finding:
    return structured_call(
        model,
        Finding,
        [("system", "You extract findings."), ("human", "Paper text…")],
        agent="reader",
        usage=usage or UsageTracker(),
        **kw,
    )


def test_valid_first_answer() -> None:
    model = ScriptedChatModel(responses=[json.dumps(GOOD, ensure_ascii=False)])
    assert call(model) == Finding(**GOOD)
    (sent,) = model.received
    assert isinstance(sent[0], SystemMessage)
    assert "You extract findings." in sent[0].content and '"page"' in sent[0].content


def test_code_fenced_json_and_tool_calls_are_read() -> None:
    fenced = "```json\n" + json.dumps(GOOD) + "\n```"
    tool = AIMessage(content="", tool_calls=[{"name": "Finding", "args": GOOD, "id": "c1"}])
    model = ScriptedChatModel(responses=[fenced, tool])
    assert call(model).page == 4
    assert call(model).tags == ["rag"]


def test_invalid_answer_is_reasked_with_the_error() -> None:
    bad = json.dumps({**GOOD, "page": 0})
    model = ScriptedChatModel(responses=["not json at all", bad, json.dumps(GOOD)])
    usage = UsageTracker()
    assert call(model, usage, max_reask=2).page == 4
    assert len(model.received) == 3
    second, third = model.received[1], model.received[2]
    assert second[-2].content == "not json at all" and isinstance(second[-1], HumanMessage)
    assert "Invalid JSON" in second[-1].content
    assert "page: Input should be greater than or equal to 1" in third[-1].content
    assert usage.by_agent()["reader"]["calls"] == 3


def test_cut_off_answer_counts_as_a_failure() -> None:
    cut = AIMessage(content=json.dumps(GOOD), response_metadata={"finish_reason": "length"})
    model = ScriptedChatModel(responses=[cut, json.dumps(GOOD)])
    call(model, max_reask=1)
    assert "finish_reason=length" in model.received[1][-1].content


def test_gives_up_with_raw_text_and_errors() -> None:
    model = ScriptedChatModel(responses=['{"statement": 1}', "{", '{"page": 3}'])
    with pytest.raises(StructuredOutputError) as err:
        call(model, max_reask=2)
    assert isinstance(err.value, InvalidStructuredOutput)
    assert err.value.raw == '{"page": 3}'
    assert len(err.value.errors) == 3 and "statement" in err.value.errors[0]
    assert "Finding" in err.value.message and "reader" in err.value.message
    assert model.remaining == 0


def test_max_reask_comes_from_the_model_metadata() -> None:
    model = ScriptedChatModel(responses=["x", "y", "z"], metadata={"brief_max_reask": 0})
    with pytest.raises(StructuredOutputError):
        call(model)
    assert len(model.received) == 1


def test_budget_stops_calls_before_they_are_made() -> None:
    usage = UsageTracker(budget_tokens=5)
    usage.record("writer", "m", 5, 0)
    model = ScriptedChatModel(responses=[json.dumps(GOOD)])
    with pytest.raises(BudgetExceeded):
        call(model, usage)
    assert model.received == []


def test_budget_reached_between_reasks_stops_the_reask() -> None:
    usage = UsageTracker(budget_tokens=50)
    model = ScriptedChatModel(responses=["x" * 400, json.dumps(GOOD)])
    with pytest.raises(BudgetExceeded):
        call(model, usage, max_reask=2)
    assert len(model.received) == 1


def test_strict_schema_for_openai() -> None:
    schema = strict_schema(Finding)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"statement", "page", "tags"}


def test_scripted_model_accepts_objects_and_callables() -> None:
    model = ScriptedChatModel().enqueue(
        Finding(**GOOD), GOOD, lambda msgs: json.dumps({**GOOD, "page": len(msgs)})
    )
    assert call(model) == call(model) == Finding(**GOOD)
    assert call(model).page == 2  # the callable saw the system and the human message
    with pytest.raises(AssertionError, match="ran out of responses"):
        call(model)
