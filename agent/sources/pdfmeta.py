"""Paper metadata from page 1 and the document info: arXiv id, title, authors, affiliations,
abstract and language. General heuristics only (fonts, positions, text patterns)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from agent.sources.pdftext import LineInfo, RawDocument
from agent.sources.textclean import clean_line, clean_page, collapse
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
AFFIL_WORDS = re.compile(
    r"\b(?:universit\w*|univ\.|institut\w*|college|school|department|dept\.?|laborator\w*|labs?"
    r"|research|inc\.?|corp\.?|corporation|ltd\.?|llc|gmbh|company|academy|academia|center|centre"
    r"|faculty|hospital|foundation|polytechnic|politecnico|ETH|EPFL|MIT|CNRS|INRIA|google|microsoft"
    r"|meta|facebook|nvidia|openai|deepmind|amazon|apple|ibm|intel|alibaba|tencent|baidu|huawei"
    r"|bytedance|samsung|qualcomm|hugging\s?face|allen institute|ai2|anthropic|team|group)\b",
    re.I,
)
_MARKERS = re.compile(r"[^\w\s.'’\-“”\"‘,&()/]|\d+|[\u0370-\u03ff]")
_NAME_WORD = re.compile(
    r"^(?:[A-Z][\w'’\-]*\.?|[A-Z]\.(?:-?[A-Z]\.)*|[“\"‘][A-Z]\w*[”\"’]|de|van|von|der|den|la|le|di|da|del|dos|du|bin|al|el|ten|ter)$"
)
_SPLIT_NAMES = re.compile(r"\s*(?:,|;|\band\b|&|\s{2,}|\|)\s*")


@dataclass(slots=True)
class Metadata:
    arxiv_id: str | None = None
    arxiv_version: str | None = None
    title: str = ""
    authors: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    abstract: str = ""
    language: str = "en"


# --- arXiv id ---------------------------------------------------------------------------


def find_arxiv_id(doc: RawDocument, path: Path) -> tuple[str | None, str | None]:
    """(id, version) from the margin stamp, the /arXivID info entry, or the file name."""
    for page in doc.pages[:2]:
        m = STAMP_RE.search(page)
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


# --- title ------------------------------------------------------------------------------


def _texty(text: str) -> bool:
    letters = sum(c.isalpha() for c in text)
    return letters >= 4 and letters >= 0.5 * len(text.replace(" ", "")) and "@" not in text


def _abstract_line(lines: list[LineInfo]) -> int | None:
    for i, line in enumerate(lines):
        if (
            ABSTRACT_RE.match(line.text)
            and len(line.text.strip()) < 40
            or re.match(r"^\s*abstract\s*[—–.:-]", line.text, re.I)
        ):
            return i
    return None


def find_title(lines: list[LineInfo], info: dict[str, str]) -> tuple[str, list[int]]:
    """Title and the indexes of its lines on page 1 (empty when taken from the info)."""
    stop = _abstract_line(lines)
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
        picked = [i for i, ln in cands if ln.size >= biggest - 0.6]
        if picked:
            group = [picked[0]]
            for i in picked[1:]:
                if i == group[-1] + 1 and abs(lines[i].top - lines[group[-1]].top) < 0.08:
                    group.append(i)
                elif i != group[-1] + 1:
                    break
            title = " ".join(clean_line(lines[i].text) for i in group)
            title = re.sub(r"\s*[∗*†‡§¶]+\s*$", "", title)
            meta = info.get("Title", "").strip()
            if meta and _norm(meta) == _norm(title):
                return meta, group
            return _uncaps(title), group
    meta = info.get("Title", "").strip()
    return (meta, []) if _plausible_title(meta) else ("", [])


def _plausible_title(text: str) -> bool:
    return len(text.split()) >= 2 and not re.search(
        r"\.(?:dvi|pdf|docx?|tex)$|^untitled|microsoft word", text, re.I
    )


def _norm(text: str) -> str:
    return re.sub(r"\W+", "", collapse(text).casefold())


def _uncaps(title: str) -> str:
    """Titles set in capitals keep their words but not the shouting: 'GPTQ: ACCURATE' stays
    comparable case-insensitively; only fully upper-case titles are title-cased."""
    letters = [c for c in title if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 12:
        small = {
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
        }
        words = title.lower().split()
        return " ".join(
            w if (i and w in small) else w[:1].upper() + w[1:] for i, w in enumerate(words)
        )
    return title


# --- authors and affiliations ------------------------------------------------------------


def _strip_markers(text: str) -> str:
    return _MARKERS.sub(",", text)


def _fix_case(name: str) -> str:
    return " ".join(w.capitalize() if (w.isupper() and len(w) > 2) else w for w in name.split())


def _names_in(text: str, single_ok: bool) -> list[str]:
    names = []
    for part in _SPLIT_NAMES.split(_strip_markers(text)):
        part = part.strip(" ,.()").strip()
        words = part.split()
        if not words or len(words) > 5:
            continue
        if len(words) == 1 and not (single_ok and re.match(r"^[A-Z][\w\-]+$", part)):
            continue
        if not all(_NAME_WORD.match(w) for w in words) or not words[-1][0].isupper():
            continue
        names.append(_fix_case(part))
    return names


def _is_affiliation(text: str) -> bool:
    return bool(AFFIL_WORDS.search(text)) and "@" not in text


def split_affiliations(text: str) -> list[str]:
    """'1UC Berkeley 2Stanford University' -> ['UC Berkeley', 'Stanford University']."""
    parts = re.split(
        r"(?:^|\s)(?:\d{1,2}|[*†‡§¶♠♡♢♣♦♥★☆]|[\u0370-\u03ff])(?=\s?[A-Z(])|[;♠♡♢♣♦♥★☆†‡§¶∗*]", text
    )
    out = []
    for part in parts:
        part = re.sub(r"^\s*\d{1,2}\s*", "", part).strip(" ,.;")
        if not part or not _is_affiliation(part) or len(part) > 160:
            continue
        if " & " in part:
            pieces = [p.strip() for p in part.split(" & ")]
            if all(len(p.split()) <= 3 for p in pieces):
                out.extend(pieces)
                continue
        out.append(part)
    return out


def find_people(
    lines: list[LineInfo], title_idx: list[int], info: dict[str, str], body: float
) -> tuple[list[str], list[str]]:
    """Authors and affiliations from the block between the title and the abstract, plus an
    ICML-style footnote block on page 1."""
    start = (title_idx[-1] + 1) if title_idx else 0
    stop = _abstract_line(lines)
    if stop is None or stop < start:
        stop = min(len(lines), start + 25)
    block = lines[start:stop]
    authors: list[str] = []
    affils: list[str] = []
    pending = ""
    for line in block:
        text = clean_line(line.text)
        if not text or "@" in text or STAMP_RE.search(text) or re.fullmatch(r"[\W\d\s]+", text):
            continue
        if re.match(
            r"^(?:preprint|under review|published|proceedings|technical report)\b", text, re.I
        ):
            continue
        if _is_affiliation(text):
            if pending and not re.match(r"^\s*\d", text):
                text = pending + " " + text
            pending = ""
            affils.extend(split_affiliations(text))
            continue
        found = _names_in(text, single_ok=len(block) <= 4)
        if found:
            authors.extend(found)
        elif len(text) < 60 and not authors:
            pending = text
    meta = [a.strip() for a in re.split(r";|,|\band\b", info.get("Author", "")) if a.strip()]
    if meta and (not authors or len(meta) >= len(authors)):
        printed = {_norm(a) for a in authors}
        if len(meta) > 1 or not authors:
            authors = [_printed_form(a, lines) for a in meta]
        elif _norm(meta[0]) in printed:
            authors = meta
    # footnote affiliations (ICML and similar): small text at the bottom of page 1
    if body:
        foot = [
            clean_line(ln.text)
            for ln in lines
            if ln.size and ln.size < body - 0.4 and ln.top > 0.6 and not ln.rotated
        ]
        text = " ".join(foot)
        m = re.search(r"(?:^|\s)1\s?[A-Z][^@]*", text)
        if m and not affils:
            chunk = re.split(
                r"Correspondence to|Proceedings of|Preprint|Copyright|\bWork done", m.group(0)
            )[0]
            affils.extend(split_affiliations(chunk))
    seen: list[str] = []
    for a in affils:
        a = a.strip()
        if a and a not in seen:
            seen.append(a)
    return _dedupe(authors), seen


def _printed_form(name: str, lines: list[LineInfo]) -> str:
    """The info dictionary's ASCII quotes replaced by the printed ones when they differ."""
    if '"' not in name and "'" not in name:
        return name
    pattern = re.escape(name).replace('"', '["“”]').replace("'", "['‘’]")
    for ln in lines[:60]:
        m = re.search(pattern, ln.text)
        if m:
            return m.group(0)
    return name


