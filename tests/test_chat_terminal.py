"""`brief chat` driven through a pseudo-terminal as a person would use it.

The child is `python -m agent chat` with its own BRIEF_HOME (the demo papers ingested by the
real reader and store); answers stream, slash commands run, threads persist across runs,
Ctrl-C cancels an answer without ending the chat, and Ctrl-D quits.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

from test_chat_support import FAKE_CITATION, EchoServer, copy_home, ingest  # noqa: E402

TIMEOUT = 60
QUESTION = "How does dKV-Cache reduce inference latency?"
CITE = re.compile(r"\[arXiv:(\d{4}\.\d{4,5}) p\.(\d+)\]")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, demo_pdfs: list[Path]) -> Path:
    home = tmp_path_factory.mktemp("chat-template")
    ingest(home, demo_pdfs)
    return home


@pytest.fixture
def home(brief_home: Path, template: Path) -> Path:
    copy_home(template, brief_home)
    return brief_home


def child_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.update(
        BRIEF_HOME=str(home),
        BRIEF_EMBEDDINGS=os.environ.get("BRIEF_EMBEDDINGS", "hash"),
        PROMPT_TOOLKIT_NO_CPR="1",
        TERM="xterm",
        COLUMNS="200",
        **extra,
    )
    return env


@pytest.fixture
def spawn(home: Path) -> Iterator[object]:
    children: list[object] = []

    def start(*args: str, sigint_ignored: bool = False, **env: str) -> object:
        """`brief chat` on a terminal; `sigint_ignored` starts it the way a background job
        of a script is started, with SIGINT ignored (inherited through exec)."""
        child = pexpect.spawn(
            sys.executable,
            ["-m", "agent", "chat", *args],
            env=child_env(home, **env),
            cwd=str(home.parent),
            timeout=TIMEOUT,
            encoding="utf-8",
            dimensions=(50, 200),
            preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
            if sigint_ignored
            else None,
        )
        children.append(child)
        return child

    yield start
    for child in children:
        if child.isalive():
            child.terminate(force=True)


def quit_chat(child: object) -> None:
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    child.wait()
    assert child.exitstatus == 0


def test_a_person_chats_and_the_thread_continues_next_time(spawn, home: Path) -> None:
    child = spawn("--thread", "demo", "--model", "none")
    child.expect("thread demo")
    child.expect("demo>")
    child.sendline(QUESTION)
    child.expect(r"\[arXiv:\d{4}\.\d{4,5} p\.\d+\]")  # streamed, cited
    child.expect(r"\((\d+) citations: /sources, /why N\)")
    assert int(child.match.group(1)) >= 1
    child.expect("demo>")

    child.sendline("/help")
    child.expect("/why N")
    child.expect("Ctrl-D quits")
    child.sendline("/sources")
    child.expect(r"1\. \[arXiv:\d{4}\.\d{4,5} p\.\d+\]")
    child.expect("demo>")
    child.sendline("/why 1")
    child.expect(r"sentence 1: ")
    child.expect(r"\[arXiv:\d{4}\.\d{4,5} p\.\d+\] “")
    child.expect("demo>")
    child.sendline("/frobnicate")
    child.expect("unknown command /frobnicate: type /help")
    out = home / "talk.md"
    child.sendline(f"/save {out}")
    child.expect("saved")
    child.expect("demo>")
    quit_chat(child)

    assert QUESTION in (home / "chat_history").read_text(encoding="utf-8")  # input history
    saved = out.read_text(encoding="utf-8")
    assert QUESTION in saved and "**Sources**" in saved
    assert_citations_resolve(home, saved)

    # the next day: the same thread remembers the question and its evidence
    again = spawn("--thread", "demo", "--model", "none")
    again.expect("1 earlier answers")
    again.expect("demo>")
    again.sendline("/history")
    again.expect(re.escape(f"1. {QUESTION}"))
    again.expect("demo>")
    again.sendline("/sources")
    again.expect(r"1\. \[arXiv:")
    again.expect("demo>")
    again.send("What speedup does")  # Esc then Enter adds a line; Enter sends
    again.send("\x1b\r")
    again.sendline("dKV-Cache reach?")
    again.expect("citations: /sources")
    again.expect("demo>")
    again.sendline("/history")
    again.expect(r"2\. What speedup does\s+dKV-Cache reach\?")
    again.expect("demo>")
    again.sendline("/thread elsewhere")
    again.expect(r"thread: elsewhere \(0 earlier answers\)")
    again.expect("elsewhere>")
    quit_chat(again)


def assert_citations_resolve(home: Path, text: str) -> None:
    """Every [arXiv:ID p.N] in `text` names a stored chunk of that paper covering page N."""
    from agent.chat.evidence import open_view
    from agent.settings import load_settings

    cites = CITE.findall(text)
    assert cites
    view = open_view(load_settings(home=home))
    for paper, page in cites:
        assert view.resolves(paper, int(page)), f"{paper} p.{page} does not resolve"


def test_a_model_remembers_the_thread_and_never_shows_a_bad_citation(spawn) -> None:
    with EchoServer() as server:
        env = {"BRIEF_BASE_URL": server.url}
        first = spawn("--thread", "m", "--model", "openai:echo", **env)
        first.expect("m>")
        first.sendline(QUESTION)
        first.expect("This is your first question.")
        first.expect("is dropped.")
        assert FAKE_CITATION not in first.before
        first.expect("m>")
        quit_chat(first)

        second = spawn("--thread", "m", "--model", "openai:echo", **env)
        second.expect("m>")
        second.sendline("What speedup does it reach?")
        second.expect(re.escape(f"Earlier you asked: {QUESTION}."))
        second.expect("is dropped.")
        assert FAKE_CITATION not in second.before
        second.expect("m>")
        quit_chat(second)
    assert len(server.requests) == 2
    assert server.requests[1]["stream"] is True


def test_ctrl_c_cancels_the_answer_not_the_chat(spawn) -> None:
    with EchoServer(delay=0.05, repeat=40) as server:
        child = spawn(
            "--thread", "c", "--model", "openai:echo", sigint_ignored=True,
            BRIEF_BASE_URL=server.url,
        )  # fmt: skip
        child.expect("c>")
        child.sendline(QUESTION)
        child.expect("first question")  # the answer has started streaming
        child.sendintr()
        child.expect(r"\(answer cancelled\)")
        assert "citations:" not in child.before  # the answer never finished
        child.expect("c>")
        child.sendline("/history")
        child.expect(re.escape(f"1. {QUESTION}"))
        child.expect("c>")
        quit_chat(child)


def test_piped_input_is_read_line_by_line(home: Path) -> None:
    import subprocess

    first, rest = QUESTION.split(" reduce ")
    script = f"{first} \\\nreduce {rest}\n/why 1\n/history\n/quit\n"  # a backslash continues
    done = subprocess.run(
        [sys.executable, "-m", "agent", "chat", "--thread", "pipe", "--model", "none"],
        input=script,
        capture_output=True,
        text=True,
        env=child_env(home),
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert "sentence 1: " in done.stdout
    assert f"1. {first} \nreduce {rest}" in done.stdout
    assert_citations_resolve(home, done.stdout)
