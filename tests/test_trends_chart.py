"""The trend report's chart: a Mermaid xychart-beta block drawn from the heat tables' totals
(bars this period, a line the previous one), the same numbers as the tables, traced in the
sidecar, skipped by the linter's number checks (it is a code block)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from agent.cli.app import app
from agent.formats.trace import Trace
from agent.formats.trends import chart


def direction(name: str, now: list[str], before: list[str]) -> dict[str, Any]:
    total = {"current": len(now), "previous": len(before), "papers": now, "previous_papers": before}
    return {"name": name, "direction": name, "rows": [], "total": total}


def mermaid(text: str) -> dict[str, str]:
    block = re.search(r"```mermaid\n(.*?)\n```", text, re.S)
    assert block, text
    lines = block.group(1).splitlines()
    assert lines[0] == "xychart-beta"
    return {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in map(str.strip, lines[1:])}


def test_chart_from_totals() -> None:
    tr = Trace()
    table = [
        direction("量化", ["a", "b", "c"], ["d"]),
        direction("MoE", [], []),  # no paper in either period: left out
        direction('KV "cache"\npolicies', ["e"], []),
    ]
    text = chart(table, "zh", tr)
    parts = mermaid(text)
    assert parts["x-axis"] == '["量化", "KV \'cache\' policies"]'
    assert parts["bar"] == "[3, 1]" and parts["line"] == "[1, 0]"
    assert parts["y-axis"] == '"论文数" 0 --> 3'
    (item,) = tr.items
    assert item["kind"] == "count" and item["text"] in text.splitlines()
    assert item["source"]["papers"] == ["a", "b", "c", "e"]
    assert item["source"]["previous_papers"] == ["d"]
    assert chart([direction("MoE", [], [])], "en", Trace()) == ""


def test_demo_trend_report_charts_its_table_totals(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["trends", "--demo", "--month", "2025-09", "--out", str(tmp_path / "t.md"), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    text = Path(summary["path"]).read_text(encoding="utf-8")
    side = json.loads(Path(summary["sidecar"]).read_text(encoding="utf-8"))
    shown = [d for d in side["heat"] if d["total"]["current"] or d["total"]["previous"]]
    assert shown, "the demo month has papers"
    parts = mermaid(text)
    assert parts["bar"] == "[" + ", ".join(str(d["total"]["current"]) for d in shown) + "]"
    assert parts["line"] == "[" + ", ".join(str(d["total"]["previous"]) for d in shown) + "]"
    assert text.index("```mermaid") < text.index("## 📐")  # under the executive summary
    from evals.lint import lint_text

    case = lint_text(text, "t.md", side, kind="trends")
    assert [f for f in case.flags if f.severity == "error"] == []
