"""Paper metadata from page 1 and the document info: arXiv id, title, abstract and language
(authors and affiliations: `people`). General heuristics only (fonts, positions, patterns)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

from agent.sources.pdftext import LineInfo, RawDocument
from agent.sources.textclean import collapse, join_lines
from store.schemas import ARXIV_ID_RE, OLD_ARXIV_ID_RE

STAMP_RE = re.compile(
    r"arXiv:\s*(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?P<v>v\d+)?\s*\[[\w.\-]+\]"
)
ABSTRACT_RE = re.compile(
    r"^\s*(?:a\s?b\s?s\s?t\s?r\s?a\s?c\s?t|摘\s*要|summary)\s*[:.—–-]?\s*(?P<rest>.*)$", re.I
)
STOP_RE = re.compile(
    r"^\s*(?:(?:1|I)\.?\s+[A-Z][\w ]{2,}|keywords?\b|index terms\b|ccs concepts\b|acm reference\b"
    r"|(?:figure|fig\.|table)\s*\d|introduction$|contents$|\*?equal contribution)",
    re.I,
)


# --- arXiv id ---------------------------------------------------------------------------


def find_arxiv_id(doc: RawDocument, path: Path) -> tuple[str | None, str | None]:
    """(id, version) from the margin stamp, the /arXivID info entry, or the file name."""
    m = STAMP_RE.search(doc.pages[0]) if doc.pages else None
    if m:
        return m.group("id"), m.group("v")
    value = doc.info.get("arXivID", "")
    m = ARXIV_ID_RE.search(value) or OLD_ARXIV_ID_RE.search(value)
    if m:
        return m.group(1), m.group(2)
    m = ARXIV_ID_RE.search(path.stem)
    if m:
        return m.group(1), m.group(2)
    return None, None


# --- date -------------------------------------------------------------------------------

MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
STAMP_DATE_RE = re.compile(
    r"arXiv:\s*(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\s*\[[\w.\-]+\]\s*"
    r"(?P<d>\d{1,2})\s+(?P<m>[A-Za-z]{3})[a-z]*\.?\s+(?P<y>(?:19|20)\d\d)"
)
PDF_DATE_RE = re.compile(r"^(?:D:)?(?P<y>(?:19|20)\d\d)(?P<m>\d\d)?(?P<d>\d\d)?")

# where Paper.published came from, best first (the arXiv feed is set by agent.sources.fetch)
DATE_SOURCES = ("feed", "arxiv-stamp", "arxiv-id", "pdf-metadata")


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def stamp_date(page: str) -> date | None:
    """The date printed in the arXiv margin stamp ('arXiv:2208.07339v2 [cs.LG] 10 Nov 2022')."""
    m = STAMP_DATE_RE.search(page)
    month = MONTHS.get(m.group("m").lower()) if m else None
    if not m or not month:
        return None
    return _day(int(m.group("y")), month, int(m.group("d")))


def id_month(arxiv_id: str | None) -> date | None:
    """The first day of the month an arXiv id was assigned: YYMM of '2208.07339' or of the
    number of an old-style id ('hep-th/9901001' -> 1999-01)."""
    if not arxiv_id:
        return None
    new = re.fullmatch(r"(\d{2})(\d{2})\.\d{4,5}", arxiv_id)
    old = re.fullmatch(r"[a-z\-]+(?:\.[A-Z]{2})?/(\d{2})(\d{2})\d{3}", arxiv_id)
    if new:
        year, mm = 2000 + int(new.group(1)), int(new.group(2))
    elif old:
        yy, mm = int(old.group(1)), int(old.group(2))
        year = 1900 + yy if yy >= 91 else 2000 + yy  # old-style ids ran from 1991 to 2007
    else:
        return None
    return _day(year, mm, 1) if 1 <= mm <= 12 else None


def info_date(info: dict[str, str]) -> date | None:
    """The document info's CreationDate ('D:20230105120000Z'), else ModDate."""
    for key in ("CreationDate", "ModDate"):
        m = PDF_DATE_RE.match(info.get(key, "").strip())
        if m:
            day = _day(int(m.group("y")), int(m.group("m") or 1), int(m.group("d") or 1))
            if day is not None and date(1990, 1, 1) <= day <= date.today():
                return day
    return None


def find_date(doc: RawDocument, arxiv_id: str | None) -> tuple[date | None, str | None]:
    """(date, source): the arXiv stamp on page 1, the arXiv id's month, the PDF's creation
    date, in that order; (None, None) when none is there."""
    stamped = stamp_date(doc.pages[0]) if doc.pages else None
    if stamped:
        return stamped, "arxiv-stamp"
    month = id_month(arxiv_id)
    if month:
        return month, "arxiv-id"
    created = info_date(doc.info)
    if created:
        return created, "pdf-metadata"
    return None, None


# --- title ------------------------------------------------------------------------------


def _texty(text: str) -> bool:
    letters = sum(c.isalpha() for c in text)
    return letters >= 4 and letters >= 0.5 * len(text.replace(" ", "")) and "@" not in text


