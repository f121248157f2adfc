"""`brief store export --format csl-json`: the stored papers as CSL-JSON, written as Zotero
writes an arXiv preprint (type article, publisher arXiv, number arXiv:<id>, DOI, URL),
authors split into family and given names, the date as date-parts."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from agent.cli.app import app
from agent.settings import load_settings
from store.chroma import open_store
from store.csl import csl_name

runner = CliRunner()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Xinyin Ma", {"family": "Ma", "given": "Xinyin"}),
        ("Hai “Helen” Li", {"family": "Li", "given": "Hai “Helen”"}),
        ("Ludwig van Beethoven", {"family": "van Beethoven", "given": "Ludwig"}),
        ("Guo, Cong", {"family": "Guo", "given": "Cong"}),
        ("  Jianyi   Zhang ", {"family": "Zhang", "given": "Jianyi"}),
        ("Plato", {"literal": "Plato"}),
        ("王小明", {"literal": "王小明"}),
    ],
)
def test_names(name: str, expected: dict[str, str]) -> None:
    assert csl_name(name) == expected


def test_export_of_the_demo_papers() -> None:
    assert runner.invoke(app, ["weekly", "--demo"]).exit_code == 0
    result = runner.invoke(app, ["store", "export", "--format", "csl-json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    store = open_store(load_settings())
    try:
        papers = {p.key: p for p in store.list_papers(current_only=True)}
    finally:
        store.close()
    assert sorted(i["id"] for i in items) == sorted(papers) and len(items) == 3
    for item in items:
        paper = papers[item["id"]]
        assert paper.arxiv_id and paper.published
        assert item["type"] == "article" and item["publisher"] == "arXiv"
        assert item["title"] == paper.title
        assert item["number"] == f"arXiv:{paper.arxiv_id}"
        assert item["DOI"] == f"10.48550/arXiv.{paper.arxiv_id}"
        assert item["URL"] == f"https://arxiv.org/abs/{paper.key}"
        day = paper.published
        assert item["issued"] == {"date-parts": [[day.year, day.month, day.day]]}
        names = [f"{a['given']} {a['family']}" for a in item["author"]]
        assert names == [" ".join(a.split()) for a in paper.authors]
        assert item["abstract"] == paper.abstract


def test_unknown_format_names_the_choices() -> None:
    result = runner.invoke(app, ["store", "export", "--format", "ris"])
    assert result.exit_code != 0
    assert "csl-json" in str(result.exception)
