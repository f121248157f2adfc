"""Where a briefing's numbers may be checked: evidence the linter can see.

Two sources, never the whole paper: a JSON sidecar mapping sentences to the quotes they rest
on, and evidence printed in the same document (a paper's 摘要 / Abstract / 原文 block, paired
with the other sections about the same paper by title or, when untitled, by number).
"""

from __future__ import annotations

import re
from typing import Any

from agent.grounding.numbers import extract_numbers
from agent.grounding.quotes import quote_key
from evals import doc
from evals.flags import Evidence, Flag, excerpt
from evals.textchecks import FIELD

EVIDENCE_FIELD = re.compile(r"摘要|abstract|原文|引文|引用原文|quote|evidence|证据", re.IGNORECASE)


def has_numbers(line: str) -> bool:
    return bool(extract_numbers(line))


_PLAIN_EVIDENCE = re.compile(
    r"^\s*(?:>\s*)?(?:[-*]\s+)?(?:\*\*)?(?P<name>摘要|原文摘录|原文|引文|证据|abstract|quote|evidence)"
    r"(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*(?P<value>.*)$",
    re.IGNORECASE,
)


def evidence_label(line: str) -> tuple[str, str] | None:
    """(label, text after it) when `line` opens an evidence block: `**摘要**:`, `Abstract:`,
    `> 原文：...`; None otherwise."""
    m = FIELD.match(line)
    if m and EVIDENCE_FIELD.search(m.group("name")):
        return m.group("name").strip(), m.group("value")
    m = _PLAIN_EVIDENCE.match(line)
    return (m.group("name"), m.group("value")) if m else None


def document_evidence(lines: list[str], skip: set[int]) -> tuple[list[Evidence], set[int]]:
    """Sentences paired with evidence printed in the same document, and the evidence lines."""
    secs = doc.sections(lines, skip)
    evidence_of: dict[str, tuple[str, str, int]] = {}  # key -> (text, label, section line)
    evidence_lines: set[int] = set()
    claim_lines: dict[int, list[tuple[int, str]]] = {}  # section line -> lines before evidence
    for s in secs:
        opened = next(((n, lab) for n, line in s.body if (lab := evidence_label(line))), None)
        if opened is None:
            continue
        start, (name, value) = opened
        parts = [value]
        evidence_lines.add(start)
        for n, line in s.body:
            if n > start:
                if FIELD.match(line) and not evidence_label(line):
                    break
                parts.append(re.sub(r"^\s*>\s?", "", line))
                evidence_lines.add(n)
        text = "\n".join(p for p in parts if p.strip())
        if not text.strip() or not s.key:
            continue
        owner = f"paper {s.number}'s" if s.number else "the section's"
        if s.key in evidence_of:  # a paper's evidence is every block printed for it
            first, label, home = evidence_of[s.key]
            evidence_of[s.key] = (f"{first}\n{text}", label, home)
        else:
            evidence_of[s.key] = (text, f"{owner} {name} (line {start})", s.line)
        claim_lines[s.line] = [
            (n, line) for n, line in s.body if n < start and line.strip() and not FIELD.match(line)
        ]
    items: list[Evidence] = []
    for s in secs:
        if not s.key or s.key not in evidence_of:
            continue
        text, label, _ = evidence_of[s.key]
        body = (
            claim_lines[s.line]
            if s.line in claim_lines  # a section holding evidence: the lines before it
            else [(n, line) for n, line in s.body if line.strip() and n not in evidence_lines]
        )
        for n, line in body:
            if n not in skip and has_numbers(line):
                items.append(Evidence(n, line, [text], label))
    return items, evidence_lines


def _source(ids: set[str]) -> str:
    return "its cited quotes" + (f" (arXiv:{', '.join(sorted(ids))})" if ids else "")


def sidecar_evidence(
    lines: list[str], sidecar: dict[str, Any]
) -> tuple[list[Evidence], list[dict[str, Any]], list[Flag], set[int]]:
    """What the sidecar says about the document's lines.

    Returns the sentences to check with their own quotes, the claims (with their line), flags
    for sentences the document no longer holds, and the lines that are source text (abstract
    entries, `"kind": "abstract"`). The document's text is what gets checked: a sentence found
    verbatim is checked against its own quotes, and whatever else its line says (a sentence
    edited after the sidecar was written) against all the quotes cited on that line.
    """
    keys = [quote_key(line) for line in lines]
    flags: list[Flag] = []
    claims: list[dict[str, Any]] = []
    sources: set[int] = set()
    by_line: dict[int, list[tuple[str, list[str], set[str]]]] = {}
    for entry in sidecar.get("sentences") or []:
        if not isinstance(entry, dict):
            continue
        text = str(entry.get("text") or "")
        line = int(entry.get("line") or 0)
        want = quote_key(text)
        if want and not (1 <= line <= len(lines) and want in keys[line - 1]):
            found = next((i + 1 for i, k in enumerate(keys) if want in k), 0)
            if not found:
                flags.append(Flag("sidecar", line, excerpt(text),
                                  "the document no longer holds this sidecar sentence", "warning"))  # fmt: skip
            line = found or line
        if not 1 <= line <= len(lines):
            continue
        if entry.get("kind") == "abstract" or entry.get("source"):
            sources.add(line)
            continue
        entry_claims = [c for c in entry.get("claims") or [] if isinstance(c, dict)]
        quotes = [str(c.get("quote") or "") for c in entry_claims]
        ids = {str(c.get("arxiv_id")) for c in entry_claims if c.get("arxiv_id")}
        by_line.setdefault(line, []).append((text, quotes, ids))
        claims += [{**c, "line": line} for c in entry_claims]
    items: list[Evidence] = []
    for line, entries in sorted(by_line.items()):
        rest = lines[line - 1]
        for text, quotes, ids in entries:
            if text and text in rest:
                items.append(Evidence(line, text, quotes, _source(ids)))
                rest = rest.replace(text, " ", 1)
        if has_numbers(rest):
            quotes = [q for _, qs, _ in entries for q in qs]
            ids = {i for _, _, ids in entries for i in ids}
            items.append(Evidence(line, rest, quotes, _source(ids)))
    return items, claims, flags, sources


_NOT_CLAIMS = re.compile(
    r"未纳入|舍弃|跳过|失败|Not included|dropped|skipped|rejected", re.IGNORECASE
)
_META_LINE = re.compile(
    r"^\s*+(?:[-*]\s*+)?(?:\*\*)?[\w\u4e00-\u9fff /]{1,16}(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*\S{0,24}\s*$"
)  # possessive leading spaces: a long line of spaces is not tried 16 ways at each of them


def excluded_lines(lines: list[str], skip: set[int]) -> set[int]:
    """Lines whose numbers are not claims: headings, metadata fields ("作者数量: 8人"), table
    rows, and sections that list what was dropped or skipped."""
    out = set(skip)
    dropped_level = 0
    for n, line in enumerate(lines, start=1):
        heading = re.match(r"^(#{1,6})\s", line)
        if heading:
            out.add(n)
            level = len(heading.group(1))
            if dropped_level and level <= dropped_level:
                dropped_level = 0
            if not dropped_level and _NOT_CLAIMS.search(line):
                dropped_level = level
            continue
        if dropped_level or _META_LINE.match(line) or FIELD.match(line) and len(line) < 40:
            out.add(n)
    return out
