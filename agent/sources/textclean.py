"""Text cleanup for extracted PDF pages.

- line-break hyphenation: PDFium marks a hyphen it inserted at a line break with U+FFFE;
  pypdf leaves `word-\\nrest`. The hyphen is dropped (the word is joined) unless the
  document shows the hyphenated form elsewhere or the right part starts with a capital or
  digit (`DeepSeek-V2`, `KV-Cache`): then it is a real compound and kept.
- ligatures and other compatibility characters: NFKC where it is safe (ligatures, spaces,
  full-width ASCII); NFKC is not applied to super/subscripts or math letters.
- control characters dropped, U+FFFD runs collapsed, mojibake repaired with ftfy only when
  a cheap test says the text looks like mojibake.
"""

from __future__ import annotations

import re
import unicodedata

SOFT = "\ufffe"
_LIGATURES = {
    c: unicodedata.normalize("NFKC", c) for c in "\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"
}
_SPACES = dict.fromkeys(
    map(
        ord,
        "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000",
    ),
    " ",
)
_DROP = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127, 0x200B, 0xFEFF, 0x00AD], None)
_TRANSLATE: dict[int, str | None] = {
    **_SPACES,
    **_DROP,
    **{ord(k): v for k, v in _LIGATURES.items()},
}

_SPECIAL_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TRANSLATE)) + "]")
_COMPOUND_RE = re.compile(r"\w+(?:-\w+)+")
_WORD_END_RE = re.compile(r"(\w*)\Z")
_WORD_START_RE = re.compile(r"[ \t]*\n?[ \t]*(\w*)")
_PYPDF_HYPHEN_RE = re.compile(r"([A-Za-z]+)-[ \t]*\n[ \t]*(\w+)")
_FFFD_RE = re.compile("\ufffd+")
_MOJIBAKE_RE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac|\u00ef\u00ac")
_FULLWIDTH_RE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_TRAILING_WS_RE = re.compile(r"[ \t]+\n")
_MULTISPACE_RE = re.compile(r"[ \t]{2,}")


def _hyphenated_tokens(text: str) -> list[str]:
    """The whitespace-separated tokens of `text` that hold a hyphen (`text.split()` would
    give the same ones, but hyphens are rare: jumping from one to the next is faster)."""
    out: list[str] = []
    end = len(text)
    at = text.find("-")
    while at >= 0:
        start = stop = at
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while stop < end and not text[stop].isspace():
            stop += 1
        out.append(text[start:stop])
        at = text.find("-", stop)
    return out


class Compounds(set[str]):
    """Hyphenated pairs of a document (lower-cased) and, in `words`, its other words of five
    or more letters (lower-cased): evidence for joining a break in capitals (LAN-/GUAGE)."""

    words: frozenset[str] = frozenset()


_LONG_WORD_RE = re.compile(r"[^\W\d_]{5,}")


def compound_words(text: str) -> set[str]:
    """Hyphenated pairs that occur in the text (lower-cased), used as evidence for compounds:
    'state-of-the-art' gives 'state-of', 'of-the' and 'the-art'."""
    out = Compounds()
    for token in _hyphenated_tokens(text):
        if SOFT in token:
            continue
        for word in _COMPOUND_RE.findall(token):
            parts = word.lower().split("-")
            out.update(f"{a}-{b}" for a, b in zip(parts, parts[1:], strict=False))
    out.words = frozenset(w.lower() for w in _LONG_WORD_RE.findall(text))
    return out


def _caps_break(left: str, right: str, compounds: set[str]) -> bool:
    """A word in capitals broken at a line end (small-caps titles: 'LAN-' / 'GUAGE'): both
    parts in capitals, the joined word used elsewhere in the document, the hyphenated pair
    not."""
    words: frozenset[str] = getattr(compounds, "words", frozenset())
    joined = f"{left}{right}".lower()
    return (
        left.isalpha()
        and right.isalpha()
        and left.isupper()
        and right.isupper()
        and joined in words
        and f"{left}-{right}".lower() not in compounds
    )


