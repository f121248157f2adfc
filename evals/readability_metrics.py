"""What a Chinese reader sees in a brief, as pure functions on text (issue 18, point 4).

The same scale is applied to the human seeds (../shared/seeds) and to our own briefs:

- `chinese_share`: Chinese characters / (Chinese characters + Latin letters) of the prose.
- `longest_english_run`: the longest stretch of English words a reader meets in the prose.
- `headline_recall`: the one-liner's 达成了 slot carries a headline number of the abstract.
- `boilerplate_share`: sentences repeated verbatim in two or more paper blocks of one brief.
- `slot_role_matches`: the role a labelled sentence has, for the claims a picker chose.

**Prose** is the text a reader reads as sentences in the sections the issue names, per kind:

| kind | sections (heading text, emoji and numbering ignored) |
| --- | --- |
| `weekly` | 论文技术简报 (with its per-paper sub-headings' bodies) |
| `deepdive` | 核心思想 / 技术亮点 / 为什么值得关注 / 对你的研究可能的启发 |
| `trends` | 执行摘要 / 开放问题 / 研究建议 (also 给你的研究建议) |
| `catalog` | the 概要 and 描述 cells of tables whose header has those columns |

Left out of the prose, because they are names, addresses or data rather than sentences a
translator could have written in Chinese:

- headings (paper titles in the weekly, section names), front matter, ``` code fences;
- paper titles inside sentences: text in 《…》 and any heading text of the document
  recurring verbatim in a sentence (seed 004 writes "明尼苏达大学发布了<English title>论文");
- Markdown links `[text](url)` with their text (in the seeds the text is a title or an
  arXiv id), bare URLs, arXiv ids and `[arXiv:ID p.N]` citations, inline `code`;
- table separator rows and link cells (cells holding a link or an arXiv id);
- lines labelled 原文 (verbatim evidence, which the issue moves to such a line on purpose).

English quoted in 「…」 or "…" is prose: it is what the reader has to read; so is an inline
（原文「…」） inside a sentence (only a line of its own labelled 原文 is evidence).

Chinese characters are CJK unified ideographs (U+3400–U+4DBF, U+4E00–U+9FFF,
U+F900–U+FAFF); Latin letters are letters below U+0250 (ASCII and accented Latin). Digits,
punctuation and emoji count for neither.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from evals import doc

KIND_HEADINGS: dict[str, re.Pattern[str]] = {
    "weekly": re.compile(r"论文技术简报"),
    "deepdive": re.compile(r"核心思想|技术亮点|为什么值得关注|对你的研究可能的启发"),
    "trends": re.compile(r"执行摘要|开放问题|研究建议"),
}
CATALOG_COLUMNS = ("概要", "描述")
KINDS = ("weekly", "deepdive", "trends", "catalog")

_LINK = re.compile(r"!?\[[^\]]*\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
_CITE = re.compile(r"\[\s*arXiv:[^\]]*\]", re.IGNORECASE)
_ARXIV_ID = re.compile(r"(?i)\barXiv:\s*\S+|\b\d{4}\.\d{4,5}(?:v\d+)?\b")
_CODE = re.compile(r"`[^`]*`")
_BOOK_TITLE = re.compile(r"《[^》]*》")
_EVIDENCE = re.compile(r"^\s*(?:[>\-*+]\s*)*(?:\*\*)?\s*原文")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}")


def is_han(ch: str) -> bool:
    """A Chinese character (CJK unified ideograph, extension A, compatibility)."""
    cp = ord(ch)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF


def is_latin(ch: str) -> bool:
    """A Latin letter (ASCII or accented), not a digit."""
    return ord(ch) < 0x250 and ch.isalpha()


def letter_counts(text: str) -> tuple[int, int]:
    """(Chinese characters, Latin letters) in `text`."""
    han = latin = 0
    for ch in text:
        if is_han(ch):
            han += 1
        elif is_latin(ch):
            latin += 1
    return han, latin


def share(han: int, latin: int) -> float | None:
    return round(han / (han + latin), 4) if han + latin else None


# A run of English stops at a Chinese character, CJK or full-width punctuation, or a table
# bar; digits, ASCII punctuation and spaces inside it do not stop it.
_RUN_BREAK = re.compile(r"[\u3000-\u303f\uff00-\uffef\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff|]+")
_WORD = re.compile(r"[^\s]+")


def english_runs(text: str) -> list[tuple[int, str]]:
    """Stretches of `text` without a Chinese character: (number of words with a Latin letter,
    the stretch as written). Numbers such as 92.8% inside a run neither count nor break it."""
    runs = []
    for segment in _RUN_BREAK.split(text):
        words = [w for w in _WORD.findall(segment) if any(is_latin(ch) for ch in w)]
        if words:
            runs.append((len(words), " ".join(segment.split())))
    return runs


def longest_run(text: str) -> tuple[int, str]:
    """(number of words, the stretch) of the longest English run in `text`."""
    return max(english_runs(text), default=(0, ""), key=lambda run: run[0])


def clean_line(line: str, titles: Iterable[str] = ()) -> str:
    """A line of prose as the reader reads it, without titles, links, ids and code."""
    if _EVIDENCE.match(line):
        return ""
    text = _CODE.sub(" ", line)
    text = _LINK.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _CITE.sub(" ", text)
    text = _BOOK_TITLE.sub(" ", text)
    for title in sorted({t for t in titles if len(t) >= 8}, key=len, reverse=True):
        if title in text:
            text = text.replace(title, " ")
    text = _ARXIV_ID.sub(" ", text)
    return text.replace("**", " ").replace("__", " ")


def _clean_table_row(line: str, titles: Iterable[str]) -> str:
    if _SEPARATOR.match(line):
        return ""
    cells = doc.split_row(line)
    kept = [c for c in cells if not (_LINK.search(c) or _URL.search(c) or _ARXIV_ID.search(c))]
    return " | ".join(clean_line(c, titles) for c in kept)


@dataclass
class Passage:
    """One line of prose: its kind, the block it belongs to (a paper, a direction, a
    catalog row), its 1-based line number and its text as the reader reads it."""

    kind: str
    block: str
    line: int
    text: str


@dataclass
class Prose:
    """A document's prose, by kind."""

    passages: list[Passage] = field(default_factory=list)

    def of(self, kind: str) -> list[Passage]:
        return [p for p in self.passages if p.kind == kind]

    def kinds(self) -> list[str]:
        return [k for k in KINDS if self.of(k)]


