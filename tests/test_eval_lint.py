"""`brief eval lint`: every known seed defect flagged at its line, supported sentences left
alone, sidecars used, and the CLI contract (Rich table, --json, exit code)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli.app import app
from evals.lint import detect_kind, document_evidence, lint_file, lint_text

runner = CliRunner()


def seed(shared_dir: Path, prefix: str) -> Path:
    (path,) = sorted((shared_dir / "seeds").glob(f"{prefix}_*.txt"))
    return path


def flags_of(case, kind: str | None = None) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [(f.line, f.reason) for f in case.flags if kind is None or f.kind == kind]


def has_flag(case, line: int, kind: str, words: str) -> bool:  # type: ignore[no-untyped-def]
    return any(f.line == line and f.kind == kind and words in f.reason for f in case.flags)


# --- the seeds --------------------------------------------------------------------------
def test_seed_004_defects(shared_dir: Path) -> None:
    case = lint_file(seed(shared_dir, "004"))
    assert case.kind == "weekly" and not case.passed
    assert has_flag(case, 35, "missing", "paper 8 has an empty title")
    assert has_flag(case, 117, "missing", "paper 8 has an empty title")
    assert has_flag(case, 119, "missing", "'主要机构' is empty (paper 8)")
    assert has_flag(case, 120, "missing", "'作者数量' is 0人")
    assert has_flag(case, 138, "missing", "'摘要' is empty (paper 10)")
    assert has_flag(case, 45, "missing", "one-line brief of paper 10 states no result")


def test_seed_004_supported_numbers_are_not_flagged(shared_dir: Path) -> None:
    path = seed(shared_dir, "004")
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    items, _ = document_evidence(lines, set())
    checked = {item.line for item in items}
    # one-liners whose numbers are all in the same paper's 摘要: 1, 2, 5, 8, 9, 12, 13
    supported = {9, 13, 25, 37, 41, 53, 57}
    assert supported <= checked
    case = lint_file(path)
    assert flags_of(case, "number") == []
    assert case.metrics["number_grounding"] == 1.0
    # the same sentences with one number changed are caught
    corrupted = text.replace("推理速度提升20.56%", "推理速度提升21.56%").replace(
        "8B模型", "80B模型"
    )
    bad = lint_text(corrupted, "corrupted")
    assert flags_of(bad, "number") == [
        (25, "number 21.56% is not in paper 5's 摘要 (line 98)"),
        (37, "number 80B is not in paper 8's 摘要 (line 122)"),
    ]


def test_seed_002_defects(shared_dir: Path) -> None:
    case = lint_file(seed(shared_dir, "002"))
    assert case.kind == "deepdive"
    assert has_flag(case, 157, "placeholder", "'X%'")
    assert has_flag(case, 157, "placeholder", "'待确认'")
    assert has_flag(case, 74, "date", "2512.10858 dates the paper to 2025-12")
    assert not any(
        f.kind == "date" and f.line in (31, 110, 141) for f in case.flags
    )  # consistent ones


def test_seed_001_mojibake_is_one_flag(shared_dir: Path) -> None:
    case = lint_file(seed(shared_dir, "001"))
    mojibake = [f for f in case.flags if f.kind == "mojibake"]
    assert len(mojibake) == 1
    damaged = re.search(r"encoding damage .* on (\d+) of (\d+) lines", mojibake[0].reason)
    assert damaged and int(damaged.group(1)) > int(damaged.group(2)) // 3
    assert "repaired line" in mojibake[0].reason and "技术细节" in mojibake[0].reason
    assert case.kind == "trends"  # detected on the repaired text
    assert case.metrics["mojibake"] > 0.3


@pytest.mark.parametrize("prefix", ["000", "001"])
def test_seed_ratings_without_basis(shared_dir: Path, prefix: str) -> None:
    case = lint_file(seed(shared_dir, prefix))
    rated = sorted(f.line for f in case.flags if f.kind == "rating")
    assert rated[:4] == [34, 35, 36, 37]
    assert all("no stated basis" in f.reason for f in case.flags if f.kind == "rating")


def test_seed_003_catalog(shared_dir: Path) -> None:
    case = lint_file(seed(shared_dir, "003"))
    assert case.kind == "catalog"
    assert has_flag(case, 65, "format", "6 cells")
    assert has_flag(case, 66, "format", "not closed")
    assert not [f for f in case.flags if f.kind in ("number", "rating", "mojibake", "placeholder")]


# --- inline documents -------------------------------------------------------------------
WEEKLY = """# AI推理加速技术论文分析报告
生成时间: 2025-09-10 15:56:45
分析论文数量: 2篇

