"""Each metric on fixed positive and negative examples (Chinese included)."""

from __future__ import annotations

from datetime import date

import pytest

from evals import doc, metrics
from evals.metrics import Evidence


def lines_of(result: metrics.MetricResult) -> list[int]:
    return [f.line for f in result.flags]


# --- number grounding -------------------------------------------------------------------
def test_number_grounding_against_its_own_evidence() -> None:
    quote = "our method achieves a 20.56% inference speedup and a 4.95× reduction in bandwidth"
    other = "the baseline reaches 25.56% speedup"
    items = [
        Evidence(3, "推理速度提升20.56%，带宽消耗减少4.95倍。", [quote], "its cited quotes"),
        Evidence(4, "推理速度提升25.56%。", [quote], "its cited quotes"),
    ]
    result = metrics.number_grounding(items)
    assert result.value == pytest.approx(2 / 3)
    assert [(f.line, f.reason) for f in result.flags] == [
        (4, "number 25.56% is not in its cited quotes")
    ]
    # evidence elsewhere does not count: only the sentence's own evidence grounds it
    assert metrics.number_grounding([Evidence(1, "提升25.56%", [quote], "q")]).flags
    assert not metrics.number_grounding([Evidence(1, "提升25.56%", [other], "q")]).flags
    assert metrics.number_grounding([Evidence(1, "没有数字", [quote], "q")]).value is None


# --- citations --------------------------------------------------------------------------
def test_citation_validity() -> None:
    good = "DPad 最高快 61.4 倍 [arXiv:2508.14148 p.7]。"
    assert metrics.citation_validity(good).value == 1.0
    assert metrics.citation_validity(good, known=["2508.14148v2"]).flags == []
    bad_syntax = "见 [arXiv:2513.14148]。"
    assert "not a valid arXiv identifier" in metrics.citation_validity(bad_syntax).flags[0].reason
    unknown = metrics.citation_validity(good, known=["2401.00001"])
    assert "not among the papers" in unknown.flags[0].reason and unknown.value == 0.0
    wrong = metrics.citation_validity(good, claims_by_line={1: ["2401.00001"]})
    assert "evidence is from arXiv:2401.00001" in wrong.flags[0].reason
    assert metrics.citation_validity("没有引用").value is None


# --- dates ------------------------------------------------------------------------------
DEEPDIVE = """---
title: "论文深度解读"
date: 2026-02-23
---

### Scaling Behavior

**📄 论文：** [arXiv:2512.10858](https://arxiv.org/abs/2512.10858)
**📅 发布：** 1 周前

### Seq2Seq2Seq

**📄 论文：** [arXiv:2602.12146](https://arxiv.org/abs/2602.12146)
**📅 发布：** 1 周前

### Sink-Aware

**📄 论文：** [arXiv:2602.17664](https://arxiv.org/abs/2602.17664)
**📅 发布：** 2026-02-19
"""


def test_date_consistency_relative_and_absolute() -> None:
    result = metrics.date_consistency(DEEPDIVE)
    assert lines_of(result) == [9]
    assert "2512.10858 dates the paper to 2025-12" in result.flags[0].reason
    assert "2026-02-23" in result.flags[0].reason
    assert result.value == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("stated", "ok"),
    [
        ("3 天前", True),
        ("2 个月前", False),
        ("2025-12-05", False),
        ("2026年2月", True),
        ("2026-03-01", False),
    ],
)
def test_date_consistency_cases(stated: str, ok: bool) -> None:
    text = f"date: 2026-02-23\n\n### P\n[arXiv:2602.17664]\n发布：{stated}\n"
    result = metrics.date_consistency(text, report=date(2026, 2, 23))
    assert (result.flags == []) is ok, result.flags


def test_cited_id_after_report_date() -> None:
    text = "---\ndate: 2026-02-23\n---\n\n见 [arXiv:2603.00001]。\n"
    assert lines_of(metrics.date_consistency(text)) == [5]
    assert metrics.date_consistency(text, future_ids=False).flags == []


def test_stated_date_relative() -> None:
    lo, hi, written = metrics.stated_date("1 周前", date(2026, 2, 23))  # type: ignore[misc]
    assert lo <= date(2026, 2, 16) <= hi and written == "1 周前"
    assert metrics.stated_date("3 days ago", date(2026, 2, 23))[0] == date(2026, 2, 19)  # type: ignore[index]
    assert metrics.stated_date("无日期", date(2026, 2, 23)) is None


# --- quotes -----------------------------------------------------------------------------
def test_quote_grounding() -> None:
    pages = {
        "2508.14148": ["intro", "DPad delivers up to 61.4× speedup over vanilla dLLMs.", "end"]
    }
    claims = [
        {
            "arxiv_id": "2508.14148",
            "quote": "DPad delivers up to 61.4× speedup",
            "page": 2,
            "line": 3,
        },
        {
            "arxiv_id": "2508.14148",
            "quote": "DPad delivers up to 61.4× speedup",
            "page": 3,
            "line": 4,
        },
        {
            "arxiv_id": "2508.14148",
            "quote": "a sentence the paper never wrote at all",
            "page": 2,
            "line": 5,
        },
        {"arxiv_id": "2401.00001", "quote": "not available", "page": 1, "line": 6},
    ]
    result = metrics.quote_grounding(claims, pages.get)
    assert result.value == pytest.approx(2 / 3)  # page 3 is within ±1; unavailable paper skipped
    assert lines_of(result) == [5]


