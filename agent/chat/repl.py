"""The terminal loop of `brief chat`: prompt_toolkit on a terminal, plain lines otherwise.

Keys (terminal): Enter sends; Esc then Enter inserts a newline; a line ending in a
backslash continues on the next line; Ctrl-C cancels the answer being written (or clears
the line being typed); Ctrl-D on an empty line quits. Without a terminal (piped input)
each line is one message, a trailing backslash continues it, and end of input quits.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from agent.chat.language import frame
from agent.errors import BriefError

if TYPE_CHECKING:
    from agent.chat.session import ChatSession

Reader = Callable[[str], str]  # prompt text -> line; raises EOFError / KeyboardInterrupt


def terminal_reader(history_file: Path) -> Reader:
    """A prompt_toolkit prompt with a history file and Esc+Enter for a newline."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.key_binding import KeyBindings

    history_file.parent.mkdir(parents=True, exist_ok=True)
    bindings = KeyBindings()

    @bindings.add("escape", "enter")
    def _newline(event: Any) -> None:
        event.current_buffer.insert_text("\n")

    prompt: PromptSession[str] = PromptSession(
        history=FileHistory(str(history_file)), key_bindings=bindings
    )
    return lambda text: prompt.prompt(text)


def plain_reader(stream: TextIO) -> Reader:
    """Lines from a stream, for scripts (no prompt is printed)."""

    def read(_prompt: str) -> str:
        line = stream.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    return read


def messages(read: Reader, prompt: Callable[[], str]) -> Iterator[str]:
    """Messages typed by the user, continuation lines joined; stops at end of input."""
    while True:
        try:
            text = read(prompt())
            while text.endswith("\\"):
                text = text[:-1] + "\n" + read("... ")
        except KeyboardInterrupt:  # Ctrl-C while typing clears the line
            continue
        except EOFError:
            return
        if text.strip():
            yield text.strip()


class Printer:
    """Writes streamed answers and command output to the terminal."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def token(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def line(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()


def run_chat(
    session: ChatSession, read: Reader, out: TextIO | None = None, banner: str | None = None
) -> None:
    """Read messages until /quit or end of input; answer questions, run slash commands.

    The prompt needs only `session.thread`: the session may still be loading (a
    DeferredSession) until the first message.
    """
    printer = Printer(out or sys.stdout)
    if banner:
        printer.line(banner)
    for text in messages(read, lambda: f"{session.thread}> "):
        from agent.chat.commands import QUIT, run_command
        from agent.chat.session import CANCELLED

        if text.startswith("/"):
            if run_command(session, text, printer.line) == QUIT:
                return
            continue
        try:
            answer = session.ask(text, on_token=printer.token)
        except KeyboardInterrupt:
            printer.line(f"\n{CANCELLED}")
            continue
        except BriefError as exc:
            printer.line(f"\nerror: {exc}")
            continue
        printer.line()
        if answer.citations:
            printer.line(frame(text)["citations"].format(n=len(answer.citations)))
