"""Grouping papers by a topic's taxonomy (agent/data/topics.toml directions), by keyword
matching on title and abstract: the same rule for every paper, no per-paper choices."""

from __future__ import annotations

import re
from typing import Any

from agent.topics import Direction, TopicProfile

OTHER = {"zh": "其他", "en": "Other"}


def paper_text(paper: dict[str, Any]) -> str:
    """What a paper is matched on: its title and abstract."""
    return f"{paper.get('title') or ''}\n{paper.get('abstract') or ''}"


def direction_name(direction: Direction | None, lang: str) -> str:
    if direction is None:
        return OTHER[lang]
    return (direction.name_zh if lang == "zh" else "") or direction.name


def best_direction(topic: TopicProfile | None, paper: dict[str, Any]) -> Direction | None:
    """The direction whose keywords the paper hits most (ties: taxonomy order)."""
    if topic is None:
        return None
    found = topic.directions_of(paper_text(paper))
    return found[0] if found else None


def hits(direction: Direction, paper: dict[str, Any]) -> list[str]:
    """The direction's keywords that occur in the paper's title or abstract."""
    from agent.sources.relevance import keyword_hits

    seen: set[str] = set()
    out = []
    for word in keyword_hits(paper_text(paper), direction.keywords):
        norm = re.sub(r"[\s_-]+", "", word.lower())  # "KV cache" and "KV-cache" are one
        if norm not in seen:
            seen.add(norm)
            out.append(word)
    return out


def group(
    topic: TopicProfile | None, items: list[dict[str, Any]], lang: str
) -> list[dict[str, Any]]:
    """[{"name", "direction", "items"}] in taxonomy order, 'other' last; empty groups left out.
    Each item needs a "paper" dict (title, abstract)."""
    order = list(topic.directions) if topic else []
    buckets: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        best = best_direction(topic, item["paper"])
        index = order.index(best) if best is not None else len(order)
        buckets.setdefault(index, []).append(item)
    groups = []
    for index in sorted(buckets):
        direction = order[index] if index < len(order) else None
        groups.append(
            {
                "name": direction_name(direction, lang),
                "direction": direction,
                "items": buckets[index],
            }
        )
    return groups