def _join(left: str, right: str, compounds: set[str]) -> str:
    if not left or not right:
        return left + right
    if _caps_break(left, right, compounds):
        return left + right
    if right[0].isupper() or right[0].isdigit() or left[-1].isdigit():
        return f"{left}-{right}"
    if left.isupper() and len(left) > 1:
        return f"{left}-{right}"
    if f"{left}-{right}".lower() in compounds:
        return f"{left}-{right}"
    return left + right


def dehyphenate(text: str, compounds: set[str]) -> str:
    """Join words broken at line ends (soft-hyphen marks and pypdf `-\\n`)."""
    if SOFT in text:
        parts = text.split(SOFT)
        out = [parts[0]]
        for part in parts[1:]:
            left = _WORD_END_RE.search(out[-1][-64:])
            right = _WORD_START_RE.match(part)
            lword = left.group(1) if left else ""
            rword = right.group(1) if right else ""
            out[-1] = out[-1][: len(out[-1]) - len(lword)] if lword else out[-1]
            out.append(_join(lword, rword, compounds) + part[right.end() if right else 0 :])
        text = "".join(out)
    if "-\n" in text or "- \n" in text:
        text = _PYPDF_HYPHEN_RE.sub(lambda m: _join(m.group(1), m.group(2), compounds), text)
    return text


def normalize_chars(text: str) -> str:
    """Safe compatibility normalization, control characters and U+FFFD runs."""
    if _SPECIAL_RE.search(text):
        text = _SPECIAL_RE.sub(lambda m: _TRANSLATE[ord(m.group())] or "", text)
    if "\ufffd" in text:
        text = _FFFD_RE.sub("\ufffd", text)
    if _MOJIBAKE_RE.search(text):
        import ftfy

        text = ftfy.fix_text(text, normalization=None, uncurl_quotes=False)
    if _FULLWIDTH_RE.search(text):
        # full-width ASCII letters and digits only; CJK punctuation stays as printed
        text = _FULLWIDTH_RE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return text


def clean_page(text: str, compounds: set[str]) -> str:
    """Clean one page of raw text (lines separated by \\n)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = dehyphenate(text, compounds)
    text = normalize_chars(text)
    text = _TRAILING_WS_RE.sub("\n", text)
    text = _MULTISPACE_RE.sub(" ", text)
    return text.strip("\n ")


def clean_line(text: str, compounds: set[str] | None = None) -> str:
    """Clean one line for metadata and heading matching."""
    if SOFT in text:
        text = dehyphenate(text, compounds or set())
    return _MULTISPACE_RE.sub(" ", normalize_chars(text)).strip()


def collapse(text: str) -> str:
    """NFKC and single spaces: the comparison form used by the gold conventions."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _cjk(c: str) -> bool:
    return "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef"


def join_lines(lines: list[str], compounds: set[str] | None = None) -> str:
    """Lines of one block (a title, an abstract) as one string: hyphenation joined, single
    spaces, and no space between two CJK characters."""
    text = clean_page("\n".join(lines), compounds or set())
    parts = [p.strip() for p in text.split("\n") if p.strip()]
    out = ""
    for part in parts:
        if out and not (_cjk(out[-1]) and _cjk(part[0])) and not _url_goes_on(out, part):
            out += " "
        out += part
    return " ".join(out.split(" ")).strip()


# a URL cut at a line end: 'https:' or 'https://github.com/user/' (ends in a separator)
_URL_CUT_RE = re.compile(r"(?:\bhttps?:/{0,2}|\bhttps?://[^\s]*[/_.\-#?=&]|\bwww\.[^\s]*[/_.\-])$")
_URL_REST_RE = re.compile(r"^[/A-Za-z0-9_~%-]")


def _url_goes_on(text: str, part: str) -> bool:
    """Whether `part` continues a URL that `text` ends with (rejoined without a space); after
    a final '.' only a lower-case host or path part does ('github.io/x', not 'We show')."""
    if not (_URL_CUT_RE.search(text[-300:]) and _URL_REST_RE.match(part)):
        return False
    if text.endswith("."):
        head = part.split(" ", 1)[0]
        return part[0].islower() and ("/" in head or "." in head.rstrip("."))
    return True
