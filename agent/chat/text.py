"""Small text helpers for answers: words, sentences, overlap, best quote on a page."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|\d+(?:\.\d+)?%?|[\u4e00-\u9fff]")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+(?=[A-Z0-9(\[“\"\u4e00-\u9fff])")
_ABBREV = re.compile(r"\b(?:e\.g|i\.e|et al|Fig|Figs|Eq|Sec|Tab|vs|cf|resp|approx|p|pp)\.$")

_STOPWORD_TEXT = """
good best common new way ways thing things lot many much well like get know
a an the and or of to in on for with by from at as is are was were be been being this
that these those it its into than then there their they them we our us you your i he she
his her what which who whom whose when where why how do does did done can could should
would will may might must not no nor so such also about over under between both each
more most other some any all only very just same own too out up down off again further
once here have has had having if while during before after above below paper papers work
method methods approach show shows use used using make makes tell me please give explain
describe one two
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def collapse(text: str) -> str:
    """Whitespace collapsed to single spaces, NFKC-normalised, ligatures expanded."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def words(text: str) -> list[str]:
    """Lower-cased word tokens (CJK characters one by one)."""
    return [w.lower() for w in _WORD.findall(unicodedata.normalize("NFKC", text))]


def stem(word: str) -> str:
    """A crude suffix stripper, enough to match 'quantized' with 'quantization'."""
    for suffix in ("ization", "isation", "ations", "ation", "ings", "ing", "ies", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def content_terms(text: str) -> set[str]:
    """Stemmed words that carry meaning (stopwords and 1-letter words dropped)."""
    return {stem(w) for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())}


def coverage(query_terms: set[str], text: str) -> float:
    """Share of the query's content terms that occur in `text` (0..1)."""
    if not query_terms:
        return 0.0
    return len(query_terms & content_terms(text)) / len(query_terms)


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage, whitespace collapsed; abbreviations like 'e.g.' do not split."""
    out: list[str] = []
    for part in _SENTENCE_END.split(collapse(text)):
        if out and _ABBREV.search(out[-1]):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return [s for s in out if s]


_CAPTION = re.compile(r"^(?:\d{1,3}\s+)?(?:figure|fig\.|table|tab\.|algorithm|listing)\s*\d", re.I)
_BOILERPLATE = re.compile(
    r"arxiv:\s?\d|preprint|under review|conference paper|proceedings of|copyright|©|@|"
    r"https?://|www\.|\{|\}|∗|†|‡",
    re.IGNORECASE,
)
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
_CAPTION_ZH = re.compile(r"^(?:图|表|算法)\s*\d")
_MATH = re.compile(r"[=∈∑∏≤≥≈∝→←∀∃∇∂]")
_NUMERIC = re.compile(r"^[-+–±×x(]*[\d.,]+[%×x)]*$")
# "6 Conclusion and future work We introduced ...": a section heading the extractor glued to
# the sentence after it
_GLUED_HEADING = re.compile(
    r"^\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z][\w-]*(?:\s+[\w-]+){0,5}?\s+"
    r"(?=(?:We|This|In|Our|The|To|A|An|It|These|Here|For|As)\s)"
)


def strip_heading(sentence: str) -> str:
    """The sentence without a numbered section heading glued in front of it (still a
    verbatim substring of the page)."""
    return _GLUED_HEADING.sub("", sentence, count=1)


def is_prose(sentence: str) -> bool:
    """Whether a sentence reads as prose a person can quote: not a figure or table caption,
    a table row of numbers, a running head, an author or affiliation line, or a fragment cut
    at a chunk boundary."""
    text = sentence.strip()
    tokens = text.split()
    letters_all = sum(c.isalpha() for c in text)
    if len(_CJK_CHAR.findall(text)) * 3 >= letters_all > 0:  # Chinese prose
        return (
            len(text) >= 15
            and bool(re.search(r"[。！？.!?]$", text))
            and not _CAPTION_ZH.match(text)
            and not _BOILERPLATE.search(text)
        )
    if len(tokens) < 6 or not text[0].isupper() and not text[0].isdigit():
        return False
    if not re.search(r"[.!?。！？)\]]$", text):
        return False
    if _CAPTION.match(text) or _BOILERPLATE.search(text):
        return False
    if sum(1 for t in tokens if _NUMERIC.match(t)) > 0.2 * len(tokens):
        return False
    if len(_MATH.findall(text)) > 1 or sum(1 for t in tokens if len(t) == 1) > 0.2 * len(tokens):
        return False  # a formula
    letters = sum(c.isalpha() for c in text)
    capitalised = sum(1 for t in tokens if t[:1].isupper())
    return letters >= 0.6 * len(text) and capitalised <= 0.5 * len(tokens)


def best_quote(
    page_text: str,
    target: str,
    max_chars: int = 400,
    *,
    prose_only: bool = False,
) -> str:
    """The sentence of `page_text` sharing most content terms with `target`, verbatim.

    Returns "" when no sentence shares a term. Long sentences are cut at `max_chars` at a
    word boundary (the cut text is still a verbatim substring of the page). `prose_only`
    skips captions, table rows, other non-prose lines (`is_prose`) and sentences longer than
    `max_chars`, and drops a section heading glued in front of a sentence.
    """
    terms = content_terms(target)
    best, best_score = "", 0.0
    for sentence in split_sentences(page_text):
        if prose_only:  # and whole: a "sentence" longer than max_chars is text run together
            sentence = strip_heading(sentence)
            if len(sentence) > max_chars or not is_prose(sentence):
                continue
        if len(sentence) < 40:
            continue
        overlap = len(terms & content_terms(sentence))
        if not overlap:
            continue
        score = overlap / (1 + 0.002 * len(sentence))
        if score > best_score:
            best, best_score = sentence, score
    if len(best) > max_chars:
        best = best[:max_chars].rsplit(" ", 1)[0]
    return best
