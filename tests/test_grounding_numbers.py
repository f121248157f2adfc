"""Numbers in English and Chinese: extraction, normalisation, precision, kinds."""

from __future__ import annotations

import pytest

from agent.grounding.numbers import (
    extract_numbers,
    number_grounded,
    same_number,
    ungrounded_numbers,
    zh_to_number,
)


def raws(text: str) -> list[str]:
    return [n.raw for n in extract_numbers(text)]


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("92.87%", "0.9287"),
        ("92.87%", "92.87"),
        ("0.9287", "92.87%"),
        ("4.95×", "4.95倍"),
        ("4.95倍", "4.95x"),
        ("4.95倍", "4.95 times"),
        ("70亿", "7B"),
        ("7B", "7 billion"),
        ("70亿", "7,000,000,000"),
        ("1.2万亿", "1.2T"),
        ("两倍", "2×"),
        ("两倍", "twice"),
        ("百分之八十", "80%"),
        ("3.5万", "35,000"),
        ("35k", "3.5万"),
        ("1,024", "2^10"),
        ("10^{22}", "1e22"),
        ("5 个百分点", "5 pp"),
        ("5 pp", "5 percentage points"),
        ("93%", "92.87%"),  # rounding to the shown precision
        ("7B", "6.7B"),
        ("-0.5", "−0.5"),
        ("4", "four"),
    ],
)
def test_same_value_in_other_notation_is_grounded(claim: str, evidence: str) -> None:
    assert same_number(claim, evidence), (claim, evidence)


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("93.1%", "92.87%"),  # more precise than the evidence allows
        ("92.87%", "93%"),  # claims digits the evidence does not have
        ("5%", "5 个百分点"),  # relative percent is not percentage points
        ("提升 5 个百分点", "improves by 5%"),
        ("4.95×", "4.95%"),
        ("7B", "70B"),
        ("70亿", "7亿"),
        ("3.5万", "3,500"),
        ("61.2×", "61.4×"),
        ("两倍", "3×"),
    ],
)
def test_different_value_or_kind_is_not_grounded(claim: str, evidence: str) -> None:
    assert not same_number(claim, evidence), (claim, evidence)


def test_kinds_and_values() -> None:
    nums = {
        n.raw: n
        for n in extract_numbers("精度 92.87%，提升 3 个百分点，加速 4.95 倍，共 70亿 参数")
    }
    assert nums["92.87%"].kind == "percent" and nums["92.87%"].value == pytest.approx(0.9287)
    assert nums["92.87%"].decimals == 2
    assert nums["3 个百分点"].kind == "pp"
    assert nums["4.95 倍"].kind == "times" and nums["4.95 倍"].value == pytest.approx(4.95)
    assert nums["70亿"].value == pytest.approx(7e9)


def test_chinese_numerals() -> None:
    assert zh_to_number("两") == 2
    assert zh_to_number("十五") == 15
    assert zh_to_number("八十") == 80
    assert zh_to_number("三千二百") == 3200
    assert zh_to_number("五点五") == pytest.approx(5.5)
    assert zh_to_number("abc") is None
    (n,) = extract_numbers("速度提升十倍")
    assert n.kind == "times" and n.value == 10


@pytest.mark.parametrize(
    "text",
    [
        "see arXiv:2512.10858v2 and https://arxiv.org/abs/2602.12146",
        "as shown in [12] and [1, 2]",
        "Section 3.2, Table 2, Figure 4 and Eq. (5)",
        "报告日期 2026-02-23，发布于 2026 年 2 月，1 周前，3 天前，2 个月前",
        "NeurIPS 2025 (2023) published in 2024",
        "Llama-2-7B, ImageNet-1K, ModelNet40, GPT-4 and the F1 score",
        "1. 第一点\n2) 第二点\n### 3. 标题",
        "生成时间: 2025-09-10 15:56:45",
        "第 3 节与图 2、表 1",
    ],
)
def test_non_claims_are_ignored(text: str) -> None:
    assert raws(text) == [], raws(text)


def test_claims_next_to_names_are_kept() -> None:
    text = "VCMamba-B 在 ImageNet-1K 上达 82.6% Top-1 准确率，超越 PlainMamba-L3 0.3%，参数少 37%"
    assert raws(text) == ["82.6%", "0.3%", "37%"]
    assert raws("an 8B model matches our 100B model; 70B-parameter models on 40GB GPUs") == [
        "8B",
        "100B",
        "70B",
        "40GB",
    ]


def test_ranges_share_the_unit() -> None:
    nums = extract_numbers("加速 2-4×，能耗节省 39% 至 78%")
    assert [(n.raw, n.kind) for n in nums] == [
        ("2×", "times"),  # the range's unit, so the written form re-parses alike
        ("4×", "times"),
        ("39%", "percent"),
        ("78%", "percent"),
    ]
    assert all(n.value > 0 for n in nums)  # "2-4" is a range, not -4


def test_negative_and_decimal() -> None:
    nums = extract_numbers("loss changes by -0.5 and .75 of runs")
    assert [n.value for n in nums] == [-0.5, 0.75]


def test_ungrounded_numbers_against_an_abstract() -> None:
    abstract = (
        "Under the default settings, our method achieves a 20.56% inference speedup and a "
        "4.95× reduction in data transmission bandwidth consumption."
    )
    good = "达成默认设置下推理速度提升20.56%、数据传输带宽消耗减少4.95倍的效果。"
    bad = "达成默认设置下推理速度提升25.56%、数据传输带宽消耗减少4.95倍的效果。"
    assert ungrounded_numbers(good, abstract) == []
    assert [n.raw for n in ungrounded_numbers(bad, abstract)] == ["25.56%"]


def test_number_grounded_accepts_strings_or_numbers() -> None:
    (claim,) = extract_numbers("61.4×")
    assert number_grounded(claim, "up to 61.4× speedup")
    assert number_grounded(claim, extract_numbers("61.4x faster"))
    assert not number_grounded(claim, "up to 61.2× speedup")
    assert not number_grounded(claim, "")


def test_scientific_notation_as_printed_in_pdfs() -> None:
    assert [n.value for n in extract_numbers("reduced to 2.5 × 10−6 and 1e-4")] == pytest.approx(
        [2.5e-6, 1e-4]
    )
    assert same_number("10⁻⁶", "1e-6") and same_number("2¹⁰", "1,024")
    assert same_number("3.2×10^22", "3.2e22")
    # "10×" is not grounded by the 10 of "2.5 × 10−6" nor by "10%"
    assert ungrounded_numbers("the final 10× of iterations", "final 10% of iterations, 2.5 × 10−6")


def test_number_words_ground_counts_not_percentages() -> None:
    assert same_number("2", "two") and same_number("50%", "half")
    assert not same_number("2%", "two")
    assert [n.raw for n in extract_numbers("from 2%-10× speedup")] == ["2%", "10×"]  # not -10×


def test_units_must_agree_when_both_are_written() -> None:
    assert not same_number("30 ms", "30 s")
    assert same_number("40GB", "40 GB") and same_number("100 ms", "100ms")
    assert same_number("0.02%", "between 0.02-0.3%")
