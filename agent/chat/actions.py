"""The seam to the other parts of brief that chat commands and tools call.

Each function returns one short line of text for the chat; a part that is not installed or
not built yet becomes one line saying so, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.errors import BriefError

MAX_FLAGS = 10


def _missing(what: str, module: str) -> str:
    return f"{what} is not available in this build ({module} is missing)."


def fetch(settings: Any, store: Any, topic: str) -> str:
    """Fetch and read new arXiv papers into the store (agent.sources.fetch.fetch_topic).

    `topic` is a topic profile name when one exists, else a free arXiv query.
    """
    try:
        from agent.sources.fetch import fetch_topic
        from agent.topics import load_topics
    except ModuleNotFoundError as exc:
        return _missing("/fetch", str(exc.name))
    try:
        if topic in load_topics(settings):
            report = fetch_topic(settings, topic=topic, store=store)
        else:
            report = fetch_topic(settings, query=topic, store=store)
    except BriefError as exc:
        return f"fetch failed: {exc}"
    line = (
        f"fetched {len(report.fetched)} new papers for {topic!r} "
        f"({len(report.skipped)} already stored, {len(report.filtered)} off-topic, "
        f"{len(report.failed)} failed)"
    )
    return "; ".join([line, *report.notes])


def weekly(settings: Any, model: Any, topic: str) -> str:
    """Write this week's brief on `topic` (agent.runs.run_brief); returns its path."""
    try:
        from agent.runs import run_brief
        from agent.sources.window import make_window
    except ModuleNotFoundError as exc:
        return _missing("/weekly", str(exc.name))
    try:
        result = run_brief(
            settings,
            topic=topic,
            window=make_window(since="7d").label,
            kind="weekly",
            lang=settings.lang,
            chat_model=model,
        )
    except BriefError as exc:
        return f"weekly failed: {exc}"
    return f"brief written: {result.get('path')} ({result.get('papers', 0)} papers)"


def lint(path: str, pages_for: Any = None) -> list[str]:
    """Check a brief file's citations and numbers (evals.lint.lint_file): a verdict line,
    then one line per flag (at most MAX_FLAGS)."""
    try:
        from evals.lint import lint_file
    except ModuleNotFoundError as exc:
        return [_missing("/lint", str(exc.name))]
    try:
        case = lint_file(Path(path).expanduser(), pages_for=pages_for)
    except (BriefError, OSError) as exc:
        return [f"lint failed: {exc}"]
    shown = {k: v for k, v in case.metrics.items() if v is not None}
    head = f"{'passed' if case.passed else 'FAILED'}: {path} ({_summary(shown)})"
    flags = [f"  line {f.line} [{f.kind}] {f.reason}" for f in case.flags[:MAX_FLAGS]]
    more = len(case.flags) - MAX_FLAGS
    return [head, *flags, *([f"  ... {more} more"] if more > 0 else [])]


def deepdive(settings: Any, model: Any, ids: list[str]) -> str:
    """Write a deep dive on these papers (agent.formats.service.deepdive); returns its path."""
    try:
        from agent.formats.service import deepdive as run_deepdive
    except ModuleNotFoundError as exc:
        return _missing("/deepdive", str(exc.name))
    try:
        result = run_deepdive(settings, ids, chat_model=model)
    except BriefError as exc:
        return f"deepdive failed: {exc}"
    left_out = len(result.get("failures", []))
    return (
        f"deepdive written: {result.get('path')} ({result.get('papers', 0)} papers"
        + (f", {left_out} not included" if left_out else "")
        + ")"
    )


def _summary(result: Any) -> str:
    if isinstance(result, dict):
        return ", ".join(f"{k}={v}" for k, v in result.items() if not isinstance(v, (list, dict)))
    if isinstance(result, (list, tuple)):
        return f"{len(result)} items"
    return str(result)
