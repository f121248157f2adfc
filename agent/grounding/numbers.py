"""Numbers in English and Chinese text, normalised to comparable values.

`extract_numbers` finds the numbers a sentence claims (92.87%, 4.95×, 4.95倍, 70亿, 7B,
1.2万亿, 两倍, 百分之八十, 3.5万, 35k, 1,024, 2^10, 10^{22}, ranges such as 2-4×, negative
numbers, "5 个百分点") and skips those that are not claims: arXiv ids, dates and years, URLs,
citation markers [12], section/table/figure numbers, list numbering, relative dates, and
numbers inside names (Llama-2-7B, ImageNet-1K, ModelNet40, F1). Those are checked as names
instead: `ungrounded_names` finds names and identifiers with digits (InfLLM-V2, Llama-3.1,
GPT-4, V2) that the evidence does not spell the same way.

A claimed number is grounded by an evidence number when rounding the evidence to the claim's
shown precision gives the claim (93% is grounded by 92.87%, 93.1% is not), in compatible kinds:
a percentage is not a percentage-point difference, and a multiplier is not a percentage.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal["plain", "percent", "pp", "times"]

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_SCALES = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "亿": 1e8, "千万": 1e7,
              "百万": 1e6, "十万": 1e5, "万": 1e4}  # fmt: skip
_EN_SCALES = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12, "thousand": 1e3,
              "million": 1e6, "billion": 1e9, "trillion": 1e12}  # fmt: skip
_EN_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
             "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
             "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
             "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
             "first": 1, "second": 2, "third": 3, "half": 50}  # fmt: skip

_ZH_NUM = "零〇一二两三四五六七八九十百千"
_NUMBER = re.compile(
    r"""
    (?P<sign>(?<![A-Za-z0-9.%)\]×_])[-−–](?=\d))?
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
    (?:
        \s*[×xX*·]\s*10\s*(?:\^\s*\{?\s*(?P<exp10>[-−]?\d+)\s*\}?  # 3.2×10^22
                            |(?P<exp10m>[-−–]\s?\d{1,3})(?![\d.])        # 2.5 × 10−6 (PDF text)
                            |(?P<exp10s>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))             # 2.5×10⁻⁶
      | \s*\^\s*\{?\s*(?P<pow>[-−]?\d+)\s*\}?                    # 2^10, 10^{22}
      | (?P<sup>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)                              # 10⁻⁶, 2¹⁰
      | [eE](?P<exp>[-+]?\d+)(?![A-Za-z])                        # 1e-4
    )?
    (?:
        \s*(?P<zhscale>万亿|千亿|百亿|十亿|亿|千万|百万|十万|万)
      | \s?(?P<enscale>thousand|million|billion|trillion)\b
      | (?P<scale>[kKMBT])(?![A-Za-z])
    )?
    (?:
        \s*(?P<pct>%|％|\s?percent\b|\s?per\s?cent\b)
      | \s*(?P<pp>个百分点|百分点|pp\b|p\.p\.|\s?percentage\s+points?\b|\s?points?\b|\s?pts?\b)
      | \s*(?P<times>×|倍|(?:x|X)(?![A-Za-z0-9])|\s?times\b|-?fold\b)
      | (?P<unit>[A-Za-z]{1,6})(?![A-Za-z0-9])
      | \s(?P<unit2>ms|μs|us|ns|s|sec|min|h|hrs?|[KMGT]i?B|W|kW|[GM]Hz|T?FLOPs?|mIoU)(?![\w])
    )?
    """,
    re.VERBOSE,
)
_ZH_NUMBER = re.compile(
    rf"百分之(?P<zhpct>[{_ZH_NUM}点\d.]+)"
    rf"|(?P<zhn>[{_ZH_NUM}]+)(?P<zhunit>倍|个百分点|万亿|亿|万)"
)
_EN_WORD = re.compile(
    r"\b(?P<word>" + "|".join(_EN_WORDS) + r")(?:[- ](?P<word2>one|two|three|four|five|six|"
    r"seven|eight|nine))?(?P<fold>[- ]fold|\s+times)?\b|\b(?P<twice>twice|thrice)\b",
    re.IGNORECASE,
)
_TWICE = re.compile(r"\b(?P<twice>twice|thrice)\b", re.IGNORECASE)

# Spans whose digits are not claims.
_SKIP_PATTERNS = [
    re.compile(
        r"https?://\S+|\]\([^)\s]*\)?|www\.\S+|\b[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}/\S*"
    ),  # links
    re.compile(
        r"(?i)\barxiv\s*:\s*\S+|\b\d{4}\.\d{4,5}(?:v\d+)?\b|\b[a-z\-]+(?:\.[A-Z]{2})?/\d{7}\b"
    ),
    re.compile(r"\[\s*\d+(?:\s*[,，–\-]\s*\d+)*\s*\]"),  # citation markers [12], [1, 2]
    re.compile(r"\b(?:1[89]|20)\d{2}\s*[-/.]\s*\d{1,2}(?:\s*[-/.]\s*\d{1,2})?\b"),  # 2026-02-23
    re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b"),  # times of day
    re.compile(
        r"(?:1[89]|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|\d{1,2}\s*月\s*\d{1,2}\s*日"
    ),
    re.compile(
        r"\d+\s*(?:天|周|星期|个月|月|年|小时|分钟)前|\b\d+\s+(?:days?|weeks?|months?|years?|hours?)\s+ago\b"
    ),
    re.compile(
        r"(?i)\b(?:section|sec\.|table|tab\.|figure|fig\.|eq\.|equation|appendix|algorithm|alg\.|"
        r"chapter|theorem|lemma|corollary|definition|step|line|page|p\.|pp\.)\s*\(?\d+(?:\.\d+)*[a-z]?\)?"
    ),
    re.compile(r"§\s*\d+(?:\.\d+)*|第\s*\d+\s*[章节页步部分]|[图表式]\s*\d+"),
    re.compile(r"(?m)^\s*(?:[-*+]\s+)?\d{1,3}(?:\.\d{1,3})*[.)、](?=\s)"),  # list numbering
    re.compile(r"(?m)^\s*#+\s*\d{1,3}(?:\.\d{1,3})*[.)、]?(?=\s)"),  # heading numbering
    re.compile(r"(?m)^\s*(?:#+\s*)?\d{1,3}[.)、](?=[^\s\d])"),  # "1.标题"
    re.compile(r"(?i)\bO\([^)]*\)"),  # complexity O(n^2)
    re.compile(r"[(（]\d{1,2}[)）]|(?<![\w.])\d{1,2}\)(?=\s)"),  # inline enumeration (1), 1)
    _VERSION := re.compile(r"\b[vV]\d+(?:\.\d+)*\b"),  # versions
    re.compile(r"(?i)\bsha256:[0-9a-f]{4,64}\b|\b[0-9a-f]{16,64}\b"),  # store keys, hashes
]
_YEAR_CONTEXT = re.compile(
    r"(?:\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
    r"|\b[A-Z][A-Za-z]*[A-Z][A-Za-z]*|\b(?:[Ii]n|[Ss]ince|[Uu]ntil|et al\.,?))\s*$"
)


@dataclass(frozen=True)
class Num:
    """One number as written, with its comparable value.

    `shown` is the number in its own unit (92.87 for 92.87%, 7e9 for 7B, 4.95 for 4.95×);
    `value` is the normalised value (0.9287 for 92.87%); `decimals` the shown precision.
    """

    raw: str
    shown: float
    kind: Kind = "plain"
    decimals: int = 0
    scale: float = 1.0
    unit: str = ""
    start: int = 0
    end: int = 0

    def __str__(self) -> str:
        return self.raw

    @property
    def value(self) -> float:
        return self.shown / 100.0 if self.kind == "percent" else self.shown

    @property
    def tolerance(self) -> float:
        """Half a unit of the last shown digit, in the unit of `shown`."""
        return 0.5 * 10.0 ** (-self.decimals) * self.scale


def zh_to_number(text: str) -> float | None:
    """Chinese numerals ('两', '十五', '三千二百', '八十', '3.5', '五点五') to a number."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    if "点" in text:
        whole, _, frac = text.partition("点")
        head = zh_to_number(whole) if whole else 0.0
        digits = "".join(str(_ZH_DIGITS[c]) for c in frac if c in _ZH_DIGITS)
        if head is None or len(digits) != len(frac):
            return None
        return head + (float("0." + digits) if digits else 0.0)
    total, current = 0, 0
    for ch in text:
        if ch in _ZH_DIGITS:
            current = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            total += (current or 1) * _ZH_UNITS[ch]
            current = 0
        else:
            return None
    return float(total + current)


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")


