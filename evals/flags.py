"""What a metric reports: flags (line, excerpt, reason, severity) and a value."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]


@dataclass
class Flag:
    """One defect found in a document."""

    kind: str
    line: int
    text: str
    reason: str
    severity: Severity = "error"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class MetricResult:
    """A metric's value (share, count or None) and the flags behind it."""

    name: str
    value: float | None
    flags: list[Flag] = field(default_factory=list)


@dataclass
class Evidence:
    """A sentence of the brief and the evidence it may draw numbers from."""

    line: int
    text: str
    evidence: list[str]
    source: str  # what the evidence is, for the reason ("its cited quotes", "paper 5's 摘要")


def excerpt(text: str, around: str | None = None, width: int = 80) -> str:
    """A one-line excerpt of `text`, centred on `around` when given."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    pos = text.find(around) if around else -1
    start = max(0, min(pos - width // 3, len(text) - width)) if pos >= 0 else 0
    return ("…" if start else "") + text[start : start + width] + "…"


def lines_of(text: str) -> list[str]:
    return text.split("\n")
