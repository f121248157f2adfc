"""`brief fetch`: this window's papers on a topic, downloaded, read and stored;
`brief topics`: the topic profiles."""

from __future__ import annotations

from typing import Any

import typer

from agent.cli.output import print_json, progress, stdout, warn_line


def _table(report: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        title=f"{len(report.candidates)} candidates"
        + (f" · {report.window.label}" if report.window else "")
    )
    for name in ("status", "paper", "score", "title / reason"):
        table.add_column(name, overflow="fold")
    colours = {"fetched": "green", "skipped": "dim", "filtered": "yellow", "failed": "red"}
    for status in ("fetched", "skipped", "filtered", "failed"):
        for o in getattr(report, status):
            note = o.candidate.title
            if status == "fetched" and o.stored:
                note += f"  [dim]({o.stored})[/]"
            elif o.reason and status != "fetched":
                note = f"{o.candidate.title}\n[{colours[status]}]{o.stage}: {escape(o.reason)}[/]"
            score = "" if o.score is None else f"{o.score:.2f}"
            table.add_row(f"[{colours[status]}]{status}[/]", o.candidate.key, score, note)
    out = stdout()
    out.print(table)
    out.print(
        f"fetched {len(report.fetched)} · skipped {len(report.skipped)} · "
        f"filtered {len(report.filtered)} · failed {len(report.failed)} · "
        f"downloads {report.downloads}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    @app.command()
    def fetch(
        topic: str | None = typer.Option(None, "--topic", "-t", help="Topic profile name."),
        query: str | None = typer.Option(
            None, "--query", "-q", help="Free arXiv query instead of a topic (ti:, abs:, au:…)."
        ),
        since: str | None = typer.Option(
            None, "--since", help="Window ending today: 7d, 30d, 2w (default 7d)."
        ),
        from_date: str | None = typer.Option(None, "--from", help="First day, YYYY-MM-DD."),
        to_date: str | None = typer.Option(None, "--to", help="Last day, YYYY-MM-DD."),
        max_results: int = typer.Option(50, "--max", help="Most candidates to consider."),
        min_score: float | None = typer.Option(
            None, "--min-score", help="Skip candidates scoring below this (0–1, default 0.1)."
        ),
        offline: bool = typer.Option(
            False, "--offline", help="No network: the saved search, the PDF cache and the store."
        ),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Find the window's papers on a topic and bring them home: download, read, store."""
        from agent.errors import ConfigError
        from agent.settings import load_settings
        from agent.sources.fetch import fetch_topic
        from agent.sources.window import make_window

        if bool(topic) == bool(query):
            raise ConfigError(
                "give exactly one of --topic and --query",
                "e.g. brief fetch --topic efficient-ai --since 7d",
            )
        settings = load_settings()
        window = make_window(since=since, from_date=from_date, to_date=to_date)

        def bar(description: str, total: int) -> Any:
            return progress(description, total, enabled=not json_out)

        report = fetch_topic(
            settings,
            topic=topic,
            query=query,
            window=window,
            max_results=max_results,
            min_score=min_score,
            offline=offline,
            progress=bar,
        )
        if json_out:
            print_json(report.to_json())
        else:
            for note in report.notes:
                warn_line(note)
            _table(report)
        if report.problem:  # nothing brought home: no false success
            from agent.cli.output import error_line
            from agent.errors import EXIT_PROBLEMS

            error_line(report.problem)
            raise typer.Exit(EXIT_PROBLEMS)

    @app.command()
    def topics(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
        """List the topic profiles (built-in and from the config file)."""
        from agent.settings import load_settings
        from agent.topics import load_topics

        profiles = load_topics(load_settings())
        if json_out:
            print_json({name: p.model_dump() for name, p in profiles.items()})
            return
        out = stdout()
        for name, p in profiles.items():
            origin = "built-in" if p.builtin else "config"
            out.print(f"[bold]{name}[/]  {p.title} / {p.title_zh}  [dim]({origin})[/]")
            out.print(f"  categories: {', '.join(p.categories)}", highlight=False)
            out.print(f"  keywords: {', '.join(p.keywords)}", highlight=False)
            if p.negative:
                out.print(f"  negative: {', '.join(p.negative)}", highlight=False)
            if p.authors:
                out.print(f"  authors: {', '.join(p.authors)}", highlight=False)
            names = [f"{d.name_zh} {d.name}".strip() for d in p.directions]
            out.print(f"  directions: {'; '.join(names)}", highlight=False)
