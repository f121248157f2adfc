"""Metrics for briefings, as pure functions on text; each returns a value and flags.

Built on agent.grounding. A `Flag` names the line (1-based), an excerpt and a reason; its
severity is `error` for defects a trustworthy brief never has (ungrounded numbers,
placeholders, impossible dates, empty fields, mojibake, unexplained ratings, bad citations)
and `warning` for format drift. Values are shares in [0, 1] or counts; None means "nothing to
measure" (e.g. no number had evidence). This module holds the grounding metrics (numbers,
citations, dates, quotes, coverage against gold) and re-exports the text checks of
evals.textchecks, so `evals.metrics` is the one place to import metrics from.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from datetime import date, timedelta
from typing import Any

from agent.grounding.arxiv_ids import base_id, extract_citations, find_ids, parse_id
from agent.grounding.numbers import Num, extract_numbers, number_grounded
from agent.grounding.quotes import find_quote, quote_page
from evals import doc
from evals.flags import Evidence, Flag, MetricResult, Severity, excerpt
from evals.flags import lines_of as _lines
from evals.textchecks import (
    PLACEHOLDERS,
    RESULT_WORDS,
    TRADITIONAL_ONLY,
    field_values,
    format_compliance,
    has_result,
    language,
    missing_fields,
    mojibake,
    placeholders,
    unsupported_ratings,
)

__all__ = [
    "PLACEHOLDERS",
    "RESULT_WORDS",
    "TRADITIONAL_ONLY",
    "Evidence",
    "Flag",
    "MetricResult",
    "Severity",
    "chrf",
    "citation_validity",
    "coverage",
    "date_consistency",
    "duplicate_papers",
    "excerpt",
    "format_compliance",
    "has_result",
    "language",
    "missing_fields",
    "mojibake",
    "must_cite_recall",
    "number_grounding",
    "number_recall",
    "paper_count",
    "placeholders",
    "quote_grounding",
    "stated_date",
    "unsupported_ratings",
]


# --- numbers ----------------------------------------------------------------------------
def number_grounding(items: Iterable[Evidence]) -> MetricResult:
    """Share of the sentences' numbers grounded by their own evidence (not anywhere else)."""
    total = grounded = 0
    flags: list[Flag] = []
    for item in items:
        evidence: list[Num] = extract_numbers("\n".join(item.evidence), words=True)
        seen: set[str] = set()
        for num in extract_numbers(item.text):
            if num.raw in seen:
                continue
            seen.add(num.raw)
            total += 1
            if number_grounded(num, evidence):
                grounded += 1
            else:
                flags.append(
                    Flag(
                        "number",
                        item.line,
                        excerpt(item.text, num.raw),
                        f"number {num.raw} is not in {item.source}",
                    )  # fmt: skip
                )
    return MetricResult("number_grounding", grounded / total if total else None, flags)


# --- citations --------------------------------------------------------------------------
def citation_validity(
    text: str,
    known: Collection[str] | None = None,
    claims_by_line: dict[int, list[str]] | None = None,
) -> MetricResult:
    """Share of arXiv citations that are well-formed, known (when `known` is given: ids or
    versioned keys of the papers the brief was made from) and name the paper of the claims the
    sentence rests on (`claims_by_line`: line -> arXiv ids of its claims)."""
    known_ids = {base_id(k) for k in known} if known is not None else None
    versions: dict[str, set[str]] = {}  # id -> the versions named in `known`
    for k in known or ():
        p = parse_id(k)
        if p is not None and p.version:
            versions.setdefault(p.id, set()).add(p.version)
    total = ok = 0
    flags: list[Flag] = []
    for number, line in enumerate(_lines(text), start=1):
        cites = extract_citations(line)
        written = {c.arxiv_id for c in cites}
        # id-looking tokens in arXiv links/brackets that the citation syntax refused
        for raw in re.findall(r"(?i)(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s*)([\w.\-/]+)", line):
            raw = re.sub(r"\.pdf$", "", raw.rstrip(".)]"))
            if raw not in written and parse_id(raw) is None:
                total += 1
                flags.append(Flag("citation", number, excerpt(line, raw),
                                  f"arXiv:{raw} is not a valid arXiv identifier"))  # fmt: skip
        for cite in cites:
            total += 1
            parsed = cite.parsed
            if parsed is None:
                flags.append(Flag("citation", number, excerpt(line, cite.raw),
                                  f"arXiv:{cite.arxiv_id} is not a valid arXiv identifier"))  # fmt: skip
                continue
            if known_ids is not None and parsed.id not in known_ids:
                flags.append(Flag("citation", number, excerpt(line, cite.raw),
                                  f"arXiv:{cite.arxiv_id} is not among the papers this brief was made from"))  # fmt: skip
                continue
            read = versions.get(parsed.id)
            if parsed.version and read and parsed.version not in read:
                flags.append(Flag("citation", number, excerpt(line, cite.raw),
                                  f"arXiv:{cite.arxiv_id} is not the version the brief was made from "
                                  f"({', '.join(sorted(read))})"))  # fmt: skip
                continue
            claim_ids = {base_id(i) for i in (claims_by_line or {}).get(number, []) if i}
            if claim_ids and parsed.id not in claim_ids:
                flags.append(Flag("citation", number, excerpt(line, cite.raw),
                                  f"cites arXiv:{cite.arxiv_id} but the sentence's evidence is from "
                                  f"arXiv:{', '.join(sorted(claim_ids))}"))  # fmt: skip
                continue
            ok += 1
    return MetricResult("citation_validity", ok / total if total else None, flags)


