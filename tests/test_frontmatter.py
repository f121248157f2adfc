"""Front matter: written by PyYAML in every brief template, so a `"`, `:` or `#` in a topic
title still gives valid YAML (checked with yaml.safe_load); `brief eval lint` flags a front
matter block that is not valid YAML."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from agent.frontmatter import front_matter
from agent.render import PROMPTS, environment, render_brief
from evals.lint import lint_text

NASTY = "Say \"fast\": KV-cache # tricks — 高效 AI: '量化' [v2] {x} & *y* | z"


def block(text: str) -> dict[str, object]:
    """The front matter of `text`, parsed by the real YAML parser."""
    lines = text.split("\n")
    assert lines[0] == "---", text[:200]
    end = lines.index("---", 1)
    data = yaml.safe_load("\n".join(lines[1:end]))
    assert isinstance(data, dict)
    return data


def test_values_round_trip() -> None:
    text = front_matter(
        title=NASTY,
        date="2026-03-01",
        draft=False,
        description="line one\nline: two",
        tags=['a"b', "c: d", "efficient-ai"],
        generator="brief (model openai:gpt-4o-mini)",
    )
    assert block(text + "\n") == {
        "title": NASTY,
        "date": date(2026, 3, 1),
        "draft": False,
        "description": "line one\nline: two",
        "tags": ['a"b', "c: d", "efficient-ai"],
        "generator": "brief (model openai:gpt-4o-mini)",
    }
    lines = text.split("\n")
    # the seeds' shape: plain keys, quoted strings, a bare date, inline tags
    assert lines[1].startswith('title: "') and lines[2] == "date: 2026-03-01"
    assert lines[3] == "draft: false" and lines[5].startswith('tags: ["a\\"b", ')


@pytest.mark.parametrize("kind", ["weekly", "deepdive", "trends", "catalog"])
def test_every_template_writes_its_front_matter_with_yaml(kind: str) -> None:
    source = (PROMPTS / f"brief.{kind}.md.j2").read_text(encoding="utf-8")
    head = source.split("\n# {{ title }}")[0]  # the template's comment and front matter
    assert "front_matter(" in head and 'title: "{{' not in head
    text = (
        environment()
        .from_string(head)
        .render(
            title=NASTY,
            date="2026-03-01",
            description=NASTY,
            tags=["efficient-ai", 'x"y'],
            generator="brief (extractive, no language model)",
        )
    )
    data = block(text.lstrip())
    assert data["title"] == NASTY and data["description"] == NASTY
    assert data["date"] == date(2026, 3, 1) and data["draft"] is False


def test_a_weekly_brief_with_a_quoted_topic_title_is_valid_and_lints_clean() -> None:
    markdown, _ = render_brief(
        kind="weekly",
        lang="zh",
        topic="efficient-ai",
        topic_title=NASTY,
        window=(date(2026, 2, 23), date(2026, 3, 1)),
        papers=[],
        failures=[],
        generated=datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
        model=None,
        terms={},
    )
    data = block(markdown)
    assert NASTY in str(data["title"])
    assert data["tags"] == ["efficient-ai", "arxiv", "weekly", "paper-analysis", "extractive"]
    assert not [f for f in lint_text(markdown, "weekly.md").flags if f.kind == "front-matter"]


def test_lint_flags_front_matter_that_is_not_yaml(tmp_path: Path) -> None:
    interpolated = f'---\ntitle: "{NASTY}"\ndate: 2026-03-01\n---\n\n# report\n'
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(interpolated.split("---")[1])
    case = lint_text(interpolated, "old.md")
    (flag,) = [f for f in case.flags if f.kind == "front-matter"]
    assert flag.line == 2 and flag.severity == "error" and "not valid YAML" in flag.reason
    assert not case.passed
    unclosed = lint_text("---\ntitle: x\n\n# report\n", "open.md")
    assert [f.reason for f in unclosed.flags if f.kind == "front-matter"] == [
        "front matter opened with --- is never closed"
    ]
    scalar = lint_text("---\njust words\n---\n\n# report\n", "scalar.md")
    assert [f.line for f in scalar.flags if f.kind == "front-matter"] == [2]
