"""Nothing silently lost, over what the user ingested (issue 15): directions come from a
paper's own title and abstract by a checkable rule; every format accounts for every paper
of its window; `brief weekly --from-store` and `brief deepdive` work offline over stored
papers, found by arXiv id (with or without version), sha256 key, file name or title words;
`brief trends` without --month reports the latest month with papers and says so."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pdfbuild import text_pdf
from test_formats_common import read_brief, trace_problems
from typer.testing import CliRunner

from agent.cli.app import app
from agent.formats import service, taxonomy
from agent.settings import load_settings
from agent.sources.window import today
from agent.topics import get_topic
from store.chroma import open_store
from store.ingest import store_parsed
from store.schemas import Paper, ParsedPaper, short_hash

KD = {
    "title": "Distilling the Knowledge in a Neural Network",
    "abstract": "We show that we can compress the knowledge in an ensemble into a single model "
    "by distilling it. We also introduce an ensemble of specialist models. Unlike a mixture of "
    "experts, these specialist models can be trained rapidly and in parallel.",
}
REPORT = [
    (18, "Paged Key Value Memory for Serving"),
    (11, "Carol Example"),
    (11, "Example Institute"),
    (12, "Abstract"),
    (10, "We page the KV cache of a serving system so that memory is not wasted."),
    (10, "The KV cache pages raise the serving throughput by 2.4x over the baseline."),
    (12, "1 Introduction"),
    (10, "Serving systems waste KV cache memory on fragmentation and reservation."),
    (10, "Our paged KV cache raises the throughput by 2.4x at the same latency."),
]


def cli(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def counts_add_up(text: str) -> bool:
    """The accounting line's parts add up to its total, and the total is the one it states."""
    line = next(x for x in text.splitlines() if x.startswith(("本次共涉及", "Papers accounted")))
    parts, total = re.search(r"([\d +]+) = (\d+)。?\.?$", line).groups()  # type: ignore[union-attr]
    stated = re.search(r"(?:本次共涉及|Papers accounted for:) (\d+)", line)
    return sum(map(int, parts.split("+"))) == int(total) == int(stated.group(1))  # type: ignore[union-attr]


def test_directions_are_the_papers_own_central_terms() -> None:
    topic = get_topic(load_settings(), "efficient-ai")
    kd = taxonomy.best_direction(topic, KD)
    assert kd is not None and kd.name == "Knowledge distillation"  # not MoE: said in passing
    moe = next(d for d in topic.directions if d.name == "Mixture of Experts")
    assert taxonomy.score(moe, KD) == 1 < taxonomy.CENTRAL
    # the same passing mention twice, or once in the title, is central
    twice = {"title": "A model", "abstract": "A mixture of experts. More experts help."}
    assert taxonomy.best_direction(topic, twice) is moe
    passing = {"title": "Protein folding", "abstract": "Unlike quantization, we fold."}
    assert taxonomy.best_direction(topic, passing) is None  # 其他, with the stated reason
    groups = taxonomy.group(topic, [{"paper": KD}, {"paper": passing}], "zh")
    assert [g["name"] for g in groups] == ["知识蒸馏", "其他"]
    assert "未归类" in taxonomy.UNFILED_REASON["zh"]


def ingest(folder: Path) -> list[dict[str, Any]]:
    return list(cli("ingest", str(folder))["papers"])


