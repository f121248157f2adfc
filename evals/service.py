"""What `brief eval run/list/compare` call: importable, testable without the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.runner import CaseResult, EvalContext, RunResult, load_dataset, run_suite


def model_for(spec: str, settings: Any) -> tuple[Any, str]:
    """(chat model or None, the name recorded in reports: 'extractive' or the spec)."""
    from agent.llm.models import make_chat_model

    model = make_chat_model(spec, settings)
    return model, ("extractive" if model is None else spec)


def run_eval(
    name: str,
    settings: Any,
    *,
    dataset: Path | None = None,
    model_spec: str | None = None,
    model: Any = None,
    repeats: int = 3,
    on_case: Callable[[CaseResult], None] | None = None,
    write: bool = True,
) -> tuple[RunResult, Path | None]:
    """Run suite `name` and write its report under settings.evals_dir/<run-id>/.

    `model` (a chat model object) wins over `model_spec`, which wins over settings.model.
    """
    from agent.llm.usage import UsageTracker
    from evals.report import write_report
    from evals.suites import get_suite

    suite = get_suite(name)
    if model is not None:
        label = model_spec or getattr(model, "model_name", None) or "model"
    else:
        model, label = model_for(model_spec or settings.model, settings)
    ctx = EvalContext(
        settings=settings,
        model=model,
        model_name=label,
        repeats=repeats,
        usage=UsageTracker.from_settings(settings),
    )
    result = run_suite(suite, ctx, dataset, on_case=on_case)
    run_dir = write_report(result, settings.evals_dir) if write else None
    return result, run_dir


def list_suites() -> list[dict[str, Any]]:
    """Name, description, default dataset, case count and what each suite needs."""
    from evals.suites import all_suites

    rows = []
    for suite in all_suites():
        path = suite.default_dataset()
        try:
            count: int | None = len(load_dataset(path).cases)
        except Exception:  # noqa: BLE001 - a listing must not fail on one dataset
            count = None
        rows.append(
            {
                "name": suite.name,
                "description": suite.description,
                "dataset": f"evals/datasets/{suite.dataset}",
                "cases": count,
                "needs": suite.needs,
                "thresholds": {t.metric: f"{t.op} {t.value}" for t in suite.thresholds},
            }
        )
    return rows


def compare(ref_a: str, ref_b: str, settings: Any, tolerance: float = 0.02) -> Any:
    """Load two runs (id, prefix, 'latest', dir or result.json) and compare them."""
    from evals.compare import compare_runs
    from evals.report import load_run

    return compare_runs(
        load_run(ref_a, settings.evals_dir), load_run(ref_b, settings.evals_dir), tolerance
    )
