"""The fetch service end to end against the fixture arXiv server: search, score, download,
read, store; faults; reruns; offline."""

# ruff: noqa: F811  (the `arxiv_server` fixture is imported and used as a parameter)
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from arxiv_server import ArxivServer, Fault, arxiv_server  # noqa: F401 (fixture)
from feeds import FeedEntry

from agent.errors import ConfigError, FetchError
from agent.settings import load_settings
from agent.sources.arxiv import ArxivClient, search
from agent.sources.demo import demo_feed
from agent.sources.download import pdf_problem
from agent.sources.fetch import fetch_topic
from agent.sources.window import make_window, today
from store.chroma import open_store

OFF_TOPIC = FeedEntry(
    arxiv_id="2611.00001",
    version="v1",
    title="Protein structure prediction with image diffusion",
    authors=["A. Author"],
    abstract="We generate protein images with a convolutional denoiser.",
)


def recent(entry: FeedEntry, days: int = 3) -> FeedEntry:
    entry.published = today() - timedelta(days=days)
    return entry


def serve_demo(server: ArxivServer) -> list[FeedEntry]:
    """The three demo papers with their real metadata, submitted this week."""
    entries = []
    for paper in demo_feed():
        c = paper.candidate
        entry = recent(
            FeedEntry(c.arxiv_id, c.version or "v1", c.title, c.authors, c.abstract, c.categories)
        )
        server.add_paper(entry, paper.pdf_path)
        entries.append(entry)
    return entries


def settings_for(server: ArxivServer, **overrides):
    return load_settings(arxiv_api_url=server.api_url, download_delay=0, **overrides)


def cache_names(settings) -> list[str]:
    folder = Path(settings.pdf_dir)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def assert_cache_valid(settings) -> None:
    for name in cache_names(settings):
        assert name.endswith(".pdf") and not name.startswith("."), name
        assert pdf_problem(Path(settings.pdf_dir) / name) is None, name


def every_candidate_accounted(report) -> None:
    keys = [
        o.candidate.key
        for status in ("fetched", "skipped", "filtered", "failed")
        for o in getattr(report, status)
    ]
    assert sorted(keys) == sorted(c.key for c in report.candidates)


def test_demo_papers_are_fetched_read_and_stored_then_skipped(arxiv_server):
    entries = serve_demo(arxiv_server)
    settings = settings_for(arxiv_server)
    window = make_window(since="30d")
    report = fetch_topic(settings, "diffusion-lm", window=window, max_results=10)
    every_candidate_accounted(report)
    assert [o.candidate.key for o in report.fetched] == [e.key for e in entries]
    assert report.downloads == 3 and not report.failed and not report.filtered
    assert cache_names(settings) == sorted(f"{e.key}.pdf" for e in entries)
    assert_cache_valid(settings)
    query = arxiv_server.requests[0][1]
    assert window.arxiv_clause() in query["search_query"][0]
    assert query["sortBy"] == ["submittedDate"] and query["max_results"] == ["10"]
    assert all(o.score and o.score > 0.1 for o in report.fetched)
    assert {o.stored for o in report.fetched} == {"added"} and report.notes == []
    store = open_store(settings)
    for entry in entries:  # the feed's metadata is what the store keeps
        paper = store.get_paper(entry.key)
        assert paper is not None and paper.key == entry.key
        assert (paper.title, paper.authors) == (entry.title, entry.authors)
        assert paper.published == entry.published and paper.source == "arxiv"
        assert paper.categories == entry.categories and paper.topics == ["diffusion-lm"]
        assert paper.page_count > 0 and store.get_pages(entry.key)
        chunks = store.get_chunks(entry.key)
        assert chunks and {c.paper_key for c in chunks} == {entry.key}
    store.close()
    pdf_hits = arxiv_server.hits("/pdf/")

    again = fetch_topic(settings, "diffusion-lm", window=window, max_results=10)
    every_candidate_accounted(again)
    assert again.downloads == 0 and arxiv_server.hits("/pdf/") == pdf_hits
    assert [o.candidate.key for o in again.skipped] == [e.key for e in entries]
    assert [o.candidate.key for o in again.papers] == [e.key for e in entries]
    assert all(o.pdf_path and o.pdf_path.is_file() for o in again.papers)


