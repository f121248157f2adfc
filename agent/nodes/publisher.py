"""Publisher: render the brief (Markdown + JSON sidecar), write both atomically, and record
the brief in the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Context
from agent.formats.facts import store_facts
from agent.nodes import services
from agent.nodes.fetcher import parse_window
from agent.paths import inside, safe_component
from agent.render import ordered, render_brief
from agent.state import BriefState
from store.schemas import BriefRecord


def brief_path(ctx: Context, state: BriefState) -> Path:
    if ctx.out:
        return Path(ctx.out).expanduser().resolve()
    _, end = parse_window(state["window"])
    suffix = "" if state["lang"] == "zh" else f".{state['lang']}"
    topic = safe_component(state["topic"], "topic")
    name = f"{safe_component(state['kind'])}-{topic}-{end.isoformat()}{suffix}.md"
    return inside(ctx.settings.briefs_dir, name)


def topic_title(ctx: Context, name: str, lang: str) -> str:
    """The topic profile's display title (its name when the profile has none)."""
    try:
        from agent.topics import get_topic

        topic = get_topic(ctx.settings, name)
    except Exception:  # an unknown topic was already reported by the fetcher
        return name
    return (topic.title_zh if lang == "zh" else "") or topic.title or name


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".md") + ".json")


def publish(state: BriefState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Write `<brief>.md` and `<brief>.json`; return the path, stats and failures."""
    ctx = runtime.context
    papers = ordered(state.get("papers", []))
    found = state.get("left_out", []) + state.get("failures", [])
    failures = list({(f["item"], f["stage"]): f for f in found}.values())
    window = parse_window(state["window"])
    stats = dict(state.get("counts", {}))
    stats |= {
        "papers": len(papers),
        "failed": len(failures),
        "claims_verified": sum(len(p["claims"]) for p in papers),
        "claims_dropped": sum(
            len([d for d in p["dropped"] if d.get("kind") != "sentence"]) for p in papers
        ),
    }
    path = brief_path(ctx, state)
    markdown, side = render_brief(
        kind=state["kind"],
        lang=state["lang"],
        topic=state["topic"],
        topic_title=topic_title(ctx, state["topic"], state["lang"]),
        window=window,
        papers=papers,
        failures=failures,
        generated=datetime.now(UTC),
        model=None if ctx.model is None else ctx.model_spec,
        terms=services.glossary(ctx.settings.glossary),
        facts=store_facts(ctx.settings, ctx.store, dict(state), path),
    )
    side |= {
        "brief": path.name,
        "kind": state["kind"],
        "topic": state["topic"],
        "lang": state["lang"],
        "window": state["window"],
        "stats": stats,
        "failures": failures,
    }
    services.atomic_write(sidecar_path(path), json.dumps(side, ensure_ascii=False, indent=2))
    services.atomic_write(path, markdown)
    services.save_brief(
        ctx.store,
        BriefRecord(
            kind=state["kind"],
            topic=state["topic"],
            window_start=window[0],
            window_end=window[1],
            path=str(path),
            papers=[p["key"] for p in papers],
            claims=[c["claim_id"] for p in papers for c in p["claims"]],
        ),
    )
    ctx.event("published", str(path))
    return {"path": str(path), "stats": stats}
