"""The conversation as Markdown, each answer followed by the quotes behind its citations."""

from __future__ import annotations

from pathlib import Path

from agent.chat.answer import Answer
from agent.files import atomic_write
from agent.safety import clean_text, terminal_safe


def sources_lines(answer: Answer) -> list[str]:
    """One line per citation: the citation, the paper title and the verbatim quote. Title
    and quote come from a PDF: no HTML, no links (agent.safety.clean_text), no terminal
    control characters (they are printed by chat and written to transcripts)."""
    lines = []
    for n, c in enumerate(answer.citations, start=1):
        prefix = "" if c.arxiv_id.startswith("sha256:") else "arXiv:"
        title = f" {_safe(c.title)} —" if c.title else ""
        lines.append(
            f"{n}. [{prefix}{c.arxiv_id} p.{c.page}] (sentence {c.sentence}){title} "
            f"“{_safe(c.quote)}”"
        )
    return lines


def _safe(text: str) -> str:
    return terminal_safe(clean_text(" ".join(text.split())))


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
