"""What reaches a reader from untrusted text (paper text, feeds, model output): no raw HTML
and no links except to arxiv.org pages of papers in the store.

Paper text and what a model makes of it may carry Markdown links and images to other
hosts, raw HTML or script, or bare URLs. `clean_text` keeps their visible words and drops
the rest: images become their alt text, links their text (unless they point at an allowed
arXiv paper), HTML tags and comments are removed (script and style with their content), a
`<` that could still open a tag becomes `&lt;`, and foreign URLs are reduced to their host
name (no scheme, so no renderer links them), except a paper's code and data links (CODE_HOSTS),
which stay verbatim inside a code span (shown, never linked). `unsafe_spans` finds what `clean_text` would
remove; tests use it to check outputs.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
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


# hosts of papers' code and data: their URLs are kept verbatim, as code (never linked)
CODE_HOSTS = ("github.com", "gitlab.com", "huggingface.co", "bitbucket.org", "zenodo.org")


def _code_link(url: str) -> bool:
    host = _host(url.rstrip(".,;:!?"))
    return host in CODE_HOSTS or host.endswith(".github.io")


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
        if _code_link(found):  # a paper's code link, verbatim in a code span (not a link)
            return match.group(0) if out[start - 1 : start] == "`" else f"`{found}`{tail}"
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
    found += [
        m.group(0)
        for m in _URL.finditer(text)
        if not _link_ok(m.group(0), allowed)
        and not (_code_link(m.group(0)) and text[m.start() - 1 : m.start()] == "`")
    ]
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


# --- secrets ---------------------------------------------------------------------------------
# Everything brief writes or prints goes through `redact`: files (agent.files.atomic_write),
# run checkpoints (RedactingSerde), the CLI's stdout and stderr (RedactingStream) and the
# store's claim records. A model server may echo the API key in an error message ("Incorrect
# API key provided: sk-..."), and a URL setting may carry user:password.
MASK = "***"
_SECRET_ENV = re.compile(r"(?:^|_)(?:API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD)$", re.I)
_USERINFO = re.compile(r"(?<=://)[^\s/?#@:'\"<>]+(?::[^\s/?#@'\"<>]*)?@")
# a token: long and with a digit, so prose ("bearer capacity", "Bearer tokens") is kept
_BEARER = re.compile(r"(?<=\bBearer )(?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{16,}")
_SK_KEY = re.compile(r"\bsk-[A-Za-z0-9_*.-]{16,}")
_KEY_SAID = re.compile(
    r"(?<=api[ _-]key provided: )\S{6,}|(?<=api[_-]key=)[^\s&'\"]{6,}|(?<=token=)[^\s&'\"]{6,}",
    re.I,
)
_registered: set[str] = set()
MIN_SECRET = 8  # shorter values are not searched for (they would mask ordinary words)


def register_secret(value: str | None) -> None:
    """A value to redact wherever it appears (a key from the config file, say)."""
    if value and len(value) >= MIN_SECRET:
        _registered.add(value)


def register_settings(settings: object) -> None:
    """Register the secrets `settings` hold: the API key and the password of URL settings."""
    key = getattr(settings, "openai_api_key", None)
    if key is not None:
        register_secret(key.get_secret_value() if hasattr(key, "get_secret_value") else str(key))
    for name in ("base_url", "chroma_url", "models_url", "arxiv_api_url"):
        value = getattr(settings, name, None)
        if isinstance(value, str):
            for match in _USERINFO.finditer(value):
                user_pass = match.group(0)[:-1]
                register_secret(user_pass)
                register_secret(user_pass.partition(":")[2])


def known_secrets() -> list[str]:
    """Secret values brief knows now: registered ones, OPENAI_API_KEY and environment
    variables named like a key, token, secret or password, and URL passwords in BRIEF_*."""
    import os

    found = set(_registered)
    for name, value in os.environ.items():
        if _SECRET_ENV.search(name) and len(value) >= MIN_SECRET:
            found.add(value)
        if name.startswith("BRIEF_") and "://" in value:
            for match in _USERINFO.finditer(value):
                user_pass = match.group(0)[:-1]
                found.add(user_pass)
                password = user_pass.partition(":")[2]
                if len(password) >= MIN_SECRET:
                    found.add(password)
    return sorted(found, key=len, reverse=True)  # the longest first


def redact(text: str) -> str:
    """`text` with known secrets, URL user:password, bearer tokens and sk- keys masked."""
    if not text:
        return text
    for secret in known_secrets():
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in (_USERINFO, _BEARER, _SK_KEY, _KEY_SAID):
        text = pattern.sub(lambda m: MASK + ("@" if m.group(0).endswith("@") else ""), text)
    return text


def redact_bytes(data: bytes) -> bytes:
    """`redact` for serialised data: each secret is overwritten with as many '*' as it has
    bytes, so length-prefixed formats (msgpack, pickle) stay valid."""
    if not data:
        return data
    for secret in known_secrets():
        raw = secret.encode("utf-8")
        if raw in data:
            data = data.replace(raw, b"*" * len(raw))
    for pattern in _BYTE_PATTERNS:
        data = pattern.sub(lambda m: b"*" * len(m.group(0)), data)
    return data


# In serialised data only printable ASCII may be masked (a length byte next to a string
# must never be), and URL passwords are known secrets (`known_secrets`), not a pattern.
_BYTE_PATTERNS = (
    re.compile(rb"(?<=Bearer )(?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{16,}"),
    re.compile(rb"\bsk-[A-Za-z0-9_*.-]{16,}"),
)


class RedactingStream:
    """A text stream (sys.stdout, sys.stderr) that redacts what is written to it. A secret
    split over two writes is not seen; brief prints whole lines and rendered blocks."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(redact(text))  # type: ignore[attr-defined]
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


