"""`brief daily`: seed 004's report over one day's papers (the weekly format over a one-day
window), offline from the demo papers, in extractive mode and with a scripted model."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from arxiv_server import ArxivServer, arxiv_server  # noqa: F401 (fixture)
from feeds import FeedEntry
from test_formats_common import headings, in_order, lint_problems, read_brief, seed
from test_graph_fakes import FakeJudge, fake_model
from test_weekly import structure_problems
from typer.testing import CliRunner

from agent.cli.app import app
from agent.formats import service
from agent.settings import load_settings
from agent.sources.demo import demo_feed
from agent.sources.window import today


def daily_cli(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["daily", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def papers_of(day: date) -> set[str]:
    return {e.arxiv_id for e in demo_feed() if e.published == day}


def test_daily_demo_is_one_days_papers_in_seed_004_shape() -> None:
    newest = max(e.published for e in demo_feed() if e.published)
    summary = daily_cli("--demo")
    text, side = read_brief(summary)
    assert structure_problems(text) == []
    assert summary["papers"] == len(papers_of(newest)) and summary["llm_calls"] == 0
    assert f"date: {newest.isoformat()}" in text
    assert f"{newest.year} 年 {newest.month} 月 {newest.day} 日" in text
    briefed = set(re.findall(r"^\*\*arXiv\*\*: \[(\d{4}\.\d{4,5})", text, re.M))
    assert briefed == papers_of(newest)
    assert side["kind"] == "daily" and side["window"] == f"{newest}..{newest}"
    assert lint_problems(text, side, "daily") == []


def test_daily_for_another_day() -> None:
    day = min(e.published for e in demo_feed() if e.published)
    text, _ = read_brief(daily_cli("--demo", "--date", day.isoformat()))
    assert set(re.findall(r"^\*\*arXiv\*\*: \[(\d{4}\.\d{4,5})", text, re.M)) == papers_of(day)


def test_daily_with_a_scripted_model() -> None:
    settings = load_settings(model_concurrency=2)
    summary = service.daily(settings, demo=True, chat_model=fake_model(FakeJudge()))
    text, side = read_brief(summary)
    assert summary["llm_calls"] > 0 and structure_problems(text) == []
    sentences = [s for s in side["sentences"] if s.get("kind") not in ("abstract", "count")]
    assert sentences and all(s["claims"] for s in sentences)


def test_daily_from_the_fixture_arxiv_server(arxiv_server: ArxivServer) -> None:  # noqa: F811
    day = today() - timedelta(days=1)
    for paper in demo_feed():
        c = paper.candidate
        entry = FeedEntry(
            c.arxiv_id,
            c.version or "v1",
            c.title,
            c.authors,
            c.abstract,
            c.categories,
            published=day,
        )
        arxiv_server.add_paper(entry, paper.pdf_path)
    settings = load_settings(
        arxiv_api_url=arxiv_server.api_url, download_delay=0, download_retries=0
    )
    summary = service.daily(settings, topic="diffusion-lm", day=day)
    assert summary["downloads"] == 3 and summary["papers"] == 3, summary["failures"]
    text, side = read_brief(summary)
    assert structure_problems(text) == [] and side["window"] == f"{day}..{day}"
    query = next(q for path, q, _ in arxiv_server.requests if path == "/api/query")
    assert f"submittedDate:[{day:%Y%m%d}0000 TO {day:%Y%m%d}2359]" in query["search_query"][0]


def test_daily_matches_seed_004(shared_dir: Path) -> None:
    reference = seed(shared_dir, "004")
    wanted = ["论文技术简报", "论文详细信息"]
    assert in_order(headings(reference), wanted)
    text, _ = read_brief(daily_cli("--demo"))
    assert in_order(headings(text), wanted)
    for field in (
        r"^生成时间: \S",
        r"^分析论文数量: \d+篇$",
        r"^\*\*主要机构\*\*: \S",
        r"^\*\*摘要\*\*:",
    ):
        assert re.search(field, reference, re.M) and re.search(field, text, re.M), field
