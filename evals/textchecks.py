"""Text checks of a briefing: format per kind, placeholders, missing fields, language,
mojibake and unexplained ratings. Pure functions; each returns a MetricResult with flags."""

from __future__ import annotations

import re
from collections import Counter

from agent.grounding.numbers import extract_numbers
from evals import doc
from evals.flags import Flag, MetricResult, excerpt
from evals.flags import lines_of as _lines
from evals.formats import get_format


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
            labels = field_values(s)
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


FIELD = re.compile(
    r"^\s*(?:[-*]\s*)?\*\*(?:[^\w*]*\s*)?(?P<name>[^*:：]+?)\s*[:：]?\s*\*\*\s*[:：]?\s*(?P<value>.*)$"
)


def field_values(section: doc.Section) -> dict[str, tuple[int, str]]:
    """`**名称**: value` fields of a section: name -> (line, value)."""
    out: dict[str, tuple[int, str]] = {}
    for number, line in section.body:
        m = FIELD.match(line)
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
        for name, (number, value) in field_values(s).items():
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
        after = secs[i + 1] if i + 1 < len(secs) else None
        if after is None or after.level <= s.level:
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
        if FIELD.match(line) and not re.match(r"^\s*[-*+]\s", line):
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
        body = [(n, line.strip()) for n, line in s.body if line.strip() and not FIELD.match(line)]
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


# a link's target or a URL; a target stops at '(' or ']', so that a line of unclosed '[a]('
# is scanned once, not once per opening (quadratic)
LINK_TARGET = re.compile(r"\]\([^()\]\n]*\)|https?://\S+")


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
        line = LINK_TARGET.sub("", line)
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
        first = min(first_line.values())
        flags.append(Flag("language", first, excerpt(lines[first - 1]),
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