def test_faults_end_as_stated_and_a_rerun_resumes(arxiv_server):
    entries = serve_demo(arxiv_server)
    arxiv_server.add_paper(recent(OFF_TOPIC))  # listed, no PDF needed
    ok, truncated, html = entries
    arxiv_server.fault(f"/pdf/{ok.key}", Fault.http(503))
    arxiv_server.fault(f"/pdf/{truncated.key}", Fault.truncated())
    arxiv_server.fault(f"/pdf/{html.key}", Fault.html())
    settings = settings_for(arxiv_server)
    report = fetch_topic(settings, "diffusion-lm", window=make_window(since="7d"))
    every_candidate_accounted(report)
    assert [o.candidate.key for o in report.fetched] == [ok.key]
    reasons = {o.candidate.key: o.reason for o in report.failed}
    assert "truncated PDF" in reasons[truncated.key]
    assert "text/html instead of a PDF" in reasons[html.key]
    [filtered] = report.filtered
    assert filtered.candidate.key == OFF_TOPIC.key and "below" in filtered.reason
    assert filtered.to_dict()["score"] == filtered.score and "protein" in filtered.reason
    assert cache_names(settings) == [f"{ok.key}.pdf"]
    assert_cache_valid(settings)

    rerun = fetch_topic(settings, "diffusion-lm", window=make_window(since="7d"))
    every_candidate_accounted(rerun)
    assert rerun.downloads == 2 and not rerun.failed  # only the two that failed
    fetched = {o.candidate.key: o.downloaded for o in rerun.fetched}
    assert fetched.get(ok.key, False) is False
    assert fetched[truncated.key] and fetched[html.key]
    assert_cache_valid(settings)


def test_min_score_filters_with_the_score_shown(arxiv_server):
    serve_demo(arxiv_server)
    settings = settings_for(arxiv_server)
    report = fetch_topic(settings, "diffusion-lm", min_score=1.01, read=False)
    assert len(report.filtered) == 3 and not report.fetched and report.downloads == 0
    assert all("below 1.01" in o.reason for o in report.filtered)


def test_free_query_and_paging(arxiv_server):
    entries = serve_demo(arxiv_server)
    for n in range(4):
        arxiv_server.add_paper(recent(FeedEntry(f"2611.0010{n}", "v1", f"Cache paper {n}")))
    settings = settings_for(arxiv_server)
    client = ArxivClient(settings, page_size=2)
    found = search(settings, "all:cache", 5, client=client)
    assert [c.key for c in found[:3]] == [e.key for e in entries] and len(found) == 5
    starts = [q["start"][0] for path, q, _ in arxiv_server.requests if path == "/api/query"]
    assert starts == ["0", "2", "4"] and client.requests == 3


def test_api_errors_are_clear(arxiv_server):
    serve_demo(arxiv_server)
    settings = settings_for(arxiv_server, download_retries=1)
    arxiv_server.fault("/api/query", Fault.error_feed("abc"))
    with pytest.raises(FetchError, match="rejected the query: incorrect id format for abc"):
        fetch_topic(settings, "diffusion-lm")
    arxiv_server.fault("/api/query", Fault.malformed(), Fault.malformed())
    with pytest.raises(FetchError, match="malformed XML"):
        fetch_topic(settings, "diffusion-lm")
    arxiv_server.fault("/api/query", Fault.http(503), Fault.http(503))
    with pytest.raises(FetchError, match="HTTP 503.*2 tries"):
        fetch_topic(settings, "diffusion-lm")
    arxiv_server.fault("/api/query", Fault.http(503))  # one 503 is retried
    assert len(fetch_topic(settings, "diffusion-lm", read=False).candidates) == 3


