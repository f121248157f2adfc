"""arXiv identifiers: syntax, citations in text, and the year-month an id implies.

New style: YYMM.NNNN (2007-04 to 2014-12) and YYMM.NNNNN (from 2015-01), optional vN.
Old style: archive(.SUBJ)/YYMMNNN, e.g. hep-th/9901001, math.GT/0309136.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NEW_ID = re.compile(r"(?<![\w.])(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<num>\d{4,5})(?P<v>v\d+)?(?![\w])")
OLD_ID = re.compile(
    r"(?<![\w.\-/])(?P<archive>[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?)/(?P<yy>\d{2})(?P<mm>\d{2})"
    r"(?P<num>\d{3})(?P<v>v\d+)?(?!\w)"
)
_ANY_ID = r"(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"
_CITATION = re.compile(
    rf"\[arXiv:\s*(?P<bid>{_ANY_ID})(?:[,\s]+(?:p\.|pp\.|page)\s*(?P<page>\d+)(?:\s*[-–]\s*\d+)?)?\s*\]"
    rf"|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<uid>{_ANY_ID})(?:\.pdf)?"
    rf"|(?<![\w/])arXiv:\s*(?P<aid>{_ANY_ID})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ArxivId:
    """A parsed arXiv identifier."""

    id: str  # without version: '2512.10858' or 'hep-th/9901001'
    version: str | None  # 'v2' or None
    year: int
    month: int

    @property
    def key(self) -> str:
        return self.id + (self.version or "")


@dataclass(frozen=True)
class Citation:
    """An arXiv citation found in text: `[arXiv:ID]`, `[arXiv:ID p.N]`, a link or `arXiv:ID`."""

    arxiv_id: str  # as written, version included
    page: int | None
    start: int
    end: int
    form: str  # 'bracket', 'link' or 'bare'
    raw: str

    @property
    def parsed(self) -> ArxivId | None:
        return parse_id(self.arxiv_id)


def _year(yy: int, old: bool) -> int:
    if old:
        return 1900 + yy if yy >= 91 else 2000 + yy
    return 2000 + yy


def parse_id(text: str) -> ArxivId | None:
    """Parse an id ('2512.10858v2', 'arXiv:2512.10858', an abs/pdf URL, 'hep-th/9901001').

    Returns None when the syntax or the date part is impossible (month 13, 4-digit numbers
    after 2014, 5-digit numbers before 2015, new-style ids before 2007-04).
    """
    text = text.strip()
    text = re.sub(r"(?i)^(?:https?://(?:www\.)?arxiv\.org/(?:abs|pdf|html)/|arxiv:\s*)", "", text)
    text = re.sub(r"\.pdf$", "", text)
    m = NEW_ID.fullmatch(text)
    if m:
        yy, mm, num = int(m["yy"]), int(m["mm"]), m["num"]
        if not 1 <= mm <= 12 or (yy, mm) < (7, 4):
            return None
        if (len(num) == 4) != (yy < 15):
            return None
        return ArxivId(f"{m['yy']}{m['mm']}.{num}", m["v"], _year(yy, False), mm)
    m = OLD_ID.fullmatch(text)
    if m:
        yy, mm = int(m["yy"]), int(m["mm"])
        year = _year(yy, True)
        if not 1 <= mm <= 12 or (year, mm) < (1991, 8) or (year, mm) > (2007, 3):
            return None
        return ArxivId(f"{m['archive']}/{m['yy']}{m['mm']}{m['num']}", m["v"], year, mm)
    return None


def is_valid_id(text: str) -> bool:
    """Whether `text` is a syntactically valid arXiv id (version allowed)."""
    return parse_id(text) is not None


def base_id(text: str) -> str:
    """The id without version or prefix ('arXiv:2512.10858v2' -> '2512.10858'); input if invalid."""
    parsed = parse_id(text)
    return parsed.id if parsed else text.strip()


def year_month(text: str) -> tuple[int, int] | None:
    """(year, month) of the first version's submission: 2512.10858 -> (2025, 12)."""
    parsed = parse_id(text)
    return (parsed.year, parsed.month) if parsed else None


def extract_citations(text: str) -> list[Citation]:
    """arXiv citations in `text`, in order; a Markdown link `[arXiv:ID](URL)` counts once."""
    out: list[Citation] = []
    for m in _CITATION.finditer(text):
        if m["bid"]:
            arxiv_id, form = m["bid"], "bracket"
            page = int(m["page"]) if m["page"] else None
        elif m["uid"]:
            arxiv_id, form, page = m["uid"], "link", None
        else:
            arxiv_id, form, page = m["aid"], "bare", None
        if out and out[-1].arxiv_id == arxiv_id and m.start() - out[-1].end <= 3:
            continue  # [arXiv:ID](https://arxiv.org/abs/ID)
        out.append(Citation(arxiv_id, page, m.start(), m.end(), form, m.group(0)))
    return out


def find_ids(text: str) -> list[str]:
    """Every arXiv-id-looking token in `text` (valid or not), as written."""
    ids = [m.group(0) for m in NEW_ID.finditer(text)]
    ids += [m.group(0) for m in OLD_ID.finditer(text)]
    return ids
