"""Build arXiv API Atom feeds in the current (2026) format, for fixture servers and tests.

The layout copies the real responses in ../shared/corpus/arxiv-api (current format):
namespaces on <feed>, entry children in the order id, title, updated, link*, summary,
category*, published, [arxiv:comment], arxiv:primary_category, author*.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

FEED_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
)


@dataclass
class FeedEntry:
    """One paper version as the arXiv API lists it."""

    arxiv_id: str
    version: str = "v1"
    title: str = ""
    authors: list[str] = field(default_factory=list)
    abstract: str = ""
    categories: list[str] = field(default_factory=lambda: ["cs.CL"])
    published: date | datetime | None = None
    updated: date | datetime | None = None
    affiliations: dict[str, list[str]] = field(default_factory=dict)  # author -> names
    comment: str | None = None

    @property
    def key(self) -> str:
        return f"{self.arxiv_id}{self.version}"

    def published_day(self) -> date:
        """The published date, else the first day of the id's month (YYMM.NNNNN)."""
        if self.published is not None:
            return self.published
        yymm = self.arxiv_id.split(".")[0]
        return date(2000 + int(yymm[:2]), int(yymm[2:4]), 1)


def _stamp(value: date | datetime) -> str:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(12, 0), tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_xml(entry: FeedEntry, pdf_base: str = "https://arxiv.org") -> str:
    """One <entry> in the current format; the pdf link points at `pdf_base`/pdf/<id>v<n>."""
    published = entry.published_day()
    updated = entry.updated or published
    key = entry.key
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{key}</id>",
        f"    <title>{escape(entry.title)}</title>",
        f"    <updated>{_stamp(updated)}</updated>",
        f'    <link href="https://arxiv.org/abs/{key}" rel="alternate" type="text/html"/>',
        f'    <link href={quoteattr(f"{pdf_base}/pdf/{key}")} rel="related" '
        'type="application/pdf" title="pdf"/>',
        f"    <summary>{escape(entry.abstract)}</summary>",
    ]
    lines += [
        f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>'
        for c in entry.categories
    ]
    lines.append(f"    <published>{_stamp(published)}</published>")
    if entry.comment:
        lines.append(f"    <arxiv:comment>{escape(entry.comment)}</arxiv:comment>")
    lines.append(f'    <arxiv:primary_category term="{entry.categories[0]}"/>')
    for author in entry.authors:
        lines.append("    <author>")
        lines.append(f"      <name>{escape(author)}</name>")
        lines += [
            f"      <arxiv:affiliation>{escape(a)}</arxiv:affiliation>"
            for a in entry.affiliations.get(author, [])
        ]
        lines.append("    </author>")
    lines.append("  </entry>")
    return "\n".join(lines)