def abstract_line(lines: list[LineInfo]) -> int | None:
    for i, line in enumerate(lines):
        if (
            ABSTRACT_RE.match(line.text)
            and len(line.text.strip()) < 40
            or re.match(r"^\s*abstract\s*[—–.:-]", line.text, re.I)
        ):
            return i
    return None


def find_title(
    lines: list[LineInfo],
    info: dict[str, str],
    page_text: str = "",
    body: str = "",
    compounds: set[str] | None = None,
) -> tuple[str, list[int]]:
    """Title and the indexes of its lines on page 1: the largest type above the abstract;
    the document info title when page 1 prints it and the largest type is something else.
    A title in capitals is re-cased as `body` (the first pages) writes its words."""
    stop = abstract_line(lines)
    limit_top = lines[stop].top if stop is not None and lines[stop].top else 0.5
    cands = [
        (i, ln)
        for i, ln in enumerate(lines)
        if ln.size
        and not ln.rotated
        and _texty(ln.text)
        and ln.top <= max(limit_top, 0.05) + 0.001
        and not STAMP_RE.search(ln.text)
    ]
    if cands:
        biggest = max(ln.size for _, ln in cands)
        first = next(i for i, ln in cands if ln.size >= biggest - 0.6)
        group = [first]
        for j in range(first + 1, min(len(lines), first + 6)):
            ln, prev = lines[j], lines[group[-1]]
            if (
                ln.size < biggest - 0.6
                or ln.rotated
                or not any(c.isalpha() for c in ln.text)
                or "@" in ln.text
                or abs(ln.top - prev.top) > 0.08
            ):
                break
            group.append(j)
        title = join_lines([lines[i].text for i in group], compounds)
        title = re.sub(r"\s*[∗*†‡§¶]+\s*$", "", title)
        meta = info.get("Title", "").strip()
        if meta and _norm(meta) == _norm(title):
            return meta, group
        if _plausible_title(meta) and len(_norm(meta)) > 12 and _norm(meta) in _norm(page_text):
            return meta, group  # the document info names a title printed on page 1
        return _uncaps(title, body or page_text), group
    meta = info.get("Title", "").strip()
    return (meta, []) if _plausible_title(meta) else ("", [])


def _plausible_title(text: str) -> bool:
    return len(text.split()) >= 2 and not re.search(
        r"\.(?:dvi|pdf|docx?|tex)$|^untitled|microsoft word", text, re.I
    )


def _norm(text: str) -> str:
    return re.sub(r"\W+", "", collapse(text).casefold())


_SMALL_WORDS = set(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "of",
        "on",
        "or",
        "the",
        "to",
        "via",
        "with",
        "vs",
    ]
)


_WORD_RE = re.compile(r"[^\W_][\w.+]*[^\W_]|[^\W\d_]")


def _casings(body: str, title: str) -> dict[str, str]:
    """Each word of the body (lower-cased) -> the form a title in capitals should take when
    it is not plain title case: the body's most frequent form with inner capitals (TinyBERT,
    LLMs), else a short form in capitals (BERT, GPTQ) when the body writes it so at least as
    often as in lower case. The title's own printing (once, on page 1) is not counted."""
    seen: dict[str, Counter[str]] = {}
    for word in _WORD_RE.findall(body):
        seen.setdefault(word.lower(), Counter())[word] += 1
    for word in _WORD_RE.findall(title):
        seen.get(word.lower(), Counter())[word] -= 1
    out = {}
    for low, counts in seen.items():
        forms = +counts  # drop what the title alone had
        inner = Counter(
            {f: n for f, n in forms.items() if f[1:] != f[1:].lower() and not f.isupper()}
        )
        caps = sum(n for f, n in forms.items() if f.isupper())
        if inner:
            out[low] = inner.most_common(1)[0][0]
        elif caps and len(low) <= 5 and caps >= sum(forms.values()) - caps:
            out[low] = low.upper()
    return out


def _word_case(word: str, first: bool, casings: dict[str, str]) -> str:
    """A word of a title in capitals: as `_casings` says, else title-cased (small words in
    lower case)."""
    core = word.strip("():;,.!?\"'“”‘’")
    at = word.find(core) if core else 0
    form = casings.get(core.lower(), "") if core else ""
    if form:
        cased = form
    elif not first and core.lower() in _SMALL_WORDS:
        cased = core.lower()
    else:
        cased = "-".join(p[:1].upper() + p[1:].lower() for p in core.split("-"))
    return word[:at] + cased + word[at + len(core) :]


def _uncaps(title: str, body: str = "") -> str:
    """A title set entirely in capitals (or small caps) is re-cased: each word as the paper's
    body writes it when that is not plain lower case (TinyBERT, BERT, LLMs), else
    title-cased; without a body the part before a colon (usually the system's name, e.g.
    'GPTQ:') keeps its capitals."""
    letters = [c for c in title if c.isalpha()]
    if not letters or not all(c.isupper() for c in letters) or len(letters) <= 12:
        return title
    casings = _casings(body, title) if body else {}
    head, sep, rest = title.partition(": ")
    if not sep:
        head, rest = "", title
    if casings and head:
        head = " ".join(_word_case(w, True, casings) for w in head.split())
    words = rest.split()
    cased = " ".join(_word_case(w, i == 0, casings) for i, w in enumerate(words))
    return f"{head}{sep}{cased}"


