"""`brief eval lint`: score any briefing (ours or not) with the deterministic metrics.

A document's numbers are checked against the evidence the lint can see, never against the
whole paper: a JSON sidecar `<file>.json` mapping sentences to the quotes they rest on
(`{"sentences": [{"line", "text", "claims": [{"claim_id", "arxiv_id", "quote", "page"}]}]}`,
which brief writes next to its briefs), and evidence printed in the same document (a paper's
摘要 / Abstract / 原文 block, paired with the other sections about the same paper by title or,
for untitled sections, by number). Numbers with no visible evidence are counted, not flagged.
Mojibake is flagged once, and the other metrics then read the repaired text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.errors import BriefError
from agent.grounding.numbers import extract_numbers
from agent.grounding.quotes import quote_key
from evals import doc, metrics
from evals.formats import FORMATS
from evals.metrics import Evidence, Flag
from evals.textchecks import FIELD
from store.schemas import short_hash

EVIDENCE_FIELD = re.compile(r"摘要|abstract|原文|引文|引用原文|quote|evidence|证据", re.IGNORECASE)
COUNT_METRICS = (
    "placeholders",
    "missing_fields",
    "unsupported_ratings",
    "numbers_unverified",
    "duplicate_papers",
)
MOJIBAKE_MIN = 0.02  # share of damaged lines above which the text is repaired before scoring


@dataclass
class LintCase:
    """The lint of one document."""

    id: str
    kind: str
    metrics: dict[str, float | None]
    flags: list[Flag] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not any(f.severity == "error" for f in self.flags)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "passed": self.passed,
            "metrics": self.metrics,
            "flags": [f.to_json() for f in self.flags],
        }


def detect_kind(text: str) -> str:
    """The format the document follows ('weekly', 'deepdive', 'trends', 'catalog', 'unknown')."""
    votes = {
        kind: sum(1 for pattern in fmt.markers if re.search(pattern, text))
        for kind, fmt in FORMATS.items()
    }
    best = max(votes, key=lambda k: votes[k])
    ranked = sorted(votes.values(), reverse=True)
    if ranked[0] < 2 or ranked[0] == ranked[1]:
        return "unknown"
    return best


def load_sidecar(path: Path) -> dict[str, Any] | None:
    """The `<file>.json` sidecar next to `path`, None when there is none."""
    side = path.with_name(path.name + ".json")
    if not side.is_file():
        side = path.with_suffix(".json")
        if not side.is_file() or side == path:
            return None
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BriefError(
            f"sidecar {side} is not valid JSON ({exc})",
            'write it as {"sentences": [{"line", "text", "claims": [...]}]} or delete it',
        ) from None
    return data if isinstance(data, dict) else None


# --- evidence ---------------------------------------------------------------------------
def _has_numbers(line: str) -> bool:
    return bool(extract_numbers(line))


def document_evidence(lines: list[str], skip: set[int]) -> tuple[list[Evidence], set[int]]:
    """Sentences paired with evidence printed in the same document, and the evidence lines."""
    secs = doc.sections(lines, skip)
    evidence_of: dict[str, tuple[str, str, int]] = {}  # key -> (text, label, section line)
    evidence_lines: set[int] = set()
    claim_lines: dict[int, list[tuple[int, str]]] = {}  # section line -> lines before evidence
    for s in secs:
        start = next(
            (n for n, line in s.body if (m := FIELD.match(line)) and EVIDENCE_FIELD.search(m.group("name"))),
            None,
        )  # fmt: skip
        if start is None:
            continue
        first = lines[start - 1]
        m = FIELD.match(first)
        parts = [m.group("value")] if m else []
        for n, line in s.body:
            if n > start:
                if FIELD.match(line) and not EVIDENCE_FIELD.search(line):
                    break
                parts.append(line)
                evidence_lines.add(n)
        evidence_lines.add(start)
        text = "\n".join(p for p in parts if p.strip())
        if not text.strip() or not s.key:
            continue
        label = f"{'paper ' + s.number + chr(39) + 's' if s.number else 'the section' + chr(39) + 's'} {m.group('name') if m else 'evidence'} (line {start})"
        evidence_of.setdefault(s.key, (text, label, s.line))
        claim_lines[s.line] = [
            (n, line) for n, line in s.body if n < start and line.strip() and not FIELD.match(line)
        ]
    items: list[Evidence] = []
    for s in secs:
        if not s.key or s.key not in evidence_of:
            continue
        text, label, home = evidence_of[s.key]
        body = (
            claim_lines.get(s.line, [])
            if s.line == home
            else [(n, line) for n, line in s.body if line.strip() and n not in evidence_lines]
        )
        for n, line in body:
            if n not in skip and _has_numbers(line):
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
                flags.append(Flag("sidecar", line, metrics.excerpt(text),
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
        if _has_numbers(rest):
            quotes = [q for _, qs, _ in entries for q in qs]
            ids = {i for _, _, ids in entries for i in ids}
            items.append(Evidence(line, rest, quotes, _source(ids)))
    return items, claims, flags, sources


_NOT_CLAIMS = re.compile(
    r"未纳入|舍弃|跳过|失败|Not included|dropped|skipped|rejected", re.IGNORECASE
)
_META_LINE = re.compile(
    r"^\s*(?:[-*]\s*)?(?:\*\*)?[\w\u4e00-\u9fff /]{1,16}(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*\S{0,24}\s*$"
)


def _excluded_lines(lines: list[str], skip: set[int]) -> set[int]:
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


# --- lint -------------------------------------------------------------------------------
def lint_text(
    text: str,
    name: str = "<text>",
    sidecar: dict[str, Any] | None = None,
    known_ids: list[str] | None = None,
    pages_for: Callable[[str], list[str] | None] | None = None,
    kind: str | None = None,
) -> LintCase:
    """Lint one document: detect its kind, run the metrics, collect flags by line."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    flags: list[Flag] = []
    values: dict[str, float | None] = {}
    moj = metrics.mojibake(text)
    values["mojibake"] = moj.value
    flags += moj.flags
    if (moj.value or 0) >= MOJIBAKE_MIN:
        text = doc.repair_text(text)
    lines = text.split("\n")
    code = doc.code_lines(lines)
    _, fm = doc.front_matter(lines)
    skip = code | set(range(1, fm + 1))
    kind = kind or detect_kind(text)

    items, evidence_lines = document_evidence(lines, skip)
    claims: list[dict[str, Any]] = []
    if sidecar:
        side_items, claims, side_flags, sources = sidecar_evidence(lines, sidecar)
        flags += side_flags
        evidence_lines |= sources
        covered = {i.line for i in side_items} | sources
        items = side_items + [i for i in items if i.line not in covered]
    grounding = metrics.number_grounding(items)
    values["number_grounding"] = grounding.value
    flags += grounding.flags
    checked = {i.line for i in items} | evidence_lines | _excluded_lines(lines, skip)
    unverified = [
        n for n, line in enumerate(lines, start=1) if n not in checked and _has_numbers(line)
    ]
    values["numbers_unverified"] = float(len(unverified))
    if sidecar:
        for n in unverified:
            flags.append(Flag("number", n, metrics.excerpt(lines[n - 1]),
                              "numbers with no cited evidence (the sentence is not in the sidecar)",
                              "warning"))  # fmt: skip

    by_line: dict[int, list[str]] = {}
    for c in claims:
        by_line.setdefault(int(c["line"]), []).append(str(c.get("arxiv_id") or ""))
    known = known_ids if known_ids is not None else (
        sorted({i for ids in by_line.values() for i in ids if i}) or None
    )  # fmt: skip
    results = [
        metrics.citation_validity(text, known, by_line or None),
        metrics.duplicate_papers(text),
        metrics.paper_count(text),
        metrics.date_consistency(text, future_ids=kind != "catalog"),
        metrics.placeholders(text),
        metrics.missing_fields(text, kind),
        metrics.format_compliance(text, kind),
        metrics.language(text),
        metrics.unsupported_ratings(text),
    ]
    if pages_for is not None and claims:
        results.append(metrics.quote_grounding(claims, pages_for))
    for result in results:
        values[result.name] = result.value
        flags += result.flags
    flags.sort(key=lambda f: (f.line, f.kind))
    return LintCase(name, kind, values, flags)