def redact_exception(exc: BaseException) -> None:
    """Redact the messages of `exc` and of the errors it was raised from, in place (they
    are printed as one line, or as a traceback with BRIEF_DEBUG=1)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.args = tuple(redact(a) if isinstance(a, str) else a for a in current.args)
        for name in ("message", "hint"):
            value = getattr(current, name, None)
            if isinstance(value, str):
                with contextlib.suppress(AttributeError):
                    setattr(current, name, redact(value))
        current = current.__cause__ or current.__context__


def redact_logs() -> None:
    """Redact every log record from now on (the message is formatted and redacted when the
    record is made); a library's debug log may print a URL with its password."""
    if getattr(logging.getLogRecordFactory(), "_brief_redacts", False):
        return
    make = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string stays the logger's problem
            return record
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return record

    factory._brief_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class RedactingSerde:
    """A LangGraph checkpoint serializer that redacts what it writes (`redact_bytes`)."""

    def __init__(self, inner: object | None = None) -> None:
        if inner is None:
            from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

            inner = JsonPlusSerializer()
        self._inner = inner

    def dumps_typed(self, obj: object) -> tuple[str, bytes]:
        kind, data = self._inner.dumps_typed(obj)  # type: ignore[attr-defined]
        return kind, redact_bytes(data)

    def loads_typed(self, data: tuple[str, bytes]) -> object:
        return self._inner.loads_typed(data)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


# --- terminal --------------------------------------------------------------------------------
# A file name or a paper's text may carry terminal control sequences (set the window title,
# rewrite the clipboard with OSC 52, clear the screen, move the cursor over earlier lines) or
# bidirectional overrides that make a name read differently. `terminal_safe` shows each such
# character as a visible escape instead, for every string brief prints that it did not write.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|.?)",
    re.S,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """`text` with escape sequences and control characters (newlines and tabs kept) shown
    as visible escapes (`\\x1b[2J`), so printing it cannot drive the terminal."""
    if not text:
        return text or ""

    def visible(match: re.Match[str]) -> str:
        return "".join(
            ch
            if " " <= ch < "\x7f"
            else f"\\x{ord(ch):02x}"
            if ord(ch) < 0x100
            else f"\\u{ord(ch):04x}"
            for ch in match.group(0)
        )

    return _CONTROL.sub(visible, _ESCAPE_SEQUENCE.sub(visible, text))
