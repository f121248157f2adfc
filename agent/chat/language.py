"""The language of a question, and the fixed words of an answer's frame in that language.

A question with Chinese characters is answered in Chinese: the header, the not-found
sentence, the sources list and the chat's citation line. The evidence itself stays the
papers' own words (English), quoted verbatim with its page.
"""

from __future__ import annotations

import re
from typing import Any

from agent.chat.sentinel import NOT_FOUND, NOT_FOUND_ZH

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

FRAME = {
    "en": {
        "header": "Most relevant passages in the stored papers:",
        "not_found": NOT_FOUND,
        "sources": "Sources:",
        "citations": "({n} citations: /sources, /why N)",
        "why": "sentence {n}: {sentence}",
        "cites_nothing": "  it cites nothing.",
    },
    "zh": {
        "header": "已存论文中最相关的原文（原句摘录，页码为原句所在页）：",
        "not_found": NOT_FOUND_ZH,
        "sources": "来源：",
        "citations": "（{n} 条引用：/sources 查看来源，/why N 查看第 N 句的依据）",
        "why": "第 {n} 句：{sentence}",
        "cites_nothing": "  这句没有引用。",
    },
}


def language_of(text: str) -> str:
    """ "zh" when the text has Chinese characters, else "en"."""
    return "zh" if _CJK.search(text or "") else "en"


def frame(text: str) -> dict[str, str]:
    """The frame words for answering `text`."""
    return FRAME[language_of(text)]


def sources_lines(answer: Any) -> list[str]:
    """The answer's sources list in the language of its question: one line per citation
    with the paper title and the verbatim quote (which stays in the paper's language)."""
    if language_of(answer.question) == "en":
        from agent.chat.transcript import sources_lines as english_lines

        return list(english_lines(answer))
    lines = []
    for n, c in enumerate(answer.citations, start=1):
        prefix = "" if c.arxiv_id.startswith("sha256:") else "arXiv:"
        title = f"《{c.title}》" if c.title else ""
        lines.append(
            f"{n}. [{prefix}{c.arxiv_id} p.{c.page}]（第 {c.sentence} 句）{title}“{c.quote}”"
        )
    return lines
