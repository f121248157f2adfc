"""`brief deepdive`: seed 002's structure from the demo papers, offline, in extractive mode
and with a scripted model; papers not in the store are fetched from the fixture arXiv
server first; every claim line and count traces to the sidecar."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from arxiv_server import ArxivServer, arxiv_server  # noqa: F401 (fixture)
from feeds import FeedEntry
from test_formats_common import (
    LINK,
    headings,
    in_order,
    lint_problems,
    read_brief,
    seed,
    table_headers,
    trace_problems,
)
from test_graph_fakes import FakeJudge, fake_model
from typer.testing import CliRunner

from agent.cli.app import app
from agent.errors import BriefError
from agent.formats import dates, service
from agent.settings import load_settings
from agent.sources.demo import demo_feed

IDS = ["2505.15781", "2508.14148", "2509.18085"]
AS_OF = date(2026, 2, 23)
PAPER_HEADINGS = ["核心思想", "技术亮点", "为什么值得关注", "对你的研究可能的启发"]
HEADINGS = ["概览", *PAPER_HEADINGS, "趋势分析", "推荐阅读顺序"]


def deepdive_cli(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["deepdive", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def structure_problems(text: str, ids: list[str]) -> list[str]:
    """Seed 002's shape: front matter, 概览 table, per paper 论文 / 发布 / 关键词 and the four
    sections, then 趋势分析 and 推荐阅读顺序; 发布 is the feed's date and its true age."""
    problems = []
    if not re.match(r"---\ntitle: \".+\"\ndate: \d{4}-\d\d-\d\d\n", text):
        problems.append("front matter")
    found = headings(text)
    if not in_order(found, HEADINGS):
        problems.append(f"headings out of order: {found}")
    if ["方向", "论文数", "热点"] not in table_headers(text):
        problems.append("no 概览 table")
    papers = re.split(r"^### \d+\. ", text.split("## 📈")[0], flags=re.M)[1:]
    if len(papers) != len(ids):
        problems.append(f"{len(papers)} paper blocks for {len(ids)} papers")
    published = {e.arxiv_id: e.published for e in demo_feed()}
    for block in papers:
        link = LINK.search(block)
        if not link or link.group(1) != link.group(2):
            problems.append(f"no [arXiv:ID](https://arxiv.org/abs/ID) link: {block[:60]}")
            continue
        day = published[link.group(1)]
        assert day is not None
        want = f"**📅 发布：** {day.isoformat()}（{dates.age(day, AS_OF, 'zh')}）"
        if want not in block:
            problems.append(f"发布 line of {link.group(1)} is not {want}")
        if not re.search(r"^\*\*🏷️ 关键词：\*\* \S", block, re.M):
            problems.append("empty 关键词")
        if not in_order(headings(block), PAPER_HEADINGS):
            problems.append(f"paper sections of {link.group(1)}: {headings(block)}")
        for part in re.split(r"^#### ", block, flags=re.M)[1:]:
            if not re.search(r"^(\d+\.|-) \S", part, re.M):
                problems.append(f"empty section {part.splitlines()[0]} in {link.group(1)}")
    overview = re.findall(r"^\| (?!方向|-)(.+?) \| (\d+) \|", text, re.M)
    if sum(int(n) for _, n in overview) != len(ids):
        problems.append(f"概览 counts {overview} do not add up to {len(ids)}")
    return problems


def test_deepdive_demo_extractive_cli(tmp_path: Path) -> None:
    out = tmp_path / "deepdive.md"
    summary = deepdive_cli(*IDS, "--demo", "--date", AS_OF.isoformat(), "--out", str(out))
    assert summary["path"] == str(out) and summary["papers"] == 3
    assert summary["llm_calls"] == 0 and summary["downloads"] == 0 and not summary["failures"]
    text, side = read_brief(summary)
    assert structure_problems(text, IDS) == []
    assert "未使用语言模型" in text and "date: 2026-02-23" in text
    assert trace_problems(text, side) == []
    assert lint_problems(text, side, "deepdive") == []
    claim_lines = [s for s in side["sentences"] if s.get("kind") != "count"]
    assert {s["paper"].split("v")[0] for s in claim_lines} == set(IDS)
    for line in text.splitlines():  # every figure in the prose is on a traced line
        if re.search(r"\d+(\.\d+)?[×%]", line) and not line.startswith("#"):
            assert any(s["text"] == line.strip() for s in side["sentences"]), line


