"""Section headings: from the outline (bookmarks) when there is one, else from the text.

Outline entries give reliable titles and pages but often lack numbering and back matter
(References, Acknowledgments, Appendix); each entry is therefore located on its page to get
the printed form ("1 Introduction", "3. Method") and its character offset, and unnumbered
back-matter headings found in the text are added. Without an outline, headings are lines
that look like headings (numbered or a known unnumbered heading word) and are set in a
heading font (bold or larger than body text), with top-level numbers in sequence.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from agent.sources.pdftext import LineInfo, TocEntry
from agent.sources.textclean import SOFT, clean_line

NUMBERED_RE = re.compile(
    r"^(?P<num>(?:\d{1,2}|[A-Z]|[IVX]{1,5})(?:\.\d{1,2}){0,3})(?P<dot>\.?)\s+"
    r"(?P<title>[A-Z\u4e00-\u9fff][^\n]{0,110})$"
)
KNOWN_UNNUMBERED = {
    "abstract", "acknowledgment", "acknowledgments", "acknowledgement", "acknowledgements",
    "references", "bibliography", "appendix", "appendices", "contents", "table of contents",
    "list of figures", "list of tables", "limitations", "impact statement", "broader impact",
    "broader impacts", "broader impact statement", "ethics statement", "ethical considerations",
    "checklist", "conclusion", "conclusions", "introduction", "related work",
    "reproducibility statement", "author contributions", "contributions", "references and notes",
    "supplementary material", "funding", "data availability",
}  # fmt: skip
# Alone on a line these are headings whatever their font.
STRONG_UNNUMBERED = {
    "acknowledgment", "acknowledgments", "acknowledgement", "acknowledgements",
    "references", "bibliography", "appendix", "appendices",
}  # fmt: skip
APPENDIX_RE = re.compile(
    r"^(?:appendix|supplementary material)\s+(?:[A-Z]|\d{1,2})\b[.:]?(?:\s+\S.{0,100})?$", re.I
)
_MAYBE_HEADING_RE = re.compile(
    r"^\s*(?:(?:\d{1,2}|[A-Z]|[IVX]{1,5})(?:\.\d{1,2}){0,3}\.?\s+\S"
    r"|[^\W\d_][^\W\d_ ]*(?: [^\W\d_]+){0,4}:?\s*$|(?i:appendix|supplementary material)\s+\w)"
)
_KEY_RE = re.compile(r"[\W_]+", re.UNICODE)
_NUM_PREFIX_RE = re.compile(
    r"^\s*(?:(?i:appendix|supplementary material)\s+)?"
    r"(?:(?:\d{1,2}|[A-Z])(?:\.\d{1,2}){0,3}\.?|[IVX]{1,4}\.)[\s:]+"
)


@dataclass(slots=True)
class Heading:
    """A heading found on page `page` (0-based) at `offset` in that page's cleaned text."""

    title: str
    level: int
    page: int
    line: int
    offset: int = 0


def might_be_heading(text: str) -> bool:
    """Cheap text test run before fonts are looked up: numbered, or a few words alone."""
    return len(text) <= 120 and bool(_MAYBE_HEADING_RE.match(text))