## 论文技术简报

### 1. DPad

某大学发布了DPad论文，使用后缀丢弃，解决了扩散模型推理慢的问题，达成了最高61.4倍加速的效果。

### 2. STADI

中山大学发布了STADI论文，使用混合并行调度，解决了异构GPU负载不均问题，达成了端到端延迟降低54%的效果。

## 论文详细信息

### 1. DPad

**主要机构**: Duke University
**作者数量**: 8人

**摘要**:
DPad delivers up to 61.4× speedup over vanilla dLLMs while maintaining comparable accuracy.

### 2. STADI

**主要机构**: Sun Yat-sen University
**作者数量**: 5人

**摘要**:
Our method reduces end-to-end inference latency by up to 45%.
"""


def test_inline_weekly_numbers_against_abstracts() -> None:
    case = lint_text(WEEKLY, "weekly.md")
    assert case.kind == "weekly"
    assert flags_of(case, "number") == [(13, "number 54% is not in paper 2's 摘要 (line 30)")]
    assert case.metrics["number_grounding"] == 0.5
    fixed = lint_text(WEEKLY.replace("降低54%", "降低45%"), "weekly.md")
    assert fixed.passed and fixed.flags == []


def test_detect_kind() -> None:
    assert detect_kind(WEEKLY) == "weekly"
    assert detect_kind("## 执行摘要\n\n趋势报告\n\n## 推荐阅读清单\n") == "trends"
    assert detect_kind("| 日期 | 概要 | 论文 / 链接 | 团队 | 描述 |\n") == "catalog"
    assert detect_kind("just some notes") == "unknown"


OURS = """---
title: "周报"
date: 2026-02-23
---

# 周报

