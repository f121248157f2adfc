"""Running a store-backed brief: the same durable workflow run as `brief weekly`
(agent.runs), reading the selected PDFs, with what was left out before the run in its input
so that the brief lists it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.formats.papers import Selection


def run_format(
    settings: Any,
    *,
    kind: str,
    topic: str,
    window: str,
    selection: Selection,
    lang: str = "zh",
    out: str | None = None,
    chat_model: Any = None,
    on_event: Callable[[str, str], None] | None = None,
) -> dict[str, Any]:
    """One run over `selection`'s PDFs; returns the --json summary, with the papers left out
    before the run among its failures."""
    from agent.runs import run_brief

    result = run_brief(
        settings,
        topic=topic,
        window=window,
        kind=kind,
        lang=lang,
        out=out,
        chat_model=chat_model,
        local_pdfs=selection.pdfs(),
        left_out=selection.failures,
        on_event=on_event,
    )
    result["failures"] = selection.failures + list(result["failures"])
    result["downloads"] = int(result.get("downloads", 0)) + selection.downloads
    return result
