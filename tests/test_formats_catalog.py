"""`brief catalog`: seed 003's tables grouped by the topic's taxonomy; run again after more
papers are stored, it appends their rows to the same file and keeps the old rows verbatim,
never twice; extractive and scripted-model runs; a foreign file is never overwritten."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from test_formats_common import lint_problems, read_brief, seed, table_headers, trace_problems
from test_graph_fakes import FakeJudge, fake_model
from typer.testing import CliRunner

from agent.cli.app import app
from agent.errors import BriefError
from agent.formats import papers, service
from agent.formats.catalog import parse_catalog, row_id
from agent.settings import load_settings
from agent.topics import get_topic
from store.chroma import open_store

COLUMNS = ["日期", "概要", "论文 / 链接", "团队", "描述"]
FIRST = "2505.15781"


def catalog_cli(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["catalog", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def store_demo(ids: list[str] | None = None) -> None:
    settings = load_settings()
    store = open_store(settings)
    try:
        papers.store_demo(settings, store, ids)
    finally:
        store.close()


def rows(text: str) -> list[str]:
    return [r for _, rs in parse_catalog(text) for r in rs]


def structure_problems(text: str, topic: str) -> list[str]:
    problems = []
    if not re.match(r"---\ntitle: \".+\"\ndate: \d{4}-\d\d-\d\d\n", text):
        problems.append("front matter")
    headers = table_headers(text)
    if not headers or any(h != COLUMNS for h in headers):
        problems.append(f"tables without the seed's columns: {headers}")
    profile = get_topic(load_settings(), topic)
    order = [d.name_zh for d in profile.directions] + ["其他"]
    sections = [name for name, rs in parse_catalog(text) if rs]
    if sections != [n for n in order if n in sections]:
        problems.append(f"sections not in taxonomy order: {sections}")
    for r in rows(text):
        cells = [c for c in re.split(r"(?<!\\)\|", r.strip())[1:-1]]
        if len(cells) != 5 or not all(c.strip() for c in cells):
            problems.append(f"row without 5 filled cells: {r[:80]}")
        if not re.match(r"^ \d{4}/\d\d/\d\d $", cells[0]):
            problems.append(f"row date: {cells[0]}")
        if not re.fullmatch(r" \[.+\]\(https://arxiv\.org/abs/\d{4}\.\d{4,5}\) ", cells[2]):
            problems.append(f"row link: {cells[2]}")
    ids = [row_id(r) for r in rows(text)]
    if len(ids) != len(set(ids)):
        problems.append(f"duplicate rows: {ids}")
    return problems


def test_catalog_appends_new_rows_without_duplicates(tmp_path: Path) -> None:
    out = tmp_path / "kb.md"
    store_demo([FIRST])
    first = catalog_cli("--topic", "diffusion-lm", "--out", str(out))
    text1, side1 = read_brief(first)
    assert [row_id(r) for r in rows(text1)] == [FIRST]
    assert structure_problems(text1, "diffusion-lm") == []

    store_demo()  # two more papers arrive in the store
    second = catalog_cli("--topic", "diffusion-lm", "--out", str(out))
    text2, side2 = read_brief(second)
    assert second["papers"] == 2  # only the new papers were briefed
    assert sorted(str(row_id(r)) for r in rows(text2)) == ["2505.15781", "2508.14148", "2509.18085"]
    assert rows(text1)[0] in rows(text2)  # the old row, verbatim
    assert structure_problems(text2, "diffusion-lm") == []
    assert "本次新增 2 条，保留已有 1 条，共 3 条" in text2
    assert trace_problems(text2, side2) == []
    assert {s["paper"].split("v")[0] for s in side2["sentences"] if s["claims"]} == {
        "2505.15781",
        "2508.14148",
        "2509.18085",
    }

    third = catalog_cli("--topic", "diffusion-lm", "--out", str(out))
    text3, _ = read_brief(third)
    assert third["papers"] == 0 and rows(text3) == rows(text2)
    assert "本次新增 0 条，保留已有 3 条，共 3 条" in text3


def test_catalog_demo_extractive_lints_clean() -> None:
    summary = catalog_cli("--demo")
    text, side = read_brief(summary)
    assert summary["path"].endswith("catalog-efficient-ai.md") and summary["papers"] >= 1
    assert structure_problems(text, "efficient-ai") == []
    assert trace_problems(text, side) == []
    assert lint_problems(text, side, "catalog") == []


def test_catalog_with_a_scripted_model(tmp_path: Path) -> None:
    settings = load_settings(model_concurrency=2)
    summary = service.catalog(
        settings,
        topic="diffusion-lm",
        demo=True,
        out=str(tmp_path / "kb.md"),
        chat_model=fake_model(FakeJudge()),
    )
    text, side = read_brief(summary)
    assert summary["llm_calls"] > 0 and len(rows(text)) == 3
    assert structure_problems(text, "diffusion-lm") == [] and trace_problems(text, side) == []
    assert "论文提出的方法" in text


def test_catalog_matches_seed_003(shared_dir: Path) -> None:
    assert COLUMNS in table_headers(seed(shared_dir, "003"))
    text, _ = read_brief(catalog_cli("--demo"))
    assert COLUMNS in table_headers(text)


def test_catalog_never_overwrites_a_foreign_file(tmp_path: Path) -> None:
    mine = tmp_path / "notes.md"
    mine.write_text("# my notes\n\nnot a catalog\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["catalog", "--demo", "--out", str(mine)])
    assert result.exit_code != 0 and isinstance(result.exception, BriefError)
    assert "not a catalog" in str(result.exception)
    assert mine.read_text(encoding="utf-8") == "# my notes\n\nnot a catalog\n"
