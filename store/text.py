"""Tokenisation shared by the lexical index and the hash embedder.

Latin text: lower-cased NFKC words and numbers; compounds such as `gpt-3`, `llm.int8` or
`3.5` are kept whole and also split into their parts, so exact model names and numbers
match. A light suffix stemmer folds `quantized`/`quantizes`/`quantization` together.
Chinese, Japanese and Korean text: overlapping character bigrams (a lone character is kept
as a unigram), the usual dictionary-free way to index CJK.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:[.\-_][a-z0-9]+)*")
_CJK_RE = re.compile(rf"[{_CJK}]")
_PARTS_RE = re.compile(r"[.\-_]")

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "we",
        "our",
        "us",
        "you",
        "your",
        "i",
        "he",
        "she",
        "not",
        "no",
        "than",
        "so",
        "such",
        "also",
        "may",
        "more",
        "most",
        "other",
        "some",
        "any",
        "each",
        "both",
        "all",
        "only",
        "over",
        "under",
        "between",
        "about",
        "after",
        "before",
        "during",
        "through",
        "via",
        "per",
        "using",
        "used",
        "use",
    ]
)

_SUFFIXES = (
    ("izations", "ize"),
    ("ization", "ize"),
    ("isations", "ize"),
    ("isation", "ize"),
    ("ational", "ate"),
    ("ations", "ate"),
    ("ation", "ate"),
    ("ising", "ize"),
    ("izing", "ize"),
    ("ised", "ize"),
    ("ized", "ize"),
    ("izes", "ize"),
    ("ises", "ize"),
    ("ise", "ize"),
    ("ities", "ity"),
    ("nesses", ""),
    ("ness", ""),
    ("ments", ""),
    ("ment", ""),
    ("ingly", ""),
    ("edly", ""),
    ("ings", ""),
    ("ing", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("ers", "er"),
    ("ed", ""),
    ("es", ""),
    ("s", ""),
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A small suffix stripper: enough to match inflections, never shorter than 3 letters."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) + len(repl) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("ches", "shes", "xes", "sses", "zes")):
                return word[:-1]  # "modes" -> "mode", not "mod"
            return word[: len(word) - len(suffix)] + repl
    return word


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def tokenize(text: str, *, stopwords: bool = True) -> list[str]:
    """Index terms of `text`: stemmed words, compounds and their parts, CJK bigrams."""
    out: list[str] = []
    append = out.append
    for match in _TOKEN_RE.findall(normalise(text)):
        if _CJK_RE.match(match):
            if len(match) == 1:
                append(match)
            else:
                out.extend(match[i : i + 2] for i in range(len(match) - 1))
            continue
        if _PARTS_RE.search(match):
            append(match)
            for part in _PARTS_RE.split(match):
                if part and not (stopwords and part in STOPWORDS):
                    append(stem(part))
            continue
        if stopwords and match in STOPWORDS:
            continue
        append(stem(match))
    return out