# --- format -----------------------------------------------------------------------------
def test_format_compliance_weekly() -> None:
    good = "# 报告\n生成时间: 2025-09-10\n分析论文数量: 1篇\n\n## 论文技术简报\n\n### 1. A\n\nx\n\n## 论文详细信息\n\n### 1. A\n\n**主要机构**: MIT\n**作者数量**: 2人\n\n**摘要**:\ntext\n"
    assert metrics.format_compliance(good, "weekly").flags == []
    swapped = good.replace("## 论文技术简报", "## 临时").replace(
        "## 论文详细信息", "## 论文技术简报"
    )
    reasons = [f.reason for f in metrics.format_compliance(swapped, "weekly").flags]
    assert any("论文详细信息" in r for r in reasons)
    no_field = good.replace("**作者数量**: 2人\n", "")
    assert "paper block has no '作者数量' field" in [
        f.reason for f in metrics.format_compliance(no_field, "weekly").flags
    ]


def test_format_compliance_catalog_tables_and_links() -> None:
    text = (
        "| 日期 | 概要 | 论文 / 链接 | 团队 | 描述 |\n|:---:|:---:|---:|:---:|:---:|\n"
        "| 2024/07 | 调试 | [FixAgent](https://arxiv.org/abs/2404.17153) | NA | 描述 |\n"
        "| 2025/09 || 调度 | [SchedCP](https://arxiv.org/abs/2509.01245) | 团队 | 描述 |\n"
        "| 2025/07 | 负载 | [LWN](https://lwn.net/Articles/1027096 | 团队 | 描述 |\n"
    )
    result = metrics.format_compliance(text, "catalog")
    assert [(f.line, f.severity) for f in result.flags] == [(4, "warning"), (5, "warning")]
    assert "6 cells" in result.flags[0].reason and "not closed" in result.flags[1].reason
    assert metrics.format_compliance(text, "nonsense").value is None


# --- placeholders -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "推理速度提升 X%（待确认具体数字）",
        "提升 XX 倍",
        "结果 TBD",
        "TODO: 补充",
        "准确率？？",
        "<机构>发布了<论文>",
    ],
)
def test_placeholders_flagged(text: str) -> None:
    assert lines_of(metrics.placeholders("标题\n" + text)) == [2]


@pytest.mark.parametrize(
    "text",
    ["推理速度提升 45%", "使用 XLA 编译", "3x3 卷积", "Mixtral 8x7B", "```\nx = a ?? b\n```"],
)
def test_placeholders_not_flagged(text: str) -> None:
    assert metrics.placeholders(text).flags == []


# --- missing fields ---------------------------------------------------------------------
WEEKLY = """## 论文技术简报

### 8.

研究团队发布了PLaMo 2论文，达成8B模型性能媲美100B模型的效果。

### 10. Spec Bench

华为发布了投机解码基准测试论文，使用投机解码基准测试技术，解决了测试时的高效扩展问题。

### 11. Good

某大学发布了X论文，使用Y，解决了Z，达成了延迟降低45%的效果。

## 论文详细信息

### 8.

**主要机构**:
**作者数量**: 0人

**摘要**:
In this report, we introduce PLaMo 2.

### 10. Spec Bench

**主要机构**: City University of Hong Kong
**作者数量**: 11人

**摘要**:


### 11. Good

**主要机构**: MIT
**作者数量**: 3人

**摘要**:
Latency drops by 45%.
"""


def test_missing_fields() -> None:
    result = metrics.missing_fields(WEEKLY, "weekly")
    got = {(f.line, f.reason) for f in result.flags}
    assert got == {
        (3, "paper 8 has an empty title"),
        (9, "the one-line brief of paper 10 states no result (达成了<效果>)"),
        (17, "paper 8 has an empty title"),
        (19, "'主要机构' is empty (paper 8)"),
        (20, "'作者数量' is 0人: the author list is missing (paper 8)"),
        (30, "'摘要' is empty (paper 10)"),
    }


def test_field_followed_by_list_is_not_empty() -> None:
    text = "### 方向\n\n**对你的研究价值:**\n- **可以直接用：** 代码开源\n- 其他\n"
    assert metrics.missing_fields(text).flags == []


def test_has_result() -> None:
    assert metrics.has_result("达成了延迟降低45%的效果")
    assert metrics.has_result("显著优于现有最先进方法")
    assert not metrics.has_result("使用投机解码基准测试技术，解决了测试时的高效扩展问题")


