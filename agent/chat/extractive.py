"""Answers without a model: the best evidence sentences, quoted verbatim and cited.

Each line is a sentence copied from a stored passage, with the page it is printed on, so the
answer is grounded by construction. Only prose is quoted (no figure or table captions, table
rows, running heads or author lines), and a sentence is cited only with the page whose text
holds it. The header is in the question's language; a Chinese question's terms are matched
through their English search terms (store/crosslingual.py).
"""

from __future__ import annotations

from agent.chat.citations import Ref
from agent.chat.evidence import Evidence, StoreView
from agent.chat.language import FRAME, frame
from agent.chat.text import best_quote, collapse, is_prose
from store.crosslingual import search_text

HEADER = FRAME["en"]["header"]
PAGES_AFTER = 2  # a chunk starting on page N may hold sentences printed on N..N+2


def extractive_answer(
    question: str,
    evidence: list[Evidence],
    view: StoreView,
    limit: int,
    lang_of: str | None = None,
) -> str:
    """Up to `limit` cited sentences from `evidence`, best first ("" when none fits).

    `lang_of` is the text whose language the frame follows (default: the question).
    """
    terms = search_text(question)
    lines: list[str] = []
    seen: set[str] = set()
    for ev in evidence:
        # a claim's quote was chosen and checked as the evidence: it is used whole
        if ev.about:
            sentence = collapse(ev.text) if is_prose(collapse(ev.text)) else ""
        else:
            sentence = best_quote(ev.text, terms, prose_only=True)
        if not sentence or sentence in seen:
            continue
        page = view.page_holding(ev.paper, sentence, ev.page, ev.page + PAGES_AFTER)
        if page is None or not view.resolves(ev.paper, page):
            continue
        seen.add(sentence)
        lines.append(f"- {sentence} {Ref(ev.paper, page).render()}")
        if len(lines) >= limit:
            break
    header = frame(lang_of if lang_of is not None else question)["header"]
    return f"{header}\n" + "\n".join(lines) if lines else ""
