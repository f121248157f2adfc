"""`brief eval lint FILE...`: score briefings (ours or anyone's) with the deterministic checks.

Owns the `eval` sub-app; agent.cli.eval_suites attaches `run`, `list` and `compare` to it.
"""

from __future__ import annotations

from pathlib import Path

import typer

from agent.errors import EXIT_PROBLEMS


def eval_group(app: typer.Typer) -> typer.Typer:
    """The `eval` sub-app of `app`, created on first use."""
    for info in app.registered_groups:
        if info.name == "eval" and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(help="Evaluate brief: lint briefings, run suites.", no_args_is_help=True)
    app.add_typer(group, name="eval")
    return group


def register(app: typer.Typer) -> None:
    group = eval_group(app)

    @group.command("lint")
    def lint(
        files: list[Path] = typer.Argument(..., help="Briefings to check (.md or .txt)."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
        papers: Path | None = typer.Option(
            None,
            "--papers",
            help="Folder of the cited papers' PDFs (<arXiv id>.pdf): check sidecar quotes on their pages.",
        ),
    ) -> None:
        """Check briefings for ungrounded numbers, placeholders, bad dates, empty fields, etc.

        Exit code 1 when a file has errors, 2 when a file or the --papers folder is missing."""
        from agent.cli.output import print_json, stdout
        from agent.errors import UsageError
        from evals.lint import lint_file, lint_report, pages_from_dir

        for path in files:
            if not path.is_file():
                raise UsageError(
                    f"no such file: {path}", "pass the path of a briefing (.md or .txt)"
                )
        if papers is not None and not papers.is_dir():
            raise UsageError(
                f"no such directory: {papers}", "pass the folder holding the papers' PDFs"
            )
        pages_for = pages_from_dir(papers) if papers is not None else None
        cases = [lint_file(path, pages_for) for path in files]
        report = lint_report(cases)
        if json_out:
            print_json(report)
        else:
            print_lint(cases, stdout())
        if not report["passed"]:
            raise typer.Exit(EXIT_PROBLEMS)


def print_lint(cases: list, console: object) -> None:
    """A Rich table of flags per file, then a one-line summary per file."""
    from rich.markup import escape
    from rich.table import Table

    for case in cases:
        table = Table(title=f"{case.id} ({case.kind})", show_lines=False, expand=False)
        for column in ("severity", "kind", "line", "text", "reason"):
            table.add_column(column, overflow="fold")
        for flag in case.flags:
            style = "red" if flag.severity == "error" else "yellow"
            table.add_row(
                f"[{style}]{flag.severity}[/]",
                flag.kind,
                str(flag.line),
                escape(flag.text),
                escape(flag.reason),
            )
        if case.flags:
            console.print(table)  # type: ignore[attr-defined]
        errors = sum(f.severity == "error" for f in case.flags)
        warnings = len(case.flags) - errors
        verdict = "[green]passed[/]" if case.passed else "[red]failed[/]"
        console.print(  # type: ignore[attr-defined]
            f"{escape(case.id)}: {verdict} — {errors} errors, {warnings} warnings, kind {case.kind}",
            highlight=False,
        )
