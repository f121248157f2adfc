"""`brief models`: check a backend, list configured and recommended models, pull a GGUF."""

from __future__ import annotations

import typer

from agent.cli.output import print_json, stdout


def register(app: typer.Typer) -> None:
    models = typer.Typer(help="Model backends: check, list and pull models.", no_args_is_help=True)

    @models.command("check")
    def check(
        model: str | None = typer.Option(None, "--model", help="Model spec (default: settings)."),
        budget_tokens: int | None = typer.Option(None, "--budget-tokens", help="Token budget."),
        budget_usd: float | None = typer.Option(None, "--budget-usd", help="Cost budget (USD)."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
    ) -> None:
        """Make one small structured call and report whether the answer is schema-valid."""
        from agent.llm.health import check_model
        from agent.settings import load_settings

        settings = load_settings(model=model, budget_tokens=budget_tokens, budget_usd=budget_usd)
        report = check_model(settings.model, settings)
        if json_out:
            print_json(report)
        else:
            mark = "[green]ok[/]" if report["ok"] else "[red]failed[/]"
            stdout().print(
                f"{report['model']}: {mark}, schema_valid={report['schema_valid']}, "
                f"{report['latency_s']} s, {report['tokens_in']} tokens in, "
                f"{report['tokens_out']} out"
                + (f" — {report['error']}" if report["error"] else ""),
                highlight=False,
            )
        if not report["ok"]:
            raise typer.Exit(1)

    @models.command("list")
    def list_models(
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
    ) -> None:
        """Show the configured model and the recommended local models."""
        from agent.llm.catalog import CATALOG, DEFAULT
        from agent.llm.download import models_dir
        from agent.settings import load_settings

        settings = load_settings()
        rows = [
            {
                "name": e.name,
                "file": e.filename,
                "approx_gb": e.approx_gb,
                "recommended": e.name == DEFAULT,
                "pulled": (models_dir(settings) / e.filename).is_file(),
                "spec": f"llamacpp:{models_dir(settings) / e.filename}",
                "kind": e.kind,
                "note": e.note,
            }
            for e in CATALOG
        ]
        data = {"configured": settings.model, "base_url": settings.base_url, "catalog": rows}
        if json_out:
            print_json(data)
            return
        out = stdout()
        where = f" at {settings.base_url}" if settings.base_url else ""
        out.print(f"configured: {settings.model}{where}", highlight=False)
        for row in rows:
            flags = ("pulled " if row["pulled"] else "") + (
                "(recommended)" if row["recommended"] else ""
            )
            out.print(
                f"  {row['name']:<14} {row['approx_gb']:>4} GB  {row['note']}  {flags}".rstrip(),
                highlight=False,
            )
        out.print("pull one with `brief models pull NAME`", highlight=False)

    @models.command("pull")
    def pull(name: str = typer.Argument(..., help="Catalog name, e.g. qwen2.5-1.5b.")) -> None:
        """Download a recommended GGUF into BRIEF_HOME/models (resumable, verified)."""
        from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

        from agent.cli.output import stderr, warn_line
        from agent.errors import ConfigError
        from agent.llm.catalog import CATALOG, find
        from agent.llm.download import pull_model
        from agent.settings import load_settings

        entry = find(name)
        if entry is None:
            names = ", ".join(e.name for e in CATALOG)
            raise ConfigError(f"unknown model {name!r}", f"pick one of: {names}")
        settings = load_settings()
        if not entry.sha256:
            warn_line(f"no published sha256 recorded for {entry.name}: checking the size only")
        bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=stderr(),
        )
        with bar:
            task = bar.add_task(entry.name, total=entry.size)

            def advance(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=total)

            path = pull_model(entry, settings, advance)
        use = (
            f"BRIEF_EMBEDDINGS=llamacpp:{entry.name} (then brief store reindex)"
            if entry.kind == "embedding"
            else f"--model llamacpp:{path}"
        )
        stdout().print(f"{path}\nuse it with {use}", highlight=False)

    app.add_typer(models, name="models")
