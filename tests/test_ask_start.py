"""`brief ask --model none` and `brief store search` start without the model client libraries.

The CLI runs in a subprocess with `python -X importtime`, which lists every module the
process imported on stderr; the model clients (openai, langchain_openai, llama_cpp) must not
be among them. A run with a model spec is the control: the same check sees them there.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_chat_support import ingest

MODEL_CLIENTS = ("openai", "langchain_openai", "llama_cpp")
_IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)\s*$", re.MULTILINE)


def imported(args: list[str], home: Path, **env: str) -> tuple[subprocess.CompletedProcess, set]:
    child_env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    child_env.update(BRIEF_HOME=str(home), BRIEF_EMBEDDINGS="hash", **env)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "agent", *args],
        capture_output=True,
        text=True,
        env=child_env,
        timeout=120,
    )
    return done, set(_IMPORTED.findall(done.stderr))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, demo_pdfs: list[Path]) -> Path:
    home = tmp_path_factory.mktemp("ask-start")
    ingest(home, demo_pdfs[:1])
    return home


@pytest.mark.parametrize(
    "args",
    [
        ["ask", "--model", "none", "How does dKV-Cache reduce latency?"],
        ["ask", "--model", "none", "--json", "dKV-Cache 如何降低推理延迟？"],
        ["store", "search", "KV cache for diffusion language models"],
    ],
    ids=["ask", "ask-zh-json", "store-search"],
)
def test_no_model_client_is_imported_without_a_model(home: Path, args: list[str]) -> None:
    done, modules = imported(args, home)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "[arXiv:" in done.stdout or '"arxiv_id"' in done.stdout  # it did answer
    assert "store.chroma" in modules  # the listing is real: the store was opened
    assert not modules & set(MODEL_CLIENTS), sorted(modules & set(MODEL_CLIENTS))


def test_the_check_sees_a_model_client_when_a_model_is_used(home: Path) -> None:
    # an OpenAI-compatible server that is never reached: an empty question finds nothing
    done, modules = imported(
        ["ask", "--model", "openai:x", "--k", "1", ""],
        home,
        BRIEF_BASE_URL="http://127.0.0.1:9/v1",
    )
    assert "langchain_openai" in modules, done.stderr[-2000:]
