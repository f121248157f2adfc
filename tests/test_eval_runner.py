"""The eval runner on small fixed datasets: loading, thresholds, failures, reports, judges."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.errors import ConfigError
from agent.llm.scripted import ScriptedChatModel
from agent.settings import load_settings
from evals.judges import faithfulness
from evals.report import MARKDOWN_FILE, RESULT_FILE, load_run, markdown, write_report
from evals.runner import (
    CaseResult,
    EvalContext,
    Flag,
    Suite,
    Threshold,
    load_dataset,
    new_run_id,
    rate,
    run_suite,
)

CONTRACT = {"suite", "run_id", "model", "metrics", "cases", "passed"}
CASE_CONTRACT = {"id", "passed", "metrics", "flags"}
FLAG_CONTRACT = {"kind", "line", "text", "reason"}


def _echo_case(case: dict[str, Any], ctx: EvalContext) -> CaseResult:
    """A toy system under test: upper-cases its input; the case says what it expects."""
    if case["inputs"]["text"] == "boom":
        raise RuntimeError("the system crashed on this input")
    output = case["inputs"]["text"].upper()
    ok = output == case["expected"]
    flags = [] if ok else [Flag("mismatch", output, f"expected {case['expected']}")]
    return CaseResult(case["id"], ok, {"exact": float(ok)}, flags, {"output": output})


def _echo_aggregate(cases: list[CaseResult], ctx: EvalContext) -> dict[str, Any]:
    return {"exact_rate": rate([c.passed for c in cases]), "judge": None}


ECHO = Suite(
    name="echo",
    description="toy",
    dataset="unused.yaml",
    required=("inputs.text", "expected"),
    run_case=_echo_case,
    aggregate=_echo_aggregate,
    thresholds=(Threshold("exact_rate", ">=", 0.5), Threshold("judge", ">=", 0.9)),
)


def _yaml(tmp_path: Path, cases: list[dict[str, Any]], extra: str = "") -> Path:
    import yaml

    path = tmp_path / "echo.yaml"
    path.write_text(extra + yaml.safe_dump({"cases": cases}), encoding="utf-8")
    return path


def _ctx() -> EvalContext:
    return EvalContext(settings=load_settings())


def test_runs_cases_aggregates_and_applies_thresholds(tmp_path: Path) -> None:
    path = _yaml(
        tmp_path,
        [
            {"id": "a", "inputs": {"text": "ab"}, "expected": "AB"},
            {"id": "b", "inputs": {"text": "cd"}, "expected": "XX"},
            {"id": "c", "inputs": {"text": "ef"}, "expected": "EF"},
        ],
    )
    result = run_suite(ECHO, _ctx(), path)
    assert [c.passed for c in result.cases] == [True, False, True]
    assert result.metrics["exact_rate"] == pytest.approx(2 / 3, abs=1e-3)
    assert result.threshold_results == {"exact_rate": True, "judge": None}
    assert result.passed
    assert any("judge: not measured" in n for n in result.notes)
    assert result.cases[1].flags[0].reason == "expected XX"


def test_failing_threshold_fails_the_run_and_dataset_overrides_it(tmp_path: Path) -> None:
    cases = [
        {"id": "a", "inputs": {"text": "ab"}, "expected": "AB"},
        {"id": "b", "inputs": {"text": "cd"}, "expected": "XX"},
    ]
    assert run_suite(ECHO, _ctx(), _yaml(tmp_path, cases)).passed  # 0.5 >= 0.5
    strict = _yaml(tmp_path, cases, "thresholds:\n  exact_rate: '>= 0.75'\n")
    result = run_suite(ECHO, _ctx(), strict)
    assert result.thresholds["exact_rate"].value == 0.75
    assert result.threshold_results["exact_rate"] is False
    assert not result.passed


def test_a_crashing_case_fails_alone_and_the_run_goes_on(tmp_path: Path) -> None:
    path = _yaml(
        tmp_path,
        [
            {"id": "x", "inputs": {"text": "boom"}, "expected": "BOOM"},
            {"id": "y", "inputs": {"text": "ok"}, "expected": "OK"},
        ],
    )
    result = run_suite(ECHO, _ctx(), path)
    crashed, fine = result.cases
    assert not crashed.passed and crashed.flags[0].kind == "error"
    assert "crashed on this input" in crashed.flags[0].reason
    assert fine.passed


def test_jsonl_dataset_with_meta_line(tmp_path: Path) -> None:
    path = tmp_path / "echo.jsonl"
    rows = [
        {"meta": {"thresholds": {"exact_rate": "<= 0.1"}}},
        {"id": "a", "inputs": {"text": "q"}, "expected": "Q"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    dataset = load_dataset(path)
    assert [c["id"] for c in dataset.cases] == ["a"]
    result = run_suite(ECHO, _ctx(), path)
    assert result.threshold_results["exact_rate"] is False  # 1.0 is not <= 0.1


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        ("cases:\n- id: a\n- id: a\n", ".yaml", "duplicate id"),
        ("cases:\n- inputs: {}\n", ".yaml", "needs an `id`"),
        ("just: text\n", ".yaml", "`cases:` list"),
        ('{"id": "a"\n', ".jsonl", "not JSON"),
        ("cases: []", ".txt", "neither .yaml nor .jsonl"),
    ],
)
def test_bad_datasets_are_one_clear_error(
    tmp_path: Path, content: str, suffix: str, message: str
) -> None:
    path = tmp_path / f"bad{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_dataset(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_a_dataset_of_another_schema_names_the_missing_field(tmp_path: Path) -> None:
    path = _yaml(tmp_path, [{"id": "a", "inputs": {"txt": "ab"}, "expected": "AB"}])
    with pytest.raises(ConfigError, match=r"case a: missing `inputs.text`, which suite echo"):
        run_suite(ECHO, _ctx(), path)


def test_run_ids_sort_by_time() -> None:
    t0 = datetime(2026, 11, 23, 0, 59, 59, tzinfo=UTC)
    ids = [new_run_id("s", "m", "d", t0 + timedelta(seconds=s)) for s in (0, 1, 61, 3600)]
    assert ids == sorted(ids)
    assert ids[0].startswith("20261123T005959Z-") and len(ids[0].split("-")[1]) == 6
    assert new_run_id("s", "m", "d", t0) != new_run_id("s", "m", "other", t0)


def test_report_files_hold_the_json_contract(tmp_path: Path) -> None:
    path = _yaml(
        tmp_path,
        [
            {"id": "a", "inputs": {"text": "ab"}, "expected": "AB"},
            {"id": "b", "inputs": {"text": "cd"}, "expected": "ZZ"},
        ],
    )
    result = run_suite(ECHO, _ctx(), path)
    run_dir = write_report(result, tmp_path / "evals")
    assert run_dir.name == result.run_id
    data = json.loads((run_dir / RESULT_FILE).read_text(encoding="utf-8"))
    assert set(data) >= CONTRACT
    assert all(set(c) >= CASE_CONTRACT for c in data["cases"])
    assert set(data["cases"][1]["flags"][0]) >= FLAG_CONTRACT
    assert data["metrics"]["judge"] is None
    md = (run_dir / MARKDOWN_FILE).read_text(encoding="utf-8")
    assert "| exact_rate | 0.5 | >= 0.5 | ok |" in md and "### b" in md
    assert load_run(result.run_id, tmp_path / "evals")["run_id"] == result.run_id
    assert load_run("latest", tmp_path / "evals")["run_id"] == result.run_id
    assert markdown(data).count("not measured") >= 1


def test_load_run_unknown_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'nope' is not a run"):
        load_run("nope", tmp_path)


def test_judge_averages_repeats_and_records_its_name() -> None:
    model = ScriptedChatModel(model_name="judge-fake").enqueue(
        '{"score": 1.0}',
        '{"score": 0.5, "reason": "the 2× is not in the quote"}',
        '{"score": 0.0, "reason": "invented"}',
    )
    result = faithfulness(model, "该方法提速 2×。", ["Our method is faster."], repeats=3)
    assert result.scores == [1.0, 0.5, 0.0]
    assert result.score == pytest.approx(0.5)
    assert result.judge == "judge-fake"
    assert result.reasons == ["the 2× is not in the quote", "invented"]
    prompt = model.received[0][-1].content
    assert "该方法提速 2×。" in prompt and "Our method is faster." in prompt
    assert len(model.received) == 3


def test_judge_reasks_an_invalid_answer_within_one_repeat() -> None:
    model = ScriptedChatModel().enqueue('{"score": 7}', '{"score": 0.25}')
    result = faithfulness(model, "句子", ["quote"], repeats=1)
    assert result.scores == [0.25]
    assert len(model.received) == 2  # the out-of-range score was sent back once


def test_cli_runs_a_suite_on_another_dataset_and_writes_its_report(
    tmp_path: Path, brief_home: Path
) -> None:
    import yaml
    from typer.testing import CliRunner

    from agent.cli.app import app
    from evals.runner import DATASETS_DIR

    doc = yaml.safe_load((DATASETS_DIR / "seed_briefs.yaml").read_text(encoding="utf-8"))
    subset = {"cases": [c for c in doc["cases"] if c["id"] in ("seed004-05", "seed004-08")]}
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(subset, allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        app, ["eval", "run", "seed-briefs", "--dataset", str(path), "--model", "none", "--json"]
    )
    data = json.loads(result.stdout)
    assert set(data) >= CONTRACT and data["model"] == "extractive"
    assert [c["id"] for c in data["cases"]] == ["seed004-05", "seed004-08"]
    assert result.exit_code == (0 if data["passed"] else 1)
    run_dir = brief_home / "evals" / data["run_id"]
    assert json.loads((run_dir / RESULT_FILE).read_text(encoding="utf-8")) == data
    assert (run_dir / MARKDOWN_FILE).is_file()

    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("cases:\n- id: a\n  question: what?\n", encoding="utf-8")
    bad = runner.invoke(app, ["eval", "run", "seed-briefs", "--dataset", str(wrong)])
    assert isinstance(bad.exception, ConfigError)
    assert "missing `inputs.title`" in str(bad.exception)
    unknown = runner.invoke(app, ["eval", "run", "no-such-suite"])
    assert isinstance(unknown.exception, ConfigError) and "seed-briefs" in str(unknown.exception)