def test_empty_result_is_a_note_not_a_crash(arxiv_server):
    settings = settings_for(arxiv_server)
    report = fetch_topic(settings, "efficient-ai")
    assert report.candidates == [] and "no papers" in report.notes[0]
    assert report.to_json()["candidates"] == 0


def test_offline_uses_the_saved_search_and_the_cache_only(arxiv_server):
    serve_demo(arxiv_server)
    settings = settings_for(arxiv_server)
    window = make_window(since="7d")
    with pytest.raises(FetchError, match="no saved search"):
        fetch_topic(settings, "diffusion-lm", window=window, offline=True)
    first = fetch_topic(settings, "diffusion-lm", window=window, read=False)
    assert first.downloads == 3
    Path(first.fetched[0].pdf_path).unlink()  # one PDF gone from the cache
    requests = len(arxiv_server.requests)
    offline = fetch_topic(settings, "diffusion-lm", window=window, offline=True, read=False)
    assert len(arxiv_server.requests) == requests and offline.downloads == 0
    every_candidate_accounted(offline)
    [missing] = offline.failed
    assert missing.candidate.key == first.fetched[0].candidate.key
    assert "not in the PDF cache (offline)" in missing.reason


def test_unknown_topic_and_bad_options():
    settings = load_settings()
    with pytest.raises(ConfigError, match="unknown topic 'nope'.*diffusion-lm"):
        fetch_topic(settings, "nope")
    with pytest.raises(ConfigError, match="--max"):
        fetch_topic(settings, "diffusion-lm", max_results=0)
    with pytest.raises(ConfigError, match="nothing to fetch"):
        fetch_topic(settings)


def test_api_calls_keep_the_delay_across_clients(arxiv_server, monkeypatch):
    import agent.sources.arxiv as arxiv_mod

    slept: list[float] = []
    monkeypatch.setattr(arxiv_mod.time, "sleep", slept.append)
    settings = load_settings(arxiv_api_url=arxiv_server.api_url, arxiv_delay=3)
    search(settings, "all:x", 5)
    search(settings, "all:y", 5)  # a new client, same endpoint: waits
    assert len(slept) == 1 and 2.0 < slept[0] <= 3.0


def test_a_new_version_is_fetched_beside_the_stored_one(arxiv_server):
    [paper] = [p for p in demo_feed() if p.arxiv_version == "v2"][:1]
    c = paper.candidate
    old = recent(FeedEntry(c.arxiv_id, "v1", c.title, c.authors, c.abstract, c.categories))
    arxiv_server.add_paper(old, paper.pdf_path)
    settings = settings_for(arxiv_server)
    first = fetch_topic(settings, "diffusion-lm")
    assert [(o.candidate.key, o.stored) for o in first.fetched] == [(old.key, "added")]

    arxiv_server.entries.clear()
    new = recent(FeedEntry(c.arxiv_id, "v2", c.title, c.authors, c.abstract, c.categories))
    arxiv_server.add_paper(new, paper.pdf_path)
    second = fetch_topic(settings, "diffusion-lm")
    assert [(o.candidate.key, o.stored) for o in second.fetched] == [(new.key, "new_version")]
    assert second.downloads == 1 and not second.skipped
    store = open_store(settings)
    assert store.get_paper(c.arxiv_id).key == new.key  # the newest version is current
    store.close()


def test_slow_api_page_is_retried_then_reported(arxiv_server):
    serve_demo(arxiv_server)
    settings = settings_for(arxiv_server, download_timeout=0.3, download_retries=1)
    arxiv_server.fault("/api/query", Fault.slow(3))
    assert len(fetch_topic(settings, "diffusion-lm", read=False).candidates) == 3
    arxiv_server.fault("/api/query", Fault.slow(3), Fault.slow(3))
    with pytest.raises(FetchError, match="timed out after 0.3s"):
        fetch_topic(settings, "diffusion-lm", read=False)
