"""Checks shared by the format tests (structure against a seed, sidecar tracing, lint), and
tests of the pieces every format uses: dates, taxonomy grouping, heat marks."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from agent.formats import dates, heat, taxonomy
from agent.nodes import services
from agent.settings import load_settings
from agent.topics import get_topic

PLACEHOLDERS = re.compile(r"\bX+(\.X+)?\s*[%×倍]|待确认|待补充|TODO|TBD|\?\?")
LINK = re.compile(r"\[arXiv:(\d{4}\.\d{4,5})\]\(https://arxiv\.org/abs/(\d{4}\.\d{4,5})\)")


def headings(text: str) -> list[str]:
    """Heading texts in order, without '#', emoji and numbering."""
    out = []
    for line in text.splitlines():
        match = re.match(r"^#{1,6}\s+(.*)$", line)
        if match:
            title = re.sub(r"^[^\w(（]*", "", match.group(1))
            out.append(re.sub(r"^\d+(\.\d+)*\.?\s*", "", title).strip())
    return out


def in_order(found: list[str], wanted: list[str]) -> bool:
    """Whether every wanted heading occurs, in this order, among `found`."""
    pos = 0
    for want in wanted:
        hit = next((i for i in range(pos, len(found)) if want in found[i]), None)
        if hit is None:
            return False
        pos = hit + 1
    return True


def table_headers(text: str) -> list[list[str]]:
    """The header cells of every Markdown table."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines[:-1]):
        if line.startswith("|") and re.match(r"^\|[\s:|-]+\|$", lines[i + 1]):
            out.append([c.strip() for c in line.strip().strip("|").split("|")])
    return out


def seed(shared_dir: Path, prefix: str) -> str:
    path = next((shared_dir / "seeds").glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8")


def read_brief(summary: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    text = Path(summary["path"]).read_text(encoding="utf-8")
    side = json.loads(Path(summary["sidecar"]).read_text(encoding="utf-8"))
    return text, side


def trace_problems(text: str, side: dict[str, Any]) -> list[str]:
    """Every sidecar line is where it says, claim lines cite claims whose quotes hold their
    numbers, count lines say what they counted; no placeholder text."""
    lines = text.splitlines()
    problems = []
    for item in side["sentences"]:
        if not 1 <= item["line"] <= len(lines) or lines[item["line"] - 1].strip() != item["text"]:
            problems.append(f"line {item['line']} is not {item['text'][:60]!r}")
            continue
        if item.get("kind") == "count":
            if not item.get("source"):
                problems.append(f"count line without what it counted: {item['text'][:60]}")
            continue
        if item.get("kind") == "abstract":  # the weekly format's source text
            continue
        quotes = [c["quote"] for c in item["claims"]]
        if not item["claims"]:
            problems.append(f"claim line without claims: {item['text'][:60]}")
        body = re.sub(r"\[arXiv:[^\]]+\]|\]\(https?://[^)]+\)", " ", item["text"])
        stray = services.ungrounded(body.split("》", 1)[-1], quotes)
        if stray:
            problems.append(f"numbers {stray} not in the cited quotes: {item['text'][:60]}")
        # a "change" line cites its own paper's claim first, then the earlier paper's
        own = item["claims"][:1] if item.get("kind") == "change" else item["claims"]
        for claim in own:
            if not item["paper"].startswith(claim["arxiv_id"] or "") or claim["page"] < 1:
                problems.append(f"claim {claim['claim_id']} is not of {item['paper']}")
    if PLACEHOLDERS.search(text):
        problems.append("placeholder text")
    return problems


def lint_problems(text: str, side: dict[str, Any], kind: str) -> list[str]:
    """`brief eval lint` on the brief with its sidecar: no error, every number checked."""
    lint = pytest.importorskip("evals.lint")
    case = lint.lint_text(text, "brief", side, kind=kind)
    problems = [f"{f.line}: {f.reason}" for f in case.flags]
    for name in ("number_grounding", "format_compliance", "citation_validity"):
        if case.metrics.get(name) not in (None, 1.0):
            problems.append(f"{name} = {case.metrics[name]}")
    return problems


# --- the shared pieces ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("published", "as_of", "zh", "en"),
    [
        (date(2026, 2, 16), date(2026, 2, 23), "7 天前", "7 days ago"),
        (date(2026, 2, 2), date(2026, 2, 23), "3 周前", "3 weeks ago"),
        (date(2025, 12, 1), date(2026, 2, 23), "2 个月前", "2 months ago"),  # seed 002's 2512 id
        (date(2023, 2, 1), date(2026, 2, 23), "3 年前", "3 years ago"),
        (date(2026, 2, 23), date(2026, 2, 23), "当天", "today"),
    ],
)
def test_age_is_computed_from_the_two_dates(published: date, as_of: date, zh: str, en: str) -> None:
    assert dates.age(published, as_of, "zh") == zh
    assert dates.age(published, as_of, "en") == en


def test_month_windows() -> None:
    assert dates.month_window("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    assert dates.previous_window(date(2026, 3, 1), date(2026, 3, 31)) == (
        date(2026, 2, 1),
        date(2026, 2, 28),
    )
    assert dates.previous_window(date(2026, 3, 10), date(2026, 3, 16)) == (
        date(2026, 3, 3),
        date(2026, 3, 9),
    )
    with pytest.raises(Exception, match="--month"):
        dates.month_window("2026-13")


def test_papers_group_by_the_taxonomy_keywords() -> None:
    topic = get_topic(load_settings(), "efficient-ai")
    items = [
        {"paper": {"title": "Pruning LLMs", "abstract": "Structured pruning of weights."}},
        {"paper": {"title": "A KV cache study", "abstract": "We compress the KV-cache."}},
        {"paper": {"title": "Protein design", "abstract": "Nothing about efficiency."}},
        {"paper": {"title": "4-bit LLMs", "abstract": "Post-training quantization to int4."}},
    ]
    groups = taxonomy.group(topic, items, "zh")
    assert [g["name"] for g in groups] == ["量化", "剪枝与稀疏化", "KV 缓存", "其他"]
    kv = next(d for d in topic.directions if d.name == "KV cache")
    assert taxonomy.hits(kv, items[1]["paper"]) == ["KV cache"]  # KV-cache is the same word


def test_heat_marks_follow_the_stated_tiers() -> None:
    assert [heat.fire(n) for n in (0, 1, 2, 3, 4, 9)] == [
        "—",
        "🔥",
        "🔥🔥",
        "🔥🔥",
        "🔥🔥🔥",
        "🔥🔥🔥",
    ]
    assert heat.change(3, 1, "zh") == "+2" and heat.change(1, 3, "zh") == "-2"
    assert heat.change(2, 0, "zh") == "新出现 +2" and heat.change(1, 1, "zh") == "持平"
    legend = heat.legend(
        (date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 1, 1), date(2026, 1, 31)), "zh"
    )
    assert (
        "1 篇 🔥" in legend
        and "本期 2026-02-01 至 2026-02-28，上期 2026-01-01 至 2026-01-31" in legend
    )
