"""The OpenAI-compatible path against our own HTTP server (chat-completions shape):
retries on 429/500 with Retry-After, re-ask on invalid JSON, method fallback, errors."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import BaseModel, Field

from agent.errors import ModelError
from agent.llm.models import make_chat_model
from agent.llm.structured import structured_call
from agent.llm.usage import UsageTracker
from agent.settings import load_settings


class Verdict(BaseModel):
    """A verdict on one claim."""

    entailed: bool = Field(description="whether the quote supports the statement")
    reason: str = Field(description="why")


def completion(content: str | None = None, tool_args: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_args is not None:
        message["tool_calls"] = [
            {
                "id": "c1",
                "type": "function",
                "function": {"name": "Verdict", "arguments": tool_args},
            }
        ]
    return {
        "id": "cmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "stub",
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if tool_args else "stop",
            }
        ],
        "usage": {"prompt_tokens": 20, "completion_tokens": 7, "total_tokens": 27},
    }


class StubServer:
    """Replays (status, headers, body) replies and records the JSON requests it got."""

    def __init__(self, replies: list[tuple[int, dict[str, str], Any]]) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                with stub.lock:
                    stub.requests.append(json.loads(self.rfile.read(length)))
                    status, headers, body = stub.replies.pop(0)
                    stub.in_flight += 1
                    stub.max_in_flight = max(stub.max_in_flight, stub.in_flight)
                headers = dict(headers)
                time.sleep(float(headers.pop("X-Stub-Delay", 0)))
                with stub.lock:
                    stub.in_flight -= 1
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError):  # a client that timed out left
                    self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> StubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub() -> Iterator[Any]:
    servers: list[StubServer] = []

    def start(replies: list[tuple[int, dict[str, str], Any]]) -> StubServer:
        server = StubServer(replies).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()


def model_for(server: StubServer, **overrides: Any) -> Any:
    settings = load_settings(base_url=server.url, model_timeout=10, **overrides)
    return make_chat_model("openai:stub-model", settings)


GOOD = json.dumps({"entailed": True, "reason": "quote states it"})
ERR = {"error": {"message": "busy", "type": "server_error"}}


def test_retries_then_reasks_then_succeeds(stub: Any) -> None:
    server = stub(
        [
            (429, {"Retry-After": "0.01"}, ERR),
            (500, {"Retry-After": "0.01"}, ERR),
            (200, {}, completion(tool_args='{"entailed": "perhaps"')),
            (200, {}, completion(tool_args=GOOD)),
        ]
    )
    usage = UsageTracker()
    result = structured_call(
        model_for(server, model_retries=3),
        Verdict,
        [("human", "Does the quote support it?")],
        agent="critic",
        usage=usage,
    )
    assert result == Verdict(entailed=True, reason="quote states it")
    assert len(server.requests) == 4
    first = server.requests[0]
    assert first["tool_choice"]["function"]["name"] == "Verdict"
    assert first["tools"][0]["function"]["parameters"]["required"] == ["entailed", "reason"]
    reask = server.requests[3]["messages"][-1]
    assert reask["role"] == "user" and "Invalid JSON" in reask["content"]
    assert usage.by_agent()["critic"]["calls"] == 2  # two answered calls; retries are transport
    assert usage.totals()["tokens_in"] == 40 and not usage.totals()["estimated"]


def test_retries_exhausted_is_one_model_error(stub: Any) -> None:
    server = stub([(503, {"Retry-After": "0.01"}, ERR)] * 2)
    with pytest.raises(ModelError) as err:
        structured_call(
            model_for(server, model_retries=1),
            Verdict,
            [("human", "q")],
            agent="critic",
            usage=UsageTracker(),
            method="tools",
        )
    assert "HTTP 503" in err.value.message and "stub-model" in err.value.message
    assert len(server.requests) == 2


def test_server_without_tools_falls_back_to_json_object(stub: Any) -> None:
    bad = {"error": {"message": "tools not supported", "type": "invalid_request_error"}}
    server = stub(
        [
            (400, {}, bad),
            (200, {}, completion(content=GOOD)),
            (200, {}, completion(content=GOOD)),
        ]
    )
    model = model_for(server, model_retries=0)
    for _ in range(2):
        structured_call(model, Verdict, [("human", "q")], agent="critic", usage=UsageTracker())
    assert "tools" in server.requests[0]
    for request in server.requests[1:]:  # the fallback is remembered for the next call
        assert request["response_format"] == {"type": "json_object"}
        assert "tools" not in request
        assert '"entailed"' in request["messages"][0]["content"]  # schema in the prompt


def test_json_schema_strict_request_shape(stub: Any) -> None:
    server = stub([(200, {}, completion(content=GOOD))])
    structured_call(
        model_for(server),
        Verdict,
        [("human", "q")],
        agent="critic",
        usage=UsageTracker(),
        method="json_schema",
    )
    fmt = server.requests[0]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["additionalProperties"] is False


def test_cut_off_strict_answer_is_reasked(stub: Any) -> None:
    cut = completion(content='{"entailed": true, "rea')
    cut["choices"][0]["finish_reason"] = "length"
    server = stub([(200, {}, cut), (200, {}, completion(content=GOOD))])
    usage = UsageTracker()
    result = structured_call(
        model_for(server),
        Verdict,
        [("human", "q")],
        agent="critic",
        usage=usage,
        method="json_schema",
    )
    assert result.entailed is True
    assert "finish_reason=length" in server.requests[1]["messages"][-1]["content"]
    assert usage.totals()["calls"] == 2 and usage.totals()["tokens_in"] == 40


def test_unreachable_server_is_one_model_error() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = load_settings(base_url=f"http://127.0.0.1:{port}/v1", model_retries=0)
    model = make_chat_model("openai:stub-model", settings)
    with pytest.raises(ModelError) as err:
        structured_call(model, Verdict, [("human", "q")], agent="critic", usage=UsageTracker())
    assert "unreachable" in err.value.message and str(port) in err.value.message


def test_timeout_is_a_model_error(stub: Any) -> None:
    server = stub([(200, {"X-Stub-Delay": "2"}, completion(content=GOOD))])
    model = make_chat_model(
        "openai:stub-model",
        load_settings(base_url=server.url, model_timeout=0.3, model_retries=0),
    )
    with pytest.raises(ModelError, match="unreachable|timed out"):
        structured_call(model, Verdict, [("human", "q")], agent="critic", usage=UsageTracker())


def test_concurrency_limit_per_backend(stub: Any) -> None:
    server = stub([(200, {"X-Stub-Delay": "0.2"}, completion(content=GOOD))] * 4)
    model = model_for(server, model_concurrency=1)
    threads = [threading.Thread(target=model.invoke, args=("q",)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(server.requests) == 4 and server.max_in_flight == 1


def test_async_calls_share_the_limit(stub: Any) -> None:
    import asyncio

    server = stub([(200, {"X-Stub-Delay": "0.1"}, completion(content=GOOD))] * 3)
    model = model_for(server, model_concurrency=1)

    async def main() -> list[Any]:
        return await asyncio.gather(*(model.ainvoke("q") for _ in range(3)))

    replies = asyncio.run(main())
    assert [r.content for r in replies] == [GOOD] * 3 and server.max_in_flight == 1


def test_openai_base_url_of_the_sdk_is_a_compatible_server(
    stub: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OPENAI_BASE_URL (the SDK's own variable) pointing at another server: requests go there
    and brief treats it as an OpenAI-compatible server (tools, no strict json_schema, no
    OpenAI prices), as it does with BRIEF_BASE_URL."""
    server = stub([(200, {}, completion(tool_args=GOOD))])
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    model = make_chat_model("openai:stub-model", load_settings(model_timeout=10))
    usage = UsageTracker()
    verdict = structured_call(model, Verdict, ["Is it entailed?"], agent="critic", usage=usage)
    assert verdict.entailed
    (request,) = server.requests
    assert "tools" in request and "response_format" not in request
    assert usage.totals()["cost_usd"] == 0
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    openai_itself = make_chat_model("openai:gpt-4o-mini", load_settings())
    assert openai_itself.metadata["brief_structured"] == "json_schema"