_PAPER_FIELD = re.compile(r"论文|arxiv|paper|链接|link", re.IGNORECASE)


def duplicate_papers(text: str) -> MetricResult:
    """arXiv ids given as the paper of two differently titled sections (a copy-paste slip:
    one of them names the wrong paper). Value: how many such ids."""
    lines = _lines(text)
    code = doc.code_lines(lines)
    first: dict[str, tuple[str, int, str]] = {}  # id -> (title key, line, title)
    flags: list[Flag] = []
    for s in doc.sections(lines, code):
        if not s.line or not s.title:
            continue
        for name, (number, value) in field_values(s).items():
            if not _PAPER_FIELD.search(name):
                continue
            for cite in extract_citations(value)[:1]:
                pid = base_id(cite.arxiv_id)
                seen = first.setdefault(pid, (doc.title_key(s.title), s.line, s.title))
                if seen[0] != doc.title_key(s.title):
                    flags.append(Flag("citation", number, excerpt(lines[number - 1]),
                                      f"arXiv:{pid} is also given as the paper of '{seen[2]}' (line {seen[1]})"))  # fmt: skip
    return MetricResult("duplicate_papers", float(len(flags)), flags)


_COUNT_CLAIM = re.compile(
    r"(?:论文数量|解读|收录|分析|共)\D{0,8}?(\d+)\s*(?:\*\*)?\s*篇|Papers analy[sz]ed\s*[:：]\s*(\d+)",
    re.I,
)
_PAPER_BLOCK_FIELD = re.compile(r"^(?:论文|arXiv|主要机构|Institutions|Paper)$", re.I)


def paper_count(text: str) -> MetricResult:
    """Whether the paper count stated near the top ("分析论文数量: 13篇", "本期解读 4 篇")
    matches the paper blocks the document holds (sections with a 论文/arXiv/主要机构 field)."""
    lines = _lines(text)
    code = doc.code_lines(lines)
    _, fm = doc.front_matter(lines)
    stated = None
    for number in range(fm + 1, min(len(lines), fm + 25) + 1):
        m = _COUNT_CLAIM.search(lines[number - 1])
        if m and number not in code:
            stated = (number, int(m.group(1) or m.group(2)))
            break
    blocks = sum(
        1 for s in doc.sections(lines, code)
        if any(_PAPER_BLOCK_FIELD.match(name) for name in field_values(s))
    )  # fmt: skip
    if stated is None or blocks == 0:
        return MetricResult("paper_count", None, [])
    number, count = stated
    if count == blocks:
        return MetricResult("paper_count", 1.0, [])
    return MetricResult("paper_count", 0.0, [Flag("count", number, excerpt(lines[number - 1]),
                        f"says {count} papers but the document describes {blocks}")])  # fmt: skip