def _doc_titles(secs: list[doc.Section]) -> list[str]:
    return [s.title for s in secs if s.line and s.title]


def prose(text: str, kind: str | None = None) -> Prose:
    """The prose of a brief by kind (see the module docstring for what is left out).

    `kind` is the document's format (evals.lint.detect_kind; 'daily' is a weekly): only that
    kind's sections are read, so a trend report's 为什么值得关注 is not a deep dive's. None
    or 'unknown' reads every kind."""
    only = {"daily": "weekly"}.get(kind or "", kind)
    if only not in KINDS:
        only = None
    lines = text.split("\n")
    code = doc.code_lines(lines)
    _, fm = doc.front_matter(lines)
    skip = code | set(range(1, fm + 1))
    secs = doc.sections(lines, code)
    titles = _doc_titles(secs)
    out = Prose()
    for i, sec in enumerate(secs):
        if not sec.line:
            continue
        found = next((k for k, pat in KIND_HEADINGS.items() if pat.search(sec.title)), None)
        if found is None or (only is not None and found != only):
            continue
        parent = next((s.title for s in reversed(secs[:i]) if s.line and s.level < sec.level), "")
        # the weekly's blocks are its sub-headings (papers); elsewhere the paper or direction
        # the matched heading sits under
        members = [(sec.title if found == "weekly" else parent or sec.title, sec)]
        for sub in secs[i + 1 :]:
            if sub.level <= sec.level:
                break
            members.append((sub.title if found == "weekly" else members[0][0], sub))
        for block, member in members:
            for number, raw in member.body:
                if number in skip or not raw.strip():
                    continue
                if raw.strip().startswith("|"):
                    cleaned = _clean_table_row(raw, titles)
                else:
                    cleaned = clean_line(raw, titles)
                if cleaned.strip():
                    out.passages.append(Passage(found, block, number, cleaned))
    if only in (None, "catalog"):
        out.passages += catalog_prose(lines, skip, titles)
    return out


