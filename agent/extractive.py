"""Reading without a model: sections, sentences, cue phrases, and what a model gets to read.

Everything here is a pure function of a paper's page texts. Extractive claims quote a
sentence verbatim from its page (whitespace collapsed), so they are grounded by construction;
they still go through the critic like any other claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.nodes.schemas import ClaimDraft

EXCERPT_TOKENS = 4000  # what the extractor model reads per paper (≈ 4 characters a token)
CHARS_PER_TOKEN = 4

_HEADING = re.compile(
    r"^\s*(?:\d{1,2}(?:\.\d)?\.?|[IVX]{1,4}\.)?\s*"
    r"(abstract|introduction|background|related work|method|approach|experiments?|"
    r"evaluation|results|discussion|conclusions?|limitations|references|acknowledge?ments?)"
    r"\b[^\n]{0,40}$",
    re.IGNORECASE | re.MULTILINE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[“\"])")
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|et al|Fig|Figs|Eq|Sec|Tab|vs|cf|resp|approx)\.)$")
_CAPTION = re.compile(r"^\s*(Table|Figure|Fig\.)\s*\d+[:.][^\n]{10,300}", re.MULTILINE)
_ORG = re.compile(
    r"(Universit|Institut|Laborator|\bLab\b|Academy|College|School|Research|Inc\b|Inc\.|"
    r"Corporation|Company|Technolog|Google|Microsoft|Meta\b|NVIDIA|Alibaba|Tencent|Huawei|"
    r"DeepSeek|Qualcomm|Apple|Amazon|IBM|Intel|Samsung|ByteDance|Baidu|Moonshot|Centre|Center)",
)

CUES: dict[str, tuple[str, ...]] = {
    "method": (
        "we propose",
        "we present",
        "we introduce",
        "we design",
        "we develop",
        "we address",
        "this paper proposes",
        "this paper introduces",
        "this paper presents",
        "our approach",
        "our method",
        "in this paper",
        "in this work",
        "in this study",
        "this study",
        "we evaluate",
        "we investigate",
        "we study",
        "we show",
        "our framework",
    ),
    "result": (
        "achiev",
        "outperform",
        "speedup",
        "speed-up",
        "faster",
        "reduc",
        "improv",
        "surpass",
        "accelerat",
        "up to",
        "higher",
        "lower",
        "better",
        "while maintaining",
        "without",
    ),
    "problem": (
        "however",
        "challeng",
        "bottleneck",
        "suffer",
        "costly",
        "expensive",
        "slow",
        "limited",
        "limitation",
        "constrain",
        "inefficien",
        "overhead",
        "hinder",
        "remain",
        "struggle",
        "prohibitive",
        "barrier",
        "unnecessar",
        "redundan",
        "wasteful",
        "drawback",
    ),
    "limitation": ("limitation", "future work", "does not", "cannot", "we leave"),
}


@dataclass
class Sentence:
    """A sentence of the paper: its text as printed (whitespace collapsed) and its page."""

    text: str
    page: int
    section: str
    kind: str = ""  # the claim kind the program reads it as, when it picked the sentence


def collapse(text: str) -> str:
    """Whitespace collapsed to single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def readable(text: str) -> str:
    """A quote made readable: line-end hyphenation joined, soft hyphens dropped."""
    text = text.replace("\ufffe", "").replace("\u00ad", "")
    return re.sub(r"(\w)- (\w)", r"\1\2", collapse(text))


def statement_of(sentence: str) -> str:
    """A sentence as a claim statement: readable, without a leading '(2)' or '(ii)'."""
    return re.sub(r"^\((?:\d{1,2}|[ivx]{1,4}|[a-e])\)\s*", "", readable(sentence))


def numbers_in(text: str) -> list[str]:
    """Numbers as written, with their unit (agent.grounding.numbers: no years, names, refs)."""
    from agent.grounding.numbers import extract_numbers

    return [str(n) for n in extract_numbers(text)]


def split_sentences(text: str) -> list[str]:
    """Sentences of collapsed text; a period after a common abbreviation does not split."""
    parts = _SENTENCE_END.split(collapse(text))
    out: list[str] = []
    for part in parts:
        if out and _ABBREV.search(out[-1]):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return [p for p in out if 30 <= len(p) <= 600]


def section_spans(pages: list[str]) -> list[tuple[str, int, str]]:
    """(section name, page, text) blocks found by headings, in reading order."""
    blocks: list[tuple[str, int, str]] = []
    current = "front"
    for number, page in enumerate(pages, start=1):
        pos = 0
        for match in _HEADING.finditer(page):
            if match.start() > pos:
                blocks.append((current, number, page[pos : match.start()]))
            current = match.group(1).lower()
            pos = match.end()
        blocks.append((current, number, page[pos:]))
    return blocks


