"""`brief deepdive`, `brief daily`, `brief trends`, `brief catalog`: the other briefing
formats (agent.formats), each one workflow run over papers of the claim store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import typer

MODEL_HELP = "Model spec: none, openai:<model>, llamacpp:<gguf>."


@contextmanager
def paper_bar(enabled: bool = True) -> Iterator[Callable[[str, str], None]]:
    """An on_event hook: a progress bar over the run's papers on stderr, then the path."""
    from agent.cli.brief import progress_printer
    from agent.cli.output import progress

    bars: list[Any] = []
    lines = progress_printer(enabled)
    with ExitStack() as stack:

        def on_event(kind: str, detail: str) -> None:
            if kind == "fetched" and enabled:
                total = detail.split()[0]
                bars.append(stack.enter_context(progress("briefing", int(total))))
            elif kind in ("written", "failed") and bars:
                bars[-1].advance(note=f"{kind} {detail}"[:60])
            elif kind == "note":
                lines(kind, detail)
            elif kind == "published":
                stack.close()
                bars.clear()
                lines(kind, detail)

        yield on_event


def settings_for(model: str | None, lang: str | None) -> Any:
    from agent.settings import load_settings

    return load_settings(model=model, lang=lang)


def register(app: typer.Typer) -> None:
    from agent.cli.brief import FORMAT_HELP, check_outputs, finish

    @app.command()
    def deepdive(
        arxiv_ids: list[str] = typer.Argument(
            ...,
            metavar="PAPER...",
            help="Papers: arXiv ids (with or without version), sha256: keys, PDF file names "
            "or title words of stored papers.",
        ),
        topic: str = typer.Option(
            "efficient-ai", "--topic", help="Topic profile (its taxonomy groups the papers)."
        ),
        model: str | None = typer.Option(None, "--model", help=MODEL_HELP),
        lang: str | None = typer.Option(None, "--lang", help="zh (default) or en."),
        out: str | None = typer.Option(None, "--out", help="Write the deep-dive to this file."),
        day: str | None = typer.Option(
            None, "--date", help="Report date (default today), YYYY-MM-DD."
        ),
        demo: bool = typer.Option(
            False, "--demo", help="Read the bundled CC BY demo papers (offline)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print a JSON summary."),
        fmt: str = typer.Option("md", "--format", help=FORMAT_HELP),
    ) -> None:
        """Deep-dive into papers: stored ones offline, arXiv ids not stored fetched first."""
        from agent.cli.output import progress
        from agent.formats import service
        from agent.sources.window import parse_day

        settings = settings_for(model, lang)
        check_outputs(fmt, [])
        as_of = parse_day(day, "--date") if day else None
        with paper_bar() as on_event:
            result = service.deepdive(
                settings,
                arxiv_ids,
                topic=topic,
                demo=demo,
                as_of=as_of,
                out=out,
                on_event=on_event,
                progress=progress,
            )
        finish(result, as_json, fmt, [], settings.lang)

    @app.command()
    def daily(
        topic: str = typer.Option("efficient-ai", "--topic", help="Topic profile name."),
        day: str | None = typer.Option(
            None, "--date", help="The day (default today; with --demo the demo feed's newest day)."
        ),
        model: str | None = typer.Option(None, "--model", help=MODEL_HELP),
        lang: str | None = typer.Option(None, "--lang", help="zh (default) or en."),
        out: str | None = typer.Option(None, "--out", help="Write the report to this file."),
        demo: bool = typer.Option(
            False, "--demo", help="Use the bundled CC BY demo papers (offline)."
        ),
        from_store: bool = typer.Option(
            False, "--from-store", help="Stored papers dated that day (brief ingest), offline."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print a JSON summary."),
        fmt: str = typer.Option("md", "--format", help=FORMAT_HELP),
    ) -> None:
        """Write one day's paper report (the weekly format over a one-day window)."""
        from agent.errors import ConfigError
        from agent.formats import service
        from agent.sources.window import parse_day, today

        settings = settings_for(model, lang)
        check_outputs(fmt, [])
        if from_store and demo:
            raise ConfigError("--from-store cannot be combined with --demo", "use one")
        with paper_bar() as on_event:
            if from_store:
                when = parse_day(day, "--date") if day else today()
                result = service.weekly_from_store(
                    settings, topic=topic, start=when, end=when, kind="daily", out=out,
                    on_event=on_event,
                )  # fmt: skip
            else:
                result = service.daily(
                    settings,
                    topic=topic,
                    day=parse_day(day, "--date") if day else None,
                    demo=demo,
                    out=out,
                    on_event=on_event,
                )
        finish(result, as_json, fmt, [], settings.lang)

    @app.command()
    def trends(
        topic: str = typer.Option("efficient-ai", "--topic", help="Topic profile name."),
        month: str | None = typer.Option(None, "--month", help="YYYY-MM (default this month)."),
        model: str | None = typer.Option(None, "--model", help=MODEL_HELP),
        lang: str | None = typer.Option(None, "--lang", help="zh (default) or en."),
        out: str | None = typer.Option(None, "--out", help="Write the report to this file."),
        demo: bool = typer.Option(
            False, "--demo", help="Store the bundled demo papers first; default month is theirs."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print a JSON summary."),
        fmt: str = typer.Option("md", "--format", help=FORMAT_HELP),
    ) -> None:
        """Write a monthly trend report with research heat counted from the store."""
        from agent.formats import service

        settings = settings_for(model, lang)
        check_outputs(fmt, [])
        with paper_bar() as on_event:
            result = service.trends(
                settings, topic=topic, month=month, demo=demo, out=out, on_event=on_event
            )
        finish(result, as_json, fmt, [], settings.lang)

    @app.command()
    def catalog(
        topic: str = typer.Option("efficient-ai", "--topic", help="Topic profile name."),
        out: str | None = typer.Option(None, "--out", help="The catalog file to create or extend."),
        model: str | None = typer.Option(None, "--model", help=MODEL_HELP),
        lang: str | None = typer.Option(None, "--lang", help="zh (default) or en."),
        demo: bool = typer.Option(False, "--demo", help="Store the bundled demo papers first."),
        as_json: bool = typer.Option(False, "--json", help="Print a JSON summary."),
        fmt: str = typer.Option("md", "--format", help=FORMAT_HELP),
    ) -> None:
        """Create or extend the topic's knowledge-base catalog with new stored papers."""
        from agent.formats import service

        settings = settings_for(model, lang)
        check_outputs(fmt, [])
        with paper_bar() as on_event:
            result = service.catalog(settings, topic=topic, demo=demo, out=out, on_event=on_event)
        finish(result, as_json, fmt, [], settings.lang)
