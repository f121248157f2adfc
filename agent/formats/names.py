"""Institution names as a brief shows them: the Chinese name of a printed institution
(prompts/institutions.yaml) and the short list of a paper's institutions. Used by the weekly
sentence (agent.render) and the catalog's rows (agent.formats.catalog)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

INSTITUTIONS = Path(__file__).resolve().parents[2] / "prompts" / "institutions.yaml"


@functools.lru_cache(maxsize=1)
def institution_names() -> dict[str, str]:
    """prompts/institutions.yaml: printed institution name (lower-cased) -> Chinese name,
    parsed once per process (callers only read it)."""
    names = yaml.safe_load(INSTITUTIONS.read_text(encoding="utf-8")) or {}
    return {str(k).lower(): str(v) for k, v in names.items()}


def chinese_name(name: str, known: dict[str, str]) -> str:
    """The Chinese name of a printed institution, when prompts/institutions.yaml has it (the
    whole name, else the longest known name it contains: "School of CS, Tsinghua University"
    is 清华大学), else the name as printed."""
    low = " ".join(name.lower().split())
    if low in known:
        return known[low]
    inside = [k for k in known if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", low)]
    return known[max(inside, key=len)] if inside else name


def institutions_text(names: list[str], lang: str) -> str:
    """At most three institutions (in Chinese when known, for a Chinese brief), then 等 or
    et al."""
    if lang == "zh":
        known = institution_names()
        shown = list(dict.fromkeys(chinese_name(n, known) for n in names))
        return "、".join(shown[:3]) + ("等" if len(shown) > 3 else "")
    return ", ".join(names[:3]) + (" et al." if len(names) > 3 else "")
