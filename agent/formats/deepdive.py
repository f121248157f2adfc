"""Template fields of a deep-dive (seed 002): overview by direction, then per paper 核心思想 /
技术亮点 / 为什么值得关注 / 对你的研究可能的启发 from its verified claims, then 趋势分析 and
推荐阅读顺序. Counts come from the papers briefed; every claim line is traced."""

from __future__ import annotations

from datetime import date
from typing import Any

from agent.formats import common
from agent.formats.taxonomy import best_direction, group, hits
from agent.formats.trace import Trace, cell, claim_text
from agent.topics import TopicProfile

FIELDS = (
    ("problem", "问题", "Problem"),
    ("method", "方法", "Method"),
    ("result", "效果", "Result"),
)


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def core_lines(result: dict[str, Any], entry: dict[str, Any], lang: str, tr: Trace) -> list[str]:
    """The writer's reviewed problem / method / result (model prose or quoted sentences)."""
    draft, based = result["draft"], common.draft_claims(result, entry)
    out: list[str] = []
    for name, zh, en in FIELDS:
        text = " ".join(str(draft.get(name, "")).split())
        if text:
            label = _t(lang, f"**{zh}：**", f"**{en}:**")
            out.append(tr.claims(f"{len(out) + 1}. {label} {text}", result["key"], based))
    return out or [
        _t(lang, "- 论文中没有可概括的经核验论断。", "- No verified claim to summarise.")
    ]


def claim_lines(claims: list[dict[str, Any]], key: str, lang: str, tr: Trace) -> list[str]:
    return [tr.claims(f"- {claim_text(c, lang)}", key, [c]) for c in claims]


def paper_block(
    result: dict[str, Any],
    entry: dict[str, Any],
    peers: list[dict[str, Any]],
    topic: TopicProfile | None,
    as_of: date,
    lang: str,
    tr: Trace,
) -> dict[str, Any]:
    key = result["key"]
    used = set(entry["claim_ids"])
    fresh = [c for c in result["claims"] if c["claim_id"] not in used]
    methods = [c for c in common.by_kind({"claims": fresh}, "method", "dataset", "other")]
    results = [c for c in common.by_kind({"claims": fresh}, "result")]
    limits = [c for c in common.by_kind({"claims": fresh}, "limitation", "problem")]
    direction = best_direction(topic, result["paper"])
    why = []
    if direction is not None:
        words = (
            "、".join(hits(direction, result["paper"]))
            if lang == "zh"
            else ", ".join(hits(direction, result["paper"]))
        )
        name = common.group_label(direction, lang)
        line = _t(
            lang,
            f"- 属于「{name}」方向（标题或摘要含：{words}）",
            f"- In “{name}” (title or abstract names: {words})",
        )
        found = {"how": "taxonomy keywords in the title or abstract", "keywords": words}
        why.append(tr.count(line, {"papers": [key]} | found))
    why += claim_lines(results, key, lang, tr)
    if not results:
        why.append(
            _t(
                lang,
                "- 论文的主要结果已在「核心思想」中列出，没有更多经核验的结果。",
                "- The main result is given above; no further verified result.",
            )
        )
    ideas = [
        tr.claims(
            _t(
                lang,
                f"- 论文自述的局限或未解决的问题：{claim_text(c, lang)}",
                f"- Open question the paper states: {claim_text(c, lang)}",
            ),
            key,
            [c],
        )
        for c in limits
    ]
    others = [p for p in peers if p["result"]["key"] != key]
    if others:
        names = (
            "、".join(f"《{p['entry']['title']}》" for p in others)
            if lang == "zh"
            else "; ".join(p["entry"]["title"] for p in others)
        )
        ideas.append(
            _t(
                lang,
                f"- 可与同方向的本期论文对照阅读：{names}",
                f"- Read alongside this issue's papers in the same direction: {names}",
            )
        )
    if not ideas:  # what this paper offers to borrow or to test, from its own claims
        borrow = common.by_kind(result, "method")[:1]
        test = common.numbered_results(result)[:1]
        for claims, zh, en in (
            (borrow, "- 可借鉴的做法：", "- An approach to borrow: "),
            (
                test,
                "- 值得在你的模型与任务上复核的结果：",
                "- A result worth re-checking on your models and tasks: ",
            ),
        ):
            if claims:
                ideas.append(tr.claims(_t(lang, zh, en) + claim_text(claims[0], lang), key, claims))
    if not ideas:
        ideas.append(
            _t(
                lang,
                "- 论文没有陈述经核验的局限，本期也没有同方向的其他论文可对照。",
                "- The paper states no verified limitation and no other paper here shares its direction.",
            )
        )
    highlights = claim_lines(methods, key, lang, tr) or [
        _t(
            lang,
            "- 方法已在「核心思想」中列出，没有更多经核验的方法论断。",
            "- The method is given above; no further verified method claim.",
        )
    ]
    return {
        "title": entry["title"],
        "link": common.arxiv_link(result),
        "released": common.released(result, as_of, lang),
        "keywords": ("、" if lang == "zh" else ", ").join(
            common.keywords(result, entry, topic, lang)
        )
        or _t(lang, "未匹配到主题关键词", "no topic keyword"),
        "core": core_lines(result, entry, lang, tr),
        "highlights": highlights,
        "why": why,
        "ideas": ideas,
    }


