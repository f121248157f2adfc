"""`brief ingest`: read PDFs (and, once the store exists, store them)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def ingest() -> None:
        """Read PDF files or folders."""
        raise NotImplementedError
