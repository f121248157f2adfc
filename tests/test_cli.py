"""The CLI shell: version, help, doctor, and the single error boundary."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from agent import __version__
from agent.cli.app import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"brief {__version__}"


def test_doctor_json_reports_settings_and_parts(brief_home) -> None:
    result = runner.invoke(app, ["doctor", "--json", "--offline"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["home"] == str(brief_home)
    assert report["settings"]["pdf_engine"] == "pdfium"
    assert "llama_cpp" in report["optional"]


def test_doctor_never_prints_the_api_key(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-planted-secret-123")
    result = runner.invoke(app, ["doctor", "--offline"])
    assert result.exit_code == 0, result.output
    assert "sk-planted-secret-123" not in result.output


def _run_cli(*args: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "agent", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_bad_setting_is_one_red_line_and_exit_2() -> None:
    proc = _run_cli("doctor", "--offline", env_extra={"BRIEF_WORKERS": "zero"})
    assert proc.returncode == 2  # a configuration error (agent.errors.EXIT_USAGE)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "workers" in lines[0] and "BRIEF_WORKERS" in lines[0]
    assert "Traceback" not in proc.stderr


def test_debug_keeps_the_traceback() -> None:
    proc = _run_cli("doctor", "--offline", env_extra={"BRIEF_WORKERS": "zero", "BRIEF_DEBUG": "1"})
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr
