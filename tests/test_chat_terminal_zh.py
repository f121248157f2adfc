"""A Chinese conversation with `brief chat` in a real terminal (pseudo-terminal, pexpect).

Three turns, no model: a question that names no paper, then two follow-ups that refer back
with 它 and 这篇论文. Every answer has the Chinese frame, cites the paper under discussion
only, and the thread's saved transcript holds all three. The prompt comes before the store is
open (it loads behind the prompt).
"""

from __future__ import annotations

import re
import socket
import threading
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

from test_chat_terminal import home, quit_chat, spawn, template  # noqa: E402,F401

from agent.chat.language import FRAME  # noqa: E402

DKV = "2505.15781"
CITE = re.compile(r"\[arXiv:(\d{4}\.\d{4,5}) p\.\d+\]")
CITATIONS_LINE = r"（(\d+) 条引用：/sources 查看来源"
TURNS = (
    "扩散语言模型是双向注意力，这种情况下还能缓存键值吗？",
    "它的加速比是多少？",
    "这篇论文在哪些基准上做了评测？",
)


def test_a_chinese_conversation_keeps_its_paper_and_its_language(spawn, home: Path) -> None:  # noqa: F811
    child = spawn("--thread", "zh", "--model", "none")
    child.expect("zh>")
    for turn in TURNS:
        child.sendline(turn)
        child.expect(re.escape(FRAME["zh"]["header"]))
        child.expect(CITATIONS_LINE)
        answer = child.before
        assert int(child.match.group(1)) >= 1
        papers = set(CITE.findall(answer))
        assert papers == {DKV}, (turn, answer)
        assert "Most relevant passages" not in answer and "citations:" not in answer
        child.expect("zh>")
    child.sendline("/why 1")
    child.expect("第 1 句：")
    child.expect(r"\[arXiv:2505\.15781 p\.\d+\] “")
    child.expect("zh>")
    out = home / "zh.md"
    child.sendline(f"/save {out}")
    child.expect("saved")
    child.expect("zh>")
    quit_chat(child)
    saved = out.read_text(encoding="utf-8")
    assert all(turn in saved for turn in TURNS)
    assert set(CITE.findall(saved)) == {DKV}


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts connections and never answers: a store behind
    it cannot be opened until the server goes away."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.conns: list[socket.socket] = []
        self.accepted = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            self.accepted.set()

    def close(self) -> None:
        for conn in self.conns:
            conn.close()
        self.sock.close()


def test_the_prompt_does_not_wait_for_the_store(spawn) -> None:  # noqa: F811
    server = SilentServer()
    try:
        child = spawn("--thread", "early", "--model", "none", BRIEF_CHROMA_URL=server.url)
        child.expect("early>")  # shown while the store is still being opened
        assert server.accepted.wait(30), "the store was never asked for"
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        server.close()
