"""The briefing formats, as data: what identifies each kind and what its structure must hold.

Kinds follow the seed briefings (../shared/seeds): `weekly` (also daily; seed 004: 论文技术简报
then 论文详细信息 with 主要机构 / 作者数量 / 摘要 per paper), `deepdive` (seed 002: front matter,
概览 table, per paper 论文 / 发布 / 关键词, 趋势分析, 推荐阅读顺序), `trends` (seeds 000/001:
front matter, 执行摘要, 技术方向分析 tables, 推荐阅读清单) and `catalog` (seed 003: tables
`| 日期 | 概要 | 论文 / 链接 | 团队 | 描述 |`). Patterns are regular expressions searched in a
heading's text (emoji and numbering ignored) or in the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TableSpec:
    """A table the format needs: its header must contain these columns (in this order)."""

    name: str
    columns: tuple[str, ...]
    min_count: int = 1  # how many such tables the document needs (0: optional, checked if present)


@dataclass(frozen=True)
class Format:
    """One brief kind: how to recognise it and what it must contain."""

    kind: str
    description: str
    markers: tuple[str, ...]  # patterns that identify the kind (each found adds one vote)
    front_matter: tuple[str, ...] = ()  # required front-matter keys
    header_fields: tuple[str, ...] = ()  # "key: value" lines required near the top
    headings: tuple[str, ...] = ()  # required headings, in document order
    tables: tuple[TableSpec, ...] = ()
    paper_fields: tuple[str, ...] = ()  # "**字段**: value" fields each paper block needs (regex)
    link_patterns: tuple[str, ...] = ()  # accepted forms of a paper link (any of them)
    needs_links: bool = False  # whether the document must cite papers by link
    extra: dict[str, str] = field(default_factory=dict)


ARXIV_LINK = r"\[[^\]]+\]\(https?://arxiv\.org/abs/\d{4}\.\d{4,5}(?:v\d+)?\)"
ARXIV_CITE = r"\[arXiv:\d{4}\.\d{4,5}(?:v\d+)?(?:\s+p\.\s*\d+)?\]"
ANY_LINK = r"\[[^\]]+\]\(https?://[^)\s]+\)"

FORMATS: dict[str, Format] = {
    "weekly": Format(
        kind="weekly",
        description="paper analysis report (seed 004): one sentence per paper, then details",
        markers=(
            r"论文技术简报|Paper briefs",
            r"论文详细信息|Paper details",
            r"分析论文数量|Papers analysed",
            r"\*\*(?:摘要|Abstract)\*\*",
            r"作者数量|\*\*Authors\*\*",
        ),
        header_fields=(r"生成时间|Generated", r"分析论文数量|Papers analysed"),
        headings=(r"论文技术简报|Paper briefs", r"论文详细信息|Paper details"),
        paper_fields=("主要机构|Institutions", "作者数量|Authors", "摘要|Abstract"),
        link_patterns=(ARXIV_CITE, ARXIV_LINK),
    ),
    "deepdive": Format(
        kind="deepdive",
        description="paper deep-dive (seed 002): overview table, then per paper sections",
        markers=(
            r"深度解读",
            r"核心思想",
            r"技术亮点",
            r"为什么值得关注",
            r"\*\*.{0,4}发布",
            r"推荐阅读顺序",
        ),
        front_matter=("title", "date"),
        headings=(r"概览", r"趋势分析", r"推荐阅读顺序"),
        tables=(TableSpec("概览", ("方向", "论文数", "热点")),),
        paper_fields=("论文", "发布", "关键词"),
        link_patterns=(ARXIV_LINK, ARXIV_CITE),
        needs_links=True,
    ),
    "trends": Format(
        kind="trends",
        description="monthly trend report (seeds 000/001): trends, directions, reading list",
        markers=(
            r"趋势报告",
            r"执行摘要",
            r"技术方向",
            r"推荐阅读清单",
            r"研究热度",
            r"工业界动态",
        ),
        front_matter=("title", "date", "description", "tags"),
        headings=(r"执行摘要", r"技术方向", r"推荐阅读"),
        tables=(TableSpec("技术方向", ("技术", "成熟度", "研究热度"), min_count=0),),
        link_patterns=(ARXIV_LINK, ARXIV_CITE),
        needs_links=True,
    ),
    "catalog": Format(
        kind="catalog",
        description="curated knowledge base (seed 003): taxonomy of dated tables",
        markers=(r"\|\s*日期\s*\|\s*概要\s*\|", r"论文\s*/\s*链接", r"\|\s*团队\s*\|"),
        tables=(TableSpec("条目", ("日期", "概要", "论文 / 链接", "团队", "描述")),),
        link_patterns=(ANY_LINK,),
        needs_links=True,
    ),
}

# Aliases: a daily brief has the weekly structure.
KIND_ALIASES = {"daily": "weekly", "monthly": "trends", "trend": "trends", "kb": "catalog"}


def get_format(kind: str) -> Format | None:
    """The format of `kind` (aliases allowed), None when unknown."""
    return FORMATS.get(KIND_ALIASES.get(kind, kind))