def sentences(pages: list[str], wanted: tuple[str, ...]) -> list[Sentence]:
    """Sentences of the wanted sections ('front' is the text before the first heading)."""
    out: list[Sentence] = []
    for name, page, text in section_spans(pages):
        key = "conclusion" if name.startswith("conclusion") else name
        if key in wanted:
            out += [Sentence(s, page, key) for s in split_sentences(text)]
    return out


def _score(sentence: str, kind: str) -> int:
    low = sentence.lower()
    score = sum(3 for cue in CUES[kind] if cue in low)
    if kind == "result" and score:
        score += sum(3 for n in numbers_in(sentence) if n.lower().endswith(("%", "×", "x", "倍")))
    if len(sentence) > 250:
        score -= 2
    if len(sentence) > 350 or re.search(r"corresponding author|\b(19|20)\d\d\)", low):
        score -= 4
    return score


def extract_claims(pages: list[str], abstract: str = "", limit: int = 6) -> list[ClaimDraft]:
    """Claims picked from abstract, introduction and conclusion by cue phrases and numbers.

    The quote is the sentence as printed on its page; the statement is the same sentence made
    readable. Order of preference: abstract, conclusion, introduction.
    """
    pool = sentences(pages, ("abstract", "front"))
    if abstract and not pool:
        pool = [Sentence(s, 1, "abstract") for s in split_sentences(abstract)]
    pool += sentences(pages, ("conclusion",)) + sentences(pages, ("introduction",))
    pool = [s for s in pool if is_prose(s.text)]  # no footnote, caption, table row, header
    plan = (("problem", 1), ("method", 2), ("result", 3), ("limitation", 1))
    kinds = [kind for kind, _ in plan]
    scores = [{kind: _score(sent.text, kind) for kind in kinds} for sent in pool]
    for sc, sent in zip(scores, pool, strict=True):  # the abstract's figures are the headline
        if sent.section in ("abstract", "front") and sc["result"] and numbers_in(sent.text):
            sc["result"] += 4

    # each sentence belongs to the kind it reads most like ("We show that X reduces memory
    # by 75%" is a result more than a method); a kind left empty may then take a leftover
    def best_kind(sc: dict[str, int]) -> str:
        return max(kinds, key=lambda k: (sc[k], -kinds.index(k)))

    best = [best_kind(sc) for sc in scores]
    chosen: dict[str, list[int]] = {kind: [] for kind in kinds}
    used: set[str] = set()
    for fallback in (False, True):
        for kind, count in plan:
            ranked = sorted(
                (
                    (scores[i][kind], -i, i)
                    for i, sent in enumerate(pool)
                    if sent.text not in used and (fallback or best[i] == kind)
                ),
                reverse=True,
            )
            for score, _, i in ranked[: count - len(chosen[kind])]:
                if score < 3 or sum(map(len, chosen.values())) >= limit:
                    break
                used.add(pool[i].text)
                chosen[kind].append(i)
    if not any(chosen.values()):  # an abstract with none of the cue phrases: its own
        head = [i for i, sent in enumerate(pool) if sent.section == "abstract"] or [
            i for i, sent in enumerate(pool) if sent.section == "front"
        ]
        numbered = [i for i in head if numbers_in(pool[i].text)]
        chosen["method"] = head[:1]
        chosen["result"] = [i for i in numbered if i not in head[:1]][:1]
    picked: list[ClaimDraft] = []
    for kind in kinds:
        for i in chosen[kind]:
            sent = pool[i]
            statement = statement_of(sent.text)
            picked.append(
                ClaimDraft(
                    kind=kind,
                    statement=statement,
                    statement_zh="",
                    quote=sent.text,
                    page=sent.page,
                    numbers=numbers_in(statement),
                )
            )
    return picked


def institutions_on_page_one(page: str) -> list[str]:
    """Lines above the abstract that name an organisation, cleaned of footnote marks."""
    head = re.split(r"\n\s*Abstract\b", page, maxsplit=1, flags=re.IGNORECASE)[0]
    found: list[str] = []
    for line in head.splitlines():
        line = line.strip()
        if not _ORG.search(line) or "@" in line or len(line) > 160 or "arXiv:" in line:
            continue
        for part in re.split(r"\s*[;&]\s*|\s{2,}", line):
            name = re.sub(r"^[\d\s,∗*†‡§¶]+|[\d\s,∗*†‡§¶]+$", "", part).strip()
            if name and _ORG.search(name) and name not in found:
                found.append(name)
    return found[:8]


def _budget(blocks: list[tuple[int, str]], tokens: int) -> str:
    out, used = [], 0
    for page, text in blocks:
        text = collapse(text)
        room = tokens * CHARS_PER_TOKEN - used
        if room <= 200:
            break
        text = text[:room]
        out.append(f"[page {page}]\n{text}")
        used += len(text) + 12
    return "\n\n".join(out)


RESULT_CHARS = 1500  # of each results section's sentences with numbers


