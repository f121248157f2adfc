"""The reader on layouts the corpus does not have (issue 15), from PDFs built here: a title
in capitals with a word broken at the line end comes out joined and in the paper's own
casing; a break in a real compound in capitals keeps its hyphen."""

from __future__ import annotations

from pathlib import Path

from pdfbuild import text_pdf

from agent.sources.pdf import read_pdf

BODY = [
    (11, "Alice Example and Bob Example"),
    (11, "Example University"),
    (12, "Abstract"),
    (10, "Language model pre-training, such as BERT, has improved natural language"),
    (10, "understanding. We propose TinyBERT, a distilled BERT that is 7.5x smaller."),
    (10, "TinyBERT keeps 96.8% of the accuracy of its teacher on GLUE for language tasks."),
    (12, "1 Introduction"),
    (10, "Large LLMs are slow; TinyBERT distills BERT into a small student model."),
]


def test_a_title_in_capitals_broken_at_a_line_end(tmp_path: Path) -> None:
    title = [(17, "TINYBERT: DISTILLING BERT FOR NATURAL LAN-"), (17, "GUAGE UNDERSTANDING")]
    paper = read_pdf(text_pdf(tmp_path / "tiny.pdf", [title + BODY])).paper
    assert paper.title == "TinyBERT: Distilling BERT for Natural Language Understanding"


def test_a_compound_in_capitals_keeps_its_hyphen(tmp_path: Path) -> None:
    title = [(17, "FAST INFERENCE WITH A PAGED KEY-"), (17, "VALUE STORE FOR TINYBERT")]
    paper = read_pdf(text_pdf(tmp_path / "kv.pdf", [title + BODY])).paper
    assert paper.title == "Fast Inference with a Paged Key-Value Store for TinyBERT"


SLIDE = [(28, "KVCache reuse"), (20, "Prefix sharing cuts the prefill time"), (20, "2.1x faster")]


def test_slides_and_posters_are_reported_as_such(tmp_path: Path) -> None:
    deck = text_pdf(tmp_path / "deck.pdf", [SLIDE] * 6, size=(960, 540))
    warnings = read_pdf(deck).warnings
    assert any(w.startswith("not a paper: looks like a slide deck (6 of 6 pages") for w in warnings)
    poster = text_pdf(tmp_path / "poster.pdf", [SLIDE + BODY], size=(2384, 3370))
    assert any(
        "looks like a poster (1 page(s) of 33x47 in)" in w for w in read_pdf(poster).warnings
    )
    paper = text_pdf(tmp_path / "paper.pdf", [[(17, "A Paper")] + BODY] * 3)
    assert not any(w.startswith("not a paper") for w in read_pdf(paper).warnings)


ABSTRACT = [
    (12, "Abstract"),
    (10, "We propose a cache that speeds up decoding of language models on long inputs."),
    (10, "Our method reaches a 35.2% lower latency than the baseline on all benchmarks."),
    (12, "1 Introduction"),
    (10, "Decoding with long inputs is slow because every step reads the whole cache."),
]


def people(tmp_path: Path, head: list[tuple[float, str]]) -> tuple[list[str], list[str]]:
    paper = read_pdf(text_pdf(tmp_path / "p.pdf", [head + ABSTRACT])).paper
    return paper.authors, paper.affiliations


def test_author_blocks_of_tech_reports_and_footnoted_names(tmp_path: Path) -> None:
    title = (17, "Sparse Caches for Long Inputs")
    assert people(tmp_path, [title, (11, "Acme AI Research Team")]) == (
        ["Acme AI Research Team"],
        [],
    )  # a team author, not an institution
    roles = [
        title,
        (11, "Core Contributors: Alice Example, Bob Smith"),
        (11, "Contributors: Dan Brown"),
    ]
    assert people(tmp_path, roles)[0] == ["Alice Example", "Bob Smith", "Dan Brown"]
    marked = [
        title,
        (11, "Alice Example1, Bob Smith2, Carol Jones1,2"),
        (10, "1Example University, Paris, France"),
        (10, "2Acme AI Lab, Beijing, China"),
    ]
    assert people(tmp_path, marked) == (
        ["Alice Example", "Bob Smith", "Carol Jones"],
        ["Example University, Paris, France", "Acme AI Lab, Beijing, China"],
    )

    spaced = [
        title,
        (11, "Alice Example 1 , Bob Smith 2 , Carol Jones 1"),
        (10, "1 Example University"),
        (10, "2 Acme Research"),
    ]  # a marker set apart from the institution is not a section number
    assert people(tmp_path, spaced)[1] == ["Example University", "Acme Research"]