# --- dates ------------------------------------------------------------------------------
_PUBLISHED = re.compile(r"(?i)发布|发表|提交|上线|published|submitted|released")
_RELATIVE = re.compile(
    r"(?P<n>(?<!\d)\d+|[一二两三四五六七八九十半])\s*(?P<unit>天|日|周|星期|个月|月|年)\s*前"
    r"|(?P<en>(?<!\d)\d+)\s+(?P<enunit>day|week|month|year)s?\s+ago|(?P<word>昨天|今天|前天|上周|上个月|本周|yesterday|today|last week|last month)",
    re.IGNORECASE,
)
_DAYS = {"天": 1, "日": 1, "周": 7, "星期": 7, "个月": 30, "月": 30, "年": 365,
         "day": 1, "week": 7, "month": 30, "year": 365}  # fmt: skip
_WORD_DAYS = {"今天": 0, "today": 0, "昨天": 1, "yesterday": 1, "前天": 2, "上周": 7,
              "本周": 3, "last week": 7, "上个月": 30, "last month": 30}  # fmt: skip
_ZH_SMALL = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9, "十": 10, "半": 0.5}  # fmt: skip


def _month_span(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def stated_date(text: str, report: date | None) -> tuple[date, date, str] | None:
    """The date range a publication field states: absolute, or relative to `report`."""
    m = _RELATIVE.search(text)
    if m and report is not None:
        days: float
        if m.group("word"):
            days = _WORD_DAYS[m.group("word").lower()]
        elif m.group("en"):
            days = int(m.group("en")) * _DAYS[m.group("enunit").lower()]
        else:
            n = m.group("n")
            days = (float(n) if n.isdigit() else _ZH_SMALL[n]) * _DAYS[m.group("unit")]
        slack = max(1, int(days * 0.5)) if days >= 7 else 1
        center = report - timedelta(days=days)
        return center - timedelta(days=slack), center + timedelta(days=slack), m.group(0)
    m2 = re.search(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2}))?", text)
    if m2:
        try:
            y, mo = int(m2.group(1)), int(m2.group(2))
            if m2.group(3):
                d = date(y, mo, int(m2.group(3)))
                return d, d, m2.group(0)
            lo, hi = _month_span(y, mo)
            return lo, hi, m2.group(0)
        except ValueError:
            return None
    return None


def date_consistency(
    text: str, report: date | None = None, future_ids: bool = True
) -> MetricResult:
    """Share of publication dates consistent with the arXiv id's year-month and the report date.

    A block (section) that cites one arXiv id and states when it was published (发布: 1 周前,
    发表: 2025-12-05, published 3 days ago) must state a date inside the id's month (a later
    version can be newer: versioned ids are allowed up to the report date) and not after the
    report. With `future_ids`, any cited id newer than the report date is flagged too (off
    for documents that grow after their date, such as catalogs).
    """
    lines = _lines(text)
    if report is None:
        report, _ = doc.report_date(lines)
    code = doc.code_lines(lines)
    total = ok = 0
    flags: list[Flag] = []
    for section in doc.sections(lines, code):
        ids = []
        for _, line in [
            (section.line, lines[section.line - 1] if section.line else "")
        ] + section.body:
            ids += [c.arxiv_id for c in extract_citations(line)]
        parsed = [p for p in (parse_id(i) for i in dict.fromkeys(ids)) if p]
        for number, line in section.body:
            published = _PUBLISHED.search(line) if number not in code else None
            if published is None or len({p.id for p in parsed}) != 1:
                continue
            stated = stated_date(line[published.end() :], report)
            if stated is None:
                continue
            lo, hi, written = stated
            pid = parsed[0]
            first, last = _month_span(pid.year, pid.month)
            total += 1
            if report is not None and lo > report:
                flags.append(Flag("date", number, excerpt(line),
                                  f"'{written}' is after the report date {report}"))  # fmt: skip
            elif hi < first or (lo > last and not pid.version):
                when = f"about {lo + (hi - lo) / 2}" if lo != hi else str(lo)
                rel = f" in a report dated {report}" if report and _RELATIVE.search(written) else ""
                flags.append(Flag("date", number, excerpt(line),
                                  f"arXiv id {pid.id} dates the paper to {pid.year}-{pid.month:02d}, "
                                  f"but '{written}'{rel} means {when}"))  # fmt: skip
            else:
                ok += 1
    if report is not None and future_ids:
        for number, line in enumerate(lines, start=1):
            for cite in extract_citations(line):
                p = cite.parsed
                if p and (p.year, p.month) > (report.year, report.month):
                    total += 1
                    flags.append(Flag("date", number, excerpt(line, cite.arxiv_id),
                                      f"arXiv:{p.id} is from {p.year}-{p.month:02d}, after the report date {report}"))  # fmt: skip
    return MetricResult("date_consistency", ok / total if total else None, flags)