def catalog_prose(lines: list[str], skip: set[int], titles: list[str]) -> list[Passage]:
    """The 概要 and 描述 cells of catalog tables, one block per row."""
    out = []
    for _, header, rows in doc.tables(lines, skip):
        wanted = [i for i, name in enumerate(header) if name.strip() in CATALOG_COLUMNS]
        if not wanted:
            continue
        for number, cells in rows:
            for i in wanted:
                if i < len(cells):
                    cleaned = clean_line(cells[i], titles)
                    if cleaned.strip():
                        out.append(Passage("catalog", f"row {number}", number, cleaned))
    return out


@dataclass
class KindScore:
    """Chinese share and longest English run of one kind's prose."""

    kind: str
    han: int
    latin: int
    longest: int
    longest_text: str
    longest_line: int

    @property
    def chinese_share(self) -> float | None:
        return share(self.han, self.latin)


def score_kind(passages: list[Passage], kind: str) -> KindScore | None:
    """Chinese share and longest English run of the passages of `kind` (None: no prose)."""
    mine = [p for p in passages if p.kind == kind]
    if not mine:
        return None
    han = latin = 0
    best = (0, "", 0)
    for p in mine:
        h, la = letter_counts(p.text)
        han, latin = han + h, latin + la
        n, words = longest_run(p.text)
        if n > best[0]:
            best = (n, words, p.line)
    return KindScore(kind, han, latin, best[0], best[1], best[2])


def chinese_share(text: str, kind: str) -> float | None:
    """Chinese share of a brief's prose of one kind (None when it has none)."""
    score = score_kind(prose(text, kind).passages, kind)
    return score.chinese_share if score else None


def longest_english_run(text: str, kind: str) -> int | None:
    """Longest English run (words) in a brief's prose of one kind (None when it has none)."""
    score = score_kind(prose(text, kind).passages, kind)
    return score.longest if score else None


# --- repeated boilerplate -------------------------------------------------------------------
_SENTENCE_SPLIT = re.compile(r"(?<=[。！？；])|(?<=[.!?;])\s+")


def _norm(sentence: str) -> str:
    s = unicodedata.normalize("NFKC", sentence).casefold()
    return "".join(ch for ch in s if ch.isalnum() or is_han(ch))


@dataclass
class Boilerplate:
    """Sentences of a kind's prose and those repeated verbatim in 2+ blocks."""

    sentences: int
    repeated: int
    examples: list[tuple[int, str, int]]  # (line, sentence, how many blocks)

    @property
    def value(self) -> float | None:
        return round(self.repeated / self.sentences, 4) if self.sentences else None


def boilerplate(passages: list[Passage], min_chars: int = 6) -> Boilerplate:
    """Share of prose sentences that occur verbatim (case, spaces and punctuation ignored)
    in two or more blocks of the same kind; sentences shorter than `min_chars` letters are
    not counted (list stubs such as "- 量化")."""
    blocks_of: dict[tuple[str, str], set[str]] = {}
    where: list[tuple[tuple[str, str], int, str]] = []
    for p in passages:
        for sentence in _SENTENCE_SPLIT.split(p.text):
            key = _norm(sentence)
            if len(key) < min_chars:
                continue
            blocks_of.setdefault((p.kind, key), set()).add(p.block)
            where.append(((p.kind, key), p.line, sentence.strip()))
    repeated = [(k, line, s) for k, line, s in where if len(blocks_of[k]) >= 2]
    seen: set[tuple[str, str]] = set()
    examples = []
    for k, line, s in repeated:
        if k not in seen:
            seen.add(k)
            examples.append((line, s, len(blocks_of[k])))
    return Boilerplate(len(where), len(repeated), examples)


