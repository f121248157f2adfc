"""Grouping papers by a topic's taxonomy (agent/data/topics.toml directions), on each paper's
own title and abstract, by one rule a reader can check:

    score(direction) = 3 × (occurrences of its terms in the title)
                       + (occurrences of its terms in the abstract)

A term matches case-, hyphen- and plural-insensitively, and its last word in its other
inflections (distillation / distilling / distilled, quantization / quantized). A paper goes
under the direction with the highest score when that score is at least CENTRAL (the title
names the direction, or the abstract uses its terms at least twice); ties go to the
taxonomy's order. A paper no direction reaches goes under 其他 / Other, with that reason:
a passing mention (Hinton's distillation paper says "unlike a mixture of experts" once)
never files a paper under a direction."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from agent.topics import Direction, TopicProfile

OTHER = {"zh": "其他", "en": "Other"}
TITLE_WEIGHT = 3
CENTRAL = 2
UNFILED_REASON = {
    "zh": "未归类：标题不含任何方向的术语，摘要中也没有一个方向的术语出现至少两次",
    "en": "unfiled: no direction's terms in the title, nor any direction's terms twice in the abstract",
}
_SUFFIX_RE = re.compile(r"(?:ation|ations|ing|ings|ed|ion|ions|es|e|s)$")


def paper_text(paper: dict[str, Any]) -> str:
    """What a paper is matched on: its title and abstract."""
    return f"{paper.get('title') or ''}\n{paper.get('abstract') or ''}"


def direction_name(direction: Direction | None, lang: str) -> str:
    if direction is None:
        return OTHER[lang]
    return (direction.name_zh if lang == "zh" else "") or direction.name


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


def _word(word: str, last: bool) -> str:
    """A term's word as a pattern: the last word of a long term in any inflection."""
    if not last:
        return re.escape(word)
    stem = _SUFFIX_RE.sub("", word) if len(word) >= 6 else ""
    if len(stem) >= 5:
        return re.escape(stem) + r"(?:ations?|ings?|ed|ions?|es|e|s)?"
    return re.escape(word) + r"(?:s|es)?"


@lru_cache(maxsize=256)
def _terms(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for all of a direction's terms, longest first (overlaps count once)."""
    bodies = []
    for keyword in sorted(keywords, key=lambda k: -len(k)):
        words = _normal(keyword).split()
        if words:
            bodies.append(r"\s+".join(_word(w, i == len(words) - 1) for i, w in enumerate(words)))
    return re.compile(rf"(?<![a-z0-9])(?:{'|'.join(bodies) or '(?!)'})(?![a-z0-9])")


def score(direction: Direction, paper: dict[str, Any]) -> int:
    """TITLE_WEIGHT × term occurrences in the title + term occurrences in the abstract."""
    pattern = _terms(tuple(direction.keywords))
    title = len(pattern.findall(_normal(paper.get("title") or "")))
    abstract = len(pattern.findall(_normal(paper.get("abstract") or "")))
    return TITLE_WEIGHT * title + abstract


def mentions(paper: dict[str, Any], words: list[str]) -> bool:
    """Whether the title or abstract uses any of these terms (the matching of `score`)."""
    return bool(_terms(tuple(words)).search(_normal(paper_text(paper))))


def best_direction(topic: TopicProfile | None, paper: dict[str, Any]) -> Direction | None:
    """The direction with the highest score if it reaches CENTRAL (ties: taxonomy order),
    else None (其他 / Other)."""
    if topic is None:
        return None
    scored = [(score(d, paper), -i, d) for i, d in enumerate(topic.directions)]
    if not scored:
        return None
    best, _, direction = max(scored, key=lambda t: (t[0], t[1]))
    return direction if best >= CENTRAL else None


def hits(direction: Direction, paper: dict[str, Any]) -> list[str]:
    """The direction's keywords that occur in the paper's title or abstract."""
    text = _normal(paper_text(paper))
    seen: set[str] = set()
    out = []
    for word in direction.keywords:
        norm = re.sub(r"[\s_-]+", "", word.lower())  # "KV cache" and "KV-cache" are one
        if norm not in seen and _terms((word,)).search(text):
            seen.add(norm)
            out.append(word)
    return out


def group(
    topic: TopicProfile | None, items: list[dict[str, Any]], lang: str
) -> list[dict[str, Any]]:
    """[{"name", "direction", "items"}] in taxonomy order, 'other' last; empty groups left out.
    Each item needs a "paper" dict (title, abstract)."""
    order = list(topic.directions) if topic else []
    buckets: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        best = best_direction(topic, item["paper"])
        index = order.index(best) if best is not None else len(order)
        buckets.setdefault(index, []).append(item)
    groups = []
    for index in sorted(buckets):
        direction = order[index] if index < len(order) else None
        groups.append(
            {
                "name": direction_name(direction, lang),
                "direction": direction,
                "items": buckets[index],
            }
        )
    return groups