DPad 在 LLaDA-1.5 上最高加速 61.4 倍 [arXiv:2508.14148 p.2]。
DPad 的滑动窗口为 128 个 token [arXiv:2508.14148 p.4]。
另一篇论文把延迟降低 30% [arXiv:2401.00001]。
"""


def sidecar() -> dict:  # type: ignore[type-arg]
    claim = {"claim_id": "2508.14148v2#a", "arxiv_id": "2508.14148", "page": 2,
             "quote": "DPad delivers up to 61.4× speedup over vanilla dLLMs"}  # fmt: skip
    window = {"claim_id": "2508.14148v2#b", "arxiv_id": "2508.14148", "page": 4,
              "quote": "We use a sliding window of 64 tokens in all experiments."}  # fmt: skip
    return {
        "sentences": [
            {"line": 8, "text": "DPad 在 LLaDA-1.5 上最高加速 61.4 倍", "claims": [claim]},
            {"line": 9, "text": "DPad 的滑动窗口为 128 个 token", "claims": [window]},
        ]
    }


def test_sidecar_grounds_sentences_by_their_own_quotes(tmp_path: Path) -> None:
    path = tmp_path / "brief.md"
    path.write_text(OURS, encoding="utf-8")
    (tmp_path / "brief.md.json").write_text(json.dumps(sidecar()), encoding="utf-8")
    case = lint_file(path)
    numbers = [(f.line, f.severity, f.reason) for f in case.flags if f.kind == "number"]
    assert numbers == [
        (9, "error", "number 128 is not in its cited quotes (arXiv:2508.14148)"),
        (10, "warning", "numbers with no cited evidence (the sentence is not in the sidecar)"),
    ]
    citations = [(f.line, f.reason) for f in case.flags if f.kind == "citation"]
    assert citations == [(10, "arXiv:2401.00001 is not among the papers this brief was made from")]
    assert not case.passed


def test_sidecar_line_is_corrected_when_the_text_moved(tmp_path: Path) -> None:
    data = sidecar()
    data["sentences"][0]["line"] = 3  # stale line number: the lint finds the sentence
    case = lint_text(OURS, "ours", sidecar=data)
    assert not [f for f in case.flags if f.kind == "number" and f.line == 8]


def test_without_evidence_numbers_are_counted_not_flagged() -> None:
    case = lint_text("# 笔记\n\n某方法把延迟降低 30%，吞吐提升 2 倍。\n", "notes")
    assert case.metrics["numbers_unverified"] == 1
    assert case.metrics["number_grounding"] is None
    assert case.flags == [] and case.passed


# --- CLI --------------------------------------------------------------------------------
def test_cli_json_and_exit_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text(WEEKLY, encoding="utf-8")
    good = tmp_path / "good.md"
    good.write_text(WEEKLY.replace("降低54%", "降低45%"), encoding="utf-8")
    result = runner.invoke(app, ["eval", "lint", str(bad), str(good), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["suite"] == "lint" and report["model"] is None and report["run_id"]
    assert report["passed"] is False
    assert [c["id"] for c in report["cases"]] == [str(bad), str(good)]
    first, second = report["cases"]
    assert first["passed"] is False and second["passed"] is True
    assert {"kind", "line", "text", "reason"} <= set(first["flags"][0])
    assert report["metrics"]["number_grounding"] == 0.75
    ok = runner.invoke(app, ["eval", "lint", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "passed" in ok.stdout


def test_cli_table_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text(WEEKLY, encoding="utf-8")
    result = runner.invoke(app, ["eval", "lint", str(bad)])
    assert result.exit_code == 1
    assert "54%" in result.stdout and "failed" in result.stdout
    from agent.errors import BriefError

    with pytest.raises(BriefError, match="no such file"):
        lint_file(tmp_path / "nope.md")


def test_papers_folder_checks_sidecar_quotes(tmp_path: Path, demo_pdfs: list[Path]) -> None:
    from agent.sources.pdf import read_pdf

    pdf = next(p for p in demo_pdfs if p.stem == "2508.14148")
    pages = read_pdf(pdf).pages
    words = pages[1].split()
    quote = " ".join(words[40:70])
    doc_text = "# 周报\n\nDPad 的一句话 [arXiv:2508.14148 p.2]。\nDPad 的另一句话 [arXiv:2508.14148 p.9]。\n"
    data = {
        "sentences": [
            {"line": 3, "text": "DPad 的一句话",
             "claims": [{"claim_id": "a", "arxiv_id": "2508.14148", "quote": quote, "page": 2}]},
            {"line": 4, "text": "DPad 的另一句话",
             "claims": [{"claim_id": "b", "arxiv_id": "2508.14148", "quote": quote, "page": 9}]},
        ]
    }  # fmt: skip
    path = tmp_path / "brief.md"
    path.write_text(doc_text, encoding="utf-8")
    (tmp_path / "brief.json").write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["eval", "lint", str(path), "--papers", str(pdf.parent), "--json"])
    report = json.loads(result.stdout)
    (case,) = report["cases"]
    quotes = [(f["line"], f["reason"]) for f in case["flags"] if f["kind"] == "quote"]
    assert quotes == [(4, "quote not found on page 9±1 of arXiv:2508.14148 (found on page 2)")]
    assert case["metrics"]["quote_grounding"] == 0.5
    assert result.exit_code == 1


DAILY = """# 每日论文速递

## DPad

DPad 在 LLaDA-1.5 上实现了最高 64.1 倍的加速，且精度相当。

> Abstract: DPad delivers up to 61.4× speedup over vanilla dLLMs while maintaining comparable accuracy.

## Spiffy

Spiffy 将总加速提升到 7.9 倍。

Abstract: Spiffy is able to effectively multiply the benefits of these methods leading to total speedups of up to 7.9×.
"""


def test_plain_and_quoted_abstract_labels_are_evidence() -> None:
    case = lint_text(DAILY, "daily.md")
    assert flags_of(case, "number") == [
        (5, "number 64.1 倍 is not in the section's Abstract (line 7)")
    ]
    assert case.metrics["number_grounding"] == 0.5
