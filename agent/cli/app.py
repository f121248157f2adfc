"""The `brief` command: one Typer app, sub-commands registered from one module each.

This is the CLI's single error boundary: a BriefError becomes one red line on stderr and exit
code 1. Tracebacks are kept with BRIEF_DEBUG=1 or under pytest.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import typer
from typer.core import TyperGroup

from agent import __version__
from agent.errors import BriefError

# Each module defines `register(app: typer.Typer) -> None`.
COMMAND_MODULES = (
    "agent.cli.doctor",
    "agent.cli.ingest",
    "agent.cli.fetch",
    "agent.cli.brief",
    "agent.cli.formats",
    "agent.cli.chat",
    "agent.cli.runs",
    "agent.cli.models",
    "agent.cli.eval",
    "agent.cli.eval_suites",
    "agent.cli.store",
)


def debug_enabled() -> bool:
    return os.environ.get("BRIEF_DEBUG") == "1" or "PYTEST_CURRENT_TEST" in os.environ


class BriefGroup(TyperGroup):
    """Turns BriefError into one line on stderr."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BriefError as exc:
            if debug_enabled():
                raise
            from agent.cli.output import error_line

            error_line(str(exc))
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            from agent.cli.output import error_line

            error_line("interrupted")
            raise typer.Exit(130) from None


app = typer.Typer(
    name="brief",
    cls=BriefGroup,
    help="Reads arXiv for you and writes technical briefings you can trust.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"brief {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """brief: grounded briefings from arXiv papers."""


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    app(prog_name="brief")


if __name__ == "__main__":  # pragma: no cover
    main()
