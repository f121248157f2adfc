"""Every fault the fixture server can inject, in one fetch over corpus papers: each faulty
paper fails with its reason, the others are fetched, the cache holds only whole PDFs, and
reruns resume without downloading again."""

# ruff: noqa: F811  (the `arxiv_server` fixture is imported and used as a parameter)
from __future__ import annotations

from pathlib import Path

import pytest
from arxiv_server import Fault, arxiv_server  # noqa: F401 (fixture)
from feeds import corpus_entries
from test_fetch import every_candidate_accounted, recent

from agent.errors import FetchError
from agent.settings import load_settings
from agent.sources.download import pdf_problem
from agent.sources.fetch import DEFAULT_MIN_SCORE, fetch_topic
from agent.sources.relevance import Scorer, default_embedder
from agent.topics import get_topic

PDF_FAULTS = {
    "retry-503": ([Fault.http(503)], None),
    "retry-429": ([Fault.http(429, retry_after="1")], None),
    "cut-once": ([Fault.cut()], None),
    "slow-always": ([Fault.slow(5), Fault.slow(5)], "timed out"),
    "truncated": ([Fault.truncated()], "truncated PDF"),
    "html": ([Fault.html()], "text/html instead of a PDF"),
    "missing": ([Fault.http(404)], "HTTP 404"),
}


def cache_is_clean(settings) -> list[str]:
    names = sorted(p.name for p in Path(settings.pdf_dir).iterdir())
    assert all(n.endswith(".pdf") and not n.startswith(".") for n in names), names
    assert all(pdf_problem(Path(settings.pdf_dir) / n) is None for n in names)
    return names


def test_every_pdf_fault_ends_as_stated_and_reruns_resume(arxiv_server, shared_dir):
    settings = load_settings(
        arxiv_api_url=arxiv_server.api_url,
        download_delay=0,
        download_timeout=0.5,
        download_retries=1,
    )
    topic = get_topic(settings, "efficient-ai")
    scorer = Scorer.for_topic(topic, default_embedder(settings))
    corpus = corpus_entries(shared_dir)
    relevant = [
        (e, p) for e, p in corpus if scorer.score(e.title, e.abstract).score >= DEFAULT_MIN_SCORE
    ]
    assert len(relevant) >= len(PDF_FAULTS) + 2
    for entry, pdf in corpus:
        arxiv_server.add_paper(recent(entry), pdf)
    faulty = dict(zip(PDF_FAULTS, [e for e, _ in relevant], strict=False))
    for name, entry in faulty.items():
        arxiv_server.fault(f"/pdf/{entry.key}", *PDF_FAULTS[name][0])

    report = fetch_topic(settings, topic, max_results=50)
    every_candidate_accounted(report)
    failed = {o.candidate.key: o.reason for o in report.failed}
    expected_failures = {faulty[n].key: why for n, (_, why) in PDF_FAULTS.items() if why}
    assert set(failed) == set(expected_failures)
    for key, why in expected_failures.items():
        assert why in failed[key], (key, failed[key])
    fetched = {o.candidate.key for o in report.fetched}
    recovered = {faulty[n].key for n, (_, why) in PDF_FAULTS.items() if not why}
    assert recovered <= fetched
    assert fetched | set(failed) == {e.key for e, _ in relevant}
    assert all(o.score is not None and o.score < DEFAULT_MIN_SCORE for o in report.filtered)
    assert cache_is_clean(settings) == sorted(f"{k}.pdf" for k in fetched)
    assert report.downloads == len(fetched)

    # faults over (the 404 paper stays missing): only the failed ones are downloaded now
    arxiv_server.pdfs.pop(faulty["missing"].key)
    rerun = fetch_topic(settings, topic, max_results=50, read=False)
    every_candidate_accounted(rerun)
    assert [o.candidate.key for o in rerun.failed] == [faulty["missing"].key]
    assert rerun.downloads == len(expected_failures) - 1
    third = fetch_topic(settings, topic, max_results=50, read=False)
    assert third.downloads == 0
    cache_is_clean(settings)


@pytest.mark.parametrize(
    "fault,message",
    [
        (Fault.error_feed("abc"), "incorrect id format for abc"),
        (Fault.malformed(), "malformed XML"),
    ],
)
def test_feed_faults_are_clear_errors(arxiv_server, shared_dir, fault, message):
    for entry, pdf in corpus_entries(shared_dir)[:3]:
        arxiv_server.add_paper(recent(entry), pdf)
    settings = load_settings(arxiv_api_url=arxiv_server.api_url, download_retries=0)
    arxiv_server.fault("/api/query", fault)
    with pytest.raises(FetchError, match=message):
        fetch_topic(settings, "efficient-ai")
    assert not Path(settings.pdf_dir).exists()
