"""Template fields of a monthly trend report (seeds 000/001): core trends and per-direction
heat tables counted from the store (this window against the previous one), hot papers and
open problems from verified claims, and a reading list. What papers cannot support
(industry news, conference statistics, maturity and adoption ratings) is left out."""

from __future__ import annotations

from datetime import date
from typing import Any

from agent.formats import common, heat
from agent.formats.taxonomy import UNFILED_REASON, best_direction
from agent.formats.trace import Trace, cell, claim_text
from agent.topics import TopicProfile


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def row_line(row: dict[str, Any], tr: Trace, label: str = "") -> str:
    """One heat table row, traced to the papers it counts."""
    name = label or cell(row["technique"])
    text = f"| {name} | {row['current']} | {row['previous']} | {row['fire']} | {row['change']} |"
    return tr.count(text, {"papers": row["papers"], "previous_papers": row["previous_papers"]})


def direction_papers(
    direction: Any, pairs: list[dict[str, Any]], topic: TopicProfile
) -> list[dict[str, Any]]:
    """The read papers filed under the direction (agent.formats.taxonomy's rule)."""
    return [p for p in pairs if best_direction(topic, p["result"]["paper"]) == direction]


def work_line(pair: dict[str, Any], lang: str, tr: Trace) -> str:
    result, entry = pair["result"], pair["entry"]
    link = common.title_link(result, entry["title"])
    picks = common.numbered_results(result) or common.by_kind(result, "result", "method")
    if not picks:
        return tr.claims(f"- {link}", result["key"], [])
    return tr.claims(f"- {link} — {claim_text(picks[0], lang)}", result["key"], [picks[0]])


def open_lines(pairs: list[dict[str, Any]], lang: str, tr: Trace) -> list[str]:
    out = []
    for pair in pairs:
        for claim in common.by_kind(pair["result"], "limitation"):
            text = (
                f"- {claim_text(claim, lang)}（{pair['entry']['title']}）"
                if lang == "zh"
                else (f"- {claim_text(claim, lang)} ({pair['entry']['title']})")
            )
            out.append(tr.claims(text, pair["result"]["key"], [claim]))
    return out or [
        _t(
            lang,
            "- 本期该方向的论文没有经核验的局限性论断。",
            "- No verified limitation claim among this period's papers in the direction.",
        )
    ]


def now_month(facts: dict[str, Any]) -> str:
    return str(facts["current_window"][0])[:7]


def chart(table: list[dict[str, Any]], lang: str, tr: Trace) -> str:
    """The heat tables' totals as a Mermaid xychart: papers per direction, bars this period,
    a line the previous one (directions with no paper in either are left out)."""
    shown = [d for d in table if d["total"]["current"] or d["total"]["previous"]]
    if not shown:
        return ""
    names = ", ".join('"' + one_line_label(d["name"]) + '"' for d in shown)
    now = ", ".join(str(d["total"]["current"]) for d in shown)
    before = ", ".join(str(d["total"]["previous"]) for d in shown)
    top = max(max(d["total"]["current"], d["total"]["previous"]) for d in shown)
    title = _t(
        lang, "各方向论文数：本期与上期", "Papers per direction: this period and the previous"
    )
    block = "\n".join(
        [
            "```mermaid",
            "xychart-beta",
            f'    title "{title}"',
            f"    x-axis [{names}]",
            f'    y-axis "{_t(lang, "论文数", "papers")}" 0 --> {top}',
            f"    bar [{now}]",
            f"    line [{before}]",
            "```",
        ]
    )
    caption = tr.count(
        _t(
            lang,
            "> 柱：本期论文数；折线：上期论文数；按下文各方向“合计”行计数。",
            "> Bars: papers this period; line: papers in the previous period; the directions' "
            "“Total” rows below.",
        ),
        {
            "how": "the directions' total rows",
            "papers": sorted({k for d in shown for k in d["total"]["papers"]}),
            "previous_papers": sorted({k for d in shown for k in d["total"]["previous_papers"]}),
        },
    )
    return f"{block}\n\n{caption}"


def one_line_label(text: str) -> str:
    """A Mermaid axis label: one line, no double quote."""
    return " ".join(text.split()).replace('"', "'")


