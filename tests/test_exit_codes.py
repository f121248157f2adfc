"""Exit codes as a CI job sees them, from real `brief` processes: 0 ok, 1 a check found
problems, 2 a usage or configuration error (with one line on stderr), listed in --help."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

WEEKLY = """# AI推理加速技术论文分析报告
生成时间: 2025-09-10 15:56:45
分析论文数量: 1篇

## 论文技术简报

### 1. STADI

中山大学发布了STADI论文，使用混合并行调度，解决了异构GPU负载不均问题，达成了端到端延迟降低{n}%的效果。

## 论文详细信息

### 1. STADI

**主要机构**: Sun Yat-sen University
**作者数量**: 5人

**摘要**:
Our method reduces end-to-end inference latency by up to 45%.
"""


def brief(*args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    """Run `brief` as a CI job would: a new process, no pytest in its environment (under
    pytest the CLI keeps tracebacks instead of its one-line errors)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "agent", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


@pytest.fixture
def briefs(tmp_path: Path) -> tuple[Path, Path]:
    good, bad = tmp_path / "good.md", tmp_path / "bad.md"
    good.write_text(WEEKLY.format(n=45), encoding="utf-8")
    bad.write_text(WEEKLY.format(n=54), encoding="utf-8")  # 54% is not in the abstract
    return good, bad


def test_lint_passes_fails_and_missing_file(briefs: tuple[Path, Path], tmp_path: Path) -> None:
    good, bad = briefs
    assert brief("eval", "lint", str(good)).returncode == 0
    failed = brief("eval", "lint", str(good), str(bad), "--json")
    assert failed.returncode == 1, failed.stderr
    assert '"passed": false' in failed.stdout
    missing = brief("eval", "lint", str(good), str(tmp_path / "nope.md"))
    assert missing.returncode == 2
    assert "no such file" in one_error_line(missing)
    folder = brief("eval", "lint", str(good), "--papers", str(tmp_path / "no-pdfs"))
    assert folder.returncode == 2
    assert "no such directory" in one_error_line(folder)


def test_bad_setting_and_bad_options_exit_2(tmp_path: Path) -> None:
    setting = brief("doctor", "--offline", BRIEF_WORKERS="zero")
    assert setting.returncode == 2
    assert "BRIEF_WORKERS" in one_error_line(setting)
    fmt = brief("store", "export", "--format", "docx")
    assert fmt.returncode == 2
    assert "--format" in one_error_line(fmt)
    topic = brief("weekly", "--demo", "--topic", "no-such-topic", BRIEF_HOME=str(tmp_path))
    assert topic.returncode == 2
    assert "unknown topic 'no-such-topic'" in one_error_line(topic)
    assert not list(tmp_path.rglob("*.md"))  # refused before any work
    unknown = brief("weekly", "--no-such-option")  # click's own usage error
    assert unknown.returncode == 2
    assert "No such option" in unknown.stderr


def test_help_lists_the_exit_codes() -> None:
    proc = brief("--help")
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert "Exit codes: 0 ok" in text
    assert "1 the command found problems" in text
    assert "2 usage or configuration error" in text
