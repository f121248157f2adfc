"""YAML front matter written by a YAML library, never by string interpolation.

Strings are double-quoted (as Hugo's own examples and the seed briefings write them), a `date`
that is an ISO date stays a YAML date, lists are written inline, and any `"`, `:`, `#` or
newline in a title is escaped by the emitter, so the block always parses.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml


class _Quoted(str):
    """A string value written in double quotes."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Quoted, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, '"')
)
_Dumper.add_representer(
    list, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", value, True)
)


def _value(key: str, value: Any) -> Any:
    if isinstance(value, str):
        if key == "date":
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        return _Quoted(value)
    if isinstance(value, list | tuple):
        return [_value("", v) for v in value]
    if value is None or isinstance(value, bool | int | float | date):
        return value
    # anything else as its text; a Jinja StrictUndefined raises UndefinedError here
    return _Quoted(str(value))


def front_matter(**fields: Any) -> str:
    """The `---` block for `fields`, in their order (a Jinja global in the brief templates)."""
    body = yaml.dump(
        {key: _value(key, value) for key, value in fields.items()},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,
    )
    return f"---\n{body}---"


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(front matter as parsed by yaml.safe_load, the rest); ({}, text) when there is no
    valid front matter block."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return {}, text
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError:
        return {}, text
    if not isinstance(data, dict):
        return {}, text
    return data, "\n".join(lines[end + 1 :])
