"""The sidecar of store-backed briefs: every line that states something from a paper, with
the verified claims (id, arXiv id, quote, page) it rests on, and every line that states a
count, with the papers counted. Lines are found after rendering, by their exact text."""

from __future__ import annotations

import re
from typing import Any

from agent.extractive import readable


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return one_line(text).replace("|", "\\|")


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def cite(claim: dict[str, Any]) -> str:
    """Where a claim's quote is: `[arXiv:ID p. N]` (the form `brief eval lint` reads), or
    `[sha256:<key> p. N]` for a paper without an arXiv id."""
    if claim.get("arxiv_id"):
        return f"[arXiv:{claim['arxiv_id']} p. {claim['page']}]"
    return f"[{claim['paper_key']} p. {claim['page']}]"


def claim_text(claim: dict[str, Any], lang: str) -> str:
    """A verified claim as a line of prose. In English the paper's own sentence, quoted; in
    Chinese a Chinese phrase (the model's, checked by the critic, else one the program makes
    from the claim's kind, names, terms and numbers: agent.phrasing), the English sentence
    left to the sidecar and the citation, so that no English sentence sits in Chinese prose."""
    if lang == "zh":
        from agent.nodes.services import glossary
        from agent.phrasing import claim_phrase

        said = one_line(claim_phrase(claim, glossary())).rstrip("。")
    else:
        said = f"“{one_line(readable(claim['statement'])).rstrip(' .')}”"
    return f"{said} {cite(claim)}"


def claim_ref(claim: dict[str, Any]) -> dict[str, Any]:
    return {
        "claim_id": claim["claim_id"],
        "arxiv_id": claim.get("arxiv_id"),
        "quote": claim["quote"],
        "page": claim["page"],
    }


class Trace:
    """Collects what each rendered line rests on; `lines(markdown)` numbers them."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def claims(self, text: str, paper: str, claims: list[dict[str, Any]], kind: str = "") -> str:
        """A line resting on verified claims of `paper` (kind "change": and of the earlier
        papers it is compared with)."""
        item = {"text": text, "paper": paper, "claims": [claim_ref(c) for c in claims]}
        self.items.append(item | ({"kind": kind} if kind else {}))
        return text

    def count(self, text: str, counted: dict[str, Any]) -> str:
        """A line stating counts taken from the store (the papers counted, and how)."""
        self.items.append({"text": text, "kind": "count", "claims": [], "source": counted})
        return text

    def extend(self, items: list[dict[str, Any]]) -> None:
        self.items += [dict(i) for i in items]

    def lines(self, markdown: str) -> list[dict[str, Any]]:
        """The recorded items with the line each is on (0 when the text is not there)."""
        where: dict[str, list[int]] = {}
        for number, text in enumerate(markdown.splitlines(), 1):
            where.setdefault(text.strip(), []).append(number)
        out = []
        for item in self.items:
            found = where.get(item["text"].strip(), [])
            line = found.pop(0) if len(found) > 1 else (found[0] if found else 0)
            out.append({**item, "line": line})  # where it is now (kept rows move)
        return out