def key(text: str) -> str:
    """Comparison key: numbering removed, lower case, letters and digits only."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text.replace(SOFT, ""))
    return _KEY_RE.sub("", _NUM_PREFIX_RE.sub("", text).lower())


def _depth(num: str) -> int:
    return num.count(".") + 1


_ROMAN = {"I": 1, "V": 5, "X": 10}


def _roman(text: str) -> int:
    total = 0
    for i, c in enumerate(text):
        value = _ROMAN[c]
        total += -value if i + 1 < len(text) and _ROMAN[text[i + 1]] > value else value
    return total


def _ordinals(num: str) -> list[tuple[str, int]]:
    """What the first number of a heading can mean: arabic, roman (IEEE) or a letter."""
    first = num.split(".")[0]
    if first.isdigit():
        return [("n", int(first))]
    out = [("r", _roman(first))] if set(first) <= set(_ROMAN) else []
    if len(first) == 1:
        out.append(("a", ord(first) - ord("A") + 1))
    return out


def body_size(lines: list[list[LineInfo]]) -> float:
    """The font size that covers the most characters."""
    sizes: Counter[float] = Counter()
    for page in lines:
        for line in page:
            if line.size:
                sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def repeated_lines(lines: list[list[LineInfo]]) -> set[str]:
    """Lines printed on many pages (running headers and footers)."""
    counts: Counter[str] = Counter()
    for page in lines:
        counts.update({line.text.strip() for line in page if line.text.strip()})
    limit = max(3, len(lines) // 3)
    return {text for text, n in counts.items() if n >= limit}


def _heading_font(line: LineInfo, body: float) -> bool:
    if not body or not line.size:  # no font info (pypdf engine): text patterns only
        return True
    return line.bold or line.size >= body + 0.9


def candidates(
    lines: list[list[LineInfo]], body: float, unnumbered_only: bool = False
) -> list[tuple[Heading, LineInfo]]:
    """Every line that could be a heading, by text pattern and font (with
    `unnumbered_only`, only the known unnumbered ones: Abstract, References, Appendix ...).
    A line's `wanted` flag, when the extractor set it, is its `might_be_heading` verdict."""
    skip = repeated_lines(lines)
    out: list[tuple[Heading, LineInfo]] = []
    for pno, page in enumerate(lines):
        for lno, line in enumerate(page):
            if line.wanted is False:
                continue
            raw = line.text.strip()
            if not raw or (line.wanted is None and not might_be_heading(raw)) or raw in skip:
                continue
            if raw.lower().rstrip(":") in STRONG_UNNUMBERED:
                out.append((Heading(clean_line(raw).rstrip(":"), 0, pno, lno), line))
                continue
            if not _heading_font(line, body):
                continue
            text = clean_line(raw)
            low = text.lower().rstrip(":")
            if low in KNOWN_UNNUMBERED or APPENDIX_RE.match(text):
                out.append((Heading(text.rstrip(":"), 0, pno, lno), line))
                continue
            if unnumbered_only:
                continue
            m = NUMBERED_RE.match(text)
            if not m:
                continue
            title = m.group("title")
            words = title.split()
            if len(words) > 16 or re.search(r"\s\d+$", title) or title.endswith((".", ",", ";")):
                continue
            if sum(c.isalpha() for c in title) < 3 or re.search(r"[=<>≤≥∑]", title):
                continue
            if len(m.group("num")) == 1 and m.group("num").isalpha() and not line.size:
                continue  # "A ..." sentences are too common without font info
            out.append((Heading(text, _depth(m.group("num")), pno, lno), line))
    return out


def _merge_wrapped(heading: Heading, lines: list[list[LineInfo]], body: float) -> None:
    """Append the next line when a large heading wraps ("D Ablation on the Number" + "Samples")."""
    page = lines[heading.page]
    first = page[heading.line]
    if not body or first.size < body + 0.9 or heading.line + 1 >= len(page):
        return
    nxt = page[heading.line + 1]
    text = clean_line(nxt.text)
    if (
        text
        and abs(nxt.size - first.size) < 0.2
        and nxt.bold == first.bold
        and len(text) < 60
        and not NUMBERED_RE.match(text)
        and text.lower() not in KNOWN_UNNUMBERED
        and not text[0].isdigit()
    ):
        heading.title = f"{heading.title} {text}"


def from_text(lines: list[list[LineInfo]], body: float | None = None) -> list[Heading]:
    """Headings detected from text and fonts (no outline)."""
    body = body_size(lines) if body is None else body
    cands = candidates(lines, body)
    numbered = [
        ln.size
        for h, ln in cands
        if h.level == 1 and ln.size and (h.title[:1].isdigit() or h.title.startswith(("II", "IV")))
    ]
    top_sizes = numbered or [ln.size for h, ln in cands if h.level == 1 and ln.size]
    top = Counter(top_sizes).most_common(1)[0][0] if top_sizes else 0.0
    result: list[Heading] = []
    last = {"n": 0, "a": 0, "r": 0}
    for heading, line in cands:
        if heading.level == 0:  # unnumbered known heading
            strong = heading.title.lower() in STRONG_UNNUMBERED
            heading.level = (
                1 if (strong or not top or not line.size or line.size >= top - 0.3) else 2
            )
            if heading.level == 1 and line.size and line.size < body - 0.05:
                continue
            result.append(heading)
            continue
        if heading.level == 1:
            if top and line.size and abs(line.size - top) > 0.6:
                continue
            num = NUMBERED_RE.match(heading.title).group("num")  # type: ignore[union-attr]
            fits = [
                (kind, n)
                for kind, n in _ordinals(num)
                if last[kind] < n <= last[kind] + 2 and (kind == "n" or last[kind] or n == 1)
            ]
            if not fits:
                continue
            kind, n = fits[0]
            last[kind] = n
        elif top and line.size and line.size > top + 0.3:
            continue
        result.append(heading)
    for heading in result:
        if heading.level == 1:
            _merge_wrapped(heading, lines, body)
    return _drop_repeats(result)


