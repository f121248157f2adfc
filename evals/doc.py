"""Reading a briefing as a document: front matter, report date, sections, tables, code fences,
and repairing mojibake line by line (so line numbers stay those of the file)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*\s*$")
_NUMBERING = re.compile(r"^(\d+(?:\.\d+)*)[.)、]?\s*")
_DATE = re.compile(r"((?:19|20)\d{2})[-/.年]\s*(\d{1,2})(?:[-/.月]\s*(\d{1,2}))?")


@dataclass
class Section:
    """A heading and the lines under it (up to the next heading of any level)."""

    level: int
    title: str  # heading text without numbering and emoji
    number: str  # "8" for "### 8. Title", "" when none
    line: int  # 1-based line of the heading
    end: int  # last line of the body (inclusive)
    body: list[tuple[int, str]] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Identity of the paper/topic this section is about, for pairing sections."""
        k = title_key(self.title)
        return k if k else (f"#{self.level}:{self.number}" if self.number else "")


def title_key(title: str) -> str:
    """Case-folded title with everything but letters and digits removed."""
    title = unicodedata.normalize("NFKC", title).casefold()
    return "".join(ch for ch in title if ch.isalnum())


def strip_decoration(text: str) -> str:
    """Heading text without emoji/symbols at the ends and without markdown emphasis."""
    text = text.replace("**", "").strip()
    text = re.sub(r"^[^\w\[(（《\"“]+", "", text)
    return text.strip()


def front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """`key: value` pairs of a leading `---` block and the number of lines it spans (0: none)."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    meta: dict[str, str] = {}
    for i in range(1, min(len(lines), 200)):
        line = lines[i]
        if line.strip() == "---":
            return meta, i + 1
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        if m:
            meta[m.group(1).lower()] = m.group(2).strip().strip("\"'")
    return {}, 0


def parse_date(text: str) -> date | None:
    """The first date written in `text` (2026-02-23, 2026/02/23, 2026年2月23日); day 1 if absent."""
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        return None


def report_date(lines: list[str]) -> tuple[date | None, int]:
    """The report's date and its line: front-matter `date:`, else a 生成时间/日期/Date line."""
    meta, n = front_matter(lines)
    if "date" in meta:
        for i in range(n):
            if re.match(r"^date\s*:", lines[i]):
                return parse_date(meta["date"]), i + 1
    for i, line in enumerate(lines[:30]):
        if re.match(r"^\s*(?:\*\*)?(?:生成时间|生成日期|日期|报告日期|Date|Generated)", line):
            found = parse_date(line)
            if found:
                return found, i + 1
    return None, 0


def code_lines(lines: list[str]) -> set[int]:
    """1-based numbers of lines inside ``` fences (fence lines included)."""
    inside, out = False, set()
    for i, line in enumerate(lines, start=1):
        if line.lstrip().startswith("```"):
            out.add(i)
            inside = not inside
        elif inside:
            out.add(i)
    return out


def sections(lines: list[str], skip: set[int] | None = None) -> list[Section]:
    """Headings (outside code) with their bodies; text before the first heading is level 0."""
    skip = skip or set()
    out = [Section(0, "", "", 0, 0)]
    for i, line in enumerate(lines, start=1):
        m = _HEADING.match(line) if i not in skip else None
        if m:
            out[-1].end = i - 1
            text = strip_decoration(m.group(2))
            num = _NUMBERING.match(text)
            number = num.group(1) if num else ""
            title = text[num.end() :].strip() if num else text
            out.append(Section(len(m.group(1)), title, number, i, i))
        else:
            out[-1].body.append((i, line))
    out[-1].end = len(lines)
    return out


