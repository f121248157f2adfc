"""Retrieval for answers: the store's hybrid search, re-ranked and gated by relevance.

A passage counts as relevant when at least MIN_RELEVANCE of the question's content terms
(stemmed, stopwords dropped), and at least MIN_MATCHED of them, occur together: in the
paper's title or section, a claim's statement, or a window of WINDOW consecutive sentences.
When no passage passes, the answer is the not-found sentinel instead of a guess. The gate
is lexical on purpose: it behaves the same whatever embedding the store uses, and it can be
explained in one sentence.

A Chinese question is gated on its concepts (store/crosslingual.py): each known Chinese term
counts once, met by any of its English terms (or itself, for a Chinese paper); a model or
method name written in Latin letters (QLoRA, Mamba) must occur in the passage.

A follow-up ("what about its memory use?", "它的加速比是多少？", "这篇论文用了什么数据集？")
is searched together with the previous question, within the paper the previous answer cited
most (when that paper has a relevant passage).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from agent.chat.citations import refs_in
from agent.chat.evidence import Evidence, Filters, StoreView
from agent.chat.text import content_terms, split_sentences
from store.crosslingual import expand

MIN_RELEVANCE = 0.5
WINDOW = 3  # consecutive sentences in which the question's terms must occur together
MIN_MATCHED = 2  # terms a passage must share with the question (fewer if it has fewer)
CANDIDATES_PER_RESULT = 4
_CJK = re.compile(r"[\u4e00-\u9fff]")
_YEAR = re.compile(r"\b(?:19|20)\d{2}[a-z]?\b")
_FOLLOW_UP = re.compile(r"\b(it|its|they|their|this|that|these|those|he|she|there)\b", re.I)
_FOLLOW_UP_ZH = re.compile(
    r"它|其中|这篇|那篇|该论文|该文|该方法|该模型|该工作|这个方法|这个模型|这项工作|这种方法|作者们?|上面|刚才"
)
_NAME = re.compile(r"^(?=.*[A-Za-z])(?=.*[A-Z0-9]).{2,}$")  # QLoRA, GPT-4o, Mamba, LLaMA3

Group = list[frozenset[str]]  # alternatives: a group is met when all terms of one occur


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
    if is_follow_up(question):
        return f"{previous[-1].content} {question}"
    return question


def is_follow_up(question: str) -> bool:
    """A question that refers back: a pronoun (it, 它, 这篇, 该论文) or too few terms of its
    own to be searched alone."""
    if _FOLLOW_UP_ZH.search(question):
        return True
    groups = gate_groups(question)
    return len(groups) < (2 if expand(question).crosslingual else 3) or bool(
        _FOLLOW_UP.search(question)
    )


def paper_in_focus(question: str, history: Sequence[Any] | None) -> str | None:
    """For a follow-up, the paper the previous answer cited most (None otherwise)."""
    if not is_follow_up(question):
        return None
    answers = [m for m in (history or []) if getattr(m, "type", None) == "ai"]
    for message in reversed(answers):
        cited = Counter(ref.paper for ref in refs_in(str(message.content)))
        if cited:
            return cited.most_common(1)[0][0]
    return None


def gate_groups(query: str) -> list[Group]:
    """What the relevance gate looks for: one group per content term of an English query;
    for a Chinese one, one per Latin word and one per known Chinese term (its English terms
    or itself)."""
    expansion = expand(query)
    if not expansion.crosslingual:
        return [[frozenset({t})] for t in sorted(query_terms(query))]
    groups: list[Group] = []
    for word in expansion.latin:
        terms = query_terms(word)
        if terms:
            groups.append([frozenset(terms)])
    for concept in expansion.concepts:
        alternatives = [frozenset(content_terms(en)) for en in concept.english]
        alternatives.append(frozenset(content_terms(concept.zh)))
        group = [a for a in alternatives if a]
        if group and group not in groups:
            groups.append(group)
    return groups


def names_in(query: str) -> list[frozenset[str]]:
    """Model or method names written in Latin letters in a Chinese query (QLoRA, Mamba)."""
    expansion = expand(query)
    if not expansion.crosslingual:
        return []
    return [frozenset(query_terms(w)) for w in expansion.latin if _NAME.match(w) and query_terms(w)]


def matched_groups(groups: list[Group], ev: Evidence) -> int:
    """How many groups the passage meets: in its title, section or claim statement, plus one
    window of WINDOW consecutive sentences."""
    context = content_terms(f"{ev.title} {ev.section} {ev.about}")
    sentences = [content_terms(s) for s in split_sentences(ev.text)] or [set()]
    best = 0
    for i in range(max(1, len(sentences) - WINDOW + 1)):
        found = context.union(*sentences[i : i + WINDOW])
        best = max(best, sum(1 for g in groups if any(alt <= found for alt in g)))
    return best


def retrieve(
    view: StoreView,
    query: str,
    k: int,
    filters: Filters | None = None,
    min_relevance: float = MIN_RELEVANCE,
    extra: Sequence[str] = (),
) -> list[Evidence]:
    """Up to k relevant passages, best first; [] when nothing passes the relevance gate.

    `extra`: English search terms a model gave for a Chinese query (agent/chat/translate.py);
    they are searched too, and gate the passages when the lexicon knew none of its terms.
    """
    expansion = expand(query, extra)
    searched = expansion.text()
    candidates = view.search(searched, k=max(k * CANDIDATES_PER_RESULT, 20), filters=filters)
    crosslingual = expansion.crosslingual
    terms = set() if crosslingual else query_terms(query)
    groups = gate_groups(query) if crosslingual else []
    if crosslingual and not groups and extra:  # only the model's terms: any MIN_MATCHED do
        groups = [[frozenset(content_terms(t))] for t in extra if content_terms(t)]
        min_relevance = 0.0
    names = names_in(query)
    ranked: list[tuple[float, Evidence]] = []
    for rank, ev in enumerate(candidates):
        if looks_like_references(ev.text) or ev.section.lower().startswith(
            ("reference", "bibliograph")
        ):
            continue
        if names:  # a question naming a model is about that model
            words = content_terms(f"{ev.title} {ev.about} {ev.text}")
            if not any(name <= words for name in names):
                continue
        if groups:
            met = matched_groups(groups, ev)
            ev.relevance = met / len(groups)
            if ev.relevance < min_relevance or met < min(MIN_MATCHED, len(groups)):
                continue
        elif terms:
            found = matched_terms(terms, ev)
            ev.relevance = len(found) / len(terms)
            if ev.relevance < min_relevance or len(found) < min(MIN_MATCHED, len(terms)):
                continue
        else:  # no terms the gate can read (a question of unknown Chinese words): trust the store
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


def retrieve_for(
    view: StoreView,
    question: str,
    history: Sequence[Any] | None,
    k: int,
    filters: Filters | None = None,
    extra: Sequence[str] = (),
) -> tuple[str, list[Evidence]]:
    """The query searched for `question` in a conversation, and its evidence: a follow-up is
    searched with the previous question, first within the paper in focus."""
    filters = filters or Filters()
    query = search_query(question, history)
    focus = None if filters.paper else paper_in_focus(question, history)
    if focus:
        evidence = retrieve(view, query, k, replace(filters, paper=focus), extra=extra)
        if evidence:
            return query, evidence
    return query, retrieve(view, query, k, filters, extra=extra)
