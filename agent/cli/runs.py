"""`brief runs`: list durable runs and resume an interrupted one."""

from __future__ import annotations

import typer

from agent.cli.output import exit_on_problem


def register(app: typer.Typer) -> None:
    runs = typer.Typer(help="List and resume brief runs.", no_args_is_help=True)
    app.add_typer(runs, name="runs")

    @runs.command("list")
    def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
        """Runs, newest first: id, status, topic, window, brief."""
        from agent.cli.output import print_json, stdout
        from agent.runs import list_runs
        from agent.settings import load_settings

        records = list_runs(load_settings())
        if as_json:
            print_json([r.model_dump(mode="json") for r in records])
            return
        out = stdout()
        if not records:
            out.print("no runs yet — start one with `brief weekly`")
        for r in records:
            line = f"{r.run_id}  {r.status:<7}  {r.kind} {r.topic} {r.window} {r.lang}"
            out.print(line + (f"  {r.path}" if r.path else f"  {r.error}"), highlight=False)

    @runs.command()
    def resume(
        run_id: str = typer.Argument(..., help="Run id from `brief runs list`."),
        as_json: bool = typer.Option(False, "--json", help="Print a JSON summary."),
    ) -> None:
        """Continue an interrupted run without redoing finished papers."""
        from agent.cli.brief import print_result, progress_printer
        from agent.runs import resume_run
        from agent.settings import load_settings

        result = resume_run(load_settings(), run_id, on_event=progress_printer())
        print_result(result, as_json)
        exit_on_problem(result)
