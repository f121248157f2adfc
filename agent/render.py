"""Rendering a brief: Markdown from prompts/brief.<kind>.md.j2 and the JSON sidecar that maps
every sentence to the claims, quotes and pages it rests on. Pure functions, no I/O."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2

from agent.extractive import readable
from agent.formats import STORE_KINDS
from agent.formats.changes import with_changes
from agent.formats.dates import shown_date
from agent.formats.fields import render_kind
from agent.formats.names import institutions_text
from agent.frontmatter import front_matter
from agent.nodes.writer import terms_used
from agent.safety import Allowed, allow_ids, clean_text, nothing
from agent.sidecar import versioned

PROMPTS = Path(__file__).resolve().parents[1] / "prompts"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROMPTS),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.globals["front_matter"] = front_matter  # the YAML block, written by PyYAML
    return env


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def entry(
    result: dict[str, Any],
    lang: str,
    terms: dict[str, str],
    env: jinja2.Environment,
    allowed: Allowed = nothing,
) -> dict[str, Any]:
    """One paper's template fields, its sentence rendered. Text from the paper and the
    model is cleaned (agent.safety): no raw HTML, no links but to `allowed` arXiv papers."""
    paper, draft = result["paper"], result["draft"]
    institutions = [
        clean_text(one_line(i), allowed) for i in result["meta"].get("institutions", [])
    ]
    title = clean_text(one_line(paper["title"]), allowed)
    sentence = (
        env.get_template("brief.sentence.md.j2")
        .render(
            lang=lang,
            institutions=institutions_text(institutions, lang),
            title=title,
            method=clean_text(one_line(draft.get("method", "")), allowed),
            problem=clean_text(one_line(draft.get("problem", "")), allowed),
            result=clean_text(one_line(draft.get("result", "")), allowed),
        )
        .strip()
    )
    arxiv = paper.get("arxiv_id")
    url = f"https://arxiv.org/abs/{arxiv}{paper.get('arxiv_version') or ''}" if arxiv else ""
    found = terms_used(terms, paper.get("abstract", ""))
    keywords = [f"{zh}（{en}）" if lang == "zh" else en for en, zh in found.items()][:8]
    return {
        "key": result["key"],
        "title": title,
        "sentence": sentence,
        "url": url or "",
        "institutions": institutions,
        "author_count": result["meta"].get("author_count", 0),
        "published": shown_date(paper, lang),  # with its source when not the arXiv feed
        "abstract": clean_text(readable(paper["abstract"]), allowed),
        "keywords": keywords,
        "claim_ids": draft.get("claim_ids", []),
        "evidence": [
            {"quote": clean_text(one_line(q["quote"]), allowed), "page": q["page"]}
            for q in draft.get("evidence", [])
        ],
    }


def ordered(papers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One result per paper key (a resumed branch may report twice), in a stable order."""
    unique = {p["key"]: p for p in papers}
    return sorted(unique.values(), key=lambda p: (p["paper"].get("title") or "").lower())


