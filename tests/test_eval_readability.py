"""The readability eval: metrics on small hand-made briefs, and the suite on the seeds and on
our own extractive weekly (the seeds need ../shared; those tests skip without it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from agent.errors import ConfigError
from agent.settings import load_settings
from evals import readability_metrics as rm
from evals.readability_metrics import chinese_share
from evals.runner import EvalContext, run_suite
from evals.suites import get_suite
from evals.suites import readability as suite_module

WEEKLY = """---
title: "t"
---
# 报告
生成时间: 2026-01-01

## 论文技术简报

### 1. Fast Inference via Speculative Decoding

谷歌发布了《Fast Inference via Speculative Decoding》，使用投机解码，解决了推理慢的问题，达成了2倍加速。
原文：「We demonstrate it on T5-XXL and show a 2X-3X acceleration compared to the baseline」
见 [arXiv:2211.17192 p.1] 与 [论文](https://arxiv.org/abs/2211.17192)，代码 `pip install x`。

```
def not_prose(): return "English English English"
```

### 2. Another Paper Title

某大学发布了Another Paper Title论文，使用「We propose a new cache for diffusion language models」，\
解决了慢，达成了显著加速。

## 论文详细信息

### 1. Fast Inference via Speculative Decoding

**主要机构**: Google Research
**摘要**:
Inference is slow. We introduce speculative decoding. We demonstrate it on T5-XXL and show \
a 2X-3X acceleration compared to the baseline.

### 2. Another Paper Title

**主要机构**: Some University
**摘要**:
We propose a cache. It achieves up to 61.4× speedup while maintaining accuracy.
"""


def test_prose_leaves_out_titles_links_ids_code_and_evidence_lines() -> None:
    passages = rm.prose(WEEKLY, "weekly").of("weekly")
    text = "\n".join(p.text for p in passages)
    for gone in ("Fast Inference", "Another Paper Title", "2211.17192", "[论文]", "pip",
                 "not_prose", "T5-XXL", "title:"):  # fmt: skip
        assert gone not in text, gone
    # what is left: the two one-liners, the quoted English included (the reader reads it)
    assert "We propose a new cache for diffusion language models" in text
    assert {p.block for p in passages} == {
        "Fast Inference via Speculative Decoding",
        "Another Paper Title",
    }


def test_chinese_share_counts_han_against_latin_letters() -> None:
    assert rm.letter_counts("量化 GPTQ 3.5×") == (2, 4)
    assert rm.share(2, 4) == pytest.approx(0.3333, abs=1e-4)
    assert rm.share(0, 0) is None
    one = "### 1. Title Words Here\n\n中文句子，English words。"
    doc = "## 论文技术简报\n\n" + one
    assert rm.chinese_share(doc, "weekly") == pytest.approx(4 / (4 + 12), abs=1e-4)
    # headings and the title recurring in the sentence do not count
    doc2 = "## 论文技术简报\n\n### 1. Title Words Here\n\n中文句子发布了Title Words Here。"
    assert rm.chinese_share(doc2, "weekly") == 1.0
    assert rm.chinese_share(doc, "deepdive") is None
    # evidence on a line of its own labelled 原文 is left out; inline in the sentence it counts
    evidence = "## 论文技术简报\n\n达成了加速。\n> 原文：「It is fast」\n"
    assert rm.chinese_share(evidence, "weekly") == 1.0
    inline = "## 论文技术简报\n\n达成了加速（原文「It is fast」）。\n"
    assert rm.chinese_share(inline, "weekly") == pytest.approx(7 / 15, abs=1e-4)


def test_longest_english_run_in_words() -> None:
    n, words = rm.longest_run("方法「We propose a new cache for diffusion language models」，效果")
    assert (n, words) == (9, "We propose a new cache for diffusion language models")
    # numbers inside a run neither count nor break it; a Chinese character breaks it
    assert rm.longest_run("up to 61.4 × faster on 8 GPUs 以及 three more words")[0] == 5
    assert rm.longest_run("全是中文，没有英文。") == (0, "")
    assert rm.longest_run("达成了「achieves from 2-10× speedup」。") == (
        3,
        "achieves from 2-10× speedup",
    )
    assert rm.longest_english_run(WEEKLY, "weekly") == 9


def test_kind_follows_the_document_format() -> None:
    trends = (
        "## 执行摘要\n\n趋势一。\n\n### 4. 方向\n\n#### 为什么值得关注\n\nWhy it matters here.\n"
    )
    assert rm.prose(trends, "trends").kinds() == ["trends"]
    assert rm.prose(trends, None).kinds() == ["deepdive", "trends"]


DEEPDIVE = """## 方向

### Paper One

#### 核心思想

提出一种新的缓存方法。

#### 对你的研究可能的启发

- 论文没有陈述经核验的局限。

### Paper Two

#### 核心思想

用草稿模型加速解码。

#### 对你的研究可能的启发

- 论文没有陈述经核验的局限。
"""


def test_boilerplate_counts_sentences_repeated_across_blocks() -> None:
    passages = rm.prose(DEEPDIVE, "deepdive").passages
    assert {p.block for p in passages} == {"Paper One", "Paper Two"}
    found = rm.boilerplate(passages)
    assert (found.sentences, found.repeated) == (4, 2)
    assert found.value == 0.5
    assert found.examples[0][2] == 2
    distinct = DEEPDIVE.replace("- 论文没有陈述经核验的局限。\n", "- 可借鉴到量化。\n", 1)
    assert rm.boilerplate(rm.prose(distinct, "deepdive").passages).value == 0.0


def test_headline_numbers_and_the_result_slot() -> None:
    abstract = (
        "Inference is slow - decoding K tokens takes K serial runs. We introduce speculative "
        "decoding with 2 models. We show a 2X-3X acceleration compared to the baseline."
    )
    assert rm.headline_numbers(abstract) == ["2X", "3X"]
    good = "谷歌发布了《T》，使用投机解码，解决了推理慢，达成了2倍加速。"
    assert rm.carries_headline(good, abstract) is True
    side = "谷歌发布了《T》，使用投机解码，解决了推理慢，达成了「up to 60% higher」。"
    assert rm.carries_headline(side, abstract) is False
    vague = "谷歌发布了《T》，使用2倍的投机解码，解决了推理慢，达成了显著加速。"
    assert rm.carries_headline(vague, abstract) is False  # the number is not in the slot
    assert rm.carries_headline(good, "We propose a method. It works well.") is None
    # plain numbers count only when the result sentences have no effect size
    assert rm.headline_numbers("Our model achieves a BPT of 5.72 on WikiText.") == ["5.72"]


def test_headline_recall_pairs_one_liners_with_the_brief_abstracts() -> None:
    pairs = rm.one_liners(WEEKLY)
    assert [p.title for p in pairs] == [
        "Fast Inference via Speculative Decoding",
        "Another Paper Title",
    ]
    assert pairs[1].abstract.startswith("We propose a cache.")
    recall = rm.brief_headline_recall(WEEKLY)
    assert (recall.hits, recall.measured, recall.value) == (1, 2, 0.5)
    assert recall.misses[0][1] == "Another Paper Title" and recall.misses[0][2] == ["61.4×"]


def test_slot_roles_judge_picks_against_labels() -> None:
    labels: list[rm.Label] = [
        ("Degradation-free quantization remains an open challenge for large models.", ("problem",)),
        ("∗Majority of research done as a visiting researcher at a lab.", ("other",)),
        ("We present Spiffy, which accelerates inference by 2.8-3.1 times.", ("result", "method")),
        ("Title Block Of The Paper Author One Author Two University", ("other",)),
    ]
    picks = [
        ("problem", "Degradation-free quantization remains an open challenge for large models."),
        (
            "problem",
            "Degradation-free quantization remains an open challenge for large models. "
            "∗Majority of research done as a visiting researcher at a lab.",
        ),
        ("method", "We present Spiffy, which accelerates inference by 2.8-3.1 times."),
        ("result", "A sentence nobody labelled, long enough to be judged at all."),
    ]
    score = rm.slot_roles(picks, labels)
    assert (score.picked, score.judged, score.correct) == (4, 3, 2)
    assert score.accuracy == pytest.approx(2 / 3, abs=1e-4) and score.coverage == 0.75
    assert score.confusions == {("problem", "other"): 1}
    # an `other` label holding the quote (a title block before a sentence) does not match
    assert rm.labelled_roles("Title Block Of The Paper Author One", labels) is None


# --- the suite -------------------------------------------------------------------------------
def _ctx() -> EvalContext:
    return EvalContext(settings=load_settings())


def _dataset(tmp_path: Path, cases: list[dict[str, Any]]) -> Path:
    path = tmp_path / "readability.yaml"
    path.write_text(yaml.safe_dump({"cases": cases}, allow_unicode=True), encoding="utf-8")
    return path


def test_a_given_brief_is_scored_beside_the_seeds(tmp_path: Path) -> None:
    brief = tmp_path / "mine.md"
    brief.write_text(WEEKLY, encoding="utf-8")
    dataset = suite_module.load(brief)
    assert [c["id"] for c in dataset.cases if "brief" in c] == ["given-mine.md"]
    assert any("seed" in c for c in dataset.cases)
    result = run_suite(get_suite("readability"), _ctx(), _dataset(tmp_path, dataset.cases[-1:]))
    assert result.metrics["given.weekly.longest_english_run"] == 9.0
    assert result.metrics["given.headline_recall"] == 0.5
    case = result.cases[0]
    assert not case.passed and {f.kind for f in case.flags} == {"headline"}
    with pytest.raises(ConfigError, match="does not exist"):
        suite_module.load(tmp_path / "missing.md")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="no brief"):
        suite_module.load(tmp_path / "empty")


def test_seed_cases_are_not_measured_without_shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suite_module, "seeds_dir", lambda: tmp_path / "no-shared" / "seeds")
    cases = [{"id": "seed-004", "seed": "004_e0eec1c7d5cb7305.txt"}]
    result = run_suite(get_suite("readability"), _ctx(), _dataset(tmp_path, cases))
    assert result.cases[0].flags[0].kind == "not_measured"
    assert not any(k.startswith("seed.") for k in result.metrics)
    assert any("seeds not measured" in n for n in result.notes)


def test_seeds_and_our_extractive_weekly_on_one_scale(shared_dir: Path, tmp_path: Path) -> None:
    cases = [
        {"id": "seed-000", "seed": "000_cd1a727645e8e0c6.txt"},
        {"id": "seed-002", "seed": "002_bb0016d5347441b9.txt"},
        {"id": "seed-004", "seed": "004_e0eec1c7d5cb7305.txt"},
        {"id": "ours-weekly", "make": "weekly"},
    ]
    result = run_suite(get_suite("readability"), _ctx(), _dataset(tmp_path, cases))
    m = result.metrics
    assert 0.7 <= (m["seed.weekly.chinese_share"] or 0) <= 0.8
    assert (m["seed.weekly.longest_english_run"] or 99) <= 12
    assert (m["seed.deepdive.chinese_share"] or 0) > 0.45
    assert (m["seed.trends.chinese_share"] or 0) > 0.42
    assert m["seed.headline_recall"] == 1.0
    ours = m.get("ours.weekly.chinese_share")
    assert ours is not None, [c.flags for c in result.cases]
    assert ours >= 0.4  # issue 18's floor without a model
    assert (m["ours.weekly.longest_english_run"] or 99) <= 12
    # the scale sees what the issue saw: English sentences in a Chinese frame (the weekly's
    # one-liners before issue 18) score far below the seed
    old_style = (
        "## 论文技术简报\n\n### 1. A Paper\n\n某大学发布了《A Paper》，使用「We propose a "
        "simple training-free inference strategy that redefines suffix attention」，解决了"
        "「Such redundancy imposes unnecessary computational overhead」，达成了「It delivers "
        "up to 61.4x speedup over vanilla models while maintaining accuracy」。\n"
    )
    assert (chinese_share(old_style, "weekly") or 0) < 0.2 < (m["seed.weekly.chinese_share"] or 0)


def test_cli_scores_a_folder_of_briefs(tmp_path: Path, brief_home: Path) -> None:
    import json

    from typer.testing import CliRunner

    from agent.cli.app import app

    folder = tmp_path / "briefs"
    folder.mkdir()
    (folder / "a-weekly.md").write_text(WEEKLY, encoding="utf-8")
    (folder / "b-deepdive.md").write_text(DEEPDIVE, encoding="utf-8")
    (folder / "notes.json").write_text("{}", encoding="utf-8")  # not a brief: not read
    result = CliRunner().invoke(
        app, ["eval", "run", "readability", "--dataset", str(folder), "--model", "none", "--json"]
    )
    data = json.loads(result.stdout)
    given = [c["id"] for c in data["cases"] if c["info"].get("group") == "given"]
    assert given == ["given-a-weekly.md", "given-b-deepdive.md"]
    assert data["metrics"]["given.weekly.longest_english_run"] == 9.0
    # 2 weekly and 4 deep-dive sentences, 2 of them the same 启发 line in two papers
    assert data["metrics"]["given.boilerplate_share"] == pytest.approx(2 / 6, abs=1e-4)
    assert not any(k.startswith("ours.") for k in data["metrics"])  # nothing is generated
    assert result.exit_code == (0 if data["passed"] else 1)
    assert (brief_home / "evals" / data["run_id"] / "report.md").is_file()
