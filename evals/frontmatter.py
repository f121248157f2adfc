"""The front matter check of `brief eval lint`: a leading `---` block must be valid YAML (a
mapping), as Hugo and every other static-site tool will parse it with a YAML parser."""

from __future__ import annotations

import yaml

from evals.flags import Flag


def front_matter_flags(lines: list[str]) -> list[Flag]:
    """One error flag when the document's front matter is not a valid YAML mapping."""
    if not lines or lines[0].strip() != "---":
        return []
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return [Flag("front-matter", 1, lines[0], "front matter opened with --- is never closed")]
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = 2 + mark.line if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        text = lines[line - 1] if line - 1 < len(lines) else lines[0]
        return [Flag("front-matter", line, text, f"front matter is not valid YAML ({problem})")]
    if data is not None and not isinstance(data, dict):
        return [Flag("front-matter", 2, lines[1] if end > 1 else lines[0],
                     "front matter is not a YAML mapping of key: value lines")]  # fmt: skip
    return []
