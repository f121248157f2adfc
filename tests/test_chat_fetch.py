"""From an empty store to a cited answer inside one chat: not found, /fetch, found.

The papers come from the fixture arXiv server on 127.0.0.1 (the three demo papers, listed as
submitted this week); fetching, reading and storing are the real services.
"""

# ruff: noqa: F811  (the `arxiv_server` fixture is imported and used as a parameter)
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from arxiv_server import ArxivServer, arxiv_server  # noqa: F401 (fixture)
from feeds import FeedEntry

from agent.chat.commands import run_command
from agent.chat.evidence import open_view
from agent.chat.graph import open_checkpointer
from agent.chat.sentinel import NOT_FOUND
from agent.chat.session import ChatSession
from agent.settings import load_settings
from agent.sources.demo import demo_feed
from agent.sources.window import today

QUESTION = "How does dKV-Cache reduce inference latency?"


def serve_demo(server: ArxivServer) -> None:
    for paper in demo_feed():
        c = paper.candidate
        entry = FeedEntry(
            c.arxiv_id, c.version or "v1", c.title, c.authors, c.abstract, c.categories
        )
        entry.published = today() - timedelta(days=2)
        server.add_paper(entry, paper.pdf_path)


def test_fetch_inside_the_chat_makes_the_answer_possible(arxiv_server: ArxivServer) -> None:
    serve_demo(arxiv_server)
    settings = load_settings(arxiv_api_url=arxiv_server.api_url, download_delay=0)
    view = open_view(settings)
    lines: list[str] = []
    with open_checkpointer(settings) as saver:
        session = ChatSession(settings, view, saver, thread="f")
        assert session.ask(QUESTION).text == NOT_FOUND
        run_command(session, "/fetch diffusion-lm", lines.append)
        assert lines[-1].startswith("fetched 3 new papers for 'diffusion-lm'"), lines
        answer = session.ask(QUESTION)
        assert answer.found and answer.citations
        assert all(view.resolves(c.arxiv_id, c.page) for c in answer.citations)
        run_command(session, "/fetch", lines.append)
        assert lines[-1] == "usage: /fetch TOPIC"
        run_command(session, "/weekly diffusion-lm", lines.append)
        assert lines[-1].startswith("brief written: "), lines[-1]
        path = lines[-1].removeprefix("brief written: ").rsplit(" (", 1)[0]
        assert Path(path).is_file()
