"""`brief chat` (terminal chat with memory per thread) and `brief ask` (one answer, for scripts)."""

from __future__ import annotations

import sys
from typing import Any

import typer


def _filters(paper: str | None, topic: str | None, since: str | None, until: str | None) -> Any:
    from datetime import date

    from agent.chat.evidence import Filters
    from agent.errors import ConfigError

    try:
        return Filters(
            paper=paper,
            topic=topic,
            since=date.fromisoformat(since) if since else None,
            until=date.fromisoformat(until) if until else None,
        )
    except ValueError as exc:
        raise ConfigError(f"invalid date: {exc}", "use --since/--until YYYY-MM-DD") from None


def register(app: typer.Typer) -> None:
    @app.command()
    def ask(
        question: str = typer.Argument(..., help="The question, in quotes."),
        as_json: bool = typer.Option(
            False, "--json", help="Print answer, citations and hits as JSON."
        ),
        k: int = typer.Option(5, "--k", min=1, max=50, help="Passages to retrieve."),
        model: str | None = typer.Option(
            None, "--model", help="Model spec: none (extractive), openai:<model>, llamacpp:<gguf>."
        ),
        paper: str | None = typer.Option(None, "--paper", help="Answer from this arXiv id only."),
        topic: str | None = typer.Option(None, "--topic", help="Only papers of this topic."),
        since: str | None = typer.Option(
            None, "--since", help="Papers published on/after YYYY-MM-DD."
        ),
        until: str | None = typer.Option(
            None, "--until", help="Papers published on/before YYYY-MM-DD."
        ),
    ) -> None:
        r"""Answer one question from the stored papers, citing \[arXiv:ID p.N]."""
        from agent.chat.answer import answer_question
        from agent.chat.evidence import open_view
        from agent.cli.output import print_json
        from agent.settings import load_settings

        settings = load_settings(model=model)
        filters = _filters(paper, topic, since, until)
        chat_model = _chat_model(settings)
        view = open_view(settings)
        stream = None if as_json else _echo
        answer = answer_question(
            question, settings, view, chat_model, k, filters=filters, on_token=stream
        )
        if as_json:
            print_json(answer.to_json())
            return
        sys.stdout.write("\n")
        if answer.citations:
            from agent.chat.language import frame, sources_lines

            head = frame(question)["sources"]
            sys.stdout.write(f"\n{head}\n" + "\n".join(sources_lines(answer)) + "\n")

    @app.command()
    def chat(
        thread: str = typer.Option(
            "default", "--thread", help="Conversation to continue or start."
        ),
        model: str | None = typer.Option(
            None, "--model", help="Model spec: none (extractive), openai:<model>, llamacpp:<gguf>."
        ),
        k: int = typer.Option(5, "--k", min=1, max=50, help="Passages to retrieve per answer."),
    ) -> None:
        r"""Chat with the stored papers; answers stream and cite \[arXiv:ID p.N].

        Enter sends; Esc then Enter, or a line ending in a backslash, adds a line; Ctrl-C cancels the answer being written; Ctrl-D quits; /help lists the slash commands. Piped input (no terminal) is read one message per line.
        """
        from contextlib import ExitStack

        from agent.settings import load_settings

        settings = load_settings(model=model)
        with ExitStack() as stack:
            if not (sys.stdin.isatty() and sys.stdout.isatty()):
                from agent.chat.repl import plain_reader, run_chat

                session = _session(settings, thread, k, stack)
                run_chat(session, plain_reader(sys.stdin))
                return
            import signal

            from agent.chat.loading import Background, DeferredSession, earlier_answers
            from agent.chat.repl import run_chat, terminal_reader

            # LangGraph, the store and the model load behind the prompt
            loading = Background(lambda: _session(settings, thread, k, stack))
            count = earlier_answers(settings.home, thread)
            if count is None:
                count = len(loading.result().turns())
            # Ctrl-C cancels the answer being written, even when brief was started by a
            # process that ignores SIGINT (a background job of a script): Python then
            # leaves it ignored, and so would every answer be uncancellable
            signal.signal(signal.SIGINT, signal.default_int_handler)
            banner = (
                f"brief chat · thread {thread} · model {settings.model} · "
                f"{count} earlier answers · /help for commands, Ctrl-D quits"
            )
            read = terminal_reader(settings.home / "chat_history")
            run_chat(DeferredSession(thread, loading), read, banner=banner)  # type: ignore[arg-type]


def _chat_model(settings: Any) -> Any:
    """The chat model, or None for `--model none`: the model client libraries (openai,
    langchain_openai, llama_cpp) are imported only when a model is used."""
    if str(settings.model or "").strip().lower() == "none":
        return None
    from agent.llm.models import make_chat_model

    return make_chat_model(settings.model, settings)


def _session(settings: Any, thread: str, k: int, stack: Any) -> Any:
    """The chat session: model, store, checkpointer (closed with `stack`) and chat graph."""
    from agent.chat.evidence import open_view
    from agent.chat.graph import open_checkpointer
    from agent.chat.session import ChatSession
    from agent.chat.tools import ChatTools

    chat_model = _chat_model(settings)
    view = open_view(settings)
    saver = stack.enter_context(open_checkpointer(settings))
    return ChatSession(
        settings,
        view,
        saver,
        thread=thread,
        model=chat_model,
        k=k,
        tools=_chat_tools(settings, view, ChatTools),
    )


def _echo(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _chat_tools(settings: Any, view: Any, tools_cls: Any) -> Any:
    """Fetch and brief actions a tool-calling model may use in chat."""
    from agent.chat import actions

    return tools_cls(
        fetch=lambda topic: actions.fetch(settings, view.store, topic),
        brief=lambda topic: actions.weekly(settings, None, topic),
    )