def _numeric_sentences(text: str, limit: int) -> str:
    """The first `limit` characters of the text's sentences that hold a number, joined
    (numbers are looked for only until the limit is reached)."""
    picked: list[str] = []
    size = -1  # length of the joined sentences
    for sentence in split_sentences(text):
        if size >= limit:
            break
        if numbers_in(sentence):
            picked.append(sentence)
            size += len(sentence) + 1
    return " ".join(picked)[:limit]


def select_excerpt(pages: list[str], tokens: int = EXCERPT_TOKENS) -> str:
    """What the extractor model reads: page 1 head and abstract, introduction (start),
    conclusion, result sentences and table captions — within `tokens`, marked by page."""
    blocks: list[tuple[int, str]] = []
    if pages:
        blocks.append((1, pages[0][:3000]))
    spans = section_spans(pages)
    intro = [(p, t) for n, p, t in spans if n == "introduction"]
    concl = [(p, t) for n, p, t in spans if n.startswith("conclusion")]
    results = [
        (p, _numeric_sentences(t, RESULT_CHARS))
        for n, p, t in spans
        if n in ("experiments", "experiment", "evaluation", "results")
    ]
    captions = [(p, m.group(0)) for p, page in enumerate(pages, 1) for m in _CAPTION.finditer(page)]
    blocks += intro[:1] + concl[:2]
    blocks += [(p, t) for p, t in results if t][:3]
    blocks += captions[:6]
    return _budget(blocks, tokens)


PICK_CHARS = 4400  # of numbered sentences a model reads per paper (≈ 1,100 tokens)
PICK_COUNT = 24
_JUNK = re.compile(
    r"@|https?://|\bequal contribution|\bcorrespond|\bpreprint\b|\bunder review\b|"
    r"\bcopyright\b|\blicen[cs]e\b|\bproceedings of\b|\bconference on\b|"
    r"^\s*(?:table|figure|fig\.)\s*\d|\barxiv:\d",
    re.IGNORECASE,
)


def is_prose(sentence: str) -> bool:
    """A sentence a reader would quote: mostly words (not a table row, a caption, an
    affiliation line, a footnote or a running head)."""
    if _JUNK.search(sentence):
        return False
    words = re.findall(r"[A-Za-z][a-z]{2,}", sentence)
    if len(words) < 6:
        return False
    letters = sum(ch.isalpha() for ch in sentence)
    digits = sum(ch.isdigit() for ch in sentence)
    return letters >= 0.6 * len(sentence) and digits <= 0.2 * max(letters, 1)


def candidate_sentences(
    pages: list[str], max_chars: int = PICK_CHARS, max_count: int = PICK_COUNT
) -> list[Sentence]:
    """The sentences a model may point at, in reading order: the abstract (or the text before
    the first heading), then the introduction's, conclusion's and results' sentences that read
    most like a problem, method or result (results with numbers first), within the budget."""
    head = [s for s in sentences(pages, ("abstract",)) if is_prose(s.text)]
    if not head:
        head = [s for s in sentences(pages, ("front",)) if is_prose(s.text)]
    picked: list[Sentence] = []
    size = 0
    for sent in head[:12]:
        if size + len(sent.text) > max_chars * 0.6:
            break
        picked.append(sent)
        size += len(sent.text)
    seen = {s.text for s in picked}
    rest = [
        s
        for s in sentences(pages, ("introduction", "conclusion"))
        + sentences(pages, ("experiments", "experiment", "evaluation", "results"))
        if is_prose(s.text) and s.text not in seen and len(s.text) <= 400
    ]

    def best(sent: Sentence) -> int:
        score = max(_score(sent.text, kind) for kind in ("problem", "method", "result"))
        return score + (2 if sent.section == "conclusion" else 0)

    ranked = sorted(range(len(rest)), key=lambda i: (-best(rest[i]), i))
    extra: list[int] = []
    for i in ranked:
        if len(picked) + len(extra) >= max_count or best(rest[i]) < 3:
            break
        if size + len(rest[i].text) > max_chars:
            continue
        extra.append(i)
        size += len(rest[i].text)
        seen.add(rest[i].text)
    return picked + [rest[i] for i in sorted(extra)]


def numbered(sents: list[Sentence]) -> str:
    """Sentences as the model reads them: `[n] text` (`[n] (kind) text` for a sentence the
    program picked as a kind of claim), one a line, n counting from 1."""
    return "\n".join(
        f"[{i}] {f'({s.kind}) ' if s.kind else ''}{readable(s.text)}"
        for i, s in enumerate(sents, start=1)
    )


def claim_sentences(pages: list[str], abstract: str = "") -> list[Sentence]:
    """The sentences extract_claims picks, each with its kind: what a small model phrases."""
    return [Sentence(d.quote, d.page, "", d.kind) for d in extract_claims(pages, abstract)]


def estimate_tokens(text: str) -> int:
    """A rough token count (4 characters each) for budgeting."""
    return len(text) // CHARS_PER_TOKEN + 1
