"""Eval reports: `result.json` and `report.md` under `settings.evals_dir/<run-id>/`, and a
Rich table for the terminal. `load_run(ref)` reads a run back for `brief eval compare`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from agent.errors import ConfigError
from agent.files import atomic_write
from evals.runner import RunResult

RESULT_FILE = "result.json"
MARKDOWN_FILE = "report.md"


def fmt(value: Any) -> str:
    """A metric for people: 4 significant decimals, 'not measured' for None."""
    if value is None:
        return "not measured"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _verdict(ok: bool | None) -> str:
    return {True: "ok", False: "FAIL", None: "—"}[ok]


def markdown(data: dict[str, Any]) -> str:
    """The run as Markdown: header, metrics with thresholds, failing cases with flags."""
    lines = [
        f"# Eval `{data['suite']}` — run {data['run_id']}",
        "",
        f"- model: `{data['model']}`",
        f"- dataset: `{data['dataset']}`",
        f"- started: {data['started_at']}",
        f"- result: **{'passed' if data['passed'] else 'FAILED'}**",
    ]
    if data.get("skipped"):
        lines += [f"- skipped: {data['skipped']}"]
    lines += ["", "| metric | value | threshold | verdict |", "| --- | --- | --- | --- |"]
    thresholds = data.get("thresholds", {})
    for name, value in data["metrics"].items():
        t = thresholds.get(name)
        spec = f"{t['op']} {t['value']}" if t else ""
        ok = data.get("threshold_results", {}).get(name)
        lines.append(f"| {name} | {fmt(value)} | {spec} | {_verdict(ok) if t else ''} |")
    failing = [c for c in data["cases"] if not c["passed"]]
    lines += ["", f"## Cases: {len(data['cases']) - len(failing)}/{len(data['cases'])} passed"]
    for case in failing:
        label = ", ".join(f"{k}={v}" for k, v in case.get("info", {}).items() if k != "output")
        lines += ["", f"### {case['id']}" + (f" ({label})" if label else "")]
        output = case.get("info", {}).get("output")
        if output:
            lines += ["", f"> {output}"]
        for flag in case["flags"]:
            lines.append(
                f"- **{flag['kind']}**: {flag['reason']}"
                + (f" — `{flag['text']}`" if flag["text"] else "")
            )
    if data.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in data["notes"]]
    return "\n".join(lines) + "\n"


def write_report(result: RunResult, evals_dir: Path) -> Path:
    """Write `<evals_dir>/<run-id>/result.json` and `report.md`; return the run directory."""
    data = result.to_json()
    run_dir = Path(evals_dir) / result.run_id
    atomic_write(run_dir / RESULT_FILE, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    atomic_write(run_dir / MARKDOWN_FILE, markdown(data))
    return run_dir


def metrics_table(data: dict[str, Any]) -> Table:
    """The run's metrics as a Rich table (value, threshold, verdict)."""
    status = "skipped" if data.get("skipped") else ("passed" if data["passed"] else "FAILED")
    table = Table(title=f"{data['suite']} · {data['model']} · {status}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("threshold", justify="right")
    table.add_column("verdict")
    thresholds = data.get("thresholds", {})
    for name, value in data["metrics"].items():
        t = thresholds.get(name)
        ok = data.get("threshold_results", {}).get(name)
        style = {True: "green", False: "bold red", None: "dim"}[ok] if t else ""
        table.add_row(
            escape(name),
            fmt(value),
            f"{t['op']} {t['value']}" if t else "",
            f"[{style}]{_verdict(ok)}[/]" if t else "",
        )
    return table


def cases_table(data: dict[str, Any], limit: int = 20) -> Table | None:
    """Failing cases with their first flag (at most `limit`), or None when all passed."""
    failing = sorted(
        (c for c in data["cases"] if not c["passed"]),
        key=lambda c: any(f["kind"] == "not_measured" for f in c["flags"]),
    )
    if not failing:
        return None
    table = Table(title=f"failing cases ({len(failing)} of {len(data['cases'])})")
    table.add_column("case")
    table.add_column("flag")
    table.add_column("reason", overflow="fold")
    for case in failing[:limit]:
        flag = case["flags"][0] if case["flags"] else {"kind": "", "reason": ""}
        table.add_row(escape(case["id"]), escape(flag["kind"]), escape(flag["reason"]))
    return table


def run_dirs(evals_dir: Path) -> list[Path]:
    """Run directories, oldest first (run ids sort by time)."""
    if not Path(evals_dir).is_dir():
        return []
    return sorted(p for p in Path(evals_dir).iterdir() if (p / RESULT_FILE).is_file())


def load_run(ref: str, evals_dir: Path) -> dict[str, Any]:
    """A run's result.json by run id (or unique prefix), `latest`, a run directory or a file."""
    path = Path(ref)
    if path.is_file():
        candidate = path
    elif path.is_dir() and (path / RESULT_FILE).is_file():
        candidate = path / RESULT_FILE
    else:
        runs = run_dirs(evals_dir)
        if ref == "latest" and runs:
            matches = [runs[-1]]
        else:
            matches = [p for p in runs if p.name == ref] or [
                p for p in runs if p.name.startswith(ref)
            ]
        if len(matches) != 1:
            problem = "matches several runs" if matches else "is not a run"
            raise ConfigError(
                f"eval run {ref!r} {problem} in {evals_dir}",
                "give a full run id (see the run directories there) or a path to result.json",
            )
        candidate = matches[0] / RESULT_FILE
    try:
        data = json.loads(candidate.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read eval run {candidate}: {exc}", "re-run the eval") from None
    for key in ("suite", "run_id", "metrics", "cases", "passed"):
        if key not in data:
            raise ConfigError(
                f"eval run {candidate} has no `{key}`", "it is not a `brief eval run` result"
            )
    return data
