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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

KEYWORD_WEIGHT = 0.7
NEGATIVE_PENALTY = 0.5
FULL_KEYWORD_POINTS = 4.0
QUERY_FIELD_RE = re.compile(r"\b(?:ti|abs|au|cat|all|co|jr|rn|id):")
BOOLEAN_WORDS = {"and", "or", "andnot", "not"}


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


class EmbedderLike(Protocol):
    """What store.embeddings.Embedder offers: document and query vectors."""

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, texts: Sequence[str]) -> list[list[float]]: ...


def default_embedder(settings: Any) -> EmbedderLike | None:
    """The store's embedding provider (settings.embeddings), or None if unavailable."""
    try:
        from store.embeddings import make_embedder
    except ImportError:
        return None
    return make_embedder(settings.embeddings, settings)


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
        embedder: EmbedderLike | None = None,
    ) -> None:
        self.keywords = list(dict.fromkeys(k for k in keywords if k.strip()))
        self.negative = list(negative)
        self.profile_text = profile_text
        self.embedder = embedder if profile_text else None
        self.problem: str | None = None  # why similarity was switched off, if it was

    @classmethod
    def for_topic(cls, topic: Any, embedder: EmbedderLike | None = None) -> Scorer:
        return cls(topic.keywords, topic.negative, topic.profile_text(), embedder)

    @classmethod
    def for_query(cls, query: str, embedder: EmbedderLike | None = None) -> Scorer:
        return cls(query_keywords(query), (), query, embedder)

    def similarities(self, texts: Sequence[str]) -> list[float | None]:
        """Cosine similarity of each text to the profile; None without embeddings.

        An embedding failure (e.g. an unreachable embeddings server) switches similarity
        off for this scorer and is kept in `problem`; keyword scores still work.
        """
        if self.embedder is None or not texts:
            return [None] * len(texts)
        try:
            profile = self.embedder.embed_query([self.profile_text])[0]
            vectors = self.embedder.embed(list(texts))
        except Exception as exc:  # similarity is a refinement, never a reason to stop
            self.problem = f"embedding similarity off: {exc}"
            self.embedder = None
            return [None] * len(texts)
        return [cosine(profile, v) for v in vectors]

    def score(self, title: str, abstract: str, similarity: float | None = None) -> Relevance:
        """One candidate; `similarity` defaults to computing it now."""
        if similarity is None and self.embedder is not None:
            similarity = self.similarities([f"{title}\n{abstract}"])[0]
        title_hits = keyword_hits(title, self.keywords)
        abstract_hits = [k for k in keyword_hits(abstract, self.keywords) if k not in title_hits]
        negative_hits = keyword_hits(f"{title}\n{abstract}", self.negative)
        title_negative = keyword_hits(title, self.negative)
        points = 2 * len(title_hits) + len(abstract_hits)
        keyword_part = min(1.0, points / FULL_KEYWORD_POINTS)
        value = keyword_part
        if similarity is not None:
            value = KEYWORD_WEIGHT * keyword_part + (1 - KEYWORD_WEIGHT) * max(0.0, similarity)
        value -= min(
            NEGATIVE_PENALTY,
            NEGATIVE_PENALTY * len(title_negative)
            + NEGATIVE_PENALTY / 2 * (len(negative_hits) - len(title_negative)),
        )
        value = round(min(1.0, max(0.0, value)), 3)
        sim = None if similarity is None else round(similarity, 3)
        return Relevance(value, title_hits, abstract_hits, negative_hits, sim)

    def score_all(self, pairs: Sequence[tuple[str, str]]) -> list[Relevance]:
        """Many (title, abstract) pairs, embedded in one batch."""
        sims = self.similarities([f"{t}\n{a}" for t, a in pairs])
        return [self.score(t, a, s) for (t, a), s in zip(pairs, sims, strict=True)]
