"""Token usage, cost and budgets of a run.

`UsageTracker` records every model call (tokens in/out, estimated or reported, cost) per
agent; `check_budget()` raises BudgetExceeded before a new call once the run's token or cost
budget is used up. `tracker.callback(agent)` is a LangChain callback that does both for any
chat-model call (invoke, stream, LangGraph nodes).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult

from agent.errors import BudgetExceeded

# USD per million tokens (input, output); public list prices, longest prefix wins.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "o4-mini": (1.10, 4.40),
    "o3": (2.00, 8.00),
    "text-embedding-3-small": (0.02, 0.0),
    "text-embedding-3-large": (0.13, 0.0),
}


def price_for(model: str) -> tuple[float, float] | None:
    """(input, output) USD per million tokens for a known model name, else None."""
    name = model.split(":", 1)[1] if model.startswith("openai:") else model
    for prefix in sorted(PRICES, key=len, reverse=True):
        if name == prefix or name.startswith(prefix + "-"):
            return PRICES[prefix]
    return None


def estimate_tokens(text: str) -> int:
    """About four characters per token: the estimate used when a backend reports none."""
    return max(1, math.ceil(len(text) / 4)) if text else 0


def messages_text(messages: list[BaseMessage]) -> str:
    return "\n".join(str(m.content) for m in messages)


@dataclass(frozen=True)
class Call:
    """One model call."""

    agent: str
    model: str
    tokens_in: int
    tokens_out: int
    estimated: bool
    cost_usd: float
    priced: bool
    at: float = field(default_factory=time.time)
    item: str = ""  # the paper (or question) the call was for, when the caller says
    attempt: int = 0  # 0 for a first try, n for the n-th re-ask of a structured call
    seconds: float = 0.0  # wall time from the call's start to its end


def _sum(calls: list[Call]) -> dict[str, Any]:
    tokens_in = sum(c.tokens_in for c in calls)
    tokens_out = sum(c.tokens_out for c in calls)
    return {
        "calls": len(calls),
        "reasks": sum(1 for c in calls if c.attempt),
        "first_try_invalid": sum(1 for c in calls if c.attempt == 1),
        "seconds": round(sum(c.seconds for c in calls), 3),
        "tokens_in": tokens_in,
        "tokens_out": tokens_out,
        "tokens": tokens_in + tokens_out,
        "cost_usd": round(sum(c.cost_usd for c in calls), 6),
        "estimated": any(c.estimated for c in calls),
    }


class UsageTracker:
    """Thread-safe record of a run's model calls, with optional budgets."""

    def __init__(self, budget_tokens: int | None = None, budget_usd: float | None = None):
        self.budget_tokens = budget_tokens
        self.budget_usd = budget_usd
        self._calls: list[Call] = []
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Any) -> UsageTracker:
        return cls(settings.budget_tokens, settings.budget_usd)

    def record(
        self,
        agent: str,
        model: str,
        tokens_in: int,
        tokens_out: int,
        estimated: bool = False,
        *,
        local: bool = False,
        item: str = "",
        attempt: int = 0,
        seconds: float = 0.0,
    ) -> Call:
        """Add one call; its cost comes from PRICES (0 for local and unknown models)."""
        price = None if local else price_for(model)
        cost = 0.0 if price is None else (tokens_in * price[0] + tokens_out * price[1]) / 1e6
        call = Call(
            agent,
            model,
            tokens_in,
            tokens_out,
            estimated,
            cost,
            price is not None,
            item=item,
            attempt=attempt,
            seconds=round(seconds, 3),
        )
        with self._lock:
            self._calls.append(call)
        return call

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def totals(self) -> dict[str, Any]:
        return _sum(self.calls)

    def by_agent(self) -> dict[str, dict[str, Any]]:
        grouped: dict[str, list[Call]] = {}
        for call in self.calls:
            grouped.setdefault(call.agent, []).append(call)
        return {agent: _sum(calls) for agent, calls in sorted(grouped.items())}

    def by_item(self) -> dict[str, dict[str, Any]]:
        """Sums per paper (or question) for the calls whose caller named one."""
        grouped: dict[str, list[Call]] = {}
        for call in self.calls:
            if call.item:
                grouped.setdefault(call.item, []).append(call)
        return {item: _sum(calls) for item, calls in sorted(grouped.items())}

    def as_dict(self) -> dict[str, Any]:
        """Totals, per-agent sums and every call, for run records."""
        return {
            "totals": self.totals(),
            "by_agent": self.by_agent(),
            "by_item": self.by_item(),
            "calls": [asdict(c) for c in self.calls],
        }

    def check_budget(self) -> None:
        """Raise BudgetExceeded when a budget is used up (call this before a new call)."""
        totals = self.totals()
        if self.budget_tokens is not None and totals["tokens"] >= self.budget_tokens:
            raise BudgetExceeded(
                f"token budget reached: {totals['tokens']} of {self.budget_tokens} tokens used",
                "raise --budget-tokens (BRIEF_BUDGET_TOKENS) to allow more model calls",
            )
        if self.budget_usd is not None and totals["cost_usd"] >= self.budget_usd:
            raise BudgetExceeded(
                f"cost budget reached: ${totals['cost_usd']:.4f} of ${self.budget_usd:.4f} used",
                "raise --budget-usd (BRIEF_BUDGET_USD) to allow more model calls",
            )

    def callback(self, agent: str, item: str = "", attempt: int = 0) -> UsageCallback:
        """A LangChain callback recording calls for `agent` (about `item`, the `attempt`-th
        re-ask) and enforcing the budget."""
        return UsageCallback(self, agent, item, attempt)


class UsageCallback(BaseCallbackHandler):
    """Checks the budget when a chat model starts and records usage when it ends."""

    raise_error = True  # BudgetExceeded must stop the call, not be logged and ignored

    def __init__(self, tracker: UsageTracker, agent: str, item: str = "", attempt: int = 0):
        self.tracker = tracker
        self.agent = agent
        self.item = item
        self.attempt = attempt
        self._pending: dict[UUID, tuple[str, int, bool, float]] = {}
        self._lock = threading.Lock()

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.tracker.check_budget()
        meta = metadata or {}
        model = meta.get("brief_model") or meta.get("ls_model_name") or "unknown"
        local = bool(meta.get("brief_local", False))
        estimate = estimate_tokens(messages_text(messages[0]) if messages else "")
        with self._lock:
            self._pending[run_id] = (str(model), estimate, local, time.monotonic())

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            model, estimate_in, local, start = self._pending.pop(
                run_id, ("unknown", 0, False, time.monotonic())
            )
        seconds = time.monotonic() - start
        usage = None
        text = ""
        if response.generations and response.generations[0]:
            generation = response.generations[0][0]
            text = generation.text
            message = getattr(generation, "message", None)
            usage = getattr(message, "usage_metadata", None)
            if message is not None and message.tool_calls:
                text += "".join(str(call["args"]) for call in message.tool_calls)
        if usage and (usage.get("input_tokens") or usage.get("output_tokens")):
            self.tracker.record(
                self.agent,
                model,
                usage["input_tokens"],
                usage["output_tokens"],
                False,
                local=local,
                item=self.item,
                attempt=self.attempt,
                seconds=seconds,
            )
        else:
            self.tracker.record(
                self.agent,
                model,
                estimate_in,
                estimate_tokens(text),
                True,
                local=local,
                item=self.item,
                attempt=self.attempt,
                seconds=seconds,
            )

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            self._pending.pop(run_id, None)
