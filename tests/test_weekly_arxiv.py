"""`brief weekly` through the fetcher against the fixture arXiv server on 127.0.0.1: papers
are searched, scored, downloaded and briefed; filtered and failed ones are listed in the
footer; a rerun downloads nothing and asks the model nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from arxiv_server import ArxivServer, Fault, arxiv_server  # noqa: F401 (fixture)
from feeds import FeedEntry
from test_graph_fakes import FakeJudge, fake_model

from agent.runs import run_brief
from agent.settings import load_settings
from agent.sources.demo import demo_feed
from agent.sources.window import make_window, today


def recent(entry: FeedEntry) -> FeedEntry:
    entry.published = today() - timedelta(days=2)
    return entry


def serve(server: ArxivServer) -> tuple[list[FeedEntry], FeedEntry, FeedEntry]:
    papers = []
    for paper in demo_feed():
        c = paper.candidate
        entry = recent(
            FeedEntry(c.arxiv_id, c.version or "v1", c.title, c.authors, c.abstract, c.categories)
        )
        server.add_paper(entry, paper.pdf_path)
        papers.append(entry)
    off_topic = recent(
        FeedEntry(
            "2611.00001",
            "v1",
            "Protein folding with image diffusion",
            ["A. Author"],
            "We generate protein images.",
        )
    )
    server.add_paper(off_topic)
    broken = recent(
        FeedEntry(
            "2611.00002",
            "v1",
            "KV cache compression for diffusion LLM decoding",
            ["B. Author"],
            "A KV cache for diffusion language models speeds up decoding of dLLMs.",
        )
    )
    server.add_paper(broken, b"%PDF-1.4 not really a pdf")
    server.fault(f"/pdf/{broken.key}", *[Fault.http(404)] * 3)
    return papers, off_topic, broken


def test_weekly_from_the_fixture_arxiv_server(arxiv_server: ArxivServer) -> None:  # noqa: F811
    papers, off_topic, broken = serve(arxiv_server)
    settings = load_settings(
        arxiv_api_url=arxiv_server.api_url,
        download_delay=0,
        download_retries=0,
        model_concurrency=2,
    )
    window = make_window(since="7d").label
    judge = FakeJudge()
    first = run_brief(settings, topic="diffusion-lm", window=window, chat_model=fake_model(judge))

    assert first["downloads"] == 3
    assert first["papers"] == 3, first["failures"]
    brief = Path(first["path"]).read_text(encoding="utf-8")
    for entry in papers:
        assert f"[{entry.key}](https://arxiv.org/abs/{entry.key})" in brief
    footer = brief.split("## 未纳入与舍弃", 1)[1]
    failed = {f["item"]: f for f in first["failures"]}
    assert off_topic.key in failed and "filtered" in failed[off_topic.key]["stage"]
    assert broken.key in failed and "failed" in failed[broken.key]["stage"]
    assert off_topic.key in footer and broken.key in footer
    pdf_hits = arxiv_server.hits("/pdf/")
    broken_hits = arxiv_server.hits(f"/pdf/{broken.key}")

    silent = fake_model(FakeJudge(), calls=0)
    second = run_brief(settings, topic="diffusion-lm", window=window, chat_model=silent)
    # stored papers are not downloaded again; the paper that failed is tried again
    assert second["downloads"] == 0
    retried = arxiv_server.hits(f"/pdf/{broken.key}") - broken_hits
    assert retried >= 1 and arxiv_server.hits("/pdf/") == pdf_hits + retried
    assert broken.key in {f["item"] for f in second["failures"]}
    assert second["llm_calls"] == 0 and silent.received == []
    assert second["papers"] == 3
    side = json.loads(Path(second["sidecar"]).read_text(encoding="utf-8"))
    assert side["stats"]["papers_reused"] == 3
