"""What every store-backed format reads from one paper's result: its claims by kind, its
link, its release date and keywords."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from agent.formats.dates import SOURCE_NOTES, age, paper_date, shown_date
from agent.formats.taxonomy import best_direction, direction_name, hits, mentions
from agent.formats.trace import abs_url
from agent.topics import TopicProfile


def by_kind(result: dict[str, Any], *kinds: str) -> list[dict[str, Any]]:
    """The paper's verified claims of these kinds, results with numbers first."""
    claims = [c for c in result["claims"] if c["kind"] in kinds]
    return sorted(claims, key=lambda c: (c["kind"] != kinds[0], not c.get("numbers"), c["page"]))


def numbered_results(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in result["claims"] if c["kind"] == "result" and c.get("numbers")]


def draft_claims(result: dict[str, Any], entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The claims the writer's draft rests on (the reviewer recorded them)."""
    ids = set(entry["claim_ids"])
    return [c for c in result["claims"] if c["claim_id"] in ids]


def arxiv_link(result: dict[str, Any]) -> str:
    """'[arXiv:ID](https://arxiv.org/abs/ID)', or the store key for a non-arXiv PDF."""
    arxiv = result["paper"].get("arxiv_id")
    return f"[arXiv:{arxiv}]({abs_url(arxiv)})" if arxiv else f"`{result['key']}`"


def title_link(result: dict[str, Any], title: str) -> str:
    arxiv = result["paper"].get("arxiv_id")
    return f"[{title}]({abs_url(arxiv)})" if arxiv else f"{title}（`{result['key']}`）"


def released(result: dict[str, Any], as_of: date, lang: str) -> str:
    """The arXiv publication date and its age on the report date."""
    day, source = paper_date(result["paper"])
    if day is None:
        return (
            "论文、PDF 元数据与 arXiv 元数据均未给出日期"
            if lang == "zh"
            else "no date in the paper, its PDF metadata or the feed"
        )
    if source == "arxiv-id":  # only the month is known: no age in days
        return shown_date(result["paper"], lang)
    note = SOURCE_NOTES.get(source)
    if lang == "zh":
        return f"{day.isoformat()}（{age(day, as_of, lang)}{'，' + note[0] if note else ''}）"
    return f"{day.isoformat()} ({age(day, as_of, lang)}{', ' + note[1] if note else ''})"


def own_terms(entry: dict[str, Any], direction: Any, topic: TopicProfile | None) -> list[str]:
    """The abstract's glossary terms (entry keywords), without terms of another direction
    than the paper's own: a passing 'mixture of experts' must not label a distillation
    paper."""
    others = [d for d in (topic.directions if topic else []) if d is not direction]
    words = []
    for word in entry["keywords"]:
        english = {"title": word.rsplit("（", 1)[-1].rstrip("）")}
        if any(mentions(english, d.keywords) for d in others) and not (
            direction is not None and mentions(english, direction.keywords)
        ):
            continue
        words.append(word)
    return words


def keywords(
    result: dict[str, Any], entry: dict[str, Any], topic: TopicProfile | None, lang: str
) -> list[str]:
    """Glossary terms of the abstract, then the taxonomy keywords it hits."""
    direction = best_direction(topic, result["paper"])
    words = own_terms(entry, direction, topic)
    if direction is not None:
        shown = " ".join(words).lower()
        words += [k for k in hits(direction, result["paper"]) if k.lower() not in shown]
    return words[:6]


def hot_words(
    topic: TopicProfile | None, results: list[dict[str, Any]], limit: int = 3
) -> list[str]:
    """The taxonomy keywords most papers of a group hit (ties: taxonomy order)."""
    if topic is None:
        return []
    counts: Counter[str] = Counter()
    order: list[str] = []
    for result in results:
        direction = best_direction(topic, result["paper"])
        for word in hits(direction, result["paper"]) if direction else []:
            counts[word] += 1
            if word not in order:
                order.append(word)
    return sorted(order, key=lambda w: (-counts[w], order.index(w)))[:limit]


def group_label(direction: Any, lang: str) -> str:
    return direction_name(direction, lang)
