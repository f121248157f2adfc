"""Usage, cost and budgets: counted per call, agent and run; budgets stop new calls."""

from __future__ import annotations

import threading

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from agent.errors import BudgetExceeded
from agent.llm.scripted import ScriptedChatModel
from agent.llm.usage import UsageTracker, estimate_tokens, price_for


def test_prices_longest_prefix_wins() -> None:
    assert price_for("gpt-4o-mini") == (0.15, 0.60)
    assert price_for("gpt-4o-mini-2024-07-18") == (0.15, 0.60)
    assert price_for("openai:gpt-4o") == (2.50, 10.00)
    assert price_for("gpt-4.1-mini") != price_for("gpt-4.1")
    assert price_for("gpt-5-nano") != price_for("gpt-5")
    assert price_for("qwen2.5-7b") is None


def test_record_costs_and_sums() -> None:
    usage = UsageTracker()
    usage.record("reader", "openai:gpt-4o-mini", 1_000_000, 0)
    usage.record("writer", "openai:gpt-4o-mini", 0, 1_000_000)
    usage.record("writer", "llamacpp:q.gguf", 500, 500, True, local=True)
    totals = usage.totals()
    assert totals["calls"] == 3 and totals["tokens"] == 2_001_000
    assert totals["cost_usd"] == pytest.approx(0.75)
    assert totals["estimated"] is True
    by_agent = usage.by_agent()
    assert by_agent["reader"]["cost_usd"] == pytest.approx(0.15)
    assert by_agent["writer"]["calls"] == 2 and by_agent["writer"]["estimated"]
    assert usage.calls[2].cost_usd == 0 and not usage.calls[2].priced


def test_local_models_cost_nothing_even_with_a_known_name() -> None:
    usage = UsageTracker()
    assert usage.record("a", "gpt-4o", 1000, 1000, local=True).cost_usd == 0


def test_token_budget_raises_before_the_next_call() -> None:
    usage = UsageTracker(budget_tokens=100)
    usage.check_budget()
    usage.record("a", "m", 60, 39)
    usage.check_budget()  # 99 < 100: still allowed
    usage.record("a", "m", 1, 0)
    with pytest.raises(BudgetExceeded) as err:
        usage.check_budget()
    assert "100" in err.value.message and "--budget-tokens" in err.value.hint


def test_cost_budget() -> None:
    usage = UsageTracker(budget_usd=0.01)
    usage.record("a", "gpt-4o", 1000, 900)  # 0.0025 + 0.009
    with pytest.raises(BudgetExceeded, match="cost budget"):
        usage.check_budget()


def test_record_is_thread_safe() -> None:
    usage = UsageTracker()

    def work() -> None:
        for _ in range(500):
            usage.record("a", "m", 1, 1)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert usage.totals()["calls"] == 4000 and usage.totals()["tokens"] == 8000


def test_callback_records_reported_usage() -> None:
    usage = UsageTracker()
    reply = AIMessage(
        content="hi", usage_metadata={"input_tokens": 11, "output_tokens": 3, "total_tokens": 14}
    )
    model = ScriptedChatModel(responses=[reply])
    model.invoke("hello", config={"callbacks": [usage.callback("writer")]})
    (call,) = usage.calls
    assert (call.agent, call.tokens_in, call.tokens_out, call.estimated) == ("writer", 11, 3, False)


def test_callback_estimates_when_backend_reports_nothing() -> None:
    usage = UsageTracker()
    model = ScriptedChatModel(responses=["x" * 40])
    model.invoke([HumanMessage(content="y" * 400)], config={"callbacks": [usage.callback("r")]})
    (call,) = usage.calls
    assert call.estimated and call.tokens_out == estimate_tokens("x" * 40) == 10
    assert call.tokens_in == 100


def test_callback_counts_streamed_calls() -> None:
    usage = UsageTracker()
    model = ScriptedChatModel(responses=["streamed answer " * 5])
    text = "".join(
        c.content for c in model.stream("q", config={"callbacks": [usage.callback("w")]})
    )
    assert text == "streamed answer " * 5
    assert usage.totals()["calls"] == 1 and usage.totals()["tokens_out"] == 20


def test_callback_stops_new_calls_when_budget_is_used() -> None:
    usage = UsageTracker(budget_tokens=10)
    model = ScriptedChatModel(responses=["a" * 80, "never sent"])
    model.invoke("q", config={"callbacks": [usage.callback("w")]})
    with pytest.raises(BudgetExceeded):
        model.invoke("q", config={"callbacks": [usage.callback("w")]})
    assert len(model.received) == 1 and model.remaining == 1
