"""The eval runner: load a suite's dataset, run its cases, aggregate metrics, apply thresholds.

A suite (`Suite`) names its default dataset, the case fields it needs, a function that runs
one case and one that aggregates the case results into metrics, and its thresholds. The
runner is the same for every suite: `run_suite(suite, ctx)` returns a `RunResult` whose
`to_json()` is the `brief eval run --json` contract. A dataset may override a suite's
thresholds (`thresholds:` in YAML, a `{"meta": {...}}` line in JSONL).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from agent.errors import BriefError, BudgetExceeded, ConfigError
from store.schemas import short_hash

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
REPO_ROOT = Path(__file__).resolve().parents[1]

Value = float | None  # None: not measured (said so in the run's notes)


def shared_root() -> Path:
    """`../shared` beside the repository (not shipped; suites that need it skip without it)."""
    return REPO_ROOT.parent / "shared"


@dataclass
class Flag:
    """One finding about a case's output: what kind, where (line), the text, and why."""

    kind: str
    text: str
    reason: str
    line: int = 1

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "line": self.line, "text": self.text, "reason": self.reason}


@dataclass
class CaseResult:
    """The outcome of one case. `info` holds labels (e.g. the corruption class) and the
    system's output, for reports and for `compare`."""

    id: str
    passed: bool
    metrics: dict[str, Value] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "passed": self.passed,
            "metrics": self.metrics,
            "flags": [f.to_json() for f in self.flags],
            "info": self.info,
        }


@dataclass(frozen=True)
class Threshold:
    """`metric op value`, e.g. catch_rate >= 0.95. A metric that was not measured neither
    passes nor fails its threshold (it is reported as not measured)."""

    metric: str
    op: Literal[">=", "<="]
    value: float

    def check(self, measured: Value) -> bool | None:
        if measured is None:
            return None
        return measured >= self.value if self.op == ">=" else measured <= self.value

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "value": self.value}


