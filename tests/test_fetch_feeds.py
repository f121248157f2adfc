"""arXiv feeds: both Atom formats, error feeds, malformed XML, queries, windows, relevance."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from feeds import FeedEntry, error_feed_xml, feed_xml, legacy_feed_xml

from agent.errors import ConfigError, FetchError
from agent.settings import load_settings
from agent.sources.arxiv import build_query, parse_candidates, split_id
from agent.sources.demo import demo_candidates, demo_feed, demo_pdf_path
from agent.sources.relevance import Scorer, keyword_hits, query_keywords
from agent.sources.window import Window, make_window, parse_since
from agent.topics import get_topic
from store.schemas import ARXIV_ID_RE, OLD_ARXIV_ID_RE

ENTRY = FeedEntry(
    arxiv_id="2508.14148",
    version="v2",
    title="DPad: Efficient Diffusion Language Models with Suffix Dropout",
    authors=["Xinhua Chen", "Hai “Helen” Li"],
    abstract="Diffusion-based Large Language Models (dLLMs) parallelize text generation "
    "by framing decoding as a denoising process, but suffer from high computational "
    "overhead & redundancy <since> they predict all future suffix tokens at each step.",
    categories=["cs.CL", "cs.LG"],
    published=date(2025, 8, 1),
    updated=date(2025, 8, 23),
    affiliations={"Xinhua Chen": ["Duke University"]},
    comment="22 pages",
)


def test_legacy_and_current_layouts_give_the_same_candidate():
    current = parse_candidates(feed_xml([ENTRY]))
    legacy = parse_candidates(legacy_feed_xml([ENTRY]))
    assert len(current) == len(legacy) == 1
    a, b = current[0], legacy[0]
    # the pdf/abs links differ only in scheme between the formats
    assert a.pdf_url.split("://")[1] == b.pdf_url.split("://")[1]
    same = {f.name for f in dataclasses.fields(a)} - {"pdf_url", "abs_url"}
    assert {n: getattr(a, n) for n in same} == {n: getattr(b, n) for n in same}
    assert a.key == "2508.14148v2"
    assert a.title == ENTRY.title and a.authors == ENTRY.authors
    assert a.abstract == ENTRY.abstract  # hard wraps and leading spaces removed
    assert a.affiliations == ["Duke University"]
    assert a.categories == ["cs.CL", "cs.LG"] and a.primary_category == "cs.CL"
    assert (a.published, a.updated) == (date(2025, 8, 1), date(2025, 8, 23))


@pytest.mark.parametrize(
    "name,count",
    [
        ("legacy-format_2025-08_search_all-electron-AND-proton.xml", 10),
        ("current-format_2026-04_search_testing_max10.xml", 10),
        ("current-format_2026-04_id_list_1707.08567.xml", 1),
    ],
)
def test_real_responses_parse_into_complete_candidates(shared_dir, name, count):
    found = parse_candidates((shared_dir / "corpus" / "arxiv-api" / name).read_bytes())
    assert len(found) == count
    for c in found:
        assert ARXIV_ID_RE.fullmatch(c.arxiv_id) or OLD_ARXIV_ID_RE.fullmatch(c.arxiv_id)
        assert c.version and c.version.startswith("v")
        assert c.title and "\n" not in c.title
        assert c.authors and all(a.strip() == a and a for a in c.authors)
        assert c.abstract and "\n" not in c.abstract and c.abstract == c.abstract.strip()
        assert c.categories and c.primary_category
        assert c.published and c.updated and c.published <= c.updated
        assert c.pdf_url.endswith(f"/pdf/{c.key}") and c.abs_url.endswith(f"/abs/{c.key}")


def test_legacy_response_keeps_affiliations(shared_dir):
    path = shared_dir / "corpus/arxiv-api/legacy-format_2025-08_search_all-electron-AND-proton.xml"
    raw = path.read_text(encoding="utf-8")
    found = parse_candidates(path.read_bytes())
    if "arxiv:affiliation" in raw:
        assert any(c.affiliations for c in found)


def test_error_feed_is_a_clear_fetch_error():
    with pytest.raises(FetchError, match="incorrect id format for abc"):
        parse_candidates(error_feed_xml("abc"))


def test_malformed_xml_is_a_fetch_error():
    with pytest.raises(FetchError, match="malformed XML"):
        parse_candidates(feed_xml([ENTRY])[:400])
    with pytest.raises(FetchError, match="no Atom feed"):
        parse_candidates(b"<html><body>maintenance</body></html>")


def test_empty_result_is_no_candidates():
    assert parse_candidates(feed_xml([], total=0)) == []


def test_split_id():
    assert split_id("http://arxiv.org/abs/2505.15781v1") == ("2505.15781", "v1")
    assert split_id("http://arxiv.org/abs/astro-ph/9904306v1") == ("astro-ph/9904306", "v1")


def test_demo_feed_matches_the_bundled_pdfs():
    import pypdf

    papers = demo_feed()
    assert [p.arxiv_id for p in papers] == ["2505.15781", "2508.14148", "2509.18085"]
    for paper in papers:
        assert paper.pdf_path == demo_pdf_path(paper.arxiv_id) and paper.pdf_path.is_file()
        first_page = pypdf.PdfReader(paper.pdf_path).pages[0].extract_text()
        assert f"arXiv:{paper.arxiv_id}{paper.arxiv_version}" in first_page
        assert paper.title and paper.authors and paper.abstract and paper.published
    assert [c.key for c in demo_candidates()] == [p.candidate.key for p in papers]


def test_demo_feed_metadata_is_the_gold_metadata(shared_dir):
    import json

    for c in demo_candidates():
        gold = json.loads((shared_dir / "corpus/gold" / f"{c.arxiv_id}.json").read_text())
        assert (c.title, c.authors, c.abstract) == (
            gold["title"],
            gold["authors"],
            gold["abstract"],
        )
        assert c.version == gold["arxiv_version"]


# --- queries and windows ---------------------------------------------------------------
def test_topic_query_has_categories_keywords_and_window():
    topic = get_topic(load_settings(), "diffusion-lm")
    window = Window(date(2026, 11, 16), date(2026, 11, 23))
    q = build_query(topic, None, window)
    assert q.startswith("(cat:cs.CL OR cat:cs.LG OR cat:cs.AI) AND (")
    assert 'ti:"diffusion language model" OR abs:"diffusion language model"' in q
    assert q.endswith("AND submittedDate:[202611160000 TO 202611232359]")
    assert "protein" not in q  # negative keywords only lower the score


def test_free_query():
    assert build_query(None, "speculative decoding") == "(all:speculative AND all:decoding)"
    assert build_query(None, 'ti:"KV cache" AND cat:cs.LG') == '(ti:"KV cache" AND cat:cs.LG)'
    with pytest.raises(FetchError):
        build_query(None, None)


def test_windows():
    today = date(2026, 11, 23)
    assert make_window(since="7d", now=today) == Window(date(2026, 11, 16), today)
    assert make_window(since="2w", now=today).start == today - timedelta(days=14)
    assert make_window(now=today) == Window(date(2026, 11, 16), today)
    w = make_window(from_date="2026-10-01", to_date="2026-10-31", now=today)
    assert w.label == "2026-10-01..2026-10-31" and Window.parse(w.label) == w
    assert make_window(from_date="2026-11-20", now=today) == Window(date(2026, 11, 20), today)
    assert parse_since("30") == timedelta(days=30)
    for bad in ("7x", "-3d", "0d", "week"):
        with pytest.raises(ConfigError, match="--since"):
            parse_since(bad)
    with pytest.raises(ConfigError, match="after"):
        make_window(from_date="2026-11-20", to_date="2026-11-01")
    with pytest.raises(ConfigError, match="cannot be combined"):
        make_window(since="7d", from_date="2026-11-01")
    with pytest.raises(ConfigError, match="--from"):
        make_window(from_date="2026-13-01")


# --- relevance -------------------------------------------------------------------------
def test_keyword_hits_ignore_case_hyphens_and_plurals():
    text = "Diffusion-Language Models and a KV-cache; masked diffusion."
    hits = keyword_hits(text, ["diffusion language model", "KV cache", "dLLM", "mask"])
    assert hits == ["diffusion language model", "KV cache"]


def test_scores_rank_on_topic_papers_first_and_negatives_drop():
    scorer = Scorer.for_topic(get_topic(load_settings(), "diffusion-lm"))
    on = scorer.score(ENTRY.title, ENTRY.abstract)
    off = scorer.score("Faster image denoising", "A convolutional network for photos.")
    negative = scorer.score(
        "Discrete diffusion for protein design", "A masked diffusion model of protein sequences."
    )
    assert on.score > negative.score >= 0 and on.score > off.score
    assert off.score == 0 and negative.negative_hits == ["protein"]
    assert "diffusion language model" in on.title_hits
    assert "title:" in on.explain()


def test_similarity_is_used_when_an_embedder_is_given():
    from store.embeddings import make_embedder

    scorer = Scorer(
        ["dLLM"], profile_text="diffusion language model decoding", embedder=make_embedder("hash")
    )
    near, far = scorer.score_all(
        [("Diffusion language model decoding", ""), ("Gardening tips for spring", "")]
    )
    assert near.similarity > 0.5 and far.similarity < 0.2
    assert near.score > far.score and "similarity" in near.explain()


def test_an_embedder_failure_switches_similarity_off():
    class Broken:
        def embed(self, texts):
            raise OSError("embeddings server unreachable")

        embed_query = embed

    scorer = Scorer(["dLLM"], profile_text="x", embedder=Broken())
    [rel] = scorer.score_all([("A dLLM", "")])
    assert rel.similarity is None and rel.score == 0.5
    assert "unreachable" in scorer.problem


def test_query_keywords():
    assert query_keywords('ti:"KV cache" AND abs:eviction') == ["KV cache", "eviction"]
