"""Where a quote occurs in a paper's page texts.

Both sides are reduced to a key: NFKC (ligatures, full-width forms), soft hyphens and
zero-width characters removed, quote and dash variants unified, then every whitespace and
hyphen dropped, so "effi-\\ncient" = "efficient" and line breaks do not matter. Case is kept.
An exact search of the key comes first; when it fails, a bounded fuzzy search anchors the quote
with character 8-grams, and only the best few windows are scored with difflib (≥ 0.9 of the
quote's characters matched in order), so a 50-page paper stays fast. A fuzzy match must still
hold every number of the quote verbatim: 61.4× altered to 64.1× is never "close enough".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from difflib import SequenceMatcher
from functools import lru_cache

THRESHOLD = 0.9
_MIN_FUZZY = 16  # keys shorter than this must match exactly
_GRAM = 8
_MAX_WINDOWS = 4

_DROP = re.compile(r"[\s\u00ad\u200b\u200c\u200d\u2060\ufeff\-‐‑‒–—―−]+")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_QUOTES = str.maketrans({c: "'" for c in '‘’‚‛′`´“”„‟″«»"「」『』'})


@lru_cache(maxsize=4096)
def quote_key(text: str) -> str:
    """The comparison key of `text` (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _DROP.sub("", text)


def normalize(text: str) -> str:
    """Readable normal form: NFKC, joined hyphenation at line breaks, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).replace("\u00ad", "")
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return re.sub(r"\s+", " ", text).strip()


def similarity(quote: str, text: str) -> float:
    """Share of the quote's key found, in order, in the best window of `text`'s key (0..1)."""
    q, t = quote_key(quote), quote_key(text)
    if not q:
        return 0.0
    if q in t:
        return 1.0
    return _best_window_score(q, t)


def _best_window_score(q: str, t: str) -> float:
    if len(q) < _MIN_FUZZY or len(t) < len(q) * THRESHOLD:
        return 0.0
    step = max(1, len(q) // 64)  # at most ~64 anchors per quote
    grams = {q[i : i + _GRAM]: i for i in range(0, len(q) - _GRAM + 1, step)}
    votes: Counter[int] = Counter()
    for gram, offset in grams.items():
        start = t.find(gram)
        hits = 0
        while start != -1 and hits < 50:
            votes[(start - offset) // 16] += 1
            start = t.find(gram, start + 1)
            hits += 1
    best = 0.0
    need = max(2, len(grams) // 10)
    for bucket, count in votes.most_common(_MAX_WINDOWS):
        if count < need:
            break
        lo = max(0, bucket * 16 - len(q) // 10 - 16)
        window = t[lo : lo + len(q) + len(q) // 5 + 32]
        if not _digits(q) <= _digits(window):
            continue  # a fuzzy match never forgives a changed number
        matcher = SequenceMatcher(None, q, window, autojunk=False)
        matched = sum(block.size for block in matcher.get_matching_blocks())
        best = max(best, matched / len(q))
    return best


def _digits(key: str) -> set[str]:
    """Digit runs of a key, with their decimal point: '61.4', '2', '10858'."""
    return set(_DIGITS.findall(key))


def _on_page(q: str, pages: list[str], index: int, fuzzy: bool) -> float:
    """Score of key `q` on 0-based page `index`, including a quote running onto the next page."""
    text = quote_key(pages[index])
    if q in text:
        return 1.0
    if index + 1 < len(pages):
        tail = text[-len(q) :]
        found = (tail + quote_key(pages[index + 1])[: len(q)]).find(q)
        if -1 < found < len(tail) and found + len(q) > len(tail):
            return 1.0
    if not fuzzy:
        return 0.0
    if index + 1 < len(pages):
        text = text + quote_key(pages[index + 1])[: len(q)]
    return _best_window_score(q, text)


def _parts(quote: str) -> list[str]:
    """Keys of the pieces of a quote elided with '...', '…' or '[...]' (one piece if none)."""
    pieces = re.split(r"\[?(?:\.\s?){3}\]?|…", quote)
    keys = [quote_key(p) for p in pieces]
    return [k for k in keys if len(k) >= 4]


def _score(parts: list[str], pages: list[str], index: int, fuzzy: bool) -> float:
    """The weakest piece's score on 0-based page `index`: every piece must be there."""
    return min(_on_page(q, pages, index, fuzzy) for q in parts)


def find_quote(quote: str, pages: list[str], page: int, slack: int = 1) -> int | None:
    """The 1-based page within `page`±`slack` where `quote` occurs, else None.

    The cited page wins ties; exact (normalised) matches are tried on all candidate pages
    before the fuzzy fallback. An elided quote ("A ... B") needs every piece on that page.
    """
    parts = _parts(quote)
    if not parts or not pages:
        return None
    candidates = [page] + [p for d in range(1, slack + 1) for p in (page - d, page + d)]
    candidates = [p for p in candidates if 1 <= p <= len(pages)]
    for fuzzy in (False, True):
        best, best_page = 0.0, None
        for p in candidates:
            score = _score(parts, pages, p - 1, fuzzy)
            if score >= 1.0:
                return p
            if score > best:
                best, best_page = score, p
        if fuzzy and best >= THRESHOLD:
            return best_page
    return None


def quote_page(quote: str, pages: list[str]) -> int | None:
    """The 1-based page of the paper where `quote` occurs (exact first, then fuzzy), else None."""
    parts = _parts(quote)
    if not parts or not pages:
        return None
    for index in range(len(pages)):
        if _score(parts, pages, index, fuzzy=False) >= 1.0:
            return index + 1
    best, best_page = 0.0, None
    for index in range(len(pages)):
        score = _score(parts, pages, index, fuzzy=True)
        if score > best:
            best, best_page = score, index + 1
    return best_page if best >= THRESHOLD else None
