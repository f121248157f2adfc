"""The knowledge-base catalog (seed 003): one table `| 日期 | 概要 | 论文 / 链接 | 团队 | 描述 |`
per direction of the topic's taxonomy. Run again, it keeps every row already in the file
(verbatim) and appends rows only for papers the file does not hold yet."""

from __future__ import annotations

import re
from typing import Any

from agent.formats import common
from agent.formats.dates import shown_date
from agent.formats.names import institutions_text
from agent.formats.taxonomy import best_direction, group, hits
from agent.formats.trace import Trace, cell

HEADER = {
    "zh": "| 日期 | 概要 | 论文 / 链接 | 团队 | 描述 |",
    "en": "| Date | Summary | Paper / link | Team | Description |",
}
ALIGN = "|:---:|:----:|----------:|:----:|:----:|"
SECTION_RE = re.compile(r"^##\s+(?:\d+(?:\.\d+)*\s+)?(?P<name>.+?)\s*$")
LINK_ID_RE = re.compile(r"\]\(https?://arxiv\.org/abs/(\d{4}\.\d{4,5})(?:v\d+)?\)")
MARK = "brief-catalog"


def row_id(row: str) -> str | None:
    match = LINK_ID_RE.search(row)
    return match.group(1) if match else None


def parse_catalog(text: str) -> list[tuple[str, list[str]]]:
    """(section name, table rows) of a catalog file, in file order."""
    sections: list[tuple[str, list[str]]] = []
    in_table = False
    for line in text.splitlines():
        heading = SECTION_RE.match(line)
        if heading:
            sections.append((heading.group("name"), []))
            in_table = False
        elif sections and line.startswith("|"):
            if in_table and not re.match(r"^\|[\s:|-]+\|$", line):
                sections[-1][1].append(line)
            in_table = True
        elif line.strip():
            in_table = False
    return [(name, rows) for name, rows in sections if rows or name]


def is_catalog(text: str) -> bool:
    """Whether a file is a catalog brief wrote (so appending to it is safe)."""
    return MARK in text.split("\n---", 2)[0] or not text.strip()


def row_of(
    result: dict[str, Any], entry: dict[str, Any], direction: Any, lang: str, topic: Any = None
) -> str:
    day = shown_date(result["paper"], lang, sep="/") or "NA"
    words = common.own_terms(entry, direction, topic)[:3] or (
        hits(direction, result["paper"])[:3] if direction else []
    )
    summary = ("、" if lang == "zh" else ", ").join(words) or common.group_label(direction, lang)
    gist = " ".join(str(result.get("draft", {}).get("method", "")).split())
    if lang == "zh" and gist and not gist.startswith("「"):  # the method in a Chinese phrase
        summary = gist
    team = institutions_text(entry["institutions"], lang) or "NA"
    link = common.title_link(result, cell(entry["title"]))
    return f"| {day} | {cell(summary)} | {link} | {cell(team)} | {cell(entry['sentence'])} |"


def catalog_fields(
    results: list[dict[str, Any]],
    entries: list[dict[str, Any]],
    topic: Any,
    facts: dict[str, Any],
    lang: str,
    tr: Trace,
) -> dict[str, Any]:
    """Sections with old rows first (verbatim), then the new papers' rows by date."""
    old = parse_catalog(facts.get("existing", ""))
    held = {i for _, rows in old for r in rows if (i := row_id(r))}
    pairs = [
        {"result": r, "entry": e, "paper": r["paper"]}
        for r, e in zip(results, entries, strict=True)
    ]
    fresh = [p for p in pairs if (p["paper"].get("arxiv_id") or p["result"]["key"]) not in held]
    fresh = [p for p in fresh if not any(p["result"]["key"] in r for _, rows in old for r in rows)]
    new_rows: dict[str, list[tuple[str, str]]] = {}
    names: list[str] = []
    for g in group(topic, pairs, lang):
        names.append(g["name"])
    for g in group(topic, fresh, lang):
        for p in g["items"]:
            direction = best_direction(topic, p["paper"])
            line = row_of(p["result"], p["entry"], direction, lang, topic)
            tr.claims(line, p["result"]["key"], common.draft_claims(p["result"], p["entry"]))
            new_rows.setdefault(g["name"], []).append((line.split("|")[1], line))
    order = [d for d in (common.group_label(x, lang) for x in (topic.directions if topic else []))]
    order += [n for n, _ in old if n not in order] + [n for n in names if n not in order]
    held_rows = dict(old)
    sections = []
    for name in order:
        rows = list(held_rows.get(name, [])) + [r for _, r in sorted(new_rows.get(name, []))]
        if rows:
            sections.append({"name": name, "rows": rows})
    kept = sum(len(rows) for _, rows in old)
    added = sum(len(rows) for rows in new_rows.values())
    tr.extend([i for i in facts.get("existing_trace", []) if row_id(i.get("text", "")) in held])
    status = (
        f"> 本次新增 {added} 条，保留已有 {kept} 条，共 {kept + added} 条。"
        if lang == "zh"
        else f"> Added {added} rows this run, kept {kept}; {kept + added} in all."
    )
    tr.count(status, {"added": sorted(p["result"]["key"] for p in fresh), "kept": sorted(held)})
    return {
        "status": status,
        "sections": sections,
        "header": HEADER[lang],
        "align": ALIGN,
        "mark": MARK,
        "added": added,
        "kept": kept,
        "total": kept + added,
    }