class SuiteSkipped(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by a suite's `prepare` when it cannot run here (e.g. no ../shared)."""


@dataclass
class EvalContext:
    """What a suite's cases may use: settings, the chat model (None = extractive), its name,
    judge repeats, the usage tracker, and a per-run cache (e.g. parsed PDFs)."""

    settings: Any
    model: Any = None
    model_name: str = "extractive"
    repeats: int = 3
    usage: Any = None
    dataset_path: Path | None = None
    cache: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


@dataclass(frozen=True)
class Suite:
    """An evaluation: its dataset, how to run one case, how to aggregate, its thresholds."""

    name: str
    description: str
    dataset: str
    required: tuple[str, ...]
    run_case: Callable[[dict[str, Any], EvalContext], CaseResult]
    aggregate: Callable[[list[CaseResult], EvalContext], dict[str, Value]]
    thresholds: tuple[Threshold, ...] = ()
    prepare: Callable[[list[dict[str, Any]], EvalContext], None] | None = None
    needs: str = "nothing"
    load: Callable[[Path], Dataset] | None = None  # reads --dataset (default: load_dataset)

    def default_dataset(self) -> Path:
        return DATASETS_DIR / self.dataset


@dataclass
class Dataset:
    """Cases plus optional metadata (source, threshold overrides)."""

    path: Path
    cases: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunResult:
    """A finished (or skipped) run of one suite."""

    suite: str
    run_id: str
    model: str
    dataset: str
    started_at: str
    metrics: dict[str, Value]
    cases: list[CaseResult]
    thresholds: dict[str, Threshold]
    threshold_results: dict[str, bool | None]
    passed: bool
    skipped: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The `--json` contract, plus thresholds, notes and skip reason."""
        return {
            "suite": self.suite,
            "run_id": self.run_id,
            "model": self.model,
            "dataset": self.dataset,
            "started_at": self.started_at,
            "metrics": self.metrics,
            "thresholds": {k: t.to_json() for k, t in self.thresholds.items()},
            "threshold_results": self.threshold_results,
            "cases": [c.to_json() for c in self.cases],
            "passed": self.passed,
            "skipped": self.skipped,
            "notes": self.notes,
        }


def new_run_id(suite: str, model: str, dataset: str, now: datetime | None = None) -> str:
    """`20261123T005012Z-3fa9c1`: UTC timestamp (sorts in time order) + short hash."""
    now = now or datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{short_hash(suite, model, dataset, now.isoformat(), n=6)}"


def _bad(path: Path, where: str, problem: str) -> ConfigError:
    return ConfigError(
        f"dataset {path}{where}: {problem}",
        "fix the file; see evals/datasets/README.md for the case format",
    )


def load_dataset(path: Path) -> Dataset:
    """Read a YAML (`cases:` list) or JSONL (one case per line) dataset."""
    import yaml

    if not path.is_file():
        raise ConfigError(f"dataset {path} does not exist", "give an existing .yaml/.jsonl file")
    text = path.read_text(encoding="utf-8")
    meta: dict[str, Any] = {}
    cases: list[dict[str, Any]] = []
    if path.suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise _bad(path, f" line {number}", f"not JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise _bad(path, f" line {number}", "a case must be a JSON object")
            if set(row) == {"meta"}:
                meta.update(row["meta"])
            else:
                cases.append(row)
    elif path.suffix in (".yaml", ".yml"):
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise _bad(path, "", f"not valid YAML ({exc})") from None
        if not isinstance(doc, dict):
            raise _bad(path, "", "expected a mapping with a `cases:` list")
        lists = [k for k, v in doc.items() if isinstance(v, list)]
        key = "cases" if "cases" in lists else (lists[0] if len(lists) == 1 else None)
        if key is None:  # one other list (e.g. the store's `questions:`) is the cases too
            raise _bad(path, "", "expected a mapping with a `cases:` list")
        meta = {k: v for k, v in doc.items() if k != key}
        cases = doc[key]
    else:
        raise ConfigError(
            f"dataset {path} is neither .yaml nor .jsonl", "convert it to YAML or JSONL"
        )
    seen: set[str] = set()
    for index, case in enumerate(cases, start=1):
        if not isinstance(case, dict) or not case.get("id"):
            raise _bad(path, f" case {index}", "every case needs an `id`")
        if str(case["id"]) in seen:
            raise _bad(path, f" case {case['id']}", "duplicate id")
        seen.add(str(case["id"]))
    return Dataset(path=path, cases=cases, meta=meta)


def _lookup(case: dict[str, Any], dotted: str) -> Any:
    value: Any = case
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(dotted)
        value = value[part]
    return value


def validate_cases(suite: Suite, dataset: Dataset) -> None:
    """Every case has the fields the suite reads (dotted paths), else one clear error."""
    for case in dataset.cases:
        for name in suite.required:
            try:
                _lookup(case, name)
            except KeyError:
                raise _bad(
                    dataset.path,
                    f" case {case['id']}",
                    f"missing `{name}`, which suite {suite.name} needs",
                ) from None


def thresholds_for(suite: Suite, dataset: Dataset) -> dict[str, Threshold]:
    """The suite's thresholds, overridden by the dataset's `thresholds: {metric: ">= 0.9"}`."""
    out = {t.metric: t for t in suite.thresholds}
    for metric, spec in (dataset.meta.get("thresholds") or {}).items():
        text = str(spec).strip()
        op = text[:2]
        if op not in (">=", "<="):
            raise _bad(dataset.path, "", f"threshold {metric}: {spec!r} is not '>= x' or '<= x'")
        try:
            out[metric] = Threshold(metric, op, float(text[2:]))  # type: ignore[arg-type]
        except ValueError:
            raise _bad(dataset.path, "", f"threshold {metric}: {spec!r} has no number") from None
    return out


def run_case_safely(suite: Suite, case: dict[str, Any], ctx: EvalContext) -> CaseResult:
    """Run one case; an unexpected error fails that case (with a flag) and the run goes on.
    Misconfiguration and exhausted budgets still stop the run."""
    try:
        return suite.run_case(case, ctx)
    except (ConfigError, BudgetExceeded):
        raise
    except (BriefError, Exception) as exc:  # noqa: BLE001 - one case must not stop the run
        reason = f"{type(exc).__name__}: {exc}"
        return CaseResult(str(case["id"]), False, flags=[Flag("error", "", reason)])


def run_suite(
    suite: Suite,
    ctx: EvalContext,
    dataset_path: Path | None = None,
    on_case: Callable[[CaseResult], None] | None = None,
) -> RunResult:
    """Run every case of the suite's dataset (or `dataset_path`) and apply the thresholds."""
    path = Path(dataset_path) if dataset_path else suite.default_dataset()
    ctx.dataset_path = path
    if ctx.usage is None:
        from agent.llm.usage import UsageTracker

        ctx.usage = UsageTracker.from_settings(ctx.settings)
    started = datetime.now(UTC)
    run_id = new_run_id(suite.name, ctx.model_name, str(path), started)
    dataset = suite.load(path) if suite.load is not None else load_dataset(path)
    validate_cases(suite, dataset)
    thresholds = thresholds_for(suite, dataset)
    shown = _display_path(path)
    common: dict[str, Any] = dict(
        suite=suite.name,
        run_id=run_id,
        model=ctx.model_name,
        dataset=shown,
        started_at=started.isoformat(timespec="seconds"),
        thresholds=thresholds,
    )
    try:
        if suite.prepare is not None:
            suite.prepare(dataset.cases, ctx)
    except SuiteSkipped as exc:
        return RunResult(
            **common,
            metrics={},
            cases=[],
            threshold_results={},
            passed=True,
            skipped=str(exc),
            notes=ctx.notes,
        )
    cases: list[CaseResult] = []
    for case in dataset.cases:
        result = run_case_safely(suite, case, ctx)
        cases.append(result)
        if on_case is not None:
            on_case(result)
    metrics = suite.aggregate(cases, ctx)
    results = {name: t.check(metrics.get(name)) for name, t in thresholds.items()}
    for name, verdict in results.items():
        if verdict is None:
            ctx.note(f"{name}: not measured in this run, so its threshold was not applied")
    passed = all(v is not False for v in results.values())
    return RunResult(
        **common,
        metrics=metrics,
        cases=cases,
        threshold_results=results,
        passed=passed,
        notes=ctx.notes,
    )


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def rate(values: list[bool]) -> Value:
    """Fraction of True, or None for no values (not measured)."""
    return round(sum(values) / len(values), 4) if values else None


def mean(values: list[float]) -> Value:
    return round(sum(values) / len(values), 4) if values else None
