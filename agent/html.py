"""A brief as one HTML page: the Markdown rendered by markdown-it-py (CommonMark and tables,
raw HTML shown as text, unsafe link schemes refused) and the result sanitised again by nh3
(the Ammonia allow-list), so nothing from a paper, a feed or a model runs in a browser or a
mail client. The front matter gives the page title and is not shown."""

from __future__ import annotations

import html as html_lib
from pathlib import Path

import nh3
from markdown_it import MarkdownIt

from agent.frontmatter import split_front_matter

TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}, "td": {"style"}, "th": {"style"}}
STYLE = """body{font-family:system-ui,-apple-system,"Noto Sans CJK SC",sans-serif;max-width:52rem;
margin:2rem auto;padding:0 1rem;line-height:1.6;color:#1f2328}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .6rem}
blockquote{margin:0;padding:0 1rem;color:#59636e;border-left:.25rem solid #d0d7de}
pre{background:#f6f8fa;padding:.8rem;overflow:auto}code{font-size:90%}"""


def body_html(markdown: str) -> str:
    """The Markdown (without front matter) as sanitised HTML."""
    renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    raw = renderer.render(markdown)
    return nh3.clean(
        raw,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    )


def to_html(markdown: str, lang: str = "zh") -> str:
    """A standalone HTML page of a brief (title from its front matter)."""
    meta, body = split_front_matter(markdown)
    title = str(meta.get("title") or "brief")
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lib.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html_lib.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"{body_html(body)}</body>\n</html>\n"
    )


def write_html(markdown_path: Path, lang: str = "zh") -> Path:
    """Write `<brief>.html` beside `<brief>.md` (atomically) and return its path."""
    from agent.files import atomic_write

    target = markdown_path.with_suffix(".html")
    atomic_write(target, to_html(markdown_path.read_text(encoding="utf-8"), lang))
    return target
