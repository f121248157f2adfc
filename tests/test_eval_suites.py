"""The built-in suites run offline; the ones that need ../shared skip cleanly without it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from langchain_core.messages import BaseMessage

from agent.llm.scripted import ScriptedChatModel
from agent.settings import load_settings
from evals.build_critic_dataset import CLASSES, build, read_sources
from evals.runner import DATASETS_DIR, EvalContext, load_dataset, run_suite
from evals.suites import get_suite
from evals.suites.seed_briefs import pattern_ok, score_sentence


def _ctx(model: Any = None, name: str = "extractive") -> EvalContext:
    return EvalContext(settings=load_settings(), model=model, model_name=name, repeats=2)


# --- seed-briefs ---------------------------------------------------------------------------


def test_pattern_and_scores_on_fixed_sentences() -> None:
    inputs = {
        "title": "T",
        "institutions": ["Sun Yat-sen University"],
        "abstract": "Our method reduces latency by up to 45% on 8 GPUs.",
    }
    good = "Sun Yat-sen University发布了《T》，使用调度器，解决了负载不均，达成了延迟降低45%。"
    metrics, flags = score_sentence(good, inputs)
    assert pattern_ok(good) and metrics["numbers_grounded"] == 1.0 and not flags
    invented = good.replace("45%", "54%")
    metrics, flags = score_sentence(invented, inputs)
    assert metrics["numbers_grounded"] == 0.0
    assert [(f.kind, f.text) for f in flags] == [("ungrounded_number", "54%")]
    no_result = "Sun Yat-sen University发布了《T》，使用调度器，解决了负载不均，显著优于现有方法。"
    assert not pattern_ok(no_result)
    nobody = "研究团队发布了《T》，使用调度器，解决了负载不均，达成了延迟降低45%。"
    metrics, flags = score_sentence(nobody, inputs)
    assert metrics["institution"] == 0.0 and flags[0].kind == "institution"


def test_seed_briefs_runs_offline_and_reports_the_defective_inputs() -> None:
    result = run_suite(get_suite("seed-briefs"), _ctx())
    cases = {c.id: c for c in result.cases}
    assert len(cases) == 13
    dataset = load_dataset(DATASETS_DIR / "seed_briefs.yaml")
    defective = {c["id"] for c in dataset.cases if c["expected"]["defects"]}
    assert {"seed004-08", "seed004-10"} <= defective
    for case_id in defective:  # never a silent pass
        assert not cases[case_id].passed
        assert cases[case_id].flags[0].kind == "input_defect"
    assert "no title" in cases["seed004-08"].flags[0].reason
    assert "no abstract" in cases["seed004-10"].flags[0].reason
    assert result.metrics["defects_reported"] == 1.0
    assert result.metrics["pattern_compliance"] >= 0.9 and result.metrics["result_stated"] >= 0.9
    assert result.metrics["number_grounding"] == 1.0 and result.metrics["false_refusals"] == 0.0
    for case in result.cases:  # scores agree with the sentence written
        sentence = case.info["output"]
        if sentence:
            assert case.metrics["pattern"] == float(pattern_ok(sentence))
            assert case.passed == (not case.flags)
    assert result.metrics["judge_faithfulness"] is None
    assert any("judge_faithfulness: not measured" in n for n in result.notes)


ONE_LINER = {
    "method": "自适应特征蒸馏框架",
    "problem": "标注数据稀缺",
    "result": "意图准确率95.67%",
    "claim_ids": [],
}


def _fake_model(judge_score: float) -> ScriptedChatModel:
    """Scripted stand-in for a model's judgement: writes one fixed one-liner for every paper
    and grades every sentence `judge_score`."""

    def reply(messages: list[BaseMessage]) -> str:
        prompt = "\n".join(str(m.content) for m in messages)
        if "grading a translation-summary" in prompt:
            return json.dumps({"score": judge_score, "reason": "scripted"})
        return json.dumps(ONE_LINER, ensure_ascii=False)

    return ScriptedChatModel(model_name="scripted-writer").enqueue(*[reply] * 200)


def test_seed_briefs_with_a_model_grounds_its_numbers_and_averages_the_judge() -> None:
    model = _fake_model(0.75)
    result = run_suite(get_suite("seed-briefs"), _ctx(model, "scripted-writer"))
    cases = {c.id: c for c in result.cases}
    # 95.67% is in paper 2's abstract only: everywhere else it is an invented number.
    assert cases["seed004-02"].metrics["numbers_grounded"] == 1.0
    assert "95.67%" in cases["seed004-02"].info["output"]
    invented = cases["seed004-05"]
    assert invented.metrics["numbers_grounded"] == 0.0 and not invented.passed
    assert any(f.kind == "ungrounded_number" and f.text == "95.67%" for f in invented.flags)
    assert cases["seed004-02"].info["judge"]["scores"] == [0.75, 0.75]  # repeats=2
    assert cases["seed004-02"].info["judge"]["judge"] == "scripted-writer"
    assert result.metrics["judge_faithfulness"] == pytest.approx(0.75)
    assert result.model == "scripted-writer"


def test_seed_dataset_is_the_seed_file(shared_dir: Path) -> None:
    seed = (shared_dir / "seeds" / "004_e0eec1c7d5cb7305.txt").read_text(encoding="utf-8")
    doc = yaml.safe_load((DATASETS_DIR / "seed_briefs.yaml").read_text(encoding="utf-8"))
    for number, case in enumerate(doc["cases"], start=1):
        assert f"### {number}. {case['inputs']['title']}".rstrip() in seed
        assert case["expected"]["one_liner"] in seed
        assert case["inputs"]["abstract"] in seed
        listed = re.search(
            rf"### {number}\. .*?\*\*主要机构\*\*: ?(.*?)\n", seed.split("## 论文详细信息")[1], re.S
        )
        assert listed and ", ".join(case["inputs"]["institutions"]) == listed.group(1).strip()


# --- critic-adversarial ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_sources() -> list[Any]:
    return read_sources("demo")


def test_builder_is_deterministic_and_every_corruption_changes_its_claim(
    demo_sources: list[Any],
) -> None:
    from agent.grounding.quotes import find_quote

    rows = build(demo_sources, "demo", seed=4, per_paper=6)
    assert rows == build(demo_sources, "demo", seed=4, per_paper=6)
    assert rows != build(demo_sources, "demo", seed=5, per_paper=6)
    trues = {r["id"]: r for r in rows if r["corruption"] == "none"}
    bad = [r for r in rows if r["corruption"] != "none"]
    assert {r["corruption"] for r in bad} == {*CLASSES, "name_number"}
    pages = {s.name: s.pages for s in demo_sources}
    for row in trues.values():  # true claims quote their page verbatim
        claim = row["claim"]
        assert (
            claim["statement"].split(": ", 1)[-1] in claim["quote"]
            or claim["statement"] in claim["quote"]
        )
        assert find_quote(claim["quote"], pages[row["pdf"]], claim["page"]) == claim["page"]
    for row in bad:
        assert row["claim"] != trues[row["of"]]["claim"] and row["expected"] == "reject"


def test_critic_demo_measures_every_class_and_says_what_it_cannot() -> None:
    result = run_suite(get_suite("critic-demo"), _ctx())
    m = result.metrics
    assert m["true_claims"] >= 25 and m["corrupted_claims"] >= 50
    for cls in ("number", "unit", "arxiv_id", "page", "other_quote", "name_number"):
        assert m[f"catch_{cls}"] is not None
    assert m["false_alarm_rate"] is not None
    # Entailment classes are not counted as caught without a judge.
    assert m["catch_negation"] is None and m["catch_institution"] is None
    assert m["deterministic_catch_negation"] is not None
    unmeasured = [c for c in result.cases if c.flags and c.flags[0].kind == "not_measured"]
    assert unmeasured and all(c.info["class"] in ("negation", "institution") for c in unmeasured)
    assert result.threshold_results["catch_negation"] is None


def _negation_judge() -> ScriptedChatModel:
    """Scripted stand-in for the critic's entailment judgement: a statement that negates
    (adds 'not') what its quote says is not entailed; everything else is."""

    def reply(messages: list[BaseMessage]) -> str:
        prompt = "\n".join(str(m.content) for m in messages)
        found = re.search(r"statement: (.*)\n\s*quote: (.*)", prompt)
        assert found, "the critic prompt lists statement and quote"
        statement, quote = found.groups()
        negated = bool(re.search(r"\bnot\b|cannot", statement)) and not re.search(
            r"\bnot\b|cannot", quote
        )
        return json.dumps(
            {
                "verdicts": [
                    {
                        "index": 0,
                        "entailed": not negated,
                        "reason": "negates the quote" if negated else "",
                    }
                ]
            }
        )

    return ScriptedChatModel(model_name="scripted-critic").enqueue(*[reply] * 400)


def test_critic_demo_with_a_judge_measures_the_entailment_classes() -> None:
    result = run_suite(get_suite("critic-demo"), _ctx(_negation_judge(), "scripted-critic"))
    m = result.metrics
    assert m["catch_negation"] == 1.0
    assert m["catch_institution"] is not None  # measured (this fake judge ignores names)
    stages = {c.info["stage"] for c in result.cases if c.info["class"] == "negation"}
    assert stages == {"entailment"}


def test_critic_demo_meets_its_floors() -> None:
    """The issue's floors, on the bundled papers: catch >= 0.95 over the deterministic
    classes, false alarms <= 0.05."""
    result = run_suite(get_suite("critic-demo"), _ctx())
    assert result.metrics["catch_deterministic"] >= 0.95
    assert result.metrics["catch_name_number"] >= 0.95  # InfLLM-V2 -> InfLLM-V3.74 (issue 15)
    assert result.metrics["false_alarm_rate"] <= 0.05


def test_critic_suite_skips_with_a_clear_message_when_pdfs_are_missing(tmp_path: Path) -> None:
    rows = [
        {
            "id": "x",
            "source": "corpus",
            "pdf": "no-such.pdf",
            "corruption": "none",
            "expected": "accept",
            "claim": {"statement": "s", "quote": "q", "page": 1},
        }
    ]
    path = tmp_path / "missing.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    result = run_suite(get_suite("critic-adversarial"), _ctx(), path)
    assert result.skipped and "no-such.pdf" in result.skipped and result.cases == []


@pytest.mark.shared
def test_critic_adversarial_on_the_corpus(shared_dir: Path) -> None:
    result = run_suite(get_suite("critic-adversarial"), _ctx())
    assert result.skipped is None
    assert result.metrics["true_claims"] >= 100 and result.metrics["corrupted_claims"] >= 100
    assert result.metrics["false_alarm_rate"] is not None


# --- suites on ../shared ---------------------------------------------------------------------


@pytest.mark.shared
def test_reader_metadata_runs_or_skips_with_a_reason(shared_dir: Path) -> None:
    result = run_suite(get_suite("reader-metadata"), _ctx())
    if result.skipped:
        assert "reader_gold" in result.skipped
        pytest.skip(result.skipped)
    assert result.metrics["papers"] == 18
    assert result.metrics["title_accuracy"] is not None
    assert all(
        c.metrics["abstract_f1"] is None or 0 <= c.metrics["abstract_f1"] <= 1 for c in result.cases
    )


def test_shared_suites_skip_without_shared(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import evals.runner
    import evals.suites.chat_retrieval
    import evals.suites.reader_metadata

    for module in (evals.runner, evals.suites.reader_metadata, evals.suites.chat_retrieval):
        monkeypatch.setattr(module, "shared_root", lambda: tmp_path / "nowhere")
    for name in ("reader-metadata", "chat-retrieval"):
        suite = get_suite(name)
        if not suite.default_dataset().is_file():
            continue
        result = run_suite(suite, _ctx())
        assert result.skipped and "../shared" in result.skipped
        assert result.passed  # a skip is not a failure


@pytest.mark.shared
def test_chat_retrieval_on_the_corpus(shared_dir: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(
        yaml.safe_dump(
            {
                "cases": [
                    {
                        "id": "int8",
                        "question": "LLM.int8() 8-bit matrix multiplication for transformers "
                        "at scale with outlier features",
                        "paper": "2208.07339",
                        "page": 1,
                    },
                    {
                        "id": "paged",
                        "question": "PagedAttention KV cache memory management in vLLM",
                        "paper": "2309.06180",
                        "page": 1,
                    },
                    {
                        "id": "nowhere",
                        "question": "zebra migration patterns in the Serengeti",
                        "paper": "0000.00000",
                        "page": 1,
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    result = run_suite(get_suite("chat-retrieval"), _ctx(), questions)
    cases = {c.id: c for c in result.cases}
    assert cases["nowhere"].metrics["recalled"] == 0.0 and not cases["nowhere"].passed
    assert cases["nowhere"].flags[0].kind == "not_retrieved"
    assert result.metrics["questions"] == 3
    assert 0.0 <= result.metrics["mrr"] <= result.metrics["recall@5"] <= 0.6667
