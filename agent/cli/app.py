"""The `brief` command: one Typer app, sub-commands registered from one module each.

This is the CLI's single error boundary: a BriefError becomes one red line on stderr and the
error's exit code (agent.errors: 1 the command found problems or could not finish, 2 a usage or
configuration error; click's own usage errors exit 2 too). Tracebacks are kept with
BRIEF_DEBUG=1 or under pytest.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from agent import __version__
from agent.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, BriefError

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
    """Turns BriefError into one line on stderr and its exit code."""

    def invoke(self, ctx: Any) -> Any:
        from agent.safety import RedactingStream, redact_exception, redact_logs

        redact_logs()  # and stdout, stderr and escaping errors below: no key is ever printed
        streams = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = RedactingStream(sys.stdout), RedactingStream(sys.stderr)
        try:
            return super().invoke(ctx)
        except BriefError as exc:
            redact_exception(exc)
            if debug_enabled():
                raise
            from agent.cli.output import error_line

            error_line(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            from agent.cli.output import error_line

            error_line("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:  # a bug: its traceback is printed, without secrets
            redact_exception(exc)
            raise
        finally:
            sys.stdout, sys.stderr = streams


EXIT_CODES = (
    f"Exit codes: {EXIT_OK} ok; "
    f"{EXIT_PROBLEMS} the command found problems (lint flags, an eval regression or failed "
    "threshold, papers that could not be read, a failed delivery) or could not finish its work "
    "(network, model server, store); "
    f"{EXIT_USAGE} usage or configuration error (bad option, missing file, bad setting); "
    "130 interrupted."
)

app = typer.Typer(
    name="brief",
    cls=BriefGroup,
    help="Reads arXiv for you and writes technical briefings you can trust.",
    epilog=EXIT_CODES,
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
