"""Topic profiles: built-ins, config overrides, errors, `brief topics`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from agent.cli.app import app
from agent.errors import ConfigError
from agent.settings import load_settings
from agent.topics import get_topic, load_topics

BUILTIN = {"efficient-ai", "diffusion-lm", "inference-acceleration", "ai-systems"}


def test_builtin_profiles_are_complete():
    topics = load_topics(load_settings())
    assert set(topics) >= BUILTIN
    for name in BUILTIN:
        t = topics[name]
        assert t.builtin and t.title and t.title_zh and t.categories and t.keywords
        assert all(c.startswith("cs.") for c in t.categories)
        assert len(t.directions) >= 4
        assert all(d.name and d.name_zh and d.keywords for d in t.directions)
    names = {d.name_zh for d in topics["efficient-ai"].directions}
    assert {"量化", "投机解码", "KV 缓存"} <= names


def test_directions_group_a_paper():
    topic = get_topic(load_settings(), "efficient-ai")
    found = topic.directions_of("GPTQ: post-training quantization to 4-bit for GPT models")
    assert found[0].name_zh == "量化"
    assert topic.directions_of("a paper about gardening") == []


def test_config_file_overrides_and_adds_profiles(tmp_path, monkeypatch):
    (tmp_path / "cwd" / "brief.toml").write_text(
        '[topics.diffusion-lm]\nkeywords = ["LLaDA"]\n\n'
        '[topics.my-rag]\ntitle = "RAG"\ncategories = ["cs.IR"]\nkeywords = ["retrieval"]\n'
        '[[topics.my-rag.directions]]\nname = "Rerankers"\nname_zh = "重排"\n'
        'keywords = ["rerank"]\n',
        encoding="utf-8",
    )
    topics = load_topics(load_settings())
    assert topics["diffusion-lm"].keywords == ["LLaDA"] and not topics["diffusion-lm"].builtin
    assert topics["diffusion-lm"].categories == ["cs.CL", "cs.LG", "cs.AI"]  # kept
    assert topics["my-rag"].directions[0].name_zh == "重排"
    assert topics["efficient-ai"].builtin


def test_unknown_topic_lists_the_known_ones():
    with pytest.raises(ConfigError) as err:
        get_topic(load_settings(), "quantum")
    assert "unknown topic 'quantum'" in str(err.value)
    assert all(name in err.value.hint for name in BUILTIN)


def test_bad_profile_names_the_field():
    settings = load_settings(topics={"x": {"keywords": "not a list"}})
    with pytest.raises(ConfigError, match=r"topics\.x\.keywords"):
        load_topics(settings)
    with pytest.raises(ConfigError, match="invalid topic name"):
        load_topics(load_settings(topics={"Bad Name": {}}))
    with pytest.raises(ConfigError, match=r"topics\.x"):
        load_topics(load_settings(topics={"x": {"colour": "red"}}))


def test_brief_topics_cli():
    result = CliRunner().invoke(app, ["topics", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= BUILTIN
    assert data["diffusion-lm"]["directions"][0]["name_zh"]
    text = CliRunner().invoke(app, ["topics"])
    assert text.exit_code == 0 and "efficient-ai" in text.stdout and "量化" in text.stdout
