"""Citations in answers: `[arXiv:ID p.N]`, parsed, resolved against the store, enforced.

A model may write anything between brackets. `CitationGate` sits between the model's token
stream and the screen: it holds back text from a `[` to its `]`, and lets a citation through
only when `resolve(paper, page)` finds a stored chunk of that paper on that page. Citations
that do not resolve are dropped (and recorded), so an unresolvable one is never shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.chat.text import collapse

# One citation body inside brackets: "arXiv:2508.14148v2 p.3", "sha256:0123abcd0123abcd p. 3".
_BODY = re.compile(
    r"^\s*(?:arxiv\s*:\s*(?P<arxiv>\d{4}\.\d{4,5})(?:v\d+)?|(?P<sha>sha256:[0-9a-f]{16}))"
    r"\s*,?\s*(?:pp?\.|pages?|p)\s*(?P<page>\d{1,4})(?:\s*[-–]\s*\d{1,4})?\s*$",
    re.IGNORECASE,
)
_CITE_LIKE = re.compile(r"arxiv|sha256:|\d{4}\.\d{4,5}", re.IGNORECASE)
CITATION_RE = re.compile(r"\[(?:arXiv:\d{4}\.\d{4,5}|sha256:[0-9a-f]{16}) p\.\d{1,4}\]")
MAX_BRACKET = 160
# Between sentences: after . ! ? and a space; after 。！？ (no space needed); after a
# citation that ends a sentence without a full stop.
SENTENCE_SPLIT = re.compile(
    r"(?<=[.!?])\s+(?=[^\s\[])|(?<=[。！？])\s*(?=[^\s\[])|(?<=\])\s*(?=[A-Z\u4e00-\u9fff])"
)


@dataclass(frozen=True)
class Ref:
    """A citation target: a paper (arXiv id or 'sha256:<16 hex>') and a 1-based page."""

    paper: str
    page: int

    def render(self) -> str:
        prefix = "" if self.paper.startswith("sha256:") else "arXiv:"
        return f"[{prefix}{self.paper} p.{self.page}]"


Resolver = Callable[[str, int], bool]


def parse_bracket(content: str) -> tuple[list[Ref], list[str]] | None:
    """Refs in the text between one pair of brackets, and the parts that did not parse.

    Returns None when the bracket does not look like a citation at all (e.g. "[1]").
    """
    if not _CITE_LIKE.search(content):
        return None
    refs: list[Ref] = []
    bad: list[str] = []
    for part in re.split(r"[;,]\s*(?=arxiv|sha256)", content, flags=re.IGNORECASE):
        match = _BODY.match(part)
        if match is None:
            bad.append(part.strip())
            continue
        paper = match["arxiv"] or match["sha"].lower()
        refs.append(Ref(paper, int(match["page"])))
    return refs, bad


def refs_in(text: str) -> list[Ref]:
    """Canonical citations in already enforced text, in order of appearance."""
    out = []
    for match in CITATION_RE.finditer(text):
        parsed = parse_bracket(match.group(0)[1:-1])
        if parsed:
            out.extend(parsed[0])
    return out


@dataclass
class CitationGate:
    """Filters a stream of text so that only resolvable citations reach the reader."""

    resolve: Resolver
    kept: list[Ref] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    _buffer: str = ""

    def feed(self, text: str) -> str:
        """Take the next piece of the stream; return what may be shown now."""
        out: list[str] = []
        for char in text:
            if self._buffer:
                self._buffer += char
                if char == "]":
                    out.append(self._judge(self._buffer))
                    self._buffer = ""
                elif char == "[" or char == "\n" or len(self._buffer) > MAX_BRACKET:
                    out.append(self._release(self._buffer[:-1]))
                    self._buffer = ""
                    out.append(self.feed(char))
            elif char == "[":
                self._buffer = char
            else:
                out.append(char)
        return "".join(out)

    def flush(self) -> str:
        """End of stream: release or drop whatever is held back."""
        held, self._buffer = self._buffer, ""
        return self._release(held) if held else ""

    def _release(self, held: str) -> str:
        """An unclosed bracket: shown unless it starts like a citation."""
        if _CITE_LIKE.search(held):
            self.dropped.append(held)
            return ""
        return held

    def _judge(self, bracket: str) -> str:
        parsed = parse_bracket(bracket[1:-1])
        if parsed is None:
            return bracket
        refs, bad = parsed
        self.dropped.extend(bad)
        shown = []
        for ref in refs:
            if self.resolve(ref.paper, ref.page):
                self.kept.append(ref)
                shown.append(ref.render())
            else:
                self.dropped.append(ref.render())
        return " ".join(shown)


def enforce(text: str, resolve: Resolver) -> tuple[str, CitationGate]:
    """Run a whole text through a CitationGate; tidy spaces left by dropped citations."""
    gate = CitationGate(resolve)
    out = gate.feed(text) + gate.flush()
    out = re.sub(r"[ \t]+([.,;:!?])", r"\1", out)
    out = re.sub(r"[ \t]{2,}", " ", out)
    return out.strip(), gate


def answer_sentences(text: str) -> list[tuple[str, list[Ref]]]:
    """The answer split into sentences, each with the citations attached to it.

    A run of citations standing after a sentence's full stop belongs to that sentence.
    Bullet lines count as sentences of their own.
    """
    pieces: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line[:2] in ("- ", "* ", "• "):
            pieces.append(line[2:].strip())
            continue
        if not line:
            continue
        pieces.extend(p for p in SENTENCE_SPLIT.split(line) if p.strip())
    out: list[tuple[str, list[Ref]]] = []
    for piece in pieces:
        refs = refs_in(piece)
        bare = collapse(CITATION_RE.sub("", piece)).strip()
        if not bare.strip(" .;,") and out:
            out[-1][1].extend(refs)
            continue
        if not refs and bare.endswith(":"):  # a lead-in line ("Passages ...:") is no sentence
            continue
        out.append((piece.strip(), refs))
    return out
