"""`brief trends`: research heat counted from a store of dated papers (this month against
the previous one), seed 000's structure from the demo papers in extractive mode and with a
scripted model, and no section the papers cannot support."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from test_formats_common import (
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
from agent.formats import heat, service
from agent.settings import load_settings
from agent.topics import get_topic
from store.chroma import open_store
from store.ingest import store_parsed
from store.schemas import Paper, ParsedPaper, short_hash

HEADINGS = ["执行摘要", "技术方向分析", "现状", "热点工作", "推荐阅读清单"]
COLUMNS = ["技术", "本期论文数", "上期论文数", "研究热度", "变化"]
# (arXiv id, published, title, abstract): quantization 3 in November against 1 in October,
# pruning 1 against 2, KV cache new; one paper off the topic, one outside both months.
DATED = [
    ("2611.00001", date(2026, 11, 3), "Q1", "Post-training quantization of LLMs to 4-bit."),
    ("2611.00002", date(2026, 11, 9), "Q2", "Quantization-aware training with int8."),
    ("2611.00003", date(2026, 11, 20), "Q3", "Low-bit quantization and structured pruning."),
    ("2611.00004", date(2026, 11, 28), "K1", "A KV cache eviction policy."),
    ("2611.00005", date(2026, 11, 12), "Off", "Protein folding with molecular dynamics."),
    ("2610.00001", date(2026, 10, 2), "Q0", "Quantization for vision transformers."),
    ("2610.00002", date(2026, 10, 15), "P1", "Pruning attention heads."),
    ("2610.00003", date(2026, 10, 30), "P2", "Unstructured sparsity via pruning."),
    ("2609.00001", date(2026, 9, 30), "Old", "Quantization long ago."),
]


def populate(settings: Any) -> None:
    store = open_store(settings)
    try:
        for arxiv_id, day, title, abstract in DATED:
            paper = Paper(
                arxiv_id=arxiv_id,
                arxiv_version="v1",
                sha256=short_hash(arxiv_id, n=64),
                title=title,
                abstract=abstract,
                published=day,
                page_count=1,
                source="pdf",
            )
            store_parsed(store, ParsedPaper(paper=paper, pages=[abstract], chunks=[]))
    finally:
        store.close()


def row(text: str, name: str) -> list[str]:
    match = re.search(rf"^\| {re.escape(name)} \|(.*)\|$", text, re.M)
    assert match, f"no row {name}"
    return [c.strip() for c in match.group(1).split("|")]


def test_heat_is_counted_from_dated_papers_in_the_store() -> None:
    settings = load_settings()
    populate(settings)
    topic = get_topic(settings, "efficient-ai")
    store = open_store(settings)
    try:
        now = heat.stored_in(store, topic, date(2026, 11, 1), date(2026, 11, 30))
        before = heat.stored_in(store, topic, date(2026, 10, 1), date(2026, 10, 31))
    finally:
        store.close()
    assert sorted(p["arxiv_id"] for p in now) == [f"2611.0000{i}" for i in (1, 2, 3, 4)]
    assert len(before) == 3
    table = {d["direction"]: d for d in heat.heat_table(topic, now, before, "zh")}
    quant = table["Quantization"]["total"]
    assert (quant["current"], quant["previous"], quant["fire"], quant["change"]) == (
        3,
        1,
        "🔥🔥",
        "+2",
    )
    prune = table["Pruning and sparsity"]["total"]
    assert (prune["current"], prune["previous"], prune["change"]) == (1, 2, "-1")
    kv = table["KV cache"]["total"]
    assert (kv["current"], kv["previous"], kv["change"]) == (1, 0, "新出现 +1")
    assert table["Mixture of Experts"]["total"]["current"] == 0


def test_trend_report_states_the_measured_heat(tmp_path: Path) -> None:
    settings = load_settings()
    populate(settings)
    summary = service.trends(settings, month="2026-11", out=str(tmp_path / "t.md"))
    text, side = read_brief(summary)
    assert row(text, "**合计：量化**") == ["3", "1", "🔥🔥", "+2"]
    assert row(text, "**合计：剪枝与稀疏化**") == ["1", "2", "🔥", "-1"]
    assert row(text, "quantization") == ["3", "1", "🔥🔥", "+2"]
    assert (
        "本期 2026-11-01 至 2026-11-30，上期 2026-10-01 至 2026-10-31" in text
        and "🔥 = 本期论文数分档" in text
    )
    assert "本期库中共有 4 篇该主题论文（上期 3 篇）" in text
    # the fabricated papers have no PDF, and the protein paper is off the topic: each is
    # listed with its reason, none dropped silently, and the counts add up
    failed = {f["item"]: f["stage"] for f in summary["failures"]}
    assert failed == {f"2611.0000{i}v1": "select" for i in (1, 2, 3, 4)} | {
        "2611.00005v1": "topic"
    }
    footer = text.split("## 未纳入与舍弃", 1)[1]
    assert all(f"`{key}`" in footer for key in failed)
    assert "本次共涉及 5 篇论文：解读 0 篇" in text and "0 + 5 = 5" in text
    assert side["heat"][0]["total"]["papers"] == [f"2611.0000{i}v1" for i in (1, 2, 3)]
    assert trace_problems(text, side) == []


def trends_cli(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["trends", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def structure_problems(text: str) -> list[str]:
    problems = []
    if not re.match(r"---\ntitle: \".+趋势报告 — \d{4} 年 \d{1,2} 月\"\ndate: ", text):
        problems.append("front matter / title")
    if not in_order(headings(text), HEADINGS):
        problems.append(f"headings: {headings(text)}")
    if COLUMNS not in table_headers(text):
        problems.append("no heat table")
    if not re.search(r"^\d+\. \[.+\]\(https://arxiv\.org/abs/\d{4}\.\d{4,5}\)", text, re.M):
        problems.append("no reading list with arXiv links")
    if re.search(r"^#+ .*(工业界动态|顶会趋势)", text, re.M):
        problems.append("a section the papers cannot support")
    for match in re.finditer(r"^\| (.+) \| (\d+) \| (\d+) \| (\S+) \| (\S+) \|$", text, re.M):
        if match.group(4) != heat.fire(int(match.group(2))):
            problems.append(f"heat of {match.group(1)} is not computed from its count")
    return problems


def test_trends_demo_extractive_cli() -> None:
    summary = trends_cli("--demo", "--month", "2025-09")
    text, side = read_brief(summary)
    assert summary["papers"] >= 1 and summary["llm_calls"] == 0
    assert structure_problems(text) == []
    assert trace_problems(text, side) == []
    assert lint_problems(text, side, "trends") == []


def test_trends_with_a_scripted_model() -> None:
    settings = load_settings(model_concurrency=2)
    summary = service.trends(
        settings, month="2025-09", demo=True, chat_model=fake_model(FakeJudge())
    )
    text, side = read_brief(summary)
    assert summary["llm_calls"] > 0 and summary["papers"] >= 1
    assert structure_problems(text) == [] and trace_problems(text, side) == []


def test_trends_matches_seed_000(shared_dir: Path) -> None:
    reference = seed(shared_dir, "000")
    wanted = ["执行摘要", "技术方向分析", "现状", "热点工作", "开放问题", "推荐阅读清单"]
    assert in_order(headings(reference), wanted)
    assert any("研究热度" in h for h in table_headers(reference))
    summary = trends_cli("--demo", "--month", "2025-09")
    text, _ = read_brief(summary)
    assert in_order(headings(text), [w for w in wanted if w != "开放问题"])
    assert "开放问题" in headings(text)  # under each direction with papers this period
    assert re.search(r"\[[^\]]+\]\(https://arxiv\.org/abs/\d{4}\.\d{4,5}\)", text)
