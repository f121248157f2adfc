"""`brief eval compare`: paired differences and a regression verdict that CI can gate on."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli.app import app
from agent.errors import ConfigError
from evals.compare import compare_runs

runner = CliRunner()


def _run(suite: str = "seed-briefs") -> dict[str, Any]:
    result = runner.invoke(app, ["eval", "run", suite, "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _run_file(home: Path, data: dict[str, Any]) -> Path:
    return home / "evals" / data["run_id"] / "result.json"


def test_identical_runs_compare_clean_and_a_planted_regression_exits_1(brief_home: Path) -> None:
    a, b = _run(), _run()
    assert a["run_id"] != b["run_id"]
    same = runner.invoke(app, ["eval", "compare", a["run_id"], b["run_id"], "--json"])
    assert same.exit_code == 0, same.output
    verdict = json.loads(same.stdout)
    assert verdict["regressed"] is False and verdict["regressions"] == []
    assert all(c["change"] == "same" for c in verdict["cases"])

    # Plant a regression in B: a case that passed now fails.
    planted = copy.deepcopy(b)
    victim = next(c for c in planted["cases"] if c["passed"])
    victim["passed"] = False
    victim["flags"] = [{"kind": "pattern", "line": 1, "text": "", "reason": "planted"}]
    path = _run_file(brief_home, b)
    path.write_text(json.dumps(planted), encoding="utf-8")
    worse = runner.invoke(app, ["eval", "compare", a["run_id"], str(path), "--json"])
    assert worse.exit_code == 1
    report = json.loads(worse.stdout)
    assert report["regressed"] is True
    assert any(victim["id"] in r and "planted" in r for r in report["regressions"])
    changed = {c["id"]: c["change"] for c in report["cases"]}
    assert changed[victim["id"]] == "regressed"
    assert report["summary"]["regressed"] == 1

    # The human-readable form says so too, with the same exit code.
    text = runner.invoke(app, ["eval", "compare", a["run_id"], str(path)])
    assert text.exit_code == 1 and "REGRESSION" in text.stdout


def _run_data(
    metrics: dict[str, Any], cases: list[dict[str, Any]] | None = None, run_id: str = "r"
) -> dict[str, Any]:
    return {
        "suite": "s",
        "run_id": run_id,
        "model": "extractive",
        "metrics": metrics,
        "thresholds": {
            "false_alarm_rate": {"op": "<=", "value": 0.05},
            "catch": {"op": ">=", "value": 0.9},
        },
        "threshold_results": {},
        "cases": cases or [],
        "passed": True,
    }


def test_metric_drop_beyond_tolerance_is_a_regression_in_either_direction() -> None:
    base = _run_data({"catch": 0.97, "false_alarm_rate": 0.01, "n": 10})
    small = _run_data({"catch": 0.96, "false_alarm_rate": 0.02, "n": 10}, run_id="b")
    assert not compare_runs(base, small, tolerance=0.02).regressed
    lower = _run_data({"catch": 0.90, "false_alarm_rate": 0.01, "n": 10}, run_id="c")
    cmp = compare_runs(base, lower, tolerance=0.02)
    assert cmp.regressed and cmp.metrics["catch"]["delta"] == pytest.approx(-0.07)
    alarms = _run_data({"catch": 0.97, "false_alarm_rate": 0.08, "n": 10}, run_id="d")
    cmp = compare_runs(base, alarms, tolerance=0.02)
    assert cmp.regressed and cmp.metrics["false_alarm_rate"]["lower_is_better"]
    better = _run_data({"catch": 1.0, "false_alarm_rate": 0.0, "n": 10}, run_id="e")
    assert not compare_runs(base, better).regressed


def test_fixed_cases_and_missing_cases_are_reported_not_failed() -> None:
    a = _run_data(
        {},
        [
            {"id": "1", "passed": False, "metrics": {}, "flags": []},
            {"id": "2", "passed": True, "metrics": {}, "flags": []},
        ],
    )
    b = _run_data({}, [{"id": "1", "passed": True, "metrics": {}, "flags": []}], run_id="b")
    cmp = compare_runs(a, b)
    assert not cmp.regressed
    assert cmp.cases[0]["change"] == "fixed" and cmp.only_a == ["2"]
    assert any("missing from B" in n for n in cmp.notes)


def test_runs_of_different_suites_do_not_compare() -> None:
    a = _run_data({})
    b = _run_data({}, run_id="b") | {"suite": "other"}
    with pytest.raises(ConfigError, match="different suites"):
        compare_runs(a, b)


def test_eval_list_names_every_builtin_suite() -> None:
    result = runner.invoke(app, ["eval", "list", "--json"])
    assert result.exit_code == 0, result.output
    names = {row["name"] for row in json.loads(result.stdout)}
    assert {
        "seed-briefs",
        "reader-metadata",
        "critic-adversarial",
        "critic-demo",
        "chat-retrieval",
    } <= names
