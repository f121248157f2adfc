"""The PDF reader on the bundled demo papers: metadata, sections, chunks, cleanup."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from agent.sources import people, sections
from agent.sources.chunking import chunk_spans
from agent.sources.pdf import read_pdf
from agent.sources.pdftext import LineInfo, TocEntry
from agent.sources.textclean import SOFT, clean_page, compound_words, join_lines, normalize_chars
from store.schemas import PAGE_SEPARATOR, ParsedPaper

DEMO = Path(__file__).resolve().parents[1] / "agent" / "data" / "demo"


def attribution() -> dict[str, dict[str, str]]:
    """Expected title, authors and arXiv id per demo file, from ATTRIBUTION.md."""
    rows = {}
    for line in (DEMO / "ATTRIBUTION.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| `(.+?\.pdf)` \| (.+?) \| (.+?) \| \[arXiv:(\S+?)(v\d+)\]", line)
        if m:
            rows[m.group(1)] = {
                "title": m.group(2),
                "authors": m.group(3),
                "id": m.group(4),
                "version": m.group(5),
            }
    return rows


@pytest.fixture(scope="module")
def parsed(demo_pdfs: list[Path]) -> dict[str, ParsedPaper]:
    return {p.name: read_pdf(p) for p in demo_pdfs}


def test_metadata_matches_attribution(parsed: dict[str, ParsedPaper]) -> None:
    expected = attribution()
    assert set(expected) == set(parsed)
    for name, doc in parsed.items():
        paper, want = doc.paper, expected[name]
        assert paper.arxiv_id == want["id"], name
        assert paper.arxiv_version == want["version"], name
        assert paper.key == want["id"] + want["version"]
        assert paper.title == want["title"], name
        assert ", ".join(paper.authors) == want["authors"], name
        assert paper.language == "en"
        assert len(paper.abstract.split()) > 100, name
        assert paper.affiliations, name


def test_page_count_and_sha256(parsed: dict[str, ParsedPaper], demo_pdfs: list[Path]) -> None:
    for path in demo_pdfs:
        doc = parsed[path.name]
        assert doc.paper.page_count == len(pdfium.PdfDocument(str(path))) == len(doc.pages)
        assert doc.paper.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert doc.engine == "pdfium"


def test_pages_are_clean(parsed: dict[str, ParsedPaper]) -> None:
    for doc in parsed.values():
        for page in doc.pages:
            assert SOFT not in page and "\r" not in page and "\ufb01" not in page
            assert not re.search(r"[\x00-\x08\x0b\x0e-\x1f]", page)
            assert "\f" not in page  # the separator's form feed never occurs inside a page


def test_abstract_keeps_word_spaces(parsed: dict[str, ParsedPaper]) -> None:
    # pypdf loses the spaces of this abstract's first line; PDFium keeps them
    abstract = parsed["2508.14148.pdf"].paper.abstract
    assert abstract.startswith("Diffusion-based Large Language Models (dLLMs) parallelize")


def test_sections_in_order_with_offsets(parsed: dict[str, ParsedPaper]) -> None:
    for name, doc in parsed.items():
        text = doc.text
        secs = doc.paper.sections
        top = [s.title for s in secs if s.level == 1]
        assert any(re.match(r"1\.? Introduction", t) for t in top), (name, top)
        assert "References" in top, (name, top)
        starts = [s.char_start for s in secs]
        assert starts == sorted(starts), name
        for s in secs:
            assert 1 <= s.page_start <= s.page_end <= doc.paper.page_count
            assert s.char_start < s.char_end <= len(text)
            assert doc.page_of(s.char_start) == s.page_start
            first_word = re.sub(r"^[\dA-Z]?[.\d]*\s*", "", s.title).split()[0]
            assert first_word.lower() in text[s.char_start : s.char_start + 200].lower(), s


def test_appendix_headings_are_top_level(parsed: dict[str, ParsedPaper]) -> None:
    top = [s.title for s in parsed["2509.18085.pdf"].paper.sections if s.level == 1]
    letters = [t.split()[0] for t in top if re.match(r"[A-G] ", t)]
    assert letters == list("ABCDEFG")
    # a heading printed on two lines is read as one
    assert "D Ablation on The Number of Calibration Samples Used" in top


def check_chunks(doc: ParsedPaper, tokens: int, overlap: int) -> None:
    text = doc.text
    secs = doc.paper.sections
    boundaries = sorted({0, len(text), *(s.char_start for s in secs)})
    assert [c.index for c in doc.chunks] == list(range(len(doc.chunks)))
    covered = [False] * len(text)
    for c in doc.chunks:
        assert c.paper_key == doc.paper.key
        assert c.text == text[c.char_start : c.char_end] and c.text.strip() == c.text
        assert len(c.text) <= tokens * 4
        assert c.page_start == doc.page_of(c.char_start)
        assert c.page_end == doc.page_of(c.char_end - 1)
        # never crosses a section boundary
        assert not any(c.char_start < b < c.char_end for b in boundaries[1:-1]), c.chunk_id
        for i in range(c.char_start, c.char_end):
            covered[i] = True
    missing = [i for i, ok in enumerate(covered) if not ok and not text[i].isspace()]
    assert missing == []
    for a, b in zip(doc.chunks, doc.chunks[1:], strict=False):
        same = a.section == b.section and not any(
            a.char_end <= x <= b.char_start for x in boundaries[1:-1]
        )
        if same and overlap:
            assert b.char_start < a.char_end, (a.chunk_id, b.chunk_id)  # they overlap
            assert a.char_end - b.char_start <= overlap * 4 + 1
        if not same:
            assert b.char_start >= a.char_end


@pytest.mark.parametrize(("tokens", "overlap"), [(1000, 100), (200, 30), (120, 0)])
def test_chunk_invariants(demo_pdfs: list[Path], tokens: int, overlap: int) -> None:
    doc = read_pdf(demo_pdfs[0], chunk_tokens=tokens, chunk_overlap=overlap)
    check_chunks(doc, tokens, overlap)
    sizes = [len(c.text) for c in doc.chunks]
    assert sum(s > tokens * 4 * 0.4 for s in sizes) >= len(sizes) // 2  # mostly well filled


def test_default_chunks(parsed: dict[str, ParsedPaper]) -> None:
    for doc in parsed.values():
        check_chunks(doc, 1000, 100)
        assert {c.section for c in doc.chunks} >= {
            s.title for s in doc.paper.sections if s.level == 1
        }


def test_pypdf_engine_reads_the_same_paper(
    demo_pdfs: list[Path], parsed: dict[str, ParsedPaper]
) -> None:
    path = next(p for p in demo_pdfs if p.name == "2505.15781.pdf")
    doc = read_pdf(path, engine="pypdf")
    ref = parsed[path.name]
    assert doc.engine == "pypdf"
    assert doc.paper.arxiv_id == ref.paper.arxiv_id
    assert doc.paper.title == ref.paper.title
    assert len(doc.pages) == len(ref.pages)
    assert [s.title for s in doc.paper.sections if s.level == 1] == [
        s.title for s in ref.paper.sections if s.level == 1
    ]
    check_chunks(doc, 1000, 100)


def test_separator_joins_pages(parsed: dict[str, ParsedPaper]) -> None:
    doc = next(iter(parsed.values()))
    assert doc.text.split(PAGE_SEPARATOR) == doc.pages


# --- cleanup -------------------------------------------------------------------------------


def test_soft_hyphens_join_words_but_keep_compounds() -> None:
    raw = f"them{SOFT}\nselves and fine{SOFT}\ntuned, DeepSeek{SOFT}V2 and state-of{SOFT}\nthe-art"
    compounds = compound_words("a fine-tuned model, state-of-the-art")
    assert (
        clean_page(raw, compounds) == "themselves and fine-tuned, DeepSeek-V2 and state-of-the-art"
    )


def test_pypdf_line_end_hyphens() -> None:
    assert clean_page("we intro-\nduce a KV-\nCache", set()) == "we introduce a KV-Cache"


def test_characters_normalized_safely() -> None:
    text = "e\ufb03cient \x02x\x00 10\u00b3 \U0001d43e\u00a0a \ufffd\ufffd\ufffd b"
    out = normalize_chars(text)
    assert out.startswith("efficient x ")
    # superscripts and math letters are not folded (NFKC would turn 10³ into 103)
    assert "10\u00b3" in out and "\U0001d43e a" in out
    assert "\ufffd\ufffd" not in out and "\ufffd" in out
    assert "\u00a0" not in out


def test_mojibake_repaired() -> None:
    assert (
        normalize_chars("caf\u00c3\u00a9 \u00e2\u20ac\u0153quoted\u00e2\u20ac\u009d")
        == "caf\u00e9 \u201cquoted\u201d"
    )


def test_join_lines_cjk_and_latin() -> None:
    assert (
        join_lines(["CachePilot：基于 Mooncake 的评测", "系统"])
        == "CachePilot：基于 Mooncake 的评测系统"
    )
    assert (
        join_lines(["Knowledge Distil" + SOFT, "lation for LLMs"])
        == "Knowledge Distillation for LLMs"
    )


def test_chunk_spans_respect_limits() -> None:
    text = ("word " * 3000).strip()
    spans = chunk_spans(text, 0, len(text), 400, 40)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (a1, b1), (a2, _b2) in zip(spans, spans[1:], strict=False):
        assert b1 - a1 <= 400 and a2 < b1 and text[a2 - 1] == " "


# --- headings and people from lines ----------------------------------------------------------


def _page(*rows: tuple[str, float, bool]) -> list[LineInfo]:
    body = [LineInfo("body text " * 8, 10.0, False) for _ in range(30)]
    return [LineInfo(text, size, bold) for text, size, bold in rows] + body


def test_headings_from_fonts_roman_numbers_and_appendix() -> None:
    pages = [
        _page(("I. INTRODUCTION", 12.0, True), ("A. Background", 10.0, True)),
        _page(
            ("II. RELATED WORK", 12.0, True),
            ("B. Notation", 10.0, True),
            ("A short line", 10.0, False),
        ),
        _page(("III. METHOD", 12.0, True), ("REFERENCES", 12.0, True)),
        _page(("Appendix A Proofs of the main theorem", 12.0, True)),
    ]
    found = [(h.title, h.level) for h in sections.from_text(pages)]
    top = [t for t, level in found if level == 1]
    assert top == [
        "I. INTRODUCTION",
        "II. RELATED WORK",
        "III. METHOD",
        "REFERENCES",
        "Appendix A Proofs of the main theorem",
    ]
    assert ("A. Background", 1) not in found  # subsection letters are not appendices


def test_running_headers_are_not_headings() -> None:
    pages = [_page(("1 Introduction", 14.0, True))] + [_page() for _ in range(6)]
    pages += [_page(("Bibliography", 14.0, True)), _page(("BIBLIOGRAPHY", 12.0, True))]
    top = [h.title for h in sections.from_text(pages) if h.level == 1]
    assert top == ["1 Introduction", "Bibliography"]


def test_outline_titles_get_their_printed_numbers() -> None:
    pages = [
        _page(("1 Introduction", 12.0, True)),
        _page(("2 Method", 12.0, True), ("References", 12.0, True)),
    ]
    toc = [TocEntry("Introduction", 0, 0), TocEntry("Method", 0, 1)]
    assert [h.title for h in sections.detect(toc, pages)] == [
        "1 Introduction",
        "2 Method",
        "References",
    ]


def test_author_names() -> None:
    assert people.names_in("Xinyin Ma Runpeng Yu Gongfan Fang Xinchao Wang∗") == [
        "Xinyin Ma", "Runpeng Yu", "Gongfan Fang", "Xinchao Wang",
    ]  # fmt: skip
    assert people.names_in("Victor SANH, Lysandre DEBUT, and Joseph E. Gonzalez1,2") == [
        "Victor Sanh", "Lysandre Debut", "Joseph E. Gonzalez",
    ]  # fmt: skip
    assert people.names_in("Tim Dettmersλ∗ Mike Lewis† Younes Belkada§∓") == [
        "Tim Dettmers", "Mike Lewis", "Younes Belkada",
    ]  # fmt: skip
    assert people.names_in("Allen Institute for AI, Seattle") == []


def test_affiliation_lines_split_at_markers() -> None:
    assert people.split_affiliations(
        "1UC Berkeley 2Stanford University 3 Independent Researcher 4UC San Diego"
    ) == ["UC Berkeley", "Stanford University", "Independent Researcher", "UC San Diego"]
    assert people.split_affiliations("♠Moonshot AI ♡Tsinghua University") == [
        "Moonshot AI",
        "Tsinghua University",
    ]
    assert people.split_affiliations("Linköping University, SE-581 83 Linköping, Sweden") == [
        "Linköping University, SE-581 83 Linköping, Sweden"
    ]
    assert people.split_affiliations("IST Austria & NeuralMagic") == ["IST Austria", "NeuralMagic"]
