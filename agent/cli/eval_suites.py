"""`brief eval run | list | compare`: the eval suites, on the `eval` sub-app.

The `eval` sub-app belongs to agent.cli.eval (which also has `brief eval lint`); these
commands are attached to it through its `eval_group(app)`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from agent.errors import EXIT_PROBLEMS


def register(app: typer.Typer) -> None:
    from agent.cli.eval import eval_group

    group = eval_group(app)

    @group.command("run")
    def run(
        suite: str = typer.Argument(..., help="Suite name (see `brief eval list`)."),
        dataset: Path | None = typer.Option(
            None, "--dataset", help="Run the suite's metrics on another dataset (same schema)."
        ),
        model: str | None = typer.Option(
            None, "--model", help="Model spec: none, openai:<model>, llamacpp:<gguf>."
        ),
        repeats: int = typer.Option(3, "--repeats", min=1, help="Judge calls averaged per item."),
        json_out: bool = typer.Option(False, "--json", help="Print the run as one JSON document."),
    ) -> None:
        """Run an eval suite, write its report, exit 1 when a threshold fails."""
        from agent.cli.output import print_json, progress, stdout, warn_line
        from agent.settings import load_settings
        from evals.report import cases_table, metrics_table
        from evals.service import run_eval

        settings = load_settings()
        with progress(f"eval {suite}", None, enabled=not json_out) as bar:
            result, run_dir = run_eval(
                suite,
                settings,
                dataset=dataset,
                model_spec=model,
                repeats=repeats,
                on_case=lambda _c: bar.advance(),
            )
        data = result.to_json()
        if json_out:
            print_json(data)
        else:
            out = stdout()
            if result.skipped:
                warn_line(f"suite {suite} skipped: {result.skipped}")
            out.print(metrics_table(data))
            failing = cases_table(data)
            if failing is not None:
                out.print(failing)
            for note in result.notes:
                out.print(f"note: {note}", highlight=False)
            out.print(f"report: {run_dir}", highlight=False)
        if not result.passed:
            raise typer.Exit(EXIT_PROBLEMS)

    @group.command("list")
    def list_(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
        """The built-in suites, their datasets and thresholds."""
        from agent.cli.output import print_json, stdout
        from evals.service import list_suites

        rows = list_suites()
        if json_out:
            print_json(rows)
            return
        out = stdout()
        for row in rows:
            count = "?" if row["cases"] is None else row["cases"]
            out.print(
                f"{row['name']:<20} {count:>4} cases  {row['description']}"
                f"  [dim](needs {row['needs']})[/]",
                highlight=False,
            )

    @group.command("compare")
    def compare(
        run_a: str = typer.Argument(..., help="Baseline run id, 'latest', dir or result.json."),
        run_b: str = typer.Argument(..., help="Candidate run id, dir or result.json."),
        tolerance: float = typer.Option(
            0.02, "--tolerance", min=0.0, help="Allowed absolute drop of a metric."
        ),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Per-case differences of two runs; exit 1 on a regression (for CI)."""
        from agent.cli.output import print_json, stdout
        from agent.settings import load_settings
        from evals.report import fmt
        from evals.service import compare as compare_service

        cmp = compare_service(run_a, run_b, load_settings(), tolerance)
        if json_out:
            print_json(cmp.to_json())
        else:
            from rich.table import Table

            out = stdout()
            table = Table(title=f"{cmp.suite}: {cmp.run_a} → {cmp.run_b}")
            for col in ("metric", "A", "B", "Δ", ""):
                table.add_column(col)
            for name, m in cmp.metrics.items():
                table.add_row(
                    name,
                    fmt(m["a"]),
                    fmt(m["b"]),
                    fmt(m["delta"]),
                    "[bold red]worse[/]" if m["regressed"] else "",
                )
            out.print(table)
            changed = [c for c in cmp.cases if c["change"] != "same"]
            for case in changed:
                out.print(f"{case['change']:<10} {case['id']}", highlight=False)
            for note in cmp.notes:
                out.print(f"note: {note}", highlight=False)
            verdict = "[bold red]REGRESSION[/]" if cmp.regressed else "[green]no regression[/]"
            out.print(verdict)
            for line in cmp.regressions:
                out.print(f"  {line}", highlight=False)
        if cmp.regressed:
            raise typer.Exit(EXIT_PROBLEMS)