# --- headline-result recall -----------------------------------------------------------------
RESULT_CUES = re.compile(
    r"\b(?:achiev|outperform|speed-?ups?\b|faster|accelerat|reduc|improv|surpass|increas|"
    r"higher|lower|better|fewer|less\b|up to\b|while (?:maintain|preserv|retain)|retain|"
    r"cuts?\b|sav(?:e|es|ing)\b|gains?\b|state-of-the-art|deliver|throughput|boost|"
    r"requires? only)",
    re.IGNORECASE,
)
_ABSTRACT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def result_sentences(abstract: str) -> list[str]:
    """The abstract's sentences that report a result: a result cue and a number."""
    from agent.grounding.numbers import extract_numbers

    out = []
    for sentence in _ABSTRACT_SPLIT.split(" ".join(abstract.split())):
        if RESULT_CUES.search(sentence) and extract_numbers(sentence):
            out.append(sentence)
    return out


def headline_numbers(abstract: str) -> list[str]:
    """The abstract's headline numbers: the effect sizes (%, percentage points, ×) of its
    result sentences; when those hold none, every number of its result sentences (e.g.
    "95.67 F1", "175B parameters"). Empty: the abstract states no result number."""
    from agent.grounding.numbers import extract_numbers

    found = [n for s in result_sentences(abstract) for n in extract_numbers(s)]
    effects = [n for n in found if n.kind in ("percent", "pp", "times")]
    return list(dict.fromkeys(n.raw for n in (effects or found)))


RESULT_SLOT = re.compile(r"(?:达成了?|实现了?)(?P<slot>.*)$", re.DOTALL)


def result_slot(one_liner: str) -> str:
    """The one-liner's result slot: the text after its last 达成(了) (else 实现了); empty
    when it has none."""
    head, sep, tail = one_liner.rpartition("达成")
    if sep:
        return tail.lstrip("了")
    m = RESULT_SLOT.search(one_liner)
    return m.group("slot") if m else ""


def carries_headline(one_liner: str, abstract: str) -> bool | None:
    """Whether the one-liner's result slot states one of the abstract's headline numbers
    (same value at the shown precision, as the grounding check compares numbers). None when
    the abstract has no headline number (nothing to carry)."""
    from agent.grounding.numbers import extract_numbers, number_grounded

    wanted = headline_numbers(abstract)
    if not wanted:
        return None
    heads = [n for raw in wanted for n in extract_numbers(raw)]
    slot = result_slot(one_liner)
    return any(number_grounded(n, heads) for n in extract_numbers(slot))


@dataclass
class OneLiner:
    """A paper's one-liner in a weekly brief and the abstract the same brief gives for it."""

    title: str
    line: int
    sentence: str
    abstract: str


_ABSTRACT_FIELD = re.compile(r"^\s*(?:[-*]\s*)?\*\*\s*(?:摘要|Abstract)\s*\*\*\s*[:：]?\s*(.*)$")
_ANY_FIELD = re.compile(r"^\s*(?:[-*]\s*)?\*\*[^*]{1,20}\*\*\s*[:：]")


def _abstract_of(section: doc.Section) -> str:
    out: list[str] = []
    inside = False
    for _, line in section.body:
        m = _ABSTRACT_FIELD.match(line)
        if m:
            inside = True
            out.append(m.group(1))
            continue
        if inside and _ANY_FIELD.match(line):
            break
        if inside:
            out.append(line)
    return " ".join(" ".join(out).split())


def one_liners(text: str) -> list[OneLiner]:
    """Each paper's one-liner (the 论文技术简报 sub-section's sentence) paired with the
    摘要 of the paper's 论文详细信息 sub-section (same title, else same number)."""
    lines = text.split("\n")
    code = doc.code_lines(lines)
    secs = doc.sections(lines, code)
    brief_at = next(
        (i for i, s in enumerate(secs) if KIND_HEADINGS["weekly"].search(s.title)), None
    )
    if brief_at is None:
        return []
    top = secs[brief_at].level
    briefs: list[doc.Section] = []
    details: list[doc.Section] = []
    target = briefs
    for sec in secs[brief_at + 1 :]:
        if sec.level <= top:
            target = details if re.search(r"论文详细信息|Paper details", sec.title) else []
            continue
        target.append(sec)
    by_key = {d.key: d for d in details if d.key}
    by_number = {d.number: d for d in details if d.number}
    out = []
    for sec in briefs:
        sentence = " ".join(t.strip() for n, t in sec.body if t.strip() and n not in code)
        match = by_key.get(sec.key) if sec.key else None
        if match is None and sec.number:
            match = by_number.get(sec.number)
        out.append(OneLiner(sec.title, sec.line, sentence, _abstract_of(match) if match else ""))
    return out