def split_row(line: str) -> list[str]:
    """Cells of a Markdown table row."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return [cell.strip() for cell in body.split("|")]


def tables(
    lines: list[str], skip: set[int] | None = None
) -> list[tuple[int, list[str], list[tuple[int, list[str]]]]]:
    """Markdown tables: (header line, header cells, [(row line, cells)])."""
    skip = skip or set()
    out = []
    i = 0
    while i < len(lines) - 1:
        line, nxt = lines[i], lines[i + 1]
        if (
            i + 1 not in skip
            and line.strip().startswith("|")
            and re.match(r"^\s*\|?\s*:?-{2,}", nxt)
        ):
            header = split_row(line)
            rows = []
            j = i + 2
            while j < len(lines) and lines[j].strip().startswith("|"):
                rows.append((j + 1, split_row(lines[j])))
                j += 1
            out.append((i + 1, header, rows))
            i = j
        else:
            i += 1
    return out


# --- mojibake ------------------------------------------------------------------------------
_MOJIBAKE = re.compile(
    r"[ÃÂâåäæçèéïðğ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    r"\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_REVERSE = {}
for _b in range(256):
    try:
        _REVERSE[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        _REVERSE[chr(_b)] = _b  # undefined in cp1252: kept as the C1 control
for _ch, _b in {"ğ": 0xF0, "Ğ": 0xD0, "ş": 0xFE, "Ş": 0xDE, "ı": 0xFD, "İ": 0xDD}.items():
    _REVERSE.setdefault(_ch, _b)
_LOST = (0xAD, 0xA0, 0x81, 0x8D, 0x8F, 0x90, 0x9D)


_STRONG = re.compile(r"â€|Ã[\u0080-\u00bf]|Â[\u0080-\u00bf]|ðŸ|ï¼|ã€")


def mojibake_score(line: str) -> int:
    """How many UTF-8-read-as-cp1252 sequences the line holds."""
    return len(_MOJIBAKE.findall(line))


def is_mojibake(line: str) -> bool:
    """Whether a line is damaged: two suspicious sequences, or one unmistakable one ("â€",
    "Ã©"); a lone "é—" in French or German text is not enough."""
    return mojibake_score(line) >= 2 or bool(_STRONG.search(line))


def _char_rank(ch: str) -> int:
    cp = ord(ch)
    if 0x4E00 <= cp <= 0x9FFF or 0x3000 <= cp <= 0x303F or 0xFF00 <= cp <= 0xFFEF:
        try:
            code = ch.encode("gb2312")  # simplified characters; level 1 holds the common 3,755
        except UnicodeEncodeError:
            return 3
        return 5 if 0xB0 <= code[0] <= 0xD7 else 4
    if 0x1F300 <= cp <= 0x1FAFF or cp in (0x2B50, 0x2705, 0x274C, 0x2192, 0x2193, 0x2014, 0x2026):
        return 2
    if unicodedata.category(ch)[0] in "LNPS" and cp > 0x7F:
        return 1
    return 0


def _utf8_len(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _decode_salvage(data: bytes) -> str:
    """UTF-8 decode that re-inserts bytes cp1252 could not carry (0x81, 0x8D, 0x8F, 0x90, 0x9D,
    soft hyphen, no-break space) where a sequence is short, keeping the likeliest character."""
    out: list[str] = []
    i = 0
    while i < len(data):
        b = data[i]
        n = _utf8_len(b)
        if b < 0x80 or n == 0:
            out.append(chr(b) if b < 0x80 else "\ufffd")
            i += 1
            continue
        best, best_rank, best_used = None, -1, 1
        tails: list[tuple[bytes, int]] = [(b"", 0)]  # (continuation bytes so far, bytes consumed)
        for _ in range(n - 1):
            grown = []
            for tail, used in tails:
                nxt = data[i + 1 + used] if i + 1 + used < len(data) else None
                if nxt is not None and 0x80 <= nxt <= 0xBF:
                    grown.append((tail + bytes([nxt]), used + 1))
                    continue
                grown += [(tail + bytes([lost]), used) for lost in _LOST]
                if nxt == 0x20:
                    grown.append((tail + b"\xa0", used + 1))
            tails = grown[:64]
        for tail, used in tails:
            try:
                ch = bytes([b]).__add__(tail).decode("utf-8")
            except UnicodeDecodeError:
                continue
            rank = _char_rank(ch) * 10 + used  # prefer likely characters, then fewer insertions
            if rank > best_rank:
                best, best_rank, best_used = ch, rank, used + 1
        if best is None or best_rank < 10:
            out.append("\ufffd")
            i += 1
        else:
            out.append(best)
            i += best_used
    return "".join(out)


def repair_exact(line: str) -> str | None:
    """ftfy's repair of a line when it leaves no damage (nothing had to be guessed), else None."""
    import ftfy

    fixed = ftfy.fix_text(line)
    return fixed if not is_mojibake(fixed) and mojibake_score(fixed) == 0 else None


def repair_line(line: str) -> str:
    """Repair one line of UTF-8-read-as-cp1252 text: ftfy when it can; else a salvage decode
    that guesses the bytes cp1252 lost (likeliest common character)."""
    import ftfy

    exact = repair_exact(line)
    if exact is not None:
        return exact
    fixed = ftfy.fix_text(line)
    data = bytearray()
    for ch in line:
        if ch in _REVERSE:
            data.append(_REVERSE[ch])
        else:
            data += ch.encode("utf-8")
    salvaged = _decode_salvage(bytes(data))
    bad = mojibake_score(salvaged) + salvaged.count("\ufffd")
    return salvaged if bad < mojibake_score(fixed) else fixed


def repair_text(text: str) -> str:
    """`repair_line` on every damaged line; other lines unchanged (line count preserved)."""
    return "\n".join(repair_line(line) if is_mojibake(line) else line for line in text.split("\n"))
