"""The grounding functions the suites score with, taken from agent.grounding when present.

agent.grounding (numbers, quotes, check) is the product's own implementation; the suites
score with it so that the eval and the product agree on what "the same number" means. The
fallbacks below are only used while that package is missing (they are deliberately simple:
exact numbers with their %/×/x unit) and `GROUNDING_SOURCE` says which one ran.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:\s*(?:%|×|x\b|倍))?")


def _fallback_numbers(text: str) -> list[str]:
    text = re.sub(r"\[[\d,\s–-]+\]", " ", text)
    return [m.group(0).replace(" ", "").replace(",", "") for m in _NUMBER.finditer(text)]


def grounding_source() -> str:
    try:
        import agent.grounding.numbers  # noqa: F401
    except ImportError:
        return "fallback (agent.grounding.numbers missing)"
    return "agent.grounding.numbers"


def numbers_in(text: str) -> list[str]:
    """Numbers written in `text` (with units)."""
    try:
        from agent.grounding import numbers
    except ImportError:
        return _fallback_numbers(text)
    return [str(n) for n in numbers.find_numbers(text)]


def same_number(a: str, b: str) -> bool:
    try:
        from agent.grounding import numbers
    except ImportError:
        return a.replace("x", "×") == b.replace("x", "×")
    return bool(numbers.same_number(a, b))


def ungrounded_numbers(text: str, source: str) -> list[str]:
    """Numbers in `text` that no number in `source` grounds."""
    try:
        from agent.grounding import numbers
    except ImportError:
        found = numbers_in(source)
        return [n for n in numbers_in(text) if not any(same_number(n, s) for s in found)]
    return [str(n) for n in numbers.ungrounded_numbers(text, source)]
