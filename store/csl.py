"""CSL-JSON export of the stored papers, the format Zotero, Zettlr and pandoc-citeproc import
without loss. An arXiv paper is written as Zotero writes a preprint it saved from arXiv: type
"article", publisher "arXiv", number "arXiv:<id>", its arXiv DOI and abstract page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from store.schemas import Paper

# lower-case words that belong to the family name ("Ludwig van Beethoven")
PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le"}
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def csl_name(name: str) -> dict[str, str]:
    """{family, given} for "Given Family" (or "Family, Given"); a one-word or CJK name, which
    cannot be split safely, stays whole as {literal}."""
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        if family.strip() and given.strip():
            return {"family": family.strip(), "given": given.strip()}
    words = name.split(" ")
    if len(words) < 2 or _CJK.search(name):
        return {"literal": name}
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in PARTICLES:
        cut -= 1
    return {"family": " ".join(words[cut:]), "given": " ".join(words[:cut])}


def csl_item(paper: Paper) -> dict[str, Any]:
    """One CSL-JSON item; the id is the paper's store key (2508.14148v2 or sha256:…)."""
    item: dict[str, Any] = {
        "id": paper.key,
        "type": "article" if paper.arxiv_id else "document",
        "title": paper.title or paper.key,
    }
    if paper.authors:
        item["author"] = [csl_name(a) for a in paper.authors]
    day = paper.published or paper.updated
    if day:
        item["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
    if paper.abstract:
        item["abstract"] = paper.abstract
    if paper.arxiv_id:
        item |= {
            "publisher": "arXiv",
            "number": f"arXiv:{paper.arxiv_id}",
            "DOI": f"10.48550/arXiv.{paper.arxiv_id}",
            "URL": f"https://arxiv.org/abs/{paper.key}",
        }
        if paper.arxiv_version:
            item["version"] = paper.arxiv_version.lstrip("v")
        if paper.categories:
            item["keyword"] = ", ".join(paper.categories)
    if paper.language:
        item["language"] = paper.language
    return item


def export_csl(papers: list[Paper]) -> Iterator[str]:
    """The papers as one CSL-JSON array, in lines (as the other exports are written)."""
    yield json.dumps([csl_item(p) for p in papers], ensure_ascii=False, indent=2)
