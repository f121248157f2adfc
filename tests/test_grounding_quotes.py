"""Finding quotes on pages: normalisation, page slack, fuzzy fallback, real PDF text."""

from __future__ import annotations

from pathlib import Path

from agent.grounding.quotes import find_quote, normalize, quote_key, quote_page, similarity

PAGES = [
    "Title page. We study efficient inference for diffusion language models.",
    "Our method is effi-\ncient and \ufb01ts on one GPU. It reaches 61.4\u00d7 speedup over\n"
    "vanilla decoding while keeping accuracy \u201ccomparable\u201d \u2014 see Table 2.",
    "Related work. Prior pruning methods ignore attention sinks in diffusion models.",
    "Limitations. The approach assumes a fixed block size and does not adapt it.",
    "我们提出了一种高效的剪枝方法，在保持精度的同时将推理延迟降低了 45%。",
]


def test_key_normalises_hyphenation_ligatures_quotes_and_spaces() -> None:
    assert quote_key("effi-\ncient") == quote_key("efficient")
    assert quote_key("\ufb01ts") == quote_key("fits")
    assert quote_key("\u201ccomparable\u201d") == quote_key('"comparable"')
    assert quote_key("soft\u00adhyphen") == quote_key("softhyphen")
    assert quote_key("A  B\n C") == quote_key("A B C")
    assert quote_key("Case") != quote_key("case")  # case is kept
    assert normalize("effi-\ncient   and\ufb01t") == "efficient andfit"


def test_exact_quote_on_cited_page() -> None:
    quote = "Our method is efficient and fits on one GPU. It reaches 61.4× speedup"
    assert find_quote(quote, PAGES, 2) == 2
    assert find_quote("keeping accuracy 'comparable' - see Table 2", PAGES, 2) == 2


def test_page_slack() -> None:
    quote = "Prior pruning methods ignore attention sinks in diffusion models."
    assert find_quote(quote, PAGES, 2) == 3  # cited page 2, found on 3 (within ±1)
    assert find_quote(quote, PAGES, 4) == 3
    assert find_quote(quote, PAGES, 5) is None  # two pages away
    assert find_quote(quote, PAGES, 5, slack=2) == 3
    assert quote_page(quote, PAGES) == 3


def test_quote_across_a_page_break() -> None:
    pages = ["The first part of the sentence continues", "onto the next page and ends here."]
    assert find_quote("sentence continues onto the next page", pages, 1) == 1
    assert quote_page("sentence continues onto the next page", pages) == 1


def test_fuzzy_tolerates_small_extraction_differences() -> None:
    quote = "Prior prunning methods ignore attention sinks in difusion models."  # 2 typos
    assert find_quote(quote, PAGES, 3) == 3
    assert similarity(quote, PAGES[2]) >= 0.9


def test_unrelated_or_paraphrased_quote_is_not_found() -> None:
    assert find_quote("Prior methods for pruning overlook sink tokens entirely.", PAGES, 3) is None
    assert quote_page("A sentence that the paper never says about anything.", PAGES) is None
    assert find_quote("", PAGES, 1) is None
    assert find_quote("anything", [], 1) is None
    assert find_quote("Title page.", PAGES, 99) is None


def test_short_quotes_must_match_exactly() -> None:
    assert find_quote("fixed block", PAGES, 4) == 4
    assert find_quote("fixed blick", PAGES, 4) is None


def test_chinese_quote() -> None:
    assert find_quote("在保持精度的同时将推理延迟降低了45%", PAGES, 5) == 5
    assert quote_page("将推理延迟降低了 45%", PAGES) == 5


def test_real_pdf_pages(demo_pdfs: list[Path]) -> None:
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(demo_pdfs[0]))
    try:
        pages = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()
    middle = len(pages) // 2
    text = pages[middle]
    start = len(text) // 3
    quote = " ".join(text[start : start + 240].split()[1:-1])  # whole words, own spacing
    assert find_quote(quote, pages, middle + 1) == middle + 1
    assert quote_page(quote, pages) == middle + 1
    damaged = quote[:100] + quote[101:150] + "x" + quote[151:]
    assert find_quote(damaged, pages, middle + 1) == middle + 1


def test_fuzzy_match_never_forgives_a_changed_number() -> None:
    pages = [
        "Our method reaches 61.4× speedup over vanilla decoding while keeping accuracy comparable."
    ]
    exact = "Our method reaches 61.4× speedup over vanilla decoding while keeping accuracy"
    assert find_quote(exact.replace("vanilla", "vanila"), pages, 1) == 1  # text noise is fine
    assert find_quote(exact.replace("61.4", "64.1"), pages, 1) is None
    assert find_quote(exact.replace("61.4", "61.9"), pages, 1) is None
    assert quote_page(exact.replace("61.4", "61.4"), pages) == 1


def test_elided_quote_needs_every_piece_on_the_page() -> None:
    quote = "Our method is efficient ... It reaches 61.4× speedup over vanilla decoding"
    assert find_quote(quote, PAGES, 2) == 2
    assert find_quote("Our method is efficient … keeping accuracy", PAGES, 2) == 2
    assert find_quote("Our method is efficient ... ignore attention sinks", PAGES, 2) is None
    assert quote_page("Our method is efficient [...] ignore attention sinks", PAGES) is None
    assert find_quote("...", PAGES, 2) is None