def read_text(path: Path) -> str:
    """A document's text: UTF-8 (BOM allowed), else GB18030, else UTF-8 with replacements."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BriefError(f"cannot read {path}: {exc.strerror}", "check the path") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def lint_file(path: Path, pages_for: Callable[[str], list[str] | None] | None = None) -> LintCase:
    """Lint one file, with its sidecar `<file>.json` when there is one."""
    if not path.is_file():
        raise BriefError(f"no such file: {path}", "pass the path of a briefing (.md or .txt)")
    return lint_text(read_text(path), str(path), load_sidecar(path), pages_for=pages_for)


def pages_from_dir(directory: Path) -> Callable[[str], list[str] | None]:
    """`pages_for` reading `<directory>/<arXiv id>[vN].pdf` (read once each), None if absent."""
    if not directory.is_dir():
        raise BriefError(
            f"no such directory: {directory}", "pass the folder holding the papers' PDFs"
        )
    cache: dict[str, list[str] | None] = {}

    def pages_for(arxiv_id: str) -> list[str] | None:
        from agent.grounding.arxiv_ids import base_id
        from agent.sources.pdf import read_pdf

        key = base_id(arxiv_id).replace("/", "_")
        if key not in cache:
            found = sorted(directory.glob(f"{key}*.pdf"))
            cache[key] = None
            if found and key:
                try:
                    cache[key] = read_pdf(found[-1]).pages
                except BriefError:
                    cache[key] = None
        return cache[key]

    return pages_for


def aggregate(cases: list[LintCase]) -> dict[str, float | None]:
    """Suite metrics: sums of counts, means of shares (None when no case measured it)."""
    names = sorted({k for c in cases for k in c.metrics})
    out: dict[str, float | None] = {}
    for name in names:
        vals = [c.metrics[name] for c in cases if c.metrics.get(name) is not None]
        if not vals:
            out[name] = None
        elif name in COUNT_METRICS:
            out[name] = float(sum(vals))  # type: ignore[arg-type]
        else:
            out[name] = round(sum(vals) / len(vals), 4)  # type: ignore[arg-type]
    out["files_passed"] = float(sum(c.passed for c in cases))
    return out


def lint_report(cases: list[LintCase]) -> dict[str, Any]:
    """The `brief eval lint --json` document."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return {
        "suite": "lint",
        "run_id": f"lint-{stamp}-{short_hash(*(c.id for c in cases), stamp, n=6)}",
        "model": None,
        "metrics": aggregate(cases),
        "cases": [c.to_json() for c in cases],
        "passed": all(c.passed for c in cases),
    }
