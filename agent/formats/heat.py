"""Measured research heat: papers per technique in this window against the previous one,
counted from the store. A paper counts for a technique when the technique's keyword occurs
in its title or abstract (agent.formats.taxonomy.mentions: inflections included)."""

from __future__ import annotations

from datetime import date
from typing import Any

from agent.formats.taxonomy import direction_name, mentions, paper_text
from agent.topics import TopicProfile

TIERS = ((4, "🔥🔥🔥"), (2, "🔥🔥"), (1, "🔥"))


def fire(count: int) -> str:
    """The heat mark for a number of papers (see `legend`)."""
    return next((mark for least, mark in TIERS if count >= least), "—")


def change(current: int, previous: int, lang: str) -> str:
    if current == previous:
        return "持平" if lang == "zh" else "same"
    if previous == 0:
        return f"新出现 +{current}" if lang == "zh" else f"new +{current}"
    return f"{current - previous:+d}"


def legend(current: tuple[date, date], previous: tuple[date, date], lang: str) -> str:
    """How the table's figures are computed, printed under every heat table."""
    (now_start, now_end), (start, end) = current, previous
    if lang == "zh":
        return (
            "🔥 = 本期论文数分档：1 篇 🔥，2–3 篇 🔥🔥，≥4 篇 🔥🔥🔥，0 篇 —；"
            f"变化 = 本期论文数 − 上期论文数（本期 {now_start} 至 {now_end}，上期 {start} 至 {end}）；"
            "论文数 = 库中该期发布、标题或摘要含该技术关键词的论文数。"
        )
    return (
        "🔥 = papers this period: 1 🔥, 2–3 🔥🔥, ≥4 🔥🔥🔥, 0 —; "
        f"change = papers this period ({now_start} to {now_end}) − papers in the previous "
        f"period ({start} to {end}); "
        "papers = stored papers of the period whose title or abstract names the technique."
    )


def on_topic(topic: TopicProfile, paper: dict[str, Any]) -> bool:
    """A stored paper belongs to the topic when it was fetched for it or names one of its
    keywords or direction keywords."""
    from agent.sources.relevance import keyword_hits

    if topic.name in (paper.get("topics") or []):
        return True
    words = list(topic.keywords) + [k for d in topic.directions for k in d.keywords]
    return bool(keyword_hits(paper_text(paper), words))


def _row(name: str, now: list[str], before: list[str], lang: str) -> dict[str, Any]:
    return {
        "technique": name,
        "current": len(now),
        "previous": len(before),
        "fire": fire(len(now)),
        "change": change(len(now), len(before), lang),
        "papers": now,
        "previous_papers": before,
    }


def heat_table(
    topic: TopicProfile,
    current: list[dict[str, Any]],
    previous: list[dict[str, Any]],
    lang: str,
) -> list[dict[str, Any]]:
    """Per direction of the taxonomy: a row per keyword seen in either window and a total
    row (papers naming any of its keywords). Papers are dicts with key, title, abstract."""

    def matching(papers: list[dict[str, Any]], words: list[str]) -> list[str]:
        return sorted(p["key"] for p in papers if mentions(p, words))

    out = []
    for direction in topic.directions:
        rows = []
        for word in direction.keywords:
            now, before = matching(current, [word]), matching(previous, [word])
            if now or before:
                rows.append(_row(word, now, before, lang))
        total = _row(
            direction_name(direction, lang),
            matching(current, direction.keywords),
            matching(previous, direction.keywords),
            lang,
        )
        out.append(
            {"name": total["technique"], "direction": direction.name, "rows": rows, "total": total}
        )
    return out


def paper_facts(paper: Any) -> dict[str, Any]:
    """What heat needs of a stored Paper."""
    return {
        "key": paper.key,
        "arxiv_id": paper.arxiv_id,
        "title": paper.title,
        "abstract": paper.abstract,
        "topics": list(paper.topics),
        "published": str(paper.published or paper.updated or ""),
    }


def stored_in(store: Any, topic: TopicProfile, start: date, end: date) -> list[dict[str, Any]]:
    """The topic's stored papers (current versions) published in [start, end]."""
    papers = store.list_papers(since=start, until=end)
    return [f for f in map(paper_facts, papers) if on_topic(topic, f)]
