"""`brief ingest`: read PDF files and folders; report papers and per-file errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer


def print_report(report: dict[str, Any]) -> None:
    """A readable table of papers on stdout, one red line per failed file on stderr."""
    from rich.table import Table

    from agent.cli.output import error_line, stdout

    papers = report["papers"]
    if papers:
        table = Table(show_lines=False)
        for column in ("file", "arXiv", "title", "authors", "pages", "sections", "chunks"):
            table.add_column(column, overflow="fold")
        for p in papers:
            arxiv = f"{p['arxiv_id']}{p['arxiv_version'] or ''}" if p["arxiv_id"] else "-"
            authors = ", ".join(p["authors"][:3]) + (" et al." if len(p["authors"]) > 3 else "")
            top = sum(1 for s in p["sections"] if s["level"] == 1)
            table.add_row(
                Path(p["file"]).name,
                arxiv,
                p["title"] or "(no title found)",
                authors or "-",
                str(p["page_count"]),
                str(top),
                str(p["chunks"]),
            )
        stdout().print(table)
    stdout().print(f"{len(papers)} read, {len(report['errors'])} failed", highlight=False)
    for err in report["errors"]:
        error_line(err["error"])


def register(app: typer.Typer) -> None:
    @app.command()
    def ingest(
        paths: list[Path] = typer.Argument(..., help="PDF files or folders holding *.pdf."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
        pdf_engine: str | None = typer.Option(
            None, "--pdf-engine", help="pdfium (default, fast) or pypdf."
        ),
        workers: int | None = typer.Option(
            None, "--workers", min=1, max=64, help="Reader processes (default: setting)."
        ),
    ) -> None:
        """Read PDF files or folders: metadata, sections and chunks."""
        from agent.cli.output import print_json, progress
        from agent.errors import ConfigError
        from agent.settings import load_settings
        from agent.sources.batch import expand_paths
        from agent.sources.ingest import ingest_paths

        if pdf_engine is not None and pdf_engine not in ("pdfium", "pypdf"):
            raise ConfigError(
                f"unknown --pdf-engine {pdf_engine!r}", "use --pdf-engine pdfium or pypdf"
            )
        settings = load_settings()
        total = len(expand_paths(paths))
        with progress("reading PDFs", total, enabled=total > 1) as bar:
            report = ingest_paths(
                paths,
                settings,
                engine=pdf_engine,
                workers=workers,
                on_done=lambda result: bar.advance(note=f"read {result.file.name}"),
            )
        if json_out:
            print_json(report)
        else:
            print_report(report)
        if report["errors"]:
            if json_out:
                from agent.cli.output import error_line

                for err in report["errors"]:
                    error_line(err["error"])
            raise typer.Exit(1)
