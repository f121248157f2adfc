"""Topic profiles: what to search on arXiv for a topic and how to group its papers.

Built-in profiles live in agent/data/topics.toml; the config file adds or overrides them
under `[topics.<name>]` (settings.topics). An override replaces the fields it names and keeps
the built-in's other fields.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.errors import ConfigError

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class Direction(BaseModel):
    """A sub-direction of a topic, used to group papers in a brief."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="English name, e.g. 'Quantization'")
    name_zh: str = Field("", description="Chinese name, e.g. '量化'")
    keywords: list[str] = Field(default_factory=list)


class TopicProfile(BaseModel):
    """What `brief fetch --topic NAME` searches and how relevance is judged."""

    model_config = ConfigDict(extra="forbid")

    name: str
    title: str = ""
    title_zh: str = ""
    categories: list[str] = Field(default_factory=list, description="arXiv categories")
    keywords: list[str] = Field(default_factory=list)
    negative: list[str] = Field(default_factory=list, description="keywords that lower relevance")
    authors: list[str] = Field(default_factory=list)
    directions: list[Direction] = Field(default_factory=list)
    builtin: bool = Field(True, description="False when defined or changed in the config file")

    def profile_text(self) -> str:
        """A short text describing the topic, for embedding similarity."""
        parts = [self.title or self.name, ", ".join(self.keywords)]
        parts += [f"{d.name}: {', '.join(d.keywords)}" for d in self.directions]
        return ". ".join(p for p in parts if p)

    def directions_of(self, text: str) -> list[Direction]:
        """The sub-directions whose keywords occur in `text`, best match first."""
        from agent.sources.relevance import keyword_hits

        scored = [
            (len(keyword_hits(text, d.keywords)), i, d) for i, d in enumerate(self.directions)
        ]
        return [d for hits, _, d in sorted(scored, key=lambda t: (-t[0], t[1])) if hits]


def builtin_topics() -> dict[str, dict[str, Any]]:
    """The raw built-in profiles from agent/data/topics.toml."""
    text = resources.files("agent").joinpath("data", "topics.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _build(name: str, raw: dict[str, Any], builtin: bool) -> TopicProfile:
    if not NAME_RE.match(name):
        raise ConfigError(
            f"invalid topic name {name!r}",
            "use lower-case letters, digits, '-' or '_' in [topics.<name>]",
        )
    try:
        return TopicProfile(name=name, builtin=builtin, **raw)
    except (ValidationError, TypeError) as exc:
        detail = (
            exc.errors()[0] if isinstance(exc, ValidationError) else {"loc": (), "msg": str(exc)}
        )
        where = ".".join(str(p) for p in detail["loc"])
        raise ConfigError(
            f"invalid topic profile topics.{name}{'.' + where if where else ''}: {detail['msg']}",
            "fix [topics." + name + "] in the config file (keys: title, title_zh, categories, "
            "keywords, negative, authors, directions)",
        ) from None


def load_topics(settings: Any) -> dict[str, TopicProfile]:
    """Built-in profiles, then the config file's additions and overrides."""
    raw = builtin_topics()
    user: dict[str, dict[str, Any]] = dict(getattr(settings, "topics", {}) or {})
    topics: dict[str, TopicProfile] = {}
    for name in sorted(set(raw) | set(user)):
        if not isinstance(user.get(name, {}), dict):
            raise ConfigError(
                f"topics.{name} must be a table", f"write it as [topics.{name}] with keys"
            )
        merged = {**raw.get(name, {}), **user.get(name, {})}
        topics[name] = _build(name, merged, builtin=name not in user)
    return topics


def get_topic(settings: Any, name: str) -> TopicProfile:
    """One profile by name; an unknown name lists the known ones."""
    topics = load_topics(settings)
    if name not in topics:
        raise ConfigError(
            f"unknown topic {name!r}",
            f"use one of: {', '.join(topics)} (or add [topics.{name}] to the config file)",
        )
    return topics[name]
