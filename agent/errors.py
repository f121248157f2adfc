"""Errors the user can act on: each names the bad value and the fix.

Each error carries the exit code the CLI ends with (`brief --help` lists them).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1  # the command ran and found problems, or could not finish its work
EXIT_USAGE = 2  # usage or configuration error: fix the command line or the settings


class BriefError(Exception):
    """An error shown to the user as one line: what is wrong, then how to fix it."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class ConfigError(BriefError):
    """A setting, option or config file is wrong."""

    exit_code = EXIT_USAGE


class UsageError(ConfigError):
    """A command-line argument is wrong: a missing file, an unknown name, a bad value."""


class PdfError(BriefError):
    """A PDF could not be read (broken, encrypted, no text layer, too slow)."""


class StoreError(BriefError):
    """The claim store cannot be opened or written."""


class FetchError(BriefError):
    """arXiv search or a download failed."""


class ModelError(BriefError):
    """A model backend failed or is misconfigured."""


class StructuredOutputError(ModelError):
    """A model did not return an object valid for the schema, even after re-asking."""


class BudgetExceeded(ModelError):
    """The token or cost budget of the run is used up."""