def _superscript(text: str) -> int:
    return int(text.translate(_SUPERSCRIPTS))


def _decimals(num: str) -> int:
    """Digits shown after the decimal point ('.' or Chinese '点')."""
    for point in (".", "点"):
        if point in num:
            return len(num.split(point, 1)[1])
    return 0


def _skip_spans(
    text: str, patterns: Sequence[re.Pattern[str]] = _SKIP_PATTERNS
) -> list[tuple[int, int]]:
    """Disjoint, sorted spans whose digits are not claims."""
    spans = sorted(m.span() for pattern in patterns for m in pattern.finditer(text))
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _in_spans(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether `pos` falls in one of the disjoint sorted `spans`."""
    i = bisect_right(spans, (pos, math.inf)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _in_name(text: str, start: int) -> bool:
    """Whether the digits at `start` are part of a name such as Llama-2-7B or ModelNet40."""
    i = start
    while i > 0 and (text[i - 1].isascii() and (text[i - 1].isalnum() or text[i - 1] in "-_.'")):
        i -= 1
    token = text[i:start]
    return bool(token) and token[0].isalpha()


def _is_year(text: str, m: re.Match[str]) -> bool:
    num = m.group("num")
    if m.group("sign") or not re.fullmatch(r"(?:1[89]|20)\d{2}", num):
        return False
    if any(m.group(g) for g in ("pct", "pp", "times", "unit", "scale", "zhscale", "enscale")):
        return False
    before = text[max(0, m.start() - 24) : m.start()]
    after = text[m.end() : m.end() + 3]
    if after[:1] in (")", "）", "]") or before.endswith(("(", "（", "[")):
        return True
    return bool(_YEAR_CONTEXT.search(before)) or after.lstrip().startswith(("年", "—", "–"))


def _num_from_match(text: str, m: re.Match[str]) -> Num | None:
    num = m.group("num")
    mantissa = float(num.replace(",", ""))
    decimals = _decimals(num)
    scale = 1.0
    if m.group("exp10") or m.group("exp10m"):
        exponent = (m.group("exp10") or m.group("exp10m")).replace(" ", "")
        scale = 10.0 ** int(exponent.replace("−", "-").replace("–", "-"))
    elif m.group("exp10s"):
        scale = 10.0 ** _superscript(m.group("exp10s"))
    elif m.group("sup"):
        power = _superscript(m.group("sup"))
        if mantissa == 0 or abs(power) > 300:
            return None
        mantissa, decimals = mantissa**power, 0
    elif m.group("pow"):
        power = int(m.group("pow").replace("−", "-"))
        if abs(power) > 300 or mantissa == 0:
            return None
        mantissa, decimals = mantissa**power, 0
        if not math.isfinite(mantissa):
            return None
    elif m.group("exp"):
        scale = 10.0 ** int(m.group("exp"))
    if m.group("zhscale"):
        scale *= _ZH_SCALES[m.group("zhscale")]
    elif m.group("enscale"):
        scale *= _EN_SCALES[m.group("enscale")]
    elif m.group("scale"):
        scale *= _EN_SCALES[m.group("scale")]
    kind: Kind = "plain"
    unit = ""
    if m.group("pct"):
        kind = "percent"
    elif m.group("pp"):
        kind = "pp"
    elif m.group("times"):
        kind = "times"
    elif m.group("unit") or m.group("unit2"):
        unit = m.group("unit") or m.group("unit2")
        if unit in ("D", "d"):  # 2D, 3D: dimensionality, not a claim
            return None
    sign = -1.0 if m.group("sign") else 1.0
    raw = text[m.start() : m.end()].strip()
    return Num(raw, sign * mantissa * scale, kind, decimals, scale, unit, m.start(), m.end())


def _zh_from_match(text: str, m: re.Match[str]) -> Num | None:
    raw = text[m.start() : m.end()]
    if m.group("zhpct") is not None:
        value = zh_to_number(m.group("zhpct"))
        if value is None:
            return None
        return Num(raw, value, "percent", _decimals(m.group("zhpct")), 1.0, "", m.start(), m.end())
    value = zh_to_number(m.group("zhn"))
    if value is None:
        return None
    unit = m.group("zhunit")
    if unit == "倍":
        return Num(raw, value, "times", 0, 1.0, "", m.start(), m.end())
    if unit == "个百分点":
        return Num(raw, value, "pp", 0, 1.0, "", m.start(), m.end())
    scale = _ZH_SCALES[unit]
    return Num(raw, value * scale, "plain", 0, scale, "", m.start(), m.end())


def _with_range_units(text: str, nums: list[Num]) -> list[Num]:
    """In '2-4×' and '39% 至 78%' the first number takes the unit of the second."""
    out = list(nums)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        gap = text[a.end : b.start]
        if not re.fullmatch(r"\s*(?:-|–|—|~|～|至|到|to)\s*", gap):
            continue
        if (
            a.kind == "plain"
            and a.scale == 1.0
            and not a.unit
            and (b.kind != "plain" or b.scale != 1)
        ):
            shown = a.shown * b.scale
            suffix = re.sub(r"^[-−–]?[\d.,]+\s*", "", b.raw)  # '%' of '0.3%', '×' of '4×'
            out[i] = Num(a.raw + suffix, shown, b.kind, a.decimals, b.scale, b.unit, a.start, a.end)
    return out


def extract_numbers(text: str, *, words: bool = False) -> list[Num]:
    """The numbers `text` claims, in order. `words=True` also reads 'four', 'twice' (evidence)."""
    if not text:
        return []
    spans = _skip_spans(text)
    found: list[Num] = []
    taken: list[tuple[int, int]] = []
    for m in _ZH_NUMBER.finditer(text):
        if _in_spans(m.start(), spans):
            continue
        num = _zh_from_match(text, m)
        if num is not None:
            found.append(num)
            taken.append(m.span())
    for m in _NUMBER.finditer(text):
        start = m.start("num") - (1 if m.group("sign") else 0)
        if _in_spans(m.start("num"), spans) or _in_spans(m.start("num"), taken):
            continue
        if _in_name(text, start) or _is_year(text, m):
            continue
        num = _num_from_match(text, m)
        if num is not None:
            found.append(num)
    for m in (_EN_WORD if words else _TWICE).finditer(text):
        if _in_spans(m.start(), spans):
            continue
        if m.group("twice"):
            value = 2.0 if m.group("twice").lower() == "twice" else 3.0
            found.append(Num(m.group(0), value, "times", 0, 1.0, "", m.start(), m.end()))
            continue
        value = _EN_WORDS[m.group("word").lower()]
        if m.group("word2"):
            value += _EN_WORDS[m.group("word2").lower()]
        kind: Kind = "times" if m.group("fold") else "plain"
        if m.group("word").lower() == "half":
            kind, value = "percent", 50
        found.append(Num(m.group(0), float(value), kind, 0, 1.0, "word", m.start(), m.end()))
    found.sort(key=lambda n: n.start)
    return _with_range_units(text, found)


find_numbers = extract_numbers


def _close(claim: float, evidence: float, tol: float, evidence_tol: float) -> bool:
    eps = 1e-9 * max(1.0, abs(claim), abs(evidence))
    diff = abs(abs(claim) - abs(evidence))
    if diff <= eps:
        return True
    # Rounding the evidence to the claim's precision must give the claim; a claim more
    # precise than its evidence invents digits.
    return diff <= tol + eps and evidence_tol <= tol + eps


def _percent_like(n: Num) -> bool:
    """Whether a bare number may be a percentage printed without '%' (tables drop it): not a
    small integer (PLaMo 2) and not a fraction such as an F1 of 0.8707."""
    if n.unit == "word" or n.unit:
        return False
    if n.decimals == 0:
        return abs(n.shown) >= 10
    return not (abs(n.shown) < 1 and n.decimals >= 2)


def _matches(c: Num, e: Num) -> bool:
    if c.unit and e.unit and "word" not in (c.unit, e.unit) and c.unit.lower() != e.unit.lower():
        return False  # 40GB is not 40ms
    if c.kind == "pp":
        return e.kind in ("pp", "plain") and _close(c.shown, e.shown, c.tolerance, e.tolerance)
    if c.kind == "percent":
        if e.kind == "percent":
            return _close(c.shown, e.shown, c.tolerance, e.tolerance)
        if e.kind == "plain" and e.unit != "word":  # "two" never grounds "2%"
            same = _percent_like(e) and _close(c.shown, e.shown, c.tolerance, e.tolerance)
            return same or _close(c.shown, e.shown * 100, c.tolerance, e.tolerance * 100)
        return False
    if c.kind == "times":
        return e.kind in ("times", "plain") and _close(c.shown, e.shown, c.tolerance, e.tolerance)
    # plain claim
    if e.kind == "percent":
        same = _percent_like(c) and _close(c.shown, e.shown, c.tolerance, e.tolerance)
        return same or _close(c.shown * 100, e.shown, c.tolerance * 100, e.tolerance)
    return _close(c.shown, e.shown, c.tolerance, e.tolerance)


def _evidence_numbers(evidence: str | Iterable[str] | Sequence[Num]) -> list[Num]:
    if isinstance(evidence, str):
        return extract_numbers(evidence, words=True)
    items = list(evidence)
    if all(isinstance(x, Num) for x in items):
        return items  # type: ignore[return-value]
    return extract_numbers("\n".join(str(x) for x in items), words=True)


def number_grounded(num: Num, evidence: str | Iterable[str] | Sequence[Num]) -> bool:
    """Whether some number in `evidence` grounds `num` (same kind family, shown precision)."""
    return any(_matches(num, e) for e in _evidence_numbers(evidence))


def ungrounded_numbers(sentence: str, evidence: str | Iterable[str]) -> list[Num]:
    """Numbers of `sentence` that no number in `evidence` grounds (first occurrence of each)."""
    ev = _evidence_numbers(evidence)
    out: list[Num] = []
    seen: set[str] = set()
    for num in extract_numbers(sentence):
        if num.raw in seen:
            continue
        seen.add(num.raw)
        if not any(_matches(num, e) for e in ev):
            out.append(num)
    return out


# A name or identifier with digits: starts with a letter, parts joined by '-', '.' or '_'
# (each separator must be followed by a letter or digit, so matching stays linear).
_NAME = re.compile(r"(?<![A-Za-z0-9_.-])[A-Za-z][A-Za-z0-9+]*(?:[-_.][A-Za-z0-9+]+)*")


def _name_key(text: str) -> str:
    """'Llama-3.1' / 'LLaMA 3.1' / 'llama_3.1' -> 'llama3.1' (case and joiners ignored)."""
    return re.sub(r"[\s_\-‐‑–]+", "", text.casefold())


def name_tokens(text: str) -> list[str]:
    """Names and identifiers with digits in `text` (InfLLM-V2, Llama-3.1, GPT-4, V2), in
    order, once each; not arXiv ids or URLs."""
    if not text:
        return []
    spans = _skip_spans(text, [p for p in _SKIP_PATTERNS if p is not _VERSION])
    out: list[str] = []
    for m in _NAME.finditer(text):
        token = m.group(0)
        if not any(c.isdigit() for c in token) or token in out:
            continue
        if _in_spans(m.start(), spans):
            continue  # links, arXiv ids, dates (a bare version such as V2 is still a name)
        out.append(token)
    return out


def ungrounded_names(sentence: str, evidence: str | Iterable[str]) -> list[str]:
    """Names with digits in `sentence` that `evidence` does not contain (case, spaces and
    hyphens ignored): 'InfLLM-V3.74' is not grounded by a quote naming InfLLM-V2."""
    text = evidence if isinstance(evidence, str) else "\n".join(evidence)
    haystack = _name_key(text)
    return [t for t in name_tokens(sentence) if _name_key(t) not in haystack]


def parse_number(text: str) -> Num | None:
    """The first number in `text` (numbers as written, e.g. '4.95×', '70亿', '5 pp')."""
    nums = extract_numbers(text, words=True)
    return nums[0] if nums else None


def same_number(claim: str, evidence: str) -> bool:
    """Whether the written number `evidence` grounds the written number `claim`."""
    c, e = parse_number(claim), parse_number(evidence)
    return c is not None and e is not None and _matches(c, e)
