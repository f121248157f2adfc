"""The formats from ../shared corpus papers (skipped without it): a deep-dive of papers the
store does not hold yet (fetched from the fixture arXiv server with their real metadata),
grouped by the taxonomy; then a trend report and a catalog over the same store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from arxiv_server import ArxivServer, arxiv_server  # noqa: F401 (fixture)
from feeds import corpus_entries
from test_formats_common import headings, in_order, lint_problems, read_brief, trace_problems

from agent.formats import service
from agent.settings import load_settings

WANTED = {"2210.17323": "量化", "1910.01108": "知识蒸馏", "2211.17192": "投机解码"}


def test_formats_from_corpus_papers(shared_dir: Path, arxiv_server: ArxivServer) -> None:  # noqa: F811
    for entry, pdf in corpus_entries(shared_dir):
        if entry.arxiv_id in WANTED:
            entry.published = entry.published_day()
            arxiv_server.add_paper(entry, pdf)
    settings = load_settings(
        arxiv_api_url=arxiv_server.api_url, download_delay=0, download_retries=0
    )
    deep = service.deepdive(settings, list(WANTED), as_of=date(2023, 1, 15))
    assert deep["downloads"] == 3
    briefed = deep["papers"]
    failed = {f["item"].split("v")[0] for f in deep["failures"]}
    assert briefed + len(failed) == 3 and briefed >= 2  # none left out silently
    text, side = read_brief(deep)
    assert trace_problems(text, side) == [] and lint_problems(text, side, "deepdive") == []
    found = headings(text)
    for arxiv_id, direction in WANTED.items():
        if arxiv_id not in failed:  # each paper sits under its direction of the taxonomy
            block = text.split(f"## 🧠 {direction}", 1)[1].split("\n## ", 1)[0]
            assert f"[arXiv:{arxiv_id}](https://arxiv.org/abs/{arxiv_id})" in block
    assert in_order(found, ["概览", "趋势分析", "推荐阅读顺序"])

    trends = service.trends(settings, month="2022-11")  # speculative decoding vs GPTQ's month
    text, side = read_brief(trends)
    assert (
        "本期 2022-11-01 至 2022-11-30，上期 2022-10-01 至 2022-10-31" in text
        and trace_problems(text, side) == []
    )
    total = next(line for line in text.splitlines() if line.startswith("| **合计：量化**"))
    assert total.split("|")[2:4] == [" 0 ", " 1 "]  # GPTQ was October's

    kb = service.catalog(settings, out=str(Path(deep["path"]).with_name("kb.md")))
    text, side = read_brief(kb)
    assert kb["papers"] == briefed and trace_problems(text, side) == []
    assert text.count("](https://arxiv.org/abs/") == briefed
