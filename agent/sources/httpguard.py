"""Limits on what the arXiv API and PDF hosts may send: redirects stay on the host that was
asked (https is never downgraded), bodies are bounded in size and in time (an overall
deadline: httpx's timeout is per read, so a server sending a byte every few seconds would
never time out), content types are checked.

A response that breaks a limit raises `Refused` with the reason; callers turn it into
their own error (FetchError for the API, a failed download for a PDF) without retrying.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

MAX_REDIRECTS = 5
MAX_FEED_BYTES = 32 * 1024 * 1024  # one API page of 100 entries is well under 1 MB
MAX_PDF_BYTES = 256 * 1024 * 1024  # the largest arXiv PDFs are a few ten MB
FEED_TYPES = frozenset({"application/atom+xml", "application/xml", "text/xml"})


class Refused(Exception):
    """A response refused by a limit; the message says which and why."""


def check_redirect(response: httpx.Response) -> None:
    """httpx response hook: refuse a redirect to another host or from https to http."""
    if not response.has_redirect_location:
        return
    here = response.request.url
    try:
        target = here.join(response.headers["location"])
    except (httpx.InvalidURL, KeyError, ValueError):
        raise Refused(f"{here} redirected to an invalid location") from None
    same_port = target.port == here.port or target.scheme != here.scheme
    if target.host != here.host or not same_port:
        where = f"{target.host}:{target.port}" if target.port else target.host
        raise Refused(f"{here} redirected to another host ({where}); refused")
    if here.scheme == "https" and target.scheme != "https":
        raise Refused(f"{here} redirected from https to {target.scheme}; refused")


def guarded_client(**kwargs: Any) -> httpx.Client:
    """An httpx client that follows redirects only within the requested host."""
    hooks = kwargs.pop("event_hooks", {}) or {}
    hooks = {**hooks, "response": [*hooks.get("response", []), check_redirect]}
    return httpx.Client(
        follow_redirects=True, max_redirects=MAX_REDIRECTS, event_hooks=hooks, **kwargs
    )


def content_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def check_length(response: httpx.Response, limit: int, what: str) -> None:
    """Refuse a response whose Content-Length is over `limit` before reading it."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Refused(f"{what} is {int(declared):,} bytes, over the {limit:,} byte limit")


class Deadline:
    """The overall time limit of one transfer, started when it is made."""

    def __init__(self, seconds: float, what: str) -> None:
        self.seconds = seconds
        self.what = what
        self.end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise Refused(
                f"{self.what} took more than {self.seconds:g}s in all (the server sends too "
                "slowly); cut off"
            )


def read_capped(
    response: httpx.Response, limit: int, what: str, deadline: Deadline | None = None
) -> bytes:
    """The body of a streamed response, refused as soon as it passes `limit` bytes or
    `deadline`."""
    check_length(response, limit, what)
    body = bytearray()
    for block in response.iter_bytes():
        body += block
        if len(body) > limit:
            raise Refused(f"{what} is over the {limit:,} byte limit; refused")
        if deadline is not None:
            deadline.check()
    return bytes(body)


def check_feed_type(response: httpx.Response) -> None:
    """An API answer must be XML (Atom); an HTML page or JSON is refused."""
    kind = content_type(response)
    if kind and kind not in FEED_TYPES and not kind.endswith("+xml"):
        raise Refused(f"arXiv API sent {kind} instead of an Atom feed")
