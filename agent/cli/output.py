"""Printing for the CLI: results to stdout, errors and progress to stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

T = TypeVar("T")


def stdout() -> Console:
    return Console(file=sys.stdout, soft_wrap=True)


def stderr() -> Console:
    return Console(file=sys.stderr, soft_wrap=True)


def error_line(message: str) -> None:
    """One red line on stderr (file names and paper text in it cannot drive the terminal)."""
    from agent.safety import terminal_safe

    stderr().print(f"[bold red]error:[/] {escape(terminal_safe(message))}", highlight=False)


def warn_line(message: str) -> None:
    from agent.safety import terminal_safe

    stderr().print(f"[yellow]warning:[/] {escape(terminal_safe(message))}", highlight=False)


def print_json(data: Any) -> None:
    """Machine-readable output: one JSON document on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


@contextmanager
def progress(description: str, total: int | None, enabled: bool = True) -> Iterator[Any]:
    """A progress bar on stderr; `advance()` on the yielded object moves it."""
    bar = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr(),
        transient=False,
        disable=not enabled,
    )
    with bar:
        task = bar.add_task(description, total=total)

        class _Handle:
            def advance(self, n: int = 1, note: str | None = None) -> None:
                from agent.safety import terminal_safe

                shown = escape(terminal_safe(note)) if note else description  # a file name
                bar.update(task, advance=n, description=shown)

        yield _Handle()


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    with progress(description, total) as handle:
        for item in items:
            yield item
            handle.advance()


def exit_on_problem(result: dict[str, Any]) -> None:
    """After the summary is printed: a run whose brief is empty although the window had
    papers (agent.runs.empty_brief) is no success; its reason on stderr, exit 1."""
    if result.get("problem"):
        from agent.errors import EXIT_PROBLEMS

        error_line(result["problem"])
        raise typer.Exit(EXIT_PROBLEMS)
