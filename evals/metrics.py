"""Metrics for briefings, as pure functions on text; each returns a value and flags.

Built on agent.grounding. A `Flag` names the line (1-based), an excerpt and a reason; its
severity is `error` for defects a trustworthy brief never has (ungrounded numbers,
placeholders, impossible dates, empty fields, mojibake, unexplained ratings, bad citations)
and `warning` for format drift. Values are shares in [0, 1] or counts; None means "nothing to
measure" (e.g. no number had evidence).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from agent.grounding.arxiv_ids import base_id, extract_citations, find_ids, parse_id
from agent.grounding.numbers import Num, extract_numbers, number_grounded
from agent.grounding.quotes import find_quote, quote_page
from evals import doc
from evals.formats import get_format

Severity = Literal["error", "warning", "info"]


@dataclass
class Flag:
    """One defect found in a document."""

    kind: str
    line: int
    text: str
    reason: str
    severity: Severity = "error"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class MetricResult:
    """A metric's value (share, count or None) and the flags behind it."""

    name: str
    value: float | None
    flags: list[Flag] = field(default_factory=list)


@dataclass
class Evidence:
    """A sentence of the brief and the evidence it may draw numbers from."""

    line: int
    text: str
    evidence: list[str]
    source: str  # what the evidence is, for the reason ("its cited quotes", "paper 5's 摘要")


