"""With a model: a Chinese question's English search terms, from one short structured call
(the question in English, and its key terms).

The lexicon (store/crosslingual.py) knows the glossary's terms; a model also knows words the
glossary lacks. Its terms are added to the search, never replace the question. Each answer is
cached per model and question (`<home>/cache/search_terms.json`), so asking again costs no
call. A model that fails or answers badly costs the search nothing: the lexicon still works.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field

from agent.errors import ModelError
from store.crosslingual import has_cjk

CACHE_FILE = Path("cache") / "search_terms.json"
MAX_CACHED = 2000


class SearchTerms(BaseModel):
    """A Chinese question in English, and its key technical terms."""

    english: str = Field(
        min_length=3,
        max_length=240,
        description="the question translated into English, names and numbers kept as written",
    )
    terms: list[Annotated[str, Field(min_length=2, max_length=48)]] = Field(
        default_factory=list,
        max_length=6,
        description="key English technical terms of the translation, most specific first",
    )


def _key(spec: str, question: str) -> str:
    return hashlib.sha256(f"{spec}\n{question.strip()}".encode()).hexdigest()[:32]


def _load(path: Path) -> dict[str, list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(path: Path, data: dict[str, list[str]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # a read-only home still answers, just without the cache
        pass


def search_terms(question: str, model: Any, settings: Any) -> list[str]:
    """English search terms for a Chinese `question` ([] without a model or Chinese)."""
    if model is None or not has_cjk(question):
        return []
    path = Path(settings.home) / CACHE_FILE
    cache = _load(path)
    key = _key(str(settings.model), question)
    if key in cache:
        return list(cache[key])
    from langchain_core.messages import HumanMessage

    from agent.llm.structured import structured_call
    from agent.llm.usage import UsageTracker
    from agent.prompting import render

    try:
        answer = structured_call(
            model,
            SearchTerms,
            [HumanMessage(render("chat.translate.md", question=question))],
            agent="chat.translate",
            usage=UsageTracker.from_settings(settings),
        )
    except ModelError:
        return []
    found = [answer.english, *answer.terms]
    terms = list(dict.fromkeys(t.strip() for t in found if t.strip() and not has_cjk(t)))
    if len(cache) >= MAX_CACHED:
        cache = dict(list(cache.items())[MAX_CACHED // 2 :])
    cache[key] = terms
    _save(path, cache)
    return terms