# --- language ---------------------------------------------------------------------------
def test_language_share_and_traditional() -> None:
    simplified = metrics.language("本文提出一种高效的推理方法，显著降低延迟。")
    assert simplified.value == 1.0 and simplified.flags == []
    traditional = metrics.language("本文提出一種高效的推理方法，這個方法顯著降低延遲。")
    assert traditional.flags and "Traditional-only" in traditional.flags[0].reason
    mixed = metrics.language("DPad 很快")
    assert mixed.value == pytest.approx(2 / 6)


# --- mojibake ---------------------------------------------------------------------------
def test_mojibake_detected_and_repaired() -> None:
    original = "## 🎯 执行摘要\n效率优化成为热点 ⭐⭐⭐\n"
    damaged = original.encode("utf-8").decode("cp1252", errors="ignore")
    result = metrics.mojibake("title\n" + damaged)
    assert len(result.flags) == 1 and result.flags[0].line == 2
    assert "on 2 of 4 lines" in result.flags[0].reason
    repaired = doc.repair_text(damaged)
    assert "执行摘要" in repaired and "⭐⭐⭐" in repaired
    assert metrics.mojibake(original).flags == [] and metrics.mojibake(original).value == 0.0


# --- ratings ----------------------------------------------------------------------------
TABLE = "| 技术 | 成熟度 | 研究热度 |\n|---|---|---|\n| 量化 | ⭐⭐⭐⭐⭐ | 🔥🔥🔥 |\n| 剪枝 | ⭐⭐⭐ | 🔥 |\n"


def test_unsupported_ratings() -> None:
    result = metrics.unsupported_ratings("## 🔥 工业界动态\n\n" + TABLE)
    assert lines_of(result) == [5, 6]  # the heading's single 🔥 is an icon, not a rating
    assert "成熟度 ⭐⭐⭐⭐⭐" in result.flags[0].reason
    basis = "成熟度评分依据：本库中该方向的论文数（⭐ = 10 篇）。\n\n" + TABLE
    assert metrics.unsupported_ratings(basis).flags == []
    assert lines_of(metrics.unsupported_ratings("热度：🔥🔥🔥")) == [1]


# --- coverage ---------------------------------------------------------------------------
def test_coverage_against_gold() -> None:
    text = "DPad 最高快 61.4 倍 [arXiv:2508.14148 p.7]，精度 92.9%。"
    gold = {
        "numbers": ["61.4×", "92.87%", "20%"],
        "must_cite": ["2508.14148v2", "2401.00001"],
        "reference": text,
    }
    cov = metrics.coverage(text, gold)
    assert cov["number_recall"] == pytest.approx(1 / 3)  # 92.9% is not 92.87% at 2 decimals
    assert cov["must_cite_recall"] == 0.5
    assert cov["chrf"] == pytest.approx(1.0)
    assert metrics.chrf("完全不同的句子", text) < 0.2
    assert metrics.coverage("", {})["chrf"] is None


# --- duplicate papers and empty sections ------------------------------------------------
def test_duplicate_papers() -> None:
    text = (
        "### 1. Seq2Seq2Seq\n\n**📄 论文：** [arXiv:2602.12146](https://arxiv.org/abs/2602.12146)\n\n"
        "### 2. Sink-Aware Pruning\n\n**📄 论文：** [arXiv:2602.12146](https://arxiv.org/abs/2602.12146)\n"
    )
    result = metrics.duplicate_papers(text)
    assert [(f.line, f.reason) for f in result.flags] == [
        (7, "arXiv:2602.12146 is also given as the paper of 'Seq2Seq2Seq' (line 1)")
    ]
    same_paper_twice = text.replace("Sink-Aware Pruning", "Seq2Seq2Seq")
    assert metrics.duplicate_papers(same_paper_twice).flags == []


def test_empty_section_is_a_warning() -> None:
    text = "## 方向\n\n### Mamba\n\n---\n\n### RWKV\n\n内容\n\n## 父节\n\n### 子节\n\n内容\n"
    result = metrics.missing_fields(text)
    assert [(f.line, f.severity) for f in result.flags] == [(3, "warning")]


def test_mojibake_ignores_real_accents() -> None:
    assert metrics.mojibake("Café — Universität Zürich, señor, naïve—résumé").flags == []
    assert metrics.mojibake("cafÃ© au lait").flags  # é read as cp1252


def test_paper_count() -> None:
    text = "# 报告\n分析论文数量: {n}篇\n\n### 1. A\n**主要机构**: MIT\n\n### 2. B\n**主要机构**: CMU\n"
    assert metrics.paper_count(text.format(n=2)).value == 1.0
    wrong = metrics.paper_count(text.format(n=3))
    assert [(f.line, f.reason) for f in wrong.flags] == [
        (2, "says 3 papers but the document describes 2")
    ]
    assert metrics.paper_count("本期解读 **2 篇** 论文，无论文块。").value is None


def test_citation_versions() -> None:
    text = "见 [arXiv:2508.14148v1] 与 [arXiv:2505.15781v3]。"
    result = metrics.citation_validity(text, known=["2508.14148v2", "2505.15781"])
    assert [f.reason for f in result.flags] == [
        "arXiv:2508.14148v1 is not the version the brief was made from (v2)"
    ]
