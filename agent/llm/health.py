"""`brief models check`: one small structured call, reported as a dict."""

from __future__ import annotations

import time
from typing import Any

from langchain_core.messages import HumanMessage
from pydantic import BaseModel, Field

from agent.errors import ConfigError, ModelError
from agent.llm.models import is_extractive, make_chat_model
from agent.llm.structured import structured_call
from agent.llm.usage import UsageTracker
from agent.prompting import render


class HealthCheck(BaseModel):
    """The answer to the backend health check."""

    ok: bool = Field(description="true when the request was understood")
    language: str = Field(description="the language of the request, in English")
    greeting_zh: str = Field(description="a short greeting in Chinese")


def check_model(spec: str, settings: Any) -> dict[str, Any]:
    """Make one structured call with `spec`; report validity, latency and tokens.

    A bad spec or missing dependency raises ConfigError; a model that fails or answers
    invalidly is reported with `ok: false` and the error.
    """
    if is_extractive(spec):
        raise ConfigError(
            "model is `none`: there is no model to check",
            "pass --model openai:<model> or --model llamacpp:<path.gguf>",
        )
    model = make_chat_model(spec, settings)
    assert model is not None
    usage = UsageTracker.from_settings(settings)
    report: dict[str, Any] = {
        "model": spec,
        "ok": False,
        "schema_valid": False,
        "latency_s": None,
        "tokens_in": 0,
        "tokens_out": 0,
        "error": None,
    }
    start = time.perf_counter()
    try:
        structured_call(
            model,
            HealthCheck,
            [HumanMessage(content=render("llm.check.md"))],
            agent="models.check",
            usage=usage,
        )
        report["ok"] = report["schema_valid"] = True
    except ModelError as exc:
        report["error"] = str(exc)
    report["latency_s"] = round(time.perf_counter() - start, 3)
    totals = usage.totals()
    report.update(
        tokens_in=totals["tokens_in"],
        tokens_out=totals["tokens_out"],
        estimated=totals["estimated"],
        calls=totals["calls"],
    )
    return report
