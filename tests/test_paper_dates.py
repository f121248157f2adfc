"""Every paper gets the best date it can, with where it came from (issue 15): the arXiv
feed, else the arXiv stamp on page 1, else the arXiv id's month, else the PDF's creation
date; briefs print the source of any date that is not the feed's."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pdfbuild import text_pdf

from agent.formats import dates
from agent.sources import pdfmeta
from agent.sources.pdf import read_pdf
from store.schemas import Paper

BODY = [
    (18, "Sparse Caches for Long Inputs"),
    (11, "Alice Example"),
    (11, "Example University"),
    (12, "Abstract"),
    (10, "We propose a cache that speeds up decoding of language models on long inputs."),
    (10, "Our method reaches a 35.2% lower latency than the baseline on all benchmarks."),
    (12, "1 Introduction"),
    (10, "Decoding with long inputs is slow because every step reads the whole cache."),
]


@pytest.mark.parametrize(
    ("stamp", "name", "info", "want", "source"),
    [
        (
            "arXiv:2208.07339v2 [cs.LG] 10 Nov 2022",
            "paper.pdf",
            None,
            date(2022, 11, 10),
            "arxiv-stamp",
        ),
        (None, "2305.01234v1.pdf", {"CreationDate": "D:20240101"}, date(2023, 5, 1), "arxiv-id"),
        (
            None,
            "report.pdf",
            {"CreationDate": "D:20250221093000+08'00'"},
            date(2025, 2, 21),
            "pdf-metadata",
        ),
        (None, "report.pdf", None, None, None),
    ],
)
def test_the_reader_dates_a_pdf_and_says_how(
    tmp_path: Path, stamp: str | None, name: str, info: dict[str, str] | None,
    want: date | None, source: str | None,
) -> None:  # fmt: skip
    pdf = text_pdf(tmp_path / name, [BODY], stamp=stamp, info=info)
    paper = read_pdf(pdf).paper
    assert (paper.published, paper.published_source) == (want, source)


def test_date_helpers_reject_what_is_not_a_date() -> None:
    assert pdfmeta.stamp_date("arXiv:2208.07339v2 [cs.LG] 31 Feb 2022") is None
    assert pdfmeta.stamp_date("arXiv:2208.07339v2 [cs.LG] 3 Jan 2023") == date(2023, 1, 3)
    assert pdfmeta.id_month("hep-th/9901001") == date(1999, 1, 1)
    assert pdfmeta.id_month("2213.00001") is None  # month 13
    assert pdfmeta.info_date({"CreationDate": "D:21990101"}) is None  # in the future
    assert pdfmeta.info_date({"ModDate": "D:2019"}) == date(2019, 1, 1)


def test_briefs_say_where_a_date_came_from() -> None:
    feed = {"published": "2025-03-04", "published_source": "feed"}
    old = {"published": "2025-03-04"}  # stored before sources were kept: the feed's
    stamp = {"published": "2022-11-10", "published_source": "arxiv-stamp"}
    month = {"published": "2023-05-01", "published_source": "arxiv-id"}
    made = {"published": "2025-02-21", "published_source": "pdf-metadata"}
    assert dates.shown_date(feed, "zh") == dates.shown_date(old, "zh") == "2025-03-04"
    assert dates.shown_date(stamp, "zh") == "2022-11-10（据 PDF 首页 arXiv 标记）"
    assert dates.shown_date(month, "zh", sep="/") == "2023/05（据 arXiv 编号推算的月份）"
    assert dates.shown_date(made, "en") == "2025-02-21 (PDF creation date)"
    assert dates.shown_date({}, "zh") == ""


def test_old_paper_records_still_read() -> None:
    raw = {"sha256": "ab" * 32, "title": "T", "published": "2024-01-02"}
    paper = Paper.model_validate_json(json.dumps(raw))
    assert paper.published == date(2024, 1, 2) and paper.published_source is None


def test_corpus_papers_get_dates(corpus_pdfs: list[Path]) -> None:
    """At least 16 of the 18 corpus PDFs get a date; an arXiv id's date agrees with its
    month (a stamp may be a later version's date, never an earlier one)."""
    gold_dir = corpus_pdfs[0].parent.parent / "gold"
    dated = 0
    for pdf in corpus_pdfs:
        paper = read_pdf(pdf).paper
        gold = json.loads((gold_dir / f"{pdf.stem}.json").read_text(encoding="utf-8"))
        if paper.published is None:
            continue
        dated += 1
        month = pdfmeta.id_month(gold.get("arxiv_id"))
        if month and paper.published_source in ("arxiv-stamp", "arxiv-id"):
            assert paper.published >= month, pdf.name
    assert dated >= 16