@dataclass
class HeadlineRecall:
    """Papers whose one-liner carries a headline number, of those whose abstract has one."""

    hits: int
    measured: int
    unmeasured: int  # papers without abstract or without a headline number
    misses: list[tuple[int, str, list[str]]]  # (line, title, the abstract's headline numbers)

    @property
    def value(self) -> float | None:
        return round(self.hits / self.measured, 4) if self.measured else None


def headline_recall(pairs: Iterable[tuple[str, str, str, int]]) -> HeadlineRecall:
    """Over (title, one-liner, abstract, line) items: see `carries_headline`."""
    hits = measured = unmeasured = 0
    misses = []
    for title, sentence, abstract, line in pairs:
        verdict = carries_headline(sentence, abstract) if abstract and sentence else None
        if verdict is None:
            unmeasured += 1
            continue
        measured += 1
        if verdict:
            hits += 1
        else:
            misses.append((line, title, headline_numbers(abstract)))
    return HeadlineRecall(hits, measured, unmeasured, misses)


def brief_headline_recall(text: str) -> HeadlineRecall:
    """`headline_recall` over a weekly brief's one-liners and its own 摘要 fields."""
    return headline_recall((o.title, o.sentence, o.abstract, o.line) for o in one_liners(text))


# --- slot roles ---------------------------------------------------------------------------
ROLES = ("problem", "method", "result", "limitation", "other")


def match_key(text: str) -> str:
    """Text reduced for matching a claim's quote with a labelled sentence: NFKC, case-folded,
    hyphenation joined, letters and digits only."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    text = re.sub(r"(\w)-\s+(\w)", r"\1\2", text)
    return "".join(ch for ch in text.casefold() if ch.isalnum())


Label = tuple[str, tuple[str, ...]]  # a labelled sentence and its role(s)


def labelled_roles(quote: str, labels: list[Label], min_chars: int = 30) -> set[str] | None:
    """The roles the labelled sentences give a picked quote; None when no label matches.

    A label matches when its sentence is inside the quote, or the quote inside it (at least
    `min_chars` letters in common). A quote holding a sentence labelled `other` (a footnote,
    running head or table cell run into it) is `other`, whatever else it holds; an `other`
    label never matches by holding the quote (a title block holds the first sentence after it).
    """
    key = match_key(quote)
    if len(key) < min_chars:
        return None
    roles: set[str] = set()
    for text, label_roles in labels:
        lab = match_key(text)
        if len(lab) < min_chars:
            continue
        if "other" in label_roles:
            if lab in key:
                return {"other"}
            continue
        if lab in key or key in lab:
            roles.update(label_roles)
    return roles or None


@dataclass
class SlotRoles:
    """Claims picked, how many a label covers, and how many have the labelled role."""

    picked: int = 0
    judged: int = 0
    correct: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)  # (slot, label)

    @property
    def accuracy(self) -> float | None:
        return round(self.correct / self.judged, 4) if self.judged else None

    @property
    def coverage(self) -> float | None:
        return round(self.judged / self.picked, 4) if self.picked else None


def slot_roles(picks: Iterable[tuple[str, str]], labels: list[Label]) -> SlotRoles:
    """Score (slot kind, quote) picks against labelled sentences (`labelled_roles`): a pick
    is judged when a label matches its quote, correct when its kind is one of their roles."""
    out = SlotRoles()
    for kind, quote in picks:
        out.picked += 1
        roles = labelled_roles(quote, labels)
        if roles is None:
            continue
        out.judged += 1
        if kind in roles:
            out.correct += 1
        else:
            out.confusions[(kind, "/".join(sorted(roles)))] += 1
    return out
