"""Rendering the store-backed kinds (deepdive, trends, catalog): title and front matter,
the kind's fields (agent.formats.<kind>), the template prompts/brief.<kind>.md.j2, and the
sidecar of traced lines. Pure: the publisher passes in what it read from the store."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import jinja2

from agent.formats.catalog import MARK, catalog_fields
from agent.formats.dates import day_label, month_label
from agent.formats.deepdive import deepdive_fields
from agent.formats.trace import Trace
from agent.formats.trends import trends_fields


def topic_profile(facts: dict[str, Any]) -> Any:
    from agent.topics import TopicProfile

    raw = facts.get("topic_profile")
    return TopicProfile.model_validate(raw) if raw else None


def heading(kind: str, lang: str, topic_title: str, window: tuple[date, date]) -> tuple[str, str]:
    """(title, description) of a brief of this kind."""
    start, end = window
    if kind == "deepdive":
        if lang == "zh":
            return f"arXiv 论文深度解读 — {day_label(end, 'zh')}", f"{topic_title} 论文逐篇深度解读"
        return (
            f"arXiv paper deep-dive — {day_label(end, 'en')}",
            f"{topic_title} papers, one by one",
        )
    if kind == "trends":
        if lang == "zh":
            return (
                f"{topic_title} 研究趋势报告 — {month_label(start, 'zh')}",
                f"{start} 至 {end} 的 {topic_title} 研究热点与趋势（按库中论文计数）",
            )
        return (
            f"{topic_title} research trends — {month_label(start, 'en')}",
            f"{topic_title} hot spots and trends from {start} to {end} (counted from the store)",
        )
    if lang == "zh":
        return f"{topic_title} 论文知识库", f"按方向分类、持续追加的 {topic_title} 论文条目"
    return f"{topic_title} paper catalog", f"{topic_title} papers by direction, appended over time"


def accounting(
    kind: str,
    results: list[dict[str, Any]],
    failures: list[dict[str, str]],
    profile: Any,
    facts: dict[str, Any],
    lang: str,
    tr: Trace,
) -> str:
    """One line that accounts for every paper of the run: briefed (under a direction or
    unfiled, under 其他) or not included (listed at the end with its reason); for a catalog
    also the stored papers already in the file. The counts add up and the line says so."""
    from agent.formats.taxonomy import OTHER, best_direction

    briefed = [r["key"] for r in results]
    unfiled = [r["key"] for r in results if best_direction(profile, r["paper"]) is None]
    held = list(facts.get("held_keys", [])) if kind == "catalog" else []
    left = list(dict.fromkeys(str(f["item"]) for f in failures if f["item"] not in briefed + held))
    parts = [len(held)] if kind == "catalog" else []
    parts += [len(briefed), len(left)]
    total = sum(parts)
    filed = len(briefed) - len(unfiled)
    other = OTHER[lang]
    if lang == "zh":
        head = f"已在目录 {len(held)} 篇，本次新增 " if kind == "catalog" else "解读 "
        text = (
            f"本次共涉及 {total} 篇论文：{head}{len(briefed)} 篇（归入方向 {filed} 篇，"
            f"未归类 {len(unfiled)} 篇列于「{other}」），未纳入 {len(left)} 篇"
            f"（原因见「未纳入与舍弃」）；{' + '.join(map(str, parts))} = {total}。"
        )
    else:
        head = f"already in the catalog {len(held)}, added " if kind == "catalog" else "briefed "
        text = (
            f"Papers accounted for: {total} — {head}{len(briefed)} ({filed} under a direction, "
            f"{len(unfiled)} unfiled under “{other}”), not included {len(left)} (reasons under "
            f"“Not included”); {' + '.join(map(str, parts))} = {total}."
        )
    source = {
        "briefed": briefed,
        "unfiled": unfiled,
        "not_included": left,
        "how": "papers of the run: briefed, or listed under not included with a reason",
    }
    if kind == "catalog":
        source["already_in_catalog"] = held
    return tr.count(text, source)


def render_kind(
    kind: str,
    *,
    env: jinja2.Environment,
    lang: str,
    topic: str,
    topic_title: str,
    window: tuple[date, date],
    results: list[dict[str, Any]],
    entries: list[dict[str, Any]],
    failures: list[dict[str, str]],
    dropped: list[dict[str, Any]],
    generated: datetime,
    model: str | None,
    facts: dict[str, Any],
) -> tuple[str, dict[str, Any]]:
    """(Markdown, sidecar) of a deepdive, trends or catalog brief."""
    profile = topic_profile(facts)
    tr = Trace()
    if kind == "deepdive":
        fields = deepdive_fields(results, entries, profile, window[1], lang, tr)
        n, k = fields["paper_count"], fields["direction_count"]
        intro = (
            f"本期解读 **{n} 篇** 论文，分属 {k} 个方向。"
            if lang == "zh"
            else f"Papers in this deep-dive: **{n}**, in directions: {k}."
        )
        fields["intro"] = tr.count(intro, {"papers": [r["key"] for r in results]})
    elif kind == "trends":
        if profile is None:
            raise ValueError("a trend report needs the topic profile")
        fields = trends_fields(results, entries, profile, facts, lang, tr)
    else:
        fields = catalog_fields(results, entries, profile, facts, lang, tr)
    fields["accounting"] = accounting(kind, results, failures, profile, facts, lang, tr)
    extractive = model is None
    title, description = heading(kind, lang, topic_title, window)
    if extractive:
        description += (
            "（抽取式，未使用语言模型）" if lang == "zh" else " (extractive, no language model)"
        )
    tags = [topic, "arxiv", kind] + ([MARK] if kind == "catalog" else [])
    markdown = env.get_template(f"brief.{kind}.md.j2").render(
        title=title,
        date=window[1].isoformat(),
        description=description,
        tags=tags + (["extractive"] if extractive else []),
        generator="brief (extractive, no language model)"
        if extractive
        else f"brief (model {model})",
        lang=lang,
        generated=generated.strftime("%Y-%m-%d %H:%M:%S UTC"),
        extractive=extractive,
        model=model or "none",
        failures=failures,
        dropped=dropped,
        **fields,
    )
    side: dict[str, Any] = {"sentences": tr.lines(markdown)}
    side["papers"] = [
        {"paper": r["key"], "arxiv_id": r["paper"].get("arxiv_id"), "title": e["title"]}
        for r, e in zip(results, entries, strict=True)
    ]
    if kind == "trends":
        side["heat"] = fields["heat"]
    return markdown, side
