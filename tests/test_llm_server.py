"""The OpenAI-compatible path against `python -m llama_cpp.server` with the tiny GGUF, through
the code users run: `make_chat_model("openai:<name>")` with BRIEF_BASE_URL set."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import BaseModel, Field
from tinymodel import tiny_gguf_fixture  # noqa: F401 (fixture)

from agent.llm.models import make_chat_model
from agent.llm.structured import InvalidStructuredOutput, structured_call
from agent.llm.usage import UsageTracker
from agent.settings import load_settings

pytestmark = pytest.mark.llama
pytest.importorskip("llama_cpp")
pytest.importorskip("llama_cpp.server.app")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(tiny_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model = tiny_gguf
    port = free_port()
    log = (tmp_path_factory.getbasetemp() / "llama_server.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start (log: {log.name})")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


class Claim(BaseModel):
    """One claim with its quote."""

    statement: str = Field(description="the claim")
    quote: str = Field(description="verbatim quote")
    page: int = Field(description="page number")
    numbers: list[str] = Field(description="numbers in the claim")


@pytest.fixture
def model(server_url: str):
    return make_chat_model("openai:tiny", load_settings(base_url=server_url, model_retries=0))


def test_chat_and_stream(model) -> None:
    reply = model.invoke("你好", max_tokens=8)
    assert reply.response_metadata["finish_reason"] in ("stop", "length")
    chunks = list(model.stream("你好", max_tokens=8))
    assert len(chunks) >= 2


def test_json_object_mode_gives_json(model) -> None:
    """json_object constrains to JSON but not to the schema: a random model may miss fields,
    which validation catches; the raw answer is always a JSON object."""
    try:
        structured_call(
            model,
            Claim,
            [("human", "准确率为 91.2%。")],
            agent="extractor",
            usage=UsageTracker(),
            method="json_object",
            max_reask=0,
        )
    except InvalidStructuredOutput as exc:
        assert isinstance(json.loads(exc.raw), dict)


@pytest.mark.parametrize("method", ["auto", "tools"])
def test_structured_output(model, method: str) -> None:
    usage = UsageTracker()
    for _ in range(3):
        claim = structured_call(
            model,
            Claim,
            [("system", "Extract one claim."), ("human", "准确率为 91.2%。")],
            agent="extractor",
            usage=usage,
            method=method,
        )
        assert isinstance(claim, Claim)
    assert usage.totals()["tokens_in"] > 0 and usage.totals()["cost_usd"] == 0


def test_cli_check_through_the_server(server_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from agent.cli.app import app

    monkeypatch.setenv("BRIEF_BASE_URL", server_url)
    result = CliRunner().invoke(app, ["models", "check", "--model", "openai:tiny", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["schema_valid"] is True and report["tokens_out"] > 0
