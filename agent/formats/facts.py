"""What the publisher reads from the store for a kind before rendering: the topic profile
(taxonomy), the heat counts of a trend report's window and the one before it, and the
catalog file being appended to (with its sidecar)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.formats import STORE_KINDS


def store_facts(settings: Any, store: Any, state: dict[str, Any], path: Path) -> dict[str, Any]:
    """Facts for `render_brief(facts=...)`: for weekly and daily briefs the stored result
    claims (what changed since last time), else the taxonomy and the kind's store figures."""
    kind = state["kind"]
    if kind in ("weekly", "daily"):
        from agent.formats.changes import stored_results

        return {"earlier_results": stored_results(store)}
    if kind not in STORE_KINDS:
        return {}
    from agent.formats.dates import previous_window
    from agent.nodes.fetcher import parse_window
    from agent.topics import get_topic

    topic = get_topic(settings, state["topic"])
    facts: dict[str, Any] = {"topic_profile": topic.model_dump()}
    if kind == "trends":
        from agent.formats.heat import stored_in

        start, end = parse_window(state["window"])
        before = previous_window(start, end)
        facts["current"] = stored_in(store, topic, start, end)
        facts["previous"] = stored_in(store, topic, *before)
        facts["current_window"] = [start.isoformat(), end.isoformat()]
        facts["previous_window"] = [before[0].isoformat(), before[1].isoformat()]
        facts["this_month_empty"] = _this_month_empty(store, topic, start)
    if kind == "catalog" and path.is_file():
        facts["existing"] = path.read_text(encoding="utf-8")
        facts["held_keys"] = held_keys(store, topic, facts["existing"])
        side = path.with_name(path.name.removesuffix(".md") + ".json")
        try:
            facts["existing_trace"] = json.loads(side.read_text(encoding="utf-8"))["sentences"]
        except (OSError, ValueError, KeyError, TypeError):
            facts["existing_trace"] = []
    return facts


def _this_month_empty(store: Any, topic: Any, start: Any) -> str:
    """This month ('2026-12') when the report covers an earlier month and the store holds no
    topic paper of this month yet (the report says so), else ''."""
    from agent.formats.dates import month_window
    from agent.formats.heat import stored_in
    from agent.sources.window import today

    day = today()
    this = f"{day:%Y-%m}"
    if f"{start:%Y-%m}" >= this or stored_in(store, topic, month_window(this)[0], day):
        return ""
    return this


def held_keys(store: Any, topic: Any, existing: str) -> list[str]:
    """Keys of the topic's stored papers that already have a row in the catalog file."""
    from agent.formats.catalog import parse_catalog, row_id
    from agent.formats.heat import on_topic, paper_facts

    rows = [r for _, rows in parse_catalog(existing) for r in rows]
    ids = {i for r in rows if (i := row_id(r))}
    out = []
    for paper in store.list_papers():
        if not on_topic(topic, paper_facts(paper)):
            continue
        if (paper.arxiv_id and paper.arxiv_id in ids) or any(paper.key in r for r in rows):
            out.append(paper.key)
    return sorted(out)