def _drop_repeats(headings: list[Heading]) -> list[Heading]:
    """An unnumbered top-level heading seen again (a book's running header) is dropped."""
    seen: set[str] = set()
    out = []
    for h in headings:
        k = key(h.title)
        if h.level == 1 and not NUMBERED_RE.match(h.title):
            if k in seen:
                continue
            seen.add(k)
        out.append(h)
    return out


class _Keys:
    """Stripped text of each line (per page) and its comparison key (per line), computed
    once, on demand."""

    def __init__(self, lines: list[list[LineInfo]]) -> None:
        self.lines = lines
        self.pages: dict[int, list[str]] = {}
        self.keys: dict[tuple[int, int], str] = {}

    def page(self, pno: int) -> list[str]:
        if pno not in self.pages:
            self.pages[pno] = [line.text.strip() for line in self.lines[pno]]
        return self.pages[pno]

    def key(self, pno: int, lno: int, text: str) -> str:
        found = self.keys.get((pno, lno))
        if found is None:
            found = self.keys[(pno, lno)] = key(text) if len(text) <= 200 else ""
        return found


def _locate(
    entry: TocEntry, lines: list[list[LineInfo]], keys: _Keys
) -> tuple[int, int, str] | None:
    """Find the printed line of an outline entry near its page: (page, line, printed text)."""
    target = key(entry.title)
    if not target:
        return None
    start = entry.page if entry.page is not None else 0
    pages = [p for p in (start, start + 1, start - 1) if 0 <= p < len(lines)]
    # a line's key is no longer than the line: shorter lines cannot match; much longer
    # ones cannot either (numbering, spaces and punctuation are all a key drops)
    shortest, longest = 0.4 * len(target), 2 * len(target) + 16
    for pno in pages:
        page = lines[pno]
        for lno, text in enumerate(keys.page(pno)):
            if not shortest <= len(text) <= longest:
                continue
            k = keys.key(pno, lno, text)
            if not k:
                continue
            if k == target:
                return pno, lno, clean_line(text)
            if len(k) >= 0.4 * len(target) and target.startswith(k) and lno + 1 < len(page):
                joined = clean_line(text)
                for extra in page[lno + 1 : lno + 3]:
                    joined = f"{joined} {clean_line(extra.text)}"
                    if key(joined) == target:
                        return pno, lno, joined
    return None


def from_outline(
    toc: list[TocEntry], lines: list[list[LineInfo]], body: float | None = None
) -> list[Heading]:
    """Headings from the outline (top two levels), located in the text, plus back matter."""
    body = body_size(lines) if body is None else body
    result: list[Heading] = []
    min_level = min(e.level for e in toc)
    keys = _Keys(lines)
    for entry in toc:
        level = entry.level - min_level + 1
        if level > 2 or not entry.title.strip():
            continue
        found = _locate(entry, lines, keys)
        if found:
            pno, lno, printed = found
            numbered = NUMBERED_RE.match(printed)
            title = printed if (numbered or key(printed) == key(entry.title)) else entry.title
            result.append(Heading(title.strip(), level, pno, lno))
        elif entry.page is not None and 0 <= entry.page < len(lines):
            result.append(Heading(" ".join(entry.title.split()), level, entry.page, -1))
    top_sizes = [lines[h.page][h.line].size for h in result if h.level == 1 and h.line >= 0]
    top = Counter(top_sizes).most_common(1)[0][0] if top_sizes else 0.0
    have = {key(h.title) for h in result}
    seen_lines = {(h.page, h.line) for h in result}
    for heading, line in candidates(lines, body, unnumbered_only=True):
        if heading.level != 0 or (heading.page, heading.line) in seen_lines:
            continue
        if key(heading.title) in have:
            continue
        if (
            top
            and line.size
            and line.size < top - 0.3
            and heading.title.lower() not in STRONG_UNNUMBERED
        ):
            continue
        heading.level = 1
        result.append(heading)
        have.add(key(heading.title))
    result.sort(key=lambda h: (h.page, h.line if h.line >= 0 else -1))
    return result


def detect(
    toc: list[TocEntry], lines: list[list[LineInfo]], body: float | None = None
) -> list[Heading]:
    """Headings of a document, in reading order (`body`: its body font size, if known)."""
    usable = [e for e in toc if e.title.strip()]
    if len(usable) >= 2:
        return from_outline(usable, lines, body)
    return from_text(lines, body)
