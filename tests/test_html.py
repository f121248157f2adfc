"""`--format html`: a brief rendered by markdown-it-py and sanitised by nh3; no script, event
handler or javascript: link survives, from a title or from the body."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli.app import app
from agent.frontmatter import front_matter
from agent.html import to_html

HOSTILE = "<script>alert(1)</script> Fast <img src=x onerror=alert(2)> KV"


class Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's parser sees them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def unsafe(html: str) -> list[str]:
    found = []
    for tag, attrs in Elements(html).tags:
        if tag in ("script", "img", "iframe", "object", "embed"):
            found.append(tag)
        for name, value in attrs.items():
            if name.startswith("on") or "javascript:" in (value or "").lower():
                found.append(f"{tag} {name}={value}")
    return found


def test_hostile_title_and_body_do_not_survive() -> None:
    markdown = (
        front_matter(title=HOSTILE, date="2026-03-01")
        + f"\n\n# {HOSTILE}\n\n"
        + 'A [link](javascript:alert(3)) and <a href="javascript:alert(4)" onclick="x()">raw</a>.\n\n'
        + '<iframe src="https://example.org"></iframe>\n\n'
        + "| 技术 | 本期论文数 |\n|---|---|\n| 量化 | 3 |\n\n"
        + "- a [real paper](https://arxiv.org/abs/2505.15781)\n"
    )
    html = to_html(markdown)
    assert unsafe(html) == []
    assert "<script" not in html.lower()  # as text it is escaped: &lt;script&gt;
    head = html.split("</head>", 1)[0]
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; Fast" in head  # shown, not run
    tags = [t for t, _ in Elements(html).tags]
    assert "table" in tags and tags.count("h1") == 1 and "style" in tags  # our stylesheet only
    links = [a for t, a in Elements(html).tags if t == "a"]
    assert links == [{"href": "https://arxiv.org/abs/2505.15781", "rel": "noopener noreferrer"}]
    assert "date: 2026-03-01" not in html  # the front matter is not shown


def test_weekly_format_html_writes_the_page_beside_the_brief(tmp_path: Path) -> None:
    out = tmp_path / "weekly.md"
    result = CliRunner().invoke(
        app, ["weekly", "--demo", "--format", "html", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    page = Path(summary["html"])
    assert page == tmp_path / "weekly.html" and out.is_file()
    html = page.read_text(encoding="utf-8")
    assert unsafe(html) == []
    assert "<title>高效 AI 论文分析报告" in html and "<h1>高效 AI 论文分析报告" in html
    assert "https://arxiv.org/abs/2505.15781" in html


def test_unknown_format_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["weekly", "--demo", "--format", "pdf"])
    assert result.exit_code != 0
    assert "--format md or --format html" in str(result.exception)


@pytest.mark.parametrize(
    "args",
    [
        ["daily", "--demo"],
        ["deepdive", "2505.15781", "--demo", "--date", "2026-02-23"],
        ["trends", "--demo", "--month", "2025-09"],
        ["catalog", "--demo"],
    ],
    ids=lambda a: a[0],
)
def test_the_other_formats_write_html_too(args: list[str], tmp_path: Path) -> None:
    out = tmp_path / f"{args[0]}.md"
    result = CliRunner().invoke(app, [*args, "--format", "html", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    page = Path(json.loads(result.stdout)["html"])
    assert page == out.with_suffix(".html")
    html = page.read_text(encoding="utf-8")
    assert unsafe(html) == [] and "<h1>" in html
    assert ("<table>" in html) == (args[0] != "daily")  # the weekly format has no table
    if args[0] == "trends":  # the chart stays a Mermaid code block
        assert '<code class="language-mermaid">xychart-beta' in html
