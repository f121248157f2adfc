"""Model specs → chat models, and the configuration errors a user can cause."""

from __future__ import annotations

import sys

import pytest

from agent.errors import ConfigError
from agent.llm.models import BriefChatOpenAI, is_extractive, make_chat_model, parse_spec
from agent.llm.structured import pick_method
from agent.settings import load_settings


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("none", ("none", "")),
        ("NONE", ("none", "")),
        ("openai:gpt-4o-mini", ("openai", "gpt-4o-mini")),
        ("llamacpp:/m/q.gguf", ("llamacpp", "/m/q.gguf")),
        ("llamacpp:C:/m/q.gguf", ("llamacpp", "C:/m/q.gguf")),
    ],
)
def test_parse_spec(spec: str, expected: tuple[str, str]) -> None:
    assert parse_spec(spec) == expected


@pytest.mark.parametrize("spec", ["gpt-4o", "anthropic:claude", "openai:", "", "llamacpp"])
def test_bad_spec_names_it_and_lists_valid_forms(spec: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_spec(spec)
    assert repr(spec) in err.value.message
    assert "openai:<model>" in err.value.hint and "llamacpp:" in err.value.hint


def test_is_extractive() -> None:
    assert is_extractive("none") and is_extractive(None)
    assert not is_extractive("openai:gpt-4o-mini")


def test_none_gives_no_model() -> None:
    assert make_chat_model("none", load_settings()) is None


def test_real_openai_needs_a_key() -> None:
    with pytest.raises(ConfigError) as err:
        make_chat_model("openai:gpt-4o-mini", load_settings())
    assert "OPENAI_API_KEY" in err.value.message


def test_openai_spec_builds_chat_openai_with_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    settings = load_settings(model_timeout=7, model_retries=5, model_concurrency=3)
    model = make_chat_model("openai:gpt-4o-mini", settings)
    assert isinstance(model, BriefChatOpenAI)
    assert model.model_name == "gpt-4o-mini"
    assert model.request_timeout == 7 and model.max_retries == 5 and model.concurrency == 3
    assert pick_method(model) == "json_schema"


def test_base_url_needs_no_key_and_uses_server_methods() -> None:
    settings = load_settings(base_url="http://127.0.0.1:9/v1")
    model = make_chat_model("openai:qwen2.5", settings)
    assert isinstance(model, BriefChatOpenAI)
    assert model.openai_api_base == "http://127.0.0.1:9/v1"
    assert pick_method(model) == "auto"
    assert model.metadata["brief_local"] is True


def test_missing_gguf_is_a_config_error(tmp_path) -> None:
    pytest.importorskip("llama_cpp")
    with pytest.raises(ConfigError) as err:
        make_chat_model(f"llamacpp:{tmp_path / 'nope.gguf'}", load_settings())
    assert "nope.gguf" in err.value.message


def test_catalog_name_not_pulled_suggests_pull() -> None:
    pytest.importorskip("llama_cpp")
    with pytest.raises(ConfigError) as err:
        make_chat_model("llamacpp:qwen2.5-1.5b", load_settings())
    assert "brief models pull qwen2.5-1.5b" in err.value.hint


def test_missing_llama_cpp_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import now raises ImportError
    with pytest.raises(ConfigError) as err:
        make_chat_model("llamacpp:/m/q.gguf", load_settings())
    assert "pip install 'brief[local]'" in err.value.hint


def test_cli_bad_spec_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from agent.cli.app import app

    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)  # the boundary prints one line
    result = CliRunner().invoke(app, ["models", "check", "--model", "foo:bar"])
    assert result.exit_code == 2  # a configuration error (agent.errors.EXIT_USAGE)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "foo:bar" in lines[0]
