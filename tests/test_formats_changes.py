"""What changed since last time: a weekly brief lists the new results that beat numbers
stored earlier for the same benchmark and metric, citing both claims; numbers that are not
comparable (two benchmarks, a degradation, a range) are never compared."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from test_formats_common import read_brief, trace_problems
from typer.testing import CliRunner

from agent.cli.app import app
from agent.formats.changes import beaten, figure_of, stored_results
from agent.formats.facts import store_facts
from agent.render import render_brief
from agent.settings import load_settings
from store.chroma import open_store
from store.ingest import store_parsed
from store.schemas import Claim, Paper, ParsedPaper, short_hash

OLD = "On GSM8K, our sampler achieves a 3.5× speedup over the baseline."


def claim(paper: str, statement: str, page: int = 2) -> dict[str, Any]:
    c = Claim(
        paper_key=paper,
        arxiv_id=paper[:10],
        kind="result",
        statement=statement,
        quote=statement,
        page=page,
        status="verified",
        extractor="extractive",
    )
    return c.model_dump(mode="json") | {"claim_id": c.claim_id}


def result(key: str, title: str, claims: list[dict[str, Any]]) -> dict[str, Any]:
    paper = Paper(
        arxiv_id=key[:10],
        arxiv_version=key[10:] or None,
        sha256="0" * 64,
        title=title,
        abstract="A method.",
        published=date(2026, 11, 20),
        source="pdf",
    )
    draft = {"method": "「A method」", "problem": "「A problem」", "result": "「A result」"}
    return {
        "key": key,
        "paper": paper.model_dump(mode="json"),
        "meta": {"institutions": ["Test University"], "author_count": 2},
        "draft": draft | {"claim_ids": [c["claim_id"] for c in claims]},
        "claims": claims,
        "dropped": [],
        "reused": False,
    }


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("On GSM8K it reaches a 7.9× speedup.", ("GSM8K", "speedup", 7.9)),
        ("It gets 92.5% accuracy on MMLU.", ("MMLU", "accuracy", 92.5)),
        ("On MMLU, accuracy of 81.2% is kept.", ("MMLU", "accuracy", 81.2)),
        ("On HumanEval we observed a 7.32% accuracy degradation.", None),
        ("A 4× speedup on GSM8K and MATH.", None),  # two benchmarks
        ("On GSM8K a 2× speedup, and 3× speedup with caching.", None),  # two numbers
        ("It achieves 2–10× speedup.", None),  # no benchmark
    ],
)
def test_only_unambiguous_figures_are_compared(statement: str, expected: Any) -> None:
    fig = figure_of(claim("2611.00001v1", statement))
    assert (fig and (fig.benchmark, fig.metric, fig.value)) == expected


def test_a_better_number_is_listed_with_both_sources() -> None:
    earlier = [claim("2601.00001v1", OLD), claim("2601.00002v1", "On GSM8K: a 2.0× speedup.")]
    better = claim("2611.00001v1", "On GSM8K, our decoder delivers a 5.2× speedup.", page=7)
    worse = claim("2611.00002v1", "We obtain a 1.5× speedup on GSM8K.")
    other = claim("2611.00003v1", "It reaches 92.5% accuracy on MMLU.")  # nothing earlier
    results = [
        result("2611.00001v1", "Fast decoding", [better]),
        result("2611.00002v1", "Slow decoding", [worse]),
        result("2611.00003v1", "An MMLU paper", [other]),
    ]
    pairs = beaten(results, earlier)
    assert [(n.claim["claim_id"], o.claim["claim_id"]) for n, o in pairs] == [
        (better["claim_id"], earlier[0]["claim_id"])
    ]
    text, side = render_brief(
        kind="weekly",
        lang="zh",
        topic="efficient-ai",
        topic_title="高效 AI",
        window=(date(2026, 11, 16), date(2026, 11, 23)),
        papers=results,
        failures=[],
        generated=datetime.now(UTC),
        model=None,
        terms={},
        facts={"earlier_results": earlier},
    )
    section = text.split("## 🆕 与上次相比的新结果", 1)[1].split("## 未纳入与舍弃", 1)[0]
    line = next(x for x in section.splitlines() if x.startswith("- **GSM8K"))
    assert "5.2×" in line and "3.5×" in line and "《Fast decoding》" in line
    assert "[arXiv:2611.00001 p. 7]" in line and "[arXiv:2601.00001 p. 2]" in line
    assert "1.5×" not in section and "MMLU" not in section.split("> 比较规则")[1].split("\n", 1)[1]
    traced = next(s for s in side["sentences"] if s["text"] == line)
    assert [c["claim_id"] for c in traced["claims"]] == [better["claim_id"], earlier[0]["claim_id"]]
    assert trace_problems(text, {"sentences": [traced]}) == []


def test_earlier_results_come_from_the_store(tmp_path: Path) -> None:
    settings = load_settings()
    store = open_store(settings)
    try:
        paper = Paper(
            arxiv_id="2601.00001",
            arxiv_version="v1",
            sha256=short_hash("x", n=64),
            title="Old",
            abstract="Old.",
            published=date(2026, 1, 5),
            source="pdf",
        )
        store_parsed(store, ParsedPaper(paper=paper, pages=["p1", OLD], chunks=[]))
        old = claim("2601.00001v1", OLD)
        store.add_claims([Claim.model_validate(old)])
        assert [c["claim_id"] for c in stored_results(store)] == [old["claim_id"]]
        facts = store_facts(settings, store, {"kind": "weekly"}, tmp_path / "w.md")
    finally:
        store.close()
    assert [c["claim_id"] for c in facts["earlier_results"]] == [old["claim_id"]]


def test_weekly_demo_has_the_section_and_lists_nothing_unfounded() -> None:
    result = CliRunner().invoke(app, ["weekly", "--demo", "--json"])
    assert result.exit_code == 0, result.output
    text, side = read_brief(json.loads(result.stdout))
    section = text.split("## 🆕 与上次相比的新结果", 1)[1].split("## 未纳入与舍弃", 1)[0]
    assert "本期没有在同一基准与指标上高于库中先前数值的结果" in section
    assert trace_problems(text, side) == []
