"""Reader accuracy on the 18 dev PDFs against hand-checked gold (needs ../shared).

Run with -s to see the per-paper table. The same figures are measured on unseen papers, so
the reader uses general heuristics only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.reader_gold import evaluate, format_table

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def results(shared_dir: Path):  # type: ignore[no-untyped-def]
    corpus = shared_dir / "corpus"
    scores, tot = evaluate(corpus / "pdf", corpus / "gold")
    print("\n" + format_table(scores, tot))
    return scores, tot


def test_covers_the_dev_set(results) -> None:  # type: ignore[no-untyped-def]
    scores, tot = results
    assert tot.papers == 18


def test_arxiv_id_never_wrong(results) -> None:  # type: ignore[no-untyped-def]
    scores, _ = results
    wrong = [s.file for s in scores if s.id_ok is False]
    assert wrong == []


def test_titles(results) -> None:  # type: ignore[no-untyped-def]
    _, tot = results
    assert tot.title_correct >= 17


def test_abstracts(results) -> None:  # type: ignore[no-untyped-def]
    _, tot = results
    assert tot.abstract_ok >= tot.abstract_total - 1


def test_section_headings(results) -> None:  # type: ignore[no-untyped-def]
    _, tot = results
    assert tot.heading_recall >= 0.85
    assert tot.heading_precision >= 0.8


def test_authors(results) -> None:  # type: ignore[no-untyped-def]
    _, tot = results
    assert tot.author_f1 >= 0.85


def test_affiliations_reported(results) -> None:  # type: ignore[no-untyped-def]
    _, tot = results
    # no floor in the issue; guard against a collapse of the heuristics
    assert tot.affiliation_f1 >= 0.6


def test_headings_from_text_alone(shared_dir: Path) -> None:
    """The fallback for PDFs without bookmarks, run on every dev paper: fonts and text only."""
    import json

    from agent.sources import sections
    from agent.sources.pdftext import extract
    from evals.reader_gold import heading_key, match_headings

    corpus = shared_dir / "corpus"
    tp = npred = ngold = 0
    for gold_path in sorted((corpus / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        doc = extract(corpus / "pdf" / gold["file"], "pdfium", sections.might_be_heading)
        found = [
            h.title
            for h in sections.from_text(doc.lines)
            if h.level == 1 and heading_key(h.title) != "abstract"
        ]
        tp += match_headings(found, gold["section_headings"])
        npred += len(found)
        ngold += len(gold["section_headings"])
    print(f"\nheadings without outline: P {tp / npred:.3f} R {tp / ngold:.3f}")
    assert tp / ngold >= 0.85 and tp / npred >= 0.8
