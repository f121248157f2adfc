"""`brief weekly`: the week's papers on a topic as a grounded brief (Markdown + JSON sidecar)."""

from __future__ import annotations

from typing import Any

import typer

from agent.cli.output import exit_on_problem
from agent.errors import EXIT_PROBLEMS


def progress_printer(enabled: bool = True) -> Any:
    """An on_event hook printing the run's progress on stderr."""
    from agent.cli.output import stderr

    console = stderr()
    labels = {
        "fetched": "fetched",
        "read": "read",
        "critic": "checked",
        "written": "written",
        "failed": "failed",
        "published": "published",
        "note": "note",
    }

    def on_event(kind: str, detail: str) -> None:
        if enabled and kind in labels:
            style = "red" if kind == "failed" else "dim"
            console.print(f"[{style}]{labels[kind]}[/] {detail}", highlight=False)

    return on_event


def print_result(result: dict[str, Any], as_json: bool) -> None:
    from agent.cli.output import print_json, stdout

    if as_json:
        print_json({k: v for k, v in result.items() if k != "stats"})
        return
    out = stdout()
    out.print(result["path"], highlight=False)
    out.print(
        f"{result['papers']} papers, {result['claims_verified']} verified claims, "
        f"{result['claims_dropped']} dropped, {len(result['failures'])} not included; "
        f"{result['llm_calls']} model calls, {result['downloads']} downloads "
        f"(run {result['run_id']}; sidecar {result['sidecar']})",
        highlight=False,
    )


FORMAT_HELP = "md, or html: also write <brief>.html (rendered, sanitised)."


def check_outputs(fmt: str, notify: list[str]) -> None:
    """Refuse an unknown --format or --notify URL before any work (exit code 2)."""
    from agent.errors import UsageError

    if fmt not in ("md", "html"):
        raise UsageError(f"unknown --format {fmt!r}", "use --format md or --format html")
    if notify:
        from agent.delivery import check_urls

        check_urls(notify)


def finish(result: dict[str, Any], as_json: bool, fmt: str, notify: list[str], lang: str) -> None:
    """Write the HTML page, deliver, print; exit 1 after printing when a delivery failed
    (the brief and its sidecar are already written)."""
    from pathlib import Path

    from agent.cli.output import error_line, stdout

    path = Path(result["path"]) if result.get("path") else None
    failed = []
    if path is not None and fmt == "html":
        from agent.html import write_html

        result["html"] = str(write_html(path, lang))
    if path is not None and notify:
        from agent.delivery import send_brief

        deliveries = send_brief(path, notify, lang)
        result["deliveries"] = [d.to_json() for d in deliveries]
        failed = [d for d in deliveries if not d.ok]
    print_result(result, as_json)
    if not as_json:
        if "html" in result:
            stdout().print(f"html: {result['html']}", highlight=False)
        for d in result.get("deliveries", []):
            if d["ok"]:
                stdout().print(f"sent to {d['target']}", highlight=False)
    for d in failed:
        error_line(f"delivery to {d.target} failed: {d.error} (the brief is kept: {path})")
    if failed:
        raise typer.Exit(EXIT_PROBLEMS)
    exit_on_problem(result)  # an empty brief although the window had papers: exit 1


def register(app: typer.Typer) -> None:
    @app.command()
    def weekly(
        topic: str = typer.Option("efficient-ai", "--topic", help="Topic profile name."),
        since: str | None = typer.Option(
            None, "--since", help="Window: the last N days (7d, 2w); default 7d."
        ),
        from_date: str | None = typer.Option(
            None, "--from", help="Window start, YYYY-MM-DD (with --to; default 7 days before it)."
        ),
        to_date: str | None = typer.Option(None, "--to", help="Window end, YYYY-MM-DD."),
        from_store: bool = typer.Option(
            False,
            "--from-store",
            help="Brief papers already in the store (brief ingest / fetch), offline; "
            "without --since/--from/--to: every stored paper of the topic.",
        ),
        model: str | None = typer.Option(
            None, "--model", help="Model spec: none, openai:<model>, llamacpp:<gguf>."
        ),
        lang: str | None = typer.Option(None, "--lang", help="zh (default) or en."),
        out: str | None = typer.Option(None, "--out", help="Write the brief to this file."),
        demo: bool = typer.Option(
            False, "--demo", help="Use the bundled CC BY demo papers and feed (offline)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print a JSON summary."),
        fmt: str = typer.Option("md", "--format", help=FORMAT_HELP),
        notify: list[str] | None = typer.Option(
            None,
            "--notify",
            help="Apprise URL to send the brief to, repeatable (mailto://, json://, slack://, "
            "feishu://, dingtalk://); a failed delivery exits 1, the brief is kept.",
        ),
        budget_tokens: int | None = typer.Option(None, "--budget-tokens", help="Token budget."),
        budget_usd: float | None = typer.Option(None, "--budget-usd", help="Cost budget (USD)."),
    ) -> None:
        """Write this week's brief: one grounded sentence and the details per paper."""
        from agent.errors import ConfigError
        from agent.runs import run_brief
        from agent.settings import load_settings
        from agent.sources.window import make_window

        settings = load_settings(
            model=model, lang=lang, budget_tokens=budget_tokens, budget_usd=budget_usd
        )
        check_outputs(fmt, notify or [])
        from agent.topics import get_topic

        get_topic(settings, topic)  # an unknown topic is a usage error (exit 2), before any work
        if from_store:
            if demo:
                raise ConfigError("--from-store cannot be combined with --demo", "use one")
            from agent.formats import service

            span = (
                make_window(since=since, from_date=from_date, to_date=to_date)
                if since or from_date or to_date
                else None
            )
            result = service.weekly_from_store(
                settings,
                topic=topic,
                start=span.start if span else None,
                end=span.end if span else None,
                out=out,
                on_event=progress_printer(),
            )
            finish(result, as_json, fmt, notify or [], settings.lang)
            return
        if demo:  # the bundled feed's own dates, not this week's
            from agent.nodes.fetcher import demo_window

            window = demo_window()
        else:
            window = make_window(since=since, from_date=from_date, to_date=to_date).label
        result = run_brief(
            settings,
            topic=topic,
            window=window,
            kind="weekly",
            lang=settings.lang,
            demo=demo,
            out=out,
            on_event=progress_printer(),
        )
        finish(result, as_json, fmt, notify or [], settings.lang)