def feed_xml(
    entries: list[FeedEntry],
    *,
    total: int | None = None,
    start: int = 0,
    query: str = "",
    pdf_base: str = "https://arxiv.org",
    comment: str | None = None,
) -> bytes:
    """A whole response page in the current format (UTF-8 bytes)."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = FEED_HEAD
    if comment:  # "--" is not allowed inside an XML comment
        head = head.replace("\n", f"\n<!-- {comment.replace('--', '- -')} -->\n", 1)
    body = [
        "  <id>https://arxiv.org/api/fixture</id>",
        f"  <title>arXiv Query: search_query={escape(query)}&amp;id_list=&amp;start={start}"
        f"&amp;max_results={len(entries)}</title>",
        f"  <updated>{now}</updated>",
        '  <link href="https://arxiv.org/api/query" type="application/atom+xml"/>',
        f"  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>",
        f"  <opensearch:totalResults>{len(entries) if total is None else total}"
        "</opensearch:totalResults>",
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
    ]
    body += [entry_xml(e, pdf_base) for e in entries]
    return (head + "\n".join(body) + "\n</feed>\n").encode("utf-8")


def error_feed_xml(bad_id: str = "abc") -> bytes:
    """The feed arXiv sends with HTTP 400 for a malformed id: one entry titled Error."""
    slug = f"incorrect_id_format_for_{bad_id}"
    return (
        FEED_HEAD + f"  <id>https://arxiv.org/api/errors#{slug}</id>\n"
        "  <title>arXiv Query: search_query=&amp;id_list=" + escape(bad_id) + "</title>\n"
        "  <updated>2026-04-12T00:00:00Z</updated>\n"
        "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
        "  <opensearch:totalResults>1</opensearch:totalResults>\n"
        "  <opensearch:startIndex>0</opensearch:startIndex>\n"
        "  <entry>\n"
        f"    <id>https://arxiv.org/api/errors#{slug}</id>\n"
        "    <title>Error</title>\n"
        f"    <summary>incorrect id format for {escape(bad_id)}</summary>\n"
        "    <updated>2026-04-12T00:00:00Z</updated>\n"
        f'    <link href="https://arxiv.org/api/errors#{slug}" rel="alternate" type="text/html"/>\n'
        "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
        "  </entry>\n</feed>\n"
    ).encode("utf-8")


def corpus_entries(shared_dir: Path) -> list[tuple[FeedEntry, Path]]:
    """Every arXiv paper of ../shared/corpus with its real metadata, and its PDF."""
    corpus = Path(shared_dir) / "corpus"
    out = []
    for line in (corpus / "MANIFEST.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        if not item.get("arxiv_id"):
            continue
        gold = json.loads((corpus / item["gold"]).read_text(encoding="utf-8"))
        entry = FeedEntry(
            arxiv_id=item["arxiv_id"],
            version=item.get("arxiv_version") or gold.get("arxiv_version") or "v1",
            title=gold.get("title") or item["title"],
            authors=list(gold.get("authors") or []),
            abstract=gold.get("abstract") or "",
        )
        out.append((entry, corpus / "pdf" / item["file"]))
    return out


def legacy_entry_xml(entry: FeedEntry, pdf_base: str = "http://arxiv.org") -> str:
    """One <entry> in the legacy (until late 2025) layout: other child order, inline
    namespaces, `title` first on the pdf link, hard-wrapped summary with leading spaces."""
    import textwrap

    key = entry.key
    arxiv_ns = 'xmlns:arxiv="http://arxiv.org/schemas/atom"'
    summary = "\n".join(textwrap.wrap("  " + entry.abstract, 78, drop_whitespace=False))
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{key}</id>",
        f"    <updated>{_stamp(entry.updated or entry.published_day())}</updated>",
        f"    <published>{_stamp(entry.published_day())}</published>",
        f"    <title>{escape(entry.title)}</title>",
        f"    <summary>{escape(summary)}\n</summary>",
    ]
    for author in entry.authors:
        lines.append(f"    <author>\n      <name>{escape(author)}</name>")
        lines += [
            f"      <arxiv:affiliation {arxiv_ns}>{escape(a)}</arxiv:affiliation>"
            for a in entry.affiliations.get(author, [])
        ]
        lines.append("    </author>")
    if entry.comment:
        lines.append(f"    <arxiv:comment {arxiv_ns}>{escape(entry.comment)}</arxiv:comment>")
    lines += [
        f'    <link href="http://arxiv.org/abs/{key}" rel="alternate" type="text/html"/>',
        f'    <link title="pdf" href={quoteattr(f"{pdf_base}/pdf/{key}")} rel="related" '
        'type="application/pdf"/>',
        f'    <arxiv:primary_category {arxiv_ns} term="{entry.categories[0]}" '
        'scheme="http://arxiv.org/schemas/atom"/>',
    ]
    lines += [
        f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>'
        for c in entry.categories
    ]
    lines.append("  </entry>")
    return "\n".join(lines)


def legacy_feed_xml(entries: list[FeedEntry], pdf_base: str = "http://arxiv.org") -> bytes:
    """A whole response in the legacy layout."""
    ns = 'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        '  <link href="http://arxiv.org/api/query?search_query%3Dfixture" rel="self" '
        'type="application/atom+xml"/>',
        '  <title type="html">ArXiv Query: search_query=fixture</title>',
        "  <id>http://arxiv.org/api/fixture</id>",
        "  <updated>2025-08-20T00:00:00-04:00</updated>",
        f"  <opensearch:totalResults {ns}>{len(entries)}</opensearch:totalResults>",
        f"  <opensearch:startIndex {ns}>0</opensearch:startIndex>",
        f"  <opensearch:itemsPerPage {ns}>{len(entries)}</opensearch:itemsPerPage>",
    ]
    body = [legacy_entry_xml(e, pdf_base) for e in entries]
    return ("\n".join(head + body) + "\n</feed>\n").encode("utf-8")