def trends_fields(
    results: list[dict[str, Any]],
    entries: list[dict[str, Any]],
    topic: TopicProfile,
    facts: dict[str, Any],
    lang: str,
    tr: Trace,
) -> dict[str, Any]:
    current, previous = facts["current"], facts["previous"]
    prev_window = (
        date.fromisoformat(facts["previous_window"][0]),
        date.fromisoformat(facts["previous_window"][1]),
    )
    table = heat.heat_table(topic, current, previous, lang)
    pairs = [{"result": r, "entry": e} for r, e in zip(results, entries, strict=True)]
    total = tr.count(
        _t(
            lang,
            f"本期库中共有 {len(current)} 篇该主题论文（上期 {len(previous)} 篇），其中 {len(results)} 篇经解读。",
            f"Papers on the topic in the store: {len(current)} this period, {len(previous)} in the previous one; read: {len(results)}.",
        ),
        {
            "papers": sorted(p["key"] for p in current),
            "previous_papers": sorted(p["key"] for p in previous),
        },
    )
    empty = facts.get("this_month_empty")
    if empty:
        note = _t(
            lang,
            f"本月（{empty}）库中尚无该主题论文，本报告统计最近有论文的 {now_month(facts)}。",
            f"The store holds no paper on the topic for this month ({empty}); this report "
            f"covers {now_month(facts)}.",
        )
        note = tr.count(note, {"how": "months of the stored papers' dates", "month": empty})
        total = f"{note}\n\n{total}"
    ranked = sorted(
        (d for d in table if d["total"]["current"]), key=lambda d: -d["total"]["current"]
    )
    summary = []
    for i, d in enumerate(ranked[:5], 1):
        t = d["total"]
        text = _t(
            lang,
            f"{i}. **{d['name']}** — 本期 {t['current']} 篇，上期 {t['previous']} 篇（{t['change']}）",
            f"{i}. **{d['name']}** — papers: {t['current']} this period, {t['previous']} before ({t['change']})",
        )
        direction = next(x for x in topic.directions if x.name == d["direction"])
        best = sorted(
            direction_papers(direction, pairs, topic),
            key=lambda p: (-len(common.numbered_results(p["result"])), p["entry"]["title"]),
        )
        if best:
            title = best[0]["entry"]["title"]
            text += _t(lang, f"；代表工作：《{title}》", f"; representative: “{title}”")
        summary.append(
            tr.count(text, {"papers": t["papers"], "previous_papers": t["previous_papers"]})
        )
        reason = common.numbered_results(best[0]["result"]) if best else []
        if reason:  # why the direction is worth reading now: its representative's result
            why = _t(lang, "- 依据：", "- Why: ") + claim_text(reason[0], lang)
            summary.append(tr.claims(why, best[0]["result"]["key"], reason[:1]))
    now = facts["current_window"]
    this_window = (date.fromisoformat(now[0]), date.fromisoformat(now[1]))
    legend = "> " + heat.legend(this_window, prev_window, lang)
    sections, quiet = [], []
    for d in table:
        t = d["total"]
        if not (t["current"] or t["previous"]):
            quiet.append(d["name"])
            continue
        direction = next(x for x in topic.directions if x.name == d["direction"])
        mine = direction_papers(direction, pairs, topic)
        how = {
            "how": "the heat marks' tiers and the two windows",
            "windows": facts["previous_window"],
        }
        sections.append(
            {
                "name": d["name"],
                "legend": tr.count(legend, how),
                "rows": [row_line(r, tr) for r in d["rows"]]
                + [
                    row_line(
                        t,
                        tr,
                        _t(lang, f"**合计：{cell(d['name'])}**", f"**Total: {cell(d['name'])}**"),
                    )
                ],
                "works": [work_line(p, lang, tr) for p in mine]
                or [
                    _t(
                        lang,
                        "- 本期该方向没有经解读的论文（见上期计数）。",
                        "- No paper of this direction was read this period.",
                    )
                ],
                "open": open_lines(mine, lang, tr) if mine else [],
            }
        )
    unfiled = [
        tr.count(
            f"- {common.title_link(p['result'], p['entry']['title'])} — {UNFILED_REASON[lang]}",
            {"papers": [p["result"]["key"]], "how": "taxonomy rule (agent/formats/taxonomy.py)"},
        )
        for p in pairs
        if best_direction(topic, p["result"]["paper"]) is None
    ]
    order = sorted(
        pairs,
        key=lambda p: (-len(common.numbered_results(p["result"])), p["entry"]["title"].lower()),
    )
    reading = []
    for i, p in enumerate(order, 1):
        n = len(common.numbered_results(p["result"]))
        link = common.title_link(p["result"], p["entry"]["title"])
        text = _t(
            lang,
            f"{i}. {link} — {n} 条含数字的经核验结果",
            f"{i}. {link} — {n} verified results with figures",
        )
        reading.append(
            tr.count(
                text, {"papers": [p["result"]["key"]], "how": "verified result claims with numbers"}
            )
        )
    return {
        "total_line": total,
        "summary": summary,
        "sections": sections,
        "quiet": ("、" if lang == "zh" else ", ").join(quiet),
        "unfiled": unfiled,
        "reading": reading,
        "heat": table,
        "chart": chart(table, lang, tr),
    }
