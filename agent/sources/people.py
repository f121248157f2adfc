"""Authors and affiliations from page 1.

The block between the title and the abstract holds author lines (names separated by commas,
'and' or footnote markers) and affiliation lines (institution words, or lines after the
first affiliation, or the non-bold lines when names are set in bold). Affiliations printed
as an ICML-style footnote block at the bottom of the page are used when the header block
has none. The document info /Author entry is preferred for names when it lists them.
"""

from __future__ import annotations

import re
import unicodedata

from agent.sources.pdftext import LineInfo
from agent.sources.textclean import clean_line, collapse

AFFIL_WORDS = re.compile(
    r"\b(?:universit\w*|univ\.|institut\w*|college|school|department|dept\.?|laborator\w*|labs?"
    r"|research|inc\.?|corp\.?|corporation|ltd\.?|llc|gmbh|company|academy|academia|center|centre"
    r"|faculty|hospital|foundation|polytechnic|politecnico|ETH|EPFL|MIT|CNRS|INRIA|google|microsoft"
    r"|meta|facebook|nvidia|openai|deepmind|amazon|apple|ibm|intel|alibaba|tencent|baidu|huawei"
    r"|bytedance|samsung|qualcomm|hugging\s?face|allen institute|anthropic)\b",
    re.I,
)
_NAME_WORD = re.compile(
    r"^(?:[A-Z][\w'’\-]*\.?|[A-Z]\.(?:-?[A-Z]\.)*|[“\"‘][A-Z]\w*[”\"’]"
    r"|de|van|von|der|den|la|le|di|da|del|dos|du|bin|al|el|ten|ter)$"
)
_SPLIT_NAMES = re.compile(r"\s*(?:,|;|\band\b|&|\s{2,}|\|)\s*")
_SKIP_LINE = re.compile(
    r"^(?:preprint|under review|published|proceedings|technical report|work in progress)\b"
    r"|^\W*(?:[^\W\d]+,?\s)?(?:19|20)\d\d\W*$|https?://|www\.",
    re.I,
)
_NOT_AFFIL = re.compile(
    r"equal contribution|correspond|work done|internship|project lead|contact"
    r"|\b(?:is|are|was|were|we|our|this|these)\b",
    re.I,
)
_SECTION_START = re.compile(r"^\s*(?:1|I)\.?\s+[A-Z][\w ]{2,}$")
# a role label in front of names in tech reports: 'Core Contributors: A, B', 'Authors: ...'
_ROLE_LABEL = re.compile(
    r"^\s*(?:(?:core|lead|main|other|additional)\s+)?(?:contributors?|authors?|team members?)"
    r"\s*[:：]\s*",
    re.I,
)
# a team printed as the author ('Kimi Team', 'Qwen Team', 'Acme AI Research Team')
_TEAM_LINE = re.compile(r"^[A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*){0,4}\s+Team$")


def _is_marker(c: str) -> bool:
    return unicodedata.category(c) in ("Sm", "So", "Sk") or c in "*†‡§¶∗⋆#"


def _strip_markers(text: str) -> str:
    """Footnote markers (symbols, digits, Greek letters stuck to names) become separators."""
    out = []
    for i, c in enumerate(text):
        greek = "\u0370" <= c <= "\u03ff" and i > 0 and text[i - 1].isalpha()
        out.append("," if (_is_marker(c) or c.isdigit() or greek) else c)
    return "".join(out)


def _fix_case(name: str) -> str:
    return " ".join(w.capitalize() if (w.isupper() and len(w) > 2) else w for w in name.split())


def _split_run(words: list[str]) -> list[list[str]]:
    """Names printed without separators ('Xinyin Ma Runpeng Yu'): a first name, any
    initials or particles, then a last name."""
    groups: list[list[str]] = []
    current: list[str] = []
    for word in words:
        current.append(word)
        initial = re.fullmatch(r"[A-Z]\.(?:-?[A-Z]\.)*", word) or word[0].islower()
        if len(current) >= 2 and not initial:
            groups.append(current)
            current = []
    if current:
        if groups:
            groups[-1].extend(current)
        else:
            groups.append(current)
    return groups


def names_in(text: str, single_ok: bool = False) -> list[str]:
    """Person names on an author line."""
    names: list[str] = []
    parts = [p.strip(" ,.()").strip() for p in _SPLIT_NAMES.split(_strip_markers(text))]
    parts = [p for p in parts if p]
    for part in parts:
        words = part.split()
        if len(words) == 1 and not (single_ok and re.match(r"^[A-Z][\w\-]+$", part)):
            continue
        if not all(_NAME_WORD.match(w) for w in words) or not words[-1][0].isupper():
            continue
        runs = [words]
        if len(words) >= 6 or (len(words) >= 4 and len(parts) > 1):
            runs = _split_run(words)
        names.extend(
            _fix_case(" ".join(run))
            for run in runs
            if 2 <= len(run) <= 5 or len(runs) == 1 and len(run) == 1
        )
    return names


def is_affiliation(text: str) -> bool:
    return bool(AFFIL_WORDS.search(text)) and "@" not in text