def _dedupe(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


# --- abstract ---------------------------------------------------------------------------


def find_abstract(doc: RawDocument, title_idx: list[int], compounds: set[str], body: float) -> str:
    """The text after an 'Abstract' heading up to the first section heading, on the first
    pages; when the heading is followed by nothing (disturbed reading order), the text
    that follows the title."""
    for pno, page in enumerate(doc.lines[:4]):
        idx = _abstract_line(page)
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
    return " ".join(clean_page(text, compounds).split())


# --- language ---------------------------------------------------------------------------

_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "for", "we", "with"},
    "de": {"der", "die", "und", "das", "ist", "nicht", "mit", "wir", "ein", "für"},
    "fr": {"le", "la", "les", "et", "des", "est", "une", "pour", "nous", "dans"},
    "es": {"el", "los", "las", "y", "del", "es", "una", "para", "que", "con"},
}


def detect_language(text: str) -> str:
    """A cheap script and stop-word guess: 'zh', 'ja', 'ko', 'ru', 'en', 'de', 'fr', 'es'."""
    sample = text[:20000]
    counts = {"han": 0, "kana": 0, "hangul": 0, "cyr": 0, "latin": 0}
    for c in sample:
        o = ord(c)
        if 0x4E00 <= o <= 0x9FFF:
            counts["han"] += 1
        elif 0x3040 <= o <= 0x30FF:
            counts["kana"] += 1
        elif 0xAC00 <= o <= 0xD7AF:
            counts["hangul"] += 1
        elif 0x0400 <= o <= 0x04FF:
            counts["cyr"] += 1
        elif c.isalpha() and o < 0x250:
            counts["latin"] += 1
    total = sum(counts.values()) or 1
    if counts["kana"] > 0.05 * total:
        return "ja"
    if counts["hangul"] > 0.1 * total:
        return "ko"
    if counts["han"] * 3 > 0.15 * total:  # one Han character carries ~3 Latin letters' worth
        return "zh"
    if counts["cyr"] > 0.3 * total:
        return "ru"
    words = re.findall(r"[a-zà-ÿ]+", unicodedata.normalize("NFC", sample.lower()))
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    return max(scores, key=lambda k: scores[k]) if any(scores.values()) else "en"
