"""`brief store ...`: look into the claim store, search it, re-embed, export, delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

store_app = typer.Typer(
    name="store", help="Inspect and maintain the claim store.", no_args_is_help=True
)


def _open(check: bool = True) -> Any:
    from agent.settings import load_settings
    from store.chroma import open_store

    return open_store(load_settings(), check=check)


@store_app.command()
def stats(json_out: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Counts of papers, chunks and claims by status; embedder; location."""
    from agent.cli.output import print_json, stdout

    info = _open(check=False).stats()
    if json_out:
        print_json(info)
        return
    out = stdout()
    out.print(f"store      {info['location']} ({info['backend']})", highlight=False)
    out.print(f"embeddings {info['embeddings']} ({info['dim']} dims)", highlight=False)
    out.print(
        f"papers     {info['papers']} ({info['paper_versions']} versions, {info['pages']} pages)",
        highlight=False,
    )
    out.print(f"chunks     {info['chunks']}", highlight=False)
    status = ", ".join(f"{k} {v}" for k, v in info["claims_by_status"].items())
    out.print(f"claims     {info['claims']} ({status})", highlight=False)
    out.print(f"briefs     {info['briefs']}", highlight=False)


@store_app.command()
def search(
    query: str = typer.Argument(..., help="What to look for (English or Chinese)."),
    k: int = typer.Option(10, "--k", min=1, max=200, help="Number of results."),
    paper: str | None = typer.Option(None, "--paper", help="Only this paper (arXiv id or key)."),
    kind: str | None = typer.Option(
        None, "--kind", help="chunk, claim, or a claim kind (problem, method, result, ...)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Hybrid (vector + BM25) search over chunks and claims."""
    from rich.markup import escape

    from agent.cli.output import print_json, stdout
    from agent.errors import ConfigError
    from agent.safety import terminal_safe
    from store.search import CLAIM_KINDS

    if kind is not None and kind not in ("chunk", "claim", *CLAIM_KINDS):
        raise ConfigError(
            f"unknown --kind {kind!r}", f"use chunk, claim or one of {', '.join(CLAIM_KINDS)}"
        )
    hits = _open().search(query, k, paper=paper, kind=kind)
    if json_out:
        print_json({"hits": [h.public() for h in hits]})
        return
    out = stdout()
    if not hits:
        out.print("no results")
    for n, hit in enumerate(hits, 1):
        cite = f"arXiv:{hit.arxiv_id}" if hit.arxiv_id else hit.paper_key
        snippet = " ".join(hit.text.split())[:240]
        out.print(
            f"[bold]{n}.[/] {escape(f'[{cite} p.{hit.page}]')} [dim]{hit.kind} {hit.score:.4f}[/] "
            f"{escape(terminal_safe(hit.title))}\n   {escape(terminal_safe(snippet))}",
            highlight=False,
        )


@store_app.command()
def show(
    ref: str = typer.Argument(..., help="Paper (2508.14148, 2508.14148v2) or claim id."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """A stored paper (metadata, versions, counts) or one claim."""
    from rich.markup import escape

    from agent.cli.output import print_json, stdout
    from agent.errors import StoreError
    from agent.safety import terminal_safe

    store = _open(check=False)
    if "#" in ref:
        claim = store.get_claim(ref)
        if claim is None:
            raise StoreError(
                f"no claim {ref!r} in the store", "copy the id from `brief store search`"
            )
        print_json({"claim_id": claim.claim_id, **claim.model_dump(mode="json")})
        return
    paper = store.get_paper(ref)
    if paper is None:
        raise StoreError(
            f"no paper {ref!r} in the store",
            "ingest it first, or list ids with `brief store export`",
        )
    info = {
        "key": paper.key,
        "current": bool((store.paper_meta(paper.key) or {}).get("current")),
        "versions": sorted(store.family_versions(paper.family)),
        "chunks": len(store.get_chunks(paper.key)),
        "claims": len(store.get_claims(paper.key)),
        **paper.model_dump(mode="json", exclude={"sections"}),
        "sections": [s.title for s in paper.sections],
    }
    if json_out:
        print_json(info)
        return
    out = stdout()
    for name in (
        "key",
        "title",
        "authors",
        "published",
        "page_count",
        "versions",
        "current",
        "chunks",
        "claims",
        "topics",
        "pdf_path",
    ):
        value = info.get(name)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        shown = "-" if value in (None, "") else escape(terminal_safe(str(value)))
        out.print(f"{name:<11}{shown}", highlight=False)


@store_app.command()
def reindex() -> None:
    """Re-embed every chunk, claim and paper with the configured embeddings provider."""
    from agent.cli.output import progress, stdout
    from store.maintenance import reindex as run_reindex

    store = _open(check=False)
    total = store.count("chunks") + store.count("claims") + store.count("papers")
    with progress(f"re-embedding with {store.spec}", total) as bar:
        done = run_reindex(store, on_batch=bar.advance)
    stdout().print(f"re-embedded {done} records with {store.spec}", highlight=False)


@store_app.command()
def export(
    fmt: str = typer.Option(
        "jsonl",
        "--format",
        help="jsonl (papers, claims, briefs), bibtex or csl-json (Zotero, pandoc).",
    ),
) -> None:
    """Write papers and claims to stdout as JSON lines, or the papers as BibTeX or CSL-JSON."""
    import sys

    from agent.errors import ConfigError
    from store.csl import export_csl
    from store.maintenance import export_bibtex, export_jsonl

    if fmt not in ("jsonl", "bibtex", "csl-json"):
        raise ConfigError(
            f"unknown --format {fmt!r}", "use --format jsonl, --format bibtex or --format csl-json"
        )
    store = _open(check=False)
    if fmt == "csl-json":
        lines = export_csl(store.list_papers(current_only=True))
    else:
        lines = export_jsonl(store) if fmt == "jsonl" else export_bibtex(store)
    for line in lines:
        sys.stdout.write(line + "\n")


@store_app.command()
def check(json_out: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Check the store: its database file and SQLite integrity, counts against the manifest
    kept beside it, and that every record has a vector that finds it. Exit 1 on a problem."""
    from rich.markup import escape

    from agent.cli.output import error_line, print_json, stdout
    from agent.errors import EXIT_PROBLEMS
    from agent.settings import load_settings
    from store.maintenance import check_store

    report = check_store(load_settings())
    if json_out:
        print_json(report)
    else:
        out = stdout()
        out.print(f"store {report['location']}", highlight=False)
        for c in report["checks"]:
            mark = "[green]ok[/]     " if c["ok"] else "[red]problem[/]"
            out.print(f"{mark} {escape(c['name'])}: {escape(c['detail'])}", highlight=False)
    if not report["ok"]:
        for c in report["checks"]:
            if not c["ok"]:
                error_line(f"{c['name']}: {c['detail']}")
        raise typer.Exit(EXIT_PROBLEMS)


@store_app.command()
def backup(
    dest: Path = typer.Argument(..., help="A new or empty folder for the copy."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Copy the local store and its manifest into a folder (consistent while others read)."""
    from agent.cli.output import print_json, stdout
    from agent.settings import load_settings
    from store.maintenance import backup_store

    info = backup_store(load_settings(), dest)
    if json_out:
        print_json(info)
        return
    stdout().print(
        f"backed up {info['paper_versions']} paper versions, {info['chunks']} chunks and "
        f"{info['claims']} claims to {info['backup']}",
        highlight=False,
    )


@store_app.command()
def restore(
    src: Path = typer.Argument(..., help="A folder written by `brief store backup`."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Replace the local store with a backup; the current one is moved aside, not deleted."""
    from agent.cli.output import print_json, stdout
    from agent.settings import load_settings
    from store.maintenance import restore_store

    info = restore_store(load_settings(), src)
    if json_out:
        print_json(info)
        return
    stdout().print(
        f"restored {info['paper_versions']} paper versions from {info['restored']}; "
        f"the previous store is in {info['previous']}",
        highlight=False,
    )


@store_app.command()
def delete(
    ref: str = typer.Argument(..., help="2508.14148 (all versions) or 2508.14148v2 (one)."),
) -> None:
    """Delete a paper with its pages, chunks and claims."""
    from agent.cli.output import stdout
    from agent.errors import StoreError

    keys = _open(check=False).delete_paper(ref)
    if not keys:
        raise StoreError(f"no paper {ref!r} in the store", "check the id with `brief store show`")
    stdout().print(f"deleted {', '.join(keys)}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(store_app, name="store")
