"""`brief ingest`: read PDF files and folders; report papers and per-file errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import typer


def print_report(report: dict[str, Any]) -> None:
    """A readable table of papers on stdout, one red line per failed file on stderr."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from agent.cli.output import error_line, stdout, warn_line
    from agent.safety import terminal_safe

    papers = report["papers"]
    if papers:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("file", no_wrap=True, overflow="ellipsis", min_width=14, max_width=24)
        table.add_column("arXiv", no_wrap=True, min_width=12)
        for column in ("pages", "sections", "chunks"):
            table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
        if any("stored" in p for p in papers):
            table.add_column("stored", no_wrap=True)
        table.add_column("title / first author", min_width=20)
        for p in papers:
            arxiv = f"{p['arxiv_id']}{p['arxiv_version'] or ''}" if p["arxiv_id"] else "-"
            first = (
                p["authors"][0] + (" et al." if len(p["authors"]) > 1 else "")
                if p["authors"]
                else "-"
            )
            top = sum(1 for s in p["sections"] if s["level"] == 1)
            table.add_row(
                terminal_safe(Path(p["file"]).name),
                arxiv,
                str(p["page_count"]),
                str(top),
                str(p["chunks"]),
                *([p.get("stored", "-").replace("_", " ")] if "stored" in papers[0] else []),
                escape(terminal_safe(p["title"] or "(no title found)"))
                + f"\n[dim]{escape(terminal_safe(first))}[/]",
            )
        stdout().print(table)
    stored = Counter(p["stored"] for p in papers if "stored" in p)
    outcome = "".join(f", {n} {status.replace('_', ' ')}" for status, n in sorted(stored.items()))
    stdout().print(f"{len(papers)} read{outcome}, {len(report['errors'])} failed", highlight=False)
    for err in report["errors"]:
        error_line(err["error"])
    for line in report.get("warnings", []):
        warn_line(line)


def _storer(store: Any) -> Any:
    """Store a batch of parsed papers (store.ingest.store_parsed_many): 'added', ..."""
    from store.ingest import store_parsed_many

    return lambda batch: store_parsed_many(store, batch, source="pdf")


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
        no_store: bool = typer.Option(
            False, "--no-store", help="Only read and report; store nothing."
        ),
    ) -> None:
        """Read PDF files or folders (metadata, sections, chunks) into the store."""
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
        store = None
        if not no_store:
            from store.chroma import open_store

            store = open_store(settings)  # a wrong store setting fails before any reading
        try:
            with progress("reading PDFs", total, enabled=total > 1) as bar:
                report = ingest_paths(
                    paths,
                    settings,
                    engine=pdf_engine,
                    workers=workers,
                    on_done=lambda result: bar.advance(note=f"read {result.file.name}"),
                    store_many=None if store is None else _storer(store),
                    embed_spec=None if store is None else store.spec,
                )
        finally:
            if store is not None:
                store.close()
        if json_out:
            print_json(report)
            from agent.cli.output import warn_line

            for line in report.get("warnings", []):
                warn_line(line)
        else:
            print_report(report)
        if report["errors"]:
            if json_out:
                from agent.cli.output import error_line

                for err in report["errors"]:
                    error_line(err["error"])
            raise typer.Exit(1)
