"""Slash commands: one small handler each, in one table.

A handler gets the session, the text after the command and a `say(line)` printer, and
returns QUIT to end the chat (anything else keeps it going).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from agent.chat import actions
from agent.chat.language import frame, sources_lines
from agent.chat.session import ChatSession
from agent.chat.text import collapse
from agent.chat.transcript import save_markdown, to_markdown
from agent.errors import BriefError

QUIT = "quit"
Say = Callable[[str], None]
Handler = Callable[[ChatSession, str, Say], str | None]


@dataclass(frozen=True)
class Command:
    handler: Handler
    usage: str
    help: str


def cmd_help(session: ChatSession, arg: str, say: Say) -> None:
    for name, command in COMMANDS.items():
        say(f"  /{name} {command.usage}".rstrip().ljust(24) + f" {command.help}")
    say(
        "  Enter sends; Esc then Enter (or a line ending in \\) adds a line; "
        "Ctrl-C cancels an answer; Ctrl-D quits."
    )


def cmd_sources(session: ChatSession, arg: str, say: Say) -> None:
    answer = session.last_answer()
    if answer is None:
        say("no answer yet: ask a question first.")
        return
    if answer.citations:
        for line in sources_lines(answer):
            say(line)
        return
    if not answer.hits:
        say("the last answer used no evidence.")
        return
    say("no citations; the passages retrieved were:")
    for n, hit in enumerate(answer.hits, start=1):
        say(f"{n}. [{hit.get('arxiv_id') or hit['paper_key']} p.{hit['page']}] {hit['text'][:160]}")


def cmd_why(session: ChatSession, arg: str, say: Say) -> None:
    answer = session.last_answer()
    if answer is None:
        say("no answer yet: ask a question first.")
        return
    sentences = answer.sentences()
    try:
        number = int(arg)
        sentence, _refs = sentences[number - 1]
        if number < 1:
            raise IndexError
    except (ValueError, IndexError):
        say(f"/why takes a sentence number from 1 to {len(sentences)}, e.g. /why 1")
        return
    words = frame(answer.question)
    say(words["why"].format(n=number, sentence=sentence))
    cited = [c for c in answer.citations if c.sentence == number]
    if not cited:
        say(words["cites_nothing"])
    for c in cited:
        prefix = "" if c.arxiv_id.startswith("sha256:") else "arXiv:"
        say(f"  [{prefix}{c.arxiv_id} p.{c.page}] “{c.quote}”")


def cmd_paper(session: ChatSession, arg: str, say: Say) -> None:
    arg = arg.strip()
    if arg in ("", "off", "all"):
        session.filters.paper = None
        say("answers use all stored papers.")
        return
    paper = session.view.paper(arg)
    if paper is None:
        say(f"paper {arg} is not in the store: /fetch a topic or `brief ingest` its PDF.")
        return
    authors = ", ".join(paper.authors[:4]) + (" et al." if len(paper.authors) > 4 else "")
    say(f"{paper.key} {paper.title}")
    say(f"  {authors} · {paper.published or 'date unknown'} · {paper.page_count} pages")
    if paper.abstract:
        say(f"  {collapse(paper.abstract)[:400]}")
    session.filters.paper = paper.arxiv_id or paper.key
    say(f"answers now come from {session.filters.paper} only (/paper off to undo).")


def cmd_filter(session: ChatSession, arg: str, say: Say) -> None:
    """topic=NAME since=YYYY-MM-DD until=YYYY-MM-DD paper=ID, or `off`."""
    if arg.strip() == "off":
        session.filters.topic = session.filters.paper = None
        session.filters.since = session.filters.until = None
    for item in shlex.split(arg):
        name, sep, value = item.partition("=")
        if item == "off":
            continue
        if not sep or name not in ("topic", "since", "until", "paper"):
            say(f"bad filter {item!r}: use topic=NAME since=YYYY-MM-DD until=YYYY-MM-DD paper=ID")
            return
        try:
            parsed: Any = (
                date.fromisoformat(value) if name in ("since", "until") and value else value
            )
        except ValueError:
            say(f"bad date {value!r} for {name}: use YYYY-MM-DD")
            return
        setattr(session.filters, name, parsed or None)
    say(f"filters: {session.filters.describe()}")


def cmd_fetch(session: ChatSession, arg: str, say: Say) -> None:
    if not arg.strip():
        say("usage: /fetch TOPIC")
        return
    say(actions.fetch(session.settings, session.view.store, arg.strip()))
    session.view.refresh()


def cmd_weekly(session: ChatSession, arg: str, say: Say) -> None:
    say(actions.weekly(session.settings, session.model, arg.strip() or "efficient-ai"))
    session.view.refresh()


def cmd_deepdive(session: ChatSession, arg: str, say: Say) -> None:
    ids = arg.split()
    if not ids:
        say("usage: /deepdive ARXIV_ID...")
        return
    say(actions.deepdive(session.settings, session.model, ids))
    session.view.refresh()


def cmd_lint(session: ChatSession, arg: str, say: Say) -> None:
    if not arg.strip():
        say("usage: /lint FILE")
        return
    for line in actions.lint(arg.strip(), pages_for=lambda p: session.view.pages(p) or None):
        say(line)


def cmd_model(session: ChatSession, arg: str, say: Say) -> None:
    if not arg.strip():
        say(f"model: {session.model_spec}")
        return
    try:
        session.set_model(arg.strip())
    except BriefError as exc:
        say(f"model unchanged: {exc}")
        return
    say(f"model: {session.model_spec}")


def cmd_thread(session: ChatSession, arg: str, say: Say) -> None:
    if not arg.strip():
        say(f"thread: {session.thread}")
        return
    session.switch_thread(arg.strip())
    say(f"thread: {session.thread} ({len(session.turns())} earlier answers)")


def cmd_history(session: ChatSession, arg: str, say: Say) -> None:
    turns = session.turns()
    if not turns:
        say(f"thread {session.thread} has no earlier questions.")
    for n, turn in enumerate(turns, start=1):
        say(f"{n}. {turn.question}")


def cmd_reset(session: ChatSession, arg: str, say: Say) -> None:
    session.reset()
    say(f"thread {session.thread} forgotten.")


def cmd_save(session: ChatSession, arg: str, say: Say) -> None:
    if not arg.strip():
        say("usage: /save FILE")
        return
    path = Path(arg.strip()).expanduser()
    try:
        save_markdown(path, to_markdown(session.thread, session.turns()))
    except OSError as exc:
        say(f"cannot write {path}: {exc.strerror or exc}")
        return
    say(f"saved {path}")


def cmd_quit(session: ChatSession, arg: str, say: Say) -> str:
    return QUIT


COMMANDS: dict[str, Command] = {
    "help": Command(cmd_help, "", "this list"),
    "sources": Command(cmd_sources, "", "the evidence behind the last answer"),
    "why": Command(cmd_why, "N", "the quotes and pages behind sentence N"),
    "paper": Command(cmd_paper, "ID", "show a paper and answer from it only (off: all)"),
    "filter": Command(cmd_filter, "k=v", "topic=, since=, until=, paper= (off: none)"),
    "fetch": Command(cmd_fetch, "TOPIC", "fetch new arXiv papers on a topic"),
    "weekly": Command(cmd_weekly, "[TOPIC]", "write this week's brief"),
    "deepdive": Command(cmd_deepdive, "ID...", "a deep dive on these papers"),
    "lint": Command(cmd_lint, "FILE", "check a brief's citations and numbers"),
    "model": Command(cmd_model, "SPEC", "switch model: none, openai:..., llamacpp:..."),
    "thread": Command(cmd_thread, "NAME", "switch to (or start) a thread"),
    "history": Command(cmd_history, "", "the questions asked in this thread"),
    "reset": Command(cmd_reset, "", "forget this thread"),
    "save": Command(cmd_save, "FILE", "save the conversation as Markdown with citations"),
    "quit": Command(cmd_quit, "", "leave (Ctrl-D works too)"),
}


def run_command(session: ChatSession, line: str, say: Say) -> str | None:
    """Run one `/name args` line; an unknown name gets one line pointing to /help."""
    name, _, arg = line.strip()[1:].partition(" ")
    command = COMMANDS.get(name.lower())
    if command is None:
        say(f"unknown command /{name}: type /help for the list.")
        return None
    return command.handler(session, arg.strip(), say)
