"""The conversation as Markdown, each answer followed by the quotes behind its citations."""

from __future__ import annotations

from pathlib import Path

from agent.chat.answer import Answer
from agent.files import atomic_write


def sources_lines(answer: Answer) -> list[str]:
    """One line per citation: the citation, the paper title and the verbatim quote."""
    lines = []
    for n, c in enumerate(answer.citations, start=1):
        prefix = "" if c.arxiv_id.startswith("sha256:") else "arXiv:"
        title = f" {c.title} —" if c.title else ""
        lines.append(
            f"{n}. [{prefix}{c.arxiv_id} p.{c.page}] (sentence {c.sentence}){title} “{c.quote}”"
        )
    return lines


def to_markdown(thread: str, turns: list[Answer]) -> str:
    """The thread's questions and answers, with a Sources list under each answer."""
    out = [f"# brief chat — thread `{thread}`", ""]
    for n, turn in enumerate(turns, start=1):
        out += [f"## {n}. {turn.question}", "", turn.text, ""]
        if turn.citations:
            out += ["**Sources**", "", *sources_lines(turn), ""]
    return "\n".join(out).rstrip() + "\n"


def save_markdown(path: Path, text: str) -> None:
    """Write through a temp file in the same directory and a rename (never half-written)."""
    atomic_write(path.expanduser(), text)
