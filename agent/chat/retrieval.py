"""Retrieval for answers: the store's hybrid search, re-ranked and gated by relevance.

A passage counts as relevant when at least MIN_RELEVANCE of the question's content terms
(stemmed, stopwords dropped), and at least MIN_MATCHED of them, occur together: in the
paper's title or section, a claim's statement, or a window of WINDOW consecutive sentences.
When no passage passes, the answer is the not-found sentinel instead of a guess. The gate
is lexical on purpose: it behaves the same whatever embedding the store uses, and it can be
explained in one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from agent.chat.evidence import Evidence, Filters, StoreView
from agent.chat.text import content_terms, split_sentences

MIN_RELEVANCE = 0.5
WINDOW = 3  # consecutive sentences in which the question's terms must occur together
MIN_MATCHED = 2  # terms a passage must share with the question (fewer if it has fewer)
CANDIDATES_PER_RESULT = 4
_CJK = re.compile(r"[\u4e00-\u9fff]")
_YEAR = re.compile(r"\b(?:19|20)\d{2}[a-z]?\b")
_FOLLOW_UP = re.compile(r"\b(it|its|they|their|this|that|these|those|he|she|there)\b", re.I)


def query_terms(query: str) -> set[str]:
    """Content terms the relevance gate looks for (CJK characters are left to the store)."""
    return {t for t in content_terms(query) if not _CJK.search(t)}


def looks_like_references(text: str) -> bool:
    """A bibliography passage: about one year per 12 words or more."""
    n_words = max(1, len(text.split()))
    return len(_YEAR.findall(text)) * 12 >= n_words and n_words >= 30


def matched_terms(terms: set[str], ev: Evidence) -> set[str]:
    """The question's terms found together in the passage: in its title, section or claim
    statement, plus those in the best window of WINDOW consecutive sentences."""
    context = terms & content_terms(f"{ev.title} {ev.section} {ev.about}")
    sentences = [content_terms(s) for s in split_sentences(ev.text)] or [set()]
    best: set[str] = set()
    for i in range(max(1, len(sentences) - WINDOW + 1)):
        window = terms & set().union(*sentences[i : i + WINDOW])
        if len(window) > len(best):
            best = window
    return context | best


def search_query(question: str, history: Sequence[Any] | None) -> str:
    """The text searched for: the question, plus the previous question for a follow-up.

    A follow-up is a question with fewer than three content terms or a pronoun referring
    back ("what about its memory use?").
    """
    previous = [m for m in (history or []) if getattr(m, "type", None) == "human"]
    if not previous:
        return question
    if len(query_terms(question)) < 3 or _FOLLOW_UP.search(question):
        return f"{previous[-1].content} {question}"
    return question


def retrieve(
    view: StoreView,
    query: str,
    k: int,
    filters: Filters | None = None,
    min_relevance: float = MIN_RELEVANCE,
) -> list[Evidence]:
    """Up to k relevant passages, best first; [] when nothing passes the relevance gate."""
    candidates = view.search(query, k=max(k * CANDIDATES_PER_RESULT, 20), filters=filters)
    terms = query_terms(query)
    ranked: list[tuple[float, Evidence]] = []
    for rank, ev in enumerate(candidates):
        if looks_like_references(ev.text) or ev.section.lower().startswith(
            ("reference", "bibliograph")
        ):
            continue
        if terms:
            found = matched_terms(terms, ev)
            ev.relevance = len(found) / len(terms)
            if ev.relevance < min_relevance or len(found) < min(MIN_MATCHED, len(terms)):
                continue
        else:  # no terms the gate can read (e.g. a question in Chinese): trust the store
            ev.relevance = 1.0
        ranked.append((ev.relevance + 0.3 / (1 + rank), ev))
    ranked.sort(key=lambda pair: -pair[0])
    out: list[Evidence] = []
    seen: set[tuple[str, int, str]] = set()
    for _, ev in ranked:
        key = (ev.paper, ev.page, ev.text[:80])
        if key not in seen:
            seen.add(key)
            out.append(ev)
    return out[:k]
