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
from evals import doc, metrics
from evals.evidence import document_evidence, excluded_lines, has_numbers, sidecar_evidence
from evals.flags import Evidence
from evals.formats import FORMATS
from evals.frontmatter import front_matter_flags
from evals.metrics import Flag
from store.schemas import short_hash

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


# --- lint -------------------------------------------------------------------------------
_BOOK_TITLE = re.compile(r"《[^《》\n]{1,300}》")


def titles_of(sidecar: dict[str, Any] | None) -> list[str]:
    """The titles of the papers a brief was made from (its sidecar's "papers"), longest first."""
    papers = (sidecar or {}).get("papers") or []
    titles = {str(p["title"]) for p in papers if isinstance(p, dict) and p.get("title")}
    return sorted(titles, key=len, reverse=True)


def without_titles(item: Evidence, titles: list[str]) -> Evidence:
    """The sentence with paper titles blanked: the digits of 'LLM.int8(): 8-bit Matrix
    Multiplication' name a paper, they claim nothing. Titles are those of the sidecar and
    any text in 《》 (how Chinese prose marks a title)."""
    text = _BOOK_TITLE.sub("《》", item.text)
    for title in titles:
        if len(title) >= 8:
            text = text.replace(title, "")
    if text == item.text:
        return item
    return Evidence(item.line, text, item.evidence, item.source)


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
    flags += front_matter_flags(lines)  # valid YAML (evals.frontmatter)
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
    grounding = metrics.number_grounding([without_titles(i, titles_of(sidecar)) for i in items])
    values["number_grounding"] = grounding.value
    flags += grounding.flags
    checked = {i.line for i in items} | evidence_lines | excluded_lines(lines, skip)
    unverified = [
        n for n, line in enumerate(lines, start=1) if n not in checked and has_numbers(line)
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
