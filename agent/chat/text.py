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


def best_quote(page_text: str, target: str, max_chars: int = 400) -> str:
    """The sentence of `page_text` sharing most content terms with `target`, verbatim.

    Returns "" when no sentence shares a term. Long sentences are cut at `max_chars` at a
    word boundary (the cut text is still a verbatim substring of the page).
    """
    terms = content_terms(target)
    best, best_score = "", 0.0
    for sentence in split_sentences(page_text):
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