def test_deepdive_matches_seed_002(shared_dir: Path, tmp_path: Path) -> None:
    reference = seed(shared_dir, "002")
    assert in_order(headings(reference), HEADINGS)  # the seed itself has this shape
    assert ["方向", "论文数", "热点"] in table_headers(reference)
    assert LINK.search(reference)
    summary = deepdive_cli(IDS[0], "--demo", "--date", AS_OF.isoformat())
    text, _ = read_brief(summary)
    assert in_order(headings(text), HEADINGS)
    assert ["方向", "论文数", "热点"] in table_headers(text)
    assert all(a == b for a, b in LINK.findall(text)) and LINK.search(text)


def test_deepdive_with_a_scripted_model() -> None:
    judge = FakeJudge()
    settings = load_settings(model_concurrency=2)
    summary = service.deepdive(settings, IDS, demo=True, as_of=AS_OF, chat_model=fake_model(judge))
    assert summary["llm_calls"] > 0 and summary["papers"] == 3
    text, side = read_brief(summary)
    assert structure_problems(text, IDS) == []
    assert trace_problems(text, side) == []
    assert "论文提出的方法" in text  # the scripted writer's prose, reviewed
    assert "论文报告的结果（" in text  # the extractor's Chinese phrase, its sentence in the sidecar
    assert "（原文「" not in text  # no English sentence inside the Chinese prose
    assert "未使用语言模型" not in text


def test_deepdive_english() -> None:
    settings = load_settings(lang="en")
    summary = service.deepdive(settings, IDS[:1], demo=True, as_of=AS_OF)
    text, side = read_brief(summary)
    assert "## 📊 Overview" in text and "#### Why it matters" in text
    assert trace_problems(text, side) == []


def test_deepdive_fetches_papers_not_in_the_store(arxiv_server: ArxivServer) -> None:  # noqa: F811
    for paper in demo_feed()[:2]:
        c = paper.candidate
        entry = FeedEntry(
            c.arxiv_id,
            c.version or "v1",
            c.title,
            c.authors,
            c.abstract,
            c.categories,
            published=c.published,
        )
        arxiv_server.add_paper(entry, paper.pdf_path)
    settings = load_settings(
        arxiv_api_url=arxiv_server.api_url, download_delay=0, download_retries=0
    )
    wanted = [demo_feed()[0].arxiv_id, demo_feed()[1].arxiv_id, "2611.00009"]
    first = service.deepdive(settings, wanted, as_of=AS_OF)
    assert first["downloads"] == 2 and first["papers"] == 2
    failed = {f["item"]: f for f in first["failures"]}
    assert set(failed) == {"2611.00009"} and "no paper" in failed["2611.00009"]["reason"]
    text, side = read_brief(first)
    assert "`2611.00009`（search）" in text.split("## 未纳入与舍弃", 1)[1]
    assert structure_problems(text, wanted[:2]) == []
    pdf_hits = arxiv_server.hits("/pdf/")
    second = service.deepdive(settings, wanted[:2], as_of=AS_OF)
    assert second["downloads"] == 0 and arxiv_server.hits("/pdf/") == pdf_hits
    assert second["papers"] == 2 and not second["failures"]


def test_deepdive_of_nothing_readable_is_an_error() -> None:
    result = CliRunner().invoke(app, ["deepdive", "9999.99999", "--demo"])
    assert result.exit_code != 0 and isinstance(result.exception, BriefError)
    assert "none of the papers" in str(result.exception) and "9999.99999" in str(result.exception)
