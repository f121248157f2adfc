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
