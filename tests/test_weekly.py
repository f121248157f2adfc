"""`brief weekly --demo` end to end through the CLI, offline, in extractive mode: a
seed-004-shaped Chinese brief, its JSON sidecar, the footer, and a rerun with no work."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from agent.cli.app import app
from agent.extractive import readable

PLACEHOLDERS = re.compile(r"\bX+(\.X+)?\s*[%×倍]|待确认|待补充|TODO|TBD|\?\?")


def weekly(*args: str) -> dict:
    result = CliRunner().invoke(app, ["weekly", "--demo", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def structure_problems(text: str) -> list[str]:
    """Seed 004's shape (plus Hugo front matter): what is missing or empty."""
    problems = []
    front = re.match(r"---\n(.*?)\n---\n", text, re.DOTALL)
    if not front:
        return ["no front matter"]
    for key in ("title", "date", "draft", "description", "tags"):
        if not re.search(rf"^{key}: \S", front.group(1), re.M):
            problems.append(f"front matter lacks {key}")
    body = text[front.end() :]
    count = re.search(r"^分析论文数量: (\d+)篇$", body, re.M)
    if not re.search(r"^# \S", body, re.M):
        problems.append("no title")
    if not re.search(r"^生成时间: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", body, re.M):
        problems.append("no 生成时间")
    if not count:
        return problems + ["no 分析论文数量"]
    n = int(count.group(1))
    briefs = body.split("## 论文技术简报", 1)[-1].split("## 论文详细信息", 1)[0]
    details = body.split("## 论文详细信息", 1)[-1].split("## 未纳入与舍弃", 1)[0]
    brief_items = re.split(r"^### \d+\. ", briefs, flags=re.M)[1:]
    detail_items = re.split(r"^### \d+\. ", details, flags=re.M)[1:]
    if len(brief_items) != n or len(detail_items) != n:
        problems.append(f"{n} papers announced, {len(brief_items)}/{len(detail_items)} found")
    for item in brief_items:
        title, _, sentence = item.partition("\n")
        if not title.strip():
            problems.append("empty title")
        if not re.search(
            r"\S+发布了《.+》，使用.+(，解决了.+)?，(达成了.+|.*未给出.*)。", sentence
        ):
            problems.append(f"sentence does not follow the pattern: {sentence.strip()[:80]}")
    for item in detail_items:
        if not re.search(r"^\*\*主要机构\*\*: \S", item, re.M):
            problems.append("empty 主要机构")
        authors = re.search(r"^\*\*作者数量\*\*: (\d+)人$", item, re.M)
        if not authors or int(authors.group(1)) == 0:
            problems.append("作者数量 missing or 0")
        if not re.search(r"^\*\*摘要\*\*:\n\S", item, re.M):
            problems.append("empty 摘要")
    if "## 未纳入与舍弃" not in body:
        problems.append("no footer")
    if PLACEHOLDERS.search(body):
        problems.append("placeholder text")
    return problems


def test_weekly_demo_end_to_end_offline_extractive(tmp_path: Path) -> None:
    out = tmp_path / "weekly.md"
    summary = weekly("--out", str(out))
    assert summary["path"] == str(out) and out.is_file()
    text = out.read_text(encoding="utf-8")
    assert structure_problems(text) == []
    assert "未使用语言模型" in text and 'generator: "brief (extractive, no language model)"' in text
    assert summary["papers"] == 3 and summary["llm_calls"] == 0 and summary["downloads"] == 0
    assert summary["claims_verified"] >= 6
    side = json.loads(Path(summary["sidecar"]).read_text(encoding="utf-8"))
    lines = text.splitlines()
    sentences = [s for s in side["sentences"] if s.get("kind") not in ("abstract", "count")]
    assert len(sentences) == 3
    (count,) = [s for s in side["sentences"] if s.get("kind") == "count"]
    assert lines[count["line"] - 1] == count["text"] and "3 + 0 = 3" in count["text"]
    for s in sentences:
        assert lines[s["line"] - 1] == s["text"]
        assert s["claims"], s
        for claim in s["claims"]:
            assert {"claim_id", "arxiv_id", "quote", "page"} <= set(claim)
            assert s["paper"].startswith(claim["arxiv_id"]) and claim["page"] >= 1
        for quoted in re.findall(r"「(.+?)」", s["text"]):  # verbatim from a cited quote
            assert any(quoted in readable(c["quote"]) for c in s["claims"]), quoted
    for number in re.findall(r"\d+(?:\.\d+)?[×%]", "\n".join(s["text"] for s in sentences)):
        assert number in json.dumps(side["sentences"], ensure_ascii=False)
    assert side["stats"]["papers"] == 3


def test_weekly_demo_rerun_does_no_work() -> None:
    first = weekly()
    second = weekly()
    assert second["llm_calls"] == 0 and second["downloads"] == 0
    assert second["claims_verified"] == first["claims_verified"]
    runs = CliRunner().invoke(app, ["runs", "list", "--json"])
    assert runs.exit_code == 0
    assert [r["status"] for r in json.loads(runs.stdout)] == ["done", "done"]


def test_weekly_demo_english() -> None:
    summary = weekly("--lang", "en")
    text = Path(summary["path"]).read_text(encoding="utf-8")
    assert "Made without a language model" in text and "## Paper details" in text


def test_brief_lint_finds_nothing_in_the_demo_brief() -> None:
    from evals.lint import lint_file

    summary = weekly()
    case = lint_file(Path(summary["path"]))  # with its sidecar, as `brief eval lint` reads it
    assert [(f.line, f.kind, f.reason) for f in case.flags] == []
    assert case.passed and case.kind == "weekly"
    assert case.metrics["number_grounding"] in (None, 1.0)
