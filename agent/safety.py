"""What reaches a reader from untrusted text (paper text, feeds, model output): no raw HTML
and no links except to arxiv.org pages of papers in the store.

Paper text and what a model makes of it may carry Markdown links and images to other
hosts, raw HTML or script, or bare URLs. `clean_text` keeps their visible words and drops
the rest: images become their alt text, links their text (unless they point at an allowed
arXiv paper), HTML tags and comments are removed (script and style with their content), a
`<` that could still open a tag becomes `&lt;`, and foreign URLs are reduced to their host
name (no scheme, so no renderer links them). `unsafe_spans` finds what `clean_text` would
remove; tests use it to check outputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urlparse

from store.schemas import ARXIV_ID_RE, OLD_ARXIV_ID_RE

Allowed = Callable[[str], bool]  # arXiv id (no version) -> may a link point at it?

_SCRIPT = re.compile(r"<(script|style|iframe|object|embed)\b.*?(</\1\s*>|\Z)", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?(-->|\Z)|<\?.*?(\?>|\Z)|<![A-Za-z\[].*?(>|\Z)", re.S)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_OPENER = re.compile(r"<(?=[A-Za-z/!?])")
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\(([^()]*(?:\([^()]*\)[^()]*)*)\)")
_LINK = re.compile(r"\[([^\[\]]*)\]\(([^()]*(?:\([^()]*\)[^()]*)*)\)")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>")
_URL = re.compile(r"\b(?:https?|ftp|file)://[^\s<>()\[\]\"'`]+|\bwww\.[^\s<>()\[\]\"'`]+", re.I)
_SCHEME = re.compile(r"\b(?:javascript|vbscript|data):", re.I)
_REF_DEF = re.compile(r"^([ \t]{0,3})\[([^\]\n]+)\]:", re.M)
_ARXIV_URL = re.compile(r"^https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?/?$")


def allow_ids(ids: Iterable[str | None]) -> Allowed:
    """An `Allowed` for a fixed set of arXiv ids (versions ignored)."""
    bare = {_bare(i) for i in ids if i}
    return lambda arxiv_id: arxiv_id in bare


def _bare(arxiv_id: str) -> str:
    for pattern in (ARXIV_ID_RE, OLD_ARXIV_ID_RE):
        found = pattern.search(arxiv_id)
        if found:
            return found.group(1)
    return arxiv_id


def nothing(_arxiv_id: str) -> bool:
    return False


def arxiv_target(url: str) -> str | None:
    """The arXiv id an arxiv.org /abs/ or /pdf/ URL points at, else None."""
    match = _ARXIV_URL.match(url.strip().split(" ", 1)[0].strip("<>"))
    if not match:
        return None
    for pattern in (ARXIV_ID_RE, OLD_ARXIV_ID_RE):
        found = pattern.fullmatch(match.group(1)) or pattern.search(match.group(1))
        if found:
            return found.group(1)
    return None


def _link_ok(url: str, allowed: Allowed) -> bool:
    target = arxiv_target(url)
    return target is not None and allowed(target)


def _host(url: str) -> str:
    if url.lower().startswith("www."):
        url = "http://" + url
    try:
        host = urlparse(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def clean_text(text: str, allowed: Allowed = nothing) -> str:
    """`text` without raw HTML and without links other than to allowed arXiv papers."""
    if not text:
        return text or ""
    out = _SCRIPT.sub("", text)
    out = _COMMENT.sub("", out)
    out = _IMAGE.sub(lambda m: m.group(1), out)
    out = _LINK.sub(lambda m: m.group(0) if _link_ok(m.group(2), allowed) else m.group(1), out)
    out = _AUTOLINK.sub(lambda m: m.group(0) if _link_ok(m.group(1), allowed) else "", out)
    out = _TAG.sub("", out)
    out = _OPENER.sub("&lt;", out)

    def url(match: re.Match[str]) -> str:
        found = match.group(0).rstrip(".,;:!?")
        tail = match.group(0)[len(found) :]
        start = match.start()
        inside_link = out[max(0, start - 2) : start] == "](" or out[start - 1 : start] == "<"
        if inside_link or _link_ok(found, allowed):
            return match.group(0)
        return _host(found) + tail

    out = _URL.sub(url, out)
    out = _SCHEME.sub(lambda m: m.group(0)[:-1] + " ", out)
    return _REF_DEF.sub(lambda m: f"{m.group(1)}\\[{m.group(2)}]:", out)


def unsafe_spans(text: str, allowed: Allowed = nothing) -> list[str]:
    """Raw HTML, images, and links or URLs to anything but allowed arXiv papers in `text`."""
    found: list[str] = []
    found += [m.group(0) for m in _SCRIPT.finditer(text)]
    found += [m.group(0) for m in _COMMENT.finditer(text)]
    found += [m.group(0) for m in _TAG.finditer(text)]
    found += [m.group(0) for m in _IMAGE.finditer(text)]
    found += [m.group(0) for m in _LINK.finditer(text) if not _link_ok(m.group(2), allowed)]
    found += [m.group(0) for m in _AUTOLINK.finditer(text) if not _link_ok(m.group(1), allowed)]
    found += [m.group(0) for m in _URL.finditer(text) if not _link_ok(m.group(0), allowed)]
    found += [m.group(0) for m in _SCHEME.finditer(text)]
    return found


class StreamCleaner:
    """`clean_text` over a stream: text is held back only while it could still be part of
    a link, a tag or a URL (up to `limit` characters), so ordinary prose streams as it comes.
    """

    def __init__(self, allowed: Allowed = nothing, limit: int = 2000) -> None:
        self.allowed = allowed
        self.limit = limit
        self._held = ""

    def feed(self, piece: str) -> str:
        self._held += piece
        cut = self._safe_cut(self._held)
        if cut == 0 and len(self._held) < self.limit:
            return ""
        if cut == 0:
            cut = len(self._held)
        ready, self._held = self._held[:cut], self._held[cut:]
        return clean_text(ready, self.allowed)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return clean_text(held, self.allowed)

    @staticmethod
    def _safe_cut(text: str) -> int:
        """The longest prefix ending in whitespace with no construct left open."""
        for i in range(len(text) - 1, -1, -1):
            if not text[i].isspace():
                continue
            head = text[: i + 1]
            if head.rfind("<") > head.rfind(">"):
                continue
            if head.rfind("[") > head.rfind("]"):
                continue
            if head.rfind("](") > head.rfind(")"):
                continue
            if head.rstrip().endswith("]"):
                continue
            return i + 1
        return 0
