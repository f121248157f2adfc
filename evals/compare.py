"""Compare two eval runs of one suite: per-case paired differences and a regression verdict.

A regression is a case that passed in run A and fails in run B, a threshold that held in A
and fails in B, or a metric that moved the wrong way by more than `tolerance` (absolute).
The direction of a metric comes from its threshold (`>=` higher is better, `<=` lower is
better); metrics without a threshold are taken as higher-is-better unless their name says
otherwise (`false_alarm`, `error`, `latency`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.errors import ConfigError

LOWER_IS_BETTER = ("false_alarm", "error", "latency", "ungrounded", "missing")


def lower_is_better(name: str, thresholds: dict[str, Any]) -> bool:
    if name in thresholds:
        return thresholds[name]["op"] == "<="
    return any(word in name for word in LOWER_IS_BETTER)


@dataclass
class Comparison:
    """The paired differences of two runs and the verdict."""

    suite: str
    run_a: str
    run_b: str
    tolerance: float
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    cases: list[dict[str, Any]] = field(default_factory=list)
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    regressions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def regressed(self) -> bool:
        return bool(self.regressions)

    def to_json(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "run_a": self.run_a,
            "run_b": self.run_b,
            "tolerance": self.tolerance,
            "metrics": self.metrics,
            "cases": self.cases,
            "only_in_a": self.only_a,
            "only_in_b": self.only_b,
            "summary": {
                change: sum(1 for c in self.cases if c["change"] == change)
                for change in ("same", "fixed", "regressed")
            },
            "regressions": self.regressions,
            "regressed": self.regressed,
            "notes": self.notes,
        }


def _delta(a: Any, b: Any) -> float | None:
    if isinstance(a, bool) or isinstance(b, bool):
        a, b = (float(a) if a is not None else None), (float(b) if b is not None else None)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return round(float(b) - float(a), 6)
    return None


def compare_runs(a: dict[str, Any], b: dict[str, Any], tolerance: float = 0.02) -> Comparison:
    """Paired comparison of run `a` (baseline) and run `b` (candidate)."""
    if a["suite"] != b["suite"]:
        raise ConfigError(
            f"runs {a['run_id']} ({a['suite']}) and {b['run_id']} ({b['suite']}) are of "
            "different suites",
            "compare two runs of the same suite",
        )
    cmp = Comparison(a["suite"], a["run_id"], b["run_id"], tolerance)
    if a.get("model") != b.get("model"):
        cmp.notes.append(f"models differ: {a.get('model')} → {b.get('model')}")
    if a.get("dataset") != b.get("dataset"):
        cmp.notes.append(f"datasets differ: {a.get('dataset')} → {b.get('dataset')}")
    for run in (a, b):
        if run.get("skipped"):
            cmp.notes.append(f"run {run['run_id']} was skipped: {run['skipped']}")
    thresholds = {**a.get("thresholds", {}), **b.get("thresholds", {})}

    for name in sorted(set(a["metrics"]) | set(b["metrics"])):
        va, vb = a["metrics"].get(name), b["metrics"].get(name)
        d = _delta(va, vb)
        low = lower_is_better(name, thresholds)
        worse = d is not None and ((d > tolerance) if low else (d < -tolerance))
        cmp.metrics[name] = {
            "a": va,
            "b": vb,
            "delta": d,
            "lower_is_better": low,
            "regressed": worse,
        }
        if worse:
            cmp.regressions.append(f"metric {name}: {va} → {vb} (worse by more than {tolerance})")
        elif va is not None and vb is None and name in b["metrics"]:
            cmp.notes.append(f"metric {name} was measured in A but not in B")
        ta = a.get("threshold_results", {}).get(name)
        tb = b.get("threshold_results", {}).get(name)
        if ta is True and tb is False and not worse:
            cmp.regressions.append(f"metric {name}: threshold held in A and fails in B ({vb})")

    cases_a = {c["id"]: c for c in a["cases"]}
    cases_b = {c["id"]: c for c in b["cases"]}
    cmp.only_a = [i for i in cases_a if i not in cases_b]
    cmp.only_b = [i for i in cases_b if i not in cases_a]
    if cmp.only_a:
        cmp.notes.append(f"{len(cmp.only_a)} case(s) of A are missing from B")
    for case_id, ca in cases_a.items():
        cb = cases_b.get(case_id)
        if cb is None:
            continue
        deltas = {
            m: _delta(ca["metrics"].get(m), cb["metrics"].get(m))
            for m in sorted(set(ca["metrics"]) | set(cb["metrics"]))
        }
        change = "same"
        if ca["passed"] and not cb["passed"]:
            change = "regressed"
            reason = cb["flags"][0]["reason"] if cb.get("flags") else "no flag"
            cmp.regressions.append(f"case {case_id}: passed in A, fails in B ({reason})")
        elif cb["passed"] and not ca["passed"]:
            change = "fixed"
        cmp.cases.append(
            {
                "id": case_id,
                "a": ca["passed"],
                "b": cb["passed"],
                "change": change,
                "deltas": deltas,
            }
        )
    return cmp
