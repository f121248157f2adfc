"""Tools a tool-calling chat model may use: search the store, fetch a topic, make a brief.

`ChatTools` holds the actions that change things (fetch, brief) as plain callables so that
chat and `brief ask` decide which ones a model gets; search is always offered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from agent.chat.evidence import Evidence, Filters, StoreView
from agent.chat.retrieval import retrieve


@dataclass
class ChatTools:
    """Actions offered to a tool-calling model; each returns a short text result."""

    fetch: Callable[[str], str] | None = None
    brief: Callable[[str], str] | None = None
    found: list[Evidence] = field(default_factory=list)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def build_tools(view: StoreView, k: int, filters: Filters, actions: ChatTools | None) -> list[Any]:
    """LangChain tools over the store (and the given actions); results are rendered text."""
    from langchain_core.tools import StructuredTool

    from agent.prompting import render

    actions = actions or ChatTools()

    def search_papers(
        query: str,
        paper: str | None = None,
        topic: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> str:
        """Search the stored papers. paper: an arXiv id; topic: a topic name; since/until:
        publication dates as YYYY-MM-DD. Returns passages with their citations."""
        try:
            wanted = Filters(
                paper=paper or filters.paper,
                topic=topic or filters.topic,
                since=_date(since) or filters.since,
                until=_date(until) or filters.until,
            )
        except ValueError as exc:
            return f"bad date: {exc}; use YYYY-MM-DD"
        hits = retrieve(view, query, k, wanted)
        actions.found.extend(hits)
        return render("chat.tool_result.md", evidence=[passage(ev) for ev in hits])

    tools = [StructuredTool.from_function(search_papers)]
    if actions.fetch is not None:
        fetch = actions.fetch

        def fetch_topic(topic: str) -> str:
            """Fetch and read new arXiv papers on a topic into the store."""
            return fetch(topic)

        tools.append(StructuredTool.from_function(fetch_topic))
    if actions.brief is not None:
        brief = actions.brief

        def make_brief(topic: str) -> str:
            """Write this week's brief on a topic from the stored papers; returns its path."""
            return brief(topic)

        tools.append(StructuredTool.from_function(make_brief))
    return tools


def passage(ev: Evidence, max_chars: int = 1500) -> dict[str, str]:
    """An evidence passage as the prompts show it (fences inside the text neutralised)."""
    from agent.chat.citations import Ref
    from agent.chat.text import collapse

    return {
        "cite": Ref(ev.paper, ev.page).render(),
        "title": ev.title.replace('"', "'"),
        "section": ev.section.replace('"', "'"),
        "text": collapse(ev.text)[:max_chars].replace("```", "'''"),
    }