def test_stored_papers_are_briefed_offline_by_any_key(
    tmp_path: Path, demo_pdfs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # arXiv is a closed local port: an id that is not stored fails without leaving the host
    monkeypatch.setenv("BRIEF_ARXIV_API_URL", "http://127.0.0.1:9/api/query")
    folder = tmp_path / "mine"
    folder.mkdir()
    for pdf in demo_pdfs[:2]:
        (folder / pdf.name).write_bytes(pdf.read_bytes())
    text_pdf(folder / "paged-report.pdf", [REPORT], info={"CreationDate": "D:20250301"})
    stored = {Path(p["file"]).name: p for p in ingest(folder)}
    report = stored["paged-report.pdf"]
    assert report["arxiv_id"] is None
    settings = load_settings()
    store = open_store(settings)
    try:
        papers = {Path(str(p.pdf_path)).name: p for p in store.list_papers()}
    finally:
        store.close()
    first, second = (papers[p.name] for p in demo_pdfs[:2])
    refs = [
        papers["paged-report.pdf"].key,  # sha256:<16 hex>
        f"{first.arxiv_id}{first.arxiv_version}",  # id with its version
        Path(str(second.pdf_path)).stem,  # file name without .pdf
    ]
    deep = cli("deepdive", *refs, "--date", "2026-03-01")
    assert deep["downloads"] == 0  # stored: no network (the socket guard allows loopback only)
    items = {f["item"] for f in deep["failures"]}
    assert deep["papers"] + len(items) == 3
    text, side = read_brief(deep)
    assert counts_add_up(text) and trace_problems(text, side) == []
    # title words find the report; a reference matching nothing is refused with the fix
    by_title = cli("deepdive", "paged key value memory", "--date", "2026-03-01")
    assert by_title["papers"] + len(by_title["failures"]) == 1
    unstored = CliRunner().invoke(app, ["deepdive", "2407.00079", "--json"])  # not stored
    assert "stored papers without an arXiv id are named by key or title" in str(unstored.exception)
    wrong = CliRunner().invoke(app, ["deepdive", "no such paper title", "--json"])
    assert wrong.exit_code != 0 and "title words" in f"{wrong.output}{wrong.exception}"

    day = cli("daily", "--from-store", "--date", "2025-03-01")
    assert day["papers"] + len(day["failures"]) == 1  # the report's CreationDate
    weekly = cli("weekly", "--from-store")
    briefed = {f["item"] for f in weekly["failures"]}
    assert weekly["papers"] + len(briefed) == 3 and weekly["downloads"] == 0
    end = date(2025, 3, 31)
    window = cli("weekly", "--from-store", "--from", "2025-03-01", "--to", end.isoformat())
    assert window["papers"] + len(window["failures"]) == 1  # only the report is dated March
    empty = CliRunner().invoke(app, ["weekly", "--from-store", "--from", "2001-01-01", "--to",
                                     "2001-01-31"])  # fmt: skip
    assert empty.exit_code != 0 and "widen the window" in f"{empty.output}{empty.exception}"


def populate(settings: Any, days: list[date]) -> list[str]:
    store = open_store(settings)
    keys = []
    try:
        for i, day in enumerate(days):
            paper = Paper(
                sha256=short_hash(str(i), n=64),
                title=f"Quantization study {i}",
                abstract="Post-training quantization of language models to 4-bit weights.",
                published=day,
                published_source="pdf-metadata",
                page_count=1,
            )
            store_parsed(store, ParsedPaper(paper=paper, pages=[paper.abstract], chunks=[]))
            keys.append(paper.key)
    finally:
        store.close()
    return keys


def test_trends_default_to_the_latest_month_with_papers_and_say_so(tmp_path: Path) -> None:
    settings = load_settings()
    this_month = today().replace(day=1)
    latest = (this_month - timedelta(days=40)).replace(day=3)
    populate(settings, [latest, latest - timedelta(days=100)])
    notes: list[str] = []
    summary = service.trends(
        settings, out=str(tmp_path / "t.md"), on_event=lambda k, d: notes.append(f"{k} {d}")
    )
    text, side = read_brief(summary)
    assert f"{latest:%Y-%m}" in notes[0] and notes[0].startswith("note ")
    assert f"本月（{this_month:%Y-%m}）库中尚无该主题论文" in text
    assert f"本期 {latest:%Y-%m}-01 至" in text
    assert counts_add_up(text) and trace_problems(text, side) == []


@pytest.mark.parametrize("kind", ["catalog", "trends"])
def test_off_topic_papers_are_listed_not_dropped(tmp_path: Path, kind: str) -> None:
    settings = load_settings()
    day = date(2025, 6, 10)
    populate(settings, [day])
    store = open_store(settings)
    try:
        other = Paper(sha256="f" * 64, title="Protein folding", abstract="Molecules fold.",
                      published=day, page_count=1)  # fmt: skip
        store_parsed(store, ParsedPaper(paper=other, pages=["Molecules fold."], chunks=[]))
    finally:
        store.close()
    out = str(tmp_path / f"{kind}.md")
    if kind == "catalog":
        summary = service.catalog(settings, out=out)
    else:
        summary = service.trends(settings, month="2025-06", out=out)
    text, _ = read_brief(summary)
    stages = {f["item"]: f["stage"] for f in summary["failures"]}
    assert stages[other.key] == "topic" and f"`{other.key}`" in text
    assert counts_add_up(text) and "= 2" in text


def test_the_corpus_is_accounted_for_and_deep_dives_work_offline(
    tmp_path: Path, corpus_pdfs: list[Path]
) -> None:
    """Measure of issue 15 on the 18 corpus PDFs: the catalog accounts for 18/18 with the
    distillation paper under 知识蒸馏; one deep-dive over every stored paper, each named by
    its key, file name or title, runs without the network."""
    papers = ingest(corpus_pdfs[0].parent)
    assert len(papers) == 18
    kb = service.catalog(load_settings(), out=str(tmp_path / "kb.md"))
    text, side = read_brief(kb)
    assert "本次共涉及 18 篇论文" in text and counts_add_up(text)
    distill = text.split("## 2 知识蒸馏", 1)[1].split("\n## ", 1)[0]
    assert "Distilling the Knowledge in a Neural Network" in distill
    moe = text.split("混合专家 MoE", 1)[1].split("\n## ", 1)[0]
    assert "Distilling the Knowledge" not in moe
    assert trace_problems(text, side) == []
    store = open_store(load_settings())
    try:
        stored = store.list_papers()
    finally:
        store.close()
    refs = []
    for i, paper in enumerate(stored):
        name = Path(str(paper.pdf_path)).name
        refs.append([paper.key, name, paper.title or name][i % 3])
    deep = cli("deepdive", *refs, "--date", "2026-12-01")
    assert deep["downloads"] == 0
    left = {f["item"] for f in deep["failures"]}
    assert deep["papers"] + len(left) == 18 and deep["papers"] >= 15


def test_slides_are_listed_as_not_a_paper_not_briefed(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    slide = [(28, "KVCache reuse"), (20, "Prefix sharing cuts the prefill time"), (20, "2.1x")]
    text_pdf(folder / "deck.pdf", [slide] * 5, size=(960, 540))
    text_pdf(folder / "paged-report.pdf", [REPORT], info={"CreationDate": "D:20250301"})
    result = CliRunner().invoke(app, ["ingest", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert any("deck.pdf: not a paper: looks like a slide deck" in w for w in report["warnings"])
    weekly = cli("weekly", "--from-store")
    kinds = {f["stage"]: f["reason"] for f in weekly["failures"]}
    assert kinds["kind"].startswith("not a paper: looks like a slide deck (5 of 5 pages")
    text, _ = read_brief(weekly)
    assert "not a paper" in text
