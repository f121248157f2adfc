"""Answers without a model: the best evidence sentences, quoted verbatim and cited.

Each line is a sentence copied from a stored passage, with the page it is printed on, so the
answer is grounded by construction.
"""

from __future__ import annotations

from agent.chat.citations import Ref
from agent.chat.evidence import Evidence, StoreView
from agent.chat.text import best_quote, collapse

HEADER = "Most relevant passages in the stored papers:"


def extractive_answer(question: str, evidence: list[Evidence], view: StoreView, limit: int) -> str:
    """Up to `limit` cited sentences from `evidence`, best first ("" when none fits)."""
    lines: list[str] = []
    seen: set[str] = set()
    for ev in evidence:
        # a claim's quote was chosen and checked as the evidence: it is used whole
        sentence = collapse(ev.text) if ev.about else best_quote(ev.text, question)
        if not sentence or sentence in seen:
            continue
        page = view.page_of(ev.paper, sentence, ev.page, ev.page + 2)
        if not view.resolves(ev.paper, page):
            continue
        seen.add(sentence)
        lines.append(f"- {sentence} {Ref(ev.paper, page).render()}")
        if len(lines) >= limit:
            break
    return f"{HEADER}\n" + "\n".join(lines) if lines else ""