# --- abstract ---------------------------------------------------------------------------


def find_abstract(doc: RawDocument, title_idx: list[int], compounds: set[str], body: float) -> str:
    """The text after an 'Abstract' heading up to the first section heading, on the first
    pages; when the heading is followed by nothing (disturbed reading order), the text
    that follows the title."""
    for pno, page in enumerate(doc.lines[:4]):
        idx = abstract_line(page)
        if idx is None:
            continue
        text = _collect(page, idx, body, first=True)
        if len(text) < 200 and pno == 0 and title_idx and title_idx[-1] > idx:
            text = _collect(page, title_idx[-1], body, first=False)
        if len(text) < 200 and pno + 1 < len(doc.lines) and idx >= len(page) - 3:
            text = _collect(doc.lines[pno + 1], -1, body, first=False)
        return _finish(text, compounds)
    return ""


def _collect(page: list[LineInfo], idx: int, body: float, first: bool) -> str:
    parts: list[str] = []
    if first:
        m = ABSTRACT_RE.match(page[idx].text)
        rest = (m.group("rest") if m else "").strip()
        if rest:
            parts.append(rest)
    size = 0.0
    for line in page[idx + 1 :]:
        text = line.text
        if not text.strip():
            continue
        if STOP_RE.match(text) or STAMP_RE.search(text):
            break
        if line.size and body and line.bold and len(text.strip()) < 60 and parts:
            break
        if size and line.size and abs(line.size - size) > 1.2:
            break
        if line.size and not size:
            size = line.size
        parts.append(text)
    return "\n".join(parts)


def _finish(text: str, compounds: set[str]) -> str:
    return join_lines(text.split("\n"), compounds)


# --- kind of document -------------------------------------------------------------------

LETTER_AREA = 612 * 792


def not_a_paper(doc: RawDocument, pages: list[str] | None, abstract: str) -> str:
    """Why the document looks like slides or a poster rather than a paper ('' when it does
    not): most pages landscape with little text each (not checked without `pages`) and no
    abstract (a slide deck), or one or two pages of at least four letter pages' area (a
    poster)."""
    sizes = [(w, h) for w, h in doc.sizes if w > 0 and h > 0]
    if not sizes:
        return ""
    landscape = sum(1 for w, h in sizes if w > 1.15 * h)
    chars = sorted(len(p.strip()) for p in pages) if pages else []
    median = chars[len(chars) // 2] if chars else 0
    if len(sizes) >= 3 and landscape >= 0.6 * len(sizes) and median < 1500 and not abstract:
        text = f", about {median} characters a page" if chars else ""
        return (
            f"looks like a slide deck ({landscape} of {len(sizes)} pages landscape{text}, "
            "no abstract)"
        )
    if len(sizes) <= 2 and max(w * h for w, h in sizes) >= 4 * LETTER_AREA:
        w, h = max(sizes, key=lambda s: s[0] * s[1])
        return f"looks like a poster ({len(sizes)} page(s) of {w / 72:.0f}x{h / 72:.0f} in)"
    return ""


# --- language ---------------------------------------------------------------------------

_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "for", "we", "with"},
    "de": {"der", "die", "und", "das", "ist", "nicht", "mit", "wir", "ein", "für"},
    "fr": {"le", "la", "les", "et", "des", "est", "une", "pour", "nous", "dans"},
    "es": {"el", "los", "las", "y", "del", "es", "una", "para", "que", "con"},
}


_SCRIPTS = {
    "han": re.compile("[\u4e00-\u9fff]"),
    "kana": re.compile("[\u3040-\u30ff]"),
    "hangul": re.compile("[\uac00-\ud7af]"),
    "cyr": re.compile("[\u0400-\u04ff]"),
    "latin": re.compile("[A-Za-z\u00c0-\u024f]"),
}


def detect_language(text: str) -> str:
    """A cheap script and stop-word guess: 'zh', 'ja', 'ko', 'ru', 'en', 'de', 'fr', 'es'."""
    sample = text[:8000]
    counts = {name: len(sample) - len(rx.sub("", sample)) for name, rx in _SCRIPTS.items()}
    total = sum(counts.values()) or 1
    if counts["kana"] > 0.05 * total:
        return "ja"
    if counts["hangul"] > 0.1 * total:
        return "ko"
    if counts["han"] * 3 > 0.15 * total:  # one Han character carries ~3 Latin letters' worth
        return "zh"
    if counts["cyr"] > 0.3 * total:
        return "ru"
    words = re.findall(r"[a-zà-ÿ]+", unicodedata.normalize("NFC", sample[:8000].lower()))
    seen = Counter(words)
    scores = {lang: sum(seen[w] for w in stop) for lang, stop in _STOPWORDS.items()}
    return max(scores, key=lambda k: scores[k]) if any(scores.values()) else "en"