# --- quotes -----------------------------------------------------------------------------
def quote_grounding(
    claims: Iterable[dict[str, Any]], pages_for: Callable[[str], list[str] | None]
) -> MetricResult:
    """Share of claims whose quote is on the cited page ±1 of the cited paper.

    `claims`: dicts with arxiv_id, quote, page and line; `pages_for(arxiv_id)` returns the
    paper's page texts or None when the paper is not available (the claim is then skipped).
    """
    total = ok = 0
    flags: list[Flag] = []
    for claim in claims:
        pages = pages_for(str(claim.get("arxiv_id") or ""))
        if pages is None:
            continue
        total += 1
        quote, page, line = (
            str(claim.get("quote") or ""),
            int(claim.get("page") or 0),
            int(claim.get("line") or 0),
        )
        if quote and find_quote(quote, pages, page) is not None:
            ok += 1
            continue
        where = quote_page(quote, pages) if quote else None
        found = f" (found on page {where})" if where else ""
        flags.append(Flag("quote", line, excerpt(quote),
                          f"quote not found on page {page}±1 of arXiv:{claim.get('arxiv_id')}{found}"))  # fmt: skip
    return MetricResult("quote_grounding", ok / total if total else None, flags)


# --- coverage against gold --------------------------------------------------------------
def number_recall(text: str, gold_numbers: Iterable[str]) -> float | None:
    """Share of the gold numbers (as written) that the text states."""
    gold = [g for g in gold_numbers if g]
    if not gold:
        return None
    have = extract_numbers(text, words=True)
    hits = 0
    for g in gold:
        nums = extract_numbers(g, words=True)
        if nums and number_grounded(nums[0], have):
            hits += 1
    return hits / len(gold)


def must_cite_recall(text: str, must_cite: Iterable[str]) -> float | None:
    """Share of the must-cite arXiv ids that the text cites (any version, any citation form)."""
    wanted = {base_id(i) for i in must_cite if i}
    if not wanted:
        return None
    cited = {base_id(c.arxiv_id) for c in extract_citations(text)} | {
        base_id(i) for i in find_ids(text)
    }
    return len(wanted & cited) / len(wanted)


def chrf(hypothesis: str, reference: str, n: int = 6, beta: float = 2.0) -> float:
    """chrF (character n-gram F-score, whitespace removed), 0..1."""
    hyp, ref = re.sub(r"\s+", "", hypothesis), re.sub(r"\s+", "", reference)
    precisions: list[float] = []
    recalls: list[float] = []
    for k in range(1, n + 1):
        hyp_grams = Counter(hyp[i : i + k] for i in range(len(hyp) - k + 1))
        ref_grams = Counter(ref[i : i + k] for i in range(len(ref) - k + 1))
        if not hyp_grams or not ref_grams:
            continue
        overlap = sum((hyp_grams & ref_grams).values())
        precisions.append(overlap / sum(hyp_grams.values()))
        recalls.append(overlap / sum(ref_grams.values()))
    if not precisions:
        return 0.0
    prec, rec = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    if prec + rec == 0:
        return 0.0
    return (1 + beta**2) * prec * rec / (beta**2 * prec + rec)


def coverage(text: str, gold: dict[str, Any]) -> dict[str, float | None]:
    """number_recall, must_cite_recall and chrF of `text` against a gold record
    (`numbers`: list of written numbers, `must_cite`: arXiv ids, `reference`: text)."""
    return {
        "number_recall": number_recall(text, gold.get("numbers") or []),
        "must_cite_recall": must_cite_recall(text, gold.get("must_cite") or []),
        "chrf": chrf(text, gold["reference"]) if gold.get("reference") else None,
    }