def split_affiliations(text: str) -> list[str]:
    """'1UC Berkeley 2Stanford University' -> ['UC Berkeley', 'Stanford University']."""
    marked = []
    for i, c in enumerate(text):
        greek = "\u0370" <= c <= "\u03ff" and i > 0 and text[i - 1].isalpha()
        marked.append("\x00" if (_is_marker(c) or greek or c == ";") else c)
    text = re.sub(r"(?:(?<=\s)|^)\d{1,2}(?=\s?[A-Z(])", _digit_marker, "".join(marked))
    out = []
    for part in text.split("\x00"):
        part = re.sub(r"\s\d{1,2}$", "", part.strip()).strip(" ,.;:")
        if sum(c.isalpha() for c in part) < 2 or len(part.split()) > 20 or _NOT_AFFIL.search(part):
            continue
        if not (part[0].isupper() or part[0] == "("):
            continue
        if " & " in part:
            pieces = [p.strip() for p in part.split(" & ")]
            if all(1 <= len(p.split()) <= 3 for p in pieces):
                out.extend(pieces)
                continue
        out.append(part)
    return out


def _digit_marker(m: re.Match[str]) -> str:
    """A 1-2 digit number before a capital is a marker unless it follows a token with digits
    (postal codes such as 'SE-581 83 Linköping')."""
    before = m.string[: m.start()].split()
    return m.group() if before and any(c.isdigit() for c in before[-1]) else "\x00"


def _join_affil(lines: list[str]) -> str:
    text = ""
    for line in lines:
        if not text:
            text = line
        elif (
            text.endswith((",", "(", "&"))
            or line.startswith(("(", ","))
            or line[:1].islower()
            or re.search(r"(?:\d|[^\w\s.,)])$", text)
        ):
            text = f"{text} {line}"
        else:
            text = f"{text}, {line}"
    return text


def _block(lines: list[LineInfo], title_idx: list[int], abstract: int | None) -> list[LineInfo]:
    """Lines between the title and the abstract (or the first section)."""
    block = _raw_block(lines, title_idx, abstract)
    for i, line in enumerate(block):  # '1 Example University' is a footnoted affiliation
        if _SECTION_START.match(line.text) and not is_affiliation(line.text):
            return block[:i]
    return block


def _raw_block(lines: list[LineInfo], title_idx: list[int], abstract: int | None) -> list[LineInfo]:
    if not title_idx:
        return lines[: abstract if abstract is not None else 25]
    start = title_idx[-1] + 1
    if abstract is not None and abstract >= start:
        return lines[start:abstract]
    if abstract is not None and abstract < title_idx[0]:  # reading order put the title later
        return lines[:abstract]
    return lines[start : start + 25]


def find_people(
    lines: list[LineInfo],
    title_idx: list[int],
    abstract: int | None,
    info: dict[str, str],
    body: float,
) -> tuple[list[str], list[str]]:
    """(authors, affiliations) printed on page 1."""
    block = [ln for ln in _block(lines, title_idx, abstract) if clean_line(ln.text)]
    single_ok = len(block) <= 3
    bold_names = [ln for ln in block if ln.bold and names_in(clean_line(ln.text), single_ok)]
    bold_split = bool(bold_names) and any(not ln.bold for ln in block)
    authors: list[str] = []
    affils: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            affils.extend(split_affiliations(_join_affil(buffer)))
            buffer.clear()

    for line in block:
        text = _ROLE_LABEL.sub("", clean_line(line.text))
        if "@" in text or _SKIP_LINE.search(text):
            flush()
            continue
        if _TEAM_LINE.match(text.strip()) and not affils and not buffer:
            authors.append(text.strip())  # a team author, not an institution
            continue
        if re.fullmatch(r"[\W\d\s]+", text):  # a marker on its own line starts a new entry
            flush()
            continue
        names = names_in(text, single_ok)
        continuation = bool(re.match(r"^\s*(?:,|and\b)", text))
        if bold_split:
            if (line.bold or continuation) and names and not is_affiliation(text):
                flush()
                authors.extend(names)
            elif is_affiliation(text) or (not line.bold and authors):
                if re.match(r"^\s*\d", text):
                    flush()
                buffer.append(text)
            continue
        if is_affiliation(text) or (affils or buffer) and not continuation:
            if re.match(r"^\s*(?:\d|[^\w\s(])", text):
                flush()
            buffer.append(text)
        elif names:
            flush()
            authors.extend(names)
    flush()
    authors = _prefer_info(authors, info, lines)
    if not affils and body:
        affils = _footnote_affiliations(lines, body)
    if not affils and len(authors) == 1 and " " not in authors[0]:
        affils = list(authors)  # a team author ('DeepSeek-AI') is its own institution
    return _dedupe(authors), _dedupe(affils)


def _footnote_affiliations(lines: list[LineInfo], body: float) -> list[str]:
    """ICML-style '1Dept. of X, University Y 2Company Z' in small print at the page bottom."""
    foot = [
        clean_line(ln.text)
        for ln in lines
        if ln.size and ln.size < body - 0.4 and ln.top > 0.6 and not ln.rotated
    ]
    m = re.search(r"(?:^|\s)1\s?[A-Z][^@]*", " ".join(foot))
    if not m:
        return []
    text = re.split(r"Correspondence to|Proceedings of|Preprint|Copyright|\bWork done", m.group(0))[
        0
    ]
    return split_affiliations(text)


def _prefer_info(authors: list[str], info: dict[str, str], lines: list[LineInfo]) -> list[str]:
    """Names from the /Author entry when it lists at least as many people."""
    meta = [a.strip() for a in re.split(r";|,|\band\b", info.get("Author", "")) if a.strip()]
    if not all(len(m.split()) <= 5 and all(_NAME_WORD.match(w) for w in m.split()) for m in meta):
        return authors  # not a list of person names (a tool name, an e-mail, "et al.")
    if len(meta) >= 2 and len(meta) >= len(authors):
        return [_printed_form(a, lines) for a in meta]
    if meta and not authors and len(meta[0].split()) >= 2:
        return meta
    return authors


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
    seen: set[str] = set()
    for item in items:
        key = collapse(item).casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out
