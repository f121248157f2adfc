"""Delivering a written brief through Apprise (email, Slack, Feishu, DingTalk, Telegram,
webhooks …: https://github.com/caronc/apprise/wiki): the brief as an HTML body, its Markdown
attached. Delivery happens after the brief is on disk, so a failed delivery never loses it.

Notify URLs hold secrets (passwords, tokens): they are shown only with those hidden.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agent.errors import UsageError

_USERINFO = re.compile(r"(?<=://)[^/@\s]*@")


@dataclass
class Delivery:
    """The outcome of sending one brief to one notify URL."""

    target: str  # the URL with its secrets hidden
    ok: bool
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def redact(url: str) -> str:
    """`url` with any user:password@ part hidden (for URLs Apprise could not parse)."""
    return _USERINFO.sub("***@", url)


def _service(url: str) -> Any:
    import apprise

    client = apprise.Apprise()
    with apprise.LogCapture(level=logging.ERROR):  # Apprise's own complaint; ours is one line
        added = client.add(url)
    if not added:
        raise UsageError(
            f"--notify {redact(url)} is not a notify URL Apprise supports",
            "write it as Apprise does, e.g. mailto://user:pass@host, json://host/path, "
            "slack://…, feishu://…, dingtalk://… (see the Apprise wiki)",
        )
    return client


def check_urls(urls: list[str]) -> None:
    """Raise UsageError for a URL Apprise cannot use, before any work is done."""
    for url in urls:
        _service(url)


def deliver(urls: list[str], markdown_path: Path, html: str, title: str) -> list[Delivery]:
    """Send the brief to each URL (each on its own, so one failure does not stop the rest)."""
    import apprise

    outcomes = []
    for url in urls:
        client = _service(url)
        target = client[0].url(privacy=True).split("?", 1)[0]  # secrets hidden, no options
        attachment = apprise.AppriseAttachment(str(markdown_path))
        with apprise.LogCapture(level=logging.WARNING, fmt="%(levelname)s %(message)s") as captured:
            sent = client.notify(
                body=html,
                title=title,
                body_format=apprise.NotifyFormat.HTML,
                attach=attachment,
            )
        if sent:
            outcomes.append(Delivery(target, True))
            continue
        said = [line.split(" ", 1)[-1] for line in captured.getvalue().splitlines() if line]
        outcomes.append(Delivery(target, False, said[-1] if said else "the service refused it"))
    return outcomes


def send_brief(markdown_path: Path, urls: list[str], lang: str = "zh") -> list[Delivery]:
    """Send a written brief: its HTML page as the body, its Markdown attached."""
    from agent.frontmatter import split_front_matter
    from agent.html import to_html

    markdown = markdown_path.read_text(encoding="utf-8")
    meta, _ = split_front_matter(markdown)
    title = str(meta.get("title") or markdown_path.stem)
    return deliver(urls, markdown_path, to_html(markdown, lang), title)
