"""Relevance of a candidate to a topic: keyword hits, negative keywords, embedding similarity.

score = 0.7 × keyword part + 0.3 × similarity (keyword part alone when no embeddings),
minus 0.5 for a negative keyword in the title and 0.25 for each one only in the abstract
(at most 0.5: abstracts often mention neighbouring fields in passing), clamped to [0, 1]. The keyword part counts distinct
profile keywords, a title hit twice: min(1, (2 × title hits + abstract-only hits) / 4).
Every part is kept so that the user sees why a paper scored what it did.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

KEYWORD_WEIGHT = 0.7
NEGATIVE_PENALTY = 0.5
FULL_KEYWORD_POINTS = 4.0
QUERY_FIELD_RE = re.compile(r"\b(?:ti|abs|au|cat|all|co|jr|rn|id):")
BOOLEAN_WORDS = {"and", "or", "andnot", "not"}

Embed = Callable[[list[str]], Sequence[Sequence[float]]]


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


def _pattern(keyword: str) -> re.Pattern[str]:
    words = _normal(keyword).split()
    body = r"\s+".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![a-z0-9]){body}(?:s|es)?(?![a-z0-9])")


def keyword_hits(text: str, keywords: Sequence[str]) -> list[str]:
    """The keywords that occur in text (case, hyphens and plurals ignored)."""
    norm = _normal(text)
    return [k for k in keywords if k.strip() and _pattern(k).search(norm)]


def query_keywords(query: str) -> list[str]:
    """Plain words and quoted phrases of a free query, for scoring."""
    phrases = re.findall(r'"([^"]+)"', query)
    rest = re.sub(r'"[^"]*"', " ", QUERY_FIELD_RE.sub(" ", query))
    words = [w for w in re.split(r"[\s()]+", rest) if w and w.lower() not in BOOLEAN_WORDS]
    return phrases + words


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


def default_embedder(settings: Any) -> Embed | None:
    """The store's embedding function (store.embeddings), or None if it is unavailable."""
    try:
        from store import embeddings
    except ImportError:
        return None
    factory = getattr(embeddings, "get_embedding_function", None) or getattr(
        embeddings, "embedding_function", None
    )
    if factory is None:
        return None
    function = factory(settings)
    return lambda texts: [list(map(float, v)) for v in function(list(texts))]


@dataclass
class Relevance:
    """A candidate's score and what it is made of."""

    score: float
    title_hits: list[str] = field(default_factory=list)
    abstract_hits: list[str] = field(default_factory=list)
    negative_hits: list[str] = field(default_factory=list)
    similarity: float | None = None

    def explain(self) -> str:
        parts = []
        if self.title_hits:
            parts.append("title: " + ", ".join(self.title_hits))
        if self.abstract_hits:
            parts.append("abstract: " + ", ".join(self.abstract_hits))
        if self.negative_hits:
            parts.append("negative: " + ", ".join(self.negative_hits))
        if self.similarity is not None:
            parts.append(f"similarity {self.similarity:.2f}")
        return "; ".join(parts) or "no keyword hits"

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "title_hits": self.title_hits,
            "abstract_hits": self.abstract_hits,
            "negative_hits": self.negative_hits,
            "similarity": self.similarity,
        }


class Scorer:
    """Scores candidates against a topic profile or a free query."""

    def __init__(
        self,
        keywords: Sequence[str],
        negative: Sequence[str] = (),
        profile_text: str = "",
        embed: Embed | None = None,
    ) -> None:
        self.keywords = list(dict.fromkeys(k for k in keywords if k.strip()))
        self.negative = list(negative)
        self.embed = embed if profile_text else None
        self._profile_vector: Sequence[float] | None = None
        self.profile_text = profile_text

    @classmethod
    def for_topic(cls, topic: Any, embed: Embed | None = None) -> Scorer:
        words = list(topic.keywords) + [k for d in topic.directions for k in d.keywords]
        return cls(topic.keywords or words, topic.negative, topic.profile_text(), embed)

    @classmethod
    def for_query(cls, query: str, embed: Embed | None = None) -> Scorer:
        return cls(query_keywords(query), (), query, embed)

    def similarity(self, text: str) -> float | None:
        if self.embed is None:
            return None
        if self._profile_vector is None:
            self._profile_vector = self.embed([self.profile_text])[0]
        return cosine(self._profile_vector, self.embed([text])[0])

    def score(self, title: str, abstract: str) -> Relevance:
        title_hits = keyword_hits(title, self.keywords)
        abstract_hits = [k for k in keyword_hits(abstract, self.keywords) if k not in title_hits]
        negative_hits = keyword_hits(f"{title}\n{abstract}", self.negative)
        points = 2 * len(title_hits) + len(abstract_hits)
        keyword_part = min(1.0, points / FULL_KEYWORD_POINTS)
        sim = self.similarity(f"{title}\n{abstract}")
        value = (
            keyword_part
            if sim is None
            else (KEYWORD_WEIGHT * keyword_part + (1 - KEYWORD_WEIGHT) * max(0.0, sim))
        )
        title_negative = keyword_hits(title, self.negative)
        value -= min(
            NEGATIVE_PENALTY,
            NEGATIVE_PENALTY * len(title_negative)
            + NEGATIVE_PENALTY / 2 * (len(negative_hits) - len(title_negative)),
        )
        value = round(min(1.0, max(0.0, value)), 3)
        return Relevance(
            value, title_hits, abstract_hits, negative_hits, None if sim is None else round(sim, 3)
        )