def excerpt(text: str, around: str | None = None, width: int = 80) -> str:
    """A one-line excerpt of `text`, centred on `around` when given."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    pos = text.find(around) if around else -1
    start = max(0, min(pos - width // 3, len(text) - width)) if pos >= 0 else 0
    return ("…" if start else "") + text[start : start + width] + "…"


def _lines(text: str) -> list[str]:
    return text.split("\n")


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
    known_keys = {k for k in known or () if parse_id(k) and parse_id(k).version}  # type: ignore[union-attr]
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
            if known_ids is not None and (
                parsed.id not in known_ids
                or (parsed.version and known_keys and parsed.key not in known_keys)
            ):
                flags.append(Flag("citation", number, excerpt(line, cite.raw),
                                  f"arXiv:{cite.arxiv_id} is not among the papers this brief was made from"))  # fmt: skip
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
        for name, (number, value) in _field_values(s).items():
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
        if any(_PAPER_BLOCK_FIELD.match(name) for name in _field_values(s))
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
    r"(?P<n>\d+|[一二两三四五六七八九十半])\s*(?P<unit>天|日|周|星期|个月|月|年)\s*前"
    r"|(?P<en>\d+)\s+(?P<enunit>day|week|month|year)s?\s+ago|(?P<word>昨天|今天|前天|上周|上个月|本周|yesterday|today|last week|last month)",
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


# --- format -----------------------------------------------------------------------------
def format_compliance(text: str, kind: str) -> MetricResult:
    """Share of the structural checks of `kind` (evals.formats) the document passes."""
    fmt = get_format(kind)
    if fmt is None:
        return MetricResult("format_compliance", None, [])
    lines = _lines(text)
    code = doc.code_lines(lines)
    checks: list[tuple[bool, int, str, str]] = []  # (passed, line, text, reason)
    meta, fm_lines = doc.front_matter(lines)
    for key in fmt.front_matter:
        checks.append((key in meta and bool(meta[key]), 1, lines[0] if lines else "",
                       f"front matter has no '{key}'"))  # fmt: skip
    top = "\n".join(lines[: fm_lines + 15])
    for pattern in fmt.header_fields:
        checks.append((bool(re.search(pattern, top)), 1, lines[0] if lines else "",
                       f"no '{pattern}' line near the top"))  # fmt: skip
    secs = doc.sections(lines, code)
    pos = 0
    for pattern in fmt.headings:
        hit = next((s for s in secs[1:] if s.line > pos and re.search(pattern, s.title)), None)
        anywhere = next((s for s in secs[1:] if re.search(pattern, s.title)), None)
        if hit:
            pos = hit.line
            checks.append((True, hit.line, "", ""))
        elif anywhere:
            checks.append((False, anywhere.line, lines[anywhere.line - 1],
                           f"heading '{pattern}' is out of order"))  # fmt: skip
        else:
            checks.append((False, 1, "", f"no '{pattern}' heading"))
    found_tables = doc.tables(lines, code)
    for spec in fmt.tables:
        matching = [t for t in found_tables if _has_columns(t[1], spec.columns)]
        if spec.min_count:
            checks.append((len(matching) >= spec.min_count, 1, "",
                           f"no table with the columns {' | '.join(spec.columns)}"))  # fmt: skip
        for _header_line, header, rows in matching:
            for row_line, cells in rows:
                checks.append((len(cells) == len(header), row_line, lines[row_line - 1],
                               f"row has {len(cells)} cells, the header has {len(header)}"))  # fmt: skip
    if fmt.paper_fields:
        for s in secs:
            labels = _field_values(s)
            present = [
                any(re.fullmatch(name, label) for label in labels) for name in fmt.paper_fields
            ]
            if not any(present):
                continue
            for name, ok in zip(fmt.paper_fields, present, strict=True):
                checks.append((ok, s.line, lines[s.line - 1] if s.line else "",
                               f"paper block has no '{name.split('|')[0]}' field"))  # fmt: skip
    links = [i for i, line in enumerate(lines, 1) if i not in code
             and any(re.search(p, line) for p in fmt.link_patterns)]  # fmt: skip
    if fmt.needs_links:
        checks.append((bool(links), 1, "", "no paper link in an accepted form"))
    for i, line in enumerate(lines, start=1):
        if i in code:
            continue
        for m in re.finditer(r"\]\((https?://[^)\s]*)(?=\s|$|\|)", line):
            checks.append(
                (
                    False,
                    i,
                    excerpt(line, m.group(1)),
                    f"link to {m.group(1)} is not closed with ')'",
                )
            )
    failed = [c for c in checks if not c[0]]
    flags = [Flag("format", ln, excerpt(t), reason, "warning") for _, ln, t, reason in failed]
    return MetricResult(
        "format_compliance", 1 - len(failed) / len(checks) if checks else None, flags
    )


def _has_columns(header: list[str], columns: tuple[str, ...]) -> bool:
    keys = [doc.title_key(h) for h in header]
    pos = 0
    for col in columns:
        want = doc.title_key(col)
        try:
            pos = keys.index(want, pos) + 1
        except ValueError:
            return False
    return True


_FIELD = re.compile(
    r"^\s*(?:[-*]\s*)?\*\*(?:[^\w*]*\s*)?(?P<name>[^*:：]+?)\s*[:：]?\s*\*\*\s*[:：]?\s*(?P<value>.*)$"
)


def _field_values(section: doc.Section) -> dict[str, tuple[int, str]]:
    """`**名称**: value` fields of a section: name -> (line, value)."""
    out: dict[str, tuple[int, str]] = {}
    for number, line in section.body:
        m = _FIELD.match(line)
        if m and len(m.group("name")) <= 12:
            out.setdefault(m.group("name").strip(), (number, m.group("value").strip()))
    return out


# --- placeholders -----------------------------------------------------------------------
PLACEHOLDERS = re.compile(
    r"(?<![A-Za-z0-9])[XxＸ]{1,3}\s*(?:%|％|倍|×|个百分点)"
    r"|待确认|待补充|待定|待填写|待核实|待更新|待完善|待查证|TODO|TBD|FIXME|\?\?|？？|\[citation needed\]"
    r"|(?<![A-Za-z])(?:XX+|xxx+)(?![A-Za-z])|\{\{[^}]*\}\}|<(?:机构|论文|方法|问题|效果|数字)>"
    r"|\[(?:数字|待定|TBD|citation needed)\]"
)


def placeholders(text: str) -> MetricResult:
    """Placeholder text left in the brief ("X%", "待确认", "TODO", "TBD", "XX", "？？")."""
    lines = _lines(text)
    code = doc.code_lines(lines)
    flags = []
    for number, line in enumerate(lines, start=1):
        if number in code:
            continue
        found = [m.group(0) for m in PLACEHOLDERS.finditer(line)]
        if found:
            shown = ", ".join(f"'{f}'" for f in dict.fromkeys(found))
            flags.append(Flag("placeholder", number, excerpt(line, found[0]),
                              f"placeholder {shown} left in the text"))  # fmt: skip
    return MetricResult("placeholders", float(len(flags)), flags)


# --- missing fields ---------------------------------------------------------------------
RESULT_WORDS = re.compile(
    r"达成|达到|实现|取得|提升|提高|降低|减少|缩短|加速|超越|超过|优于|媲美|揭示|表明|证明|发现|显示|节省"
    r"|(?i:achiev|improv|outperform|reduc|speed|surpass|match|show|reveal|demonstrat|attain|gain|cut)"
)
_COUNT_ZERO = re.compile(r"^\s*(?:0|零|无)\s*(?:人|位|名|篇|个)?\s*$")


def has_result(sentence: str) -> bool:
    """Whether a one-line brief states a result (a number or a result verb)."""
    return bool(extract_numbers(sentence)) or bool(RESULT_WORDS.search(sentence))


def missing_fields(text: str, kind: str | None = None) -> MetricResult:
    """Empty titles, empty fields (主要机构, 摘要, ...), zero counts ("作者数量: 0人"), and
    per-paper one-liners with no result (weekly briefs)."""
    lines = _lines(text)
    code = doc.code_lines(lines)
    flags: list[Flag] = []
    secs = doc.sections(lines, code)
    for _i, s in enumerate(secs):
        heading = lines[s.line - 1] if s.line else ""
        if s.line and s.number and not s.title:
            flags.append(
                Flag("missing", s.line, heading.strip(), f"paper {s.number} has an empty title")
            )
        for name, (number, value) in _field_values(s).items():
            if not value:
                nxt = _following_text(s, number)
                if not nxt:
                    flags.append(Flag("missing", number, lines[number - 1].strip(),
                                      f"'{name}' is empty" + (f" (paper {s.number})" if s.number else "")))  # fmt: skip
            elif re.search(r"数量|人数|count", name, re.I) and _COUNT_ZERO.match(value):
                flags.append(Flag("missing", number, lines[number - 1].strip(),
                                  f"'{name}' is {value}: the author list is missing" + (f" (paper {s.number})" if s.number else "")))  # fmt: skip
    for i, s in enumerate(secs):
        if not s.line or any(re.search(r"[^\s\-=*_]", line) for _, line in s.body):
            continue
        nxt = secs[i + 1] if i + 1 < len(secs) else None
        if nxt is None or nxt.level <= s.level:
            flags.append(Flag("missing", s.line, lines[s.line - 1].strip(),
                              f"section '{s.title or s.number}' is empty", "warning"))  # fmt: skip
    if kind in (None, "weekly", "daily"):
        flags += _one_liners_without_result(lines, secs)
    return MetricResult("missing_fields", float(len(flags)), flags)


def _following_text(section: doc.Section, number: int) -> str:
    """Text after a field line inside its section, up to the next field."""
    out = []
    for n, line in section.body:
        if n <= number:
            continue
        if _FIELD.match(line) and not re.match(r"^\s*[-*+]\s", line):
            break
        out.append(line.strip())
    return " ".join(x for x in out if x)


def _one_liners_without_result(lines: list[str], secs: list[doc.Section]) -> list[Flag]:
    flags = []
    in_brief = False
    for s in secs:
        if s.level and s.level <= 2:
            in_brief = bool(
                re.search(r"简报|一句话|摘要速览|TL;?DR|Briefs?|Highlights", s.title, re.I)
            )
            continue
        if not in_brief or not s.number:
            continue
        body = [(n, line.strip()) for n, line in s.body if line.strip() and not _FIELD.match(line)]
        if len(body) == 1 and not has_result(body[0][1]):
            n, line = body[0]
            flags.append(Flag("missing", n, excerpt(line),
                              f"the one-line brief of paper {s.number} states no result (达成了<效果>)"))  # fmt: skip
    return flags


# --- language ---------------------------------------------------------------------------
TRADITIONAL_ONLY = frozenset(
    "們這個來為說會時對於與從後發現經過還當點問題開關實際應並種體資訊數據條處學習"
    "語論報導讓較長優區間無記憶網絡參確認層華東萬億壓縮餾構訓練錄傳統標準節頁雙單類義專業"
    "產變讀寫陣態邊緣設備軟顯規則結實驗證據頻運遞輸測試項範圍擴稱積極線軌跡權復雜"
)


def language(text: str) -> MetricResult:
    """Share of Chinese among letters (outside code and links); Traditional-only characters
    in a Simplified brief are flagged (warning) with a sample."""
    lines = _lines(text)
    code = doc.code_lines(lines)
    cjk = latin = 0
    trad: Counter[str] = Counter()
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if number in code:
            continue
        line = re.sub(r"\]\([^)]*\)|https?://\S+", "", line)
        for ch in line:
            if "\u4e00" <= ch <= "\u9fff":
                cjk += 1
                if ch in TRADITIONAL_ONLY:
                    trad[ch] += 1
                    first_line.setdefault(ch, number)
            elif ch.isascii() and ch.isalpha():
                latin += 1
    share = cjk / (cjk + latin) if cjk + latin else None
    flags = []
    if trad and sum(trad.values()) >= 2 and cjk and sum(trad.values()) / cjk > 0.002:
        sample = "".join(ch for ch, _ in trad.most_common(8))
        line = min(first_line.values())
        flags.append(Flag("language", line, excerpt(lines[line - 1]),
                          f"{sum(trad.values())} Traditional-only characters ({sample}) in a Simplified Chinese brief",
                          "warning"))  # fmt: skip
    return MetricResult("chinese_share", share, flags)


# --- mojibake ---------------------------------------------------------------------------
def mojibake(text: str) -> MetricResult:
    """Share of lines damaged by UTF-8 read as cp1252; one flag with the count and a sample
    repaired line (evals.doc.repair_text gives the whole repaired text)."""
    lines = _lines(text)
    bad = [(n, line) for n, line in enumerate(lines, start=1) if doc.is_mojibake(line)]
    if not bad:
        return MetricResult("mojibake", 0.0, [])
    exact = [(n, r) for n, line in bad[:200] if (r := doc.repair_exact(line)) is not None]
    sample_line, sample = max(exact, key=lambda item: _cjk_count(item[1])) if exact else (
        bad[0][0], doc.repair_line(bad[0][1]))  # fmt: skip
    reason = (f"encoding damage (UTF-8 read as cp1252) on {len(bad)} of {len(lines)} lines, "
              f"lines {bad[0][0]}-{bad[-1][0]}; repaired line {sample_line}: "
              f"{excerpt(sample, width=60)}"
              + ("" if len(exact) == len(bad) else " (lost bytes: other lines are only partly repairable)"))  # fmt: skip
    return MetricResult(
        "mojibake", len(bad) / len(lines), [Flag("mojibake", bad[0][0], excerpt(bad[0][1]), reason)]
    )


def _cjk_count(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


# --- ratings ----------------------------------------------------------------------------
_RATING_CELL = re.compile(r"^(?:[⭐★☆]\ufe0f?){1,5}$|^(?:🔥){1,5}$")
_RATING_RUN = re.compile(r"(?:[⭐★]\ufe0f?){2,}|(?:🔥){2,}")
_BASIS = re.compile(
    r"(?:评分|评级|星级|打分|分级|成熟度|热度|⭐|🔥|★)[^\n]{0,20}?(?:依据|标准|说明|根据|基于|计算|按|=|＝|表示|代表)"
    r"|(?i:rating[s]? (?:are |is )?(?:based on|computed|counted|from)|based on \d+ papers|number of papers)"
    r"|(?:依据|根据|基于)[^\n]{0,30}(?:篇|论文数|数量|计数|引用|统计)"
)


def unsupported_ratings(text: str) -> MetricResult:
    """⭐/🔥 ratings (table cells or runs) in a document that never says what they are based on."""
    lines = _lines(text)
    code = doc.code_lines(lines)
    if _BASIS.search("\n".join(line for n, line in enumerate(lines, 1) if n not in code)):
        return MetricResult("unsupported_ratings", 0.0, [])
    flags = []
    table_lines: set[int] = set()
    for _header_line, header, rows in doc.tables(lines, code):
        for row_line, cells in rows:
            rated = [
                (header[i] if i < len(header) else f"column {i + 1}", cell)
                for i, cell in enumerate(cells) if _RATING_CELL.match(cell.replace(" ", ""))
            ]  # fmt: skip
            if rated:
                table_lines.add(row_line)
                what = ", ".join(f"{col} {cell}" for col, cell in rated)
                flags.append(Flag("rating", row_line, excerpt(lines[row_line - 1]),
                                  f"rating ({what}) with no stated basis; say what it counts"))  # fmt: skip
    for number, line in enumerate(lines, start=1):
        if number in code or number in table_lines or line.lstrip().startswith("|"):
            continue
        m = _RATING_RUN.search(line)
        if m:
            flags.append(Flag("rating", number, excerpt(line, m.group(0)),
                              f"rating {m.group(0)} with no stated basis; say what it counts"))  # fmt: skip
    return MetricResult("unsupported_ratings", float(len(flags)), flags)


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
    precisions, recalls = [], []
    for k in range(1, n + 1):
        h = Counter(hyp[i : i + k] for i in range(len(hyp) - k + 1))
        r = Counter(ref[i : i + k] for i in range(len(ref) - k + 1))
        if not h or not r:
            continue
        overlap = sum((h & r).values())
        precisions.append(overlap / sum(h.values()))
        recalls.append(overlap / sum(r.values()))
    if not precisions:
        return 0.0
    p, r = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    if p + r == 0:
        return 0.0
    return (1 + beta**2) * p * r / (beta**2 * p + r)


def coverage(text: str, gold: dict[str, Any]) -> dict[str, float | None]:
    """number_recall, must_cite_recall and chrF of `text` against a gold record
    (`numbers`: list of written numbers, `must_cite`: arXiv ids, `reference`: text)."""
    return {
        "number_recall": number_recall(text, gold.get("numbers") or []),
        "must_cite_recall": must_cite_recall(text, gold.get("must_cite") or []),
        "chrf": chrf(text, gold["reference"]) if gold.get("reference") else None,
    }