def deepdive_fields(
    results: list[dict[str, Any]],
    entries: list[dict[str, Any]],
    topic: TopicProfile | None,
    as_of: date,
    lang: str,
    tr: Trace,
) -> dict[str, Any]:
    pairs = [
        {"result": r, "entry": e, "paper": r["paper"]}
        for r, e in zip(results, entries, strict=True)
    ]
    groups = group(topic, pairs, lang)
    overview, blocks = [], []
    for g in groups:
        found = [p["result"] for p in g["items"]]
        hot = common.hot_words(topic, found)
        words = cell(("、" if lang == "zh" else ", ").join(hot)) or "—"
        row = f"| {cell(g['name'])} | {len(found)} | {words} |"
        overview.append(
            tr.count(row, {"papers": [r["key"] for r in found], "how": "papers in the direction"})
        )
        blocks.append(
            {
                "name": g["name"],
                "papers": [
                    paper_block(p["result"], p["entry"], g["items"], topic, as_of, lang, tr)
                    for p in g["items"]
                ],
            }
        )
    ranked = sorted(groups, key=lambda g: -len(g["items"]))
    trend_lines = []
    for i, g in enumerate(ranked, 1):
        keys = [p["result"]["key"] for p in g["items"]]
        hot = common.hot_words(topic, [p["result"] for p in g["items"]])
        titles = ("、" if lang == "zh" else "; ").join(p["entry"]["title"] for p in g["items"])
        text = _t(
            lang,
            f"{i}. **{g['name']}** — {len(keys)} 篇：{titles}"
            + (f"；共同关键词：{'、'.join(hot)}" if hot else ""),
            f"{i}. **{g['name']}** — papers: {len(keys)} ({titles})"
            + (f"; shared keywords: {', '.join(hot)}" if hot else ""),
        )
        trend_lines.append(
            tr.count(text, {"papers": keys, "how": "papers of this deep-dive in the direction"})
        )
    order = sorted(
        pairs,
        key=lambda p: (-len(common.numbered_results(p["result"])), p["entry"]["title"].lower()),
    )
    reading = []
    for i, p in enumerate(order, 1):
        n = len(common.numbered_results(p["result"]))
        text = _t(
            lang,
            f"{i}. **{p['entry']['title']}**（{common.arxiv_link(p['result'])}）— {n} 条含数字的经核验结果",
            f"{i}. **{p['entry']['title']}** ({common.arxiv_link(p['result'])}) — {n} verified results with figures",
        )
        reading.append(
            tr.count(
                text, {"papers": [p["result"]["key"]], "how": "verified result claims with numbers"}
            )
        )
    return {
        "paper_count": len(results),
        "direction_count": len(groups),
        "overview": overview,
        "groups": blocks,
        "trend_lines": trend_lines,
        "reading": reading,
    }
