"""The one phrase an answer uses when the stored papers do not answer the question.

Shared by the prompts (passed in as the `not_found` template variable), the code that
decides an answer found nothing, and the tests.
"""

from __future__ import annotations

NOT_FOUND = "I could not find this in the stored papers."
NOT_FOUND_ZH = "已存的论文中没有找到这方面的内容。"  # the same, for a question in Chinese


def is_not_found(text: str) -> bool:
    """Whether an answer is (or starts with) the not-found sentinel, in either language."""
    return text.strip().startswith((NOT_FOUND, NOT_FOUND_ZH))