def render_brief(
    *,
    kind: str,
    lang: str,
    topic: str,
    topic_title: str,
    window: tuple[date, date],
    papers: list[dict[str, Any]],
    failures: list[dict[str, str]],
    generated: datetime,
    model: str | None,
    terms: dict[str, str],
    facts: dict[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    """(Markdown, sidecar) for a brief. `facts` are what the publisher read from the store
    for the store-backed kinds (agent.formats.facts); a daily brief is the weekly format."""
    env = environment()
    results = ordered(papers)
    allowed = allow_ids(r["paper"].get("arxiv_id") for r in results)
    entries = [entry(r, lang, terms, env, allowed) for r in results]
    failures = [{k: clean_text(str(v), allowed) for k, v in f.items()} for f in failures]
    dropped = [
        {
            "paper": r["key"],
            "page": d.get("page", 0),
            "statement": clean_text(
                one_line(
                    d.get("statement_zh")
                    if lang == "zh" and d.get("statement_zh")
                    else d["statement"]
                ),
                allowed,
            ),
            "reasons": d.get("reasons", []),
        }
        for r in results
        for d in r.get("dropped", [])
    ]
    if kind in STORE_KINDS:
        markdown, side = render_kind(
            kind,
            env=env,
            lang=lang,
            topic=topic,
            topic_title=topic_title,
            window=window,
            results=results,
            entries=entries,
            failures=failures,
            dropped=dropped,
            generated=generated,
            model=model,
            facts=facts or {},
        )
        return markdown, versioned(side)
    start, end = window
    extractive = model is None
    span = {"zh": f"{start} 至 {end} 的", "en": f" from {start} to {end}"}
    if start == end:
        span = {"zh": f"{end} 的", "en": f" of {end}"}
    if lang == "zh":
        title = f"{topic_title} 论文分析报告 — {end.year} 年 {end.month} 月 {end.day} 日"
        description = f"{span['zh']}{topic_title}论文：每篇一句话简报与详细信息" + (
            "（抽取式，未使用语言模型）" if extractive else ""
        )
    else:
        title = f"{topic_title} paper analysis — {end:%B} {end.day}, {end.year}"
        description = f"{topic_title} papers{span['en']}: one-sentence briefs and details" + (
            " (extractive, no language model)" if extractive else ""
        )
    template = "weekly" if kind == "daily" else kind
    markdown = env.get_template(f"brief.{template}.md.j2").render(
        title=title,
        date=end.isoformat(),
        description=description,
        tags=[topic, "arxiv", kind, "paper-analysis"] + (["extractive"] if extractive else []),
        generator="brief (extractive, no language model)"
        if extractive
        else f"brief (model {model})",
        lang=lang,
        generated=generated.strftime("%Y-%m-%d %H:%M:%S UTC"),
        entries=entries,
        failures=failures,
        left_out=len({f.get("item") for f in failures}),  # papers not included (the count line)
        total=len(entries) + len({f.get("item") for f in failures}),
        dropped=dropped,
        extractive=extractive,
        model=model or "none",
    )
    changed: list[dict[str, Any]] = []
    if facts and "earlier_results" in facts:  # what changed since last time (issue 7)
        markdown, changed = with_changes(markdown, env, results, facts["earlier_results"], lang)
    markdown = clean_text(markdown, allowed)  # the net under the fields cleaned above
    side = sidecar(markdown, entries, results)
    side["sentences"] += changed
    return markdown, versioned(side)


def sidecar(
    markdown: str, entries: list[dict[str, Any]], results: list[dict[str, Any]]
) -> dict[str, Any]:
    """Every brief sentence with its line, and the claims (id, arXiv id, quote, page) behind it;
    every abstract with its line and where it was read."""
    lines = markdown.splitlines()

    def line_of(text: str) -> int:
        return next((i for i, line in enumerate(lines, 1) if line.strip() == text), 0)

    sentences = []
    for e, r in zip(entries, results, strict=True):
        claims = {c["claim_id"]: c for c in r["claims"]}
        sentences.append(
            {
                "line": line_of(e["sentence"]),
                "text": e["sentence"],
                "paper": e["key"],
                "claims": [
                    {
                        "claim_id": cid,
                        "arxiv_id": claims[cid].get("arxiv_id"),
                        "quote": claims[cid]["quote"],
                        "page": claims[cid]["page"],
                    }
                    for cid in e["claim_ids"]
                    if cid in claims
                ],
            }
        )
        sentences.append(
            {
                "line": line_of(e["abstract"]),
                "text": e["abstract"],
                "paper": e["key"],
                "kind": "abstract",
                "claims": [],
                "source": {"quote": e["abstract"], "page": 1},
            }
        )
    for number, line in enumerate(lines, 1):  # the paper count line, and what it counts
        if line.startswith(("论文计数:", "Paper count:")):
            counted = {"how": "papers briefed and papers left out in this run",
                       "papers": [e["key"] for e in entries]}  # fmt: skip
            sentences.append(
                {"line": number, "text": line, "paper": "", "kind": "count", "claims": [],
                 "source": counted}  # fmt: skip
            )
    return {"sentences": sentences}
