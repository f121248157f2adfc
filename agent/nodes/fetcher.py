"""Fetcher: the week's papers for a topic (arXiv), or the bundled demo feed (offline)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send

from agent.context import Context
from agent.nodes import services
from agent.state import BriefState

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"


def parse_window(window: str) -> tuple[date, date]:
    """'2026-11-16..2026-11-23' -> (start, end)."""
    start, _, end = window.partition("..")
    return date.fromisoformat(start), date.fromisoformat(end)


def _task(**fields: Any) -> dict[str, Any]:
    keys = (
        "pdf_path",
        "arxiv_id",
        "arxiv_version",
        "title",
        "authors",
        "abstract",
        "published",
        "source",
        "url",
    )
    task = {k: fields.get(k) for k in keys}
    task["authors"] = list(task["authors"] or [])
    task["published"] = str(task["published"]) if task["published"] else None
    return task


def demo_tasks() -> list[dict[str, Any]]:
    """The bundled demo feed: 3 CC BY papers, offline."""
    try:
        from agent.sources import demo
    except ImportError:
        return [
            _task(pdf_path=str(p), arxiv_id=p.stem, source="demo")
            for p in sorted(DEMO_DIR.glob("*.pdf"))
        ]
    return [
        _task(
            pdf_path=str(entry.pdf_path),
            arxiv_id=entry.arxiv_id,
            arxiv_version=entry.arxiv_version,
            title=entry.title,
            authors=entry.authors,
            abstract=entry.abstract,
            published=entry.published,
            source="demo",
            url=entry.url,
        )
        for entry in demo.demo_feed()
    ]


def demo_window() -> str:
    """The window the demo feed spans (its papers' dates), so the brief dates them truly."""
    days = sorted(date.fromisoformat(t["published"]) for t in demo_tasks() if t["published"])
    return f"{days[0].isoformat()}..{days[-1].isoformat()}"


def topic_tasks(state: BriefState, ctx: Context) -> tuple[list[dict[str, Any]], list[dict], int]:
    """Search arXiv for the topic in the window and download the PDFs (the reader reads)."""
    from agent.sources.fetch import fetch_topic

    report = fetch_topic(
        ctx.settings,
        topic=state["topic"],
        window=state["window"],
        store=services.fetch_store(ctx.store),
        read=False,
    )
    tasks = [
        _task(
            pdf_path=str(item.pdf_path),
            arxiv_id=item.arxiv_id,
            arxiv_version=item.arxiv_version,
            title=item.title,
            authors=item.authors,
            abstract=item.abstract,
            published=item.published,
            source="arxiv",
            url=item.url,
        )
        for item in report.papers
    ]
    left_out = [o for o in report.skipped if o.pdf_path is None] + report.filtered
    failures = [
        {"item": o.candidate.key, "stage": f"{o.status} ({o.stage})", "reason": o.reason}
        for o in left_out + report.failed
    ]
    return tasks, failures, int(report.downloads)


def fetch(state: BriefState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Find the papers of the window; skipped and filtered ones become failures."""
    ctx = runtime.context
    failures: list[dict[str, str]]
    if ctx.local_pdfs is not None:
        tasks = [_task(pdf_path=p, source="pdf") for p in ctx.local_pdfs]
        failures, downloads = [], 0
    elif ctx.demo:
        tasks, failures, downloads = demo_tasks(), [], 0
    else:
        tasks, failures, downloads = topic_tasks(state, ctx)
    ctx.event("fetched", f"{len(tasks)} papers")
    for task in tasks:  # the reader reuses a stored paper with the same file hash
        task["sha256"] = services.file_sha256_or_empty(task["pdf_path"])
    if ctx.reader is not None:  # parse the others now, largest first, as the branches start
        ctx.reader.prefetch(
            [t["pdf_path"] for t in tasks if not services.stored_paper(ctx.store, t["sha256"])]
        )
    return {
        "tasks": tasks,
        "failures": failures,
        "counts": {"papers_fetched": len(tasks), "downloads": downloads},
    }


def fan_out(state: BriefState) -> list[Send]:
    """One `paper` branch per fetched paper; with none, straight to publishing."""
    sends = [Send("paper", {"task": t, "lang": state["lang"]}) for t in state.get("tasks", [])]
    return sends or [Send("publish", state)]
